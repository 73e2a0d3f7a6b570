//! Writing the output tree: CloudTrail delivery files (one job per account,
//! region and day, run in parallel; events grouped into 5-minute delivery
//! files named as an organisation trail names them), the ground truth
//! sorted by event id, and the incident exports.
//!
//! ```text
//! cloudtrail/AWSLogs/<o-id>/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 alnum>.json.gz
//! ```

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::json::civil;
use crate::output::GzFile;
use crate::rng::{Rng, mix};
use crate::scenario::background;
use crate::scenario::cast::{ACCOUNTS, CI_ROLE, HUMANS, ORG_ID, REGIONS, SERVICES};
use crate::scenario::incidents::export::rfc3339;
use crate::scenario::plan::Plan;
use crate::scenario::record::{RenderCtx, Scratch, write_record};
use crate::scenario::resources::{WORKLOADS, World};
use crate::scenario::spec::{Actor, Spec, Truth, event_id};

/// Records per delivery file before it is split.
const MAX_PER_FILE: usize = 1500;
const WINDOW: i64 = 300;

/// One ground-truth row.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GtRow {
    pub id: [u8; 36],
    pub truth: Truth,
}

/// What one job wrote.
#[derive(Debug, Default)]
pub(crate) struct JobOut {
    pub rows: Vec<GtRow>,
    pub files: u64,
    pub bytes_uncompressed: u64,
    pub bytes_compressed: u64,
}

fn job_key(plan: &Plan, s: &Spec) -> usize {
    let day = ((s.t - plan.start).div_euclid(86_400)) as usize;
    (usize::from(s.acct) * REGIONS.len() + usize::from(s.region)) * plan.days as usize + day
}

/// Writes every CloudTrail file; returns the jobs' outputs in job order.
pub(crate) fn write_cloudtrail(plan: &Plan, world: &World, out: &Path) -> Result<Vec<JobOut>> {
    let days = plan.days as usize;
    let n_jobs = ACCOUNTS.len() * REGIONS.len() * days;
    let mut scripted: Vec<Vec<Spec>> = vec![Vec::new(); n_jobs];
    for s in &plan.specs {
        let k = job_key(plan, s);
        if let Some(v) = scripted.get_mut(k) {
            v.push(*s);
        }
    }
    let ctx = RenderCtx {
        seed: plan.seed,
        world,
        names: &plan.names,
        codex: &plan.codex,
        ci: &plan.ci,
    };
    scripted
        .into_par_iter()
        .enumerate()
        .map_init(Scratch::default, |sc, (j, extra)| {
            let acct = (j / days / REGIONS.len()) as u8;
            let region = ((j / days) % REGIONS.len()) as u8;
            let day = (j % days) as u32;
            let mut specs = background::job(plan, world, acct, region, day, j as u64);
            specs.extend(extra);
            specs.sort_by_key(|s| (s.t, s.uid));
            write_job(&ctx, sc, out, acct, region, &specs)
        })
        .collect()
}

fn write_job(
    ctx: &RenderCtx<'_>,
    sc: &mut Scratch,
    out: &Path,
    acct: u8,
    region: u8,
    specs: &[Spec],
) -> Result<JobOut> {
    let mut res = JobOut {
        rows: Vec::with_capacity(specs.len()),
        ..JobOut::default()
    };
    let acct_id = ACCOUNTS[acct as usize].id;
    let region_name = REGIONS[region as usize];
    let mut buf = Vec::with_capacity(1 << 20);
    let mut i = 0;
    let (mut part, mut last_window) = (0u64, i64::MIN);
    while i < specs.len() {
        let w = specs[i].t.div_euclid(WINDOW);
        let mut j = i;
        while j < specs.len() && specs[j].t.div_euclid(WINDOW) == w && j - i < MAX_PER_FILE {
            j += 1;
        }
        part = if w == last_window { part + 1 } else { 0 };
        last_window = w;
        let label = (w as u64) << 16 | part << 8 | u64::from(acct) << 4 | u64::from(region);
        let mut rng = Rng::new(mix(ctx.seed ^ 0xF11E, label));
        let delivered = (w + 1) * WINDOW + 60 + rng.below(180) as i64;
        let suffix = rng.alnum(16);
        let c = civil(delivered);
        let key = format!(
            "cloudtrail/AWSLogs/{ORG_ID}/{acct_id}/CloudTrail/{region_name}/{:04}/{:02}/{:02}/{acct_id}_CloudTrail_{region_name}_{:04}{:02}{:02}T{:02}{:02}Z_{suffix}.json.gz",
            c.year, c.month, c.day, c.year, c.month, c.day, c.hour, c.minute
        );
        buf.clear();
        buf.extend_from_slice(b"{\"Records\":[");
        for (k, s) in specs[i..j].iter().enumerate() {
            if k > 0 {
                buf.push(b',');
            }
            write_record(&mut buf, ctx, s, sc);
            res.rows.push(GtRow {
                id: event_id(ctx.seed, s.uid),
                truth: s.truth,
            });
        }
        buf.extend_from_slice(b"]}");
        let mut gz = GzFile::create(&out.join(&key))?;
        gz.write(&buf)?;
        let written = gz.finish()?;
        res.files += 1;
        res.bytes_uncompressed += written.uncompressed;
        res.bytes_compressed += written.compressed;
        i = j;
    }
    Ok(res)
}

/// The ground truth's actor column.
pub(crate) fn actor_name(a: Actor) -> &'static str {
    match a {
        Actor::Human(h) => HUMANS[h as usize].email,
        Actor::Agent(a) => a.as_str(),
        Actor::Service(s) => SERVICES[s as usize].principal,
        Actor::Ci => CI_ROLE,
        Actor::Workload(w) => WORKLOADS[w as usize].role,
    }
}

/// Writes `ground_truth.csv` (rows sorted by event id); returns its size.
pub(crate) fn write_ground_truth(plan: &Plan, rows: &mut [GtRow], out: &Path) -> Result<u64> {
    rows.par_sort_unstable_by(|a, b| a.id.cmp(&b.id));
    let path = out.join("ground_truth.csv");
    let f = std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
    w.write_all(b"event_id,actor_kind,actor,operator,agent_session_id,tool_call_id,case\n")?;
    let mut line = Vec::with_capacity(200);
    for r in rows.iter() {
        line.clear();
        line.extend_from_slice(&r.id);
        line.push(b',');
        line.extend_from_slice(r.truth.kind.as_str().as_bytes());
        line.push(b',');
        line.extend_from_slice(actor_name(r.truth.actor).as_bytes());
        line.push(b',');
        if let Some(op) = r.truth.operator {
            line.extend_from_slice(HUMANS[op as usize].email.as_bytes());
        }
        line.push(b',');
        if r.truth.call > 0
            && let Some(c) = plan.calls.get((r.truth.call - 1) as usize)
        {
            line.extend_from_slice(c.session_id.as_bytes());
            line.push(b',');
            line.extend_from_slice(c.call_id.as_bytes());
        } else {
            line.push(b',');
        }
        line.push(b',');
        line.extend_from_slice(r.truth.case.as_str().as_bytes());
        line.push(b'\n');
        w.write_all(&line)?;
    }
    w.flush()
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(std::fs::metadata(&path)?.len())
}

fn ids(plan: &Plan, uids: &[u64]) -> String {
    uids.iter()
        .map(|u| String::from_utf8_lossy(&event_id(plan.seed, *u)).into_owned())
        .collect::<Vec<_>>()
        .join(";")
}

/// Writes `incidents.csv` and `incident_truth.csv`; returns their sizes.
pub(crate) fn write_incidents(plan: &Plan, out: &Path) -> Result<u64> {
    let mut a =
        String::from("id,title,severity,started_at,ended_at,services,resources,cause_event_ids\n");
    let mut b = String::from("incident_id,cause_event_ids,actor_kind,actor\n");
    let mut incidents: Vec<_> = plan.incidents.iter().collect();
    incidents.sort_by_key(|i| i.started);
    for i in incidents {
        let causes = if i.export_causes {
            ids(plan, &i.causes)
        } else {
            String::new()
        };
        a.push_str(&format!(
            "{},\"{}\",{},{},{},{},{},{}\n",
            i.id,
            i.title.replace('"', "\"\""),
            i.severity,
            rfc3339(i.started),
            rfc3339(i.ended),
            i.services.join(";"),
            i.resources.join(";"),
            causes
        ));
        match &i.truth {
            Some((k, actor)) => b.push_str(&format!(
                "{},{},{},{}\n",
                i.id,
                ids(plan, &i.causes),
                k.as_str(),
                actor
            )),
            None => b.push_str(&format!("{},none,none,none\n", i.id)),
        }
    }
    let pa = out.join("incidents.csv");
    let pb = out.join("incident_truth.csv");
    std::fs::write(&pa, &a).with_context(|| format!("writing {}", pa.display()))?;
    std::fs::write(&pb, &b).with_context(|| format!("writing {}", pb.display()))?;
    Ok((a.len() + b.len()) as u64)
}
