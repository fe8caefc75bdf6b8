//! Typed answers to the helper's relay requests.
//!
//! Each request the helper sends with [`NetCommand::Request`](crate::net::NetCommand) and whose
//! answer changes the state implements [`Answer`]: its `apply` receives the reply already typed
//! (`Result<R::Reply, RequestFailure>`, the type fixed by the request's [`Rpc`] impl) together
//! with the request itself. [`HelperState::apply_answer`] is the one place where an answer is
//! dispatched, and [`typed_reply`] the one place where a wire [`Response`] is turned into the
//! reply type; no code matches a request against a reply.

use porpoise_protocol::wire::{
    rpc::{self, Rpc},
    ApiError, Request, Response,
};

use super::{Effect, HelperState, Notice, QueueSpot, ServiceState};
use crate::net::{typed_reply, RequestFailure};

/// What the helper does with the reply to one request type.
pub(super) trait Answer: Rpc {
    /// Applies `reply` (typed by the request) to the state. By default a failure becomes a
    /// notice and a success needs nothing.
    fn apply(
        self,
        reply: Result<Self::Reply, RequestFailure>,
        s: &mut HelperState,
        _out: &mut Vec<Effect>,
    ) {
        notify_failure(reply, s);
    }
}

/// Declares the requests the helper answers and dispatches a wire answer to their [`Answer`].
macro_rules! answers {
    ($($name:ident),* $(,)?) => {
        impl HelperState {
            /// Applies the answer to a request: decodes the reply as the request's `Reply`
            /// type ([`ApiError::Protocol`] if the relay sent another) and hands it to the
            /// request's [`Answer`]. A failed request the helper has no answer for is a notice.
            pub(super) fn apply_answer(
                &mut self,
                request: Request,
                result: Result<Response, RequestFailure>,
                out: &mut Vec<Effect>,
            ) {
                match request {
                    $(Request::$name(req) => {
                        let reply = typed_reply::<rpc::$name>(result);
                        req.apply(reply, self, out);
                    })*
                    other => {
                        tracing::debug!(request = other.name(), "answer to a request the state does not handle");
                        if let Err(e) = result {
                            self.notice = Some(Notice::RequestFailed(e));
                        }
                    }
                }
            }
        }
    };
}

answers!(
    RedeemReconnectToken,
    RequestReconnectToken,
    RequestService,
    LeaveQueue,
    LeaveOfflineMessage,
    SendChat,
    SendChatImage,
    EndSession,
    StopAction,
    StartAction,
    AnswerConsent,
    SubmitSurvey,
    TypingPreview,
    ReportSystemInfo,
);

/// A request whose failure is only told to the customer.
fn notify_failure<T>(reply: Result<T, RequestFailure>, s: &mut HelperState) {
    if let Err(e) = reply {
        s.notice = Some(Notice::RequestFailed(e));
    }
}

impl Answer for rpc::RedeemReconnectToken {
    fn apply(
        self,
        reply: Result<Self::Reply, RequestFailure>,
        s: &mut HelperState,
        out: &mut Vec<Effect>,
    ) {
        match reply {
            Ok(info) => {
                tracing::info!(
                    session_id = %info.session_id,
                    "rejoined the session after the reboot"
                );
                s.notice = None;
                s.resume(Some(info), None, out);
            }
            // Lost before the answer: present it again on the next connection.
            Err(RequestFailure::Connection(_)) => s.reconnect_token = Some(self.token),
            Err(e) => {
                if s.service == ServiceState::Requesting {
                    s.service = ServiceState::Form;
                }
                s.notice = Some(Notice::ReconnectFailed(e));
            }
        }
    }
}

impl Answer for rpc::RequestReconnectToken {
    fn apply(
        self,
        reply: Result<Self::Reply, RequestFailure>,
        s: &mut HelperState,
        out: &mut Vec<Effect>,
    ) {
        match reply {
            Ok(rpc::IssuedReconnectToken { token, .. }) => {
                if s.session_mut(self.session_id).is_some() {
                    out.push(Effect::Reboot { token });
                }
            }
            Err(e) => s.notice = Some(Notice::RequestFailed(e)),
        }
    }
}

impl Answer for rpc::RequestService {
    fn apply(
        self,
        reply: Result<Self::Reply, RequestFailure>,
        s: &mut HelperState,
        _: &mut Vec<Effect>,
    ) {
        match reply {
            Ok(rpc::Queued { position, .. }) => {
                if s.service == ServiceState::Requesting {
                    s.service = ServiceState::Queued(QueueSpot::at(position));
                }
            }
            Err(e) => s.request_refused(e),
        }
    }
}

impl Answer for rpc::LeaveQueue {
    fn apply(
        self,
        reply: Result<Self::Reply, RequestFailure>,
        s: &mut HelperState,
        _: &mut Vec<Effect>,
    ) {
        if let ServiceState::Leaving(spot) = s.service {
            s.service = match reply {
                Ok(()) => ServiceState::Form,
                Err(e) => {
                    s.notice = Some(Notice::RequestFailed(e));
                    ServiceState::Queued(spot)
                }
            };
        }
    }
}

impl Answer for rpc::LeaveOfflineMessage {
    fn apply(
        self,
        reply: Result<Self::Reply, RequestFailure>,
        s: &mut HelperState,
        _: &mut Vec<Effect>,
    ) {
        if let ServiceState::SendingMessage(origin) = &s.service {
            s.service = match reply {
                Ok(()) => {
                    s.message = Default::default();
                    s.question.clear();
                    ServiceState::MessageLeft
                }
                Err(e) => {
                    let origin = origin.clone();
                    s.notice = Some(Notice::RequestFailed(e));
                    ServiceState::Message(origin)
                }
            };
        }
    }
}

/// A chat message or picture (`message_id` of `session_id`) answered: stored in the history,
/// kept pending to be resent (not delivered), or dropped with `notice` (refused).
fn chat_answered(
    s: &mut HelperState,
    session_id: porpoise_protocol::wire::SessionId,
    message_id: porpoise_protocol::wire::MessageId,
    reply: Result<porpoise_protocol::wire::ChatMessage, RequestFailure>,
    notice: fn(RequestFailure) -> Notice,
) {
    match reply {
        Ok(message) => {
            if let Some(session) = s.session_mut(session_id) {
                session.push_message(message);
            }
        }
        // Not delivered: stays pending and is resent after a reconnect.
        Err(RequestFailure::Connection(_)) | Err(RequestFailure::Relay(ApiError::Storage)) => {}
        Err(e) => {
            if let Some(session) = s.session_mut(session_id) {
                session.pending.retain(|p| p.message_id != message_id);
            }
            s.notice = Some(notice(e));
        }
    }
}

impl Answer for rpc::SendChat {
    fn apply(
        self,
        reply: Result<Self::Reply, RequestFailure>,
        s: &mut HelperState,
        _: &mut Vec<Effect>,
    ) {
        chat_answered(
            s,
            self.session_id,
            self.message_id,
            reply,
            Notice::RequestFailed,
        );
    }
}

impl Answer for rpc::SendChatImage {
    fn apply(
        self,
        reply: Result<Self::Reply, RequestFailure>,
        s: &mut HelperState,
        _: &mut Vec<Effect>,
    ) {
        chat_answered(
            s,
            self.session_id,
            self.message_id,
            reply,
            Notice::PictureRefused,
        );
    }
}

impl Answer for rpc::EndSession {
    fn apply(
        self,
        reply: Result<Self::Reply, RequestFailure>,
        s: &mut HelperState,
        _: &mut Vec<Effect>,
    ) {
        match reply {
            Ok(()) => {
                if s.session_mut(self.session_id).is_some() {
                    s.service = ServiceState::Ended { closing: None };
                }
            }
            Err(e) => s.notice = Some(Notice::RequestFailed(e)),
        }
    }
}

impl Answer for rpc::StopAction {
    fn apply(
        self,
        reply: Result<Self::Reply, RequestFailure>,
        s: &mut HelperState,
        _: &mut Vec<Effect>,
    ) {
        match reply {
            // Already stopped by the relay (e.g. after a transfer): nothing to tell.
            Err(RequestFailure::Relay(ApiError::Conflict(_) | ApiError::UnknownSession)) => {}
            other => notify_failure(other, s),
        }
    }
}

/// A failure is a notice.
impl Answer for rpc::StartAction {}

/// A failure is a notice.
impl Answer for rpc::AnswerConsent {}

impl Answer for rpc::SubmitSurvey {
    fn apply(
        self,
        reply: Result<Self::Reply, RequestFailure>,
        s: &mut HelperState,
        _: &mut Vec<Effect>,
    ) {
        s.survey_answered(self.session_id, reply);
    }
}

impl Answer for rpc::TypingPreview {
    // A preview is best effort and never stored.
    fn apply(
        self,
        _: Result<Self::Reply, RequestFailure>,
        _: &mut HelperState,
        _: &mut Vec<Effect>,
    ) {
    }
}

impl Answer for rpc::ReportSystemInfo {
    fn apply(
        self,
        reply: Result<Self::Reply, RequestFailure>,
        s: &mut HelperState,
        _: &mut Vec<Effect>,
    ) {
        match reply {
            Ok(()) => {
                if s.session_mut(self.session_id).is_some() {
                    s.notice = Some(Notice::SystemInfoSent);
                }
            }
            Err(e) => s.notice = Some(Notice::RequestFailed(e)),
        }
    }
}
