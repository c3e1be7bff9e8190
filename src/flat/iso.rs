//! ISO 8601 dates, times, date-times and durations as FLAT values carry them, and the openEHR
//! date/time patterns (`yyyy-mm-ddTHH:??:XX`) web templates put in `validation.pattern`.

/// Which components a date/time value has: year, month, day, hour, minute, second.
pub type Parts = [bool; 6];

fn num(s: &str, len: usize) -> Option<(u32, &str)> {
    let head = s.get(..len)?;
    if !head.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((head.parse().ok()?, &s[len..]))
}

fn days_in(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `YYYY`, `YYYY-MM`, `YYYY-MM-DD` (or basic `YYYYMMDD`); returns the parts and the rest.
fn date(s: &str) -> Option<(Parts, &str)> {
    let (y, rest) = num(s, 4)?;
    let mut parts = [true, false, false, false, false, false];
    let extended = rest.starts_with('-');
    let rest2 = rest.strip_prefix('-').unwrap_or(rest);
    let Some((m, rest3)) = num(rest2, 2) else {
        return if extended { None } else { Some((parts, rest)) };
    };
    if !(1..=12).contains(&m) {
        return None;
    }
    parts[1] = true;
    let rest4 = if extended {
        match rest3.strip_prefix('-') {
            Some(r) => r,
            None => return Some((parts, rest3)),
        }
    } else {
        rest3
    };
    let Some((d, rest5)) = num(rest4, 2) else {
        return if extended { None } else { Some((parts, rest3)) };
    };
    if d == 0 || d > days_in(y, m) {
        return None;
    }
    parts[2] = true;
    Some((parts, rest5))
}

/// `hh`, `hh:mm`, `hh:mm:ss[.f]` (or basic forms) with an optional `Z` / `±hh[:mm]` zone.
fn time(s: &str, parts: &mut Parts) -> Option<()> {
    let (h, mut rest) = num(s, 2)?;
    parts[3] = true;
    if let Some((m, r)) = rest.strip_prefix(':').and_then(|r| num(r, 2)).or_else(|| num(rest, 2)) {
        let extended = rest.starts_with(':');
        if m > 59 {
            return None;
        }
        parts[4] = true;
        rest = r;
        let sec = if extended { rest.strip_prefix(':').and_then(|r| num(r, 2)) } else { num(rest, 2) };
        if let Some((sec, r)) = sec {
            if sec > 60 {
                return None;
            }
            parts[5] = true;
            rest = r;
            if let Some(f) = rest.strip_prefix('.').or_else(|| rest.strip_prefix(',')) {
                let n = f.bytes().take_while(u8::is_ascii_digit).count();
                if n == 0 {
                    return None;
                }
                rest = &f[n..];
            }
        }
    }
    if h > 24 || (h == 24 && parts[4..].iter().any(|p| *p) && !s.starts_with("24:00:00")) {
        return None;
    }
    zone(rest)
}

fn zone(s: &str) -> Option<()> {
    if s.is_empty() || s == "Z" {
        return Some(());
    }
    let r = s.strip_prefix('+').or_else(|| s.strip_prefix('-'))?;
    let (h, r) = num(r, 2)?;
    let r = r.strip_prefix(':').unwrap_or(r);
    let (m, r) = if r.is_empty() { (0, r) } else { num(r, 2)? };
    (h <= 14 && m <= 59 && r.is_empty()).then_some(())
}

/// An ISO 8601 date (possibly partial).
pub fn parse_date(s: &str) -> Option<Parts> {
    let (parts, rest) = date(s)?;
    rest.is_empty().then_some(parts)
}

/// An ISO 8601 time of day (possibly partial, optional zone).
pub fn parse_time(s: &str) -> Option<Parts> {
    let mut parts = [false; 6];
    time(s, &mut parts)?;
    Some(parts)
}

/// An ISO 8601 date-time; a date alone is a partial date-time, as openEHR allows.
pub fn parse_date_time(s: &str) -> Option<Parts> {
    let (mut parts, rest) = date(s)?;
    if rest.is_empty() {
        return Some(parts);
    }
    let t = rest.strip_prefix('T')?;
    if !parts[2] {
        return None;
    }
    time(t, &mut parts)?;
    Some(parts)
}

/// The fields of an ISO 8601 duration: years, months, weeks, days, hours, minutes, seconds.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Duration {
    pub fields: [Option<f64>; 7],
}

/// Field names in the order of [`Duration::fields`], as web template input suffixes.
pub const DURATION_FIELDS: [&str; 7] = ["year", "month", "week", "day", "hour", "minute", "second"];

/// `[-]P[nY][nM][nW][nD][T[nH][nM][n[.n]S]]` with at least one field.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.strip_prefix('-').unwrap_or(s);
    let mut rest = s.strip_prefix('P')?;
    let mut d = Duration::default();
    let mut in_time = false;
    let mut any = false;
    let mut last = 0usize;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('T') {
            if in_time {
                return None;
            }
            in_time = true;
            rest = r;
            if rest.is_empty() {
                return None;
            }
            continue;
        }
        let n = rest.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.' || *b == b',').count();
        if n == 0 {
            return None;
        }
        let value: f64 = rest[..n].replace(',', ".").parse().ok()?;
        let unit = rest.as_bytes().get(n).copied()?;
        let slot = match (in_time, unit) {
            (false, b'Y') => 0,
            (false, b'M') => 1,
            (false, b'W') => 2,
            (false, b'D') => 3,
            (true, b'H') => 4,
            (true, b'M') => 5,
            (true, b'S') => 6,
            _ => return None,
        };
        if slot < last || d.fields[slot].is_some() {
            return None;
        }
        last = slot;
        d.fields[slot] = Some(value);
        any = true;
        rest = &rest[n + 1..];
    }
    any.then_some(d)
}

/// Checks a value's parts against an openEHR date/time pattern; returns the first offending
/// component's name. Letters require a component, `??` allow it, `XX` forbid it.
pub fn pattern_violation(pattern: &str, parts: &Parts) -> Option<&'static str> {
    const NAMES: [&str; 6] = ["year", "month", "day", "hour", "minute", "second"];
    let start = if pattern.starts_with(['y', 'Y']) { 0 } else { 3 };
    let groups = pattern.split(['-', 'T', ':']).filter(|g| !g.is_empty());
    for (i, g) in groups.enumerate() {
        let slot = start + i;
        if slot >= 6 {
            break;
        }
        let present = parts[slot];
        if g.contains('?') {
            continue;
        }
        if g.eq_ignore_ascii_case("xx") {
            if present {
                return Some(NAMES[slot]);
            }
        } else if !present {
            return Some(NAMES[slot]);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times() {
        assert_eq!(parse_date_time("2021-03-21T21:19:49.293785+01:00"), Some([true; 6]));
        assert_eq!(parse_date_time("2022-03-21T14:32:36.282Z"), Some([true; 6]));
        assert_eq!(parse_date_time("2022-02-03T04:05:06"), Some([true; 6]));
        assert_eq!(parse_date_time("2022-02"), Some([true, true, false, false, false, false]));
        assert_eq!(parse_date_time("2022-02-30"), None);
        assert_eq!(parse_date_time("2022-02-03T25:00"), None);
        assert_eq!(parse_date_time("yesterday"), None);
        assert_eq!(parse_date("2020-02-29"), Some([true, true, true, false, false, false]));
        assert_eq!(parse_date("2021-02-29"), None);
        assert_eq!(parse_time("10:30"), Some([false, false, false, true, true, false]));
        assert_eq!(parse_time("10:61"), None);
    }

    #[test]
    fn durations() {
        let d = parse_duration("P1Y2M3DT4H5M6.5S").unwrap();
        assert_eq!(d.fields, [Some(1.0), Some(2.0), None, Some(3.0), Some(4.0), Some(5.0), Some(6.5)]);
        assert!(parse_duration("PT24H").is_some());
        for bad in ["P", "PT", "P1H", "PT1D", "P1M1Y", "24H", "P1YT"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn patterns() {
        let full = [true; 6];
        assert_eq!(pattern_violation("yyyy-mm-ddTHH:MM:SS", &full), None);
        assert_eq!(pattern_violation("yyyy-??-XX", &full), Some("day"));
        assert_eq!(pattern_violation("yyyy-mm-ddTHH:??:??", &[true, true, true, false, false, false]), Some("hour"));
    }
}
