//! The OpenCode readers on the fixtures: the database built from
//! `opencode/opencode.sql` (rows after `-- @wal` only in the `-wal`), and
//! the legacy storage files: sessions, calls, commands, outcomes, the
//! recorded approvals and rules, and every row accounted for.

use super::super::tests_support::{build_database, call, parse_database, parse_fixture};
use super::super::{Approval, Outcome, Role, TranscriptFormat, detect, parse};

const LEGACY: &str = "opencode/home/olga/.local/share/opencode/storage";

fn database() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir
        .path()
        .join("home/olga/.local/share/opencode/opencode.db");
    build_database("opencode/opencode.sql", &db);
    (dir, db)
}

#[test]
fn database_sessions_calls_and_approvals() {
    let (_dir, db) = database();
    let head = std::fs::read(&db).unwrap();
    assert_eq!(
        detect(&db, &head[..head.len().min(64 * 1024)]),
        Some(TranscriptFormat::OpenCodeSqlite)
    );
    let p = parse_database(TranscriptFormat::OpenCodeSqlite, &db);
    assert_eq!(p.counts.lines_read, 22, "{:?}", p.counts);
    assert_eq!(p.counts.quarantined, 2);
    assert_eq!(p.counts.records_skipped, 2);
    assert_eq!(p.counts.skipped_by_type.get("part:step-start"), Some(&1));

    assert_eq!(p.sessions.len(), 2);
    let s = p
        .sessions
        .iter()
        .find(|s| s.session_id == "ses_3c7a9e1f2b4dAg7KqP0xWmZr5N")
        .unwrap();
    assert_eq!(s.agent, "opencode");
    assert_eq!(s.agent_version.as_deref(), Some("1.2.6"));
    assert_eq!(s.model.as_deref(), Some("claude-sonnet-4-5"));
    assert_eq!(s.cwd.as_deref(), Some("/home/olga/infra"));
    assert_eq!(s.operator.as_deref(), Some("olga"));
    assert_eq!(s.started_at, Some(1_768_813_200_000_000));
    // The session row's update time is in the WAL.
    assert_eq!(s.ended_at, Some(1_768_813_295_000_000));

    assert_eq!(p.tool_calls.len(), 8);
    let ls = call(&p, "toolu_oc_01");
    assert_eq!(
        ls.command.as_deref(),
        Some("aws s3 ls s3://olga-staging-backups/")
    );
    assert_eq!((ls.outcome, ls.approval), (Outcome::Ok, Approval::Auto));
    assert_eq!(
        ls.approval_evidence.as_deref(),
        Some("opencode rule bash \"aws s3 ls*\" allow (session ruleset)")
    );
    let sts = call(&p, "toolu_oc_02");
    assert_eq!(sts.approval, Approval::Auto);
    assert!(
        sts.approval_evidence
            .as_deref()
            .unwrap()
            .ends_with("(saved always-allow rules)")
    );
    let iam = call(&p, "toolu_oc_03");
    assert_eq!(
        (iam.outcome, iam.approval),
        (Outcome::Rejected, Approval::Rejected)
    );
    assert!(
        iam.approval_evidence
            .as_deref()
            .unwrap()
            .contains("The user rejected permission")
    );
    let rds = call(&p, "toolu_oc_04");
    assert_eq!(
        (rds.outcome, rds.approval),
        (Outcome::Denied, Approval::Rejected)
    );

    // Only in the -wal file.
    let del = call(&p, "toolu_oc_05");
    assert_eq!(
        del.command.as_deref(),
        Some("aws dynamodb delete-table --table-name orders-staging --region eu-west-1")
    );
    assert_eq!(del.exit_code, Some(0));
    assert_eq!(del.started_at, Some(1_768_813_240_000_000));
    assert_eq!(del.ended_at, Some(1_768_813_243_000_000));
    // The session's rule says "ask": whether olga said yes is not stored.
    assert_eq!(
        (del.outcome, del.approval),
        (Outcome::Ok, Approval::Unknown)
    );
    let failed = call(&p, "toolu_oc_06");
    assert_eq!(
        (failed.exit_code, failed.outcome),
        (Some(254), Outcome::Error)
    );
    let read = call(&p, "toolu_oc_07");
    assert_eq!(
        (read.tool_name.as_str(), read.command.as_deref()),
        ("read", None)
    );
    assert!(
        p.tool_calls
            .iter()
            .all(|c| c.approval != Approval::Explicit)
    );

    let roles: Vec<Role> = p.messages.iter().map(|m| m.role).collect();
    assert_eq!(roles, [Role::User, Role::User, Role::Assistant]);
    assert!(
        p.messages[1]
            .text_excerpt
            .starts_with("Drop the old orders-staging")
    );

    let reasons: Vec<&str> = p.quarantined.iter().map(|q| q.reason.as_str()).collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("part row ") && r.contains("(prt_a2k): data unreadable")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("(msg_a3): data unreadable")),
        "{reasons:?}"
    );
    assert!(p.quarantined.iter().all(|q| q.record_index.is_some()));
}

#[test]
fn database_bytes_cut_or_damaged_never_panic() {
    let (_dir, db) = database();
    let bytes = std::fs::read(&db).unwrap();
    let opts = Default::default();
    let other = db.with_file_name("copy.db");
    for cut in (0..bytes.len()).step_by(997).chain([bytes.len() - 1]) {
        let p = parse(
            TranscriptFormat::OpenCodeSqlite,
            &other,
            &bytes[..cut],
            &opts,
        );
        assert!(p.counts.reconciles(), "cut at {cut}: {:?}", p.counts);
    }
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    for _ in 0..40 {
        let mut damaged = bytes.clone();
        for _ in 0..16 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = (seed as usize) % damaged.len();
            damaged[at] = (seed >> 32) as u8;
        }
        let p = parse(TranscriptFormat::OpenCodeSqlite, &other, &damaged, &opts);
        assert!(p.counts.reconciles(), "{:?}", p.counts);
    }
}

#[test]
fn legacy_storage_files_one_record_each() {
    let both = parse_fixture(
        TranscriptFormat::OpenCodeJson,
        &format!(
            "{LEGACY}/session/4b1e2f3a9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f/ses_1f0e8d7c6b5aBothStoresXyZ12.json"
        ),
    );
    assert_eq!(both.sessions.len(), 1);
    assert_eq!(
        both.sessions[0].session_id,
        "ses_1f0e8d7c6b5aBothStoresXyZ12"
    );
    assert_eq!(both.sessions[0].agent, "opencode");
    assert_eq!(both.sessions[0].operator.as_deref(), Some("olga"));

    let part = parse_fixture(
        TranscriptFormat::OpenCodeJson,
        &format!("{LEGACY}/part/msg_b2/prt_b2a.json"),
    );
    // The same call as in the database: same session and call ids.
    let c = call(&part, "toolu_both_01");
    assert_eq!(c.session_id, "ses_1f0e8d7c6b5aBothStoresXyZ12");
    assert_eq!(
        (c.command.as_deref(), c.outcome),
        (Some("aws s3 ls"), Outcome::Ok)
    );

    let text = parse_fixture(
        TranscriptFormat::OpenCodeJson,
        &format!("{LEGACY}/part/msg_l1/prt_l1a.json"),
    );
    assert_eq!(text.messages.len(), 1);
    assert_eq!(text.messages[0].role, Role::User, "role from msg_l1.json");

    let info = parse_fixture(
        TranscriptFormat::OpenCodeJson,
        &format!("{LEGACY}/message/ses_0a9b8c7d6e5fLegacyOnly3456/msg_l2.json"),
    );
    assert_eq!(info.counts.records_skipped, 1);

    let cut = parse_fixture(
        TranscriptFormat::OpenCodeJson,
        &format!("{LEGACY}/part/msg_l2/prt_l2b.json"),
    );
    assert_eq!(cut.quarantined.len(), 1);
    assert_eq!(cut.quarantined[0].line, Some(1));
    assert!(
        cut.quarantined[0].reason.starts_with("truncated JSON"),
        "{:?}",
        cut.quarantined
    );
}

#[test]
fn storage_files_are_told_from_other_json() {
    assert!(super::is_storage_file(
        br#"{"id":"ses_x","version":"1.0","projectID":"global","time":{}}"#
    ));
    assert!(super::is_storage_file(
        br#"{"id":"prt_x","sessionID":"ses_x","messageID":"msg_x","type":"text"}"#
    ));
    assert!(super::is_storage_file(
        b"{\n  \"id\": \"msg_x\",\n  \"sessionID\": \"ses_x\",\n  \"role\": \"user\""
    ));
    assert!(!super::is_storage_file(br#"{"id":"msg_x","type":"user"}"#));
    assert!(!super::is_storage_file(
        br#"{"id":"abc","sessionID":"s","role":"user"}"#
    ));
    assert!(!super::is_storage_file(b"[1,2]"));
}

#[test]
fn the_scanner_reads_a_part_as_serde_does() {
    use super::records::Part;
    let parts = [
        r#"{"type":"tool","callID":"toolu_0_0","tool":"bash","state":{"status":"completed","input":{"command":"aws s3 ls \"a b\"","description":"x"},"output":"caf\u00e9 \"ok\"\n","title":"x","metadata":{"exit":0,"interrupted":false},"time":{"start":1767225600000,"end":1767225600500.5}}}"#,
        r#" {"id":"prt_1","sessionID":"ses_1","messageID":"msg_1","type":"text","text":"tab\there","synthetic":true,"ignored":null,"time":{"start":-1,"created":null,"x":[1,{"y":"z"}]}} "#,
        r#"{"type":"tool","tool":"mcp__srv__q","state":{"status":"error","input":[1,"two",null],"error":"The user rejected permission","metadata":{"exit":null,"interrupted":true},"time":null},"junk":{"a":[true,false,-0.5e3]}}"#,
        r#"{"type":"tool","tool":"bash","state":{"status":"completed","input":null,"output":null,"metadata":{"exit":18446744073709551615},"time":{"start":12345678901234567890,"end":0}}}"#,
        r#"{"type":"step-finish","state":null,"time":{"created":1.25,"updated":2,"completed":3,"start":4,"end":5},"ignored":false}"#,
    ];
    // What serde refuses and a scanner could miss: a member repeated (at
    // each level), a struct written as an array, a time out of range.
    let odd = [
        r#"{"type":"tool","type":"text"}"#,
        r#"{"state":{"status":"a","status":"b"}}"#,
        r#"{"state":{"metadata":{"exit":1,"exit":2}}}"#,
        r#"{"time":{"start":1,"start":2}}"#,
        r#"{"time":[1,2]}"#,
        r#"{"state":{"time":{"end":1e999}}}"#,
        r#"{"state":{"output":7}}"#,
    ];
    crate::transcripts::tests_support::scanner_matches_serde(
        &parts,
        &odd,
        |t| Part::scan(t).map(|p| format!("{p:?}")),
        |t| {
            serde_json::from_str::<Part<'_>>(t)
                .ok()
                .map(|p| format!("{p:?}"))
        },
    );
}
