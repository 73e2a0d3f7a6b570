//! Progress on stderr for long work: `auto` draws a bar only when stderr is a
//! terminal, `on` always reports (plain lines once a second when stderr is
//! not a terminal, for CI logs), `off` and `--quiet` never do.

use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};
use std::io::{IsTerminal, Write};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ProgressMode {
    #[default]
    Auto,
    On,
    Off,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Progress {
    pub mode: ProgressMode,
    pub quiet: bool,
}

impl Progress {
    fn target(&self) -> Option<ProgressDrawTarget> {
        let tty = std::io::stderr().is_terminal();
        match (self.mode, self.quiet, tty) {
            (ProgressMode::Off, _, _) | (_, true, _) | (ProgressMode::Auto, false, false) => None,
            (_, false, true) => Some(ProgressDrawTarget::stderr()),
            (ProgressMode::On, false, false) => Some(ProgressDrawTarget::term_like_with_hz(
                Box::new(PlainLines),
                1,
            )),
        }
    }

    /// A spinner for work whose size is not known in advance.
    pub fn spinner(&self, message: &'static str) -> ProgressBar {
        let Some(target) = self.target() else {
            return ProgressBar::hidden();
        };
        let bar = ProgressBar::with_draw_target(None, target);
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(message);
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        bar
    }

    /// A byte-counting bar; hidden when progress is off.
    pub fn bar(&self, total_bytes: u64, message: &'static str) -> ProgressBar {
        let Some(target) = self.target() else {
            return ProgressBar::hidden();
        };
        let bar = ProgressBar::with_draw_target(Some(total_bytes), target);
        bar.set_style(
            ProgressStyle::with_template(
                "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_message(message);
        bar
    }
}

/// Writes each redraw as a plain line, for logs that are not terminals.
#[derive(Debug)]
struct PlainLines;

impl TermLike for PlainLines {
    fn width(&self) -> u16 {
        100
    }
    fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn write_line(&self, s: &str) -> std::io::Result<()> {
        if s.trim().is_empty() {
            return Ok(());
        }
        writeln!(std::io::stderr(), "{s}")
    }
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.write_line(s)
    }
    fn clear_line(&self) -> std::io::Result<()> {
        Ok(())
    }
    fn flush(&self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// Time per stage on stderr when `TRAILBLAME_TIMINGS` is set, for finding
/// where a long command spends its time; silent otherwise.
pub struct Clock {
    /// Wall clock and process CPU seconds at the previous lap.
    last: Option<(std::time::Instant, Option<f64>)>,
}

impl Clock {
    pub fn new() -> Clock {
        Clock {
            last: std::env::var_os("TRAILBLAME_TIMINGS")
                .map(|_| (std::time::Instant::now(), cpu_seconds())),
        }
    }

    /// Prints the time since the previous lap (or since `new`), how many
    /// cores were busy on average, and the memory the process holds now.
    pub fn lap(&mut self, what: &str) {
        let Some((t, cpu)) = self.last else {
            return;
        };
        let wall = t.elapsed().as_secs_f64();
        let now = cpu_seconds();
        let mut notes = Vec::new();
        if let (Some(a), Some(b)) = (cpu, now)
            && wall > 0.0
        {
            notes.push(format!("{:.1} cores", (b - a) / wall));
        }
        if let Some(mib) = resident_mib() {
            notes.push(format!("{mib} MiB resident"));
        }
        if notes.is_empty() {
            eprintln!("{what}: {wall:.2} s");
        } else {
            eprintln!("{what}: {wall:.2} s ({})", notes.join(", "));
        }
        self.last = Some((std::time::Instant::now(), now));
    }
}

impl Default for Clock {
    fn default() -> Clock {
        Clock::new()
    }
}

/// User and system CPU time of the whole process so far.
#[cfg(target_os = "linux")]
fn cpu_seconds() -> Option<f64> {
    // SAFETY: getrusage fills the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } != 0 {
        return None;
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Some(secs(u.ru_utime) + secs(u.ru_stime))
}

#[cfg(not(target_os = "linux"))]
fn cpu_seconds() -> Option<f64> {
    None
}

fn resident_mib() -> Option<u64> {
    crate::alloc::resident_bytes().map(|b| b >> 20)
}
