//! The telemetry reader on the Collector file-exporter fixture: one
//! session per agent, calls with commands, times and the approval each
//! decision recorded, and every record accounted for.

use super::super::tests_support::{call, parse_fixture};
use super::super::{Approval, Outcome, Role, TranscriptFormat};

const FILE: &str = "otel/collector-file-exporter.jsonl";

#[test]
fn sessions_operators_and_accounting() {
    let p = parse_fixture(TranscriptFormat::OtelJson, FILE);
    let s: Vec<(&str, &str, Option<&str>)> = p
        .sessions
        .iter()
        .map(|s| {
            (
                s.session_id.as_str(),
                s.agent.as_str(),
                s.operator.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        s,
        [
            (
                "7e3a9b1c-2d4f-4e6a-8b0c-1d2e3f4a5b6c",
                "claude-code",
                Some("dana@example.com")
            ),
            (
                "0199a2b3-c4d5-7e6f-8a9b-0c1d2e3f4a5b",
                "codex",
                Some("erin@example.com")
            ),
            (
                "b1c2d3e4-5f60-4718-9a0b-c1d2e3f4a5b6",
                "gemini-cli",
                Some("frank@example.com")
            ),
        ]
    );
    assert_eq!(p.sessions[0].agent_version.as_deref(), Some("2.0.31"));
    assert_eq!(p.sessions[1].model.as_deref(), Some("gpt-5-codex"));
    // 6 + 4 + 2 records, a metrics line, a cut line, another service's log.
    assert_eq!(p.counts.lines_read, 15);
    assert_eq!(p.counts.quarantined, 1);
    assert_eq!(p.quarantined[0].line, Some(5));
    assert_eq!(p.counts.skipped_by_type.get("resourceMetrics"), Some(&1));
    assert_eq!(p.counts.skipped_by_type.get("(other log record)"), Some(&1));
    assert_eq!(
        p.counts
            .skipped_by_type
            .get("claude_code event without rows"),
        Some(&2),
        "api_request and the accepted tool_decision"
    );
    let prompts: Vec<_> = p.messages.iter().filter(|m| m.role == Role::User).collect();
    assert_eq!(prompts.len(), 3);
    assert_eq!(prompts[0].text_excerpt, "[prompt not exported]");
}

#[test]
fn calls_carry_commands_times_and_decisions() {
    let p = parse_fixture(TranscriptFormat::OtelJson, FILE);
    let rb = p
        .tool_calls
        .iter()
        .find(|c| c.command.as_deref() == Some("aws s3 rb s3://demo-tmp-bucket --force"))
        .expect("the rb call");
    assert_eq!(rb.ended_at, Some(1_768_557_609_000_000));
    assert_eq!(rb.started_at, Some(1_768_557_605_500_000));
    assert_eq!((rb.outcome, rb.approval), (Outcome::Ok, Approval::Explicit));
    assert!(
        rb.approval_evidence
            .as_deref()
            .unwrap()
            .contains("source=user_temporary")
    );
    let refused = p
        .tool_calls
        .iter()
        .find(|c| c.outcome == Outcome::Rejected && c.session_id.starts_with("7e3a"))
        .expect("the refused call");
    assert_eq!(refused.approval, Approval::Rejected);
    let failed = p
        .tool_calls
        .iter()
        .find(|c| c.command.as_deref() == Some("aws s3 ls --profile sandbox"))
        .unwrap();
    assert_eq!(
        (failed.outcome, failed.approval),
        (Outcome::Error, Approval::Auto)
    );
    assert!(
        failed
            .approval_evidence
            .as_deref()
            .unwrap()
            .starts_with("decision=accept source=config")
    );

    let codex = call(&p, "call_Q1w2E3r4");
    assert_eq!(
        codex.command.as_deref(),
        Some("aws ec2 describe-instances --region us-east-1")
    );
    assert!(
        codex
            .command_raw
            .as_deref()
            .unwrap()
            .starts_with("bash -lc")
    );
    assert_eq!(
        (codex.outcome, codex.approval),
        (Outcome::Ok, Approval::Explicit)
    );
    let denied = call(&p, "call_T5y6U7i8");
    assert_eq!(
        (denied.outcome, denied.approval),
        (Outcome::Rejected, Approval::Rejected)
    );

    let gem = p
        .tool_calls
        .iter()
        .find(|c| c.tool_name == "run_shell_command")
        .unwrap();
    assert_eq!(gem.command.as_deref(), Some("aws s3 ls"));
    assert_eq!(gem.approval, Approval::Auto);
    assert!(
        gem.approval_evidence
            .as_deref()
            .unwrap()
            .starts_with("decision=auto_accept")
    );
    assert_eq!(p.tool_calls.len(), 6);
}

#[test]
fn a_pretty_printed_request_reads_the_same() {
    let line = std::fs::read_to_string(super::super::tests_support::fixture(FILE)).unwrap();
    let first: serde_json::Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    let pretty = serde_json::to_string_pretty(&first).unwrap() + "\n[1]\n";
    let p = super::parse(
        std::path::Path::new("x.json"),
        pretty.as_bytes(),
        &Default::default(),
    );
    assert!(p.counts.reconciles());
    assert_eq!(p.tool_calls.len(), 3);
    assert_eq!(p.counts.quarantined, 1);
    assert!(p.quarantined[0].reason.contains("not an object"));
}

const TRACES: &str = "otel/collector-traces.jsonl";

#[test]
fn execute_tool_spans_are_calls_with_the_span_times_and_status() {
    let p = parse_fixture(TranscriptFormat::OtelJson, TRACES);
    let agents: Vec<(&str, &str)> = p
        .sessions
        .iter()
        .map(|s| (s.session_id.as_str(), s.agent.as_str()))
        .collect();
    assert_eq!(
        agents,
        [
            ("5c1f0e2a-9b3d-4c7e-8f10-2a3b4c5d6e7f", "copilot-cli"),
            ("otel-trace-0af7651916cd43dd8448eb211c80319c", "genai-agent"),
        ]
    );
    assert_eq!(p.sessions[0].agent_version.as_deref(), Some("1.0.41"));
    let rb = call(&p, "toolu_01CopilotRb");
    assert_eq!(
        rb.command.as_deref(),
        Some("aws s3api delete-bucket --bucket old-logs-2019 --region eu-west-1")
    );
    assert_eq!(rb.started_at, Some(1_768_561_203_000_000));
    assert_eq!(rb.ended_at, Some(1_768_561_205_250_000));
    assert_eq!((rb.outcome, rb.approval), (Outcome::Ok, Approval::Unknown));
    let iam = call(&p, "toolu_02CopilotIam");
    assert_eq!(
        iam.command.as_deref(),
        Some("aws iam delete-user --user-name ci-bot")
    );
    assert_eq!(iam.outcome, Outcome::Error);
    assert!(
        iam.output_excerpt
            .as_deref()
            .unwrap()
            .contains("DeleteConflict")
    );
    // No call id: the span id stands in; argv arguments become the command.
    let other = call(&p, "span-b7ad6b7169203331");
    assert_eq!(
        other.command.as_deref(),
        Some("aws sts get-caller-identity")
    );
    assert_eq!(other.outcome, Outcome::Ok);
    // 4 + 1 spans and a cut line: 3 calls, 2 spans skipped by kind.
    assert_eq!(p.counts.lines_read, 6);
    assert_eq!(p.counts.records_used, 3);
    assert_eq!(p.counts.skipped_by_type.get("span: agent"), Some(&1));
    assert_eq!(p.counts.skipped_by_type.get("span: model call"), Some(&1));
    assert_eq!(p.quarantined.len(), 1);
    assert_eq!(p.quarantined[0].line, Some(3));
    assert!(p.quarantined[0].reason.starts_with("telemetry line"));
}

/// The fast path (`fast`) and the general one read a line alike: every
/// attribute type, escapes, nulls, a missing value, an attribute given
/// twice, the record's over the resource's; a line with a record to
/// quarantine, or with spans, is left to the general path.
#[test]
fn the_fast_path_reads_lines_as_the_general_path_does() {
    let logs = r#"{"resourceLogs":[{"resource":{"attributes":[
        {"key":"service.name","value":{"stringValue":"claude-code"}},
        {"key":"host","value":{"stringValue":"from the resource"}}]},
      "scopeLogs":[{"scope":{"name":"x"},"logRecords":[
        {"timeUnixNano":1768557609123456789,"observedTimeUnixNano":"1768557609000000000",
         "body":{"stringValue":"claude_code.tool_result"},"attributes":[
          {"key":"event.name","value":{"stringValue":"tool_result"}},
          {"key":"session.id","value":{"stringValue":"s-1"}},
          {"key":"tool_name","value":{"stringValue":"Bash"}},
          {"key":"success","value":{"boolValue":true}},
          {"key":"duration_ms","value":{"intValue":840}},
          {"key":"ratio","value":{"doubleValue":0.5}},
          {"key":"tags","value":{"arrayValue":{"values":[{"stringValue":"a"},{"intValue":"2"}]}}},
          {"key":"kv","value":{"kvlistValue":{"values":[{"key":"b","value":{"stringValue":"x"}}]}}},
          {"key":"none","value":null},
          {"key":"nothing"},
          {"key":"model","value":{"stringValue":"first"}},
          {"key":"model","value":{"stringValue":"second \"quoted\" \u00e9"}},
          {"key":"host","value":{"stringValue":"from the record"}},
          {"key":"tool_parameters","value":{"stringValue":"{\"full_command\":\"aws s3 ls s3://b --region eu-west-1\"}"}},
          {"key":"decision_type","value":{"stringValue":"accept"}},
          {"key":"decision_source","value":{"stringValue":"user_temporary"}},
          {"key":"user.email","value":{"stringValue":"dev@example.com"}}]},
        {"timeUnixNano":"0","observedTimeUnixNano":-5,"body":{"stringValue":"claude_code.user_prompt"},
         "attributes":[{"key":"session.id","value":{"stringValue":"s-1"}},
          {"key":"prompt","value":{"stringValue":"tab\there"}}]},
        {"body":{"stringValue":"something else"}}]}]}]}"#
        .replace('\n', "");
    let orphan = r#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"claude_code.tool_result"},"attributes":[{"key":"tool_name","value":{"stringValue":"Bash"}}]}]}]}]}"#;
    let spans = r#"{"resourceLogs":[],"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"chat","traceId":"t","spanId":"s"}]}]}]}"#;
    let empty = r#"{"resourceLogs":[{"resource":null,"scopeLogs":null}]}"#;
    assert!(super::fast::decode(logs.as_bytes()).is_some());
    assert!(super::fast::decode(empty.as_bytes()).is_some());
    assert!(super::fast::decode(orphan.as_bytes()).is_none());
    assert!(super::fast::decode(spans.as_bytes()).is_none());
    let text = [logs.as_str(), orphan, spans, empty, "not json"].join("\n");
    let path = std::path::Path::new("/home/dev/otel/logs.jsonl");
    let opts = super::super::TranscriptOptions::default();
    let fast = super::parse(path, text.as_bytes(), &opts);
    let mut r = super::Reader::new(path, &opts);
    for (no, line) in super::super::util::lines(text.as_bytes()) {
        super::read_line(&mut r, no, line);
    }
    let general = r.finish();
    assert_eq!(format!("{fast:?}"), format!("{general:?}"));
    assert_eq!(fast.tool_calls.len(), 1);
    assert_eq!(fast.messages.len(), 1);
    assert_eq!(fast.counts.quarantined, 2, "{:?}", fast.quarantined);
    let s = &fast.sessions[0];
    assert_eq!(s.model.as_deref(), Some("second \"quoted\" é"));
    assert_eq!(
        fast.tool_calls[0].command.as_deref(),
        Some("aws s3 ls s3://b --region eu-west-1")
    );
}

/// The document fast path (`fast_docs`) and the general one read a line
/// alike, each line on its own: hits and bare documents of every mapping,
/// escapes, numbers, booleans, arrays, nulls, `@` in names; lines it must
/// leave (a name twice in one object, two names that flatten or strip
/// alike, spans, a search response, an agent event without a session, a
/// scalar `_source`), and every one-byte edit of the documents.
#[test]
fn the_document_fast_path_reads_lines_as_the_general_path_does() {
    let docs = [
        r#"{"_index":".ds-logs-claude_code.otel-default","_id":"a1","_score":null,"_source":{"@timestamp":"2026-01-16T14:00:06.200Z","body":{"text":"claude_code.tool_result"},"event_name":"claude_code.tool_result","attributes":{"session.id":"s-1","user.email":"gail@example.com","event.name":"tool_result","event.sequence":3,"tool_name":"Bash","success":"true","ratio":0.5,"ok":true,"tags":["a",2],"none":null,"decision_type":"accept","decision_source":"config","tool_parameters":"{\"full_command\": \"aws lambda list-functions --region us-west-2\", \"note\": \"\u00e9\\t\"}"},"resource":{"attributes":{"service.name":"claude-code","host.name":"gl-mbp"}},"severity_number":9},"sort":[2]}"#,
        r#"{"_index":"otel-v1-apm-logs-000001","_id":"o2","_source":{"time":"2026-01-16T15:00:05.500Z","body":"codex.tool_result","log.attributes.event@name":"codex.tool_result","log.attributes.conversation@id":"c-9","log.attributes.user@email":"hal@example.com","log.attributes.tool_name":"shell","log.attributes.call_id":"call_1","log.attributes.arguments":"{\"command\": [\"bash\", \"-lc\", \"aws s3 ls\"]}","log.attributes.success":"true","resource.attributes.service@name":"codex_cli_rs"}}"#,
        r#"{"@timestamp":"2026-01-16T10:00:09Z","Body":"claude_code.tool_decision","Attributes":{"session":{"id":"s-2"},"event":{"name":"tool_decision"},"tool_name":"Bash","decision":"reject","source":"user_reject"},"Resource":{"service":{"name":"claude-code"}}}"#,
        r#"{"time":"1768557609000","body":"claude_code.user_prompt","log.attributes.session@id":"s-3","log.attributes.event@name":"user_prompt","log.attributes.prompt":"remove the \"old\" bucket"}"#,
        // Inside attributes-like objects: `@`, an empty name, deeper
        // objects, a null, a `Resource` object of objects.
        r#"{"_source":{"@timestamp":"2026-01-16T10:00:00Z","attributes":{"session.id":"s-4","event.name":"user_prompt","a@b":"1","":{"x":"2"},"deep":{"er":{"est":3}},"prompt":"p"},"resource":{"attributes":{"service.name":"claude-code","n@m":null}},"Resource":{"host":{"name":"h"}}}}"#,
    ];
    let leave = [
        // A name twice in one object; two names that flatten alike; two
        // that strip alike; a span; a search response; no session; a
        // scalar `_source`; an OTLP request; not a document.
        r#"{"_source":{"@timestamp":"2026-01-16T10:00:00Z","attributes":{"session.id":"a","session.id":"b","event.name":"user_prompt"}}}"#,
        r#"{"_source":{"@timestamp":"2026-01-16T10:00:00Z","attributes":{"session.id":"a","session":{"id":"b"},"event.name":"user_prompt"}}}"#,
        r#"{"_source":{"@timestamp":"2026-01-16T10:00:00Z","attributes":{"session.id":"a","event.name":"user_prompt"},"log.attributes.session@id":"b"}}"#,
        r#"{"_source":{"@timestamp":"2026-01-16T10:00:00Z","name":"execute_tool aws","span_id":"s1","trace_id":"t1","duration":1000,"attributes":{"gen_ai.operation.name":"execute_tool","gen_ai.conversation.id":"c"}}}"#,
        r#"{"hits":{"hits":[{"_source":{"@timestamp":"2026-01-16T10:00:00Z","attributes":{"session.id":"a","event.name":"user_prompt"}}}]}}"#,
        r#"{"_source":{"@timestamp":"2026-01-16T10:00:00Z","attributes":{"event.name":"tool_result"},"body":{"text":"claude_code.tool_result"}}}"#,
        r#"{"_index":"x","_source":"claude_code.tool_result"}"#,
        r#"{"_source":{"@timestamp":"2026-01-16T10:00:00Z","attributes":{"session.id":"a","event.name":"user_prompt","prompt":"x","prompt":null}}}"#,
        r#"{"_source":{"@timestamp":"2026-01-16T10:00:00Z","attributes":{"session.id":"a","event.name":"user_prompt","x":{"y":"1"},"x":{"z":"2"}}}}"#,
        r#"{"_source":{"@timestamp":"2026-01-16T10:00:00Z","":"v","":null,"attributes":{"session.id":"a","event.name":"user_prompt"}}}"#,
        // A null inside attributes named as another member's leaf, or as
        // a dotted name beside the object.
        r#"{"_source":{"@timestamp":"2026-01-16T10:00:00Z","attributes":{"session.id":"a","event.name":"user_prompt","x.y":null,"x":{"y":"1"}}}}"#,
        r#"{"_source":{"@timestamp":"2026-01-16T10:00:00Z","attributes":{"session.id":"a","event.name":"user_prompt","x":null},"attributes.x":"1"}}"#,
        r#"{"resourceLogs":[],"x":"claude_code."}"#,
        r#"{"note":"claude_code.tool_result","session.id":"a"}"#,
    ];
    for d in docs {
        assert!(super::fast_docs::decode(d.as_bytes()).is_some(), "{d}");
    }
    for l in leave {
        assert!(super::fast_docs::decode(l.as_bytes()).is_none(), "{l}");
    }
    let path = std::path::Path::new("/home/dev/elastic/export.jsonl");
    let opts = super::super::TranscriptOptions::default();
    let mut lines: Vec<Vec<u8>> = super::super::tests_support::one_byte_edits(&docs);
    lines.extend(docs.iter().chain(&leave).map(|l| l.as_bytes().to_vec()));
    let mut fast_read = 0;
    for line in &lines {
        // A valid first line keeps the file one document per line.
        let mut text = docs[3].as_bytes().to_vec();
        text.push(b'\n');
        text.extend_from_slice(line);
        if super::fast_docs::decode(line).is_some() {
            fast_read += 1;
        }
        let fast = super::parse(path, &text, &opts);
        let mut r = super::Reader::new(path, &opts);
        for (no, l) in super::super::util::lines(&text) {
            super::read_line(&mut r, no, l);
        }
        let general = r.finish();
        assert_eq!(
            format!("{fast:?}"),
            format!("{general:?}"),
            "{}",
            String::from_utf8_lossy(line)
        );
    }
    assert!(
        fast_read > lines.len() / 4,
        "{fast_read} of {}",
        lines.len()
    );
}

/// A tool's arguments read straight from the text (`events::scan_args`)
/// give the command `serde_json::Value` gives, wherever the scanner
/// answers: MCP calls, each command member as text or argv, the last of
/// a name twice, members of other types, escapes; and every one-byte
/// edit of them.
#[test]
fn arguments_scanned_give_the_command_value_gives() {
    let samples = [
        r#"{"full_command": "aws lambda list-functions --region us-west-2", "note": "\u00e9\t"}"#,
        r#"{"command": ["bash", "-lc", "aws s3 ls \"s3://b\""], "workdir": "/w", "timeout_ms": 1000}"#,
        r#"{"mcp_server_name":"aws","mcp_tool_name":"call_aws","cmd":"x"}"#,
        r#"{"mcp_server_name":"aws","mcp_tool_name":7,"cmd":"  ","bash_command":"aws sts get-caller-identity"}"#,
        r#"{"command":"ls","command":["aws","iam","list-users",3,null],"full_command":{"x":[1,2]}}"#,
        r#"{"cmd":[],"bash_command":["  "],"command":"   "}"#,
        r#" {"other": [true, false, null, -1.5, 0, {"command": "nested"}]} "#,
    ];
    let odd = [
        r#"{"command": 1e400}"#,
        r#"{"command": "\ud800"}"#,
        r#"["aws"]"#,
        "aws s3 ls",
    ];
    let show = |(c, raw): (Option<String>, Option<String>)| format!("{c:?} {raw:?}");
    crate::transcripts::tests_support::scanner_matches_serde(
        &samples,
        &odd,
        |t| super::events::scan_args(t).ok().map(show),
        |t| Some(show(super::events::command_in_value(t))),
    );
}
