//! Consent prompts (C5) and the always-visible sharing banner with Stop.

use egui::{Color32, RichText, Ui};
use porpoise_shared::wire::RemoteAction;

use crate::{i18n::Tr, state::UiAction};

/// Background of the sharing banner: hard to miss.
const BANNER_FILL: Color32 = Color32::from_rgb(192, 32, 32);
/// Background of the Accept button.
const ACCEPT_FILL: Color32 = Color32::from_rgb(30, 120, 60);
/// Background of a consent prompt.
const PROMPT_FILL: Color32 = Color32::from_rgb(255, 244, 214);

/// The frame of the banner panel.
pub(crate) fn banner_frame() -> egui::Frame {
    egui::Frame::new().fill(BANNER_FILL).inner_margin(8)
}

/// The banner shown while `action` runs: what the agent can do, and Stop.
pub fn banner_ui(ui: &mut Ui, tr: Tr, agent: &str, action: RemoteAction, out: &mut Vec<UiAction>) {
    ui.horizontal(|ui| {
        ui.label(
            RichText::new(format!("● {}", tr.sharing_banner(agent, action)))
                .color(Color32::WHITE)
                .strong(),
        );
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button(RichText::new(tr.stop()).strong()).clicked() {
                out.push(UiAction::StopSharing);
            }
        });
    });
}

/// One prompt per requested action, each with Accept and Reject.
pub fn consent_ui(
    ui: &mut Ui,
    tr: Tr,
    agent: &str,
    prompts: &[RemoteAction],
    out: &mut Vec<UiAction>,
) {
    for action in prompts {
        egui::Frame::new()
            .fill(PROMPT_FILL)
            .inner_margin(10)
            .corner_radius(6)
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.label(RichText::new(tr.consent_question(agent, *action)).color(Color32::BLACK));
                ui.add_space(6.0);
                ui.horizontal(|ui| {
                    let accept = egui::Button::new(
                        RichText::new(tr.accept()).strong().color(Color32::WHITE),
                    )
                    .fill(ACCEPT_FILL);
                    if ui.add(accept).clicked() {
                        out.push(UiAction::Answer {
                            action: *action,
                            grant: true,
                        });
                    }
                    if ui.button(tr.reject()).clicked() {
                        out.push(UiAction::Answer {
                            action: *action,
                            grant: false,
                        });
                    }
                });
            });
        ui.add_space(4.0);
    }
}
