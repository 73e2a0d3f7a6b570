//! Actions: one decision by one actor, and every API call it caused.
//!
//! CloudTrail records API calls, but a person or an agent decides on
//! commands: one `aws s3 rm --recursive` is a `ListObjectsV2` and a
//! `DeleteObject` per key; one `delete-stack` is a `DeleteStack` and every
//! delete CloudFormation then makes; a `describe` that pages is several
//! calls. Counting calls as decisions weighs whoever runs fan-out commands
//! (often an agent) many times over, and makes tests that assume
//! independent trials meaningless. So every event gets an action:
//!
//! 1. CloudFormation's calls for a stack operation (`engine`'s
//!    `cascade_of`) belong to the operation's action, `via` cloudformation.
//! 2. Events matched to an agent's tool call form one action per call.
//! 3. Other events form runs: the same actor (kind and name), principal and
//!    exact user agent (which carries the CLI's `md/command#` and `sid/`),
//!    each call within `gap` of the previous one: 60 s when the user agent
//!    names a CLI command or an infrastructure-as-code tool (waiters poll
//!    every 5–30 s), 5 s otherwise (a console click, an SDK call).
//!
//! The action is named after its first event (by time, then store order):
//! its `action_id` is that event's `event_key`. Within an action, the first
//! call of each operation is `direct`; a repeat is `s3-batch` (S3
//! object-level fan-out), `repeat` (a write again: a retry or a loop),
//! `waiter` (a read a CLI waiter polls, 2 s or more after the previous one)
//! or `pagination` (another read).

use super::engine::{ActorKind, Labels};
use super::input::Events;
use polars::prelude::PlHashMap;

/// How an event came from its action's decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    Direct,
    CloudFormation,
    S3Batch,
    Waiter,
    Pagination,
    Repeat,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Direct => "direct",
            Via::CloudFormation => "cloudformation",
            Via::S3Batch => "s3-batch",
            Via::Waiter => "waiter",
            Via::Pagination => "pagination",
            Via::Repeat => "repeat",
        }
    }
}

/// Every event's action, as the index of the action's first event.
pub struct Actions {
    pub first: Vec<u32>,
    pub via: Vec<Via>,
    /// Distinct actions.
    pub count: usize,
}

/// Gap within a run when the user agent names a command or an IaC tool.
pub const COMMAND_GAP_US: i64 = 60_000_000;
/// Gap within a run otherwise.
const CALL_GAP_US: i64 = 5_000_000;

/// A run's gap for a user agent.
fn gap(user_agent: Option<&str>) -> i64 {
    let Some(ua) = user_agent else {
        return CALL_GAP_US;
    };
    let lower = ua.to_ascii_lowercase();
    let command = lower.contains("md/command#") || lower.contains(" command/");
    let iac = ["terraform", "pulumi", "aws-cdk", "cdk/", "cloudformation"]
        .iter()
        .any(|t| lower.contains(t));
    if command || iac {
        COMMAND_GAP_US
    } else {
        CALL_GAP_US
    }
}

/// What groups events into one action before time splits runs.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Key {
    Call(u32),
    Run {
        kind: ActorKind,
        actor: u32,
        principal: u32,
        user_agent: u32,
    },
}

/// Derives the actions of `e` from its labels and CloudFormation cascades.
pub fn derive(e: &Events, labels: &Labels, cascade_of: &PlHashMap<u32, u32>) -> Actions {
    let n = e.len();
    // Actor names interned once per distinct label.
    let mut actor_ids: PlHashMap<Option<&str>, u32> = PlHashMap::default();
    let label_actor: Vec<u32> = labels
        .table
        .iter()
        .map(|l| {
            let next = actor_ids.len() as u32;
            *actor_ids.entry(l.actor.as_deref()).or_insert(next)
        })
        .collect();
    let mut groups: PlHashMap<Key, Vec<u32>> = PlHashMap::default();
    for i in 0..n {
        if cascade_of.contains_key(&(i as u32)) {
            continue;
        }
        let l = labels.get(i);
        let key = match l.call {
            Some(c) => Key::Call(c),
            None => Key::Run {
                kind: l.kind,
                actor: label_actor[labels.of[i] as usize],
                principal: e.principal_arn.id(i).map_or(u32::MAX, |v| v),
                user_agent: e.user_agent.id(i).map_or(u32::MAX, |v| v),
            },
        };
        groups.entry(key).or_default().push(i as u32);
    }
    let mut first = vec![u32::MAX; n];
    let by_time = |a: &u32, b: &u32| (e.time[*a as usize], *a).cmp(&(e.time[*b as usize], *b));
    let mut keys: Vec<Key> = groups.keys().copied().collect();
    keys.sort_unstable();
    let mut members: Vec<Vec<u32>> = Vec::new();
    for key in keys {
        let mut v = groups.remove(&key).unwrap_or_default();
        v.sort_unstable_by(by_time);
        match key {
            Key::Call(_) => members.push(v),
            Key::Run { .. } => {
                let g = gap(e.user_agent.get(v[0] as usize));
                let mut start = 0;
                for k in 1..=v.len() {
                    let split =
                        k == v.len() || e.time[v[k] as usize] - e.time[v[k - 1] as usize] > g;
                    if split {
                        members.push(v[start..k].to_vec());
                        start = k;
                    }
                }
            }
        }
    }
    for m in &members {
        for &i in m {
            first[i as usize] = m[0];
        }
    }
    // Cascades join their operation's action.
    for (&i, &op) in cascade_of {
        first[i as usize] = first[op as usize];
    }
    /// An operation: event source and event name.
    type Operation<'a> = (Option<&'a str>, Option<&'a str>);
    // Events in an action, in time order, for `via`.
    let mut in_action: PlHashMap<u32, Vec<u32>> = PlHashMap::default();
    for (i, &f) in first.iter().enumerate() {
        in_action.entry(f).or_default().push(i as u32);
    }
    let catalog = crate::shell_commands::catalog::catalog().ok();
    let mut via = vec![Via::Direct; n];
    for events in in_action.values_mut() {
        events.sort_unstable_by(by_time);
        // Each operation met so far, with the time it was last called.
        let mut seen: Vec<(Operation<'_>, i64)> = Vec::new();
        for &i in events.iter() {
            let i = i as usize;
            if cascade_of.contains_key(&(i as u32)) {
                via[i] = Via::CloudFormation;
                continue;
            }
            let op = (e.source.get(i), e.name.get(i));
            let t = e.time[i];
            match seen.iter_mut().find(|(o, _)| *o == op) {
                None => seen.push((op, t)),
                Some((_, last)) => {
                    via[i] = repeat_kind(op, e.write[i], t - *last, catalog);
                    *last = t;
                }
            }
        }
    }
    Actions {
        count: in_action.len(),
        first,
        via,
    }
}

/// A waiter sleeps between polls (5–30 s by default); pages follow each
/// other at once.
const WAITER_PAUSE_US: i64 = 2_000_000;

/// How a repeated operation within one action came about, `since` the
/// operation's previous call.
fn repeat_kind(
    (source, name): (Option<&str>, Option<&str>),
    write: bool,
    since: i64,
    catalog: Option<&crate::shell_commands::catalog::Catalog>,
) -> Via {
    let (source, name) = (source.unwrap_or(""), name.unwrap_or(""));
    if source == "s3.amazonaws.com" && name.contains("Object") {
        return Via::S3Batch;
    }
    if write {
        return Via::Repeat;
    }
    if since >= WAITER_PAUSE_US && catalog.is_some_and(|c| c.polled_by_waiter(source, name)) {
        Via::Waiter
    } else {
        Via::Pagination
    }
}

#[cfg(test)]
mod tests;
