//! Stores readable by any engine as they are, and `trailblame store merge`
//! (issue 21): every table folder has a typed part, `store_state` says
//! whether the attribution is current, part names differ between writers,
//! and shard stores merged in order equal one ingest of the same files.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Files under `dir`, sorted as ingest sorts them (by path text).
fn sorted_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    files.sort_by(|a, b| a.to_string_lossy().cmp(&b.to_string_lossy()));
    files
}

/// Ingests each contiguous slice of `files` into its own store, without
/// attribution, as a Spark executor does. Returns the shard stores.
fn ingest_shards(files: &[PathBuf], shards: usize, work: &Path) -> Vec<PathBuf> {
    let per = files.len().div_ceil(shards);
    let mut out = Vec::new();
    for (i, chunk) in files.chunks(per).enumerate() {
        let store = work.join(format!("shard-{i}"));
        let mut args: Vec<String> = vec!["ingest".into()];
        args.extend(chunk.iter().map(|p| p.display().to_string()));
        args.extend(
            ["--store", store.to_str().unwrap(), "-q", "--no-attribution"].map(String::from),
        );
        let r = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(r.code == 0 || r.code == 1, "shard {i}: {}", r.stderr);
        out.push(store);
    }
    out
}

fn merge(sources: &[PathBuf], into: &Path, extra: &[&str]) -> Value {
    let mut args: Vec<String> = vec!["store".into(), "merge".into()];
    args.extend(sources.iter().map(|p| p.display().to_string()));
    args.extend(["--into", into.to_str().unwrap(), "--format", "json"].map(String::from));
    args.extend(extra.iter().map(|s| s.to_string()));
    let r = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).expect("merge prints JSON")
}

/// A table's rows as sorted JSON texts, with the named columns left out.
fn rows(store: &Path, table: &str, leave_out: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = query(store, &format!("SELECT * FROM {table}"))
        .into_iter()
        .map(|mut v| {
            for c in leave_out {
                v.as_object_mut().unwrap().remove(*c);
            }
            v.to_string()
        })
        .collect();
    out.sort();
    out
}

fn manifest(store: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(store.join("_trailblame.json")).unwrap()).unwrap()
}

/// The accounting summed over a store's runs, leaving out what is not kept
/// per file (bytes decoded, leniencies: a file read twice counts them twice).
fn accounting_sum(store: &Path) -> std::collections::BTreeMap<String, i64> {
    let mut sum = std::collections::BTreeMap::new();
    for r in manifest(store)["runs"].as_array().unwrap() {
        for (k, v) in r["accounting"].as_object().unwrap() {
            if let Some(n) = v.as_i64()
                && k != "bytes_decoded"
                && !LENIENT.contains(&k.as_str())
            {
                *sum.entry(k.clone()).or_insert(0) += n;
            }
            if let Some(m) = v.as_object() {
                for (kk, vv) in m {
                    *sum.entry(format!("{k}.{kk}")).or_insert(0) += vv.as_i64().unwrap();
                }
            }
        }
    }
    sum
}

const LENIENT: [&str; 7] = [
    "times_without_zone",
    "times_with_space",
    "synthetic_ids",
    "fields_nulled",
    "hook_payloads_not_read",
    "documents_concatenated",
    "containers_repeated",
];

fn assert_same_rows(a: &Path, b: &Path, table: &str, leave_out: &[&str]) {
    let (x, y) = (rows(a, table, leave_out), rows(b, table, leave_out));
    let first = x.iter().zip(&y).position(|(p, q)| p != q);
    assert!(
        x.len() == y.len() && first.is_none(),
        "{table}: {} rows in one store, {} in the merged; first difference:\n{:?}\n{:?}",
        x.len(),
        y.len(),
        first.map(|i| &x[i]),
        first.map(|i| &y[i])
    );
}

#[test]
fn merged_shards_equal_one_ingest_duplicates_and_repeated_files_included() {
    let work = tempfile::tempdir().unwrap();
    let input = work.path().join("in");
    copy_dir(&fixtures().join("cloudtrail"), &input);
    // The same content again at a later path: one ingest skips it as
    // already ingested; here it lands in another shard than the original.
    std::fs::create_dir_all(input.join("zz")).unwrap();
    std::fs::copy(input.join("bare-array.json"), input.join("zz/copy.json")).unwrap();
    let single = work.path().join("single");
    let r = run(&[
        "ingest",
        input.to_str().unwrap(),
        "--store",
        single.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(r.code, 1, "the fixtures hold bad records: {}", r.stderr);

    let files = sorted_files(&input);
    let shards = ingest_shards(&files, 3, work.path());
    let merged = work.path().join("merged");
    let report = merge(&shards, &merged, &[]);
    let dups: i64 = report["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["duplicates"].as_i64().unwrap())
        .sum();
    let repeated: i64 = report["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["files_already_ingested"].as_i64().unwrap())
        .sum();
    assert!(
        dups > 0,
        "the fixtures repeat events across shards: {report}"
    );
    assert_eq!(repeated, 1, "zz/copy.json: {report}");

    assert_same_rows(&single, &merged, "events", &[]);
    assert_same_rows(&single, &merged, "quarantine", &["ingest_run"]);
    assert_same_rows(&single, &merged, "ingested_files", &["ingest_run"]);
    assert_eq!(accounting_sum(&single), accounting_sum(&merged));
    // Runs carried over, one per shard, numbered in order.
    let runs: Vec<i64> = manifest(&merged)["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["run"].as_i64().unwrap())
        .collect();
    assert_eq!(runs, vec![1, 2, 3]);
    assert_eq!(
        count(
            &merged,
            "SELECT COUNT(DISTINCT ingest_run) FROM ingested_files"
        ),
        3
    );
}

#[test]
fn merged_transcripts_and_attribution_equal_one_ingest_of_the_sample() {
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
    // Four shards: accounts, agents and transcripts end up apart.
    let shards = ingest_shards(&sorted_files(&sample), 4, work.path());
    let merged = work.path().join("merged");
    merge(&shards, &merged, &["--config", config.to_str().unwrap()]);
    for table in [
        "events",
        "attribution",
        "agent_sessions",
        "tool_calls",
        "messages",
    ] {
        assert_same_rows(&single, &merged, table, &[]);
    }
    assert_same_rows(&single, &merged, "ingested_files", &["ingest_run"]);
    assert_eq!(accounting_sum(&single), accounting_sum(&merged));
    // Events are linked to tool calls, so the join ran over all shards.
    assert!(
        count(
            &merged,
            "SELECT COUNT(*) FROM attribution WHERE tool_call_id IS NOT NULL"
        ) > 0
    );
}

#[test]
fn merging_a_store_again_adds_nothing_and_the_destination_cannot_be_a_source() {
    let work = tempfile::tempdir().unwrap();
    let a = work.path().join("a");
    let input = fixtures().join("cloudtrail/records.jsonl");
    let r = run(&[
        "ingest",
        input.to_str().unwrap(),
        "--store",
        a.to_str().unwrap(),
        "-q",
    ]);
    assert!(r.code <= 1, "{}", r.stderr);
    let dest = work.path().join("dest");
    merge(std::slice::from_ref(&a), &dest, &[]);
    let events = count(&dest, "SELECT COUNT(*) FROM events");
    assert!(events > 0);
    let again = merge(std::slice::from_ref(&a), &dest, &[]);
    assert_eq!(count(&dest, "SELECT COUNT(*) FROM events"), events);
    assert_eq!(again["sources"][0]["events_kept"], 0, "{again}");
    assert_eq!(again["sources"][0]["files_already_ingested"], 1, "{again}");

    let r = run(&[
        "store",
        "merge",
        dest.to_str().unwrap(),
        "--into",
        dest.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("is the destination of the merge"),
        "{}",
        r.stderr
    );
}

/// Parquet files directly in a folder, or one partition folder down.
fn parts_under(dir: &Path) -> Vec<PathBuf> {
    sorted_files(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "parquet"))
        .collect()
}

fn read_parquet(path: &Path) -> polars::prelude::DataFrame {
    use polars::prelude::*;
    ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap()
}

#[test]
fn every_table_has_a_typed_part_and_the_placeholder_goes_when_rows_arrive() {
    let work = tempfile::tempdir().unwrap();
    let store = work.path().join("tb");
    let notes = work.path().join("notes");
    std::fs::create_dir_all(&notes).unwrap();
    std::fs::write(notes.join("README.md"), "no logs here\n").unwrap();
    let r = run(&[
        "ingest",
        notes.to_str().unwrap(),
        "--store",
        store.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for table in [
        "events",
        "quarantine",
        "ingested_files",
        "agent_sessions",
        "tool_calls",
        "messages",
        "attribution",
        "findings",
        "store_state",
    ] {
        let parts = parts_under(&store.join(table));
        assert!(!parts.is_empty(), "{table} has no part");
        let df = read_parquet(&parts[0]);
        let declared = run(&["schema"]).stdout;
        for c in df.get_column_names() {
            assert!(declared.contains(&format!("| `{c}` |")), "{table}.{c}");
            assert!(
                !df.column(c).unwrap().dtype().is_unsigned_integer(),
                "{table}.{c} is unsigned"
            );
        }
    }
    let placeholder = store.join("events/event_date=1970-01-01");
    assert!(
        placeholder.is_dir(),
        "events placeholder under a DATE partition"
    );

    let logs = fixtures().join("cloudtrail/records.jsonl");
    run(&[
        "ingest",
        logs.to_str().unwrap(),
        "--store",
        store.to_str().unwrap(),
        "-q",
    ]);
    assert!(
        !placeholder.exists(),
        "the placeholder goes once events arrive"
    );
    assert!(
        manifest(&store).get("empty_parts").is_some(),
        "quarantine's stays listed"
    );
    for p in parts_under(&store.join("ingested_files")) {
        let df = read_parquet(&p);
        for c in ["size_bytes", "records_read", "kept", "ingest_run"] {
            assert_eq!(
                df.column(c).unwrap().dtype(),
                &polars::prelude::DataType::Int64,
                "{c} is signed"
            );
        }
    }
}

#[test]
fn store_state_says_when_the_attribution_is_stale_and_part_names_differ_per_writer() {
    let work = tempfile::tempdir().unwrap();
    let logs = fixtures().join("cloudtrail/records.jsonl");
    let state = |store: &Path| {
        let part = parts_under(&store.join("store_state"));
        assert_eq!(part.len(), 1, "one store_state part");
        let df = read_parquet(&part[0]);
        let current = df
            .column("attribution_current")
            .unwrap()
            .bool()
            .unwrap()
            .get(0);
        let last = df.column("last_run").unwrap().i64().unwrap().get(0);
        (current, last)
    };
    let a = work.path().join("a");
    run(&[
        "ingest",
        logs.to_str().unwrap(),
        "--store",
        a.to_str().unwrap(),
        "-q",
        "--no-attribution",
    ]);
    assert_eq!(state(&a), (Some(false), Some(1)));
    // Any trailblame read brings it up to date, and says so.
    query(&a, "SELECT COUNT(*) FROM events");
    assert_eq!(state(&a), (Some(true), Some(1)));

    let b = work.path().join("b");
    run(&[
        "ingest",
        logs.to_str().unwrap(),
        "--store",
        b.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(state(&b), (Some(true), Some(1)));
    let names = |s: &Path| -> Vec<String> {
        parts_under(&s.join("events"))
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect()
    };
    let (na, nb) = (names(&a), names(&b));
    assert!(na.iter().all(|n| !nb.contains(n)), "{na:?} {nb:?}");
}

#[test]
fn ddl_for_each_engine_names_every_table_at_the_location() {
    for engine in ["spark", "athena", "trino", "duckdb"] {
        let r = run(&["schema", "--ddl", engine, "--location", "s3://bucket/tb/"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        for table in ["events_raw", "attribution", "store_state", "quarantine"] {
            assert!(r.stdout.contains(table), "{engine}: {table}");
        }
        assert!(r.stdout.contains("s3://bucket/tb/events"), "{engine}");
    }
    let athena = run(&["schema", "--ddl", "athena", "--location", "s3://b/tb"]).stdout;
    assert!(athena.contains("'projection.enabled' = 'true'"), "{athena}");
}

#[test]
fn duckdb_reads_the_store_with_the_ddl_it_is_given() {
    let store = tempfile::tempdir().unwrap();
    let logs = fixtures().join("cloudtrail");
    let r = run(&[
        "ingest",
        logs.to_str().unwrap(),
        "--store",
        store.path().to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let ddl = run(&[
        "schema",
        "--ddl",
        "duckdb",
        "--location",
        store.path().to_str().unwrap(),
    ])
    .stdout;
    let script = format!(
        "import duckdb, sys\ncon = duckdb.connect()\ncon.execute({ddl:?})\n\
         print(con.execute('SELECT COUNT(*), COUNT(actor_kind) FROM events').fetchone()[0])\n\
         print(con.execute('SELECT COUNT(*) FROM quarantine').fetchone()[0])\n\
         print(con.execute('SELECT COUNT(*) FROM store_state WHERE attribution_current').fetchone()[0])\n"
    );
    let out = std::process::Command::new("python3")
        .args(["-c", &script])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Vec<u64> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    let events = count(store.path(), "SELECT COUNT(*) FROM events");
    let quarantined = count(store.path(), "SELECT COUNT(*) FROM quarantine");
    assert_eq!(got, vec![events, quarantined, 1]);
}
