//! `request_params`: every event's `requestParameters` as rows a SQL user
//! can filter, one per leaf value (`event_id`, `path`, `value`), since
//! polars SQL has no JSON functions. `path` is dotted from the top
//! (`bucketName`, `tableName`, `ipPermissions.items.0.ipRanges.items.0.cidrIp`),
//! `value` the leaf as text (strings as they are, numbers and booleans
//! written out, null as SQL NULL). Registered by `query` only when the
//! statement names the table, so other commands pay nothing.

use crate::schema::events;
use anyhow::Result;
use polars::prelude::*;

/// The table's name in `trailblame query`.
pub const TABLE: &str = "request_params";

/// Rows of `(event_id, path, value)` from `df`'s `event_id` and
/// `request_parameters` columns, in row order then document order.
pub fn flatten(df: &DataFrame) -> Result<DataFrame> {
    let ids = df.column(events::EVENT_ID)?.str()?;
    let params = df.column(events::REQUEST_PARAMETERS)?.str()?;
    let (mut id_out, mut path_out, mut value_out) = (Vec::new(), Vec::new(), Vec::new());
    for (id, text) in ids.iter().zip(params.iter()) {
        let (Some(id), Some(text)) = (id, text) else {
            continue;
        };
        // A value that is not JSON (it never is, from ingest) has no rows.
        for (path, value) in leaves(text) {
            id_out.push(id.to_string());
            path_out.push(path);
            value_out.push(value);
        }
    }
    Ok(DataFrame::new(
        id_out.len(),
        vec![
            Column::new(events::EVENT_ID.into(), id_out),
            Column::new("path".into(), path_out),
            Column::new("value".into(), value_out),
        ],
    )?)
}

/// The leaves of one `requestParameters` text: `(path, value)`; nothing
/// when it is not JSON.
pub fn leaves(text: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
        walk(&v, String::new(), &mut out);
    }
    out
}

/// Identifier-looking leaves (a last path part ending in `Id`, `Name`,
/// `Arn` or `Identifier`: `instancesSet.items.0.instanceId`), distinct, at
/// most `max`: what a call acted on when no known name key says it.
pub fn identifiers(text: &str, max: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (path, value) in leaves(text) {
        let last = path.rsplit('.').next().unwrap_or("");
        let ident = ["Id", "Name", "Arn", "Identifier"]
            .iter()
            .any(|s| last.ends_with(s) || last.eq_ignore_ascii_case(s));
        if let Some(v) = value.filter(|v| ident && !v.is_empty())
            && !out.contains(&v)
        {
            out.push(v);
            if out.len() == max {
                break;
            }
        }
    }
    out
}

fn walk(v: &serde_json::Value, path: String, out: &mut Vec<(String, Option<String>)>) {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                walk(x, join(k), out);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                walk(x, join(&i.to_string()), out);
            }
        }
        serde_json::Value::Null => out.push((path, None)),
        serde_json::Value::String(s) => out.push((path, Some(s.clone()))),
        other => out.push((path, Some(other.to_string()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_get_dotted_paths() {
        let df = df!(
            "event_id" => ["a", "b", "c"],
            "request_parameters" => [
                Some(r#"{"bucketName":"logs","force":true,"tags":[{"k":"x"}],"n":null}"#),
                None,
                Some("{}"),
            ],
        )
        .unwrap();
        let out = flatten(&df).unwrap();
        let paths: Vec<Option<&str>> = out.column("path").unwrap().str().unwrap().iter().collect();
        assert_eq!(
            paths,
            [
                Some("bucketName"),
                Some("force"),
                Some("tags.0.k"),
                Some("n")
            ]
        );
        let values: Vec<Option<&str>> =
            out.column("value").unwrap().str().unwrap().iter().collect();
        assert_eq!(values, [Some("logs"), Some("true"), Some("x"), None]);
    }

    #[test]
    fn identifiers_are_found_deep() {
        let t = r#"{"instancesSet":{"items":[{"instanceId":"i-0abc"},{"instanceId":"i-0def"}]},"force":true}"#;
        assert_eq!(identifiers(t, 5), ["i-0abc", "i-0def"]);
        assert_eq!(identifiers(t, 1), ["i-0abc"]);
    }
}
