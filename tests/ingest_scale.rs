//! Integration tests for ingest at CloudTrail's real shape and under hostile
//! sizes: many small delivery files read through shared chunks (the same
//! store whatever the thread count, every file accounted for), and the
//! memory bounds (issue 23): a gzip bomb, a huge field, a huge plain file.

mod common;

use common::*;
use std::path::Path;

/// A synthetic S3 delivery tree of `events` records in files of
/// `per_file`.
fn small_files(dir: &Path, events: u64, per_file: u32) {
    let cfg = trailblame_synth::corpus::CorpusConfig {
        events,
        seed: 7,
        days: 3,
        accounts: 2,
        records_per_file: per_file,
        ..Default::default()
    };
    trailblame_synth::corpus::generate(&cfg, dir).expect("the generator runs");
}

/// Issue 24: 2,000 records in ~400 files, across several read chunks, with a
/// file given twice (same bytes) and one whose records arrive again in
/// another file (plain JSON): the same store with 1 and 2 threads, and the
/// per-file counts add up to the run's.
#[test]
fn issue_24_many_small_files_same_store_whatever_the_thread_count() {
    let src = tempfile::tempdir().unwrap();
    small_files(src.path(), 2_000, 5);
    let mut logs: Vec<_> = files_under(src.path())
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("/CloudTrail/"))
        .collect();
    logs.sort();
    assert!(logs.len() > 300, "{} files", logs.len());
    // The same bytes under another name, and the same records re-encoded.
    let extra = src.path().join("extra");
    std::fs::create_dir_all(&extra).unwrap();
    std::fs::copy(&logs[10], extra.join("copy.json.gz")).unwrap();
    let text = gunzip(&logs[200]);
    std::fs::write(extra.join("again.json"), &text).unwrap();
    let again: serde_json::Value = serde_json::from_str(&text).unwrap();
    let again_records = again["Records"].as_array().unwrap().len() as u64;

    let mut outs = Vec::new();
    for threads in ["1", "2"] {
        let store = tempfile::tempdir().unwrap();
        let mut args = vec!["ingest".to_string(), src.path().display().to_string()];
        args.extend(
            [
                "--store",
                store.path().to_str().unwrap(),
                "--format",
                "json",
                "--no-attribution",
            ]
            .map(String::from),
        );
        let r = run_cmd(bin().env("RAYON_NUM_THREADS", threads).args(&args));
        assert_eq!(r.code, 0, "{}", r.stderr);
        let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let acc = &report["accounting"];
        assert_eq!(acc["duplicates"], again_records, "{acc}");
        assert_eq!(acc["files_already_ingested"], 1, "{acc}");
        assert_eq!(acc["kept"], 2_000, "{acc}");
        let per_file = count(
            store.path(),
            "SELECT SUM(kept) FROM ingested_files WHERE kind = 'cloudtrail'",
        );
        assert_eq!(per_file, acc["kept"].as_u64().unwrap());
        let dup_file = query(
            store.path(),
            "SELECT duplicates, kept FROM ingested_files WHERE path LIKE '%again.json'",
        );
        assert_eq!(dup_file[0]["duplicates"], again_records);
        // Every row names its own file: no row of a file is put on another.
        let misplaced = count(
            store.path(),
            "SELECT COUNT(*) FROM events e JOIN ingested_files f ON e.source_file = f.path \
             WHERE f.kind <> 'cloudtrail'",
        );
        assert_eq!(misplaced, 0);
        let by_source: std::collections::BTreeMap<String, u64> = query(
            store.path(),
            "SELECT source_file, COUNT(*) AS n FROM events GROUP BY source_file",
        )
        .iter()
        .map(|r| {
            (
                r["source_file"].as_str().unwrap().to_string(),
                r["n"].as_u64().unwrap(),
            )
        })
        .collect();
        let by_file: std::collections::BTreeMap<String, u64> = query(
            store.path(),
            "SELECT path, kept FROM ingested_files WHERE kept > 0",
        )
        .iter()
        .map(|r| {
            (
                r["path"].as_str().unwrap().to_string(),
                r["kept"].as_u64().unwrap(),
            )
        })
        .collect();
        assert_eq!(by_source, by_file);
        let r = run(&[
            "query",
            "SELECT event_id, source_file, source_index FROM events ORDER BY event_time, event_id",
            "--store",
            store.path().to_str().unwrap(),
            "--format",
            "ndjson",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        outs.push(r.stdout);
    }
    assert_eq!(outs[0].lines().count(), 2_000);
    assert_eq!(outs[0], outs[1]);
}

fn gunzip(path: &Path) -> String {
    let out = std::process::Command::new("gzip")
        .arg("-dc")
        .arg(path)
        .output()
        .expect("gzip runs");
    assert!(out.status.success(), "gzip -dc {}", path.display());
    String::from_utf8(out.stdout).unwrap()
}
