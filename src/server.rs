//! The accept loop: HTTP/1.1 connections served by hyper with the time limits `axum::serve` does
//! not offer, so that a client that sends nothing, or its headers a byte at a time, cannot hold a
//! connection (and a file descriptor) open for long.

use std::future::Future;
use std::io;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, Request};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

use crate::config::HttpConfig;

/// Serves `router` until `shutdown` resolves, then stops accepting and waits for the requests in
/// progress to finish (connections close once idle).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    http: HttpConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let mut builder = hyper::server::conn::http1::Builder::new();
    // Hyper runs this timer whenever a connection waits for a request head: from the moment it
    // opens, and again after each answer, so it also ends idle keep-alive connections.
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(http.header_read_timeout);
    let router = router.layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
        http.body_read_timeout,
    ));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    accept_failed(error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let app = TowerToHyperService::new(router.clone());
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(remote));
            hyper::service::Service::call(&app, request)
        });
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, client = %remote, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// A failed accept: a connection reset before we took it is nothing; anything else (out of file
/// descriptors) is logged, and the loop pauses so that it does not spin.
async fn accept_failed(error: io::Error) {
    if matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "cannot accept a connection");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
