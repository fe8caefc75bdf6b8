//! Formatted texts of the quick-reply panel: canned responses, knowledge base and service
//! history (A8, A11).

use porpoise_ui::Language;

use crate::clock::wait_text;

/// One past session's summary line: agent, duration and message count.
pub fn history_summary(lang: Language, agent: &str, duration_ms: u64, messages: u32) -> String {
    let duration = wait_text(i64::try_from(duration_ms).unwrap_or(i64::MAX));
    match lang {
        Language::ZhCn => format!("客服 {agent} · 时长 {duration} · {messages} 条消息"),
        Language::En => format!("Agent {agent} · {duration} · {messages} messages"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_names_agent_duration_and_count() {
        assert_eq!(
            history_summary(Language::En, "Ann", 61_000, 3),
            "Agent Ann · 01:01 · 3 messages"
        );
        assert_eq!(
            history_summary(Language::ZhCn, "安", 3_600_000, 0),
            "客服 安 · 时长 1:00:00 · 0 条消息"
        );
    }
}
