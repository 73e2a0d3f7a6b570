//! Finds the boundaries of JSON values without parsing them.
//!
//! A CloudTrail file is one big `{"Records":[…]}` document, a JSON array or
//! JSON Lines. Parsing the whole document with serde would turn one bad record
//! into a lost file; this scanner only tracks strings and nesting, so the
//! ingest can hand each element to serde on its own, quarantine the one that
//! fails and keep its neighbours. It never allocates and never panics: every
//! index is checked, and a structural problem (truncation, unbalanced
//! brackets) is an error carrying the byte offset where reading stopped.

use std::ops::Range;

/// Reading stopped at `offset` for `reason`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanError {
    pub offset: usize,
    pub reason: &'static str,
}

type Result<T> = std::result::Result<T, ScanError>;

fn err<T>(offset: usize, reason: &'static str) -> Result<T> {
    Err(ScanError { offset, reason })
}

pub fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

/// First index at or after `i` that is not JSON whitespace.
pub fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && is_ws(b[i]) {
        i += 1;
    }
    i
}

/// `b[i]` is an opening quote; returns the index just after the closing one.
pub fn string_end(b: &[u8], i: usize) -> Result<usize> {
    let mut j = i + 1;
    loop {
        match memchr::memchr2(b'"', b'\\', b.get(j..).unwrap_or_default()) {
            None => return err(b.len(), "unterminated string"),
            Some(k) => {
                let at = j + k;
                if b[at] == b'"' {
                    return Ok(at + 1);
                }
                // A backslash escapes the next byte, whatever it is.
                j = at + 2;
                if j > b.len() {
                    return err(b.len(), "unterminated string");
                }
            }
        }
    }
}

/// Returns the index just after the JSON value starting at `i` (which must not
/// be whitespace). Containers are matched by depth only; their content is
/// checked later by serde.
pub fn value_end(b: &[u8], i: usize) -> Result<usize> {
    match b.get(i) {
        None => err(i, "expected a value, found the end of the input"),
        Some(b'"') => string_end(b, i),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = string_end(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            err(b.len(), "input ends inside an object or array")
        }
        Some(b'}' | b']' | b',' | b':') => err(i, "expected a value"),
        Some(_) => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']' | b':') && !is_ws(b[j]) {
                j += 1;
            }
            Ok(j)
        }
    }
}

/// Iterates over the elements of the array whose `[` is at `start`, yielding
/// each element's byte range. After an error the iterator ends.
pub struct Elements<'a> {
    b: &'a [u8],
    i: usize,
    first: bool,
    done: bool,
    /// Index just after the closing `]`, once reached.
    pub end: Option<usize>,
}

pub fn elements(b: &[u8], start: usize) -> Elements<'_> {
    Elements {
        b,
        i: start + 1,
        first: true,
        done: b.get(start) != Some(&b'['),
        end: None,
    }
}

impl Elements<'_> {
    /// Where the next element starts, without scanning it: the caller
    /// reads it and reports its end with `resume_at`. `None` after `]` or
    /// an error.
    pub fn next_start(&mut self) -> Option<Result<usize>> {
        if self.done {
            return None;
        }
        let b = self.b;
        let mut i = skip_ws(b, self.i);
        match b.get(i) {
            None => {
                self.done = true;
                return Some(err(i, "input ends inside an array"));
            }
            Some(b']') => {
                self.done = true;
                self.end = Some(i + 1);
                return None;
            }
            Some(b',') if !self.first => i = skip_ws(b, i + 1),
            Some(_) if self.first => {}
            Some(_) => {
                self.done = true;
                return Some(err(i, "expected `,` or `]` between array elements"));
            }
        }
        self.first = false;
        self.i = i;
        Some(Ok(i))
    }

    /// The element from the last `next_start` ended just before `end`.
    pub fn resume_at(&mut self, end: usize) {
        self.i = end;
    }
}

impl Iterator for Elements<'_> {
    type Item = Result<Range<usize>>;

    fn next(&mut self) -> Option<Self::Item> {
        let i = match self.next_start()? {
            Ok(i) => i,
            Err(e) => return Some(Err(e)),
        };
        match value_end(self.b, i) {
            Ok(end) => {
                self.i = end;
                Some(Ok(i..end))
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// Reads the next `"key":` of an object from `i` (after `{` or a value):
/// `None` at the closing `}`, else the key's range and where its value starts.
pub fn next_key(b: &[u8], i: usize, first: bool) -> Result<Option<(Range<usize>, usize)>> {
    let mut i = skip_ws(b, i);
    match b.get(i) {
        None => return err(i, "input ends inside an object"),
        Some(b'}') => return Ok(None),
        Some(b',') if !first => i = skip_ws(b, i + 1),
        Some(b'"') if first => {}
        Some(_) => return err(i, "expected `,` or `}` between object members"),
    }
    if b.get(i) != Some(&b'"') {
        return err(i, "expected a quoted key");
    }
    let key_end = string_end(b, i)?;
    let colon = skip_ws(b, key_end);
    if b.get(colon) != Some(&b':') {
        return err(colon, "expected `:` after a key");
    }
    Ok(Some((i + 1..key_end - 1, skip_ws(b, colon + 1))))
}

/// Finds the member `key` of the object at `start` and returns where its value
/// starts, without scanning that value. Members before it are scanned.
pub fn find_member_start(b: &[u8], start: usize, key: &[u8]) -> Result<Option<usize>> {
    if b.get(start) != Some(&b'{') {
        return Ok(None);
    }
    let mut i = start + 1;
    let mut first = true;
    while let Some((k, v)) = next_key(b, i, first)? {
        if &b[k] == key {
            return Ok(Some(v));
        }
        first = false;
        i = value_end(b, v)?;
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(doc: &str) -> Vec<std::result::Result<String, ScanError>> {
        let b = doc.as_bytes();
        let start = skip_ws(b, 0);
        elements(b, start)
            .map(|r| r.map(|range| doc[range].to_string()))
            .collect()
    }

    #[test]
    fn splits_array_elements_with_nested_strings() {
        let got = spans(r#" [ {"a":"x]}\"y"}, [1,[2]] ,"s",3 ,null]"#);
        let got: Vec<_> = got.into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(
            got,
            vec![r#"{"a":"x]}\"y"}"#, "[1,[2]]", r#""s""#, "3", "null"]
        );
    }

    #[test]
    fn bad_element_does_not_hide_the_next_one() {
        // `{"a" 1}` is invalid JSON but balanced: the scanner passes it on for
        // serde to reject, and the element after it is still found.
        let got = spans(r#"[{"a":1},{"a" 1},{"b":2}]"#);
        assert_eq!(got.len(), 3);
        assert_eq!(got[1].as_ref().unwrap(), r#"{"a" 1}"#);
        assert_eq!(got[2].as_ref().unwrap(), r#"{"b":2}"#);
    }

    #[test]
    fn truncation_is_an_error_with_offset() {
        let doc = r#"[{"a":1},{"b":"cut"#;
        let got = spans(doc);
        assert_eq!(got.len(), 2);
        let e = got[1].clone().unwrap_err();
        assert_eq!(e.offset, doc.len());
    }

    #[test]
    fn missing_comma_is_an_error() {
        let got = spans(r#"[1 2]"#);
        assert!(got[1].is_err());
    }

    #[test]
    fn empty_array_has_no_elements() {
        assert!(spans("[ ]").is_empty());
        let b = b"[]";
        let mut it = elements(b, 0);
        assert!(it.next().is_none());
        assert_eq!(it.end, Some(2));
    }

    #[test]
    fn find_member_skips_nested_keys() {
        let doc = br#"{"x": {"Records": 1}, "Records" : [1,2], "z": 3}"#;
        let at = find_member_start(doc, 0, b"Records").unwrap().unwrap();
        assert_eq!(doc[at], b'[');
        assert_eq!(find_member_start(doc, 0, b"nope").unwrap(), None);
    }

    #[test]
    fn escaped_backslash_before_quote() {
        let doc = br#"["a\\", "b"]"#;
        let n = elements(doc, 0).filter(|r| r.is_ok()).count();
        assert_eq!(n, 2);
    }

    #[test]
    fn never_panics_on_prefixes() {
        let doc = br#"{"Records":[{"a":"b\"c","d":[1,{"e":null}]},{"f":true}]}"#;
        for cut in 0..doc.len() {
            let b = &doc[..cut];
            let _ = find_member_start(b, 0, b"Records");
            for s in 0..cut {
                let _: Vec<_> = elements(b, s).collect();
                let _ = value_end(b, s);
            }
        }
    }
}
