//! Staff sign-in, sessions, CSRF, lockout, roles and the security baseline, over real HTTP on both databases.

use crate::common::TestApp;
use crate::common::browser::{Browser, PASSWORD, signed_in};

const REFUSED: &str = "Sign-in failed. Check your e-mail and password.";

async fn sign_in_cycles_the_session_id_and_sign_out_kills_it(app: TestApp) {
    app.staff_user("rev@example.com", "reviewer", PASSWORD)
        .await;
    let mut browser = Browser::new(&app);
    let login = browser.get("/login").await;
    assert_eq!(login.status, 200);
    let before = browser
        .cookie
        .clone()
        .expect("a session for the sign-in form's CSRF token");

    let answer = browser
        .post(
            "/login",
            &[("email", "rev@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        (answer.status.as_u16(), answer.location()),
        (303, Some("/"))
    );
    let after = browser.cookie.clone().expect("session cookie");
    assert_ne!(before, after, "the session id is cycled at sign-in");
    assert_eq!(browser.get("/").await.status, 200);
    assert_eq!(app.audit_count("auth.signed_in").await, 1);

    let mut stale = Browser::new(&app);
    stale.cookie = Some(before);
    assert_eq!(
        stale.get("/").await.location(),
        Some("/login"),
        "the pre-sign-in id is dead"
    );

    let out = browser.post("/logout", &[]).await;
    assert_eq!((out.status.as_u16(), out.location()), (303, Some("/login")));
    let mut replay = Browser::new(&app);
    replay.cookie = Some(after);
    assert_eq!(
        replay.get("/").await.location(),
        Some("/login"),
        "the old id is dead after sign-out"
    );
    assert_eq!(app.audit_count("auth.signed_out").await, 1);
}

async fn refusals_say_the_same_whatever_the_reason(app: TestApp) {
    app.staff_user("rev@example.com", "reviewer", PASSWORD)
        .await;
    let mut browser = Browser::new(&app);
    let unknown = browser.sign_in("nobody@example.com", PASSWORD).await;
    let wrong = browser
        .sign_in("rev@example.com", "wrong password here")
        .await;
    let malformed = browser.sign_in("not an email", "x").await;
    for page in [&unknown, &wrong, &malformed] {
        assert_eq!(page.status, 401);
        assert!(page.body.contains(REFUSED), "{}", page.body);
    }
    assert_eq!(app.audit_count("auth.sign_in_failed").await, 3);
}

async fn five_failures_lock_the_account_until_the_window_ends(app: TestApp) {
    app.staff_user("rev@example.com", "reviewer", PASSWORD)
        .await;
    let mut browser = Browser::new(&app);
    for _ in 0..5 {
        assert_eq!(
            browser
                .sign_in("rev@example.com", "not the password")
                .await
                .status,
            401
        );
    }
    assert_eq!(app.audit_count("auth.locked").await, 1);
    let locked = browser.sign_in("rev@example.com", PASSWORD).await;
    assert_eq!(
        locked.status, 401,
        "the right password does not open a locked account"
    );
    assert!(locked.body.contains(REFUSED));

    // The window ends (moved into the past rather than waited for).
    sqlx::query("UPDATE staff_users SET locked_until = '2000-01-01T00:00:00.000000Z' WHERE email = 'rev@example.com'")
        .execute(app.services.store.pool())
        .await
        .expect("end the lock");
    assert_eq!(
        browser.sign_in("rev@example.com", PASSWORD).await.status,
        303
    );
    assert_eq!(app.audit_count("auth.lock_expired").await, 1);
    let failures: i64 =
        sqlx::query_scalar("SELECT failed_logins FROM staff_users WHERE email = 'rev@example.com'")
            .fetch_one(app.services.store.pool())
            .await
            .expect("failures");
    assert_eq!(failures, 0);
}

/// The `reason` of every refused sign-in so far.
async fn refusal_reasons(app: &TestApp) -> Vec<String> {
    let details: Vec<String> =
        sqlx::query_scalar("SELECT payload FROM audit_events WHERE action = 'auth.sign_in_failed'")
            .fetch_all(app.services.store.pool())
            .await
            .expect("refusals");
    details
        .iter()
        .map(|d| {
            let json: serde_json::Value = serde_json::from_str(d).expect("details json");
            json["reason"].as_str().unwrap_or_default().to_owned()
        })
        .collect()
}

/// Sign-in pages opened one by one, each with its own session and CSRF token, ready to post at once.
async fn sign_in_forms(app: &TestApp, count: usize) -> Vec<Browser> {
    let mut browsers = Vec::with_capacity(count);
    for _ in 0..count {
        let mut browser = Browser::new(app);
        assert_eq!(browser.get("/login").await.status, 200);
        browsers.push(browser);
    }
    browsers
}

async fn a_burst_of_wrong_passwords_checks_at_most_five(app: TestApp) {
    app.staff_user("rev@example.com", "reviewer", PASSWORD)
        .await;
    let burst = sign_in_forms(&app, 30).await;
    let answers = futures_util::future::join_all(burst.into_iter().map(|mut browser| async move {
        browser
            .post(
                "/login",
                &[
                    ("email", "rev@example.com"),
                    ("password", "not the password"),
                ],
            )
            .await
            .status
    }))
    .await;
    assert!(answers.iter().all(|status| *status == 401), "{answers:?}");
    let reasons = refusal_reasons(&app).await;
    let checked = reasons.iter().filter(|r| *r == "wrong_password").count();
    assert_eq!(checked, 5, "wrong passwords actually checked: {reasons:?}");
    assert_eq!(reasons.len(), 30);
    assert_eq!(app.audit_count("auth.locked").await, 1);

    // The right password, also sent by many at once, opens nothing until the lock ends.
    let burst = sign_in_forms(&app, 10).await;
    let answers = futures_util::future::join_all(burst.into_iter().map(|mut browser| async move {
        browser
            .post(
                "/login",
                &[("email", "rev@example.com"), ("password", PASSWORD)],
            )
            .await
            .status
    }))
    .await;
    assert!(answers.iter().all(|status| *status == 401), "{answers:?}");
    assert_eq!(app.audit_count("auth.signed_in").await, 0);
}

/// A form POST whose body is held back: the server has loaded (and touched) the session and its
/// handler is waiting for the body when `hold` returns — it asks for it with `100 Continue`.
struct HeldPost {
    stream: tokio::net::TcpStream,
}

impl HeldPost {
    async fn hold(app: &TestApp, path: &str, cookie: &str, csrf: &str, body_len: usize) -> Self {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let address = app.base_url.trim_start_matches("http://");
        let mut stream = tokio::net::TcpStream::connect(address)
            .await
            .expect("connect");
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {address}\r\nCookie: {}={cookie}\r\nX-CSRF-Token: {csrf}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {body_len}\r\n\
             Expect: 100-continue\r\nConnection: close\r\n\r\n",
            crate::common::browser::COOKIE_NAME
        );
        stream.write_all(head.as_bytes()).await.expect("send head");
        let mut seen = Vec::new();
        while !seen.ends_with(b"\r\n\r\n") {
            let mut byte = [0_u8; 1];
            assert_eq!(
                stream.read(&mut byte).await.expect("read"),
                1,
                "closed early"
            );
            seen.push(byte[0]);
        }
        let interim = String::from_utf8_lossy(&seen);
        assert!(interim.starts_with("HTTP/1.1 100"), "{interim}");
        Self { stream }
    }

    /// Sends the body and reads the whole answer (the connection closes after it).
    async fn finish(mut self, body: &str) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        self.stream
            .write_all(body.as_bytes())
            .await
            .expect("send body");
        let mut answer = String::new();
        self.stream
            .read_to_string(&mut answer)
            .await
            .expect("answer");
        answer
    }
}

async fn a_session_ended_by_sign_out_never_comes_back(app: TestApp) {
    app.staff_user("rev@example.com", "reviewer", PASSWORD)
        .await;
    let mut browser = Browser::new(&app);
    assert_eq!(
        browser.sign_in("rev@example.com", PASSWORD).await.status,
        303
    );
    assert_eq!(browser.get("/").await.status, 200);
    let cookie = browser.cookie.clone().expect("session cookie");
    let csrf = browser.csrf.clone().expect("csrf token");
    // The request in flight writes its activity back when it ends.
    age_session_activity(&app).await;
    let body = "body=late+note";
    let late = HeldPost::hold(&app, "/applications/0/notes", &cookie, &csrf, body.len()).await;

    assert_eq!(browser.post("/logout", &[]).await.status, 303);
    let answer = late.finish(body).await;
    assert!(!answer.starts_with("HTTP/1.1 5"), "{answer}");

    let mut replay = Browser::new(&app);
    replay.cookie = Some(cookie);
    assert_eq!(
        replay.get("/").await.location(),
        Some("/login"),
        "the signed-out session came back"
    );
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(app.services.store.pool())
        .await
        .expect("sessions");
    assert_eq!(left, 0, "a deleted session was saved again");
}

/// Moves `last_seen` of every session two minutes back: still valid, but due for its write-back.
async fn age_session_activity(app: &TestApp) {
    let earlier = (chrono::Utc::now() - chrono::Duration::minutes(2))
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string();
    set_session_time(app, "last_seen", &earlier).await;
}

async fn staff_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM staff_users")
        .fetch_one(app.services.store.pool())
        .await
        .expect("count")
}

async fn csrf_failures_are_403_and_change_nothing(app: TestApp) {
    let mut admin = signed_in(&app, "admin@example.com", "admin").await;
    let token = admin.csrf.clone().expect("token on the page");
    let fields = [("email", "new@example.com"), ("role_reviewer", "on")];
    let with_token = [
        ("email", "new@example.com"),
        ("role_reviewer", "on"),
        ("csrf_token", token.as_str()),
    ];
    let wrong = [
        ("email", "new@example.com"),
        ("role_reviewer", "on"),
        ("csrf_token", "0000"),
    ];

    assert_eq!(
        admin.post_raw("/admin/users", &fields, &[]).await.status,
        403,
        "missing token"
    );
    assert_eq!(
        admin.post_raw("/admin/users", &wrong, &[]).await.status,
        403,
        "wrong token"
    );
    let cross = admin
        .post_raw(
            "/admin/users",
            &with_token,
            &[("Origin", "https://evil.example")],
        )
        .await;
    assert_eq!(cross.status, 403, "cross-origin");
    let cross_site = admin
        .post_raw(
            "/admin/users",
            &with_token,
            &[("Sec-Fetch-Site", "cross-site")],
        )
        .await;
    assert_eq!(cross_site.status, 403, "cross-site fetch");
    assert_eq!(staff_count(&app).await, 1, "nothing was created");

    // A real browser's same-origin form post under Referrer-Policy: no-referrer.
    let browser_like = [("Origin", "null"), ("Sec-Fetch-Site", "same-origin")];
    let posted = admin
        .post_raw("/admin/users", &with_token, &browser_like)
        .await;
    assert_eq!(posted.status, 200, "{}", posted.body);
    assert_eq!(staff_count(&app).await, 2);

    let fields = [("email", "other@example.com"), ("role_reviewer", "on")];
    let header = admin
        .post_raw(
            "/admin/users",
            &fields,
            &[("X-CSRF-Token", &token), ("HX-Request", "true")],
        )
        .await;
    assert_eq!(header.status, 200, "{}", header.body);
    assert_eq!(staff_count(&app).await, 3);
}

async fn the_permission_matrix_holds_on_every_route(app: TestApp) {
    let mut reviewer = signed_in(&app, "rev@example.com", "reviewer").await;
    let mut auditor = signed_in(&app, "aud@example.com", "auditor").await;
    let mut admin = signed_in(&app, "adm@example.com", "admin").await;
    for browser in [&mut reviewer, &mut auditor, &mut admin] {
        assert_eq!(browser.get("/").await.status, 200);
    }
    assert_eq!(admin.get("/admin/users").await.status, 200);
    let admin_id: String =
        sqlx::query_scalar("SELECT id FROM staff_users WHERE email = 'adm@example.com'")
            .fetch_one(app.services.store.pool())
            .await
            .expect("id");
    for browser in [&mut reviewer, &mut auditor] {
        let page = browser.get("/admin/users").await;
        assert_eq!(page.status, 403);
        assert!(page.body.contains("Your role does not allow this."));
        assert!(
            !page.body.contains("adm@example.com"),
            "no data leaks on a refusal"
        );
        assert_eq!(
            browser
                .post(
                    "/admin/users",
                    &[("email", "x@example.com"), ("role_admin", "on")]
                )
                .await
                .status,
            403
        );
        let reset = browser
            .post(
                &format!("/admin/users/{admin_id}/password-reset"),
                &[("version", "1")],
            )
            .await;
        assert_eq!(reset.status, 403);
        let toast = browser.get_htmx("/admin/users").await;
        assert_eq!(toast.status, 403);
        assert_eq!(
            toast
                .headers
                .get("hx-retarget")
                .and_then(|v| v.to_str().ok()),
            Some("#toasts")
        );
    }
    assert_eq!(app.audit_count("access.denied").await, 8);
    assert_eq!(staff_count(&app).await, 3);
}

async fn ending_a_users_access_ends_their_live_session(app: TestApp) {
    let mut reviewer = signed_in(&app, "rev@example.com", "reviewer").await;
    let mut other = signed_in(&app, "rev2@example.com", "reviewer").await;
    let mut admin = signed_in(&app, "adm@example.com", "admin").await;
    let (id, version): (String, i64) =
        sqlx::query_as("SELECT id, version FROM staff_users WHERE email = 'rev@example.com'")
            .fetch_one(app.services.store.pool())
            .await
            .expect("user");
    let done = admin
        .post(
            &format!("/admin/users/{id}/active"),
            &[("version", &version.to_string()), ("active", "false")],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(
        reviewer.get("/").await.location(),
        Some("/login"),
        "the deactivated user's session is refused"
    );
    assert_eq!(
        reviewer.sign_in("rev@example.com", PASSWORD).await.status,
        401
    );

    let (id, version): (String, i64) =
        sqlx::query_as("SELECT id, version FROM staff_users WHERE email = 'rev2@example.com'")
            .fetch_one(app.services.store.pool())
            .await
            .expect("user");
    let roles = admin
        .post(
            &format!("/admin/users/{id}/roles"),
            &[("version", &version.to_string()), ("role_auditor", "on")],
        )
        .await;
    assert_eq!(roles.status, 200, "{}", roles.body);
    assert_eq!(
        other.get("/").await.location(),
        Some("/login"),
        "a role change ends the session"
    );
    assert_eq!(app.audit_count("staff_user.deactivated").await, 1);
    assert_eq!(app.audit_count("staff_user.roles_changed").await, 1);

    let stale = admin
        .post(
            &format!("/admin/users/{id}/roles"),
            &[("version", &version.to_string()), ("role_admin", "on")],
        )
        .await;
    assert_eq!(stale.status, 409, "a stale version is refused");
}

async fn invited_users_must_choose_their_own_password(app: TestApp) {
    let mut admin = signed_in(&app, "adm@example.com", "admin").await;
    let created = admin
        .post(
            "/admin/users",
            &[("email", "new@example.com"), ("role_reviewer", "on")],
        )
        .await;
    assert_eq!(created.status, 200);
    let start = created
        .body
        .find("<code class=\"select-all\">")
        .expect("one-time password shown")
        + "<code class=\"select-all\">".len();
    let one_time = created.body[start..]
        .split('<')
        .next()
        .expect("password")
        .to_owned();

    let mut newcomer = Browser::new(&app);
    let answer = newcomer.sign_in("new@example.com", &one_time).await;
    assert_eq!(answer.location(), Some("/account/password"));
    assert_eq!(
        newcomer.get("/").await.location(),
        Some("/account/password")
    );
    let form = newcomer.get("/account/password").await;
    assert!(form.body.contains("set by an administrator"));
    let weak = newcomer
        .post(
            "/account/password",
            &[
                ("current_password", &one_time),
                ("new_password", "password1234"),
                ("confirm_password", "password1234"),
            ],
        )
        .await;
    assert_eq!(weak.status, 422);
    assert!(weak.body.contains("too common"), "{}", weak.body);
    let changed = newcomer
        .post(
            "/account/password",
            &[
                ("current_password", &one_time),
                ("new_password", PASSWORD),
                ("confirm_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(
        newcomer.get("/").await.status,
        200,
        "the session that changed the password stays valid"
    );
    assert_eq!(app.audit_count("staff_user.password_changed").await, 1);
}

async fn every_response_carries_the_security_headers(app: TestApp) {
    let mut admin = signed_in(&app, "adm@example.com", "admin").await;
    for path in [
        "/login",
        "/",
        "/admin/users",
        "/account/password",
        "/no-such-page",
        "/healthz",
        "/static/app-4.css",
    ] {
        let page = admin.get(path).await;
        let header = |name: &str| {
            page.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        };
        let csp = header("content-security-policy");
        assert!(
            csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{path}"
        );
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
        assert!(!header("x-request-id").is_empty(), "{path}");
        if path.starts_with("/static/") {
            assert!(header("cache-control").contains("immutable"), "{path}");
        } else {
            assert_eq!(header("cache-control"), "no-store", "{path}");
        }
    }
    let missing = admin.get("/no-such-page").await;
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.contains("Request id"),
        "error pages show the request id"
    );
}

async fn htmx_gets_the_partial_and_a_plain_request_the_page(app: TestApp) {
    let mut admin = signed_in(&app, "adm@example.com", "admin").await;
    let page = admin.get("/admin/users").await;
    assert!(page.body.contains("<html") && page.body.contains("id=\"users-main\""));
    let partial = admin.get_htmx("/admin/users").await;
    assert!(!partial.body.contains("<html") && partial.body.contains("id=\"users-table\""));
}

async fn applicant_names_are_escaped(app: TestApp) {
    kycdesk::demo::seed(&app.services, 8).await.expect("seed");
    sqlx::query("UPDATE applicants SET first_name = '<script>alert(1)</script>'")
        .execute(app.services.store.pool())
        .await
        .expect("hostile name");
    let mut reviewer = signed_in(&app, "rev@example.com", "reviewer").await;
    let home = reviewer.get("/").await;
    assert!(
        home.body
            .contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{}",
        home.body
    );
    assert!(!home.body.contains("<script>alert(1)"));
}

/// Rewrites one time field inside the stored session data, as if that much time had passed.
async fn age_session(app: &TestApp, field: &str) {
    set_session_time(app, field, "2000-01-01T00:00:00.000000Z").await;
}

/// Sets one time field inside every stored session's data.
async fn set_session_time(app: &TestApp, field: &str, at: &str) {
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT id, data FROM sessions")
        .fetch_all(app.services.store.pool())
        .await
        .expect("sessions");
    for (id, data) in rows {
        let mut json: serde_json::Value = serde_json::from_str(&data).expect("session json");
        if json.get(field).is_some() {
            json[field] = serde_json::json!(at);
            sqlx::query("UPDATE sessions SET data = $1 WHERE id = $2")
                .bind(json.to_string())
                .bind(id)
                .execute(app.services.store.pool())
                .await
                .expect("age session");
        }
    }
}

async fn idle_and_absolute_timeouts_end_sessions(app: TestApp) {
    let mut idle = signed_in(&app, "rev@example.com", "reviewer").await;
    age_session(&app, "last_seen").await;
    assert_eq!(
        idle.get("/").await.location(),
        Some("/login"),
        "idle timeout"
    );

    let mut long = Browser::new(&app);
    assert_eq!(long.sign_in("rev@example.com", PASSWORD).await.status, 303);
    assert_eq!(long.get("/").await.status, 200);
    age_session(&app, "signed_in_at").await;
    assert_eq!(
        long.get("/").await.location(),
        Some("/login"),
        "absolute timeout"
    );
}

on_both_databases!(
    idle_and_absolute_timeouts_end_sessions,
    sign_in_cycles_the_session_id_and_sign_out_kills_it,
    refusals_say_the_same_whatever_the_reason,
    five_failures_lock_the_account_until_the_window_ends,
    a_burst_of_wrong_passwords_checks_at_most_five,
    a_session_ended_by_sign_out_never_comes_back,
    csrf_failures_are_403_and_change_nothing,
    the_permission_matrix_holds_on_every_route,
    ending_a_users_access_ends_their_live_session,
    invited_users_must_choose_their_own_password,
    every_response_carries_the_security_headers,
    htmx_gets_the_partial_and_a_plain_request_the_page,
    applicant_names_are_escaped,
);

/// 10 refusals a minute per address, in bursts of 20.
fn strict_address_throttle(config: &mut kycdesk::config::Config) {
    config.security.failures_per_address_per_minute = 10;
}

async fn a_password_spray_from_one_address_is_throttled(app: TestApp) {
    let mut browser = Browser::new(&app);
    for n in 0..20 {
        let email = format!("user{n}@example.com");
        assert_eq!(browser.sign_in(&email, "Summer2026!").await.status, 401);
    }
    let throttled = browser.sign_in("user20@example.com", "Summer2026!").await;
    assert_eq!(throttled.status, 429);
    assert!(throttled.headers.contains_key("retry-after"));
    assert!(
        throttled.body.contains("Too many failed sign-ins"),
        "{}",
        throttled.body
    );
    assert_eq!(
        app.audit_count("auth.sign_in_failed").await,
        20,
        "a throttled attempt is not even checked"
    );

    // Guessed API keys from the same address meet their own limit.
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    for n in 0..21 {
        let answer = client
            .get(app.url("/api/v1/applications"))
            .bearer_auth(format!("kyc_guess_{n}"))
            .send()
            .await
            .expect("request");
        statuses.push(answer.status().as_u16());
    }
    assert_eq!(&statuses[..20], &[401; 20]);
    assert_eq!(statuses[20], 429);
}

on_both_databases!(@with super::strict_address_throttle; a_password_spray_from_one_address_is_throttled);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secure_deployments_use_a_host_only_secure_cookie_and_hsts() {
    let app = TestApp::sqlite_with(|config| config.secure_cookies = true).await;
    let response = app
        .client
        .get(app.url("/login"))
        .send()
        .await
        .expect("GET /login");
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(cookie.starts_with("__Host-kycdesk_session="), "{cookie}");
    for attribute in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }
    assert!(!cookie.contains("Domain="), "{cookie}");
    let hsts = response
        .headers()
        .get("strict-transport-security")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(hsts.starts_with("max-age="), "{hsts}");
}
