//! OTLP/JSON attribute lists (`[{"key", "value": {"stringValue" | "intValue"
//! | "boolValue" | "doubleValue" | …}}]`, as the OTLP JSON encoding and the
//! Collector's `file` exporter write them) flattened into one map of text
//! values, and the times of a log record. Plain objects (`{"session.id":
//! "…"}`, as log stores and some console exporters write them) read the
//! same, so one reader serves both.

use std::collections::BTreeMap;

use serde_json::Value;

/// Attribute name → value as text (numbers and booleans as JSON writes
/// them; arrays and maps as compact JSON).
pub(super) type Attrs = BTreeMap<String, String>;

/// Attribute look-up by name, over the map above and over the borrowed
/// lists the fast path (`fast`) keeps, so one set of rules reads both.
pub(super) trait AttrMap {
    fn attr(&self, k: &str) -> Option<&str>;
    fn has(&self, k: &str) -> bool {
        self.attr(k).is_some()
    }
}

impl AttrMap for Attrs {
    fn attr(&self, k: &str) -> Option<&str> {
        self.get(k).map(String::as_str)
    }
}

/// Adds an attribute list or a plain object to `out` (later keys win).
pub(super) fn add_attributes(v: Option<&Value>, out: &mut Attrs) {
    match v {
        Some(Value::Array(items)) => {
            for item in items {
                let Some(key) = item.get("key").and_then(Value::as_str) else {
                    continue;
                };
                if let Some(text) = item.get("value").and_then(any_value) {
                    out.insert(key.to_owned(), text);
                }
            }
        }
        Some(Value::Object(map)) => {
            for (k, v) in map {
                if let Some(text) = scalar(v) {
                    out.insert(k.clone(), text);
                }
            }
        }
        _ => {}
    }
}

/// An OTLP `AnyValue` as text.
pub(super) fn any_value(v: &Value) -> Option<String> {
    let obj = match v {
        Value::Object(o) => o,
        other => return scalar(other),
    };
    for key in ["stringValue", "intValue", "doubleValue", "boolValue"] {
        if let Some(x) = obj.get(key) {
            return scalar(x);
        }
    }
    if let Some(arr) = obj.get("arrayValue").and_then(|a| a.get("values")) {
        let items: Vec<Value> = arr
            .as_array()
            .map(|a| a.iter().filter_map(any_value).map(Value::String).collect())
            .unwrap_or_default();
        return Some(Value::Array(items).to_string());
    }
    if obj.contains_key("kvlistValue") {
        let mut inner = Attrs::new();
        add_attributes(
            obj.get("kvlistValue").and_then(|k| k.get("values")),
            &mut inner,
        );
        return serde_json::to_string(&inner).ok();
    }
    None
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// Nanoseconds since the epoch (a decimal string or number) → µs.
pub(super) fn nanos_to_micros(v: Option<&Value>) -> Option<i64> {
    let n: u128 = match v? {
        Value::String(s) => s.trim().parse().ok()?,
        Value::Number(n) => u128::from(n.as_u64()?),
        _ => return None,
    };
    micros_of_nanos(n)
}

/// Nanoseconds → µs; zero (unset in OTLP) and overflow are no time.
pub(super) fn micros_of_nanos(n: u128) -> Option<i64> {
    (n > 0).then(|| i64::try_from(n / 1000).ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_lists_and_plain_objects_flatten_alike() {
        let list = serde_json::json!([
            {"key": "session.id", "value": {"stringValue": "s"}},
            {"key": "n", "value": {"intValue": "42"}},
            {"key": "ok", "value": {"boolValue": true}},
            {"key": "xs", "value": {"arrayValue": {"values": [{"stringValue": "a"}]}}},
            {"value": {"stringValue": "no key"}},
        ]);
        let mut a = Attrs::new();
        add_attributes(Some(&list), &mut a);
        assert_eq!(a["session.id"], "s");
        assert_eq!(a["n"], "42");
        assert_eq!(a["ok"], "true");
        assert_eq!(a["xs"], r#"["a"]"#);
        let mut b = Attrs::new();
        add_attributes(
            Some(&serde_json::json!({"session.id": "s", "n": 42})),
            &mut b,
        );
        assert_eq!((b["session.id"].as_str(), b["n"].as_str()), ("s", "42"));
        let t = serde_json::json!("1768557609123456789");
        assert_eq!(nanos_to_micros(Some(&t)), Some(1_768_557_609_123_456));
        assert_eq!(nanos_to_micros(Some(&serde_json::json!("0"))), None);
    }
}
