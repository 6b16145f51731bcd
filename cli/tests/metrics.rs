//! `send --metrics-addr`: while an import runs, `/metrics` shows the
//! library's metrics in Prometheus's text format, counting the events the
//! local server took.

mod support;

use std::process::Stdio;
use std::time::{Duration, Instant};
use support::{cli, good_line};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// `GET /metrics` at `addr`, its whole answer.
async fn scrape(addr: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!("GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer
}

#[tokio::test]
async fn a_running_import_serves_its_metrics() {
    let mut child = cli()
        .args(["send", "--local", "--metrics-addr", "127.0.0.1:0", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for i in 0..5 {
        stdin
            .write_all(format!("{}\n", good_line(i)).as_bytes())
            .await
            .unwrap();
    }
    stdin.flush().await.unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = stderr
            .next_line()
            .await
            .unwrap()
            .expect("the address is printed");
        if let Some(rest) = line.strip_prefix("Metrics at http://") {
            break rest.trim_end_matches("/metrics").to_string();
        }
    };
    // The input is still open: the import runs while its batch is delivered.
    let delivered = "algolia_insights_events_total{outcome=\"delivered\"} 5";
    let started = Instant::now();
    let answer = loop {
        let answer = scrape(&addr).await;
        if answer.contains(delivered) || started.elapsed() > Duration::from_secs(30) {
            break answer;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(delivered), "{answer}");
    assert!(
        answer.contains("algolia_insights_requests_total{operation=\"pushEvents\",status_class=\"2xx\",host=\"127.0.0.1:"),
        "{answer}"
    );
    assert!(
        answer.contains("# HELP algolia_insights_events_total"),
        "{answer}"
    );
    drop(stdin);
    let status = child.wait().await.unwrap();
    assert_eq!(status.code(), Some(0));
}
