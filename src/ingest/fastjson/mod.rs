//! A fast path for reading one CloudTrail record into `Doc`, with serde as
//! the authority.
//!
//! serde_json spends most of its time on what every record has: short
//! strings scanned eight bytes at a time, field names matched through the
//! derive's visitors, and nested blobs (`requestParameters`) parsed value by
//! value only to be kept as text. This parser does the same work for the one
//! shape it knows, scanning strings 32 bytes at a time where the CPU allows,
//! and validates everything it reads by the same JSON grammar.
//!
//! It never decides that a record is bad. Whatever it does not handle
//! exactly as serde would (a duplicate or escaped field name, a type serde
//! would reject, a lone surrogate, a control character, deep nesting, an
//! object given as an array, anything malformed) makes it give up, and the
//! caller parses the record with serde, whose result and error message are
//! the ones used. A test compares the two on every fixture and on mutated
//! records: where this parser answers, its `Doc` and end offset are serde's.

use super::record::{
    Doc, LooseBool, OnBehalfOf, Raw, Resource, SessionAttributes, SessionContext, SessionIssuer,
    UserIdentity,
};
use std::borrow::Cow;

/// Not handled here: parse with serde.
#[derive(Debug)]
pub struct GiveUp;

type R<T> = Result<T, GiveUp>;

/// Nesting beyond this is left to serde (whose limit is 128).
const MAX_DEPTH: u32 = 64;

/// Parses the JSON object that starts at `at` (no leading whitespace) into
/// a `Doc`, returning it with the offset just past the object.
pub fn doc_at(text: &str, at: usize) -> R<(Doc<'_>, usize)> {
    let mut p = Parser {
        s: text,
        b: text.as_bytes(),
        i: at,
        depth: 0,
    };
    let doc = p.doc()?;
    Ok((doc, p.i))
}

/// Parses `text`, which must be one JSON object and whitespace around it.
pub fn doc(text: &str) -> R<Doc<'_>> {
    let mut p = Parser {
        s: text,
        b: text.as_bytes(),
        i: 0,
        depth: 0,
    };
    p.ws();
    let doc = p.doc()?;
    p.ws();
    if p.i != p.b.len() {
        return Err(GiveUp);
    }
    Ok(doc)
}

/// Reads one JSON object into a `$ty` as serde's derive would: the member
/// named `name` is read with the `Parser` method `read` into `field` (a
/// second one is a duplicate: give up), any other member is validated and
/// skipped, a missing one keeps its default.
macro_rules! object {
    ($p:expr, $ty:ident, [$($name:literal: $read:ident => $field:ident),* $(,)?]) => {{
        let mut value = $ty::default();
        let mut seen = Seen(0);
        $p.members(|p, key| {
            let mut bit = 0u32;
            $(
                if key == $name {
                    seen.mark(bit)?;
                    value.$field = p.$read()?;
                    return Ok(());
                }
                bit += 1;
            )*
            let _ = bit;
            p.skip()
        })?;
        value
    }};
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    depth: u32,
}

/// Records which fields of a struct were seen (serde rejects duplicates).
struct Seen(u64);

impl Seen {
    fn mark(&mut self, bit: u32) -> R<()> {
        let m = 1u64 << bit;
        if self.0 & m != 0 {
            return Err(GiveUp);
        }
        self.0 |= m;
        Ok(())
    }
}

impl<'a> Parser<'a> {
    fn ws(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            if matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    fn peek(&self) -> R<u8> {
        self.b.get(self.i).copied().ok_or(GiveUp)
    }

    fn eat(&mut self, c: u8) -> R<()> {
        if self.peek()? != c {
            return Err(GiveUp);
        }
        self.i += 1;
        Ok(())
    }

    fn literal(&mut self, word: &[u8]) -> R<()> {
        if !self.b[self.i..].starts_with(word) {
            return Err(GiveUp);
        }
        self.i += word.len();
        Ok(())
    }

    /// At a `null`: consumes it and returns true.
    fn null(&mut self) -> R<bool> {
        if self.peek()? == b'n' {
            self.literal(b"null")?;
            return Ok(true);
        }
        Ok(false)
    }

    /// At an opening quote: the content's range and whether it has escapes;
    /// leaves `i` after the closing quote.
    fn string_span(&mut self) -> R<(usize, usize, bool)> {
        self.eat(b'"')?;
        let start = self.i;
        let mut escaped = false;
        loop {
            let at = special_byte(self.b, self.i).ok_or(GiveUp)?;
            match self.b[at] {
                b'"' => {
                    self.i = at + 1;
                    return Ok((start, at, escaped));
                }
                b'\\' => {
                    escaped = true;
                    self.i = at + 1 + escape_len(self.b, at + 1)?;
                }
                // A control character: serde's error.
                _ => return Err(GiveUp),
            }
        }
    }

    fn string(&mut self) -> R<Cow<'a, str>> {
        let (start, end, escaped) = self.string_span()?;
        let s = &self.s[start..end];
        if escaped {
            Ok(Cow::Owned(unescape(s)?))
        } else {
            Ok(Cow::Borrowed(s))
        }
    }

    /// A string or null (`opt_cow`).
    fn opt_str(&mut self) -> R<Option<Cow<'a, str>>> {
        if self.null()? {
            return Ok(None);
        }
        self.string().map(Some)
    }

    /// A boolean, a "true"/"false" string, or null (`Option<LooseBool>`).
    fn loose_bool(&mut self) -> R<Option<LooseBool>> {
        match self.peek()? {
            b'n' => self.literal(b"null").map(|_| None),
            b't' => self.literal(b"true").map(|_| Some(LooseBool(true))),
            b'f' => self.literal(b"false").map(|_| Some(LooseBool(false))),
            b'"' => {
                let (start, end, escaped) = self.string_span()?;
                if escaped {
                    return Err(GiveUp);
                }
                match &self.b[start..end] {
                    b"true" | b"True" | b"TRUE" => Ok(Some(LooseBool(true))),
                    b"false" | b"False" | b"FALSE" => Ok(Some(LooseBool(false))),
                    _ => Err(GiveUp),
                }
            }
            _ => Err(GiveUp),
        }
    }

    /// Any value, kept as its text; null is `None` (`Option<&RawValue>`).
    fn raw(&mut self) -> R<Option<Raw<'a>>> {
        if self.null()? {
            return Ok(None);
        }
        let start = self.i;
        self.skip()?;
        Ok(Some(Raw(&self.s[start..self.i])))
    }

    /// Validates and steps over one value.
    fn skip(&mut self) -> R<()> {
        match self.peek()? {
            b'"' => self.string_span().map(|_| ()),
            b'{' => {
                self.enter()?;
                self.i += 1;
                self.ws();
                if self.peek()? == b'}' {
                    self.i += 1;
                } else {
                    loop {
                        self.string_span()?;
                        self.ws();
                        self.eat(b':')?;
                        self.ws();
                        self.skip()?;
                        self.ws();
                        match self.peek()? {
                            b',' => {
                                self.i += 1;
                                self.ws();
                            }
                            b'}' => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(GiveUp),
                        }
                    }
                }
                self.depth -= 1;
                Ok(())
            }
            b'[' => {
                self.enter()?;
                self.i += 1;
                self.ws();
                if self.peek()? == b']' {
                    self.i += 1;
                } else {
                    loop {
                        self.skip()?;
                        self.ws();
                        match self.peek()? {
                            b',' => {
                                self.i += 1;
                                self.ws();
                            }
                            b']' => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(GiveUp),
                        }
                    }
                }
                self.depth -= 1;
                Ok(())
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(GiveUp),
        }
    }

    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(GiveUp);
        }
        Ok(())
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    fn number(&mut self) -> R<()> {
        let b = self.b;
        let mut i = self.i;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match b.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                while b.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
            }
            _ => return Err(GiveUp),
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            let from = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == from {
                return Err(GiveUp);
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let from = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == from {
                return Err(GiveUp);
            }
        }
        self.i = i;
        Ok(())
    }

    /// Walks an object's members, calling `field` with each unescaped name;
    /// `field` must consume the value.
    fn members(&mut self, mut field: impl FnMut(&mut Self, &'a [u8]) -> R<()>) -> R<()> {
        self.enter()?;
        self.eat(b'{')?;
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            let (start, end, escaped) = self.string_span()?;
            if escaped {
                return Err(GiveUp);
            }
            self.ws();
            self.eat(b':')?;
            self.ws();
            let b = self.b;
            field(self, &b[start..end])?;
            self.ws();
            match self.peek()? {
                b',' => {
                    self.i += 1;
                    self.ws();
                }
                b'}' => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return Err(GiveUp),
            }
        }
    }

    /// `Option<Struct>`: null or an object (serde would also take an array).
    fn opt_struct<T>(&mut self, read: impl FnOnce(&mut Self) -> R<T>) -> R<Option<T>> {
        if self.null()? {
            return Ok(None);
        }
        if self.peek()? != b'{' {
            return Err(GiveUp);
        }
        read(self).map(Some)
    }

    fn doc(&mut self) -> R<Doc<'a>> {
        Ok(object!(self, Doc, [
            b"eventVersion": opt_str => event_version,
            b"eventID": opt_str => event_id,
            b"eventTime": opt_str => event_time,
            b"eventSource": opt_str => event_source,
            b"eventName": opt_str => event_name,
            b"awsRegion": opt_str => aws_region,
            b"sourceIPAddress": opt_str => source_ip_address,
            b"userAgent": opt_str => user_agent,
            b"userIdentity": user_identity => user_identity,
            b"errorCode": opt_str => error_code,
            b"errorMessage": opt_str => error_message,
            b"requestID": opt_str => request_id,
            b"sharedEventID": opt_str => shared_event_id,
            b"vpcEndpointId": opt_str => vpc_endpoint_id,
            b"eventType": opt_str => event_type,
            b"eventCategory": opt_str => event_category,
            b"readOnly": loose_bool => read_only,
            b"managementEvent": loose_bool => management_event,
            b"recipientAccountId": opt_str => recipient_account_id,
            b"requestParameters": raw => request_parameters,
            b"responseElements": raw => response_elements,
            b"additionalEventData": raw => additional_event_data,
            b"serviceEventDetails": raw => service_event_details,
            b"insightDetails": raw => insight_details,
            b"resources": resources => resources,
            b"sessionCredentialFromConsole": loose_bool => session_credential_from_console,
            b"detail": raw => detail,
            b"detail-type": opt_str => detail_type,
            b"account": opt_str => account,
            b"message": raw => message,
            b"CloudTrailEvent": opt_str => cloud_trail_event,
            b"Records": raw => records,
            b"digestStartTime": opt_str => digest_start_time,
            b"digestPublicKeyFingerprint": opt_str => digest_public_key_fingerprint,
        ]))
    }

    fn user_identity(&mut self) -> R<Option<UserIdentity<'a>>> {
        self.opt_struct(|p| {
            Ok(object!(p, UserIdentity, [
                b"type": opt_str => kind,
                b"principalId": opt_str => principal_id,
                b"arn": opt_str => arn,
                b"accountId": opt_str => account_id,
                b"accessKeyId": opt_str => access_key_id,
                b"userName": opt_str => user_name,
                b"invokedBy": opt_str => invoked_by,
                b"sessionContext": session_context => session_context,
                b"onBehalfOf": on_behalf_of => on_behalf_of,
            ]))
        })
    }

    fn on_behalf_of(&mut self) -> R<Option<OnBehalfOf<'a>>> {
        self.opt_struct(|p| {
            Ok(object!(p, OnBehalfOf, [
                b"userId": opt_str => user_id,
            ]))
        })
    }

    fn session_context(&mut self) -> R<Option<SessionContext<'a>>> {
        self.opt_struct(|p| {
            Ok(object!(p, SessionContext, [
                b"sessionIssuer": session_issuer => session_issuer,
                b"attributes": session_attributes => attributes,
                b"sourceIdentity": opt_str => source_identity,
            ]))
        })
    }

    fn session_issuer(&mut self) -> R<Option<SessionIssuer<'a>>> {
        self.opt_struct(|p| {
            Ok(object!(p, SessionIssuer, [
                b"type": opt_str => kind,
                b"arn": opt_str => arn,
                b"userName": opt_str => user_name,
            ]))
        })
    }

    fn session_attributes(&mut self) -> R<Option<SessionAttributes<'a>>> {
        self.opt_struct(|p| {
            Ok(object!(p, SessionAttributes, [
                b"creationDate": opt_str => creation_date,
                b"mfaAuthenticated": loose_bool => mfa_authenticated,
            ]))
        })
    }

    /// `Option<Vec<Resource>>`: null or an array of objects.
    fn resources(&mut self) -> R<Option<Vec<Resource<'a>>>> {
        if self.null()? {
            return Ok(None);
        }
        self.enter()?;
        self.eat(b'[')?;
        self.ws();
        let mut v = Vec::new();
        if self.peek()? == b']' {
            self.i += 1;
            self.depth -= 1;
            return Ok(Some(v));
        }
        loop {
            if self.peek()? != b'{' {
                return Err(GiveUp);
            }
            let r = object!(self, Resource, [b"ARN": opt_str => arn]);
            v.push(r);
            self.ws();
            match self.peek()? {
                b',' => {
                    self.i += 1;
                    self.ws();
                }
                b']' => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(Some(v));
                }
                _ => return Err(GiveUp),
            }
        }
    }
}

/// Length of the escape after a backslash at `b[at - 1]` (1, or 5 for
/// `\uXXXX`), if it is valid.
fn escape_len(b: &[u8], at: usize) -> R<usize> {
    match b.get(at) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(1),
        Some(b'u') => {
            let hex = b.get(at + 1..at + 5).ok_or(GiveUp)?;
            if hex.iter().all(u8::is_ascii_hexdigit) {
                Ok(5)
            } else {
                Err(GiveUp)
            }
        }
        _ => Err(GiveUp),
    }
}

fn hex4(s: &[u8]) -> R<u32> {
    let t = std::str::from_utf8(s).map_err(|_| GiveUp)?;
    u32::from_str_radix(t, 16).map_err(|_| GiveUp)
}

/// The string content with its (already validated) escapes decoded; a lone
/// surrogate is left to serde.
fn unescape(s: &str) -> R<String> {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while let Some(k) = memchr::memchr(b'\\', &b[i..]) {
        out.push_str(&s[i..i + k]);
        i += k + 1;
        let c = match b.get(i).ok_or(GiveUp)? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = hex4(b.get(i + 1..i + 5).ok_or(GiveUp)?)?;
                i += 4;
                match hi {
                    0xD800..=0xDBFF => {
                        if b.get(i + 1..i + 3) != Some(b"\\u") {
                            return Err(GiveUp);
                        }
                        let lo = hex4(b.get(i + 3..i + 7).ok_or(GiveUp)?)?;
                        if !(0xDC00..=0xDFFF).contains(&lo) {
                            return Err(GiveUp);
                        }
                        i += 6;
                        char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                            .ok_or(GiveUp)?
                    }
                    0xDC00..=0xDFFF => return Err(GiveUp),
                    _ => char::from_u32(hi).ok_or(GiveUp)?,
                }
            }
            _ => return Err(GiveUp),
        };
        out.push(c);
        i += 1;
    }
    out.push_str(&s[i..]);
    Ok(out)
}

/// Index of the first `"`, `\` or control character at or after `from`.
fn special_byte(b: &[u8], from: usize) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, checked just above.
            return unsafe { special_byte_avx2(b, from) };
        }
    }
    special_byte_swar(b, from)
}

/// Eight bytes at a time: the lowest flagged byte of each test is exact.
fn special_byte_swar(b: &[u8], mut i: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    while i + 8 <= b.len() {
        let x = u64::from_le_bytes(b[i..i + 8].try_into().ok()?);
        let quote = x ^ (ONES * u64::from(b'"'));
        let slash = x ^ (ONES * u64::from(b'\\'));
        let hit = (quote.wrapping_sub(ONES) & !quote)
            | (slash.wrapping_sub(ONES) & !slash)
            | (x.wrapping_sub(ONES * 0x20) & !x);
        let hit = hit & HIGH;
        if hit != 0 {
            return Some(i + (hit.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    b[i..]
        .iter()
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
        .map(|k| i + k)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn special_byte_avx2(b: &[u8], mut i: usize) -> Option<usize> {
    use std::arch::x86_64::*;
    let quote = _mm256_set1_epi8(b'"' as i8);
    let slash = _mm256_set1_epi8(b'\\' as i8);
    let below = _mm256_set1_epi8(0x1f);
    while i + 32 <= b.len() {
        // SAFETY: i + 32 <= len, and loadu has no alignment requirement.
        let x = unsafe { _mm256_loadu_si256(b.as_ptr().add(i) as *const __m256i) };
        let hit = _mm256_or_si256(
            _mm256_or_si256(_mm256_cmpeq_epi8(x, quote), _mm256_cmpeq_epi8(x, slash)),
            // x <= 0x1f (unsigned) exactly when max(x, 0x1f) == 0x1f.
            _mm256_cmpeq_epi8(_mm256_max_epu8(x, below), below),
        );
        let mask = _mm256_movemask_epi8(hit) as u32;
        if mask != 0 {
            return Some(i + mask.trailing_zeros() as usize);
        }
        i += 32;
    }
    special_byte_swar(b, i)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn gives_up_where_serde_decides() {
        for s in [
            r#"{"eventID":"a","eventID":"b"}"#,
            r#"{"eventID":1}"#,
            r#"{"readOnly":"maybe"}"#,
            r#"{"readOnly":1}"#,
            r#"{"userIdentity":"root"}"#,
            r#"{"userIdentity":["IAMUser"]}"#,
            r#"{"resources":[null]}"#,
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

    #[test]
    fn swar_and_avx2_scans_agree() {
        let mut text = Vec::new();
        for k in 0..300u32 {
            text.push(b'a' + (k % 26) as u8);
        }
        for at in [0usize, 7, 8, 31, 32, 33, 63, 64, 150, 299] {
            for c in [b'"', b'\\', 0x00, 0x1f, 0x0a] {
                let mut t = text.clone();
                t[at] = c;
                for from in [0, at.saturating_sub(9), at] {
                    assert_eq!(special_byte_swar(&t, from), Some(at));
                    assert_eq!(special_byte(&t, from), Some(at));
                }
            }
        }
        // High bytes (UTF-8) and 0x20 are not special.
        let t = "é €  ".repeat(20);
        assert_eq!(special_byte(t.as_bytes(), 0), None);
        assert_eq!(special_byte_swar(t.as_bytes(), 0), None);
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
}
