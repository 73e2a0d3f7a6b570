//! Allocator settings (the binary uses mimalloc, v3).

/// `mi_option_purge_delay` (the same position in mimalloc v2 and v3).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
/// `mi_option_allow_thp` (mimalloc v3; `libmimalloc-sys` names no constant).
const MI_OPTION_ALLOW_THP: libmimalloc_sys::mi_option_t = 43;

/// Sets the allocator up for `command` before any real work.
///
/// Purge delay: how long freed memory stays with the process before
/// mimalloc returns it to the OS. A run allocates in waves (a frame per
/// query, a batch per window): memory handed back between waves is faulted
/// in again, zeroed, on the next one, which cost a third of a report's time.
/// Read commands keep it until they end. Ingest keeps it for 30 s, which
/// in practice means until the events are written: its live memory is
/// bounded (windows of files, buffered day parts), so what it keeps is
/// reused, not added to. Attribution then reuses it too when it fits, and
/// `release_unless_it_fits` hands it back first when it does not. With 1M
/// events, purging after 500 ms cost 0.4 s in page faults (6.4 s and
/// 833 MiB peak against 6.0 s / 1013 MiB never purged, before the windows
/// were halved to bring the peak back down). mimalloc only purges memory
/// that was freed while the delay was positive, so it is never turned off
/// ("never" would also keep the release from working).
///
/// Transparent huge pages: off. mimalloc asks for them on its arenas, and
/// the kernel then zeroes 2 MiB at every first touch and again after every
/// purge; with them on, a 1M-event ingest spent 2.6–3.4 s in the kernel,
/// with them off 1.3 s, and ran about 1 s faster with a lower peak.
pub fn tune(command: Option<&str>) {
    let delay = match command {
        Some("ingest") => 30_000,
        _ => -1,
    };
    // SAFETY: sets plain options, read by mimalloc when it next maps or
    // purges memory.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, delay);
        libmimalloc_sys::mi_option_set(MI_OPTION_ALLOW_THP, 0);
    }
    // The arena mapped before `main` may already be marked for huge pages;
    // this turns them off for the whole process, existing mappings included.
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and touches no memory.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// Before the process ends: nothing freed is handed back to the OS any
/// more. mimalloc's exit hook otherwise returns every page freed within the
/// purge delay, one `madvise` (and TLB shootdown) at a time, just before
/// the kernel takes the whole address space back anyway: after a Goose
/// database of 300 MB that was 50 ms of the run, on the main thread.
pub fn before_exit() {
    // SAFETY: sets a plain option; a negative delay means "never purge".
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
}

/// Between two stages whose peaks could add up: when the next one needs
/// more than the process holds now (`need` bytes), the memory freed so far
/// goes back to the OS at once instead of after the purge delay; when it
/// fits, it is kept for the next stage to reuse, which saves faulting in
/// and zeroing fresh pages. Returns whether memory was released.
pub fn release_unless_it_fits(need: u64) -> bool {
    if resident_bytes().is_some_and(|held| need <= held) {
        return false;
    }
    release();
    true
}

/// Hands the memory freed so far back to the OS now.
pub fn release() {
    // SAFETY: mimalloc's collect takes no pointers and may run at any time;
    // forced, it also purges the arenas' free pages, whichever thread freed
    // them.
    unsafe { libmimalloc_sys::mi_collect(true) };
}

/// Resident memory now, from /proc (Linux only).
#[cfg(target_os = "linux")]
pub fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf reads a constant.
    let page = u64::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).ok()?;
    Some(pages * page)
}

#[cfg(not(target_os = "linux"))]
pub fn resident_bytes() -> Option<u64> {
    None
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn memory_goes_back_only_when_the_next_stage_does_not_fit() {
        let held = resident_bytes().expect("/proc/self/statm");
        assert!(held > 0);
        assert!(!release_unless_it_fits(0), "nothing needed: keep");
        assert!(!release_unless_it_fits(held / 2), "fits: keep");
        assert!(release_unless_it_fits(u64::MAX), "cannot fit: release");
    }
}
