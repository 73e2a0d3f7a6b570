#!/usr/bin/env bash
# Regenerates sample-data/: a deterministic synthetic week of CloudTrail for
# three accounts in the S3 delivery layout (same bytes on every run).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf sample-data/cloudtrail
cargo run --release --quiet -- synth --events 5000 --seed 7 --days 7 --accounts 3 \
  --records-per-file 250 --out sample-data/cloudtrail
