//! Privilege usage: privileges as granted (from `aws iam
//! get-account-authorization-details`) against what CloudTrail shows was
//! used, per principal and per actor sharing it (an agent and its person on
//! one SSO role), with admin-equivalence and high-risk unused rights; the
//! privilege tier of every principal (`Tiers`) for the comparison at equal
//! privilege.

use crate::privileges::actions::action_catalog;
use crate::privileges::admin::assess_admin;
use crate::privileges::aggregate::{UsageAggregator, UsageOptions};
use crate::privileges::authz::{merge_authz, read_authz_file};
use crate::privileges::eval::{AccountPermissions, evaluate_authz};
use crate::privileges::principals::{PermissionsIndex, Resolved};
use crate::privileges::usage::{IamStatus, usage_report};
use crate::schema::{attribution, events};
use crate::workspace::Workspace;
use anyhow::Result;
use polars::prelude::*;
use std::path::PathBuf;

/// Reads and evaluates IAM data files (none: no accounts), with the
/// readers' warnings.
pub fn evaluate(files: &[PathBuf]) -> Result<(Vec<AccountPermissions>, Vec<String>)> {
    let catalog = action_catalog()?;
    let fragments = files
        .iter()
        .map(|p| read_authz_file(p))
        .collect::<Result<Vec<_>>>()?;
    let set = merge_authz(fragments);
    let warnings = set
        .warnings
        .iter()
        .chain(set.accounts.iter().flat_map(|x| x.warnings.iter()))
        .cloned()
        .collect();
    Ok((evaluate_authz(&set, catalog), warnings))
}

/// A principal's privilege tier, for the comparison at equal privilege.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Admin,
    NotAdmin,
    Unknown,
}

impl Tier {
    pub fn label(self) -> &'static str {
        match self {
            Tier::Admin => "admin-equivalent",
            Tier::NotAdmin => "not admin-equivalent",
            Tier::Unknown => "unknown (no IAM data)",
        }
    }
}

/// Privilege tiers of CloudTrail principal ARNs: admin-equivalent (root,
/// or a route of `privileges::admin` holds), not, or unknown (the IAM data
/// does not have the principal).
pub struct Tiers<'a> {
    index: PermissionsIndex<'a>,
    cache: std::collections::HashMap<String, Tier>,
}

impl<'a> Tiers<'a> {
    /// Every principal looked up so far, with its tier.
    pub fn into_map(self) -> std::collections::BTreeMap<String, Tier> {
        self.cache.into_iter().collect()
    }

    pub fn new(accounts: &'a [AccountPermissions]) -> Tiers<'a> {
        Tiers {
            index: PermissionsIndex::new(accounts),
            cache: Default::default(),
        }
    }

    pub fn of(&mut self, principal_arn: Option<&str>) -> Result<Tier> {
        let Some(arn) = principal_arn else {
            return Ok(Tier::Unknown);
        };
        if let Some(t) = self.cache.get(arn) {
            return Ok(*t);
        }
        let t = match self.index.resolve(arn) {
            Resolved::Root { .. } => Tier::Admin,
            Resolved::NotFound { .. } => Tier::Unknown,
            Resolved::Principal(p) => {
                if assess_admin(&p.permissions, action_catalog()?).is_admin() {
                    Tier::Admin
                } else {
                    Tier::NotAdmin
                }
            }
        };
        self.cache.insert(arn.to_string(), t);
        Ok(t)
    }
}

/// Granted vs used, per principal and per actor on it.
pub struct Table {
    pub frame: DataFrame,
    /// AI agents acting with admin-equivalent rights, as sentences.
    pub findings: Vec<String>,
    /// Problems the IAM data readers met.
    pub warnings: Vec<String>,
    pub report: crate::privileges::usage::UsageReport,
}

/// Computes the privileges table over `window` with the IAM data in `iam`
/// (none: only use is known).
pub fn table(data: &Workspace, window: crate::sql::TimeWindow, iam: &[PathBuf]) -> Result<Table> {
    let catalog = action_catalog()?;
    let (accounts, warnings) = evaluate(iam)?;
    // Successful calls, by principal and actor (kind:name).
    let mut cx = data.sql(window)?;
    let used = crate::sql::run(
        &mut cx,
        &format!(
            "SELECT {p}, {k}, {a}, {i}, {r} FROM events WHERE {e} IS NULL AND {p} IS NOT NULL AND {i} IS NOT NULL",
            p = events::PRINCIPAL_ARN,
            k = attribution::ACTOR_KIND,
            a = attribution::ACTOR,
            i = events::IAM_ACTION,
            r = events::RESOURCES,
            e = events::ERROR_CODE
        ),
    )?;
    let mut agg = UsageAggregator::new(UsageOptions::default());
    let p = used.column(events::PRINCIPAL_ARN)?.str()?;
    let k = used.column(attribution::ACTOR_KIND)?.str()?;
    let actor = used.column(attribution::ACTOR)?.str()?;
    let action = used.column(events::IAM_ACTION)?.str()?;
    let resources = crate::sql::string_lists(&used, events::RESOURCES)?;
    for (i, arns) in resources.iter().enumerate() {
        let who = match (k.get(i), actor.get(i)) {
            (Some(k), Some(a)) => Some(format!("{k}:{a}")),
            _ => None,
        };
        agg.add(
            p.get(i).unwrap_or(""),
            who.as_deref(),
            action.get(i).unwrap_or(""),
            arns.iter().map(String::as_str),
            1,
        );
    }
    let report = usage_report(&agg, &accounts, catalog);
    let mut findings = Vec::new();
    let (mut c_principal, mut c_kind, mut c_actor, mut c_status) = (vec![], vec![], vec![], vec![]);
    let (
        mut c_calls,
        mut c_used,
        mut c_granted,
        mut c_ung,
        mut c_share,
        mut c_hr,
        mut c_admin,
        mut c_reason,
    ) = (
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
    );
    for row in &report.rows {
        let (kind, name) = match row.actor.as_deref().and_then(|x| x.split_once(':')) {
            Some((k, n)) => (Some(k.to_string()), Some(n.to_string())),
            None => (None, None),
        };
        let admin = row.admin.as_ref().is_some_and(|x| x.is_admin());
        let reason = row.admin.as_ref().and_then(|x| x.reason());
        if admin && kind.as_deref() == Some("ai") {
            findings.push(format!(
                "AI agent {} acts with admin-equivalent rights through {} ({})",
                name.as_deref().unwrap_or("?"),
                row.principal,
                reason.as_deref().unwrap_or("admin")
            ));
        }
        c_principal.push(row.principal.clone());
        c_kind.push(kind);
        c_actor.push(name);
        c_status.push(match &row.iam {
            IamStatus::Matched { .. } => "matched".to_string(),
            IamStatus::Root { .. } => "root".to_string(),
            IamStatus::NotFound { reason } => format!("not found: {reason}"),
        });
        c_calls.push(row.calls);
        c_used.push(row.used as u64);
        c_granted.push(row.granted.map(|g| g as u64));
        c_ung.push(row.used_not_granted as u64);
        c_share.push(row.unused_share.map(|s| (s * 1000.0).round() / 1000.0));
        c_hr.push(
            row.high_risk_unused
                .as_ref()
                .map(|_| row.high_risk_unused_count() as u64),
        );
        c_admin.push(admin);
        c_reason.push(reason);
    }
    let n = c_principal.len();
    let df = DataFrame::new(
        n,
        vec![
            Column::new("principal".into(), c_principal),
            Column::new("actor_kind".into(), c_kind),
            Column::new("actor".into(), c_actor),
            Column::new("iam".into(), c_status),
            Column::new("calls".into(), c_calls),
            Column::new("used_actions".into(), c_used),
            Column::new("granted_actions".into(), c_granted),
            Column::new("used_not_granted".into(), c_ung),
            Column::new("unused_share".into(), c_share),
            Column::new("high_risk_unused".into(), c_hr),
            Column::new("admin_equivalent".into(), c_admin),
            Column::new("admin_reason".into(), c_reason),
        ],
    )?;
    Ok(Table {
        frame: df,
        findings,
        warnings,
        report,
    })
}
