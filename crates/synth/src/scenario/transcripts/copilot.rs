//! GitHub Copilot CLI session event logs, as the CLI keeps them under
//! `~/.copilot/session-state/<session id>/events.jsonl`: one event per line,
//! `{type, id, timestamp, parentId, data}`, chained through `parentId`
//! (shapes from the runtime's `session-events.schema.json`, as in
//! `tests/fixtures/transcripts/copilot/`). A session starts with
//! `session.start`; each prompt is a `user.message` and an
//! `assistant.turn_start`; each shell call is an `assistant.message` whose
//! `toolRequests` asks for it, `tool.execution_start`, the permission
//! dialog (`permission.requested`, `permission.completed` approved; not
//! for read-only commands such as `ls` or `git status`) and
//! `tool.execution_complete`; the turn ends with the assistant's reply and
//! `assistant.turn_end`, the session with `session.shutdown`.

use super::claude::iso_ms;
use crate::json::Obj;
use crate::rng::{Rng, mix};
use crate::scenario::cast;
use crate::scenario::session::{Call, Session, Tool};

const COPILOT_VERSION: &str = "0.0.367";

/// `<user>/.copilot/session-state/<id>/events.jsonl`, relative to `transcripts/`.
pub(crate) fn rel_path(s: &Session) -> String {
    format!(
        "{}/.copilot/session-state/{}/events.jsonl",
        cast::HUMANS[s.operator as usize].user,
        s.id
    )
}

struct W {
    rng: Rng,
    out: Vec<u8>,
    parent: Option<String>,
    requests: u32,
}

impl W {
    /// One event: `data` is written by `fill`.
    fn event(&mut self, kind: &str, ms: i64, fill: impl FnOnce(&mut Obj<'_>)) {
        let id = self.rng.uuid();
        let mut o = Obj::new(&mut self.out);
        o.str("type", kind)
            .str("id", &id)
            .str("timestamp", &iso_ms(ms));
        match &self.parent {
            Some(p) => o.str("parentId", p),
            None => o.null("parentId"),
        };
        {
            let mut d = o.obj("data");
            fill(&mut d);
            d.end();
        }
        o.end();
        self.out.push(b'\n');
        self.parent = Some(id);
    }

    fn call(&mut self, c: &Call, turn: usize) {
        let (command, description) = match &c.tool {
            Tool::Bash {
                command,
                description,
            } => (command.as_str(), description.as_str()),
            _ => return,
        };
        let turn_id = turn.to_string();
        let text = c.text_before.clone().unwrap_or_default();
        let msg_id = self.rng.uuid();
        self.event("assistant.message", c.start_ms - 120, |d| {
            d.str("messageId", &msg_id).str("content", &text);
            let mut reqs = d.arr("toolRequests");
            let mut r = reqs.obj();
            r.str("toolCallId", &c.id).str("name", "bash");
            r.obj("arguments")
                .str("command", command)
                .str("description", description)
                .end();
            r.end();
            reqs.end();
        });
        self.event("tool.execution_start", c.start_ms, |d| {
            d.str("toolCallId", &c.id).str("toolName", "bash");
            d.obj("arguments")
                .str("command", command)
                .str("description", description)
                .str("mode", "sync")
                .end();
            d.str("turnId", &turn_id);
        });
        // Read-only commands run without a dialog; anything else asks.
        if !read_only(command) {
            self.requests += 1;
            let req = format!("perm-{}", self.requests);
            self.event("permission.requested", c.start_ms + 15, |d| {
                d.str("requestId", &req);
                let mut p = d.obj("permissionRequest");
                p.str("kind", "shell")
                    .str("toolCallId", &c.id)
                    .str("fullCommandText", command)
                    .str("intention", description);
                {
                    let mut cmds = p.arr("commands");
                    let first = command.split_whitespace().next().unwrap_or("");
                    cmds.obj()
                        .str("identifier", first)
                        .bool("readOnly", false)
                        .end();
                    cmds.end();
                }
                p.bool("canOfferSessionApproval", true);
                p.end();
            });
            let approved = c.approved_ms.max(c.start_ms + 20);
            self.event("permission.completed", approved, |d| {
                d.str("requestId", &req).str("toolCallId", &c.id);
                d.obj("result").str("kind", "approved").end();
            });
        }
        let ok = c.exit == 0;
        self.event("tool.execution_complete", c.end_ms, |d| {
            d.str("toolCallId", &c.id).bool("success", ok);
            let out = c.output.trim_end();
            if ok {
                d.obj("result").str("content", out).end();
            } else {
                d.obj("error")
                    .str(
                        "message",
                        &format!("Command exited with code {}\n{out}", c.exit),
                    )
                    .str("code", "failure")
                    .end();
            }
            d.str("turnId", &turn_id);
        });
    }
}

/// Commands the CLI runs without asking (it asks before anything that
/// may write, `aws` included).
fn read_only(command: &str) -> bool {
    let mut w = command.split_whitespace();
    matches!(
        (w.next(), w.next()),
        (Some("ls" | "cat" | "rg"), _) | (Some("git"), Some("status" | "log" | "diff"))
    )
}

/// The whole `events.jsonl` of one session.
pub(crate) fn render(s: &Session, seed: u64) -> Vec<u8> {
    let mut w = W {
        rng: Rng::new(mix(seed ^ 0xC0_9170, cast::hash(&[&s.id]))),
        out: Vec::new(),
        parent: None,
        requests: 0,
    };
    let repo = s.cwd.rsplit('/').next().unwrap_or("repo");
    w.event("session.start", s.start_ms, |d| {
        d.str("sessionId", &s.id)
            .num("version", 1)
            .str("producer", "copilot-agent")
            .str("copilotVersion", COPILOT_VERSION)
            .str("startTime", &iso_ms(s.start_ms))
            .str("selectedModel", s.model);
        d.obj("context")
            .str("cwd", &s.cwd)
            .str("gitRoot", &s.cwd)
            .str("branch", &s.branch)
            .str("repository", &format!("acme-corp/{repo}"))
            .str("hostType", "github")
            .end();
    });
    let mut last = s.start_ms;
    for (i, t) in s.turns.iter().enumerate() {
        let turn = i.to_string();
        w.event("user.message", t.prompt_ms, |d| {
            d.str("content", &t.prompt)
                .str("agentMode", "interactive")
                .str("delivery", "idle");
        });
        w.event("assistant.turn_start", t.prompt_ms + 60, |d| {
            d.str("turnId", &turn);
        });
        for c in &t.calls {
            w.call(c, i);
        }
        let msg_id = w.rng.uuid();
        w.event("assistant.message", t.reply_ms, |d| {
            d.str("messageId", &msg_id).str("content", &t.reply);
        });
        w.event("assistant.turn_end", t.reply_ms + 40, |d| {
            d.str("turnId", &turn);
        });
        last = t.reply_ms + 40;
    }
    w.event("session.shutdown", last + 30_000, |d| {
        d.str("shutdownType", "routine");
    });
    w.out
}
