//! The reader on small documents of every shape: bad elements and lines,
//! wrappers, digests, other JSON, notes beside logs, cut and non-UTF-8
//! input, the account in a delivery path, sniffing.

use super::super::normalise::Origin;
use super::*;
use crate::cloudtrail::iam_action::exceptions;

fn read(text: &[u8]) -> FileRead {
    let cx = ReadContext {
        iam: exceptions().unwrap(),
        limits: Default::default(),
    };
    read_file("t", text, None, Origin::default(), &cx)
}

const R1: &str = r#"{"eventID":"a","eventTime":"2025-12-08T09:01:02Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets"}"#;
const R2: &str = r#"{"eventID":"b","eventTime":"2025-12-08T09:01:03Z","eventSource":"ec2.amazonaws.com","eventName":"RunInstances"}"#;

#[test]
fn s3_document_and_bad_element() {
    let doc = format!("{{\"Records\":[{R1},\n{{\"eventID\" 1}},\n{R2}]}}");
    let r = read(doc.as_bytes());
    assert_eq!(r.kind, FileKind::CloudTrail);
    assert_eq!(r.rows as usize, 2);
    assert_eq!(r.quarantined.len(), 1);
    assert_eq!(r.quarantined[0].position, "record 1 (line 2)");
    assert!(
        r.quarantined[0].reason.starts_with("invalid JSON"),
        "{}",
        r.quarantined[0].reason
    );
}

#[test]
fn json_lines_with_bad_line() {
    let doc = format!("{R1}\nnot json\n\n{R2}\n");
    let r = read(doc.as_bytes());
    assert_eq!((r.rows as usize, r.quarantined.len()), (2, 1));
    assert_eq!(r.quarantined[0].position, "line 2");
}

#[test]
fn envelope_lookup_and_cloudwatch_wrappers() {
    let env = format!(
        r#"{{"version":"0","detail-type":"AWS API Call via CloudTrail","account":"111122223333","detail":{R1}}}"#
    );
    let lookup = serde_json::json!({"Events":[{"EventId":"b","CloudTrailEvent": R2}]}).to_string();
    let cw = serde_json::json!({"timestamp": 1, "message": R2}).to_string();
    let r = read(env.as_bytes());
    assert_eq!(r.rows as usize, 1);
    let r = read(lookup.as_bytes());
    assert_eq!((r.kind, r.rows as usize), (FileKind::CloudTrail, 1));
    let r = read(format!("{cw}\n{cw}\n").as_bytes());
    assert_eq!(r.rows as usize, 2);
    let sub =
        serde_json::json!({"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","message":R1}]})
            .to_string();
    assert_eq!(read(sub.as_bytes()).rows, 1);
    let ctl = serde_json::json!({"messageType":"CONTROL_MESSAGE","logEvents":[{"id":"1","message":"CWL CONTROL MESSAGE"}]})
        .to_string();
    let r = read(ctl.as_bytes());
    assert_eq!((r.kind, r.records_read()), (FileKind::Empty, 0));
}

#[test]
fn digest_other_json_and_empty() {
    let r = read(br#"{"awsAccountId":"1","digestStartTime":"2025-12-08T00:00:00Z","logFiles":[]}"#);
    assert_eq!((r.kind, r.records_read()), (FileKind::Digest, 0));
    let r = read(br#"{"name":"pkg","version":"1.0.0"}"#);
    assert_eq!((r.kind, r.records_read()), (FileKind::NotCloudTrail, 0));
    let r = read(b"{\"level\":\"info\"}\n{\"level\":\"warn\"}\n");
    assert_eq!((r.kind, r.records_read()), (FileKind::NotCloudTrail, 0));
    assert_eq!(read(b"  \n").kind, FileKind::Empty);
    assert_eq!(read(b"").kind, FileKind::Empty);
    assert_eq!(read(b"\x00\x01garbage").kind, FileKind::Unknown);
    let r = read(br#"{"Records":[]}"#);
    assert_eq!((r.kind, r.records_read()), (FileKind::Empty, 0));
}

#[test]
fn notes_settings_and_tables_beside_logs_are_not_logs() {
    let cx = ReadContext {
        iam: exceptions().unwrap(),
        limits: Default::default(),
    };
    let at = |name: &str, text: &[u8]| read_file(name, text, None, Origin::default(), &cx).kind;
    assert_eq!(at("logs/trailblame.toml", b"[join]\n"), FileKind::NotLog);
    assert_eq!(at("logs/incidents.CSV", b"id,title\n"), FileKind::NotLog);
    assert_eq!(at("logs/README.md", b"# notes\n"), FileKind::NotLog);
    assert_eq!(
        at(
            "iam/prod.json",
            b"{\"UserDetailList\": [], \"RoleDetailList\": []}"
        ),
        FileKind::IamData
    );
    // Anything else that is not JSON is still a problem to report.
    assert_eq!(at("logs/trail.json", b"id,title\n"), FileKind::Unknown);
    assert_eq!(at("logs/blob", b"\x00\x01"), FileKind::Unknown);
    // JSON content is read whatever the name.
    let r = read_file("x.txt", R1.as_bytes(), None, Origin::default(), &cx);
    assert_eq!(r.kind, FileKind::CloudTrail);
}

#[test]
fn truncated_document_keeps_the_head() {
    let doc = format!("{{\"Records\":[{R1},{R2},{{\"eventID\":\"c\",\"ev");
    let r = read_file(
        "t",
        doc.as_bytes(),
        Some("gzip stream ends early"),
        Origin::default(),
        &ReadContext {
            iam: exceptions().unwrap(),
            limits: Default::default(),
        },
    );
    assert_eq!((r.rows as usize, r.quarantined.len()), (2, 1));
    assert!(
        r.quarantined[0].reason.contains("gzip stream ends early"),
        "{}",
        r.quarantined[0].reason
    );
}

#[test]
fn non_utf8_record_is_quarantined_alone() {
    let mut doc = format!("{R1}\n").into_bytes();
    doc.extend_from_slice(b"{\"eventID\":\"x\xff\",\"eventTime\":\"2025-12-08T09:01:02Z\"}\n");
    doc.extend_from_slice(format!("{R2}\n").as_bytes());
    let r = read(&doc);
    assert_eq!((r.rows as usize, r.quarantined.len()), (2, 1));
    assert!(r.quarantined[0].reason.contains("UTF-8"));
}

#[test]
fn account_from_s3_path() {
    let p = "x/AWSLogs/o-abc1234567/111122223333/CloudTrail/us-east-1/2025/12/08/f.json.gz";
    assert_eq!(account_from_path(p).as_deref(), Some("111122223333"));
    assert_eq!(
        account_from_path("AWSLogs/111122223333/CloudTrail/x").as_deref(),
        Some("111122223333")
    );
    assert_eq!(account_from_path("logs/f.json"), None);
}

#[test]
fn sniffs_only_cloudtrail() {
    assert!(sniff_cloudtrail(format!("{R1}\n").as_bytes()));
    assert!(sniff_cloudtrail(b"{\n  \"Records\": [\n"));
    assert!(!sniff_cloudtrail(
        b"{\"type\":\"user\",\"sessionId\":\"x\"}\n"
    ));
    assert!(!sniff_cloudtrail(
        b"# aider chat started at 2025-01-01 10:00:00\n"
    ));
}

#[test]
fn issue_24_hook_payload_array_is_not_cloudwatch() {
    let hooks = r#"[{"session_id":"abc","transcript_path":"/home/u/.claude/projects/p/abc.jsonl","cwd":"/w","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"aws s3 ls"}},
{"session_id":"abc","transcript_path":"/home/u/.claude/projects/p/abc.jsonl","cwd":"/w","hook_event_name":"Notification","message":"Claude needs your permission to use Bash"}]"#;
    let r = read(hooks.as_bytes());
    assert_eq!(r.kind, FileKind::ClaudeHookLog);
    assert_eq!((r.records_read(), r.hook_payloads), (0, 2));
    assert!(r.note.unwrap().contains("2 Claude Code hook payloads"));
    // One per line reads the same.
    let lines = hooks.replace(",\n{", "\n{");
    let lines = lines.trim_start_matches('[').trim_end_matches(']');
    let r = read(lines.as_bytes());
    assert_eq!((r.kind, r.hook_payloads), (FileKind::ClaudeHookLog, 2));
    // A `message` holding a record needs CloudWatch's `timestamp` beside it.
    let bare = serde_json::json!([{ "message": R1 }]).to_string();
    assert_eq!(read(bare.as_bytes()).kind, FileKind::NotCloudTrail);
}

#[test]
fn issue_24_leniencies_are_counted_with_warnings() {
    let doc = r#"{"Records":[
{"eventVersion":"1.08","eventTime":"2025-01-21 17:49:47.000000000","eventSource":"s3.amazonaws.com","eventName":"ListBuckets"},
{"eventID":"b","eventTime":"2025-01-21T17:49:48Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","resources":[{"ARN":"arn:aws:s3:::b"},7],
 "userIdentity":{"type":"AssumedRole","sessionContext":{"attributes":{"creationDate":"20131102T010628Z"}}}},
{"eventID":"c","eventTime":"2025-01-21 17:49:49","eventName":"X"}]}"#;
    let r = read(doc.as_bytes());
    assert_eq!((r.rows as usize, r.quarantined.len()), (2, 1));
    assert!(r.quarantined[0].reason.contains("eventSource is missing"));
    assert_eq!(
        r.lenient,
        LenientCounts {
            times_without_zone: 1,
            times_with_space: 0,
            synthetic_ids: 1,
            fields_nulled: 2,
            ..Default::default()
        }
    );
    assert_eq!(r.warnings.len(), 2);
    assert!(
        r.warnings[0]
            .starts_with("record 1 (line 3): userIdentity.sessionContext.attributes.creationDate"),
        "{:?}",
        r.warnings
    );
    assert!(r.warnings[1].contains("resources[1]"), "{:?}", r.warnings);
    let note = r.note.unwrap();
    assert!(
        note.contains("1 times without a zone read as UTC"),
        "{note}"
    );
}
