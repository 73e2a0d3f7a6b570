use std::path::Path;

use super::super::tests_support::{call, parse_fixture};
use super::super::{Approval, Outcome, TranscriptFormat, TranscriptOptions, detect, parse};

const CONV: &str = "c9a1f2e3-4b5d-4e6f-8a7b-9c0d1e2f3a4b";
const PROJECT: &str = "cursor/home/fay/.cursor/projects/home-fay-infra/agent-transcripts";
const HOOKS: &str = "cursor/home/fay/.trailblame/cursor-hook-log.jsonl";

fn shell_calls(p: &super::super::ParsedTranscript) -> Vec<(&str, Option<&str>)> {
    p.tool_calls
        .iter()
        .map(|c| (c.tool_name.as_str(), c.command.as_deref()))
        .collect()
}

#[test]
fn jsonl_transcript_calls_without_times_and_redacted_input_left_unknown() {
    let rel = format!("{PROJECT}/{CONV}/{CONV}.jsonl");
    let p = parse_fixture(TranscriptFormat::CursorJsonl, &rel);
    assert_eq!(p.sessions.len(), 1);
    let s = &p.sessions[0];
    assert_eq!((s.session_id.as_str(), s.agent.as_str()), (CONV, "cursor"));
    assert_eq!(s.operator.as_deref(), Some("fay"));
    // The prompt's <timestamp> tag dates the prompt and the session only.
    assert_eq!(s.started_at, Some(1_768_561_201_000_000));
    assert_eq!(p.messages[0].time, s.started_at);
    assert_eq!(
        p.messages[0].text_excerpt,
        "remove the old scratch bucket cursor-scratch-2025"
    );
    assert_eq!(
        shell_calls(&p),
        vec![
            ("Shell", Some("aws s3 rb s3://cursor-scratch-2025 --force")),
            ("Shell", None)
        ]
    );
    let rb = call(&p, "toolu_cur_01");
    assert_eq!((rb.started_at, rb.outcome), (None, Outcome::Ok));
    assert_eq!(rb.approval, Approval::Unknown);
    assert!(
        p.notes.iter().any(|n| n.contains("REDACTED")),
        "{:?}",
        p.notes
    );
    assert!(
        p.notes.iter().any(|n| n.contains("no time")),
        "{:?}",
        p.notes
    );
    // The cut line is quarantined with its number; turn_ended is skipped.
    assert_eq!(p.quarantined.len(), 1);
    assert_eq!(p.quarantined[0].line, Some(6));
    assert_eq!(p.counts.skipped_by_type.get("turn_ended"), Some(&1));
    assert_eq!(p.counts.lines_read, 7);
}

#[test]
fn a_subagent_names_its_parent_conversation() {
    let rel = format!("{PROJECT}/{CONV}/subagents/5d6e7f80-1a2b-4c3d-9e8f-7a6b5c4d3e2f.jsonl");
    let p = parse_fixture(TranscriptFormat::CursorJsonl, &rel);
    assert_eq!(p.sessions[0].parent_session_id.as_deref(), Some(CONV));
    assert_eq!(shell_calls(&p), vec![("Grep", None)]);
}

#[test]
fn text_transcript_blocks_become_messages_and_calls() {
    let rel = format!("{PROJECT}/0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b.txt");
    let p = parse_fixture(TranscriptFormat::CursorText, &rel);
    assert_eq!(
        p.sessions[0].session_id,
        "0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b"
    );
    assert_eq!(
        shell_calls(&p),
        vec![("Shell", Some("aws s3 ls --profile fay-dev"))]
    );
    let c = &p.tool_calls[0];
    assert_eq!(c.outcome, Outcome::Ok);
    assert!(c.output_excerpt.as_deref().unwrap().contains("logs-bucket"));
    let roles: Vec<&str> = p.messages.iter().map(|m| m.role.as_str()).collect();
    assert_eq!(roles, ["user", "assistant"]);
    assert_eq!(p.messages[0].text_excerpt, "list my buckets");
    assert_eq!(p.counts.skipped_by_type.get("thinking"), Some(&2));
}

#[test]
fn hook_log_pairs_before_and_after_with_the_logged_times() {
    let p = parse_fixture(TranscriptFormat::CursorHookLog, HOOKS);
    assert_eq!(p.sessions.len(), 1);
    let s = &p.sessions[0];
    assert_eq!((s.session_id.as_str(), s.agent.as_str()), (CONV, "cursor"));
    assert_eq!(s.agent_version.as_deref(), Some("2.3.41"));
    assert_eq!(s.model.as_deref(), Some("claude-4.5-sonnet"));
    assert_eq!(s.cwd.as_deref(), Some("/home/fay/infra"));
    assert_eq!(s.operator.as_deref(), Some("fay"));
    assert_eq!(
        shell_calls(&p),
        vec![
            ("Shell", Some("aws s3 rb s3://cursor-scratch-2025 --force")),
            ("Shell", Some("aws iam delete-user --user-name old-ci")),
            ("Shell", Some("aws sts get-caller-identity")),
        ]
    );
    let rb = &p.tool_calls[0];
    assert_eq!(rb.started_at, Some(1_768_561_205_000_000));
    assert_eq!(rb.ended_at, Some(1_768_561_209_000_000));
    assert_eq!((rb.outcome, rb.approval), (Outcome::Ok, Approval::Unknown));
    assert!(
        rb.output_excerpt
            .as_deref()
            .unwrap()
            .contains("remove_bucket")
    );
    assert!(
        rb.approval_evidence
            .as_deref()
            .unwrap()
            .ends_with("(Cursor hook log)")
    );
    let iam = &p.tool_calls[1];
    assert_eq!((iam.outcome, iam.ended_at), (Outcome::Unknown, None));
    assert!(
        iam.approval_evidence
            .as_deref()
            .unwrap()
            .contains("no afterShellExecution")
    );
    // A bare payload with the logger's fractional `timestamp`.
    assert_eq!(p.tool_calls[2].started_at, Some(1_768_561_320_250_000));
    // The cut line and the hand-piped payload are quarantined by line.
    let lines: Vec<Option<u64>> = p.quarantined.iter().map(|q| q.line).collect();
    assert_eq!(lines, [Some(6), Some(7)]);
    assert!(
        p.quarantined[1]
            .reason
            .contains("not a Cursor hook payload")
    );
    assert_eq!(p.counts.skipped_by_type.get("beforeReadFile"), Some(&1));
    assert_eq!(p.counts.skipped_by_type.get("stop"), Some(&1));
    assert_eq!(p.messages.len(), 2);
}

#[test]
fn a_logged_hook_answer_is_the_approval() {
    let log = concat!(
        r#"{"logged_at":"2026-01-16T11:00:00Z","permission":"deny","hook":{"conversation_id":"c1","generation_id":"g","hook_event_name":"beforeShellExecution","command":"aws s3 rb s3://x"}}"#,
        "\n",
        r#"{"logged_at":"2026-01-16T11:00:01Z","permission":"allow","hook":{"conversation_id":"c1","generation_id":"g","hook_event_name":"beforeShellExecution","command":"aws s3 ls"}}"#,
        "\n"
    );
    let p = parse(
        TranscriptFormat::CursorHookLog,
        Path::new("hooks.jsonl"),
        log.as_bytes(),
        &TranscriptOptions::default(),
    );
    let got: Vec<(Approval, Outcome)> = p
        .tool_calls
        .iter()
        .map(|c| (c.approval, c.outcome))
        .collect();
    assert_eq!(
        got,
        [
            (Approval::Rejected, Outcome::Denied),
            (Approval::Auto, Outcome::Unknown)
        ]
    );
}

#[test]
fn cursor_payloads_are_not_claude_hook_payloads() {
    let cursor = r#"{"conversation_id":"c","generation_id":"g","hook_event_name":"sessionStart","session_id":"c","cursor_version":"2.3.41"}
"#;
    assert_eq!(
        detect(Path::new("h.jsonl"), cursor.as_bytes()),
        Some(TranscriptFormat::CursorHookLog)
    );
    let claude = r#"{"session_id":"s","hook_event_name":"PreToolUse","tool_name":"Bash"}
"#;
    assert_eq!(
        detect(Path::new("h.jsonl"), claude.as_bytes()),
        Some(TranscriptFormat::ClaudeHookLog)
    );
    let array = format!("[{}]", cursor.trim());
    assert_eq!(
        detect(Path::new("h.json"), array.as_bytes()),
        Some(TranscriptFormat::CursorHookLog)
    );
    // A text file that merely starts with `user:` is not a transcript.
    assert_eq!(detect(Path::new("n.txt"), b"user:\nroot\n"), None);
}

/// The fast path (`payload::decode`) and the general one (`Value`) read a
/// hook log alike, line by line: wrapped and bare payloads, escapes and
/// non-ASCII text, members of the wrong type (read as absent, never a
/// reason to quarantine), a repeated member (the last wins), the odd
/// shapes `workspace_roots` and `output` can take, times as numbers,
/// strings and null, and lines the fast path leaves to the general one:
/// not objects, a `hook` that is not an object, cut or invalid JSON,
/// invalid UTF-8, nesting past the parser's limit.
#[test]
fn the_fast_path_reads_hook_lines_as_the_general_path_does() {
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let lines: Vec<Vec<u8>> = vec![
        br#"{"logged_at":"2026-01-16T10:00:00Z","agent":"cursor","hook":{"conversation_id":"c1","generation_id":"g0","hook_event_name":"beforeShellExecution","cursor_version":"2.3.41","workspace_roots":["/home/fay/src"],"command":"bash -lc 'aws s3 ls'","cwd":"/home/fay/src","model":"gpt-5"}}"#.to_vec(),
        br#"{"logged_at":"2026-01-16T10:00:01Z","agent":"cursor","hook":{"conversation_id":"c1","generation_id":"g0","hook_event_name":"afterShellExecution","command":"bash -lc 'aws s3 ls'","output":"caf\u00e9 \"ok\"\n","duration":1200,"exit_code":"2","exitCode":3}}"#.to_vec(),
        "{\"logged_at\":1768557600,\"hook\":{\"conversation_id\":\"c\\u0032\",\"hook_event_name\":\"beforeShellExecution\",\"command\":\"rm -rf /tmp/é ✓\",\"generation_id\":7,\"workspace_roots\":{\"0\":\"/home/gil/x\",\"1\":2},\"user_email\":[\"x\"]},\"permission\":5,\"output\":{\"permission\":\"deny\",\"other\":[1,{\"a\":null}]}}".as_bytes().to_vec(),
        br#"{"logged_at":null,"hook":{"conversation_id":"c2","hook_event_name":"afterShellExecution","command":"rm -rf /tmp/x","duration":-5,"exit_code":1.0,"exitCode":-1,"ts":"2026-01-16T10:00:02"}}"#.to_vec(),
        br#"{"conversation_id":"c3","hook_event_name":"afterShellExecution","command":"ls","duration":1.5,"timestamp":1768557600123,"output":["x"],"exit_code":9223372036854775808}"#.to_vec(),
        br#"{"conversation_id":"c3","hook_event_name":"beforeSubmitPrompt","prompt":"delete the \"old\" bucket\ttab","time":"yesterday","model":"a","model":"b","cursor_version":"1"}"#.to_vec(),
        br#"{"conversation_id":"c3","hook_event_name":"afterAgentResponse","text":{"not":"text"},"ts":{"a":1}}"#.to_vec(),
        br#"{"conversation_id":"c3","hook_event_name":"sessionStart","composer_mode":"agent","hook":{"x":1}}"#.to_vec(),
        br#"{"conversation_id":"c3","hook_event_name":"sessionStart","composer_mode":null}"#.to_vec(),
        br#"{"conversation_id":"c3","hook_event_name":"somethingNew","workspace_roots":"/not/a/list"}"#.to_vec(),
        br#"{"conversation_id":"c4","hook_event_name":"beforeShellExecution","command":"","permission":"allow","logged_at":"2026-01-16T10:00:03Z"}"#.to_vec(),
        br#"{"conversation_id":"c4","hook_event_name":"beforeShellExecution","command":42}"#.to_vec(),
        br#"{"conversation_id":"c4","hook_event_name":"afterShellExecution","command":"never opened","generation_id":"gx","workspace_roots":[3,"/home/hal"]}"#.to_vec(),
        br#"{"hook_event_name":"beforeShellExecution","command":"no conversation"}"#.to_vec(),
        br#"{"conversation_id":17,"hook_event_name":"stop"}"#.to_vec(),
        br#"{"logged_at":"2026-01-16T10:00:00Z","hook":"not an object"}"#.to_vec(),
        br#"{"logged_at":"2026-01-16T10:00:00Z","hook":null}"#.to_vec(),
        br#"{"hook":{"conversation_id":"c5","hook_event_name":"stop"},"conversation_id":"c6","hook_event_name":"stop"}"#.to_vec(),
        br#"[1,2,3]"#.to_vec(),
        br#""just a string""#.to_vec(),
        br#"{"conversation_id":"c7","hook_event_name":"stop","#.to_vec(),
        br#"{"conversation_id":"c7","hook_event_name":"stop"} trailing"#.to_vec(),
        b"{\"conversation_id\":\"c7\",\"hook_event_name\":\"stop\",\"junk\":\"\xff\"}".to_vec(),
        br#"{"conversation_id":"c7","hook_event_name":"stop","junk":"\ud800"}"#.to_vec(),
        br#"{"conversation_id":"c7","hook_event_name":"stop","junk":1e999}"#.to_vec(),
        format!(r#"{{"conversation_id":"c7","hook_event_name":"stop","junk":{deep}}}"#).into_bytes(),
        br#"{"conversation_id":"c7","hook_event_name":"stop","junk":[1,{"a":"b"}]}"#.to_vec(),
    ];
    // The usual lines, and those with odd member types, take the fast path.
    for i in [0, 1, 2, 3, 4, 5, 6, 9, 12, 14] {
        assert!(
            super::payload::decode(&lines[i]).is_some(),
            "line {i} should be decoded by the fast path"
        );
    }
    // Lines `Value` rejects, or that are not payload objects, do not.
    for i in [15, 16, 18, 19, 20, 21, 22, 23, 24, 25] {
        assert!(
            super::payload::decode(&lines[i]).is_none(),
            "line {i} should be left to the general path"
        );
    }
    let text = lines.join(&b"\n"[..]);
    let path = Path::new("/home/fay/.trailblame/cursor-hook-log.jsonl");
    let opts = TranscriptOptions::default();
    let fast = super::hooks::read(path, &text, &opts, true);
    let general = super::hooks::read(path, &text, &opts, false);
    assert_eq!(format!("{fast:?}"), format!("{general:?}"));
    assert!(fast.counts.reconciles());
    assert_eq!(fast.counts.lines_read, lines.len() as u64);
    assert_eq!(fast.counts.quarantined, 12, "{:?}", fast.quarantined);
    assert_eq!(fast.tool_calls.len(), 6);
    assert_eq!(fast.messages.len(), 1);
}

/// What a line's object gives the reader, as text.
fn members_of(mut o: super::payload::Obj<'_>) -> String {
    let h = o.take_hook();
    let stamp = match &h.stamp {
        super::payload::Stamp::Text(t) => format!("text {t}"),
        super::payload::Stamp::Json(raw) => format!("json {:?}", raw.as_ref().map(|r| r.get())),
    };
    format!(
        "{:?} {:?} {stamp} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
        h.event,
        h.conversation,
        h.cwd,
        h.email,
        h.model,
        h.version,
        h.prompt,
        h.text,
        h.mode,
        h.command,
        h.generation,
        h.permission,
        h.output,
        h.duration_ms,
        h.exit_code
    )
}

/// The scanner (`payload::scan`) answers for the lines hook loggers write
/// and, wherever it answers, gives what serde's decoding gives; where serde
/// declines a text, so does the scanner. Checked on lines with every kind
/// of member and on every one-byte deletion and replacement of them.
#[test]
fn the_scanner_reads_a_hook_line_as_serde_does() {
    let lines = [
        r#"{"logged_at":"2026-01-16T10:00:00Z","agent":"cursor","hook":{"conversation_id":"c1","generation_id":"g0","hook_event_name":"beforeShellExecution","cursor_version":"2.3.41","workspace_roots":["/home/fay/src","/x"],"command":"bash -lc 'aws s3 ls \"a b\"'","cwd":"/home/fay/src","model":"gpt-5","user_email":"fay@example.com","transcript_path":null}}"#,
        r#"{"logged_at":"2026-01-16T10:00:01Z","hook":{"conversation_id":"c1","hook_event_name":"afterShellExecution","command":"ls","output":"caf\u00e9 \"ok\"\n","duration":1200,"exit_code":-2,"exitCode":3.5,"workspace_roots":[]}}"#,
        r#" {"conversation_id":"c3","hook_event_name":"afterShellExecution","command":"ls","duration":1.5,"output":{"permission":"deny","x":[1,{"a":true}]},"exit_code":9223372036854775808,"permission":7} "#,
        r#"{"conversation_id":"c3","hook_event_name":"beforeSubmitPrompt","prompt":"x","model":"a","model":"b","hook":{"conversation_id":"in","ts":"2026-01-16T10:00:02Z"},"workspace_roots":"/no","output":false,"composer_mode":null}"#,
        r#"{"timestamp":"t","hook":{"conversation_id":"c","hook_event_name":"stop","timestamp":"u","output":["x"],"duration":true,"junk":[-0,0.5,{"k":"\ud83d\ude00"}]}}"#,
    ];
    crate::transcripts::tests_support::scanner_matches_serde(
        &lines,
        &[],
        |t| super::payload::scan(t).map(|o| members_of(*o)),
        |t| {
            serde_json::from_str::<super::payload::Obj<'_>>(t)
                .ok()
                .map(members_of)
        },
    );
}
