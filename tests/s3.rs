//! Issue 20: `ingest s3://…` against a real S3-compatible server
//! (`moto_server` on 127.0.0.1, started and killed by each test), through a
//! recording proxy that shows what was listed and fetched and injects
//! throttling, refused keys and vanished objects.

mod common;
mod s3_support;

use common::*;
use s3_support::*;
use serde_json::Value;
use std::path::Path;

const BUCKET: &str = "org-trail-bucket";

/// Runs the binary against `endpoint`; the accounting parsed from stdout.
fn ingest_s3(endpoint: &str, home: &Path, args: &[&str], store: &Path) -> (Run, Value) {
    let mut c = s3_cmd(endpoint, home);
    c.arg("ingest")
        .args(args)
        .args(["--store", store.to_str().unwrap(), "--format", "json"]);
    let r = run_cmd(&mut c);
    let v = serde_json::from_str(&r.stdout).unwrap_or(Value::Null);
    (r, v)
}

/// Every stored event, as JSON rows, without the column that names the
/// source (a path on disk, a key in S3).
fn events(store: &Path) -> Vec<Value> {
    query(
        store,
        "SELECT * EXCLUDE (source_file) FROM events ORDER BY event_id, event_time",
    )
}

fn labels(store: &Path) -> Vec<Value> {
    query(
        store,
        "SELECT event_key, actor_kind, actor, action_id FROM attribution ORDER BY event_key",
    )
}

fn gets(p: &Proxy) -> Vec<String> {
    p.lines()
        .into_iter()
        .filter(|l| l.starts_with("GET ") && !l.contains("list-type=2"))
        .collect()
}

fn lists(p: &Proxy) -> Vec<String> {
    p.lines()
        .iter()
        .filter(|l| l.contains("list-type=2"))
        .filter_map(|l| listed_prefix(l))
        .collect()
}

/// The day `…/YYYY/MM/DD` in a key or prefix, as `MM/DD`.
fn day_in(s: &str) -> Option<String> {
    let i = s.find("/2025/")?;
    let rest = &s[i + 6..];
    (rest.len() >= 5).then(|| rest[..5].to_string())
}

#[test]
fn s3_ingest_equals_local_with_and_without_a_window_and_lists_only_the_window() {
    let moto = Moto::start();
    moto.create_bucket(BUCKET);
    let local = sample().join("cloudtrail");
    moto.upload_dir(BUCKET, "custom/prefix", &local);
    let proxy = Proxy::start(moto.port, Faults::default());
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    let url = format!("s3://{BUCKET}/custom/prefix");

    // The whole trail.
    let s3_store = tmp.path().join("s3");
    let (r, v) = ingest_s3(&proxy.endpoint(), home, &[&url], &s3_store);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let local_store = tmp.path().join("local");
    let (r2, lv) = ingest_json(&[local.as_path()], &local_store, &[]);
    assert_eq!(r2.code, 0, "{}", r2.stderr);
    let s3acc = &v["accounting"]["s3"];
    let files = lv["accounting"]["files_seen"].as_u64().unwrap();
    assert_eq!(s3acc["listed"].as_u64(), Some(files));
    assert_eq!(s3acc["fetched"].as_u64(), Some(files));
    for k in ["records_read", "kept", "duplicates", "quarantined"] {
        assert_eq!(v["accounting"][k], lv["accounting"][k], "{k}");
    }
    assert_eq!(events(&s3_store), events(&local_store));
    assert_eq!(labels(&s3_store), labels(&local_store));
    let sources = query(&s3_store, "SELECT DISTINCT source_file FROM events");
    assert!(sources.iter().all(|r| {
        r["source_file"]
            .as_str()
            .unwrap()
            .starts_with(&format!("s3://{BUCKET}/custom/prefix/AWSLogs/"))
    }));

    // A second run fetches nothing.
    proxy.clear();
    let (r, v) = ingest_s3(&proxy.endpoint(), home, &[&url], &s3_store);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(gets(&proxy), Vec::<String>::new());
    assert_eq!(
        v["accounting"]["s3"]["skipped_already_ingested"].as_u64(),
        Some(files)
    );
    assert_eq!(v["accounting"]["kept"].as_u64(), Some(0));

    // A window: the same events as the local run with the same window, and
    // only the window's day prefixes (plus a day of margin) listed.
    proxy.clear();
    let window = ["--since", "2025-12-10", "--until", "2025-12-12"];
    let s3w = tmp.path().join("s3w");
    let mut args = vec![url.as_str()];
    args.extend(window);
    let (r, v) = ingest_s3(&proxy.endpoint(), home, &args, &s3w);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let localw = tmp.path().join("localw");
    let (r2, lv) = ingest_json(&[local.as_path()], &localw, &window);
    assert_eq!(r2.code, 0, "{}", r2.stderr);
    assert_eq!(events(&s3w), events(&localw));
    assert!(!events(&s3w).is_empty());
    assert_eq!(v["accounting"]["kept"], lv["accounting"]["kept"]);
    assert_eq!(
        v["accounting"]["out_of_window"],
        lv["accounting"]["out_of_window"]
    );
    assert!(lv["accounting"]["out_of_window"].as_u64().unwrap() > 0);
    assert!(lv["accounting"]["files_outside_window"].as_u64().unwrap() > 0);
    let outside = count(
        &s3w,
        "SELECT COUNT(*) AS n FROM events WHERE event_time < '2025-12-10' OR event_time >= '2025-12-12'",
    );
    assert_eq!(outside, 0);
    let allowed = ["12/10", "12/11", "12/12"];
    let listed = lists(&proxy);
    assert!(!listed.is_empty());
    for p in &listed {
        if let Some(d) = day_in(p) {
            assert!(allowed.contains(&d.as_str()), "listed {p}");
        }
        assert!(
            !p.ends_with("/2025/") && !p.ends_with("/2025/12/"),
            "walked the years: {p}"
        );
    }
    let fetched = gets(&proxy);
    assert!(!fetched.is_empty());
    for g in &fetched {
        let d = day_in(g).expect("a dated key");
        assert!(allowed.contains(&d.as_str()), "fetched {g}");
    }
}

/// The small org-layout fixture (two regions, one digest) at the bucket root.
fn small_trail(moto: &Moto) {
    moto.create_bucket(BUCKET);
    moto.upload_dir(BUCKET, "", &fixtures().join("cloudtrail/s3"));
}

#[test]
fn account_and_region_filters_and_digests_are_never_fetched() {
    let moto = Moto::start();
    small_trail(&moto);
    let proxy = Proxy::start(moto.port, Faults::default());
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let url = format!("s3://{BUCKET}");
    let (r, v) = ingest_s3(
        &proxy.endpoint(),
        tmp.path(),
        &[
            &url,
            "--account",
            "111122223333",
            "--region",
            "us-east-1",
            "--progress",
            "on",
        ],
        &store,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Progress names what was listed, what is to fetch and what was fetched.
    assert!(
        r.stderr.contains("S3: 1 listed, 1 to fetch, 1 fetched"),
        "{}",
        r.stderr
    );
    let fetched = gets(&proxy);
    assert_eq!(fetched.len(), 1, "{fetched:?}");
    assert!(fetched[0].contains("/CloudTrail/us-east-1/"));
    assert!(
        proxy.lines().iter().all(|l| !l.contains("Digest")),
        "{:?}",
        proxy.lines()
    );
    assert!(lists(&proxy).iter().all(|p| !p.contains("eu-west-1")));
    assert_eq!(v["accounting"]["s3"]["fetched"].as_u64(), Some(1));

    // The same file read from disk gives the same events.
    let local = tmp.path().join("l");
    let file = fixtures().join("cloudtrail/s3/AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail/us-east-1/2025/12/08/111122223333_CloudTrail_us-east-1_20251208T0905Z_AbCdEf0123456789.json.gz");
    let (r2, _) = ingest_json(&[file.as_path()], &local, &[]);
    assert_eq!(r2.code, 0);
    assert_eq!(events(&store), events(&local));

    // Another account only: nothing under this one is fetched.
    proxy.clear();
    let (r, v) = ingest_s3(
        &proxy.endpoint(),
        tmp.path(),
        &[&url, "--account", "999999999999"],
        &tmp.path().join("none"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(v["accounting"]["s3"]["listed"].as_u64(), Some(0));
    assert!(gets(&proxy).is_empty());
}

#[test]
fn throttling_is_retried_with_backoff_and_nothing_is_lost() {
    let moto = Moto::start();
    small_trail(&moto);
    let tmp = tempfile::tempdir().unwrap();
    let plain = tmp.path().join("plain");
    let (r, _) = ingest_s3(
        &moto.endpoint(),
        tmp.path(),
        &[&format!("s3://{BUCKET}")],
        &plain,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let proxy = Proxy::start(
        moto.port,
        Faults {
            throttle_every: 2,
            ..Faults::default()
        },
    );
    let store = tmp.path().join("throttled");
    let (r, v) = ingest_s3(
        &proxy.endpoint(),
        tmp.path(),
        &[&format!("s3://{BUCKET}")],
        &store,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(proxy.throttled.load(std::sync::atomic::Ordering::SeqCst) > 0);
    assert_eq!(v["accounting"]["s3"]["failed"].as_u64(), Some(0));
    assert_eq!(events(&store), events(&plain));
}

#[test]
fn a_missing_bucket_and_refused_credentials_are_clear_errors() {
    let moto = Moto::start();
    small_trail(&moto);
    let tmp = tempfile::tempdir().unwrap();
    let (r, _) = ingest_s3(
        &moto.endpoint(),
        tmp.path(),
        &["s3://no-such-bucket/AWSLogs"],
        &tmp.path().join("a"),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("s3://no-such-bucket/AWSLogs: cannot list"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("NoSuchBucket") || r.stderr.contains("404"),
        "{}",
        r.stderr
    );

    let proxy = Proxy::start(
        moto.port,
        Faults {
            refuse_key: Some("BADKEY".into()),
            ..Faults::default()
        },
    );
    let mut c = s3_cmd(&proxy.endpoint(), tmp.path());
    c.env("AWS_ACCESS_KEY_ID", "BADKEY").args([
        "ingest",
        &format!("s3://{BUCKET}"),
        "--store",
        tmp.path().join("b").to_str().unwrap(),
    ]);
    let r = run_cmd(&mut c);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("s3://{BUCKET}: cannot list")),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("InvalidAccessKeyId") || r.stderr.contains("403"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_truncated_object_and_a_vanished_one_are_named_counted_and_the_run_goes_on() {
    let moto = Moto::start();
    small_trail(&moto);
    let truncated = std::fs::read(fixtures().join("cloudtrail/bad/truncated.json.gz")).unwrap();
    let day = "AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail/us-east-1/2025/12/08";
    moto.put_all(
        BUCKET,
        vec![
            (format!("{day}/cut.json.gz"), truncated),
            (format!("{day}/gone.json"), b"{\"Records\":[]}".to_vec()),
        ],
    );
    let proxy = Proxy::start(
        moto.port,
        Faults {
            vanish: Some("gone.json".into()),
            ..Faults::default()
        },
    );
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let (r, v) = ingest_s3(
        &proxy.endpoint(),
        tmp.path(),
        &[&format!("s3://{BUCKET}")],
        &store,
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let acc = &v["accounting"];
    assert_eq!(acc["s3"]["failed"].as_u64(), Some(1));
    assert_eq!(acc["s3"]["listed"].as_u64(), Some(4));
    assert_eq!(acc["files_by_kind"]["unreadable"].as_u64(), Some(1));
    assert_eq!(acc["quarantined"].as_u64(), Some(1));
    let messages = v["messages"].to_string();
    assert!(
        messages.contains(&format!(
            "s3://{BUCKET}/{day}/gone.json: skipped (unreadable): cannot fetch"
        )),
        "{messages}"
    );
    assert!(
        messages.contains(&format!("s3://{BUCKET}/{day}/cut.json.gz: record 3")),
        "{messages}"
    );
    // The others were read.
    assert!(count(&store, "SELECT COUNT(*) AS n FROM events") > 3);
}

#[test]
fn security_lake_partitions_are_pruned_by_region_account_and_day() {
    let moto = Moto::start();
    moto.create_bucket(BUCKET);
    let file = std::fs::read(fixtures().join(
        "ocsf/security-lake/region=us-east-1/accountId=730335412877/eventDay=20251212/fixture.zstd.parquet",
    ))
    .unwrap();
    let root = "aws/CLOUD_TRAIL_MGMT/2.0";
    let keys = [
        "region=us-east-1/accountId=730335412877/eventDay=20251212/a.parquet",
        "region=eu-west-1/accountId=730335412877/eventDay=20251212/a.parquet",
        "region=us-east-1/accountId=111122223333/eventDay=20251212/a.parquet",
        "region=us-east-1/accountId=730335412877/eventDay=20251201/a.parquet",
    ];
    moto.put_all(
        BUCKET,
        keys.iter()
            .map(|k| (format!("{root}/{k}"), file.clone()))
            .collect(),
    );
    let proxy = Proxy::start(moto.port, Faults::default());
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let (r, v) = ingest_s3(
        &proxy.endpoint(),
        tmp.path(),
        &[
            &format!("s3://{BUCKET}/{root}"),
            "--region",
            "us-east-1",
            "--account",
            "730335412877",
            "--since",
            "2025-12-12",
            "--until",
            "2025-12-13",
        ],
        &store,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let fetched = gets(&proxy);
    assert_eq!(fetched.len(), 1, "{fetched:?}");
    assert!(fetched[0].contains(&keys[0].replace('=', "%3D")) || fetched[0].contains(keys[0]));
    assert_eq!(
        v["accounting"]["files_by_kind"]["ocsf_parquet"].as_u64(),
        Some(1)
    );
    let local = tmp.path().join("l");
    let (r2, lv) = ingest_json(
        &[fixtures().join("ocsf/security-lake").as_path()],
        &local,
        &["--since", "2025-12-12", "--until", "2025-12-13"],
    );
    assert_eq!(r2.code, 0, "{}", r2.stderr);
    assert_eq!(v["accounting"]["kept"], lv["accounting"]["kept"]);
    assert_eq!(events(&store), events(&local));
}

#[test]
fn credentials_come_from_shared_profiles_and_the_s3_endpoint_variable_wins() {
    let moto = Moto::start();
    small_trail(&moto);
    let proxy = Proxy::start(
        moto.port,
        Faults {
            refuse_key: Some("REFUSEDKEY".into()),
            ..Faults::default()
        },
    );
    let tmp = tempfile::tempdir().unwrap();
    let aws = tmp.path().join(".aws");
    std::fs::create_dir_all(&aws).unwrap();
    std::fs::write(
        aws.join("credentials"),
        "[default]\naws_access_key_id = PROFILEKEY\naws_secret_access_key = s\n\n[refused]\naws_access_key_id = REFUSEDKEY\naws_secret_access_key = s\n",
    )
    .unwrap();
    std::fs::write(
        aws.join("config"),
        "[profile refused]\nregion = us-east-1\n",
    )
    .unwrap();
    // A dead general endpoint: only the S3-specific one can answer.
    let dead = format!("http://127.0.0.1:{}", {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    });
    let url = format!("s3://{BUCKET}");
    let cmd = |store: &str| {
        let mut c = s3_cmd(&dead, tmp.path());
        c.env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env("AWS_ENDPOINT_URL_S3", proxy.endpoint())
            .args(["ingest", &url, "-q", "--store"])
            .arg(tmp.path().join(store));
        c
    };
    // No keys in the environment: the default profile's are used.
    let r = run_cmd(&mut cmd("a"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(count(&tmp.path().join("a"), "SELECT COUNT(*) AS n FROM events") > 0);
    // A named profile (AWS_PROFILE, then --profile) is the one used: its
    // key is refused by the server.
    let r = run_cmd(cmd("b").env("AWS_PROFILE", "refused"));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("InvalidAccessKeyId") || r.stderr.contains("403"),
        "{}",
        r.stderr
    );
    let r = run_cmd(cmd("c").args(["--profile", "refused"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = run_cmd(cmd("d").args(["--profile", "nosuch"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("\"nosuch\""), "{}", r.stderr);
}

/// Local paths: a windowed run leaves files and events out and counts
/// them; a later run without the window reads what was left out (a file
/// cut by the window is not recorded as ingested), so the store ends
/// with every event.
#[test]
fn a_window_on_local_paths_counts_what_it_leaves_out_and_a_wider_run_completes_it() {
    let local = sample().join("cloudtrail");
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("w");
    let window = ["--since", "2025-12-10T06:00:00Z", "--until", "2025-12-11"];
    let (r, v) = ingest_json(&[local.as_path()], &store, &window);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let acc = &v["accounting"];
    let kept = acc["kept"].as_u64().unwrap();
    assert!(kept > 0);
    assert!(acc["out_of_window"].as_u64().unwrap() > 0);
    assert!(acc["files_outside_window"].as_u64().unwrap() > 0);
    assert_eq!(
        acc["records_read"].as_u64().unwrap(),
        kept + acc["duplicates"].as_u64().unwrap()
            + acc["quarantined"].as_u64().unwrap()
            + acc["out_of_window"].as_u64().unwrap()
    );
    let outside = count(
        &store,
        "SELECT COUNT(*) AS n FROM events WHERE event_time < '2025-12-10T06:00:00' OR event_time >= '2025-12-11'",
    );
    assert_eq!(outside, 0);

    let (r, v) = ingest_json(&[local.as_path()], &store, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let full = tmp.path().join("full");
    let (r, fv) = ingest_json(&[local.as_path()], &full, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        kept + v["accounting"]["kept"].as_u64().unwrap(),
        fv["accounting"]["kept"].as_u64().unwrap()
    );
    assert_eq!(events(&store), events(&full));
}
