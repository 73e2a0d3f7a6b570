//! Whole-run properties: every detector fires on its fixture inside one
//! mixed activity, the output does not depend on row order or thread
//! count, evidence is capped, disabled detectors stay quiet, and ordinary
//! read-only background produces almost nothing.

use super::testkit::*;
use super::*;
use std::collections::BTreeMap;

/// One fixture with a trigger for every detector, over some background.
fn mixed() -> Kit {
    let mut k = Kit::default();
    background(
        &mut k,
        "alice",
        &["ec2:DescribeInstances", "s3:ListBuckets"],
        6,
        false,
    );
    background(
        &mut k,
        "bob",
        &["ec2:DescribeInstances", "iam:ListRoles"],
        6,
        false,
    );
    // rare_for_actor: alice's one DeleteRole in 14 × 12 + 1 calls... needs
    // 500+ history calls: a busy writer instead.
    background(
        &mut k,
        "carol",
        &["ec2:CreateTags", "s3:PutObject"],
        22,
        false,
    );
    k.add(ev(at(3, 12, 0), "iam:DeleteRole").human("carol"));
    k.add(ev(at(16, 12, 0), "iam:DeleteRole").human("carol"));
    // first_seen: alice in a new region.
    k.add(ev(at(15, 10, 0), "ec2:DescribeInstances").region("ap-south-1"));
    // volume_spike and error_spike: carol at night.
    for j in 0..40 {
        k.add(ev(at(17, 22, j), "ec2:CreateTags").human("carol"));
        k.add(
            ev(at(17, 23, j), "ec2:DescribeInstances")
                .human("carol")
                .error("ThrottlingException"),
        );
    }
    // mass_deletion and unapproved_destructive_ai: an auto-approved agent.
    for j in 0..12 {
        k.add(
            ev(at(18, 1, 0) + j * 30_000_000, "s3:DeleteBucket")
                .ai("kiro", "dave", "7f3a1c2b")
                .approval(Some("auto_approved"), Some(4000))
                .destroys("high")
                .params(&format!(r#"{{"bucketName":"b{j}"}}"#)),
        );
    }
    // off_hours: dave's marks in working hours only.
    for d in 0..21 {
        for h in 9..17 {
            k.mark("dave", at(d, h, 15));
        }
    }
    // delete_then_recreate.
    k.add(
        ev(at(19, 9, 0), "cloudformation:DeleteStack")
            .human("bob")
            .params(r#"{"stackName":"web"}"#),
    );
    k.add(
        ev(at(19, 9, 40), "cloudformation:CreateStack")
            .human("bob")
            .params(r#"{"stackName":"web"}"#),
    );
    // permission_probing.
    for (j, a) in [
        "iam:ListUsers",
        "kms:ListKeys",
        "s3:ListBuckets",
        "sqs:ListQueues",
        "sns:ListTopics",
    ]
    .iter()
    .enumerate()
    {
        for r in 0..2 {
            k.add(
                ev(at(20, 4, j as i64 * 2 + r), a)
                    .human("mallory")
                    .error("AccessDenied"),
            );
        }
    }
    // security_tampering and iam_escalation.
    k.add(ev(at(20, 5, 0), "cloudtrail:StopLogging").human("mallory"));
    k.add(
        ev(at(20, 5, 1), "iam:AttachUserPolicy")
            .human("mallory")
            .params(r#"{"userName":"mallory","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}"#),
    );
    k
}

fn counts(f: &[Finding]) -> BTreeMap<&'static str, usize> {
    let mut c = BTreeMap::new();
    for x in f {
        *c.entry(x.detector).or_insert(0) += 1;
    }
    c
}

#[test]
fn every_detector_fires_in_the_mixed_fixture() {
    let f = detect(&mixed().build(), &scope(), &Thresholds::default());
    let c = counts(&f);
    for d in DETECTORS {
        assert!(c.contains_key(d), "{d} missing: {c:?}");
    }
    // Report order: severity desc, then score desc, window start, id.
    for w in f.windows(2) {
        assert_ne!(
            finding::report_order(&w[0], &w[1]),
            std::cmp::Ordering::Greater
        );
    }
    for x in &f {
        assert_eq!(x.finding_id.len(), 16);
        assert!(x.window_start_us <= x.window_end_us);
        assert!(scope().analysed.contains(x.window_end_us), "{x:?}");
        assert!(!x.explanation.is_empty() && x.score.is_finite());
    }
}

#[test]
fn row_order_and_thread_count_do_not_change_the_findings() {
    let kit = mixed();
    let want = detect(&kit.build(), &scope(), &Thresholds::default());
    for seed in [1, 2, 3] {
        let mut k = kit.clone();
        // Fix the ids before shuffling, so the same event keeps its id.
        for (i, e) in k.evs.iter_mut().enumerate() {
            e.id = Some(format!("ev-{i:06}"));
        }
        Rng(seed * 0x9e37_79b9).shuffle(&mut k.evs);
        Rng(seed).shuffle(&mut k.marks);
        let got = detect(&k.build(), &scope(), &Thresholds::default());
        assert_eq!(got, want, "seed {seed}");
    }
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let got = one.install(|| detect(&kit.build(), &scope(), &Thresholds::default()));
    assert_eq!(got, want);
}

#[test]
fn evidence_is_capped_but_counted() {
    let t = Thresholds {
        max_evidence: 5,
        ..Thresholds::default()
    };
    let f = detect(&mixed().build(), &scope(), &t);
    let m = f.iter().find(|x| x.detector == "mass_deletion").unwrap();
    assert_eq!((m.event_ids.len(), m.event_count), (5, 12));
    assert!(m.explanation.contains("12 destructive calls"));
    // The cap keeps the earliest events, and the id still covers them all.
    let full = detect(&mixed().build(), &scope(), &Thresholds::default());
    let n = full.iter().find(|x| x.detector == "mass_deletion").unwrap();
    assert_eq!(n.event_ids[..5], m.event_ids[..]);
    assert_eq!(n.finding_id, m.finding_id);
}

#[test]
fn disabled_detectors_and_empty_activity_say_nothing() {
    assert!(detect(&Activity::default(), &scope(), &Thresholds::default()).is_empty());
    let mut t = Thresholds::default();
    t.mass_deletion.enabled = false;
    t.spikes.errors = false;
    let c = counts(&detect(&mixed().build(), &scope(), &t));
    assert!(
        !c.contains_key("mass_deletion") && !c.contains_key("error_spike"),
        "{c:?}"
    );
    assert!(c.contains_key("volume_spike"));
}

#[test]
fn events_outside_the_analysed_window_make_no_findings() {
    let s = Scope::new(
        Window {
            since_us: at(7, 0, 0),
            until_us: at(14, 0, 0),
        },
        &Thresholds::default(),
    );
    let f = detect(&mixed().build(), &s, &Thresholds::default());
    assert!(f.iter().all(|x| x.window_end_us < at(14, 0, 0)));
    assert!(!f.iter().any(|x| x.detector == "mass_deletion"));
}

#[test]
fn mismatched_columns_are_named() {
    let mut a = mixed().build();
    a.destructive.pop();
    assert!(a.rows().unwrap_err().contains("destructive"));
}

/// 60 actors reading steadily for 21 days: 40 people (each with 3
/// addresses in one /24 and 6 of 30 read APIs, 1 call in 200 to any of
/// the 30), 10 services, 10 agents run by those people in their working
/// hours.
fn background_kit() -> Kit {
    const READS: &[&str] = &[
        "ec2:DescribeInstances",
        "ec2:DescribeVolumes",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
        "s3:ListBuckets",
        "s3:GetBucketLocation",
        "s3:GetBucketPolicy",
        "iam:ListRoles",
        "iam:GetRole",
        "iam:ListUsers",
        "iam:GetUser",
        "lambda:ListFunctions20150331",
        "lambda:GetFunction",
        "rds:DescribeDBInstances",
        "rds:DescribeDBClusters",
        "dynamodb:ListTables",
        "dynamodb:DescribeTable",
        "cloudformation:DescribeStacks",
        "cloudformation:ListStacks",
        "logs:DescribeLogGroups",
        "logs:GetLogEvents",
        "sts:GetCallerIdentity",
        "kms:ListKeys",
        "kms:DescribeKey",
        "sqs:ListQueues",
        "sns:ListTopics",
        "ecs:ListClusters",
        "ecs:DescribeServices",
        "elasticloadbalancing:DescribeLoadBalancers",
    ];
    let mut rng = Rng(42);
    let mut k = Kit::default();
    for p in 0..50 {
        let (kind, who) = if p < 40 {
            ("human", format!("user{p}"))
        } else {
            ("service", format!("svc{p}"))
        };
        let apis: Vec<&str> = (0..6)
            .map(|j| READS[(p * 7 + j * 5) % READS.len()])
            .collect();
        let ips: Vec<String> = (0..3).map(|j| format!("198.51.{}.{}", p, 10 + j)).collect();
        let agent = p < 10;
        for d in 0..21 {
            let weekend = d % 7 >= 5;
            if kind == "human" && weekend {
                continue;
            }
            let hours = if kind == "human" { 9..17 } else { 0..24 };
            for h in hours {
                for _ in 0..rng.below(8) + 1 {
                    let t = at(d, h, rng.below(60) as i64) + rng.below(59_000_000) as i64;
                    // Now and then, any read API (routine curiosity).
                    let api = if rng.below(200) == 0 {
                        READS[rng.below(READS.len() as u64) as usize]
                    } else {
                        apis[rng.below(6) as usize]
                    };
                    let e = ev(t, api).ip(&ips[rng.below(3) as usize]);
                    let e = if kind == "human" {
                        e.human(&who)
                    } else {
                        e.service(&who)
                    };
                    if kind == "human" {
                        k.mark(&who, t);
                    }
                    k.add(e);
                    if agent && rng.below(4) == 0 {
                        let s = format!("sess-{p}-{d}");
                        k.add(
                            ev(t + 30_000_000, api)
                                .ai("claude-code", &who, &s)
                                .ip(&ips[0]),
                        );
                    }
                }
            }
        }
    }
    k
}

#[test]
fn steady_read_only_background_makes_few_findings() {
    let kit = background_kit();
    let f = detect(&kit.build(), &scope(), &Thresholds::default());
    let c = counts(&f);
    println!("{} events, {} findings: {c:?}", kit.evs.len(), f.len());
    for x in f.iter().take(5) {
        println!("  {} {} {}", x.detector, x.severity, x.explanation);
    }
    // The only expected findings: first_seen (info) for the odd new read.
    assert!(f.len() <= 60, "{c:?}");
    assert!(c.keys().all(|d| *d == "first_seen"), "{c:?}");
    assert!(f.iter().all(|x| x.severity == Severity::Info), "{c:?}");
}
