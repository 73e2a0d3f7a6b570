//! The parallel half of a run: files grouped into windows, each file read,
//! decoded and parsed on a rayon worker into a `FileOutcome` (rows,
//! quarantined records, transcript rows), with reused per-thread buffers.

use super::reader::{FileKind, Quarantined, ReadContext};
use super::{decode, discover, normalise, reader, transcript};
use polars::prelude::*;
use std::collections::HashSet;

/// Compressed bytes read per parallel window.
pub(super) const WINDOW_BYTES: u64 = 8 << 20;
pub(super) const WINDOW_FILES: usize = 256;

thread_local! {
    /// Each worker reads and inflates into the same two buffers for the whole run.
    pub(super) static BUFFERS: std::cell::RefCell<(Vec<u8>, Vec<u8>)> = const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// What one file produced in the parallel phase.
pub(super) struct FileOutcome {
    pub(super) path: String,
    pub(super) size: u64,
    pub(super) hash: Option<String>,
    pub(super) kind: String,
    pub(super) note: Option<String>,
    pub(super) frame: Option<DataFrame>,
    pub(super) days: Vec<i32>,
    pub(super) id_hashes: Vec<u128>,
    pub(super) quarantined: Vec<Quarantined>,
    pub(super) bytes_decoded: u64,
    pub(super) transcript: Option<TranscriptPart>,
    /// What was accepted leniently, and the warnings for nulled fields.
    pub(super) lenient: reader::LenientCounts,
    pub(super) warnings: Vec<String>,
    pub(super) hook_payloads: u64,
    /// Events outside `ingest --since/--until`, not kept (`window`).
    pub(super) out_of_window: u64,
    /// The S3 object's ETag (set by the S3 source).
    pub(super) etag: Option<String>,
}

/// What one transcript file produced.
pub(super) struct TranscriptPart {
    pub(super) rows: transcript::TranscriptRows,
    pub(super) counts: crate::transcripts::TranscriptCounts,
}

pub(super) fn make_windows(files: &[discover::InputFile]) -> Vec<&[discover::InputFile]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, f) in files.iter().enumerate() {
        bytes += f.size;
        if bytes >= WINDOW_BYTES || i + 1 - start >= WINDOW_FILES {
            out.push(&files[start..=i]);
            start = i + 1;
            bytes = 0;
        }
    }
    if start < files.len() {
        out.push(&files[start..]);
    }
    out
}

pub(super) fn read_one(
    f: &discover::InputFile,
    raw: &mut Vec<u8>,
    buf: &mut Vec<u8>,
    known_hashes: &HashSet<String>,
    cx: &ReadContext<'_>,
    topts: &crate::transcripts::TranscriptOptions,
) -> FileOutcome {
    raw.clear();
    let read = std::fs::File::open(&f.path).and_then(|mut file| {
        use std::io::Read;
        raw.reserve(f.size as usize);
        file.read_to_end(raw)
    });
    match read {
        Ok(_) => read_bytes(f, raw, buf, known_hashes, cx, topts),
        Err(e) => unreadable(f, format!("cannot read: {e}")),
    }
}

/// A file or object that could not be read or fetched.
pub(super) fn unreadable(f: &discover::InputFile, note: String) -> FileOutcome {
    let mut outcome = empty_outcome(f);
    outcome.kind = "unreadable".into();
    outcome.note = Some(note);
    outcome
}

fn empty_outcome(f: &discover::InputFile) -> FileOutcome {
    FileOutcome {
        path: f.display.clone(),
        size: f.size,
        hash: None,
        kind: String::new(),
        note: None,
        frame: None,
        days: Vec::new(),
        id_hashes: Vec::new(),
        quarantined: Vec::new(),
        bytes_decoded: 0,
        transcript: None,
        lenient: Default::default(),
        warnings: Vec::new(),
        hook_payloads: 0,
        out_of_window: 0,
        etag: None,
    }
}

/// One input's bytes (a local file's, or an S3 object's) → its outcome.
pub(super) fn read_bytes(
    f: &discover::InputFile,
    raw: &[u8],
    buf: &mut Vec<u8>,
    known_hashes: &HashSet<String>,
    cx: &ReadContext<'_>,
    topts: &crate::transcripts::TranscriptOptions,
) -> FileOutcome {
    let path = f.display.clone();
    let mut outcome = empty_outcome(f);
    outcome.size = raw.len() as u64;
    let hash = format!("{:032x}", xxhash_rust::xxh3::xxh3_128(raw));
    if known_hashes.contains(&hash) {
        outcome.kind = "already_ingested".into();
        outcome.hash = Some(hash);
        return outcome;
    }
    outcome.hash = Some(hash);
    let decoded = decode::decode_into(raw, buf, decode::MAX_DECODED);
    let bytes: &[u8] = if decoded.gzip { buf } else { raw };
    outcome.bytes_decoded = bytes.len() as u64;
    // Security Lake's OCSF Parquet, read as the CloudTrail records it maps back to.
    let ocsf_doc;
    let is_ocsf = crate::ocsf::read::is_parquet(bytes);
    let bytes: &[u8] = if is_ocsf {
        match crate::ocsf::read::to_cloudtrail(bytes) {
            Ok((doc, _)) => {
                ocsf_doc = doc;
                &ocsf_doc
            }
            Err(e) => {
                outcome.kind = "unreadable".into();
                outcome.note = Some(format!("Parquet file not readable as OCSF: {e:#}"));
                return outcome;
            }
        }
    } else {
        bytes
    };
    // A JSON array may be CloudTrail's or a transcript's (hook payloads,
    // Cline's `ui_messages.json`): its first element decides.
    let array = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(bytes)
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        == Some(&b'[');
    if array || !reader::sniff_cloudtrail(bytes) {
        let head = &bytes[..bytes.len().min(64 * 1024)];
        if let Some(format) = crate::transcripts::detect(&f.path, head) {
            read_transcript(&mut outcome, format, &f.path, bytes, topts);
            return outcome;
        }
    }
    let account = reader::account_from_path(&path);
    let origin = normalise::Origin {
        account: account.as_deref(),
    };
    let read = reader::read_file(&path, bytes, decoded.trailing_error.as_deref(), origin, cx);
    // Hook payloads (an array, or lines after a broken first one) are a
    // transcript format the sniff could not tell from CloudTrail.
    if read.kind == FileKind::ClaudeHookLog {
        let format = crate::transcripts::TranscriptFormat::ClaudeHookLog;
        read_transcript(&mut outcome, format, &f.path, bytes, topts);
        return outcome;
    }
    outcome.kind = read.kind.as_str().to_string();
    if is_ocsf && read.kind == FileKind::CloudTrail {
        outcome.kind = "ocsf_parquet".into();
    }
    outcome.note = read.note;
    if read.kind == FileKind::Unknown && outcome.note.is_none() {
        outcome.note = Some("no CloudTrail records could be read".into());
    }
    outcome.quarantined = read.quarantined;
    outcome.lenient = read.lenient;
    outcome.warnings = read.warnings;
    outcome.hook_payloads = read.hook_payloads;
    if !read.batch.is_empty() {
        let mut batch = read.batch;
        outcome.days = std::mem::take(&mut batch.days);
        // The keys also become the `event_key` column.
        outcome.id_hashes = batch.id_hashes.clone();
        match batch.finish() {
            Ok(df) => outcome.frame = Some(df),
            Err(e) => {
                outcome.kind = "unreadable".into();
                outcome.note = Some(format!("internal error building columns: {e:#}"));
                outcome.days.clear();
                outcome.id_hashes.clear();
            }
        }
    }
    outcome
}

pub(super) fn read_transcript(
    outcome: &mut FileOutcome,
    format: crate::transcripts::TranscriptFormat,
    path: &std::path::Path,
    bytes: &[u8],
    opts: &crate::transcripts::TranscriptOptions,
) {
    let mut parsed = crate::transcripts::parse(format, path, bytes, opts);
    // Rows name the file as the user gave it, like events do.
    for s in &mut parsed.sessions {
        s.source_file.clone_from(&outcome.path);
    }
    for c in &mut parsed.tool_calls {
        c.source_file.clone_from(&outcome.path);
    }
    for m in &mut parsed.messages {
        m.source_file.clone_from(&outcome.path);
    }
    outcome.kind = format!("transcript:{}", format.as_str());
    if !parsed.notes.is_empty() {
        outcome.note = Some(parsed.notes.join("; "));
    }
    outcome.quarantined = parsed
        .quarantined
        .iter()
        .map(|q| Quarantined {
            line: q.line,
            record_index: q.record_index,
            position: match (q.line, q.record_index) {
                (Some(l), _) => format!("line {l}"),
                (None, Some(i)) => format!("record {i}"),
                (None, None) => "file".to_string(),
            },
            reason: q.reason.clone(),
            raw: q.raw.clone(),
            raw_bytes: q.raw.len() as u64,
        })
        .collect();
    let counts = parsed.counts.clone();
    outcome.transcript = Some(TranscriptPart {
        rows: transcript::TranscriptRows::from_parsed(parsed),
        counts,
    });
}
