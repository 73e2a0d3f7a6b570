//! How text output fits the screen it is read on: the width tables and the
//! timeline are fitted to and whether they are coloured. Settled once per
//! run from the command line (`--wide`, `--color`) and the environment
//! (`COLUMNS`, `NO_COLOR`, whether stdout is a terminal), then passed to
//! the renderers as a plain value; nothing here is global.
//!
//! The rules are the ones ripgrep, fd and DuckDB users expect: on a
//! terminal, rows fit its width (cells are cut in the middle, so both the
//! start and the distinguishing end of an ARN stay visible); piped or
//! written to a file, nothing is cut; `COLUMNS` overrides the measured
//! width; `--wide` never cuts. Colour only on a terminal, never with
//! `NO_COLOR` set, `--color always|never` to decide.

use crate::document::escape::{char_width, width};
use std::io::IsTerminal;

/// `--color`: when text output is coloured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorMode {
    /// On a terminal, unless NO_COLOR is set
    #[default]
    Auto,
    Always,
    Never,
}

/// How text output is shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Display {
    /// Rows of a table are fitted to this many columns; `None`: never cut.
    pub width: Option<usize>,
    /// ANSI colour (bold headers, severities) in tables.
    pub color: bool,
}

/// What the display is decided from (read by `detect`, given by tests).
#[derive(Clone, Debug, Default)]
pub struct Environment {
    /// `$COLUMNS`, when set.
    pub columns: Option<String>,
    /// `$NO_COLOR` is set and not empty.
    pub no_color: bool,
    /// The width of the terminal stdout is, when it is one.
    pub tty_width: Option<usize>,
}

impl Environment {
    /// This process's environment.
    pub fn current() -> Environment {
        let tty_width = if std::io::stdout().is_terminal() {
            terminal_size::terminal_size().map(|(w, _)| w.0 as usize)
        } else {
            None
        };
        Environment {
            columns: std::env::var("COLUMNS").ok(),
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            tty_width,
        }
    }
}

/// Narrowest width tables are fitted to.
pub const MIN_WIDTH: usize = 40;

impl Display {
    /// The display for `--wide` and `--color` in `env`.
    pub fn detect(wide: bool, color: ColorMode, env: &Environment) -> Display {
        let columns = env
            .columns
            .as_deref()
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|w| *w > 0);
        let width = if wide {
            None
        } else {
            columns.or(env.tty_width).map(|w| w.max(MIN_WIDTH))
        };
        let color = match color {
            ColorMode::Always => true,
            ColorMode::Never => false,
            ColorMode::Auto => env.tty_width.is_some() && !env.no_color,
        };
        Display { width, color }
    }

    /// The display for output written to `file` (or stdout): a file is
    /// never cut nor coloured.
    pub fn for_output(self, file: Option<&std::path::Path>) -> Display {
        match file {
            Some(_) => Display::default(),
            None => self,
        }
    }

    /// The width of a text document (the timeline): the table width, 120
    /// when not on a terminal, and no limit with `--wide`.
    pub fn document_width(self, wide: bool) -> usize {
        match (wide, self.width) {
            (true, _) => 100_000,
            (false, Some(w)) => w,
            (false, None) => 120,
        }
    }
}

/// `s` (already escaped) cut to `max` columns by taking characters out of
/// the middle, marked `…`: a quarter of the room keeps the start, the rest
/// the end, where ARNs, paths and names say which one they are.
pub fn cut_middle(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max <= 1 {
        return "…".chars().take(max).collect();
    }
    let room = max - 1;
    let head_room = room / 4;
    let tail_room = room - head_room;
    let mut head = String::new();
    let mut used = 0;
    for ch in s.chars() {
        let w = char_width(ch);
        if used + w > head_room {
            break;
        }
        used += w;
        head.push(ch);
    }
    let mut tail: Vec<char> = Vec::new();
    let mut used = 0;
    for ch in s.chars().rev() {
        let w = char_width(ch);
        if used + w > tail_room {
            break;
        }
        used += w;
        tail.push(ch);
    }
    head.push('…');
    head.extend(tail.into_iter().rev());
    head
}

/// `text` in bold (for a header), when colour is on.
pub fn bold(text: &str, on: bool) -> String {
    if on {
        format!("\u{1b}[1m{text}\u{1b}[0m")
    } else {
        text.to_string()
    }
}

/// A severity or actor-kind cell coloured by what it says, when colour is
/// on: critical red, high yellow, `ai` magenta. Other cells are left alone.
pub fn tint(cell: &str, on: bool) -> String {
    let code = match cell.trim() {
        "critical" => "31;1",
        "high" => "33",
        "ai" => "35",
        _ => return cell.to_string(),
    };
    if on {
        format!("\u{1b}[{code}m{cell}\u{1b}[0m")
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(columns: Option<&str>, tty: Option<usize>) -> Environment {
        Environment {
            columns: columns.map(str::to_string),
            no_color: false,
            tty_width: tty,
        }
    }

    #[test]
    fn columns_beats_the_terminal_and_wide_beats_both() {
        let auto = ColorMode::Auto;
        assert_eq!(
            Display::detect(false, auto, &env(Some("90"), Some(200))).width,
            Some(90)
        );
        assert_eq!(
            Display::detect(false, auto, &env(None, Some(200))).width,
            Some(200)
        );
        assert_eq!(Display::detect(false, auto, &env(None, None)).width, None);
        assert_eq!(
            Display::detect(true, auto, &env(Some("90"), Some(200))).width,
            None
        );
        assert_eq!(
            Display::detect(false, auto, &env(Some("10"), None)).width,
            Some(MIN_WIDTH)
        );
    }

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        let mut e = env(None, Some(100));
        assert!(Display::detect(false, ColorMode::Auto, &e).color);
        e.no_color = true;
        assert!(!Display::detect(false, ColorMode::Auto, &e).color);
        assert!(Display::detect(false, ColorMode::Always, &e).color);
        let piped = env(None, None);
        assert!(!Display::detect(false, ColorMode::Auto, &piped).color);
    }

    #[test]
    fn middle_cut_keeps_both_ends() {
        let arn = "arn:aws:iam::215834090671:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_72d39c4d7306e643";
        let c = cut_middle(arn, 60);
        assert_eq!(width(&c), 60, "{c}");
        assert!(c.starts_with("arn:aws:iam::"), "{c}");
        assert!(c.ends_with("AdministratorAccess_72d39c4d7306e643"), "{c}");
        assert_eq!(cut_middle("short", 60), "short");
    }
}
