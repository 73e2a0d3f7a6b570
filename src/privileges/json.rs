//! Path-aware reading of `serde_json` values, so every error on IAM input
//! names the file and the JSON path that is wrong:
//! `acct.json: RoleDetailList[3].RolePolicyList[0].PolicyDocument.Statement[1].Effect: …`.
//!
//! IAM data is read from untyped values rather than derived structs because
//! the same field arrives in several shapes (a policy document as an object
//! or as URL-encoded text, `Statement` as an object or an array, `Action` as
//! a string or an array), and serde's derived errors cannot name the path.

use anyhow::{Error, anyhow};
use serde_json::{Map, Value};
use std::fmt::Display;

/// Where in which file a value sits.
#[derive(Debug, Clone)]
pub(crate) struct At<'a> {
    file: &'a str,
    path: String,
}

impl<'a> At<'a> {
    /// The top level of `file`.
    pub(crate) fn root(file: &'a str) -> At<'a> {
        At {
            file,
            path: String::new(),
        }
    }

    /// The member `key` of this object.
    pub(crate) fn key(&self, key: &str) -> At<'a> {
        let path = if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        };
        At {
            file: self.file,
            path,
        }
    }

    /// Element `i` of this array.
    pub(crate) fn index(&self, i: usize) -> At<'a> {
        At {
            file: self.file,
            path: format!("{}[{i}]", self.path),
        }
    }

    /// `file: path` for messages.
    pub(crate) fn location(&self) -> String {
        if self.path.is_empty() {
            format!("{}: (top level)", self.file)
        } else {
            format!("{}: {}", self.file, self.path)
        }
    }

    /// An error at this place.
    pub(crate) fn error(&self, msg: impl Display) -> Error {
        anyhow!("{}: {msg}", self.location())
    }
}

/// `object`, `string`, … for messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The value as an object.
pub(crate) fn object<'v>(v: &'v Value, at: &At) -> Result<&'v Map<String, Value>, Error> {
    v.as_object()
        .ok_or_else(|| at.error(format!("expected an object, found {}", kind(v))))
}

/// A string member; missing, null or another type is an error.
pub(crate) fn req_str<'v>(
    obj: &'v Map<String, Value>,
    key: &str,
    at: &At,
) -> Result<&'v str, Error> {
    opt_str(obj, key, at)?.ok_or_else(|| at.key(key).error("missing"))
}

/// A string member; missing or null is `None`, another type an error.
pub(crate) fn opt_str<'v>(
    obj: &'v Map<String, Value>,
    key: &str,
    at: &At,
) -> Result<Option<&'v str>, Error> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(v) => Err(at
            .key(key)
            .error(format!("expected a string, found {}", kind(v)))),
    }
}

/// A boolean member; missing or null is `None`. `"true"`/`"false"` strings
/// are accepted (some exporters stringify scalars).
pub(crate) fn opt_bool(
    obj: &Map<String, Value>,
    key: &str,
    at: &At,
) -> Result<Option<bool>, Error> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(v) => Err(at
            .key(key)
            .error(format!("expected a boolean, found {}", kind(v)))),
    }
}

/// An array member; missing or null is empty. With `single_ok`, a lone
/// object is read as a one-element array (AWS's own documentation example
/// prints `AttachedManagedPolicies` that way).
pub(crate) fn opt_array<'v>(
    obj: &'v Map<String, Value>,
    key: &str,
    at: &At,
    single_ok: bool,
) -> Result<&'v [Value], Error> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(v @ Value::Object(_)) if single_ok => Ok(std::slice::from_ref(v)),
        Some(v) => Err(at
            .key(key)
            .error(format!("expected an array, found {}", kind(v)))),
    }
}

/// A string or an array of strings (IAM's `Action`, `Resource`, …).
pub(crate) fn string_or_strings(v: &Value, at: &At) -> Result<Vec<String>, Error> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(at
                    .index(i)
                    .error(format!("expected a string, found {}", kind(other)))),
            })
            .collect(),
        other => Err(at.error(format!(
            "expected a string or an array of strings, found {}",
            kind(other)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_name_file_and_path() {
        let root = At::root("a.json");
        let at = root.key("RoleDetailList").index(3).key("RoleName");
        assert_eq!(at.location(), "a.json: RoleDetailList[3].RoleName");
        assert_eq!(root.location(), "a.json: (top level)");
        let v = json!({"n": 1, "s": "x", "b": "TRUE", "one": {"a": 1}});
        let o = object(&v, &root).unwrap();
        let e = req_str(o, "n", &root).unwrap_err().to_string();
        assert_eq!(e, "a.json: n: expected a string, found a number");
        assert!(
            req_str(o, "missing", &root)
                .unwrap_err()
                .to_string()
                .contains("missing")
        );
        assert_eq!(opt_bool(o, "b", &root).unwrap(), Some(true));
        assert_eq!(opt_array(o, "one", &root, true).unwrap().len(), 1);
        assert!(opt_array(o, "one", &root, false).is_err());
        assert!(opt_array(o, "none", &root, false).unwrap().is_empty());
        let e = string_or_strings(&json!(["a", 2]), &root.key("Action")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a.json: Action[1]: expected a string, found a number"
        );
        assert!(object(&json!([]), &root).is_err());
    }
}
