//! Secrets never reach the logs: passwords, one-time passwords, session ids, CSRF tokens.
//! One test in its own binary, because it installs the process-wide log subscriber (at trace level:
//! in a shared binary it would capture and slow down every other test).

#[path = "../common/mod.rs"]
mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use crate::common::TestApp;
use crate::common::browser::Browser;
use tracing_subscriber::EnvFilter;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_appear_in_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new(
            "trace,hyper=info,hyper_util=info,reqwest=info,h2=info",
        ))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let app = TestApp::sqlite().await;
    let password = "staple battery horse correct";
    app.staff_user("adm@example.com", "admin", password).await;
    let mut admin = Browser::new(&app);
    admin
        .sign_in("adm@example.com", "a wrong password attempt")
        .await;
    assert_eq!(admin.sign_in("adm@example.com", password).await.status, 303);
    admin.get("/admin/users").await;
    let created = admin
        .post(
            "/admin/users",
            &[("email", "new@example.com"), ("role_reviewer", "on")],
        )
        .await;
    let start = created
        .body
        .find("<code class=\"select-all\">")
        .expect("one-time password")
        + "<code class=\"select-all\">".len();
    let one_time = created.body[start..]
        .split('<')
        .next()
        .expect("password")
        .to_owned();
    let new_password = "lantern violet harbour";
    admin.get("/account/password").await;
    let changed = admin
        .post(
            "/account/password",
            &[
                ("current_password", password),
                ("new_password", new_password),
                ("confirm_password", new_password),
            ],
        )
        .await;
    assert_eq!(changed.status, 200);

    let logs =
        String::from_utf8(captured.0.lock().expect("log buffer").clone()).expect("utf8 logs");
    assert!(logs.contains("request served"), "the logs were captured");
    let session = admin.cookie.clone().expect("session cookie");
    let csrf = admin.csrf.clone().expect("csrf token");
    for secret in [
        password,
        "a wrong password attempt",
        one_time.as_str(),
        new_password,
        session.as_str(),
        csrf.as_str(),
    ] {
        assert!(!logs.contains(secret), "a secret appears in the logs");
    }
}
