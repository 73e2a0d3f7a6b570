//! What the transcripts say about their own trustworthiness, for the
//! evidence checks: when each session ran and for whom (`SessionSpan`, so a
//! marker can be checked against the person's own transcripts), and whether
//! each tool call sits in order in its file (`chain_breaks`: a record added
//! by hand usually carries a time out of step with the lines around it).
//!
//! Only times and line numbers are compared here, for every format; the
//! Claude Code reader also checks each call's place in the file's
//! `uuid` / `parentUuid` chain (`tool_calls.chain_break`). A forged record
//! written in order, with a fitting time and parent, passes
//! (ARCHITECTURE.md, "Evidence and forgery").

use crate::schema::transcripts;
use anyhow::Result;
use polars::prelude::*;

/// One agent session's time span and operator.
#[derive(Clone, Debug, Default)]
pub struct SessionSpan {
    pub session_id: String,
    pub agent: String,
    pub operator: Option<String>,
    pub started_at: i64,
    pub ended_at: i64,
}

fn micros(c: &str) -> Expr {
    col(c).dt().timestamp(TimeUnit::Microseconds).alias(c)
}

/// Every session with a known start, sorted by (start, session id).
pub fn session_spans(sessions: LazyFrame) -> Result<Vec<SessionSpan>> {
    let df = sessions
        .select([
            col(transcripts::SESSION_ID),
            col(transcripts::AGENT),
            col(transcripts::OPERATOR),
            micros(transcripts::STARTED_AT),
            micros(transcripts::ENDED_AT),
        ])
        .sort(
            [transcripts::STARTED_AT, transcripts::SESSION_ID],
            SortMultipleOptions::default().with_nulls_last(true),
        )
        .collect()
        .map_err(|e| anyhow::anyhow!("reading agent sessions: {e}"))?;
    let sid = df.column(transcripts::SESSION_ID)?.str()?;
    let agent = df.column(transcripts::AGENT)?.str()?;
    let operator = df.column(transcripts::OPERATOR)?.str()?;
    let start = df.column(transcripts::STARTED_AT)?.i64()?;
    let end = df.column(transcripts::ENDED_AT)?.i64()?;
    let mut out = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let Some(s) = start.get(i) else { continue };
        out.push(SessionSpan {
            session_id: sid.get(i).unwrap_or_default().to_string(),
            agent: agent.get(i).unwrap_or("agent").to_string(),
            operator: operator.get(i).map(str::to_string),
            started_at: s,
            ended_at: end.get(i).filter(|e| *e >= s).unwrap_or(s),
        });
    }
    Ok(out)
}

/// A record of a transcript file: line, time, and for a tool call its row
/// in the calls read.
type Row = (u64, i64, Option<usize>);

/// How far a record may be out of step with its neighbours (clock
/// adjustments, records written at the end of a step).
const TOLERANCE_US: i64 = 5_000_000;

/// Tool calls whose time is out of order with the other records of their
/// file (by line), keyed by (session id, call id), with the reason.
pub fn chain_breaks(
    tool_calls: LazyFrame,
    messages: LazyFrame,
) -> Result<PlHashMap<(String, String), String>> {
    let calls = tool_calls
        .select([
            col(transcripts::SOURCE_FILE),
            col(transcripts::SOURCE_LINE).cast(DataType::UInt64),
            micros(transcripts::STARTED_AT).alias("t"),
            col(transcripts::SESSION_ID),
            col(transcripts::CALL_ID),
        ])
        .collect()
        .map_err(|e| anyhow::anyhow!("reading tool calls: {e}"))?;
    let msgs = messages
        .select([
            col(transcripts::SOURCE_FILE),
            col(transcripts::SOURCE_LINE).cast(DataType::UInt64),
            micros(transcripts::TIME).alias("t"),
        ])
        .collect()
        .map_err(|e| anyhow::anyhow!("reading messages: {e}"))?;
    let s = calls.column(transcripts::SESSION_ID)?.str()?;
    let c = calls.column(transcripts::CALL_ID)?.str()?;
    let mut files: PlHashMap<&str, Vec<Row>> = PlHashMap::default();
    {
        let f = calls.column(transcripts::SOURCE_FILE)?.str()?;
        let l = calls.column(transcripts::SOURCE_LINE)?.u64()?;
        let t = calls.column("t")?.i64()?;
        for i in 0..calls.height() {
            if let (Some(f), Some(l), Some(t)) = (f.get(i), l.get(i), t.get(i)) {
                match files.get_mut(f) {
                    Some(rows) => rows.push((l, t, Some(i))),
                    None => {
                        files.insert(f, vec![(l, t, Some(i))]);
                    }
                }
            }
        }
        let f = msgs.column(transcripts::SOURCE_FILE)?.str()?;
        let l = msgs.column(transcripts::SOURCE_LINE)?.u64()?;
        let t = msgs.column("t")?.i64()?;
        for i in 0..msgs.height() {
            if let (Some(f), Some(l), Some(t)) = (f.get(i), l.get(i), t.get(i))
                && let Some(rows) = files.get_mut(f)
            {
                rows.push((l, t, None));
            }
        }
    }
    let mut out = PlHashMap::default();
    for (file, mut rows) in files {
        rows.sort_by_key(|a| (a.0, a.1));
        for (i, why) in out_of_order(&rows, file) {
            let key = (
                s.get(i).unwrap_or_default().to_string(),
                c.get(i).unwrap_or_default().to_string(),
            );
            out.insert(key, why);
        }
    }
    Ok(out)
}

/// The records that are in order: one longest run of non-decreasing times
/// (by line), as a mask. Whatever is outside it is out of step with the
/// rest of the file.
fn in_order(times: &[i64]) -> Vec<bool> {
    // tails[k]: index of the smallest last time of a run of length k + 1.
    let mut tails: Vec<usize> = Vec::new();
    let mut prev = vec![usize::MAX; times.len()];
    for (i, &t) in times.iter().enumerate() {
        let k = tails.partition_point(|&j| times[j] <= t);
        if k > 0 {
            prev[i] = tails[k - 1];
        }
        if k == tails.len() {
            tails.push(i);
        } else {
            tails[k] = i;
        }
    }
    let mut mask = vec![false; times.len()];
    let mut at = tails.last().copied().unwrap_or(usize::MAX);
    while at != usize::MAX {
        mask[at] = true;
        at = prev[at];
    }
    mask
}

/// The tool calls among `rows` (sorted by line) that are out of step with
/// the file: outside its longest in-order run, and dated before the last
/// in-order record above them or after the first below them, beyond the
/// tolerance.
fn out_of_order(rows: &[Row], file: &str) -> Vec<(usize, String)> {
    let times: Vec<i64> = rows.iter().map(|r| r.1).collect();
    let mask = in_order(&times);
    let n = rows.len();
    let mut next_in_order = vec![i64::MAX; n + 1];
    for k in (0..n).rev() {
        next_in_order[k] = if mask[k] {
            times[k]
        } else {
            next_in_order[k + 1]
        };
    }
    let mut last_in_order = i64::MIN;
    let mut out = Vec::new();
    for (k, (line, t, key)) in rows.iter().enumerate() {
        if mask[k] {
            last_in_order = *t;
            continue;
        }
        let Some(key) = key else { continue };
        let name = crate::output::escape_controls(file);
        if *t < last_in_order.saturating_sub(TOLERANCE_US) {
            out.push((
                *key,
                format!("line {line} of {name} is dated before a record above it"),
            ));
        } else if *t > next_in_order[k + 1].saturating_add(TOLERANCE_US) {
            out.push((
                *key,
                format!("line {line} of {name} is dated after a record below it"),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_out_of_step_with_its_neighbours_is_named() {
        let s = 1_000_000;
        // Calls are named by their row among the calls read.
        let (ok, forged, late) = (Some(7), Some(8), Some(9));
        let rows = vec![
            (1, 100 * s, None),
            (2, 110 * s, ok),
            (3, 120 * s, None),
            // Appended at the end, dated back to fit an event.
            (4, 50 * s, forged),
            (5, 130 * s, None),
        ];
        let out = out_of_order(&rows, "a.jsonl");
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(Some(out[0].0), forged);
        assert!(out[0].1.contains("line 4 of a.jsonl"), "{}", out[0].1);
        // Dated ahead of the lines below it.
        let rows = vec![(1, 100 * s, None), (2, 500 * s, late), (3, 120 * s, None)];
        assert_eq!(Some(out_of_order(&rows, "b")[0].0), late);
        // A few seconds of jitter is not a break.
        let rows = vec![(1, 100 * s, None), (2, 97 * s, ok)];
        assert!(out_of_order(&rows, "c").is_empty());
    }
}
