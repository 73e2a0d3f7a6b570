//! End-to-end tests of `generate`: determinism (same seed, any thread
//! count), record shape, coverage of identity types and agent signals,
//! record size, the S3 key layout, and digest files.
//!
//! One 20k-event corpus is generated once and shared by the shape tests;
//! it is read back into memory and its directory removed straight away.

use super::*;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::sync::OnceLock;

/// Every file under `dir`, by path relative to it, as raw bytes.
fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .expect("under root")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&path).expect("read"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

fn small_cfg(events: u64) -> CorpusConfig {
    CorpusConfig {
        events,
        seed: 42,
        days: 2,
        accounts: 2,
        records_per_file: 150,
        ..CorpusConfig::default()
    }
}

fn generate_in_pool(
    cfg: &CorpusConfig,
    threads: usize,
) -> (BTreeMap<String, Vec<u8>>, CorpusStats) {
    let dir = tempfile::tempdir().expect("tempdir");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");
    let stats = pool
        .install(|| generate(cfg, dir.path()))
        .expect("generate");
    (read_tree(dir.path()), stats)
}

struct Corpus {
    cfg: CorpusConfig,
    stats: CorpusStats,
    /// Decompressed log and insight files by key.
    logs: BTreeMap<String, Vec<u8>>,
    /// Decompressed digest files by key.
    digests: BTreeMap<String, Vec<u8>>,
}

impl Corpus {
    fn records(&self) -> impl Iterator<Item = (&str, Value)> + '_ {
        self.logs.iter().flat_map(|(key, bytes)| {
            let doc: Value = serde_json::from_slice(bytes).expect("file is JSON");
            let records = doc["Records"].as_array().expect("Records array").clone();
            records.into_iter().map(move |r| (key.as_str(), r))
        })
    }
}

fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let cfg = CorpusConfig {
            events: 20_000,
            seed: 7,
            ..CorpusConfig::default()
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let stats = generate(&cfg, dir.path()).expect("generate");
        let mut logs = BTreeMap::new();
        let mut digests = BTreeMap::new();
        for (key, bytes) in read_tree(dir.path()) {
            let plain = gunzip(&bytes);
            if key.contains("/CloudTrail-Digest/") {
                digests.insert(key, plain);
            } else {
                logs.insert(key, plain);
            }
        }
        Corpus {
            cfg,
            stats,
            logs,
            digests,
        }
    })
}

#[test]
fn same_seed_gives_identical_bytes() {
    let cfg = small_cfg(3000);
    let (a, sa) = generate_in_pool(&cfg, 2);
    let (b, sb) = generate_in_pool(&cfg, 2);
    assert_eq!(sa, sb);
    assert_eq!(a.len(), b.len());
    assert!(a == b, "same config produced different trees");
}

#[test]
fn thread_count_does_not_change_output() {
    let cfg = small_cfg(4000);
    let (one, s1) = generate_in_pool(&cfg, 1);
    let (four, s4) = generate_in_pool(&cfg, 4);
    assert_eq!(s1, s4);
    assert!(one == four, "1 and 4 threads produced different trees");
}

#[test]
fn different_seeds_differ() {
    let (a, _) = generate_in_pool(&small_cfg(500), 2);
    let (b, _) = generate_in_pool(
        &CorpusConfig {
            seed: 43,
            ..small_cfg(500)
        },
        2,
    );
    assert_ne!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
}

#[test]
fn stats_match_what_is_on_disk() {
    let c = corpus();
    assert_eq!(c.stats.events, c.cfg.events);
    assert_eq!(c.stats.events, c.records().count() as u64);
    assert_eq!(c.stats.files, c.logs.len() as u64);
    assert_eq!(c.stats.digest_files, c.digests.len() as u64);
    let plain: u64 = c.logs.values().map(|b| b.len() as u64).sum();
    assert_eq!(c.stats.bytes_uncompressed, plain);
    assert!(c.stats.bytes_compressed * 3 < c.stats.bytes_uncompressed);
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_hexdigit() && !c.is_ascii_uppercase(),
        })
        && b[14] == b'4'
}

fn is_event_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z'
        && chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

#[test]
fn every_record_has_the_required_cloudtrail_fields() {
    let c = corpus();
    let regions: HashSet<&str> = REGIONS.iter().map(|r| r.0).collect();
    for (key, r) in c.records() {
        let ctx = || format!("{key}: {r}");
        let s = |f: &str| {
            r[f].as_str()
                .unwrap_or_else(|| panic!("{f} missing in {}", ctx()))
        };
        assert!(
            matches!(s("eventVersion"), "1.08" | "1.09" | "1.10" | "1.11"),
            "{}",
            ctx()
        );
        assert!(is_event_time(s("eventTime")), "{}", ctx());
        assert!(is_uuid(s("eventID")), "{}", ctx());
        assert!(regions.contains(s("awsRegion")), "{}", ctx());
        let account = s("recipientAccountId");
        assert!(account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()));
        match s("eventType") {
            "AwsCloudTrailInsight" => {
                assert!(r.get("userIdentity").is_none(), "{}", ctx());
                assert_eq!(s("eventCategory"), "Insight");
                assert!(r["insightDetails"]["insightContext"]["statistics"].is_object());
                continue;
            }
            "AwsApiCall" | "AwsConsoleSignIn" => {}
            other => panic!("unexpected eventType {other}"),
        }
        assert!(s("eventSource").ends_with(".amazonaws.com"), "{}", ctx());
        assert!(!s("eventName").is_empty());
        assert!(r["userIdentity"]["type"].is_string(), "{}", ctx());
        assert!(!s("sourceIPAddress").is_empty());
        assert!(!s("userAgent").is_empty());
        assert!(r["readOnly"].is_boolean() && r["managementEvent"].is_boolean());
        assert!(r.get("requestParameters").is_some() && r.get("responseElements").is_some());
        let data = s("eventCategory") == "Data";
        assert_eq!(r["managementEvent"].as_bool(), Some(!data), "{}", ctx());
        if s("eventType") == "AwsApiCall" {
            assert!(!s("requestID").is_empty());
        }
        if r.get("errorCode").is_some() {
            assert!(r["responseElements"].is_null(), "{}", ctx());
        }
        if matches!(
            s("eventSource"),
            "iam.amazonaws.com" | "signin.amazonaws.com"
        ) {
            assert_eq!(
                s("awsRegion"),
                "us-east-1",
                "global service outside us-east-1"
            );
        }
    }
}

#[test]
fn every_identity_type_appears() {
    let c = corpus();
    let mut types: HashMap<String, usize> = HashMap::new();
    let mut insights = 0;
    let mut sign_ins = 0;
    for (_, r) in c.records() {
        match r["userIdentity"]["type"].as_str() {
            Some(t) => *types.entry(t.to_string()).or_default() += 1,
            None => insights += 1,
        }
        if r["eventType"] == "AwsConsoleSignIn" {
            sign_ins += 1;
        }
    }
    for t in [
        "AssumedRole",
        "IAMUser",
        "Root",
        "AWSService",
        "FederatedUser",
        "AWSAccount",
        "IdentityCenterUser",
        "SAMLUser",
        "WebIdentityUser",
        "Unknown",
    ] {
        assert!(
            types.get(t).copied().unwrap_or(0) > 0,
            "no {t} in {types:?}"
        );
    }
    let assumed = types["AssumedRole"] as f64 / c.cfg.events as f64;
    assert!(assumed > 0.5, "AssumedRole should dominate: {assumed}");
    assert!(
        insights >= 2 && insights % 2 == 0,
        "{insights} insight records"
    );
    assert!(sign_ins > 0);
}

#[test]
fn identities_have_their_documented_shapes() {
    let c = corpus();
    let mut sso = 0;
    let mut console = 0;
    for (_, r) in c.records() {
        let ui = &r["userIdentity"];
        match ui["type"].as_str() {
            Some("AssumedRole") => {
                let arn = ui["arn"].as_str().expect("arn");
                assert!(arn.starts_with("arn:aws:sts::") && arn.contains(":assumed-role/"));
                assert!(ui["accessKeyId"].as_str().expect("key").starts_with("ASIA"));
                let sc = &ui["sessionContext"];
                assert_eq!(sc["sessionIssuer"]["type"], "Role");
                assert!(sc["attributes"]["creationDate"].is_string());
                assert!(sc["attributes"]["mfaAuthenticated"].is_string());
                if arn.contains("AWSReservedSSO_") {
                    sso += 1;
                    let session = arn.rsplit('/').next().expect("session");
                    assert!(session.contains('@'), "SSO session is an email: {arn}");
                }
            }
            Some("IAMUser") => assert!(ui["userName"].is_string()),
            Some("AWSService") => {
                assert!(
                    ui["invokedBy"]
                        .as_str()
                        .expect("invokedBy")
                        .ends_with(".amazonaws.com")
                );
                assert!(ui.get("accessKeyId").is_none());
            }
            Some("IdentityCenterUser") => assert!(ui["onBehalfOf"]["userId"].is_string()),
            _ => {}
        }
        if r["sessionCredentialFromConsole"] == "true" {
            console += 1;
        }
    }
    assert!(sso > 0 && console > 0);
}

#[test]
fn user_agents_cover_the_tools_and_agent_markers() {
    let c = corpus();
    let uas: Vec<String> = c
        .records()
        .filter_map(|(_, r)| r["userAgent"].as_str().map(str::to_string))
        .collect();
    let has = |needle: &str| uas.iter().any(|u| u.contains(needle));
    for needle in [
        "aws-cli/2.",
        " md/command#",
        " Python/3.",
        "Boto3/",
        "APN/1.0 HashiCorp/1.0 Terraform/",
        "console.amazonaws.com",
        "Mozilla/5.0",
        "AWS Internal",
        "cloudformation.amazonaws.com",
        "exec-env/AmazonQ-For-CLI-Version-1.",
        "md/awslabs#mcp#aws-api-mcp-server#",
        "md/via/AWS-API-MCP",
        "aws-sdk-js/",
        "aws-sdk-go-v2/",
    ] {
        assert!(has(needle), "no user agent contains {needle:?}");
    }
    for code in ["AN", "AP", "AQ"] {
        let tagged = uas.iter().any(|u| {
            u.split(' ').any(|part| {
                part.strip_prefix("m/")
                    .is_some_and(|m| m.split(',').any(|c| c == code))
            })
        });
        assert!(tagged, "no m/ list carries agent code {code}");
    }
}

#[test]
fn read_write_and_error_mix_is_realistic() {
    let c = corpus();
    let (mut reads, mut total, mut errors, mut data) = (0usize, 0usize, 0usize, 0usize);
    for (_, r) in c.records() {
        if r.get("readOnly").is_none() {
            continue;
        }
        total += 1;
        reads += usize::from(r["readOnly"] == true);
        errors += usize::from(r.get("errorCode").is_some());
        data += usize::from(r["eventCategory"] == "Data");
    }
    let ratio = |n: usize| n as f64 / total as f64;
    assert!(
        (0.68..0.85).contains(&ratio(reads)),
        "reads {}",
        ratio(reads)
    );
    assert!(
        (0.005..0.06).contains(&ratio(errors)),
        "errors {}",
        ratio(errors)
    );
    assert!((0.05..0.4).contains(&ratio(data)), "data {}", ratio(data));
}

#[test]
fn average_record_size_is_realistic() {
    let c = corpus();
    let avg = c.stats.bytes_uncompressed as f64 / c.stats.events as f64;
    assert!(
        (1100.0..1600.0).contains(&avg),
        "average record {avg:.0} bytes"
    );
}

#[test]
fn event_ids_are_unique() {
    let c = corpus();
    let mut seen = HashSet::new();
    for (_, r) in c.records() {
        let id = r["eventID"].as_str().expect("eventID").to_string();
        assert!(seen.insert(id), "duplicate eventID");
    }
}

#[test]
fn assume_role_hands_out_keys_later_calls_use() {
    let c = corpus();
    let mut issued = HashSet::new();
    let mut used = HashSet::new();
    for (_, r) in c.records() {
        if let Some(k) = r["responseElements"]["credentials"]["accessKeyId"].as_str() {
            issued.insert(k.to_string());
        }
        if let Some(k) = r["userIdentity"]["accessKeyId"].as_str() {
            used.insert(k.to_string());
        }
    }
    assert!(issued.intersection(&used).count() > 0);
}

/// Splits a log key into (account, region, minute stamp), checking its shape.
fn parse_log_key<'a>(key: &'a str, org: &str, prefix: &str) -> (&'a str, &'a str, &'a str) {
    let parts: Vec<&str> = key.split('/').collect();
    assert_eq!(parts.len(), 9, "{key}");
    assert_eq!(parts[0], "AWSLogs");
    assert_eq!(parts[1], org);
    let (acct, region) = (parts[2], parts[4]);
    assert_eq!(parts[3], prefix, "{key}");
    let name = parts[8];
    let expected_head = format!("{acct}_{prefix}_{region}_");
    assert!(name.starts_with(&expected_head), "{key}");
    let rest = name[expected_head.len()..]
        .strip_suffix(".json.gz")
        .expect(".json.gz");
    let (stamp, suffix) = rest.split_once('_').expect("stamp_suffix");
    assert_eq!(stamp.len(), 14, "{key}");
    assert_eq!(&stamp[8..9], "T");
    assert!(stamp.ends_with('Z'));
    assert_eq!(
        format!("{}/{}/{}", parts[5], parts[6], parts[7]),
        format!("{}/{}/{}", &stamp[0..4], &stamp[4..6], &stamp[6..8]),
        "date folder matches the name: {key}"
    );
    assert_eq!(suffix.len(), 16);
    assert!(suffix.bytes().all(|b| b.is_ascii_alphanumeric()));
    (acct, region, stamp)
}

#[test]
fn files_follow_the_delivery_layout() {
    let c = corpus();
    let org = c
        .logs
        .keys()
        .next()
        .and_then(|k| k.split('/').nth(1))
        .expect("org folder")
        .to_string();
    assert!(org.starts_with("o-") && org.len() == 12, "{org}");
    let mut accounts = HashSet::new();
    for (key, bytes) in &c.logs {
        let insight = key.contains("/CloudTrail-Insight/");
        let prefix = if insight {
            "CloudTrail-Insight"
        } else {
            "CloudTrail"
        };
        let (acct, region, stamp) = parse_log_key(key, &org, prefix);
        accounts.insert(acct.to_string());
        let delivered = chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%MZ")
            .expect("stamp")
            .and_utc()
            .timestamp();
        let doc: Value = serde_json::from_slice(bytes).expect("JSON");
        let records = doc["Records"].as_array().expect("Records");
        assert!(!records.is_empty());
        let mut last = String::new();
        for r in records {
            assert_eq!(r["recipientAccountId"], acct, "{key}");
            assert_eq!(r["awsRegion"], region, "{key}");
            let t = r["eventTime"].as_str().expect("eventTime").to_string();
            assert!(t >= last, "records sorted by eventTime in {key}");
            let epoch = chrono::DateTime::parse_from_rfc3339(&t)
                .expect("time")
                .timestamp();
            assert!(
                epoch < delivered && epoch >= delivered - 300,
                "{t} outside the 5-minute window of {key}"
            );
            last = t;
        }
    }
    assert_eq!(accounts.len(), c.cfg.accounts as usize);
}

#[test]
fn digests_cover_every_log_file_and_chain() {
    let c = corpus();
    let expected = c.cfg.accounts as usize * REGIONS.len() * c.cfg.days as usize;
    assert_eq!(c.digests.len(), expected);
    let log_keys: HashSet<&str> = c
        .logs
        .keys()
        .filter(|k| k.contains("/CloudTrail/"))
        .map(String::as_str)
        .collect();
    let mut listed = HashSet::new();
    let mut chained = 0;
    for (key, bytes) in &c.digests {
        let d: Value = serde_json::from_slice(bytes).expect("digest JSON");
        assert_eq!(d["digestS3Object"], key.as_str());
        assert!(key.contains("_CloudTrail-Digest_"));
        for f in [
            "awsAccountId",
            "digestStartTime",
            "digestEndTime",
            "digestS3Bucket",
            "digestPublicKeyFingerprint",
            "digestSignatureAlgorithm",
        ] {
            assert!(d[f].is_string(), "{f} in {key}");
        }
        assert!(d.get("newestEventTime").is_some() && d.get("oldestEventTime").is_some());
        assert!(d.get("previousDigestS3Bucket").is_some());
        if let Some(prev) = d["previousDigestS3Object"].as_str() {
            assert!(c.digests.contains_key(prev), "chain points at {prev}");
            assert_eq!(
                d["previousDigestHashValue"].as_str().map(str::len),
                Some(64)
            );
            chained += 1;
        }
        for f in d["logFiles"].as_array().expect("logFiles") {
            let obj = f["s3Object"].as_str().expect("s3Object");
            assert!(log_keys.contains(obj), "digest lists unknown {obj}");
            assert_eq!(f["hashValue"].as_str().map(str::len), Some(64));
            listed.insert(obj.to_string());
        }
    }
    assert_eq!(
        listed.len(),
        log_keys.len(),
        "every log file is in a digest"
    );
    assert_eq!(
        chained,
        expected - c.cfg.accounts as usize * REGIONS.len(),
        "all but the first day's digests point back"
    );
}

#[test]
fn zero_events_writes_only_digests() {
    let (tree, stats) = generate_in_pool(&small_cfg(0), 2);
    assert_eq!(stats.events, 0);
    assert_eq!(stats.files, 0);
    assert_eq!(stats.digest_files as usize, tree.len());
    assert!(tree.keys().all(|k| k.contains("/CloudTrail-Digest/")));
}

#[test]
fn tiny_files_and_odd_counts_add_up() {
    let cfg = CorpusConfig {
        records_per_file: 1,
        ..small_cfg(37)
    };
    let (tree, stats) = generate_in_pool(&cfg, 2);
    assert_eq!(stats.events, 37);
    assert_eq!(stats.files, 37);
    let records: usize = tree
        .iter()
        .filter(|(k, _)| !k.contains("Digest"))
        .map(|(_, b)| {
            let v: Value = serde_json::from_slice(&gunzip(b)).expect("JSON");
            v["Records"].as_array().map_or(0, Vec::len)
        })
        .sum();
    assert_eq!(records, 37);
}

#[test]
fn bad_configs_are_rejected() {
    let dir = tempfile::tempdir().expect("tempdir");
    for cfg in [
        CorpusConfig {
            accounts: 0,
            ..CorpusConfig::default()
        },
        CorpusConfig {
            accounts: 21,
            ..CorpusConfig::default()
        },
        CorpusConfig {
            days: 0,
            ..CorpusConfig::default()
        },
        CorpusConfig {
            records_per_file: 0,
            ..CorpusConfig::default()
        },
    ] {
        assert!(generate(&cfg, dir.path()).is_err());
    }
}
