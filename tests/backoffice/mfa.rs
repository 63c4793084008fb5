//! Two-factor sign-in for staff (TOTP + recovery codes) over real HTTP on both databases: enrolment,
//! the two-step sign-in, replay, lockout, the admin's requirement and reset.

use crate::common::TestApp;
use crate::common::browser::{Browser, PASSWORD, signed_in};
use kycdesk::domain::totp::TotpSecret;

fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = html.find(start)? + start.len();
    let to = html[from..].find(end)? + from;
    Some(&html[from..to])
}

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A signed-in user enrols: reads the key from the set-up page, confirms with the app's code.
/// Returns the secret and the recovery codes shown once.
async fn enrol(browser: &mut Browser) -> (TotpSecret, Vec<String>) {
    let setup = browser.get("/account/mfa").await;
    assert_eq!(setup.status, 200);
    assert!(setup.body.contains("<svg"), "a QR code is drawn inline");
    let uri = between(&setup.body, "id=\"mfa-uri\">", "</code>").expect("otpauth URI");
    assert!(uri.starts_with("otpauth://totp/kycdesk:"), "{uri}");
    let key = between(&setup.body, "id=\"mfa-secret\">", "</code>").expect("secret");
    let secret = TotpSecret::from_base32(key).expect("base32 secret");

    let wrong = browser.post("/account/mfa", &[("code", "000000")]).await;
    if secret.code_now(unix_now()) != "000000" {
        assert_eq!(wrong.status, 422);
    }
    let done = browser
        .post("/account/mfa", &[("code", &secret.code_now(unix_now()))])
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    let list = between(&done.body, "id=\"recovery-codes\">", "</ul>").expect("codes");
    let codes: Vec<String> = list
        .split("<code>")
        .skip(1)
        .filter_map(|part| part.split("</code>").next())
        .map(str::to_owned)
        .collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

/// The password step of a user with MFA: not signed in yet, the code page next.
async fn password_step(app: &TestApp, email: &str) -> Browser {
    let mut browser = Browser::new(app);
    let answer = browser.sign_in(email, PASSWORD).await;
    assert_eq!(answer.location(), Some("/login/code"));
    assert_eq!(
        browser.get("/applications").await.location(),
        Some("/login/code"),
        "the password alone does not sign in"
    );
    assert_eq!(browser.get("/login/code").await.status, 200);
    browser
}

/// The next step's code: the current one was used at enrolment, and a code works once.
fn next_code(secret: &TotpSecret) -> String {
    secret.code_now(unix_now() + 30)
}

async fn enrolment_then_two_step_sign_in_and_no_replay(app: TestApp) {
    let mut browser = signed_in(&app, "rev@example.com", "reviewer").await;
    let mut elsewhere = Browser::new(&app);
    assert_eq!(
        elsewhere.sign_in("rev@example.com", PASSWORD).await.status,
        303
    );
    let (secret, codes) = enrol(&mut browser).await;
    assert_eq!(app.audit_count("auth.mfa_enrolled").await, 1);
    assert_eq!(
        elsewhere.get("/").await.location(),
        Some("/login"),
        "a session opened with the password alone ends when a second factor is added"
    );
    assert_eq!(
        browser.get("/").await.status,
        200,
        "the enrolling session stays"
    );
    assert!(
        browser
            .get("/account/mfa")
            .await
            .body
            .contains("Recovery codes left: <strong>10</strong>")
    );
    assert_eq!(browser.post("/logout", &[]).await.status.as_u16(), 303);

    let mut second = password_step(&app, "rev@example.com").await;
    let code = next_code(&secret);
    let before = second.cookie.clone();
    let answer = second.post("/login/code", &[("code", &code)]).await;
    assert_eq!(answer.location(), Some("/"), "{}", answer.body);
    assert_ne!(
        second.cookie, before,
        "the session id is cycled at the code step"
    );
    assert_eq!(second.get("/").await.status, 200);

    // The same code again, in another sign-in: refused.
    let mut replay = password_step(&app, "rev@example.com").await;
    let refused = replay.post("/login/code", &[("code", &code)]).await;
    assert_eq!(refused.status, 401);
    assert_eq!(replay.get("/").await.location(), Some("/login/code"));

    // A recovery code works once.
    let recovered = replay.post("/login/code", &[("code", &codes[0])]).await;
    assert_eq!(recovered.location(), Some("/"), "{}", recovered.body);
    assert_eq!(app.audit_count("auth.recovery_code_used").await, 1);
    let mut again = password_step(&app, "rev@example.com").await;
    assert_eq!(
        again
            .post("/login/code", &[("code", &codes[0])])
            .await
            .status,
        401
    );
}

async fn one_code_sent_at_once_from_many_sessions_signs_in_once(app: TestApp) {
    let mut browser = signed_in(&app, "rev@example.com", "reviewer").await;
    let (secret, _) = enrol(&mut browser).await;
    // Four at once: fewer than the lockout's five checks, so only the replay rule decides.
    let mut pending = Vec::new();
    for _ in 0..4 {
        pending.push(password_step(&app, "rev@example.com").await);
    }
    let code = next_code(&secret);
    let answers = futures_util::future::join_all(pending.into_iter().map(|mut browser| {
        let code = code.clone();
        async move { browser.post("/login/code", &[("code", &code)]).await.status }
    }))
    .await;
    let signed_in = answers.iter().filter(|s| s.as_u16() == 303).count();
    assert_eq!(signed_in, 1, "{answers:?}");
    assert!(answers.iter().all(|s| matches!(s.as_u16(), 303 | 401)));
}

async fn wrong_codes_count_toward_the_lockout(app: TestApp) {
    let mut browser = signed_in(&app, "rev@example.com", "reviewer").await;
    let (secret, _) = enrol(&mut browser).await;
    let mut attacker = password_step(&app, "rev@example.com").await;
    let right = next_code(&secret);
    let wrong = if right == "123456" {
        "654321"
    } else {
        "123456"
    };
    for _ in 0..5 {
        assert_eq!(
            attacker
                .post("/login/code", &[("code", wrong)])
                .await
                .status,
            401
        );
    }
    assert_eq!(app.audit_count("auth.locked").await, 1);
    let locked = attacker.post("/login/code", &[("code", &right)]).await;
    assert_eq!(
        locked.status, 401,
        "the right code does not open a locked account"
    );
}

async fn required_mfa_holds_new_sessions_to_enrolment_and_a_reset_ends_them(app: TestApp) {
    let mut admin = signed_in(&app, "admin@example.com", "admin").await;
    let mut user = signed_in(&app, "rev@example.com", "reviewer").await;
    let (_, _) = enrol(&mut user).await;

    let page = admin.get("/admin/users").await;
    assert!(page.body.contains("Require for everyone"));
    let required = admin
        .post("/admin/users/mfa-required", &[("required", "true")])
        .await;
    assert_eq!(required.status, 200, "{}", required.body);
    assert_eq!(app.audit_count("settings.mfa_required").await, 1);

    // A user without MFA signs in: nothing but enrolment until it is done.
    app.staff_user("aud@example.com", "auditor", PASSWORD).await;
    let mut auditor = Browser::new(&app);
    let answer = auditor.sign_in("aud@example.com", PASSWORD).await;
    assert_eq!(answer.location(), Some("/account/mfa"));
    assert_eq!(auditor.get("/audit").await.location(), Some("/account/mfa"));
    let (_, _) = enrol(&mut auditor).await;
    assert_eq!(auditor.get("/audit").await.status, 200);

    // The admin resets the reviewer's second factor: their session ends, their enrolment is gone.
    assert!(
        admin
            .get("/admin/users")
            .await
            .body
            .contains("Reset two-factor")
    );
    let reviewer_id: String =
        sqlx::query_scalar("SELECT id FROM staff_users WHERE email = 'rev@example.com'")
            .fetch_one(app.services.store.pool())
            .await
            .expect("id");
    let version: i64 = sqlx::query_scalar("SELECT version FROM staff_users WHERE id = $1")
        .bind(&reviewer_id)
        .fetch_one(app.services.store.pool())
        .await
        .expect("version");
    let reset = admin
        .post(
            &format!("/admin/users/{reviewer_id}/mfa-reset"),
            &[("version", &version.to_string())],
        )
        .await;
    assert_eq!(reset.status, 200, "{}", reset.body);
    assert_eq!(app.audit_count("auth.mfa_reset").await, 1);
    assert_eq!(
        user.get("/").await.location(),
        Some("/login"),
        "sessions ended"
    );
    let mut again = Browser::new(&app);
    assert_eq!(
        again.sign_in("rev@example.com", PASSWORD).await.location(),
        Some("/account/mfa"),
        "with MFA required, the reset user enrols again"
    );

    // A reviewer may not reset anyone's second factor, and gets 403 whatever it sends.
    let mut denied = user_with_role(&app, "rev2@example.com", "reviewer").await;
    let answer = denied
        .post(&format!("/admin/users/{reviewer_id}/mfa-reset"), &[])
        .await;
    assert_eq!(answer.status, 403);
}

/// Another signed-in user (MFA required: enrolled on the way).
async fn user_with_role(app: &TestApp, email: &str, roles: &str) -> Browser {
    app.staff_user(email, roles, PASSWORD).await;
    let mut browser = Browser::new(app);
    assert_eq!(
        browser.sign_in(email, PASSWORD).await.location(),
        Some("/account/mfa")
    );
    let (_, _) = enrol(&mut browser).await;
    browser.get("/").await;
    browser
}

on_both_databases!(
    enrolment_then_two_step_sign_in_and_no_replay,
    one_code_sent_at_once_from_many_sessions_signs_in_once,
    wrong_codes_count_toward_the_lockout,
    required_mfa_holds_new_sessions_to_enrolment_and_a_reset_ends_them,
);
