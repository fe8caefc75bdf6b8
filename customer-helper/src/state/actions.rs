//! How user actions change [`HelperState`].

use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{ActionState, AgentId, MessageId, Request, MAX_CHAT_TEXT_BYTES};
use porpoise_quic::client::random_id;

use super::{
    Effect, FormError, HelperState, MessageOrigin, Notice, PendingChat, ServiceState, UiAction,
};
use crate::net::NetCommand;

fn request(out: &mut Vec<Effect>, r: Request) {
    out.push(Effect::Command(NetCommand::Request(r)));
}

impl HelperState {
    /// Applies a user action.
    pub fn on_ui(&mut self, action: UiAction, out: &mut Vec<Effect>) {
        match action {
            UiAction::SubmitForm => self.submit_form(None, out),
            UiAction::PickAgent(agent_id) => self.submit_form(Some(agent_id), out),
            UiAction::LeaveQueue => {
                if let ServiceState::Queued(spot) = self.service {
                    self.service = ServiceState::Leaving(spot);
                    request(out, Request::LeaveQueue(rpc::LeaveQueue));
                }
            }
            UiAction::OpenMessageForm => self.open_message_form(),
            UiAction::CancelMessage => {
                if let ServiceState::Message(origin) = &self.service {
                    self.service = match origin {
                        MessageOrigin::Queue(spot) => ServiceState::Queued(*spot),
                        MessageOrigin::Closed(_) | MessageOrigin::Request => ServiceState::Form,
                    };
                }
            }
            UiAction::SendMessage => self.send_message(out),
            UiAction::DraftChanged => self.preview_draft(out),
            UiAction::SendChat => self.send_chat(out),
            UiAction::SendPicture(data) => self.send_picture(data, out),
            UiAction::PictureFailed(why) => self.notice = Some(Notice::PictureFailed(why)),
            UiAction::TranscriptSaved(path) => self.notice = Some(Notice::TranscriptSaved(path)),
            UiAction::EndSession => {
                if let Some(s) = self.session() {
                    let session_id = s.session_id;
                    request(out, Request::EndSession(rpc::EndSession { session_id }));
                }
            }
            UiAction::Answer { action, grant } => {
                if let ServiceState::Serving(s) = &mut self.service {
                    if s.prompts.contains(&action) {
                        s.prompts.retain(|a| *a != action);
                        let session_id = s.session_id;
                        request(
                            out,
                            Request::AnswerConsent(rpc::AnswerConsent {
                                session_id,
                                action,
                                grant,
                            }),
                        );
                    }
                }
            }
            UiAction::StopSharing => self.stop_sharing(out),
            UiAction::Revoke(action) => self.revoke(action, out),
            UiAction::ShareScreen => self.share_screen(out),
            UiAction::SubmitSurvey => self.submit_survey(out),
            UiAction::SkipSurvey => self.survey = None,
            UiAction::RequestAgain => {
                if matches!(
                    self.service,
                    ServiceState::Ended { .. } | ServiceState::MessageLeft
                ) {
                    self.service = ServiceState::Form;
                    if !self.center_open() {
                        self.message.prefill(&self.form, &self.question);
                    }
                }
            }
            UiAction::Retry => out.push(Effect::Command(NetCommand::Reconnect)),
            UiAction::DismissNotice => self.notice = None,
        }
    }

    /// Requests service by the center's mode; `picked` is the showcase card clicked.
    pub(super) fn submit_form(&mut self, picked: Option<AgentId>, out: &mut Vec<Effect>) {
        if self.service != ServiceState::Form || !self.center_open() {
            return;
        }
        let Some(options) = &self.options else {
            return;
        };
        let checked = self
            .form
            .validate()
            .and_then(|(name, phone)| Ok((name, phone, self.form.route(options, picked)?)));
        match checked {
            Ok((name, phone, route)) => {
                self.form.error = None;
                self.service = ServiceState::Requesting;
                request(
                    out,
                    Request::RequestService(rpc::RequestService { name, phone, route }),
                );
            }
            Err(e) => self.form.error = Some(e),
        }
    }

    fn open_message_form(&mut self) {
        let origin = match &self.service {
            ServiceState::Queued(spot) => MessageOrigin::Queue(*spot),
            ServiceState::Form => MessageOrigin::Request,
            _ => return,
        };
        self.message.prefill(&self.form, &self.question);
        self.service = ServiceState::Message(origin);
    }

    fn send_message(&mut self, out: &mut Vec<Effect>) {
        let origin = match &self.service {
            ServiceState::Message(origin) => origin.clone(),
            ServiceState::Form if !self.center_open() => MessageOrigin::Closed(
                self.options
                    .as_ref()
                    .map(|o| o.closed_reply.clone())
                    .unwrap_or_default(),
            ),
            _ => return,
        };
        match self.message.validate() {
            Ok((name, contact, text)) => {
                self.message.error = None;
                self.service = ServiceState::SendingMessage(origin);
                request(
                    out,
                    Request::LeaveOfflineMessage(rpc::LeaveOfflineMessage {
                        name,
                        contact,
                        text,
                    }),
                );
            }
            Err(e) => self.message.error = Some(e),
        }
    }

    /// Asks the network side to show the current draft to the agent; it throttles (R10).
    fn preview_draft(&mut self, out: &mut Vec<Effect>) {
        let ServiceState::Serving(s) = &self.service else {
            return;
        };
        let mut text = s.draft.clone();
        if text.len() > MAX_CHAT_TEXT_BYTES {
            let mut end = MAX_CHAT_TEXT_BYTES;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
        }
        out.push(Effect::Command(NetCommand::TypingPreview {
            session_id: s.session_id,
            text,
        }));
    }

    pub(super) fn send_chat(&mut self, out: &mut Vec<Effect>) {
        let ServiceState::Serving(s) = &mut self.service else {
            return;
        };
        let text = s.draft.trim_end().to_owned();
        if text.trim().is_empty() {
            return;
        }
        if text.len() > MAX_CHAT_TEXT_BYTES {
            self.notice = Some(Notice::MessageTooLong);
            return;
        }
        s.draft.clear();
        let (session_id, message_id) = (s.session_id, MessageId(random_id()));
        s.pending.push(PendingChat {
            message_id,
            text: text.clone(),
            picture: None,
        });
        request(
            out,
            Request::SendChat(rpc::SendChat {
                session_id,
                message_id,
                text,
            }),
        );
        // The box is empty now: the agent's preview clears.
        out.push(Effect::Command(NetCommand::TypingPreview {
            session_id,
            text: String::new(),
        }));
    }

    /// Sends an encoded picture as a chat message (C4): checked with `chat_image::probe`,
    /// shown pending at once, resent after a reconnect until the relay stores it.
    pub(super) fn send_picture(&mut self, data: Vec<u8>, out: &mut Vec<Effect>) {
        let ServiceState::Serving(s) = &mut self.service else {
            return;
        };
        let info = match porpoise_codec::chat_image::probe(&data) {
            Ok(info) => info,
            Err(e) => {
                self.notice = Some(Notice::PictureInvalid(e.into()));
                return;
            }
        };
        let pending = PendingChat {
            message_id: MessageId(random_id()),
            text: String::new(),
            picture: Some(super::PendingPicture { info, data }),
        };
        request(out, pending.request(s.session_id));
        s.pending.push(pending);
    }

    /// Stops every granted action locally first, then tells the relay.
    pub(super) fn stop_sharing(&mut self, out: &mut Vec<Effect>) {
        let ServiceState::Serving(s) = &mut self.service else {
            return;
        };
        let granted = s.granted();
        let session_id = s.session_id;
        for a in &granted {
            s.actions.insert(*a, ActionState::Stopped);
        }
        out.push(Effect::Command(NetCommand::StopSharing { session_id }));
        for action in granted {
            request(
                out,
                Request::StopAction(rpc::StopAction { session_id, action }),
            );
        }
    }

    /// A relay answer to a service request that the form shows (bad code, throttled).
    pub(super) fn form_refused(&mut self, error: FormError) {
        self.form.error = Some(error);
        if self.service == ServiceState::Requesting {
            self.service = ServiceState::Form;
        }
    }
}
