//! Real-browser scenarios: headless Chromium signs in and works the back-office as people do.
//! Each scenario starts its own server on demo data (SQLite) and its own chromedriver, saves
//! screenshots of its key screens under `target/screenshots/<scenario>/`, and ends by checking the
//! console: no error, no Content-Security-Policy violation.

#[path = "../common/mod.rs"]
mod common;

mod admin;
mod auditor;
mod four_eyes;
mod mfa;
mod remediation;
mod reviewer;
mod sign_out;

use common::TestApp;
use common::chrome::{Chrome, Session};
use kycdesk::demo::DemoSeed;

/// A server with a month of demo history, and a browser driver.
pub struct Demo {
    pub app: TestApp,
    pub chrome: Chrome,
    pub seed: DemoSeed,
}

impl Demo {
    /// `None` when Chromium is missing on a developer machine (said loudly; fatal in CI).
    pub async fn start(scenario: &str) -> Option<Demo> {
        let chrome = Chrome::start(scenario).await?;
        let app = TestApp::sqlite().await;
        let seed = kycdesk::demo::seed(&app.services, 40)
            .await
            .expect("demo data");
        Some(Demo { app, chrome, seed })
    }

    /// A fresh browser signed in as the demo user `local@demo.kycdesk.test`.
    pub async fn signed_in(&self, local: &str) -> Session {
        let email = format!("{local}@demo.kycdesk.test");
        let login = self
            .seed
            .logins
            .iter()
            .find(|l| l.email == email)
            .expect("a demo login");
        let session = self.chrome.session(local, &self.app.base_url).await;
        session.sign_in(&login.email, &login.password).await;
        session
    }

    pub fn api_key(&self, sandbox: bool) -> String {
        self.seed
            .tenants
            .iter()
            .find(|t| t.sandbox == sandbox)
            .map(|t| t.api_key.clone())
            .expect("a demo tenant")
    }
}
