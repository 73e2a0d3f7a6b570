//! Gzip files on disk, with the byte counts and content hash the statistics
//! and the digest files need.
//!
//! The hash stands in for the SHA-256 CloudTrail puts in digests: the crate
//! has no SHA-256 dependency, so `hash_hex` widens an xxh3-128 of the
//! compressed bytes to 64 hex digits. It has the right shape and is stable,
//! but it will not verify against the file with real SHA-256.

use anyhow::{Context, Result};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use xxhash_rust::xxh3::Xxh3;

use crate::rng::{Rng, mix};

/// Counts and hashes what passes through to the file.
struct Tally<W: Write> {
    inner: W,
    bytes: u64,
    hasher: Xxh3,
}

impl<W: Write> Write for Tally<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// What writing one file produced.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Written {
    pub uncompressed: u64,
    pub compressed: u64,
    /// xxh3-128 of the compressed bytes.
    pub hash: u128,
}

/// A gzip file being written (flate2's default level, header without a
/// timestamp so output is byte-identical across runs).
pub(crate) struct GzFile {
    enc: GzEncoder<Tally<BufWriter<File>>>,
    uncompressed: u64,
    path: std::path::PathBuf,
}

impl GzFile {
    pub(crate) fn create(path: &Path) -> Result<GzFile> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating directory {}", dir.display()))?;
        }
        let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
        let tally = Tally {
            inner: BufWriter::with_capacity(256 * 1024, file),
            bytes: 0,
            hasher: Xxh3::new(),
        };
        Ok(GzFile {
            enc: GzEncoder::new(tally, Compression::default()),
            uncompressed: 0,
            path: path.to_path_buf(),
        })
    }

    pub(crate) fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.uncompressed += bytes.len() as u64;
        self.enc
            .write_all(bytes)
            .with_context(|| format!("writing {}", self.path.display()))
    }

    pub(crate) fn finish(self) -> Result<Written> {
        let path = self.path;
        let mut tally = self
            .enc
            .finish()
            .with_context(|| format!("finishing {}", path.display()))?;
        tally
            .flush()
            .with_context(|| format!("flushing {}", path.display()))?;
        Ok(Written {
            uncompressed: self.uncompressed,
            compressed: tally.bytes,
            hash: tally.hasher.digest128(),
        })
    }
}

/// 64 lowercase hex digits derived from a 128-bit hash (SHA-256-shaped).
pub(crate) fn hash_hex(h: u128) -> String {
    let hi = (h >> 64) as u64;
    let lo = h as u64;
    format!("{hi:016x}{lo:016x}{:016x}{:016x}", mix(hi, 1), mix(lo, 2))
}

/// A 2048-bit RSA signature's worth of hex, derived from a hash.
pub(crate) fn signature_hex(h: u128) -> String {
    let mut rng = Rng::new(mix((h >> 64) as u64, h as u64));
    rng.hex(512)
}
