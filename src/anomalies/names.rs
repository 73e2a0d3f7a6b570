//! The names an API call acts on, for matching a deletion with a later
//! creation of the same thing and for counting distinct resources.
//!
//! Names come from a fixed list of request-parameter keys (top level only)
//! and from the ARNs in `resources`. ARNs are reduced to their name part
//! (`arn:aws:iam::1:role/path/deployer` → `deployer`, a CloudFormation stack
//! ARN → the stack name, an S3 ARN → the bucket). Only the keys the call
//! needs are decoded; other values are skipped without being built.

use crate::cloudtrail::request_params;

/// Request-parameter keys that name the resource a call acts on. The last,
/// the S3 object `key`, counts only for object calls.
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
    "key",
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
        let keys = if object_call {
            NAME_KEYS
        } else {
            &NAME_KEYS[..NAME_KEYS.len() - 1]
        };
        if let Some(found) = request_params::top_level_strings(text, keys) {
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
