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
    // Hex digits are ASCII: the check is one pass over 32 bytes, where
    // pushing them as chars checked the capacity and encoded each.
    out.push_str(std::str::from_utf8(&encode(key)).unwrap_or_default());
}

/// `key` as 32 lowercase hex digits.
pub fn format(key: u128) -> String {
    let mut out = String::with_capacity(32);
    write(key, &mut out);
    out
}

/// Each byte's value as a lowercase hex digit; 0xFF for any other byte.
static NIBBLE: [u8; 256] = {
    let mut t = [0xFF; 256];
    let mut i = 0;
    while i < 16 {
        t[DIGITS[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// The key written by `write`; `None` for any other text. A table look-up
/// per digit, two 64-bit halves, no branch per digit: de-duplication and
/// the incremental check parse a day's stored keys, 90,000 and more.
pub fn parse(text: &str) -> Option<u128> {
    let bytes: &[u8; 32] = text.as_bytes().try_into().ok()?;
    let mut bad = 0u8;
    let mut half = |digits: &[u8]| {
        digits.iter().fold(0u64, |acc, &c| {
            let d = NIBBLE[usize::from(c)];
            bad |= d;
            acc << 4 | u64::from(d & 15)
        })
    };
    let (hi, lo) = (half(&bytes[..16]), half(&bytes[16..]));
    // A digit is at most 15: any high bit set came from a byte that is not one.
    (bad & 0xF0 == 0).then_some(u128::from(hi) << 64 | u128::from(lo))
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
        // Every byte that is not a lowercase hex digit, at either end and
        // in the middle, refuses the text.
        let good = super::format(0x0123_4567_89ab_cdef_0011_2233_4455_6677);
        for b in 0..=255u8 {
            if super::DIGITS.contains(&b) {
                continue;
            }
            for at in [0, 15, 16, 31] {
                let mut bytes = good.clone().into_bytes();
                bytes[at] = b;
                if let Ok(text) = String::from_utf8(bytes) {
                    assert_eq!(super::parse(&text), None, "{text:?}");
                }
            }
        }
    }
}
