//! The fast path for the common case, a Collector `file`-exporter line of
//! OTLP/JSON logs: decoded into typed structs that borrow their text from
//! the line (no `serde_json::Value` tree, no `String` per attribute), on
//! all cores, then handed in line order to the same `Reader::record` the
//! general path calls.
//!
//! It is strict on purpose: a line of any other shape (spans, metrics,
//! log-store documents, attributes as a plain object, a field of an
//! unexpected type, an agent event without a session id, which is
//! quarantined with the record's JSON) is not decoded here but read again
//! by the general path, so what a line yields never depends on which path
//! read it. `tests` checks the two agree.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::super::lenient::Text;
use super::attrs::{AttrMap, any_value, micros_of_nanos};
use super::events::session_of;
use super::reader::{RecFields, event_of};

/// A JSON value as `attrs::scalar` renders it: strings as they are,
/// numbers and booleans as JSON writes them, null as nothing, arrays and
/// objects as compact JSON.
struct Scalar<'a>(Option<Cow<'a, str>>);

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar(Some(Cow::Borrowed(s))))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Scalar(Some(Cow::Owned(s.to_owned()))))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
        Ok(Scalar(Some(Cow::Owned(s))))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
        Ok(Scalar(Some(Cow::Owned(n.to_string()))))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
        Ok(Scalar(Some(Cow::Owned(n.to_string()))))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
        Ok(Scalar(Some(Cow::Owned(Value::from(n).to_string()))))
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
        Ok(Scalar(Some(Cow::Borrowed(if b {
            "true"
        } else {
            "false"
        }))))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Scalar(None))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let v = Value::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Ok(Scalar(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let v = Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Scalar(Some(Cow::Owned(v.to_string()))))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

/// An OTLP `AnyValue` as `attrs::any_value` renders it.
struct AnyText<'a>(Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for AnyText<'a> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AnyText<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an OTLP AnyValue")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                // stringValue, intValue, doubleValue, boolValue: the first
                // present wins, in that order, as in `any_value`.
                let mut scalars: [Option<Scalar<'de>>; 4] = [None, None, None, None];
                let mut nested = serde_json::Map::new();
                while let Some(k) = map.next_key::<Text<'de>>()? {
                    let slot = match &*k.0 {
                        "stringValue" => 0,
                        "intValue" => 1,
                        "doubleValue" => 2,
                        "boolValue" => 3,
                        "arrayValue" | "kvlistValue" => {
                            nested.insert(k.0.into_owned(), map.next_value::<Value>()?);
                            continue;
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            continue;
                        }
                    };
                    scalars[slot] = Some(map.next_value::<Scalar<'de>>()?);
                }
                if let Some(s) = scalars.into_iter().flatten().next() {
                    return Ok(AnyText(s.0));
                }
                Ok(AnyText(any_value(&Value::Object(nested)).map(Cow::Owned)))
            }
            // Not an object: read as a scalar, as `any_value` does.
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
                ScalarVisitor.visit_borrowed_str(s).map(|s| AnyText(s.0))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                ScalarVisitor.visit_str(s).map(|s| AnyText(s.0))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
                ScalarVisitor.visit_string(s).map(|s| AnyText(s.0))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
                ScalarVisitor.visit_u64(n).map(|s| AnyText(s.0))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
                ScalarVisitor.visit_i64(n).map(|s| AnyText(s.0))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
                ScalarVisitor.visit_f64(n).map(|s| AnyText(s.0))
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
                ScalarVisitor.visit_bool(b).map(|s| AnyText(s.0))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(AnyText(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                ScalarVisitor.visit_seq(seq).map(|s| AnyText(s.0))
            }
        }
        d.deserialize_any(V)
    }
}

/// `timeUnixNano`: a decimal string or a number; anything else is no time,
/// as in `attrs::nanos_to_micros`.
struct Nanos(Option<i64>);

impl<'de> Deserialize<'de> for Nanos {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Nanos;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("nanoseconds")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Nanos(s.trim().parse().ok().and_then(micros_of_nanos)))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
                Ok(Nanos(micros_of_nanos(u128::from(n))))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Nanos(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Nanos(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Nanos(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Nanos(None))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
struct KeyValue<'a> {
    #[serde(borrow)]
    key: Text<'a>,
    #[serde(default, borrow)]
    value: Option<AnyText<'a>>,
}

#[derive(Deserialize)]
struct Request<'a> {
    #[serde(rename = "resourceLogs", borrow)]
    resource_logs: Vec<ResourceLogs<'a>>,
    /// A line with spans goes to the general path.
    #[serde(rename = "resourceSpans", default)]
    resource_spans: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct ResourceLogs<'a> {
    #[serde(default, borrow)]
    resource: Option<Resource<'a>>,
    #[serde(rename = "scopeLogs", default, borrow)]
    scope_logs: Option<Vec<ScopeLogs<'a>>>,
}

#[derive(Deserialize)]
struct Resource<'a> {
    #[serde(default, borrow)]
    attributes: Option<Vec<KeyValue<'a>>>,
}

#[derive(Deserialize)]
struct ScopeLogs<'a> {
    #[serde(rename = "logRecords", default, borrow)]
    log_records: Option<Vec<LogRecord<'a>>>,
}

#[derive(Deserialize)]
struct LogRecord<'a> {
    #[serde(rename = "timeUnixNano", default)]
    time: Option<Nanos>,
    #[serde(rename = "observedTimeUnixNano", default)]
    observed: Option<Nanos>,
    #[serde(default, borrow)]
    body: Option<Body<'a>>,
    #[serde(default, borrow)]
    attributes: Option<Vec<KeyValue<'a>>>,
}

#[derive(Deserialize)]
struct Body<'a> {
    #[serde(rename = "stringValue", default, borrow)]
    string_value: Option<Text<'a>>,
}

type Pairs<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

/// A record's attributes over its resource's: the last of a name wins,
/// the record's over the resource's, as `add_attributes` builds them.
pub(super) struct Layered<'r, 'a> {
    own: &'r [(Cow<'a, str>, Cow<'a, str>)],
    resource: &'r [(Cow<'a, str>, Cow<'a, str>)],
}

impl AttrMap for Layered<'_, '_> {
    fn attr(&self, k: &str) -> Option<&str> {
        last(self.own, k).or_else(|| last(self.resource, k))
    }
}

fn last<'r>(list: &'r [(Cow<'_, str>, Cow<'_, str>)], k: &str) -> Option<&'r str> {
    list.iter()
        .rev()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.as_ref())
}

/// One log record, decoded.
pub(super) struct Record<'a> {
    resource: usize,
    body: Option<Cow<'a, str>>,
    time: Option<i64>,
    observed: Option<i64>,
    attrs: Pairs<'a>,
}

/// One line's log records, decoded.
pub(super) struct Line<'a> {
    resources: Vec<Pairs<'a>>,
    pub(super) records: Vec<Record<'a>>,
}

impl<'a> Line<'a> {
    /// Each record with what `Reader::record` reads of it.
    pub(super) fn records(&self) -> impl Iterator<Item = (RecFields<'_>, Layered<'_, 'a>)> {
        self.records.iter().map(|r| {
            (
                RecFields {
                    body: r.body.as_deref(),
                    time: r.time,
                    observed: r.observed,
                },
                Layered {
                    own: &r.attrs,
                    resource: &self.resources[r.resource],
                },
            )
        })
    }
}

fn pairs(list: Option<Vec<KeyValue<'_>>>) -> Pairs<'_> {
    list.into_iter()
        .flatten()
        .filter_map(|kv| Some((kv.key.0, kv.value?.0?)))
        .collect()
}

/// A logs request line, or `None` when the general path must read it.
pub(super) fn decode(line: &[u8]) -> Option<Line<'_>> {
    let req: Request<'_> = serde_json::from_slice(line).ok()?;
    if req.resource_spans.is_some() {
        return None;
    }
    let mut out = Line {
        resources: Vec::with_capacity(req.resource_logs.len()),
        records: Vec::new(),
    };
    for rl in req.resource_logs {
        let ri = out.resources.len();
        out.resources
            .push(pairs(rl.resource.and_then(|r| r.attributes)));
        for sl in rl.scope_logs.into_iter().flatten() {
            for rec in sl.log_records.into_iter().flatten() {
                out.records.push(Record {
                    resource: ri,
                    body: rec.body.and_then(|b| b.string_value).map(|t| t.0),
                    time: rec.time.and_then(|n| n.0),
                    observed: rec.observed.and_then(|n| n.0),
                    attrs: pairs(rec.attributes),
                });
            }
        }
    }
    // An agent event without a session is quarantined with the record's
    // JSON, which only the general path keeps.
    let orphan = out
        .records()
        .any(|(f, a)| event_of(&f, &a).is_some_and(|(agent, _)| session_of(agent, &a).is_none()));
    (!orphan).then_some(out)
}
