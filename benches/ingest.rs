//! Ingest benchmark: ingest N synthetic events and, in the same run, `gzip -dc`
//! of the same files as the baseline; then `summary` on the store.
//!
//! `cargo bench --bench ingest` (N = 1,000,000). Environment:
//! `TB_BENCH_EVENTS=N` changes N; `TB_BENCH_SCALE=3` also ingests 3×N and
//! prints its peak RSS against the N run's. Data is cached under
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
    let dir = synth_corpus(events);
    let files = gz_files(&dir);
    let bytes: u64 = files.iter().map(|f| f.metadata().unwrap().len()).sum();
    // Warm the page cache so neither side pays for the first read.
    let _ = gzip_baseline(&files);
    let gz = gzip_baseline(&files);
    let (ing, store) = ingest(&dir);
    let sum = measure(
        Command::new(bin())
            .arg("summary")
            .arg("--store")
            .arg(store.path())
            .stdout(std::process::Stdio::null()),
    );
    println!(
        "ingest benchmark: {events} events, {} files, {:.1} MB gzip",
        files.len(),
        bytes as f64 / 1e6
    );
    println!("  gzip -dc (baseline)   {:>8.2} s", gz.as_secs_f64());
    println!(
        "  trailblame ingest     {:>8.2} s   ratio {:.2} × gzip -dc (target <= 1.0)",
        ing.wall.as_secs_f64(),
        ing.wall.as_secs_f64() / gz.as_secs_f64()
    );
    println!(
        "  ingest peak RSS       {:>8.0} MiB (target <= 1024)",
        ing.max_rss_kib as f64 / 1024.0
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
            ing_big.max_rss_kib as f64 / ing.max_rss_kib as f64
        );
    }
}
