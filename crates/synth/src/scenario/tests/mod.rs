//! Tests of the generated scenario as a whole: determinism across runs and
//! thread counts, sizes, the CloudTrail records' shape, and the ground
//! truth and incident files against the records.

mod consistency;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

use crate::scenario::{ScenarioConfig, ScenarioStats, generate};

/// One scenario at the default configuration, generated once per test run.
pub(super) struct Fixture {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
    pub stats: ScenarioStats,
    /// Every record by `eventID`.
    pub events: HashMap<String, Value>,
    /// Ground-truth rows by event id: the columns after `event_id`.
    pub truth: BTreeMap<String, Vec<String>>,
}

/// Cases of agents that write no transcript trailblame reads (the managed
/// AWS MCP Server, the Copilot coding agent): no session or call.
pub(super) fn without_transcript(case: &str) -> bool {
    matches!(case, "ai_managed_mcp" | "ai_copilot_coding_agent")
}

pub(super) fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("scenario");
        let stats = generate(&ScenarioConfig::default(), &root).expect("generate");
        let events = read_events(&root);
        let truth = read_truth(&root);
        Fixture {
            _dir: dir,
            root,
            stats,
            events,
            truth,
        }
    })
}

pub(super) fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn read_events(root: &Path) -> HashMap<String, Value> {
    let mut out = HashMap::new();
    for p in files_under(&root.join("cloudtrail")) {
        let f = std::fs::File::open(&p).expect("open");
        let doc: Value =
            serde_json::from_reader(flate2::read::GzDecoder::new(f)).expect("gzip json");
        for r in doc["Records"].as_array().expect("Records") {
            let id = r["eventID"].as_str().expect("eventID").to_string();
            assert!(out.insert(id, r.clone()).is_none(), "duplicate event id");
        }
    }
    out
}

fn read_truth(root: &Path) -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(root.join("ground_truth.csv")).expect("ground truth");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("event_id,actor_kind,actor,operator,agent_session_id,tool_call_id,case")
    );
    let mut out = BTreeMap::new();
    let mut prev = String::new();
    for l in lines {
        let cols: Vec<String> = l.split(',').map(str::to_string).collect();
        assert_eq!(cols.len(), 7, "{l}");
        assert!(cols[0] > prev, "ground truth not sorted by event id at {l}");
        prev = cols[0].clone();
        out.insert(cols[0].clone(), cols[1..].to_vec());
    }
    out
}

fn tree_bytes(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    files_under(root)
        .into_iter()
        .map(|p| {
            let b = std::fs::read(&p).expect("read");
            (p.strip_prefix(root).expect("prefix").to_path_buf(), b)
        })
        .collect()
}

#[test]
fn same_config_same_bytes_for_any_thread_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = ScenarioConfig {
        seed: 7,
        days: 5,
        ..ScenarioConfig::default()
    };
    let run = |threads: usize, name: &str| {
        let out = dir.path().join(name);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        let stats = pool.install(|| generate(&cfg, &out)).expect("generate");
        (stats, tree_bytes(&out))
    };
    let (s1, a) = run(1, "one");
    let (s2, b) = run(3, "three");
    assert_eq!(s1, s2);
    assert_eq!(a.len(), b.len());
    for ((pa, ba), (pb, bb)) in a.iter().zip(&b) {
        assert_eq!(pa, pb);
        assert!(ba == bb, "{} differs between runs", pa.display());
    }
    // Generating again into the same folder replaces, not adds.
    let (s3, c) = run(2, "one");
    assert_eq!(s1, s3);
    assert_eq!(a, c);
    let other = ScenarioConfig {
        seed: 8,
        ..cfg.clone()
    };
    generate(&other, &dir.path().join("other")).expect("generate");
    let d = tree_bytes(&dir.path().join("other"));
    assert_ne!(a, d, "another seed gives another scenario");
}

#[test]
fn sizes_are_within_bounds() {
    let f = fixture();
    let s = &f.stats;
    assert!((6_000..=12_000).contains(&s.events), "{s:#?}");
    assert!((15..=30).contains(&s.agent_sessions), "{s:#?}");
    assert!((150..=400).contains(&s.aws_tool_calls), "{s:#?}");
    assert!(s.bytes_on_disk < 8 << 20, "{s:#?}");
    assert_eq!(s.events as usize, f.events.len());
    assert_eq!(s.incidents, 6);
    for c in crate::scenario::spec::Case::ALL {
        assert!(
            s.events_by_case.get(c.as_str()).copied().unwrap_or(0) > 0,
            "no event of case {}",
            c.as_str()
        );
    }
    let written: u64 = files_under(&f.root)
        .iter()
        .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .sum();
    assert_eq!(written, s.bytes_on_disk);
    assert!(f.root.join("README.md").is_file());
}

#[test]
fn every_event_has_a_truth_row_and_back() {
    let f = fixture();
    assert_eq!(f.truth.len(), f.events.len());
    for (id, cols) in &f.truth {
        let e = f.events.get(id).unwrap_or_else(|| panic!("no event {id}"));
        let kind = cols[0].as_str();
        assert!(
            matches!(kind, "ai" | "human" | "service" | "automation"),
            "{cols:?}"
        );
        let ai = kind == "ai";
        // Who assigned the Copilot coding agent its issue is on GitHub only.
        let unknown_operator = cols[5] == "ai_copilot_coding_agent";
        assert_eq!(
            ai && !unknown_operator,
            !cols[2].is_empty(),
            "operator only for ai: {cols:?}"
        );
        if cols[5] != "ai_cfn_inherited" && ai {
            assert_eq!(
                without_transcript(&cols[5]),
                cols[3].is_empty() && cols[4].is_empty(),
                "{cols:?}"
            );
        }
        if kind == "service" {
            assert!(cols[1].ends_with(".amazonaws.com"), "{cols:?}");
        }
        if kind == "human" {
            let arn = e["userIdentity"]["arn"].as_str().unwrap_or("");
            assert!(arn.ends_with(&format!("/{}", cols[1])), "{arn} vs {cols:?}");
        }
    }
}

#[test]
fn records_have_the_cloudtrail_field_set() {
    let f = fixture();
    for (id, e) in &f.events {
        let v = e["eventVersion"].as_str().unwrap_or("");
        assert!(["1.08", "1.09", "1.10", "1.11"].contains(&v), "{id}");
        for k in [
            "userIdentity",
            "eventTime",
            "eventSource",
            "eventName",
            "awsRegion",
            "sourceIPAddress",
            "userAgent",
            "requestParameters",
            "responseElements",
            "eventID",
            "readOnly",
            "eventType",
            "managementEvent",
            "recipientAccountId",
            "eventCategory",
        ] {
            assert!(e.get(k).is_some(), "{id} lacks {k}: {e}");
        }
        let t = e["eventTime"].as_str().unwrap_or("");
        assert!(t.len() == 20 && t.ends_with('Z'), "{t}");
        let signin = e["eventType"] == "AwsConsoleSignIn";
        assert!(signin || e.get("requestID").is_some(), "{id}");
        let svc_ip = e["sourceIPAddress"]
            .as_str()
            .unwrap_or("")
            .ends_with(".amazonaws.com");
        assert_eq!(e.get("tlsDetails").is_none(), svc_ip, "{e}");
        if e["userIdentity"]["type"] == "AssumedRole" {
            assert!(
                e["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"].is_string(),
                "{e}"
            );
        }
        let data = e["eventCategory"] == "Data";
        assert_eq!(data, e["managementEvent"] == false);
        if e.get("errorCode").is_some() {
            assert!(e["responseElements"].is_null(), "{e}");
        }
    }
}

#[test]
fn incident_files_point_at_real_events() {
    let f = fixture();
    let inc = std::fs::read_to_string(f.root.join("incidents.csv")).expect("incidents");
    let truth = std::fs::read_to_string(f.root.join("incident_truth.csv")).expect("truth");
    assert_eq!(inc.lines().count(), 7);
    assert!(inc.lines().next().is_some_and(
        |h| h == "id,title,severity,started_at,ended_at,services,resources,cause_event_ids"
    ));
    let with_causes = inc.lines().skip(1).filter(|l| !l.ends_with(',')).count();
    assert_eq!(with_causes, 2, "{inc}");
    let mut none = 0;
    for l in truth.lines().skip(1) {
        let cols: Vec<&str> = l.split(',').collect();
        assert_eq!(cols.len(), 4, "{l}");
        if cols[1] == "none" {
            none += 1;
            continue;
        }
        for id in cols[1].split(';') {
            let row = f
                .truth
                .get(id)
                .unwrap_or_else(|| panic!("cause {id} is not an event"));
            assert_eq!(row[0], cols[2], "{l}");
            assert_eq!(row[1], cols[3], "{l}");
        }
    }
    assert_eq!(none, 1);
    // The SEV1 lasts 13 hours and its cause is the agent's DeleteStack.
    let sev1 = inc.lines().find(|l| l.contains("SEV1")).expect("sev1");
    let cols: Vec<&str> = sev1.rsplitn(2, ',').collect();
    let e = &f.events[cols[0]];
    assert_eq!(e["eventName"], "DeleteStack");
    assert!(
        e["userAgent"]
            .as_str()
            .unwrap_or("")
            .contains("exec-env/AmazonQ-For-CLI")
    );
    let times: Vec<&str> = sev1.split(',').filter(|c| c.ends_with("+00:00")).collect();
    let parse = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .expect("time")
            .timestamp()
    };
    assert_eq!(parse(times[1]) - parse(times[0]), 13 * 3600);
}

#[test]
fn short_weeks_odd_starts_and_bad_configs() {
    use chrono::TimeZone;
    let dir = tempfile::tempdir().expect("tempdir");
    for (days, day_of_month) in [(1u32, 8u32), (2, 13), (3, 10)] {
        let cfg = ScenarioConfig {
            days,
            start: chrono::Utc
                .with_ymd_and_hms(2025, 12, day_of_month, 7, 30, 0)
                .single()
                .expect("date"),
            ..ScenarioConfig::default()
        };
        let out = dir.path().join(format!("d{days}"));
        let stats = generate(&cfg, &out).expect("generate");
        assert!(stats.events > 0);
        assert_eq!(read_events(&out).len() as u64, stats.events);
        assert_eq!(read_truth(&out).len() as u64, stats.events);
    }
    for bad in [
        ScenarioConfig {
            days: 0,
            ..ScenarioConfig::default()
        },
        ScenarioConfig {
            background_scale: 0,
            ..ScenarioConfig::default()
        },
        ScenarioConfig {
            agent_scale: 0,
            ..ScenarioConfig::default()
        },
    ] {
        assert!(generate(&bad, &dir.path().join("bad")).is_err());
    }
}
