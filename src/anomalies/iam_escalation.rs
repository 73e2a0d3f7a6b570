//! **iam_escalation**: privilege-escalation steps by one actor within
//! `window_minutes`. Steps (successful calls only):
//!
//! - *credentials for another user*: iam CreateAccessKey, CreateLoginProfile
//!   or UpdateLoginProfile whose `userName` is not the actor or its
//!   operator (compared without case, also by the part before `@` and the
//!   last part of an ARN);
//! - *admin grant*: Attach{User,Role,Group}Policy with a `policyArn` ending
//!   in `AdministratorAccess`, or Put{User,Role,Group}Policy /
//!   CreatePolicyVersion whose document allows `"Action": "*"`;
//! - *role passed to compute*: a call that creates or reconfigures compute
//!   with a role (lambda CreateFunction/UpdateFunctionConfiguration, ec2
//!   RunInstances/AssociateIamInstanceProfile, ecs RunTask/StartTask/
//!   RegisterTaskDefinition, glue CreateJob/UpdateJob/CreateDevEndpoint,
//!   cloudformation CreateStack/UpdateStack, sagemaker CreateNotebookInstance/
//!   CreateTrainingJob/CreateProcessingJob, codebuild CreateProject/
//!   UpdateProject, states CreateStateMachine), or an `iam:PassRole` row;
//! - *trust policy changed*: iam UpdateAssumeRolePolicy;
//! - *default policy version set*: iam CreatePolicyVersion with
//!   `setAsDefault` true.
//!
//! *Why*: each step alone is often routine; two kinds together within an
//! hour (a role passed to a new function right after its trust policy was
//! opened, keys minted for someone else after an admin grant) is how
//! privileges are escalated. An admin grant is a finding on its own.
//!
//! *How*: a window slides over the actor's analysed steps; a window with at
//! least `min_steps` distinct kinds of step, or any admin grant, qualifies;
//! qualifying windows that overlap are one finding. **Score** = distinct
//! kinds + 2 if an admin grant is among them. **Severity**: high; critical
//! with an admin grant plus another kind, or ≥ 3 kinds.
//!
//! *False positives*: bootstrap and deployment pipelines that create roles
//! and functions together (they usually meet only one kind per hour: role
//! passed to compute); break-glass admin grants by the account owner.

use super::US_PER_MIN;
use super::ctx::{Actor, Ctx, WindowCounts, fmt_span, list, plural, qualifying_runs};
use super::finding::{Finding, Severity};
use super::names::name_from_arn;
use crate::cloudtrail::{percent, request_params};
use rayon::prelude::*;
use serde_json::Value;

pub const NAME: &str = "iam_escalation";

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Step {
    AdminGrant,
    CredentialsForOther,
    PassRole,
    TrustPolicy,
    DefaultVersion,
}

const STEPS: usize = 5;

impl Step {
    fn label(self) -> &'static str {
        match self {
            Step::AdminGrant => "admin grant",
            Step::CredentialsForOther => "credentials for another user",
            Step::PassRole => "role passed to compute",
            Step::TrustPolicy => "trust policy changed",
            Step::DefaultVersion => "default policy version set",
        }
    }
}

/// Which family of step a (service, event name) can be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    Credentials,
    Attach,
    PutInline,
    PolicyVersion,
    Trust,
    Compute,
}

const COMPUTE: &[(&str, &str)] = &[
    ("lambda", "CreateFunction"),
    ("lambda", "UpdateFunctionConfiguration"),
    ("ec2", "RunInstances"),
    ("ec2", "AssociateIamInstanceProfile"),
    ("ec2", "ReplaceIamInstanceProfileAssociation"),
    ("ecs", "RunTask"),
    ("ecs", "StartTask"),
    ("ecs", "RegisterTaskDefinition"),
    ("glue", "CreateJob"),
    ("glue", "UpdateJob"),
    ("glue", "CreateDevEndpoint"),
    ("cloudformation", "CreateStack"),
    ("cloudformation", "UpdateStack"),
    ("sagemaker", "CreateNotebookInstance"),
    ("sagemaker", "CreateTrainingJob"),
    ("sagemaker", "CreateProcessingJob"),
    ("codebuild", "CreateProject"),
    ("codebuild", "UpdateProject"),
    ("states", "CreateStateMachine"),
];

const ROLE_KEYS: &[&str] = &[
    "role",
    "roleArn",
    "roleARN",
    "RoleArn",
    "executionRoleArn",
    "taskRoleArn",
    "serviceRole",
    "iamInstanceProfile",
    "IamInstanceProfile",
];

fn family(service: &str, name: &str) -> Option<Family> {
    if service == "iam" {
        return Some(match name {
            "CreateAccessKey" | "CreateLoginProfile" | "UpdateLoginProfile" => Family::Credentials,
            "AttachUserPolicy" | "AttachRolePolicy" | "AttachGroupPolicy" => Family::Attach,
            "PutUserPolicy" | "PutRolePolicy" | "PutGroupPolicy" => Family::PutInline,
            "CreatePolicyVersion" => Family::PolicyVersion,
            "UpdateAssumeRolePolicy" => Family::Trust,
            _ => return None,
        });
    }
    // Lambda's event names carry an API version: CreateFunction20150331.
    COMPUTE
        .iter()
        .any(|(s, n)| {
            *s == service
                && name.starts_with(n)
                && name[n.len()..]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() && !c.is_ascii_uppercase())
        })
        .then_some(Family::Compute)
}

/// A policy document (JSON text, possibly URL-encoded) that allows
/// `"Action": "*"`.
pub(crate) fn grants_everything(doc: &str) -> bool {
    let parsed: Option<Value> = serde_json::from_str(doc).ok().or_else(|| {
        let decoded = percent::decode(doc, &percent::LENIENT_FORM).ok()?;
        serde_json::from_str(&decoded).ok()
    });
    let Some(v) = parsed else { return false };
    let statements = match v.get("Statement") {
        Some(Value::Array(a)) => a.clone(),
        Some(s @ Value::Object(_)) => vec![s.clone()],
        _ => return false,
    };
    statements.iter().any(|s| {
        let allow = s.get("Effect").and_then(Value::as_str) == Some("Allow");
        let star = match s.get("Action") {
            Some(Value::String(a)) => a == "*",
            Some(Value::Array(a)) => a.iter().any(|x| x.as_str() == Some("*")),
            _ => false,
        };
        allow && star
    })
}

fn has_role(v: &Value) -> Option<String> {
    match v {
        Value::Object(m) => m.iter().find_map(|(k, x)| {
            if ROLE_KEYS.contains(&k.as_str()) {
                match x {
                    Value::String(s) if !s.is_empty() => {
                        Some(name_from_arn(s).unwrap_or_else(|| s.clone()))
                    }
                    Value::Object(o) if !o.is_empty() => Some(
                        o.values()
                            .find_map(|y| {
                                y.as_str()
                                    .map(|s| name_from_arn(s).unwrap_or_else(|| s.to_string()))
                            })
                            .unwrap_or_else(|| "a role".into()),
                    ),
                    _ => None,
                }
            } else {
                has_role(x)
            }
        }),
        Value::Array(a) => a.iter().find_map(has_role),
        _ => None,
    }
}

/// Who the actor is, in the forms a `userName` could take.
fn own_names(cx: &Ctx, x: &Actor) -> Vec<String> {
    let mut out = Vec::new();
    for s in [Some(cx.actor_str(x)), cx.operator_str(x)]
        .into_iter()
        .flatten()
    {
        let s = s.to_lowercase();
        out.push(s.split('@').next().unwrap_or(&s).to_string());
        out.push(s.rsplit(['/', ':']).next().unwrap_or(&s).to_string());
        out.push(s);
    }
    out
}

struct Hit {
    row: u32,
    steps: Vec<Step>,
    detail: String,
}

/// The steps one call makes, with a short description.
fn steps(cx: &Ctx, x: &Actor, i: u32, fam: Family) -> Option<Hit> {
    let p = request_params::parse(cx.params(i))
        .into_value()
        .unwrap_or(Value::Null);
    let s = |k: &str| request_params::str_field(&p, k);
    let target = || {
        ["roleName", "userName", "groupName", "policyArn"]
            .iter()
            .find_map(|k| {
                s(k).map(|v| format!(" on {}", name_from_arn(v).unwrap_or_else(|| v.to_string())))
            })
            .unwrap_or_default()
    };
    let mut steps = Vec::new();
    let mut detail = String::new();
    match fam {
        Family::Credentials => {
            let user = s("userName")?;
            if own_names(cx, x).contains(&user.to_lowercase()) {
                return None;
            }
            steps.push(Step::CredentialsForOther);
            detail = format!(" for {user}");
        }
        Family::Attach => {
            let arn = s("policyArn")?;
            if arn.ends_with("AdministratorAccess") {
                steps.push(Step::AdminGrant);
                let policy = name_from_arn(arn).unwrap_or_else(|| arn.to_string());
                let to = ["roleName", "userName", "groupName"]
                    .iter()
                    .find_map(|k| s(k))
                    .map(|w| format!(" to {w}"))
                    .unwrap_or_default();
                detail = format!(" {policy}{to}");
            }
        }
        Family::PutInline => {
            if s("policyDocument").is_some_and(grants_everything) {
                steps.push(Step::AdminGrant);
                detail = format!(" allowing Action *{}", target());
            }
        }
        Family::PolicyVersion => {
            let default = matches!(p.get("setAsDefault"), Some(Value::Bool(true)))
                || s("setAsDefault") == Some("true");
            if default {
                steps.push(Step::DefaultVersion);
            }
            if s("policyDocument").is_some_and(grants_everything) {
                steps.push(Step::AdminGrant);
            }
            detail = target();
        }
        Family::Trust => {
            steps.push(Step::TrustPolicy);
            detail = target();
        }
        Family::Compute => {
            let role = has_role(&p)?;
            steps.push(Step::PassRole);
            detail = format!(" with role {role}");
        }
    }
    (!steps.is_empty()).then_some(Hit {
        row: i,
        steps,
        detail,
    })
}

struct KindCounts<'a> {
    hits: &'a [Hit],
    per: [u32; STEPS],
    min_kinds: usize,
}

impl WindowCounts for KindCounts<'_> {
    fn add(&mut self, k: usize) {
        for s in &self.hits[k].steps {
            self.per[*s as usize] += 1;
        }
    }
    fn remove(&mut self, k: usize) {
        for s in &self.hits[k].steps {
            self.per[*s as usize] -= 1;
        }
    }
    fn qualifies(&self) -> bool {
        self.per[Step::AdminGrant as usize] > 0
            || self.per.iter().filter(|c| **c > 0).count() >= self.min_kinds
    }
}

pub fn run(cx: &Ctx) -> Vec<Finding> {
    let a = cx.a;
    let families: Vec<Option<Family>> = (0..a.event_name.distinct() as u32)
        .map(|id| {
            let name = a.event_name.value(id);
            // The service is checked per row; here any service may match.
            [
                "iam",
                "lambda",
                "ec2",
                "ecs",
                "glue",
                "cloudformation",
                "sagemaker",
                "codebuild",
                "states",
            ]
            .iter()
            .find_map(|s| family(s, name))
        })
        .collect();
    let passrole =
        (0..a.iam_action.distinct() as u32).find(|&id| a.iam_action.value(id) == "iam:PassRole");
    cx.actors
        .par_iter()
        .flat_map_iter(|x| {
            let hits: Vec<Hit> = cx
                .analysed(x)
                .iter()
                .filter(|&&i| !cx.failed(i))
                .filter_map(|&i| {
                    if passrole.is_some() && a.iam_action.id(i as usize) == passrole {
                        return Some(Hit {
                            row: i,
                            steps: vec![Step::PassRole],
                            detail: String::new(),
                        });
                    }
                    a.event_name
                        .id(i as usize)
                        .and_then(|id| families[id as usize])?;
                    let fam = family(cx.service(i), cx.event_name(i))?;
                    steps(cx, x, i, fam)
                })
                .collect();
            episodes(cx, x, &hits)
        })
        .collect()
}

fn episodes(cx: &Ctx, x: &Actor, hits: &[Hit]) -> Vec<Finding> {
    if hits.is_empty() {
        return Vec::new();
    }
    let t = &cx.t.iam_escalation;
    let times: Vec<i64> = hits.iter().map(|h| cx.time(h.row)).collect();
    let mut counts = KindCounts {
        hits,
        per: [0; STEPS],
        min_kinds: t.min_steps.max(1) as usize,
    };
    let window = i64::from(t.window_minutes.max(1)) * US_PER_MIN;
    qualifying_runs(&times, window, &mut counts)
        .into_iter()
        .map(|(s, e)| {
            let ep = &hits[s..=e];
            let mut kinds: Vec<Step> = ep.iter().flat_map(|h| h.steps.iter().copied()).collect();
            kinds.sort();
            kinds.dedup();
            let admin = kinds.contains(&Step::AdminGrant);
            let severity = if (admin && kinds.len() >= 2) || kinds.len() >= 3 {
                Severity::Critical
            } else {
                Severity::High
            };
            let described: Vec<String> = ep
                .iter()
                .map(|h| {
                    let labels: Vec<&str> = h.steps.iter().map(|s| s.label()).collect();
                    format!(
                        "{} ({}:{}{})",
                        labels.join(" + "),
                        cx.service(h.row),
                        cx.event_name(h.row),
                        h.detail
                    )
                })
                .collect();
            let rows: Vec<u32> = ep.iter().map(|h| h.row).collect();
            let explanation = format!(
                "{} made {} of {} in {} (window {} min): {}",
                cx.who_in(x, &rows),
                plural(ep.len(), "privilege-escalation step"),
                plural(kinds.len(), "kind"),
                fmt_span(times[e] - times[s]),
                t.window_minutes,
                list(&described, 5)
            );
            let score = kinds.len() as f64 + if admin { 2.0 } else { 0.0 };
            cx.finding(NAME, severity, x, rows, score, explanation)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::{Thresholds, detect};
    use super::*;

    #[test]
    fn documents_that_grant_everything() {
        assert!(grants_everything(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#
        ));
        assert!(grants_everything(
            "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%5B%22*%22%5D%7D%5D%7D"
        ));
        assert!(!grants_everything(
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*"}]}"#
        ));
        assert!(!grants_everything(
            r#"{"Statement":[{"Effect":"Deny","Action":"*"}]}"#
        ));
        assert!(!grants_everything("not json"));
    }

    fn by_agent(e: Ev) -> Ev {
        e.ai("codex", "frank", "sess-99")
    }

    #[test]
    fn trust_change_then_role_passed_to_a_function_is_escalation() {
        let mut k = Kit::default();
        k.add(
            by_agent(ev(at(15, 14, 0), "iam:UpdateAssumeRolePolicy"))
                .params(r#"{"roleName":"ops","policyDocument":"{}"}"#),
        );
        k.add(
            by_agent(ev(at(15, 14, 20), "lambda:CreateFunction20150331")).params(
                r#"{"functionName":"f","role":"arn:aws:iam::1:role/ops","runtime":"python3.12"}"#,
            ),
        );
        // Keys for someone else.
        k.add(
            by_agent(ev(at(15, 14, 30), "iam:CreateAccessKey")).params(r#"{"userName":"carol"}"#),
        );
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        let f = of(&f, NAME);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].score, 3.0);
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(
            f[0].explanation,
            "frank's codex session sess-99 made 3 privilege-escalation steps of 3 kinds in 30 min (window 60 min): trust policy changed (iam:UpdateAssumeRolePolicy on ops), role passed to compute (lambda:CreateFunction20150331 with role ops), credentials for another user (iam:CreateAccessKey for carol)"
        );
    }

    #[test]
    fn an_admin_attach_alone_is_a_finding() {
        let mut k = Kit::default();
        k.add(ev(at(15, 9, 0), "iam:AttachRolePolicy").params(
            r#"{"roleName":"ci","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}"#,
        ));
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        let f = of(&f, NAME);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!((f[0].score, f[0].severity), (3.0, Severity::High));
        assert!(
            f[0].explanation
                .contains("admin grant (iam:AttachRolePolicy AdministratorAccess to ci)"),
            "{}",
            f[0].explanation
        );
    }

    #[test]
    fn single_ordinary_steps_and_own_keys_are_not() {
        let mut k = Kit::default();
        // One kind, twice, and a step two hours later of another kind.
        for m in [0, 10] {
            k.add(
                ev(at(15, 9, m), "lambda:CreateFunction20150331")
                    .params(r#"{"functionName":"f","role":"arn:aws:iam::1:role/r"}"#),
            );
        }
        k.add(ev(at(15, 11, 30), "iam:UpdateAssumeRolePolicy").params(r#"{"roleName":"r"}"#));
        // Own keys, a read-only policy, a failed admin attach.
        k.add(ev(at(15, 11, 31), "iam:CreateAccessKey").params(r#"{"userName":"Alice"}"#));
        k.add(
            ev(at(15, 11, 32), "iam:AttachRolePolicy")
                .params(r#"{"roleName":"r","policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}"#),
        );
        k.add(
            ev(at(15, 11, 33), "iam:AttachRolePolicy")
                .params(
                    r#"{"roleName":"r","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}"#,
                )
                .error("AccessDenied"),
        );
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        assert!(of(&f, NAME).is_empty(), "{f:#?}");
    }
}
