//! Granted versus used, per principal and per actor sharing a principal.
//!
//! Input: [`UsedAction`] records (or pre-counted rows) fed to a
//! [`UsageAggregator`]; the evaluated IAM data ([`AccountPermissions`]).
//! Each principal ARN CloudTrail recorded is resolved to its IAM user or
//! role ([`super::principals`]: sessions map to their role, SSO roles by
//! name), and the report gives, for the principal as a whole and for each
//! actor within it (the agent vs the human on one SSO role):
//!
//! - `granted`: catalog actions its identity policies grant (see
//!   [`super::eval`] for the conservative reading of resources and
//!   conditions), `used`: distinct actions seen, and the unused share
//!   `(granted − used∩granted) / granted`;
//! - high-risk granted-but-unused: access level Write or Permissions
//!   management, or destructive per the destructive catalog;
//! - used-but-not-granted: what CloudTrail saw that the policy data cannot
//!   explain (resource-based policies, a principal or policy missing from
//!   the data, data newer than the IAM snapshot, an action name the catalog
//!   lacks);
//! - a per-service breakdown and the admin assessment.
//!
//! Feed only calls that succeeded: a denied attempt is not use. What
//! CloudTrail cannot show ([`CLOUDTRAIL_LIMITS`]) bounds every "unused".

use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};

use super::actions::{ActionCatalog, ActionId, ActionSet};
use super::admin::{AdminAssessment, AdminRoute, AdminVerdict, assess_admin};
use super::aggregate::IdBuild;
pub use super::aggregate::{UsageAggregator, UsageOptions, UsedAction};
use super::eval::{AccountPermissions, Grant, Permissions, PrincipalKind};
use super::policy::PolicyDocument;
use super::principals::{PermissionsIndex, Resolved};

/// What the report cannot see, for the report's footnote.
pub const CLOUDTRAIL_LIMITS: &str = "\"Unused\" means not seen in the CloudTrail \
    events analysed. CloudTrail does not log every action (some read-only and \
    data-plane calls are never logged), data events (S3 object, Lambda invoke, \
    DynamoDB item calls) appear only when a trail or event data store enables \
    them, and the window analysed may miss rare but needed tasks (yearly \
    rotations, disaster recovery).";

/// How a principal relates to the IAM data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IamStatus {
    /// Found; its policies were evaluated.
    Matched {
        kind: PrincipalKind,
        account_id: String,
    },
    /// The account's root user: every action.
    Root { account_id: String },
    /// Not in the data; nothing is known to be granted.
    NotFound { reason: &'static str },
}

/// One action a principal (or actor) used.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionUse {
    /// As the catalog spells it, else as first seen.
    pub action: String,
    /// Catalog index; `None` for names the catalog lacks.
    pub id: Option<ActionId>,
    pub calls: u64,
    /// Calls whose event named no resource ARN.
    pub calls_without_resource: u64,
    /// Distinct resource ARNs seen, sorted.
    pub resources: Vec<String>,
    /// More resources were seen than kept.
    pub resources_truncated: bool,
    /// How the principal's policies grant it; `None`: not granted.
    pub grant: Option<Grant>,
}

/// One service's numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceUsage {
    pub service: String,
    pub granted: usize,
    pub used: usize,
    pub used_granted: usize,
    pub high_risk_unused: usize,
}

/// The numbers for one principal, or one actor within it.
#[derive(Debug, Clone)]
pub struct PrincipalUsage {
    /// The IAM principal's ARN (with its path) when matched; else the role
    /// ARN derived from a session, or the ARN as recorded.
    pub principal: String,
    /// `None`: every call of the principal; `Some`: one actor's calls.
    pub actor: Option<String>,
    /// Principal ARNs as recorded (sessions), sorted, at most 20.
    pub seen_arns: Vec<String>,
    pub seen_arns_total: usize,
    pub iam: IamStatus,
    pub calls: u64,
    /// Every used action, sorted by lower-cased name.
    pub actions: Vec<ActionUse>,
    /// Distinct actions used.
    pub used: usize,
    /// Catalog actions granted; `None` when not matched.
    pub granted: Option<usize>,
    /// Used actions that are granted.
    pub used_granted: usize,
    /// Used actions the policy data does not grant.
    pub used_not_granted: usize,
    /// Share of granted actions never used; `None` when nothing is granted.
    pub unused_share: Option<f64>,
    /// High-risk actions granted and never used.
    pub high_risk_unused: Option<ActionSet>,
    /// Services granted or used, by prefix.
    pub by_service: Vec<ServiceUsage>,
    /// `None` when not matched.
    pub admin: Option<AdminAssessment>,
}

impl PrincipalUsage {
    /// Used actions the policy data does not explain.
    pub fn used_not_granted_actions(&self) -> impl Iterator<Item = &ActionUse> {
        self.actions.iter().filter(|a| a.grant.is_none())
    }

    /// Number of high-risk granted-but-unused actions.
    pub fn high_risk_unused_count(&self) -> usize {
        self.high_risk_unused.as_ref().map_or(0, ActionSet::count)
    }
}

/// The whole report; rows sorted by principal, the all-actors row first.
#[derive(Debug, Clone)]
pub struct UsageReport {
    pub rows: Vec<PrincipalUsage>,
    /// Rows fed to the aggregator, and those skipped (no principal/action).
    pub records: u64,
    pub skipped_records: u64,
    pub calls: u64,
}

struct Group<'a> {
    permissions: Option<&'a Permissions>,
    admin: Option<AdminAssessment>,
    iam: IamStatus,
    cells: Vec<u32>,
    /// (actor, recorded principal ARN id).
    seen: Vec<(u32, u32)>,
}

/// Joins the aggregated use with the evaluated IAM data.
pub fn usage_report(
    agg: &UsageAggregator,
    accounts: &[AccountPermissions],
    catalog: &ActionCatalog,
) -> UsageReport {
    let index = PermissionsIndex::new(accounts);
    let root_permissions = Permissions::from_documents(&[root_document()], None, catalog);
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    let mut group_of = Vec::with_capacity(agg.groups.len());
    for gid in 0..agg.groups.len() as u32 {
        let arn = agg.groups.name(gid);
        let (key, group) = match index.resolve(arn) {
            Resolved::Principal(p) => (
                p.arn.clone(),
                matched(&p.permissions, p.kind, &p.account_id),
            ),
            Resolved::Root { account } => (arn.to_string(), root_group(&root_permissions, account)),
            Resolved::NotFound { key, reason } => (
                key,
                Group {
                    permissions: None,
                    admin: None,
                    iam: IamStatus::NotFound { reason },
                    cells: Vec::new(),
                    seen: Vec::new(),
                },
            ),
        };
        groups.entry(key.clone()).or_insert(group);
        group_of.push(key);
    }
    if agg.options.include_idle_principals {
        for p in index.principals() {
            if !groups.contains_key(&p.arn) {
                groups.insert(
                    p.arn.clone(),
                    matched(&p.permissions, p.kind, &p.account_id),
                );
            }
        }
    }
    let mut key_index: HashMap<&str, usize> = HashMap::new();
    let mut groups: Vec<(String, Group)> = groups.into_iter().collect();
    for (i, (k, _)) in groups.iter().enumerate() {
        key_index.insert(k.as_str(), i);
    }
    let slot: Vec<usize> = group_of.iter().map(|k| key_index[k.as_str()]).collect();
    for (ci, c) in agg.cells.iter().enumerate() {
        groups[slot[c.group as usize]].1.cells.push(ci as u32);
    }
    for &(g, actor, pid) in &agg.seen {
        groups[slot[g as usize]].1.seen.push((actor, pid));
    }
    let (res_offsets, res_ids) = agg.resource_index();
    // One key per action whatever its spelling: the catalog id, or past the
    // catalog's end an index into the lower-cased unknown names.
    let mut unknown: Vec<(String, String)> = Vec::new();
    let mut unknown_index: HashMap<String, u32> = HashMap::new();
    let action_key: Vec<u32> = (0..agg.actions.len() as u32)
        .map(|x| {
            let raw = agg.actions.name(x);
            catalog.id(raw).unwrap_or_else(|| {
                let lower = raw.to_ascii_lowercase();
                let next = unknown.len() as u32;
                let i = *unknown_index.entry(lower.clone()).or_insert(next);
                if i == next {
                    unknown.push((lower, raw.to_string()));
                }
                catalog.len() as u32 + i
            })
        })
        .collect();
    let ctx = RowContext {
        agg,
        catalog,
        res_offsets: &res_offsets,
        res_ids: &res_ids,
        action_key: &action_key,
        unknown: &unknown,
    };
    let rows: Vec<PrincipalUsage> = groups
        .par_iter()
        .flat_map_iter(|(key, g)| {
            let mut actors: BTreeMap<&str, (u32, Vec<u32>)> = BTreeMap::new();
            for &ci in &g.cells {
                let a = agg.cells[ci as usize].actor;
                if a != 0 {
                    actors
                        .entry(agg.actors.name(a - 1))
                        .or_insert((a, Vec::new()))
                        .1
                        .push(ci);
                }
            }
            let admin = g
                .admin
                .clone()
                .or_else(|| g.permissions.map(|p| assess_admin(p, catalog)));
            let all_seen: Vec<u32> = g.seen.iter().map(|s| s.1).collect();
            let mut out = vec![ctx.row(key, None, g, &admin, &g.cells, all_seen)];
            out.extend(actors.into_iter().map(|(actor, (a, cells))| {
                let seen = g.seen.iter().filter(|s| s.0 == a).map(|s| s.1).collect();
                ctx.row(key, Some(actor), g, &admin, &cells, seen)
            }));
            out
        })
        .collect();
    let calls = agg.cells.iter().map(|c| c.calls).sum();
    UsageReport {
        rows,
        records: agg.records(),
        skipped_records: agg.skipped(),
        calls,
    }
}

fn matched<'a>(p: &'a Permissions, kind: PrincipalKind, account: &str) -> Group<'a> {
    Group {
        permissions: Some(p),
        admin: None,
        iam: IamStatus::Matched {
            kind,
            account_id: account.to_string(),
        },
        cells: Vec::new(),
        seen: Vec::new(),
    }
}

fn root_group(p: &Permissions, account_id: String) -> Group<'_> {
    Group {
        permissions: Some(p),
        admin: Some(AdminAssessment {
            routes: vec![AdminVerdict {
                route: AdminRoute::AllActions,
                actions: vec!["*".to_string()],
                policies: vec!["root user (implicit)".to_string()],
            }],
            ..AdminAssessment::default()
        }),
        iam: IamStatus::Root { account_id },
        cells: Vec::new(),
        seen: Vec::new(),
    }
}

fn root_document() -> PolicyDocument {
    PolicyDocument {
        version: None,
        statements: vec![super::policy::Statement {
            sid: None,
            effect: super::policy::Effect::Allow,
            actions: super::policy::ActionSpec::Action(vec!["*".to_string()]),
            resources: super::policy::ResourceSpec::Resource(vec!["*".to_string()]),
            principal: None,
            not_principal: None,
            condition: None,
        }],
    }
}

struct RowContext<'a> {
    agg: &'a UsageAggregator,
    catalog: &'a ActionCatalog,
    res_offsets: &'a [usize],
    res_ids: &'a [u32],
    action_key: &'a [u32],
    /// (lower-cased, as first seen) for names the catalog lacks.
    unknown: &'a [(String, String)],
}

#[derive(Default)]
struct Acc {
    calls: u64,
    calls_without_resource: u64,
    resources: Vec<u32>,
    truncated: bool,
}

impl RowContext<'_> {
    fn lower(&self, key: u32) -> &str {
        match self.catalog.len() as u32 {
            n if key < n => self.catalog.lower(key),
            n => &self.unknown[(key - n) as usize].0,
        }
    }

    fn row(
        &self,
        key: &str,
        actor: Option<&str>,
        g: &Group,
        admin: &Option<AdminAssessment>,
        cells: &[u32],
        mut seen_ids: Vec<u32>,
    ) -> PrincipalUsage {
        let (agg, cat) = (self.agg, self.catalog);
        let max = agg.options.max_resources_per_action;
        let mut by_key: HashMap<u32, Acc, IdBuild> = HashMap::default();
        let mut calls = 0;
        for &ci in cells {
            let c = &agg.cells[ci as usize];
            calls += c.calls;
            let acc = by_key
                .entry(self.action_key[c.action as usize])
                .or_default();
            acc.calls += c.calls;
            acc.calls_without_resource += c.calls_without_resource;
            acc.truncated |= c.truncated;
            let ci = ci as usize;
            acc.resources
                .extend_from_slice(&self.res_ids[self.res_offsets[ci]..self.res_offsets[ci + 1]]);
        }
        seen_ids.sort_unstable();
        seen_ids.dedup();
        let mut seen: Vec<&str> = seen_ids.iter().map(|&p| agg.principals.name(p)).collect();
        seen.sort_unstable();
        let mut accs: Vec<(u32, Acc)> = by_key.into_iter().collect();
        accs.sort_unstable_by(|a, b| self.lower(a.0).cmp(self.lower(b.0)));
        let perms = g.permissions;
        let mut used_set = cat.empty_set();
        let mut extra_prefixes: BTreeMap<String, usize> = BTreeMap::new();
        let n = cat.len() as u32;
        let actions: Vec<ActionUse> = accs
            .into_iter()
            .map(|(k, mut a)| {
                let (id, action) = if k < n {
                    used_set.insert(k);
                    (Some(k), cat.name(k).to_string())
                } else {
                    let (lower, raw) = &self.unknown[(k - n) as usize];
                    let prefix = lower.split(':').next().unwrap_or_default().to_string();
                    *extra_prefixes.entry(prefix).or_default() += 1;
                    (None, raw.clone())
                };
                a.resources.sort_unstable();
                a.resources.dedup();
                if a.resources.len() > max {
                    a.resources.truncate(max);
                    a.truncated = true;
                }
                let mut resources: Vec<String> = a
                    .resources
                    .iter()
                    .map(|&r| agg.resources.name(r).to_string())
                    .collect();
                resources.sort_unstable();
                ActionUse {
                    grant: perms.and_then(|p| match id {
                        Some(id) => p.grant(id),
                        None => p.grant_for_name(&action, cat),
                    }),
                    action,
                    id,
                    calls: a.calls,
                    calls_without_resource: a.calls_without_resource,
                    resources,
                    resources_truncated: a.truncated,
                }
            })
            .collect();
        let used = actions.len();
        let used_granted = actions.iter().filter(|a| a.grant.is_some()).count();
        let empty = cat.empty_set();
        let granted_set = perms.map_or(&empty, |p| p.granted());
        let mut used_and_granted = used_set.clone();
        used_and_granted.intersect_with(granted_set);
        let high_risk_unused = perms.map(|p| {
            let mut s = p.granted().clone();
            s.intersect_with(cat.high_risk());
            s.difference_with(&used_set);
            s
        });
        let granted = perms.map(|p| p.granted().count());
        let unused_share = granted
            .filter(|&n| n > 0)
            .map(|n| (n - used_and_granted.count()) as f64 / n as f64);
        let mut by_service = Vec::new();
        for svc in cat.services() {
            let (s, e) = (svc.start, svc.end);
            let su = ServiceUsage {
                service: svc.prefix.clone(),
                granted: granted_set.count_range(s, e),
                used: used_set.count_range(s, e) + extra_prefixes.remove(&svc.prefix).unwrap_or(0),
                used_granted: used_and_granted.count_range(s, e),
                high_risk_unused: high_risk_unused.as_ref().map_or(0, |h| h.count_range(s, e)),
            };
            if su.granted > 0 || su.used > 0 {
                by_service.push(su);
            }
        }
        by_service.extend(
            extra_prefixes
                .into_iter()
                .map(|(service, used)| ServiceUsage {
                    service,
                    granted: 0,
                    used,
                    used_granted: 0,
                    high_risk_unused: 0,
                }),
        );
        by_service.sort_by(|a, b| a.service.cmp(&b.service));
        PrincipalUsage {
            principal: key.to_string(),
            actor: actor.map(str::to_string),
            seen_arns_total: seen.len(),
            seen_arns: seen.into_iter().take(20).map(str::to_string).collect(),
            iam: g.iam.clone(),
            calls,
            used,
            used_granted,
            used_not_granted: used - used_granted,
            granted,
            unused_share,
            high_risk_unused,
            by_service,
            admin: admin.clone(),
            actions,
        }
    }
}
