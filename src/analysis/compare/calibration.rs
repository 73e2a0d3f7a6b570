//! Calibration of the comparison's verdicts: with equal rates per action
//! on both sides, a verdict other than "cannot tell" is a false alarm and
//! must come at about the nominal rate (5% at 95%). Simulated clustered
//! data — agents whose destructive actions fan out into many API calls
//! (`aws s3 rm --recursive`, a delete-stack's cascade), people whose do
//! not — goes through the real `compare_cells.sql` and the real tests, once
//! counting actions (the tool's unit) and once counting API calls (the
//! unit it had before), which the same data turns into confident, wrong
//! verdicts.
//!
//! Deterministic: one seed, `SplitMix64` streams per replicate.

use super::{CELLS_SQL, Side, cells};
use crate::stats::Counts;
use crate::stats::Verdict;
use crate::stats::bootstrap::SplitMix64;
use crate::stats::proportions::{ProportionOptions, Trials, compare_proportions};
use crate::stats::rates::{RateOptions, compare_rates};
use polars::prelude::*;
use polars::sql::SQLContext;

const REPLICATES: u64 = 300;
const SESSIONS: usize = 12;
/// Same for both sides: the share of write actions that destroy something
/// and the incidents per write action.
const P_DESTRUCTIVE: f64 = 0.08;
const P_INCIDENT: f64 = 0.05;

/// 1 + a geometric number of extra calls with the given mean.
fn fan_out(rng: &mut SplitMix64, extra_mean: f64) -> u64 {
    let stop = 1.0 / (1.0 + extra_mean);
    let mut n = 1;
    while rng.uniform() > stop && n < 500 {
        n += 1;
    }
    n
}

/// One simulated week: events with the attribution columns the cells query
/// reads, and the incidents per side (ai, human), drawn per write action.
fn week(seed: u64) -> (DataFrame, [u64; 2]) {
    let mut rng = SplitMix64::stream(0x7e57_ca1b, seed);
    let (mut action, mut kind, mut actor, mut session, mut write, mut destructive) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut incidents = [0u64; 2];
    let mut next_action = 0u64;
    for (side, k) in ["ai", "human"].into_iter().enumerate() {
        for s in 0..SESSIONS {
            let n_actions = 15 + rng.below(25);
            for _ in 0..n_actions {
                next_action += 1;
                let is_write = rng.uniform() < 0.6;
                let is_destructive = is_write && rng.uniform() < P_DESTRUCTIVE;
                if is_write && rng.uniform() < P_INCIDENT {
                    incidents[side] += 1;
                }
                // Agents' destructive actions fan out (a recursive delete,
                // a stack's cascade); their other actions and all of a
                // person's stay small. Equal rates per action all the same.
                let calls = match (k, is_destructive, is_write) {
                    ("ai", true, _) => fan_out(&mut rng, 15.0),
                    ("ai", false, true) => fan_out(&mut rng, 2.0),
                    (_, true, _) => fan_out(&mut rng, 0.5),
                    _ => fan_out(&mut rng, 0.3),
                };
                for _ in 0..calls {
                    action.push(format!("a{next_action}"));
                    kind.push(k);
                    actor.push(format!("{k}-{}", s % 3));
                    session.push((k == "ai").then(|| format!("s{side}-{s}")));
                    write.push(is_write);
                    destructive.push(is_destructive);
                }
            }
        }
    }
    let n = action.len();
    let day = Column::new("event_date".into(), vec![20_000i32; n]).cast(&DataType::Date);
    let df = DataFrame::new(
        n,
        vec![
            Column::new("action_id".into(), action),
            Column::new("actor_kind".into(), kind),
            Column::new("actor".into(), actor),
            Column::new("agent_session_id".into(), session),
            Column::new("principal_arn".into(), vec![None::<&str>; n]),
            day.expect("a date column"),
            Column::new("write".into(), write),
            Column::new("destructive".into(), destructive),
            Column::new("approval".into(), vec![None::<&str>; n]),
            Column::new("error_code".into(), vec![None::<&str>; n]),
        ],
    )
    .expect("equal columns");
    (df, incidents)
}

fn sides(events: DataFrame) -> [Side; 2] {
    let mut cx = SQLContext::new();
    cx.register("events", events.lazy());
    let frame = crate::sql::run(&mut cx, CELLS_SQL).expect("cells query");
    let mut out = [Side::default(); 2];
    for c in cells(&frame).expect("cells") {
        out[usize::from(!c.ai)].add(&c);
    }
    out
}

/// False alarms (verdicts other than "cannot tell") per replicate, as
/// shares: [destructive share on actions, on calls, incident rate per
/// write action, per write call].
fn false_alarm_rates() -> [f64; 4] {
    let mut alarms = [0u64; 4];
    for r in 0..REPLICATES {
        let (events, [ai_inc, human_inc]) = week(r);
        let [ai, human] = sides(events);
        let share = |k1, n1, k2, n2| {
            compare_proportions(
                Trials::new(k1, n1),
                Trials::new(k2, n2),
                &ProportionOptions::default(),
            )
            .expect("valid trials")
            .verdict
        };
        let rate = |e1: f64, e2: f64| {
            compare_rates(
                Counts::new(ai_inc, e1 / 1000.0),
                Counts::new(human_inc, e2 / 1000.0),
                &RateOptions::default(),
            )
            .expect("valid counts")
            .verdict
        };
        let verdicts = [
            share(
                ai.destructive_write_actions,
                ai.write_actions,
                human.destructive_write_actions,
                human.write_actions,
            ),
            share(ai.destructive, ai.writes, human.destructive, human.writes),
            rate(ai.write_actions as f64, human.write_actions as f64),
            rate(ai.writes as f64, human.writes as f64),
        ];
        for (a, v) in alarms.iter_mut().zip(verdicts) {
            *a += u64::from(matches!(v, Verdict::AiHigher | Verdict::HumanHigher));
        }
    }
    alarms.map(|a| a as f64 / REPLICATES as f64)
}

#[test]
fn equal_rates_per_action_give_cannot_tell_at_the_nominal_rate_on_actions_only() {
    let [share_actions, share_calls, rate_actions, rate_calls] = false_alarm_rates();
    eprintln!(
        "calibration, {REPLICATES} simulated weeks with equal per-action rates, nominal 5%: \
         destructive share false alarms {:.1}% on actions vs {:.1}% on API calls; \
         incident rate false alarms {:.1}% per write action vs {:.1}% per write call",
        share_actions * 100.0,
        share_calls * 100.0,
        rate_actions * 100.0,
        rate_calls * 100.0
    );
    // 300 replicates: a 5% rate shows as up to ~8% by chance (p ≈ 0.01).
    assert!(share_actions <= 0.08, "actions: {share_actions}");
    assert!(rate_actions <= 0.08, "actions: {rate_actions}");
    // The same data counted in API calls says "AI destroys more" almost
    // every time, and "people cause more incidents per write" often.
    assert!(share_calls >= 0.5, "calls: {share_calls}");
    assert!(
        rate_calls > rate_actions,
        "calls {rate_calls} vs actions {rate_actions}"
    );
}
