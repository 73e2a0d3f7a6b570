//! The typed readers the record fields use (`opt_struct`, `loose_bool`,
//! `raw`), over the shared grammar (`json_scan`).

use super::super::record::{LooseBool, Raw};
use super::{GiveUp, Parser, R};

impl<'a> Parser<'a> {
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
