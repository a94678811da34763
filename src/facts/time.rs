//! Dates and durations as rules see them: a date is a day (midnight UTC), a
//! duration a whole number of seconds. Both serialize as the language writes
//! them (`2026-01-31`, `90d`), so facts files and reports read naturally.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub const SECS_PER_DAY: i64 = 86_400;

/// A calendar day, as seconds since 1970-01-01 at midnight UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub i64);

/// A span of time in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration(pub i64);

impl Date {
    /// Parse `YYYY-MM-DD`; a date-time (`2025-01-10T12:00:00Z`) keeps its day.
    pub fn parse(text: &str) -> Result<Date, String> {
        let day = text.get(..10).filter(|_| text.len() == 10 || text.as_bytes().get(10) == Some(&b'T')).unwrap_or(text);
        let bytes = day.as_bytes();
        let shape_ok = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes.iter().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shape_ok {
            return Err("expected YYYY-MM-DD".to_string());
        }
        let date: jiff::civil::Date = day.parse().map_err(|e: jiff::Error| no_such_day(&e))?;
        Ok(Date::from_civil(date))
    }

    pub fn from_civil(date: jiff::civil::Date) -> Date {
        let days = date.since(jiff::civil::date(1970, 1, 1)).map(|span| span.get_days()).unwrap_or(0);
        Date(i64::from(days) * SECS_PER_DAY)
    }

    /// Today, from the system clock.
    pub fn today() -> Date {
        let secs = jiff::Timestamp::now().as_second();
        Date(secs - secs.rem_euclid(SECS_PER_DAY))
    }

    /// Seconds since the epoch of a Unix timestamp, cut to its day.
    pub fn from_unix(secs: i64) -> Date {
        Date(secs - secs.rem_euclid(SECS_PER_DAY))
    }

    fn civil(self) -> Option<jiff::civil::Date> {
        // Counted in days: a timestamp cannot reach 9999-12-31.
        let days = self.0.div_euclid(SECS_PER_DAY);
        jiff::civil::date(1970, 1, 1).checked_add(jiff::Span::new().try_days(days).ok()?).ok()
    }
}

fn no_such_day(e: &jiff::Error) -> String {
    let text = e.to_string();
    if text.contains("month") {
        "no such month".to_string()
    } else if text.contains("day") {
        "no such day in that month".to_string()
    } else {
        "not a calendar date".to_string()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.civil() {
            Some(d) => write!(f, "{d}"),
            None => write!(f, "@{}", self.0),
        }
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s).map_err(|e| serde::de::Error::custom(format!("bad date `{s}`: {e}")))
    }
}

impl Duration {
    /// Parse `90d`, `12h`, `1d12h`; units are w, d, h, m, s.
    pub fn parse(text: &str) -> Result<Duration, String> {
        let mut total: i64 = 0;
        let mut rest = text;
        if rest.is_empty() {
            return Err("empty duration".to_string());
        }
        while !rest.is_empty() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err("expected a number before the unit".to_string());
            }
            let (number, after) = rest.split_at(digits);
            let unit_len = after.bytes().take_while(u8::is_ascii_alphabetic).count();
            let (unit, after) = after.split_at(unit_len);
            let scale = match unit {
                "w" => 7 * SECS_PER_DAY,
                "d" => SECS_PER_DAY,
                "h" => 3600,
                "m" => 60,
                "s" => 1,
                "" => return Err("a unit is missing".to_string()),
                other => return Err(format!("`{other}` is not a unit")),
            };
            let n: i64 = number.parse().map_err(|_| "number too large".to_string())?;
            total = n
                .checked_mul(scale)
                .and_then(|v| total.checked_add(v))
                .ok_or_else(|| "duration too large".to_string())?;
            rest = after;
        }
        Ok(Duration(total))
    }

    pub fn days(self) -> i64 {
        self.0.div_euclid(SECS_PER_DAY)
    }
}

impl fmt::Display for Duration {
    /// Whole days when the duration is whole days, else the largest units.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        if s < 0 {
            return write!(f, "-{}", Duration(-s));
        }
        if s % SECS_PER_DAY == 0 {
            return write!(f, "{}d", s / SECS_PER_DAY);
        }
        let (d, h, m, sec) = (s / SECS_PER_DAY, s % SECS_PER_DAY / 3600, s % 3600 / 60, s % 60);
        let mut out = String::new();
        for (v, u) in [(d, "d"), (h, "h"), (m, "m"), (sec, "s")] {
            if v > 0 {
                out.push_str(&format!("{v}{u}"));
            }
        }
        f.write_str(&out)
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Duration::parse(&s).map_err(|e| serde::de::Error::custom(format!("bad duration `{s}`: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        let d = Date::parse("2026-01-31").unwrap_or(Date(0));
        assert_eq!(d.to_string(), "2026-01-31");
        assert_eq!(Date::parse("1970-01-02"), Ok(Date(SECS_PER_DAY)));
        assert_eq!(Date::parse("2025-01-10T08:00:00Z").map(|d| d.to_string()), Ok("2025-01-10".to_string()));
    }

    #[test]
    fn bad_dates_say_why() {
        assert_eq!(Date::parse("2026-13-01"), Err("no such month".to_string()));
        assert_eq!(Date::parse("2026-02-30"), Err("no such day in that month".to_string()));
        assert_eq!(Date::parse("2026-1-31"), Err("expected YYYY-MM-DD".to_string()));
    }

    #[test]
    fn durations_parse_and_print() {
        assert_eq!(Duration::parse("90d"), Ok(Duration(90 * SECS_PER_DAY)));
        assert_eq!(Duration::parse("1d12h"), Ok(Duration(36 * 3600)));
        assert_eq!(Duration::parse("2w"), Ok(Duration(14 * SECS_PER_DAY)));
        assert_eq!(Duration(36 * 3600).to_string(), "1d12h");
        assert_eq!(Duration(90 * SECS_PER_DAY).to_string(), "90d");
        assert_eq!(Duration::parse("90x"), Err("`x` is not a unit".to_string()));
        assert_eq!(Duration::parse("90days"), Err("`days` is not a unit".to_string()));
    }
}
