//! Texts of the satisfaction survey as the agent sees it (C7).

use porpoise_protocol::wire::{SurveyAnswer, MAX_SURVEY_STARS};
use porpoise_ui::Language;

/// Name of a satisfaction level, 1 (非常不满意) to 5 (非常满意) stars, as in the manuals.
pub fn survey_level(lang: Language, stars: u8) -> &'static str {
    let (zh, en) = match stars {
        0 | 1 => ("非常不满意", "Very dissatisfied"),
        2 => ("不满意", "Dissatisfied"),
        3 => ("一般", "Neutral"),
        4 => ("满意", "Satisfied"),
        _ => ("非常满意", "Very satisfied"),
    };
    lang.pick(zh, en)
}

/// Stars as text, filled then empty: "★★★★☆".
pub fn survey_stars(stars: u8) -> String {
    let filled = usize::from(stars.min(MAX_SURVEY_STARS));
    format!(
        "{}{}",
        "★".repeat(filled),
        "☆".repeat(usize::from(MAX_SURVEY_STARS) - filled)
    )
}

/// "客户评价：★★★★☆ 满意 — 很耐心" for the service window (C7).
pub fn survey_result(lang: Language, answer: &SurveyAnswer) -> String {
    let mut text = format!(
        "{}{} {}",
        lang.pick("客户评价：", "Customer rating: "),
        survey_stars(answer.stars),
        survey_level(lang, answer.stars)
    );
    if !answer.comment.is_empty() {
        text.push_str(" — ");
        text.push_str(&answer.comment);
    }
    text
}
