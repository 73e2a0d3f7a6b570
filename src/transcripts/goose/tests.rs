//! The Goose readers on the fixtures: the database built from
//! `goose/sessions.sql` (rows after `-- @wal` only in the `-wal`) and a
//! legacy `.jsonl` session: calls, commands, outcomes, the confirmation
//! and the refusal, and every row and line accounted for.

use super::super::tests_support::{build_database, call, parse_database, parse_fixture};
use super::super::{Approval, Outcome, Role, TranscriptFormat, detect, parse};

fn database() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir
        .path()
        .join("home/gil/.local/share/goose/sessions/sessions.db");
    build_database("goose/sessions.sql", &db);
    (dir, db)
}

#[test]
fn database_session_calls_and_approvals() {
    let (_dir, db) = database();
    let head = std::fs::read(&db).unwrap();
    assert_eq!(detect(&db, &head), Some(TranscriptFormat::GooseSqlite));
    let p = parse_database(TranscriptFormat::GooseSqlite, &db);
    assert_eq!(p.counts.lines_read, 13, "{:?}", p.counts);
    eprintln!(
        "{:?}",
        p.quarantined.iter().map(|q| &q.reason).collect::<Vec<_>>()
    );
    assert_eq!(p.counts.quarantined, 1);
    assert_eq!(p.counts.records_used, 12);
    assert!(
        p.quarantined[0]
            .reason
            .starts_with("messages row 12 (session 20260119_1): content"),
        "{:?}",
        p.quarantined
    );

    assert_eq!(p.sessions.len(), 1);
    let s = &p.sessions[0];
    assert_eq!(s.session_id, "20260119_1");
    assert_eq!(s.agent, "goose");
    assert_eq!(s.cwd.as_deref(), Some("/home/gil/platform"));
    assert_eq!(s.operator.as_deref(), Some("gil"));
    assert_eq!(s.started_at, Some(1_768_816_800_000_000));
    assert_eq!(s.ended_at, Some(1_768_816_880_000_000));

    assert_eq!(p.tool_calls.len(), 5);
    let describe = call(&p, "toolu_g_01");
    assert_eq!(
        describe.command.as_deref(),
        Some("aws elasticache describe-cache-clusters --region us-east-1")
    );
    assert_eq!(
        (describe.outcome, describe.approval),
        (Outcome::Ok, Approval::Unknown)
    );
    assert!(
        describe
            .approval_evidence
            .as_deref()
            .unwrap()
            .contains("not recorded")
    );
    let delete = call(&p, "toolu_g_02");
    assert_eq!(
        (delete.outcome, delete.approval),
        (Outcome::Ok, Approval::Explicit)
    );
    assert_eq!(delete.started_at, Some(1_768_816_820_000_000));
    assert_eq!(delete.ended_at, Some(1_768_816_830_000_000));
    let subnet = call(&p, "toolu_g_03");
    assert_eq!(
        (subnet.outcome, subnet.approval),
        (Outcome::Rejected, Approval::Rejected)
    );
    // Only in the -wal file.
    let rm = call(&p, "toolu_g_04");
    assert_eq!(
        (rm.outcome, rm.approval),
        (Outcome::Error, Approval::Unknown)
    );
    assert_eq!(
        rm.output_excerpt.as_deref(),
        Some("Execution failed: exit status 1")
    );
    let mcp = call(&p, "toolu_g_05");
    assert_eq!(
        mcp.command.as_deref(),
        Some(r#"mcp:aws_api.call_aws {"cli_command":"aws ec2 describe-vpcs --region us-east-1"}"#)
    );
    assert!(p.tool_calls.iter().all(|c| c.approval != Approval::Auto));

    let roles: Vec<Role> = p.messages.iter().map(|m| m.role).collect();
    assert_eq!(roles, [Role::User, Role::Assistant, Role::Assistant]);
}

#[test]
fn database_bytes_cut_or_damaged_never_panic() {
    let (_dir, db) = database();
    let bytes = std::fs::read(&db).unwrap();
    let opts = Default::default();
    let other = db.with_file_name("copy.db");
    for cut in (0..bytes.len()).step_by(991).chain([bytes.len() - 1]) {
        let p = parse(TranscriptFormat::GooseSqlite, &other, &bytes[..cut], &opts);
        assert!(p.counts.reconciles(), "cut at {cut}: {:?}", p.counts);
    }
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..40 {
        let mut damaged = bytes.clone();
        for _ in 0..16 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = (seed as usize) % damaged.len();
            damaged[at] = (seed >> 32) as u8;
        }
        let p = parse(TranscriptFormat::GooseSqlite, &other, &damaged, &opts);
        assert!(p.counts.reconciles(), "{:?}", p.counts);
    }
}

#[test]
fn legacy_jsonl_session() {
    let p = parse_fixture(
        TranscriptFormat::GooseJsonl,
        "goose/home/gil/.local/share/goose/sessions/20250301_1.jsonl",
    );
    assert_eq!(p.counts.lines_read, 6);
    assert_eq!(p.counts.records_used, 5);
    assert_eq!(p.quarantined.len(), 1);
    assert_eq!(p.quarantined[0].line, Some(5));
    let s = &p.sessions[0];
    assert_eq!(
        (s.session_id.as_str(), s.agent.as_str()),
        ("20250301_1", "goose")
    );
    assert_eq!(s.cwd.as_deref(), Some("/home/gil/platform"));
    assert_eq!(s.started_at, Some(1_740_837_600_000_000));
    let c = call(&p, "toolu_gl_01");
    assert_eq!(
        c.command.as_deref(),
        Some("aws iam list-access-keys --user-name ci")
    );
    assert_eq!((c.outcome, c.approval), (Outcome::Ok, Approval::Unknown));
    assert_eq!(c.source_line, 3);
    assert_eq!(p.messages.len(), 2);
}

/// Sessions are read on any core and taken back in the query's order: the
/// rows come out as one thread gives them, and a session whose ids sort
/// apart (the same id as text and as a blob, which SQLite sorts after all
/// text) is still one conversation, its request and response paired; the
/// sessions are then read again, a row without a session still quarantined
/// once.
#[test]
fn sessions_read_apart_come_back_in_order() {
    let (_dir, db) = database();
    let conn = rusqlite::Connection::open(&db).unwrap();
    // Rows of sessions the `sessions` table does not hold, as real stores
    // can have.
    conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    let request = r#"[{"type":"toolRequest","id":"t-77","toolCall":{"status":"success","value":{"name":"developer__shell","arguments":{"command":"aws s3 ls"}}}}]"#;
    let response = r#"[{"type":"toolResponse","id":"t-77","toolResult":{"status":"success","value":[{"type":"text","text":"ok"}]}}]"#;
    for (i, session) in ["b", "a", "c", "a2"].iter().enumerate() {
        conn.execute(
            "INSERT INTO messages (session_id, role, content_json, created_timestamp) VALUES (?1, 'user', ?2, ?3)",
            rusqlite::params![session, format!(r#"[{{"type":"text","text":"prompt {session}"}}]"#), 1_768_816_900 + i as i64],
        )
        .unwrap();
    }
    conn.execute(
        "INSERT INTO messages (session_id, role, content_json, created_timestamp) VALUES ('77', 'assistant', ?1, 1768817000)",
        [request],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO messages (session_id, role, content_json, created_timestamp) VALUES (X'3737', 'user', ?1, 1768817005)",
        [response],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO messages (session_id, role, content_json, created_timestamp) VALUES ('', 'user', '[]', 1768817001)",
        [],
    )
    .unwrap();
    drop(conn);
    let p = parse_database(TranscriptFormat::GooseSqlite, &db);
    assert!(p.counts.reconciles());
    let no_session = p
        .quarantined
        .iter()
        .filter(|q| q.reason.ends_with("no session_id"))
        .count();
    assert_eq!(no_session, 1);
    let prompts: Vec<&str> = p
        .messages
        .iter()
        .filter_map(|m| m.text_excerpt.strip_prefix("prompt "))
        .collect();
    assert_eq!(prompts, ["a", "a2", "b", "c"], "the query's session order");
    let c = call(&p, "t-77");
    assert_eq!(c.session_id, "77");
    assert_eq!(c.command.as_deref(), Some("aws s3 ls"));
    assert_eq!(c.outcome, Outcome::Ok, "the response met its request");
    assert_eq!(
        p.tool_calls.iter().filter(|c| c.call_id == "t-77").count(),
        1
    );
}

/// A message is read in one pass when it can be; when one of its items
/// cannot (a request whose `value` is not MCP's call), the items are read
/// one by one as before: the others are still read, and the odd request
/// is still a call, of an unknown tool.
#[test]
fn a_message_with_an_odd_item_reads_its_other_items() {
    use super::super::util::Collector;
    use super::conversation::Conversation;
    let mut c = Collector::new(std::path::Path::new("sessions.db"));
    let mut conv = Conversation::new("s1");
    let good = r#"{"type":"toolRequest","id":"t1","toolCall":{"status":"success","value":{"name":"developer__shell","arguments":{"command":"aws s3 ls"}}}}"#;
    let odd =
        r#"{"type":"toolRequest","id":"t2","toolCall":{"status":"success","value":"not a call"}}"#;
    let unreadable = r#"{"type":7}"#;
    let text = r#"{"type":"text","text":"Listing the buckets."}"#;
    let content = format!("[{text},{good},{odd},{unreadable}]");
    conv.message(&mut c, Role::Assistant, Some(1), &content, 1)
        .unwrap();
    // The same items, each readable in one pass.
    let content = format!("[{}]", good.replace("t1", "t3"));
    conv.message(&mut c, Role::Assistant, Some(2), &content, 2)
        .unwrap();
    assert!(conv.message(&mut c, Role::User, Some(3), "[", 3).is_err());
    conv.finish(&mut c);
    let calls: Vec<(&str, &str, Option<&str>)> = c
        .out
        .tool_calls
        .iter()
        .map(|k| {
            (
                k.call_id.as_str(),
                k.tool_name.as_str(),
                k.command.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            ("t1", "developer__shell", Some("aws s3 ls")),
            ("t2", "unknown", None),
            ("t3", "developer__shell", Some("aws s3 ls")),
        ]
    );
    assert_eq!(c.out.messages.len(), 1);
    assert_eq!(c.out.messages[0].text_excerpt, "Listing the buckets.");
}
