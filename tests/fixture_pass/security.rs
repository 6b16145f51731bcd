//! Code written against the generated output of
//! `codegen/tests/fixtures/security.json`: an operation whose spec says
//! `security: []` goes without the client's credentials (neither the
//! application ID header nor the API key query parameter); the others carry
//! both. Against a loopback host that records each request's head.

#[allow(dead_code)]
mod api {
    include!("../../codegen/tests/snapshots/security.rs");
}

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// Answers every request `{"ok":true}` and keeps its request line and headers.
fn recording_host() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let heads = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&heads);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let stream = stream.unwrap();
            let kept = Arc::clone(&kept);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut writer = stream;
                loop {
                    let mut head = String::new();
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if line == "\r\n" {
                            break;
                        }
                        head.push_str(&line.to_ascii_lowercase());
                    }
                    kept.lock().unwrap().push(head);
                    let body = r#"{"ok":true}"#;
                    write!(
                        writer,
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    )
                    .unwrap();
                }
            });
        }
    });
    (url, heads)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (url, heads) = recording_host();
    let transport =
        algolia_insights::__private::client_builder_for_api::<algolia_insights::runtime::Transport>(
            api::operations::API,
            "app-7",
            "key-7f3a",
        )
        .hosts([url])
        .build()
        .unwrap();
    let client = api::operations::Client::from_transport(transport);

    assert!(client.get_status().page(2).send().await.unwrap().ok);
    assert!(client.get_servers().send().await.unwrap().ok);
    assert!(client.get_private().send().await.unwrap().ok);

    let heads = heads.lock().unwrap().clone();
    assert_eq!(heads.len(), 3, "{heads:?}");
    let public = &heads[0];
    assert!(public.starts_with("get /status?page=2 "), "{public}");
    assert!(!public.contains("x-app-id"), "{public}");
    assert!(!public.contains("key-7f3a"), "{public}");
    for (head, path) in [(&heads[1], "/servers"), (&heads[2], "/private")] {
        assert!(head.starts_with(&format!("get {path}?x-api-key=key-7f3a ")), "{head}");
        assert!(head.contains("x-app-id: app-7\r\n"), "{head}");
    }
}
