//! `trailblame.toml`: the attribution settings a user can edit (join
//! tolerances, agent roles, CI principals, person aliases), with built-in
//! defaults in `default.toml`.

use crate::cloudtrail::glob;
use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The built-in settings, as a commented file (`--print-config`).
pub const DEFAULT_TOML: &str = include_str!("default.toml");

pub const FILE_NAME: &str = "trailblame.toml";

#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields, default)]
pub struct Join {
    pub skew_before_secs: u32,
    pub skew_after_secs: u32,
    pub max_call_secs: u32,
}

#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields, default)]
pub struct CloudFormation {
    pub window_minutes: u32,
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Principals {
    pub agent_roles: Vec<String>,
    pub ci_roles: Vec<String>,
    pub ci_users: Vec<String>,
    pub ci_sessions: Vec<String>,
}

/// `[principals]` as written: a key left out keeps its built-in list.
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(deny_unknown_fields, default)]
struct PrincipalsFile {
    agent_roles: Option<Vec<String>>,
    ci_roles: Option<Vec<String>>,
    ci_users: Option<Vec<String>>,
    ci_sessions: Option<Vec<String>>,
}

/// `[accounts]`: which accounts are production (destructive actions there
/// rank higher).
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Accounts {
    pub production: Vec<String>,
}

/// `[incidents.columns]`: the column names (or dotted JSON paths) of the
/// team's incident export, per field, tried before the built-in aliases.
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Incidents {
    pub columns: BTreeMap<String, Vec<String>>,
    /// The incidents export `incidents`, `compare` and `report` read when
    /// no `--incidents` is given (relative to the settings file).
    pub file: Option<PathBuf>,
}

/// `[privileges]`: IAM data (`get-account-authorization-details` output)
/// read when no `--iam` is given (relative to the settings file; a folder
/// means every file in it).
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Privileges {
    pub iam: Vec<PathBuf>,
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(deny_unknown_fields, default)]
struct File {
    incidents: Option<Incidents>,
    join: Option<Join>,
    cloudformation: Option<CloudFormation>,
    principals: Option<PrincipalsFile>,
    accounts: Option<Accounts>,
    privileges: Option<Privileges>,
    anomalies: Option<crate::anomalies::Thresholds>,
    aliases: BTreeMap<String, String>,
}

/// Settings in force, and where they came from.
#[derive(Clone, Debug)]
pub struct Settings {
    pub join: Join,
    pub cloudformation: CloudFormation,
    pub principals: Principals,
    pub accounts: Accounts,
    pub incidents: Incidents,
    pub privileges: Privileges,
    /// `[anomalies]`: the detectors' thresholds (`anomalies --print-config`).
    pub anomalies: crate::anomalies::Thresholds,
    /// Lower-cased identity → person.
    pub aliases: BTreeMap<String, String>,
    pub source: String,
    /// The folder of the settings file (relative paths in it start there).
    pub dir: Option<PathBuf>,
    /// Hash of the built-in defaults and the file's text: a stored
    /// attribution is current only for the same settings.
    pub hash: String,
}

fn defaults() -> File {
    // The built-in file is part of the binary; a test parses it.
    toml::from_str(DEFAULT_TOML).unwrap_or_default()
}

// Field defaults for keys a file leaves out of a section it gives. They
// match default.toml (a test checks); they must not parse it, since
// deserialising a section starts from these.
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

impl Settings {
    /// The built-in defaults.
    pub fn builtin() -> Settings {
        Self::from_text(DEFAULT_TOML, "built-in defaults").unwrap_or_else(|_| Settings {
            join: Join::default(),
            cloudformation: CloudFormation::default(),
            principals: Principals::default(),
            accounts: Accounts::default(),
            incidents: Incidents::default(),
            privileges: Privileges::default(),
            anomalies: Default::default(),
            aliases: BTreeMap::new(),
            source: "built-in defaults".into(),
            dir: None,
            hash: String::new(),
        })
    }

    /// Parses a settings file; keys it leaves out keep their defaults.
    pub fn from_text(text: &str, source: &str) -> Result<Settings> {
        let f: File = toml::from_str(text).map_err(|e| anyhow::anyhow!("{source}: {e}"))?;
        let base = defaults();
        let join = f.join.or(base.join).unwrap_or_default();
        if join.max_call_secs == 0 {
            bail!("{source}: join.max_call_secs must be above 0");
        }
        let mut aliases = BTreeMap::new();
        for (k, v) in base.aliases.into_iter().chain(f.aliases) {
            if v.trim().is_empty() {
                bail!("{source}: alias {k:?} maps to an empty name");
            }
            aliases.insert(k.to_lowercase(), v);
        }
        let mut settings = Settings {
            join,
            cloudformation: f.cloudformation.or(base.cloudformation).unwrap_or_default(),
            principals: {
                let (b, u) = (
                    base.principals.unwrap_or_default(),
                    f.principals.unwrap_or_default(),
                );
                Principals {
                    agent_roles: u.agent_roles.or(b.agent_roles).unwrap_or_default(),
                    ci_roles: u.ci_roles.or(b.ci_roles).unwrap_or_default(),
                    ci_users: u.ci_users.or(b.ci_users).unwrap_or_default(),
                    ci_sessions: u.ci_sessions.or(b.ci_sessions).unwrap_or_default(),
                }
            },
            accounts: f.accounts.or(base.accounts).unwrap_or_default(),
            incidents: {
                let inc = f.incidents.unwrap_or_default();
                for k in inc.columns.keys() {
                    if !crate::incidents::read::FIELDS.contains(&k.as_str()) {
                        bail!(
                            "{source}: [incidents.columns] has no field {k:?} (fields: {})",
                            crate::incidents::read::FIELDS.join(", ")
                        );
                    }
                }
                inc
            },
            privileges: f.privileges.unwrap_or_default(),
            anomalies: f.anomalies.unwrap_or_default(),
            aliases,
            source: source.to_string(),
            dir: None,
            hash: String::new(),
        };
        settings.hash = settings.attribution_hash();
        Ok(settings)
    }

    /// Hash of what attribution depends on: the rules, the marker catalog,
    /// the built-in defaults and the attribution sections in force (not the
    /// incident, privilege or anomaly settings, which are read at report
    /// time). A stored attribution is current only for the same hash.
    fn attribution_hash(&self) -> String {
        let parts = format!(
            "{}\u{0}{}\u{0}{DEFAULT_TOML}\u{0}{}\u{0}{:?}\u{0}{:?}\u{0}{:?}\u{0}{:?}\u{0}{:?}",
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

    /// A path named in the settings, relative to the settings file.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        match &self.dir {
            Some(d) if path.is_relative() => d.join(path),
            _ => path.to_path_buf(),
        }
    }

    /// The settings for a run: `explicit` if given, else `./trailblame.toml`,
    /// else a `trailblame.toml` at the top of an input folder, else the
    /// built-in defaults.
    pub fn find(explicit: Option<&Path>, inputs: &[PathBuf]) -> Result<Settings> {
        let candidate = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => std::iter::once(PathBuf::from(FILE_NAME))
                .chain(
                    inputs
                        .iter()
                        .filter(|p| p.is_dir())
                        .map(|p| p.join(FILE_NAME)),
                )
                .find(|p| p.is_file()),
        };
        match candidate {
            Some(p) => {
                // Absolute, so a store can find it again from anywhere.
                let p = std::fs::canonicalize(&p).unwrap_or(p);
                let text = std::fs::read_to_string(&p)
                    .with_context(|| format!("reading settings {}", p.display()))?;
                let mut s = Self::from_text(&text, &p.display().to_string())?;
                s.dir = p.parent().map(Path::to_path_buf);
                Ok(s)
            }
            None => Ok(Self::builtin()),
        }
    }

    /// The person an identity stands for, after aliases.
    pub fn person(&self, identity: &str) -> String {
        self.aliases
            .get(&identity.to_lowercase())
            .cloned()
            .unwrap_or_else(|| identity.to_string())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_file_parses_and_has_every_section() {
        let f: File = toml::from_str(DEFAULT_TOML).expect("default.toml parses");
        assert!(f.join.is_some() && f.cloudformation.is_some());
        let p = f.principals.expect("principals");
        assert!(p.agent_roles.is_some() && p.ci_roles.is_some() && p.ci_sessions.is_some());
        let (j, c) = (f.join.unwrap(), f.cloudformation.unwrap());
        let (dj, dc) = (Join::default(), CloudFormation::default());
        assert_eq!(
            (j.skew_before_secs, j.skew_after_secs, j.max_call_secs),
            (dj.skew_before_secs, dj.skew_after_secs, dj.max_call_secs)
        );
        assert_eq!(c.window_minutes, dc.window_minutes);
    }

    #[test]
    fn a_file_overrides_only_what_it_names() {
        let s = Settings::from_text(
            "[join]\nskew_before_secs = 9\nskew_after_secs = 1\nmax_call_secs = 60\n[aliases]\nBob = \"bob@example.com\"\n",
            "t.toml",
        )
        .unwrap();
        assert_eq!(s.join.skew_before_secs, 9);
        assert_eq!(s.cloudformation.window_minutes, 180);
        assert!(!s.principals.ci_roles.is_empty());
        let p = Settings::from_text("[principals]\nci_roles = [\"deployer\"]\n", "p.toml").unwrap();
        assert_eq!(p.principals.ci_roles, vec!["deployer".to_string()]);
        assert!(!p.principals.agent_roles.is_empty());
        assert_eq!(s.person("BOB"), "bob@example.com");
        assert_eq!(s.person("carol"), "carol");
        assert_ne!(s.hash, Settings::builtin().hash);
    }

    #[test]
    fn only_attribution_settings_make_a_stored_attribution_stale() {
        let base = Settings::from_text("[accounts]\nproduction = [\"1\"]\n", "a.toml").unwrap();
        let other = Settings::from_text(
            "[accounts]\nproduction = [\"1\"]\n\n[incidents]\nfile = \"i.csv\"\n\n[privileges]\niam = [\"iam\"]\n\n[anomalies.mass_deletion]\nmin_calls = 3\n",
            "b.toml",
        )
        .unwrap();
        assert_eq!(base.hash, other.hash);
        assert_eq!(other.anomalies.mass_deletion.min_calls, 3);
        let prod = Settings::from_text("[accounts]\nproduction = [\"2\"]\n", "c.toml").unwrap();
        assert_ne!(base.hash, prod.hash);
    }

    #[test]
    fn bad_files_name_the_file_and_the_problem() {
        let e = Settings::from_text("[join]\nskew_before = 3\n", "x.toml").unwrap_err();
        let msg = format!("{e:#}");
        assert!(
            msg.contains("x.toml") && msg.contains("skew_before"),
            "{msg}"
        );
        let e = Settings::from_text("[aliases]\na = \" \"\n", "y.toml").unwrap_err();
        assert!(format!("{e:#}").contains("y.toml"));
        assert!(Settings::from_text("[join\n", "z.toml").is_err());
    }
}
