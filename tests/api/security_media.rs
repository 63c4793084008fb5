//! What an upload may cost, and what it may do once served: an image is weighed from its header
//! (pixels times channels times bit depth) before any pixel is decoded, so a small file that would
//! decode to hundreds of megabytes is refused with a clear 422 while real ID photos still pass; and
//! documents are served sandboxed, PDFs (which may carry script) as attachments.

use std::io::Write;

use crate::common::TestApp;
use crate::common::browser::signed_in;
use kycdesk::demo::images::{ArtKind, DocumentArt, render_png};
use serde_json::{Value, json};

/// A valid PNG of `side` x `side` 16-bit RGBA, all black: a few hundred kilobytes that decode to
/// `side`² x 8 bytes.
fn heavy_png(side: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Sixteen);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().expect("header");
    let mut stream = writer.stream_writer().expect("stream");
    let row = vec![0_u8; side as usize * 8];
    for _ in 0..side {
        stream.write_all(&row).expect("row");
    }
    stream.finish().expect("finish");
    writer.finish().expect("end");
    out
}

/// A 4000 x 3000 8-bit RGB JPEG: what a 12 MP phone takes.
fn phone_photo() -> Vec<u8> {
    let art = image::load_from_memory(&render_png(&DocumentArt {
        kind: ArtKind::PassportPage,
        full_name: "Ada Lovelace",
        date_of_birth: "1990-12-10",
        document_number: "X1234567",
        country: "GB",
        seed: 5,
    }))
    .expect("art");
    let photo = art.resize_exact(4000, 3000, image::imageops::FilterType::Nearest);
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 70)
        .encode_image(&photo.to_rgb8())
        .expect("jpeg");
    jpeg
}

async fn upload(
    app: &TestApp,
    key: &str,
    id: &str,
    side: &str,
    bytes: Vec<u8>,
    mime: &str,
) -> (u16, Value) {
    super::api_documents::multipart(app, key, id, "passport", side, bytes, mime).await
}

/// A draft application on a level that takes a passport, and the tenant's key.
async fn draft(app: &TestApp) -> (String, String) {
    use kycdesk::domain::document::{DocumentSide, DocumentType};
    use kycdesk::domain::requirement::{Requirement, RequirementKind};
    let (_, tenant) = crate::common::tenant::seeded(app).await;
    let passport = Requirement {
        key: "passport".into(),
        label: "Passport".into(),
        required: true,
        kind: RequirementKind::Document {
            document_types: vec![DocumentType::Passport],
            sides: vec![DocumentSide::Front, DocumentSide::Back],
        },
    };
    let level = crate::common::tenant::quick_level(app, "Heavy", false, vec![passport]).await;
    let applicant = tenant.applicant("heavy-1", "Lovelace").await;
    let id = tenant
        .quick_application(&level, &applicant, json!({}))
        .await;
    (id, tenant.key.clone())
}

async fn images_are_weighed_before_they_are_decoded(app: TestApp) {
    let (id, key) = draft(&app).await;
    // 17.6 MP, under the 40 MP limit, but 141 MB decoded: the pixel count alone let it through.
    let heavy = heavy_png(4200);
    assert!(heavy.len() < 1024 * 1024, "{} bytes", heavy.len());
    let (status, body) = upload(&app, &key, &id, "front", heavy, "image/png").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["details"][0]["code"], "image_too_heavy");
    assert_eq!(body["error"]["details"][0]["field"], "file");
    assert!(
        body["error"]["details"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("the limit is 128 MiB")),
        "{body}"
    );
    // A 12 MP phone photo (36 MB decoded) is what ID photos are, and passes.
    let (status, body) = upload(&app, &key, &id, "front", phone_photo(), "image/jpeg").await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["documents"][0]["width"], 4000);
    assert_eq!(app.audit_count("document.uploaded").await, 1);
}

/// A PDF whose opening action runs JavaScript, as the security probe sent.
const SCRIPTED_PDF: &[u8] = b"%PDF-1.4\n\
1 0 obj << /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >> endobj\n\
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n\
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj\n\
4 0 obj << /S /JavaScript /JS (app.alert\\(document.cookie\\)) >> endobj\n\
trailer << /Root 1 0 R >>\n\
%%EOF\n";

async fn documents_are_served_sandboxed(app: TestApp) {
    let (id, key) = draft(&app).await;
    let (status, pdf) = upload(
        &app,
        &key,
        &id,
        "front",
        SCRIPTED_PDF.to_vec(),
        "application/pdf",
    )
    .await;
    assert_eq!(status, 201, "{pdf}");
    let image = render_png(&DocumentArt {
        kind: ArtKind::PassportPage,
        full_name: "Ada Lovelace",
        date_of_birth: "1990-12-10",
        document_number: "X1234567",
        country: "GB",
        seed: 5,
    });
    let (status, png) = upload(&app, &key, &id, "back", image, "image/png").await;
    assert_eq!(status, 201, "{png}");
    let browser = signed_in(&app, "rev@example.com", "reviewer").await;
    let headers = |response: &reqwest::Response| {
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        };
        (
            header("content-type"),
            header("content-disposition"),
            header("content-security-policy"),
            header("x-content-type-options"),
        )
    };
    let sandboxed = |csp: &str| {
        let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
        directives.contains(&"sandbox")
            && directives.contains(&"default-src 'none'")
            && !csp.contains("allow-scripts")
            && !csp.contains("script-src")
    };
    let id_of = |answer: &Value| {
        answer["documents"][0]["id"]
            .as_str()
            .expect("id")
            .to_owned()
    };

    let response = browser
        .download(&format!("/documents/{}", id_of(&pdf)))
        .await;
    assert_eq!(response.status(), 200);
    let (mime, disposition, csp, nosniff) = headers(&response);
    assert_eq!(mime, "application/pdf");
    assert!(
        disposition.starts_with("attachment; filename="),
        "{disposition}"
    );
    assert!(sandboxed(&csp), "{csp}");
    assert_eq!(nosniff, "nosniff");

    for path in [
        format!("/documents/{}", id_of(&png)),
        format!("/documents/{}/thumbnail", id_of(&png)),
    ] {
        let response = browser.download(&path).await;
        assert_eq!(response.status(), 200, "{path}");
        let (mime, disposition, csp, nosniff) = headers(&response);
        assert!(mime.starts_with("image/"), "{path}: {mime}");
        assert!(
            !disposition.starts_with("attachment"),
            "{path}: shown inline"
        );
        assert!(
            sandboxed(&csp) && csp.contains("img-src 'self'"),
            "{path}: {csp}"
        );
        assert_eq!(nosniff, "nosniff", "{path}");
    }
}

on_both_databases!(
    @with crate::common::no_workers;
    images_are_weighed_before_they_are_decoded,
    documents_are_served_sandboxed,
);
