//! An incident's resources as operators write them, and whether an event
//! touches one: exact ARNs, S3 buckets and key prefixes (an ARN
//! `arn:aws:s3:::bucket/prefix/` or `s3://bucket/prefix`), CloudFormation
//! stacks (a stack ARN or name), wildcards (`*`, `?`), resource tags
//! (`tag:<key>=<value>`, matched where an event carries the tag, as a
//! create or tagging call does) and bare names (a bucket, table, function
//! or stack). Each kind has a specificity: the linker ranks an exact ARN
//! above a prefix, a prefix above a name or a tag, a name above a wildcard
//! and a bucket above nothing.
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
    /// A resource tag (`tag:<key>=<value>`; tags are case-sensitive).
    Tag { key: String, value: String },
    /// A resource an event carrying `tag` named (`tagged_names`): matched
    /// by name, reported as the tag.
    Tagged { name: String, tag: String },
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
    if let Some((key, value)) = t.strip_prefix("tag:").and_then(|kv| kv.split_once('='))
        && !key.is_empty()
    {
        return Target::Tag {
            key: key.to_string(),
            value: value.to_string(),
        };
    }
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
        Target::Tag { key, value } => carries_tag(params, key, value)
            .then(|| t("tag", 0.45, &format!("tag {key}={value}")))
            .flatten(),
        Target::Tagged { name, tag } => by_name(name, ev).map(|_| Touch {
            matched: "tag",
            base: 0.45,
            what: format!("{name}, tagged {tag}"),
        }),
        Target::Name(n) => by_name(n, ev),
    }
}

/// Whether request parameters carry the tag `key`=`value`: as a
/// `{"key": …, "value": …}` pair (any case of the field names: DynamoDB,
/// CloudFormation, S3's `TagSet`) or as a `"tags": {key: value}` map
/// (Lambda, most `TagResource` calls), at any depth.
pub fn carries_tag(params: &str, key: &str, value: &str) -> bool {
    fn walk(v: &serde_json::Value, key: &str, value: &str, depth: u32) -> bool {
        if depth > 16 {
            return false;
        }
        match v {
            serde_json::Value::Object(o) => {
                let field = |name: &str| {
                    o.iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(name))
                        .and_then(|(_, v)| v.as_str())
                };
                if field("key") == Some(key) && field("value") == Some(value) {
                    return true;
                }
                o.iter().any(|(k, v)| {
                    (k.eq_ignore_ascii_case("tags")
                        && v.get(key).and_then(|x| x.as_str()) == Some(value))
                        || walk(v, key, value, depth + 1)
                })
            }
            serde_json::Value::Array(a) => a.iter().any(|x| walk(x, key, value, depth + 1)),
            _ => false,
        }
    }
    params.contains(key)
        && params.contains(value)
        && serde_json::from_str::<serde_json::Value>(params).is_ok_and(|v| walk(&v, key, value, 0))
}

/// The resources an event that carries a tag names, for `Target::Tagged`:
/// the name part of its resource ARNs, and its top-level `…Name` and
/// `…Arn` parameters.
pub fn tagged_names(ev: &EventText) -> Vec<String> {
    let mut out: Vec<String> = ev
        .resources
        .iter()
        .map(|r| name_of(r).to_string())
        .collect();
    if let Ok(serde_json::Value::Object(o)) =
        serde_json::from_str::<serde_json::Value>(ev.request_parameters)
    {
        for (k, v) in &o {
            let k = k.to_ascii_lowercase();
            if (k.ends_with("name") || k.ends_with("arn"))
                && let Some(s) = v.as_str()
            {
                out.push(name_of(s).to_string());
            }
        }
    }
    out.retain(|n| n.len() >= 3);
    out.sort();
    out.dedup();
    out
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

    #[test]
    fn tags_where_the_events_carry_them() {
        assert_eq!(
            parse("tag:app=checkout"),
            Target::Tag {
                key: "app".into(),
                value: "checkout".into()
            }
        );
        let tag = parse("tag:app=checkout");
        // Lambda CreateFunction: a map; DynamoDB CreateTable: key/value
        // pairs; S3 PutBucketTagging: Key/Value under TagSet.
        for params in [
            r#"{"functionName":"checkout-worker","tags":{"app":"checkout"}}"#,
            r#"{"tableName":"carts","tags":[{"key":"app","value":"checkout"}]}"#,
            r#"{"bucketName":"b","Tagging":{"TagSet":{"Tag":[{"Key":"app","Value":"checkout"}]}}}"#,
        ] {
            let e = ev("x.amazonaws.com", "Create", params, &[]);
            assert_eq!(touch(&tag, &e).map(|t| t.matched), Some("tag"), "{params}");
        }
        for params in [
            r#"{"functionName":"checkout-worker","tags":{"app":"billing"}}"#,
            r#"{"functionName":"checkout","description":"app"}"#,
            "not json app checkout",
        ] {
            let e = ev("x.amazonaws.com", "Create", params, &[]);
            assert!(touch(&tag, &e).is_none(), "{params}");
        }
        let e = ev(
            "lambda.amazonaws.com",
            "CreateFunction20150331",
            r#"{"functionName":"checkout-worker","role":"arn:aws:iam::1:role/run","tags":{"app":"checkout"}}"#,
            &[],
        );
        assert_eq!(tagged_names(&e), ["checkout-worker"]);
        let del = ev(
            "lambda.amazonaws.com",
            "DeleteFunction20150331",
            r#"{"functionName":"checkout-worker"}"#,
            &[],
        );
        let t = touch(
            &Target::Tagged {
                name: "checkout-worker".into(),
                tag: "app=checkout".into(),
            },
            &del,
        )
        .unwrap();
        assert_eq!(t.matched, "tag");
    }
}
