use std::process::ExitCode;

// Ingest allocates and frees many short-lived buffers across threads.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` (the same position in mimalloc v2 and v3).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // A run allocates in waves (a frame per query, a batch per window):
    // memory handed back to the OS between waves is faulted in again,
    // zeroed, on the next one, which cost a third of a report's time. Read
    // commands keep it until they end; ingest, which streams any volume in
    // bounded memory, hands it back after two seconds idle (1M events:
    // 8.96 s and 955 MiB peak, against 11.7 s / 879 MiB at 250 ms and
    // 8.8 s / 1053 MiB never).
    let delay = match std::env::args().nth(1).as_deref() {
        Some("ingest") => 2000,
        _ => -1,
    };
    // SAFETY: sets a plain option; no allocation is in flight.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, delay) };
    match trailblame::cli::run() {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "error: {}",
                trailblame::output::escape_controls(&format!("{e:#}"))
            );
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
