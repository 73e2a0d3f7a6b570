//! The record shapes of a Claude Code line, as serde reads them in one
//! pass. Damaged files hold strings, lists or numbers where objects belong,
//! so `message`, its content and each content entry are read leniently:
//! anything unexpected reads as nothing rather than failing the line.

use std::borrow::Cow;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::super::lenient::{RawJson, Seen, flag, number, object, once, opt, scan_whole};
use crate::json_scan::{Parser, R};

#[derive(Deserialize, Debug)]
pub(super) struct Line<'a> {
    #[serde(rename = "type", borrow)]
    pub(super) kind: Option<Cow<'a, str>>,
    #[serde(rename = "sessionId", borrow)]
    pub(super) session_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) timestamp: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) cwd: Option<Cow<'a, str>>,
    #[serde(rename = "gitBranch", borrow)]
    pub(super) git_branch: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) version: Option<Cow<'a, str>>,
    #[serde(rename = "isMeta")]
    pub(super) is_meta: Option<bool>,
    #[serde(rename = "isCompactSummary")]
    pub(super) is_compact_summary: Option<bool>,
    #[serde(rename = "permissionMode", borrow)]
    pub(super) permission_mode: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(super) message: MsgField<'a>,
    #[serde(rename = "toolUseResult", borrow)]
    pub(super) tool_use_result: Option<RawJson<'a>>,
    // The record chain (`chain`), read as raw values so that a damaged
    // value never costs the line.
    #[serde(borrow)]
    pub(super) uuid: Option<RawJson<'a>>,
    #[serde(rename = "parentUuid", borrow)]
    pub(super) parent_uuid: Option<RawJson<'a>>,
    #[serde(rename = "logicalParentUuid", borrow)]
    pub(super) logical_parent_uuid: Option<RawJson<'a>>,
    #[serde(borrow)]
    pub(super) subtype: Option<RawJson<'a>>,
}

/// A raw value's string, if it is a string.
pub(super) fn raw_str<'a>(v: Option<RawJson<'a>>) -> Option<Cow<'a, str>> {
    let v = v?;
    if !v.get().starts_with('"') {
        return None;
    }
    serde_json::from_str(v.get()).ok()
}

/// `message` is an object in every real file but something else in damaged
/// ones; anything but an object reads as no message. Read in the same pass
/// as the line (no re-scan of the content).
#[derive(Default, Debug)]
pub(super) struct MsgField<'a>(pub(super) Option<Msg<'a>>);

#[derive(Deserialize, Debug)]
pub(super) struct Msg<'a> {
    #[serde(borrow)]
    pub(super) model: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(super) content: Content<'a>,
}

/// Message content: a string, or a list of content blocks.
#[derive(Default, Debug)]
pub(super) enum Content<'a> {
    #[default]
    None,
    Text(Cow<'a, str>),
    Items(Vec<Item<'a>>),
}

/// One entry of a content list; damaged files hold bare strings and other values.
#[derive(Debug)]
pub(super) enum Item<'a> {
    Text(Cow<'a, str>),
    Block(Block<'a>),
    Other,
}

#[derive(Deserialize, Debug)]
pub(super) struct Block<'a> {
    #[serde(rename = "type", borrow)]
    pub(super) kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) text: Option<RawJson<'a>>,
    #[serde(borrow)]
    pub(super) id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) input: Option<RawJson<'a>>,
    #[serde(borrow)]
    pub(super) tool_use_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) content: Option<RawJson<'a>>,
    #[serde(borrow)]
    pub(super) is_error: Option<RawJson<'a>>,
}

/// Visits any JSON value: maps go to `on_map`, strings to `on_str`,
/// everything else is skipped and gives `other`.
macro_rules! lenient_visitor {
    ($name:ident, $out:ty, $expect:literal, map => $on_map:expr, str => $on_str:expr, seq => $on_seq:expr, other => $other:expr) => {
        struct $name<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for $name<'a> {
            type Value = $out;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($expect)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                $on_map(map)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                $on_seq(seq)
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok($on_str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok($on_str(Cow::Owned(v.to_owned())))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok($other)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok($other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok($other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok($other)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok($other)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok($other)
            }
        }
    };
}

fn drain<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

lenient_visitor!(MsgVisitor, MsgField<'a>, "a message object",
    map => |map| Msg::deserialize(MapAccessDeserializer::new(map)).map(|m| MsgField(Some(m))),
    str => |_: Cow<'_, str>| MsgField(None),
    seq => |seq| drain(seq).map(|()| MsgField(None)),
    other => MsgField(None));

lenient_visitor!(ContentVisitor, Content<'a>, "message content",
    map => |map| {
        let mut map: A = map;
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Content::None)
    },
    str => Content::Text,
    seq => |mut seq: A| {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Item<'a>>()? {
            items.push(item);
        }
        Ok(Content::Items(items))
    },
    other => Content::None);

lenient_visitor!(ItemVisitor, Item<'a>, "a content block",
    map => |map| Block::deserialize(MapAccessDeserializer::new(map)).map(Item::Block),
    str => Item::Text,
    seq => |seq| drain(seq).map(|()| Item::Other),
    other => Item::Other);

impl<'de: 'a, 'a> Deserialize<'de> for MsgField<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MsgVisitor(PhantomData))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Content<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ContentVisitor(PhantomData))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Item<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ItemVisitor(PhantomData))
    }
}

impl<'a> Line<'a> {
    /// A line's record: read straight from the text by [`Line::scan`] when
    /// it can, else by serde (whose error is the one reported).
    pub(super) fn read(text: &'a str) -> serde_json::Result<Line<'a>> {
        Line::scan(text).map_or_else(|| serde_json::from_str(text), Ok)
    }

    /// What serde makes of `text`, or `None` where this scanner does not
    /// read it exactly as serde would (a member repeated, a type serde
    /// refuses, a number out of range): the caller then asks serde, which
    /// was most of the time spent on a transcript.
    pub(super) fn scan(text: &'a str) -> Option<Line<'a>> {
        scan_whole(text, Line::fill)
    }

    fn fill(p: &mut Parser<'a>) -> R<Line<'a>> {
        let mut l = Line {
            kind: None,
            session_id: None,
            timestamp: None,
            cwd: None,
            git_branch: None,
            version: None,
            is_meta: None,
            is_compact_summary: None,
            permission_mode: None,
            message: MsgField(None),
            tool_use_result: None,
            uuid: None,
            parent_uuid: None,
            logical_parent_uuid: None,
            subtype: None,
        };
        let mut seen = Seen::default();
        let mut message = None;
        object(p, |p, key| match key {
            b"type" => once(&mut seen, 0, &mut l.kind, p.opt_str()?),
            b"sessionId" => once(&mut seen, 1, &mut l.session_id, p.opt_str()?),
            b"timestamp" => once(&mut seen, 2, &mut l.timestamp, p.opt_str()?),
            b"cwd" => once(&mut seen, 3, &mut l.cwd, p.opt_str()?),
            b"gitBranch" => once(&mut seen, 4, &mut l.git_branch, p.opt_str()?),
            b"version" => once(&mut seen, 5, &mut l.version, p.opt_str()?),
            b"isMeta" => once(&mut seen, 6, &mut l.is_meta, flag(p)?),
            b"isCompactSummary" => once(&mut seen, 7, &mut l.is_compact_summary, flag(p)?),
            b"permissionMode" => once(&mut seen, 8, &mut l.permission_mode, p.opt_str()?),
            b"message" => once(&mut seen, 9, &mut message, Some(MsgField::scan(p)?)),
            b"toolUseResult" => once(
                &mut seen,
                10,
                &mut l.tool_use_result,
                opt(p, RawJson::scan)?,
            ),
            b"uuid" => once(&mut seen, 11, &mut l.uuid, opt(p, RawJson::scan)?),
            b"parentUuid" => once(&mut seen, 12, &mut l.parent_uuid, opt(p, RawJson::scan)?),
            b"logicalParentUuid" => once(
                &mut seen,
                13,
                &mut l.logical_parent_uuid,
                opt(p, RawJson::scan)?,
            ),
            b"subtype" => once(&mut seen, 14, &mut l.subtype, opt(p, RawJson::scan)?),
            _ => p.skip(),
        })?;
        l.message = message.unwrap_or_default();
        Ok(l)
    }
}

/// A value serde reads with `deserialize_any` and keeps nothing of (a
/// number is checked to be in range, as serde parses it).
fn other(p: &mut Parser<'_>) -> R<()> {
    match p.peek()? {
        b'-' | b'0'..=b'9' => number(p).map(|_| ()),
        b'"' => p.string().map(|_| ()),
        _ => p.skip(),
    }
}

impl<'a> MsgField<'a> {
    /// As [`MsgVisitor`] reads it: an object is a message, anything else none.
    fn scan(p: &mut Parser<'a>) -> R<MsgField<'a>> {
        if p.peek()? != b'{' {
            return other(p).map(|()| MsgField(None));
        }
        let (mut model, mut content) = (None, None);
        let mut seen = Seen::default();
        object(p, |p, key| match key {
            b"model" => once(&mut seen, 0, &mut model, p.opt_str()?),
            b"content" => once(&mut seen, 1, &mut content, Some(Content::scan(p)?)),
            _ => p.skip(),
        })?;
        Ok(MsgField(Some(Msg {
            model,
            content: content.unwrap_or_default(),
        })))
    }
}

impl<'a> Content<'a> {
    /// As [`ContentVisitor`] reads it.
    fn scan(p: &mut Parser<'a>) -> R<Content<'a>> {
        match p.peek()? {
            b'"' => p.string().map(Content::Text),
            b'[' => {
                let mut items = Vec::new();
                p.items(|p, _| {
                    items.push(Item::scan(p)?);
                    Ok(())
                })?;
                Ok(Content::Items(items))
            }
            b'{' => p.skip().map(|()| Content::None),
            _ => other(p).map(|()| Content::None),
        }
    }
}

impl<'a> Item<'a> {
    /// As [`ItemVisitor`] reads it.
    fn scan(p: &mut Parser<'a>) -> R<Item<'a>> {
        match p.peek()? {
            b'{' => Block::fill(p).map(Item::Block),
            b'"' => p.string().map(Item::Text),
            b'[' => p.skip().map(|()| Item::Other),
            _ => other(p).map(|()| Item::Other),
        }
    }
}

impl<'a> Block<'a> {
    fn fill(p: &mut Parser<'a>) -> R<Block<'a>> {
        let mut b = Block {
            kind: None,
            text: None,
            id: None,
            name: None,
            input: None,
            tool_use_id: None,
            content: None,
            is_error: None,
        };
        let mut seen = Seen::default();
        object(p, |p, key| match key {
            b"type" => once(&mut seen, 0, &mut b.kind, p.opt_str()?),
            b"text" => once(&mut seen, 1, &mut b.text, opt(p, RawJson::scan)?),
            b"id" => once(&mut seen, 2, &mut b.id, p.opt_str()?),
            b"name" => once(&mut seen, 3, &mut b.name, p.opt_str()?),
            b"input" => once(&mut seen, 4, &mut b.input, opt(p, RawJson::scan)?),
            b"tool_use_id" => once(&mut seen, 5, &mut b.tool_use_id, p.opt_str()?),
            b"content" => once(&mut seen, 6, &mut b.content, opt(p, RawJson::scan)?),
            b"is_error" => once(&mut seen, 7, &mut b.is_error, opt(p, RawJson::scan)?),
            _ => p.skip(),
        })?;
        Ok(b)
    }
}

#[derive(Deserialize)]
pub(super) struct ShellInput<'a> {
    #[serde(borrow)]
    pub(super) command: Option<Cow<'a, str>>,
    pub(super) run_in_background: Option<bool>,
}
