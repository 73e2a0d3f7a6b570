//! Typed, borrowed reading of the few JSON members a reader uses, giving
//! what `serde_json::Value`'s accessors give (`as_str`, `as_u64`,
//! `as_i64`, `as_bool`, `is_number`) without building a `Value` tree: a
//! `Value` per line costs an ordered map, a `String` per key and per text,
//! and as much again to drop, which for the Cursor hook and Cline readers
//! was most of their time.
//!
//! A reader's decoder visits an object's members itself, keeps the ones
//! it reads through these types (the last of a repeated name wins, as in
//! `Value`) and walks the rest with [`Checked`]. `Checked` asks serde_json
//! for every value the way `Value`'s own `Deserialize` does
//! (`deserialize_any` all the way down, from the same bytes), so it
//! rejects what `Value` rejects: invalid UTF-8 or escapes, numbers out of
//! range, nesting past the recursion limit. A decoder may be stricter than
//! `Value` (a reader then reads the line again the general way), never
//! laxer, or a line could be kept that the general path quarantines.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde_json::Number;
use serde_json::value::RawValue;

use crate::json_scan::{GiveUp, Parser, R};

/// Any JSON value, checked as `Value` would parse it and not kept.
pub(crate) struct Checked;

struct CheckedVisitor;

impl<'de> Visitor<'de> for CheckedVisitor {
    type Value = Checked;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
        drain_seq(&mut seq)?;
        Ok(Checked)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Checked, A::Error> {
        drain_map(&mut map)?;
        Ok(Checked)
    }
}

impl<'de> Deserialize<'de> for Checked {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CheckedVisitor)
    }
}

/// The rest of an array, checked.
pub(crate) fn drain_seq<'de, A: SeqAccess<'de>>(seq: &mut A) -> Result<(), A::Error> {
    while seq.next_element::<Checked>()?.is_some() {}
    Ok(())
}

/// The rest of an object, checked.
pub(crate) fn drain_map<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    while map.next_key::<Checked>()?.is_some() {
        map.next_value::<Checked>()?;
    }
    Ok(())
}

/// A member name, borrowed when it has no escapes.
pub(crate) struct Key<'a>(pub(crate) Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Key<'a> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(s.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// A string member, borrowed when it has no escapes (serde borrows a
/// `Cow<str>` only outside an `Option`). Any other type is an error, worded
/// as `String`'s ("expected a string").
#[derive(Debug, Clone)]
pub(crate) struct Text<'a>(pub(crate) Cow<'a, str>);

impl std::ops::Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(s)))
            }
        }
        d.deserialize_string(V)
    }
}

/// A string member left as its JSON literal (quotes included), escapes
/// not undone: for a long text of which only an excerpt is kept (a tool's
/// output). Any other type is an error, as for [`Text`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawText<'a>(pub(crate) &'a str);

impl<'de: 'a, 'a> Deserialize<'de> for RawText<'a> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <&'de RawValue>::deserialize(d)?;
        let kind = match raw.get().as_bytes().first() {
            Some(b'"') => return Ok(RawText(raw.get())),
            Some(b'{') => de::Unexpected::Map,
            Some(b'[') => de::Unexpected::Seq,
            Some(b'n') => de::Unexpected::Unit,
            Some(b't' | b'f') => de::Unexpected::Other("boolean"),
            _ => de::Unexpected::Other("number"),
        };
        Err(de::Error::invalid_type(kind, &"a string"))
    }
}

impl<'a> RawText<'a> {
    /// A trimmed excerpt of the text (`text::excerpt`), unescaping only
    /// its start.
    pub(crate) fn excerpt(&self) -> Option<String> {
        // Eight times the excerpt's bound of source text: only a text
        // that starts with that much white space would lose anything.
        let start = super::text::json_str_prefix(self.0, 8 * super::text::EXCERPT_MAX)?;
        super::text::excerpt(&start)
    }

    /// A string's literal, as serde reads it; any other value is left to
    /// serde (its error).
    pub(crate) fn scan(p: &mut Parser<'a>) -> R<RawText<'a>> {
        let start = p.i;
        p.string_span()?;
        Ok(RawText(&p.s[start..p.i]))
    }
}

/// Any value left as its JSON text, as a borrowed `RawValue` keeps it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawJson<'a>(pub(crate) &'a str);

impl<'de: 'a, 'a> Deserialize<'de> for RawJson<'a> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <&'de RawValue>::deserialize(d).map(|raw| RawJson(raw.get()))
    }
}

impl<'a> RawJson<'a> {
    /// The value's JSON text.
    pub(crate) fn get(&self) -> &'a str {
        self.0
    }

    /// The value's text, checked as a `RawValue` is.
    pub(crate) fn scan(p: &mut Parser<'a>) -> R<RawJson<'a>> {
        let start = p.i;
        p.skip()?;
        Ok(RawJson(&p.s[start..p.i]))
    }
}

/// `Value::as_str`: the text when the value is a string, else nothing.
#[derive(Default)]
pub(crate) struct Str<'a>(pub(crate) Option<Cow<'a, str>>);

impl Str<'_> {
    pub(crate) fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Some(Cow::Borrowed(s))))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Str(Some(Cow::Owned(s.to_owned()))))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Str(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Str(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Str(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Str(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Str(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                drain_seq(&mut seq)?;
                Ok(Str(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                drain_map(&mut map)?;
                Ok(Str(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// A number as `Value` holds it (`is_number`, `as_u64`, `as_i64`), or
/// nothing for any other value.
#[derive(Default)]
pub(crate) struct Num(pub(crate) Option<Number>);

impl Num {
    pub(crate) fn as_u64(&self) -> Option<u64> {
        self.0.as_ref().and_then(Number::as_u64)
    }

    pub(crate) fn as_i64(&self) -> Option<i64> {
        self.0.as_ref().and_then(Number::as_i64)
    }
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Num, E> {
                Ok(Num(Some(Number::from(n))))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Num, E> {
                Ok(Num(Some(Number::from(n))))
            }
            // `Value` turns a non-finite float into null; serde_json's
            // parser never yields one, but the mapping is kept the same.
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Num, E> {
                Ok(Num(Number::from_f64(n)))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Num, E> {
                Ok(Num(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Num, E> {
                Ok(Num(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Num, E> {
                Ok(Num(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Num, A::Error> {
                drain_seq(&mut seq)?;
                Ok(Num(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Num, A::Error> {
                drain_map(&mut map)?;
                Ok(Num(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// `Value::as_bool`: the boolean, or nothing for any other value.
#[derive(Default)]
pub(crate) struct Flag(pub(crate) Option<bool>);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Flag;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Flag, E> {
                Ok(Flag(Some(b)))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Flag, E> {
                Ok(Flag(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Flag, E> {
                Ok(Flag(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Flag, E> {
                Ok(Flag(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Flag, E> {
                Ok(Flag(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Flag, E> {
                Ok(Flag(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Flag, A::Error> {
                drain_seq(&mut seq)?;
                Ok(Flag(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Flag, A::Error> {
                drain_map(&mut map)?;
                Ok(Flag(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// The same readings straight from the text ([`Parser::checked`], whose
/// skipping checks values as `Value` parses them), for a fast path that
/// reads a line without serde. Each consumes one value.
impl<'a> Str<'a> {
    pub(crate) fn scan(p: &mut Parser<'a>) -> R<Str<'a>> {
        if p.peek()? == b'"' {
            return p.string().map(|s| Str(Some(s)));
        }
        p.skip().map(|()| Str(None))
    }
}

impl Num {
    pub(crate) fn scan(p: &mut Parser<'_>) -> R<Num> {
        if !matches!(p.peek()?, b'-' | b'0'..=b'9') {
            return p.skip().map(|()| Num(None));
        }
        number(p).map(|n| Num(Some(n)))
    }
}

impl Flag {
    pub(crate) fn scan(p: &mut Parser<'_>) -> R<Flag> {
        match p.peek()? {
            b't' => p.literal(b"true").map(|()| Flag(Some(true))),
            b'f' => p.literal(b"false").map(|()| Flag(Some(false))),
            _ => p.skip().map(|()| Flag(None)),
        }
    }
}

// Scanning a serde-derived struct's members: what the derived reader
// accepts, or `GiveUp` (`Part::scan`, `Line::scan`).

/// `fill` over the whole of `text` (white space around it allowed),
/// checking what it skips as a `RawValue` is checked.
pub(crate) fn scan_whole<'a, T>(
    text: &'a str,
    fill: impl FnOnce(&mut Parser<'a>) -> R<T>,
) -> Option<T> {
    let mut p = Parser::new(text, 0);
    p.ws();
    let value = fill(&mut p).ok()?;
    p.end().ok()?;
    Some(value)
}

/// The members of a struct already read: serde refuses a repeated one.
#[derive(Default)]
pub(crate) struct Seen(u32);

/// Sets member `at` of a struct, read for the first time; a second time
/// is serde's error ("duplicate field").
pub(crate) fn once<T>(seen: &mut Seen, at: u32, slot: &mut Option<T>, value: Option<T>) -> R<()> {
    if seen.0 & (1 << at) != 0 {
        return Err(GiveUp);
    }
    seen.0 |= 1 << at;
    *slot = value;
    Ok(())
}

/// A struct's members (serde would also read a struct from an array:
/// left to it).
pub(crate) fn object<'a>(
    p: &mut Parser<'a>,
    field: impl FnMut(&mut Parser<'a>, &'a [u8]) -> R<()>,
) -> R<()> {
    if p.peek()? != b'{' {
        return Err(GiveUp);
    }
    p.members(field)
}

/// Null, or a value `read` reads, as `Option<T>` reads it.
pub(crate) fn opt<'a, T>(
    p: &mut Parser<'a>,
    read: impl FnOnce(&mut Parser<'a>) -> R<T>,
) -> R<Option<T>> {
    if p.null()? {
        return Ok(None);
    }
    read(p).map(Some)
}

/// `true`, `false` or null, as `Option<bool>` reads it.
pub(crate) fn flag(p: &mut Parser<'_>) -> R<Option<bool>> {
    match p.peek()? {
        b't' => p.literal(b"true").map(|()| Some(true)),
        b'f' => p.literal(b"false").map(|()| Some(false)),
        _ => p.null()?.then_some(None).ok_or(GiveUp),
    }
}

/// A number, exactly as serde_json makes it of the text (out of `f64`'s
/// range: serde's error, so `GiveUp`).
pub(crate) fn number(p: &mut Parser<'_>) -> R<Number> {
    if !matches!(p.peek()?, b'-' | b'0'..=b'9') {
        return Err(GiveUp);
    }
    let start = p.i;
    p.number()?;
    p.s[start..p.i].parse().map_err(|_| GiveUp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// `Checked` accepts exactly what `Value` accepts, on the inputs where
    /// serde_json's skipping (`IgnoredAny`) would be laxer.
    #[test]
    fn checked_rejects_what_value_rejects() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let cases: Vec<Vec<u8>> = vec![
            br#"{"a":[1,{"b":"c"}],"d":null}"#.to_vec(),
            br#"{"a":1e999}"#.to_vec(),
            br#"{"a":"\ud800"}"#.to_vec(),
            br#"{"a":"\u00e9\n"}"#.to_vec(),
            b"{\"a\":\"\xff\"}".to_vec(),
            b"{\"\xff\":1}".to_vec(),
            format!("{{\"a\":{deep}}}").into_bytes(),
            br#"{"a":-0,"b":18446744073709551616}"#.to_vec(),
            br#"{"a":1} x"#.to_vec(),
        ];
        for c in cases {
            let value = serde_json::from_slice::<Value>(&c).is_ok();
            let checked = serde_json::from_slice::<Checked>(&c).is_ok();
            assert_eq!(checked, value, "{}", String::from_utf8_lossy(&c));
        }
    }

    /// `Text` reads what `String` reads, borrowed when it can be, and
    /// fails with the same words (they become quarantine reasons).
    #[test]
    fn text_reads_and_fails_as_string_does() {
        for v in ["\"x\"", "\"a\\nb\"", "5", "true", "[1]", "{}", "\"cut"] {
            let text = serde_json::from_str::<Text>(v).map(|t| t.0.into_owned());
            let string = serde_json::from_str::<String>(v);
            assert_eq!(format!("{text:?}"), format!("{string:?}"), "{v}");
        }
        let t: Text = serde_json::from_str("\"plain\"").unwrap();
        assert!(matches!(t.0, Cow::Borrowed("plain")));
        let none: Option<Text> = serde_json::from_str("null").unwrap();
        assert!(none.is_none());
    }

    /// Each typed reading gives what the `Value` accessor gives.
    #[test]
    fn readings_match_value_accessors() {
        let vals = [
            "\"x\"",
            "\"\\u00e9\"",
            "1",
            "-1",
            "-0",
            "1.5",
            "18446744073709551615",
            "9223372036854775808",
            "true",
            "null",
            "[\"x\"]",
            "{\"a\":\"x\"}",
        ];
        for v in vals {
            let value: Value = serde_json::from_str(v).unwrap();
            let s: Str = serde_json::from_str(v).unwrap();
            let n: Num = serde_json::from_str(v).unwrap();
            let b: Flag = serde_json::from_str(v).unwrap();
            assert_eq!(s.get(), value.as_str(), "{v}");
            assert_eq!(n.as_u64(), value.as_u64(), "{v}");
            assert_eq!(n.as_i64(), value.as_i64(), "{v}");
            assert_eq!(n.0.is_some(), value.is_number(), "{v}");
            assert_eq!(b.0, value.as_bool(), "{v}");
        }
    }
}
