//! The scenario's IAM data, as `aws iam get-account-authorization-details`
//! prints it: one file per account under `iam/`, with every role the
//! scenario's callers use (the people's SSO permission sets, the Codex
//! agent's role, the CI deploy role, the workloads' roles). `privileges`,
//! `compare` (at equal privilege) and `report` read them.

use crate::scenario::cast::{
    ACCOUNTS, CI_ROLE, CODEX_ROLE, COPILOT_ROLE, HUMANS, perm_of, role_id, sso_role,
};
use crate::scenario::resources::WORKLOADS;
use anyhow::{Context, Result};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::Path;

const CREATED: &str = "2025-03-03T09:00:00+00:00";

fn statement(effect: &str, actions: &[&str], resource: &str) -> Value {
    json!({"Effect": effect, "Action": actions, "Resource": resource})
}

fn document(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// The policies of an SSO permission set: attached AWS-managed ARNs and
/// the inline policy, if any.
fn permission_set(perm: &str) -> (Vec<&'static str>, Option<Value>) {
    match perm {
        "AdministratorAccess" => (vec!["arn:aws:iam::aws:policy/AdministratorAccess"], None),
        "PowerUserAccess" => (vec!["arn:aws:iam::aws:policy/PowerUserAccess"], None),
        "ReadOnlyAccess" => (vec!["arn:aws:iam::aws:policy/ReadOnlyAccess"], None),
        "NetworkAdministrator" => (
            vec!["arn:aws:iam::aws:policy/job-function/NetworkAdministrator"],
            None,
        ),
        "DeveloperAccess" => (
            vec!["arn:aws:iam::aws:policy/ReadOnlyAccess"],
            Some(document(vec![statement(
                "Allow",
                &[
                    "lambda:*",
                    "s3:*",
                    "dynamodb:*",
                    "sqs:*",
                    "logs:*",
                    "cloudformation:*",
                    "cloudwatch:*",
                    "ecr:*",
                    "secretsmanager:GetSecretValue",
                ],
                "*",
            )])),
        ),
        // PlatformOperator and anything else: operations without IAM.
        _ => (
            vec!["arn:aws:iam::aws:policy/ReadOnlyAccess"],
            Some(document(vec![statement(
                "Allow",
                &[
                    "ec2:*",
                    "elasticloadbalancing:*",
                    "autoscaling:*",
                    "cloudwatch:*",
                    "logs:*",
                    "ssm:*",
                ],
                "*",
            )])),
        ),
    }
}

fn role(
    acct: &str,
    path: &str,
    name: &str,
    id: String,
    trust: Value,
    attached: &[&str],
    inline: Option<(&str, Value)>,
) -> Value {
    json!({
        "Path": format!("/{path}"),
        "RoleName": name,
        "RoleId": id,
        "Arn": format!("arn:aws:iam::{acct}:role/{path}{name}"),
        "CreateDate": CREATED,
        "AssumeRolePolicyDocument": trust,
        "InstanceProfileList": [],
        "RolePolicyList": inline.map_or_else(Vec::new, |(n, d)| vec![json!({"PolicyName": n, "PolicyDocument": d})]),
        "AttachedManagedPolicies": attached.iter().map(|a| json!({
            "PolicyName": a.rsplit('/').next().unwrap_or(a),
            "PolicyArn": a,
        })).collect::<Vec<_>>(),
        "Tags": [],
        "RoleLastUsed": {},
    })
}

/// The job-function policy the data carries in full (not one of the four
/// the evaluator knows without data).
fn network_administrator() -> Value {
    json!({
        "PolicyName": "NetworkAdministrator",
        "PolicyId": "ANPAJPNMADZFJCVPJVZA2",
        "Arn": "arn:aws:iam::aws:policy/job-function/NetworkAdministrator",
        "Path": "/job-function/",
        "DefaultVersionId": "v1",
        "AttachmentCount": 1,
        "IsAttachable": true,
        "PolicyVersionList": [{
            "Document": document(vec![statement("Allow", &[
                "ec2:*Vpc*", "ec2:*Subnet*", "ec2:*SecurityGroup*", "ec2:*Route*",
                "ec2:*NetworkAcl*", "ec2:*Gateway*", "ec2:Describe*",
                "elasticloadbalancing:*", "route53:*", "cloudwatch:Describe*",
                "logs:Describe*",
            ], "*")]),
            "VersionId": "v1",
            "IsDefaultVersion": true,
            "CreateDate": CREATED,
        }],
    })
}

/// One account's authorization details.
fn account(a: u8) -> Value {
    let id = ACCOUNTS[a as usize].id;
    let mut roles = Vec::new();
    let sso_trust = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": format!("arn:aws:iam::{id}:saml-provider/AWSSSO_5c1e0b7d2a9f4e31_DO_NOT_DELETE")},
        "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
        "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
    }]});
    let perms: BTreeSet<&str> = (0..HUMANS.len() as u8)
        .flat_map(|h| [perm_of(h, a, false), perm_of(h, a, true)])
        .collect();
    let mut network_admin = false;
    for perm in perms {
        let name = sso_role(a, perm);
        let (attached, inline) = permission_set(perm);
        network_admin |= perm == "NetworkAdministrator";
        roles.push(role(
            id,
            "aws-reserved/sso.amazonaws.com/",
            &name,
            role_id(a, &name),
            sso_trust.clone(),
            &attached,
            inline.map(|d| ("AwsSSOInlinePolicy", d)),
        ));
    }
    if a != crate::scenario::cast::PROD {
        let carol = sso_role(a, perm_of(crate::scenario::cast::CAROL, a, false));
        roles.push(role(
            id,
            "",
            CODEX_ROLE,
            role_id(a, CODEX_ROLE),
            json!({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{id}:role/aws-reserved/sso.amazonaws.com/{carol}")},
                "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
                "Condition": {"StringLike": {"sts:SourceIdentity": "codex-*"}},
            }]}),
            &["arn:aws:iam::aws:policy/ReadOnlyAccess"],
            Some((
                "codex-agent",
                document(vec![
                    statement(
                        "Allow",
                        &["s3:*", "lambda:*", "logs:*", "sqs:*", "dynamodb:*", "cloudformation:*", "ec2:*"],
                        "*",
                    ),
                    statement("Deny", &["iam:*", "organizations:*", "sts:AssumeRole"], "*"),
                ]),
            )),
        ));
    }
    roles.push(role(
        id,
        "",
        CI_ROLE,
        role_id(a, CI_ROLE),
        json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": format!("arn:aws:iam::{id}:oidc-provider/token.actions.githubusercontent.com")},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": crate::scenario::cast::CI_SUBJECT}},
        }]}),
        &["arn:aws:iam::aws:policy/PowerUserAccess"],
        None,
    ));
    if a == crate::scenario::cast::DEV {
        // The Copilot coding agent's `copilot` environment deploys billing-api.
        let subject = crate::scenario::cast::COPILOT_SUBJECT;
        roles.push(role(
            id,
            "",
            COPILOT_ROLE,
            role_id(a, COPILOT_ROLE),
            json!({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow",
                "Principal": {"Federated": format!("arn:aws:iam::{id}:oidc-provider/token.actions.githubusercontent.com")},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                    "StringLike": {"token.actions.githubusercontent.com:sub": subject},
                },
            }]}),
            &[],
            Some((
                "deploy-billing-api",
                document(vec![statement(
                    "Allow",
                    &[
                        "lambda:GetFunction",
                        "lambda:GetFunctionConfiguration",
                        "lambda:UpdateFunctionCode",
                    ],
                    &format!("arn:aws:lambda:*:{id}:function:billing-api-dev"),
                )]),
            )),
        ));
    }
    for w in WORKLOADS.iter().filter(|w| w.acct == a) {
        roles.push(role(
            id,
            "",
            w.role,
            role_id(a, w.role),
            json!({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": ["lambda.amazonaws.com", "ecs-tasks.amazonaws.com"]},
                "Action": "sts:AssumeRole",
            }]}),
            &[],
            Some((
                "app",
                document(vec![statement(
                    "Allow",
                    &[
                        "logs:CreateLogStream",
                        "logs:PutLogEvents",
                        "s3:GetObject",
                        "s3:PutObject",
                        "dynamodb:GetItem",
                        "dynamodb:PutItem",
                        "dynamodb:Query",
                        "sqs:SendMessage",
                        "sqs:ReceiveMessage",
                        "sqs:DeleteMessage",
                        "secretsmanager:GetSecretValue",
                    ],
                    "*",
                )]),
            )),
        ));
    }
    json!({
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": roles,
        "Policies": if network_admin { vec![network_administrator()] } else { vec![] },
        "IsTruncated": false,
    })
}

/// Writes `iam/account-<id>.json` per account; returns the bytes written.
pub(crate) fn write(out: &Path) -> Result<u64> {
    let dir = out.join("iam");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut bytes = 0;
    for a in 0..ACCOUNTS.len() as u8 {
        let mut text = serde_json::to_string_pretty(&account(a))?;
        text.push('\n');
        let path = dir.join(format!("account-{}.json", ACCOUNTS[a as usize].id));
        std::fs::write(&path, &text).with_context(|| format!("writing {}", path.display()))?;
        bytes += text.len() as u64;
    }
    Ok(bytes)
}
