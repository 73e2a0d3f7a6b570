//! Tests that the scenario agrees with the rest of the crate: the
//! transcripts parse with `trailblame::transcripts` into exactly the session and
//! call ids the ground truth names, and every AI event is one of the
//! operations `trailblame::shell_commands` expects from the command of its tool call
//! (computed the way `ingest/transcript.rs` computes it).

use std::collections::HashMap;

use trailblame::shell_commands::{self, CommandContext, Operation};
use trailblame::transcripts::{self, AgentSession, ToolCall, TranscriptOptions};

use crate::scenario::tests::{files_under, fixture};

struct Parsed {
    calls: HashMap<(String, String), ToolCall>,
    sessions: HashMap<String, AgentSession>,
}

fn parse_all() -> Parsed {
    let f = fixture();
    let mut p = Parsed {
        calls: HashMap::new(),
        sessions: HashMap::new(),
    };
    let opts = TranscriptOptions::default();
    let files = files_under(&f.root.join("transcripts"));
    assert_eq!(files.len() as u64, f.stats.transcript_files);
    for path in files {
        let bytes = std::fs::read(&path).expect("read");
        let head = &bytes[..bytes.len().min(64 * 1024)];
        let format = transcripts::detect(&path, head)
            .unwrap_or_else(|| panic!("{} not detected", path.display()));
        let parsed = transcripts::parse(format, &path, &bytes, &opts);
        assert!(
            parsed.counts.reconciles(),
            "{}: {:?}",
            path.display(),
            parsed.counts
        );
        assert!(
            parsed.quarantined.is_empty(),
            "{}: {:?}",
            path.display(),
            parsed.quarantined
        );
        for s in parsed.sessions {
            p.sessions.insert(s.session_id.clone(), s);
        }
        for c in parsed.tool_calls {
            let key = (c.session_id.clone(), c.call_id.clone());
            assert!(p.calls.insert(key, c).is_none(), "duplicate call id");
        }
    }
    p
}

/// What `ingest/transcript.rs` expects of a call: its operations and
/// whether some invocation's operations are not fully known.
fn expected(call: &ToolCall) -> (Vec<Operation>, bool) {
    let ctx = CommandContext::default();
    let invocations = match (&call.aws_service, &call.aws_operation, &call.command) {
        (Some(svc), Some(op), _) => vec![shell_commands::analyse_structured(
            svc,
            op,
            call.aws_region.as_deref(),
            call.aws_profile.as_deref(),
        )],
        (_, _, Some(cmd)) => shell_commands::analyse_command(cmd, &ctx).invocations,
        _ => Vec::new(),
    };
    let unknown = invocations.iter().any(|i| !i.operations_known);
    (
        invocations.into_iter().flat_map(|i| i.operations).collect(),
        unknown,
    )
}

/// The aws-api MCP server's `cli_command`, from the parser's rendering
/// `mcp:<server>.<tool> <arguments JSON>`.
#[test]
fn parsed_ids_and_agents_match_the_ground_truth() {
    let f = fixture();
    let p = parse_all();
    assert_eq!(p.sessions.len() as u64, f.stats.agent_sessions);
    let mut ai = 0;
    for (id, cols) in &f.truth {
        if cols[0] != "ai" || super::without_transcript(&cols[5]) {
            assert!(cols[3].is_empty() && cols[4].is_empty(), "{id}: {cols:?}");
            continue;
        }
        ai += 1;
        let (agent, operator, session, call) = (&cols[1], &cols[2], &cols[3], &cols[4]);
        let s = p
            .sessions
            .get(session)
            .unwrap_or_else(|| panic!("no parsed session {session}"));
        assert_eq!(&s.agent, agent, "{id}");
        let user = operator.split('@').next().unwrap_or("");
        assert_eq!(s.operator.as_deref(), Some(user), "{id}");
        assert!(
            p.calls.contains_key(&(session.clone(), call.clone())),
            "{id}: no parsed call {call}"
        );
    }
    assert!(ai > 200, "{ai}");
}

#[test]
fn every_ai_event_is_expected_by_its_tool_call() {
    let f = fixture();
    let p = parse_all();
    let (mut checked, mut unknown_tool, mut outside, mut mcp) = (0, 0, 0, 0);
    for (id, cols) in &f.truth {
        if cols[0] != "ai" || cols[5] == "ai_cfn_inherited" || super::without_transcript(&cols[5]) {
            continue;
        }
        let e = &f.events[id];
        let source = e["eventSource"].as_str().unwrap_or("");
        let name = e["eventName"].as_str().unwrap_or("");
        let call = &p.calls[&(cols[3].clone(), cols[4].clone())];
        let (ops, unknown) = if cols[5] == "ai_mcp" {
            mcp += 1;
            let cli = call
                .command
                .as_deref()
                .and_then(trailblame::ingest::transcript::mcp_cli_command)
                .unwrap_or_else(|| panic!("{id}: no cli_command in {:?}", call.command));
            let a = shell_commands::analyse_command(&cli, &CommandContext::default());
            (
                a.invocations
                    .iter()
                    .flat_map(|i| i.operations.clone())
                    .collect(),
                a.unknown_aws,
            )
        } else {
            expected(call)
        };
        let listed = ops.iter().any(|o| o.matches(source, name));
        if !listed {
            // Terraform and SAM cannot be enumerated from the command line:
            // `trailblame::shell_commands` says so, and lists no (or only some) calls.
            assert!(
                unknown,
                "{id}: {source}:{name} not expected from {:?} (expected {ops:?})",
                call.command
            );
            let cmd = call.command.as_deref().unwrap_or("");
            assert!(
                cmd.contains("terraform ") || cmd.starts_with("sam "),
                "{cmd}"
            );
            unknown_tool += 1;
        }
        checked += 1;
        // eventTime (whole seconds) inside the window, or shifted by skew.
        let t = chrono::DateTime::parse_from_rfc3339(e["eventTime"].as_str().unwrap_or(""))
            .expect("eventTime")
            .timestamp();
        let (a, z) = (
            call.started_at.expect("started") / 1_000_000,
            call.ended_at.expect("ended") / 1_000_000,
        );
        if t < a || t > z {
            outside += 1;
            assert!(t >= a - 3 && t <= z + 3, "{id}: {t} far outside {a}..{z}");
        }
    }
    assert!(checked > 250, "{checked}");
    assert!(mcp > 5, "{mcp}");
    assert!(
        unknown_tool > 0 && unknown_tool * 2 < checked,
        "{unknown_tool} of {checked}"
    );
    let share = f64::from(outside) / f64::from(checked);
    assert!(
        (0.03..=0.07).contains(&share),
        "{outside} of {checked} outside their windows"
    );
}

#[test]
fn cloudformation_events_inherit_the_stack_operation() {
    let f = fixture();
    let p = parse_all();
    let mut n = 0;
    for (id, cols) in &f.truth {
        if cols[5] != "ai_cfn_inherited" && cols[5] != "human_cfn_inherited" {
            continue;
        }
        n += 1;
        let e = &f.events[id];
        assert_eq!(
            e["userIdentity"]["invokedBy"], "cloudformation.amazonaws.com",
            "{e}"
        );
        assert_eq!(e["sourceIPAddress"], "cloudformation.amazonaws.com");
        assert_eq!(e["userAgent"], "cloudformation.amazonaws.com");
        let arn = e["userIdentity"]["arn"].as_str().unwrap_or("");
        let person = if cols[0] == "ai" { &cols[2] } else { &cols[1] };
        assert!(arn.ends_with(&format!("/{person}")), "{arn}");
        if cols[0] == "ai" {
            let call = &p.calls[&(cols[3].clone(), cols[4].clone())];
            let (ops, _) = expected(call);
            assert!(
                ops.iter()
                    .any(|o| o.event_source == "cloudformation.amazonaws.com"
                        && matches!(
                            o.event_name.as_str(),
                            "DeleteStack" | "CreateStack" | "ExecuteChangeSet"
                        )),
                "{id}: {:?}",
                call.command
            );
        }
    }
    assert!(n > 30, "{n}");
}

#[test]
fn the_hard_case_looks_like_its_person() {
    let f = fixture();
    let mut ai_keys = std::collections::HashSet::new();
    let mut human_keys = std::collections::HashSet::new();
    let mut in_window = 0;
    for (id, cols) in &f.truth {
        let e = &f.events[id];
        let ua = e["userAgent"].as_str().unwrap_or("");
        let key = e["userIdentity"]["accessKeyId"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let bob = e["userIdentity"]["arn"]
            .as_str()
            .unwrap_or("")
            .ends_with("/bob@example.com");
        if !bob || !ua.contains("aws-cli/2.9.0") {
            continue;
        }
        assert!(!ua.contains(" m/") && !ua.contains("sid/"), "{ua}");
        match cols[5].as_str() {
            "ai_shared_no_marker" => {
                ai_keys.insert(key);
            }
            "human_cli_old" => {
                human_keys.insert(key);
            }
            "human_cli_in_ai_window" => in_window += 1,
            c => panic!("{c}"),
        }
    }
    assert!(
        ai_keys.intersection(&human_keys).count() > 0,
        "no shared access key"
    );
    assert!(in_window >= 1);
}

#[test]
fn agents_behind_aws_services_look_as_aws_documents_them() {
    let f = fixture();
    let (mut mcp, mut deploys, mut issued) = (0, 0, std::collections::HashMap::new());
    for (id, cols) in &f.truth {
        let e = &f.events[id];
        if cols[5] == "ai_managed_mcp" {
            mcp += 1;
            // The managed AWS MCP Server calls with the person's identity.
            assert_eq!(
                e["userIdentity"]["invokedBy"], "aws-mcp.amazonaws.com",
                "{e}"
            );
            assert_eq!(e["sourceIPAddress"], "aws-mcp.amazonaws.com");
            assert_eq!(e["userAgent"], "aws-mcp.amazonaws.com");
            let arn = e["userIdentity"]["arn"].as_str().unwrap_or("");
            assert!(arn.ends_with(&format!("/{}", cols[2])), "{arn}");
        }
        if cols[5] == "ai_copilot_coding_agent" && e["eventName"] == "AssumeRoleWithWebIdentity" {
            let u = &e["userIdentity"];
            assert_eq!(u["type"], "WebIdentityUser");
            let subject = u["userName"].as_str().unwrap_or("");
            assert!(subject.ends_with(":environment:copilot"), "{subject}");
            assert_eq!(
                e["responseElements"]["subjectFromWebIdentityToken"],
                subject
            );
            let key = e["responseElements"]["credentials"]["accessKeyId"]
                .as_str()
                .unwrap_or("")
                .to_string();
            issued.insert(key, 0);
        }
    }
    for (id, cols) in &f.truth {
        let e = &f.events[id];
        if cols[5] == "ai_copilot_coding_agent" && e["eventName"] != "AssumeRoleWithWebIdentity" {
            let key = e["userIdentity"]["accessKeyId"].as_str().unwrap_or("");
            *issued
                .get_mut(key)
                .unwrap_or_else(|| panic!("{id}: key {key} not issued by the federation")) += 1;
            deploys += u64::from(e["eventName"] == "UpdateFunctionCode20150331v2");
        }
    }
    assert!(mcp >= 10, "{mcp}");
    assert_eq!(issued.len(), 2, "{issued:?}");
    assert!(issued.values().all(|n| *n >= 3), "{issued:?}");
    assert_eq!(deploys, 2);
}
