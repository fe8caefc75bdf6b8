//! The customer context tab (A18; the 832 manual's 采购人订单 panel): what the center's context
//! endpoint returns for this customer, fetched by the relay, each item with Send to chat.

use egui::RichText;
use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{Request, MAX_CHAT_TEXT_BYTES};
use porpoise_quic::client::random_id;
use porpoise_ui::Language;

use super::{call, Outbox};
use crate::{
    clock,
    i18n::Msg,
    net::NetCommand,
    state::{Loadable, SessionPhase, SessionTab},
};

/// Draws the context items; asks the relay the first time the tab is shown.
pub fn context_ui(ui: &mut egui::Ui, lang: Language, tab: &mut SessionTab, outbox: &mut Outbox) {
    let session_id = tab.session_id;
    if tab.customer.context == Loadable::NotAsked {
        tab.customer.context = Loadable::Loading;
        call(
            outbox,
            Request::FetchCustomerContext(rpc::FetchCustomerContext { session_id }),
        );
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
        tab.customer.context = Loadable::NotAsked;
    }
    if let Some(i) = send {
        let Loadable::Loaded(items) = &tab.customer.context else {
            return;
        };
        let text = items[i].text.clone();
        let message_id = random_id();
        tab.push_pending(message_id, text.clone(), clock::now_unix_ms());
        outbox.push(NetCommand::SendChat {
            session_id,
            message_id,
            text,
        });
    }
}
