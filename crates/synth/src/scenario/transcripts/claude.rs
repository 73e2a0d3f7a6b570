//! Claude Code session files, as version 2.0 writes them under
//! `~/.claude/projects/<cwd with every non-alphanumeric character as '-'>/
//! <session id>.jsonl`: a `file-history-snapshot` before each prompt, user
//! prompt lines carrying `permissionMode`, assistant lines holding one
//! content block each (text or `tool_use`, with model, usage and request
//! id), and user lines with the `tool_result` and the `toolUseResult`
//! object (`Exit code N` text on failure, the fixed rejection text when the
//! person declines, an MCP server's text blocks). Lines chain through
//! `parentUuid`.

use crate::json::{Obj, push_str};
use crate::rng::{Rng, mix};
use crate::scenario::cast;
use crate::scenario::session::{Call, Session, Tool};
use crate::scenario::user_agent::CLAUDE_VERSION;

const REJECTED: &str = "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a file edit, the new_string was NOT written to the file). STOP what you are doing and wait for the user to tell you how to proceed.";

/// `2025-12-08T14:03:11.204Z`.
pub(crate) fn iso_ms(ms: i64) -> String {
    let mut s = crate::json::iso(ms.div_euclid(1000));
    s.pop();
    s.push_str(&format!(".{:03}Z", ms.rem_euclid(1000)));
    s
}

/// The project directory name Claude Code derives from a working directory.
pub(crate) fn project_dir(cwd: &str) -> String {
    cwd.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// `<home user>/.claude/projects/<dir>/<id>.jsonl`, relative to `transcripts/`.
pub(crate) fn rel_path(s: &Session) -> String {
    format!(
        "{}/.claude/projects/{}/{}.jsonl",
        cast::HUMANS[s.operator as usize].user,
        project_dir(&s.cwd),
        s.id
    )
}

struct W<'a> {
    s: &'a Session,
    rng: Rng,
    out: Vec<u8>,
    parent: Option<String>,
}

impl W<'_> {
    /// Opens a line with the common fields; the caller adds the rest.
    fn head<'b>(&self, buf: &'b mut Vec<u8>) -> Obj<'b> {
        let mut o = Obj::new(buf);
        match &self.parent {
            Some(p) => o.str("parentUuid", p),
            None => o.null("parentUuid"),
        };
        o.bool("isSidechain", false)
            .str("userType", "external")
            .str("cwd", &self.s.cwd)
            .str("sessionId", &self.s.id)
            .str("version", CLAUDE_VERSION)
            .str("gitBranch", &self.s.branch);
        o
    }

    fn line(&mut self, buf: Vec<u8>, uuid: String) {
        self.out.extend_from_slice(&buf);
        self.out.push(b'\n');
        self.parent = Some(uuid);
    }

    fn snapshot(&mut self, msg_uuid: &str, ms: i64) {
        let mut o = Obj::new(&mut self.out);
        o.str("type", "file-history-snapshot")
            .str("messageId", msg_uuid);
        o.obj("snapshot")
            .str("messageId", msg_uuid)
            .empty("trackedFileBackups")
            .str("timestamp", &iso_ms(ms))
            .end();
        o.bool("isSnapshotUpdate", false);
        o.end();
        self.out.push(b'\n');
    }

    fn prompt(&mut self, text: &str, ms: i64) {
        let uuid = self.rng.uuid();
        self.snapshot(&uuid, ms);
        let mut buf = Vec::new();
        let mut o = self.head(&mut buf);
        o.str("type", "user");
        o.obj("message")
            .str("role", "user")
            .str("content", text)
            .end();
        o.str("uuid", &uuid)
            .str("timestamp", &iso_ms(ms))
            .str("permissionMode", self.s.mode);
        o.end();
        self.line(buf, uuid);
    }

    /// An assistant line with one content block written by `block`.
    fn assistant(&mut self, ms: i64, block: impl FnOnce(&mut Obj<'_>)) -> String {
        let uuid = self.rng.uuid();
        let msg_id = format!("msg_01{}", self.rng.alnum(22));
        let req = format!("req_011C{}", self.rng.alnum(20));
        let (cache_new, cache_read, out_tok) = (
            self.rng.below(3000) as i64,
            8_000 + self.rng.below(60_000) as i64,
            1 + self.rng.below(400) as i64,
        );
        let mut buf = Vec::new();
        let mut o = self.head(&mut buf);
        {
            let mut m = o.obj("message");
            m.str("model", self.s.model)
                .str("id", &msg_id)
                .str("type", "message")
                .str("role", "assistant");
            {
                let mut c = m.arr("content");
                let mut b = c.obj();
                block(&mut b);
                b.end();
                c.end();
            }
            m.null("stop_reason").null("stop_sequence");
            {
                let mut u = m.obj("usage");
                u.num("input_tokens", 4 + self.rng.below(8) as i64)
                    .num("cache_creation_input_tokens", cache_new)
                    .num("cache_read_input_tokens", cache_read);
                u.obj("cache_creation")
                    .num("ephemeral_5m_input_tokens", cache_new)
                    .num("ephemeral_1h_input_tokens", 0)
                    .end();
                u.num("output_tokens", out_tok)
                    .str("service_tier", "standard");
                u.end();
            }
            m.end();
        }
        o.str("requestId", &req)
            .str("type", "assistant")
            .str("uuid", &uuid)
            .str("timestamp", &iso_ms(ms));
        o.end();
        self.line(buf, uuid.clone());
        uuid
    }

    fn text(&mut self, text: &str, ms: i64) {
        self.assistant(ms, |b| {
            b.str("type", "text").str("text", text);
        });
    }

    fn call(&mut self, c: &Call) {
        if let Some(t) = &c.text_before {
            self.text(t, c.start_ms - 300);
        }
        let (name, input) = tool_input(&c.tool);
        let id = c.id.clone();
        let asst = self.assistant(c.start_ms, |b| {
            b.str("type", "tool_use").str("id", &id).str("name", name);
            b.raw("input", input.as_bytes());
        });
        let uuid = self.rng.uuid();
        let is_error = c.rejected || c.exit != 0;
        let content = if c.rejected {
            REJECTED.to_string()
        } else if c.exit != 0 {
            format!("Exit code {}\n{}", c.exit, c.output.trim_end())
        } else if c.output.is_empty() {
            "(No content)".to_string()
        } else {
            c.output.trim_end().to_string()
        };
        let mcp = matches!(c.tool, Tool::McpCallAws { .. } | Tool::McpOther { .. });
        let mut buf = Vec::new();
        let mut o = self.head(&mut buf);
        o.str("type", "user");
        {
            let mut m = o.obj("message");
            m.str("role", "user");
            let mut arr = m.arr("content");
            let mut r = arr.obj();
            r.str("tool_use_id", &c.id).str("type", "tool_result");
            if mcp && !is_error {
                let mut a = r.arr("content");
                a.obj().str("type", "text").str("text", &content).end();
                a.end();
            } else {
                r.str("content", &content);
            }
            r.bool("is_error", is_error);
            r.end();
            arr.end();
            m.end();
        }
        o.str("uuid", &uuid).str("timestamp", &iso_ms(c.end_ms));
        if c.rejected {
            o.str("toolUseResult", "User rejected tool use");
        } else if is_error {
            o.str("toolUseResult", &format!("Error: {content}"));
        } else if mcp {
            let mut a = o.arr("toolUseResult");
            a.obj().str("type", "text").str("text", &content).end();
            a.end();
        } else {
            let mut r = o.obj("toolUseResult");
            r.str("stdout", c.output.trim_end())
                .str("stderr", "")
                .bool("interrupted", false)
                .bool("isImage", false);
            r.end();
        }
        o.str("sourceToolAssistantUUID", &asst);
        o.end();
        self.line(buf, uuid);
        if c.rejected {
            let uuid = self.rng.uuid();
            let mut buf = Vec::new();
            let mut o = self.head(&mut buf);
            o.str("type", "user");
            {
                let mut m = o.obj("message");
                m.str("role", "user");
                let mut a = m.arr("content");
                a.obj()
                    .str("type", "text")
                    .str("text", "[Request interrupted by user for tool use]")
                    .end();
                a.end();
                m.end();
            }
            o.str("uuid", &uuid).str("timestamp", &iso_ms(c.end_ms + 5));
            o.end();
            self.line(buf, uuid);
        }
    }
}

/// `(tool name, input JSON)` of a Claude Code tool call.
fn tool_input(t: &Tool) -> (&'static str, String) {
    let mut buf = Vec::new();
    let name = match t {
        Tool::Bash {
            command,
            description,
        } => {
            Obj::new(&mut buf)
                .str("command", command)
                .str("description", description)
                .end();
            "Bash"
        }
        Tool::ClaudeOther { name, input } => {
            buf.extend_from_slice(input.as_bytes());
            name
        }
        Tool::McpCallAws { cli_command } => {
            Obj::new(&mut buf).str("cli_command", cli_command).end();
            "mcp__awslabs_aws-api-mcp-server__call_aws"
        }
        Tool::McpOther { tool, input } => {
            buf.extend_from_slice(input.as_bytes());
            tool
        }
        _ => {
            push_str(&mut buf, "");
            "Unknown"
        }
    };
    (name, String::from_utf8(buf).unwrap_or_default())
}

/// The whole file for one session.
pub(crate) fn render(s: &Session, seed: u64) -> Vec<u8> {
    let mut w = W {
        s,
        rng: Rng::new(mix(seed ^ 0xC1A0_DE00, cast::hash(&[&s.id]))),
        out: Vec::new(),
        parent: None,
    };
    for t in &s.turns {
        w.prompt(&t.prompt, t.prompt_ms);
        for c in &t.calls {
            w.call(c);
        }
        if !t.reply.is_empty() {
            w.text(&t.reply, t.reply_ms);
        }
    }
    w.out
}
