//! **volume_spike** and **error_spike**: an hour in which an actor makes
//! far more write calls (or failed calls) than usual for it, in the spirit
//! of CloudTrail Insights' call-rate and error-rate insights, but per actor.
//!
//! *Why*: a runaway loop, a script on the wrong account, an agent retrying
//! a failing command hundreds of times, or someone probing show up as a
//! burst against the actor's own normal.
//!
//! *How*: per actor, counts per UTC hour from its first row on, zero hours
//! included (its active span so far). For an analysed hour with at least
//! `min_writes` write calls (`min_errors` failed calls), the history is the
//! `history_hours` hours before it (at least `min_history_hours`, else no
//! verdict); median m and MAD of those counts give the robust z
//! = (count − m) / max(1.4826 × MAD, 1). A spike needs z ≥ `robust_z`
//! and a count ≥ `p95_factor` × the 95th percentile of the history hours
//! (nearest rank): with many zero hours (nights, weekends) the median and
//! MAD are 0, and without this second test every busy working hour of a
//! person would be a spike. Consecutive spike hours are one finding. **Score** = the highest z.
//! **Severity**: low, medium when z ≥ 2 × `robust_z`. The floor of 1 on
//! the spread and the absolute minimum keep a quiet actor going 0 → 3 from
//! being a finding.
//!
//! *False positives*: planned bulk work (migrations, a `terraform apply`
//! of a new stack) by an actor that is usually quiet. Writes are calls
//! whose `read_only` is false (by verb when unrecorded); errors are calls
//! with any error code, throttling included.

use super::US_PER_HOUR;
use super::ctx::{Actor, Ctx, fmt_time, plural};
use super::finding::{Finding, Severity};
use rayon::prelude::*;
use std::collections::HashMap;

pub const VOLUME: &str = "volume_spike";
pub const ERRORS: &str = "error_spike";

pub fn run(cx: &Ctx) -> Vec<Finding> {
    let s = &cx.t.spikes;
    cx.actors
        .par_iter()
        .flat_map_iter(|x| {
            let mut out = Vec::new();
            if x.analysed == x.end {
                return out;
            }
            if s.volume {
                out.extend(spikes(cx, x, VOLUME, s.min_writes, |i| cx.not_read_only(i)));
            }
            if s.errors {
                out.extend(spikes(cx, x, ERRORS, s.min_errors, |i| cx.failed(i)));
            }
            out
        })
        .collect()
}

/// Median, MAD (unscaled) and 95th percentile (nearest rank) of `v`,
/// which it reorders.
pub(crate) fn stats(v: &mut [f64]) -> (f64, f64, f64) {
    let med = median(v);
    let p95 = if v.is_empty() {
        0.0
    } else {
        v[((v.len() * 95).div_ceil(100)).clamp(1, v.len()) - 1]
    };
    for x in v.iter_mut() {
        *x = (*x - med).abs();
    }
    (med, median(v), p95)
}

fn median(v: &mut [f64]) -> f64 {
    let n = v.len();
    if n == 0 {
        return 0.0;
    }
    v.sort_unstable_by(f64::total_cmp);
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

struct Hour {
    index: usize,
    count: u32,
    median: f64,
    mad: f64,
    p95: f64,
    z: f64,
}

fn spikes(
    cx: &Ctx,
    x: &Actor,
    detector: &'static str,
    min_count: u32,
    counts: impl Fn(u32) -> bool,
) -> Vec<Finding> {
    let s = &cx.t.spikes;
    let rows = cx.rows(x);
    let hour = |i: u32| cx.time(i).div_euclid(US_PER_HOUR);
    let first = hour(rows[0]);
    let span = (hour(rows[rows.len() - 1]) - first + 1) as usize;
    let mut per_hour = vec![0u32; span];
    for &i in rows {
        if counts(i) {
            per_hour[(hour(i) - first) as usize] += 1;
        }
    }
    let analysed_from =
        (cx.scope.analysed.since_us.div_euclid(US_PER_HOUR) - first).max(0) as usize;
    let mut hits: Vec<Hour> = Vec::new();
    let mut buf: Vec<f64> = Vec::new();
    for (index, &count) in per_hour.iter().enumerate().skip(analysed_from) {
        if count < min_count.max(1) {
            continue;
        }
        let from = index.saturating_sub(s.history_hours as usize);
        if index - from < s.min_history_hours.max(1) as usize {
            continue;
        }
        buf.clear();
        buf.extend(per_hour[from..index].iter().map(|c| f64::from(*c)));
        let (median, mad, p95) = stats(&mut buf);
        let z = (f64::from(count) - median) / (1.4826 * mad).max(1.0);
        if z >= s.robust_z && f64::from(count) >= s.p95_factor * p95 {
            hits.push(Hour {
                index,
                count,
                median,
                mad,
                p95,
                z,
            });
        }
    }
    // Consecutive spike hours → one finding.
    let mut out = Vec::new();
    let mut k = 0;
    while k < hits.len() {
        let mut e = k + 1;
        while e < hits.len() && hits[e].index == hits[e - 1].index + 1 {
            e += 1;
        }
        out.push(finding(
            cx,
            x,
            detector,
            min_count,
            &hits[k..e],
            first,
            &counts,
        ));
        k = e;
    }
    out
}

fn finding(
    cx: &Ctx,
    x: &Actor,
    detector: &'static str,
    min_count: u32,
    hours: &[Hour],
    first: i64,
    counts: &impl Fn(u32) -> bool,
) -> Finding {
    let s = &cx.t.spikes;
    let from = (first + hours[0].index as i64) * US_PER_HOUR;
    let to = (first + hours[hours.len() - 1].index as i64 + 1) * US_PER_HOUR;
    let rows: Vec<u32> = cx
        .analysed(x)
        .iter()
        .copied()
        .filter(|&i| (from..to).contains(&cx.time(i)) && counts(i))
        .collect();
    let peak = hours
        .iter()
        .max_by(|p, q| p.z.total_cmp(&q.z).then(q.index.cmp(&p.index)))
        .unwrap_or(&hours[0]);
    let what = if detector == VOLUME {
        "write call"
    } else {
        "failed call"
    };
    let when = if hours.len() == 1 {
        format!("in the hour from {}", fmt_time(from))
    } else {
        format!(
            "in {} hours from {} (peak {} at {})",
            hours.len(),
            fmt_time(from),
            peak.count,
            fmt_time((first + peak.index as i64) * US_PER_HOUR)
        )
    };
    let codes = if detector == ERRORS {
        top_code(cx, &rows)
    } else {
        String::new()
    };
    let explanation = format!(
        "{} made {} {when}{codes}; its hourly median is {} (MAD {}, 95th percentile {}) over the {} h before, robust z {:.1} (threshold {}, minimum {} per hour)",
        cx.who(x),
        plural(rows.len(), what),
        peak.median,
        peak.mad,
        peak.p95,
        (peak.index - peak.index.saturating_sub(s.history_hours as usize)),
        peak.z,
        s.robust_z,
        min_count
    );
    let severity = if peak.z >= 2.0 * s.robust_z {
        Severity::Medium
    } else {
        Severity::Low
    };
    cx.finding(detector, severity, x, rows, peak.z, explanation)
}

/// ` (mostly AccessDenied: 30)`.
fn top_code(cx: &Ctx, rows: &[u32]) -> String {
    let mut n: HashMap<&str, usize> = HashMap::new();
    for &i in rows {
        if let Some(c) = cx.a.error_code.get(i as usize) {
            *n.entry(c).or_insert(0) += 1;
        }
    }
    n.into_iter()
        .max_by(|p, q| p.1.cmp(&q.1).then(q.0.cmp(p.0)))
        .map_or(String::new(), |(c, k)| format!(" (mostly {c}: {k})"))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::{Thresholds, detect};
    use super::*;

    #[test]
    fn median_mad_p95() {
        let mut v = vec![0.0, 0.0, 1.0, 2.0, 9.0];
        assert_eq!(stats(&mut v), (1.0, 1.0, 9.0));
        let mut v = vec![1.0, 3.0];
        assert_eq!(stats(&mut v), (2.0, 1.0, 3.0));
        let mut v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(stats(&mut v).2, 95.0);
    }

    /// carol writes twice every working hour on days 0–15.
    fn kit() -> Kit {
        let mut k = Kit::default();
        for d in 0..16 {
            for h in 9..17 {
                for m in [10, 40] {
                    k.add(ev(at(d, h, m), "ec2:CreateTags").human("carol"));
                }
            }
        }
        k
    }

    #[test]
    fn a_burst_of_writes_is_a_volume_spike() {
        let mut k = kit();
        for j in 0..45 {
            k.add(ev(at(15, 20, j), "ec2:CreateTags").human("carol"));
        }
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        let f = of(&f, VOLUME);
        assert_eq!(f.len(), 1, "{f:#?}");
        // History: 336 h, 8 of every 24 with 2 writes → median 0, MAD 0,
        // spread floored at 1, z = 45.
        assert_eq!(f[0].score, 45.0);
        assert_eq!(f[0].event_count, 45);
        assert_eq!(f[0].severity, Severity::Medium);
        assert!(
            f[0].explanation.contains("carol made 45 write calls in the hour from 2026-03-17 20:00 UTC; its hourly median is 0 (MAD 0, 95th percentile 2) over the 336 h before, robust z 45.0"),
            "{}",
            f[0].explanation
        );
    }

    #[test]
    fn a_quiet_actor_going_to_a_few_writes_is_not_a_spike() {
        let mut k = kit();
        for j in 0..19 {
            k.add(ev(at(15, 20, j), "ec2:CreateTags").human("carol"));
        }
        for j in 0..9 {
            k.add(
                ev(at(15, 21, j), "ec2:CreateTags")
                    .human("carol")
                    .error("AccessDenied"),
            );
        }
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        assert!(
            of(&f, VOLUME).is_empty() && of(&f, ERRORS).is_empty(),
            "{f:#?}"
        );
    }

    #[test]
    fn a_busy_hour_of_a_busy_person_is_not_a_spike() {
        // dan writes 30 an hour in working hours: median 0 and MAD 0 (16
        // idle hours a day), but 40 in an evening hour is under 2 × his
        // 95th percentile (30); 60 would be one.
        let mut k = Kit::default();
        for d in 0..16 {
            for h in 9..17 {
                for m in 0..30 {
                    k.add(ev(at(d, h, m), "ec2:CreateTags").human("dan"));
                }
            }
        }
        for m in 0..40 {
            k.add(ev(at(15, 20, 0) + m * 1_000_000, "ec2:CreateTags").human("dan"));
        }
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        assert!(of(&f, VOLUME).is_empty(), "{f:#?}");
        for m in 40..60 {
            k.add(ev(at(15, 20, 0) + m * 1_000_000, "ec2:CreateTags").human("dan"));
        }
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        assert_eq!(of(&f, VOLUME).len(), 1);
    }

    #[test]
    fn a_burst_of_failures_is_an_error_spike() {
        let mut k = kit();
        for j in 0..30 {
            let code = if j < 20 {
                "ThrottlingException"
            } else {
                "AccessDenied"
            };
            k.add(
                ev(at(15, 10, j), "ec2:DescribeInstances")
                    .human("carol")
                    .error(code),
            );
        }
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        let f = of(&f, ERRORS);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].event_count, 30);
        assert!(
            f[0].explanation
                .contains("(mostly ThrottlingException: 20)"),
            "{}",
            f[0].explanation
        );
    }
}
