//! One run of the binary with its exit code or signal and its peak resident
//! memory. The child is reaped with `wait4`, whose `rusage` is the child's
//! own (`ru_maxrss`, KiB on Linux); output goes to files, so no pipe can
//! fill and block it.
//!
//! `ru_maxrss` is the largest resident set the process had, which on Linux
//! includes what was resident when it was spawned (the test process's
//! pages, shared until `exec` when the child is made with `vfork`): an
//! over-estimate by the test process's size, tens of MiB.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

#[derive(Clone, Debug, Default)]
pub struct Outcome {
    pub args: Vec<String>,
    /// The exit code, or `None` when a signal ended the process.
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub max_rss_kib: u64,
    pub timed_out: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// The command line, shell-quoted enough to read.
    pub fn command(&self) -> String {
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| {
                if a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:".contains(c))
                {
                    a.clone()
                } else {
                    format!("'{}'", a.replace('\'', "'\\''"))
                }
            })
            .collect();
        format!("trailblame {}", args.join(" "))
    }
}

/// Runs `bin args` in `cwd` (so no `trailblame.toml` of the caller's is
/// found) with no store from the environment; kills it after `timeout`.
pub fn run(bin: &Path, args: &[&str], cwd: &Path, timeout: Option<Duration>) -> Outcome {
    let out_path = tempfile::NamedTempFile::new_in(cwd).expect("stdout file");
    let err_path = tempfile::NamedTempFile::new_in(cwd).expect("stderr file");
    let child = Command::new(bin)
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("TRAILBLAME_STORE")
        .env_remove("TRAILBLAME_TIMINGS")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(out_path.reopen().expect("stdout file"))
        .stderr(err_path.reopen().expect("stderr file"))
        .spawn()
        .expect("the binary starts");
    let pid = child.id() as libc::pid_t;
    let timed_out = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (done, watch) = std::sync::mpsc::channel::<()>();
    let watchdog = timeout.map(|t| {
        let flag = timed_out.clone();
        std::thread::spawn(move || {
            if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = watch.recv_timeout(t) {
                flag.store(true, std::sync::atomic::Ordering::SeqCst);
                // SAFETY: `pid` is our child, not reaped yet (the waiting
                // thread reaps it only after this kill makes it exit).
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        })
    });
    let mut status: libc::c_int = 0;
    // SAFETY: a zeroed `rusage` is a valid value for wait4 to fill.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: waits for our own child; `status` and `ru` outlive the call.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
        if r == pid {
            break;
        }
        let e = std::io::Error::last_os_error();
        assert_eq!(
            e.kind(),
            std::io::ErrorKind::Interrupted,
            "wait4 failed: {e}"
        );
    }
    drop(done);
    if let Some(w) = watchdog {
        let _ = w.join();
    }
    drop(child);
    let (code, signal) = if libc::WIFEXITED(status) {
        (Some(libc::WEXITSTATUS(status)), None)
    } else if libc::WIFSIGNALED(status) {
        (None, Some(libc::WTERMSIG(status)))
    } else {
        (None, None)
    };
    let read = |p: &tempfile::NamedTempFile| {
        String::from_utf8_lossy(&std::fs::read(p.path()).unwrap_or_default()).into_owned()
    };
    Outcome {
        args: args.iter().map(|s| s.to_string()).collect(),
        code,
        signal,
        max_rss_kib: ru.ru_maxrss.max(0) as u64,
        timed_out: timed_out.load(std::sync::atomic::Ordering::SeqCst),
        stdout: read(&out_path),
        stderr: read(&err_path),
    }
}
