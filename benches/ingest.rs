//! Ingest benchmark: ingest N synthetic events and, in the same run, `gzip -dc`
//! of the same files as the baseline; then `summary` on the store.
//!
//! Two corpora of the same organisation: `large` (N events in files of ~420
//! records, ~2,400 files for 1M) and `small` (N events in files of 20
//! records, 50,000 files for 1M: CloudTrail's real delivery shape, in the S3
//! layout).
//!
//! A third, `hostile`, measures the hard memory bounds (issue 23): a gzip
//! bomb (1 GiB of zeros behind a record), a record whose user agent is
//! 1 GiB, and a 5 GiB sparse plain file, each ingested on its own with the
//! default limits; it prints each run's peak RSS (target <= 1 GiB).
//!
//! A fourth, `incremental` (issue 24), adds `TB_BENCH_NEW` (default 1,000)
//! new events of one day, in files of 20 records, to a store of 3×N events
//! of the small-files corpus that already holds that day, and the same
//! files to an empty store (the baseline); it prints the ratio, wall time
//! and peak RSS (targets <= 1.5×, <= 1 s, <= 300 MiB), with and without
//! the attribution, and the stage timings of one run.
//!
//! `cargo bench --bench ingest` (N = 1,000,000, large and small). Environment:
//! `TB_BENCH_CORPORA=large,small,hostile,incremental` chooses the corpora (one is enough
//! for a quick run); `TB_BENCH_EVENTS=N` changes N; `TB_BENCH_RUNS=K` (default 3)
//! measures gzip and ingest in turn K times and prints the medians and the
//! paired ratios; `TB_BENCH_SCALE=3` also ingests 3×N of each chosen corpus
//! (3M events in 150,000 files for `small`) and prints its peak RSS against
//! the N runs' highest. Data is cached under `target/bench-data/`. Prints
//! ratios, asserts nothing: benchmarks are not tests.

mod common;

use common::{bin, files_under, synth_corpus, synth_small_files};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

struct Measured {
    wall: Duration,
    max_rss_kib: i64,
}

/// Runs a command, returning wall time and the child's peak RSS.
fn measure(cmd: &mut Command) -> Measured {
    let t = Instant::now();
    let child = cmd.spawn().expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our child; status and usage are valid out-pointers.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4");
    let wall = t.elapsed();
    assert!(libc::WIFEXITED(status), "child did not exit normally");
    let code = libc::WEXITSTATUS(status);
    assert!(code == 0 || code == 1, "{cmd:?} exited with {code}");
    std::mem::forget(child);
    Measured {
        wall,
        max_rss_kib: usage.ru_maxrss,
    }
}

fn gz_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = files_under(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "gz"))
        .collect();
    v.sort();
    v
}

fn gzip_baseline(files: &[PathBuf]) -> Duration {
    let mut total = Duration::ZERO;
    for chunk in files.chunks(2000) {
        let m = measure(
            Command::new("gzip")
                .arg("-dc")
                .args(chunk)
                .stdout(std::process::Stdio::null()),
        );
        total += m.wall;
    }
    total
}

fn ingest(dir: &Path) -> (Measured, tempfile::TempDir) {
    let store = tempfile::tempdir().unwrap();
    let m = ingest_into(dir, store.path(), &[]);
    (m, store)
}

fn ingest_into(dir: &Path, store: &Path, extra: &[&str]) -> Measured {
    measure(
        Command::new(bin())
            .arg("ingest")
            .arg(dir)
            .arg("--store")
            .arg(store)
            .args(["--progress", "off", "--quiet"])
            .args(extra),
    )
}

/// Which corpus, and how to get it for a number of events.
#[derive(Clone, Copy, PartialEq)]
enum Corpus {
    Large,
    Small,
    Hostile,
    Incremental,
}

/// Records per file of the small-files corpus.
const SMALL_RECORDS_PER_FILE: u32 = 20;
/// Ingest wall time against `gzip -dc` (issue 24: two cores and a one-call
/// inflate need not pay gzip's per-member cost).
const SMALL_TARGET: f64 = 0.7;

impl Corpus {
    fn name(self) -> &'static str {
        match self {
            Corpus::Large => "large files",
            Corpus::Small => "small files",
            Corpus::Hostile => "hostile",
            Corpus::Incremental => "incremental",
        }
    }

    fn dir(self, events: u64) -> PathBuf {
        match self {
            Corpus::Large => synth_corpus(events),
            Corpus::Small => synth_small_files(events, SMALL_RECORDS_PER_FILE),
            Corpus::Hostile => hostile_inputs(),
            Corpus::Incremental => new_events(events),
        }
    }

    fn target(self) -> f64 {
        match self {
            Corpus::Large => 1.0,
            Corpus::Small => SMALL_TARGET,
            Corpus::Hostile | Corpus::Incremental => 1.0,
        }
    }
}

fn env_num<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

fn main() {
    let events: u64 = env_num("TB_BENCH_EVENTS").unwrap_or(1_000_000);
    let scale: u64 = env_num("TB_BENCH_SCALE").unwrap_or(1);
    let runs: usize = env_num("TB_BENCH_RUNS")
        .filter(|n: &usize| *n > 0)
        .unwrap_or(3);
    let chosen = std::env::var("TB_BENCH_CORPORA").unwrap_or_else(|_| "large,small".into());
    let mut corpora = Vec::new();
    for name in chosen.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match name {
            "large" => corpora.push(Corpus::Large),
            "small" => corpora.push(Corpus::Small),
            "hostile" => corpora.push(Corpus::Hostile),
            "incremental" => corpora.push(Corpus::Incremental),
            other => panic!(
                "TB_BENCH_CORPORA: unknown corpus {other:?} (large, small, hostile, incremental)"
            ),
        }
    }
    for corpus in corpora {
        if corpus == Corpus::Hostile {
            bench_hostile();
        } else if corpus == Corpus::Incremental {
            bench_incremental(events, runs);
        } else {
            bench_corpus(corpus, events, runs, scale);
        }
    }
}

const RECORD: &str = r#"{"eventVersion":"1.08","eventID":"@ID@","eventTime":"2025-12-08T09:01:02Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"us-east-1","userAgent":"@UA@"}"#;

/// `target/bench-data/hostile/`: one file per attack, made once.
fn hostile_inputs() -> PathBuf {
    use std::io::Write;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/hostile");
    let stamp = dir.join(".complete");
    if stamp.exists() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let record = |id: &str, ua: &str| RECORD.replace("@ID@", id).replace("@UA@", ua);
    let gz = |name: &str, write: &dyn Fn(&mut dyn Write)| {
        let file = std::fs::File::create(dir.join(name)).unwrap();
        let mut enc = flate2::write::GzEncoder::new(
            std::io::BufWriter::new(file),
            flate2::Compression::fast(),
        );
        write(&mut enc);
        enc.finish().unwrap().flush().unwrap();
    };
    let mb = vec![0u8; 1 << 20];
    gz("bomb.json.gz", &|w| {
        w.write_all(format!("{{\"Records\":[{}]}}", record("b0", "x")).as_bytes())
            .unwrap();
        for _ in 0..1024 {
            w.write_all(&mb).unwrap();
        }
    });
    let filler = vec![b'a'; 1 << 20];
    gz("huge-user-agent.json.gz", &|w| {
        let head = format!("{{\"Records\":[{},", record("h0", "x"));
        let (before, after) = RECORD.split_once("@UA@").unwrap();
        w.write_all(head.as_bytes()).unwrap();
        w.write_all(before.replace("@ID@", "h1").as_bytes())
            .unwrap();
        for _ in 0..1024 {
            w.write_all(&filler).unwrap();
        }
        w.write_all(after.as_bytes()).unwrap();
        w.write_all(b"]}").unwrap();
    });
    let sparse = dir.join("sparse.jsonl");
    std::fs::write(&sparse, record("s0", "x") + "\n").unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&sparse)
        .unwrap()
        .set_len(5 << 30)
        .unwrap();
    std::fs::write(&stamp, "").unwrap();
    dir
}

/// Each hostile input ingested on its own, with the default limits.
fn bench_hostile() {
    let dir = Corpus::Hostile.dir(0);
    println!("ingest benchmark, hostile inputs (default limits), one run each:");
    for name in ["bomb.json.gz", "huge-user-agent.json.gz", "sparse.jsonl"] {
        let (m, _store) = ingest(&dir.join(name));
        println!(
            "  {name:<26} {:>6.2} s   peak RSS {:>6.0} MiB (target <= 1024)",
            m.wall.as_secs_f64(),
            m.max_rss_kib as f64 / 1024.0
        );
    }
}

fn bench_corpus(corpus: Corpus, events: u64, runs: usize, scale: u64) {
    let mut peak_kib = 0;
    let dir = corpus.dir(events);
    let files = gz_files(&dir);
    let bytes: u64 = files.iter().map(|f| f.metadata().unwrap().len()).sum();
    // Warm the page cache so neither side pays for the first read.
    let _ = gzip_baseline(&files);
    // Both sides measured in turn, several times: this machine's speed
    // drifts by 10% from one minute to the next, and a paired ratio cancels
    // most of it.
    let mut pairs = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let gz = gzip_baseline(&files);
        let (ing, store) = ingest(&dir);
        pairs.push((gz, ing.wall));
        peak_kib = peak_kib.max(ing.max_rss_kib);
        last = Some(store);
    }
    let store = last.expect("at least one run");
    let mut ratios: Vec<f64> = pairs
        .iter()
        .map(|(gz, ing)| ing.as_secs_f64() / gz.as_secs_f64())
        .collect();
    ratios.sort_by(f64::total_cmp);
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let best = |v: Vec<f64>| v.into_iter().fold(f64::INFINITY, f64::min);
    let gz = median(pairs.iter().map(|p| p.0.as_secs_f64()).collect());
    let ing = median(pairs.iter().map(|p| p.1.as_secs_f64()).collect());
    let ing_best = best(pairs.iter().map(|p| p.1.as_secs_f64()).collect());
    println!(
        "ingest benchmark, {}: {events} events, {} files, {:.1} MB gzip, {runs} paired runs",
        corpus.name(),
        files.len(),
        bytes as f64 / 1e6
    );
    println!("  gzip -dc (baseline)   {gz:>8.2} s   median");
    println!(
        "  trailblame ingest     {ing:>8.2} s   median (best {ing_best:.2} s); ratio {:.2} × gzip -dc, median of the pairs (range {:.2}–{:.2}; target <= {:.1})",
        ratios[ratios.len() / 2],
        ratios[0],
        ratios[ratios.len() - 1],
        corpus.target()
    );
    println!(
        "  ingest peak RSS       {:>8.0} MiB, the highest of the runs (target <= 1024)",
        peak_kib as f64 / 1024.0
    );
    if corpus == Corpus::Large {
        let sum = measure(
            Command::new(bin())
                .arg("summary")
                .arg("--store")
                .arg(store.path())
                .stdout(std::process::Stdio::null()),
        );
        println!(
            "  summary               {:>8.2} s   (target <= 1.0)",
            sum.wall.as_secs_f64()
        );
    }
    drop(store);
    if scale > 1 {
        let big = corpus.dir(events * scale);
        let big_files = gz_files(&big);
        // Warm the page cache as for the first run.
        let _ = gzip_baseline(&big_files);
        let (ing_big, _s) = ingest(&big);
        println!(
            "  ingest of {}× ({} files): {:.2} s, peak RSS {:.0} MiB = {:.2} × the {events}-event peak (target <= 1.2)",
            scale,
            big_files.len(),
            ing_big.wall.as_secs_f64(),
            ing_big.max_rss_kib as f64 / 1024.0,
            ing_big.max_rss_kib as f64 / peak_kib as f64
        );
    }
}

/// Events added by the incremental benchmark: `new` records on 2025-12-14,
/// the last day of the 14-day corpus, in files of 20 records (another seed,
/// so none is a duplicate).
fn new_events(new: u64) -> PathBuf {
    use chrono::TimeZone;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/bench-data/new-{new}"));
    let stamp = dir.join(".complete");
    if !stamp.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let cfg = trailblame_synth::corpus::CorpusConfig {
            events: new,
            seed: 43,
            start: chrono::Utc
                .with_ymd_and_hms(2025, 12, 14, 0, 0, 0)
                .single()
                .unwrap(),
            days: 1,
            accounts: 3,
            records_per_file: SMALL_RECORDS_PER_FILE,
        };
        trailblame_synth::corpus::generate(&cfg, &dir).expect("synth");
        std::fs::write(&stamp, "").unwrap();
    }
    dir
}

/// Copies a store folder (`cp -a`: the store is a few hundred MB).
fn copy_store(from: &Path, to: &Path) {
    let ok = Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", from.display()))
        .arg(to)
        .status()
        .expect("cp runs")
        .success();
    assert!(ok, "cp -a {} {}", from.display(), to.display());
}

/// Issue 24: new events into a large store against the same into an empty one.
fn bench_incremental(events: u64, runs: usize) {
    let new: u64 = env_num("TB_BENCH_NEW").unwrap_or(1_000);
    let big = Corpus::Small.dir(events * 3);
    let added = Corpus::Incremental.dir(new);
    let base = tempfile::tempdir().unwrap();
    let built = ingest_into(&big, base.path(), &[]);
    println!(
        "ingest benchmark, incremental: {new} new events of one day into a store of {} events (built in {:.1} s, peak RSS {:.0} MiB), {runs} paired runs",
        events * 3,
        built.wall.as_secs_f64(),
        built.max_rss_kib as f64 / 1024.0
    );
    for (what, extra) in [
        ("with attribution", &[][..]),
        ("--no-attribution", &["--no-attribution"][..]),
    ] {
        let mut pairs = Vec::new();
        let mut peak = 0;
        for _ in 0..runs {
            let empty = tempfile::tempdir().unwrap();
            let e = ingest_into(&added, empty.path(), extra);
            let store = tempfile::tempdir().unwrap();
            copy_store(base.path(), store.path());
            let i = ingest_into(&added, store.path(), extra);
            peak = peak.max(i.max_rss_kib);
            pairs.push((e.wall.as_secs_f64(), i.wall.as_secs_f64()));
        }
        let median = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let ratios: Vec<f64> = pairs.iter().map(|(e, i)| i / e).collect();
        println!(
            "  {what:<17} into the store {:>6.2} s (target <= 1.0), into an empty store {:>6.2} s: ratio {:.2} (median of the pairs; target <= 1.5); peak RSS {:.0} MiB (target <= 300)",
            median(pairs.iter().map(|p| p.1).collect()),
            median(pairs.iter().map(|p| p.0).collect()),
            median(ratios),
            peak as f64 / 1024.0
        );
    }
    // Where the time goes, in one more run.
    let store = tempfile::tempdir().unwrap();
    copy_store(base.path(), store.path());
    let out = Command::new(bin())
        .arg("ingest")
        .arg(&added)
        .arg("--store")
        .arg(store.path())
        .args(["--progress", "off", "--format", "json"])
        .env("TRAILBLAME_TIMINGS", "1")
        .output()
        .expect("ingest runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    println!("  de-duplication read: {}", report["dedup"]);
    println!("  attribution: {}", report["attribution"]["incremental"]);
    if let Some(why) = report["attribution"]["recomputed_all_because"].as_str() {
        println!("  attribution recomputed every day: {why}");
    }
    for line in String::from_utf8_lossy(&out.stderr).lines() {
        println!("    {line}");
    }
}
