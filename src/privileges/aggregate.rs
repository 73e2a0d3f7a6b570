//! Counting observed IAM actions per (principal, actor, action), with the
//! resource ARNs each cell saw; the first step of the usage report.
//!
//! Role sessions (`arn:aws:sts::ACCT:assumed-role/NAME/SESSION`) are
//! counted under their role (`arn:aws:iam::ACCT:role/NAME`) as they come
//! in, since the report joins them there anyway and session names are often
//! unique per call (`botocore-session-1700000000`); which session ARNs each
//! actor used is kept apart.
//!
//! Strings are interned once (principal ARNs, actors, actions, resource
//! ARNs) with std's randomly seeded hasher, since they are
//! attacker-controlled; the per-record cell lookup then hashes three small
//! integers with a fast fixed hasher. Resource ARNs are kept up to
//! [`UsageOptions::max_resources_per_action`] per cell, so memory stays
//! bounded when every call names a new S3 object; a cell that met more is
//! marked truncated.
//!
//! [`UsageAggregator::from_records_par`] splits the input into chunks of a
//! fixed size, aggregates them in parallel and merges them in input order,
//! so the result (including which resources a truncated cell kept) does not
//! depend on the thread count.

use rayon::prelude::*;

use super::principals::role_arn_for_session;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

/// One observed use of an IAM action, as the caller feeds it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UsedAction {
    /// `userIdentity.arn` (`arn:aws:sts::ACCT:assumed-role/NAME/SESSION`, a
    /// user ARN, …).
    pub principal_arn: String,
    /// Who acted within the principal (`claude-code`, `bob@example.com`);
    /// `None` when not attributed.
    pub actor: Option<String>,
    /// `prefix:Action` (the events table's `iam_action`).
    pub iam_action: String,
    /// ARNs from the event's `resources[]`.
    pub resource_arns: Vec<String>,
}

/// Limits and choices for aggregation and the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsageOptions {
    /// Distinct resource ARNs kept per (principal, actor, action).
    pub max_resources_per_action: usize,
    /// Report principals of the IAM data that no record names (unused
    /// roles, often the most over-privileged).
    pub include_idle_principals: bool,
}

impl Default for UsageOptions {
    fn default() -> UsageOptions {
        UsageOptions {
            max_resources_per_action: 100,
            include_idle_principals: true,
        }
    }
}

/// FxHash-style mixing with a final avalanche, for keys we assign
/// ourselves (interned ids), never for attacker-chosen strings.
#[derive(Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^ (h >> 33)
    }
}

pub(crate) type IdBuild = BuildHasherDefault<IdHasher>;

/// Strings to dense ids, in first-seen order.
#[derive(Default)]
pub(crate) struct Interner {
    map: HashMap<Arc<str>, u32>,
    names: Vec<Arc<str>>,
}

impl Interner {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.map.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        let name: Arc<str> = s.into();
        self.map.insert(name.clone(), i);
        self.names.push(name);
        i
    }

    fn get(&self, s: &str) -> Option<u32> {
        self.map.get(s).copied()
    }

    pub(crate) fn name(&self, i: u32) -> &str {
        &self.names[i as usize]
    }

    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }
}

fn pair(cell: u32, resource: u32) -> u64 {
    (u64::from(cell) << 32) | u64::from(resource)
}

/// Counts for one (principal group, actor, action).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Cell {
    /// The principal group: a role for all its sessions, else the ARN.
    pub group: u32,
    /// 0: no actor; otherwise actor id + 1.
    pub actor: u32,
    pub action: u32,
    pub calls: u64,
    /// Calls whose event named no resource ARN.
    pub calls_without_resource: u64,
    pub resources: u32,
    pub truncated: bool,
}

/// Aggregated observations; feed it, then build a report from it.
pub struct UsageAggregator {
    pub(crate) options: UsageOptions,
    /// Principal ARNs as recorded.
    pub(crate) principals: Interner,
    /// Principal groups: `arn:…:iam::ACCT:role/NAME` for every session of
    /// a role, the ARN itself otherwise.
    pub(crate) groups: Interner,
    /// Group of each recorded principal ARN.
    group_of: Vec<u32>,
    /// (group, actor, recorded ARN) combinations seen.
    pub(crate) seen: HashSet<(u32, u32, u32), IdBuild>,
    pub(crate) actors: Interner,
    pub(crate) actions: Interner,
    pub(crate) resources: Interner,
    cell_index: HashMap<(u32, u32, u32), u32, IdBuild>,
    pub(crate) cells: Vec<Cell>,
    cell_resources: HashSet<u64, IdBuild>,
    records: u64,
    skipped: u64,
}

impl UsageAggregator {
    /// An empty aggregator.
    pub fn new(options: UsageOptions) -> UsageAggregator {
        UsageAggregator {
            options,
            principals: Interner::default(),
            groups: Interner::default(),
            group_of: Vec::new(),
            seen: HashSet::default(),
            actors: Interner::default(),
            actions: Interner::default(),
            resources: Interner::default(),
            cell_index: HashMap::default(),
            cells: Vec::new(),
            cell_resources: HashSet::default(),
            records: 0,
            skipped: 0,
        }
    }

    /// Aggregates a slice in parallel (fixed-size chunks merged in order).
    pub fn from_records_par(records: &[UsedAction], options: UsageOptions) -> UsageAggregator {
        const CHUNK: usize = 1 << 16;
        let parts: Vec<UsageAggregator> = records
            .par_chunks(CHUNK)
            .map(|chunk| {
                let mut a = UsageAggregator::new(options);
                for r in chunk {
                    a.add_record(r);
                }
                a
            })
            .collect();
        let mut parts = parts.into_iter();
        let mut out = parts
            .next()
            .unwrap_or_else(|| UsageAggregator::new(options));
        for p in parts {
            out.merge(p);
        }
        out
    }

    /// Adds one owned record (one call).
    pub fn add_record(&mut self, r: &UsedAction) {
        self.add(
            &r.principal_arn,
            r.actor.as_deref(),
            &r.iam_action,
            r.resource_arns.iter().map(String::as_str),
            1,
        );
    }

    /// Adds `calls` calls of `iam_action` by `principal_arn` (and `actor`)
    /// that named `resource_arns`. Callers that pre-aggregate (a polars
    /// `group_by`) pass the group's count; otherwise 1. Records with an
    /// empty principal or action, or zero calls, are counted as skipped.
    pub fn add<'r>(
        &mut self,
        principal_arn: &str,
        actor: Option<&str>,
        iam_action: &str,
        resource_arns: impl IntoIterator<Item = &'r str>,
        calls: u64,
    ) {
        self.records += 1;
        if principal_arn.is_empty() || iam_action.is_empty() || calls == 0 {
            self.skipped += 1;
            return;
        }
        let p = self.principal(principal_arn);
        let g = self.group_of[p as usize];
        let a = match actor {
            Some(s) if !s.is_empty() => self.actors.id(s) + 1,
            _ => 0,
        };
        self.seen.insert((g, a, p));
        let act = self.actions.id(iam_action);
        let ci = self.cell(g, a, act);
        self.cells[ci as usize].calls += calls;
        let mut any = false;
        for r in resource_arns {
            if !r.is_empty() {
                any = true;
                self.add_resource(ci, r);
            }
        }
        if !any {
            self.cells[ci as usize].calls_without_resource += calls;
        }
    }

    /// Interns a recorded ARN and, when new, its group.
    fn principal(&mut self, arn: &str) -> u32 {
        let p = self.principals.id(arn);
        if p as usize == self.group_of.len() {
            let group = role_arn_for_session(arn)
                .filter(|_| arn.contains(":assumed-role/"))
                .unwrap_or_else(|| arn.to_string());
            let g = self.groups.id(&group);
            self.group_of.push(g);
        }
        p
    }

    fn cell(&mut self, group: u32, actor: u32, action: u32) -> u32 {
        let next = self.cells.len() as u32;
        let ci = *self
            .cell_index
            .entry((group, actor, action))
            .or_insert(next);
        if ci == next {
            self.cells.push(Cell {
                group,
                actor,
                action,
                ..Cell::default()
            });
        }
        ci
    }

    fn add_resource(&mut self, ci: u32, arn: &str) {
        if let Some(rid) = self.resources.get(arn)
            && self.cell_resources.contains(&pair(ci, rid))
        {
            return;
        }
        let cell = &mut self.cells[ci as usize];
        if cell.resources as usize >= self.options.max_resources_per_action {
            cell.truncated = true;
            return;
        }
        cell.resources += 1;
        let rid = self.resources.id(arn);
        self.cell_resources.insert(pair(ci, rid));
    }

    fn add_resource_id(&mut self, ci: u32, rid: u32) {
        if self.cell_resources.contains(&pair(ci, rid)) {
            return;
        }
        let cell = &mut self.cells[ci as usize];
        if cell.resources as usize >= self.options.max_resources_per_action {
            cell.truncated = true;
            return;
        }
        cell.resources += 1;
        self.cell_resources.insert(pair(ci, rid));
    }

    /// Adds everything `other` holds, as if its records came after ours.
    /// Strings are re-interned once per distinct value, cells and resource
    /// pairs are then remapped as integers.
    pub fn merge(&mut self, other: UsageAggregator) {
        let remap = |into: &mut Interner, from: &Interner| -> Vec<u32> {
            from.names.iter().map(|n| into.id(n)).collect()
        };
        let pmap: Vec<u32> = other
            .principals
            .names
            .iter()
            .map(|n| self.principal(n))
            .collect();
        let gmap = remap(&mut self.groups, &other.groups);
        let amap = remap(&mut self.actors, &other.actors);
        let actor_map = |a: u32| if a == 0 { 0 } else { amap[a as usize - 1] + 1 };
        let mut seen: Vec<(u32, u32, u32)> = other.seen.iter().copied().collect();
        seen.sort_unstable();
        for (g, a, p) in seen {
            self.seen
                .insert((gmap[g as usize], actor_map(a), pmap[p as usize]));
        }
        let xmap = remap(&mut self.actions, &other.actions);
        let rmap = remap(&mut self.resources, &other.resources);
        let cmap: Vec<u32> = other
            .cells
            .iter()
            .map(|oc| {
                let ci = self.cell(
                    gmap[oc.group as usize],
                    actor_map(oc.actor),
                    xmap[oc.action as usize],
                );
                let c = &mut self.cells[ci as usize];
                c.calls += oc.calls;
                c.calls_without_resource += oc.calls_without_resource;
                c.truncated |= oc.truncated;
                ci
            })
            .collect();
        for k in other.sorted_pairs() {
            self.add_resource_id(cmap[(k >> 32) as usize], rmap[k as u32 as usize]);
        }
        self.records += other.records;
        self.skipped += other.skipped;
    }

    /// (cell, resource) pairs sorted by cell, then by resource id (ids are
    /// given in first-seen order).
    fn sorted_pairs(&self) -> Vec<u64> {
        let mut v: Vec<u64> = self.cell_resources.iter().copied().collect();
        v.sort_unstable();
        v
    }

    /// Per cell, its resource ids in first-seen order, as offsets into one
    /// list: cell `c`'s ids are `ids[offsets[c]..offsets[c + 1]]`.
    pub(crate) fn resource_index(&self) -> (Vec<usize>, Vec<u32>) {
        let pairs = self.sorted_pairs();
        let mut offsets = vec![0; self.cells.len() + 1];
        for k in &pairs {
            offsets[(k >> 32) as usize + 1] += 1;
        }
        for i in 0..self.cells.len() {
            offsets[i + 1] += offsets[i];
        }
        (offsets, pairs.into_iter().map(|k| k as u32).collect())
    }

    /// Input rows given to [`UsageAggregator::add`] (including skipped).
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Rows without principal or action, or with zero calls.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// Distinct (principal, actor, action) cells, sessions counted under
    /// their role.
    pub fn cells(&self) -> usize {
        self.cells.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(p: &str, actor: Option<&str>, a: &str, res: &[&str]) -> UsedAction {
        UsedAction {
            principal_arn: p.into(),
            actor: actor.map(Into::into),
            iam_action: a.into(),
            resource_arns: res.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn counts_cells_and_caps_resources() {
        let opts = UsageOptions {
            max_resources_per_action: 2,
            ..UsageOptions::default()
        };
        let mut g = UsageAggregator::new(opts);
        g.add_record(&rec("p", None, "s3:GetObject", &["a", "b"]));
        g.add_record(&rec("p", None, "s3:GetObject", &["a"]));
        g.add_record(&rec("p", None, "s3:GetObject", &["c"]));
        g.add_record(&rec("p", Some("claude-code"), "s3:GetObject", &[]));
        g.add_record(&rec("", None, "s3:GetObject", &[]));
        assert_eq!((g.records(), g.skipped(), g.cells()), (5, 1, 2));
        let c = g.cells[0];
        assert_eq!((c.calls, c.resources, c.truncated), (3, 2, true));
        assert_eq!(g.cells[1].calls_without_resource, 1);
        assert_eq!(g.resources.len(), 2, "a truncated cell interns nothing new");
    }

    #[test]
    fn role_sessions_share_one_cell() {
        let mut g = UsageAggregator::new(UsageOptions::default());
        let s1 = "arn:aws:sts::1:assumed-role/ops/botocore-session-1";
        let s2 = "arn:aws:sts::1:assumed-role/ops/botocore-session-2";
        g.add_record(&rec(s1, Some("ai"), "ec2:DescribeVpcs", &[]));
        g.add_record(&rec(s2, Some("ai"), "ec2:DescribeVpcs", &[]));
        g.add_record(&rec(
            "arn:aws:iam::1:user/ops",
            None,
            "ec2:DescribeVpcs",
            &[],
        ));
        assert_eq!(g.cells(), 2);
        assert_eq!(g.groups.name(g.cells[0].group), "arn:aws:iam::1:role/ops");
        assert_eq!(g.cells[0].calls, 2);
        assert_eq!((g.principals.len(), g.seen.len()), (3, 3));
    }

    #[test]
    fn parallel_equals_sequential() {
        let records: Vec<UsedAction> = (0..200_000)
            .map(|i| {
                let r = format!("arn:aws:s3:::b/{}", i % 300);
                rec(
                    &format!("p{}", i % 7),
                    (i % 3 == 0).then_some("ai"),
                    &format!("s3:A{}", i % 11),
                    &[&r],
                )
            })
            .collect();
        let par = UsageAggregator::from_records_par(&records, UsageOptions::default());
        let mut seq = UsageAggregator::new(UsageOptions::default());
        records.iter().for_each(|r| seq.add_record(r));
        assert_eq!(par.records(), seq.records());
        assert_eq!(par.cells(), seq.cells());
        let total = |g: &UsageAggregator| {
            g.cells
                .iter()
                .map(|c| (c.calls, c.resources))
                .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
        };
        assert_eq!(total(&par), total(&seq));
    }
}
