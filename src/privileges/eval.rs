//! Effective identity-based permissions of every user and role, at the
//! action level.
//!
//! For each principal the evaluator gathers its inline and managed policies
//! (a user's also those of its groups), expands every `Action`/`NotAction`
//! entry against the full IAM action catalog, applies Deny over Allow, and
//! intersects with the permissions boundary when there is one. The result is
//! a set of granted catalog actions with, per action, whether the grant is
//! limited.
//!
//! **Resources and conditions are treated conservatively, in the direction
//! of reporting more privilege, never less:**
//! - An Allow whose `Resource` is not `*` (or that uses `NotResource`)
//!   still grants the action, marked `scoped`; one with a non-empty
//!   `Condition` grants it marked `conditional`. An action is unmarked only
//!   when some Allow grants it on `*` without a condition.
//! - A Deny removes an action only when it covers every resource and has no
//!   condition. A Deny with a condition or a narrowed resource leaves the
//!   action granted and marks it `deny_limited`.
//! - A permissions boundary absent from the data is ignored (reported), so
//!   the identity policies alone decide.
//!
//! Not evaluated at all: SCPs and RCPs, resource-based policies, session
//! policies, and conditions' values. A boundary keeps an action only if it
//! also allows it (with the same marks); a Deny in the boundary works as in
//! identity policies.

use std::sync::Arc;

use super::actions::{ActionCatalog, ActionId, ActionMatcher, ActionSet};
use super::policy::{ActionSpec, Effect, PolicyDocument};

mod account;

pub use account::{
    AccountPermissions, PrincipalKind, PrincipalPermissions, evaluate_account, evaluate_authz,
};

/// How an action is granted. All `false`: allowed on every resource without
/// condition and not touched by any Deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Grant {
    /// Only Allows naming specific resources grant it (or the unlimited ones
    /// are also conditional).
    pub scoped: bool,
    /// Only Allows with a `Condition` grant it (or the unconditional ones are
    /// also scoped).
    pub conditional: bool,
    /// A Deny with a condition or narrowed resources covers it: denied in
    /// some cases, which the evaluator cannot decide.
    pub deny_limited: bool,
}

/// How a policy reaches a principal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyOrigin {
    /// Inline on the principal.
    Inline,
    /// A managed policy attached to the principal.
    Managed,
    /// Inline on a group the user is in.
    GroupInline { group: String },
    /// A managed policy attached to a group the user is in.
    GroupManaged { group: String },
    /// The permissions boundary.
    Boundary,
    /// Synthesised (the root user's implicit rights, tests).
    Synthetic,
}

/// One policy of a principal, for reasons and reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySource {
    pub origin: PolicyOrigin,
    pub name: String,
    /// The managed policy's ARN.
    pub arn: Option<String>,
    /// Evaluated from the built-in copy of an AWS-managed policy because the
    /// IAM data did not include it.
    pub fallback: bool,
}

impl PolicySource {
    /// `managed AdministratorAccess (arn:…)`, `inline deploy`, `group Admins: managed …`.
    pub fn label(&self) -> String {
        let what = match &self.arn {
            Some(arn) => format!("managed {} ({arn})", self.name),
            None => format!("inline {}", self.name),
        };
        let what = if self.fallback {
            format!("{what} [built-in copy]")
        } else {
            what
        };
        match &self.origin {
            PolicyOrigin::GroupInline { group } | PolicyOrigin::GroupManaged { group } => {
                format!("group {group}: {what}")
            }
            PolicyOrigin::Boundary => format!("boundary {what}"),
            _ => what,
        }
    }
}

struct CompiledStatement {
    effect: Effect,
    not_action: bool,
    matchers: Vec<ActionMatcher>,
    scoped: bool,
    conditional: bool,
}

/// The six statement classes, as bit words (one word or one bit each).
#[derive(Clone, Copy, Default)]
struct Classes {
    allow: u64,
    allow_full: u64,
    allow_scoped: u64,
    allow_cond: u64,
    deny_hard: u64,
    deny_soft: u64,
}

impl Classes {
    fn add(&mut self, s: &CompiledStatement, bits: u64) {
        match s.effect {
            Effect::Allow => {
                self.allow |= bits;
                if !s.scoped && !s.conditional {
                    self.allow_full |= bits;
                }
                if s.scoped {
                    self.allow_scoped |= bits;
                }
                if s.conditional {
                    self.allow_cond |= bits;
                }
            }
            Effect::Deny if !s.scoped && !s.conditional => self.deny_hard |= bits,
            Effect::Deny => self.deny_soft |= bits,
        }
    }

    fn or(&mut self, o: &Classes) {
        self.allow |= o.allow;
        self.allow_full |= o.allow_full;
        self.allow_scoped |= o.allow_scoped;
        self.allow_cond |= o.allow_cond;
        self.deny_hard |= o.deny_hard;
        self.deny_soft |= o.deny_soft;
    }

    /// Deny precedence and the marks, word-parallel.
    fn finalize(&self) -> Eff {
        let granted = self.allow & !self.deny_hard;
        let full = self.allow_full & !self.deny_hard;
        Eff {
            granted,
            full,
            scoped: granted & !full & self.allow_scoped,
            cond: granted & !full & self.allow_cond,
            deny_limited: granted & self.deny_soft,
        }
    }
}

/// Effective words: what one policy set grants.
#[derive(Clone, Copy)]
struct Eff {
    granted: u64,
    full: u64,
    scoped: u64,
    cond: u64,
    deny_limited: u64,
}

impl Eff {
    /// Identity ∩ boundary: granted by both; unmarked only if unmarked in both.
    fn intersect(&self, b: &Eff) -> Eff {
        let granted = self.granted & b.granted;
        let full = self.full & b.full;
        Eff {
            granted,
            full,
            scoped: granted & !full & (self.scoped | b.scoped),
            cond: granted & !full & (self.cond | b.cond),
            deny_limited: granted & (self.deny_limited | b.deny_limited),
        }
    }
}

/// A policy document compiled against the catalog; shared between the
/// principals a managed policy is attached to.
pub struct CompiledPolicy {
    statements: Vec<CompiledStatement>,
    /// Per class, the catalog actions (six sets).
    sets: [ActionSet; 6],
    /// `Action`/`NotAction` entries that name no catalog action.
    pub unknown_actions: Vec<String>,
}

impl CompiledPolicy {
    /// Expands every statement against the catalog.
    pub fn compile(doc: &PolicyDocument, catalog: &ActionCatalog) -> CompiledPolicy {
        let mut sets: [ActionSet; 6] = std::array::from_fn(|_| catalog.empty_set());
        let mut statements = Vec::with_capacity(doc.statements.len());
        let mut unknown_actions = Vec::new();
        for st in &doc.statements {
            let (patterns, not_action) = match &st.actions {
                ActionSpec::Action(p) => (p, false),
                ActionSpec::NotAction(p) => (p, true),
            };
            let matchers: Vec<ActionMatcher> = patterns
                .iter()
                .map(|p| ActionMatcher::new(p, catalog))
                .collect();
            let mut set = catalog.empty_set();
            for m in &matchers {
                let known = m.expand_into(catalog, &mut set);
                if !known && !unknown_actions.iter().any(|u| u == m.written()) {
                    unknown_actions.push(m.written().to_string());
                }
            }
            if not_action {
                let mut all = catalog.full_set();
                all.difference_with(&set);
                set = all;
            }
            let cs = CompiledStatement {
                effect: st.effect,
                not_action,
                matchers,
                scoped: st.is_resource_scoped(),
                conditional: st.has_condition(),
            };
            let mut probe = Classes::default();
            probe.add(&cs, 1);
            for (k, bit) in class_bits(&probe).into_iter().enumerate() {
                if bit != 0 {
                    sets[k].union_with(&set);
                }
            }
            statements.push(cs);
        }
        CompiledPolicy {
            statements,
            sets,
            unknown_actions,
        }
    }

    /// The statement classes of one action name outside the catalog.
    fn classes_for_name(&self, lower: &str) -> Classes {
        let mut c = Classes::default();
        for s in &self.statements {
            let hit = s.matchers.iter().any(|m| m.matches_lower(lower));
            if hit != s.not_action {
                c.add(s, 1);
            }
        }
        c
    }

    /// True when some Allow statement of the policy covers the action.
    pub fn allows(&self, id: ActionId) -> bool {
        self.sets[0].contains(id)
    }
}

fn class_bits(c: &Classes) -> [u64; 6] {
    [
        c.allow,
        c.allow_full,
        c.allow_scoped,
        c.allow_cond,
        c.deny_hard,
        c.deny_soft,
    ]
}

fn classes_of(sets: &[ActionSet; 6], w: usize) -> Classes {
    let g = |k: usize| sets[k].words().get(w).copied().unwrap_or(0);
    Classes {
        allow: g(0),
        allow_full: g(1),
        allow_scoped: g(2),
        allow_cond: g(3),
        deny_hard: g(4),
        deny_soft: g(5),
    }
}

/// A principal's policies and what they grant together.
pub struct Permissions {
    sets: [ActionSet; 5],
    identity: Vec<(PolicySource, Arc<CompiledPolicy>)>,
    boundary: Option<(PolicySource, Arc<CompiledPolicy>)>,
}

impl Permissions {
    /// Combines compiled identity policies and an optional boundary.
    pub fn new(
        identity: Vec<(PolicySource, Arc<CompiledPolicy>)>,
        boundary: Option<(PolicySource, Arc<CompiledPolicy>)>,
        catalog: &ActionCatalog,
    ) -> Permissions {
        let n = catalog.len();
        let words = n.div_ceil(64);
        let mut out: [Vec<u64>; 5] = std::array::from_fn(|_| vec![0; words]);
        for w in 0..words {
            let mut c = Classes::default();
            for (_, p) in &identity {
                c.or(&classes_of(&p.sets, w));
            }
            let mut e = c.finalize();
            if let Some((_, b)) = &boundary {
                e = e.intersect(&classes_of(&b.sets, w).finalize());
            }
            for (set, v) in
                out.iter_mut()
                    .zip([e.granted, e.full, e.scoped, e.cond, e.deny_limited])
            {
                set[w] = v;
            }
        }
        Permissions {
            sets: out.map(|v| ActionSet::from_words(v, n)),
            identity,
            boundary,
        }
    }

    /// Evaluates documents directly (tests, suggested policies).
    pub fn from_documents(
        identity: &[PolicyDocument],
        boundary: Option<&PolicyDocument>,
        catalog: &ActionCatalog,
    ) -> Permissions {
        let src = |i: usize, origin: PolicyOrigin| PolicySource {
            origin,
            name: format!("document {i}"),
            arn: None,
            fallback: false,
        };
        let ids = identity
            .iter()
            .enumerate()
            .map(|(i, d)| {
                (
                    src(i, PolicyOrigin::Synthetic),
                    Arc::new(CompiledPolicy::compile(d, catalog)),
                )
            })
            .collect();
        let b = boundary.map(|d| {
            (
                src(0, PolicyOrigin::Boundary),
                Arc::new(CompiledPolicy::compile(d, catalog)),
            )
        });
        Permissions::new(ids, b, catalog)
    }

    /// Granted catalog actions.
    pub fn granted(&self) -> &ActionSet {
        &self.sets[0]
    }

    /// Granted on every resource without condition.
    pub fn unlimited(&self) -> &ActionSet {
        &self.sets[1]
    }

    /// Granted, but only by resource-scoped Allows.
    pub fn scoped(&self) -> &ActionSet {
        &self.sets[2]
    }

    /// Granted, but only by conditional Allows.
    pub fn conditional(&self) -> &ActionSet {
        &self.sets[3]
    }

    /// Granted, and covered by a conditional or resource-scoped Deny.
    pub fn deny_limited(&self) -> &ActionSet {
        &self.sets[4]
    }

    /// How a catalog action is granted, or `None`.
    pub fn grant(&self, id: ActionId) -> Option<Grant> {
        self.granted().contains(id).then(|| Grant {
            scoped: self.scoped().contains(id),
            conditional: self.conditional().contains(id),
            deny_limited: self.deny_limited().contains(id),
        })
    }

    /// How an action given by name is granted: catalog actions by lookup,
    /// other names (newer than the catalog, CloudTrail-only names) by
    /// matching the policies' patterns directly.
    pub fn grant_for_name(&self, name: &str, catalog: &ActionCatalog) -> Option<Grant> {
        if let Some(id) = catalog.id(name) {
            return self.grant(id);
        }
        let lower = name.to_ascii_lowercase();
        let mut c = Classes::default();
        for (_, p) in &self.identity {
            c.or(&p.classes_for_name(&lower));
        }
        let mut e = c.finalize();
        if let Some((_, b)) = &self.boundary {
            e = e.intersect(&b.classes_for_name(&lower).finalize());
        }
        (e.granted & 1 == 1).then_some(Grant {
            scoped: e.scoped & 1 == 1,
            conditional: e.cond & 1 == 1,
            deny_limited: e.deny_limited & 1 == 1,
        })
    }

    /// Identity policies with an Allow covering the action.
    pub fn sources_allowing(&self, id: ActionId) -> Vec<&PolicySource> {
        self.identity
            .iter()
            .filter(|(_, p)| p.allows(id))
            .map(|(s, _)| s)
            .collect()
    }

    /// Identity policies that alone grant every catalog action on every
    /// resource without condition.
    pub fn sources_granting_everything(&self) -> Vec<&PolicySource> {
        self.identity
            .iter()
            .filter(|(_, p)| p.sets[1].count() == p.sets[1].capacity())
            .map(|(s, _)| s)
            .collect()
    }

    /// The identity policies, in evaluation order.
    pub fn policies(&self) -> impl Iterator<Item = &PolicySource> {
        self.identity.iter().map(|(s, _)| s)
    }

    /// The boundary, when one was applied.
    pub fn boundary(&self) -> Option<&PolicySource> {
        self.boundary.as_ref().map(|(s, _)| s)
    }

    /// Pattern entries of all policies that name no catalog action, sorted.
    pub fn unknown_actions(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .identity
            .iter()
            .chain(&self.boundary)
            .flat_map(|(_, p)| p.unknown_actions.iter().cloned())
            .collect();
        v.sort();
        v.dedup();
        v
    }
}
