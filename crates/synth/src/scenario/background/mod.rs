//! Background activity, generated per delivery job (one account, region and
//! day) from the configuration alone: people working in the console and
//! their terminals in bursts during their office hours (and running
//! Terraform now and then), AWS Config and IAM Access Analyzer inventorying
//! resources, Auto Scaling and ELB managing capacity, and applications'
//! roles calling AWS on a schedule. Volume scales with `background_scale`.
//!
//! Each job seeds its own generator from (seed, job), and its uids come
//! from a range reserved for it, so jobs can run in any order on any thread.

mod generator;
mod people;
mod services;

use crate::rng::{Rng, mix};
use crate::scenario::cast::SERVICES;
use crate::scenario::plan::{BACKGROUND_UID, Plan};
use crate::scenario::resources::{WORKLOADS, World};
use crate::scenario::spec::Spec;
use crate::scenario::terraform::terraform_reads;
use generator::Gen;

/// Generates the background events of one job.
pub(crate) fn job(
    plan: &Plan,
    world: &World,
    acct: u8,
    region: u8,
    day: u32,
    job_no: u64,
) -> Vec<Spec> {
    let mut g = Gen {
        plan,
        rng: Rng::new(mix(plan.seed ^ 0xBAC6_0000, job_no)),
        acct,
        region,
        day,
        day_start: plan.start + i64::from(day) * 86_400,
        scale: plan.bg_scale.max(1),
        next: BACKGROUND_UID + (job_no << 28),
        out: Vec::new(),
    };
    people::people(&mut g, world);
    services::services(&mut g);
    services::workloads(&mut g, world);
    g.out
}

/// Adds every name background jobs refer to, so that jobs can look them up
/// without changing the table.
pub(crate) fn intern_names(plan: &mut Plan, world: &World) {
    for a in 0..3u8 {
        let mut rng = Rng::new(0);
        for (_, res, aux) in terraform_reads(world, a, &mut rng) {
            plan.names.id(&res);
            plan.names.id(&aux);
        }
        for b in &world.acct(a).buckets {
            plan.names.id(b);
        }
    }
    for s in &SERVICES {
        plan.names.id(s.linked_role.unwrap_or(""));
        plan.names.id(s.session);
    }
    for w in &WORKLOADS {
        plan.names.id(w.role);
        plan.names.id(w.session);
    }
}
