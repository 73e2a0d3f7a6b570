//! The event ids the `attribution` table is keyed by, kept compactly: a
//! CloudTrail UUID as its 128 bits, anything else as text.

use polars::prelude::PlHashSet;

/// The event ids the `attribution` table is keyed by: the first event of
/// each distinct id, in store order, with its index.
///
/// CloudTrail's ids are lowercase UUIDs: those are kept as their 128 bits
/// (16 bytes, not a 36-byte string plus a hash to find repeats), any other
/// id as text. 3M events take about 65 MB.
#[derive(Default)]
pub struct EventIds {
    /// Per id: a UUID's bits, or the index of the id in `other`.
    keys: Vec<u128>,
    /// Per id: its event's index.
    rows: Vec<u32>,
    /// Per id: true when `keys` points into `other`.
    is_other: Vec<bool>,
    other: Vec<Box<str>>,
}

impl EventIds {
    /// Adds `id` for event `row` (events are indexed by u32 throughout
    /// attribution).
    pub fn push(&mut self, row: usize, id: &str) {
        match parse_uuid(id) {
            Some(bits) => {
                self.keys.push(bits);
                self.is_other.push(false);
            }
            None => {
                self.keys.push(self.other.len() as u128);
                self.other.push(id.into());
                self.is_other.push(true);
            }
        }
        self.rows.push(row as u32);
    }

    /// Keeps only the first event of each id.
    pub fn finish(&mut self) {
        let mut keep = vec![true; self.keys.len()];
        // UUIDs: sorted by (bits, push order), all but the first of a run go.
        let mut order: Vec<u32> = (0..self.keys.len() as u32)
            .filter(|&k| !self.is_other[k as usize])
            .collect();
        order.sort_unstable_by_key(|&k| (self.keys[k as usize], k));
        for w in order.windows(2) {
            if self.keys[w[0] as usize] == self.keys[w[1] as usize] {
                keep[w[1] as usize] = false;
            }
        }
        drop(order);
        // Other ids (rare): by text, in push order.
        let mut seen: PlHashSet<&str> = PlHashSet::default();
        for (k, other) in self.is_other.iter().enumerate() {
            if *other && !seen.insert(&self.other[self.keys[k] as usize]) {
                keep[k] = false;
            }
        }
        drop(seen);
        let mut k = 0;
        self.keys.retain(|_| (keep[k], k += 1).0);
        k = 0;
        self.rows.retain(|_| (keep[k], k += 1).0);
        k = 0;
        self.is_other.retain(|_| (keep[k], k += 1).0);
    }

    /// Distinct ids (after `finish`).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The `k`th id's event index.
    pub fn row(&self, k: usize) -> usize {
        self.rows[k] as usize
    }

    /// Writes the `k`th id into `out` (cleared first).
    pub fn write_id(&self, k: usize, out: &mut String) {
        out.clear();
        if self.is_other[k] {
            out.push_str(&self.other[self.keys[k] as usize]);
        } else {
            format_uuid(self.keys[k], out);
        }
    }
}

/// The bits of a lowercase, hyphenated UUID (the only spelling kept as
/// bits, so writing it back gives the same text).
fn parse_uuid(s: &str) -> Option<u128> {
    let b = s.as_bytes();
    if b.len() != 36 {
        return None;
    }
    let mut v: u128 = 0;
    for (i, &c) in b.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if c != b'-' {
                return None;
            }
            continue;
        }
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => return None,
        };
        v = (v << 4) | u128::from(d);
    }
    Some(v)
}

fn format_uuid(v: u128, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text = [b'-'; 36];
    let mut digits = 0;
    for (at, byte) in text.iter_mut().enumerate() {
        if !matches!(at, 8 | 13 | 18 | 23) {
            *byte = HEX[((v >> (124 - 4 * digits)) & 0xf) as usize];
            digits += 1;
        }
    }
    // Only ASCII hex digits and hyphens were written.
    out.push_str(std::str::from_utf8(&text).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_keep_their_spelling_and_the_first_event_of_each() {
        let mut ids = EventIds::default();
        let uuid = "0f3c2a9e-1b2d-4e5f-8a9b-0c1d2e3f4a5b";
        ids.push(0, uuid);
        ids.push(1, "0F3C2A9E-1B2D-4E5F-8A9B-0C1D2E3F4A5B");
        ids.push(2, "not-a-uuid");
        ids.push(3, uuid);
        ids.push(4, "not-a-uuid");
        ids.push(5, "");
        ids.push(6, "00000000-0000-0000-0000-000000000002");
        ids.finish();
        let mut out = String::new();
        let got: Vec<(String, usize)> = (0..ids.len())
            .map(|k| {
                ids.write_id(k, &mut out);
                (out.clone(), ids.row(k))
            })
            .collect();
        let want = [
            (uuid, 0),
            ("0F3C2A9E-1B2D-4E5F-8A9B-0C1D2E3F4A5B", 1),
            ("not-a-uuid", 2),
            ("", 5),
            ("00000000-0000-0000-0000-000000000002", 6),
        ];
        let want: Vec<(String, usize)> = want.iter().map(|(s, r)| (s.to_string(), *r)).collect();
        assert_eq!(got, want);
    }
}
