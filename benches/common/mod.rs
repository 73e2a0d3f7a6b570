//! Shared by the benchmarks: the binary under test, the cached synthetic
//! CloudTrail corpus, and a plain recursive file listing.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_trailblame")
}

/// `target/bench-data/ct-<events>`: synthetic CloudTrail (seed 42, 14 days,
/// 3 accounts, ~420 records a file), generated once and reused.
pub fn synth_corpus(events: u64) -> PathBuf {
    synth_corpus_shaped(events, None)
}

/// `target/bench-data/ct-<events>-rpf<n>`: the same organisation delivered
/// in files of `records_per_file` records (CloudTrail's real shape: one
/// small file per account, region and 5 minutes), in the S3 layout
/// `AWSLogs/<o-id>/<acct>/CloudTrail/<region>/YYYY/MM/DD/…json.gz`.
pub fn synth_small_files(events: u64, records_per_file: u32) -> PathBuf {
    synth_corpus_shaped(events, Some(records_per_file))
}

fn synth_corpus_shaped(events: u64, records_per_file: Option<u32>) -> PathBuf {
    let name = match records_per_file {
        None => format!("ct-{events}"),
        Some(n) => format!("ct-{events}-rpf{n}"),
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/bench-data/{name}"));
    let stamp = dir.join(".complete");
    if !stamp.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let t = Instant::now();
        let cfg = trailblame_synth::corpus::CorpusConfig {
            events,
            seed: 42,
            days: 14,
            accounts: 3,
            records_per_file: records_per_file.unwrap_or(500),
            ..Default::default()
        };
        trailblame_synth::corpus::generate(&cfg, &dir).expect("synth");
        std::fs::write(&stamp, "").unwrap();
        eprintln!(
            "generated {events} events in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    dir
}

/// Every file under `dir`, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// `target/bench-data/scenario-v2-<bg>-<agents>`: the attribution scenario
/// at scale (`trailblame-synth --scenario`, seed 42; with its incidents, IAM data and
/// trailblame.toml), generated once and reused.
pub fn scenario(bg: u32, agents: u32) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("target/bench-data/scenario-v2-{bg}-{agents}"));
    let stamp = dir.join(".complete");
    if !stamp.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let cfg = trailblame_synth::scenario::ScenarioConfig {
            seed: 42,
            background_scale: bg,
            agent_scale: agents,
            ..Default::default()
        };
        trailblame_synth::scenario::generate(&cfg, &dir).expect("synth");
        std::fs::write(&stamp, "").unwrap();
    }
    dir
}

/// Writes what earlier runs left in the page cache out to disk, so that a
/// timed run does not share the disk (and a core) with their writeback.
pub fn settle() {
    let _ = Command::new("sync").status();
}

/// Runs the binary and returns the seconds it took; panics on exit 2.
pub fn timed(args: &[&str]) -> f64 {
    let t = Instant::now();
    let out = Command::new(bin()).args(args).output().expect("run");
    let secs = t.elapsed().as_secs_f64();
    assert!(
        out.status.code().unwrap_or(2) < 2,
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    secs
}
