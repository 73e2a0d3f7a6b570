//! The compact description of one CloudTrail event before it is written,
//! and the ground truth that travels with it.
//!
//! Planning produces `Spec`s (scripted agent, incident and CloudFormation
//! events up front; background events per delivery job), rendering turns
//! each into a JSON record. A spec holds only small enums and indexes, so a
//! million of them fit comfortably in memory and can be sorted and split
//! into delivery files cheaply. Strings that scripted events need (a bucket
//! name, an object key, the CLI command lineage) live in a `Names` table and
//! are referred to by index; `0` always means "none: let the renderer pick".

use std::collections::HashMap;

use crate::scenario::cast::Agent;
use crate::scenario::ops::O;
use crate::scenario::user_agent::Ua;

/// Interned strings for scripted events. Index 0 is the empty string.
#[derive(Debug)]
pub(crate) struct Names {
    v: Vec<String>,
    idx: HashMap<String, u32>,
}

impl Default for Names {
    fn default() -> Self {
        Names {
            v: vec![String::new()],
            idx: HashMap::new(),
        }
    }
}

impl Names {
    /// The index of `s`, adding it when new; `""` is 0.
    pub(crate) fn id(&mut self, s: &str) -> u32 {
        if s.is_empty() {
            return 0;
        }
        if let Some(&i) = self.idx.get(s) {
            return i;
        }
        let i = self.v.len() as u32;
        self.v.push(s.to_string());
        self.idx.insert(s.to_string(), i);
        i
    }

    /// The index of `s` if it was added before, else 0 (read-only lookup for
    /// parallel jobs).
    pub(crate) fn find(&self, s: &str) -> u32 {
        self.idx.get(s).copied().unwrap_or(0)
    }

    /// The string at `i`, `None` for 0 or an unknown index.
    pub(crate) fn get(&self, i: u32) -> Option<&str> {
        if i == 0 {
            return None;
        }
        self.v.get(i as usize).map(String::as_str)
    }
}

/// Who made the call, as CloudTrail's `userIdentity` will show it. The
/// account comes from the spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Who {
    /// An IAM Identity Center user on their permission-set role; `console`
    /// selects the console session's credentials.
    Sso { human: u8, console: bool },
    /// The Codex agent role, session `n` of the codex sessions table.
    AgentRole { session: u32 },
    /// The CI role's session for run `run` (after web-identity federation).
    Ci { run: u32 },
    /// The `AssumeRoleWithWebIdentity` call that starts CI run `run`.
    CiFederation { run: u32 },
    /// A service-linked role acting for its service.
    ServiceLinked { svc: u8 },
    /// An AWS service principal itself (`type: AWSService`).
    AwsService { svc: u8 },
    /// An application's execution or task role.
    Workload { wl: u8 },
    /// CloudFormation acting with the caller's (an SSO user's) forward
    /// session; `op` numbers the stack operation (its own access key).
    CfnFor { human: u8, op: u32 },
    /// The managed AWS MCP Server calling with an SSO user's own CLI
    /// credentials (`invokedBy` aws-mcp.amazonaws.com).
    SsoViaMcp { human: u8 },
}

/// An error the call ends with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Err {
    None,
    AccessDenied,
    DryRun,
    NotFound,
    Throttled,
    AlreadyExists,
    /// A concurrent update is in progress.
    Conflict,
}

/// What kind of actor the ground truth names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    Ai,
    Human,
    Service,
    Automation,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Ai => "ai",
            Kind::Human => "human",
            Kind::Service => "service",
            Kind::Automation => "automation",
        }
    }
}

/// The ground-truth actor of an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Actor {
    Human(u8),
    Agent(Agent),
    /// Index into `cast::SERVICES`.
    Service(u8),
    Ci,
    /// Index into `world::WORKLOADS`.
    Workload(u8),
}

/// Why an event is attributed as it is (the `case` column).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Case {
    Console,
    HumanCli,
    HumanCliOld,
    HumanTerraform,
    HumanCliInAiWindow,
    HumanCfnInherited,
    /// The launcher a person runs to get an agent's role credentials.
    AgentCredentials,
    Ci,
    Service,
    /// An application's own role calling AWS.
    Workload,
    AiMarker,
    AiSharedNoMarker,
    AiSourceIdentity,
    AiExecEnv,
    AiMcp,
    AiCfnInherited,
    AiManagedMcp,
    AiCopilotCodingAgent,
}

impl Case {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Case::Console => "console",
            Case::HumanCli => "human_cli",
            Case::HumanCliOld => "human_cli_old",
            Case::HumanTerraform => "human_terraform",
            Case::HumanCliInAiWindow => "human_cli_in_ai_window",
            Case::HumanCfnInherited => "human_cfn_inherited",
            Case::AgentCredentials => "agent_credentials",
            Case::Ci => "ci",
            Case::Service => "service",
            Case::Workload => "workload",
            Case::AiMarker => "ai_marker",
            Case::AiSharedNoMarker => "ai_shared_no_marker",
            Case::AiSourceIdentity => "ai_source_identity",
            Case::AiExecEnv => "ai_exec_env",
            Case::AiMcp => "ai_mcp",
            Case::AiCfnInherited => "ai_cfn_inherited",
            Case::AiManagedMcp => "ai_managed_mcp",
            Case::AiCopilotCodingAgent => "ai_copilot_coding_agent",
        }
    }

    #[cfg(test)]
    pub(crate) const ALL: [Case; 18] = [
        Case::Console,
        Case::HumanCli,
        Case::HumanCliOld,
        Case::HumanTerraform,
        Case::HumanCliInAiWindow,
        Case::HumanCfnInherited,
        Case::AgentCredentials,
        Case::Ci,
        Case::Service,
        Case::Workload,
        Case::AiMarker,
        Case::AiSharedNoMarker,
        Case::AiSourceIdentity,
        Case::AiExecEnv,
        Case::AiMcp,
        Case::AiCfnInherited,
        Case::AiManagedMcp,
        Case::AiCopilotCodingAgent,
    ];
}

/// The ground truth of one event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Truth {
    pub kind: Kind,
    pub actor: Actor,
    /// The person behind an AI agent.
    pub operator: Option<u8>,
    pub case: Case,
    /// 1-based index into the tool-call table; 0 for none.
    pub call: u32,
}

impl Truth {
    /// Truth of a person's own action.
    pub(crate) fn human(h: u8, case: Case) -> Truth {
        Truth {
            kind: Kind::Human,
            actor: Actor::Human(h),
            operator: None,
            case,
            call: 0,
        }
    }
}

/// One CloudTrail event to write.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Spec {
    /// Unique per event in a run; seeds the event's id and random details.
    pub uid: u64,
    /// `eventTime`, epoch seconds.
    pub t: i64,
    pub acct: u8,
    pub region: u8,
    pub op: O,
    pub who: Who,
    pub ua: Ua,
    pub err: Err,
    /// Main resource (bucket, function, stack …), a `Names` index.
    pub res: u32,
    /// Second resource (object key, rule, variable …), a `Names` index.
    pub aux: u32,
    /// CLI command lineage for `md/command#`, a `Names` index; 0 uses the
    /// operation's own.
    pub cli: u32,
    pub truth: Truth,
}

/// What the ground truth says about one agent tool call.
#[derive(Clone, Debug)]
pub(crate) struct CallRef {
    pub session_id: String,
    pub call_id: String,
    /// Tool-call window as the transcript records it, epoch milliseconds.
    pub started_ms: i64,
    pub ended_ms: i64,
}

/// A uuid-shaped event id derived from the run seed and the event's uid.
pub(crate) fn event_id(seed: u64, uid: u64) -> [u8; 36] {
    let mut rng = crate::rng::Rng::new(crate::rng::mix(seed ^ 0xE7E1_D000, uid));
    let s = rng.uuid();
    let mut out = [b'0'; 36];
    out.copy_from_slice(&s.as_bytes()[..36]);
    out
}
