//! Issue 17: a fan-out command, a CloudFormation cascade and a paged
//! describe are one action each; a tool call is one action however long.

use super::*;
use crate::attribution::engine::{ActorKind, Label, Labels};
use crate::attribution::input::{Events, Row};

const S: i64 = 1_000_000;
const RM_UA: &str = "aws-cli/2.32.0 md/awscrt#0.28.4 ua/2.1 os/linux sid/abc md/command#s3.rm";
const DESCRIBE_UA: &str =
    "aws-cli/2.32.0 ua/2.1 os/linux sid/abc md/command#ec2.describe-instances";

fn label(kind: ActorKind, actor: &str, call: Option<u32>) -> Label {
    Label {
        kind,
        actor: Some(actor.to_string()),
        operator: None,
        call,
        confidence: 0.9,
        evidence: Vec::new(),
        reason: String::new(),
    }
}

struct Case {
    events: Events,
    labels: Labels,
}

impl Case {
    fn new() -> Case {
        Case {
            events: Events::default(),
            labels: Labels {
                table: Vec::new(),
                of: Vec::new(),
            },
        }
    }

    fn push(&mut self, t: i64, source: &str, name: &str, ua: &str, write: bool, l: Label) {
        self.events.push(Row {
            id: "e",
            time: t,
            read_only: Some(!write),
            source: Some(source),
            name: Some(name),
            principal_arn: Some("arn:aws:sts::1:assumed-role/Dev/bob"),
            user_agent: Some(ua),
            ..Row::default()
        });
        self.labels.of.push(self.labels.table.len() as u32);
        self.labels.table.push(l);
    }

    fn derive(mut self, cascade_of: &PlHashMap<u32, u32>) -> (Actions, usize) {
        self.events.done_loading();
        let n = self.events.len();
        (derive(&self.events, &self.labels, cascade_of), n)
    }
}

fn vias(a: &Actions) -> Vec<&'static str> {
    a.via.iter().map(|v| v.as_str()).collect()
}

#[test]
fn a_recursive_s3_rm_is_one_action() {
    let mut c = Case::new();
    let bob = || label(ActorKind::Human, "bob", None);
    c.push(0, "s3.amazonaws.com", "ListObjectsV2", RM_UA, false, bob());
    for k in 0..36 {
        c.push(
            S + k * 50_000,
            "s3.amazonaws.com",
            "DeleteObject",
            RM_UA,
            true,
            bob(),
        );
    }
    let (a, n) = c.derive(&PlHashMap::default());
    assert_eq!(a.count, 1);
    assert!(a.first.iter().all(|&f| f == 0));
    let v = vias(&a);
    assert_eq!(v[0], "direct");
    assert_eq!(v[1], "direct");
    assert!(v[2..n].iter().all(|&x| x == "s3-batch"), "{v:?}");
}

#[test]
fn a_cloudformation_cascade_joins_the_stack_operation() {
    let mut c = Case::new();
    let kiro = || label(ActorKind::Ai, "kiro", Some(0));
    c.push(
        0,
        "cloudformation.amazonaws.com",
        "DeleteStack",
        RM_UA,
        true,
        kiro(),
    );
    let mut cascade = PlHashMap::default();
    for k in 1..=5 {
        // Minutes later: CloudFormation deletes the stack's resources.
        c.push(
            k * 60 * S,
            "dynamodb.amazonaws.com",
            "DeleteTable",
            "cloudformation.amazonaws.com",
            true,
            kiro(),
        );
        cascade.insert(k as u32, 0);
    }
    let (a, _) = c.derive(&cascade);
    assert_eq!(a.count, 1);
    assert!(a.first.iter().all(|&f| f == 0));
    assert_eq!(vias(&a)[0], "direct");
    assert!(vias(&a)[1..].iter().all(|&x| x == "cloudformation"));
}

#[test]
fn a_paged_describe_is_one_action_and_a_second_command_another() {
    let mut c = Case::new();
    let bob = || label(ActorKind::Human, "bob", None);
    for k in 0..3 {
        c.push(
            k * 300_000,
            "ec2.amazonaws.com",
            "DescribeInstances",
            DESCRIBE_UA,
            false,
            bob(),
        );
    }
    // Another command in the same terminal: its own action.
    c.push(
        2 * S,
        "s3.amazonaws.com",
        "DeleteObject",
        RM_UA,
        true,
        bob(),
    );
    // The same describe again five minutes later: a new decision.
    c.push(
        300 * S,
        "ec2.amazonaws.com",
        "DescribeInstances",
        DESCRIBE_UA,
        false,
        bob(),
    );
    let (a, _) = c.derive(&PlHashMap::default());
    assert_eq!(a.count, 3);
    assert_eq!(&a.first, &[0, 0, 0, 3, 4]);
    assert_eq!(
        vias(&a),
        ["direct", "pagination", "pagination", "direct", "direct"]
    );
}

#[test]
fn a_tool_call_is_one_action_and_an_sdk_loop_splits_on_gaps() {
    let mut c = Case::new();
    let agent = || label(ActorKind::Ai, "claude-code", Some(7));
    c.push(
        0,
        "lambda.amazonaws.com",
        "UpdateFunctionCode",
        RM_UA,
        true,
        agent(),
    );
    c.push(
        90 * S,
        "lambda.amazonaws.com",
        "UpdateFunctionCode",
        RM_UA,
        true,
        agent(),
    );
    let sdk = "Boto3/1.35.0 md/Botocore#1.35.0 ua/2.0 os/linux";
    let auto = || label(ActorKind::Automation, "ci", None);
    c.push(0, "sqs.amazonaws.com", "SendMessage", sdk, true, auto());
    c.push(S, "sqs.amazonaws.com", "SendMessage", sdk, true, auto());
    c.push(
        30 * S,
        "sqs.amazonaws.com",
        "SendMessage",
        sdk,
        true,
        auto(),
    );
    let (a, _) = c.derive(&PlHashMap::default());
    assert_eq!(&a.first, &[0, 0, 2, 2, 4]);
    assert_eq!(a.count, 3);
    assert_eq!(vias(&a), ["direct", "repeat", "direct", "repeat", "direct"]);
}

#[test]
fn a_waiter_polls_with_pauses() {
    let mut c = Case::new();
    let ua = "aws-cli/2.32.0 ua/2.1 sid/abc md/command#cloudformation.wait";
    let bob = || label(ActorKind::Human, "bob", None);
    for k in 0..4 {
        c.push(
            k * 30 * S,
            "cloudformation.amazonaws.com",
            "DescribeStacks",
            ua,
            false,
            bob(),
        );
    }
    let (a, _) = c.derive(&PlHashMap::default());
    assert_eq!(a.count, 1);
    assert_eq!(vias(&a), ["direct", "waiter", "waiter", "waiter"]);
}
