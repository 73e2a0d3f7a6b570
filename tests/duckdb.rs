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
    let stdout = duckdb_check(store.path(), Some(&sample.join("trailblame.toml")));
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

    // A store with quarantined records and no transcripts, and one ingested
    // with --no-attribution: every view exists as queries/README.md makes
    // it (issue 21), and every query still matches.
    let quarantined = tempfile::tempdir().unwrap();
    let r = run(&[
        "ingest",
        root.join("tests/fixtures/cloudtrail").to_str().unwrap(),
        "--store",
        quarantined.path().to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let stdout = duckdb_check(quarantined.path(), None);
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("ok ")).count(),
        files,
        "{stdout}"
    );
    let stale = tempfile::tempdir().unwrap();
    let r = run(&[
        "ingest",
        sample.to_str().unwrap(),
        "--store",
        stale.path().to_str().unwrap(),
        "-q",
        "--no-attribution",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let stdout = duckdb_check(stale.path(), Some(&sample.join("trailblame.toml")));
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("ok ")).count(),
        files,
        "{stdout}"
    );
}

/// Runs scripts/duckdb_check.py on a store; returns its output, which must
/// say every query matched.
fn duckdb_check(store: &std::path::Path, config: Option<&std::path::Path>) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut cmd = std::process::Command::new("python3");
    cmd.arg(root.join("scripts/duckdb_check.py"))
        .arg(store)
        .arg(root.join("queries"))
        .arg("--trailblame")
        .arg(env!("CARGO_BIN_EXE_trailblame"))
        // Values for the placeholders shipped queries use.
        .args(["--param", "actor=kiro", "--param", "account=491035286417"]);
    if let Some(c) = config {
        cmd.arg("--config").arg(c);
    }
    let out = cmd.output().expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}
