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
//! The JSON grammar and the fast string scan are `json_scan`'s; `values`
//! adds the typed readers of record fields, `record_shape` the record's
//! members.

mod record_shape;
#[cfg(test)]
mod tests;
mod values;

pub use crate::json_scan::GiveUp;
use crate::json_scan::{Parser, R};

use super::record::Doc;

/// Parses the JSON object that starts at `at` (no leading whitespace) into
/// a `Doc`, returning it with the offset just past the object.
pub fn doc_at(text: &str, at: usize) -> R<(Doc<'_>, usize)> {
    let mut p = Parser::new(text, at);
    let doc = p.doc()?;
    Ok((doc, p.i))
}

/// Parses `text`, which must be one JSON object and whitespace around it.
pub fn doc(text: &str) -> R<Doc<'_>> {
    let mut p = Parser::new(text, 0);
    p.ws();
    let doc = p.doc()?;
    p.end()?;
    Ok(doc)
}
