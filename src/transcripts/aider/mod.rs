//! Aider chat history: `.aider.chat.history.md` in the repository root, a
//! Markdown log that aider appends to. Each run starts with
//! `# aider chat started at YYYY-MM-DD HH:MM:SS` in local time with no zone
//! (read in `TranscriptOptions::aider_timezone`, UTC by default, and the
//! notes say which zone was assumed); user turns are `#### ` lines; aider's
//! own output is `> ` blockquotes; everything else is the model's reply.
//!
//! Commands come in two kinds. A user-typed `/run <cmd>` (or `!<cmd>`,
//! `/test <cmd>`, `/git <args>`) is human-initiated: approval `explicit`.
//! A command the model suggested is asked about with
//! `> Run shell command? … : y|n` (its text just above the question) and,
//! when allowed, logged as `> Running <cmd>`. Aider keeps no exit codes and
//! no per-command times. The aider.chat website examples wrap transcripts in
//! site front matter and `<div class="chat-transcript">` blocks; only the
//! inside of those blocks is read, the rest is counted as site markup.

use std::path::Path;

use super::command::command_from_str;
use super::text::excerpt;
use super::time::local_time;
use super::util::{Collector, new_call, operator_for, stable_id};
use super::{AgentSession, Approval, Outcome, ParsedTranscript, Role, ToolCall, TranscriptOptions};

const HEADER: &str = "# aider chat started at ";
const TRANSCRIPT_DIV: &str = "class=\"chat-transcript\"";

struct Session {
    id: String,
    started_at: Option<i64>,
    version: Option<String>,
    model: Option<String>,
}

struct Reader<'o> {
    c: Collector,
    opts: &'o TranscriptOptions,
    sessions: Vec<Session>,
    /// Markdown fence state inside assistant text.
    in_fence: bool,
    /// Lines of the current user turn (consecutive `#### ` lines).
    user: Vec<String>,
    user_line: u64,
    /// The reply being read, with its first line.
    reply: String,
    reply_line: u64,
    /// The current run of non-blank lines: `(line, text without "> ", was a quote)`.
    run: Vec<(u64, String, bool)>,
    /// Quote lines not yet known to matter (counted when their fate is known).
    pending_quotes: Vec<u64>,
    /// A call whose output the following quote lines are.
    open_call: Option<usize>,
    /// The answer to the last "Run shell command?" question, for `Running` lines.
    confirmed: Option<char>,
    calls: Vec<ToolCall>,
    had_header: bool,
    had_content: bool,
}

pub(crate) fn parse(path: &Path, bytes: &[u8], opts: &TranscriptOptions) -> ParsedTranscript {
    let text = String::from_utf8_lossy(bytes);
    let mut r = Reader {
        c: Collector::new(path),
        opts,
        sessions: Vec::new(),
        in_fence: false,
        user: Vec::new(),
        user_line: 0,
        reply: String::new(),
        reply_line: 0,
        run: Vec::new(),
        pending_quotes: Vec::new(),
        open_call: None,
        confirmed: None,
        calls: Vec::new(),
        had_header: false,
        had_content: false,
    };
    let site = text.contains(TRANSCRIPT_DIV);
    let mut in_div = !site;
    let mut front_matter = false;
    for (i, raw) in text.lines().enumerate() {
        let no = i as u64 + 1;
        let line = raw.trim_end();
        if line.trim().is_empty() {
            r.blank();
            continue;
        }
        if no == 1 && line == "---" {
            front_matter = true;
            r.c.skipped("site markup");
            continue;
        }
        if front_matter {
            front_matter = line != "---";
            r.c.skipped("site markup");
            continue;
        }
        if site && !r.in_fence {
            if line.contains(TRANSCRIPT_DIV) {
                in_div = true;
                r.c.skipped("site markup");
                continue;
            }
            if line.trim() == "</div>" {
                in_div = false;
                r.flush_turns();
                r.c.skipped("site markup");
                continue;
            }
        }
        if !in_div || (site && is_html_tag(line) && !r.in_fence) {
            r.c.skipped("site markup");
            continue;
        }
        r.line(no, line);
    }
    r.finish(path)
}

fn is_html_tag(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('<') && t.ends_with('>') && !t.starts_with("<<<")
}

impl<'o> Reader<'o> {
    fn blank(&mut self) {
        if !self.reply.is_empty() {
            self.reply.push('\n');
        }
        self.run.clear();
        for _ in std::mem::take(&mut self.pending_quotes) {
            self.c.skipped("aider notice");
        }
    }

    fn line(&mut self, no: u64, line: &str) {
        // A new run always starts a session, even after a reply whose code
        // fence was never closed (a reply cut at the token limit).
        if let Some(rest) = line.strip_prefix(HEADER) {
            self.flush_turns();
            self.in_fence = false;
            self.pending_to_notices();
            self.new_session(no, Some(rest.trim()));
            self.c.used();
            return;
        }
        if !self.in_fence {
            if let Some(rest) = line.strip_prefix("####") {
                self.flush_reply();
                self.open_call = None;
                self.pending_to_notices();
                if self.user.is_empty() {
                    self.user_line = no;
                }
                self.user.push(rest.trim().to_owned());
                self.c.used();
                return;
            }
            if let Some(rest) = line.strip_prefix('>') {
                let t = rest.strip_prefix(' ').unwrap_or(rest).trim_end();
                self.flush_user();
                if confirmation(t, "Run shell command").is_none() {
                    self.flush_reply();
                }
                self.run.push((no, t.to_owned(), true));
                self.quote(no, t);
                return;
            }
        }
        self.flush_user();
        self.open_call = None;
        if line.trim_start().starts_with("```") {
            self.in_fence = !self.in_fence;
        }
        if self.reply.is_empty() {
            self.reply_line = no;
        }
        self.reply.push_str(line);
        self.reply.push('\n');
        self.run.push((no, line.trim().to_owned(), false));
        self.had_content = true;
        self.c.used();
    }

    fn quote(&mut self, no: u64, t: &str) {
        self.had_content = true;
        if let Some(answer) = confirmation(t, "Run shell command") {
            self.confirm(answer);
            self.c.used();
            return;
        }
        if t.starts_with("Add ") && t.contains("to the chat?") {
            self.open_call = None;
            self.c.skipped("aider confirmation (output to chat)");
            return;
        }
        if let Some(cmd) = t.strip_prefix("Running ") {
            self.session_index();
            let (approval, evidence) = match self.confirmed {
                Some('y') => (Approval::Explicit, Some("aider confirmation: y".to_owned())),
                _ => (Approval::Unknown, None),
            };
            let i = self.add_call(no, "shell", cmd, approval, evidence, Outcome::Unknown);
            self.open_call = Some(i);
            self.c.used();
            return;
        }
        if let Some(i) = self.open_call {
            append_output(&mut self.calls[i], t);
            self.c.used();
            return;
        }
        if let Some(v) = t.strip_prefix("Aider v") {
            let s = self.session_index();
            self.sessions[s].version = Some(v.split_whitespace().next().unwrap_or(v).to_owned());
            self.c.used();
            return;
        }
        if let Some(m) = t
            .strip_prefix("Main model: ")
            .or_else(|| t.strip_prefix("Model: "))
        {
            let s = self.session_index();
            let name = m.split(" with ").next().unwrap_or(m).trim();
            self.sessions[s].model = Some(name.to_owned());
            self.c.used();
            return;
        }
        self.pending_quotes.push(no);
    }

    /// The answer to "Run shell command(s)?": `y` lets the `Running` lines
    /// that follow through; anything else declines the commands named just
    /// above the question.
    fn confirm(&mut self, answer: char) {
        self.session_index();
        self.confirmed = Some(answer);
        // The subject: the run of lines before the question, from its first quote line.
        let run = std::mem::take(&mut self.run);
        let before = &run[..run.len().saturating_sub(1)];
        let start = before
            .iter()
            .position(|(_, _, q)| *q)
            .unwrap_or(before.len());
        let subject = &before[start..];
        // Continuation lines of a multi-line subject are not blockquoted and
        // were read as reply text: they are the commands, not a reply.
        match subject.first() {
            Some(&(first, _, _)) if self.reply_line > first => self.reply.clear(),
            _ => self.flush_reply(),
        }
        // The subject's quote lines now have a use.
        let used: Vec<u64> = subject
            .iter()
            .filter(|(_, _, q)| *q)
            .map(|(n, _, _)| *n)
            .collect();
        self.pending_quotes.retain(|n| !used.contains(n));
        for _ in &used {
            self.c.used();
        }
        if answer == 'y' {
            return;
        }
        let evidence = format!(
            "aider confirmation: {answer} (typed by the user, or automatic under --yes-always)"
        );
        for (line, cmd, _) in subject {
            let cmd = cmd.trim();
            if cmd.is_empty() || cmd.starts_with('#') {
                continue;
            }
            self.add_call(
                *line,
                "shell",
                cmd,
                Approval::Rejected,
                Some(evidence.clone()),
                Outcome::Rejected,
            );
        }
    }

    fn pending_to_notices(&mut self) {
        for _ in std::mem::take(&mut self.pending_quotes) {
            self.c.skipped("aider notice");
        }
    }

    fn session_index(&mut self) -> usize {
        if self.sessions.is_empty() {
            let id = format!("aider-{}", stable_id(&[&self.c.source_file, "0"]));
            self.sessions.push(Session {
                id,
                started_at: None,
                version: None,
                model: None,
            });
        }
        self.sessions.len() - 1
    }

    fn new_session(&mut self, no: u64, started: Option<&str>) {
        self.had_header = true;
        self.confirmed = None;
        self.open_call = None;
        let started_at = started.and_then(|s| local_time(s, self.opts.aider_timezone));
        if started_at.is_none() {
            self.c.note(format!(
                "line {no}: the session start time could not be read"
            ));
        }
        let id = format!(
            "aider-{}",
            stable_id(&[&self.c.source_file, &no.to_string()])
        );
        self.sessions.push(Session {
            id,
            started_at,
            version: None,
            model: None,
        });
    }

    fn add_call(
        &mut self,
        line: u64,
        tool: &str,
        cmd: &str,
        approval: Approval,
        evidence: Option<String>,
        outcome: Outcome,
    ) -> usize {
        let s = self.session_index();
        let call_id = format!("aider-{}-L{line}", stable_id(&[&self.c.source_file]));
        let mut call = new_call(
            &self.sessions[s].id,
            &call_id,
            tool,
            &self.c.source_file,
            line,
        );
        let (c, raw) = command_from_str(cmd);
        call.command = Some(c);
        call.command_raw = raw;
        call.approval = approval;
        call.approval_evidence = evidence;
        call.outcome = outcome;
        self.calls.push(call);
        self.calls.len() - 1
    }

    fn flush_user(&mut self) {
        if self.user.is_empty() {
            return;
        }
        let text = std::mem::take(&mut self.user).join("\n");
        let no = self.user_line;
        let s = self.session_index();
        let sid = self.sessions[s].id.clone();
        self.had_content = true;
        // A queued confirmation answer is logged as a user line.
        if let Some(answer) = confirmation(&text, "Run shell command") {
            self.confirmed = Some(answer);
            return;
        }
        self.c.message(&sid, None, Role::User, &text, no);
        let first = text.lines().next().unwrap_or("").trim();
        let typed = [
            ("/run ", "run", ""),
            ("!", "run", ""),
            ("/test ", "test", ""),
            ("/git ", "git", "git "),
        ];
        for (prefix, tool, cmd_prefix) in typed {
            if let Some(rest) = first.strip_prefix(prefix) {
                let cmd = format!("{cmd_prefix}{}", rest.trim());
                if rest.trim().is_empty() {
                    break;
                }
                let evidence = format!("user typed {} (human-initiated)", prefix.trim());
                let i = self.add_call(
                    no,
                    tool,
                    &cmd,
                    Approval::Explicit,
                    Some(evidence),
                    Outcome::Unknown,
                );
                self.open_call = Some(i);
                break;
            }
        }
    }

    fn flush_reply(&mut self) {
        if self.reply.trim().is_empty() {
            self.reply.clear();
            return;
        }
        let text = std::mem::take(&mut self.reply);
        let s = self.session_index();
        let sid = self.sessions[s].id.clone();
        self.c
            .message(&sid, None, Role::Assistant, &text, self.reply_line);
        self.in_fence = false;
    }

    fn flush_turns(&mut self) {
        self.flush_user();
        self.flush_reply();
    }

    fn finish(mut self, path: &Path) -> ParsedTranscript {
        self.flush_turns();
        self.pending_to_notices();
        let cwd = path
            .file_name()
            .is_some_and(|n| n == ".aider.chat.history.md")
            .then(|| path.parent().map(|p| p.to_string_lossy().into_owned()))
            .flatten();
        if self.had_header {
            let off = self.opts.aider_timezone;
            if off.local_minus_utc() == 0 {
                self.c
                    .note("aider times read as UTC (no zone in file; use --aider-tz)");
            } else {
                self.c.note(format!(
                    "aider times read as UTC{off} (no zone in file; set by --aider-tz)"
                ));
            }
        } else if self.had_content {
            self.c
                .note("no '# aider chat started at' header: the session start time is unknown");
        }
        if !self.sessions.is_empty() {
            self.c
                .note("aider records no per-message or per-command times and no exit codes");
        }
        let calls = std::mem::take(&mut self.calls);
        self.c.out.tool_calls = calls;
        let operator = operator_for(path, cwd.as_deref(), self.opts);
        let source_file = self.c.source_file.clone();
        for s in std::mem::take(&mut self.sessions) {
            self.c.out.sessions.push(AgentSession {
                session_id: s.id,
                agent: "aider".to_owned(),
                agent_version: s.version,
                model: s.model,
                started_at: s.started_at,
                ended_at: None,
                cwd: cwd.clone(),
                git_branch: None,
                operator: operator.clone(),
                approval_mode: None,
                sandbox: None,
                parent_session_id: None,
                source_file: source_file.clone(),
            });
        }
        self.c.finish()
    }
}

/// The answer letter of a logged confirmation such as
/// `Run shell command? (Y)es/(N)o/(D)on't ask again [Yes]: y`.
fn confirmation(t: &str, question: &str) -> Option<char> {
    let t = t.trim();
    if !t.starts_with(question) {
        return None;
    }
    let at = t.rfind("]:")?;
    let answer = t[at + 2..].trim();
    answer.chars().next().map(|c| c.to_ascii_lowercase())
}

fn append_output(call: &mut ToolCall, t: &str) {
    let cur = call.output_excerpt.take().unwrap_or_default();
    let joined = if cur.is_empty() {
        t.to_owned()
    } else {
        format!("{cur}\n{t}")
    };
    call.output_excerpt = excerpt(&joined);
}

#[cfg(test)]
mod tests;
