//! The suggested policy, evaluated by our own evaluator, allows every used
//! action and nothing destructive that was not used; output is
//! deterministic.

use super::usage_report::{SSO_ROLE, report};
use super::*;
use crate::privileges::actions::ActionSet;
use crate::privileges::eval::Permissions;
use crate::privileges::policy::{ActionSpec, PolicyDocument, ResourceSpec};
use crate::privileges::suggest::{suggest_for_actions, suggest_policy};
use crate::privileges::usage::ActionUse;

/// Checks the property for one suggestion; returns the evaluated grants.
fn check(used: &[ActionUse], json: &str) -> Permissions {
    let c = cat();
    let doc = PolicyDocument::parse_text(json, "suggested.json").unwrap();
    for s in &doc.statements {
        let ActionSpec::Action(actions) = &s.actions else {
            panic!("NotAction in {json}")
        };
        assert!(
            actions.iter().all(|a| !a.contains(['*', '?'])),
            "wildcard in {json}"
        );
        assert!(
            s.sid
                .as_deref()
                .is_some_and(|sid| sid.bytes().all(|b| b.is_ascii_alphanumeric()))
        );
    }
    let p = Permissions::from_documents(&[doc], None, c);
    let mut used_set = c.empty_set();
    for a in used {
        if let Some(id) = a.id {
            used_set.insert(id);
            assert!(
                p.granted().contains(id),
                "{} not allowed by {json}",
                a.action
            );
        }
    }
    let mut destructive_unused: ActionSet = p.granted().clone();
    destructive_unused.intersect_with(c.destructive_set());
    destructive_unused.difference_with(&used_set);
    assert!(
        destructive_unused.is_empty(),
        "grants unused destructive {:?}",
        destructive_unused
            .iter()
            .map(|i| c.name(i))
            .collect::<Vec<_>>()
    );
    assert_eq!(p.granted(), &used_set, "exactly the used actions");
    p
}

#[test]
fn suggestion_for_an_agent_on_a_shared_role() {
    let r = report();
    let cc = r
        .rows
        .iter()
        .find(|x| x.principal == SSO_ROLE && x.actor.as_deref() == Some("claude-code"))
        .unwrap();
    let s = suggest_policy(cc, cat());
    assert_eq!((s.statements, s.actions), (3, 4));
    check(&cc.actions, &s.json);
    let doc = PolicyDocument::parse_text(&s.json, "s").unwrap();
    let sids: Vec<_> = doc
        .statements
        .iter()
        .map(|x| x.sid.clone().unwrap())
        .collect();
    assert_eq!(sids, ["AllowCloudformation", "AllowEc2", "AllowS3"]);
    // Every s3 action named a bucket or object: scoped to what was seen.
    assert_eq!(
        doc.statements[2].resources,
        ResourceSpec::Resource(vec![
            "arn:aws:s3:::app-data/a.txt".into(),
            "arn:aws:s3:::old-bucket".into()
        ])
    );
    assert_eq!(
        doc.statements[2].actions,
        ActionSpec::Action(vec!["s3:DeleteBucket".into(), "s3:GetObject".into()])
    );
    // DescribeInstances named none: `*`.
    assert_eq!(
        doc.statements[1].resources,
        ResourceSpec::Resource(vec!["*".into()])
    );
    assert!(
        s.notes
            .iter()
            .any(|n| n.contains("resources for cloudformation, s3 come from CloudTrail")),
        "{:?}",
        s.notes
    );
    // Keys in IAM's usual order.
    assert!(s.json.find("\"Version\"").unwrap() < s.json.find("\"Statement\"").unwrap());
    assert!(s.json.find("\"Sid\"").unwrap() < s.json.find("\"Effect\"").unwrap());
    // Deterministic: same input, same bytes.
    assert_eq!(suggest_policy(cc, cat()), s);
}

#[test]
fn suggestion_notes_what_it_left_out() {
    let r = report();
    let bob = r
        .rows
        .iter()
        .find(|x| x.principal == SSO_ROLE && x.actor.as_deref() == Some("bob@example.com"))
        .unwrap();
    let s = suggest_policy(bob, cat());
    check(&bob.actions, &s.json);
    assert!(s.notes.iter().any(
        |n| n.contains("not granted by the current identity policies")
            && n.contains("iam:CreateUser")
    ));
    let alice = r
        .rows
        .iter()
        .find(|x| x.principal.ends_with("user/alice") && x.actor.is_some())
        .unwrap();
    let s = suggest_policy(alice, cat());
    assert_eq!(s.statements, 0);
    assert!(
        s.notes
            .iter()
            .any(|n| n.contains("left out") && n.contains("s3:ListBuckets"))
    );
    assert!(s.notes.iter().any(|n| n.contains("allows nothing")));
    check(&alice.actions, &s.json);
}

/// splitmix64: a small deterministic generator for the property test.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn property_random_use_gives_exactly_that_policy() {
    let c = cat();
    let destructive: Vec<u32> = c.destructive_set().iter().collect();
    let mut rng = Rng(0x7261_696c_626c_616d);
    for round in 0..300 {
        let n = 1 + rng.below(40);
        let mut used = Vec::new();
        for _ in 0..n {
            // Bias towards destructive actions, the ones that matter here.
            let id = if rng.below(3) == 0 {
                destructive[rng.below(destructive.len())]
            } else {
                rng.below(c.len()) as u32
            };
            let prefix = c.name(id).split(':').next().unwrap().to_string();
            let resources = match rng.below(3) {
                0 => Vec::new(),
                1 => vec![format!(
                    "arn:aws:{prefix}:eu-west-1:111122223333:thing/{}",
                    rng.below(5)
                )],
                _ => vec![format!("arn:aws:other:::x{}", rng.below(5))],
            };
            used.push(ActionUse {
                action: c.name(id).to_string(),
                id: Some(id),
                calls: 1 + rng.below(9) as u64,
                calls_without_resource: u64::from(resources.is_empty()),
                resources,
                resources_truncated: rng.below(20) == 0,
                grant: None,
            });
        }
        used.sort_by(|a, b| {
            a.action
                .to_ascii_lowercase()
                .cmp(&b.action.to_ascii_lowercase())
        });
        used.dedup_by(|a, b| a.id == b.id);
        let s = suggest_for_actions(&used, c);
        assert_eq!(s.actions, used.len(), "round {round}");
        check(&used, &s.json);
        assert_eq!(suggest_for_actions(&used, c), s);
    }
}
