//! Consent prompts (C5) and the always-visible sharing banner with Stop.

use egui::{Color32, RichText, Ui};
use porpoise_protocol::wire::RemoteAction;

use crate::{i18n::Tr, state::UiAction};

/// Background of the sharing banner: hard to miss.
const BANNER_FILL: Color32 = Color32::from_rgb(192, 32, 32);
/// Background of the Accept button.
const ACCEPT_FILL: Color32 = Color32::from_rgb(30, 120, 60);
/// Background of a consent prompt.
const PROMPT_FILL: Color32 = Color32::from_rgb(255, 244, 214);

/// A consent prompt's Accept works only this long after the prompts appeared or changed, s:
/// an agent cannot stop one request and send another under the customer's cursor so that a
/// click meant for the first grants the second (issue 14).
pub const CONSENT_ARM_S: f64 = 1.0;

/// Where the prompts last shown, and since when (egui time, s), are kept.
fn armed_id() -> egui::Id {
    egui::Id::unique("consent-prompts-shown-since")
}

/// No prompt is shown: the next one starts its [`CONSENT_ARM_S`] afresh.
pub fn forget_prompts(ctx: &egui::Context) {
    ctx.data_mut(|d| d.remove::<(Vec<RemoteAction>, f64)>(armed_id()));
}

/// True once `prompts` have been on screen unchanged for [`CONSENT_ARM_S`]; until then a
/// repaint is asked for the moment they arm.
fn prompts_armed(ui: &Ui, prompts: &[RemoteAction]) -> bool {
    let now = ui.input(|i| i.time);
    let shown: Option<(Vec<RemoteAction>, f64)> = ui.data(|d| d.get_temp(armed_id()));
    let since = match shown {
        Some((shown, since)) if shown == prompts => since,
        _ => {
            ui.data_mut(|d| d.insert_temp(armed_id(), (prompts.to_vec(), now)));
            now
        }
    };
    let left = CONSENT_ARM_S - (now - since);
    if left > 0.0 {
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_secs_f64(left));
        false
    } else {
        true
    }
}

/// The frame of the banner panel.
pub(crate) fn banner_frame() -> egui::Frame {
    egui::Frame::new().fill(BANNER_FILL).inner_margin(8)
}

/// The banner shown while `action` runs: what the agent can do, and Stop. Stop comes first and
/// the text wraps, so both stay visible however narrow the window is (the window itself is kept
/// above the others while sharing, see `app.rs`).
pub fn banner_ui(ui: &mut Ui, tr: Tr, agent: &str, action: RemoteAction, out: &mut Vec<UiAction>) {
    ui.horizontal(|ui| {
        if ui.button(RichText::new(tr.stop()).strong()).clicked() {
            out.push(UiAction::StopSharing);
        }
        ui.add(
            egui::Label::new(
                RichText::new(format!("● {}", tr.sharing_banner(agent, action)))
                    .color(Color32::WHITE)
                    .strong(),
            )
            .wrap(),
        );
    });
}

/// One prompt per requested action, each with Accept and Reject. Accept is off for
/// [`CONSENT_ARM_S`] after the prompts appear or change; Reject always works.
pub fn consent_ui(
    ui: &mut Ui,
    tr: Tr,
    agent: &str,
    prompts: &[RemoteAction],
    out: &mut Vec<UiAction>,
) {
    let armed = prompts_armed(ui, prompts);
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
                    if ui.add_enabled(armed, accept).clicked() {
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

/// The live permissions panel (已授权, C5): every action the agent holds now, each with its own
/// Revoke button (revoking one leaves the others), and "Share my screen" while the screen is
/// not shared.
pub fn permissions_ui(
    ui: &mut Ui,
    tr: Tr,
    actions: &std::collections::BTreeMap<RemoteAction, porpoise_protocol::wire::ActionState>,
    out: &mut Vec<UiAction>,
) {
    use porpoise_protocol::wire::ActionState;
    let granted: Vec<RemoteAction> = actions
        .iter()
        .filter(|(_, s)| **s == ActionState::Granted)
        .map(|(a, _)| *a)
        .collect();
    let screen_shared = granted
        .iter()
        .any(|a| matches!(a, RemoteAction::ViewDesktop | RemoteAction::RemoteControl));
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(format!("{}:", tr.permissions_heading())).strong());
        if granted.is_empty() {
            ui.label(tr.permissions_none());
        }
        for action in granted {
            if ui.button(tr.revoke_action(action)).clicked() {
                out.push(UiAction::Revoke(action));
            }
        }
        if !screen_shared && ui.button(tr.share_my_screen()).clicked() {
            out.push(UiAction::ShareScreen);
        }
    });
}
