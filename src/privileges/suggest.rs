//! A least-privilege identity policy from observed use.
//!
//! One `Allow` statement per service, listing exactly the catalog actions
//! the principal (or actor) was seen using, sorted, never a wildcard: a
//! wildcard such as `s3:Get*` could grant an unused destructive or
//! newly-added action. `Resource` is the sorted list of ARNs CloudTrail's
//! `resources[]` named for that service when every used action of the
//! statement named at least one (and none was truncated), else `*`. Each
//! statement has a `Sid` derived from the service prefix (`AllowS3`,
//! `AllowResourceGroups`).
//!
//! Used actions the catalog does not know are left out and listed in the
//! notes, as are used actions the current policies do not grant (they were
//! probably allowed by a resource-based policy) and resource scopes that
//! may be too narrow (CloudTrail lists the main resource of a call, while
//! IAM may check several: `ec2:RunInstances` also needs its subnet, image
//! and security groups). Output is deterministic: same input, same bytes.

use serde::Serialize;
use std::collections::BTreeMap;

use super::actions::ActionCatalog;
use super::usage::{ActionUse, PrincipalUsage};

/// AWS's size limit for a customer managed policy, whitespace excluded.
pub const MANAGED_POLICY_MAX_CHARS: usize = 6_144;

/// The suggestion for one principal or actor (the usage row says which).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuggestedPolicy {
    /// The policy, pretty-printed JSON with keys in IAM's usual order.
    pub json: String,
    /// Number of statements (services).
    pub statements: usize,
    /// Actions listed.
    pub actions: usize,
    /// What a reviewer must know before applying it.
    pub notes: Vec<String>,
}

#[derive(Serialize)]
struct PolicyJson {
    #[serde(rename = "Version")]
    version: &'static str,
    #[serde(rename = "Statement")]
    statement: Vec<StatementJson>,
}

#[derive(Serialize)]
struct StatementJson {
    #[serde(rename = "Sid")]
    sid: String,
    #[serde(rename = "Effect")]
    effect: &'static str,
    #[serde(rename = "Action")]
    action: Vec<String>,
    #[serde(rename = "Resource")]
    resource: ResourceJson,
}

#[derive(Serialize)]
#[serde(untagged)]
enum ResourceJson {
    All(&'static str),
    List(Vec<String>),
}

/// The suggestion for one usage row.
pub fn suggest_policy(row: &PrincipalUsage, catalog: &ActionCatalog) -> SuggestedPolicy {
    suggest_for_actions(&row.actions, catalog)
}

/// The suggestion for a list of used actions.
pub fn suggest_for_actions(used: &[ActionUse], catalog: &ActionCatalog) -> SuggestedPolicy {
    let mut by_service: BTreeMap<&str, Vec<&ActionUse>> = BTreeMap::new();
    let mut unknown = Vec::new();
    let mut not_granted = Vec::new();
    for a in used {
        match a.id {
            Some(id) => {
                let svc = &catalog.services()[catalog.service_of(id) as usize];
                by_service.entry(svc.prefix.as_str()).or_default().push(a);
                if a.grant.is_none() {
                    not_granted.push(catalog.name(id).to_string());
                }
            }
            None => unknown.push(a.action.clone()),
        }
    }
    let mut notes = Vec::new();
    let mut statements = Vec::new();
    let mut sids: BTreeMap<String, usize> = BTreeMap::new();
    let mut scoped_services = Vec::new();
    let mut action_count = 0;
    for (prefix, mut actions) in by_service {
        actions.sort_by(|a, b| lower_of(catalog, a).cmp(lower_of(catalog, b)));
        actions.dedup_by(|a, b| a.id == b.id);
        action_count += actions.len();
        let resource = match scoped_resources(prefix, &actions) {
            Some(arns) => {
                scoped_services.push(prefix.to_string());
                ResourceJson::List(arns)
            }
            None => ResourceJson::All("*"),
        };
        let base = format!("Allow{}", camel(prefix));
        let n = sids.entry(base.clone()).or_default();
        *n += 1;
        let sid = if *n == 1 { base } else { format!("{base}{n}") };
        statements.push(StatementJson {
            sid,
            effect: "Allow",
            action: actions
                .iter()
                .filter_map(|a| a.id.map(|id| catalog.name(id).to_string()))
                .collect(),
            resource,
        });
    }
    if !unknown.is_empty() {
        unknown.sort();
        unknown.dedup();
        notes.push(format!(
            "left out, not IAM actions in the catalog (check the event-to-action mapping): {}",
            unknown.join(", ")
        ));
    }
    if !not_granted.is_empty() {
        not_granted.sort();
        notes.push(format!(
            "used but not granted by the current identity policies (a resource-based policy \
             may allow them; keep them out if so): {}",
            not_granted.join(", ")
        ));
    }
    if !scoped_services.is_empty() {
        notes.push(format!(
            "resources for {} come from CloudTrail's resources[]; some actions check more \
             resource types than CloudTrail lists: test before applying",
            scoped_services.join(", ")
        ));
    }
    let count = statements.len();
    let doc = PolicyJson {
        version: "2012-10-17",
        statement: statements,
    };
    let compact = serde_json::to_string(&doc).unwrap_or_default();
    if compact.len() > MANAGED_POLICY_MAX_CHARS {
        notes.push(format!(
            "{} characters without whitespace: above the {MANAGED_POLICY_MAX_CHARS} a managed \
             policy may hold; split it by service",
            compact.len()
        ));
    }
    if count == 0 {
        notes.push("no catalog action was used: the policy allows nothing".to_string());
    }
    SuggestedPolicy {
        json: serde_json::to_string_pretty(&doc).unwrap_or(compact),
        statements: count,
        actions: action_count,
        notes,
    }
}

/// The ARNs of the statement's service named by every action, or `None`
/// when some action named none (or was truncated): then `*`.
fn scoped_resources(prefix: &str, actions: &[&ActionUse]) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for a in actions {
        if a.calls_without_resource > 0 || a.resources_truncated {
            return None;
        }
        let own: Vec<&String> = a
            .resources
            .iter()
            .filter(|r| arn_service(r) == Some(prefix))
            .collect();
        if own.is_empty() {
            return None;
        }
        out.extend(own.into_iter().cloned());
    }
    out.sort();
    out.dedup();
    Some(out)
}

/// The service field of an ARN (`arn:aws:s3:::b` → `s3`).
fn arn_service(arn: &str) -> Option<&str> {
    let mut f = arn.splitn(4, ':');
    (f.next() == Some("arn")).then_some(())?;
    f.next()?;
    f.next().filter(|s| !s.is_empty())
}

/// `resource-groups` → `ResourceGroups`; only ASCII letters and digits,
/// as `Sid` allows.
fn camel(prefix: &str) -> String {
    prefix
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn lower_of<'a>(catalog: &'a ActionCatalog, a: &'a ActionUse) -> &'a str {
    a.id.map_or(a.action.as_str(), |id| catalog.lower(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(camel("resource-groups"), "ResourceGroups");
        assert_eq!(camel("s3"), "S3");
        assert_eq!(arn_service("arn:aws:s3:::b/k"), Some("s3"));
        assert_eq!(arn_service("arn:aws::x"), None);
        assert_eq!(arn_service("nope"), None);
    }
}
