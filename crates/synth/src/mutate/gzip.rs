//! How a mutated content is written: plain, or gzip in the ways real and
//! broken deliveries are: one member, several members (`cat a.gz b.gz`),
//! cut short, followed by junk, with a flipped compressed byte, gzip of
//! gzip, or a bomb that inflates past `ingest.max_file_bytes`.

use crate::rng::Rng;
use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use std::io::{Read, Write};

/// How the bytes of a case are encoded on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Plain,
    Gzip,
    /// The content split at 1–3 points, each part its own member.
    GzipMembers,
    /// The compressed bytes cut at a random point.
    GzipTruncated,
    /// Random bytes or NUL padding after the last member.
    GzipTrailingJunk,
    /// One compressed byte (header, deflate data or trailer) flipped.
    GzipFlipped,
    /// Gzip of the gzip.
    GzipTwice,
    /// The content followed by `Profile::gzip_bomb_bytes` of white space,
    /// compressed (a few hundred KiB on disk).
    GzipBomb,
}

/// True when `b` starts with the gzip magic number.
pub fn is_gzip(b: &[u8]) -> bool {
    b.len() >= 2 && b[0] == 0x1f && b[1] == 0x8b
}

/// Every member inflated; a damaged stream gives what inflated before the
/// damage (the seeds are intact, so this only matters for robustness).
pub fn gunzip(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = MultiGzDecoder::new(b).read_to_end(&mut out);
    out
}

/// One gzip member (header without a time stamp: the same bytes every run).
pub fn gzip(b: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(b).expect("writing to memory");
    e.finish().expect("writing to memory")
}

/// Encodes `content` as `enc`; says what it did.
pub(crate) fn encode(
    content: Vec<u8>,
    enc: Encoding,
    rng: &mut Rng,
    bomb_bytes: usize,
) -> (Vec<u8>, String) {
    match enc {
        Encoding::Plain => (content, "plain".into()),
        Encoding::Gzip => (gzip(&content), "gzip".into()),
        Encoding::GzipMembers => {
            let mut cuts: Vec<usize> = (0..1 + rng.below(3))
                .map(|_| rng.index(content.len() + 1))
                .collect();
            cuts.sort_unstable();
            let mut out = Vec::new();
            let mut from = 0;
            for &c in cuts.iter().chain(std::iter::once(&content.len())) {
                out.extend(gzip(&content[from..c]));
                from = c;
            }
            (out, format!("gzip members split at {cuts:?}"))
        }
        Encoding::GzipTruncated => {
            let mut z = gzip(&content);
            let at = rng.index(z.len());
            z.truncate(at);
            (z, format!("gzip cut at compressed byte {at}"))
        }
        Encoding::GzipTrailingJunk => {
            let mut z = gzip(&content);
            let n = 1 + rng.index(512);
            if rng.chance(0.5) {
                z.extend(std::iter::repeat_n(0u8, n));
                (z, format!("gzip then {n} NUL"))
            } else {
                z.extend((0..n).map(|_| rng.next_u64() as u8));
                (z, format!("gzip then {n} random bytes"))
            }
        }
        Encoding::GzipFlipped => {
            let mut z = gzip(&content);
            let at = rng.index(z.len());
            z[at] ^= 1 << rng.below(8);
            (
                z,
                format!("gzip with a bit flipped at compressed byte {at}"),
            )
        }
        Encoding::GzipTwice => (gzip(&gzip(&content)), "gzip of gzip".into()),
        Encoding::GzipBomb => {
            let mut e = GzEncoder::new(Vec::new(), Compression::best());
            e.write_all(&content).expect("writing to memory");
            let block = vec![b' '; 1 << 20];
            let mut left = bomb_bytes;
            while left > 0 {
                let n = left.min(block.len());
                e.write_all(&block[..n]).expect("writing to memory");
                left -= n;
            }
            let z = e.finish().expect("writing to memory");
            (z, format!("gzip bomb: content then {bomb_bytes} spaces"))
        }
    }
}

/// The encoding of a case: mostly what the seed was (gzip stays gzip),
/// sometimes another. A bomb only when the profile allows one.
pub(crate) fn draw(rng: &mut Rng, seed_was_gzip: bool, bomb_bytes: usize) -> Encoding {
    let gz = if seed_was_gzip {
        rng.chance(0.85)
    } else {
        rng.chance(0.15)
    };
    if !gz {
        return Encoding::Plain;
    }
    match rng.below(100) {
        0..40 => Encoding::Gzip,
        40..55 => Encoding::GzipMembers,
        55..70 => Encoding::GzipTruncated,
        70..80 => Encoding::GzipTrailingJunk,
        80..90 => Encoding::GzipFlipped,
        90..98 => Encoding::GzipTwice,
        _ if bomb_bytes > 0 => Encoding::GzipBomb,
        _ => Encoding::Gzip,
    }
}
