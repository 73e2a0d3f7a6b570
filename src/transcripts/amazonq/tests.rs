//! The Amazon Q / Kiro reader on the fixture export and database, on a
//! cut database and on an older inline state.

use std::path::Path;

use super::super::tests_support::{fixture, parse_fixture};
use super::super::{Approval, Outcome, Role, TranscriptFormat, TranscriptOptions, detect, parse};
use super::tool_uses::kebab;

const EXPORT: &str = "amazon-q/conversation-export.json";
const DB: &str = "kiro/home/gus/.local/share/kiro-cli/data.sqlite3";

use super::super::tests_support::call;

#[test]
fn kebab_case_like_the_cli() {
    assert_eq!(kebab("TableName"), "table-name");
    assert_eq!(kebab("DBInstanceIdentifier"), "db-instance-identifier");
    assert_eq!(kebab("bucket"), "bucket");
    assert_eq!(kebab("max_items"), "max-items");
}

#[test]
fn export_session_and_use_aws_rendering() {
    let p = parse_fixture(TranscriptFormat::AmazonQJson, EXPORT);
    let s = &p.sessions[0];
    assert_eq!(s.session_id, "6b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e");
    assert_eq!(s.agent, "amazon-q");
    assert_eq!(s.cwd.as_deref(), Some("/home/hana/billing"));
    assert_eq!(s.operator.as_deref(), Some("hana"));
    assert_eq!(s.model.as_deref(), Some("claude-sonnet-4"));
    let list = call(&p, "tooluse_list");
    assert_eq!(
        list.command.as_deref(),
        Some("aws s3api list-buckets --region us-east-1")
    );
    assert_eq!(list.aws_service.as_deref(), Some("s3api"));
    assert_eq!(list.aws_operation.as_deref(), Some("list-buckets"));
    assert_eq!(list.aws_region.as_deref(), Some("us-east-1"));
    assert_eq!((list.outcome, list.exit_code), (Outcome::Ok, Some(0)));
    assert_eq!(list.started_at, Some(1_768_900_003_000_000));
    assert_eq!(list.ended_at, Some(1_768_900_010_000_000));
    let del = call(&p, "tooluse_delete");
    assert_eq!(
        del.command.as_deref(),
        Some(
            "aws dynamodb delete-table --table-name 'billing events' --region eu-west-1 --profile prod"
        )
    );
    assert_eq!(del.aws_profile.as_deref(), Some("prod"));
    assert_eq!(
        (del.outcome, del.approval),
        (Outcome::Rejected, Approval::Rejected)
    );
}

#[test]
fn read_only_calls_never_ask_and_the_rest_is_unknown() {
    let p = parse_fixture(TranscriptFormat::AmazonQJson, EXPORT);
    // `use_aws s3api list-buckets`: a read verb, allowed without asking.
    let list = call(&p, "tooluse_list");
    assert_eq!(
        list.approval,
        Approval::Auto,
        "{:?}",
        list.approval_evidence
    );
    // A shell command asks unless trusted, and the answer is not stored.
    let bash = call(&p, "tooluse_bash");
    assert_eq!(bash.approval, Approval::Unknown);
    assert!(
        bash.approval_evidence
            .as_deref()
            .is_some_and(|e| e.contains("not stored"))
    );
}

#[test]
fn execute_bash_results_and_failures() {
    let p = parse_fixture(TranscriptFormat::AmazonQJson, EXPORT);
    let ok = call(&p, "tooluse_bash");
    assert_eq!(ok.command.as_deref(), Some("aws sts get-caller-identity"));
    assert_eq!((ok.outcome, ok.exit_code), (Outcome::Ok, Some(0)));
    assert!(
        ok.output_excerpt
            .as_deref()
            .is_some_and(|o| o.contains("123456789012"))
    );
    let bad = call(&p, "tooluse_fail");
    assert_eq!((bad.outcome, bad.exit_code), (Outcome::Error, Some(255)));
    let forbidden = call(&p, "tooluse_forbidden");
    assert_eq!(
        (forbidden.outcome, forbidden.approval),
        (Outcome::Denied, Approval::Rejected)
    );
    let mcp = call(&p, "tooluse_mcp");
    assert_eq!(
        mcp.command.as_deref(),
        Some(r#"mcp:awslabs.get_cost {"granularity":"DAILY"}"#)
    );
    let pending = call(&p, "tooluse_pending");
    assert_eq!(pending.outcome, Outcome::Ok, "result in next_message");
}

#[test]
fn export_messages_and_counts() {
    let p = parse_fixture(TranscriptFormat::AmazonQJson, EXPORT);
    assert!(
        p.messages
            .iter()
            .any(|m| m.role == Role::User && m.text_excerpt == "which buckets do we have?")
    );
    assert!(
        p.messages
            .iter()
            .any(|m| m.role == Role::Assistant && m.text_excerpt.starts_with("I'll list"))
    );
    assert!(
        p.messages
            .iter()
            .any(|m| m.role == Role::System && m.text_excerpt.contains("forbidden"))
    );
    // envelope + 6 history entries + next_message
    assert_eq!(p.counts.lines_read, 8);
    assert!(p.quarantined.is_empty());
}

#[test]
fn database_rows_are_conversations_deduplicated() {
    let p = parse_fixture(TranscriptFormat::AmazonQSqlite, DB);
    // the cut row still names its conversation; what follows the cut is quarantined
    assert_eq!(p.sessions.len(), 3, "{:?}", p.sessions);
    assert!(p.sessions.iter().all(|s| s.agent == "kiro"));
    let s = p
        .sessions
        .iter()
        .find(|s| s.session_id == "kiro-conv-1")
        .unwrap();
    assert_eq!(s.cwd.as_deref(), Some("/home/gus/app"));
    assert_eq!(s.operator.as_deref(), Some("gus"));
    assert_eq!(
        p.counts
            .skipped_by_type
            .get("conversation superseded by conversations_v2"),
        Some(&1)
    );
    let shell = call(&p, "tu-shell");
    assert_eq!(shell.command.as_deref(), Some("aws ec2 describe-vpcs"));
    assert_eq!(shell.source_line, 1);
    let bad: Vec<_> = p
        .quarantined
        .iter()
        .map(|q| (q.line, q.record_index))
        .collect();
    assert_eq!(bad, vec![(None, Some(3))], "{:?}", p.quarantined);
}

#[test]
fn not_a_database_is_quarantined_not_a_panic() {
    let mut bytes = std::fs::read(fixture(DB)).unwrap();
    bytes.truncate(bytes.len() / 2);
    // The cut file on disk too: a database larger than what ingest read
    // is read whole from disk (`sqlite::open_snapshot`).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.sqlite3");
    std::fs::write(&path, &bytes).unwrap();
    let p = parse(
        TranscriptFormat::AmazonQSqlite,
        &path,
        &bytes,
        &TranscriptOptions::default(),
    );
    assert!(p.counts.reconciles());
    let p = parse(
        TranscriptFormat::AmazonQSqlite,
        &path,
        b"SQLite format 3\0",
        &TranscriptOptions::default(),
    );
    assert_eq!(p.counts.quarantined, 1);
}

#[test]
fn older_pair_entries_and_string_exit_status() {
    let text = r#"{"conversation_id":"old-1","history":[[{"content":{"Prompt":{"prompt":"hi"}},"timestamp":null},{"ToolUse":{"message_id":"m","content":"","tool_uses":[{"id":"t1","name":"execute_bash","orig_name":"execute_bash","args":{"command":"aws s3 ls"},"orig_args":{}}]}}],[{"content":{"ToolUseResults":{"tool_use_results":[{"tool_use_id":"t1","content":[{"Json":{"exit_status":"1","stdout":"","stderr":"denied"}}],"status":"Success"}]}},"timestamp":null},{"Response":{"message_id":"m2","content":"failed"}}]]}"#;
    let p = super::super::parse(
        TranscriptFormat::AmazonQJson,
        Path::new("/home/ivy/q.json"),
        text.as_bytes(),
        &TranscriptOptions::default(),
    );
    assert_eq!(p.sessions[0].session_id, "old-1");
    let c = &p.tool_calls[0];
    assert_eq!((c.outcome, c.exit_code), (Outcome::Error, Some(1)));
    assert!(p.quarantined.is_empty());
}

#[test]
fn detects_export_and_database() {
    for (rel, f) in [
        (EXPORT, TranscriptFormat::AmazonQJson),
        (DB, TranscriptFormat::AmazonQSqlite),
    ] {
        let path = fixture(rel);
        let bytes = std::fs::read(&path).unwrap();
        let head = &bytes[..bytes.len().min(64 * 1024)];
        assert_eq!(detect(&path, head), Some(f), "{rel}");
    }
}

/// Kiro keeps its database in WAL mode: a conversation saved since the
/// last checkpoint is only in `data.sqlite3-wal`, and is read from there.
#[test]
fn issue_19_a_conversation_only_in_the_wal_is_read() {
    let src = rusqlite::Connection::open_with_flags(
        fixture(DB),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let rows: Vec<(String, String, String, i64, i64)> = src
        .prepare(
            "SELECT key, conversation_id, value, created_at, updated_at FROM conversations_v2 ORDER BY key",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 2);
    let insert = |r: &(String, String, String, i64, i64)| {
        let q = |v: &str| format!("'{}'", v.replace('\'', "''"));
        format!(
            "INSERT INTO conversations_v2 VALUES ({}, {}, {}, {}, {});",
            q(&r.0),
            q(&r.1),
            q(&r.2),
            r.3,
            r.4
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data.sqlite3");
    // The first conversation checkpointed into the file, the second only in
    // the WAL.
    let sql = format!(
        "PRAGMA journal_mode = WAL;
         CREATE TABLE conversations_v2 (key TEXT NOT NULL, conversation_id TEXT NOT NULL, value TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (key, conversation_id));
         {}\n-- @wal\n{}",
        insert(&rows[0]),
        insert(&rows[1])
    );
    trailblame_synth::agent_db::build_database_from_sql(&sql, &db);
    let wal = dir.path().join("data.sqlite3-wal");
    assert!(std::fs::metadata(&wal).unwrap().len() > 0);
    let ids = |p: &crate::transcripts::ParsedTranscript| {
        let mut v: Vec<String> = p.sessions.iter().map(|s| s.session_id.clone()).collect();
        v.sort();
        v
    };
    let bytes = std::fs::read(&db).unwrap();
    let opts = TranscriptOptions::default();
    let p = parse(TranscriptFormat::AmazonQSqlite, &db, &bytes, &opts);
    assert!(p.counts.reconciles());
    assert_eq!(
        ids(&p),
        ["kiro-conv-1", "kiro-conv-2"],
        "{:?}",
        p.quarantined
    );
    // The same file without its WAL holds the checkpointed row only.
    std::fs::remove_file(&wal).unwrap();
    let _ = std::fs::remove_file(dir.path().join("data.sqlite3-shm"));
    let p = parse(TranscriptFormat::AmazonQSqlite, &db, &bytes, &opts);
    assert_eq!(ids(&p), ["kiro-conv-1"]);
}
