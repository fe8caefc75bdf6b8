//! The helper window: panels that read [`HelperState`] and report clicks as [`UiAction`]s.
//!
//! Layout, top to bottom: the sharing banner (while the screen is shared or controlled), the
//! connection and notice lines, consent prompts, the permissions panel (while served), then the
//! satisfaction survey when asked (C7) or the main area (request screen of the
//! center's service mode, queue, offline message, chat).

pub mod chat;
mod consent;
pub mod demo;
pub mod files;
mod message;
mod photo;
mod queue;
pub mod region;
mod request;
mod showcase;
mod status;
mod survey;

use egui::{Color32, Ui};

use crate::{
    i18n::Tr,
    state::{ConnectionState, HelperState, MessageOrigin, ServiceState, UiAction},
};

pub use chat::{chat_ui, ChatTools};
pub use consent::{banner_ui, consent_ui, permissions_ui, CONSENT_ARM_S};
pub use message::{closed_ui, message_form_ui};
pub use queue::{ended_ui, message_left_ui, queue_ui};
pub use request::request_ui;
pub use showcase::showcase_ui;
pub use status::status_ui;
pub use survey::{stars_text, survey_ui};

/// Colour of error lines.
pub(crate) const ERROR_COLOR: Color32 = Color32::from_rgb(200, 40, 40);

/// Draws the whole window into `ui`; clicks are pushed to `out`.
pub fn window_ui(
    ui: &mut Ui,
    state: &mut HelperState,
    tools: &mut ChatTools,
    tr: Tr,
    relay_addr: &str,
    out: &mut Vec<UiAction>,
) {
    if let Some(session) = state.session() {
        if let Some(action) = session.sharing() {
            let agent = session.agent_name.clone();
            egui::Panel::top("sharing_banner")
                .frame(consent::banner_frame())
                .show(ui, |ui| banner_ui(ui, tr, &agent, action, out));
        }
    }
    egui::Panel::top("status").show(ui, |ui| status_ui(ui, state, tr, relay_addr, out));
    if let ServiceState::Serving(session) = &state.service {
        if session.prompts.is_empty() {
            consent::forget_prompts(ui.ctx());
        } else {
            let (agent, prompts) = (session.agent_name.clone(), session.prompts.clone());
            egui::Panel::top("consent").show(ui, |ui| consent_ui(ui, tr, &agent, &prompts, out));
        }
    }
    if let ServiceState::Serving(session) = &state.service {
        let actions = session.actions.clone();
        egui::Panel::top("permissions").show(ui, |ui| permissions_ui(ui, tr, &actions, out));
    }
    let online = matches!(state.connection, ConnectionState::Online { .. });
    egui::CentralPanel::default_margins().show(ui, |ui| match &mut state.survey {
        // The survey comes first (C7): at the end before the ended screen, or pushed.
        Some(form) => survey_ui(ui, form, tr, out),
        None => main_ui(ui, state, tools, tr, online, out),
    });
}

/// The main area for the current [`ServiceState`].
fn main_ui(
    ui: &mut Ui,
    state: &mut HelperState,
    tools: &mut ChatTools,
    tr: Tr,
    online: bool,
    out: &mut Vec<UiAction>,
) {
    let center = match &state.connection {
        ConnectionState::Online { center_name } => center_name.clone(),
        _ => String::new(),
    };
    match &mut state.service {
        ServiceState::Form => {
            ui.add_enabled_ui(online, |ui| request_ui(ui, state, tr, out));
        }
        ServiceState::Requesting => {
            ui.label(tr.requesting());
        }
        ServiceState::Queued(spot) => {
            let spot = *spot;
            ui.add_enabled_ui(online, |ui| {
                queue_ui(ui, tr, spot, &mut state.question, out)
            });
        }
        ServiceState::Leaving(spot) => {
            let spot = *spot;
            ui.add_enabled_ui(false, |ui| queue_ui(ui, tr, spot, &mut state.question, out));
        }
        ServiceState::Message(origin) => {
            if let MessageOrigin::Closed(reply) = origin {
                message::reply_ui(ui, reply, tr);
            }
            ui.add_enabled_ui(online, |ui| {
                message_form_ui(ui, &mut state.message, tr, true, out)
            });
        }
        ServiceState::SendingMessage(_) => {
            ui.label(tr.sending_message());
        }
        ServiceState::MessageLeft => message_left_ui(ui, tr, out),
        ServiceState::Serving(session) => chat_ui(ui, session, tools, tr, online, &center, out),
        ServiceState::Ended { closing } => ended_ui(ui, tr, closing.as_deref(), out),
    }
}
