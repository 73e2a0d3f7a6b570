//! **rare_for_actor**: an actor calls an API that it has used before but
//! only very rarely, and that its peers (actors of the same kind: other
//! agents, other people, other services) rarely use too.
//!
//! *Why*: `first_seen` catches the never-used; this catches the almost
//! never-used: the yearly `DeleteDBCluster`, the one `PutBucketPolicy`,
//! which deserve a look when they happen again, especially by an agent.
//!
//! *How*: over the actor's history (its rows before the analysed window),
//! own rate = its calls of the API / all its calls; peer rate = the same
//! for all other actors of its kind together. A call in the analysed window
//! is rare when the actor has at least `min_history` history calls, used
//! the API at least once (never is `first_seen`'s job), own rate ≤
//! `max_own_rate` and peer rate ≤ `max_peer_rate`. Read-only calls count
//! only with `include_read_only`. Rare calls of one actor on one UTC day are
//! one finding. **Score** = Σ over the day's rare APIs of
//! −log2(max(own rate, peer rate)), the surprise in bits. **Severity**:
//! medium when a rare call is on a sensitive service or has a destructive
//! severity, low for other writes, info for reads.
//!
//! *False positives*: periodic jobs with a period near the baseline length
//! (monthly rotations) look rare each time; peers are coarse (all people
//! are one peer group).

use super::US_PER_DAY;
use super::ctx::{Actor, Api, Ctx, Kind, fmt_day, list, plural};
use super::finding::{Finding, Severity};
use rayon::prelude::*;
use std::collections::HashMap;

pub const NAME: &str = "rare_for_actor";

struct History {
    calls: HashMap<Api, u32>,
    total: u64,
}

pub fn run(cx: &Ctx) -> Vec<Finding> {
    let hist: Vec<History> = cx
        .actors
        .par_iter()
        .map(|x| {
            let mut calls = HashMap::new();
            for &i in cx.history(x) {
                *calls.entry(cx.api(i)).or_insert(0) += 1;
            }
            History {
                calls,
                total: (x.analysed - x.start) as u64,
            }
        })
        .collect();
    let mut kinds: HashMap<Kind, History> = HashMap::new();
    for (x, h) in cx.actors.iter().zip(&hist) {
        let k = kinds.entry(x.kind).or_insert_with(|| History {
            calls: HashMap::new(),
            total: 0,
        });
        k.total += h.total;
        for (api, c) in &h.calls {
            *k.calls.entry(*api).or_insert(0) += c;
        }
    }
    cx.actors
        .par_iter()
        .zip(&hist)
        .flat_map_iter(|(x, h)| actor(cx, x, h, &kinds[&x.kind]))
        .collect()
}

struct Rare {
    api: Api,
    own: u32,
    own_rate: f64,
    peer_rate: f64,
    rows: Vec<u32>,
}

fn actor(cx: &Ctx, x: &Actor, own: &History, kind: &History) -> Vec<Finding> {
    let t = &cx.t.rare;
    if own.total < u64::from(t.min_history.max(1)) {
        return Vec::new();
    }
    let peers_total = kind.total - own.total;
    let mut out = Vec::new();
    let mut day_rows: Vec<u32> = Vec::new();
    let mut day = i64::MIN;
    // Verdict per API, the same for every call of the window.
    let mut verdict: HashMap<Api, Option<(u32, f64, f64)>> = HashMap::new();
    let rare = |api: Api| -> Option<(u32, f64, f64)> {
        let c = *own.calls.get(&api)?;
        let own_rate = f64::from(c) / own.total as f64;
        let peer_calls = kind.calls.get(&api).copied().unwrap_or(0) - c;
        let peer_rate = if peers_total == 0 {
            0.0
        } else {
            f64::from(peer_calls) / peers_total as f64
        };
        (own_rate <= t.max_own_rate && peer_rate <= t.max_peer_rate)
            .then_some((c, own_rate, peer_rate))
    };
    for &i in cx.analysed(x) {
        if !t.include_read_only && !cx.not_read_only(i) {
            continue;
        }
        let d = cx.time(i).div_euclid(US_PER_DAY);
        if d != day {
            out.extend(flush(cx, x, own.total, &mut day_rows, &verdict));
            day = d;
        }
        if verdict
            .entry(cx.api(i))
            .or_insert_with(|| rare(cx.api(i)))
            .is_some()
        {
            day_rows.push(i);
        }
    }
    out.extend(flush(cx, x, own.total, &mut day_rows, &verdict));
    out
}

fn flush(
    cx: &Ctx,
    x: &Actor,
    total: u64,
    rows: &mut Vec<u32>,
    verdict: &HashMap<Api, Option<(u32, f64, f64)>>,
) -> Option<Finding> {
    if rows.is_empty() {
        return None;
    }
    let mut by_api: HashMap<Api, Rare> = HashMap::new();
    let mut severity = Severity::Info;
    for &i in rows.iter() {
        let api = cx.api(i);
        let (own, own_rate, peer_rate) = verdict[&api]?;
        by_api
            .entry(api)
            .or_insert_with(|| Rare {
                api,
                own,
                own_rate,
                peer_rate,
                rows: Vec::new(),
            })
            .rows
            .push(i);
        let s = if cx.sensitive(i) || cx.dseverity(i).is_some() {
            Severity::Medium
        } else if cx.not_read_only(i) {
            Severity::Low
        } else {
            Severity::Info
        };
        severity = severity.max(s);
    }
    let mut items: Vec<(String, Rare)> = by_api
        .into_values()
        .map(|r| (cx.api_str(r.api), r))
        .collect();
    items.sort_by(|p, q| p.0.cmp(&q.0));
    let score: f64 = items
        .iter()
        .map(|(_, r)| -r.own_rate.max(r.peer_rate).log2())
        .sum();
    let shown: Vec<String> = items
        .iter()
        .map(|(name, r)| {
            format!(
                "{name} ×{} (used {} of {total} history calls, {:.2}%; peers {:.3}%)",
                r.rows.len(),
                plural(r.own as usize, "time"),
                100.0 * r.own_rate,
                100.0 * r.peer_rate
            )
        })
        .collect();
    let explanation = format!(
        "{} called {} it rarely uses on {}: {}",
        cx.who(x),
        plural(items.len(), "API"),
        fmt_day(cx.time(rows[0])),
        list(&shown, 4)
    );
    let rows = std::mem::take(rows);
    Some(cx.finding(NAME, severity, x, rows, score, explanation))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::{Thresholds, detect};
    use super::*;

    /// alice: 600 history calls, one of them iam:DeleteRole; bob and carol
    /// never call it.
    fn kit(extra_peer_deletes: usize) -> Kit {
        let mut k = Kit::default();
        for who in ["alice", "bob", "carol"] {
            background(
                &mut k,
                who,
                &["ec2:RebootInstances", "s3:PutObject"],
                22,
                false,
            );
        }
        k.add(ev(at(3, 12, 0), "iam:DeleteRole").human("alice"));
        for j in 0..extra_peer_deletes {
            k.add(ev(at(4, 12, j as i64), "iam:DeleteRole").human("bob"));
        }
        k.add(ev(at(16, 12, 0), "iam:DeleteRole").human("alice"));
        k.add(ev(at(16, 12, 1), "iam:DeleteRole").human("alice"));
        k
    }

    #[test]
    fn a_rarely_used_api_is_reported_with_its_rates() {
        let f = detect(&kit(0).build(), &scope(), &Thresholds::default());
        let f = of(&f, NAME);
        assert_eq!(f.len(), 1, "{f:#?}");
        // alice: 14 days × 2 APIs × 22 + 1 = 617 history calls.
        assert!(
            f[0].explanation.contains(
                "iam:DeleteRole ×2 (used 1 time of 617 history calls, 0.16%; peers 0.000%)"
            ),
            "{}",
            f[0].explanation
        );
        assert_eq!(f[0].event_count, 2);
        assert!((f[0].score - (617f64).log2()).abs() < 1e-9);
        assert_eq!(f[0].severity, Severity::Medium);
    }

    #[test]
    fn common_among_peers_is_not_rare() {
        // bob's 2 DeleteRole calls make the peer rate 2 / 1234 = 0.16%.
        let f = detect(&kit(2).build(), &scope(), &Thresholds::default());
        assert!(of(&f, NAME).is_empty(), "{f:#?}");
    }
}
