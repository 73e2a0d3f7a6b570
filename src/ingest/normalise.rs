//! Turns a parsed CloudTrail record into one row of the `events` table.
//!
//! Pure: no I/O, no allocation beyond the row's own few strings. Decides the
//! derived columns (session name, console session, IAM action, user-agent
//! parts) and rejects records missing the fields every later stage needs.
//!
//! Lenient where the meaning is unambiguous, strict where it is not: times
//! other pipelines write (`2025-01-21 17:49:47.000000000`, no zone = UTC),
//! a missing eventID (the synthetic id of version 1.0 records) and a
//! malformed optional nested field (set to null) are accepted, and each is
//! reported in `Leniency` so the reader can count it and say so. Missing
//! time, source or name still quarantine the record.

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
    /// `onBehalfOf.userId`, else `<subjectType>:<subject>` (`workload:spiffe://…`).
    pub on_behalf_of: Option<Cow<'a, str>>,
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
    /// What was accepted that CloudTrail itself does not write.
    pub lenient: Leniency,
}

/// The leniencies applied to one record, for the accounting and warnings.
#[derive(Default, Debug, Clone, PartialEq, Eq)]
pub struct Leniency {
    /// Time values (eventTime, session creation date) without a zone, read as UTC.
    pub times_without_zone: u32,
    /// Time values with a zone but a space instead of `T`.
    pub times_with_space: u32,
    /// No eventID on a version that has one: the synthetic id was given.
    pub synthetic_id: bool,
    /// Optional nested fields set to null (or entries left out), each
    /// described as `field: why` for the warning.
    pub fields_nulled: Vec<String>,
}

impl Leniency {
    pub fn any(&self) -> bool {
        self.times_without_zone > 0
            || self.times_with_space > 0
            || self.synthetic_id
            || !self.fields_nulled.is_empty()
    }

    fn time(&mut self, form: TimeForm) {
        match form {
            TimeForm::Standard => {}
            TimeForm::SpaceSeparated => self.times_with_space += 1,
            TimeForm::NoZone => self.times_without_zone += 1,
        }
    }
}

/// How a time value was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeForm {
    /// RFC 3339 with `T` (CloudTrail's own form).
    Standard,
    /// RFC 3339 with a space for `T`, zone given.
    SpaceSeparated,
    /// No zone: read as UTC.
    NoZone,
}

/// `onBehalfOf` as one value: the Identity Center `userId` when there is
/// one, else the origin identity as `<subjectType>:<subject>`
/// (`workload:spiffe://…` for an IAM agent and workload identity).
fn on_behalf_of<'a>(o: &'a crate::ingest::record::OnBehalfOf<'a>) -> Option<Cow<'a, str>> {
    if let Some(u) = s(&o.user_id) {
        return Some(Cow::Borrowed(u));
    }
    let subject = s(&o.subject)?;
    let kind = s(&o.subject_type).unwrap_or("unknown");
    Some(Cow::Owned(format!("{kind}:{subject}")))
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
    parse_time_form(t).map(|(us, _)| us)
}

/// `parse_time`, then the forms other pipelines write: `YYYY-MM-DD
/// HH:MM:SS[.fraction]` (or with `T`), with an optional zone (`Z`,
/// `±HH:MM`, `±HHMM`); without one the time is UTC. Any number of
/// fraction digits; past microseconds they are cut. Says which form it was.
pub fn parse_time_form(t: &str) -> Option<(i64, TimeForm)> {
    if let Some(us) = parse_rfc3339(t) {
        let form = if t.as_bytes().get(10) == Some(&b' ') {
            TimeForm::SpaceSeparated
        } else {
            TimeForm::Standard
        };
        return Some((us, form));
    }
    parse_loose(t)
}

/// `YYYY-MM-DD[T ]HH:MM:SS[.f…][Z|±HH:MM|±HHMM]`, for what RFC 3339 rejects.
fn parse_loose(t: &str) -> Option<(i64, TimeForm)> {
    let b = t.as_bytes();
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let mut v = 0u32;
        for &c in b.get(r)? {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
        }
        Some(v)
    };
    let date = chrono::NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
    let mut i = 19;
    let mut nanos = 0u32;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            if i - start < 9 {
                nanos = nanos * 10 + u32::from(b[i] - b'0');
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        for _ in (i - start)..9 {
            nanos *= 10;
        }
    }
    let time =
        chrono::NaiveTime::from_hms_nano_opt(num(11..13)?, num(14..16)?, num(17..19)?, nanos)?;
    let local = date.and_time(time).and_utc().timestamp_micros();
    let rest = &b[i..];
    let (offset_secs, form) = match rest {
        [] => (0, TimeForm::NoZone),
        [b'Z' | b'z'] => (0, zoned_form(b[10])),
        [sign @ (b'+' | b'-'), h1, h2, m @ ..] => {
            let m = match m {
                [b':', m1, m2] | [m1, m2] => [*m1, *m2],
                _ => return None,
            };
            let digits = [*h1, *h2, m[0], m[1]];
            if !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let h = i64::from((h1 - b'0') * 10 + (h2 - b'0'));
            let mm = i64::from((m[0] - b'0') * 10 + (m[1] - b'0'));
            if h > 23 || mm > 59 {
                return None;
            }
            let secs = h * 3600 + mm * 60;
            (if *sign == b'-' { -secs } else { secs }, zoned_form(b[10]))
        }
        _ => return None,
    };
    Some((local - offset_secs * 1_000_000, form))
}

fn zoned_form(separator: u8) -> TimeForm {
    if separator == b' ' {
        TimeForm::SpaceSeparated
    } else {
        TimeForm::Standard
    }
}

fn parse_rfc3339(t: &str) -> Option<i64> {
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
    let mut lenient = Leniency::default();
    let event_id = match require(&doc.event_id, "eventID") {
        Ok(id) => Cow::Borrowed(id),
        // eventID arrived with eventVersion 1.01; older records have none.
        Err(_) if doc.event_version.as_deref() == Some("1.0") => {
            Cow::Owned(synthetic_id(doc, time_text))
        }
        // Later versions should have one, but other pipelines drop it: the
        // same synthetic id, counted. An empty one is still refused.
        Err(_) if doc.event_id.is_none() => {
            lenient.synthetic_id = true;
            Cow::Owned(synthetic_id(doc, time_text))
        }
        Err(e) => return Err(e),
    };
    let (event_time, form) = parse_time_form(time_text).ok_or_else(|| {
        format!(
            "eventTime {:?} is not a time (RFC 3339, or YYYY-MM-DD HH:MM:SS[.fraction] with an optional zone)",
            truncate(time_text, 60)
        )
    })?;
    lenient.time(form);

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
    // Not needed to place or attribute the event: a bad one becomes null.
    let session_created_at = match attrs.and_then(|a| s(&a.creation_date)) {
        Some(t) => match parse_time_form(t) {
            Some((us, form)) => {
                lenient.time(form);
                Some(us)
            }
            None => {
                lenient.fields_nulled.push(format!(
                    "userIdentity.sessionContext.attributes.creationDate {:?} is not a time; set to null",
                    truncate(t, 60)
                ));
                None
            }
        },
        None => None,
    };
    if let Some(r) = &doc.resources {
        if r.not_a_list {
            lenient
                .fields_nulled
                .push("resources is not a list; set to null".to_string());
        }
        for i in &r.left_out {
            lenient.fields_nulled.push(format!(
                "resources[{i}] is not an object with a string ARN; left out"
            ));
        }
    }
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
            .and_then(on_behalf_of),
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
            .flat_map(|r| &r.items)
            .filter_map(|r| s(&r.arn))
            .collect(),
        iam_action: iam.iam_action(event_source, event_name),
        ua: user_agent.map(user_agent::parse_cached).unwrap_or_default(),
        lenient,
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
    fn issue_24_times_other_pipelines_write() {
        let t = |s: &str| parse_time_form(s);
        let at = 1_737_481_787_000_000; // 2025-01-21T17:49:47Z
        assert_eq!(t("2025-01-21T17:49:47Z"), Some((at, TimeForm::Standard)));
        assert_eq!(
            t("2025-01-21 17:49:47.000000000"),
            Some((at, TimeForm::NoZone))
        );
        assert_eq!(t("2025-01-21 17:49:47"), Some((at, TimeForm::NoZone)));
        assert_eq!(
            t("2025-01-21T17:49:47.5"),
            Some((at + 500_000, TimeForm::NoZone))
        );
        assert_eq!(
            t("2025-01-21 17:49:47Z"),
            Some((at, TimeForm::SpaceSeparated))
        );
        assert_eq!(
            t("2025-01-21 18:49:47.25+01:00"),
            Some((at + 250_000, TimeForm::SpaceSeparated))
        );
        assert_eq!(
            t("2025-01-21T18:49:47+0100"),
            Some((at, TimeForm::Standard))
        );
        assert_eq!(
            t("2025-01-21T17:49:47.1234567891234Z"),
            Some((at + 123_456, TimeForm::Standard))
        );
        for bad in [
            "20131102T010628Z",
            "2025-01-21 17:49",
            "2025-01-21 17:49:47.",
            "2025-01-21 17:49:47 UTC",
            "2025-01-21 17:49:47+1",
            "2025-02-30 17:49:47",
            "2025-01-21 17:49:47+24:00",
            "2025-01-21_17:49:47",
        ] {
            assert_eq!(t(bad), None, "{bad}");
        }
    }

    #[test]
    fn issue_24_bad_creation_date_and_resources_become_null() {
        let json = r#"{"eventID":"e","eventTime":"2025-12-08 09:01:02","eventSource":"s3.amazonaws.com","eventName":"X",
          "userIdentity":{"type":"AssumedRole","sessionContext":{"attributes":{"creationDate":"20131102T010628Z"}}},
          "resources":[{"ARN":"arn:aws:s3:::a"},"arn:aws:s3:::b",{"ARN":7},null,{"type":"x"}]}"#;
        let doc: Doc = serde_json::from_str(json).unwrap();
        let r = normalise(&doc, Origin::default(), exceptions().unwrap()).unwrap();
        assert_eq!(r.session_created_at, None);
        assert_eq!(r.resources, vec!["arn:aws:s3:::a"]);
        assert_eq!(r.lenient.times_without_zone, 1);
        assert_eq!(
            r.lenient.fields_nulled.len(),
            4,
            "{:?}",
            r.lenient.fields_nulled
        );
        assert!(r.lenient.fields_nulled[0].contains("creationDate \"20131102T010628Z\""));
        assert!(r.lenient.fields_nulled[1].starts_with("resources[1] "));
        let json = r#"{"eventID":"e","eventTime":"2025-12-08T09:01:02Z","eventSource":"s","eventName":"X","resources":{"ARN":"a"}}"#;
        let doc: Doc = serde_json::from_str(json).unwrap();
        let r = normalise(&doc, Origin::default(), exceptions().unwrap()).unwrap();
        assert!(r.resources.is_empty());
        assert_eq!(
            r.lenient.fields_nulled,
            vec!["resources is not a list; set to null"]
        );
        // Essential fields stay strict.
        let e =
            row_of(r#"{"eventVersion":"1.08","eventTime":"2025-12-08 09:01:02","eventName":"X"}"#)
                .unwrap_err();
        assert!(e.contains("eventSource is missing"), "{e}");
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
        // Issue 24: a later version without eventID gets the synthetic id, counted.
        let later = format!("{{\"eventVersion\":\"1.08\",{base}}}");
        let doc: Doc = serde_json::from_str(&later).unwrap();
        let r = normalise(&doc, Origin::default(), exceptions().unwrap()).unwrap();
        assert!(r.event_id.starts_with("synthetic-"));
        assert!(r.lenient.synthetic_id);
        // Version 1.0 records predate eventID: they get a stable synthetic id.
        let old = format!("{{\"eventVersion\":\"1.0\",{base}}}");
        let doc: Doc = serde_json::from_str(&old).unwrap();
        let a = normalise(&doc, Origin::default(), exceptions().unwrap()).unwrap();
        let b = normalise(&doc, Origin::default(), exceptions().unwrap()).unwrap();
        assert!(a.event_id.starts_with("synthetic-"));
        assert_eq!(a.event_id, b.event_id);
        assert!(!a.lenient.any(), "version 1.0 never had an eventID");
        let e =
            row_of(r#"{"eventID":"e","eventTime":"yesterday","eventSource":"s","eventName":"X"}"#)
                .unwrap_err();
        assert!(e.contains("is not a time"), "{e}");
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
