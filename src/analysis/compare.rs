//! The comparison: do AI actions cause more incidents than human ones?
//!
//! Incidents are linked to their causes (`incidents`); each incident with a
//! traced cause counts for the actor kind of its best-ranked cause.
//! Exposure comes from `queries/compare_cells.sql`, cells per actor kind,
//! actor, agent session, principal and day, summed here per side, per
//! privilege tier (the comparison at equal privilege, `stats::mh`), per
//! session (the clustered bootstrap, `stats::bootstrap`) and per ISO week
//! (the trend). The unit is the action (`attribution::actions`: one
//! decision with every API call it caused), so a fan-out command or a
//! CloudFormation cascade is one trial, not hundreds; API-call counts are
//! kept beside them as a detail. The headline is the rate per 1,000 write
//! actions with its exact interval and p-value (`stats::rates`); the
//! verdict sentence is chosen by rule from those numbers. Calls inside one
//! session are still not independent: the session bootstrap resamples
//! whole sessions.

use super::bursts::{BurstRule, bursts};
use super::privilege_usage::{Tier, Tiers};
use crate::output::escape_controls;
use crate::stats::bootstrap::{BootstrapOptions, BootstrapView, Cluster, cluster_bootstrap};
use crate::stats::mh::{MantelHaenszel, MhOptions, Stratum, mantel_haenszel};
use crate::stats::proportions::{
    ProportionComparison, ProportionOptions, Trials, compare_proportions, wilson,
};
use crate::stats::rates::{Phrasing, RateComparison, RateOptions, compare_rates};
use crate::stats::{Counts, Group, Interval, StatsError};
use crate::workspace::Workspace;
use anyhow::Result;
use polars::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const CELLS_SQL: &str = include_str!("../../queries/compare_cells.sql");

#[cfg(test)]
mod calibration;

/// One side's exposure and outcomes. The unit is the action (one decision
/// with every API call it caused: `attribution::actions`); the API-call
/// counts are kept as a detail.
#[derive(Default, Clone, Copy, Debug, Serialize, PartialEq)]
pub struct Side {
    pub actions: u64,
    /// Actions with a successful write call: the incident-rate exposure.
    pub write_actions: u64,
    /// Actions with a successful destructive call.
    pub destructive_actions: u64,
    /// Destructive actions that are also write actions (the destructive
    /// share's numerator).
    pub destructive_write_actions: u64,
    /// Actions with an access-denied error.
    pub denied_actions: u64,
    /// Destructive actions whose approval is not `approved` on record.
    pub destructive_unapproved: u64,
    /// Destructive actions by approval state (agents' only; zero for people).
    pub destructive_approval: ApprovalCounts,
    /// API calls (a detail: one action may be hundreds of calls).
    pub calls: u64,
    /// Successful write API calls.
    pub writes: u64,
    /// Successful destructive API calls.
    pub destructive: u64,
    pub errors: u64,
    /// Access-denied API calls.
    pub denied: u64,
    pub actor_days: u64,
    /// Agent transcript sessions for AI (actor-days where an AI call has no
    /// session); working days (actor-days) for people.
    pub sessions: u64,
    pub mass_deletion_bursts: u64,
    pub incidents: u64,
}

impl Side {
    fn add(&mut self, c: &Cell) {
        self.actions += c.actions;
        self.write_actions += c.write_actions;
        self.destructive_actions += c.destructive_actions;
        self.destructive_write_actions += c.destructive_write_actions;
        self.denied_actions += c.denied_actions;
        self.destructive_unapproved +=
            c.approval.auto_approved + c.approval.rejected + c.approval.unknown;
        self.destructive_approval.add(&c.approval);
        self.calls += c.calls;
        self.writes += c.writes;
        self.destructive += c.destructive;
        self.errors += c.errors;
        self.denied += c.denied;
    }
}

/// Where the incidents went.
#[derive(Default, Clone, Copy, Debug, Serialize)]
pub struct IncidentCounts {
    pub total: u64,
    pub traced_to_ai: u64,
    pub traced_to_human: u64,
    pub traced_to_other: u64,
    /// Best causes of different actor kinds scoring the same.
    pub ambiguous: u64,
    pub no_traced_cause: u64,
    pub unreadable_rows: u64,
}

/// One privilege tier's exposure.
#[derive(Clone, Debug, Serialize)]
pub struct TierRow {
    pub tier: Tier,
    pub label: &'static str,
    pub ai_write_actions: u64,
    pub ai_incidents: u64,
    pub human_write_actions: u64,
    pub human_incidents: u64,
}

/// The comparison at equal privilege.
#[derive(Clone, Debug, Serialize)]
pub struct EqualPrivilege {
    /// IAM data files read (none: every principal is of unknown tier).
    pub iam_files: Vec<String>,
    pub tiers: Vec<TierRow>,
    pub mantel_haenszel: Option<MantelHaenszel>,
    pub sentence: String,
}

/// Destructive actions by the attribution's approval state
/// (`attribution::risk::ApprovalState`). `unknown` means the record does
/// not say, which is not the same as "no".
#[derive(Default, Clone, Copy, Debug, Serialize, PartialEq)]
pub struct ApprovalCounts {
    pub approved: u64,
    pub auto_approved: u64,
    pub rejected: u64,
    pub unknown: u64,
}

impl ApprovalCounts {
    fn add(&mut self, o: &ApprovalCounts) {
        self.approved += o.approved;
        self.auto_approved += o.auto_approved;
        self.rejected += o.rejected;
        self.unknown += o.unknown;
    }

    pub fn total(&self) -> u64 {
        self.approved + self.auto_approved + self.rejected + self.unknown
    }

    /// "N of M AI destructive actions had no approval on record (unknown); …"
    /// with the breakdown by state. Never says "unapproved".
    pub fn sentence(&self) -> String {
        let of = self.total();
        if of == 0 {
            return "No AI destructive actions.".to_string();
        }
        let breakdown = format!(
            "approved {}, auto-approved by a rule or mode {}, rejected {}, unknown {}",
            self.approved, self.auto_approved, self.rejected, self.unknown
        );
        if self.unknown == 0 {
            return format!("Approval of the {of} AI destructive actions on record: {breakdown}.");
        }
        format!(
            "{} of {of} AI destructive actions had no approval on record (unknown); the tool cannot tell whether a person clicked yes. By approval state: {breakdown}.",
            self.unknown
        )
    }
}

/// AI destructive actions with no approval by a person on record
/// (auto-approved, rejected or unknown); see `ApprovalCounts` for the states.
#[derive(Clone, Debug, Serialize)]
pub struct Unapproved {
    pub count: u64,
    pub of: u64,
    pub share: Option<f64>,
    pub ci: Option<Interval>,
    pub sentence: String,
}

/// One ISO week.
#[derive(Clone, Debug, Serialize)]
pub struct Week {
    /// `2025-W50`.
    pub week: String,
    pub ai: Side,
    pub human: Side,
    /// Incidents per 1,000 write actions, AI over human (None without data).
    pub rate_ratio: Option<f64>,
    pub ci: Option<Interval>,
    pub destructive_share_ai: Option<f64>,
    pub destructive_share_human: Option<f64>,
    pub denied_share_ai: Option<f64>,
    pub denied_share_human: Option<f64>,
}

/// Every number of the comparison.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    pub incidents_file: String,
    pub ai: Side,
    pub human: Side,
    pub incidents: IncidentCounts,
    pub per_1000_writes: Option<RateComparison>,
    pub per_100_sessions: Option<RateComparison>,
    pub at_equal_privilege: EqualPrivilege,
    /// Sessions resampled within each side: events inside one session are
    /// not independent.
    pub session_bootstrap: Option<BootstrapView>,
    pub destructive_share_of_writes: Option<ProportionComparison>,
    pub denied_share_of_calls: Option<ProportionComparison>,
    pub mass_deletion_bursts_per_100_sessions: Option<RateComparison>,
    pub ai_destructive_without_approval: Unapproved,
    /// The AI destructive actions by approval state; sums to
    /// `ai.destructive_actions`.
    pub ai_destructive_approval: ApprovalCounts,
    pub weeks: Vec<Week>,
    pub verdict: String,
    /// Sentences of the other views, in the order printed.
    pub notes: Vec<String>,
    /// The incidents with their three best causes (`incidents::linked`).
    #[serde(skip)]
    pub links: DataFrame,
    /// The privilege tier of every principal met (exposure and best causes).
    #[serde(skip)]
    pub principal_tiers: BTreeMap<String, Tier>,
    /// `warning: …` / `note: …` lines about the incidents and IAM files,
    /// for stderr.
    #[serde(skip)]
    pub warnings: Vec<String>,
}

/// One row of `compare_cells.sql`.
struct Cell {
    ai: bool,
    actor: String,
    session: Option<String>,
    principal: Option<String>,
    day: String,
    actions: u64,
    write_actions: u64,
    destructive_actions: u64,
    destructive_write_actions: u64,
    denied_actions: u64,
    approval: ApprovalCounts,
    calls: u64,
    writes: u64,
    destructive: u64,
    errors: u64,
    denied: u64,
}

/// The session a call belongs to: the agent's transcript session, else
/// the actor's day (a person's working session).
fn session_key(session: Option<&str>, actor: &str, day: &str) -> String {
    match session {
        Some(s) => format!("s\u{1f}{s}"),
        None => format!("d\u{1f}{actor}\u{1f}{day}"),
    }
}

/// `2025-W50` of a `YYYY-MM-DD` day.
fn iso_week(day: &str) -> String {
    match chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d") {
        Ok(d) => crate::timeparse::iso_week(d),
        Err(_) => "unknown".to_string(),
    }
}

fn cells(df: &DataFrame) -> Result<Vec<Cell>> {
    let s = |c: &str| -> Result<StringChunked> {
        Ok(df.column(c)?.cast(&DataType::String)?.str()?.clone())
    };
    let n = |c: &str| -> Result<UInt64Chunked> {
        Ok(df.column(c)?.cast(&DataType::UInt64)?.u64()?.clone())
    };
    let (kind, actor, session, principal, day) = (
        s("actor_kind")?,
        s("actor")?,
        s("agent_session_id")?,
        s("principal_arn")?,
        s("day")?,
    );
    const COUNTS: [&str; 14] = [
        "actions",
        "write_actions",
        "destructive_actions",
        "destructive_write_actions",
        "denied_actions",
        "destructive_approved",
        "destructive_auto_approved",
        "destructive_rejected",
        "destructive_approval_unknown",
        "calls",
        "writes",
        "destructive",
        "errors",
        "denied",
    ];
    let counts: BTreeMap<&str, UInt64Chunked> = COUNTS
        .iter()
        .map(|c| Ok((*c, n(c)?)))
        .collect::<Result<_>>()?;
    let u = |c: &str, i: usize| -> Result<u64> {
        let col = counts
            .get(c)
            .ok_or_else(|| anyhow::anyhow!("compare_cells.sql has no column {c}"))?;
        Ok(col.get(i).unwrap_or(0))
    };
    (0..df.height())
        .map(|i| {
            Ok(Cell {
                ai: kind.get(i) == Some("ai"),
                actor: actor.get(i).unwrap_or("?").to_string(),
                session: session.get(i).map(str::to_string),
                principal: principal.get(i).map(str::to_string),
                day: day.get(i).unwrap_or("").to_string(),
                actions: u("actions", i)?,
                write_actions: u("write_actions", i)?,
                destructive_actions: u("destructive_actions", i)?,
                destructive_write_actions: u("destructive_write_actions", i)?,
                denied_actions: u("denied_actions", i)?,
                approval: ApprovalCounts {
                    approved: u("destructive_approved", i)?,
                    auto_approved: u("destructive_auto_approved", i)?,
                    rejected: u("destructive_rejected", i)?,
                    unknown: u("destructive_approval_unknown", i)?,
                },
                calls: u("calls", i)?,
                writes: u("writes", i)?,
                destructive: u("destructive", i)?,
                errors: u("errors", i)?,
                denied: u("denied", i)?,
            })
        })
        .collect()
}

/// One incident's best-ranked cause, when an AI or a person made it.
struct Cause {
    ai: bool,
    session: String,
    principal: Option<String>,
    week: String,
}

fn rates(ai: Counts, human: Counts, phrasing: Phrasing) -> Result<RateComparison, StatsError> {
    compare_rates(
        ai,
        human,
        &RateOptions {
            phrasing,
            ..RateOptions::default()
        },
    )
}

fn share(k: u64, n: u64) -> Option<f64> {
    (n > 0).then(|| k as f64 / n as f64)
}

/// Computes the whole comparison.
pub fn compute(
    data: &Workspace,
    incidents: &Path,
    iam: &[PathBuf],
    window: crate::sql::TimeWindow,
    lookback_minutes: i64,
) -> Result<Comparison> {
    let super::incident_links::Linked {
        frame: links,
        unreadable_rows: problems,
        warnings: mut messages,
    } = super::incident_links::linked(data, incidents, window, lookback_minutes, 3)?;
    let mut cx = data.sql(window)?;
    let cells = cells(&crate::sql::run(&mut cx, CELLS_SQL)?)?;
    let destructive = crate::sql::run(&mut cx, super::bursts::EVENTS_SQL)?;
    let bursts = bursts(&destructive, BurstRule::DEFAULT)?;
    let (accounts, warnings) = super::privilege_usage::evaluate(iam)?;
    messages.extend(
        warnings
            .iter()
            .map(|w| format!("warning: {}", escape_controls(w))),
    );
    let mut tiers = Tiers::new(&accounts);

    // Sides, sessions, tiers, weeks.
    let mut sides = [Side::default(); 2]; // ai, human
    let side = |ai: bool| usize::from(!ai);
    let mut actor_days: [BTreeSet<(&str, &str)>; 2] = Default::default();
    let mut sessions: [BTreeMap<String, u64>; 2] = Default::default(); // key → write actions
    let mut by_tier: BTreeMap<Tier, [u64; 4]> = BTreeMap::new(); // ai write actions, ai inc, human …
    let mut weeks: BTreeMap<String, [Side; 2]> = BTreeMap::new();
    for c in &cells {
        let s = side(c.ai);
        sides[s].add(c);
        actor_days[s].insert((&c.actor, &c.day));
        *sessions[s]
            .entry(session_key(
                c.session.as_deref().filter(|_| c.ai),
                &c.actor,
                &c.day,
            ))
            .or_default() += c.write_actions;
        let t = tiers.of(c.principal.as_deref())?;
        by_tier.entry(t).or_default()[2 * s] += c.write_actions;
        weeks.entry(iso_week(&c.day)).or_default()[s].add(c);
    }
    for s in 0..2 {
        sides[s].actor_days = actor_days[s].len() as u64;
        sides[s].sessions = sessions[s].len() as u64;
    }

    // Incidents: the best-ranked cause of each.
    let mut counts = IncidentCounts {
        total: 0,
        unreadable_rows: problems as u64,
        ..Default::default()
    };
    let mut causes = Vec::new();
    {
        let id = links.column("incident_id")?.str()?;
        let rank = links.column("rank")?.cast(&DataType::UInt32)?;
        let rank = rank.u32()?;
        let score = links.column("score")?.f64()?;
        let kind = links.column("actor_kind")?.str()?;
        let actor = links.column("actor")?.str()?;
        let session = links.column("agent_session_id")?.str()?;
        let principal = links.column("principal_arn")?.str()?;
        let time = links.column("event_time")?.cast(&DataType::Int64)?;
        let time = time.i64()?;
        let mut i = 0;
        while i < links.height() {
            // One incident's rows: rank 1, 2, … (or one row without a cause).
            let mut end = i + 1;
            while end < links.height()
                && id.get(end) == id.get(i)
                && rank.get(end).is_some_and(|r| r > 1)
            {
                end += 1;
            }
            counts.total += 1;
            let first = i;
            i = end;
            if rank.get(first).is_none() {
                counts.no_traced_cause += 1;
                continue;
            }
            // A cause of another kind scoring the same: the data cannot say
            // who caused it, so neither side gets it.
            // Every best cause's tier, for the report's sentences.
            tiers.of(principal.get(first))?;
            let best = score.get(first).unwrap_or(0.0);
            if (first + 1..end).any(|j| {
                (score.get(j).unwrap_or(0.0) - best).abs() < 1e-9 && kind.get(j) != kind.get(first)
            }) {
                counts.ambiguous += 1;
                continue;
            }
            let ai = match kind.get(first) {
                Some("ai") => true,
                Some("human") => false,
                _ => {
                    counts.traced_to_other += 1;
                    continue;
                }
            };
            if ai {
                counts.traced_to_ai += 1;
            } else {
                counts.traced_to_human += 1;
            }
            let day = time
                .get(first)
                .map(|t| crate::timeparse::format_micros(t, "%Y-%m-%d"))
                .unwrap_or_default();
            let a = actor.get(first).unwrap_or("?");
            causes.push(Cause {
                ai,
                session: session_key(session.get(first).filter(|_| ai), a, &day),
                principal: principal.get(first).map(str::to_string),
                week: iso_week(&day),
            });
        }
    }
    let mut session_incidents: [BTreeMap<String, u64>; 2] = Default::default();
    for c in &causes {
        let s = side(c.ai);
        sides[s].incidents += 1;
        *session_incidents[s].entry(c.session.clone()).or_default() += 1;
        by_tier
            .entry(tiers.of(c.principal.as_deref())?)
            .or_default()[2 * s + 1] += 1;
        weeks.entry(c.week.clone()).or_default()[s].incidents += 1;
    }
    {
        let kind = bursts.column("actor_kind")?.str()?;
        for k in kind.iter() {
            match k {
                Some("ai") => sides[0].mass_deletion_bursts += 1,
                Some("human") => sides[1].mass_deletion_bursts += 1,
                _ => {}
            }
        }
    }
    let [ai, human] = sides;

    // The headline and the other views.
    let per_1000_writes = rates(
        Counts::new(ai.incidents, ai.write_actions as f64 / 1000.0),
        Counts::new(human.incidents, human.write_actions as f64 / 1000.0),
        Phrasing::default(),
    );
    let per_100_sessions = rates(
        Counts::new(ai.incidents, ai.sessions as f64 / 100.0),
        Counts::new(human.incidents, human.sessions as f64 / 100.0),
        Phrasing {
            ai_subject: "AI agent sessions".into(),
            ..Phrasing::default()
        },
    );
    let bursts_per_100 = rates(
        Counts::new(ai.mass_deletion_bursts, ai.sessions as f64 / 100.0),
        Counts::new(human.mass_deletion_bursts, human.sessions as f64 / 100.0),
        Phrasing {
            ai_subject: "AI agent sessions".into(),
            outcome: format!(
                "had mass-deletion bursts ({}+ destructive calls in {} min)",
                BurstRule::DEFAULT.calls,
                BurstRule::DEFAULT.minutes
            ),
            measure: "mass-deletion burst rates".into(),
        },
    );
    let destructive_share = compare_proportions(
        Trials::new(ai.destructive_write_actions, ai.write_actions),
        Trials::new(human.destructive_write_actions, human.write_actions),
        &ProportionOptions {
            measure: "destructive share of write actions".into(),
            ..Default::default()
        },
    );
    let denied_share = compare_proportions(
        Trials::new(ai.denied_actions, ai.actions),
        Trials::new(human.denied_actions, human.actions),
        &ProportionOptions {
            measure: "access-denied share of actions".into(),
            ..Default::default()
        },
    );

    // At equal privilege.
    let tier_rows: Vec<TierRow> = by_tier
        .iter()
        .map(|(t, v)| TierRow {
            tier: *t,
            label: t.label(),
            ai_write_actions: v[0],
            ai_incidents: v[1],
            human_write_actions: v[2],
            human_incidents: v[3],
        })
        .collect();
    let strata: Vec<Stratum> = tier_rows
        .iter()
        .map(|r| Stratum {
            label: r.label.to_string(),
            ai: Counts::new(r.ai_incidents, r.ai_write_actions as f64 / 1000.0),
            human: Counts::new(r.human_incidents, r.human_write_actions as f64 / 1000.0),
        })
        .collect();
    let mh = if iam.is_empty() || strata.is_empty() {
        None
    } else {
        mantel_haenszel(&strata, &MhOptions::default()).ok()
    };
    let equal_sentence = match (&mh, iam.is_empty()) {
        (_, true) => "At equal privilege: no IAM data (give --iam, or `iam` under [privileges] in trailblame.toml), so principals cannot be put in privilege tiers.".to_string(),
        (Some(m), false) => m.sentence.clone(),
        (None, false) => "At equal privilege: no tier has both AI and human exposure.".to_string(),
    };

    // Clustered by session.
    let mut clusters = Vec::new();
    for (s, group) in [(0, Group::Ai), (1, Group::Human)] {
        for (key, writes) in &sessions[s] {
            clusters.push(Cluster {
                group,
                events: session_incidents[s].get(key).copied().unwrap_or(0),
                exposure: *writes as f64 / 1000.0,
            });
        }
    }
    let bootstrap = cluster_bootstrap(&clusters, &BootstrapOptions::default()).ok();

    // Without approval (AI only: a person's own call needs no approval).
    let unapproved = {
        let ci = wilson(
            ai.destructive_unapproved,
            ai.destructive_actions,
            1.959_963_984_540_054,
        );
        let sentence = ai.destructive_approval.sentence();
        Unapproved {
            count: ai.destructive_unapproved,
            of: ai.destructive_actions,
            share: share(ai.destructive_unapproved, ai.destructive_actions),
            ci,
            sentence,
        }
    };

    // Week by week.
    let weeks = weeks
        .into_iter()
        .map(|(week, [a, h])| {
            let r = rates(
                Counts::new(a.incidents, a.write_actions as f64 / 1000.0),
                Counts::new(h.incidents, h.write_actions as f64 / 1000.0),
                Phrasing::default(),
            )
            .ok();
            Week {
                week,
                ai: a,
                human: h,
                rate_ratio: r.as_ref().and_then(|r| r.rate_ratio),
                ci: r.as_ref().filter(|r| r.rate_ratio.is_some()).map(|r| r.ci),
                destructive_share_ai: share(a.destructive_write_actions, a.write_actions),
                destructive_share_human: share(h.destructive_write_actions, h.write_actions),
                denied_share_ai: share(a.denied_actions, a.actions),
                denied_share_human: share(h.denied_actions, h.actions),
            }
        })
        .collect();

    let sentence = |r: &Result<RateComparison, StatsError>| match r {
        Ok(c) => c.sentence.clone(),
        Err(e) => format!("no comparison: {e}"),
    };
    let psentence = |r: &Result<ProportionComparison, StatsError>| match r {
        Ok(c) => c.sentence.clone(),
        Err(e) => format!("no comparison: {e}"),
    };
    let bootstrap_sentence = match &bootstrap {
        Some(BootstrapView {
            rate_ratio: Some(rr),
            ci: Some(ci),
            ai_clusters,
            human_clusters,
            resamples,
            ..
        }) => format!(
            "Resampling sessions ({ai_clusters} AI, {human_clusters} human; {resamples} resamples): rate ratio {}, 95% interval {}.",
            crate::stats::format::ratio(*rr),
            crate::stats::format::ratio_interval(*ci)
        ),
        _ => "Resampling sessions: not enough incidents for an interval.".to_string(),
    };
    let notes = vec![
        format!("Per 100 sessions: {}", sentence(&per_100_sessions)),
        equal_sentence.clone(),
        bootstrap_sentence,
        psentence(&destructive_share),
        psentence(&denied_share),
        format!(
            "Unit: the action (AI {} actions from {} API calls, people {} from {}). Exact tests treat actions as independent; actions in one session are not, so their intervals are too narrow — the session bootstrap above resamples whole sessions.",
            ai.actions, ai.calls, human.actions, human.calls
        ),
        format!("Mass-deletion bursts: {}", sentence(&bursts_per_100)),
        unapproved.sentence.clone(),
    ];
    Ok(Comparison {
        incidents_file: incidents.display().to_string(),
        ai,
        human,
        incidents: counts,
        verdict: sentence(&per_1000_writes),
        per_1000_writes: per_1000_writes.ok(),
        per_100_sessions: per_100_sessions.ok(),
        at_equal_privilege: EqualPrivilege {
            iam_files: iam.iter().map(|p| p.display().to_string()).collect(),
            tiers: tier_rows,
            mantel_haenszel: mh,
            sentence: equal_sentence,
        },
        session_bootstrap: bootstrap,
        destructive_share_of_writes: destructive_share.ok(),
        denied_share_of_calls: denied_share.ok(),
        mass_deletion_bursts_per_100_sessions: bursts_per_100.ok(),
        ai_destructive_without_approval: unapproved,
        ai_destructive_approval: ai.destructive_approval,
        weeks,
        notes,
        links,
        principal_tiers: tiers.into_map(),
        warnings: messages,
    })
}
