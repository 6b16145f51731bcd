//! What the CLI tests share: input files with known good and bad lines, and
//! running the `algolia-insights` binary.

#![allow(dead_code)] // Each test file uses its own part of this.

use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A JSON Lines input and what the CLI must make of it.
pub struct Fixture {
    pub bytes: Vec<u8>,
    /// The valid lines, as written.
    pub valid: Vec<String>,
    /// The line numbers of invalid lines.
    pub rejected_lines: Vec<u64>,
    /// The invalid lines, as written, each followed by `\n`.
    pub rejected_bytes: Vec<u8>,
    pub blank_lines: u64,
}

/// The wrong lines mixed into fixtures: each must be rejected with a reason
/// containing the text beside it.
pub fn bad_lines() -> Vec<(Vec<u8>, &'static str)> {
    let view = |extra: serde_json::Value| {
        let mut event = json!({"eventName": "Viewed", "eventType": "view", "index": "products", "objectIDs": ["a"], "userToken": "user-1"});
        for (key, value) in extra.as_object().unwrap() {
            event[key] = value.clone();
        }
        event.to_string().into_bytes()
    };
    vec![
        (b"not json".to_vec(), "not valid JSON"),
        (
            json!({"eventName": "Clicked", "eventType": "click", "index": "p", "objectIDs": ["a", "b"], "positions": [1], "queryID": "7f3c2a9e51b04d6c8e2f1a0b9c8d7e6f", "userToken": "u"}).to_string().into_bytes(),
            "positions: 1 item, but `objectIDs` has 2",
        ),
        (view(json!({"eventType": "scroll"})), "`eventType` is `scroll`"),
        (view(json!({"userToken": "jane@example.com"})), "userToken: `jane@example.com` does not match"),
        (view(json!({"objectIDs": (0..21).map(|i| format!("o{i}")).collect::<Vec<_>>()})), "objectIDs: 21 items, at most 20"),
        (view(json!({"timestamp": 1_700_000_000})), "looks like seconds"),
        (view(json!({"color": "red"})), "unknown field `color`"),
        (b"{\"eventName\": \"Viewed\", \"eventType\":".to_vec(), "not valid JSON"),
        (b"{\"eventName\": \"Vi\xffewed\"}".to_vec(), "not UTF-8"),
        (b"[1, 2]".to_vec(), "invalid type"),
    ]
}

/// A valid event of one of several kinds, different for each `i`.
pub fn good_line(i: u64) -> String {
    let user = format!("user-{}", i % 97);
    match i % 4 {
        0 => json!({"eventName": "Product Viewed", "eventType": "view", "index": "products", "objectIDs": [format!("sku-{i}")], "userToken": user}),
        1 => json!({"eventName": "Product Clicked", "eventType": "click", "index": "products", "objectIDs": [format!("sku-{i}"), "sku-x"], "positions": [1, 4], "queryID": "7f3c2a9e51b04d6c8e2f1a0b9c8d7e6f", "userToken": user}),
        2 => json!({"eventName": "Product Purchased", "eventType": "conversion", "eventSubtype": "purchase", "index": "products", "objectIDs": [format!("sku-{i}")], "objectData": [{"price": 19.99, "quantity": 2}], "currency": "USD", "userToken": user}),
        _ => json!({"eventName": "Agent Session Started", "eventType": "instantsearch", "userToken": user, "agentID": format!("agent-{i}")}),
    }
    .to_string()
}

/// `lines` lines: every `bad_every`-th one wrong (0: none), a blank line every 500.
pub fn fixture(lines: u64, bad_every: u64) -> Fixture {
    let bad = bad_lines();
    let mut fixture = Fixture {
        bytes: Vec::new(),
        valid: Vec::new(),
        rejected_lines: Vec::new(),
        rejected_bytes: Vec::new(),
        blank_lines: 0,
    };
    for number in 1..=lines {
        if number % 500 == 0 {
            fixture.bytes.push(b'\n');
            fixture.blank_lines += 1;
        } else if bad_every > 0 && number % bad_every == 0 {
            let (line, _) = &bad[(number / bad_every) as usize % bad.len()];
            fixture.bytes.extend_from_slice(line);
            fixture.bytes.push(b'\n');
            fixture.rejected_bytes.extend_from_slice(line);
            fixture.rejected_bytes.push(b'\n');
            fixture.rejected_lines.push(number);
        } else {
            let line = good_line(number);
            fixture.bytes.extend_from_slice(line.as_bytes());
            fixture.bytes.push(b'\n');
            fixture.valid.push(line);
        }
    }
    fixture
}

/// A fresh directory under the target directory, for files of one test.
pub fn scratch_dir(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{test}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The binary under test, without credentials from the environment.
pub fn cli() -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_algolia-insights"));
    command
        .env_remove("ALGOLIA_APP_ID")
        .env_remove("ALGOLIA_API_KEY")
        .kill_on_drop(true);
    command
}

/// Runs it to the end.
pub async fn run(command: &mut tokio::process::Command) -> Output {
    command.output().await.expect("the binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
