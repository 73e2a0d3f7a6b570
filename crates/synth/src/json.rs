//! A minimal streaming JSON writer over a reused `Vec<u8>`, plus the time
//! formats CloudTrail uses.
//!
//! Building a `serde_json::Value` tree per record costs several allocations
//! per field; writing straight into a buffer keeps generation far cheaper than
//! the gzip step that follows. `Obj` and `Arr` track only whether a comma is
//! due, so nesting is expressed by scoping: open a child, fill it, `end()` it,
//! then go on with the parent. Keys are static and never need escaping;
//! values always go through `push_str`.

use std::fmt::Write as _;

/// Appends `s` as a JSON string literal, escaping what JSON requires.
pub(crate) fn push_str(buf: &mut Vec<u8>, s: &str) {
    buf.push(b'"');
    let bytes = s.as_bytes();
    // Almost every value needs no escaping: copy it in one go.
    if !bytes.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\') {
        buf.extend_from_slice(bytes);
        buf.push(b'"');
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => {
                buf.extend_from_slice(&bytes[start..i]);
                let _ = write!(VecFmt(buf), "\\u{b:04x}");
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        buf.extend_from_slice(&bytes[start..i]);
        buf.extend_from_slice(esc);
        start = i + 1;
    }
    buf.extend_from_slice(&bytes[start..]);
    buf.push(b'"');
}

/// Lets `write!` target a `Vec<u8>` without going through `io::Write`.
pub(crate) struct VecFmt<'a>(pub &'a mut Vec<u8>);

impl std::fmt::Write for VecFmt<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

pub(crate) fn push_u64(buf: &mut Vec<u8>, mut v: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    buf.extend_from_slice(&tmp[i..]);
}

pub(crate) fn push_i64(buf: &mut Vec<u8>, v: i64) {
    if v < 0 {
        buf.push(b'-');
    }
    push_u64(buf, v.unsigned_abs());
}

/// A JSON object being written. Nothing closes it implicitly: always call
/// `end()`.
pub(crate) struct Obj<'b> {
    buf: &'b mut Vec<u8>,
    first: bool,
}

impl<'b> Obj<'b> {
    pub(crate) fn new(buf: &'b mut Vec<u8>) -> Obj<'b> {
        buf.push(b'{');
        Obj { buf, first: true }
    }

    fn key(&mut self, k: &str) {
        if !self.first {
            self.buf.push(b',');
        }
        self.first = false;
        self.buf.push(b'"');
        self.buf.extend_from_slice(k.as_bytes());
        self.buf.extend_from_slice(b"\":");
    }

    pub(crate) fn str(&mut self, k: &str, v: &str) -> &mut Self {
        self.key(k);
        push_str(self.buf, v);
        self
    }

    /// A string field, or nothing when `v` is `None`.
    pub(crate) fn opt_str(&mut self, k: &str, v: Option<&str>) -> &mut Self {
        if let Some(v) = v {
            self.str(k, v);
        }
        self
    }

    pub(crate) fn num(&mut self, k: &str, v: i64) -> &mut Self {
        self.key(k);
        push_i64(self.buf, v);
        self
    }

    /// A float with up to `decimals` decimals (insight statistics).
    pub(crate) fn float(&mut self, k: &str, v: f64, decimals: usize) -> &mut Self {
        self.key(k);
        let _ = write!(VecFmt(self.buf), "{v:.decimals$}");
        self
    }

    pub(crate) fn bool(&mut self, k: &str, v: bool) -> &mut Self {
        self.key(k);
        self.buf
            .extend_from_slice(if v { b"true" } else { b"false" });
        self
    }

    pub(crate) fn null(&mut self, k: &str) -> &mut Self {
        self.key(k);
        self.buf.extend_from_slice(b"null");
        self
    }

    /// Writes already-serialised JSON as the value; empty means `null`.
    pub(crate) fn raw(&mut self, k: &str, json: &[u8]) -> &mut Self {
        self.key(k);
        if json.is_empty() {
            self.buf.extend_from_slice(b"null");
        } else {
            self.buf.extend_from_slice(json);
        }
        self
    }

    /// A `"YYYY-MM-DDTHH:MM:SSZ"` string.
    pub(crate) fn time(&mut self, k: &str, epoch: i64) -> &mut Self {
        self.key(k);
        self.buf.push(b'"');
        push_iso(self.buf, epoch);
        self.buf.push(b'"');
        self
    }

    /// `{}`.
    pub(crate) fn empty(&mut self, k: &str) -> &mut Self {
        self.key(k);
        self.buf.extend_from_slice(b"{}");
        self
    }

    pub(crate) fn obj(&mut self, k: &str) -> Obj<'_> {
        self.key(k);
        Obj::new(self.buf)
    }

    pub(crate) fn arr(&mut self, k: &str) -> Arr<'_> {
        self.key(k);
        Arr::new(self.buf)
    }

    /// `"k":["a","b"]`.
    pub(crate) fn str_list(&mut self, k: &str, items: &[&str]) -> &mut Self {
        let mut a = self.arr(k);
        for it in items {
            a.str(it);
        }
        a.end();
        self
    }

    /// Closes the object. Takes `&mut self` so it can end a call chain
    /// (`a.obj().str("k", "v").end()`); call it exactly once.
    pub(crate) fn end(&mut self) {
        self.buf.push(b'}');
    }
}

/// A JSON array being written; call `end()`.
pub(crate) struct Arr<'b> {
    buf: &'b mut Vec<u8>,
    first: bool,
}

impl<'b> Arr<'b> {
    pub(crate) fn new(buf: &'b mut Vec<u8>) -> Arr<'b> {
        buf.push(b'[');
        Arr { buf, first: true }
    }

    fn sep(&mut self) {
        if !self.first {
            self.buf.push(b',');
        }
        self.first = false;
    }

    pub(crate) fn str(&mut self, v: &str) -> &mut Self {
        self.sep();
        push_str(self.buf, v);
        self
    }

    pub(crate) fn obj(&mut self) -> Obj<'_> {
        self.sep();
        Obj::new(self.buf)
    }

    /// Closes the array; call it exactly once.
    pub(crate) fn end(&mut self) {
        self.buf.push(b']');
    }
}

/// Days since 1970-01-01 → (year, month, day), Howard Hinnant's algorithm.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Broken-down UTC time of an epoch second.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

pub(crate) fn civil(epoch: i64) -> Civil {
    let days = epoch.div_euclid(86_400);
    let secs = epoch.rem_euclid(86_400) as u32;
    let (year, month, day) = civil_from_days(days);
    Civil {
        year,
        month,
        day,
        hour: secs / 3600,
        minute: secs / 60 % 60,
        second: secs % 60,
    }
}

fn push2(buf: &mut Vec<u8>, v: u32) {
    buf.push(b'0' + (v / 10) as u8);
    buf.push(b'0' + (v % 10) as u8);
}

fn push4(buf: &mut Vec<u8>, v: i64) {
    let v = v.clamp(0, 9999) as u32;
    push2(buf, v / 100);
    push2(buf, v % 100);
}

/// `2025-12-01T09:12:33Z` (no quotes).
pub(crate) fn push_iso(buf: &mut Vec<u8>, epoch: i64) {
    let c = civil(epoch);
    push4(buf, c.year);
    buf.push(b'-');
    push2(buf, c.month);
    buf.push(b'-');
    push2(buf, c.day);
    buf.push(b'T');
    push2(buf, c.hour);
    buf.push(b':');
    push2(buf, c.minute);
    buf.push(b':');
    push2(buf, c.second);
    buf.push(b'Z');
}

pub(crate) fn iso(epoch: i64) -> String {
    let mut b = Vec::with_capacity(20);
    push_iso(&mut b, epoch);
    String::from_utf8(b).unwrap_or_default()
}

/// `2025-12-01T09:12:33.000+0000`, Lambda's `lastModified`.
pub(crate) fn lambda_time(epoch: i64) -> String {
    let mut s = iso(epoch);
    s.pop();
    s.push_str(".000+0000");
    s
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Java's medium date-time, as IAM and STS responses render it:
/// `Dec 1, 2025, 9:12:33 AM` (`comma` after the year) or
/// `Dec 1, 2025 9:12:33 AM`.
pub(crate) fn java_time(epoch: i64, comma: bool) -> String {
    let c = civil(epoch);
    let (h12, ampm) = match c.hour {
        0 => (12, "AM"),
        1..=11 => (c.hour, "AM"),
        12 => (12, "PM"),
        _ => (c.hour - 12, "PM"),
    };
    format!(
        "{} {}, {}{} {}:{:02}:{:02} {}",
        MONTHS[(c.month - 1) as usize],
        c.day,
        c.year,
        if comma { "," } else { "" },
        h12,
        c.minute,
        c.second,
        ampm
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_json_needs() {
        let mut b = Vec::new();
        push_str(&mut b, "a\"b\\c\nd\u{1}é");
        let s = String::from_utf8(b).unwrap();
        let back: String = serde_json::from_str(&s).unwrap();
        assert_eq!(back, "a\"b\\c\nd\u{1}é");
    }

    #[test]
    fn builder_nests() {
        let mut b = Vec::new();
        let mut o = Obj::new(&mut b);
        o.str("a", "x").num("n", -3).bool("t", true).null("z");
        {
            let mut arr = o.arr("items");
            arr.obj().str("k", "v").end();
            arr.str("s");
            arr.end();
        }
        o.empty("e").time("when", 0).float("f", 1.5, 2);
        o.end();
        let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
        assert_eq!(v["items"][0]["k"], "v");
        assert_eq!(v["when"], "1970-01-01T00:00:00Z");
        assert_eq!(v["f"], 1.5);
    }

    #[test]
    fn times_match_chrono() {
        use chrono::{TimeZone, Utc};
        for epoch in [
            0i64,
            951_782_400,
            1_764_547_200,
            1_764_633_599,
            4_102_444_800,
        ] {
            let dt = Utc.timestamp_opt(epoch, 0).unwrap();
            assert_eq!(iso(epoch), dt.format("%Y-%m-%dT%H:%M:%SZ").to_string());
        }
        assert_eq!(java_time(1_764_580_353, true), "Dec 1, 2025, 9:12:33 AM");
        assert_eq!(java_time(1_764_623_553, false), "Dec 1, 2025 9:12:33 PM");
    }
}
