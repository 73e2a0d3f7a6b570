//! Allocator settings (the binary uses mimalloc).

/// `mi_option_purge_delay` (the same position in mimalloc v2 and v3).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long freed memory stays with the process before mimalloc returns it
/// to the OS, by subcommand. A run allocates in waves (a frame per query, a
/// batch per window): memory handed back between waves is faulted in
/// again, zeroed, on the next one, which cost a third of a report's time.
/// Read commands keep it until they end; ingest, which streams any volume
/// in bounded memory, hands it back after two seconds idle (1M events:
/// 8.96 s and 955 MiB peak, against 11.7 s / 879 MiB at 250 ms and
/// 8.8 s / 1053 MiB never).
pub fn tune(command: Option<&str>) {
    let delay = match command {
        Some("ingest") => 2000,
        _ => -1,
    };
    // SAFETY: sets a plain option, read by mimalloc when it next purges.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, delay) };
}
