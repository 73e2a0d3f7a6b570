//! Combines the signals into one label per event, by rule, strongest first:
//!
//! 1. AWS services (AWSService identity, `invokedBy` other than
//!    CloudFormation and the services that call for agents, service-linked
//!    roles, service events) → service.
//! 2. Console sessions → human. Never AI: a console event is not joinable,
//!    and an AI marker on one is kept as a conflict.
//! 3. The transcript join (`join`) → ai, with the session and tool call;
//!    at most `checks::DOUBTED_MATCH_MAX` when the call's record is out of
//!    order in its file or its operator is not the credentials' person.
//! 4. What AWS wrote about the agent (`facts::Origin`): the managed MCP
//!    server's `invokedBy`, the Copilot coding agent's OIDC subject, an
//!    agent identity in `onBehalfOf`, on the call itself or carried by the
//!    session keys its STS call issued → ai.
//! 5. User-agent markers (m/, exec-env/, app/, invoked-by/, MCP) → ai, at
//!    most 0.8 (one forgeable string), halved when the client never sends
//!    the marker or the person's own transcripts of that agent for that day
//!    are ingested and none caused the event (`checks`).
//! 6. Source identity / session name markers (same checks), then agent
//!    roles from the settings → ai.
//! 7. The CLI session (`sid/`) of a call already attributed to one agent by
//!    3 or 5 (not weakened) → ai (the same host and terminal).
//! 8. CI principals from the settings → automation.
//! 9. A person's credentials (SSO user, IAM user, root, federated) → human.
//! 10. Anything else → unknown, named by its role or principal.
//!
//! CloudFormation's own calls for a stack (`invokedBy`
//! cloudformation.amazonaws.com, with the caller's identity) then inherit
//! the label of the stack operation before them. Every label keeps the
//! signals it rests on in `evidence`, including those it overruled.

// Events are columns: one index reads the same event across them.
#![allow(clippy::needless_range_loop)]

use super::checks::{self, Coverage};
use super::facts::{self, CFN, Facts, NO_ORIGIN, Origin, PrincipalFacts, Service, resolve_person};
use super::input::{Call, Events, SessionSpan};
use super::join::{self, Candidate, JoinSettings, Match, same_agent};
use super::markers::{self as markers_hit, Kind, Markers};
use super::settings::Settings;
use polars::prelude::PlHashMap;
use rayon::prelude::*;
use std::collections::BTreeSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ActorKind {
    Ai,
    Human,
    Service,
    Automation,
    Unknown,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Ai => "ai",
            ActorKind::Human => "human",
            ActorKind::Service => "service",
            ActorKind::Automation => "automation",
            ActorKind::Unknown => "unknown",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub kind: ActorKind,
    pub actor: Option<String>,
    pub operator: Option<String>,
    /// Index into the calls the engine was given.
    pub call: Option<u32>,
    pub confidence: f64,
    pub evidence: Vec<String>,
    pub reason: String,
}

impl Label {
    /// A hash of everything the label says (for sharing equal labels).
    fn content_hash(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::hash::DefaultHasher::new();
        (
            self.kind,
            &self.actor,
            &self.operator,
            self.call,
            self.confidence.to_bits(),
            &self.evidence,
            &self.reason,
        )
            .hash(&mut h);
        h.finish()
    }

    fn new(kind: ActorKind, actor: Option<String>, confidence: f64, reason: String) -> Label {
        Label {
            kind,
            actor,
            operator: None,
            call: None,
            confidence,
            evidence: Vec::new(),
            reason,
        }
    }
}

/// One label per event, as an index into a table of distinct labels (most
/// events share theirs with thousands of others).
pub struct Labels {
    pub table: Vec<Label>,
    pub of: Vec<u32>,
}

impl Labels {
    pub fn get(&self, i: usize) -> &Label {
        &self.table[self.of[i] as usize]
    }

    pub(super) fn set(&mut self, i: usize, l: Label) {
        self.of[i] = self.table.len() as u32;
        self.table.push(l);
    }
}

/// The labels, and for `explain` the candidates of one event.
pub struct Outcome {
    pub labels: Labels,
    /// CloudFormation's calls for a stack, each with the stack operation it
    /// was traced to (event indexes): the cascade's actions are the
    /// operation's.
    pub cascade_of: PlHashMap<u32, u32>,
    pub candidates: Vec<Candidate>,
    pub matched_calls: usize,
    /// The people names resolve against: the events' own, plus `known`.
    pub people: BTreeSet<String>,
    /// The bare names (no `@`) resolved against them, lower-cased: a new
    /// person changes how one of these resolves only if their name's
    /// local part is one.
    pub names: BTreeSet<String>,
}

/// What kind of event this is before any join.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Pre<'a> {
    console: bool,
    service: Option<Service<'a>>,
    cfn: bool,
}

/// Every event's `Pre`, stored once per distinct value (a few hundred)
/// with a u32 per event: 4 bytes an event instead of 56.
struct PreTable<'a> {
    of: Vec<u32>,
    table: Vec<Pre<'a>>,
}

impl<'a> PreTable<'a> {
    fn new(e: &'a Events, f: &Facts<'a>) -> PreTable<'a> {
        let pre = |i: usize| {
            let p = &f.principals[f.principal_of[i] as usize];
            let ua = &f.uas[f.ua_of[i] as usize];
            let agent_via = origin(f, i).is_some_and(|o| o.hit.kind == Kind::InvokedBy);
            Pre {
                console: e.console[i] || ua.parsed.client == Some("console"),
                service: facts::service_actor(e, i, p, agent_via),
                cfn: facts::cfn_invoked(e, i),
            }
        };
        let dense = super::dense::dense_ids(e.len(), pre);
        PreTable {
            table: dense.first.iter().map(|&i| pre(i)).collect(),
            of: dense.of,
        }
    }
}

impl<'a> std::ops::Index<usize> for PreTable<'a> {
    type Output = Pre<'a>;

    fn index(&self, i: usize) -> &Pre<'a> {
        &self.table[self.of[i] as usize]
    }
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n).collect();
        t.push('…');
        t
    }
}

/// The origin AWS wrote for event `i`, if any.
fn origin<'f>(f: &'f Facts, i: usize) -> Option<&'f Origin> {
    let k = f.origin_of[i];
    (k != NO_ORIGIN).then(|| &f.origins[k as usize])
}

/// The agent an unmatched event's own markers claim and the person behind
/// it, when that person's transcripts of that agent for that day are in
/// the store: how many sessions (0 when the check does not apply).
fn covered(e: &Events, i: usize, f: &Facts, s: &Settings, cov: &Coverage) -> u32 {
    if cov.is_empty() {
        return 0;
    }
    let p = &f.principals[f.principal_of[i] as usize];
    let ua = &f.uas[f.ua_of[i] as usize];
    let claimed = ua
        .marks
        .hits
        .first()
        .or(p.identity_hit.as_ref().map(|(h, _)| h));
    let Some(h) = claimed else { return 0 };
    match operator_for(p, f, s, None) {
        Some(person) => cov.sessions_that_day(&person, &h.actor, e.time[i]),
        None => 0,
    }
}

pub fn run(
    e: &Events,
    calls: &[Call],
    sessions: &[SessionSpan],
    s: &Settings,
    markers: &Markers,
    trace: Option<usize>,
    known_people: Option<&BTreeSet<String>>,
) -> Outcome {
    let mut clock = crate::progress::Clock::new();
    let mut f = facts::facts(e, s, markers);
    // An incremental run reads a few days: the people of the others
    // still resolve names (`carol` to `carol@example.com`).
    if let Some(known) = known_people {
        f.people.extend(known.iter().cloned());
    }
    clock.lap("    engine: facts");
    // Each stage's temporaries go back before the next (`RELEASE_EVERY`).
    super::release_between_stages(e.len());
    let pre = PreTable::new(e, &f);
    clock.lap("    engine: pre");
    let joinable: Vec<bool> = (0..e.len())
        .map(|i| {
            let p = &pre[i];
            !p.console
                && p.service.is_none()
                && !p.cfn
                && matches!(e.event_type.get(i), None | Some("AwsApiCall"))
        })
        .collect();
    let js = JoinSettings {
        skew_before_us: i64::from(s.join.skew_before_secs) * 1_000_000,
        skew_after_us: i64::from(s.join.skew_after_secs) * 1_000_000,
        max_call_us: i64::from(s.join.max_call_secs) * 1_000_000,
    };
    let (matches, candidates) = join::join(e, &f, calls, &joinable, &js, trace);
    clock.lap("    engine: join");
    let coverage = Coverage::new(sessions);
    // Events no call claimed: one label per (principal, user agent, kind).
    let mut labels = Labels {
        table: Vec::new(),
        of: vec![0; e.len()],
    };
    // Matched events share one key here and get their own labels below.
    let keys = super::dense::dense_ids(e.len(), |i| match matches.get(i) {
        Some(_) => None,
        None => Some((
            f.principal_of[i],
            f.ua_of[i],
            pre.of[i],
            f.origin_of[i],
            covered(e, i, &f, s, &coverage),
        )),
    });
    // User agents differ by session id far more often than labels differ:
    // equal labels share one entry. Labels are made a batch of keys at a
    // time so that only one batch is held before it is folded in.
    const BATCH: usize = 16 * 1024;
    let mut distinct: super::dense::Distinct<Label> = Default::default();
    let mut key_to_label: Vec<u32> = Vec::with_capacity(keys.first.len());
    for firsts in keys.first.chunks(BATCH) {
        let made: Vec<Option<(u64, Label)>> = firsts
            .par_iter()
            .map(|&i| {
                matches.get(i).is_none().then(|| {
                    let cover = covered(e, i, &f, s, &coverage);
                    let l = label(e, i, &f, &pre[i], None, calls, s, cover);
                    (l.content_hash(), l)
                })
            })
            .collect();
        key_to_label.extend(
            made.into_iter()
                .map(|l| l.map_or(0, |(hash, l)| distinct.intern(hash, l))),
        );
    }
    labels.table = distinct.into_values();
    labels
        .of
        .par_iter_mut()
        .zip(keys.of.par_iter())
        .for_each(|(of, key)| *of = key_to_label[*key as usize]);
    drop(keys);
    let matched: Vec<(usize, Label)> = matches
        .par_iter()
        .map(|(i, m)| (i, label(e, i, &f, &pre[i], Some(m), calls, s, 0)))
        .collect();
    for (i, l) in matched {
        labels.set(i, l);
    }
    clock.lap("    engine: labels");
    super::release_between_stages(e.len());
    propagate_sid(&f, &pre, calls, &mut labels);
    clock.lap("    engine: sid");
    let cascade_of = inherit_stack_ops(e, &pre, s, &mut labels);
    clock.lap("    engine: stack operations");
    let mut used: Vec<u32> = matches.iter().map(|(_, m)| m.call).collect();
    used.sort_unstable();
    used.dedup();
    Outcome {
        labels,
        cascade_of,
        candidates,
        matched_calls: used.len(),
        names: bare_names(&f, calls),
        people: f.people,
    }
}

/// Every bare name `resolve_person` may be asked about, lower-cased.
fn bare_names(f: &Facts, calls: &[Call]) -> BTreeSet<String> {
    let principals = f.principals.iter().flat_map(|p| {
        let hit = p.identity_hit.as_ref().and_then(|(_, n)| n.as_deref());
        [p.person.as_deref(), hit]
    });
    let operators = calls.iter().map(|c| c.operator.as_deref());
    principals
        .chain(operators)
        .flatten()
        .filter(|n| !n.contains('@'))
        .map(str::to_lowercase)
        .collect()
}

fn person_of(p: &PrincipalFacts, f: &Facts, s: &Settings) -> Option<String> {
    p.person.as_deref().map(|n| resolve_person(n, s, &f.people))
}

/// The person an agent acted for: whose credentials it used, else the
/// person its source identity names, else the transcript's operator.
fn operator_for(
    p: &PrincipalFacts,
    f: &Facts,
    s: &Settings,
    call: Option<&Call>,
) -> Option<String> {
    person_of(p, f, s)
        .or_else(|| {
            p.identity_hit
                .as_ref()
                .and_then(|(_, person)| person.as_deref())
                .map(|n| resolve_person(n, s, &f.people))
        })
        .or_else(|| {
            call.and_then(|c| c.operator.as_deref())
                .map(|n| resolve_person(n, s, &f.people))
        })
}

fn identity_evidence(p: &PrincipalFacts) -> Vec<String> {
    let mut ev = Vec::new();
    if let Some(pe) = &p.person_evidence {
        ev.push(pe.clone());
    }
    if let Some(ci) = &p.ci {
        ev.push(format!("ci:{ci}"));
    }
    ev
}

/// Adds an origin's evidence: its marker, and how it was carried.
fn origin_evidence(l: &mut Label, o: &Origin, agrees: bool) {
    l.evidence.push(if agrees {
        o.hit.evidence.clone()
    } else {
        format!("conflict:{}", o.hit.evidence)
    });
    if let Some(c) = &o.carried {
        l.evidence.push(c.clone());
    }
}

/// Halves a marker label's confidence, with the evidence and the reason.
fn weaken(l: &mut Label, evidence: String, why: &str) {
    l.confidence *= checks::WEAKENED;
    l.evidence.insert(0, evidence);
    l.reason.push_str("; but ");
    l.reason.push_str(why);
}

/// The checks on an unmatched event's own marker: a client that never sends
/// it, and the person's own transcripts of that day (`cover` sessions).
fn check_marker(l: &mut Label, ua: &facts::UaInfo, h: &markers_hit::Hit, cover: u32, name: &str) {
    if let Some(why) = checks::sdk_never_sends(ua, h) {
        let short = why.split(':').next().unwrap_or("").to_string();
        weaken(l, format!("suspect:{short}"), &why);
    }
    if cover > 0 {
        let who = l.operator.clone().unwrap_or_else(|| "the person".into());
        let why = format!(
            "{who}'s {} transcripts for that day are ingested ({cover} session(s)) and no call in them causes {name}",
            h.actor
        );
        weaken(l, format!("contradicted:transcripts:{who}"), &why);
    }
}

#[allow(clippy::too_many_arguments)]
fn label(
    e: &Events,
    i: usize,
    f: &Facts,
    pre: &Pre,
    m: Option<&Match>,
    calls: &[Call],
    s: &Settings,
    cover: u32,
) -> Label {
    let p = &f.principals[f.principal_of[i] as usize];
    let ua = &f.uas[f.ua_of[i] as usize];
    let name = e.name.get(i).unwrap_or("?");
    if let Some(svc) = &pre.service {
        let ev = svc.evidence();
        let mut l = Label::new(
            ActorKind::Service,
            Some(svc.who.to_string()),
            0.97,
            format!("AWS service {} made this call ({ev})", svc.who),
        );
        l.evidence.push(ev);
        return l;
    }
    if pre.console {
        let who = person_of(p, f, s).or_else(|| p.other.clone());
        let mut l = Label::new(
            ActorKind::Human,
            who.clone(),
            0.97,
            format!(
                "console session of {}",
                who.as_deref().unwrap_or("an unnamed principal")
            ),
        );
        l.evidence.push("console".into());
        l.evidence.extend(identity_evidence(p));
        for h in &ua.marks.hits {
            l.evidence.push(format!("conflict:{}", h.evidence));
        }
        if let Some(o) = origin(f, i) {
            origin_evidence(&mut l, o, false);
        }
        return l;
    }
    if pre.cfn {
        // Placeholder until `inherit_stack_ops` finds the stack operation.
        let mut l = by_identity(e, i, f, p, s);
        l.evidence.insert(0, format!("invoked_by:{CFN}"));
        return l;
    }
    if let Some(m) = m {
        let c = &calls[m.call as usize];
        let mut l = Label::new(
            ActorKind::Ai,
            Some(c.agent.clone()),
            0.0,
            format!(
                "{} ran `{}` in session {} (call {}), which causes {name}; the event {} the call's window",
                c.agent,
                short(c.command.as_deref().unwrap_or("?"), 80),
                c.session_id,
                c.call_id,
                if m.inside_window {
                    "falls inside"
                } else {
                    "is within the clock-skew allowance of"
                }
            ),
        );
        l.call = Some(m.call);
        l.operator = operator_for(p, f, s, Some(c));
        l.evidence
            .push(format!("transcript:{}/{}", c.session_id, c.call_id));
        let mut conf: f64 = 0.9;
        if m.cli_command_matched || m.marker_matched {
            conf += 0.06;
        }
        if m.inside_window {
            conf += 0.03;
        }
        for h in &ua.marks.hits {
            if same_agent(&h.actor, &c.agent) || h.actor.starts_with("mcp:") {
                l.evidence.push(h.evidence.clone());
            } else {
                l.evidence.push(format!("conflict:{}", h.evidence));
            }
        }
        if let Some((h, _)) = &p.identity_hit {
            l.evidence.push(h.evidence.clone());
        }
        if let Some(o) = origin(f, i) {
            let agrees = same_agent(&o.hit.actor, &c.agent) || o.hit.actor.starts_with("mcp:");
            origin_evidence(&mut l, o, agrees);
        }
        l.evidence.extend(identity_evidence(p));
        for (ev, why) in checks::transcript_doubts(c, person_of(p, f, s).as_deref()) {
            l.evidence.insert(1, ev);
            l.reason.push_str("; but ");
            l.reason.push_str(&why);
            conf = conf.min(checks::DOUBTED_MATCH_MAX);
        }
        if m.rivals > 0 {
            l.evidence.push(format!("ambiguous:{}", m.rivals + 1));
            conf = conf.min(0.7);
            l.reason.push_str(&format!(
                "; {} other session(s) had a call that fits almost as well",
                m.rivals
            ));
        }
        l.confidence = conf.min(0.99);
        return l;
    }
    if let Some(o) = origin(f, i) {
        let h = &o.hit;
        let value = h.evidence.split_once(':').map_or("", |x| x.1);
        let how = match h.kind {
            Kind::InvokedBy => format!(
                "{value} called for the caller ({}); which agent drove it is unknown without a transcript",
                h.actor
            ),
            Kind::WebIdentity => format!("OIDC subject {value} names {}", h.actor),
            _ => format!("onBehalfOf names the agent identity {value}"),
        };
        let carried = if o.carried.is_some() {
            " (carried by the session keys its STS call issued)"
        } else {
            ""
        };
        let mut l = Label::new(
            ActorKind::Ai,
            Some(h.actor.clone()),
            h.confidence,
            format!("{how}{carried}"),
        );
        l.operator = operator_for(p, f, s, None);
        origin_evidence(&mut l, o, true);
        l.evidence
            .extend(ua.marks.hits.iter().map(|h| h.evidence.clone()));
        if let Some((ih, _)) = &p.identity_hit {
            l.evidence.push(ih.evidence.clone());
        }
        l.evidence.extend(identity_evidence(p));
        return l;
    }
    // An MCP marker says how the call was made, not which agent made it:
    // a named agent (user agent, identity) wins over `mcp:<server>`.
    let named = ua.marks.hits.iter().find(|h| !h.actor.starts_with("mcp:"));
    if let Some(h) = named.or(if p.identity_hit.is_none() && p.agent_role.is_none() {
        ua.marks.hits.first()
    } else {
        None
    }) {
        let mut l = Label::new(
            ActorKind::Ai,
            Some(h.actor.clone()),
            h.confidence,
            format!(
                "user agent carries {} ({}); no transcript call matched",
                h.evidence.trim_start_matches("ua:"),
                h.actor
            ),
        );
        l.operator = operator_for(p, f, s, None);
        l.evidence
            .extend(ua.marks.hits.iter().map(|h| h.evidence.clone()));
        if let Some((ih, _)) = &p.identity_hit {
            l.evidence.push(ih.evidence.clone());
        }
        l.evidence.extend(identity_evidence(p));
        check_marker(&mut l, ua, h, cover, name);
        return l;
    }
    if let Some((h, _)) = &p.identity_hit {
        let mut l = Label::new(
            ActorKind::Ai,
            Some(h.actor.clone()),
            h.confidence,
            format!("{} names an AI agent ({})", h.evidence, h.actor),
        );
        l.operator = operator_for(p, f, s, None);
        l.evidence.push(h.evidence.clone());
        if let Some(r) = &p.agent_role {
            l.evidence.push(format!("role:{r}"));
        }
        l.evidence
            .extend(ua.marks.hits.iter().map(|h| h.evidence.clone()));
        check_marker(&mut l, ua, h, cover, name);
        return l;
    }
    if let Some(r) = &p.agent_role {
        let mut l = Label::new(
            ActorKind::Ai,
            Some("agent".into()),
            0.8,
            format!("role {r} is configured as an agent role (principals.agent_roles)"),
        );
        l.operator = operator_for(p, f, s, None);
        l.evidence.push(format!("role:{r}"));
        l.evidence
            .extend(ua.marks.hits.iter().map(|h| h.evidence.clone()));
        return l;
    }
    by_identity(e, i, f, p, s)
}

/// Steps 7–9: automation, a person, or unknown.
fn by_identity(e: &Events, i: usize, f: &Facts, p: &PrincipalFacts, s: &Settings) -> Label {
    let ua = &f.uas[f.ua_of[i] as usize];
    let client = ua.parsed.client;
    if let Some(ci) = &p.ci {
        let mut l = Label::new(
            ActorKind::Automation,
            Some(ci.clone()),
            0.9,
            format!("CI principal {ci} (principals settings)"),
        );
        l.evidence.push(format!("ci:{ci}"));
        return l;
    }
    // AWS_EXECUTION_ENV of a compute runtime (CloudShell is a person's).
    let runtime = ua.parsed.exec_env.and_then(|x| {
        [
            ("AWS_Lambda_", "lambda"),
            ("AWS_ECS_", "ecs"),
            ("AWS_Batch", "batch"),
        ]
        .iter()
        .find(|(p, _)| x.starts_with(p))
        .map(|(_, k)| *k)
    });
    if let Some(w) = p
        .workload
        .clone()
        .or_else(|| runtime.map(|r| format!("{r}:{}", e.role_name.get(i).unwrap_or("?"))))
    {
        let mut l = Label::new(
            ActorKind::Automation,
            Some(w.clone()),
            0.9,
            format!("a workload ({w}) calling with its own role"),
        );
        l.evidence.push(format!("workload:{w}"));
        return l;
    }
    if let Some(person) = person_of(p, f, s) {
        let how = match client {
            Some("terraform") => " running Terraform",
            Some("aws-cli") => " on the AWS CLI",
            Some("boto3") | Some("sdk") => " through an SDK",
            _ => "",
        };
        let mut l = Label::new(
            ActorKind::Human,
            Some(person.clone()),
            0.8,
            format!("{person}'s own credentials{how}, with no AI evidence"),
        );
        l.evidence.extend(identity_evidence(p));
        if client == Some("terraform") {
            l.evidence.push("ua:terraform".into());
        }
        return l;
    }
    let who = p.other.clone();
    let mut l = Label::new(
        ActorKind::Unknown,
        who.clone(),
        0.0,
        format!(
            "no rule says who {} is (identity type {})",
            who.as_deref().unwrap_or("the caller"),
            e.identity_type.get(i).unwrap_or("missing")
        ),
    );
    l.evidence.push(format!(
        "identity:{}",
        e.identity_type.get(i).unwrap_or("missing")
    ));
    l
}

/// Step 6: events of a CLI session (`sid/`) that only one agent used, and
/// mostly used: a terminal where one call was matched among many of a
/// person's is not the agent's.
fn propagate_sid(f: &Facts, pre: &PreTable, calls: &[Call], labels: &mut Labels) {
    // Events with a sid that could be anyone's: a small share of all, found
    // through per-user-agent sids (reading `UaInfo` per event misses the
    // cache: a million events over 100K user agents).
    let sids: Vec<Option<&str>> = f.uas.iter().map(|u| u.parsed.cli_session).collect();
    let with_sid: Vec<(usize, &str)> = (0..labels.of.len())
        .filter_map(|i| Some((i, sids[f.ua_of[i] as usize]?)))
        .filter(|&(i, _)| !pre[i].console && pre[i].service.is_none())
        .collect();
    // Events per (sid, label): the sums below run once per pair.
    let mut pairs: PlHashMap<(&str, u32), u32> = PlHashMap::default();
    for &(i, sid) in &with_sid {
        *pairs.entry((sid, labels.of[i])).or_default() += 1;
    }
    // sid → (agents, sessions) of its strong AI events
    type Seen<'s> = (BTreeSet<&'s str>, BTreeSet<&'s str>);
    let mut by_sid: PlHashMap<&str, Seen> = PlHashMap::default();
    // sid → (strong AI events, all events that could be anyone's)
    let mut share: PlHashMap<&str, (u32, u32)> = PlHashMap::default();
    for (&(sid, label), &n) in &pairs {
        let l = &labels.table[label as usize];
        // A weakened marker (`suspect:`, `contradicted:`) vouches for nothing.
        let strong = l.kind == ActorKind::Ai
            && (l.call.is_some() || l.evidence.iter().any(|x| x.starts_with("ua:")))
            && !l
                .evidence
                .iter()
                .any(|x| x.starts_with("suspect:") || x.starts_with("contradicted:"));
        let e = share.entry(sid).or_default();
        e.0 += if strong { n } else { 0 };
        e.1 += n;
        if strong {
            let entry = by_sid.entry(sid).or_default();
            if let Some(a) = &l.actor {
                entry.0.insert(a.as_str());
            }
            if let Some(c) = l.call {
                entry.1.insert(calls[c as usize].session_id.as_str());
            }
        }
    }
    drop(pairs);
    // sid → (its one agent, " in session S" when its calls came from one)
    let mut to: PlHashMap<&str, (String, String)> = PlHashMap::default();
    for (sid, (agents, sessions)) in by_sid {
        let (ai, all) = share[sid];
        let (Some(agent), 1) = (agents.first(), agents.len()) else {
            continue;
        };
        if ai * 2 >= all {
            let session = match (sessions.first(), sessions.len()) {
                (Some(s), 1) => format!(" in session {s}"),
                _ => String::new(),
            };
            to.insert(sid, (agent.to_string(), session));
        }
    }
    if to.is_empty() {
        return;
    }
    // (sid, old label) → new label
    let mut memo: PlHashMap<(&str, u32), u32> = PlHashMap::default();
    for &(i, sid) in &with_sid {
        let Some((agent, session)) = to.get(sid) else {
            continue;
        };
        if labels.get(i).kind == ActorKind::Ai {
            continue;
        }
        let old_id = labels.of[i];
        if let Some(id) = memo.get(&(sid, old_id)) {
            labels.of[i] = *id;
            continue;
        }
        let old = labels.table[old_id as usize].clone();
        let mut l = Label::new(
            ActorKind::Ai,
            Some(agent.clone()),
            0.75,
            format!(
                "same CLI session (sid/{sid}) as calls attributed to {agent}{session}; no transcript call matched this one"
            ),
        );
        l.evidence.push(format!("sid:{sid}"));
        if old.kind == ActorKind::Human {
            l.operator = old.actor;
        }
        l.evidence.extend(old.evidence);
        labels.set(i, l);
        memo.insert((sid, old_id), labels.of[i]);
    }
}

/// CloudFormation's calls for a stack inherit the stack operation's label:
/// the latest operation by the same principal in the same account and region
/// within the window, else the latest by anyone there (less sure).
fn inherit_stack_ops(
    e: &Events,
    pre: &PreTable,
    s: &Settings,
    labels: &mut Labels,
) -> PlHashMap<u32, u32> {
    let mut cascade_of = PlHashMap::default();
    if !pre.table.iter().any(|p| p.cfn) {
        return cascade_of;
    }
    let window = i64::from(s.cloudformation.window_minutes) * 60 * 1_000_000;
    type Key<'a> = (Option<&'a str>, Option<&'a str>);
    let mut ops: PlHashMap<Key, Vec<(i64, usize)>> = PlHashMap::default();
    type Times = Vec<(i64, usize)>;
    let mut ops_by_principal: PlHashMap<(Key, Option<&str>), Times> = PlHashMap::default();
    let mut op_events: Vec<usize> = e.stack_op_ids.keys().copied().collect();
    op_events.sort_unstable();
    for i in op_events {
        if !pre[i].cfn && e.error_code.get(i).is_none() {
            let key = (e.account.get(i), e.region.get(i));
            ops.entry(key).or_default().push((e.time[i], i));
            ops_by_principal
                .entry((key, e.principal_arn.get(i)))
                .or_default()
                .push((e.time[i], i));
        }
    }
    for v in ops.values_mut().chain(ops_by_principal.values_mut()) {
        v.sort_unstable();
    }
    let latest = |v: Option<&Vec<(i64, usize)>>, t: i64| -> Option<usize> {
        let v = v?;
        // Allow the skew of a few seconds between the two records.
        let k = v.partition_point(|(ot, _)| *ot <= t + 5_000_000);
        let (ot, idx) = *v.get(k.checked_sub(1)?)?;
        (t - ot <= window).then_some(idx)
    };
    for i in 0..e.len() {
        if !pre[i].cfn {
            continue;
        }
        let key = (e.account.get(i), e.region.get(i));
        let own = latest(
            ops_by_principal.get(&(key, e.principal_arn.get(i))),
            e.time[i],
        );
        let (op, sure) = match own {
            Some(op) => (Some(op), true),
            None => (latest(ops.get(&key), e.time[i]), false),
        };
        let Some(op) = op else {
            let mut l = labels.get(i).clone();
            l.reason = format!(
                "CloudFormation acting for the caller, no stack operation found within {} minutes; {}",
                s.cloudformation.window_minutes, l.reason
            );
            l.confidence *= 0.8;
            labels.set(i, l);
            continue;
        };
        cascade_of.insert(i as u32, op as u32);
        let from = labels.get(op).clone();
        let op_name = e.name.get(op).unwrap_or("stack operation");
        let op_id = e.stack_op_ids.get(&op).map_or("?", |s| s);
        let mut l = from.clone();
        l.evidence = vec![format!("invoked_by:{CFN}"), format!("stack_op:{op_id}")];
        l.evidence.extend(from.evidence.iter().cloned());
        l.confidence = from.confidence * if sure { 0.97 } else { 0.6 };
        let minutes = ((e.time[i] - e.time[op]) / 60_000_000).max(0);
        l.reason = format!(
            "CloudFormation acting for {op_name} {op_id}, made {minutes} min earlier by {} {}{}",
            from.kind.as_str(),
            from.actor.as_deref().unwrap_or("?"),
            if sure {
                ""
            } else {
                " (another principal in this account and region)"
            }
        );
        labels.set(i, l);
    }
    cascade_of
}
