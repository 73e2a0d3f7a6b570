//! The comparison: do AI actions cause more incidents than human ones?
//!
//! Incidents are linked to their causes (`incidents`); each incident with a
//! traced cause counts for the actor kind of its best-ranked cause.
//! Exposure comes from `queries/compare_cells.sql`, cells per actor kind,
//! actor, agent session, principal and day, summed here per side, per
//! privilege tier (the comparison at equal privilege, `stats::mh`), per
//! session (the clustered bootstrap, `stats::bootstrap`) and per ISO week
//! (the trend). The headline is the rate per 1,000 successful write calls
//! with its exact interval and p-value (`stats::rates`); the verdict
//! sentence is chosen by rule from those numbers.

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

/// One side's exposure and outcomes.
#[derive(Default, Clone, Copy, Debug, Serialize, PartialEq)]
pub struct Side {
    pub calls: u64,
    pub writes: u64,
    pub destructive: u64,
    /// Destructive calls whose approval is not `approved` on record.
    pub destructive_unapproved: u64,
    /// Destructive calls by approval state (agents' only; zero for people).
    pub destructive_approval: ApprovalCounts,
    pub errors: u64,
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
        self.calls += c.calls;
        self.writes += c.writes;
        self.destructive += c.destructive;
        self.destructive_unapproved += c.destructive_unapproved;
        self.destructive_approval.add(&c.approval);
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
    pub ai_writes: u64,
    pub ai_incidents: u64,
    pub human_writes: u64,
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

/// Destructive calls by the attribution's approval state
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

    /// "N of M AI destructive calls had no approval on record (unknown); …"
    /// with the breakdown by state. Never says "unapproved".
    pub fn sentence(&self) -> String {
        let of = self.total();
        if of == 0 {
            return "No AI destructive calls.".to_string();
        }
        let breakdown = format!(
            "approved {}, auto-approved by a rule or mode {}, rejected {}, unknown {}",
            self.approved, self.auto_approved, self.rejected, self.unknown
        );
        if self.unknown == 0 {
            return format!("Approval of the {of} AI destructive calls on record: {breakdown}.");
        }
        format!(
            "{} of {of} AI destructive calls had no approval on record (unknown); the tool cannot tell whether a person clicked yes. By approval state: {breakdown}.",
            self.unknown
        )
    }
}

/// AI destructive calls with no approval by a person on record (auto-approved,
/// rejected or unknown); see `ApprovalCounts` for the states.
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
    /// Incidents per 1,000 writes, AI over human (None without data).
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
    /// The AI destructive calls by approval state; sums to `ai.destructive`.
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
    calls: u64,
    writes: u64,
    destructive: u64,
    destructive_unapproved: u64,
    approval: ApprovalCounts,
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
    let (calls, writes, destructive, unapproved, errors, denied) = (
        n("calls")?,
        n("writes")?,
        n("destructive")?,
        n("destructive_unapproved")?,
        n("errors")?,
        n("denied")?,
    );
    let (approved, auto_approved, rejected, approval_unknown) = (
        n("destructive_approved")?,
        n("destructive_auto_approved")?,
        n("destructive_rejected")?,
        n("destructive_approval_unknown")?,
    );
    Ok((0..df.height())
        .map(|i| Cell {
            ai: kind.get(i) == Some("ai"),
            actor: actor.get(i).unwrap_or("?").to_string(),
            session: session.get(i).map(str::to_string),
            principal: principal.get(i).map(str::to_string),
            day: day.get(i).unwrap_or("").to_string(),
            calls: calls.get(i).unwrap_or(0),
            writes: writes.get(i).unwrap_or(0),
            destructive: destructive.get(i).unwrap_or(0),
            destructive_unapproved: unapproved.get(i).unwrap_or(0),
            approval: ApprovalCounts {
                approved: approved.get(i).unwrap_or(0),
                auto_approved: auto_approved.get(i).unwrap_or(0),
                rejected: rejected.get(i).unwrap_or(0),
                unknown: approval_unknown.get(i).unwrap_or(0),
            },
            errors: errors.get(i).unwrap_or(0),
            denied: denied.get(i).unwrap_or(0),
        })
        .collect())
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
    let mut sessions: [BTreeMap<String, u64>; 2] = Default::default(); // key → writes
    let mut by_tier: BTreeMap<Tier, [u64; 4]> = BTreeMap::new(); // ai w, ai inc, human w, human inc
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
            .or_default() += c.writes;
        let t = tiers.of(c.principal.as_deref())?;
        by_tier.entry(t).or_default()[2 * s] += c.writes;
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
        Counts::new(ai.incidents, ai.writes as f64 / 1000.0),
        Counts::new(human.incidents, human.writes as f64 / 1000.0),
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
        Trials::new(ai.destructive, ai.writes),
        Trials::new(human.destructive, human.writes),
        &ProportionOptions::default(),
    );
    let denied_share = compare_proportions(
        Trials::new(ai.denied, ai.calls),
        Trials::new(human.denied, human.calls),
        &ProportionOptions {
            measure: "access-denied share of calls".into(),
            ..Default::default()
        },
    );

    // At equal privilege.
    let tier_rows: Vec<TierRow> = by_tier
        .iter()
        .map(|(t, v)| TierRow {
            tier: *t,
            label: t.label(),
            ai_writes: v[0],
            ai_incidents: v[1],
            human_writes: v[2],
            human_incidents: v[3],
        })
        .collect();
    let strata: Vec<Stratum> = tier_rows
        .iter()
        .map(|r| Stratum {
            label: r.label.to_string(),
            ai: Counts::new(r.ai_incidents, r.ai_writes as f64 / 1000.0),
            human: Counts::new(r.human_incidents, r.human_writes as f64 / 1000.0),
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
            ai.destructive,
            1.959_963_984_540_054,
        );
        let sentence = ai.destructive_approval.sentence();
        Unapproved {
            count: ai.destructive_unapproved,
            of: ai.destructive,
            share: share(ai.destructive_unapproved, ai.destructive),
            ci,
            sentence,
        }
    };

    // Week by week.
    let weeks = weeks
        .into_iter()
        .map(|(week, [a, h])| {
            let r = rates(
                Counts::new(a.incidents, a.writes as f64 / 1000.0),
                Counts::new(h.incidents, h.writes as f64 / 1000.0),
                Phrasing::default(),
            )
            .ok();
            Week {
                week,
                ai: a,
                human: h,
                rate_ratio: r.as_ref().and_then(|r| r.rate_ratio),
                ci: r.as_ref().filter(|r| r.rate_ratio.is_some()).map(|r| r.ci),
                destructive_share_ai: share(a.destructive, a.writes),
                destructive_share_human: share(h.destructive, h.writes),
                denied_share_ai: share(a.denied, a.calls),
                denied_share_human: share(h.denied, h.calls),
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
        // "95% interval 0–∞" tells nothing: say what it means (issue 22).
        Some(BootstrapView {
            rate_ratio: Some(rr),
            ci: Some(ci),
            ai_clusters,
            human_clusters,
            resamples,
            ..
        }) if ci.lower <= 0.0 && !ci.upper.is_finite() => format!(
            "Resampling sessions ({ai_clusters} AI, {human_clusters} human; {resamples} resamples): rate ratio {}, \
             but the resamples range from no AI incident to no human one, so this check cannot bound the ratio: \
             too few incidents.",
            crate::stats::format::ratio(*rr)
        ),
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
