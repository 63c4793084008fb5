//! `kycdesk generate` on both databases: a small dataset is complete, its audit chain verifies, its
//! documents have their files, its staff can sign in and its cases open in the back-office.

use std::process::Command;

use crate::common::TestApp;
use crate::common::browser::Browser;
use kycdesk::demo::{self, GenerateOptions};
use kycdesk::domain::status::ApplicationStatus;
use kycdesk::service::ServiceError;
use kycdesk::{service, store};

const OPTIONS: GenerateOptions = GenerateOptions {
    applications: 2_000,
    tenants: 3,
    events_per_application: 4,
    seed: 7,
};

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(app.services.store.pool())
        .await
        .expect(sql)
}

async fn a_generated_dataset_is_complete_and_usable(app: TestApp) {
    let mut reported = Vec::new();
    let generated = demo::generate(&app.services, OPTIONS, |p| reported.push(p))
        .await
        .expect("generate");
    assert_eq!(generated.applications, 2_000);
    assert_eq!(
        reported.last().map(|p| (p.applications, p.events)),
        Some((2_000, generated.events))
    );
    assert_eq!(generated.tenants.len(), 3);
    assert_eq!(generated.tenants.iter().filter(|t| t.sandbox).count(), 1);
    assert_eq!(generated.logins.len(), 4);

    let mut conn = app.services.store.conn().await.expect("conn");
    let counts = store::applications::count_by_status(&mut conn)
        .await
        .expect("counts");
    for status in ApplicationStatus::ALL {
        assert!(
            counts.iter().any(|(s, n)| *s == status && *n > 0),
            "no application in {status}: {counts:?}"
        );
    }
    assert_eq!(counts.iter().map(|(_, n)| n).sum::<i64>(), 2_000);
    let final_share = counts
        .iter()
        .filter(|(s, _)| s.is_final())
        .map(|(_, n)| n)
        .sum::<i64>();
    assert!(
        final_share > 1_200,
        "most applications are decided: {counts:?}"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM applicants").await, 2_000);
    assert!(
        count(
            &app,
            "SELECT COUNT(*) FROM applications WHERE assignee_id IS NOT NULL"
        )
        .await
            > 0
    );
    assert!(count(&app, "SELECT COUNT(*) FROM applications WHERE attempt > 1").await > 0);
    assert!(count(&app, "SELECT COUNT(*) FROM findings").await > 0);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM decisions").await,
        generated.decisions as i64
    );

    // E events per application on average, in a chain that verifies and runs forward in time.
    let events = generated.events as i64;
    assert!((8_000..8_100).contains(&events), "{events} events");
    let head = service::audit::verify(&app.services, None)
        .await
        .expect("db")
        .expect("intact");
    let setup = count(
        &app,
        "SELECT COUNT(*) FROM audit_events WHERE actor = 'system:generate'",
    )
    .await;
    assert_eq!(head.events, events + setup);
    let backwards = count(
        &app,
        "SELECT COUNT(*) FROM audit_events a JOIN audit_events b ON b.seq = a.seq + 1
         WHERE a.actor <> 'system:generate' AND b.occurred_at < a.occurred_at",
    )
    .await;
    assert_eq!(backwards, 0, "the history is in time order");

    // A handful of files, each stored once, behind every document row.
    let hashes: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT DISTINCT blob_hash, thumbnail_hash FROM documents")
            .fetch_all(app.services.store.pool())
            .await
            .expect("hashes");
    assert!(!hashes.is_empty() && hashes.len() <= 12, "{hashes:?}");
    for (original, thumbnail) in hashes {
        let png = app.services.blobs.get(&original).await.expect("original");
        assert!(png.starts_with(b"\x89PNG"));
        let thumbnail = thumbnail.expect("a thumbnail");
        app.services.blobs.get(&thumbnail).await.expect("thumbnail");
    }

    // A generated reviewer signs in, works the queue and opens a case with its documents.
    let reviewer = generated
        .logins
        .iter()
        .find(|l| l.roles == "reviewer")
        .expect("a reviewer");
    let mut browser = Browser::new(&app);
    let answer = browser.sign_in(&reviewer.email, &reviewer.password).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(browser.get("/applications").await.status, 200);
    assert_eq!(browser.get("/applications?status=review").await.status, 200);
    let (case, document): (String, String) = sqlx::query_as(
        "SELECT a.id, d.id FROM applications a JOIN documents d ON d.application_id = a.id
         WHERE a.status = 'review' ORDER BY a.id LIMIT 1",
    )
    .fetch_one(app.services.store.pool())
    .await
    .expect("a case in review with documents");
    let page = browser.get(&format!("/applications/{case}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains(&document),
        "the case shows its documents"
    );
    let file = browser.download(&format!("/documents/{document}")).await;
    assert_eq!(file.status(), 200);

    // Only an empty database is filled.
    let again = demo::generate(&app.services, OPTIONS, |_| {}).await;
    assert!(
        matches!(again, Err(ServiceError::Conflict(_))),
        "{:?}",
        again.err()
    );
}

async fn the_cli_writes_logins_and_refuses_a_filled_database(app: TestApp) {
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_kycdesk"))
            .args([
                "generate",
                "--applications",
                "40",
                "--tenants",
                "2",
                "--seed",
                "3",
            ])
            .env("KYCDESK_DATABASE_URL", &app.config.database_url)
            .env("KYCDESK_DATA_DIR", &app.config.data_dir)
            .output()
            .expect("run kycdesk")
    };
    let out = run();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Generated 40 applications"), "{stdout}");
    let read = |name: &str| -> serde_json::Value {
        let text = std::fs::read_to_string(app.config.data_dir.join(name)).expect(name);
        serde_json::from_str(&text).expect("JSON")
    };
    let logins = read("logins.json");
    let logins = logins.as_array().expect("a list");
    assert_eq!(logins.len(), 4);
    for login in logins {
        let password = login["password"].as_str().expect("password");
        assert!(stdout.contains(password), "the passwords are printed too");
        assert!(login["email"].as_str().is_some() && login["roles"].as_str().is_some());
    }
    let tenants = read("tenants.json");
    assert_eq!(tenants.as_array().map(Vec::len), Some(2));
    assert_eq!(tenants[1]["sandbox"], true);
    assert!(
        tenants[0]["api_key"]
            .as_str()
            .is_some_and(|k| k.starts_with("kyc_live_"))
    );

    let verify = Command::new(env!("CARGO_BIN_EXE_kycdesk"))
        .args(["audit", "verify"])
        .env("KYCDESK_DATABASE_URL", &app.config.database_url)
        .env("KYCDESK_DATA_DIR", &app.config.data_dir)
        .output()
        .expect("run kycdesk");
    assert!(String::from_utf8_lossy(&verify.stdout).starts_with("intact"));

    let refused = run();
    assert_ne!(refused.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("not empty"), "{stderr}");
}

on_both_databases!(
    a_generated_dataset_is_complete_and_usable,
    the_cli_writes_logins_and_refuses_a_filled_database,
);

/// The same seed gives the same population: people, statuses, times and ids.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_seed_gives_the_same_population() {
    let options = GenerateOptions {
        applications: 300,
        ..OPTIONS
    };
    let mut populations = Vec::new();
    for seed in [options.seed, options.seed, options.seed + 1] {
        let app = TestApp::sqlite().await;
        demo::generate(&app.services, GenerateOptions { seed, ..options }, |_| {})
            .await
            .expect("generate");
        let rows: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT a.id, p.email, a.status, a.updated_at FROM applications a
             JOIN applicants p ON p.id = a.applicant_id ORDER BY a.id",
        )
        .fetch_all(app.services.store.pool())
        .await
        .expect("rows");
        populations.push(rows);
    }
    assert_eq!(populations[0], populations[1]);
    assert_ne!(populations[0], populations[2]);
}
