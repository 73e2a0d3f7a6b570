//! From a shell command an AI agent ran to the CloudTrail events it will cause.
//!
//! Transcripts record commands (`AWS_PROFILE=prod aws s3 rb s3://x --force`);
//! CloudTrail records API calls (`s3.amazonaws.com` `DeleteBucket`). This
//! module bridges the two: it reads the command as a shell would
//! ([`shell`]), unwraps `sudo`/`env`/`bash -c`/`xargs`/heredocs ([`dispatch`]),
//! and turns each AWS-touching program into an [`AwsInvocation`] listing the
//! `(eventSource, eventName)` pairs expected: the AWS CLI through the
//! botocore-derived [`catalog`] plus its high-level commands ([`aws_cli`],
//! [`s3`]), and IaC tools and SDK scripts whose calls are only partly known
//! ([`tools`]).
//!
//! Pure functions, no I/O: the catalog is embedded in the binary.
//!
//! Semantics worth knowing:
//! - `operations` lists the calls expected; when `operations_known` is false
//!   the list is a floor (maybe empty): the tool touches AWS but its calls
//!   cannot be enumerated from the command (terraform, boto3 scripts).
//! - `CommandAnalysis::unknown_aws` is true when any invocation has
//!   `operations_known == false`, including commands that mention AWS but
//!   could not be read.
//! - `destructive_hint` describes the kind of command and stays set under
//!   `--dry-run`; read `dry_run` alongside it.
//! - Lambda and CloudFront log some calls under versioned names
//!   (`CreateFunction20150331`); compare with [`Operation::matches`] or
//!   [`normalise_event_name`], not string equality.

pub mod aws_cli;
pub mod catalog;
pub mod dispatch;
pub mod s3;
pub mod shell;
pub mod tools;

pub use catalog::{Catalog, OperationRow, catalog, normalise_event_name};

/// What the session tells us about the environment the command ran in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandContext {
    pub env_region: Option<String>,
    pub env_profile: Option<String>,
}

/// One program run that talks (or may talk) to AWS.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsInvocation {
    /// "aws", "terraform", "cdk", "sam", "eksctl", "python", "pulumi", "use_aws", ...
    pub tool: String,
    /// CLI command lineage as the CLI user agent shows it (`md/command#...`):
    /// "ec2.terminate-instances", "s3.rb", "ec2.wait.instance-running".
    pub cli_command: Option<String>,
    /// Expected CloudTrail (event_source, event_name) pairs, in call order.
    pub operations: Vec<Operation>,
    /// False for terraform/boto3 scripts etc.: touches AWS, operations not
    /// (fully) known; `operations` then holds only the calls known for sure.
    pub operations_known: bool,
    pub region: Option<String>,
    pub profile: Option<String>,
    pub dry_run: bool,
    /// rb --force, rm --recursive, terraform destroy, cdk destroy, delete-*, terminate-*.
    pub destructive_hint: bool,
    /// The simple command this came from.
    pub raw: String,
}

/// A CloudTrail event identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Operation {
    pub event_source: String,
    pub event_name: String,
}

impl Operation {
    pub fn new(event_source: &str, event_name: &str) -> Self {
        Operation {
            event_source: event_source.to_string(),
            event_name: event_name.to_string(),
        }
    }

    /// True when a CloudTrail record with this source and name is this call,
    /// allowing for versioned Lambda/CloudFront event names.
    pub fn matches(&self, event_source: &str, event_name: &str) -> bool {
        self.event_source == event_source
            && normalise_event_name(&self.event_source, &self.event_name)
                == normalise_event_name(event_source, event_name)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandAnalysis {
    pub invocations: Vec<AwsInvocation>,
    /// Some invocation touches AWS.
    pub touches_aws: bool,
    /// Some invocation touches AWS with calls that could not be enumerated.
    pub unknown_aws: bool,
}

/// Reads a shell command as an agent ran it and lists the AWS invocations in it.
pub fn analyse_command(cmd: &str, ctx: &CommandContext) -> CommandAnalysis {
    let invocations = dispatch::analyse(cmd, ctx);
    finish(invocations)
}

/// For structured tool calls such as Amazon Q's `use_aws` (`service_name`
/// "s3", `operation_name` "list-buckets" / "list_buckets" / "ListBuckets").
pub fn analyse_structured(
    service_name: &str,
    operation_name: &str,
    region: Option<&str>,
    profile: Option<&str>,
) -> AwsInvocation {
    aws_cli::analyse_structured(service_name, operation_name, region, profile)
}

/// The CloudTrail event `aws <service> <operation_kebab>` causes, for API
/// commands in the catalog (not high-level ones like `s3 cp`). Accepts the
/// botocore service name for renamed CLI services (`s3` for `s3api`).
pub fn lookup_cli(service: &str, operation_kebab: &str) -> Option<Operation> {
    aws_cli::lookup_row(service, operation_kebab).map(OperationRow::operation)
}

/// The IAM prefix for a CloudTrail event source (`monitoring.amazonaws.com` → `cloudwatch`).
pub fn iam_prefix_for_event_source(event_source: &str) -> Option<&'static str> {
    catalog().ok()?.iam_prefix(event_source)
}

fn finish(invocations: Vec<AwsInvocation>) -> CommandAnalysis {
    CommandAnalysis {
        touches_aws: !invocations.is_empty(),
        unknown_aws: invocations.iter().any(|i| !i.operations_known),
        invocations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_lookups() {
        assert_eq!(
            lookup_cli("rds", "describe-db-instances"),
            Some(Operation::new("rds.amazonaws.com", "DescribeDBInstances"))
        );
        assert_eq!(
            lookup_cli("s3", "list-objects-v2"),
            Some(Operation::new("s3.amazonaws.com", "ListObjectsV2"))
        );
        assert_eq!(
            lookup_cli("deploy", "create-deployment")
                .unwrap()
                .event_source,
            "codedeploy.amazonaws.com"
        );
        assert_eq!(lookup_cli("ec2", "no-such-thing"), None);
        assert_eq!(
            iam_prefix_for_event_source("monitoring.amazonaws.com"),
            Some("cloudwatch")
        );
        assert_eq!(
            iam_prefix_for_event_source("ses.amazonaws.com"),
            Some("ses")
        );
        assert_eq!(iam_prefix_for_event_source("nope.example.com"), None);
    }

    #[test]
    fn operation_matches_versioned_lambda_names() {
        let op = lookup_cli("lambda", "create-function").unwrap();
        assert!(op.matches("lambda.amazonaws.com", "CreateFunction20150331"));
        assert!(op.matches("lambda.amazonaws.com", "CreateFunction"));
        assert!(!op.matches("lambda.amazonaws.com", "DeleteFunction20150331"));
        assert!(!op.matches("ec2.amazonaws.com", "CreateFunction"));
        let code = lookup_cli("lambda", "update-function-code").unwrap();
        assert!(code.matches("lambda.amazonaws.com", "UpdateFunctionCode20150331v2"));
    }

    #[test]
    fn analysis_flags() {
        let ctx = CommandContext::default();
        let a = analyse_command("ls -la && git status", &ctx);
        assert!(!a.touches_aws && !a.unknown_aws && a.invocations.is_empty());
        let a = analyse_command("aws sts get-caller-identity", &ctx);
        assert!(a.touches_aws && !a.unknown_aws);
        let a = analyse_command("aws sts get-caller-identity && terraform apply", &ctx);
        assert!(a.touches_aws && a.unknown_aws);
        assert_eq!(a.invocations.len(), 2);
    }
}
