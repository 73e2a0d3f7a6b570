//! Benchmark: privilege usage on 1,000,000 used-action records and 500
//! principals (target: at most 5 s in total on the 2-core machine).
//!
//! Run: `cargo bench --bench privileges -j1` (optionally followed by
//! `-- RECORDS PRINCIPALS [realistic|worst]`). The synthetic IAM data is generated as
//! `get-account-authorization-details` JSON text and parsed like a real
//! file; the records mix role sessions, users, actors, known and unknown
//! action names, and resource ARNs. Every phase is timed, and the total is
//! printed as a ratio against a baseline measured in the same run: counting
//! the same records in a `HashMap<(String, Option<String>, String), u64>`,
//! the least a straightforward implementation does before any analysis.

use rayon::prelude::*;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use trailblame::privileges::actions::{ActionCatalog, action_catalog};
use trailblame::privileges::admin::assess_admin;
use trailblame::privileges::authz::{merge_authz, parse_authz};
use trailblame::privileges::eval::evaluate_authz;
use trailblame::privileges::suggest::suggest_policy;
use trailblame::privileges::usage::{UsageAggregator, UsageOptions, UsedAction, usage_report};

const ACCOUNT: &str = "123456789012";

/// splitmix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    /// Skewed towards 0 (popular principals, actions).
    fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((u * u) * n as f64) as usize % n.max(1)
    }
}

fn main() {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<usize> = raw.iter().filter_map(|a| a.parse().ok()).collect();
    let only = |name: &str| {
        !raw.iter().any(|a| a == "realistic" || a == "worst") || raw.iter().any(|a| a == name)
    };
    let n_records = args.first().copied().unwrap_or(1_000_000);
    let n_principals = args.get(1).copied().unwrap_or(500);

    let t = Instant::now();
    let cat = match action_catalog() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e:#}");
            std::process::exit(1);
        }
    };
    let t_catalog = t.elapsed();

    let mut rng = Rng(42);
    let services: Vec<&str> = [
        "s3",
        "ec2",
        "iam",
        "lambda",
        "dynamodb",
        "logs",
        "cloudwatch",
        "sqs",
        "sns",
        "kms",
        "rds",
        "ecs",
        "ecr",
        "sts",
        "ssm",
        "secretsmanager",
        "cloudformation",
        "glue",
        "athena",
        "kinesis",
        "elasticloadbalancing",
        "autoscaling",
        "route53",
        "cloudtrail",
        "config",
        "guardduty",
        "eks",
        "states",
        "events",
        "apigateway",
        "codebuild",
        "codepipeline",
        "sagemaker",
        "bedrock",
        "organizations",
    ]
    .into_iter()
    .filter(|s| cat.service(s).is_some())
    .collect();
    let text = authz_json(&mut rng, n_principals, &services, cat);
    let pool: Vec<u32> = services
        .iter()
        .flat_map(|s| {
            let svc = &cat.services()[cat.service(s).unwrap_or(0) as usize];
            svc.start..svc.end
        })
        .collect();
    println!(
        "{} principals, IAM JSON {:.1} MiB, {} catalog actions, {} threads, catalog load {:.1} ms",
        n_principals,
        text.len() as f64 / (1 << 20) as f64,
        cat.len(),
        rayon::current_num_threads(),
        t_catalog.as_secs_f64() * 1000.0
    );
    if only("realistic") {
        let realistic = realistic_records(&mut rng, n_records, n_principals, &pool, cat);
        run(
            "realistic: per-principal working sets, role sessions, 3 kinds of actor",
            &realistic,
            &text,
            t_catalog,
            cat,
        );
    }
    if only("worst") {
        let spread = spread_records(&mut rng, n_records, n_principals, &pool, cat);
        run(
            "worst case: nearly every record a new (principal, actor, action, resource)",
            &spread,
            &text,
            t_catalog,
            cat,
        );
    }
}

fn run(title: &str, records: &[UsedAction], text: &str, t_catalog: Duration, cat: &ActionCatalog) {
    println!("\n== {title}: {} records", records.len());
    let t = Instant::now();
    let set = match parse_authz(text, "synthetic.json") {
        Ok(f) => merge_authz(vec![f]),
        Err(e) => {
            eprintln!("{e:#}");
            std::process::exit(1);
        }
    };
    let t_parse = t.elapsed();
    let t = Instant::now();
    let accounts = evaluate_authz(&set, cat);
    let admins = accounts
        .iter()
        .flat_map(|a| &a.principals)
        .filter(|p| assess_admin(&p.permissions, cat).is_admin())
        .count();
    let t_eval = t.elapsed();
    let t = Instant::now();
    let agg = UsageAggregator::from_records_par(records, UsageOptions::default());
    let t_agg = t.elapsed();
    let t = Instant::now();
    let report = usage_report(&agg, &accounts, cat);
    let t_report = t.elapsed();
    let t = Instant::now();
    let suggested: usize = report
        .rows
        .par_iter()
        .map(|r| suggest_policy(r, cat).json.len())
        .sum();
    let t_suggest = t.elapsed();
    let total = t_catalog + t_parse + t_eval + t_agg + t_report + t_suggest;

    let t = Instant::now();
    let mut naive: HashMap<(String, Option<String>, String), u64> = HashMap::new();
    for r in records {
        *naive
            .entry((
                r.principal_arn.clone(),
                r.actor.clone(),
                r.iam_action.clone(),
            ))
            .or_default() += 1;
    }
    let t_baseline = t.elapsed();

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("parse IAM JSON      {:>9.1} ms", ms(t_parse));
    println!(
        "evaluate + admin    {:>9.1} ms  ({admins} admin-equivalent)",
        ms(t_eval)
    );
    println!(
        "aggregate records   {:>9.1} ms  ({} cells)",
        ms(t_agg),
        agg.cells()
    );
    println!(
        "usage report        {:>9.1} ms  ({} rows)",
        ms(t_report),
        report.rows.len()
    );
    println!(
        "suggest policies    {:>9.1} ms  ({:.1} MiB of JSON)",
        ms(t_suggest),
        suggested as f64 / (1 << 20) as f64
    );
    println!(
        "total               {:>9.1} ms  (with catalog load; target <= 5000 ms)",
        ms(total)
    );
    println!(
        "baseline            {:>9.1} ms  (naive HashMap count of the records, {} keys)",
        ms(t_baseline),
        naive.len()
    );
    println!(
        "ratio total/baseline {:.2}, aggregate/baseline {:.2}",
        total.as_secs_f64() / t_baseline.as_secs_f64(),
        t_agg.as_secs_f64() / t_baseline.as_secs_f64()
    );
}

fn statement(rng: &mut Rng, services: &[&str], cat: &ActionCatalog) -> Value {
    let svc = services[rng.skewed(services.len())];
    let s = &cat.services()[cat.service(svc).unwrap_or(0) as usize];
    let action: Value = match rng.below(6) {
        0 => json!(format!("{svc}:*")),
        1 => json!(format!("{svc}:Get*")),
        2 => json!([format!("{svc}:List*"), format!("{svc}:Describe*")]),
        _ => (0..1 + rng.below(5))
            .map(|_| json!(cat.name(s.start + rng.below((s.end - s.start) as usize) as u32)))
            .collect(),
    };
    let resource = if rng.below(10) < 7 {
        json!("*")
    } else {
        json!(format!(
            "arn:aws:{svc}:eu-west-1:{ACCOUNT}:thing/{}",
            rng.below(50)
        ))
    };
    let mut st = json!({"Effect": if rng.below(10) == 0 { "Deny" } else { "Allow" }, "Action": action, "Resource": resource});
    if rng.below(10) == 0 {
        st["Condition"] = json!({"StringEquals": {"aws:RequestedRegion": "eu-west-1"}});
    }
    st
}

fn document(rng: &mut Rng, services: &[&str], cat: &ActionCatalog) -> Value {
    let n = 2 + rng.below(4);
    json!({"Version": "2012-10-17", "Statement": (0..n).map(|_| statement(rng, services, cat)).collect::<Vec<_>>()})
}

fn authz_json(rng: &mut Rng, n: usize, services: &[&str], cat: &ActionCatalog) -> String {
    let customer: Vec<String> = (0..20)
        .map(|i| format!("arn:aws:iam::{ACCOUNT}:policy/team-{i}"))
        .collect();
    let aws = ["AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess"]
        .map(|p| format!("arn:aws:iam::aws:policy/{p}"));
    let attach = |rng: &mut Rng| -> Vec<Value> {
        let mut v: Vec<Value> = (0..rng.below(3))
            .map(|_| {
                let arn = &customer[rng.below(customer.len())];
                json!({"PolicyName": arn.rsplit('/').next(), "PolicyArn": arn})
            })
            .collect();
        match rng.below(20) {
            0 => v.push(json!({"PolicyName": "AdministratorAccess", "PolicyArn": aws[0]})),
            1 | 2 => v.push(json!({"PolicyName": "ReadOnlyAccess", "PolicyArn": aws[1]})),
            3 | 4 => v.push(json!({"PolicyName": "PowerUserAccess", "PolicyArn": aws[2]})),
            _ => {}
        }
        v
    };
    let inline = |rng: &mut Rng| -> Vec<Value> {
        (0..1 + rng.below(3))
            .map(|i| json!({"PolicyName": format!("inline-{i}"), "PolicyDocument": document(rng, services, cat)}))
            .collect()
    };
    let groups: Vec<Value> = (0..10)
        .map(|g| {
            json!({"GroupName": format!("group-{g}"), "Path": "/", "Arn": format!("arn:aws:iam::{ACCOUNT}:group/group-{g}"),
                   "GroupPolicyList": inline(rng), "AttachedManagedPolicies": attach(rng)})
        })
        .collect();
    let n_roles = n * 7 / 10;
    let mut roles = Vec::new();
    let mut users = Vec::new();
    for i in 0..n {
        let mut p = if i < n_roles {
            json!({"RoleName": format!("role-{i}"), "Path": "/", "Arn": format!("arn:aws:iam::{ACCOUNT}:role/role-{i}"),
                   "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
                   "RolePolicyList": inline(rng), "AttachedManagedPolicies": attach(rng), "RoleLastUsed": {}})
        } else {
            let gl: Vec<String> = (0..rng.below(3))
                .map(|_| format!("group-{}", rng.below(10)))
                .collect();
            json!({"UserName": format!("user-{i}"), "Path": "/", "Arn": format!("arn:aws:iam::{ACCOUNT}:user/user-{i}"),
                   "UserPolicyList": inline(rng), "AttachedManagedPolicies": attach(rng), "GroupList": gl})
        };
        if rng.below(20) == 0 {
            p["PermissionsBoundary"] = json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": customer[rng.below(customer.len())]});
        }
        if i < n_roles {
            roles.push(p)
        } else {
            users.push(p)
        }
    }
    let mut policies: Vec<Value> = customer
        .iter()
        .map(|arn| {
            json!({"PolicyName": arn.rsplit('/').next(), "Arn": arn, "DefaultVersionId": "v1",
                   "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": document(rng, services, cat)}]})
        })
        .collect();
    policies.push(json!({"PolicyName": "AdministratorAccess", "Arn": aws[0], "DefaultVersionId": "v1",
        "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}]}));
    serde_json::to_string_pretty(&json!({"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": policies, "IsTruncated": false}))
        .unwrap_or_default()
}

fn spread_records(
    rng: &mut Rng,
    n: usize,
    principals: usize,
    pool: &[u32],
    cat: &ActionCatalog,
) -> Vec<UsedAction> {
    let n_roles = principals * 7 / 10;
    (0..n)
        .map(|_| {
            let p = rng.skewed(principals);
            let principal_arn = if p < n_roles {
                format!(
                    "arn:aws:sts::{ACCOUNT}:assumed-role/role-{p}/session-{}",
                    rng.below(5)
                )
            } else {
                format!("arn:aws:iam::{ACCOUNT}:user/user-{p}")
            };
            let actor = match rng.below(4) {
                0 | 1 => None,
                2 => Some("claude-code".to_string()),
                _ => Some(format!("human-{}@example.com", p % 20)),
            };
            let iam_action = if rng.below(100) == 0 {
                format!("newsvc:Action{}", rng.below(50))
            } else {
                cat.name(pool[rng.skewed(pool.len())]).to_string()
            };
            let resource_arns = match rng.below(10) {
                0..=5 => vec![format!(
                    "arn:aws:s3:::bucket-{}/key-{}",
                    rng.below(100),
                    rng.below(1000)
                )],
                6 => vec![
                    format!("arn:aws:s3:::bucket-{}", rng.below(100)),
                    format!("arn:aws:kms:eu-west-1:{ACCOUNT}:key/{}", rng.below(20)),
                ],
                _ => Vec::new(),
            };
            UsedAction {
                principal_arn,
                actor,
                iam_action,
                resource_arns,
            }
        })
        .collect()
}

/// Each principal uses its own 10–400 actions on its own 5–300 resources;
/// roles through up to 40 sessions; actors: none, claude-code, a human.
fn realistic_records(
    rng: &mut Rng,
    n: usize,
    principals: usize,
    pool: &[u32],
    cat: &ActionCatalog,
) -> Vec<UsedAction> {
    let n_roles = principals * 7 / 10;
    let working: Vec<(Vec<u32>, Vec<String>, usize)> = (0..principals)
        .map(|p| {
            let actions = (0..10 + rng.skewed(390))
                .map(|_| pool[rng.below(pool.len())])
                .collect();
            let resources = (0..5 + rng.skewed(295))
                .map(|i| format!("arn:aws:s3:::p{p}-bucket/{i}"))
                .collect();
            (actions, resources, 1 + rng.below(40))
        })
        .collect();
    (0..n)
        .map(|_| {
            let p = rng.skewed(principals);
            let (actions, resources, sessions) = &working[p];
            let principal_arn = if p < n_roles {
                format!(
                    "arn:aws:sts::{ACCOUNT}:assumed-role/role-{p}/session-{}",
                    rng.below(*sessions)
                )
            } else {
                format!("arn:aws:iam::{ACCOUNT}:user/user-{p}")
            };
            let actor = match rng.below(10) {
                0..=3 => None,
                4..=6 => Some("claude-code".to_string()),
                _ => Some(format!("human-{}@example.com", p % 20)),
            };
            let iam_action = if rng.below(200) == 0 {
                format!("newsvc:Action{}", rng.below(20))
            } else {
                cat.name(actions[rng.skewed(actions.len())]).to_string()
            };
            let resource_arns = if rng.below(10) < 6 {
                vec![resources[rng.skewed(resources.len())].clone()]
            } else {
                Vec::new()
            };
            UsedAction {
                principal_arn,
                actor,
                iam_action,
                resource_arns,
            }
        })
        .collect()
}
