//! The README's examples run as written (issue 22): every command line in
//! a ```sh block that runs `trailblame` is run, in order, with the real
//! binary, from a folder holding copies of `sample-data/` and `queries/`
//! (what the repository's top folder offers), and must exit 0. Lines that
//! build or test the project (`cargo`, `scripts/`, `python3`) are left to CI;
//! ```bash blocks need an AWS account (`s3://` inputs: `tests/s3.rs` runs
//! them against a local S3 server) and are not run here.

mod common;

use std::path::Path;

/// The README's shell blocks, as command lines: a line ending inside an
/// open double quote continues on the next; `#` comments are dropped.
fn command_lines(readme: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_block = false;
    let mut pending = String::new();
    for line in readme.lines() {
        if line.trim_start().starts_with("```") {
            in_block = line.trim() == "```sh" && !in_block;
            continue;
        }
        if !in_block {
            continue;
        }
        if pending.is_empty() {
            pending = line.to_string();
        } else {
            pending.push(' ');
            pending.push_str(line.trim());
        }
        if pending.matches('"').count() % 2 == 1 {
            continue;
        }
        let cmd = strip_comment(&pending).trim().to_string();
        pending.clear();
        if !cmd.is_empty() {
            out.push(cmd);
        }
    }
    out
}

/// The line without a trailing `# comment` (a `#` outside quotes).
fn strip_comment(line: &str) -> &str {
    let mut quoted = false;
    for (i, ch) in line.char_indices() {
        match ch {
            '"' | '\'' => quoted = !quoted,
            '#' if !quoted && (i == 0 || line[..i].ends_with(' ')) => return &line[..i],
            _ => {}
        }
    }
    line
}

/// The program a command line runs, past `NAME=value` assignments.
fn program(cmd: &str) -> &str {
    cmd.split_whitespace()
        .find(|w| !w.contains('='))
        .unwrap_or("")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

#[test]
fn issue22_readme_examples_run_as_written_on_the_sample() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let commands: Vec<String> = command_lines(&readme)
        .into_iter()
        .filter(|c| program(c) == "trailblame")
        .collect();
    assert!(
        commands.len() >= 15,
        "found only {} examples: {commands:#?}",
        commands.len()
    );
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root.join("sample-data"), &dir.path().join("sample-data"));
    copy_dir(&root.join("queries"), &dir.path().join("queries"));
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_trailblame"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // The store first: the examples that read ./tb follow the ingest one.
    let (ingest, rest): (Vec<&String>, Vec<&String>) = commands
        .iter()
        .partition(|c| c.starts_with("trailblame ingest"));
    for cmd in ingest.into_iter().chain(rest) {
        eprintln!("$ {cmd}");
        let r = common::run_cmd(
            std::process::Command::new("sh")
                .arg("-c")
                .arg(cmd)
                .current_dir(dir.path())
                .env("PATH", &path)
                .env("HOME", dir.path())
                .env("NO_COLOR", "1")
                .env_remove("TRAILBLAME_STORE"),
        );
        assert_eq!(r.code, 0, "README example failed: {cmd}\n{}", r.stderr);
    }
}

#[test]
fn command_lines_join_quoted_continuations_and_drop_comments() {
    let text = "x\n```sh\ntrailblame query \"SELECT 1\n   FROM t\" --store ./tb\ntrailblame man --dir m   # a note\n```\n";
    assert_eq!(
        command_lines(text),
        [
            "trailblame query \"SELECT 1 FROM t\" --store ./tb",
            "trailblame man --dir m"
        ]
    );
    assert_eq!(
        program("TRAILBLAME_STORE=./tb trailblame compare"),
        "trailblame"
    );
}
