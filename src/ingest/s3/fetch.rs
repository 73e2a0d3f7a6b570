//! Fetching S3 objects: at most `in_flight` GETs at once, results handed
//! on in key order, grouped into the same windows local files are read in.
//!
//! `buffered` (not `buffer_unordered`) keeps the listing's order, so the
//! merge sees objects in key order whatever order the responses arrive in,
//! and the store is the same at any concurrency. Throttling and 5xx are
//! retried by the client with exponential backoff (`super::client`); an
//! object that still fails is passed on as an error, which the reader
//! turns into an `unreadable` file named by its key, and the run goes on.
//! A full window waits (backpressure) until the readers take it, so at
//! most two windows of bytes are held.

use super::list::ObjectRef;
use bytes::Bytes;
use futures::stream::{self, StreamExt};
use object_store::ObjectStore;
use std::sync::Arc;

/// One object to fetch, from the store of its input.
pub struct Job {
    pub store: Arc<dyn ObjectStore>,
    pub object: ObjectRef,
    /// `s3://bucket/key`, as messages and tables name it.
    pub display: String,
}

/// One object fetched, or why it could not be.
pub struct Fetched {
    pub object: ObjectRef,
    pub display: String,
    pub bytes: Result<Bytes, String>,
}

/// Window limits: the same as local files' (`read_phase`).
pub struct WindowLimits {
    pub bytes: u64,
    pub files: usize,
}

/// Fetches every job, calling `send` with each full window (and the
/// last); stops early when `send` returns false (the run stopped).
pub fn fetch_all(
    rt: &tokio::runtime::Runtime,
    jobs: Vec<Job>,
    in_flight: usize,
    limits: &WindowLimits,
    mut send: impl FnMut(Vec<Fetched>) -> bool,
) {
    rt.block_on(async {
        let mut results = stream::iter(jobs)
            .map(|j| async move {
                let got = match j.store.get(&j.object.location).await {
                    Ok(r) => r.bytes().await,
                    Err(e) => Err(e),
                };
                Fetched {
                    bytes: got.map_err(|e| format!("cannot fetch: {e}")),
                    object: j.object,
                    display: j.display,
                }
            })
            .buffered(in_flight.max(1));
        let mut window = Vec::new();
        let mut bytes = 0u64;
        while let Some(f) = results.next().await {
            bytes += f.bytes.as_ref().map_or(0, |b| b.len() as u64);
            window.push(f);
            if bytes >= limits.bytes || window.len() >= limits.files {
                bytes = 0;
                if !send(std::mem::take(&mut window)) {
                    return;
                }
            }
        }
        if !window.is_empty() {
            send(window);
        }
    });
}
