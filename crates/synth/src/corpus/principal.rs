//! Who acts in an account: a principal's class (which decides its
//! `userIdentity.type`), names and ids, and the tools (`Channel`s) it calls
//! AWS through. `population` builds them; `identity` writes their sessions
//! and identity blocks.

use crate::corpus::user_agent::{AgentCode, Ua};
use crate::rng::{Rng, Weighted};

/// What kind of actor a principal is; decides its `userIdentity.type` and
/// how its identity block looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Class {
    /// A person through an IAM Identity Center permission set.
    Sso,
    /// A workload role (Lambda, ECS task, EC2 instance, EKS pod).
    App,
    /// A role dedicated to an AI coding agent.
    Agent,
    /// The CI role assumed through GitHub OIDC.
    Ci,
    /// A role an AWS service assumes to act for the account (`invokedBy`).
    ServiceRole,
    IamUser,
    Root,
    AwsService,
    Federated,
    AwsAccount,
    IdentityCenter,
    Saml,
    WebIdentity,
    Unknown,
}

impl Class {
    pub(crate) fn identity_type(self) -> &'static str {
        match self {
            Class::Sso | Class::App | Class::Agent | Class::Ci | Class::ServiceRole => {
                "AssumedRole"
            }
            Class::IamUser => "IAMUser",
            Class::Root => "Root",
            Class::AwsService => "AWSService",
            Class::Federated => "FederatedUser",
            Class::AwsAccount => "AWSAccount",
            Class::IdentityCenter => "IdentityCenterUser",
            Class::Saml => "SAMLUser",
            Class::WebIdentity => "WebIdentityUser",
            Class::Unknown => "Unknown",
        }
    }

    pub(crate) fn is_role(self) -> bool {
        self.identity_type() == "AssumedRole"
    }
}

/// How a role session is named.
#[derive(Clone, Debug)]
pub(crate) enum Naming {
    /// Always the same (an email, `GitHubActions`, a function or instance id).
    Fixed(String),
    /// `botocore-session-<epoch>`.
    Botocore,
    /// `aws-go-sdk-<nanoseconds>`.
    GoSdk,
    /// An ECS task id (32 hex).
    TaskId,
    /// `<prefix>-<8 hex>`, new per session (agent sessions).
    Prefixed(&'static str),
}

/// One way a principal reaches AWS: a tool, the catalog slice it calls
/// (`who` bits), and how often.
#[derive(Clone, Debug)]
pub(crate) struct Channel {
    pub ua: Ua,
    pub who: u32,
    pub weight: u64,
}

/// One actor in an account: its identity, how its sessions are named, the
/// tools it calls through (`channels`) and how often it acts.
#[derive(Clone, Debug)]
pub(crate) struct Principal {
    pub class: Class,
    pub weight: u64,
    /// Logged only in the home region (sign-in, portal, SAML, root console).
    pub home_only: bool,
    /// Role name, user name, service principal, or SAML/OIDC subject.
    pub name: String,
    /// `AROA…`, `AIDA…`, or the principalId CloudTrail shows.
    pub id: String,
    /// Role or user ARN (empty when there is none).
    pub arn: String,
    pub naming: Naming,
    pub session_secs: i64,
    pub phase: i64,
    /// `sourceIdentity` values; a session carries one of them.
    pub source_identities: Vec<String>,
    pub mfa: bool,
    pub invoked_by: Option<&'static str>,
    /// `webIdFederationData.federatedProvider` for OIDC-assumed roles.
    pub web_provider: Option<String>,
    pub ec2_delivery: bool,
    /// Long-term `AKIA…` key (IAM users) or `credentialId` (IdC users).
    pub fixed_key: Option<String>,
    /// The issuing IAM user's (name, id) for federated users.
    pub issuer: Option<(String, String)>,
    pub email: Option<String>,
    pub user_id: Option<String>,
    /// AWSAccount principals: the calling account (or `anonymous`).
    pub other_account: Option<String>,
    pub ips: Vec<String>,
    /// Calls arrive through this VPC endpoint (private source IPs).
    pub vpce: Option<String>,
    pub agent: Option<AgentCode>,
    /// Principals (indices in the account) this one assumes: a service's
    /// execution roles, an OIDC subject's roles.
    pub assumes: Vec<usize>,
    pub channels: Vec<Channel>,
    pub pick_channel: Weighted,
}

/// A stable IAM unique id (`AROA…`, `AIDA…`, `ANPA…`): the prefix and 17
/// upper-case letters and digits derived from `seed` and `label`.
pub(crate) fn unique_id(prefix: &str, seed: u64, label: &str) -> String {
    let h = xxhash_rust::xxh3::xxh3_64_with_seed(label.as_bytes(), seed);
    let mut rng = Rng::new(h);
    let mut s = String::with_capacity(prefix.len() + 17);
    s.push_str(prefix);
    rng.push_upper_alnum(&mut s, 17);
    s
}
