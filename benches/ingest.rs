//! Ingest benchmark: ingest N synthetic events and, in the same run, `gzip -dc`
//! of the same files as the baseline; then `summary` on the store.
//!
//! `cargo bench --bench ingest` (N = 1,000,000). Environment:
//! `TB_BENCH_EVENTS=N` changes N; `TB_BENCH_RUNS=K` (default 3) measures
//! gzip and ingest in turn K times and prints the medians and the paired
//! ratios; `TB_BENCH_SCALE=3` also ingests 3×N and prints its peak RSS
//! against the N runs' highest. Data is cached under
//! `target/bench-data/`. Prints ratios, asserts nothing: benchmarks are not tests.

mod common;

use common::{bin, files_under, synth_corpus};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

struct Measured {
    wall: Duration,
    max_rss_kib: i64,
}

/// Runs a command, returning wall time and the child's peak RSS.
fn measure(cmd: &mut Command) -> Measured {
    let t = Instant::now();
    let child = cmd.spawn().expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our child; status and usage are valid out-pointers.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4");
    let wall = t.elapsed();
    assert!(libc::WIFEXITED(status), "child did not exit normally");
    let code = libc::WEXITSTATUS(status);
    assert!(code == 0 || code == 1, "{cmd:?} exited with {code}");
    std::mem::forget(child);
    Measured {
        wall,
        max_rss_kib: usage.ru_maxrss,
    }
}

fn gz_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = files_under(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "gz"))
        .collect();
    v.sort();
    v
}

fn gzip_baseline(files: &[PathBuf]) -> Duration {
    let mut total = Duration::ZERO;
    for chunk in files.chunks(2000) {
        let m = measure(
            Command::new("gzip")
                .arg("-dc")
                .args(chunk)
                .stdout(std::process::Stdio::null()),
        );
        total += m.wall;
    }
    total
}

fn ingest(dir: &Path) -> (Measured, tempfile::TempDir) {
    let store = tempfile::tempdir().unwrap();
    let m = measure(
        Command::new(bin())
            .arg("ingest")
            .arg(dir)
            .arg("--store")
            .arg(store.path())
            .args(["--progress", "off", "--quiet"]),
    );
    (m, store)
}

fn main() {
    let events: u64 = std::env::var("TB_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let scale: u64 = std::env::var("TB_BENCH_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let runs: usize = std::env::var("TB_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(3);
    let mut peak_kib = 0;
    let dir = synth_corpus(events);
    let files = gz_files(&dir);
    let bytes: u64 = files.iter().map(|f| f.metadata().unwrap().len()).sum();
    // Warm the page cache so neither side pays for the first read.
    let _ = gzip_baseline(&files);
    // Both sides measured in turn, several times: this machine's speed
    // drifts by 10% from one minute to the next, and a paired ratio cancels
    // most of it.
    let mut pairs = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let gz = gzip_baseline(&files);
        let (ing, store) = ingest(&dir);
        pairs.push((gz, ing.wall));
        peak_kib = peak_kib.max(ing.max_rss_kib);
        last = Some(store);
    }
    let store = last.expect("at least one run");
    let sum = measure(
        Command::new(bin())
            .arg("summary")
            .arg("--store")
            .arg(store.path())
            .stdout(std::process::Stdio::null()),
    );
    let mut ratios: Vec<f64> = pairs
        .iter()
        .map(|(gz, ing)| ing.as_secs_f64() / gz.as_secs_f64())
        .collect();
    ratios.sort_by(f64::total_cmp);
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let gz = median(pairs.iter().map(|p| p.0.as_secs_f64()).collect());
    let ing = median(pairs.iter().map(|p| p.1.as_secs_f64()).collect());
    println!(
        "ingest benchmark: {events} events, {} files, {:.1} MB gzip, {runs} paired runs",
        files.len(),
        bytes as f64 / 1e6
    );
    println!("  gzip -dc (baseline)   {gz:>8.2} s   median");
    println!(
        "  trailblame ingest     {ing:>8.2} s   median; ratio {:.2} × gzip -dc, median of the pairs (range {:.2}–{:.2}; target <= 1.0)",
        ratios[ratios.len() / 2],
        ratios[0],
        ratios[ratios.len() - 1]
    );
    println!(
        "  ingest peak RSS       {:>8.0} MiB, the highest of the runs (target <= 1024)",
        peak_kib as f64 / 1024.0
    );
    println!(
        "  summary               {:>8.2} s   (target <= 1.0)",
        sum.wall.as_secs_f64()
    );
    if scale > 1 {
        let big = synth_corpus(events * scale);
        // Warm the page cache as for the first run.
        let _ = gzip_baseline(&gz_files(&big));
        let (ing_big, _s) = ingest(&big);
        println!(
            "  ingest of {}×: {:.2} s, peak RSS {:.0} MiB = {:.2} × the {events}-event peak (target <= 1.2)",
            scale,
            ing_big.wall.as_secs_f64(),
            ing_big.max_rss_kib as f64 / 1024.0,
            ing_big.max_rss_kib as f64 / peak_kib as f64
        );
    }
}
