//! The names an API call acts on, for matching a deletion with a later
//! creation of the same thing and for counting distinct resources.
//!
//! Names come from a fixed list of request-parameter keys (top level only)
//! and from the ARNs in `resources`. ARNs are reduced to their name part
//! (`arn:aws:iam::1:role/path/deployer` → `deployer`, a CloudFormation stack
//! ARN → the stack name, an S3 ARN → the bucket). Only the keys the call
//! needs are decoded; other values are skipped without being built.

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use std::fmt;

/// Request-parameter keys that name the resource a call acts on.
const NAME_KEYS: &[&str] = &[
    "stackName",
    "bucketName",
    "functionName",
    "roleName",
    "userName",
    "groupName",
    "instanceProfileName",
    "policyName",
    "policyArn",
    "tableName",
    "dBInstanceIdentifier",
    "dBClusterIdentifier",
    "cacheClusterId",
    "replicationGroupId",
    "clusterName",
    "environmentName",
    "applicationName",
    "queueName",
    "queueUrl",
    "topicArn",
    "repositoryName",
    "logGroupName",
    "secretId",
    "ruleName",
    "stateMachineArn",
    "domainName",
    "keyName",
    "aliasName",
    "serviceName",
    "name",
    "Name",
];

/// The primary names a call acts on, sorted and distinct. `event_name`
/// matters only for S3 object calls, whose object key counts too.
pub fn target_names(
    event_name: &str,
    request_parameters_json: Option<&str>,
    resources: &[Box<str>],
) -> Vec<String> {
    let mut out = Vec::new();
    let object_call = event_name.contains("Object");
    if let Some(text) = request_parameters_json {
        let mut de = serde_json::Deserializer::from_str(text);
        if let Ok(found) = de.deserialize_map(Picker { object_call }) {
            for (key, value) in found {
                let name = match key {
                    "queueUrl" => value.rsplit('/').next().map(str::to_string),
                    _ if value.starts_with("arn:") => name_from_arn(&value),
                    _ => Some(value),
                };
                out.extend(name.filter(|n| !n.is_empty()));
            }
        }
    }
    out.extend(resources.iter().filter_map(|r| name_from_arn(r)));
    out.sort_unstable();
    out.dedup();
    out
}

/// The name part of an ARN, `None` when it is not one.
pub fn name_from_arn(arn: &str) -> Option<String> {
    let mut parts = arn.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let _partition = parts.next()?;
    let service = parts.next()?;
    let _region = parts.next()?;
    let _account = parts.next()?;
    let resource = parts.next()?;
    let name = if service == "s3" {
        resource.split('/').next()?
    } else if resource.contains('/') {
        let segs: Vec<&str> = resource.split('/').filter(|s| !s.is_empty()).collect();
        match segs.as_slice() {
            ["stack", name, ..] if service == "cloudformation" => *name,
            [.., last] => *last,
            [] => return None,
        }
    } else if let Some((_kind, rest)) = resource.split_once(':') {
        rest.split(':').next()?
    } else {
        resource
    };
    (!name.is_empty()).then(|| name.to_string())
}

struct Picker {
    object_call: bool,
}

/// A request-parameter key: its place in the name list, or not wanted.
struct Key(Option<&'static str>);

impl<'de> de::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key, E> {
                Ok(Key(NAME_KEYS
                    .iter()
                    .chain(&["key"])
                    .find(|k| **k == s)
                    .copied()))
            }
        }
        d.deserialize_str(V)
    }
}

/// A value kept only when it is a string.
struct MaybeStr(Option<String>);

impl<'de> de::Deserialize<'de> for MaybeStr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeStr;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<MaybeStr, E> {
                Ok(MaybeStr(Some(s.to_string())))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<MaybeStr, E> {
                Ok(MaybeStr(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<MaybeStr, E> {
                Ok(MaybeStr(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<MaybeStr, E> {
                Ok(MaybeStr(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<MaybeStr, E> {
                Ok(MaybeStr(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<MaybeStr, E> {
                Ok(MaybeStr(None))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut s: A) -> Result<MaybeStr, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(MaybeStr(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<MaybeStr, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(MaybeStr(None))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Visitor<'de> for Picker {
    type Value = Vec<(&'static str, String)>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
        let mut found = Vec::new();
        while let Some(Key(k)) = m.next_key::<Key>()? {
            match k {
                Some("key") if !self.object_call => {
                    m.next_value::<IgnoredAny>()?;
                }
                Some(k) => {
                    if let MaybeStr(Some(v)) = m.next_value::<MaybeStr>()? {
                        found.push((k, v));
                    }
                }
                None => {
                    m.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(ev: &str, p: &str, r: &[&str]) -> Vec<String> {
        let r: Vec<Box<str>> = r.iter().map(|s| (*s).into()).collect();
        target_names(ev, Some(p), &r)
    }

    #[test]
    fn primary_names_from_parameters() {
        assert_eq!(
            names("DeleteStack", r#"{"stackName":"web-prod"}"#, &[]),
            ["web-prod"]
        );
        assert_eq!(
            names(
                "DeleteBucket",
                r#"{"bucketName":"logs","x":{"bucketName":"no"}}"#,
                &[]
            ),
            ["logs"]
        );
        assert_eq!(
            names(
                "DeleteFunction20150331",
                r#"{"functionName":"arn:aws:lambda:us-east-1:1:function:resize:prod"}"#,
                &[]
            ),
            ["resize"]
        );
        assert_eq!(
            names(
                "DeleteQueue",
                r#"{"queueUrl":"https://sqs.us-east-1.amazonaws.com/1/jobs"}"#,
                &[]
            ),
            ["jobs"]
        );
        assert_eq!(
            names(
                "DeleteDBInstance",
                r#"{"dBInstanceIdentifier":"db1","skipFinalSnapshot":true}"#,
                &[]
            ),
            ["db1"]
        );
        assert_eq!(
            names(
                "TerminateEnvironment",
                r#"{"environmentName":"staging","applicationName":"shop"}"#,
                &[]
            ),
            ["shop", "staging"]
        );
        // Object keys only for object calls.
        assert_eq!(
            names("DeleteBucketPolicy", r#"{"bucketName":"b","key":"k"}"#, &[]),
            ["b"]
        );
        assert_eq!(
            names("DeleteObject", r#"{"bucketName":"b","key":"k"}"#, &[]),
            ["b", "k"]
        );
    }

    #[test]
    fn names_from_resources_and_bad_json() {
        assert_eq!(
            names(
                "DeleteRole",
                "not json",
                &["arn:aws:iam::111122223333:role/service/deployer"]
            ),
            ["deployer"]
        );
        assert_eq!(
            name_from_arn("arn:aws:cloudformation:us-east-1:1:stack/web/0f1e-22").as_deref(),
            Some("web")
        );
        assert_eq!(
            name_from_arn("arn:aws:s3:::bucket/key/x").as_deref(),
            Some("bucket")
        );
        assert_eq!(
            name_from_arn("arn:aws:sns:us-east-1:1:alerts").as_deref(),
            Some("alerts")
        );
        assert_eq!(name_from_arn("cloudformation.amazonaws.com"), None);
        assert!(target_names("DeleteStack", None, &[]).is_empty());
    }
}
