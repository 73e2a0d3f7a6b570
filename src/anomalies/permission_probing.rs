//! **permission_probing**: a burst of access-denied errors across many
//! different actions by one actor: at least `min_errors` denials over at
//! least `min_distinct_actions` distinct APIs within `window_minutes`.
//!
//! *Why*: stolen credentials are tried against everything to see what they
//! can do; an agent that lacks a permission tries its way around it. Both
//! look like denials spread over many actions rather than one call
//! retried.
//!
//! *How*: the actor's analysed calls whose error code is AccessDenied*,
//! *UnauthorizedOperation (incl. Client.UnauthorizedOperation) or contains
//! NotAuthorized, in time order; a window slides over them and windows
//! meeting both minimums merge into one finding. **Score** = distinct
//! actions denied in the burst. **Severity**: medium; high when the burst
//! has ≥ 2 × `min_distinct_actions` distinct actions.
//!
//! *False positives*: consoles and inventory tools that enumerate every
//! service on page load under a narrow role; a policy change that just
//! removed access from a busy actor.

use super::US_PER_MIN;
use super::ctx::{Actor, Ctx, DistinctCounts, fmt_span, list, plural, qualifying_runs};
use super::finding::{Finding, Severity};
use rayon::prelude::*;

pub const NAME: &str = "permission_probing";

pub fn run(cx: &Ctx) -> Vec<Finding> {
    cx.actors
        .par_iter()
        .flat_map_iter(|x| actor(cx, x))
        .collect()
}

fn actor(cx: &Ctx, x: &Actor) -> Vec<Finding> {
    let t = &cx.t.permission_probing;
    let rows: Vec<u32> = cx
        .analysed(x)
        .iter()
        .copied()
        .filter(|&i| cx.denied(i))
        .collect();
    if rows.len() < t.min_errors.max(1) as usize {
        return Vec::new();
    }
    let times: Vec<i64> = rows.iter().map(|&i| cx.time(i)).collect();
    let apis: Vec<_> = rows.iter().map(|&i| cx.api(i)).collect();
    let mut counts = DistinctCounts::new(apis.clone(), t.min_errors, t.min_distinct_actions);
    let window = i64::from(t.window_minutes.max(1)) * US_PER_MIN;
    qualifying_runs(&times, window, &mut counts)
        .into_iter()
        .map(|(s, e)| {
            let burst = rows[s..=e].to_vec();
            let mut actions: Vec<String> = apis[s..=e].iter().map(|a| cx.api_str(*a)).collect();
            actions.sort();
            actions.dedup();
            let severity = if actions.len() >= 2 * t.min_distinct_actions.max(1) as usize {
                Severity::High
            } else {
                Severity::Medium
            };
            let explanation = format!(
                "{} was denied {} across {} in {} (threshold {} errors over {} actions in {} min): {}",
                cx.who_in(x, &burst),
                plural(burst.len(), "time"),
                plural(actions.len(), "distinct action"),
                fmt_span(times[e] - times[s]),
                t.min_errors,
                t.min_distinct_actions,
                t.window_minutes,
                list(&actions, 6)
            );
            let score = actions.len() as f64;
            cx.finding(NAME, severity, x, burst, score, explanation)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::{Thresholds, detect};
    use super::*;

    const ACTIONS: &[&str] = &[
        "iam:ListUsers",
        "s3:ListBuckets",
        "kms:ListKeys",
        "secretsmanager:ListSecrets",
        "ec2:DescribeInstances",
        "rds:DescribeDBInstances",
    ];

    #[test]
    fn denials_across_many_actions_are_probing() {
        let mut k = Kit::default();
        for j in 0..12 {
            let code = ["AccessDenied", "Client.UnauthorizedOperation"][j % 2];
            let t = at(15, 3, 0) + j as i64 * 20_000_000;
            k.add(
                ev(t, ACTIONS[j % ACTIONS.len()])
                    .human("mallory")
                    .error(code),
            );
        }
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        let f = of(&f, NAME);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].score, 6.0);
        assert_eq!(f[0].event_count, 12);
        assert_eq!(f[0].severity, Severity::Medium);
        assert!(
            f[0].explanation
                .starts_with("mallory was denied 12 times across 6 distinct actions in 4 min"),
            "{}",
            f[0].explanation
        );
    }

    #[test]
    fn one_action_retried_or_other_errors_are_not() {
        let mut k = Kit::default();
        for j in 0..20 {
            // 4 distinct actions only.
            k.add(
                ev(at(15, 3, j), ACTIONS[j as usize % 4])
                    .human("mallory")
                    .error("AccessDenied"),
            );
            // Many actions, but not access errors.
            k.add(
                ev(at(16, 3, j), ACTIONS[j as usize % 6])
                    .human("mallory")
                    .error("ThrottlingException"),
            );
        }
        // 7 denials over 7 actions: one short of the error minimum.
        for (j, a) in ACTIONS.iter().chain(&["sqs:ListQueues"]).enumerate() {
            k.add(
                ev(at(17, 3, j as i64), a)
                    .human("mallory")
                    .error("AccessDenied"),
            );
        }
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        assert!(of(&f, NAME).is_empty(), "{f:#?}");
    }
}
