//! One hook log line as the reader sees it ([`Hook`]: the members it uses,
//! the wrapper already opened), read two ways: `decode`, the fast path,
//! reads the members into borrowed typed fields straight from the line's
//! bytes, on all cores; [`Hook::of_value`], the general path, reads them
//! from a `serde_json::Value`. A line the fast path declines (not an
//! object, a `hook` that is not an object, JSON `Value` rejects) goes to
//! the general path, so what a line yields never depends on which path
//! read it; `tests` checks the two agree.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use super::super::lenient::{Checked, Key, Num, Str, drain_seq};
use crate::json_scan::{GiveUp, Parser, R};

/// The names a logger's time goes by, in the order they are looked for.
const STAMPS: [&str; 4] = ["logged_at", "timestamp", "time", "ts"];

/// The time a logger added, as `Collector` reads it.
pub(super) enum Stamp<'a> {
    /// A JSON string (read as a time text).
    Text(Cow<'a, str>),
    /// Any other JSON value, or none.
    Json(Option<Box<RawValue>>),
}

/// What `Reader::record` reads of one payload: `Value::as_str` of each
/// text member (`None` when absent or not a string), the numbers as
/// `as_u64` / `as_i64` read them. The fast path takes its texts out of the
/// decoded line ([`Obj::take_hook`]), so the line's large decode is
/// dropped on the worker that made it; the general path borrows them from
/// the `Value`.
pub(super) struct Hook<'a> {
    pub(super) event: Option<Cow<'a, str>>,
    pub(super) conversation: Option<Cow<'a, str>>,
    pub(super) stamp: Stamp<'a>,
    /// `cwd`, else the first of `workspace_roots`.
    pub(super) cwd: Option<Cow<'a, str>>,
    pub(super) email: Option<Cow<'a, str>>,
    pub(super) model: Option<Cow<'a, str>>,
    pub(super) version: Option<Cow<'a, str>>,
    pub(super) prompt: Option<Cow<'a, str>>,
    pub(super) text: Option<Cow<'a, str>>,
    pub(super) mode: Option<Cow<'a, str>>,
    pub(super) command: Option<Cow<'a, str>>,
    pub(super) generation: Option<Cow<'a, str>>,
    /// The hook's answer a logger kept beside the payload (`permission`,
    /// else `output.permission`, on the outer object).
    pub(super) permission: Option<Cow<'a, str>>,
    pub(super) output: Option<Cow<'a, str>>,
    pub(super) duration_ms: Option<u64>,
    pub(super) exit_code: Option<i64>,
}

fn s<'a>(v: &'a Value, key: &str) -> Option<Cow<'a, str>> {
    v.get(key).and_then(Value::as_str).map(Cow::Borrowed)
}

impl<'a> Hook<'a> {
    /// The general path: the members read from a parsed line.
    pub(super) fn of_value(outer: &'a Value) -> Hook<'a> {
        let p = match outer.get("hook") {
            Some(inner) if outer.get("logged_at").is_some() => inner,
            _ => outer,
        };
        let stamp = STAMPS
            .iter()
            .find_map(|k| outer.get(*k).or_else(|| p.get(*k)))
            .and_then(|v| RawValue::from_string(v.to_string()).ok());
        Hook {
            event: s(p, "hook_event_name"),
            conversation: s(p, "conversation_id"),
            stamp: Stamp::Json(stamp),
            cwd: s(p, "cwd").or_else(|| {
                p.pointer("/workspace_roots/0")
                    .and_then(Value::as_str)
                    .map(Cow::Borrowed)
            }),
            email: s(p, "user_email"),
            model: s(p, "model"),
            version: s(p, "cursor_version"),
            prompt: s(p, "prompt"),
            text: s(p, "text"),
            mode: s(p, "composer_mode"),
            command: s(p, "command"),
            generation: s(p, "generation_id"),
            permission: s(outer, "permission").or_else(|| {
                outer
                    .pointer("/output/permission")
                    .and_then(Value::as_str)
                    .map(Cow::Borrowed)
            }),
            output: s(p, "output"),
            duration_ms: p.get("duration").and_then(Value::as_u64),
            exit_code: ["exit_code", "exitCode"]
                .iter()
                .find_map(|k| p.get(*k).and_then(Value::as_i64)),
        }
    }
}

/// A time member's value: its text when a string, else the value itself
/// (rare: epoch numbers), printed as the general path prints it.
enum StampValue<'a> {
    Text(Cow<'a, str>),
    Json(Value),
}

impl<'de: 'a, 'a> Deserialize<'de> for StampValue<'a> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StampValue<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(StampValue::Text(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(StampValue::Text(Cow::Owned(s.to_owned())))
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
                Ok(StampValue::Json(Value::Bool(b)))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
                Ok(StampValue::Json(Value::from(n)))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
                Ok(StampValue::Json(Value::from(n)))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
                Ok(StampValue::Json(Value::from(n)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(StampValue::Json(Value::Null))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                let v = Value::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
                Ok(StampValue::Json(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let v = Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(StampValue::Json(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// `workspace_roots`, as `pointer("/workspace_roots/0")` reads it: the
/// first item of an array, or the member `"0"` of an object.
#[derive(Default)]
struct FirstRoot<'a>(Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for FirstRoot<'a> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FirstRoot<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let first = seq.next_element::<Str<'de>>()?.and_then(|s| s.0);
                drain_seq(&mut seq)?;
                Ok(FirstRoot(first))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut zero = None;
                while let Some(k) = map.next_key::<Key<'de>>()? {
                    if k.0 == "0" {
                        zero = map.next_value::<Str<'de>>()?.0;
                    } else {
                        map.next_value::<Checked>()?;
                    }
                }
                Ok(FirstRoot(zero))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(FirstRoot(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(FirstRoot(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(FirstRoot(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(FirstRoot(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(FirstRoot(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(FirstRoot(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// `output`: the command's output when a string; `output.permission` when
/// an object (a logger that kept the hook's answer there).
#[derive(Default)]
struct Output<'a> {
    text: Option<Cow<'a, str>>,
    permission: Option<Cow<'a, str>>,
}

impl<'de: 'a, 'a> Deserialize<'de> for Output<'a> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Output<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Output {
                    text: Some(Cow::Borrowed(s)),
                    permission: None,
                })
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Output {
                    text: Some(Cow::Owned(s.to_owned())),
                    permission: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut permission = None;
                while let Some(k) = map.next_key::<Key<'de>>()? {
                    if k.0 == "permission" {
                        permission = map.next_value::<Str<'de>>()?.0;
                    } else {
                        map.next_value::<Checked>()?;
                    }
                }
                Ok(Output {
                    text: None,
                    permission,
                })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                drain_seq(&mut seq)?;
                Ok(Output::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Output::default())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Output::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Output::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Output::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Output::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// One JSON object of a line (the line itself, or its `hook`): the members
/// the reader uses, each the last of its name, as in `Value`.
#[derive(Default)]
pub(super) struct Obj<'a> {
    /// Present (an object: anything else is left to the general path).
    hook: Option<Box<Obj<'a>>>,
    /// `STAMPS`, each when present (null included).
    stamps: [Option<StampValue<'a>>; 4],
    event: Str<'a>,
    conversation: Str<'a>,
    generation: Str<'a>,
    cwd: Str<'a>,
    root: FirstRoot<'a>,
    email: Str<'a>,
    model: Str<'a>,
    version: Str<'a>,
    prompt: Str<'a>,
    text: Str<'a>,
    mode: Str<'a>,
    command: Str<'a>,
    permission: Str<'a>,
    output: Output<'a>,
    duration: Num,
    exit_code: Num,
    exit_code_camel: Num,
}

impl<'de: 'a, 'a> Deserialize<'de> for Obj<'a> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Obj<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a hook payload object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut o = Obj::default();
                while let Some(k) = map.next_key::<Key<'de>>()? {
                    match &*k.0 {
                        "hook" => o.hook = Some(Box::new(map.next_value()?)),
                        "logged_at" => o.stamps[0] = Some(map.next_value()?),
                        "timestamp" => o.stamps[1] = Some(map.next_value()?),
                        "time" => o.stamps[2] = Some(map.next_value()?),
                        "ts" => o.stamps[3] = Some(map.next_value()?),
                        "hook_event_name" => o.event = map.next_value()?,
                        "conversation_id" => o.conversation = map.next_value()?,
                        "generation_id" => o.generation = map.next_value()?,
                        "cwd" => o.cwd = map.next_value()?,
                        "workspace_roots" => o.root = map.next_value()?,
                        "user_email" => o.email = map.next_value()?,
                        "model" => o.model = map.next_value()?,
                        "cursor_version" => o.version = map.next_value()?,
                        "prompt" => o.prompt = map.next_value()?,
                        "text" => o.text = map.next_value()?,
                        "composer_mode" => o.mode = map.next_value()?,
                        "command" => o.command = map.next_value()?,
                        "permission" => o.permission = map.next_value()?,
                        "output" => o.output = map.next_value()?,
                        "duration" => o.duration = map.next_value()?,
                        "exit_code" => o.exit_code = map.next_value()?,
                        "exitCode" => o.exit_code_camel = map.next_value()?,
                        _ => {
                            map.next_value::<Checked>()?;
                        }
                    }
                }
                Ok(o)
            }
        }
        d.deserialize_map(V)
    }
}

/// A line's object, or `None` when the general path must read it:
/// scanned from the text ([`scan`]), else decoded by serde.
pub(super) fn decode(line: &[u8]) -> Option<Box<Obj<'_>>> {
    match std::str::from_utf8(line) {
        Ok(text) => scan(text).or_else(|| serde_json::from_str(text).ok().map(Box::new)),
        Err(_) => None,
    }
}

/// The fast path's fast path: the line's members read straight from its
/// text by `json_scan`, into a boxed `Obj` filled in place (an `Obj` is
/// large, and serde moves it through every layer). `None` where the
/// scanner gives up: serde decides, as ever. `tests` checks that where it
/// answers, it answers as serde.
pub(super) fn scan(text: &str) -> Option<Box<Obj<'_>>> {
    let mut p = Parser::checked(text);
    p.ws();
    let mut o = Box::<Obj>::default();
    fill(&mut p, &mut o).ok()?;
    p.end().ok()?;
    Some(o)
}

fn fill<'a>(p: &mut Parser<'a>, o: &mut Obj<'a>) -> R<()> {
    if p.peek()? != b'{' {
        return Err(GiveUp);
    }
    p.members(|p, key| {
        match key {
            b"hook" => {
                let mut inner = Box::<Obj>::default();
                fill(p, &mut inner)?;
                o.hook = Some(inner);
            }
            b"logged_at" => o.stamps[0] = Some(StampValue::scan(p)?),
            b"timestamp" => o.stamps[1] = Some(StampValue::scan(p)?),
            b"time" => o.stamps[2] = Some(StampValue::scan(p)?),
            b"ts" => o.stamps[3] = Some(StampValue::scan(p)?),
            b"hook_event_name" => o.event = Str::scan(p)?,
            b"conversation_id" => o.conversation = Str::scan(p)?,
            b"generation_id" => o.generation = Str::scan(p)?,
            b"cwd" => o.cwd = Str::scan(p)?,
            b"workspace_roots" => o.root = FirstRoot::scan(p)?,
            b"user_email" => o.email = Str::scan(p)?,
            b"model" => o.model = Str::scan(p)?,
            b"cursor_version" => o.version = Str::scan(p)?,
            b"prompt" => o.prompt = Str::scan(p)?,
            b"text" => o.text = Str::scan(p)?,
            b"composer_mode" => o.mode = Str::scan(p)?,
            b"command" => o.command = Str::scan(p)?,
            b"permission" => o.permission = Str::scan(p)?,
            b"output" => o.output = Output::scan(p)?,
            b"duration" => o.duration = Num::scan(p)?,
            b"exit_code" => o.exit_code = Num::scan(p)?,
            b"exitCode" => o.exit_code_camel = Num::scan(p)?,
            _ => p.skip()?,
        }
        Ok(())
    })
}

impl<'a> StampValue<'a> {
    /// A string; any other value is left to serde (rare: epoch numbers).
    fn scan(p: &mut Parser<'a>) -> R<StampValue<'a>> {
        if p.peek()? != b'"' {
            return Err(GiveUp);
        }
        p.string().map(StampValue::Text)
    }
}

impl<'a> FirstRoot<'a> {
    /// An array's first item; an object is left to serde.
    fn scan(p: &mut Parser<'a>) -> R<FirstRoot<'a>> {
        match p.peek()? {
            b'{' => Err(GiveUp),
            b'[' => {
                let mut first = None;
                p.items(|p, index| {
                    if index == 0 {
                        first = Str::scan(p)?.0;
                        Ok(())
                    } else {
                        p.skip()
                    }
                })?;
                Ok(FirstRoot(first))
            }
            _ => p.skip().map(|()| FirstRoot(None)),
        }
    }
}

impl<'a> Output<'a> {
    /// The text, or an object's `permission`.
    fn scan(p: &mut Parser<'a>) -> R<Output<'a>> {
        match p.peek()? {
            b'"' => p.string().map(|t| Output {
                text: Some(t),
                permission: None,
            }),
            b'{' => {
                let mut permission = None;
                p.members(|p, key| {
                    if key == b"permission" {
                        permission = Str::scan(p)?.0;
                        Ok(())
                    } else {
                        p.skip()
                    }
                })?;
                Ok(Output {
                    text: None,
                    permission,
                })
            }
            _ => p.skip().map(|()| Output::default()),
        }
    }
}

impl<'a> Obj<'a> {
    /// The members the reader uses, as [`Hook::of_value`] reads them,
    /// taken out of the line's decode in place (an `Obj` is large: moved,
    /// it would be copied whole).
    pub(super) fn take_hook(&mut self) -> Hook<'a> {
        let permission = self.permission.0.take().or(self.output.permission.take());
        let mut outer = std::mem::take(&mut self.stamps);
        let p: &mut Obj<'a> = match self.hook.as_deref_mut() {
            Some(inner) if outer[0].is_some() => inner,
            _ => self,
        };
        let stamp = (0..STAMPS.len()).find_map(|i| outer[i].take().or(p.stamps[i].take()));
        let stamp = match stamp {
            Some(StampValue::Text(t)) => Stamp::Text(t),
            Some(StampValue::Json(v)) => Stamp::Json(RawValue::from_string(v.to_string()).ok()),
            None => Stamp::Json(None),
        };
        Hook {
            event: p.event.0.take(),
            conversation: p.conversation.0.take(),
            stamp,
            cwd: p.cwd.0.take().or(p.root.0.take()),
            email: p.email.0.take(),
            model: p.model.0.take(),
            version: p.version.0.take(),
            prompt: p.prompt.0.take(),
            text: p.text.0.take(),
            mode: p.mode.0.take(),
            command: p.command.0.take(),
            generation: p.generation.0.take(),
            permission,
            output: p.output.text.take(),
            duration_ms: p.duration.as_u64(),
            exit_code: p.exit_code.as_i64().or(p.exit_code_camel.as_i64()),
        }
    }
}
