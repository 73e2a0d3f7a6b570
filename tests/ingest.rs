//! Integration tests: the real binary on CloudTrail files in every input shape.

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// The fixture folder copied to a temp dir, with the 5 MB fixture generated.
fn fixture_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("cloudtrail"), dir.path());
    let status = std::process::Command::new("python3")
        .arg(dir.path().join("make_huge.py"))
        .arg(dir.path().join("bad/huge-field.json"))
        .status()
        .expect("python3 runs make_huge.py");
    assert!(status.success());
    dir
}

fn expected() -> Value {
    let text = std::fs::read_to_string(fixtures().join("cloudtrail/expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn every_fixture_is_accounted_for_file_by_file() {
    let src = fixture_copy();
    let store = tempfile::tempdir().unwrap();
    let store = store.path().join("store");
    let (r, report) = ingest_json(&[src.path()], &store, &[]);
    assert_eq!(
        r.code, 1,
        "quarantined records give exit status 1: {}",
        r.stderr
    );
    let acc = &report["accounting"];
    let exp = expected();
    let whole = &exp["totals"]["whole_folder"];
    for key in ["records_read", "kept", "duplicates", "quarantined"] {
        assert_eq!(acc[key], whole[key], "total {key}");
    }
    assert_eq!(
        acc["records_read"].as_u64().unwrap(),
        acc["kept"].as_u64().unwrap()
            + acc["duplicates"].as_u64().unwrap()
            + acc["quarantined"].as_u64().unwrap()
    );
    assert_eq!(acc["files_seen"], whole["files"]);
    assert_eq!(acc["files_by_kind"], whole["by_kind"]);
    for (key, want) in exp["totals"]["leniencies"].as_object().unwrap() {
        assert_eq!(&acc[key], want, "leniency {key}");
    }

    // Per file, from the ingested_files table.
    let rows = query(
        &store,
        "SELECT path, kind, records_read, kept, duplicates, quarantined FROM ingested_files",
    );
    let by_path: BTreeMap<String, &Value> = rows
        .iter()
        .map(|r| {
            let p = r["path"].as_str().unwrap();
            let rel = Path::new(p)
                .strip_prefix(src.path())
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, r)
        })
        .collect();
    let mut checked = 0;
    for section in ["files", "support_files"] {
        for (name, want) in exp[section].as_object().unwrap() {
            let got = by_path
                .get(name)
                .unwrap_or_else(|| panic!("{name} not in ingested_files"));
            assert_eq!(got["kind"], want["kind"], "{name} kind");
            for key in ["records_read", "kept", "duplicates", "quarantined"] {
                assert_eq!(got[key], want[key], "{name} {key}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, by_path.len(), "every file met is in expected.json");

    // Quarantine positions name the line or record.
    let q = query(
        &store,
        "SELECT source_file, position, reason, raw FROM quarantine",
    );
    for (name, want) in exp["files"].as_object().unwrap() {
        let positions: Vec<String> = q
            .iter()
            .filter(|r| r["source_file"].as_str().unwrap().ends_with(name.as_str()))
            .map(|r| r["position"].as_str().unwrap().to_string())
            .collect();
        let wanted: Vec<&str> = want["quarantine_positions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(positions.len(), wanted.len(), "{name}: {positions:?}");
        for (got, w) in positions.iter().zip(&wanted) {
            assert!(
                got == w || got.starts_with(&format!("{w} ")),
                "{name}: {got} vs {w}"
            );
        }
    }
    assert!(q.iter().all(|r| !r["reason"].as_str().unwrap().is_empty()));
    // The messages name file and position.
    let messages = report["messages"].to_string();
    assert!(
        messages.contains("invalid-middle.jsonl: line 3: invalid JSON"),
        "{messages}"
    );
    // The text report says the same on stderr.
    let again = tempfile::tempdir().unwrap();
    let t = run(&[
        "ingest",
        src.path().to_str().unwrap(),
        "--store",
        again.path().to_str().unwrap(),
    ]);
    assert!(
        t.stderr
            .contains("records: 85 read = 72 kept + 1 duplicates + 12 quarantined"),
        "{}",
        t.stderr
    );
    assert!(
        t.stderr
            .contains("bad/non-utf8.jsonl: line 2: not valid UTF-8"),
        "{}",
        t.stderr
    );
}

#[test]
fn identity_types_and_user_agent_columns_are_filled() {
    let src = fixture_copy();
    let store = tempfile::tempdir().unwrap();
    // Limits raised so the 5 MiB field is kept (the defaults quarantine it).
    let (r, _) = ingest_json(
        &[src.path()],
        store.path(),
        &[
            "--quiet",
            "--max-record-bytes",
            "16777216",
            "--max-field-bytes",
            "16777216",
        ],
    );
    assert_eq!(r.code, 1);
    let types: Vec<String> = query(
        store.path(),
        "SELECT DISTINCT COALESCE(identity_type, '(none)') AS t FROM events ORDER BY t",
    )
    .iter()
    .map(|r| r["t"].as_str().unwrap().to_string())
    .collect();
    for t in [
        "(none)",
        "AWSAccount",
        "AWSService",
        "AssumedRole",
        "FederatedUser",
        "IAMUser",
        "IdentityCenterUser",
        "Root",
        "SAMLUser",
        "Unknown",
        "WebIdentityUser",
    ] {
        assert!(types.iter().any(|x| x == t), "{t} missing from {types:?}");
    }
    let n = count(
        store.path(),
        "SELECT COUNT(*) AS n FROM events WHERE cli_command IS NOT NULL AND client = 'aws-cli'",
    );
    assert!(n >= 2, "{n}");
    let an = query(
        store.path(),
        "SELECT event_id, feature_ids, cli_session FROM events WHERE user_agent LIKE '%m/b,AN%'",
    );
    assert!(!an.is_empty());
    assert!(
        an[0]["feature_ids"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v == "AN")
    );
    let sso = count(
        store.path(),
        "SELECT COUNT(*) AS n FROM events WHERE role_name LIKE 'AWSReservedSSO_%' AND session_name LIKE '%@%'",
    );
    assert!(sso >= 1);
    let huge = count(
        store.path(),
        "SELECT MAX(LENGTH(request_parameters)) AS n FROM events",
    );
    assert!(huge > 5_000_000, "the huge field is kept whole: {huge}");
    // With the default limits it is quarantined, naming the limit.
    let store = tempfile::tempdir().unwrap();
    ingest_json(&[src.path()], store.path(), &["--quiet"]);
    let why = query(
        store.path(),
        "SELECT reason FROM quarantine WHERE source_file LIKE '%huge-field.json'",
    );
    assert!(
        why[0]["reason"]
            .as_str()
            .unwrap()
            .contains("over the 1 MiB limit (ingest.max_record_bytes)"),
        "{why:?}"
    );
}

#[test]
fn reingest_is_a_noop_and_duplicates_are_dropped() {
    let src = fixture_copy();
    let store = tempfile::tempdir().unwrap();
    let (_, first) = ingest_json(&[src.path()], store.path(), &[]);
    let kept = first["accounting"]["kept"].as_u64().unwrap();
    let (r, second) = ingest_json(&[src.path()], store.path(), &[]);
    assert_eq!(r.code, 0, "nothing new was skipped: {}", r.stderr);
    let acc = &second["accounting"];
    assert_eq!(acc["kept"], 0);
    assert_eq!(acc["records_read"], 0);
    assert_eq!(
        acc["files_already_ingested"],
        first["accounting"]["files_seen"]
    );
    assert_eq!(
        count(store.path(), "SELECT COUNT(*) AS n FROM events"),
        kept
    );
    assert_eq!(
        count(
            store.path(),
            "SELECT COUNT(*) - COUNT(DISTINCT event_id) AS n FROM events"
        ),
        0
    );
    // The same events in a new file (as EventBridge would deliver them) are duplicates.
    let again = tempfile::tempdir().unwrap();
    let records: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("cloudtrail/bare-array.json")).unwrap(),
    )
    .unwrap();
    let lines: Vec<String> = records
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            serde_json::json!({"version":"0","detail-type":"AWS API Call via CloudTrail","account":"111122223333","detail": r})
                .to_string()
        })
        .collect();
    std::fs::write(again.path().join("eb.jsonl"), lines.join("\n")).unwrap();
    let (_, third) = ingest_json(&[again.path()], store.path(), &[]);
    assert_eq!(third["accounting"]["duplicates"], 3);
    assert_eq!(third["accounting"]["kept"], 0);
}

#[test]
fn second_concurrent_writer_is_refused() {
    let src = fixtures().join("cloudtrail/bare-array.json");
    let store = tempfile::tempdir().unwrap();
    let (r, _) = ingest_json(&[&src], store.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lock = std::fs::File::options()
        .write(true)
        .open(store.path().join(".lock"))
        .unwrap();
    lock.lock().unwrap();
    let (r, _) = ingest_json(
        &[&fixtures().join("cloudtrail/records.jsonl")],
        store.path(),
        &[],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("another trailblame ingest is writing"),
        "{}",
        r.stderr
    );
    drop(lock);
    let (r, _) = ingest_json(
        &[&fixtures().join("cloudtrail/records.jsonl")],
        store.path(),
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn crash_leftovers_are_invisible_and_cleaned() {
    let store = tempfile::tempdir().unwrap();
    let (r, _) = ingest_json(
        &[&fixtures().join("cloudtrail/bare-array.json")],
        store.path(),
        &[],
    );
    assert_eq!(r.code, 0);
    let before = count(store.path(), "SELECT COUNT(*) AS n FROM events");
    // What a crash between moving parts and saving the manifest leaves.
    let parts: Vec<_> = walkdir::WalkDir::new(store.path().join("events"))
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "parquet"))
        .collect();
    let orphan = parts[0].path().with_file_name("part-999999-00000.parquet");
    std::fs::copy(parts[0].path(), &orphan).unwrap();
    std::fs::create_dir_all(store.path().join("_staging/run-000009/events")).unwrap();
    assert_eq!(
        count(store.path(), "SELECT COUNT(*) AS n FROM events"),
        before
    );
    let (r, _) = ingest_json(
        &[&fixtures().join("cloudtrail/records.jsonl")],
        store.path(),
        &[],
    );
    assert_eq!(r.code, 0);
    assert!(
        !orphan.exists(),
        "the orphaned part is removed by the next writer"
    );
    assert!(!store.path().join("_staging").exists());
}

#[test]
fn strict_stops_at_the_first_bad_record_and_writes_nothing() {
    let store = tempfile::tempdir().unwrap();
    let store = store.path().join("s");
    let bad = fixtures().join("cloudtrail/bad/invalid-middle.jsonl");
    let good = fixtures().join("cloudtrail/bare-array.json");
    let r = run(&[
        "ingest",
        good.to_str().unwrap(),
        bad.to_str().unwrap(),
        "--store",
        store.to_str().unwrap(),
        "--strict",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("invalid-middle.jsonl: line 3"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--strict"));
    let r = run(&[
        "query",
        "SELECT COUNT(*) AS n FROM events",
        "--store",
        store.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "no run was committed: {}", r.stderr);
}

#[test]
fn reads_raw_paths_without_a_store() {
    let path = fixtures().join("cloudtrail/s3");
    let r = run(&[
        "summary",
        path.to_str().unwrap(),
        "--format",
        "json",
        "--quiet",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["overview"][0]["events"], 10);
    assert_eq!(v["ingest"]["duplicates"], 0);
    let r = run(&[
        "query",
        "SELECT COUNT(*) AS n FROM events",
        path.to_str().unwrap(),
        "--format",
        "csv",
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "n\n10");
}

#[test]
fn summary_sections_and_time_window() {
    let src = fixtures().join("cloudtrail");
    let store = tempfile::tempdir().unwrap();
    let (r, _) = ingest_json(&[&src], store.path(), &[]);
    assert_eq!(r.code, 1);
    let s = store.path().to_str().unwrap();
    let r = run(&["summary", "--store", s]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for title in [
        "## Overview",
        "## Events by day",
        "## By account",
        "## By region",
        "## By identity type",
        "## Top principals",
        "## Top event names",
        "## Error codes",
        "## Read vs write",
    ] {
        assert!(r.stdout.contains(title), "{title} missing:\n{}", r.stdout);
    }
    let all = run(&["summary", "--store", s, "--format", "json"]);
    let all: Value = serde_json::from_str(&all.stdout).unwrap();
    let total = all["overview"][0]["events"].as_u64().unwrap();
    let by_day: u64 = all["by_day"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["events"].as_u64().unwrap())
        .sum();
    assert_eq!(total, by_day);
    let rw: u64 = all["read_write"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["events"].as_u64().unwrap())
        .sum();
    assert_eq!(total, rw);
    let day = all["by_day"][0]["event_date"].as_str().unwrap().to_string();
    let one = run(&[
        "summary",
        "--store",
        s,
        "--format",
        "json",
        "--since",
        &day,
        "--until",
        &format!("{day}T23:59:59Z"),
    ]);
    let one: Value = serde_json::from_str(&one.stdout).unwrap();
    assert_eq!(one["overview"][0]["events"], all["by_day"][0]["events"]);
    let bad = run(&["summary", "--store", s, "--since", "yesterday"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("cannot read time"), "{}", bad.stderr);
}

#[test]
fn query_output_formats_and_csv_safety() {
    let dir = tempfile::tempdir().unwrap();
    let rec = serde_json::json!({"Records":[{"eventVersion":"1.09","eventID":"f1","eventTime":"2025-12-08T10:00:00Z",
        "eventSource":"s3.amazonaws.com","eventName":"ListBuckets","userAgent":"=HYPERLINK(\"http://x\")",
        "sourceIPAddress":"\u{1b}[31m10.0.0.1","readOnly":true}]});
    std::fs::write(dir.path().join("f.json"), rec.to_string()).unwrap();
    let store = dir.path().join("store");
    let (r, _) = ingest_json(&[&dir.path().join("f.json")], &store, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s = store.to_str().unwrap();
    let sql = "SELECT event_id, user_agent, source_ip, event_time FROM events";
    let csv = run(&["query", sql, "--store", s, "--format", "csv"]);
    assert!(csv.stdout.contains("'=HYPERLINK"), "{}", csv.stdout);
    assert!(csv.stdout.contains("2025-12-08T10:00:00Z"));
    let table = run(&["query", sql, "--store", s]);
    assert!(
        !table.stdout.contains('\u{1b}'),
        "terminal escapes are shown as text"
    );
    let nd = run(&["query", sql, "--store", s, "--format", "ndjson"]);
    let line: Value = serde_json::from_str(nd.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(line["event_id"], "f1");
    let out = dir.path().join("out.parquet");
    let pq = run(&[
        "query",
        sql,
        "--store",
        s,
        "--format",
        "parquet",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(pq.code, 0, "{}", pq.stderr);
    assert!(std::fs::read(&out).unwrap().starts_with(b"PAR1"));
    let no_out = run(&["query", sql, "--store", s, "--format", "parquet"]);
    assert_eq!(no_out.code, 2);
    let bad_sql = run(&["query", "SELECT nope FROM events", "--store", s]);
    assert_eq!(bad_sql.code, 2);
    assert!(bad_sql.stderr.contains("SELECT nope"), "{}", bad_sql.stderr);
}

#[test]
fn clear_errors_for_missing_store_and_inputs() {
    let r = run(&["summary", "--store", "/no/such/store"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no store at /no/such/store"),
        "{}",
        r.stderr
    );
    let r = run(&["summary"]);
    assert_eq!(r.code, 2);
    let r = run(&["ingest", "/no/such/input", "--store", "/tmp/x-never"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("/no/such/input"));
}

#[test]
fn store_is_the_same_whatever_the_thread_count() {
    let src = fixture_copy();
    let mut outs = Vec::new();
    for threads in [1, 2] {
        let store = tempfile::tempdir().unwrap();
        let r = common::ingest_with_threads(threads, src.path(), store.path(), &["-q"]);
        assert_eq!(r.code, 1);
        let mut out = String::new();
        // The events, and the attribution the same run made of them.
        for sql in [
            "SELECT event_id, source_index FROM events",
            "SELECT * FROM attribution",
        ] {
            out.push_str(&query_ndjson(store.path(), sql));
        }
        outs.push(out);
    }
    assert!(outs[0].contains("\"actor_kind\""), "{}", outs[0]);
    assert_eq!(outs[0], outs[1]);
}

/// Issue 24: each variant other pipelines export, ingested on its own:
/// counted, reconciled, said once per file, and warned about by record.
#[test]
fn issue_24_each_lenient_variant_is_counted_and_reconciles() {
    let dir = fixtures().join("cloudtrail/lenient");
    let exp = expected();
    // (file, counter that must be set, its value, text expected in the note)
    let cases = [
        (
            "space-times.jsonl",
            "times_without_zone",
            3,
            "3 times without a zone read as UTC",
        ),
        (
            "missing-eventid-v108.json",
            "synthetic_ids",
            2,
            "2 records without eventID given a synthetic id",
        ),
        (
            "bad-creation-date.json",
            "fields_nulled",
            2,
            "2 malformed optional fields set to null",
        ),
        ("cloudwatch-filter-log-events.json", "kept", 3, ""),
    ];
    for (name, counter, value, note) in cases {
        let store = tempfile::tempdir().unwrap();
        let (r, v) = ingest_json(&[&dir.join(name)], store.path(), &[]);
        let want = &exp["files"][format!("lenient/{name}")];
        let acc = &v["accounting"];
        let n = |k: &str| acc[k].as_u64().unwrap();
        for key in ["records_read", "kept", "duplicates", "quarantined"] {
            assert_eq!(acc[key], want[key], "{name} {key}");
        }
        assert_eq!(
            n("records_read"),
            n("kept") + n("duplicates") + n("quarantined"),
            "{name}"
        );
        assert_eq!(n(counter), value, "{name} {counter}");
        assert_eq!(
            acc["files_by_kind"][want["kind"].as_str().unwrap()],
            1,
            "{name}"
        );
        assert_eq!(
            r.code,
            i32::from(n("quarantined") > 0),
            "{name}: {}",
            r.stderr
        );
        let rows = query(store.path(), "SELECT kind, note FROM ingested_files");
        let file_note = rows[0]["note"].as_str().unwrap_or("");
        assert!(file_note.contains(note), "{name}: {file_note}");
        let messages = v["messages"].to_string();
        assert!(messages.contains(note), "{name}: {messages}");
        // The text accounting says it too.
        let again = tempfile::tempdir().unwrap();
        let t = run(&[
            "ingest",
            dir.join(name).to_str().unwrap(),
            "--store",
            again.path().to_str().unwrap(),
        ]);
        if counter != "kept" {
            assert!(
                t.stderr.contains(&format!("accepted: {value} ")),
                "{name}: {}",
                t.stderr
            );
        } else {
            assert!(!t.stderr.contains("accepted:"), "{name}: {}", t.stderr);
        }
    }

    // Nulled fields are warnings that name the file, the record and the field.
    let store = tempfile::tempdir().unwrap();
    let (_, v) = ingest_json(&[&dir.join("bad-creation-date.json")], store.path(), &[]);
    let messages = v["messages"].to_string();
    assert!(
        messages.contains("bad-creation-date.json: record 0 (line 1): userIdentity.sessionContext.attributes.creationDate \\\"20131102T010628Z\\\" is not a time; set to null, record kept"),
        "{messages}"
    );
    assert!(
        messages.contains("bad-creation-date.json: record 1 (line 1): resources[1]"),
        "{messages}"
    );
    let rows = query(
        store.path(),
        "SELECT event_id, session_created_at, resources FROM events ORDER BY event_time",
    );
    assert_eq!(rows.len(), 3);
    assert!(rows[0]["session_created_at"].is_null());
    assert_eq!(
        rows[1]["resources"].as_array().map(Vec::len),
        Some(2),
        "{:?}",
        rows[1]
    );

    // Zone-less times are UTC; ids made up for records without one are stable.
    let store = tempfile::tempdir().unwrap();
    ingest_json(
        &[
            &dir.join("space-times.jsonl"),
            &dir.join("missing-eventid-v108.json"),
        ],
        store.path(),
        &[],
    );
    let rows = query(
        store.path(),
        "SELECT event_id, CAST(event_time AS VARCHAR) AS t FROM events ORDER BY event_time",
    );
    let times: Vec<&str> = rows.iter().map(|r| r["t"].as_str().unwrap()).collect();
    assert!(times[0].starts_with("2025-01-21 17:49:47"), "{times:?}");
    let ids: Vec<&str> = rows
        .iter()
        .map(|r| r["event_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids.iter().filter(|i| i.starts_with("synthetic-")).count(),
        2,
        "{ids:?}"
    );
    // The hook payloads are not quarantined as broken CloudTrail: they are
    // read as a Claude Code hook log (issue 19), the old form without
    // `tool_use_id` included (one call, opened and closed).
    let store = tempfile::tempdir().unwrap();
    ingest_json(&[&dir.join("claude-hooks.json")], store.path(), &[]);
    assert_eq!(
        count(store.path(), "SELECT count(*) AS n FROM quarantine"),
        0
    );
    let calls = query(
        store.path(),
        "SELECT command, outcome, approval FROM tool_calls",
    );
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0]["command"], "aws s3 ls");
    assert_eq!(calls[0]["outcome"], "ok");
    assert_eq!(calls[0]["approval"], "explicit");
}

#[test]
fn shared_samples_are_all_kept() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/samples/cloudtrail");
    if !samples.exists() {
        eprintln!("skipping: {} not present", samples.display());
        return;
    }
    let store = tempfile::tempdir().unwrap();
    let (r, v) = ingest_json(&[&samples], store.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let acc = &v["accounting"];
    assert_eq!(acc["quarantined"], 0);
    assert!(acc["kept"].as_u64().unwrap() > 100);
    assert_eq!(acc["records_read"], acc["kept"]);
}

#[test]
fn timings_name_each_stage_with_its_memory_when_asked() {
    let ingest = |timings: bool| {
        let store = tempfile::tempdir().unwrap();
        let mut c = bin();
        if timings {
            c.env("TRAILBLAME_TIMINGS", "1");
        }
        let input = fixtures().join("cloudtrail").join("bare-array.json");
        c.arg("ingest")
            .arg(input)
            .arg("--store")
            .arg(store.path())
            .arg("-q");
        let r = run_cmd(&mut c);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stderr
    };
    let stderr = ingest(true);
    for stage in [
        "ingest: read, merge and write events: ",
        // A store's first attribution takes the events as they are written.
        "  attribution: events tapped: ",
        "  attribution: day links: ",
        "  attribution: table written: ",
        "ingest: commit: ",
    ] {
        assert!(stderr.contains(stage), "{stage}\n{stderr}");
    }
    assert!(stderr.contains(" MiB resident)"), "{stderr}");
    assert!(stderr.contains(" cores, "), "{stderr}");
    // Without the variable: nothing.
    assert_eq!(ingest(false), "");
}

/// Issue 23 (nothing lost without a word): one CloudTrail record with id `id`.
fn issue23_record(id: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"2026-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","eventID":"{id}","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/a"}}}}"#
    )
}

fn issue23_doc(ids: &[&str]) -> String {
    let recs: Vec<String> = ids.iter().map(|i| issue23_record(i)).collect();
    format!(r#"{{"Records":[{}]}}"#, recs.join(","))
}

/// Ingests `dir`; checks read = kept + duplicates + quarantined.
fn issue23_ingest(dir: &Path) -> (Run, Value) {
    let store = dir.parent().unwrap().join("store");
    let (r, v) = ingest_json(&[dir], &store, &[]);
    let acc = &v["accounting"];
    assert!(acc.is_object(), "no JSON report: {}", r.stderr);
    assert_eq!(
        acc["records_read"].as_u64().unwrap(),
        acc["kept"].as_u64().unwrap()
            + acc["duplicates"].as_u64().unwrap()
            + acc["quarantined"].as_u64().unwrap(),
        "accounting reconciles"
    );
    (r, v)
}

fn issue23_messages(v: &Value) -> String {
    v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn issue23_every_gzip_member_is_read() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    let mut joined = Vec::new();
    for ids in [&["a", "b", "c"][..], &["d", "e", "f"], &["g", "h", "i"]] {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(issue23_doc(ids).as_bytes()).unwrap();
        joined.extend(e.finish().unwrap());
    }
    std::fs::write(dir.join("joined.json.gz"), joined).unwrap();
    let (r, v) = issue23_ingest(&dir);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(v["accounting"]["kept"], 9, "all three members' records");
    assert_eq!(v["accounting"]["documents_concatenated"], 2);
    assert!(issue23_messages(&v).contains("joined.json.gz"));
}

#[test]
fn issue23_a_repeated_records_key_is_read_and_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    let doc = format!(
        r#"{{"Records":[{}],"Records":[{}]}}"#,
        issue23_record("a"),
        issue23_record("b")
    );
    std::fs::write(dir.join("twice.json"), doc).unwrap();
    let (_, v) = issue23_ingest(&dir);
    assert_eq!(v["accounting"]["kept"], 2, "the records under both keys");
    assert_eq!(v["accounting"]["containers_repeated"], 1);
    assert!(issue23_messages(&v).contains("twice.json"));
}

#[test]
fn issue23_bytes_after_the_document_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    let mut bytes = issue23_doc(&["a", "b"]).into_bytes();
    bytes.extend(std::iter::repeat_n(0u8, 1 << 20));
    std::fs::write(dir.join("nul.json"), bytes).unwrap();
    let (r, v) = issue23_ingest(&dir);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(v["accounting"]["kept"], 2, "the records before the NULs");
    assert_eq!(v["accounting"]["quarantined"], 1);
    let m = issue23_messages(&v);
    assert!(m.contains("nul.json") && m.contains("not JSON"), "{m}");
}

#[cfg(unix)]
#[test]
fn issue23_symlinks_and_fifos_are_counted_by_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("real.json"), issue23_doc(&["a"])).unwrap();
    std::os::unix::fs::symlink(dir.join("real.json"), dir.join("link.json")).unwrap();
    let fifo = std::ffi::CString::new(dir.join("pipe.json").to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    let (r, v) = issue23_ingest(&dir);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(v["accounting"]["kept"], 1);
    assert_eq!(v["accounting"]["paths_not_read"]["symlink"], 1);
    assert_eq!(v["accounting"]["paths_not_read"]["fifo"], 1);
    let m = issue23_messages(&v);
    assert!(m.contains("link.json") && m.contains("pipe.json"), "{m}");
}

/// An unreadable folder is reported and skipped; the run completes. As
/// root `chmod 000` stops nothing, so there the folder is one whose path is
/// too long to open (ENAMETOOLONG), which stops root too.
#[cfg(unix)]
#[test]
fn issue23_an_unreadable_folder_does_not_abort_the_run() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("real.json"), issue23_doc(&["a"])).unwrap();
    let root = unsafe { libc::geteuid() } == 0;
    let locked = dir.join("locked");
    if root {
        // Folder by folder, relative to the last one opened.
        let script = [
            "import os, sys",
            "fd = os.open(sys.argv[1], os.O_RDONLY)",
            "for _ in range(20):",
            "    os.mkdir('d' * 250, dir_fd=fd)",
            "    fd = os.open('d' * 250, os.O_RDONLY, dir_fd=fd)",
        ]
        .join("\n");
        let made = std::process::Command::new("python3")
            .args(["-c", &script])
            .arg(&dir)
            .status()
            .expect("python3 runs");
        assert!(made.success());
    } else {
        std::fs::create_dir(&locked).unwrap();
        std::fs::write(locked.join("x.json"), issue23_doc(&["b"])).unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    let (r, v) = issue23_ingest(&dir);
    if !root {
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(v["accounting"]["kept"], 1, "the readable file is read");
    let not_read = v["accounting"]["paths_not_read"].as_object().unwrap();
    let key = if root { "other" } else { "permission" };
    assert_eq!(
        not_read.get(key).and_then(Value::as_u64),
        Some(1),
        "{not_read:?}"
    );
    assert!(issue23_messages(&v).contains("not read"));
}

fn manifest_json(store: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(store.join("_trailblame.json")).unwrap()).unwrap()
}

fn list_names(m: &Value) -> Vec<String> {
    m["file_lists"]
        .as_array()
        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// Two one-record CloudTrail files in a folder of their own.
fn two_small_files(ids: [&str; 2]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for id in ids {
        std::fs::write(dir.path().join(format!("{id}.json")), issue23_doc(&[id])).unwrap();
    }
    dir
}

#[test]
fn issue_24_each_run_adds_a_file_list_and_rewrites_none() {
    let store = tempfile::tempdir().unwrap();
    let a = two_small_files(["a1", "a2"]);
    ingest_json(&[a.path()], store.path(), &[]);
    let m = manifest_json(store.path());
    assert_eq!(m["format"], 5);
    assert!(
        m.get("files").is_none(),
        "no per-file records in the manifest: {m}"
    );
    let first = list_names(&m);
    assert_eq!(first.len(), 1, "{m}");
    let first_text = std::fs::read_to_string(store.path().join(&first[0])).unwrap();
    assert_eq!(first_text.lines().count(), 2, "{first_text}");

    let b = two_small_files(["b1", "b2"]);
    let (_, second) = ingest_json(&[a.path(), b.path()], store.path(), &[]);
    assert_eq!(second["accounting"]["files_already_ingested"], 2);
    assert_eq!(second["accounting"]["kept"], 2);
    let lists = list_names(&manifest_json(store.path()));
    assert_eq!(lists.len(), 2);
    assert_eq!(lists[0], first[0]);
    assert_eq!(
        std::fs::read_to_string(store.path().join(&lists[0])).unwrap(),
        first_text,
        "the first run's list is left as it was"
    );
    let b_list = std::fs::read_to_string(store.path().join(&lists[1])).unwrap();
    assert_eq!(b_list.lines().count(), 2, "only the new files: {b_list}");
    assert!(b_list.contains("b1.json") && !b_list.contains("a1.json"));

    // A run that reads nothing new adds no list.
    let (_, third) = ingest_json(&[a.path(), b.path()], store.path(), &[]);
    assert_eq!(third["accounting"]["files_already_ingested"], 4);
    assert_eq!(list_names(&manifest_json(store.path())), lists);
}

#[test]
fn issue_24_a_format_4_store_is_read_and_upgraded_by_its_next_run() {
    let store = tempfile::tempdir().unwrap();
    let a = two_small_files(["a1", "a2"]);
    ingest_json(&[a.path()], store.path(), &[]);
    // Rewrite the store as format 4 wrote it: the records in `files`.
    let mut m = manifest_json(store.path());
    let list = &list_names(&m)[0];
    let mut files = serde_json::Map::new();
    for line in std::fs::read_to_string(store.path().join(list))
        .unwrap()
        .lines()
    {
        let mut rec: serde_json::Map<String, Value> = serde_json::from_str(line).unwrap();
        let hash = rec.remove("hash").unwrap();
        files.insert(hash.as_str().unwrap().to_string(), Value::Object(rec));
    }
    std::fs::remove_dir_all(store.path().join("_files")).unwrap();
    m["format"] = 4.into();
    m["files"] = Value::Object(files);
    m.as_object_mut().unwrap().remove("file_lists");
    std::fs::write(store.path().join("_trailblame.json"), m.to_string()).unwrap();
    assert_eq!(
        count(store.path(), "SELECT COUNT(*) AS n FROM events"),
        2,
        "a format-4 store reads as it is"
    );

    let b = two_small_files(["b1", "b2"]);
    let (r, v) = ingest_json(&[a.path(), b.path()], store.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        v["accounting"]["files_already_ingested"], 2,
        "known from `files`"
    );
    let m = manifest_json(store.path());
    assert_eq!(m["format"], 5);
    assert!(m.get("files").is_none(), "{m}");
    let lists = list_names(&m);
    assert_eq!(lists.len(), 2, "the old records, then the run's: {m}");
    let all: String = lists
        .iter()
        .map(|l| std::fs::read_to_string(store.path().join(l)).unwrap())
        .collect();
    for name in ["a1.json", "a2.json", "b1.json", "b2.json"] {
        assert!(all.contains(name), "{name} recorded: {all}");
    }
    let (_, again) = ingest_json(&[a.path(), b.path()], store.path(), &[]);
    assert_eq!(again["accounting"]["files_already_ingested"], 4);
}

/// `ingest --config-from-inputs --no-attribution`: the first command that
/// reads the store attributes with the settings file the ingest was given,
/// as the ingest would have (`sample-data/trailblame.toml` marks the
/// production accounts that make some deletions critical); a reader given
/// another file makes that the store's, and a later run that attributes
/// with no file puts the built-in settings back.
#[test]
fn deferred_attribution_uses_the_settings_file_the_ingest_was_given() {
    let prod = |store: &Path| {
        count(
            store,
            "SELECT COUNT(*) FROM attribution WHERE catalog_rule LIKE '%prod_account%'",
        )
    };
    let ingest = |input: &Path, store: &Path, extra: &[&str]| {
        let r = run_cmd(
            bin()
                .arg("ingest")
                .arg(input)
                .arg("--store")
                .arg(store)
                .arg("-q")
                .args(extra),
        );
        assert!(r.code < 2, "{}", r.stderr);
    };
    let now = tempfile::tempdir().unwrap();
    ingest(&sample(), now.path(), &["--config-from-inputs"]);
    let want = prod(now.path());
    assert!(want > 0, "the sample's settings mark production accounts");
    let later = tempfile::tempdir().unwrap();
    ingest(
        &sample(),
        later.path(),
        &["--config-from-inputs", "--no-attribution"],
    );
    let r = run(&[
        "attribute",
        "--store",
        later.path().to_str().unwrap(),
        "--kind",
        "ai",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("trailblame.toml"), "{}", r.stderr);
    assert_eq!(prod(later.path()), want);
    // A reader given another file attributes with it, and from then on
    // that file is the store's (the ingest's is forgotten).
    let plain = tempfile::tempdir().unwrap();
    let plain_toml = plain.path().join("trailblame.toml");
    std::fs::write(&plain_toml, "").unwrap();
    let r = run_cmd(
        bin()
            .args(["attribute", "--kind", "ai", "--store"])
            .arg(later.path())
            .arg("--config")
            .arg(&plain_toml),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(prod(later.path()), 0);
    // Given no file, an attributing run is back to the built-in settings.
    let other = tempfile::tempdir().unwrap();
    copy_dir(later.path(), other.path());
    let extra = fixtures().join("cloudtrail").join("bare-array.json");
    ingest(&extra, other.path(), &[]);
    assert_eq!(prod(other.path()), 0);
}
