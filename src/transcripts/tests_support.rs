//! Helpers for the readers' tests: where the fixtures live and how to parse
//! one with the invariants checked.

use std::path::{Path, PathBuf};

use super::{ParsedTranscript, ToolCall, TranscriptFormat, TranscriptOptions, parse};

/// `tests/fixtures/transcripts` of the crate being tested.
pub(crate) fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/transcripts")
}

pub(crate) fn fixture(rel: &str) -> PathBuf {
    fixtures_root().join(rel)
}

pub(crate) fn parse_fixture_with(
    format: TranscriptFormat,
    rel: &str,
    opts: &TranscriptOptions,
) -> ParsedTranscript {
    let path = fixture(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let p = parse(format, &path, &bytes, opts);
    assert!(p.counts.reconciles(), "{rel}: {:?}", p.counts);
    p
}

pub(crate) fn parse_fixture(format: TranscriptFormat, rel: &str) -> ParsedTranscript {
    parse_fixture_with(format, rel, &TranscriptOptions::default())
}

/// The call with this id, or a panic listing the calls there are.
pub fn call<'a>(p: &'a ParsedTranscript, id: &str) -> &'a ToolCall {
    p.tool_calls
        .iter()
        .find(|c| c.call_id == id)
        .unwrap_or_else(|| panic!("no call {id}: {:?}", p.tool_calls))
}

/// Builds a database from a fixture SQL script (relative to
/// `tests/fixtures/transcripts`) as an agent leaves it, WAL and all.
pub(crate) fn build_database(script: &str, db: &Path) {
    trailblame_synth::agent_db::build_database(&fixture(script), db);
}

/// Parses a database built by [`build_database`], checking the invariants.
pub(crate) fn parse_database(format: TranscriptFormat, db: &Path) -> ParsedTranscript {
    let bytes = std::fs::read(db).unwrap();
    let p = parse(format, db, &bytes, &TranscriptOptions::default());
    assert!(p.counts.reconciles(), "{}: {:?}", db.display(), p.counts);
    assert_eq!(p.counts.quarantined, p.quarantined.len() as u64);
    p
}

/// Each text, then every one-byte deletion of it and every replacement of
/// one byte by a character that matters to JSON (quote, backslash,
/// brackets, comma, digit, exponent, a control character, invalid UTF-8):
/// the inputs on which a scanner is compared with serde.
pub(crate) fn one_byte_edits(texts: &[&str]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for text in texts {
        let b = text.as_bytes();
        out.push(b.to_vec());
        for i in 0..b.len() {
            let mut cut = b.to_vec();
            cut.remove(i);
            out.push(cut);
            for c in [b'"', b'\\', b'{', b'}', b'[', b',', b'1', b'e', 0x01, 0xff] {
                let mut t = b.to_vec();
                t[i] = c;
                out.push(t);
            }
        }
    }
    out
}

/// A scanner against serde, each reading shown as text: the scanner reads
/// every one of `samples` (the shapes the tools write); then, on the
/// samples' `one_byte_edits` and on `odd` (what serde refuses and a
/// scanner could miss), wherever `scan` answers, `serde` answers the same.
/// The scanner must read at least a quarter of them.
pub(crate) fn scanner_matches_serde(
    samples: &[&str],
    odd: &[&str],
    scan: impl Fn(&str) -> Option<String>,
    serde: impl Fn(&str) -> Option<String>,
) {
    for sample in samples {
        assert!(scan(sample).is_some(), "the scanner should read {sample}");
    }
    let mut texts = one_byte_edits(samples);
    texts.extend(odd.iter().map(|t| t.as_bytes().to_vec()));
    let mut scanned = 0;
    for t in &texts {
        let Ok(text) = std::str::from_utf8(t) else {
            continue;
        };
        if let Some(read) = scan(text) {
            scanned += 1;
            let by_serde = serde(text)
                .unwrap_or_else(|| panic!("serde declines what the scanner read: {text}"));
            assert_eq!(read, by_serde, "{text}");
        }
    }
    assert!(scanned > texts.len() / 4, "{scanned} of {}", texts.len());
}
