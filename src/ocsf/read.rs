//! Security Lake's OCSF Parquet → CloudTrail records, so the rows go
//! through the same reader, normaliser, de-duplication and accounting as
//! any CloudTrail file (`ingest::read_phase` calls this when a file starts
//! with the Parquet magic).
//!
//! polars reads the Parquet file (nested structs, lists and Security
//! Lake's `map<string,string>` columns), writes it as JSON lines, and each
//! row is mapped back field by field (`super::MAPPING`). `unmapped` is a
//! map keyed by CloudTrail field path; its entries fill what OCSF has no
//! attribute for (`sourceIdentity`, `readOnly`, `sharedEventID`, …) and
//! never overwrite a mapped value. A row whose class or fields cannot
//! give a CloudTrail record still becomes one, and the reader quarantines
//! it with its reason and position (`record N`).

use anyhow::{Context, Result};
use polars::prelude::*;
use serde_json::{Map, Value, json};

/// Parquet files start (and end) with these four bytes.
pub fn is_parquet(bytes: &[u8]) -> bool {
    bytes.len() >= 8 && bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1")
}

/// The rows of an OCSF Parquet file as a CloudTrail `{"Records":[…]}`
/// document, and how many rows there were.
pub fn to_cloudtrail(bytes: &[u8]) -> Result<(Vec<u8>, usize)> {
    let lines = guarded(|| {
        // On this thread: a panic is caught here with its message unprinted,
        // and no wait on polars' pool lets rayon run other work meanwhile.
        let mut df = ParquetReader::new(std::io::Cursor::new(bytes))
            .read_parallel(ParallelStrategy::None)
            .finish()
            .map_err(|e| anyhow::anyhow!("reading the Parquet file: {e}"))?;
        let mut lines = Vec::new();
        JsonWriter::new(&mut lines)
            .with_json_format(JsonFormat::JsonLines)
            .finish(&mut df)
            .map_err(|e| anyhow::anyhow!("reading the Parquet rows: {e}"))?;
        Ok(lines)
    })?;
    let mut records = Vec::new();
    for line in lines.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let row: Value = serde_json::from_slice(line).context("reading a Parquet row")?;
        records.push(record(&row));
    }
    let n = records.len();
    let doc = serde_json::to_vec(&json!({ "Records": records }))?;
    Ok((doc, n))
}

thread_local! {
    /// Set while this thread runs the Parquet reader under `guarded`.
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, turning a panic into an error. polars-parquet trusts a file's
/// metadata (page and value counts, offsets) and panics on some damaged
/// files, and a damaged file must be reported as unreadable, not end the
/// run (issue 23, found by the fuzz harness: a few flipped bits gave
/// "assertion failed: self.total_num_values >= 0"). The panic hook is
/// wrapped once so that a panic on this thread inside `f` prints nothing;
/// every other panic goes to the hook as before. A failed allocation
/// (an abort, not a panic) is not caught.
fn guarded<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.get() {
                previous(info);
            }
        }));
    });
    let was = QUIET.replace(true);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.set(was);
    r.unwrap_or_else(|p| {
        let msg = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        Err(anyhow::anyhow!("the Parquet reader failed on it ({msg})"))
    })
}

fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(v, |v, k| v.get(k))
        .filter(|v| !v.is_null())
}

fn text(v: &Value, path: &str) -> Option<Value> {
    match at(v, path)? {
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(Value::String(s.clone())),
        Value::Number(n) => Some(Value::String(n.to_string())),
        Value::Bool(b) => Some(Value::String(b.to_string())),
        _ => None,
    }
}

/// A JSON blob OCSF keeps as text (`api.request.data`), or as an object.
fn blob(v: &Value, path: &str) -> Option<Value> {
    match at(v, path)? {
        Value::String(s) => serde_json::from_str(s).ok(),
        o @ (Value::Object(_) | Value::Array(_)) => Some(o.clone()),
        _ => None,
    }
}

/// OCSF `time` (milliseconds since the epoch) or `time_dt` → CloudTrail's
/// `2025-12-08T09:05:12Z`.
fn event_time(row: &Value) -> Option<Value> {
    if let Some(ms) = at(row, "time").and_then(Value::as_i64) {
        let t = chrono::DateTime::from_timestamp_millis(ms)?;
        let fmt = if ms % 1000 == 0 {
            chrono::SecondsFormat::Secs
        } else {
            chrono::SecondsFormat::Millis
        };
        return Some(Value::String(t.to_rfc3339_opts(fmt, true)));
    }
    let s = at(row, "time_dt").or_else(|| at(row, "time"))?.as_str()?;
    Some(Value::String(utc_text(s)))
}

/// A Parquet UTC timestamp as polars writes it (zone-less
/// `2025-12-08 09:05:12`) → `2025-12-08T09:05:12Z`: the zone is known, so
/// the record does not count as a zone-less time.
fn utc_text(s: &str) -> String {
    let s = s.replacen(' ', "T", 1);
    if s.ends_with('Z') || s.get(10..).is_some_and(|t| t.contains('+')) {
        s
    } else {
        format!("{s}Z")
    }
}

/// `unmapped` as (CloudTrail path, text) pairs, from a JSON object or the
/// `[{"key":…,"value":…}]` list a Parquet map becomes.
fn unmapped(row: &Value) -> Vec<(String, String)> {
    match at(row, "unmapped") {
        Some(Value::Object(m)) => m
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
            .collect(),
        Some(Value::Array(entries)) => entries
            .iter()
            .filter_map(|e| {
                Some((
                    e.get("key")?.as_str()?.to_string(),
                    e.get("value")?.as_str()?.to_string(),
                ))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Sets `path` (dotted) in `obj` unless something is there already.
fn set_default(obj: &mut Map<String, Value>, path: &str, value: Value) {
    let mut parts = path.split('.').peekable();
    let mut cur = obj;
    while let Some(k) = parts.next() {
        if parts.peek().is_none() {
            cur.entry(k.to_string()).or_insert(value);
            return;
        }
        let next = cur
            .entry(k.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(m) = next else {
            return; // a value is there where an object would go: keep it
        };
        cur = m;
    }
}

/// An `unmapped` value as CloudTrail had it: JSON text for objects,
/// arrays and booleans, otherwise the text (ids stay strings).
fn unmapped_value(s: &str) -> Value {
    let t = s.trim_start();
    if t.starts_with('{') || t.starts_with('[') || s == "true" || s == "false" {
        serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.to_string()))
    } else {
        Value::String(s.to_string())
    }
}

/// One OCSF row → one CloudTrail record.
pub fn record(row: &Value) -> Value {
    let mut r = Map::new();
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            set_default(&mut r, k, v);
        }
    };
    put("eventID", text(row, "metadata.uid"));
    put("eventTime", event_time(row));
    put("eventVersion", text(row, "metadata.product.version"));
    put("eventType", text(row, "metadata.event_code"));
    put("eventCategory", text(row, "metadata.product.feature.name"));
    put("eventSource", text(row, "api.service.name"));
    put("eventName", text(row, "api.operation"));
    put("apiVersion", text(row, "api.version"));
    put("requestID", text(row, "api.request.uid"));
    put("requestParameters", blob(row, "api.request.data"));
    put("responseElements", blob(row, "api.response.data"));
    put("errorCode", text(row, "api.response.error"));
    put("errorMessage", text(row, "api.response.message"));
    put("awsRegion", text(row, "cloud.region"));
    put("recipientAccountId", text(row, "cloud.account.uid"));
    put(
        "sourceIPAddress",
        text(row, "src_endpoint.ip").or_else(|| text(row, "src_endpoint.domain")),
    );
    put("vpcEndpointId", text(row, "src_endpoint.uid"));
    put("userAgent", text(row, "http_request.user_agent"));
    let u = "userIdentity";
    put(&format!("{u}.type"), text(row, "actor.user.type"));
    put(&format!("{u}.arn"), text(row, "actor.user.uid"));
    put(&format!("{u}.principalId"), text(row, "actor.user.uid_alt"));
    put(
        &format!("{u}.accountId"),
        text(row, "actor.user.account.uid").or_else(|| text(row, "actor.user.account_uid")),
    );
    put(
        &format!("{u}.accessKeyId"),
        text(row, "actor.user.credential_uid"),
    );
    put(&format!("{u}.userName"), text(row, "actor.user.name"));
    put(&format!("{u}.invokedBy"), text(row, "actor.invoked_by"));
    put(
        &format!("{u}.identityProvider"),
        text(row, "actor.idp.name"),
    );
    let s = "userIdentity.sessionContext";
    put(
        &format!("{s}.attributes.creationDate"),
        text(row, "actor.session.created_time_dt").map(|v| match v {
            Value::String(t) => Value::String(utc_text(&t)),
            v => v,
        }),
    );
    put(
        &format!("{s}.attributes.mfaAuthenticated"),
        text(row, "actor.session.is_mfa"),
    );
    put(
        &format!("{s}.sessionIssuer.arn"),
        text(row, "actor.session.issuer"),
    );
    if let Some(Value::Array(rs)) = at(row, "resources") {
        let resources: Vec<Value> = rs
            .iter()
            .map(|x| {
                let mut m = Map::new();
                for (k, p) in [
                    ("ARN", "uid"),
                    ("accountId", "owner.account.uid"),
                    ("type", "type"),
                ] {
                    if let Some(v) = text(x, p) {
                        m.insert(k.into(), v);
                    }
                }
                Value::Object(m)
            })
            .collect();
        put("resources", Some(Value::Array(resources)));
    }
    for (k, v) in unmapped(row) {
        put(&k, Some(unmapped_value(&v)));
    }
    Value::Object(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_maps_back_and_unmapped_fills_only_gaps() {
        let row = json!({
            "class_uid": 6003,
            "time": 1765184712000_i64,
            "metadata": {"uid": "e1", "product": {"version": "1.11"}},
            "api": {"operation": "DeleteBucket", "service": {"name": "s3.amazonaws.com"},
                    "request": {"uid": "R1", "data": "{\"bucketName\":\"b\"}"}},
            "cloud": {"region": "us-east-1", "account": {"uid": "111122223333"}},
            "src_endpoint": {"domain": "cloudformation.amazonaws.com"},
            "actor": {"user": {"type": "AssumedRole", "uid": "arn:aws:sts::111122223333:assumed-role/R/s",
                               "account": {"uid": "111122223333"}},
                      "session": {"is_mfa": false, "issuer": "arn:aws:iam::111122223333:role/R",
                                  "created_time_dt": "2025-12-08 08:55:00"}},
            "unmapped": [
                {"key": "userIdentity.sessionContext.sourceIdentity", "value": "agent-x"},
                {"key": "readOnly", "value": "false"},
                {"key": "eventName", "value": "NotThis"},
                {"key": "recipientAccountId", "value": "999999999999"}
            ]
        });
        let r = record(&row);
        assert_eq!(r["eventTime"], "2025-12-08T09:05:12Z");
        // A Parquet timestamp is UTC: written with its zone, not counted
        // as a zone-less time.
        assert_eq!(
            r["userIdentity"]["sessionContext"]["attributes"]["creationDate"],
            "2025-12-08T08:55:00Z"
        );
        assert_eq!(r["eventName"], "DeleteBucket");
        assert_eq!(r["requestParameters"]["bucketName"], "b");
        assert_eq!(r["sourceIPAddress"], "cloudformation.amazonaws.com");
        assert_eq!(
            r["userIdentity"]["sessionContext"]["sourceIdentity"],
            "agent-x"
        );
        assert_eq!(
            r["userIdentity"]["sessionContext"]["attributes"]["mfaAuthenticated"],
            "false"
        );
        assert_eq!(r["readOnly"], false);
        assert_eq!(r["recipientAccountId"], "111122223333");
        assert!(r.get("sharedEventID").is_none());
    }
}
