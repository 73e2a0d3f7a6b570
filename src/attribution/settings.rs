//! The attribution's own settings: the `[join]`, `[cloudformation]`,
//! `[principals]`, `[accounts]` and `[aliases]` sections of
//! `trailblame.toml` (read by `crate::settings`), and the stamp a stored
//! attribution carries so a reader can tell it was computed with them.

use crate::cloudtrail::glob;
use serde::Deserialize;
use std::collections::BTreeMap;

/// `[join]`: how far a CloudTrail event may sit from a tool call's time.
#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields, default)]
pub struct Join {
    pub skew_before_secs: u32,
    pub skew_after_secs: u32,
    pub max_call_secs: u32,
}

/// `[cloudformation]`: how long a stack operation's events inherit its
/// initiator's label.
#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields, default)]
pub struct CloudFormation {
    pub window_minutes: u32,
}

/// `[principals]`: name patterns of agent roles and CI principals.
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Principals {
    pub agent_roles: Vec<String>,
    pub ci_roles: Vec<String>,
    pub ci_users: Vec<String>,
    pub ci_sessions: Vec<String>,
}

/// `[accounts]`: which accounts are production (destructive actions there
/// rank higher).
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Accounts {
    pub production: Vec<String>,
}

// Field defaults for keys a file leaves out of a section it gives. They
// match `settings/default.toml` (a test there checks); they must not parse
// it, since deserialising a section starts from these.
impl Default for Join {
    fn default() -> Self {
        Join {
            skew_before_secs: 5,
            skew_after_secs: 5,
            max_call_secs: 900,
        }
    }
}

impl Default for CloudFormation {
    fn default() -> Self {
        CloudFormation {
            window_minutes: 180,
        }
    }
}

/// What the attribution is computed with.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub join: Join,
    pub cloudformation: CloudFormation,
    pub principals: Principals,
    pub accounts: Accounts,
    /// Lower-cased identity → person.
    pub aliases: BTreeMap<String, String>,
}

impl Settings {
    /// The person an identity stands for, after aliases.
    pub fn person(&self, identity: &str) -> String {
        self.aliases
            .get(&identity.to_lowercase())
            .cloned()
            .unwrap_or_else(|| identity.to_string())
    }

    /// Hash of what the attribution depends on: the rules, the marker
    /// catalog and these settings. A stored attribution is current only for
    /// the same stamp.
    pub fn stamp(&self) -> String {
        let parts = format!(
            "{}\u{0}{}\u{0}{}\u{0}{:?}\u{0}{:?}\u{0}{:?}\u{0}{:?}\u{0}{:?}",
            super::RULES_REVISION,
            env!("CARGO_PKG_VERSION"),
            super::markers::CATALOG,
            self.join,
            self.cloudformation,
            self.principals,
            self.accounts,
            self.aliases,
        );
        format!("{:032x}", xxhash_rust::xxh3::xxh3_128(parts.as_bytes()))
    }
}

/// The first of `patterns` that `text` matches, under the settings' glob
/// rules ([`glob::SETTINGS`]: case-insensitive, `*` and `?`).
pub fn any_glob(patterns: &[String], text: &str) -> Option<String> {
    patterns
        .iter()
        .find(|p| glob::matches(p, text, &glob::SETTINGS))
        .map(|p| p.to_string())
}
