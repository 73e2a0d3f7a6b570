//! S3 fetch benchmark (issue 20): N small CloudTrail objects on a local
//! `moto_server`, ingested with 1, 8 and 32 requests in flight; prints
//! objects/s and MB/s for each, and each rate against 1 in flight measured
//! in the same run.
//!
//! `cargo bench --bench s3` (N = 20,000; `TB_BENCH_OBJECTS=N` changes it).
//! Needs `moto[server]` (`scripts/test-deps`). The objects are the sample's
//! CloudTrail files repeated under the organisation layout, one account per
//! copy. The rates are moto's (a Python server on the same cores) as much
//! as trailblame's: read them as ratios. Asserts nothing.

#[path = "../tests/s3_support/mod.rs"]
mod s3_support;

use s3_support::{Moto, s3_cmd};
use std::path::Path;
use std::time::Instant;

fn main() {
    let n: usize = std::env::var("TB_BENCH_OBJECTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/cloudtrail");
    let mut files = Vec::new();
    for e in walkdir::WalkDir::new(&sample).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e
                .path()
                .strip_prefix(&sample)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            files.push((rel, std::fs::read(e.path()).unwrap()));
        }
    }
    let moto = Moto::start();
    moto.create_bucket("bench");
    let mut objects = Vec::with_capacity(n);
    for i in 0..n {
        let (rel, bytes) = &files[i % files.len()];
        let copy = i / files.len();
        // AWSLogs/o-…/ACCOUNT/… → a distinct account per copy.
        let key = rel.replacen(
            "AWSLogs/o-7k2m9x4qpz/",
            &format!("AWSLogs/o-bench/{:012}/", copy),
            1,
        );
        objects.push((key, bytes.clone()));
    }
    let bytes: usize = objects.iter().map(|(_, b)| b.len()).sum();
    let t = Instant::now();
    moto.put_all("bench", objects);
    eprintln!(
        "uploaded {n} objects ({:.1} MB) in {:.1} s",
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let tmp = tempfile::tempdir().unwrap();
    let mut base = None;
    println!("in flight | seconds | objects/s | MB/s | vs 1");
    for in_flight in [1, 8, 32] {
        let store = tmp.path().join(format!("s{in_flight}"));
        let t = Instant::now();
        let out = s3_cmd(&moto.endpoint(), tmp.path())
            .args([
                "ingest",
                "s3://bench/AWSLogs",
                "--no-attribution",
                "-q",
                "--store",
            ])
            .arg(&store)
            .args(["--s3-in-flight", &in_flight.to_string()])
            .output()
            .unwrap();
        let secs = t.elapsed().as_secs_f64();
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rate = n as f64 / secs;
        let base_rate = *base.get_or_insert(rate);
        println!(
            "{in_flight:>9} | {secs:>7.1} | {rate:>9.0} | {:>4.2} | {:.2}x",
            bytes as f64 / 1e6 / secs,
            rate / base_rate
        );
    }
}
