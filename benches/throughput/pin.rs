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

/// Runs this benchmark's own binary with `args` as a measured client, on
/// [`CLIENT_CORE`] when `taskset` is there: its standard output, and the
/// fields of its `RESULT` line. Panics with what it printed when it fails
/// (`what` names the run).
pub fn run_client(args: &[String], taskset: bool, what: &str) -> (String, Vec<String>) {
    let exe = std::env::current_exe().expect("the benchmark's own path");
    let mut command = if taskset {
        let mut command = std::process::Command::new("taskset");
        command.args(["-c", &CLIENT_CORE.to_string()]).arg(exe);
        command
    } else {
        std::process::Command::new(exe)
    };
    let output = command
        .args(args)
        .output()
        .expect("the benchmark runs itself");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        panic!(
            "{what} failed: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let fields = stdout
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .expect("a RESULT line")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    (stdout, fields)
}
