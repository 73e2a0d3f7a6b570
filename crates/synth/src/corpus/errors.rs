//! Failed calls: which `errorCode` and `errorMessage` a service writes for
//! an access denial, a missing resource, throttling or a dry run, with the
//! wording CloudTrail uses (EC2's `Client.` prefix and encoded
//! authorization message, IAM's `NoSuchEntityException`, S3's `NoSuchKey`).

use crate::corpus::events::Kind;
use crate::corpus::principal::Class;
use crate::rng::Rng;

pub(crate) struct Failure {
    pub code: &'static str,
    pub message: String,
}

/// The share of calls that fail, by kind of caller: agents probe and get
/// denied more than people; services almost never fail.
pub(crate) fn error_rate(class: Class) -> f64 {
    match class {
        Class::Agent => 0.07,
        Class::Sso | Class::IamUser | Class::Federated => 0.035,
        Class::AwsAccount => 0.05,
        Class::App | Class::Ci | Class::WebIdentity => 0.015,
        Class::ServiceRole | Class::AwsService => 0.004,
        _ => 0.02,
    }
}

/// The IAM action prefix of a service (`monitoring` is `cloudwatch`, …).
fn iam_prefix(kind: &Kind) -> &'static str {
    match kind.service {
        "monitoring" => "cloudwatch",
        "bedrock" => "bedrock",
        "elasticloadbalancing" => "elasticloadbalancing",
        s => s,
    }
}

/// The IAM action name of an event (`GetFunction20150331v2` → `GetFunction`).
fn iam_action(kind: &Kind) -> &'static str {
    let n = kind.name;
    let cut = n.find("2015").unwrap_or(n.len());
    match &n[..cut] {
        "ListObjects" | "HeadBucket" => "ListBucket",
        "HeadObject" => "GetObject",
        other => other,
    }
}

fn json_protocol(service: &str) -> bool {
    matches!(
        service,
        "kms"
            | "dynamodb"
            | "secretsmanager"
            | "ssm"
            | "logs"
            | "ecs"
            | "ecr"
            | "eks"
            | "cloudtrail"
            | "organizations"
            | "sso"
            | "q"
            | "codewhisperer"
            | "bedrock"
    )
}

fn access_denied(kind: &Kind, caller: &str, resource: &str) -> String {
    let prefix = iam_prefix(kind);
    let action = iam_action(kind);
    format!(
        "User: {caller} is not authorized to perform: {prefix}:{action} on resource: {resource} because no identity-based policy allows the {prefix}:{action} action"
    )
}

/// Chooses how a call of `kind` by `caller` (an ARN) fails.
pub(crate) fn failure(
    rng: &mut Rng,
    kind: &Kind,
    caller: &str,
    account: &str,
    region: &str,
) -> Failure {
    let roll = rng.below(100);
    let generic_resource = format!("arn:aws:{}:{region}:{account}:*", iam_prefix(kind));
    if kind.service == "ec2" {
        return if roll < 12 && !kind.read_only {
            Failure {
                code: "Client.DryRunOperation",
                message: "Request would have succeeded, but DryRun flag is set.".to_string(),
            }
        } else if roll < 25 {
            Failure {
                code: "Client.RequestLimitExceeded",
                message: "Request limit exceeded.".to_string(),
            }
        } else if roll < 40 && kind.name.contains("Instance") {
            Failure {
                code: "Client.InvalidInstanceID.NotFound",
                message: format!("The instance ID 'i-0{}' does not exist", rng.hex(16)),
            }
        } else {
            let mut message = String::from("You are not authorized to perform this operation. ");
            message.push_str(&access_denied(
                kind,
                caller,
                &format!("arn:aws:ec2:{region}:{account}:instance/*"),
            ));
            if !kind.read_only {
                message.push_str(". Encoded authorization failure message: ");
                let n = rng.range(400, 900) as usize;
                message.push_str(&rng.base64_url(n));
            }
            Failure {
                code: "Client.UnauthorizedOperation",
                message,
            }
        };
    }
    if roll < 15 {
        return Failure {
            code: if kind.service == "cloudformation" {
                "Throttling"
            } else {
                "ThrottlingException"
            },
            message: "Rate exceeded".to_string(),
        };
    }
    if roll < 45
        && let Some(f) = not_found(rng, kind, account, region)
    {
        return f;
    }
    let message = match kind.service {
        "s3" => "Access Denied".to_string(),
        "sts" => format!(
            "User: {caller} is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::{account}:role/{}",
            rng.pick(&["OrganizationAccountAccessRole", "prod-admin", "deploy"])
        ),
        _ => access_denied(kind, caller, &generic_resource),
    };
    Failure {
        code: if json_protocol(kind.service) {
            "AccessDeniedException"
        } else {
            "AccessDenied"
        },
        message,
    }
}

fn not_found(rng: &mut Rng, kind: &Kind, account: &str, region: &str) -> Option<Failure> {
    let f = |code: &'static str, message: String| Some(Failure { code, message });
    match (kind.service, kind.name) {
        ("s3", "GetObject" | "HeadObject") => {
            f("NoSuchKey", "The specified key does not exist.".into())
        }
        ("s3", "GetBucketPolicy") => f(
            "NoSuchBucketPolicy",
            "The bucket policy does not exist".into(),
        ),
        ("s3", "GetBucketTagging") => f("NoSuchTagSet", "The TagSet does not exist".into()),
        ("s3", "GetBucketEncryption") => f(
            "ServerSideEncryptionConfigurationNotFoundError",
            "The server side encryption configuration was not found".into(),
        ),
        ("iam", n) if n.starts_with("Get") || n.starts_with("List") || n.starts_with("Attach") => {
            let what = rng.pick(&["role", "user", "policy"]);
            let name = format!(
                "{}-{}",
                rng.pick(&["legacy", "old", "tmp"]),
                rng.lower_alnum(6)
            );
            // Older records say `NoSuchEntity`, newer `NoSuchEntityException`.
            let code = if rng.chance(0.25) {
                "NoSuchEntity"
            } else {
                "NoSuchEntityException"
            };
            f(
                code,
                format!("The {what} with name {name} cannot be found."),
            )
        }
        ("lambda", _) => f(
            "ResourceNotFoundException",
            format!(
                "Function not found: arn:aws:lambda:{region}:{account}:function:{}",
                rng.pick(&["legacy-cron", "old-handler", "tmp-test"])
            ),
        ),
        ("cloudformation", _) => f(
            "ValidationError",
            format!(
                "Stack with id {}-{} does not exist",
                rng.pick(&["sandbox", "tmp", "old"]),
                rng.lower_alnum(5)
            ),
        ),
        ("secretsmanager", _) => f(
            "ResourceNotFoundException",
            "Secrets Manager can't find the specified secret.".into(),
        ),
        ("ssm", "GetParameter" | "GetParameters") => f("ParameterNotFound", String::new()),
        ("dynamodb", _) => f(
            "ResourceNotFoundException",
            "Requested resource not found".into(),
        ),
        ("logs", _) => f(
            "ResourceNotFoundException",
            "The specified log group does not exist.".into(),
        ),
        _ => None,
    }
}
