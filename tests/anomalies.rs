//! `trailblame anomalies` on the sample scenario: the big incident gives the
//! findings the issue names, ordinary background gives few, thresholds come
//! from trailblame.toml, and over a store the findings are saved as its
//! `findings` table.

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeMap;

fn findings(args: &[&str]) -> Vec<Value> {
    let mut all = vec!["anomalies", "--format", "json", "-q"];
    all.extend_from_slice(args);
    let r = run(&all);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str::<Vec<Value>>(&r.stdout).unwrap()
}

#[test]
fn the_big_incident_gives_its_findings_and_background_stays_quiet() {
    let found = findings(&[sample().to_str().unwrap()]);
    let mut per: BTreeMap<String, usize> = BTreeMap::new();
    for f in &found {
        *per.entry(f["detector"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    println!("findings per detector on the sample: {per:?}");
    for d in [
        "mass_deletion",
        "delete_then_recreate",
        "unapproved_destructive_ai",
    ] {
        assert!(
            found.iter().any(|f| f["detector"] == d
                && f["actor"] == "kiro"
                && f["operator"] == "dave@example.com"),
            "no {d} finding for dave's kiro: {per:?}"
        );
    }
    // The stack is among the names deleted and re-created.
    let rebuild = found
        .iter()
        .find(|f| f["detector"] == "delete_then_recreate")
        .unwrap();
    assert!(
        rebuild["explanation"]
            .as_str()
            .unwrap()
            .contains("cost-analysis-prod"),
        "{rebuild}"
    );
    // Ranked: severity never rises down the list.
    let rank: Vec<i64> = found
        .iter()
        .map(|f| f["severity_rank"].as_i64().unwrap())
        .collect();
    assert!(rank.windows(2).all(|w| w[0] >= w[1]), "{rank:?}");
    // Thousands of ordinary calls by people, automation and services: few findings.
    assert!(found.len() <= 20, "{} findings: {per:?}", found.len());
    // Every finding's evidence is real events.
    let ids = std::fs::read_to_string(sample().join("ground_truth.csv")).unwrap();
    for f in &found {
        for id in f["event_ids"].as_array().unwrap() {
            assert!(
                ids.contains(id.as_str().unwrap()),
                "{id} is not an event of the sample"
            );
        }
    }
}

#[test]
fn thresholds_come_from_the_settings_and_print_config_shows_the_defaults() {
    let r = run(&["anomalies", "--print-config"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("[anomalies.mass_deletion]"),
        "{}",
        r.stdout
    );
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("t.toml");
    let base = std::fs::read_to_string(sample().join("trailblame.toml")).unwrap();
    std::fs::write(
        &cfg,
        format!("{base}\n[anomalies.mass_deletion]\nmin_calls = 1000\n"),
    )
    .unwrap();
    let found = findings(&[
        sample().to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
    ]);
    assert!(!found.iter().any(|f| f["detector"] == "mass_deletion"));
    assert!(
        found
            .iter()
            .any(|f| f["detector"] == "delete_then_recreate")
    );
    // A misspelt threshold is an error naming it.
    std::fs::write(&cfg, "[anomalies.mass_deletion]\nmin_call = 3\n").unwrap();
    let r = run(&[
        "anomalies",
        sample().to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("min_call"), "{}", r.stderr);
}

#[test]
fn over_a_store_the_findings_are_saved_as_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s");
    ingest_quietly(&sample(), &store);
    let found = findings(&["--store", store.to_str().unwrap(), "--min-severity", "high"]);
    assert!(!found.is_empty());
    let rows = query(
        &store,
        "SELECT detector, COUNT(*) AS n FROM findings GROUP BY detector ORDER BY detector",
    );
    let saved: u64 = rows.iter().map(|r| r["n"].as_u64().unwrap()).sum();
    // Saved whole: every severity, not only what was printed.
    assert!(saved as usize >= found.len(), "{rows:?}");
    assert!(
        rows.iter().any(|r| r["detector"] == "mass_deletion"),
        "{rows:?}"
    );
}
