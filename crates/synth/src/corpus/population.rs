//! Who acts in each account, and how: people through Identity Center
//! permission sets (some running AI coding agents with their credentials),
//! workload roles, dedicated agent roles, the GitHub Actions CI role, AWS
//! services, legacy IAM users, root, and the rarer identity types
//! (federated, cross-account, Identity Center, SAML, web identity, portal).
//!
//! Each principal gets its tools once (`Channel`s with a fixed user agent)
//! and a weight; shares per class were chosen so that assumed roles dominate,
//! as in real organisations, while every `userIdentity.type` still shows up
//! in a 20k-event run.

use crate::corpus::events::who::*;
use crate::corpus::principal::{Channel, Class, Naming, Principal, unique_id};
use crate::corpus::user_agent::{self as ua, AgentCode, CliBuild, Ua};
use crate::corpus::world::{Account, Person, World, public_ip};
use crate::rng::{Rng, Weighted, mix};

const PERMISSION_SETS: &[&str] = &[
    "AdministratorAccess",
    "PowerUserAccess",
    "DeveloperAccess",
    "DeveloperAccess",
    "ReadOnlyAccess",
    "ViewOnlyAccess",
    "SecurityAudit",
];

fn base(class: Class, name: String, weight: u64) -> Principal {
    Principal {
        class,
        weight,
        home_only: false,
        name,
        id: String::new(),
        arn: String::new(),
        naming: Naming::Fixed(String::new()),
        session_secs: 3600,
        phase: 0,
        source_identities: Vec::new(),
        mfa: false,
        invoked_by: None,
        web_provider: None,
        ec2_delivery: false,
        fixed_key: None,
        issuer: None,
        email: None,
        user_id: None,
        other_account: None,
        ips: Vec::new(),
        vpce: None,
        agent: None,
        assumes: Vec::new(),
        channels: Vec::new(),
        pick_channel: Weighted::default(),
    }
}

fn ch(ua: Ua, who: u32, weight: u64) -> Channel {
    Channel { ua, who, weight }
}

fn role(p: &mut Principal, acct: &Account, path: &str) {
    p.id = unique_id("AROA", acct.seed, &p.name);
    p.arn = format!("arn:aws:iam::{}:role/{path}{}", acct.id, p.name);
}

fn finish(mut p: Principal, rng: &mut Rng) -> Principal {
    p.phase = rng.below(p.session_secs.max(1) as u64) as i64;
    p.pick_channel = Weighted::new(p.channels.iter().map(|c| c.weight));
    p
}

/// Splits a class's share between `n` principals, unevenly (each gets
/// between half and one and a half of an even split).
fn share(rng: &mut Rng, total: u64, n: usize) -> u64 {
    let even = total * 100 / n.max(1) as u64;
    ((even / 2 + rng.below(even.max(1))) / 100).max(1)
}

/// A person's own tools, fixed across accounts.
fn person_cli(person: &Person) -> (CliBuild, Rng) {
    let mut prng = Rng::new(person.seed);
    let build = CliBuild::random(&mut prng, false);
    (build, prng)
}

fn sso_principal(acct: &Account, person: &Person, weight: u64, rng: &mut Rng) -> Principal {
    let (cli, mut prng) = person_cli(person);
    let ps = *prng.pick(PERMISSION_SETS);
    let suffix = Rng::new(mix(acct.seed, xxhash_rust::xxh3::xxh3_64(ps.as_bytes()))).hex(16);
    let mut p = base(Class::Sso, format!("AWSReservedSSO_{ps}_{suffix}"), weight);
    role(&mut p, acct, "aws-reserved/sso.amazonaws.com/");
    p.naming = Naming::Fixed(person.email.clone());
    p.email = Some(person.email.clone());
    p.user_id = Some(person.user_id.clone());
    p.session_secs = 3600 * 4;
    p.ips = person.ips.clone();
    p.agent = person.agent;
    let browser = ua::random_browser(&mut prng);
    p.channels.push(ch(
        Ua::Cli {
            build: cli.clone(),
            agent: None,
        },
        PROG,
        50,
    ));
    p.channels.push(ch(Ua::Console { browser }, CONSOLE, 24));
    p.channels.push(ch(ua::boto3(&mut prng, None, ""), PROG, 6));
    if !matches!(ps, "ReadOnlyAccess" | "ViewOnlyAccess" | "SecurityAudit") {
        p.channels.push(ch(ua::terraform(&mut prng), IAC, 4));
    }
    if prng.chance(0.2) {
        p.channels.push(ch(ua::cli_legacy(&mut prng), PROG, 6));
    }
    if let Some(agent) = person.agent {
        // The person's coding agent runs the AWS CLI with their SSO session.
        p.channels.push(ch(
            Ua::Cli {
                build: cli.clone(),
                agent: Some(agent),
            },
            PROG,
            18,
        ));
        p.channels
            .push(ch(ua::mcp_server(&mut prng, mcp_client(agent)), PROG, 4));
        if agent == AgentCode::Kiro {
            let q = format!(
                "AmazonQ-For-CLI-Version-1.{}.{}",
                prng.range(10, 19),
                prng.below(4)
            );
            p.channels.push(ch(
                Ua::Cli {
                    build: cli.with_exec_env(&q),
                    agent: None,
                },
                PROG,
                5,
            ));
        }
    }
    finish(p, rng)
}

fn mcp_client(agent: AgentCode) -> &'static str {
    match agent {
        AgentCode::ClaudeCode => "claude-code#2.0.14",
        AgentCode::Codex => "codex-mcp-client#0.46.0",
        AgentCode::Kiro => "Kiro#0.4.0",
    }
}

/// Builds every principal of `acct`.
pub(crate) fn principals(world: &World, acct: &Account, rng: &mut Rng) -> Vec<Principal> {
    let mut out: Vec<Principal> = Vec::new();
    let res = &acct.res;

    // People in this account (at least three).
    let mut members: Vec<&Person> = world
        .people
        .iter()
        .filter(|_| rng.chance(if acct.idx == 0 { 0.6 } else { 0.45 }))
        .collect();
    for p in &world.people {
        if members.len() >= 3 {
            break;
        }
        if !members.iter().any(|m| m.email == p.email) {
            members.push(p);
        }
    }

    for person in &members {
        let w = share(rng, 130, members.len());
        out.push(sso_principal(acct, person, w, rng));
    }

    // Workload roles.
    let mut lambda_roles = Vec::new();
    for f in &res.functions {
        let mut p = base(Class::App, format!("{f}-role"), 0);
        role(&mut p, acct, "");
        p.naming = Naming::Fixed(f.clone());
        p.session_secs = 3600 * 6;
        p.ips = (0..3).map(|_| public_ip(rng)).collect();
        let tool = if rng.chance(0.6) {
            ua::boto3(rng, Some("AWS_Lambda_python3.12"), "")
        } else {
            ua::sdk_js(rng, Some("AWS_Lambda_nodejs20.x"))
        };
        p.channels.push(ch(tool, APP, 1));
        p.weight = share(rng, 130, res.functions.len());
        lambda_roles.push(out.len());
        out.push(finish(p, rng));
    }
    let mut ecs_roles = Vec::new();
    for s in &res.ecs_services {
        let mut p = base(Class::App, format!("{s}-task-role"), 0);
        role(&mut p, acct, "");
        p.naming = Naming::TaskId;
        p.session_secs = 3600 * 6;
        if rng.chance(0.35) {
            p.vpce = Some(format!("vpce-0{}", rng.hex(16)));
        }
        let tool = if rng.chance(0.5) {
            ua::sdk_java(rng, "AWS_ECS_FARGATE")
        } else {
            ua::sdk_js(rng, Some("AWS_ECS_FARGATE"))
        };
        p.channels.push(ch(tool, APP, 1));
        p.weight = share(rng, 100, res.ecs_services.len());
        ecs_roles.push(out.len());
        out.push(finish(p, rng));
    }
    let ec2_role = out.len();
    {
        let mut p = base(Class::App, format!("web-server-{}-role", acct.env), 90);
        role(&mut p, acct, "");
        let instance = res.instances.first().cloned().unwrap_or_default();
        p.naming = Naming::Fixed(instance);
        p.ec2_delivery = true;
        p.session_secs = 3600 * 6;
        p.channels.push(ch(ua::ssm_agent(rng), SSM_AGENT, 55));
        p.channels.push(ch(ua::boto3(rng, None, ""), APP, 45));
        out.push(finish(p, rng));
    }
    let eks_oidc = format!(
        "arn:aws:iam::{}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/{}",
        acct.id, res.eks_oidc
    );
    let mut irsa_roles = Vec::new();
    for (name, tail) in [
        ("karpenter-controller", "karpenter.sh-v1.0.6"),
        ("external-dns", "external-dns/0.15.0"),
        ("aws-load-balancer-controller", "elbv2.k8s.aws/v2.9.2"),
        ("airflow-worker", ""),
    ] {
        let mut p = base(Class::App, format!("{name}-{}", acct.env), 0);
        role(&mut p, acct, "");
        p.web_provider = Some(eks_oidc.clone());
        if tail.is_empty() {
            // boto3 names its web-identity sessions itself.
            p.naming = Naming::Botocore;
            p.channels.push(ch(ua::boto3(rng, None, ""), APP, 1));
        } else {
            p.naming = Naming::GoSdk;
            p.channels.push(ch(ua::sdk_go(rng, tail), APP, 1));
        }
        p.weight = share(rng, 40, 4);
        irsa_roles.push(out.len());
        out.push(finish(p, rng));
    }

    // Roles dedicated to AI coding agents, used by the people who run them.
    let agent_count = if acct.idx == 0 { 3 } else { 1 + rng.index(3) };
    for agent in AgentCode::ALL.iter().copied().take(agent_count) {
        let users: Vec<&Person> = members
            .iter()
            .copied()
            .filter(|m| m.agent == Some(agent))
            .collect();
        let mut p = base(Class::Agent, format!("agent-{}", agent.slug()), 0);
        role(&mut p, acct, "");
        p.naming = Naming::Prefixed(agent.slug());
        p.agent = Some(agent);
        p.source_identities = if users.is_empty() {
            vec![format!("agent-{}", agent.slug())]
        } else {
            users.iter().map(|u| u.email.clone()).collect()
        };
        p.ips = users.iter().flat_map(|u| u.ips.iter().cloned()).collect();
        if p.ips.is_empty() {
            p.ips.push(public_ip(rng));
        }
        let mut prng = Rng::new(mix(acct.seed, 0xA6E7 + agent as u64));
        let cli = CliBuild::random(&mut prng, true);
        p.channels.push(ch(
            Ua::Cli {
                build: cli.clone(),
                agent: Some(agent),
            },
            PROG,
            60,
        ));
        p.channels
            .push(ch(ua::mcp_server(&mut prng, mcp_client(agent)), PROG, 20));
        p.channels
            .push(ch(ua::boto3(&mut prng, None, ""), PROG, 10));
        if agent == AgentCode::Kiro {
            p.channels.push(ch(
                Ua::Cli {
                    build: cli.with_exec_env("AmazonQ-For-CLI-Version-1.16.2"),
                    agent: None,
                },
                PROG,
                10,
            ));
        }
        p.weight = share(rng, 60, agent_count);
        out.push(finish(p, rng));
    }

    // The CI role, assumed by GitHub Actions through OIDC.
    let gh_provider = format!(
        "arn:aws:iam::{}:oidc-provider/token.actions.githubusercontent.com",
        acct.id
    );
    let ci = out.len();
    {
        let mut p = base(Class::Ci, "github-actions-deploy".to_string(), 50);
        role(&mut p, acct, "");
        p.naming = Naming::Fixed("GitHubActions".to_string());
        p.web_provider = Some(gh_provider.clone());
        p.channels.push(ch(ua::terraform(rng), IAC, 45));
        p.channels.push(ch(
            Ua::Cli {
                build: CliBuild::random(rng, true),
                agent: None,
            },
            IAC,
            30,
        ));
        p.channels.push(ch(ua::cdk(rng), IAC, 15));
        p.channels.push(ch(ua::boto3(rng, None, ""), IAC, 10));
        out.push(finish(p, rng));
    }

    // Roles AWS services use on the account's behalf.
    let asg_role = out.len();
    {
        let mut p = base(
            Class::ServiceRole,
            "AWSServiceRoleForAutoScaling".to_string(),
            25,
        );
        role(&mut p, acct, "aws-service-role/autoscaling.amazonaws.com/");
        p.naming = Naming::Fixed("AutoScaling".to_string());
        p.invoked_by = Some("autoscaling.amazonaws.com");
        p.channels
            .push(ch(Ua::Service("autoscaling.amazonaws.com"), ASG, 1));
        out.push(finish(p, rng));
    }
    for (name, session, svc, weight) in [
        (
            "AWSServiceRoleForConfig",
            "AWSConfig-Describe",
            "config.amazonaws.com",
            220,
        ),
        (
            "AWSServiceRoleForAccessAnalyzer",
            "access-analyzer",
            "access-analyzer.amazonaws.com",
            60,
        ),
    ] {
        let mut p = base(Class::ServiceRole, name.to_string(), weight);
        role(&mut p, acct, &format!("aws-service-role/{svc}/"));
        p.naming = Naming::Fixed(session.to_string());
        p.invoked_by = Some(svc);
        p.channels.push(ch(Ua::Service(svc), AUDIT, 1));
        out.push(finish(p, rng));
    }
    let cfn_role = out.len();
    {
        let mut p = base(Class::ServiceRole, "cfn-exec-role".to_string(), 25);
        role(&mut p, acct, "");
        p.naming = Naming::Fixed("AWSCloudFormation".to_string());
        p.invoked_by = Some("cloudformation.amazonaws.com");
        p.channels
            .push(ch(Ua::Service("cloudformation.amazonaws.com"), CFN, 1));
        out.push(finish(p, rng));
    }

    // AWS services themselves.
    for (svc, who, weight, targets) in [
        ("lambda.amazonaws.com", SVC_STS, 14, lambda_roles.clone()),
        ("ecs-tasks.amazonaws.com", SVC_STS, 7, ecs_roles.clone()),
        ("ec2.amazonaws.com", SVC_STS, 4, vec![ec2_role]),
        ("cloudformation.amazonaws.com", SVC_STS, 3, vec![cfn_role]),
        ("autoscaling.amazonaws.com", SVC_STS, 3, vec![asg_role]),
        ("events.amazonaws.com", SVC_STS, 2, Vec::new()),
        ("cloudtrail.amazonaws.com", SVC_S3, 45, Vec::new()),
        ("config.amazonaws.com", SVC_S3, 6, Vec::new()),
    ] {
        let mut p = base(Class::AwsService, svc.to_string(), weight);
        p.invoked_by = Some(svc);
        p.assumes = targets;
        p.channels.push(ch(Ua::Service(svc), who, 1));
        out.push(finish(p, rng));
    }

    // Long-lived IAM users.
    let office = members
        .first()
        .and_then(|m| m.ips.first().cloned())
        .unwrap_or_else(|| public_ip(rng));
    for (name, kind) in [
        ("terraform-legacy", 0),
        ("jenkins", 1),
        ("backup-sync", 2),
        ("break-glass-admin", 3),
    ] {
        let mut p = base(Class::IamUser, name.to_string(), 0);
        p.id = unique_id("AIDA", acct.seed, name);
        p.arn = format!("arn:aws:iam::{}:user/{name}", acct.id);
        let mut key = String::from("AKIA");
        rng.push_upper_alnum(&mut key, 16);
        p.fixed_key = Some(key);
        p.session_secs = 3600 * 2;
        p.ips = vec![office.clone(), public_ip(rng)];
        match kind {
            0 => {
                p.channels.push(ch(ua::terraform(rng), IAC, 1));
                p.weight = 15;
            }
            1 => {
                p.channels.push(ch(ua::cli_legacy(rng), PROG, 6));
                p.channels.push(ch(ua::cli_v1(), IAC, 4));
                p.weight = 20;
            }
            2 => {
                p.channels.push(ch(ua::boto3(rng, None, ""), PROG, 1));
                p.weight = 12;
            }
            _ => {
                p.mfa = true;
                p.channels.push(ch(
                    Ua::Console {
                        browser: ua::random_browser(rng),
                    },
                    CONSOLE,
                    7,
                ));
                p.channels.push(ch(
                    Ua::Cli {
                        build: CliBuild::random(rng, false),
                        agent: None,
                    },
                    PROG,
                    3,
                ));
                p.weight = 6;
            }
        }
        out.push(finish(p, rng));
    }

    // Root, rarely, from the console.
    {
        let mut p = base(Class::Root, "root".to_string(), 2);
        p.arn = format!("arn:aws:iam::{}:root", acct.id);
        p.mfa = true;
        p.ips = vec![office.clone()];
        p.channels.push(ch(
            Ua::Console {
                browser: ua::random_browser(rng),
            },
            ROOT,
            1,
        ));
        out.push(finish(p, rng));
    }

    // Federated users minted by a broker IAM user with GetFederationToken.
    let broker = (
        "federation-broker".to_string(),
        unique_id("AIDA", acct.seed, "federation-broker"),
    );
    for first in members.iter().take(2).map(|m| m.first) {
        let mut p = base(Class::Federated, format!("{first}-portal"), 7);
        p.issuer = Some(broker.clone());
        p.session_secs = 3600 * 12;
        p.ips = vec![public_ip(rng)];
        p.channels
            .push(ch(ua::sdk_java(rng, "AWS_ECS_EC2"), FED, 1));
        out.push(finish(p, rng));
    }

    // Other accounts: vendors reading and assuming roles, and anonymous reads.
    for partner in world.partners.iter().take(2) {
        let mut p = base(Class::AwsAccount, partner.clone(), 8);
        p.id = format!("{}:{}", unique_id("AROA", acct.seed, partner), rng.hex(8));
        p.other_account = Some(partner.clone());
        p.ips = vec![public_ip(rng), public_ip(rng)];
        p.channels.push(ch(ua::sdk_go(rng, ""), XACCT, 1));
        out.push(finish(p, rng));
    }
    {
        let mut p = base(Class::AwsAccount, "anonymous".to_string(), 4);
        p.other_account = Some("anonymous".to_string());
        p.ips = (0..8).map(|_| public_ip(rng)).collect();
        p.channels.push(ch(
            Ua::Fixed("Mozilla/5.0 (compatible; curl/8.5.0)".to_string()),
            ANON,
            1,
        ));
        out.push(finish(p, rng));
    }

    // Identity Center users in Amazon Q, and in the access portal.
    let identity_store = format!(
        "arn:aws:identitystore::{}:identitystore/{}",
        world
            .accounts
            .first()
            .map_or(acct.id.as_str(), |a| a.id.as_str()),
        world.identity_store
    );
    for person in members.iter().filter(|m| m.seed % 3 == 0).take(4) {
        let mut p = base(Class::IdentityCenter, person.email.clone(), 4);
        p.user_id = Some(person.user_id.clone());
        p.arn = identity_store.clone();
        p.fixed_key = Some(rng.base64_url(64));
        p.home_only = true;
        p.ips = person.ips.clone();
        p.channels.push(ch(
            Ua::Fixed(format!(
                "aws-sdk-js/3.693.0 ua/2.1 os/darwin#24.6.0 lang/js md/nodejs#20.18.0 api/codewhispererstreaming#1.0.0 m/E AmazonQ-For-VSCode/1.{}.0",
                rng.range(80, 99)
            )),
            IDC,
            1,
        ));
        out.push(finish(p, rng));
    }
    let portal_users: Vec<&&Person> = members.iter().take(5).collect();
    for person in &portal_users {
        let mut p = base(Class::Unknown, person.email.clone(), 2);
        p.id = person.user_id.clone();
        p.home_only = true;
        p.ips = person.ips.clone();
        p.channels
            .push(ch(Ua::Browser(ua::random_browser(rng)), PORTAL, 1));
        out.push(finish(p, rng));
    }

    // SAML federation through Okta.
    for person in members.iter().rev().take(2) {
        let mut p = base(Class::Saml, person.email.clone(), 4);
        let qualifier = format!("{}=", rng.base64(27));
        p.id = format!("{qualifier}:{}", person.email);
        p.arn = qualifier;
        p.home_only = true;
        p.ips = person.ips.clone();
        p.channels
            .push(ch(Ua::Browser(ua::random_browser(rng)), SAML, 1));
        out.push(finish(p, rng));
    }

    // OIDC web identities: GitHub Actions runs and EKS service accounts.
    for repo in &res.repos {
        let subject = format!("repo:{repo}:ref:refs/heads/main");
        let mut p = base(Class::WebIdentity, subject.clone(), 1);
        p.id = format!("token.actions.githubusercontent.com:sts.amazonaws.com:{subject}");
        p.arn = "token.actions.githubusercontent.com".to_string();
        p.web_provider = Some(gh_provider.clone());
        p.assumes = vec![ci];
        p.channels.push(ch(
            Ua::Fixed("aws-sdk-js/3.693.0 ua/2.1 os/linux#6.8.0-1017-azure lang/js md/nodejs#20.18.0 api/sts#3.693.0 m/E,N configure-aws-credentials-for-github-actions".to_string()),
            WEBID,
            1,
        ));
        out.push(finish(p, rng));
    }
    for (i, sa) in [
        "system:serviceaccount:karpenter:karpenter",
        "system:serviceaccount:kube-system:external-dns",
        "system:serviceaccount:kube-system:aws-load-balancer-controller",
        "system:serviceaccount:airflow:airflow-worker",
    ]
    .iter()
    .enumerate()
    {
        let host = format!("oidc.eks.us-east-1.amazonaws.com/id/{}", res.eks_oidc);
        let mut p = base(Class::WebIdentity, sa.to_string(), 1);
        p.id = format!("{host}:sts.amazonaws.com:{sa}");
        p.arn = host;
        p.web_provider = Some(eks_oidc.clone());
        p.assumes = vec![irsa_roles[i]];
        p.channels.push(ch(ua::sdk_go(rng, ""), WEBID, 1));
        out.push(finish(p, rng));
    }

    out
}
