//! The fuzz driver (issue 23): runs the real `trailblame` binary on the
//! cases `trailblame_synth::mutate` makes and checks what must hold for any
//! input. Used by `tests/fuzz.rs` for a bounded run in CI and, with
//! `TB_FUZZ_*` variables, for long runs by hand.
//!
//! Each case is one file. Most are *batched*: many cases written under one
//! input folder (`input/<n>/<fixture path>`) and ingested by one process,
//! so a batch costs about what one case does. The cases of every
//! `single_every`-th round of formats are ingested *alone* instead, so that
//! each one's exit code is checked against its own accounting. After each ingest the store is read by `summary`,
//! `attribute`, `report` (HTML and Markdown, to files), `destructive`,
//! `explain` and `timeline`.
//!
//! What is checked (`checks`): no panic and no signal, exit codes in their
//! allowed set, the exit code of an ingest equal to what its accounting
//! says (1 exactly when something was quarantined or not read), the
//! accounting identities of the JSON report, the same counts in the store
//! (`ingested_files` per file and in total, `events`, `quarantine`, the
//! transcript tables), `attribute` listing every kept event, and each
//! process's peak resident memory (its `ru_maxrss` from `wait4`) under
//! `rss_limit_mib`.
//!
//! A failing case is saved under the failures folder as
//! `<format>-<seed>-<n>/` with its input file, what was done to it, what
//! went wrong and a `reproduce.sh`. A failing batch is first re-run case by
//! case; only when no case fails alone is the whole batch saved.

#![allow(dead_code)]

pub mod checks;
pub mod process;

use checks::Problems;
use process::Outcome;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use trailblame_synth::mutate::{Case, Mutator, Profile};

/// What a run does; `Config::from_env` reads the `TB_FUZZ_*` variables.
#[derive(Clone, Debug)]
pub struct Config {
    pub seed: u64,
    /// Case numbers `first..first + cases`.
    pub first: u64,
    pub cases: u64,
    /// Cases per batched ingest.
    pub batch: usize,
    /// Cases are drawn format by format in rounds (case `n` is of format
    /// `n % formats`); every case of every `single_every`-th round is
    /// ingested alone (1: every case), so each format gets its share.
    pub single_every: u64,
    /// Whether batches also run the read commands.
    pub batch_reads: bool,
    pub profile: Profile,
    pub rss_limit_mib: u64,
    /// Kill a process after this long (a hang becomes a failure); none in
    /// CI, where a hang is the test runner's to report.
    pub timeout: Option<std::time::Duration>,
    pub failures: PathBuf,
}

impl Config {
    /// `defaults` with any of `TB_FUZZ_SEED`, `TB_FUZZ_FIRST`,
    /// `TB_FUZZ_CASES`, `TB_FUZZ_BATCH`, `TB_FUZZ_SINGLE_EVERY`,
    /// `TB_FUZZ_PROFILE` (`ci` or `long`), `TB_FUZZ_RSS_MIB`,
    /// `TB_FUZZ_TIMEOUT_SECS`, `TB_FUZZ_FAILURES` set over it.
    /// `TB_FUZZ_ONLY=N` runs case N alone (to reproduce it).
    pub fn from_env(defaults: Config) -> Config {
        fn num(name: &str) -> Option<u64> {
            let v = std::env::var(name).ok()?;
            Some(
                v.trim()
                    .parse()
                    .unwrap_or_else(|_| panic!("{name}={v} is not a number")),
            )
        }
        let mut c = defaults;
        if let Some(v) = num("TB_FUZZ_SEED") {
            c.seed = v;
        }
        if let Some(v) = num("TB_FUZZ_FIRST") {
            c.first = v;
        }
        if let Some(v) = num("TB_FUZZ_CASES") {
            c.cases = v;
        }
        if let Some(v) = num("TB_FUZZ_BATCH") {
            c.batch = v.max(1) as usize;
        }
        if let Some(v) = num("TB_FUZZ_SINGLE_EVERY") {
            c.single_every = v.max(1);
        }
        if let Some(v) = num("TB_FUZZ_RSS_MIB") {
            c.rss_limit_mib = v;
        }
        if let Some(v) = num("TB_FUZZ_TIMEOUT_SECS") {
            c.timeout = Some(std::time::Duration::from_secs(v));
        }
        match std::env::var("TB_FUZZ_PROFILE").as_deref() {
            Ok("long") => c.profile = Profile::long(),
            Ok("ci") | Err(_) => {}
            Ok(other) => panic!("TB_FUZZ_PROFILE={other}: ci or long"),
        }
        if let Ok(v) = std::env::var("TB_FUZZ_FAILURES") {
            c.failures = PathBuf::from(v);
        }
        if let Some(n) = num("TB_FUZZ_ONLY") {
            c.first = n;
            c.cases = 1;
            c.single_every = 1;
        }
        c
    }
}

/// Cases and failures of one format.
#[derive(Clone, Copy, Default, Debug)]
pub struct FormatStats {
    pub cases: u64,
    /// Of them, ingested alone.
    pub single: u64,
    pub failed: u64,
}

/// What a run found.
#[derive(Default, Debug)]
pub struct Summary {
    pub by_format: BTreeMap<String, FormatStats>,
    /// Folders of saved failures.
    pub failures: Vec<PathBuf>,
    pub processes: u64,
    /// The largest peak resident memory of any process, in KiB.
    pub max_rss_kib: u64,
}

impl Summary {
    pub fn table(&self) -> String {
        let mut s = format!(
            "{:<26} {:>8} {:>8} {:>8}\n",
            "format", "cases", "alone", "failed"
        );
        let mut total = FormatStats::default();
        for (f, st) in &self.by_format {
            let _ = writeln!(
                s,
                "{f:<26} {:>8} {:>8} {:>8}",
                st.cases, st.single, st.failed
            );
            total.cases += st.cases;
            total.single += st.single;
            total.failed += st.failed;
        }
        let _ = writeln!(
            s,
            "{:<26} {:>8} {:>8} {:>8}\n{} processes, largest peak RSS {} MiB",
            "total",
            total.cases,
            total.single,
            total.failed,
            self.processes,
            self.max_rss_kib >> 10
        );
        for f in &self.failures {
            let _ = writeln!(s, "failure: {}", f.display());
        }
        s
    }
}

/// Runs the configured cases with `bin` (the trailblame binary).
pub fn run(bin: &Path, mutator: &Mutator, cfg: &Config) -> Summary {
    let mut sum = Summary::default();
    let mut batch: Vec<Case> = Vec::new();
    let ns: Vec<u64> = (cfg.first..cfg.first + cfg.cases).collect();
    for (i, n) in ns.iter().enumerate() {
        let case = mutator.case(*n);
        let st = sum.by_format.entry(case.format.clone()).or_default();
        st.cases += 1;
        let round = n / mutator.formats().len() as u64;
        if round.is_multiple_of(cfg.single_every) || cfg.cases == 1 {
            st.single += 1;
            let problems = single(bin, &case, cfg, &mut sum);
            if !problems.is_empty() {
                save_case(&case, &problems, cfg, &mut sum);
            }
        } else {
            batch.push(case);
        }
        if batch.len() >= cfg.batch || (i + 1 == ns.len() && !batch.is_empty()) {
            run_batch(bin, &std::mem::take(&mut batch), cfg, &mut sum);
            // A long run can be stopped at any time with its figures so far.
            let _ = std::fs::create_dir_all(&cfg.failures);
            let _ = std::fs::write(
                cfg.failures.join("progress.txt"),
                format!(
                    "cases {}..={n} of seed {}\n{}",
                    cfg.first,
                    cfg.seed,
                    sum.table()
                ),
            );
        }
    }
    sum
}

/// One case ingested alone; its problems.
pub fn single(bin: &Path, case: &Case, cfg: &Config, sum: &mut Summary) -> Problems {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("input");
    write_case(&input, case);
    ingest_and_read(bin, dir.path(), &input, 1, true, cfg, sum)
}

fn run_batch(bin: &Path, cases: &[Case], cfg: &Config, sum: &mut Summary) {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("input");
    for c in cases {
        write_case(&input.join(c.n.to_string()), c);
    }
    let problems = ingest_and_read(
        bin,
        dir.path(),
        &input,
        cases.len() as u64,
        cfg.batch_reads,
        cfg,
        sum,
    );
    if problems.is_empty() {
        return;
    }
    // Which case? Each one alone; the batch itself only if none fails.
    let mut found = false;
    for c in cases {
        let p = single(bin, c, cfg, sum);
        if !p.is_empty() {
            found = true;
            save_case(c, &p, cfg, sum);
        }
    }
    if !found {
        save_batch(cases, &input, &problems, cfg, sum);
    }
}

fn write_case(under: &Path, case: &Case) {
    let path = under.join(&case.rel_path);
    std::fs::create_dir_all(path.parent().expect("a file has a folder")).expect("mkdir");
    std::fs::write(&path, &case.bytes).expect("write case");
}

/// Ingests `input` (holding `files` files) into a new store under `dir`,
/// checks the run and the store, then runs the read commands when `reads`.
fn ingest_and_read(
    bin: &Path,
    dir: &Path,
    input: &Path,
    files: u64,
    reads: bool,
    cfg: &Config,
    sum: &mut Summary,
) -> Problems {
    let store = dir.join("store");
    let mut p = Problems::default();
    let mut go = |args: &[&str]| -> Outcome {
        let o = process::run(bin, args, dir, cfg.timeout);
        sum.processes += 1;
        sum.max_rss_kib = sum.max_rss_kib.max(o.max_rss_kib);
        o
    };
    let ingest = go(&[
        "ingest",
        input.to_str().unwrap(),
        "--store",
        store.to_str().unwrap(),
        "--format",
        "json",
    ]);
    p.process(&ingest, &[0, 1], cfg.rss_limit_mib);
    let Some(report) = p.json(&ingest) else {
        return p;
    };
    let a = report["accounting"].clone();
    p.accounting(&a, files, ingest.code);
    if !p.is_empty() || ingest.code.is_none() {
        return p;
    }
    let q = |sql: &str, go: &mut dyn FnMut(&[&str]) -> Outcome, p: &mut Problems| {
        let o = go(&[
            "query",
            sql,
            "--store",
            store.to_str().unwrap(),
            "--format",
            "json",
        ]);
        p.process(&o, &[0], cfg.rss_limit_mib);
        p.json(&o).unwrap_or(Value::Null)
    };
    let per_file = q(checks::PER_FILE_SQL, &mut go, &mut p);
    let tables = q(checks::TABLES_SQL, &mut go, &mut p);
    p.store(&a, &per_file, &tables);
    if !reads {
        return p;
    }
    let kept = a["kept"].as_u64().unwrap_or(0);
    read_commands(&store, kept, &mut go, &mut p, cfg);
    p
}

/// The read commands on the store; `kept` events are in it.
fn read_commands(
    store: &Path,
    kept: u64,
    go: &mut dyn FnMut(&[&str]) -> Outcome,
    p: &mut Problems,
    cfg: &Config,
) {
    let s = store.to_str().unwrap();
    let lim = cfg.rss_limit_mib;
    // With no events, summary and report refuse (exit 2, an error line).
    let needs_events: &[i32] = if kept > 0 { &[0] } else { &[2] };
    let o = go(&["summary", "--store", s]);
    p.process(&o, needs_events, lim);
    let o = go(&["attribute", "--store", s, "--format", "json"]);
    p.process(&o, &[0], lim);
    let rows = p.json(&o).unwrap_or(Value::Null);
    let rows = rows.as_array().cloned().unwrap_or_default();
    if rows.len() as u64 != kept {
        p.push(format!(
            "attribute listed {} events, the ingest kept {kept}",
            rows.len()
        ));
    }
    for (fmt, file) in [("html", "report.html"), ("md", "report.md")] {
        let out = store.with_file_name(file);
        let o = go(&[
            "report",
            "--store",
            s,
            "--format",
            fmt,
            "-o",
            out.to_str().unwrap(),
        ]);
        p.process(&o, needs_events, lim);
        if o.code == Some(0) && std::fs::metadata(&out).map_or(0, |m| m.len()) == 0 {
            p.push(format!("report --format {fmt} exited 0 and wrote nothing"));
        }
    }
    let o = go(&["destructive", "--store", s]);
    p.process(&o, &[0], lim);
    // The first event, explained by its key, and its actor's timeline.
    if let Some(first) = rows.first() {
        if let Some(key) = first["event_key"].as_str() {
            let o = go(&["explain", "--store", s, "--format", "json", "--", key]);
            p.process(&o, &[0], lim);
        }
        if let Some(actor) = first["actor"].as_str() {
            let o = go(&[
                "timeline", "--store", s, "--format", "json", "--actor", actor,
            ]);
            p.process(&o, &[0], lim);
        }
    }
}

fn case_dir_name(case: &Case, seed: u64) -> String {
    format!("{}-{seed}-{}", case.format.replace([':', '/'], "_"), case.n)
}

fn save_case(case: &Case, problems: &Problems, cfg: &Config, sum: &mut Summary) {
    let dir = cfg.failures.join(case_dir_name(case, cfg.seed));
    let _ = std::fs::remove_dir_all(&dir);
    write_case(&dir.join("input"), case);
    let mut note = format!(
        "case {} of seed {} ({}), profile {:?}\n\nsteps:\n",
        case.n, cfg.seed, case.format, cfg.profile
    );
    for s in &case.steps {
        let _ = writeln!(note, "  {s}");
    }
    let _ = write!(note, "\nproblems:\n{problems}");
    std::fs::write(dir.join("case.txt"), note).expect("write note");
    let regen = format!(
        "TB_FUZZ_SEED={} TB_FUZZ_ONLY={}{} cargo test --test fuzz fuzz_run -- --nocapture",
        cfg.seed,
        case.n,
        if cfg.profile.gzip_bomb_bytes > 0 {
            " TB_FUZZ_PROFILE=long"
        } else {
            ""
        }
    );
    write_reproduce(&dir, &regen);
    sum.by_format.entry(case.format.clone()).or_default().failed += 1;
    sum.failures.push(dir);
}

fn save_batch(cases: &[Case], input: &Path, problems: &Problems, cfg: &Config, sum: &mut Summary) {
    let (a, b) = (cases[0].n, cases[cases.len() - 1].n);
    let dir = cfg.failures.join(format!("batch-{}-{a}-{b}", cfg.seed));
    let _ = std::fs::remove_dir_all(&dir);
    for c in cases {
        write_case(&dir.join("input").join(c.n.to_string()), c);
    }
    let _ = input;
    let mut note = format!(
        "cases {a}..={b} of seed {} ingested together fail; none fails alone\n\ncases:\n",
        cfg.seed
    );
    for c in cases {
        let _ = writeln!(note, "  {} {}: {}", c.n, c.format, c.steps.join("; "));
    }
    let _ = write!(note, "\nproblems:\n{problems}");
    std::fs::write(dir.join("case.txt"), note).expect("write note");
    write_reproduce(&dir, "(a batch: the input folder is the whole case)");
    sum.failures.push(dir);
}

/// `reproduce.sh`: the same commands on the saved input, with the
/// binary from `$TRAILBLAME` (default: `trailblame` on the PATH).
fn write_reproduce(dir: &Path, regen: &str) {
    let script = format!(
        "#!/bin/sh\n\
         # Runs the failing commands again on the saved input.\n\
         # To make this case again from its seed: {regen}\n\
         B=${{TRAILBLAME:-trailblame}}\n\
         cd \"$(dirname \"$0\")\" || exit 2\n\
         rm -rf store report.html report.md\n\
         $B ingest input --store store --format json; echo \"ingest exit $?\"\n\
         for c in summary destructive; do $B $c --store store >/dev/null; echo \"$c exit $?\"; done\n\
         $B attribute --store store --format json >/dev/null; echo \"attribute exit $?\"\n\
         $B report --store store --format html -o report.html; echo \"report html exit $?\"\n\
         $B report --store store --format md -o report.md; echo \"report md exit $?\"\n"
    );
    let path = dir.join("reproduce.sh");
    std::fs::write(&path, script).expect("write reproduce.sh");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755));
    }
}
