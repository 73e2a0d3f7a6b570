//! OTLP log records → sessions, tool calls and prompts. The session is the
//! agent's own id (`session.id`, Codex's `conversation.id`), so telemetry
//! and a transcript of the same session describe one session; the person
//! is `user.email` (through `--operator-map` when it names it). A Codex
//! decision and result share `call_id` and make one call.

use std::path::Path;

use polars::prelude::PlHashMap;
use serde_json::Value;

use super::super::text::{bounded, excerpt};
use super::super::util::{Collector, Distinct, Span, new_call, operator_for, stable_id};
use super::super::{AgentSession, Approval, Outcome, ParsedTranscript, Role, TranscriptOptions};
use super::attrs::{AttrMap, Attrs, add_attributes, nanos_to_micros};
use super::events::{
    agent_of, approval_of, command_of, genai_agent, outcome_of, refusal, session_of, span_command,
    span_kind, span_outcome,
};
use super::search;

/// What `record` reads of a log record besides its attributes.
pub(super) struct RecFields<'v> {
    /// `body.stringValue`.
    pub(super) body: Option<&'v str>,
    /// `timeUnixNano` and `observedTimeUnixNano`, in µs.
    pub(super) time: Option<i64>,
    pub(super) observed: Option<i64>,
}

impl<'v> RecFields<'v> {
    fn of(rec: &'v Value) -> Self {
        RecFields {
            body: rec.pointer("/body/stringValue").and_then(Value::as_str),
            time: nanos_to_micros(rec.get("timeUnixNano")),
            observed: nanos_to_micros(rec.get("observedTimeUnixNano")),
        }
    }
}

#[derive(Default)]
struct SessionAcc {
    id: String,
    agent: &'static str,
    span: Span,
    versions: Distinct,
    models: Distinct,
    emails: Distinct,
}

pub(super) struct Reader<'o> {
    pub(super) c: Collector,
    opts: &'o TranscriptOptions,
    path: &'o Path,
    sessions: Vec<SessionAcc>,
    session_idx: PlHashMap<String, usize>,
    call_idx: PlHashMap<(usize, String), usize>,
    /// Per call: whether a decision event set its approval.
    decided: Vec<bool>,
}

impl<'o> Reader<'o> {
    pub(super) fn new(path: &'o Path, opts: &'o TranscriptOptions) -> Self {
        Self {
            c: Collector::new(path),
            opts,
            path,
            sessions: Vec::new(),
            session_idx: PlHashMap::default(),
            call_idx: PlHashMap::default(),
            decided: Vec::new(),
        }
    }

    /// One export request (a line, or a document).
    pub(super) fn request(&mut self, no: u64, v: &Value) {
        if let Some(resource_spans) = v.get("resourceSpans").and_then(Value::as_array) {
            self.spans(no, resource_spans);
            return;
        }
        let Some(resource_logs) = v.get("resourceLogs").and_then(Value::as_array) else {
            if let Some(docs) = search::documents(v) {
                self.documents(no, &docs);
                return;
            }
            let kind = if v.get("resourceMetrics").is_some() {
                "resourceMetrics"
            } else {
                "(not an OTLP request or a stored telemetry document)"
            };
            self.c.skipped(kind);
            return;
        };
        let mut records = 0;
        for rl in resource_logs {
            let mut resource = Attrs::new();
            add_attributes(rl.pointer("/resource/attributes"), &mut resource);
            let scopes = rl.get("scopeLogs").and_then(Value::as_array);
            for sl in scopes.into_iter().flatten() {
                let recs = sl.get("logRecords").and_then(Value::as_array);
                for rec in recs.into_iter().flatten() {
                    records += 1;
                    let mut a = resource.clone();
                    add_attributes(rec.get("attributes"), &mut a);
                    self.record(no, &RecFields::of(rec), &a, &|| json_text(rec));
                }
            }
        }
        if records == 0 {
            self.c.skipped("(request without log records)");
        }
    }

    /// A logs request the fast path decoded (`fast`): what `request`
    /// does with the same line.
    pub(super) fn logs_line(&mut self, no: u64, line: &super::fast::Line<'_>) {
        if line.records.is_empty() {
            self.c.skipped("(request without log records)");
        }
        for (fields, a) in line.records() {
            // `fast::decode` leaves lines with a record to quarantine to
            // the general path, which keeps the record's JSON.
            self.record(no, &fields, &a, &|| String::new());
        }
    }

    /// A stored document the fast path decoded (`fast_docs`): what
    /// `documents` does with the same line.
    pub(super) fn doc_line(&mut self, no: u64, doc: &super::fast_docs::Doc<'_>) {
        // `fast_docs::decode` leaves documents with a record to quarantine
        // to the general path, which keeps the record's JSON.
        self.record(no, &doc.fields(), doc.attrs(), &|| String::new());
    }

    /// Documents from a log store, each read as the record or span it
    /// was stored from.
    fn documents(&mut self, no: u64, docs: &[&Value]) {
        if docs.is_empty() {
            self.c.skipped("(search response without hits)");
        }
        for doc in docs {
            let (rec, is_span, a) = search::to_otlp(doc);
            if is_span {
                self.span(no, &rec, &a);
            } else {
                self.record(no, &RecFields::of(&rec), &a, &|| json_text(&rec));
            }
        }
    }

    /// A traces request: each `execute_tool` span (GenAI semantic
    /// conventions; GitHub Copilot CLI and any other instrumented agent) is
    /// one tool call; every other span is skipped under its kind.
    fn spans(&mut self, no: u64, resource_spans: &[Value]) {
        let mut n = 0;
        for rs in resource_spans {
            let mut resource = Attrs::new();
            add_attributes(rs.pointer("/resource/attributes"), &mut resource);
            let scopes = rs.get("scopeSpans").and_then(Value::as_array);
            for ss in scopes.into_iter().flatten() {
                let spans = ss.get("spans").and_then(Value::as_array);
                for span in spans.into_iter().flatten() {
                    n += 1;
                    let mut a = resource.clone();
                    add_attributes(span.get("attributes"), &mut a);
                    self.span(no, span, &a);
                }
            }
        }
        if n == 0 {
            self.c.skipped("(request without spans)");
        }
    }

    fn span(&mut self, no: u64, span: &Value, a: &Attrs) {
        let name = span.get("name").and_then(Value::as_str).unwrap_or("");
        let op = a.get("gen_ai.operation.name").map(String::as_str);
        if op != Some("execute_tool") && !name.starts_with("execute_tool") {
            self.c.skipped(span_kind(op, name));
            return;
        }
        let agent = genai_agent(a);
        let trace = span.get("traceId").and_then(Value::as_str).unwrap_or("");
        let session = match session_of("", a) {
            Some(s) => s.to_owned(),
            // Without a conversation id the trace (one agent turn) stands
            // for the session, so the call can still be placed.
            None if !trace.is_empty() => format!("otel-trace-{trace}"),
            None => {
                self.c.quarantine(
                    Some(no),
                    None,
                    "execute_tool span without gen_ai.conversation.id, session.id or traceId",
                    bounded(&serde_json::to_string(span).unwrap_or_default(), 4096).as_bytes(),
                );
                return;
            }
        };
        let start = nanos_to_micros(span.get("startTimeUnixNano"));
        let end = nanos_to_micros(span.get("endTimeUnixNano"));
        if start.is_none() {
            self.c.time(None);
        }
        let s = self.session(&session, agent, a);
        self.sessions[s].span.add(start);
        self.sessions[s].span.add(end);
        let mut ids = a.clone();
        if !ids.contains_key("gen_ai.tool.call.id")
            && let Some(id) = span.get("spanId").and_then(Value::as_str)
        {
            ids.insert("gen_ai.tool.call.id".to_owned(), format!("span-{id}"));
        }
        let i = self.call(s, no, "genai", &ids, start);
        let call = &mut self.c.out.tool_calls[i];
        call.ended_at = end;
        let (command, raw) = span_command(a);
        call.command = command;
        call.command_raw = raw;
        call.outcome = span_outcome(span, a);
        let err = span.pointer("/status/message").and_then(Value::as_str);
        let out = a.get("gen_ai.tool.call.result").map(String::as_str).or(err);
        call.output_excerpt = out.and_then(excerpt);
        call.approval_evidence = Some("spans record no approval decision".to_owned());
        self.c.used();
    }

    /// One log record; `rec_json` renders it for a quarantine reason.
    pub(super) fn record<A: AttrMap>(
        &mut self,
        no: u64,
        rec: &RecFields<'_>,
        a: &A,
        rec_json: &dyn Fn() -> String,
    ) {
        let Some((agent, short)) = event_of(rec, a) else {
            self.c.skipped("(other log record)");
            return;
        };
        let Some(session) = session_of(agent, a) else {
            self.c.quarantine(
                Some(no),
                None,
                format!("{agent} telemetry event without a session id"),
                bounded(&rec_json(), 4096).as_bytes(),
            );
            return;
        };
        let time = match a.attr("event.timestamp") {
            Some(t) => self.c.time(Some(t)),
            None => rec.time.or(rec.observed).or_else(|| self.c.time(None)),
        };
        let s = self.session(session, agent, a);
        self.sessions[s].span.add(time);
        let used = match short {
            "tool_result" | "tool_call" => {
                self.result(s, no, time, agent, short, a);
                true
            }
            "tool_decision" => self.decision(s, no, time, agent, a),
            "user_prompt" => {
                let text = a.attr("prompt").unwrap_or("[prompt not exported]");
                let sid = self.sessions[s].id.clone();
                self.c.message(&sid, time, Role::User, text, no)
            }
            _ => false,
        };
        if used {
            self.c.used();
        } else {
            self.c.skipped(match agent {
                "claude-code" => "claude_code event without rows",
                "codex" => "codex event without rows",
                _ => "gemini_cli event without rows",
            });
        }
    }

    fn session<A: AttrMap>(&mut self, id: &str, agent: &'static str, a: &A) -> usize {
        let i = match self.session_idx.get(id) {
            Some(&i) => i,
            None => {
                let i = self.sessions.len();
                self.sessions.push(SessionAcc {
                    id: id.to_owned(),
                    agent,
                    ..SessionAcc::default()
                });
                self.session_idx.insert(id.to_owned(), i);
                i
            }
        };
        let acc = &mut self.sessions[i];
        for k in ["app.version", "service.version"] {
            if let Some(v) = a.attr(k) {
                acc.versions.push(v);
                break;
            }
        }
        if let Some(m) = a.attr("model") {
            acc.models.push(m);
        }
        // The person: an e-mail when the agent exports it, else an account
        // or user id (which `--operator-map` can name).
        if let Some(e) = ["user.email", "enduser.id", "user.id", "user.account_uuid"]
            .iter()
            .find_map(|k| a.attr(k))
        {
            acc.emails.push(e);
        }
        i
    }

    fn call<A: AttrMap>(
        &mut self,
        s: usize,
        no: u64,
        agent: &str,
        a: &A,
        time: Option<i64>,
    ) -> usize {
        let tool = a
            .attr("tool_name")
            .or_else(|| a.attr("function_name"))
            .or_else(|| a.attr("gen_ai.tool.name"))
            .unwrap_or("unknown");
        let sid = self.sessions[s].id.clone();
        let id = match ["tool_use_id", "call_id", "gen_ai.tool.call.id"]
            .iter()
            .find_map(|k| a.attr(k))
        {
            Some(id) => id.to_owned(),
            None => {
                let when = time.map(|t| t.to_string()).unwrap_or_default();
                let seq = a.attr("event.sequence").unwrap_or("");
                let prompt = a
                    .attr("prompt.id")
                    .or_else(|| a.attr("prompt_id"))
                    .unwrap_or("");
                format!(
                    "otel-{}",
                    stable_id(&[&sid, agent, prompt, seq, &when, tool])
                )
            }
        };
        if let Some(&i) = self.call_idx.get(&(s, id.clone())) {
            return i;
        }
        let i = self.c.out.tool_calls.len();
        let mut call = new_call(&sid, &id, tool, &self.c.source_file, no);
        call.started_at = time;
        call.approval_evidence = Some("no decision in the telemetry".to_owned());
        self.c.out.tool_calls.push(call);
        self.decided.push(false);
        self.call_idx.insert((s, id), i);
        i
    }

    fn result<A: AttrMap>(
        &mut self,
        s: usize,
        no: u64,
        time: Option<i64>,
        agent: &str,
        short: &str,
        a: &A,
    ) {
        let i = self.call(s, no, agent, a, time);
        let approval = approval_of(agent, short, a);
        let call = &mut self.c.out.tool_calls[i];
        let duration = a
            .attr("duration_ms")
            .and_then(|d| d.parse::<f64>().ok())
            .filter(|d| d.is_finite() && *d >= 0.0 && *d < 1e12);
        call.ended_at = time;
        call.started_at = match (time, duration) {
            (Some(t), Some(d)) => Some(t - (d * 1000.0) as i64),
            _ => call.started_at.or(time),
        };
        call.source_line = no;
        let (command, raw) = command_of(agent, a);
        if command.is_some() {
            call.command = command;
            call.command_raw = raw;
        }
        if call.outcome == Outcome::Unknown {
            call.outcome = outcome_of(a);
        }
        let out = a.attr("error").or_else(|| a.attr("output"));
        call.output_excerpt = out.and_then(excerpt);
        if let Some((ap, why)) = approval
            && !self.decided[i]
        {
            call.approval = ap;
            call.approval_evidence = Some(why);
            if ap == Approval::Rejected {
                call.outcome = Outcome::Rejected;
            }
        }
    }

    /// `tool_decision`: Codex's names its call; Claude Code's does not,
    /// so only a refusal (a call that never ran) makes a row of its own.
    fn decision<A: AttrMap>(
        &mut self,
        s: usize,
        no: u64,
        time: Option<i64>,
        agent: &str,
        a: &A,
    ) -> bool {
        let decision = a.attr("decision").unwrap_or("");
        let refused = refusal(decision, a.attr("source"));
        let has_id = a.has("call_id") || a.has("tool_use_id");
        if !has_id && refused.is_none() {
            return false; // the tool_result carries the same decision
        }
        let Some((ap, why)) = approval_of(agent, "tool_decision", a) else {
            return false;
        };
        let i = self.call(s, no, agent, a, time);
        self.decided[i] = true;
        let call = &mut self.c.out.tool_calls[i];
        call.approval = ap;
        call.approval_evidence = Some(why);
        if let Some(o) = refused {
            call.outcome = o;
        }
        true
    }

    pub(super) fn finish(mut self) -> ParsedTranscript {
        for s in std::mem::take(&mut self.sessions) {
            let email = s.emails.joined();
            let operator = match (&self.opts.operator, email.as_deref()) {
                (Some(op), _) => Some(op.clone()),
                (None, Some(e)) => Some(
                    self.opts
                        .operator_map
                        .iter()
                        .find(|(k, _)| k == e)
                        .map_or_else(|| e.to_owned(), |(_, op)| op.clone()),
                ),
                (None, None) => operator_for(self.path, None, self.opts),
            };
            self.c.out.sessions.push(AgentSession {
                session_id: s.id,
                agent: s.agent.to_owned(),
                agent_version: s.versions.joined(),
                model: s.models.joined(),
                started_at: s.span.first,
                ended_at: s.span.last,
                cwd: None,
                git_branch: None,
                operator,
                approval_mode: None,
                sandbox: None,
                parent_session_id: None,
                source_file: self.c.source_file.clone(),
            });
        }
        self.c.finish()
    }
}

/// The agent event a log record is, `(agent, name without prefix)`.
/// Claude Code puts the bare name in `event.name` and the prefixed one in
/// the body; Codex and Gemini CLI prefix `event.name`.
pub(super) fn event_of<'a, A: AttrMap>(
    rec: &RecFields<'a>,
    a: &'a A,
) -> Option<(&'static str, &'a str)> {
    let name = [a.attr("event.name"), rec.body]
        .into_iter()
        .flatten()
        .find(|n| agent_of(n).is_some());
    name.and_then(agent_of)
}

fn json_text(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}
