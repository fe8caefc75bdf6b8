//! Applying network events and request answers to the work area.

use porpoise_shared::{
    ui::Language,
    wire::{ActionState, Event, Party, RemoteAction, Request, Response, TransferOutcome},
};
use tracing::debug;

use crate::{
    i18n::{self, Msg},
    net::{Call, CallError, NetCommand, NetEvent},
    notify::Notifier,
    state::{
        Delivery, ScreenView, SessionCodeDialog, SessionPhase, Status, TransferPrompt, Workspace,
    },
    ui::Outbox,
};

/// What the event handlers need besides the workspace.
pub(super) struct Ctx<'a> {
    pub lang: Language,
    pub notifier: &'a mut Notifier,
    pub outbox: &'a mut Outbox,
    /// UI clock, seconds.
    pub now_s: f64,
    /// The console's window has the keyboard focus (desktop notifications only when not).
    pub focused: bool,
}

/// Applies a network event about the work area.
pub(super) fn apply_to_workspace(ws: &mut Workspace, event: NetEvent, cx: &mut Ctx<'_>) {
    match event {
        NetEvent::Relay(e) => apply_relay_event(ws, e, cx),
        NetEvent::Answered { call, result } => apply_answer(ws, call, result, cx),
        NetEvent::SessionStarted(info) => ws.open_session(info),
        NetEvent::AcceptFailed { ticket_id, error } => {
            ws.accepting.remove(&ticket_id);
            ws.queue_notice = Some(error);
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
                tab.fail(message_id, error);
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
                tab.notice = Some(error);
            }
        }
        NetEvent::ScreenStarted { session_id, feed } => ws.start_screen(session_id, feed),
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
                for entry in &fresh {
                    cx.notifier.customer_queued(lang, entry, len, cx.focused);
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
        Event::PresenceChanged { presence } => {
            ws.presence = Some(presence);
            ws.presence_change = None;
        }
        Event::OfferReceived(_) | Event::TransferOffered(_) if !ws.serves() => {
            debug!("offer to an account that serves nobody; ignored");
        }
        Event::OfferReceived(offer) => {
            let body = i18n::offer_body(lang, &offer.customer_name, &offer.customer_phone);
            cx.notifier
                .alert(Msg::OfferTitle.text(lang), &body, cx.focused);
            ws.add_offer(offer, cx.now_s);
        }
        Event::OfferWithdrawn { offer_id, reason } => {
            if let Some(i) = ws.offers.iter().position(|o| o.offer.offer_id == offer_id) {
                let prompt = ws.offers.remove(i);
                let text = i18n::offer_withdrawn(lang, &prompt.offer.customer_name, reason);
                ws.notify(text, cx.now_s);
            }
        }
        Event::TransferOffered(offer) => {
            let from = ws.agent_name(offer.from_agent).unwrap_or("?").to_owned();
            let body = i18n::transfer_from(lang, &from, &offer.session.customer_name);
            cx.notifier
                .alert(Msg::TransferRequest.text(lang), &body, cx.focused);
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
        Event::OfflineMessagesChanged { pending } => {
            ws.offline.pending = pending;
            if ws.offline.show_handled {
                let body = Request::ListOfflineMessages {
                    include_handled: true,
                };
                cx.outbox.push(NetCommand::Call(Call(body)));
            }
        }
        Event::CenterSettingsChanged(settings) => ws.settings = settings,
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
                    cx.notifier
                        .customer_message(cx.lang, &tab.customer_name, &text, cx.focused);
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
                debug!(session_id, ?action, ?state, ?by, "action changed");
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
    transfer_id: u64,
    session_id: u64,
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

/// Applies the answer to a [`NetCommand::Call`].
fn apply_answer(
    ws: &mut Workspace,
    call: Call,
    result: Result<Response, CallError>,
    cx: &mut Ctx<'_>,
) {
    let lang = cx.lang;
    let error = |e: &CallError| i18n::call_error(lang, e);
    match (call.0, result) {
        (
            Request::SendChatImage {
                session_id,
                message_id,
                ..
            },
            result,
        ) => {
            if let Some(tab) = ws.session_mut(session_id) {
                match result {
                    Ok(Response::ChatStored(message)) => {
                        tab.store(message);
                    }
                    Ok(_) => {}
                    Err(e) => tab.fail(message_id, error(&e)),
                }
            }
        }
        (
            Request::GetChatImage {
                session_id,
                message_id,
            },
            result,
        ) => match result {
            Ok(Response::ChatImageData { data, .. }) => {
                ws.pictures.insert((session_id, message_id), &data)
            }
            Ok(_) => {}
            Err(e) => ws.pictures.failed((session_id, message_id), error(&e)),
        },
        (Request::ListPendingRecords, Ok(Response::PendingRecords(items))) => {
            let required = ws.settings.records.prompt
                == porpoise_shared::wire::RecordPrompt::RequiredAtSessionEnd;
            ws.records.restore(items, required);
        }
        (Request::ListPendingRecords, _) => {}
        (Request::ListCommonFiles, Ok(Response::CommonFiles(files))) => {
            ws.files.common = Some(files);
            ws.files.common_error = None;
        }
        (Request::ListCommonFiles, result) => {
            ws.files.common_error = Some(match result {
                Err(e) => error(&e),
                Ok(other) => format!("{other:?}"),
            });
        }
        (Request::SendCommonFile { session_id, name }, Err(e)) => {
            let state = crate::files::CommonSendState::Refused(error(&e));
            ws.files.common_update(session_id, &name, state);
        }
        (Request::SendCommonFile { .. }, Ok(_)) => {}
        (Request::PushSurvey { session_id }, result) => {
            if let Some(tab) = ws.session_mut(session_id) {
                match result {
                    Ok(_) => {
                        if tab.survey == crate::state::SurveyStatus::None {
                            tab.survey = crate::state::SurveyStatus::Pushed;
                        }
                    }
                    Err(e) => tab.notice = Some(error(&e)),
                }
            }
        }
        (Request::SetPresence { presence, .. }, result) => {
            ws.presence_change = None;
            match result {
                Ok(_) => {
                    ws.presence = Some(presence);
                    ws.presence_error = None;
                }
                Err(e) => ws.presence_error = Some(error(&e)),
            }
        }
        (Request::AnswerOffer { offer_id, .. }, result) => {
            ws.offers.retain(|o| o.offer.offer_id != offer_id);
            match result {
                Ok(Response::SessionStarted(info)) => ws.open_session(info),
                Ok(_) => {}
                Err(e) => ws.notify(error(&e), cx.now_s),
            }
        }
        (Request::CreateSessionCode, result) => {
            ws.session_code = Some(match result {
                Ok(Response::SessionCode { code, expires_at }) => {
                    SessionCodeDialog::Shown { code, expires_at }
                }
                Ok(other) => SessionCodeDialog::Failed(format!("{other:?}")),
                Err(e) => SessionCodeDialog::Failed(error(&e)),
            });
        }
        (Request::TransferSession { session_id, .. }, result) => match result {
            Ok(_) => {
                ws.transfer_dialog = None;
                if let Some(tab) = ws.session_mut(session_id) {
                    tab.transferring = true;
                    tab.notice = None;
                }
            }
            Err(e) => {
                if let Some(d) = ws.transfer_dialog.as_mut() {
                    d.status = Status::Failed(error(&e));
                }
            }
        },
        (Request::AnswerTransfer { transfer_id, .. }, result) => {
            ws.transfers.retain(|t| t.offer.transfer_id != transfer_id);
            if let Err(e) = result {
                ws.notify(error(&e), cx.now_s);
            }
        }
        (Request::SendAgentChat { to, message_id, .. }, result) => {
            let chat = ws.agent_chats.entry(to).or_default();
            match result {
                Ok(Response::AgentChatStored(m)) => {
                    chat.store(m);
                }
                Ok(_) => {}
                Err(e) => {
                    if let Some(line) = chat
                        .lines
                        .iter_mut()
                        .find(|l| l.message.message_id == message_id)
                    {
                        line.delivery = Delivery::Failed(error(&e));
                    }
                }
            }
        }
        (Request::ListOfflineMessages { include_handled }, result) => match result {
            Ok(Response::OfflineMessages(list)) if include_handled => ws.offline.all = list,
            Ok(Response::OfflineMessages(list)) => ws.offline.pending = list,
            Ok(_) => {}
            Err(e) => ws.offline.error = Some(error(&e)),
        },
        (Request::HandleOfflineMessage { id, .. }, result) => {
            ws.offline.handling = None;
            match result {
                Ok(_) => {
                    ws.offline.pending.retain(|m| m.id != id);
                    ws.offline.note.clear();
                    ws.offline.error = None;
                    if ws.offline.show_handled {
                        let body = Request::ListOfflineMessages {
                            include_handled: true,
                        };
                        cx.outbox.push(NetCommand::Call(Call(body)));
                    } else {
                        ws.offline.selected = None;
                    }
                }
                Err(e) => ws.offline.error = Some(error(&e)),
            }
        }
        (Request::SetAutoAway { minutes }, result) => {
            let status = match result {
                Ok(_) => {
                    ws.auto_away_min = minutes;
                    Status::Done(Msg::Saved.text(lang).to_owned())
                }
                Err(e) => Status::Failed(error(&e)),
            };
            if let Some(d) = ws.settings_dialog.as_mut() {
                d.auto_away_status = status;
            }
        }
        (Request::ChangePassword { .. }, result) => {
            if let Some(d) = ws.settings_dialog.as_mut() {
                d.password_status = match result {
                    Ok(_) => {
                        d.old_password.clear();
                        d.new_password.clear();
                        d.repeat_password.clear();
                        Status::Done(Msg::PasswordChanged.text(lang).to_owned())
                    }
                    Err(e) => Status::Failed(error(&e)),
                };
            }
        }
        (body, result) if super::records::is_records_request(&body) => {
            super::records::apply_records_answer(ws, body, result, lang)
        }
        (body, result) if super::library::is_library_request(&body) => {
            super::library::apply_library_answer(ws, body, result, lang)
        }
        (body, result) => super::admin::apply_admin_answer(ws, body, result, lang),
    }
}
