//! **unapproved_destructive_ai**: an AI agent's destructive call that no
//! person is on record as approving: its tool call was auto-approved by a
//! rule or mode (`approval` = "auto_approved", the rule named from
//! `approval_rule`), or its approval is unknown (the record does not say;
//! not the same as "no") and the operator had not written in the session
//! for more than `max_silence_secs` (or never had: `human_last_spoke_secs`
//! null).
//!
//! *Why*: destructive actions are where a human in the loop matters most;
//! an agent deleting things in an auto-approve mode, or long after the
//! last instruction, acted on its own judgement.
//!
//! *How*: the analysed rows of `ai` actors with `destructive` set (the
//! catalog's verdict, successful calls) meeting the rule above. Per agent
//! session (rows without a session form one group per actor), flagged calls
//! less than `burst_gap_minutes` apart are one finding. **Score** = Σ of
//! the calls' destructive severity (low 1, medium 2, high 3, critical 4,
//! unknown 2). **Severity** = the highest destructive severity among them
//! (medium when none is recorded).
//!
//! *False positives and assumptions*: approval states are the attribution's
//! `approval` column (approved, auto_approved, rejected, unknown); an
//! agent's event with no tool call is `unknown` (silence null), so agents
//! seen only through user agents or roles are flagged too; a person may
//! have clicked yes without the transcript storing it, or approved a plan
//! in words earlier than the silence limit: the explanation says "without
//! recorded approval", never "unapproved". Rejected calls are not flagged.

use super::US_PER_MIN;
use super::ctx::{Actor, Ctx, Kind, calls_in_actions, fmt_span, fmt_time};
use super::finding::{Finding, Severity};
use rayon::prelude::*;
use std::collections::BTreeMap;

pub const NAME: &str = "unapproved_destructive_ai";

pub fn run(cx: &Ctx) -> Vec<Finding> {
    cx.actors
        .par_iter()
        .filter(|x| x.kind == Kind::Ai)
        .flat_map_iter(|x| actor(cx, x))
        .collect()
}

/// Why a call counts as unapproved, or `None`.
fn unapproved(cx: &Ctx, i: u32) -> Option<&'static str> {
    let approval = cx.a.approval.get(i as usize);
    let spoke = cx.a.human_last_spoke_secs[i as usize];
    let silent = spoke.is_none_or(|s| s > cx.t.unapproved_destructive_ai.max_silence_secs);
    match approval {
        Some("auto_approved") => Some("auto-approved"),
        Some("approved" | "rejected") => None,
        _ if silent => Some("unattended"),
        _ => None,
    }
}

fn weight(s: Option<Severity>) -> u32 {
    match s {
        Some(Severity::Critical) => 4,
        Some(Severity::High) => 3,
        Some(Severity::Low | Severity::Info) => 1,
        _ => 2,
    }
}

fn actor(cx: &Ctx, x: &Actor) -> Vec<Finding> {
    let gap = i64::from(cx.t.unapproved_destructive_ai.burst_gap_minutes.max(1)) * US_PER_MIN;
    // Session id → its bursts of flagged calls.
    let mut sessions: BTreeMap<Option<u32>, Vec<Vec<u32>>> = BTreeMap::new();
    for &i in cx.analysed(x) {
        if !cx.destructive(i) || unapproved(cx, i).is_none() {
            continue;
        }
        let bursts = sessions
            .entry(cx.a.agent_session_id.id(i as usize))
            .or_default();
        match bursts.last_mut() {
            Some(b) if cx.time(i) - cx.time(b[b.len() - 1]) < gap => b.push(i),
            _ => bursts.push(vec![i]),
        }
    }
    sessions
        .into_values()
        .flatten()
        .map(|rows| finding(cx, x, rows))
        .collect()
}

fn finding(cx: &Ctx, x: &Actor, rows: Vec<u32>) -> Finding {
    let t = &cx.t.unapproved_destructive_ai;
    let auto = rows
        .iter()
        .filter(|&&i| unapproved(cx, i) == Some("auto-approved"))
        .count();
    let unattended = rows.len() - auto;
    let mut rules: Vec<&str> = rows
        .iter()
        .filter(|&&i| unapproved(cx, i) == Some("auto-approved"))
        .map(|&i| {
            cx.a.approval_rule
                .get(i as usize)
                .unwrap_or("rule not recorded")
        })
        .collect();
    rules.sort_unstable();
    rules.dedup();
    let mut parts = Vec::new();
    if auto > 0 {
        parts.push(format!("{auto} auto-approved ({})", rules.join("; ")));
    }
    if unattended > 0 {
        parts.push(format!(
            "{unattended} without recorded approval (unknown: the tool cannot tell whether a person clicked yes) and no operator message within {} s",
            t.max_silence_secs
        ));
    }
    let severity = rows
        .iter()
        .map(|&i| cx.dseverity(i).unwrap_or(Severity::Medium))
        .max()
        .unwrap_or(Severity::Medium);
    let score: u32 = rows.iter().map(|&i| weight(cx.dseverity(i))).sum();
    let mut names: Vec<&str> = rows.iter().map(|&i| cx.event_name(i)).collect();
    names.sort_unstable();
    names.dedup();
    let longest = rows
        .iter()
        .filter_map(|&i| cx.a.human_last_spoke_secs[i as usize])
        .max();
    let silence = match longest {
        Some(s) => format!("operator silent up to {}", fmt_span(s * 1_000_000)),
        None => "no operator message before the calls".to_string(),
    };
    let first = cx.time(rows[0]);
    let span = cx.time(rows[rows.len() - 1]) - first;
    let explanation = format!(
        "{} made {} ({}) with no person's approval on record from {} over {}: {} ({silence})",
        cx.who_in(x, &rows),
        calls_in_actions(cx, &rows, "destructive call"),
        names.join(", "),
        fmt_time(first),
        fmt_span(span),
        parts.join(", "),
    );
    cx.finding(NAME, severity, x, rows, f64::from(score), explanation)
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::{Thresholds, detect};
    use super::*;

    fn del(t: i64, session: &str) -> Ev {
        ev(t, "ec2:TerminateInstances")
            .ai("claude-code", "gina", session)
            .destroys("high")
    }

    #[test]
    fn auto_approved_and_unattended_deletes_are_one_finding_per_burst() {
        let mut k = Kit::default();
        k.add(del(at(15, 10, 0), "s1").approval(Some("auto_approved"), Some(20)));
        k.add(del(at(15, 10, 4), "s1").approval(Some("unknown"), Some(1800)));
        k.add(
            del(at(15, 10, 9), "s1")
                .approval(None, None)
                .destroys("critical"),
        );
        // A new burst, and another session.
        k.add(del(at(15, 12, 0), "s1").approval(Some("auto_approved"), Some(5)));
        k.add(del(at(15, 10, 1), "s2").approval(Some("auto_approved"), Some(5)));
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        let f = of(&f, NAME);
        assert_eq!(f.len(), 3, "{f:#?}");
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(f[0].event_count, 3);
        assert_eq!(f[0].score, 10.0);
        assert_eq!(
            f[0].explanation,
            "gina's claude-code session s1 made 3 destructive calls (TerminateInstances) with no person's approval on record from 2026-03-17 10:00 UTC over 9 min: 1 auto-approved (permissionMode=bypassPermissions), 2 without recorded approval (unknown: the tool cannot tell whether a person clicked yes) and no operator message within 600 s (operator silent up to 30 min)"
        );
    }

    #[test]
    fn approved_attended_or_human_deletes_are_not() {
        let mut k = Kit::default();
        k.add(del(at(15, 10, 0), "s1").approval(Some("approved"), Some(5000)));
        k.add(del(at(15, 10, 1), "s1").approval(Some("unknown"), Some(120)));
        k.add(del(at(15, 10, 2), "s1").approval(None, Some(600)));
        // A rejection on record is not flagged, however silent the operator.
        k.add(del(at(15, 10, 3), "s1").approval(Some("rejected"), None));
        k.add(ev(at(15, 10, 3), "ec2:TerminateInstances").destroys("high"));
        // Not destructive (failed, so the catalog says false).
        k.add(
            ev(at(15, 10, 4), "ec2:TerminateInstances")
                .ai("claude-code", "gina", "s1")
                .approval(Some("auto_approved"), None)
                .error("AccessDenied"),
        );
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        assert!(of(&f, NAME).is_empty(), "{f:#?}");
    }
}
