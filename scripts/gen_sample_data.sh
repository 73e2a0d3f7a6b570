#!/usr/bin/env bash
# Regenerates sample-data/: the attribution scenario (a week of three
# accounts: people, services, CI and AI agents with their transcripts, the
# incidents and the ground truth), the same bytes on every run.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf sample-data
cargo run --release --quiet -p trailblame-synth -- --scenario --seed 1 --out sample-data
