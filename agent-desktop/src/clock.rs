//! Wall-clock helpers: waiting times (A4) and message times (A7).

use chrono::TimeZone;
use porpoise_protocol::wire::UnixMs;

/// Chat times are shown once per run of messages less than this far apart (A7), in ms.
pub const CHAT_TIME_RUN_MS: UnixMs = 3 * 60 * 1000;

/// Now, in Unix ms.
pub fn now_unix_ms() -> UnixMs {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as UnixMs)
        .unwrap_or(0)
}

/// A waiting time of `waited_ms` as `mm:ss`, or `h:mm:ss` from one hour on. Negative times
/// (the relay's clock ahead of ours) show as `00:00`.
pub fn wait_text(waited_ms: i64) -> String {
    let total_s = waited_ms.max(0) / 1000;
    let (h, m, s) = (total_s / 3600, total_s / 60 % 60, total_s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

/// Local time of day of `unix_ms` as `HH:MM`; with the date (`MM-DD HH:MM`) if it is not today.
pub fn message_time_text(unix_ms: UnixMs, now_ms: UnixMs) -> String {
    let local = chrono::Local;
    let (Some(t), Some(now)) = (
        local.timestamp_millis_opt(unix_ms).single(),
        local.timestamp_millis_opt(now_ms).single(),
    ) else {
        return String::new();
    };
    if t.date_naive() == now.date_naive() {
        t.format("%H:%M").to_string()
    } else {
        t.format("%m-%d %H:%M").to_string()
    }
}

/// Local date and time of `unix_ms` as `YYYY-MM-DD HH:MM:SS` (records, audit log).
pub fn date_time_text(unix_ms: UnixMs) -> String {
    chrono::Local
        .timestamp_millis_opt(unix_ms)
        .single()
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// True if a message at `at_ms` starts a new run, given the time shown last (A7: a time is
/// shown once per 3-minute run of messages).
pub fn starts_time_run(last_shown_ms: Option<UnixMs>, at_ms: UnixMs) -> bool {
    last_shown_ms.is_none_or(|last| at_ms - last >= CHAT_TIME_RUN_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiting_time_is_mm_ss_then_h_mm_ss() {
        assert_eq!(wait_text(0), "00:00");
        assert_eq!(wait_text(999), "00:00");
        assert_eq!(wait_text(61_000), "01:01");
        assert_eq!(wait_text(59 * 60_000 + 59_999), "59:59");
        assert_eq!(wait_text(3_600_000 + 5_000), "1:00:05");
        assert_eq!(wait_text(-5_000), "00:00");
    }

    #[test]
    fn message_times() {
        let now = now_unix_ms();
        let text = message_time_text(now, now);
        assert_eq!(text.len(), 5, "{text}");
        assert!(message_time_text(now - 3 * 86_400_000, now).contains('-'));
        assert!(starts_time_run(None, 0));
        assert!(!starts_time_run(Some(0), CHAT_TIME_RUN_MS - 1));
        assert!(starts_time_run(Some(0), CHAT_TIME_RUN_MS));
    }
}
