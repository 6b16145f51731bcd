//! Pinning: the sink (this process) to one core, each measured client to
//! another, so that the client's CPU time is its own and the two never
//! compete for a core.

/// The core the measured client runs on (`taskset -c 0`).
pub const CLIENT_CORE: usize = 0;
/// The core the sink runs on.
pub const SINK_CORE: usize = 1;

/// Pins the calling thread (and the threads it starts afterwards) to `core`;
/// what `taskset -c <core>` does for a new process. `false` when the
/// machine refuses (fewer cores, a restricted cpuset).
pub fn pin_current_thread(core: usize) -> bool {
    // SAFETY: `cpu_set_t` is plain data (all-zero is the empty set), and
    // `sched_setaffinity` only reads the set we hand it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(core, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0
    }
}

/// Whether the `taskset` command is there to start pinned children with.
pub fn have_taskset() -> bool {
    std::process::Command::new("taskset")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}
