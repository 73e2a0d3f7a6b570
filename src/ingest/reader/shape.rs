//! What an input file is, from its first bytes and its name, before it is
//! read: CloudTrail at all (for routing JSON Lines to the transcript
//! readers), IAM data, JSON Lines, or a note or table that is not a log.

use super::super::scan;
use super::parse_doc;

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
                        || d.cloudwatch_message()
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

pub(super) fn is_not_log_name(path: &str) -> bool {
    std::path::Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| NOT_LOG_EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

pub(super) fn skip_bom(b: &[u8]) -> usize {
    if b.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    }
}

/// `get-account-authorization-details` output: one of its list keys near
/// the start of a JSON object (CloudTrail records never carry them).
pub(super) fn is_iam_data(b: &[u8]) -> bool {
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
pub(super) fn is_json_lines(b: &[u8], start: usize) -> bool {
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
