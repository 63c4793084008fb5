//! E-mail addresses and phone numbers.

use super::Invalid;

const EMAIL_CODE: &str = "invalid_email";
const PHONE_CODE: &str = "invalid_phone";

const MAX_EMAIL_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;
const MAX_DOMAIN_LEN: usize = 253;
const MAX_LABEL_LEN: usize = 63;

/// An e-mail address, trimmed, domain part lowercased. Pragmatic rules: exactly one '@', local part 1..=64 chars of
/// ASCII letters/digits and `` !#$%&'*+/=?^_`{|}~.- `` (no leading/trailing/double dot), domain 1..=253 chars of dot-separated
/// labels (1..=63 chars, letters/digits/hyphen, not starting/ending with hyphen), at least two labels, TLD alphabetic of
/// 2+ chars; whole address <= 254 chars. code "invalid_email".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Email, Invalid> {
        let s = s.trim();
        if s.is_empty() {
            return Err(email_err("E-mail address is required"));
        }
        let mut parts = s.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(email_err("E-mail address must contain exactly one '@'"));
        };
        check_local(local)?;
        // Domains are case-insensitive; the local part is left alone because
        // some mail servers treat it case-sensitively.
        let domain = domain.to_ascii_lowercase();
        check_domain(&domain)?;
        // Checked last so the more specific part-length messages win. Every
        // allowed character is ASCII, so byte length equals character count.
        if s.len() > MAX_EMAIL_LEN {
            return Err(email_err(
                "E-mail address must be at most 254 characters long",
            ));
        }
        Ok(Email(format!("{local}@{domain}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn email_err(message: &str) -> Invalid {
    Invalid::new(EMAIL_CODE, message)
}

fn check_local(local: &str) -> Result<(), Invalid> {
    if local.is_empty() || local.len() > MAX_LOCAL_LEN {
        return Err(email_err(
            "The part of the e-mail address before '@' must be 1 to 64 characters long",
        ));
    }
    if !local.bytes().all(is_local_byte) {
        return Err(email_err(
            "The part of the e-mail address before '@' may only contain ASCII letters, digits and !#$%&'*+/=?^_`{|}~.-",
        ));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(email_err(
            "The part of the e-mail address before '@' must not start or end with a dot or contain two dots in a row",
        ));
    }
    Ok(())
}

fn is_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&b)
}

fn check_domain(domain: &str) -> Result<(), Invalid> {
    if domain.is_empty() || domain.len() > MAX_DOMAIN_LEN {
        return Err(email_err(
            "The domain of the e-mail address (after '@') must be 1 to 253 characters long",
        ));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    for label in &labels {
        let valid = !label.is_empty()
            && label.len() <= MAX_LABEL_LEN
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !valid {
            return Err(email_err(
                "Each part of the e-mail domain must be 1 to 63 letters, digits or hyphens, not starting or ending with a hyphen",
            ));
        }
    }
    let tld_ok = labels.len() >= 2
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()));
    if !tld_ok {
        return Err(email_err(
            "The e-mail domain must end in a top-level domain of at least 2 letters, e.g. example.com",
        ));
    }
    Ok(())
}

/// A phone number in E.164: '+', then a country calling code starting 1-9, 8..=15 digits in total (after '+').
/// Input may contain spaces, hyphens, dots and parentheses, which are stripped; the stored form is "+4915112345678". code "invalid_phone".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(s: &str) -> Result<PhoneNumber, Invalid> {
        const FORMAT: &str = "Phone number must be in international format: '+', the country code, then the number, 8 to 15 digits in total (e.g. +49 151 12345678)";
        let s = s.trim();
        if s.is_empty() {
            return Err(Invalid::new(PHONE_CODE, "Phone number is required"));
        }
        let compact: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
            .collect();
        let Some(digits) = compact.strip_prefix('+') else {
            return Err(Invalid::new(PHONE_CODE, FORMAT));
        };
        let valid = (8..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if !valid {
            return Err(Invalid::new(PHONE_CODE, FORMAT));
        }
        Ok(PhoneNumber(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email_ok(s: &str) -> String {
        Email::parse(s).expect(s).as_str().to_owned()
    }

    fn email_refused(s: &str) -> Invalid {
        let err = Email::parse(s).expect_err(s);
        assert_eq!(err.code, "invalid_email", "{s:?}");
        err
    }

    fn phone_ok(s: &str) -> String {
        PhoneNumber::parse(s).expect(s).as_str().to_owned()
    }

    fn phone_refused(s: &str) -> Invalid {
        let err = PhoneNumber::parse(s).expect_err(s);
        assert_eq!(err.code, "invalid_phone", "{s:?}");
        err
    }

    // ---- e-mail ----

    #[test]
    fn email_accepts_ordinary_addresses() {
        assert_eq!(email_ok("jane.doe@example.com"), "jane.doe@example.com");
        assert_eq!(email_ok("a@b.co"), "a@b.co");
        assert_eq!(
            email_ok("user+tag@mail.example.co.uk"),
            "user+tag@mail.example.co.uk"
        );
        assert_eq!(
            email_ok("x_y-z@sub-domain.example.ng"),
            "x_y-z@sub-domain.example.ng"
        );
        assert_eq!(email_ok("1234@123.example.org"), "1234@123.example.org");
    }

    #[test]
    fn email_accepts_all_allowed_local_punctuation() {
        let local = "!#$%&'*+/=?^_`{|}~.-a";
        assert_eq!(
            email_ok(&format!("{local}@example.com")),
            format!("{local}@example.com")
        );
    }

    #[test]
    fn email_trims_and_lowercases_domain_only() {
        assert_eq!(
            email_ok("  Jane.Doe@Example.COM \n"),
            "Jane.Doe@example.com"
        );
    }

    #[test]
    fn email_refuses_empty_and_whitespace() {
        email_refused("");
        email_refused("   ");
        email_refused("\t\n");
    }

    #[test]
    fn email_requires_exactly_one_at() {
        email_refused("jane.example.com");
        email_refused("jane@@example.com");
        email_refused("jane@doe@example.com");
        email_refused("@");
    }

    #[test]
    fn email_local_part_length() {
        email_refused("@example.com");
        let max = "a".repeat(64);
        assert_eq!(
            email_ok(&format!("{max}@example.com")),
            format!("{max}@example.com")
        );
        email_refused(&format!("{}@example.com", "a".repeat(65)));
    }

    #[test]
    fn email_local_part_dots() {
        email_refused(".jane@example.com");
        email_refused("jane.@example.com");
        email_refused("jane..doe@example.com");
        email_refused(".@example.com");
    }

    #[test]
    fn email_local_part_forbidden_characters() {
        for s in [
            "jane doe@example.com",
            "\"jane\"@example.com",
            "jane(doe)@example.com",
            "jane,doe@example.com",
            "jane;doe@example.com",
            "jane<doe>@example.com",
            "jane\\doe@example.com",
            "jane[doe]@example.com",
            "jane:doe@example.com",
        ] {
            email_refused(s);
        }
    }

    #[test]
    fn email_refuses_unicode() {
        email_refused("jürgen@example.com");
        email_refused("jane@exämple.com");
        email_refused("jane@例え.jp");
        email_refused("jane@example.рф");
        // Fullwidth '@' is not an '@'.
        email_refused("jane＠example.com");
    }

    #[test]
    fn email_domain_needs_two_labels_and_alphabetic_tld() {
        email_refused("jane@localhost");
        email_refused("jane@");
        email_refused("jane@example.c");
        email_refused("jane@example.123");
        email_refused("jane@192.168.0.1");
        email_refused("jane@[192.168.0.1]");
        email_refused("jane@example.c0m");
        assert_eq!(email_ok("jane@example.museum"), "jane@example.museum");
        // Punycode labels are letters, digits and hyphens, so they pass.
        assert_eq!(
            email_ok("jane@xn--bcher-kva.example"),
            "jane@xn--bcher-kva.example"
        );
    }

    #[test]
    fn email_domain_label_rules() {
        email_refused("jane@.example.com");
        email_refused("jane@example.com.");
        email_refused("jane@example..com");
        email_refused("jane@-example.com");
        email_refused("jane@example-.com");
        email_refused("jane@exa_mple.com");
        email_refused("jane@exa mple.com");
        assert_eq!(email_ok("jane@ex-ample.com"), "jane@ex-ample.com");
    }

    #[test]
    fn email_label_length_edges() {
        let l63 = "a".repeat(63);
        assert_eq!(email_ok(&format!("j@{l63}.com")), format!("j@{l63}.com"));
        email_refused(&format!("j@{}.com", "a".repeat(64)));
    }

    #[test]
    fn email_domain_length_edges() {
        let l63 = "a".repeat(63);
        // 63+1+63+1+63+1+60 = 252 characters: with "j@" the address is 254.
        let domain_252 = format!("{l63}.{l63}.{l63}.{}", "b".repeat(60));
        assert_eq!(domain_252.len(), 252);
        assert_eq!(
            email_ok(&format!("j@{domain_252}")),
            format!("j@{domain_252}")
        );
        // A 253-character domain is within the domain limit but the address is 255 long.
        let domain_253 = format!("{l63}.{l63}.{l63}.{}", "b".repeat(61));
        let err = email_refused(&format!("j@{domain_253}"));
        assert!(err.message.contains("254"), "{}", err.message);
        // 254 characters breaks the domain limit itself.
        let domain_254 = format!("{l63}.{l63}.{l63}.{}", "b".repeat(62));
        let err = email_refused(&format!("j@{domain_254}"));
        assert!(err.message.contains("253"), "{}", err.message);
    }

    #[test]
    fn email_total_length_edges() {
        // 64 + 1 + 189 = 254 characters: allowed.
        let local = "a".repeat(64);
        let l63 = "a".repeat(63);
        let domain_189 = format!("{l63}.{l63}.{}", "c".repeat(61));
        assert_eq!(domain_189.len(), 189);
        let addr = format!("{local}@{domain_189}");
        assert_eq!(addr.len(), 254);
        assert_eq!(email_ok(&addr), addr);
        // 255 characters: refused even though each part is within its own limit.
        let domain_190 = format!("{l63}.{l63}.{}", "c".repeat(62));
        let addr = format!("{local}@{domain_190}");
        assert_eq!(addr.len(), 255);
        let err = email_refused(&addr);
        assert!(err.message.contains("254"));
    }

    #[test]
    fn email_error_does_not_echo_input() {
        let err = email_refused("secret.person@@example.com");
        assert!(!err.message.contains("secret"));
    }

    // ---- phone ----

    #[test]
    fn phone_accepts_e164_and_strips_separators() {
        assert_eq!(phone_ok("+4915112345678"), "+4915112345678");
        assert_eq!(phone_ok("+49 151 1234 5678"), "+4915112345678");
        assert_eq!(phone_ok("+1 (415) 555-2671"), "+14155552671");
        assert_eq!(phone_ok("+234.803.123.4567"), "+2348031234567");
        assert_eq!(phone_ok("  +44 20 7946 0958  "), "+442079460958");
        assert_eq!(phone_ok("(+44) 20-7946-0958"), "+442079460958");
    }

    #[test]
    fn phone_digit_count_edges() {
        assert_eq!(phone_ok("+12345678"), "+12345678"); // 8 digits
        assert_eq!(phone_ok("+123456789012345"), "+123456789012345"); // 15 digits
        phone_refused("+1234567"); // 7 digits
        phone_refused("+1234567890123456"); // 16 digits
    }

    #[test]
    fn phone_requires_leading_plus() {
        phone_refused("4915112345678");
        phone_refused("004915112345678");
        phone_refused("49+15112345678");
        phone_refused("++4915112345678");
        phone_refused("+");
    }

    #[test]
    fn phone_country_code_cannot_start_with_zero() {
        phone_refused("+04915112345678");
        phone_refused("+0151 12345678");
    }

    #[test]
    fn phone_refuses_other_characters() {
        phone_refused("+49 151 1234567x");
        phone_refused("+49/151/12345678");
        phone_refused("+49_151_12345678");
        phone_refused("+49\t151\t12345678");
        phone_refused("tel:+4915112345678");
    }

    #[test]
    fn phone_refuses_empty_and_whitespace() {
        phone_refused("");
        phone_refused("   ");
        phone_refused(" - ( ) . ");
    }

    #[test]
    fn phone_refuses_unicode_digits() {
        // Fullwidth, Arabic-Indic and Devanagari digits are not ASCII digits.
        phone_refused("+４９１５１１２３４５６７８");
        phone_refused("+٤٩١٥١١٢٣٤٥٦٧٨");
        phone_refused("+४९१५११२३४५६७८");
        phone_refused("＋4915112345678");
    }

    #[test]
    fn phone_error_does_not_echo_input() {
        let err = phone_refused("+49 151 x");
        assert!(!err.message.contains("151 x"));
    }
}
