//! Spark (issue 21): `spark/trailblame_job.py` in local mode leaves the
//! store one ingest leaves, and every shipped query gives trailblame's
//! result on Spark SQL with queries/README.md's views, on a store without
//! quarantine (the sample, with findings) and on one with quarantined
//! records ingested with `--no-attribution`. Needs pyspark
//! and Java 17, which `scripts/test-deps` installs.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn require_pyspark() {
    let probe = Command::new("python3")
        .args(["-c", "import pyspark"])
        .output()
        .expect("python3 runs");
    assert!(
        probe.status.success(),
        "pyspark is missing: run scripts/test-deps (or pip install -r scripts/requirements-spark.txt)\n{}",
        String::from_utf8_lossy(&probe.stderr)
    );
}

/// A table's rows as sorted JSON texts, `ingest_run` left out (the job's
/// store has one run per shard).
fn rows(store: &Path, table: &str) -> Vec<String> {
    let mut out: Vec<String> = query(store, &format!("SELECT * FROM {table}"))
        .into_iter()
        .map(|mut v| {
            v.as_object_mut().unwrap().remove("ingest_run");
            v.to_string()
        })
        .collect();
    out.sort();
    out
}

#[test]
fn spark_job_in_local_mode_leaves_the_store_one_ingest_leaves() {
    require_pyspark();
    let sample = sample();
    let config = sample.join("trailblame.toml");
    let work = tempfile::tempdir().unwrap();
    let single = work.path().join("single");
    let r = run(&[
        "ingest",
        sample.to_str().unwrap(),
        "--store",
        single.to_str().unwrap(),
        "-q",
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    let job = work.path().join("job");
    let out = Command::new("python3")
        .arg(root().join("spark/trailblame_job.py"))
        .args(["--master", "local[2]", "--shards", "5"])
        .arg("--binary")
        .arg(env!("CARGO_BIN_EXE_trailblame"))
        .arg("--store")
        .arg(&job)
        .arg("--config")
        .arg(&config)
        .arg(&sample)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("job prints JSON");
    assert_eq!(summary["shards"].as_array().unwrap().len(), 5, "{summary}");
    assert!(
        summary["attribution"]
            .as_str()
            .unwrap()
            .contains("centrally"),
        "{summary}"
    );
    // Same events, same labels, same tool-call links, same transcripts and
    // the same per-file accounting.
    for table in [
        "events",
        "attribution",
        "agent_sessions",
        "tool_calls",
        "messages",
        "ingested_files",
    ] {
        let (a, b) = (rows(&single, table), rows(&job, table));
        assert_eq!(a.len(), b.len(), "{table}: row counts");
        if let Some(i) = a.iter().zip(&b).position(|(x, y)| x != y) {
            panic!("{table}: first difference\n{}\n{}", a[i], b[i]);
        }
    }
    assert!(
        count(
            &job,
            "SELECT COUNT(*) FROM events WHERE tool_call_id IS NOT NULL"
        ) > 0
    );
}

#[test]
fn every_shipped_query_gives_the_same_result_on_spark() {
    require_pyspark();
    let sample = sample();
    let config = sample.join("trailblame.toml");
    let work = tempfile::tempdir().unwrap();
    // The sample, with the findings table the report queries read.
    let with_findings = work.path().join("sample");
    ingest_quietly(&sample, &with_findings);
    let r = run(&[
        "anomalies",
        "--store",
        with_findings.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        "-q",
        "--format",
        "csv",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Quarantined records, and no attribution stored yet: the sample and
    // the CloudTrail fixtures, ingested with --no-attribution.
    let stale = work.path().join("stale");
    let r = run(&[
        "ingest",
        sample.to_str().unwrap(),
        fixtures().join("cloudtrail").to_str().unwrap(),
        "--store",
        stale.to_str().unwrap(),
        "-q",
        "--no-attribution",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);

    // Run from a folder of its own: the check must leave nothing there
    // (the DDL check's database once made `spark-warehouse/` in it).
    let cwd = work.path().join("cwd");
    std::fs::create_dir(&cwd).unwrap();
    let out = Command::new("python3")
        .current_dir(&cwd)
        .arg(root().join("scripts/spark_check.py"))
        .arg(&with_findings)
        .arg(root().join("queries"))
        .arg("--also")
        .arg(&stale)
        .arg("--trailblame")
        .arg(env!("CARGO_BIN_EXE_trailblame"))
        .arg("--config")
        .arg(&config)
        .arg("--check-ddl")
        .args(["--param", "actor=kiro", "--param", "account=491035286417"])
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let left: Vec<_> = std::fs::read_dir(&cwd)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "the check left {left:?} where it ran");
    let files = std::fs::read_dir(root().join("queries"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "sql"))
        })
        .count();
    let ok = stdout
        .lines()
        .filter(|l| l.starts_with("ok ") && !l.contains(" ddl "))
        .count();
    assert_eq!(ok, 2 * files, "{stdout}");
    assert_eq!(stdout.matches("ok   ddl").count(), 1, "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("ok   report_quarantine (") && !l.contains("(0 rows)")),
        "the stale store has quarantined records: {stdout}"
    );
    // Other engines see that the attribution was not computed.
    assert!(
        stdout.contains(&format!(
            "store {}: attribution current: false",
            stale.display()
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "store {}: attribution current: true",
            with_findings.display()
        )),
        "{stdout}"
    );
}
