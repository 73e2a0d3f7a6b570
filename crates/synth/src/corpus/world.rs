//! The fixed cast of a synthetic organisation: its accounts, the resources in
//! each (buckets, instances, functions, stacks, …) and the people who work
//! there, all derived from the seed before any record is written.
//!
//! Records refer back to this shared, read-only world so that a corpus looks
//! like one organisation over time: the same buckets are read again and
//! again, the same developer calls from the same laptop, the same CI role
//! deploys the same stacks. Building it is cheap (a few thousand strings) and
//! happens once per `generate` call; file workers only borrow it.

use super::SynthConfig;
use super::identity::{Class, Principal};
use super::population;
use super::user_agent::AgentCode;
use crate::rng::{Rng, Weighted, mix};

/// Regions a trail logs, with their share of regional traffic. The first one
/// is where global services (IAM, STS global endpoint, sign-in) are logged.
pub(crate) const REGIONS: &[(&str, u64)] = &[
    ("us-east-1", 55),
    ("eu-west-1", 18),
    ("us-west-2", 17),
    ("ap-southeast-2", 10),
];

pub(crate) const HOME_REGION: usize = 0;

const COMPANIES: &[(&str, &str)] = &[
    ("acme", "acme-corp.com"),
    ("globex", "globex.io"),
    ("initech", "initech.dev"),
    ("umbrella", "umbrella-labs.com"),
    ("hooli", "hooli.xyz"),
    ("northwind", "northwind.tech"),
];

const ENVS: &[&str] = &[
    "prod", "staging", "dev", "shared", "data", "sandbox", "security", "ml", "qa", "perf",
];

const FIRST: &[&str] = &[
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "liam",
    "noah", "emma", "ava", "mia", "lucas", "mateo", "sofia", "arjun", "priya", "wei", "yuki",
    "omar", "fatima", "diego", "ingrid", "kofi", "leila", "olivia", "rupert", "tomas", "zoe",
];

const LAST: &[&str] = &[
    "smith", "johnson", "nguyen", "garcia", "muller", "rossi", "kim", "patel", "silva", "kowalski",
    "tanaka", "okafor", "dubois", "jensen", "haddad", "novak", "costa", "larsen", "cohen",
    "murphy",
];

/// One person of the organisation; appears as SSO sessions, Identity Center
/// user, access-portal user and sometimes IAM user in several accounts.
#[derive(Debug)]
pub(crate) struct Person {
    pub first: &'static str,
    pub email: String,
    /// Identity Store user id.
    pub user_id: String,
    /// Office and home IPs.
    pub ips: Vec<String>,
    /// The coding agent this person runs against AWS, if any.
    pub agent: Option<AgentCode>,
    /// Seed for this person's tools (CLI build, browser, …).
    pub seed: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Resources {
    pub buckets: Vec<String>,
    pub instances: Vec<String>,
    pub amis: Vec<String>,
    pub security_groups: Vec<String>,
    pub vpcs: Vec<String>,
    pub subnets: Vec<String>,
    pub volumes: Vec<String>,
    pub functions: Vec<String>,
    pub tables: Vec<String>,
    pub stacks: Vec<String>,
    pub stack_ids: Vec<String>,
    pub secrets: Vec<String>,
    pub parameters: Vec<String>,
    pub log_groups: Vec<String>,
    pub kms_keys: Vec<String>,
    pub clusters: Vec<String>,
    pub repositories: Vec<String>,
    pub databases: Vec<String>,
    pub asgs: Vec<String>,
    pub target_groups: Vec<String>,
    pub hosted_zones: Vec<String>,
    pub roles: Vec<String>,
    pub users: Vec<String>,
    pub ecs_services: Vec<String>,
    /// Public IP of each region's NAT gateway, by region index.
    pub nat_ips: Vec<String>,
    /// The organisation's GitHub repositories deploying here.
    pub repos: Vec<String>,
    /// EKS OIDC issuer id (32 upper hex).
    pub eks_oidc: String,
}

#[derive(Debug)]
pub(crate) struct Account {
    pub idx: usize,
    pub id: String,
    pub env: &'static str,
    pub seed: u64,
    /// Share of all traffic.
    pub weight: u64,
    pub res: Resources,
    pub principals: Vec<Principal>,
    /// Principals active in the home region (all of them).
    pub pick_home: Weighted,
    /// Principals active in other regions (not the home-only ones).
    pub pick_other: Weighted,
}

#[derive(Debug)]
pub(crate) struct World {
    pub org_id: String,
    pub company: &'static str,
    pub domain: &'static str,
    pub trail: String,
    pub bucket: String,
    pub identity_store: String,
    pub people: Vec<Person>,
    pub accounts: Vec<Account>,
    pub pick_account: Weighted,
    /// Accounts outside the organisation (partners, vendors).
    pub partners: Vec<String>,
}

impl World {
    pub(crate) fn build(cfg: &SynthConfig) -> World {
        let mut rng = Rng::new(mix(cfg.seed, 0x0057_4F52_4C44)); // "WORLD"
        let (company, domain) = *rng.pick(COMPANIES);
        let org_id = format!("o-{}", rng.lower_alnum(10));
        let n_accounts = cfg.accounts.clamp(1, 20) as usize;
        let mut ids: Vec<String> = Vec::with_capacity(n_accounts);
        while ids.len() < n_accounts {
            let id = rng.digits(12);
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        let partners = (0..3).map(|_| rng.digits(12)).collect();
        let n_people = (8 + 4 * n_accounts).min(60);
        let people = (0..n_people).map(|i| person(&mut rng, i, domain)).collect();
        let identity_store = format!("d-{}", rng.lower_alnum(10));
        let trail = format!("{company}-org-trail");
        let bucket = format!("{company}-org-cloudtrail-{}", rng.lower_alnum(8));
        let mut world = World {
            org_id,
            company,
            domain,
            trail,
            bucket,
            identity_store,
            people,
            accounts: Vec::new(),
            pick_account: Weighted::default(),
            partners,
        };
        for (idx, id) in ids.into_iter().enumerate() {
            let seed = mix(cfg.seed, 0xACC0_0000 + idx as u64);
            let env = ENVS[idx % ENVS.len()];
            let mut arng = Rng::new(seed);
            let res = resources(&mut arng, company, env, &id);
            let mut account = Account {
                idx,
                id,
                env,
                seed,
                // The first accounts (prod, staging) are the busiest.
                weight: 1000 / (idx as u64 + 2) + 40,
                res,
                principals: Vec::new(),
                pick_home: Weighted::default(),
                pick_other: Weighted::default(),
            };
            account.principals = population::principals(&world, &account, &mut arng);
            account.res.users = account
                .principals
                .iter()
                .filter(|p| p.class == Class::IamUser)
                .map(|p| p.name.clone())
                .chain(["federation-broker".to_string()])
                .collect();
            account.pick_home = Weighted::new(account.principals.iter().map(|p| p.weight));
            account.pick_other = Weighted::new(
                account
                    .principals
                    .iter()
                    .map(|p| if p.home_only { 0 } else { p.weight }),
            );
            world.accounts.push(account);
        }
        world.pick_account = Weighted::new(world.accounts.iter().map(|a| a.weight));
        world
    }
}

fn person(rng: &mut Rng, i: usize, domain: &str) -> Person {
    let first = FIRST[i % FIRST.len()];
    let last = *rng.pick(LAST);
    let email = format!("{first}.{last}@{domain}");
    let user_id = rng.uuid();
    let ips = vec![public_ip(rng), public_ip(rng)];
    let agent = match rng.below(10) {
        0..=2 => Some(AgentCode::ClaudeCode),
        3 | 4 => Some(AgentCode::Codex),
        5 => Some(AgentCode::Kiro),
        _ => None,
    };
    Person {
        first,
        email,
        user_id,
        ips,
        agent,
        seed: rng.next_u64(),
    }
}

/// An address from ranges ISPs, clouds and offices really use.
pub(crate) fn public_ip(rng: &mut Rng) -> String {
    const FIRST_OCTETS: &[u8] = &[
        3, 13, 18, 24, 34, 44, 52, 54, 67, 71, 73, 76, 81, 86, 90, 98, 104, 108, 174, 185, 195,
        203, 213,
    ];
    format!(
        "{}.{}.{}.{}",
        rng.pick(FIRST_OCTETS),
        rng.below(256),
        rng.below(256),
        1 + rng.below(254)
    )
}

/// An address GitHub-hosted runners (Azure) use.
pub(crate) fn runner_ip(rng: &mut Rng) -> String {
    let first = *rng.pick(&[4u8, 13, 20, 40, 52, 172]);
    let second = if first == 172 {
        176 + rng.below(16)
    } else {
        rng.below(256)
    };
    format!("{first}.{second}.{}.{}", rng.below(256), 1 + rng.below(254))
}

fn ec2_id(rng: &mut Rng, prefix: &str) -> String {
    format!("{prefix}-0{}", rng.hex(16))
}

fn some<T: Clone>(rng: &mut Rng, from: &[T], lo: usize, hi: usize) -> Vec<T> {
    let n = (lo + rng.index(hi - lo + 1)).min(from.len());
    let mut idx: Vec<usize> = (0..from.len()).collect();
    for i in 0..n {
        let j = i + rng.index(from.len() - i);
        idx.swap(i, j);
    }
    idx[..n].iter().map(|&i| from[i].clone()).collect()
}

fn resources(rng: &mut Rng, company: &str, env: &str, acct: &str) -> Resources {
    let bucket_kinds = [
        "artifacts",
        "data-lake-raw",
        "static-assets",
        "backups",
        "terraform-state",
        "exports",
        "ml-datasets",
        "user-uploads",
    ];
    let mut buckets: Vec<String> = some(rng, &bucket_kinds, 4, 7)
        .into_iter()
        .map(|k| format!("{company}-{env}-{k}"))
        .collect();
    // Every account has a logs bucket (services deliver there) and the
    // CDK bootstrap bucket.
    buckets.push(format!("{company}-{env}-access-logs"));
    buckets.push(format!("cdk-hnb659fds-assets-{acct}-us-east-1"));
    let function_names = [
        "orders-api",
        "image-resize",
        "nightly-report",
        "stripe-webhook",
        "audit-forwarder",
        "slack-notifier",
        "etl-loader",
        "cost-exporter",
        "session-cleaner",
        "pdf-render",
    ];
    let functions: Vec<String> = some(rng, &function_names, 4, 8)
        .into_iter()
        .map(|f| format!("{f}-{env}"))
        .collect();
    let table_names = [
        "orders",
        "sessions",
        "terraform-locks",
        "feature-flags",
        "customers",
        "idempotency-keys",
        "rate-limits",
    ];
    let tables = some(rng, &table_names, 3, 5)
        .into_iter()
        .map(|t| format!("{t}-{env}"))
        .collect();
    let stack_names = [
        "network",
        "orders-service",
        "data-platform",
        "observability",
        "edge",
        "iam-baseline",
        "batch-jobs",
    ];
    let mut stacks: Vec<String> = some(rng, &stack_names, 3, 6)
        .into_iter()
        .map(|s| format!("{s}-{env}"))
        .collect();
    stacks.push("CDKToolkit".to_string());
    let stack_ids = stacks.iter().map(|_| rng.uuid()).collect();
    let services = [
        "orders-api",
        "payments",
        "search",
        "notifications",
        "web-frontend",
    ];
    let ecs_services: Vec<String> = some(rng, &services, 2, 4)
        .into_iter()
        .map(str::to_string)
        .collect();
    let secrets = ecs_services
        .iter()
        .map(|s| format!("{env}/{s}/db-credentials"))
        .chain([
            format!("{env}/stripe/api-key"),
            format!("{env}/slack/webhook"),
        ])
        .collect();
    let parameters = ecs_services
        .iter()
        .flat_map(|s| {
            [
                format!("/{env}/{s}/db_host"),
                format!("/{env}/{s}/feature_flags"),
                format!("/{env}/{s}/log_level"),
            ]
        })
        .chain([
            "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64".to_string(),
        ])
        .collect();
    let log_groups = functions
        .iter()
        .map(|f| format!("/aws/lambda/{f}"))
        .chain(ecs_services.iter().map(|s| format!("/ecs/{s}-{env}")))
        .chain([format!("/aws/eks/platform-{env}/cluster")])
        .collect();
    Resources {
        buckets,
        instances: (0..rng.range(6, 20)).map(|_| ec2_id(rng, "i")).collect(),
        amis: (0..4).map(|_| ec2_id(rng, "ami")).collect(),
        security_groups: (0..rng.range(4, 9)).map(|_| ec2_id(rng, "sg")).collect(),
        vpcs: (0..2).map(|_| ec2_id(rng, "vpc")).collect(),
        subnets: (0..6).map(|_| ec2_id(rng, "subnet")).collect(),
        volumes: (0..rng.range(6, 20)).map(|_| ec2_id(rng, "vol")).collect(),
        functions,
        tables,
        stacks,
        stack_ids,
        secrets,
        parameters,
        log_groups,
        kms_keys: (0..3).map(|_| rng.uuid()).collect(),
        clusters: vec![format!("platform-{env}")],
        repositories: ecs_services
            .iter()
            .map(|s| format!("{company}/{s}"))
            .collect(),
        databases: vec![format!("orders-db-{env}"), format!("analytics-{env}")],
        asgs: vec![
            format!("web-asg-{env}"),
            format!("eks-nodes-{env}-{}", rng.hex(8)),
        ],
        target_groups: ecs_services
            .iter()
            .map(|s| format!("{s}-tg/{}", rng.hex(16)))
            .collect(),
        hosted_zones: (0..2)
            .map(|_| format!("Z0{}", rng.upper_alnum(19)))
            .collect(),
        roles: vec![
            "OrganizationAccountAccessRole".to_string(),
            "AWSServiceRoleForSupport".to_string(),
            format!("{company}-readonly-audit"),
            format!("{company}-break-glass"),
            "datadog-integration".to_string(),
        ],
        users: Vec::new(),
        ecs_services,
        nat_ips: REGIONS.iter().map(|_| public_ip(rng)).collect(),
        repos: vec![
            format!("{company}/infrastructure"),
            format!("{company}/orders-service"),
            format!("{company}/platform"),
        ],
        eks_oidc: rng.hex_upper(32),
    }
}
