//! A fast path for reading one CloudTrail record into `Doc`, with serde as
//! the authority.
//!
//! serde_json spends most of its time on what every record has: short
//! strings scanned eight bytes at a time, field names matched through the
//! derive's visitors, and nested blobs (`requestParameters`) parsed value by
//! value only to be kept as text. This parser does the same work for the one
//! shape it knows, scanning strings 32 bytes at a time where the CPU allows,
//! and validates everything it reads by the same JSON grammar.
//!
//! It never decides that a record is bad. Whatever it does not handle
//! exactly as serde would (a duplicate or escaped field name, a type serde
//! would reject, a lone surrogate, a control character, deep nesting, an
//! object given as an array, anything malformed) makes it give up, and the
//! caller parses the record with serde, whose result and error message are
//! the ones used. A test compares the two on every fixture and on mutated
//! records: where this parser answers, its `Doc` and end offset are serde's.
//!
//! `values` is the JSON grammar, `strings` the fast string scan and
//! unescaping, `record_shape` the record's members.

mod record_shape;
mod strings;
#[cfg(test)]
mod tests;
mod values;

use super::record::Doc;

/// Not handled here: parse with serde.
#[derive(Debug)]
pub struct GiveUp;

type R<T> = Result<T, GiveUp>;

/// Nesting beyond this is left to serde (whose limit is 128).
const MAX_DEPTH: u32 = 64;

/// Parses the JSON object that starts at `at` (no leading whitespace) into
/// a `Doc`, returning it with the offset just past the object.
pub fn doc_at(text: &str, at: usize) -> R<(Doc<'_>, usize)> {
    let mut p = Parser {
        s: text,
        b: text.as_bytes(),
        i: at,
        depth: 0,
    };
    let doc = p.doc()?;
    Ok((doc, p.i))
}

/// Parses `text`, which must be one JSON object and whitespace around it.
pub fn doc(text: &str) -> R<Doc<'_>> {
    let mut p = Parser {
        s: text,
        b: text.as_bytes(),
        i: 0,
        depth: 0,
    };
    p.ws();
    let doc = p.doc()?;
    p.ws();
    if p.i != p.b.len() {
        return Err(GiveUp);
    }
    Ok(doc)
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    depth: u32,
}
