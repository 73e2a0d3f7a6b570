//! The parallel half of a run: files grouped into windows, windows into
//! chunks; a rayon worker reads, decodes and parses each chunk's files in
//! order into one shared `EventBatch` and one frame (`ChunkOutcome`), with a
//! `FileOutcome` per file (its row count, quarantined records, transcript
//! rows). Many small files thus cost one Arrow frame, not one each, and the
//! read buffers are reused per thread. Windows and chunks depend only on the
//! file list, so the output does not depend on the thread count.

use super::batch::EventBatch;
use super::reader::{FileKind, Quarantined, ReadContext};
use super::{decode, discover, normalise, reader, s3, transcript};
use polars::prelude::*;

/// Compressed bytes read per parallel window. Up to three windows are in
/// memory (one read, one waiting, one merged), each ~7× its compressed
/// size once parsed into frames: 4 MiB keeps both cores busy with four
/// chunks each (issue 24: 8 MiB windows of 1 MiB chunks peaked ~100 MiB
/// higher with 1M events, at the same speed).
pub(super) const WINDOW_BYTES: u64 = 4 << 20;
pub(super) const WINDOW_FILES: usize = 4096;
/// Compressed bytes and files one worker reads into one batch.
pub(super) const CHUNK_BYTES: u64 = 512 << 10;
pub(super) const CHUNK_FILES: usize = 128;
/// A thread's read buffers are dropped after a file that grew them past this.
const KEEP_BUFFER: usize = 32 << 20;

thread_local! {
    /// Each worker reads and inflates into the same two buffers for the
    /// whole run. `read_chunk` takes them out and puts them back rather
    /// than borrowing them in place: reading a Parquet file (OCSF) waits on
    /// polars' pool, and while it waits rayon may run another chunk on the
    /// same thread, which then finds them gone and makes its own (a borrow
    /// would panic, issue 23).
    static BUFFERS: std::cell::RefCell<(Vec<u8>, Vec<u8>)> = const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// What one file produced in the parallel phase.
#[derive(Default)]
pub(super) struct FileOutcome {
    pub(super) path: String,
    pub(super) size: u64,
    pub(super) hash: Option<String>,
    pub(super) kind: String,
    pub(super) note: Option<String>,
    /// Rows this file added to its chunk's frame (they follow the rows of
    /// the files before it in the chunk).
    pub(super) rows: usize,
    pub(super) quarantined: Vec<Quarantined>,
    pub(super) bytes_decoded: u64,
    pub(super) transcript: Option<TranscriptPart>,
    /// What was accepted leniently, and the warnings for nulled fields.
    pub(super) lenient: reader::LenientCounts,
    pub(super) warnings: Vec<String>,
    pub(super) hook_payloads: u64,
    /// The file is over `ingest.max_file_bytes`: read up to it only.
    pub(super) over_limit: bool,
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

/// What one chunk of files produced: their outcomes in input order and the
/// rows of all of them in one frame, with each row's day and key.
pub(super) struct ChunkOutcome {
    pub(super) files: Vec<FileOutcome>,
    pub(super) frame: Option<DataFrame>,
    pub(super) days: Vec<i32>,
    pub(super) id_hashes: Vec<u128>,
}

/// Consecutive runs of files, each ending once it holds `max_bytes`
/// (compressed) or `max_files`.
pub(super) fn group(
    files: &[discover::InputFile],
    max_bytes: u64,
    max_files: usize,
) -> Vec<&[discover::InputFile]> {
    group_ranges(files, max_bytes, max_files)
        .into_iter()
        .map(|r| &files[r])
        .collect()
}

/// `group`, as index ranges (to cut a parallel slice the same way).
pub(super) fn group_ranges(
    files: &[discover::InputFile],
    max_bytes: u64,
    max_files: usize,
) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, f) in files.iter().enumerate() {
        bytes += f.size;
        if bytes >= max_bytes || i + 1 - start >= max_files {
            out.push(start..i + 1);
            start = i + 1;
            bytes = 0;
        }
    }
    if start < files.len() {
        out.push(start..files.len());
    }
    out
}

/// Reads a chunk's files in order into one batch, on this thread's buffers.
/// `fetched`, when given, holds each file's S3 object (same order, same
/// length): its bytes are read instead of the local path.
pub(super) fn read_chunk(
    files: &[discover::InputFile],
    fetched: Option<&[s3::fetch::Fetched]>,
    known_hashes: &crate::store::file_lists::Hashes,
    cx: &ReadContext<'_>,
    topts: &crate::transcripts::TranscriptOptions,
) -> ChunkOutcome {
    let (mut raw, mut buf) = BUFFERS.take();
    let chunk = {
        let mut batch = EventBatch::new("", 1024);
        let outcomes: Vec<FileOutcome> = files
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let object = fetched.and_then(|o| o.get(i));
                let mut o = read_one(
                    f,
                    object,
                    &mut raw,
                    &mut buf,
                    &mut batch,
                    known_hashes,
                    cx,
                    topts,
                );
                if let Some(object) = object {
                    o.etag.clone_from(&object.object.etag);
                }
                // A huge file's buffers are not kept for the rest of the run.
                for b in [&mut raw, &mut buf] {
                    if b.capacity() > KEEP_BUFFER {
                        *b = Vec::new();
                    }
                }
                o
            })
            .collect();
        let mut chunk = ChunkOutcome {
            files: Vec::new(),
            frame: None,
            days: std::mem::take(&mut batch.days),
            // The keys also become the `event_key` column.
            id_hashes: batch.id_hashes.clone(),
        };
        chunk.files = outcomes;
        if !batch.is_empty() {
            match batch.finish() {
                Ok(df) => chunk.frame = Some(df),
                Err(e) => chunk.fail(&format!("internal error building columns: {e:#}")),
            }
        }
        chunk
    };
    BUFFERS.set((raw, buf));
    chunk
}

impl ChunkOutcome {
    /// An internal error lost the chunk's rows: each file that had rows is
    /// reported unreadable with `note`.
    pub(super) fn fail(&mut self, note: &str) {
        for o in self.files.iter_mut().filter(|o| o.rows > 0) {
            o.kind = "unreadable".into();
            o.note = Some(note.to_string());
            o.rows = 0;
        }
        self.frame = None;
        self.days.clear();
        self.id_hashes.clear();
    }
}

/// What makes a file "already ingested": its content hash, and for a
/// local SQLite database also the `-wal` beside it, whose rows the
/// transcript readers read too (an agent's database may stay the same
/// while its WAL grows).
fn with_wal(path: &std::path::Path, raw: &[u8], hash: u128) -> u128 {
    let wal = crate::transcripts::is_database_head(raw)
        .then(|| crate::transcripts::wal_beside(path))
        .flatten();
    let Some(wal) = wal else {
        return hash;
    };
    // Hashed as it is read, a block at a time: a WAL can be larger than
    // the database (and than `max_file_bytes`).
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(&hash.to_le_bytes());
    let hashed = std::fs::File::open(&wal).and_then(|mut f| {
        let mut block = vec![0u8; 1 << 20];
        loop {
            match std::io::Read::read(&mut f, &mut block) {
                Ok(0) => return Ok(()),
                Ok(n) => h.update(&block[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    });
    match hashed {
        Ok(()) => h.digest128(),
        Err(_) => hash,
    }
}

/// A local file read as `decode::read_capped` reads it, except an SQLite
/// database and a database's write-ahead log beside it, of which only the
/// head is kept (for detection): the database's reader reads both files
/// from disk itself, and a log holds no records of its own. Either may be
/// larger than memory. The rest of a database is hashed as it streams by;
/// a log is known by its head and size (`decode::Head::HeadAndSize`): its
/// content is hashed with its database's (`with_wal`), and hashing it
/// again, after the database was read, cost a 205 MB log 0.1 s.
fn read_local(
    path: &std::path::Path,
    size: u64,
    limit: u64,
    raw: &mut Vec<u8>,
) -> std::io::Result<decode::ReadCapped> {
    decode::read_head_or_capped(path, size, limit, raw, |head| {
        if crate::transcripts::is_database_head(head) {
            decode::Head::HashRest
        } else if crate::transcripts::is_wal_magic(head)
            && crate::transcripts::names_wal_of_database(path)
        {
            decode::Head::HeadAndSize
        } else {
            decode::Head::Whole
        }
    })
}

#[allow(clippy::too_many_arguments)]
fn read_one(
    f: &discover::InputFile,
    object: Option<&s3::fetch::Fetched>,
    raw: &mut Vec<u8>,
    buf: &mut Vec<u8>,
    batch: &mut EventBatch,
    known_hashes: &crate::store::file_lists::Hashes,
    cx: &ReadContext<'_>,
    topts: &crate::transcripts::TranscriptOptions,
) -> FileOutcome {
    let path = f.display.clone();
    let mut outcome = FileOutcome {
        path: path.clone(),
        size: f.size,
        ..Default::default()
    };
    let limit = cx.limits.max_file_bytes;
    let (raw, read): (&[u8], decode::ReadCapped) = match object.map(|o| &o.bytes) {
        None => match read_local(&f.path, f.size, limit, raw) {
            Ok(r) => (raw, r),
            Err(e) => {
                outcome.kind = "unreadable".into();
                outcome.note = Some(format!("cannot read: {e}"));
                return outcome;
            }
        },
        // An object is fetched whole; only its first `limit` bytes are read.
        Some(Ok(bytes)) => (
            &bytes[..bytes.len().min(limit as usize)],
            decode::ReadCapped {
                size: bytes.len() as u64,
                hash: xxhash_rust::xxh3::xxh3_128(bytes),
            },
        ),
        Some(Err(e)) => {
            outcome.kind = "unreadable".into();
            outcome.note = Some(e.clone());
            return outcome;
        }
    };
    outcome.size = read.size;
    let hash = match object {
        None => with_wal(&f.path, raw, read.hash),
        Some(_) => read.hash,
    };
    let known = known_hashes.contains(&hash);
    let hash = format!("{hash:032x}");
    if known {
        outcome.kind = "already_ingested".into();
        outcome.hash = Some(hash);
        return outcome;
    }
    outcome.hash = Some(hash);
    let mut decoded = decode::decode_into(raw, buf, limit);
    // A local SQLite database (or its write-ahead log, magic 0x377f0682 or
    // 0x377f0683) over the limit is not a memory risk: the database's
    // reader reads the files from disk itself (into memory up to 2 GiB,
    // beyond that through a copy on disk that SQLite pages through); a
    // log is only recognised beside it.
    let local_database = object.is_none()
        && (crate::transcripts::is_database_head(raw) || crate::transcripts::is_wal_magic(raw));
    if read.size > limit && !local_database {
        decoded.over_limit = true;
        decoded.trailing_error = Some(format!(
            "the file is {} bytes, over the {} limit (ingest.max_file_bytes); the rest is not read",
            read.size,
            super::limits::human_bytes(limit)
        ));
    }
    outcome.over_limit = decoded.over_limit;
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
            if let Some(e) = decoded.trailing_error.filter(|_| decoded.over_limit) {
                let note = outcome.note.take();
                outcome.note = Some(note.map_or(e.clone(), |n| format!("{n}; {e}")));
            }
            return outcome;
        }
    }
    let account = reader::account_from_path(&path);
    let origin = normalise::Origin {
        account: account.as_deref(),
    };
    let read = reader::read_file_into(
        batch,
        &path,
        bytes,
        decoded.trailing_error.as_deref(),
        origin,
        cx,
    );
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
    outcome.rows = read.rows as usize;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_is_hashed_whole_its_wal_known_by_head_and_size_only_heads_kept() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("opencode.db");
        let mut pages = b"SQLite format 3\0".to_vec();
        pages.extend((0..200_000u32).map(|i| (i % 251) as u8));
        std::fs::write(&db, &pages).unwrap();
        let mut raw = Vec::new();
        let read = read_local(&db, pages.len() as u64, 1 << 30, &mut raw).unwrap();
        assert_eq!(raw, pages[..decode::HEAD as usize]);
        assert_eq!(read.size, pages.len() as u64);
        assert_eq!(read.hash, xxhash_rust::xxh3::xxh3_128(&pages));
        // A database smaller than the head is simply read.
        std::fs::write(&db, &pages[..5000]).unwrap();
        read_local(&db, 5000, 1 << 30, &mut raw).unwrap();
        assert_eq!(raw, pages[..5000]);

        let wal = dir.path().join("opencode.db-wal");
        let mut log = vec![0x37, 0x7f, 0x06, 0x82];
        log.extend((0..300_000u32).map(|i| i as u8));
        std::fs::write(&wal, &log).unwrap();
        let read = read_local(&wal, log.len() as u64, 1 << 30, &mut raw).unwrap();
        assert_eq!(raw.len() as u64, decode::HEAD);
        assert_eq!(read.size, log.len() as u64);
        // Known by its head and size: its bytes are in its database's hash.
        let mut known = log[..decode::HEAD as usize].to_vec();
        known.extend((log.len() as u64).to_le_bytes());
        assert_eq!(read.hash, xxhash_rust::xxh3::xxh3_128(&known));

        // Not a log after all (no magic): read whole, as any file.
        let text = b"{\"Records\":[]}".repeat(10_000);
        std::fs::write(&wal, &text).unwrap();
        read_local(&wal, text.len() as u64, 1 << 30, &mut raw).unwrap();
        assert_eq!(raw, text);
        // A log without its database beside it is read whole too.
        std::fs::write(&wal, &log).unwrap();
        std::fs::remove_file(&db).unwrap();
        read_local(&wal, log.len() as u64, 1 << 30, &mut raw).unwrap();
        assert_eq!(raw, log);
    }
}
