//! The repertoire of AWS commands agents run in their sessions: single API
//! calls (some ending in AccessDenied, a dry run or a missing resource),
//! commands that fail before reaching AWS, and commands that fan out into
//! many events (`aws s3 sync`, `aws s3 rb --force`, `aws logs tail`,
//! waiters, `terraform plan/apply`). Each returns the tool calls it takes
//! (usually one) as `Planned` values.

mod s3_fanout;

use crate::rng::Rng;
use crate::scenario::agent_commands::{
    AwsCmd, Env, One, Planned, Target, ev, fanout, no_credentials, single,
};
use crate::scenario::cast::{ACCOUNTS, REGIONS};
use crate::scenario::ops::O;
use crate::scenario::spec::Err;

/// A command template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum T {
    Identity,
    S3Ls,
    S3LsPrefix,
    S3CpDown,
    S3CpUp,
    LambdaGet,
    LambdaList,
    LambdaConfig,
    LogsTail,
    LogsFilter,
    CfnDescribe,
    CfnEvents,
    Ec2Describe,
    Ec2Sg,
    Ec2DryRun,
    DdbDescribe,
    SqsAttrs,
    SsmGet,
    SecretGet,
    IamRole,
    IamPolicies,
    Metrics,
    LambdaUpdateCode,
    LambdaConfigDenied,
    EcrLogin,
    S3Sync,
    S3ScratchCycle,
    TfPlan,
    TfApply,
    TfDestroy,
    S3RmRecursive,
    CfnWait,
    NoCreds,
    NotFound,
}

impl T {
    /// Templates that are one API call (usable as `use_aws` or through the
    /// MCP server).
    pub(crate) fn is_api_call(self) -> bool {
        !matches!(
            self,
            T::S3Ls
                | T::S3LsPrefix
                | T::S3CpDown
                | T::S3CpUp
                | T::LogsTail
                | T::EcrLogin
                | T::S3Sync
                | T::S3ScratchCycle
                | T::TfPlan
                | T::TfApply
                | T::TfDestroy
                | T::S3RmRecursive
                | T::CfnWait
                | T::NoCreds
        )
    }
}

/// The tool calls template `t` takes, in order.
pub(crate) fn plan(t: T, rng: &mut Rng, env: &Env, tg: &Target<'_>) -> Vec<Planned> {
    let acct_id = ACCOUNTS[env.acct as usize].id;
    let region = REGIONS[env.region as usize];
    let one = |rng: &mut Rng, cmd: AwsCmd, op: O, res: String, err: Err, out: &str, d: &str| {
        single(
            rng,
            One {
                env,
                cmd,
                op,
                res,
                aux: String::new(),
                err,
                output: out.to_string(),
                description: d,
            },
        )
    };
    let p = match t {
        T::Identity => one(
            rng,
            AwsCmd::new("sts", "get-caller-identity"),
            O::GetCallerIdentity,
            String::new(),
            Err::None,
            &format!("{{\n    \"UserId\": \"AROA…\",\n    \"Account\": \"{acct_id}\"\n}}\n"),
            "Check which AWS identity is active",
        ),
        T::S3Ls => {
            let cmd = AwsCmd::new("s3", "ls");
            let mut p = one(
                rng,
                cmd,
                O::ListBuckets,
                String::new(),
                Err::None,
                "2025-03-14 10:22:31 acme-assets\n",
                "List S3 buckets",
            );
            p.structured = None;
            p.mcp_command = None;
            p
        }
        T::S3LsPrefix => {
            let b = tg.bucket(rng);
            let prefix = *rng.pick(&["reports/", "builds/", "exports/2025/", ""]);
            let cmd = AwsCmd::new("s3", "ls").pos(&format!("s3://{b}/{prefix}"));
            let e = ev(env, O::ListObjects, &b, prefix, Err::None, "s3.ls");
            fanout(
                cmd.shell(env),
                vec![e],
                "                           PRE 2025/\n".into(),
                900,
                "List objects",
            )
        }
        T::S3CpDown => {
            let b = tg.bucket(rng);
            let key = format!("reports/{}.csv", rng.hex(8));
            let cmd = AwsCmd::new("s3", "cp")
                .pos(&format!("s3://{b}/{key}"))
                .pos("/tmp/report.csv");
            let evs = vec![
                ev(env, O::HeadObject, &b, &key, Err::None, "s3.cp"),
                ev(env, O::GetObject, &b, &key, Err::None, "s3.cp"),
            ];
            fanout(
                cmd.shell(env),
                evs,
                format!("download: s3://{b}/{key} to ../../tmp/report.csv\n"),
                1500,
                "Download the report",
            )
        }
        T::S3CpUp => {
            let b = tg.bucket(rng);
            let key = format!("tmp/{}.json", rng.hex(8));
            let cmd = AwsCmd::new("s3", "cp")
                .pos("out/result.json")
                .pos(&format!("s3://{b}/{key}"));
            let evs = vec![ev(env, O::PutObject, &b, &key, Err::None, "s3.cp")];
            fanout(
                cmd.shell(env),
                evs,
                format!("upload: out/result.json to s3://{b}/{key}\n"),
                1200,
                "Upload the result",
            )
        }
        T::LambdaGet => {
            let f = tg.function(rng);
            let cmd = AwsCmd::new("lambda", "get-function").arg("function-name", &f);
            one(
                rng,
                cmd,
                O::GetFunction,
                f,
                Err::None,
                "{\n    \"Configuration\": {\n        \"Runtime\": \"python3.12\"\n    }\n}\n",
                "Inspect the Lambda function",
            )
        }
        T::LambdaList => {
            let cmd =
                AwsCmd::new("lambda", "list-functions").arg("query", "Functions[].FunctionName");
            one(
                rng,
                cmd,
                O::ListFunctions,
                String::new(),
                Err::None,
                "[\n    \"billing-api\"\n]\n",
                "List Lambda functions",
            )
        }
        T::LambdaConfig => {
            let f = tg.function(rng);
            let cmd = AwsCmd::new("lambda", "get-function-configuration").arg("function-name", &f);
            one(
                rng,
                cmd,
                O::GetFunctionConfiguration,
                f,
                Err::None,
                "{\n    \"Timeout\": 30,\n    \"MemorySize\": 512\n}\n",
                "Read the function configuration",
            )
        }
        T::LogsTail => {
            let f = tg.function(rng);
            let g = format!("/aws/lambda/{f}");
            let cmd = AwsCmd::new("logs", "tail").pos(&g).arg("since", "1h");
            let pages = 1 + rng.below(3) as usize;
            let evs = (0..pages)
                .map(|_| ev(env, O::FilterLogEvents, &g, "", Err::None, "logs.tail"))
                .collect();
            fanout(
                cmd.shell(env),
                evs,
                "2025-12-09T14:02:11 ERROR Task timed out after 30.03 seconds\n".into(),
                1500 + pages as i64 * 700,
                "Tail the function's logs",
            )
        }
        T::LogsFilter => {
            let f = tg.function(rng);
            let g = format!("/aws/lambda/{f}");
            let cmd = AwsCmd::new("logs", "filter-log-events")
                .arg("log-group-name", &g)
                .arg("filter-pattern", "ERROR")
                .arg("limit", "50");
            one(
                rng,
                cmd,
                O::FilterLogEvents,
                g,
                Err::None,
                "{\n    \"events\": []\n}\n",
                "Search the logs for errors",
            )
        }
        T::CfnDescribe => {
            let s = tg.stack(rng);
            let cmd = AwsCmd::new("cloudformation", "describe-stacks").arg("stack-name", &s);
            one(
                rng,
                cmd,
                O::DescribeStacks,
                s,
                Err::None,
                "{\n    \"Stacks\": [ { \"StackStatus\": \"UPDATE_COMPLETE\" } ]\n}\n",
                "Check the stack status",
            )
        }
        T::CfnEvents => {
            let s = tg.stack(rng);
            let cmd = AwsCmd::new("cloudformation", "describe-stack-events")
                .arg("stack-name", &s)
                .arg("max-items", "20");
            one(
                rng,
                cmd,
                O::DescribeStackEvents,
                s,
                Err::None,
                "{\n    \"StackEvents\": []\n}\n",
                "Read recent stack events",
            )
        }
        T::Ec2Describe => {
            let mut cmd = AwsCmd::new("ec2", "describe-instances")
                .arg("filters", "Name=tag:App,Values=billing");
            if rng.chance(0.3) {
                cmd = cmd.region(1 - env.region.min(1));
            }
            let mut p = one(
                rng,
                cmd,
                O::DescribeInstances,
                String::new(),
                Err::None,
                "{\n    \"Reservations\": []\n}\n",
                "List the billing instances",
            );
            if let Some(r) = p.structured.as_ref().map(|s| s.region.clone()) {
                p.events[0].region = REGIONS.iter().position(|x| *x == r).unwrap_or(0) as u8;
            }
            p
        }
        T::Ec2Sg => {
            let sg = tg.sg();
            let cmd = AwsCmd::new("ec2", "describe-security-groups").arg("group-ids", &sg);
            one(
                rng,
                cmd,
                O::DescribeSecurityGroups,
                sg,
                Err::None,
                "{\n    \"SecurityGroups\": []\n}\n",
                "Inspect the security group",
            )
        }
        T::Ec2DryRun => {
            let ami = format!("ami-0{}", rng.hex(16));
            let cmd = AwsCmd::new("ec2", "run-instances")
                .arg("image-id", &ami)
                .arg("instance-type", "t3.micro")
                .arg("subnet-id", &tg.subnet())
                .flag("dry-run");
            one(
                rng,
                cmd,
                O::RunInstances,
                String::new(),
                Err::DryRun,
                "",
                "Check permissions with a dry run",
            )
        }
        T::DdbDescribe => {
            let tb = tg.table();
            let cmd = AwsCmd::new("dynamodb", "describe-table").arg("table-name", &tb);
            one(
                rng,
                cmd,
                O::DescribeTable,
                tb,
                Err::None,
                "{\n    \"Table\": { \"TableStatus\": \"ACTIVE\" }\n}\n",
                "Describe the table",
            )
        }
        T::SqsAttrs => {
            let q = tg.queue();
            let url = format!("https://sqs.{region}.amazonaws.com/{acct_id}/{q}");
            let cmd = AwsCmd::new("sqs", "get-queue-attributes")
                .arg("queue-url", &url)
                .arg("attribute-names", "All");
            one(
                rng,
                cmd,
                O::GetQueueAttributes,
                q,
                Err::None,
                "{\n    \"Attributes\": { \"ApproximateNumberOfMessages\": \"0\" }\n}\n",
                "Check the queue depth",
            )
        }
        T::SsmGet => {
            let p = tg.param();
            let cmd = AwsCmd::new("ssm", "get-parameter").arg("name", &p);
            one(
                rng,
                cmd,
                O::GetParameter,
                p,
                Err::None,
                "{\n    \"Parameter\": { \"Type\": \"String\" }\n}\n",
                "Read the configuration parameter",
            )
        }
        T::SecretGet => {
            let s = tg.secret();
            let cmd = AwsCmd::new("secretsmanager", "describe-secret").arg("secret-id", &s);
            let err = if env.acct == crate::scenario::cast::PROD {
                Err::AccessDenied
            } else {
                Err::None
            };
            one(
                rng,
                cmd,
                O::DescribeSecret,
                s,
                err,
                "{\n    \"Name\": \"db\"\n}\n",
                "Look at the database secret",
            )
        }
        T::IamRole => {
            let r = tg.role(rng);
            let cmd = AwsCmd::new("iam", "get-role").arg("role-name", &r);
            let err = if env.profiles[env.acct as usize].is_none() {
                Err::AccessDenied
            } else {
                Err::None
            };
            one(
                rng,
                cmd,
                O::GetRole,
                r,
                err,
                "{\n    \"Role\": {}\n}\n",
                "Inspect the execution role",
            )
        }
        T::IamPolicies => {
            let r = tg.role(rng);
            let cmd = AwsCmd::new("iam", "list-attached-role-policies").arg("role-name", &r);
            let err = if env.profiles[env.acct as usize].is_none() {
                Err::AccessDenied
            } else {
                Err::None
            };
            one(
                rng,
                cmd,
                O::ListAttachedRolePolicies,
                r,
                err,
                "{\n    \"AttachedPolicies\": []\n}\n",
                "List the role's policies",
            )
        }
        T::Metrics => {
            let f = tg.function(rng);
            let cmd = AwsCmd::new("cloudwatch", "get-metric-statistics")
                .arg("namespace", "AWS/Lambda")
                .arg("metric-name", "Errors")
                .arg("dimensions", &format!("Name=FunctionName,Value={f}"))
                .arg("start-time", "2025-12-08T00:00:00Z")
                .arg("end-time", "2025-12-12T00:00:00Z")
                .arg("period", "3600")
                .arg("statistics", "Sum");
            one(
                rng,
                cmd,
                O::GetMetricStatistics,
                f,
                Err::None,
                "{\n    \"Datapoints\": []\n}\n",
                "Pull the error metric",
            )
        }
        T::LambdaUpdateCode => {
            let f = tg.function(rng);
            let cmd = AwsCmd::new("lambda", "update-function-code")
                .arg("function-name", &f)
                .arg("zip-file", "fileb://dist/lambda.zip");
            one(
                rng,
                cmd,
                O::UpdateFunctionCode,
                f,
                Err::None,
                "{\n    \"LastUpdateStatus\": \"InProgress\"\n}\n",
                "Deploy the new code",
            )
        }
        T::LambdaConfigDenied => {
            let f = tg.function(rng);
            let cmd = AwsCmd::new("lambda", "update-function-configuration")
                .arg("function-name", &f)
                .arg("timeout", "60");
            let err = if env.acct == crate::scenario::cast::PROD {
                Err::AccessDenied
            } else {
                Err::None
            };
            one(
                rng,
                cmd,
                O::UpdateFunctionConfiguration,
                f,
                err,
                "{\n    \"Timeout\": 60\n}\n",
                "Raise the function timeout",
            )
        }
        T::EcrLogin => {
            let cmd = AwsCmd::new("ecr", "get-login-password").region(env.region).pipe(&format!(
                "docker login --username AWS --password-stdin {acct_id}.dkr.ecr.{region}.amazonaws.com"
            ));
            let evs = vec![ev(
                env,
                O::GetAuthorizationToken,
                "",
                "",
                Err::None,
                "ecr.get-login-password",
            )];
            fanout(
                cmd.shell(env),
                evs,
                "Login Succeeded\n".into(),
                2500,
                "Log Docker in to ECR",
            )
        }
        T::S3Sync => return vec![s3_fanout::sync(rng, env, tg)],
        T::S3ScratchCycle => return s3_fanout::scratch_cycle(rng, env),
        T::TfPlan | T::TfApply => {
            return vec![crate::scenario::terraform::terraform(
                rng,
                env,
                tg,
                t == T::TfApply,
            )];
        }
        T::TfDestroy => return vec![crate::scenario::terraform::terraform_destroy(rng, env)],
        T::S3RmRecursive => return vec![s3_fanout::rm_recursive(rng, env, tg)],
        T::CfnWait => {
            let s = tg.stack(rng);
            let cmd = AwsCmd::new("cloudformation", "wait")
                .pos("stack-update-complete")
                .arg("stack-name", &s);
            let polls = 2 + rng.below(4) as usize;
            let evs = (0..polls)
                .map(|_| {
                    ev(
                        env,
                        O::DescribeStacks,
                        &s,
                        "",
                        Err::None,
                        "cloudformation.wait.stack-update-complete",
                    )
                })
                .collect();
            fanout(
                cmd.shell(env),
                evs,
                String::new(),
                polls as i64 * 30_000 - 25_000,
                "Wait for the stack update",
            )
        }
        T::NoCreds => {
            let cmd = if rng.chance(0.5) {
                AwsCmd::new("sts", "get-caller-identity")
            } else {
                AwsCmd::new("s3", "ls")
            };
            no_credentials(rng, env, cmd)
        }
        T::NotFound => {
            let f = format!("{}-v2", tg.function(rng));
            let cmd = AwsCmd::new("lambda", "get-function").arg("function-name", &f);
            one(
                rng,
                cmd,
                O::GetFunction,
                f,
                Err::NotFound,
                "",
                "Inspect the v2 function",
            )
        }
    };
    vec![p]
}
