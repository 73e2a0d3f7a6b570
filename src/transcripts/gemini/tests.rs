//! The Gemini CLI reader on the fixture logs (rewinds, `$set`, denials,
//! subagents, the legacy single document) and on inline logs.

use std::path::Path;

use super::super::tests_support::{fixture, parse_fixture};
use super::super::{Approval, Outcome, Role, TranscriptFormat, TranscriptOptions, detect};

const MAIN: &str = "gemini/tmp/infra/chats/session-2026-04-20T10-00-1a2b3c4d.jsonl";
const SUB: &str = "gemini/tmp/infra/chats/1a2b3c4d-0000-4000-8000-00000000aaaa/5e6f7a8b-0000-4000-8000-00000000bbbb.jsonl";
const LEGACY: &str = "gemini/tmp/oldproj/chats/session-2025-09-01T10-00-abcd1234.json";

use super::super::tests_support::call;

#[test]
fn session_metadata_and_last_record_per_id_wins() {
    let p = parse_fixture(TranscriptFormat::GeminiJsonl, MAIN);
    let s = &p.sessions[0];
    assert_eq!(s.session_id, "1a2b3c4d-0000-4000-8000-00000000aaaa");
    assert_eq!(s.agent, "gemini-cli");
    assert_eq!(s.model.as_deref(), Some("gemini-2.5-pro"));
    assert_eq!(s.started_at, Some(1_776_679_200_000_000));
    let c = call(&p, "run_shell_command-1");
    assert_eq!(c.command.as_deref(), Some("aws s3 ls"));
    assert_eq!(
        (c.outcome, c.exit_code),
        (Outcome::Ok, Some(0)),
        "executing → success"
    );
    assert!(
        c.output_excerpt
            .as_deref()
            .is_some_and(|o| o.contains("bucket-a"))
    );
    assert_eq!(
        p.counts
            .skipped_by_type
            .get("superseded by a later record with the same id"),
        Some(&1)
    );
    assert!(p.tool_calls.iter().all(|c| c.session_id == s.session_id));
    assert!(p.messages.iter().all(|m| m.session_id == s.session_id));
}

#[test]
fn rewind_drops_messages_but_keeps_calls_that_ran() {
    let p = parse_fixture(TranscriptFormat::GeminiJsonl, MAIN);
    assert!(
        !p.messages
            .iter()
            .any(|m| m.text_excerpt.contains("eu-west-1 instead"))
    );
    assert!(
        p.messages
            .iter()
            .any(|m| m.text_excerpt == "never mind, show the caller identity")
    );
    let ran = call(&p, "run_shell_command-3");
    assert_eq!((ran.outcome, ran.exit_code), (Outcome::Error, Some(254)));
    assert!(
        !p.tool_calls
            .iter()
            .any(|c| c.call_id == "run_shell_command-5"),
        "cancelled and rewound"
    );
    assert!(
        p.notes.iter().any(|n| n.contains("$rewindTo")),
        "{:?}",
        p.notes
    );
    assert_eq!(p.counts.skipped_by_type.get("rewound"), Some(&2));
}

#[test]
fn denials_and_statuses() {
    let p = parse_fixture(TranscriptFormat::GeminiJsonl, MAIN);
    let denied = call(&p, "run_shell_command-2");
    assert_eq!(
        (denied.outcome, denied.approval),
        (Outcome::Rejected, Approval::Rejected)
    );
    let policy = call(&p, "run_shell_command-4");
    assert_eq!(
        (policy.outcome, policy.approval),
        (Outcome::Denied, Approval::Rejected)
    );
    let mcp = call(&p, "mcp-1");
    assert_eq!(
        mcp.command.as_deref(),
        Some(r#"mcp:awslabs.call_aws {"cli_command":"aws iam list-roles"}"#)
    );
    assert!(
        p.messages
            .iter()
            .any(|m| m.role == Role::System && m.text_excerpt == "Request cancelled.")
    );
}

#[test]
fn bad_lines_quarantined() {
    let p = parse_fixture(TranscriptFormat::GeminiJsonl, MAIN);
    let lines: Vec<_> = p.quarantined.iter().map(|q| q.line).collect();
    assert_eq!(lines, vec![Some(17), Some(18)]);
    assert_eq!(
        p.counts.skipped_by_type.get("(unrecognised record)"),
        Some(&1)
    );
}

#[test]
fn subagent_has_parent_from_directory() {
    let p = parse_fixture(TranscriptFormat::GeminiJsonl, SUB);
    let s = &p.sessions[0];
    assert_eq!(
        s.parent_session_id.as_deref(),
        Some("1a2b3c4d-0000-4000-8000-00000000aaaa")
    );
    assert_eq!(s.cwd.as_deref(), Some("/home/dana/infra"));
    assert_eq!(s.operator.as_deref(), Some("dana"));
}

#[test]
fn legacy_single_document() {
    let p = parse_fixture(TranscriptFormat::GeminiJson, LEGACY);
    let s = &p.sessions[0];
    assert_eq!(s.session_id, "abcd1234-1111-4222-8333-444455556666");
    let c = call(&p, "run_shell_command-1757");
    assert_eq!(
        c.command.as_deref(),
        Some("aws s3api delete-bucket --bucket tmp-bucket")
    );
    assert_eq!((c.outcome, c.exit_code), (Outcome::Error, Some(1)));
    assert_eq!(
        c.source_line, 13,
        "the line where its message record starts"
    );
    assert_eq!(p.messages.len(), 1, "the empty gemini turn is no message");
    assert_eq!(p.counts.lines_read, 3, "envelope + two messages");
}

#[test]
fn set_messages_upsert_and_unknown_rewind_target_clears() {
    let text = concat!(
        r#"{"sessionId":"s1","projectHash":"h"}"#,
        "\n",
        r#"{"id":"a","timestamp":"2026-04-20T10:00:00Z","type":"user","content":"first"}"#,
        "\n",
        r#"{"$set":{"messages":[{"id":"a","timestamp":"2026-04-20T10:00:00Z","type":"user","content":"first, masked"},{"id":"b","timestamp":"2026-04-20T10:00:01Z","type":"gemini","content":"reply"}]}}"#,
        "\n"
    );
    let p = super::super::parse(
        TranscriptFormat::GeminiJsonl,
        Path::new("session-x.jsonl"),
        text.as_bytes(),
        &TranscriptOptions::default(),
    );
    let texts: Vec<_> = p.messages.iter().map(|m| m.text_excerpt.as_str()).collect();
    assert_eq!(texts, vec!["first, masked", "reply"]);
    let rewound = format!("{text}{}\n", r#"{"$rewindTo":"no-such-id"}"#);
    let p = super::super::parse(
        TranscriptFormat::GeminiJsonl,
        Path::new("session-x.jsonl"),
        rewound.as_bytes(),
        &TranscriptOptions::default(),
    );
    assert!(
        p.messages.is_empty(),
        "an unknown target clears the history"
    );
    assert!(p.counts.reconciles());
}

#[test]
fn detects_both_shapes() {
    for (rel, f) in [
        (MAIN, TranscriptFormat::GeminiJsonl),
        (LEGACY, TranscriptFormat::GeminiJson),
    ] {
        let path = fixture(rel);
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(detect(&path, &bytes), Some(f), "{rel}");
    }
}
