//! The text form of an event's key (`events.event_key`): the 128-bit
//! de-duplication hash as 32 lowercase hex digits, a form every engine joins
//! on.

/// `key` as 32 lowercase hex digits, appended to `out`.
pub fn write(key: u128, out: &mut String) {
    use std::fmt::Write;
    // Writing to a String cannot fail.
    let _ = write!(out, "{key:032x}");
}

/// `key` as 32 lowercase hex digits.
pub fn format(key: u128) -> String {
    format!("{key:032x}")
}

/// The key written by `write`; `None` for any other text.
pub fn parse(text: &str) -> Option<u128> {
    if text.len() != 32 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    u128::from_str_radix(text, 16).ok()
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
            assert_eq!(text.len(), 32);
            assert_eq!(super::parse(&text), Some(k));
        }
        assert_eq!(super::parse("ABCDEF0123456789ABCDEF0123456789"), None);
        assert_eq!(super::parse("+bcdef0123456789abcdef0123456789"), None);
        assert_eq!(super::parse("abc"), None);
    }
}
