//! ISO 3166-1 alpha-2 country codes.

use std::fmt;

use super::Invalid;

const CODE: &str = "invalid_country";

/// An ISO 3166-1 alpha-2 code that is officially assigned (the full list of 249 codes), uppercase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// Trims and uppercases the input, then accepts it only if it is an
    /// officially assigned code. Reserved codes such as "UK" or "EU" and
    /// user-assigned ones such as "XX" are refused.
    pub fn parse(s: &str) -> Result<CountryCode, Invalid> {
        let refused = || {
            Invalid::new(
                CODE,
                "Country must be a two-letter ISO 3166-1 code, for example DE or GB",
            )
        };
        let bytes = s.trim().as_bytes();
        let [a, b] = bytes else {
            return Err(refused());
        };
        if !a.is_ascii_alphabetic() || !b.is_ascii_alphabetic() {
            return Err(refused());
        }
        let code = [a.to_ascii_uppercase(), b.to_ascii_uppercase()];
        match lookup(code) {
            Some(_) => Ok(CountryCode(code)),
            None => Err(Invalid::new(
                CODE,
                "Country code is not an assigned ISO 3166-1 code (use GB for the United Kingdom)",
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        // Only `parse` builds a CountryCode and it stores two ASCII letters,
        // so the fallback is unreachable; it avoids a panic path all the same.
        std::str::from_utf8(&self.0).unwrap_or("")
    }

    /// English short name, e.g. "Germany".
    pub fn name(&self) -> &'static str {
        lookup(self.0).map_or("", |i| COUNTRIES[i].1)
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn lookup(code: [u8; 2]) -> Option<usize> {
    COUNTRIES
        .binary_search_by(|(c, _)| c.as_bytes().cmp(&code[..]))
        .ok()
}

/// All officially assigned ISO 3166-1 alpha-2 codes with their English short
/// names, sorted by code so `lookup` can binary-search.
static COUNTRIES: [(&str, &str); 249] = [
    ("AD", "Andorra"),
    ("AE", "United Arab Emirates"),
    ("AF", "Afghanistan"),
    ("AG", "Antigua and Barbuda"),
    ("AI", "Anguilla"),
    ("AL", "Albania"),
    ("AM", "Armenia"),
    ("AO", "Angola"),
    ("AQ", "Antarctica"),
    ("AR", "Argentina"),
    ("AS", "American Samoa"),
    ("AT", "Austria"),
    ("AU", "Australia"),
    ("AW", "Aruba"),
    ("AX", "Åland Islands"),
    ("AZ", "Azerbaijan"),
    ("BA", "Bosnia and Herzegovina"),
    ("BB", "Barbados"),
    ("BD", "Bangladesh"),
    ("BE", "Belgium"),
    ("BF", "Burkina Faso"),
    ("BG", "Bulgaria"),
    ("BH", "Bahrain"),
    ("BI", "Burundi"),
    ("BJ", "Benin"),
    ("BL", "Saint Barthélemy"),
    ("BM", "Bermuda"),
    ("BN", "Brunei Darussalam"),
    ("BO", "Bolivia, Plurinational State of"),
    ("BQ", "Bonaire, Sint Eustatius and Saba"),
    ("BR", "Brazil"),
    ("BS", "Bahamas"),
    ("BT", "Bhutan"),
    ("BV", "Bouvet Island"),
    ("BW", "Botswana"),
    ("BY", "Belarus"),
    ("BZ", "Belize"),
    ("CA", "Canada"),
    ("CC", "Cocos (Keeling) Islands"),
    ("CD", "Congo, Democratic Republic of the"),
    ("CF", "Central African Republic"),
    ("CG", "Congo"),
    ("CH", "Switzerland"),
    ("CI", "Côte d'Ivoire"),
    ("CK", "Cook Islands"),
    ("CL", "Chile"),
    ("CM", "Cameroon"),
    ("CN", "China"),
    ("CO", "Colombia"),
    ("CR", "Costa Rica"),
    ("CU", "Cuba"),
    ("CV", "Cabo Verde"),
    ("CW", "Curaçao"),
    ("CX", "Christmas Island"),
    ("CY", "Cyprus"),
    ("CZ", "Czechia"),
    ("DE", "Germany"),
    ("DJ", "Djibouti"),
    ("DK", "Denmark"),
    ("DM", "Dominica"),
    ("DO", "Dominican Republic"),
    ("DZ", "Algeria"),
    ("EC", "Ecuador"),
    ("EE", "Estonia"),
    ("EG", "Egypt"),
    ("EH", "Western Sahara"),
    ("ER", "Eritrea"),
    ("ES", "Spain"),
    ("ET", "Ethiopia"),
    ("FI", "Finland"),
    ("FJ", "Fiji"),
    ("FK", "Falkland Islands (Malvinas)"),
    ("FM", "Micronesia, Federated States of"),
    ("FO", "Faroe Islands"),
    ("FR", "France"),
    ("GA", "Gabon"),
    ("GB", "United Kingdom of Great Britain and Northern Ireland"),
    ("GD", "Grenada"),
    ("GE", "Georgia"),
    ("GF", "French Guiana"),
    ("GG", "Guernsey"),
    ("GH", "Ghana"),
    ("GI", "Gibraltar"),
    ("GL", "Greenland"),
    ("GM", "Gambia"),
    ("GN", "Guinea"),
    ("GP", "Guadeloupe"),
    ("GQ", "Equatorial Guinea"),
    ("GR", "Greece"),
    ("GS", "South Georgia and the South Sandwich Islands"),
    ("GT", "Guatemala"),
    ("GU", "Guam"),
    ("GW", "Guinea-Bissau"),
    ("GY", "Guyana"),
    ("HK", "Hong Kong"),
    ("HM", "Heard Island and McDonald Islands"),
    ("HN", "Honduras"),
    ("HR", "Croatia"),
    ("HT", "Haiti"),
    ("HU", "Hungary"),
    ("ID", "Indonesia"),
    ("IE", "Ireland"),
    ("IL", "Israel"),
    ("IM", "Isle of Man"),
    ("IN", "India"),
    ("IO", "British Indian Ocean Territory"),
    ("IQ", "Iraq"),
    ("IR", "Iran, Islamic Republic of"),
    ("IS", "Iceland"),
    ("IT", "Italy"),
    ("JE", "Jersey"),
    ("JM", "Jamaica"),
    ("JO", "Jordan"),
    ("JP", "Japan"),
    ("KE", "Kenya"),
    ("KG", "Kyrgyzstan"),
    ("KH", "Cambodia"),
    ("KI", "Kiribati"),
    ("KM", "Comoros"),
    ("KN", "Saint Kitts and Nevis"),
    ("KP", "Korea, Democratic People's Republic of"),
    ("KR", "Korea, Republic of"),
    ("KW", "Kuwait"),
    ("KY", "Cayman Islands"),
    ("KZ", "Kazakhstan"),
    ("LA", "Lao People's Democratic Republic"),
    ("LB", "Lebanon"),
    ("LC", "Saint Lucia"),
    ("LI", "Liechtenstein"),
    ("LK", "Sri Lanka"),
    ("LR", "Liberia"),
    ("LS", "Lesotho"),
    ("LT", "Lithuania"),
    ("LU", "Luxembourg"),
    ("LV", "Latvia"),
    ("LY", "Libya"),
    ("MA", "Morocco"),
    ("MC", "Monaco"),
    ("MD", "Moldova, Republic of"),
    ("ME", "Montenegro"),
    ("MF", "Saint Martin (French part)"),
    ("MG", "Madagascar"),
    ("MH", "Marshall Islands"),
    ("MK", "North Macedonia"),
    ("ML", "Mali"),
    ("MM", "Myanmar"),
    ("MN", "Mongolia"),
    ("MO", "Macao"),
    ("MP", "Northern Mariana Islands"),
    ("MQ", "Martinique"),
    ("MR", "Mauritania"),
    ("MS", "Montserrat"),
    ("MT", "Malta"),
    ("MU", "Mauritius"),
    ("MV", "Maldives"),
    ("MW", "Malawi"),
    ("MX", "Mexico"),
    ("MY", "Malaysia"),
    ("MZ", "Mozambique"),
    ("NA", "Namibia"),
    ("NC", "New Caledonia"),
    ("NE", "Niger"),
    ("NF", "Norfolk Island"),
    ("NG", "Nigeria"),
    ("NI", "Nicaragua"),
    ("NL", "Netherlands"),
    ("NO", "Norway"),
    ("NP", "Nepal"),
    ("NR", "Nauru"),
    ("NU", "Niue"),
    ("NZ", "New Zealand"),
    ("OM", "Oman"),
    ("PA", "Panama"),
    ("PE", "Peru"),
    ("PF", "French Polynesia"),
    ("PG", "Papua New Guinea"),
    ("PH", "Philippines"),
    ("PK", "Pakistan"),
    ("PL", "Poland"),
    ("PM", "Saint Pierre and Miquelon"),
    ("PN", "Pitcairn"),
    ("PR", "Puerto Rico"),
    ("PS", "Palestine, State of"),
    ("PT", "Portugal"),
    ("PW", "Palau"),
    ("PY", "Paraguay"),
    ("QA", "Qatar"),
    ("RE", "Réunion"),
    ("RO", "Romania"),
    ("RS", "Serbia"),
    ("RU", "Russian Federation"),
    ("RW", "Rwanda"),
    ("SA", "Saudi Arabia"),
    ("SB", "Solomon Islands"),
    ("SC", "Seychelles"),
    ("SD", "Sudan"),
    ("SE", "Sweden"),
    ("SG", "Singapore"),
    ("SH", "Saint Helena, Ascension and Tristan da Cunha"),
    ("SI", "Slovenia"),
    ("SJ", "Svalbard and Jan Mayen"),
    ("SK", "Slovakia"),
    ("SL", "Sierra Leone"),
    ("SM", "San Marino"),
    ("SN", "Senegal"),
    ("SO", "Somalia"),
    ("SR", "Suriname"),
    ("SS", "South Sudan"),
    ("ST", "Sao Tome and Principe"),
    ("SV", "El Salvador"),
    ("SX", "Sint Maarten (Dutch part)"),
    ("SY", "Syrian Arab Republic"),
    ("SZ", "Eswatini"),
    ("TC", "Turks and Caicos Islands"),
    ("TD", "Chad"),
    ("TF", "French Southern Territories"),
    ("TG", "Togo"),
    ("TH", "Thailand"),
    ("TJ", "Tajikistan"),
    ("TK", "Tokelau"),
    ("TL", "Timor-Leste"),
    ("TM", "Turkmenistan"),
    ("TN", "Tunisia"),
    ("TO", "Tonga"),
    ("TR", "Türkiye"),
    ("TT", "Trinidad and Tobago"),
    ("TV", "Tuvalu"),
    ("TW", "Taiwan, Province of China"),
    ("TZ", "Tanzania, United Republic of"),
    ("UA", "Ukraine"),
    ("UG", "Uganda"),
    ("UM", "United States Minor Outlying Islands"),
    ("US", "United States of America"),
    ("UY", "Uruguay"),
    ("UZ", "Uzbekistan"),
    ("VA", "Holy See"),
    ("VC", "Saint Vincent and the Grenadines"),
    ("VE", "Venezuela, Bolivarian Republic of"),
    ("VG", "Virgin Islands (British)"),
    ("VI", "Virgin Islands (U.S.)"),
    ("VN", "Viet Nam"),
    ("VU", "Vanuatu"),
    ("WF", "Wallis and Futuna"),
    ("WS", "Samoa"),
    ("YE", "Yemen"),
    ("YT", "Mayotte"),
    ("ZA", "South Africa"),
    ("ZM", "Zambia"),
    ("ZW", "Zimbabwe"),
];

impl std::str::FromStr for CountryCode {
    type Err = Invalid;

    fn from_str(s: &str) -> Result<Self, Invalid> {
        CountryCode::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(s: &str) {
        let err = CountryCode::parse(s).expect_err(s);
        assert_eq!(err.code, "invalid_country", "{s:?}");
        assert!(!err.message.is_empty());
    }

    #[test]
    fn table_is_sorted_unique_and_complete() {
        assert_eq!(COUNTRIES.len(), 249);
        for pair in COUNTRIES.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{} before {}", pair[0].0, pair[1].0);
        }
        for (code, name) in COUNTRIES {
            assert_eq!(code.len(), 2);
            assert!(code.bytes().all(|b| b.is_ascii_uppercase()), "{code}");
            assert!(!name.is_empty());
        }
    }

    #[test]
    fn every_table_entry_parses_and_round_trips() {
        for (code, name) in COUNTRIES {
            let c = CountryCode::parse(code).expect(code);
            assert_eq!(c.as_str(), code);
            assert_eq!(c.name(), name);
            assert_eq!(CountryCode::parse(&code.to_ascii_lowercase()), Ok(c));
        }
    }

    #[test]
    fn accepts_common_codes() {
        let de = CountryCode::parse("DE").expect("DE");
        assert_eq!(de.as_str(), "DE");
        assert_eq!(de.name(), "Germany");
        assert_eq!(de.to_string(), "DE");
        assert_eq!(
            CountryCode::parse("GB").expect("GB").name(),
            "United Kingdom of Great Britain and Northern Ireland"
        );
        assert_eq!(CountryCode::parse("NG").expect("NG").name(), "Nigeria");
        assert_eq!(
            CountryCode::parse("US").expect("US").name(),
            "United States of America"
        );
        // First and last entries exercise the binary-search bounds.
        assert_eq!(CountryCode::parse("AD").expect("AD").name(), "Andorra");
        assert_eq!(CountryCode::parse("ZW").expect("ZW").name(), "Zimbabwe");
    }

    #[test]
    fn trims_and_normalizes_case() {
        assert_eq!(CountryCode::parse("  de\t").expect("de").as_str(), "DE");
        assert_eq!(CountryCode::parse("Ng").expect("Ng").as_str(), "NG");
        assert_eq!(CountryCode::parse("\u{a0}fr\n").expect("fr").as_str(), "FR");
    }

    #[test]
    fn refuses_unassigned_and_reserved_codes() {
        for s in [
            "XX", "UK", "uk", "EU", "AA", "ZZ", "QZ", "XK", "AN", "YU", "CS",
        ] {
            refused(s);
        }
    }

    #[test]
    fn unassigned_message_points_to_gb() {
        let err = CountryCode::parse("UK").expect_err("UK");
        assert!(err.message.contains("GB"));
    }

    #[test]
    fn refuses_wrong_shapes() {
        for s in [
            "", "   ", "D", "DEU", "GBR", "USA", "12", "D1", "1D", "D-", "D E", "de ,", "-DE",
        ] {
            refused(s);
        }
    }

    #[test]
    fn refuses_unicode_lookalikes() {
        // Fullwidth letters, Cyrillic "ДЕ", accented letters and an emoji flag.
        for s in ["ＤＥ", "ДЕ", "DÉ", "É", "🇩🇪"] {
            refused(s);
        }
    }

    #[test]
    fn error_does_not_echo_input() {
        let err = CountryCode::parse("QQ").expect_err("QQ");
        assert!(!err.message.contains("QQ"));
    }

    #[test]
    fn usable_as_hash_key() {
        let mut set = std::collections::HashSet::new();
        set.insert(CountryCode::parse("de").expect("de"));
        set.insert(CountryCode::parse("DE").expect("DE"));
        assert_eq!(set.len(), 1);
    }
}
