//! Lambda, ECS, ECR, EKS, Auto Scaling and ELB shapes. Lambda event names
//! carry API-version suffixes (`CreateFunction20150331`); its responses echo
//! the function configuration, and `Invoke` is a data event.

use crate::corpus::events::parts::Ev;
use crate::json::{Obj, lambda_time};

fn function_arn(ev: &Ev<'_>, name: &str) -> String {
    ev.arn("lambda", &format!("function:{name}"))
}

pub(super) fn function_only(ev: &mut Ev<'_>) {
    let f = ev.function();
    let mut o = Obj::new(&mut ev.out.req);
    o.str("functionName", f);
    o.end();
}

/// The function configuration Lambda returns from create/update calls.
fn function_config(ev: &mut Ev<'_>, name: &str, runtime: &str, state: &str, version: &str) {
    let arn = function_arn(ev, name);
    let role = format!("arn:aws:iam::{}:role/{name}-role", ev.acct.id);
    let sha = ev.rng.base64(43);
    let size = ev.rng.range(900, 25_000_000) as i64;
    let revision = ev.rng.uuid();
    let modified = lambda_time(ev.t);
    let memory = *ev.rng.pick(&[128i64, 256, 512, 1024]);
    let timeout = *ev.rng.pick(&[3i64, 15, 30, 60, 900]);
    let region = ev.region;
    let runtime_arn = format!("arn:aws:lambda:{region}::runtime:{}", ev.rng.hex(64));
    let log_group = format!("/aws/lambda/{name}");
    let handler = if runtime.starts_with("python") {
        "app.handler"
    } else {
        "index.handler"
    };
    let mut o = Obj::new(&mut ev.out.resp);
    o.str("functionName", name)
        .str("functionArn", &arn)
        .str("runtime", runtime)
        .str("role", &role)
        .str("handler", handler)
        .num("codeSize", size)
        .str("description", "")
        .num("timeout", timeout)
        .num("memorySize", memory)
        .str("lastModified", &modified)
        .str("codeSha256", &format!("{sha}="))
        .str("version", version);
    o.obj("tracingConfig").str("mode", "PassThrough").end();
    o.str("revisionId", &revision).str("state", state);
    if state == "Pending" {
        o.str("stateReason", "The function is being created.")
            .str("stateReasonCode", "Creating");
    }
    o.str("packageType", "Zip")
        .str_list("architectures", &["arm64"]);
    o.obj("ephemeralStorage").num("size", 512).end();
    o.obj("snapStart")
        .str("applyOn", "None")
        .str("optimizationStatus", "Off")
        .end();
    o.obj("runtimeVersionConfig")
        .str("runtimeVersionArn", &runtime_arn)
        .end();
    o.obj("loggingConfig")
        .str("logFormat", "Text")
        .str("logGroup", &log_group)
        .end();
    o.end();
}

pub(super) fn create_function(ev: &mut Ev<'_>) {
    let name = format!(
        "{}-{}",
        ev.rng.pick(&[
            "csv-importer",
            "thumbnailer",
            "webhook-relay",
            "report-builder"
        ]),
        ev.acct.env
    );
    let runtime = *ev
        .rng
        .pick(&["python3.12", "python3.13", "nodejs20.x", "nodejs22.x"]);
    let role = format!("arn:aws:iam::{}:role/{name}-role", ev.acct.id);
    let env = ev.acct.env;
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("functionName", &name)
            .str("runtime", runtime)
            .str("role", &role)
            .str(
                "handler",
                if runtime.starts_with("python") {
                    "app.handler"
                } else {
                    "index.handler"
                },
            )
            .empty("code")
            .str("description", "")
            .num("timeout", 30)
            .num("memorySize", 256)
            .bool("publish", false);
        o.obj("environment").end();
        o.str_list("architectures", &["arm64"]);
        o.obj("tags").str("Environment", env).end();
        o.end();
    }
    function_config(ev, &name, runtime, "Pending", "$LATEST");
}

pub(super) fn update_function_code(ev: &mut Ev<'_>) {
    let name = ev.function();
    let arn = function_arn(ev, name);
    let bucket = ev.bucket();
    let key = format!("builds/{name}/{}.zip", ev.rng.hex(40));
    let runtime = *ev.rng.pick(&["python3.12", "nodejs20.x"]);
    let version = ev.rng.range(2, 180).to_string();
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.bool("dryRun", false)
            .str("functionName", &arn)
            .str("s3Bucket", bucket)
            .str("s3Key", &key)
            .bool("publish", true);
        o.end();
    }
    function_config(ev, name, runtime, "Active", &version);
}

pub(super) fn update_function_configuration(ev: &mut Ev<'_>) {
    let name = ev.function();
    let runtime = *ev.rng.pick(&["python3.12", "nodejs20.x"]);
    let memory = *ev.rng.pick(&[256i64, 512, 1024]);
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("functionName", name).num("memorySize", memory);
        o.obj("environment").end();
        o.end();
    }
    function_config(ev, name, runtime, "Active", "$LATEST");
}

pub(super) fn add_permission(ev: &mut Ev<'_>) {
    let name = ev.function();
    let sid = format!("AllowExecutionFromAPIGateway-{}", ev.rng.hex(8));
    let api_id = ev.rng.lower_alnum(10);
    let api = ev.arn("execute-api", &format!("{api_id}/*/*"));
    let fn_arn = function_arn(ev, name);
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("functionName", name)
            .str("statementId", &sid)
            .str("action", "lambda:InvokeFunction")
            .str("principal", "apigateway.amazonaws.com")
            .str("sourceArn", &api);
        o.end();
    }
    let mut stmt = Vec::with_capacity(256);
    {
        let mut s = Obj::new(&mut stmt);
        s.str("Sid", &sid).str("Effect", "Allow");
        s.obj("Principal")
            .str("Service", "apigateway.amazonaws.com")
            .end();
        s.str("Action", "lambda:InvokeFunction")
            .str("Resource", &fn_arn);
        let mut c = s.obj("Condition");
        c.obj("ArnLike").str("AWS:SourceArn", &api).end();
        c.end();
        s.end();
    }
    let stmt = String::from_utf8(stmt).unwrap_or_default();
    let mut o = Obj::new(&mut ev.out.resp);
    o.str("statement", &stmt);
    o.end();
}

pub(super) fn invoke(ev: &mut Ev<'_>) {
    let name = ev.function();
    let arn = function_arn(ev, name);
    let qualified = format!("{arn}:$LATEST");
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("functionName", &arn);
        if ev.rng.chance(0.3) {
            o.str("invocationType", "Event");
        }
        o.end();
    }
    {
        let mut o = Obj::new(&mut ev.out.extra);
        o.str("functionVersion", &qualified);
        o.end();
    }
    ev.resource("AWS::Lambda::Function", &arn);
}

pub(super) fn describe_services(ev: &mut Ev<'_>) {
    let cluster = ev.cluster();
    let svc = ev.ecs_service();
    let mut o = Obj::new(&mut ev.out.req);
    o.str("cluster", cluster).str_list("services", &[svc]);
    o.end();
}

pub(super) fn list_tasks(ev: &mut Ev<'_>) {
    let cluster = ev.cluster();
    let svc = ev.ecs_service();
    let mut o = Obj::new(&mut ev.out.req);
    o.str("cluster", cluster).str("serviceName", svc);
    o.end();
}

pub(super) fn describe_tasks(ev: &mut Ev<'_>) {
    let cluster = ev.cluster();
    let task_id = ev.rng.hex(32);
    let task = ev.arn("ecs", &format!("task/{cluster}/{task_id}"));
    let mut o = Obj::new(&mut ev.out.req);
    o.str("cluster", cluster).str_list("tasks", &[&task]);
    o.end();
}

pub(super) fn describe_task_definition(ev: &mut Ev<'_>) {
    let svc = ev.ecs_service();
    let rev = ev.rng.range(1, 240);
    let mut o = Obj::new(&mut ev.out.req);
    o.str("taskDefinition", &format!("{svc}:{rev}"));
    o.end();
}

pub(super) fn register_task_definition(ev: &mut Ev<'_>) {
    let svc = ev.ecs_service();
    let repo = ev.repository();
    let image = format!(
        "{}.dkr.ecr.{}.amazonaws.com/{repo}:{}",
        ev.acct.id,
        ev.region,
        ev.rng.hex(7)
    );
    let exec_role = format!("arn:aws:iam::{}:role/ecsTaskExecutionRole", ev.acct.id);
    let task_role = format!("arn:aws:iam::{}:role/{svc}-task-role", ev.acct.id);
    let rev = ev.rng.range(2, 240) as i64;
    let td_arn = ev.arn("ecs", &format!("task-definition/{svc}:{rev}"));
    let log_group = format!("/ecs/{svc}-{}", ev.acct.env);
    let region = ev.region;
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("family", svc)
            .str("taskRoleArn", &task_role)
            .str("executionRoleArn", &exec_role)
            .str("networkMode", "awsvpc");
        {
            let mut cds = o.arr("containerDefinitions");
            let mut c = cds.obj();
            c.str("name", svc)
                .str("image", &image)
                .bool("essential", true);
            {
                let mut pm = c.arr("portMappings");
                pm.obj()
                    .num("containerPort", 8080)
                    .str("protocol", "tcp")
                    .end();
                pm.end();
            }
            {
                let mut lc = c.obj("logConfiguration");
                lc.str("logDriver", "awslogs");
                lc.obj("options")
                    .str("awslogs-group", &log_group)
                    .str("awslogs-region", region)
                    .str("awslogs-stream-prefix", "ecs")
                    .end();
                lc.end();
            }
            c.end();
            cds.end();
        }
        o.str_list("requiresCompatibilities", &["FARGATE"])
            .str("cpu", "512")
            .str("memory", "1024");
        o.end();
    }
    let mut o = Obj::new(&mut ev.out.resp);
    let mut td = o.obj("taskDefinition");
    td.str("taskDefinitionArn", &td_arn)
        .str("family", svc)
        .num("revision", rev)
        .str("status", "ACTIVE")
        .str("networkMode", "awsvpc")
        .str("cpu", "512")
        .str("memory", "1024");
    td.end();
    o.end();
}

pub(super) fn update_service(ev: &mut Ev<'_>) {
    let cluster = ev.cluster();
    let svc = ev.ecs_service();
    let rev = ev.rng.range(2, 240);
    let mut o = Obj::new(&mut ev.out.req);
    o.str("cluster", cluster)
        .str("service", svc)
        .str("taskDefinition", &format!("{svc}:{rev}"))
        .bool("forceNewDeployment", false);
    o.end();
}

pub(super) fn run_task(ev: &mut Ev<'_>) {
    let cluster = ev.cluster();
    let svc = ev.ecs_service();
    let subnet = ev.subnet();
    let sg = ev.security_group();
    let mut o = Obj::new(&mut ev.out.req);
    o.str("cluster", cluster)
        .str("taskDefinition", &format!("{svc}-migrate"))
        .num("count", 1)
        .str("launchType", "FARGATE");
    let mut nc = o.obj("networkConfiguration");
    let mut aws = nc.obj("awsvpcConfiguration");
    aws.str_list("subnets", &[subnet])
        .str_list("securityGroups", &[sg])
        .str("assignPublicIp", "DISABLED");
    aws.end();
    nc.end();
    o.end();
}

pub(super) fn batch_get_image(ev: &mut Ev<'_>) {
    let repo = ev.repository();
    let tag = ev.rng.hex(7);
    let id = ev.acct.id.clone();
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("registryId", &id).str("repositoryName", repo);
        let mut ids = o.arr("imageIds");
        ids.obj().str("imageTag", &tag).end();
        ids.end();
        o.str_list(
            "acceptedMediaTypes",
            &[
                "application/vnd.docker.distribution.manifest.v2+json",
                "application/vnd.oci.image.manifest.v1+json",
            ],
        );
        o.end();
    }
    let arn = ev.arn("ecr", &format!("repository/{repo}"));
    ev.resource("AWS::ECR::Repository", &arn);
}

pub(super) fn get_download_url_for_layer(ev: &mut Ev<'_>) {
    let repo = ev.repository();
    let digest = format!("sha256:{}", ev.rng.hex(64));
    let id = ev.acct.id.clone();
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("registryId", &id)
            .str("repositoryName", repo)
            .str("layerDigest", &digest);
        o.end();
    }
    let arn = ev.arn("ecr", &format!("repository/{repo}"));
    ev.resource("AWS::ECR::Repository", &arn);
}

pub(super) fn put_image(ev: &mut Ev<'_>) {
    let repo = ev.repository();
    let tag = ev.rng.hex(7);
    let digest = format!("sha256:{}", ev.rng.hex(64));
    let id = ev.acct.id.clone();
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("repositoryName", repo)
            .str("imageTag", &tag)
            .str(
                "imageManifestMediaType",
                "application/vnd.oci.image.manifest.v1+json",
            )
            .str("registryId", &id);
        o.end();
    }
    {
        let mut o = Obj::new(&mut ev.out.resp);
        let mut im = o.obj("image");
        im.str("registryId", &id).str("repositoryName", repo);
        im.obj("imageId")
            .str("imageDigest", &digest)
            .str("imageTag", &tag)
            .end();
        im.str(
            "imageManifestMediaType",
            "application/vnd.oci.image.manifest.v1+json",
        );
        im.end();
        o.end();
    }
    let arn = ev.arn("ecr", &format!("repository/{repo}"));
    ev.resource("AWS::ECR::Repository", &arn);
}

pub(super) fn describe_cluster(ev: &mut Ev<'_>) {
    let c = ev.cluster();
    let mut o = Obj::new(&mut ev.out.req);
    o.str("name", c);
    o.end();
}

pub(super) fn describe_asgs(ev: &mut Ev<'_>) {
    let asg = ev.asg();
    let mut o = Obj::new(&mut ev.out.req);
    o.str_list("autoScalingGroupNames", &[asg]);
    o.end();
}

pub(super) fn update_asg(ev: &mut Ev<'_>) {
    let asg = ev.asg();
    let min = ev.rng.range(1, 3) as i64;
    let max = min + ev.rng.range(2, 10) as i64;
    let mut o = Obj::new(&mut ev.out.req);
    o.str("autoScalingGroupName", asg)
        .num("minSize", min)
        .num("maxSize", max);
    o.end();
}

pub(super) fn set_desired_capacity(ev: &mut Ev<'_>) {
    let asg = ev.asg();
    let n = ev.rng.range(1, 12) as i64;
    let mut o = Obj::new(&mut ev.out.req);
    o.str("autoScalingGroupName", asg)
        .num("desiredCapacity", n)
        .bool("honorCooldown", false);
    o.end();
}

pub(super) fn describe_target_health(ev: &mut Ev<'_>) {
    let tg = ev.target_group();
    let arn = ev.arn("elasticloadbalancing", &format!("targetgroup/{tg}"));
    let mut o = Obj::new(&mut ev.out.req);
    o.str("targetGroupArn", &arn);
    o.end();
}

pub(super) fn register_targets(ev: &mut Ev<'_>) {
    let tg = ev.target_group();
    let arn = ev.arn("elasticloadbalancing", &format!("targetgroup/{tg}"));
    let inst = ev.instance();
    let mut o = Obj::new(&mut ev.out.req);
    o.str("targetGroupArn", &arn);
    let mut ts = o.arr("targets");
    ts.obj().str("id", inst).num("port", 8080).end();
    ts.end();
    o.end();
}
