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
    for threads in [1, 2] {
        let store = tempfile::tempdir().unwrap();
        let r = common::ingest_with_threads(
            threads,
            src.path(),
            store.path(),
            &["--format", "json", "--no-attribution"],
        );
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
        outs.push(query_ndjson(
            store.path(),
            "SELECT event_id, source_file, source_index FROM events ORDER BY event_time, event_id",
        ));
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

const RECORD: &str = r#"{"eventVersion":"1.08","eventID":"@ID@","eventTime":"2025-12-08T09:01:02Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"us-east-1","userAgent":"@UA@","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/bob"}}"#;

fn record(id: &str, user_agent: &str) -> String {
    RECORD.replace("@ID@", id).replace("@UA@", user_agent)
}

/// The quarantine table's reasons.
fn reasons(store: &Path) -> Vec<String> {
    query(store, "SELECT reason FROM quarantine ORDER BY record_index")
        .iter()
        .map(|r| r["reason"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Issue 23: a gzip file that inflates past `ingest.max_file_bytes` is read
/// up to the limit, the rest reported with the limit named and counted; the
/// run goes on to the next file.
#[test]
fn issue_23_gzip_bomb_is_read_to_the_limit_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    // Five records, then 48 MiB of spaces inside the array: 50 KB of gzip.
    let mut doc = String::from("{\"Records\":[");
    for i in 0..5 {
        doc.push_str(&record(&format!("r{i}"), "aws-cli/2.0"));
        doc.push(',');
    }
    let mut gz = std::process::Command::new("gzip")
        .arg("-c")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = gz.stdin.take().unwrap();
        stdin.write_all(doc.as_bytes()).unwrap();
        let spaces = vec![b' '; 1 << 20];
        for _ in 0..48 {
            stdin.write_all(&spaces).unwrap();
        }
        stdin
            .write_all(format!("{}]}}", record("last", "x")).as_bytes())
            .unwrap();
    }
    let out = gz.wait_with_output().unwrap();
    std::fs::write(dir.path().join("bomb.json.gz"), &out.stdout).unwrap();
    assert!(out.stdout.len() < 1 << 20, "{} bytes", out.stdout.len());
    std::fs::write(dir.path().join("ok.json"), record("fine", "aws-cli/2.0")).unwrap();
    let store = tempfile::tempdir().unwrap();
    let (r, v) = ingest_json(
        &[dir.path()],
        store.path(),
        &["--max-file-bytes", "8388608", "--no-attribution"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let acc = &v["accounting"];
    assert_eq!(acc["files_over_limit"], 1, "{acc}");
    assert_eq!(acc["kept"], 6, "{acc}");
    assert_eq!(acc["quarantined"], 1, "{acc}");
    let why = reasons(store.path());
    assert!(
        why[0].contains("8 MiB limit (ingest.max_file_bytes)"),
        "{why:?}"
    );
    let messages = v["messages"].to_string();
    assert!(messages.contains("bomb.json.gz"), "{messages}");
}

/// Issue 23: a record with a field over `ingest.max_field_bytes`, and one
/// over `ingest.max_record_bytes`, are quarantined naming the limit, the
/// file and the record; their neighbours are kept.
#[test]
fn issue_23_huge_field_and_record_are_quarantined_naming_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let big_field = "a".repeat(300 << 10);
    let big_record = record("big-record", "aws-cli/2.0").replace(
        "\"awsRegion\"",
        &format!(
            "\"requestParameters\":{{\"p\":\"{}\"}},\"awsRegion\"",
            "b".repeat(1 << 20)
        ),
    );
    let doc = format!(
        "{{\"Records\":[{},{},{},{}]}}",
        record("a", "aws-cli/2.0"),
        record("big-field", &big_field),
        big_record,
        record("b", "aws-cli/2.0"),
    );
    let file = dir.path().join("huge-field.json");
    std::fs::write(&file, doc).unwrap();
    let store = tempfile::tempdir().unwrap();
    let (r, v) = ingest_json(&[&file], store.path(), &["--no-attribution"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let acc = &v["accounting"];
    assert_eq!(
        (acc["kept"].as_u64(), acc["quarantined"].as_u64()),
        (Some(2), Some(2)),
        "{acc}"
    );
    let why = reasons(store.path());
    assert_eq!(
        why[0],
        format!(
            "field user_agent is {} bytes, over the 256 KiB limit (ingest.max_field_bytes)",
            300 << 10
        )
    );
    assert!(
        why[1].contains("over the 1 MiB limit (ingest.max_record_bytes)"),
        "{why:?}"
    );
    let messages = v["messages"].to_string();
    assert!(
        messages.contains("huge-field.json: record 1 (line 1): field user_agent"),
        "{messages}"
    );
    // The quarantined text is clipped, not the whole field.
    let raw = count(store.path(), "SELECT MAX(LENGTH(raw)) FROM quarantine");
    assert!(raw <= 64 << 10, "{raw}");
}

/// Issue 23: a plain (not gzip) file far past the limit, sparse so it costs
/// no disk: the records before the limit are kept, the file is hashed to
/// its end (given again, it is already ingested), the rest is reported.
#[test]
fn issue_23_huge_plain_file_is_read_to_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("huge.jsonl");
    let lines: String = (0..3)
        .map(|i| record(&format!("l{i}"), "aws-cli/2.0") + "\n")
        .collect();
    std::fs::write(&file, lines).unwrap();
    let f = std::fs::OpenOptions::new().write(true).open(&file).unwrap();
    f.set_len(1 << 30).unwrap();
    drop(f);
    let store = tempfile::tempdir().unwrap();
    let args = ["--max-file-bytes", "4194304", "--no-attribution"];
    let (r, v) = ingest_json(&[&file], store.path(), &args);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let acc = &v["accounting"];
    assert_eq!(acc["files_over_limit"], 1, "{acc}");
    assert_eq!(acc["kept"], 3, "{acc}");
    assert_eq!(acc["bytes_read"], 1u64 << 30, "{acc}");
    let why = reasons(store.path());
    assert!(
        why.iter()
            .any(|w| w.contains("the file is 1073741824 bytes, over the 4 MiB limit")),
        "{why:?}"
    );
    let (r, v) = ingest_json(&[&file], store.path(), &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(v["accounting"]["files_already_ingested"], 1);
}

/// Part files of each `events/event_date=…` folder with their modification
/// times.
fn event_parts(
    store: &Path,
) -> std::collections::BTreeMap<String, Vec<(String, std::time::SystemTime)>> {
    let mut out: std::collections::BTreeMap<String, Vec<_>> = Default::default();
    for day in std::fs::read_dir(store.join("events")).unwrap() {
        let day = day.unwrap().path();
        let mut parts: Vec<_> = std::fs::read_dir(&day)
            .unwrap()
            .map(|p| {
                let p = p.unwrap();
                (
                    p.file_name().to_string_lossy().into_owned(),
                    p.metadata().unwrap().modified().unwrap(),
                )
            })
            .collect();
        parts.sort();
        out.insert(
            day.file_name().unwrap().to_string_lossy().into_owned(),
            parts,
        );
    }
    out
}

/// The attribution parts holding each day's rows, as the manifest lists
/// them.
fn attribution_days(store: &Path) -> std::collections::BTreeMap<String, serde_json::Value> {
    let text = std::fs::read_to_string(store.join("_trailblame.json")).unwrap();
    let m: serde_json::Value = serde_json::from_str(&text).unwrap();
    let days = m["attribution"]["days"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    assert!(!days.is_empty(), "no attribution parts by day");
    days.into_iter().collect()
}

/// The tables a run leaves, as text: events and attribution in key order.
fn tables(store: &Path) -> String {
    let mut out = String::new();
    for sql in [
        "SELECT * FROM events ORDER BY event_key",
        "SELECT * FROM attribution ORDER BY event_key",
    ] {
        out.push_str(&query_ndjson(store, sql));
    }
    out
}

/// Issue 24: an incremental ingest of one afternoon's files (and a late
/// copy of a morning file, re-encoded) reads the stored keys of that day
/// only, leaves every other day's parts untouched, counts the copy's
/// records as duplicates, and leaves the same events and attribution as
/// one ingest of everything.
#[test]
fn issue_24_incremental_ingest_touches_one_day_and_equals_a_full_ingest() {
    let sample = sample();
    let src = tempfile::tempdir().unwrap();
    let (a, b) = (src.path().join("a"), src.path().join("b"));
    copy_dir(&sample.join("cloudtrail"), &a.join("cloudtrail"));
    copy_dir(&sample.join("transcripts"), &a.join("transcripts"));
    // Files delivered on 2025-12-11 from noon on go to the second run.
    let afternoon = |p: &Path| {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        name.contains("_20251211T") && name.split("_20251211T").nth(1).unwrap()[..2] >= *"12"
    };
    let day_files: Vec<_> = files_under(&a.join("cloudtrail"))
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("/2025/12/11/"))
        .collect();
    let mut moved = 0;
    for p in &day_files {
        if afternoon(p) {
            let dest = b.join(p.strip_prefix(&a).unwrap());
            std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
            std::fs::rename(p, &dest).unwrap();
            moved += 1;
        }
    }
    assert!(moved > 5, "{moved} files moved");
    let morning = day_files.iter().find(|p| !afternoon(p)).unwrap();
    let text = gunzip(morning);
    let copy: serde_json::Value = serde_json::from_str(&text).unwrap();
    let copied = copy["Records"].as_array().unwrap().len() as u64;
    assert!(copied > 0);
    std::fs::write(b.join("late-copy.json"), &text).unwrap();
    let config = sample.join("trailblame.toml");
    let extra = ["--config", config.to_str().unwrap()];

    let store = tempfile::tempdir().unwrap();
    let (r, first) = ingest_json(&[&a], store.path(), &extra);
    assert!(r.code < 2, "{}", r.stderr);
    let stored_on_11 = count(
        store.path(),
        "SELECT COUNT(*) FROM events WHERE CAST(event_date AS VARCHAR) = '2025-12-11'",
    );
    let days_before = event_parts(store.path());
    assert!(days_before.len() > 3, "{:?}", days_before.keys());
    std::thread::sleep(std::time::Duration::from_millis(20));
    let rows_before = attribution_days(store.path());
    let (r, second) = ingest_json(&[&b], store.path(), &extra);
    assert!(r.code < 2, "{}", r.stderr);
    // The attribution recomputed 2025-12-11 only, reading the days beside it.
    let inc = &second["attribution"]["incremental"];
    assert_eq!(inc["days_recomputed"], 1, "{}", second["attribution"]);
    assert_eq!(inc["days_read"], 3, "{inc}");
    assert_eq!(inc["days_in_store"], days_before.len(), "{inc}");
    let rows_after = attribution_days(store.path());
    let rewritten: Vec<&String> = rows_after
        .iter()
        .filter(|(d, parts)| rows_before.get(*d) != Some(*parts))
        .map(|(d, _)| d)
        .collect();
    assert_eq!(rewritten, ["2025-12-11"], "attribution parts by day");
    let acc = &second["accounting"];
    assert_eq!(acc["duplicates"], copied, "{acc}");
    // Only 2025-12-11's stored keys were read.
    let dedup = &second["dedup"];
    assert_eq!(dedup["days_read"], 1, "{dedup}");
    assert_eq!(dedup["keys_read"], stored_on_11, "{dedup}");
    assert_eq!(
        dedup["stored_events"],
        first["accounting"]["kept"].as_u64().unwrap(),
        "{dedup}"
    );
    let days_after = event_parts(store.path());
    let changed: Vec<&String> = days_after
        .iter()
        .filter(|(d, parts)| days_before.get(*d) != Some(*parts))
        .map(|(d, _)| d)
        .collect();
    assert_eq!(changed, ["event_date=2025-12-11"]);
    // Only new parts were added to that day; the old ones are as they were.
    for part in &days_before["event_date=2025-12-11"] {
        assert!(
            days_after["event_date=2025-12-11"].contains(part),
            "{part:?}"
        );
    }

    let full = tempfile::tempdir().unwrap();
    let (r, all) = ingest_json(&[&a, &b], full.path(), &extra);
    assert!(r.code < 2, "{}", r.stderr);
    assert_eq!(all["accounting"]["duplicates"], copied);
    assert_eq!(all["dedup"]["keys_read"], 0);
    let (incremental, whole) = (tables(store.path()), tables(full.path()));
    assert!(
        incremental.contains("\"actor_kind\":\"ai\""),
        "no AI events"
    );
    assert_eq!(incremental.lines().count(), whole.lines().count());
    assert_eq!(incremental, whole);
}

/// A 14-day synthetic trail (200 events a day from 2025-12-01) under
/// `dir`, plus `extra` records in a file of their own.
fn fortnight(dir: &Path, extra: &[String]) {
    let cfg = trailblame_synth::corpus::CorpusConfig {
        events: 2_800,
        seed: 11,
        days: 14,
        accounts: 2,
        records_per_file: 50,
        ..Default::default()
    };
    trailblame_synth::corpus::generate(&cfg, dir).expect("the generator runs");
    if !extra.is_empty() {
        records_file(&dir.join("extra.json"), extra);
    }
}

fn records_file(path: &Path, records: &[String]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, format!("{{\"Records\":[{}]}}", records.join(","))).unwrap();
}

/// An event by `arn` (an assumed role unless it names a user), at `time`.
fn event(id: &str, time: &str, name: &str, arn: &str, more: &str) -> String {
    let (kind, user) = match arn.split_once(":user/") {
        Some((_, name)) => ("IAMUser", format!(r#","userName":"{name}""#)),
        None => ("AssumedRole", String::new()),
    };
    format!(
        r#"{{"eventVersion":"1.08","eventID":"{id}","eventTime":"{time}","eventSource":"{src}","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.27.0 md/command#x","readOnly":false,"recipientAccountId":"111122223333","userIdentity":{{"type":"{kind}","arn":"{arn}","accountId":"111122223333"{user}{more}}}}}"#,
        src = if name.contains("Stack") {
            "cloudformation.amazonaws.com"
        } else {
            "s3.amazonaws.com"
        },
    )
}

/// Issue 24: a store's first attribution takes the events in as the run
/// writes them instead of reading them back (`attribution::input::Tap`);
/// the table is the one attributing the stored events gives. The sample
/// data (transcripts, STS chains, stack operations), the real public
/// samples when present, and a synthetic delivery tree of many parts.
#[test]
fn issue_24_first_attribution_from_the_written_events_equals_one_read_back() {
    let src = tempfile::tempdir().unwrap();
    small_files(src.path(), 3_000, 20);
    let mut inputs = vec![sample(), src.path().to_path_buf()];
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/samples");
    if shared.is_dir() {
        inputs.push(shared);
    }
    let ingest = |store: &Path, extra: &[&str]| {
        let r = run_cmd(
            bin()
                .env("TRAILBLAME_TIMINGS", "1")
                .arg("ingest")
                .args(&inputs)
                .arg("--store")
                .arg(store)
                .arg("-q")
                .args(extra),
        );
        assert!(r.code < 2, "{}", r.stderr);
        r.stderr
    };
    let tapped = tempfile::tempdir().unwrap();
    let stderr = ingest(tapped.path(), &[]);
    assert!(stderr.contains("attribution: events tapped"), "{stderr}");
    // Attributed afterwards, from the parts on disk.
    let read = tempfile::tempdir().unwrap();
    let stderr = ingest(read.path(), &["--no-attribution"]);
    assert!(!stderr.contains("attribution:"), "{stderr}");
    // Read with the same (default) settings, which attributes the second
    // store from its parts.
    let (a, b) = (tables(tapped.path()), tables(read.path()));
    assert!(a.lines().count() > 6_000, "{} rows", a.lines().count());
    assert!(a == b, "the tables differ");
    let ai = count(
        tapped.path(),
        "SELECT COUNT(*) FROM attribution WHERE actor_kind = 'ai'",
    );
    assert!(ai > 0, "the samples' AI events are attributed");
}

/// Runs `first`, then `second`, into one store, and everything into
/// another; returns the second run's attribution report after checking
/// that both stores hold the same tables.
fn incremental_equals_full(first: &Path, second: &Path) -> serde_json::Value {
    let store = tempfile::tempdir().unwrap();
    let (r, _) = ingest_json(&[first], store.path(), &[]);
    assert!(r.code < 2, "{}", r.stderr);
    let (r, v) = ingest_json(&[second], store.path(), &[]);
    assert!(r.code < 2, "{}", r.stderr);
    let full = tempfile::tempdir().unwrap();
    let (r, _) = ingest_json(&[first, second], full.path(), &[]);
    assert!(r.code < 2, "{}", r.stderr);
    let (incremental, whole) = (tables(store.path()), tables(full.path()));
    assert_eq!(incremental.lines().count(), whole.lines().count());
    assert_eq!(incremental, whole, "{}", v["attribution"]);
    v["attribution"].clone()
}

/// The incremental figures of a run's attribution report `att`, once its
/// days recomputed and rounds are checked.
fn recomputed(att: &serde_json::Value, days: u64, rounds: u64) -> &serde_json::Value {
    let inc = &att["incremental"];
    assert_eq!(inc["days_recomputed"], days, "{att}");
    assert_eq!(inc["rounds"], rounds, "{att}");
    inc
}

/// Issue 24: a new event that reuses the id of an event stored a week
/// earlier doubts both (`conflict:event_id:`). The day summaries lead the
/// run to the far day, which comes out changed and is recomputed too; the
/// tables equal one ingest of everything.
#[test]
fn issue_24_incremental_attribution_follows_an_event_id_to_a_far_day() {
    let src = tempfile::tempdir().unwrap();
    let (a, b) = (src.path().join("a"), src.path().join("b"));
    let bob = "arn:aws:iam::111122223333:user/bob";
    fortnight(
        &a,
        &[event(
            "shared-id-1",
            "2025-12-03T10:00:00Z",
            "PutObject",
            bob,
            "",
        )],
    );
    records_file(
        &b.join("late.json"),
        &[event(
            "shared-id-1",
            "2025-12-10T10:00:00Z",
            "DeleteObject",
            bob,
            "",
        )],
    );
    let att = incremental_equals_full(&a, &b);
    let inc = recomputed(&att, 2, 2);
    assert!(inc["days_read"].as_u64().unwrap() < 14, "{att}");
}

/// Issue 24: a stack operation added late in one day gives CloudFormation's
/// calls stored just after midnight their caller: the next day's stored rows
/// come out changed, so that day is recomputed too.
#[test]
fn issue_24_incremental_attribution_recomputes_a_neighbouring_day_it_changes() {
    let src = tempfile::tempdir().unwrap();
    let (a, b) = (src.path().join("a"), src.path().join("b"));
    let deployer = "arn:aws:sts::111122223333:assumed-role/deployer/alice";
    let cfn = r#","invokedBy":"cloudformation.amazonaws.com""#;
    fortnight(
        &a,
        &[event(
            "cfn-call-1",
            "2025-12-08T00:30:00Z",
            "CreateBucket",
            deployer,
            cfn,
        )],
    );
    records_file(
        &b.join("op.json"),
        &[event(
            "stack-op-1",
            "2025-12-07T23:30:00Z",
            "CreateStack",
            deployer,
            "",
        )],
    );
    let att = incremental_equals_full(&a, &b);
    recomputed(&att, 2, 2);
}

/// Issue 24: a new event in a CLI session seen five days earlier reads
/// that day and the days beside it, but compares only the days the new
/// event can change directly (the one linked, and those beside the new
/// event's day): the days beside the linked day are its context. The
/// tables equal one ingest of everything.
#[test]
fn issue_24_incremental_attribution_compares_only_the_days_it_can_change() {
    let src = tempfile::tempdir().unwrap();
    let (a, b) = (src.path().join("a"), src.path().join("b"));
    let bob = "arn:aws:iam::111122223333:user/bob";
    let in_session = |id: &str, time: &str| {
        event(id, time, "PutObject", bob, "").replace("md/command#x", "md/command#x sid/far5e55")
    };
    fortnight(&a, &[in_session("session-1", "2025-12-05T12:00:00Z")]);
    records_file(
        &b.join("later.json"),
        &[in_session("session-2", "2025-12-10T12:00:00Z")],
    );
    let att = incremental_equals_full(&a, &b);
    let inc = recomputed(&att, 1, 1);
    // 12-04 to 12-06 and 12-09 to 12-11 are read; 12-05 (linked), 12-09
    // and 12-11 (beside 12-10) are compared.
    assert_eq!(inc["days_read"], 6, "{att}");
    assert_eq!(inc["days_compared"], 3, "{att}");
    // 12-04 and 12-06 are the linked day's context, read in part.
    assert_eq!(inc["days_read_in_part"], 2, "{att}");
    let store = tempfile::tempdir().unwrap();
    ingest_json(&[&a, &b], store.path(), &[]);
    let six_days = count(
        store.path(),
        "SELECT COUNT(*) FROM events WHERE CAST(event_date AS VARCHAR) IN \
         ('2025-12-04','2025-12-05','2025-12-06','2025-12-09','2025-12-10','2025-12-11')",
    );
    let read = inc["events_read"].as_u64().unwrap();
    assert!(read + 150 < six_days, "{read} of {six_days} events read");
}

/// Issue 24: a day read in part as a linked day's context keeps, beyond
/// the hours next to the linked day, the rows that carry a link to it: a
/// CLI session's morning calls, whose Cursor marker makes the session's
/// call on the linked day the agent's. Without them that call would come
/// out human, unlike its stored row, and cost a second round.
#[test]
fn issue_24_incremental_context_keeps_the_rows_a_linked_day_depends_on() {
    let src = tempfile::tempdir().unwrap();
    let (a, b) = (src.path().join("a"), src.path().join("b"));
    let bob = "arn:aws:iam::111122223333:user/bob";
    let at = |id: &str, time: &str, sid: &str, marker: &str| {
        event(id, time, "PutObject", bob, "").replace(
            "aws-cli/2.27.0 md/command#x",
            &format!("aws-cli/2.36.0 md/command#x sid/{sid}{marker}"),
        )
    };
    fortnight(
        &a,
        &[
            at("s-1", "2025-12-04T08:00:00Z", "5e55a", " m/AW"),
            at("s-2", "2025-12-04T08:01:00Z", "5e55a", " m/AW"),
            at("s-3", "2025-12-05T12:00:00Z", "5e55a", ""),
            at("t-1", "2025-12-05T13:00:00Z", "5e55b", ""),
        ],
    );
    records_file(
        &b.join("later.json"),
        &[at("t-2", "2025-12-10T12:00:00Z", "5e55b", "")],
    );
    let store = tempfile::tempdir().unwrap();
    ingest_json(&[&a], store.path(), &[]);
    let s3 = query(
        store.path(),
        "SELECT actor_kind FROM events WHERE event_id = 's-3'",
    );
    assert_eq!(s3[0]["actor_kind"], "ai", "the session's votes: {s3:?}");
    let att = incremental_equals_full(&a, &b);
    let inc = recomputed(&att, 1, 1);
    assert_eq!(inc["days_read_in_part"], 2, "{att}");
}

/// Issue 24: a change that reaches a day read only as context goes through
/// the linked day beside it. Two Cursor calls (`m/AW`) in a CLI session
/// make the session's stack operation, stored five days earlier late in
/// the evening, the agent's (its linked day comes out changed); the next
/// round finds CloudFormation's call after midnight, on the day that was
/// context, changed too. The tables equal one ingest of everything.
#[test]
fn issue_24_incremental_attribution_follows_a_change_through_a_linked_day() {
    let src = tempfile::tempdir().unwrap();
    let (a, b) = (src.path().join("a"), src.path().join("b"));
    let bob = "arn:aws:iam::111122223333:user/bob";
    let ua = |marker: &str| format!("aws-cli/2.36.0 md/command#x sid/c0ffee5e55{marker}");
    let at = |id: &str, time: &str, name: &str, more: &str, marker: &str| {
        event(id, time, name, bob, more).replace("aws-cli/2.27.0 md/command#x", &ua(marker))
    };
    let cfn = r#","invokedBy":"cloudformation.amazonaws.com""#;
    fortnight(
        &a,
        &[
            at("stack-op-1", "2025-12-05T23:30:00Z", "CreateStack", "", ""),
            event(
                "cfn-call-1",
                "2025-12-06T00:30:00Z",
                "CreateBucket",
                bob,
                cfn,
            ),
        ],
    );
    records_file(
        &b.join("cursor.json"),
        &[
            at("cursor-1", "2025-12-10T12:00:00Z", "PutObject", "", " m/AW"),
            at("cursor-2", "2025-12-10T12:01:00Z", "PutObject", "", " m/AW"),
        ],
    );
    let att = incremental_equals_full(&a, &b);
    recomputed(&att, 3, 3);
}

/// Issue 24: what an incremental run cannot bound is recomputed whole: a
/// person never seen before whose local part a stored event names (it
/// resolves to them now, on any day). A run
/// that adds nothing an event depends on recomputes nothing.
#[test]
fn issue_24_incremental_attribution_falls_back_or_does_nothing_when_it_must() {
    let src = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        src.path().join("a"),
        src.path().join("b"),
        src.path().join("c"),
    );
    // `zed` is stored bare; `zed@example.com` arrives later, and `zed`
    // now resolves to them on every day.
    fortnight(
        &a,
        &[event(
            "bare-name-1",
            "2025-12-02T12:00:00Z",
            "PutObject",
            "arn:aws:iam::111122223333:user/zed",
            "",
        )],
    );
    records_file(
        &b.join("new-person.json"),
        &[event(
            "new-person-1",
            "2025-12-05T12:00:00Z",
            "PutObject",
            "arn:aws:iam::111122223333:user/zed@example.com",
            "",
        )],
    );
    let att = incremental_equals_full(&a, &b);
    assert!(att["incremental"].is_null(), "{att}");
    assert!(att["events"].as_u64().unwrap() > 2_800, "{att}");
    assert!(
        att["recomputed_all_because"]
            .as_str()
            .is_some_and(|w| w.contains("person never seen before")),
        "{att}"
    );
    // Only a broken file: its quarantined record reaches no event.
    std::fs::create_dir_all(&c).unwrap();
    std::fs::write(c.join("broken.json"), "{\"Records\":[{\"eventVersion\":").unwrap();
    let store = tempfile::tempdir().unwrap();
    ingest_json(&[&a], store.path(), &[]);
    let (r, v) = ingest_json(&[&c], store.path(), &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let inc = &v["attribution"]["incremental"];
    assert_eq!(inc["days_recomputed"], 0, "{}", v["attribution"]);
    assert_eq!(inc["days_in_store"], 14, "{inc}");
}

/// Issue 24: a store of more events than the attribution's window budget is
/// attributed a few days at a time, and every row comes out as one pass
/// gives it: on sample-data (agents, transcripts, CLI sessions, session
/// keys, CloudFormation) and on a fortnight of synthetic events, with
/// windows of a day or less.
#[test]
fn issue_24_attribution_in_windows_equals_one_pass() {
    let src = tempfile::tempdir().unwrap();
    let synthetic = src.path().join("fortnight");
    // Rows that depend on other days: a stack operation late on one day and
    // CloudFormation's call for it after midnight; an event id shared a
    // week apart.
    let deployer = "arn:aws:sts::111122223333:assumed-role/deployer/alice";
    let bob = "arn:aws:iam::111122223333:user/bob";
    let cfn = r#","invokedBy":"cloudformation.amazonaws.com""#;
    let mut extra = vec![
        event(
            "stack-op-1",
            "2025-12-07T23:30:00Z",
            "CreateStack",
            deployer,
            "",
        ),
        event(
            "cfn-call-1",
            "2025-12-08T00:30:00Z",
            "CreateBucket",
            deployer,
            cfn,
        ),
        event("shared-id-1", "2025-12-03T10:00:00Z", "PutObject", bob, ""),
        event(
            "shared-id-1",
            "2025-12-10T10:00:00Z",
            "DeleteObject",
            bob,
            "",
        ),
    ];
    // A command polling every 30 s for a day and a minute: one action
    // that begins on 2025-12-05 and runs through the 6th into the 7th.
    let start = chrono::DateTime::parse_from_rfc3339("2025-12-05T23:59:30Z").unwrap();
    for k in 0..2_885 {
        let t = (start + chrono::Duration::seconds(30 * k)).format("%Y-%m-%dT%H:%M:%SZ");
        extra.push(event(
            &format!("poll-{k}"),
            &t.to_string(),
            "GetBucketPolicy",
            bob,
            "",
        ));
    }
    fortnight(&synthetic, &extra);
    let sample = sample();
    let config = sample.join("trailblame.toml");
    for (input, extra, budget) in [
        (
            sample.clone(),
            vec!["--config", config.to_str().unwrap()],
            "900",
        ),
        (synthetic.clone(), vec![], "1500"),
    ] {
        let ingest = |store: &Path, budget: Option<&str>| {
            let mut c = bin();
            c.arg("ingest")
                .arg(&input)
                .arg("--store")
                .arg(store)
                .args(["--format", "json"])
                .args(&extra);
            if let Some(b) = budget {
                c.env("TRAILBLAME_ATTRIBUTION_WINDOW_EVENTS", b);
            }
            let r = run_cmd(&mut c);
            assert!(r.code < 2, "{}", r.stderr);
            let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
            v["attribution"].clone()
        };
        let (one, windowed) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let whole = ingest(one.path(), None);
        let parts = ingest(windowed.path(), Some(budget));
        assert_eq!(whole["passes"], 1, "{whole}");
        assert!(parts["passes"].as_u64().unwrap() >= 3, "{parts}");
        for key in [
            "events",
            "by_kind",
            "actions",
            "tool_calls_matched",
            "events_from_transcripts",
            "event_id_conflicts",
        ] {
            assert_eq!(whole[key], parts[key], "{key}: {whole} vs {parts}");
        }
        assert_eq!(
            tables(windowed.path()),
            tables(one.path()),
            "{}",
            input.display()
        );
        assert_eq!(
            attribution_days(windowed.path()).len(),
            attribution_days(one.path()).len()
        );
    }
}

/// Files of more than a window each (telemetry exports, hook logs) are read
/// two at a time; their rows still reach the store in the order the files
/// were found, whatever the thread count.
#[test]
fn issue_19_large_transcript_files_read_side_by_side_keep_their_order() {
    let src = tempfile::tempdir().unwrap();
    let mut names = Vec::new();
    for f in 0..3 {
        let sid = format!("0000000{f}-0000-4000-8000-000000000000");
        let mut text = String::new();
        let mut k = 0;
        // A little over the 4 MiB window.
        while text.len() < (4 << 20) + 4096 {
            let t = format!(
                "2026-01-0{}T10:{:02}:{:02}.000Z",
                f + 1,
                (k / 60) % 60,
                k % 60
            );
            text.push_str(&format!(
                r#"{{"type":"assistant","sessionId":"{sid}","uuid":"a{f}-{k}","parentUuid":{},"timestamp":"{t}","cwd":"/home/dev/src","message":{{"role":"assistant","content":[{{"type":"tool_use","id":"toolu_{f}_{k}","name":"Bash","input":{{"command":"aws s3 ls s3://bucket-{k}/ --region us-east-1","description":"{}"}}}}]}}}}"#,
                if k == 0 {
                    "null".to_string()
                } else {
                    format!("\"a{f}-{}\"", k - 1)
                },
                "x".repeat(400)
            ));
            text.push('\n');
            k += 1;
        }
        let name = format!("session-{f}.jsonl");
        std::fs::write(src.path().join(&name), text).unwrap();
        names.push(name);
    }
    let mut orders = Vec::new();
    for threads in [1, 2] {
        let store = tempfile::tempdir().unwrap();
        let r = common::ingest_with_threads(
            threads,
            src.path(),
            store.path(),
            &["--no-attribution", "--quiet"],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        // Store order, not sorted: the files' first calls, in the order
        // their rows were written.
        let rows = query(store.path(), "SELECT source_file, call_id FROM tool_calls");
        let mut files: Vec<String> = Vec::new();
        for row in &rows {
            let f = row["source_file"].as_str().unwrap().to_string();
            if files.last() != Some(&f) {
                files.push(f);
            }
        }
        let found: Vec<&str> = files
            .iter()
            .map(|f| f.rsplit('/').next().unwrap())
            .collect();
        assert_eq!(found, names, "threads {threads}");
        orders.push(rows);
    }
    assert_eq!(orders[0], orders[1]);
}
