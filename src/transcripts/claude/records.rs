//! The record shapes of a Claude Code line, as serde reads them in one
//! pass. Damaged files hold strings, lists or numbers where objects belong,
//! so `message`, its content and each content entry are read leniently:
//! anything unexpected reads as nothing rather than failing the line.

use std::borrow::Cow;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

#[derive(Deserialize)]
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
    pub(super) tool_use_result: Option<&'a RawValue>,
    // The record chain (`chain`), read as raw values so that a damaged
    // value never costs the line.
    #[serde(borrow)]
    pub(super) uuid: Option<&'a RawValue>,
    #[serde(rename = "parentUuid", borrow)]
    pub(super) parent_uuid: Option<&'a RawValue>,
    #[serde(rename = "logicalParentUuid", borrow)]
    pub(super) logical_parent_uuid: Option<&'a RawValue>,
    #[serde(borrow)]
    pub(super) subtype: Option<&'a RawValue>,
}

/// A raw value's string, if it is a string.
pub(super) fn raw_str<'a>(v: Option<&'a RawValue>) -> Option<Cow<'a, str>> {
    let v = v?;
    if !v.get().starts_with('"') {
        return None;
    }
    serde_json::from_str(v.get()).ok()
}

/// `message` is an object in every real file but something else in damaged
/// ones; anything but an object reads as no message. Read in the same pass
/// as the line (no re-scan of the content).
#[derive(Default)]
pub(super) struct MsgField<'a>(pub(super) Option<Msg<'a>>);

#[derive(Deserialize)]
pub(super) struct Msg<'a> {
    #[serde(borrow)]
    pub(super) model: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(super) content: Content<'a>,
}

/// Message content: a string, or a list of content blocks.
#[derive(Default)]
pub(super) enum Content<'a> {
    #[default]
    None,
    Text(Cow<'a, str>),
    Items(Vec<Item<'a>>),
}

/// One entry of a content list; damaged files hold bare strings and other values.
pub(super) enum Item<'a> {
    Text(Cow<'a, str>),
    Block(Block<'a>),
    Other,
}

#[derive(Deserialize)]
pub(super) struct Block<'a> {
    #[serde(rename = "type", borrow)]
    pub(super) kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) text: Option<&'a RawValue>,
    #[serde(borrow)]
    pub(super) id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) input: Option<&'a RawValue>,
    #[serde(borrow)]
    pub(super) tool_use_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) content: Option<&'a RawValue>,
    #[serde(borrow)]
    pub(super) is_error: Option<&'a RawValue>,
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

#[derive(Deserialize)]
pub(super) struct ShellInput<'a> {
    #[serde(borrow)]
    pub(super) command: Option<Cow<'a, str>>,
    pub(super) run_in_background: Option<bool>,
}
