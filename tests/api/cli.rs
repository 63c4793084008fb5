//! The `kycdesk` binary against the same database a running server uses.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::common::TestApp;

fn kycdesk(app: &TestApp, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kycdesk"))
        .args(args)
        .env("KYCDESK_DATABASE_URL", &app.config.database_url)
        .env("KYCDESK_DATA_DIR", &app.config.data_dir)
        .env("KYCDESK_LOG", "info")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kycdesk");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait for kycdesk")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn tenant_create_prints_json_with_a_key(app: TestApp) {
    let out = kycdesk(
        &app,
        &[
            "tenant",
            "create",
            "--name",
            "Acme Pay",
            "--sandbox",
            "--json",
        ],
        "",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert!(json["tenant_id"].as_str().is_some_and(|id| id.len() == 36));
    let key = json["api_key"].as_str().expect("api_key");
    assert!(key.starts_with("kyc_test_"), "{key}");
    assert!(
        json["webhook_secret"]
            .as_str()
            .is_some_and(|s| s.starts_with("whsec_"))
    );
    assert!(
        !text(&out.stderr).contains(key),
        "the key must not be logged"
    );

    let hooked = kycdesk(
        &app,
        &[
            "tenant",
            "create",
            "--name",
            "Hooked",
            "--webhook-url",
            "https://hooks.example.com/kyc",
            "--json",
        ],
        "",
    );
    assert!(hooked.status.success(), "{}", text(&hooked.stderr));
    let stored: Option<String> =
        sqlx::query_scalar("SELECT webhook_url FROM tenants WHERE name = 'Hooked'")
            .fetch_one(app.services.store.pool())
            .await
            .expect("tenant");
    assert_eq!(stored.as_deref(), Some("https://hooks.example.com/kyc"));
    let private = kycdesk(
        &app,
        &[
            "tenant",
            "create",
            "--name",
            "Inside",
            "--webhook-url",
            "http://10.0.0.5/hook",
        ],
        "",
    );
    assert_eq!(
        private.status.code(),
        Some(1),
        "private targets are refused by default"
    );
    assert!(
        text(&private.stderr).contains("webhook"),
        "{}",
        text(&private.stderr)
    );

    let again = kycdesk(&app, &["tenant", "create", "--name", "Acme Pay"], "");
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(
        text(&again.stderr).trim().lines().last(),
        Some("error: a tenant with this name already exists")
    );
}

async fn user_create_reads_the_password_from_stdin(app: TestApp) {
    let password = "a long enough passphrase";
    let out = kycdesk(
        &app,
        &[
            "user",
            "create",
            "--email",
            "Ana@Example.com",
            "--role",
            "reviewer,auditor",
            "--password-stdin",
        ],
        &format!("{password}\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Ana@example.com"));
    assert!(text(&out.stdout).contains("reviewer,auditor"));
    assert!(
        !text(&out.stdout).contains(password) && !text(&out.stderr).contains(password),
        "password must never be printed"
    );

    let weak = kycdesk(
        &app,
        &[
            "user",
            "create",
            "--email",
            "b@example.com",
            "--role",
            "admin",
            "--password-stdin",
        ],
        "short\n",
    );
    assert_eq!(weak.status.code(), Some(1));
    assert_eq!(
        text(&weak.stderr).trim().lines().count(),
        1,
        "{}",
        text(&weak.stderr)
    );
    assert!(text(&weak.stderr).contains("12 to 128 characters"));

    let bad_role = kycdesk(
        &app,
        &[
            "user",
            "create",
            "--email",
            "c@example.com",
            "--role",
            "root",
            "--password-stdin",
        ],
        "a long enough passphrase",
    );
    assert_eq!(bad_role.status.code(), Some(1));
    assert!(
        text(&bad_role.stderr).contains("unknown role"),
        "{}",
        text(&bad_role.stderr)
    );
}

async fn audit_verify_says_intact_then_broken(app: TestApp) {
    kycdesk(&app, &["tenant", "create", "--name", "One"], "");
    let out = kycdesk(&app, &["audit", "verify"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let line = text(&out.stdout);
    assert!(line.starts_with("intact: 2 events, head 2:"), "{line}");
    let json_out = kycdesk(&app, &["audit", "verify", "--json"], "");
    let json: serde_json::Value = serde_json::from_slice(&json_out.stdout).expect("JSON");
    assert_eq!(json["intact"], true);
    let head = format!(
        "{}:{}",
        json["head_seq"],
        json["head_hash"].as_str().expect("hash")
    );

    kycdesk(&app, &["tenant", "create", "--name", "Two"], "");
    let still = kycdesk(&app, &["audit", "verify", "--expect-head", &head], "");
    assert_eq!(still.status.code(), Some(0), "{}", text(&still.stdout));

    app.tamper("UPDATE audit_events SET actor = 'staff:someone-else' WHERE seq = 1")
        .await;
    let broken = kycdesk(&app, &["audit", "verify"], "");
    assert_eq!(broken.status.code(), Some(1));
    assert!(
        text(&broken.stdout).starts_with("broken at seq 1: "),
        "{}",
        text(&broken.stdout)
    );
}

async fn misuse_gets_one_line_and_a_nonzero_exit(app: TestApp) {
    for args in [
        vec!["tenant", "create"],
        vec!["frobnicate"],
        vec!["audit", "verify", "--expect-head", "nonsense"],
        vec!["serve", "--listen", "not-an-address"],
    ] {
        let out = kycdesk(&app, &args, "");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = text(&out.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("error:"), "{stderr}");
    }
}

on_both_databases!(
    tenant_create_prints_json_with_a_key,
    user_create_reads_the_password_from_stdin,
    audit_verify_says_intact_then_broken,
    misuse_gets_one_line_and_a_nonzero_exit,
);

#[test]
fn an_unreachable_database_is_a_clear_one_line_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_kycdesk"))
        .args([
            "--database-url",
            "postgres://kyc:secret@127.0.0.1:1/kyc",
            "migrate",
        ])
        .output()
        .expect("run kycdesk");
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(
            "error: cannot connect to the database at postgres://kyc:****@127.0.0.1:1/kyc"
        ),
        "{stderr}"
    );
    assert!(
        !stderr.contains("secret") && !stderr.contains("panicked"),
        "{stderr}"
    );
}

#[test]
fn a_database_url_of_another_kind_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_kycdesk"))
        .args(["--database-url", "mysql://x@y/z", "migrate"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("must start with sqlite:// or postgres://"),
        "{}",
        text(&out.stderr)
    );
}
