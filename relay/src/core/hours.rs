//! Working hours (R12): is the center open at a given instant, and if not, which reply does the
//! customer get?
//!
//! Pure functions over [`WorkingHours`] and a unix-ms instant; the calendar arithmetic (local
//! date and weekday from unix time plus the center's UTC offset) is Howard Hinnant's
//! `civil_from_days`, written out here instead of pulling in a date crate for one conversion.
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

use porpoise_protocol::wire::{DateYmd, DayHours, UnixMs, WorkingHours};

/// Milliseconds in one minute.
const MINUTE_MS: i64 = 60_000;
/// Minutes in one day.
const DAY_MIN: i64 = 24 * 60;
/// Milliseconds in one day.
const DAY_MS: i64 = DAY_MIN * MINUTE_MS;
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

/// The local date, weekday and minute of `unix_ms` on a clock `utc_offset_min` minutes east of
/// UTC. Offsets beyond ±14 h are clamped.
pub fn local_time(unix_ms: UnixMs, utc_offset_min: i32) -> LocalTime {
    let offset = utc_offset_min.clamp(-MAX_UTC_OFFSET_MIN, MAX_UTC_OFFSET_MIN);
    let local = unix_ms.saturating_add(i64::from(offset) * MINUTE_MS);
    let days = local.div_euclid(DAY_MS);
    let minute = local.rem_euclid(DAY_MS) / MINUTE_MS;
    // 1970-01-01 was a Thursday (index 3 with Monday = 0).
    let weekday = usize::try_from((days + 3).rem_euclid(7)).unwrap_or(0);
    LocalTime {
        date: date_from_days(days),
        weekday,
        minute: u16::try_from(minute).unwrap_or(0),
    }
}

/// `yyyymmdd` of the day `days` after 1970-01-01 (proleptic Gregorian; Hinnant's
/// `civil_from_days`). Years outside 0..=9999 give a date that matches no configured day.
fn date_from_days(days: i64) -> DateYmd {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    u32::try_from(year * 10_000 + month * 100 + day).unwrap_or(0)
}

/// True if `minute` lies in `[start_min, end_min)`.
fn within(hours: DayHours, minute: u16) -> bool {
    hours.start_min <= minute && minute < hours.end_min
}

/// Whether the center with `hours` serves at `now_unix_ms` (see the module docs for the rules).
pub fn availability(hours: &WorkingHours, now_unix_ms: UnixMs) -> Availability {
    let local = local_time(now_unix_ms, hours.utc_offset_min);
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
    let current = availability(hours, now_unix_ms);
    let offset = i64::from(
        hours
            .utc_offset_min
            .clamp(-MAX_UTC_OFFSET_MIN, MAX_UTC_OFFSET_MIN),
    ) * MINUTE_MS;
    let local = now_unix_ms.saturating_add(offset);
    let day_start = local.div_euclid(DAY_MS) * DAY_MS;
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
    for day in 0..LOOKAHEAD_DAYS {
        for &edge in &edges {
            let at_local = day_start + day * DAY_MS + edge.min(DAY_MIN) * MINUTE_MS;
            if at_local <= local {
                continue;
            }
            let at = at_local - offset;
            if availability(hours, at) != current {
                return Some(at);
            }
        }
    }
    None
}

/// Checks working hours an admin wants to save.
///
/// Errors: [`ApiError::Malformed`] with [`Field::SettingsText`] for the first problem (an
/// offset beyond ±14 h, an hour range that is empty or beyond 1440, a malformed date).
pub fn validate(hours: &WorkingHours) -> Result<(), porpoise_protocol::wire::ApiError> {
    use porpoise_protocol::wire::{ApiError, Field};
    let bad = || ApiError::Malformed {
        field: Field::SettingsText,
    };
    if hours.utc_offset_min.abs() > MAX_UTC_OFFSET_MIN {
        return Err(bad());
    }
    let days = hours.weekly.iter().flatten();
    for day in days.chain(std::iter::once(&hours.extra_day_hours)) {
        if day.start_min >= day.end_min || i64::from(day.end_min) > DAY_MIN {
            return Err(bad());
        }
    }
    let dates = hours.holidays.iter().map(|h| h.date);
    for date in dates.chain(hours.extra_working_days.iter().copied()) {
        let (month, day) = (date / 100 % 100, date % 100);
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) || date < 1_000_000 {
            return Err(bad());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use porpoise_protocol::wire::Holiday;

    use super::*;

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
}
