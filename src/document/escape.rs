//! Makes attacker-controlled text inert in each output format.
//!
//! Every string in a report may come from a CloudTrail record or a
//! transcript: HTML gets entity escaping and loses control characters,
//! Markdown gets backslash and entity escaping (no emphasis, links, tables
//! or autolinks can be forged), the terminal gets visible escapes (`\u{1b}`)
//! so a value cannot move the cursor or recolour the screen, and anchors are
//! reduced to `[a-z0-9-]`. Bidirectional-override characters, which can make
//! text read differently from what it is, are treated like control
//! characters everywhere.

/// Characters that reorder how text is displayed (marks, embeddings,
/// overrides, isolates).
fn is_bidi_control(ch: char) -> bool {
    matches!(
        ch,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// A character no renderer passes through as is.
pub fn is_unsafe_char(ch: char) -> bool {
    ch.is_control() || is_bidi_control(ch)
}

/// HTML text or attribute value: `& < > " '` as entities, control and bidi
/// characters dropped (newline and tab kept: they are plain whitespace).
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(ch),
            c if is_unsafe_char(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// An anchor: lowercase ASCII letters, digits and single hyphens, at most 64
/// characters, never empty. The same input always gives the same slug, so a
/// link and its target agree.
pub fn slugify(s: &str) -> String {
    const MAX: usize = 64;
    let mut out = String::with_capacity(s.len().min(MAX));
    let mut hyphen = false;
    for ch in s.chars() {
        if ch.is_ascii_alphanumeric() {
            if hyphen && !out.is_empty() {
                out.push('-');
            }
            hyphen = false;
            out.push(ch.to_ascii_lowercase());
        } else {
            hyphen = true;
        }
        if out.len() >= MAX {
            break;
        }
    }
    out.truncate(MAX);
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("section");
    }
    out
}

/// Markdown inline text (a table cell, heading, list item or paragraph):
/// one line, nothing interpreted. Line breaks and control characters become
/// spaces; `\ ` * _ [ ] | ~ # ! $ { }` are backslash-escaped; `& < >` become
/// entities; `://` and `www.` are broken with an entity so GitHub does not
/// autolink a URL from a log; a leading `-`, `+`, `=` or `1.` cannot start
/// a list or heading.
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 4);
    let chars: Vec<char> = s.chars().collect();
    for (i, &ch) in chars.iter().enumerate() {
        let at_start = out.trim_start().is_empty();
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' | '$' | '{' | '}' => {
                out.push('\\');
                out.push(ch);
            }
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            ':' if chars.get(i + 1) == Some(&'/') && chars.get(i + 2) == Some(&'/') => {
                out.push_str("&#58;");
            }
            '.' if i >= 3
                && chars[i - 3..i]
                    .iter()
                    .collect::<String>()
                    .eq_ignore_ascii_case("www") =>
            {
                out.push_str("&#46;");
            }
            // a list item or heading underline needs `- `, `+ `, `--`, `==`
            '-' | '+' | '=' if at_start && ends_marker(chars.get(i + 1), ch) => {
                out.push('\\');
                out.push(ch);
            }
            // an ordered list needs `1. ` or `1) `
            '.' | ')'
                if ends_marker(chars.get(i + 1), ch)
                    && chars[..i]
                        .iter()
                        .all(|c| c.is_ascii_digit() || c.is_whitespace())
                    && chars[..i].iter().any(char::is_ascii_digit) =>
            {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' | '\t' => {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            c if c.is_whitespace() => {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            c if is_unsafe_char(c) => {}
            c => out.push(c),
        }
    }
    out.trim().to_string()
}

/// Whether the character after a possible block marker lets it start a
/// list (whitespace or the end) or a heading underline (the same character).
fn ends_marker(next: Option<&char>, marker: char) -> bool {
    next.is_none_or(|c| c.is_whitespace() || *c == marker)
}

/// Terminal text: control and bidi characters shown as Rust escapes
/// (`\u{1b}`, `\n`, `\t`), so nothing moves the cursor or changes colours.
pub fn terminal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if ch.is_control() {
            out.extend(ch.escape_default());
        } else if is_bidi_control(ch) {
            out.extend(ch.escape_unicode());
        } else {
            out.push(ch);
        }
    }
    out
}

/// Columns a character takes in a terminal: 0 for combining marks and
/// zero-width characters, 2 for East Asian wide characters and most emoji,
/// else 1. An approximation of Unicode's East Asian Width, good enough to
/// keep table columns aligned.
pub fn char_width(ch: char) -> usize {
    let c = ch as u32;
    match c {
        0x0300..=0x036F | 0x200B..=0x200D | 0x20D0..=0x20FF | 0xFE00..=0xFE0F | 0xFE20..=0xFE2F => {
            0
        }
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

/// Display width of already-escaped terminal text.
pub fn width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// Cuts `s` to at most `max` columns, ending with `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in s.chars() {
        let w = char_width(ch);
        if used + w > max - 1 {
            break;
        }
        used += w;
        out.push(ch);
    }
    out.push('…');
    out
}

/// `s` cut to `w` columns and padded with spaces on the right (or left for
/// numbers) to exactly `w`.
pub fn pad(s: &str, w: usize, right_align: bool) -> String {
    let cut = truncate(s, w);
    let fill = " ".repeat(w.saturating_sub(width(&cut)));
    if right_align {
        fill + &cut
    } else {
        cut + &fill
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_and_drops_controls() {
        assert_eq!(
            html(r#"<script>alert(1)</script>"#),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            html(r#""><img src=x onerror=alert(1)>"#),
            "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
        );
        assert_eq!(html("a'b&c"), "a&#39;b&amp;c");
        assert_eq!(html("\u{1b}[31mred\u{7}\u{0}"), "[31mred");
        assert_eq!(html("evil\u{202E}txt.exe"), "eviltxt.exe");
        assert_eq!(html("two\nlines\tand tab"), "two\nlines\tand tab");
    }

    #[test]
    fn slugs_are_lowercase_ascii_and_hyphens() {
        assert_eq!(slugify("Who acted"), "who-acted");
        assert_eq!(slugify("javascript:alert(1)"), "javascript-alert-1");
        assert_eq!(slugify("\"><img src=x>"), "img-src-x");
        assert_eq!(slugify("  --Ünïcode—Tëst--  "), "n-code-t-st");
        assert_eq!(slugify(""), "section");
        assert_eq!(slugify("<>\"'"), "section");
        let long = slugify(&"a-".repeat(100));
        assert!(long.len() <= 64 && !long.ends_with('-'), "{long}");
        for s in ["x\u{1b}[31m", "tl-0a8f3b2e-1111", "A_B.C/D", "#top"] {
            let slug = slugify(s);
            assert!(
                slug.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{slug}"
            );
            assert!(!slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"));
        }
    }

    #[test]
    fn markdown_cells_cannot_break_tables_or_format() {
        assert_eq!(markdown("a|b"), r"a\|b");
        assert_eq!(markdown("`rm -rf /`"), r"\`rm -rf /\`");
        assert_eq!(markdown("*bold* _it_ [x](y)"), r"\*bold\* \_it\_ \[x\](y)");
        assert_eq!(
            markdown("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(markdown("line\nbreak\r\n|next"), r"line break \|next");
        assert_eq!(markdown("- item"), r"\- item");
        assert_eq!(markdown("=cmd|' /C calc'!A0"), r"=cmd\|' /C calc'\!A0");
        assert_eq!(markdown("1. one"), r"1\. one");
        assert_eq!(markdown("# h"), r"\# h");
        assert_eq!(
            markdown("see https://evil.example/x"),
            "see https&#58;//evil.example/x"
        );
        assert_eq!(markdown("www.evil.example"), "www&#46;evil.example");
        assert_eq!(markdown("x\u{1b}[31m"), r"x\[31m");
        assert_eq!(markdown("41.2% +12% -3"), "41.2% +12% -3");
        assert_eq!(markdown("---"), r"\---");
        assert_eq!(markdown("+ item"), r"\+ item");
        assert_eq!(markdown("2) two"), r"2\) two");
        assert_eq!(markdown("&lt;"), "&amp;lt;");
        assert_eq!(markdown("ordinary text 1.5 s"), "ordinary text 1.5 s");
    }

    #[test]
    fn terminal_shows_controls_as_escapes() {
        assert_eq!(terminal("\u{1b}[31mred"), r"\u{1b}[31mred");
        assert_eq!(terminal("a\nb\tc\r"), r"a\nb\tc\r");
        assert_eq!(terminal("\u{9b}2J"), r"\u{9b}2J");
        assert_eq!(terminal("x\u{202E}y"), r"x\u{202e}y");
        assert!(
            !terminal("\u{1b}\u{7}\u{0}\u{7f}")
                .chars()
                .any(|c| c.is_control())
        );
    }

    #[test]
    fn truncation_respects_display_width() {
        assert_eq!(truncate("hello world", 8), "hello w…");
        assert_eq!(truncate("short", 8), "short");
        assert_eq!(truncate("日本語テキスト", 7), "日本語…");
        assert!(width(&truncate("日本語テキスト", 7)) <= 7);
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(pad("12", 5, true), "   12");
        assert_eq!(pad("abcdefgh", 5, false), "abcd…");
    }
}

/// The anchor ids of one document: slugified and unique (a repeated one
/// gets `-2`, `-3`, …), so links and ids always agree.
#[derive(Default)]
pub struct Anchors {
    used: std::collections::HashSet<String>,
}

impl Anchors {
    pub fn claim(&mut self, raw: &str) -> String {
        let slug = slugify(raw);
        let mut id = slug.clone();
        let mut n = 2;
        while !self.used.insert(id.clone()) {
            id = format!("{slug}-{n}");
            n += 1;
        }
        id
    }
}
