//! Issue 22: every command's `--format json` output has a documented shape,
//! a JSON Schema in `schemas/`, and matches it on the sample scenario. The
//! schemas are strict (no key they do not list), so a new or renamed field
//! fails here until its schema says so. Checked by `scripts/schema_check.py`
//! with Python's `jsonschema` (installed by `scripts/test-deps`).

mod common;

use common::{ingest_quietly, run, sample};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `scripts/schema_check.py SCHEMA FILE`: (passed, what it printed).
fn check(schema: &str, file: &Path) -> (bool, String) {
    let out = std::process::Command::new("python3")
        .arg(root().join("scripts/schema_check.py"))
        .arg(root().join("schemas").join(schema))
        .arg(file)
        .output()
        .expect("python3 runs");
    assert_ne!(
        out.status.code(),
        Some(2),
        "Python's jsonschema is missing: run scripts/test-deps\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn issue22_every_json_output_matches_its_schema() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("tb");
    let data = sample();
    let s = |p: &Path| p.to_str().unwrap().to_string();
    ingest_quietly(&data, &store);
    let config = s(&data.join("trailblame.toml"));
    let incidents = s(&data.join("incidents.csv"));
    let iam = [
        s(&data.join("iam/account-491035286417.json")),
        s(&data.join("iam/account-215834090671.json")),
    ];
    let common = ["--store".to_string(), s(&store), "--config".into(), config];
    let cases: Vec<(&str, &str, Vec<String>)> = vec![
        ("summary", "summary.schema.json", vec![]),
        ("attribute", "attribute.schema.json", vec![]),
        ("destructive", "destructive.schema.json", vec![]),
        ("anomalies", "anomalies.schema.json", vec![]),
        (
            "compare",
            "compare.schema.json",
            vec!["--incidents".into(), incidents.clone()],
        ),
        (
            "privileges",
            "privileges.schema.json",
            vec![
                "--iam".into(),
                iam[0].clone(),
                "--iam".into(),
                iam[1].clone(),
            ],
        ),
        (
            "incidents",
            "incidents.schema.json",
            vec!["--incidents".into(), incidents.clone()],
        ),
        (
            "explain",
            "explain.schema.json",
            vec!["dc5cfec8-0c79-4c28-b062-2982f6391515".into()],
        ),
        (
            "query",
            "query.schema.json",
            vec!["SELECT event_id, resources, event_time FROM events LIMIT 5".into()],
        ),
        (
            "report",
            "document.schema.json",
            vec!["--incidents".into(), incidents.clone()],
        ),
        (
            "timeline",
            "document.schema.json",
            vec![
                "--incident".into(),
                "INC-2291".into(),
                "--incidents".into(),
                incidents.clone(),
            ],
        ),
    ];
    for (cmd, schema, extra) in &cases {
        let out = dir.path().join(format!("{cmd}.json"));
        let mut args: Vec<String> = vec![cmd.to_string()];
        args.extend(extra.iter().cloned());
        args.extend(common.iter().cloned());
        args.extend(["-q", "--format", "json", "-o"].map(String::from));
        args.push(s(&out));
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = run(&argv);
        assert_eq!(r.code, 0, "{cmd}: {}", r.stderr);
        let (ok, said) = check(schema, &out);
        assert!(
            ok,
            "{cmd} --format json does not match schemas/{schema}:\n{said}"
        );
    }
    // ingest's accounting.
    let out = dir.path().join("ingest.json");
    let r = run(&[
        "ingest",
        &s(&data),
        "--store",
        &s(&dir.path().join("tb2")),
        "--config-from-inputs",
        "-q",
        "--format",
        "json",
        "-o",
        &s(&out),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (ok, said) = check("ingest.schema.json", &out);
    assert!(ok, "ingest --format json:\n{said}");

    // Strict: a key the schema does not list is a failure.
    let attribute = dir.path().join("attribute.json");
    let mut rows: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&attribute).unwrap()).unwrap();
    rows[0]["not_in_the_schema"] = serde_json::json!(1);
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, rows.to_string()).unwrap();
    let (ok, said) = check("attribute.schema.json", &bad);
    assert!(!ok && said.contains("not_in_the_schema"), "{said}");

    // Every command that offers json has a schema here.
    let covered: Vec<&str> = cases.iter().map(|c| c.0).chain(["ingest"]).collect();
    let help = run(&["--help"]);
    let commands: Vec<String> = help
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect();
    assert!(commands.len() > 10, "{}", help.stdout);
    for c in &commands {
        let h = run(&[c.as_str(), "-h"]);
        let flat = h.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
        let offers_json = flat
            .split("--format <FORMAT>")
            .nth(1)
            .and_then(|rest| rest.split(']').next())
            .is_some_and(|values| values.contains("json"));
        assert!(
            !offers_json || covered.contains(&c.as_str()),
            "{c} writes JSON but has no schema in schemas/ checked here"
        );
    }
}
