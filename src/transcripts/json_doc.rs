//! A cursor over one JSON document that reads it member by member and item
//! by item, so that a truncated or partly broken document still yields every
//! record before the damage. Used for the single-document formats (Gemini
//! `session-*.json`, Amazon Q / Kiro `ConversationState`, the Claude
//! `{"loglines": […]}` export). Each value is borrowed as a `RawValue`; the
//! caller decides what to deserialize.

use serde_json::value::RawValue;

use crate::json_scan::Parser;

/// Where and why the walk stopped early.
#[derive(Debug)]
pub(crate) struct WalkError {
    pub pos: usize,
    pub reason: String,
}

pub(crate) struct Cursor<'a> {
    pub bytes: &'a [u8],
    /// The document as text, when it is all UTF-8 and the walk asks for it
    /// (`walk_array`): values are then stepped over by `json_scan` rather
    /// than parsed by serde.
    text: Option<&'a str>,
    pub pos: usize,
    /// Line bookkeeping for [`Cursor::line_at`]: the last position asked for
    /// and its line, so that forward queries count only the new bytes.
    line_pos: usize,
    line_no: u64,
}

impl<'a> Cursor<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        let pos = if bytes.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        Self {
            bytes,
            text: None,
            pos,
            line_pos: 0,
            line_no: 1,
        }
    }

    fn err(&self, reason: impl Into<String>) -> WalkError {
        WalkError {
            pos: self.pos,
            reason: reason.into(),
        }
    }

    fn skip_ws(&mut self) {
        while self.pos < self.bytes.len() && self.bytes[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.bytes.get(self.pos).copied()
    }

    fn expect(&mut self, c: u8) -> Result<(), WalkError> {
        match self.peek() {
            Some(b) if b == c => {
                self.pos += 1;
                Ok(())
            }
            Some(b) => Err(self.err(format!(
                "expected '{}' but found '{}'",
                c as char,
                b.escape_ascii()
            ))),
            None => Err(self.err(format!("document ends where '{}' was expected", c as char))),
        }
    }

    /// Reads the next whole value; returns it with its start offset.
    pub fn value(&mut self) -> Result<(&'a RawValue, usize), WalkError> {
        self.skip_ws();
        let start = self.pos;
        let mut it =
            serde_json::Deserializer::from_slice(&self.bytes[start..]).into_iter::<&RawValue>();
        match it.next() {
            Some(Ok(v)) => {
                self.pos = start + it.byte_offset();
                Ok((v, start))
            }
            Some(Err(e)) if e.is_eof() => Err(self.err(format!("document truncated: {e}"))),
            Some(Err(e)) => Err(self.err(format!("invalid JSON: {e}"))),
            None => Err(self.err("document ends where a value was expected")),
        }
    }

    pub fn begin_object(&mut self) -> Result<(), WalkError> {
        self.expect(b'{')
    }

    /// The next member's key (the cursor is then at its value), or `None`
    /// at the closing brace.
    pub fn next_key(&mut self, first: &mut bool) -> Result<Option<String>, WalkError> {
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(None);
        }
        if !*first {
            self.expect(b',')?;
        }
        *first = false;
        if self.peek() != Some(b'"') {
            return Err(self.err("expected a member name"));
        }
        let (raw, _) = self.value()?;
        let key: String = serde_json::from_str(raw.get()).map_err(|e| self.err(e.to_string()))?;
        self.expect(b':')?;
        Ok(Some(key))
    }

    /// Starts an array; `Ok(false)` when the value is `null` (consumed).
    pub fn begin_array(&mut self) -> Result<bool, WalkError> {
        self.skip_ws();
        if self.bytes[self.pos..].starts_with(b"null") {
            self.pos += 4;
            return Ok(false);
        }
        self.expect(b'[')?;
        Ok(true)
    }

    /// The next array item with its start offset, or `None` at the closing bracket.
    pub fn next_item(
        &mut self,
        first: &mut bool,
    ) -> Result<Option<(&'a RawValue, usize)>, WalkError> {
        if !self.item_follows(first)? {
            return Ok(None);
        }
        self.value().map(Some)
    }

    /// Steps to the next array item: `false` at the closing bracket.
    fn item_follows(&mut self, first: &mut bool) -> Result<bool, WalkError> {
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(false);
        }
        if !*first {
            self.expect(b',')?;
        }
        *first = false;
        Ok(true)
    }

    /// [`Cursor::value`]'s text: the value stepped over by `json_scan`,
    /// which accepts what serde's `RawValue` accepts or gives up, and then
    /// serde reads it and words the error.
    fn value_text(&mut self) -> Result<(&'a str, usize), WalkError> {
        self.skip_ws();
        let start = self.pos;
        if let Some(text) = self.text {
            let mut p = Parser::new(text, start);
            // serde's stream wants a number or literal followed by a
            // delimiter (`1s` is trailing characters, not `1` then `s`).
            let delimited = |b: Option<&u8>| {
                matches!(
                    b,
                    None | Some(
                        b' ' | b'\n'
                            | b'\t'
                            | b'\r'
                            | b'"'
                            | b'['
                            | b']'
                            | b'{'
                            | b'}'
                            | b','
                            | b':'
                    )
                )
            };
            if p.skip().is_ok()
                && (matches!(self.bytes[start], b'"' | b'[' | b'{')
                    || delimited(self.bytes.get(p.i)))
            {
                self.pos = p.i;
                return Ok((&text[start..p.i], start));
            }
        }
        self.value().map(|(raw, start)| (raw.get(), start))
    }

    /// Skips whatever value comes next.
    pub fn skip_value(&mut self) -> Result<(), WalkError> {
        self.value().map(|_| ())
    }

    /// The 1-based line of `pos`; cheap when asked in increasing order.
    pub fn line_at(&mut self, pos: usize) -> u64 {
        let pos = pos.min(self.bytes.len());
        if pos < self.line_pos {
            self.line_pos = 0;
            self.line_no = 1;
        }
        self.line_no += memchr::memchr_iter(b'\n', &self.bytes[self.line_pos..pos]).count() as u64;
        self.line_pos = pos;
        self.line_no
    }
}

/// What [`walk_array`] meets: an element (its line, its index, its text),
/// or the damaged or trailing part of the document (the line it starts on,
/// the index the next element would have had, why, and the bytes from there).
pub(crate) enum ArrayPart<'a> {
    Item {
        line: u64,
        index: u64,
        /// The element's JSON text, as a `RawValue` would hold it.
        raw: &'a str,
    },
    Broken {
        line: u64,
        index: u64,
        why: String,
        rest: &'a [u8],
    },
}

/// Walks a JSON array document element by element, handing each to `f`; a
/// cut or broken tail, or text after the array, is one `Broken` part whose
/// reason names the document as `what` (e.g. "hook payload array").
pub(crate) fn walk_array<'a>(bytes: &'a [u8], what: &str, mut f: impl FnMut(ArrayPart<'a>)) {
    walk_array_scanning(bytes, what, |_| None::<()>, |part, _| f(part))
}

/// [`walk_array`], reading each element with `scan` where it can: `scan`
/// is given a parser at the element's first byte, checking as
/// `serde_json::Value` parses, and either reads the element whole (the
/// parser then just past it) or gives up (`None`). An element it reads is
/// handed on with what it made of it and is not stepped over a second
/// time; the others are stepped over as `walk_array` does, with `None`.
pub(crate) fn walk_array_scanning<'a, T>(
    bytes: &'a [u8],
    what: &str,
    scan: impl FnMut(&mut Parser<'a>) -> Option<T>,
    f: impl FnMut(ArrayPart<'a>, Option<T>),
) {
    let mut cur = Cursor::new(bytes);
    cur.text = std::str::from_utf8(bytes).ok();
    walk_array_with(cur, what, scan, f)
}

fn walk_array_with<'a, T>(
    mut cur: Cursor<'a>,
    what: &str,
    mut scan: impl FnMut(&mut Parser<'a>) -> Option<T>,
    mut f: impl FnMut(ArrayPart<'a>, Option<T>),
) {
    let bytes = cur.bytes;
    let mut index = 0u64;
    let walked = (|| -> Result<(), WalkError> {
        if !cur.begin_array()? {
            return Ok(());
        }
        let mut first = true;
        while cur.item_follows(&mut first)? {
            cur.skip_ws();
            let start = cur.pos;
            // Only an object or array read whole: after either, serde's
            // stream needs no delimiter.
            let scanned = cur
                .text
                .filter(|_| matches!(bytes.get(start), Some(b'{' | b'[')))
                .and_then(|text| {
                    let mut p = Parser::checked_at(text, start);
                    let made = scan(&mut p)?;
                    Some((&text[start..p.i], p.i, made))
                });
            let (raw, pos, made) = match scanned {
                Some((raw, end, made)) => {
                    cur.pos = end;
                    (raw, start, Some(made))
                }
                None => {
                    let (raw, pos) = cur.value_text()?;
                    (raw, pos, None)
                }
            };
            let line = cur.line_at(pos);
            f(ArrayPart::Item { line, index, raw }, made);
            index += 1;
        }
        Ok(())
    })();
    let (pos, why) = match walked {
        Ok(()) => {
            let rest = &bytes[cur.pos.min(bytes.len())..];
            if super::text::first_byte(rest).is_none() {
                return;
            }
            (cur.pos, format!("text after the end of the {what}"))
        }
        Err(e) => (e.pos, format!("{what}: {}", e.reason)),
    };
    let line = cur.line_at(pos);
    let rest = &bytes[pos.min(bytes.len())..];
    f(
        ArrayPart::Broken {
            line,
            index,
            why,
            rest,
        },
        None,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_members_and_items_and_stops_at_truncation() {
        let doc = b"{\n \"a\": 1,\n \"items\": [ {\"x\":1},\n {\"x\":2}, {\"x\":";
        let mut c = Cursor::new(doc);
        c.begin_object().unwrap();
        let mut first = true;
        assert_eq!(c.next_key(&mut first).unwrap().as_deref(), Some("a"));
        c.skip_value().unwrap();
        assert_eq!(c.next_key(&mut first).unwrap().as_deref(), Some("items"));
        assert!(c.begin_array().unwrap());
        let mut f = true;
        let (v1, p1) = c.next_item(&mut f).unwrap().unwrap();
        assert_eq!(v1.get(), "{\"x\":1}");
        assert_eq!(c.line_at(p1), 3);
        let (v2, p2) = c.next_item(&mut f).unwrap().unwrap();
        assert_eq!(v2.get(), "{\"x\":2}");
        assert_eq!(c.line_at(p2), 4);
        let e = c.next_item(&mut f).unwrap_err();
        assert!(e.reason.contains("truncated"), "{}", e.reason);
    }

    /// The parts of an array as `walk_array` gives them, with or without
    /// the scanner.
    fn parts(bytes: &[u8], scan: bool) -> Vec<String> {
        let mut cur = Cursor::new(bytes);
        if scan {
            cur.text = std::str::from_utf8(bytes).ok();
        }
        let mut out = Vec::new();
        walk_array_with(
            cur,
            "array",
            |_| None::<()>,
            |p, _| {
                out.push(match p {
                    ArrayPart::Item { line, index, raw } => format!("item {line} {index} {raw}"),
                    ArrayPart::Broken {
                        line,
                        index,
                        why,
                        rest,
                    } => format!("broken {line} {index} {why} {}", rest.len()),
                })
            },
        );
        out
    }

    /// Stepping over elements with `json_scan` gives the parts serde gives,
    /// on an array of every kind of value and on every one-byte deletion
    /// and replacement of it.
    #[test]
    fn the_scanner_walks_an_array_as_serde_does() {
        let doc = "[ {\"ts\":1,\"text\":\"a \\\"b\\\" \\u00e9 \\ud83d\\ude00\"},\n {\"x\":[1.5e3,-0,true,false,null,{}]},\n \"s\", 7 ,[] ]\n";
        assert_eq!(parts(doc.as_bytes(), true).len(), 5);
        for t in crate::transcripts::tests_support::one_byte_edits(&[doc]) {
            assert_eq!(
                parts(&t, true),
                parts(&t, false),
                "{}",
                String::from_utf8_lossy(&t)
            );
        }
    }

    #[test]
    fn null_array_and_end_of_object() {
        let mut c = Cursor::new(b"{\"h\": null}");
        c.begin_object().unwrap();
        let mut first = true;
        c.next_key(&mut first).unwrap();
        assert!(!c.begin_array().unwrap());
        assert_eq!(c.next_key(&mut first).unwrap(), None);
    }
}
