//! **first_seen**: an actor does something it never did before: calls an
//! API (IAM action, else source:name), a service, a region, an account, or
//! comes from a source network (/24 for IPv4, /48 for IPv6; service names
//! such as `cloudformation.amazonaws.com` are not networks) that is absent
//! from its history.
//!
//! *Why*: new behaviour is where mistakes and misuse start: an agent
//! reaching into IAM for the first time, a person working in a region or
//! account they never touch, a credential used from a new network.
//!
//! *How*: history is the actor's baseline rows plus its earlier analysed
//! rows, so each novelty is reported once, on the UTC day of its first use.
//! All novelties of one actor on one day are one finding. Each novelty has
//! a risk weight, the highest among that day's events showing it:
//! 1 for a read-only call, 2 for a write; +2 for a write on a sensitive
//! service (iam, sts, kms, organizations, cloudtrail, config, guardduty);
//! +2/4/6/8 for a low/medium/high/critical destructive severity.
//! **Score** = the sum of the day's novelty weights. **Severity** by the highest weight: ≥ 8 high,
//! ≥ 5 medium, ≥ 3 low, else info.
//!
//! An actor with no baseline rows at all gets one "new actor" finding for
//! the whole window instead (score = sum over its distinct APIs of their
//! highest weight; severity: highest weight ≥ 5 medium, ≥ 3 low, else info).
//! When no actor has any baseline row (the store starts inside the analysed
//! window) the detector says nothing: there is nothing to compare with.
//!
//! *False positives*: a short or gappy baseline makes routine things look
//! new (a monthly job, a person back from leave); networks change with
//! VPNs, travel and NAT pools. Reads in a new region are info only.
//! Thresholds: `[anomalies.first_seen]` `new_actor`, `network`,
//! `ipv4_prefix`, `ipv6_prefix`, and `baseline_days`.

use super::ctx::{Actor, Api, Ctx, Kind, fmt_day, fmt_time, list, plural};
use super::finding::{Finding, Severity};
use super::{FirstSeen, US_PER_DAY};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

pub const NAME: &str = "first_seen";

/// Risk weight of one call (see the module doc).
pub(crate) fn weight(cx: &Ctx, i: u32) -> u32 {
    let write = cx.not_read_only(i);
    let mut w = if write { 2 } else { 1 };
    if write && cx.sensitive(i) {
        w += 2;
    }
    w += match cx.dseverity(i) {
        Some(Severity::Critical) => 8,
        Some(Severity::High) => 6,
        Some(Severity::Medium) => 4,
        Some(Severity::Low) => 2,
        _ => 0,
    };
    w
}

/// The network of an address, `None` for service names and junk.
pub(crate) fn network(ip: &str, t: &FirstSeen) -> Option<String> {
    match ip.trim().parse::<IpAddr>().ok()? {
        IpAddr::V4(a) => {
            let p = u32::from(t.ipv4_prefix.min(32));
            let mask = if p == 0 { 0 } else { u32::MAX << (32 - p) };
            let net = std::net::Ipv4Addr::from(u32::from(a) & mask);
            Some(format!("{net}/{p}"))
        }
        IpAddr::V6(a) => {
            let p = u32::from(t.ipv6_prefix.min(128));
            let mask = if p == 0 { 0 } else { u128::MAX << (128 - p) };
            let net = std::net::Ipv6Addr::from(u128::from(a) & mask);
            Some(format!("{net}/{p}"))
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Dim {
    Api(Api),
    Service(u32),
    Region(u32),
    Account(u32),
    Network(u32),
}

struct Novelty {
    dim: Dim,
    weight: u32,
    first: u32,
    heaviest: u32,
}

pub fn run(cx: &Ctx) -> Vec<Finding> {
    if cx.history_rows == 0 {
        return Vec::new();
    }
    let t = &cx.t.first_seen;
    let a = cx.a;
    // Per distinct source address: its network, as an id into `nets`.
    let mut nets: Vec<String> = Vec::new();
    let mut net_ids: HashMap<String, u32> = HashMap::new();
    let net_of: Vec<Option<u32>> = (0..a.source_ip.distinct() as u32)
        .map(|id| {
            let net = network(a.source_ip.value(id), t).filter(|_| t.network)?;
            let next = nets.len() as u32;
            Some(*net_ids.entry(net.clone()).or_insert_with(|| {
                nets.push(net);
                next
            }))
        })
        .collect();
    cx.actors
        .par_iter()
        .flat_map_iter(|x| {
            if x.analysed == x.end {
                Vec::new()
            } else if x.analysed == x.start {
                new_actor(cx, x).into_iter().collect()
            } else {
                novelties(cx, x, &net_of, &nets)
            }
        })
        .collect()
}

fn dims(cx: &Ctx, i: u32, net_of: &[Option<u32>]) -> [Option<Dim>; 5] {
    let a = cx.a;
    let i_ = i as usize;
    [
        Some(Dim::Api(cx.api(i))),
        a.event_source.id(i_).map(Dim::Service),
        a.aws_region.id(i_).map(Dim::Region),
        a.account_id.id(i_).map(Dim::Account),
        a.source_ip
            .id(i_)
            .and_then(|id| net_of[id as usize])
            .map(Dim::Network),
    ]
}

fn label(cx: &Ctx, d: Dim, nets: &[String]) -> String {
    let a = cx.a;
    match d {
        Dim::Api(api) => format!("API {}", cx.api_str(api)),
        Dim::Service(id) => format!("service {}", a.event_source.value(id)),
        Dim::Region(id) => format!("region {}", a.aws_region.value(id)),
        Dim::Account(id) => format!("account {}", a.account_id.value(id)),
        Dim::Network(id) => format!("network {}", nets[id as usize]),
    }
}

fn severity_of(max_weight: u32) -> Severity {
    match max_weight {
        8.. => Severity::High,
        5..=7 => Severity::Medium,
        3..=4 => Severity::Low,
        _ => Severity::Info,
    }
}

fn novelties(cx: &Ctx, x: &Actor, net_of: &[Option<u32>], nets: &[String]) -> Vec<Finding> {
    let mut seen: HashSet<Dim> = HashSet::new();
    for &i in cx.history(x) {
        seen.extend(dims(cx, i, net_of).into_iter().flatten());
    }
    let mut out = Vec::new();
    let mut today: Vec<Novelty> = Vec::new();
    let mut today_index: HashMap<Dim, usize> = HashMap::new();
    let mut day = i64::MIN;
    for &i in cx.analysed(x) {
        let d = cx.time(i).div_euclid(US_PER_DAY);
        if d != day {
            out.extend(flush(cx, x, &mut today, nets));
            today_index.clear();
            day = d;
        }
        let w = weight(cx, i);
        for dim in dims(cx, i, net_of).into_iter().flatten() {
            if seen.insert(dim) {
                today_index.insert(dim, today.len());
                today.push(Novelty {
                    dim,
                    weight: w,
                    first: i,
                    heaviest: i,
                });
            } else if let Some(&k) = today_index.get(&dim) {
                let n = &mut today[k];
                if w > n.weight {
                    n.weight = w;
                    n.heaviest = i;
                }
            }
        }
    }
    out.extend(flush(cx, x, &mut today, nets));
    out
}

fn flush(cx: &Ctx, x: &Actor, today: &mut Vec<Novelty>, nets: &[String]) -> Option<Finding> {
    if today.is_empty() {
        return None;
    }
    let mut items: Vec<(u32, String, u32, u32)> = today
        .drain(..)
        .map(|n| (n.weight, label(cx, n.dim, nets), n.first, n.heaviest))
        .collect();
    items.sort_by(|p, q| q.0.cmp(&p.0).then_with(|| p.1.cmp(&q.1)));
    let max = items[0].0;
    let score: u32 = items.iter().map(|n| n.0).sum();
    let rows: Vec<u32> = items.iter().flat_map(|n| [n.2, n.3]).collect();
    let shown: Vec<String> = items
        .iter()
        .map(|(w, l, _, _)| format!("{l} (risk weight {w})"))
        .collect();
    let day = fmt_day(cx.time(items[0].2));
    let explanation = format!(
        "{} did {} not seen in its {}-day history on {day}: {}",
        cx.who(x),
        plural(items.len(), "new thing"),
        cx.t.baseline_days,
        list(&shown, 6),
    );
    Some(cx.finding(
        NAME,
        severity_of(max),
        x,
        rows,
        f64::from(score),
        explanation,
    ))
}

fn new_actor(cx: &Ctx, x: &Actor) -> Option<Finding> {
    if !cx.t.first_seen.new_actor {
        return None;
    }
    let rows = cx.analysed(x);
    let mut per_api: HashMap<Api, u32> = HashMap::new();
    let (mut writes, mut destructive) = (0, 0);
    for &i in rows {
        let w = weight(cx, i);
        let e = per_api.entry(cx.api(i)).or_insert(0);
        *e = (*e).max(w);
        writes += usize::from(cx.not_read_only(i));
        destructive += usize::from(cx.destructive(i));
    }
    let max = per_api.values().copied().max().unwrap_or(0);
    let score: u32 = per_api.values().sum();
    let severity = match severity_of(max) {
        Severity::High => Severity::Medium,
        s => s,
    };
    let kind = if x.kind == Kind::Ai { "agent" } else { "actor" };
    let explanation = format!(
        "new {kind} {} ({}), absent from the {}-day baseline: first call {}, {}, {} distinct APIs, {} writes, {} destructive",
        cx.who(x),
        cx.kind_str(x),
        cx.t.baseline_days,
        fmt_time(cx.time(rows[0])),
        plural(rows.len(), "call"),
        per_api.len(),
        writes,
        destructive,
    );
    Some(cx.finding(
        NAME,
        severity,
        x,
        rows.to_vec(),
        f64::from(score),
        explanation,
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::{Thresholds, detect};
    use super::*;

    #[test]
    fn networks() {
        let t = FirstSeen::default();
        assert_eq!(
            network("198.51.100.77", &t).as_deref(),
            Some("198.51.100.0/24")
        );
        assert_eq!(
            network("2001:db8:1:2::7", &t).as_deref(),
            Some("2001:db8:1::/48")
        );
        assert_eq!(network("cloudformation.amazonaws.com", &t), None);
        assert_eq!(network("AWS Internal", &t), None);
    }

    fn history() -> Kit {
        let mut k = Kit::default();
        background(
            &mut k,
            "alice",
            &["ec2:DescribeInstances", "s3:ListBuckets"],
            5,
            false,
        );
        k
    }

    #[test]
    fn novelties_of_a_day_make_one_finding_weighted_by_risk() {
        let mut k = history();
        k.add(ev(at(15, 10, 0), "iam:CreateUser").params(r#"{"userName":"x"}"#));
        k.add(ev(at(15, 10, 5), "iam:DeleteRole").destroys("high"));
        k.add(
            ev(at(15, 11, 0), "ec2:DescribeInstances")
                .region("eu-west-3")
                .ip("198.51.100.7"),
        );
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        let f = of(&f, NAME);
        assert_eq!(f.len(), 1, "{f:#?}");
        let f = f[0];
        // iam:CreateUser 4, iam:DeleteRole 2+2+6=10, service iam 10 (the
        // heaviest event showing it), region 1, network 1.
        assert_eq!(f.score, 26.0);
        assert_eq!(f.severity, Severity::High);
        assert!(f.explanation.contains("5 new things"), "{}", f.explanation);
        assert!(
            f.explanation
                .contains("API iam:DeleteRole (risk weight 10)")
        );
        assert!(
            f.explanation
                .contains("network 198.51.100.0/24 (risk weight 1)")
        );
        assert_eq!(f.actor, "alice");
    }

    #[test]
    fn known_things_and_a_second_use_are_not_new() {
        let mut k = history();
        k.add(ev(at(15, 10, 0), "ec2:DescribeInstances").ip("203.0.113.99"));
        k.add(ev(at(16, 10, 0), "s3:ListBuckets"));
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        assert!(of(&f, NAME).is_empty(), "{f:#?}");
        // The same novelty on two days is reported once.
        let mut k = history();
        k.add(ev(at(15, 10, 0), "sqs:ListQueues"));
        k.add(ev(at(16, 10, 0), "sqs:ListQueues"));
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        let f = of(&f, NAME);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Info);
    }

    #[test]
    fn a_new_actor_gets_one_finding_not_one_per_api() {
        let mut k = history();
        for (j, api) in ["iam:CreateRole", "s3:ListBuckets", "lambda:CreateFunction"]
            .iter()
            .enumerate()
        {
            for d in 14..17 {
                k.add(ev(at(d, 10, j as i64), api).ai("claude-code", "bob", "s1"));
            }
        }
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        let f = of(&f, NAME);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].event_count, 9);
        assert_eq!(f[0].score, 4.0 + 1.0 + 2.0);
        assert_eq!(f[0].severity, Severity::Low);
        assert!(
            f[0].explanation
                .starts_with("new agent bob's claude-code (ai)"),
            "{}",
            f[0].explanation
        );
    }

    #[test]
    fn no_baseline_anywhere_means_no_verdict() {
        let mut k = Kit::default();
        k.add(ev(at(15, 10, 0), "iam:DeleteRole").destroys("high"));
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        assert!(of(&f, NAME).is_empty());
    }
}
