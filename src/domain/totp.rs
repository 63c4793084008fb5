//! Time-based one-time passwords (RFC 6238 over RFC 4226): HMAC-SHA-1, 6 digits, 30-second steps,
//! the step before and after accepted for clock drift — what every authenticator app speaks.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Seconds per step.
const STEP_SECONDS: i64 = 30;
const DIGITS: u32 = 6;
/// Steps either side of now that are still accepted (phone clocks drift; a code typed at :29 arrives at :31).
const DRIFT_STEPS: i64 = 1;

/// The shared secret: 160 bits, the size RFC 4226 recommends for HMAC-SHA-1.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret([u8; 20]);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(..)")
    }
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

impl TotpSecret {
    pub fn from_bytes(bytes: [u8; 20]) -> Self {
        Self(bytes)
    }

    /// RFC 4648 base32 without padding (20 bytes are exactly 32 characters), as apps expect it.
    pub fn to_base32(&self) -> String {
        let mut out = String::with_capacity(32);
        for chunk in self.0.chunks(5) {
            let bits = chunk
                .iter()
                .fold(0_u64, |acc, byte| (acc << 8) | u64::from(*byte));
            for i in (0..8).rev() {
                out.push(char::from(BASE32[((bits >> (i * 5)) & 31) as usize]));
            }
        }
        out
    }

    /// Reads what `to_base32` wrote (case and spaces forgiven); `None` when it is not a secret.
    pub fn from_base32(text: &str) -> Option<Self> {
        let mut bits: u64 = 0;
        let mut count = 0;
        let mut bytes = Vec::with_capacity(20);
        for c in text.chars().filter(|c| !c.is_whitespace()) {
            let value = BASE32
                .iter()
                .position(|b| char::from(*b) == c.to_ascii_uppercase())?;
            bits = (bits << 5) | value as u64;
            count += 5;
            if count >= 8 {
                count -= 8;
                bytes.push((bits >> count) as u8);
            }
        }
        bytes.try_into().ok().map(Self)
    }

    /// The `otpauth://` URI authenticator apps read from the QR code.
    pub fn uri(&self, issuer: &str, account: &str) -> String {
        let issuer = percent_encode(issuer);
        format!(
            "otpauth://totp/{issuer}:{}?secret={}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
            percent_encode(account),
            self.to_base32()
        )
    }

    /// The code for a step (RFC 4226 dynamic truncation).
    fn code_at(&self, step: i64) -> u32 {
        // The key length is fixed and valid for HMAC, so `new_from_slice` cannot fail.
        let mut mac = Hmac::<Sha1>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(&step.to_be_bytes());
        let digest = mac.finalize().into_bytes();
        let offset = usize::from(digest[19] & 0x0f);
        let value = u32::from_be_bytes([
            digest[offset] & 0x7f,
            digest[offset + 1],
            digest[offset + 2],
            digest[offset + 3],
        ]);
        value % 10_u32.pow(DIGITS)
    }

    /// The step a six-digit `code` belongs to, if it is the code of a step around `unix_seconds`
    /// later than `used_step` (a code is accepted once: no replay inside its window).
    pub fn matching_step(
        &self,
        code: &str,
        unix_seconds: i64,
        used_step: Option<i64>,
    ) -> Option<i64> {
        let code = code.trim();
        if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let wanted: u32 = code.parse().ok()?;
        let now = unix_seconds.div_euclid(STEP_SECONDS);
        (now - DRIFT_STEPS..=now + DRIFT_STEPS)
            .filter(|step| used_step.is_none_or(|used| *step > used))
            .find(|step| self.code_at(*step) == wanted)
    }

    /// The current code (for tests and the enrolment page's own check).
    pub fn code_now(&self, unix_seconds: i64) -> String {
        format!(
            "{:0width$}",
            self.code_at(unix_seconds.div_euclid(STEP_SECONDS)),
            width = DIGITS as usize
        )
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986), for the URI's label and issuer.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(*b"12345678901234567890")
    }

    #[test]
    fn matches_the_rfc_6238_sha1_vectors() {
        // RFC 6238 appendix B gives 8 digits; the last 6 are the 6-digit codes.
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(rfc_secret().code_now(time), code, "at {time}");
        }
    }

    #[test]
    fn accepts_one_step_of_drift_and_never_the_same_step_twice() {
        let secret = rfc_secret();
        let code = secret.code_now(1_111_111_109);
        let step = 1_111_111_109 / 30;
        assert_eq!(secret.matching_step(&code, 1_111_111_109, None), Some(step));
        assert_eq!(
            secret.matching_step(&code, 1_111_111_109 + 30, None),
            Some(step)
        );
        assert_eq!(secret.matching_step(&code, 1_111_111_109 + 60, None), None);
        assert_eq!(secret.matching_step(&code, 1_111_111_109, Some(step)), None);
        assert_eq!(secret.matching_step("12345", 1_111_111_109, None), None);
        assert_eq!(secret.matching_step("abcdef", 1_111_111_109, None), None);
    }

    #[test]
    fn base32_round_trips_and_the_uri_names_the_account() {
        let secret = rfc_secret();
        assert_eq!(secret.to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(
            TotpSecret::from_base32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq"),
            Some(secret.clone())
        );
        assert_eq!(TotpSecret::from_base32("GEZD"), None);
        assert_eq!(
            secret.uri("kycdesk", "rev@example.com"),
            "otpauth://totp/kycdesk:rev%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=kycdesk&algorithm=SHA1&digits=6&period=30"
        );
    }
}
