//! A deterministic generator of synthetic AWS CloudTrail deliveries, for
//! benchmarks and test scenarios.
//!
//! `generate` writes an S3-shaped tree (`AWSLogs/o-…/<acct>/CloudTrail/…`)
//! of gzipped `{"Records":[…]}` files plus daily digest files and a few
//! CloudTrail Insights files. The records look like a real organisation's:
//! the same people, roles, buckets and tools recur; every
//! `userIdentity.type` appears; about three calls in four are read-only and
//! a few per cent fail. Output depends only on the configuration: each file
//! is planned up front and seeded from (seed, file index), so any number of
//! rayon threads writes the same bytes. Files are streamed to disk; memory
//! holds only the plan and one file's buffer per thread.
//!
//! Code map: `config` says what to generate; `world` (with `population`
//! filling each account with `principal`s) builds the organisation,
//! `layout` plans files and names keys, `record` writes one record using
//! `identity`, `user_agent`, `errors` and the `events` catalog, `insight`
//! and `digest` write the other two file kinds. The crate's `output` does
//! gzip; `json` and `rng` are the small tools everything uses.

mod config;
mod digest;
mod errors;
mod events;
mod identity;
mod insight;
mod layout;
mod population;
mod principal;
mod record;
mod user_agent;
mod world;

#[cfg(test)]
mod tests;

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use std::path::Path;

pub use config::{CorpusConfig, CorpusStats};

use crate::output::GzFile;
use crate::rng::Rng;
use digest::LogFile;
use events::Catalog;
use insight::{Half, Insight};
use layout::{FileJob, FileKind, Plan, WINDOW_SECS};
use record::{FileCtx, Scratch};
use world::{REGIONS, World};

/// Writes the corpus described by `cfg` under `out_dir` (created if needed).
/// Uses the current rayon pool; output is identical for any pool size.
pub fn generate(cfg: &CorpusConfig, out_dir: &Path) -> Result<CorpusStats> {
    if !(1..=20).contains(&cfg.accounts) {
        bail!("accounts must be between 1 and 20, got {}", cfg.accounts);
    }
    if cfg.days == 0 {
        bail!("days must be at least 1");
    }
    if cfg.records_per_file == 0 {
        bail!("records_per_file must be at least 1");
    }
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("creating output directory {}", out_dir.display()))?;

    let world = World::build(cfg);
    let catalog = Catalog::build();
    let plan = layout::plan(cfg, &world);
    let shared = Shared {
        cfg,
        world: &world,
        catalog: &catalog,
        plan: &plan,
        out_dir,
    };

    let outcomes: Vec<Outcome> = plan
        .jobs
        .par_iter()
        .map_init(Worker::default, |w, job| write_file(&shared, w, job))
        .collect::<Result<Vec<_>>>()?;

    let mut stats = CorpusStats::default();
    for o in &outcomes {
        stats.files += 1;
        stats.events += o.events;
        stats.bytes_uncompressed += o.uncompressed;
        stats.bytes_compressed += o.compressed;
    }

    // Digests: one chain per (account, region), over log files only.
    let chains: Vec<(usize, usize)> = (0..world.accounts.len())
        .flat_map(|a| (0..REGIONS.len()).map(move |r| (a, r)))
        .collect();
    let digests: Vec<u64> = chains
        .par_iter()
        .map(|&(a, r)| {
            let mut files: Vec<&LogFile> = outcomes
                .iter()
                .filter(|o| o.account == a && o.region == r)
                .filter_map(|o| o.log.as_ref())
                .collect();
            files.sort_by_key(|f| f.delivered);
            digest::write_chain(out_dir, &world, &plan, a, r, &files)
        })
        .collect::<Result<Vec<_>>>()?;
    stats.digest_files = digests.iter().sum();
    Ok(stats)
}

/// Read-only state every file job sees.
struct Shared<'a> {
    cfg: &'a CorpusConfig,
    world: &'a World,
    catalog: &'a Catalog,
    plan: &'a Plan,
    out_dir: &'a Path,
}

/// Buffers one rayon worker reuses across files.
#[derive(Default)]
struct Worker {
    buf: Vec<u8>,
    times: Vec<i64>,
    scratch: Scratch,
}

/// What writing one file produced.
struct Outcome {
    account: usize,
    region: usize,
    events: u64,
    uncompressed: u64,
    compressed: u64,
    /// Set for `CloudTrail/` files, which digests list.
    log: Option<LogFile>,
}

/// Flush the uncompressed buffer to the encoder past this size, so a file of
/// any size needs bounded memory.
const FLUSH_AT: usize = 1 << 20;

fn write_file(shared: &Shared<'_>, w: &mut Worker, job: &FileJob) -> Result<Outcome> {
    let world = shared.world;
    let plan = shared.plan;
    let acct = &world.accounts[usize::from(job.account)];
    let region_idx = usize::from(job.region);
    let region = REGIONS[region_idx].0;
    let mut rng = Rng::new(job.seed(shared.cfg.seed));
    let suffix = rng.alnum(16);
    let window_start = plan.window_start(job.window);
    let delivered = plan.delivery(job.window);
    let insight = matches!(job.kind, FileKind::Insight { .. });
    let key = layout::log_key(world, &acct.id, region, delivered, &suffix, insight);
    let mut gz = GzFile::create(&shared.out_dir.join(&key))?;

    // Event times: sorted within the window, second resolution.
    w.times.clear();
    w.times
        .extend((0..job.records).map(|_| window_start + rng.below(WINDOW_SECS as u64) as i64));
    w.times.sort_unstable();

    w.buf.clear();
    w.buf.extend_from_slice(b"{\"Records\":[");
    match job.kind {
        FileKind::Log => {
            let ctx = FileCtx {
                world,
                catalog: shared.catalog,
                acct,
                region_idx,
            };
            for (i, &t) in w.times.iter().enumerate() {
                if i > 0 {
                    w.buf.push(b',');
                }
                record::write_record(&mut w.buf, &mut rng, &ctx, t, &mut w.scratch);
                if w.buf.len() >= FLUSH_AT {
                    gz.write(&w.buf)?;
                    w.buf.clear();
                }
            }
        }
        FileKind::Insight { pair, end } => {
            let the = Insight::new(shared.cfg.seed, pair, acct);
            let (begin, finish) = plan.insights[pair as usize];
            let half = Half {
                t: w.times[0],
                end,
                duration_minutes: i64::from(finish - begin) * WINDOW_SECS / 60,
            };
            insight::write_insight(&mut w.buf, &mut rng, &the, acct, region, half);
        }
    }
    w.buf.extend_from_slice(b"]}");
    gz.write(&w.buf)?;
    let written = gz.finish()?;

    let oldest = w.times.first().copied().unwrap_or(window_start);
    let newest = w.times.last().copied().unwrap_or(window_start);
    Ok(Outcome {
        account: usize::from(job.account),
        region: region_idx,
        events: u64::from(job.records),
        uncompressed: written.uncompressed,
        compressed: written.compressed,
        log: (!insight).then_some(LogFile {
            key,
            delivered,
            oldest,
            newest,
            hash: written.hash,
        }),
    })
}
