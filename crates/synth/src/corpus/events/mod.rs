//! The catalog of API calls the generator emits: for each, its
//! `eventSource`/`eventName`, whether it is read-only or a data event,
//! whether it is logged only in the home region, which kinds of actor make
//! it (`who` bits), how common it is, the CLI command that issues it, and a
//! writer for its `requestParameters`/`responseElements`/`resources`.
//!
//! Writers live in one file per group of services and write straight into
//! the record's part buffers (`Parts`). They read the shared world through
//! `Ev` and never fail. The catalog is data: adding an event is one line here
//! plus, when its parameters are not null, one small writer.

mod compute;
mod data;
mod ec2;
mod iam;
mod parts;
mod platform;
mod s3;
mod telemetry;

use crate::rng::{Rng, Weighted};

pub(crate) use parts::{Ev, Parts};

/// Which actors make a call. A principal's channel carries one bit; the
/// event is eligible when its `who` has that bit.
pub(crate) mod who {
    /// People and agents calling from the CLI or an SDK.
    pub const PROG: u32 = 1 << 0;
    /// The AWS console.
    pub const CONSOLE: u32 = 1 << 1;
    /// Terraform, CDK and the CI pipeline.
    pub const IAC: u32 = 1 << 2;
    /// Workloads (Lambda, ECS, EC2, EKS).
    pub const APP: u32 = 1 << 3;
    /// The SSM agent on instances.
    pub const SSM_AGENT: u32 = 1 << 4;
    /// AWS services assuming roles (`AWSService`).
    pub const SVC_STS: u32 = 1 << 5;
    /// CloudTrail and Config checking their buckets (`AWSService`).
    pub const SVC_S3: u32 = 1 << 6;
    /// CloudFormation acting through its service role.
    pub const CFN: u32 = 1 << 7;
    /// EC2 Auto Scaling acting through its service-linked role.
    pub const ASG: u32 = 1 << 8;
    pub const ROOT: u32 = 1 << 9;
    pub const FED: u32 = 1 << 10;
    /// Other accounts and anonymous callers.
    pub const XACCT: u32 = 1 << 11;
    /// Identity Center users in Amazon Q.
    pub const IDC: u32 = 1 << 12;
    pub const SAML: u32 = 1 << 13;
    pub const WEBID: u32 = 1 << 14;
    /// The Identity Center access portal.
    pub const PORTAL: u32 = 1 << 15;
    /// Anonymous (unsigned) S3 reads.
    pub const ANON: u32 = 1 << 16;
    /// AWS Config and IAM Access Analyzer inventorying resources through
    /// their service-linked roles.
    pub const AUDIT: u32 = 1 << 17;
    pub const BITS: usize = 18;
}

use who::*;

/// Writes the variable parts of one event.
pub(crate) type Writer = fn(&mut Ev<'_>);

#[derive(Debug)]
pub(crate) struct Kind {
    /// `ec2.amazonaws.com`.
    pub source: &'static str,
    /// SDK service id (`ec2`), used for `api/` and IAM action prefixes.
    pub service: &'static str,
    pub name: &'static str,
    pub read_only: bool,
    /// A data event (`managementEvent:false`, `eventCategory:"Data"`).
    pub data: bool,
    /// Logged only in the home region.
    pub global: bool,
    pub who: u32,
    pub weight: u64,
    /// `md/command#` value.
    pub cli: &'static str,
    pub write: Option<Writer>,
}

const R: u8 = 1;
const W: u8 = 0;
const D: u8 = 2;
const G: u8 = 4;

#[allow(clippy::too_many_arguments)] // a table row constructor, called only by `ev!`
const fn k(
    service: &'static str,
    source: &'static str,
    name: &'static str,
    flags: u8,
    who: u32,
    weight: u64,
    cli: &'static str,
    write: Option<Writer>,
) -> Kind {
    Kind {
        source,
        service,
        name,
        read_only: flags & R != 0,
        data: flags & D != 0,
        global: flags & G != 0,
        who,
        weight,
        cli,
        write,
    }
}

macro_rules! ev {
    ($svc:literal, $name:literal, $flags:expr, $who:expr, $w:expr, $cli:literal) => {
        k(
            $svc,
            concat!($svc, ".amazonaws.com"),
            $name,
            $flags,
            $who,
            $w,
            $cli,
            None,
        )
    };
    ($svc:literal, $name:literal, $flags:expr, $who:expr, $w:expr, $cli:literal, $f:expr) => {
        k(
            $svc,
            concat!($svc, ".amazonaws.com"),
            $name,
            $flags,
            $who,
            $w,
            $cli,
            Some($f),
        )
    };
}

const HUMAN: u32 = PROG | CONSOLE;
const OPS: u32 = PROG | CONSOLE | IAC;

/// Every call the generator knows. Weights are relative within the slice a
/// channel selects; the mix was tuned so that about three calls in four are
/// read-only, as in real trails.
#[rustfmt::skip]
pub(crate) static CATALOG: &[Kind] = &[
    // EC2
    ev!("ec2", "DescribeInstances", R, OPS | ASG | CFN | FED | AUDIT, 55, "ec2.describe-instances", ec2::describe_instances),
    ev!("ec2", "DescribeSecurityGroups", R, OPS | CFN | AUDIT, 20, "ec2.describe-security-groups", ec2::describe_security_groups),
    ev!("ec2", "DescribeVpcs", R, OPS | CFN | AUDIT, 12, "ec2.describe-vpcs", ec2::describe_vpcs),
    ev!("ec2", "DescribeSubnets", R, OPS | CFN | ASG | AUDIT, 12, "ec2.describe-subnets", ec2::describe_subnets),
    ev!("ec2", "DescribeVolumes", R, OPS | AUDIT, 10, "ec2.describe-volumes", ec2::describe_volumes),
    ev!("ec2", "DescribeImages", R, OPS | ASG, 8, "ec2.describe-images", ec2::describe_images),
    ev!("ec2", "DescribeInstanceStatus", R, HUMAN | ASG, 8, "ec2.describe-instance-status", ec2::describe_instance_status),
    ev!("ec2", "DescribeRegions", R, HUMAN | ROOT, 10, "ec2.describe-regions", ec2::describe_regions),
    ev!("ec2", "DescribeNetworkInterfaces", R, CONSOLE | APP | CFN | AUDIT, 12, "ec2.describe-network-interfaces", ec2::describe_network_interfaces),
    ev!("ec2", "DescribeAvailabilityZones", R, OPS, 6, "ec2.describe-availability-zones"),
    ev!("ec2", "RunInstances", W, OPS | ASG, 3, "ec2.run-instances", ec2::run_instances),
    ev!("ec2", "TerminateInstances", W, OPS | ASG, 5, "ec2.terminate-instances", ec2::terminate_instances),
    ev!("ec2", "StartInstances", W, HUMAN, 3, "ec2.start-instances", ec2::start_instances),
    ev!("ec2", "StopInstances", W, HUMAN, 3, "ec2.stop-instances", ec2::stop_instances),
    ev!("ec2", "CreateTags", W, OPS | ASG | CFN, 20, "ec2.create-tags", ec2::create_tags),
    ev!("ec2", "AuthorizeSecurityGroupIngress", W, OPS | CFN, 3, "ec2.authorize-security-group-ingress", ec2::authorize_ingress),
    ev!("ec2", "CreateSecurityGroup", W, IAC | CFN, 2, "ec2.create-security-group", ec2::create_security_group),
    ev!("ec2", "CreateNetworkInterface", W, APP, 8, "ec2.create-network-interface", ec2::create_network_interface),
    ev!("ec2", "DeleteNetworkInterface", W, APP, 6, "ec2.delete-network-interface", ec2::delete_network_interface),
    ev!("ec2", "CreateSnapshot", W, APP | PROG, 2, "ec2.create-snapshot", ec2::create_snapshot),
    // S3 management
    ev!("s3", "ListBuckets", R | G, HUMAN | ROOT | IAC | FED, 18, "s3.ls", s3::list_buckets),
    ev!("s3", "GetBucketLocation", R, OPS | APP | XACCT | AUDIT, 14, "s3api.get-bucket-location", s3::get_bucket_location),
    ev!("s3", "GetBucketPolicy", R, OPS | AUDIT, 8, "s3api.get-bucket-policy", s3::get_bucket_policy),
    ev!("s3", "GetBucketAcl", R, OPS | SVC_S3 | AUDIT, 8, "s3api.get-bucket-acl", s3::get_bucket_acl),
    ev!("s3", "GetBucketVersioning", R, OPS | AUDIT, 6, "s3api.get-bucket-versioning", s3::get_bucket_versioning),
    ev!("s3", "GetBucketEncryption", R, OPS | AUDIT, 6, "s3api.get-bucket-encryption", s3::get_bucket_encryption),
    ev!("s3", "GetBucketTagging", R, OPS | AUDIT, 6, "s3api.get-bucket-tagging", s3::get_bucket_tagging),
    ev!("s3", "HeadBucket", R, PROG | APP | IAC, 8, "s3api.head-bucket", s3::head_bucket),
    ev!("s3", "PutBucketPolicy", W, OPS, 2, "s3api.put-bucket-policy", s3::put_bucket_policy),
    ev!("s3", "CreateBucket", W, OPS, 1, "s3.mb", s3::create_bucket),
    ev!("s3", "PutBucketTagging", W, IAC | CONSOLE, 1, "s3api.put-bucket-tagging", s3::put_bucket_tagging),
    // S3 data
    ev!("s3", "GetObject", R | D, PROG | APP | IAC | FED | XACCT | CONSOLE | ANON, 35, "s3.cp", s3::get_object),
    ev!("s3", "HeadObject", R | D, PROG | APP | IAC | FED, 7, "s3api.head-object", s3::head_object),
    ev!("s3", "ListObjects", R | D, PROG | APP | IAC | FED | XACCT | CONSOLE | ANON, 10, "s3.ls", s3::list_objects),
    ev!("s3", "PutObject", W | D, PROG | APP | IAC | FED | CONSOLE | SVC_S3, 24, "s3.cp", s3::put_object),
    ev!("s3", "DeleteObject", W | D, PROG | APP | IAC | CONSOLE, 7, "s3.rm", s3::delete_object),
    // IAM (global)
    ev!("iam", "GetRole", R | G, OPS | CFN | AUDIT, 14, "iam.get-role", iam::get_role),
    ev!("iam", "ListRoles", R | G, HUMAN | IAC | AUDIT, 5, "iam.list-roles"),
    ev!("iam", "GetUser", R | G, HUMAN | IAC | ROOT, 4, "iam.get-user", iam::get_user),
    ev!("iam", "ListUsers", R | G, HUMAN | ROOT | AUDIT, 3, "iam.list-users"),
    ev!("iam", "ListAttachedRolePolicies", R | G, OPS | AUDIT, 8, "iam.list-attached-role-policies", iam::role_only),
    ev!("iam", "ListRolePolicies", R | G, OPS | AUDIT, 6, "iam.list-role-policies", iam::role_only),
    ev!("iam", "GetPolicy", R | G, OPS | AUDIT, 4, "iam.get-policy", iam::get_policy),
    ev!("iam", "GetPolicyVersion", R | G, OPS | AUDIT, 4, "iam.get-policy-version", iam::get_policy_version),
    ev!("iam", "ListAccessKeys", R | G, HUMAN | ROOT, 3, "iam.list-access-keys", iam::get_user),
    ev!("iam", "ListPolicies", R | G, HUMAN | IAC, 3, "iam.list-policies", iam::list_policies),
    ev!("iam", "GetInstanceProfile", R | G, IAC | CFN, 3, "iam.get-instance-profile", iam::get_instance_profile),
    ev!("iam", "ListMFADevices", R | G, CONSOLE | ROOT, 2, "iam.list-mfa-devices"),
    ev!("iam", "GetAccountSummary", R | G, CONSOLE | ROOT, 2, "iam.get-account-summary"),
    ev!("iam", "ListAccountAliases", R | G, HUMAN | ROOT, 3, "iam.list-account-aliases"),
    ev!("iam", "GetAccountPasswordPolicy", R | G, CONSOLE | ROOT, 1, "iam.get-account-password-policy"),
    ev!("iam", "CreateRole", W | G, OPS | CFN, 1, "iam.create-role", iam::create_role),
    ev!("iam", "AttachRolePolicy", W | G, OPS | CFN, 3, "iam.attach-role-policy", iam::attach_role_policy),
    ev!("iam", "DetachRolePolicy", W | G, OPS | CFN, 1, "iam.detach-role-policy", iam::attach_role_policy),
    ev!("iam", "PutRolePolicy", W | G, OPS | CFN, 1, "iam.put-role-policy", iam::put_role_policy),
    ev!("iam", "CreatePolicy", W | G, OPS, 1, "iam.create-policy", iam::create_policy),
    ev!("iam", "TagRole", W | G, IAC | CFN, 1, "iam.tag-role", iam::tag_role),
    ev!("iam", "CreateAccessKey", W | G, HUMAN | ROOT, 1, "iam.create-access-key", iam::create_access_key),
    ev!("iam", "UpdateAccessKey", W | G, HUMAN, 1, "iam.update-access-key", iam::update_access_key),
    ev!("iam", "CreateUser", W | G, HUMAN | IAC, 1, "iam.create-user", iam::create_user),
    ev!("iam", "CreateServiceLinkedRole", W | G, IAC | CFN, 1, "iam.create-service-linked-role", iam::create_service_linked_role),
    // STS
    ev!("sts", "GetCallerIdentity", R, PROG | IAC | APP | FED, 30, "sts.get-caller-identity"),
    ev!("sts", "AssumeRole", R, PROG | IAC | SVC_STS | XACCT | APP, 14, "sts.assume-role", iam::assume_role),
    ev!("sts", "GetSessionToken", R, PROG, 1, "sts.get-session-token", iam::get_session_token),
    ev!("sts", "AssumeRoleWithSAML", R | G, SAML, 10, "sts.assume-role-with-saml", iam::assume_role_with_saml),
    ev!("sts", "AssumeRoleWithWebIdentity", R, WEBID, 10, "sts.assume-role-with-web-identity", iam::assume_role_with_web_identity),
    // Console sign-in and the access portal (home region)
    ev!("signin", "ConsoleLogin", W | G, CONSOLE | ROOT, 10, "", iam::console_login),
    ev!("sso", "ListAccounts", R | G, PORTAL, 6, "sso.list-accounts", iam::portal_list_accounts),
    ev!("sso", "ListAccountRoles", R | G, PORTAL, 5, "sso.list-account-roles", iam::portal_account),
    ev!("sso", "GetRoleCredentials", R | G, PORTAL, 8, "sso.get-role-credentials", iam::portal_role_credentials),
    // Amazon Q Developer (Identity Center users)
    ev!("q", "StartConversation", W | G, IDC, 3, "", data::q_conversation),
    ev!("q", "SendMessage", W | G, IDC, 8, "", data::q_message),
    ev!("codewhisperer", "GenerateCompletions", R | G, IDC, 10, "", data::codewhisperer),
    // Lambda
    ev!("lambda", "ListFunctions20150331", R, HUMAN | IAC | AUDIT, 6, "lambda.list-functions"),
    ev!("lambda", "GetFunction20150331v2", R, OPS | CFN | AUDIT, 6, "lambda.get-function", compute::function_only),
    ev!("lambda", "GetFunctionConfiguration20150331v2", R, OPS, 4, "lambda.get-function-configuration", compute::function_only),
    ev!("lambda", "CreateFunction20150331", W, OPS | CFN, 1, "lambda.create-function", compute::create_function),
    ev!("lambda", "UpdateFunctionCode20150331v2", W, OPS | CFN, 3, "lambda.update-function-code", compute::update_function_code),
    ev!("lambda", "UpdateFunctionConfiguration20150331v2", W, OPS | CFN, 1, "lambda.update-function-configuration", compute::update_function_configuration),
    ev!("lambda", "AddPermission20150331v2", W, IAC | CFN, 1, "lambda.add-permission", compute::add_permission),
    ev!("lambda", "Invoke", W | D, APP | PROG, 30, "lambda.invoke", compute::invoke),
    // ECS / ECR / EKS
    ev!("ecs", "DescribeServices", R, OPS, 5, "ecs.describe-services", compute::describe_services),
    ev!("ecs", "ListTasks", R, HUMAN | APP, 4, "ecs.list-tasks", compute::list_tasks),
    ev!("ecs", "DescribeTasks", R, HUMAN | APP, 4, "ecs.describe-tasks", compute::describe_tasks),
    ev!("ecs", "DescribeTaskDefinition", R, IAC | HUMAN, 3, "ecs.describe-task-definition", compute::describe_task_definition),
    ev!("ecs", "RegisterTaskDefinition", W, IAC, 3, "ecs.register-task-definition", compute::register_task_definition),
    ev!("ecs", "UpdateService", W, IAC | PROG, 4, "ecs.update-service", compute::update_service),
    ev!("ecs", "RunTask", W, PROG | APP, 1, "ecs.run-task", compute::run_task),
    ev!("ecr", "GetAuthorizationToken", R, IAC | PROG | APP, 10, "ecr.get-login-password"),
    ev!("ecr", "BatchGetImage", R, APP | IAC, 6, "ecr.batch-get-image", compute::batch_get_image),
    ev!("ecr", "GetDownloadUrlForLayer", R, APP, 6, "ecr.get-download-url-for-layer", compute::get_download_url_for_layer),
    ev!("ecr", "DescribeRepositories", R, OPS | AUDIT, 2, "ecr.describe-repositories"),
    ev!("ecr", "PutImage", W, IAC, 3, "ecr.put-image", compute::put_image),
    ev!("eks", "DescribeCluster", R, OPS | APP | AUDIT, 8, "eks.update-kubeconfig", compute::describe_cluster),
    ev!("eks", "ListClusters", R, HUMAN, 3, "eks.list-clusters"),
    // Auto Scaling / ELB
    ev!("autoscaling", "DescribeAutoScalingGroups", R, OPS | APP | AUDIT, 6, "autoscaling.describe-auto-scaling-groups", compute::describe_asgs),
    ev!("autoscaling", "UpdateAutoScalingGroup", W, IAC | CONSOLE, 1, "autoscaling.update-auto-scaling-group", compute::update_asg),
    ev!("autoscaling", "SetDesiredCapacity", W, HUMAN | APP, 2, "autoscaling.set-desired-capacity", compute::set_desired_capacity),
    ev!("elasticloadbalancing", "DescribeTargetHealth", R, CONSOLE | APP | PROG, 8, "elbv2.describe-target-health", compute::describe_target_health),
    ev!("elasticloadbalancing", "DescribeLoadBalancers", R, OPS | AUDIT, 4, "elbv2.describe-load-balancers"),
    ev!("elasticloadbalancing", "RegisterTargets", W, ASG | APP, 6, "elbv2.register-targets", compute::register_targets),
    ev!("elasticloadbalancing", "DeregisterTargets", W, ASG, 4, "elbv2.deregister-targets", compute::register_targets),
    // CloudFormation
    ev!("cloudformation", "DescribeStacks", R, OPS, 14, "cloudformation.describe-stacks", platform::stack_only),
    ev!("cloudformation", "ListStacks", R, HUMAN, 4, "cloudformation.list-stacks", platform::list_stacks),
    ev!("cloudformation", "DescribeStackEvents", R, OPS, 10, "cloudformation.describe-stack-events", platform::stack_only),
    ev!("cloudformation", "DescribeStackResources", R, OPS, 3, "cloudformation.describe-stack-resources", platform::stack_only),
    ev!("cloudformation", "GetTemplate", R, OPS, 2, "cloudformation.get-template", platform::stack_only),
    ev!("cloudformation", "DescribeChangeSet", R, IAC, 3, "cloudformation.describe-change-set", platform::change_set_ref),
    ev!("cloudformation", "CreateStack", W, OPS, 1, "cloudformation.create-stack", platform::create_stack),
    ev!("cloudformation", "UpdateStack", W, OPS, 1, "cloudformation.update-stack", platform::create_stack),
    ev!("cloudformation", "DeleteStack", W, OPS, 1, "cloudformation.delete-stack", platform::delete_stack),
    ev!("cloudformation", "CreateChangeSet", W, IAC, 4, "cloudformation.deploy", platform::create_change_set),
    ev!("cloudformation", "ExecuteChangeSet", W, IAC, 3, "cloudformation.deploy", platform::change_set_ref),
    // KMS
    ev!("kms", "Decrypt", R, APP | PROG | CFN | XACCT, 30, "kms.decrypt", platform::kms_decrypt),
    ev!("kms", "GenerateDataKey", R, APP | PROG, 20, "kms.generate-data-key", platform::kms_generate_data_key),
    ev!("kms", "Encrypt", R, APP, 6, "kms.encrypt", platform::kms_decrypt),
    ev!("kms", "DescribeKey", R, OPS | CFN | AUDIT, 4, "kms.describe-key", platform::kms_describe_key),
    ev!("kms", "ListAliases", R, HUMAN, 2, "kms.list-aliases"),
    ev!("kms", "CreateGrant", W, CFN | APP | ASG, 4, "kms.create-grant", platform::kms_create_grant),
    // Secrets Manager / SSM
    ev!("secretsmanager", "GetSecretValue", R, APP | PROG | IAC, 20, "secretsmanager.get-secret-value", platform::secret_only),
    ev!("secretsmanager", "DescribeSecret", R, OPS | APP | AUDIT, 4, "secretsmanager.describe-secret", platform::secret_only),
    ev!("secretsmanager", "ListSecrets", R, HUMAN | AUDIT, 2, "secretsmanager.list-secrets"),
    ev!("secretsmanager", "PutSecretValue", W, PROG | APP, 1, "secretsmanager.put-secret-value", platform::put_secret_value),
    ev!("ssm", "GetParameter", R, APP | PROG | IAC, 14, "ssm.get-parameter", platform::get_parameter),
    ev!("ssm", "GetParameters", R, APP | IAC | CFN, 6, "ssm.get-parameters", platform::get_parameters),
    ev!("ssm", "GetParametersByPath", R, APP, 4, "ssm.get-parameters-by-path", platform::get_parameters_by_path),
    ev!("ssm", "DescribeInstanceInformation", R, HUMAN, 6, "ssm.describe-instance-information"),
    ev!("ssm", "UpdateInstanceInformation", W, SSM_AGENT, 70, "", platform::update_instance_information),
    ev!("ssm", "ListInstanceAssociations", R, SSM_AGENT, 8, "", platform::list_instance_associations),
    ev!("ssm", "UpdateInstanceAssociationStatus", W, SSM_AGENT, 45, "", platform::update_association_status),
    ev!("ssm", "PutParameter", W, PROG | IAC, 2, "ssm.put-parameter", platform::put_parameter),
    ev!("ssm", "SendCommand", W, PROG, 2, "ssm.send-command", platform::send_command),
    ev!("ssm", "StartSession", W, HUMAN, 2, "ssm.start-session", platform::start_session),
    // CloudWatch Logs / metrics
    ev!("logs", "DescribeLogGroups", R, OPS, 8, "logs.describe-log-groups", telemetry::describe_log_groups),
    ev!("logs", "DescribeLogStreams", R, HUMAN, 5, "logs.describe-log-streams", telemetry::log_group_only),
    ev!("logs", "FilterLogEvents", R, HUMAN, 6, "logs.tail", telemetry::filter_log_events),
    ev!("logs", "StartQuery", R, HUMAN, 2, "logs.start-query", telemetry::start_query),
    ev!("logs", "CreateLogStream", W, APP, 65, "logs.create-log-stream", telemetry::create_log_stream),
    ev!("logs", "CreateLogGroup", W, IAC | APP | CFN, 1, "logs.create-log-group", telemetry::log_group_only),
    ev!("logs", "PutRetentionPolicy", W, IAC | CFN, 1, "logs.put-retention-policy", telemetry::put_retention_policy),
    ev!("monitoring", "GetMetricData", R, CONSOLE | APP | PROG, 18, "cloudwatch.get-metric-data", telemetry::get_metric_data),
    ev!("monitoring", "DescribeAlarms", R, OPS | APP, 8, "cloudwatch.describe-alarms", telemetry::describe_alarms),
    ev!("monitoring", "GetMetricStatistics", R, HUMAN | APP, 5, "cloudwatch.get-metric-statistics", telemetry::get_metric_statistics),
    ev!("monitoring", "ListMetrics", R, CONSOLE | APP, 4, "cloudwatch.list-metrics", telemetry::list_metrics),
    ev!("monitoring", "PutMetricAlarm", W, IAC | CFN, 1, "cloudwatch.put-metric-alarm", telemetry::put_metric_alarm),
    // DynamoDB
    ev!("dynamodb", "DescribeTable", R, OPS | APP | CFN | AUDIT, 8, "dynamodb.describe-table", data::table_only),
    ev!("dynamodb", "ListTables", R, HUMAN, 3, "dynamodb.list-tables"),
    ev!("dynamodb", "GetItem", R | D, APP | IAC, 25, "dynamodb.get-item", data::get_item),
    ev!("dynamodb", "Query", R | D, APP, 15, "dynamodb.query", data::query),
    ev!("dynamodb", "PutItem", W | D, APP | IAC, 50, "dynamodb.put-item", data::put_item),
    ev!("dynamodb", "DeleteItem", W | D, APP | IAC, 4, "dynamodb.delete-item", data::get_item),
    // RDS, CloudTrail, Organizations, Route 53, Bedrock
    ev!("rds", "DescribeDBInstances", R, OPS | APP | AUDIT, 6, "rds.describe-db-instances", data::describe_db_instances),
    ev!("rds", "DescribeDBClusters", R, HUMAN, 2, "rds.describe-db-clusters"),
    ev!("rds", "CreateDBSnapshot", W, PROG | APP, 1, "rds.create-db-snapshot", data::create_db_snapshot),
    ev!("cloudtrail", "DescribeTrails", R, HUMAN | ROOT | AUDIT, 2, "cloudtrail.describe-trails"),
    ev!("cloudtrail", "LookupEvents", R, HUMAN, 3, "cloudtrail.lookup-events", telemetry::lookup_events),
    ev!("cloudtrail", "GetTrailStatus", R, HUMAN | AUDIT, 1, "cloudtrail.get-trail-status", telemetry::trail_status),
    ev!("organizations", "DescribeOrganization", R | G, HUMAN | IAC | ROOT, 2, "organizations.describe-organization"),
    ev!("organizations", "ListAccounts", R | G, HUMAN | IAC, 2, "organizations.list-accounts"),
    ev!("route53", "ListHostedZones", R | G, HUMAN | IAC, 2, "route53.list-hosted-zones"),
    ev!("route53", "ChangeResourceRecordSets", W | G, IAC | APP, 1, "route53.change-resource-record-sets", data::change_record_sets),
    ev!("route53", "GetChange", R | G, IAC | APP, 1, "route53.get-change", data::get_change),
    ev!("bedrock", "InvokeModel", R, APP | PROG, 6, "bedrock-runtime.invoke-model", data::invoke_model),
];

/// Index of `GetCallerIdentity`, the fallback call every actor can make.
fn fallback_kind() -> usize {
    CATALOG
        .iter()
        .position(|k| k.name == "GetCallerIdentity")
        .unwrap_or(0)
}

/// Sampling tables over `CATALOG`, one per `who` bit and region kind.
#[derive(Debug)]
pub(crate) struct Catalog {
    /// `[bit][0]`: home region (every event); `[bit][1]`: other regions
    /// (regional events only).
    tables: Vec<[Weighted; 2]>,
    pub fallback: usize,
}

impl Catalog {
    pub(crate) fn build() -> Catalog {
        let tables = (0..BITS)
            .map(|bit| {
                let mask = 1u32 << bit;
                let home = Weighted::new(
                    CATALOG
                        .iter()
                        .map(|k| if k.who & mask != 0 { k.weight } else { 0 }),
                );
                let other = Weighted::new(CATALOG.iter().map(|k| {
                    if k.who & mask != 0 && !k.global {
                        k.weight
                    } else {
                        0
                    }
                }));
                [home, other]
            })
            .collect();
        Catalog {
            tables,
            fallback: fallback_kind(),
        }
    }

    /// Samples an event for a channel bit; `None` when that channel makes no
    /// call that is logged in this region.
    pub(crate) fn sample(&self, rng: &mut Rng, who_bit: u32, home: bool) -> Option<usize> {
        let bit = who_bit.trailing_zeros() as usize;
        let t = &self.tables.get(bit)?[usize::from(!home)];
        if t.is_empty() {
            None
        } else {
            Some(t.sample(rng))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_is_reachable_and_named_once() {
        let mut seen = std::collections::HashSet::new();
        for k in CATALOG {
            assert!(seen.insert((k.source, k.name)), "duplicate {}", k.name);
            assert!(k.who != 0 && k.weight > 0, "{} unreachable", k.name);
            assert!(k.source.ends_with(".amazonaws.com"));
        }
    }

    #[test]
    fn every_channel_bit_has_a_home_event() {
        let c = Catalog::build();
        let mut rng = Rng::new(1);
        for bit in 0..BITS {
            assert!(c.sample(&mut rng, 1 << bit, true).is_some(), "bit {bit}");
        }
    }
}
