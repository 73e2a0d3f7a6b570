//! The CloudTrail record as serde reads it, borrowing from the input bytes.
//!
//! Only the fields trailblame stores are named; the rest are skipped. Open
//! ended blobs (`requestParameters`, `responseElements`, …) stay raw JSON
//! text. A field of the wrong type fails the record, which is then
//! quarantined with serde's message. The same struct also carries the few
//! envelope fields (EventBridge `detail`, CloudWatch `message` and
//! `timestamp`, digest keys, a Claude Code hook's `hook_event_name`) so one
//! parse tells a record from a wrapper or from another tool's JSON.
//! `resources` is read leniently: an odd entry is left out and noted, not
//! a reason to lose the record.

use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

type Str<'a> = Option<Cow<'a, str>>;

/// A JSON value kept as its text (serde_json's `RawValue`, as a plain
/// borrowed `str` so `fastjson` can make one without serde).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Raw<'a>(pub &'a str);

impl<'a> Raw<'a> {
    pub fn get(self) -> &'a str {
        self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Raw<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <&'de RawValue>::deserialize(d).map(|r| Raw(r.get()))
    }
}

/// serde borrows `Cow<str>` only when it is not wrapped in an `Option`
/// (serde-rs/serde#1497); this does it for `Option<Cow<str>>`, so strings
/// without escapes are not copied.
fn opt_cow<'de: 'a, 'a, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Cow<'a, str>>, D::Error> {
    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = Option<Cow<'de, str>>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a string or null")
        }
        fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Borrowed(v)))
        }
        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_string())))
        }
        fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v)))
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: serde::Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_str(V)
        }
    }
    d.deserialize_option(V)
}

#[derive(Deserialize, Default, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Doc<'a> {
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub event_version: Str<'a>,
    #[serde(borrow, rename = "eventID", default, deserialize_with = "opt_cow")]
    pub event_id: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub event_time: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub event_source: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub event_name: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub aws_region: Str<'a>,
    #[serde(
        borrow,
        rename = "sourceIPAddress",
        default,
        deserialize_with = "opt_cow"
    )]
    pub source_ip_address: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub user_agent: Str<'a>,
    #[serde(borrow)]
    pub user_identity: Option<UserIdentity<'a>>,
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub error_code: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub error_message: Str<'a>,
    #[serde(borrow, rename = "requestID", default, deserialize_with = "opt_cow")]
    pub request_id: Str<'a>,
    #[serde(
        borrow,
        rename = "sharedEventID",
        default,
        deserialize_with = "opt_cow"
    )]
    pub shared_event_id: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub vpc_endpoint_id: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub event_type: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub event_category: Str<'a>,
    pub read_only: Option<LooseBool>,
    pub management_event: Option<LooseBool>,
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub recipient_account_id: Str<'a>,
    #[serde(borrow)]
    pub request_parameters: Option<Raw<'a>>,
    #[serde(borrow)]
    pub response_elements: Option<Raw<'a>>,
    #[serde(borrow)]
    pub additional_event_data: Option<Raw<'a>>,
    #[serde(borrow)]
    pub service_event_details: Option<Raw<'a>>,
    #[serde(borrow)]
    pub insight_details: Option<Raw<'a>>,
    #[serde(borrow)]
    pub resources: Option<Resources<'a>>,
    pub session_credential_from_console: Option<LooseBool>,

    // Envelope and detection fields (never stored as such).
    /// EventBridge: the record.
    #[serde(borrow)]
    pub detail: Option<Raw<'a>>,
    #[serde(borrow, rename = "detail-type", default, deserialize_with = "opt_cow")]
    pub detail_type: Str<'a>,
    /// EventBridge: the account the event was delivered for.
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub account: Str<'a>,
    /// CloudWatch Logs export: the record as a JSON string (other tools put
    /// objects here, so it is read raw and unwrapped only when a string).
    #[serde(borrow)]
    pub message: Option<Raw<'a>>,
    /// CloudWatch Logs event time (ms): every export shape has it beside
    /// `message`, and other tools' `message` objects do not.
    #[serde(borrow)]
    pub timestamp: Option<Raw<'a>>,
    /// Claude Code hook payload (`PreToolUse`, `Notification`, …), with
    /// `session_id`: recognised so it is not taken for CloudTrail.
    #[serde(borrow, rename = "hook_event_name")]
    pub hook_event_name: Option<Raw<'a>>,
    #[serde(borrow, rename = "session_id")]
    pub session_id: Option<Raw<'a>>,
    /// `aws cloudtrail lookup-events` entry: the record as a JSON string.
    #[serde(
        borrow,
        rename = "CloudTrailEvent",
        default,
        deserialize_with = "opt_cow"
    )]
    pub cloud_trail_event: Str<'a>,
    /// A whole delivery document on one line.
    #[serde(borrow, rename = "Records")]
    pub records: Option<Raw<'a>>,
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub digest_start_time: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub digest_public_key_fingerprint: Str<'a>,
}

impl<'a> Doc<'a> {
    /// Has at least two of the fields every CloudTrail record has (one alone,
    /// such as an app log's `eventName`, is not enough).
    pub fn looks_like_record(&self) -> bool {
        let n = [
            self.event_version.is_some(),
            self.event_id.is_some(),
            self.event_time.is_some(),
            self.event_source.is_some(),
            self.event_name.is_some(),
            self.user_identity.is_some(),
            self.aws_region.is_some(),
            self.recipient_account_id.is_some(),
        ];
        n.iter().filter(|x| **x).count() >= 2
    }

    pub fn is_digest(&self) -> bool {
        self.digest_start_time.is_some() || self.digest_public_key_fingerprint.is_some()
    }

    /// A Claude Code hook payload (never a CloudTrail record).
    pub fn is_hook_payload(&self) -> bool {
        self.hook_event_name.is_some() && self.session_id.is_some() && !self.looks_like_record()
    }

    /// The `message` member when it is a JSON string and the object is a
    /// CloudWatch Logs event on its own (it has `timestamp` too). Inside a
    /// subscription payload's `logEvents` the payload is the envelope: see
    /// `message_text`.
    pub fn cloudwatch_message(&self) -> Option<Cow<'a, str>> {
        self.timestamp?;
        self.message_text()
    }

    /// The `message` member when it is a JSON string.
    pub fn message_text(&self) -> Option<Cow<'a, str>> {
        let raw = self.message?;
        if !raw.get().starts_with('"') {
            return None;
        }
        serde_json::from_str::<Cow<'a, str>>(raw.get()).ok()
    }

    pub fn is_envelope(&self) -> bool {
        self.detail.is_some() && self.detail_type.is_some()
    }
}

#[derive(Deserialize, Default, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct UserIdentity<'a> {
    #[serde(borrow, rename = "type", default, deserialize_with = "opt_cow")]
    pub kind: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub principal_id: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub arn: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub account_id: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub access_key_id: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub user_name: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub invoked_by: Str<'a>,
    #[serde(borrow)]
    pub session_context: Option<SessionContext<'a>>,
    #[serde(borrow)]
    pub on_behalf_of: Option<OnBehalfOf<'a>>,
}

#[derive(Deserialize, Default, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SessionContext<'a> {
    #[serde(borrow)]
    pub session_issuer: Option<SessionIssuer<'a>>,
    #[serde(borrow)]
    pub attributes: Option<SessionAttributes<'a>>,
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub source_identity: Str<'a>,
}

#[derive(Deserialize, Default, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SessionIssuer<'a> {
    #[serde(borrow, rename = "type", default, deserialize_with = "opt_cow")]
    pub kind: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub arn: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub user_name: Str<'a>,
}

#[derive(Deserialize, Default, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SessionAttributes<'a> {
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub creation_date: Str<'a>,
    pub mfa_authenticated: Option<LooseBool>,
}

#[derive(Deserialize, Default, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OnBehalfOf<'a> {
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub user_id: Str<'a>,
    /// The origin identity (IAM agent and workload identity, trusted
    /// identity propagation): `spiffe://…` for a workload.
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub subject: Str<'a>,
    /// `workload` or `user`.
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub subject_type: Str<'a>,
}

#[derive(Deserialize, Default, Debug, PartialEq)]
pub struct Resource<'a> {
    #[serde(borrow, rename = "ARN", default, deserialize_with = "opt_cow")]
    pub arn: Str<'a>,
}

/// `resources`: the entries that are objects with a string (or no) `ARN`.
/// Anything else is left out and its index kept for the warning; a member
/// that is not a list at all is one bad value. None of it fails the record.
#[derive(Default, Debug, PartialEq)]
pub struct Resources<'a> {
    pub items: Vec<Resource<'a>>,
    /// Indexes of entries left out.
    pub left_out: Vec<u32>,
    pub not_a_list: bool,
}

impl<'de: 'a, 'a> Deserialize<'de> for Resources<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{IgnoredAny, MapAccess, SeqAccess};
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for V<'a> {
            type Value = Resources<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of resources")
            }
            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
                let mut out = Resources::default();
                let mut i = 0u32;
                while let Some(entry) = seq.next_element::<Entry<'a>>()? {
                    match entry.0 {
                        Some(r) => out.items.push(r),
                        None => out.left_out.push(i),
                    }
                    i += 1;
                }
                Ok(out)
            }
            fn visit_map<M: MapAccess<'de>>(self, mut m: M) -> Result<Self::Value, M::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Self::Value::bad())
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Self::Value::bad())
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Self::Value::bad())
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Self::Value::bad())
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Self::Value::bad())
            }
            fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Self::Value::bad())
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Self::Value::bad())
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

impl Resources<'_> {
    fn bad() -> Self {
        Resources {
            not_a_list: true,
            ..Default::default()
        }
    }
}

/// One `resources` entry: `None` when it is not an object with a string,
/// null or absent `ARN` (a duplicate `ARN` is odd too).
struct Entry<'a>(Option<Resource<'a>>);

impl<'de: 'a, 'a> Deserialize<'de> for Entry<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{IgnoredAny, MapAccess, SeqAccess};
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for V<'a> {
            type Value = Entry<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a resource")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut m: M) -> Result<Self::Value, M::Error> {
                let mut arn: Option<Option<Cow<'a, str>>> = None;
                let mut odd = false;
                while let Some(key) = m.next_key::<Key>()? {
                    if key.0 && arn.is_none() {
                        match m.next_value::<LenientStr<'a>>()?.0 {
                            Some(v) => arn = Some(v),
                            None => odd = true,
                        }
                    } else {
                        odd |= key.0;
                        m.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(Entry((!odd).then(|| Resource { arn: arn.flatten() })))
            }
            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Entry(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Entry(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Entry(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Entry(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Entry(None))
            }
            fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Entry(None))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Entry(None))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// A map key: is it `ARN`?
struct Key(bool);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E>(self, v: &str) -> Result<Key, E> {
                Ok(Key(v == "ARN"))
            }
        }
        d.deserialize_identifier(V)
    }
}

/// A string (`Some(Some)`), null (`Some(None)`) or anything else (`None`).
struct LenientStr<'a>(Option<Option<Cow<'a, str>>>);

impl<'de: 'a, 'a> Deserialize<'de> for LenientStr<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{IgnoredAny, MapAccess, SeqAccess};
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for V<'a> {
            type Value = LenientStr<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(LenientStr(Some(Some(Cow::Borrowed(v)))))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(LenientStr(Some(Some(Cow::Owned(v.to_string())))))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(LenientStr(Some(Some(Cow::Owned(v)))))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(LenientStr(Some(None)))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(LenientStr(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(LenientStr(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(LenientStr(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(LenientStr(None))
            }
            fn visit_map<M: MapAccess<'de>>(self, mut m: M) -> Result<Self::Value, M::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(LenientStr(None))
            }
            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(LenientStr(None))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// CloudTrail writes some flags as JSON booleans (`readOnly`) and others as
/// strings (`mfaAuthenticated: "true"`); lookup-events prints `"true"`. Both
/// are accepted; anything else is a type error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LooseBool(pub bool);

impl<'de> Deserialize<'de> for LooseBool {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = LooseBool;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a boolean or \"true\"/\"false\"")
            }
            fn visit_bool<E>(self, v: bool) -> Result<LooseBool, E> {
                Ok(LooseBool(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<LooseBool, E> {
                match v {
                    "true" | "True" | "TRUE" => Ok(LooseBool(true)),
                    "false" | "False" | "FALSE" => Ok(LooseBool(false)),
                    _ => Err(E::invalid_value(serde::de::Unexpected::Str(v), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrows_and_reads_nested_identity() {
        let raw = br#"{"eventVersion":"1.09","eventID":"e1","eventTime":"2025-12-08T09:01:02Z",
          "userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/R/s",
            "sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::1:role/R","userName":"R"},
              "attributes":{"creationDate":"2025-12-08T08:00:00Z","mfaAuthenticated":"false"},
              "sourceIdentity":"agent:codex"}},
          "readOnly":true,"requestParameters":{"a":[1,2]},"responseElements":null,
          "resources":[{"ARN":"arn:aws:s3:::b","type":"AWS::S3::Bucket"},{"type":"x"}]}"#;
        let d: Doc = serde_json::from_slice(raw).unwrap();
        assert!(d.looks_like_record());
        assert!(matches!(d.event_id, Some(Cow::Borrowed("e1"))));
        let ui = d.user_identity.unwrap();
        let sc = ui.session_context.unwrap();
        assert_eq!(sc.source_identity.as_deref(), Some("agent:codex"));
        assert_eq!(
            sc.attributes.unwrap().mfa_authenticated,
            Some(LooseBool(false))
        );
        assert_eq!(d.request_parameters.unwrap().get(), r#"{"a":[1,2]}"#);
        assert!(d.response_elements.is_none());
        assert_eq!(d.resources.unwrap().items.len(), 2);
    }

    #[test]
    fn wrong_type_is_an_error() {
        let d: Doc = serde_json::from_slice(br#"{"msg":"x","eventName":"db.query"}"#).unwrap();
        assert!(
            !d.looks_like_record(),
            "one CloudTrail-like key is not a record"
        );
        let e = serde_json::from_slice::<Doc>(br#"{"eventID":"x","eventTime":12}"#);
        assert!(e.is_err());
        let e = serde_json::from_slice::<Doc>(br#"{"eventID":"x","userIdentity":"root"}"#);
        assert!(e.is_err());
        let e = serde_json::from_slice::<Doc>(br#"{"eventID":"x","readOnly":"maybe"}"#);
        assert!(e.is_err());
    }

    #[test]
    fn envelope_and_digest_are_recognised() {
        let d: Doc = serde_json::from_slice(
            br#"{"version":"0","detail-type":"AWS API Call via CloudTrail","account":"1","detail":{"eventID":"x"}}"#,
        )
        .unwrap();
        assert!(d.is_envelope() && !d.looks_like_record());
        let d: Doc =
            serde_json::from_slice(br#"{"awsAccountId":"1","digestStartTime":"t"}"#).unwrap();
        assert!(d.is_digest());
    }

    #[test]
    fn issue_24_message_needs_a_timestamp_and_hooks_are_recognised() {
        let d: Doc = serde_json::from_slice(
            br#"{"session_id":"s","transcript_path":"/t.jsonl","hook_event_name":"Notification","message":"{\"eventID\":\"x\"}"}"#,
        )
        .unwrap();
        assert!(d.cloudwatch_message().is_none(), "no CloudWatch timestamp");
        assert!(d.is_hook_payload());
        let d: Doc =
            serde_json::from_slice(br#"{"timestamp":1,"message":"{\"eventID\":\"x\"}"}"#).unwrap();
        assert!(d.cloudwatch_message().is_some() && !d.is_hook_payload());
    }

    #[test]
    fn issue_24_odd_resources_are_left_out_not_fatal() {
        let d: Doc = serde_json::from_slice(
            br#"{"eventID":"x","resources":[{"ARN":"a","type":"t"},1,{"ARN":{"x":[1]}},{"ARN":"b","ARN":"c"},{"ARN":null},["a"]]}"#,
        )
        .unwrap();
        let r = d.resources.unwrap();
        assert_eq!(r.items.len(), 2);
        assert_eq!(r.items[0].arn.as_deref(), Some("a"));
        assert_eq!(r.items[1].arn, None);
        assert_eq!(r.left_out, vec![1, 2, 3, 5]);
        assert!(!r.not_a_list);
        let d: Doc = serde_json::from_slice(br#"{"eventID":"x","resources":"arn"}"#).unwrap();
        assert!(d.resources.unwrap().not_a_list);
        let d: Doc = serde_json::from_slice(br#"{"eventID":"x","resources":null}"#).unwrap();
        assert!(d.resources.is_none());
    }
}
