//! The resources that exist in each account (buckets, functions, stacks,
//! tables, queues, security groups, instances, log groups, secrets) and the
//! applications whose roles call AWS on their own (workloads).
//!
//! Names are fixed or derived from the account id, so that a command an
//! agent runs, the CloudTrail record it causes and the README all name the
//! same thing. Background events pick from these lists at random.

use crate::scenario::cast::{ACCOUNTS, DEV, PROD, STAGING, hash, hex_id};

/// The resources of one account.
#[derive(Debug, Default)]
pub(crate) struct AcctRes {
    pub buckets: Vec<String>,
    pub functions: Vec<String>,
    pub stacks: Vec<String>,
    pub tables: Vec<String>,
    pub queues: Vec<String>,
    pub roles: Vec<String>,
    /// `(sg-…, group name)`.
    pub sgs: Vec<(String, String)>,
    pub instances: Vec<String>,
    pub subnets: Vec<String>,
    pub log_groups: Vec<String>,
    pub secrets: Vec<String>,
    pub params: Vec<String>,
    pub kms_key: String,
    pub repos: Vec<String>,
    pub alarms: Vec<String>,
}

/// All accounts' resources.
#[derive(Debug)]
pub(crate) struct World {
    pub accts: Vec<AcctRes>,
}

fn sg(acct: &str, name: &str) -> (String, String) {
    (
        format!("sg-0{}", hex_id(hash(&["sg", acct, name]), 16)),
        name.to_string(),
    )
}

fn build_acct(a: u8) -> AcctRes {
    let id = ACCOUNTS[a as usize].id;
    let env = ACCOUNTS[a as usize].name;
    let mut r = AcctRes {
        kms_key: format!(
            "{}-{}-4{}-a{}-{}",
            hex_id(hash(&["kms", id, "a"]), 8),
            hex_id(hash(&["kms", id, "b"]), 4),
            hex_id(hash(&["kms", id, "c"]), 3),
            hex_id(hash(&["kms", id, "d"]), 3),
            hex_id(hash(&["kms", id, "e"]), 12)
        ),
        ..AcctRes::default()
    };
    r.subnets = (0..3)
        .map(|i| {
            format!(
                "subnet-0{}",
                hex_id(hash(&["subnet", id, &i.to_string()]), 16)
            )
        })
        .collect();
    r.instances = (0..if a == PROD { 6 } else { 3 })
        .map(|i| format!("i-0{}", hex_id(hash(&["instance", id, &i.to_string()]), 16)))
        .collect();
    r.buckets = vec![
        format!("acme-{env}-assets"),
        format!("acme-{env}-tfstate-{id}"),
        format!("acme-{env}-logs-{id}"),
    ];
    r.functions = vec![
        format!("billing-api-{env}"),
        format!("report-generator-{env}"),
    ];
    r.stacks = vec![format!("billing-api-{env}"), format!("network-{env}")];
    r.tables = vec![format!("billing-{env}-invoices")];
    r.queues = vec![format!("billing-{env}-events")];
    r.roles = vec![
        format!("billing-api-{env}-role"),
        format!("report-generator-{env}-role"),
    ];
    r.sgs = vec![sg(id, &format!("billing-api-{env}")), sg(id, "default")];
    r.log_groups = vec![
        format!("/aws/lambda/billing-api-{env}"),
        format!("/aws/lambda/report-generator-{env}"),
    ];
    r.secrets = vec![format!("{env}/billing/db")];
    r.params = vec![
        format!("/billing/{env}/db-host"),
        format!("/billing/{env}/feature-flags"),
    ];
    r.repos = vec!["billing-api".to_string()];
    r.alarms = vec![format!("billing-api-{env}-5xx")];
    match a {
        PROD => {
            r.buckets.push(format!("cost-analysis-prod-reports-{id}"));
            r.buckets.push("checkout-prod-uploads".to_string());
            r.functions.push(COST_FN.to_string());
            r.functions.push("checkout-webhook-prod".to_string());
            r.stacks.push("cost-analysis-prod".to_string());
            r.stacks.push("checkout-prod".to_string());
            r.tables.push(COST_TABLE.to_string());
            r.queues.push("cost-analysis-prod-jobs".to_string());
            r.roles.push(COST_ROLE.to_string());
            r.roles.push("checkout-prod-task-role".to_string());
            r.sgs.push(sg(id, "payments-api-prod"));
            r.log_groups.push(format!("/aws/lambda/{COST_FN}"));
            r.secrets.push("prod/checkout/stripe".to_string());
            r.alarms.push("cost-analysis-prod-errors".to_string());
            r.repos.push("checkout".to_string());
        }
        STAGING => {
            r.buckets.push("acme-staging-artifacts".to_string());
            r.buckets.push("acme-staging-artifacts-tmp".to_string());
            r.functions.push("checkout-staging".to_string());
            r.stacks.push("checkout-staging".to_string());
            r.roles.push("checkout-staging-task-role".to_string());
            r.roles.push(crate::scenario::cast::CODEX_ROLE.to_string());
            r.secrets.push("staging/checkout/stripe".to_string());
            r.repos.push("checkout".to_string());
        }
        DEV => {
            r.buckets.push("acme-dev-data".to_string());
            r.buckets.push("acme-dev-site".to_string());
            r.roles.push(crate::scenario::cast::CODEX_ROLE.to_string());
        }
        _ => {}
    }
    r
}

/// The cost-analysis stack's resources (prod, us-east-1), as CloudFormation
/// names them.
pub(crate) const COST_FN: &str = "cost-analysis-prod-ReportFunction-7XkQ2mV9pL3a";
pub(crate) const COST_INGEST_FN: &str = "cost-analysis-prod-IngestFunction-Rt4Yb8NcW1sZ";
pub(crate) const COST_ROLE: &str = "cost-analysis-prod-ReportFunctionRole-1J5QW8E2ZC7T";
pub(crate) const COST_TABLE: &str = "cost-analysis-prod-Snapshots-1C9ZV2M8K4Q0";
pub(crate) const COST_QUEUE: &str = "cost-analysis-prod-jobs";
pub(crate) const COST_STACK: &str = "cost-analysis-prod";

impl World {
    pub(crate) fn build() -> World {
        World {
            accts: (0..ACCOUNTS.len() as u8).map(build_acct).collect(),
        }
    }

    pub(crate) fn acct(&self, a: u8) -> &AcctRes {
        &self.accts[a as usize]
    }
}

/// An application whose own role calls AWS.
#[derive(Debug)]
pub(crate) struct Workload {
    pub acct: u8,
    pub region: u8,
    /// The role's name (the ground truth's actor).
    pub role: &'static str,
    /// The session name CloudTrail shows.
    pub session: &'static str,
    /// Index into `cast::SERVICES` of the service that assumes the role.
    pub assumed_by: u8,
    /// Index into `ua::WORKLOAD_UA`.
    pub ua: u8,
    /// Runs per day at scale 1.
    pub runs_per_day: u32,
}

pub(crate) const WL_COST: u8 = 0;

pub(crate) const WORKLOADS: [Workload; 4] = [
    Workload {
        acct: PROD,
        region: 0,
        role: COST_ROLE,
        session: COST_FN,
        assumed_by: crate::scenario::cast::SVC_LAMBDA,
        ua: 0,
        runs_per_day: 28,
    },
    Workload {
        acct: PROD,
        region: 0,
        role: "checkout-prod-task-role",
        session: "checkout-prod-7f3c1a9e2b4d4e8f",
        assumed_by: crate::scenario::cast::SVC_ECS_TASKS,
        ua: 1,
        runs_per_day: 38,
    },
    Workload {
        acct: STAGING,
        region: 0,
        role: "checkout-staging-task-role",
        session: "checkout-staging-0a6b2e4c8d1f4a3b",
        assumed_by: crate::scenario::cast::SVC_ECS_TASKS,
        ua: 1,
        runs_per_day: 16,
    },
    Workload {
        acct: PROD,
        region: 1,
        role: "billing-api-prod-role",
        session: "billing-api-prod",
        assumed_by: crate::scenario::cast::SVC_LAMBDA,
        ua: 0,
        runs_per_day: 20,
    },
];
