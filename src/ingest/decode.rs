//! Reads an input file into memory, inflating gzip when the bytes say so.
//!
//! Detection is by magic number, not file name. The usual file (one gzip
//! member, intact) is inflated in one call by libdeflate into a buffer sized
//! from the gzip trailer, with one decompressor per thread; anything else
//! (several members, damage, a trailer that lies) takes the streaming path
//! through flate2, which salvages what it can. A damaged gzip stream keeps
//! what was inflated before the damage and reports the damage, so the records
//! before it are still ingested. Output is capped so a gzip bomb or a huge
//! file is refused with a message instead of exhausting memory.

use flate2::read::MultiGzDecoder;
use std::io::Read;

/// The largest decompressed file accepted, unless told otherwise (tests;
/// ingest passes `Limits::max_file_bytes`).
pub const MAX_DECODED: u64 = 4 << 30;

pub struct Decoded {
    pub gzip: bool,
    /// Inflating stopped at the limit: the rest was not read.
    pub over_limit: bool,
    /// Damage met while inflating, after `bytes` ends.
    pub trailing_error: Option<String>,
}

/// What `read_capped` read.
pub struct ReadCapped {
    /// The file's size on disk.
    pub size: u64,
    /// xxh3-128 of the whole file.
    pub hash: u128,
}

/// Reads at most `limit` bytes of `path` into `raw` (cleared first). A
/// file longer than that is hashed to its end as it streams by, in pieces,
/// never held whole: memory stays bounded by the limit whatever the file.
pub fn read_capped(
    path: &std::path::Path,
    size_hint: u64,
    limit: u64,
    raw: &mut Vec<u8>,
) -> std::io::Result<ReadCapped> {
    read_head_or_capped(path, size_hint, limit, raw, |_| Head::Whole)
}

/// How much of a file `read_head_or_capped` reads before it asks whether
/// the head is all it needs.
pub const HEAD: u64 = 64 * 1024;

/// What `read_head_or_capped` reads of a file, given its head.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Head {
    /// All of it, up to the limit.
    Whole,
    /// The head, the rest hashed as it streams by (a database, which its
    /// reader reads from the file itself).
    HashRest,
    /// The head alone, the file known by its head and size (a database's
    /// write-ahead log beside it: its content is hashed with the database
    /// and read by the database's reader; a log grows, or is begun again
    /// with new random salts in its head, so a changed log never reads as
    /// the same).
    HeadAndSize,
}

/// [`read_capped`], except that `head` may say, of the first [`HEAD`]
/// bytes, to keep only those (`Head::HashRest`, `Head::HeadAndSize`).
pub fn read_head_or_capped(
    path: &std::path::Path,
    size_hint: u64,
    limit: u64,
    raw: &mut Vec<u8>,
    head: impl FnOnce(&[u8]) -> Head,
) -> std::io::Result<ReadCapped> {
    raw.clear();
    let mut file = std::fs::File::open(path)?;
    raw.reserve(size_hint.min(limit) as usize);
    let head_len = HEAD.min(limit);
    (&mut file).take(head_len).read_to_end(raw)?;
    // A file shorter than the head has been read to its end already.
    if raw.len() as u64 == head_len {
        match head(raw) {
            Head::Whole => {
                (&mut file).take(limit - head_len).read_to_end(raw)?;
            }
            Head::HashRest => {}
            Head::HeadAndSize => {
                let size = file.metadata()?.len();
                let mut hasher = xxhash_rust::xxh3::Xxh3::new();
                hasher.update(raw);
                hasher.update(&size.to_le_bytes());
                return Ok(ReadCapped {
                    size,
                    hash: hasher.digest128(),
                });
            }
        }
    }
    let mut piece = Vec::new();
    let first = (&mut file).take(1 << 20).read_to_end(&mut piece)?;
    if first == 0 {
        return Ok(ReadCapped {
            size: raw.len() as u64,
            hash: xxhash_rust::xxh3::xxh3_128(raw),
        });
    }
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(raw);
    let mut size = raw.len() as u64;
    loop {
        hasher.update(&piece);
        size += piece.len() as u64;
        piece.clear();
        if (&mut file).take(1 << 20).read_to_end(&mut piece)? == 0 {
            break;
        }
    }
    Ok(ReadCapped {
        size,
        hash: hasher.digest128(),
    })
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
            over_limit: false,
            trailing_error: None,
        };
    }
    // The gzip trailer holds the size of the last member mod 2^32: a good
    // first reservation for the usual single-member file.
    if let Some(t) = raw.len().checked_sub(4).and_then(|at| raw.get(at..)) {
        let isize = u32::from_le_bytes([t[0], t[1], t[2], t[3]]) as u64;
        out.reserve(isize.min(limit) as usize + 1);
        // Deflate expands at most 1032:1; a trailer claiming more lies.
        if isize <= limit
            && isize <= raw.len() as u64 * 1032
            && LIBDEFLATE.with_borrow_mut(|d| d.inflate_whole(raw, out))
        {
            return Decoded {
                gzip: true,
                over_limit: false,
                trailing_error: None,
            };
        }
        out.clear();
    }
    let mut dec = MultiGzDecoder::new(raw).take(limit + 1);
    let mut over_limit = false;
    // read_to_end keeps what was inflated before an error.
    let trailing_error = loop {
        match dec.read_to_end(out) {
            Ok(_) if out.len() as u64 > limit => {
                out.truncate(limit as usize);
                over_limit = true;
                break Some(format!(
                    "decompressed size is over the {} limit (ingest.max_file_bytes); the rest is not read",
                    crate::ingest::limits::human_bytes(limit)
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
        over_limit,
        trailing_error,
    }
}

thread_local! {
    static LIBDEFLATE: std::cell::RefCell<Inflater> = std::cell::RefCell::new(Inflater::new());
}

/// A libdeflate decompressor, kept by one thread for the whole run.
struct Inflater(*mut libdeflate_sys::libdeflate_decompressor);

impl Inflater {
    fn new() -> Inflater {
        // SAFETY: allocates a decompressor; null (out of memory) is checked
        // before every use.
        Inflater(unsafe { libdeflate_sys::libdeflate_alloc_decompressor() })
    }

    /// Inflates `raw` into `out`'s spare capacity when it is exactly one
    /// intact gzip member that fits; false (and `out` untouched in length)
    /// otherwise.
    fn inflate_whole(&mut self, raw: &[u8], out: &mut Vec<u8>) -> bool {
        if self.0.is_null() {
            return false;
        }
        let spare = out.spare_capacity_mut();
        let (mut used_in, mut used_out) = (0usize, 0usize);
        // SAFETY: the decompressor is valid and used by this thread only;
        // libdeflate reads `raw` and writes at most `spare.len()` bytes into
        // `spare`, reporting how many in `used_out`.
        let result = unsafe {
            libdeflate_sys::libdeflate_gzip_decompress_ex(
                self.0,
                raw.as_ptr().cast(),
                raw.len(),
                spare.as_mut_ptr().cast(),
                spare.len(),
                &mut used_in,
                &mut used_out,
            )
        };
        if result != libdeflate_sys::libdeflate_result_LIBDEFLATE_SUCCESS || used_in != raw.len() {
            return false;
        }
        // SAFETY: libdeflate initialised the first `used_out` spare bytes.
        unsafe { out.set_len(out.len() + used_out) };
        true
    }
}

impl Drop for Inflater {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: allocated by libdeflate_alloc_decompressor, freed once.
            unsafe { libdeflate_sys::libdeflate_free_decompressor(self.0) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;

    /// A database's log is known by its head and size, never read past the
    /// head; a database's rest is hashed; other files are read whole.
    #[test]
    fn a_log_is_known_by_head_and_size_a_database_by_all_its_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db-wal");
        let mut bytes = vec![7u8; HEAD as usize * 3];
        std::fs::write(&path, &bytes).unwrap();
        let read = |how: Head| {
            let mut raw = Vec::new();
            let r = read_head_or_capped(&path, 0, u64::MAX, &mut raw, |_| how).unwrap();
            (r.size, r.hash, raw.len())
        };
        let (size, first, kept) = read(Head::HeadAndSize);
        assert_eq!((size, kept), (bytes.len() as u64, HEAD as usize));
        let whole = read(Head::HashRest);
        assert_eq!(whole.2, HEAD as usize);
        assert_eq!(whole.1, xxhash_rust::xxh3::xxh3_128(&bytes));
        assert_eq!(read(Head::Whole).2, bytes.len());
        // Past the head, bytes changed in place: the same log to us, not
        // the same database.
        bytes[HEAD as usize * 2] = 8;
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(read(Head::HeadAndSize).1, first);
        assert_ne!(read(Head::HashRest).1, whole.1);
        // Grown, or begun again (a new head): another log.
        bytes.push(0);
        std::fs::write(&path, &bytes).unwrap();
        assert_ne!(read(Head::HeadAndSize).1, first);
        bytes.pop();
        bytes[0] = 1;
        std::fs::write(&path, &bytes).unwrap();
        assert_ne!(read(Head::HeadAndSize).1, first);
    }

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn every_member_is_inflated() {
        // The second pair: the trailer's size matches the first member too,
        // so the one-call path must notice the second member and hand over.
        for (a, b) in [(&b"hello "[..], &b"world"[..]), (b"hello", b"world")] {
            let mut raw = gz(a);
            raw.extend(gz(b));
            let mut out = Vec::new();
            let d = decode_into(&raw, &mut out, MAX_DECODED);
            assert!(d.gzip && d.trailing_error.is_none());
            assert_eq!(out, [a, b].concat());
        }
    }

    #[test]
    fn a_lying_trailer_still_inflates() {
        let data = vec![b'x'; 50_000];
        let mut raw = gz(&data);
        let n = raw.len();
        raw[n - 4..].copy_from_slice(&7u32.to_le_bytes());
        let mut out = Vec::new();
        let d = decode_into(&raw, &mut out, MAX_DECODED);
        assert_eq!(out, data);
        assert!(d.trailing_error.is_some(), "the size check fails");
    }

    #[test]
    fn one_member_takes_the_one_call_path() {
        let data: Vec<u8> = (0..100_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let raw = gz(&data);
        let mut out = Vec::new();
        assert!(LIBDEFLATE.with_borrow_mut(|d| {
            out.reserve(data.len());
            d.inflate_whole(&raw, &mut out)
        }));
        assert_eq!(out, data);
        let mut cut = Vec::with_capacity(data.len());
        assert!(!LIBDEFLATE.with_borrow_mut(|d| d.inflate_whole(&raw[..raw.len() - 9], &mut cut)));
        assert!(cut.is_empty());
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
        assert!(d.over_limit);
        assert!(d.trailing_error.unwrap().contains("1000 bytes limit"));
        assert_eq!(out.len(), 1000);
    }

    #[test]
    fn a_file_past_the_limit_is_read_to_it_and_hashed_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let mut raw = Vec::new();
        let r = read_capped(&path, 0, 1000, &mut raw).unwrap();
        assert_eq!((r.size, raw.len()), (3_000_000, 1000));
        assert_eq!(r.hash, xxhash_rust::xxh3::xxh3_128(&data));
        let r = read_capped(&path, 0, 1 << 30, &mut raw).unwrap();
        assert_eq!(raw, data);
        assert_eq!(r.hash, xxhash_rust::xxh3::xxh3_128(&data));
    }

    #[test]
    fn plain_bytes_are_not_touched() {
        let mut out = vec![1, 2];
        let d = decode_into(b"{}", &mut out, MAX_DECODED);
        assert!(!d.gzip && out.is_empty());
    }
}
