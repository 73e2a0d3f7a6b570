//! Attribution benchmark: the scenario at scale (about 1M events and 10,000
//! tool calls, `trailblame-synth --scenario --background-scale 120 --agent-scale 30`),
//! ingested without and with attribution in the same run. Target: attribution
//! adds at most 50% to the ingest time.
//!
//! `cargo bench --bench attribution`. `TB_BENCH_BG` / `TB_BENCH_AGENTS`
//! change the scales. Data is cached under `target/bench-data/`.

mod common;

use common::{bin, scenario};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

fn scale(var: &str, default: u32) -> u32 {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Ingests `input` into a new store; returns (seconds, stderr).
fn ingest(input: &Path, extra: &[&str]) -> (f64, String) {
    let store = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let out = Command::new(bin())
        .arg("ingest")
        .arg(input)
        .arg("--store")
        .arg(store.path().join("s"))
        .args(extra)
        .output()
        .expect("ingest");
    let secs = t.elapsed().as_secs_f64();
    assert!(
        out.status.code().unwrap_or(2) < 2,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (secs, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn main() {
    let (bg, agents) = (scale("TB_BENCH_BG", 120), scale("TB_BENCH_AGENTS", 30));
    let data = scenario(bg, agents);
    // Warm the page cache once.
    let _ = ingest(&data, &["--no-attribution"]);
    let mut without = Vec::new();
    let mut with = Vec::new();
    let mut line = String::new();
    for _ in 0..2 {
        without.push(ingest(&data, &["--no-attribution"]).0);
        let (s, err) = ingest(&data, &[]);
        with.push(s);
        line = err
            .lines()
            .find(|l| l.starts_with("attribution:"))
            .unwrap_or("")
            .to_string();
    }
    let best = |v: &[f64]| v.iter().cloned().fold(f64::INFINITY, f64::min);
    let (a, b) = (best(&without), best(&with));
    println!("scenario {bg}/{agents}: {line}");
    println!(
        "ingest without attribution: {a:.2} s (best of {})",
        without.len()
    );
    println!("ingest with attribution:    {b:.2} s");
    println!(
        "attribution adds {:.2} s = {:.0}% of the ingest time (target ≤ 50%)",
        b - a,
        (b - a) / a * 100.0
    );
}
