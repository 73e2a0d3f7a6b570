//! Programs other than the AWS CLI that call AWS: IaC tools, container
//! registries, SDK scripts; and the common programs that never do.
//!
//! For most of these the exact calls depend on files we cannot see (a
//! Terraform plan, a CDK app, a boto3 script), so the invocation says "touches
//! AWS" with `operations_known: false` and lists only calls the tool always
//! makes. Subcommands that work offline (`terraform fmt`, `cdk synth`,
//! `sam build`) yield nothing. A program we do not know yields an unknown
//! invocation only when its command line mentions AWS.

use super::AwsInvocation;
use super::aws_cli::{self, Resolved, Site};
use super::dispatch::mentions_aws;

const CFN: &str = "cloudformation.amazonaws.com";
const S3: &str = "s3.amazonaws.com";
const ECR: &str = "ecr.amazonaws.com";

/// Programs that never call AWS themselves, whatever their arguments say.
const NEVER_AWS: &[&str] = &[
    "ls",
    "cat",
    "echo",
    "printf",
    "grep",
    "egrep",
    "fgrep",
    "rg",
    "ag",
    "ack",
    "git",
    "gh",
    "cargo",
    "rustc",
    "rustup",
    "npm",
    "yarn",
    "pnpm",
    "pip",
    "pip3",
    "brew",
    "apt",
    "apt-get",
    "yum",
    "dnf",
    "apk",
    "mkdir",
    "rmdir",
    "rm",
    "cp",
    "mv",
    "ln",
    "touch",
    "chmod",
    "chown",
    "chgrp",
    "which",
    "whereis",
    "type",
    "file",
    "stat",
    "du",
    "df",
    "head",
    "tail",
    "less",
    "more",
    "wc",
    "sort",
    "uniq",
    "cut",
    "tr",
    "tee",
    "diff",
    "cmp",
    "comm",
    "sed",
    "awk",
    "gawk",
    "jq",
    "yq",
    "find",
    "fd",
    "tree",
    "realpath",
    "dirname",
    "basename",
    "readlink",
    "date",
    "sleep",
    "true",
    "false",
    "test",
    "[",
    "[[",
    "alias",
    "history",
    "clear",
    "man",
    "help",
    "vim",
    "vi",
    "nvim",
    "nano",
    "emacs",
    "code",
    "open",
    "xdg-open",
    "tar",
    "zip",
    "unzip",
    "gzip",
    "gunzip",
    "zcat",
    "bzip2",
    "xz",
    "base64",
    "md5sum",
    "sha256sum",
    "shasum",
    "openssl",
    "ssh-keygen",
    "kill",
    "pkill",
    "ps",
    "top",
    "htop",
    "lsof",
    "printenv",
    "id",
    "whoami",
    "hostname",
    "uname",
    "kubectl",
    "helm",
    "k9s",
    "pytest",
    "tflint",
    "cfn-lint",
    "checkov",
    "tfsec",
    "black",
    "ruff",
    "mypy",
    "eslint",
    "prettier",
    "shellcheck",
    "pwd",
    "read",
];

/// An invocation that touches AWS in ways we cannot enumerate.
pub fn unknown(tool: &str, raw: &str, site: &Site) -> AwsInvocation {
    AwsInvocation {
        tool: tool.to_string(),
        raw: raw.to_string(),
        region: site.region.clone(),
        profile: site.profile.clone(),
        operations_known: false,
        ..Default::default()
    }
}

fn invocation(tool: &str, r: Resolved, site: &Site) -> AwsInvocation {
    AwsInvocation {
        tool: tool.to_string(),
        operations: r.operations,
        operations_known: r.known,
        destructive_hint: r.destructive,
        region: site.region.clone(),
        profile: site.profile.clone(),
        raw: site.raw.to_string(),
        ..Default::default()
    }
}

/// First argument that is not an option (`terraform -chdir=x apply` → apply).
fn subcommand(args: &[String]) -> Option<&str> {
    args.iter()
        .map(String::as_str)
        .find(|a| !a.starts_with('-'))
}

fn has(args: &[String], flag: &str) -> bool {
    args.iter().any(|a| {
        a == flag
            || a.strip_prefix(flag)
                .is_some_and(|rest| rest.starts_with('='))
    })
}

/// `prog args...` for every program except the AWS CLI. `aws_env_prefix`:
/// the command set an `AWS_*` variable for itself.
pub fn analyse(
    prog: &str,
    args: &[String],
    stdin_bodies: &[String],
    site: &Site,
    aws_env_prefix: bool,
) -> Option<AwsInvocation> {
    match prog {
        "terraform" | "tofu" | "terragrunt" => terraform(prog, args, site),
        "cdk" | "aws-cdk" | "cdklocal" => cdk(args, site),
        "sam" => sam(args, site),
        "eksctl" => eksctl(args, site),
        "pulumi" => pulumi(args, site),
        "serverless" | "sls" | "copilot" | "amplify" | "chalice" | "zappa" | "cdktf" => {
            generic_deployer(prog, args, site)
        }
        "docker" | "podman" | "finch" | "nerdctl" => container(prog, args, site),
        p if is_python(p) => python(prog, args, stdin_bodies, site),
        "node" | "ts-node" | "tsx" | "deno" | "bun" | "ruby" | "perl" | "php" | "go" | "java" => {
            script_runtime(prog, args, stdin_bodies, site)
        }
        p if NEVER_AWS.contains(&p) => None,
        _ => {
            let mentioned =
                aws_env_prefix || mentions_aws(prog) || args.iter().any(|a| mentions_aws(a));
            mentioned.then(|| unknown(prog, site.raw, site))
        }
    }
}

fn is_python(p: &str) -> bool {
    p == "python"
        || p == "py"
        || p.strip_prefix("python")
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn terraform(prog: &str, args: &[String], site: &Site) -> Option<AwsInvocation> {
    // Subcommands whose providers or state backend reach AWS.
    const TOUCHING: &[&str] = &[
        "apply", "destroy", "plan", "import", "refresh", "state", "console", "test", "run-all",
        "run",
    ];
    let words: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect();
    // terragrunt: `run-all apply`, `run -- apply`; the real verb comes later.
    let verb = words.iter().copied().find(|w| TOUCHING.contains(w))?;
    if verb == "run-all" || verb == "run" {
        words
            .iter()
            .copied()
            .find(|w| TOUCHING.contains(w) && *w != "run-all" && *w != "run")?;
    }
    let destructive = words.contains(&"destroy") || has(args, "-destroy") || has(args, "--destroy");
    Some(invocation(
        prog,
        Resolved::partial(&[]).destructive(destructive),
        site,
    ))
}

fn cdk(args: &[String], site: &Site) -> Option<AwsInvocation> {
    let r = match subcommand(args)? {
        // cdk-cli deploys through change sets, assuming the bootstrap roles.
        "deploy" => Resolved::partial(&[
            ("sts.amazonaws.com", "AssumeRole"),
            (CFN, "DescribeStacks"),
            (CFN, "CreateChangeSet"),
            (CFN, "DescribeChangeSet"),
            (CFN, "ExecuteChangeSet"),
            (CFN, "DescribeStackEvents"),
        ]),
        "destroy" => {
            Resolved::partial(&[(CFN, "DescribeStacks"), (CFN, "DeleteStack")]).destructive(true)
        }
        "bootstrap" => Resolved::partial(&[
            (CFN, "DescribeStacks"),
            (CFN, "CreateChangeSet"),
            (CFN, "DescribeChangeSet"),
            (CFN, "ExecuteChangeSet"),
        ]),
        "diff" | "drift" => Resolved::partial(&[(CFN, "DescribeStacks"), (CFN, "GetTemplate")]),
        "import" | "watch" | "rollback" | "migrate" | "gc" | "refactor" | "publish-assets" => {
            Resolved::partial(&[])
        }
        _ => return None, // synth, ls, init, doctor, context, docs, ...
    };
    Some(invocation("cdk", r, site))
}

fn sam(args: &[String], site: &Site) -> Option<AwsInvocation> {
    let r = match subcommand(args)? {
        "deploy" => Resolved::partial(&[
            (CFN, "DescribeStacks"),
            (CFN, "CreateChangeSet"),
            (CFN, "DescribeChangeSet"),
            (CFN, "ExecuteChangeSet"),
            (CFN, "DescribeStackEvents"),
        ]),
        "delete" => {
            Resolved::partial(&[(CFN, "DescribeStacks"), (CFN, "DeleteStack")]).destructive(true)
        }
        "logs" => Resolved::partial(&[("logs.amazonaws.com", "FilterLogEvents")]),
        "package" => Resolved::partial(&[(S3, "HeadObject"), (S3, "PutObject")]),
        "sync" | "remote" | "traces" | "pipeline" | "list" | "bootstrap" => Resolved::partial(&[]),
        _ => return None, // build, init, local, validate
    };
    Some(invocation("sam", r, site))
}

fn eksctl(args: &[String], site: &Site) -> Option<AwsInvocation> {
    let words: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let r = match words.first().copied()? {
        // eksctl provisions through CloudFormation stacks.
        "create" => Resolved::partial(&[(CFN, "CreateStack"), (CFN, "DescribeStacks")]),
        "delete" => {
            Resolved::partial(&[(CFN, "DescribeStacks"), (CFN, "DeleteStack")]).destructive(true)
        }
        "version" | "completion" | "info" | "help" => return None,
        _ => Resolved::partial(&[]),
    };
    Some(invocation("eksctl", r, site))
}

fn pulumi(args: &[String], site: &Site) -> Option<AwsInvocation> {
    let verb = subcommand(args)?;
    if !matches!(
        verb,
        "up" | "update" | "preview" | "destroy" | "refresh" | "import" | "watch"
    ) {
        return None;
    }
    Some(invocation(
        "pulumi",
        Resolved::partial(&[]).destructive(verb == "destroy"),
        site,
    ))
}

fn generic_deployer(prog: &str, args: &[String], site: &Site) -> Option<AwsInvocation> {
    let verb = subcommand(args)?;
    if matches!(
        verb,
        "help"
            | "version"
            | "--version"
            | "init"
            | "new"
            | "create"
            | "package"
            | "print"
            | "plugin"
            | "synth"
            | "get"
    ) {
        return None;
    }
    let destructive = matches!(
        verb,
        "remove" | "delete" | "destroy" | "undeploy" | "teardown"
    );
    Some(invocation(
        prog,
        Resolved::partial(&[]).destructive(destructive),
        site,
    ))
}

/// `docker push/pull <account>.dkr.ecr.<region>.amazonaws.com/repo:tag`: ECR
/// logs the registry API calls the Docker client makes.
fn container(prog: &str, args: &[String], site: &Site) -> Option<AwsInvocation> {
    let verb = subcommand(args)?;
    // docker run [opts] amazon/aws-cli <aws args>
    if verb == "run"
        && let Some(at) = args
            .iter()
            .position(|a| a.starts_with("amazon/aws-cli") || a.contains("/amazon/aws-cli"))
    {
        let mut site = site.clone();
        for pair in args[..at]
            .windows(2)
            .filter(|w| w[0] == "-e" || w[0] == "--env")
        {
            match pair[1].split_once('=') {
                Some(("AWS_PROFILE", v)) => site.profile = Some(v.to_string()),
                Some(("AWS_REGION" | "AWS_DEFAULT_REGION", v)) => site.region = Some(v.to_string()),
                _ => {}
            }
        }
        let mut inv = aws_cli::analyse_cli("aws", &args[at + 1..], &site);
        inv.tool = prog.to_string();
        return Some(inv);
    }
    let image = args
        .iter()
        .find(|a| a.contains(".dkr.ecr.") && a.contains(".amazonaws.com"))?;
    let r = match verb {
        "push" => Resolved::known(&[
            (ECR, "BatchCheckLayerAvailability"),
            (ECR, "InitiateLayerUpload"),
            (ECR, "UploadLayerPart"),
            (ECR, "CompleteLayerUpload"),
            (ECR, "PutImage"),
        ]),
        "pull" | "run" | "create" => {
            Resolved::known(&[(ECR, "BatchGetImage"), (ECR, "GetDownloadUrlForLayer")])
        }
        _ => return None,
    };
    let mut inv = invocation(prog, r, site);
    // 123456789012.dkr.ecr.eu-west-1.amazonaws.com/repo
    if let Some(region) = image
        .split(".dkr.ecr.")
        .nth(1)
        .and_then(|rest| rest.split('.').next())
    {
        inv.region = Some(region.to_string());
    }
    Some(inv)
}

fn python(
    prog: &str,
    args: &[String],
    stdin_bodies: &[String],
    site: &Site,
) -> Option<AwsInvocation> {
    // python -m awscli ... is the AWS CLI.
    if let Some(m) = args.iter().position(|a| a == "-m")
        && args.get(m + 1).is_some_and(|x| x == "awscli")
    {
        let mut inv = aws_cli::analyse_cli("aws", &args[m + 2..], site);
        inv.tool = prog.to_string();
        return Some(inv);
    }
    script_runtime(prog, args, stdin_bodies, site)
}

/// An interpreter running inline code (`-c`, `-e`), a heredoc or a script
/// file: AWS only if the code or the command line mentions it.
fn script_runtime(
    prog: &str,
    args: &[String],
    stdin_bodies: &[String],
    site: &Site,
) -> Option<AwsInvocation> {
    let mentioned =
        args.iter().any(|a| mentions_aws(a)) || stdin_bodies.iter().any(|b| mentions_aws(b));
    mentioned.then(|| unknown(prog, site.raw, site))
}

#[cfg(test)]
mod tests {
    use super::super::{CommandContext, Operation, analyse_command};

    fn one(cmd: &str) -> super::AwsInvocation {
        let a = analyse_command(cmd, &CommandContext::default());
        assert_eq!(a.invocations.len(), 1, "{cmd}: {a:?}");
        assert!(a.touches_aws);
        a.invocations.into_iter().next().unwrap()
    }

    fn none(cmd: &str) {
        let a = analyse_command(cmd, &CommandContext::default());
        assert!(a.invocations.is_empty() && !a.touches_aws, "{cmd}: {a:?}");
    }

    #[test]
    fn terraform_touches_aws_with_unknown_calls() {
        let t = one("terraform apply -auto-approve");
        assert_eq!(t.tool, "terraform");
        assert!(!t.operations_known && t.operations.is_empty() && !t.destructive_hint);
        assert!(
            analyse_command("terraform plan -out tf.plan", &CommandContext::default()).unknown_aws
        );
        assert!(one("terraform destroy -auto-approve").destructive_hint);
        assert!(one("terraform -chdir=infra apply -destroy").destructive_hint);
        assert!(!one("terraform import aws_s3_bucket.b my-bucket").destructive_hint);
        assert!(one("terragrunt run-all destroy").destructive_hint);
        assert_eq!(
            one("AWS_PROFILE=prod tofu plan").profile.as_deref(),
            Some("prod")
        );
        none("terraform fmt -recursive");
        none("terraform validate");
        none("terraform init -upgrade");
    }

    #[test]
    fn cdk_sam_eksctl_pulumi() {
        let c = one("npx cdk deploy --all --require-approval never");
        assert_eq!(c.tool, "cdk");
        assert!(c.operations.contains(&Operation::new(
            "cloudformation.amazonaws.com",
            "ExecuteChangeSet"
        )));
        assert!(!c.operations_known);
        let d = one("cdk destroy MyStack --force");
        assert!(
            d.destructive_hint
                && d.operations.contains(&Operation::new(
                    "cloudformation.amazonaws.com",
                    "DeleteStack"
                ))
        );
        none("cdk synth");
        let s = one("sam deploy --guided");
        assert!(s.operations.contains(&Operation::new(
            "cloudformation.amazonaws.com",
            "CreateChangeSet"
        )));
        assert!(one("sam delete --stack-name x --no-prompts").destructive_hint);
        none("sam build --use-container");
        let e = one("eksctl create cluster --name c --region us-west-2");
        assert!(e.operations.contains(&Operation::new(
            "cloudformation.amazonaws.com",
            "CreateStack"
        )));
        assert!(one("eksctl delete cluster --name c").destructive_hint);
        assert!(one("pulumi destroy --yes").destructive_hint);
        assert!(!one("pulumi up --yes").operations_known);
        none("pulumi stack ls");
        assert!(one("serverless remove --stage dev").destructive_hint);
    }

    #[test]
    fn scripts_that_mention_boto3_or_aws() {
        let p = one("python3 -c 'import boto3; boto3.client(\"s3\").delete_bucket(Bucket=\"x\")'");
        assert_eq!(p.tool, "python3");
        assert!(!p.operations_known);
        let p = one("uv run python scripts/cleanup_aws.py --dry-run");
        assert_eq!(p.tool, "python");
        one("python <<'EOF'\nimport boto3\nprint(boto3.client('sts').get_caller_identity())\nEOF");
        none("python -c 'print(1)'");
        none("python manage.py migrate");
        let cli = one("python -m awscli s3 ls");
        assert_eq!(
            cli.operations,
            [Operation::new("s3.amazonaws.com", "ListBuckets")]
        );
        one("node deploy.js --bucket s3://x");
    }

    #[test]
    fn docker_push_to_ecr() {
        let d = one("docker push 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.2");
        assert!(d.operations_known);
        assert!(
            d.operations
                .contains(&Operation::new("ecr.amazonaws.com", "PutImage"))
        );
        assert_eq!(d.region.as_deref(), Some("eu-west-1"));
        none("docker push ghcr.io/me/app:1");
        let c = one(
            "docker run --rm -v ~/.aws:/root/.aws -e AWS_PROFILE=ci amazon/aws-cli:2.15.0 s3 ls",
        );
        assert_eq!(
            c.operations,
            [Operation::new("s3.amazonaws.com", "ListBuckets")]
        );
        assert_eq!(
            (c.tool.as_str(), c.profile.as_deref()),
            ("docker", Some("ci"))
        );
        none("docker build -t app .");
    }

    #[test]
    fn unknown_programs_only_when_they_mention_aws() {
        none("make test");
        let u = one("./bin/rotate-keys --aws-profile prod");
        assert!(!u.operations_known);
        assert_eq!(u.tool, "rotate-keys");
        let c = one("curl -s https://my-bucket.s3.amazonaws.com/index.html");
        assert_eq!(c.tool, "curl");
    }
}
