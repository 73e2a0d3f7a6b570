//! IAM, STS, console sign-in and access-portal shapes. Policy documents are
//! JSON strings inside the parameters, as IAM logs them; `AssumeRole*`
//! responses carry credentials whose `ASIA…` key is the one the assumed
//! session then uses (see `identity::Principal::session`).

use crate::corpus::events::parts::Ev;
use crate::corpus::principal::{Class, unique_id};
use crate::json::{Obj, java_time};
use crate::rng::Rng;

const MANAGED_POLICIES: &[&str] = &[
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    "arn:aws:iam::aws:policy/AdministratorAccess",
];

fn role_arn(acct: &str, name: &str) -> String {
    format!("arn:aws:iam::{acct}:role/{name}")
}

fn name_req(ev: &mut Ev<'_>, key: &str, value: &str) {
    let mut o = Obj::new(&mut ev.out.req);
    o.str(key, value);
    o.end();
}

pub(super) fn get_role(ev: &mut Ev<'_>) {
    let r = ev.role_name();
    name_req(ev, "roleName", r);
}

pub(super) fn role_only(ev: &mut Ev<'_>) {
    get_role(ev);
}

pub(super) fn get_user(ev: &mut Ev<'_>) {
    let u = ev.user_name();
    name_req(ev, "userName", u);
}

pub(super) fn get_policy(ev: &mut Ev<'_>) {
    let p = *ev.rng.pick(MANAGED_POLICIES);
    name_req(ev, "policyArn", p);
}

pub(super) fn get_policy_version(ev: &mut Ev<'_>) {
    let p = *ev.rng.pick(MANAGED_POLICIES);
    let v = format!("v{}", ev.rng.range(1, 12));
    let mut o = Obj::new(&mut ev.out.req);
    o.str("policyArn", p).str("versionId", &v);
    o.end();
}

pub(super) fn list_policies(ev: &mut Ev<'_>) {
    let mut o = Obj::new(&mut ev.out.req);
    o.str("scope", "Local").bool("onlyAttached", false);
    o.end();
}

pub(super) fn get_instance_profile(ev: &mut Ev<'_>) {
    let name = format!(
        "{}-{}-instance-profile",
        ev.rng.pick(&["web", "worker", "bastion"]),
        ev.acct.env
    );
    name_req(ev, "instanceProfileName", &name);
}

/// A trust policy allowing a service or the CI OIDC provider.
fn trust_policy(ev: &mut Ev<'_>) -> String {
    let mut buf = Vec::with_capacity(256);
    let oidc = ev.rng.chance(0.3);
    let service = *ev.rng.pick(&[
        "lambda.amazonaws.com",
        "ecs-tasks.amazonaws.com",
        "ec2.amazonaws.com",
    ]);
    let repo = ev.rng.pick(&ev.acct.res.repos).clone();
    let acct = ev.acct.id.as_str();
    let mut o = Obj::new(&mut buf);
    o.str("Version", "2012-10-17");
    let mut st = o.arr("Statement");
    let mut s = st.obj();
    s.str("Effect", "Allow");
    if oidc {
        s.obj("Principal")
            .str(
                "Federated",
                &format!("arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com"),
            )
            .end();
        s.str("Action", "sts:AssumeRoleWithWebIdentity");
        let mut c = s.obj("Condition");
        c.obj("StringEquals")
            .str(
                "token.actions.githubusercontent.com:aud",
                "sts.amazonaws.com",
            )
            .end();
        c.obj("StringLike")
            .str(
                "token.actions.githubusercontent.com:sub",
                &format!("repo:{repo}:*"),
            )
            .end();
        c.end();
    } else {
        s.obj("Principal").str("Service", service).end();
        s.str("Action", "sts:AssumeRole");
    }
    s.end();
    st.end();
    o.end();
    String::from_utf8(buf).unwrap_or_default()
}

/// An inline permissions policy.
fn permissions_policy(ev: &mut Ev<'_>) -> String {
    let bucket = ev.bucket();
    let table = ev.table();
    let region = ev.region;
    let acct = ev.acct.id.as_str();
    let mut buf = Vec::with_capacity(384);
    let mut o = Obj::new(&mut buf);
    o.str("Version", "2012-10-17");
    let mut st = o.arr("Statement");
    st.obj()
        .str("Effect", "Allow")
        .str_list("Action", &["s3:GetObject", "s3:PutObject", "s3:ListBucket"])
        .str_list(
            "Resource",
            &[
                &format!("arn:aws:s3:::{bucket}"),
                &format!("arn:aws:s3:::{bucket}/*"),
            ],
        )
        .end();
    st.obj()
        .str("Effect", "Allow")
        .str_list(
            "Action",
            &["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
        )
        .str(
            "Resource",
            &format!("arn:aws:dynamodb:{region}:{acct}:table/{table}"),
        )
        .end();
    st.end();
    o.end();
    String::from_utf8(buf).unwrap_or_default()
}

fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub(super) fn create_role(ev: &mut Ev<'_>) {
    let name = format!(
        "{}-{}-{}",
        ev.rng
            .pick(&["orders", "etl", "reporting", "webhook", "batch"]),
        ev.rng.pick(&["lambda", "task", "job"]),
        ev.acct.env
    );
    let policy = trust_policy(ev);
    let id = unique_id("AROA", ev.acct.seed, &name);
    let arn = role_arn(&ev.acct.id, &name);
    let created = java_time(ev.t, false);
    let env = ev.acct.env;
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("roleName", &name)
            .str("description", "Managed by Terraform")
            .str("assumeRolePolicyDocument", &policy);
        let mut tags = o.arr("tags");
        tags.obj().str("key", "Environment").str("value", env).end();
        tags.end();
        o.end();
    }
    let encoded = url_encode(&policy);
    let mut o = Obj::new(&mut ev.out.resp);
    let mut r = o.obj("role");
    r.str("path", "/")
        .str("roleName", &name)
        .str("roleId", &id)
        .str("arn", &arn)
        .str("createDate", &created)
        .str("assumeRolePolicyDocument", &encoded);
    let mut tags = r.arr("tags");
    tags.obj().str("key", "Environment").str("value", env).end();
    tags.end();
    r.end();
    o.end();
}

pub(super) fn attach_role_policy(ev: &mut Ev<'_>) {
    let r = ev.role_name();
    let p = *ev.rng.pick(MANAGED_POLICIES);
    let mut o = Obj::new(&mut ev.out.req);
    o.str("roleName", r).str("policyArn", p);
    o.end();
}

pub(super) fn put_role_policy(ev: &mut Ev<'_>) {
    let r = ev.role_name();
    let doc = permissions_policy(ev);
    let name = format!(
        "{}-inline",
        ev.rng.pick(&["s3-access", "dynamodb", "app-data"])
    );
    let mut o = Obj::new(&mut ev.out.req);
    o.str("roleName", r)
        .str("policyName", &name)
        .str("policyDocument", &doc);
    o.end();
}

pub(super) fn create_policy(ev: &mut Ev<'_>) {
    let doc = permissions_policy(ev);
    let name = format!(
        "{}-{}-access",
        ev.rng.pick(&["orders", "etl", "reporting"]),
        ev.acct.env
    );
    let id = unique_id("ANPA", ev.acct.seed, &name);
    let arn = format!("arn:aws:iam::{}:policy/{name}", ev.acct.id);
    let created = java_time(ev.t, false);
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("policyName", &name)
            .str("policyDocument", &doc)
            .str("description", "Application data access");
        o.end();
    }
    let mut o = Obj::new(&mut ev.out.resp);
    let mut p = o.obj("policy");
    p.str("policyName", &name)
        .str("policyId", &id)
        .str("arn", &arn)
        .str("path", "/")
        .str("defaultVersionId", "v1")
        .num("attachmentCount", 0)
        .num("permissionsBoundaryUsageCount", 0)
        .bool("isAttachable", true)
        .str("createDate", &created)
        .str("updateDate", &created);
    p.end();
    o.end();
}

pub(super) fn tag_role(ev: &mut Ev<'_>) {
    let r = ev.role_name();
    let team = *ev.rng.pick(&["platform", "payments", "data"]);
    let mut o = Obj::new(&mut ev.out.req);
    o.str("roleName", r);
    let mut tags = o.arr("tags");
    tags.obj().str("key", "Team").str("value", team).end();
    tags.end();
    o.end();
}

pub(super) fn create_access_key(ev: &mut Ev<'_>) {
    let user = ev.user_name();
    let mut key = String::from("AKIA");
    ev.rng.push_upper_alnum(&mut key, 16);
    let created = java_time(ev.t, false);
    name_req(ev, "userName", user);
    let mut o = Obj::new(&mut ev.out.resp);
    o.obj("accessKey")
        .str("userName", user)
        .str("accessKeyId", &key)
        .str("status", "Active")
        .str("createDate", &created)
        .end();
    o.end();
}

pub(super) fn update_access_key(ev: &mut Ev<'_>) {
    let user = ev.user_name();
    let mut key = String::from("AKIA");
    ev.rng.push_upper_alnum(&mut key, 16);
    let mut o = Obj::new(&mut ev.out.req);
    o.str("userName", user)
        .str("accessKeyId", &key)
        .str("status", "Inactive");
    o.end();
}

pub(super) fn create_user(ev: &mut Ev<'_>) {
    let name = format!(
        "{}-{}",
        ev.rng
            .pick(&["svc-backup", "svc-export", "vendor-sync", "ci-legacy"]),
        ev.rng.lower_alnum(4)
    );
    let id = unique_id("AIDA", ev.acct.seed, &name);
    let arn = format!("arn:aws:iam::{}:user/{name}", ev.acct.id);
    let created = java_time(ev.t, false);
    name_req(ev, "userName", &name);
    let mut o = Obj::new(&mut ev.out.resp);
    o.obj("user")
        .str("path", "/")
        .str("userName", &name)
        .str("userId", &id)
        .str("arn", &arn)
        .str("createDate", &created)
        .end();
    o.end();
}

pub(super) fn create_service_linked_role(ev: &mut Ev<'_>) {
    let (svc, name) = *ev.rng.pick(&[
        (
            "elasticloadbalancing.amazonaws.com",
            "AWSServiceRoleForElasticLoadBalancing",
        ),
        ("autoscaling.amazonaws.com", "AWSServiceRoleForAutoScaling"),
        ("ecs.amazonaws.com", "AWSServiceRoleForECS"),
    ]);
    let id = unique_id("AROA", ev.acct.seed, name);
    let arn = format!(
        "arn:aws:iam::{}:role/aws-service-role/{svc}/{name}",
        ev.acct.id
    );
    let created = java_time(ev.t, false);
    name_req(ev, "aWSServiceName", svc);
    let mut o = Obj::new(&mut ev.out.resp);
    o.obj("role")
        .str("path", &format!("/aws-service-role/{svc}/"))
        .str("roleName", name)
        .str("roleId", &id)
        .str("arn", &arn)
        .str("createDate", &created)
        .end();
    o.end();
}

/// What `AssumeRole*` hands out.
struct Issued {
    role_name: String,
    role_arn: String,
    role_id: String,
    session_name: String,
    key: String,
}

fn session_token(rng: &mut Rng) -> String {
    let n = rng.range(420, 620) as usize;
    let mut s = String::with_capacity(16 + n);
    s.push_str("IQoJb3JpZ2luX2Vj");
    s.push_str(&rng.base64(n));
    s
}

/// Chooses the role a call assumes: one of the caller's known targets when it
/// has any (so the returned key matches that role's later calls), else one of
/// the account's other roles.
fn issue(ev: &mut Ev<'_>, fallback_session: &str) -> Issued {
    let acct = ev.acct;
    let p = ev.principal;
    if !p.assumes.is_empty() {
        let ti = p.assumes[ev.rng.index(p.assumes.len())];
        if let Some(target) = acct.principals.get(ti) {
            let s = target.session(acct, ti, ev.t);
            return Issued {
                role_name: target.name.clone(),
                role_arn: target.arn.clone(),
                role_id: target.id.clone(),
                session_name: s.name,
                key: s.key,
            };
        }
    }
    let name = if p.class == Class::AwsAccount {
        if ev.rng.chance(0.6) {
            "datadog-integration".to_string()
        } else {
            "OrganizationAccountAccessRole".to_string()
        }
    } else {
        acct.res.roles[ev.rng.index(acct.res.roles.len())].clone()
    };
    let mut key = String::from("ASIA");
    ev.rng.push_upper_alnum(&mut key, 16);
    Issued {
        role_arn: role_arn(&acct.id, &name),
        role_id: unique_id("AROA", acct.seed, &name),
        role_name: name,
        session_name: fallback_session.to_string(),
        key,
    }
}

fn credentials(o: &mut Obj<'_>, rng: &mut Rng, key: &str, expires: i64) {
    let token = session_token(rng);
    let mut c = o.obj("credentials");
    c.str("accessKeyId", key)
        .str("sessionToken", &token)
        .str("expiration", &java_time(expires, true));
    c.end();
}

fn assumed_role_user(o: &mut Obj<'_>, acct: &str, issued: &Issued) {
    o.obj("assumedRoleUser")
        .str(
            "assumedRoleId",
            &format!("{}:{}", issued.role_id, issued.session_name),
        )
        .str(
            "arn",
            &format!(
                "arn:aws:sts::{acct}:assumed-role/{}/{}",
                issued.role_name, issued.session_name
            ),
        )
        .end();
}

pub(super) fn assume_role(ev: &mut Ev<'_>) {
    let p = ev.principal;
    let fallback = match p.class {
        Class::AwsAccount => format!(
            "{}-{}",
            ev.rng.pick(&["datadog", "vanta", "wiz"]),
            ev.rng.hex(8)
        ),
        _ => p
            .email
            .clone()
            .unwrap_or_else(|| format!("{}-{}", p.name, ev.t)),
    };
    let issued = issue(ev, &fallback);
    let external = (p.class == Class::AwsAccount).then(|| ev.rng.hex(32));
    let source_identity = p.source_identity(ev.session).map(str::to_string);
    let duration = if p.class == Class::AwsService {
        0
    } else {
        3600
    };
    let acct = ev.acct.id.as_str();
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("roleArn", &issued.role_arn)
            .str("roleSessionName", &issued.session_name);
        if duration > 0 {
            o.num("durationSeconds", duration);
        }
        o.opt_str("externalId", external.as_deref())
            .opt_str("sourceIdentity", source_identity.as_deref());
        o.end();
    }
    {
        let mut o = Obj::new(&mut ev.out.resp);
        credentials(&mut o, ev.rng, &issued.key, ev.t + 3600);
        assumed_role_user(&mut o, acct, &issued);
        o.opt_str("sourceIdentity", source_identity.as_deref());
        o.end();
    }
    ev.out.shared_event_id = p.class == Class::AwsAccount;
    let arn = issued.role_arn.clone();
    ev.resource("AWS::IAM::Role", &arn);
}

pub(super) fn assume_role_with_web_identity(ev: &mut Ev<'_>) {
    let p = ev.principal;
    let issued = issue(ev, "botocore-session");
    let provider = p.web_provider.clone().unwrap_or_default();
    let acct = ev.acct.id.as_str();
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("roleArn", &issued.role_arn)
            .str("roleSessionName", &issued.session_name)
            .num("durationSeconds", 3600);
        o.end();
    }
    {
        let mut o = Obj::new(&mut ev.out.resp);
        credentials(&mut o, ev.rng, &issued.key, ev.t + 3600);
        o.str("subjectFromWebIdentityToken", &p.name);
        assumed_role_user(&mut o, acct, &issued);
        o.str("provider", &provider)
            .str("audience", "sts.amazonaws.com");
        o.end();
    }
    {
        let mut o = Obj::new(&mut ev.out.extra);
        o.str(
            "identityProviderConnectionVerificationMethod",
            "IAMTrustStore",
        );
        o.end();
    }
    let arn = issued.role_arn.clone();
    ev.resource("AWS::IAM::Role", &arn);
}

pub(super) fn assume_role_with_saml(ev: &mut Ev<'_>) {
    let p = ev.principal;
    let acct = ev.acct.id.clone();
    let role = *ev
        .rng
        .pick(&["okta-admin", "okta-developer", "okta-readonly"]);
    let issued = Issued {
        role_name: role.to_string(),
        role_arn: role_arn(&acct, role),
        role_id: unique_id("AROA", ev.acct.seed, role),
        session_name: p.name.clone(),
        key: {
            let mut k = String::from("ASIA");
            ev.rng.push_upper_alnum(&mut k, 16);
            k
        },
    };
    let provider = format!("arn:aws:iam::{acct}:saml-provider/Okta");
    let assertion = format!("_{}", ev.rng.hex(32));
    let issuer = format!("http://www.okta.com/exk{}", ev.rng.alnum(17));
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("sAMLAssertionID", &assertion)
            .str("roleSessionName", &issued.session_name)
            .num("durationSeconds", 3600)
            .str("roleArn", &issued.role_arn)
            .str("principalArn", &provider);
        o.end();
    }
    {
        let mut o = Obj::new(&mut ev.out.resp);
        o.str("subjectType", "persistent").str("issuer", &issuer);
        credentials(&mut o, ev.rng, &issued.key, ev.t + 3600);
        o.str("nameQualifier", &p.arn);
        assumed_role_user(&mut o, &acct, &issued);
        o.str("subject", &p.name)
            .str("audience", "https://signin.aws.amazon.com/saml");
        o.end();
    }
    let arn = issued.role_arn.clone();
    ev.resource("AWS::IAM::Role", &arn);
    ev.resource("AWS::IAM::SAMLProvider", &provider);
}

pub(super) fn get_session_token(ev: &mut Ev<'_>) {
    let mut key = String::from("ASIA");
    ev.rng.push_upper_alnum(&mut key, 16);
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.num("durationSeconds", 43_200);
        o.end();
    }
    let mut o = Obj::new(&mut ev.out.resp);
    credentials(&mut o, ev.rng, &key, ev.t + 43_200);
    o.end();
}

pub(super) fn console_login(ev: &mut Ev<'_>) {
    let p = ev.principal;
    let failed = p.class != Class::Sso && ev.rng.chance(0.04);
    let dest = *ev.rng.pick(&[
        "https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_c4b0b2a1d2e3f4a5",
        "https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1",
        "https://console.aws.amazon.com/cloudwatch/home",
        "https://us-east-1.console.aws.amazon.com/s3/buckets?region=us-east-1",
    ]);
    let acct = ev.acct.id.as_str();
    ev.out.req.clear();
    {
        let mut o = Obj::new(&mut ev.out.resp);
        o.str("ConsoleLogin", if failed { "Failure" } else { "Success" });
        o.end();
    }
    let mut o = Obj::new(&mut ev.out.extra);
    o.str("LoginTo", dest).str("MobileVersion", "No");
    match p.class {
        Class::Root => {
            o.str(
                "MFAIdentifier",
                &format!("arn:aws:iam::{acct}:mfa/root-account-mfa-device"),
            )
            .str("MFAUsed", "Yes");
        }
        Class::IamUser if p.mfa => {
            o.str(
                "MFAIdentifier",
                &format!("arn:aws:iam::{acct}:mfa/{}", p.name),
            )
            .str("MFAUsed", "Yes");
        }
        _ => {
            o.str("MFAUsed", "No");
        }
    }
    o.end();
    ev.out.host.push_str("signin.aws.amazon.com");
    ev.out.signin_failed = failed;
}

pub(super) fn portal_list_accounts(ev: &mut Ev<'_>) {
    let mut o = Obj::new(&mut ev.out.req);
    o.num("maxResults", 100);
    o.end();
    ev.out.host.push_str("portal.sso.us-east-1.amazonaws.com");
}

pub(super) fn portal_account(ev: &mut Ev<'_>) {
    let id = ev.acct.id.as_str();
    let mut o = Obj::new(&mut ev.out.req);
    o.str("accountId", id);
    o.end();
    ev.out.host.push_str("portal.sso.us-east-1.amazonaws.com");
}

pub(super) fn portal_role_credentials(ev: &mut Ev<'_>) {
    let id = ev.acct.id.as_str();
    let role = *ev.rng.pick(&[
        "AdministratorAccess",
        "PowerUserAccess",
        "ReadOnlyAccess",
        "DeveloperAccess",
    ]);
    let mut o = Obj::new(&mut ev.out.req);
    o.str("roleName", role).str("accountId", id);
    o.end();
    ev.out.host.push_str("portal.sso.us-east-1.amazonaws.com");
}
