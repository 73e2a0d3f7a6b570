//! The crate's top-level modules form no cycle: data flows one way
//! (ARCHITECTURE.md, "Invariants"). Read from the `crate::<module>` paths
//! in each module's non-test code; comments and `#[cfg(test)]` tails are
//! left out, so a test may reach anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("reading src")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// Test-only files: `tests.rs`, `tests_*.rs`, `testkit.rs`, anything under
/// a `tests/` folder.
fn is_test_file(rel: &Path) -> bool {
    rel.components().any(|c| c.as_os_str() == "tests")
        || rel.file_stem().is_some_and(|s| {
            let s = s.to_string_lossy();
            s == "tests" || s.starts_with("tests_") || s == "testkit"
        })
}

/// The code of a file without comments and without its inline test
/// module: a `#[cfg(test)]` followed by `mod name {` cuts the rest of the
/// file (test modules sit at the end); `#[cfg(test)] mod name;` only drops
/// that declaration (the file it names is a test file).
fn code(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() == "#[cfg(test)]" {
            let next = lines.get(i + 1).map_or("", |l| l.trim());
            let is_mod = next.starts_with("mod ") || next.starts_with("pub mod ");
            if is_mod && next.ends_with('{') {
                break;
            }
            if is_mod && next.ends_with(';') {
                i += 2;
                continue;
            }
        }
        out.push(lines[i]);
        i += 1;
    }
    out.join("\n")
}

/// The top-level module names a path after `crate::` starts with: one
/// name, or each name of a group (`crate::{a::X, b}`).
fn named_after_crate(rest: &str) -> Vec<String> {
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit())
            .collect()
    };
    match rest.strip_prefix('{') {
        Some(group) => {
            let end = group.find('}').unwrap_or(group.len());
            let mut names = Vec::new();
            let mut depth = 0;
            let mut start = 0;
            let g = &group[..end];
            for (k, c) in g.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        names.push(ident(&g[start..k]));
                        start = k + 1;
                    }
                    _ => {}
                }
            }
            names.push(ident(&g[start..]));
            names
        }
        None => vec![ident(rest)],
    }
}

/// Top-level module → the top-level modules its code names.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut tops = BTreeSet::new();
    for e in std::fs::read_dir(src).expect("src") {
        let p = e.expect("entry").path();
        let name = p.file_stem().expect("name").to_string_lossy().to_string();
        if (p.is_dir() || p.extension().is_some_and(|e| e == "rs"))
            && name != "main"
            && name != "lib"
        {
            tops.insert(name);
        }
    }
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut edges: BTreeMap<String, BTreeSet<String>> =
        tops.iter().map(|t| (t.clone(), BTreeSet::new())).collect();
    for f in files {
        let rel = f.strip_prefix(src).expect("under src");
        let first = rel.components().next().expect("component");
        let top = Path::new(first.as_os_str())
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .to_string();
        if !tops.contains(&top) || is_test_file(rel) {
            continue;
        }
        let text = code(&std::fs::read_to_string(&f).expect("read"));
        let mut rest = text.as_str();
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            for name in named_after_crate(rest) {
                if name != top && tops.contains(&name) {
                    edges.get_mut(&top).expect("top").insert(name);
                }
            }
        }
    }
    edges
}

/// A cycle through `start`, if any (depth-first search).
fn cycle_from(
    edges: &BTreeMap<String, BTreeSet<String>>,
    start: &str,
    at: &str,
    path: &mut Vec<String>,
    seen: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    for next in &edges[at] {
        if next == start {
            let mut c = path.clone();
            c.push(start.to_string());
            return Some(c);
        }
        if seen.insert(next.clone()) {
            path.push(next.clone());
            if let Some(c) = cycle_from(edges, start, next, path, seen) {
                return Some(c);
            }
            path.pop();
        }
    }
    None
}

fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for start in edges.keys() {
        let mut path = vec![start.clone()];
        if let Some(c) = cycle_from(edges, start, start, &mut path, &mut BTreeSet::new()) {
            out.push(c);
        }
    }
    out
}

#[test]
fn top_level_modules_have_no_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = graph(&src);
    assert!(edges.len() > 10, "read the modules: {edges:?}");
    let found = cycles(&edges);
    assert!(
        found.is_empty(),
        "module cycles (each as a path back to its start): {found:?}"
    );
}

#[test]
fn the_checker_finds_a_cycle() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path();
    std::fs::create_dir(src.join("a")).expect("a");
    std::fs::write(src.join("a/mod.rs"), "use crate::b::X;\n").expect("a");
    std::fs::write(
        src.join("b.rs"),
        "// crate::c in a comment does not count\nuse crate::a::Y;\n",
    )
    .expect("b");
    std::fs::write(
        src.join("c.rs"),
        "pub fn f() {}\n#[cfg(test)]\nmod t {\n use crate::a;\n}\n",
    )
    .expect("c");
    std::fs::write(
        src.join("d.rs"),
        "#[cfg(test)]\nmod tests;\nuse crate::{b::Z, c};\n",
    )
    .expect("d");
    std::fs::write(src.join("tests.rs"), "use crate::a;\n").expect("t");
    let edges = graph(src);
    assert_eq!(edges["b"], BTreeSet::from(["a".to_string()]));
    assert!(edges["c"].is_empty());
    assert_eq!(
        edges["d"],
        BTreeSet::from(["b".to_string(), "c".to_string()])
    );
    let found = cycles(&edges);
    assert!(found.contains(&vec!["a".to_string(), "b".to_string(), "a".to_string()]));
}
