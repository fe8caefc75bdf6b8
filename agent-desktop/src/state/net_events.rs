//! How network events and request answers change the [`Workspace`]: [`Workspace::on_net`].

use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    ActionState, Event, Party, RemoteAction, Request, SessionId, TransferId, TransferOutcome,
};
use porpoise_ui::Language;
use tracing::debug;

use super::{
    intent::{call, Effect},
    ScreenView, SessionPhase, TransferPrompt, Workspace,
};
use crate::{
    i18n::{self, Msg},
    net::NetEvent,
};

/// What the event handlers need besides the workspace.
pub(super) struct Ctx<'a> {
    /// The UI language (for the texts of errors and notices).
    pub lang: Language,
    /// UI clock, seconds.
    pub now_s: f64,
    /// Effects for the app to carry out.
    pub out: &'a mut Vec<Effect>,
}

impl Workspace {
    /// Applies a network event about the work area (the app handles the login events itself):
    /// `lang` words errors and notices, `now_s` is the UI clock (s) for countdowns and notices.
    pub fn on_net(&mut self, event: NetEvent, lang: Language, now_s: f64, out: &mut Vec<Effect>) {
        let mut cx = Ctx { lang, now_s, out };
        apply_to_workspace(self, event, &mut cx);
        self.settle();
    }
}

fn apply_to_workspace(ws: &mut Workspace, event: NetEvent, cx: &mut Ctx<'_>) {
    match event {
        NetEvent::Relay(e) => apply_relay_event(ws, e, cx),
        NetEvent::Answered { call, result } => super::answers::apply_answer(ws, call, result, cx),
        NetEvent::SessionStarted(info) => ws.open_session(info),
        NetEvent::AcceptFailed { ticket_id, error } => {
            ws.accepting.remove(&ticket_id);
            ws.queue_notice = Some(i18n::request_error(cx.lang, &error));
        }
        NetEvent::ChatStored {
            session_id,
            message,
        } => {
            if let Some(tab) = ws.session_mut(session_id) {
                tab.store(message);
            }
        }
        NetEvent::ChatFailed {
            session_id,
            message_id,
            error,
        } => {
            if let Some(tab) = ws.session_mut(session_id) {
                tab.fail(message_id, i18n::request_error(cx.lang, &error));
            }
        }
        NetEvent::RequestFailed {
            session_id,
            action,
            error,
        } => {
            if let Some(tab) = ws.session_mut(session_id) {
                if let Some(a) = action {
                    if tab.action(a) == ActionState::Requested {
                        tab.actions.insert(a, ActionState::Stopped);
                    }
                }
                tab.notice = Some(i18n::request_error(cx.lang, &error));
            }
        }
        NetEvent::ScreenStarted { session_id, feed } => ws.start_screen(session_id, feed, cx.out),
        NetEvent::ScreenEnded { session_id, error } => {
            if let Some(tab) = ws.session_mut(session_id) {
                tab.screen = ScreenView::Ended { error };
            }
        }
        NetEvent::File(update) => ws.files.list.apply(update),
        other => debug!(event = ?other, "unexpected event in the work area"),
    }
}

fn apply_relay_event(ws: &mut Workspace, event: Event, cx: &mut Ctx<'_>) {
    let lang = cx.lang;
    match event {
        Event::QueueChanged { queue, count } => {
            let fresh = ws.set_queue(queue);
            ws.queue_count = count;
            let len = count as usize;
            if ws.serves() {
                for entry in fresh {
                    cx.out.push(Effect::CustomerQueued {
                        entry,
                        queue_len: len,
                    });
                }
            }
        }
        Event::CommonFileSent {
            session_id,
            name,
            outcome,
        } => {
            let state = crate::files::CommonSendState::Done(outcome);
            ws.files.common_update(session_id, &name, state);
        }
        Event::AgentsChanged { agents } => ws.agents = agents,
        Event::DirectoryChanged {
            groups,
            product_types,
        } => {
            ws.groups = groups;
            ws.product_types = product_types;
        }
        Event::RightsChanged { role, permissions } => {
            ws.role = Some(role);
            ws.permissions = permissions;
        }
        Event::PresenceChanged { presence } => {
            ws.presence = Some(presence);
            ws.presence_change = None;
        }
        Event::OfferReceived(_) | Event::TransferOffered(_) if !ws.serves() => {
            debug!("offer to an account that serves nobody; ignored");
        }
        Event::OfferReceived(offer) => {
            let body = i18n::offer_body(lang, &offer.customer_name, &offer.customer_phone);
            cx.out.push(Effect::Alert {
                title: Msg::OfferTitle.text(lang).to_owned(),
                body,
            });
            ws.add_offer(offer, cx.now_s);
        }
        Event::OfferWithdrawn { offer_id, reason } => {
            if let Some(i) = ws.offers.iter().position(|o| o.offer.offer_id == offer_id) {
                let prompt = ws.offers.remove(i);
                if let Some(text) = i18n::offer_withdrawn(lang, &prompt.offer.customer_name, reason)
                {
                    ws.notify(text, cx.now_s);
                }
            }
        }
        Event::TransferOffered(offer) => {
            let from = ws.agent_name(offer.from_agent).unwrap_or("?").to_owned();
            let body = i18n::transfer_from(lang, &from, &offer.session.customer_name);
            cx.out.push(Effect::Alert {
                title: Msg::TransferRequest.text(lang).to_owned(),
                body,
            });
            ws.transfers
                .retain(|t| t.offer.transfer_id != offer.transfer_id);
            let deadline_s = cx.now_s + offer.expires_in_ms as f64 / 1000.0;
            ws.transfers.push(TransferPrompt {
                deadline_s,
                total_s: offer.expires_in_ms as f64 / 1000.0,
                offer,
                answering: false,
            });
        }
        Event::TransferResolved {
            transfer_id,
            session_id,
            outcome,
        } => transfer_resolved(ws, transfer_id, session_id, outcome, cx),
        Event::SessionTransferredAway {
            session_id,
            to_agent_name,
        } => {
            if let Some(tab) = ws.sessions.iter().find(|s| s.session_id == session_id) {
                let text = i18n::transferred_away(lang, &tab.customer_name, &to_agent_name);
                ws.notify(text, cx.now_s);
                ws.close_tab(session_id);
            }
        }
        Event::AgentChatReceived(m) => {
            let peer = if m.from == ws.agent_id { m.to } else { m.from };
            let incoming = m.from != ws.agent_id;
            let open = ws.open_chat == Some(peer);
            let chat = ws.agent_chats.entry(peer).or_default();
            if chat.store(m) && incoming && !open {
                chat.unread += 1;
            }
        }
        Event::TypingPreview { session_id, text } => {
            if let Some(tab) = ws.session_mut(session_id) {
                tab.typing = text;
            }
        }
        Event::OfflineMessagesChanged { pending, count } => {
            ws.offline.pending = pending;
            ws.offline.pending_count = count;
            if ws.offline.show_handled {
                let body = Request::ListOfflineMessages(rpc::ListOfflineMessages {
                    include_handled: true,
                });
                call(cx.out, body);
            }
        }
        Event::CenterSettingsChanged(settings) => ws.settings = *settings,
        Event::SessionStarted(info) => ws.open_session(info),
        Event::ChatReceived {
            session_id,
            message,
        } => {
            let selected = ws.selected == Some(session_id);
            if let Some(tab) = ws.session_mut(session_id) {
                let from_customer = message.from == Party::Customer;
                if from_customer {
                    tab.typing.clear();
                }
                let text = if message.image.is_some() {
                    Msg::PictureMessage.text(cx.lang).to_owned()
                } else {
                    message.text.clone()
                };
                let in_front = selected && !tab.hidden;
                if tab.store(message) && from_customer && !in_front {
                    tab.unread += 1;
                    // A3: a message in a tab that is not in front chimes; a desktop
                    // notification too when the console is not focused.
                    cx.out.push(Effect::CustomerMessage {
                        customer_name: tab.customer_name.clone(),
                        text,
                    });
                }
            }
        }
        Event::ActionChanged {
            session_id,
            action,
            state,
            by,
        } => {
            if let Some(tab) = ws.session_mut(session_id) {
                debug!(%session_id, ?action, ?state, ?by, "action changed");
                tab.actions.insert(action, state);
                let viewing = [RemoteAction::ViewDesktop, RemoteAction::RemoteControl]
                    .iter()
                    .any(|a| tab.action(*a) == ActionState::Granted);
                if !viewing && matches!(tab.screen, ScreenView::Ended { .. }) {
                    tab.screen = ScreenView::Off;
                }
            }
        }
        Event::SurveySubmitted { session_id, answer } => {
            if let Some(tab) = ws.session_mut(session_id) {
                tab.survey = crate::state::SurveyStatus::Answered(answer);
            }
        }
        // Customer-side event; an agent never gets it.
        Event::SurveyRequested { .. } => {}
        Event::CustomerRebooting { session_id, until } => {
            if let Some(tab) = ws.session_mut(session_id) {
                tab.reboot = crate::state::RebootWait::Waiting { until };
            }
        }
        Event::CustomerReconnected { session_id } => {
            if let Some(tab) = ws.session_mut(session_id) {
                tab.reboot = crate::state::RebootWait::Reconnected;
            }
        }
        Event::SystemInfoReported { session_id, info } => {
            if let Some(tab) = ws.session_mut(session_id) {
                tab.system_info = Some(crate::state::SystemInfoView::new(*info));
            }
        }
        Event::SessionEnded { session_id, by } => {
            // The support record form (A13) opens before the tab forgets its actions.
            if let Some(tab) = ws.sessions.iter().find(|t| t.session_id == session_id) {
                let now_ms = crate::clock::now_unix_ms();
                ws.records.session_ended(tab, &ws.settings.records, now_ms);
            }
            if let Some(tab) = ws.session_mut(session_id) {
                tab.phase = SessionPhase::Ended { by };
                tab.actions.clear();
                tab.screen = ScreenView::Off;
                tab.typing.clear();
                tab.transferring = false;
            }
        }
        Event::QueuePosition { .. }
        | Event::ConsentRequested { .. }
        | Event::ServiceOptionsChanged(_)
        | Event::AgentChanged { .. } => {
            debug!("customer-side event ignored");
        }
    }
}

fn transfer_resolved(
    ws: &mut Workspace,
    transfer_id: TransferId,
    session_id: SessionId,
    outcome: TransferOutcome,
    cx: &mut Ctx<'_>,
) {
    let before = ws.transfers.len();
    ws.transfers.retain(|t| t.offer.transfer_id != transfer_id);
    if ws.transfers.len() != before {
        return; // the receiver's prompt is gone; an accepted session arrives as SessionStarted
    }
    if let Some(tab) = ws.session_mut(session_id) {
        tab.transferring = false;
        let text = i18n::transfer_outcome(cx.lang, &tab.customer_name, outcome);
        if outcome != TransferOutcome::Accepted {
            tab.notice = Some(text.clone());
        }
        ws.notify(text, cx.now_s);
    }
}
