//! The detectors' thresholds: the `[anomalies]` section of `trailblame.toml`.
//! Every key is optional; a key left out keeps its default. The defaults are
//! written twice, here and in `default.toml` (the commented file users copy),
//! and a test checks that parsing the file gives `Thresholds::default()`.

use serde::{Deserialize, Serialize};

/// The built-in thresholds as a commented `[anomalies]` section.
pub const DEFAULT_TOML: &str = include_str!("default.toml");

#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// Days of history before the analysed window (`Scope::new`).
    pub baseline_days: u32,
    /// At most this many event ids per finding (`event_count` has them all).
    pub max_evidence: usize,
    pub first_seen: FirstSeen,
    pub rare: Rare,
    pub spikes: Spikes,
    pub mass_deletion: MassDeletion,
    pub delete_then_recreate: DeleteThenRecreate,
    pub permission_probing: PermissionProbing,
    pub security_tampering: SecurityTampering,
    pub iam_escalation: IamEscalation,
    pub unapproved_destructive_ai: UnapprovedDestructiveAi,
    pub off_hours: OffHours,
}

#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FirstSeen {
    pub enabled: bool,
    /// One "new actor" finding for an actor with no baseline history.
    pub new_actor: bool,
    /// Source networks are one of the dimensions.
    pub network: bool,
    pub ipv4_prefix: u8,
    pub ipv6_prefix: u8,
}

#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Rare {
    pub enabled: bool,
    /// The actor needs this many calls in the baseline.
    pub min_history: u32,
    /// Share of the actor's own baseline calls at or below which an API is rare.
    pub max_own_rate: f64,
    /// Share of its peers' baseline calls at or below which an API is rare.
    pub max_peer_rate: f64,
    /// Read-only calls can be rare too (noisy: off by default).
    pub include_read_only: bool,
}

#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Spikes {
    /// Both halves; `volume` and `errors` switch one each.
    pub enabled: bool,
    pub volume: bool,
    pub errors: bool,
    /// An hour needs at least this many write calls to be a volume spike.
    pub min_writes: u32,
    /// An hour needs at least this many failed calls to be an error spike.
    pub min_errors: u32,
    /// (count − median) / max(1.4826 × MAD, 1) must reach this.
    pub robust_z: f64,
    /// The count must also be at least this many times the 95th percentile
    /// of the history hours (people's many zero hours make the median 0).
    pub p95_factor: f64,
    /// How many hours before the hour in question form its history.
    pub history_hours: u32,
    /// Fewer hours of history than this: no verdict.
    pub min_history_hours: u32,
}

#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MassDeletion {
    pub enabled: bool,
    pub min_calls: u32,
    pub window_minutes: u32,
    pub min_distinct: u32,
    /// AWS services clean up after themselves in bulk (load balancers
    /// deregistering targets, Auto Scaling terminating instances).
    pub include_services: bool,
}

#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DeleteThenRecreate {
    pub enabled: bool,
    pub window_hours: u32,
}

#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct PermissionProbing {
    pub enabled: bool,
    pub min_errors: u32,
    pub min_distinct_actions: u32,
    pub window_minutes: u32,
}

#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityTampering {
    pub enabled: bool,
    /// Tampering calls by one actor this close together are one finding.
    pub group_minutes: u32,
}

#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct IamEscalation {
    pub enabled: bool,
    pub window_minutes: u32,
    /// Distinct kinds of step in one window (an admin grant counts alone).
    pub min_steps: u32,
}

#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct UnapprovedDestructiveAi {
    pub enabled: bool,
    /// The operator's silence, in seconds, beyond which a call is unattended.
    pub max_silence_secs: i64,
    /// Flagged calls of one session this close together are one burst.
    pub burst_gap_minutes: u32,
}

#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct OffHours {
    pub enabled: bool,
    /// An operator needs this many activity marks to have a profile.
    pub min_marks: u32,
    /// An operator mark this close to the agent's call means they were there.
    pub margin_minutes: u32,
}

impl Thresholds {
    /// These thresholds as an `[anomalies]` TOML section (keys sorted, no
    /// comments): what a run used, in the form a user would write it.
    pub fn to_toml(&self) -> String {
        let v = serde_json::to_value(self).unwrap_or_default();
        let mut top = String::from("[anomalies]\n");
        let mut sections = String::new();
        for (k, x) in v.as_object().into_iter().flatten() {
            match x.as_object() {
                Some(fields) => {
                    sections.push_str(&format!("\n[anomalies.{k}]\n"));
                    for (f, y) in fields {
                        sections.push_str(&format!("{f} = {y}\n"));
                    }
                }
                None => top.push_str(&format!("{k} = {x}\n")),
            }
        }
        top + &sections
    }
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            baseline_days: 14,
            max_evidence: 100,
            first_seen: FirstSeen::default(),
            rare: Rare::default(),
            spikes: Spikes::default(),
            mass_deletion: MassDeletion::default(),
            delete_then_recreate: DeleteThenRecreate::default(),
            permission_probing: PermissionProbing::default(),
            security_tampering: SecurityTampering::default(),
            iam_escalation: IamEscalation::default(),
            unapproved_destructive_ai: UnapprovedDestructiveAi::default(),
            off_hours: OffHours::default(),
        }
    }
}

impl Default for FirstSeen {
    fn default() -> Self {
        FirstSeen {
            enabled: true,
            new_actor: true,
            network: true,
            ipv4_prefix: 24,
            ipv6_prefix: 48,
        }
    }
}

impl Default for Rare {
    fn default() -> Self {
        Rare {
            enabled: true,
            min_history: 200,
            max_own_rate: 0.002,
            max_peer_rate: 0.001,
            include_read_only: false,
        }
    }
}

impl Default for Spikes {
    fn default() -> Self {
        Spikes {
            enabled: true,
            volume: true,
            errors: true,
            min_writes: 20,
            min_errors: 10,
            robust_z: 6.0,
            p95_factor: 2.0,
            history_hours: 336,
            min_history_hours: 24,
        }
    }
}

impl Default for MassDeletion {
    fn default() -> Self {
        MassDeletion {
            enabled: true,
            min_calls: 10,
            window_minutes: 10,
            min_distinct: 5,
            include_services: false,
        }
    }
}

impl Default for DeleteThenRecreate {
    fn default() -> Self {
        DeleteThenRecreate {
            enabled: true,
            window_hours: 24,
        }
    }
}

impl Default for PermissionProbing {
    fn default() -> Self {
        PermissionProbing {
            enabled: true,
            min_errors: 8,
            min_distinct_actions: 5,
            window_minutes: 10,
        }
    }
}

impl Default for SecurityTampering {
    fn default() -> Self {
        SecurityTampering {
            enabled: true,
            group_minutes: 60,
        }
    }
}

impl Default for IamEscalation {
    fn default() -> Self {
        IamEscalation {
            enabled: true,
            window_minutes: 60,
            min_steps: 2,
        }
    }
}

impl Default for UnapprovedDestructiveAi {
    fn default() -> Self {
        UnapprovedDestructiveAi {
            enabled: true,
            max_silence_secs: 600,
            burst_gap_minutes: 10,
        }
    }
}

impl Default for OffHours {
    fn default() -> Self {
        OffHours {
            enabled: true,
            min_marks: 20,
            margin_minutes: 60,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    struct File {
        anomalies: Thresholds,
    }

    #[test]
    fn default_toml_is_the_defaults() {
        let f: File = toml::from_str(DEFAULT_TOML).expect("default.toml parses");
        assert_eq!(f.anomalies, Thresholds::default());
    }

    #[test]
    fn default_toml_names_every_key() {
        // Every key Serialize writes appears in the file, so none is
        // documented only by its absence.
        let v = serde_json::to_value(Thresholds::default()).unwrap();
        let obj = v.as_object().unwrap();
        for (k, sub) in obj {
            match sub.as_object() {
                Some(fields) => {
                    assert!(DEFAULT_TOML.contains(&format!("[anomalies.{k}]")), "{k}");
                    let section = DEFAULT_TOML
                        .split(&format!("[anomalies.{k}]"))
                        .nth(1)
                        .unwrap()
                        .split("\n[")
                        .next()
                        .unwrap();
                    for f in fields.keys() {
                        assert!(section.contains(&format!("\n{f} = ")), "{k}.{f}");
                    }
                }
                None => assert!(DEFAULT_TOML.contains(&format!("\n{k} = ")), "{k}"),
            }
        }
    }

    #[test]
    fn a_section_overrides_only_what_it_names_and_round_trips() {
        let f: File = toml::from_str(
            "[anomalies]\nmax_evidence = 7\n[anomalies.mass_deletion]\nmin_calls = 3\n",
        )
        .unwrap();
        let t = f.anomalies;
        assert_eq!(t.max_evidence, 7);
        assert_eq!(t.mass_deletion.min_calls, 3);
        assert_eq!(t.mass_deletion.window_minutes, 10);
        assert_eq!(t.off_hours, OffHours::default());
        let text = t.to_toml();
        let back: File = toml::from_str(&text).unwrap();
        assert_eq!(back.anomalies, t, "{text}");
        let d: File = toml::from_str(&Thresholds::default().to_toml()).unwrap();
        assert_eq!(d.anomalies, Thresholds::default());
    }

    #[test]
    fn unknown_keys_are_errors() {
        let e = toml::from_str::<File>("[anomalies.mass_deletion]\nmin_call = 3\n").unwrap_err();
        assert!(e.to_string().contains("min_call"), "{e}");
    }
}
