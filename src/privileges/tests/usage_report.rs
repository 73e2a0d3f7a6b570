//! Usage numbers: session→role mapping (SSO paths included), per-actor
//! split on a shared role, unknown and root principals, idle principals.

use super::*;
use crate::privileges::principals::{PermissionsIndex, Resolved};
use crate::privileges::usage::{
    IamStatus, PrincipalUsage, UsageAggregator, UsageOptions, UsageReport, UsedAction, usage_report,
};

pub(super) const SSO_SESSION: &str = "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_PowerUser_0123456789abcdef/bob@example.com";
pub(super) const SSO_ROLE: &str = "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_PowerUser_0123456789abcdef";

fn rec(principal: &str, actor: Option<&str>, action: &str, resources: &[&str]) -> UsedAction {
    UsedAction {
        principal_arn: principal.to_string(),
        actor: actor.map(str::to_string),
        iam_action: action.to_string(),
        resource_arns: resources.iter().map(|s| s.to_string()).collect(),
    }
}

pub(super) fn records() -> Vec<UsedAction> {
    let mut v = Vec::new();
    let cc = Some("claude-code");
    let bob = Some("bob@example.com");
    v.extend((0..5).map(|_| rec(SSO_SESSION, cc, "ec2:DescribeInstances", &[])));
    v.extend((0..3).map(|_| {
        rec(
            SSO_SESSION,
            cc,
            "s3:GetObject",
            &["arn:aws:s3:::app-data/a.txt"],
        )
    }));
    v.push(rec(
        SSO_SESSION,
        cc,
        "s3:DeleteBucket",
        &["arn:aws:s3:::old-bucket"],
    ));
    v.push(rec(
        SSO_SESSION,
        cc,
        "cloudformation:DeleteStack",
        &["arn:aws:cloudformation:eu-west-1:111122223333:stack/cost/1"],
    ));
    v.extend((0..2).map(|_| rec(SSO_SESSION, bob, "ec2:DescribeInstances", &[])));
    v.push(rec(SSO_SESSION, bob, "iam:ListRoles", &[]));
    v.push(rec(
        SSO_SESSION,
        bob,
        "iam:CreateUser",
        &["arn:aws:iam::111122223333:user/tmp"],
    ));
    v.push(rec(SSO_SESSION, None, "sts:GetCallerIdentity", &[]));
    v.push(rec(
        "arn:aws:sts::111122223333:assumed-role/deploy/codebuild-42",
        None,
        "ec2:RunInstances",
        &["arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc"],
    ));
    v.push(rec(
        "arn:aws:sts::999999999999:assumed-role/x/y",
        None,
        "s3:ListAllMyBuckets",
        &[],
    ));
    v.push(rec(
        "arn:aws:iam::111122223333:root",
        None,
        "s3:ListAllMyBuckets",
        &[],
    ));
    v.push(rec(
        "arn:aws:iam::111122223333:user/alice",
        Some("alice"),
        "s3:ListBuckets",
        &[],
    ));
    v.push(rec("", None, "s3:ListAllMyBuckets", &[]));
    v
}

pub(super) fn report() -> UsageReport {
    let mut g = UsageAggregator::new(UsageOptions::default());
    records().iter().for_each(|r| g.add_record(r));
    usage_report(&g, all_accounts(), cat())
}

fn row<'a>(r: &'a UsageReport, principal: &str, actor: Option<&str>) -> &'a PrincipalUsage {
    r.rows
        .iter()
        .find(|x| x.principal == principal && x.actor.as_deref() == actor)
        .unwrap_or_else(|| panic!("no row {principal} {actor:?}"))
}

#[test]
fn sessions_map_to_their_role() {
    let ix = PermissionsIndex::new(all_accounts());
    let arn = |a: &str| match ix.resolve(a) {
        Resolved::Principal(p) => p.arn.clone(),
        Resolved::Root { account } => format!("root {account}"),
        Resolved::NotFound { key, reason } => format!("not found {key}: {reason}"),
    };
    assert_eq!(arn(SSO_SESSION), SSO_ROLE);
    // Role ARNs with or without the path, any case of the name.
    assert_eq!(arn(SSO_ROLE), SSO_ROLE);
    assert_eq!(
        arn("arn:aws:iam::111122223333:role/awsreservedsso_poweruser_0123456789abcdef"),
        SSO_ROLE
    );
    assert_eq!(
        arn("arn:aws:sts::111122223333:assumed-role/deploy/i-0123"),
        "arn:aws:iam::111122223333:role/service-role/deploy"
    );
    assert_eq!(
        arn("arn:aws:iam::111122223333:user/alice"),
        "arn:aws:iam::111122223333:user/alice"
    );
    assert_eq!(arn("arn:aws:iam::111122223333:root"), "root 111122223333");
    assert_eq!(
        arn("arn:aws:sts::111122223333:assumed-role/nosuch/s"),
        "not found arn:aws:iam::111122223333:role/nosuch: the account's IAM data has no principal of this name"
    );
    assert!(
        arn("arn:aws:sts::999999999999:assumed-role/x/y").ends_with("no IAM data for this account")
    );
    assert!(arn("arn:aws:sts::111122223333:federated-user/bob").contains("federated user"));
    // A session in one account never matches a same-named role elsewhere.
    assert!(arn("arn:aws:sts::444455556666:assumed-role/deploy/s").starts_with("not found"));
}

#[test]
fn shared_sso_role_split_by_actor() {
    let r = report();
    let c = cat();
    let power = c.len()
        - count_matching("iam:*")
        - count_matching("organizations:*")
        - count_matching("account:*")
        + [
            "account:GetAccountInformation",
            "account:GetPrimaryEmail",
            "account:ListRegions",
            "iam:CreateServiceLinkedRole",
            "iam:DeleteServiceLinkedRole",
            "iam:ListRoles",
            "organizations:DescribeOrganization",
        ]
        .iter()
        .filter(|a| c.id(a).is_some())
        .count();

    let all = row(&r, SSO_ROLE, None);
    assert_eq!(
        all.iam,
        IamStatus::Matched {
            kind: crate::privileges::eval::PrincipalKind::Role,
            account_id: A.into()
        }
    );
    assert_eq!(all.seen_arns, [SSO_SESSION]);
    assert_eq!(
        (all.calls, all.used, all.used_granted, all.used_not_granted),
        (15, 7, 6, 1)
    );
    assert_eq!(all.granted, Some(power));
    let share = all.unused_share.unwrap();
    assert!((share - (power - 6) as f64 / power as f64).abs() < 1e-12);
    assert_eq!(
        all.used_not_granted_actions()
            .map(|a| a.action.as_str())
            .collect::<Vec<_>>(),
        ["iam:CreateUser"]
    );
    let hr = all.high_risk_unused.as_ref().unwrap();
    assert!(
        !hr.contains(c.id("s3:DeleteBucket").unwrap()),
        "used, so not unused"
    );
    assert!(hr.contains(c.id("ec2:TerminateInstances").unwrap()));
    assert!(
        !hr.contains(c.id("s3:GetObject").unwrap()),
        "Read is not high-risk"
    );
    assert!(!hr.contains(c.id("iam:CreateRole").unwrap()), "not granted");
    assert!(!all.admin.as_ref().unwrap().is_admin());

    let cc = row(&r, SSO_ROLE, Some("claude-code"));
    assert_eq!((cc.calls, cc.used, cc.used_not_granted), (10, 4, 0));
    assert_eq!(cc.granted, Some(power));
    let get = cc
        .actions
        .iter()
        .find(|a| a.action == "s3:GetObject")
        .unwrap();
    assert_eq!(
        (get.calls, get.resources.as_slice()),
        (3, ["arn:aws:s3:::app-data/a.txt".to_string()].as_slice())
    );
    let ec2 = cc.by_service.iter().find(|s| s.service == "ec2").unwrap();
    assert_eq!(
        (ec2.used, ec2.used_granted, ec2.granted),
        (1, 1, count_matching("ec2:*"))
    );
    // The agent used every high-risk action the role used.
    assert_eq!(cc.high_risk_unused, all.high_risk_unused);

    let bob = row(&r, SSO_ROLE, Some("bob@example.com"));
    assert_eq!((bob.calls, bob.used, bob.used_not_granted), (4, 3, 1));
    let iam = bob.by_service.iter().find(|s| s.service == "iam").unwrap();
    assert_eq!((iam.used, iam.used_granted), (2, 1));
    assert_eq!(
        bob.high_risk_unused_count(),
        all.high_risk_unused_count() + 2,
        "bob deleted nothing"
    );

    // Row order: the principal as a whole, then its actors by name.
    let order: Vec<Option<&str>> = r
        .rows
        .iter()
        .filter(|x| x.principal == SSO_ROLE)
        .map(|x| x.actor.as_deref())
        .collect();
    assert_eq!(order, [None, Some("bob@example.com"), Some("claude-code")]);
}

#[test]
fn other_principals() {
    let r = report();
    assert_eq!((r.records, r.skipped_records, r.calls), (20, 1, 19));
    let deploy = row(
        &r,
        "arn:aws:iam::111122223333:role/service-role/deploy",
        None,
    );
    assert_eq!(deploy.actions[0].grant, Some(FULL));
    assert!(deploy.admin.as_ref().unwrap().is_admin());
    let unknown = row(&r, "arn:aws:iam::999999999999:role/x", None);
    assert!(
        matches!(unknown.iam, IamStatus::NotFound { reason } if reason.contains("no IAM data"))
    );
    assert_eq!(
        (
            unknown.granted,
            unknown.unused_share,
            unknown.used_not_granted
        ),
        (None, None, 1)
    );
    assert!(unknown.admin.is_none() && unknown.high_risk_unused.is_none());
    let root = row(&r, "arn:aws:iam::111122223333:root", None);
    assert_eq!(
        root.iam,
        IamStatus::Root {
            account_id: A.into()
        }
    );
    assert_eq!(root.granted, Some(cat().len()));
    assert!(root.admin.as_ref().unwrap().is_admin());
    // A name the catalog lacks is matched against the policy patterns
    // (alice's S3ReadWrite allows s3:List* on app-data).
    let alice = row(&r, "arn:aws:iam::111122223333:user/alice", Some("alice"));
    assert_eq!(alice.actions[0].id, None);
    assert!(alice.actions[0].grant.unwrap().scoped);
    let s3 = alice.by_service.iter().find(|s| s.service == "s3").unwrap();
    assert_eq!(s3.used, 1);
    // Idle principals are reported with nothing used.
    let erin = row(&r, "arn:aws:iam::111122223333:user/erin", None);
    assert_eq!(
        (erin.calls, erin.used, erin.unused_share),
        (0, 0, Some(1.0))
    );
    assert!(erin.admin.as_ref().unwrap().is_admin());
    let none = UsageOptions {
        include_idle_principals: false,
        ..UsageOptions::default()
    };
    let mut g = UsageAggregator::new(none);
    records().iter().for_each(|x| g.add_record(x));
    let r2 = usage_report(&g, all_accounts(), cat());
    assert!(r2.rows.iter().all(|x| !x.principal.ends_with("/erin")));
}

#[test]
fn precounted_and_parallel_input_give_the_same_report() {
    let seq = report();
    let par = usage_report(
        &UsageAggregator::from_records_par(&records(), UsageOptions::default()),
        all_accounts(),
        cat(),
    );
    let mut pre = UsageAggregator::new(UsageOptions::default());
    pre.add(
        SSO_SESSION,
        Some("claude-code"),
        "ec2:DescribeInstances",
        [],
        5,
    );
    pre.add(
        SSO_SESSION,
        Some("claude-code"),
        "s3:GetObject",
        ["arn:aws:s3:::app-data/a.txt"],
        3,
    );
    let pre = usage_report(&pre, all_accounts(), cat());
    let key = |r: &UsageReport| {
        r.rows
            .iter()
            .map(|x| {
                (
                    x.principal.clone(),
                    x.actor.clone(),
                    x.calls,
                    x.used,
                    x.granted,
                    x.used_not_granted,
                    x.actions.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(key(&seq), key(&par));
    let cc = row(&pre, SSO_ROLE, Some("claude-code"));
    assert_eq!((cc.calls, cc.used), (8, 2));
    assert_eq!(
        cc.actions
            .iter()
            .find(|a| a.action == "s3:GetObject")
            .unwrap()
            .calls,
        3
    );
}
