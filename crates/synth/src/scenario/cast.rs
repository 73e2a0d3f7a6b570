//! The cast of the scenario: one organisation, its three accounts and two
//! regions, five people with their Identity Center permission sets, time
//! zones, laptops and tools (the AI agents among them), the AWS services
//! that act in the accounts, and the stable identifiers (role ids, access
//! keys, CLI session ids) derived from them.
//!
//! Identifiers are pure functions of labels (`hash`), never drawn from a
//! shared generator, so that any job can name the same access key or CLI
//! session as any other without coordination.

use crate::rng::{Rng, mix};

pub(crate) const ORG_ID: &str = "o-7k2m9x4qpz";

/// An AWS account of the organisation.
#[derive(Debug)]
pub(crate) struct Account {
    pub name: &'static str,
    pub id: &'static str,
}

pub(crate) const ACCOUNTS: [Account; 3] = [
    Account {
        name: "prod",
        id: "491035286417",
    },
    Account {
        name: "staging",
        id: "730335412877",
    },
    Account {
        name: "dev",
        id: "215834090671",
    },
];
pub(crate) const PROD: u8 = 0;
pub(crate) const STAGING: u8 = 1;
pub(crate) const DEV: u8 = 2;

pub(crate) const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];
pub(crate) const USE1: u8 = 0;
pub(crate) const EUW1: u8 = 1;

/// The AI agents of the scenario, named as the transcript parsers name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Agent {
    ClaudeCode,
    Codex,
    Kiro,
    /// GitHub Copilot CLI (`~/.copilot/session-state/<id>/events.jsonl`).
    CopilotCli,
    /// GitHub's Copilot coding agent, in the repository's `copilot`
    /// Actions environment; it writes no local transcript.
    CopilotCoding,
    /// An agent calling through the managed AWS MCP Server; which client
    /// drove it is not recorded anywhere trailblame reads, so it is named
    /// as trailblame names it.
    AwsMcp,
}

impl Agent {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Agent::ClaudeCode => "claude-code",
            Agent::Codex => "codex",
            Agent::Kiro => "kiro",
            Agent::CopilotCli => "copilot-cli",
            Agent::CopilotCoding => "copilot-coding-agent",
            Agent::AwsMcp => "mcp:aws-mcp",
        }
    }
}

/// Which AWS CLI a person has installed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CliKind {
    /// Current v2 format; index into `ua::CLI_BUILDS`.
    New(u8),
    /// The pre-2.13 format; index into `ua::CLI_OLD`.
    Old(u8),
}

/// A person in the organisation.
#[derive(Debug)]
pub(crate) struct Human {
    pub user: &'static str,
    pub email: &'static str,
    /// Offset from UTC in hours during the scenario week (December).
    pub utc_offset: i32,
    /// Permission set per account (`None`: no access).
    pub perm: [Option<&'static str>; 3],
    /// A second permission set the person picks in the console, per account.
    pub console_perm: [Option<&'static str>; 3],
    pub cli: CliKind,
    /// Index into `ua::BROWSERS`.
    pub browser: u8,
    pub ip: &'static str,
    pub host: &'static str,
}

pub(crate) const ALICE: u8 = 0;
pub(crate) const BOB: u8 = 1;
pub(crate) const CAROL: u8 = 2;
pub(crate) const DAVE: u8 = 3;
pub(crate) const ERIN: u8 = 4;

pub(crate) const HUMANS: [Human; 5] = [
    Human {
        user: "alice",
        email: "alice@example.com",
        utc_offset: -5,
        perm: [
            Some("ReadOnlyAccess"),
            Some("PowerUserAccess"),
            Some("AdministratorAccess"),
        ],
        console_perm: [Some("NetworkAdministrator"), None, None],
        cli: CliKind::New(0),
        browser: 0,
        ip: "198.51.100.23",
        host: "alice-mbp",
    },
    Human {
        user: "bob",
        email: "bob@example.com",
        utc_offset: -8,
        perm: [
            Some("ReadOnlyAccess"),
            Some("PowerUserAccess"),
            Some("PowerUserAccess"),
        ],
        console_perm: [None, None, None],
        cli: CliKind::Old(0),
        browser: 3,
        ip: "203.0.113.77",
        host: "bob-thinkpad",
    },
    Human {
        user: "carol",
        email: "carol@example.com",
        utc_offset: 1,
        perm: [
            Some("ReadOnlyAccess"),
            Some("DeveloperAccess"),
            Some("DeveloperAccess"),
        ],
        console_perm: [None, None, None],
        cli: CliKind::New(1),
        browser: 2,
        ip: "192.0.2.141",
        host: "carol-xps",
    },
    Human {
        user: "dave",
        email: "dave@example.com",
        utc_offset: -6,
        perm: [
            Some("AdministratorAccess"),
            Some("AdministratorAccess"),
            Some("AdministratorAccess"),
        ],
        console_perm: [None, None, None],
        cli: CliKind::New(2),
        browser: 1,
        ip: "198.51.100.190",
        host: "dave-ws",
    },
    Human {
        user: "erin",
        email: "erin@example.com",
        utc_offset: 0,
        perm: [
            Some("PlatformOperator"),
            Some("AdministratorAccess"),
            Some("AdministratorAccess"),
        ],
        console_perm: [None, None, None],
        cli: CliKind::New(3),
        browser: 4,
        ip: "203.0.113.12",
        host: "erin-mbp",
    },
];

/// An AWS service that acts in the accounts.
#[derive(Debug)]
pub(crate) struct Service {
    /// `config.amazonaws.com`.
    pub principal: &'static str,
    /// Its service-linked role, when it uses one.
    pub linked_role: Option<&'static str>,
    /// The session name CloudTrail shows for the linked role.
    pub session: &'static str,
}

pub(crate) const SVC_CONFIG: u8 = 0;
pub(crate) const SVC_AUTOSCALING: u8 = 1;
pub(crate) const SVC_ELB: u8 = 2;
pub(crate) const SVC_LAMBDA: u8 = 3;
pub(crate) const SVC_ECS_TASKS: u8 = 4;
pub(crate) const SVC_CLOUDFORMATION: u8 = 5;
pub(crate) const SVC_ACCESS_ANALYZER: u8 = 6;

pub(crate) const SERVICES: [Service; 7] = [
    Service {
        principal: "config.amazonaws.com",
        linked_role: Some("AWSServiceRoleForConfig"),
        session: "AWSConfig-Describe",
    },
    Service {
        principal: "autoscaling.amazonaws.com",
        linked_role: Some("AWSServiceRoleForAutoScaling"),
        session: "AutoScaling",
    },
    Service {
        principal: "elasticloadbalancing.amazonaws.com",
        linked_role: Some("AWSServiceRoleForElasticLoadBalancing"),
        session: "ElasticLoadBalancing",
    },
    Service {
        principal: "lambda.amazonaws.com",
        linked_role: None,
        session: "",
    },
    Service {
        principal: "ecs-tasks.amazonaws.com",
        linked_role: None,
        session: "",
    },
    Service {
        principal: "cloudformation.amazonaws.com",
        linked_role: None,
        session: "",
    },
    Service {
        principal: "access-analyzer.amazonaws.com",
        linked_role: Some("AWSServiceRoleForAccessAnalyzer"),
        session: "access-analyzer",
    },
];

/// The CI role GitHub Actions assumes with its OIDC token.
pub(crate) const CI_ROLE: &str = "github-actions-deploy";
pub(crate) const CI_SUBJECT: &str = "repo:acme-corp/platform-infra:ref:refs/heads/main";
/// The role the Codex agent runs on (in staging and dev).
pub(crate) const CODEX_ROLE: &str = "ai-agent-codex";
/// The role the Copilot coding agent's `copilot` environment assumes (dev).
pub(crate) const COPILOT_ROLE: &str = "copilot-coding-agent-deploy";
/// The OIDC subject of a job in the `copilot` environment of the
/// billing-api repository.
pub(crate) const COPILOT_SUBJECT: &str = "repo:acme-corp/billing-api:environment:copilot";
/// The managed AWS MCP Server: `invokedBy`, source address and user agent.
pub(crate) const AWS_MCP: &str = "aws-mcp.amazonaws.com";

/// A stable 64-bit hash of labels.
pub(crate) fn hash(parts: &[&str]) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update(&[0x1f]);
    }
    h.digest()
}

/// `prefix` followed by `n` upper-case letters and digits derived from `seed`.
pub(crate) fn upper_id(prefix: &str, seed: u64, n: usize) -> String {
    let mut r = Rng::new(seed);
    let mut s = String::with_capacity(prefix.len() + n);
    s.push_str(prefix);
    r.push_upper_alnum(&mut s, n);
    s
}

/// `n` lower-case hex digits derived from `seed`.
pub(crate) fn hex_id(seed: u64, n: usize) -> String {
    Rng::new(seed).hex(n)
}

/// `AWSReservedSSO_<PermissionSet>_<16 hex>` of a permission set in an account.
pub(crate) fn sso_role(acct: u8, perm: &str) -> String {
    let h = hash(&["sso-role", ACCOUNTS[acct as usize].id, perm]);
    format!("AWSReservedSSO_{perm}_{}", hex_id(h, 16))
}

/// The `AROA…` id of a role.
pub(crate) fn role_id(acct: u8, role: &str) -> String {
    upper_id(
        "AROA",
        hash(&["role-id", ACCOUNTS[acct as usize].id, role]),
        17,
    )
}

/// SSO role credentials last an hour; the CLI caches them in
/// `~/.aws/cli/cache`, which the person's terminals and an agent's shell on
/// the same laptop share. `(access key, creation time)` of the credentials
/// a person's CLI uses at `t`.
pub(crate) fn cli_key(human: u8, acct: u8, t: i64) -> (String, i64) {
    let block = t.div_euclid(3600);
    let seed = mix(
        hash(&["cli-key", HUMANS[human as usize].user]),
        block as u64 * 8 + u64::from(acct),
    );
    (
        upper_id("ASIA", seed, 16),
        block * 3600 - (seed % 900) as i64,
    )
}

/// The console session's credentials (a different session from the CLI's).
pub(crate) fn console_key(human: u8, acct: u8, t: i64) -> (String, i64) {
    let block = t.div_euclid(3600);
    let seed = mix(
        hash(&["console-key", HUMANS[human as usize].user]),
        block as u64 * 8 + u64::from(acct),
    );
    (
        upper_id("ASIA", seed, 16),
        block * 3600 - (seed % 1200) as i64,
    )
}

/// A CLI `sid/` value: 12 hex digits from host, terminal and session start.
pub(crate) fn sid(human: u8, label: &str, n: u64) -> u64 {
    mix(hash(&["sid", HUMANS[human as usize].host, label]), n)
}

/// The permission set a person's session uses in an account.
pub(crate) fn perm_of(human: u8, acct: u8, console: bool) -> &'static str {
    let h = &HUMANS[human as usize];
    let base = h.perm[acct as usize].unwrap_or("ReadOnlyAccess");
    if console {
        h.console_perm[acct as usize].unwrap_or(base)
    } else {
        base
    }
}

/// Local hour offset of a person, in seconds.
pub(crate) fn offset_secs(human: u8) -> i64 {
    i64::from(HUMANS[human as usize].utc_offset) * 3600
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_have_aws_shapes() {
        let r = sso_role(PROD, "AdministratorAccess");
        assert!(r.starts_with("AWSReservedSSO_AdministratorAccess_"));
        assert_eq!(r.len(), "AWSReservedSSO_AdministratorAccess_".len() + 16);
        let id = role_id(DEV, "x");
        assert_eq!(id.len(), 21);
        let (k, created) = cli_key(BOB, STAGING, 1_765_200_000);
        assert!(k.starts_with("ASIA") && k.len() == 20);
        assert!(created <= 1_765_200_000);
        assert_eq!(cli_key(BOB, STAGING, 1_765_200_100).0, k);
        assert_ne!(console_key(BOB, STAGING, 1_765_200_000).0, k);
        for a in &ACCOUNTS {
            assert_eq!(a.id.len(), 12);
        }
    }
}
