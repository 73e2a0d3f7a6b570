//! Expands the paths a user gave into the list of files to read.
//!
//! Folders are walked recursively (hidden files included: Aider writes
//! `.aider.chat.history.md`), symlinks are not followed, the store being
//! written is left out, and the list is sorted so every run sees the files
//! in the same order. Nothing under an input is left out silently: a
//! symlink, FIFO, device or socket, and a folder or file that cannot be
//! listed (no permission, vanished during the walk), is returned in
//! `skipped` with its reason, so ingest counts and names it and the run
//! completes with exit status 1.

use anyhow::{Result, bail};
use std::path::{Path, PathBuf};

pub struct InputFile {
    pub path: PathBuf,
    /// The path as shown in messages and stored in `source_file`.
    pub display: String,
    pub size: u64,
}

/// A path under an input that is not read.
pub struct SkippedPath {
    pub display: String,
    /// symlink, fifo, device, socket, permission, vanished or other.
    pub reason: &'static str,
    pub detail: String,
}

pub struct Discovered {
    pub files: Vec<InputFile>,
    pub skipped: Vec<SkippedPath>,
}

pub fn discover(inputs: &[PathBuf], exclude: Option<&Path>) -> Result<Discovered> {
    let exclude = exclude.and_then(|p| p.canonicalize().ok());
    let mut out = Vec::new();
    let mut skipped = Vec::new();
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
                // Links are not followed, so a folder walked into has its
                // own name: only one named as the excluded folder is worth
                // resolving (a resolve per folder was a tenth of reading
                // 5,000 Cline task folders).
                !(e.file_type().is_dir()
                    && exclude.as_ref().is_some_and(|x| {
                        x.file_name() == Some(e.file_name())
                            && e.path().canonicalize().is_ok_and(|p| &p == x)
                    }))
            });
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let path = e.path().unwrap_or(input);
                    let reason = match e.io_error().map(std::io::Error::kind) {
                        Some(std::io::ErrorKind::PermissionDenied) => "permission",
                        Some(std::io::ErrorKind::NotFound) => "vanished",
                        _ => "other",
                    };
                    let detail = e
                        .io_error()
                        .map_or_else(|| e.to_string(), std::string::ToString::to_string);
                    skipped.push(SkippedPath {
                        display: display(path),
                        reason,
                        detail,
                    });
                    continue;
                }
            };
            let ft = entry.file_type();
            if ft.is_file() {
                let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
                out.push(InputFile {
                    path: entry.path().to_path_buf(),
                    display: display(entry.path()),
                    size,
                });
            } else if let Some((reason, detail)) = not_read(ft) {
                skipped.push(SkippedPath {
                    display: display(entry.path()),
                    reason,
                    detail: detail.to_string(),
                });
            }
        }
    }
    out.sort_by(|a, b| a.display.cmp(&b.display));
    out.dedup_by(|a, b| a.display == b.display);
    skipped.sort_by(|a, b| a.display.cmp(&b.display));
    skipped.dedup_by(|a, b| a.display == b.display);
    Ok(Discovered {
        files: out,
        skipped,
    })
}

/// Why an entry that is neither a file nor a folder is not read.
fn not_read(ft: std::fs::FileType) -> Option<(&'static str, &'static str)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return Some(("fifo", "a FIFO (named pipe), which could block the run"));
        }
        if ft.is_block_device() || ft.is_char_device() {
            return Some(("device", "a device file"));
        }
        if ft.is_socket() {
            return Some(("socket", "a socket"));
        }
    }
    if ft.is_symlink() {
        return Some((
            "symlink",
            "a symbolic link, not followed; give its target as an input to read it",
        ));
    }
    if ft.is_dir() {
        return None;
    }
    Some(("other", "neither a file nor a folder"))
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
        std::fs::create_dir_all(root.join("a/store")).unwrap();
        std::fs::write(root.join("b/2.json"), "{}").unwrap();
        // Named as the store, elsewhere: read.
        std::fs::write(root.join("a/store/1.json"), "{}").unwrap();
        std::fs::write(root.join("a/.hidden.md"), "x").unwrap();
        std::fs::write(root.join("b/store/events/p.parquet"), "x").unwrap();
        let files = discover(&[root.to_path_buf()], Some(&root.join("b/store")))
            .unwrap()
            .files;
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
        assert_eq!(names, vec!["a/.hidden.md", "a/store/1.json", "b/2.json"]);
    }

    #[test]
    fn missing_input_is_an_error() {
        let e = discover(&[PathBuf::from("/no/such/path")], None)
            .err()
            .unwrap();
        assert!(e.to_string().contains("/no/such/path"));
    }
}
