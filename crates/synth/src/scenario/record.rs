//! Writes one CloudTrail record from a `Spec`: the `userIdentity` block of
//! each kind of principal (Identity Center users, the Codex agent role with
//! its `sourceIdentity`, the CI role federated from GitHub's OIDC token,
//! service-linked roles and AWS services, application roles, and
//! CloudFormation acting with a caller's forward session), the error an
//! event ends with, and the envelope in the field order CloudTrail writes.
//!
//! Details that do not matter to attribution (request ids, transfer sizes,
//! TLS version) come from a generator seeded by the event's uid, so a
//! record depends only on its spec.

use crate::cloudtrail::tls_details;
use crate::json::{Obj, iso};
use crate::rng::{Rng, mix};
use crate::scenario::cast::{
    ACCOUNTS, CI_ROLE, CI_SUBJECT, CODEX_ROLE, HUMANS, REGIONS, SERVICES, hash, role_id, sso_role,
    upper_id,
};
use crate::scenario::ops::OpDef;
use crate::scenario::params::{self, Ev};
use crate::scenario::resources::{WORKLOADS, World};
use crate::scenario::spec::{Err, Names, Spec, Who, event_id};

/// One Codex agent session's role credentials.
#[derive(Clone, Debug)]
pub(crate) struct RoleSession {
    /// `codex-<short id>`.
    pub name: String,
    pub source_identity: String,
    pub key: String,
    pub created: i64,
}

/// One GitHub Actions job's role session (the CI pipeline, or the Copilot
/// coding agent in the `copilot` environment).
#[derive(Clone, Debug)]
pub(crate) struct CiRun {
    pub start: i64,
    pub key: String,
    pub ip: String,
    /// The role the job assumes.
    pub role: &'static str,
    /// The job's OIDC subject (`repo:<owner>/<repo>:…`).
    pub subject: &'static str,
}

/// Everything records are rendered from, shared by all workers.
pub(crate) struct RenderCtx<'a> {
    pub seed: u64,
    pub world: &'a World,
    pub names: &'a Names,
    pub codex: &'a [RoleSession],
    pub ci: &'a [CiRun],
}

/// Buffers a worker reuses from record to record.
#[derive(Default)]
pub(crate) struct Scratch {
    req: Vec<u8>,
    resp: Vec<u8>,
    resources: Vec<u8>,
    extra: Vec<u8>,
    ua: String,
}

fn event_version(op: &OpDef) -> &'static str {
    const V: [&str; 4] = ["1.08", "1.09", "1.10", "1.11"];
    V[(hash(&[op.source]) % 4) as usize]
}

fn host_header(op: &OpDef, region: &str) -> String {
    match op.prefix {
        "iam" => "iam.amazonaws.com".to_string(),
        "ce" => "ce.us-east-1.amazonaws.com".to_string(),
        "signin" => "signin.aws.amazon.com".to_string(),
        "s3" => format!("s3.{region}.amazonaws.com"),
        p => format!("{p}.{region}.amazonaws.com"),
    }
}

/// The ARN of the caller, for error messages.
fn caller_arn(ctx: &RenderCtx<'_>, spec: &Spec) -> String {
    let acct = ACCOUNTS[spec.acct as usize].id;
    match spec.who {
        Who::Sso { human, console } => {
            let perm = crate::scenario::cast::perm_of(human, spec.acct, console);
            let email = HUMANS[human as usize].email;
            format!(
                "arn:aws:sts::{acct}:assumed-role/{}/{email}",
                sso_role(spec.acct, perm)
            )
        }
        Who::CfnFor { human, .. } | Who::SsoViaMcp { human } => {
            let perm = crate::scenario::cast::perm_of(human, spec.acct, false);
            let email = HUMANS[human as usize].email;
            format!(
                "arn:aws:sts::{acct}:assumed-role/{}/{email}",
                sso_role(spec.acct, perm)
            )
        }
        Who::AgentRole { session } => {
            let name = ctx
                .codex
                .get(session as usize)
                .map_or("codex", |s| s.name.as_str());
            format!("arn:aws:sts::{acct}:assumed-role/{CODEX_ROLE}/{name}")
        }
        Who::Ci { run } | Who::CiFederation { run } => {
            let role = ctx.ci.get(run as usize).map_or(CI_ROLE, |r| r.role);
            format!("arn:aws:sts::{acct}:assumed-role/{role}/GitHubActions")
        }
        Who::ServiceLinked { svc } | Who::AwsService { svc } => {
            let s = &SERVICES[svc as usize];
            format!(
                "arn:aws:sts::{acct}:assumed-role/{}/{}",
                s.linked_role.unwrap_or("service"),
                s.session
            )
        }
        Who::Workload { wl } => {
            let w = &WORKLOADS[wl as usize];
            format!("arn:aws:sts::{acct}:assumed-role/{}/{}", w.role, w.session)
        }
    }
}

/// The common head of an assumed-role identity.
fn assumed_role(o: &mut Obj<'_>, acct: u8, role: &str, session: &str, key: &str) {
    let id = ACCOUNTS[acct as usize].id;
    let rid = role_id(acct, role);
    o.str("type", "AssumedRole")
        .str("principalId", &format!("{rid}:{session}"))
        .str(
            "arn",
            &format!("arn:aws:sts::{id}:assumed-role/{role}/{session}"),
        )
        .str("accountId", id);
    if !key.is_empty() {
        o.str("accessKeyId", key);
    }
}

/// `sessionContext` of an assumed-role identity, with `sourceIdentity`
/// or web-identity data when given.
fn session_context(
    o: &mut Obj<'_>,
    acct: u8,
    role: &str,
    path: &str,
    created: i64,
    source_identity: Option<&str>,
    web_identity: bool,
) {
    let id = ACCOUNTS[acct as usize].id;
    let rid = role_id(acct, role);
    let mut sc = o.obj("sessionContext");
    sc.obj("sessionIssuer")
        .str("type", "Role")
        .str("principalId", &rid)
        .str("arn", &format!("arn:aws:iam::{id}:role/{path}{role}"))
        .str("accountId", id)
        .str("userName", role)
        .end();
    if web_identity {
        let mut w = sc.obj("webIdFederationData");
        w.str(
            "federatedProvider",
            &format!("arn:aws:iam::{id}:oidc-provider/token.actions.githubusercontent.com"),
        )
        .empty("attributes");
        w.end();
    }
    sc.obj("attributes")
        .str("creationDate", &iso(created))
        .str("mfaAuthenticated", "false")
        .end();
    if let Some(si) = source_identity {
        sc.str("sourceIdentity", si);
    }
    sc.end();
}

/// Writes `userIdentity`; returns the source IP address.
fn identity(o: &mut Obj<'_>, ctx: &RenderCtx<'_>, spec: &Spec, rng: &mut Rng) -> String {
    let a = spec.acct;
    let id = ACCOUNTS[a as usize].id;
    let mut u = o.obj("userIdentity");
    let ip = match spec.who {
        Who::Sso { human, console } => {
            let h = &HUMANS[human as usize];
            let role = sso_role(a, crate::scenario::cast::perm_of(human, a, console));
            let (key, created) = if console {
                crate::scenario::cast::console_key(human, a, spec.t)
            } else {
                crate::scenario::cast::cli_key(human, a, spec.t)
            };
            let signin = spec.op == crate::scenario::ops::O::ConsoleLogin;
            let key = if signin { String::new() } else { key };
            assumed_role(&mut u, a, &role, h.email, &key);
            session_context(
                &mut u,
                a,
                &role,
                "aws-reserved/sso.amazonaws.com/",
                created,
                None,
                false,
            );
            h.ip.to_string()
        }
        Who::CfnFor { human, op } => {
            let h = &HUMANS[human as usize];
            let role = sso_role(a, crate::scenario::cast::perm_of(human, a, false));
            let seed = mix(hash(&["cfn-fas", h.user]), u64::from(op));
            let key = upper_id("ASIA", seed, 16);
            let created = spec.t - (seed % 600) as i64 - 60;
            assumed_role(&mut u, a, &role, h.email, &key);
            session_context(
                &mut u,
                a,
                &role,
                "aws-reserved/sso.amazonaws.com/",
                created,
                None,
                false,
            );
            u.str("invokedBy", "cloudformation.amazonaws.com");
            "cloudformation.amazonaws.com".to_string()
        }
        Who::SsoViaMcp { human } => {
            // The MCP proxy signs with the person's cached CLI credentials;
            // the server calls on with them and says so in `invokedBy`.
            let h = &HUMANS[human as usize];
            let role = sso_role(a, crate::scenario::cast::perm_of(human, a, false));
            let (key, created) = crate::scenario::cast::cli_key(human, a, spec.t);
            assumed_role(&mut u, a, &role, h.email, &key);
            session_context(
                &mut u,
                a,
                &role,
                "aws-reserved/sso.amazonaws.com/",
                created,
                None,
                false,
            );
            u.str("invokedBy", crate::scenario::cast::AWS_MCP);
            crate::scenario::cast::AWS_MCP.to_string()
        }
        Who::AgentRole { session } => {
            let s = ctx.codex.get(session as usize);
            let (name, si, key, created) = s.map_or(("codex", "codex", "", spec.t), |s| {
                (
                    s.name.as_str(),
                    s.source_identity.as_str(),
                    s.key.as_str(),
                    s.created,
                )
            });
            assumed_role(&mut u, a, CODEX_ROLE, name, key);
            session_context(&mut u, a, CODEX_ROLE, "", created, Some(si), false);
            HUMANS[crate::scenario::cast::CAROL as usize].ip.to_string()
        }
        Who::Ci { run } => {
            let r = ctx.ci.get(run as usize);
            let (key, created, ip, role) = r
                .map_or((String::new(), spec.t, String::new(), CI_ROLE), |r| {
                    (r.key.clone(), r.start, r.ip.clone(), r.role)
                });
            assumed_role(&mut u, a, role, "GitHubActions", &key);
            session_context(&mut u, a, role, "", created, None, true);
            ip
        }
        Who::CiFederation { run } => {
            let provider =
                format!("arn:aws:iam::{id}:oidc-provider/token.actions.githubusercontent.com");
            let subject = ctx.ci.get(run as usize).map_or(CI_SUBJECT, |r| r.subject);
            u.str("type", "WebIdentityUser")
                .str(
                    "principalId",
                    &format!("{provider}:sts.amazonaws.com:{subject}"),
                )
                .str("userName", subject)
                .str("identityProvider", &provider);
            ctx.ci
                .get(run as usize)
                .map_or_else(String::new, |r| r.ip.clone())
        }
        Who::ServiceLinked { svc } => {
            let s = &SERVICES[svc as usize];
            let role = s.linked_role.unwrap_or("service");
            let block = spec.t.div_euclid(3600);
            let seed = mix(hash(&["slr", id, role]), block as u64);
            let key = upper_id("ASIA", seed, 16);
            let created = block * 3600 - (seed % 300) as i64;
            let path = format!("aws-service-role/{}/", s.principal);
            assumed_role(&mut u, a, role, s.session, &key);
            session_context(&mut u, a, role, &path, created, None, false);
            u.str("invokedBy", s.principal);
            s.principal.to_string()
        }
        Who::AwsService { svc } => {
            let s = &SERVICES[svc as usize];
            u.str("type", "AWSService").str("invokedBy", s.principal);
            s.principal.to_string()
        }
        Who::Workload { wl } => {
            let w = &WORKLOADS[wl as usize];
            let block = spec.t.div_euclid(3600);
            let seed = mix(hash(&["wl", w.role]), block as u64);
            let key = upper_id("ASIA", seed, 16);
            let created = block * 3600 - (seed % 300) as i64;
            assumed_role(&mut u, a, w.role, w.session, &key);
            session_context(&mut u, a, w.role, "", created, None, false);
            format!("44.208.{}.{}", 10 + wl, 20 + rng.below(40))
        }
    };
    u.end();
    ip
}

/// `(errorCode, errorMessage)` of a failed call.
fn error(op: &OpDef, err: Err, caller: &str, res: &str) -> (&'static str, String) {
    let action = op.action();
    let prefix = match op.prefix {
        "monitoring" => "cloudwatch",
        "elasticloadbalancing" => "elasticloadbalancing",
        p => p,
    };
    let denied = format!(
        "User: {caller} is not authorized to perform: {prefix}:{action} on resource: {res} because no identity-based policy allows the {prefix}:{action} action"
    );
    let p = op.prefix;
    match err {
        Err::None => ("", String::new()),
        Err::AccessDenied => match p {
            "ec2" => (
                "Client.UnauthorizedOperation",
                format!("You are not authorized to perform this operation. {denied}"),
            ),
            "lambda" | "dynamodb" | "logs" | "kms" | "secretsmanager" | "ssm" | "ecr" | "events" => {
                ("AccessDeniedException", denied)
            }
            _ => ("AccessDenied", denied),
        },
        Err::DryRun => (
            "Client.DryRunOperation",
            "Request would have succeeded, but DryRun flag is set.".to_string(),
        ),
        Err::NotFound => match p {
            "s3" if op.name == "DeleteBucket" || op.name == "ListObjects" => {
                ("NoSuchBucket", "The specified bucket does not exist".to_string())
            }
            "s3" => ("NoSuchKey", "The specified key does not exist.".to_string()),
            "cloudformation" => ("ValidationError", format!("Stack with id {res} does not exist")),
            "iam" => (
                "NoSuchEntityException",
                format!("The role with name {res} cannot be found."),
            ),
            "lambda" => ("ResourceNotFoundException", format!("Function not found: {res}")),
            _ => (
                "ResourceNotFoundException",
                format!("Requested resource not found: {res}"),
            ),
        },
        Err::Throttled => match p {
            "ec2" => ("Client.RequestLimitExceeded", "Request limit exceeded.".to_string()),
            _ => ("ThrottlingException", "Rate exceeded".to_string()),
        },
        Err::AlreadyExists => match p {
            "s3" => (
                "BucketAlreadyOwnedByYou",
                "Your previous request to create the named bucket succeeded and you already own it."
                    .to_string(),
            ),
            "cloudformation" => ("AlreadyExistsException", format!("Stack [{res}] already exists")),
            "iam" => (
                "EntityAlreadyExists",
                format!("Role with name {res} already exists."),
            ),
            "dynamodb" => ("ResourceInUseException", format!("Table already exists: {res}")),
            _ => ("ResourceConflictException", format!("{res} already exists")),
        },
        Err::Conflict => (
            "ResourceConflictException",
            format!("The operation cannot be performed at this time. An update is in progress for resource: {res}"),
        ),
    }
}

/// Appends one record (a JSON object, no separator) to `out`.
pub(crate) fn write_record(out: &mut Vec<u8>, ctx: &RenderCtx<'_>, spec: &Spec, sc: &mut Scratch) {
    let mut rng = Rng::new(mix(ctx.seed ^ 0xDE7A_11ED, spec.uid));
    let op = spec.op.def();
    let region = REGIONS[spec.region as usize];
    let acct_id = ACCOUNTS[spec.acct as usize].id;
    let signin = spec.op == crate::scenario::ops::O::ConsoleLogin;
    let res = ctx.names.get(spec.res);
    let aux = ctx.names.get(spec.aux);
    let failed = spec.err != Err::None;

    sc.req.clear();
    sc.resp.clear();
    sc.resources.clear();
    sc.extra.clear();
    {
        let mut ev = Ev {
            rng: &mut rng,
            res_lists: ctx.world.acct(spec.acct),
            acct: spec.acct,
            region,
            t: spec.t,
            res,
            aux,
            failed,
            req: &mut sc.req,
            resp: &mut sc.resp,
            resources: &mut sc.resources,
            extra: &mut sc.extra,
        };
        params::write(op.shape, &mut ev);
    }
    sc.ua.clear();
    let cli = ctx.names.get(spec.cli).unwrap_or(op.cli);
    spec.ua.write(&mut sc.ua, op, cli, rng.next_u64());

    let mut o = Obj::new(out);
    o.str("eventVersion", event_version(op));
    let ip = identity(&mut o, ctx, spec, &mut rng);
    o.time("eventTime", spec.t)
        .str("eventSource", op.source)
        .str("eventName", op.name)
        .str("awsRegion", region)
        .str("sourceIPAddress", &ip)
        .str("userAgent", &sc.ua);
    if failed {
        let caller = caller_arn(ctx, spec);
        let what = res.unwrap_or("*");
        let (code, msg) = error(op, spec.err, &caller, what);
        o.str("errorCode", code).str("errorMessage", &msg);
    }
    o.raw("requestParameters", &sc.req);
    o.raw("responseElements", if failed { &[] } else { &sc.resp });
    if !sc.extra.is_empty() {
        o.raw("additionalEventData", &sc.extra);
    }
    if !signin {
        let rid = if op.prefix == "s3" {
            rng.upper_alnum(16)
        } else {
            rng.uuid()
        };
        o.str("requestID", &rid);
    }
    let eid = event_id(ctx.seed, spec.uid);
    o.str("eventID", std::str::from_utf8(&eid).unwrap_or(""))
        .bool("readOnly", op.read_only());
    if !sc.resources.is_empty() {
        o.raw("resources", &sc.resources);
    }
    o.str(
        "eventType",
        if signin {
            "AwsConsoleSignIn"
        } else {
            "AwsApiCall"
        },
    )
    .bool("managementEvent", !op.data())
    .str("recipientAccountId", acct_id)
    .str(
        "eventCategory",
        if op.data() { "Data" } else { "Management" },
    );
    let service_call = spec.ua.is_service() || matches!(spec.who, Who::AwsService { .. });
    if !service_call {
        let host = if op.prefix == "s3" {
            match res {
                Some(b) if op.name != "ListBuckets" => format!("{b}.s3.{region}.amazonaws.com"),
                _ => host_header(op, region),
            }
        } else {
            host_header(op, region)
        };
        let tls12 = rng.chance(0.1);
        tls_details(&mut o, tls12, &host);
    }
    if spec.ua.is_console() && !signin {
        o.str("sessionCredentialFromConsole", "true");
    }
    o.end();
}
