//! `Builder` lays an agent session out in time and turns the AWS commands
//! it runs into scripted CloudTrail events with their ground truth.
//!
//! Timing follows how the tools work: a tool call starts when the model
//! emits it; it may wait for a person's approval; the command then runs,
//! and each API call it makes completes (its CloudTrail `eventTime`, whole
//! seconds) inside the run; the result is written when it ends. About one
//! event in twenty is shifted 1–3 s outside the window, as a host whose
//! clock is off by a little would show.

use crate::rng::Rng;
use crate::scenario::agent_commands::{Env, Planned};
use crate::scenario::cast::{self, Agent, HUMANS};
use crate::scenario::plan::Plan;
use crate::scenario::session::{Call, Flavour, Session, Tool, Turn};
use crate::scenario::spec::{Actor, CallRef, Case, Err, Kind, Spec, Truth, Who};
use crate::scenario::user_agent::Ua;

/// Tools other than the AWS CLI that a command runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Iac {
    None,
    Terraform,
    Sam,
}

/// Lays out one session and emits its events.
pub(crate) struct Builder<'p> {
    pub plan: &'p mut Plan,
    pub rng: Rng,
    pub s: Session,
    pub env: Env,
    pub now_ms: i64,
    /// The agent shell's CLI `sid/`.
    pub sid: u64,
    /// Index into `plan.codex` for a Codex session.
    pub codex: Option<u32>,
    /// Every tool call waits this long for approval (ms range), with this probability.
    pub approval: (f64, i64, i64),
    pending_text: Option<String>,
}

/// A uuid v4 string.
pub(crate) fn uuid4(rng: &mut Rng) -> String {
    rng.uuid()
}

/// A uuid v7 string whose time part is `ms`.
pub(crate) fn uuid7(rng: &mut Rng, ms: i64) -> String {
    let r = rng.hex(20);
    let t = format!("{:012x}", ms.max(0) as u64 & 0xFFFF_FFFF_FFFF);
    let var = ["8", "9", "a", "b"][rng.index(4)];
    format!(
        "{}-{}-7{}-{var}{}-{}",
        &t[..8],
        &t[8..12],
        &r[..3],
        &r[3..6],
        &r[6..18]
    )
}

impl<'p> Builder<'p> {
    pub(crate) fn new(plan: &'p mut Plan, rng: Rng, s: Session, env: Env) -> Builder<'p> {
        let now_ms = s.start_ms;
        Builder {
            plan,
            rng,
            s,
            env,
            now_ms,
            sid: 0,
            codex: None,
            approval: (0.0, 0, 0),
            pending_text: None,
        }
    }

    /// Advances the clock by a random pause.
    pub(crate) fn pause(&mut self, lo_ms: i64, hi_ms: i64) {
        self.now_ms += lo_ms + self.rng.below((hi_ms - lo_ms).max(1) as u64) as i64;
    }

    /// A new user prompt.
    pub(crate) fn prompt(&mut self, text: &str) {
        if !self.s.turns.is_empty() {
            self.pause(40_000, 900_000);
        }
        self.s.turns.push(Turn {
            prompt: text.to_string(),
            prompt_ms: self.now_ms,
            calls: Vec::new(),
            reply: String::new(),
            reply_ms: self.now_ms,
        });
        self.pause(2_000, 9_000);
    }

    /// Assistant text written before the next call.
    pub(crate) fn say(&mut self, text: &str) {
        self.pending_text = Some(text.to_string());
    }

    /// The turn's closing message.
    pub(crate) fn reply(&mut self, text: &str) {
        self.pause(3_000, 15_000);
        let now = self.now_ms;
        if let Some(t) = self.s.turns.last_mut() {
            t.reply = text.to_string();
            t.reply_ms = now;
        }
    }

    fn call_id(&mut self) -> String {
        match self.s.agent {
            Agent::ClaudeCode => format!("toolu_01{}", self.rng.alnum(22)),
            Agent::Codex => format!("call_{}", self.rng.alnum(24)),
            Agent::Kiro => format!("tooluse_{}", self.rng.base64_url(22)),
            // Copilot CLI on Claude through Vertex; the others write no transcript.
            Agent::CopilotCli | Agent::CopilotCoding | Agent::AwsMcp => {
                format!("toolu_vrtx_01{}", self.rng.alnum(22))
            }
        }
    }

    /// A call that does not reach AWS.
    pub(crate) fn other(&mut self, tool: Tool, output: &str, exit: i32, exec_ms: i64) {
        self.pause(1_500, 9_000);
        let start = self.now_ms;
        let end = start + exec_ms + self.rng.below(300) as i64;
        let id = self.call_id();
        let text_before = self.pending_text.take();
        self.push_call(Call {
            id,
            tool,
            start_ms: start,
            end_ms: end,
            approved_ms: start,
            exit,
            output: output.to_string(),
            rejected: false,
            text_before,
        });
        self.now_ms = end;
    }

    fn push_call(&mut self, c: Call) {
        if self.s.turns.is_empty() {
            self.prompt("continue");
        }
        if let Some(t) = self.s.turns.last_mut() {
            t.calls.push(c);
        }
    }

    /// The tool form of an AWS command for this session's agent.
    fn tool_for(&self, p: &Planned) -> Tool {
        match (self.s.flavour, self.s.agent) {
            (Flavour::Mcp, _) if p.mcp_command.is_some() => Tool::McpCallAws {
                cli_command: p.mcp_command.clone().unwrap_or_default(),
            },
            (_, Agent::ClaudeCode | Agent::CopilotCli | Agent::CopilotCoding | Agent::AwsMcp) => {
                Tool::Bash {
                    command: p.command.clone(),
                    description: p.description.clone(),
                }
            }
            (_, Agent::Codex) => Tool::CodexShell {
                command: p.command.clone(),
                escalated: true,
            },
            (_, Agent::Kiro) => match &p.structured {
                Some(u) => Tool::KiroUseAws(u.clone()),
                None => Tool::KiroBash {
                    command: p.command.clone(),
                    summary: p.description.clone(),
                },
            },
        }
    }

    /// Runs an AWS command (`rejected`: the person declines it). Returns
    /// the uids of the events it caused.
    pub(crate) fn aws(&mut self, p: Planned, rejected: bool) -> Vec<u64> {
        self.pause(1_500, 10_000);
        let start = self.now_ms;
        let (pr, lo, hi) = self.approval;
        let wait = if pr > 0.0 && self.rng.chance(pr) {
            lo + self.rng.below((hi - lo).max(1) as u64) as i64
        } else {
            0
        };
        let tool = self.tool_for(&p);
        let id = self.call_id();
        let text_before = self.pending_text.take();
        if rejected {
            let end = start + wait.max(2_000);
            self.push_call(Call {
                id,
                tool,
                start_ms: start,
                end_ms: end,
                approved_ms: end,
                exit: -1,
                output: String::new(),
                rejected: true,
                text_before,
            });
            self.now_ms = end;
            return Vec::new();
        }
        let exec_start = start + wait + 40 + self.rng.below(200) as i64;
        let exec_end = exec_start + p.exec_ms;
        let end = exec_end + 30 + self.rng.below(400) as i64;
        let call_no = if p.events.is_empty() {
            0
        } else {
            self.plan.add_call(CallRef {
                session_id: self.s.id.clone(),
                call_id: id.clone(),
                started_ms: start,
                ended_ms: end,
            })
        };
        let n = p.events.len() as i64;
        let mut uids = Vec::with_capacity(p.events.len());
        let iac = if p.command.contains("terraform ") {
            Iac::Terraform
        } else if p.command.starts_with("sam ") {
            Iac::Sam
        } else {
            Iac::None
        };
        for (i, e) in p.events.iter().enumerate() {
            let done_ms =
                exec_start + (i as i64 + 1) * p.exec_ms / (n + 1) + self.rng.below(80) as i64;
            let mut t = done_ms.min(exec_end).div_euclid(1000);
            if self.plan.skew_due() {
                let shift = 1 + self.rng.below(3) as i64;
                t = if self.rng.chance(0.5) {
                    start.div_euclid(1000) - shift
                } else {
                    end.div_euclid(1000) + shift
                };
            }
            let (who, ua, case) = self.identity(iac);
            let cli = self.plan.names.id(&e.cli);
            let res = self.plan.names.id(&e.res);
            let aux = self.plan.names.id(&e.aux);
            let spec = Spec {
                uid: 0,
                t,
                acct: e.acct,
                region: e.region,
                op: e.op,
                who,
                ua,
                err: e.err,
                res,
                aux,
                cli,
                truth: Truth {
                    kind: Kind::Ai,
                    actor: Actor::Agent(self.s.agent),
                    operator: Some(self.s.operator),
                    case,
                    call: call_no,
                },
            };
            if let Some(u) = self.plan.push(spec) {
                uids.push(u);
            }
        }
        self.push_call(Call {
            id,
            tool,
            start_ms: start,
            end_ms: end,
            approved_ms: start + wait,
            exit: p.exit,
            output: p.output,
            rejected: false,
            text_before,
        });
        self.now_ms = end;
        uids
    }

    /// Who, user agent and case of this session's AWS events.
    fn identity(&self, iac: Iac) -> (Who, Ua, Case) {
        let h = self.s.operator;
        let sso = Who::Sso {
            human: h,
            console: false,
        };
        let build = match HUMANS[h as usize].cli {
            cast::CliKind::New(b) | cast::CliKind::Old(b) => b,
        };
        match iac {
            Iac::Terraform => return (sso, Ua::Terraform { build: 0 }, Case::AiSharedNoMarker),
            Iac::Sam if self.s.flavour == Flavour::ExecEnv => {
                return (sso, Ua::Sam { exec_env: true }, Case::AiExecEnv);
            }
            Iac::Sam => return (sso, Ua::Sam { exec_env: false }, Case::AiSharedNoMarker),
            Iac::None => {}
        }
        match self.s.flavour {
            Flavour::Marker => (
                sso,
                Ua::Cli {
                    build,
                    agent: Some(self.s.agent),
                    exec_env: false,
                    sid: self.sid,
                },
                Case::AiMarker,
            ),
            Flavour::SharedNoMarker => (sso, Ua::CliOld { build }, Case::AiSharedNoMarker),
            Flavour::SourceIdentity => (
                Who::AgentRole {
                    session: self.codex.unwrap_or(0),
                },
                Ua::Cli {
                    build,
                    agent: Some(self.s.agent),
                    exec_env: false,
                    sid: self.sid,
                },
                Case::AiSourceIdentity,
            ),
            Flavour::ExecEnv => (
                sso,
                Ua::Cli {
                    build,
                    agent: Some(self.s.agent),
                    exec_env: true,
                    sid: self.sid,
                },
                Case::AiExecEnv,
            ),
            Flavour::Mcp => (sso, Ua::Mcp, Case::AiMcp),
        }
    }

    /// Ends the session and stores it in the plan.
    pub(crate) fn finish(mut self) {
        if let Some(t) = self.s.turns.last_mut()
            && t.reply.is_empty()
        {
            t.reply = "Done.".to_string();
            t.reply_ms = self.now_ms + 4_000;
        }
        self.plan.sessions.push(self.s);
    }
}

/// Marks an error on a planned single call (a write where the person's
/// permission set only reads), rewriting its output and exit code.
pub(crate) fn deny_writes_if_read_only(p: &mut Planned, env: &Env) {
    let perm = HUMANS[env.human as usize].perm[env.acct as usize].unwrap_or("ReadOnlyAccess");
    if perm != "ReadOnlyAccess" || p.events.len() != 1 {
        return;
    }
    let e = &mut p.events[0];
    if e.op.def().read_only() || e.err != Err::None {
        return;
    }
    e.err = Err::AccessDenied;
    p.exit = 254;
    p.output = crate::scenario::agent_commands::cli_error(env, e.op, Err::AccessDenied, &e.res);
}
