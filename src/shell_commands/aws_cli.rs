//! The AWS CLI's own command line: global options, `service operation`, and
//! the commands that are not one API call.
//!
//! `aws [globals] <service> <operation> [args]` maps to one catalog row, but
//! global options may sit anywhere (`--region`, `--profile`, `--output` ...),
//! some invocations make no call at all (`help`, `--generate-cli-skeleton`),
//! waiters poll a Describe call, and awscli customizations such as
//! `cloudformation deploy` or `ecr get-login-password` make different or
//! several calls. Sources for each customization are the awscli package
//! (`awscli/customizations/...`); see `catalogs/README.md`.

use super::catalog::{OperationRow, catalog};
use super::{AwsInvocation, Operation, s3};

/// Where a command ran and what it inherits: the simple command's text and
/// the region/profile the environment gives it before its own options.
#[derive(Debug, Clone, Default)]
pub struct Site<'a> {
    pub raw: &'a str,
    pub region: Option<String>,
    pub profile: Option<String>,
}

const GLOBAL_WITH_VALUE: &[&str] = &[
    "--region",
    "--profile",
    "--output",
    "--endpoint-url",
    "--query",
    "--cli-read-timeout",
    "--cli-connect-timeout",
    "--ca-bundle",
    "--color",
    "--cli-binary-format",
];
const GLOBAL_FLAGS: &[&str] = &[
    "--debug",
    "--no-verify-ssl",
    "--no-paginate",
    "--no-sign-request",
    "--no-cli-pager",
    "--cli-auto-prompt",
    "--no-cli-auto-prompt",
    "--version",
];

/// The parsed command line of one `aws ...` run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CliArgs {
    /// Words that are not options or option values: service, operation, ...
    pub positionals: Vec<String>,
    /// Operation options, `--name` → value (None for flags).
    pub options: Vec<(String, Option<String>)>,
    pub region: Option<String>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    pub dry_run: bool,
    /// Prints something locally and calls nothing (help, skeletons, --version).
    pub no_call: bool,
}

impl CliArgs {
    pub fn has(&self, name: &str) -> bool {
        self.options.iter().any(|(n, _)| n == name)
    }

    pub fn value(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_deref())
    }
}

/// Splits `args` (everything after `aws`).
pub fn parse_args(args: &[String]) -> CliArgs {
    let mut out = CliArgs::default();
    let mut i = 0;
    let mut only_positionals = false;
    while i < args.len() {
        let w = &args[i];
        i += 1;
        if only_positionals || !w.starts_with("--") || w == "--" {
            if w == "--" && !only_positionals {
                only_positionals = true;
                continue;
            }
            if w == "help" {
                out.no_call = true;
            }
            out.positionals.push(w.clone());
            continue;
        }
        let (name, inline) = match w.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (w.as_str(), None),
        };
        let is_flag = GLOBAL_FLAGS.contains(&name)
            || (out.positionals.first().is_some_and(|s| s == "s3") && s3::is_flag(name));
        let takes_value = GLOBAL_WITH_VALUE.contains(&name) || !is_flag;
        let value = match inline {
            Some(v) => Some(v),
            None if takes_value => match args.get(i) {
                Some(next) if !next.starts_with("--") || name == "--query" => {
                    i += 1;
                    Some(next.clone())
                }
                _ => None,
            },
            None => None,
        };
        // s3 options whose value is optional: `--sse` alone means AES256.
        let value = match (name, &value) {
            ("--sse" | "--request-payer", None) => match args.get(i) {
                Some(v) if s3::is_optional_value(name, v) => {
                    i += 1;
                    Some(v.clone())
                }
                _ => None,
            },
            _ => value,
        };
        match name {
            "--region" => out.region = value,
            "--profile" => out.profile = value,
            "--endpoint-url" => out.endpoint_url = value,
            "--dry-run" | "--dryrun" => out.dry_run = true,
            "--no-dry-run" => out.dry_run = false,
            "--generate-cli-skeleton" | "--version" => out.no_call = true,
            n if GLOBAL_WITH_VALUE.contains(&n) || GLOBAL_FLAGS.contains(&n) => {}
            _ => out.options.push((name.to_string(), value)),
        }
    }
    out
}

/// Calls resolved for one command.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    pub operations: Vec<Operation>,
    pub known: bool,
    pub destructive: bool,
    /// Extra lineage after `service.operation` (the waiter name).
    pub lineage_tail: Option<String>,
}

impl Resolved {
    /// All calls known; destructive when one of them deletes.
    pub fn known(ops: &[(&str, &str)]) -> Self {
        Resolved {
            destructive: ops.iter().any(|(_, n)| is_destructive_name(n)),
            operations: ops_of(ops),
            known: true,
            lineage_tail: None,
        }
    }

    /// At least these calls, maybe more.
    pub fn partial(ops: &[(&str, &str)]) -> Self {
        Resolved {
            known: false,
            ..Resolved::known(ops)
        }
    }

    pub fn destructive(mut self, yes: bool) -> Self {
        self.destructive = yes;
        self
    }
}

pub fn ops_of(ops: &[(&str, &str)]) -> Vec<Operation> {
    let mut out: Vec<Operation> = Vec::with_capacity(ops.len());
    for (s, n) in ops {
        let op = Operation::new(s, n);
        if !out.contains(&op) {
            out.push(op);
        }
    }
    out
}

/// An operation name that removes something.
pub fn is_destructive_name(event_name: &str) -> bool {
    ["Delete", "Terminate", "Purge", "Destroy", "Deregister"]
        .iter()
        .any(|p| {
            event_name.strip_prefix(p).is_some_and(|rest| {
                rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_uppercase())
            })
        })
}

/// Catalog row for an API command; falls back from a botocore service name
/// to its CLI name (`s3` → `s3api`).
pub fn lookup_row(service: &str, operation_kebab: &str) -> Option<&'static OperationRow> {
    let c = catalog().ok()?;
    c.by_cli(service, operation_kebab).or_else(|| {
        let cli = c.cli_service_for(service).filter(|cli| *cli != service)?;
        c.by_cli(cli, operation_kebab)
    })
}

/// `aws ...` (or `awslocal ...`): `tool` is the program name, `args` the words after it.
pub fn analyse_cli(tool: &str, args: &[String], site: &Site) -> AwsInvocation {
    let a = parse_args(args);
    let service = a.positionals.first().map(String::as_str);
    let operation = a.positionals.get(1).map(String::as_str);
    let mut inv = AwsInvocation {
        tool: tool.to_string(),
        cli_command: service.map(|s| match operation {
            Some(o) => format!("{s}.{o}"),
            None => s.to_string(),
        }),
        region: a.region.clone().or_else(|| site.region.clone()),
        profile: a.profile.clone().or_else(|| site.profile.clone()),
        dry_run: a.dry_run,
        raw: site.raw.to_string(),
        ..Default::default()
    };
    let Some(service) = service else {
        // `aws`, `aws --version`: usage or version, no call.
        inv.operations_known = true;
        return inv;
    };
    if a.no_call {
        inv.operations_known = true;
        return inv;
    }
    let resolved = resolve(service, operation, &a);
    inv.operations = resolved.operations;
    inv.operations_known = resolved.known;
    inv.destructive_hint = resolved.destructive;
    if let (Some(tail), Some(cmd)) = (resolved.lineage_tail, inv.cli_command.as_mut()) {
        cmd.push('.');
        cmd.push_str(&tail);
    }
    inv
}

fn resolve(service: &str, operation: Option<&str>, a: &CliArgs) -> Resolved {
    if let Some(r) = top_level(service, operation, a) {
        return r;
    }
    let Some(op) = operation else {
        // `aws ec2` alone prints usage.
        return Resolved::known(&[]);
    };
    if service == "s3" {
        return s3::resolve(op, &a.positionals[2..], a).unwrap_or_default();
    }
    if op == "wait" {
        let Some(waiter) = a.positionals.get(2) else {
            return Resolved::known(&[]);
        };
        let row = catalog().ok().and_then(|c| {
            c.waiter(service, waiter)
                .or_else(|| c.waiter(c.cli_service_for(service)?, waiter))
        });
        let mut r = match row {
            Some(w) => Resolved::known(&[(w.event_source, w.event_name)]),
            None => Resolved::partial(&[]),
        };
        r.lineage_tail = Some(waiter.clone());
        return r;
    }
    if let Some(r) = customization(service, op, a) {
        return r;
    }
    match lookup_row(service, op) {
        Some(row) => Resolved::known(&[(row.event_source, row.event_name)]),
        None => Resolved::partial(&[]),
    }
}

const CFN: &str = "cloudformation.amazonaws.com";
const S3: &str = "s3.amazonaws.com";
const SSO_OIDC: &str = "sso-oauth.amazonaws.com";

/// Commands of the CLI itself rather than of a service.
fn top_level(service: &str, operation: Option<&str>, a: &CliArgs) -> Option<Resolved> {
    Some(match (service, operation) {
        // awscli/customizations/configure: local files only, except `configure sso`.
        ("configure", Some("sso")) => Resolved::partial(&[
            (SSO_OIDC, "RegisterClient"),
            (SSO_OIDC, "StartDeviceAuthorization"),
            (SSO_OIDC, "CreateToken"),
            ("sso.amazonaws.com", "ListAccounts"),
            ("sso.amazonaws.com", "ListAccountRoles"),
        ]),
        ("configure" | "history", _) => Resolved::known(&[]),
        // CLI v2 `aws sso login`: OIDC client registration and token.
        ("sso", Some("login")) => Resolved::partial(&[
            (SSO_OIDC, "RegisterClient"),
            (SSO_OIDC, "StartDeviceAuthorization"),
            (SSO_OIDC, "CreateToken"),
        ]),
        // CLI v2 `aws login` (console credentials): signin CreateOAuth2Token.
        ("login", None) => Resolved::partial(&[("signin.amazonaws.com", "CreateOAuth2Token")]),
        ("logout", None) => Resolved::partial(&[]),
        // CLI v2 high-level DynamoDB commands.
        ("ddb", Some("select")) => {
            let name = if a.has("--key-condition") {
                "Query"
            } else {
                "Scan"
            };
            Resolved::known(&[("dynamodb.amazonaws.com", name)])
        }
        ("ddb", Some("put")) => Resolved::partial(&[
            ("dynamodb.amazonaws.com", "PutItem"),
            ("dynamodb.amazonaws.com", "BatchWriteItem"),
        ]),
        _ => return None,
    })
}

/// awscli customizations whose calls differ from their name.
fn customization(service: &str, op: &str, a: &CliArgs) -> Option<Resolved> {
    Some(match (service, op) {
        // customizations/cloudformation/deploy.py + deployer.py: has_stack,
        // create_change_set, wait change_set_create_complete, execute, wait stack.
        ("cloudformation", "deploy") => {
            let mut ops = vec![
                (CFN, "DescribeStacks"),
                (CFN, "CreateChangeSet"),
                (CFN, "DescribeChangeSet"),
            ];
            if !a.has("--no-execute-changeset") {
                ops.push((CFN, "ExecuteChangeSet"));
            }
            if a.has("--s3-bucket") {
                // S3Uploader: head_object unless --force-upload, then upload.
                ops.extend([(S3, "HeadObject"), (S3, "PutObject")]);
            }
            Resolved::known(&ops)
        }
        // customizations/cloudformation/package.py: artifacts uploaded via S3Uploader.
        ("cloudformation", "package") => {
            Resolved::partial(&[(S3, "HeadObject"), (S3, "PutObject")])
        }
        ("ecr", "get-login-password" | "get-login") => {
            Resolved::known(&[("ecr.amazonaws.com", "GetAuthorizationToken")])
        }
        ("ecr-public", "get-login-password") => {
            Resolved::known(&[("ecr-public.amazonaws.com", "GetAuthorizationToken")])
        }
        ("eks", "update-kubeconfig") => {
            Resolved::known(&[("eks.amazonaws.com", "DescribeCluster")])
        }
        // Presigns an STS GetCallerIdentity URL locally; nothing is sent.
        ("eks", "get-token") => Resolved::known(&[]),
        // CLI v2 `logs tail` pages FilterLogEvents (and keeps polling with --follow).
        ("logs", "tail") => Resolved::known(&[("logs.amazonaws.com", "FilterLogEvents")]),
        ("codeartifact", "login") => Resolved::known(&[
            ("codeartifact.amazonaws.com", "GetAuthorizationToken"),
            ("codeartifact.amazonaws.com", "GetRepositoryEndpoint"),
        ]),
        // customizations/emr/*.py
        ("emr", "create-cluster") => {
            Resolved::known(&[("elasticmapreduce.amazonaws.com", "RunJobFlow")])
        }
        ("emr", "terminate-clusters") => {
            Resolved::known(&[("elasticmapreduce.amazonaws.com", "TerminateJobFlows")])
                .destructive(true)
        }
        ("emr", "add-steps") => {
            Resolved::known(&[("elasticmapreduce.amazonaws.com", "AddJobFlowSteps")])
        }
        // customizations/codedeploy/push.py: upload the bundle, register the revision.
        ("deploy", "push") => Resolved::partial(&[
            (S3, "PutObject"),
            ("codedeploy.amazonaws.com", "RegisterApplicationRevision"),
        ]),
        // Signed locally.
        ("rds", "generate-db-auth-token") | ("cloudfront", "sign") => Resolved::known(&[]),
        _ => return None,
    })
}

/// Amazon Q `use_aws`-style call: service plus operation in kebab, snake or
/// CamelCase form.
pub fn analyse_structured(
    service_name: &str,
    operation_name: &str,
    region: Option<&str>,
    profile: Option<&str>,
) -> AwsInvocation {
    let service = service_name.trim().to_ascii_lowercase();
    let op_in = operation_name.trim();
    let op = if op_in.contains('_') {
        op_in.replace('_', "-").to_ascii_lowercase()
    } else if op_in.starts_with(|c: char| c.is_ascii_uppercase()) {
        catalog()
            .ok()
            .and_then(|c| c.by_event_name(&service, op_in))
            .map(|r| r.cli_operation.to_string())
            .unwrap_or_else(|| op_in.to_ascii_lowercase())
    } else {
        op_in.to_ascii_lowercase()
    };
    // `s3` means the high-level commands only when the operation is one.
    let cli_service = if service == "s3" && s3::is_high_level(&op) {
        service.clone()
    } else {
        lookup_row(&service, &op)
            .map(|r| r.cli_service.to_string())
            .unwrap_or(service.clone())
    };
    let raw = format!("use_aws {service_name} {operation_name}");
    let site = Site {
        raw: &raw,
        region: region.map(str::to_string),
        profile: profile.map(str::to_string),
    };
    analyse_cli("use_aws", &[cli_service, op], &site)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cli(cmd: &str) -> AwsInvocation {
        let words: Vec<String> = cmd.split_whitespace().map(str::to_string).collect();
        assert_eq!(words[0], "aws");
        analyse_cli(
            "aws",
            &words[1..],
            &Site {
                raw: cmd,
                ..Default::default()
            },
        )
    }

    fn names(inv: &AwsInvocation) -> Vec<&str> {
        inv.operations
            .iter()
            .map(|o| o.event_name.as_str())
            .collect()
    }

    #[test]
    fn global_options_anywhere() {
        let inv = cli(
            "aws --region eu-west-1 --output json ec2 describe-instances --profile dev --no-cli-pager --query Reservations[].Instances[] --debug",
        );
        assert_eq!(names(&inv), ["DescribeInstances"]);
        assert_eq!(inv.region.as_deref(), Some("eu-west-1"));
        assert_eq!(inv.profile.as_deref(), Some("dev"));
        assert_eq!(inv.cli_command.as_deref(), Some("ec2.describe-instances"));
        assert!(inv.operations_known && !inv.destructive_hint);
        let inv = cli(
            "aws ec2 describe-instances --region=us-east-2 --endpoint-url http://localhost:4566",
        );
        assert_eq!(inv.region.as_deref(), Some("us-east-2"));
        let a = parse_args(&[
            "s3".into(),
            "ls".into(),
            "--endpoint-url".into(),
            "http://x".into(),
        ]);
        assert_eq!(a.endpoint_url.as_deref(), Some("http://x"));
    }

    #[test]
    fn site_region_and_profile_are_defaults() {
        let site = Site {
            raw: "x",
            region: Some("ap-south-1".into()),
            profile: Some("p".into()),
        };
        let inv = analyse_cli("aws", &["sts".into(), "get-caller-identity".into()], &site);
        assert_eq!(
            (inv.region.as_deref(), inv.profile.as_deref()),
            (Some("ap-south-1"), Some("p"))
        );
        let args: Vec<String> = ["sts", "get-caller-identity", "--region", "us-west-2"]
            .map(String::from)
            .into();
        let inv = analyse_cli("aws", &args, &site);
        assert_eq!(inv.region.as_deref(), Some("us-west-2"));
    }

    #[test]
    fn dry_run_and_destructive() {
        let inv = cli("aws ec2 terminate-instances --instance-ids i-1 --dry-run");
        assert_eq!(names(&inv), ["TerminateInstances"]);
        assert!(inv.dry_run && inv.destructive_hint);
        let inv = cli("aws cloudformation delete-stack --stack-name s");
        assert!(inv.destructive_hint);
        let inv = cli("aws iam list-roles");
        assert!(!inv.destructive_hint && !inv.dry_run);
        assert!(is_destructive_name("DeleteBucket") && is_destructive_name("DeregisterImage"));
        assert!(!is_destructive_name("Deletex") && !is_destructive_name("DescribeInstances"));
    }

    #[test]
    fn help_and_skeletons_make_no_call() {
        for cmd in [
            "aws help",
            "aws ec2 help",
            "aws ec2 run-instances help",
            "aws ec2 run-instances --generate-cli-skeleton",
            "aws ec2 run-instances --generate-cli-skeleton output",
            "aws --version",
            "aws",
            "aws ec2",
            "aws configure set region us-east-1",
        ] {
            let inv = cli(cmd);
            assert!(
                inv.operations.is_empty() && inv.operations_known,
                "{cmd}: {inv:?}"
            );
        }
    }

    #[test]
    fn unknown_operation_is_kept_as_unknown() {
        let inv = cli("aws ec2 frobnicate-things");
        assert!(inv.operations.is_empty() && !inv.operations_known);
        assert_eq!(inv.cli_command.as_deref(), Some("ec2.frobnicate-things"));
    }

    #[test]
    fn waiters_poll_their_describe_call() {
        let inv = cli("aws ec2 wait instance-running --instance-ids i-1");
        assert_eq!(names(&inv), ["DescribeInstances"]);
        assert_eq!(
            inv.cli_command.as_deref(),
            Some("ec2.wait.instance-running")
        );
        let inv = cli("aws cloudformation wait stack-create-complete --stack-name s");
        assert_eq!(names(&inv), ["DescribeStacks"]);
        let inv = cli("aws s3api wait bucket-exists --bucket b");
        assert_eq!(names(&inv), ["HeadBucket"]);
        assert!(!cli("aws ec2 wait no-such-waiter").operations_known);
    }

    #[test]
    fn customizations() {
        let inv = cli(
            "aws cloudformation deploy --template-file t.yaml --stack-name s --capabilities CAPABILITY_IAM",
        );
        assert_eq!(
            names(&inv),
            [
                "DescribeStacks",
                "CreateChangeSet",
                "DescribeChangeSet",
                "ExecuteChangeSet"
            ]
        );
        let inv = cli(
            "aws cloudformation deploy --template-file t.yaml --stack-name s --no-execute-changeset --s3-bucket b",
        );
        assert_eq!(
            names(&inv),
            [
                "DescribeStacks",
                "CreateChangeSet",
                "DescribeChangeSet",
                "HeadObject",
                "PutObject"
            ]
        );
        let inv = cli("aws ecr get-login-password --region us-east-1");
        assert_eq!(
            inv.operations,
            [Operation::new("ecr.amazonaws.com", "GetAuthorizationToken")]
        );
        let inv = cli("aws logs tail /aws/lambda/f --follow");
        assert_eq!(
            inv.operations,
            [Operation::new("logs.amazonaws.com", "FilterLogEvents")]
        );
        let inv = cli("aws eks update-kubeconfig --name c");
        assert_eq!(
            inv.operations,
            [Operation::new("eks.amazonaws.com", "DescribeCluster")]
        );
        let inv = cli("aws sts get-caller-identity");
        assert_eq!(
            inv.operations,
            [Operation::new("sts.amazonaws.com", "GetCallerIdentity")]
        );
        let inv = cli("aws emr terminate-clusters --cluster-ids j-1");
        assert_eq!(names(&inv), ["TerminateJobFlows"]);
        assert!(inv.destructive_hint);
        let inv = cli("aws sso login --profile x");
        assert_eq!(inv.operations[0].event_source, "sso-oauth.amazonaws.com");
        let inv = cli("aws sso logout");
        assert_eq!(
            inv.operations,
            [Operation::new("sso.amazonaws.com", "Logout")]
        );
        assert!(
            cli("aws eks get-token --cluster-name c")
                .operations
                .is_empty()
        );
    }

    #[test]
    fn lambda_create_function_is_its_api_name() {
        let inv = cli(
            "aws lambda create-function --function-name f --runtime python3.12 --role r --handler h --zip-file fileb://f.zip",
        );
        assert_eq!(
            inv.operations,
            [Operation::new("lambda.amazonaws.com", "CreateFunction")]
        );
        assert!(inv.operations[0].matches("lambda.amazonaws.com", "CreateFunction20150331"));
    }

    #[test]
    fn structured_calls_in_any_case() {
        for op in ["list-buckets", "list_buckets", "ListBuckets"] {
            let inv = analyse_structured("s3", op, Some("us-east-1"), Some("dev"));
            assert_eq!(
                inv.operations,
                [Operation::new("s3.amazonaws.com", "ListBuckets")],
                "{op}"
            );
            assert_eq!(inv.cli_command.as_deref(), Some("s3api.list-buckets"));
            assert_eq!(inv.tool, "use_aws");
            assert_eq!(
                (inv.region.as_deref(), inv.profile.as_deref()),
                (Some("us-east-1"), Some("dev"))
            );
        }
        let inv = analyse_structured("rds", "describe_db_instances", None, None);
        assert_eq!(
            inv.operations,
            [Operation::new("rds.amazonaws.com", "DescribeDBInstances")]
        );
        let inv = analyse_structured("ec2", "TerminateInstances", None, None);
        assert_eq!(
            inv.operations,
            [Operation::new("ec2.amazonaws.com", "TerminateInstances")]
        );
        assert!(inv.destructive_hint);
        let inv = analyse_structured("s3", "ls", None, None);
        assert_eq!(
            inv.operations,
            [Operation::new("s3.amazonaws.com", "ListBuckets")]
        );
        let inv = analyse_structured("codedeploy", "list_applications", None, None);
        assert_eq!(inv.cli_command.as_deref(), Some("deploy.list-applications"));
        let inv = analyse_structured("nosuch", "do_it", None, None);
        assert!(!inv.operations_known);
    }
}
