//! A tenant integration as tests drive it: JSON calls with its API key, and the usual first steps.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::TestApp;

pub struct TenantApi {
    pub base_url: String,
    pub client: reqwest::Client,
    pub key: String,
}

/// The demo's tenants, levels and staff, without applications: (live, sandbox).
pub async fn seeded(app: &TestApp) -> (TenantApi, TenantApi) {
    let seeded = kycdesk::demo::seed(&app.services, 0)
        .await
        .expect("seed tenants, levels and staff");
    let key = |sandbox: bool| {
        seeded
            .tenants
            .iter()
            .find(|t| t.sandbox == sandbox)
            .map(|t| t.api_key.clone())
            .expect("key")
    };
    (
        TenantApi::new(app, key(false)),
        TenantApi::new(app, key(true)),
    )
}

impl TenantApi {
    pub fn new(app: &TestApp, key: String) -> Self {
        Self::at(&app.base_url, key)
    }

    /// A tenant calling another server (the real binary).
    pub fn at(base_url: &str, key: String) -> Self {
        Self {
            base_url: base_url.to_owned(),
            client: reqwest::Client::new(),
            key,
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .client
            .request(method, format!("{}/api/v1{path}", self.base_url))
            .bearer_auth(&self.key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let text = response.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn level(&self, name: &str) -> String {
        let (_, levels) = self.call(Method::GET, "/levels", None).await;
        levels
            .as_array()
            .expect("levels")
            .iter()
            .find(|l| l["name"] == name)
            .and_then(|l| l["id"].as_str())
            .expect("level")
            .to_owned()
    }

    pub async fn applicant(&self, external_id: &str, last_name: &str) -> String {
        let (status, body) = self
            .call(
                Method::POST,
                "/applicants",
                Some(json!({"external_id": external_id, "first_name": "Ada", "last_name": last_name})),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().expect("id").to_owned()
    }

    /// A Basic-level application with every answer filled, in draft.
    pub async fn basic_application(&self, applicant: &str, extra: Value) -> String {
        let level = self.level("Basic").await;
        let mut request = json!({"applicant_id": applicant, "level_id": level});
        if let (Some(target), Value::Object(more)) = (request.as_object_mut(), extra) {
            target.extend(more);
        }
        let (status, created) = self
            .call(Method::POST, "/kyc_applications", Some(request))
            .await;
        assert_eq!(status, 201, "{created}");
        let id = created["id"].as_str().expect("id").to_owned();
        let answers = json!({"attribute_changes": [
            {"key": "first_name", "value": "Ada"}, {"key": "last_name", "value": "Lovelace"},
            {"key": "date_of_birth", "value": "1990-12-10"}, {"key": "country", "value": "GB"},
            {"key": "email", "value": "ada@example.com"}
        ]});
        let (status, filled) = self
            .call(
                Method::PATCH,
                &format!("/kyc_applications/{id}"),
                Some(answers),
            )
            .await;
        assert_eq!(status, 200, "{filled}");
        id
    }

    pub async fn send_to_review(&self, id: &str) -> Value {
        let (status, body) = self
            .call(
                Method::POST,
                &format!("/kyc_applications/{id}/send-to-review"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Polls the application until `done` holds of it; fails after ten seconds.
    pub async fn wait_for(&self, id: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let (_, application) = self
                .call(Method::GET, &format!("/kyc_applications/{id}"), None)
                .await;
            if done(&application) {
                return application;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "application never reached {what}: {application}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until the application reaches `status`.
    pub async fn wait_for_status(&self, id: &str, status: &str) -> Value {
        self.wait_for(id, status, |a| a["status"] == status).await
    }
}

/// A level of one text requirement (plus `extra`), processed by the sandbox provider, made
/// through the service layer; returns its id.
pub async fn quick_level(
    app: &TestApp,
    name: &str,
    auto_decision: bool,
    extra: Vec<kycdesk::domain::requirement::Requirement>,
) -> String {
    quick_level_with(app, name, "sandbox", auto_decision, extra).await
}

/// Like `quick_level`, with another provider.
pub async fn quick_level_with(
    app: &TestApp,
    name: &str,
    provider: &str,
    auto_decision: bool,
    extra: Vec<kycdesk::domain::requirement::Requirement>,
) -> String {
    use kycdesk::domain::level::{ApplicantType, Policy};
    use kycdesk::domain::requirement::{Requirement, RequirementKind};
    let mut requirements = vec![Requirement {
        key: "nickname".into(),
        label: "Nickname".into(),
        required: true,
        kind: RequirementKind::Text,
    }];
    requirements.extend(extra);
    let level = kycdesk::service::levels::create(
        &app.services,
        &kycdesk::service::Ctx::system("test"),
        kycdesk::service::levels::NewLevel {
            name: name.into(),
            tier: 1,
            applicant_type: ApplicantType::Individual,
            requirements,
            policy: Policy {
                provider: provider.into(),
                auto_decision,
                max_attempts: 2,
                four_eyes: false,
                sla_hours: 24,
            },
            upgrades_to: vec![],
        },
    )
    .await
    .expect("level");
    level.level_id.to_string()
}

impl TenantApi {
    /// An application on a `quick_level` with its text answer given, in draft.
    pub async fn quick_application(&self, level: &str, applicant: &str, params: Value) -> String {
        let (status, created) = self
            .call(
                Method::POST,
                "/kyc_applications",
                Some(json!({"applicant_id": applicant, "level_id": level, "params": params})),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        let id = created["id"].as_str().expect("id").to_owned();
        let (status, filled) = self
            .call(
                Method::PATCH,
                &format!("/kyc_applications/{id}"),
                Some(json!({"attribute_changes": [{"key": "nickname", "value": "Ada"}]})),
            )
            .await;
        assert_eq!(status, 200, "{filled}");
        id
    }
}
