//! Which input files the store holds, by content hash: what lets a later
//! run skip a file it already ingested (and an S3 object by key, ETag and
//! size without fetching it).
//!
//! One record per file ever ingested grows with the store, so it is not
//! kept in the manifest (which every command reads and every run rewrites):
//! each run that ingests files adds one JSON-lines file under `_files/`
//! (`files-RRRRRR-WWWWWWWW.jsonl`, run and writer id) and the manifest
//! lists it in `file_lists`. A run writes only its own list, staged and
//! committed with its parts; lists are read only by a run that needs to
//! know what was ingested (ingest, `store merge`). When more than
//! `MAX_LISTS` pile up, the committing run writes them as one and drops
//! the rest, so a store of many hourly runs does not read thousands of
//! files. A store of format 4 kept the records in the manifest's `files`;
//! they are read from there and moved into a list by the next commit.

use super::manifest::{FileEntry, Manifest};
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// The store folder of the file lists.
pub const FILES_DIR: &str = "_files";
/// Lists kept before a commit writes them as one.
pub const MAX_LISTS: usize = 32;

/// Content hash (hex) → the first file ingested with that content.
pub type FileIndex = BTreeMap<String, FileEntry>;

/// One line of a list.
#[derive(Deserialize)]
struct Line {
    hash: String,
    #[serde(flatten)]
    entry: FileEntry,
}

/// Every file the store at `root` records: the manifest's own `files`
/// (format 4), then each list in order; the first record of a hash wins.
pub fn load(root: &Path, manifest: &Manifest) -> Result<FileIndex> {
    let mut index = manifest.files.clone();
    for rel in &manifest.file_lists {
        read_into(&root.join(rel), &mut index)?;
    }
    Ok(index)
}

/// Content hashes as numbers (a list writes each as 32 hex digits): each
/// list's sorted index as read, and the hashes found otherwise.
#[derive(Default, Debug)]
pub struct Hashes {
    sorted: Vec<Vec<u128>>,
    loose: polars::prelude::PlHashSet<u128>,
}

impl Hashes {
    pub fn contains(&self, hash: &u128) -> bool {
        self.loose.contains(hash) || self.sorted.iter().any(|s| s.binary_search(hash).is_ok())
    }

    pub fn insert(&mut self, hash: u128) {
        self.loose.insert(hash);
    }

    /// Every hash, sorted, once.
    #[cfg(test)]
    fn all(&self) -> Vec<u128> {
        let mut all: Vec<u128> = self
            .sorted
            .iter()
            .flatten()
            .chain(&self.loose)
            .copied()
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}

impl FromIterator<u128> for Hashes {
    fn from_iter<I: IntoIterator<Item = u128>>(it: I) -> Hashes {
        Hashes {
            sorted: Vec::new(),
            loose: it.into_iter().collect(),
        }
    }
}

/// The hash index beside a list (`files-….jsonl` → `files-….hashes`): its
/// hashes sorted, 16 bytes each, little-endian. A run reads it instead of
/// the list, and needs only a lookup per file; a list without one (written
/// before it existed) is read line by line.
pub fn index_of(list: &Path) -> std::path::PathBuf {
    list.with_extension("hashes")
}

/// Reads a list's hash index; `None` when there is none or it is not a
/// whole number of hashes.
fn read_index(list: &Path) -> Option<Vec<u128>> {
    let bytes = std::fs::read(index_of(list)).ok()?;
    if bytes.len() % 16 != 0 {
        return None;
    }
    let hashes: Vec<u128> = bytes
        .chunks_exact(16)
        .map(|b| u128::from_le_bytes(b.try_into().unwrap_or_default()))
        .collect();
    hashes.is_sorted().then_some(hashes)
}

/// A list's hash as a number: 32 lowercase hex digits, as ingest writes
/// them and as `event_key` writes keys. `None` for any other text, which no
/// file read now can have.
pub fn parse_hash(hash: &str) -> Option<u128> {
    crate::schema::event_key::parse(hash)
}

/// The content hashes of every file the store at `root` records: what a
/// run of local files needs. Each list's hash index is read whole (16 bytes
/// a file); a list without one is read line by line, the hash taken from
/// the front of each line without the rest of the record.
pub fn load_hashes(root: &Path, manifest: &Manifest) -> Result<Hashes> {
    use std::io::BufRead;
    let mut hashes: Hashes = manifest
        .files
        .keys()
        .filter_map(|h| parse_hash(h))
        .collect();
    let mut line: Vec<u8> = Vec::new();
    for rel in &manifest.file_lists {
        let path = root.join(rel);
        if let Some(index) = read_index(&path) {
            hashes.sorted.push(index);
            continue;
        }
        let file =
            std::fs::File::open(&path).with_context(|| format!("reading {}", path.display()))?;
        let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
        for i in 1.. {
            line.clear();
            if reader
                .read_until(b'\n', &mut line)
                .with_context(|| format!("reading {}", path.display()))?
                == 0
            {
                break;
            }
            // `ListWriter` writes the hash first; any other layout is read
            // whole.
            const FRONT: &[u8] = b"{\"hash\":\"";
            let quick = line
                .strip_prefix(FRONT)
                .and_then(|rest| rest.get(..33))
                .filter(|h| h[32] == b'"')
                .and_then(|h| std::str::from_utf8(&h[..32]).ok())
                .and_then(parse_hash);
            if let Some(hash) = quick {
                hashes.insert(hash);
                continue;
            }
            let text = String::from_utf8_lossy(&line);
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            let Line { hash, .. } = serde_json::from_str(text)
                .with_context(|| format!("{}: line {i}: not a file record", path.display()))?;
            if let Some(h) = parse_hash(&hash) {
                hashes.insert(h);
            }
        }
    }
    Ok(hashes)
}

/// Adds the records of the list at `path` that `index` does not have.
pub fn read_into(path: &Path, index: &mut FileIndex) -> Result<()> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let Line { hash, entry } = serde_json::from_str(line)
            .with_context(|| format!("{}: line {}: not a file record", path.display(), i + 1))?;
        index.entry(hash).or_insert(entry);
    }
    Ok(())
}

/// A list being written, one line per `add`, flushed to disk by `finish`
/// with its hash index.
pub struct ListWriter {
    path: std::path::PathBuf,
    name: String,
    out: std::io::BufWriter<std::fs::File>,
    hashes: Vec<u128>,
}

impl ListWriter {
    /// Starts the list `name` in `dir` (created if missing).
    pub fn create(dir: &Path, name: &str) -> Result<ListWriter> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let path = dir.join(name);
        let file =
            std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(ListWriter {
            path,
            name: name.to_string(),
            out: std::io::BufWriter::new(file),
            hashes: Vec::new(),
        })
    }

    pub fn add(&mut self, hash: &str, entry: &FileEntry) -> Result<()> {
        self.hashes.extend(parse_hash(hash));
        let line = LineRef { hash, entry };
        serde_json::to_writer(&mut self.out, &line)
            .map_err(anyhow::Error::from)
            .and_then(|()| Ok(self.out.write_all(b"\n")?))
            .with_context(|| format!("writing {}", self.path.display()))
    }

    /// Flushes the list and writes its hash index (`index_of`); returns the
    /// list's path and name.
    pub fn finish(self) -> Result<(std::path::PathBuf, String)> {
        let path = self.path;
        self.out
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(|f| f.sync_all())
            .with_context(|| format!("writing {}", path.display()))?;
        let mut hashes = self.hashes;
        hashes.sort_unstable();
        hashes.dedup();
        let bytes: Vec<u8> = hashes.iter().flat_map(|h| h.to_le_bytes()).collect();
        let index = index_of(&path);
        std::fs::File::create(&index)
            .and_then(|mut f| {
                f.write_all(&bytes)?;
                f.sync_all()
            })
            .with_context(|| format!("writing {}", index.display()))?;
        Ok((path, self.name))
    }
}

/// `Line`, borrowed, for writing.
#[derive(Serialize)]
struct LineRef<'a> {
    hash: &'a str,
    #[serde(flatten)]
    entry: &'a FileEntry,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, run: u64) -> FileEntry {
        FileEntry {
            path: path.into(),
            size: 3,
            kind: "cloudtrail".into(),
            run,
            etag: (run == 2).then(|| "\"e\"".into()),
        }
    }

    #[test]
    fn lists_read_back_in_order_and_the_first_record_of_a_hash_wins() {
        let dir = tempfile::tempdir().unwrap();
        let a: FileIndex = [("h1".into(), entry("a", 1))].into();
        let b: FileIndex = [("h1".into(), entry("b", 2)), ("h2".into(), entry("c", 2))].into();
        for (name, records) in [("a.jsonl", &a), ("b.jsonl", &b)] {
            let mut list = ListWriter::create(dir.path(), name).unwrap();
            for (hash, entry) in records {
                list.add(hash, entry).unwrap();
            }
            list.finish().unwrap();
        }
        let manifest = Manifest {
            files: [("h0".into(), entry("old", 1))].into(),
            file_lists: vec!["a.jsonl".into(), "b.jsonl".into()],
            ..Default::default()
        };
        let index = load(dir.path(), &manifest).unwrap();
        let paths: Vec<(&str, &str)> = index
            .iter()
            .map(|(h, e)| (h.as_str(), e.path.as_str()))
            .collect();
        assert_eq!(paths, [("h0", "old"), ("h1", "a"), ("h2", "c")]);
        assert_eq!(index["h2"].etag.as_deref(), Some("\"e\""));
    }

    #[test]
    fn hashes_alone_are_those_of_the_whole_records() {
        let dir = tempfile::tempdir().unwrap();
        let h = |n: u128| format!("{n:032x}");
        let mut list = ListWriter::create(dir.path(), "a.jsonl").unwrap();
        list.add(&h(0x0a1b), &entry("a", 1)).unwrap();
        list.add(&h(u128::MAX - 1), &entry("b\"c", 2)).unwrap();
        list.finish().unwrap();
        // A line another writer laid out differently is read whole.
        std::fs::write(
            dir.path().join("b.jsonl"),
            format!(
                "{{\"path\":\"p\",\"hash\":\"{}\",\"size\":1,\"kind\":\"k\",\"run\":1}}\n\n",
                h(77)
            ),
        )
        .unwrap();
        let manifest = Manifest {
            files: [
                (h(5), entry("old", 1)),
                ("not-a-hash".into(), entry("x", 1)),
            ]
            .into(),
            file_lists: vec!["a.jsonl".into(), "b.jsonl".into()],
            ..Default::default()
        };
        let mut whole: Vec<u128> = load(dir.path(), &manifest)
            .unwrap()
            .into_keys()
            .filter_map(|k| parse_hash(&k))
            .collect();
        whole.sort_unstable();
        let quick = load_hashes(dir.path(), &manifest).unwrap();
        assert_eq!(quick.all(), whole);
        assert_eq!(quick.all(), [5, 77, 0x0a1b, u128::MAX - 1]);
        for h in [5, 77, 0x0a1b, u128::MAX - 1] {
            assert!(quick.contains(&h), "{h:x}");
        }
        assert!(!quick.contains(&6));
        assert_eq!(
            parse_hash(&"0af1".repeat(8)),
            Some(0x0af1_0af1_0af1_0af1_0af1_0af1_0af1_0af1)
        );
        assert_eq!(parse_hash(&"g".repeat(32)), None);
        assert_eq!(parse_hash("0a1b"), None);
        // `a.jsonl` has a hash index and is not read; `b.jsonl`, written by
        // hand, has none and is.
        assert!(index_of(&dir.path().join("a.jsonl")).exists());
        std::fs::write(dir.path().join("a.jsonl"), "{oops\n").unwrap();
        assert_eq!(load_hashes(dir.path(), &manifest).unwrap().all(), whole);
        std::fs::write(dir.path().join("b.jsonl"), "{oops\n").unwrap();
        let e = load_hashes(dir.path(), &manifest).unwrap_err();
        assert!(format!("{e:#}").contains("b.jsonl: line 1"), "{e:#}");
        // An index that is not whole hashes is not trusted: the list is read.
        std::fs::write(index_of(&dir.path().join("a.jsonl")), [1u8; 17]).unwrap();
        let e = load_hashes(dir.path(), &manifest).unwrap_err();
        assert!(format!("{e:#}").contains("a.jsonl: line 1"), "{e:#}");
    }

    #[test]
    fn a_broken_line_is_an_error_naming_the_list_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.jsonl");
        std::fs::write(
            &path,
            "{\"hash\":\"h\",\"path\":\"p\",\"size\":1,\"kind\":\"k\",\"run\":1}\n{oops\n",
        )
        .unwrap();
        let e = read_into(&path, &mut FileIndex::new()).unwrap_err();
        assert!(format!("{e:#}").contains("x.jsonl: line 2"), "{e:#}");
    }
}
