//! One URL (percent) decoder, for the IAM policy documents CloudTrail and
//! `get-account-authorization-details` give as URL-encoded JSON text
//! (`%7B%22Version%22…`).
//!
//! `%` and two hex digits (either case) is one byte. Its three readers have
//! always differed on the rest, and each keeps its [`Rules`]:
//!
//! | rules | `+` | a `%` without two hex digits | bytes that are not UTF-8 | `%+H` |
//! |---|---|---|---|---|
//! | [`LENIENT_FORM`] (anomalies) | a space | kept as a plain `%` | replaced by U+FFFD | a plain `%`, then a space |
//! | [`STRICT_FORM`] (destructive conditions) | a space | an error | an error | the byte `0H` |
//! | [`STRICT`] (privileges, RFC 3986) | a plain `+` | an error | an error | the byte `0H` |
//!
//! The last column is a quirk of the two strict decoders, which read the
//! two characters after `%` with `u8::from_str_radix`: it takes a leading
//! `+` as a sign, so `%+a` is the byte 0x0A. It is kept so that a document
//! that parsed before still parses.

use std::fmt;

/// How text around the `%HH` escapes is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    pub plus: Plus,
    pub invalid: Invalid,
    pub utf8: Utf8,
    /// `%+H` (a plus sign and one hex digit) is the byte `0H`.
    pub signed_escape: bool,
}

/// What `+` outside an escape is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plus {
    /// A space (HTML form encoding).
    Space,
    /// Itself (RFC 3986).
    Literal,
}

/// What a `%` not followed by two hex digits does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    /// It stays a plain `%` and what follows is read as usual.
    Keep,
    /// The text is refused ([`Error::BadEscape`]).
    Fail,
}

/// What decoded bytes that are not UTF-8 do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Utf8 {
    /// Each bad sequence becomes U+FFFD.
    Lossy,
    /// The text is refused ([`Error::NotUtf8`]).
    Strict,
}

/// The anomaly detectors' reading of a policy document: never fails.
pub const LENIENT_FORM: Rules = Rules {
    plus: Plus::Space,
    invalid: Invalid::Keep,
    utf8: Utf8::Lossy,
    signed_escape: false,
};

/// The destructive conditions' reading of a policy document.
pub const STRICT_FORM: Rules = Rules {
    plus: Plus::Space,
    invalid: Invalid::Fail,
    utf8: Utf8::Strict,
    signed_escape: true,
};

/// The privilege evaluator's reading of a policy document (RFC 3986; its
/// caller retries with `+` as a space when the JSON does not parse).
pub const STRICT: Rules = Rules {
    plus: Plus::Literal,
    invalid: Invalid::Fail,
    utf8: Utf8::Strict,
    signed_escape: true,
};

/// Why a strict decoding failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// The `%` at this byte offset is not followed by two hex digits.
    BadEscape { at: usize },
    /// The decoded bytes are not UTF-8.
    NotUtf8,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::BadEscape { at } => write!(f, "bad URL escape at byte {at}"),
            Error::NotUtf8 => f.write_str("URL-decoded text is not UTF-8"),
        }
    }
}

impl std::error::Error for Error {}

/// `%7B%22a%22` → `{"a"` under `rules`.
pub fn decode(text: &str, rules: &Rules) -> Result<String, Error> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => match escape(b, i, rules) {
                Some(byte) => {
                    out.push(byte);
                    i += 3;
                }
                None if rules.invalid == Invalid::Keep => {
                    out.push(b'%');
                    i += 1;
                }
                None => return Err(Error::BadEscape { at: i }),
            },
            b'+' if rules.plus == Plus::Space => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    match rules.utf8 {
        Utf8::Strict => String::from_utf8(out).map_err(|_| Error::NotUtf8),
        Utf8::Lossy => Ok(String::from_utf8_lossy(&out).into_owned()),
    }
}

/// The byte the escape at `b[i]` (a `%`) stands for.
fn escape(b: &[u8], i: usize, rules: &Rules) -> Option<u8> {
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let (hi, lo) = (*b.get(i + 1)?, *b.get(i + 2)?);
    if hi == b'+' && rules.signed_escape {
        return hex(lo);
    }
    Some(hex(hi)? * 16 + hex(lo)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_bytes_in_either_case() {
        for rules in [LENIENT_FORM, STRICT_FORM, STRICT] {
            assert_eq!(decode("%7B%22a%22%3a1%7d", &rules).unwrap(), r#"{"a":1}"#);
            assert_eq!(decode("%C3%A9", &rules).unwrap(), "é");
            assert_eq!(decode("plain", &rules).unwrap(), "plain");
        }
    }

    #[test]
    fn plus_is_a_space_in_form_encoding_only() {
        assert_eq!(decode("a+b%2B", &LENIENT_FORM).unwrap(), "a b+");
        assert_eq!(decode("a+b%2B", &STRICT_FORM).unwrap(), "a b+");
        assert_eq!(decode("a+b%2B", &STRICT).unwrap(), "a+b+");
    }

    #[test]
    fn invalid_escapes_are_kept_or_refused() {
        assert_eq!(decode("100%", &LENIENT_FORM).unwrap(), "100%");
        assert_eq!(decode("%zz%4", &LENIENT_FORM).unwrap(), "%zz%4");
        assert_eq!(decode("%%41", &LENIENT_FORM).unwrap(), "%A");
        assert_eq!(
            decode("ab%zz", &STRICT_FORM),
            Err(Error::BadEscape { at: 2 })
        );
        assert_eq!(decode("a%2", &STRICT), Err(Error::BadEscape { at: 1 }));
        assert_eq!(decode("%é", &STRICT), Err(Error::BadEscape { at: 0 }));
    }

    #[test]
    fn bytes_that_are_not_utf8_are_replaced_or_refused() {
        assert_eq!(decode("a%ffb", &LENIENT_FORM).unwrap(), "a\u{fffd}b");
        assert_eq!(decode("%ff", &STRICT_FORM), Err(Error::NotUtf8));
        assert_eq!(decode("%ff", &STRICT), Err(Error::NotUtf8));
    }

    #[test]
    fn a_signed_escape_is_one_digit_in_the_strict_rules() {
        assert_eq!(decode("%+a", &STRICT).unwrap(), "\n");
        assert_eq!(decode("%+a", &STRICT_FORM).unwrap(), "\n");
        assert_eq!(decode("%+a", &LENIENT_FORM).unwrap(), "% a");
        assert!(decode("%+z", &STRICT).is_err());
        assert!(decode("%-a", &STRICT).is_err());
    }
}
