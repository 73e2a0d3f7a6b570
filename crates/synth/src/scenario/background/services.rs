//! The AWS services and applications acting in the background: AWS
//! Config and IAM Access Analyzer inventorying resources through their
//! service-linked roles (with the `AssumeRole` the service makes),
//! Auto Scaling and ELB managing capacity, and applications' roles
//! running on a schedule (skipped while an outage has taken them down).

use crate::scenario::background::generator::Gen;
use crate::scenario::cast::{
    DEV, PROD, SERVICES, SVC_ACCESS_ANALYZER, SVC_AUTOSCALING, SVC_CONFIG, SVC_ELB, USE1,
};
use crate::scenario::ops::O;
use crate::scenario::resources::{WORKLOADS, World};
use crate::scenario::spec::{Actor, Case, Err, Kind, Truth, Who};
use crate::scenario::user_agent::Ua;

const CONFIG_OPS: &[O] = &[
    O::DescribeInstances,
    O::DescribeSecurityGroups,
    O::DescribeVpcs,
    O::DescribeSubnets,
    O::DescribeNetworkInterfaces,
    O::ListFunctions,
    O::GetFunction,
    O::GetBucketAcl,
    O::GetBucketPolicy,
    O::GetBucketVersioning,
    O::DescribeTable,
    O::GetRole,
    O::ListAttachedRolePolicies,
    O::DescribeLogGroups,
    O::DescribeAlarms,
];

const ANALYZER_OPS: &[O] = &[
    O::GetBucketPolicy,
    O::GetBucketAcl,
    O::GetBucketPublicAccessBlock,
    O::GetRole,
    O::ListRoles,
];

fn svc_truth(svc: u8) -> Truth {
    Truth {
        kind: Kind::Service,
        actor: Actor::Service(svc),
        operator: None,
        case: Case::Service,
        call: 0,
    }
}

fn steady(g: &mut Gen<'_>, per_day: f64, svc: u8, ops: &[O], assume_every: u64) {
    let n = (per_day * f64::from(g.scale) * (0.8 + 0.4 * g.rng.f64())) as u64;
    let slr = Who::ServiceLinked { svc };
    let ua = Ua::Service { svc };
    let mut i = 0;
    while i < n {
        let burst = (2 + g.rng.below(8)).min(n - i);
        let mut t = g.day_start + g.rng.below(86_400) as i64;
        if assume_every > 0 && g.rng.below(assume_every) == 0 {
            let s = &SERVICES[svc as usize];
            let role = s.linked_role.unwrap_or("");
            g.push_res(
                t - 2,
                O::AssumeRole,
                Who::AwsService { svc },
                ua,
                Err::None,
                svc_truth(svc),
                role,
                s.session,
            );
        }
        for _ in 0..burst {
            let op = ops[g.rng.index(ops.len())];
            let err = if g.rng.chance(0.004) {
                Err::Throttled
            } else {
                Err::None
            };
            g.push(t, op, slr, ua, err, svc_truth(svc));
            t += g.rng.below(3) as i64;
        }
        i += burst;
    }
}

pub(crate) fn services(g: &mut Gen<'_>) {
    steady(g, 46.0, SVC_CONFIG, CONFIG_OPS, 3);
    if g.acct == PROD && g.region == USE1 {
        steady(g, 10.0, SVC_ACCESS_ANALYZER, ANALYZER_OPS, 4);
        steady(
            g,
            8.0,
            SVC_AUTOSCALING,
            &[
                O::RunInstances,
                O::CreateTags,
                O::TerminateInstances,
                O::DescribeInstances,
                O::RegisterTargets,
            ],
            0,
        );
    }
    if g.acct != DEV && g.region == USE1 {
        steady(
            g,
            6.0,
            SVC_ELB,
            &[
                O::DescribeNetworkInterfaces,
                O::CreateNetworkInterface,
                O::DeleteNetworkInterface,
            ],
            0,
        );
    }
}

pub(crate) fn workloads(g: &mut Gen<'_>, world: &World) {
    let reports = world
        .acct(g.acct)
        .buckets
        .iter()
        .find(|b| b.starts_with("cost-analysis"))
        .cloned()
        .unwrap_or_default();
    for (i, w) in WORKLOADS.iter().enumerate() {
        if w.acct != g.acct || w.region != g.region {
            continue;
        }
        let wl = i as u8;
        let runs = u64::from(w.runs_per_day) * u64::from(g.scale);
        let step = 86_400 / runs.max(1) as i64;
        let ops: &[O] = match w.ua {
            0 if i == 0 => &[O::GetCostAndUsage, O::GenerateDataKey, O::PutObject],
            0 => &[O::Decrypt, O::GetParameter],
            _ => &[O::GetSecretValue, O::Decrypt, O::GetParameters],
        };
        let who = Who::Workload { wl };
        let wl_truth = Truth {
            kind: Kind::Automation,
            actor: Actor::Workload(wl),
            operator: None,
            case: Case::Workload,
            call: 0,
        };
        for r in 0..runs as i64 {
            let t0 = g.day_start + r * step + g.rng.below(step.max(1) as u64) as i64;
            let down = g
                .plan
                .outages
                .iter()
                .any(|&(o, a, b)| o == wl && t0 >= a && t0 < b);
            if down {
                continue;
            }
            let svc = w.assumed_by;
            g.push_res(
                t0,
                O::AssumeRole,
                Who::AwsService { svc },
                Ua::Service { svc },
                Err::None,
                svc_truth(svc),
                w.role,
                w.session,
            );
            let mut t = t0 + 1;
            for &op in ops {
                t += g.rng.below(3) as i64;
                let res = if op == O::PutObject {
                    reports.as_str()
                } else {
                    ""
                };
                g.push_res(
                    t,
                    op,
                    who,
                    Ua::Workload { wl },
                    Err::None,
                    wl_truth,
                    res,
                    "",
                );
            }
        }
    }
}
