//! The JSON grammar over one value, as serde_json reads it: whitespace,
//! literals, strings (borrowed unless escaped), numbers, nesting depth,
//! skipping a value, walking an object's members, and the typed readers
//! (`opt_str`, `loose_bool`, `raw`, `opt_struct`) the record fields use.

use super::super::record::{LooseBool, Raw};
use super::strings::{escape_len, special_byte, unescape};
use super::{GiveUp, MAX_DEPTH, Parser, R};
use std::borrow::Cow;

impl<'a> Parser<'a> {
    pub(super) fn ws(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            if matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    pub(super) fn peek(&self) -> R<u8> {
        self.b.get(self.i).copied().ok_or(GiveUp)
    }

    pub(super) fn eat(&mut self, c: u8) -> R<()> {
        if self.peek()? != c {
            return Err(GiveUp);
        }
        self.i += 1;
        Ok(())
    }

    pub(super) fn literal(&mut self, word: &[u8]) -> R<()> {
        if !self.b[self.i..].starts_with(word) {
            return Err(GiveUp);
        }
        self.i += word.len();
        Ok(())
    }

    /// At a `null`: consumes it and returns true.
    pub(super) fn null(&mut self) -> R<bool> {
        if self.peek()? == b'n' {
            self.literal(b"null")?;
            return Ok(true);
        }
        Ok(false)
    }

    /// At an opening quote: the content's range and whether it has escapes;
    /// leaves `i` after the closing quote.
    pub(super) fn string_span(&mut self) -> R<(usize, usize, bool)> {
        self.eat(b'"')?;
        let start = self.i;
        let mut escaped = false;
        loop {
            let at = special_byte(self.b, self.i).ok_or(GiveUp)?;
            match self.b[at] {
                b'"' => {
                    self.i = at + 1;
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

    pub(super) fn string(&mut self) -> R<Cow<'a, str>> {
        let (start, end, escaped) = self.string_span()?;
        let s = &self.s[start..end];
        if escaped {
            Ok(Cow::Owned(unescape(s)?))
        } else {
            Ok(Cow::Borrowed(s))
        }
    }

    /// A string or null (`opt_cow`).
    pub(super) fn opt_str(&mut self) -> R<Option<Cow<'a, str>>> {
        if self.null()? {
            return Ok(None);
        }
        self.string().map(Some)
    }

    /// A boolean, a "true"/"false" string, or null (`Option<LooseBool>`).
    pub(super) fn loose_bool(&mut self) -> R<Option<LooseBool>> {
        match self.peek()? {
            b'n' => self.literal(b"null").map(|_| None),
            b't' => self.literal(b"true").map(|_| Some(LooseBool(true))),
            b'f' => self.literal(b"false").map(|_| Some(LooseBool(false))),
            b'"' => {
                let (start, end, escaped) = self.string_span()?;
                if escaped {
                    return Err(GiveUp);
                }
                match &self.b[start..end] {
                    b"true" | b"True" | b"TRUE" => Ok(Some(LooseBool(true))),
                    b"false" | b"False" | b"FALSE" => Ok(Some(LooseBool(false))),
                    _ => Err(GiveUp),
                }
            }
            _ => Err(GiveUp),
        }
    }

    /// Any value, kept as its text; null is `None` (`Option<&RawValue>`).
    pub(super) fn raw(&mut self) -> R<Option<Raw<'a>>> {
        if self.null()? {
            return Ok(None);
        }
        let start = self.i;
        self.skip()?;
        Ok(Some(Raw(&self.s[start..self.i])))
    }

    /// Validates and steps over one value.
    pub(super) fn skip(&mut self) -> R<()> {
        match self.peek()? {
            b'"' => self.string_span().map(|_| ()),
            b'{' => {
                self.enter()?;
                self.i += 1;
                self.ws();
                if self.peek()? == b'}' {
                    self.i += 1;
                } else {
                    loop {
                        self.string_span()?;
                        self.ws();
                        self.eat(b':')?;
                        self.ws();
                        self.skip()?;
                        self.ws();
                        match self.peek()? {
                            b',' => {
                                self.i += 1;
                                self.ws();
                            }
                            b'}' => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(GiveUp),
                        }
                    }
                }
                self.depth -= 1;
                Ok(())
            }
            b'[' => {
                self.enter()?;
                self.i += 1;
                self.ws();
                if self.peek()? == b']' {
                    self.i += 1;
                } else {
                    loop {
                        self.skip()?;
                        self.ws();
                        match self.peek()? {
                            b',' => {
                                self.i += 1;
                                self.ws();
                            }
                            b']' => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(GiveUp),
                        }
                    }
                }
                self.depth -= 1;
                Ok(())
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(GiveUp),
        }
    }

    pub(super) fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(GiveUp);
        }
        Ok(())
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    pub(super) fn number(&mut self) -> R<()> {
        let b = self.b;
        let mut i = self.i;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match b.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                while b.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
            }
            _ => return Err(GiveUp),
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            let from = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == from {
                return Err(GiveUp);
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let from = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == from {
                return Err(GiveUp);
            }
        }
        self.i = i;
        Ok(())
    }

    /// Walks an object's members, calling `field` with each unescaped name;
    /// `field` must consume the value.
    pub(super) fn members(&mut self, mut field: impl FnMut(&mut Self, &'a [u8]) -> R<()>) -> R<()> {
        self.enter()?;
        self.eat(b'{')?;
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            let (start, end, escaped) = self.string_span()?;
            if escaped {
                return Err(GiveUp);
            }
            self.ws();
            self.eat(b':')?;
            self.ws();
            let b = self.b;
            field(self, &b[start..end])?;
            self.ws();
            match self.peek()? {
                b',' => {
                    self.i += 1;
                    self.ws();
                }
                b'}' => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return Err(GiveUp),
            }
        }
    }

    /// `Option<Struct>`: null or an object (serde would also take an array).
    pub(super) fn opt_struct<T>(&mut self, read: impl FnOnce(&mut Self) -> R<T>) -> R<Option<T>> {
        if self.null()? {
            return Ok(None);
        }
        if self.peek()? != b'{' {
            return Err(GiveUp);
        }
        read(self).map(Some)
    }
}
