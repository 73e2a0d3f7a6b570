//! Commands as text: a shell command line split into words when it is a
//! simple command, `bash -lc '<cmd>'` (and `sh -c`, `zsh -lc`,
//! `powershell -Command`) unwrapped to the inner command with the exact
//! text kept, argv arrays rendered with shell quoting, MCP tool names split
//! into server and tool, and the exit-code markers found in output text.

use super::text::compact_json;

/// The integer right after the first `marker` (spaces allowed), e.g.
/// `Exit code: 2` at the head of an output.
pub(crate) fn number_after(text: &str, marker: &str) -> Option<i64> {
    let at = memchr::memmem::find(text.as_bytes(), marker.as_bytes())?;
    number_at(&text[at + marker.len()..])
}

/// The integer right after the last `marker`: for trailers written after
/// the command's own output, which may contain the same words.
pub(crate) fn number_after_last(text: &str, marker: &str) -> Option<i64> {
    let at = memchr::memmem::rfind(text.as_bytes(), marker.as_bytes())?;
    number_at(&text[at + marker.len()..])
}

fn number_at(rest: &str) -> Option<i64> {
    let rest = rest.trim_start_matches([' ', '\t']);
    let end = rest
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && c == '-')))
        .map_or(rest.len(), |(i, _)| i);
    rest[..end].parse().ok()
}

/// Splits a simple command line into words as a POSIX shell would. `None`
/// when it has unbalanced quotes or unquoted operators (`;`, `&`, `|`, `<`,
/// `>`, `(`, `)`), i.e. when it is more than one simple command.
pub(crate) fn simple_words(s: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => cur.push(c),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => match chars.next()? {
                            c @ ('"' | '\\' | '$' | '`') => cur.push(c),
                            '\n' => {}
                            c => {
                                cur.push('\\');
                                cur.push(c);
                            }
                        },
                        c => cur.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some('\n') | None => {}
                    Some(c) => cur.push(c),
                }
            }
            ';' | '&' | '|' | '<' | '>' | '(' | ')' => return None,
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Some(words)
}

/// The inner command of `bash -lc '<cmd>'` (also `sh -c`, `zsh -lc`,
/// `bash -l -c`, `powershell -Command`).
fn wrapped_command(words: &[String]) -> Option<&str> {
    let prog = words.first()?;
    let base = prog.rsplit(['/', '\\']).next().unwrap_or(prog);
    let base = base
        .strip_suffix(".exe")
        .unwrap_or(base)
        .to_ascii_lowercase();
    let (cmd, flags) = words[1..].split_last()?;
    if flags.is_empty() {
        return None;
    }
    let ok = match base.as_str() {
        "bash" | "sh" | "zsh" | "dash" | "ksh" => {
            let joined: String = flags.iter().map(|f| f.trim_start_matches('-')).collect();
            flags.iter().all(|f| f.starts_with('-') && f.len() > 1)
                && joined.contains('c')
                && joined.chars().all(|c| matches!(c, 'c' | 'l' | 'i' | 'e'))
        }
        "powershell" | "pwsh" => flags
            .last()
            .is_some_and(|f| f.eq_ignore_ascii_case("-command") || f.eq_ignore_ascii_case("-c")),
        _ => false,
    };
    ok.then_some(cmd.as_str())
}

/// Whether `wrapped_command` could unwrap this line, judged from its first
/// word. A first word without quotes, escapes or operators is the word
/// `simple_words` gives; when it names no shell, the line is no wrapper
/// whatever follows. Any other first word is left to the full split.
fn may_be_wrapper(line: &str) -> bool {
    let first = line.split(char::is_whitespace).next().unwrap_or("");
    if first.contains(['\'', '"', '\\', ';', '&', '|', '<', '>', '(', ')']) {
        return true;
    }
    let base = first.rsplit('/').next().unwrap_or(first);
    let base = base.strip_suffix(".exe").unwrap_or(base);
    ["bash", "sh", "zsh", "dash", "ksh", "powershell", "pwsh"]
        .iter()
        .any(|shell| base.eq_ignore_ascii_case(shell))
}

/// Renders an argv array as one shell-quoted line.
pub(crate) fn render_argv(argv: &[String]) -> String {
    let mut out = String::new();
    for (i, a) in argv.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let safe = !a.is_empty()
            && a.chars().all(|c| {
                c.is_ascii_alphanumeric()
                    || matches!(
                        c,
                        '_' | '-' | '.' | '/' | ':' | '=' | '@' | '%' | '+' | ',' | '^'
                    )
            });
        if safe {
            out.push_str(a);
        } else {
            out.push('\'');
            out.push_str(&a.replace('\'', r"'\''"));
            out.push('\'');
        }
    }
    out
}

/// `(command, command_raw)` for an argv array: the wrapper unwrapped when
/// there is one, the raw rendering kept when it differs.
pub(crate) fn command_from_argv(argv: &[String]) -> (String, Option<String>) {
    let raw = render_argv(argv);
    match wrapped_command(argv) {
        Some(inner) => {
            let (cmd, _) = command_from_str(inner);
            (cmd, Some(raw))
        }
        None => (raw, None),
    }
}

/// `(command, command_raw)` for a command string: `bash -lc '<cmd>'`
/// becomes `<cmd>` (repeatedly), with the exact text kept as raw.
pub(crate) fn command_from_str(s: &str) -> (String, Option<String>) {
    unwrap_str(s, true)
}

/// `command_from_str`; `look_first` skips the split into words when the
/// first word alone shows the line is no wrapper (most commands), which
/// `tests` checks changes nothing.
fn unwrap_str(s: &str, look_first: bool) -> (String, Option<String>) {
    let mut cur = s.trim().to_owned();
    let mut unwrapped = false;
    for _ in 0..3 {
        if look_first && !may_be_wrapper(&cur) {
            break;
        }
        let Some(words) = simple_words(&cur) else {
            break;
        };
        let Some(inner) = wrapped_command(&words) else {
            break;
        };
        cur = inner.trim().to_owned();
        unwrapped = true;
    }
    if unwrapped {
        (cur, Some(s.to_owned()))
    } else {
        (s.to_owned(), None)
    }
}

/// `(server, tool)` of an MCP tool name: `mcp__<server>__<tool>` (Claude
/// Code, Codex) or `<server>___<tool>` (Amazon Q / Kiro).
pub(crate) fn mcp_parts(name: &str) -> Option<(&str, &str)> {
    if let Some(rest) = name.strip_prefix("mcp__") {
        let (server, tool) = rest.split_once("__")?;
        return (!server.is_empty() && !tool.is_empty()).then_some((server, tool));
    }
    let (server, tool) = name.split_once("___")?;
    (!server.is_empty() && !tool.is_empty()).then_some((server, tool))
}

/// `mcp:<server>.<tool> <args json>`; `args` is a JSON value's text.
pub(crate) fn render_mcp(server: &str, tool: &str, args: Option<&str>) -> String {
    match args {
        Some(a) => format!("mcp:{server}.{tool} {}", compact_json(a)),
        None => format!("mcp:{server}.{tool}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_wrappers_unwrap_and_keep_raw() {
        let argv: Vec<String> = ["bash", "-lc", "aws s3 ls && echo 'done'"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (cmd, raw) = command_from_argv(&argv);
        assert_eq!(cmd, "aws s3 ls && echo 'done'");
        assert_eq!(
            raw.as_deref(),
            Some(r#"bash -lc 'aws s3 ls && echo '\''done'\'''"#)
        );
        let (cmd, raw) =
            command_from_str("/bin/zsh -lc 'aws ec2 describe-instances --region eu-west-1'");
        assert_eq!(cmd, "aws ec2 describe-instances --region eu-west-1");
        assert!(raw.is_some());
        let (cmd, raw) = command_from_str("bash -l -c \"echo \\\"hi\\\"\"");
        assert_eq!(cmd, "echo \"hi\"");
        assert!(raw.is_some());
        let (cmd, raw) = command_from_str("ls -la | wc -l");
        assert_eq!((cmd.as_str(), raw), ("ls -la | wc -l", None));
        let plain: Vec<String> = ["aws", "s3", "rb", "s3://x y"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            command_from_argv(&plain),
            ("aws s3 rb 's3://x y'".to_owned(), None)
        );
        assert_eq!(simple_words("echo 'unbalanced"), None);
    }

    /// Looking at the first word first gives what the full split gives,
    /// wrappers or not, quoted or escaped, in any case, nested.
    #[test]
    fn the_first_word_look_changes_nothing() {
        let lines = [
            "aws s3 ls",
            "bash -lc 'aws s3 ls'",
            "BASH -c 'ls'",
            "Bash.exe -c ls",
            "BASH.EXE -c ls",
            "/usr/bin/env bash -c ls",
            "C:\\Windows\\pwsh.exe -Command Get-Item",
            "'bash' -c 'ls'",
            "b\\ash -c ls",
            "ba''sh -c ls",
            "\"sh\" -c 'sh -c \"zsh -lc ls\"'",
            "powershell -c dir",
            "sh",
            "sh -c",
            "(bash -c ls)",
            "bash;ls",
            "  zsh\t-lc\u{a0}'echo hi'  ",
            "",
            "   ",
            "ksh -e -c 'x' extra",
            "dash -ic \"a | b\"",
        ];
        for l in lines {
            assert_eq!(unwrap_str(l, true), unwrap_str(l, false), "{l:?}");
        }
        assert!(!may_be_wrapper("aws s3 ls"));
        assert!(may_be_wrapper("/bin/sh -c x"));
    }

    #[test]
    fn exit_markers_and_mcp_names() {
        assert_eq!(
            number_after("Exit code: 127\nWall time", "Exit code:"),
            Some(127)
        );
        assert_eq!(
            number_after("Process exited with code -1", "exited with code"),
            Some(-1)
        );
        assert_eq!(number_after("Exit code: none", "Exit code:"), None);
        let trailer = "Output: printed Exit Code: 7 itself\nExit Code: 1";
        assert_eq!(number_after_last(trailer, "Exit Code:"), Some(1));
        assert_eq!(
            mcp_parts("mcp__aws-api__call_aws"),
            Some(("aws-api", "call_aws"))
        );
        assert_eq!(
            mcp_parts("awslabs___list_buckets"),
            Some(("awslabs", "list_buckets"))
        );
        assert_eq!(mcp_parts("Bash"), None);
    }
}
