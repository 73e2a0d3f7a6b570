//! Issues 18 and 23 end to end: the binary on real-format CloudTrail and
//! Claude Code files (tests/fixtures/signals, sources in its SOURCES.md):
//! the managed MCP server, the Copilot coding agent, Kiro's m/AX,
//! invoked-by/, an agent identity carried by its session keys, forged
//! markers, a forged transcript record and a forged record reusing a real
//! event's id, and incidents that name an S3 prefix, a stack, a wildcard
//! and a tag.

mod common;

use common::*;
use serde_json::Value;
use std::path::PathBuf;

fn dir() -> PathBuf {
    fixtures().join("signals")
}

fn inputs() -> [String; 2] {
    [
        dir().join("cloudtrail").to_string_lossy().into_owned(),
        dir().join("home").to_string_lossy().into_owned(),
    ]
}

/// The attribution rows by event id, through `attribute --format json`.
fn attribution() -> Vec<Value> {
    let [ct, home] = inputs();
    let r = run(&["attribute", &ct, &home, "--format", "json", "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str::<Value>(&r.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn row(rows: &[Value], n: u32) -> &Value {
    let id = format!("5e0a1802-2026-4c1d-9a00-{n:012}");
    rows.iter()
        .find(|r| r["event_id"] == id.as_str())
        .unwrap_or_else(|| panic!("no row {id}"))
}

fn evidence(r: &Value) -> Vec<String> {
    r["evidence"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn has(r: &Value, prefix: &str) -> bool {
    evidence(r).iter().any(|e| e.starts_with(prefix))
}

fn label(r: &Value) -> (String, String) {
    (
        r["actor_kind"].as_str().unwrap_or("").to_string(),
        r["actor"].as_str().unwrap_or("").to_string(),
    )
}

fn conf(r: &Value) -> f64 {
    r["confidence"].as_f64().unwrap()
}

fn is(r: &Value, kind: &str, actor: &str) {
    assert_eq!(label(r), (kind.to_string(), actor.to_string()), "{r}");
}

#[test]
fn issue_18_the_2026_signals_name_their_agents() {
    let rows = attribution();
    // The managed AWS MCP Server: an agent, not a service.
    let mcp = row(&rows, 1);
    is(mcp, "ai", "mcp:aws-mcp");
    assert_eq!(mcp["operator"], "bob@example.com");
    assert!(has(mcp, "invoked_by:aws-mcp.amazonaws.com"), "{mcp}");
    // The Copilot coding agent: its OIDC exchange and every call on the keys.
    for n in [2, 3, 4] {
        is(row(&rows, n), "ai", "copilot-coding-agent");
    }
    assert!(has(
        row(&rows, 3),
        "session_keys:ASIACOPILOT00000001@5e0a1802-2026-4c1d-9a00-000000000002"
    ));
    assert!(has(
        row(&rows, 4),
        "web_identity:repo:octo-org/shop:environment:copilot"
    ));
    // CloudFormation deleting the stack's function for it inherits the label.
    let cascade = row(&rows, 5);
    is(cascade, "ai", "copilot-coding-agent");
    assert!(
        has(cascade, "stack_op:5e0a1802-2026-4c1d-9a00-000000000004"),
        "{cascade}"
    );
    // Kiro IDE and a tool naming the agent that drives it.
    is(row(&rows, 6), "ai", "kiro");
    is(row(&rows, 7), "ai", "claude-code");
    assert!(has(row(&rows, 7), "ua:invoked-by/claude-code"));
    // An agent identity: the AssumeRole is the service's, the session the agent's.
    is(row(&rows, 8), "service", "bedrock-agentcore.amazonaws.com");
    let agent = row(&rows, 9);
    assert_eq!(agent["actor_kind"], "ai", "{agent}");
    assert!(
        agent["actor"]
            .as_str()
            .unwrap()
            .ends_with("/runtime/triage-agent/triage-agent-a1b2c3d4e5"),
        "{agent}"
    );
    assert!(has(agent, "on_behalf_of:workload:spiffe://"), "{agent}");
}

#[test]
fn issue_23_forged_markers_and_a_forged_transcript_record_do_not_move_blame_at_full_confidence() {
    let rows = attribution();
    // A marker alone is never as sure as a transcript match: an m/ id, a
    // session named after an agent, a sourceIdentity.
    for n in [6, 10, 11, 21, 22] {
        assert!(conf(row(&rows, n)) <= 0.8, "{}", row(&rows, n));
    }
    let session = row(&rows, 21);
    is(session, "ai", "claude-code");
    assert!(has(session, "session_name:claude-code-1736"), "{session}");
    let source = row(&rows, 22);
    is(source, "ai", "claude-code");
    assert!(has(source, "source_identity:claude@ivan"), "{source}");
    // carol's m/AN while her Claude Code transcripts for the day are in the store.
    let carol = row(&rows, 16);
    assert!(conf(carol) <= 0.4, "{carol}");
    assert!(
        has(carol, "contradicted:transcripts:carol@example.com"),
        "{carol}"
    );
    assert!(
        carol["reason"]
            .as_str()
            .unwrap()
            .contains("no call in them causes DeleteTable")
    );
    // m/AN on boto3, which never sends agent ids.
    let boto = row(&rows, 17);
    assert!(
        conf(boto) <= 0.4 && has(boto, "suspect:m/AN on boto3"),
        "{boto}"
    );
    // dave's tool call, appended to his own transcript and dated back.
    let dave = row(&rows, 18);
    is(dave, "ai", "claude-code");
    assert!(conf(dave) <= 0.6, "{dave}");
    assert!(
        has(
            dave,
            "inconsistent:d4a01e55-0000-4aaa-8bbb-000000000002/toolu_D2"
        ),
        "{dave}"
    );
    // explain names the evidence and why it is doubted.
    let [ct, home] = inputs();
    let r = run(&[
        "explain",
        "5e0a1802-2026-4c1d-9a00-000000000018",
        &ct,
        &home,
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for want in [
        "inconsistent:",
        "out of order",
        "dated before a record above it",
    ] {
        assert!(r.stdout.contains(want), "missing {want:?} in\n{}", r.stdout);
    }
    let r = run(&[
        "explain",
        "5e0a1802-2026-4c1d-9a00-000000000016",
        &ct,
        &home,
        "-q",
    ]);
    assert!(
        r.stdout
            .contains("contradicted:transcripts:carol@example.com"),
        "{}",
        r.stdout
    );
}

#[test]
fn issue_18_incidents_naming_a_prefix_a_stack_a_wildcard_and_a_tag_are_linked() {
    let [ct, home] = inputs();
    let inc = dir().join("incidents.csv");
    let r = run(&[
        "incidents",
        "--incidents",
        inc.to_str().unwrap(),
        &ct,
        &home,
        "--format",
        "json",
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows: Vec<Value> = serde_json::from_str::<Value>(&r.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone();
    let first = |id: &str| {
        rows.iter()
            .find(|r| r["incident_id"] == id && r["rank"].as_u64().unwrap_or(1) == 1)
            .unwrap_or_else(|| panic!("no row for {id}"))
            .clone()
    };
    // The agent's mass delete under the prefix, not the person's delete
    // under another prefix of the same bucket.
    let p = first("INC-PREFIX");
    assert_eq!(
        (p["matched"].as_str(), p["event_name"].as_str()),
        (Some("s3_prefix"), Some("DeleteObject")),
        "{p}"
    );
    assert_eq!(p["actor"], "claude-code", "{p}");
    assert!(
        !rows
            .iter()
            .any(|r| r["incident_id"] == "INC-PREFIX" && r["actor"] == "gina@example.com")
    );
    // The stack, by name and by ARN: the stack operation and its initiator.
    for id in ["INC-STACK", "INC-STACK-ARN"] {
        let s = first(id);
        assert_eq!(s["event_name"], "DeleteStack", "{s}");
        assert_eq!(s["actor"], "copilot-coding-agent", "{s}");
    }
    assert_eq!(first("INC-STACK-ARN")["matched"], "stack");
    // The wildcard: the table the MCP server deleted.
    let w = first("INC-WILD");
    assert_eq!(
        (w["matched"].as_str(), w["actor"].as_str()),
        (Some("wildcard"), Some("mcp:aws-mcp")),
        "{w}"
    );
    // The tag: the function the create call tagged, deleted by erin's Kiro.
    let t = first("INC-TAG");
    assert_eq!(
        (
            t["matched"].as_str(),
            t["event_name"].as_str(),
            t["actor"].as_str()
        ),
        (Some("tag"), Some("DeleteFunction20150331"), Some("kiro")),
        "{t}"
    );
    // Nothing fits: no traced cause.
    assert_eq!(first("INC-NONE")["matched"], "none");
}

/// Issue 23, finding 3: a forged record that reuses the eventID of henry's
/// real DeleteTable (with an agent marker) does not take over his event:
/// both are kept with their own labels, both say `conflict:event_id:2` and
/// lose half their confidence, and the ingest's accounting warns.
#[test]
fn issue_23_a_differing_record_that_reuses_an_event_id_is_a_conflict_on_both() {
    let id = "5e0a1802-2026-4c1d-9a00-000000000019";
    let rows = attribution();
    let both: Vec<&Value> = rows.iter().filter(|r| r["event_id"] == id).collect();
    assert_eq!(both.len(), 2, "{both:?}");
    let real = both
        .iter()
        .find(|r| r["actor_kind"] == "human")
        .unwrap_or_else(|| panic!("henry's own event is not human: {both:?}"));
    assert!(
        real["actor"].as_str().unwrap_or("").contains("henry"),
        "{real}"
    );
    let forged = both
        .iter()
        .find(|r| r["actor_kind"] == "ai")
        .unwrap_or_else(|| panic!("no forged row: {both:?}"));
    assert_ne!(real["event_key"], forged["event_key"]);
    for r in &both {
        assert_eq!(
            evidence(r).first().map(String::as_str),
            Some("conflict:event_id:2"),
            "{r}"
        );
        assert!(
            r["reason"].as_str().unwrap().contains("possible tampering"),
            "{r}"
        );
    }
    assert!(conf(forged) <= 0.4, "{forged}");
    assert!(conf(real) <= 0.5, "{real}");
    // An event whose id nobody else has is not doubted.
    assert!(!has(row(&rows, 18), "conflict:event_id"));

    // The ingest's accounting says so.
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let [ct, _] = inputs();
    let r = run(&["ingest", &ct, "--store", store.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "warning: 2 stored events share their eventID with a differing record: possible tampering"
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("2 eventID conflicts"), "{}", r.stderr);
    // explain by the id: the doubt, on the label and in words.
    let r = run(&["explain", id, "--store", store.to_str().unwrap(), "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for want in ["possible tampering", "conflict:event_id:2"] {
        assert!(r.stdout.contains(want), "missing {want:?} in\n{}", r.stdout);
    }
    // explain by the other record's key names the first one too.
    let key = forged["event_key"].as_str().unwrap();
    let r = run(&["explain", key, "--store", store.to_str().unwrap(), "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains(real["event_key"].as_str().unwrap()),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("conflict:event_id:2"), "{}", r.stdout);
}
