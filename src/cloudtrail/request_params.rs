//! Reading the `request_parameters` column: an event's `requestParameters`
//! kept by ingest as raw JSON text (null when absent), read here by the
//! destructive catalog, attribution's risk pass and the anomaly detectors.
//!
//! Two ways in. [`parse`] builds a `serde_json::Value` once per event for
//! readers that look at many fields or nested ones; [`field`],
//! [`field_ignore_case`] and [`str_field`] read members of it.
//! [`top_level_strings`] streams the text and keeps only the string values
//! of a few named top-level keys, without building the rest, for readers
//! that run on every event.
//!
//! Text is trimmed (Unicode white space) before parsing and blank text is
//! absent. The stored column never has white space around it (it is the
//! record's JSON value as written), so this reads it exactly as plain
//! `serde_json::from_str` would. The values are attacker-controlled: they
//! are only compared, never executed or fetched.

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;
use std::fmt;

/// One event's request parameters, parsed.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// No text, or only white space.
    Absent,
    /// Text that is not JSON.
    Unreadable,
    /// Any JSON value (an object for real records).
    Value(Value),
}

impl Parsed {
    /// The value, when there is one.
    pub fn value(&self) -> Option<&Value> {
        match self {
            Parsed::Value(v) => Some(v),
            _ => None,
        }
    }

    /// The value, when there is one.
    pub fn into_value(self) -> Option<Value> {
        match self {
            Parsed::Value(v) => Some(v),
            _ => None,
        }
    }

    /// There was text and it is not JSON.
    pub fn is_unreadable(&self) -> bool {
        matches!(self, Parsed::Unreadable)
    }
}

/// Parses the column's text.
pub fn parse(text: Option<&str>) -> Parsed {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Parsed::Absent,
        Some(t) => serde_json::from_str(t).map_or(Parsed::Unreadable, Parsed::Value),
    }
}

/// The member `key` of an object (`None` for anything else), by its exact
/// name as CloudTrail writes it (`bucketName`).
pub fn field<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_object()?.get(key)
}

/// The first member of an object whose name is `key` ignoring ASCII case,
/// so SDK-style captures (`SkipFinalSnapshot`) match CloudTrail's
/// (`skipFinalSnapshot`).
pub fn field_ignore_case<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// The member `key` (exact name) when it is a string.
pub fn str_field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    field(v, key)?.as_str()
}

/// The string values of the top-level members named in `keys` (exact
/// names), in the order the text has them, each paired with its name from
/// `keys`; members whose value is not a string are skipped unread.
/// `None` when the text is not a JSON object. What follows the object is
/// not looked at.
pub fn top_level_strings(text: &str, keys: &[&'static str]) -> Option<Vec<(&'static str, String)>> {
    let mut de = serde_json::Deserializer::from_str(text);
    de.deserialize_map(Picker { keys }).ok()
}

struct Picker<'k> {
    keys: &'k [&'static str],
}

impl<'de> Visitor<'de> for Picker<'_> {
    type Value = Vec<(&'static str, String)>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
        let mut found = Vec::new();
        while let Some(Key(k)) = m.next_key_seed(KeySeed(self.keys))? {
            match k {
                Some(k) => {
                    if let MaybeStr(Some(v)) = m.next_value::<MaybeStr>()? {
                        found.push((k, v));
                    }
                }
                None => {
                    m.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(found)
    }
}

/// A member name: its entry in the wanted keys, or not wanted.
struct Key(Option<&'static str>);

struct KeySeed<'k>(&'k [&'static str]);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed<'_> {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Key, E> {
        Ok(Key(self.0.iter().find(|k| **k == s).copied()))
    }
}

/// A value kept only when it is a string.
struct MaybeStr(Option<String>);

impl<'de> de::Deserialize<'de> for MaybeStr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeStr;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<MaybeStr, E> {
                Ok(MaybeStr(Some(s.to_string())))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<MaybeStr, E> {
                Ok(MaybeStr(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<MaybeStr, E> {
                Ok(MaybeStr(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<MaybeStr, E> {
                Ok(MaybeStr(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<MaybeStr, E> {
                Ok(MaybeStr(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<MaybeStr, E> {
                Ok(MaybeStr(None))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut s: A) -> Result<MaybeStr, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(MaybeStr(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<MaybeStr, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(MaybeStr(None))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_tells_absent_from_unreadable() {
        assert_eq!(parse(None), Parsed::Absent);
        assert_eq!(parse(Some("  ")), Parsed::Absent);
        assert!(parse(Some("not json")).is_unreadable());
        let p = parse(Some(r#" {"bucketName":"b1","key":"k"} "#));
        assert_eq!(
            p.value().and_then(|v| str_field(v, "bucketName")),
            Some("b1")
        );
        assert_eq!(
            parse(Some("[1]")).into_value(),
            Some(serde_json::json!([1]))
        );
    }

    #[test]
    fn fields_by_exact_name_or_ignoring_case() {
        let v: Value = serde_json::json!({"SkipFinalSnapshot": true, "n": 1, "s": "x"});
        assert_eq!(field(&v, "skipFinalSnapshot"), None);
        assert_eq!(
            field_ignore_case(&v, "skipFinalSnapshot"),
            Some(&Value::Bool(true))
        );
        assert_eq!(str_field(&v, "s"), Some("x"));
        assert_eq!(str_field(&v, "n"), None);
        assert_eq!(field(&serde_json::json!(["s"]), "s"), None);
        assert_eq!(field_ignore_case(&Value::Null, "s"), None);
    }

    #[test]
    fn top_level_strings_keep_only_wanted_string_members() {
        let text = r#"{"a":"1","nested":{"b":"no"},"b":["x"],"b":"2","c":null,"a":"3"} trailing"#;
        assert_eq!(
            top_level_strings(text, &["a", "b"]),
            Some(vec![
                ("a", "1".to_string()),
                ("b", "2".to_string()),
                ("a", "3".to_string())
            ])
        );
        assert_eq!(
            top_level_strings(r#"{"a":"\u00e9"}"#, &["a"]),
            Some(vec![("a", "é".to_string())])
        );
        assert_eq!(top_level_strings("[1]", &["a"]), None);
        assert_eq!(top_level_strings(r#"{"a":"1","#, &["a"]), None);
    }
}
