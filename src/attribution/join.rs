//! The transcript join: which tool call caused which CloudTrail event.
//!
//! A call is a candidate for an event when the event's `source:Name` is one
//! of the call's expected operations and its eventTime falls inside the
//! call's window (start − skew to result + skew; eventTime is completion
//! time to the second). Calls whose operations cannot be enumerated
//! (terraform, scripts) may claim events of a matching client in their
//! window, but only from a principal their session is already known to use.
//!
//! Each candidate is scored: inside the window proper, the user agent's CLI
//! command among the call's (a different one rules the pair out), the
//! agent's own m/ marker (another agent's rules it out), the region the call
//! names, and, in a second pass, the principal and CLI session (`sid/`) the
//! session was seen using in the first. Each event goes to its best call;
//! ties go to the call whose result is closest to the event, then to the
//! earlier call. Near-equal calls in other sessions are kept as ambiguity.

// Events are columns: one index reads the same event across them.
#![allow(clippy::needless_range_loop)]

use super::facts::Facts;
use super::input::{Call, Events};
use crate::shell_commands::normalise_event_name;
use polars::prelude::PlHashMap;
use rayon::prelude::*;
use std::collections::BTreeMap;

/// The best call for one event, and how contested it was.
#[derive(Clone, Debug)]
pub struct Match {
    pub call: u32,
    pub score: f32,
    /// Other sessions' calls scoring within `NEAR` of the best.
    pub rivals: u32,
    pub inside_window: bool,
    pub cli_command_matched: bool,
    pub marker_matched: bool,
}

/// The events matched to a call, each with its best call, in event order.
/// Most events have none: a vector of every event's `Option<Match>` took
/// 16 bytes an event (48 MB for 3M events) to say so.
#[derive(Default)]
pub struct Matches(Vec<(u32, Match)>);

impl Matches {
    /// Event `event`'s match, if it has one.
    pub fn get(&self, event: usize) -> Option<&Match> {
        let event = u32::try_from(event).ok()?;
        self.0
            .binary_search_by_key(&event, |(e, _)| *e)
            .ok()
            .map(|k| &self.0[k].1)
    }

    /// The matched events and their matches, in event order.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &Match)> {
        self.0.iter().map(|(e, m)| (*e as usize, m))
    }

    /// `iter` on all cores (collected in event order).
    pub fn par_iter(&self) -> impl IndexedParallelIterator<Item = (usize, &Match)> {
        self.0.par_iter().map(|(e, m)| (*e as usize, m))
    }
}

/// One scored (call, event) pair, for `explain`.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub call: u32,
    pub event: u32,
    pub score: f32,
    pub notes: Vec<&'static str>,
}

pub struct JoinSettings {
    pub skew_before_us: i64,
    pub skew_after_us: i64,
    pub max_call_us: i64,
}

const MIN_SCORE: f32 = 0.8;
const NEAR: f32 = 0.15;
const SEC: i64 = 1_000_000;

/// A transcript's operator (`alice`, from the home directory) and the
/// person whose credentials an event used (`alice@example.com`).
pub fn same_person(operator: Option<&str>, person: Option<&str>) -> bool {
    let (Some(o), Some(p)) = (operator, person) else {
        return false;
    };
    let local = |x: &str| x.split('@').next().unwrap_or(x).to_ascii_lowercase();
    o.eq_ignore_ascii_case(p) || local(o) == local(p)
}

/// Agents that share markers (Kiro CLI is the renamed Amazon Q CLI).
pub fn same_agent(a: &str, b: &str) -> bool {
    fn fam(x: &str) -> &str {
        match x {
            "kiro" | "amazon-q" => "q",
            other => other,
        }
    }
    fam(a) == fam(b)
}

struct Priors {
    principals: Vec<String>,
    sid: Option<String>,
    /// The session used one sid for nearly all its calls: another sid is a
    /// different terminal or host, not this agent.
    sid_strict: bool,
    /// Nearly all the session's calls carried the agent's m/ marker: an
    /// event from a marker-capable CLI without it is someone else's.
    marker_strict: bool,
    /// Those markers were exec-env/app ones, which every client sends: any
    /// unmarked event is someone else's.
    marker_any_version: bool,
}

struct Ctx<'e, 'a> {
    e: &'e Events,
    f: &'e Facts<'a>,
    calls: &'e [Call],
    joinable: &'e [bool],
    js: &'e JoinSettings,
}

impl Ctx<'_, '_> {
    fn window(&self, c: &Call) -> (i64, i64) {
        let end = c
            .ended_at
            .filter(|e| *e >= c.started_at)
            .unwrap_or(c.started_at + self.js.max_call_us);
        (c.started_at, end)
    }

    /// Scores one pair; `None` rules it out.
    fn score(
        &self,
        ci: usize,
        ev: usize,
        unknown_op: bool,
        priors: Option<&Priors>,
        notes: &mut Vec<&'static str>,
    ) -> Option<f32> {
        let c = &self.calls[ci];
        let ua = &self.f.uas[self.f.ua_of[ev] as usize];
        let (start, end) = self.window(c);
        let t = self.e.time[ev];
        // A call whose operations are unknown must earn its match: it is only
        // a candidate at all when the event's principal is the session's.
        let mut s = if unknown_op { 0.8 } else { 1.0 };
        // eventTime is truncated to the second.
        if t >= start - SEC && t <= end + SEC {
            s += 0.3;
            notes.push("inside the call's window");
        } else {
            notes.push("within the clock-skew allowance");
        }
        // An MCP server calls AWS through its own SDK: its events carry the
        // server's marker and never a CLI command, and only MCP calls cause them.
        let mcp_call = c.command.as_deref().is_some_and(|x| x.starts_with("mcp:"));
        let mcp_event = ua.marks.hits.iter().any(|h| h.actor.starts_with("mcp:"));
        if mcp_call != mcp_event {
            notes.push(if mcp_call {
                "the call went through an MCP server; this event did not"
            } else {
                "this event came through an MCP server; the call did not"
            });
            return None;
        }
        // The client must be the one the call runs: the AWS CLI for `aws …`
        // in a shell; Amazon Q / Kiro's use_aws also runs the CLI (with its
        // exec-env), so it only rules out Terraform and the console.
        let structured = c.tool_name.as_deref() == Some("use_aws");
        let client = ua.parsed.client;
        if structured && ua.marks.feature_agent.is_none() {
            notes.push(
                "use_aws runs the CLI with the agent's exec-env; this event has no agent marker",
            );
            return None;
        }
        if structured && matches!(client, Some("terraform" | "console")) {
            notes.push("the call is a structured AWS tool; this event came from another client");
            return None;
        }
        if !structured
            && !mcp_call
            && !unknown_op
            && !c.cli_commands.is_empty()
            && client.is_some_and(|x| x != "aws-cli")
        {
            notes.push("the call runs the AWS CLI; this event came from another client");
            return None;
        }
        if let Some(cmd) = ua.parsed.cli_command {
            if c.cli_commands.iter().any(|x| x == cmd) {
                s += 0.5;
                notes.push("user agent's CLI command is the call's");
            } else if !c.cli_commands.is_empty() || !unknown_op {
                notes.push("user agent names another CLI command");
                return None;
            }
        }
        if let Some(agent) = &ua.marks.feature_agent {
            if same_agent(agent, &c.agent) {
                s += 0.4;
                notes.push("user agent carries this agent's marker");
            } else {
                notes.push("user agent carries another agent's marker");
                return None;
            }
        } else if ua.marks.hits.iter().any(|h| h.actor.starts_with("mcp:")) {
            s += 0.2;
            notes.push("called through an MCP server");
        }
        if let (Some(want), Some(got)) = (&c.region, self.e.region.get(ev)) {
            if want == got {
                s += 0.2;
                notes.push("region matches");
            } else {
                s -= 0.3;
                notes.push("region differs from the one the call names");
            }
        }
        if let Some(p) = priors {
            let principal = self.e.principal_arn.get(ev).unwrap_or("");
            // Priors only take away, so a session without any (it won
            // nothing in the first pass) still competes on equal terms.
            if p.principals.iter().any(|x| x == principal) {
                notes.push("principal is the session's");
            } else if unknown_op {
                // The session was not seen on these credentials: they must at
                // least be its operator's own (terraform with another profile).
                let person = self.f.principals[self.f.principal_of[ev] as usize]
                    .person
                    .as_deref();
                if !same_person(c.operator.as_deref(), person) {
                    return None;
                }
                notes.push("credentials are the session operator's own");
            } else if !p.principals.is_empty() {
                s -= 0.5;
                notes.push("principal is not one the session used");
            }
            match (&p.sid, ua.parsed.cli_session) {
                (Some(want), Some(got)) if want == got => {
                    notes.push("CLI session (sid/) is the agent's");
                }
                (Some(_), Some(_)) if p.sid_strict => {
                    notes.push("CLI session (sid/) is not the one the agent always used");
                    return None;
                }
                (Some(_), Some(_)) => {
                    s -= 0.6;
                    notes.push("CLI session (sid/) is not the agent's");
                }
                _ => {}
            }
            if p.marker_strict
                && ua.marks.feature_agent.is_none()
                && (ua.parsed.feature_ids.is_some() || p.marker_any_version)
            {
                notes.push("the agent's calls all carried its m/ marker; this one does not");
                return None;
            }
        } else if unknown_op {
            return None;
        }
        (s >= MIN_SCORE).then_some(s)
    }
}

/// Event indices by `source:Name` (`normalise_event_name`), each list
/// sorted by time, joinable events only.
fn index<'a>(e: &'a Events, joinable: &[bool]) -> PlHashMap<(&'a str, &'a str), Vec<u32>> {
    let mut idx: PlHashMap<(&str, &str), Vec<u32>> = PlHashMap::default();
    for i in 0..e.len() {
        if !joinable[i] {
            continue;
        }
        if let (Some(src), Some(name)) = (e.source.get(i), e.name.get(i)) {
            idx.entry((src, normalise_event_name(src, name)))
                .or_default()
                .push(i as u32);
        }
    }
    for v in idx.values_mut() {
        v.sort_by_key(|i| (e.time[*i as usize], *i));
    }
    idx
}

fn in_window(list: &[u32], e: &Events, lo: i64, hi: i64) -> std::ops::Range<usize> {
    let a = list.partition_point(|i| e.time[*i as usize] < lo);
    let b = list.partition_point(|i| e.time[*i as usize] <= hi);
    a..b.max(a)
}

/// The client family an unenumerable call's events come from.
fn client_for(c: &Call) -> Option<&'static str> {
    let cmd = c.command.as_deref().unwrap_or("");
    if cmd.contains("terraform") || cmd.contains("tofu ") {
        Some("terraform")
    } else if cmd.contains("python") || cmd.contains("boto3") {
        Some("boto3")
    } else if cmd.contains("cdk ") || cmd.contains("node ") || cmd.contains("npx ") {
        Some("sdk")
    } else {
        None
    }
}

/// (call, event, unknown_op) pairs in reach of each other.
fn pairs(
    cx: &Ctx,
    idx: &PlHashMap<(&str, &str), Vec<u32>>,
    by_time: &[u32],
) -> Vec<(u32, u32, bool)> {
    let per_call: Vec<Vec<(u32, u32, bool)>> = (0..cx.calls.len())
        .into_par_iter()
        .map(|ci| {
            let c = &cx.calls[ci];
            if c.outcome.as_deref() == Some("rejected") {
                return Vec::new();
            }
            let (start, end) = cx.window(c);
            let (lo, hi) = (start - cx.js.skew_before_us, end + cx.js.skew_after_us);
            let mut out = Vec::new();
            for op in &c.expected {
                let Some((src, name)) = op.split_once(':') else {
                    continue;
                };
                if let Some(list) = idx.get(&(src, normalise_event_name(src, name))) {
                    for &ev in &list[in_window(list, cx.e, lo, hi)] {
                        out.push((ci as u32, ev, false));
                    }
                }
            }
            if c.unknown_operations
                && let Some(client) = client_for(c)
            {
                for &ev in &by_time[in_window(by_time, cx.e, lo, hi)] {
                    let ua = &cx.f.uas[cx.f.ua_of[ev as usize] as usize];
                    if ua.parsed.client == Some(client) && !out.iter().any(|p| p.1 == ev) {
                        out.push((ci as u32, ev, true));
                    }
                }
            }
            out
        })
        .collect();
    per_call.into_iter().flatten().collect()
}

/// Runs the join. `trace` collects every candidate of one event for
/// `explain`.
pub fn join(
    e: &Events,
    f: &Facts,
    calls: &[Call],
    joinable: &[bool],
    js: &JoinSettings,
    trace: Option<usize>,
) -> (Matches, Vec<Candidate>) {
    if calls.is_empty() {
        // No transcripts: nothing to pair (and no time order to build).
        return (Matches::default(), Vec::new());
    }
    let cx = Ctx {
        e,
        f,
        calls,
        joinable,
        js,
    };
    let idx = index(e, joinable);
    let mut by_time: Vec<u32> = (0..e.len() as u32)
        .filter(|i| joinable[*i as usize])
        .collect();
    by_time.sort_by_key(|i| (e.time[*i as usize], *i));
    let pairs = pairs(&cx, &idx, &by_time);
    // 8 bytes an event: not needed once the pairs are known.
    drop((idx, by_time));

    // Pass 1: no priors; learn each session's principals and sid.
    let first = assign(&cx, &pairs, &PlHashMap::default(), None).0;
    // session → (principal → events, sid → events, events, marked events,
    // events marked in a way every client version sends)
    type Seen<'s> = (
        BTreeMap<&'s str, u32>,
        BTreeMap<&'s str, u32>,
        u32,
        u32,
        u32,
    );
    let mut seen: BTreeMap<&str, Seen> = BTreeMap::new();
    for (ev, m) in first.iter() {
        let c = &calls[m.call as usize];
        let entry = seen.entry(c.session_id.as_str()).or_default();
        entry.2 += 1;
        entry.3 += u32::from(m.marker_matched);
        entry.4 +=
            u32::from(m.marker_matched && f.uas[f.ua_of[ev] as usize].marks.marker_any_version);
        if let Some(p) = e.principal_arn.get(ev) {
            *entry.0.entry(p).or_default() += 1;
        }
        if let Some(sid) = f.uas[f.ua_of[ev] as usize].parsed.cli_session {
            *entry.1.entry(sid).or_default() += 1;
        }
    }
    drop(first);
    let priors: PlHashMap<&str, Priors> = seen
        .into_iter()
        .map(|(session, (principals, sids, n, marked, any_version))| {
            let principals = principals
                .into_iter()
                .filter(|(_, k)| *k * 10 >= n)
                .map(|(p, _)| p.to_string())
                .collect();
            // The most frequent sid, the smallest on a tie.
            let top = sids.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)));
            let with_sid: u32 = sids.values().sum();
            let sid_strict = top.is_some_and(|(_, k)| *k >= 3 && *k * 10 >= with_sid * 8);
            let sid = top.map(|(s, _)| s.to_string());
            let marker_strict = marked >= 3 && marked * 10 >= n * 8;
            let marker_any_version = any_version * 10 >= marked * 8;
            (
                session,
                Priors {
                    principals,
                    sid,
                    sid_strict,
                    marker_strict,
                    marker_any_version,
                },
            )
        })
        .collect();
    assign(&cx, &pairs, &priors, trace)
}

fn assign(
    cx: &Ctx,
    pairs: &[(u32, u32, bool)],
    priors: &PlHashMap<&str, Priors>,
    trace: Option<usize>,
) -> (Matches, Vec<Candidate>) {
    let use_priors = !priors.is_empty();
    let none = Priors {
        principals: Vec::new(),
        sid: None,
        sid_strict: false,
        marker_strict: false,
        marker_any_version: false,
    };
    let mut scored: Vec<(u32, u32, f32, bool, bool, bool)> = pairs
        .par_iter()
        .filter_map(|&(ci, ev, unknown)| {
            let c = &cx.calls[ci as usize];
            let p = use_priors.then(|| priors.get(c.session_id.as_str()).unwrap_or(&none));
            let mut notes = Vec::new();
            let s = cx.score(ci as usize, ev as usize, unknown, p, &mut notes)?;
            let inside = notes.contains(&"inside the call's window");
            let cli = notes.contains(&"user agent's CLI command is the call's");
            let marker = notes.contains(&"user agent carries this agent's marker");
            Some((ev, ci, s, inside, cli, marker))
        })
        .collect();
    let mut trace_out = Vec::new();
    if let Some(t) = trace {
        for &(ci, ev, unknown) in pairs.iter().filter(|p| p.1 as usize == t) {
            let c = &cx.calls[ci as usize];
            let p = use_priors.then(|| priors.get(c.session_id.as_str()).unwrap_or(&none));
            let mut notes = Vec::new();
            let s = cx.score(ci as usize, ev as usize, unknown, p, &mut notes);
            trace_out.push(Candidate {
                call: ci,
                event: ev,
                score: s.unwrap_or(0.0),
                notes,
            });
        }
    }
    // Best first per event: score, then result closest to the event, then call order.
    let closeness = |ev: u32, ci: u32| {
        let c = &cx.calls[ci as usize];
        let end = c.ended_at.unwrap_or(c.started_at);
        (cx.e.time[ev as usize] - end).abs()
    };
    scored.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(b.2.total_cmp(&a.2))
            .then(closeness(a.0, a.1).cmp(&closeness(b.0, b.1)))
            .then(a.1.cmp(&b.1))
    });
    // `scored` is in event order, so `out` is too.
    let mut out = Vec::new();
    let mut i = 0;
    while i < scored.len() {
        let ev = scored[i].0;
        let mut j = i;
        while j < scored.len() && scored[j].0 == ev {
            j += 1;
        }
        let best = scored[i];
        let best_session = &cx.calls[best.1 as usize].session_id;
        let mut rival_sessions: Vec<&str> = scored[i + 1..j]
            .iter()
            .filter(|r| r.2 >= best.2 - NEAR)
            .map(|r| cx.calls[r.1 as usize].session_id.as_str())
            .filter(|s| *s != best_session.as_str())
            .collect();
        rival_sessions.sort_unstable();
        rival_sessions.dedup();
        out.push((
            ev,
            Match {
                call: best.1,
                score: best.2,
                rivals: rival_sessions.len() as u32,
                inside_window: best.3,
                cli_command_matched: best.4,
                marker_matched: best.5,
            },
        ));
        i = j;
    }
    let _ = cx.joinable;
    (Matches(out), trace_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(call: u32) -> Match {
        Match {
            call,
            score: 1.0,
            rivals: 0,
            inside_window: true,
            cli_command_matched: false,
            marker_matched: false,
        }
    }

    #[test]
    fn matches_are_found_by_event_and_listed_in_event_order() {
        let ms = Matches(vec![(2, m(7)), (5, m(3)), (9, m(7))]);
        let found: Vec<Option<u32>> = (0..11).map(|i| ms.get(i).map(|m| m.call)).collect();
        let mut want = vec![None; 11];
        want[2] = Some(7);
        want[5] = Some(3);
        want[9] = Some(7);
        assert_eq!(found, want);
        assert_eq!(ms.get(usize::MAX).map(|m| m.call), None);
        let listed: Vec<(usize, u32)> = ms.iter().map(|(e, m)| (e, m.call)).collect();
        let parallel: Vec<(usize, u32)> = ms.par_iter().map(|(e, m)| (e, m.call)).collect();
        assert_eq!(listed, vec![(2, 7), (5, 3), (9, 7)]);
        assert_eq!(parallel, listed);
        assert!(Matches::default().get(0).is_none());
    }
}
