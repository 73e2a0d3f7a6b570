//! Evaluation of a whole account: which policies reach each user and role
//! (its own, its groups', its boundary), compiled once per managed policy
//! and combined per principal, in parallel. The rules are in the parent
//! module.

use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

use super::{CompiledPolicy, Permissions, PolicyOrigin, PolicySource};
use crate::privileges::actions::ActionCatalog;
use crate::privileges::authz::{AccountAuthz, AttachedPolicy, AuthzSet, InlinePolicy};
use crate::privileges::managed;

/// User or role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PrincipalKind {
    User,
    Role,
}

/// One principal's effective permissions and what the data lacked.
pub struct PrincipalPermissions {
    pub kind: PrincipalKind,
    pub account_id: String,
    pub name: String,
    pub arn: String,
    pub path: String,
    pub permissions: Permissions,
    /// Attached or boundary ARNs absent from the data and without a
    /// built-in copy: they grant nothing here.
    pub missing_policies: Vec<String>,
    /// ARNs evaluated from the built-in copy (see [`managed`]).
    pub fallback_policies: Vec<String>,
    /// Groups in the user's `GroupList` that the data does not hold.
    pub missing_groups: Vec<String>,
    /// `RoleLastUsed.LastUsedDate`.
    pub last_used: Option<String>,
}

impl PrincipalPermissions {
    /// True when AWS's `AdministratorAccess` is attached (directly or via a
    /// group), whatever a boundary does to it.
    pub fn has_administrator_access(&self) -> bool {
        self.permissions.policies().any(|s| {
            s.arn
                .as_deref()
                .is_some_and(managed::is_administrator_access)
        })
    }
}

/// One account's principals, users first, each sorted by ARN.
pub struct AccountPermissions {
    pub account_id: String,
    pub principals: Vec<PrincipalPermissions>,
}

/// Evaluates every account.
pub fn evaluate_authz(set: &AuthzSet, catalog: &ActionCatalog) -> Vec<AccountPermissions> {
    set.accounts
        .iter()
        .map(|a| evaluate_account(a, catalog))
        .collect()
}

struct ManagedEntry {
    compiled: Option<Arc<CompiledPolicy>>,
    name: String,
    fallback: bool,
}

/// Evaluates every user and role of one account (in parallel).
pub fn evaluate_account(a: &AccountAuthz, catalog: &ActionCatalog) -> AccountPermissions {
    let mut arns: Vec<&String> = a
        .users
        .iter()
        .flat_map(|u| u.attached.iter().map(|p| &p.arn).chain(&u.boundary))
        .chain(
            a.groups
                .iter()
                .flat_map(|g| g.attached.iter().map(|p| &p.arn)),
        )
        .chain(
            a.roles
                .iter()
                .flat_map(|r| r.attached.iter().map(|p| &p.arn).chain(&r.boundary)),
        )
        .collect();
    arns.sort();
    arns.dedup();
    let managed: HashMap<&str, ManagedEntry> = arns
        .par_iter()
        .map(|arn| {
            let stored = a.policies.get(*arn);
            let (doc, fallback) = match stored.and_then(|p| p.document.clone()) {
                Some(d) => (Some(d), false),
                None => (managed::fallback_document(arn, catalog), true),
            };
            let name = stored.map_or_else(
                || arn.rsplit('/').next().unwrap_or_default().to_string(),
                |p| p.name.clone(),
            );
            let compiled = doc.map(|d| Arc::new(CompiledPolicy::compile(&d, catalog)));
            (
                arn.as_str(),
                ManagedEntry {
                    compiled,
                    name,
                    fallback,
                },
            )
        })
        .collect();
    let groups: HashMap<String, Vec<(PolicySource, Arc<CompiledPolicy>)>> = a
        .groups
        .par_iter()
        .map(|g| {
            let mut v = inline_sources(&g.inline, catalog, |_| PolicyOrigin::GroupInline {
                group: g.name.clone(),
            });
            let mut missing = Vec::new();
            v.extend(managed_sources(&g.attached, &managed, &mut missing, || {
                PolicyOrigin::GroupManaged {
                    group: g.name.clone(),
                }
            }));
            (g.name.to_ascii_lowercase(), v)
        })
        .collect();
    let group_missing: HashMap<String, Vec<String>> = a
        .groups
        .iter()
        .map(|g| {
            let m = g.attached.iter().filter(|p| {
                managed
                    .get(p.arn.as_str())
                    .is_none_or(|e| e.compiled.is_none())
            });
            (
                g.name.to_ascii_lowercase(),
                m.map(|p| p.arn.clone()).collect(),
            )
        })
        .collect();

    let users = a.users.par_iter().map(|u| {
        let mut missing = Vec::new();
        let mut missing_groups = Vec::new();
        let mut identity = inline_sources(&u.inline, catalog, |_| PolicyOrigin::Inline);
        identity.extend(managed_sources(&u.attached, &managed, &mut missing, || {
            PolicyOrigin::Managed
        }));
        for g in &u.groups {
            match groups.get(&g.to_ascii_lowercase()) {
                Some(v) => {
                    identity.extend(v.iter().cloned());
                    missing.extend(
                        group_missing
                            .get(&g.to_ascii_lowercase())
                            .into_iter()
                            .flatten()
                            .cloned(),
                    );
                }
                None => missing_groups.push(g.clone()),
            }
        }
        let boundary = boundary_source(u.boundary.as_deref(), &managed, &mut missing);
        principal(
            PrincipalKind::User,
            a,
            &u.name,
            &u.arn,
            &u.path,
            identity,
            boundary,
            missing,
            missing_groups,
            None,
            catalog,
        )
    });
    let roles = a.roles.par_iter().map(|r| {
        let mut missing = Vec::new();
        let mut identity = inline_sources(&r.inline, catalog, |_| PolicyOrigin::Inline);
        identity.extend(managed_sources(&r.attached, &managed, &mut missing, || {
            PolicyOrigin::Managed
        }));
        let boundary = boundary_source(r.boundary.as_deref(), &managed, &mut missing);
        principal(
            PrincipalKind::Role,
            a,
            &r.name,
            &r.arn,
            &r.path,
            identity,
            boundary,
            missing,
            Vec::new(),
            r.last_used.clone(),
            catalog,
        )
    });
    let mut principals: Vec<PrincipalPermissions> = users.chain(roles).collect();
    principals.sort_by(|x, y| (x.kind, &x.arn).cmp(&(y.kind, &y.arn)));
    AccountPermissions {
        account_id: a.account_id.clone(),
        principals,
    }
}

#[allow(clippy::too_many_arguments)]
fn principal(
    kind: PrincipalKind,
    a: &AccountAuthz,
    name: &str,
    arn: &str,
    path: &str,
    identity: Vec<(PolicySource, Arc<CompiledPolicy>)>,
    boundary: Option<(PolicySource, Arc<CompiledPolicy>)>,
    mut missing: Vec<String>,
    missing_groups: Vec<String>,
    last_used: Option<String>,
    catalog: &ActionCatalog,
) -> PrincipalPermissions {
    let mut fallback_policies: Vec<String> = identity
        .iter()
        .chain(&boundary)
        .filter(|(s, _)| s.fallback)
        .filter_map(|(s, _)| s.arn.clone())
        .collect();
    fallback_policies.sort();
    fallback_policies.dedup();
    missing.sort();
    missing.dedup();
    PrincipalPermissions {
        kind,
        account_id: a.account_id.clone(),
        name: name.to_string(),
        arn: arn.to_string(),
        path: path.to_string(),
        permissions: Permissions::new(identity, boundary, catalog),
        missing_policies: missing,
        fallback_policies,
        missing_groups,
        last_used,
    }
}

fn inline_sources(
    list: &[InlinePolicy],
    catalog: &ActionCatalog,
    origin: impl Fn(&InlinePolicy) -> PolicyOrigin,
) -> Vec<(PolicySource, Arc<CompiledPolicy>)> {
    list.iter()
        .map(|p| {
            let src = PolicySource {
                origin: origin(p),
                name: p.name.clone(),
                arn: None,
                fallback: false,
            };
            (src, Arc::new(CompiledPolicy::compile(&p.document, catalog)))
        })
        .collect()
}

fn managed_sources(
    list: &[AttachedPolicy],
    managed: &HashMap<&str, ManagedEntry>,
    missing: &mut Vec<String>,
    origin: impl Fn() -> PolicyOrigin,
) -> Vec<(PolicySource, Arc<CompiledPolicy>)> {
    let mut out = Vec::new();
    for p in list {
        match managed.get(p.arn.as_str()) {
            Some(ManagedEntry {
                compiled: Some(c),
                name,
                fallback,
            }) => out.push((
                PolicySource {
                    origin: origin(),
                    name: name.clone(),
                    arn: Some(p.arn.clone()),
                    fallback: *fallback,
                },
                c.clone(),
            )),
            _ => missing.push(p.arn.clone()),
        }
    }
    out
}

fn boundary_source(
    arn: Option<&str>,
    managed: &HashMap<&str, ManagedEntry>,
    missing: &mut Vec<String>,
) -> Option<(PolicySource, Arc<CompiledPolicy>)> {
    let arn = arn?;
    match managed.get(arn) {
        Some(ManagedEntry {
            compiled: Some(c),
            name,
            fallback,
        }) => Some((
            PolicySource {
                origin: PolicyOrigin::Boundary,
                name: name.clone(),
                arn: Some(arn.to_string()),
                fallback: *fallback,
            },
            c.clone(),
        )),
        _ => {
            missing.push(arn.to_string());
            None
        }
    }
}
