//! `s3://bucket/prefix` inputs: objects listed (`list`), fetched with
//! bounded concurrency and retries (`fetch`), and handed, in key order, to
//! the same reader a local file goes through (`read_phase::read_chunk`).
//!
//! The client is the Apache Arrow `object_store` crate's S3 store: SigV4,
//! retries with exponential backoff on throttling and 5xx, credentials
//! from the environment, web identity, the container endpoint or instance
//! metadata. Shared config profiles (`--profile`, `AWS_PROFILE`) are read
//! by `credentials`. `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL` point it
//! at an S3-compatible store. Only the bucket and prefixes the user gave
//! are read: nothing named inside a log is ever fetched.

pub mod credentials;
pub mod fetch;
pub mod list;
pub mod source;

use anyhow::{Context, Result, bail};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::{BackoffConfig, ClientOptions, RetryConfig};
use std::path::Path;
use std::time::Duration;

/// How S3 inputs are read (`--profile`, `--account`, `--region`, `--s3-in-flight`).
#[derive(Clone, Debug)]
pub struct S3Options {
    /// A shared config profile; `AWS_PROFILE` when `None`.
    pub profile: Option<String>,
    /// Only these accounts' prefixes are listed (all when empty).
    pub accounts: Vec<String>,
    /// Only these regions' prefixes are listed (all when empty).
    pub regions: Vec<String>,
    /// Requests in flight at once, for listing and for fetching.
    pub in_flight: usize,
}

impl Default for S3Options {
    fn default() -> Self {
        S3Options {
            profile: None,
            accounts: Vec::new(),
            regions: Vec::new(),
            in_flight: 16,
        }
    }
}

/// A parsed `s3://bucket/prefix` input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Url {
    pub bucket: String,
    /// The prefix without leading or trailing `/` (empty: the whole bucket).
    pub prefix: String,
}

impl S3Url {
    pub fn parse(s: &str) -> Result<S3Url> {
        let Some(rest) = s.strip_prefix("s3://") else {
            bail!("{s}: not an s3:// URL");
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let valid = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if !valid {
            bail!("{s}: {bucket:?} is not an S3 bucket name (3 to 63 of a-z, 0-9, '-', '.')");
        }
        Ok(S3Url {
            bucket: bucket.to_string(),
            prefix: prefix.trim_matches('/').to_string(),
        })
    }

    /// How an object under this bucket is named in messages and tables.
    pub fn display(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }
}

/// Whether an input path is an `s3://` URL.
pub fn is_s3(p: &Path) -> bool {
    p.to_str().is_some_and(|s| s.starts_with("s3://"))
}

/// The endpoint an S3-compatible store is reached at, if one is set.
pub fn endpoint_from_env() -> Option<String> {
    ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
}

/// One S3 client per bucket, built from the standard credential chain.
pub fn client(url: &S3Url, opts: &S3Options, rt: &tokio::runtime::Runtime) -> Result<AmazonS3> {
    let mut b = AmazonS3Builder::from_env().with_bucket_name(&url.bucket);
    let endpoint = endpoint_from_env();
    let mut region = std::env::var("AWS_REGION")
        .or_else(|_| std::env::var("AWS_DEFAULT_REGION"))
        .ok();
    let profile = credentials::resolve(opts.profile.as_deref())?;
    if let Some(p) = &profile {
        if let Some(c) = &p.credentials {
            b = b
                .with_access_key_id(&c.access_key_id)
                .with_secret_access_key(&c.secret_access_key);
            if let Some(t) = &c.session_token {
                b = b.with_token(t);
            }
        }
        if region.is_none() {
            region.clone_from(&p.region);
        }
    }
    let client_options = ClientOptions::new()
        .with_allow_http(
            endpoint
                .as_deref()
                .is_some_and(|e| e.starts_with("http://")),
        )
        .with_connect_timeout(Duration::from_secs(10))
        .with_timeout(Duration::from_secs(120));
    if let Some(e) = &endpoint {
        b = b.with_endpoint(e).with_virtual_hosted_style_request(false);
    } else if region.is_none() {
        // The bucket says where it lives (one unauthenticated HEAD).
        let found = rt.block_on(object_store::aws::resolve_bucket_region(
            &url.bucket,
            &client_options,
        ));
        region = found.ok();
    }
    b = b
        .with_region(region.unwrap_or_else(|| "us-east-1".to_string()))
        .with_client_options(client_options)
        .with_retry(RetryConfig {
            backoff: BackoffConfig {
                init_backoff: Duration::from_millis(100),
                max_backoff: Duration::from_secs(15),
                base: 2.0,
            },
            max_retries: 8,
            retry_timeout: Duration::from_secs(120),
        });
    b.build()
        .with_context(|| format!("s3://{}: setting up the S3 client", url.bucket))
}

/// The runtime S3 requests run on: I/O only, on the calling thread.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the S3 I/O runtime")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u = S3Url::parse("s3://my-trail/AWSLogs/o-abc/").unwrap();
        assert_eq!(u.bucket, "my-trail");
        assert_eq!(u.prefix, "AWSLogs/o-abc");
        assert_eq!(S3Url::parse("s3://b.c1").unwrap().prefix, "");
        assert!(S3Url::parse("s3://Bad_Bucket/x").is_err());
        assert!(S3Url::parse("/local").is_err());
        assert_eq!(u.display("k/f.json"), "s3://my-trail/k/f.json");
    }
}
