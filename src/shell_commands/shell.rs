//! A small POSIX-shell reader: turns the command string an agent ran into the
//! simple commands the shell would execute.
//!
//! Agents run one-liners like `cd infra && AWS_PROFILE=prod terraform destroy`
//! or `for b in $(aws s3 ls | awk '{print $3}'); do aws s3 rb s3://$b --force; done`.
//! To see every AWS call we need each simple command as its words after
//! quote removal, in execution order, including the ones hidden in `$(...)`,
//! backticks and `<(...)`, and the bodies of heredocs fed to them. This is not
//! a full shell: no expansion is done (`$VAR` stays literal), control-flow
//! keywords are left in place for the caller to skip, and redirections are
//! dropped. Unbalanced quotes or substitutions are tolerated: what was read is
//! returned and `complete` is false.

/// One simple command: words after quote removal, with redirections removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimpleCommand {
    pub words: Vec<String>,
    /// The source text of the command, trimmed.
    pub raw: String,
    /// Bodies of heredocs (`<<EOF`) and here-strings (`<<<`) fed to stdin.
    pub stdin_bodies: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Script {
    /// In execution order: commands inside `$(...)` come before the command
    /// that uses their output.
    pub commands: Vec<SimpleCommand>,
    /// False when a quote, substitution or heredoc was left open.
    pub complete: bool,
}

/// Reads a shell command string. Nesting deeper than `MAX_DEPTH` substitutions
/// is not followed.
pub fn parse(src: &str) -> Script {
    let mut p = Parser::new(src, 0);
    p.run();
    Script {
        commands: p.out,
        complete: p.complete,
    }
}

const MAX_DEPTH: usize = 16;

struct Pending {
    delim: String,
    strip_tabs: bool,
    cmd_index: Option<usize>,
}

struct Parser<'a> {
    src: &'a str,
    b: &'a [u8],
    i: usize,
    depth: usize,
    out: Vec<SimpleCommand>,
    complete: bool,
    // current word
    word: String,
    in_word: bool,
    word_quoted: bool,
    // current command
    words: Vec<String>,
    cmd_start: Option<usize>,
    cmd_end: usize,
    here_strings: Vec<String>,
    heredoc_delims: Vec<(String, bool)>,
    // what the next completed word is for
    next_word: NextWord,
    // heredocs whose bodies start after the next newline
    pending: Vec<Pending>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum NextWord {
    Arg,
    RedirectTarget,
    HeredocDelim { strip_tabs: bool },
    HereString,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str, depth: usize) -> Self {
        Parser {
            src,
            b: src.as_bytes(),
            i: 0,
            depth,
            out: Vec::new(),
            complete: true,
            word: String::new(),
            in_word: false,
            word_quoted: false,
            words: Vec::new(),
            cmd_start: None,
            cmd_end: 0,
            here_strings: Vec::new(),
            heredoc_delims: Vec::new(),
            next_word: NextWord::Arg,
            pending: Vec::new(),
        }
    }

    fn peek(&self, k: usize) -> Option<u8> {
        self.b.get(self.i + k).copied()
    }

    fn start_word(&mut self) {
        if !self.in_word {
            self.in_word = true;
            self.word_quoted = false;
            if self.cmd_start.is_none() {
                self.cmd_start = Some(self.i);
            }
        }
    }

    fn end_word(&mut self) {
        if !self.in_word {
            return;
        }
        self.in_word = false;
        self.cmd_end = self.i;
        let w = std::mem::take(&mut self.word);
        match std::mem::replace(&mut self.next_word, NextWord::Arg) {
            NextWord::Arg => self.words.push(w),
            NextWord::RedirectTarget => {}
            NextWord::HeredocDelim { strip_tabs } => self.heredoc_delims.push((w, strip_tabs)),
            NextWord::HereString => self.here_strings.push(w),
        }
    }

    fn end_command(&mut self) {
        self.end_word();
        let delims = std::mem::take(&mut self.heredoc_delims);
        let here_strings = std::mem::take(&mut self.here_strings);
        let start = self.cmd_start.take();
        if self.words.is_empty() {
            // `<<EOF` with no command: the body is still consumed.
            for (delim, strip_tabs) in delims {
                self.pending.push(Pending {
                    delim,
                    strip_tabs,
                    cmd_index: None,
                });
            }
            return;
        }
        let raw = start
            .map(|s| self.src[s..self.cmd_end.max(s)].trim().to_string())
            .unwrap_or_default();
        let idx = self.out.len();
        self.out.push(SimpleCommand {
            words: std::mem::take(&mut self.words),
            raw,
            stdin_bodies: here_strings,
        });
        for (delim, strip_tabs) in delims {
            self.pending.push(Pending {
                delim,
                strip_tabs,
                cmd_index: Some(idx),
            });
        }
    }

    /// Pushes one (possibly multi-byte) character of the source to the word.
    fn push_char_at(&mut self, at: usize) -> usize {
        let ch = self.src[at..].chars().next().unwrap_or('\u{FFFD}');
        self.word.push(ch);
        at + ch.len_utf8().max(1)
    }

    fn run(&mut self) {
        while self.i < self.b.len() {
            let c = self.b[self.i];
            match c {
                b' ' | b'\t' | b'\r' => {
                    self.end_word();
                    self.i += 1;
                }
                b'\n' => {
                    self.end_command();
                    self.i += 1;
                    self.read_heredoc_bodies();
                }
                b';' => {
                    self.end_command();
                    self.i += 1;
                }
                b'&' => {
                    if self.peek(1) == Some(b'>') {
                        // &> file, &>> file
                        self.end_word();
                        self.i += 2;
                        if self.peek(0) == Some(b'>') {
                            self.i += 1;
                        }
                        self.next_word = NextWord::RedirectTarget;
                    } else {
                        self.end_command();
                        self.i += if self.peek(1) == Some(b'&') { 2 } else { 1 };
                    }
                }
                b'|' => {
                    self.end_command();
                    self.i += if matches!(self.peek(1), Some(b'|') | Some(b'&')) {
                        2
                    } else {
                        1
                    };
                }
                b'(' | b')' => {
                    self.end_command();
                    self.i += 1;
                }
                b'<' | b'>' => self.redirect(c),
                b'#' if !self.in_word => {
                    while self.i < self.b.len() && self.b[self.i] != b'\n' {
                        self.i += 1;
                    }
                }
                b'\\' => {
                    if self.peek(1) == Some(b'\n') {
                        self.i += 2;
                    } else if self.i + 1 < self.b.len() {
                        self.start_word();
                        self.word_quoted = true;
                        self.i = self.push_char_at(self.i + 1);
                    } else {
                        self.i += 1;
                    }
                }
                b'\'' => {
                    self.start_word();
                    self.word_quoted = true;
                    self.single_quoted();
                }
                b'"' => {
                    self.start_word();
                    self.word_quoted = true;
                    self.double_quoted();
                }
                b'`' => {
                    self.start_word();
                    self.backtick();
                }
                b'$' => {
                    self.start_word();
                    self.dollar();
                }
                _ => {
                    self.start_word();
                    self.i = self.push_char_at(self.i);
                }
            }
        }
        self.end_command();
        if !self.pending.is_empty() {
            // heredoc announced on the last line with no body
            self.complete = false;
            self.pending.clear();
        }
    }

    fn redirect(&mut self, c: u8) {
        // `2>` / `10<`: a word of digits right before the operator is an fd.
        if self.in_word
            && !self.word_quoted
            && !self.word.is_empty()
            && self.word.bytes().all(|d| d.is_ascii_digit())
        {
            self.word.clear();
            self.in_word = false;
        } else {
            self.end_word();
        }
        if self.cmd_start.is_none() {
            self.cmd_start = Some(self.i);
        }
        // process substitution <( ... ) / >( ... )
        if self.peek(1) == Some(b'(') {
            self.start_word();
            let open = self.i + 2;
            self.substitution(open, b')');
            return;
        }
        if c == b'<' && self.peek(1) == Some(b'<') {
            if self.peek(2) == Some(b'<') {
                self.i += 3;
                self.next_word = NextWord::HereString;
                return;
            }
            self.i += 2;
            let strip_tabs = self.peek(0) == Some(b'-');
            if strip_tabs {
                self.i += 1;
            }
            self.next_word = NextWord::HeredocDelim { strip_tabs };
            return;
        }
        // >, >>, >|, <>, >&N, <&N, >&-
        self.i += 1;
        if matches!(self.peek(0), Some(b'>') | Some(b'|')) {
            self.i += 1;
        }
        if self.peek(0) == Some(b'&') {
            self.i += 1;
            let start = self.i;
            while self.i < self.b.len()
                && (self.b[self.i].is_ascii_digit() || self.b[self.i] == b'-')
            {
                self.i += 1;
            }
            if self.i > start {
                self.cmd_end = self.i;
                return;
            }
        }
        self.next_word = NextWord::RedirectTarget;
    }

    fn single_quoted(&mut self) {
        let start = self.i + 1;
        match memchr_from(self.b, b'\'', start) {
            Some(end) => {
                self.word.push_str(&self.src[start..end]);
                self.i = end + 1;
            }
            None => {
                self.word.push_str(&self.src[start..]);
                self.i = self.b.len();
                self.complete = false;
            }
        }
    }

    fn double_quoted(&mut self) {
        self.i += 1;
        while self.i < self.b.len() {
            match self.b[self.i] {
                b'"' => {
                    self.i += 1;
                    return;
                }
                b'\\' => match self.peek(1) {
                    Some(b'\n') => self.i += 2,
                    Some(b'$') | Some(b'`') | Some(b'"') | Some(b'\\') => {
                        self.i = self.push_char_at(self.i + 1);
                    }
                    _ => {
                        self.word.push('\\');
                        self.i += 1;
                    }
                },
                b'`' => self.backtick(),
                b'$' => self.dollar(),
                _ => self.i = self.push_char_at(self.i),
            }
        }
        self.complete = false;
    }

    fn backtick(&mut self) {
        let start = self.i + 1;
        let mut j = start;
        while j < self.b.len() && self.b[j] != b'`' {
            j += if self.b[j] == b'\\' { 2 } else { 1 };
        }
        let end = j.min(self.b.len());
        let inner = self.src[start..end].replace("\\`", "`");
        self.nested(&inner);
        self.word
            .push_str(&self.src[self.i..(end + 1).min(self.b.len())]);
        if j >= self.b.len() {
            self.complete = false;
            self.i = self.b.len();
        } else {
            self.i = end + 1;
        }
    }

    fn dollar(&mut self) {
        match (self.peek(1), self.peek(2)) {
            (Some(b'('), Some(b'(')) => {
                // arithmetic $(( ... )): kept literally
                let close = find_close(self.b, self.i + 3, b')').map(|e| e + 1);
                self.copy_literal_until(close.map(|e| e + 1));
            }
            (Some(b'('), _) => {
                let open = self.i + 2;
                self.substitution(open, b')');
            }
            (Some(b'{'), _) => {
                let close = find_close(self.b, self.i + 2, b'}').map(|e| e + 1);
                self.copy_literal_until(close);
            }
            (Some(b'\''), _) => {
                // ANSI-C quoting $'...'
                self.word_quoted = true;
                self.i += 2;
                while self.i < self.b.len() && self.b[self.i] != b'\'' {
                    if self.b[self.i] == b'\\' && self.i + 1 < self.b.len() {
                        let esc = self.b[self.i + 1];
                        match esc {
                            b'n' => self.word.push('\n'),
                            b't' => self.word.push('\t'),
                            b'\\' | b'\'' | b'"' => self.word.push(esc as char),
                            _ => {
                                self.word.push('\\');
                                self.i += 1;
                                continue;
                            }
                        }
                        self.i += 2;
                    } else {
                        self.i = self.push_char_at(self.i);
                    }
                }
                if self.i >= self.b.len() {
                    self.complete = false;
                }
                self.i += 1;
            }
            _ => {
                self.word.push('$');
                self.i += 1;
            }
        }
    }

    /// `$(` / `<(` / `>(` at `self.i`, content starting at `open`.
    fn substitution(&mut self, open: usize, close_byte: u8) {
        match find_close(self.b, open, close_byte) {
            Some(close) => {
                let inner = &self.src[open..close];
                self.nested(inner);
                self.word.push_str(&self.src[self.i..=close]);
                self.i = close + 1;
            }
            None => {
                let inner = &self.src[open..];
                self.nested(inner);
                self.word.push_str(&self.src[self.i..]);
                self.i = self.b.len();
                self.complete = false;
            }
        }
    }

    fn copy_literal_until(&mut self, end: Option<usize>) {
        match end {
            Some(e) if e <= self.b.len() => {
                self.word.push_str(&self.src[self.i..e]);
                self.i = e;
            }
            _ => {
                self.word.push_str(&self.src[self.i..]);
                self.i = self.b.len();
                self.complete = false;
            }
        }
    }

    fn nested(&mut self, inner: &str) {
        if self.depth >= MAX_DEPTH {
            self.complete = false;
            return;
        }
        let mut p = Parser::new(inner, self.depth + 1);
        p.run();
        self.complete &= p.complete;
        self.out.extend(p.out);
    }

    fn read_heredoc_bodies(&mut self) {
        for pending in std::mem::take(&mut self.pending) {
            let mut body = String::new();
            let mut found = false;
            while self.i < self.b.len() {
                let end = memchr_from(self.b, b'\n', self.i).unwrap_or(self.b.len());
                let line = &self.src[self.i..end];
                self.i = (end + 1).min(self.b.len());
                let cmp = if pending.strip_tabs {
                    line.trim_start_matches('\t')
                } else {
                    line
                };
                if cmp.trim_end_matches('\r') == pending.delim {
                    found = true;
                    break;
                }
                body.push_str(cmp);
                body.push('\n');
            }
            if !found {
                self.complete = false;
            }
            if let Some(idx) = pending.cmd_index {
                self.out[idx].stdin_bodies.push(body);
            }
        }
    }
}

fn memchr_from(b: &[u8], needle: u8, from: usize) -> Option<usize> {
    b.get(from..)?
        .iter()
        .position(|&c| c == needle)
        .map(|p| p + from)
}

/// Index of the byte closing a group opened just before `from`, skipping
/// quotes and nested groups of the same kind.
fn find_close(b: &[u8], from: usize, close: u8) -> Option<usize> {
    let open = if close == b')' { b'(' } else { b'{' };
    let mut depth = 0usize;
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'\'' => i = memchr_from(b, b'\'', i + 1)?,
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            c if c == open => depth += 1,
            c if c == close => {
                if depth == 0 {
                    return Some(i);
                }
                depth -= 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(src: &str) -> Vec<Vec<String>> {
        parse(src).commands.into_iter().map(|c| c.words).collect()
    }

    fn w(list: &[&[&str]]) -> Vec<Vec<String>> {
        list.iter()
            .map(|c| c.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    #[test]
    fn operators_split_commands() {
        assert_eq!(
            words("a 1 && b 2 || c; d | e\nf & g |& h"),
            w(&[
                &["a", "1"],
                &["b", "2"],
                &["c"],
                &["d"],
                &["e"],
                &["f"],
                &["g"],
                &["h"]
            ])
        );
    }

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(
            words(r#"aws s3 cp "my file.txt" 's3://b/a b' --metadata x\ y "q\"uo\$te" $'a\tb'"#),
            w(&[&[
                "aws",
                "s3",
                "cp",
                "my file.txt",
                "s3://b/a b",
                "--metadata",
                "x y",
                "q\"uo$te",
                "a\tb"
            ]])
        );
        assert_eq!(words("echo a\\\nb"), w(&[&["echo", "ab"]]));
    }

    #[test]
    fn raw_text_of_each_command() {
        let s = parse("cd x && AWS_PROFILE=p aws s3 ls   | head -n 3");
        let raws: Vec<_> = s.commands.iter().map(|c| c.raw.as_str()).collect();
        assert_eq!(raws, ["cd x", "AWS_PROFILE=p aws s3 ls", "head -n 3"]);
    }

    #[test]
    fn substitutions_are_read_first() {
        let s = parse(
            "for b in $(aws s3 ls | awk '{print $3}'); do aws s3 rb \"s3://$b\" --force; done",
        );
        let cmds: Vec<_> = s.commands.iter().map(|c| c.words.join(" ")).collect();
        assert_eq!(
            cmds,
            [
                "aws s3 ls",
                "awk {print $3}",
                "for b in $(aws s3 ls | awk '{print $3}')",
                "do aws s3 rb s3://$b --force",
                "done"
            ]
        );
        assert!(s.complete);
        let s = parse("echo `aws sts get-caller-identity` $(( 1 + 2 )) ${HOME}");
        assert_eq!(s.commands[0].words, ["aws", "sts", "get-caller-identity"]);
        assert_eq!(
            s.commands[1].words,
            [
                "echo",
                "`aws sts get-caller-identity`",
                "$(( 1 + 2 ))",
                "${HOME}"
            ]
        );
        let s = parse("diff <(aws s3 ls s3://a) <(aws s3 ls s3://b)");
        assert_eq!(s.commands.len(), 3);
        assert_eq!(s.commands[1].words, ["aws", "s3", "ls", "s3://b"]);
    }

    #[test]
    fn redirections_are_dropped() {
        assert_eq!(
            words("aws s3 ls > out.txt 2>&1 < /dev/null &>> log 2> err"),
            w(&[&["aws", "s3", "ls"]])
        );
        assert_eq!(words("echo hi >&2; x"), w(&[&["echo", "hi"], &["x"]]));
    }

    #[test]
    fn heredocs_go_to_their_command() {
        let s = parse("bash <<'EOF' && echo done\naws s3 rb s3://x --force\naws s3 ls\nEOF\nls");
        assert_eq!(s.commands.len(), 3);
        assert_eq!(s.commands[0].words, ["bash"]);
        assert_eq!(
            s.commands[0].stdin_bodies,
            ["aws s3 rb s3://x --force\naws s3 ls\n"]
        );
        assert_eq!(s.commands[2].words, ["ls"]);
        assert!(s.complete);
        let s = parse("cat <<-EOF > f\n\taws ec2 x\n\tEOF\n");
        assert_eq!(s.commands[0].words, ["cat"]);
        assert_eq!(s.commands[0].stdin_bodies, ["aws ec2 x\n"]);
        let s = parse("bash <<< 'aws s3 ls'");
        assert_eq!(s.commands[0].stdin_bodies, ["aws s3 ls"]);
    }

    #[test]
    fn comments_and_groups() {
        assert_eq!(words("# just a comment\nls # trailing"), w(&[&["ls"]]));
        assert_eq!(
            words("(cd x; aws s3 ls)"),
            w(&[&["cd", "x"], &["aws", "s3", "ls"]])
        );
        assert_eq!(words("echo a#b"), w(&[&["echo", "a#b"]]));
    }

    #[test]
    fn unbalanced_input_is_tolerated() {
        let s = parse("aws s3 ls \"s3://b");
        assert!(!s.complete);
        assert_eq!(s.commands[0].words, ["aws", "s3", "ls", "s3://b"]);
        let s = parse("echo $(aws s3 ls");
        assert!(!s.complete);
        assert_eq!(s.commands[0].words, ["aws", "s3", "ls"]);
        let s = parse("bash <<EOF\naws s3 ls\n");
        assert!(!s.complete);
        assert_eq!(s.commands[0].stdin_bodies, ["aws s3 ls\n"]);
        assert!(!parse("x 'open").complete);
    }

    #[test]
    fn non_ascii_text_survives() {
        assert_eq!(
            words("echo 'héllo' wörld — ok"),
            w(&[&["echo", "héllo", "wörld", "—", "ok"]])
        );
    }
}
