//! `send FILE --nats URL` and `forward --nats URL` end to end, against a
//! real `nats-server` this test starts and a local Insights server: the
//! file's valid lines are stored in the stream, bad lines listed; the
//! forwarder delivers every stored event once, and exits when idle.

#[path = "../../tests/support/nats_server.rs"]
mod nats_server;
mod support;

use algolia_insights::local::LocalServer;
use nats_server::{available, NatsServer};
use support::{cli, fixture, run, scratch_dir, stderr, stdout};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_published_to_the_stream_is_forwarded_to_the_api() {
    if !available("a_file_published_to_the_stream_is_forwarded_to_the_api") {
        return;
    }
    let dir = scratch_dir("nats");
    let nats = NatsServer::start(&dir);
    let api = LocalServer::start().await.unwrap();
    let fixture = fixture(600, 100);
    let file = dir.join("events.jsonl");
    // And a line that is not UTF-8: refused as it is, never altered.
    let mut bytes = fixture.bytes.clone();
    assert!(bytes.ends_with(b"\n"));
    let not_utf8 = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    bytes.extend_from_slice(b"{\"eventType\":\"view\",\"eventName\":\"V\xff\"}\n");
    std::fs::write(&file, &bytes).unwrap();
    let rejects = dir.join("rejects.jsonl");

    let sent = run(cli()
        .args(["send", file.to_str().unwrap(), "--nats", &nats.url()])
        .args(["--rejects", rejects.to_str().unwrap()])
        .args(["--stream", "IMPORT", "--subject", "import.events"]))
    .await;
    assert!(
        stderr(&sent).contains(&format!("line {not_utf8}: not UTF-8 text")),
        "{}",
        stderr(&sent)
    );
    let rejected = std::fs::read(&rejects).unwrap();
    assert_eq!(
        rejected.iter().filter(|&&b| b == b'\n').count(),
        fixture.rejected_lines.len() + 1,
        "every rejected line in the rejects file"
    );
    assert!(rejected.ends_with(b"\"V\xff\"}\n"), "the line as it was");
    let valid = fixture.valid.len();
    assert_eq!(sent.status.code(), Some(1), "bad lines: {}", stderr(&sent));
    assert!(
        stdout(&sent).starts_with(&format!("{valid} events stored in the stream IMPORT")),
        "{}",
        stdout(&sent)
    );
    for line in &fixture.rejected_lines {
        assert!(
            stderr(&sent).contains(&format!("line {line}: ")),
            "{}",
            stderr(&sent)
        );
    }

    let forwarded = run(cli()
        .args(["forward", "--nats", &nats.url(), "--stop-when-idle", "1"])
        .args(["--metrics-addr", "127.0.0.1:0"])
        .args(["--stream", "IMPORT", "--subject", "import.events"])
        .args([
            "--host",
            api.url(),
            "--app-id",
            "local",
            "--api-key",
            "local",
        ]))
    .await;
    assert_eq!(forwarded.status.code(), Some(0), "{}", stderr(&forwarded));
    assert!(
        stderr(&forwarded).contains("Metrics at http://127.0.0.1:"),
        "{}",
        stderr(&forwarded)
    );
    assert!(
        stdout(&forwarded).contains(&format!("{valid} delivered and acknowledged")),
        "{}",
        stdout(&forwarded)
    );
    let mut got: Vec<String> = api
        .events()
        .iter()
        .map(|e| serde_json::to_string(e).unwrap())
        .collect();
    let mut want: Vec<String> = fixture
        .valid
        .iter()
        .map(|line| {
            let event: algolia_insights::models::EventsItems = serde_json::from_str(line).unwrap();
            serde_json::to_string(&event).unwrap()
        })
        .collect();
    got.sort();
    want.sort();
    assert_eq!(got, want, "every stored event once");
}
