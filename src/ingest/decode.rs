//! Reads an input file into memory, inflating gzip when the bytes say so.
//!
//! Detection is by magic number, not file name. A damaged gzip stream keeps
//! what was inflated before the damage and reports the damage, so the records
//! before it are still ingested. Output is capped so a gzip bomb or a huge
//! file is refused with a message instead of exhausting memory.

use flate2::read::MultiGzDecoder;
use std::io::Read;

/// The largest decompressed file accepted.
pub const MAX_DECODED: u64 = 4 << 30;

pub struct Decoded {
    pub gzip: bool,
    /// Damage met while inflating, after `bytes` ends.
    pub trailing_error: Option<String>,
}

pub fn is_gzip(raw: &[u8]) -> bool {
    raw.starts_with(&[0x1f, 0x8b])
}

/// Inflates `raw` into `out` (cleared first) when it is gzip; otherwise
/// copies nothing and returns `gzip: false` (the caller reads `raw` as is).
pub fn decode_into(raw: &[u8], out: &mut Vec<u8>, limit: u64) -> Decoded {
    out.clear();
    if !is_gzip(raw) {
        return Decoded {
            gzip: false,
            trailing_error: None,
        };
    }
    // The gzip trailer holds the size of the last member mod 2^32: a good
    // first reservation for the usual single-member file.
    if let Some(t) = raw.len().checked_sub(4).and_then(|at| raw.get(at..)) {
        let isize = u32::from_le_bytes([t[0], t[1], t[2], t[3]]) as u64;
        out.reserve(isize.min(limit) as usize + 1);
    }
    let mut dec = MultiGzDecoder::new(raw).take(limit + 1);
    // read_to_end keeps what was inflated before an error.
    let trailing_error = loop {
        match dec.read_to_end(out) {
            Ok(_) if out.len() as u64 > limit => {
                out.truncate(limit as usize);
                break Some(format!(
                    "decompressed size exceeds the {} MiB limit",
                    limit >> 20
                ));
            }
            Ok(_) => break None,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                break Some(match e.kind() {
                    std::io::ErrorKind::UnexpectedEof => {
                        format!(
                            "gzip stream truncated after {} decompressed bytes",
                            out.len()
                        )
                    }
                    _ => format!(
                        "gzip stream corrupt after {} decompressed bytes: {e}",
                        out.len()
                    ),
                });
            }
        }
    };
    Decoded {
        gzip: true,
        trailing_error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn inflates_and_concatenated_members() {
        let mut raw = gz(b"hello ");
        raw.extend(gz(b"world"));
        let mut out = Vec::new();
        let d = decode_into(&raw, &mut out, MAX_DECODED);
        assert!(d.gzip && d.trailing_error.is_none());
        assert_eq!(out, b"hello world");
    }

    #[test]
    fn truncated_keeps_prefix() {
        let data: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let raw = gz(&data);
        let cut = &raw[..raw.len() / 2];
        let mut out = Vec::new();
        let d = decode_into(cut, &mut out, MAX_DECODED);
        let e = d.trailing_error.unwrap();
        assert!(e.contains("truncated") || e.contains("corrupt"), "{e}");
        assert!(!out.is_empty());
        assert_eq!(&data[..out.len()], &out[..]);
    }

    #[test]
    fn limit_is_enforced() {
        let raw = gz(&vec![b'a'; 10_000]);
        let mut out = Vec::new();
        let d = decode_into(&raw, &mut out, 1000);
        assert!(d.trailing_error.unwrap().contains("limit"));
        assert_eq!(out.len(), 1000);
    }

    #[test]
    fn plain_bytes_are_not_touched() {
        let mut out = vec![1, 2];
        let d = decode_into(b"{}", &mut out, MAX_DECODED);
        assert!(!d.gzip && out.is_empty());
    }
}
