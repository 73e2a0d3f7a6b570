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
use rayon::slice::ParallelSliceMut;

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
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
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
///
/// Events are grouped by sorting, not by a map of lists: a store of
/// millions of events has about as many actions, and a list each cost
/// hundreds of megabytes (issue 24). Each event gets its group's number;
/// `(group, time, index)` sorted lays every group out in time order, and
/// `(action, time, index)` sorted does the same for actions.
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
    let mut group_ids: PlHashMap<Key, u32> = PlHashMap::default();
    // (group, time, event) of every event outside a cascade.
    let mut by_group: Vec<(u32, i64, u32)> = Vec::with_capacity(n - cascade_of.len().min(n));
    // Each group's run gap (a call's group never splits).
    let mut gaps: Vec<Option<i64>> = Vec::new();
    let mut ua_gap: PlHashMap<Option<u32>, i64> = PlHashMap::default();
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
        let next = group_ids.len() as u32;
        let g = *group_ids.entry(key).or_insert_with(|| {
            let run_gap = matches!(key, Key::Run { .. }).then(|| {
                *ua_gap
                    .entry(e.user_agent.id(i))
                    .or_insert_with(|| gap(e.user_agent.get(i)))
            });
            gaps.push(run_gap);
            next
        });
        by_group.push((g, e.time[i], i as u32));
    }
    drop(group_ids);
    by_group.par_sort_unstable();
    let mut first = vec![u32::MAX; n];
    let mut k = 0;
    while k < by_group.len() {
        let (g, _, head) = by_group[k];
        let gap = gaps[g as usize];
        let mut start = head;
        let mut prev = by_group[k].1;
        while k < by_group.len() && by_group[k].0 == g {
            let (_, t, i) = by_group[k];
            if gap.is_some_and(|gap| t - prev > gap) {
                start = i;
            }
            first[i as usize] = start;
            prev = t;
            k += 1;
        }
    }
    drop(by_group);
    // Cascades join their operation's action.
    for (&i, &op) in cascade_of {
        first[i as usize] = first[op as usize];
    }
    /// An operation: event source and event name.
    type Operation<'a> = (Option<&'a str>, Option<&'a str>);
    // Events in each action, in time order, for `via`.
    let mut by_action: Vec<(u32, i64, u32)> =
        (0..n).map(|i| (first[i], e.time[i], i as u32)).collect();
    by_action.par_sort_unstable();
    let catalog = crate::shell_commands::catalog::catalog().ok();
    let mut via = vec![Via::Direct; n];
    let mut count = 0;
    // Each operation met so far in the action, with the time it was last
    // called.
    let mut seen: Vec<(Operation<'_>, i64)> = Vec::new();
    for (k, &(action, t, i)) in by_action.iter().enumerate() {
        if k == 0 || by_action[k - 1].0 != action {
            count += 1;
            seen.clear();
        }
        let i = i as usize;
        if cascade_of.contains_key(&(i as u32)) {
            via[i] = Via::CloudFormation;
            continue;
        }
        let op = (e.source.get(i), e.name.get(i));
        match seen.iter_mut().find(|(o, _)| *o == op) {
            None => seen.push((op, t)),
            Some((_, last)) => {
                via[i] = repeat_kind(op, e.write[i], t - *last, catalog);
                *last = t;
            }
        }
    }
    Actions { count, first, via }
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
