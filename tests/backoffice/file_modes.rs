//! The data files are the service account's alone, whatever the umask: the real binary runs under
//! `umask 000`; the data directory and `blobs/` come out 0700, document blobs, the SQLite database
//! (with its -wal and -shm), exports and `generate`'s logins.json / tenants.json 0600. An existing
//! looser data directory and database are tightened at start-up.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use crate::common::TestApp;
use crate::common::tenant::{TenantApi, seeded};
use kycdesk::demo::images::{ArtKind, DocumentArt, render_png};
use kycdesk::store::Backend;
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::json;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn assert_mode(path: &Path, expected: u32) {
    assert_eq!(
        mode(path),
        expected,
        "{} is {:o}, expected {expected:o}",
        path.display(),
        mode(path)
    );
}

/// `kycdesk ARGS` under `umask 000`, on the test's database.
fn kycdesk(app: &TestApp, args: &[&str]) -> Command {
    let mut command = Command::new("sh");
    command
        .args([
            "-c",
            "umask 000; exec \"$0\" \"$@\"",
            env!("CARGO_BIN_EXE_kycdesk"),
        ])
        .args(args)
        .env("KYCDESK_DATABASE_URL", &app.config.database_url)
        .env("KYCDESK_SECURE_COOKIES", "false")
        .env("KYCDESK_API_RATE_LIMIT", "100000");
    command
}

/// `kycdesk serve` under `umask 000`; returns it and its URL.
fn serve(app: &TestApp, data_dir: &Path) -> (Child, String) {
    crate::common::spawn_server(&mut kycdesk(
        app,
        &[
            "--data-dir",
            data_dir.to_str().expect("path"),
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--workers",
            "0",
        ],
    ))
}

/// Uploads one identity document through the API of the server at `url`.
async fn upload_a_document(tenant: &TenantApi) {
    let level = tenant.level("Standard").await;
    let applicant = tenant.applicant("modes-1", "Lovelace").await;
    let (status, application) = tenant
        .call(
            Method::POST,
            "/kyc_applications",
            Some(json!({"applicant_id": applicant, "level_id": level})),
        )
        .await;
    assert_eq!(status, 201, "{application}");
    let png = render_png(&DocumentArt {
        kind: ArtKind::PassportPage,
        full_name: "Ada Lovelace",
        date_of_birth: "1990-12-10",
        document_number: "X1234567",
        country: "GB",
        seed: 7,
    });
    let form = Form::new()
        .text("document_type", "passport")
        .text("side", "front")
        .text("issuing_country", "GB")
        .part(
            "file",
            Part::bytes(png)
                .file_name("upload")
                .mime_str("image/png")
                .expect("mime"),
        );
    let id = application["id"].as_str().expect("id");
    let response = tenant
        .client
        .post(format!(
            "{}/api/v1/kyc_applications/{id}/documents",
            tenant.base_url
        ))
        .bearer_auth(&tenant.key)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), 201);
}

/// Every file and directory under `root`.
fn walk(root: &Path) -> Vec<(PathBuf, bool)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(root).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            found.extend(walk(&path));
            found.push((path, true));
        } else {
            found.push((path, false));
        }
    }
    found
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

async fn data_files_are_private_whatever_the_umask(app: TestApp) {
    let (live, _) = seeded(&app).await;
    let root = tempfile::tempdir().expect("temp dir");
    // A data directory and a database an older version left readable by everyone.
    let data_dir = root.path().join("data");
    std::fs::create_dir(&data_dir).expect("data dir");
    std::fs::set_permissions(&data_dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let database = match app.backend() {
        Backend::Sqlite => {
            let path = app.config.data_dir.join("kycdesk.sqlite");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
            Some(path)
        }
        Backend::Postgres => None,
    };

    let (mut server, url) = serve(&app, &data_dir);
    upload_a_document(&TenantApi::at(&url, live.key.clone())).await;
    assert_mode(&data_dir, 0o700);
    let blobs = walk(&data_dir.join("blobs"));
    assert!(
        blobs.iter().any(|(_, dir)| !dir),
        "the document is stored: {blobs:?}"
    );
    assert_mode(&data_dir.join("blobs"), 0o700);
    for (path, is_dir) in &blobs {
        assert_mode(path, if *is_dir { 0o700 } else { 0o600 });
    }
    if let Some(database) = &database {
        for suffix in ["", "-wal", "-shm"] {
            assert_mode(&with_suffix(database, suffix), 0o600);
        }
    }
    server.kill().expect("stop the server");
    server.wait().expect("reaped");

    let export = data_dir.join("decisions.csv");
    let exported = kycdesk(
        &app,
        &[
            "--data-dir",
            data_dir.to_str().expect("path"),
            "export",
            "decisions",
            "--format",
            "csv",
            "--out",
            export.to_str().expect("path"),
        ],
    )
    .output()
    .expect("kycdesk export");
    assert!(exported.status.success(), "{exported:?}");
    assert_mode(&export, 0o600);
    assert_mode(&with_suffix(&export, ".manifest.json"), 0o600);

    // `generate` on a database of its own, in a data directory it creates.
    let generated_dir = root.path().join("generated");
    let generated = kycdesk(
        &app,
        &[
            "--data-dir",
            generated_dir.to_str().expect("path"),
            "generate",
            "--applications",
            "5",
            "--tenants",
            "1",
        ],
    )
    .env_remove("KYCDESK_DATABASE_URL")
    .output()
    .expect("kycdesk generate");
    assert!(generated.status.success(), "{generated:?}");
    assert_mode(&generated_dir, 0o700);
    for file in ["kycdesk.sqlite", "logins.json", "tenants.json"] {
        assert_mode(&generated_dir.join(file), 0o600);
    }
}

on_both_databases!(data_files_are_private_whatever_the_umask);
