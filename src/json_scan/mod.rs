//! A JSON scanner with serde_json as the authority: the grammar over one
//! value as serde_json reads it (whitespace, literals, strings borrowed
//! unless escaped, numbers, nesting depth, skipping a value, walking an
//! object's members), for the fast paths that read a known shape straight
//! from the text: CloudTrail records (`ingest::fastjson`), the agent
//! records read line by line (`transcripts::lenient`'s `scan` readers, used
//! by the Cursor hook and Cline readers) and array documents
//! (`transcripts::json_doc::walk_array`).
//!
//! It never decides that a text is bad. Whatever it does not handle
//! exactly as serde would makes it give up ([`GiveUp`]), and the caller
//! parses the text with serde, whose result and error are the ones used.
//! A scanner may be stricter than serde, never laxer.
//!
//! Two levels of checking. By default a value that is skipped or kept as
//! text is checked as serde checks a borrowed `RawValue` (grammar, escapes
//! well formed). [`Parser::checked`] also checks it as
//! `serde_json::Value` would parse it: a number out of `f64`'s range and
//! a lone surrogate in an escape make it give up.

mod strings;

use std::borrow::Cow;

use strings::escape_len;
pub(crate) use strings::{special_byte, unescape};

/// Not handled here: parse with serde.
#[derive(Debug)]
pub struct GiveUp;

pub(crate) type R<T> = Result<T, GiveUp>;

/// Nesting beyond this is left to serde (whose limit is 128).
const MAX_DEPTH: u32 = 64;

/// A position in one JSON text.
pub(crate) struct Parser<'a> {
    pub(crate) s: &'a str,
    pub(crate) b: &'a [u8],
    pub(crate) i: usize,
    pub(crate) depth: u32,
    /// Values checked as `Value` parses them, not as `RawValue` does.
    value_checks: bool,
}

impl<'a> Parser<'a> {
    /// At byte `at` of `text`, checking as `RawValue` does.
    pub(crate) fn new(text: &'a str, at: usize) -> Parser<'a> {
        Parser {
            s: text,
            b: text.as_bytes(),
            i: at,
            depth: 0,
            value_checks: false,
        }
    }

    /// At the start of `text`, checking every value as `Value` would parse
    /// it, for a reader whose general path parses a `Value`.
    pub(crate) fn checked(text: &'a str) -> Parser<'a> {
        Parser::checked_at(text, 0)
    }

    /// [`Parser::checked`] at byte `at` of `text`.
    pub(crate) fn checked_at(text: &'a str, at: usize) -> Parser<'a> {
        Parser {
            value_checks: true,
            ..Parser::new(text, at)
        }
    }

    /// Only white space is left.
    pub(crate) fn end(&mut self) -> R<()> {
        self.ws();
        if self.i == self.b.len() {
            Ok(())
        } else {
            Err(GiveUp)
        }
    }

    pub(crate) fn ws(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            if matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    pub(crate) fn peek(&self) -> R<u8> {
        self.b.get(self.i).copied().ok_or(GiveUp)
    }

    pub(crate) fn eat(&mut self, c: u8) -> R<()> {
        if self.peek()? != c {
            return Err(GiveUp);
        }
        self.i += 1;
        Ok(())
    }

    pub(crate) fn literal(&mut self, word: &[u8]) -> R<()> {
        if !self.b[self.i..].starts_with(word) {
            return Err(GiveUp);
        }
        self.i += word.len();
        Ok(())
    }

    /// At a `null`: consumes it and returns true.
    pub(crate) fn null(&mut self) -> R<bool> {
        if self.peek()? == b'n' {
            self.literal(b"null")?;
            return Ok(true);
        }
        Ok(false)
    }

    /// At an opening quote: the content's range and whether it has escapes;
    /// leaves `i` after the closing quote.
    pub(crate) fn string_span(&mut self) -> R<(usize, usize, bool)> {
        self.eat(b'"')?;
        let start = self.i;
        let mut escaped = false;
        loop {
            let at = special_byte(self.b, self.i).ok_or(GiveUp)?;
            match self.b[at] {
                b'"' => {
                    self.i = at + 1;
                    if escaped && self.value_checks {
                        unescape(&self.s[start..at])?;
                    }
                    return Ok((start, at, escaped));
                }
                b'\\' => {
                    escaped = true;
                    self.i = at + 1 + escape_len(self.b, at + 1)?;
                }
                // A control character: serde's error.
                _ => return Err(GiveUp),
            }
        }
    }

    pub(crate) fn string(&mut self) -> R<Cow<'a, str>> {
        let (start, end, escaped) = self.string_span()?;
        let s = &self.s[start..end];
        if escaped {
            Ok(Cow::Owned(unescape(s)?))
        } else {
            Ok(Cow::Borrowed(s))
        }
    }

    /// A string or null (`opt_cow`).
    pub(crate) fn opt_str(&mut self) -> R<Option<Cow<'a, str>>> {
        if self.null()? {
            return Ok(None);
        }
        self.string().map(Some)
    }

    /// Validates and steps over one value.
    pub(crate) fn skip(&mut self) -> R<()> {
        match self.peek()? {
            b'"' => self.string_span().map(|_| ()),
            b'{' => self.sequence(b'{', b'}', |p, _| {
                p.string_span()?;
                p.ws();
                p.eat(b':')?;
                p.ws();
                p.skip()
            }),
            b'[' => self.sequence(b'[', b']', |p, _| p.skip()),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(GiveUp),
        }
    }

    pub(crate) fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(GiveUp);
        }
        Ok(())
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    pub(crate) fn number(&mut self) -> R<()> {
        let b = self.b;
        let mut i = self.i;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match b.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                let from = i;
                i = digits(b, i);
                // Under 10^300, whatever follows: within `f64`'s range.
                if self.value_checks && i - from > 300 {
                    return Err(GiveUp);
                }
            }
            _ => return Err(GiveUp),
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            let from = i;
            i = digits(b, i);
            if i == from {
                return Err(GiveUp);
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            // `Value` fails on an exponent past `f64`'s range: not read here.
            if self.value_checks {
                return Err(GiveUp);
            }
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let from = i;
            i = digits(b, i);
            if i == from {
                return Err(GiveUp);
            }
        }
        self.i = i;
        Ok(())
    }

    /// Walks an object's members, calling `field` with each unescaped name;
    /// `field` must consume the value.
    pub(crate) fn members(&mut self, mut field: impl FnMut(&mut Self, &'a [u8]) -> R<()>) -> R<()> {
        self.sequence(b'{', b'}', |p, _| {
            let (start, end, escaped) = p.string_span()?;
            if escaped {
                return Err(GiveUp);
            }
            p.ws();
            p.eat(b':')?;
            p.ws();
            let b = p.b;
            field(p, &b[start..end])
        })
    }

    /// Walks an array's items, calling `item` with each one's index; `item`
    /// must consume the value.
    pub(crate) fn items(&mut self, item: impl FnMut(&mut Self, usize) -> R<()>) -> R<()> {
        self.sequence(b'[', b']', item)
    }

    /// An object or array: `open`, entries read by `entry` (given each
    /// one's index) and separated by commas, `close`; nesting counted.
    fn sequence(
        &mut self,
        open: u8,
        close: u8,
        mut entry: impl FnMut(&mut Self, usize) -> R<()>,
    ) -> R<()> {
        self.enter()?;
        self.eat(open)?;
        self.ws();
        if self.peek()? == close {
            self.i += 1;
            self.depth -= 1;
            return Ok(());
        }
        let mut index = 0;
        loop {
            entry(self, index)?;
            index += 1;
            self.ws();
            match self.peek()? {
                b',' => {
                    self.i += 1;
                    self.ws();
                }
                c if c == close => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return Err(GiveUp),
            }
        }
    }
}

/// The index just past the run of ASCII digits at `i`.
fn digits(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}
