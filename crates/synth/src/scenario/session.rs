//! Agent sessions: the format-neutral model the transcript writers render
//! (turns, assistant text, tool calls with their start and end times and
//! results). `session_builder` fills it.

use crate::scenario::agent_commands::UseAws;
use crate::scenario::cast::Agent;

/// How an agent's calls reach AWS, which decides what CloudTrail shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavour {
    /// The person's own SSO credentials, a CLI that sends the agent's `m/` id.
    Marker,
    /// The person's own SSO credentials and an old CLI: no marker at all.
    SharedNoMarker,
    /// A dedicated role assumed with `sourceIdentity`.
    SourceIdentity,
    /// Kiro / Amazon Q: `exec-env/AmazonQ-For-CLI…` on every call.
    ExecEnv,
    /// The awslabs aws-api MCP server.
    Mcp,
}

/// A tool call as the agent recorded it.
#[derive(Clone, Debug)]
pub(crate) enum Tool {
    /// Claude Code's `Bash`.
    Bash {
        command: String,
        description: String,
    },
    /// Another Claude Code tool; `input` is a JSON object.
    ClaudeOther { name: &'static str, input: String },
    /// The aws-api MCP server's `call_aws`.
    McpCallAws { cli_command: String },
    /// Another MCP tool of that server.
    McpOther { tool: &'static str, input: String },
    /// Codex `shell_command`.
    CodexShell { command: String, escalated: bool },
    /// Codex `apply_patch` (a custom tool call).
    CodexPatch { patch: String },
    /// Kiro `execute_bash`.
    KiroBash { command: String, summary: String },
    /// Kiro `use_aws`.
    KiroUseAws(UseAws),
    /// Kiro `fs_read` / `fs_write`.
    KiroFs { name: &'static str, args: String },
}

/// One tool call and its result.
#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub id: String,
    pub tool: Tool,
    pub start_ms: i64,
    pub end_ms: i64,
    /// When the person approved it (its start when nobody was asked).
    pub approved_ms: i64,
    pub exit: i32,
    pub output: String,
    /// A person declined it: nothing ran.
    pub rejected: bool,
    /// Assistant text written just before the call.
    pub text_before: Option<String>,
}

/// One user prompt and what followed it.
#[derive(Clone, Debug)]
pub(crate) struct Turn {
    pub prompt: String,
    pub prompt_ms: i64,
    pub calls: Vec<Call>,
    pub reply: String,
    pub reply_ms: i64,
}

/// One agent session.
#[derive(Clone, Debug)]
pub(crate) struct Session {
    pub agent: Agent,
    pub flavour: Flavour,
    pub operator: u8,
    pub id: String,
    pub cwd: String,
    pub branch: String,
    pub model: &'static str,
    /// Claude permission mode, Codex approval policy, or Kiro's trust setting.
    pub mode: &'static str,
    pub start_ms: i64,
    pub turns: Vec<Turn>,
}
