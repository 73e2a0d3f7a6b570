//! The scenario's plan: everything decided before any file is written.
//! Scripted events (agents, incidents, CloudFormation, CI) are held here as
//! `Spec`s; background events are generated later per delivery job from
//! the same configuration. Every uid is handed out here in a fixed order,
//! which is what makes the output independent of thread count.

use crate::scenario::incidents::export::Incident;
use crate::scenario::record::{CiRun, RoleSession};
use crate::scenario::session::Session;
use crate::scenario::spec::{CallRef, Names, Spec};

/// Decided up front, read by the writers.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub seed: u64,
    /// Epoch seconds of the first day, 00:00 UTC.
    pub start: i64,
    pub days: u32,
    pub bg_scale: u32,
    pub agent_scale: u32,
    pub names: Names,
    /// Scripted events.
    pub specs: Vec<Spec>,
    /// Tool calls that cause events; `Truth::call` is 1-based into this.
    pub calls: Vec<CallRef>,
    pub codex: Vec<RoleSession>,
    pub ci: Vec<CiRun>,
    pub sessions: Vec<Session>,
    pub incidents: Vec<Incident>,
    /// `(workload, from, to)`: the workload does not run in this window.
    pub outages: Vec<(u8, i64, i64)>,
    next_uid: u64,
    /// AI events emitted so far (every twentieth is shifted by clock skew).
    ai_events: u64,
}

/// Scripted uids stay below this; background uids start here.
pub(crate) const BACKGROUND_UID: u64 = 1 << 40;

impl Plan {
    pub(crate) fn new(seed: u64, start: i64, days: u32, bg_scale: u32, agent_scale: u32) -> Plan {
        Plan {
            seed,
            start,
            days,
            bg_scale,
            agent_scale,
            next_uid: 1,
            ..Plan::default()
        }
    }

    /// The next scripted uid.
    pub(crate) fn uid(&mut self) -> u64 {
        let u = self.next_uid;
        self.next_uid += 1;
        u
    }

    /// Whether the next AI event is one of the one-in-twenty shifted by a
    /// host's clock skew.
    pub(crate) fn skew_due(&mut self) -> bool {
        self.ai_events += 1;
        self.ai_events % 20 == 10
    }

    /// The end of the scenario, epoch seconds (exclusive).
    pub(crate) fn end(&self) -> i64 {
        self.start + i64::from(self.days) * 86_400
    }

    /// Adds a scripted event if it falls inside the scenario; returns its uid.
    pub(crate) fn push(&mut self, mut spec: Spec) -> Option<u64> {
        if spec.t < self.start || spec.t >= self.end() {
            return None;
        }
        if spec.op.def().global() {
            spec.region = 0;
        }
        spec.uid = self.uid();
        self.specs.push(spec);
        Some(spec.uid)
    }

    /// Registers a tool call; returns its 1-based index for `Truth::call`.
    pub(crate) fn add_call(&mut self, c: CallRef) -> u32 {
        self.calls.push(c);
        self.calls.len() as u32
    }

    /// Weekday of day `d` (0 = Monday).
    pub(crate) fn weekday(&self, d: u32) -> u32 {
        ((self.start / 86_400 + i64::from(d) + 3).rem_euclid(7)) as u32
    }

    /// Day indexes that are weekdays.
    pub(crate) fn workdays(&self) -> Vec<u32> {
        let v: Vec<u32> = (0..self.days).filter(|&d| self.weekday(d) < 5).collect();
        if v.is_empty() {
            (0..self.days).collect()
        } else {
            v
        }
    }
}
