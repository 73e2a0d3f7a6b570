//! Issue 20: Amazon Security Lake's OCSF Parquet in, labels out as OCSF.
//! The fixtures are made by `tests/fixtures/ocsf/make_security_lake.py`
//! (DuckDB, from `cloudtrail-source.json.gz`, the sample's records of one
//! account, region and day), independently of trailblame's reader.

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;

fn ocsf_dir() -> std::path::PathBuf {
    fixtures().join("ocsf")
}

/// Columns that survive OCSF with `unmapped` (JSON blobs compared apart,
/// since their text layout changes).
const SAME: &str = "* EXCLUDE (source_file, source_line, source_index, request_parameters, response_elements, additional_event_data, service_event_details, insight_details, resources)";

fn rows(store: &Path, cols: &str) -> Vec<Value> {
    query(
        store,
        &format!("SELECT {cols} FROM events ORDER BY event_id, event_time"),
    )
}

fn blobs(store: &Path) -> Vec<(Value, Value)> {
    rows(store, "request_parameters, response_elements")
        .iter()
        .map(|r| {
            let parse = |k: &str| {
                r[k].as_str()
                    .map(|s| serde_json::from_str(s).unwrap())
                    .unwrap_or(Value::Null)
            };
            (parse("request_parameters"), parse("response_elements"))
        })
        .collect()
}

#[test]
fn security_lake_parquet_gives_the_events_of_the_cloudtrail_it_came_from() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = tmp.path().join("lake");
    let (r, v) = ingest_json(&[ocsf_dir().join("security-lake").as_path()], &lake, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        v["accounting"]["files_by_kind"]["ocsf_parquet"].as_u64(),
        Some(1)
    );
    let ct = tmp.path().join("ct");
    let (r, w) = ingest_json(
        &[ocsf_dir().join("cloudtrail-source.json.gz").as_path()],
        &ct,
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(v["accounting"]["kept"], w["accounting"]["kept"]);
    assert_eq!(v["accounting"]["kept"].as_u64(), Some(361));
    assert_eq!(rows(&lake, SAME), rows(&ct, SAME));
    assert_eq!(blobs(&lake), blobs(&ct));
    let labels = "SELECT event_id, actor_kind, actor, operator FROM events ORDER BY event_id";
    assert_eq!(query(&lake, labels), query(&ct, labels));
    let with_si = count(
        &lake,
        "SELECT COUNT(*) AS n FROM events WHERE source_identity IS NOT NULL",
    );
    assert!(with_si > 0);
}

#[test]
fn without_unmapped_what_ocsf_drops_is_null_not_invented() {
    let tmp = tempfile::tempdir().unwrap();
    let lean = tmp.path().join("lean");
    let (r, v) = ingest_json(&[ocsf_dir().join("lean").as_path()], &lean, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(v["accounting"]["kept"].as_u64(), Some(361));
    for col in [
        "source_identity",
        "read_only",
        "management_event",
        "shared_event_id",
    ] {
        let n = count(
            &lean,
            &format!("SELECT COUNT(*) AS n FROM events WHERE {col} IS NOT NULL"),
        );
        assert_eq!(n, 0, "{col}");
    }
    // What OCSF maps is still there.
    let ct = tmp.path().join("ct");
    ingest_json(
        &[ocsf_dir().join("cloudtrail-source.json.gz").as_path()],
        &ct,
        &[],
    );
    let cols = "event_id, event_time, event_name, event_source, principal_arn, user_agent, source_ip, error_code";
    assert_eq!(rows(&lean, cols), rows(&ct, cols));
}

#[test]
fn labels_out_as_ocsf_json_lines_and_parquet_read_back() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let (r, _) = ingest_json(
        &[ocsf_dir().join("cloudtrail-source.json.gz").as_path()],
        &store,
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = tmp.path().join("labels.jsonl");
    let r = run(&[
        "attribute",
        "--store",
        store.to_str().unwrap(),
        "--format",
        "ocsf",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(&out).unwrap();
    let records: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 361);
    let kinds = query(
        &store,
        "SELECT event_id, actor_kind, action_id FROM events ORDER BY event_id",
    );
    let by_id: std::collections::HashMap<&str, &str> = kinds
        .iter()
        .map(|r| {
            (
                r["event_id"].as_str().unwrap(),
                r["actor_kind"].as_str().unwrap(),
            )
        })
        .collect();
    let action_of: std::collections::HashMap<&str, &Value> = kinds
        .iter()
        .map(|r| (r["event_id"].as_str().unwrap(), &r["action_id"]))
        .collect();
    assert_eq!(by_id.len(), kinds.len(), "event ids are unique here");
    for rec in &records {
        assert_eq!(rec["class_uid"], 6003);
        assert_eq!(rec["metadata"]["version"], "1.1.0");
        let id = rec["metadata"]["uid"].as_str().unwrap();
        let en = rec["enrichments"].as_array().unwrap();
        let kind = en
            .iter()
            .find(|e| e["name"] == "trailblame.actor_kind")
            .unwrap();
        assert_eq!(kind["value"].as_str(), by_id.get(id).copied(), "{id}");
        assert_eq!(kind["provider"], "trailblame");
        let action = en
            .iter()
            .find(|e| e["name"] == "trailblame.action_id")
            .map(|e| e["value"].clone());
        assert!(action_of[id].is_string(), "{id}: every event has an action");
        assert_eq!(
            action.as_ref().and_then(Value::as_str),
            action_of[id].as_str(),
            "{id}"
        );
    }
    assert!(records.iter().any(|r| {
        r["enrichments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["name"] == "trailblame.evidence")
    }));

    // The Parquet form reads back as the same events.
    let pq = tmp.path().join("labels.parquet");
    let r = run(&[
        "attribute",
        "--store",
        store.to_str().unwrap(),
        "--format",
        "ocsf-parquet",
        "--output",
        pq.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let back = tmp.path().join("back");
    let (r, v) = ingest_json(&[pq.as_path()], &back, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(v["accounting"]["kept"].as_u64(), Some(361));
    let cols = "event_id, event_time, event_name, event_source, aws_region, principal_arn, source_identity, user_agent, source_ip, error_code";
    assert_eq!(rows(&back, cols), rows(&store, cols));

    // Other commands refuse the format rather than write something else.
    let r = run(&[
        "query",
        "SELECT 1 AS x",
        "--store",
        store.to_str().unwrap(),
        "--format",
        "ocsf",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("attribute"), "{}", r.stderr);
}

/// Found by the fuzz harness (issue 23): a Parquet file read in one chunk
/// waits on polars' thread pool, and rayon may run another chunk on the
/// same thread meanwhile; the per-thread read buffers were still borrowed
/// by the first chunk, so the second panicked ("RefCell already
/// borrowed"). Many chunks, each with a Parquet file and a large plain
/// file (a chunk ends at 1 MiB), make the interleaving likely.
#[test]
fn issue_23_parquet_in_many_chunks_does_not_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let parquet = std::fs::read(
        ocsf_dir()
            .join("security-lake/region=us-east-1/accountId=730335412877/eventDay=20251212/fixture.zstd.parquet"),
    )
    .unwrap();
    let record =
        std::fs::read_to_string(common::fixtures().join("cloudtrail/single-record.json")).unwrap();
    for i in 0..24 {
        let dir = input.join(format!("{i:02}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.parquet"), &parquet).unwrap();
        // ~1 MiB of white space after the record closes the chunk; the
        // index makes each file's content (hence each file) distinct.
        let padded = format!("{record}{}\n", " ".repeat((1 << 20) + i));
        std::fs::write(dir.join("b.json"), padded).unwrap();
    }
    for _ in 0..3 {
        let store = tempfile::tempdir().unwrap();
        let (r, v) = ingest_json(&[input.as_path()], &store.path().join("s"), &[]);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let a = &v["accounting"];
        assert_eq!(a["files_seen"], 48, "{a}");
        assert_eq!(a["files_by_kind"]["ocsf_parquet"], 1, "{a}");
        assert_eq!(a["files_already_ingested"], 23, "{a}");
    }
}

/// Found by the fuzz harness (issue 23, seed 1001 case 114): fourteen
/// flipped bits in the Security Lake fixture made polars-parquet panic
/// ("assertion failed: self.total_num_values >= 0") and the whole ingest
/// exit 101. The file is now unreadable, named, exit 1; the run goes on.
#[test]
fn issue_23_damaged_parquet_is_unreadable_not_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::copy(
        ocsf_dir().join("damaged/issue-23-flipped-bits.parquet"),
        input.join("damaged.parquet"),
    )
    .unwrap();
    std::fs::copy(
        common::fixtures().join("cloudtrail/single-record.json"),
        input.join("good.json"),
    )
    .unwrap();
    let (r, v) = ingest_json(&[input.as_path()], &tmp.path().join("s"), &[]);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let a = &v["accounting"];
    assert_eq!(a["files_by_kind"]["unreadable"], 1, "{a}");
    assert_eq!(a["kept"], 1, "{a}");
    let said = v["messages"].to_string();
    assert!(
        said.contains("damaged.parquet") && said.contains("Parquet"),
        "{said}"
    );
}
