//! Turns a parsed CloudTrail record into one row of the `events` table.
//!
//! Pure: no I/O, no allocation beyond the row's own few strings. Decides the
//! derived columns (session name, console session, IAM action, user-agent
//! parts) and rejects records missing the fields every later stage needs.

use super::record::{Doc, LooseBool, Raw};
use crate::cloudtrail::iam_action::IamExceptions;
use crate::cloudtrail::user_agent::{self, UserAgent};
use std::borrow::Cow;

/// Context from outside the record: the envelope or the file path.
#[derive(Default, Clone, Copy)]
pub struct Origin<'a> {
    /// Account from an EventBridge envelope or the S3 path.
    pub account: Option<&'a str>,
}

/// One normalised event, borrowing from the record.
pub struct EventRow<'a> {
    /// eventID, or a synthetic id for records from before CloudTrail had one.
    pub event_id: Cow<'a, str>,
    pub event_time: i64,
    pub event_version: Option<&'a str>,
    pub event_source: &'a str,
    pub event_name: &'a str,
    pub aws_region: Option<&'a str>,
    pub account_id: Option<&'a str>,
    pub source_ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub identity_type: Option<&'a str>,
    pub principal_arn: Option<&'a str>,
    pub principal_id: Option<&'a str>,
    pub account_of_principal: Option<&'a str>,
    pub user_name: Option<&'a str>,
    pub role_arn: Option<&'a str>,
    pub role_name: Option<&'a str>,
    pub session_name: Option<&'a str>,
    pub access_key_id: Option<&'a str>,
    pub source_identity: Option<&'a str>,
    pub invoked_by: Option<&'a str>,
    pub on_behalf_of: Option<&'a str>,
    pub mfa_authenticated: Option<bool>,
    pub session_created_at: Option<i64>,
    pub console_session: bool,
    pub read_only: Option<bool>,
    pub management_event: Option<bool>,
    pub event_type: Option<&'a str>,
    pub event_category: Option<&'a str>,
    pub error_code: Option<&'a str>,
    pub error_message: Option<&'a str>,
    pub request_id: Option<&'a str>,
    pub shared_event_id: Option<&'a str>,
    pub vpc_endpoint_id: Option<&'a str>,
    pub request_parameters: Option<&'a str>,
    pub response_elements: Option<&'a str>,
    pub additional_event_data: Option<&'a str>,
    pub service_event_details: Option<&'a str>,
    pub insight_details: Option<&'a str>,
    pub resources: Vec<&'a str>,
    pub iam_action: Option<String>,
    pub ua: UserAgent<'a>,
}

fn s<'a>(v: &'a Option<Cow<'a, str>>) -> Option<&'a str> {
    v.as_deref().filter(|x| !x.is_empty())
}

fn b(v: Option<LooseBool>) -> Option<bool> {
    v.map(|x| x.0)
}

fn raw(v: Option<Raw<'_>>) -> Option<&str> {
    v.map(|r| r.get()).filter(|t| *t != "null")
}

fn require<'a>(v: &'a Option<Cow<'a, str>>, field: &str) -> Result<&'a str, String> {
    match v.as_deref() {
        Some(x) if !x.is_empty() => Ok(x),
        Some(_) => Err(format!("required field {field} is empty")),
        None => Err(format!("required field {field} is missing")),
    }
}

/// `synthetic-<xxh3-128>` of the fields that identify an event, for records
/// without eventID (eventVersion 1.0).
fn synthetic_id(doc: &Doc<'_>, time: &str) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    let ui = doc.user_identity.as_ref();
    for part in [
        Some(time),
        doc.event_source.as_deref(),
        doc.event_name.as_deref(),
        doc.aws_region.as_deref(),
        doc.source_ip_address.as_deref(),
        ui.and_then(|u| u.arn.as_deref()),
        ui.and_then(|u| u.access_key_id.as_deref()),
        doc.request_parameters.map(|r| r.get()),
    ] {
        h.update(part.unwrap_or("").as_bytes());
        h.update(&[0xff]);
    }
    format!("synthetic-{:032x}", h.digest128())
}

/// Two records are one event when they share the eventID and the fields
/// below: the same event delivered twice (S3 and EventBridge) always does,
/// while reused ids (documentation examples, hand-made data) do not.
pub fn dedup_key(parts: [Option<&str>; 8], event_time: i64) -> u128 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(&event_time.to_le_bytes());
    let [head @ .., json] = parts;
    for p in head {
        match p {
            Some(s) => h.update(s.as_bytes()),
            None => h.update(&[0xfe]),
        }
        h.update(&[0xff]);
    }
    // JSON text: the same value pretty-printed or compact hashes the same.
    match json {
        Some(text) => {
            let b = text.as_bytes();
            let mut in_str = false;
            let mut esc = false;
            let mut start = 0;
            for (i, &c) in b.iter().enumerate() {
                if in_str {
                    if esc {
                        esc = false;
                    } else if c == b'\\' {
                        esc = true;
                    } else if c == b'"' {
                        in_str = false;
                    }
                } else if c == b'"' {
                    in_str = true;
                } else if crate::ingest::scan::is_ws(c) {
                    h.update(&b[start..i]);
                    start = i + 1;
                }
            }
            h.update(&b[start..]);
        }
        None => h.update(&[0xfe]),
    }
    h.digest128()
}

impl EventRow<'_> {
    pub fn dedup_key(&self) -> u128 {
        dedup_key(
            [
                Some(&self.event_id),
                Some(self.event_source),
                Some(self.event_name),
                self.request_id,
                self.principal_arn,
                self.source_ip,
                self.error_code,
                self.additional_event_data,
            ],
            self.event_time,
        )
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct InsightKeys<'a> {
    #[serde(borrow, default)]
    event_source: Option<&'a str>,
    #[serde(borrow, default)]
    event_name: Option<&'a str>,
}

/// Session name from `arn:aws:sts::<acct>:assumed-role/<Role>/<Session>`.
pub fn session_name_from_arn(arn: &str) -> Option<&str> {
    let rest = arn.split_once(":assumed-role/")?.1;
    let (_, session) = rest.split_once('/')?;
    (!session.is_empty()).then_some(session)
}

/// Parses CloudTrail's `2025-12-08T09:01:02Z` quickly, anything else RFC 3339
/// through chrono. Returns microseconds since the epoch.
pub fn parse_time(t: &str) -> Option<i64> {
    let b = t.as_bytes();
    if b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z'
    {
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let mut v = 0u32;
            for &c in &b[r] {
                if !c.is_ascii_digit() {
                    return None;
                }
                v = v * 10 + u32::from(c - b'0');
            }
            Some(v)
        };
        let date = chrono::NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
        let time = chrono::NaiveTime::from_hms_opt(num(11..13)?, num(14..16)?, num(17..19)?)?;
        return Some(date.and_time(time).and_utc().timestamp_micros());
    }
    chrono::DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|d| d.timestamp_micros())
}

/// Normalises one record. `Err` carries the reason it must be quarantined.
pub fn normalise<'a>(
    doc: &'a Doc<'a>,
    origin: Origin<'a>,
    iam: &IamExceptions,
) -> Result<EventRow<'a>, String> {
    let time_text = require(&doc.event_time, "eventTime")?;
    // Insights records keep the source and name inside insightDetails.
    let insight = doc
        .insight_details
        .and_then(|r| serde_json::from_str::<InsightKeys<'a>>(r.get()).ok());
    let event_source = require(&doc.event_source, "eventSource")
        .or_else(|e| insight.as_ref().and_then(|i| i.event_source).ok_or(e))?;
    let event_name = require(&doc.event_name, "eventName")
        .or_else(|e| insight.as_ref().and_then(|i| i.event_name).ok_or(e))?;
    let event_id = match require(&doc.event_id, "eventID") {
        Ok(id) => Cow::Borrowed(id),
        // eventID arrived with eventVersion 1.01; older records have none.
        Err(_) if doc.event_version.as_deref() == Some("1.0") => {
            Cow::Owned(synthetic_id(doc, time_text))
        }
        Err(e) => return Err(e),
    };
    let event_time = parse_time(time_text).ok_or_else(|| {
        format!(
            "eventTime {:?} is not an RFC 3339 time",
            truncate(time_text, 60)
        )
    })?;

    let ui = doc.user_identity.as_ref();
    let sc = ui.and_then(|u| u.session_context.as_ref());
    let issuer = sc.and_then(|c| c.session_issuer.as_ref());
    let attrs = sc.and_then(|c| c.attributes.as_ref());
    let identity_type = ui.and_then(|u| s(&u.kind));
    let principal_arn = ui.and_then(|u| s(&u.arn));
    let issuer_is_role = issuer.and_then(|i| s(&i.kind)) == Some("Role");
    let user_name = ui.and_then(|u| s(&u.user_name)).or_else(|| {
        // A federated user's name is only in its ARN.
        (identity_type == Some("FederatedUser"))
            .then(|| {
                principal_arn
                    .and_then(|a| a.split_once(":federated-user/"))
                    .map(|(_, n)| n)
            })
            .flatten()
    });
    let session_created_at = match attrs.and_then(|a| s(&a.creation_date)) {
        Some(t) => Some(parse_time(t).ok_or_else(|| {
            format!(
                "userIdentity.sessionContext.attributes.creationDate {:?} is not an RFC 3339 time",
                truncate(t, 60)
            )
        })?),
        None => None,
    };
    let event_type = s(&doc.event_type);
    let user_agent = s(&doc.user_agent);
    let console_session = b(doc.session_credential_from_console) == Some(true)
        || event_type == Some("AwsConsoleSignIn");

    Ok(EventRow {
        event_id,
        event_time,
        event_version: s(&doc.event_version),
        event_source,
        event_name,
        aws_region: s(&doc.aws_region),
        account_id: s(&doc.recipient_account_id)
            .or(origin.account)
            .or_else(|| ui.and_then(|u| s(&u.account_id))),
        source_ip: s(&doc.source_ip_address),
        user_agent,
        identity_type,
        principal_arn,
        principal_id: ui.and_then(|u| s(&u.principal_id)),
        account_of_principal: ui.and_then(|u| s(&u.account_id)),
        user_name,
        role_arn: issuer.filter(|_| issuer_is_role).and_then(|i| s(&i.arn)),
        role_name: issuer
            .filter(|_| issuer_is_role)
            .and_then(|i| s(&i.user_name)),
        session_name: principal_arn.and_then(session_name_from_arn),
        access_key_id: ui.and_then(|u| s(&u.access_key_id)),
        source_identity: sc.and_then(|c| s(&c.source_identity)),
        invoked_by: ui.and_then(|u| s(&u.invoked_by)),
        on_behalf_of: ui
            .and_then(|u| u.on_behalf_of.as_ref())
            .and_then(|o| s(&o.user_id)),
        mfa_authenticated: attrs.and_then(|a| b(a.mfa_authenticated)),
        session_created_at,
        console_session,
        read_only: b(doc.read_only),
        management_event: b(doc.management_event),
        event_type,
        event_category: s(&doc.event_category),
        error_code: s(&doc.error_code),
        error_message: s(&doc.error_message),
        request_id: s(&doc.request_id),
        shared_event_id: s(&doc.shared_event_id),
        vpc_endpoint_id: s(&doc.vpc_endpoint_id),
        request_parameters: raw(doc.request_parameters),
        response_elements: raw(doc.response_elements),
        additional_event_data: raw(doc.additional_event_data),
        service_event_details: raw(doc.service_event_details),
        insight_details: raw(doc.insight_details),
        resources: doc
            .resources
            .iter()
            .flatten()
            .filter_map(|r| s(&r.arn))
            .collect(),
        iam_action: iam.iam_action(event_source, event_name),
        ua: user_agent.map(user_agent::parse).unwrap_or_default(),
    })
}

/// Cuts `s` to at most `max` bytes on a character boundary.
pub fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudtrail::iam_action::exceptions;

    fn row_of(json: &str) -> Result<(), String> {
        let doc: Doc = serde_json::from_str(json).map_err(|e| e.to_string())?;
        normalise(&doc, Origin::default(), exceptions().unwrap()).map(|_| ())
    }

    #[test]
    fn dedup_key_ignores_json_layout_only() {
        let k = |j: &str| dedup_key([Some("e"), None, None, None, None, None, None, Some(j)], 1);
        assert_eq!(
            k("{\"a\": [1, 2],\n \"b\":\"x y\"}"),
            k(r#"{"a":[1,2],"b":"x y"}"#)
        );
        assert_ne!(k(r#"{"b":"x y"}"#), k(r#"{"b":"xy"}"#));
        assert_ne!(
            dedup_key([Some("e"), None, None, None, None, None, None, None], 1),
            dedup_key([Some("e"), None, None, None, None, None, None, None], 2)
        );
    }

    #[test]
    fn times() {
        assert_eq!(parse_time("1970-01-01T00:00:01Z"), Some(1_000_000));
        assert_eq!(parse_time("1970-01-01T00:00:01.5Z"), Some(1_500_000));
        assert_eq!(parse_time("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_time("2025-02-30T00:00:00Z"), None);
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(parse_time("2025-12-08T09:0a:02Z"), None);
    }

    #[test]
    fn derives_identity_columns() {
        let json = r#"{"eventID":"e","eventTime":"2025-12-08T09:01:02Z","eventSource":"s3.amazonaws.com",
          "eventName":"ListBuckets","recipientAccountId":"",
          "userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123/alice@example.com",
           "accountId":"111122223333","userName":"",
           "sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/R","userName":"R"},
            "attributes":{"creationDate":"2025-12-08T08:00:00Z","mfaAuthenticated":"true"}}},
          "sessionCredentialFromConsole":"true","userAgent":"aws-cli/2.9.0 Python/3.9 command/s3.ls"}"#;
        let doc: Doc = serde_json::from_str(json).unwrap();
        let r = normalise(
            &doc,
            Origin {
                account: Some("999"),
            },
            exceptions().unwrap(),
        )
        .unwrap();
        assert_eq!(r.session_name, Some("alice@example.com"));
        assert_eq!(r.role_name, Some("R"));
        assert_eq!(r.user_name, None, "empty strings become null");
        assert_eq!(
            r.account_id,
            Some("999"),
            "empty recipient falls back to the origin"
        );
        assert_eq!(r.mfa_authenticated, Some(true));
        assert!(r.console_session);
        assert_eq!(r.iam_action.as_deref(), Some("s3:ListAllMyBuckets"));
        assert_eq!(r.ua.cli_command, Some("s3.ls"));
    }

    #[test]
    fn federated_user_name_from_arn() {
        let json = r#"{"eventID":"e","eventTime":"2025-12-08T09:01:02Z","eventSource":"s3.amazonaws.com","eventName":"X",
          "userIdentity":{"type":"FederatedUser","arn":"arn:aws:sts::1:federated-user/bob",
          "sessionContext":{"sessionIssuer":{"type":"IAMUser","arn":"arn:aws:iam::1:user/u","userName":"u"}}}}"#;
        let doc: Doc = serde_json::from_str(json).unwrap();
        let r = normalise(&doc, Origin::default(), exceptions().unwrap()).unwrap();
        assert_eq!(r.user_name, Some("bob"));
        assert_eq!(r.role_arn, None, "an IAM user issuer is not a role");
    }

    #[test]
    fn missing_and_bad_required_fields() {
        let base = r#""eventTime":"2025-12-08T09:01:02Z","eventSource":"s3.amazonaws.com","eventName":"X""#;
        assert!(row_of(&format!("{{\"eventID\":\"e\",{base}}}")).is_ok());
        let e = row_of(&format!("{{\"eventVersion\":\"1.08\",{base}}}")).unwrap_err();
        assert!(e.contains("eventID is missing"), "{e}");
        // Version 1.0 records predate eventID: they get a stable synthetic id.
        let old = format!("{{\"eventVersion\":\"1.0\",{base}}}");
        let doc: Doc = serde_json::from_str(&old).unwrap();
        let a = normalise(&doc, Origin::default(), exceptions().unwrap()).unwrap();
        let b = normalise(&doc, Origin::default(), exceptions().unwrap()).unwrap();
        assert!(a.event_id.starts_with("synthetic-"));
        assert_eq!(a.event_id, b.event_id);
        let e =
            row_of(r#"{"eventID":"e","eventTime":"yesterday","eventSource":"s","eventName":"X"}"#)
                .unwrap_err();
        assert!(e.contains("not an RFC 3339"), "{e}");
        let e = row_of(r#"{"eventID":"","eventTime":"2025-12-08T09:01:02Z","eventSource":"s","eventName":"X"}"#)
            .unwrap_err();
        assert!(e.contains("eventID is empty"), "{e}");
    }

    #[test]
    fn insight_names_come_from_insight_details() {
        let json = r#"{"eventVersion":"1.08","eventTime":"2025-12-08T09:00:00Z","eventID":"i",
          "eventType":"AwsCloudTrailInsight","eventCategory":"Insight",
          "insightDetails":{"state":"Start","eventSource":"ec2.amazonaws.com","eventName":"RunInstances"}}"#;
        let doc: Doc = serde_json::from_str(json).unwrap();
        let r = normalise(&doc, Origin::default(), exceptions().unwrap()).unwrap();
        assert_eq!(
            (r.event_source, r.event_name),
            ("ec2.amazonaws.com", "RunInstances")
        );
        assert_eq!(r.identity_type, None);
    }

    #[test]
    fn insight_without_identity() {
        let json = r#"{"eventVersion":"1.08","eventTime":"2025-12-08T09:00:00Z","eventSource":"ec2.amazonaws.com",
          "eventName":"RunInstances","eventID":"i","eventType":"AwsCloudTrailInsight","eventCategory":"Insight",
          "insightDetails":{"state":"Start"},"requestParameters":null}"#;
        let doc: Doc = serde_json::from_str(json).unwrap();
        let r = normalise(&doc, Origin::default(), exceptions().unwrap()).unwrap();
        assert_eq!(r.identity_type, None);
        assert_eq!(r.insight_details, Some(r#"{"state":"Start"}"#));
        assert_eq!(r.request_parameters, None);
    }
}
