//! Dates as blogs write them: TOML datetimes, RFC 3339, `YYYY-MM-DD`, Jekyll's
//! `YYYY-MM-DD HH:MM:SS +ZZZZ`, and the date prefix of `YYYY-MM-DD-slug.md` file names.
//! Dates without an offset are taken as UTC so builds do not depend on the machine's `TZ`.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use std::fmt;

pub type Date = DateTime<FixedOffset>;

/// The years a date may have. Feeds carry dates as RFC 3339 (four-digit years, no sign) and
/// RFC 2822 (chrono panics writing other years); year 0 is left out as no post is written in
/// it, and a `0000` is a placeholder more often than not.
pub const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

/// What [`YEARS`] means, for messages.
pub const YEARS_ACCEPTED: &str =
    "years run from 0001 to 9999, written with four digits and no sign";

/// Whether a date's year is in [`YEARS`], so it can be written in every format Quire writes
/// (feeds, sitemap, pages).
pub fn representable(d: &Date) -> bool {
    YEARS.contains(&d.year())
}

/// Parse a date or datetime written by hand.
pub fn parse_date(input: &str) -> Result<Date, String> {
    let s = input.trim();
    // chrono's `%Y` takes a sign and any number of digits (`+10000`, `-0001`): refuse such
    // years before they reach a feed, where they cannot be written.
    let out_of_range = || {
        let shown = s.split(['T', ' ']).next().unwrap_or(s);
        format!("`{shown}` is not a year Quire accepts: {YEARS_ACCEPTED}, like 2024-05-01")
    };
    if odd_year(s) {
        return Err(out_of_range());
    }
    let d = parse_any(s, input)?;
    if !representable(&d) {
        return Err(out_of_range());
    }
    Ok(d)
}

/// Whether `s` starts with a year that has a sign or other than four digits, then `-MM-DD`
/// (`+10000-01-01`, `-0001-01-01`, `+2024-01-01`, `999-01-01`).
pub fn odd_year(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    let n = digits.bytes().take_while(u8::is_ascii_digit).count();
    let signed = digits.len() != s.len();
    (signed || n != 4)
        && n >= 1
        && digits
            .get(n..n + 6)
            .is_some_and(|md| date_shaped(&format!("0000{md}")))
}

/// The date at the start of a file stem when it is followed by the end, `-` or `_` but its
/// year is signed, longer than four digits or 0000 (`-0001-01-01-x`, `10000-01-01`,
/// `0000-01-01-x`). Shorter years (`12-01-01-x`) stay part of the slug, as they always were.
pub fn bad_year_prefix(stem: &str) -> Option<&str> {
    let digits = stem.strip_prefix(['+', '-']).unwrap_or(stem);
    let n = digits.bytes().take_while(u8::is_ascii_digit).count();
    let signed = digits.len() != stem.len();
    let end = stem.len() - digits.len() + n + 6;
    let prefix = stem.get(..end)?;
    let bad = (odd_year(prefix) && (signed || n > 4))
        || (n == 4 && prefix.starts_with("0000") && date_shaped(prefix));
    let ends = matches!(stem.as_bytes().get(end), None | Some(b'-' | b'_'));
    (bad && ends).then_some(prefix)
}

fn parse_any(s: &str, input: &str) -> Result<Date, String> {
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Ok(d);
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%d %H:%M:%S%.f %z",
        "%Y-%m-%d %H:%M %z",
        "%Y-%m-%d %H:%M:%S%:z",
        "%Y-%m-%dT%H:%M:%S%.f%:z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(s, fmt) {
            return Ok(d);
        }
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, fmt) {
            return Ok(utc(d));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(utc(d.and_hms_opt(0, 0, 0).expect("midnight exists")));
    }
    // Jekyll's day with an offset and no time (`2018-12-21 +0800`): midnight there.
    if let Some((day, offset)) = s.split_once(' ')
        && let Ok(d) = NaiveDate::parse_from_str(day, "%Y-%m-%d")
        && let Ok(at) = DateTime::parse_from_str(
            &format!("{day} 00:00:00 {}", offset.trim()),
            "%Y-%m-%d %H:%M:%S %z",
        )
        && d == at.date_naive()
    {
        return Ok(at);
    }
    if date_shaped(s) && NaiveDate::parse_from_str(&s[..10], "%Y-%m-%d").is_ok() {
        return Err(format!(
            "`{s}` is not a date form Quire reads: write it like 2024-05-01, \
             2024-05-01 09:30:00 +0200 or 2024-05-01T09:30:00+02:00"
        ));
    }
    if date_shaped(s) {
        return Err(format!(
            "`{}` is not a day of the calendar: expected a date like 2024-05-01 or \
             2024-05-01T09:30:00+02:00",
            &s[..10]
        ));
    }
    Err(format!(
        "expected a date like 2024-05-01 or 2024-05-01T09:30:00+02:00, found `{input}`"
    ))
}

/// Whether `s` starts with `YYYY-MM-DD` digits, a real date or not (`2023-02-30`), so an
/// impossible date can be called one rather than "not a date".
pub fn date_shaped(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..10].iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

fn utc(d: NaiveDateTime) -> Date {
    Utc.from_utc_datetime(&d).fixed_offset()
}

/// Split a `YYYY-MM-DD-rest` file stem into its date and the rest. Only four-digit years in
/// [`YEARS`] count.
pub fn split_date_prefix(stem: &str) -> Option<(Date, &str)> {
    let prefix = stem.get(..10)?;
    if !date_shaped(prefix) {
        return None;
    }
    let rest = stem.get(10..)?;
    let rest = match rest.strip_prefix(['-', '_']) {
        Some(r) => r,
        None if rest.is_empty() => rest,
        None => return None,
    };
    let date = NaiveDate::parse_from_str(prefix, "%Y-%m-%d").ok()?;
    let date = utc(date.and_hms_opt(0, 0, 0)?);
    representable(&date).then_some((date, rest))
}

/// The date a URL path starts with, `2014/12/12/...` (with or without the leading slash), as
/// Zola and Jekyll blogs write dated paths.
pub fn from_url_path(path: &str) -> Option<Date> {
    let parts: Vec<&str> = path.trim().trim_matches('/').split('/').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    // The first `YYYY/MM/DD` run, after any section prefix (`inside-rust/2020/03/28/x`).
    parts.windows(3).find_map(|w| {
        let (y, m, d) = (w[0], w[1], w[2]);
        if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
            return None;
        }
        let date = NaiveDate::parse_from_str(&format!("{y}-{m}-{d}"), "%Y-%m-%d").ok()?;
        let date = utc(date.and_hms_opt(0, 0, 0)?);
        representable(&date).then_some(date)
    })
}

/// A front matter date: a string in any accepted form, or a native TOML datetime.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DateValue(pub Date);

impl<'de> de::Deserialize<'de> for DateValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = DateValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date like 2024-05-01")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<DateValue, E> {
                parse_date(s).map(DateValue).map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<DateValue, A::Error> {
                // TOML datetimes arrive as a one-entry map; let the toml crate decode it.
                let dt =
                    toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))?;
                if dt.date.is_none() {
                    return Err(de::Error::custom(format!(
                        "expected a date, found the time `{dt}` alone"
                    )));
                }
                parse_date(&dt.to_string())
                    .map(DateValue)
                    .map_err(de::Error::custom)
            }
        }
        deserializer.deserialize_any(V)
    }
}

use serde::Deserialize as _;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_from_url_paths() {
        let d = from_url_path("2014/12/12/1.0-Timeline").unwrap();
        assert_eq!(d.to_rfc3339(), "2014-12-12T00:00:00+00:00");
        assert!(from_url_path("/2014/12/12/").is_some());
        assert!(from_url_path("2014/13/12/x").is_none());
        assert!(from_url_path("2014/2/12/x").is_none());
        // After a section prefix too (Zola's `path = "inside-rust/2020/03/28/x"`).
        assert_eq!(
            from_url_path("inside-rust/2020/03/28/traits").map(|d| d.to_rfc3339()),
            Some("2020-03-28T00:00:00+00:00".to_string())
        );
        assert!(from_url_path("posts/2014/1/12").is_none());
        assert!(from_url_path("2014/12").is_none());
    }

    fn iso(s: &str) -> String {
        parse_date(s).unwrap().to_rfc3339()
    }

    #[test]
    fn accepts_the_forms_blogs_use() {
        let cases = [
            ("2024-05-01", "2024-05-01T00:00:00+00:00"),
            ("2024-05-01T09:30:00Z", "2024-05-01T09:30:00+00:00"),
            ("2024-05-01T09:30:00+02:00", "2024-05-01T09:30:00+02:00"),
            ("2024-05-01 09:30:00 +0200", "2024-05-01T09:30:00+02:00"),
            // Jekyll: a day with an offset and no time.
            ("2018-12-21 +0800", "2018-12-21T00:00:00+08:00"),
            ("2024-05-01 09:30:00 -0500", "2024-05-01T09:30:00-05:00"),
            ("2024-05-01 09:30 +0000", "2024-05-01T09:30:00+00:00"),
            ("2024-05-01T09:30:00", "2024-05-01T09:30:00+00:00"),
            ("2024-05-01 09:30:00", "2024-05-01T09:30:00+00:00"),
            (" 2024-05-01 ", "2024-05-01T00:00:00+00:00"),
        ];
        for (input, want) in cases {
            assert_eq!(iso(input), want, "{input}");
        }
    }

    #[test]
    fn rejects_impossible_and_informal_dates() {
        for bad in ["2024-02-30", "May 1", "2024-13-01", "", "20240501"] {
            let err = parse_date(bad).unwrap_err();
            assert!(err.contains("expected a date"), "{bad}: {err}");
        }
        let err = parse_date("2023-02-30").unwrap_err();
        assert!(
            err.starts_with("`2023-02-30` is not a day of the calendar"),
            "{err}"
        );
    }

    #[test]
    fn years_outside_0001_to_9999_are_refused_in_every_form() {
        for bad in [
            "+10000-01-01",
            "-0001-01-01",
            "10000-01-01",
            "+2024-05-01",
            "999-01-01",
            "0000-01-01",
            "0000-12-31T23:00:00Z",
            "-0001-01-01T10:00:00+01:00",
            "+10000-01-01 10:00:00 +0000",
            "+10000-01-01T00:00:00",
        ] {
            let err = parse_date(bad).unwrap_err();
            assert!(err.contains("not a year Quire accepts"), "{bad}: {err}");
            assert!(err.contains("0001 to 9999"), "{bad}: {err}");
        }
        for good in [
            "0001-01-01",
            "0001-01-01T00:00:00+01:00",
            "9999-12-31",
            "9999-12-31T23:59:59-05:00",
        ] {
            let d = parse_date(good).unwrap();
            assert!(representable(&d), "{good}");
            // The formats the feeds write, which panic or go wrong outside these years.
            assert!(d.to_rfc2822().len() > 20, "{good}");
            assert_eq!(&d.to_rfc3339()[..4], &good[..4], "{good}");
        }
    }

    #[test]
    fn file_name_prefixes_with_other_years() {
        for stem in [
            "-0001-01-01-x",
            "+1000-01-01-x",
            "10000-01-01",
            "0000-01-01_x",
            "-001-01-01-x",
        ] {
            assert!(split_date_prefix(stem).is_none(), "{stem}");
            assert!(bad_year_prefix(stem).is_some(), "{stem}");
        }
        assert_eq!(bad_year_prefix("+10000-01-01-x"), Some("+10000-01-01"));
        // Short years and other digits stay part of the slug; good years are dates.
        for stem in [
            "12-01-01-x",
            "2023-11-02-x",
            "10000-01-01x",
            "market-day",
            "-x",
        ] {
            assert!(bad_year_prefix(stem).is_none(), "{stem}");
        }
        assert_eq!(
            split_date_prefix("0001-01-01-x").unwrap().0.to_rfc3339(),
            "0001-01-01T00:00:00+00:00"
        );
    }

    #[test]
    fn file_name_prefix() {
        let (d, rest) = split_date_prefix("2023-11-02-market-day").unwrap();
        assert_eq!(d.to_rfc3339(), "2023-11-02T00:00:00+00:00");
        assert_eq!(rest, "market-day");
        assert!(split_date_prefix("market-day").is_none());
        assert!(split_date_prefix("2023-13-02-x").is_none());
        assert!(split_date_prefix("2023-11-02x").is_none());
        assert_eq!(split_date_prefix("2023-11-02").unwrap().1, "");
    }

    #[test]
    fn toml_datetimes_deserialize() {
        #[derive(serde::Deserialize)]
        struct T {
            a: DateValue,
            b: DateValue,
            c: DateValue,
        }
        let t: T = toml::from_str(
            "a = 2024-05-01\nb = 2024-05-01T10:00:00+01:00\nc = \"2024-05-01 10:00:00 +0100\"",
        )
        .unwrap();
        assert_eq!(t.a.0.to_rfc3339(), "2024-05-01T00:00:00+00:00");
        assert_eq!(t.b.0, t.c.0);
        let err = toml::from_str::<T>("a = 42\nb = 2024-05-01\nc = 2024-05-01")
            .err()
            .unwrap();
        assert!(err.message().contains("a date like"), "{err}");
        let err = toml::from_str::<T>("a = 0000-01-01\nb = 2024-05-01\nc = 2024-05-01")
            .err()
            .unwrap();
        assert!(err.message().contains("not a year Quire accepts"), "{err}");
        assert_eq!(err.span(), Some(4..14));
    }
}
