//! A tenant's webhook endpoint on loopback: records every request and answers with scripted
//! statuses (200 once the script runs out). Tests await requests instead of sleeping.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use tokio::sync::mpsc;

#[derive(Debug, Clone)]
pub struct Delivered {
    pub headers: HeaderMap,
    pub body: String,
}

impl Delivered {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("webhook body is JSON")
    }
}

struct Shared {
    script: Mutex<VecDeque<u16>>,
    sent: mpsc::UnboundedSender<Delivered>,
}

pub struct Receiver {
    pub url: String,
    shared: Arc<Shared>,
    received: mpsc::UnboundedReceiver<Delivered>,
    server: tokio::task::JoinHandle<()>,
}

/// Scripted as a status, this never answers: the sender is stuck mid-delivery.
pub const HANG: u16 = 0;

async fn receive(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let status = shared
        .script
        .lock()
        .expect("script lock")
        .pop_front()
        .unwrap_or(200);
    let _ = shared.sent.send(Delivered {
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    if status == HANG {
        std::future::pending::<()>().await;
    }
    StatusCode::from_u16(status).unwrap_or(StatusCode::OK)
}

impl Receiver {
    pub async fn start() -> Receiver {
        let (sent, received) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            script: Mutex::default(),
            sent,
        });
        let app = Router::new()
            .fallback(receive)
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind receiver");
        let url = format!("http://{}/hooks", listener.local_addr().expect("address"));
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("receiver serves");
        });
        Receiver {
            url,
            shared,
            received,
            server,
        }
    }

    /// The statuses of the next answers, in order.
    pub fn script(&self, statuses: impl IntoIterator<Item = u16>) {
        self.shared
            .script
            .lock()
            .expect("script lock")
            .extend(statuses);
    }

    /// The next request; fails the test after ten seconds without one.
    pub async fn next(&mut self) -> Delivered {
        tokio::time::timeout(Duration::from_secs(10), self.received.recv())
            .await
            .expect("a webhook arrives within ten seconds")
            .expect("receiver running")
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}
