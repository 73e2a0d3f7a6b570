//! CloudTrail digest files (log file integrity validation): one per account,
//! region and day, listing the log files delivered that day with their
//! hashes and event-time range, and chained to the previous day's digest by
//! its key, hash and signature.
//!
//! Real trails write digests hourly; a daily period keeps the count
//! predictable (accounts × regions × days) while keeping the fields and the
//! chain. A day covers files whose delivery time falls on it. Hashes and
//! signatures have the real shapes but are not cryptographic (see
//! `output`). Chains are written sequentially per (account, region); the
//! chains themselves run in parallel.

use anyhow::Result;
use std::path::Path;

use crate::corpus::layout::{DAY_SECS, Plan, digest_key};
use crate::corpus::world::{REGIONS, World};
use crate::json::{Obj, iso};
use crate::output::{GzFile, hash_hex, signature_hex};

/// A delivered log file as a digest lists it.
#[derive(Clone, Debug)]
pub(crate) struct LogFile {
    pub key: String,
    pub delivered: i64,
    pub oldest: i64,
    pub newest: i64,
    pub hash: u128,
}

/// The previous digest in a chain.
struct Previous {
    key: String,
    hash: u128,
}

fn fingerprint(world: &World, region: &str) -> String {
    let h = xxhash_rust::xxh3::xxh3_128(format!("{}|{region}", world.bucket).as_bytes());
    format!("{h:032x}")
}

/// Writes the digests of one (account, region) for every day of the plan;
/// `files` must be that account and region's log files, in delivery order.
/// Returns how many digest files it wrote.
pub(crate) fn write_chain(
    out_dir: &Path,
    world: &World,
    plan: &Plan,
    account: usize,
    region: usize,
    files: &[&LogFile],
) -> Result<u64> {
    let acct = &world.accounts[account].id;
    let region_name = REGIONS[region].0;
    let fp = fingerprint(world, region_name);
    let mut previous: Option<Previous> = None;
    let mut buf = Vec::with_capacity(4096);
    let mut at = 0usize;
    let mut written = 0u64;
    for day in 0..plan.days {
        let start = plan.start + i64::from(day) * DAY_SECS;
        let end = start + DAY_SECS - 1;
        let from = at;
        while at < files.len() && files[at].delivered <= end {
            at += 1;
        }
        let today = &files[from..at];
        let key = digest_key(world, acct, region_name, end);

        buf.clear();
        let mut o = Obj::new(&mut buf);
        o.str("awsAccountId", acct)
            .str("digestStartTime", &iso(start))
            .str("digestEndTime", &iso(end))
            .str("digestS3Bucket", &world.bucket)
            .str("digestS3Object", &key)
            .str("digestPublicKeyFingerprint", &fp)
            .str("digestSignatureAlgorithm", "SHA256withRSA");
        let newest = today.iter().map(|f| f.newest).max();
        let oldest = today.iter().map(|f| f.oldest).min();
        match (newest, oldest) {
            (Some(n), Some(old)) => {
                o.time("newestEventTime", n).time("oldestEventTime", old);
            }
            _ => {
                o.null("newestEventTime").null("oldestEventTime");
            }
        }
        match &previous {
            Some(p) => {
                o.str("previousDigestS3Bucket", &world.bucket)
                    .str("previousDigestS3Object", &p.key)
                    .str("previousDigestHashValue", &hash_hex(p.hash))
                    .str("previousDigestHashAlgorithm", "SHA-256")
                    .str("previousDigestSignature", &signature_hex(p.hash));
            }
            None => {
                o.null("previousDigestS3Bucket")
                    .null("previousDigestS3Object")
                    .null("previousDigestHashValue")
                    .null("previousDigestHashAlgorithm")
                    .null("previousDigestSignature");
            }
        }
        {
            let mut list = o.arr("logFiles");
            for f in today {
                list.obj()
                    .str("s3Bucket", &world.bucket)
                    .str("s3Object", &f.key)
                    .str("hashValue", &hash_hex(f.hash))
                    .str("hashAlgorithm", "SHA-256")
                    .time("newestEventTime", f.newest)
                    .time("oldestEventTime", f.oldest)
                    .end();
            }
            list.end();
        }
        o.end();

        let mut gz = GzFile::create(&out_dir.join(&key))?;
        gz.write(&buf)?;
        let w = gz.finish()?;
        written += 1;
        previous = Some(Previous { key, hash: w.hash });
    }
    Ok(written)
}
