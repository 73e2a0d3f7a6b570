//! Named conditions that raise a curated rule's severity.
//!
//! Each reads the event's `requestParameters` (parsed once per event into a
//! `serde_json::Value`), its event name, or what the caller knows
//! ([`ClassifyContext`]). Shapes follow real CloudTrail records: the first
//! letter of API parameter names is lower-cased (`skipFinalSnapshot`,
//! `dBSnapshotIdentifier`), EC2 lists are wrapped in `{"items": [...]}`,
//! policies arrive as JSON text or as parsed objects, and redacted samples
//! keep only the `/0` of a CIDR (`208.236.235.254/0` in stratus-red-team's
//! recording). Keys are compared ignoring ASCII case so SDK-style captures
//! (`SkipFinalSnapshot`) match too. The values are attacker-controlled: they
//! are only compared, never executed or fetched.

use serde_json::Value;

use super::ClassifyContext;
use crate::cloudtrail::percent;
// `get(v, key)`: an object member by name, ignoring ASCII case.
use crate::cloudtrail::request_params::field_ignore_case as get;

/// A condition named in the `condition` column of `catalogs/destructive.tsv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Condition {
    /// RDS/Redshift delete without a final snapshot.
    SkipFinalSnapshot,
    /// Secrets Manager delete with no recovery window.
    ForceDelete,
    /// The bucket's objects were deleted earlier (from the context).
    AfterDeleteObjects,
    /// A multi-object `DeleteObjects` or a recursive CLI removal.
    Recursive,
    /// The account is production (from the context).
    ProdAccount,
    /// An admin-equivalent managed policy, or a document allowing `*`.
    AdminPolicy,
    /// An IAM user other than the caller is the target.
    OtherUser,
    /// A CIDR range of length 0 (`0.0.0.0/0`, `::/0`).
    OpenCidr,
    /// A public canned ACL or a grant to AllUsers / AuthenticatedUsers.
    PublicAcl,
    /// A resource or trust policy allowing Principal `*` without a
    /// restricting condition; Lambda `principal: "*"`.
    PublicPolicy,
    /// A snapshot or image shared with group `all`.
    PublicShare,
    /// A snapshot or image shared with another account.
    CrossAccountShare,
    /// An S3 public access block deleted or a flag set to false.
    PublicAccessBlockOff,
    /// A desired or maximum capacity of 0.
    ScaleToZero,
    /// CloudTrail event selectors that drop management events.
    LoggingReduced,
    /// A role, execution role or instance profile is passed.
    PassesRole,
    /// `publiclyAccessible: true`.
    PubliclyAccessible,
    /// An `enable`/`*Enabled` flag set to false or a status `DISABLED`.
    SetsDisabled,
    /// A Lambda function URL with `authType: NONE`.
    AuthNone,
}

impl Condition {
    pub const ALL: [Condition; 19] = [
        Condition::SkipFinalSnapshot,
        Condition::ForceDelete,
        Condition::AfterDeleteObjects,
        Condition::Recursive,
        Condition::ProdAccount,
        Condition::AdminPolicy,
        Condition::OtherUser,
        Condition::OpenCidr,
        Condition::PublicAcl,
        Condition::PublicPolicy,
        Condition::PublicShare,
        Condition::CrossAccountShare,
        Condition::PublicAccessBlockOff,
        Condition::ScaleToZero,
        Condition::LoggingReduced,
        Condition::PassesRole,
        Condition::PubliclyAccessible,
        Condition::SetsDisabled,
        Condition::AuthNone,
    ];

    /// The name used in the catalog.
    pub fn name(self) -> &'static str {
        match self {
            Condition::SkipFinalSnapshot => "skip_final_snapshot",
            Condition::ForceDelete => "force_delete",
            Condition::AfterDeleteObjects => "after_delete_objects",
            Condition::Recursive => "recursive",
            Condition::ProdAccount => "prod_account",
            Condition::AdminPolicy => "admin_policy",
            Condition::OtherUser => "other_user",
            Condition::OpenCidr => "open_cidr",
            Condition::PublicAcl => "public_acl",
            Condition::PublicPolicy => "public_policy",
            Condition::PublicShare => "public_share",
            Condition::CrossAccountShare => "cross_account_share",
            Condition::PublicAccessBlockOff => "public_access_block_off",
            Condition::ScaleToZero => "scale_to_zero",
            Condition::LoggingReduced => "logging_reduced",
            Condition::PassesRole => "passes_role",
            Condition::PubliclyAccessible => "publicly_accessible",
            Condition::SetsDisabled => "sets_disabled",
            Condition::AuthNone => "auth_none",
        }
    }

    pub fn parse(s: &str) -> Option<Condition> {
        Condition::ALL.into_iter().find(|c| c.name() == s)
    }

    /// False for conditions decided by the context alone, so the request
    /// parameters are not parsed for them.
    pub fn reads_parameters(self) -> bool {
        !matches!(
            self,
            Condition::AfterDeleteObjects | Condition::ProdAccount | Condition::Recursive
        )
    }

    /// Whether the condition holds for one event. `params` is the parsed
    /// `requestParameters` (`None` when absent or unreadable).
    pub fn holds(self, event_name: &str, params: Option<&Value>, ctx: &ClassifyContext) -> bool {
        let p = params.unwrap_or(&Value::Null);
        match self {
            Condition::SkipFinalSnapshot => {
                truthy(get(p, "skipFinalSnapshot")) || truthy(get(p, "skipFinalClusterSnapshot"))
            }
            Condition::ForceDelete => truthy(get(p, "forceDeleteWithoutRecovery")),
            Condition::AfterDeleteObjects => ctx.bucket_emptied_earlier,
            Condition::Recursive => {
                event_name.eq_ignore_ascii_case("DeleteObjects") || ctx.recursive_command
            }
            Condition::ProdAccount => ctx.is_prod_account,
            Condition::AdminPolicy => admin_policy(p),
            Condition::OtherUser => other_user(p, ctx),
            Condition::OpenCidr => any_entry(p, &mut |k, v| {
                k.to_ascii_lowercase().contains("cidr") && strings(v).any(is_open_cidr)
            }),
            Condition::PublicAcl => public_acl(p),
            Condition::PublicPolicy => public_policy(p),
            Condition::PublicShare => public_share(p),
            Condition::CrossAccountShare => cross_account_share(p),
            Condition::PublicAccessBlockOff => {
                starts_with_ci(event_name, "Delete")
                    || any_entry(p, &mut |k, v| {
                        [
                            "BlockPublicAcls",
                            "IgnorePublicAcls",
                            "BlockPublicPolicy",
                            "RestrictPublicBuckets",
                        ]
                        .iter()
                        .any(|f| k.eq_ignore_ascii_case(f))
                            && falsy(Some(v))
                    })
            }
            Condition::ScaleToZero => any_entry(p, &mut |k, v| {
                [
                    "desiredCount",
                    "desiredCapacity",
                    "desiredSize",
                    "maxSize",
                    "maxCapacity",
                ]
                .iter()
                .any(|f| k.eq_ignore_ascii_case(f))
                    && is_zero(v)
            }),
            Condition::LoggingReduced => logging_reduced(p),
            Condition::PassesRole => any_entry(p, &mut |k, v| {
                [
                    "role",
                    "roleArn",
                    "executionRoleArn",
                    "taskRoleArn",
                    "serviceRoleArn",
                    "iamInstanceProfile",
                    "instanceProfileArn",
                ]
                .iter()
                .any(|f| k.eq_ignore_ascii_case(f))
                    && !is_empty_value(v)
            }),
            Condition::PubliclyAccessible => truthy(get(p, "publiclyAccessible")),
            Condition::SetsDisabled => any_entry(p, &mut |k, v| {
                let k = k.to_ascii_lowercase();
                ((k == "enable" || k.ends_with("enabled")) && falsy(Some(v)))
                    || (k == "status"
                        && v.as_str()
                            .is_some_and(|s| s.eq_ignore_ascii_case("DISABLED")))
            }),
            Condition::AuthNone => get(p, "authType")
                .and_then(Value::as_str)
                .is_some_and(|s| s.eq_ignore_ascii_case("NONE")),
        }
    }
}

// ---- small helpers over serde_json::Value ----------------------------------

/// `true` or the text `"true"`.
fn truthy(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// `false` or the text `"false"` (absent is not false).
fn falsy(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => !*b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("false"),
        _ => false,
    }
}

fn is_zero(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.trim() == "0",
        _ => false,
    }
}

fn is_empty_value(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// A string, or the strings of an array (one level): CloudTrail gives both
/// `"x-amz-acl": ["public-read"]` and `"cidrIp": "0.0.0.0/0"`.
fn strings(v: &Value) -> impl Iterator<Item = &str> {
    let (one, many) = match v {
        Value::String(s) => (Some(s.as_str()), None),
        Value::Array(a) => (None, Some(a.iter().filter_map(Value::as_str))),
        _ => (None, None),
    };
    one.into_iter().chain(many.into_iter().flatten())
}

/// Calls `f` on every object member at any depth; true as soon as one does.
fn any_entry(v: &Value, f: &mut dyn FnMut(&str, &Value) -> bool) -> bool {
    match v {
        Value::Object(o) => o.iter().any(|(k, v)| f(k, v) || any_entry(v, f)),
        Value::Array(a) => a.iter().any(|v| any_entry(v, f)),
        _ => false,
    }
}

/// Any string anywhere in `v` satisfying `f`.
fn any_string(v: &Value, f: &dyn Fn(&str) -> bool) -> bool {
    match v {
        Value::String(s) => f(s),
        Value::Object(o) => o.values().any(|v| any_string(v, f)),
        Value::Array(a) => a.iter().any(|v| any_string(v, f)),
        _ => false,
    }
}

/// `x.x.x.x/0` or `::/0`: the whole address space, whatever the address part
/// (redacted samples keep only the prefix length).
fn is_open_cidr(s: &str) -> bool {
    s.trim().rsplit_once('/').is_some_and(|(addr, len)| {
        !addr.is_empty() && len.trim_start_matches('0').is_empty() && !len.is_empty()
    })
}

// ---- policies ----------------------------------------------------------------

/// A policy given as an object, as JSON text, or as URL-encoded JSON text
/// (older IAM records).
fn policy_document(v: &Value) -> Option<Value> {
    match v {
        Value::Object(_) => Some(v.clone()),
        Value::String(s) => {
            let s = s.trim();
            serde_json::from_str::<Value>(s)
                .ok()
                .or_else(|| serde_json::from_str::<Value>(&percent_decode(s)?).ok())
                .filter(Value::is_object)
        }
        _ => None,
    }
}

/// The URL-decoded text ([`percent::STRICT_FORM`]), or `None` when it has
/// no `%` at all or an escape or the result is invalid.
fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return None;
    }
    percent::decode(s, &percent::STRICT_FORM).ok()
}

/// The statements of a policy document: `Statement` as an object or array.
fn statements(doc: &Value) -> Vec<&Value> {
    match get(doc, "Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(s @ Value::Object(_)) => vec![s],
        _ => Vec::new(),
    }
}

fn is_allow(stmt: &Value) -> bool {
    get(stmt, "Effect")
        .and_then(Value::as_str)
        .is_some_and(|e| e.eq_ignore_ascii_case("Allow"))
}

/// Allow + (Action `*`, `*:*` or `iam:*`, or any NotAction) + (Resource `*`
/// or any NotResource): full control, or the means to grant it.
fn allows_everything(stmt: &Value) -> bool {
    if !is_allow(stmt) {
        return false;
    }
    let broad_action = get(stmt, "NotAction").is_some()
        || get(stmt, "Action").is_some_and(|a| {
            strings(a).any(|s| matches!(s.to_ascii_lowercase().as_str(), "*" | "*:*" | "iam:*"))
        });
    let broad_resource = get(stmt, "NotResource").is_some()
        || get(stmt, "Resource").is_some_and(|r| strings(r).any(|s| s == "*"));
    broad_action && broad_resource
}

/// AWS managed policies that give full control of an account (IAMFullAccess
/// can grant itself the rest).
const ADMIN_MANAGED_POLICIES: [&str; 2] = ["AdministratorAccess", "IAMFullAccess"];

fn admin_policy(p: &Value) -> bool {
    let managed = get(p, "policyArn")
        .and_then(Value::as_str)
        .is_some_and(|arn| {
            // arn:<partition>:iam::aws:policy/<name>: AWS managed only; a customer
            // policy may carry the same name with any content.
            arn.split_once(":iam::aws:policy/")
                .is_some_and(|(head, name)| {
                    head.starts_with("arn:") && ADMIN_MANAGED_POLICIES.contains(&name)
                })
        });
    managed
        || get(p, "policyDocument")
            .and_then(policy_document)
            .is_some_and(|doc| statements(&doc).into_iter().any(allows_everything))
}

fn other_user(p: &Value, ctx: &ClassifyContext) -> bool {
    match get(p, "userName").and_then(Value::as_str).map(str::trim) {
        Some(target) if !target.is_empty() => ctx.caller_user_name != Some(target),
        _ => false,
    }
}

/// Condition keys that narrow a `*` principal to known callers, networks or
/// accounts. `...IfExists` operators do not narrow (absent key passes).
const RESTRICTING_KEYS: [&str; 13] = [
    "aws:sourceip",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:userid",
    "kms:calleraccount",
];

fn restricted_by_condition(stmt: &Value) -> bool {
    let Some(Value::Object(ops)) = get(stmt, "Condition") else {
        return false;
    };
    ops.iter().any(|(op, keys)| {
        !op.to_ascii_lowercase().ends_with("ifexists")
            && keys.as_object().is_some_and(|k| {
                k.keys()
                    .any(|key| RESTRICTING_KEYS.contains(&key.to_ascii_lowercase().as_str()))
            })
    })
}

fn wildcard_principal(stmt: &Value) -> bool {
    match get(stmt, "Principal") {
        Some(Value::String(s)) => s == "*",
        Some(p @ Value::Object(_)) => get(p, "AWS").is_some_and(|a| strings(a).any(|s| s == "*")),
        _ => false,
    }
}

fn public_statement(stmt: &Value) -> bool {
    is_allow(stmt) && wildcard_principal(stmt) && !restricted_by_condition(stmt)
}

/// Keys under which CloudTrail records a resource or trust policy.
const POLICY_KEYS: [&str; 6] = [
    "bucketPolicy",
    "policy",
    "policyDocument",
    "policyText",
    "resourcePolicy",
    "assumeRolePolicyDocument",
];

fn public_policy(p: &Value) -> bool {
    // lambda:AddPermission: {"principal": "*"} unless narrowed by source/org.
    let lambda_style = get(p, "principal")
        .and_then(Value::as_str)
        .is_some_and(|s| s.trim() == "*")
        && ["sourceArn", "sourceAccount", "principalOrgID"]
            .iter()
            .all(|k| get(p, k).is_none_or(is_empty_value));
    lambda_style
        || any_entry(p, &mut |k, v| {
            POLICY_KEYS.iter().any(|f| k.eq_ignore_ascii_case(f))
                && policy_document(v)
                    .is_some_and(|doc| statements(&doc).into_iter().any(public_statement))
        })
}

fn public_acl(p: &Value) -> bool {
    let canned = any_entry(p, &mut |k, v| {
        k.eq_ignore_ascii_case("x-amz-acl")
            && strings(v).any(|s| {
                matches!(
                    s.trim().to_ascii_lowercase().as_str(),
                    "public-read" | "public-read-write" | "authenticated-read"
                )
            })
    });
    canned
        || any_string(p, &|s| {
            s.contains("acs.amazonaws.com/groups/global/AllUsers")
                || s.contains("acs.amazonaws.com/groups/global/AuthenticatedUsers")
        })
}

// ---- sharing -------------------------------------------------------------------

/// The `add` subtrees (`createVolumePermission.add`, `launchPermission.add`)
/// and RDS `valuesToAdd`.
fn added(p: &Value, f: &dyn Fn(&str, &Value) -> bool) -> bool {
    any_entry(p, &mut |k, v| {
        (k.eq_ignore_ascii_case("add") || k.eq_ignore_ascii_case("valuesToAdd")) && f(k, v)
    })
}

fn public_share(p: &Value) -> bool {
    let in_add = added(p, &|k, v| {
        if k.eq_ignore_ascii_case("valuesToAdd") {
            strings(v).any(|s| s.trim().eq_ignore_ascii_case("all"))
        } else {
            any_entry(v, &mut |k, v| {
                k.eq_ignore_ascii_case("group") && strings(v).any(|s| s.eq_ignore_ascii_case("all"))
            })
        }
    });
    // Flat form: operationType=add with userGroups/groupNames ["all"].
    in_add
        || (operation_add(p)
            && ["userGroups", "groupNames", "group"].iter().any(|k| {
                get(p, k).is_some_and(|v| strings(v).any(|s| s.eq_ignore_ascii_case("all")))
            }))
}

fn cross_account_share(p: &Value) -> bool {
    let is_account = |s: &str| s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit());
    let in_add = added(p, &|k, v| {
        if k.eq_ignore_ascii_case("valuesToAdd") {
            strings(v).any(|s| is_account(s.trim()))
        } else {
            any_entry(v, &mut |k, v| {
                k.eq_ignore_ascii_case("userId") && strings(v).any(|s| !s.trim().is_empty())
            })
        }
    });
    in_add
        || (operation_add(p)
            && ["userIds", "userId"]
                .iter()
                .any(|k| get(p, k).is_some_and(|v| strings(v).any(|s| !s.trim().is_empty()))))
}

fn operation_add(p: &Value) -> bool {
    get(p, "operationType")
        .and_then(Value::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case("add"))
}

// ---- CloudTrail selectors ------------------------------------------------------

/// Classic event selectors that drop management events: includeManagementEvents
/// false, readWriteType ReadOnly, or excluded event sources. Advanced event
/// selectors are not judged (the rule keeps its base severity).
fn logging_reduced(p: &Value) -> bool {
    let Some(Value::Array(selectors)) = get(p, "eventSelectors") else {
        return false;
    };
    selectors.iter().any(|s| {
        falsy(get(s, "includeManagementEvents"))
            || get(s, "readWriteType")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case("ReadOnly"))
            || get(s, "excludeManagementEventSources").is_some_and(|v| !is_empty_value(v))
    })
}

#[cfg(test)]
mod tests;
