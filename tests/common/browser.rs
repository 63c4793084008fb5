//! A minimal stand-in for a browser: keeps the session cookie and the CSRF token, posts forms.
//! Cookies are handled by hand so tests can see and compare the session id.

use reqwest::header::{COOKIE, HeaderMap, SET_COOKIE};
use reqwest::{Response, StatusCode};

use super::TestApp;

pub const COOKIE_NAME: &str = "kycdesk_session";

pub struct Browser {
    client: reqwest::Client,
    base_url: String,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
}

/// The CSRF token a page carries (hidden input).
pub fn csrf_in(html: &str) -> Option<String> {
    let start = html.find("name=\"csrf_token\" value=\"")? + "name=\"csrf_token\" value=\"".len();
    html[start..].split('"').next().map(str::to_owned)
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            let pair = v.split(';').next()?;
            let (name, value) = pair.split_once('=')?;
            (name.trim() == COOKIE_NAME).then(|| value.to_owned())
        })
}

pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> Option<&str> {
        self.headers.get("location").and_then(|v| v.to_str().ok())
    }
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self {
            client,
            base_url: app.base_url.clone(),
            cookie: None,
            csrf: None,
        }
    }

    async fn finish(&mut self, response: Response) -> Page {
        let status = response.status();
        let headers = response.headers().clone();
        if let Some(cookie) = session_cookie(&headers) {
            self.cookie = Some(cookie);
        }
        let body = response.text().await.expect("body");
        if let Some(token) = csrf_in(&body) {
            self.csrf = Some(token);
        }
        Page {
            status,
            headers,
            body,
        }
    }

    /// A GET whose raw answer the test reads itself (downloads).
    pub async fn download(&self, path: &str) -> reqwest::Response {
        self.request(reqwest::Method::GET, path)
            .send()
            .await
            .expect("GET")
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut builder = self
            .client
            .request(method, format!("{}{path}", self.base_url));
        if let Some(cookie) = &self.cookie {
            builder = builder.header(COOKIE, format!("{COOKIE_NAME}={cookie}"));
        }
        builder
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let response = self
            .request(reqwest::Method::GET, path)
            .send()
            .await
            .expect("GET");
        self.finish(response).await
    }

    pub async fn get_htmx(&mut self, path: &str) -> Page {
        let response = self
            .request(reqwest::Method::GET, path)
            .header("HX-Request", "true")
            .send()
            .await
            .expect("GET");
        self.finish(response).await
    }

    /// Posts a form with the current CSRF token added.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf.clone().unwrap_or_default();
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf_token", &token));
        let response = self
            .request(reqwest::Method::POST, path)
            .form(&form)
            .send()
            .await
            .expect("POST");
        self.finish(response).await
    }

    /// Posts a form exactly as given, with extra headers (for CSRF tests).
    pub async fn post_raw(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Page {
        let mut builder = self.request(reqwest::Method::POST, path).form(fields);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let response = builder.send().await.expect("POST");
        self.finish(response).await
    }

    /// Opens the sign-in page and signs in; returns the answer to the sign-in POST.
    pub async fn sign_in(&mut self, email: &str, password: &str) -> Page {
        self.get("/login").await;
        self.post("/login", &[("email", email), ("password", password)])
            .await
    }
}

/// The password every test staff user gets.
pub const PASSWORD: &str = "correct horse battery staple";

/// A staff user with these roles, signed in, on the home page (so the CSRF token is current).
pub async fn signed_in(app: &TestApp, email: &str, roles: &str) -> Browser {
    app.staff_user(email, roles, PASSWORD).await;
    let mut browser = Browser::new(app);
    let answer = browser.sign_in(email, PASSWORD).await;
    assert_eq!(answer.status, 303, "sign-in of {email}: {}", answer.body);
    browser.get("/").await;
    browser
}
