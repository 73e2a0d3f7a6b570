//! An incident's resources as operators write them, and whether an event
//! touches one: exact ARNs, S3 buckets and key prefixes (an ARN
//! `arn:aws:s3:::bucket/prefix/` or `s3://bucket/prefix`), CloudFormation
//! stacks (a stack ARN or name), wildcards (`*`, `?`) and bare names (a
//! bucket, table, function or stack). Each kind has a specificity: the
//! linker ranks an exact ARN above a prefix, a prefix above a name, a name
//! above a wildcard and a bucket above nothing.
//!
//! Everything here reads attacker-controlled text (request parameters and
//! resource ARNs from the logs, the incidents export); it only compares it.

use crate::cloudtrail::glob;

/// One resource of an incident, as written, read once.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// An ARN that is neither an S3 path nor a stack.
    Arn(String),
    /// An S3 bucket, or the keys under a prefix of it (`prefix` empty for
    /// the whole bucket).
    S3 { bucket: String, prefix: String },
    /// A CloudFormation stack, by name (and ARN when given).
    Stack { name: String, arn: Option<String> },
    /// A pattern with `*` or `?` (IAM-style matching, case-sensitive).
    Wildcard(String),
    /// A bare name: bucket, table, function, stack, …
    Name(String),
}

/// How an event touched a target, with the linker's base score.
#[derive(Clone, Debug, PartialEq)]
pub struct Touch {
    pub matched: &'static str,
    pub base: f64,
    /// What matched, for the reason (`arn:aws:s3:::b/p/`, a key, a name).
    pub what: String,
}

/// The name part of an ARN or path (`…:function:report-gen` → `report-gen`).
pub fn name_of(resource: &str) -> &str {
    resource
        .rsplit([':', '/'])
        .find(|s| !s.is_empty())
        .unwrap_or(resource)
}

fn s3_path(path: &str) -> Target {
    let (bucket, prefix) = path.split_once('/').unwrap_or((path, ""));
    Target::S3 {
        bucket: bucket.to_string(),
        prefix: prefix.trim_end_matches('*').to_string(),
    }
}

/// Reads one resource as written in the export.
pub fn parse(text: &str) -> Target {
    let t = text.trim();
    let wild = |s: &str| s.contains(['*', '?']);
    // An S3 path whose only wildcard is a trailing `*` is a prefix.
    let s3 = t
        .strip_prefix("arn:aws:s3:::")
        .or_else(|| t.strip_prefix("s3://"));
    if let Some(path) = s3
        && !wild(path.trim_end_matches('*'))
        && !path.is_empty()
    {
        return s3_path(path);
    }
    if wild(t) {
        return Target::Wildcard(t.to_string());
    }
    if t.starts_with("arn:") {
        // arn:aws:cloudformation:<region>:<account>:stack/<name>/<id>
        if let Some(rest) = t
            .split(':')
            .nth(5)
            .filter(|_| t.contains(":cloudformation:"))
            && let Some(name) = rest.strip_prefix("stack/")
        {
            let name = name.split('/').next().unwrap_or(name);
            return Target::Stack {
                name: name.to_string(),
                arn: Some(t.to_string()),
            };
        }
        return Target::Arn(t.to_string());
    }
    Target::Name(t.to_string())
}

/// The parts of an event a target is compared with.
pub struct EventText<'a> {
    pub event_source: &'a str,
    pub event_name: &'a str,
    pub request_parameters: &'a str,
    pub resources: &'a [&'a str],
}

/// (bucket, key) pairs an S3 event touched: from its resource ARNs and its
/// `bucketName` / `key` parameters (key empty for a bucket-level call).
fn s3_paths(ev: &EventText) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for r in ev.resources {
        if let Some(path) = r.strip_prefix("arn:aws:s3:::") {
            let (b, k) = path.split_once('/').unwrap_or((path, ""));
            out.push((b.to_string(), k.to_string()));
        }
    }
    if ev.event_source == "s3.amazonaws.com"
        && let Ok(v) = serde_json::from_str::<serde_json::Value>(ev.request_parameters)
    {
        let text = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        if let Some(b) = text("bucketName") {
            out.push((b, text("key").unwrap_or_default()));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// String values in the request parameters (at most 64, depth-first).
fn param_strings(params: &str) -> Vec<String> {
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        if out.len() >= 64 {
            return;
        }
        match v {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            serde_json::Value::Object(o) => o.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(params) {
        walk(&v, &mut out);
    }
    out
}

const STACK_OPS: &[&str] = &[
    "CreateStack",
    "UpdateStack",
    "DeleteStack",
    "ExecuteChangeSet",
    "RollbackStack",
    "ContinueUpdateRollback",
];

/// How `ev` touches `target`, if it does.
pub fn touch(target: &Target, ev: &EventText) -> Option<Touch> {
    let params = ev.request_parameters;
    let t = |matched, base, what: &str| {
        Some(Touch {
            matched,
            base,
            what: what.to_string(),
        })
    };
    match target {
        Target::Arn(a) => (ev.resources.contains(&a.as_str()) || params.contains(a.as_str()))
            .then(|| t("resource_arn", 0.6, a))
            .flatten()
            .or_else(|| by_name(name_of(a), ev)),
        Target::S3 { bucket, prefix } => {
            let paths = s3_paths(ev);
            let in_bucket: Vec<&str> = paths
                .iter()
                .filter(|(b, _)| b == bucket)
                .map(|(_, k)| k.as_str())
                .collect();
            // A call on objects is judged by its keys, not by its bucket.
            let on_objects = in_bucket.iter().any(|k| !k.is_empty());
            let mut best: Option<Touch> = None;
            for key in in_bucket {
                if on_objects && key.is_empty() && !prefix.is_empty() {
                    continue;
                }
                let touch = if prefix.is_empty() {
                    Touch {
                        matched: "s3_bucket",
                        base: 0.5,
                        what: format!("s3://{bucket}"),
                    }
                } else if !key.is_empty() && key.starts_with(prefix.as_str()) {
                    Touch {
                        matched: "s3_prefix",
                        base: 0.55,
                        what: format!("s3://{bucket}/{key} under {prefix}"),
                    }
                } else if key.is_empty() {
                    // A bucket-level change (policy, lifecycle, DeleteObjects).
                    Touch {
                        matched: "s3_bucket",
                        base: 0.35,
                        what: format!("s3://{bucket}, the bucket of {prefix}"),
                    }
                } else {
                    continue;
                };
                if best.as_ref().is_none_or(|b| touch.base > b.base) {
                    best = Some(touch);
                }
            }
            best
        }
        Target::Stack { name, arn } => {
            let named = params.contains(&format!("\"{name}\""))
                || arn.as_ref().is_some_and(|a| params.contains(a.as_str()));
            if ev.event_source == "cloudformation.amazonaws.com"
                && STACK_OPS.contains(&ev.event_name)
                && named
            {
                return t("stack", 0.55, &format!("stack {name}"));
            }
            by_name(name, ev)
        }
        Target::Wildcard(pattern) => {
            let literal = pattern.chars().filter(|c| !matches!(c, '*' | '?')).count();
            let share = literal as f64 / pattern.chars().count().max(1) as f64;
            let base = 0.3 + 0.15 * share;
            let hit = |s: &str| glob::matches(pattern, s, &glob::IAM_POLICY);
            if let Some(r) = ev.resources.iter().find(|r| hit(r) || hit(name_of(r))) {
                return t("wildcard", base, &format!("{r} ({pattern})"));
            }
            if let Some(p) = param_strings(params)
                .into_iter()
                .find(|s| s.len() >= 3 && hit(s))
            {
                return t("wildcard", base, &format!("{p} ({pattern})"));
            }
            None
        }
        Target::Name(n) => by_name(n, ev),
    }
}

/// A bare name: a quoted value of the request parameters, or the name part
/// of one of the event's resources.
fn by_name(n: &str, ev: &EventText) -> Option<Touch> {
    (n.len() >= 3
        && (ev.request_parameters.contains(&format!("\"{n}\""))
            || ev.resources.iter().any(|x| name_of(x) == n)))
    .then(|| Touch {
        matched: "resource_name",
        base: 0.45,
        what: n.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev<'a>(src: &'a str, name: &'a str, params: &'a str, res: &'a [&'a str]) -> EventText<'a> {
        EventText {
            event_source: src,
            event_name: name,
            request_parameters: params,
            resources: res,
        }
    }

    #[test]
    fn resources_as_operators_write_them() {
        let s3 = |b: &str, p: &str| Target::S3 {
            bucket: b.into(),
            prefix: p.into(),
        };
        assert_eq!(
            parse("arn:aws:s3:::media/uploads/"),
            s3("media", "uploads/")
        );
        assert_eq!(parse("s3://media/uploads"), s3("media", "uploads"));
        assert_eq!(parse("s3://media/uploads/*"), s3("media", "uploads/"));
        assert_eq!(parse("arn:aws:s3:::media"), s3("media", ""));
        assert_eq!(
            parse("arn:aws:s3:::media-*/x"),
            Target::Wildcard("arn:aws:s3:::media-*/x".into())
        );
        assert_eq!(
            parse("arn:aws:cloudformation:us-east-1:111122223333:stack/shop-prod/6c1f0e10-1111-2222-3333-444455556666"),
            Target::Stack {
                name: "shop-prod".into(),
                arn: Some("arn:aws:cloudformation:us-east-1:111122223333:stack/shop-prod/6c1f0e10-1111-2222-3333-444455556666".into())
            }
        );
        assert_eq!(parse("orders-table"), Target::Name("orders-table".into()));
        assert_eq!(
            parse("prod-*-table"),
            Target::Wildcard("prod-*-table".into())
        );
    }

    #[test]
    fn prefix_bucket_stack_and_wildcard_touches() {
        // S3 data event DeleteObject (CloudTrail user guide, S3 data events).
        let res = [
            "arn:aws:s3:::media/uploads/2026/a.jpg",
            "arn:aws:s3:::media",
        ];
        let del = ev(
            "s3.amazonaws.com",
            "DeleteObject",
            r#"{"bucketName":"media","key":"uploads/2026/a.jpg"}"#,
            &res,
        );
        let prefix = parse("arn:aws:s3:::media/uploads/");
        assert_eq!(touch(&prefix, &del).unwrap().matched, "s3_prefix");
        assert!(touch(&parse("s3://media/thumbs/"), &del).is_none());
        assert_eq!(
            touch(&parse("s3://media"), &del).unwrap().matched,
            "s3_bucket"
        );
        let policy = ev(
            "s3.amazonaws.com",
            "PutBucketPolicy",
            r#"{"bucketName":"media"}"#,
            &[],
        );
        let t = touch(&prefix, &policy).unwrap();
        assert_eq!((t.matched, t.base), ("s3_bucket", 0.35));
        let stack = ev(
            "cloudformation.amazonaws.com",
            "DeleteStack",
            r#"{"stackName":"shop-prod"}"#,
            &[],
        );
        assert_eq!(
            touch(&parse("shop-prod"), &stack).unwrap().matched,
            "resource_name"
        );
        let arn = "arn:aws:cloudformation:us-east-1:111122223333:stack/shop-prod/6c1f";
        assert_eq!(touch(&parse(arn), &stack).unwrap().matched, "stack");
        let table = ev(
            "dynamodb.amazonaws.com",
            "DeleteTable",
            r#"{"tableName":"prod-orders-table"}"#,
            &[],
        );
        let t = touch(&parse("prod-*-table"), &table).unwrap();
        assert_eq!(t.matched, "wildcard");
        assert!(t.base < 0.45, "{t:?}");
        assert!(touch(&parse("dev-*-table"), &table).is_none());
    }
}
