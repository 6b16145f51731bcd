//! The `cli` scenario: the command-line tool's `send` of a JSON Lines file
//! of the same events to the same sink. The file is written before the
//! clock starts; the timed section is the whole process (start, reading and
//! checking every line, sending, exit), its CPU and peak RSS from `wait4`.
//! The tool runs on the client's pinned core with its defaults (batches of
//! 1000, 4 requests in flight); it is the release build next to this
//! benchmark (`cargo build --release -p algolia-insights-cli`), or `--cli PATH`.

use crate::events::typed;
use crate::Run;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The tool: `--cli PATH`, else `algolia-insights` beside the benchmark's own directory.
pub fn binary(given: Option<String>) -> PathBuf {
    let path = given.map(PathBuf::from).unwrap_or_else(|| {
        let exe = std::env::current_exe().expect("the benchmark's own path");
        // target/release/deps/throughput-<hash> -> target/release/algolia-insights
        exe.parent()
            .and_then(Path::parent)
            .expect("the benchmark is in target/<profile>/deps")
            .join("algolia-insights")
    });
    assert!(
        path.is_file(),
        "the cli scenario needs the tool: `cargo build --release -p algolia-insights-cli` (or --cli PATH); {} does not exist",
        path.display()
    );
    path
}

/// A JSON Lines file of events 0..n, written once per size.
pub fn input(n: u64) -> PathBuf {
    let path = input_path(n);
    if !path.exists() {
        let mut file =
            std::io::BufWriter::new(std::fs::File::create(&path).expect("the input file"));
        for i in 0..n {
            serde_json::to_writer(&mut file, &typed(i)).expect("an event serializes");
            file.write_all(b"\n").expect("the input file");
        }
        file.flush().expect("the input file");
    }
    path
}

/// Where the file of `n` events is, for this run of the benchmark.
pub fn input_path(n: u64) -> PathBuf {
    std::env::temp_dir().join(format!(
        "algolia-insights-throughput-{}-{n}.jsonl",
        std::process::id()
    ))
}

/// Runs `send` once and measures it.
pub fn run(cli: &Path, input: &Path, url: &str, taskset: bool) -> Run {
    let mut command = if taskset {
        let mut command = Command::new("taskset");
        command
            .args(["-c", &crate::pin::CLIENT_CORE.to_string()])
            .arg(cli);
        command
    } else {
        Command::new(cli)
    };
    command
        .arg("send")
        .arg(input)
        .args(["--host", url, "--app-id", "BENCH", "--api-key", "bench-key"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let child = command.spawn().expect("the tool starts");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `wait4` writes the status and the usage of the child it waited
    // for into the two values we hand it; all-zero bytes are a valid `rusage`.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        let waited = libc::wait4(pid, &mut status, 0, &mut usage);
        assert_eq!(waited, pid, "wait4: {}", std::io::Error::last_os_error());
        usage
    };
    let seconds = started.elapsed().as_secs_f64();
    let output = child.wait_with_output();
    let success = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    if !success {
        let text = output
            .map(|o| {
                format!(
                    "{}{}",
                    String::from_utf8_lossy(&o.stdout),
                    String::from_utf8_lossy(&o.stderr)
                )
            })
            .unwrap_or_default();
        panic!("cli: the tool failed (wait status {status}): {text}");
    }
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    Run {
        seconds,
        cpu_seconds: (time(usage.ru_utime) + time(usage.ru_stime)).as_secs_f64(),
        max_rss_kib: usage.ru_maxrss as u64,
        minor_faults: usage.ru_minflt as u64,
        disk_bytes_per_event: None,
        read_back_per_event: None,
    }
}
