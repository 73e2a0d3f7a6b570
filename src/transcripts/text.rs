//! Text out of JSON: bounded excerpts cut on character boundaries, the
//! readable text inside a tool result or message content (strings, the
//! `text` / `output` / `content` of objects, items of lists), long JSON
//! strings unescaped only as far as an excerpt needs, and compact
//! re-printing of argument objects.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

/// Bound on message and output excerpts.
pub(crate) const EXCERPT_MAX: usize = 2 * 1024;
/// How much text [`text_of`] collects before it stops (enough for an excerpt
/// and for markers near the start).
const TEXT_SCAN_MAX: usize = 64 * 1024;

/// Cuts `s` to at most `max` bytes on a character boundary.
pub(crate) fn bounded(s: &str, max: usize) -> String {
    s[..floor_boundary(s, max)].to_owned()
}

fn floor_boundary(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    end
}

/// A trimmed excerpt of at most [`EXCERPT_MAX`] bytes, or `None` when empty.
pub(crate) fn excerpt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| bounded(t, EXCERPT_MAX))
}

#[derive(Deserialize)]
struct TextFields<'a> {
    #[serde(borrow)]
    text: Option<&'a RawValue>,
    #[serde(borrow)]
    output: Option<&'a RawValue>,
    #[serde(borrow)]
    error: Option<&'a RawValue>,
    #[serde(borrow)]
    stdout: Option<&'a RawValue>,
    #[serde(borrow)]
    stderr: Option<&'a RawValue>,
    #[serde(borrow)]
    content: Option<&'a RawValue>,
    #[serde(borrow)]
    response: Option<&'a RawValue>,
    #[serde(rename = "functionResponse", borrow)]
    function_response: Option<&'a RawValue>,
    #[serde(rename = "Text", borrow)]
    text_block: Option<&'a RawValue>,
    #[serde(rename = "Json", borrow)]
    json_block: Option<&'a RawValue>,
}

/// The human-readable text inside a JSON value: a string, the `text` /
/// `output` / `content` … of objects, the items of arrays, concatenated
/// with newlines; at most about 64 KiB.
pub(crate) fn text_of(raw: &RawValue) -> String {
    text_of_limited(raw.get(), TEXT_SCAN_MAX)
}

/// [`text_of`] with a smaller budget: long strings are unescaped only as
/// far as needed (enough for an excerpt and for markers near the start).
/// `raw` is a JSON value's text.
pub(crate) fn text_of_limited(raw: &str, max: usize) -> String {
    let mut out = String::new();
    push_text(raw, &mut out, 0, max.min(TEXT_SCAN_MAX));
    out
}

fn push_text(json: &str, out: &mut String, depth: u8, max: usize) {
    if depth > 8 || out.len() >= max {
        return;
    }
    match first_byte(json.as_bytes()) {
        Some(b'"') => {
            if let Some(s) = json_str_prefix(json.trim(), max - out.len()) {
                push_piece(out, &s, max);
            }
        }
        Some(b'[') => {
            if let Ok(items) = serde_json::from_str::<Vec<&RawValue>>(json) {
                for it in items {
                    push_text(it.get(), out, depth + 1, max);
                }
            }
        }
        Some(b'{') => {
            if let Ok(f) = serde_json::from_str::<TextFields<'_>>(json) {
                let fields = [
                    f.text,
                    f.output,
                    f.error,
                    f.stdout,
                    f.stderr,
                    f.content,
                    f.response,
                    f.function_response,
                    f.text_block,
                    f.json_block,
                ];
                for v in fields.into_iter().flatten() {
                    push_text(v.get(), out, depth + 1, max);
                }
            }
        }
        Some(b'n') | None => {}
        Some(_) => push_piece(out, json.trim(), max),
    }
}

fn push_piece(out: &mut String, s: &str, max: usize) {
    if s.is_empty() {
        return;
    }
    if !out.is_empty() {
        out.push('\n');
    }
    let room = max.saturating_sub(out.len());
    out.push_str(&s[..floor_boundary(s, room)]);
}

/// The start of a JSON string literal, unescaped: about `max` bytes of its
/// source text, cut where no escape sequence (or surrogate pair) is split,
/// so a long string is not unescaped in full. The whole string when short.
pub(crate) fn json_str_prefix(lit: &str, max: usize) -> Option<Cow<'_, str>> {
    let b = lit.as_bytes();
    if b.first() != Some(&b'"') {
        return None;
    }
    if b.len() <= max + 2 {
        return serde_json::from_str::<Cow<'_, str>>(lit).ok();
    }
    let limit = max + 1;
    let mut i = 1;
    let safe = loop {
        // Jump to the next escape; plain bytes need no look.
        let Some(at) = memchr::memchr(b'\\', &b[i..limit]) else {
            break limit;
        };
        i += at;
        let step = match b.get(i + 1) {
            Some(b'u') => {
                let high = b.get(i + 2..i + 4).is_some_and(|h| {
                    matches!(h[0], b'd' | b'D')
                        && matches!(h[1], b'8'..=b'9' | b'a'..=b'b' | b'A'..=b'B')
                });
                if high { 12 } else { 6 }
            }
            _ => 2,
        };
        if i + step > limit {
            break i;
        }
        i += step;
        if i >= limit {
            break i;
        }
    };
    let mut safe = safe;
    while !lit.is_char_boundary(safe) {
        safe -= 1;
    }
    let body = &lit[1..safe];
    if memchr::memchr(b'\\', body.as_bytes()).is_none() {
        return Some(Cow::Borrowed(body));
    }
    Some(Cow::Owned(unescape(body)))
}

/// Unescapes the inside of a JSON string literal that is known to end on
/// a whole escape sequence; a lone surrogate becomes U+FFFD.
fn unescape(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = memchr::memchr(b'\\', rest.as_bytes()) {
        out.push_str(&rest[..at]);
        let esc = &rest[at + 1..];
        let mut chars = esc.chars();
        let (ch, used) = match chars.next() {
            Some('n') => ('\n', 1),
            Some('t') => ('\t', 1),
            Some('r') => ('\r', 1),
            Some('b') => ('\u{8}', 1),
            Some('f') => ('\u{c}', 1),
            Some('u') => {
                let hex = |s: &str| s.get(..4).and_then(|h| u32::from_str_radix(h, 16).ok());
                match hex(&esc[1..]) {
                    Some(hi @ 0xD800..=0xDBFF) => {
                        let lo = esc
                            .get(5..7)
                            .filter(|p| *p == "\\u")
                            .and_then(|_| hex(&esc[7..]));
                        match lo {
                            Some(lo @ 0xDC00..=0xDFFF) => {
                                let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                                (char::from_u32(c).unwrap_or('\u{fffd}'), 11)
                            }
                            _ => ('\u{fffd}', 5),
                        }
                    }
                    Some(c) => (char::from_u32(c).unwrap_or('\u{fffd}'), 5),
                    None => ('\u{fffd}', 1),
                }
            }
            Some(c) => (c, c.len_utf8()),
            None => break,
        };
        out.push(ch);
        rest = esc.get(used..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// A JSON string value, unescaped; `None` for any other JSON type.
pub(crate) fn json_str<'a>(raw: &'a RawValue) -> Option<Cow<'a, str>> {
    if first_byte(raw.get().as_bytes()) != Some(b'"') {
        return None;
    }
    serde_json::from_str::<Cow<'a, str>>(raw.get()).ok()
}

/// A JSON value's text re-printed compactly with sorted keys, so that the
/// same arguments render the same whatever the writer's spacing (text that
/// is not JSON is kept as it is).
pub(crate) fn compact_json(s: &str) -> String {
    serde_json::from_str::<serde_json::Value>(s)
        .map(|v| v.to_string())
        .unwrap_or_else(|_| s.to_owned())
}

/// The first non-whitespace byte.
pub(crate) fn first_byte(b: &[u8]) -> Option<u8> {
    b.iter().copied().find(|c| !c.is_ascii_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_cuts_on_char_boundary() {
        let s = "ab€cd"; // € is 3 bytes at 2..5
        assert_eq!(bounded(s, 3), "ab");
        assert_eq!(bounded(s, 5), "ab€");
        assert_eq!(bounded(s, 100), s);
        let long = "é".repeat(2000);
        assert!(excerpt(&long).is_some_and(|e| e.len() <= EXCERPT_MAX && e.len() % 2 == 0));
    }

    #[test]
    fn string_prefixes_never_split_escapes() {
        let lit = serde_json::to_string(&"a\"b\\c\u{1F600}d\né".repeat(50)).unwrap();
        for max in 0..lit.len() + 2 {
            let p = json_str_prefix(&lit, max).expect("a prefix");
            let full: String = serde_json::from_str(&lit).unwrap();
            assert!(full.starts_with(p.as_ref()), "max {max}");
        }
        let esc = "\"\\ud83d\\ude00\\ud83d\\ude00\"";
        for max in 0..esc.len() {
            assert!(json_str_prefix(esc, max).is_some(), "max {max}");
        }
        assert_eq!(json_str_prefix("42", 10), None);
        let long = format!("\"{}\\u00e9\\\"\\ud83d\\ude00\\t\"", "x".repeat(100));
        let p = json_str_prefix(&long, 1000).unwrap();
        assert!(p.ends_with("é\"😀\t"), "{p}");
        let cut = format!("\"{}\"", "a\\nb".repeat(100));
        assert_eq!(json_str_prefix(&cut, 10).unwrap(), "a\nba\nba");
    }
}
