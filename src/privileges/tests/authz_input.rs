//! Reading `get-account-authorization-details` output: shapes, encodings,
//! pagination, and errors that name the file and the JSON path.

use super::*;
use crate::privileges::authz::{parse_authz, read_authz_file};
use crate::privileges::eval::evaluate_account;
use crate::privileges::policy::{ActionSpec, ResourceSpec};

#[test]
fn reads_cli_output() {
    let set = load(&["account-a.json"]);
    // No warning; only the note that ReadOnlyAccess comes from the built-in copy.
    assert!(set.warnings.is_empty(), "{:?}", set.warnings);
    assert_eq!(set.notes.len(), 1, "{:?}", set.notes);
    assert!(set.notes[0].contains("ReadOnlyAccess"), "{:?}", set.notes);
    let a = &set.accounts[0];
    assert_eq!(a.account_id, A);
    assert!(a.complete);
    assert_eq!(
        (
            a.users.len(),
            a.groups.len(),
            a.roles.len(),
            a.policies.len()
        ),
        (6, 2, 6, 3)
    );
    let alice = &a.users[0];
    assert_eq!(alice.groups, ["Developers"]);
    assert_eq!(
        alice.attached[0].arn,
        "arn:aws:iam::111122223333:policy/S3ReadWrite"
    );
    let carol = a.users.iter().find(|u| u.name == "carol").unwrap();
    assert_eq!(
        carol.boundary.as_deref(),
        Some("arn:aws:iam::111122223333:policy/DevBoundary")
    );
    let sso = a
        .roles
        .iter()
        .find(|r| r.name.starts_with("AWSReservedSSO_"))
        .unwrap();
    assert_eq!(sso.last_used.as_deref(), Some("2026-01-20T17:05:00+00:00"));
    assert_eq!(sso.last_used_region.as_deref(), Some("eu-west-1"));
    let trust = sso.trust.as_ref().unwrap();
    assert!(trust.statements[0].principal.as_ref().unwrap()["Federated"].is_string());
    // Only the default version (v2) is read.
    let s3rw = &a.policies["arn:aws:iam::111122223333:policy/S3ReadWrite"];
    assert_eq!(
        (s3rw.versions, s3rw.default_version.as_deref()),
        (2, Some("v2"))
    );
    let st = &s3rw.document.as_ref().unwrap().statements[0];
    assert!(matches!(&st.resources, ResourceSpec::Resource(r) if r.len() == 2));
    assert_eq!(
        a.missing_managed_policies(),
        [
            "arn:aws:iam::111122223333:policy/Gone",
            "arn:aws:iam::aws:policy/PowerUserAccess",
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
        ]
    );
}

#[test]
fn url_encoded_documents_read_like_objects() {
    let set = load(&["account-b-raw-api.json"]);
    let a = &set.accounts[0];
    assert_eq!(a.account_id, "444455556666");
    let etl = &a.roles[0];
    let doc = &etl.inline[0].document;
    assert_eq!(
        doc.statements[0].actions,
        ActionSpec::Action(vec!["glue:GetJob*".into(), "s3:GetObject".into()])
    );
    assert_eq!(
        etl.trust.as_ref().unwrap().statements[0]
            .principal
            .as_ref()
            .unwrap()["Service"],
        "glue.amazonaws.com"
    );
    let ev = evaluate_account(a, cat());
    let etl = ev.principals.iter().find(|p| p.name == "etl").unwrap();
    assert_eq!(
        etl.permissions.granted().count(),
        count_matching("glue:GetJob*") + 2
    );
    assert!(
        etl.permissions
            .grant_for_name("athena:StartQueryExecution", cat())
            .is_some()
    );
    let svc = ev.principals.iter().find(|p| p.name == "svc").unwrap();
    assert_eq!(svc.permissions.granted().count(), 1);
}

#[test]
fn paginated_fragments_merge_into_one_account() {
    let pages = [
        "account-c-page1.json",
        "account-c-page2.json",
        "account-c-page3.json",
    ];
    let set = load(&pages);
    assert!(set.warnings.is_empty(), "{:?}", set.warnings);
    assert_eq!(set.accounts.len(), 1);
    let a = &set.accounts[0];
    assert_eq!(a.account_id, "777788889999");
    assert!(a.complete);
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    assert_eq!(
        (
            a.users.len(),
            a.groups.len(),
            a.roles.len(),
            a.policies.len()
        ),
        (1, 1, 1, 2)
    );
    assert_eq!(a.sources.len(), 3);
    // The user's group policy comes from page 1, its document from page 2.
    assert!(grant("ops", "ssm:StartSession").is_some());
    // The role's AWS-managed policy is on page 3, which names no account.
    assert!(grant("agent", "iam:CreateUser").is_some());
    assert!(principal("agent").fallback_policies.is_empty());
    // Page order does not matter.
    let reversed = load(&[pages[2], pages[1], pages[0]]);
    assert_eq!(reversed.accounts[0].policies, a.policies);
    assert!(reversed.accounts[0].complete);
    // The same file twice adds nothing and warns of nothing.
    let twice = load(&[pages[0], pages[0], pages[1], pages[2]]);
    assert_eq!(twice.accounts[0].users.len(), 1);
    assert!(twice.accounts[0].warnings.is_empty());
}

#[test]
fn missing_last_page_is_a_warning() {
    let set = load(&["account-c-page1.json", "account-c-page2.json"]);
    let w = set.accounts[0].warnings.join("\n");
    assert!(!set.accounts[0].complete);
    assert!(w.contains("every page given is marked IsTruncated"), "{w}");
    assert_eq!(
        set.accounts[0].builtin_copies,
        ["arn:aws:iam::aws:policy/IAMFullAccess"]
    );
    // Only AWS-managed policies and no account at all: a set-level warning.
    let alone = load(&["account-c-page3.json"]);
    assert!(alone.accounts.is_empty());
    assert!(alone.warnings[0].contains("account-c-page3.json: holds only AWS-managed policies"));
}

#[test]
fn several_accounts_stay_apart() {
    let accounts = all_accounts();
    let ids: Vec<&str> = accounts.iter().map(|a| a.account_id.as_str()).collect();
    assert_eq!(ids, [A, "444455556666", "777788889999"]);
    // The account-less last page of C completes C, the only account waiting.
    let set = load(&[
        "account-c-page1.json",
        "account-a.json",
        "account-c-page3.json",
        "account-b-raw-api.json",
        "account-c-page2.json",
    ]);
    assert!(
        set.accounts.iter().all(|a| a.complete),
        "{:?}",
        set.warnings
    );
    assert!(
        set.accounts[1]
            .policies
            .contains_key("arn:aws:iam::aws:policy/IAMFullAccess")
    );
    // With two accounts waiting, nobody is marked complete by it.
    let mut page = read_authz_file(&fixture("account-c-page1.json")).unwrap();
    page.account_id = Some("000000000000".into());
    page.users.clear();
    let frags = vec![
        page,
        read_authz_file(&fixture("account-c-page1.json")).unwrap(),
        read_authz_file(&fixture("account-c-page3.json")).unwrap(),
    ];
    let set = merge_authz(frags);
    assert!(set.accounts.iter().all(|a| !a.complete));
    assert!(
        set.warnings[0].contains("accounts 000000000000, 777788889999 all wait"),
        "{:?}",
        set.warnings
    );
}

#[test]
fn cli_next_token_means_truncated() {
    let f = parse_authz(
        r#"{"UserDetailList": [], "NextToken": "eyJNYXJrZXIiOiBudWxsfQ=="}"#,
        "x.json",
    )
    .unwrap();
    assert!(f.is_truncated);
    assert_eq!(f.marker.as_deref(), Some("eyJNYXJrZXIiOiBudWxsfQ=="));
    assert_eq!(f.account_id, None);
}

#[test]
fn malformed_input_names_file_and_path() {
    let err = |name: &str| format!("{:#}", read_authz_file(&fixture(name)).unwrap_err());
    let e = err("malformed-effect.json");
    assert!(e.contains("malformed-effect.json: RoleDetailList[0].RolePolicyList[0].PolicyDocument.Statement[1].Effect: \"Permit\" is neither"), "{e}");
    let e = err("malformed-truncated.json");
    assert!(
        e.contains("malformed-truncated.json: not valid JSON") && e.contains("line"),
        "{e}"
    );
    let e = err("malformed-two-accounts.json");
    assert!(
        e.contains("UserDetailList[1].Arn: account 444455556666 differs from account 111122223333"),
        "{e}"
    );
    let e = format!(
        "{:#}",
        read_authz_file(&fixture("no-such-file.json")).unwrap_err()
    );
    assert!(e.contains("no-such-file.json: cannot read"), "{e}");
    let e = |text: &str| format!("{:#}", parse_authz(text, "x.json").unwrap_err());
    assert!(e("[]").contains("x.json: (top level): expected an object"));
    assert!(e(r#"{"Foo": 1}"#).contains("not get-account-authorization-details output"));
    assert!(
        e(r#"{"UserDetailList": {"a": 1}}"#).contains("x.json: UserDetailList: expected an array")
    );
    assert!(
        e(r#"{"UserDetailList": [{"UserName": "u"}]}"#).contains("UserDetailList[0].Arn: missing")
    );
    assert!(
        e(r#"{"RoleDetailList": [{"RoleName": "r", "Arn": "nope"}]}"#)
            .contains("is not an IAM ARN")
    );
    let bad_doc = r#"{"Policies": [{"Arn": "arn:aws:iam::1:policy/p", "PolicyVersionList": [{"IsDefaultVersion": true, "Document": "%7B%7"}]}]}"#;
    assert!(
        e(bad_doc).contains("x.json: Policies[0].PolicyVersionList[0].Document: bad URL escape"),
        "{}",
        e(bad_doc)
    );
    let no_default = r#"{"Policies": [{"Arn": "arn:aws:iam::1:policy/p", "PolicyVersionList": [{"IsDefaultVersion": false, "Document": {}}]}]}"#;
    let f = parse_authz(no_default, "x.json").unwrap();
    assert!(f.policies[0].document.is_none() && f.warnings[0].contains("no default version"));
}

#[test]
fn gzip_files_are_read() {
    use std::io::Write;
    let text = std::fs::read(fixture("account-b-raw-api.json")).unwrap();
    let dir = std::env::temp_dir().join(format!("trailblame-authz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("b.json.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&text).unwrap();
    std::fs::write(&path, gz.finish().unwrap()).unwrap();
    let f = read_authz_file(&path).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(f.account_id.as_deref(), Some("444455556666"));
    assert_eq!(f.roles.len(), 1);
}

#[test]
fn never_panics_on_odd_values() {
    // Every field given the wrong type, one at a time: errors, never panics.
    for (file, evaluate) in [
        ("account-a.json", false),
        ("account-b-raw-api.json", true),
        ("account-c-page2.json", true),
    ] {
        let base: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(fixture(file)).unwrap()).unwrap();
        let mut paths = Vec::new();
        collect_paths(&base, &mut Vec::new(), &mut paths);
        assert!(paths.len() > 30, "{file}");
        for p in &paths {
            for odd in [
                serde_json::json!(7),
                serde_json::json!(null),
                serde_json::json!([{}]),
                serde_json::json!("%zz"),
            ] {
                let mut v = base.clone();
                let mut at = &mut v;
                for k in p {
                    at = match k {
                        Key::Name(n) => &mut at[n.as_str()],
                        Key::Index(i) => &mut at[*i],
                    };
                }
                *at = odd;
                if let Ok(f) = parse_authz(&v.to_string(), "odd.json")
                    && evaluate
                {
                    for a in &merge_authz(vec![f]).accounts {
                        evaluate_account(a, cat());
                    }
                }
            }
        }
    }
}

enum Key {
    Name(String),
    Index(usize),
}

fn collect_paths(v: &serde_json::Value, prefix: &mut Vec<Key>, out: &mut Vec<Vec<Key>>) {
    let snapshot = |p: &Vec<Key>| {
        p.iter()
            .map(|k| match k {
                Key::Name(n) => Key::Name(n.clone()),
                Key::Index(i) => Key::Index(*i),
            })
            .collect()
    };
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                prefix.push(Key::Name(k.clone()));
                out.push(snapshot(prefix));
                collect_paths(x, prefix, out);
                prefix.pop();
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                prefix.push(Key::Index(i));
                out.push(snapshot(prefix));
                collect_paths(x, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}
