//! The fuzz harness (issue 23), on stable Rust: mutations of every
//! real-format fixture (`trailblame_synth::mutate`) run through the real
//! binary, checking no panic, exit codes, the accounting identities and
//! peak memory (`fuzz_driver`).
//!
//! CI runs `fuzz_run` with a fixed seed and a bounded number of cases. A
//! long run by hand (see README, Tests):
//!
//! ```sh
//! TB_FUZZ_CASES=20000 TB_FUZZ_PROFILE=long TB_FUZZ_TIMEOUT_SECS=300 \
//!   cargo test --test fuzz fuzz_run -- --nocapture
//! ```
//!
//! The other tests check the checker: made-up outcomes with a broken
//! identity, a panic, a signal or too much memory must each be caught.

mod common;
mod fuzz_driver;

use fuzz_driver::checks::Problems;
use fuzz_driver::{Config, Summary};
use serde_json::json;
use std::path::{Path, PathBuf};
use trailblame_synth::mutate::{self, Mutator, Profile};

fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_trailblame"))
}

/// The CI run: 320 cases (about a minute and a half on two busy cores),
/// the first and the eleventh round of formats ingested alone (36 cases),
/// the rest in batches of 48.
fn ci_config() -> Config {
    Config {
        seed: 23,
        first: 0,
        cases: 320,
        batch: 48,
        single_every: 10,
        batch_reads: true,
        profile: Profile::ci(),
        rss_limit_mib: 1024,
        timeout: None,
        failures: Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures"),
    }
}

fn mutator(cfg: &Config) -> Mutator {
    let seeds = mutate::seeds(&common::fixtures()).expect("fixtures readable");
    Mutator::new(seeds, cfg.seed, cfg.profile.clone())
}

fn assert_clean(sum: &Summary) {
    println!("{}", sum.table());
    assert!(
        sum.failures.is_empty(),
        "fuzz cases failed; each folder has the input, the problems and reproduce.sh:\n{}",
        sum.table()
    );
}

#[test]
fn fuzz_run() {
    let cfg = Config::from_env(ci_config());
    let m = mutator(&cfg);
    let sum = fuzz_driver::run(bin(), &m, &cfg);
    let total: u64 = sum.by_format.values().map(|s| s.cases).sum();
    assert_eq!(total, cfg.cases);
    if cfg.cases >= m.formats().len() as u64 * 2 {
        for f in m.formats() {
            let st = sum.by_format.get(f).copied().unwrap_or_default();
            assert!(st.cases >= 2, "{f} got {} cases", st.cases);
        }
    }
    assert_clean(&sum);
}

/// The limits, for certain: a string just over `max_field_bytes` and one
/// of 5 MiB (over `max_record_bytes`) are each quarantined with exit 1 and
/// the identities intact; one under the field limit is kept.
#[test]
fn fuzz_huge_strings_around_the_limits() {
    let cfg = ci_config();
    let m = mutator(&cfg);
    let seed = "cloudtrail/single-record.json";
    for (n, size, quarantined) in [
        (0, 200 << 10, false),
        (1, (256 << 10) + 1, true),
        (2, 5 << 20, true),
    ] {
        let case = m
            .huge_field(n, seed, "userAgent", size)
            .expect("seed and member exist");
        let mut sum = Summary::default();
        let p = fuzz_driver::single(bin(), &case, &cfg, &mut sum);
        assert!(p.is_empty(), "{size} bytes: {p}\n{:?}", case.steps);
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.json");
        std::fs::write(&input, &case.bytes).unwrap();
        let (r, v) = common::ingest_json(&[&input], &dir.path().join("s"), &[]);
        let q = v["accounting"]["quarantined"].as_u64().unwrap();
        assert_eq!(
            (q > 0, r.code),
            (quarantined, i32::from(quarantined)),
            "{size}: {}",
            r.stdout
        );
    }
}

/// Every mutation and encoding on one CloudTrail and one transcript seed,
/// each case alone, so each kind of damage has its own exit code checked.
#[test]
fn fuzz_every_mutation_alone() {
    use mutate::{Encoding, Op};
    let cfg = ci_config();
    let m = mutator(&cfg);
    let mut sum = Summary::default();
    let mut failed = Vec::new();
    let encodings = [
        Encoding::Plain,
        Encoding::Gzip,
        Encoding::GzipMembers,
        Encoding::GzipTruncated,
        Encoding::GzipTrailingJunk,
        Encoding::GzipFlipped,
        Encoding::GzipTwice,
    ];
    let seeds = [
        "cloudtrail/records.jsonl",
        "transcripts/claude-code/session-main.jsonl",
    ];
    for (i, (op, _)) in Op::ALL.iter().enumerate() {
        let seed = seeds[i % seeds.len()];
        let enc = encodings[i % encodings.len()];
        let case = m.chosen(i as u64, seed, &[*op], enc).unwrap();
        let p = fuzz_driver::single(bin(), &case, &cfg, &mut sum);
        if !p.is_empty() {
            failed.push(format!("{op:?} {enc:?} on {seed}: {:?}\n{p}", case.steps));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

fn outcome(code: Option<i32>, stderr: &str) -> fuzz_driver::process::Outcome {
    fuzz_driver::process::Outcome {
        args: vec!["ingest".into(), "x".into()],
        code,
        stderr: stderr.into(),
        max_rss_kib: 50 << 10,
        ..Default::default()
    }
}

fn accounting() -> serde_json::Value {
    json!({
        "files_seen": 2, "files_already_ingested": 0,
        "files_by_kind": {"cloudtrail": 1, "transcript:codex": 1},
        "records_read": 10, "kept": 7, "duplicates": 1, "quarantined": 2,
        "transcript_lines_read": 5, "transcript_records_used": 3,
        "transcript_records_skipped": 2, "transcript_quarantined": 0,
        "transcript_rows": {"tool_calls": 2},
        "paths_not_read": {}, "out_of_window": 0, "files_outside_window": 0,
        "files_over_limit": 0
    })
}

#[test]
fn the_checker_passes_a_consistent_run() {
    let mut p = Problems::default();
    p.process(&outcome(Some(1), "warning: x"), &[0, 1], 1024);
    p.accounting(&accounting(), 2, Some(1));
    let per_file = json!([
        {"side": "c", "files": 1, "r": 10, "k": 7, "d": 1, "q": 2, "s": 0, "bad": 0},
        {"side": "t", "files": 1, "r": 5, "k": 3, "d": 0, "q": 0, "s": 2, "bad": 0}
    ]);
    let tables = json!([
        {"t": "events", "n": 7}, {"t": "quarantine", "n": 2}, {"t": "agent_sessions", "n": 0},
        {"t": "tool_calls", "n": 2}, {"t": "messages", "n": 0}
    ]);
    p.store(&accounting(), &per_file, &tables);
    assert!(p.is_empty(), "{p}");
}

#[test]
fn the_checker_catches_broken_identities_and_a_wrong_exit_code() {
    let mut a = accounting();
    a["kept"] = json!(8);
    let mut p = Problems::default();
    p.accounting(&a, 2, Some(1));
    assert!(p.0[0].starts_with("records_read 10 != "), "{p}");

    let mut a = accounting();
    a["transcript_records_skipped"] = json!(1);
    a["files_seen"] = json!(3);
    let mut p = Problems::default();
    p.accounting(&a, 2, Some(1));
    let text = p.to_string();
    assert!(text.contains("transcript_lines_read 5 != "), "{text}");
    assert!(text.contains("files_seen 3 != "), "{text}");
    assert!(text.contains("2 files given, 3 seen"), "{text}");

    // Quarantined records but exit 0; nothing skipped but exit 1.
    let mut p = Problems::default();
    p.accounting(&accounting(), 2, Some(0));
    assert!(
        p.0[0].starts_with("ingest exited 0, its accounting says 1"),
        "{p}"
    );
    let mut a = accounting();
    a["quarantined"] = json!(0);
    a["kept"] = json!(9);
    let mut p = Problems::default();
    p.accounting(&a, 2, Some(1));
    assert!(
        p.0[0].starts_with("ingest exited 1, its accounting says 0"),
        "{p}"
    );

    // The store disagreeing with the report.
    let mut p = Problems::default();
    let per_file =
        json!([{"side": "c", "files": 2, "r": 10, "k": 7, "d": 1, "q": 2, "s": 0, "bad": 1}]);
    p.store(&accounting(), &per_file, &json!([{"t": "events", "n": 6}]));
    let text = p.to_string();
    assert!(text.contains("files whose read != kept"), "{text}");
    assert!(
        text.contains("events rows: 6 in the store, 7 in the report"),
        "{text}"
    );
    assert!(text.contains("quarantine rows"), "{text}");
}

#[test]
fn the_checker_catches_panics_signals_codes_and_memory() {
    let cases = [
        (
            outcome(
                Some(101),
                "thread 'main' panicked at src/ingest/scan.rs:10:5:\nindex out of bounds",
            ),
            "panic: thread 'main' panicked",
        ),
        (outcome(None, ""), ""),
        (outcome(Some(2), "oops"), "exit code 2, expected [0, 1]"),
        (outcome(Some(3), ""), "exit code 3"),
    ];
    for (o, want) in cases {
        let mut p = Problems::default();
        let mut o = o;
        if o.code.is_none() {
            o.signal = Some(11);
        }
        p.process(&o, &[0, 1], 1024);
        assert!(!p.is_empty(), "{o:?}");
        let text = p.to_string();
        assert!(text.contains(want), "{want}: {text}");
        if o.signal.is_some() {
            assert!(text.contains("killed by signal 11"), "{text}");
        }
    }
    let mut p = Problems::default();
    p.process(&outcome(Some(2), "no error line"), &[0, 2], 1024);
    assert!(p.to_string().contains("without an error line"), "{p}");
    let mut big = outcome(Some(0), "");
    big.max_rss_kib = 1100 << 10;
    let mut p = Problems::default();
    p.process(&big, &[0], 1024);
    assert!(p.to_string().contains("1100 MiB, over 1024 MiB"), "{p}");
}

/// The measures are real: a child that allocates 96 MiB shows it in its
/// peak memory, and one that kills itself shows the signal.
#[test]
fn the_driver_measures_memory_and_sees_signals() {
    let dir = tempfile::tempdir().unwrap();
    let py = PathBuf::from("python3");
    let o = fuzz_driver::process::run(
        &py,
        &[
            "-c",
            "b = bytearray(96 << 20); b[::4096] = b'x' * len(b[::4096])",
        ],
        dir.path(),
        None,
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(o.max_rss_kib >= 96 << 10, "{} KiB", o.max_rss_kib);
    let sh = PathBuf::from("sh");
    let o = fuzz_driver::process::run(&sh, &["-c", "kill -SEGV $$"], dir.path(), None);
    assert_eq!((o.code, o.signal), (None, Some(libc::SIGSEGV)));
    let mut p = Problems::default();
    p.process(&o, &[0], 1024);
    assert!(p.to_string().contains("killed by signal"), "{p}");
}
