//! The Aider reader on the fixture history (sessions in a given zone,
//! confirmed, declined and user-typed commands, the website example).

use super::super::tests_support::{fixture, parse_fixture, parse_fixture_with};
use super::super::{TranscriptFormat, detect};
use super::*;
use chrono::FixedOffset;

const MAIN: &str = "aider/home/erin/proj/.aider.chat.history.md";

#[test]
fn sessions_from_headers_in_the_given_zone() {
    let p = parse_fixture(TranscriptFormat::Aider, MAIN);
    assert_eq!(p.sessions.len(), 2);
    let s = &p.sessions[0];
    assert_eq!(s.agent, "aider");
    assert_eq!(s.agent_version.as_deref(), Some("0.86.0"));
    assert_eq!(
        s.model.as_deref(),
        Some("anthropic/claude-sonnet-4-20250514")
    );
    assert_eq!(
        s.started_at,
        Some(1_769_090_709_000_000),
        "2026-01-22 14:05:09 UTC"
    );
    assert_eq!(s.operator.as_deref(), Some("erin"));
    assert!(
        s.cwd
            .as_deref()
            .is_some_and(|c| c.ends_with("/home/erin/proj"))
    );
    assert_eq!(p.sessions[1].model.as_deref(), Some("gpt-4o"));
    assert!(
        p.notes
            .iter()
            .any(|n| n == "aider times read as UTC (no zone in file; use --aider-tz)")
    );

    let berlin = TranscriptOptions {
        aider_timezone: FixedOffset::east_opt(3600).unwrap(),
        ..TranscriptOptions::default()
    };
    let p = parse_fixture_with(TranscriptFormat::Aider, MAIN, &berlin);
    assert_eq!(
        p.sessions[0].started_at,
        Some(1_769_090_709_000_000 - 3_600_000_000)
    );
    assert!(
        p.notes.iter().any(|n| n.contains("UTC+01:00")),
        "{:?}",
        p.notes
    );
}

#[test]
fn confirmed_running_command_is_explicit() {
    let p = parse_fixture(TranscriptFormat::Aider, MAIN);
    let c = &p.tool_calls[0];
    assert_eq!(c.command.as_deref(), Some("aws s3 ls"));
    assert_eq!(c.tool_name, "shell");
    assert_eq!(c.approval, Approval::Explicit);
    assert_eq!(
        c.approval_evidence.as_deref(),
        Some("aider confirmation: y")
    );
    assert_eq!(
        (c.outcome, c.exit_code, c.started_at),
        (Outcome::Unknown, None, None)
    );
}

#[test]
fn declined_commands_are_rejected_each() {
    let p = parse_fixture(TranscriptFormat::Aider, MAIN);
    let rejected: Vec<_> = p
        .tool_calls
        .iter()
        .filter(|c| c.outcome == Outcome::Rejected)
        .map(|c| c.command.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(
        rejected,
        vec!["aws s3 rb s3://acme-logs --force", "aws s3 ls"]
    );
    assert!(
        !p.messages
            .iter()
            .any(|m| m.text_excerpt.trim() == "aws s3 ls")
    );
}

#[test]
fn user_typed_run_is_human_initiated() {
    let p = parse_fixture(TranscriptFormat::Aider, MAIN);
    let run = p
        .tool_calls
        .iter()
        .find(|c| c.command.as_deref() == Some("aws sts get-caller-identity"))
        .expect("the /run call");
    assert_eq!(run.tool_name, "run");
    assert_eq!(run.approval, Approval::Explicit);
    assert!(
        run.approval_evidence
            .as_deref()
            .is_some_and(|e| e.contains("human-initiated"))
    );
    assert!(
        run.output_excerpt
            .as_deref()
            .is_some_and(|o| o.contains("123456789012"))
    );
    let bang = p
        .tool_calls
        .iter()
        .find(|c| c.command.as_deref() == Some("aws s3 ls s3://acme-data"));
    assert_eq!(bang.map(|c| c.tool_name.as_str()), Some("run"));
    let git = p
        .tool_calls
        .iter()
        .find(|c| c.tool_name == "git")
        .expect("/git");
    assert_eq!(git.command.as_deref(), Some("git status"));
    assert_eq!(git.session_id, p.sessions[1].session_id);
}

#[test]
fn user_turns_and_replies_are_messages() {
    let p = parse_fixture(TranscriptFormat::Aider, MAIN);
    assert!(
        p.messages
            .iter()
            .any(|m| m.role == Role::User && m.text_excerpt == "which s3 buckets do we have?")
    );
    assert!(
        p.messages
            .iter()
            .any(|m| m.role == Role::Assistant && m.text_excerpt.starts_with("I'll list them"))
    );
    assert!(p.messages.iter().all(|m| m.time.is_none()));
    assert!(
        p.counts
            .skipped_by_type
            .get("aider notice")
            .is_some_and(|n| *n >= 3)
    );
}

#[test]
fn website_example_with_front_matter() {
    let p = parse_fixture(TranscriptFormat::Aider, "aider/site-example.md");
    assert_eq!(p.sessions.len(), 1);
    assert_eq!(p.sessions[0].started_at, None);
    assert!(
        p.counts
            .skipped_by_type
            .get("site markup")
            .is_some_and(|n| *n >= 6)
    );
    assert!(
        !p.messages
            .iter()
            .any(|m| m.text_excerpt.contains("parent:"))
    );
    assert!(
        !p.messages
            .iter()
            .any(|m| m.text_excerpt.contains("simplest possible"))
    );
    let run = &p.tool_calls[0];
    assert_eq!(
        (run.tool_name.as_str(), run.command.as_deref()),
        ("run", Some("pytest -q"))
    );
    assert!(
        run.output_excerpt
            .as_deref()
            .is_some_and(|o| o.contains("1 passed"))
    );
    assert!(p.notes.iter().any(|n| n.contains("header")));
}

#[test]
fn an_unclosed_fence_does_not_swallow_the_next_session() {
    let text = "# aider chat started at 2026-01-01 10:00:00\n\n#### go\n\n```bash\naws s3 ls\n\n# aider chat started at 2026-01-01 11:00:00\n\n#### /run aws sts get-caller-identity\n";
    let p = super::super::parse(
        TranscriptFormat::Aider,
        Path::new(".aider.chat.history.md"),
        text.as_bytes(),
        &TranscriptOptions::default(),
    );
    assert_eq!(p.sessions.len(), 2);
    assert_eq!(p.tool_calls.len(), 1);
    assert_eq!(p.tool_calls[0].session_id, p.sessions[1].session_id);
}

#[test]
fn detects_history_files() {
    for rel in [MAIN, "aider/site-example.md"] {
        let path = fixture(rel);
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(
            detect(&path, &bytes),
            Some(TranscriptFormat::Aider),
            "{rel}"
        );
    }
}
