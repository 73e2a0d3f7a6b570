//! Incidents as an incident tool would export them, with their true causes
//! kept aside (`files` writes `incidents.csv` and `incident_truth.csv`).

use crate::scenario::spec::Kind;

/// One incident.
#[derive(Clone, Debug)]
pub(crate) struct Incident {
    pub id: String,
    pub title: String,
    pub severity: &'static str,
    pub started: i64,
    pub ended: i64,
    pub services: Vec<&'static str>,
    pub resources: Vec<String>,
    /// uids of the events that caused it (empty: no traceable cause).
    pub causes: Vec<u64>,
    /// Whether the exported incident lists its causes.
    pub export_causes: bool,
    /// The true cause's actor kind and actor (`None`: untraceable).
    pub truth: Option<(Kind, String)>,
}

/// `2025-12-10T16:05:00+00:00`.
pub(crate) fn rfc3339(t: i64) -> String {
    let mut s = crate::json::iso(t);
    s.pop();
    s.push_str("+00:00");
    s
}
