//! Government identifiers (SSN, BVN, NIN, passport and other document numbers).

use std::ops::RangeInclusive;

use super::Invalid;

const UNKNOWN_TYPE_CODE: &str = "unknown_government_id_type";
const CODE: &str = "invalid_government_id";

/// The kinds of government identifier the product knows (snake_case names are the wire form).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GovernmentIdType {
    Ssn,
    Bvn,
    Nin,
    Passport,
    NationalId,
    DriverLicense,
    TaxId,
}

impl GovernmentIdType {
    pub const ALL: [GovernmentIdType; 7] = [
        GovernmentIdType::Ssn,
        GovernmentIdType::Bvn,
        GovernmentIdType::Nin,
        GovernmentIdType::Passport,
        GovernmentIdType::NationalId,
        GovernmentIdType::DriverLicense,
        GovernmentIdType::TaxId,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            GovernmentIdType::Ssn => "ssn",
            GovernmentIdType::Bvn => "bvn",
            GovernmentIdType::Nin => "nin",
            GovernmentIdType::Passport => "passport",
            GovernmentIdType::NationalId => "national_id",
            GovernmentIdType::DriverLicense => "driver_license",
            GovernmentIdType::TaxId => "tax_id",
        }
    }

    /// Case-insensitive match on the wire form; surrounding whitespace is ignored.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                Invalid::new(
                    UNKNOWN_TYPE_CODE,
                    "Unknown government ID type; expected one of: ssn, bvn, nin, passport, national_id, driver_license, tax_id",
                )
            })
    }

    pub fn label(&self) -> &'static str {
        match self {
            GovernmentIdType::Ssn => "US Social Security Number",
            GovernmentIdType::Bvn => "Nigerian Bank Verification Number (BVN)",
            GovernmentIdType::Nin => "Nigerian National Identification Number (NIN)",
            GovernmentIdType::Passport => "Passport number",
            GovernmentIdType::NationalId => "National ID number",
            GovernmentIdType::DriverLicense => "Driver licence number",
            GovernmentIdType::TaxId => "Tax ID",
        }
    }

    /// Short name used at the start of error messages ("BVN must be ...").
    fn short_name(&self) -> &'static str {
        match self {
            GovernmentIdType::Ssn => "SSN",
            GovernmentIdType::Bvn => "BVN",
            GovernmentIdType::Nin => "NIN",
            other => other.label(),
        }
    }
}

/// A validated, normalized government id number (separators removed, uppercase).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GovernmentId {
    id_type: GovernmentIdType,
    number: String,
}

impl GovernmentId {
    /// Validates `number` against the format of `id_type`. Error messages name
    /// the type and the expected format but never repeat the number itself,
    /// at most its length.
    pub fn parse(id_type: GovernmentIdType, number: &str) -> Result<GovernmentId, Invalid> {
        let name = id_type.short_name();
        let trimmed = number.trim();
        if trimmed.is_empty() {
            return Err(Invalid::new(CODE, format!("{name} is required")));
        }
        let number = match id_type {
            GovernmentIdType::Ssn => parse_ssn(trimmed)?,
            GovernmentIdType::Bvn | GovernmentIdType::Nin => {
                check(name, trimmed.to_owned(), 11..=11, Charset::Digits)?
            }
            GovernmentIdType::Passport => {
                check(name, remove(trimmed, &[' ']), 6..=9, Charset::Alphanumeric)?
            }
            GovernmentIdType::NationalId
            | GovernmentIdType::DriverLicense
            | GovernmentIdType::TaxId => check(
                name,
                remove(trimmed, &[' ', '-']),
                4..=20,
                Charset::Alphanumeric,
            )?,
        };
        Ok(GovernmentId { id_type, number })
    }

    pub fn id_type(&self) -> GovernmentIdType {
        self.id_type
    }

    pub fn number(&self) -> &str {
        &self.number
    }

    /// For display in the back-office: all but the last 4 characters replaced by '•' (U+2022). "123-45-6789" -> "•••••6789".
    pub fn masked(&self) -> String {
        let hidden = self.number.chars().count().saturating_sub(4);
        self.number
            .chars()
            .enumerate()
            .map(|(i, c)| if i < hidden { '\u{2022}' } else { c })
            .collect()
    }
}

#[derive(Clone, Copy)]
enum Charset {
    Digits,
    Alphanumeric,
}

fn remove(s: &str, separators: &[char]) -> String {
    s.chars().filter(|c| !separators.contains(c)).collect()
}

/// Checks charset and length of an already separator-free value and uppercases it.
fn check(
    name: &str,
    compact: String,
    len: RangeInclusive<usize>,
    charset: Charset,
) -> Result<String, Invalid> {
    let (what, allowed): (&str, fn(&char) -> bool) = match charset {
        Charset::Digits => ("digits", char::is_ascii_digit),
        Charset::Alphanumeric => ("letters (A-Z) or digits", char::is_ascii_alphanumeric),
    };
    let expected = if len.start() == len.end() {
        format!("exactly {} {what}", len.start())
    } else {
        format!("{} to {} {what}", len.start(), len.end())
    };
    if !compact.chars().all(|c| allowed(&c)) {
        return Err(Invalid::new(
            CODE,
            format!("{name} must be {expected}, with no other characters"),
        ));
    }
    let count = compact.len(); // ASCII only at this point
    if !len.contains(&count) {
        return Err(Invalid::new(
            CODE,
            format!("{name} must be {expected} (got {})", characters(count)),
        ));
    }
    let mut normalized = compact;
    normalized.make_ascii_uppercase();
    Ok(normalized)
}

fn characters(n: usize) -> String {
    if n == 1 {
        "1 character".to_owned()
    } else {
        format!("{n} characters")
    }
}

/// Accepts `123456789` or `123-45-6789` and applies the SSA's never-issued ranges.
fn parse_ssn(s: &str) -> Result<String, Invalid> {
    let b = s.as_bytes();
    let dashed = b.len() == 11
        && b[3] == b'-'
        && b[6] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 3 || i == 6 || c.is_ascii_digit());
    let plain = b.len() == 9 && b.iter().all(u8::is_ascii_digit);
    if !dashed && !plain {
        return Err(Invalid::new(
            CODE,
            format!(
                "SSN must be 9 digits, optionally written as AAA-GG-SSSS (got {})",
                characters(s.chars().count())
            ),
        ));
    }
    let digits = remove(s, &['-']);
    let (area, group, serial) = (&digits[0..3], &digits[3..5], &digits[5..9]);
    if area == "000" || area == "666" || area.starts_with('9') {
        return Err(Invalid::new(
            CODE,
            "SSN cannot start with 000, 666 or 900-999; those area numbers are never issued",
        ));
    }
    if group == "00" {
        return Err(Invalid::new(
            CODE,
            "SSN cannot have 00 as its middle two digits (the group number)",
        ));
    }
    if serial == "0000" {
        return Err(Invalid::new(
            CODE,
            "SSN cannot end in 0000 (the serial number)",
        ));
    }
    Ok(digits)
}

#[cfg(test)]
mod tests {
    use super::GovernmentIdType::*;
    use super::*;

    fn ok(t: GovernmentIdType, s: &str) -> String {
        GovernmentId::parse(t, s)
            .unwrap_or_else(|e| panic!("{t:?} {s:?} refused: {}", e.message))
            .number()
            .to_owned()
    }

    fn refused(t: GovernmentIdType, s: &str) -> Invalid {
        let err = GovernmentId::parse(t, s).expect_err(s);
        assert_eq!(err.code, "invalid_government_id", "{t:?} {s:?}");
        err
    }

    // ---- GovernmentIdType ----

    #[test]
    fn type_wire_names_round_trip() {
        let names = [
            "ssn",
            "bvn",
            "nin",
            "passport",
            "national_id",
            "driver_license",
            "tax_id",
        ];
        for (t, name) in GovernmentIdType::ALL.into_iter().zip(names) {
            assert_eq!(t.as_str(), name);
            assert_eq!(GovernmentIdType::parse(name), Ok(t));
        }
    }

    #[test]
    fn type_parse_is_case_insensitive_and_trims() {
        assert_eq!(GovernmentIdType::parse("SSN"), Ok(Ssn));
        assert_eq!(GovernmentIdType::parse("Bvn"), Ok(Bvn));
        assert_eq!(GovernmentIdType::parse(" National_ID "), Ok(NationalId));
        assert_eq!(GovernmentIdType::parse("DRIVER_LICENSE"), Ok(DriverLicense));
        assert_eq!(GovernmentIdType::parse("Tax_Id\n"), Ok(TaxId));
    }

    #[test]
    fn type_parse_refuses_unknown() {
        for s in [
            "",
            "  ",
            "national-id",
            "nationalid",
            "national id",
            "driver_licence",
            "ssn ssn",
            "social_security",
            "ＳＳＮ",
            "passpοrt", // Greek omicron
        ] {
            let err = GovernmentIdType::parse(s).expect_err(s);
            assert_eq!(err.code, "unknown_government_id_type", "{s:?}");
            assert!(err.message.contains("national_id"));
        }
    }

    #[test]
    fn type_labels() {
        let labels = [
            "US Social Security Number",
            "Nigerian Bank Verification Number (BVN)",
            "Nigerian National Identification Number (NIN)",
            "Passport number",
            "National ID number",
            "Driver licence number",
            "Tax ID",
        ];
        for (t, label) in GovernmentIdType::ALL.into_iter().zip(labels) {
            assert_eq!(t.label(), label);
        }
    }

    #[test]
    fn all_lists_each_variant_once() {
        for (i, a) in GovernmentIdType::ALL.iter().enumerate() {
            for b in &GovernmentIdType::ALL[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    // ---- SSN ----

    #[test]
    fn ssn_accepts_plain_and_dashed() {
        assert_eq!(ok(Ssn, "123456789"), "123456789");
        assert_eq!(ok(Ssn, "123-45-6789"), "123456789");
        assert_eq!(ok(Ssn, "  123-45-6789 "), "123456789");
        assert_eq!(ok(Ssn, "899-99-9999"), "899999999");
        assert_eq!(ok(Ssn, "001-01-0001"), "001010001");
        assert_eq!(ok(Ssn, "665-01-0001"), "665010001");
        assert_eq!(ok(Ssn, "667-01-0001"), "667010001");
    }

    #[test]
    fn ssn_refuses_never_issued_area_numbers() {
        for s in [
            "000-12-3456",
            "666-12-3456",
            "900-12-3456",
            "950123456",
            "999-99-9999",
        ] {
            let err = refused(Ssn, s);
            assert!(err.message.contains("000, 666 or 900-999"), "{s}");
        }
    }

    #[test]
    fn ssn_refuses_zero_group_and_serial() {
        assert!(refused(Ssn, "123-00-4567").message.contains("00"));
        assert!(refused(Ssn, "123-45-0000").message.contains("0000"));
        refused(Ssn, "123004567");
        refused(Ssn, "123450000");
    }

    #[test]
    fn ssn_refuses_wrong_shapes() {
        for s in [
            "12345678",
            "1234567890",
            "12-345-6789",
            "123-456789",
            "12345-6789",
            "123 45 6789",
            "123.45.6789",
            "123-45-678",
            "123-45-67890",
            "123--456789",
            "12345678a",
            "abc-de-fghi",
        ] {
            refused(Ssn, s);
        }
    }

    #[test]
    fn ssn_message_is_clear_and_gives_only_length() {
        let err = refused(Ssn, "98765");
        assert_eq!(
            err.message,
            "SSN must be 9 digits, optionally written as AAA-GG-SSSS (got 5 characters)"
        );
    }

    #[test]
    fn ssn_refuses_unicode_digits() {
        refused(Ssn, "１２３４５６７８９"); // fullwidth
        refused(Ssn, "١٢٣٤٥٦٧٨٩"); // Arabic-Indic
        refused(Ssn, "123–45–6789"); // en dashes
    }

    // ---- BVN / NIN ----

    #[test]
    fn bvn_and_nin_accept_exactly_11_digits() {
        for t in [Bvn, Nin] {
            assert_eq!(ok(t, "22123456789"), "22123456789");
            assert_eq!(ok(t, " 12345678901\t"), "12345678901");
            assert_eq!(ok(t, "00000000000"), "00000000000");
        }
    }

    #[test]
    fn bvn_and_nin_length_edges() {
        for t in [Bvn, Nin] {
            let short = refused(t, "1234567890");
            assert!(short.message.contains("exactly 11 digits"));
            assert!(short.message.contains("got 10 characters"));
            let long = refused(t, "123456789012");
            assert!(long.message.contains("got 12 characters"));
        }
        assert_eq!(
            refused(Bvn, "1").message,
            "BVN must be exactly 11 digits (got 1 character)"
        );
    }

    #[test]
    fn bvn_and_nin_refuse_non_digits() {
        for t in [Bvn, Nin] {
            refused(t, "2212345678a");
            refused(t, "221-234-56789");
            refused(t, "221 234 56789");
            refused(t, "+2212345678");
            refused(t, "２２１２３４５６７８９");
            refused(t, "٢٢١٢٣٤٥٦٧٨٩");
        }
        assert_eq!(
            refused(Nin, "ABCDEFGHIJK").message,
            "NIN must be exactly 11 digits, with no other characters"
        );
    }

    // ---- Passport ----

    #[test]
    fn passport_accepts_6_to_9_alphanumerics_and_uppercases() {
        assert_eq!(ok(Passport, "A12345"), "A12345");
        assert_eq!(ok(Passport, "c01x00t47"), "C01X00T47");
        assert_eq!(ok(Passport, "123456789"), "123456789");
        assert_eq!(ok(Passport, " AB 12 34 56 "), "AB123456");
    }

    #[test]
    fn passport_length_edges() {
        refused(Passport, "A1234");
        refused(Passport, "A123456789");
        // Spaces do not count towards the length.
        refused(Passport, "A 1 2 3 4");
        let err = refused(Passport, "AB12");
        assert_eq!(
            err.message,
            "Passport number must be 6 to 9 letters (A-Z) or digits (got 4 characters)"
        );
    }

    #[test]
    fn passport_refuses_other_characters() {
        refused(Passport, "AB-123456");
        refused(Passport, "AB_123456");
        refused(Passport, "AB/123456");
        refused(Passport, "ÄB123456");
        refused(Passport, "АВ123456"); // Cyrillic look-alikes
        refused(Passport, "AB\u{a0}123456"); // non-breaking space
    }

    // ---- NationalId / DriverLicense / TaxId ----

    #[test]
    fn free_form_ids_accept_4_to_20_and_strip_spaces_and_hyphens() {
        for t in [NationalId, DriverLicense, TaxId] {
            assert_eq!(ok(t, "ab12"), "AB12");
            assert_eq!(ok(t, "12345678901234567890"), "12345678901234567890");
            assert_eq!(ok(t, "ab-12 cd-34"), "AB12CD34");
            assert_eq!(ok(t, " x-1-2-3 "), "X123");
            // Separators do not count towards the 20-character limit.
            assert_eq!(ok(t, "1234-5678-9012-3456-7890"), "12345678901234567890");
        }
    }

    #[test]
    fn free_form_ids_length_edges() {
        for t in [NationalId, DriverLicense, TaxId] {
            refused(t, "ab1");
            refused(t, "a-b-1");
            refused(t, "123456789012345678901");
        }
        assert_eq!(
            refused(TaxId, "123").message,
            "Tax ID must be 4 to 20 letters (A-Z) or digits (got 3 characters)"
        );
        assert!(
            refused(DriverLicense, "x")
                .message
                .starts_with("Driver licence number must be")
        );
        assert!(
            refused(NationalId, "x")
                .message
                .starts_with("National ID number must be")
        );
    }

    #[test]
    fn free_form_ids_refuse_other_characters() {
        for t in [NationalId, DriverLicense, TaxId] {
            refused(t, "12/345/67890");
            refused(t, "DE.123.456");
            refused(t, "ID_12345");
            refused(t, "ÉTAT1234");
            refused(t, "１２３４５");
            refused(t, "1234\t5678");
        }
    }

    // ---- common ----

    #[test]
    fn empty_and_whitespace_are_refused_for_every_type() {
        for t in GovernmentIdType::ALL {
            for s in ["", " ", "\t\n", "\u{3000}"] {
                let err = refused(t, s);
                assert!(
                    err.message.ends_with("is required"),
                    "{t:?}: {}",
                    err.message
                );
            }
        }
    }

    #[test]
    fn messages_never_echo_the_number() {
        let cases = [
            (Ssn, "000-12-3456"),
            (Ssn, "12345"),
            (Bvn, "9876543"),
            (Nin, "98765ABCDEF"),
            (Passport, "ZQ98765432"),
            (TaxId, "ZQ/98765"),
        ];
        for (t, s) in cases {
            let message = refused(t, s).message;
            assert!(!message.contains(s), "{message}");
            assert!(!message.contains("98765"), "{message}");
        }
    }

    #[test]
    fn accessors_and_masking() {
        let id = GovernmentId::parse(Ssn, "123-45-6789").expect("valid SSN");
        assert_eq!(id.id_type(), Ssn);
        assert_eq!(id.number(), "123456789");
        assert_eq!(id.masked(), "•••••6789");

        let id = GovernmentId::parse(Passport, "c01x00t47").expect("valid passport");
        assert_eq!(id.masked(), "•••••0T47");

        let id = GovernmentId::parse(TaxId, "ab12").expect("valid tax id");
        assert_eq!(id.masked(), "AB12");

        let id = GovernmentId::parse(NationalId, "abc12").expect("valid national id");
        assert_eq!(id.masked(), "•BC12");
        assert_eq!(id.masked().chars().count(), id.number().len());
    }
}
