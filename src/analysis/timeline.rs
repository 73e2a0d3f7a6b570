//! The postmortem timeline of a focus (an actor, a session, resources) over
//! a window.
//!
//! One chronological list interleaving what the selected actor's agent
//! sessions were told and said (`messages`), the tool calls they ran
//! (`tool_calls`: command, approval, exit code), the CloudTrail events each
//! call caused (indented under it), the selected events without a call,
//! other actors' writes to the same resources, and incidents' start and
//! end. Rendered by `report` as text, HTML or JSON; `report` also embeds
//! one per agent session with high-severity destructive calls.

use crate::document::{EntryKind, Timeline, TimelineEntry};
use crate::incidents::read::{Incident, columns_with, read};
use crate::sql::TimeWindow;
use crate::workspace::Workspace;
use anyhow::Result;
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// What the timeline is about.
#[derive(Clone, Debug, Default)]
pub struct Focus {
    pub actor: Option<String>,
    pub session: Option<String>,
    /// Names or ARNs; an event naming any of them is selected.
    pub resources: Vec<String>,
}

impl Focus {
    /// The focus in words, for a title.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(a) = &self.actor {
            parts.push(format!("actor {a}"));
        }
        if let Some(s) = &self.session {
            parts.push(format!("session {s}"));
        }
        if !self.resources.is_empty() {
            parts.push(format!("resources {}", self.resources.join(", ")));
        }
        if parts.is_empty() {
            "every actor".to_string()
        } else {
            parts.join("; ")
        }
    }
}

/// One CloudTrail event as the timeline needs it.
struct Ev {
    time: i64,
    id: String,
    name: String,
    kind: String,
    actor: String,
    operator: Option<String>,
    session: Option<String>,
    call: Option<String>,
    error: Option<String>,
    destructive: bool,
    severity: Option<String>,
    read_only: bool,
    names: Vec<String>,
    account: String,
    /// The action (decision) the call belongs to, and how it came about
    /// (`direct`, `cloudformation`, `s3-batch`, …).
    action: Option<String>,
    via: Option<String>,
}

const EVENTS_SQL: &str = "SELECT CAST(event_time AS BIGINT) AS t, event_id, event_name, actor_kind, actor, operator, \
     agent_session_id, tool_call_id, error_code, destructive, severity, read_only, request_parameters, \
     resources, account_id, action_id, via FROM events";

/// The events a timeline can show: the focus's own (any call) and every
/// write (others' writes to the same resources); reads of others never
/// appear. A resource focus reads everything.
fn prefilter(f: &Focus) -> Result<String> {
    let writes = "COALESCE(read_only, false) = false";
    let who = match (&f.actor, &f.session) {
        _ if !f.resources.is_empty() => return Ok(String::new()),
        (Some(_), _) => {
            "actor = :who OR operator = :who OR actor LIKE :who_at OR operator LIKE :who_at"
        }
        (None, Some(_)) => "agent_session_id LIKE :session",
        (None, None) => return Ok(String::new()),
    };
    let params = [
        ("who".to_string(), f.actor.clone().unwrap_or_default()),
        (
            "who_at".to_string(),
            format!("{}@%", f.actor.clone().unwrap_or_default()),
        ),
        (
            "session".to_string(),
            format!("{}%", f.session.clone().unwrap_or_default()),
        ),
    ];
    crate::sql::substitute(&format!(" WHERE ({who}) OR {writes}"), &params)
}

fn events(data: &Workspace, window: TimeWindow, focus: &Focus) -> Result<Vec<Ev>> {
    let mut cx = data.sql(window)?;
    let sql = format!(
        "{EVENTS_SQL}{} ORDER BY event_time, event_id",
        prefilter(focus)?
    );
    let df = crate::sql::run(&mut cx, &sql)?;
    let s = |c: &str| -> Result<StringChunked> { Ok(df.column(c)?.str()?.clone()) };
    let (action, via) = (s("action_id")?, s("via")?);
    let (id, name, kind, actor, operator, session, call, error, severity, params, account) = (
        s("event_id")?,
        s("event_name")?,
        s("actor_kind")?,
        s("actor")?,
        s("operator")?,
        s("agent_session_id")?,
        s("tool_call_id")?,
        s("error_code")?,
        s("severity")?,
        s("request_parameters")?,
        s("account_id")?,
    );
    let t = df.column("t")?.i64()?;
    let destructive = df.column("destructive")?.bool()?;
    let read_only = df.column("read_only")?.bool()?;
    let resources = crate::sql::string_lists(&df, "resources")?;
    let mut out = Vec::with_capacity(df.height());
    for (i, arns) in resources.into_iter().enumerate() {
        let res: Vec<Box<str>> = arns.iter().map(|r| r.as_str().into()).collect();
        let n = name.get(i).unwrap_or("");
        out.push(Ev {
            time: t.get(i).unwrap_or(0),
            id: id.get(i).unwrap_or("").to_string(),
            name: n.to_string(),
            kind: kind.get(i).unwrap_or("unknown").to_string(),
            actor: actor.get(i).unwrap_or("?").to_string(),
            operator: operator.get(i).map(str::to_string),
            session: session.get(i).map(str::to_string),
            call: call.get(i).map(str::to_string),
            error: error.get(i).map(str::to_string),
            destructive: destructive.get(i).unwrap_or(false),
            severity: severity.get(i).map(str::to_string),
            read_only: read_only.get(i).unwrap_or(true),
            names: crate::anomalies::target_names(n, params.get(i), &res)
                .into_iter()
                .chain(arns)
                .collect(),
            account: account.get(i).unwrap_or("").to_string(),
            action: action.get(i).map(str::to_string),
            via: via.get(i).map(str::to_string),
        });
    }
    Ok(out)
}

/// `alice` matches `alice`, `alice@example.com` and an agent working for
/// alice; `claude-code` matches that agent.
fn person_matches(who: &str, value: &str) -> bool {
    value.eq_ignore_ascii_case(who)
        || value
            .split_once('@')
            .is_some_and(|(u, _)| u.eq_ignore_ascii_case(who))
}

fn selected(e: &Ev, f: &Focus) -> bool {
    if let Some(a) = &f.actor
        && !(person_matches(a, &e.actor)
            || e.operator.as_deref().is_some_and(|o| person_matches(a, o)))
    {
        return false;
    }
    if let Some(s) = &f.session
        && !e
            .session
            .as_deref()
            .is_some_and(|x| x.starts_with(s.as_str()))
    {
        return false;
    }
    if !f.resources.is_empty() && !touches(e, &f.resources) {
        return false;
    }
    true
}

/// The event names one of `names` (an ARN, or the name part of one).
fn touches(e: &Ev, names: &[String]) -> bool {
    names.iter().any(|n| {
        let short = crate::anomalies::name_from_arn(n).unwrap_or_else(|| n.clone());
        e.names.iter().any(|x| x == n || *x == short)
    })
}

pub fn rfc3339(us: i64) -> String {
    crate::timeparse::format_micros(us, "%Y-%m-%dT%H:%M:%SZ")
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n).collect();
        t.push('…');
        t
    }
}

fn event_entry(e: &Ev, depth: u8, kind: EntryKind) -> TimelineEntry {
    let mut flags = Vec::new();
    // A call a service made for the action (the deletes of a delete-stack)
    // says so: it was not the actor's own call.
    if e.via.as_deref() == Some("cloudformation") {
        flags.push("via CloudFormation".to_string());
    }
    if e.destructive {
        flags.push(match &e.severity {
            Some(s) => format!("destructive: {s}"),
            None => "destructive".to_string(),
        });
    }
    if let Some(err) = &e.error {
        flags.push(format!("error: {err}"));
    }
    let names: Vec<&str> = e
        .names
        .iter()
        .filter(|n| !n.starts_with("arn:"))
        .map(String::as_str)
        .take(4)
        .collect();
    TimelineEntry {
        time: rfc3339(e.time),
        depth,
        kind,
        actor: Some(match (&e.kind[..], &e.operator) {
            ("ai", Some(op)) => format!("{} for {op}", e.actor),
            _ => e.actor.clone(),
        }),
        text: if names.is_empty() {
            e.name.clone()
        } else {
            format!("{} {}", e.name, names.join(", "))
        },
        detail: Some(format!("event {} in {}", e.id, e.account)),
        flags,
        anchor: None,
    }
}

/// An agent session a `--session` prefix names, with its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionMatch {
    pub id: String,
    pub agent: Option<String>,
    /// First and last time of its messages and tool calls (µs), when any.
    pub span: Option<(i64, i64)>,
}

/// The agent sessions whose id starts with `prefix`, in id order.
pub fn sessions_like(data: &Workspace, prefix: &str) -> Result<Vec<SessionMatch>> {
    let mut cx = data.sql(TimeWindow::default())?;
    let p = [("p".to_string(), format!("{prefix}%"))];
    let sql = crate::sql::substitute(
        "SELECT s.session_id AS id, s.agent AS agent, \
         CAST(s.started_at AS BIGINT) AS lo, CAST(s.ended_at AS BIGINT) AS hi \
         FROM agent_sessions s WHERE s.session_id LIKE :p ORDER BY s.session_id",
        &p,
    )?;
    let df = crate::sql::run(&mut cx, &sql)?;
    let calls = crate::sql::run(
        &mut cx,
        &crate::sql::substitute(
            "SELECT session_id AS id, CAST(MIN(started_at) AS BIGINT) AS lo, \
             CAST(MAX(COALESCE(ended_at, started_at)) AS BIGINT) AS hi FROM tool_calls \
             WHERE session_id LIKE :p GROUP BY session_id",
            &p,
        )?,
    )?;
    let mut call_span: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    let (cid, clo, chi) = (
        calls.column("id")?.str()?,
        calls.column("lo")?.i64()?,
        calls.column("hi")?.i64()?,
    );
    for i in 0..calls.height() {
        if let (Some(id), Some(lo), Some(hi)) = (cid.get(i), clo.get(i), chi.get(i)) {
            call_span.insert(id.to_string(), (lo, hi));
        }
    }
    let (id, agent, lo, hi) = (
        df.column("id")?.str()?,
        df.column("agent")?.str()?,
        df.column("lo")?.i64()?,
        df.column("hi")?.i64()?,
    );
    let mut out: Vec<SessionMatch> = Vec::new();
    for i in 0..df.height() {
        let Some(sid) = id.get(i) else { continue };
        if out.last().is_some_and(|m| m.id == sid) {
            continue;
        }
        let mut span = lo.get(i).map(|l| (l, hi.get(i).unwrap_or(l)));
        if let Some(&(a, b)) = call_span.get(sid) {
            span = Some(span.map_or((a, b), |(l, h)| (l.min(a), h.max(b))));
        }
        out.push(SessionMatch {
            id: sid.to_string(),
            agent: agent.get(i).map(str::to_string),
            span,
        });
    }
    Ok(out)
}

/// One entry with the time it sorts by and the entries under it.
struct Item {
    time: i64,
    seq: usize,
    entry: TimelineEntry,
    children: Vec<(i64, TimelineEntry)>,
}

/// Builds the timeline of `focus` over `window` (both bounds needed).
pub fn build(
    data: &Workspace,
    window: TimeWindow,
    focus: &Focus,
    incidents: &[Incident],
    id: &str,
    title: &str,
    limit: usize,
) -> Result<(Timeline, usize)> {
    let evs = events(data, window, focus)?;
    let (since, until) = (
        window.since.unwrap_or(i64::MIN),
        window.until.unwrap_or(i64::MAX),
    );
    let chosen: Vec<&Ev> = evs.iter().filter(|e| selected(e, focus)).collect();
    // A session focus shows the session's transcript even when none of its
    // calls matched a CloudTrail event.
    let sessions: BTreeSet<String> = match &focus.session {
        Some(s) => evs
            .iter()
            .filter_map(|e| e.session.clone())
            .filter(|x| x.starts_with(s.as_str()))
            .chain(sessions_like(data, s)?.into_iter().map(|m| m.id))
            .collect(),
        None => chosen.iter().filter_map(|e| e.session.clone()).collect(),
    };
    let mut items: Vec<Item> = Vec::new();
    let mut seq = 0;
    let mut push = |items: &mut Vec<Item>, time: i64, entry: TimelineEntry| {
        seq += 1;
        items.push(Item {
            time,
            seq,
            entry,
            children: Vec::new(),
        });
    };

    // The sessions' messages and tool calls.
    let mut call_index: BTreeMap<(String, String), usize> = BTreeMap::new();
    if !sessions.is_empty() {
        let mut cx = data.sql(TimeWindow::default())?;
        let list = sessions
            .iter()
            .map(|s| format!("'{}'", s.replace('\'', "''")))
            .collect::<Vec<_>>()
            .join(", ");
        // Who speaks: the person who ran the session and its agent, not
        // "user" and "assistant" (issue 22).
        let who = crate::sql::run(
            &mut cx,
            &format!(
                "SELECT session_id, agent, operator FROM agent_sessions WHERE session_id IN ({list})"
            ),
        )?;
        let (wid, wagent, wop) = (
            who.column("session_id")?.str()?,
            who.column("agent")?.str()?,
            who.column("operator")?.str()?,
        );
        let mut speakers: BTreeMap<String, (String, String)> = BTreeMap::new();
        for i in 0..who.height() {
            if let Some(id) = wid.get(i) {
                speakers.entry(id.to_string()).or_insert((
                    wop.get(i).unwrap_or("the user").to_string(),
                    wagent.get(i).unwrap_or("the agent").to_string(),
                ));
            }
        }
        let msgs = crate::sql::run(
            &mut cx,
            &format!(
                "SELECT session_id, CAST(time AS BIGINT) AS t, role, text_excerpt FROM messages \
                 WHERE session_id IN ({list}) ORDER BY time, source_line"
            ),
        )?;
        let (sid, t, role, text) = (
            msgs.column("session_id")?.str()?,
            msgs.column("t")?.i64()?,
            msgs.column("role")?.str()?,
            msgs.column("text_excerpt")?.str()?,
        );
        for i in 0..msgs.height() {
            let time = t.get(i).unwrap_or(0);
            if time < since || time >= until {
                continue;
            }
            let kind = match role.get(i) {
                Some("user") => EntryKind::Prompt,
                Some("assistant") => EntryKind::Assistant,
                _ => continue,
            };
            push(
                &mut items,
                time,
                TimelineEntry {
                    time: rfc3339(time),
                    depth: 0,
                    kind,
                    actor: Some({
                        let (person, agent) = sid
                            .get(i)
                            .and_then(|s| speakers.get(s))
                            .map_or(("the user", "the agent"), |(p, a)| (p.as_str(), a.as_str()));
                        match kind {
                            EntryKind::Prompt => person.to_string(),
                            _ => agent.to_string(),
                        }
                    }),
                    text: clip(text.get(i).unwrap_or("").trim(), 400),
                    detail: sid.get(i).map(|s| format!("session {s}")),
                    flags: Vec::new(),
                    anchor: None,
                },
            );
        }
        let calls = crate::sql::run(
            &mut cx,
            &format!(
                "SELECT session_id, call_id, CAST(started_at AS BIGINT) AS t, tool_name, command, \
                 approval, approval_evidence, exit_code, outcome, output_excerpt, \
                 CAST(ended_at AS BIGINT) AS t_end FROM tool_calls \
                 WHERE session_id IN ({list}) ORDER BY started_at, call_id"
            ),
        )?;
        let s = |c: &str| -> Result<StringChunked> { Ok(calls.column(c)?.str()?.clone()) };
        let (sid, cid, tool, cmd, approval, evidence, outcome, output) = (
            s("session_id")?,
            s("call_id")?,
            s("tool_name")?,
            s("command")?,
            s("approval")?,
            s("approval_evidence")?,
            s("outcome")?,
            s("output_excerpt")?,
        );
        let t = calls.column("t")?.i64()?;
        let t_end = calls.column("t_end")?.i64()?;
        let exit = calls.column("exit_code")?.cast(&DataType::Int64)?;
        let exit = exit.i64()?;
        // A call recorded by a transcript and a hook log is shown once.
        let mut shown = std::collections::HashSet::new();
        for i in 0..calls.height() {
            let time = t.get(i).unwrap_or(0);
            if time < since || time >= until || !shown.insert((sid.get(i), cid.get(i))) {
                continue;
            }
            let mut flags = Vec::new();
            match approval.get(i) {
                Some("auto") => flags.push("auto-approved".to_string()),
                Some("explicit") => flags.push("approved by the user".to_string()),
                Some("rejected") => flags.push("rejected by the user".to_string()),
                Some(_) => flags.push("approval not recorded".to_string()),
                None => {}
            }
            if let Some(code) = exit.get(i) {
                flags.push(format!("exit {code}"));
            } else if let Some(o) = outcome.get(i) {
                flags.push(o.to_string());
            }
            let command = cmd.get(i).or(tool.get(i)).unwrap_or("");
            push(
                &mut items,
                time,
                TimelineEntry {
                    time: rfc3339(time),
                    depth: 0,
                    kind: EntryKind::ToolCall,
                    actor: tool.get(i).map(str::to_string),
                    text: clip(command, 300),
                    detail: evidence.get(i).map(|e| format!("approval: {e}")),
                    flags,
                    anchor: None,
                },
            );
            if let (Some(s), Some(c)) = (sid.get(i), cid.get(i)) {
                call_index.insert((s.to_string(), c.to_string()), items.len() - 1);
            }
            // A failing command's output says why it failed (issue 22).
            let failed = exit.get(i).is_some_and(|c| c != 0)
                || matches!(outcome.get(i), Some("error" | "denied"));
            if failed && let Some(out) = output.get(i).map(str::trim).filter(|o| !o.is_empty()) {
                let at = t_end.get(i).unwrap_or(time).max(time);
                let last = items.len() - 1;
                items[last].children.push((
                    at,
                    TimelineEntry {
                        time: rfc3339(at),
                        depth: 1,
                        kind: EntryKind::Note,
                        actor: None,
                        text: format!("output: {}", clip(out, 400)),
                        detail: None,
                        flags: Vec::new(),
                        anchor: None,
                    },
                ));
            }
        }
    }

    // The selected events: under their tool call when it is shown, else
    // the calls a service made for an action (CloudFormation's deletes for
    // a delete-stack) under the action's first call.
    let chosen_ids: BTreeSet<&str> = chosen.iter().map(|e| e.id.as_str()).collect();
    let mut action_index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut names: BTreeSet<String> = BTreeSet::new();
    for e in &chosen {
        if !e.read_only && e.error.is_none() {
            names.extend(e.names.iter().filter(|n| n.len() >= 4).cloned());
        }
        let parent = match (&e.session, &e.call) {
            (Some(s), Some(c)) => call_index.get(&(s.clone(), c.clone())).copied(),
            _ => None,
        };
        let cascade = e.via.as_deref() == Some("cloudformation");
        let parent = parent.or_else(|| {
            cascade
                .then(|| e.action.as_deref().and_then(|a| action_index.get(a)))
                .flatten()
                .copied()
        });
        match parent {
            Some(p) => items[p]
                .children
                .push((e.time, event_entry(e, 1, EntryKind::Event))),
            None => {
                push(&mut items, e.time, event_entry(e, 0, EntryKind::Event));
                if let Some(a) = e.action.as_deref() {
                    action_index.entry(a).or_insert(items.len() - 1);
                }
            }
        }
    }
    // The rest of the cascade: events the shown tool calls caused that the
    // focus did not select (an incident's calls touching other resources),
    // shown under their call rather than dropped (issue 22).
    let mut cascade: BTreeSet<&str> = BTreeSet::new();
    for e in &evs {
        if chosen_ids.contains(e.id.as_str()) {
            continue;
        }
        if let (Some(s), Some(c)) = (&e.session, &e.call)
            && let Some(&p) = call_index.get(&(s.clone(), c.clone()))
            && (since..until).contains(&e.time)
        {
            let mut entry = event_entry(e, 1, EntryKind::Event);
            entry.flags.push("not on the focus's resources".to_string());
            items[p].children.push((e.time, entry));
            cascade.insert(e.id.as_str());
        }
    }
    // Others' writes to the same resources (focus on an actor or session).
    if focus.resources.is_empty() && !names.is_empty() {
        let names: Vec<String> = names.into_iter().collect();
        for e in &evs {
            if chosen_ids.contains(e.id.as_str())
                || cascade.contains(e.id.as_str())
                || e.read_only
                || !touches(e, &names)
            {
                continue;
            }
            push(&mut items, e.time, event_entry(e, 0, EntryKind::OtherEvent));
        }
    }
    // Incident marks go in after the rest, before the first entry that is
    // later, so a start never prints after later events nested under a
    // tool call (issue 22).
    let mut marks: Vec<(i64, TimelineEntry)> = Vec::new();
    for inc in incidents {
        let title = inc.title.clone().unwrap_or_default();
        let sev = inc.severity.clone().map(|s| vec![s]).unwrap_or_default();
        if (since..until).contains(&inc.started_at) {
            marks.push((
                inc.started_at,
                TimelineEntry {
                    time: rfc3339(inc.started_at),
                    depth: 0,
                    kind: EntryKind::IncidentStart,
                    actor: None,
                    text: format!("{} {title}", inc.id),
                    detail: (!inc.resources.is_empty()).then(|| inc.resources.join(", ")),
                    flags: sev.clone(),
                    anchor: None,
                },
            ));
        }
        if let Some(end) = inc.ended_at.filter(|t| (since..until).contains(t)) {
            marks.push((
                end,
                TimelineEntry {
                    time: rfc3339(end),
                    depth: 0,
                    kind: EntryKind::IncidentEnd,
                    actor: None,
                    text: format!("{} resolved", inc.id),
                    detail: None,
                    flags: sev,
                    anchor: None,
                },
            ));
        }
    }
    items.sort_by_key(|i| (i.time, i.seq));
    let summary = summarise(&items, incidents, since..until);
    let mut timed: Vec<(i64, TimelineEntry)> = Vec::new();
    for mut it in collapse_top(items) {
        it.children.sort_by_key(|c| c.0);
        timed.push((it.time, it.entry));
        timed.extend(collapse(it.children));
    }
    marks.sort_by_key(|m| m.0);
    for (t, mark) in marks {
        let at = timed
            .iter()
            .position(|(x, _)| *x > t)
            .unwrap_or(timed.len());
        timed.insert(at, (t, mark));
    }
    let mut entries: Vec<TimelineEntry> = timed.into_iter().map(|(_, e)| e).collect();
    let total = entries.len();
    entries.truncate(limit);
    Ok((
        Timeline {
            id: id.to_string(),
            title: title.to_string(),
            entries,
            collapsed: false,
            summary,
        },
        total,
    ))
}

/// Runs of this many or more events of one kind and actor (an `aws s3 rm
/// --recursive` under its call, a person's polling) are shown as one entry.
const COLLAPSE_AT: usize = 4;

/// What a run of repeated events has in common: the call, its actor and
/// flags (the names it touched may differ).
fn run_key(e: &TimelineEntry) -> (EntryKind, String, Option<String>, Vec<String>) {
    (
        e.kind,
        e.text.split(' ').next().unwrap_or("").to_string(),
        e.actor.clone(),
        e.flags.clone(),
    )
}

/// One entry per run of same-named events of one actor with the same
/// flags, when the run is long: its count, distinct names and time span.
fn collapse(children: Vec<(i64, TimelineEntry)>) -> Vec<(i64, TimelineEntry)> {
    let mut out: Vec<(i64, TimelineEntry)> = Vec::new();
    let mut run: Vec<(i64, TimelineEntry)> = Vec::new();
    let flush = |run: &mut Vec<(i64, TimelineEntry)>, out: &mut Vec<(i64, TimelineEntry)>| {
        if run.len() < COLLAPSE_AT
            || !matches!(run[0].1.kind, EntryKind::Event | EntryKind::OtherEvent)
        {
            out.append(run);
            return;
        }
        let (t0, first) = run[0].clone();
        let last = run[run.len() - 1].1.time.clone();
        let (_, name, _, _) = run_key(&first);
        let mut examples: Vec<String> = Vec::new();
        for (_, e) in run.iter() {
            let n = e.text.trim_start_matches(name.as_str()).trim().to_string();
            if !n.is_empty() && !examples.contains(&n) {
                examples.push(n);
            }
        }
        let more = examples.len() > 3;
        examples.truncate(3);
        out.push((
            t0,
            TimelineEntry {
                text: format!("{name} ×{}", run.len()),
                detail: Some(if examples.is_empty() {
                    format!("until {last}")
                } else {
                    format!(
                        "until {last}; on {}{}",
                        examples.join("; "),
                        if more { "; …" } else { "" }
                    )
                }),
                ..first
            },
        ));
        run.clear();
    };
    for e in children {
        if run.last().is_some_and(|r| run_key(&r.1) != run_key(&e.1)) {
            flush(&mut run, &mut out);
        }
        run.push(e);
    }
    flush(&mut run, &mut out);
    out
}

/// [`collapse`] over top-level entries with nothing under them (a person
/// polling `DescribeStacks` twenty times, issue 22).
fn collapse_top(items: Vec<Item>) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::new();
    let mut run: Vec<(i64, TimelineEntry)> = Vec::new();
    let flush = |run: &mut Vec<(i64, TimelineEntry)>, out: &mut Vec<Item>| {
        for (time, entry) in collapse(std::mem::take(run)) {
            out.push(Item {
                time,
                seq: 0,
                entry,
                children: Vec::new(),
            });
        }
    };
    for it in items {
        if !it.children.is_empty() {
            flush(&mut run, &mut out);
            out.push(it);
            continue;
        }
        run.push((it.time, it.entry));
    }
    flush(&mut run, &mut out);
    out
}

/// Minutes or hours and minutes: "31 min", "13 h 0 min".
fn duration(us: i64) -> String {
    let m = us.max(0) / 60_000_000;
    if m < 60 {
        format!("{m} min")
    } else if m < 48 * 60 {
        format!("{} h {} min", m / 60, m % 60)
    } else {
        format!("{} days {} h", m / (24 * 60), m / 60 % 24)
    }
}

/// The lines above a timeline: how long from the first prompt to the first
/// destructive call, and how long each incident in the window took to
/// recover (issue 22).
fn summarise(items: &[Item], incidents: &[Incident], window: std::ops::Range<i64>) -> Vec<String> {
    let mut out = Vec::new();
    let prompt = items
        .iter()
        .find(|i| i.entry.kind == EntryKind::Prompt)
        .map(|i| i.time);
    let destructive = items
        .iter()
        .flat_map(|i| {
            std::iter::once((i.time, &i.entry)).chain(i.children.iter().map(|(t, e)| (*t, e)))
        })
        .filter(|(_, e)| {
            matches!(e.kind, EntryKind::Event)
                && e.flags.iter().any(|f| f.starts_with("destructive"))
        })
        .min_by_key(|(t, _)| *t);
    match (prompt, destructive) {
        (Some(p), Some((d, e))) if d >= p => out.push(format!(
            "{} from the first prompt ({}) to the first destructive call ({}, {}).",
            duration(d - p),
            rfc3339(p),
            e.text.split(' ').next().unwrap_or(""),
            rfc3339(d)
        )),
        (None, Some((d, e))) => out.push(format!(
            "First destructive call: {} at {}.",
            e.text.split(' ').next().unwrap_or(""),
            rfc3339(d)
        )),
        _ => {}
    }
    for inc in incidents {
        if !window.contains(&inc.started_at) {
            continue;
        }
        out.push(match inc.ended_at {
            Some(end) => format!(
                "{} took {} to recover ({} to {}).",
                inc.id,
                duration(end - inc.started_at),
                rfc3339(inc.started_at),
                rfc3339(end)
            ),
            None => format!(
                "{} started at {}; no end is recorded.",
                inc.id,
                rfc3339(inc.started_at)
            ),
        });
    }
    out
}

/// Reads the incidents file when there is one (a missing optional file is
/// no error).
pub fn incidents_of(data: &Workspace, explicit: Option<&std::path::Path>) -> Result<Vec<Incident>> {
    let path = match data.incidents_file(explicit) {
        Ok(p) => p,
        Err(_) if explicit.is_none() => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    Ok(read(&path, &columns_with(&data.settings.incidents.columns))?.incidents)
}
