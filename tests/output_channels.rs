//! Values from logs reach the terminal and CSV inert: a CloudTrail record
//! whose user agent carries an escape sequence, an OSC-8 link, a bell, a
//! right-to-left override and a spreadsheet formula behind spaces is
//! ingested by the real binary, and every output channel shows them as
//! escapes (or neutralised), never raw.

mod common;

use common::run;

const RECORD: &str = r#"{"Records":[{"eventVersion":"1.09","eventID":"0b6a8c5e-1a2b-4c3d-8e9f-0a1b2c3d4e5f","eventTime":"2025-12-08T10:00:00Z","eventSource":"dynamodb.amazonaws.com","eventName":"DeleteTable","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9","userAgent":"  =HYPERLINK(\"http://x\")\u001b[31m\u001b]8;;http://evil\u0007click\u001b]8;;\u0007evil\u202etxt.exe","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/mallory","accountId":"111122223333","userName":"mallory"},"requestParameters":{"tableName":"orders"},"recipientAccountId":"111122223333","eventType":"AwsApiCall","managementEvent":true,"readOnly":false}]}"#;

fn raw_controls(s: &str) -> Vec<char> {
    s.chars()
        .filter(|c| matches!(c, '\u{1b}' | '\u{7}' | '\u{202E}'))
        .collect()
}

#[test]
fn csv_tables_and_explain_show_hostile_values_inert() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::write(input.join("trail.json"), RECORD).unwrap();
    let store = dir.path().join("store");
    let (i, s) = (input.to_str().unwrap(), store.to_str().unwrap());
    let r = run(&["ingest", i, "--store", s, "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    let q = "SELECT user_agent FROM events";
    let csv = run(&["query", "--store", s, "--format", "csv", q]);
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    assert!(raw_controls(&csv.stdout).is_empty(), "{:?}", csv.stdout);
    let cell = csv.stdout.lines().nth(1).unwrap();
    assert!(cell.starts_with("\"'  =HYPERLINK"), "{cell}");
    assert!(cell.contains(r"\u{1b}]8;;http://evil\u{7}"), "{cell}");
    assert!(cell.contains(r"evil\u{202e}txt.exe"), "{cell}");

    let table = run(&["query", "--store", s, q]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(raw_controls(&table.stdout).is_empty(), "{:?}", table.stdout);

    for args in [
        vec!["attribute", "--store", s],
        vec!["attribute", "--store", s, "--format", "csv"],
        vec!["destructive", "--store", s],
        vec![
            "destructive",
            "--store",
            s,
            "--show",
            "events",
            "--format",
            "csv",
        ],
        vec![
            "explain",
            "0b6a8c5e-1a2b-4c3d-8e9f-0a1b2c3d4e5f",
            "--store",
            s,
        ],
    ] {
        let out = run(&args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert!(
            raw_controls(&out.stdout).is_empty() && raw_controls(&out.stderr).is_empty(),
            "{args:?}: {:?}",
            out.stdout
        );
    }
}
