//! The fast path against serde: on a full record, escapes, the cases it
//! must give up on, every object in the fixtures, and mutated records.

use super::*;
use std::borrow::Cow;

/// serde's reading of the object at `at`, with its end offset.
fn serde_at(text: &str, at: usize) -> Option<(Doc<'_>, usize)> {
    let mut stream = serde_json::Deserializer::from_str(&text[at..]).into_iter::<Doc>();
    match stream.next() {
        Some(Ok(d)) => Some((d, at + stream.byte_offset())),
        _ => None,
    }
}

/// Where the fast path answers, serde gives the same `Doc` and end.
fn agree(text: &str) -> bool {
    let fast = doc_at(text, 0).ok();
    let slow = serde_at(text, 0);
    if let Some(f) = &fast {
        assert_eq!(Some(f), slow.as_ref(), "fast path disagrees on {text:?}");
    }
    fast.is_some()
}

const RECORD: &str = r#"{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROA:s","arn":"arn:aws:sts::1:assumed-role/R/s","accountId":"1","accessKeyId":"ASIA","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROA","arn":"arn:aws:iam::1:role/R","accountId":"1","userName":"R"},"attributes":{"creationDate":"2025-12-08T08:00:00Z","mfaAuthenticated":"false"},"sourceIdentity":"agent:codex"},"invokedBy":"x","onBehalfOf":{"userId":"u","identityStoreArn":"a"}},"eventTime":"2025-12-08T09:01:02Z","eventSource":"s3.amazonaws.com","eventName":"PutObject","awsRegion":"us-east-1","sourceIPAddress":"1.2.3.4","userAgent":"aws-cli/2.0 md/command#s3.cp","requestParameters":{"bucketName":"b","n":[1,-2.5e+3,true,null,{"k":"v\"\u00e9"}]},"responseElements":null,"additionalEventData":{},"requestID":"r","eventID":"e1","readOnly":false,"resources":[{"ARN":"arn:aws:s3:::b","type":"AWS::S3::Bucket"},{"type":"x"}],"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"1","sessionCredentialFromConsole":"true","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3"}}"#;

#[test]
fn reads_a_full_record_as_serde_does() {
    assert!(agree(RECORD));
    let (d, end) = doc_at(RECORD, 0).unwrap();
    assert_eq!(end, RECORD.len());
    assert!(matches!(d.event_id, Some(Cow::Borrowed("e1"))));
    let rp = d.request_parameters.unwrap().get();
    assert!(rp.starts_with(r#"{"bucketName""#) && rp.ends_with("}]}"));
}

#[test]
fn escapes_are_decoded_as_serde_does() {
    for s in [
        r#"{"eventName":"a\"b\\c\/d\b\f\n\r\t"}"#,
        r#"{"eventName":"\u00e9\u20ac\ud83d\ude00 x"}"#,
        r#"{"userAgent":"\u0041"}"#,
    ] {
        assert!(agree(s), "{s}");
        assert!(matches!(
            doc(s).unwrap().event_name.or(doc(s).unwrap().user_agent),
            Some(Cow::Owned(_))
        ));
    }
}

/// Issue 24: odd `resources` are read, as serde reads them, not given up on.
#[test]
fn issue_24_odd_resources_read_as_serde_does() {
    for s in [
        r#"{"resources":[null]}"#,
        r#"{"resources":[{"ARN":"a","type":"t"},"b",7,{"ARN":3},{"ARN":null},{"x":[1]},[{"ARN":"c"}]]}"#,
        r#"{"resources":[{"ARN":"a","ARN":"b"}]}"#,
        r#"{"resources":[{"ARN":{"k":"v"}},{"ARN":"\u0041"}]}"#,
        r#"{"resources":"arn:aws:s3:::b"}"#,
        r#"{"resources":{"ARN":"a"}}"#,
        r#"{"resources":true}"#,
        r#"{"resources":[]}"#,
    ] {
        assert!(agree(s), "fast path gave up on {s}");
    }
    let d = doc(r#"{"resources":[{"ARN":"a"},1,{"ARN":false}]}"#).unwrap();
    let r = d.resources.unwrap();
    assert_eq!((r.items.len(), r.left_out.clone()), (1, vec![1, 2]));
}

#[test]
fn gives_up_where_serde_decides() {
    for s in [
        r#"{"eventID":"a","eventID":"b"}"#,
        r#"{"eventID":1}"#,
        r#"{"readOnly":"maybe"}"#,
        r#"{"readOnly":1}"#,
        r#"{"userIdentity":"root"}"#,
        r#"{"userIdentity":["IAMUser"]}"#,
        r#"{"eventName":"\ud800"}"#,
        r#"{"eventName":"\udc00x"}"#,
        "{\"eventName\":\"a\u{1}b\"}",
        r#"{"event\u0049D":"x"}"#,
        r#"{"a":[1,]}"#,
        r#"{"a":01}"#,
        r#"{"a":1.}"#,
        r#"{"a":-}"#,
        r#"{"a":tru}"#,
        r#"{"a":"\x"}"#,
        r#"{"a":1"#,
        r#"["eventID"]"#,
        r#"{"eventID":"x",}"#,
    ] {
        assert!(doc_at(s, 0).is_err(), "fast path answered {s}");
    }
    let deep = format!("{{\"a\":{}{}}}", "[".repeat(100), "]".repeat(100));
    assert!(doc_at(&deep, 0).is_err());
    assert!(
        serde_at(&deep, 0).is_some(),
        "serde reads what we leave to it"
    );
}

#[test]
fn whole_text_allows_only_whitespace_around() {
    assert!(doc(" \n{\"eventID\":\"x\"}\r\n\t").is_ok());
    assert!(doc("{\"eventID\":\"x\"} x").is_err());
    assert!(doc("{\"eventID\":\"x\"}{}").is_err());
}

/// Every object in the fixtures and the shared samples (records,
/// wrappers, nested values): the fast path reads every one serde finds
/// to be a record, and agrees with serde wherever it answers.
#[test]
fn real_files_read_as_serde_reads_them() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.join("tests/fixtures/cloudtrail")];
    let shared = root.join("../shared/samples/cloudtrail");
    if shared.is_dir() {
        dirs.push(shared);
    }
    let (mut records, mut files) = (0, 0);
    for dir in dirs {
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let entry = entry.unwrap();
            if !entry.file_type().is_file() {
                continue;
            }
            let raw = std::fs::read(entry.path()).unwrap();
            let mut buf = Vec::new();
            let decoded = crate::ingest::decode::decode_into(&raw, &mut buf, 1 << 30);
            let bytes = if decoded.gzip { &buf } else { &raw };
            let Ok(text) = std::str::from_utf8(bytes) else {
                continue;
            };
            files += 1;
            for (at, _) in text.match_indices('{') {
                let fast = doc_at(text, at).ok();
                let slow = serde_at(text, at);
                if let Some(f) = &fast {
                    assert_eq!(
                        Some(f),
                        slow.as_ref(),
                        "{}: offset {at}",
                        entry.path().display()
                    );
                }
                if let Some((d, _)) = &slow
                    && d.looks_like_record()
                {
                    records += 1;
                    assert!(
                        fast.is_some(),
                        "{}: the fast path gave up on the record at offset {at}",
                        entry.path().display()
                    );
                }
            }
        }
    }
    assert!(
        files > 10 && records > 50,
        "{files} files, {records} records"
    );
}

/// Every single-byte deletion and a set of substitutions of a real
/// record: the fast path either gives up or agrees with serde.
#[test]
fn mutated_records_agree_with_serde() {
    let base = RECORD.as_bytes();
    let mut answered = 0;
    for k in 0..base.len() {
        for edit in 0..4 {
            let mut t = base.to_vec();
            match edit {
                0 => {
                    t.remove(k);
                }
                1 => t[k] = b'"',
                2 => t[k] = b'\\',
                _ => t.insert(k, b'{'),
            }
            let Ok(text) = std::str::from_utf8(&t) else {
                continue;
            };
            if agree(text) {
                answered += 1;
            }
        }
    }
    assert!(
        answered > 100,
        "the fast path answered only {answered} times"
    );
}
