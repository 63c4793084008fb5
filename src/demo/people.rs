//! Fictional applicants from a fixed seed, so every demo database looks the same.

/// A small deterministic generator (SplitMix64): the demo must not depend on a random crate's stream.
pub struct DemoRng(u64);

impl DemoRng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const FIRST_NAMES: &[&str] = &[
    "Amara",
    "Bastian",
    "Chiara",
    "Dmitri",
    "Elif",
    "Farah",
    "Gustavo",
    "Hana",
    "Idris",
    "Jonas",
    "Kemi",
    "Lukas",
    "Mei",
    "Nikolai",
    "Oluwaseun",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tomasz",
    "Umaima",
    "Viktor",
    "Wanjiru",
    "Ximena",
    "Yusuf",
    "Zofia",
    "Aiko",
    "Bruno",
    "Chidi",
    "Daria",
];

const LAST_NAMES: &[&str] = &[
    "Adeyemi",
    "Bergstrom",
    "Castellano",
    "Dubois",
    "Eriksen",
    "Fontaine",
    "Gallagher",
    "Haddad",
    "Ivanova",
    "Jansen",
    "Kowalczyk",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quispe",
    "Rossi",
    "Schneider",
    "Tanaka",
    "Uzor",
    "Varga",
    "Whitmore",
    "Xu",
    "Yilmaz",
    "Zimmermann",
    "Okonkwo",
    "Alvarez",
    "Brennan",
    "Cardoso",
];

/// Countries with a mobile phone prefix for plausible E.164 numbers.
const COUNTRIES: &[(&str, &str)] = &[
    ("DE", "+4915"),
    ("FR", "+336"),
    ("NG", "+23480"),
    ("GB", "+447"),
    ("US", "+1415"),
    ("NL", "+316"),
    ("ES", "+346"),
    ("KE", "+2547"),
];

const CITIES: &[(&str, &str)] = &[
    ("DE", "Berlin"),
    ("FR", "Lyon"),
    ("NG", "Lagos"),
    ("GB", "Leeds"),
    ("US", "San Francisco"),
    ("NL", "Utrecht"),
    ("ES", "Valencia"),
    ("KE", "Nairobi"),
];

pub struct Person {
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: String,
    pub country: &'static str,
    pub city: &'static str,
    pub email: String,
    pub phone: String,
    pub street: String,
    pub postal_code: String,
}

impl Person {
    pub fn generate(rng: &mut DemoRng, index: usize) -> Person {
        let first_name = (*rng.pick(FIRST_NAMES)).to_owned();
        let last_name = (*rng.pick(LAST_NAMES)).to_owned();
        let (country, prefix) = *rng.pick(COUNTRIES);
        let city = CITIES
            .iter()
            .find(|(c, _)| *c == country)
            .map_or("Capital City", |(_, city)| *city);
        let year = 1950 + rng.below(55);
        let month = 1 + rng.below(12);
        let day = 1 + rng.below(28);
        Person {
            email: format!(
                "{}.{}{}@example.com",
                first_name.to_lowercase(),
                last_name.to_lowercase(),
                index
            ),
            phone: format!("{prefix}{:07}", rng.below(10_000_000)),
            street: format!("{} Demo Street", 1 + rng.below(200)),
            postal_code: format!("{:05}", 10_000 + rng.below(89_999)),
            date_of_birth: format!("{year:04}-{month:02}-{day:02}"),
            first_name,
            last_name,
            country,
            city,
        }
    }

    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_people() {
        let a = Person::generate(&mut DemoRng::new(7), 1);
        let b = Person::generate(&mut DemoRng::new(7), 1);
        assert_eq!(a.full_name(), b.full_name());
        assert_eq!(a.phone, b.phone);
    }

    #[test]
    fn generated_values_pass_the_domain_validators() {
        use crate::domain::validate::contact::{Email, PhoneNumber};
        use crate::domain::validate::date::IsoDate;
        let mut rng = DemoRng::new(42);
        for index in 0..200 {
            let person = Person::generate(&mut rng, index);
            assert!(Email::parse(&person.email).is_ok(), "{}", person.email);
            assert!(
                PhoneNumber::parse(&person.phone).is_ok(),
                "{}",
                person.phone
            );
            assert!(
                IsoDate::parse(&person.date_of_birth).is_ok(),
                "{}",
                person.date_of_birth
            );
        }
    }
}
