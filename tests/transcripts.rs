//! Integration tests: the real binary on agent transcripts in their native formats.

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;

fn ingest(paths: &[&Path], store: &Path) -> (Run, Value) {
    ingest_json(paths, store, &[])
}

#[test]
fn every_agent_format_lands_in_the_tables() {
    let store = tempfile::tempdir().unwrap();
    let (r, v) = ingest(&[&fixtures().join("transcripts")], store.path());
    assert_eq!(
        r.code, 1,
        "malformed fixtures quarantine lines: {}",
        r.stderr
    );
    let a = &v["accounting"];
    let n = |k: &str| a[k].as_u64().unwrap();
    assert!(n("transcript_lines_read") > 0);
    assert_eq!(
        n("transcript_lines_read"),
        n("transcript_records_used")
            + n("transcript_records_skipped")
            + n("transcript_quarantined")
    );
    let agents: Vec<String> = query(
        store.path(),
        "SELECT DISTINCT agent FROM agent_sessions ORDER BY agent",
    )
    .iter()
    .map(|r| r["agent"].as_str().unwrap().to_string())
    .collect();
    for want in [
        "aider",
        "amazon-q",
        "claude-code",
        "codex",
        "copilot-cli",
        "cursor",
        "cline",
        "roo-code",
        "gemini-cli",
        "goose",
        "kiro",
        "opencode",
    ] {
        assert!(
            agents.iter().any(|a| a == want),
            "{want} missing from {agents:?}"
        );
    }
    // Per file: lines read = used + skipped + quarantined.
    for f in query(
        store.path(),
        "SELECT path, records_read, kept, skipped, quarantined FROM ingested_files",
    ) {
        let g = |k: &str| f[k].as_u64().unwrap();
        assert_eq!(
            g("records_read"),
            g("kept") + g("skipped") + g("quarantined"),
            "{f}"
        );
    }
    // Quarantined transcript lines name file and line.
    let q = query(
        store.path(),
        "SELECT source_file, position FROM quarantine WHERE source_file LIKE '%malformed.jsonl'",
    );
    assert!(q.iter().any(|r| r["position"] == "line 3"), "{q:?}");
    // Unknown agents are skipped and named, not dropped silently.
    assert!(
        v["messages"]
            .to_string()
            .contains("other-agent-session.jsonl: skipped"),
        "{}",
        v["messages"]
    );
}

#[test]
fn tool_calls_carry_the_aws_operations_they_cause() {
    let store = tempfile::tempdir().unwrap();
    ingest(&[&fixtures().join("transcripts")], store.path());
    let rows = query(
        store.path(),
        "SELECT command, outcome, approval, expected_operations, destructive_hint FROM tool_calls \
         WHERE command LIKE 'aws s3 rb%' ORDER BY command",
    );
    assert!(!rows.is_empty());
    for r in &rows {
        let ops = r["expected_operations"].to_string();
        assert!(ops.contains("s3.amazonaws.com:DeleteBucket"), "{ops}");
        assert_eq!(r["destructive_hint"], true);
    }
    let rejected = count(
        store.path(),
        "SELECT COUNT(*) AS n FROM tool_calls WHERE outcome = 'rejected' AND approval = 'rejected'",
    );
    assert!(rejected >= 2, "{rejected}");
    let non_aws = count(
        store.path(),
        "SELECT COUNT(*) AS n FROM tool_calls WHERE touches_aws = false",
    );
    assert!(non_aws > 0, "commands that never reach AWS are kept too");
    let bypass = count(
        store.path(),
        "SELECT COUNT(*) AS n FROM agent_sessions WHERE approval_mode LIKE '%bypassPermissions%'",
    );
    assert!(bypass >= 1);
    let messages = count(
        store.path(),
        "SELECT COUNT(*) AS n FROM messages WHERE role = 'user'",
    );
    assert!(messages > 0);
}

#[test]
fn a_transcript_that_grew_adds_only_its_new_rows() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("session.jsonl");
    let original =
        std::fs::read_to_string(fixtures().join("transcripts/claude-code/session-main.jsonl"))
            .unwrap();
    std::fs::write(&file, &original).unwrap();
    let store = dir.path().join("store");
    ingest(&[&file], &store);
    let calls = count(&store, "SELECT COUNT(*) AS n FROM tool_calls");
    let (_, same) = ingest(&[&file], &store);
    assert_eq!(same["accounting"]["files_already_ingested"], 1);
    // The agent writes one more call and its result.
    let sid = "3f0c9a1e-5b7d-4c2a-9e8f-1a2b3c4d5e6f";
    let more = format!(
        "{}\n{}\n",
        serde_json::json!({"type":"assistant","sessionId":sid,"uuid":"x1","timestamp":"2026-01-16T10:02:00.000Z",
            "message":{"id":"msg_new","role":"assistant","model":"claude-sonnet-4-5","content":[
                {"type":"tool_use","id":"toolu_new","name":"Bash","input":{"command":"aws ec2 describe-instances"}}]}}),
        serde_json::json!({"type":"user","sessionId":sid,"uuid":"x2","timestamp":"2026-01-16T10:02:03.000Z",
            "message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_new","content":"{}"}]}})
    );
    std::fs::write(&file, format!("{original}{more}")).unwrap();
    let (_, grown) = ingest(&[&file], &store);
    assert!(
        grown["accounting"]["transcript_rows_already_stored"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert_eq!(
        count(&store, "SELECT COUNT(*) AS n FROM tool_calls"),
        calls + 1
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) - COUNT(DISTINCT call_id) AS n FROM tool_calls"
        ),
        0
    );
}

#[test]
fn cloudtrail_and_transcripts_in_one_run() {
    let store = tempfile::tempdir().unwrap();
    let (r, v) = ingest(
        &[
            &fixtures().join("cloudtrail/bare-array.json"),
            &fixtures().join("transcripts/codex/2026"),
        ],
        store.path(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(v["accounting"]["kept"], 3);
    assert!(count(store.path(), "SELECT COUNT(*) AS n FROM tool_calls") > 0);
    assert_eq!(
        count(
            store.path(),
            "SELECT COUNT(*) AS n FROM agent_sessions WHERE agent = 'codex'"
        ),
        1
    );
}

#[test]
fn shared_sample_transcripts_read_cleanly() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/samples/transcripts");
    if !samples.exists() {
        eprintln!("skipping: {} not present", samples.display());
        return;
    }
    let store = tempfile::tempdir().unwrap();
    ingest(&[&samples], store.path());
    let q = query(store.path(), "SELECT source_file, reason FROM quarantine");
    for r in &q {
        assert!(
            r["source_file"]
                .as_str()
                .unwrap()
                .ends_with("edge_cases.jsonl"),
            "only the deliberate non-object lines of edge_cases.jsonl may fail: {r}"
        );
    }
    for agent in ["claude-code", "codex", "aider"] {
        let n = count(
            store.path(),
            &format!("SELECT COUNT(*) AS n FROM agent_sessions WHERE agent = '{agent}'"),
        );
        assert!(n >= 1, "{agent}");
    }
}

#[test]
fn aider_times_say_which_zone_was_assumed() {
    let file = fixtures().join("transcripts/aider/home/erin/proj/.aider.chat.history.md");
    let utc = tempfile::tempdir().unwrap();
    let (_, v) = ingest(&[&file], utc.path());
    assert!(
        v["messages"].to_string().contains("UTC"),
        "{}",
        v["messages"]
    );
    let t_utc = query(
        utc.path(),
        "SELECT MIN(started_at) AS t FROM agent_sessions",
    );
    let plus2 = tempfile::tempdir().unwrap();
    let r = run(&[
        "ingest",
        file.to_str().unwrap(),
        "--store",
        plus2.path().to_str().unwrap(),
        "--aider-tz",
        "+02:00",
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let t_plus2 = query(
        plus2.path(),
        "SELECT MIN(started_at) AS t FROM agent_sessions",
    );
    assert_ne!(t_utc, t_plus2, "the zone changes the stored time");
    let bad = run(&[
        "ingest",
        file.to_str().unwrap(),
        "--store",
        plus2.path().to_str().unwrap(),
        "--aider-tz",
        "Mars",
    ]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("--aider-tz"), "{}", bad.stderr);
}

#[test]
fn operators_come_from_the_path_the_map_or_the_option() {
    let file = fixtures().join("transcripts/claude-code/session-main.jsonl");
    let op = |extra: &[&str]| {
        let store = tempfile::tempdir().unwrap();
        let mut args = vec![
            "ingest",
            file.to_str().unwrap(),
            "--store",
            store.path().to_str().unwrap(),
            "-q",
        ];
        args.extend_from_slice(extra);
        let r = run(&args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        query(store.path(), "SELECT operator FROM agent_sessions")[0]["operator"].clone()
    };
    // The fixture's cwd is /home/alice/…
    assert_eq!(op(&[]), "alice");
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("operators.txt");
    std::fs::write(&map, "# who is who\nalice = alice@example.com\n").unwrap();
    assert_eq!(
        op(&["--operator-map", map.to_str().unwrap()]),
        "alice@example.com"
    );
    assert_eq!(op(&["--operator", "bob@example.com"]), "bob@example.com");
    std::fs::write(&map, "alice alice@example.com\n").unwrap();
    let store = tempfile::tempdir().unwrap();
    let r = run(&[
        "ingest",
        file.to_str().unwrap(),
        "--store",
        store.path().to_str().unwrap(),
        "--operator-map",
        map.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("operators.txt:1"), "{}", r.stderr);
}

/// The shipped logging hook writes what the hook-log reader reads.
#[test]
fn issue_19_the_shipped_hook_script_writes_a_readable_log() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("logs/hook-log.jsonl");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/hooks/trailblame-hook-log");
    let payloads = [
        r#"{"session_id":"s1","transcript_path":"/home/dee/.claude/projects/p/s1.jsonl","cwd":"/home/dee/w","permission_mode":"default","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"aws s3 ls"},"tool_use_id":"t1"}"#,
        "{\"session_id\":\"s1\",\"hook_event_name\":\"PostToolUse\",\n \"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"aws s3 ls\"},\"tool_use_id\":\"t1\",\"tool_response\":{\"stdout\":\"b\"}}",
        "not json",
    ];
    for p in payloads {
        use std::io::Write;
        let mut child = std::process::Command::new("sh")
            .arg(&script)
            .arg("claude-code")
            .arg(&log)
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(p.as_bytes()).unwrap();
        assert!(child.wait().unwrap().success());
    }
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    let store = dir.path().join("s");
    let (r, v) = ingest(&[&log], &store);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(v["accounting"]["transcript_records_used"], 2);
    let calls = query(
        &store,
        "SELECT call_id, command, outcome, CAST(started_at AS VARCHAR) AS t FROM tool_calls",
    );
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0]["command"], "aws s3 ls");
    assert_eq!(calls[0]["outcome"], "ok");
    assert!(
        calls[0]["t"].is_string(),
        "the logged time is kept: {calls:?}"
    );
    let op = query(&store, "SELECT operator FROM agent_sessions");
    assert_eq!(op[0]["operator"], "dee");
}

/// Agent telemetry as the Collector's file exporter writes it (logs, and
/// traces), one file gzip-compressed: sessions, calls, commands, the
/// approvals the telemetry recorded, and every record accounted for.
#[test]
fn issue_19_telemetry_files_plain_or_gzip_are_read() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let src = fixtures().join("transcripts/otel");
    let logs = std::fs::read(src.join("collector-file-exporter.jsonl")).unwrap();
    let gz_path = dir.path().join("in/otel-logs-2026-01-16.jsonl.gz");
    std::fs::create_dir_all(gz_path.parent().unwrap()).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&logs).unwrap();
    std::fs::write(&gz_path, gz.finish().unwrap()).unwrap();
    std::fs::copy(
        src.join("collector-traces.jsonl"),
        dir.path().join("in/traces.jsonl"),
    )
    .unwrap();
    let store = dir.path().join("s");
    let (r, v) = ingest(&[&dir.path().join("in")], &store);
    assert_eq!(r.code, 1, "a cut line in each file: {}", r.stderr);
    let a = &v["accounting"];
    assert_eq!(a["transcript_lines_read"], 15 + 6);
    assert_eq!(a["transcript_quarantined"], 2);
    assert_eq!(
        a["transcript_lines_read"].as_u64(),
        Some(
            a["transcript_records_used"].as_u64().unwrap()
                + a["transcript_records_skipped"].as_u64().unwrap()
                + 2
        )
    );
    let files = query(
        &store,
        "SELECT path, kind, records_read, kept, skipped, quarantined FROM ingested_files ORDER BY path",
    );
    assert_eq!(files.len(), 2, "{files:?}");
    for f in &files {
        assert_eq!(f["kind"], "transcript:otel-json", "{f}");
        assert_eq!(f["quarantined"], 1, "{f}");
    }
    // The malformed line is named by file and line.
    let q = query(
        &store,
        "SELECT source_file, position FROM quarantine ORDER BY source_file",
    );
    assert!(q[0]["source_file"].as_str().unwrap().ends_with(".jsonl.gz"));
    assert_eq!(q[0]["position"], "line 5");
    assert!(
        q[1]["source_file"]
            .as_str()
            .unwrap()
            .ends_with("traces.jsonl")
    );
    assert_eq!(q[1]["position"], "line 3");
    let said = v["messages"].to_string();
    assert!(
        said.contains("otel-logs-2026-01-16.jsonl.gz: line 5"),
        "{said}"
    );

    let sessions = query(
        &store,
        "SELECT agent, operator FROM agent_sessions ORDER BY agent, session_id",
    );
    let pairs: Vec<(String, Option<String>)> = sessions
        .iter()
        .map(|s| {
            (
                s["agent"].as_str().unwrap().to_owned(),
                s["operator"].as_str().map(str::to_owned),
            )
        })
        .collect();
    let want: Vec<(String, Option<String>)> = [
        ("claude-code", Some("dana@example.com")),
        ("codex", Some("erin@example.com")),
        ("copilot-cli", None),
        ("gemini-cli", Some("frank@example.com")),
        ("genai-agent", None),
    ]
    .iter()
    .map(|(a, o)| (a.to_string(), o.map(str::to_owned)))
    .collect();
    assert_eq!(pairs, want);

    let calls = query(
        &store,
        "SELECT command, outcome, approval, approval_evidence FROM tool_calls \
         WHERE command IS NOT NULL ORDER BY command",
    );
    let row = |cmd: &str| {
        calls
            .iter()
            .find(|c| c["command"] == cmd)
            .unwrap_or_else(|| panic!("no {cmd}: {calls:?}"))
            .clone()
    };
    let rb = row("aws s3 rb s3://demo-tmp-bucket --force");
    assert_eq!(
        (rb["outcome"].as_str(), rb["approval"].as_str()),
        (Some("ok"), Some("explicit"))
    );
    assert!(
        rb["approval_evidence"]
            .as_str()
            .unwrap()
            .contains("claude_code.tool_result")
    );
    let codex = row("aws ec2 describe-instances --region us-east-1");
    assert_eq!(codex["approval"], "explicit");
    let gem = row("aws s3 ls");
    assert_eq!(gem["approval"], "auto");
    let copilot = row("aws s3api delete-bucket --bucket old-logs-2019 --region eu-west-1");
    assert_eq!(
        (copilot["outcome"].as_str(), copilot["approval"].as_str()),
        (Some("ok"), Some("unknown"))
    );
    let failed = row("aws iam delete-user --user-name ci-bot");
    assert_eq!(failed["outcome"], "error");
    let refused = count(
        &store,
        "SELECT COUNT(*) AS n FROM tool_calls WHERE approval = 'rejected' AND outcome = 'rejected'",
    );
    assert_eq!(refused, 2, "Claude Code's and Codex's refusals");
}

/// The same telemetry as a log store exports it: an Elasticsearch search
/// response (the exporter's `otel` mapping) and OpenSearch hits one per
/// line (Data Prepper's `log.attributes.*` names, a line cut short).
#[test]
fn issue_19_telemetry_exported_from_a_log_store_is_read() {
    let src = fixtures().join("transcripts/otel");
    let es = src.join("elasticsearch-search-response.json");
    let os = src.join("opensearch-hits.jsonl");
    let store = tempfile::tempdir().unwrap();
    let (r, v) = ingest(&[&es, &os], store.path());
    assert_eq!(r.code, 1, "{}", r.stderr);
    let said = v["messages"].to_string();
    assert!(said.contains("opensearch-hits.jsonl: line 3"), "{said}");
    let a = &v["accounting"];
    assert_eq!(a["transcript_lines_read"], 4 + 4);
    assert_eq!(a["transcript_records_used"], 3 + 3);
    assert_eq!(
        a["transcript_records_skipped"], 1,
        "the accepted tool_decision"
    );
    assert_eq!(a["transcript_quarantined"], 1);
    let kinds = query(store.path(), "SELECT DISTINCT kind FROM ingested_files");
    assert_eq!(kinds.len(), 1);
    assert_eq!(kinds[0]["kind"], "transcript:otel-json");
    let sessions = query(
        store.path(),
        "SELECT session_id, agent, agent_version, operator FROM agent_sessions ORDER BY agent",
    );
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    assert_eq!(sessions[0]["agent"], "claude-code");
    assert_eq!(sessions[0]["operator"], "gail@example.com");
    assert_eq!(
        sessions[0]["session_id"],
        "d4e5f6a7-1b2c-4d3e-9f80-a1b2c3d4e5f6"
    );
    assert_eq!(sessions[1]["agent"], "codex");
    assert_eq!(sessions[1]["operator"], "hal@example.com");
    assert_eq!(sessions[1]["agent_version"], "0.46.0");
    let calls = query(
        store.path(),
        "SELECT call_id, command, outcome, approval, CAST(started_at AS VARCHAR) AS t \
         FROM tool_calls ORDER BY started_at",
    );
    assert_eq!(calls.len(), 3, "{calls:?}");
    assert_eq!(
        calls[0]["command"],
        "aws lambda list-functions --region us-west-2"
    );
    assert_eq!(calls[0]["approval"], "auto");
    assert_eq!(calls[0]["outcome"], "ok");
    assert!(
        calls[0]["t"].as_str().unwrap().contains("14:00:05"),
        "{calls:?}"
    );
    assert_eq!(calls[1]["approval"], "rejected");
    assert_eq!(
        calls[1]["outcome"], "denied",
        "a rule refused it, not a person"
    );
    assert_eq!(calls[2]["call_id"], "call_Os1");
    assert_eq!(
        calls[2]["command"],
        "aws dynamodb delete-table --table-name orders-staging"
    );
    assert_eq!(
        (calls[2]["outcome"].as_str(), calls[2]["approval"].as_str()),
        (Some("ok"), Some("explicit"))
    );
}

/// A GitHub Copilot CLI session folder: the calls, the approvals the
/// permission events recorded (an interactive denial included), and the
/// malformed lines named.
#[test]
fn issue_19_copilot_cli_sessions_are_read() {
    let home = fixtures().join("transcripts/copilot/home");
    let store = tempfile::tempdir().unwrap();
    let (r, v) = ingest(&[&home], store.path());
    assert_eq!(r.code, 1, "{}", r.stderr);
    let said = v["messages"].to_string();
    assert!(said.contains("events.jsonl: line 13"), "{said}");
    assert!(said.contains("events.jsonl: line 19"), "{said}");
    let a = &v["accounting"];
    assert_eq!(a["transcript_lines_read"], 20);
    assert_eq!(a["transcript_quarantined"], 2);
    assert_eq!(
        a["transcript_records_used"].as_u64().unwrap()
            + a["transcript_records_skipped"].as_u64().unwrap(),
        18
    );
    let s = query(
        store.path(),
        "SELECT agent, operator, approval_mode FROM agent_sessions",
    );
    assert_eq!(s.len(), 1);
    assert_eq!(s[0]["agent"], "copilot-cli");
    assert_eq!(s[0]["operator"], "dee");
    let calls = query(
        store.path(),
        "SELECT call_id, command, outcome, approval FROM tool_calls ORDER BY call_id",
    );
    let got: Vec<(String, String, String)> = calls
        .iter()
        .map(|c| {
            (
                c["call_id"].as_str().unwrap().to_owned(),
                c["outcome"].as_str().unwrap().to_owned(),
                c["approval"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want = [
        ("toolu_vrtx_01A", "ok", "explicit"),
        ("toolu_vrtx_02B", "rejected", "rejected"),
        ("toolu_vrtx_03C", "ok", "auto"),
        ("toolu_vrtx_04D", "ok", "auto"),
    ];
    let want: Vec<(String, String, String)> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(
        calls[0]["command"],
        "aws s3 rb s3://staging-assets-old --force"
    );
    // The MCP call_aws call is expected to cause the CLI command's events.
    let ops = query(
        store.path(),
        "SELECT expected_operations FROM tool_calls WHERE call_id = 'toolu_vrtx_04D'",
    );
    assert!(
        ops[0]["expected_operations"]
            .to_string()
            .contains("DescribeVpcs"),
        "{ops:?}"
    );
}

/// Issue 23: the record-chain check raises no false alarm on real Claude
/// Code files (`shared/samples`, when present: sanitised real sessions,
/// a resumed session's record, hand-made edge cases, a web export).
#[test]
fn issue_23_real_claude_code_samples_pass_the_chain_check() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"));
    let Some(samples) = ["../shared", "../../shared"]
        .iter()
        .map(|p| base.join(p).join("samples/transcripts/claude-code"))
        .find(|p| p.is_dir())
    else {
        eprintln!("shared/samples not present: skipped");
        return;
    };
    let store = tempfile::tempdir().unwrap();
    let (r, _) = ingest(&[&samples], store.path());
    assert!(r.code <= 1, "{}", r.stderr);
    let calls = count(store.path(), "SELECT COUNT(*) AS n FROM tool_calls");
    assert!(calls > 5, "{calls} tool calls in the samples");
    let broken = query(
        store.path(),
        "SELECT source_file, source_line, chain_break FROM tool_calls WHERE chain_break IS NOT NULL",
    );
    assert!(broken.is_empty(), "false alarms: {broken:#?}");
}

/// Cursor transcripts (JSON Lines, a subagent, the older text form) and a
/// Cursor hook log: one session for the conversation, the calls the hooks
/// timed, the redacted input left unknown, and the damaged lines named.
#[test]
fn issue_19_cursor_transcripts_and_hook_logs_are_read() {
    let home = fixtures().join("transcripts/cursor/home");
    let store = tempfile::tempdir().unwrap();
    let (r, v) = ingest(&[&home], store.path());
    assert_eq!(r.code, 1, "{}", r.stderr);
    let said = v["messages"].to_string();
    assert!(said.contains("cursor-hook-log.jsonl: line 6"), "{said}");
    assert!(said.contains("cursor-hook-log.jsonl: line 7"), "{said}");
    assert!(
        said.contains("c9a1f2e3-4b5d-4e6f-8a7b-9c0d1e2f3a4b.jsonl: line 6"),
        "{said}"
    );
    let a = &v["accounting"];
    assert_eq!(a["transcript_quarantined"], 3);
    assert_eq!(
        a["transcript_lines_read"].as_u64().unwrap(),
        a["transcript_records_used"].as_u64().unwrap()
            + a["transcript_records_skipped"].as_u64().unwrap()
            + 3
    );
    let kinds = query(
        store.path(),
        "SELECT kind, COUNT(*) AS n FROM ingested_files GROUP BY kind ORDER BY kind",
    );
    let kinds: Vec<(String, u64)> = kinds
        .iter()
        .map(|k| {
            (
                k["kind"].as_str().unwrap().to_owned(),
                k["n"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("transcript:cursor-hook-log".to_owned(), 1),
            ("transcript:cursor-jsonl".to_owned(), 2),
            ("transcript:cursor-txt".to_owned(), 1),
        ]
    );
    let s = query(
        store.path(),
        "SELECT DISTINCT session_id, agent, operator FROM agent_sessions ORDER BY session_id",
    );
    assert_eq!(s.len(), 3, "{s:?}");
    assert!(
        s.iter()
            .all(|r| r["agent"] == "cursor" && r["operator"] == "fay")
    );
    let timed = query(
        store.path(),
        "SELECT command, outcome, approval, CAST(started_at AS VARCHAR) AS t FROM tool_calls \
         WHERE started_at IS NOT NULL ORDER BY started_at",
    );
    let cmds: Vec<&str> = timed
        .iter()
        .map(|c| c["command"].as_str().unwrap())
        .collect();
    assert_eq!(
        cmds,
        [
            "aws s3 rb s3://cursor-scratch-2025 --force",
            "aws iam delete-user --user-name old-ci",
            "aws sts get-caller-identity",
        ]
    );
    assert!(
        timed.iter().all(|c| c["approval"] == "unknown"),
        "{timed:?}"
    );
    assert_eq!(timed[0]["outcome"], "ok");
    assert_eq!(timed[1]["outcome"], "unknown");
    // The transcript's own calls have no time, and a redacted input no command.
    let untimed = query(
        store.path(),
        "SELECT call_id, command FROM tool_calls WHERE started_at IS NULL ORDER BY call_id",
    );
    let redacted = untimed
        .iter()
        .find(|c| c["call_id"] == "toolu_cur_02")
        .unwrap();
    assert!(redacted["command"].is_null(), "{untimed:?}");
    let ops = query(
        store.path(),
        "SELECT expected_operations FROM tool_calls \
         WHERE command = 'aws s3 rb s3://cursor-scratch-2025 --force' AND started_at IS NOT NULL",
    );
    assert!(
        ops[0]["expected_operations"]
            .to_string()
            .contains("DeleteBucket"),
        "{ops:?}"
    );
}

/// The shipped logging hook, given Cursor's payloads, writes a log the
/// Cursor hook reader reads.
#[test]
fn issue_19_the_shipped_hook_script_logs_cursor_payloads() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("cursor-hooks.jsonl");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/hooks/trailblame-hook-log");
    let payloads = [
        r#"{"conversation_id":"c1","generation_id":"g1","hook_event_name":"beforeShellExecution","command":"aws s3 ls","cwd":"/home/hal/w","workspace_roots":["/home/hal/w"],"cursor_version":"2.3.41"}"#,
        r#"{"conversation_id":"c1","generation_id":"g1","hook_event_name":"afterShellExecution","command":"aws s3 ls","output":"b","duration":120}"#,
    ];
    for p in payloads {
        use std::io::Write;
        let mut child = std::process::Command::new("sh")
            .arg(&script)
            .arg("cursor")
            .arg(&log)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(p.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        assert!(out.stdout.is_empty(), "the hook answers nothing");
    }
    let store = dir.path().join("s");
    let (r, v) = ingest(&[&log], &store);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(v["accounting"]["transcript_records_used"], 2);
    let calls = query(
        &store,
        "SELECT command, outcome, started_at FROM tool_calls",
    );
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(
        (calls[0]["command"].as_str(), calls[0]["outcome"].as_str()),
        (Some("aws s3 ls"), Some("ok"))
    );
    assert!(!calls[0]["started_at"].is_null());
    let s = query(&store, "SELECT agent, operator FROM agent_sessions");
    assert_eq!(
        (s[0]["agent"].as_str(), s[0]["operator"].as_str()),
        (Some("cursor"), Some("hal"))
    );
}

/// A Cline task folder and a Roo Code task: the three files recognised,
/// each call's approval from the messages (auto, approved, denied), the
/// damaged elements named, and every record accounted for.
#[test]
fn issue_19_cline_and_roo_code_task_folders_are_read() {
    let home = fixtures().join("transcripts/cline/home");
    let store = tempfile::tempdir().unwrap();
    let (r, v) = ingest(&[&home], store.path());
    assert_eq!(r.code, 1, "{}", r.stderr);
    let said = v["messages"].to_string();
    assert!(said.contains("ui_messages.json: line 18"), "{said}");
    assert!(said.contains("ui_messages.json: line 21"), "{said}");
    let files = query(
        store.path(),
        "SELECT kind, records_read, kept, skipped, quarantined FROM ingested_files ORDER BY path",
    );
    assert_eq!(files.len(), 4, "{files:?}");
    assert!(
        files.iter().all(|f| f["kind"] == "transcript:cline-task"),
        "{files:?}"
    );
    let a = &v["accounting"];
    assert_eq!(a["transcript_quarantined"], 2);
    assert_eq!(
        a["transcript_lines_read"].as_u64().unwrap(),
        a["transcript_records_used"].as_u64().unwrap()
            + a["transcript_records_skipped"].as_u64().unwrap()
            + 2
    );
    let s = query(
        store.path(),
        "SELECT session_id, agent, operator FROM agent_sessions ORDER BY agent",
    );
    assert_eq!(s.len(), 2, "{s:?}");
    assert_eq!(
        (s[0]["agent"].as_str(), s[0]["session_id"].as_str()),
        (Some("cline"), Some("1768564800000"))
    );
    assert_eq!(s[1]["agent"], "roo-code");
    assert!(s.iter().all(|r| r["operator"] == "gil"));
    let calls = query(
        store.path(),
        "SELECT command, outcome, approval, approval_evidence FROM tool_calls ORDER BY started_at",
    );
    let got: Vec<(&str, &str)> = calls
        .iter()
        .map(|c| {
            (
                c["outcome"].as_str().unwrap(),
                c["approval"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("ok", "auto"),
            ("ok", "explicit"),
            ("rejected", "rejected"),
            ("ok", "explicit"),
            ("rejected", "rejected"),
        ]
    );
    assert_eq!(
        calls[1]["command"],
        "aws s3 rb s3://staging-leftovers --force"
    );
    assert!(
        calls[2]["approval_evidence"]
            .as_str()
            .unwrap()
            .contains("The user denied this operation"),
        "{calls:?}"
    );
    let ops = query(
        store.path(),
        "SELECT expected_operations FROM tool_calls WHERE command LIKE 'mcp:%'",
    );
    assert!(
        ops[0]["expected_operations"]
            .to_string()
            .contains("DescribeVpcs"),
        "{ops:?}"
    );
}

/// The user's database files, byte for byte, and whether a `-shm` exists.
fn snapshot_files(db: &Path) -> (Vec<u8>, Vec<u8>, bool) {
    let side = |s: &str| {
        let mut p = db.as_os_str().to_owned();
        p.push(s);
        std::path::PathBuf::from(p)
    };
    (
        std::fs::read(db).unwrap(),
        std::fs::read(side("-wal")).unwrap(),
        side("-shm").exists(),
    )
}

/// Issue 19: an OpenCode v1.2 database whose newest rows are only in its
/// `-wal`, beside the legacy JSON storage a faulty migration left behind.
/// Both are read, rows only in the WAL included, the user's files are left
/// byte-identical, and a session in both stores is one session (one
/// `agent_sessions` row, the database's; its calls keep their ids, so
/// attribution reads each once).
#[test]
fn issue_19_opencode_database_with_wal_and_legacy_storage_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("in/home/olga/.local/share/opencode");
    let db = data.join("opencode.db");
    build_database(&fixtures().join("transcripts/opencode/opencode.sql"), &db);
    copy_dir(
        &fixtures().join("transcripts/opencode/home/olga/.local/share/opencode/storage"),
        &data.join("storage"),
    );
    let before = snapshot_files(&db);
    assert!(!before.1.is_empty(), "rows in the -wal");
    let store = dir.path().join("s");
    let (r, v) = ingest(&[&dir.path().join("in")], &store);
    assert_eq!(r.code, 1, "damaged rows are quarantined: {}", r.stderr);
    assert_eq!(
        snapshot_files(&db),
        before,
        "the user's files are untouched"
    );

    let a = &v["accounting"];
    assert_eq!(a["transcript_lines_read"], 22 + 9);
    assert_eq!(a["transcript_quarantined"], 2 + 1);
    let files = query(
        &store,
        "SELECT path, kind, records_read, quarantined FROM ingested_files ORDER BY path",
    );
    let kind = |suffix: &str| {
        files
            .iter()
            .find(|f| f["path"].as_str().unwrap().ends_with(suffix))
            .unwrap_or_else(|| panic!("{suffix} in {files:?}"))
    };
    assert_eq!(kind("opencode.db")["kind"], "transcript:opencode-sqlite");
    assert_eq!(kind("opencode.db")["records_read"], 22);
    assert_eq!(kind("opencode.db-wal")["kind"], "transcript:sqlite-sidecar");
    assert_eq!(kind("opencode.db-wal")["records_read"], 0);
    assert_eq!(kind("prt_l2b.json")["quarantined"], 1);
    let said = v["messages"].to_string();
    assert!(said.contains("prt_l2b.json: line 1"), "{said}");
    assert!(said.contains("(prt_a2k): data unreadable"), "{said}");

    let sessions = query(
        &store,
        "SELECT session_id, COUNT(*) AS files, MIN(agent) AS agent, MIN(operator) AS operator, \
         MIN(source_file) AS source_file FROM agent_sessions GROUP BY session_id ORDER BY session_id",
    );
    let ids: Vec<&str> = sessions
        .iter()
        .map(|s| s["session_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "ses_0a9b8c7d6e5fLegacyOnly3456",
            "ses_1f0e8d7c6b5aBothStoresXyZ12",
            "ses_3c7a9e1f2b4dAg7KqP0xWmZr5N"
        ]
    );
    // In both stores: one session, the database's (deduplicated by id),
    // the legacy row counted as already stored.
    assert_eq!(sessions[1]["files"], 1, "in both stores: {sessions:?}");
    assert!(
        sessions[1]["source_file"]
            .as_str()
            .unwrap()
            .ends_with("opencode.db"),
        "{sessions:?}"
    );
    assert_eq!(a["transcript_rows"]["agent_sessions"], 3);
    assert_eq!(a["transcript_rows_already_stored"], 1);
    assert!(
        sessions
            .iter()
            .all(|s| s["agent"] == "opencode" && s["operator"] == "olga")
    );

    let calls = query(
        &store,
        "SELECT call_id, command, outcome, approval FROM tool_calls \
         WHERE session_id = 'ses_3c7a9e1f2b4dAg7KqP0xWmZr5N' ORDER BY call_id",
    );
    let got: Vec<String> = calls
        .iter()
        .map(|c| {
            format!(
                "{} {} {}",
                c["call_id"].as_str().unwrap(),
                c["outcome"].as_str().unwrap(),
                c["approval"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "toolu_oc_01 ok auto",
            "toolu_oc_02 ok auto",
            "toolu_oc_03 rejected rejected",
            "toolu_oc_04 denied rejected",
            "toolu_oc_05 ok unknown",
            "toolu_oc_06 error unknown",
            "toolu_oc_07 ok unknown",
        ]
    );
    assert_eq!(
        calls[4]["command"],
        "aws dynamodb delete-table --table-name orders-staging --region eu-west-1"
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) AS n FROM tool_calls WHERE call_id = 'toolu_both_01'"
        ),
        2,
        "recorded by both stores"
    );

    // Ingesting again reads nothing new.
    let (r2, v2) = ingest(&[&dir.path().join("in")], &store);
    assert_eq!(r2.code, 0, "{}", r2.stderr);
    assert_eq!(v2["accounting"]["transcript_lines_read"], 0);

    // OpenCode adds a call: only the -wal grows, and the database is read again.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
        true,
    )
    .unwrap();
    conn.execute_batch(
        r#"INSERT INTO `part` VALUES ('prt_a2z', 'msg_a2', 'ses_3c7a9e1f2b4dAg7KqP0xWmZr5N', 1768813300000, 1768813300000,
 '{"type":"tool","callID":"toolu_oc_09","tool":"bash","state":{"status":"completed","input":{"command":"aws dynamodb list-tables"},"output":"{}","title":"list","metadata":{"exit":0},"time":{"start":1768813300000,"end":1768813301000}}}');"#,
    )
    .unwrap();
    drop(conn);
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before.0,
        "the new row is only in the -wal"
    );
    let (r3, _) = ingest(&[&dir.path().join("in")], &store);
    assert_eq!(r3.code, 1, "{}", r3.stderr);
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) AS n FROM tool_calls WHERE call_id = 'toolu_oc_09'"
        ),
        1
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) AS n FROM tool_calls WHERE call_id = 'toolu_oc_05'"
        ),
        1,
        "rows already stored are not stored twice"
    );
}

/// Issue 19: a Goose database (schema v5) with rows only in its `-wal`,
/// and a legacy `.jsonl` session beside it.
#[test]
fn issue_19_goose_database_with_wal_and_legacy_jsonl_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let sessions_dir = dir.path().join("in/home/gil/.local/share/goose/sessions");
    let db = sessions_dir.join("sessions.db");
    build_database(&fixtures().join("transcripts/goose/sessions.sql"), &db);
    copy_dir(
        &fixtures().join("transcripts/goose/home/gil/.local/share/goose/sessions"),
        &sessions_dir,
    );
    let before = snapshot_files(&db);
    let store = dir.path().join("s");
    let (r, v) = ingest(&[&dir.path().join("in")], &store);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        snapshot_files(&db),
        before,
        "the user's files are untouched"
    );
    let a = &v["accounting"];
    assert_eq!(a["transcript_lines_read"], 13 + 6);
    assert_eq!(a["transcript_quarantined"], 1 + 1);
    let said = v["messages"].to_string();
    assert!(said.contains("20250301_1.jsonl: line 5"), "{said}");
    assert!(
        said.contains("messages row 12 (session 20260119_1)"),
        "{said}"
    );

    let sessions = query(
        &store,
        "SELECT session_id, agent, operator, cwd FROM agent_sessions ORDER BY session_id",
    );
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    for s in &sessions {
        assert_eq!(
            (s["agent"].as_str(), s["operator"].as_str()),
            (Some("goose"), Some("gil"))
        );
    }
    let calls = query(
        &store,
        "SELECT call_id, command, outcome, approval FROM tool_calls ORDER BY call_id",
    );
    let got: Vec<String> = calls
        .iter()
        .map(|c| {
            format!(
                "{} {} {}",
                c["call_id"].as_str().unwrap(),
                c["outcome"].as_str().unwrap(),
                c["approval"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "toolu_g_01 ok unknown",
            "toolu_g_02 ok explicit",
            "toolu_g_03 rejected rejected",
            "toolu_g_04 error unknown",
            "toolu_g_05 ok unknown",
            "toolu_gl_01 ok unknown",
        ]
    );
    assert_eq!(
        calls[3]["command"],
        "aws s3 rm s3://gil-cache-dumps --recursive --region us-east-1"
    );
    let ops = query(
        &store,
        "SELECT expected_operations FROM tool_calls WHERE call_id = 'toolu_g_02'",
    );
    assert!(
        ops[0]["expected_operations"]
            .to_string()
            .contains("DeleteCacheCluster"),
        "{ops:?}"
    );
}

/// A local agent database larger than `ingest.max_file_bytes` is read
/// whole: its reader copies the file from disk and SQLite pages through
/// the copy, so the limit (a bound on memory) does not cut it. Found by
/// the transcript benchmark: a 269 MB `opencode.db` gave one row.
#[test]
fn issue_19_a_database_over_the_file_size_limit_is_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir
        .path()
        .join("in/home/olga/.local/share/opencode/opencode.db");
    build_database(&fixtures().join("transcripts/opencode/opencode.sql"), &db);
    let size = std::fs::metadata(&db).unwrap().len();
    let limit = (size / 2).to_string();
    let whole = dir.path().join("whole");
    let (_, full) = ingest(&[&dir.path().join("in")], &whole);
    let cut = dir.path().join("cut");
    let (r, v) = ingest_json(
        &[&dir.path().join("in")],
        &cut,
        &["--max-file-bytes", &limit],
    );
    assert_eq!(r.code, 1, "damaged rows are quarantined: {}", r.stderr);
    let a = &v["accounting"];
    assert_eq!(a["files_over_limit"], 0, "{v}");
    assert_eq!(
        a["transcript_lines_read"],
        full["accounting"]["transcript_lines_read"]
    );
    assert_eq!(a["transcript_lines_read"], 22);
    let calls = |store: &Path| {
        query(
            store,
            "SELECT call_id, command, approval FROM tool_calls ORDER BY call_id",
        )
    };
    assert_eq!(calls(&cut), calls(&whole));
}
