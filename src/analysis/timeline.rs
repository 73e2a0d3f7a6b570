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
    let sessions: BTreeSet<String> = match &focus.session {
        Some(s) => evs
            .iter()
            .filter_map(|e| e.session.clone())
            .filter(|x| x.starts_with(s.as_str()))
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
                    actor: Some(match kind {
                        EntryKind::Prompt => "user".to_string(),
                        _ => "assistant".to_string(),
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
                 approval, approval_evidence, exit_code, outcome FROM tool_calls \
                 WHERE session_id IN ({list}) ORDER BY started_at, call_id"
            ),
        )?;
        let s = |c: &str| -> Result<StringChunked> { Ok(calls.column(c)?.str()?.clone()) };
        let (sid, cid, tool, cmd, approval, evidence, outcome) = (
            s("session_id")?,
            s("call_id")?,
            s("tool_name")?,
            s("command")?,
            s("approval")?,
            s("approval_evidence")?,
            s("outcome")?,
        );
        let t = calls.column("t")?.i64()?;
        let exit = calls.column("exit_code")?.cast(&DataType::Int64)?;
        let exit = exit.i64()?;
        for i in 0..calls.height() {
            let time = t.get(i).unwrap_or(0);
            if time < since || time >= until {
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
    // Others' writes to the same resources (focus on an actor or session).
    if focus.resources.is_empty() && !names.is_empty() {
        let names: Vec<String> = names.into_iter().collect();
        for e in &evs {
            if chosen_ids.contains(e.id.as_str()) || e.read_only || !touches(e, &names) {
                continue;
            }
            push(&mut items, e.time, event_entry(e, 0, EntryKind::OtherEvent));
        }
    }
    for inc in incidents {
        let title = inc.title.clone().unwrap_or_default();
        let sev = inc.severity.clone().map(|s| vec![s]).unwrap_or_default();
        if (since..until).contains(&inc.started_at) {
            push(
                &mut items,
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
            );
        }
        if let Some(end) = inc.ended_at.filter(|t| (since..until).contains(t)) {
            push(
                &mut items,
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
            );
        }
    }
    items.sort_by_key(|i| (i.time, i.seq));
    let mut entries = Vec::new();
    for mut it in items {
        it.children.sort_by_key(|c| c.0);
        entries.push(it.entry);
        entries.extend(collapse(it.children.into_iter().map(|c| c.1).collect()));
    }
    let total = entries.len();
    entries.truncate(limit);
    Ok((
        Timeline {
            id: id.to_string(),
            title: title.to_string(),
            entries,
        },
        total,
    ))
}

/// Runs of this many or more events of one kind under one tool call (an
/// `aws s3 rm --recursive`) are shown as one entry.
const COLLAPSE_AT: usize = 4;

/// One entry per run of same-named events with the same flags, when the
/// run is long: its count, first names and time span.
fn collapse(children: Vec<TimelineEntry>) -> Vec<TimelineEntry> {
    let head = |e: &TimelineEntry| {
        (
            e.text.split(' ').next().unwrap_or("").to_string(),
            e.flags.clone(),
        )
    };
    let mut out: Vec<TimelineEntry> = Vec::new();
    let mut run: Vec<TimelineEntry> = Vec::new();
    let flush = |run: &mut Vec<TimelineEntry>, out: &mut Vec<TimelineEntry>| {
        if run.len() < COLLAPSE_AT {
            out.append(run);
            return;
        }
        let first = run[0].clone();
        let last = run[run.len() - 1].time.clone();
        let (name, _) = head(&first);
        let examples: Vec<String> = run
            .iter()
            .take(3)
            .map(|e| e.text.trim_start_matches(name.as_str()).trim().to_string())
            .collect();
        out.push(TimelineEntry {
            text: format!("{name} ×{}", run.len()),
            detail: Some(format!("until {last}; e.g. {} …", examples.join("; "))),
            ..first
        });
        run.clear();
    };
    for e in children {
        if run.last().is_some_and(|r| head(r) != head(&e)) {
            flush(&mut run, &mut out);
        }
        run.push(e);
    }
    flush(&mut run, &mut out);
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
