//! The API operations the scenario emits: for each, its CloudTrail
//! `eventSource` and `eventName` (Lambda's versioned names included), whether
//! it is read-only, a data event or logged only in us-east-1, the AWS CLI
//! command lineage (`md/command#`) that issues it, and the shape of its
//! `requestParameters`/`responseElements` (written by `params`).
//!
//! `O` names every operation in code; `OPS[o as usize]` is its row. The
//! macro keeps the two in the same order.

use crate::scenario::params::Shape;

/// Flags of an operation.
pub(crate) const R: u8 = 1;
pub(crate) const W: u8 = 0;
pub(crate) const D: u8 = 2;
pub(crate) const G: u8 = 4;

/// One operation's row.
#[derive(Debug)]
pub(crate) struct OpDef {
    /// Endpoint prefix: `s3`, `monitoring`, `elasticloadbalancing`, …
    pub prefix: &'static str,
    pub source: &'static str,
    pub name: &'static str,
    pub flags: u8,
    /// `md/command#` lineage of the CLI command that issues it.
    pub cli: &'static str,
    pub shape: Shape,
}

impl OpDef {
    pub(crate) fn read_only(&self) -> bool {
        self.flags & R != 0
    }
    pub(crate) fn data(&self) -> bool {
        self.flags & D != 0
    }
    pub(crate) fn global(&self) -> bool {
        self.flags & G != 0
    }
    /// The API operation without the version suffix some services log
    /// (`GetFunction20150331v2` → `GetFunction`), as IAM actions and the
    /// CLI's error messages name it.
    pub(crate) fn action(&self) -> &'static str {
        for suffix in ["20150331v2", "20150331", "20170331"] {
            if let Some(base) = self.name.strip_suffix(suffix) {
                return base;
            }
        }
        self.name
    }

    /// The SDK service id used in `api/<id>#<ver>` user-agent tokens.
    pub(crate) fn sdk_id(&self) -> &'static str {
        match self.prefix {
            "monitoring" => "cloudwatch",
            "logs" => "cloudwatch-logs",
            "elasticloadbalancing" => "elastic-load-balancing-v2",
            "events" => "eventbridge",
            "apigateway" => "api-gateway",
            "ce" => "cost-explorer",
            "secretsmanager" => "secrets-manager",
            "autoscaling" => "auto-scaling",
            p => p,
        }
    }
}

macro_rules! ops {
    ($($v:ident = $prefix:literal $name:literal, $flags:expr, $cli:literal, $shape:expr;)*) => {
        /// Every operation the scenario emits.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u16)]
        pub(crate) enum O { $($v),* }

        /// Rows in the order of `O`.
        pub(crate) static OPS: &[OpDef] = &[
            $(OpDef {
                prefix: $prefix,
                source: concat!($prefix, ".amazonaws.com"),
                name: $name,
                flags: $flags,
                cli: $cli,
                shape: $shape,
            }),*
        ];
    };
}

impl O {
    pub(crate) fn def(self) -> &'static OpDef {
        &OPS[self as usize]
    }
}

use Shape as S;

ops! {
    GetCallerIdentity = "sts" "GetCallerIdentity", R, "sts.get-caller-identity", S::Null;
    AssumeRole = "sts" "AssumeRole", R, "sts.assume-role", S::AssumeRole;
    AssumeRoleWithWebIdentity = "sts" "AssumeRoleWithWebIdentity", R, "sts.assume-role-with-web-identity", S::WebIdentity;
    ListBuckets = "s3" "ListBuckets", R, "s3.ls", S::ListBuckets;
    GetBucketLocation = "s3" "GetBucketLocation", R, "s3api.get-bucket-location", S::Bucket("location");
    GetBucketPolicy = "s3" "GetBucketPolicy", R, "s3api.get-bucket-policy", S::Bucket("policy");
    GetBucketAcl = "s3" "GetBucketAcl", R, "s3api.get-bucket-acl", S::Bucket("acl");
    GetBucketVersioning = "s3" "GetBucketVersioning", R, "s3api.get-bucket-versioning", S::Bucket("versioning");
    GetBucketEncryption = "s3" "GetBucketEncryption", R, "s3api.get-bucket-encryption", S::Bucket("encryption");
    GetBucketTagging = "s3" "GetBucketTagging", R, "s3api.get-bucket-tagging", S::Bucket("tagging");
    GetBucketLogging = "s3" "GetBucketLogging", R, "s3api.get-bucket-logging", S::Bucket("logging");
    GetBucketCors = "s3" "GetBucketCors", R, "s3api.get-bucket-cors", S::Bucket("cors");
    GetBucketPublicAccessBlock = "s3" "GetBucketPublicAccessBlock", R, "s3api.get-public-access-block", S::Bucket("publicAccessBlock");
    GetBucketLifecycle = "s3" "GetBucketLifecycle", R, "s3api.get-bucket-lifecycle-configuration", S::Bucket("lifecycle");
    CreateBucket = "s3" "CreateBucket", W, "s3.mb", S::CreateBucket;
    DeleteBucket = "s3" "DeleteBucket", W, "s3.rb", S::Bucket("");
    PutBucketTagging = "s3" "PutBucketTagging", W, "s3api.put-bucket-tagging", S::Bucket("tagging");
    ListObjects = "s3" "ListObjects", R | D, "s3.ls", S::ListObjects;
    GetObject = "s3" "GetObject", R | D, "s3.cp", S::Object;
    HeadObject = "s3" "HeadObject", R | D, "s3api.head-object", S::Object;
    PutObject = "s3" "PutObject", W | D, "s3.cp", S::PutObject;
    DeleteObject = "s3" "DeleteObject", W | D, "s3.rm", S::Object;
    DescribeInstances = "ec2" "DescribeInstances", R, "ec2.describe-instances", S::Ec2Filter("instancesSet");
    DescribeInstanceStatus = "ec2" "DescribeInstanceStatus", R, "ec2.describe-instance-status", S::Ec2Filter("instancesSet");
    DescribeSecurityGroups = "ec2" "DescribeSecurityGroups", R, "ec2.describe-security-groups", S::SgIds;
    DescribeSecurityGroupRules = "ec2" "DescribeSecurityGroupRules", R, "ec2.describe-security-group-rules", S::SgRules;
    DescribeVpcs = "ec2" "DescribeVpcs", R, "ec2.describe-vpcs", S::Ec2Filter("vpcSet");
    DescribeSubnets = "ec2" "DescribeSubnets", R, "ec2.describe-subnets", S::Ec2Filter("subnetSet");
    DescribeNetworkInterfaces = "ec2" "DescribeNetworkInterfaces", R, "ec2.describe-network-interfaces", S::Ec2Filter("networkInterfaceIdSet");
    DescribeImages = "ec2" "DescribeImages", R, "ec2.describe-images", S::Ec2Filter("imagesSet");
    RunInstances = "ec2" "RunInstances", W, "ec2.run-instances", S::RunInstances;
    TerminateInstances = "ec2" "TerminateInstances", W, "ec2.terminate-instances", S::InstanceIds;
    CreateTags = "ec2" "CreateTags", W, "ec2.create-tags", S::CreateTags;
    AuthorizeSecurityGroupIngress = "ec2" "AuthorizeSecurityGroupIngress", W, "ec2.authorize-security-group-ingress", S::SgRule;
    RevokeSecurityGroupIngress = "ec2" "RevokeSecurityGroupIngress", W, "ec2.revoke-security-group-ingress", S::SgRule;
    CreateNetworkInterface = "ec2" "CreateNetworkInterface", W, "ec2.create-network-interface", S::CreateEni;
    DeleteNetworkInterface = "ec2" "DeleteNetworkInterface", W, "ec2.delete-network-interface", S::DeleteEni;
    ListFunctions = "lambda" "ListFunctions20150331", R, "lambda.list-functions", S::Null;
    GetFunction = "lambda" "GetFunction20150331v2", R, "lambda.get-function", S::Function;
    GetFunctionConfiguration = "lambda" "GetFunctionConfiguration20150331v2", R, "lambda.get-function-configuration", S::Function;
    ListVersionsByFunction = "lambda" "ListVersionsByFunction20150331", R, "lambda.list-versions-by-function", S::Function;
    GetLambdaPolicy = "lambda" "GetPolicy20150331v2", R, "lambda.get-policy", S::Function;
    GetFunctionCodeSigningConfig = "lambda" "GetFunctionCodeSigningConfig", R, "lambda.get-function-code-signing-config", S::Function;
    UpdateFunctionCode = "lambda" "UpdateFunctionCode20150331v2", W, "lambda.update-function-code", S::FunctionCode;
    UpdateFunctionConfiguration = "lambda" "UpdateFunctionConfiguration20150331v2", W, "lambda.update-function-configuration", S::FunctionConfig;
    CreateFunction = "lambda" "CreateFunction20150331", W, "lambda.create-function", S::CreateFunction;
    DeleteFunction = "lambda" "DeleteFunction20150331", W, "lambda.delete-function", S::Function;
    AddPermission = "lambda" "AddPermission20150331v2", W, "lambda.add-permission", S::LambdaPermission;
    RemovePermission = "lambda" "RemovePermission20150331v2", W, "lambda.remove-permission", S::LambdaPermission;
    CreateEventSourceMapping = "lambda" "CreateEventSourceMapping20150331", W, "lambda.create-event-source-mapping", S::EventSourceMapping;
    DeleteEventSourceMapping = "lambda" "DeleteEventSourceMapping20150331", W, "lambda.delete-event-source-mapping", S::EventSourceMapping;
    DescribeLogGroups = "logs" "DescribeLogGroups", R, "logs.describe-log-groups", S::LogGroupPrefix;
    DescribeLogStreams = "logs" "DescribeLogStreams", R, "logs.describe-log-streams", S::LogGroup;
    FilterLogEvents = "logs" "FilterLogEvents", R, "logs.filter-log-events", S::FilterLogs;
    GetLogEvents = "logs" "GetLogEvents", R, "logs.get-log-events", S::LogStream;
    CreateLogGroup = "logs" "CreateLogGroup", W, "logs.create-log-group", S::LogGroup;
    DeleteLogGroup = "logs" "DeleteLogGroup", W, "logs.delete-log-group", S::LogGroup;
    PutRetentionPolicy = "logs" "PutRetentionPolicy", W, "logs.put-retention-policy", S::Retention;
    DescribeAlarms = "monitoring" "DescribeAlarms", R, "cloudwatch.describe-alarms", S::Alarms;
    GetMetricData = "monitoring" "GetMetricData", R, "cloudwatch.get-metric-data", S::MetricData;
    GetMetricStatistics = "monitoring" "GetMetricStatistics", R, "cloudwatch.get-metric-statistics", S::MetricStats;
    PutMetricAlarm = "monitoring" "PutMetricAlarm", W, "cloudwatch.put-metric-alarm", S::PutAlarm;
    DeleteAlarms = "monitoring" "DeleteAlarms", W, "cloudwatch.delete-alarms", S::Alarms;
    DescribeStacks = "cloudformation" "DescribeStacks", R, "cloudformation.describe-stacks", S::Stack;
    ListStacks = "cloudformation" "ListStacks", R, "cloudformation.list-stacks", S::ListStacks;
    DescribeStackEvents = "cloudformation" "DescribeStackEvents", R, "cloudformation.describe-stack-events", S::Stack;
    DescribeStackResources = "cloudformation" "DescribeStackResources", R, "cloudformation.describe-stack-resources", S::Stack;
    GetTemplate = "cloudformation" "GetTemplate", R, "cloudformation.get-template", S::Stack;
    DetectStackDrift = "cloudformation" "DetectStackDrift", R, "cloudformation.detect-stack-drift", S::Stack;
    DescribeStackDriftDetectionStatus = "cloudformation" "DescribeStackDriftDetectionStatus", R, "cloudformation.describe-stack-drift-detection-status", S::DriftStatus;
    DescribeStackResourceDrifts = "cloudformation" "DescribeStackResourceDrifts", R, "cloudformation.describe-stack-resource-drifts", S::Stack;
    CreateStack = "cloudformation" "CreateStack", W, "cloudformation.create-stack", S::CreateStack;
    DeleteStack = "cloudformation" "DeleteStack", W, "cloudformation.delete-stack", S::Stack;
    UpdateStack = "cloudformation" "UpdateStack", W, "cloudformation.update-stack", S::UpdateStack;
    CreateChangeSet = "cloudformation" "CreateChangeSet", W, "cloudformation.create-change-set", S::CreateChangeSet;
    DescribeChangeSet = "cloudformation" "DescribeChangeSet", R, "cloudformation.describe-change-set", S::ChangeSet;
    ExecuteChangeSet = "cloudformation" "ExecuteChangeSet", W, "cloudformation.execute-change-set", S::ChangeSet;
    GetRole = "iam" "GetRole", R | G, "iam.get-role", S::Role;
    ListRoles = "iam" "ListRoles", R | G, "iam.list-roles", S::Null;
    ListAttachedRolePolicies = "iam" "ListAttachedRolePolicies", R | G, "iam.list-attached-role-policies", S::Role;
    ListRolePolicies = "iam" "ListRolePolicies", R | G, "iam.list-role-policies", S::Role;
    GetRolePolicy = "iam" "GetRolePolicy", R | G, "iam.get-role-policy", S::RolePolicy;
    CreateRole = "iam" "CreateRole", W | G, "iam.create-role", S::CreateRole;
    DeleteRole = "iam" "DeleteRole", W | G, "iam.delete-role", S::Role;
    PutRolePolicy = "iam" "PutRolePolicy", W | G, "iam.put-role-policy", S::RolePolicy;
    DeleteRolePolicy = "iam" "DeleteRolePolicy", W | G, "iam.delete-role-policy", S::RolePolicy;
    AttachRolePolicy = "iam" "AttachRolePolicy", W | G, "iam.attach-role-policy", S::RolePolicyArn;
    DetachRolePolicy = "iam" "DetachRolePolicy", W | G, "iam.detach-role-policy", S::RolePolicyArn;
    DescribeTable = "dynamodb" "DescribeTable", R, "dynamodb.describe-table", S::Table;
    ListTables = "dynamodb" "ListTables", R, "dynamodb.list-tables", S::Null;
    DescribeContinuousBackups = "dynamodb" "DescribeContinuousBackups", R, "dynamodb.describe-continuous-backups", S::Table;
    DescribeTimeToLive = "dynamodb" "DescribeTimeToLive", R, "dynamodb.describe-time-to-live", S::Table;
    ListTagsOfResource = "dynamodb" "ListTagsOfResource", R, "dynamodb.list-tags-of-resource", S::TableArn;
    CreateTable = "dynamodb" "CreateTable", W, "dynamodb.create-table", S::CreateTable;
    DeleteTable = "dynamodb" "DeleteTable", W, "dynamodb.delete-table", S::DeleteTable;
    ListQueues = "sqs" "ListQueues", R, "sqs.list-queues", S::Null;
    GetQueueAttributes = "sqs" "GetQueueAttributes", R, "sqs.get-queue-attributes", S::Queue;
    ListQueueTags = "sqs" "ListQueueTags", R, "sqs.list-queue-tags", S::Queue;
    CreateQueue = "sqs" "CreateQueue", W, "sqs.create-queue", S::CreateQueue;
    DeleteQueue = "sqs" "DeleteQueue", W, "sqs.delete-queue", S::Queue;
    DescribeRule = "events" "DescribeRule", R, "events.describe-rule", S::Rule;
    PutRule = "events" "PutRule", W, "events.put-rule", S::Rule;
    DeleteRule = "events" "DeleteRule", W, "events.delete-rule", S::Rule;
    PutTargets = "events" "PutTargets", W, "events.put-targets", S::Rule;
    RemoveTargets = "events" "RemoveTargets", W, "events.remove-targets", S::Rule;
    GetRestApis = "apigateway" "GetRestApis", R, "apigateway.get-rest-apis", S::Null;
    CreateRestApi = "apigateway" "CreateRestApi", W, "apigateway.create-rest-api", S::RestApi;
    DeleteRestApi = "apigateway" "DeleteRestApi", W, "apigateway.delete-rest-api", S::RestApi;
    Decrypt = "kms" "Decrypt", R, "kms.decrypt", S::Kms;
    GenerateDataKey = "kms" "GenerateDataKey", R, "kms.generate-data-key", S::Kms;
    DescribeKey = "kms" "DescribeKey", R, "kms.describe-key", S::Kms;
    GetSecretValue = "secretsmanager" "GetSecretValue", R, "secretsmanager.get-secret-value", S::Secret;
    DescribeSecret = "secretsmanager" "DescribeSecret", R, "secretsmanager.describe-secret", S::Secret;
    GetParameter = "ssm" "GetParameter", R, "ssm.get-parameter", S::Param;
    GetParameters = "ssm" "GetParameters", R, "ssm.get-parameters", S::Params;
    GetParametersByPath = "ssm" "GetParametersByPath", R, "ssm.get-parameters-by-path", S::ParamPath;
    GetAuthorizationToken = "ecr" "GetAuthorizationToken", R, "ecr.get-login-password", S::Null;
    DescribeRepositories = "ecr" "DescribeRepositories", R, "ecr.describe-repositories", S::Null;
    GetCostAndUsage = "ce" "GetCostAndUsage", R, "ce.get-cost-and-usage", S::Cost;
    ConsoleLogin = "signin" "ConsoleLogin", W, "", S::ConsoleLogin;
    DescribeAutoScalingGroups = "autoscaling" "DescribeAutoScalingGroups", R, "autoscaling.describe-auto-scaling-groups", S::Null;
    UpdateAutoScalingGroup = "autoscaling" "UpdateAutoScalingGroup", W, "autoscaling.update-auto-scaling-group", S::Asg;
    DescribeLoadBalancers = "elasticloadbalancing" "DescribeLoadBalancers", R, "elbv2.describe-load-balancers", S::Null;
    DescribeTargetHealth = "elasticloadbalancing" "DescribeTargetHealth", R, "elbv2.describe-target-health", S::TargetGroup;
    RegisterTargets = "elasticloadbalancing" "RegisterTargets", W, "elbv2.register-targets", S::TargetGroup;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_enum_and_names_are_unique() {
        assert_eq!(OPS[O::GetCallerIdentity as usize].name, "GetCallerIdentity");
        assert_eq!(O::RegisterTargets.def().name, "RegisterTargets");
        let mut seen = std::collections::BTreeSet::new();
        for d in OPS {
            assert!(seen.insert((d.source, d.name)), "{} twice", d.name);
            assert!(d.source.ends_with(".amazonaws.com"));
        }
        assert!(O::GetRole.def().global());
        assert!(O::DeleteObject.def().data() && !O::DeleteObject.def().read_only());
        assert_eq!(O::GetFunction.def().action(), "GetFunction");
        assert_eq!(O::ListFunctions.def().action(), "ListFunctions");
        for d in OPS {
            assert_eq!(
                d.action(),
                trailblame::shell_commands::normalise_event_name(d.source, d.name),
                "{}",
                d.name
            );
        }
    }
}
