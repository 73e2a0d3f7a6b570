//! Each rule on its own, on small hand-made events and tool calls.

use super::engine::{ActorKind, Label, Outcome, run};
use super::input::{Call, Events, Row, SessionSpan};
use super::markers::markers;

const S: i64 = 1_000_000;
const T0: i64 = 1_765_000_000 * S;

const OLD_CLI: &str = "aws-cli/2.9.0 Python/3.9.11 Linux/5.15.0 exe/x86_64.ubuntu.22 prompt/off";
fn new_cli(extra: &str, sid: &str, cmd: &str) -> String {
    format!(
        "aws-cli/2.35.24 md/awscrt#0.28.4 ua/2.1 os/linux#6.8 md/arch#x86_64 lang/python#3.13.9 md/pyimpl#CPython m/{extra} cfg/retry-mode#standard md/installer#exe sid/{sid} md/prompt#off md/command#{cmd}"
    )
}

#[derive(Clone, Default)]
struct E {
    id: String,
    t: i64,
    source: String,
    name: String,
    region: Option<String>,
    account: Option<String>,
    itype: Option<String>,
    arn: Option<String>,
    user: Option<String>,
    role: Option<String>,
    session: Option<String>,
    source_identity: Option<String>,
    invoked_by: Option<String>,
    on_behalf_of: Option<String>,
    key: Option<String>,
    issued: Option<String>,
    source_ip: Option<String>,
    ua: Option<String>,
    console: bool,
}

fn sso(id: &str, t: i64, op: &str, person: &str, ua: &str) -> E {
    let (source, name) = op.split_once(':').unwrap();
    E {
        id: id.into(),
        t,
        source: source.into(),
        name: name.into(),
        region: Some("us-east-1".into()),
        account: Some("111122223333".into()),
        itype: Some("AssumedRole".into()),
        arn: Some(format!(
            "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_PowerUserAccess_0123456789abcdef/{person}"
        )),
        role: Some("AWSReservedSSO_PowerUserAccess_0123456789abcdef".into()),
        session: Some(person.into()),
        source_ip: Some("203.0.113.7".into()),
        ua: Some(ua.into()),
        ..Default::default()
    }
}

fn role(id: &str, t: i64, op: &str, role: &str, session: &str, ua: &str) -> E {
    let mut e = sso(id, t, op, session, ua);
    e.arn = Some(format!(
        "arn:aws:sts::111122223333:assumed-role/{role}/{session}"
    ));
    e.role = Some(role.into());
    e
}

fn o(v: &Option<String>) -> Option<&str> {
    v.as_deref()
}

fn events(rows: &[E]) -> Events {
    let mut e = Events::default();
    for r in rows {
        e.push(Row {
            id: &r.id,
            time: r.t,
            console: r.console,
            read_only: None,
            source: Some(&r.source),
            name: Some(&r.name),
            region: o(&r.region),
            account: o(&r.account),
            identity_type: o(&r.itype),
            principal_arn: o(&r.arn),
            user_name: o(&r.user),
            role_name: o(&r.role),
            session_name: o(&r.session),
            source_identity: o(&r.source_identity),
            invoked_by: o(&r.invoked_by),
            on_behalf_of: o(&r.on_behalf_of),
            access_key_id: o(&r.key),
            issued_key: o(&r.issued),
            source_ip: o(&r.source_ip),
            user_agent: o(&r.ua),
            event_type: Some("AwsApiCall"),
            error_code: None,
        });
    }
    e
}

fn call(
    session: &str,
    id: &str,
    agent: &str,
    start: i64,
    end: i64,
    ops: &[&str],
    cli: &[&str],
) -> Call {
    Call {
        session_id: session.into(),
        call_id: id.into(),
        agent: agent.into(),
        operator: Some("bob".into()),
        started_at: start,
        ended_at: Some(end),
        expected: ops.iter().map(|s| s.to_string()).collect(),
        cli_commands: cli.iter().map(|s| s.to_string()).collect(),
        command: Some(format!(
            "aws {}",
            cli.first().unwrap_or(&"?").replace('.', " ")
        )),
        ..Default::default()
    }
}

fn attribute(rows: &[E], calls: &[Call]) -> Outcome {
    attribute_with(rows, calls, &[])
}

fn attribute_with(rows: &[E], calls: &[Call], sessions: &[SessionSpan]) -> Outcome {
    run(
        &events(rows),
        calls,
        sessions,
        &crate::settings::Settings::builtin().attribution,
        markers().unwrap(),
        None,
        None,
    )
}

fn by_id<'a>(rows: &[E], out: &'a Outcome, id: &str) -> &'a Label {
    let i = rows.iter().position(|r| r.id == id).unwrap();
    out.labels.get(i)
}

fn has(l: &Label, evidence: &str) -> bool {
    l.evidence.iter().any(|e| e.starts_with(evidence))
}

const DELETE_BUCKET: &str = "s3.amazonaws.com:DeleteBucket";
const LIST_BUCKETS: &str = "s3.amazonaws.com:ListBuckets";
const BOB: &str = "bob@example.com";

fn rb_call() -> Call {
    call(
        "sess-1",
        "toolu_1",
        "claude-code",
        T0 + 100 * S,
        T0 + 110 * S,
        &[
            "s3.amazonaws.com:ListObjectsV2",
            "s3.amazonaws.com:DeleteObjects",
            DELETE_BUCKET,
        ],
        &["s3.rb"],
    )
}

#[test]
fn shared_credentials_old_cli_only_the_join_separates_agent_from_human() {
    let rows = vec![
        sso(
            "ai-1",
            T0 + 104 * S,
            "s3.amazonaws.com:DeleteObjects",
            BOB,
            &format!("{OLD_CLI} command/s3.rb"),
        ),
        sso(
            "ai-2",
            T0 + 108 * S,
            DELETE_BUCKET,
            BOB,
            &format!("{OLD_CLI} command/s3.rb"),
        ),
        // Bob himself, same credentials, same minutes, another command.
        sso(
            "human-1",
            T0 + 105 * S,
            LIST_BUCKETS,
            BOB,
            &format!("{OLD_CLI} command/s3.ls"),
        ),
        // Bob deleting a bucket an hour later: no call near it.
        sso(
            "human-2",
            T0 + 3700 * S,
            DELETE_BUCKET,
            BOB,
            &format!("{OLD_CLI} command/s3.rb"),
        ),
    ];
    let out = attribute(&rows, &[rb_call()]);
    for id in ["ai-1", "ai-2"] {
        let l = by_id(&rows, &out, id);
        assert_eq!(l.kind, ActorKind::Ai, "{id}: {l:?}");
        assert_eq!(l.actor.as_deref(), Some("claude-code"));
        assert_eq!(l.operator.as_deref(), Some(BOB), "the credentials' owner");
        assert_eq!(l.call, Some(0));
        assert!(has(l, "transcript:sess-1/toolu_1"), "{l:?}");
        assert!(l.confidence >= 0.95, "{l:?}");
    }
    for id in ["human-1", "human-2"] {
        let l = by_id(&rows, &out, id);
        assert_eq!(l.kind, ActorKind::Human, "{id}: {l:?}");
        assert_eq!(l.actor.as_deref(), Some(BOB));
        assert!(has(l, "sso:PowerUserAccess"));
    }
    assert_eq!(out.matched_calls, 1);
}

#[test]
fn clock_skew_is_allowed_up_to_the_setting_and_no_further() {
    let ua = format!("{OLD_CLI} command/s3.rb");
    let rows = vec![
        sso("early-3s", T0 + 97 * S, DELETE_BUCKET, BOB, &ua),
        sso("early-20s", T0 + 80 * S, DELETE_BUCKET, BOB, &ua),
        sso("late-4s", T0 + 114 * S, DELETE_BUCKET, BOB, &ua),
    ];
    let out = attribute(&rows, &[rb_call()]);
    let l = by_id(&rows, &out, "early-3s");
    assert_eq!(l.kind, ActorKind::Ai);
    assert!(l.reason.contains("clock-skew"), "{}", l.reason);
    assert!(l.confidence < 0.99);
    assert_eq!(by_id(&rows, &out, "late-4s").kind, ActorKind::Ai);
    assert_eq!(by_id(&rows, &out, "early-20s").kind, ActorKind::Human);
}

#[test]
fn two_sessions_fitting_equally_is_recorded_as_ambiguity() {
    let ua = format!("{OLD_CLI} command/s3.rb");
    let rows = vec![sso("e", T0 + 105 * S, DELETE_BUCKET, BOB, &ua)];
    let mut other = rb_call();
    other.session_id = "sess-2".into();
    other.call_id = "toolu_9".into();
    other.started_at += 2 * S;
    let out = attribute(&rows, &[rb_call(), other]);
    let l = out.labels.get(0);
    assert_eq!(l.kind, ActorKind::Ai);
    assert!(has(l, "ambiguous:2"), "{l:?}");
    assert!(l.confidence <= 0.7);
}

#[test]
fn one_event_goes_to_one_call_the_closest_result() {
    let ua = format!("{OLD_CLI} command/s3.rb");
    let rows = vec![sso("e", T0 + 109 * S, DELETE_BUCKET, BOB, &ua)];
    let mut second = rb_call();
    second.call_id = "toolu_2".into();
    second.started_at = T0 + 105 * S;
    second.ended_at = Some(T0 + 140 * S);
    let out = attribute(&rows, &[rb_call(), second]);
    let l = out.labels.get(0);
    assert_eq!(l.call, Some(0), "{l:?}");
    assert!(!has(l, "ambiguous"), "same session is not ambiguity: {l:?}");
}

#[test]
fn a_different_cli_command_or_another_agents_marker_rules_a_call_out() {
    let rows = vec![
        sso(
            "ls",
            T0 + 105 * S,
            DELETE_BUCKET,
            BOB,
            &format!("{OLD_CLI} command/s3api.delete-bucket"),
        ),
        sso(
            "codex",
            T0 + 106 * S,
            DELETE_BUCKET,
            BOB,
            &new_cli("E,AP", "aaaa11112222", "s3.rb"),
        ),
    ];
    let out = attribute(&rows, &[rb_call()]);
    assert_eq!(
        out.labels.get(0).kind,
        ActorKind::Human,
        "{:?}",
        out.labels.get(0)
    );
    let l = out.labels.get(1);
    assert_eq!((l.kind, l.actor.as_deref()), (ActorKind::Ai, Some("codex")));
    assert!(has(l, "ua:m/AP") && l.call.is_none(), "{l:?}");
}

#[test]
fn console_events_are_never_ai_and_a_marker_on_one_is_a_conflict() {
    let mut e = sso("c", T0 + 105 * S, DELETE_BUCKET, BOB, "Mozilla/5.0 m/AN");
    e.console = true;
    let rows = vec![e];
    let out = attribute(&rows, &[rb_call()]);
    let l = out.labels.get(0);
    assert_eq!(l.kind, ActorKind::Human);
    assert!(has(l, "console") && has(l, "conflict:"), "{l:?}");
}

#[test]
fn user_agent_marker_without_transcript_and_sid_grouping() {
    let sid = "35033f4ca1bd";
    let rows = vec![
        sso(
            "marked",
            T0,
            LIST_BUCKETS,
            "alice@example.com",
            &new_cli("b,AN,E", sid, "s3.ls"),
        ),
        // Same host session, a plugin call without the marker.
        sso(
            "same-sid",
            T0 + 30 * S,
            LIST_BUCKETS,
            "alice@example.com",
            &new_cli("b,E", sid, "s3.ls"),
        ),
        // Alice's own terminal.
        sso(
            "own",
            T0 + 40 * S,
            LIST_BUCKETS,
            "alice@example.com",
            &new_cli("b,E", "ffffeeeedddd", "s3.ls"),
        ),
    ];
    let out = attribute(&rows, &[]);
    let l = by_id(&rows, &out, "marked");
    assert_eq!(
        (l.kind, l.actor.as_deref()),
        (ActorKind::Ai, Some("claude-code"))
    );
    assert_eq!(l.operator.as_deref(), Some("alice@example.com"));
    let l = by_id(&rows, &out, "same-sid");
    assert_eq!(l.kind, ActorKind::Ai, "{l:?}");
    assert!(has(l, &format!("sid:{sid}")));
    assert_eq!(by_id(&rows, &out, "own").kind, ActorKind::Human);
}

#[test]
fn a_session_that_always_used_one_sid_does_not_claim_another_terminals_call() {
    let agent_sid = "0a0a0a0a0a0a";
    let mut rows = Vec::new();
    let mut calls = Vec::new();
    for k in 0..4 {
        let t = T0 + k * 60 * S;
        let mut c = call(
            "s",
            &format!("c{k}"),
            "claude-code",
            t,
            t + 5 * S,
            &[LIST_BUCKETS],
            &["s3.ls"],
        );
        c.operator = None;
        calls.push(c);
        rows.push(sso(
            &format!("a{k}"),
            t + 2 * S,
            LIST_BUCKETS,
            "alice@example.com",
            &new_cli("E", agent_sid, "s3.ls"),
        ));
    }
    // Alice in her own terminal, inside the last call's window, same command.
    rows.push(sso(
        "alice",
        T0 + 183 * S,
        LIST_BUCKETS,
        "alice@example.com",
        &new_cli("E", "bbbbbbbbbbbb", "s3.ls"),
    ));
    let out = attribute(&rows, &calls);
    for k in 0..4 {
        assert_eq!(by_id(&rows, &out, &format!("a{k}")).kind, ActorKind::Ai);
    }
    let l = by_id(&rows, &out, "alice");
    assert_eq!(l.kind, ActorKind::Human, "{l:?}");
}

#[test]
fn source_identity_on_an_agent_role_names_agent_and_operator() {
    let mut codex = role(
        "x",
        T0,
        LIST_BUCKETS,
        "ai-agent-codex",
        "codex-1a2b",
        &new_cli("E", "cccccccccccc", "s3.ls"),
    );
    codex.source_identity = Some("codex@carol".into());
    let rows = vec![
        codex,
        sso(
            "carol",
            T0 + 5 * S,
            LIST_BUCKETS,
            "carol@example.com",
            "Mozilla/5.0",
        ),
        role("r", T0, LIST_BUCKETS, "deploy-agent", "run-7", OLD_CLI),
    ];
    let out = attribute(&rows, &[]);
    let l = out.labels.get(0);
    assert_eq!((l.kind, l.actor.as_deref()), (ActorKind::Ai, Some("codex")));
    assert_eq!(l.operator.as_deref(), Some("carol@example.com"), "{l:?}");
    assert!(has(l, "source_identity:codex@carol") && has(l, "role:ai-agent-codex"));
    let l = out.labels.get(2);
    assert_eq!(
        (l.kind, l.actor.as_deref()),
        (ActorKind::Ai, Some("agent")),
        "{l:?}"
    );
}

#[test]
fn services_ci_and_workloads() {
    let mut svc = sso(
        "svc",
        T0,
        "sts.amazonaws.com:AssumeRole",
        "x",
        "config.amazonaws.com",
    );
    svc.itype = Some("AWSService".into());
    svc.invoked_by = Some("config.amazonaws.com".into());
    svc.arn = None;
    let mut athena = sso(
        "athena",
        T0,
        "s3.amazonaws.com:GetObject",
        BOB,
        "AWS Internal",
    );
    athena.invoked_by = Some("athena.amazonaws.com".into());
    let ci = role(
        "ci",
        T0,
        "lambda.amazonaws.com:UpdateFunctionCode20150331v2",
        "github-actions-deploy",
        "GitHubActions",
        "APN/1.0 HashiCorp/1.0 Terraform/1.9.8",
    );
    let ec2 = role(
        "ec2",
        T0,
        "s3.amazonaws.com:GetObject",
        "web-server-role",
        "i-0abc123def4567890",
        "Boto3/1.40.0",
    );
    let lambda = role(
        "fn",
        T0,
        "dynamodb.amazonaws.com:PutItem",
        "orders-api-role",
        "orders-api",
        "Boto3/1.40.0 exec-env/AWS_Lambda_python3.12",
    );
    let rows = vec![svc, athena, ci, ec2, lambda];
    let out = attribute(&rows, &[]);
    let kinds: Vec<(ActorKind, Option<&str>)> = (0..rows.len())
        .map(|i| out.labels.get(i))
        .map(|l| (l.kind, l.actor.as_deref()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (ActorKind::Service, Some("config.amazonaws.com")),
            (ActorKind::Service, Some("athena.amazonaws.com")),
            (ActorKind::Automation, Some("github-actions-deploy")),
            (ActorKind::Automation, Some("ec2:web-server-role")),
            (ActorKind::Automation, Some("lambda:orders-api-role")),
        ]
    );
}

#[test]
fn cloudformation_calls_inherit_the_stack_operation() {
    let dave = "dave@example.com";
    let ua = "Boto3/1.40.0 md/Botocore#1.40.0 exec-env/AmazonQ-For-CLI-Version-1.12.0 m/AQ";
    let mut rows = vec![sso(
        "delete-stack",
        T0 + 10 * S,
        "cloudformation.amazonaws.com:DeleteStack",
        dave,
        ua,
    )];
    for k in 0..3 {
        let mut e = sso(
            &format!("cfn-{k}"),
            T0 + (60 + 60 * k) * S,
            "lambda.amazonaws.com:DeleteFunction20150331",
            dave,
            "cloudformation.amazonaws.com",
        );
        e.invoked_by = Some("cloudformation.amazonaws.com".into());
        e.source_ip = Some("cloudformation.amazonaws.com".into());
        rows.push(e);
    }
    // A human's stack update in another region: its calls are the human's.
    let mut upd = sso(
        "update",
        T0,
        "cloudformation.amazonaws.com:UpdateStack",
        BOB,
        "Mozilla/5.0",
    );
    upd.console = true;
    upd.region = Some("eu-west-1".into());
    let mut inv = sso(
        "cfn-bob",
        T0 + 90 * S,
        "ec2.amazonaws.com:RevokeSecurityGroupIngress",
        BOB,
        "cloudformation.amazonaws.com",
    );
    inv.invoked_by = Some("cloudformation.amazonaws.com".into());
    inv.region = Some("eu-west-1".into());
    rows.push(upd);
    rows.push(inv);
    let mut c = call(
        "kiro-1",
        "tooluse_9",
        "kiro",
        T0 + 8 * S,
        T0 + 12 * S,
        &["cloudformation.amazonaws.com:DeleteStack"],
        &[],
    );
    c.command = Some("use_aws cloudformation delete-stack".into());
    let out = attribute(&rows, &[c]);
    let stack = by_id(&rows, &out, "delete-stack");
    assert_eq!(
        (stack.kind, stack.call),
        (ActorKind::Ai, Some(0)),
        "{stack:?}"
    );
    for k in 0..3 {
        let l = by_id(&rows, &out, &format!("cfn-{k}"));
        assert_eq!(
            (l.kind, l.actor.as_deref(), l.call),
            (ActorKind::Ai, Some("kiro"), Some(0)),
            "{l:?}"
        );
        assert!(
            has(l, "invoked_by:cloudformation") && has(l, "stack_op:delete-stack"),
            "{l:?}"
        );
    }
    let l = by_id(&rows, &out, "cfn-bob");
    assert_eq!(
        (l.kind, l.actor.as_deref()),
        (ActorKind::Human, Some(BOB)),
        "{l:?}"
    );
}

#[test]
fn calls_that_never_reached_aws_or_were_rejected_claim_nothing() {
    let rows = vec![sso(
        "e",
        T0 + 3000 * S,
        LIST_BUCKETS,
        BOB,
        &format!("{OLD_CLI} command/s3.ls"),
    )];
    let mut rejected = call(
        "s",
        "c1",
        "claude-code",
        T0 + 2999 * S,
        T0 + 3001 * S,
        &[LIST_BUCKETS],
        &["s3.ls"],
    );
    rejected.outcome = Some("rejected".into());
    let never = call(
        "s",
        "c2",
        "claude-code",
        T0,
        T0 + 2 * S,
        &[LIST_BUCKETS],
        &["s3.ls"],
    );
    let out = attribute(&rows, &[rejected, never]);
    assert_eq!(out.labels.get(0).kind, ActorKind::Human);
    assert_eq!(out.matched_calls, 0);
}

#[test]
fn terraform_run_by_an_agent_claims_terraform_calls_of_its_principal_only() {
    let tf = "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0";
    let ua = format!("{OLD_CLI} command/sts.get-caller-identity");
    let rows = vec![
        sso(
            "whoami",
            T0 + S,
            "sts.amazonaws.com:GetCallerIdentity",
            BOB,
            &ua,
        ),
        sso(
            "tf-1",
            T0 + 20 * S,
            "ec2.amazonaws.com:TerminateInstances",
            BOB,
            tf,
        ),
        // Someone else's Terraform in the same minutes.
        sso(
            "tf-other",
            T0 + 25 * S,
            "ec2.amazonaws.com:RunInstances",
            "erin@example.com",
            tf,
        ),
    ];
    let mut first = call(
        "s",
        "c1",
        "claude-code",
        T0,
        T0 + 2 * S,
        &["sts.amazonaws.com:GetCallerIdentity"],
        &["sts.get-caller-identity"],
    );
    first.operator = None;
    let mut apply = call("s", "c2", "claude-code", T0 + 10 * S, T0 + 60 * S, &[], &[]);
    apply.unknown_operations = true;
    apply.command = Some("terraform apply -auto-approve".into());
    let out = attribute(&rows, &[first, apply]);
    let l = by_id(&rows, &out, "tf-1");
    assert_eq!((l.kind, l.call), (ActorKind::Ai, Some(1)), "{l:?}");
    assert_eq!(by_id(&rows, &out, "tf-other").kind, ActorKind::Human);
}

#[test]
fn output_does_not_depend_on_thread_count() {
    let ua = format!("{OLD_CLI} command/s3.rb");
    let rows: Vec<E> = (0..500)
        .map(|k| {
            sso(
                &format!("e{k}"),
                T0 + (k % 200) * S,
                DELETE_BUCKET,
                BOB,
                &ua,
            )
        })
        .collect();
    let calls: Vec<Call> = (0..20)
        .map(|k| {
            let mut c = rb_call();
            c.session_id = format!("s{}", k % 3);
            c.call_id = format!("c{k}");
            c.started_at = T0 + k * 10 * S;
            c.ended_at = Some(T0 + k * 10 * S + 12 * S);
            c
        })
        .collect();
    let go = |threads| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let out = attribute(&rows, &calls);
            (0..rows.len())
                .map(|i| out.labels.get(i))
                .map(|l| format!("{:?}{:?}{:?}{}", l.kind, l.call, l.evidence, l.confidence))
                .collect::<Vec<_>>()
        })
    };
    assert_eq!(go(1), go(2));
}

#[test]
fn equal_labels_share_one_entry_whatever_the_user_agent_says_besides() {
    // Two CLI sessions of the same person: user agents differ only in
    // `sid/`, so the labels say the same and are stored once.
    let rows = vec![
        sso(
            "a",
            T0,
            "s3.amazonaws.com:ListBuckets",
            BOB,
            &new_cli("b", "1111", "s3.ls"),
        ),
        sso(
            "b",
            T0 + S,
            "s3.amazonaws.com:ListBuckets",
            BOB,
            &new_cli("b", "2222", "s3.ls"),
        ),
        sso(
            "c",
            T0 + 2 * S,
            "s3.amazonaws.com:ListBuckets",
            "carol",
            &new_cli("b", "3333", "s3.ls"),
        ),
    ];
    let out = attribute(&rows, &[]);
    let (a, b, c) = (out.labels.of[0], out.labels.of[1], out.labels.of[2]);
    assert_eq!(by_id(&rows, &out, "a").actor, by_id(&rows, &out, "b").actor);
    assert_eq!(a, b, "equal labels are one entry");
    assert_ne!(a, c, "another person's label is its own");
    assert_eq!(out.labels.table.len(), 2);
}

mod signals;
