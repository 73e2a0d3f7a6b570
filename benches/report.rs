//! Report-layer benchmark on the scenario at about 1M events
//! (`trailblame-synth --scenario --background-scale 120 --agent-scale 30`), from a
//! store: the anomaly detectors (`anomalies`, target ≤ 5 s) and the full
//! weekly report (`report`, target ≤ 3 s), each against `summary` over the
//! same store in the same run (a plain full scan, the baseline).
//!
//! `cargo bench --bench report`. `TB_BENCH_BG` / `TB_BENCH_AGENTS` change
//! the scales. Data and the store are cached under `target/bench-data/`.

mod common;

use common::{scenario, timed};

fn scale(var: &str, default: u32) -> u32 {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let (bg, agents) = (scale("TB_BENCH_BG", 120), scale("TB_BENCH_AGENTS", 30));
    let data = scenario(bg, agents);
    let store = data.with_file_name(format!(
        "{}-store",
        data.file_name().unwrap().to_string_lossy()
    ));
    let stamp = store.join(".complete");
    if !stamp.exists() {
        let _ = std::fs::remove_dir_all(&store);
        let s = timed(&[
            "ingest",
            data.to_str().unwrap(),
            "--store",
            store.to_str().unwrap(),
            "-q",
        ]);
        std::fs::write(&stamp, "").unwrap();
        eprintln!("ingested the scenario in {s:.1} s");
    }
    let config = data.join("trailblame.toml");
    let (st, cfg) = (store.to_str().unwrap(), config.to_str().unwrap());
    let out = tempfile::tempdir().unwrap();
    let html = out.path().join("report.html");
    let best = |args: &[&str]| (0..3).map(|_| timed(args)).fold(f64::INFINITY, f64::min);
    // The first run of each brings the attribution and page cache in line.
    let _ = timed(&["summary", "--store", st, "--config", cfg, "-q"]);
    let base = best(&["summary", "--store", st, "--config", cfg, "-q"]);
    let anomalies = best(&[
        "anomalies",
        "--store",
        st,
        "--config",
        cfg,
        "-q",
        "--format",
        "csv",
        "-o",
        out.path().join("f.csv").to_str().unwrap(),
    ]);
    let report = best(&[
        "report",
        "--store",
        st,
        "--config",
        cfg,
        "-q",
        "-o",
        html.to_str().unwrap(),
    ]);
    println!("scenario {bg}/{agents}, from a store (best of 3)");
    println!("summary (baseline, a full scan): {base:.2} s");
    println!(
        "anomalies, all detectors:        {anomalies:.2} s = {:.2}x summary (target ≤ 5 s)",
        anomalies / base
    );
    println!(
        "report, whole weekly report:     {report:.2} s = {:.2}x summary (target ≤ 3 s)",
        report / base
    );
}
