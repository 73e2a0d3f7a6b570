//! Strings at speed: finding the next quote, backslash or control
//! character 32 bytes at a time (AVX2) or eight (SWAR), checking escapes,
//! and decoding them exactly as serde does (a lone surrogate gives up).

use super::{GiveUp, R};

/// Length of the escape after a backslash at `b[at - 1]` (1, or 5 for
/// `\uXXXX`), if it is valid.
pub(crate) fn escape_len(b: &[u8], at: usize) -> R<usize> {
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
pub(crate) fn unescape(s: &str) -> R<String> {
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
pub(crate) fn special_byte(b: &[u8], from: usize) -> Option<usize> {
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
}
