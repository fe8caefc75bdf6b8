//! Working hours (R12): is the center open at a given instant, and if not, which reply does the
//! customer get?
//!
//! Pure functions over [`WorkingHours`] and a unix-ms instant. The local date, weekday and
//! minute come from jiff: in the center's IANA time zone (`time_zone`, daylight saving
//! included) or, when none is set, at the fixed `utc_offset_min`. A time-zone name is resolved
//! from jiff's tz database (the system's zoneinfo on Unix, bundled on Windows), loaded once and
//! cached by jiff.
//!
//! Rules, strongest first:
//! 1. a holiday date is closed all day with the holiday's own reply;
//! 2. with no weekly hours at all (every weekday `None`), the center is always open (the
//!    "always open" default; extra working days change nothing then);
//! 3. an extra working day (调休) is open during `extra_day_hours`, whatever its weekday;
//! 4. otherwise the weekday's hours apply (`None`: closed all day).
//!
//! Hours are `[start_min, end_min)` in minutes after local midnight: the start minute is open,
//! the end minute is closed. A day whose `end_min <= start_min` is closed all day.

use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};
use jiff::Timestamp;
use porpoise_protocol::wire::{DateYmd, DayHours, UnixMs, WorkingHours};

/// Minutes in one day.
const DAY_MIN: i64 = 24 * 60;
/// Most minutes east or west of UTC a center's clock may be (UTC−14:00..UTC+14:00).
pub const MAX_UTC_OFFSET_MIN: i32 = 14 * 60;
/// How many days ahead [`next_change`] looks for the next opening or closing.
const LOOKAHEAD_DAYS: i64 = 400;

/// Whether a center serves now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    /// Within working hours.
    Open,
    /// Outside working hours or on a holiday; `reply` is the text shown to the customer.
    Closed {
        /// The holiday's reply or the off-hours reply.
        reply: String,
    },
}

impl Availability {
    /// True if open.
    pub fn is_open(&self) -> bool {
        matches!(self, Availability::Open)
    }

    /// The closed reply (empty when open), as `ServiceOptions::closed_reply` carries it.
    pub fn reply(&self) -> &str {
        match self {
            Availability::Open => "",
            Availability::Closed { reply } => reply,
        }
    }
}

/// A local calendar position: date, weekday (0 = Monday) and minute of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    /// Date as `yyyymmdd`.
    pub date: DateYmd,
    /// 0 = Monday … 6 = Sunday.
    pub weekday: usize,
    /// Minutes after local midnight, 0..1440.
    pub minute: u16,
}

/// The center's clock: its IANA zone, else the fixed offset (clamped to ±14 h). An unknown
/// zone name (validation refuses it; settings stored long ago might hold one) falls back to
/// the fixed offset.
fn clock(hours: &WorkingHours) -> TimeZone {
    let name = hours.time_zone.trim();
    if !name.is_empty() {
        if let Ok(tz) = TimeZone::get(name) {
            return tz;
        }
    }
    let offset = hours
        .utc_offset_min
        .clamp(-MAX_UTC_OFFSET_MIN, MAX_UTC_OFFSET_MIN);
    Offset::from_seconds(offset * 60).map_or(TimeZone::UTC, TimeZone::fixed)
}

/// `yyyymmdd` of a civil date.
fn ymd(date: Date) -> DateYmd {
    let (y, m, d) = (date.year(), date.month(), date.day());
    u32::try_from(i32::from(y) * 10_000 + i32::from(m) * 100 + i32::from(d)).unwrap_or(0)
}

/// The civil date of `yyyymmdd`, if it exists (2027-02-31 does not).
pub fn date_of(date: DateYmd) -> Option<Date> {
    let y = i16::try_from(date / 10_000).ok()?;
    let m = i8::try_from(date / 100 % 100).ok()?;
    let d = i8::try_from(date % 100).ok()?;
    Date::new(y, m, d).ok()
}

/// The local date, weekday and minute of `unix_ms` on `tz`.
fn local_in(unix_ms: UnixMs, tz: &TimeZone) -> LocalTime {
    let at = Timestamp::from_millisecond(unix_ms).unwrap_or(Timestamp::UNIX_EPOCH);
    let local = tz.to_datetime(at);
    LocalTime {
        date: ymd(local.date()),
        weekday: usize::try_from(local.weekday().to_monday_zero_offset()).unwrap_or(0),
        minute: u16::try_from(i32::from(local.hour()) * 60 + i32::from(local.minute()))
            .unwrap_or(0),
    }
}

/// The center's local date (`yyyymmdd`) at `unix_ms`, in its time zone (or fixed offset).
pub fn local_date(hours: &WorkingHours, unix_ms: UnixMs) -> DateYmd {
    local_in(unix_ms, &clock(hours)).date
}

/// The local date, weekday and minute of `unix_ms` on a clock `utc_offset_min` minutes east of
/// UTC. Offsets beyond ±14 h are clamped.
pub fn local_time(unix_ms: UnixMs, utc_offset_min: i32) -> LocalTime {
    let hours = WorkingHours {
        utc_offset_min,
        ..WorkingHours::default()
    };
    local_in(unix_ms, &clock(&hours))
}

/// True if `minute` lies in `[start_min, end_min)`.
fn within(hours: DayHours, minute: u16) -> bool {
    hours.start_min <= minute && minute < hours.end_min
}

/// Whether the center with `hours` serves at `now_unix_ms` (see the module docs for the rules).
pub fn availability(hours: &WorkingHours, now_unix_ms: UnixMs) -> Availability {
    availability_in(hours, &clock(hours), now_unix_ms)
}

fn availability_in(hours: &WorkingHours, tz: &TimeZone, now_unix_ms: UnixMs) -> Availability {
    let local = local_in(now_unix_ms, tz);
    if let Some(holiday) = hours.holidays.iter().find(|h| h.date == local.date) {
        return Availability::Closed {
            reply: holiday.reply.clone(),
        };
    }
    if hours.weekly.iter().all(Option::is_none) {
        return Availability::Open;
    }
    let today = if hours.extra_working_days.contains(&local.date) {
        Some(hours.extra_day_hours)
    } else {
        hours.weekly.get(local.weekday).copied().flatten()
    };
    match today {
        Some(day) if within(day, local.minute) => Availability::Open,
        _ => Availability::Closed {
            reply: hours.off_hours_reply.clone(),
        },
    }
}

/// The first instant after `now_unix_ms` (unix ms, on a minute boundary) at which
/// [`availability`] differs from its value at `now_unix_ms`, looking at most about a year ahead;
/// `None` if it never changes (always open). Used to tell customers when the center opens or
/// closes (`ServiceOptionsChanged`).
pub fn next_change(hours: &WorkingHours, now_unix_ms: UnixMs) -> Option<UnixMs> {
    if hours.weekly.iter().all(Option::is_none) && hours.holidays.is_empty() {
        return None;
    }
    let tz = clock(hours);
    let current = availability_in(hours, &tz, now_unix_ms);
    let mut edges: Vec<i64> = hours
        .weekly
        .iter()
        .flatten()
        .chain(std::iter::once(&hours.extra_day_hours))
        .flat_map(|d| [d.start_min, d.end_min])
        .map(i64::from)
        .chain(std::iter::once(0))
        .collect();
    edges.sort_unstable();
    edges.dedup();
    let today = date_of(local_in(now_unix_ms, &tz).date)?;
    for day in 0..LOOKAHEAD_DAYS {
        let Ok(date) = today.checked_add(jiff::Span::new().days(day)) else {
            return None;
        };
        for &edge in &edges {
            let edge = edge.min(DAY_MIN);
            // The local wall-clock instant (a time skipped by daylight saving resolves to the
            // instant after the gap, a repeated one to the first).
            let next_day = edge == DAY_MIN;
            let (date, minute) = match next_day {
                true => match date.tomorrow() {
                    Ok(d) => (d, 0),
                    Err(_) => continue,
                },
                false => (date, edge),
            };
            let Ok(time) = jiff::civil::Time::new(
                i8::try_from(minute / 60).unwrap_or(0),
                i8::try_from(minute % 60).unwrap_or(0),
                0,
                0,
            ) else {
                continue;
            };
            let Ok(zoned) = date.to_datetime(time).to_zoned(tz.clone()) else {
                continue;
            };
            let at = zoned.timestamp().as_millisecond();
            if at <= now_unix_ms {
                continue;
            }
            if availability_in(hours, &tz, at) != current {
                return Some(at);
            }
        }
    }
    None
}

/// Checks working hours an admin wants to save.
///
/// Errors: [`ApiError::UnknownTimeZone`] for a zone name jiff does not know;
/// [`ApiError::InvalidDate`] for a holiday or extra working day that does not exist (e.g.
/// 2027-02-31); [`ApiError::Malformed`] with [`Field::SettingsText`] for an offset beyond ±14 h
/// or an hour range that is empty or beyond 1440.
pub fn validate(hours: &WorkingHours) -> Result<(), porpoise_protocol::wire::ApiError> {
    use porpoise_protocol::wire::{ApiError, Field};
    let bad = || ApiError::Malformed {
        field: Field::SettingsText,
    };
    if hours.utc_offset_min.abs() > MAX_UTC_OFFSET_MIN {
        return Err(bad());
    }
    let name = hours.time_zone.trim();
    if !name.is_empty() && TimeZone::get(name).is_err() {
        return Err(ApiError::UnknownTimeZone {
            name: name.chars().take(64).collect(),
        });
    }
    let days = hours.weekly.iter().flatten();
    for day in days.chain(std::iter::once(&hours.extra_day_hours)) {
        if day.start_min >= day.end_min || i64::from(day.end_min) > DAY_MIN {
            return Err(bad());
        }
    }
    let dates = hours.holidays.iter().map(|h| h.date);
    for date in dates.chain(hours.extra_working_days.iter().copied()) {
        if date < 1_000_000 || date_of(date).is_none() {
            return Err(ApiError::InvalidDate { date });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use porpoise_protocol::wire::Holiday;

    use super::*;

    const MINUTE_MS: i64 = 60_000;
    /// 2026-11-23 00:00 UTC, a Monday.
    const MONDAY_UTC: i64 = 1_795_392_000_000;
    const HOUR: i64 = 60 * MINUTE_MS;

    fn nine_to_six() -> DayHours {
        DayHours {
            start_min: 9 * 60,
            end_min: 18 * 60,
        }
    }

    /// Monday to Friday 9:00–18:00 on a UTC clock.
    fn office(offset: i32) -> WorkingHours {
        let day = Some(nine_to_six());
        WorkingHours {
            utc_offset_min: offset,
            weekly: [day, day, day, day, day, None, None],
            extra_working_days: Vec::new(),
            extra_day_hours: DayHours {
                start_min: 10 * 60,
                end_min: 16 * 60,
            },
            holidays: Vec::new(),
            off_hours_reply: "closed".into(),
            time_zone: String::new(),
        }
    }

    fn closed(reply: &str) -> Availability {
        Availability::Closed {
            reply: reply.into(),
        }
    }

    #[test]
    fn calendar_conversion() {
        assert_eq!(
            local_time(0, 0),
            LocalTime {
                date: 19_700_101,
                weekday: 3,
                minute: 0
            }
        );
        let monday = local_time(MONDAY_UTC, 0);
        assert_eq!((monday.date, monday.weekday), (20_261_123, 0));
        // Leap day and end of a century.
        assert_eq!(local_time(951_782_400_000, 0).date, 20_000_229);
        assert_eq!(local_time(4_107_542_400_000, 0).date, 21_000_301);
        // Before the epoch.
        let before = local_time(-1, 0);
        assert_eq!(
            (before.date, before.weekday, before.minute),
            (19_691_231, 2, 1439)
        );
    }

    #[test]
    fn start_is_inclusive_end_exclusive() {
        let hours = office(0);
        let at = |h: i64, m: i64| availability(&hours, MONDAY_UTC + h * HOUR + m * MINUTE_MS);
        assert_eq!(at(8, 59), closed("closed"));
        assert_eq!(at(9, 0), Availability::Open);
        assert_eq!(at(17, 59), Availability::Open);
        assert_eq!(at(18, 0), closed("closed"));
        assert_eq!(at(0, 0), closed("closed"), "midnight");
        let last_ms = availability(&hours, MONDAY_UTC + 18 * HOUR - 1);
        assert_eq!(last_ms, Availability::Open);
    }

    #[test]
    fn hours_until_midnight() {
        let mut hours = office(0);
        hours.weekly[0] = Some(DayHours {
            start_min: 0,
            end_min: 1440,
        });
        assert!(availability(&hours, MONDAY_UTC).is_open());
        assert!(availability(&hours, MONDAY_UTC + 24 * HOUR - 1).is_open());
        // Tuesday 00:00 uses Tuesday's hours.
        assert!(!availability(&hours, MONDAY_UTC + 24 * HOUR).is_open());
    }

    #[test]
    fn utc_offset_crosses_the_day() {
        // China (UTC+8): Monday 09:00 local is Monday 01:00 UTC; Friday 17:30 UTC is Saturday
        // 01:30 local, closed.
        let hours = office(480);
        assert!(availability(&hours, MONDAY_UTC + HOUR).is_open());
        assert!(!availability(&hours, MONDAY_UTC + HOUR - 1).is_open());
        let friday_1730_utc = MONDAY_UTC + 4 * 24 * HOUR + 17 * HOUR + 30 * MINUTE_MS;
        assert!(!availability(&hours, friday_1730_utc).is_open());
        assert!(availability(&office(0), friday_1730_utc).is_open());
        // West of UTC: Monday 02:00 UTC is Sunday 21:00 at UTC−5, closed; Tuesday 01:00 UTC is
        // Monday 20:00 local, closed; Monday 15:00 UTC is 10:00 local, open.
        let new_york = office(-300);
        assert!(!availability(&new_york, MONDAY_UTC + 2 * HOUR).is_open());
        assert!(availability(&new_york, MONDAY_UTC + 15 * HOUR).is_open());
        assert_eq!(local_time(MONDAY_UTC + 2 * HOUR, -300).weekday, 6);
    }

    #[test]
    fn holiday_on_a_working_weekday_is_closed_with_its_reply() {
        let mut hours = office(480);
        hours.holidays.push(Holiday {
            date: 20_261_123,
            reply: "国庆放假".into(),
        });
        assert_eq!(
            availability(&hours, MONDAY_UTC + 2 * HOUR),
            closed("国庆放假")
        );
        // Before local midnight (Sunday 23:59 local) it is the ordinary Sunday reply.
        let sunday_late = MONDAY_UTC - 8 * HOUR - MINUTE_MS;
        assert_eq!(availability(&hours, sunday_late), closed("closed"));
        // Holidays win even with no weekly hours and over extra working days.
        hours.weekly = [None; 7];
        hours.extra_working_days.push(20_261_123);
        assert_eq!(
            availability(&hours, MONDAY_UTC + 2 * HOUR),
            closed("国庆放假")
        );
        assert!(availability(&hours, MONDAY_UTC + 24 * HOUR).is_open());
    }

    #[test]
    fn extra_working_day_on_sunday_uses_its_hours() {
        let mut hours = office(0);
        let sunday = MONDAY_UTC - 24 * HOUR; // 2026-11-22
        assert_eq!(local_time(sunday, 0).date, 20_261_122);
        assert!(!availability(&hours, sunday + 11 * HOUR).is_open());
        hours.extra_working_days.push(20_261_122);
        assert!(
            !availability(&hours, sunday + 9 * HOUR).is_open(),
            "extra hours start at 10"
        );
        assert!(availability(&hours, sunday + 10 * HOUR).is_open());
        assert!(!availability(&hours, sunday + 16 * HOUR).is_open());
    }

    #[test]
    fn no_weekly_hours_is_always_open() {
        let hours = WorkingHours::default();
        for h in 0..24 * 7 {
            assert!(availability(&hours, MONDAY_UTC + h * HOUR).is_open());
        }
        assert_eq!(next_change(&hours, MONDAY_UTC), None);
    }

    #[test]
    fn next_change_finds_opening_and_closing() {
        let hours = office(0);
        assert_eq!(next_change(&hours, MONDAY_UTC), Some(MONDAY_UTC + 9 * HOUR));
        assert_eq!(
            next_change(&hours, MONDAY_UTC + 9 * HOUR),
            Some(MONDAY_UTC + 18 * HOUR)
        );
        // Friday 18:00 closes until Monday 09:00.
        let friday_evening = MONDAY_UTC + 4 * 24 * HOUR + 18 * HOUR;
        assert_eq!(
            next_change(&hours, friday_evening),
            Some(MONDAY_UTC + 7 * 24 * HOUR + 9 * HOUR)
        );
        // With an offset the instants are UTC.
        let china = office(480);
        assert_eq!(next_change(&china, MONDAY_UTC), Some(MONDAY_UTC + HOUR));
    }

    #[test]
    fn validation() {
        assert!(validate(&office(480)).is_ok());
        assert!(validate(&WorkingHours::default()).is_ok());
        let mut bad = office(0);
        bad.weekly[2] = Some(DayHours {
            start_min: 600,
            end_min: 600,
        });
        assert!(validate(&bad).is_err());
        let mut bad = office(15 * 60);
        assert!(validate(&bad).is_err());
        bad.utc_offset_min = 0;
        bad.holidays.push(Holiday {
            date: 20_261_301,
            reply: String::new(),
        });
        assert!(validate(&bad).is_err());
    }

    /// M6: a date that does not exist is refused with its own code (the UI names the date);
    /// so is an unknown time zone.
    #[test]
    fn impossible_dates_and_unknown_zones_are_refused() {
        use porpoise_protocol::wire::ApiError;
        let mut hours = office(0);
        hours.holidays.push(Holiday {
            date: 20_270_231,
            reply: "x".into(),
        });
        assert_eq!(
            validate(&hours),
            Err(ApiError::InvalidDate { date: 20_270_231 })
        );
        hours.holidays[0].date = 20_280_229;
        assert_eq!(validate(&hours), Ok(()), "2028 is a leap year");
        hours.extra_working_days.push(20_270_229);
        assert_eq!(
            validate(&hours),
            Err(ApiError::InvalidDate { date: 20_270_229 })
        );
        let mut hours = office(0);
        hours.time_zone = "Mars/Olympus_Mons".into();
        assert!(matches!(
            validate(&hours),
            Err(ApiError::UnknownTimeZone { .. })
        ));
        hours.time_zone = "America/New_York".into();
        assert_eq!(validate(&hours), Ok(()));
    }

    /// R12: with an IANA zone the opening follows daylight saving: New York opens at 09:00
    /// local, 14:00 UTC in winter (EST) and 13:00 UTC in summer (EDT).
    #[test]
    fn a_time_zone_follows_daylight_saving() {
        let mut hours = office(0);
        hours.time_zone = "America/New_York".into();
        // Monday 2026-11-23 (EST, UTC-5).
        assert!(!availability(&hours, MONDAY_UTC + 13 * HOUR + 59 * MINUTE_MS).is_open());
        assert!(availability(&hours, MONDAY_UTC + 14 * HOUR).is_open());
        // Monday 2027-03-15, the day after the switch to EDT (UTC-4).
        let march_15 = 1_805_068_800_000; // 2027-03-15 00:00 UTC
        assert_eq!(local_time(march_15, 0).date, 20_270_315);
        assert!(!availability(&hours, march_15 + 12 * HOUR + 59 * MINUTE_MS).is_open());
        assert!(availability(&hours, march_15 + 13 * HOUR).is_open());
        // The next change from Friday evening before the switch is Monday 09:00 EDT.
        let friday_march_12_evening = march_15 - 3 * 24 * HOUR + 23 * HOUR;
        assert_eq!(
            next_change(&hours, friday_march_12_evening),
            Some(march_15 + 13 * HOUR)
        );
        // Shanghai has no daylight saving: 09:00 is 01:00 UTC all year.
        hours.time_zone = "Asia/Shanghai".into();
        assert!(availability(&hours, march_15 + HOUR).is_open());
    }
}
