//! Deterministic mutations of the real-format test fixtures, for the fuzz
//! harness (`tests/fuzz.rs`, issue 23). Stable Rust, no fuzzing engine:
//! case `n` of seed `s` is a pure function of `(s, n)` and the fixture
//! files, so any case is made again alone from its number.
//!
//! A case starts from one fixture file (the *seed*; formats are drawn in
//! turn, so every format gets the same number of cases), decompresses it
//! when it is gzip, applies one to three content mutations (`Op`: bit and
//! byte flips, truncation, splices across formats, repeated and deleted
//! lines, deep nesting, huge strings, wrong JSON types, missing and
//! repeated members, NUL, invalid UTF-8, bad escapes, hostile text) and
//! writes the result plain or gzip-wrapped (`Encoding`: one member,
//! several, truncated, trailing junk, a flipped compressed byte, gzip of
//! gzip, a bomb). The case keeps the seed's relative path, since some
//! readers look at the path (an S3 key's day, a transcript's home folder).
//!
//! `Profile` sets what is expensive: the huge string sizes, the nesting
//! depth, the bomb size. `Profile::ci()` stays under the default size
//! limits; `Profile::long()` goes over each of them.

mod gzip;
mod ops;
mod text;

pub use gzip::{Encoding, gunzip, gzip, is_gzip};
pub use ops::Op;

use crate::rng::{Rng, mix};
use std::path::Path;

/// One fixture file the cases start from.
#[derive(Clone, Debug)]
pub struct Seed {
    /// The format it stands for (`cloudtrail`, `transcript:codex`, …).
    pub format: String,
    /// Its path under the fixtures folder, `/`-separated.
    pub rel_path: String,
    /// Its content, decompressed when it was gzip.
    pub bytes: Vec<u8>,
    pub was_gzip: bool,
}

/// What is expensive to generate and to read.
#[derive(Clone, Debug)]
pub struct Profile {
    /// Sizes a `HugeString` draws from.
    pub huge_string_sizes: Vec<usize>,
    /// Levels of `DeepNesting`.
    pub deep: usize,
    /// Bytes of white space a gzip bomb inflates to; 0: no bombs.
    pub gzip_bomb_bytes: usize,
}

impl Profile {
    /// For CI: huge strings under the default `max_field_bytes` (256 KiB),
    /// 10^5 levels of nesting, no bombs.
    pub fn ci() -> Profile {
        Profile {
            huge_string_sizes: vec![40 << 10, 200 << 10],
            deep: 100_000,
            gzip_bomb_bytes: 0,
        }
    }

    /// For long runs by hand: strings over the field limit (300 KiB), the
    /// record limit (1.5 MiB) and at 5 MiB, a rare bomb past
    /// `max_file_bytes` (136 MiB inflated).
    pub fn long() -> Profile {
        Profile {
            huge_string_sizes: vec![40 << 10, 200 << 10, 300 << 10, 3 << 19, 5 << 20],
            deep: 100_000,
            gzip_bomb_bytes: 136 << 20,
        }
    }
}

/// One generated input file.
#[derive(Clone, Debug)]
pub struct Case {
    /// The case's number under its seed.
    pub n: u64,
    pub format: String,
    /// The seed's relative path (the case is written under the same one).
    pub rel_path: String,
    pub bytes: Vec<u8>,
    /// What was done, in order, ending with the encoding.
    pub steps: Vec<String>,
}

/// Makes cases from the seeds.
pub struct Mutator {
    seeds: Vec<Seed>,
    /// Distinct formats, sorted; case `n` starts from a seed of format
    /// `n % formats.len()`.
    formats: Vec<String>,
    seed: u64,
    profile: Profile,
}

impl Mutator {
    pub fn new(seeds: Vec<Seed>, seed: u64, profile: Profile) -> Mutator {
        let mut formats: Vec<String> = seeds.iter().map(|s| s.format.clone()).collect();
        formats.sort();
        formats.dedup();
        Mutator {
            seeds,
            formats,
            seed,
            profile,
        }
    }

    pub fn formats(&self) -> &[String] {
        &self.formats
    }

    pub fn seeds(&self) -> &[Seed] {
        &self.seeds
    }

    /// Case `n`: the same `(seed, n)` gives the same bytes.
    pub fn case(&self, n: u64) -> Case {
        let mut rng = Rng::new(mix(self.seed, n));
        let format = &self.formats[(n % self.formats.len() as u64) as usize];
        let of_format: Vec<&Seed> = self.seeds.iter().filter(|s| &s.format == format).collect();
        let seed = *rng.pick(&of_format);
        let count = match rng.below(10) {
            0..6 => 1,
            6..9 => 2,
            _ => 3,
        };
        let ops: Vec<Op> = (0..count).map(|_| Op::draw(&mut rng)).collect();
        let enc = gzip::draw(&mut rng, seed.was_gzip, self.profile.gzip_bomb_bytes);
        self.build(n, seed, &ops, enc, &mut rng)
    }

    /// A case with chosen mutations, for cases a test wants for certain
    /// (a string over a limit); `n` seeds the generator.
    pub fn chosen(&self, n: u64, rel_path: &str, ops: &[Op], enc: Encoding) -> Option<Case> {
        let seed = self.seeds.iter().find(|s| s.rel_path == rel_path)?;
        let mut rng = Rng::new(mix(self.seed ^ 0x5eed, n));
        Some(self.build(n, seed, ops, enc, &mut rng))
    }

    /// A case whose one mutation gives the first member named `key` a
    /// string of exactly `size` ASCII bytes (`None` without that seed or
    /// member).
    pub fn huge_field(&self, n: u64, rel_path: &str, key: &str, size: usize) -> Option<Case> {
        let seed = self.seeds.iter().find(|s| s.rel_path == rel_path)?;
        let mut bytes = seed.bytes.clone();
        let did = ops::huge_field(&mut bytes, key, size)?;
        Some(Case {
            n,
            format: seed.format.clone(),
            rel_path: seed.rel_path.clone(),
            bytes,
            steps: vec![format!("seed {}", seed.rel_path), did, "plain".into()],
        })
    }

    fn build(&self, n: u64, seed: &Seed, ops: &[Op], enc: Encoding, rng: &mut Rng) -> Case {
        let mut bytes = seed.bytes.clone();
        let mut steps = vec![format!("seed {}", seed.rel_path)];
        for op in ops {
            steps.push(ops::apply(*op, &mut bytes, rng, &self.seeds, &self.profile));
        }
        let (bytes, did) = gzip::encode(bytes, enc, rng, self.profile.gzip_bomb_bytes);
        steps.push(did);
        Case {
            n,
            format: seed.format.clone(),
            rel_path: seed.rel_path.clone(),
            bytes,
            steps,
        }
    }
}

/// The format a fixture stands for, from where it lies under
/// `tests/fixtures/`.
pub fn format_of(rel_path: &str) -> String {
    let parts: Vec<&str> = rel_path.split('/').collect();
    if rel_path.ends_with(".parquet") {
        return "ocsf-parquet".into();
    }
    if rel_path.contains("/.claude/projects/") {
        return "transcript:claude-code".into();
    }
    if rel_path.contains("AWSLogs/") {
        return "cloudtrail-s3".into();
    }
    match parts.first().copied() {
        Some("transcripts") if parts.len() > 2 => format!("transcript:{}", parts[1]),
        Some("cloudtrail") if parts.get(1) == Some(&"bad") => "cloudtrail-bad".into(),
        Some("cloudtrail") if parts.get(1) == Some(&"lenient") => "cloudtrail-lenient".into(),
        Some("cloudtrail") if rel_path.ends_with(".gz") => "cloudtrail-gzip".into(),
        Some("cloudtrail") => "cloudtrail".into(),
        Some("iam" | "privileges") => "iam".into(),
        Some("ocsf") => "ocsf-source".into(),
        Some(other) => other.to_string(),
        None => "other".into(),
    }
}

/// Files under the fixtures folder that are not inputs: the scripts that
/// made them, their notes, the expected counts.
fn is_input(rel_path: &str) -> bool {
    let name = rel_path.rsplit('/').next().unwrap_or(rel_path);
    !(name.ends_with(".py")
        || name == "README.md"
        || name == "SOURCES.md"
        || name == "expected.json"
        || name.ends_with(".csv"))
}

/// Every input file under `root` (the fixtures folder), sorted by path.
pub fn seeds(root: &Path) -> std::io::Result<Vec<Seed>> {
    let mut paths = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir)? {
            let e = e?;
            let t = e.file_type()?;
            if t.is_dir() {
                stack.push(e.path());
            } else if t.is_file() {
                paths.push(e.path());
            }
        }
    }
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        let rel = p
            .strip_prefix(root)
            .unwrap_or(&p)
            .to_string_lossy()
            .replace('\\', "/");
        if !is_input(&rel) {
            continue;
        }
        let raw = std::fs::read(&p)?;
        let was_gzip = is_gzip(&raw);
        let bytes = if was_gzip { gunzip(&raw) } else { raw };
        out.push(Seed {
            format: format_of(&rel),
            rel_path: rel,
            bytes,
            was_gzip,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
