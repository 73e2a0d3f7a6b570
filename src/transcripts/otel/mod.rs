//! Agent telemetry as OpenTelemetry JSON files: what the Collector's `file`
//! exporter writes (one OTLP/JSON `ExportLogsServiceRequest` per line,
//! `{"resourceLogs": [{"resource", "scopeLogs": [{"logRecords": […]}]}]}`,
//! gzip handled by ingest) or one such document. Organisations collect
//! these from every machine; they carry, per tool call, the command, its
//! time and outcome, and the approval decision that transcripts lack
//! (`claude_code.tool_result` / `tool_decision`, `codex.tool_decision` /
//! `tool_result`, `gemini_cli.tool_call`), with the session and the person
//! (`user.email`) on each record.
//!
//! Traces (`resourceSpans`, the same exporter's traces pipeline) are read
//! too: an `execute_tool` span of the GenAI semantic conventions — what
//! GitHub Copilot CLI and other instrumented agents export — is one tool
//! call, with the span's times and status; spans record no approval.
//!
//! Each log record or span is one record for the accounting: an agent
//! event or tool span that yields a row is used, any other (API requests,
//! model-call spans, metrics-only requests, other services' logs) is
//! skipped under its kind, and a line that is not JSON is quarantined with
//! its line. `attrs` flattens OTLP attribute lists, `events` knows each
//! agent's event names and attributes, `reader` turns events into rows.

mod attrs;
mod events;
mod fast;
mod fast_docs;
mod reader;
mod search;
#[cfg(test)]
mod tests;

use std::path::Path;

use rayon::prelude::*;
use serde_json::Value;

use super::text::first_byte;
use super::util::{json_line_reason, line_batches, lines};
use super::{ParsedTranscript, TranscriptOptions};
use reader::Reader;

/// Whether a JSON line or document head is agent telemetry as a log
/// store exports it (a search response, a hit, or a stored record): it
/// has that shape and names an agent event or a GenAI attribute.
pub(crate) fn is_stored_telemetry(text: &[u8], whole: bool) -> bool {
    let named = [
        &b"claude_code."[..],
        b"\"codex.",
        b"gemini_cli.",
        b"gen_ai.",
    ]
    .iter()
    .any(|m| memchr::memmem::find(text, m).is_some());
    if !named {
        return false;
    }
    if !whole {
        return true; // a cut search response: its keys were checked
    }
    match serde_json::from_slice::<Value>(text) {
        Ok(v) => search::documents(&v).is_some_and(|d| !d.is_empty()),
        Err(_) => false,
    }
}

pub(crate) fn parse(path: &Path, bytes: &[u8], opts: &TranscriptOptions) -> ParsedTranscript {
    let mut r = Reader::new(path, opts);
    let first_line = lines(bytes).next().map(|(_, l)| l).unwrap_or_default();
    let one_per_line = serde_json::from_slice::<serde::de::IgnoredAny>(first_line).is_ok();
    if one_per_line {
        for batch in line_batches(bytes) {
            let decoded: Vec<Decoded<'_>> = batch
                .par_iter()
                .with_max_len(1)
                .map(|(_, line)| decode(line))
                .collect();
            for ((no, line), fast) in batch.into_iter().zip(decoded) {
                match fast {
                    Decoded::Logs(l) => r.logs_line(no, &l),
                    Decoded::Doc(d) => r.doc_line(no, &d),
                    Decoded::General => read_line(&mut r, no, line),
                }
            }
        }
    } else {
        read_documents(&mut r, bytes);
    }
    r.finish()
}

/// A line as one of the fast paths decoded it, or left to the general one.
enum Decoded<'a> {
    Logs(fast::Line<'a>),
    Doc(fast_docs::Doc<'a>),
    General,
}

/// A Collector line names its requests' member; a line without that name
/// is tried as a stored document (each path leaves what it does not
/// read, and the general path reads every line alike).
fn decode(line: &[u8]) -> Decoded<'_> {
    // Made once (`memmem::find` makes a finder per call).
    static REQUEST: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\"resourceLogs\""));
    if REQUEST.find(line).is_some() {
        fast::decode(line).map_or(Decoded::General, Decoded::Logs)
    } else {
        fast_docs::decode(line).map_or(Decoded::General, Decoded::Doc)
    }
}

/// A line the fast paths do not decode: any object, read as a `Value`.
fn read_line(r: &mut Reader<'_>, no: u64, line: &[u8]) {
    match serde_json::from_slice::<Value>(line) {
        Ok(v) if v.is_object() => r.request(no, &v),
        Ok(_) => {
            r.c.quarantine(Some(no), None, "valid JSON but not an object", line)
        }
        Err(e) => {
            let reason = format!("telemetry line: {}", json_line_reason(line, &e));
            r.c.quarantine(Some(no), None, reason, line);
        }
    }
}

/// Pretty-printed documents, one after another; what follows a broken one
/// is quarantined as one record.
fn read_documents(r: &mut Reader<'_>, bytes: &[u8]) {
    let mut it = serde_json::Deserializer::from_slice(bytes).into_iter::<Value>();
    loop {
        let start = it.byte_offset();
        let line = line_of(bytes, start);
        match it.next() {
            None => break,
            Some(Ok(v)) if v.is_object() => r.request(line, &v),
            Some(Ok(_)) => {
                let end = it.byte_offset();
                r.c.quarantine(
                    Some(line),
                    None,
                    "valid JSON but not an object",
                    &bytes[start..end],
                );
            }
            Some(Err(e)) => {
                let rest = &bytes[start.min(bytes.len())..];
                if first_byte(rest).is_some() {
                    r.c.quarantine(Some(line), None, format!("telemetry document: {e}"), rest);
                }
                break;
            }
        }
    }
}

fn line_of(bytes: &[u8], at: usize) -> u64 {
    let at = at.min(bytes.len());
    // The value starts after any whitespace.
    let skip = bytes[at..]
        .iter()
        .take_while(|b| b.is_ascii_whitespace())
        .count();
    1 + memchr::memchr_iter(b'\n', &bytes[..at + skip]).count() as u64
}
