//! What must hold for any input, each check adding what it finds to a
//! case's `Problems`. Kept apart from the driver so that tests can feed it
//! made-up outcomes and see it fail (`tests/fuzz.rs`).

use super::process::Outcome;
use serde_json::Value;
use std::fmt;

/// What went wrong in one case, in the order found.
#[derive(Default, Debug, Clone)]
pub struct Problems(pub Vec<String>);

/// Per-file counts by side (transcript or not), and files whose counts do
/// not add up.
pub const PER_FILE_SQL: &str = "SELECT CASE WHEN kind LIKE 'transcript:%' THEN 't' ELSE 'c' END AS side, \
     COUNT(*) AS files, SUM(records_read) AS r, SUM(kept) AS k, SUM(duplicates) AS d, \
     SUM(quarantined) AS q, SUM(skipped) AS s, \
     SUM(CASE WHEN records_read = kept + duplicates + quarantined + skipped THEN 0 ELSE 1 END) AS bad \
     FROM ingested_files GROUP BY side ORDER BY side";

/// Rows of the tables ingest writes.
pub const TABLES_SQL: &str = "SELECT 'events' AS t, COUNT(*) AS n FROM events \
     UNION ALL SELECT 'quarantine' AS t, COUNT(*) AS n FROM quarantine \
     UNION ALL SELECT 'agent_sessions' AS t, COUNT(*) AS n FROM agent_sessions \
     UNION ALL SELECT 'tool_calls' AS t, COUNT(*) AS n FROM tool_calls \
     UNION ALL SELECT 'messages' AS t, COUNT(*) AS n FROM messages";

fn n(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or(0)
}

impl Problems {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn push(&mut self, s: String) {
        self.0.push(s);
    }

    /// No signal, no hang, no panic, an allowed exit code, an error line
    /// with exit 2, peak memory under `rss_limit_mib`.
    pub fn process(&mut self, o: &Outcome, allowed: &[i32], rss_limit_mib: u64) {
        let cmd = o.command();
        if o.timed_out {
            self.push(format!("{cmd}: killed after the timeout (a hang?)"));
        } else if let Some(sig) = o.signal {
            self.push(format!("{cmd}: killed by signal {sig}"));
        }
        if let Some(line) = o
            .stderr
            .lines()
            .find(|l| l.contains("panicked") || l.contains("RUST_BACKTRACE"))
        {
            self.push(format!("{cmd}: panic: {line}"));
        }
        match o.code {
            Some(c) if !allowed.contains(&c) => self.push(format!(
                "{cmd}: exit code {c}, expected {allowed:?}; stderr: {}",
                tail(&o.stderr)
            )),
            Some(2) if !o.stderr.lines().any(|l| l.starts_with("error: ")) => {
                self.push(format!("{cmd}: exit code 2 without an error line"))
            }
            _ => {}
        }
        if o.max_rss_kib > rss_limit_mib << 10 {
            self.push(format!(
                "{cmd}: peak resident memory {} MiB, over {rss_limit_mib} MiB",
                o.max_rss_kib >> 10
            ));
        }
    }

    /// The JSON on stdout of a run that exited normally.
    pub fn json(&mut self, o: &Outcome) -> Option<Value> {
        o.code?;
        match serde_json::from_str(&o.stdout) {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(format!(
                    "{}: stdout is not JSON ({e}): {}",
                    o.command(),
                    tail(&o.stdout)
                ));
                None
            }
        }
    }

    /// The ingest report's identities (`Accounting::reconciles` and the
    /// file counts), `files` files given, and the exit code it implies.
    pub fn accounting(&mut self, a: &Value, files: u64, code: Option<i32>) {
        let read = n(a, "records_read");
        let parts = n(a, "kept") + n(a, "duplicates") + n(a, "quarantined") + n(a, "out_of_window");
        if read != parts {
            self.push(format!(
                "records_read {read} != kept + duplicates + quarantined + out_of_window {parts}"
            ));
        }
        let lines = n(a, "transcript_lines_read");
        let tparts = n(a, "transcript_records_used")
            + n(a, "transcript_records_skipped")
            + n(a, "transcript_quarantined");
        if lines != tparts {
            self.push(format!(
                "transcript_lines_read {lines} != used + skipped + quarantined {tparts}"
            ));
        }
        let by_kind: u64 = a["files_by_kind"]
            .as_object()
            .map_or(0, |m| m.values().filter_map(Value::as_u64).sum());
        let seen = n(a, "files_seen");
        if seen != by_kind + n(a, "files_already_ingested") {
            self.push(format!(
                "files_seen {seen} != files_by_kind {by_kind} + already ingested {}",
                n(a, "files_already_ingested")
            ));
        }
        let not_read: u64 = a["paths_not_read"]
            .as_object()
            .map_or(0, |m| m.values().filter_map(Value::as_u64).sum());
        if seen + not_read != files {
            self.push(format!(
                "{files} files given, {seen} seen and {not_read} not read"
            ));
        }
        if n(a, "out_of_window") + n(a, "files_outside_window") != 0 {
            self.push("events or files outside a window that was never set".into());
        }
        let kind = |k: &str| a["files_by_kind"][k].as_u64().unwrap_or(0);
        let skipped = n(a, "quarantined") > 0
            || n(a, "transcript_quarantined") > 0
            || kind("unknown") + kind("unreadable") + not_read + n(a, "files_over_limit") > 0;
        let want = i32::from(skipped);
        if code.is_some_and(|c| c != want) {
            self.push(format!(
                "ingest exited {}, its accounting says {want} (quarantined {}, transcript \
                 quarantined {}, unknown {}, unreadable {}, over limit {})",
                code.unwrap_or(-1),
                n(a, "quarantined"),
                n(a, "transcript_quarantined"),
                kind("unknown"),
                kind("unreadable"),
                n(a, "files_over_limit")
            ));
        }
    }

    /// The store written by a first ingest run holds what the accounting
    /// `a` says: `per_file` and `tables` are the rows of `PER_FILE_SQL` and
    /// `TABLES_SQL`.
    pub fn store(&mut self, a: &Value, per_file: &Value, tables: &Value) {
        let side = |s: &str| {
            per_file
                .as_array()
                .and_then(|rows| rows.iter().find(|r| r["side"] == s))
                .cloned()
                .unwrap_or(Value::Null)
        };
        let (c, t) = (side("c"), side("t"));
        let files = n(&c, "files") + n(&t, "files");
        let mut eq = |what: &str, store: u64, report: u64| {
            if store != report {
                self.push(format!(
                    "{what}: {store} in the store, {report} in the report"
                ));
            }
        };
        eq("ingested_files rows", files, n(a, "files_seen"));
        eq("files' records read", n(&c, "r"), n(a, "records_read"));
        eq("files' records kept", n(&c, "k"), n(a, "kept"));
        eq("files' duplicates", n(&c, "d"), n(a, "duplicates"));
        eq(
            "files' records quarantined",
            n(&c, "q"),
            n(a, "quarantined"),
        );
        eq(
            "files' transcript lines",
            n(&t, "r"),
            n(a, "transcript_lines_read"),
        );
        eq(
            "files' transcript records used",
            n(&t, "k"),
            n(a, "transcript_records_used"),
        );
        eq(
            "files' transcript records skipped",
            n(&t, "s"),
            n(a, "transcript_records_skipped"),
        );
        eq(
            "files' transcript lines quarantined",
            n(&t, "q"),
            n(a, "transcript_quarantined"),
        );
        eq(
            "files whose read != kept + duplicates + quarantined + skipped",
            n(&c, "bad") + n(&t, "bad"),
            0,
        );
        let table = |name: &str| {
            tables
                .as_array()
                .and_then(|rows| rows.iter().find(|r| r["t"] == name))
                .map_or(u64::MAX, |r| n(r, "n"))
        };
        eq("events rows", table("events"), n(a, "kept"));
        eq(
            "quarantine rows",
            table("quarantine"),
            n(a, "quarantined") + n(a, "transcript_quarantined"),
        );
        for t in ["agent_sessions", "tool_calls", "messages"] {
            eq(
                &format!("{t} rows"),
                table(t),
                a["transcript_rows"][t].as_u64().unwrap_or(0),
            );
        }
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.0 {
            writeln!(f, "- {p}")?;
        }
        Ok(())
    }
}

/// The last 600 characters of a text, for messages.
fn tail(s: &str) -> &str {
    let mut from = s.len().saturating_sub(600);
    while !s.is_char_boundary(from) {
        from += 1;
    }
    &s[from..]
}
