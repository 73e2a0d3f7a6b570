//! Every shipped query in `queries/` runs on DuckDB over the store's Parquet
//! files and gives the same result as trailblame (issue 8: the SQL stays
//! portable). Needs Python's `duckdb` package, which `scripts/test-deps`
//! installs (scripts/requirements-duckdb.txt).

mod common;

use common::*;
use std::path::PathBuf;

#[test]
fn every_shipped_query_gives_the_same_result_on_duckdb() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let probe = std::process::Command::new("python3")
        .args(["-c", "import duckdb"])
        .output()
        .expect("python3 runs");
    assert!(
        probe.status.success(),
        "Python's duckdb package is missing: run scripts/test-deps (or pip install -r scripts/requirements-duckdb.txt)\n{}",
        String::from_utf8_lossy(&probe.stderr)
    );
    let store = tempfile::tempdir().unwrap();
    let sample = root.join("sample-data");
    ingest_quietly(&sample, store.path());
    // The findings table, for the queries that read it.
    let r = run(&[
        "anomalies",
        "--store",
        store.path().to_str().unwrap(),
        "--config",
        sample.join("trailblame.toml").to_str().unwrap(),
        "-q",
        "--format",
        "csv",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = std::process::Command::new("python3")
        .arg(root.join("scripts/duckdb_check.py"))
        .arg(store.path())
        .arg(root.join("queries"))
        .arg("--trailblame")
        .arg(env!("CARGO_BIN_EXE_trailblame"))
        .arg("--config")
        .arg(sample.join("trailblame.toml"))
        // Values for the placeholders shipped queries use.
        .args(["--param", "actor=kiro", "--param", "account=491035286417"])
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every query file was checked.
    let files = std::fs::read_dir(root.join("queries"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "sql"))
        })
        .count();
    let ok = stdout.lines().filter(|l| l.starts_with("ok ")).count();
    assert_eq!(ok, files, "{stdout}");
}
