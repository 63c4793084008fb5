//! UTC timestamps with one canonical text form, used in the database and in the audit hash.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, SecondsFormat, SubsecRound, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A UTC instant at microsecond precision. Its text form (`2026-11-22T08:15:00.123456Z`) has a fixed
/// width, so it sorts as text in the database and hashes the same on every machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid timestamp: expected RFC 3339, e.g. 2026-11-22T08:15:00Z")]
pub struct InvalidTimestamp;

impl Timestamp {
    pub fn now() -> Self {
        Self::from_datetime(Utc::now())
    }

    pub fn from_datetime(at: DateTime<Utc>) -> Self {
        Self(at.trunc_subsecs(6))
    }

    pub fn as_datetime(&self) -> DateTime<Utc> {
        self.0
    }

    pub fn plus(&self, duration: Duration) -> Self {
        Self::from_datetime(self.0 + duration)
    }

    /// The canonical text form: RFC 3339, six fractional digits, `Z`.
    pub fn canonical(&self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Micros, true)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

impl FromStr for Timestamp {
    type Err = InvalidTimestamp;

    /// Accepts any RFC 3339 instant (any offset) and converts it to UTC.
    fn from_str(s: &str) -> Result<Self, InvalidTimestamp> {
        DateTime::parse_from_rfc3339(s.trim())
            .map(|at| Self::from_datetime(at.with_timezone(&Utc)))
            .map_err(|_| InvalidTimestamp)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.canonical())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_form_has_fixed_width_and_z() {
        let t: Timestamp = "2026-11-22T08:15:00+02:00".parse().expect("valid");
        assert_eq!(t.canonical(), "2026-11-22T06:15:00.000000Z");
        let now = Timestamp::now().canonical();
        assert_eq!(now.len(), 27);
        assert!(now.ends_with('Z'));
    }

    #[test]
    fn canonical_form_round_trips() {
        let t = Timestamp::now();
        assert_eq!(t.canonical().parse::<Timestamp>(), Ok(t));
    }

    #[test]
    fn nanoseconds_are_truncated_to_micros() {
        let t: Timestamp = "2026-01-01T00:00:00.123456789Z".parse().expect("valid");
        assert_eq!(t.canonical(), "2026-01-01T00:00:00.123456Z");
    }

    #[test]
    fn garbage_is_refused() {
        assert_eq!("yesterday".parse::<Timestamp>(), Err(InvalidTimestamp));
        assert_eq!(
            "2026-13-01T00:00:00Z".parse::<Timestamp>(),
            Err(InvalidTimestamp)
        );
    }
}
