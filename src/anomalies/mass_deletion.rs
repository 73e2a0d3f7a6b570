//! **mass_deletion**: one actor makes at least `min_calls` successful
//! destructive calls within `window_minutes`, across at least
//! `min_distinct` distinct resources.
//!
//! *Why*: the signature of a cleanup gone wrong, `terraform destroy` in the
//! wrong workspace, an agent "tidying up", or a deliberate wipe.
//!
//! *How*: the actor's analysed rows with `destructive` set (the catalog's
//! verdict: matched and no error) in time order; a window slides over them
//! and every window meeting both minimums is marked; overlapping or
//! adjacent marked windows are one finding (one burst). A resource is the
//! call's first ARN in `resources`, else its names (`target_names`), else
//! its request parameters as text. **Score** = destructive calls in the
//! burst. **Severity**: high; critical when the burst has ≥ 3 ×
//! `min_calls` calls or any call of critical destructive severity.
//!
//! *False positives*: planned teardown of a test environment; the distinct
//! minimum keeps one resource deleted in a retry loop from counting.

use super::US_PER_MIN;
use super::ctx::{Actor, Ctx, DistinctCounts, calls_in_actions, fmt_span, plural, qualifying_runs};
use super::finding::{Finding, Severity};
use super::names::target_names;
use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

pub const NAME: &str = "mass_deletion";

pub fn run(cx: &Ctx) -> Vec<Finding> {
    cx.actors
        .par_iter()
        .flat_map_iter(|x| actor(cx, x))
        .collect()
}

/// A hash standing for the resource a call acts on (see the module doc).
pub(crate) fn resource_key(cx: &Ctx, i: u32) -> u64 {
    let res = &cx.a.resources[i as usize];
    if let Some(first) = res.first() {
        return xxh3_64(first.as_bytes());
    }
    let names = target_names(cx.event_name(i), cx.params(i), res);
    if !names.is_empty() {
        return xxh3_64(names.join("\n").as_bytes());
    }
    xxh3_64(cx.params(i).unwrap_or("").as_bytes())
}

fn actor(cx: &Ctx, x: &Actor) -> Vec<Finding> {
    let t = &cx.t.mass_deletion;
    if !t.include_services && cx.kind_str(x) == "service" {
        return Vec::new();
    }
    let rows: Vec<u32> = cx
        .analysed(x)
        .iter()
        .copied()
        .filter(|&i| cx.destructive(i))
        .collect();
    if rows.len() < t.min_calls.max(1) as usize {
        return Vec::new();
    }
    let times: Vec<i64> = rows.iter().map(|&i| cx.time(i)).collect();
    let keys: Vec<u64> = rows.iter().map(|&i| resource_key(cx, i)).collect();
    let mut counts = DistinctCounts::new(keys.clone(), t.min_calls, t.min_distinct);
    let window = i64::from(t.window_minutes.max(1)) * US_PER_MIN;
    qualifying_runs(&times, window, &mut counts)
        .into_iter()
        .map(|(s, e)| {
            let burst = rows[s..=e].to_vec();
            let mut distinct = keys[s..=e].to_vec();
            distinct.sort_unstable();
            distinct.dedup();
            let critical = burst
                .iter()
                .any(|&i| cx.dseverity(i) == Some(Severity::Critical));
            let severity = if critical || burst.len() >= 3 * t.min_calls.max(1) as usize {
                Severity::Critical
            } else {
                Severity::High
            };
            let explanation = format!(
                "{} made {} across {} in {} (threshold {} in {} min, {} distinct)",
                cx.who_in(x, &burst),
                calls_in_actions(cx, &burst, "destructive call"),
                plural(distinct.len(), "distinct resource"),
                fmt_span(times[e] - times[s]),
                t.min_calls,
                t.window_minutes,
                t.min_distinct
            );
            let score = burst.len() as f64;
            cx.finding(NAME, severity, x, burst, score, explanation)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::{Thresholds, detect};
    use super::*;

    fn deletes(k: &mut Kit, n: i64, distinct: i64, spacing_secs: i64) {
        for j in 0..n {
            let t = at(15, 10, 0) + j * spacing_secs * 1_000_000;
            k.add(
                ev(t, "s3:DeleteBucket")
                    .ai("kiro", "dave", "7f3a1c2b-9e")
                    .destroys("high")
                    .params(&format!(r#"{{"bucketName":"b{}"}}"#, j % distinct)),
            );
        }
    }

    #[test]
    fn many_deletes_in_a_few_minutes_are_one_finding() {
        let mut k = Kit::default();
        deletes(&mut k, 43, 12, 8);
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        let f = of(&f, NAME);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].event_count, 43);
        assert_eq!(f[0].score, 43.0);
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(
            f[0].explanation,
            "dave's kiro session 7f3a1c2b made 43 destructive calls across 12 distinct resources in 6 min (threshold 10 in 10 min, 5 distinct)"
        );
        assert_eq!(f[0].operator.as_deref(), Some("dave"));
        assert_eq!(f[0].account.as_deref(), Some("111122223333"));
        assert_eq!(f[0].event_ids.len(), 43);
    }

    #[test]
    fn the_sentence_says_how_many_actions_the_calls_came_from() {
        // One `aws s3 rb --force`-like tool call fanning out into 12 deletes,
        // then a second call with 3 more: 15 calls, 2 decisions.
        let mut k = Kit::default();
        for j in 0..15 {
            let t = at(15, 10, 0) + j * 2_000_000;
            k.add(
                ev(t, "s3:DeleteBucket")
                    .ai("kiro", "dave", "7f3a1c2b-9e")
                    .destroys("high")
                    .params(&format!(r#"{{"bucketName":"b{j}"}}"#))
                    .action(if j < 12 { "first" } else { "second" }),
            );
        }
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        let f = of(&f, NAME);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(
            f[0].explanation
                .starts_with("dave's kiro session 7f3a1c2b made 15 destructive calls in 2 actions across 15 distinct resources"),
            "{}",
            f[0].explanation
        );
    }

    #[test]
    fn a_service_cleaning_up_is_left_out_unless_asked_for() {
        let mut k = Kit::default();
        for n in 0..30 {
            k.add(
                ev(
                    at(15, 10, 0) + n * 2_000_000,
                    "elasticloadbalancing:DeregisterTargets",
                )
                .service("elasticloadbalancing.amazonaws.com")
                .destroys("medium")
                .params(&format!(r#"{{"targetGroupArn":"tg-{n}"}}"#)),
            );
        }
        let a = k.build();
        assert!(of(&detect(&a, &scope(), &Thresholds::default()), NAME).is_empty());
        let mut t = Thresholds::default();
        t.mass_deletion.include_services = true;
        assert_eq!(of(&detect(&a, &scope(), &t), NAME).len(), 1);
    }

    #[test]
    fn nine_deletes_or_one_resource_again_and_again_are_not() {
        let mut k = Kit::default();
        deletes(&mut k, 9, 9, 30);
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        assert!(of(&f, NAME).is_empty());
        let mut k = Kit::default();
        deletes(&mut k, 20, 4, 20);
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        assert!(of(&f, NAME).is_empty());
        // 9 deletes, and a 10th exactly 10 minutes after the first.
        let mut k = Kit::default();
        deletes(&mut k, 9, 9, 30);
        k.add(
            ev(at(15, 10, 10), "s3:DeleteBucket")
                .ai("kiro", "dave", "7f3a1c2b-9e")
                .destroys("high")
                .params(r#"{"bucketName":"late"}"#),
        );
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        assert!(of(&f, NAME).is_empty(), "{f:#?}");
        // 10 deletes spread over 12 minutes: no 10-minute window holds 10.
        let mut k = Kit::default();
        deletes(&mut k, 10, 10, 80);
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        assert!(of(&f, NAME).is_empty());
    }
}
