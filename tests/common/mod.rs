//! Helpers for the integration tests: run the real binary, parse its JSON.
#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_trailblame"));
    c.env("NO_COLOR", "1");
    c
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(args: &[&str]) -> Run {
    run_cmd(bin().args(args))
}

pub fn run_cmd(c: &mut Command) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = c.output().expect("binary runs");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// The project's `sample-data/`.
pub fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")
}

/// `trailblame ingest INPUT --store STORE -q`, which must succeed.
pub fn ingest_quietly(input: &Path, store: &Path) {
    let r = run(&[
        "ingest",
        input.to_str().unwrap(),
        "--store",
        store.to_str().unwrap(),
        "-q",
        "--config-from-inputs",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Runs SQL against a store and returns the rows as JSON objects.
pub fn query(store: &Path, sql: &str) -> Vec<serde_json::Value> {
    let r = run(&[
        "query",
        sql,
        "--store",
        store.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "query failed: {}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("query prints JSON");
    v.as_array().cloned().unwrap_or_default()
}

/// Runs SQL against a store and returns the rows as JSON lines, as printed.
pub fn query_ndjson(store: &Path, sql: &str) -> String {
    let r = run(&[
        "query",
        sql,
        "--store",
        store.to_str().unwrap(),
        "--format",
        "ndjson",
    ]);
    assert_eq!(r.code, 0, "query failed: {}", r.stderr);
    r.stdout
}

pub fn count(store: &Path, sql: &str) -> u64 {
    let rows = query(store, sql);
    rows[0]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .as_u64()
        .unwrap()
}

/// Copies a folder tree.
pub fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// `ingest INPUT --store STORE EXTRA...` with ingest's pool at `threads`
/// threads (`RAYON_NUM_THREADS`).
pub fn ingest_with_threads(threads: usize, input: &Path, store: &Path, extra: &[&str]) -> Run {
    run_cmd(
        bin()
            .env("RAYON_NUM_THREADS", threads.to_string())
            .arg("ingest")
            .arg(input)
            .arg("--store")
            .arg(store)
            .args(extra),
    )
}

/// Runs `ingest PATH... --store STORE --format json EXTRA...`; returns the run and its JSON report.
pub fn ingest_json(paths: &[&Path], store: &Path, extra: &[&str]) -> (Run, Value) {
    let mut args: Vec<String> = vec!["ingest".into()];
    args.extend(paths.iter().map(|p| p.display().to_string()));
    args.extend([
        "--store".into(),
        store.display().to_string(),
        "--format".into(),
        "json".into(),
    ]);
    args.extend(extra.iter().map(|s| s.to_string()));
    let r = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let v = serde_json::from_str(&r.stdout).unwrap_or(Value::Null);
    (r, v)
}

/// One CSV line split into fields (quoted fields, doubled quotes).
pub fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    fields.push(cur);
    fields
}

/// Rows of a CSV with a header line, as column → value maps.
pub fn read_csv(text: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut lines = text.lines().map(split_csv_line);
    let header = lines.next().unwrap_or_default();
    lines
        .map(|f| header.iter().cloned().zip(f).collect())
        .collect()
}

/// Every file under `dir`, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Agent databases built from SQL scripts, WAL and all (shared with the
/// readers' unit tests).
#[allow(unused_imports)]
pub use trailblame_synth::agent_db::build_database;
