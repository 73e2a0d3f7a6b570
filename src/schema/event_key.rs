//! The text form of an event's key (`events.event_key`): the 128-bit
//! de-duplication hash as 32 lowercase hex digits, a form every engine joins
//! on.

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// `key` as 32 lowercase hex digits, as bytes (a table lookup per digit:
/// attribution writes two keys per event, and `{:x}` was a visible share
/// of writing its table).
pub fn encode(key: u128) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, b) in key.to_be_bytes().into_iter().enumerate() {
        out[2 * i] = DIGITS[usize::from(b >> 4)];
        out[2 * i + 1] = DIGITS[usize::from(b & 15)];
    }
    out
}

/// `key` as 32 lowercase hex digits, appended to `out`.
pub fn write(key: u128, out: &mut String) {
    out.extend(encode(key).into_iter().map(char::from));
}

/// `key` as 32 lowercase hex digits.
pub fn format(key: u128) -> String {
    let mut out = String::with_capacity(32);
    write(key, &mut out);
    out
}

/// The key written by `write`; `None` for any other text.
pub fn parse(text: &str) -> Option<u128> {
    let bytes = text.as_bytes();
    if bytes.len() != 32 {
        return None;
    }
    let mut key = 0u128;
    for &c in bytes {
        let digit = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => return None,
        };
        key = key << 4 | u128::from(digit);
    }
    Some(key)
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_round_trip_and_other_text_is_refused() {
        for k in [
            0u128,
            1,
            u128::MAX,
            0x0123_4567_89ab_cdef_0011_2233_4455_6677,
        ] {
            let text = super::format(k);
            assert_eq!(text, format!("{k:032x}"));
            assert_eq!(super::parse(&text), Some(k));
        }
        assert_eq!(super::parse("ABCDEF0123456789ABCDEF0123456789"), None);
        assert_eq!(super::parse("+bcdef0123456789abcdef0123456789"), None);
        assert_eq!(super::parse("abc"), None);
    }
}
