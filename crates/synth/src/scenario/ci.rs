//! The CI pipeline: GitHub Actions exchanges its OIDC token for the
//! `github-actions-deploy` role (`AssumeRoleWithWebIdentity`, made by the
//! `configure-aws-credentials` action), then Terraform refreshes the
//! environment and, on merges to main, applies. A few runs per weekday per
//! account at background scale 1.

use crate::rng::{Rng, mix};
use crate::scenario::cast::{self, ACCOUNTS, CI_ROLE, DEV, PROD, STAGING, USE1};
use crate::scenario::ops::O;
use crate::scenario::plan::Plan;
use crate::scenario::record::CiRun;
use crate::scenario::resources::World;
use crate::scenario::spec::{Actor, Case, Err, Kind, Spec, Truth, Who};
use crate::scenario::terraform::{TfCall, terraform_reads, terraform_writes};
use crate::scenario::user_agent::Ua;

const CI_TRUTH: Truth = Truth {
    kind: Kind::Automation,
    actor: Actor::Ci,
    operator: None,
    case: Case::Ci,
    call: 0,
};

/// One CI run starting at `t0` in `acct`; `writes` are the apply's changes
/// (empty for a plan-only run). Returns `(uid, time, op)` of its events.
pub(crate) fn ci_run(
    plan: &mut Plan,
    world: &World,
    rng: &mut Rng,
    acct: u8,
    t0: i64,
    writes: &[TfCall],
) -> Vec<(u64, i64, O)> {
    let run = plan.ci.len() as u32;
    let key = cast::upper_id(
        "ASIA",
        mix(
            cast::hash(&["ci-key", ACCOUNTS[acct as usize].id]),
            u64::from(run),
        ),
        16,
    );
    let ip = format!(
        "20.{}.{}.{}",
        25 + rng.below(200),
        rng.below(256),
        1 + rng.below(254)
    );
    plan.ci.push(CiRun {
        start: t0,
        key: key.clone(),
        ip,
        role: CI_ROLE,
        subject: cast::CI_SUBJECT,
    });
    let mut out = Vec::new();
    let mut push = |plan: &mut Plan, t: i64, op: O, who: Who, ua: Ua, res: &str, aux: &str| {
        let res = plan.names.id(res);
        let aux = plan.names.id(aux);
        if let Some(u) = plan.push(Spec {
            uid: 0,
            t,
            acct,
            region: USE1,
            op,
            who,
            ua,
            err: Err::None,
            res,
            aux,
            cli: 0,
            truth: CI_TRUTH,
        }) {
            out.push((u, t, op));
        }
    };
    push(
        plan,
        t0,
        O::AssumeRoleWithWebIdentity,
        Who::CiFederation { run },
        Ua::GhAction,
        CI_ROLE,
        &format!("GitHubActions|{}|{key}", cast::CI_SUBJECT),
    );
    let tf = Ua::Terraform { build: 1 };
    let who = Who::Ci { run };
    // terraform init, then plan: the refresh runs 10 calls in parallel.
    let mut t = t0 + 35 + rng.below(40) as i64;
    for (op, res, aux) in terraform_reads(world, acct, rng) {
        t += rng.below(2) as i64;
        push(plan, t, op, who, tf, &res, &aux);
    }
    if !writes.is_empty() {
        // The apply job refreshes again, then changes.
        t += 60 + rng.below(120) as i64;
        for (op, res, aux) in terraform_reads(world, acct, rng) {
            t += rng.below(2) as i64;
            push(plan, t, op, who, tf, &res, &aux);
        }
        for (op, res, aux) in writes {
            t += 1 + rng.below(4) as i64;
            push(plan, t, *op, who, tf, res, aux);
        }
    }
    out
}

/// The week's routine CI runs (scaled by `bg_scale`).
pub(crate) fn plan_ci(plan: &mut Plan, world: &World) {
    let workdays = plan.workdays();
    let per_day = 3 * plan.bg_scale.max(1);
    for &d in &workdays {
        for n in 0..per_day {
            let mut rng = Rng::new(mix(
                plan.seed ^ 0xC1_C1C1,
                u64::from(d) << 32 | u64::from(n),
            ));
            let acct = *rng.pick(&[DEV, DEV, STAGING, PROD]);
            let t0 = plan.start + i64::from(d) * 86_400 + 13 * 3600 + rng.below(10 * 3600) as i64;
            let apply = match acct {
                PROD => rng.chance(0.3),
                STAGING => rng.chance(0.5),
                _ => rng.chance(0.7),
            };
            let writes = if apply {
                terraform_writes(world, acct, &mut rng)
            } else {
                Vec::new()
            };
            ci_run(plan, world, &mut rng, acct, t0, &writes);
        }
    }
}
