//! The Copilot CLI reader on the session fixture: the session, each call's
//! command, times, outcome and the approval the permission events
//! recorded, and every line accounted for.

use super::super::tests_support::{call, parse_fixture};
use super::super::{Approval, Outcome, Role, TranscriptFormat};

const FILE: &str =
    "copilot/home/dee/.copilot/session-state/3f2a1b0c-9d8e-4f7a-b6c5-d4e3f2a1b0c9/events.jsonl";

#[test]
fn session_calls_and_recorded_approvals() {
    let p = parse_fixture(TranscriptFormat::CopilotCli, FILE);
    assert_eq!(p.sessions.len(), 1);
    let s = &p.sessions[0];
    assert_eq!(s.session_id, "3f2a1b0c-9d8e-4f7a-b6c5-d4e3f2a1b0c9");
    assert_eq!(s.agent, "copilot-cli");
    assert_eq!(s.agent_version.as_deref(), Some("1.0.41"));
    assert_eq!(s.model.as_deref(), Some("claude-sonnet-4.5"));
    assert_eq!(s.cwd.as_deref(), Some("/home/dee/infra"));
    assert_eq!(s.git_branch.as_deref(), Some("main"));
    assert_eq!(s.operator.as_deref(), Some("dee"));
    assert_eq!(s.approval_mode.as_deref(), Some("allow-all"));

    let rb = call(&p, "toolu_vrtx_01A");
    assert_eq!(
        rb.command.as_deref(),
        Some("aws s3 rb s3://staging-assets-old --force")
    );
    assert_eq!((rb.outcome, rb.approval), (Outcome::Ok, Approval::Explicit));
    assert_eq!(rb.started_at, Some(1_768_579_208_500_000));
    assert_eq!(rb.ended_at, Some(1_768_579_216_880_000));
    assert!(
        rb.approval_evidence
            .as_deref()
            .unwrap()
            .starts_with("permission.completed approved")
    );

    let iam = call(&p, "toolu_vrtx_02B");
    assert_eq!(
        (iam.outcome, iam.approval),
        (Outcome::Rejected, Approval::Rejected),
        "the failed completion after an interactive denial stays a rejection"
    );
    assert!(iam.output_excerpt.as_deref().unwrap().contains("rejected"));

    let sts = call(&p, "toolu_vrtx_03C");
    assert_eq!((sts.outcome, sts.approval), (Outcome::Ok, Approval::Auto));
    assert_eq!(
        sts.approval_evidence.as_deref(),
        Some("permission mode allow-all (Copilot CLI)")
    );
    let mcp = call(&p, "toolu_vrtx_04D");
    assert!(
        mcp.command
            .as_deref()
            .unwrap()
            .starts_with("mcp:aws-api.call_aws {"),
        "{mcp:?}"
    );
    assert_eq!(p.tool_calls.len(), 4);
    let users = p.messages.iter().filter(|m| m.role == Role::User).count();
    assert_eq!(users, 1);

    assert_eq!(p.counts.lines_read, 20);
    assert_eq!(p.counts.quarantined, 2);
    let lines: Vec<_> = p.quarantined.iter().map(|q| q.line).collect();
    assert_eq!(lines, [Some(13), Some(19)]);
    assert!(p.quarantined[1].reason.contains("without a `type`"));
    assert_eq!(
        p.counts.skipped_by_type.get("assistant.turn_start"),
        Some(&1)
    );
    assert_eq!(p.counts.skipped_by_type.get("session.shutdown"), Some(&1));
}

#[test]
fn a_legacy_file_is_named_by_its_stem_until_session_start() {
    let text = r#"{"type":"tool.execution_start","id":"e1","timestamp":"2026-01-16T16:00:00Z","parentId":null,"data":{"toolCallId":"t1","toolName":"bash","arguments":{"command":"aws s3 ls"}}}"#;
    let p = super::parse(
        std::path::Path::new("/home/x/.copilot/session-state/abc-123.jsonl"),
        text.as_bytes(),
        &Default::default(),
    );
    assert_eq!(p.sessions[0].session_id, "abc-123");
    assert_eq!(p.tool_calls[0].session_id, "abc-123");
    assert_eq!(p.tool_calls[0].approval, Approval::Unknown);
}

/// The typed reading of an event and the `Value` one agree wherever the
/// typed one answers: every line of the fixture, each one-byte edit of
/// them, and members of other types, `null`s and names given twice.
#[test]
fn typed_events_read_as_values_do() {
    use super::event::Event;
    let dir = super::super::tests_support::fixture(FILE);
    let text = std::fs::read_to_string(dir).unwrap();
    let samples: Vec<&str> = text
        .lines()
        .filter(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
        .collect();
    let odd = [
        r#"{"type":"tool.execution_start","data":{"toolCallId":"t","toolCallId":"u"}}"#,
        r#"{"type":"tool.execution_start","type":"x","data":{}}"#,
        r#"{"type":"tool.execution_start","data":{"toolCallId":"t","arguments":null,"mcpServerName":"s","mcpToolName":"t"}}"#,
        r#"{"type":"tool.execution_start","data":{"toolCallId":"t","arguments":"aws s3 ls"}}"#,
        r#"{"type":"tool.execution_start","data":{"toolCallId":"t","arguments":{"command":7}}}"#,
        r#"{"type":"tool.execution_start","data":{"toolCallId":"t","arguments":{"command":"a","command":"b"}}}"#,
        r#"{"type":"tool.execution_start","data":{"toolCallId":"t","arguments":{ "command" : "aws s3 ls" , "x":[1, {"y":"\u00e9"}]}}}"#,
        r#"{"type":"tool.execution_complete","data":{"toolCallId":"t","success":"true","result":null}}"#,
        r#"{"type":"tool.execution_complete","data":{"toolCallId":"t","success":false,"error":{"message":null}}}"#,
        r#"{"type":"session.start","data":{"context":null,"sessionId":""}}"#,
        r#"{"type":"session.start","data":[1,2]}"#,
        r#"{"type":"session.start","data":null}"#,
        r#"{"type":7,"data":{}}"#,
        r#"{"timestamp":"2026-01-16T16:00:00Z"}"#,
        r#"{"type":"permission.completed","data":{"requestId":"r","result":{"kind":"approved","kind":"denied"}}}"#,
    ];
    // The reader compacts `arguments` before it uses them.
    let shown = |mut e: Event<'_>| {
        e.arguments = e
            .arguments
            .map(|a| super::super::text::compact_json(&a).into());
        format!("{e:?}")
    };
    super::super::tests_support::scanner_matches_serde(
        &samples,
        &odd,
        |t| {
            (super::super::text::first_byte(t.as_bytes()) == Some(b'{'))
                .then(|| Event::decode(t.as_bytes()))
                .flatten()
                .map(shown)
        },
        |t| {
            serde_json::from_str::<serde_json::Value>(t)
                .ok()
                .map(|v| shown(Event::of_value(&v)))
        },
    );
}
