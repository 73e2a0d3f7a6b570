//! Codex CLI rollouts in the current format:
//! `~/.codex/sessions/YYYY/MM/DD/rollout-YYYY-MM-DDThh-mm-ss-<uuid>.jsonl`
//! (local date and time of the start), one `{"timestamp","type","payload"}`
//! record per line: `session_meta`, the injected environment context,
//! `user_message` / `agent_message` events mirrored by `response_item`
//! messages, `turn_context`, `reasoning`, `function_call` (`shell_command`
//! with a command string, escalated out of the sandbox for AWS calls) and
//! `function_call_output` (`Exit code: N\nWall time: …\nOutput:\n…`),
//! `apply_patch` as a custom tool call, and `token_count` events.

use crate::json::{Obj, civil};
use crate::rng::{Rng, mix};
use crate::scenario::cast;
use crate::scenario::session::{Call, Session, Tool};
use crate::scenario::transcripts::claude::iso_ms;

/// `<user>/.codex/sessions/YYYY/MM/DD/rollout-…-<id>.jsonl`, relative to `transcripts/`.
pub(crate) fn rel_path(s: &Session) -> String {
    let local = s.start_ms.div_euclid(1000) + cast::offset_secs(s.operator);
    let c = civil(local);
    format!(
        "{}/.codex/sessions/{:04}/{:02}/{:02}/rollout-{:04}-{:02}-{:02}T{:02}-{:02}-{:02}-{}.jsonl",
        cast::HUMANS[s.operator as usize].user,
        c.year,
        c.month,
        c.day,
        c.year,
        c.month,
        c.day,
        c.hour,
        c.minute,
        c.second,
        s.id
    )
}

struct W<'a> {
    s: &'a Session,
    rng: Rng,
    out: Vec<u8>,
    tokens: i64,
}

impl W<'_> {
    fn record(&mut self, ms: i64, kind: &str, payload: impl FnOnce(&mut Obj<'_>)) {
        let mut o = Obj::new(&mut self.out);
        o.str("timestamp", &iso_ms(ms)).str("type", kind);
        {
            let mut p = o.obj("payload");
            payload(&mut p);
            p.end();
        }
        o.end();
        self.out.push(b'\n');
    }

    fn message(&mut self, ms: i64, role: &str, text: &str) {
        let kind = if role == "user" {
            "input_text"
        } else {
            "output_text"
        };
        self.record(ms, "response_item", |p| {
            p.str("type", "message").str("role", role);
            let mut c = p.arr("content");
            c.obj().str("type", kind).str("text", text).end();
            c.end();
        });
    }

    fn turn_context(&mut self, ms: i64) {
        let (cwd, model, mode) = (self.s.cwd.clone(), self.s.model, self.s.mode);
        self.record(ms, "turn_context", |p| {
            p.str("cwd", &cwd).str("approval_policy", mode);
            p.obj("sandbox_policy")
                .str("type", "workspace-write")
                .bool("network_access", false)
                .bool("exclude_tmpdir_env_var", false)
                .bool("exclude_slash_tmp", false)
                .end();
            p.str("model", model)
                .str("effort", "medium")
                .str("summary", "auto");
        });
    }

    fn token_count(&mut self, ms: i64) {
        self.tokens += 2_000 + self.rng.below(9_000) as i64;
        let total = self.tokens;
        self.record(ms, "event_msg", |p| {
            p.str("type", "token_count");
            let mut i = p.obj("info");
            i.obj("total_token_usage")
                .num("input_tokens", total)
                .num("cached_input_tokens", total * 3 / 4)
                .num("output_tokens", total / 20)
                .num("reasoning_output_tokens", total / 40)
                .num("total_tokens", total + total / 20)
                .end();
            i.num("model_context_window", 272_000);
            i.end();
        });
    }

    fn call(&mut self, c: &Call) {
        let summary = match &c.text_before {
            Some(t) => t.clone(),
            None => "**Inspecting the next piece**".to_string(),
        };
        let enc = format!("gAAAAB{}", self.rng.base64(120));
        self.record(c.start_ms - 700, "response_item", |p| {
            p.str("type", "reasoning");
            {
                let mut s = p.arr("summary");
                s.obj()
                    .str("type", "summary_text")
                    .str("text", &summary)
                    .end();
                s.end();
            }
            p.null("content").str("encrypted_content", &enc);
        });
        let cwd = self.s.cwd.clone();
        match &c.tool {
            Tool::CodexPatch { patch } => {
                let id = c.id.clone();
                self.record(c.start_ms, "response_item", |p| {
                    p.str("type", "custom_tool_call")
                        .str("status", "completed")
                        .str("call_id", &id)
                        .str("name", "apply_patch")
                        .str("input", patch);
                });
                let out = format!(
                    "{{\"output\":\"{}\",\"metadata\":{{\"exit_code\":0,\"duration_seconds\":0.0}}}}",
                    c.output.replace('\n', "\\n")
                );
                self.record(c.end_ms, "response_item", |p| {
                    p.str("type", "custom_tool_call_output")
                        .str("call_id", &id)
                        .str("output", &out);
                });
            }
            Tool::CodexShell { command, escalated } => {
                let mut args = Vec::new();
                {
                    let mut a = Obj::new(&mut args);
                    a.str("command", command)
                        .str("workdir", &cwd)
                        .num("timeout_ms", 120_000);
                    if *escalated {
                        a.str("sandbox_permissions", "require_escalated").str(
                            "justification",
                            "Need network access to call the AWS API for the staging account",
                        );
                    }
                    a.end();
                }
                let args = String::from_utf8(args).unwrap_or_default();
                let id = c.id.clone();
                self.record(c.start_ms, "response_item", |p| {
                    p.str("type", "function_call")
                        .str("name", "shell_command")
                        .str("arguments", &args)
                        .str("call_id", &id);
                });
                let wall = (c.end_ms - c.start_ms) as f64 / 1000.0;
                let out = format!(
                    "Exit code: {}\nWall time: {wall:.1} seconds\nOutput:\n{}",
                    c.exit,
                    c.output.trim_start_matches('\n')
                );
                self.record(c.end_ms, "response_item", |p| {
                    p.str("type", "function_call_output")
                        .str("call_id", &id)
                        .str("output", &out);
                });
            }
            _ => {}
        }
    }
}

/// The whole rollout for one session.
pub(crate) fn render(s: &Session, seed: u64) -> Vec<u8> {
    let mut w = W {
        s,
        rng: Rng::new(mix(seed ^ 0x00C0_DEC5, cast::hash(&[&s.id]))),
        out: Vec::new(),
        tokens: 0,
    };
    let t0 = s.start_ms;
    let (id, cwd, branch) = (s.id.clone(), s.cwd.clone(), s.branch.clone());
    let commit = w.rng.hex(40);
    w.record(t0, "session_meta", |p| {
        p.str("id", &id)
            .str("timestamp", &iso_ms(t0 - 9))
            .str("cwd", &cwd)
            .str("originator", "codex_cli_rs")
            .str("cli_version", "0.63.0")
            .null("instructions")
            .str("source", "cli")
            .str("model_provider", "openai");
        p.obj("git")
            .str("commit_hash", &commit)
            .str("branch", &branch)
            .str(
                "repository_url",
                "git@github.com:acme-corp/checkout-service.git",
            )
            .end();
    });
    let ctx = format!(
        "<environment_context>\n  <cwd>{cwd}</cwd>\n  <approval_policy>{}</approval_policy>\n  <sandbox_mode>workspace-write</sandbox_mode>\n  <network_access>restricted</network_access>\n  <shell>bash</shell>\n</environment_context>",
        s.mode
    );
    w.message(t0, "user", &ctx);
    for t in &s.turns {
        w.message(t.prompt_ms, "user", &t.prompt);
        let prompt = t.prompt.clone();
        w.record(t.prompt_ms, "event_msg", |p| {
            p.str("type", "user_message").str("message", &prompt);
            p.arr("images").end();
        });
        w.turn_context(t.prompt_ms + 1);
        for c in &t.calls {
            w.call(c);
            if w.rng.chance(0.5) {
                w.token_count(c.end_ms + 5);
            }
        }
        let reply = t.reply.clone();
        w.record(t.reply_ms, "event_msg", |p| {
            p.str("type", "agent_message").str("message", &reply);
        });
        w.message(t.reply_ms + 1, "assistant", &t.reply);
        w.token_count(t.reply_ms + 2);
    }
    w.out
}
