//! The auditor's audit log over real HTTP on both databases: newest first, every filter narrowing to
//! exactly what the database holds, keyset pages, auditors only (refusals audited), one event with its
//! hashes, and the chain verified from the browser in chunks, intact and then tampered with.

use crate::common::TestApp;
use crate::common::browser::{Browser, Page, signed_in};
use kycdesk::domain::tenant::TenantName;
use kycdesk::service::Ctx;
use kycdesk::service::tenants::NewTenant;

/// One row of the log table, from its data attributes.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    seq: i64,
    actor: String,
    action: String,
    subject: String,
    tenant: String,
    at: String,
}

/// Undoes askama's HTML escaping (numeric entities).
fn unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#38;", "&")
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    tag[start..].split('"').next().map(unescape)
}

fn rows(body: &str) -> Vec<Row> {
    body.split("<tr id=\"event-")
        .skip(1)
        .map(|chunk| {
            let tag = format!(" id=\"event-{}", chunk.split('>').next().expect("row tag"));
            let id = attr(&tag, "id").expect("id");
            Row {
                seq: id
                    .trim_start_matches("event-")
                    .parse()
                    .expect("seq in row id"),
                actor: attr(&tag, "data-actor").expect("actor"),
                action: attr(&tag, "data-action").expect("action"),
                subject: attr(&tag, "data-subject").expect("subject"),
                tenant: attr(&tag, "data-tenant").expect("tenant"),
                at: attr(&tag, "data-at").expect("at"),
            }
        })
        .collect()
}

fn seqs(body: &str) -> Vec<i64> {
    rows(body).iter().map(|r| r.seq).collect()
}

/// The href of the link with this id.
fn link(body: &str, id: &str) -> Option<String> {
    let key = format!("id=\"{id}\" href=\"");
    let start = body.find(&key)? + key.len();
    body[start..].split('"').next().map(unescape)
}

/// The value of a form field.
fn field(body: &str, name: &str) -> Option<String> {
    let key = format!("name=\"{name}\" value=\"");
    let start = body.find(&key)? + key.len();
    body[start..].split('"').next().map(unescape)
}

/// The newest 50 seqs matching `condition` (SQL over `audit_events`, `$n` bound to `binds`).
async fn expected(app: &TestApp, condition: &str, binds: &[&str]) -> Vec<i64> {
    let sql = format!("SELECT seq FROM audit_events WHERE {condition} ORDER BY seq DESC LIMIT 50");
    let mut query = sqlx::query_scalar::<_, i64>(&sql);
    for bind in binds {
        query = query.bind(bind.to_string());
    }
    query
        .fetch_all(app.services.store.pool())
        .await
        .expect("expected seqs")
}

async fn text(app: &TestApp, sql: &str, bind: &str) -> String {
    sqlx::query_scalar::<_, String>(sql)
        .bind(bind.to_owned())
        .fetch_one(app.services.store.pool())
        .await
        .expect("text from the database")
}

async fn head(app: &TestApp) -> (i64, String) {
    let mut conn = app.services.store.conn().await.expect("conn");
    kycdesk::store::audit::recorded_head(&mut conn)
        .await
        .expect("head")
}

/// A filtered page: 200, and exactly the newest 50 events the same condition selects in SQL.
async fn assert_filter(
    app: &TestApp,
    browser: &mut Browser,
    query: &str,
    condition: &str,
    binds: &[&str],
) -> Page {
    let page = browser.get(&format!("/audit?{query}")).await;
    assert_eq!(page.status, 200, "{query}: {}", page.body);
    let want = expected(app, condition, binds).await;
    assert!(!want.is_empty(), "{query}: the test needs matching events");
    assert_eq!(seqs(&page.body), want, "{query}");
    page
}

/// 1234 → `1,234`, as the progress shows counts.
fn grouped(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn next_day(day: &str) -> String {
    let date = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").expect("date");
    (date + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string()
}

async fn auditors_browse_filter_and_page_the_log(app: TestApp) {
    kycdesk::demo::seed(&app.services, 20).await.expect("seed");
    let mut auditor = signed_in(&app, "aud@example.com", "auditor").await;
    assert!(
        auditor.get("/").await.body.contains("href=\"/audit\""),
        "auditors get the nav link"
    );

    // Newest first, 50 a page, keyset pages that follow each other without gap or overlap.
    let first = auditor.get("/audit").await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert!(first.body.contains("<h1>Audit log</h1>"));
    let page1 = seqs(&first.body);
    let (head_seq, _) = head(&app).await;
    assert!(head_seq > 150, "the demo gives a few hundred events");
    assert_eq!(page1.len(), 50);
    assert_eq!(page1[0], head_seq, "newest first");
    assert!(page1.windows(2).all(|w| w[0] == w[1] + 1));
    let next = link(&first.body, "next-page").expect("a next page");
    assert_eq!(next, format!("/audit?before={}", page1[49]));
    let second = auditor.get_htmx(&next).await;
    assert_eq!(second.status, 200);
    assert!(
        !second.body.contains("<html"),
        "htmx gets the results partial only"
    );
    let page2 = seqs(&second.body);
    assert_eq!(page2.len(), 50);
    assert_eq!(page2[0], page1[49] - 1, "consecutive");
    assert!(page2.iter().all(|s| !page1.contains(s)), "disjoint");
    assert_eq!(link(&second.body, "first-page").as_deref(), Some("/audit"));
    let third = auditor
        .get(&link(&second.body, "next-page").expect("third page"))
        .await;
    assert_eq!(seqs(&third.body)[0], page2[49] - 1);

    // Staff actors show by e-mail; application subjects link to the case.
    let reviewer_id = text(
        &app,
        "SELECT id FROM staff_users WHERE email = $1",
        "reviewer1@demo.kycdesk.test",
    )
    .await;
    let by_email = assert_filter(
        &app,
        &mut auditor,
        "actor=reviewer1%40demo.kycdesk.test",
        "actor = $1",
        &[&format!("staff:{reviewer_id}")],
    )
    .await;
    assert!(
        rows(&by_email.body)
            .iter()
            .all(|r| r.actor == format!("staff:{reviewer_id}"))
    );
    assert!(by_email.body.contains("reviewer1@demo.kycdesk.test"));
    assert_filter(
        &app,
        &mut auditor,
        &format!("actor=staff%3A{reviewer_id}"),
        "actor = $1",
        &[&format!("staff:{reviewer_id}")],
    )
    .await;
    assert_filter(
        &app,
        &mut auditor,
        "actor=system%3Ademo",
        "actor = $1",
        &["system:demo"],
    )
    .await;
    let nobody = auditor.get("/audit?actor=nobody%40example.com").await;
    assert_eq!(nobody.status, 200);
    assert!(seqs(&nobody.body).is_empty());
    assert!(
        nobody
            .body
            .contains("No staff user has this e-mail address")
    );

    let exact = assert_filter(
        &app,
        &mut auditor,
        "action=application.created",
        "action = $1",
        &["application.created"],
    )
    .await;
    assert!(
        rows(&exact.body)
            .iter()
            .all(|r| r.action == "application.created")
    );
    let prefixed = assert_filter(
        &app,
        &mut auditor,
        "action=application.",
        "action LIKE $1",
        &["application.%"],
    )
    .await;
    assert!(
        rows(&prefixed.body)
            .iter()
            .all(|r| r.action.starts_with("application."))
    );
    let starred = auditor.get("/audit?action=application.*").await;
    assert_eq!(seqs(&starred.body), seqs(&prefixed.body));
    // Paging keeps the filter.
    let older = link(&prefixed.body, "next-page").expect("more application events");
    assert!(older.starts_with("/audit?action=application.&before="));
    let older_page = auditor.get(&older).await;
    let last = *seqs(&prefixed.body).last().expect("rows");
    assert_eq!(
        seqs(&older_page.body),
        expected(
            &app,
            &format!("action LIKE $1 AND seq < {last}"),
            &["application.%"]
        )
        .await
    );

    let subject = text(
        &app,
        "SELECT subject FROM audit_events WHERE action = $1 ORDER BY seq LIMIT 1",
        "application.created",
    )
    .await;
    let application = subject.trim_start_matches("application:").to_owned();
    let by_subject = assert_filter(
        &app,
        &mut auditor,
        &format!("subject=application%3A{application}"),
        "subject = $1",
        &[&subject],
    )
    .await;
    assert!(
        by_subject
            .body
            .contains(&format!("href=\"/applications/{application}\""))
    );
    let by_id = auditor.get(&format!("/audit?subject={application}")).await;
    assert_eq!(seqs(&by_id.body), seqs(&by_subject.body));
    // A bare id finds the events of every subject kind whose ids are UUIDs.
    let subjects: Vec<String> =
        sqlx::query_scalar("SELECT MIN(subject) FROM audit_events GROUP BY action")
            .fetch_all(app.services.store.pool())
            .await
            .expect("subjects");
    for subject in subjects {
        let Some((_, id)) = subject.split_once(':') else {
            continue;
        };
        if uuid::Uuid::parse_str(id).is_err() {
            continue;
        }
        let found = auditor.get(&format!("/audit?subject={id}")).await;
        assert!(
            rows(&found.body).iter().any(|r| r.subject == subject),
            "a bare id finds {subject}"
        );
    }

    let northwind = text(
        &app,
        "SELECT id FROM tenants WHERE name = $1",
        "Northwind Bank",
    )
    .await;
    let by_tenant = assert_filter(
        &app,
        &mut auditor,
        &format!("tenant={northwind}"),
        "tenant_id = $1",
        &[&northwind],
    )
    .await;
    assert!(rows(&by_tenant.body).iter().all(|r| r.tenant == northwind));
    assert!(by_tenant.body.contains("Northwind Bank"));
    assert!(
        by_tenant
            .body
            .contains(&format!("<option value=\"{northwind}\" selected>"))
    );

    // Dates are inclusive UTC days.
    let middle = text(
        &app,
        "SELECT occurred_at FROM audit_events WHERE seq = CAST($1 AS BIGINT)",
        &(head_seq / 2).to_string(),
    )
    .await;
    let day = &middle[..10];
    let one_day = assert_filter(
        &app,
        &mut auditor,
        &format!("from={day}&to={day}"),
        "occurred_at >= $1 AND occurred_at < $2",
        &[
            &format!("{day}T00:00:00.000000Z"),
            &format!("{}T00:00:00.000000Z", next_day(day)),
        ],
    )
    .await;
    assert!(rows(&one_day.body).iter().all(|r| r.at.starts_with(day)));
    let later = next_day(&next_day(day));
    assert_filter(
        &app,
        &mut auditor,
        &format!("from={day}&to={later}&action=application."),
        "occurred_at >= $1 AND occurred_at < $2 AND action LIKE $3",
        &[
            &format!("{day}T00:00:00.000000Z"),
            &format!("{}T00:00:00.000000Z", next_day(&later)),
            "application.%",
        ],
    )
    .await;
    assert_filter(
        &app,
        &mut auditor,
        &format!("to={day}"),
        "occurred_at < $1",
        &[&format!("{}T00:00:00.000000Z", next_day(day))],
    )
    .await;

    // Bad parameters are a 400 page, never a 500.
    for bad in [
        "/audit?before=abc",
        "/audit?before=0",
        "/audit?before=99999999999999999999",
        "/audit?from=2026-02-30",
        "/audit?to=yesterday",
        "/audit?tenant=not-a-uuid",
        "/audit?subject=nonsense",
        "/audit?actor=not%20an%20actor",
        "/audit?actor=bad%40",
        "/audit?action=Bad%20Action",
        "/audit/events/abc",
        "/audit/events/0",
        "/audit/events/-3",
    ] {
        let page = auditor.get(bad).await;
        assert_eq!(page.status, 400, "{bad}: {}", page.body);
        assert!(page.body.contains("<html"), "{bad}: an error page");
    }
    assert_eq!(auditor.get("/audit/events/99999999").await.status, 404);
}

async fn only_auditors_read_or_verify_the_log(app: TestApp) {
    let mut auditor = signed_in(&app, "aud@example.com", "auditor").await;
    let mut reviewer = signed_in(&app, "rev@example.com", "reviewer").await;
    let mut admin = signed_in(&app, "adm@example.com", "admin").await;
    let denied_before = app.audit_count("access.denied").await;
    for browser in [&mut reviewer, &mut admin] {
        assert!(
            !browser.get("/").await.body.contains("href=\"/audit\""),
            "no nav link"
        );
        assert_eq!(browser.get("/audit").await.status, 403);
        assert_eq!(browser.get("/audit?action=staff.").await.status, 403);
        assert_eq!(browser.get("/audit/events/1").await.status, 403);
        assert_eq!(browser.post("/audit/verify", &[]).await.status, 403);
    }
    assert_eq!(
        app.audit_count("access.denied").await - denied_before,
        8,
        "every refusal is audited"
    );
    let attempts: Vec<String> = sqlx::query_scalar(
        "SELECT payload FROM audit_events WHERE action = 'access.denied' ORDER BY seq",
    )
    .fetch_all(app.services.store.pool())
    .await
    .expect("denials");
    for attempted in ["audit.list", "audit.read", "audit.verify"] {
        assert!(
            attempts.iter().any(|p| p.contains(attempted)),
            "{attempted} refused and audited"
        );
    }
    assert_eq!(app.audit_count("audit.verified").await, 0);
    // The auditor is let in; no CSRF token, no verification.
    assert_eq!(auditor.get("/audit").await.status, 200);
    let forged = auditor.post_raw("/audit/verify", &[], &[]).await;
    assert_eq!(forged.status, 403);
    assert_eq!(app.audit_count("audit.verified").await, 0);
}

async fn an_event_shows_its_hashes_and_whether_they_recompute(app: TestApp) {
    let ctx = Ctx::system("test");
    for name in ["Plain Bank", "<script>alert(1)</script> Bank"] {
        kycdesk::service::tenants::create(
            &app.services,
            &ctx,
            NewTenant {
                name: TenantName::parse(name).expect("name"),
                sandbox: false,
                webhook_url: None,
            },
        )
        .await
        .expect("tenant");
    }
    let mut auditor = signed_in(&app, "aud@example.com", "auditor").await;
    let seq: i64 = sqlx::query_scalar(
        "SELECT seq FROM audit_events WHERE action = 'tenant.created' AND payload LIKE '%script%'",
    )
    .fetch_one(app.services.store.pool())
    .await
    .expect("event");
    let (prev_hash, hash, id, tenant): (String, String, String, String) =
        sqlx::query_as("SELECT prev_hash, hash, id, tenant_id FROM audit_events WHERE seq = $1")
            .bind(seq)
            .fetch_one(app.services.store.pool())
            .await
            .expect("hashes");
    let page = auditor.get(&format!("/audit/events/{seq}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains(&format!("<code id=\"prev-hash\">{prev_hash}</code>"))
    );
    assert!(
        page.body
            .contains(&format!("<code id=\"hash\">{hash}</code>"))
    );
    assert!(page.body.contains(&id) && page.body.contains(&tenant));
    assert!(page.body.contains("tenant.created") && page.body.contains("system:test"));
    assert!(page.body.contains("hash recomputes"), "{}", page.body);
    assert!(page.body.contains(">linked<"));
    assert!(
        page.body
            .contains("<pre class=\"payload\" id=\"payload\">{\n  ")
    );
    assert!(
        !page.body.contains("<script>alert(1)"),
        "the payload is escaped"
    );
    assert!(page.body.contains("&#60;script&#62;alert(1)"));
    assert!(
        page.body
            .contains(&format!("href=\"/audit/events/{}\"", seq - 1))
    );
    let first = auditor.get("/audit/events/1").await;
    assert!(first.body.contains("the genesis hash") && first.body.contains(">linked<"));

    // An altered payload no longer hashes to its stored hash; a rewritten prev_hash breaks the link.
    app.tamper(&format!(
        "UPDATE audit_events SET payload = '{{\"name\":\"Evil\"}}' WHERE seq = {seq}"
    ))
    .await;
    let altered = auditor.get(&format!("/audit/events/{seq}")).await;
    assert!(altered.body.contains("hash mismatch"), "{}", altered.body);
    app.tamper(&format!(
        "UPDATE audit_events SET prev_hash = '{}' WHERE seq = 2",
        "ab".repeat(32)
    ))
    .await;
    let unlinked = auditor.get("/audit/events/2").await;
    assert!(unlinked.body.contains("link broken"), "{}", unlinked.body);
}

/// Posts one verification chunk as htmx does, carrying the previous chunk's progress.
async fn next_chunk(browser: &mut Browser, previous: &Page, chunk: &str) -> Page {
    let after_seq = field(&previous.body, "after_seq").expect("after_seq carried");
    let prev_hash = field(&previous.body, "prev_hash").expect("prev_hash carried");
    let csrf = browser.csrf.clone().expect("csrf");
    browser
        .post_raw(
            "/audit/verify",
            &[
                ("after_seq", after_seq.as_str()),
                ("prev_hash", prev_hash.as_str()),
                ("chunk", chunk),
                ("csrf_token", csrf.as_str()),
            ],
            &[("HX-Request", "true")],
        )
        .await
}

/// Runs a whole verification from the first event; returns the final answer and how many chunks it took.
async fn verify_all(app: &TestApp, browser: &mut Browser, chunk: &str) -> (Page, usize) {
    let mut page = browser.post("/audit/verify", &[("chunk", chunk)]).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let mut chunks = 1;
    while page.body.contains("hx-trigger=\"load\"") {
        assert!(page.body.contains("<progress"));
        page = next_chunk(browser, &page, chunk).await;
        assert_eq!(page.status, 200, "{}", page.body);
        chunks += 1;
        if chunks == 2 {
            // Appends while the verification runs are verified too, not mistaken for a break.
            kycdesk::service::tenants::create(
                &app.services,
                &Ctx::system("test"),
                NewTenant {
                    name: TenantName::parse(&format!("Meanwhile {}", uuid::Uuid::new_v4()))
                        .expect("name"),
                    sandbox: true,
                    webhook_url: None,
                },
            )
            .await
            .expect("tenant");
        }
        assert!(chunks < 1000, "the verification ends");
    }
    (page, chunks)
}

async fn the_chain_verifies_in_chunks_and_finds_tampering(app: TestApp) {
    kycdesk::demo::seed(&app.services, 20).await.expect("seed");
    let mut auditor = signed_in(&app, "aud@example.com", "auditor").await;
    let log = auditor.get("/audit").await;
    assert!(log.body.contains("action=\"/audit/verify\""));

    // The first chunk without htmx: the whole page, with a button to continue without JavaScript.
    let (total, _) = head(&app).await;
    assert!(
        total > 150,
        "the demo gives enough events for several chunks"
    );
    let started = auditor.post("/audit/verify", &[("chunk", "50")]).await;
    assert_eq!(started.status, 200, "{}", started.body);
    assert!(started.body.contains("<html"));
    assert!(
        started
            .body
            .contains(&format!("Verified 50 of {} events", grouped(total)))
    );
    assert!(
        started
            .body
            .contains("<noscript><button type=\"submit\">Continue")
    );
    assert_eq!(field(&started.body, "after_seq").as_deref(), Some("50"));
    let htmx = next_chunk(&mut auditor, &started, "50").await;
    assert!(!htmx.body.contains("<html"), "htmx gets the partial");
    assert!(
        htmx.body
            .contains("hx-post=\"/audit/verify\" hx-trigger=\"load\""),
        "{}",
        htmx.body
    );
    assert!(
        htmx.body
            .contains(&format!("Verified 100 of {} events", grouped(total)))
    );
    assert_eq!(
        app.audit_count("audit.verified").await,
        0,
        "nothing recorded per chunk"
    );

    let (done, chunks) = verify_all(&app, &mut auditor, "50").await;
    assert!(chunks >= 3, "several chunks: {chunks}");
    let (head_seq, head_hash) = head(&app).await;
    assert!(head_seq > total, "appends happened meanwhile");
    // The head verified is the one before the `audit.verified` event that records it.
    let verified_seq = head_seq - 1;
    let verified_hash = text(
        &app,
        "SELECT hash FROM audit_events WHERE seq = CAST($1 AS BIGINT)",
        &verified_seq.to_string(),
    )
    .await;
    let intact = format!(
        "Intact: {} events, head {verified_seq}:{verified_hash}",
        grouped(verified_seq)
    );
    assert!(done.body.contains(&intact), "{intact}: {}", done.body);
    assert_eq!(app.audit_count("audit.verified").await, 1);
    let (actor, payload): (String, String) =
        sqlx::query_as("SELECT actor, payload FROM audit_events WHERE action = 'audit.verified'")
            .fetch_one(app.services.store.pool())
            .await
            .expect("verified event");
    let auditor_id = text(
        &app,
        "SELECT id FROM staff_users WHERE email = $1",
        "aud@example.com",
    )
    .await;
    assert_eq!(actor, format!("staff:{auditor_id}"));
    let payload: serde_json::Value = serde_json::from_str(&payload).expect("json");
    assert_eq!(payload["head_seq"], verified_seq);
    assert_eq!(payload["head_hash"], verified_hash.as_str());
    assert_eq!(
        text(
            &app,
            "SELECT prev_hash FROM audit_events WHERE hash = $1",
            &head_hash
        )
        .await,
        verified_hash,
        "the audit.verified event is the next link"
    );

    // Progress that does not parse is refused; progress that does not match the chain breaks it.
    for (after_seq, prev_hash) in [
        ("abc", "0".repeat(64)),
        ("5", "xyz".to_owned()),
        ("0", "ab".repeat(32)),
        ("-1", "0".repeat(64)),
    ] {
        let csrf = auditor.csrf.clone().expect("csrf");
        let refused = auditor
            .post_raw(
                "/audit/verify",
                &[
                    ("after_seq", after_seq),
                    ("prev_hash", prev_hash.as_str()),
                    ("csrf_token", csrf.as_str()),
                ],
                &[],
            )
            .await;
        assert_eq!(refused.status, 400, "{after_seq}:{prev_hash}");
    }
    // A real point of the chain that is not this session's progress: skipping events is refused.
    let real_hash: String = sqlx::query_scalar("SELECT hash FROM audit_events WHERE seq = 10")
        .fetch_one(app.services.store.pool())
        .await
        .expect("hash");
    let csrf = auditor.csrf.clone().expect("csrf");
    let skipped = auditor
        .post_raw(
            "/audit/verify",
            &[
                ("after_seq", "10"),
                ("prev_hash", real_hash.as_str()),
                ("csrf_token", csrf.as_str()),
            ],
            &[],
        )
        .await;
    assert_eq!(
        skipped.status, 400,
        "progress comes from the session, not the form"
    );
    let csrf = auditor.csrf.clone().expect("csrf");
    let bad_chunk = auditor
        .post_raw(
            "/audit/verify",
            &[("chunk", "many"), ("csrf_token", csrf.as_str())],
            &[],
        )
        .await;
    assert_eq!(bad_chunk.status, 400);

    app.tamper("UPDATE audit_events SET payload = '{\"name\":\"Evil Corp\"}' WHERE seq = 100")
        .await;
    let (broken, chunks) = verify_all(&app, &mut auditor, "40").await;
    assert_eq!(chunks, 3, "stops at the chunk holding the break");
    assert!(
        broken
            .body
            .contains("Broken at seq 100: hash does not match"),
        "{}",
        broken.body
    );
    assert_eq!(app.audit_count("audit.verified").await, 2);
    let payload: String = sqlx::query_scalar(
        "SELECT payload FROM audit_events WHERE action = 'audit.verified' ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(app.services.store.pool())
    .await
    .expect("verified event");
    let payload: serde_json::Value = serde_json::from_str(&payload).expect("json");
    assert_eq!(payload["broken_at"], 100);
    assert!(payload["reason"].as_str().is_some_and(|r| !r.is_empty()));
}

on_both_databases!(
    auditors_browse_filter_and_page_the_log,
    only_auditors_read_or_verify_the_log,
    an_event_shows_its_hashes_and_whether_they_recompute,
    the_chain_verifies_in_chunks_and_finds_tampering,
);
