//! Attribution end to end: the binary on a CloudTrail file and a Claude Code
//! transcript in their real formats (tests/fixtures/attribution): bob's
//! agent and bob himself share his SSO credentials and an old CLI.

mod common;

use common::*;
use std::path::{Path, PathBuf};

fn fixture() -> PathBuf {
    fixtures().join("attribution")
}

const SESSION: &str = "5b2f7c1e-8d4a-4f6b-9c3e-2a1b0c9d8e7f";

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines().map(split_csv_line).collect()
}

#[test]
fn attribute_csv_has_the_required_columns_and_separates_agent_from_human() {
    let r = run(&[
        "attribute",
        fixture().to_str().unwrap(),
        "--format",
        "csv",
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows = csv_rows(&r.stdout);
    let header = &rows[0];
    for c in [
        "event_id",
        "actor_kind",
        "actor",
        "operator",
        "agent_session_id",
        "tool_call_id",
        "confidence",
        "evidence",
    ] {
        assert!(
            header.iter().any(|h| h == c),
            "missing column {c}: {header:?}"
        );
    }
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let by_id = |id: &str| {
        rows.iter()
            .find(|r| r[0] == id)
            .unwrap_or_else(|| panic!("no row {id}"))
            .clone()
    };
    for id in [
        "0a8f3b2e-1111-4c1d-9a00-000000000001",
        "0a8f3b2e-1111-4c1d-9a00-000000000002",
        "0a8f3b2e-1111-4c1d-9a00-000000000003",
    ] {
        let row = by_id(id);
        assert_eq!(row[col("actor_kind")], "ai", "{row:?}");
        assert_eq!(row[col("actor")], "claude-code");
        assert_eq!(row[col("operator")], "bob@example.com");
        assert_eq!(row[col("agent_session_id")], SESSION);
        assert_eq!(row[col("tool_call_id")], "toolu_01RB");
        assert!(row[col("evidence")].contains("transcript:"), "{row:?}");
    }
    for id in [
        "0a8f3b2e-2222-4c1d-9a00-000000000004",
        "0a8f3b2e-2222-4c1d-9a00-000000000005",
        "0a8f3b2e-3333-4c1d-9a00-000000000006",
    ] {
        let row = by_id(id);
        assert_eq!(row[col("actor_kind")], "human", "{row:?}");
        assert_eq!(row[col("actor")], "bob@example.com");
        assert_eq!(row[col("tool_call_id")], "");
    }
    let svc = by_id("0a8f3b2e-4444-4c1d-9a00-000000000007");
    assert_eq!(svc[col("actor_kind")], "service");
}

#[test]
fn the_store_keeps_the_attribution_and_sql_sees_it_on_events() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s");
    let r = run(&[
        "ingest",
        fixture().to_str().unwrap(),
        "--store",
        store.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("attribution: 8 events"), "{}", r.stderr);
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) AS n FROM events WHERE actor_kind = 'ai'"
        ),
        3
    );
    assert_eq!(count(&store, "SELECT COUNT(*) AS n FROM attribution"), 8);
    // The summary gains the split.
    let r = run(&["summary", "--store", store.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Who acted"), "{}", r.stdout);
    assert!(r.stdout.contains("claude-code"), "{}", r.stdout);
    // Changed settings make the stored attribution stale: it is rebuilt.
    let cfg = dir.path().join("t.toml");
    std::fs::write(&cfg, "[aliases]\n\"bob@example.com\" = \"Bob Smith\"\n").unwrap();
    let r = run(&[
        "attribute",
        "--store",
        store.to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
        "--kind",
        "human",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("attribution rebuilt"), "{}", r.stderr);
    assert!(r.stdout.contains("Bob Smith"), "{}", r.stdout);
    // Run again with the same settings: nothing to rebuild.
    let r = run(&[
        "attribute",
        "--store",
        store.to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
    ]);
    assert!(!r.stderr.contains("rebuilt"), "{}", r.stderr);
    // And a second rebuild with other settings replaces the first cleanly.
    std::fs::write(&cfg, "[aliases]\n\"bob@example.com\" = \"Bobby\"\n").unwrap();
    let r = run(&[
        "attribute",
        "--store",
        store.to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Bobby") && !r.stdout.contains("Bob Smith"));
    assert_eq!(count(&store, "SELECT COUNT(*) AS n FROM attribution"), 8);
}

#[test]
fn explain_shows_the_command_the_transcript_and_the_alternatives() {
    let r = run(&[
        "explain",
        "0a8f3b2e-1111-4c1d-9a00-000000000003",
        fixture().to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for want in [
        "label: ai claude-code, operator bob@example.com",
        "aws s3 rb s3://demo-tmp-bucket --force",
        "transcript up to the call's result",
        "The demo-tmp bucket is left over",
        "candidate tool calls",
        "transcript:5b2f7c1e",
    ] {
        assert!(r.stdout.contains(want), "missing {want:?} in\n{}", r.stdout);
    }
    // A human event: no candidate, and why.
    let r = run(&[
        "explain",
        "0a8f3b2e-2222-4c1d-9a00-000000000005",
        fixture().to_str().unwrap(),
        "-q",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["actor_kind"], "human");
    assert_eq!(v["candidates"].as_array().unwrap().len(), 0);
    // An id that is not there.
    let r = run(&["explain", "nope", fixture().to_str().unwrap(), "-q"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no event with event_id"), "{}", r.stderr);
}

#[test]
fn a_bad_settings_file_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("bad.toml");
    std::fs::write(&cfg, "[join]\nskew = 3\n").unwrap();
    let r = run(&[
        "attribute",
        fixture().to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("bad.toml") && r.stderr.contains("skew"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_settings_file_at_the_top_of_an_input_folder_is_announced_and_used_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("logs");
    copy_dir(&fixture(), &input);
    std::fs::write(
        input.join("trailblame.toml"),
        "[join]\nskew_before_secs = 0\nskew_after_secs = 0\nmax_call_secs = 1\n[aliases]\n\"bob@example.com\" = \"Robert\"\n",
    )
    .unwrap();
    // Issue 23: input folders hold data from elsewhere; their settings
    // relabel events, so they are announced and not applied unasked.
    let r = run(&["attribute", input.to_str().unwrap(), "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains("\"Robert\""), "{}", r.stdout);
    assert!(
        r.stderr
            .contains("trailblame.toml found in an input folder and not applied"),
        "{}",
        r.stderr
    );
    let r = run(&[
        "attribute",
        input.to_str().unwrap(),
        "--format",
        "json",
        "--config-from-inputs",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("\"Robert\""), "{}", r.stdout);
    assert!(r.stderr.contains("note: settings from"), "{}", r.stderr);
    // The settings file itself is not taken for a log.
    let r = run(&[
        "ingest",
        input.to_str().unwrap(),
        "--store",
        dir.path().join("s").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn print_config_prints_the_commented_defaults() {
    let r = run(&["attribute", "--print-config"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("[join]") && r.stdout.contains("skew_before_secs"));
}

#[test]
fn ingest_without_attribution_leaves_it_to_the_first_reader() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s");
    let r = run(&[
        "ingest",
        fixture().to_str().unwrap(),
        "--store",
        store.to_str().unwrap(),
        "--no-attribution",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("attribution:"), "{}", r.stderr);
    let r = run(&[
        "query",
        "SELECT COUNT(*) AS n FROM events WHERE actor_kind = 'ai'",
        "--store",
        store.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("attribution rebuilt"), "{}", r.stderr);
    assert_eq!(r.stdout.lines().nth(1), Some("3"));
}

#[test]
fn destructive_lists_calls_by_actor_flags_failed_attempts_and_finds_bursts() {
    let r = run(&[
        "destructive",
        fixture().to_str().unwrap(),
        "-q",
        "--format",
        "json",
        "--burst-calls",
        "2",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let events = v["events"].as_array().unwrap();
    let find = |name: &str, kind: &str| {
        events
            .iter()
            .filter(|e| e["event_name"] == name && e["actor_kind"] == kind)
            .cloned()
            .collect::<Vec<_>>()
    };
    // The agent emptied the bucket, then deleted it: critical, no approval.
    let agent_rb = &find("DeleteBucket", "ai")[0];
    assert_eq!(agent_rb["severity"], "critical", "{agent_rb}");
    assert_eq!(
        agent_rb["catalog_rule"],
        "s3:DeleteBucket[after_delete_objects]"
    );
    assert_eq!(agent_rb["approval"], "unknown");
    assert_eq!(agent_rb["human_last_spoke_secs"], 8);
    // Bob's failed DeleteTable is listed as an attempt, not as damage.
    let failed = &find("DeleteTable", "human")[0];
    assert_eq!(failed["outcome"], "failed: AccessDenied");
    let by_actor = v["by_actor"].as_array().unwrap();
    let bob_table = by_actor
        .iter()
        .find(|r| {
            r["actor"] == "bob@example.com"
                && r["destructive_category"] == "data_loss"
                && r["failed_attempts"] == 1
        })
        .unwrap_or_else(|| panic!("{by_actor:?}"));
    // Bob's two bucket deletes did damage; his DeleteTable did not.
    assert_eq!(bob_table["done"], 2, "{bob_table}");
    // Two deletes by the agent within seconds are a burst at --burst-calls 2;
    // bob's two bucket deletes 30 minutes apart are not.
    let bursts = v["bursts"].as_array().unwrap();
    assert_eq!(bursts.len(), 1, "{bursts:?}");
    assert_eq!(bursts[0]["actor"], "claude-code");
    assert_eq!(bursts[0]["destructive_calls"], 2);
    // --min-severity cuts the list.
    let r = run(&[
        "destructive",
        fixture().to_str().unwrap(),
        "-q",
        "--show",
        "events",
        "--format",
        "csv",
        "--min-severity",
        "critical",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 2, "{}", r.stdout);
}

#[test]
fn privileges_split_one_sso_role_between_the_agent_and_its_person() {
    let dir = tempfile::tempdir().unwrap();
    let pol = dir.path().join("policies");
    let iam = fixtures().join("iam/account-111122223333.json");
    let r = run(&[
        "privileges",
        fixture().to_str().unwrap(),
        "--iam",
        iam.to_str().unwrap(),
        "--suggest-policy",
        pol.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The agent works through bob's admin-equivalent SSO role: a finding.
    assert!(
        r.stderr
            .contains("finding: AI agent claude-code acts with admin-equivalent rights"),
        "{}",
        r.stderr
    );
    let rows: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    let agent = rows
        .iter()
        .find(|x| x["actor"] == "claude-code")
        .unwrap_or_else(|| panic!("{rows:?}"));
    assert_eq!(agent["iam"], "matched");
    assert_eq!(agent["used_actions"], 3, "{agent}");
    assert_eq!(agent["admin_equivalent"], true);
    assert!(agent["granted_actions"].as_u64().unwrap() > 20_000);
    // The suggested policy allows what the agent used and nothing destructive it never used.
    let file = std::fs::read_dir(&pol)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("ai_claude-code"))
        .expect("a policy for the agent");
    let text = std::fs::read_to_string(file).unwrap();
    for want in ["s3:DeleteBucket", "s3:DeleteObject", "s3:ListBucket"] {
        assert!(text.contains(want), "{want} missing: {text}");
    }
    assert!(
        !text.contains("dynamodb:DeleteTable") && !text.contains("s3:*"),
        "{text}"
    );
}

#[test]
fn incident_columns_come_from_the_settings_and_bad_rows_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let inc = dir.path().join("ops.csv");
    std::fs::write(
        &inc,
        "Ref,Opened (UTC),Affected\nOPS-1,2026-01-16T10:05:00Z,arn:aws:s3:::demo-tmp-bucket\nOPS-2,not a time,x\n",
    )
    .unwrap();
    let cfg = dir.path().join("t.toml");
    std::fs::write(
        &cfg,
        "[incidents.columns]\nid = [\"Ref\"]\nstarted_at = [\"Opened (UTC)\"]\nresources = [\"Affected\"]\n",
    )
    .unwrap();
    let r = run(&[
        "incidents",
        "--incidents",
        inc.to_str().unwrap(),
        fixture().to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
        "--format",
        "json",
    ]);
    // One row could not be read: reported with its line, exit status 1.
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("ops.csv: line 3"), "{}", r.stderr);
    let rows: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let first = &rows.as_array().unwrap()[0];
    assert_eq!(first["incident_id"], "OPS-1");
    assert_eq!(first["actor"], "claude-code", "{first}");
    assert!(
        ["DeleteObject", "DeleteBucket"].contains(&first["event_name"].as_str().unwrap()),
        "{first}"
    );
    // An unknown field in the settings is an error naming it.
    std::fs::write(&cfg, "[incidents.columns]\nstart = [\"x\"]\n").unwrap();
    let r = run(&[
        "incidents",
        "--incidents",
        inc.to_str().unwrap(),
        fixture().to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no field \"start\""), "{}", r.stderr);
}

/// Attribution reads the events parts on a thread of its own while it takes
/// in the previous one: a part that cannot be read still stops it with the
/// part's name, after the parts before it were read.
#[test]
fn an_unreadable_events_part_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s");
    ingest_quietly(&sample(), &store);
    let mut parts: Vec<_> = walkdir::WalkDir::new(store.join("events"))
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "parquet"))
        .collect();
    parts.sort();
    assert!(parts.len() > 2, "{parts:?}");
    // Parts are read a few at a time: the message still names the one that
    // failed, not the batch (the sample store has 7 parts, read 4 + 3).
    let last = parts.last().unwrap();
    std::fs::write(last, b"not parquet").unwrap();
    let r = run(&["explain", "nope", "--store", store.to_str().unwrap(), "-q"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let name = last.file_name().unwrap().to_str().unwrap();
    assert!(r.stderr.contains(name), "{}", r.stderr);
    assert!(!r.stderr.contains("no event with event_id"), "{}", r.stderr);
}

/// The approval, rule and call of each AI event in a store.
fn ai_rows(store: &std::path::Path) -> Vec<serde_json::Value> {
    query(
        store,
        "SELECT event_key, action_id, actor, agent_session_id, tool_call_id, approval, approval_rule \
         FROM attribution WHERE actor_kind = 'ai' ORDER BY event_key",
    )
}

#[test]
fn issue_19_a_hook_log_alone_attributes_the_calls_with_the_recorded_approval() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    copy_dir(&fixture().join("cloudtrail"), &input.join("cloudtrail"));
    copy_dir(
        &fixtures().join("transcripts/claude-hooks/home"),
        &input.join("home"),
    );
    let store = dir.path().join("s");
    let r = run(&[
        "ingest",
        input.to_str().unwrap(),
        "--store",
        store.to_str().unwrap(),
    ]);
    // The fixture log holds a hand-piped payload and a cut line.
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("hook-log.jsonl: line 11"), "{}", r.stderr);
    assert!(r.stderr.contains("hook-log.jsonl: line 18"), "{}", r.stderr);
    let rows = ai_rows(&store);
    assert_eq!(rows.len(), 3, "{rows:?}");
    for row in &rows {
        assert_eq!(row["actor"], "claude-code", "{row}");
        assert_eq!(
            row["agent_session_id"],
            "9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f"
        );
        assert_eq!(row["tool_call_id"], "toolu_H1RB");
        assert_eq!(row["approval"], "approved", "{row}");
    }
    let files = query(
        &store,
        "SELECT kind, records_read, kept, skipped, quarantined FROM ingested_files \
         WHERE path LIKE '%hook-log.jsonl'",
    );
    assert_eq!(files[0]["kind"], "transcript:claude-hook-log");
    assert_eq!(files[0]["records_read"], 22);
    assert_eq!(files[0]["quarantined"], 2);
    let arr = query(
        &store,
        "SELECT kind FROM ingested_files WHERE path LIKE '%pre_tool_use.json'",
    );
    assert_eq!(arr[0]["kind"], "transcript:claude-hook-log");
}

#[test]
fn issue_19_a_hook_log_beside_the_transcript_decides_the_approval() {
    let dir = tempfile::tempdir().unwrap();
    let alone = dir.path().join("alone");
    ingest_quietly(&fixture(), &alone);
    let before = ai_rows(&alone);
    assert_eq!(before.len(), 3);
    // acceptEdits says nothing about a Bash call: unknown, never "no".
    assert!(
        before.iter().all(|r| r["approval"] == "unknown"),
        "{before:?}"
    );

    let both = dir.path().join("both");
    let r = run(&[
        "ingest",
        fixture().to_str().unwrap(),
        fixtures()
            .join("transcripts/claude-hooks/merge")
            .to_str()
            .unwrap(),
        "--store",
        both.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let after = ai_rows(&both);
    assert_eq!(after.len(), 3);
    for row in &after {
        assert_eq!(row["tool_call_id"], "toolu_01RB");
        assert_eq!(row["approval"], "approved", "{row}");
    }
    // One call, recorded by two files.
    assert_eq!(
        count(
            &both,
            "SELECT COUNT(*) AS n FROM tool_calls WHERE call_id = 'toolu_01RB'"
        ),
        2
    );
}

/// A Claude Code session seen only through the organisation's telemetry
/// (no transcript, no hook log on the machine), on a person's own
/// credentials with an old CLI that stamps no agent marker: the events are
/// the agent's, with the approval the telemetry recorded; the person comes
/// from `user.email` through `--operator-map`.
#[test]
fn issue_19_telemetry_alone_attributes_the_calls_with_the_recorded_approval() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("operators.txt");
    std::fs::write(&map, "dana@example.com = bob@example.com\n").unwrap();
    let store = dir.path().join("s");
    let r = run(&[
        "ingest",
        fixture().join("cloudtrail").to_str().unwrap(),
        fixtures()
            .join("transcripts/otel/collector-file-exporter.jsonl")
            .to_str()
            .unwrap(),
        "--store",
        store.to_str().unwrap(),
        "--operator-map",
        map.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "the fixture has a cut line: {}", r.stderr);
    assert!(
        r.stderr.contains("collector-file-exporter.jsonl: line 5"),
        "{}",
        r.stderr
    );
    let rows = ai_rows(&store);
    assert_eq!(rows.len(), 3, "{rows:?}");
    let call = rows[0]["tool_call_id"].clone();
    assert!(call.is_string(), "{rows:?}");
    for row in &rows {
        assert_eq!(row["actor"], "claude-code", "{row}");
        assert_eq!(
            row["agent_session_id"],
            "7e3a9b1c-2d4f-4e6a-8b0c-1d2e3f4a5b6c"
        );
        assert_eq!(row["tool_call_id"], call);
        assert_eq!(row["approval"], "approved", "{row}");
    }
    // The three events are one decision: one tool call, one action.
    assert!(
        rows.iter()
            .all(|r| r["action_id"] == rows[0]["action_id"] && r["action_id"].is_string()),
        "{rows:?}"
    );
}

/// A GitHub Copilot CLI session on the person's own credentials with an
/// old CLI (no `m/AV` marker): the bucket deletion's events are the
/// agent's, with the approval the user gave in the permission dialog.
#[test]
fn issue_19_a_copilot_cli_session_is_attributed_with_the_dialog_answer() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    copilot_inputs(&input);
    let store = dir.path().join("s");
    let r = run(&[
        "ingest",
        input.to_str().unwrap(),
        "--store",
        store.to_str().unwrap(),
    ]);
    assert_eq!(
        r.code, 1,
        "the session has two malformed lines: {}",
        r.stderr
    );
    let rows = ai_rows(&store);
    assert_eq!(rows.len(), 3, "{rows:?}");
    for row in &rows {
        assert_eq!(row["actor"], "copilot-cli", "{row}");
        assert_eq!(
            row["agent_session_id"],
            "3f2a1b0c-9d8e-4f7a-b6c5-d4e3f2a1b0c9"
        );
        assert_eq!(row["tool_call_id"], "toolu_vrtx_01A");
        assert_eq!(row["approval"], "approved", "{row}");
    }
    // The three events are one decision: one tool call, one action.
    assert!(
        rows.iter()
            .all(|r| r["action_id"] == rows[0]["action_id"] && r["action_id"].is_string()),
        "{rows:?}"
    );
}

/// Issue 17: two different records that share an eventID (the AWS
/// documentation samples have such a pair) are two events, and each keeps
/// its own label; the attribution has one row per stored event.
#[test]
fn records_that_share_an_event_id_keep_their_own_labels() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let id = "4d6f2a10-6b1c-4e0b-9d0e-0a1b2c3d4e5f";
    let doc = serde_json::json!({"Records": [
        {
            "eventVersion": "1.08", "eventID": id, "eventTime": "2025-12-08T09:00:00Z",
            "eventSource": "sts.amazonaws.com", "eventName": "AssumeRoleWithSAML",
            "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.5",
            "userAgent": "Mozilla/5.0", "readOnly": true, "eventType": "AwsApiCall",
            "recipientAccountId": "111122223333",
            "userIdentity": {"type": "SAMLUser", "principalId": "SAMPLE:alice@example.com",
                             "userName": "alice@example.com"}
        },
        {
            "eventVersion": "1.08", "eventID": id, "eventTime": "2025-12-08T09:05:00Z",
            "eventSource": "s3.amazonaws.com", "eventName": "DeleteBucket",
            "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.9",
            "userAgent": "aws-cli/2.32.0 md/awscrt#0.28.4 ua/2.1 os/linux#6.8 m/b,AN md/command#s3api.delete-bucket",
            "readOnly": false, "eventType": "AwsApiCall", "recipientAccountId": "111122223333",
            "requestParameters": {"bucketName": "shared-id-bucket"},
            "userIdentity": {"type": "AssumedRole", "principalId": "AROAEXAMPLE:bob",
                "arn": "arn:aws:sts::111122223333:assumed-role/Dev/bob",
                "sessionContext": {"sessionIssuer": {"type": "Role",
                    "arn": "arn:aws:iam::111122223333:role/Dev", "userName": "Dev"}}}
        }
    ]});
    std::fs::write(input.join("shared.json"), doc.to_string()).unwrap();
    let store = dir.path().join("s");
    ingest_quietly(&input, &store);
    assert_eq!(count(&store, "SELECT COUNT(*) AS n FROM events"), 2);
    assert_eq!(count(&store, "SELECT COUNT(*) AS n FROM attribution"), 2);
    let rows = query(
        &store,
        "SELECT event_name, actor_kind, destructive_category FROM events ORDER BY event_name",
    );
    let get = |r: &serde_json::Value, k: &str| r[k].as_str().map(str::to_owned);
    assert_eq!(
        get(&rows[0], "event_name").as_deref(),
        Some("AssumeRoleWithSAML")
    );
    assert_eq!(get(&rows[0], "actor_kind").as_deref(), Some("human"));
    assert_eq!(get(&rows[0], "destructive_category"), None, "{rows:?}");
    assert_eq!(get(&rows[1], "event_name").as_deref(), Some("DeleteBucket"));
    assert_eq!(get(&rows[1], "actor_kind").as_deref(), Some("ai"));
    assert!(get(&rows[1], "destructive_category").is_some(), "{rows:?}");
    // `explain` by the shared id names the other event's key.
    let r = run(&["explain", id, "--store", store.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("1 other event(s) share this eventID"),
        "{}",
        r.stdout
    );
}

/// The AWS documentation samples hold records that share an eventID: every
/// stored event has exactly one attribution row.
#[test]
fn the_documentation_samples_have_one_attribution_row_per_event() {
    let samples =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/samples/cloudtrail");
    if !samples.exists() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s");
    let r = run(&[
        "ingest",
        samples.to_str().unwrap(),
        "--store",
        store.to_str().unwrap(),
        "-q",
    ]);
    assert!(r.code <= 1, "{}", r.stderr);
    let events = count(&store, "SELECT COUNT(*) AS n FROM events");
    assert!(events > 0);
    assert_eq!(
        count(&store, "SELECT COUNT(*) AS n FROM attribution"),
        events
    );
    let shared = count(
        &store,
        "SELECT COUNT(*) AS n FROM (SELECT event_id FROM events GROUP BY event_id HAVING COUNT(*) > 1)",
    );
    assert!(shared > 0, "the samples have events that share an eventID");
}

/// Issue 23: a tool call appended to a person's Claude Code log by hand,
/// dated to fit their own `DeleteBucket` but hung off a parent the file
/// does not hold, is flagged and counts less than the genuine calls.
#[test]
fn issue_23_a_forged_call_appended_to_a_transcript_is_flagged_and_counts_less() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    copy_dir(&fixture(), &input);
    let log = input.join(format!(
        "home/bob/.claude/projects/-home-bob-src-app/{SESSION}.jsonl"
    ));
    let head = format!(
        r#""isSidechain":false,"userType":"external","cwd":"/home/bob/src/app","sessionId":"{SESSION}","version":"2.0.31","gitBranch":"main""#
    );
    // Bob deleted old-notes himself at 10:30:00 (event …0005).
    let forged = [
        format!(
            r#"{{"parentUuid":"7d1e0c55-0000-4000-8000-00000000dead",{head},"type":"assistant","uuid":"f1","timestamp":"2026-01-16T10:29:58.000Z","requestId":"req_f1","message":{{"model":"claude-sonnet-4-5-20250929","id":"msg_f1","type":"message","role":"assistant","content":[{{"type":"tool_use","id":"toolu_01FORGED","name":"Bash","input":{{"command":"aws s3 rb s3://old-notes","description":"Remove the bucket"}}}}]}}}}"#
        ),
        format!(
            r#"{{"parentUuid":"f1",{head},"type":"user","uuid":"f2","timestamp":"2026-01-16T10:30:01.000Z","message":{{"role":"user","content":[{{"tool_use_id":"toolu_01FORGED","type":"tool_result","content":"remove_bucket: old-notes","is_error":false}}]}}}}"#
        ),
    ];
    let mut text = std::fs::read_to_string(&log).unwrap();
    for l in &forged {
        text.push_str(l);
        text.push('\n');
    }
    std::fs::write(&log, text).unwrap();
    let store = dir.path().join("s");
    ingest_quietly(&input, &store);
    let breaks = query(
        &store,
        "SELECT call_id, chain_break FROM tool_calls WHERE chain_break IS NOT NULL",
    );
    assert_eq!(breaks.len(), 1, "{breaks:?}");
    assert_eq!(breaks[0]["call_id"], "toolu_01FORGED");
    assert!(
        breaks[0]["chain_break"]
            .as_str()
            .unwrap()
            .starts_with("parent_not_found: parentUuid 7d1e0c55"),
        "{breaks:?}"
    );
    let rows = query(
        &store,
        "SELECT e.event_id, a.actor_kind, a.tool_call_id, a.confidence, a.evidence, a.reason \
         FROM events e JOIN attribution a ON a.event_key = e.event_key \
         WHERE e.event_id IN ('0a8f3b2e-1111-4c1d-9a00-000000000003', '0a8f3b2e-2222-4c1d-9a00-000000000005') \
         ORDER BY e.event_id",
    );
    assert_eq!(rows.len(), 2, "{rows:?}");
    let (genuine, fake) = (&rows[0], &rows[1]);
    assert_eq!(genuine["tool_call_id"], "toolu_01RB", "{genuine}");
    assert_eq!(fake["tool_call_id"], "toolu_01FORGED", "{fake}");
    let conf = |r: &serde_json::Value| r["confidence"].as_f64().unwrap();
    assert!(conf(genuine) >= 0.9, "{genuine}");
    assert!(conf(fake) <= 0.6 && conf(fake) < conf(genuine), "{fake}");
    assert!(
        fake["evidence"]
            .to_string()
            .contains("inconsistent:parent_not_found:"),
        "{fake}"
    );
    assert!(
        fake["reason"]
            .as_str()
            .unwrap()
            .contains("transcript chain broken: parentUuid 7d1e0c55"),
        "{fake}"
    );
}

/// Issue 19: a Cursor session on the person's own credentials with an old
/// CLI (no `m/AW` marker). The hook log's `aws s3 rb` (exact command and
/// time) takes the bucket deletion's events; the transcript's copy of the
/// call has no time and takes none. Cursor's hooks record no approval.
#[test]
fn issue_19_a_cursor_hook_log_attributes_the_calls_to_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    cursor_inputs(&input);
    let store = dir.path().join("s");
    let r = run(&[
        "ingest",
        input.to_str().unwrap(),
        "--store",
        store.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "the fixtures have damaged lines: {}", r.stderr);
    let rows = ai_rows(&store);
    assert_eq!(rows.len(), 3, "{rows:?}");
    let call = rows[0]["tool_call_id"].clone();
    assert!(
        call.as_str().is_some_and(|c| c.starts_with("cursor-hook-")),
        "{rows:?}"
    );
    for row in &rows {
        assert_eq!(row["actor"], "cursor", "{row}");
        assert_eq!(
            row["agent_session_id"],
            "c9a1f2e3-4b5d-4e6f-8a7b-9c0d1e2f3a4b"
        );
        assert_eq!(row["tool_call_id"], call);
        assert_eq!(row["approval"], "unknown", "{row}");
    }
    let r = run(&[
        "explain",
        "0a8f3b2e-3333-4c1d-9a00-000000000003",
        "--store",
        store.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for want in [
        "label: ai cursor",
        "aws s3 rb s3://cursor-scratch-2025 --force",
        "Cursor hook log",
    ] {
        assert!(r.stdout.contains(want), "missing {want:?} in\n{}", r.stdout);
    }
}

/// Issue 19: OpenCode's `aws dynamodb delete-table` call, a row only in
/// the database's `-wal`, is the DeleteTable event's cause: `attribute`
/// and `explain` name the agent `opencode`, its session and call, and the
/// approval the store leaves unknown (the session's rule says "ask").
#[test]
fn issue_19_an_opencode_delete_table_call_is_attributed_to_opencode() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let event_id = opencode_inputs(&input);
    let store = dir.path().join("s");
    let r = run(&[
        "ingest",
        input.to_str().unwrap(),
        "--store",
        store.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "the database has two damaged rows: {}", r.stderr);
    let rows = ai_rows(&store);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["actor"], "opencode");
    assert_eq!(
        rows[0]["agent_session_id"],
        "ses_3c7a9e1f2b4dAg7KqP0xWmZr5N"
    );
    assert_eq!(rows[0]["tool_call_id"], "toolu_oc_05");
    assert_eq!(rows[0]["approval"], "unknown");

    let r = run(&[
        "attribute",
        "--store",
        store.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let row = v
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event_id"] == event_id)
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(row["actor"], "opencode", "{row}");

    let r = run(&["explain", event_id, "--store", store.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for want in [
        "ai opencode",
        "aws dynamodb delete-table --table-name orders-staging --region eu-west-1",
        "toolu_oc_05",
    ] {
        assert!(r.stdout.contains(want), "missing {want:?} in\n{}", r.stdout);
    }
}

/// Writes into `input/cloudtrail/<file>` the three events of bob's `aws s3
/// rb` (the fixture's first three records) as another person made them:
/// each `(from, to)` pair rewrites the records' text.
fn rb_events_as(input: &Path, file: &str, rewrites: &[(&str, &str)]) {
    let src = fixture().join(
        "cloudtrail/AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/16/\
         111122223333_CloudTrail_us-east-1_20260116T1005Z_Hq3kV9x2LmN8pR4t.json",
    );
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(src).unwrap()).unwrap();
    let records: Vec<serde_json::Value> = v["Records"].as_array().unwrap()[..3].to_vec();
    let mut text = serde_json::json!({ "Records": records }).to_string();
    for (from, to) in rewrites {
        text = text.replace(from, to);
    }
    let ct = input.join("cloudtrail").join(file);
    std::fs::create_dir_all(ct.parent().unwrap()).unwrap();
    std::fs::write(&ct, text).unwrap();
}

/// Puts into `input` dee's GitHub Copilot CLI session and the three events
/// of its `aws s3 rb` (dee's own credentials, an old CLI with no `m/AV`).
fn copilot_inputs(input: &Path) {
    copy_dir(
        &fixtures().join("transcripts/copilot/home"),
        &input.join("home"),
    );
    rb_events_as(
        input,
        "111122223333_CloudTrail_us-east-1_20260116T1600Z_c0p1.json",
        &[
            ("bob@example.com", "dee@example.com"),
            ("EXAMPLEBOB", "EXAMPLEDEE"),
            ("demo-tmp-bucket", "staging-assets-old"),
            ("T10:00:06Z", "T16:00:10Z"),
            ("T10:00:07Z", "T16:00:11Z"),
            ("T10:00:08Z", "T16:00:12Z"),
            ("0a8f3b2e-1111", "0a8f3b2e-2222"),
        ],
    );
}

/// Puts into `input` fay's Cursor transcripts and hook log and the three
/// events of the hook log's `aws s3 rb` (fay's own credentials, an old CLI
/// with no `m/AW`).
fn cursor_inputs(input: &Path) {
    copy_dir(
        &fixtures().join("transcripts/cursor/home"),
        &input.join("home"),
    );
    rb_events_as(
        input,
        "111122223333_CloudTrail_us-east-1_20260116T1100Z_cur1.json",
        &[
            ("bob@example.com", "fay@example.com"),
            ("EXAMPLEBOB", "EXAMPLEFAY"),
            ("demo-tmp-bucket", "cursor-scratch-2025"),
            ("T10:00:06Z", "T11:00:06Z"),
            ("T10:00:07Z", "T11:00:07Z"),
            ("T10:00:08Z", "T11:00:08Z"),
            ("0a8f3b2e-1111", "0a8f3b2e-3333"),
        ],
    );
}

/// Puts into `input` olga's OpenCode database (the delete-table call only
/// in its `-wal`) and the DeleteTable event it caused; returns its eventID.
fn opencode_inputs(input: &Path) -> &'static str {
    build_database(
        &fixtures().join("transcripts/opencode/opencode.sql"),
        &input.join("home/olga/.local/share/opencode/opencode.db"),
    );
    let event_id = "5e1d0c2b-7a4f-4b3e-9c1d-0e2f3a4b5c6d";
    let record = serde_json::json!({
        "eventVersion": "1.11",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLEID0000009:olga@example.com",
            "arn": "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_PowerUserAccess_4f1c2b3a5d6e7f80/olga@example.com",
            "accountId": "111122223333",
            "accessKeyId": "ASIAEXAMPLEOLGA0001",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": "AROAEXAMPLEID0000009",
                    "arn": "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_PowerUserAccess_4f1c2b3a5d6e7f80",
                    "accountId": "111122223333",
                    "userName": "AWSReservedSSO_PowerUserAccess_4f1c2b3a5d6e7f80"
                },
                "attributes": {"creationDate": "2026-01-19T08:30:00Z", "mfaAuthenticated": "false"}
            }
        },
        "eventTime": "2026-01-19T09:00:41Z",
        "eventSource": "dynamodb.amazonaws.com",
        "eventName": "DeleteTable",
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "198.51.100.41",
        "userAgent": "aws-cli/2.27.50 md/awscrt#0.27.2 ua/2.1 os/linux#6.8.0 md/arch#x86_64 lang/python#3.13.7 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#dynamodb.delete-table",
        "requestParameters": {"tableName": "orders-staging"},
        "responseElements": {"tableDescription": {"tableName": "orders-staging", "tableStatus": "DELETING"}},
        "requestID": "REQ5E1D0C2B",
        "eventID": event_id,
        "readOnly": false,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": "111122223333",
        "eventCategory": "Management"
    });
    let ct = input.join(
        "cloudtrail/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/01/19/\
         111122223333_CloudTrail_eu-west-1_20260119T0905Z_0pEnC0dE.json",
    );
    std::fs::create_dir_all(ct.parent().unwrap()).unwrap();
    std::fs::write(&ct, serde_json::json!({ "Records": [record] }).to_string()).unwrap();
    event_id
}

/// Issue 19, end to end: one organisation's records in one store — a
/// Cursor session (its hook log), a GitHub Copilot CLI session, an OpenCode
/// session and a Claude Code session seen only through telemetry — each
/// agent's events made on its person's own credentials with a CLI that
/// stamps no agent marker. Every event an agent caused is that agent's,
/// with the approval its own records hold (for Claude Code, the decision
/// the telemetry recorded), and under its person.
#[test]
fn issue_19_four_agents_in_one_store_each_with_the_approval_its_records_hold() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    cursor_inputs(&input);
    copilot_inputs(&input);
    let opencode_event = opencode_inputs(&input);
    copy_dir(&fixture().join("cloudtrail"), &input.join("bob/cloudtrail"));
    std::fs::create_dir_all(input.join("telemetry")).unwrap();
    std::fs::copy(
        fixtures().join("transcripts/otel/collector-file-exporter.jsonl"),
        input.join("telemetry/claude-code.jsonl"),
    )
    .unwrap();
    let map = dir.path().join("operators.txt");
    std::fs::write(&map, "dana@example.com = bob@example.com\n").unwrap();
    let store = dir.path().join("s");
    let r = run(&[
        "ingest",
        input.to_str().unwrap(),
        "--store",
        store.to_str().unwrap(),
        "--operator-map",
        map.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "the fixtures have damaged lines: {}", r.stderr);
    let rows = query(
        &store,
        "SELECT actor, approval, COUNT(*) AS events, COUNT(DISTINCT tool_call_id) AS calls, \
         COUNT(DISTINCT agent_session_id) AS sessions, COUNT(DISTINCT action_id) AS actions \
         FROM attribution WHERE actor_kind = 'ai' GROUP BY actor, approval ORDER BY actor",
    );
    let got: Vec<(String, String, u64, u64, u64, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["actor"].as_str().unwrap_or("").to_string(),
                r["approval"].as_str().unwrap_or("").to_string(),
                r["events"].as_u64().unwrap_or(0),
                r["calls"].as_u64().unwrap_or(0),
                r["sessions"].as_u64().unwrap_or(0),
                r["actions"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let want = [
        ("claude-code", "approved", 3, 1, 1, 1),
        ("copilot-cli", "approved", 3, 1, 1, 1),
        ("cursor", "unknown", 3, 1, 1, 1),
        ("opencode", "unknown", 1, 1, 1, 1),
    ];
    let want: Vec<(String, String, u64, u64, u64, u64)> = want
        .iter()
        .map(|(a, b, c, d, e, f)| (a.to_string(), b.to_string(), *c, *d, *e, *f))
        .collect();
    assert_eq!(got, want, "{rows:?}");
    // The people behind them: the credentials' owners, agreeing with the
    // records (telemetry's user.email through the operator map).
    let people = query(
        &store,
        "SELECT DISTINCT actor, operator FROM attribution WHERE actor_kind = 'ai' ORDER BY actor",
    );
    let people: Vec<String> = people
        .iter()
        .map(|r| format!("{} {}", r["actor"], r["operator"]))
        .collect();
    for (agent, person) in [
        ("claude-code", "bob"),
        ("copilot-cli", "dee"),
        ("cursor", "fay"),
        ("opencode", "olga"),
    ] {
        assert!(
            people
                .iter()
                .any(|p| p.contains(agent) && p.contains(person)),
            "{agent} under {person}: {people:?}"
        );
    }
    let oc = query(
        &store,
        &format!(
            "SELECT a.actor FROM attribution a JOIN events e ON a.event_key = e.event_key \
             WHERE e.event_id = '{opencode_event}'"
        ),
    );
    assert_eq!(oc[0]["actor"], "opencode", "{oc:?}");
}
