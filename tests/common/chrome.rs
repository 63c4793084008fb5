//! Real-browser tests: Debian's headless Chromium driven through `chromedriver` with fantoccini.
//! Each test gets its own chromedriver and a fresh profile per session. Without Chromium the
//! tests are skipped loudly on a developer machine and fail in CI.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tempfile::TempDir;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// How long a page may take to show what a test waits for.
const PATIENCE: Duration = Duration::from_secs(15);

pub struct Chrome {
    driver: Child,
    url: String,
    profiles: TempDir,
    screenshots: PathBuf,
}

impl Drop for Chrome {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Where screenshots go: `target/screenshots/<scenario>/` (or under `CARGO_TARGET_DIR`).
fn screenshot_dir(scenario: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("screenshots").join(scenario)
}

impl Chrome {
    /// Starts chromedriver, or says loudly why browser tests are skipped (fatal with `CI=true`).
    pub async fn start(scenario: &str) -> Option<Chrome> {
        if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!(
                    "CI=true but {CHROMIUM} or {CHROMEDRIVER} is missing: browser tests must run in CI"
                );
            }
            eprintln!(
                "\n!!! SKIPPED browser test {scenario}: install Debian's chromium and chromium-driver to run it !!!\n"
            );
            return None;
        }
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let url = format!("http://127.0.0.1:{port}");
        let screenshots = screenshot_dir(scenario);
        let _ = std::fs::remove_dir_all(&screenshots);
        std::fs::create_dir_all(&screenshots).expect("screenshot directory");
        let chrome = Chrome {
            driver,
            url,
            profiles: tempfile::tempdir().expect("profile directory"),
            screenshots,
        };
        chrome.wait_until_ready().await;
        Some(chrome)
    }

    async fn wait_until_ready(&self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + PATIENCE;
        loop {
            let ready = client
                .get(format!("{}/status", self.url))
                .send()
                .await
                .ok()
                .map(|r| r.json::<Value>());
            if let Some(body) = ready
                && body.await.is_ok_and(|b| b["value"]["ready"] == true)
            {
                return;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A new browser with its own profile (cookies) and download directory.
    pub async fn session(&self, name: &str, base_url: &str) -> Session {
        let profile = self.profiles.path().join(name);
        let downloads = profile.join("downloads");
        std::fs::create_dir_all(&downloads).expect("download directory");
        let mut capabilities = Capabilities::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run",
                    "--window-size=1400,1000",
                    format!("--user-data-dir={}", profile.join("profile").display()),
                ],
                "prefs": {
                    "download.default_directory": downloads.display().to_string(),
                    "download.prompt_for_download": false,
                },
            }),
        );
        capabilities.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("a Chromium session");
        Session {
            client,
            base_url: base_url.to_owned(),
            name: name.to_owned(),
            screenshots: self.screenshots.clone(),
            downloads,
            console: Vec::new(),
            expected: Vec::new(),
        }
    }
}

/// chromedriver's console log (not in W3C WebDriver; Selenium uses the same endpoint).
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        (
            axum::http::Method::POST,
            Some(json!({"type": "browser"}).to_string()),
        )
    }
}

/// One signed-in (or not yet) browser, with the steps tests take in it.
pub struct Session {
    pub client: Client,
    pub base_url: String,
    name: String,
    screenshots: PathBuf,
    pub downloads: PathBuf,
    /// Every console message seen so far, as "LEVEL message".
    pub console: Vec<String>,
    /// Console errors a scenario provokes on purpose (a refused action logs its status).
    expected: Vec<String>,
}

impl Session {
    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base_url))
            .await
            .expect("navigate");
    }

    pub async fn sign_in(&self, email: &str, password: &str) {
        self.goto("/login").await;
        self.fill("input[name=email]", email).await;
        self.fill("input[name=password]", password).await;
        self.click("form[action='/login'] button[type=submit]")
            .await;
        self.wait_for("form[action='/logout']").await;
    }

    pub async fn sign_out(&self) {
        self.click("form[action='/logout'] button").await;
        self.wait_for("form[action='/login']").await;
    }

    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{}: no {css}: {e}", self.name))
    }

    /// Waits until the element's text contains `needle`; returns the text.
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            // htmx may swap the element between finding and reading it: read it afresh each time.
            let text = match self.client.find(Locator::Css(css)).await {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if text.contains(needle) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "{}: {css} never said {needle:?}; it says {text:?}",
                self.name
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the address bar contains `needle` (htmx pushes filters into the URL).
    pub async fn wait_for_url(&self, needle: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let url = self.client.current_url().await.expect("current URL");
            if url.as_str().contains(needle) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{}: the address never contained {needle:?}: {url}",
                self.name
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.wait_for(css).await.text().await.expect("element text")
    }

    pub async fn click(&self, css: &str) {
        self.wait_for(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("{}: cannot click {css}: {e}", self.name));
    }

    pub async fn fill(&self, css: &str, value: &str) {
        let field = self.wait_for(css).await;
        field.clear().await.expect("clear field");
        field.send_keys(value).await.expect("type into field");
    }

    pub async fn select(&self, css: &str, value: &str) {
        self.wait_for(css)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("{}: cannot select {value} in {css}: {e}", self.name));
    }

    pub async fn script(&self, script: &str) -> Value {
        self.client
            .execute(script, Vec::new())
            .await
            .expect("run script")
    }

    /// Marks the current document; `same_document` then tells whether a full reload happened.
    pub async fn mark_document(&self) {
        self.script("window.kycdeskTestMark = 'kept'; return null;")
            .await;
    }

    pub async fn same_document(&self) -> bool {
        self.script("return window.kycdeskTestMark === 'kept';")
            .await
            == Value::Bool(true)
    }

    pub async fn shot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let path = self.screenshots.join(format!("{}-{name}.png", self.name));
        std::fs::write(&path, png).expect("write screenshot");
    }

    /// Collects the console messages since the last call.
    pub async fn read_console(&mut self) {
        let entries = self
            .client
            .issue_cmd(BrowserLog)
            .await
            .expect("browser log");
        for entry in entries.as_array().into_iter().flatten() {
            self.console.push(format!(
                "{} {}",
                entry["level"].as_str().unwrap_or("?"),
                entry["message"].as_str().unwrap_or("?")
            ));
        }
    }

    /// A console error containing `text` is part of the scenario, not a fault.
    pub fn expect_console_error(&mut self, text: &str) {
        self.expected.push(text.to_owned());
    }

    /// No error in the console, in particular no Content-Security-Policy violation.
    pub async fn assert_clean_console(&mut self) {
        self.read_console().await;
        let errors: Vec<&String> = self
            .console
            .iter()
            .filter(|m| m.starts_with("SEVERE") || m.contains("Content Security Policy"))
            .filter(|m| !self.expected.iter().any(|e| m.contains(e.as_str())))
            .collect();
        assert!(
            errors.is_empty(),
            "{}: console errors: {errors:#?}",
            self.name
        );
    }

    /// Waits for a finished download (Chromium writes `.crdownload` until done).
    pub async fn downloaded(&self, suffix: &str) -> PathBuf {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let found = std::fs::read_dir(&self.downloads)
                .expect("download directory")
                .filter_map(Result::ok)
                .map(|e| e.path())
                .find(|p| p.to_string_lossy().ends_with(suffix));
            if let Some(path) = found {
                return path;
            }
            assert!(Instant::now() < deadline, "no *{suffix} was downloaded");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn close(self) {
        self.client.close().await.expect("close the browser");
    }
}
