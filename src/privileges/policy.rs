//! IAM policy documents as written: statements with `Effect`,
//! `Action`/`NotAction`, `Resource`/`NotResource`, `Principal` and
//! `Condition`, read from a JSON object (AWS CLI output) or from URL-encoded
//! JSON text (the raw IAM API, RFC 3986), or from plain JSON text.
//!
//! Parsing is strict about shape (an `Effect` that is neither `Allow` nor
//! `Deny`, an `Action` that is a number, a statement with both `Action` and
//! `NotAction` are errors naming the file and JSON path) and lenient about
//! what IAM itself tolerates (unknown keys, a missing `Version`, `Statement`
//! as one object). Nothing here knows the action catalog; [`super::eval`]
//! compiles documents against it.

use anyhow::{Context, Error, Result};
use serde_json::Value;

use super::json::{At, kind, object, opt_str, string_or_strings};
use crate::cloudtrail::percent;

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    Allow,
    Deny,
}

/// The statement's action element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionSpec {
    /// `Action`: the listed patterns.
    Action(Vec<String>),
    /// `NotAction`: every action except the listed patterns.
    NotAction(Vec<String>),
}

/// The statement's resource element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceSpec {
    /// `Resource`: the listed ARN patterns.
    Resource(Vec<String>),
    /// `NotResource`: every resource except the listed ones.
    NotResource(Vec<String>),
    /// Neither (trust policies; invalid in identity policies, read as `*`).
    Absent,
}

/// One statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sid: Option<String>,
    pub effect: Effect,
    pub actions: ActionSpec,
    pub resources: ResourceSpec,
    /// `Principal` as written (trust and resource policies only).
    pub principal: Option<Value>,
    /// `NotPrincipal` as written.
    pub not_principal: Option<Value>,
    /// `Condition` as written; `None` when absent or an empty object.
    pub condition: Option<Value>,
}

impl Statement {
    /// True when the statement has a non-empty `Condition`.
    pub fn has_condition(&self) -> bool {
        self.condition.is_some()
    }

    /// True when the statement does not cover every resource: a `Resource`
    /// list without an all-wildcard entry (`*`, `arn:*:*:*:*:*`), or any
    /// non-empty `NotResource`.
    pub fn is_resource_scoped(&self) -> bool {
        match &self.resources {
            ResourceSpec::Absent => false,
            ResourceSpec::Resource(r) => !r.iter().any(|r| is_all_resources(r)),
            ResourceSpec::NotResource(r) => !r.is_empty(),
        }
    }
}

/// `*`, or an ARN pattern whose every field is `*` (`arn:*`, `arn:*:*:*:*:*`).
pub fn is_all_resources(pattern: &str) -> bool {
    let p = pattern.trim();
    p == "*"
        || p.strip_prefix("arn:")
            .is_some_and(|rest| rest.split(':').all(|f| f == "*"))
}

/// A parsed policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDocument {
    /// `Version` (`2012-10-17`), when present.
    pub version: Option<String>,
    pub statements: Vec<Statement>,
}

impl PolicyDocument {
    /// Parses a document given as a JSON value: an object, or a string
    /// holding URL-encoded or plain JSON text. `source` names the file (or
    /// other origin) and `path` the JSON path of the document in it; both
    /// appear in errors.
    pub fn from_json(value: &Value, source: &str, path: &str) -> Result<PolicyDocument> {
        let mut at = At::root(source);
        for part in path.split('.').filter(|p| !p.is_empty()) {
            at = at.key(part);
        }
        PolicyDocument::from_value(value, &at)
    }

    /// Parses JSON text or URL-encoded JSON text.
    pub fn parse_text(text: &str, source: &str) -> Result<PolicyDocument> {
        PolicyDocument::from_value(&Value::String(text.to_string()), &At::root(source))
    }

    pub(crate) fn from_value(v: &Value, at: &At) -> Result<PolicyDocument, Error> {
        match v {
            Value::Object(_) => parse_document(v, at),
            Value::String(s) => {
                let decoded: Value = decode_document_text(s).map_err(|e| at.error(e))?;
                parse_document(&decoded, at)
                    .context(format!("in the document decoded from {}", at.location()))
            }
            other => Err(at.error(format!(
                "expected a policy document (an object or URL-encoded JSON text), found {}",
                kind(other)
            ))),
        }
    }
}

/// JSON text, or RFC 3986 URL-encoded JSON text, as a value. Text that
/// fails to parse after decoding is retried with `+` read as a space (form
/// encoding, which some exporters use).
pub fn decode_document_text(text: &str) -> Result<Value, String> {
    let t = text.trim();
    if t.starts_with('{') {
        return serde_json::from_str(t).map_err(|e| format!("policy text is not valid JSON: {e}"));
    }
    let decoded = percent_decode(t)?;
    match serde_json::from_str(&decoded) {
        Ok(v) => Ok(v),
        Err(e) if t.contains('+') => serde_json::from_str(&decoded.replace('+', " "))
            .map_err(|_| format!("URL-decoded policy text is not valid JSON: {e}")),
        Err(e) => Err(format!("URL-decoded policy text is not valid JSON: {e}")),
    }
}

/// `%7B%22a%22` → `{"a"` ([`percent::STRICT`]). A `%` not followed by two
/// hex digits, or bytes that are not UTF-8 once decoded, are errors.
pub fn percent_decode(text: &str) -> Result<String, String> {
    percent::decode(text, &percent::STRICT).map_err(|e| match e {
        percent::Error::BadEscape { at } => {
            format!("bad URL escape at byte {at} of the policy text")
        }
        percent::Error::NotUtf8 => "URL-decoded policy text is not UTF-8".to_string(),
    })
}

fn parse_document(v: &Value, at: &At) -> Result<PolicyDocument, Error> {
    let o = object(v, at)?;
    let version = opt_str(o, "Version", at)?.map(str::to_string);
    let sat = at.key("Statement");
    let statements = match o.get("Statement") {
        None | Some(Value::Null) => Vec::new(),
        Some(s @ Value::Object(_)) => vec![parse_statement(s, &sat)?],
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, s)| parse_statement(s, &sat.index(i)))
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(sat.error(format!(
                "expected an object or an array of statements, found {}",
                kind(other)
            )));
        }
    };
    Ok(PolicyDocument {
        version,
        statements,
    })
}

fn parse_statement(v: &Value, at: &At) -> Result<Statement, Error> {
    let o = object(v, at)?;
    let sid = opt_str(o, "Sid", at)?.map(str::to_string);
    let effect = match o.get("Effect") {
        Some(Value::String(s)) if s == "Allow" => Effect::Allow,
        Some(Value::String(s)) if s == "Deny" => Effect::Deny,
        Some(Value::String(s)) => {
            return Err(at
                .key("Effect")
                .error(format!("{s:?} is neither \"Allow\" nor \"Deny\"")));
        }
        Some(other) => {
            return Err(at
                .key("Effect")
                .error(format!("expected a string, found {}", kind(other))));
        }
        None => return Err(at.key("Effect").error("missing")),
    };
    let actions = match (o.get("Action"), o.get("NotAction")) {
        (Some(a), None) => ActionSpec::Action(string_or_strings(a, &at.key("Action"))?),
        (None, Some(n)) => ActionSpec::NotAction(string_or_strings(n, &at.key("NotAction"))?),
        (Some(_), Some(_)) => return Err(at.error("has both Action and NotAction")),
        (None, None) => return Err(at.error("has neither Action nor NotAction")),
    };
    let resources = match (o.get("Resource"), o.get("NotResource")) {
        (Some(r), None) => ResourceSpec::Resource(string_or_strings(r, &at.key("Resource"))?),
        (None, Some(n)) => ResourceSpec::NotResource(string_or_strings(n, &at.key("NotResource"))?),
        (Some(_), Some(_)) => return Err(at.error("has both Resource and NotResource")),
        (None, None) => ResourceSpec::Absent,
    };
    let condition = match o.get("Condition") {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) if m.is_empty() => None,
        Some(c @ Value::Object(_)) => Some(c.clone()),
        Some(other) => {
            return Err(at
                .key("Condition")
                .error(format!("expected an object, found {}", kind(other))));
        }
    };
    Ok(Statement {
        sid,
        effect,
        actions,
        resources,
        principal: o.get("Principal").cloned(),
        not_principal: o.get("NotPrincipal").cloned(),
        condition,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(v: Value) -> Result<PolicyDocument> {
        PolicyDocument::from_json(&v, "p.json", "Doc")
    }

    #[test]
    fn reads_shapes_iam_accepts() {
        let d = doc(json!({"Version": "2012-10-17", "Statement": {
            "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
            "Condition": {"Bool": {"aws:SecureTransport": "true"}}}}))
        .unwrap();
        assert_eq!(d.statements.len(), 1);
        let s = &d.statements[0];
        assert_eq!(s.actions, ActionSpec::Action(vec!["s3:GetObject".into()]));
        assert!(s.is_resource_scoped() && s.has_condition());
        let d = doc(json!({"Statement": [
            {"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "NotResource": "arn:aws:iam::1:role/x", "Condition": {}},
            {"Effect": "Allow", "Action": ["ec2:*"], "Resource": ["arn:aws:ec2:*:*:instance/*", "*"]}]}))
        .unwrap();
        assert!(matches!(&d.statements[0].actions, ActionSpec::NotAction(v) if v.len() == 2));
        assert!(d.statements[0].is_resource_scoped() && !d.statements[0].has_condition());
        assert!(!d.statements[1].is_resource_scoped());
        assert!(is_all_resources("arn:*:*:*:*:*") && !is_all_resources("arn:aws:s3:::*"));
    }

    #[test]
    fn url_encoded_and_text_documents() {
        let plain = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:List*","Resource":"*"}]}"#;
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AList%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D";
        let a = PolicyDocument::parse_text(plain, "x").unwrap();
        let b = PolicyDocument::parse_text(encoded, "x").unwrap();
        assert_eq!(a, b);
        let form = "%7B%22Statement%22%3A+%7B%22Effect%22%3A+%22Allow%22%2C+%22Action%22%3A+%22s3%3AGet%2A%22%7D%7D";
        assert_eq!(
            PolicyDocument::parse_text(form, "x")
                .unwrap()
                .statements
                .len(),
            1
        );
        assert_eq!(percent_decode("a%20b%2a").unwrap(), "a b*");
        assert!(percent_decode("a%2").is_err());
        assert!(percent_decode("%ff").is_err());
    }

    #[test]
    fn errors_name_the_path() {
        let e = |v: Value| format!("{:#}", doc(v).unwrap_err());
        let m = e(
            json!({"Statement": [{"Effect": "Allow", "Action": "*"}, {"Effect": "allow", "Action": "*"}]}),
        );
        assert!(
            m.starts_with("p.json: Doc.Statement[1].Effect: \"allow\""),
            "{m}"
        );
        let m = e(json!({"Statement": [{"Effect": "Allow", "Action": ["s3:x", 3]}]}));
        assert!(
            m.contains("Doc.Statement[0].Action[1]: expected a string"),
            "{m}"
        );
        let m = e(json!({"Statement": {"Effect": "Allow", "Action": "*", "NotAction": "*"}}));
        assert!(m.contains("both Action and NotAction"), "{m}");
        let m = e(json!({"Statement": {"Effect": "Allow"}}));
        assert!(m.contains("neither Action nor NotAction"), "{m}");
        let m = e(json!({"Statement": {"Effect": "Allow", "Action": "*", "Condition": "x"}}));
        assert!(m.contains("Doc.Statement.Condition"), "{m}");
        let m = e(json!(42));
        assert!(m.contains("found a number"), "{m}");
        let m = e(json!("%7Bnot json"));
        assert!(
            m.contains("p.json: Doc: URL-decoded policy text is not valid JSON"),
            "{m}"
        );
        let m = e(json!("%7B%22Statement%22%3A5%7D"));
        assert!(
            m.contains("decoded from p.json: Doc") && m.contains("Statement"),
            "{m}"
        );
    }
}
