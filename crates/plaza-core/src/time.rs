//! Time as milliseconds since the Unix epoch, and the injected clock.

use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicI64, Ordering};

/// Milliseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// One day in milliseconds.
    pub const DAY_MS: i64 = 86_400_000;

    /// RFC 3339 in UTC with millisecond precision, e.g. `2026-11-23T20:14:37.000Z`.
    pub fn rfc3339(self) -> String {
        match jiff::Timestamp::from_millisecond(self.0) {
            Ok(ts) => ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            Err(_) => format!("@{}ms", self.0),
        }
    }

    /// A short human form in UTC, e.g. `2026-11-23 20:14 UTC`.
    pub fn human(self) -> String {
        match jiff::Timestamp::from_millisecond(self.0) {
            Ok(ts) => ts.strftime("%Y-%m-%d %H:%M UTC").to_string(),
            Err(_) => format!("@{}ms", self.0),
        }
    }

    /// The calendar date in UTC, `YYYY-MM-DD`.
    pub fn date(self) -> String {
        match jiff::Timestamp::from_millisecond(self.0) {
            Ok(ts) => ts.strftime("%Y-%m-%d").to_string(),
            Err(_) => format!("@{}ms", self.0),
        }
    }

    /// Parses RFC 3339 (`2026-11-23T20:14:37Z`) or a plain date (`2026-11-23`, midnight UTC).
    pub fn parse(text: &str) -> Option<Timestamp> {
        let text = text.trim();
        if let Ok(ts) = Timestamp::parse_rfc3339(text) {
            return Some(ts);
        }
        let date: jiff::civil::Date = text.parse().ok()?;
        let ts = date
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .ok()?
            .timestamp();
        Some(Timestamp(ts.as_millisecond()))
    }

    /// Parses an RFC 3339 time as platforms write it (`2026-11-20T17:05:00.000Z`, offsets
    /// allowed); the error says why not.
    pub fn parse_rfc3339(text: &str) -> Result<Timestamp, String> {
        text.parse::<jiff::Timestamp>()
            .map(|t| Timestamp(t.as_millisecond()))
            .map_err(|e| e.to_string())
    }

    /// This instant plus whole days.
    pub fn plus_days(self, days: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(days.saturating_mul(Self::DAY_MS)))
    }
}

/// Where "now" comes from. Production uses [`SystemClock`]; tests use [`FixedClock`].
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> Timestamp;
}

/// The operating system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        Timestamp(ms)
    }
}

/// A clock that only moves when told to. For tests and for deterministic demo data.
#[derive(Debug, Default)]
pub struct FixedClock(AtomicI64);

impl FixedClock {
    /// A clock standing at `at`.
    pub fn at(at: Timestamp) -> Self {
        FixedClock(AtomicI64::new(at.0))
    }
    /// Moves the clock to `at`.
    pub fn set(&self, at: Timestamp) {
        self.0.store(at.0, Ordering::SeqCst);
    }
    /// Moves the clock forward.
    pub fn advance_ms(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses() {
        let t = Timestamp::parse("2026-11-23T20:14:37Z").unwrap();
        assert_eq!(t.rfc3339(), "2026-11-23T20:14:37.000Z");
        assert_eq!(t.date(), "2026-11-23");
        assert_eq!(
            Timestamp::parse("2026-11-23").unwrap().rfc3339(),
            "2026-11-23T00:00:00.000Z"
        );
        assert_eq!(Timestamp::parse("yesterday"), None);
    }

    #[test]
    fn fixed_clock_moves_only_when_told() {
        let c = FixedClock::at(Timestamp(1000));
        assert_eq!(c.now(), Timestamp(1000));
        c.advance_ms(5);
        assert_eq!(c.now(), Timestamp(1005));
    }
}
