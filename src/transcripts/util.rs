//! What every transcript reader shares: the [`Collector`] that keeps the
//! record counts honest and gathers rows, line iteration, small
//! accumulators, ids, and the operator found in a home path. Nothing here
//! knows a particular agent's format; text, time and command helpers live
//! in `text`, `time` and `command`.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::value::RawValue;

use super::text::{bounded, excerpt, first_byte, json_str};
use super::time::{TimeRead, millis_to_micros, parse_time};
use super::{
    Approval, Message, Outcome, ParsedTranscript, QuarantinedRecord, Role, ToolCall,
    TranscriptOptions,
};

/// Bound on the raw text kept for a quarantined record.
pub(crate) const RAW_MAX: usize = 64 * 1024;

/// Counts every record exactly once (used, skipped or quarantined) and
/// gathers rows and notes for one file.
pub(crate) struct Collector {
    pub out: ParsedTranscript,
    pub source_file: String,
    missing_time: u64,
    bad_time: u64,
    naive_time: u64,
}

impl Collector {
    pub fn new(path: &Path) -> Self {
        Self {
            out: ParsedTranscript::default(),
            source_file: path.to_string_lossy().into_owned(),
            missing_time: 0,
            bad_time: 0,
            naive_time: 0,
        }
    }

    pub fn used(&mut self) {
        self.out.counts.lines_read += 1;
        self.out.counts.records_used += 1;
    }

    pub fn skipped(&mut self, kind: &str) {
        let c = &mut self.out.counts;
        c.lines_read += 1;
        c.records_skipped += 1;
        bump(&mut c.skipped_by_type, kind);
    }

    pub fn quarantine(
        &mut self,
        line: Option<u64>,
        record_index: Option<u64>,
        reason: impl Into<String>,
        raw: &[u8],
    ) {
        self.out.counts.lines_read += 1;
        self.out.counts.quarantined += 1;
        let cut = &raw[..raw.len().min(RAW_MAX)];
        let text = String::from_utf8_lossy(cut);
        self.out.quarantined.push(QuarantinedRecord {
            source_file: self.source_file.clone(),
            line,
            record_index,
            reason: reason.into(),
            raw: bounded(&text, RAW_MAX),
        });
    }

    /// Takes in what `other` gathered for part of the same file (read on
    /// another thread), after what this one holds.
    pub fn absorb(&mut self, other: Collector) {
        let (mine, theirs) = (&mut self.out, other.out);
        mine.sessions.extend(theirs.sessions);
        mine.tool_calls.extend(theirs.tool_calls);
        mine.messages.extend(theirs.messages);
        mine.quarantined.extend(theirs.quarantined);
        let (a, b) = (&mut mine.counts, theirs.counts);
        a.lines_read += b.lines_read;
        a.records_used += b.records_used;
        a.records_skipped += b.records_skipped;
        a.quarantined += b.quarantined;
        for (k, n) in b.skipped_by_type {
            *a.skipped_by_type.entry(k).or_default() += n;
        }
        for n in theirs.notes {
            self.note(n);
        }
        self.missing_time += other.missing_time;
        self.bad_time += other.bad_time;
        self.naive_time += other.naive_time;
    }

    /// `absorb` of each, in order: the rows moved on all cores, each
    /// straight to its place (one database's million calls and messages,
    /// copied on one thread, kept the other core idle for 0.08 s).
    pub fn absorb_all(&mut self, mut others: Vec<Collector>) {
        let out = &mut self.out;
        fn each<T>(
            o: &mut [Collector],
            f: fn(&mut ParsedTranscript) -> &mut Vec<T>,
        ) -> Vec<&mut Vec<T>> {
            o.iter_mut().map(|o| f(&mut o.out)).collect()
        }
        par_concat(&mut out.sessions, each(&mut others, |o| &mut o.sessions));
        par_concat(
            &mut out.tool_calls,
            each(&mut others, |o| &mut o.tool_calls),
        );
        par_concat(&mut out.messages, each(&mut others, |o| &mut o.messages));
        par_concat(
            &mut out.quarantined,
            each(&mut others, |o| &mut o.quarantined),
        );
        // What is left of each: counts and notes.
        for o in others {
            self.absorb(o);
        }
    }

    /// Adds a note once (identical notes are not repeated).
    pub fn note(&mut self, s: impl Into<String>) {
        let s = s.into();
        if !self.out.notes.contains(&s) {
            self.out.notes.push(s);
        }
    }

    /// Reads a timestamp that the record should have; counts it when it is
    /// missing, unreadable or has no zone, for the notes.
    pub fn time(&mut self, s: Option<&str>) -> Option<i64> {
        match s {
            None => {
                self.missing_time += 1;
                None
            }
            Some(s) => match parse_time(s) {
                Some(TimeRead::Zoned(t)) => Some(t),
                Some(TimeRead::Naive(t)) => {
                    self.naive_time += 1;
                    Some(t)
                }
                None => {
                    self.bad_time += 1;
                    None
                }
            },
        }
    }

    /// A time a logger added (hook logs): RFC 3339 text, or epoch seconds
    /// / milliseconds; counted like [`Collector::time`] when missing or bad.
    pub fn logged_time(&mut self, raw: Option<&RawValue>) -> Option<i64> {
        let Some(raw) = raw else {
            return self.time(None); // counted for the file's note
        };
        if let Some(s) = json_str(raw) {
            return self.time(Some(&s));
        }
        let n: f64 = raw.get().trim().parse().ok()?;
        if !n.is_finite() || n <= 0.0 {
            return self.time(Some(raw.get()));
        }
        // Epoch seconds until the year 5138; milliseconds after that.
        if n < 1e11 {
            Some((n * 1e6) as i64)
        } else {
            millis_to_micros(n as u64)
        }
    }

    pub fn finish(mut self) -> ParsedTranscript {
        if self.missing_time > 0 {
            let n = self.missing_time;
            self.note(format!(
                "{n} record(s) had no timestamp; their rows were kept with time unknown"
            ));
        }
        if self.bad_time > 0 {
            let n = self.bad_time;
            self.note(format!(
                "{n} timestamp(s) could not be read; their rows were kept with time unknown"
            ));
        }
        if self.naive_time > 0 {
            let n = self.naive_time;
            self.note(format!("{n} timestamp(s) had no zone and were read as UTC"));
        }
        self.out
    }
}

/// Moves every row of `from`, in order, to the end of `to`, on all cores;
/// the sources are left empty.
fn par_concat<T: Send>(to: &mut Vec<T>, mut from: Vec<&mut Vec<T>>) {
    use rayon::prelude::*;
    let total: usize = from.iter().map(|v| v.len()).sum();
    to.reserve(total);
    let mut spare = &mut to.spare_capacity_mut()[..total];
    let mut moves = Vec::with_capacity(from.len());
    for rows in from.iter_mut() {
        let (here, rest) = std::mem::take(&mut spare).split_at_mut(rows.len());
        spare = rest;
        moves.push((here, rows));
    }
    moves.into_par_iter().for_each(|(slots, rows)| {
        for (slot, row) in slots.iter_mut().zip(rows.drain(..)) {
            slot.write(row);
        }
    });
    // SAFETY: the `total` slots after the old length are all written: they
    // were split into one slice per source, of its length, and each slice
    // filled from a drain of that source (a panic above leaks, never
    // exposes an unwritten slot).
    unsafe { to.set_len(to.len() + total) };
}

pub(crate) fn bump(map: &mut BTreeMap<String, u64>, kind: &str) {
    if let Some(v) = map.get_mut(kind) {
        *v += 1;
    } else {
        map.insert(kind.to_owned(), 1);
    }
}

/// Non-blank lines with their 1-based numbers; `\r\n` and a leading BOM are
/// handled.
pub(crate) struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u64,
}

pub(crate) fn lines(bytes: &[u8]) -> Lines<'_> {
    Lines {
        bytes,
        pos: 0,
        line: 0,
    }
}

/// Bytes of lines handed out at once by `line_batches`.
const BATCH_BYTES: usize = 4 << 20;

/// `lines`, a batch of about 4 MiB at a time: a reader parses a batch on
/// all cores, then reads it in order, so its rows and counts are those of a
/// line-by-line read.
pub(crate) fn line_batches(bytes: &[u8]) -> impl Iterator<Item = Vec<(u64, &[u8])>> {
    let mut it = lines(bytes).peekable();
    std::iter::from_fn(move || {
        it.peek()?;
        let mut batch = Vec::new();
        let mut size = 0;
        for (no, line) in it.by_ref() {
            size += line.len();
            batch.push((no, line));
            if size >= BATCH_BYTES {
                break;
            }
        }
        Some(batch)
    })
}

impl<'a> Iterator for Lines<'a> {
    type Item = (u64, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.pos >= self.bytes.len() {
                return None;
            }
            let rest = &self.bytes[self.pos..];
            let len = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
            let mut l = &rest[..len];
            self.pos += len + 1;
            self.line += 1;
            if let Some(s) = l.strip_suffix(b"\r") {
                l = s;
            }
            if self.line == 1
                && let Some(s) = l.strip_prefix(b"\xEF\xBB\xBF")
            {
                l = s;
            }
            if l.iter().any(|b| !b.is_ascii_whitespace()) {
                return Some((self.line, l));
            }
        }
    }
}

/// A reason for a line that could not be read as the JSON object it should be.
pub(crate) fn json_line_reason(line: &[u8], err: &serde_json::Error) -> String {
    match first_byte(line) {
        Some(b'{') if err.is_eof() => format!("truncated JSON object: {err}"),
        Some(b'{') => format!("invalid JSON record: {err}"),
        _ => match serde_json::from_slice::<serde::de::IgnoredAny>(line) {
            Ok(_) => "valid JSON but not an object".to_owned(),
            Err(e) => format!("not JSON: {e}"),
        },
    }
}

/// Distinct non-empty values in order of first appearance.
#[derive(Debug, Default, Clone)]
pub(crate) struct Distinct(Vec<String>);

impl Distinct {
    pub fn push(&mut self, s: &str) {
        let s = s.trim();
        if !s.is_empty() && !self.0.iter().any(|x| x == s) {
            self.0.push(s.to_owned());
        }
    }

    pub fn joined(&self) -> Option<String> {
        (!self.0.is_empty()).then(|| self.0.join(","))
    }
}

/// Earliest and latest times seen.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Span {
    pub first: Option<i64>,
    pub last: Option<i64>,
}

impl Span {
    pub fn add(&mut self, t: Option<i64>) {
        if let Some(t) = t {
            self.first = Some(self.first.map_or(t, |f| f.min(t)));
            self.last = Some(self.last.map_or(t, |l| l.max(t)));
        }
    }
}

/// A short stable id for things the transcript does not name.
pub(crate) fn stable_id(parts: &[&str]) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update(&[0]);
    }
    format!("{:016x}", h.digest())
}

/// The file name without its extension(s) after the first dot of `.jsonl`/`.json`.
pub(crate) fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A tool call with only its identity filled in.
pub(crate) fn new_call(
    session_id: &str,
    call_id: &str,
    tool_name: &str,
    source_file: &str,
    source_line: u64,
) -> ToolCall {
    ToolCall {
        session_id: session_id.to_owned(),
        call_id: call_id.to_owned(),
        started_at: None,
        ended_at: None,
        tool_name: tool_name.to_owned(),
        command: None,
        command_raw: None,
        exit_code: None,
        outcome: Outcome::Unknown,
        approval: Approval::Unknown,
        approval_evidence: None,
        output_excerpt: None,
        aws_service: None,
        aws_operation: None,
        aws_region: None,
        aws_profile: None,
        source_file: source_file.to_owned(),
        source_line,
        chain_break: None,
    }
}

impl Collector {
    /// Adds a message row when the text is not empty; returns whether it did.
    pub fn message(
        &mut self,
        session_id: &str,
        time: Option<i64>,
        role: Role,
        text: &str,
        line: u64,
    ) -> bool {
        let Some(text_excerpt) = excerpt(text) else {
            return false;
        };
        self.excerpt_message(session_id.to_owned(), time, role, text_excerpt, line);
        true
    }

    /// [`Collector::message`] of an excerpt already made (on another
    /// thread).
    pub fn excerpt_message(
        &mut self,
        session_id: String,
        time: Option<i64>,
        role: Role,
        text_excerpt: String,
        line: u64,
    ) {
        self.out.messages.push(Message {
            session_id,
            time,
            role,
            text_excerpt,
            source_file: self.source_file.clone(),
            source_line: line,
        });
    }
}

// ---------------------------------------------------------------- operator

/// The operator for a file: the option, then the mapping (by path prefix or
/// by user name), then the user of a home directory in the path or the cwd.
pub(crate) fn operator_for(
    path: &Path,
    cwd: Option<&str>,
    opts: &TranscriptOptions,
) -> Option<String> {
    if let Some(op) = &opts.operator {
        return Some(op.clone());
    }
    let p = path.to_string_lossy();
    let user = home_user(&p).or_else(|| cwd.and_then(home_user));
    for (key, op) in &opts.operator_map {
        if (!key.is_empty() && p.starts_with(key.as_str())) || user.as_deref() == Some(key) {
            return Some(op.clone());
        }
    }
    user
}

/// `alice` from `/home/alice/…`, `/Users/alice/…` or `C:\Users\alice\…`;
/// `root` from `/root/…`.
pub(crate) fn home_user(p: &str) -> Option<String> {
    let p = p.replace('\\', "/");
    if p.starts_with("/root/") || p == "/root" {
        return Some("root".to_owned());
    }
    for marker in ["/home/", "/Users/", "/users/"] {
        if let Some(at) = p.find(marker) {
            let rest = &p[at + marker.len()..];
            let user = rest.split('/').next().unwrap_or("");
            if !user.is_empty() && user != "Shared" && !user.starts_with('.') {
                return Some(user.to_owned());
            }
        }
    }
    None
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concatenated_on_all_cores_in_order_sources_emptied() {
        let mut to: Vec<String> = vec!["kept".into()];
        let mut from: Vec<Vec<String>> = (0..200)
            .map(|i| (0..i % 7).map(|j| format!("{i}.{j}")).collect())
            .collect();
        let want: Vec<String> = std::iter::once("kept".to_string())
            .chain(from.iter().flatten().cloned())
            .collect();
        par_concat(&mut to, from.iter_mut().collect());
        assert_eq!(to, want);
        assert!(from.iter().all(Vec::is_empty));
    }

    #[test]
    fn operator_from_option_map_and_home() {
        let opts = TranscriptOptions::default();
        let p = Path::new("/home/alice/.claude/projects/x/s.jsonl");
        assert_eq!(operator_for(p, None, &opts).as_deref(), Some("alice"));
        let p2 = Path::new("/Users/bob/.codex/sessions/r.jsonl");
        assert_eq!(operator_for(p2, None, &opts).as_deref(), Some("bob"));
        let p3 = Path::new("/data/export/s.jsonl");
        assert_eq!(
            operator_for(p3, Some("/home/carol/src"), &opts).as_deref(),
            Some("carol")
        );
        assert_eq!(operator_for(p3, None, &opts), None);
        let mapped = TranscriptOptions {
            operator_map: vec![
                ("/data/export".into(), "dave@example.com".into()),
                ("alice".into(), "alice@example.com".into()),
            ],
            ..TranscriptOptions::default()
        };
        assert_eq!(
            operator_for(p3, None, &mapped).as_deref(),
            Some("dave@example.com")
        );
        assert_eq!(
            operator_for(p, None, &mapped).as_deref(),
            Some("alice@example.com")
        );
        let forced = TranscriptOptions {
            operator: Some("erin".into()),
            ..TranscriptOptions::default()
        };
        assert_eq!(operator_for(p, None, &forced).as_deref(), Some("erin"));
        assert_eq!(home_user(r"C:\Users\frank\.claude\x"), Some("frank".into()));
    }

    #[test]
    fn collector_counts_reconcile() {
        let mut c = Collector::new(Path::new("f"));
        c.used();
        c.skipped("summary");
        c.skipped("summary");
        c.quarantine(Some(4), None, "bad", &[0xff, b'x']);
        let out = c.finish();
        assert!(out.counts.reconciles());
        assert_eq!(out.counts.skipped_by_type.get("summary"), Some(&2));
        assert_eq!(out.quarantined[0].raw, "\u{fffd}x");
    }

    #[test]
    fn lines_skip_blank_and_strip_cr_bom() {
        let v: Vec<_> = lines(b"\xEF\xBB\xBF{}\r\n\n  \n{\"a\":1}").collect();
        assert_eq!(v, vec![(1, &b"{}"[..]), (4, &b"{\"a\":1}"[..])]);
    }
}
