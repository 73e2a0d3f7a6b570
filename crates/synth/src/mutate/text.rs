//! Where things are in a file that may not be valid JSON: object keys and
//! the spans of their values, string values, lines. Every function here
//! works on bytes, never fails, and walks without recursion, so it finds
//! its way in a file the mutations already broke.

/// A byte range `start..end` of the content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
}

/// An object member as it appears in the text: the key (without quotes)
/// and the span of the value after the colon.
#[derive(Clone, Debug)]
pub(crate) struct Member {
    pub key: String,
    /// From the key's opening quote to the end of the value (for deleting
    /// the member).
    pub whole: Span,
    pub value: Span,
}

/// The end of the string whose opening quote is at `start` (one past the
/// closing quote), or the end of the content when it is not closed.
pub(crate) fn string_end(b: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// The span of the JSON value starting at or after `from` (leading white
/// space skipped): a string, a balanced object or array (strings inside
/// skipped), or a scalar up to the next delimiter.
pub(crate) fn value_span(b: &[u8], from: usize) -> Span {
    let mut i = from;
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\r' | b'\n') {
        i += 1;
    }
    let start = i;
    if i >= b.len() {
        return Span { start, end: i };
    }
    let end = match b[i] {
        b'"' => string_end(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                if j >= b.len() {
                    break b.len();
                }
                match b[j] {
                    b'"' => {
                        j = string_end(b, j);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            break j + 1;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']' | b'\n' | b'\r' | b' ') {
                j += 1;
            }
            j
        }
    };
    Span { start, end }
}

/// Every `"key": value` member in the content, in order, at any depth
/// (keys inside string values, such as a `CloudTrailEvent`'s escaped
/// JSON, are not members and are not found). One pass: a container
/// value's end is set when its bracket closes, so deep nesting costs no
/// more than its length.
pub(crate) fn members(b: &[u8]) -> Vec<Member> {
    let mut out: Vec<Member> = Vec::new();
    // For each open container, the member whose value it is, if any.
    let mut open: Vec<Option<usize>> = Vec::new();
    let mut pending: Option<usize> = None;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let end = string_end(b, i);
                let mut j = end;
                while j < b.len() && matches!(b[j], b' ' | b'\t') {
                    j += 1;
                }
                if j < b.len() && b[j] == b':' && end >= i + 2 {
                    let key = String::from_utf8_lossy(&b[i + 1..end - 1]).into_owned();
                    let mut v = j + 1;
                    while v < b.len() && matches!(b[v], b' ' | b'\t' | b'\r' | b'\n') {
                        v += 1;
                    }
                    let container = v < b.len() && matches!(b[v], b'{' | b'[');
                    let value = if container {
                        Span {
                            start: v,
                            end: b.len(),
                        }
                    } else {
                        value_span(b, v)
                    };
                    out.push(Member {
                        key,
                        whole: Span {
                            start: i,
                            end: value.end,
                        },
                        value,
                    });
                    if container {
                        pending = Some(out.len() - 1);
                        i = v;
                    } else {
                        i = value.end.max(v);
                    }
                } else {
                    i = end;
                }
                continue;
            }
            b'{' | b'[' => open.push(pending.take()),
            b'}' | b']' => {
                if let Some(Some(m)) = open.pop() {
                    out[m].value.end = i + 1;
                    out[m].whole.end = i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The spans of the string values (quotes included) of every member.
pub(crate) fn string_values(b: &[u8]) -> Vec<Span> {
    members(b)
        .into_iter()
        .map(|m| m.value)
        .filter(|v| v.end > v.start + 1 && b[v.start] == b'"')
        .collect()
}

/// The lines of the content as spans, each with its `\n` (the last one may
/// have none).
pub(crate) fn lines(b: &[u8]) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in b.iter().enumerate() {
        if *c == b'\n' {
            out.push(Span { start, end: i + 1 });
            start = i + 1;
        }
    }
    if start < b.len() {
        out.push(Span {
            start,
            end: b.len(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_and_values_are_found_in_nested_and_broken_json() {
        let t = br#"{"a": "x\"y", "b": {"c": [1, {"d": null}]}, "e": 12 , "f": tru"#;
        let m = members(t);
        let keys: Vec<&str> = m.iter().map(|m| m.key.as_str()).collect();
        assert_eq!(keys, ["a", "b", "c", "d", "e", "f"]);
        let v = |k: &str| {
            let s = m.iter().find(|m| m.key == k).unwrap().value;
            std::str::from_utf8(&t[s.start..s.end]).unwrap()
        };
        assert_eq!(v("a"), r#""x\"y""#);
        assert_eq!(v("b"), r#"{"c": [1, {"d": null}]}"#);
        assert_eq!(v("e"), "12");
        assert_eq!(v("f"), "tru");
        assert_eq!(string_values(t).len(), 1);
    }

    #[test]
    fn an_unclosed_container_runs_to_the_end() {
        let t = b"{\"a\": [[[[";
        let m = members(t);
        assert_eq!(m[0].value.end, t.len());
        let deep = vec![b'['; 200_000];
        assert_eq!(value_span(&deep, 0).end, deep.len());
        // 10^5 nested members are found in one pass, each ending where
        // its brace closes.
        let mut t = "{\"a\":".repeat(100_000).into_bytes();
        t.push(b'1');
        t.extend(std::iter::repeat_n(b'}', 100_000));
        let m = members(&t);
        assert_eq!(m.len(), 100_000);
        assert_eq!(m[0].value.end, t.len() - 1);
        assert_eq!(
            m[99_999].value,
            Span {
                start: t.len() - 100_001,
                end: t.len() - 100_000
            }
        );
    }

    #[test]
    fn lines_keep_their_newlines() {
        let l = lines(b"a\nbc\n\nd");
        assert_eq!(l.len(), 4);
        assert_eq!(l[1], Span { start: 2, end: 5 });
        assert_eq!(l[3], Span { start: 6, end: 7 });
    }
}
