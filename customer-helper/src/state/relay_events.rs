//! How pushed relay events change [`HelperState`].

use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{ActionState, Event, MessageId, Party, RemoteAction, Request};
use porpoise_quic::client::random_id;

use super::{Effect, HelperState, MessageOrigin, Notice, PendingChat, ServiceState, Session};
use crate::net::NetCommand;

impl HelperState {
    pub(super) fn on_relay_event(&mut self, event: Event, out: &mut Vec<Effect>) {
        match event {
            Event::QueuePosition {
                position,
                estimated_wait_s,
            } => match &mut self.service {
                ServiceState::Requesting => {
                    self.service = ServiceState::Queued(super::QueueSpot {
                        position,
                        estimated_wait_s,
                    });
                }
                ServiceState::Queued(spot)
                | ServiceState::Leaving(spot)
                | ServiceState::Message(MessageOrigin::Queue(spot)) => {
                    spot.position = position;
                    spot.estimated_wait_s = estimated_wait_s;
                }
                _ => {}
            },
            Event::ServiceOptionsChanged(options) => self.set_options(options),
            Event::SessionStarted(info) => {
                if self.session().map(|s| s.session_id) != Some(info.session_id) {
                    let mut session = Session::from_info(info);
                    self.send_question(&mut session, out);
                    self.service = ServiceState::Serving(session);
                }
            }
            Event::ChatReceived {
                session_id,
                message,
            } => {
                if let Some(s) = self.session_mut(session_id) {
                    s.push_message(message);
                }
            }
            Event::AgentChanged {
                session_id,
                agent_name,
            } => {
                if let Some(s) = self.session_mut(session_id) {
                    s.change_agent(agent_name);
                    // Consent was given to the previous agent: the new one must ask again.
                    if s.sharing().is_some() {
                        self.stop_sharing(out);
                        self.notice = Some(Notice::SharingStoppedByTransfer);
                    }
                }
            }
            Event::ConsentRequested { session_id, action } => {
                if let Some(s) = self.session_mut(session_id) {
                    if !s.prompts.contains(&action) {
                        s.prompts.push(action);
                    }
                    s.actions.insert(action, ActionState::Requested);
                    out.push(Effect::Attention);
                }
            }
            Event::ActionChanged {
                session_id,
                action,
                state,
                ..
            } => {
                if let Some(s) = self.session_mut(session_id) {
                    s.actions.insert(action, state);
                    if state != ActionState::Requested {
                        s.prompts.retain(|a| *a != action);
                    }
                    // A10: the customer just granted it; read and send the report once.
                    if action == RemoteAction::SystemInfo && state == ActionState::Granted {
                        out.push(Effect::Command(NetCommand::ReportSystemInfo { session_id }));
                    }
                    // C8: the customer accepted the reboot; the token comes first.
                    if action == RemoteAction::Reboot && state == ActionState::Granted {
                        let request = Request::RequestReconnectToken(rpc::RequestReconnectToken {
                            session_id,
                        });
                        out.push(Effect::Command(NetCommand::Request(request)));
                    }
                }
            }
            Event::SessionEnded { session_id, by } => {
                if let Some(s) = self.session_mut(session_id) {
                    s.stop_all();
                    let closing = (by == Party::Relay).then(|| s.closing_text()).flatten();
                    self.service = ServiceState::Ended { closing };
                }
            }
            Event::SurveyRequested { session_id } => self.survey_requested(session_id, out),
            // Agent-side events; a helper never gets them.
            Event::QueueChanged { .. }
            | Event::AgentsChanged { .. }
            | Event::PresenceChanged { .. }
            | Event::OfferReceived(_)
            | Event::OfferWithdrawn { .. }
            | Event::TransferOffered(_)
            | Event::TransferResolved { .. }
            | Event::SessionTransferredAway { .. }
            | Event::AgentChatReceived(_)
            | Event::TypingPreview { .. }
            | Event::SystemInfoReported { .. }
            | Event::SurveySubmitted { .. }
            | Event::CustomerRebooting { .. }
            | Event::CustomerReconnected { .. }
            | Event::OfflineMessagesChanged { .. }
            | Event::CommonFileSent { .. }
            | Event::CenterSettingsChanged(_)
            | Event::DirectoryChanged { .. }
            | Event::RightsChanged { .. } => {}
        }
    }

    /// The question typed while waiting becomes the first chat message of the session (C3).
    fn send_question(&mut self, session: &mut Session, out: &mut Vec<Effect>) {
        let text = std::mem::take(&mut self.question).trim().to_owned();
        if text.is_empty() || text.len() > porpoise_protocol::wire::MAX_CHAT_TEXT_BYTES {
            return;
        }
        let message_id = MessageId(random_id());
        session.pending.push(PendingChat {
            message_id,
            text: text.clone(),
            picture: None,
        });
        out.push(Effect::Command(NetCommand::Request(Request::SendChat(
            rpc::SendChat {
                session_id: session.session_id,
                message_id,
                text,
            },
        ))));
    }
}
