//! The S3 inputs of one run, listed and sorted into fetch jobs before any
//! object is fetched: digest files, objects whose key day is outside the
//! window and objects already ingested (same key, ETag and size) are
//! counted and left unfetched.

use super::super::window::IngestWindow;
use super::fetch::Job;
use super::list::{self, Filters};
use super::{S3Options, S3Url};
use crate::progress::Progress;
use crate::store::file_lists::FileIndex;
use crate::store::manifest::S3Accounting;
use anyhow::{Context, Result};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

/// What to fetch, and what listing counted.
pub struct Prepared {
    pub rt: tokio::runtime::Runtime,
    pub jobs: Vec<Job>,
    pub accounting: S3Accounting,
    /// Bytes the jobs will fetch (from the listing).
    pub bytes_to_fetch: u64,
}

/// Whether a key is a CloudTrail digest file (never fetched).
pub fn is_digest(key: &str) -> bool {
    key.contains("/CloudTrail-Digest/")
        || key
            .rsplit('/')
            .next()
            .is_some_and(|n| n.contains("_CloudTrail-Digest_"))
}

/// Lists every `s3://` input. An input that cannot be listed (no such
/// bucket, credentials refused) ends the run with an error naming it.
pub fn prepare(
    inputs: &[&PathBuf],
    opts: &S3Options,
    window: &IngestWindow,
    ingested: &FileIndex,
    progress: &Progress,
) -> Result<Prepared> {
    let rt = super::runtime()?;
    let known: HashSet<(&str, u64, &str)> = ingested
        .values()
        .filter_map(|e| Some((e.path.as_str(), e.size, e.etag.as_deref()?)))
        .collect();
    let mut acc = S3Accounting::default();
    let mut jobs = Vec::new();
    let mut bytes_to_fetch = 0;
    let mut seen = HashSet::new();
    let spinner = progress.spinner("listing S3");
    for input in inputs {
        let text = input.to_string_lossy();
        let url = S3Url::parse(&text)?;
        let store: Arc<dyn object_store::ObjectStore> = Arc::new(super::client(&url, opts, &rt)?);
        let filters = Filters { window, opts };
        let listing = rt
            .block_on(list::list(store.as_ref(), &url.prefix, &filters))
            .with_context(|| format!("{text}: cannot list"))?;
        acc.list_requests += listing.list_requests;
        for object in listing.objects {
            let display = url.display(&object.key);
            // Two inputs that overlap give each object once.
            if !seen.insert(display.clone()) {
                continue;
            }
            acc.listed += 1;
            if is_digest(&object.key) {
                acc.skipped_digest += 1;
            } else if !window.may_hold(&object.key) {
                acc.skipped_window += 1;
            } else if object
                .etag
                .as_deref()
                .is_some_and(|e| known.contains(&(display.as_str(), object.size, e)))
            {
                acc.skipped_already_ingested += 1;
            } else {
                bytes_to_fetch += object.size;
                jobs.push(Job {
                    store: store.clone(),
                    object,
                    display,
                });
            }
        }
        spinner.set_message(format!("listing S3: {} objects", acc.listed));
    }
    spinner.finish_and_clear();
    Ok(Prepared {
        rt,
        jobs,
        accounting: acc,
        bytes_to_fetch,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_by_folder_and_name() {
        assert!(is_digest(
            "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2025/12/08/x.json.gz"
        ));
        assert!(is_digest(
            "x/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20251208T0000Z.json.gz"
        ));
        assert!(!is_digest(
            "AWSLogs/111122223333/CloudTrail/us-east-1/2025/12/08/f.json.gz"
        ));
    }
}
