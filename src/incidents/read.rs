//! Reads an incidents file as teams export it: CSV (PagerDuty, Jira,
//! spreadsheets) or JSON (an array of objects, `{"incidents": […]}` from
//! PagerDuty's API, `{"issues": […]}` from Jira's), with the columns found
//! by name. Built-in aliases cover the common exports; `[incidents.columns]`
//! in `trailblame.toml` names others (dotted paths reach into JSON objects,
//! e.g. `fields.summary`). A row that cannot be read is reported with its
//! line (CSV) or index (JSON) and left out; the others are kept.

use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::path::Path;

/// One incident.
#[derive(Clone, Debug, PartialEq)]
pub struct Incident {
    pub id: String,
    pub title: Option<String>,
    pub severity: Option<String>,
    /// Microseconds since the epoch, UTC.
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub services: Vec<String>,
    pub resources: Vec<String>,
    /// Cause events the export names itself (rare).
    pub cause_event_ids: Vec<String>,
    pub source_file: String,
    /// CSV line, or 1-based record index in a JSON file.
    pub position: String,
}

/// What the file held: the incidents, and the rows left out and why.
#[derive(Debug, Default)]
pub struct Read {
    pub incidents: Vec<Incident>,
    pub problems: Vec<String>,
    pub rows: usize,
    /// Rows whose times had no zone and were read as UTC.
    pub naive_times: usize,
}

/// Field → the column names (or dotted JSON paths) tried, in order.
pub type ColumnMap = BTreeMap<String, Vec<String>>;

/// The built-in aliases with the settings' names for each field first.
pub fn columns_with(custom: &ColumnMap) -> ColumnMap {
    let mut m = default_columns();
    for (field, names) in custom {
        let list = m.entry(field.clone()).or_default();
        let mut merged = names.clone();
        merged.extend(list.drain(..).filter(|n| !names.contains(n)));
        *list = merged;
    }
    m
}

pub const FIELDS: &[&str] = &[
    "id",
    "title",
    "severity",
    "started_at",
    "ended_at",
    "services",
    "resources",
    "cause_event_ids",
];

/// The names tried when the settings give none: trailblame's own, PagerDuty's
/// CSV and API exports, Jira's.
pub fn default_columns() -> ColumnMap {
    let m =
        |f: &str, names: &[&str]| (f.to_string(), names.iter().map(|s| s.to_string()).collect());
    [
        m(
            "id",
            &[
                "id",
                "incident_id",
                "Incident ID",
                "incident_number",
                "Issue key",
                "key",
                "number",
            ],
        ),
        m(
            "title",
            &[
                "title",
                "summary",
                "Summary",
                "name",
                "fields.summary",
                "description",
            ],
        ),
        m(
            "severity",
            &[
                "severity",
                "sev",
                "Severity",
                "priority",
                "Priority",
                "urgency",
                "priority.summary",
                "fields.priority.name",
            ],
        ),
        m(
            "started_at",
            &[
                "started_at",
                "start",
                "start_time",
                "created_at",
                "created_on",
                "Created",
                "triggered_at",
                "opened_at",
                "fields.created",
            ],
        ),
        m(
            "ended_at",
            &[
                "ended_at",
                "end",
                "end_time",
                "resolved_at",
                "resolved_on",
                "Resolved",
                "closed_at",
                "last_status_change_at",
                "fields.resolutiondate",
            ],
        ),
        m(
            "services",
            &[
                "services",
                "service",
                "service_name",
                "Service",
                "service.summary",
                "Component/s",
                "components",
                "fields.components",
            ],
        ),
        m(
            "resources",
            &[
                "resources",
                "resource",
                "affected_resources",
                "arns",
                "Resources",
            ],
        ),
        m(
            "cause_event_ids",
            &[
                "cause_event_ids",
                "cause_events",
                "event_ids",
                "caused_by_event_ids",
            ],
        ),
    ]
    .into_iter()
    .collect()
}

/// Reads `path`, detecting CSV or JSON by content.
pub fn read(path: &Path, columns: &ColumnMap) -> Result<Read> {
    let bytes =
        std::fs::read(path).with_context(|| format!("reading incidents {}", path.display()))?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|e| anyhow::anyhow!("{}: not UTF-8 text ({e})", path.display()))?;
    let text = text.trim_start_matches('\u{feff}');
    let name = path.display().to_string();
    match text.trim_start().as_bytes().first() {
        None => bail!("{name}: the incidents file is empty"),
        Some(b'[' | b'{') => read_json(&name, text, columns),
        Some(_) => read_csv(&name, text, columns),
    }
}

/// A value found for a field, as text or a list.
enum Found {
    Text(String),
    List(Vec<String>),
}

fn split_list(s: &str) -> Vec<String> {
    s.split([';', ',', '\n', '|'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

fn build(
    get: &dyn Fn(&str) -> Option<Found>,
    source_file: &str,
    position: String,
    naive: &mut usize,
) -> std::result::Result<Incident, String> {
    let text = |f: &str| match get(f) {
        Some(Found::Text(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Found::List(v)) if !v.is_empty() => Some(v.join(", ")),
        _ => None,
    };
    let list = |f: &str| match get(f) {
        Some(Found::Text(s)) => split_list(&s),
        Some(Found::List(v)) => v,
        None => Vec::new(),
    };
    let id = text("id").ok_or("no incident id")?;
    let started = text("started_at").ok_or_else(|| format!("incident {id}: no start time"))?;
    let (started_at, n1) =
        parse_time(&started).map_err(|e| format!("incident {id}: start time {e}"))?;
    let ended_at = match text("ended_at") {
        Some(t) => {
            let (v, n2) = parse_time(&t).map_err(|e| format!("incident {id}: end time {e}"))?;
            *naive += usize::from(n2 && !n1);
            Some(v)
        }
        None => None,
    };
    *naive += usize::from(n1);
    if ended_at.is_some_and(|e| e < started_at) {
        return Err(format!("incident {id}: ends before it starts"));
    }
    Ok(Incident {
        id,
        title: text("title"),
        severity: text("severity"),
        started_at,
        ended_at,
        services: list("services"),
        resources: list("resources"),
        cause_event_ids: list("cause_event_ids"),
        source_file: source_file.to_string(),
        position,
    })
}

/// RFC 3339, `2025-12-10 14:03:00+01:00`, Jira's `2025-12-10T14:03:00.000+0100`,
/// epoch seconds or milliseconds; a time without zone is read as UTC and
/// flagged (`true`).
pub fn parse_time(s: &str) -> std::result::Result<(i64, bool), String> {
    let t = s.trim();
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(t) {
        return Ok((d.timestamp_micros(), false));
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S%:z",
        "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M%:z",
    ] {
        if let Ok(d) = chrono::DateTime::parse_from_str(t, fmt) {
            return Ok((d.timestamp_micros(), false));
        }
    }
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = t.parse().map_err(|_| format!("{t:?} is out of range"))?;
        return Ok((
            if n > 100_000_000_000 {
                n * 1000
            } else {
                n * 1_000_000
            },
            false,
        ));
    }
    crate::timeparse::parse_user_time(t)
        .map(|v| (v, true))
        .map_err(|_| format!("{t:?} is not a time trailblame reads (use RFC 3339, e.g. 2025-12-10T14:03:00+01:00)"))
}

fn read_csv(name: &str, text: &str, columns: &ColumnMap) -> Result<Read> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .with_context(|| format!("{name}: reading the header line"))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let index = |field: &str| -> Option<usize> {
        columns.get(field)?.iter().find_map(|c| {
            headers
                .iter()
                .position(|h| h == c)
                .or_else(|| headers.iter().position(|h| h.eq_ignore_ascii_case(c)))
        })
    };
    let at: BTreeMap<&str, Option<usize>> = FIELDS.iter().map(|f| (*f, index(f))).collect();
    for need in ["id", "started_at"] {
        if at[need].is_none() {
            bail!(
                "{name}: no column for {need} (tried {}); name yours under [incidents.columns] in trailblame.toml",
                columns.get(need).map(|v| v.join(", ")).unwrap_or_default()
            );
        }
    }
    let mut out = Read::default();
    for rec in rdr.records() {
        out.rows += 1;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                out.problems.push(format!("{name}: line {line}: {e}"));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        let get = |f: &str| -> Option<Found> {
            let i = (*at.get(f)?)?;
            rec.get(i).map(|s| Found::Text(s.to_string()))
        };
        match build(&get, name, format!("line {line}"), &mut out.naive_times) {
            Ok(i) => out.incidents.push(i),
            Err(e) => out.problems.push(format!("{name}: line {line}: {e}")),
        }
    }
    Ok(out)
}

fn at_path<'v>(v: &'v serde_json::Value, path: &str) -> Option<&'v serde_json::Value> {
    if let Some(x) = v.get(path) {
        return Some(x);
    }
    path.split('.').try_fold(v, |cur, k| cur.get(k))
}

fn found(v: &serde_json::Value) -> Option<Found> {
    use serde_json::Value as V;
    let name_of = |x: &V| -> Option<String> {
        match x {
            V::String(s) => Some(s.clone()),
            V::Number(n) => Some(n.to_string()),
            V::Object(o) => ["name", "summary", "arn", "id"]
                .iter()
                .find_map(|k| o.get(*k).and_then(|y| y.as_str()).map(str::to_owned)),
            _ => None,
        }
    };
    match v {
        V::Null => None,
        V::Array(a) => Some(Found::List(a.iter().filter_map(name_of).collect())),
        other => name_of(other).map(Found::Text),
    }
}

fn read_json(name: &str, text: &str, columns: &ColumnMap) -> Result<Read> {
    let v: serde_json::Value =
        serde_json::from_str(text).with_context(|| format!("{name}: not valid JSON"))?;
    let rows = match &v {
        serde_json::Value::Array(a) => a.as_slice(),
        serde_json::Value::Object(o) => ["incidents", "issues", "items", "data"]
            .iter()
            .find_map(|k| o.get(*k).and_then(|x| x.as_array()))
            .map(Vec::as_slice)
            .ok_or_else(|| anyhow::anyhow!("{name}: expected an array of incidents, or an object with \"incidents\" or \"issues\""))?,
        _ => bail!("{name}: expected an array of incidents"),
    };
    let mut out = Read::default();
    for (k, row) in rows.iter().enumerate() {
        out.rows += 1;
        let get = |f: &str| -> Option<Found> {
            columns
                .get(f)?
                .iter()
                .find_map(|c| at_path(row, c).and_then(found))
        };
        match build(
            &get,
            name,
            format!("record {}", k + 1),
            &mut out.naive_times,
        ) {
            Ok(i) => out.incidents.push(i),
            Err(e) => out.problems.push(format!("{name}: record {}: {e}", k + 1)),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn csv_with_our_columns_and_a_bad_row() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "i.csv",
            "id,title,severity,started_at,ended_at,services,resources,cause_event_ids\n\
             INC-1,Cost analysis down,SEV1,2025-12-10T14:03:00+01:00,2025-12-11T03:00:00Z,cost-analysis;cloudformation,arn:aws:cloudformation:us-east-1:1:stack/cost-analysis-prod/x,\n\
             INC-2,Broken,SEV3,yesterday,,,,\n\
             INC-3,Bucket gone,SEV3,2025-12-11 09:00:00,,s3,staging-assets,e1;e2\n",
        );
        let r = read(&p, &default_columns()).unwrap();
        assert_eq!(r.rows, 3);
        assert_eq!(r.incidents.len(), 2);
        assert_eq!(r.problems.len(), 1);
        assert!(
            r.problems[0].contains("line 3") && r.problems[0].contains("INC-2"),
            "{:?}",
            r.problems
        );
        let a = &r.incidents[0];
        assert_eq!(
            a.started_at,
            crate::timeparse::parse_user_time("2025-12-10T13:03:00Z").unwrap()
        );
        assert_eq!(a.services, vec!["cost-analysis", "cloudformation"]);
        assert_eq!(a.resources.len(), 1);
        assert_eq!(r.incidents[1].cause_event_ids, vec!["e1", "e2"]);
        assert_eq!(r.naive_times, 1);
    }

    #[test]
    fn pagerduty_and_jira_exports() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "pd.json",
            r#"{"incidents":[{"id":"Q1","incident_number":42,"title":"API 5xx","urgency":"high","created_at":"2025-12-10T10:00:00Z","resolved_at":"2025-12-10T11:00:00Z","service":{"id":"P1","summary":"orders-api"}}]}"#,
        );
        let r = read(&p, &default_columns()).unwrap();
        assert_eq!(r.incidents[0].services, vec!["orders-api"]);
        assert_eq!(r.incidents[0].severity.as_deref(), Some("high"));
        let p = write(
            d.path(),
            "jira.json",
            r#"{"issues":[{"key":"OPS-7","fields":{"summary":"Lambda broken","created":"2025-12-10T10:00:00.000+0100","priority":{"name":"P2"},"components":[{"name":"billing"}]}}]}"#,
        );
        let r = read(&p, &default_columns()).unwrap();
        let i = &r.incidents[0];
        assert_eq!(
            (i.id.as_str(), i.severity.as_deref()),
            ("OPS-7", Some("P2"))
        );
        assert_eq!(
            i.started_at,
            crate::timeparse::parse_user_time("2025-12-10T09:00:00Z").unwrap()
        );
        let p = write(
            d.path(),
            "jira.csv",
            "Issue key,Summary,Priority,Created\nOPS-8,x,P3,2025-12-10 10:00:00 +0000\n",
        );
        assert_eq!(
            read(&p, &default_columns()).unwrap().incidents[0].id,
            "OPS-8"
        );
    }

    #[test]
    fn missing_columns_and_bad_files_are_clear_errors() {
        let d = tempfile::tempdir().unwrap();
        let p = write(d.path(), "x.csv", "name,when\na,b\n");
        let e = format!("{:#}", read(&p, &default_columns()).unwrap_err());
        assert!(e.contains("no column for id") && e.contains("x.csv"), "{e}");
        let p = write(d.path(), "y.json", "{\"incidents\": [");
        assert!(
            format!("{:#}", read(&p, &default_columns()).unwrap_err()).contains("not valid JSON")
        );
        let p = write(d.path(), "z.csv", "");
        assert!(read(&p, &default_columns()).is_err());
        let mut custom = default_columns();
        custom.insert("id".into(), vec!["name".into()]);
        custom.insert("started_at".into(), vec!["when".into()]);
        let p = write(d.path(), "w.csv", "name,when\na,2025-12-10T10:00:00Z\n");
        assert_eq!(read(&p, &custom).unwrap().incidents.len(), 1);
    }
}
