//! The helper window: panels that read [`HelperState`] and report clicks as [`UiAction`]s.
//!
//! Layout, top to bottom: the sharing banner (while the screen is shared or controlled), the
//! connection and notice lines, consent prompts, then the main area (form, queue, chat).

mod chat;
mod consent;
mod request;
mod status;

use egui::Ui;

use crate::{
    i18n::Tr,
    state::{HelperState, ServiceState, UiAction},
};

pub use chat::chat_ui;
pub use consent::{banner_ui, consent_ui};
pub use request::{ended_ui, form_ui, queue_ui};
pub use status::status_ui;

/// Draws the whole window into `ui`; clicks are pushed to `out`.
pub fn window_ui(
    ui: &mut Ui,
    state: &mut HelperState,
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
        if !session.prompts.is_empty() {
            let (agent, prompts) = (session.agent_name.clone(), session.prompts.clone());
            egui::Panel::top("consent").show(ui, |ui| consent_ui(ui, tr, &agent, &prompts, out));
        }
    }
    let online = matches!(
        state.connection,
        crate::state::ConnectionState::Online { .. }
    );
    egui::CentralPanel::default_margins().show(ui, |ui| match &mut state.service {
        ServiceState::Form => {
            ui.add_enabled_ui(online, |ui| form_ui(ui, &mut state.form, tr, out))
                .inner
        }
        ServiceState::Requesting => {
            ui.label(tr.requesting());
        }
        ServiceState::Queued { position } => {
            let position = *position;
            ui.add_enabled_ui(online, |ui| queue_ui(ui, tr, position, out));
        }
        ServiceState::Leaving { position } => {
            let position = *position;
            ui.add_enabled_ui(false, |ui| queue_ui(ui, tr, position, out));
        }
        ServiceState::Serving(session) => chat_ui(ui, session, tr, online, out),
        ServiceState::Ended => ended_ui(ui, tr, out),
    });
}
