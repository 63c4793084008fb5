//! Two-factor sign-in in the browser: a reviewer scans the QR code the set-up page draws (decoded
//! here from the rendered pixels, as a phone would), confirms with the app's code, signs out, signs
//! in with password and code, and finds a replayed code refused.

use kycdesk::domain::totp::TotpSecret;

use crate::Demo;

/// Reads the QR code from a screenshot of the element, as an authenticator app's camera would.
fn decode_qr(png: &[u8]) -> String {
    let image = image::load_from_memory(png).expect("screenshot").to_luma8();
    let (width, height) = image.dimensions();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(width as usize, height as usize, |x, y| {
            image.get_pixel(x as u32, y as u32).0[0]
        });
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the set-up page");
    grids[0].decode().expect("a readable QR code").1
}

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewer_enrols_from_the_qr_code_and_signs_in_with_a_code() {
    let Some(demo) = Demo::start("mfa").await else {
        return;
    };
    let login = demo
        .seed
        .logins
        .iter()
        .find(|l| l.email.starts_with("reviewer1@"))
        .expect("a demo reviewer");
    let mut browser = demo.signed_in("reviewer1").await;
    browser.goto("/account/mfa").await;
    let qr = browser.wait_for(".qr svg").await;
    browser.shot("1-set-up").await;
    let scanned = decode_qr(&qr.screenshot().await.expect("QR screenshot"));
    let shown = browser
        .script("return document.getElementById('mfa-uri').textContent;")
        .await;
    assert_eq!(
        Some(scanned.as_str()),
        shown.as_str(),
        "the QR code holds the set-up link"
    );
    let key = scanned
        .split("secret=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .expect("secret in the URI");
    let secret = TotpSecret::from_base32(key).expect("a TOTP key");

    browser
        .fill("input[name=code]", &secret.code_now(unix_now()))
        .await;
    browser.click("form[action='/account/mfa'] button").await;
    let codes = browser.text("#recovery-codes").await;
    assert_eq!(
        codes.lines().filter(|l| !l.trim().is_empty()).count(),
        10,
        "{codes}"
    );
    browser.shot("2-recovery-codes").await;
    browser.read_console().await;
    browser.sign_out().await;

    // Password, then the code page; the code one step ahead (the current one was used to enrol).
    let code = secret.code_now(unix_now() + 30);
    for attempt in ["first", "replay"] {
        browser.goto("/login").await;
        browser.fill("input[name=email]", &login.email).await;
        browser.fill("input[name=password]", &login.password).await;
        browser
            .click("form[action='/login'] button[type=submit]")
            .await;
        browser.wait_for("form[action='/login/code']").await;
        browser.fill("input[name=code]", &code).await;
        browser.click("form[action='/login/code'] button").await;
        if attempt == "first" {
            browser.wait_for("form[action='/logout']").await;
            browser.shot("3-signed-in-with-code").await;
            browser.sign_out().await;
        } else {
            browser.wait_for_text("p.error", "not accepted").await;
            browser.shot("4-replay-refused").await;
        }
    }
    browser.expect_console_error("401");
    browser.read_console().await;
    browser.assert_clean_console().await;
    browser.close().await;
}
