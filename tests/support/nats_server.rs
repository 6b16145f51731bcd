//! Real `nats-server` processes (Debian's package, installed by `.ci/run`)
//! for the JetStream tests: each on free loopback ports, with its own store
//! directory, JetStream on; alone or as a cluster; killed with SIGKILL and
//! restarted on the same ports and store; stopped when dropped.
//!
//! Without `nats-server` on the PATH a test fails in CI (`CI=true`) and
//! says loudly that it skipped elsewhere: see [`available`].

#![allow(dead_code)] // Each test file uses its own part.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether `nats-server` can run here. In CI a missing server fails the
/// test; elsewhere the test prints that it skipped, and returns.
pub fn available(test: &str) -> bool {
    let found = Command::new("nats-server")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if found {
        return true;
    }
    if std::env::var("CI").is_ok_and(|ci| ci == "true") {
        panic!("{test}: nats-server is not installed, and CI=true: `.ci/run` installs it (apt-get install nats-server)");
    }
    eprintln!();
    eprintln!("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
    eprintln!("!!! SKIPPED {test}: nats-server is not installed.");
    eprintln!("!!! Install it (apt-get install nats-server) to run the JetStream tests.");
    eprintln!("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
    false
}

/// A port free on 127.0.0.1 now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A directory of its own under the test target's, emptied.
pub fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("nats")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One `nats-server` process.
pub struct NatsServer {
    pub name: String,
    pub port: u16,
    args: Vec<String>,
    log: PathBuf,
    child: Option<Child>,
}

impl NatsServer {
    /// A server alone, JetStream on, storing under `dir`.
    pub fn start(dir: &Path) -> NatsServer {
        let port = free_port();
        let mut server = NatsServer::new("n0", port, dir, Vec::new());
        server.run();
        server
    }

    /// `n` servers in one cluster, each storing under its own part of `dir`.
    pub fn cluster(n: usize, dir: &Path) -> Vec<NatsServer> {
        let ports: Vec<(u16, u16)> = (0..n).map(|_| (free_port(), free_port())).collect();
        let routes = ports
            .iter()
            .map(|(_, route)| format!("nats://127.0.0.1:{route}"))
            .collect::<Vec<_>>()
            .join(",");
        let mut servers: Vec<NatsServer> = ports
            .iter()
            .enumerate()
            .map(|(i, (port, route))| {
                let extra = vec![
                    "--cluster_name".into(),
                    "insights-test".into(),
                    "--cluster".into(),
                    format!("nats://127.0.0.1:{route}"),
                    "--routes".into(),
                    routes.clone(),
                ];
                NatsServer::new(&format!("n{i}"), *port, dir, extra)
            })
            .collect();
        for server in &mut servers {
            server.spawn();
        }
        for server in &mut servers {
            server.wait_ready();
        }
        servers
    }

    fn new(name: &str, port: u16, dir: &Path, extra: Vec<String>) -> NatsServer {
        let store = dir.join(name);
        std::fs::create_dir_all(&store).unwrap();
        let log = dir.join(format!("{name}.log"));
        let mut args = vec![
            "--server_name".to_string(),
            name.to_string(),
            "-a".into(),
            "127.0.0.1".into(),
            "-p".into(),
            port.to_string(),
            "-js".into(),
            "-sd".into(),
            store.display().to_string(),
            "-l".into(),
            log.display().to_string(),
        ];
        args.extend(extra);
        NatsServer {
            name: name.to_string(),
            port,
            args,
            log,
            child: None,
        }
    }

    /// CPU time (user + system) the running process has used, from /proc.
    pub fn cpu(&self) -> Duration {
        let Some(pid) = self.child.as_ref().map(Child::id) else {
            return Duration::ZERO;
        };
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // The fields after the command's closing parenthesis: utime and
        // stime are the 12th and 13th, in clock ticks (100 per second).
        let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        let fields: Vec<u64> = rest
            .split_whitespace()
            .map(|f| f.parse().unwrap_or(0))
            .collect();
        let ticks = fields.get(11).unwrap_or(&0) + fields.get(12).unwrap_or(&0);
        Duration::from_millis(ticks * 10)
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    fn run(&mut self) {
        self.spawn();
        self.wait_ready();
    }

    fn spawn(&mut self) {
        let _ = std::fs::remove_file(&self.log);
        let child = Command::new("nats-server")
            .args(&self.args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server starts");
        self.child = Some(child);
    }

    /// Waits until the server says it is ready and takes connections.
    fn wait_ready(&mut self) {
        let started = Instant::now();
        loop {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            if log.contains("Server is ready")
                && TcpStream::connect(("127.0.0.1", self.port)).is_ok()
            {
                return;
            }
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().unwrap()) {
                panic!("nats-server {} exited ({status}): {log}", self.name);
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "nats-server {} not ready after 30 s: {log}",
                self.name
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGKILL: the process stops at once, without a word to its peers.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again, on the same ports with the same store.
    pub fn restart(&mut self) {
        self.kill();
        self.run();
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
    }
}
