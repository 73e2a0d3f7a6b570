//! The fast path for log-store documents one per line (a hit with its
//! `_source`, or a bare stored record, as `elasticdump` and scroll scripts
//! write them): each line is flattened into dotted names as it is decoded,
//! its text borrowed from the line where JSON lets it (no
//! `serde_json::Value` tree, no ordered map), on all cores, then handed in
//! line order to the same `Reader::record` the general path calls.
//!
//! It reads exactly what `search::to_otlp` reads, and is strict on
//! purpose: a line whose reading could depend on a rule of the general
//! path's maps (a name given twice in one object, two spellings that
//! flatten or strip to the same name), a span, a search response, an OTLP
//! request, a document of no known mapping, or an agent event without a
//! session id (quarantined with the record's JSON) is left to the general
//! path, so what a line yields never depends on which path read it.
//! `tests` checks the two agree.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::super::lenient::Text;
use super::attrs::{AttrMap, micros_of_nanos};
use super::events::session_of;
use super::reader::{RecFields, event_of};
use super::search::{FILED, Filed, document_shape, filed_under, nanos};

type Pairs<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

/// An object whose members `search::to_otlp` files under a record's or
/// resource's attributes with the object's name cut off (`search::FILED`
/// without its dot): their names are kept cut as they are read (borrowed
/// from the line, where the full name would be a new string to cut
/// later).
#[derive(Clone, Copy)]
struct Group {
    /// The prefix, with its dot.
    prefix: &'static str,
    filed: Filed,
}

impl Group {
    /// The group an object of this full name is, if any.
    fn of(name: &str) -> Option<Group> {
        FILED
            .iter()
            .find(|(p, _)| p.len() == name.len() + 1 && p.starts_with(name))
            .map(|&(prefix, filed)| Group { prefix, filed })
    }
}

/// The members of `Group` objects, by their cut names.
#[derive(Default)]
struct Grouped<'de> {
    own: Pairs<'de>,
    resource: Pairs<'de>,
}

/// Flattens one value under `key` into `out`: objects into dotted names,
/// null into nothing, other values as `search::flatten` renders them.
/// `Ok(true)` when the value was an object. Objects and nulls leave their
/// full name in `names`, so a name given twice in one object shows as a
/// full name given twice. Inside a `Group` object `key` is the name below
/// it and leaves go to `grouped`, with `@` read as `.` as `decode` reads
/// full names.
struct Flat<'o, 'de> {
    key: Cow<'de, str>,
    group: Option<Group>,
    out: &'o mut Pairs<'de>,
    grouped: &'o mut Grouped<'de>,
    /// The full names of the objects and nulls met, which `out` does not
    /// hold: with `out`'s names, a name given twice anywhere shows as a
    /// full name given twice.
    names: &'o mut Vec<Cow<'de, str>>,
}

impl<'de> DeserializeSeed<'de> for Flat<'_, 'de> {
    type Value = bool;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Flat<'_, 'de> {
    fn leaf<E>(self, v: Cow<'de, str>) -> Result<bool, E> {
        match self.group {
            None => self.out.push((self.key, v)),
            Some(g) => {
                let key = if self.key.contains('@') {
                    Cow::Owned(self.key.replace('@', "."))
                } else {
                    self.key
                };
                let to = match g.filed {
                    Filed::Resource => &mut self.grouped.resource,
                    Filed::Own => &mut self.grouped.own,
                };
                to.push((key, v));
            }
        }
        Ok(false)
    }

    /// The full name, for `names`.
    fn full_name(&self) -> Cow<'de, str> {
        match self.group {
            None => self.key.clone(),
            Some(g) => Cow::Owned(format!("{}{}", g.prefix, self.key)),
        }
    }
}

impl<'de> Visitor<'de> for Flat<'_, 'de> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<bool, E> {
        self.leaf(Cow::Borrowed(s))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<bool, E> {
        self.leaf(Cow::Owned(s.to_owned()))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<bool, E> {
        self.leaf(Cow::Owned(s))
    }
    // Numbers and booleans as `Value`'s `Display` writes them.
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<bool, E> {
        self.leaf(Cow::Owned(Value::from(n).to_string()))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<bool, E> {
        self.leaf(Cow::Owned(Value::from(n).to_string()))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<bool, E> {
        self.leaf(Cow::Owned(Value::from(n).to_string()))
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<bool, E> {
        self.leaf(Cow::Borrowed(if b { "true" } else { "false" }))
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        let name = self.full_name();
        self.names.push(name);
        Ok(false)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<bool, A::Error> {
        let v =
            <Value as de::Deserialize>::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        self.leaf(Cow::Owned(v.to_string()))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        // This object a group: its members' names start below it.
        let starts = match self.group {
            None => Group::of(&self.key),
            Some(_) => None,
        };
        while let Some(k) = map.next_key::<Text<'de>>()? {
            let key = if starts.is_some() || (self.key.is_empty() && self.group.is_none()) {
                k.0
            } else {
                let mut key = String::with_capacity(self.key.len() + 1 + k.0.len());
                key.push_str(&self.key);
                key.push('.');
                key.push_str(&k.0);
                Cow::Owned(key)
            };
            map.next_value_seed(Flat {
                key,
                group: starts.or(self.group),
                out: self.out,
                grouped: self.grouped,
                names: self.names,
            })?;
        }
        let name = self.full_name();
        self.names.push(name);
        Ok(true)
    }
}

/// Why a line is left to the general path.
#[derive(Debug)]
struct Dup;

impl fmt::Display for Dup {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a name given twice")
    }
}

/// The top-level object: each member flattened under its own name, and
/// what `search::documents` asks of the members themselves.
struct Top<'de> {
    /// Every member but `_source`, flattened, and `_source`'s members
    /// flattened under their own names.
    flat: Pairs<'de>,
    source: Pairs<'de>,
    /// `names` and `grouped` of `Flat`, for each of the two.
    flat_names: Vec<Cow<'de, str>>,
    source_names: Vec<Cow<'de, str>>,
    flat_grouped: Grouped<'de>,
    source_grouped: Grouped<'de>,
    /// Top-level names, and whether each value was an object.
    members: Vec<(Cow<'de, str>, bool)>,
}

struct TopVisitor;

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Top<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top<'de>, A::Error> {
        let mut top = Top {
            flat: Vec::new(),
            source: Vec::with_capacity(32),
            flat_names: Vec::new(),
            source_names: Vec::new(),
            flat_grouped: Grouped::default(),
            source_grouped: Grouped {
                own: Vec::with_capacity(24),
                resource: Vec::with_capacity(8),
            },
            members: Vec::with_capacity(8),
        };
        while let Some(k) = map.next_key::<Text<'de>>()? {
            if top.members.iter().any(|(n, _)| *n == *k.0) {
                return Err(de::Error::custom(Dup));
            }
            let object = if *k.0 == *"_source" {
                // Read as `search::flatten` reads the document: from no name.
                let object = map.next_value_seed(Flat {
                    key: Cow::Borrowed(""),
                    group: None,
                    out: &mut top.source,
                    grouped: &mut top.source_grouped,
                    names: &mut top.source_names,
                })?;
                if object {
                    // The document's own name, pushed last: no name.
                    top.source_names.pop();
                }
                object
            } else {
                map.next_value_seed(Flat {
                    key: k.0.clone(),
                    group: None,
                    out: &mut top.flat,
                    grouped: &mut top.flat_grouped,
                    names: &mut top.flat_names,
                })?
            };
            top.members.push((k.0, object));
        }
        Ok(top)
    }
}

impl<'de> de::Deserialize<'de> for Top<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(TopVisitor)
    }
}

/// Attribute look-up over a list sorted by name (`by_name`), each name
/// once.
pub(super) struct Sorted<'a>(Pairs<'a>);

/// The order of a `Sorted` list: length first, then bytes, so that most
/// comparisons of a look-up are of two lengths. Only look-ups read the
/// order.
fn by_name(a: &str, b: &str) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

impl<'a> Sorted<'a> {
    fn entry(&self, k: &str) -> Option<&Cow<'a, str>> {
        self.0
            .binary_search_by(|(n, _)| by_name(n, k))
            .ok()
            .map(|i| &self.0[i].1)
    }

    /// Adds `k` unless it is there.
    fn or_insert(&mut self, k: &'static str, v: Cow<'a, str>) {
        if let Err(i) = self.0.binary_search_by(|(n, _)| by_name(n, k)) {
            self.0.insert(i, (Cow::Borrowed(k), v));
        }
    }
}

impl AttrMap for Sorted<'_> {
    fn attr(&self, k: &str) -> Option<&str> {
        self.entry(k).map(AsRef::as_ref)
    }
}

/// Sorts by name; `None` when a name is there twice.
fn sorted(mut list: Pairs<'_>) -> Option<Sorted<'_>> {
    if !list.is_sorted_by(|a, b| by_name(&a.0, &b.0).is_le()) {
        list.sort_unstable_by(|a, b| by_name(&a.0, &b.0));
    }
    let twice = list.windows(2).any(|w| w[0].0 == w[1].0);
    (!twice).then_some(Sorted(list))
}

/// `top`'s names over `under`'s, merged in order.
fn over<'a>(top: Sorted<'a>, under: Sorted<'a>) -> Sorted<'a> {
    let mut out = Vec::with_capacity(top.0.len() + under.0.len());
    let mut under = under.0.into_iter().peekable();
    for (k, v) in top.0 {
        while let Some((u, _)) = under.peek() {
            match by_name(u, &k) {
                std::cmp::Ordering::Less => out.push(under.next().expect("peeked")),
                std::cmp::Ordering::Equal => {
                    under.next();
                }
                std::cmp::Ordering::Greater => break,
            }
        }
        out.push((k, v));
    }
    out.extend(under);
    Sorted(out)
}

/// One document, decoded: what `Reader::record` reads of it.
pub(super) struct Doc<'a> {
    body: Option<Cow<'a, str>>,
    time: Option<i64>,
    attrs: Sorted<'a>,
}

impl Doc<'_> {
    pub(super) fn fields(&self) -> RecFields<'_> {
        RecFields {
            body: self.body.as_deref(),
            time: self.time,
            observed: None,
        }
    }
    pub(super) fn attrs(&self) -> &Sorted<'_> {
        &self.attrs
    }
}

/// `name` without its first `n` bytes, in place.
fn cut(name: Cow<'_, str>, n: usize) -> Cow<'_, str> {
    match name {
        Cow::Borrowed(s) => Cow::Borrowed(&s[n..]),
        Cow::Owned(mut s) => {
            s.drain(..n);
            Cow::Owned(s)
        }
    }
}

/// A document line, or `None` when the general path must read it.
pub(super) fn decode(line: &[u8]) -> Option<Doc<'_>> {
    // The line checked as UTF-8 once, not string by string (a line that
    // is not is the general path's).
    let top: Top<'_> = serde_json::from_str(std::str::from_utf8(line).ok()?).ok()?;
    let has = |name: &str| top.members.iter().find(|(n, _)| n == name);
    // The general path's order: requests first, then a search response.
    if ["resourceLogs", "resourceSpans", "hits"]
        .iter()
        .any(|n| has(n).is_some())
    {
        return None;
    }
    let (flat, names, grouped) = match has("_source") {
        // A hit: its `_source` is the document (a scalar one is not; a
        // null one is empty).
        Some((_, object)) => {
            if !object && !top.source.is_empty() {
                return None;
            }
            (top.source, top.source_names, top.source_grouped)
        }
        None => {
            // `search::looks_like_document` of the line itself.
            if !document_shape(top.members.iter().map(|(n, o)| (n.as_ref(), *o))) {
                return None;
            }
            (top.flat, top.flat_names, top.flat_grouped)
        }
    };
    // A name given twice in an object, or two that flatten alike.
    let flat = sorted(flat)?;
    let mut names = names;
    names.sort_unstable();
    if names.windows(2).any(|w| w[0] == w[1]) || names.iter().any(|n| flat.entry(n).is_some()) {
        return None;
    }
    let get = |names: &[&str]| names.iter().find_map(|n| flat.entry(n));
    if get(&["span_id", "spanId", "SpanId"]).is_some() {
        return None;
    }
    // `search::to_otlp`: the resource's attributes, then the record's own,
    // each name moved out of `flat` and cut in place (the members of
    // `Group` objects were read cut). No name the look-ups below ask for
    // has one of these prefixes, so `flat` keeps them all.
    let Grouped {
        mut own,
        mut resource,
    } = grouped;
    let mut rest = Vec::with_capacity(flat.0.len());
    for (k, v) in flat.0 {
        let replaced = k.contains('@').then(|| k.replace('@', "."));
        let view = replaced.as_deref().unwrap_or(&k);
        let filed = filed_under(view);
        let name = |k| replaced.map_or(k, Cow::Owned);
        match filed {
            Some((Filed::Resource, n)) => resource.push((cut(name(k), n), v)),
            Some((Filed::Own, n)) => own.push((cut(name(k), n), v)),
            None => rest.push((k, v)),
        }
    }
    let flat = Sorted(rest);
    let get = |names: &[&str]| names.iter().find_map(|n| flat.entry(n));
    let resource = sorted(resource)?;
    let mut own = sorted(own)?;
    // An object or null named as a grouped leaf is (`flat` was checked
    // above).
    let named = |n: &Cow<'_, str>| {
        let view = if n.contains('@') {
            Cow::Owned(n.replace('@', "."))
        } else {
            Cow::Borrowed(&**n)
        };
        match filed_under(&view) {
            Some((Filed::Resource, c)) => resource.entry(&view[c..]).is_some(),
            Some((Filed::Own, c)) => own.entry(&view[c..]).is_some(),
            None => false,
        }
    };
    if names.iter().any(named) {
        return None;
    }
    // The `raw` mode and ECS-like documents keep attributes at the top.
    for n in ["session.id", "conversation.id", "event.name", "user.email"] {
        if let Some(v) = flat.entry(n) {
            own.or_insert(n, v.clone());
        }
    }
    if let Some(v) = get(&["event_name", "EventName"]) {
        own.or_insert("event.name", v.clone());
    }
    // The record's own attributes over the resource's.
    let attrs = over(own, resource);
    let time = get(&["@timestamp", "time", "timestamp", "startTime"])
        .and_then(|t| nanos(t))
        .and_then(micros_of_nanos);
    let body = get(&["body.text", "body", "Body", "message", "body.structured"]).cloned();
    let doc = Doc { body, time, attrs };
    // An agent event without a session is quarantined with the record's
    // JSON, which only the general path keeps.
    let fields = doc.fields();
    if event_of(&fields, doc.attrs())
        .is_some_and(|(agent, _)| session_of(agent, doc.attrs()).is_none())
    {
        return None;
    }
    Some(doc)
}
