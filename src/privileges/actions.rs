//! The IAM action catalog as the privilege evaluator sees it: every action
//! numbered, grouped by service, with its access level and whether the
//! destructive catalog calls it destructive; sets of actions as bitsets; and
//! IAM wildcard patterns expanded against it.
//!
//! Indices ([`ActionId`]) are positions in the catalog sorted by service
//! prefix, then by lower-cased action name, so every service is one
//! contiguous range and iteration order is deterministic. They are *not* the
//! line order of `catalogs/iam_actions.tsv.gz`.
//!
//! Pattern matching follows IAM: ASCII case is ignored, `*` matches any run
//! of characters (also none, also across the colon: `*:Get*` is matched even
//! though IAM would refuse to store it) and `?` matches one character
//! ([`glob::IAM_POLICY`]).

use anyhow::{Context, Result, anyhow};
use std::collections::HashMap;
use std::sync::OnceLock;

use crate::cloudtrail::glob;
use crate::destructive::{
    self, AccessLevel, Category, ClassifyContext, DestructiveCatalog, IamActions, Severity,
};

/// Index of an action in an [`ActionCatalog`].
pub type ActionId = u32;

/// Index of a service (prefix) in an [`ActionCatalog`].
pub type ServiceId = u16;

/// One service prefix and the contiguous range of its actions.
#[derive(Debug, Clone)]
pub struct Service {
    /// `s3`, `ec2`, `resource-groups`.
    pub prefix: String,
    /// First action of the service.
    pub start: ActionId,
    /// One past its last action.
    pub end: ActionId,
}

/// The numbered IAM action list with what the privilege report needs to know
/// about each action.
pub struct ActionCatalog {
    names: Vec<String>,
    lower: Vec<String>,
    levels: Vec<AccessLevel>,
    service_of: Vec<ServiceId>,
    services: Vec<Service>,
    service_index: HashMap<String, ServiceId>,
    index: HashMap<String, ActionId>,
    destructive: Vec<Option<(Category, Severity)>>,
    destructive_set: ActionSet,
    high_risk: ActionSet,
    source: String,
}

/// The catalog built from the embedded IAM action list and destructive
/// catalog, once. Call at start-up so a broken catalog fails before input is
/// read.
pub fn action_catalog() -> Result<&'static ActionCatalog> {
    static CELL: OnceLock<std::result::Result<ActionCatalog, String>> = OnceLock::new();
    CELL.get_or_init(|| {
        destructive::catalog()
            .map(ActionCatalog::from_destructive)
            .map_err(|e| format!("{e:#}"))
    })
    .as_ref()
    .map_err(|e| anyhow!("{e}"))
    .context("building the IAM action catalog for privilege evaluation")
}

impl ActionCatalog {
    /// Numbers the destructive catalog's IAM action list and marks every
    /// action it classifies as destructive (with no request parameters, so
    /// only unconditional rules count).
    pub fn from_destructive(d: &DestructiveCatalog) -> ActionCatalog {
        let ctx = ClassifyContext::default();
        ActionCatalog::new(d.iam_actions(), |full, action| {
            d.classify(full, action, None, None, &ctx)
                .map(|c| (c.category, c.severity))
        })
    }

    /// Numbers `iam`; `destructive(full_name, action_name)` says whether and
    /// how an action is destructive. Tests pass small lists here.
    pub fn new(
        iam: &IamActions,
        destructive: impl Fn(&str, &str) -> Option<(Category, Severity)>,
    ) -> ActionCatalog {
        let mut rows: Vec<(String, String, AccessLevel)> = iam
            .iter()
            .map(|a| {
                (
                    a.full().to_string(),
                    a.full().to_ascii_lowercase(),
                    a.access_level,
                )
            })
            .collect();
        let prefix = |lower: &str| lower.split(':').next().unwrap_or_default().to_string();
        rows.sort_by_cached_key(|r| (prefix(&r.1), r.1.clone()));
        let n = rows.len();
        let mut c = ActionCatalog {
            names: Vec::with_capacity(n),
            lower: Vec::with_capacity(n),
            levels: Vec::with_capacity(n),
            service_of: Vec::with_capacity(n),
            services: Vec::new(),
            service_index: HashMap::new(),
            index: HashMap::with_capacity(n),
            destructive: Vec::with_capacity(n),
            destructive_set: ActionSet::empty(n),
            high_risk: ActionSet::empty(n),
            source: iam.source().to_string(),
        };
        for (i, (full, lower, level)) in rows.into_iter().enumerate() {
            let id = i as ActionId;
            let prefix = prefix(&lower);
            let sid = match c.services.last_mut() {
                Some(s) if s.prefix == prefix => {
                    s.end = id + 1;
                    (c.services.len() - 1) as ServiceId
                }
                _ => {
                    let sid = c.services.len() as ServiceId;
                    c.service_index.insert(prefix.clone(), sid);
                    c.services.push(Service {
                        prefix,
                        start: id,
                        end: id + 1,
                    });
                    sid
                }
            };
            let action = full.split_once(':').map_or("", |(_, a)| a);
            let d = destructive(&full, action);
            if d.is_some() {
                c.destructive_set.insert(id);
            }
            if d.is_some()
                || matches!(
                    level,
                    AccessLevel::Write | AccessLevel::PermissionsManagement
                )
            {
                c.high_risk.insert(id);
            }
            c.destructive.push(d);
            c.index.insert(lower.clone(), id);
            c.names.push(full);
            c.lower.push(lower);
            c.levels.push(level);
            c.service_of.push(sid);
        }
        c
    }

    /// Number of actions.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when the catalog has no action.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The IAM data's provenance line (package, version, licence).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Case-insensitive lookup of `prefix:Action`.
    pub fn id(&self, action: &str) -> Option<ActionId> {
        if action.bytes().any(|b| b.is_ascii_uppercase()) {
            self.index.get(&action.to_ascii_lowercase()).copied()
        } else {
            self.index.get(action).copied()
        }
    }

    /// `s3:GetObject` as AWS spells it. `id` must come from this catalog
    /// (as must every id passed to the accessors below); others panic.
    pub fn name(&self, id: ActionId) -> &str {
        &self.names[id as usize]
    }

    /// The lower-cased name.
    pub fn lower(&self, id: ActionId) -> &str {
        &self.lower[id as usize]
    }

    /// AWS's access level of the action.
    pub fn access_level(&self, id: ActionId) -> AccessLevel {
        self.levels[id as usize]
    }

    /// Category and severity when the destructive catalog classifies the
    /// action as destructive without looking at request parameters.
    pub fn destructive(&self, id: ActionId) -> Option<(Category, Severity)> {
        self.destructive[id as usize]
    }

    /// Every destructive action.
    pub fn destructive_set(&self) -> &ActionSet {
        &self.destructive_set
    }

    /// Actions at access level Write or Permissions management, and every
    /// destructive action: what an unused grant should not include.
    pub fn high_risk(&self) -> &ActionSet {
        &self.high_risk
    }

    /// The service an action belongs to.
    pub fn service_of(&self, id: ActionId) -> ServiceId {
        self.service_of[id as usize]
    }

    /// All services, sorted by prefix.
    pub fn services(&self) -> &[Service] {
        &self.services
    }

    /// The service with this (lower-case) prefix.
    pub fn service(&self, prefix: &str) -> Option<ServiceId> {
        self.service_index.get(prefix).copied()
    }

    /// An empty set sized for this catalog.
    pub fn empty_set(&self) -> ActionSet {
        ActionSet::empty(self.len())
    }

    /// The set of every action.
    pub fn full_set(&self) -> ActionSet {
        ActionSet::full(self.len())
    }
}

/// A set of catalog actions, one bit each (about 2.8 KiB for 22,000 actions).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ActionSet {
    words: Box<[u64]>,
    len: usize,
}

impl ActionSet {
    /// No action, for a catalog of `len` actions.
    pub fn empty(len: usize) -> ActionSet {
        ActionSet {
            words: vec![0; len.div_ceil(64)].into_boxed_slice(),
            len,
        }
    }

    /// Every action of a catalog of `len` actions.
    pub fn full(len: usize) -> ActionSet {
        let mut s = ActionSet::empty(len);
        s.insert_range(0, len as ActionId);
        s
    }

    /// The catalog size the set was made for.
    pub fn capacity(&self) -> usize {
        self.len
    }

    /// Adds an action.
    pub fn insert(&mut self, id: ActionId) {
        let i = id as usize;
        if i < self.len {
            self.words[i / 64] |= 1 << (i % 64);
        }
    }

    /// Removes an action.
    pub fn remove(&mut self, id: ActionId) {
        let i = id as usize;
        if i < self.len {
            self.words[i / 64] &= !(1 << (i % 64));
        }
    }

    /// Adds `start..end`.
    pub fn insert_range(&mut self, start: ActionId, end: ActionId) {
        let end = (end as usize).min(self.len);
        for i in start as usize..end {
            self.words[i / 64] |= 1 << (i % 64);
        }
    }

    /// True when the action is in the set.
    pub fn contains(&self, id: ActionId) -> bool {
        let i = id as usize;
        i < self.len && self.words[i / 64] & (1 << (i % 64)) != 0
    }

    /// Number of actions in the set.
    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Number of actions in `start..end` (a service's range).
    pub fn count_range(&self, start: ActionId, end: ActionId) -> usize {
        let (start, end) = (start as usize, (end as usize).min(self.len));
        if start >= end {
            return 0;
        }
        let (first, last) = (start / 64, (end - 1) / 64);
        let mut n = 0;
        for w in first..=last {
            let mut word = self.words[w];
            if w == first {
                word &= u64::MAX << (start % 64);
            }
            if w == last && end % 64 != 0 {
                word &= u64::MAX >> (64 - end % 64);
            }
            n += word.count_ones() as usize;
        }
        n
    }

    /// True when no action is in the set.
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    /// `self ∪= other`.
    pub fn union_with(&mut self, other: &ActionSet) {
        self.zip_with(other, |a, b| a | b);
    }

    /// `self ∩= other`.
    pub fn intersect_with(&mut self, other: &ActionSet) {
        self.zip_with(other, |a, b| a & b);
    }

    /// `self −= other`.
    pub fn difference_with(&mut self, other: &ActionSet) {
        self.zip_with(other, |a, b| a & !b);
    }

    /// True when every action of `self` is in `other`.
    pub fn is_subset(&self, other: &ActionSet) -> bool {
        self.words
            .iter()
            .zip(other.words.iter().chain(std::iter::repeat(&0)))
            .all(|(a, b)| a & !b == 0)
    }

    fn zip_with(&mut self, other: &ActionSet, f: impl Fn(u64, u64) -> u64) {
        for (i, a) in self.words.iter_mut().enumerate() {
            *a = f(*a, other.words.get(i).copied().unwrap_or(0));
        }
    }

    /// The raw words (for word-parallel logic in the evaluator).
    pub(crate) fn words(&self) -> &[u64] {
        &self.words
    }

    /// Builds a set from raw words.
    pub(crate) fn from_words(words: Vec<u64>, len: usize) -> ActionSet {
        ActionSet {
            words: words.into_boxed_slice(),
            len,
        }
    }

    /// The actions in the set, ascending.
    pub fn iter(&self) -> impl Iterator<Item = ActionId> + '_ {
        self.words.iter().enumerate().flat_map(|(wi, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let b = w.trailing_zeros();
                w &= w - 1;
                Some((wi * 64) as ActionId + b)
            })
        })
    }
}

/// One entry of an `Action` / `NotAction` element, compiled.
#[derive(Debug, Clone)]
pub struct ActionMatcher {
    written: String,
    lower: String,
    kind: MatcherKind,
}

#[derive(Debug, Clone)]
enum MatcherKind {
    /// `*`.
    All,
    /// No wildcard.
    Exact(Option<ActionId>),
    /// A wildcard after a literal prefix: only that service can match
    /// (`None`: a service the catalog does not know).
    InService(Option<ServiceId>),
    /// A wildcard in the prefix: every action is tried.
    Anywhere,
}

impl ActionMatcher {
    /// Compiles one pattern. Never fails: a pattern that names no catalog
    /// action still matches names outside the catalog (see
    /// [`ActionMatcher::names_catalog_action`]).
    pub fn new(pattern: &str, catalog: &ActionCatalog) -> ActionMatcher {
        let lower = pattern.trim().to_ascii_lowercase();
        let kind = if lower.bytes().all(|b| b == b'*') && !lower.is_empty() {
            MatcherKind::All
        } else if !lower.contains(['*', '?']) {
            MatcherKind::Exact(catalog.index.get(&lower).copied())
        } else {
            match lower.split_once(':') {
                Some((p, _)) if !p.contains(['*', '?']) => {
                    MatcherKind::InService(catalog.service(p))
                }
                _ => MatcherKind::Anywhere,
            }
        };
        ActionMatcher {
            written: pattern.to_string(),
            lower,
            kind,
        }
    }

    /// The pattern as written in the policy.
    pub fn written(&self) -> &str {
        &self.written
    }

    /// True when the pattern has a wildcard.
    pub fn is_glob(&self) -> bool {
        !matches!(self.kind, MatcherKind::Exact(_))
    }

    /// True when `name_lower` (lower-cased `prefix:action`) matches.
    pub fn matches_lower(&self, name_lower: &str) -> bool {
        match self.kind {
            MatcherKind::All => true,
            MatcherKind::Exact(_) => self.lower == name_lower,
            _ => glob::matches(&self.lower, name_lower, &glob::IAM_POLICY),
        }
    }

    /// Adds every catalog action the pattern matches to `out`; returns
    /// whether it matched any.
    pub fn expand_into(&self, catalog: &ActionCatalog, out: &mut ActionSet) -> bool {
        match self.kind {
            MatcherKind::All => {
                out.insert_range(0, catalog.len() as ActionId);
                !catalog.is_empty()
            }
            MatcherKind::Exact(Some(id)) => {
                out.insert(id);
                true
            }
            MatcherKind::Exact(None) | MatcherKind::InService(None) => false,
            MatcherKind::InService(Some(s)) => {
                let svc = &catalog.services[s as usize];
                if self.lower.len() == svc.prefix.len() + 2 && self.lower.ends_with(":*") {
                    out.insert_range(svc.start, svc.end);
                    return true;
                }
                let mut any = false;
                for id in svc.start..svc.end {
                    if glob::matches(&self.lower, catalog.lower(id), &glob::IAM_POLICY) {
                        out.insert(id);
                        any = true;
                    }
                }
                any
            }
            MatcherKind::Anywhere => {
                let mut any = false;
                for (i, l) in catalog.lower.iter().enumerate() {
                    if glob::matches(&self.lower, l, &glob::IAM_POLICY) {
                        out.insert(i as ActionId);
                        any = true;
                    }
                }
                any
            }
        }
    }

    /// True when the pattern matches at least one catalog action. A pattern
    /// that matches none is a typo, a retired action, or newer than the
    /// catalog; the evaluator reports it.
    pub fn names_catalog_action(&self, catalog: &ActionCatalog) -> bool {
        self.expand_into(catalog, &mut catalog.empty_set())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> ActionCatalog {
        let text = "# test\nprefix\taction\taccess_level\n\
            s3\tGetObject\tRead\ns3\tGetBucketPolicy\tRead\ns3\tDeleteBucket\tWrite\n\
            s3\tListAllMyBuckets\tList\nec2\tDescribeInstances\tList\nec2\tGetConsoleOutput\tRead\n\
            iam\tAttachRolePolicy\tPermissions management\n";
        let iam = IamActions::parse(text, "t.tsv").unwrap();
        ActionCatalog::new(&iam, |full, _| {
            (full == "s3:DeleteBucket").then_some((Category::DataLoss, Severity::High))
        })
    }

    fn names(c: &ActionCatalog, p: &str) -> Vec<String> {
        let mut s = c.empty_set();
        ActionMatcher::new(p, c).expand_into(c, &mut s);
        s.iter().map(|i| c.name(i).to_string()).collect()
    }

    #[test]
    fn catalog_is_sorted_by_service_with_ranges() {
        let c = small();
        let prefixes: Vec<_> = c.services().iter().map(|s| s.prefix.as_str()).collect();
        assert_eq!(prefixes, ["ec2", "iam", "s3"]);
        let embedded = action_catalog().unwrap();
        let all: Vec<&str> = embedded
            .services()
            .iter()
            .map(|s| s.prefix.as_str())
            .collect();
        assert!(
            all.windows(2).all(|w| w[0] < w[1]),
            "services sorted and distinct"
        );
        let s3 = &c.services()[c.service("s3").unwrap() as usize];
        assert_eq!(s3.end - s3.start, 4);
        assert_eq!(
            c.id("S3:getobject").map(|i| c.name(i)),
            Some("s3:GetObject")
        );
        assert!(c.destructive(c.id("s3:DeleteBucket").unwrap()).is_some());
        assert!(
            c.high_risk()
                .contains(c.id("iam:AttachRolePolicy").unwrap())
        );
        assert!(!c.high_risk().contains(c.id("s3:GetObject").unwrap()));
    }

    #[test]
    fn wildcards_follow_iam() {
        let c = small();
        assert_eq!(names(&c, "*").len(), 7);
        assert_eq!(names(&c, "s3:*").len(), 4);
        assert_eq!(names(&c, "s3:Get*"), ["s3:GetBucketPolicy", "s3:GetObject"]);
        assert_eq!(names(&c, "S3:GET*"), ["s3:GetBucketPolicy", "s3:GetObject"]);
        assert_eq!(
            names(&c, "*:Get*"),
            ["ec2:GetConsoleOutput", "s3:GetBucketPolicy", "s3:GetObject"]
        );
        assert_eq!(names(&c, "s?:GetObject"), ["s3:GetObject"]);
        assert_eq!(names(&c, "s3:GetObjec?"), ["s3:GetObject"]);
        assert!(names(&c, "s3:GetObjec").is_empty());
        assert!(names(&c, "nope:*").is_empty());
        assert!(names(&c, "s3").is_empty());
        assert_eq!(
            names(&c, "*Policy"),
            ["iam:AttachRolePolicy", "s3:GetBucketPolicy"]
        );
        let m = ActionMatcher::new("s3:Get*", &c);
        assert!(m.matches_lower("s3:getnewthing"));
        assert!(!ActionMatcher::new("nope:*", &c).names_catalog_action(&c));
        assert!(ActionMatcher::new("nope:*", &c).matches_lower("nope:x"));
    }

    #[test]
    fn bitset_operations() {
        let mut a = ActionSet::empty(130);
        a.insert_range(60, 70);
        a.insert(129);
        a.insert(500); // ignored
        assert_eq!(a.count(), 11);
        assert_eq!(a.count_range(64, 130), 7);
        assert_eq!(a.count_range(0, 61), 1);
        assert_eq!(a.iter().collect::<Vec<_>>().last(), Some(&129));
        let mut b = ActionSet::full(130);
        assert_eq!(b.count(), 130);
        b.difference_with(&a);
        assert_eq!(b.count(), 119);
        assert!(a.is_subset(&ActionSet::full(130)));
        assert!(!a.is_subset(&b));
        b.union_with(&a);
        assert_eq!(b, ActionSet::full(130));
    }

    #[test]
    fn embedded_catalog_builds() {
        let c = action_catalog().unwrap();
        assert!(c.len() > 15_000, "{}", c.len());
        assert!(
            c.destructive_set()
                .contains(c.id("s3:DeleteBucket").unwrap())
        );
        assert!(
            c.destructive_set()
                .contains(c.id("ec2:TerminateInstances").unwrap())
        );
        assert!(!c.destructive_set().contains(c.id("s3:GetObject").unwrap()));
    }
}
