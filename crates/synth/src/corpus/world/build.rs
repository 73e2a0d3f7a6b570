//! Building the world from the configuration: the organisation's name and
//! accounts, its people, each account's resources (buckets, instances,
//! functions, stacks, …) and, through `population`, its principals.

use crate::corpus::config::CorpusConfig;
use crate::corpus::population;
use crate::corpus::principal::Class;
use crate::corpus::user_agent::AgentCode;
use crate::corpus::world::{Account, Person, REGIONS, Resources, World, public_ip};
use crate::rng::{Rng, Weighted, mix};

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

impl World {
    pub(crate) fn build(cfg: &CorpusConfig) -> World {
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
