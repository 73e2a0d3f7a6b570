//! Issue 23, item 8: `trailblame query` sees the store's tables and nothing
//! else. Polars SQL's table functions (`read_csv`, `read_parquet`,
//! `read_json`, `read_ipc`) would read any file the user can and reach the
//! network; each is refused with a message, wherever it hides in the
//! statement, and the file's contents never reach the output.

mod common;

use common::{fixtures, run};
use std::io::ErrorKind;
use std::net::TcpListener;

const SECRET: &str = "root-password-hash-5f4dcc3b";

fn data() -> String {
    fixtures()
        .join("cloudtrail/bare-array.json")
        .to_str()
        .unwrap()
        .to_string()
}

#[test]
fn issue23_query_refuses_table_functions_that_read_files() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("shadow.csv");
    std::fs::write(&secret, format!("name,hash\nroot,{SECRET}\n")).unwrap();
    let path = secret.to_str().unwrap().replace('\'', "''");
    let pq = dir.path().join("x.parquet");
    let pq = pq.to_str().unwrap();
    let data = data();
    for sql in [
        format!("SELECT * FROM read_csv('{path}')"),
        format!("select hash from READ_CSV('{path}') AS s"),
        format!("SELECT * FROM \"read_csv\"('{path}')"),
        format!("WITH s AS (SELECT * FROM read_csv('{path}')) SELECT * FROM s"),
        format!(
            "SELECT event_id FROM events WHERE event_id IN (SELECT hash FROM read_csv('{path}'))"
        ),
        format!("SELECT e.event_id, s.hash FROM events e CROSS JOIN read_csv('{path}') s"),
        format!("SELECT * FROM events UNION ALL SELECT * FROM read_json('{path}')"),
        format!("SELECT * FROM read_parquet('{pq}')"),
        format!("SELECT * FROM read_ipc('{pq}')"),
        format!("CREATE TABLE t AS SELECT * FROM read_csv('{path}')"),
    ] {
        let r = run(&["query", &sql, &data, "-q", "--format", "csv"]);
        assert_eq!(
            r.code, 2,
            "{sql}\nstdout: {}\nstderr: {}",
            r.stdout, r.stderr
        );
        assert!(
            !r.stdout.contains(SECRET) && !r.stderr.contains(SECRET),
            "{sql} printed the file:\n{}{}",
            r.stdout,
            r.stderr
        );
        assert!(
            r.stderr.contains("table function") && r.stderr.contains("store's tables"),
            "{sql}: {}",
            r.stderr
        );
    }
}

#[test]
fn issue23_query_never_reaches_the_network() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    for sql in [
        format!("SELECT * FROM read_csv('http://127.0.0.1:{port}/x.csv')"),
        format!("SELECT * FROM read_parquet('https://127.0.0.1:{port}/x.parquet')"),
    ] {
        let r = run(&["query", &sql, &data(), "-q"]);
        assert_eq!(r.code, 2, "{sql}\n{}", r.stderr);
        assert!(r.stderr.contains("table function"), "{}", r.stderr);
    }
    // Nothing connected (a refused-early client leaves no queued connection).
    match listener.accept() {
        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
        Ok((_, from)) => panic!("query connected to the network ({from})"),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn issue23_query_still_runs_ordinary_sql_over_the_store() {
    // Functions in expressions, CTEs and joins of the store's own tables
    // are untouched by the sandbox.
    let r = run(&[
        "query",
        "WITH e AS (SELECT event_id, upper(event_name) AS n FROM events) \
         SELECT COUNT(*) AS n FROM e JOIN events USING (event_id)",
        &data(),
        "-q",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(rows[0]["n"].as_u64().unwrap() > 0, "{}", r.stdout);
}
