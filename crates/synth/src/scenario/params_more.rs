//! Parameter writers for the remaining services (logs, CloudWatch,
//! CloudFormation, IAM, DynamoDB, SQS, EventBridge, API Gateway, KMS,
//! Secrets Manager, SSM, Cost Explorer, sign-in, Auto Scaling, ELB); see
//! `params` for the contract.

use super::cast::ACCOUNTS;
use super::params::{Ev, Shape};
use crate::json::{Arr, Obj, java_time};

pub(crate) fn write(shape: Shape, ev: &mut Ev<'_>) {
    let acct = ACCOUNTS[ev.acct as usize].id;
    let region = ev.region.to_string();
    let lists = ev.res_lists;
    match shape {
        Shape::LogGroupPrefix => {
            Obj::new(ev.req)
                .str("logGroupNamePrefix", "/aws/lambda/")
                .end();
        }
        Shape::LogGroup | Shape::Retention | Shape::LogStream | Shape::FilterLogs => {
            let g = ev.pick(&lists.log_groups);
            let t = ev.t;
            let mut r = Obj::new(ev.req);
            r.str("logGroupName", &g);
            match shape {
                Shape::Retention => {
                    r.num("retentionInDays", 30);
                }
                Shape::LogStream => {
                    r.str(
                        "logStreamName",
                        "2025/12/08/[$LATEST]0f3e8d2c1b5a4f6e9d7c8b1a2e3f4d5c",
                    )
                    .bool("startFromHead", false);
                }
                Shape::FilterLogs => {
                    r.num("startTime", (t - 3600) * 1000)
                        .bool("interleaved", true);
                }
                _ => {}
            }
            r.end();
        }
        Shape::Alarms => {
            let a = ev.pick(&lists.alarms);
            let mut r = Obj::new(ev.req);
            r.str_list("alarmNames", &[&a]);
            r.end();
        }
        Shape::MetricData => {
            let t = ev.t;
            let mut r = Obj::new(ev.req);
            {
                let mut q = r.arr("metricDataQueries");
                let mut m = q.obj();
                m.str("id", "m0");
                {
                    let mut ms = m.obj("metricStat");
                    {
                        let mut metric = ms.obj("metric");
                        metric
                            .str("namespace", "AWS/Lambda")
                            .str("metricName", "Errors");
                        metric.end();
                    }
                    ms.num("period", 300).str("stat", "Sum");
                    ms.end();
                }
                m.end();
                q.end();
            }
            r.str("startTime", &java_time(t - 10_800, true))
                .str("endTime", &java_time(t, true));
            r.end();
        }
        Shape::MetricStats => {
            let f = ev.pick(&lists.functions);
            let t = ev.t;
            let mut r = Obj::new(ev.req);
            r.str("namespace", "AWS/Lambda")
                .str("metricName", "Duration");
            {
                let mut d = r.arr("dimensions");
                d.obj().str("name", "FunctionName").str("value", &f).end();
                d.end();
            }
            r.str("startTime", &java_time(t - 3600, true))
                .str("endTime", &java_time(t, true))
                .num("period", 300)
                .str_list("statistics", &["Average", "Maximum"]);
            r.end();
        }
        Shape::PutAlarm => {
            let a = ev.pick(&lists.alarms);
            Obj::new(ev.req)
                .str("alarmName", &a)
                .str("metricName", "Errors")
                .str("namespace", "AWS/Lambda")
                .str("statistic", "Sum")
                .num("period", 300)
                .num("evaluationPeriods", 1)
                .float("threshold", 1.0, 1)
                .str("comparisonOperator", "GreaterThanOrEqualToThreshold")
                .end();
        }
        Shape::Stack | Shape::UpdateStack | Shape::CreateStack => {
            let s = ev.pick(&lists.stacks);
            let mut r = Obj::new(ev.req);
            r.str("stackName", &s);
            if !matches!(shape, Shape::Stack) {
                r.str(
                    "templateURL",
                    &format!(
                        "https://acme-cfn-templates-{acct}.s3.amazonaws.com/{s}/template.yaml"
                    ),
                )
                .str_list("capabilities", &["CAPABILITY_NAMED_IAM"]);
                {
                    let mut p = r.arr("parameters");
                    p.obj()
                        .str("parameterKey", "Environment")
                        .str("parameterValue", ACCOUNTS[ev.acct as usize].name)
                        .end();
                    p.end();
                }
                if matches!(shape, Shape::CreateStack) {
                    r.bool("disableRollback", false);
                }
            }
            r.end();
            if !matches!(shape, Shape::Stack) && !ev.failed {
                let id = ev.rng.uuid();
                Obj::new(ev.resp)
                    .str(
                        "stackId",
                        &format!("arn:aws:cloudformation:{region}:{acct}:stack/{s}/{id}"),
                    )
                    .end();
            }
        }
        Shape::DriftStatus => {
            let id = ev.rng.uuid();
            Obj::new(ev.req).str("stackDriftDetectionId", &id).end();
        }
        Shape::ListStacks => {
            let mut r = Obj::new(ev.req);
            r.str_list(
                "stackStatusFilter",
                &[
                    "CREATE_COMPLETE",
                    "UPDATE_COMPLETE",
                    "UPDATE_ROLLBACK_COMPLETE",
                ],
            );
            r.end();
        }
        Shape::CreateChangeSet | Shape::ChangeSet => {
            let s = ev.pick(&lists.stacks);
            let cs = ev.aux.unwrap_or("samcli-deploy1765200000").to_string();
            let mut r = Obj::new(ev.req);
            r.str("stackName", &s).str("changeSetName", &cs);
            if matches!(shape, Shape::CreateChangeSet) {
                r.str(
                    "templateURL",
                    &format!(
                        "https://acme-cfn-templates-{acct}.s3.amazonaws.com/{s}/template.yaml"
                    ),
                )
                .str("changeSetType", "UPDATE")
                .str_list("capabilities", &["CAPABILITY_IAM"]);
            }
            r.end();
            if matches!(shape, Shape::CreateChangeSet) && !ev.failed {
                let a = ev.rng.uuid();
                let b = ev.rng.uuid();
                Obj::new(ev.resp)
                    .str(
                        "id",
                        &format!("arn:aws:cloudformation:{region}:{acct}:changeSet/{cs}/{a}"),
                    )
                    .str(
                        "stackId",
                        &format!("arn:aws:cloudformation:{region}:{acct}:stack/{s}/{b}"),
                    )
                    .end();
            }
        }
        Shape::Role | Shape::RolePolicy | Shape::RolePolicyArn | Shape::CreateRole => {
            let role = ev.pick(&lists.roles);
            let t = ev.t;
            let mut r = Obj::new(ev.req);
            r.str("roleName", &role);
            match shape {
                Shape::RolePolicy => {
                    r.str("policyName", ev.aux.unwrap_or("inline-access"));
                }
                Shape::RolePolicyArn => {
                    r.str(
                        "policyArn",
                        ev.aux.unwrap_or(
                            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
                        ),
                    );
                }
                Shape::CreateRole => {
                    r.str("assumeRolePolicyDocument", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}");
                }
                _ => {}
            }
            r.end();
            if matches!(shape, Shape::CreateRole) && !ev.failed {
                let rid = super::cast::role_id(ev.acct, &role);
                let mut o = Obj::new(ev.resp);
                o.obj("role")
                    .str("path", "/")
                    .str("roleName", &role)
                    .str("roleId", &rid)
                    .str("arn", &format!("arn:aws:iam::{acct}:role/{role}"))
                    .str("createDate", &java_time(t, false))
                    .end();
                o.end();
            }
        }
        Shape::Table | Shape::CreateTable | Shape::DeleteTable | Shape::TableArn => {
            let tb = ev.pick(&lists.tables);
            if matches!(shape, Shape::TableArn) {
                Obj::new(ev.req)
                    .str(
                        "resourceArn",
                        &format!("arn:aws:dynamodb:{region}:{acct}:table/{tb}"),
                    )
                    .end();
                return;
            }
            Obj::new(ev.req).str("tableName", &tb).end();
            if !ev.failed {
                match shape {
                    Shape::CreateTable => table_description(ev, &tb, "CREATING"),
                    Shape::DeleteTable => table_description(ev, &tb, "DELETING"),
                    _ => {}
                }
            }
        }
        Shape::Queue | Shape::CreateQueue => {
            let q = ev.pick(&lists.queues);
            let url = format!("https://sqs.{region}.amazonaws.com/{acct}/{q}");
            if matches!(shape, Shape::CreateQueue) {
                Obj::new(ev.req).str("queueName", &q).end();
                if !ev.failed {
                    Obj::new(ev.resp).str("queueUrl", &url).end();
                }
            } else {
                Obj::new(ev.req).str("queueUrl", &url).end();
            }
        }
        Shape::Rule => {
            let rule = ev.res.unwrap_or("cost-analysis-prod-hourly").to_string();
            Obj::new(ev.req).str("name", &rule).end();
        }
        Shape::RestApi => {
            let id = ev.rng.lower_alnum(10);
            Obj::new(ev.req).str("restApiId", &id).end();
        }
        Shape::Kms => {
            let key = format!("arn:aws:kms:{region}:{acct}:key/{}", lists.kms_key);
            let mut r = Obj::new(ev.req);
            r.str("keyId", &key)
                .str("encryptionAlgorithm", "SYMMETRIC_DEFAULT");
            r.end();
            let mut a = Arr::new(ev.resources);
            a.obj()
                .str("accountId", acct)
                .str("type", "AWS::KMS::Key")
                .str("ARN", &key)
                .end();
            a.end();
        }
        Shape::Secret => {
            let s = ev.pick(&lists.secrets);
            Obj::new(ev.req).str("secretId", &s).end();
        }
        Shape::Param => {
            let p = ev.pick(&lists.params);
            Obj::new(ev.req)
                .str("name", &p)
                .bool("withDecryption", true)
                .end();
        }
        Shape::Params => {
            let p = ev.pick(&lists.params);
            let mut r = Obj::new(ev.req);
            r.str_list("names", &[&p]).bool("withDecryption", true);
            r.end();
        }
        Shape::ParamPath => {
            Obj::new(ev.req)
                .str(
                    "path",
                    &format!("/billing/{}/", ACCOUNTS[ev.acct as usize].name),
                )
                .bool("recursive", true)
                .bool("withDecryption", true)
                .end();
        }
        Shape::Cost => {
            let t = ev.t;
            let day = t - t.rem_euclid(86_400);
            let mut r = Obj::new(ev.req);
            {
                let mut p = r.obj("timePeriod");
                p.str("start", &crate::json::iso(day - 7 * 86_400)[..10])
                    .str("end", &crate::json::iso(day)[..10]);
                p.end();
            }
            r.str("granularity", "DAILY")
                .str_list("metrics", &["UnblendedCost"]);
            r.end();
        }
        Shape::ConsoleLogin => {
            if !ev.failed {
                Obj::new(ev.resp).str("ConsoleLogin", "Success").end();
            }
            Obj::new(ev.extra)
                .str("MobileVersion", "No")
                .str("MFAUsed", "No")
                .str("LoginTo", "https://console.aws.amazon.com/console/home")
                .end();
        }
        Shape::Asg => {
            Obj::new(ev.req)
                .str("autoScalingGroupName", "billing-workers")
                .num("desiredCapacity", 2 + ev.rng.below(4) as i64)
                .end();
        }
        Shape::TargetGroup => {
            let id = ev.rng.hex(16);
            Obj::new(ev.req)
                .str(
                    "targetGroupArn",
                    &format!(
                        "arn:aws:elasticloadbalancing:{region}:{acct}:targetgroup/billing-api/{id}"
                    ),
                )
                .end();
        }
        _ => {}
    }
}

fn table_description(ev: &mut Ev<'_>, tb: &str, status: &str) {
    let acct = ACCOUNTS[ev.acct as usize].id;
    let region = ev.region.to_string();
    let id = ev.rng.uuid();
    let mut o = Obj::new(ev.resp);
    {
        let mut d = o.obj("tableDescription");
        d.str("tableName", tb)
            .str("tableStatus", status)
            .str(
                "tableArn",
                &format!("arn:aws:dynamodb:{region}:{acct}:table/{tb}"),
            )
            .str("tableId", &id);
        d.obj("billingModeSummary")
            .str("billingMode", "PAY_PER_REQUEST")
            .end();
        d.end();
    }
    o.end();
}
