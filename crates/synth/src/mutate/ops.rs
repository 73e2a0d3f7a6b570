//! The content mutations: each takes the (decompressed) bytes of a file,
//! changes them with the case's generator and says what it did, so a
//! failure's note reads like "truncate at 1234; wrong type for eventTime:
//! {}". Byte-level ones (flips, truncation, NUL, invalid UTF-8) work on any
//! file, Parquet and SQLite included; JSON-aware ones find members in the
//! text (`text::members`) and fall back to a byte mutation when a file has
//! none.

use super::text::{self, Span};
use super::{Profile, Seed};
use crate::rng::Rng;

/// One kind of content mutation. `ALL` lists them with their weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Flip 1–8 random bits.
    BitFlip,
    /// Set 1–4 random bytes to a JSON-significant or high byte.
    ByteSet,
    /// Cut the content at a random point.
    Truncate,
    /// This file's prefix, then another file's suffix (any format).
    Splice,
    /// Another whole file inserted at a line boundary, or appended.
    Concatenate,
    /// A run of lines repeated 2–50 times.
    DuplicateLines,
    /// A run of lines deleted.
    DeleteLines,
    /// Two lines swapped.
    SwapLines,
    /// A value replaced by `[[[…]]]` or `{"a":{"a":…}}`, `Profile::deep`
    /// levels, balanced or left open; or a line of it.
    DeepNesting,
    /// A string value replaced by one of `Profile::huge_string_sizes`.
    HugeString,
    /// A member's value replaced by a value of another type (number where
    /// a string is, object where an array is, null, huge numbers…).
    WrongType,
    /// A member deleted (a required field missing).
    DropMember,
    /// A member written twice with different values.
    DuplicateMember,
    /// NUL bytes inserted, a byte replaced by NUL, or NUL padding appended.
    Nul,
    /// A malformed UTF-8 sequence inside a string value or anywhere.
    InvalidUtf8,
    /// A JSON escape that is not a character: a lone surrogate, `\u0000`,
    /// a bad escape.
    BadEscape,
    /// A string's text replaced by terminal escapes, bidi overrides, markup,
    /// a CSV formula, raw control characters.
    HostileText,
}

impl Op {
    /// Every mutation with its relative weight.
    pub const ALL: &[(Op, u32)] = &[
        (Op::BitFlip, 10),
        (Op::ByteSet, 6),
        (Op::Truncate, 10),
        (Op::Splice, 6),
        (Op::Concatenate, 4),
        (Op::DuplicateLines, 5),
        (Op::DeleteLines, 5),
        (Op::SwapLines, 3),
        (Op::DeepNesting, 5),
        (Op::HugeString, 5),
        (Op::WrongType, 14),
        (Op::DropMember, 6),
        (Op::DuplicateMember, 4),
        (Op::Nul, 5),
        (Op::InvalidUtf8, 6),
        (Op::BadEscape, 4),
        (Op::HostileText, 4),
    ];

    /// A mutation drawn by weight.
    pub(crate) fn draw(rng: &mut Rng) -> Op {
        let total: u32 = Op::ALL.iter().map(|(_, w)| w).sum();
        let mut x = rng.below(u64::from(total)) as u32;
        for (op, w) in Op::ALL {
            if x < *w {
                return *op;
            }
            x -= w;
        }
        Op::BitFlip
    }
}

/// Field names the readers branch on, across formats: a wrong type or a
/// missing member here reaches deeper than one in an arbitrary key.
const KNOWN_KEYS: &[&str] = &[
    // CloudTrail and its envelopes
    "Records",
    "eventVersion",
    "eventTime",
    "eventSource",
    "eventName",
    "eventID",
    "eventType",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "userIdentity",
    "type",
    "arn",
    "principalId",
    "accountId",
    "sessionContext",
    "attributes",
    "creationDate",
    "sessionIssuer",
    "invokedBy",
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "resources",
    "ARN",
    "errorCode",
    "readOnly",
    "requestID",
    "recipientAccountId",
    "detail",
    "detail-type",
    "message",
    "timestamp",
    "logEvents",
    "events",
    "Events",
    "CloudTrailEvent",
    // transcripts and telemetry
    "sessionId",
    "session_id",
    "hook_event_name",
    "tool_name",
    "tool_input",
    "tool_use_id",
    "command",
    "content",
    "role",
    "name",
    "input",
    "id",
    "payload",
    "cwd",
    "messages",
    "toolCalls",
    "args",
    "resourceLogs",
    "resourceSpans",
    "scopeLogs",
    "logRecords",
    "spans",
    "body",
    "stringValue",
    "intValue",
    "timeUnixNano",
    "startTimeUnixNano",
    "_source",
    "hits",
    "data",
];

/// Values of every JSON type, and numbers no reader expects.
const WRONG_VALUES: &[&str] = &[
    "null",
    "true",
    "false",
    "0",
    "-1",
    "12345",
    "1.5e308",
    "1e999999",
    "-0.0",
    "18446744073709551616",
    "123456789012345678901234567890",
    "{}",
    "[]",
    "[null]",
    "{\"a\":1}",
    "[\"x\", 1, {}]",
    "\"\"",
    "\"x\"",
    "\"not a time\"",
    "\"2025-13-45T99:99:99Z\"",
    "\"9999-12-31T23:59:59.999999999Z\"",
    "\"0000-01-01T00:00:00Z\"",
    "\"1970-01-01T00:00:00+25:00\"",
];

const HOSTILE: &[&str] = &[
    "\\u001b[31mred\\u001b[0m\\u001b]0;title\\u0007",
    "\u{202e}gnp.exe\u{202d}",
    "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "line\\nbreak\\r\\nand\\ttab",
    "\u{1b}[2J raw escape",
    "raw\ncontrol\u{7}",
    "../../../../etc/passwd",
    "$(rm -rf /)`id`",
    "]]></x>--><!--",
    "|a|b|\n|---|",
    "\u{feff}\u{200b}zero width",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃ 中文 العربية",
];

const BAD_UTF8: &[&[u8]] = &[
    &[0xff],
    &[0xfe, 0xff],
    &[0xc3, 0x28],
    &[0x80],
    &[0xa0, 0xa1],
    &[0xe2, 0x28, 0xa1],
    &[0xe2, 0x82],
    &[0xf0, 0x90, 0x28, 0xbc],
    &[0xed, 0xa0, 0x80],
    &[0xc0, 0xaf],
    &[0xf4, 0x90, 0x80, 0x80],
    &[0xf8, 0x88, 0x80, 0x80, 0x80],
];

const BAD_ESCAPES: &[&str] = &[
    "\\ud800",
    "\\udc00\\ud800",
    "\\u0000",
    "\\x41",
    "\\u12",
    "\\",
    "\\uDFFF",
    "\\ud83d\\ude00",
];

const SET_BYTES: &[u8] = &[
    0x00, b'"', b'{', b'}', b'[', b']', b',', b':', b'\\', b'\n', b' ', 0x7f, 0x80, 0xff,
];

/// What one mutation did, for the case's description.
pub(crate) type Did = String;

/// Applies `op` to `b`; `others` are every seed (for splices).
pub(crate) fn apply(op: Op, b: &mut Vec<u8>, rng: &mut Rng, seeds: &[Seed], p: &Profile) -> Did {
    match op {
        Op::BitFlip => bit_flip(b, rng),
        Op::ByteSet => byte_set(b, rng),
        Op::Truncate => {
            let at = rng.index(b.len() + 1);
            b.truncate(at);
            format!("truncate at {at}")
        }
        Op::Splice => {
            let other = rng.pick(seeds);
            let at = rng.index(b.len() + 1);
            let from = rng.index(other.bytes.len() + 1);
            b.truncate(at);
            b.extend_from_slice(&other.bytes[from..]);
            format!(
                "splice: prefix to {at}, then {} from {from}",
                other.rel_path
            )
        }
        Op::Concatenate => {
            let other = rng.pick(seeds);
            let at = pick_line_boundary(b, rng);
            b.splice(at..at, other.bytes.iter().copied());
            format!("concatenate {} at {at}", other.rel_path)
        }
        Op::DuplicateLines => with_lines(b, rng, |b, l, rng| {
            let (i, j) = line_run(l, rng);
            let times = 1 + rng.below(49) as usize;
            let run = b[l[i].start..l[j].end].to_vec();
            let mut ins = Vec::with_capacity(run.len() * times);
            for _ in 0..times {
                ins.extend_from_slice(&run);
            }
            b.splice(l[j].end..l[j].end, ins);
            format!("lines {i}..={j} repeated {times} more times")
        }),
        Op::DeleteLines => with_lines(b, rng, |b, l, rng| {
            let (i, j) = line_run(l, rng);
            b.drain(l[i].start..l[j].end);
            format!("lines {i}..={j} deleted")
        }),
        Op::SwapLines => with_lines(b, rng, |b, l, rng| {
            let i = rng.index(l.len());
            let j = rng.index(l.len());
            let (i, j) = (i.min(j), i.max(j));
            if i == j {
                return format!("line {i} swapped with itself");
            }
            let (a, c) = (l[i], l[j]);
            let mut out = Vec::with_capacity(b.len());
            out.extend_from_slice(&b[..a.start]);
            out.extend_from_slice(&b[c.start..c.end]);
            out.extend_from_slice(&b[a.end..c.start]);
            out.extend_from_slice(&b[a.start..a.end]);
            out.extend_from_slice(&b[c.end..]);
            *b = out;
            format!("lines {i} and {j} swapped")
        }),
        Op::DeepNesting => deep_nesting(b, rng, p.deep),
        Op::HugeString => {
            let size = *rng.pick(&p.huge_string_sizes);
            huge_string(b, rng, size)
        }
        Op::WrongType => with_member(b, rng, |b, m, rng| {
            let v = *rng.pick(WRONG_VALUES);
            b.splice(m.value.start..m.value.end, v.bytes());
            format!("wrong type for {}: {v}", m.key)
        }),
        Op::DropMember => with_member(b, rng, |b, m, _| {
            // The comma after the member goes too, when there is one.
            let mut end = m.whole.end;
            while end < b.len() && matches!(b[end], b' ' | b'\n') {
                end += 1;
            }
            if end < b.len() && b[end] == b',' {
                end += 1;
            }
            b.drain(m.whole.start..end);
            format!("member {} deleted", m.key)
        }),
        Op::DuplicateMember => with_member(b, rng, |b, m, rng| {
            let v = *rng.pick(WRONG_VALUES);
            let key = serde_json::to_string(&m.key).unwrap_or_default();
            let ins = format!("{key}: {v}, ");
            b.splice(m.whole.start..m.whole.start, ins.bytes());
            format!("member {} written twice, first as {v}", m.key)
        }),
        Op::Nul => nul(b, rng),
        Op::InvalidUtf8 => {
            let seq = *rng.pick(BAD_UTF8);
            let at = inside_a_string(b, rng);
            b.splice(at..at, seq.iter().copied());
            format!("invalid UTF-8 {seq:02x?} at {at}")
        }
        Op::BadEscape => {
            let esc = *rng.pick(BAD_ESCAPES);
            let at = inside_a_string(b, rng);
            b.splice(at..at, esc.bytes());
            format!("escape {esc} at {at}")
        }
        Op::HostileText => {
            let text = *rng.pick(HOSTILE);
            let strings = text::string_values(b);
            if strings.is_empty() {
                b.extend_from_slice(text.as_bytes());
                return format!("hostile text {text:?} appended");
            }
            let s = *rng.pick(&strings);
            b.splice(s.start + 1..s.end - 1, text.bytes());
            format!("hostile text {text:?} at {}", s.start)
        }
    }
}

fn bit_flip(b: &mut [u8], rng: &mut Rng) -> Did {
    if b.is_empty() {
        return "bit flip: empty file".into();
    }
    let n = 1 + rng.below(8);
    let mut at = Vec::new();
    for _ in 0..n {
        let i = rng.index(b.len());
        b[i] ^= 1 << rng.below(8);
        at.push(i);
    }
    format!("bits flipped at {at:?}")
}

fn byte_set(b: &mut [u8], rng: &mut Rng) -> Did {
    if b.is_empty() {
        return "byte set: empty file".into();
    }
    let n = 1 + rng.below(4);
    let mut did = Vec::new();
    for _ in 0..n {
        let i = rng.index(b.len());
        let v = *rng.pick(SET_BYTES);
        b[i] = v;
        did.push(format!("{i}={v:#04x}"));
    }
    format!("bytes set {}", did.join(" "))
}

fn nul(b: &mut Vec<u8>, rng: &mut Rng) -> Did {
    match rng.below(3) {
        0 => {
            let at = rng.index(b.len() + 1);
            let n = 1 + rng.index(16);
            b.splice(at..at, std::iter::repeat_n(0u8, n));
            format!("{n} NUL inserted at {at}")
        }
        1 if !b.is_empty() => {
            let at = rng.index(b.len());
            b[at] = 0;
            format!("byte {at} set to NUL")
        }
        _ => {
            let n = 1 + rng.index(4096);
            b.extend(std::iter::repeat_n(0u8, n));
            format!("{n} NUL appended")
        }
    }
}

/// Deep nesting: a member's value replaced, inserted raw at a random point,
/// or a line of its own.
fn deep_nesting(b: &mut Vec<u8>, rng: &mut Rng, depth: usize) -> Did {
    let object = rng.chance(0.3);
    let closed = rng.chance(0.6);
    let mut deep = Vec::with_capacity(depth * if object { 7 } else { 2 });
    for _ in 0..depth {
        deep.extend_from_slice(if object { b"{\"a\":" } else { b"[" });
    }
    if closed {
        if object {
            deep.push(b'1');
        }
        deep.extend(std::iter::repeat_n(if object { b'}' } else { b']' }, depth));
    }
    let shape = format!(
        "{} {depth} deep, {}",
        if object { "objects" } else { "arrays" },
        if closed { "closed" } else { "open" }
    );
    let members = text::members(b);
    match rng.below(3) {
        0 if !members.is_empty() => {
            let m = rng.pick(&members).clone();
            b.splice(m.value.start..m.value.end, deep);
            format!("{shape}, as the value of {}", m.key)
        }
        1 => {
            let at = pick_line_boundary(b, rng);
            deep.push(b'\n');
            b.splice(at..at, deep);
            format!("{shape}, a line at {at}")
        }
        _ => {
            let at = rng.index(b.len() + 1);
            b.splice(at..at, deep);
            format!("{shape}, inserted at {at}")
        }
    }
}

/// A string value (preferably a known field's) replaced by `size` bytes
/// of text: plain, escaped, or multi-byte.
pub(crate) fn huge_string(b: &mut Vec<u8>, rng: &mut Rng, size: usize) -> Did {
    let unit: &[u8] = match rng.below(3) {
        0 => b"A",
        1 => b"\\u00e9\\\"",
        _ => "é中".as_bytes(),
    };
    let mut s = Vec::with_capacity(size + 8);
    s.push(b'"');
    while s.len() < size + 1 {
        s.extend_from_slice(unit);
    }
    s.push(b'"');
    let members: Vec<text::Member> = text::members(b)
        .into_iter()
        .filter(|m| m.value.end > m.value.start && b[m.value.start] == b'"')
        .collect();
    let known: Vec<&text::Member> = members
        .iter()
        .filter(|m| KNOWN_KEYS.contains(&m.key.as_str()))
        .collect();
    let target = if !known.is_empty() && rng.chance(0.7) {
        Some((*rng.pick(&known)).clone())
    } else if !members.is_empty() {
        Some(rng.pick(&members).clone())
    } else {
        None
    };
    match target {
        Some(m) => {
            b.splice(m.value.start..m.value.end, s);
            format!("{size}-byte string as {}", m.key)
        }
        None => {
            let at = rng.index(b.len() + 1);
            b.splice(at..at, s);
            format!("{size}-byte string inserted at {at}")
        }
    }
}

/// The first member named `key` given a string of `size` ASCII letters;
/// nothing when there is none.
pub(crate) fn huge_field(b: &mut Vec<u8>, key: &str, size: usize) -> Option<Did> {
    let m = text::members(b).into_iter().find(|m| m.key == key)?;
    let mut s = vec![b'A'; size + 2];
    s[0] = b'"';
    s[size + 1] = b'"';
    b.splice(m.value.start..m.value.end, s);
    Some(format!("{key} given a {size}-byte string"))
}

/// Runs `f` on a member (a known field's with probability 0.7 when there is
/// one); a file without members gets a byte flip instead.
fn with_member(
    b: &mut Vec<u8>,
    rng: &mut Rng,
    f: impl FnOnce(&mut Vec<u8>, &text::Member, &mut Rng) -> Did,
) -> Did {
    let members = text::members(b);
    if members.is_empty() {
        return format!("no members; {}", bit_flip(b, rng));
    }
    let known: Vec<&text::Member> = members
        .iter()
        .filter(|m| KNOWN_KEYS.contains(&m.key.as_str()))
        .collect();
    let m = if !known.is_empty() && rng.chance(0.7) {
        (*rng.pick(&known)).clone()
    } else {
        rng.pick(&members).clone()
    };
    f(b, &m, rng)
}

/// Runs `f` on the file's lines; an empty file gets nothing.
fn with_lines(
    b: &mut Vec<u8>,
    rng: &mut Rng,
    f: impl FnOnce(&mut Vec<u8>, &[Span], &mut Rng) -> Did,
) -> Did {
    let l = text::lines(b);
    if l.is_empty() {
        return "no lines".into();
    }
    f(b, &l, rng)
}

/// A run of 1–8 lines `i..=j`.
fn line_run(l: &[Span], rng: &mut Rng) -> (usize, usize) {
    let i = rng.index(l.len());
    let j = (i + rng.index(8)).min(l.len() - 1);
    (i, j)
}

/// The start of a random line, or the end of the content.
fn pick_line_boundary(b: &[u8], rng: &mut Rng) -> usize {
    let l = text::lines(b);
    let k = rng.index(l.len() + 1);
    l.get(k).map_or(b.len(), |s| s.start)
}

/// A point inside a string value when the file has one (70%), else anywhere.
fn inside_a_string(b: &[u8], rng: &mut Rng) -> usize {
    let strings = text::string_values(b);
    if !strings.is_empty() && rng.chance(0.7) {
        let s = rng.pick(&strings);
        s.start + 1 + rng.index(s.end - s.start - 1)
    } else {
        rng.index(b.len() + 1)
    }
}
