//! Campaign settings that the rules depend on, each parsed once into a type that is always valid.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// A campaign setting that failed to parse.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SettingError {
    /// The time zone is not an IANA name such as `Asia/Shanghai`.
    #[error("unknown time zone `{0}` (use an IANA name such as Asia/Shanghai)")]
    UnknownTimeZone(String),
    /// The window length is outside 1..=14 days.
    #[error("a window must last between 1 and 14 days, not {0}")]
    WindowDays(i64),
    /// A slot's capacity is outside 1..=1000.
    #[error("a slot holds between 1 and 1000 candidates, not {0}")]
    Capacity(i64),
    /// A reschedule policy value is out of range.
    #[error("reschedule policy out of range: {0}")]
    Policy(&'static str),
}

/// The campaign's time zone: every day boundary and every time shown to a person is in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(chrono_tz::Tz);

impl TimeZone {
    /// The zone as chrono-tz knows it.
    pub fn tz(self) -> chrono_tz::Tz {
        self.0
    }

    /// The IANA name, e.g. `Asia/Shanghai`.
    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

impl FromStr for TimeZone {
    type Err = SettingError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim().parse::<chrono_tz::Tz>().map(TimeZone).map_err(|_| SettingError::UnknownTimeZone(s.to_string()))
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How many consecutive days an invitation's window lasts (3 by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowDays(u32);

impl WindowDays {
    /// The default window of the source articles: three days.
    pub const DEFAULT: WindowDays = WindowDays(3);

    /// Parses a day count, accepting 1..=14.
    pub fn new(days: i64) -> Result<Self, SettingError> {
        if (1..=14).contains(&days) {
            Ok(WindowDays(days as u32))
        } else {
            Err(SettingError::WindowDays(days))
        }
    }

    /// The number of days.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl Default for WindowDays {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// How many candidates a slot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capacity(u32);

impl Capacity {
    /// Parses a capacity, accepting 1..=1000.
    pub fn new(n: i64) -> Result<Self, SettingError> {
        if (1..=1000).contains(&n) {
            Ok(Capacity(n as u32))
        } else {
            Err(SettingError::Capacity(n))
        }
    }

    /// The number of places.
    pub fn get(self) -> u32 {
        self.0
    }

    /// Places left when `booked` are taken (never negative).
    pub fn places_left(self, booked: u32) -> u32 {
        self.0.saturating_sub(booked)
    }
}

/// When a candidate may still move a confirmed slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReschedulePolicy {
    /// How many times a confirmed slot may be changed.
    pub max_changes: u32,
    /// No change later than this many hours before the booked slot starts.
    pub cutoff_hours: u32,
}

impl ReschedulePolicy {
    /// Two changes, up to 12 hours before the start.
    pub const DEFAULT: ReschedulePolicy = ReschedulePolicy { max_changes: 2, cutoff_hours: 12 };

    /// Parses a policy: at most 10 changes, a cutoff of at most 7 days.
    pub fn new(max_changes: i64, cutoff_hours: i64) -> Result<Self, SettingError> {
        if !(0..=10).contains(&max_changes) {
            return Err(SettingError::Policy("at most 10 changes"));
        }
        if !(0..=168).contains(&cutoff_hours) {
            return Err(SettingError::Policy("a cutoff of at most 168 hours"));
        }
        Ok(ReschedulePolicy { max_changes: max_changes as u32, cutoff_hours: cutoff_hours as u32 })
    }
}

impl Default for ReschedulePolicy {
    fn default() -> Self {
        Self::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zone_parses_iana_names_only() {
        assert_eq!("Asia/Shanghai".parse::<TimeZone>().map(|t| t.name()), Ok("Asia/Shanghai"));
        assert!(matches!("Mars/Olympus".parse::<TimeZone>(), Err(SettingError::UnknownTimeZone(_))));
        assert!("".parse::<TimeZone>().is_err());
    }

    #[test]
    fn window_days_bounds() {
        assert!(WindowDays::new(0).is_err());
        assert_eq!(WindowDays::new(3).map(WindowDays::get), Ok(3));
        assert!(WindowDays::new(15).is_err());
    }

    #[test]
    fn capacity_bounds_and_places_left() {
        assert!(Capacity::new(0).is_err());
        assert!(Capacity::new(-1).is_err());
        let c = Capacity::new(5).expect("valid");
        assert_eq!(c.places_left(0), 5);
        assert_eq!(c.places_left(5), 0);
        assert_eq!(c.places_left(9), 0);
    }

    #[test]
    fn policy_bounds() {
        assert!(ReschedulePolicy::new(-1, 12).is_err());
        assert!(ReschedulePolicy::new(2, 200).is_err());
        assert_eq!(ReschedulePolicy::new(2, 12), Ok(ReschedulePolicy::DEFAULT));
    }
}
