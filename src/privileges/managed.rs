//! AWS-managed policies the evaluator knows without the IAM data.
//!
//! `get-account-authorization-details` lists every managed policy that is
//! attached to something, unless it was run with `--filter` (for example
//! `LocalManagedPolicy` only) or cut short by pagination. When an attached
//! AWS-managed policy is absent, four common ones are known by ARN so the
//! evaluation still means something; the evaluator reports that it used a
//! fallback. Every other absent policy grants nothing and is reported as
//! missing.
//!
//! - `AdministratorAccess`: `*` on `*` (exact).
//! - `PowerUserAccess`: everything except `iam:*`, `organizations:*` and
//!   `account:*`, plus the few IAM / Organizations / Account reads and
//!   service-linked-role actions the real policy adds (exact as of 2024).
//! - `IAMFullAccess`: `iam:*` plus the Organizations reads it adds (exact).
//! - `ReadOnlyAccess`: *approximated* as every catalog action at access
//!   level List or Read. The real policy is a long hand-kept list that is
//!   close to this but not equal (it omits some data reads such as
//!   `secretsmanager:GetSecretValue`).

use super::actions::ActionCatalog;
use super::policy::{ActionSpec, Effect, PolicyDocument, ResourceSpec, Statement};
use crate::destructive::AccessLevel;

/// `AdministratorAccess`.
pub const ADMINISTRATOR_ACCESS: &str = "AdministratorAccess";

/// The policies [`fallback_document`] knows.
pub const KNOWN_FALLBACKS: [&str; 4] = [
    ADMINISTRATOR_ACCESS,
    "PowerUserAccess",
    "ReadOnlyAccess",
    "IAMFullAccess",
];

/// True for `arn:<partition>:iam::aws:policy/…`.
pub fn is_aws_managed(arn: &str) -> bool {
    let f: Vec<&str> = arn.splitn(6, ':').collect();
    f.len() == 6 && f[0] == "arn" && f[2] == "iam" && f[4] == "aws" && f[5].starts_with("policy/")
}

/// The name of an AWS-managed policy at the root path
/// (`arn:aws:iam::aws:policy/ReadOnlyAccess` → `ReadOnlyAccess`); `None`
/// for customer policies and for AWS policies under a path
/// (`policy/job-function/ViewOnlyAccess`).
pub fn root_aws_managed_name(arn: &str) -> Option<&str> {
    if !is_aws_managed(arn) {
        return None;
    }
    let rest = arn.rsplit_once(":policy/")?.1;
    (!rest.contains('/')).then_some(rest)
}

/// True when `arn` is AWS's `AdministratorAccess` in any partition.
pub fn is_administrator_access(arn: &str) -> bool {
    root_aws_managed_name(arn) == Some(ADMINISTRATOR_ACCESS)
}

/// True when [`fallback_document`] knows the policy.
pub fn has_fallback(arn: &str) -> bool {
    root_aws_managed_name(arn).is_some_and(|n| KNOWN_FALLBACKS.contains(&n))
}

/// The document of a known AWS-managed policy, for when the IAM data does
/// not include it. `None` for every other ARN.
pub fn fallback_document(arn: &str, catalog: &ActionCatalog) -> Option<PolicyDocument> {
    let allow = |actions: ActionSpec| Statement {
        sid: None,
        effect: Effect::Allow,
        actions,
        resources: ResourceSpec::Resource(vec!["*".to_string()]),
        principal: None,
        not_principal: None,
        condition: None,
    };
    let list = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let statements = match root_aws_managed_name(arn)? {
        ADMINISTRATOR_ACCESS => vec![allow(ActionSpec::Action(list(&["*"])))],
        "PowerUserAccess" => vec![
            allow(ActionSpec::NotAction(list(&[
                "iam:*",
                "organizations:*",
                "account:*",
            ]))),
            allow(ActionSpec::Action(list(&[
                "account:GetAccountInformation",
                "account:GetPrimaryEmail",
                "account:ListRegions",
                "iam:CreateServiceLinkedRole",
                "iam:DeleteServiceLinkedRole",
                "iam:ListRoles",
                "organizations:DescribeOrganization",
            ]))),
        ],
        "IAMFullAccess" => vec![allow(ActionSpec::Action(list(&[
            "iam:*",
            "organizations:DescribeAccount",
            "organizations:DescribeOrganization",
            "organizations:DescribeOrganizationalUnit",
            "organizations:DescribePolicy",
            "organizations:ListChildren",
            "organizations:ListParents",
            "organizations:ListPoliciesForTarget",
            "organizations:ListRoots",
            "organizations:ListPolicies",
            "organizations:ListTargetsForPolicy",
        ])))],
        "ReadOnlyAccess" => {
            let names = (0..catalog.len() as u32)
                .filter(|&id| {
                    matches!(
                        catalog.access_level(id),
                        AccessLevel::List | AccessLevel::Read
                    )
                })
                .map(|id| catalog.name(id).to_string())
                .collect();
            vec![allow(ActionSpec::Action(names))]
        }
        _ => return None,
    };
    Some(PolicyDocument {
        version: Some("2012-10-17".to_string()),
        statements,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_aws_managed_arns() {
        assert!(is_administrator_access(
            "arn:aws:iam::aws:policy/AdministratorAccess"
        ));
        assert!(is_administrator_access(
            "arn:aws-cn:iam::aws:policy/AdministratorAccess"
        ));
        assert!(!is_administrator_access(
            "arn:aws:iam::123456789012:policy/AdministratorAccess"
        ));
        assert!(!is_administrator_access(
            "arn:aws:iam::aws:policy/job-function/AdministratorAccess"
        ));
        assert!(is_aws_managed(
            "arn:aws:iam::aws:policy/service-role/AWSLambdaRole"
        ));
        assert_eq!(
            root_aws_managed_name("arn:aws:iam::aws:policy/service-role/X"),
            None
        );
        assert!(!is_aws_managed("arn:aws:iam::aws:role/x"));
        assert!(!is_aws_managed("garbage"));
    }

    #[test]
    fn fallbacks_exist_for_the_four() {
        let c = super::super::actions::action_catalog().unwrap();
        for name in KNOWN_FALLBACKS {
            let arn = format!("arn:aws:iam::aws:policy/{name}");
            let d = fallback_document(&arn, c).unwrap();
            assert!(!d.statements.is_empty(), "{name}");
        }
        assert!(fallback_document("arn:aws:iam::aws:policy/AmazonS3FullAccess", c).is_none());
    }
}
