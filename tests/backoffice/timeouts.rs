//! A client cannot hold a connection open by being slow or silent: partial headers, an idle
//! keep-alive connection and a body that stops arriving are each cut off after their timeout
//! (one second here; 10 s, 10 s and 30 s by default).

use std::time::{Duration, Instant};

use crate::common::TestApp;
use kycdesk::config::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const LIMIT: Duration = Duration::from_secs(1);

fn quick_timeouts(config: &mut Config) {
    config.http.header_read_timeout = LIMIT;
    config.http.body_read_timeout = LIMIT;
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.base_url.trim_start_matches("http://"))
        .await
        .expect("connect")
}

/// Reads until the server closes the connection; returns what it sent and how long that took.
/// Fails if it is still open after ten seconds (without the timeouts it stays open for good).
async fn read_until_closed(stream: &mut TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buf = [0_u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf)).await {
            Err(_) => panic!(
                "the connection is still open after 10 s; received {:?}",
                String::from_utf8_lossy(&received)
            ),
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => received.extend_from_slice(&buf[..n]),
        }
    }
    (
        String::from_utf8_lossy(&received).into_owned(),
        started.elapsed(),
    )
}

async fn slow_and_silent_clients_are_cut_off(app: TestApp) {
    // Headers that never end.
    let mut partial = connect(&app).await;
    partial
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: kycdesk\r\nX-Slow: ")
        .await
        .expect("partial headers");
    let (_, after) = read_until_closed(&mut partial).await;
    assert!(after >= LIMIT / 2, "closed after {after:?}, not at once");

    // A keep-alive connection left idle after its answer.
    let mut idle = connect(&app).await;
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: kycdesk\r\n\r\n")
        .await
        .expect("request");
    let (answer, _) = read_until_closed(&mut idle).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    // A body that stops half-way.
    let mut stalled = connect(&app).await;
    stalled
        .write_all(
            b"POST /login HTTP/1.1\r\nHost: kycdesk\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n\
              email=a",
        )
        .await
        .expect("part of a body");
    let (_, after) = read_until_closed(&mut stalled).await;
    assert!(after >= LIMIT / 2, "closed after {after:?}, not at once");
}

on_both_databases!(@with super::quick_timeouts; slow_and_silent_clients_are_cut_off);
