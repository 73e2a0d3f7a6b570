//! Explainable anomaly detectors per actor. Each detector is a small module
//! whose doc comment says what it finds, why it matters, how, with which
//! thresholds, and where it errs; each finding carries its evidence (event
//! ids), a documented score and one sentence with the numbers. No learned
//! or opaque scores.
//!
//! Input is `Activity`, one row per CloudTrail event with its attribution,
//! in any order. An *actor* is the triple (actor_kind, actor, operator), so
//! two people's copies of the same agent are two actors. Only events inside
//! `Scope::analysed` produce findings; events in `Scope::baseline` (and
//! earlier events of the analysed window, where a detector says so) are
//! history. Events outside both windows are ignored.
//!
//! `detect` is deterministic: rows are read per actor in (time, event id)
//! order, detectors run in parallel but the findings are sorted at the end
//! (severity desc, score desc, window start, finding id), so row order and
//! thread count do not change the output.

mod ctx;
mod finding;
mod names;

mod thresholds;

mod delete_then_recreate;
mod first_seen;
mod iam_escalation;
mod mass_deletion;
mod off_hours;
mod permission_probing;
mod rare_for_actor;
mod security_tampering;
mod spikes;
mod unapproved_destructive_ai;

#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;

pub use crate::str_col::StrCol;
pub use finding::{Finding, Severity, finding_id};
pub use names::{name_from_arn, target_names};
pub use thresholds::{
    DEFAULT_TOML, DeleteThenRecreate, FirstSeen, IamEscalation, MassDeletion, OffHours,
    PermissionProbing, Rare, SecurityTampering, Spikes, Thresholds, UnapprovedDestructiveAi,
};

use rayon::prelude::*;

/// One row per CloudTrail event, any order; every column has one entry per
/// row.
#[derive(Default, Clone, Debug)]
pub struct Activity {
    pub event_id: StrCol,
    /// event_time, µs since the Unix epoch, UTC.
    pub time_us: Vec<i64>,
    /// "ai" | "human" | "service" | "automation" | "unknown".
    pub actor_kind: StrCol,
    /// e.g. "claude-code:alice", "alice", "arn:aws:iam::…:role/x".
    pub actor: StrCol,
    /// The person behind an agent (or the human themselves); may be null.
    pub operator: StrCol,
    /// Null for non-agent events.
    pub agent_session_id: StrCol,
    pub tool_call_id: StrCol,
    /// The action (one decision: a tool call, a command, a stack operation
    /// with its cascade) the event belongs to; the attribution's `action_id`.
    pub action_id: StrCol,
    pub account_id: StrCol,
    pub aws_region: StrCol,
    /// "s3.amazonaws.com".
    pub event_source: StrCol,
    /// "DeleteBucket".
    pub event_name: StrCol,
    /// "s3:DeleteBucket".
    pub iam_action: StrCol,
    pub source_ip: StrCol,
    pub read_only: Vec<Option<bool>>,
    pub error_code: StrCol,
    /// Successful destructive call per the catalog.
    pub destructive: Vec<bool>,
    /// Destructive severity: "low" | "medium" | "high" | "critical" or null.
    pub severity: StrCol,
    /// The attribution's approval state: "approved" | "auto_approved" |
    /// "rejected" | "unknown" (agents' events) or null.
    pub approval: StrCol,
    /// For "auto_approved": the rule or mode that let the call run.
    pub approval_rule: StrCol,
    pub human_last_spoke_secs: Vec<Option<i64>>,
    /// requestParameters as JSON text.
    pub request_parameters: Vec<Option<Box<str>>>,
    /// ARNs from resources[].
    pub resources: Vec<Vec<Box<str>>>,
    /// Times a person was demonstrably active: (operator name, time_us):
    /// their own human-attributed events and their prompts in agent
    /// transcripts.
    pub operator_marks: Vec<(Box<str>, i64)>,
}

impl Activity {
    /// The number of rows, or which column disagrees with `time_us`.
    pub fn rows(&self) -> Result<usize, String> {
        let n = self.time_us.len();
        let lens = [
            ("event_id", self.event_id.len()),
            ("actor_kind", self.actor_kind.len()),
            ("actor", self.actor.len()),
            ("operator", self.operator.len()),
            ("agent_session_id", self.agent_session_id.len()),
            ("tool_call_id", self.tool_call_id.len()),
            ("action_id", self.action_id.len()),
            ("account_id", self.account_id.len()),
            ("aws_region", self.aws_region.len()),
            ("event_source", self.event_source.len()),
            ("event_name", self.event_name.len()),
            ("iam_action", self.iam_action.len()),
            ("source_ip", self.source_ip.len()),
            ("read_only", self.read_only.len()),
            ("error_code", self.error_code.len()),
            ("destructive", self.destructive.len()),
            ("severity", self.severity.len()),
            ("approval", self.approval.len()),
            ("approval_rule", self.approval_rule.len()),
            ("human_last_spoke_secs", self.human_last_spoke_secs.len()),
            ("request_parameters", self.request_parameters.len()),
            ("resources", self.resources.len()),
        ];
        match lens.iter().find(|(_, l)| *l != n) {
            Some((name, l)) => Err(format!(
                "activity column {name} has {l} rows, time_us has {n}"
            )),
            None => Ok(n),
        }
    }
}

/// A half-open time range, µs since the epoch, UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub since_us: i64,
    pub until_us: i64,
}

impl Window {
    pub fn contains(&self, t: i64) -> bool {
        self.since_us <= t && t < self.until_us
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scope {
    /// Events here produce findings.
    pub analysed: Window,
    /// History only.
    pub baseline: Window,
}

pub const US_PER_MIN: i64 = 60_000_000;
pub const US_PER_HOUR: i64 = 60 * US_PER_MIN;
pub const US_PER_DAY: i64 = 24 * US_PER_HOUR;

impl Scope {
    /// The baseline is the `baseline_days` before the analysed window.
    pub fn new(analysed: Window, thresholds: &Thresholds) -> Scope {
        let days = i64::from(thresholds.baseline_days);
        Scope {
            analysed,
            baseline: Window {
                since_us: analysed.since_us.saturating_sub(days * US_PER_DAY),
                until_us: analysed.since_us,
            },
        }
    }
}

/// The detectors, in documentation order.
pub const DETECTORS: &[&str] = &[
    first_seen::NAME,
    rare_for_actor::NAME,
    spikes::VOLUME,
    spikes::ERRORS,
    mass_deletion::NAME,
    delete_then_recreate::NAME,
    permission_probing::NAME,
    security_tampering::NAME,
    iam_escalation::NAME,
    unapproved_destructive_ai::NAME,
    off_hours::NAME,
];

type Detector = fn(&ctx::Ctx) -> Vec<Finding>;

/// Runs every enabled detector; findings in report order.
///
/// Panics if `activity`'s columns differ in length (a wiring mistake, not
/// bad input; `Activity::rows` says which).
pub fn detect(activity: &Activity, scope: &Scope, t: &Thresholds) -> Vec<Finding> {
    if let Err(e) = activity.rows() {
        panic!("{e}");
    }
    let cx = ctx::Ctx::new(activity, scope, t);
    let s = &t.spikes;
    let runs: [(bool, Detector); 10] = [
        (t.first_seen.enabled, first_seen::run),
        (t.rare.enabled, rare_for_actor::run),
        (s.enabled && (s.volume || s.errors), spikes::run),
        (t.mass_deletion.enabled, mass_deletion::run),
        (t.delete_then_recreate.enabled, delete_then_recreate::run),
        (t.permission_probing.enabled, permission_probing::run),
        (t.security_tampering.enabled, security_tampering::run),
        (t.iam_escalation.enabled, iam_escalation::run),
        (
            t.unapproved_destructive_ai.enabled,
            unapproved_destructive_ai::run,
        ),
        (t.off_hours.enabled, off_hours::run),
    ];
    let mut out: Vec<Finding> = runs
        .par_iter()
        .filter(|(on, _)| *on)
        .flat_map_iter(|(_, run)| run(&cx))
        .collect();
    out.par_sort_by(finding::report_order);
    out
}
