//! The read-only view every detector works from, built once per `detect`:
//! each actor's rows in (time, event id) order, split into history and
//! analysed parts; per-distinct-value facts (verbs, sensitive services,
//! access-denied codes, severities) so the hot loops compare integers; and
//! the helpers that turn a set of rows into a `Finding`.

use super::finding::{Finding, Severity, finding_id};
use super::{Activity, Scope, Thresholds, US_PER_HOUR, US_PER_MIN};
use rayon::prelude::*;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Ai,
    Human,
    Service,
    Automation,
    Unknown,
}

impl Kind {
    fn parse(s: &str) -> Kind {
        match s {
            "ai" => Kind::Ai,
            "human" => Kind::Human,
            "service" => Kind::Service,
            "automation" => Kind::Automation,
            _ => Kind::Unknown,
        }
    }
}

/// An actor: (actor_kind, actor, operator). Its rows are
/// `order[start..end]`, the analysed ones from `analysed` on.
pub(crate) struct Actor {
    pub kind: Kind,
    pub kind_id: Option<u32>,
    pub actor: Option<u32>,
    pub operator: Option<u32>,
    pub start: usize,
    pub analysed: usize,
    pub end: usize,
}

/// Facts about one distinct event name.
pub(crate) struct NameInfo {
    pub delete_verb: bool,
    pub create_verb: bool,
    pub looks_read: bool,
    /// What the verb acts on, plural `s` and version suffixes removed:
    /// `DeleteFunction20150331` → `Function`.
    pub noun: Box<str>,
}

/// Facts about one distinct event source.
pub(crate) struct SourceInfo {
    pub sensitive: bool,
}

/// An API: the IAM action's id, or (source id, name id) when there is none.
pub(crate) type Api = (u32, u32);

const NONE: u32 = u32::MAX;

const DELETE_VERBS: &[&str] = &["Delete", "Terminate", "Remove", "Destroy", "Deregister"];
const CREATE_VERBS: &[&str] = &["Create", "Put", "Run", "Launch", "Register", "Restore"];
const READ_VERBS: &[&str] = &[
    "Describe", "List", "Get", "Head", "Lookup", "Search", "Query", "Scan", "BatchGet", "Select",
];
/// Services whose writes change who may do what, or what is recorded.
pub(crate) const SENSITIVE_SERVICES: &[&str] = &[
    "iam",
    "sts",
    "kms",
    "organizations",
    "cloudtrail",
    "config",
    "guardduty",
];

pub(crate) struct Ctx<'a> {
    pub a: &'a Activity,
    pub scope: &'a Scope,
    pub t: &'a Thresholds,
    /// Row indices grouped by actor, each group in (time, event id) order.
    pub order: Vec<u32>,
    pub actors: Vec<Actor>,
    pub names: Vec<NameInfo>,
    pub sources: Vec<SourceInfo>,
    pub denied: Vec<bool>,
    pub severities: Vec<Option<Severity>>,
    /// Rows in the history part (any actor).
    pub history_rows: usize,
}

fn starts_with_any(s: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|p| s.starts_with(p))
}

/// `AccessDenied`, `AccessDeniedException`, `UnauthorizedOperation`,
/// `Client.UnauthorizedOperation`, `*NotAuthorized*`.
pub(crate) fn is_access_denied(code: &str) -> bool {
    code.starts_with("AccessDenied")
        || code.ends_with("UnauthorizedOperation")
        || code.contains("NotAuthorized")
}

fn name_info(name: &str) -> NameInfo {
    let verb = DELETE_VERBS
        .iter()
        .chain(CREATE_VERBS)
        .find(|v| name.starts_with(**v))
        .map_or(0, |v| v.len());
    let rest = &name[verb..];
    let rest = &rest[..rest
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(rest.len())];
    let noun = rest.strip_suffix('s').unwrap_or(rest);
    NameInfo {
        delete_verb: starts_with_any(name, DELETE_VERBS),
        create_verb: starts_with_any(name, CREATE_VERBS),
        looks_read: starts_with_any(name, READ_VERBS),
        noun: noun.into(),
    }
}

impl<'a> Ctx<'a> {
    pub fn new(a: &'a Activity, scope: &'a Scope, t: &'a Thresholds) -> Ctx<'a> {
        let n = a.time_us.len();
        let since = scope.baseline.since_us.min(scope.analysed.since_us);
        let until = scope.analysed.until_us;
        let mut keys: HashMap<(u32, u32, u32), u32> = HashMap::new();
        let mut actor_of = vec![NONE; n];
        let mut order = Vec::with_capacity(n);
        for (i, slot) in actor_of.iter_mut().enumerate() {
            let t = a.time_us[i];
            if t < since || t >= until {
                continue;
            }
            let key = (
                a.actor_kind.id(i).unwrap_or(NONE),
                a.actor.id(i).unwrap_or(NONE),
                a.operator.id(i).unwrap_or(NONE),
            );
            let next = keys.len() as u32;
            *slot = *keys.entry(key).or_insert(next);
            order.push(i as u32);
        }
        let time = &a.time_us;
        order.par_sort_unstable_by(|&x, &y| {
            let (x, y) = (x as usize, y as usize);
            actor_of[x]
                .cmp(&actor_of[y])
                .then(time[x].cmp(&time[y]))
                .then_with(|| a.event_id.get(x).cmp(&a.event_id.get(y)))
        });
        let kinds: Vec<Kind> = (0..a.actor_kind.distinct() as u32)
            .map(|id| Kind::parse(a.actor_kind.value(id)))
            .collect();
        let mut actors = Vec::with_capacity(keys.len());
        let mut history_rows = 0;
        let mut s = 0;
        while s < order.len() {
            let key = actor_of[order[s] as usize];
            let e = s + order[s..].partition_point(|&r| actor_of[r as usize] == key);
            let first = order[s] as usize;
            let analysed =
                s + order[s..e].partition_point(|&r| time[r as usize] < scope.analysed.since_us);
            history_rows += analysed - s;
            let kind_id = a.actor_kind.id(first);
            actors.push(Actor {
                kind: kind_id.map_or(Kind::Unknown, |k| kinds[k as usize]),
                kind_id,
                actor: a.actor.id(first),
                operator: a.operator.id(first),
                start: s,
                analysed,
                end: e,
            });
            s = e;
        }
        let names = (0..a.event_name.distinct() as u32)
            .map(|id| name_info(a.event_name.value(id)))
            .collect();
        let sources = (0..a.event_source.distinct() as u32)
            .map(|id| {
                let s = a.event_source.value(id);
                let service = s.split('.').next().unwrap_or(s);
                SourceInfo {
                    sensitive: SENSITIVE_SERVICES.contains(&service),
                }
            })
            .collect();
        let denied = (0..a.error_code.distinct() as u32)
            .map(|id| is_access_denied(a.error_code.value(id)))
            .collect();
        let severities = (0..a.severity.distinct() as u32)
            .map(|id| Severity::parse(a.severity.value(id)))
            .collect();
        Ctx {
            a,
            scope,
            t,
            order,
            actors,
            names,
            sources,
            denied,
            severities,
            history_rows,
        }
    }

    pub fn rows(&self, x: &Actor) -> &[u32] {
        &self.order[x.start..x.end]
    }
    pub fn history(&self, x: &Actor) -> &[u32] {
        &self.order[x.start..x.analysed]
    }
    pub fn analysed(&self, x: &Actor) -> &[u32] {
        &self.order[x.analysed..x.end]
    }

    pub fn time(&self, i: u32) -> i64 {
        self.a.time_us[i as usize]
    }
    pub fn name(&self, i: u32) -> Option<&NameInfo> {
        self.a
            .event_name
            .id(i as usize)
            .map(|id| &self.names[id as usize])
    }
    pub fn event_name(&self, i: u32) -> &str {
        self.a.event_name.get(i as usize).unwrap_or("")
    }
    pub fn event_source(&self, i: u32) -> &str {
        self.a.event_source.get(i as usize).unwrap_or("")
    }
    /// The service prefix: `iam` for `iam.amazonaws.com`.
    pub fn service(&self, i: u32) -> &str {
        let s = self.event_source(i);
        s.split('.').next().unwrap_or(s)
    }
    pub fn sensitive(&self, i: u32) -> bool {
        self.a
            .event_source
            .id(i as usize)
            .is_some_and(|id| self.sources[id as usize].sensitive)
    }
    /// Not read-only: `read_only` when recorded, else by the verb.
    pub fn not_read_only(&self, i: u32) -> bool {
        match self.a.read_only[i as usize] {
            Some(ro) => !ro,
            None => !self.name(i).is_some_and(|n| n.looks_read),
        }
    }
    pub fn failed(&self, i: u32) -> bool {
        self.a.error_code.id(i as usize).is_some()
    }
    pub fn denied(&self, i: u32) -> bool {
        self.a
            .error_code
            .id(i as usize)
            .is_some_and(|id| self.denied[id as usize])
    }
    pub fn destructive(&self, i: u32) -> bool {
        self.a.destructive[i as usize]
    }
    /// The destructive severity column, parsed.
    pub fn dseverity(&self, i: u32) -> Option<Severity> {
        self.a
            .severity
            .id(i as usize)
            .and_then(|id| self.severities[id as usize])
    }
    pub fn params(&self, i: u32) -> Option<&str> {
        self.a.request_parameters[i as usize].as_deref()
    }
    pub fn session(&self, i: u32) -> Option<&str> {
        self.a.agent_session_id.get(i as usize)
    }

    pub fn api(&self, i: u32) -> Api {
        let i = i as usize;
        match self.a.iam_action.id(i) {
            Some(id) => (NONE, id),
            None => (
                self.a.event_source.id(i).unwrap_or(NONE),
                self.a.event_name.id(i).unwrap_or(NONE),
            ),
        }
    }
    pub fn api_str(&self, api: Api) -> String {
        let a = self.a;
        let part = |c: &super::StrCol, id: u32| {
            if id == NONE {
                "?".to_string()
            } else {
                c.value(id).to_string()
            }
        };
        match api {
            (NONE, id) => part(&a.iam_action, id),
            (s, n) => format!("{}:{}", part(&a.event_source, s), part(&a.event_name, n)),
        }
    }

    pub fn kind_str(&self, x: &Actor) -> &str {
        x.kind_id
            .map_or("unknown", |id| self.a.actor_kind.value(id))
    }
    pub fn actor_str(&self, x: &Actor) -> &str {
        x.actor
            .map_or("(unattributed)", |id| self.a.actor.value(id))
    }
    pub fn operator_str(&self, x: &Actor) -> Option<&str> {
        x.operator.map(|id| self.a.operator.value(id))
    }

    /// How explanations name an actor: `dave's kiro`, `alice`.
    pub fn who(&self, x: &Actor) -> String {
        let actor = self.actor_str(x);
        match (x.kind, self.operator_str(x)) {
            (Kind::Ai, Some(op)) if !actor.contains(op) => format!("{op}'s {actor}"),
            _ => actor.to_string(),
        }
    }

    /// `who`, plus ` session 7f3a1c2b` when all `rows` are in one agent
    /// session (`sessions` when several).
    pub fn who_in(&self, x: &Actor, rows: &[u32]) -> String {
        let mut s: Vec<&str> = rows.iter().filter_map(|&i| self.session(i)).collect();
        s.sort_unstable();
        s.dedup();
        match s.as_slice() {
            [] => self.who(x),
            [one] => format!("{} session {}", self.who(x), short(one)),
            many => format!("{} ({} sessions)", self.who(x), many.len()),
        }
    }

    /// Evidence rows → a finding: rows sorted by (time, event id) and
    /// de-duplicated, window from the first to the last, ids capped.
    pub fn finding(
        &self,
        detector: &'static str,
        severity: Severity,
        x: &Actor,
        mut rows: Vec<u32>,
        score: f64,
        explanation: String,
    ) -> Finding {
        let a = self.a;
        rows.sort_unstable_by(|&p, &q| {
            self.time(p)
                .cmp(&self.time(q))
                .then_with(|| a.event_id.get(p as usize).cmp(&a.event_id.get(q as usize)))
        });
        rows.dedup();
        let start = rows.first().map_or(0, |&i| self.time(i));
        let end = rows.last().map_or(0, |&i| self.time(i));
        let mut ids: Vec<&str> = rows
            .iter()
            .map(|&i| a.event_id.get(i as usize).unwrap_or(""))
            .collect();
        let event_ids = ids
            .iter()
            .take(self.t.max_evidence)
            .map(|s| s.to_string())
            .collect();
        ids.sort_unstable();
        let account_ids = rows.iter().map(|&i| a.account_id.id(i as usize));
        let account = one_value(account_ids).map(|id| a.account_id.value(id).to_string());
        let kind = self.kind_str(x);
        let actor = self.actor_str(x);
        let operator = self.operator_str(x);
        Finding {
            finding_id: finding_id(detector, kind, actor, operator, start, &ids),
            detector,
            severity,
            actor_kind: kind.to_string(),
            actor: actor.to_string(),
            operator: operator.map(str::to_string),
            account,
            window_start_us: start,
            window_end_us: end,
            event_ids,
            event_count: rows.len(),
            score,
            explanation,
        }
    }
}

/// The single non-null value of an iterator, if there is exactly one.
fn one_value(mut it: impl Iterator<Item = Option<u32>>) -> Option<u32> {
    let first = it.next()??;
    it.all(|v| v == Some(first)).then_some(first)
}

/// The first 8 characters of a session id.
pub(crate) fn short(s: &str) -> &str {
    s.char_indices().nth(8).map_or(s, |(i, _)| &s[..i])
}

pub(crate) fn fmt_time(us: i64) -> String {
    chrono::DateTime::from_timestamp_micros(us).map_or_else(
        || us.to_string(),
        |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

pub(crate) fn fmt_day(us: i64) -> String {
    chrono::DateTime::from_timestamp_micros(us)
        .map_or_else(|| us.to_string(), |t| t.format("%Y-%m-%d").to_string())
}

/// `45 s`, `6 min`, `2.5 h`.
pub(crate) fn fmt_span(us: i64) -> String {
    if us < US_PER_MIN {
        format!("{} s", us / 1_000_000)
    } else if us < 2 * US_PER_HOUR {
        format!("{} min", (us + US_PER_MIN / 2) / US_PER_MIN)
    } else {
        format!("{:.1} h", us as f64 / US_PER_HOUR as f64)
    }
}

/// `1 resource`, `3 resources`.
/// "3 destructive calls", or "3 destructive calls in 1 action" when the
/// calls came from fewer actions (decisions) than calls.
pub(crate) fn calls_in_actions(cx: &Ctx, rows: &[u32], word: &str) -> String {
    let mut actions: Vec<Option<u32>> = rows
        .iter()
        .map(|&i| cx.a.action_id.id(i as usize))
        .collect();
    actions.sort_unstable();
    actions.dedup();
    if actions.len() < rows.len() {
        format!(
            "{} in {}",
            plural(rows.len(), word),
            plural(actions.len(), "action")
        )
    } else {
        plural(rows.len(), word)
    }
}

pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// A list for a sentence, at most `max` items then `and N more`.
pub(crate) fn list(items: &[String], max: usize) -> String {
    if items.len() <= max {
        items.join(", ")
    } else {
        format!(
            "{}, and {} more",
            items[..max].join(", "),
            items.len() - max
        )
    }
}

/// Counts kept while a time window slides over a sorted run of events.
pub(crate) trait WindowCounts {
    fn add(&mut self, k: usize);
    fn remove(&mut self, k: usize);
    fn qualifies(&self) -> bool;
}

/// The stretches of `times` (sorted) covered by some window of `window_us`
/// (events less than `window_us` apart from the window's first) whose
/// counts qualify; windows sharing events merge. Inclusive index
/// ranges, in order.
pub(crate) fn qualifying_runs(
    times: &[i64],
    window_us: i64,
    counts: &mut impl WindowCounts,
) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut l = 0;
    for r in 0..times.len() {
        counts.add(r);
        while times[r] - times[l] >= window_us {
            counts.remove(l);
            l += 1;
        }
        if counts.qualifies() {
            match out.last_mut() {
                Some(last) if l <= last.1 => last.1 = r,
                _ => out.push((l, r)),
            }
        }
    }
    out
}

/// Per-window counts of events and of distinct keys among them.
pub(crate) struct DistinctCounts<K> {
    pub keys: Vec<K>,
    pub per_key: HashMap<K, u32>,
    pub events: u32,
    pub min_events: u32,
    pub min_distinct: u32,
}

impl<K: std::hash::Hash + Eq + Copy> DistinctCounts<K> {
    pub fn new(keys: Vec<K>, min_events: u32, min_distinct: u32) -> Self {
        DistinctCounts {
            keys,
            per_key: HashMap::new(),
            events: 0,
            min_events: min_events.max(1),
            min_distinct: min_distinct.max(1),
        }
    }
}

impl<K: std::hash::Hash + Eq + Copy> WindowCounts for DistinctCounts<K> {
    fn add(&mut self, k: usize) {
        self.events += 1;
        *self.per_key.entry(self.keys[k]).or_insert(0) += 1;
    }
    fn remove(&mut self, k: usize) {
        self.events -= 1;
        let key = self.keys[k];
        if let Some(c) = self.per_key.get_mut(&key) {
            *c -= 1;
            if *c == 0 {
                self.per_key.remove(&key);
            }
        }
    }
    fn qualifies(&self) -> bool {
        self.events >= self.min_events && self.per_key.len() as u32 >= self.min_distinct
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_and_nouns() {
        let f = name_info("DeleteFunction20150331v2");
        assert!(f.delete_verb && !f.create_verb && &*f.noun == "Function");
        let r = name_info("RunInstances");
        assert!(r.create_verb && &*r.noun == "Instance");
        assert!(name_info("DescribeInstances").looks_read);
        assert!(!name_info("StopLogging").delete_verb);
    }

    #[test]
    fn access_denied_codes() {
        for c in [
            "AccessDenied",
            "AccessDeniedException",
            "UnauthorizedOperation",
            "Client.UnauthorizedOperation",
            "NotAuthorizedException",
        ] {
            assert!(is_access_denied(c), "{c}");
        }
        assert!(!is_access_denied("ThrottlingException"));
    }

    #[test]
    fn runs_merge_overlapping_windows() {
        let times = [0, 1, 2, 3, 100, 101, 102, 103, 104];
        let mut c = DistinctCounts::new((0..times.len()).collect(), 3, 1);
        assert_eq!(qualifying_runs(&times, 10, &mut c), vec![(0, 3), (4, 8)]);
        let mut c = DistinctCounts::new(vec![0; times.len()], 3, 2);
        assert!(qualifying_runs(&times, 10, &mut c).is_empty());
    }

    #[test]
    fn spans_read_well() {
        assert_eq!(fmt_span(6 * US_PER_MIN), "6 min");
        assert_eq!(fmt_span(5 * US_PER_HOUR / 2), "2.5 h");
        assert_eq!(fmt_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(short("7f3a1c2b-aaaa"), "7f3a1c2b");
    }
}
