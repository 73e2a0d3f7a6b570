//! The same telemetry as a log store gives it back: Elasticsearch or
//! OpenSearch documents, as a search response (`{"hits": {"hits": [{"_source":
//! …}]}}`), as hits one per line (`{"_index", "_id", "_source"}`, what
//! `elasticdump` and scroll scripts write) or as bare documents one per
//! line. Each document becomes the OTLP log record or span it was stored
//! from, so `reader` reads it like a Collector file.
//!
//! Document shapes, by the store's mapping:
//! - the Elasticsearch exporter's `otel` mode (the default, and Elastic's
//!   OTel-native `logs-*.otel-*` streams): `@timestamp`, `attributes` and
//!   `resource.attributes` as maps with dotted keys, `body.text`,
//!   `event_name`; spans with `name`, `trace_id`, `span_id`, `duration`
//!   (ns), `status.code`.
//! - its older `none` / `raw` modes: `Attributes.*` / `Resource.*` (or the
//!   attributes at the top), `Body`, often de-dotted into nested objects.
//! - OpenSearch Data Prepper: `log.attributes.*` / `span.attributes.*` and
//!   `resource.attributes.*` with `@` for the dots inside a key, `time`,
//!   `body`, `startTime` / `endTime`.
//!
//! Nested objects are flattened back into dotted names, so all of these
//! read alike.

use serde_json::{Map, Value};

use super::super::time::{TimeRead, parse_time};
use super::attrs::Attrs;

/// The documents an exported object holds: a search response's hits, one
/// hit, or the object itself when it looks like a stored log record or
/// span. `None` when it is none of these.
pub(super) fn documents(v: &Value) -> Option<Vec<&Value>> {
    if let Some(hits) = v.pointer("/hits/hits").and_then(Value::as_array) {
        return Some(hits.iter().filter_map(|h| h.get("_source")).collect());
    }
    if let Some(source) = v.get("_source") {
        return Some(vec![source]);
    }
    looks_like_document(v).then(|| vec![v])
}

/// A stored OTel record: a timestamp and attributes in one of the
/// mappings above.
pub(super) fn looks_like_document(v: &Value) -> bool {
    let Some(o) = v.as_object() else {
        return false;
    };
    document_shape(o.iter().map(|(k, v)| (k.as_str(), v.is_object())))
}

/// `looks_like_document` of an object's members, each a name and whether
/// its value is an object (each name once).
pub(super) fn document_shape<'k>(members: impl Iterator<Item = (&'k str, bool)>) -> bool {
    let (mut time, mut attrs, mut flat) = (false, false, false);
    for (k, object) in members {
        time |= ["@timestamp", "time", "timestamp"].contains(&k);
        attrs |= object
            && [
                "attributes",
                "Attributes",
                "resource",
                "Resource",
                "log",
                "span",
            ]
            .contains(&k);
        // Data Prepper writes the attribute names flat, as dotted keys.
        flat |= [
            "log.attributes.",
            "span.attributes.",
            "resource.attributes.",
        ]
        .iter()
        .any(|p| k.starts_with(p));
    }
    time && (attrs || flat)
}

/// Whose attributes a stored name holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Filed {
    Resource,
    Own,
}

/// The prefixes that file a flattened name (`@` read as `.`) under the
/// resource's attributes or the record's own, in the order they are
/// tried: the resource's first.
pub(super) const FILED: [(&str, Filed); 6] = [
    ("resource.attributes.", Filed::Resource),
    ("Resource.", Filed::Resource),
    ("attributes.", Filed::Own),
    ("Attributes.", Filed::Own),
    ("log.attributes.", Filed::Own),
    ("span.attributes.", Filed::Own),
];

/// Where `key` (`@` read as `.`) is filed, and the length of the prefix
/// cut from it; `None` for neither.
pub(super) fn filed_under(key: &str) -> Option<(Filed, usize)> {
    FILED
        .iter()
        .find(|(p, _)| key.starts_with(p))
        .map(|&(p, f)| (f, p.len()))
}

/// A stored document as OTLP: `(record, is_span, attributes)`; the record
/// has the OTLP field names `reader` reads (`body.stringValue`,
/// `timeUnixNano`, `name`, `startTimeUnixNano`, `status.code`, …).
pub(super) fn to_otlp(doc: &Value) -> (Value, bool, Attrs) {
    let mut flat = Attrs::new();
    flatten("", doc, &mut flat);
    let mut resource = Attrs::new();
    let mut own = Attrs::new();
    for (k, v) in &flat {
        let key = k.replace('@', ".");
        if let Some((filed, n)) = filed_under(&key) {
            let to = match filed {
                Filed::Resource => &mut resource,
                Filed::Own => &mut own,
            };
            to.insert(key[n..].to_owned(), v.clone());
        }
    }
    // The `raw` mode and ECS-like documents keep attributes at the top.
    for k in ["session.id", "conversation.id", "event.name", "user.email"] {
        if let Some(v) = flat.get(k) {
            own.entry(k.to_owned()).or_insert_with(|| v.clone());
        }
    }
    let get = |keys: &[&str]| keys.iter().find_map(|k| flat.get(*k)).cloned();
    if let Some(name) = get(&["event_name", "EventName"]) {
        own.entry("event.name".to_owned()).or_insert(name);
    }
    let mut a = resource;
    a.extend(own);
    let time = get(&["@timestamp", "time", "timestamp", "startTime"]).and_then(|t| nanos(&t));
    let is_span = get(&["span_id", "spanId", "SpanId"]).is_some()
        && get(&["name", "Name"]).is_some()
        && (a.contains_key("gen_ai.operation.name")
            || flat.contains_key("duration")
            || flat.contains_key("endTime"));
    let mut rec = Map::new();
    if is_span {
        let name = get(&["name", "Name"]).unwrap_or_default();
        rec.insert("name".into(), name.into());
        if let Some(id) = get(&["trace_id", "traceId", "TraceId"]) {
            rec.insert("traceId".into(), id.into());
        }
        if let Some(id) = get(&["span_id", "spanId", "SpanId"]) {
            rec.insert("spanId".into(), id.into());
        }
        let end = match (
            time,
            get(&["duration", "Duration"]).and_then(|d| d.parse::<u128>().ok()),
        ) {
            (Some(t), Some(d)) => Some(t + d),
            _ => get(&["endTime", "EndTimestamp"]).and_then(|t| nanos(&t)),
        };
        if let Some(t) = time {
            rec.insert("startTimeUnixNano".into(), t.to_string().into());
        }
        if let Some(t) = end {
            rec.insert("endTimeUnixNano".into(), t.to_string().into());
        }
        let status = get(&["status.code", "Status.code", "span.status.code"]);
        let message = get(&["status.message", "Status.message"]);
        let mut s = Map::new();
        if let Some(c) = status {
            s.insert("code".into(), c.into());
        }
        if let Some(m) = message {
            s.insert("message".into(), m.into());
        }
        rec.insert("status".into(), Value::Object(s));
    } else {
        let body = get(&["body.text", "body", "Body", "message", "body.structured"]);
        if let Some(b) = body {
            rec.insert("body".into(), serde_json::json!({ "stringValue": b }));
        }
        if let Some(t) = time {
            rec.insert("timeUnixNano".into(), t.to_string().into());
        }
    }
    (Value::Object(rec), is_span, a)
}

/// Nested objects → dotted names; arrays and scalars as text.
fn flatten(prefix: &str, v: &Value, out: &mut Attrs) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        Value::Null => {}
        Value::String(s) => {
            out.insert(prefix.to_owned(), s.clone());
        }
        other => {
            out.insert(prefix.to_owned(), other.to_string());
        }
    }
}

/// An RFC 3339 time (a zone-less one read as UTC) or epoch milliseconds
/// → nanoseconds since the epoch, at microsecond precision.
pub(super) fn nanos(t: &str) -> Option<u128> {
    if let Ok(ms) = t.parse::<u64>() {
        return Some(u128::from(ms) * 1_000_000);
    }
    let micros = match parse_time(t)? {
        TimeRead::Zoned(m) | TimeRead::Naive(m) => m,
    };
    u128::try_from(micros).ok().map(|m| m * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mappings_flatten_to_the_same_attributes() {
        let otel = serde_json::json!({
            "@timestamp": "2026-01-16T10:00:09.000Z",
            "body": {"text": "claude_code.tool_result"},
            "attributes": {"session.id": "s", "event.name": "tool_result"},
            "resource": {"attributes": {"service.name": "claude-code"}}
        });
        let none = serde_json::json!({
            "@timestamp": "2026-01-16T10:00:09Z",
            "Body": "claude_code.tool_result",
            "Attributes": {"session": {"id": "s"}, "event": {"name": "tool_result"}},
            "Resource": {"service": {"name": "claude-code"}}
        });
        let prepper = serde_json::json!({
            "time": "2026-01-16T10:00:09Z",
            "body": "claude_code.tool_result",
            "log.attributes.session@id": "s",
            "log.attributes.event@name": "tool_result",
            "resource.attributes.service@name": "claude-code"
        });
        for doc in [otel, none, prepper] {
            assert!(looks_like_document(&doc), "{doc}");
            let (rec, span, a) = to_otlp(&doc);
            assert!(!span);
            assert_eq!(a["session.id"], "s", "{doc}");
            assert_eq!(a["event.name"], "tool_result");
            assert_eq!(a["service.name"], "claude-code");
            assert_eq!(rec["body"]["stringValue"], "claude_code.tool_result");
            assert_eq!(rec["timeUnixNano"], "1768557609000000000");
        }
        assert_eq!(nanos("1768557609000"), Some(1_768_557_609_000_000_000));
    }
}
