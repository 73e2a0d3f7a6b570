//! The delivery plan and the S3 key layout.
//!
//! Before anything is written, the whole corpus is planned as a list of small
//! `FileJob`s: which account, region and 5-minute window each delivery file
//! covers and how many records it holds (they add up to exactly the events
//! asked for). Sorting the jobs and numbering them fixes each file's seed,
//! which is what makes the output independent of thread scheduling. Key
//! names follow AWS's layout for organisation trails:
//!
//! ```text
//! AWSLogs/<o-id>/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 alnum>.json.gz
//! AWSLogs/<o-id>/<acct>/CloudTrail-Insight/<region>/YYYY/MM/DD/<acct>_CloudTrail-Insight_<region>_<YYYYMMDDTHHmmZ>_<16 alnum>.json.gz
//! AWSLogs/<o-id>/<acct>/CloudTrail-Digest/<region>/YYYY/MM/DD/<acct>_CloudTrail-Digest_<region>_<trail>_<home region>_<YYYYMMDDTHHmmssZ>.json.gz
//! ```

use crate::corpus::config::CorpusConfig;
use crate::corpus::world::{HOME_REGION, REGIONS, World};
use crate::json::civil;
use crate::rng::{Rng, Weighted, mix};

pub(crate) const WINDOW_SECS: i64 = 300;
pub(crate) const WINDOWS_PER_DAY: u32 = 288;
pub(crate) const DAY_SECS: i64 = 86_400;

/// UTC hour-of-day activity: US and European working hours overlap.
const HOURLY: [u64; 24] = [
    30, 22, 18, 16, 16, 20, 32, 48, 70, 90, 100, 104, 108, 112, 118, 120, 116, 108, 96, 84, 70, 58,
    46, 36,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum FileKind {
    Log,
    /// One half of an insight: the `Start` or the `End` record.
    Insight {
        pair: u32,
        end: bool,
    },
}

#[derive(Clone, Debug)]
pub(crate) struct FileJob {
    pub account: u16,
    pub region: u8,
    /// 5-minute windows since the start of the first day.
    pub window: u32,
    pub kind: FileKind,
    pub records: u32,
    /// Position in the sorted plan; the file's seed derives from it.
    pub index: u32,
}

impl FileJob {
    pub(crate) fn seed(&self, cfg_seed: u64) -> u64 {
        mix(cfg_seed ^ 0xF11E_5EED, u64::from(self.index))
    }
}

#[derive(Debug)]
pub(crate) struct Plan {
    /// Epoch seconds of the first day, 00:00 UTC.
    pub start: i64,
    pub days: u32,
    pub jobs: Vec<FileJob>,
    /// (start window, end window) of each insight.
    pub insights: Vec<(u32, u32)>,
}

impl Plan {
    pub(crate) fn window_start(&self, window: u32) -> i64 {
        self.start + i64::from(window) * WINDOW_SECS
    }

    /// When a window's file is delivered (the time in its name).
    pub(crate) fn delivery(&self, window: u32) -> i64 {
        self.window_start(window) + WINDOW_SECS
    }
}

/// How many insights a corpus of `events` gets: a handful, never more than
/// a fraction of the records.
pub(crate) fn insight_pairs(events: u64) -> u32 {
    if events < 1000 {
        0
    } else {
        (events / 10_000).clamp(1, 100) as u32
    }
}

pub(crate) fn plan(cfg: &CorpusConfig, world: &World) -> Plan {
    let start = cfg.start.timestamp().div_euclid(DAY_SECS) * DAY_SECS;
    let days = cfg.days.max(1);
    let mut rng = Rng::new(mix(cfg.seed, 0x504C_414E)); // "PLAN"
    let pairs = insight_pairs(cfg.events);
    let log_events = cfg.events - 2 * u64::from(pairs);
    let per_file = u64::from(cfg.records_per_file.max(1));
    let files = log_events.div_ceil(per_file);

    let region_pick = Weighted::new(REGIONS.iter().map(|r| r.1));
    let day_pick = Weighted::new((0..days).map(|d| {
        let weekday = (start / DAY_SECS + i64::from(d) + 4).rem_euclid(7); // 0 = Sunday
        if weekday == 0 || weekday == 6 {
            35
        } else {
            100
        }
    }));
    let hour_pick = Weighted::new(HOURLY);
    let last_window = days * WINDOWS_PER_DAY - 1;
    let window = |rng: &mut Rng| -> u32 {
        let day = day_pick.sample(rng) as u32;
        let slot = hour_pick.sample(rng) as u32 * 12 + rng.below(12) as u32;
        // The last window of the last day would be delivered after the
        // range; keep every delivery inside it.
        (day * WINDOWS_PER_DAY + slot).min(last_window - 1)
    };

    let mut jobs: Vec<FileJob> = Vec::with_capacity(files as usize + 2 * pairs as usize);
    let mut weights = Vec::with_capacity(files as usize);
    for _ in 0..files {
        jobs.push(FileJob {
            account: world.pick_account.sample(&mut rng) as u16,
            region: region_pick.sample(&mut rng) as u8,
            window: window(&mut rng),
            kind: FileKind::Log,
            records: 1,
            index: 0,
        });
        weights.push(50 + rng.below(101));
    }
    // Every file has at least one record; the rest are spread by weight so
    // the total is exact.
    let extra = log_events - files;
    let total_w: u64 = weights.iter().sum();
    let mut acc = 0u64;
    let mut given = 0u64;
    for (job, w) in jobs.iter_mut().zip(&weights) {
        acc += w;
        let upto = (u128::from(extra) * u128::from(acc) / u128::from(total_w.max(1))) as u64;
        job.records += (upto - given) as u32;
        given = upto;
    }

    let mut insights = Vec::with_capacity(pairs as usize);
    for pair in 0..pairs {
        let mut prng = Rng::new(mix(cfg.seed, 0x1A5_0000 + u64::from(pair)));
        let account = world.pick_account.sample(&mut prng) as u16;
        let region = if prng.chance(0.7) {
            HOME_REGION as u8
        } else {
            region_pick.sample(&mut prng) as u8
        };
        let begin = window(&mut prng).min(last_window.saturating_sub(14));
        let end = (begin + prng.range(2, 12) as u32).min(last_window - 1);
        insights.push((begin, end));
        for (w, is_end) in [(begin, false), (end, true)] {
            jobs.push(FileJob {
                account,
                region,
                window: w,
                kind: FileKind::Insight { pair, end: is_end },
                records: 1,
                index: 0,
            });
        }
    }

    jobs.sort_by_key(|j| (j.account, j.region, j.window, j.kind));
    for (i, job) in jobs.iter_mut().enumerate() {
        job.index = i as u32;
    }
    Plan {
        start,
        days,
        jobs,
        insights,
    }
}

fn date_dir(epoch: i64) -> String {
    let c = civil(epoch);
    format!("{:04}/{:02}/{:02}", c.year, c.month, c.day)
}

/// `YYYYMMDDTHHmmZ`.
fn minute_stamp(epoch: i64) -> String {
    let c = civil(epoch);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}Z",
        c.year, c.month, c.day, c.hour, c.minute
    )
}

/// `YYYYMMDDTHHmmssZ`.
fn second_stamp(epoch: i64) -> String {
    let c = civil(epoch);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// The S3 key of a log or insight file delivered at `delivered`.
pub(crate) fn log_key(
    world: &World,
    account: &str,
    region: &str,
    delivered: i64,
    suffix: &str,
    insight: bool,
) -> String {
    let prefix = if insight {
        "CloudTrail-Insight"
    } else {
        "CloudTrail"
    };
    format!(
        "AWSLogs/{}/{account}/{prefix}/{region}/{}/{account}_{prefix}_{region}_{}_{suffix}.json.gz",
        world.org_id,
        date_dir(delivered),
        minute_stamp(delivered)
    )
}

/// The S3 key of a digest file whose period ends at `end`.
pub(crate) fn digest_key(world: &World, account: &str, region: &str, end: i64) -> String {
    format!(
        "AWSLogs/{}/{account}/CloudTrail-Digest/{region}/{}/{account}_CloudTrail-Digest_{region}_{}_{}_{}.json.gz",
        world.org_id,
        date_dir(end),
        world.trail,
        REGIONS[HOME_REGION].0,
        second_stamp(end)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps() {
        // 2025-12-01T09:05:07Z
        let t = 1_764_579_907;
        assert_eq!(minute_stamp(t), "20251201T0905Z");
        assert_eq!(second_stamp(t), "20251201T090507Z");
        assert_eq!(date_dir(t), "2025/12/01");
    }

    #[test]
    fn plan_counts_are_exact_and_deliveries_stay_in_range() {
        for (events, rpf) in [(1u64, 500u32), (999, 7), (20_000, 500), (123_457, 333)] {
            let cfg = CorpusConfig {
                events,
                records_per_file: rpf,
                ..CorpusConfig::default()
            };
            let world = World::build(&cfg);
            let p = plan(&cfg, &world);
            let total: u64 = p.jobs.iter().map(|j| u64::from(j.records)).sum();
            assert_eq!(total, events);
            let end = p.start + i64::from(p.days) * DAY_SECS;
            for j in &p.jobs {
                assert!(j.records >= 1);
                assert!(p.delivery(j.window) < end);
            }
        }
    }
}
