//! The 2026 signals (managed MCP server, Copilot coding agent, m/AX,
//! invoked-by/, agent identities carried by session keys) and the forgery
//! checks (issues 18 and 23), on hand-made events. Record shapes follow the
//! CloudTrail user guide (`userIdentity` element, AssumeRole and
//! AssumeRoleWithWebIdentity examples) and the documents each test names.

use super::*;

const SPIFFE: &str =
    "spiffe://111122223333.aws.internal/us-west-2/bedrock-agentcore/runtime/triage-agent";

fn web_identity(id: &str, t: i64, subject: &str, issued: &str) -> E {
    E {
        id: id.into(),
        t,
        source: "sts.amazonaws.com".into(),
        name: "AssumeRoleWithWebIdentity".into(),
        region: Some("us-east-1".into()),
        account: Some("111122223333".into()),
        itype: Some("WebIdentityUser".into()),
        user: Some(subject.into()),
        source_ip: Some("192.0.2.10".into()),
        ua: Some("aws-sdk-js/3.700.0 ua/2.1 os/linux lang/js md/nodejs#20".into()),
        issued: Some(issued.into()),
        ..Default::default()
    }
}

#[test]
fn the_managed_mcp_server_is_an_agent_not_a_service() {
    // research/agent-formats-2026.md §2: invokedBy, sourceIPAddress and
    // userAgent are all aws-mcp.amazonaws.com; the caller's own principal.
    let mut e = sso(
        "mcp",
        T0,
        "dynamodb.amazonaws.com:DeleteTable",
        BOB,
        "aws-mcp.amazonaws.com",
    );
    e.invoked_by = Some("aws-mcp.amazonaws.com".into());
    e.source_ip = Some("aws-mcp.amazonaws.com".into());
    let mut athena = sso(
        "athena",
        T0,
        "s3.amazonaws.com:GetObject",
        BOB,
        "AWS Internal",
    );
    athena.invoked_by = Some("athena.amazonaws.com".into());
    let rows = vec![e, athena];
    let out = attribute(&rows, &[]);
    let l = by_id(&rows, &out, "mcp");
    assert_eq!(
        (l.kind, l.actor.as_deref()),
        (ActorKind::Ai, Some("mcp:aws-mcp")),
        "{l:?}"
    );
    assert_eq!(l.operator.as_deref(), Some(BOB));
    assert!(has(l, "invoked_by:aws-mcp.amazonaws.com"), "{l:?}");
    assert!(
        l.reason.contains("unknown without a transcript"),
        "{}",
        l.reason
    );
    assert_eq!(by_id(&rows, &out, "athena").kind, ActorKind::Service);
}

#[test]
fn the_copilot_coding_agent_is_carried_by_the_keys_it_was_issued() {
    // GitHub OIDC from the environment named `copilot`, then calls on the
    // returned keys under the deploy role (session GitHubActions).
    let subject = "repo:octo-org/shop:environment:copilot";
    let mut deploy = role(
        "deploy",
        T0 + 60 * S,
        "lambda.amazonaws.com:UpdateFunctionCode20150331v2",
        "github-actions-deploy",
        "GitHubActions",
        "aws-sdk-js/3.700.0 ua/2.1 os/linux lang/js md/nodejs#20",
    );
    deploy.key = Some("ASIACOPILOTKEY0001".into());
    let mut other = deploy.clone();
    other.id = "other-run".into();
    other.key = Some("ASIAPRODUCTION0001".into());
    let rows = vec![
        web_identity("oidc", T0, subject, "ASIACOPILOTKEY0001"),
        web_identity(
            "oidc-prod",
            T0,
            "repo:octo-org/shop:environment:production",
            "ASIAPRODUCTION0001",
        ),
        deploy,
        other,
    ];
    let out = attribute(&rows, &[]);
    let l = by_id(&rows, &out, "oidc");
    assert_eq!(
        (l.kind, l.actor.as_deref()),
        (ActorKind::Ai, Some("copilot-coding-agent"))
    );
    let l = by_id(&rows, &out, "deploy");
    assert_eq!(
        (l.kind, l.actor.as_deref()),
        (ActorKind::Ai, Some("copilot-coding-agent")),
        "{l:?}"
    );
    assert!(has(l, &format!("web_identity:{subject}")), "{l:?}");
    assert!(has(l, "session_keys:ASIACOPILOTKEY0001@oidc"), "{l:?}");
    // Another environment's run is plain CI.
    assert_eq!(by_id(&rows, &out, "other-run").kind, ActorKind::Automation);
    assert_eq!(by_id(&rows, &out, "oidc-prod").kind, ActorKind::Automation);
}

#[test]
fn an_agent_identity_is_carried_through_role_chaining() {
    // IAM agent and workload identity: onBehalfOf on the AssumeRole that
    // starts the execution role's session (docs: IAM
    // workload-identity-agentcore); aws:OriginIdentity survives chaining.
    let mut start = role(
        "start",
        T0,
        "sts.amazonaws.com:AssumeRole",
        "x",
        "x",
        "bedrock-agentcore.amazonaws.com",
    );
    start.itype = Some("AWSService".into());
    start.invoked_by = Some("bedrock-agentcore.amazonaws.com".into());
    start.arn = None;
    start.on_behalf_of = Some(format!("workload:{SPIFFE}"));
    start.issued = Some("ASIAEXEC".into());
    let ua = "Boto3/1.40.10 md/Botocore#1.40.10 ua/2.1 os/linux lang/python#3.12";
    let mut chain = role(
        "chain",
        T0 + 5 * S,
        "sts.amazonaws.com:AssumeRole",
        "agent-exec",
        "sess",
        ua,
    );
    chain.key = Some("ASIAEXEC".into());
    chain.issued = Some("ASIATARGET".into());
    let mut call = role(
        "call",
        T0 + 9 * S,
        "s3.amazonaws.com:DeleteObject",
        "data-writer",
        "chained",
        ua,
    );
    call.key = Some("ASIATARGET".into());
    let rows = vec![start, chain, call];
    let out = attribute(&rows, &[]);
    // The AssumeRole itself is the service's; what it starts is the agent's.
    assert_eq!(by_id(&rows, &out, "start").kind, ActorKind::Service);
    for id in ["chain", "call"] {
        let l = by_id(&rows, &out, id);
        assert_eq!(
            (l.kind, l.actor.as_deref()),
            (ActorKind::Ai, Some(SPIFFE)),
            "{id}: {l:?}"
        );
        assert!(has(l, "on_behalf_of:workload:spiffe://"), "{l:?}");
    }
    assert!(has(
        by_id(&rows, &out, "call"),
        "session_keys:ASIATARGET@chain"
    ));
}

#[test]
fn kiro_ide_and_tools_that_name_their_agent() {
    let rows = vec![
        sso(
            "kiro",
            T0,
            LIST_BUCKETS,
            BOB,
            &new_cli("b,AX", "aaaa1111", "s3.ls"),
        ),
        sso(
            "deadline",
            T0,
            "deadline.amazonaws.com:CreateJob",
            BOB,
            "deadline-cloud/0.52.1 Boto3/1.40.10 invoked-by/claude-code",
        ),
    ];
    let out = attribute(&rows, &[]);
    let l = by_id(&rows, &out, "kiro");
    assert_eq!(
        (l.kind, l.actor.as_deref()),
        (ActorKind::Ai, Some("kiro")),
        "{l:?}"
    );
    assert!(has(l, "ua:m/AX"));
    let l = by_id(&rows, &out, "deadline");
    assert_eq!(
        (l.kind, l.actor.as_deref()),
        (ActorKind::Ai, Some("claude-code")),
        "{l:?}"
    );
    assert!(has(l, "ua:invoked-by/claude-code"));
}

fn bob_sessions_today() -> Vec<SessionSpan> {
    vec![SessionSpan {
        session_id: "sess-1".into(),
        agent: "claude-code".into(),
        operator: Some("bob".into()),
        started_at: T0 - 3600 * S,
        ended_at: T0 - 1800 * S,
    }]
}

#[test]
fn one_forged_string_never_reaches_a_transcript_match() {
    // Issue 23 item 4: forged m/AN, sourceIdentity and session names.
    let mut si = role(
        "si",
        T0,
        "dynamodb.amazonaws.com:DeleteTable",
        "ops",
        "x",
        OLD_CLI,
    );
    si.source_identity = Some("claude@bob".into());
    let rows = vec![
        sso(
            "ua",
            T0,
            "dynamodb.amazonaws.com:DeleteTable",
            BOB,
            &new_cli("b,AN", "a1", "dynamodb.delete-table"),
        ),
        si,
        role(
            "sn",
            T0,
            "dynamodb.amazonaws.com:DeleteTable",
            "ops",
            "claude-code-1736",
            OLD_CLI,
        ),
    ];
    let out = attribute(&rows, &[]);
    for id in ["ua", "si", "sn"] {
        let l = by_id(&rows, &out, id);
        assert_eq!(l.kind, ActorKind::Ai, "{id}");
        assert!(l.confidence <= 0.8, "{id}: {l:?}");
    }
    assert!(by_id(&rows, &out, "sn").confidence <= 0.6);
    // The same DeleteTable matched to a transcript call is surer than any.
    let c = call(
        "sess-1",
        "toolu_9",
        "claude-code",
        T0 - 2 * S,
        T0 + S,
        &["dynamodb.amazonaws.com:DeleteTable"],
        &["dynamodb.delete-table"],
    );
    let out = attribute(&rows[..1], &[c]);
    assert!(
        out.labels.get(0).confidence >= 0.9,
        "{:?}",
        out.labels.get(0)
    );
}

#[test]
fn a_marker_the_client_never_sends_or_the_persons_transcripts_contradict_is_weakened() {
    let rows = vec![
        // m/AN on boto3, which never sends agent ids.
        sso(
            "boto",
            T0,
            "dynamodb.amazonaws.com:DeleteTable",
            BOB,
            "Boto3/1.40.10 md/Botocore#1.40.10 ua/2.1 m/AN,E",
        ),
        // A recent CLI, but Bob's Claude Code transcripts for the day are
        // ingested and none ran the command.
        sso(
            "cli",
            T0,
            "dynamodb.amazonaws.com:DeleteTable",
            BOB,
            &new_cli("b,AN", "a1", "dynamodb.delete-table"),
        ),
        // The next day is not covered.
        sso(
            "next-day",
            T0 + 86_400 * S,
            "dynamodb.amazonaws.com:DeleteTable",
            BOB,
            &new_cli("b,AN", "a1", "dynamodb.delete-table"),
        ),
    ];
    let out = attribute_with(&rows, &[], &bob_sessions_today());
    let l = by_id(&rows, &out, "boto");
    assert!(
        l.confidence <= 0.4 && has(l, "suspect:m/AN on boto3"),
        "{l:?}"
    );
    assert!(l.reason.contains("only the AWS CLI v2"), "{}", l.reason);
    let l = by_id(&rows, &out, "cli");
    assert!(
        l.confidence <= 0.4 && has(l, "contradicted:transcripts:bob@example.com"),
        "{l:?}"
    );
    assert!(
        l.reason.contains("no call in them causes DeleteTable"),
        "{}",
        l.reason
    );
    let l = by_id(&rows, &out, "next-day");
    assert!(
        (l.confidence - 0.8).abs() < 1e-9 && !has(l, "contradicted:"),
        "{l:?}"
    );
    // A weakened marker vouches for nothing in its CLI session.
    let mut same = sso(
        "same-sid",
        T0 + 10 * S,
        LIST_BUCKETS,
        BOB,
        &new_cli("b", "a1", "s3.ls"),
    );
    same.ua = Some(new_cli("b", "a1", "s3.ls"));
    let rows = vec![rows[1].clone(), same];
    let out = attribute_with(&rows, &[], &bob_sessions_today());
    assert_eq!(by_id(&rows, &out, "same-sid").kind, ActorKind::Human);
}

#[test]
fn a_transcript_call_out_of_order_or_of_another_operator_counts_less() {
    let rows = vec![sso(
        "del",
        T0,
        "dynamodb.amazonaws.com:DeleteTable",
        BOB,
        OLD_CLI,
    )];
    let mut c = call(
        "sess-1",
        "toolu_forged",
        "claude-code",
        T0 - 2 * S,
        T0 + S,
        &["dynamodb.amazonaws.com:DeleteTable"],
        &["dynamodb.delete-table"],
    );
    c.chain = Some("line 40 of bob.jsonl is dated before a record above it".into());
    let out = attribute(&rows, &[c.clone()]);
    let l = out.labels.get(0);
    assert_eq!(l.kind, ActorKind::Ai);
    assert!(
        l.confidence <= 0.6 && has(l, "inconsistent:sess-1/toolu_forged"),
        "{l:?}"
    );
    assert!(l.reason.contains("out of order"), "{}", l.reason);
    c.chain = None;
    c.operator = Some("mallory".into());
    let out = attribute(&rows, &[c]);
    let l = out.labels.get(0);
    assert!(
        l.confidence <= 0.6 && has(l, "conflict:operator:mallory"),
        "{l:?}"
    );
}

#[test]
fn issue_23_a_call_outside_its_transcript_chain_counts_less_than_a_genuine_one() {
    let rows = vec![
        sso(
            "real",
            T0,
            "dynamodb.amazonaws.com:DeleteTable",
            BOB,
            OLD_CLI,
        ),
        sso(
            "forged",
            T0 + 600 * S,
            "dynamodb.amazonaws.com:DeleteTable",
            BOB,
            OLD_CLI,
        ),
    ];
    let genuine = call(
        "sess-1",
        "toolu_real",
        "claude-code",
        T0 - 2 * S,
        T0 + S,
        &["dynamodb.amazonaws.com:DeleteTable"],
        &["dynamodb.delete-table"],
    );
    let mut forged = call(
        "sess-1",
        "toolu_forged",
        "claude-code",
        T0 + 598 * S,
        T0 + 601 * S,
        &["dynamodb.amazonaws.com:DeleteTable"],
        &["dynamodb.delete-table"],
    );
    forged.chain_break = Some(
        "parent_not_found: parentUuid 9f1c of line 41 is not an earlier record of the file".into(),
    );
    let out = attribute(&rows, &[genuine, forged]);
    let (real, fake) = (by_id(&rows, &out, "real"), by_id(&rows, &out, "forged"));
    assert_eq!((real.kind, fake.kind), (ActorKind::Ai, ActorKind::Ai));
    assert!(real.confidence >= 0.9, "{real:?}");
    assert!(
        fake.confidence <= super::super::checks::DOUBTED_MATCH_MAX
            && fake.confidence < real.confidence,
        "{fake:?}"
    );
    assert!(
        has(fake, "inconsistent:parent_not_found:sess-1/toolu_forged"),
        "{fake:?}"
    );
    assert!(
        fake.reason
            .contains("transcript chain broken: parentUuid 9f1c of line 41"),
        "{}",
        fake.reason
    );
}

#[test]
fn two_oidc_subjects_are_two_principals() {
    // WebIdentityUser records have no ARN: the subject (userName) is what
    // tells a CI job from the Copilot coding agent.
    let rows = vec![
        web_identity(
            "ci",
            T0,
            "repo:acme/infra:ref:refs/heads/main",
            "ASIACI0000000001",
        ),
        web_identity(
            "copilot",
            T0 + S,
            "repo:acme/shop:environment:copilot",
            "ASIACP0000000001",
        ),
    ];
    let out = attribute(&rows, &[]);
    let l = by_id(&rows, &out, "copilot");
    assert_eq!(l.actor.as_deref(), Some("copilot-coding-agent"), "{l:?}");
    assert!(
        !l.evidence.iter().any(|e| e.contains("acme/infra")),
        "{l:?}"
    );
    assert_ne!(by_id(&rows, &out, "ci").kind, ActorKind::Ai);
}
