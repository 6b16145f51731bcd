//! `validate`, `delete-user-token` and `serve` end to end.

mod support;

use algolia_insights::local::LocalServer;
use algolia_insights::models::{EventName, InsightsEvents, UserToken, ViewedObjectIDs};
use algolia_insights::Client;
use std::process::Stdio;
use std::time::Duration;
use support::{bad_lines, cli, fixture, run, scratch_dir, stderr, stdout};
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::ChildStdout;

/// Long enough never to be reached on a working machine; no test measures time.
const PATIENCE: Duration = Duration::from_secs(30);

#[tokio::test]
async fn validate_reports_every_bad_line_and_sends_nothing() {
    let dir = scratch_dir("validate");
    let input = fixture(1_000, 7);
    let path = dir.join("events.jsonl");
    std::fs::write(&path, &input.bytes).unwrap();
    let output = run(cli().arg("validate").arg(&path)).await;
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    let reported: Vec<&str> = out.lines().filter(|l| l.starts_with("line ")).collect();
    assert_eq!(reported.len(), input.rejected_lines.len(), "{out}");
    let bad = bad_lines();
    for (line, number) in reported.iter().zip(&input.rejected_lines) {
        let (_, reason) = &bad[(number / 7) as usize % bad.len()];
        assert!(line.starts_with(&format!("line {number}: ")), "{line}");
        assert!(line.contains(reason), "{line} does not say {reason}");
    }
    assert!(
        out.ends_with(&format!(
            "{}: 1000 lines, {} valid events, {} invalid lines, {} blank lines skipped\n",
            path.display(),
            input.valid.len(),
            input.rejected_lines.len(),
            input.blank_lines
        )),
        "{out}"
    );

    let clean = dir.join("clean.jsonl");
    std::fs::write(&clean, fixture(300, 0).bytes).unwrap();
    let output = run(cli().arg("validate").arg(&clean)).await;
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

fn view(user: &str) -> algolia_insights::models::EventsItems {
    ViewedObjectIDs::new(
        EventName::new("Viewed").unwrap(),
        "products",
        ["a"],
        UserToken::new(user.to_owned()).unwrap(),
    )
    .into()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_user_token_prints_the_rate_limit_and_refuses_bad_tokens() {
    let server = LocalServer::start().await.unwrap();
    server
        .client()
        .unwrap()
        .push_events(InsightsEvents::new([view("user-a"), view("user-b")]))
        .await
        .unwrap();
    let output = run(cli()
        .args(["delete-user-token", "user-a", "jane@example.com"])
        .args(["--host", server.url(), "--app-id", "a", "--api-key", "k"]))
    .await;
    let (out, err) = (stdout(&output), stderr(&output));
    assert_eq!(
        output.status.code(),
        Some(1),
        "one token failed:\n{out}{err}"
    );
    assert!(
        out.starts_with("user-a: deleted; rate limit: 99 of 100 requests left, resets in "),
        "{out}"
    );
    assert!(
        err.contains("jane@example.com: not deleted: invalid request, not sent: userToken:"),
        "{err}"
    );
    assert_eq!(server.events(), vec![view("user-b")]);
    assert_eq!(server.requests().len(), 2, "the bad token was never sent");
}

async fn next_line(lines: &mut Lines<BufReader<ChildStdout>>) -> String {
    tokio::time::timeout(PATIENCE, lines.next_line())
        .await
        .expect("the server prints in time")
        .expect("stdout is readable")
        .expect("the server is still running")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_logs_each_request_until_stopped() {
    let mut child = cli()
        .args(["serve", "--require-credentials"])
        .env("ALGOLIA_APP_ID", "APP")
        .env("ALGOLIA_API_KEY", "served-key")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = next_line(&mut lines).await;
    let url = first
        .strip_prefix("Local Insights server listening on ")
        .unwrap_or_else(|| panic!("no URL in {first:?}"))
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    while next_line(&mut lines).await != "Press Ctrl-C to stop." {}

    let client = Client::builder("APP", "served-key")
        .hosts([&url])
        .build()
        .unwrap();
    client
        .push_events(InsightsEvents::new([view("user-a"), view("user-b")]))
        .await
        .unwrap();
    assert_eq!(
        next_line(&mut lines).await,
        "POST /1/events -> 200, 2 events recorded"
    );
    let wrong = Client::builder("APP", "wrong")
        .hosts([&url])
        .build()
        .unwrap();
    wrong.delete_user_token("user-a").await.unwrap_err();
    let logged = next_line(&mut lines).await;
    assert!(
        logged.starts_with("DELETE /1/usertokens/user-a -> 401: Invalid credentials"),
        "{logged}"
    );
    assert!(!logged.contains("served-key"), "{logged}");

    child.start_kill().unwrap();
    child.wait().await.unwrap();
}

#[tokio::test]
async fn serve_refuses_to_require_missing_credentials() {
    let output = run(cli().args(["serve", "--require-credentials"])).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--require-credentials needs ALGOLIA_APP_ID"),
        "{}",
        stderr(&output)
    );
}
