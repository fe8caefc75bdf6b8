//! Greeting and automatic replies (R11).
//!
//! - **Greeting**: when a session starts (or moves to another agent by transfer) the relay sends
//!   a chat message `from: Party::Relay` with the center's greeting, `[Supporter Name]` replaced
//!   by the serving agent's nickname.
//! - **Timed auto-reply**: when the customer's latest message has gone unanswered by the agent
//!   for `auto_reply.after_s`, the relay sends `auto_reply.text` once; the agent's next message
//!   re-arms it for the customer's next unanswered message.
//! - **Reception timeout**: after `reception_timeout.after_s` (default 300 s) without a customer
//!   message (counted from the session start or the customer's last message) the relay sends the
//!   closing text and ends the session (`SessionEnded{by: Relay}`).
//!
//! Relay messages are stored like chat (`StoreOp::InsertChat`) and delivered to both sides at
//! once: nobody waits for their acknowledgement. Their ids come from [`relay_message_id`], which
//! never collides with another relay message of the same session.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use porpoise_protocol::wire::{CenterSettings, MessageId, SessionId, UnixMs, MAX_CHAT_TEXT_BYTES};

use super::deadlines::Deadlines;

/// The placeholder in the greeting replaced by the agent's nickname.
pub const SUPPORTER_NAME: &str = "[Supporter Name]";

/// Marker in the top byte of relay-made message ids (client ids are random u128s; a clash needs
/// the same session, the same marker and the same 48-bit time and counter).
const RELAY_ID_MARKER: u128 = 0xFE;

/// Allowed delay of the timed auto-reply, seconds.
pub const AUTO_REPLY_RANGE_S: std::ops::RangeInclusive<u32> = 5..=3_600;
/// Allowed reception timeout, seconds (30 s to one day).
pub const RECEPTION_TIMEOUT_RANGE_S: std::ops::RangeInclusive<u32> = 30..=86_400;

/// Checks the automatic texts an admin wants to save.
///
/// Errors: the text of the first problem (a delay outside [`AUTO_REPLY_RANGE_S`] or
/// [`RECEPTION_TIMEOUT_RANGE_S`], a text longer than `MAX_CHAT_TEXT_BYTES`, settings that
/// encode to more than `MAX_CENTER_SETTINGS_BYTES` in all).
pub fn validate(settings: &CenterSettings) -> Result<(), porpoise_protocol::wire::ApiError> {
    use porpoise_protocol::wire::{ApiError, Field};
    let timed = [
        ("auto-reply", &settings.auto_reply, AUTO_REPLY_RANGE_S),
        (
            "reception timeout",
            &settings.reception_timeout,
            RECEPTION_TIMEOUT_RANGE_S,
        ),
    ];
    for (_label, reply, range) in timed {
        let Some(reply) = reply else { continue };
        if !range.contains(&reply.after_s) {
            return Err(ApiError::OutOfRange {
                field: Field::SettingsText,
                min: u64::from(*range.start()),
                max: u64::from(*range.end()),
            });
        }
        if reply.text.len() > MAX_CHAT_TEXT_BYTES {
            return Err(ApiError::too_long(Field::SettingsText, MAX_CHAT_TEXT_BYTES));
        }
    }
    if settings.greeting.len() > MAX_CHAT_TEXT_BYTES {
        return Err(ApiError::too_long(Field::SettingsText, MAX_CHAT_TEXT_BYTES));
    }
    use porpoise_protocol::wire::MAX_CENTER_SETTINGS_BYTES;
    if porpoise_protocol::framing::encode_frame(settings, MAX_CENTER_SETTINGS_BYTES).is_err() {
        return Err(ApiError::too_long(
            Field::SettingsText,
            MAX_CENTER_SETTINGS_BYTES,
        ));
    }
    use porpoise_protocol::wire::{MAX_FAQ_ANSWER_BYTES, MAX_FAQ_ITEMS, MAX_FAQ_QUESTION_BYTES};
    if settings.faq.len() > MAX_FAQ_ITEMS {
        return Err(ApiError::TooMany {
            field: Field::SettingsText,
            max: MAX_FAQ_ITEMS as u32,
        });
    }
    for item in &settings.faq {
        if item.question.trim().is_empty() {
            return Err(ApiError::Empty {
                field: Field::SettingsText,
            });
        }
        if item.question.len() > MAX_FAQ_QUESTION_BYTES {
            return Err(ApiError::too_long(
                Field::SettingsText,
                MAX_FAQ_QUESTION_BYTES,
            ));
        }
        if item.answer.len() > MAX_FAQ_ANSWER_BYTES {
            return Err(ApiError::too_long(
                Field::SettingsText,
                MAX_FAQ_ANSWER_BYTES,
            ));
        }
    }
    Ok(())
}

/// The greeting for an agent called `nickname`, or `None` when the center has none.
pub fn greeting_text(template: &str, nickname: &str) -> Option<String> {
    let text = template.replace(SUPPORTER_NAME, nickname);
    (!text.trim().is_empty()).then_some(text)
}

/// Id of the relay's `seq`-th message at `unix_ms` in `session_id`: the marker byte, 48 bits of
/// time, 48 bits of session id, 24 bits of counter.
pub fn relay_message_id(session_id: SessionId, unix_ms: UnixMs, seq: u32) -> MessageId {
    let time = u128::from(u64::try_from(unix_ms).unwrap_or(0)) & 0xFFFF_FFFF_FFFF;
    let session = u128::from(session_id.0) & 0xFFFF_FFFF_FFFF;
    let seq = u128::from(seq) & 0xFF_FFFF;
    MessageId((RELAY_ID_MARKER << 120) | (time << 72) | (session << 24) | seq)
}

/// A timer of one session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fired {
    /// Send the auto-reply text.
    AutoReply(SessionId),
    /// Send the closing text and end the session.
    ReceptionTimeout(SessionId),
}

/// Automatic-reply timers of all sessions.
#[derive(Debug, Default)]
pub struct Automation {
    deadlines: Deadlines<Fired>,
    /// Sessions whose auto-reply went and whose agent has not answered since.
    replied: HashSet<SessionId>,
}

fn after(now: Instant, seconds: u32) -> Instant {
    now + Duration::from_secs(u64::from(seconds))
}

impl Automation {
    /// A session started (or was loaded after a restart) at `now`: the reception timeout runs.
    pub fn started(&mut self, session_id: SessionId, now: Instant, settings: &CenterSettings) {
        self.ended(session_id);
        if let Some(r) = &settings.reception_timeout {
            let key = Fired::ReceptionTimeout(session_id);
            self.deadlines.set(key, after(now, r.after_s));
        }
    }

    /// The customer's message was stored at `now`: the reception timeout restarts and the
    /// auto-reply is armed from this message (unless it already went unanswered).
    pub fn customer_wrote(
        &mut self,
        session_id: SessionId,
        now: Instant,
        settings: &CenterSettings,
    ) {
        if let Some(r) = &settings.reception_timeout {
            let key = Fired::ReceptionTimeout(session_id);
            self.deadlines.set(key, after(now, r.after_s));
        }
        let key = Fired::AutoReply(session_id);
        match &settings.auto_reply {
            Some(reply) if !self.replied.contains(&session_id) => {
                self.deadlines.set(key, after(now, reply.after_s));
            }
            Some(_) => {}
            None => self.deadlines.cancel(key),
        }
    }

    /// The agent's message was stored: the customer is answered.
    pub fn agent_wrote(&mut self, session_id: SessionId) {
        self.replied.remove(&session_id);
        self.deadlines.cancel(Fired::AutoReply(session_id));
    }

    /// The session ended (or moved): its timers are dropped.
    pub fn ended(&mut self, session_id: SessionId) {
        self.replied.remove(&session_id);
        self.deadlines.cancel(Fired::AutoReply(session_id));
        self.deadlines.cancel(Fired::ReceptionTimeout(session_id));
    }

    /// The earliest timer.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.deadlines.next()
    }

    /// The next timer due at `now`, earliest first; each fires once. A fired reception timeout
    /// drops the session's other timer.
    pub fn pop_due(&mut self, now: Instant) -> Option<Fired> {
        let fired = self.deadlines.pop_due(now)?;
        match fired {
            Fired::AutoReply(s) => {
                self.replied.insert(s);
            }
            Fired::ReceptionTimeout(s) => self.ended(s),
        }
        Some(fired)
    }
}

#[cfg(test)]
mod tests {
    use porpoise_protocol::wire::TimedReply;

    use super::*;

    #[test]
    fn greeting_substitutes_every_placeholder() {
        let text = greeting_text(
            "您好，我是[Supporter Name]。[Supporter Name]为您服务",
            "小王",
        );
        assert_eq!(text.as_deref(), Some("您好，我是小王。小王为您服务"));
        assert_eq!(greeting_text("  ", "小王"), None);
    }

    #[test]
    fn validation_bounds_delays() {
        let mut settings = CenterSettings::default();
        assert!(validate(&settings).is_ok());
        settings.auto_reply = Some(TimedReply {
            after_s: 0,
            text: "x".into(),
        });
        assert!(validate(&settings).is_err());
        settings.auto_reply = None;
        settings.reception_timeout = Some(TimedReply {
            after_s: 10,
            text: "x".into(),
        });
        assert!(validate(&settings).is_err());
    }

    /// M6: common questions are bounded in number and length, and need a question.
    #[test]
    fn validation_bounds_the_faq() {
        use porpoise_protocol::wire::{ApiError, FaqItem, MAX_FAQ_ANSWER_BYTES, MAX_FAQ_ITEMS};
        let item = |q: &str, a: &str| FaqItem {
            question: q.into(),
            answer: a.into(),
        };
        let mut settings = CenterSettings {
            faq: vec![item("营业时间？", "工作日 9:00–18:00")],
            ..CenterSettings::default()
        };
        assert!(validate(&settings).is_ok());
        settings.faq = vec![item(" ", "x")];
        assert!(matches!(validate(&settings), Err(ApiError::Empty { .. })));
        settings.faq = vec![item("q", &"答".repeat(MAX_FAQ_ANSWER_BYTES))];
        assert!(matches!(validate(&settings), Err(ApiError::TooLong { .. })));
        settings.faq = vec![item("q", "a"); MAX_FAQ_ITEMS + 1];
        assert!(matches!(validate(&settings), Err(ApiError::TooMany { .. })));
    }

    /// Issue 14: 250 KiB of holiday replies used to lock the center's agents out (every
    /// Welcome over the frame limit); the settings as a whole are bounded now.
    #[test]
    fn validation_bounds_the_whole_settings() {
        use porpoise_protocol::wire::{ApiError, Field, Holiday, MAX_CENTER_SETTINGS_BYTES};
        let mut settings = CenterSettings::default();
        let holiday = |date| Holiday {
            date,
            reply: "节假日休息，请留言。".repeat(100),
        };
        settings.working_hours.holidays = (1..=9).map(|d| holiday(20_270_100 + d)).collect();
        assert!(validate(&settings).is_ok(), "27 KiB is fine");
        settings.working_hours.holidays = (1..=28).map(|d| holiday(20_270_100 + d)).collect();
        assert_eq!(
            validate(&settings),
            Err(ApiError::too_long(
                Field::SettingsText,
                MAX_CENTER_SETTINGS_BYTES
            ))
        );
    }

    #[test]
    fn relay_ids_differ_by_counter_and_session() {
        let a = relay_message_id(SessionId(7), 1_700_000_000_000, 1);
        assert_ne!(a, relay_message_id(SessionId(7), 1_700_000_000_000, 2));
        assert_ne!(a, relay_message_id(SessionId(8), 1_700_000_000_000, 1));
        assert_eq!(a.0 >> 120, RELAY_ID_MARKER);
    }

    #[test]
    fn auto_reply_once_until_answered() {
        let t0 = Instant::now();
        let s = |n: u64| t0 + Duration::from_secs(n);
        let settings = CenterSettings {
            auto_reply: Some(TimedReply {
                after_s: 30,
                text: "稍等".into(),
            }),
            reception_timeout: None,
            ..CenterSettings::default()
        };
        let mut a = Automation::default();
        a.started(SessionId(1), t0, &settings);
        assert_eq!(a.next_deadline(), None);
        a.customer_wrote(SessionId(1), s(0), &settings);
        a.customer_wrote(SessionId(1), s(10), &settings);
        assert_eq!(
            a.next_deadline(),
            Some(s(40)),
            "counted from the latest message"
        );
        assert_eq!(a.pop_due(s(39)), None);
        assert_eq!(a.pop_due(s(40)), Some(Fired::AutoReply(SessionId(1))));
        a.customer_wrote(SessionId(1), s(50), &settings);
        assert_eq!(a.next_deadline(), None, "once until the agent answers");
        a.agent_wrote(SessionId(1));
        a.customer_wrote(SessionId(1), s(60), &settings);
        assert_eq!(a.pop_due(s(90)), Some(Fired::AutoReply(SessionId(1))));
    }
}
