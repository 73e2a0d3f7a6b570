use std::path::Path;

use super::super::tests_support::{call, parse_fixture};
use super::super::{Approval, Outcome, TranscriptFormat, TranscriptOptions, detect, parse};

const TASK: &str =
    "cline/home/gil/.config/Code/User/globalStorage/saoudrizwan.claude-dev/tasks/1768564800000";
const ROO: &str = "cline/home/gil/.config/Code/User/globalStorage/rooveterinaryinc.roo-cline/tasks/7f3e2d1c-0b9a-4876-9543-210fedcba987";

#[test]
fn ui_messages_give_calls_approvals_and_times() {
    let p = parse_fixture(
        TranscriptFormat::ClineTask,
        &format!("{TASK}/ui_messages.json"),
    );
    assert_eq!(p.sessions.len(), 1);
    let s = &p.sessions[0];
    assert_eq!(
        (s.session_id.as_str(), s.agent.as_str()),
        ("1768564800000", "cline")
    );
    assert_eq!(s.operator.as_deref(), Some("gil"));
    assert_eq!(s.started_at, Some(1_768_564_800_000_000));
    let got: Vec<(&str, Option<&str>, Outcome, Approval)> = p
        .tool_calls
        .iter()
        .map(|c| {
            (
                c.call_id.as_str(),
                c.command.as_deref(),
                c.outcome,
                c.approval,
            )
        })
        .collect();
    assert_eq!(
        got[..3],
        [
            (
                "ts-1768564803200",
                Some("aws s3 ls"),
                Outcome::Ok,
                Approval::Auto
            ),
            (
                "ts-1768564808000",
                Some("aws s3 rb s3://staging-leftovers --force"),
                Outcome::Ok,
                Approval::Explicit
            ),
            (
                "ts-1768564815000",
                Some("aws iam delete-role --role-name staging-deployer"),
                Outcome::Rejected,
                Approval::Rejected
            ),
        ]
    );
    let rb = call(&p, "ts-1768564808000");
    let why = rb.approval_evidence.as_deref().unwrap();
    assert!(
        why.contains("requires_approval") && why.ends_with("(Cline ui_messages.json)"),
        "{why}"
    );
    assert_eq!(rb.ended_at, Some(1_768_564_813_000_000));
    assert!(
        rb.output_excerpt
            .as_deref()
            .unwrap()
            .contains("remove_bucket")
    );
    let auto = call(&p, "ts-1768564803200");
    assert!(
        auto.approval_evidence
            .as_deref()
            .unwrap()
            .starts_with("say:command")
    );
    let mcp = call(&p, "ts-1768564844000");
    assert_eq!(
        (mcp.outcome, mcp.approval),
        (Outcome::Ok, Approval::Explicit)
    );
    assert!(
        mcp.command
            .as_deref()
            .unwrap()
            .starts_with("mcp:awslabs.aws-api-mcp-server.call_aws")
    );
    assert_eq!(p.tool_calls.len(), 4, "the partial ask is not a call");
    // The hand-pasted element and the cut tail are quarantined.
    let q: Vec<(Option<u64>, Option<u64>)> = p
        .quarantined
        .iter()
        .map(|q| (q.line, q.record_index))
        .collect();
    assert_eq!(q, [(Some(18), Some(16)), (Some(21), Some(19))]);
    assert_eq!(
        p.counts.skipped_by_type.get("ask:command (partial)"),
        Some(&1)
    );
    let roles: Vec<&str> = p.messages.iter().map(|m| m.role.as_str()).collect();
    assert_eq!(roles, ["user", "assistant", "user"]);
}

#[test]
fn roo_code_denial_and_agent_name() {
    let p = parse_fixture(
        TranscriptFormat::ClineTask,
        &format!("{ROO}/ui_messages.json"),
    );
    assert_eq!(p.sessions[0].agent, "roo-code");
    let c = &p.tool_calls[0];
    assert_eq!(
        (c.outcome, c.approval),
        (Outcome::Rejected, Approval::Rejected)
    );
}

#[test]
fn the_other_task_files_are_counted_as_skipped() {
    let h = parse_fixture(
        TranscriptFormat::ClineTask,
        &format!("{TASK}/api_conversation_history.json"),
    );
    assert_eq!((h.counts.lines_read, h.counts.records_skipped), (2, 2));
    let m = parse_fixture(
        TranscriptFormat::ClineTask,
        &format!("{TASK}/task_metadata.json"),
    );
    assert_eq!((m.counts.lines_read, m.counts.records_skipped), (1, 1));
    assert!(h.sessions.is_empty() && m.sessions.is_empty());
}

#[test]
fn an_asked_command_with_no_answer_stays_unknown() {
    let doc = r#"[{"ts":1768564800000,"type":"ask","ask":"command","text":"aws s3 ls"}]"#;
    let p = parse(
        TranscriptFormat::ClineTask,
        Path::new("tasks/t1/ui_messages.json"),
        doc.as_bytes(),
        &TranscriptOptions::default(),
    );
    assert_eq!(p.tool_calls[0].approval, Approval::Unknown);
    assert_eq!(p.tool_calls[0].session_id, "t1");
    assert_eq!(
        detect(Path::new("ui_messages.json"), doc.as_bytes()),
        Some(TranscriptFormat::ClineTask)
    );
    // Plain Anthropic messages are Cline's only under their own name.
    let api = br#"[{"role":"user","content":"hi"}]"#;
    assert_eq!(detect(Path::new("messages.json"), api), None);
    assert_eq!(
        detect(Path::new("t/api_conversation_history.json"), api),
        Some(TranscriptFormat::ClineTask)
    );
}

/// The fast path (`message::decode`) and the general one (`Value`) read a
/// message array alike, element by element: escapes and non-ASCII text,
/// members of the wrong type (read as absent), a repeated member (the last
/// wins), `ts` as a float, a negative number or text, a partial flag that
/// is not a boolean, history messages, and elements the fast path leaves
/// to the general one (not objects, JSON `Value` rejects), then a cut tail.
#[test]
fn the_fast_path_reads_messages_as_the_general_path_does() {
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let items: Vec<String> = vec![
        r#"{"ts":1768564800000,"type":"say","say":"task","text":"clean up caf\u00e9 \"x\""}"#.into(),
        r#"{"ts":1768564800001,"type":"ask","ask":"command","text":"aws s3 rb s3://b --force\nREQ_APP","partial":false}"#.into(),
        r#"{"ts":1768564800002,"type":"ask","ask":"command_output","text":"removed ✓"}"#.into(),
        r#"{"ts":1768564800003,"type":"say","say":"api_req_started","text":"{\"request\":\"Command executed.\"}"}"#.into(),
        r#"{"ts":1768564800004.5,"type":"say","say":"command","text":"ls","partial":"yes"}"#.into(),
        r#"{"ts":-4,"type":"say","say":"command","text":"ls -l","say":"text"}"#.into(),
        r#"{"ts":"1768564800006","type":"say","say":"text","text":"ts as text"}"#.into(),
        r#"{"ts":1768564800007,"type":"say","say":["command"],"text":7}"#.into(),
        r#"{"ts":1768564800008,"type":"ask","say":"command","ask":null,"text":"x","partial":true}"#.into(),
        r#"{"ts":1768564800009,"type":"say","say":"command","text":"terraform apply","partial":true}"#.into(),
        r#"{"ts":1768564800010,"type":"other","say":"text","text":"x"}"#.into(),
        r#"{"role":"user","content":[{"type":"text","text":"hi"}]}"#.into(),
        r#"{"role":null,"content":null,"ts":1,"type":"say"}"#.into(),
        r#"{"ts":1768564800011,"type":"say","say":"text","text":"x","junk":{"a":[1,2,{"b":null}]}}"#.into(),
        r#"{"ts":1768564800012,"type":"say","say":"text","text":"x","junk":"\ud800"}"#.into(),
        r#"{"ts":1768564800013,"type":"say","say":"text","text":"x","junk":1e999}"#.into(),
        format!(r#"{{"ts":1768564800014,"type":"say","say":"text","text":"x","junk":{deep}}}"#),
        r#"[1,2]"#.into(),
        r#""a string""#.into(),
        r#"{"ts":1768564800015,"type":"say","say":"api_req_started","text":"The user denied this operation."}"#.into(),
    ];
    for i in [0, 1, 4, 5, 6, 7, 8, 11, 12, 13] {
        assert!(
            super::message::decode(&items[i]).is_some(),
            "element {i} should be decoded by the fast path"
        );
    }
    for i in [14, 15, 16, 17, 18] {
        assert!(
            super::message::decode(&items[i]).is_none(),
            "element {i} should be left to the general path"
        );
    }
    let text = format!("[{},\n{{\"ts\":1,\"type\":", items.join(",\n"));
    let path = Path::new(&format!("/home/gil/{TASK}/ui_messages.json")).to_owned();
    let opts = TranscriptOptions::default();
    let fast = super::read(&path, text.as_bytes(), &opts, true);
    let general = super::read(&path, text.as_bytes(), &opts, false);
    assert_eq!(format!("{fast:?}"), format!("{general:?}"));
    assert!(fast.counts.reconciles());
    assert_eq!(fast.counts.lines_read, items.len() as u64 + 1);
    assert_eq!(fast.counts.quarantined, 8, "{:?}", fast.quarantined);
    assert_eq!(fast.tool_calls.len(), 2);
}

/// What an element gives the reader, as text.
fn members_of(d: &super::message::Decoded<'_>) -> String {
    let m = d.message();
    format!(
        "{} {} {:?} {:?} {:?} {:?} {:?} {:?}",
        m.history, m.ts_is_number, m.ts, m.ty, m.ask, m.say, m.text, m.partial
    )
}

/// The scanner (`message::scan`) answers for the elements Cline writes
/// and, wherever it answers, gives what serde's decoding gives; where serde
/// declines an element, so does the scanner. Checked on elements with
/// every member and type and on every one-byte deletion and replacement.
#[test]
fn the_scanner_reads_an_element_as_serde_does() {
    let items = [
        r#"{"ts":1768564800001,"type":"ask","ask":"command","text":"aws s3 rb \"s3://b\" --force\nREQ_APP","partial":false,"conversationHistoryIndex":3}"#,
        r#" {"ts":1768564800004.5,"type":"say","say":"api_req_started","text":"{\"request\":\"x\",\"cost\":0.01}","partial":"yes","modelInfo":{"providerId":"anthropic","modelId":"m"},"images":[]} "#,
        r#"{"ts":-4,"type":"say","say":"text","say":null,"text":["x"],"partial":true,"ask":7}"#,
        r#"{"role":"assistant","content":[{"type":"text","text":"caf\u00e9 \ud83d\ude00"}],"ts":-0}"#,
    ];
    crate::transcripts::tests_support::scanner_matches_serde(
        &items,
        &[],
        |t| super::message::scan(t).map(|o| members_of(&o)),
        |t| {
            serde_json::from_str::<super::message::Decoded<'_>>(t)
                .ok()
                .map(|o| members_of(&o))
        },
    );
}

/// The walk reads each element in place (`message::scan_at`) as the
/// general path reads the document: the same calls, messages, quarantine
/// and counts on a message array and on every one-byte deletion and
/// replacement of it (broken elements, cut documents, text after the
/// array, elements that are not objects).
#[test]
fn scanning_elements_in_place_reads_a_document_as_the_general_path_does() {
    let doc = concat!(
        r#"[{"ts":1768564800001,"type":"ask","ask":"command","text":"aws s3 rb \"s3://b\"\nREQ_APP","conversationHistoryIndex":3},"#,
        r#"{"ts":1768564800002,"type":"ask","ask":"command_output","text":"caf\u00e9"},"#,
        "\n",
        r#"{"ts":1768564800003,"type":"say","say":"api_req_started","text":"{\"request\":\"Command executed.\",\"cost\":0.01}","images":[]}, 7 ,"#,
        r#"{"role":"user","content":[]},{"ts":4,"type":"say","say":"text","text":"x"}]"#,
    );
    let path = Path::new(&format!("/home/gil/{TASK}/ui_messages.json")).to_owned();
    let opts = TranscriptOptions::default();
    let whole = super::read(&path, doc.as_bytes(), &opts, true);
    assert_eq!(whole.tool_calls.len(), 1);
    assert_eq!(whole.counts.quarantined, 1, "{:?}", whole.quarantined);
    for t in crate::transcripts::tests_support::one_byte_edits(&[doc]) {
        let fast = super::read(&path, &t, &opts, true);
        let general = super::read(&path, &t, &opts, false);
        assert_eq!(
            format!("{fast:?}"),
            format!("{general:?}"),
            "{}",
            String::from_utf8_lossy(&t)
        );
        assert!(fast.counts.reconciles());
    }
}
