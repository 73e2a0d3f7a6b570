//! Destructive bursts: many successful destructive calls by one actor
//! within minutes, from the destructive events (`queries/destructive_events.sql`).

use anyhow::Result;
use polars::prelude::*;

pub const EVENTS_SQL: &str = include_str!("../../queries/destructive_events.sql");

/// What counts as a destructive burst (a mass deletion): at least `calls`
/// successful destructive calls by one actor within `minutes`. The one
/// definition `destructive`, `compare` and `report` use. (The anomaly
/// detector `mass_deletion` asks more of a finding: distinct targets and
/// its own thresholds in `[anomalies.mass_deletion]`.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BurstRule {
    pub calls: usize,
    pub minutes: i64,
}

impl BurstRule {
    pub const DEFAULT: BurstRule = BurstRule {
        calls: 5,
        minutes: 10,
    };
}

/// Runs of successful destructive calls by one actor (with the number of
/// actions, `action_id`, they came from) where `rule.calls`
/// fit in `rule.minutes`, merged while they keep fitting. `events` is
/// sorted by time (`EVENTS_SQL`).
pub fn bursts(events: &DataFrame, rule: BurstRule) -> Result<DataFrame> {
    let (calls, minutes) = (rule.calls.max(1), rule.minutes.max(1));
    let time = events.column("event_time")?.cast(&DataType::Int64)?;
    let time = time.i64()?;
    let kind = events.column("actor_kind")?.str()?;
    let actor = events.column("actor")?.str()?;
    let outcome = events.column("outcome")?.str()?;
    let session = events.column("agent_session_id")?.str()?;
    let category = events.column("destructive_category")?.str()?;
    let action = events.column("action_id")?.str()?;
    // actor → times and rows of its successful calls, in time order
    let mut by_actor: std::collections::BTreeMap<(String, String), Vec<(i64, usize)>> =
        Default::default();
    for i in 0..events.height() {
        if outcome.get(i) != Some("done") {
            continue;
        }
        let key = (
            kind.get(i).unwrap_or("unknown").to_string(),
            actor.get(i).unwrap_or("?").to_string(),
        );
        by_actor
            .entry(key)
            .or_default()
            .push((time.get(i).unwrap_or(0), i));
    }
    let window = minutes * 60_000_000;
    let (mut k_col, mut a_col, mut start, mut end, mut n_col, mut sess, mut cats) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut actions_col: Vec<u64> = vec![];
    for ((k, a), v) in by_actor {
        let mut i = 0;
        while i < v.len() {
            // The longest run from i whose first and last call fit in the window.
            let mut j = i;
            while j + 1 < v.len() && v[j + 1].0 - v[i].0 <= window {
                j += 1;
            }
            if j + 1 - i >= calls {
                // Extend while the next call is within the window of the previous.
                while j + 1 < v.len() && v[j + 1].0 - v[j].0 <= window {
                    j += 1;
                }
                let rows = &v[i..=j];
                let mut s: Vec<&str> = rows.iter().filter_map(|r| session.get(r.1)).collect();
                s.sort_unstable();
                s.dedup();
                let mut c: Vec<&str> = rows.iter().filter_map(|r| category.get(r.1)).collect();
                c.sort_unstable();
                c.dedup();
                k_col.push(k.clone());
                a_col.push(a.clone());
                start.push(v[i].0);
                end.push(v[j].0);
                n_col.push((j + 1 - i) as u64);
                let mut acts: Vec<&str> = rows.iter().filter_map(|r| action.get(r.1)).collect();
                acts.sort_unstable();
                acts.dedup();
                actions_col.push(acts.len() as u64);
                sess.push(s.join(" "));
                cats.push(c.join(" "));
                i = j + 1;
            } else {
                i += 1;
            }
        }
    }
    let ts = |name: &str, v: Vec<i64>| -> Result<Column> {
        Ok(Column::new(name.into(), v).cast(&crate::schema::utc_micros())?)
    };
    let n = k_col.len();
    Ok(DataFrame::new(
        n,
        vec![
            Column::new("actor_kind".into(), k_col),
            Column::new("actor".into(), a_col),
            ts("started_at", start)?,
            ts("ended_at", end)?,
            Column::new("destructive_calls".into(), n_col),
            Column::new("actions".into(), actions_col),
            Column::new("categories".into(), cats),
            Column::new("agent_sessions".into(), sess),
        ],
    )?)
}
