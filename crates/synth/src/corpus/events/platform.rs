//! Shapes for the services that deploy and configure: CloudFormation, KMS,
//! Secrets Manager and SSM (parameters, the SSM agent, Run Command,
//! Session Manager). Secrets are hidden the way CloudTrail hides them
//! (`HIDDEN_DUE_TO_SECURITY_REASONS`, `Value hidden due to security
//! reasons.`).

use crate::corpus::events::parts::{Ev, tag_list};
use crate::corpus::principal::Class;
use crate::json::{Obj, java_time};
use crate::rng::Rng;

/// How CloudTrail replaces sensitive values.
pub(super) const HIDDEN: &str = "HIDDEN_DUE_TO_SECURITY_REASONS";

fn stack_arn(ev: &Ev<'_>, name: &str, id: &str) -> String {
    ev.arn("cloudformation", &format!("stack/{name}/{id}"))
}

pub(super) fn stack_only(ev: &mut Ev<'_>) {
    let (name, id) = ev.stack();
    let by_arn = ev.rng.chance(0.3);
    let value = if by_arn {
        stack_arn(ev, name, id)
    } else {
        name.to_string()
    };
    let mut o = Obj::new(&mut ev.out.req);
    o.str("stackName", &value);
    o.end();
}

pub(super) fn list_stacks(ev: &mut Ev<'_>) {
    let mut o = Obj::new(&mut ev.out.req);
    o.str_list(
        "stackStatusFilter",
        &[
            "CREATE_COMPLETE",
            "UPDATE_COMPLETE",
            "UPDATE_ROLLBACK_COMPLETE",
        ],
    );
    o.end();
}

fn template_url(ev: &mut Ev<'_>, name: &str) -> String {
    let bucket = format!("cdk-hnb659fds-assets-{}-{}", ev.acct.id, ev.region);
    if ev.rng.chance(0.5) {
        format!(
            "https://s3.{}.amazonaws.com/{bucket}/{}.json",
            ev.region,
            ev.rng.hex(64)
        )
    } else {
        format!(
            "https://s3.amazonaws.com/{}-{}-artifacts/cfn/{name}/template.yaml",
            ev.world.company, ev.acct.env
        )
    }
}

pub(super) fn create_stack(ev: &mut Ev<'_>) {
    let (name, id) = ev.stack();
    let url = template_url(ev, name);
    let arn = stack_arn(ev, name, id);
    let env = ev.acct.env;
    let team = *ev.rng.pick(&["platform", "payments", "data"]);
    let role = format!("arn:aws:iam::{}:role/cfn-exec-role", ev.acct.id);
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("stackName", name).str("templateURL", &url);
        {
            let mut ps = o.arr("parameters");
            ps.obj()
                .str("parameterKey", "Environment")
                .str("parameterValue", env)
                .end();
            ps.obj()
                .str("parameterKey", "BootstrapVersion")
                .str("parameterValue", "/cdk-bootstrap/hnb659fds/version")
                .end();
            ps.end();
        }
        o.str_list("capabilities", &["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"])
            .str("roleARN", &role);
        {
            let mut tags = o.arr("tags");
            tag_list(
                &mut tags,
                &[("Environment", env), ("Team", team)],
                "key",
                "value",
            );
            tags.end();
        }
        o.end();
    }
    let mut o = Obj::new(&mut ev.out.resp);
    o.str("stackId", &arn);
    o.end();
}

pub(super) fn delete_stack(ev: &mut Ev<'_>) {
    let (name, _) = ev.stack();
    let token = format!("Console-DeleteStack-{}", ev.rng.uuid());
    let console = ev.rng.chance(0.3);
    let mut o = Obj::new(&mut ev.out.req);
    o.str("stackName", name);
    if console {
        o.str("clientRequestToken", &token);
    }
    o.end();
}

pub(super) fn create_change_set(ev: &mut Ev<'_>) {
    let (name, id) = ev.stack();
    let url = template_url(ev, name);
    let cs_name = format!("cdk-deploy-change-set-{}", ev.t);
    let cs_uuid = ev.rng.uuid();
    let cs_id = ev.arn("cloudformation", &format!("changeSet/{cs_name}/{cs_uuid}"));
    let arn = stack_arn(ev, name, id);
    let env = ev.acct.env;
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("stackName", name)
            .str("templateURL", &url)
            .bool("usePreviousTemplate", false);
        {
            let mut ps = o.arr("parameters");
            ps.obj()
                .str("parameterKey", "Environment")
                .str("parameterValue", env)
                .end();
            ps.end();
        }
        o.str_list(
            "capabilities",
            &[
                "CAPABILITY_IAM",
                "CAPABILITY_NAMED_IAM",
                "CAPABILITY_AUTO_EXPAND",
            ],
        )
        .str("changeSetName", &cs_name)
        .str("changeSetType", "UPDATE")
        .str(
            "description",
            &format!("CDK Changeset for execution {}", ev.rng.uuid()),
        );
        o.end();
    }
    let mut o = Obj::new(&mut ev.out.resp);
    o.str("id", &cs_id).str("stackId", &arn);
    o.end();
}

pub(super) fn change_set_ref(ev: &mut Ev<'_>) {
    let (name, _) = ev.stack();
    let cs = format!(
        "cdk-deploy-change-set-{}",
        ev.t - ev.rng.range(5, 90) as i64
    );
    let mut o = Obj::new(&mut ev.out.req);
    o.str("changeSetName", &cs).str("stackName", name);
    o.end();
}

fn key_arn(ev: &mut Ev<'_>) -> String {
    let k = ev.kms_key();
    ev.arn("kms", &format!("key/{k}"))
}

/// The encryption context a caller of this kind sends.
fn encryption_context(ev: &mut Ev<'_>, o: &mut Vec<u8>) {
    let p = ev.principal;
    let lambda = p.class == Class::App && p.session_secs > 0 && ev.rng.chance(0.5);
    let mut c = Obj::new(o);
    match ev.rng.below(4) {
        _ if lambda => {
            let f = ev.function();
            c.str(
                "aws:lambda:FunctionArn",
                &ev.arn("lambda", &format!("function:{f}")),
            );
        }
        0 => {
            let b = ev.bucket();
            c.str("aws:s3:arn", &format!("arn:aws:s3:::{b}"));
        }
        1 => {
            let s = ev.secret();
            let suffix = ev.rng.alnum(6);
            let arn = ev.arn("secretsmanager", &format!("secret:{s}-{suffix}"));
            c.str("SecretARN", &arn)
                .str("SecretVersionId", &ev.rng.uuid());
        }
        2 => {
            let v = ev.volume();
            c.str("aws:ebs:id", v);
        }
        _ => {
            let t = ev.table();
            c.str("aws:dynamodb:tableName", t)
                .str("aws:dynamodb:subscriberId", &ev.acct.id);
        }
    }
    c.end();
}

pub(super) fn kms_decrypt(ev: &mut Ev<'_>) {
    let mut ctx = Vec::with_capacity(160);
    encryption_context(ev, &mut ctx);
    let arn = key_arn(ev);
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("encryptionAlgorithm", "SYMMETRIC_DEFAULT")
            .raw("encryptionContext", &ctx);
        o.end();
    }
    ev.out.shared_event_id = ev.principal.class == Class::AwsAccount;
    ev.resource("AWS::KMS::Key", &arn);
}

pub(super) fn kms_generate_data_key(ev: &mut Ev<'_>) {
    let mut ctx = Vec::with_capacity(160);
    encryption_context(ev, &mut ctx);
    let arn = key_arn(ev);
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("keyId", &arn)
            .raw("encryptionContext", &ctx)
            .str("keySpec", "AES_256");
        o.end();
    }
    ev.resource("AWS::KMS::Key", &arn);
}

pub(super) fn kms_describe_key(ev: &mut Ev<'_>) {
    let alias = *ev
        .rng
        .pick(&["alias/aws/s3", "alias/aws/ebs", "alias/app-data"]);
    let mut o = Obj::new(&mut ev.out.req);
    o.str("keyId", alias);
    o.end();
}

pub(super) fn kms_create_grant(ev: &mut Ev<'_>) {
    let arn = key_arn(ev);
    let grantee = format!(
        "arn:aws:iam::{}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
        ev.acct.id
    );
    let grant = ev.rng.hex(64);
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("keyId", &arn)
            .str("granteePrincipal", &grantee)
            .str_list(
                "operations",
                &[
                    "Decrypt",
                    "GenerateDataKeyWithoutPlaintext",
                    "ReEncryptFrom",
                    "ReEncryptTo",
                    "CreateGrant",
                ],
            );
        o.end();
    }
    {
        let mut o = Obj::new(&mut ev.out.resp);
        o.str("grantId", &grant);
        o.end();
    }
    ev.resource("AWS::KMS::Key", &arn);
}

fn secret_arn(ev: &mut Ev<'_>) -> String {
    let s = ev.secret();
    let suffix = ev.rng.alnum(6);
    ev.arn("secretsmanager", &format!("secret:{s}-{suffix}"))
}

pub(super) fn secret_only(ev: &mut Ev<'_>) {
    let id = if ev.rng.chance(0.6) {
        secret_arn(ev)
    } else {
        ev.secret().to_string()
    };
    let mut o = Obj::new(&mut ev.out.req);
    o.str("secretId", &id);
    o.end();
}

pub(super) fn put_secret_value(ev: &mut Ev<'_>) {
    let arn = secret_arn(ev);
    let token = ev.rng.uuid();
    let version = ev.rng.uuid();
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("secretId", &arn).str("clientRequestToken", &token);
        o.end();
    }
    let name = ev.secret();
    let mut o = Obj::new(&mut ev.out.resp);
    o.str("aRN", &arn)
        .str("name", name)
        .str("versionId", &version)
        .str_list("versionStages", &["AWSCURRENT"]);
    o.end();
}

pub(super) fn get_parameter(ev: &mut Ev<'_>) {
    let name = ev.parameter();
    let decrypt = ev.rng.chance(0.6);
    let mut o = Obj::new(&mut ev.out.req);
    o.str("name", name).bool("withDecryption", decrypt);
    o.end();
}

pub(super) fn get_parameters(ev: &mut Ev<'_>) {
    let a = ev.parameter();
    let b = ev.parameter();
    let mut o = Obj::new(&mut ev.out.req);
    o.str_list("names", &[a, b]).bool("withDecryption", true);
    o.end();
}

pub(super) fn get_parameters_by_path(ev: &mut Ev<'_>) {
    let svc = ev.ecs_service();
    let path = format!("/{}/{svc}/", ev.acct.env);
    let mut o = Obj::new(&mut ev.out.req);
    o.str("path", &path)
        .bool("recursive", true)
        .bool("withDecryption", true);
    o.end();
}

pub(super) fn update_instance_information(ev: &mut Ev<'_>) {
    let instance = ev.session.name.clone();
    let az = ev.az();
    let ip = format!(
        "10.{}.{}.{}",
        ev.rng.below(4),
        ev.rng.below(256),
        1 + ev.rng.below(254)
    );
    let host = if ev.region == "us-east-1" {
        format!("ip-{}.ec2.internal", ip.replace('.', "-"))
    } else {
        format!("ip-{}.{}.compute.internal", ip.replace('.', "-"), ev.region)
    };
    let az_id = format!("{}-az{}", &ev.region[..2], ev.rng.range(1, 6));
    let mut o = Obj::new(&mut ev.out.req);
    o.str("instanceId", &instance)
        .str("agentVersion", "3.3.1611.0")
        .str("agentStatus", "Active")
        .str("platformType", "Linux")
        .str("platformName", "Amazon Linux")
        .str("platformVersion", "2023")
        .str("iPAddress", &ip)
        .str("computerName", &host)
        .str("agentName", "amazon-ssm-agent")
        .str("availabilityZone", &az)
        .str("availabilityZoneId", &az_id)
        .str("sSMConnectionChannel", "ssmmessages");
    o.end();
}

pub(super) fn list_instance_associations(ev: &mut Ev<'_>) {
    let instance = ev.session.name.clone();
    let mut o = Obj::new(&mut ev.out.req);
    o.str("instanceId", &instance).num("maxResults", 50);
    o.end();
}

pub(super) fn update_association_status(ev: &mut Ev<'_>) {
    let instance = ev.session.name.clone();
    let association = Rng::new(ev.session.seed).uuid();
    let when = java_time(ev.t - ev.rng.range(1, 30) as i64, true);
    let mut o = Obj::new(&mut ev.out.req);
    o.str("associationId", &association)
        .str("instanceId", &instance);
    o.obj("executionResult")
        .str("status", "Success")
        .str("executionDate", &when)
        .str(
            "executionSummary",
            "1 out of 1 plugin processed, 1 success, 0 failed, 0 timedout, 0 skipped. ",
        )
        .end();
    o.end();
}

pub(super) fn put_parameter(ev: &mut Ev<'_>) {
    let name = ev.parameter();
    let secure = ev.rng.chance(0.5);
    let version = ev.rng.range(2, 40) as i64;
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("name", name)
            .str("type", if secure { "SecureString" } else { "String" })
            .bool("overwrite", true);
        if secure {
            o.str("keyId", "alias/aws/ssm");
        }
        o.end();
    }
    let mut o = Obj::new(&mut ev.out.resp);
    o.num("version", version).str("tier", "Standard");
    o.end();
}

pub(super) fn send_command(ev: &mut Ev<'_>) {
    let inst = ev.instance();
    let command_id = ev.rng.uuid();
    let t = ev.t;
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str_list("instanceIds", &[inst])
            .str("documentName", "AWS-RunShellScript");
        o.str("parameters", HIDDEN);
        o.num("timeoutSeconds", 3600);
        o.end();
    }
    let mut o = Obj::new(&mut ev.out.resp);
    let mut c = o.obj("command");
    c.str("commandId", &command_id)
        .str("documentName", "AWS-RunShellScript")
        .str("documentVersion", "$DEFAULT")
        .str("comment", "")
        .str("expiresAfter", &java_time(t + 4200, true))
        .str("parameters", HIDDEN)
        .str_list("instanceIds", &[inst])
        .empty("targets")
        .str("requestedDateTime", &java_time(t, true))
        .str("status", "Pending")
        .str("statusDetails", "Pending")
        .str("outputS3Region", ev.region)
        .str("outputS3BucketName", "")
        .str("outputS3KeyPrefix", "")
        .str("maxConcurrency", "50")
        .str("maxErrors", "0")
        .num("targetCount", 1)
        .num("completedCount", 0)
        .num("errorCount", 0)
        .num("deliveryTimedOutCount", 0)
        .str("serviceRole", "")
        .obj("notificationConfig")
        .str("notificationArn", "")
        .empty("notificationEvents")
        .str("notificationType", "")
        .end();
    c.obj("cloudWatchOutputConfig")
        .str("cloudWatchLogGroupName", "")
        .bool("cloudWatchOutputEnabled", false)
        .end();
    c.num("timeoutSeconds", 3600)
        .obj("alarmConfiguration")
        .bool("ignorePollAlarmFailure", false)
        .empty("alarms")
        .end();
    c.empty("triggeredAlarms");
    c.end();
    o.end();
}

pub(super) fn start_session(ev: &mut Ev<'_>) {
    let inst = ev.instance();
    let who = ev
        .principal
        .email
        .as_deref()
        .and_then(|e| e.split('@').next())
        .unwrap_or(&ev.principal.name)
        .replace('.', "-");
    let session_id = format!("{who}-{}", ev.rng.lower_alnum(26));
    let url = format!(
        "wss://ssmmessages.{}.amazonaws.com/v1/data-channel/{session_id}?role=publish_subscribe&cell-number={}",
        ev.region,
        ev.rng.base64(108)
    );
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("target", inst);
        o.end();
    }
    let mut o = Obj::new(&mut ev.out.resp);
    o.str("sessionId", &session_id)
        .str("tokenValue", "Value hidden due to security reasons.")
        .str("streamUrl", &url);
    o.end();
}
