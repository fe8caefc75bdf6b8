//! The satisfaction survey (满意度调查, C7): five levels from 非常满意 (5 stars) to 非常不满意
//! (1 star), an optional comment, Submit and Skip.

use egui::{RichText, TextEdit, Ui};
use porpoise_protocol::wire::{MAX_SURVEY_STARS, MIN_SURVEY_STARS};

use super::ERROR_COLOR;
use crate::{
    i18n::Tr,
    state::{SurveyForm, SurveyFormError, UiAction, COMMENT_LIMIT},
};

/// Rows of the comment box.
const COMMENT_ROWS: usize = 3;

/// Stars of a level as text: filled then empty, e.g. "★★★☆☆".
pub fn stars_text(stars: u8) -> String {
    let filled = usize::from(stars.min(MAX_SURVEY_STARS));
    let empty = usize::from(MAX_SURVEY_STARS) - filled;
    format!("{}{}", "★".repeat(filled), "☆".repeat(empty))
}

/// The survey form; the chosen stars and the comment are edited in place.
pub fn survey_ui(ui: &mut Ui, form: &mut SurveyForm, tr: Tr, out: &mut Vec<UiAction>) {
    ui.add_space(8.0);
    ui.heading(tr.survey_title());
    ui.label(tr.survey_question());
    ui.add_space(6.0);
    ui.add_enabled_ui(!form.sending, |ui| {
        for stars in (MIN_SURVEY_STARS..=MAX_SURVEY_STARS).rev() {
            let Some(level) = tr.survey_level(stars) else {
                continue;
            };
            let text = format!("{} {level}", stars_text(stars));
            if ui
                .selectable_label(form.stars == Some(stars), text)
                .clicked()
            {
                form.stars = Some(stars);
            }
        }
        ui.add_space(6.0);
        let label = ui.label(tr.survey_comment());
        ui.add(
            TextEdit::multiline(&mut form.comment)
                .desired_rows(COMMENT_ROWS)
                .desired_width(f32::INFINITY)
                .char_limit(COMMENT_LIMIT),
        )
        .labelled_by(label.id);
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            if ui.button(tr.survey_submit()).clicked() {
                out.push(UiAction::SubmitSurvey);
            }
            if ui.button(tr.survey_skip()).clicked() {
                out.push(UiAction::SkipSurvey);
            }
        });
    });
    if form.sending {
        ui.label(tr.survey_sending());
    }
    if let Some(error) = &form.error {
        let text = match error {
            SurveyFormError::PickStars => tr.survey_pick_stars().to_owned(),
            SurveyFormError::CommentTooLong => tr.survey_comment_too_long(COMMENT_LIMIT),
            SurveyFormError::Failed(e) => tr.request_failed(&tr.request_error(e)),
        };
        ui.label(RichText::new(text).color(ERROR_COLOR));
    }
}
