//! `trailblame.toml`: the settings a user can edit, for every stage, with
//! built-in defaults in `default.toml`. This module reads the file, merges
//! it over the defaults and checks it; each stage owns the struct of its
//! own section (`attribution::Settings` for `[join]`, `[cloudformation]`,
//! `[principals]`, `[accounts]`, `[aliases]`; `incidents::Settings`;
//! `privileges::Settings`; `anomalies::Thresholds`; `ingest::Limits`), so a stage never needs
//! this module.

use crate::attribution::settings::{Accounts, CloudFormation, Join, Principals};
use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The built-in settings, as a commented file (`--print-config`).
pub const DEFAULT_TOML: &str = include_str!("default.toml");

pub const FILE_NAME: &str = "trailblame.toml";

/// `[principals]` as written: a key left out keeps its built-in list.
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(deny_unknown_fields, default)]
struct PrincipalsFile {
    agent_roles: Option<Vec<String>>,
    ci_roles: Option<Vec<String>>,
    ci_users: Option<Vec<String>>,
    ci_sessions: Option<Vec<String>>,
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(deny_unknown_fields, default)]
struct File {
    incidents: Option<crate::incidents::Settings>,
    join: Option<Join>,
    cloudformation: Option<CloudFormation>,
    principals: Option<PrincipalsFile>,
    accounts: Option<Accounts>,
    privileges: Option<crate::privileges::Settings>,
    anomalies: Option<crate::anomalies::Thresholds>,
    ingest: Option<crate::ingest::Limits>,
    aliases: BTreeMap<String, String>,
}

/// Settings in force, and where they came from.
#[derive(Clone, Debug)]
pub struct Settings {
    pub attribution: crate::attribution::Settings,
    pub incidents: crate::incidents::Settings,
    pub privileges: crate::privileges::Settings,
    /// `[anomalies]`: the detectors' thresholds (`anomalies --print-config`).
    pub anomalies: crate::anomalies::Thresholds,
    /// `[ingest]`: the size limits that bound a run's memory.
    pub ingest: crate::ingest::Limits,
    pub source: String,
    /// The folder of the settings file (relative paths in it start there).
    pub dir: Option<PathBuf>,
}

fn defaults() -> File {
    // The built-in file is part of the binary; a test parses it.
    toml::from_str(DEFAULT_TOML).unwrap_or_default()
}

impl Settings {
    /// The built-in defaults.
    pub fn builtin() -> Settings {
        Self::from_text(DEFAULT_TOML, "built-in defaults").unwrap_or_else(|_| Settings {
            attribution: crate::attribution::Settings::default(),
            incidents: Default::default(),
            privileges: Default::default(),
            anomalies: Default::default(),
            ingest: Default::default(),
            source: "built-in defaults".into(),
            dir: None,
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
        let attribution = crate::attribution::Settings {
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
            aliases,
        };
        let incidents = f.incidents.unwrap_or_default();
        for k in incidents.columns.keys() {
            if !crate::incidents::read::FIELDS.contains(&k.as_str()) {
                bail!(
                    "{source}: [incidents.columns] has no field {k:?} (fields: {})",
                    crate::incidents::read::FIELDS.join(", ")
                );
            }
        }
        let ingest = f.ingest.unwrap_or_default();
        ingest.check(source)?;
        Ok(Settings {
            attribution,
            incidents,
            privileges: f.privileges.unwrap_or_default(),
            anomalies: f.anomalies.unwrap_or_default(),
            ingest,
            source: source.to_string(),
            dir: None,
        })
    }

    /// A path named in the settings, relative to the settings file.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        match &self.dir {
            Some(d) if path.is_relative() => d.join(path),
            _ => path.to_path_buf(),
        }
    }

    /// The settings for a run: `explicit` if given, else `./trailblame.toml`,
    /// else built-in defaults. A `trailblame.toml` at the top of an input
    /// folder is applied only when `from_inputs` says so: input folders
    /// hold data from elsewhere, and settings in them relabel events
    /// (issue 23). Returns what was found, for the caller to announce.
    pub fn find(
        explicit: Option<&Path>,
        inputs: &[PathBuf],
        from_inputs: bool,
    ) -> Result<(Settings, SettingsOrigin)> {
        let in_inputs = || {
            inputs
                .iter()
                .filter(|p| p.is_dir())
                .map(|p| p.join(FILE_NAME))
                .find(|p| p.is_file())
        };
        let (candidate, origin) = match explicit {
            Some(p) => (Some(p.to_path_buf()), SettingsOrigin::Explicit),
            None => match Some(PathBuf::from(FILE_NAME)).filter(|p| p.is_file()) {
                Some(p) => (Some(p), SettingsOrigin::WorkingDir),
                None => match in_inputs() {
                    Some(p) if from_inputs => (Some(p), SettingsOrigin::InputFolder),
                    Some(p) => (None, SettingsOrigin::NotApplied(p)),
                    None => (None, SettingsOrigin::Builtin),
                },
            },
        };
        match candidate {
            Some(p) => {
                // Absolute, so a store can find it again from anywhere.
                let p = std::fs::canonicalize(&p).unwrap_or(p);
                let text = std::fs::read_to_string(&p)
                    .with_context(|| format!("reading settings {}", p.display()))?;
                let mut s = Self::from_text(&text, &p.display().to_string())?;
                s.dir = p.parent().map(Path::to_path_buf);
                Ok((s, origin))
            }
            None => Ok((Self::builtin(), origin)),
        }
    }
}

/// Where a run's settings came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingsOrigin {
    Explicit,
    WorkingDir,
    /// An input folder's file, applied because the user asked.
    InputFolder,
    /// An input folder's file, found and not applied.
    NotApplied(PathBuf),
    Builtin,
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
        assert_eq!(f.ingest, Some(crate::ingest::Limits::default()));
    }

    #[test]
    fn ingest_limits_are_settings() {
        let s = Settings::from_text(
            "[ingest]
max_field_bytes = 1000
",
            "l.toml",
        )
        .unwrap();
        assert_eq!(s.ingest.max_field_bytes, 1000);
        assert_eq!(s.ingest.max_file_bytes, 128 << 20);
        let e = Settings::from_text(
            "[ingest]
max_file_bytes = 0
",
            "z.toml",
        )
        .unwrap_err();
        assert!(format!("{e:#}").contains("z.toml"));
    }

    #[test]
    fn a_file_overrides_only_what_it_names() {
        let s = Settings::from_text(
            "[join]\nskew_before_secs = 9\nskew_after_secs = 1\nmax_call_secs = 60\n[aliases]\nBob = \"bob@example.com\"\n",
            "t.toml",
        )
        .unwrap();
        assert_eq!(s.attribution.join.skew_before_secs, 9);
        assert_eq!(s.attribution.cloudformation.window_minutes, 180);
        assert!(!s.attribution.principals.ci_roles.is_empty());
        let p = Settings::from_text("[principals]\nci_roles = [\"deployer\"]\n", "p.toml").unwrap();
        assert_eq!(
            p.attribution.principals.ci_roles,
            vec!["deployer".to_string()]
        );
        assert!(!p.attribution.principals.agent_roles.is_empty());
        assert_eq!(s.attribution.person("BOB"), "bob@example.com");
        assert_eq!(s.attribution.person("carol"), "carol");
        assert_ne!(
            s.attribution.stamp(),
            Settings::builtin().attribution.stamp()
        );
    }

    #[test]
    fn only_attribution_settings_make_a_stored_attribution_stale() {
        let base = Settings::from_text("[accounts]\nproduction = [\"1\"]\n", "a.toml").unwrap();
        let other = Settings::from_text(
            "[accounts]\nproduction = [\"1\"]\n\n[incidents]\nfile = \"i.csv\"\n\n[privileges]\niam = [\"iam\"]\n\n[anomalies.mass_deletion]\nmin_calls = 3\n",
            "b.toml",
        )
        .unwrap();
        assert_eq!(base.attribution.stamp(), other.attribution.stamp());
        assert_eq!(other.anomalies.mass_deletion.min_calls, 3);
        let prod = Settings::from_text("[accounts]\nproduction = [\"2\"]\n", "c.toml").unwrap();
        assert_ne!(base.attribution.stamp(), prod.attribution.stamp());
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
