//! `requestParameters`, `responseElements`, `resources` and
//! `additionalEventData` of each operation, in the shapes CloudTrail
//! records: read-only calls mostly have a null response, writes echo the
//! created or changed resource, S3 object calls carry the transfer
//! details. When a scripted event names its resource (`res`, `aux`) that
//! name is used; otherwise one is picked from the account's resources.

use super::cast::ACCOUNTS;
use super::world::AcctRes;
use crate::json::{Obj, java_time, lambda_time};
use crate::rng::Rng;

/// The parameter shape of an operation (see `ops`).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Shape {
    Null,
    AssumeRole,
    WebIdentity,
    ListBuckets,
    /// A bucket sub-resource call (`policy`, `acl`, …; `""` for none).
    Bucket(&'static str),
    CreateBucket,
    ListObjects,
    Object,
    PutObject,
    Ec2Filter(&'static str),
    SgIds,
    SgRules,
    RunInstances,
    InstanceIds,
    CreateTags,
    SgRule,
    CreateEni,
    DeleteEni,
    Function,
    FunctionCode,
    FunctionConfig,
    CreateFunction,
    LambdaPermission,
    EventSourceMapping,
    LogGroupPrefix,
    LogGroup,
    LogStream,
    FilterLogs,
    Retention,
    Alarms,
    MetricData,
    MetricStats,
    PutAlarm,
    Stack,
    ListStacks,
    CreateStack,
    UpdateStack,
    CreateChangeSet,
    ChangeSet,
    DriftStatus,
    Role,
    RolePolicy,
    RolePolicyArn,
    CreateRole,
    Table,
    TableArn,
    CreateTable,
    DeleteTable,
    Queue,
    CreateQueue,
    Rule,
    RestApi,
    Kms,
    Secret,
    Param,
    Params,
    ParamPath,
    Cost,
    ConsoleLogin,
    Asg,
    TargetGroup,
}

/// Everything a writer needs, and the buffers it fills (empty = absent).
pub(crate) struct Ev<'a> {
    pub rng: &'a mut Rng,
    pub res_lists: &'a AcctRes,
    pub acct: u8,
    pub region: &'a str,
    pub t: i64,
    pub res: Option<&'a str>,
    pub aux: Option<&'a str>,
    /// The call failed: no response elements.
    pub failed: bool,
    pub req: &'a mut Vec<u8>,
    pub resp: &'a mut Vec<u8>,
    pub resources: &'a mut Vec<u8>,
    pub extra: &'a mut Vec<u8>,
}

impl Ev<'_> {
    pub(crate) fn acct_id(&self) -> &'static str {
        ACCOUNTS[self.acct as usize].id
    }

    /// The scripted resource, or one picked from `list`.
    pub(crate) fn pick(&mut self, list: &[String]) -> String {
        match self.res {
            Some(r) => r.to_string(),
            None if list.is_empty() => "default".to_string(),
            None => list[self.rng.index(list.len())].clone(),
        }
    }

    fn req(&mut self) -> Obj<'_> {
        Obj::new(self.req)
    }

    fn resp(&mut self) -> Option<Obj<'_>> {
        (!self.failed).then(|| Obj::new(self.resp))
    }
}

/// Writes the parts of one event.
pub(crate) fn write(shape: Shape, ev: &mut Ev<'_>) {
    match shape {
        Shape::Null => {}
        Shape::AssumeRole | Shape::WebIdentity => sts(shape, ev),
        Shape::ListBuckets
        | Shape::Bucket(_)
        | Shape::CreateBucket
        | Shape::ListObjects
        | Shape::Object
        | Shape::PutObject => s3(shape, ev),
        Shape::Ec2Filter(_)
        | Shape::SgIds
        | Shape::SgRules
        | Shape::RunInstances
        | Shape::InstanceIds
        | Shape::CreateTags
        | Shape::SgRule
        | Shape::CreateEni
        | Shape::DeleteEni => super::params_ec2::write(shape, ev),
        Shape::Function
        | Shape::FunctionCode
        | Shape::FunctionConfig
        | Shape::CreateFunction
        | Shape::LambdaPermission
        | Shape::EventSourceMapping => lambda(shape, ev),
        _ => super::params_more::write(shape, ev),
    }
}

/// `"responseElements"` of an STS credential response.
fn credentials(o: &mut Obj<'_>, rng: &mut Rng, t: i64, secs: i64) {
    let key = format!("ASIA{}", rng.upper_alnum(16));
    let token = rng.base64(96);
    let mut c = o.obj("credentials");
    c.str("accessKeyId", &key)
        .str("sessionToken", &token)
        .str("expiration", &java_time(t + secs, true));
    c.end();
}

fn sts(shape: Shape, ev: &mut Ev<'_>) {
    let acct = ev.acct_id();
    let role = ev
        .res
        .unwrap_or("OrganizationAccountAccessRole")
        .to_string();
    let session = ev.aux.unwrap_or("session").to_string();
    let role_arn = format!("arn:aws:iam::{acct}:role/{role}");
    let source_identity = session.split_once('|').map(|(_, si)| si.to_string());
    let session = session.split('|').next().unwrap_or("session").to_string();
    {
        let mut r = ev.req();
        r.str("roleArn", &role_arn).str("roleSessionName", &session);
        if let Some(si) = &source_identity {
            r.str("sourceIdentity", si);
        }
        r.num(
            "durationSeconds",
            if source_identity.is_some() {
                14_400
            } else {
                3600
            },
        );
        r.end();
    }
    let (t, failed) = (ev.t, ev.failed);
    if !failed {
        let role_id = super::cast::role_id(ev.acct, &role);
        let mut o = Obj::new(ev.resp);
        credentials(
            &mut o,
            ev.rng,
            t,
            if source_identity.is_some() {
                14_400
            } else {
                3600
            },
        );
        let mut u = o.obj("assumedRoleUser");
        u.str("assumedRoleId", &format!("{role_id}:{session}")).str(
            "arn",
            &format!("arn:aws:sts::{acct}:assumed-role/{role}/{session}"),
        );
        u.end();
        if let Some(si) = &source_identity {
            o.str("sourceIdentity", si);
        }
        if matches!(shape, Shape::WebIdentity) {
            o.str("subjectFromWebIdentityToken", super::cast::CI_SUBJECT)
                .str("audience", "sts.amazonaws.com")
                .str(
                    "provider",
                    &format!(
                        "arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com"
                    ),
                );
        }
        o.end();
    }
    let mut a = crate::json::Arr::new(ev.resources);
    a.obj()
        .str("accountId", acct)
        .str("type", "AWS::IAM::Role")
        .str("ARN", &role_arn)
        .end();
    a.end();
}

fn s3_host(bucket: &str, region: &str) -> String {
    format!("{bucket}.s3.{region}.amazonaws.com")
}

fn s3(shape: Shape, ev: &mut Ev<'_>) {
    let region = ev.region.to_string();
    if matches!(shape, Shape::ListBuckets) {
        ev.req()
            .str("Host", &format!("s3.{region}.amazonaws.com"))
            .end();
        return;
    }
    let lists = ev.res_lists;
    let bucket = ev.pick(&lists.buckets);
    let host = s3_host(&bucket, &region);
    match shape {
        Shape::Bucket(sub) => {
            let mut r = ev.req();
            r.str("bucketName", &bucket).str("Host", &host);
            if !sub.is_empty() {
                r.str(sub, "");
            }
            r.end();
        }
        Shape::CreateBucket => {
            let mut r = ev.req();
            r.str("bucketName", &bucket).str("Host", &host);
            if region != "us-east-1" {
                let mut c = r.obj("CreateBucketConfiguration");
                c.str("LocationConstraint", &region)
                    .str("xmlns", "http://s3.amazonaws.com/doc/2006-03-01/");
                c.end();
            }
            r.end();
        }
        Shape::ListObjects => {
            let prefix = ev.aux.unwrap_or("").to_string();
            // CloudTrail logs ListObjectsV2 as `ListObjects` with `list-type: 2`.
            ev.req()
                .str("list-type", "2")
                .str("bucketName", &bucket)
                .str("encoding-type", "url")
                .str("prefix", &prefix)
                .str("delimiter", "/")
                .str("Host", &host)
                .end();
            data_extra(ev, 0, 0);
            s3_resources(ev, &bucket, None);
        }
        _ => {
            let key = match ev.aux {
                Some(k) => k.to_string(),
                None => format!(
                    "{}/{}.json",
                    ev.rng
                        .pick(&["reports", "exports", "builds", "tmp", "uploads"]),
                    ev.rng.hex(12)
                ),
            };
            ev.req()
                .str("bucketName", &bucket)
                .str("Host", &host)
                .str("key", &key)
                .end();
            if matches!(shape, Shape::PutObject)
                && let Some(mut o) = ev.resp()
            {
                o.str("x-amz-server-side-encryption", "AES256");
                o.end();
            }
            let size = 200 + ev.rng.below(400_000);
            let (inb, outb) = match shape {
                Shape::PutObject => (size, 0),
                Shape::Object if !ev.failed => (0, size),
                _ => (0, 0),
            };
            data_extra(ev, inb, outb);
            s3_resources(ev, &bucket, Some(&key));
        }
    }
}

fn data_extra(ev: &mut Ev<'_>, inb: u64, outb: u64) {
    let id2 = ev.rng.base64(76);
    let mut o = Obj::new(ev.extra);
    o.str("SignatureVersion", "SigV4")
        .str("CipherSuite", "TLS_AES_128_GCM_SHA256")
        .num("bytesTransferredIn", inb as i64)
        .str("AuthenticationMethod", "AuthHeader")
        .str("x-amz-id-2", &id2)
        .num("bytesTransferredOut", outb as i64);
    o.end();
}

fn s3_resources(ev: &mut Ev<'_>, bucket: &str, key: Option<&str>) {
    let acct = ev.acct_id();
    let mut a = crate::json::Arr::new(ev.resources);
    if let Some(k) = key {
        a.obj()
            .str("type", "AWS::S3::Object")
            .str("ARN", &format!("arn:aws:s3:::{bucket}/{k}"))
            .end();
    }
    a.obj()
        .str("accountId", acct)
        .str("type", "AWS::S3::Bucket")
        .str("ARN", &format!("arn:aws:s3:::{bucket}"))
        .end();
    a.end();
}

fn function_arn(acct: &str, region: &str, f: &str) -> String {
    format!("arn:aws:lambda:{region}:{acct}:function:{f}")
}

fn function_config(o: &mut Obj<'_>, ev_t: i64, arn: &str, f: &str, role: &str, rng: &mut Rng) {
    o.str("functionName", f)
        .str("functionArn", arn)
        .str("runtime", "python3.12")
        .str("role", role)
        .str("handler", "app.handler")
        .num("codeSize", 1_000 + rng.below(9_000_000) as i64)
        .str("description", "")
        .num("timeout", 30)
        .num("memorySize", 512)
        .str("lastModified", &lambda_time(ev_t))
        .str("codeSha256", &rng.base64(43))
        .str("version", "$LATEST")
        .empty("tracingConfig")
        .str("revisionId", &rng.uuid())
        .str("state", "Active")
        .str("lastUpdateStatus", "InProgress")
        .str("packageType", "Zip")
        .str_list("architectures", &["x86_64"]);
}

fn lambda(shape: Shape, ev: &mut Ev<'_>) {
    let acct = ev.acct_id();
    let region = ev.region.to_string();
    let lists = ev.res_lists;
    let f = ev.pick(&lists.functions);
    let role = format!("arn:aws:iam::{acct}:role/{f}-role");
    let arn = function_arn(acct, &region, &f);
    match shape {
        Shape::Function => {
            Obj::new(ev.req).str("functionName", &f).end();
        }
        Shape::FunctionCode | Shape::FunctionConfig | Shape::CreateFunction => {
            {
                let mut r = Obj::new(ev.req);
                r.str("functionName", &f);
                match shape {
                    Shape::FunctionCode => {
                        r.bool("publish", false).bool("dryRun", false);
                    }
                    Shape::FunctionConfig => match ev.aux {
                        Some(a) if a.starts_with("memory=") => {
                            let (mem, timeout) = a[7..].split_once(',').unwrap_or(("256", "10"));
                            r.num("memorySize", mem.parse().unwrap_or(256))
                                .num("timeout", timeout.parse().unwrap_or(10));
                        }
                        Some(_) => {
                            r.obj("environment").empty("variables").end();
                        }
                        None => {
                            r.num("timeout", 30);
                        }
                    },
                    _ => {
                        r.str("runtime", "python3.12")
                            .str("role", &role)
                            .str("handler", "app.handler")
                            .obj("code")
                            .end();
                        r.num("timeout", 30)
                            .num("memorySize", 512)
                            .bool("publish", false);
                    }
                }
                r.end();
            }
            if !ev.failed {
                let mut o = Obj::new(ev.resp);
                function_config(&mut o, ev.t, &arn, &f, &role, ev.rng);
                o.end();
            }
        }
        Shape::LambdaPermission => {
            Obj::new(ev.req)
                .str("functionName", &f)
                .str("statementId", "apigateway-invoke")
                .str("action", "lambda:InvokeFunction")
                .str("principal", "apigateway.amazonaws.com")
                .end();
        }
        Shape::EventSourceMapping => {
            let uuid = ev.rng.uuid();
            Obj::new(ev.req).str("uUID", &uuid).end();
            if !ev.failed {
                Obj::new(ev.resp)
                    .str("uUID", &uuid)
                    .num("batchSize", 10)
                    .str("functionArn", &arn)
                    .str("state", "Deleting")
                    .end();
            }
        }
        _ => {}
    }
}
