//! What a detector reports: `Finding`, its `Severity`, the stable
//! `finding_id`, and the order findings are listed in.

use serde::Serialize;
use std::cmp::Ordering;
use xxhash_rust::xxh3::Xxh3;

#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The destructive-severity column's words (`None` for anything else).
    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s {
            "info" => Severity::Info,
            "low" => Severity::Low,
            "medium" => Severity::Medium,
            "high" => Severity::High,
            "critical" => Severity::Critical,
            _ => return None,
        })
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One anomaly: who, when, which events, how strong and why, in words.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Finding {
    /// xxh3-64 (hex) of detector, actor kind, actor, operator, window start
    /// and every event id of the finding, sorted.
    pub finding_id: String,
    pub detector: &'static str,
    pub severity: Severity,
    pub actor_kind: String,
    pub actor: String,
    pub operator: Option<String>,
    /// The account when every event of the finding is in one, else `None`.
    pub account: Option<String>,
    /// Time of the first and of the last event of the finding (µs, UTC).
    pub window_start_us: i64,
    pub window_end_us: i64,
    /// The events, earliest first, at most `max_evidence`.
    pub event_ids: Vec<String>,
    /// How many events the finding rests on (`event_ids` may be cut).
    pub event_count: usize,
    /// Detector-specific, documented in each detector's module; higher is
    /// stronger. Deterministic for the same input.
    pub score: f64,
    pub explanation: String,
}

/// The stable id: equal inputs, equal ids, whatever the row order.
pub fn finding_id(
    detector: &str,
    actor_kind: &str,
    actor: &str,
    operator: Option<&str>,
    window_start_us: i64,
    sorted_event_ids: &[&str],
) -> String {
    let mut h = Xxh3::new();
    for part in [detector, actor_kind, actor, operator.unwrap_or("")] {
        h.update(part.as_bytes());
        h.update(&[0]);
    }
    h.update(&window_start_us.to_le_bytes());
    for id in sorted_event_ids {
        h.update(&[0]);
        h.update(id.as_bytes());
    }
    format!("{:016x}", h.digest())
}

/// Severity desc, score desc, window start, finding id.
pub fn report_order(a: &Finding, b: &Finding) -> Ordering {
    b.severity
        .cmp(&a.severity)
        .then_with(|| b.score.total_cmp(&a.score))
        .then_with(|| a.window_start_us.cmp(&b.window_start_us))
        .then_with(|| a.finding_id.cmp(&b.finding_id))
}
