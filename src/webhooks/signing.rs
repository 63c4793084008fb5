//! Webhook signatures, outbound and inbound.
//!
//! Outbound webhooks follow [Standard Webhooks](https://www.standardwebhooks.com) so tenants
//! can verify them with any of the official libraries. Inbound webhooks from identity
//! providers (Sumsub, Vouched) each use their own HMAC scheme, verified here.
//!
//! Every comparison decodes the received signature and goes through
//! [`Mac::verify_slice`], which compares in constant time: a byte-by-byte `==` on strings would
//! let an attacker learn a valid signature one byte at a time from response timings.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use rand::RngCore as _;
use sha1::Sha1;
use sha2::{Sha256, Sha512};

/// Why a secret or signature was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SignatureError {
    /// The secret is not valid base64 or decodes to nothing.
    #[error("malformed webhook secret")]
    MalformedSecret,
    /// The signature is not valid hex/base64, or the header holds no usable entry.
    #[error("malformed signature")]
    MalformedSignature,
    /// The provider named a digest algorithm we do not support.
    #[error("unknown signature algorithm: {0}")]
    UnknownAlgorithm(String),
    /// Well-formed, but no signature matches the payload.
    #[error("signature mismatch")]
    Mismatch,
    /// The timestamp is too far from now, so this may be a replay.
    #[error("timestamp outside tolerance")]
    TimestampOutOfTolerance,
}

/// Builds a MAC keyed with `key`.
///
/// HMAC accepts keys of any length (long keys are hashed, short ones padded), so
/// `new_from_slice` cannot fail for it; the `expect` states an invariant of the algorithm,
/// not a property of the input.
fn keyed<M: Mac + hmac::digest::KeyInit>(key: &[u8]) -> M {
    <M as hmac::digest::KeyInit>::new_from_slice(key).expect("HMAC accepts keys of any length")
}

fn hmac_bytes<M: Mac + hmac::digest::KeyInit>(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac: M = keyed(key);
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

fn hmac_verify<M: Mac + hmac::digest::KeyInit>(
    key: &[u8],
    parts: &[&[u8]],
    tag: &[u8],
) -> Result<(), SignatureError> {
    let mut mac: M = keyed(key);
    for part in parts {
        mac.update(part);
    }
    mac.verify_slice(tag).map_err(|_| SignatureError::Mismatch)
}

// ---------------------------------------------------------------------------
// Standard Webhooks
// ---------------------------------------------------------------------------

/// Prefix of Standard Webhooks secrets; it tells humans (and secret scanners) what the
/// string is.
const SECRET_PREFIX: &str = "whsec_";

/// A Standard Webhooks signing key.
///
/// Kept as raw bytes so the base64 form is decoded once, at configuration time.
#[derive(Clone)]
pub struct WebhookSecret(Vec<u8>);

impl WebhookSecret {
    /// Parses `whsec_<base64>`, or bare base64 as the official libraries also accept.
    ///
    /// Surrounding whitespace is ignored because secrets are often pasted into env files
    /// with a trailing newline. An empty key is refused: it would sign with no secret at all.
    pub fn parse(s: &str) -> Result<Self, SignatureError> {
        let s = s.trim();
        let b64 = s.strip_prefix(SECRET_PREFIX).unwrap_or(s);
        let key = STANDARD
            .decode(b64)
            .map_err(|_| SignatureError::MalformedSecret)?;
        if key.is_empty() {
            return Err(SignatureError::MalformedSecret);
        }
        Ok(Self(key))
    }

    /// A fresh `whsec_` secret of 32 random bytes (the HMAC-SHA256 block-size sweet spot the
    /// spec recommends: 24 to 64 bytes).
    pub fn generate() -> String {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
    }
}

/// Never prints the key: secrets end up in logs through `{:?}` more often than anywhere else.
impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(..)")
    }
}

/// The signed content: `{msg_id}.{timestamp}.{body}`. Binding id and timestamp into the MAC
/// stops an attacker from replaying a body under a new id or a fresh timestamp.
fn signed_parts<'a>(msg_id: &'a str, ts: &'a str, body: &'a [u8]) -> [&'a [u8]; 5] {
    [msg_id.as_bytes(), b".", ts.as_bytes(), b".", body]
}

/// The `webhook-signature` header value: one `v1,<base64>` entry per secret, space-separated.
///
/// Several secrets are signed during a rotation so receivers holding either the old or the
/// new secret accept the message.
pub fn sign(secrets: &[WebhookSecret], msg_id: &str, timestamp: i64, body: &[u8]) -> String {
    let ts = timestamp.to_string();
    let parts = signed_parts(msg_id, &ts, body);
    secrets
        .iter()
        .map(|s| {
            format!(
                "v1,{}",
                STANDARD.encode(hmac_bytes::<Hmac<Sha256>>(&s.0, &parts))
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Verifies a Standard Webhooks `webhook-signature` header.
///
/// The timestamp is checked first and both ways (too old is a replay, too far in the future
/// is a replay prepared in advance). Entries of other versions (e.g. `v1a` asymmetric) are
/// ignored, as the spec requires, so senders can add schemes without breaking receivers.
/// Malformed `v1` entries are skipped rather than fatal so one bad entry cannot mask a good
/// one; if no `v1` entry is usable at all the header is reported as malformed.
pub fn verify(
    secret: &WebhookSecret,
    msg_id: &str,
    timestamp: i64,
    signature_header: &str,
    body: &[u8],
    now: i64,
    tolerance_secs: i64,
) -> Result<(), SignatureError> {
    // `abs_diff` cannot overflow even for i64::MIN/MAX; a negative tolerance means "exact".
    let tolerance = u64::try_from(tolerance_secs).unwrap_or(0);
    if now.abs_diff(timestamp) > tolerance {
        return Err(SignatureError::TimestampOutOfTolerance);
    }

    let ts = timestamp.to_string();
    let parts = signed_parts(msg_id, &ts, body);
    let mut saw_v1 = false;
    for entry in signature_header.split_ascii_whitespace() {
        let Some((version, sig)) = entry.split_once(',') else {
            continue;
        };
        if version != "v1" {
            continue;
        }
        let Ok(tag) = STANDARD.decode(sig) else {
            continue;
        };
        saw_v1 = true;
        if hmac_verify::<Hmac<Sha256>>(&secret.0, &parts, &tag).is_ok() {
            return Ok(());
        }
    }
    if saw_v1 {
        Err(SignatureError::Mismatch)
    } else {
        Err(SignatureError::MalformedSignature)
    }
}

// ---------------------------------------------------------------------------
// Sumsub
// ---------------------------------------------------------------------------

/// Digest algorithms Sumsub announces in `X-Payload-Digest-Alg`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SumsubAlg {
    /// `HMAC_SHA1_HEX`: legacy, still selectable in older Sumsub accounts.
    Sha1,
    /// `HMAC_SHA256_HEX`: Sumsub's default, also assumed when the header is absent.
    #[default]
    Sha256,
    /// `HMAC_SHA512_HEX`.
    Sha512,
}

impl SumsubAlg {
    /// Parses the `X-Payload-Digest-Alg` header; absent means SHA-256 (Sumsub's default).
    ///
    /// Matching ignores case and surrounding whitespace since header values are not
    /// something worth failing a delivery over; anything unrecognised is refused rather
    /// than guessed.
    pub fn from_header(alg: Option<&str>) -> Result<Self, SignatureError> {
        let Some(raw) = alg else {
            return Ok(Self::default());
        };
        let name = raw.trim();
        [Self::Sha1, Self::Sha256, Self::Sha512]
            .into_iter()
            .find(|a| a.header_value().eq_ignore_ascii_case(name))
            .ok_or_else(|| SignatureError::UnknownAlgorithm(name.to_owned()))
    }

    /// The header value Sumsub sends for this algorithm.
    pub fn header_value(self) -> &'static str {
        match self {
            Self::Sha1 => "HMAC_SHA1_HEX",
            Self::Sha256 => "HMAC_SHA256_HEX",
            Self::Sha512 => "HMAC_SHA512_HEX",
        }
    }
}

/// The `X-Payload-Digest` value Sumsub would send: lowercase hex HMAC of the raw body.
pub fn sign_sumsub(secret: &[u8], body: &[u8], alg: SumsubAlg) -> String {
    let parts = [body];
    hex::encode(match alg {
        SumsubAlg::Sha1 => hmac_bytes::<Hmac<Sha1>>(secret, &parts),
        SumsubAlg::Sha256 => hmac_bytes::<Hmac<Sha256>>(secret, &parts),
        SumsubAlg::Sha512 => hmac_bytes::<Hmac<Sha512>>(secret, &parts),
    })
}

/// Verifies a Sumsub webhook from its raw body, `X-Payload-Digest` (hex, either case) and
/// `X-Payload-Digest-Alg` (absent → SHA-256).
///
/// The body must be the exact bytes received: re-serialised JSON would not match.
pub fn verify_sumsub(
    secret: &[u8],
    body: &[u8],
    digest_hex: &str,
    alg: Option<&str>,
) -> Result<(), SignatureError> {
    let alg = SumsubAlg::from_header(alg)?;
    let tag = hex::decode(digest_hex.trim()).map_err(|_| SignatureError::MalformedSignature)?;
    let parts = [body];
    match alg {
        SumsubAlg::Sha1 => hmac_verify::<Hmac<Sha1>>(secret, &parts, &tag),
        SumsubAlg::Sha256 => hmac_verify::<Hmac<Sha256>>(secret, &parts, &tag),
        SumsubAlg::Sha512 => hmac_verify::<Hmac<Sha512>>(secret, &parts, &tag),
    }
}

// ---------------------------------------------------------------------------
// Vouched
// ---------------------------------------------------------------------------

/// The `X-Signature` value Vouched would send: standard base64 of HMAC-SHA1 of the raw body.
pub fn sign_vouched(secret: &[u8], body: &[u8]) -> String {
    STANDARD.encode(hmac_bytes::<Hmac<Sha1>>(secret, &[body]))
}

/// Verifies a Vouched webhook from its raw body and `X-Signature` header.
pub fn verify_vouched(
    secret: &[u8],
    body: &[u8],
    signature_b64: &str,
) -> Result<(), SignatureError> {
    let tag = STANDARD
        .decode(signature_b64.trim())
        .map_err(|_| SignatureError::MalformedSignature)?;
    hmac_verify::<Hmac<Sha1>>(secret, &[body], &tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Test vector shared by the Standard Webhooks spec and its official libraries.
    const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SPEC_MSG_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SPEC_TS: i64 = 1614265330;
    const SPEC_BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SPEC_SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn spec_secret() -> WebhookSecret {
        WebhookSecret::parse(SPEC_SECRET).unwrap()
    }

    fn verify_spec(header: &str, now: i64) -> Result<(), SignatureError> {
        verify(
            &spec_secret(),
            SPEC_MSG_ID,
            SPEC_TS,
            header,
            SPEC_BODY,
            now,
            300,
        )
    }

    // --- secrets ---

    #[test]
    fn parse_accepts_prefixed_and_bare_base64() {
        let prefixed = WebhookSecret::parse(SPEC_SECRET).unwrap();
        let bare = WebhookSecret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(prefixed.0, bare.0);
        assert_eq!(prefixed.0.len(), 24);
        let padded = WebhookSecret::parse("  whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n").unwrap();
        assert_eq!(padded.0, prefixed.0);
    }

    #[test]
    fn parse_refuses_malformed_secrets() {
        for bad in [
            "",
            "whsec_",
            "   ",
            "whsec_!!!!",
            "whsec_abc",        // bad length / padding
            "whsec_ab=c",       // padding in the middle
            "whsec_MfKQ9r8G*Y", // invalid alphabet
            "whsec_ä",
            "whsec_-_-_", // url-safe alphabet is not standard base64
            "WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", // prefix is case-sensitive, `_` invalid b64
        ] {
            assert_eq!(
                WebhookSecret::parse(bad).map(|_| ()),
                Err(SignatureError::MalformedSecret),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn generate_produces_parseable_32_byte_unique_secrets() {
        let a = WebhookSecret::generate();
        let b = WebhookSecret::generate();
        assert!(a.starts_with("whsec_"));
        assert_ne!(a, b);
        assert_eq!(WebhookSecret::parse(&a).unwrap().0.len(), 32);
    }

    #[test]
    fn debug_never_prints_key_material() {
        let s = spec_secret();
        let shown = format!("{s:?} {s:#?}");
        assert_eq!(format!("{s:?}"), "WebhookSecret(..)");
        assert!(!shown.contains("MfKQ"));
        assert!(!shown.chars().any(|c| c.is_ascii_digit()), "{shown}");
    }

    // --- Standard Webhooks signing ---

    #[test]
    fn sign_matches_spec_vector_exactly() {
        assert_eq!(
            sign(&[spec_secret()], SPEC_MSG_ID, SPEC_TS, SPEC_BODY),
            SPEC_SIG
        );
    }

    #[test]
    fn sign_with_rotation_emits_one_entry_per_secret_in_order() {
        let other = WebhookSecret::parse(&WebhookSecret::generate()).unwrap();
        let header = sign(
            &[spec_secret(), other.clone()],
            SPEC_MSG_ID,
            SPEC_TS,
            SPEC_BODY,
        );
        let entries: Vec<&str> = header.split(' ').collect();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0], SPEC_SIG);
        assert!(entries[1].starts_with("v1,"));
        // Both the old and the new secret accept the rotated header.
        let now = SPEC_TS;
        assert_eq!(verify_spec(&header, now), Ok(()));
        assert_eq!(
            verify(&other, SPEC_MSG_ID, SPEC_TS, &header, SPEC_BODY, now, 300),
            Ok(())
        );
    }

    #[test]
    fn sign_with_no_secrets_is_empty_and_never_verifies() {
        let header = sign(&[], SPEC_MSG_ID, SPEC_TS, SPEC_BODY);
        assert_eq!(header, "");
        assert_eq!(
            verify_spec(&header, SPEC_TS),
            Err(SignatureError::MalformedSignature)
        );
    }

    #[test]
    fn sign_handles_negative_and_extreme_timestamps() {
        for ts in [i64::MIN, -1, 0, i64::MAX] {
            let s = spec_secret();
            let h = sign(std::slice::from_ref(&s), "m", ts, b"x");
            assert_eq!(verify(&s, "m", ts, &h, b"x", ts, 0), Ok(()));
        }
    }

    // --- Standard Webhooks verification ---

    #[test]
    fn verify_accepts_spec_vector() {
        assert_eq!(verify_spec(SPEC_SIG, SPEC_TS), Ok(()));
    }

    #[test]
    fn verify_accepts_any_matching_v1_entry_and_ignores_other_versions() {
        let headers = [
            format!("v1,AAAA {SPEC_SIG}"),
            format!("{SPEC_SIG} v1,AAAA"),
            format!("v1a,whatever v2,zzz {SPEC_SIG}"),
            format!("garbage {SPEC_SIG}"),
            format!("v1,!!not-base64!! {SPEC_SIG}"),
            format!("  {SPEC_SIG}  "),
            format!("v1a,{} {SPEC_SIG}", &SPEC_SIG[3..]),
        ];
        for h in &headers {
            assert_eq!(verify_spec(h, SPEC_TS), Ok(()), "{h:?}");
        }
    }

    #[test]
    fn verify_does_not_accept_the_right_mac_under_another_version() {
        let h = format!("v2,{}", &SPEC_SIG[3..]);
        assert_eq!(
            verify_spec(&h, SPEC_TS),
            Err(SignatureError::MalformedSignature)
        );
    }

    #[test]
    fn verify_reports_mismatch_for_tampering() {
        let s = spec_secret();
        let wrong_secret = WebhookSecret::parse(&WebhookSecret::generate()).unwrap();
        let cases: Vec<(&WebhookSecret, &str, i64, &[u8])> = vec![
            (&s, "msg_other", SPEC_TS, SPEC_BODY),
            (&s, SPEC_MSG_ID, SPEC_TS + 1, SPEC_BODY),
            (&s, SPEC_MSG_ID, SPEC_TS, br#"{"test": 2432232315}"#),
            (&s, SPEC_MSG_ID, SPEC_TS, b""),
            (&wrong_secret, SPEC_MSG_ID, SPEC_TS, SPEC_BODY),
        ];
        for (secret, id, ts, body) in cases {
            assert_eq!(
                verify(secret, id, ts, SPEC_SIG, body, ts, 300),
                Err(SignatureError::Mismatch),
                "{id} {ts}"
            );
        }
    }

    #[test]
    fn verify_reports_mismatch_for_wrong_length_or_truncated_tags() {
        let full = &SPEC_SIG[3..];
        let decoded = STANDARD.decode(full).unwrap();
        let truncated = format!("v1,{}", STANDARD.encode(&decoded[..16]));
        let extended = format!(
            "v1,{}",
            STANDARD.encode([decoded.as_slice(), &[0]].concat())
        );
        for h in [truncated.as_str(), extended.as_str(), "v1,", "v1,AAAA"] {
            assert_eq!(
                verify_spec(h, SPEC_TS),
                Err(SignatureError::Mismatch),
                "{h:?}"
            );
        }
    }

    #[test]
    fn verify_reports_malformed_when_no_usable_v1_entry() {
        for h in [
            "",
            "   ",
            "v1",
            "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            "v1a,abc",
            "v1,%%%",
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE", // missing padding
            ",,,,",
            "\u{0}\u{ffff}",
        ] {
            assert_eq!(
                verify_spec(h, SPEC_TS),
                Err(SignatureError::MalformedSignature),
                "{h:?}"
            );
        }
    }

    #[test]
    fn verify_tolerance_is_inclusive_and_symmetric() {
        let cases = [
            (SPEC_TS, true),
            (SPEC_TS + 300, true),
            (SPEC_TS - 300, true),
            (SPEC_TS + 301, false), // message too old
            (SPEC_TS - 301, false), // message from the future
            (SPEC_TS + 86_400, false),
            (0, false),
            (i64::MAX, false),
            (i64::MIN, false),
        ];
        for (now, ok) in cases {
            let got = verify_spec(SPEC_SIG, now);
            if ok {
                assert_eq!(got, Ok(()), "now={now}");
            } else {
                assert_eq!(
                    got,
                    Err(SignatureError::TimestampOutOfTolerance),
                    "now={now}"
                );
            }
        }
    }

    #[test]
    fn verify_checks_timestamp_before_signature() {
        assert_eq!(
            verify_spec("v1,AAAA", SPEC_TS + 10_000),
            Err(SignatureError::TimestampOutOfTolerance)
        );
    }

    #[test]
    fn verify_extreme_timestamps_and_tolerances_do_not_overflow() {
        let s = spec_secret();
        for (ts, now, tol) in [
            (i64::MIN, i64::MAX, i64::MAX),
            (i64::MAX, i64::MIN, i64::MAX),
            (i64::MIN, i64::MAX, 300),
            (0, 0, i64::MIN),
            (5, 0, -1),
        ] {
            let r = verify(&s, "m", ts, "v1,AAAA", b"", now, tol);
            assert!(r.is_err());
        }
        // Negative tolerance means exact match required, not "anything goes".
        let h = sign(std::slice::from_ref(&s), "m", 10, b"");
        assert_eq!(verify(&s, "m", 10, &h, b"", 10, -5), Ok(()));
        assert_eq!(
            verify(&s, "m", 10, &h, b"", 11, -5),
            Err(SignatureError::TimestampOutOfTolerance)
        );
        // A distance of exactly i64::MAX is within an i64::MAX tolerance; one more is not.
        let ts = i64::MIN + 1;
        let h = sign(std::slice::from_ref(&s), "m", ts, b"");
        assert_eq!(verify(&s, "m", ts, &h, b"", 0, i64::MAX), Ok(()));
        let h = sign(std::slice::from_ref(&s), "m", i64::MIN, b"");
        assert_eq!(
            verify(&s, "m", i64::MIN, &h, b"", 0, i64::MAX),
            Err(SignatureError::TimestampOutOfTolerance)
        );
    }

    #[test]
    fn sign_verify_roundtrip_binary_body() {
        let s = WebhookSecret::parse(&WebhookSecret::generate()).unwrap();
        let body: Vec<u8> = (0..=255u8).collect();
        let h = sign(std::slice::from_ref(&s), "msg_1", 1_700_000_000, &body);
        assert_eq!(
            verify(&s, "msg_1", 1_700_000_000, &h, &body, 1_700_000_100, 300),
            Ok(())
        );
    }

    // --- Sumsub ---

    const SUMSUB_SECRET: &[u8] = b"sumsub-secret";
    const SUMSUB_BODY: &[u8] =
        br#"{"applicantId":"5cb56e8e0a975a35f333cb83","type":"applicantReviewed"}"#;
    // Computed independently with Python's `hmac` module.
    const SUMSUB_SHA1: &str = "0feab53b77b5e65ad805d607dea510fb77e8ce50";
    const SUMSUB_SHA256: &str = "2e73189e608316e9617964e2737617d0b1bb9d537ec306d59321cdd8619af5ba";
    const SUMSUB_SHA512: &str = "6ff7e6fb341a9781da5b51bcea50755c238da64890ec85596ce774e929d8d1f95d2ed85e8929c36832c11f55057e011424143f32fc5350421b816aa26d3841da";

    #[test]
    fn sumsub_sign_matches_reference_vectors() {
        for (alg, want) in [
            (SumsubAlg::Sha1, SUMSUB_SHA1),
            (SumsubAlg::Sha256, SUMSUB_SHA256),
            (SumsubAlg::Sha512, SUMSUB_SHA512),
        ] {
            assert_eq!(sign_sumsub(SUMSUB_SECRET, SUMSUB_BODY, alg), want);
        }
    }

    #[test]
    fn sumsub_alg_header_parsing() {
        let cases: [(Option<&str>, Result<SumsubAlg, SignatureError>); 9] = [
            (None, Ok(SumsubAlg::Sha256)),
            (Some("HMAC_SHA1_HEX"), Ok(SumsubAlg::Sha1)),
            (Some("HMAC_SHA256_HEX"), Ok(SumsubAlg::Sha256)),
            (Some("HMAC_SHA512_HEX"), Ok(SumsubAlg::Sha512)),
            (Some(" hmac_sha512_hex "), Ok(SumsubAlg::Sha512)),
            (
                Some("HMAC_MD5_HEX"),
                Err(SignatureError::UnknownAlgorithm("HMAC_MD5_HEX".into())),
            ),
            (Some(""), Err(SignatureError::UnknownAlgorithm("".into()))),
            (
                Some("SHA256"),
                Err(SignatureError::UnknownAlgorithm("SHA256".into())),
            ),
            (
                Some("HMAC_SHA256_BASE64"),
                Err(SignatureError::UnknownAlgorithm(
                    "HMAC_SHA256_BASE64".into(),
                )),
            ),
        ];
        for (header, want) in cases {
            assert_eq!(SumsubAlg::from_header(header), want, "{header:?}");
        }
        for alg in [SumsubAlg::Sha1, SumsubAlg::Sha256, SumsubAlg::Sha512] {
            assert_eq!(SumsubAlg::from_header(Some(alg.header_value())), Ok(alg));
        }
    }

    #[test]
    fn sumsub_verify_accepts_each_alg_in_either_case() {
        for (alg, digest) in [
            (Some("HMAC_SHA1_HEX"), SUMSUB_SHA1),
            (Some("HMAC_SHA256_HEX"), SUMSUB_SHA256),
            (None, SUMSUB_SHA256),
            (Some("HMAC_SHA512_HEX"), SUMSUB_SHA512),
        ] {
            for d in [digest.to_owned(), digest.to_ascii_uppercase()] {
                assert_eq!(
                    verify_sumsub(SUMSUB_SECRET, SUMSUB_BODY, &d, alg),
                    Ok(()),
                    "{alg:?} {d}"
                );
            }
        }
    }

    #[test]
    fn sumsub_verify_refuses_wrong_alg_secret_or_body() {
        // A SHA-256 digest presented as SHA-512 (or vice versa) is a length mismatch.
        assert_eq!(
            verify_sumsub(
                SUMSUB_SECRET,
                SUMSUB_BODY,
                SUMSUB_SHA256,
                Some("HMAC_SHA512_HEX")
            ),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_sumsub(SUMSUB_SECRET, SUMSUB_BODY, SUMSUB_SHA1, None),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_sumsub(b"other", SUMSUB_BODY, SUMSUB_SHA256, None),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_sumsub(SUMSUB_SECRET, b"{}", SUMSUB_SHA256, None),
            Err(SignatureError::Mismatch)
        );
        // One flipped nibble.
        let mut flipped = SUMSUB_SHA256.to_owned();
        flipped.replace_range(0..1, "3");
        assert_eq!(
            verify_sumsub(SUMSUB_SECRET, SUMSUB_BODY, &flipped, None),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_sumsub(SUMSUB_SECRET, SUMSUB_BODY, "", None),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn sumsub_verify_refuses_malformed_hex_without_panicking() {
        for bad in [
            "zz",
            "abc", // odd length
            &SUMSUB_SHA256[1..],
            "0x2e73",
            "2e 73",
            "é",
            "\u{0}",
        ] {
            assert_eq!(
                verify_sumsub(SUMSUB_SECRET, SUMSUB_BODY, bad, None),
                Err(SignatureError::MalformedSignature),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn sumsub_unknown_alg_wins_over_malformed_digest() {
        assert_eq!(
            verify_sumsub(SUMSUB_SECRET, SUMSUB_BODY, "zz", Some("HMAC_MD5_HEX")),
            Err(SignatureError::UnknownAlgorithm("HMAC_MD5_HEX".into()))
        );
    }

    #[test]
    fn sumsub_roundtrip_with_empty_secret_and_body() {
        for alg in [SumsubAlg::Sha1, SumsubAlg::Sha256, SumsubAlg::Sha512] {
            let d = sign_sumsub(b"", b"", alg);
            assert_eq!(
                verify_sumsub(b"", b"", &d, Some(alg.header_value())),
                Ok(())
            );
        }
    }

    // --- Vouched ---

    const VOUCHED_SECRET: &[u8] = b"vouched-key";
    const VOUCHED_BODY: &[u8] = br#"{"id":"job_1","status":"completed"}"#;
    // Computed independently with Python's `hmac` module.
    const VOUCHED_SIG: &str = "JTX5YyZia/gHlGoiOCYpq8nbz6c=";

    #[test]
    fn vouched_sign_matches_reference_vector() {
        assert_eq!(sign_vouched(VOUCHED_SECRET, VOUCHED_BODY), VOUCHED_SIG);
    }

    #[test]
    fn vouched_verify_accepts_valid_and_refuses_tampering() {
        assert_eq!(
            verify_vouched(VOUCHED_SECRET, VOUCHED_BODY, VOUCHED_SIG),
            Ok(())
        );
        assert_eq!(
            verify_vouched(VOUCHED_SECRET, VOUCHED_BODY, &format!(" {VOUCHED_SIG}\r\n")),
            Ok(())
        );
        assert_eq!(
            verify_vouched(b"other", VOUCHED_BODY, VOUCHED_SIG),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_vouched(VOUCHED_SECRET, b"{}", VOUCHED_SIG),
            Err(SignatureError::Mismatch)
        );
        // A SHA-256 MAC of the right body is not a SHA-1 MAC.
        let sha256 = STANDARD.encode(hmac_bytes::<Hmac<Sha256>>(VOUCHED_SECRET, &[VOUCHED_BODY]));
        assert_eq!(
            verify_vouched(VOUCHED_SECRET, VOUCHED_BODY, &sha256),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_vouched(VOUCHED_SECRET, VOUCHED_BODY, ""),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn vouched_verify_refuses_malformed_base64_without_panicking() {
        for bad in [
            "!!!!",
            "JTX5YyZia/gHlGoiOCYpq8nbz6c",  // missing padding
            "JTX5YyZia_gHlGoiOCYpq8nbz6c=", // url-safe alphabet
            "JTX5 YyZia/gHlGoiOCYpq8nbz6c=",
            "=",
            "ä",
            "hex:2535f963",
        ] {
            assert_eq!(
                verify_vouched(VOUCHED_SECRET, VOUCHED_BODY, bad),
                Err(SignatureError::MalformedSignature),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn error_messages_are_short_and_informative() {
        assert_eq!(SignatureError::Mismatch.to_string(), "signature mismatch");
        assert_eq!(
            SignatureError::UnknownAlgorithm("X".into()).to_string(),
            "unknown signature algorithm: X"
        );
        for e in [
            SignatureError::MalformedSecret,
            SignatureError::MalformedSignature,
            SignatureError::TimestampOutOfTolerance,
        ] {
            assert!(!e.to_string().is_empty());
        }
    }
}
