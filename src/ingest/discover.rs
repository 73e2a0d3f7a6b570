//! Expands the paths a user gave into the list of files to read.
//!
//! Folders are walked recursively (hidden files included: Aider writes
//! `.aider.chat.history.md`), symlinks are not followed, the store being
//! written is left out, and the list is sorted so every run sees the files
//! in the same order.

use anyhow::{Result, bail};
use std::path::{Path, PathBuf};

pub struct InputFile {
    pub path: PathBuf,
    /// The path as shown in messages and stored in `source_file`.
    pub display: String,
    pub size: u64,
}

pub fn discover(inputs: &[PathBuf], exclude: Option<&Path>) -> Result<Vec<InputFile>> {
    let exclude = exclude.and_then(|p| p.canonicalize().ok());
    let mut out = Vec::new();
    for input in inputs {
        let meta = match std::fs::metadata(input) {
            Ok(m) => m,
            Err(e) => bail!("{}: {e}", input.display()),
        };
        if meta.is_file() {
            out.push(InputFile {
                path: input.clone(),
                display: display(input),
                size: meta.len(),
            });
            continue;
        }
        let walker = walkdir::WalkDir::new(input)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                !(e.file_type().is_dir()
                    && exclude
                        .as_ref()
                        .is_some_and(|x| e.path().canonicalize().is_ok_and(|p| &p == x)))
            });
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => bail!("walking {}: {e}", input.display()),
            };
            if entry.file_type().is_file() {
                let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
                out.push(InputFile {
                    path: entry.path().to_path_buf(),
                    display: display(entry.path()),
                    size,
                });
            }
        }
    }
    out.sort_by(|a, b| a.display.cmp(&b.display));
    out.dedup_by(|a, b| a.display == b.display);
    Ok(out)
}

fn display(p: &Path) -> String {
    let s = p.to_string_lossy();
    s.strip_prefix("./")
        .map(str::to_string)
        .unwrap_or_else(|| s.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_sorted_and_skips_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("b/store/events")).unwrap();
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::write(root.join("b/2.json"), "{}").unwrap();
        std::fs::write(root.join("a/.hidden.md"), "x").unwrap();
        std::fs::write(root.join("b/store/events/p.parquet"), "x").unwrap();
        let files = discover(&[root.to_path_buf()], Some(&root.join("b/store"))).unwrap();
        let names: Vec<_> = files
            .iter()
            .map(|f| {
                f.path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, vec!["a/.hidden.md", "b/2.json"]);
    }

    #[test]
    fn missing_input_is_an_error() {
        let e = discover(&[PathBuf::from("/no/such/path")], None)
            .err()
            .unwrap();
        assert!(e.to_string().contains("/no/such/path"));
    }
}
