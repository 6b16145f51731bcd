//! What the process has used so far: CPU time (user + system), peak
//! resident memory and minor page faults, from `getrusage`.

use std::time::Duration;

#[derive(Debug, Clone, Copy)]
pub struct Usage {
    pub cpu: Duration,
    /// Peak resident set size, in KiB.
    pub max_rss_kib: u64,
    /// Minor page faults: pages the kernel mapped (and zeroed) on first touch.
    pub minor_faults: u64,
}

pub fn now() -> Usage {
    // SAFETY: `getrusage` only writes into the struct we hand it, which is
    // plain data for which all-zero bytes are a valid value.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut usage) != 0 {
            return Usage {
                cpu: Duration::ZERO,
                max_rss_kib: 0,
                minor_faults: 0,
            };
        }
        usage
    };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    Usage {
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
        max_rss_kib: usage.ru_maxrss as u64,
        minor_faults: usage.ru_minflt as u64,
    }
}
