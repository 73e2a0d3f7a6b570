//! Parameters of the services applications use: DynamoDB, SQS,
//! EventBridge, API Gateway, KMS, Secrets Manager, SSM Parameter Store,
//! Auto Scaling and ELB; see `params` for the contract.

use crate::json::{Arr, Obj};
use crate::scenario::cast::ACCOUNTS;
use crate::scenario::params::shape::{Ev, Shape};

pub(super) fn write(shape: Shape, ev: &mut Ev<'_>) {
    let acct = ACCOUNTS[ev.acct as usize].id;
    let region = ev.region.to_string();
    let lists = ev.res_lists;
    match shape {
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
