//! One element of a Cline message array as the reader sees it
//! ([`Message`]: the members it uses), read two ways: [`decode`], the fast
//! path, reads them into borrowed typed fields from the element's text;
//! [`Message::of_value`], the general path, from a `serde_json::Value`. An
//! element the fast path declines (not an object, JSON `Value` rejects)
//! goes to the general path, so what an element yields never depends on
//! which path read it; `tests` checks the two agree.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};
use serde_json::Value;

use super::super::lenient::{Checked, Flag, Key, Num, Str};
use crate::json_scan::Parser;

/// What `Reader::item` reads of one element: `Value::as_str` of each text
/// member (`None` when absent or not a string).
pub(super) struct Message<'a> {
    /// Both `role` and `content` are present: the model's side
    /// (`api_conversation_history.json`).
    pub(super) history: bool,
    /// `ts` is a number (`Value::is_number`).
    pub(super) ts_is_number: bool,
    /// `ts` as `Value::as_u64`.
    pub(super) ts: Option<u64>,
    pub(super) ty: Option<&'a str>,
    pub(super) ask: Option<&'a str>,
    pub(super) say: Option<&'a str>,
    pub(super) text: Option<&'a str>,
    /// `partial` as `Value::as_bool`.
    pub(super) partial: Option<bool>,
}

fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

impl<'a> Message<'a> {
    /// The general path: the members read from a parsed element.
    pub(super) fn of_value(v: &'a Value) -> Message<'a> {
        Message {
            history: v.get("role").is_some() && v.get("content").is_some(),
            ts_is_number: v.get("ts").is_some_and(Value::is_number),
            ts: v.get("ts").and_then(Value::as_u64),
            ty: s(v, "type"),
            ask: s(v, "ask"),
            say: s(v, "say"),
            text: s(v, "text"),
            partial: v.get("partial").and_then(Value::as_bool),
        }
    }
}

/// An element's members, each the last of its name, as in `Value`.
#[derive(Default)]
pub(super) struct Decoded<'a> {
    role: bool,
    content: bool,
    ts: Num,
    ty: Str<'a>,
    ask: Str<'a>,
    say: Str<'a>,
    text: Str<'a>,
    partial: Flag,
}

impl<'de: 'a, 'a> Deserialize<'de> for Decoded<'a> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Decoded<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a Cline message object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut m = Decoded::default();
                while let Some(k) = map.next_key::<Key<'de>>()? {
                    match &*k.0 {
                        "ts" => m.ts = map.next_value()?,
                        "type" => m.ty = map.next_value()?,
                        "ask" => m.ask = map.next_value()?,
                        "say" => m.say = map.next_value()?,
                        "text" => m.text = map.next_value()?,
                        "partial" => m.partial = map.next_value()?,
                        other => {
                            map.next_value::<Checked>()?;
                            match other {
                                "role" => m.role = true,
                                "content" => m.content = true,
                                _ => {}
                            }
                        }
                    }
                }
                Ok(m)
            }
        }
        d.deserialize_map(V)
    }
}

/// An element's members, or `None` when the general path must read it:
/// scanned from the text ([`scan`]), else decoded by serde.
pub(super) fn decode(raw: &str) -> Option<Decoded<'_>> {
    scan(raw).or_else(|| serde_json::from_str(raw).ok())
}

/// The element's members read straight from its text by `json_scan`;
/// `None` where the scanner gives up, and serde decides. `tests` checks
/// that where it answers, it answers as serde.
pub(super) fn scan(raw: &str) -> Option<Decoded<'_>> {
    let mut p = Parser::checked(raw);
    p.ws();
    let m = scan_at(&mut p)?;
    p.end().ok()?;
    Some(m)
}

/// [`scan`] of the element at `p` (checking as `Value` parses), in a
/// larger text: `p` is left just past it.
pub(super) fn scan_at<'a>(p: &mut Parser<'a>) -> Option<Decoded<'a>> {
    if p.peek().ok()? != b'{' {
        return None;
    }
    let mut m = Decoded::default();
    p.members(|p, key| {
        match key {
            b"ts" => m.ts = Num::scan(p)?,
            b"type" => m.ty = Str::scan(p)?,
            b"ask" => m.ask = Str::scan(p)?,
            b"say" => m.say = Str::scan(p)?,
            b"text" => m.text = Str::scan(p)?,
            b"partial" => m.partial = Flag::scan(p)?,
            other => {
                p.skip()?;
                match other {
                    b"role" => m.role = true,
                    b"content" => m.content = true,
                    _ => {}
                }
            }
        }
        Ok(())
    })
    .ok()?;
    Some(m)
}

impl Decoded<'_> {
    /// The members the reader uses, as [`Message::of_value`] reads them.
    pub(super) fn message(&self) -> Message<'_> {
        Message {
            history: self.role && self.content,
            ts_is_number: self.ts.0.is_some(),
            ts: self.ts.as_u64(),
            ty: self.ty.get(),
            ask: self.ask.get(),
            say: self.say.get(),
            text: self.text.get(),
            partial: self.partial.0,
        }
    }
}
