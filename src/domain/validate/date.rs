//! Calendar dates in ISO 8601 `YYYY-MM-DD` form.

use std::fmt;

use super::Invalid;

const CODE: &str = "invalid_date";

/// A calendar date written as ISO 8601 `YYYY-MM-DD` (exactly that form), real dates only (leap years right:
/// 2024-02-29 ok, 2023-02-29 refused, 1900-02-29 refused, 2000-02-29 ok), years 1000..=9999. code "invalid_date".
// Field order matters: the derived `Ord` compares year, then month, then day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoDate {
    year: u16,
    month: u8,
    day: u8,
}

impl IsoDate {
    /// Parses exactly `YYYY-MM-DD`. Surrounding whitespace is not trimmed:
    /// this is a wire format (e.g. from `<input type="date">`), not free text.
    pub fn parse(s: &str) -> Result<IsoDate, Invalid> {
        let b = s.as_bytes();
        let shape_ok = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shape_ok {
            return Err(Invalid::new(
                CODE,
                "Date must be written as YYYY-MM-DD, e.g. 1990-07-15",
            ));
        }
        let year = b[0..4]
            .iter()
            .fold(0u16, |acc, &c| acc * 10 + u16::from(digit(c)));
        let month = digit(b[5]) * 10 + digit(b[6]);
        let day = digit(b[8]) * 10 + digit(b[9]);
        IsoDate::new(year, month, day)
    }

    pub fn new(year: u16, month: u8, day: u8) -> Result<IsoDate, Invalid> {
        if !(1000..=9999).contains(&year) {
            return Err(Invalid::new(CODE, "Year must be between 1000 and 9999"));
        }
        if !(1..=12).contains(&month) {
            return Err(Invalid::new(CODE, "Month must be between 01 and 12"));
        }
        let last = days_in_month(year, month);
        if day < 1 || day > last {
            return Err(Invalid::new(
                CODE,
                format!("Day must be between 01 and {last:02} for that month"),
            ));
        }
        Ok(IsoDate { year, month, day })
    }

    pub fn year(&self) -> u16 {
        self.year
    }

    pub fn month(&self) -> u8 {
        self.month
    }

    pub fn day(&self) -> u8 {
        self.day
    }

    /// Whole years between self (a birth date) and `on`, e.g. for the underage check.
    /// Someone born on 29 February turns a year older on 1 March in non-leap years.
    pub fn age_on(&self, on: IsoDate) -> u32 {
        if on < *self {
            return 0;
        }
        let years = u32::from(on.year - self.year);
        if (on.month, on.day) < (self.month, self.day) {
            years - 1
        } else {
            years
        }
    }
}

impl fmt::Display for IsoDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Value of an ASCII digit the caller has already checked.
fn digit(c: u8) -> u8 {
    c - b'0'
}

fn is_leap_year(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> IsoDate {
        IsoDate::parse(s).expect(s)
    }

    fn refused(s: &str) {
        let err = IsoDate::parse(s).expect_err(s);
        assert_eq!(err.code, "invalid_date", "{s:?}");
    }

    fn d(y: u16, m: u8, day: u8) -> IsoDate {
        IsoDate::new(y, m, day).expect("valid test date")
    }

    #[test]
    fn parses_and_exposes_fields() {
        let date = ok("1990-07-15");
        assert_eq!((date.year(), date.month(), date.day()), (1990, 7, 15));
        assert_eq!(date.to_string(), "1990-07-15");
    }

    #[test]
    fn display_round_trips_with_padding() {
        for s in ["1000-01-01", "9999-12-31", "2024-02-29", "2005-10-09"] {
            assert_eq!(ok(s).to_string(), s);
        }
        assert_eq!(d(1001, 2, 3).to_string(), "1001-02-03");
    }

    #[test]
    fn leap_years() {
        ok("2024-02-29");
        ok("2000-02-29");
        ok("1600-02-29");
        refused("2023-02-29");
        refused("1900-02-29");
        refused("2100-02-29");
        ok("2023-02-28");
        refused("2024-02-30");
    }

    #[test]
    fn month_lengths() {
        for m in ["01", "03", "05", "07", "08", "10", "12"] {
            ok(&format!("2023-{m}-31"));
            refused(&format!("2023-{m}-32"));
        }
        for m in ["04", "06", "09", "11"] {
            ok(&format!("2023-{m}-30"));
            refused(&format!("2023-{m}-31"));
        }
    }

    #[test]
    fn refuses_out_of_range_parts() {
        refused("2023-00-10");
        refused("2023-13-10");
        refused("2023-01-00");
        refused("0999-12-31");
        refused("0000-01-01");
        ok("1000-01-01");
        ok("9999-12-31");
    }

    #[test]
    fn refuses_other_shapes() {
        for s in [
            "",
            " ",
            "2023-1-05",
            "2023-01-5",
            "23-01-05",
            "20230105",
            "2023/01/05",
            "2023.01.05",
            "05-01-2023",
            "2023-01-05T00:00:00",
            "2023-01-05Z",
            " 2023-01-05",
            "2023-01-05 ",
            "+2023-01-05",
            "-023-01-05",
            "2023-01--5",
            "2023-0a-05",
            "12023-01-05",
        ] {
            refused(s);
        }
    }

    #[test]
    fn refuses_unicode_digits_and_dashes() {
        refused("２０２３-０１-０５"); // fullwidth digits
        refused("٢٠٢٣-٠١-٠٥"); // Arabic-Indic digits
        refused("2023–01–05"); // en dashes
        refused("2023-01-0é");
    }

    #[test]
    fn new_validates_like_parse() {
        assert!(IsoDate::new(2024, 2, 29).is_ok());
        assert!(IsoDate::new(2023, 2, 29).is_err());
        assert!(IsoDate::new(999, 1, 1).is_err());
        assert!(IsoDate::new(10000, 1, 1).is_err());
        assert!(IsoDate::new(2023, 0, 1).is_err());
        assert!(IsoDate::new(2023, 13, 1).is_err());
        assert!(IsoDate::new(2023, 1, 0).is_err());
        assert_eq!(
            IsoDate::new(2023, 4, 31).expect_err("31 April").code,
            "invalid_date"
        );
    }

    #[test]
    fn ordering_is_chronological() {
        assert!(ok("2023-12-31") < ok("2024-01-01"));
        assert!(ok("2024-01-31") < ok("2024-02-01"));
        assert!(ok("2024-02-01") < ok("2024-02-02"));
        assert_eq!(ok("2024-02-02"), d(2024, 2, 2));
    }

    #[test]
    fn age_on_counts_whole_years() {
        let born = d(2000, 6, 15);
        assert_eq!(born.age_on(d(2018, 6, 14)), 17);
        assert_eq!(born.age_on(d(2018, 6, 15)), 18);
        assert_eq!(born.age_on(d(2018, 6, 16)), 18);
        assert_eq!(born.age_on(d(2018, 5, 31)), 17);
        assert_eq!(born.age_on(d(2018, 7, 1)), 18);
        assert_eq!(born.age_on(born), 0);
        assert_eq!(born.age_on(d(2001, 6, 14)), 0);
        assert_eq!(born.age_on(d(2001, 6, 15)), 1);
    }

    #[test]
    fn age_on_before_birth_is_zero() {
        let born = d(2000, 6, 15);
        assert_eq!(born.age_on(d(2000, 6, 14)), 0);
        assert_eq!(born.age_on(d(1990, 1, 1)), 0);
        assert_eq!(d(9999, 12, 31).age_on(d(1000, 1, 1)), 0);
    }

    #[test]
    fn age_on_leap_day_birthday() {
        let born = d(2004, 2, 29);
        assert_eq!(born.age_on(d(2022, 2, 28)), 17);
        assert_eq!(born.age_on(d(2022, 3, 1)), 18);
        assert_eq!(born.age_on(d(2024, 2, 29)), 20);
    }

    #[test]
    fn age_on_extremes() {
        assert_eq!(d(1000, 1, 1).age_on(d(9999, 12, 31)), 8999);
    }
}
