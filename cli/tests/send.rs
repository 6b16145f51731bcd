//! `algolia-insights send` end to end, against a local server this test
//! starts: exact counts of sent and rejected lines, the rejects file, batch
//! limits, retries through injected faults, and the failed-events file.

mod support;

use algolia_insights::local::{Faults, LocalServer};
use algolia_insights::models::EventsItems;
use std::process::Stdio;
use support::{bad_lines, cli, fixture, run, scratch_dir, stderr, stdout};
use tokio::io::AsyncWriteExt;

/// The events as sorted JSON texts, to compare what was sent with what arrived
/// whatever the order of the batches.
fn sorted_json(events: &[EventsItems]) -> Vec<String> {
    let mut texts: Vec<String> = events
        .iter()
        .map(|event| serde_json::to_string(event).unwrap())
        .collect();
    texts.sort();
    texts
}

fn sorted_lines(lines: &[String]) -> Vec<String> {
    let mut texts: Vec<String> = lines
        .iter()
        .map(|line| {
            let event: EventsItems = serde_json::from_str(line).unwrap();
            serde_json::to_string(&event).unwrap()
        })
        .collect();
    texts.sort();
    texts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn good_lines_are_sent_and_bad_ones_listed_and_kept() {
    let server = LocalServer::builder()
        .credentials("APP", "KEY")
        .start()
        .await
        .unwrap();
    let dir = scratch_dir("send-mixed");
    let input = fixture(3_000, 13);
    std::fs::write(dir.join("events.jsonl"), &input.bytes).unwrap();
    let rejects = dir.join("rejects.jsonl");

    let output = run(cli()
        .arg("send")
        .arg(dir.join("events.jsonl"))
        .arg("--rejects")
        .arg(&rejects)
        .args(["--host", server.url()])
        .env("ALGOLIA_APP_ID", "APP")
        .env("ALGOLIA_API_KEY", "KEY"))
    .await;
    let out = stdout(&output);

    assert_eq!(
        output.status.code(),
        Some(1),
        "rejected lines make it fail:\n{out}"
    );
    let valid = input.valid.len();
    let rejected = input.rejected_lines.len();
    assert_eq!((valid, rejected), (2764, 230), "the fixture itself");
    assert!(
        out.contains(&format!(
            "sent: {valid} events in 3 requests to {}",
            server.url()
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "rejected: {rejected} lines (copied to {})",
            rejects.display()
        )),
        "{out}"
    );
    assert!(out.contains("failed: 0 events in 0 requests"), "{out}");
    assert!(
        out.contains(&format!("blank lines skipped: {}", input.blank_lines)),
        "{out}"
    );

    // Every rejected line is listed with its number and reason...
    let bad = bad_lines();
    for number in &input.rejected_lines {
        let (_, reason) = &bad[(number / 13) as usize % bad.len()];
        let listed = out
            .lines()
            .find(|l| l.starts_with(&format!("  line {number}: ")))
            .unwrap_or_else(|| panic!("line {number} is not listed:\n{out}"));
        assert!(listed.contains(reason), "{listed} does not say {reason}");
    }
    // ...and kept, byte for byte, in the rejects file.
    assert_eq!(std::fs::read(&rejects).unwrap(), input.rejected_bytes);

    // The server got exactly the valid events, in requests the API takes.
    assert_eq!(sorted_json(&server.events()), sorted_lines(&input.valid));
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    for request in &requests {
        assert_eq!(request.status, Some(200), "{request}");
        assert!(
            request.events <= 1000 && request.body_bytes < 2_000_000,
            "{request}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_file_from_standard_input_exits_zero() {
    let server = LocalServer::start().await.unwrap();
    let input = fixture(2_100, 0);
    let mut child = cli()
        .args(["send", "-", "--batch-size", "500", "--host", server.url()])
        .env("ALGOLIA_APP_ID", "app")
        .env("ALGOLIA_API_KEY", "key")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&input.bytes).await.unwrap();
    drop(stdin);
    let output = child.wait_with_output().await.unwrap();
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}{}", stderr(&output));
    assert!(
        out.contains(&format!("sent: {} events in 5 requests", input.valid.len())),
        "{out}"
    );
    assert!(out.contains("rejected: 0 lines"), "{out}");
    assert_eq!(server.event_count(), input.valid.len());
    assert!(server.requests().iter().all(|r| r.events <= 500));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_events_are_batched_under_two_megabytes() {
    let server = LocalServer::start().await.unwrap();
    let dir = scratch_dir("send-large");
    let big = |i: u32| {
        serde_json::json!({"eventName": "Viewed", "eventType": "view", "index": "x".repeat(150_000), "objectIDs": [format!("o{i}")], "userToken": "u"})
            .to_string()
    };
    let text: String = (0..30).map(|i| big(i) + "\n").collect();
    std::fs::write(dir.join("big.jsonl"), text).unwrap();
    let output = run(cli().arg("send").arg(dir.join("big.jsonl")).args([
        "--host",
        server.url(),
        "--app-id",
        "a",
        "--api-key",
        "k",
    ]))
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let requests = server.requests();
    assert!(
        requests.len() >= 3,
        "30 events of 150 kB need 3 requests or more"
    );
    assert!(requests
        .iter()
        .all(|r| r.status == Some(200) && r.body_bytes < 2_000_000));
    assert_eq!(server.event_count(), 30);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_that_may_pass_are_retried_until_everything_is_sent() {
    let server = LocalServer::builder()
        .faults(Faults::seeded(11).fail(0.3, 503).drop_connections(0.1))
        .start()
        .await
        .unwrap();
    let dir = scratch_dir("send-retries");
    let input = fixture(2_000, 0);
    std::fs::write(dir.join("events.jsonl"), &input.bytes).unwrap();
    let output = run(cli()
        .arg("send")
        .arg(dir.join("events.jsonl"))
        .args([
            "--batch-size",
            "100",
            "--concurrency",
            "1",
            "--retries",
            "10",
        ])
        .args(["--host", server.url(), "--app-id", "a", "--api-key", "k"]))
    .await;
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(
        out.contains(&format!(
            "sent: {} events in 20 requests",
            input.valid.len()
        )),
        "{out}"
    );
    assert_eq!(sorted_json(&server.events()), sorted_lines(&input.valid));
    let faults = server
        .requests()
        .iter()
        .filter(|r| r.fault.is_some())
        .count();
    assert!(faults > 0, "the seed injects faults");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_of_failed_requests_are_reported_and_written_out() {
    let server = LocalServer::builder()
        .faults(Faults::none().fail(1.0, 500))
        .start()
        .await
        .unwrap();
    let dir = scratch_dir("send-failed");
    let input = fixture(250, 0);
    std::fs::write(dir.join("events.jsonl"), &input.bytes).unwrap();
    let failed = dir.join("failed.jsonl");
    let output = run(cli()
        .arg("send")
        .arg(dir.join("events.jsonl"))
        .arg("--failed")
        .arg(&failed)
        .args(["--batch-size", "100", "--retries", "0"])
        .args(["--host", server.url(), "--app-id", "a", "--api-key", "k"]))
    .await;
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(out.contains("sent: 0 events in 0 requests"), "{out}");
    assert!(
        out.contains(&format!(
            "failed: {} events in 3 requests (written to",
            input.valid.len()
        )),
        "{out}"
    );
    assert!(out.contains("lines 1-100 (100 events): "), "{out}");
    assert!(out.contains("answered 500"), "{out}");
    let written = std::fs::read_to_string(&failed).unwrap();
    let written: Vec<String> = written.lines().map(str::to_string).collect();
    assert_eq!(sorted_lines(&written), sorted_lines(&input.valid));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_fail_every_request_with_the_api_error() {
    let server = LocalServer::builder()
        .credentials("APP", "right-key")
        .start()
        .await
        .unwrap();
    let dir = scratch_dir("send-unauthorized");
    std::fs::write(dir.join("events.jsonl"), fixture(10, 0).bytes).unwrap();
    let output = run(cli()
        .arg("send")
        .arg(dir.join("events.jsonl"))
        .args(["--host", server.url()])
        .env("ALGOLIA_APP_ID", "APP")
        .env("ALGOLIA_API_KEY", "wrong-key"))
    .await;
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(out.contains("failed: 10 events in 1 requests"), "{out}");
    assert!(
        out.contains("answered 401 Unauthorized: Invalid credentials"),
        "{out}"
    );
    let everything = format!("{out}{}", stderr(&output));
    assert!(
        !everything.contains("wrong-key"),
        "the API key is never shown:\n{everything}"
    );
    assert_eq!(server.event_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_mode_needs_no_credentials() {
    let dir = scratch_dir("send-local");
    let input = fixture(1_200, 50);
    std::fs::write(dir.join("events.jsonl"), &input.bytes).unwrap();
    let output = run(cli()
        .arg("send")
        .arg(dir.join("events.jsonl"))
        .arg("--local"))
    .await;
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    let valid = input.valid.len();
    assert!(
        out.contains(&format!(
            "sent: {valid} events in 2 requests to the local server at http://127.0.0.1:"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("rejected: {} lines\n", input.rejected_lines.len())),
        "{out}"
    );
    assert!(
        out.contains(&format!("the local server recorded {valid} events")),
        "{out}"
    );
}

#[tokio::test]
async fn without_credentials_or_input_it_says_what_is_missing() {
    let output = run(cli().args(["send", "-"]).stdin(Stdio::null())).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("set ALGOLIA_APP_ID and ALGOLIA_API_KEY"),
        "{}",
        stderr(&output)
    );

    let output = run(cli().args(["send", "/no/such/file.jsonl", "--local"])).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot open /no/such/file.jsonl"),
        "{}",
        stderr(&output)
    );

    let output = run(cli().args(["send", "--batch-size", "1001", "--local"])).await;
    assert_eq!(output.status.code(), Some(2), "clap refuses it");
}

/// `send --spool`: an import killed half way (SIGKILL) and run again with
/// the same spool delivers every event, resumes after the lines the first
/// run had spooled instead of reading them again, and sends again only what
/// was in flight or spooled after its last progress save.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_import_resumes_from_its_spool() {
    // Slow answers, so that the kill lands in the middle of the import.
    let server = LocalServer::builder()
        .faults(Faults::seeded(3).delay(1.0, std::time::Duration::from_millis(40)))
        .start()
        .await
        .unwrap();
    let dir = scratch_dir("send-spool");
    let input = fixture(30_000, 0);
    let events = dir.join("events.jsonl");
    std::fs::write(&events, &input.bytes).unwrap();
    let send = || {
        let mut command = cli();
        command
            .arg("send")
            .arg(&events)
            .arg("--spool")
            .arg(dir.join("spool"))
            .args(["--batch-size", "100", "--concurrency", "2"])
            .args(["--host", server.url(), "--app-id", "a", "--api-key", "k"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    };

    let mut first = send().spawn().unwrap();
    let started = std::time::Instant::now();
    while server.event_count() < 3_000 {
        assert!(
            started.elapsed().as_secs() < 60,
            "the first run sends nothing"
        );
        assert!(
            first.try_wait().unwrap().is_none(),
            "the first run ended early"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    first.start_kill().unwrap(); // SIGKILL
    first.wait().await.unwrap();
    let after_kill = server.event_count();
    assert!(after_kill < input.valid.len(), "killed before the end");

    server.set_faults(Faults::none());
    let output = run(&mut send()).await;
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}\n{}", stderr(&output));
    assert!(out.contains("resuming"), "{out}");
    assert!(
        out.contains("left by an earlier run are sent first"),
        "{out}"
    );

    let mut received: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    for event in server.events() {
        *received
            .entry(serde_json::to_string(&event).unwrap())
            .or_default() += 1;
    }
    let wanted = sorted_lines(&input.valid);
    let lost = wanted.iter().filter(|e| !received.contains_key(*e)).count();
    let duplicates: u32 = received.values().map(|n| n - 1).sum();
    println!(
        "{} events, {after_kill} received before the kill, {lost} lost, {duplicates} duplicates",
        wanted.len()
    );
    assert_eq!(lost, 0);
    assert_eq!(received.len(), wanted.len());
    assert!(
        (duplicates as usize) < wanted.len() / 2,
        "the second run sent most events again: {duplicates} duplicates"
    );
}

/// `send --spool` resumes by content, not by name: an input that grew
/// (appended to) resumes after the lines an earlier run took; an input
/// whose start changed is refused (exit 2, nothing sent, `--restart`
/// named); `--restart` reads it from its first line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resumed_import_checks_its_input_by_content() {
    let server = LocalServer::builder()
        .faults(Faults::seeded(4).delay(1.0, std::time::Duration::from_millis(40)))
        .max_recorded_events(usize::MAX)
        .start()
        .await
        .unwrap();
    let dir = scratch_dir("send-spool-content");
    let events = dir.join("events.jsonl");
    std::fs::write(&events, fixture(20_000, 0).bytes).unwrap();
    let send = |extra: &[&str]| {
        let mut command = cli();
        command
            .arg("send")
            .arg(&events)
            .arg("--spool")
            .arg(dir.join("spool"))
            .args(["--batch-size", "100", "--concurrency", "2"])
            .args(["--host", server.url(), "--app-id", "a", "--api-key", "k"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    };
    let received = |server: &LocalServer| -> std::collections::HashSet<String> {
        server
            .events()
            .iter()
            .map(|event| serde_json::to_string(event).unwrap())
            .collect()
    };
    let wanted = |path: &std::path::Path| -> Vec<String> {
        let text = std::fs::read_to_string(path).unwrap();
        let lines: Vec<String> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect();
        sorted_lines(&lines)
    };

    let mut first = send(&[]).spawn().unwrap();
    let started = std::time::Instant::now();
    while server.event_count() < 2_000 {
        assert!(
            started.elapsed().as_secs() < 60,
            "the first run sends nothing"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    first.start_kill().unwrap(); // SIGKILL
    first.wait().await.unwrap();
    server.set_faults(Faults::none());

    // Grown: the same start, and more lines.
    let mut grown = std::fs::read(&events).unwrap();
    for i in 20_001..=21_000 {
        grown.extend_from_slice(support::good_line(i).as_bytes());
        grown.push(b'\n');
    }
    std::fs::write(&events, &grown).unwrap();
    let output = run(&mut send(&[])).await;
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}\n{}", stderr(&output));
    assert!(out.contains("resuming"), "{out}");
    let got = received(&server);
    assert!(
        wanted(&events).iter().all(|e| got.contains(e)),
        "every line delivered"
    );

    // Edited: its first line is another event now.
    let before = server.event_count();
    let text = std::fs::read_to_string(&events).unwrap();
    let first_line = text.lines().next().unwrap().to_string();
    let edited = first_line.replacen("\"user-1\"", "\"user-Z\"", 1);
    assert_ne!(edited, first_line);
    std::fs::write(&events, text.replacen(&first_line, &edited, 1)).unwrap();
    let output = run(&mut send(&[])).await;
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains("edited, rotated or replaced"), "{err}");
    assert!(err.contains("--restart"), "{err}");
    assert_eq!(server.event_count(), before, "nothing sent");

    // `--restart`: read from the first line, the edited event included.
    let output = run(&mut send(&["--restart"])).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!stdout(&output).contains("resuming"));
    let got = received(&server);
    assert!(wanted(&events).iter().all(|e| got.contains(e)));
    assert!(got.iter().any(|e| e.contains("user-Z")));

    // Replaced by a shorter file: refused too.
    std::fs::write(&events, support::good_line(1) + "\n").unwrap();
    let output = run(&mut send(&[])).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("is shorter than"),
        "{}",
        stderr(&output)
    );
}

/// A last line without its line ending (a file still being written) is
/// not counted as done: once the line is finished, the next run sends it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_last_line_still_being_written_is_read_again_once_finished() {
    let server = LocalServer::builder()
        .max_recorded_events(usize::MAX)
        .start()
        .await
        .unwrap();
    let dir = scratch_dir("send-spool-partial");
    let events = dir.join("events.jsonl");
    let (first, last) = (support::good_line(1), support::good_line(2));
    let half = last.len() / 2;
    std::fs::write(&events, format!("{first}\n{}", &last[..half])).unwrap();
    let send = || {
        let mut command = cli();
        command
            .arg("send")
            .arg(&events)
            .arg("--spool")
            .arg(dir.join("spool"))
            .args(["--host", server.url(), "--app-id", "a", "--api-key", "k"]);
        command
    };
    let output = run(&mut send()).await;
    assert_eq!(output.status.code(), Some(1), "the half line is rejected");
    assert_eq!(server.event_count(), 1);

    std::fs::write(&events, format!("{first}\n{last}\n")).unwrap();
    let output = run(&mut send()).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("resuming"), "{}", stdout(&output));
    assert_eq!(
        server.event_count(),
        2,
        "the finished line is sent, the first is not again"
    );
}
