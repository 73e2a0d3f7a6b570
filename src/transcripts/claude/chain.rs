//! The record chain of a Claude Code file (issue 23, evidence integrity).
//!
//! Claude Code gives every record it writes a `uuid` and links it to the
//! record before it with `parentUuid`. The chain starts at a root
//! (`parentUuid: null`: the first record of a session, or a
//! `compact_boundary` system record, which keeps the old link in
//! `logicalParentUuid`). A resumed session's first record may point into
//! the file it continues, so a session's first record in a file may have a
//! parent the file does not hold. A tool's `tool_result` is written on a
//! user record below the assistant record holding its `tool_use`.
//!
//! A line added to the file by hand rarely fits that chain: its parent is
//! not an earlier record (`parent_not_found`), its uuid repeats one
//! (`duplicate_uuid`), it is dated before its parent (`time_backwards`), it
//! is a root in the middle of a session of a file that chains
//! (`null_parent`), or its result sits above it or outside its descendants
//! (`result_before_use`, `result_not_descendant`). Each tool call on such a
//! record gets `tool_calls.chain_break`: the kind and where, which
//! attribution turns into a doubted match. A record written with a fresh
//! uuid, the last record as parent and a later time is not caught here;
//! see ARCHITECTURE.md, "Evidence and forgery".

use std::collections::HashMap;

use foldhash::fast::RandomState;

use super::super::time::{TimeRead, parse_time};

/// How far a record may be dated before its parent (records of one
/// response are written a few milliseconds apart, not always in order).
const TOLERANCE_US: i64 = 2_000_000;

/// Ancestors walked from a result looking for its tool use; beyond this the
/// result is not doubted (tool results sit a few records below their use).
const MAX_WALK: usize = 10_000;

/// A hash map keyed by text from the file: seeded per run (keys are
/// attacker-controlled), faster than the standard hasher on short ids.
type Map<K, V> = HashMap<K, V, RandomState>;

/// The first record of each uuid.
struct Rec {
    seq: u64,
    line: u64,
    time: Option<i64>,
    parent: Parent,
}

/// A record's `parentUuid`: most name an earlier record, kept by index.
enum Parent {
    None,
    Earlier(u32),
    /// Not met before this record (perhaps later in the file, or never).
    Named(Box<str>),
}

/// What the chain looks like, filled line by line.
#[derive(Default)]
pub(super) struct Chain {
    recs: Vec<Rec>,
    by_uuid: Map<Box<str>, u32>,
    /// Sessions met in this file, each with whether some record of it
    /// links to a parent: a session that never does (old versions,
    /// hand-made files) is not checked for roots or descent.
    sessions: Map<Box<str>, u32>,
    linked: Vec<bool>,
    /// A break found on a record, by record number.
    breaks: Map<u64, String>,
    /// Roots in the middle of a session, by record number: (session, why),
    /// a break if the session links.
    mid_roots: Map<u64, (u32, String)>,
    /// The record (of its uuid) and session of each record, by record number.
    by_seq: Map<u64, (u32, u32)>,
}

/// Where a record is: its number in the file (records of a one-line export
/// share a line) and its line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct At {
    pub(super) seq: u64,
    pub(super) line: u64,
}

/// One record's chain fields, as read.
pub(super) struct Link<'a> {
    pub(super) at: At,
    pub(super) uuid: Option<&'a str>,
    pub(super) parent: Option<&'a str>,
    pub(super) logical_parent: bool,
    pub(super) compact_boundary: bool,
    pub(super) session: Option<&'a str>,
    pub(super) timestamp: Option<&'a str>,
}

fn micros(s: Option<&str>) -> Option<i64> {
    match parse_time(s?)? {
        TimeRead::Zoned(t) | TimeRead::Naive(t) => Some(t),
    }
}

fn short(id: &str) -> String {
    super::super::text::bounded(id, 40)
}

impl Chain {
    /// Adds one record (any type) that carries a `uuid`.
    pub(super) fn add(&mut self, l: &Link<'_>) {
        let Some(uuid) = l.uuid.filter(|u| !u.is_empty()) else {
            return;
        };
        let (seq, line) = (l.at.seq, l.at.line);
        let time = micros(l.timestamp);
        let session = l.session.unwrap_or_default();
        let (si, first_of_session) = match self.sessions.get(session) {
            Some(&i) => (i, false),
            None => {
                let i = self.linked.len() as u32;
                self.sessions.insert(session.into(), i);
                self.linked.push(false);
                (i, true)
            }
        };
        let parent = l.parent.filter(|p| !p.is_empty());
        let known = self.by_uuid.get(uuid).copied();
        let mut why = known.map(|i| {
            format!(
                "duplicate_uuid: uuid {} of line {} was already used on line {}",
                short(uuid),
                line,
                self.recs[i as usize].line
            )
        });
        let mut parent_ref = Parent::None;
        match parent {
            Some(p) => {
                self.linked[si as usize] = true;
                match self.by_uuid.get(p) {
                    Some(&pi) => {
                        let pr = &self.recs[pi as usize];
                        if let (Some(t), Some(pt)) = (time, pr.time)
                            && t < pt - TOLERANCE_US
                            && why.is_none()
                        {
                            why = Some(format!(
                                "time_backwards: line {} is dated before its parent on line {}",
                                line, pr.line
                            ));
                        }
                        parent_ref = Parent::Earlier(pi);
                    }
                    None => {
                        if !first_of_session && why.is_none() {
                            why = Some(format!(
                                "parent_not_found: parentUuid {} of line {} is not an earlier record of the file",
                                short(p),
                                line
                            ));
                        }
                        parent_ref = Parent::Named(p.into());
                    }
                }
            }
            None if !first_of_session && !l.compact_boundary && !l.logical_parent => {
                self.mid_roots.insert(
                    seq,
                    (
                        si,
                        format!(
                            "null_parent: line {line} starts a new chain in the middle of its session"
                        ),
                    ),
                );
            }
            None => {}
        }
        if let Some(w) = why {
            self.breaks.insert(seq, w);
        }
        // A duplicate keeps the first record's place in the chain.
        let ri = known.unwrap_or_else(|| {
            let i = self.recs.len() as u32;
            self.by_uuid.insert(uuid.into(), i);
            self.recs.push(Rec {
                seq,
                line,
                time,
                parent: parent_ref,
            });
            i
        });
        self.by_seq.insert(seq, (ri, si));
    }

    /// The record a record's parent names, if the file holds it.
    fn parent_of(&self, rec: &Rec) -> Option<u32> {
        match &rec.parent {
            Parent::None => None,
            Parent::Earlier(i) => Some(*i),
            Parent::Named(p) => self.by_uuid.get(p).copied(),
        }
    }

    /// Why the tool call used at `used` and answered at `result` (when
    /// there is a result) is outside a consistent chain, if it is.
    pub(super) fn call_break(&self, used: At, result: Option<At>) -> Option<String> {
        if let Some(w) = self.breaks.get(&used.seq) {
            return Some(w.clone());
        }
        if let Some((session, w)) = self.mid_roots.get(&used.seq)
            && self.linked[*session as usize]
        {
            return Some(w.clone());
        }
        let r = result?;
        if r.seq < used.seq {
            return Some(format!(
                "result_before_use: the tool_result on line {} is above its tool_use on line {}",
                r.line, used.line
            ));
        }
        if let Some(w) = self.breaks.get(&r.seq) {
            return Some(format!("result: {w}"));
        }
        let (Some(&(use_rec, session)), Some(&(res_rec, _))) =
            (self.by_seq.get(&used.seq), self.by_seq.get(&r.seq))
        else {
            return None;
        };
        if !self.linked[session as usize] || use_rec == res_rec {
            return None;
        }
        // Walk up from the result; a chain that ends, or passes above the
        // use, without meeting it means the result hangs off another branch.
        // A parent not in the file ends the walk.
        let mut at = self.parent_of(&self.recs[res_rec as usize]);
        for _ in 0..MAX_WALK {
            let Some(p) = at else { break };
            if p == use_rec {
                return None;
            }
            let rec = &self.recs[p as usize];
            if rec.seq <= used.seq {
                break;
            }
            at = self.parent_of(rec);
        }
        if at.is_some_and(|p| p != use_rec && self.recs[p as usize].seq > used.seq) {
            return None; // walk too long: not doubted
        }
        Some(format!(
            "result_not_descendant: the tool_result on line {} does not descend from the tool_use on line {}",
            r.line, used.line
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u64) -> At {
        At { seq: line, line }
    }

    fn link<'a>(line: u64, uuid: &'a str, parent: Option<&'a str>, ts: &'a str) -> Link<'a> {
        Link {
            at: at(line),
            uuid: Some(uuid),
            parent,
            logical_parent: false,
            compact_boundary: false,
            session: Some("s"),
            timestamp: Some(ts),
        }
    }

    fn chain(rows: &[Link<'_>]) -> Chain {
        let mut c = Chain::default();
        for l in rows {
            c.add(l);
        }
        c
    }

    #[test]
    fn a_linked_file_passes_and_each_kind_of_break_is_named() {
        let ok = chain(&[
            link(1, "a", None, "2025-12-08T10:00:00Z"),
            link(2, "b", Some("a"), "2025-12-08T10:00:05Z"),
            link(3, "c", Some("b"), "2025-12-08T10:00:09Z"),
        ]);
        assert_eq!(ok.call_break(at(2), Some(at(3))), None);
        let rows = vec![
            link(1, "a", None, "2025-12-08T10:00:00Z"),
            link(2, "b", Some("a"), "2025-12-08T10:00:05Z"),
            link(3, "c", Some("b"), "2025-12-08T10:00:09Z"),
            // Appended by hand: a made-up parent, a repeated uuid, a time
            // before its parent, a root mid-session.
            link(4, "d", Some("zz"), "2025-12-08T10:01:00Z"),
            link(5, "b", Some("c"), "2025-12-08T10:01:00Z"),
            link(6, "e", Some("c"), "2025-12-08T09:00:00Z"),
            link(7, "f", None, "2025-12-08T10:02:00Z"),
            link(8, "g", Some("a"), "2025-12-08T10:03:00Z"),
        ];
        let c = chain(&rows);
        let kind = |w: Option<String>| w.unwrap_or_default();
        assert!(kind(c.call_break(at(4), None)).starts_with("parent_not_found"));
        assert!(kind(c.call_break(at(5), None)).starts_with("duplicate_uuid"));
        assert!(kind(c.call_break(at(6), None)).starts_with("time_backwards"));
        assert!(kind(c.call_break(at(7), None)).starts_with("null_parent"));
        assert!(kind(c.call_break(at(3), Some(at(2)))).starts_with("result_before_use"));
        // Line 8 hangs off line 1, not off the use on line 2.
        assert!(kind(c.call_break(at(2), Some(at(8)))).starts_with("result_not_descendant"));
        assert_eq!(c.call_break(at(2), Some(at(3))), None);
    }

    #[test]
    fn roots_a_resumed_session_and_compaction_are_not_breaks() {
        let mut rows = vec![
            // A resumed session's first record points into the old file.
            link(1, "a", Some("elsewhere"), "2025-12-08T10:00:00Z"),
            link(2, "b", Some("a"), "2025-12-08T10:00:05Z"),
            link(3, "c", None, "2025-12-08T10:30:00Z"),
            link(4, "d", Some("c"), "2025-12-08T10:30:05Z"),
        ];
        rows[2].compact_boundary = true;
        let c = chain(&rows);
        for l in 1..=4 {
            assert_eq!(c.call_break(at(l), None), None, "line {l}");
        }
        // A file that never links (old versions) is not checked for roots.
        let c = chain(&[
            link(1, "a", None, "2025-12-08T10:00:00Z"),
            link(2, "b", None, "2025-12-08T10:00:05Z"),
        ]);
        assert_eq!(c.call_break(at(1), Some(at(2))), None);
    }
}
