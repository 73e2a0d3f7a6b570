//! Reads one decompressed input file into events and quarantined records.
//!
//! Detects the shape by content, never by file name: an S3 delivery document
//! (`{"Records":[…]}`), a bare array, JSON Lines, EventBridge envelopes,
//! `lookup-events` output, CloudWatch Logs exports and subscription payloads,
//! digest files and JSON that is not CloudTrail. Each record is parsed on its
//! own (see `scan`), so a bad one is quarantined and its neighbours are kept.

use super::batch::EventBatch;
use super::fastjson;
use super::normalise::{Origin, normalise};
use super::record::Doc;
use super::scan::{self, ScanError};
use crate::cloudtrail::iam_action::IamExceptions;
use std::borrow::Cow;

/// What an input file turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    CloudTrail,
    Digest,
    NotCloudTrail,
    /// A text file whose extension says it is not a log (notes, settings,
    /// tables): counted, not a problem.
    NotLog,
    /// IAM data (`aws iam get-account-authorization-details` output) kept
    /// beside the logs: read by `privileges`, `compare` and `report`.
    IamData,
    Empty,
    Unknown,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::CloudTrail => "cloudtrail",
            FileKind::Digest => "digest",
            FileKind::NotCloudTrail => "not_cloudtrail",
            FileKind::NotLog => "not_log",
            FileKind::IamData => "iam_data",
            FileKind::Empty => "empty",
            FileKind::Unknown => "unknown",
        }
    }
}

/// A record that could not be kept.
#[derive(Debug, Clone)]
pub struct Quarantined {
    pub line: Option<u64>,
    pub record_index: Option<u64>,
    pub position: String,
    pub reason: String,
    pub raw: String,
    pub raw_bytes: u64,
}

/// The most raw text kept per quarantined record.
pub const RAW_LIMIT: usize = 64 * 1024;

pub struct FileRead {
    pub kind: FileKind,
    pub batch: EventBatch,
    pub quarantined: Vec<Quarantined>,
    pub note: Option<String>,
}

impl FileRead {
    pub fn records_read(&self) -> u64 {
        self.batch.len() as u64 + self.quarantined.len() as u64
    }
}

/// Settings that do not change between files.
pub struct ReadContext<'a> {
    pub iam: &'a IamExceptions,
}

/// One JSON value as a `Doc`: the fast path, or serde where it gives up
/// (whose result and error are the ones that count).
fn parse_doc(text: &str) -> serde_json::Result<Doc<'_>> {
    fastjson::doc(text).or_else(|_| serde_json::from_str(text))
}

/// Quick look at the start of a file: does it hold CloudTrail at all? Used to
/// route JSON Lines to the transcript readers before a full pass.
pub fn sniff_cloudtrail(bytes: &[u8]) -> bool {
    let start = scan::skip_ws(bytes, skip_bom(bytes));
    match bytes.get(start) {
        Some(b'[') => true,
        Some(b'{') => {
            // An S3 delivery document is one line; it opens with its records,
            // and reading the whole line here would parse the file twice.
            if let Ok(Some((key, value))) = scan::next_key(bytes, start + 1, true)
                && &bytes[key] == b"Records"
                && bytes.get(value) == Some(&b'[')
            {
                return true;
            }
            let line_end =
                memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |e| start + e);
            let first = &bytes[start..line_end];
            match std::str::from_utf8(first).ok().map(parse_doc) {
                Some(Ok(d)) => {
                    d.looks_like_record()
                        || d.is_envelope()
                        || d.is_digest()
                        || d.records.is_some()
                        || d.cloud_trail_event.is_some()
                        || d.message_text()
                            .is_some_and(|m| m.trim_start().starts_with('{'))
                }
                // A pretty-printed document: look for the container keys.
                _ => [
                    &b"\"Records\""[..],
                    b"\"Events\"",
                    b"\"logEvents\"",
                    b"\"eventVersion\"",
                ]
                .iter()
                .any(|k| {
                    memchr::memmem::find(&bytes[start..bytes.len().min(start + 65536)], k).is_some()
                }),
            }
        }
        _ => false,
    }
}

/// Extensions of text files that sit beside logs (READMEs, settings, CSV
/// exports such as an incidents file) and are never CloudTrail.
const NOT_LOG_EXTENSIONS: &[&str] = &[
    "md", "txt", "toml", "csv", "tsv", "yaml", "yml", "ini", "cfg", "sql", "sh", "py", "html",
    "rst",
];

fn is_not_log_name(path: &str) -> bool {
    std::path::Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| NOT_LOG_EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

fn skip_bom(b: &[u8]) -> usize {
    if b.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    }
}

/// Reads `bytes` (already decompressed). `trailing_error` describes damage
/// after the bytes (a truncated gzip stream); it is reported once, on the
/// record it cut or as the file's last quarantined entry.
pub fn read_file(
    source_file: &str,
    bytes: &[u8],
    trailing_error: Option<&str>,
    origin: Origin<'_>,
    cx: &ReadContext<'_>,
) -> FileRead {
    let mut r = Reader {
        bytes,
        text: simdutf8::basic::from_utf8(bytes).ok(),
        lines: LineCounter::default(),
        batch: EventBatch::new(source_file, 256),
        quarantined: Vec::new(),
        not_records: Vec::new(),
        index: 0,
        digests: 0,
        recognised: 0,
        container: false,
        jsonl: false,
        cx,
        trailing_error,
        trailing_reported: false,
    };
    let start = scan::skip_ws(bytes, skip_bom(bytes));
    if start >= bytes.len() {
        let kind = if trailing_error.is_some() {
            FileKind::Unknown
        } else {
            FileKind::Empty
        };
        let note = trailing_error.map(|e| format!("no readable content: {e}"));
        return r.finish(kind, note);
    }
    if !matches!(bytes[start], b'{' | b'[') {
        return r.finish(FileKind::Unknown, Some("not JSON".to_string()));
    }
    if bytes[start] == b'{' && is_iam_data(&bytes[start..]) {
        return r.finish(FileKind::IamData, None);
    }
    if is_json_lines(bytes, start) {
        r.jsonl = true;
        r.read_lines(start, origin);
    } else if bytes[start] == b'[' {
        r.read_array(start, origin);
    } else {
        r.read_object(start, origin);
    }
    if let Some(e) = trailing_error
        && !r.trailing_reported
    {
        let at = bytes.len();
        r.quarantine_at(
            at,
            None,
            format!("the rest of the file is unreadable: {e}"),
            &[],
        );
    }
    let kind = if r.recognised > 0 || !r.batch.is_empty() {
        FileKind::CloudTrail
    } else if r.container {
        if r.quarantined.is_empty() {
            FileKind::Empty
        } else {
            FileKind::CloudTrail
        }
    } else if r.digests > 0 {
        FileKind::Digest
    } else if !r.not_records.is_empty() {
        FileKind::NotCloudTrail
    } else if r.quarantined.is_empty() {
        // `{"Records":[]}`, a CloudWatch control message: nothing to read.
        FileKind::Empty
    } else {
        FileKind::Unknown
    };
    r.finish(kind, None)
}

/// `get-account-authorization-details` output: one of its list keys near
/// the start of a JSON object (CloudTrail records never carry them).
fn is_iam_data(b: &[u8]) -> bool {
    let head = &b[..b.len().min(4096)];
    [
        &b"\"UserDetailList\""[..],
        b"\"RoleDetailList\"",
        b"\"GroupDetailList\"",
    ]
    .iter()
    .any(|k| memchr::memmem::find(head, k).is_some())
}

/// Several complete JSON values, the first one on its own line.
fn is_json_lines(b: &[u8], start: usize) -> bool {
    let line_end = memchr::memchr(b'\n', &b[start..]).map_or(b.len(), |e| start + e);
    if line_end >= b.len() {
        return false;
    }
    let first_ok = matches!(scan::value_end(b, start), Ok(end) if end <= line_end);
    let rest = scan::skip_ws(b, line_end);
    if rest >= b.len() {
        return false;
    }
    if first_ok {
        return scan::skip_ws(b, scan::value_end(b, start).unwrap_or(line_end)) < b.len()
            && b[start] == b'{';
    }
    // A broken first line: JSON Lines if the next line is a value of its own.
    let next_end = memchr::memchr(b'\n', &b[rest..]).map_or(b.len(), |e| rest + e);
    b[start] == b'{'
        && b[rest] == b'{'
        && matches!(scan::value_end(b, rest), Ok(end) if end <= next_end && scan::skip_ws(b, end) >= next_end)
}

#[derive(Default)]
struct LineCounter {
    offset: usize,
    line: u64,
}

impl LineCounter {
    /// 1-based line of byte `at`; calls must not go backwards.
    fn line_of(&mut self, b: &[u8], at: usize) -> u64 {
        let at = at.min(b.len());
        if at < self.offset {
            self.offset = 0;
            self.line = 0;
        }
        self.line += memchr::memchr_iter(b'\n', &b[self.offset..at]).count() as u64;
        self.offset = at;
        self.line + 1
    }
}

struct Reader<'b, 'c> {
    bytes: &'b [u8],
    /// `bytes` as text, when the whole file is valid UTF-8.
    text: Option<&'b str>,
    lines: LineCounter,
    batch: EventBatch,
    quarantined: Vec<Quarantined>,
    /// JSON that is not a record; quarantined only if the file is CloudTrail.
    not_records: Vec<Quarantined>,
    index: u64,
    digests: u64,
    /// Envelopes, wrappers and record-like documents met.
    recognised: u64,
    /// A `Records` / `Events` / `logEvents` container was found.
    container: bool,
    jsonl: bool,
    cx: &'c ReadContext<'c>,
    trailing_error: Option<&'c str>,
    trailing_reported: bool,
}

impl<'b> Reader<'b, '_> {
    fn finish(mut self, kind: FileKind, mut note: Option<String>) -> FileRead {
        // A settings file or a table that failed to read as JSON (TOML
        // starts with `[` too) is not a damaged log.
        let kind = match kind {
            FileKind::Unknown if is_not_log_name(self.batch.source_file()) => {
                self.quarantined.clear();
                self.not_records.clear();
                note = None;
                FileKind::NotLog
            }
            k => k,
        };
        match kind {
            FileKind::CloudTrail => {
                self.quarantined.append(&mut self.not_records);
                self.quarantined.sort_by_key(|q| (q.record_index, q.line));
            }
            // Lines of another tool's JSON that failed as records are not
            // CloudTrail records either: the file is skipped as a whole.
            FileKind::NotCloudTrail => self.quarantined.clear(),
            _ => {}
        }
        FileRead {
            kind,
            batch: self.batch,
            quarantined: self.quarantined,
            note,
        }
    }

    fn position(&self, line: u64, index: Option<u64>) -> String {
        match (self.jsonl, index) {
            (true, _) | (false, None) => format!("line {line}"),
            (false, Some(i)) => format!("record {i} (line {line})"),
        }
    }

    fn quarantine_at(&mut self, at: usize, index: Option<u64>, mut reason: String, raw: &[u8]) {
        let line = self.lines.line_of(self.bytes, at);
        if (at >= self.bytes.len() || raw.is_empty())
            && let Some(e) = self.trailing_error.filter(|_| !self.trailing_reported)
        {
            self.trailing_reported = true;
            if !reason.contains(e) {
                reason.push_str(&format!(" (the file is cut short: {e})"));
            }
        }
        let kept = &raw[..raw.len().min(RAW_LIMIT)];
        self.quarantined.push(Quarantined {
            line: Some(line),
            record_index: index,
            position: self.position(line, index),
            reason,
            raw: String::from_utf8_lossy(kept).into_owned(),
            raw_bytes: raw.len() as u64,
        });
    }

    fn next_index(&mut self) -> u64 {
        let i = self.index;
        self.index += 1;
        i
    }

    fn structural(&mut self, e: ScanError, index: u64) {
        let raw = self
            .bytes
            .get(e.offset.min(self.bytes.len())..)
            .unwrap_or_default();
        let tail_start = e.offset;
        self.quarantine_at(
            tail_start,
            Some(index),
            format!(
                "JSON structure broken at byte {}: {}; the rest of the file is unreadable",
                e.offset, e.reason
            ),
            raw,
        );
    }

    fn read_lines(&mut self, start: usize, origin: Origin<'_>) {
        let b = self.bytes;
        let mut pos = start;
        while pos < b.len() {
            let end = memchr::memchr(b'\n', &b[pos..]).map_or(b.len(), |e| pos + e);
            let line = &b[pos..end];
            let trimmed = trim(line);
            if !trimmed.is_empty() {
                let at = pos + (trimmed.as_ptr() as usize - line.as_ptr() as usize);
                let idx = self.next_index();
                let doc = strip_log_prefix(trimmed);
                self.handle_doc(doc, at, idx, origin, true);
            }
            pos = end + 1;
        }
    }

    fn read_array(&mut self, start: usize, origin: Origin<'_>) {
        let b = self.bytes;
        if let Some(text) = self.text {
            return self.read_array_text(text, start, origin);
        }
        for el in scan::elements(b, start) {
            match el {
                Ok(range) => {
                    let idx = self.next_index();
                    self.handle_doc(&b[range.clone()], range.start, idx, origin, true);
                }
                Err(e) => {
                    let idx = self.next_index();
                    self.structural(e, idx);
                }
            }
        }
    }

    /// `read_array` over valid UTF-8: each element is parsed where it
    /// starts, and serde's end of it is where the next one is looked for, so
    /// the bytes are read once. An element serde rejects is delimited by
    /// the scanner and handled as `read_array` would.
    fn read_array_text(&mut self, text: &'b str, start: usize, origin: Origin<'_>) {
        let b = self.bytes;
        let mut elements = scan::elements(b, start);
        while let Some(next) = elements.next_start() {
            let idx = self.next_index();
            let at = match next {
                Ok(at) => at,
                Err(e) => {
                    self.structural(e, idx);
                    break;
                }
            };
            if let Ok((doc, end)) = fastjson::doc_at(text, at) {
                elements.resume_at(end);
                self.handle_parsed(&doc, &b[at..end], at, idx, origin, true);
                continue;
            }
            let mut stream = serde_json::Deserializer::from_str(&text[at..]).into_iter::<Doc>();
            if let Some(Ok(doc)) = stream.next() {
                let end = at + stream.byte_offset();
                elements.resume_at(end);
                self.handle_parsed(&doc, &b[at..end], at, idx, origin, true);
                continue;
            }
            match scan::value_end(b, at) {
                Ok(end) => {
                    elements.resume_at(end);
                    self.handle_doc(&b[at..end], at, idx, origin, true);
                }
                Err(e) => {
                    self.structural(e, idx);
                    break;
                }
            }
        }
    }

    fn read_object(&mut self, start: usize, origin: Origin<'_>) {
        let b = self.bytes;
        for key in [&b"Records"[..], b"Events", b"logEvents"] {
            match scan::find_member_start(b, start, key) {
                Ok(Some(at)) if b.get(at) == Some(&b'[') => {
                    self.container = true;
                    if key == b"logEvents" && !self.is_data_message(start) {
                        return;
                    }
                    self.read_array(at, origin);
                    return;
                }
                Ok(_) => {}
                Err(e) => {
                    // The document is broken before any container was found:
                    // read it as one record so the reason is serde's.
                    let _ = e;
                    break;
                }
            }
        }
        let end = scan::value_end(b, start).unwrap_or(b.len());
        let idx = self.next_index();
        self.handle_doc(&b[start..end], start, idx, origin, true);
    }

    /// CloudWatch Logs subscription payloads: only DATA_MESSAGE carries events.
    fn is_data_message(&self, start: usize) -> bool {
        match scan::find_member_start(self.bytes, start, b"messageType") {
            Ok(Some(at)) => self.bytes[at..].starts_with(b"\"DATA_MESSAGE\""),
            _ => true,
        }
    }

    /// One JSON value that should be a record or a wrapper of one.
    fn handle_doc(&mut self, raw: &[u8], at: usize, index: u64, origin: Origin<'_>, top: bool) {
        // A slice of an already validated file needs no second check; serde
        // reading from &str skips its own UTF-8 validation too.
        let full = self.text;
        let offset = (raw.as_ptr() as usize).wrapping_sub(self.bytes.as_ptr() as usize);
        let text = match full.and_then(|t| t.get(offset..offset + raw.len())) {
            Some(t) => t,
            None => match std::str::from_utf8(raw) {
                Ok(t) => t,
                Err(e) => {
                    let bad = raw.get(e.valid_up_to()).copied().unwrap_or(0);
                    self.quarantine_at(
                        at,
                        Some(index),
                        format!(
                            "not valid UTF-8: byte 0x{bad:02X} at offset {} of the record",
                            e.valid_up_to()
                        ),
                        raw,
                    );
                    return;
                }
            },
        };
        let doc = match parse_doc(text) {
            Ok(d) => d,
            Err(e) => {
                let what = match e.classify() {
                    serde_json::error::Category::Data => "wrong field type",
                    _ => "invalid JSON",
                };
                self.quarantine_at(at, Some(index), format!("{what}: {e}"), raw);
                return;
            }
        };
        self.handle_parsed(&doc, raw, at, index, origin, top);
    }

    fn handle_parsed(
        &mut self,
        doc: &Doc<'_>,
        raw: &[u8],
        at: usize,
        index: u64,
        origin: Origin<'_>,
        top: bool,
    ) {
        if doc.is_envelope() {
            self.recognised += 1;
            let account = doc
                .account
                .as_deref()
                .filter(|a| !a.is_empty())
                .or(origin.account);
            let detail = doc.detail.map(|d| d.get()).unwrap_or("null");
            return self.handle_inner(
                detail,
                raw,
                at,
                index,
                Origin { account },
                "EventBridge detail",
            );
        }
        if let Some(ct) = &doc.cloud_trail_event {
            self.recognised += 1;
            return self.handle_inner(ct, raw, at, index, origin, "lookup-events CloudTrailEvent");
        }
        if let Some(msg) = doc.message_text().filter(|_| !doc.looks_like_record()) {
            self.recognised += 1;
            return self.handle_inner(&msg, raw, at, index, origin, "CloudWatch Logs message");
        }
        if doc.is_digest() {
            self.digests += 1;
            // A digest is not a record: undo the index it took.
            self.index -= 1;
            return;
        }
        if let (Some(records), true) = (doc.records, top) {
            self.recognised += 1;
            self.index -= 1;
            let inner = records.get().as_bytes();
            for el in scan::elements(inner, 0) {
                let idx = self.next_index();
                match el {
                    Ok(range) => self.handle_doc(&inner[range], at, idx, origin, false),
                    Err(e) => self.quarantine_at(
                        at,
                        Some(idx),
                        format!("Records array broken: {}", e.reason),
                        inner,
                    ),
                }
            }
            return;
        }
        if !doc.looks_like_record() {
            let line = self.lines.line_of(self.bytes, at);
            let position = self.position(line, Some(index));
            let kept = &raw[..raw.len().min(RAW_LIMIT)];
            self.not_records.push(Quarantined {
                line: Some(line),
                record_index: Some(index),
                position,
                reason: "not a CloudTrail record (fewer than two of eventVersion, eventID, eventTime, eventSource, eventName, userIdentity, awsRegion, recipientAccountId)"
                    .to_string(),
                raw: String::from_utf8_lossy(kept).into_owned(),
                raw_bytes: raw.len() as u64,
            });
            return;
        }
        self.recognised += 1;
        match normalise(doc, origin, self.cx.iam) {
            Ok(row) => {
                let line = self.lines.line_of(self.bytes, at);
                self.batch.push(&row, Some(line), index);
            }
            Err(reason) => self.quarantine_at(at, Some(index), reason, raw),
        }
    }

    /// A record nested in a wrapper (as a JSON value or a JSON string).
    fn handle_inner(
        &mut self,
        inner: &str,
        raw: &[u8],
        at: usize,
        index: u64,
        origin: Origin<'_>,
        what: &str,
    ) {
        match parse_doc(inner) {
            Ok(doc) if doc.looks_like_record() => match normalise(&doc, origin, self.cx.iam) {
                Ok(row) => {
                    let line = self.lines.line_of(self.bytes, at);
                    self.batch.push(&row, Some(line), index);
                }
                Err(reason) => {
                    self.quarantine_at(at, Some(index), format!("{what}: {reason}"), raw)
                }
            },
            Ok(_) => self.quarantine_at(
                at,
                Some(index),
                format!("{what} is not a CloudTrail record"),
                raw,
            ),
            Err(e) => self.quarantine_at(
                at,
                Some(index),
                format!("{what} is not valid JSON: {e}"),
                raw,
            ),
        }
    }
}

fn trim(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| !scan::is_ws(*c)).unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !scan::is_ws(*c))
        .map_or(start, |e| e + 1);
    &b[start..end.max(start)]
}

/// CloudWatch Logs exports to S3 write `<timestamp> <message>` per line.
fn strip_log_prefix(line: &[u8]) -> &[u8] {
    if line.first().is_some_and(u8::is_ascii_digit)
        && let Some(sp) = memchr::memchr(b' ', line)
    {
        let rest = &line[sp + 1..];
        if rest.first() == Some(&b'{') {
            return rest;
        }
    }
    line
}

/// The account in an S3 delivery path: `AWSLogs/[o-org/]<acct>/CloudTrail/…`.
pub fn account_from_path(path: &str) -> Option<Cow<'_, str>> {
    let mut parts = path.split(['/', '\\']);
    while let Some(p) = parts.next() {
        if p == "AWSLogs" {
            let mut next = parts.next()?;
            if next.starts_with("o-") {
                next = parts.next()?;
            }
            if next.len() == 12 && next.bytes().all(|c| c.is_ascii_digit()) {
                return Some(Cow::Borrowed(next));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudtrail::iam_action::exceptions;

    fn read(text: &[u8]) -> FileRead {
        let cx = ReadContext {
            iam: exceptions().unwrap(),
        };
        read_file("t", text, None, Origin::default(), &cx)
    }

    const R1: &str = r#"{"eventID":"a","eventTime":"2025-12-08T09:01:02Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets"}"#;
    const R2: &str = r#"{"eventID":"b","eventTime":"2025-12-08T09:01:03Z","eventSource":"ec2.amazonaws.com","eventName":"RunInstances"}"#;

    #[test]
    fn s3_document_and_bad_element() {
        let doc = format!("{{\"Records\":[{R1},\n{{\"eventID\" 1}},\n{R2}]}}");
        let r = read(doc.as_bytes());
        assert_eq!(r.kind, FileKind::CloudTrail);
        assert_eq!(r.batch.len(), 2);
        assert_eq!(r.quarantined.len(), 1);
        assert_eq!(r.quarantined[0].position, "record 1 (line 2)");
        assert!(
            r.quarantined[0].reason.starts_with("invalid JSON"),
            "{}",
            r.quarantined[0].reason
        );
    }

    #[test]
    fn json_lines_with_bad_line() {
        let doc = format!("{R1}\nnot json\n\n{R2}\n");
        let r = read(doc.as_bytes());
        assert_eq!((r.batch.len(), r.quarantined.len()), (2, 1));
        assert_eq!(r.quarantined[0].position, "line 2");
    }

    #[test]
    fn envelope_lookup_and_cloudwatch_wrappers() {
        let env = format!(
            r#"{{"version":"0","detail-type":"AWS API Call via CloudTrail","account":"111122223333","detail":{R1}}}"#
        );
        let lookup =
            serde_json::json!({"Events":[{"EventId":"b","CloudTrailEvent": R2}]}).to_string();
        let cw = serde_json::json!({"timestamp": 1, "message": R2}).to_string();
        let r = read(env.as_bytes());
        assert_eq!(r.batch.len(), 1);
        let r = read(lookup.as_bytes());
        assert_eq!((r.kind, r.batch.len()), (FileKind::CloudTrail, 1));
        let r = read(format!("{cw}\n{cw}\n").as_bytes());
        assert_eq!(r.batch.len(), 2);
        let sub =
            serde_json::json!({"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","message":R1}]})
                .to_string();
        assert_eq!(read(sub.as_bytes()).batch.len(), 1);
        let ctl = serde_json::json!({"messageType":"CONTROL_MESSAGE","logEvents":[{"id":"1","message":"CWL CONTROL MESSAGE"}]})
            .to_string();
        let r = read(ctl.as_bytes());
        assert_eq!((r.kind, r.records_read()), (FileKind::Empty, 0));
    }

    #[test]
    fn digest_other_json_and_empty() {
        let r =
            read(br#"{"awsAccountId":"1","digestStartTime":"2025-12-08T00:00:00Z","logFiles":[]}"#);
        assert_eq!((r.kind, r.records_read()), (FileKind::Digest, 0));
        let r = read(br#"{"name":"pkg","version":"1.0.0"}"#);
        assert_eq!((r.kind, r.records_read()), (FileKind::NotCloudTrail, 0));
        let r = read(b"{\"level\":\"info\"}\n{\"level\":\"warn\"}\n");
        assert_eq!((r.kind, r.records_read()), (FileKind::NotCloudTrail, 0));
        assert_eq!(read(b"  \n").kind, FileKind::Empty);
        assert_eq!(read(b"").kind, FileKind::Empty);
        assert_eq!(read(b"\x00\x01garbage").kind, FileKind::Unknown);
        let r = read(br#"{"Records":[]}"#);
        assert_eq!((r.kind, r.records_read()), (FileKind::Empty, 0));
    }

    #[test]
    fn notes_settings_and_tables_beside_logs_are_not_logs() {
        let cx = ReadContext {
            iam: exceptions().unwrap(),
        };
        let at = |name: &str, text: &[u8]| read_file(name, text, None, Origin::default(), &cx).kind;
        assert_eq!(at("logs/trailblame.toml", b"[join]\n"), FileKind::NotLog);
        assert_eq!(at("logs/incidents.CSV", b"id,title\n"), FileKind::NotLog);
        assert_eq!(at("logs/README.md", b"# notes\n"), FileKind::NotLog);
        assert_eq!(
            at(
                "iam/prod.json",
                b"{\"UserDetailList\": [], \"RoleDetailList\": []}"
            ),
            FileKind::IamData
        );
        // Anything else that is not JSON is still a problem to report.
        assert_eq!(at("logs/trail.json", b"id,title\n"), FileKind::Unknown);
        assert_eq!(at("logs/blob", b"\x00\x01"), FileKind::Unknown);
        // JSON content is read whatever the name.
        let r = read_file("x.txt", R1.as_bytes(), None, Origin::default(), &cx);
        assert_eq!(r.kind, FileKind::CloudTrail);
    }

    #[test]
    fn truncated_document_keeps_the_head() {
        let doc = format!("{{\"Records\":[{R1},{R2},{{\"eventID\":\"c\",\"ev");
        let r = read_file(
            "t",
            doc.as_bytes(),
            Some("gzip stream ends early"),
            Origin::default(),
            &ReadContext {
                iam: exceptions().unwrap(),
            },
        );
        assert_eq!((r.batch.len(), r.quarantined.len()), (2, 1));
        assert!(
            r.quarantined[0].reason.contains("gzip stream ends early"),
            "{}",
            r.quarantined[0].reason
        );
    }

    #[test]
    fn non_utf8_record_is_quarantined_alone() {
        let mut doc = format!("{R1}\n").into_bytes();
        doc.extend_from_slice(b"{\"eventID\":\"x\xff\",\"eventTime\":\"2025-12-08T09:01:02Z\"}\n");
        doc.extend_from_slice(format!("{R2}\n").as_bytes());
        let r = read(&doc);
        assert_eq!((r.batch.len(), r.quarantined.len()), (2, 1));
        assert!(r.quarantined[0].reason.contains("UTF-8"));
    }

    #[test]
    fn account_from_s3_path() {
        let p = "x/AWSLogs/o-abc1234567/111122223333/CloudTrail/us-east-1/2025/12/08/f.json.gz";
        assert_eq!(account_from_path(p).as_deref(), Some("111122223333"));
        assert_eq!(
            account_from_path("AWSLogs/111122223333/CloudTrail/x").as_deref(),
            Some("111122223333")
        );
        assert_eq!(account_from_path("logs/f.json"), None);
    }

    #[test]
    fn sniffs_only_cloudtrail() {
        assert!(sniff_cloudtrail(format!("{R1}\n").as_bytes()));
        assert!(sniff_cloudtrail(b"{\n  \"Records\": [\n"));
        assert!(!sniff_cloudtrail(
            b"{\"type\":\"user\",\"sessionId\":\"x\"}\n"
        ));
        assert!(!sniff_cloudtrail(
            b"# aider chat started at 2025-01-01 10:00:00\n"
        ));
    }
}
