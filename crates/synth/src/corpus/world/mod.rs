//! The fixed cast of a synthetic organisation: its accounts, the resources in
//! each (buckets, instances, functions, stacks, …) and the people who work
//! there, all derived from the seed before any record is written.
//!
//! Records refer back to this shared, read-only world so that a corpus looks
//! like one organisation over time: the same buckets are read again and
//! again, the same developer calls from the same laptop, the same CI role
//! deploys the same stacks. Building it is cheap (a few thousand strings) and
//! happens once per `generate` call; file workers only borrow it.

mod build;

use crate::corpus::principal::Principal;
use crate::corpus::user_agent::AgentCode;
use crate::rng::{Rng, Weighted};

/// Regions a trail logs, with their share of regional traffic. The first one
/// is where global services (IAM, STS global endpoint, sign-in) are logged.
pub(crate) const REGIONS: &[(&str, u64)] = &[
    ("us-east-1", 55),
    ("eu-west-1", 18),
    ("us-west-2", 17),
    ("ap-southeast-2", 10),
];

pub(crate) const HOME_REGION: usize = 0;

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
