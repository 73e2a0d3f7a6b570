//! Reads one file's JSON values into rows and quarantined records: JSON
//! Lines, arrays, containers (`Records`, `Events`, `logEvents`, `events`) and
//! wrappers (EventBridge, `lookup-events`, CloudWatch Logs), each record on
//! its own, with its line, record index and position.

use super::super::batch::{EventBatch, longest_field};
use super::super::fastjson;
use super::super::limits::human_bytes;
use super::super::normalise::EventRow;
use super::super::normalise::{Origin, normalise};
use super::super::record::Doc;
use super::super::scan::{self, ScanError};
use super::shape::{is_iam_data, is_json_lines, is_not_log_name, skip_bom};
use super::{
    FileKind, FileRead, LenientCounts, MAX_WARNINGS, Quarantined, RAW_LIMIT, ReadContext, parse_doc,
};

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
    let mut batch = EventBatch::new(source_file, 256);
    read_file_into(&mut batch, source_file, bytes, trailing_error, origin, cx)
}

/// `read_file`, adding the rows to `batch`, which other files may share
/// (`FileRead::rows` says how many are this file's).
pub fn read_file_into(
    batch: &mut EventBatch,
    source_file: &str,
    bytes: &[u8],
    trailing_error: Option<&str>,
    origin: Origin<'_>,
    cx: &ReadContext<'_>,
) -> FileRead {
    batch.start_file(source_file);
    let rows_before = batch.len();
    let mut r = Reader {
        bytes,
        text: simdutf8::basic::from_utf8(bytes).ok(),
        lines: LineCounter::default(),
        source_file,
        rows_before,
        batch,
        quarantined: Vec::new(),
        not_records: Vec::new(),
        index: 0,
        digests: 0,
        hooks: 0,
        lenient: LenientCounts::default(),
        warnings: Vec::new(),
        recognised: 0,
        container: false,
        log_events: false,
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
    } else {
        r.read_documents(start, origin);
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
    let kind = if r.recognised > 0 || r.rows() > 0 {
        FileKind::CloudTrail
    } else if r.container {
        if r.quarantined.is_empty() {
            FileKind::Empty
        } else {
            FileKind::CloudTrail
        }
    } else if r.digests > 0 {
        FileKind::Digest
    } else if r.hooks > 0 {
        FileKind::ClaudeHookLog
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
    source_file: &'b str,
    /// Rows in `batch` before this file's.
    rows_before: usize,
    batch: &'b mut EventBatch,
    quarantined: Vec<Quarantined>,
    /// JSON that is not a record; quarantined only if the file is CloudTrail.
    not_records: Vec<Quarantined>,
    index: u64,
    digests: u64,
    /// Claude Code hook payloads met.
    hooks: u64,
    lenient: LenientCounts,
    warnings: Vec<String>,
    /// Envelopes, wrappers and record-like documents met.
    recognised: u64,
    /// A `Records` / `Events` / `logEvents` container was found.
    container: bool,
    /// Reading a CloudWatch Logs subscription payload's `logEvents`.
    log_events: bool,
    jsonl: bool,
    cx: &'c ReadContext<'c>,
    trailing_error: Option<&'c str>,
    trailing_reported: bool,
}

impl<'b> Reader<'b, '_> {
    fn rows(&self) -> usize {
        self.batch.len() - self.rows_before
    }

    fn finish(mut self, kind: FileKind, mut note: Option<String>) -> FileRead {
        // A settings file or a table that failed to read as JSON (TOML
        // starts with `[` too) is not a damaged log.
        let kind = match kind {
            FileKind::Unknown if is_not_log_name(self.source_file) => {
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
            FileKind::ClaudeHookLog => {
                self.quarantined.clear();
                note = Some(format!(
                    "{} Claude Code hook payloads recognised and not read (trailblame does not read hook logs)",
                    self.hooks
                ));
            }
            _ => {}
        }
        if let Some(lenient) = self.lenient.note() {
            note = Some(match note {
                Some(n) => format!("{n}; {lenient}"),
                None => lenient,
            });
        }
        FileRead {
            kind,
            rows: self.rows() as u64,
            quarantined: self.quarantined,
            note,
            lenient: self.lenient,
            warnings: self.warnings,
            hook_payloads: if kind == FileKind::ClaudeHookLog {
                self.hooks
            } else {
                0
            },
        }
    }

    fn position(&self, line: u64, index: Option<u64>) -> String {
        match (self.jsonl, index) {
            (true, _) | (false, None) => format!("line {line}"),
            (false, Some(i)) => format!("record {i} (line {line})"),
        }
    }

    /// A JSON value that is not a CloudTrail record (counted apart from
    /// quarantined records, with the same position and raw text).
    fn not_a_record(&mut self, raw: &[u8], at: usize, index: u64, reason: &str) {
        let line = self.lines.line_of(self.bytes, at);
        let position = self.position(line, Some(index));
        let kept = &raw[..raw.len().min(RAW_LIMIT)];
        self.not_records.push(Quarantined {
            line: Some(line),
            record_index: Some(index),
            position,
            reason: reason.to_string(),
            raw: String::from_utf8_lossy(kept).into_owned(),
            raw_bytes: raw.len() as u64,
        });
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

    /// Adds a row unless it is over a size limit (issue 23): a record longer
    /// than `max_record_bytes`, or with a value longer than
    /// `max_field_bytes`, is quarantined with the limit named.
    fn keep_within_limits(&mut self, row: &EventRow<'_>, raw: &[u8], at: usize, index: u64) {
        let limits = self.cx.limits;
        if raw.len() as u64 > limits.max_record_bytes {
            let reason = format!(
                "record is {} bytes, over the {} limit (ingest.max_record_bytes)",
                raw.len(),
                human_bytes(limits.max_record_bytes)
            );
            return self.quarantine_at(at, Some(index), reason, raw);
        }
        let (field, len) = longest_field(row);
        if len as u64 > limits.max_field_bytes {
            let reason = format!(
                "field {field} is {len} bytes, over the {} limit (ingest.max_field_bytes)",
                human_bytes(limits.max_field_bytes)
            );
            return self.quarantine_at(at, Some(index), reason, raw);
        }
        self.keep(row, at, index)
    }

    /// Adds a row, counting what was accepted leniently.
    fn keep(&mut self, row: &EventRow<'_>, at: usize, index: u64) {
        let line = self.lines.line_of(self.bytes, at);
        if row.lenient.any() {
            let l = &row.lenient;
            self.lenient.times_without_zone += u64::from(l.times_without_zone);
            self.lenient.times_with_space += u64::from(l.times_with_space);
            self.lenient.synthetic_ids += u64::from(l.synthetic_id);
            self.lenient.fields_nulled += l.fields_nulled.len() as u64;
            for field in &l.fields_nulled {
                if self.warnings.len() < MAX_WARNINGS {
                    let position = self.position(line, Some(index));
                    self.warnings
                        .push(format!("{position}: {field}, record kept"));
                }
            }
        }
        self.batch.push(row, Some(line), index);
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

    /// Reads the document at `start` and every one after it: several
    /// gzip members or `cat`-joined files make one document per part, each
    /// read (and counted). Bytes after the last that are not JSON are
    /// quarantined as one entry, so they are reported and the records
    /// before them kept.
    fn read_documents(&mut self, start: usize, origin: Origin<'_>) {
        let b = self.bytes;
        let mut at = start;
        loop {
            let end = if b[at] == b'[' {
                self.read_array(at, origin)
            } else {
                self.read_object(at, origin)
            };
            // A structural error was already reported with the rest.
            let Some(end) = end else { return };
            let next = scan::skip_ws(b, end);
            match b.get(next) {
                None => return,
                Some(b'{' | b'[') => {
                    self.lenient.documents_concatenated += 1;
                    at = next;
                }
                Some(&first) => {
                    let n = b.len() - next;
                    self.quarantine_at(
                        next,
                        None,
                        format!(
                            "{n} bytes after the end of the JSON document (from byte {next}, first byte 0x{first:02X}) are not JSON; the records before them are kept"
                        ),
                        &b[next..],
                    );
                    return;
                }
            }
        }
    }

    /// Reads the array at `start`; where it ends, unless it is broken.
    fn read_array(&mut self, start: usize, origin: Origin<'_>) -> Option<usize> {
        let b = self.bytes;
        if let Some(text) = self.text {
            return self.read_array_text(text, start, origin);
        }
        let mut elements = scan::elements(b, start);
        for el in elements.by_ref() {
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
        elements.end
    }

    /// `read_array` over valid UTF-8: each element is parsed where it
    /// starts, and serde's end of it is where the next one is looked for, so
    /// the bytes are read once. An element serde rejects is delimited by
    /// the scanner and handled as `read_array` would.
    fn read_array_text(
        &mut self,
        text: &'b str,
        start: usize,
        origin: Origin<'_>,
    ) -> Option<usize> {
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
        elements.end
    }

    /// Reads the object at `start`; where it ends, when that is known.
    fn read_object(&mut self, start: usize, origin: Origin<'_>) -> Option<usize> {
        let b = self.bytes;
        // `events`: `aws logs filter-log-events` / `get-log-events` output.
        // Other tools use the name too, so it is no CloudTrail container by
        // itself: its entries must be CloudWatch events (with `timestamp`).
        for key in [&b"Records"[..], b"Events", b"logEvents", b"events"] {
            match scan::find_member_start(b, start, key) {
                Ok(Some(at)) if b.get(at) == Some(&b'[') => {
                    self.container = key != b"events";
                    if key == b"logEvents" {
                        if !self.is_data_message(start) {
                            return None;
                        }
                        self.log_events = true;
                    }
                    let end = self.read_array(at, origin)?;
                    return self.read_rest_of_object(key, end, origin);
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
        Some(end)
    }

    /// The members after a container's array, from `i`: a repeated
    /// container key (`{"Records":[…],"Records":[…]}`) is read too, and
    /// counted, rather than leaving one of the two unread as a JSON parser
    /// keeping one value per key would. Returns where the object ends.
    fn read_rest_of_object(
        &mut self,
        key: &[u8],
        mut i: usize,
        origin: Origin<'_>,
    ) -> Option<usize> {
        let b = self.bytes;
        loop {
            match scan::next_key(b, i, false) {
                Ok(None) => return Some(scan::skip_ws(b, i) + 1),
                Ok(Some((k, v))) if &b[k.clone()] == key && b.get(v) == Some(&b'[') => {
                    self.lenient.containers_repeated += 1;
                    i = self.read_array(v, origin)?;
                }
                Ok(Some((_, v))) => i = scan::value_end(b, v).ok()?,
                Err(_) => return None,
            }
        }
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
        if doc.is_hook_payload() {
            self.hooks += 1;
            self.not_a_record(
                raw,
                at,
                index,
                "a Claude Code hook payload (hook_event_name, session_id), not a CloudTrail record",
            );
            return;
        }
        // A CloudWatch Logs event has its own `timestamp`, unless it sits in a
        // subscription payload's `logEvents`, which is envelope enough. A
        // `message` alone (a hook payload's, an app log's) is not one.
        let cloudwatch = if self.log_events {
            doc.message_text()
        } else {
            doc.cloudwatch_message()
        };
        if let Some(msg) = cloudwatch.filter(|_| !doc.looks_like_record()) {
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
            self.not_a_record(
                raw,
                at,
                index,
                "not a CloudTrail record (fewer than two of eventVersion, eventID, eventTime, eventSource, eventName, userIdentity, awsRegion, recipientAccountId)",
            );
            return;
        }
        self.recognised += 1;
        match normalise(doc, origin, self.cx.iam) {
            Ok(row) => self.keep_within_limits(&row, raw, at, index),
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
                Ok(row) => self.keep_within_limits(&row, raw, at, index),
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
