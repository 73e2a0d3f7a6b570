//! `trailblame report` and `trailblame timeline` on the sample scenario and
//! on a hostile fixture: Markdown and text snapshots (volatile values
//! filtered), JSON parsed and checked, and the HTML opened in headless
//! Chromium (`scripts/browser_check.py`, set up by `scripts/test-deps`).
//!
//! Snapshots live in `tests/snapshots/`; after an intended change, run
//! with `UPDATE_SNAPSHOTS=1` and review the diff.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Output with the machine-dependent parts replaced.
fn stable(text: &str) -> String {
    text.replace(root().to_str().unwrap(), "<root>").replace(
        &format!("trailblame {}", env!("CARGO_PKG_VERSION")),
        "trailblame <version>",
    )
}

fn snapshot(name: &str, got: &str) {
    let path = root().join("tests/snapshots").join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    if want != got {
        let new = path.with_extension("new");
        std::fs::write(&new, got).unwrap();
        panic!(
            "{} differs from the snapshot; the output is in {} (UPDATE_SNAPSHOTS=1 to accept)",
            path.display(),
            new.display()
        );
    }
}

#[test]
fn markdown_report_of_the_sample_matches_its_snapshot() {
    let r = run(&[
        "report",
        sample().to_str().unwrap(),
        "--format",
        "md",
        "-q",
        "--config-from-inputs",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    snapshot("report-sample.md", &stable(&r.stdout));
}

#[test]
fn json_report_tells_the_story_of_the_big_incident() {
    let r = run(&[
        "report",
        sample().to_str().unwrap(),
        "--format",
        "json",
        "-q",
        "--config-from-inputs",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["title"], "Weekly report · 2025-W50");
    let ids: Vec<&str> = doc["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "headline",
            "who-acted",
            "destructive",
            "privileges",
            "anomalies",
            "incidents",
            "timelines",
            "coverage"
        ]
    );
    let all = r.stdout.as_str();
    // The SEV1: who, on whose credentials, without a recorded approval.
    let story = doc["sections"][0]["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["type"] == "list")
        .expect("the story list");
    let sev1 = story["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .find(|s| s.starts_with("INC-2291"))
        .expect("INC-2291 in the story");
    for part in [
        "DeleteStack",
        "kiro, an AI agent working for dave@example.com",
        "dave@example.com's own credentials",
        "admin-equivalent",
        "no approval",
    ] {
        assert!(sev1.contains(part), "{part:?} not in {sev1}");
    }
    // The verdict is the comparison's, word for word.
    let c = run(&[
        "compare",
        sample().to_str().unwrap(),
        "-q",
        "--format",
        "json",
        "--config-from-inputs",
    ]);
    let cmp: Value = serde_json::from_str(&c.stdout).unwrap();
    assert_eq!(doc["sections"][0]["blocks"][0]["content"], cmp["verdict"]);
    // The anomalies the issue expects from the big incident.
    for d in [
        "mass_deletion",
        "delete_then_recreate",
        "unapproved_destructive_ai",
    ] {
        assert!(all.contains(d), "no {d} finding in the report");
    }
    // Kiro's session has a timeline with the DeleteStack under its tool call.
    let timelines = &doc["sections"][6]["blocks"];
    let kiro = timelines
        .as_array()
        .unwrap()
        .iter()
        .find(|b| {
            b["type"] == "timeline" && b["content"]["title"].as_str().unwrap().starts_with("kiro")
        })
        .expect("kiro's timeline");
    let entries = kiro["content"]["entries"].as_array().unwrap();
    let stack = entries
        .iter()
        .position(|e| e["text"].as_str().unwrap().starts_with("DeleteStack"))
        .expect("DeleteStack entry");
    assert_eq!(entries[stack]["depth"], 1);
    assert!(entries[..stack].iter().any(|e| e["kind"] == "tool_call"));
    assert!(entries[..stack].iter().any(|e| e["kind"] == "prompt"));
    assert!(entries.iter().any(|e| e["kind"] == "incident_start"));
}

#[test]
fn timeline_of_an_incident_matches_its_snapshot() {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_trailblame"));
    c.args([
        "timeline",
        "--incident",
        "INC-2291",
        "-q",
        "--config-from-inputs",
    ])
    .arg(sample())
    .env("COLUMNS", "140");
    let r = run_cmd(&mut c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("DeleteStack"), "{}", r.stdout);
    snapshot("timeline-inc-2291.txt", &stable(&r.stdout));
    // An unknown incident is a clear error.
    let r = run(&[
        "timeline",
        "--incident",
        "INC-0",
        sample().to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("INC-0"), "{}", r.stderr);
    // An actor alone is enough (issue 22): the window is the data's span.
    let r = run(&[
        "timeline",
        "--actor",
        "kiro",
        sample().to_str().unwrap(),
        "-q",
        "--config-from-inputs",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("DeleteStack"), "{}", r.stdout);
}

#[test]
fn timeline_json_nests_events_under_the_tool_call_that_caused_them() {
    let r = run(&[
        "timeline",
        "--actor",
        "dave",
        "--since",
        "2025-12-10T15:00:00Z",
        "--until",
        "2025-12-10T17:00:00Z",
        sample().to_str().unwrap(),
        "--format",
        "json",
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    let entries = doc["sections"][0]["blocks"][0]["content"]["entries"]
        .as_array()
        .unwrap()
        .clone();
    assert!(!entries.is_empty());
    // Times never go back at the top level; every depth-1 entry follows a
    // tool call or another depth-1 entry.
    let mut last = String::new();
    for (i, e) in entries.iter().enumerate() {
        if e["depth"] == 0 {
            let t = e["time"].as_str().unwrap().to_string();
            assert!(t >= last, "{t} before {last}");
            last = t;
        } else {
            let prev = &entries[i - 1];
            assert!(prev["kind"] == "tool_call" || prev["depth"] == 1, "{prev}");
        }
    }
    assert!(entries.iter().any(|e| e["kind"] == "prompt"));
    assert!(entries.iter().any(|e| e["depth"] == 1));
}

/// The attribution fixture plus a record whose user agent is markup.
fn hostile_fixture(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    copy_dir(&fixtures().join("attribution"), &data);
    let record = serde_json::json!({"Records": [{
        "eventVersion": "1.10",
        "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": "arn:aws:iam::111122223333:user/mallory",
                         "accountId": "111122223333", "userName": "mallory"},
        "eventTime": "2026-01-16T10:20:00Z", "eventSource": "s3.amazonaws.com", "eventName": "PutBucketPolicy",
        "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.9",
        "userAgent": "<script>alert(1)</script>\"><img src=x onerror=alert(2)>",
        "requestParameters": {"bucketName": "demo-tmp-bucket"}, "responseElements": null,
        "eventID": "0a8f3b2e-9999-4c1d-9a00-000000000099", "readOnly": false, "eventType": "AwsApiCall",
        "managementEvent": true, "recipientAccountId": "111122223333", "eventCategory": "Management"
    }]});
    std::fs::write(data.join("hostile.json"), record.to_string()).unwrap();
    data
}

#[test]
fn html_report_loads_in_a_browser_and_shows_markup_from_logs_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let data = hostile_fixture(dir.path());
    let html = dir.path().join("report.html");
    let r = run(&[
        "report",
        data.to_str().unwrap(),
        "--format",
        "html",
        "-o",
        html.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(!page.contains("<script"), "an unescaped script tag");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let out = std::process::Command::new("python3")
        .arg(root().join("scripts/browser_check.py"))
        .arg(&html)
        .args([
            "--expect-section",
            "headline",
            "--expect-section",
            "who-acted",
        ])
        .args([
            "--expect-section",
            "destructive",
            "--expect-section",
            "coverage",
        ])
        .args(["--expect-text", "<script>alert(1)</script>"])
        .args(["--expect-text", "\"><img src=x onerror=alert(2)>"])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "browser check failed (scripts/test-deps installs chromium and selenium):\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn report_options_are_checked() {
    let r = run(&[
        "report",
        sample().to_str().unwrap(),
        "--week",
        "2025-W99",
        "-q",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("ISO week"), "{}", r.stderr);
    // A week without events still reports, and says there is nothing.
    let r = run(&[
        "report",
        sample().to_str().unwrap(),
        "--week",
        "2025-W40",
        "--format",
        "json",
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["sections"][0]["blocks"][1]["content"][0]["value"], "0");
}

#[test]
fn a_bad_incident_row_is_named_left_out_and_noted_in_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let inc = dir.path().join("incidents.csv");
    std::fs::write(
        &inc,
        "id,title,severity,started_at,resources\n\
         I-1,bucket gone,SEV2,2026-01-16T10:05:00Z,arn:aws:s3:::demo-tmp-bucket\n\
         I-2,broken,SEV3,yesterday-ish,x\n",
    )
    .unwrap();
    let r = run(&[
        "report",
        fixtures().join("attribution").to_str().unwrap(),
        "--incidents",
        inc.to_str().unwrap(),
        "--format",
        "md",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("incidents.csv: line 3"), "{}", r.stderr);
    assert!(
        r.stdout.contains("1 row(s) could not be read"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("I-1"), "{}", r.stdout);
}

#[test]
fn query_params_fill_placeholders_as_quoted_literals() {
    let sql = "SELECT COUNT(*) AS n FROM events WHERE actor = :actor";
    let r = run(&[
        "query",
        sql,
        sample().to_str().unwrap(),
        "--param",
        "actor=kiro",
        "--format",
        "json",
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows: Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(rows[0]["n"].as_u64().unwrap() > 0, "{rows}");
    // A quote in the value stays inside the literal: no rows, no error.
    let r = run(&[
        "query",
        sql,
        sample().to_str().unwrap(),
        "--param",
        "actor=x' OR '1'='1",
        "--format",
        "json",
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(rows[0]["n"], 0, "{rows}");
    // A placeholder without a value is named.
    let r = run(&["query", sql, sample().to_str().unwrap(), "-q"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--param actor="), "{}", r.stderr);
}

/// Issue 22, item 8: the sample's report at 1280 px is under 15,000 px tall
/// with its timelines folded, and no main table scrolls sideways.
#[test]
fn issue22_sample_report_fits_1280_px_and_folds_its_timelines() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let r = run(&[
        "report",
        sample().to_str().unwrap(),
        "--format",
        "html",
        "-o",
        html.to_str().unwrap(),
        "-q",
        "--config-from-inputs",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let page = std::fs::read_to_string(&html).unwrap();
    let folded = page.matches("<details class=\"timeline tl-fold\"").count();
    assert!(folded >= 3, "{folded} folded timelines");
    assert!(
        !page.contains("<div class=\"timeline\""),
        "an open timeline"
    );
    // No snake_case header in the coverage tables.
    let coverage = &page[page.find("id=\"coverage\"").unwrap()..];
    for th in coverage.split("<th scope=\"col\"").skip(1) {
        let name = &th[th.find('>').unwrap() + 1..th.find("</th>").unwrap()];
        assert!(!name.contains('_'), "header {name:?}");
    }
    let out = std::process::Command::new("python3")
        .arg(root().join("scripts/browser_check.py"))
        .arg(&html)
        .args(["--window", "1280x900", "--max-height", "15000"])
        .arg("--no-horizontal-scroll")
        .args(["--expect-section", "timelines"])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Issue 22, item 7: the headline's arrow sits next to the change it shows,
/// and the shares are named as shares.
#[test]
fn issue22_headline_puts_the_change_beside_its_arrow() {
    let r = run(&[
        "report",
        sample().to_str().unwrap(),
        "--format",
        "json",
        "-q",
        "--config-from-inputs",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    let metrics = doc["sections"][0]["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["type"] == "metrics")
        .unwrap()["content"]
        .as_array()
        .unwrap()
        .clone();
    let events = metrics.iter().find(|m| m["label"] == "Actions").unwrap();
    let detail = events["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("none in ") || detail.contains("% vs "),
        "the change comes first: {detail}"
    );
    assert!(detail.contains("of these, AI agents "), "{detail}");
    // No "interval 0–∞" without saying what it means.
    assert!(
        !r.stdout.contains("interval 0–∞"),
        "an unexplained 0–∞ interval"
    );
}
