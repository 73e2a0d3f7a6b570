//! `trailblame compare` on small real-format fixtures: the edge cases of
//! the incident comparison (no incidents, no AI activity, an incident
//! before the first event, overlapping incidents, equally likely causes),
//! and on the sample scenario: the views agree with each other.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Events of 2026-01-16: claude-code (on bob's credentials) deletes
/// demo-tmp-bucket at 10:00:07–08; bob deletes scratch-bucket at 10:00:08
/// and old-notes at 10:30; a denied DeleteTable at 10:40.
fn fixture() -> PathBuf {
    fixtures().join("attribution")
}

fn compare(incidents: &Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "compare",
        "--incidents",
        incidents.to_str().unwrap(),
        "-q",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap()
}

fn incidents_file(dir: &Path, rows: &[&str]) -> PathBuf {
    let p = dir.join("incidents.csv");
    let mut text = "id,title,severity,started_at,resources\n".to_string();
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn no_incidents_means_no_data_not_a_difference() {
    let dir = tempfile::tempdir().unwrap();
    let inc = incidents_file(dir.path(), &[]);
    let v = compare(&inc, &[fixture().to_str().unwrap()]);
    assert_eq!(v["incidents"]["total"], 0);
    assert_eq!(
        v["per_1000_writes"]["verdict"], "no_data",
        "{}",
        v["verdict"]
    );
    // The exposure is still counted: 2 AI writes, 2 human ones.
    assert_eq!(v["ai"]["writes"], 2);
    assert_eq!(v["human"]["writes"], 2);
}

#[test]
fn without_ai_activity_the_verdict_cannot_compare() {
    let dir = tempfile::tempdir().unwrap();
    // I-0 started before the window: it is not counted.
    let inc = incidents_file(
        dir.path(),
        &[
            "I-0,bucket gone,SEV2,2026-01-16T10:05:00Z,arn:aws:s3:::demo-tmp-bucket",
            "I-1,notes gone,SEV3,2026-01-16T10:35:00Z,old-notes",
        ],
    );
    let v = compare(
        &inc,
        &[
            fixture().to_str().unwrap(),
            "--since",
            "2026-01-16T10:10:00Z",
        ],
    );
    assert_eq!(v["ai"]["writes"], 0);
    assert_eq!(v["incidents"]["total"], 1);
    assert_eq!(v["incidents"]["traced_to_human"], 1);
    assert_eq!(
        v["per_1000_writes"]["verdict"], "no_data",
        "{}",
        v["verdict"]
    );
    let verdict = v["verdict"].as_str().unwrap();
    assert!(
        !verdict.contains("higher") && !verdict.contains("lower"),
        "{verdict}"
    );
}

#[test]
fn an_incident_before_the_first_event_has_no_traced_cause() {
    let dir = tempfile::tempdir().unwrap();
    let inc = incidents_file(
        dir.path(),
        &["I-0,early,SEV2,2026-01-15T09:00:00Z,arn:aws:s3:::demo-tmp-bucket"],
    );
    let v = compare(&inc, &[fixture().to_str().unwrap()]);
    assert_eq!(v["incidents"]["total"], 1);
    assert_eq!(v["incidents"]["no_traced_cause"], 1);
    assert_eq!(v["ai"]["incidents"], 0);
    assert_eq!(v["human"]["incidents"], 0);
}

#[test]
fn overlapping_incidents_each_count_for_their_cause() {
    let dir = tempfile::tempdir().unwrap();
    let inc = incidents_file(
        dir.path(),
        &[
            "I-1,bucket gone,SEV2,2026-01-16T10:05:00Z,arn:aws:s3:::demo-tmp-bucket",
            "I-2,reports failing,SEV3,2026-01-16T10:06:00Z,arn:aws:s3:::demo-tmp-bucket",
            "I-3,notes gone,SEV3,2026-01-16T10:35:00Z,old-notes",
        ],
    );
    let v = compare(&inc, &[fixture().to_str().unwrap()]);
    assert_eq!(v["incidents"]["traced_to_ai"], 2);
    assert_eq!(v["incidents"]["traced_to_human"], 1);
    // Rate per 1,000 write actions (the agent's calls on one bucket are
    // one action), written out.
    let wa = |side: &str| v[side]["write_actions"].as_f64().unwrap();
    assert!(wa("ai") > 0.0 && wa("ai") <= v["ai"]["writes"].as_f64().unwrap());
    let expected = (2.0 / wa("ai")) / (1.0 / wa("human"));
    let rr = v["per_1000_writes"]["rate_ratio"].as_f64().unwrap();
    assert!((rr - expected).abs() < 1e-9, "{rr} vs {expected}");
    // Both AI incidents come from one session: the bootstrap sees 1 AI
    // cluster (the transcript session) and 1 human one (bob's day).
    assert_eq!(v["session_bootstrap"]["ai_clusters"], 1);
    assert_eq!(v["session_bootstrap"]["human_clusters"], 1);
}

#[test]
fn equally_likely_causes_of_different_kinds_are_ambiguous_not_forced() {
    let dir = tempfile::tempdir().unwrap();
    // Two buckets deleted in the same second, one by the agent, one by bob.
    let inc = incidents_file(
        dir.path(),
        &["I-1,buckets gone,SEV2,2026-01-16T10:05:00Z,demo-tmp-bucket;scratch-bucket"],
    );
    let v = compare(&inc, &[fixture().to_str().unwrap()]);
    assert_eq!(v["incidents"]["ambiguous"], 1, "{}", v["incidents"]);
    assert_eq!(v["ai"]["incidents"], 0);
    assert_eq!(v["human"]["incidents"], 0);
}

#[test]
fn sample_views_add_up_and_equal_privilege_uses_the_iam_data() {
    // The sample's trailblame.toml names incidents.csv and iam/.
    let r = run(&[
        "compare",
        sample().to_str().unwrap(),
        "-q",
        "--format",
        "json",
        "--config-from-inputs",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let n = |v: &Value| v.as_u64().unwrap();
    let (ai, human) = (&v["ai"], &v["human"]);
    // Tiers, weeks: every write action and every incident exactly once.
    let eq = &v["at_equal_privilege"];
    assert_eq!(eq["iam_files"].as_array().unwrap().len(), 3);
    let tiers = eq["tiers"].as_array().unwrap();
    let sum = |rows: &[Value], f: &dyn Fn(&Value) -> u64| rows.iter().map(f).sum::<u64>();
    assert_eq!(
        sum(tiers, &|t| n(&t["ai_write_actions"])),
        n(&ai["write_actions"])
    );
    assert_eq!(
        sum(tiers, &|t| n(&t["human_write_actions"])),
        n(&human["write_actions"])
    );
    assert_eq!(sum(tiers, &|t| n(&t["ai_incidents"])), n(&ai["incidents"]));
    assert_eq!(
        sum(tiers, &|t| n(&t["human_incidents"])),
        n(&human["incidents"])
    );
    // dave's Kiro works on AdministratorAccess: an admin tier with AI writes.
    assert!(
        tiers
            .iter()
            .any(|t| t["tier"] == "admin" && n(&t["ai_write_actions"]) > 0),
        "{tiers:?}"
    );
    // The Mantel–Haenszel ratio is R/S over the tiers, written out here.
    let (mut r_sum, mut s_sum) = (0.0, 0.0);
    for t in tiers {
        let (x1, n1) = (
            n(&t["ai_incidents"]) as f64,
            n(&t["ai_write_actions"]) as f64 / 1000.0,
        );
        let (x2, n2) = (
            n(&t["human_incidents"]) as f64,
            n(&t["human_write_actions"]) as f64 / 1000.0,
        );
        if n1 > 0.0 && n2 > 0.0 {
            r_sum += x1 * n2 / (n1 + n2);
            s_sum += x2 * n1 / (n1 + n2);
        }
    }
    let mh = eq["mantel_haenszel"]["rate_ratio"].as_f64().unwrap();
    assert!(
        (mh - r_sum / s_sum).abs() < 1e-9,
        "{mh} vs {}",
        r_sum / s_sum
    );
    let weeks = v["weeks"].as_array().unwrap();
    assert_eq!(
        sum(weeks, &|w| n(&w["ai"]["write_actions"])),
        n(&ai["write_actions"])
    );
    assert_eq!(
        sum(weeks, &|w| n(&w["human"]["incidents"])),
        n(&human["incidents"])
    );
    // Sessions: agents' transcripts, people's working days.
    assert_eq!(
        n(&v["session_bootstrap"]["ai_clusters"]),
        n(&ai["sessions"])
    );
    assert_eq!(
        n(&v["session_bootstrap"]["human_clusters"]),
        n(&human["sessions"])
    );
    // The secondary indicators: the big incident is a mass deletion, and
    // none of the agents' destructive calls was explicitly approved.
    assert!(n(&ai["mass_deletion_bursts"]) >= 1);
    let un = &v["ai_destructive_without_approval"];
    assert_eq!(un["of"], ai["destructive_actions"]);
    assert!(n(&un["count"]) <= n(&un["of"]));
    // The text form states the verdict first and prints the tiers.
    let r = run(&[
        "compare",
        sample().to_str().unwrap(),
        "-q",
        "--config-from-inputs",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("AI-attributed write actions"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("admin-equivalent"), "{}", r.stdout);
    assert!(r.stdout.contains("week by week"), "{}", r.stdout);
}

#[test]
fn a_store_remembers_its_settings_file_and_what_it_names() {
    // Ingested with sample-data/trailblame.toml; read later from elsewhere
    // without --config: the incidents file and the IAM data it names are found.
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s");
    ingest_quietly(&sample(), &store);
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_trailblame"));
    c.current_dir(dir.path()).args([
        "compare",
        "--store",
        store.to_str().unwrap(),
        "-q",
        "--format",
        "json",
    ]);
    let r = run_cmd(&mut c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["incidents"]["total"], 6);
    assert_eq!(
        v["at_equal_privilege"]["iam_files"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

fn sample_json(cmd: &str) -> (String, Value) {
    let r = run(&[
        cmd,
        sample().to_str().unwrap(),
        "--config-from-inputs",
        "-q",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = serde_json::from_str(&r.stdout).unwrap();
    (r.stdout, v)
}

/// The integer column `name` summed over a report table's rows.
fn report_column_sum(report: &Value, caption: &str, name: &str) -> u64 {
    let table = report["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["blocks"].as_array().unwrap())
        .find(|b| b["type"] == "table" && b["content"]["caption"] == caption)
        .unwrap_or_else(|| panic!("no table {caption:?}"));
    let k = table["content"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c["name"] == name)
        .unwrap();
    table["content"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[k]["value"].as_u64().unwrap())
        .sum()
}

/// Issue 17: "writes" meant attempted writes in `summary` and successful
/// ones in `report` and `compare`. One definition now (the attribution's
/// `write` column) and one unit (the action, `action_id`, with the API
/// calls as a detail): the numbers agree everywhere, in both units.
#[test]
fn issue_17_writes_agree_in_summary_report_and_compare() {
    let (_, summary) = sample_json("summary");
    let (_, report) = sample_json("report");
    let (_, cmp) = sample_json("compare");
    let by_kind = |k: &str, column: &str| {
        summary["by_actor_kind"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["actor_kind"] == k)
            .unwrap()[column]
            .as_u64()
            .unwrap()
    };
    let who = "AI agents, and the person each worked for";
    for (summary_column, compare_key, report_column) in [
        ("write_actions", "write_actions", "Write actions"),
        (
            "destructive_actions",
            "destructive_actions",
            "Destructive actions",
        ),
        ("writes", "writes", "Write calls"),
        ("destructive", "destructive", "Destructive calls"),
    ] {
        let (ai, human) = (
            by_kind("ai", summary_column),
            by_kind("human", summary_column),
        );
        assert!(ai > 0 && human > 0, "{summary_column}");
        assert_eq!(
            cmp["ai"][compare_key].as_u64().unwrap(),
            ai,
            "{compare_key}"
        );
        assert_eq!(
            cmp["human"][compare_key].as_u64().unwrap(),
            human,
            "{compare_key}"
        );
        assert_eq!(report_column_sum(&report, who, report_column), ai);
        assert_eq!(report_column_sum(&report, "People", report_column), human);
    }
    // One recursive delete or one stack's cascade is one action: agents'
    // destructive calls come from far fewer actions.
    assert!(by_kind("ai", "destructive_actions") * 2 < by_kind("ai", "destructive"));
    // The agents' write actions per operator agree with the report's table too.
    let agent_writes: u64 = summary["by_operator"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["agent_write_actions"].as_u64().unwrap())
        .sum();
    assert!(agent_writes <= by_kind("ai", "write_actions"));
    // All write actions: the summary's sections and the report's headline.
    let total: u64 = summary["by_actor_kind"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["write_actions"].as_u64().unwrap())
        .sum();
    let metric = report["sections"][0]["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["type"] == "metrics")
        .unwrap()["content"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["label"] == "Write actions")
        .unwrap()["value"]
        .as_str()
        .unwrap()
        .replace(',', "");
    assert_eq!(metric.parse::<u64>().unwrap(), total);
}

/// Issue 17: an approval the record does not store is `unknown`, never
/// "no approval": the four states sum to the AI destructive actions, and no
/// output says "no explicit human approval" or "without a person's
/// approval".
#[test]
fn issue_17_unknown_approval_is_not_reported_as_no_approval() {
    let (cmp_text, cmp) = sample_json("compare");
    let a = &cmp["ai_destructive_approval"];
    let n = |k: &str| a[k].as_u64().unwrap_or_else(|| panic!("no {k} in {a}"));
    let destructive = cmp["ai"]["destructive_actions"].as_u64().unwrap();
    assert!(destructive > 0);
    assert_eq!(
        n("approved") + n("auto_approved") + n("rejected") + n("unknown"),
        destructive
    );
    // The sample's transcripts never store the answer to a prompt.
    assert_eq!(n("unknown"), destructive, "{a}");
    let sentence = cmp["ai_destructive_without_approval"]["sentence"]
        .as_str()
        .unwrap();
    assert!(
        sentence.starts_with(&format!(
            "{destructive} of {destructive} AI destructive actions had no approval on record (unknown); the tool cannot tell whether a person clicked yes."
        )),
        "{sentence}"
    );
    let (report_text, _) = sample_json("report");
    let (anomalies_text, _) = sample_json("anomalies");
    let (destructive_text, _) = sample_json("destructive");
    for out in [&cmp_text, &report_text, &anomalies_text, &destructive_text] {
        for banned in [
            "no explicit human approval",
            "without a person's approval",
            "unapproved destructive",
            "\"explicit\"",
        ] {
            assert!(!out.contains(banned), "{banned:?} in output");
        }
    }
}
