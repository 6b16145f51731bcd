//! The crate in a real browser, headless Chromium (Debian's `chromium` and
//! `chromium-driver`, with `wasm-bindgen-cli` at the lock file's version:
//! `.ci/run` installs them and runs these tests in its "browser" step):
//!
//! - `wasm_tests_record_their_events`: starts three local servers (one
//!   answers 503 first, one holds its first answer), builds and runs `tests/browser.rs` for wasm32 with
//!   `wasm-bindgen-test-runner` (their URLs baked in), then checks what the
//!   servers recorded for each test's user token.
//! - `example_page_sends_its_clicks_when_left`: builds the example page
//!   (`examples/browser/build.sh`), serves it, drives Chromium through
//!   chromedriver's WebDriver protocol: clicks its buttons, takes a
//!   screenshot (its path is printed), then leaves the page. The clicks
//!   wait for a minute in the sender's queue: the server records them only
//!   if leaving the page sent them.
//!
//! Both are `#[ignore]`d in a plain `cargo test` (they need the browser and
//! build for wasm32): `cargo test -p algolia-insights --test
//! browser_in_chromium -- --ignored --nocapture`.

#![cfg(not(target_arch = "wasm32"))]

use algolia_insights::local::{Fault, Faults, LocalServer};
use axum::http::{header, StatusCode, Uri};
use axum::response::IntoResponse;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const APP_ID: &str = "BROWSERAPP";
const API_KEY: &str = "browser-search-only-key";

/// The programs the tests need: each from its environment variable, the
/// tools directory `.ci/run` installs into, or the `PATH`.
struct Tools {
    chromium: PathBuf,
    chromedriver: PathBuf,
    runner: PathBuf,
    bindgen: PathBuf,
}

fn target_dir() -> PathBuf {
    // CARGO_TARGET_TMPDIR is `<target>/tmp`.
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target directory")
        .to_path_buf()
}

fn find(name: &str, variable: &str, fixed: &[PathBuf]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(variable) {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    fixed
        .iter()
        .cloned()
        .chain(std::env::split_paths(&path).map(|dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

fn tools(test: &str) -> Option<Tools> {
    let ci_tools = std::env::var_os("CI_TOOLS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("ci-tools"))
        .join("bin");
    let chromium = find("chromium", "CHROMIUM", &[]);
    let chromedriver = find("chromedriver", "CHROMEDRIVER", &[]);
    let runner = find(
        "wasm-bindgen-test-runner",
        "WASM_BINDGEN_TEST_RUNNER",
        &[ci_tools.join("wasm-bindgen-test-runner")],
    );
    let bindgen = find(
        "wasm-bindgen",
        "WASM_BINDGEN",
        &[ci_tools.join("wasm-bindgen")],
    );
    match (chromium, chromedriver, runner, bindgen) {
        (Some(chromium), Some(chromedriver), Some(runner), Some(bindgen)) => Some(Tools {
            chromium,
            chromedriver,
            runner,
            bindgen,
        }),
        missing => {
            let message = format!(
                "{test}: chromium, chromedriver, wasm-bindgen-test-runner or wasm-bindgen is missing ({missing:?}): .ci/run installs them"
            );
            if std::env::var("CI").is_ok_and(|ci| ci == "true") {
                panic!("{message}");
            }
            eprintln!("!!! SKIPPED {message}");
            None
        }
    }
}

/// Chromium's flags here: headless, and quiet on the network (no
/// background connections, which the closed network refuses), with a
/// fresh profile.
fn chromium_options(tools: &Tools, profile: &Path) -> Value {
    json!({
        "binary": tools.chromium,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=900,600",
            format!("--user-data-dir={}", profile.display()),
        ],
    })
}

fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a fresh directory");
    dir
}

/// The wasm32 builds go to a target directory of their own, so that they
/// never wait on the lock of the `cargo test` that runs this file.
fn wasm_target_dir() -> PathBuf {
    target_dir().join("browser")
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CARGO_TARGET_DIR", wasm_target_dir());
    command
}

fn run(mut command: Command, what: &str) -> String {
    let output = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("--- {what}\n{stdout}");
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    stdout
}

/// The user token of each recorded event.
fn tokens(server: &LocalServer) -> Vec<String> {
    server
        .events()
        .iter()
        .map(|event| {
            serde_json::to_value(event).expect("an event is JSON")["userToken"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

fn count(tokens: &[String], token: &str) -> usize {
    tokens.iter().filter(|t| *t == token).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and a wasm32 build: .ci/run's browser step runs it"]
async fn wasm_tests_record_their_events() {
    let Some(tools) = tools("wasm_tests_record_their_events") else {
        return;
    };
    let server = LocalServer::builder()
        .credentials(APP_ID, API_KEY)
        .start()
        .await
        .expect("a local server");
    let faulty = LocalServer::builder()
        .credentials(APP_ID, API_KEY)
        .faults(Faults::none().script([Fault::Status(503)]))
        .start()
        .await
        .expect("a faulty local server");
    let slow = LocalServer::builder()
        .credentials(APP_ID, API_KEY)
        .faults(Faults::none().script([Fault::Delay(Duration::from_secs(5))]))
        .start()
        .await
        .expect("a slow local server");
    let dir = fresh_dir("browser-wasm-tests");
    let webdriver = dir.join("webdriver.json");
    std::fs::write(
        &webdriver,
        json!({ "goog:chromeOptions": chromium_options(&tools, &dir.join("profile")) }).to_string(),
    )
    .expect("webdriver.json written");

    let mut command = cargo();
    command
        .args([
            "test",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "algolia-insights",
            "--no-default-features",
            "--test",
            "browser",
        ])
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", &tools.runner)
        .env("CHROMEDRIVER", &tools.chromedriver)
        .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", &webdriver)
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
        .env("ALGOLIA_BROWSER_TEST_SERVER", server.url())
        .env("ALGOLIA_BROWSER_TEST_FAULTY_SERVER", faulty.url())
        .env("ALGOLIA_BROWSER_TEST_SLOW_SERVER", slow.url())
        // Other runners' settings would take these tests elsewhere.
        .env_remove("WASM_BINDGEN_TEST_ONLY_NODE")
        .env_remove("NO_HEADLESS");
    let output =
        tokio::task::spawn_blocking(move || run(command, "wasm-bindgen-test in headless Chromium"))
            .await
            .expect("the run");
    assert!(
        output.contains("test result: ok") || output.contains("tests passed"),
        "{output}"
    );

    // Beacons may land just after the page closed.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut recorded = tokens(&server);
    while count(&recorded, "browser-pagehide") < 3 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        recorded = tokens(&server);
    }
    assert_eq!(count(&recorded, "browser-kinds"), 3, "{recorded:?}");
    assert_eq!(
        count(&recorded, "browser-forgotten"),
        0,
        "deleted: {recorded:?}"
    );
    assert_eq!(count(&recorded, "browser-batched"), 5, "{recorded:?}");
    assert_eq!(count(&recorded, "browser-pagehide"), 3, "{recorded:?}");
    assert_eq!(count(&recorded, "browser-invalid"), 0, "{recorded:?}");
    assert_eq!(count(&recorded, "browser-custom"), 2, "{recorded:?}");
    assert_eq!(count(&recorded, "browser-failover"), 1, "{recorded:?}");
    assert_eq!(
        count(&recorded, "browser-isolated"),
        5,
        "all but the stale one: {recorded:?}"
    );
    assert_eq!(count(&tokens(&faulty), "browser-retried"), 1);
    let statuses: Vec<Option<u16>> = faulty.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Some(503), Some(200)], "a 503, then the retry");
    // Every request came with the credentials in its query string: no 401.
    assert!(
        server.requests().iter().all(|r| r.status != Some(401)),
        "{:?}",
        server.requests()
    );
    server.shutdown().await;
    faulty.shutdown().await;
    slow.shutdown().await;
}

/// A WebDriver session on chromedriver (the W3C protocol over HTTP).
struct Browser {
    http: reqwest::Client,
    session: String,
    _driver: Driver,
}

/// chromedriver, killed when dropped (a failed test included).
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Browser {
    async fn start(tools: &Tools, profile: &Path) -> Browser {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
            listener.local_addr().expect("its address").port()
        };
        let driver = Driver(
            Command::new(&tools.chromedriver)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromedriver starts"),
        );
        // Plain HTTP on loopback; reqwest still wants a crypto provider.
        let _ = rustls_crate::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while http.get(format!("{base}/status")).send().await.is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut browser = Browser {
            http,
            session: base,
            _driver: driver,
        };
        let created = browser
            .call(
                reqwest::Method::POST,
                "/session",
                json!({ "capabilities": { "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": chromium_options(tools, profile),
                }}}),
            )
            .await;
        let id = created["sessionId"]
            .as_str()
            .expect("a session")
            .to_string();
        browser.session = format!("{}/session/{id}", browser.session);
        browser
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.session));
        if !body.is_null() {
            request = request
                .header(header::CONTENT_TYPE.as_str(), "application/json")
                .body(body.to_string());
        }
        let text = request
            .send()
            .await
            .expect("chromedriver answers")
            .text()
            .await
            .expect("an answer");
        let answer: Value = serde_json::from_str(&text).expect("JSON");
        assert!(answer["value"]["error"].is_null(), "{path}: {answer}");
        answer["value"].clone()
    }

    async fn open(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", json!({ "url": url }))
            .await;
    }

    async fn elements(&self, css: &str) -> Vec<String> {
        let found = self
            .call(
                reqwest::Method::POST,
                "/elements",
                json!({ "using": "css selector", "value": css }),
            )
            .await;
        found
            .as_array()
            .expect("a list")
            .iter()
            .map(|element| {
                element["element-6066-11e4-a52e-4f735466cecf"]
                    .as_str()
                    .expect("an element id")
                    .to_string()
            })
            .collect()
    }

    async fn text(&self, css: &str) -> String {
        let Some(element) = self.elements(css).await.into_iter().next() else {
            return String::new();
        };
        let path = format!("/element/{element}/text");
        self.call(reqwest::Method::GET, &path, Value::Null)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    async fn click(&self, element: &str) {
        let path = format!("/element/{element}/click");
        self.call(reqwest::Method::POST, &path, json!({})).await;
    }

    async fn screenshot(&self) -> Vec<u8> {
        let png = self
            .call(reqwest::Method::GET, "/screenshot", Value::Null)
            .await;
        base64_decode(png.as_str().expect("base64"))
    }

    async fn wait_for_text(&self, css: &str, wanted: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let text = self.text(css).await;
            if text.contains(wanted) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "{css} says {text:?}, not {wanted:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Ends the session (closing Chromium), then chromedriver.
    async fn quit(self) {
        let _ = self.http.delete(self.session.clone()).send().await;
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        }
    };
    let clean: Vec<u8> = text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &c)| n | (value(c) << (18 - 6 * i)));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len() - 1]);
    }
    out
}

/// Serves the files of `dir` on a free loopback port.
async fn serve_dir(dir: PathBuf) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let url = format!("http://{}", listener.local_addr().expect("its address"));
    let app = axum::Router::new().fallback(move |uri: Uri| {
        let dir = dir.clone();
        async move {
            let name = uri.path().trim_start_matches('/');
            let name = if name.is_empty() { "index.html" } else { name };
            if name.contains("..") {
                return StatusCode::NOT_FOUND.into_response();
            }
            let kind = match name.rsplit('.').next() {
                Some("html") => "text/html; charset=utf-8",
                Some("js") => "text/javascript",
                Some("wasm") => "application/wasm",
                _ => "application/octet-stream",
            };
            match std::fs::read(dir.join(name)) {
                Ok(bytes) => ([(header::CONTENT_TYPE, kind)], bytes).into_response(),
                Err(_) => StatusCode::NOT_FOUND.into_response(),
            }
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and a wasm32 build: .ci/run's browser step runs it"]
async fn example_page_sends_its_clicks_when_left() {
    let Some(tools) = tools("example_page_sends_its_clicks_when_left") else {
        return;
    };
    let dir = fresh_dir("browser-example");
    let site = dir.join("site");
    let mut build = Command::new("bash");
    build
        .arg("examples/browser/build.sh")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env(
            "CARGO",
            std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()),
        )
        .env("CARGO_TARGET_DIR", wasm_target_dir())
        .env("BROWSER_PAGE_OUT", site.join("pkg"))
        .env(
            "PATH",
            std::env::join_paths(
                std::iter::once(tools.bindgen.parent().expect("a directory").to_path_buf()).chain(
                    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
                ),
            )
            .expect("a PATH"),
        );
    tokio::task::spawn_blocking(move || run(build, "examples/browser/build.sh"))
        .await
        .expect("the build");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/browser/index.html"),
        site.join("index.html"),
    )
    .expect("the page copied");

    // The page's credentials are placeholders; this server takes any.
    let server = LocalServer::start().await.expect("a local server");
    let page = serve_dir(site).await;
    let browser = Browser::start(&tools, &dir.join("profile")).await;
    browser
        .open(&format!("{page}/index.html?host={}", server.url()))
        .await;
    browser.wait_for_text("#status", "ready").await;
    let buttons = browser.elements("button[data-object]").await;
    assert_eq!(buttons.len(), 3);
    for button in buttons.iter().chain(&buttons[..1]) {
        browser.click(button).await;
    }
    let status = browser.wait_for_text("#status", "4 clicks recorded").await;
    println!("the page says: {status}");
    let png = browser.screenshot().await;
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    let shot = dir.join("example-page.png");
    std::fs::write(&shot, &png).expect("the screenshot written");
    println!(
        "screenshot of the example page: {} ({} bytes)",
        shot.display(),
        png.len()
    );
    // Queued for a minute: nothing has gone yet.
    assert_eq!(server.event_count(), 0, "sent before the page was left");

    // Leaving the page sends them.
    browser.open("about:blank").await;
    let events = server
        .wait_for_events(4, Duration::from_secs(15))
        .await
        .expect("the clicks arrive once the page is left");
    let recorded = tokens(&server);
    assert_eq!(count(&recorded, "example-visitor"), 4, "{recorded:?}");
    assert_eq!(events.len(), 4);
    println!("recorded after the page was left: {} events", events.len());
    browser.quit().await;
    server.shutdown().await;
}
