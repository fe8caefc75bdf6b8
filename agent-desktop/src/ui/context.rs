//! The customer context tab (A18; the 832 manual's 采购人订单 panel): what the center's context
//! endpoint returns for this customer, fetched by the relay, each item with Send to chat.

use egui::RichText;
use porpoise_protocol::wire::MAX_CHAT_TEXT_BYTES;
use porpoise_ui::Language;

use crate::{
    i18n::Msg,
    state::{Intent, Loadable, SessionPhase, SessionTab},
};

/// Draws the context items; asks for them the first time the tab is shown
/// ([`Intent::LoadContext`]). Send to chat is [`Intent::SendContextItem`].
pub fn context_ui(ui: &mut egui::Ui, lang: Language, tab: &SessionTab, intents: &mut Vec<Intent>) {
    let session_id = tab.session_id;
    if tab.customer.context == Loadable::NotAsked {
        intents.push(Intent::LoadContext(session_id));
    }
    let mut refresh = false;
    let mut send = None;
    let open = tab.phase == SessionPhase::Open;
    match &tab.customer.context {
        Loadable::NotAsked | Loadable::Loading => {
            ui.label(RichText::new(Msg::Loading.text(lang)).weak());
        }
        Loadable::Failed(e) => {
            ui.label(RichText::new(e).color(ui.visuals().error_fg_color));
            refresh = ui.button(Msg::Refresh.text(lang)).clicked();
        }
        Loadable::Loaded(items) => {
            refresh = ui.button(Msg::Refresh.text(lang)).clicked();
            if items.is_empty() {
                ui.label(RichText::new(Msg::CtxEmpty.text(lang)).weak());
            }
            for (i, item) in items.iter().enumerate() {
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    ui.label(RichText::new(&item.title).strong());
                    for f in &item.fields {
                        ui.label(format!("{}：{}", f.label, f.value));
                    }
                    let sendable = open && !item.text.trim().is_empty();
                    if sendable
                        && item.text.len() <= MAX_CHAT_TEXT_BYTES
                        && ui
                            .button(Msg::CtxSendToChat.text(lang))
                            .on_hover_text(&item.text)
                            .clicked()
                    {
                        send = Some(i);
                    }
                });
            }
        }
    }
    if refresh {
        intents.push(Intent::ReloadContext(session_id));
    }
    if let Some(index) = send {
        intents.push(Intent::SendContextItem { session_id, index });
    }
}
