//! Typed answers to the console's relay requests.
//!
//! Each request the console sends through [`NetCommand::Call`](crate::net::NetCommand::Call) implements [`Answer`]: its
//! `apply` receives the reply already typed (`Result<R::Reply, ApiError>`, the type fixed by
//! the request's [`Rpc`] impl) together with the request itself. [`apply_answer`] is the one
//! place where a wire [`Response`] is turned into that type; no code matches a request against
//! a reply.

use porpoise_protocol::wire::{
    rpc::{self, Reply, Rpc},
    ApiError, RecordPrompt, Request, Response,
};
use tracing::debug;

use super::{
    intent::call, net_events::Ctx, AdminDialog, Delivery, Loadable, Loaded, SessionCodeDialog,
    Status, SurveyStatus, Workspace,
};
use crate::{
    i18n::{self, Msg},
    net::Call,
};

/// What the console does with the reply to one request type.
pub(super) trait Answer: Rpc {
    /// Applies `reply` (typed by the request) to the work area.
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>);
}

/// Declares the requests the console answers and dispatches a wire answer to their [`Answer`].
macro_rules! answers {
    ($($name:ident),* $(,)?) => {
        /// Applies the answer to a [`NetCommand::Call`](crate::net::NetCommand::Call): decodes the reply as the request's
        /// `Reply` type ([`ApiError::Protocol`] if the relay sent another) and hands it to the
        /// request's [`Answer`].
        pub(super) fn apply_answer(
            ws: &mut Workspace,
            call: Call,
            result: Result<Response, ApiError>,
            cx: &mut Ctx<'_>,
        ) {
            match call.0 {
                $(Request::$name(req) => {
                    let reply = result.and_then(|r| {
                        <rpc::$name as Rpc>::Reply::from_response(r).map_err(|other| {
                            debug!(request = stringify!($name), ?other, "reply of the wrong type");
                            ApiError::Protocol
                        })
                    });
                    req.apply(reply, ws, cx);
                })*
                other => debug!(request = other.name(), "answer to a request the console does not send"),
            }
        }
    };
}

answers!(
    SendChatImage,
    GetChatImage,
    ListPendingRecords,
    ListCommonFiles,
    SendCommonFile,
    PushSurvey,
    SetPresence,
    AnswerOffer,
    CreateSessionCode,
    TransferSession,
    AnswerTransfer,
    SendAgentChat,
    ListOfflineMessages,
    HandleOfflineMessage,
    SetAutoAway,
    ChangePassword,
    SaveSupportRecord,
    GetCustomerProfile,
    SaveVisitorCard,
    SetMessageTags,
    SetCustomerTags,
    FetchCustomerContext,
    ListCannedResponses,
    SaveCannedResponse,
    DeleteCannedResponse,
    ListKnowledgeBase,
    ListServiceHistory,
    ReadHistoryTranscript,
    ListLogins,
    ListAuditLog,
    ListAccounts,
    CreateAccount,
    UpdateAccount,
    SetAccountStatus,
    SaveGroup,
    SaveProductType,
    ReorderGroups,
    ReorderProductTypes,
    SaveRole,
    GetBranding,
    SaveBranding,
    ListKnowledgeAdmin,
    UploadCommonFile,
    DeleteCommonFile,
    SaveKnowledgeNode,
    MoveKnowledgeNode,
    DeleteKnowledgeNode,
    SetKnowledgeImage,
    GetKnowledgeImage,
    GetIntegration,
    RotateSigningKey,
    SaveWebhook,
    SendTestWebhook,
    RetryDelivery,
    ListBlocks,
    AddBlock,
    BlockCustomer,
    RemoveBlock,
    KickLogin,
    ResetPassword,
    GetCenterSettings,
    UpdateCenterSettings,
);

fn text(cx: &Ctx<'_>, e: &ApiError) -> String {
    i18n::request_error(cx.lang, e)
}

impl Answer for rpc::SendChatImage {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        if let Some(tab) = ws.session_mut(self.session_id) {
            match reply {
                Ok(message) => {
                    tab.store(message);
                }
                Err(e) => tab.fail(self.message_id, text(cx, &e)),
            }
        }
    }
}

impl Answer for rpc::GetChatImage {
    fn apply(self, reply: Result<Self::Reply, ApiError>, _: &mut Workspace, cx: &mut Ctx<'_>) {
        let key = (self.session_id, self.message_id);
        let result = match reply {
            Ok(picture) => Ok(picture.data),
            Err(e) => Err(text(cx, &e)),
        };
        cx.out.push(super::Effect::PictureFetched { key, result });
    }
}

impl Answer for rpc::ListPendingRecords {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, _: &mut Ctx<'_>) {
        if let Ok(items) = reply {
            let required = ws.settings.records.prompt == RecordPrompt::RequiredAtSessionEnd;
            ws.records.restore(items, required);
        }
    }
}

impl Answer for rpc::ListCommonFiles {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        match reply {
            Ok(files) => {
                ws.files.common = Some(files);
                ws.files.common_error = None;
            }
            Err(e) => ws.files.common_error = Some(text(cx, &e)),
        }
    }
}

impl Answer for rpc::SendCommonFile {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        if let Err(e) = reply {
            let state = crate::files::CommonSendState::Refused(text(cx, &e));
            ws.files.common_update(self.session_id, &self.name, state);
        }
    }
}

impl Answer for rpc::PushSurvey {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        let error = reply.err().map(|e| text(cx, &e));
        if let Some(tab) = ws.session_mut(self.session_id) {
            match error {
                None => {
                    if tab.survey == SurveyStatus::None {
                        tab.survey = SurveyStatus::Pushed;
                    }
                }
                Some(e) => tab.notice = Some(e),
            }
        }
    }
}

impl Answer for rpc::SetPresence {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        ws.presence_change = None;
        match reply {
            Ok(()) => {
                ws.presence = Some(self.presence);
                ws.presence_error = None;
            }
            Err(e) => ws.presence_error = Some(text(cx, &e)),
        }
    }
}

impl Answer for rpc::AnswerOffer {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        ws.offers.retain(|o| o.offer.offer_id != self.offer_id);
        match reply {
            Ok(Some(info)) => ws.open_session(info),
            Ok(None) => {}
            Err(e) => {
                let t = text(cx, &e);
                ws.notify(t, cx.now_s);
            }
        }
    }
}

impl Answer for rpc::CreateSessionCode {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        ws.session_code = Some(match reply {
            Ok(rpc::SessionCode { code, expires_at }) => {
                SessionCodeDialog::Shown { code, expires_at }
            }
            Err(e) => SessionCodeDialog::Failed(text(cx, &e)),
        });
    }
}

impl Answer for rpc::TransferSession {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        match reply {
            Ok(()) => {
                ws.transfer_dialog = None;
                if let Some(tab) = ws.session_mut(self.session_id) {
                    tab.transferring = true;
                    tab.notice = None;
                }
            }
            Err(e) => {
                if let Some(d) = ws.transfer_dialog.as_mut() {
                    d.status = Status::Failed(text(cx, &e));
                }
            }
        }
    }
}

impl Answer for rpc::AnswerTransfer {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        ws.transfers
            .retain(|t| t.offer.transfer_id != self.transfer_id);
        if let Err(e) = reply {
            let t = text(cx, &e);
            ws.notify(t, cx.now_s);
        }
    }
}

impl Answer for rpc::SendAgentChat {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        let chat = ws.agent_chats.entry(self.to).or_default();
        match reply {
            Ok(m) => {
                chat.store(m);
            }
            Err(e) => {
                if let Some(line) = chat
                    .lines
                    .iter_mut()
                    .find(|l| l.message.message_id == self.message_id)
                {
                    line.delivery = Delivery::Failed(text(cx, &e));
                }
            }
        }
    }
}

impl Answer for rpc::ListOfflineMessages {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        match reply {
            Ok(list) if self.include_handled => ws.offline.all = list,
            Ok(list) => ws.offline.pending = list,
            Err(e) => ws.offline.error = Some(text(cx, &e)),
        }
    }
}

impl Answer for rpc::HandleOfflineMessage {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        ws.offline.handling = None;
        match reply {
            Ok(()) => {
                let before = ws.offline.pending.len();
                ws.offline.pending.retain(|m| m.id != self.id);
                if ws.offline.pending.len() < before {
                    ws.offline.pending_count = ws.offline.pending_count.saturating_sub(1);
                }
                ws.offline.note.clear();
                ws.offline.error = None;
                if ws.offline.show_handled {
                    let body = rpc::ListOfflineMessages {
                        include_handled: true,
                    };
                    call(cx.out, body.into());
                } else {
                    ws.offline.selected = None;
                }
            }
            Err(e) => ws.offline.error = Some(text(cx, &e)),
        }
    }
}

impl Answer for rpc::SetAutoAway {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        let status = match reply {
            Ok(()) => {
                ws.auto_away_min = self.minutes;
                Status::Done(Msg::Saved.text(cx.lang).to_owned())
            }
            Err(e) => Status::Failed(text(cx, &e)),
        };
        if let Some(d) = ws.settings_dialog.as_mut() {
            d.auto_away_status = status;
        }
    }
}

impl Answer for rpc::ChangePassword {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        if let Some(d) = ws.settings_dialog.as_mut() {
            d.password_status = match reply {
                Ok(()) => {
                    d.old_password.clear();
                    d.new_password.clear();
                    d.repeat_password.clear();
                    Status::Done(Msg::PasswordChanged.text(cx.lang).to_owned())
                }
                Err(e) => Status::Failed(text(cx, &e)),
            };
        }
    }
}

impl Answer for rpc::SaveSupportRecord {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        let session_id = self.session_id;
        match reply {
            Ok(record) => {
                ws.records.saved(session_id);
                if let Some(tab) = ws.session_mut(session_id) {
                    tab.customer.record = Some(record);
                    tab.notice = Some(Msg::RecSaved.text(cx.lang).to_owned());
                }
            }
            Err(e) => {
                if let Some(d) = ws
                    .records
                    .dialog
                    .as_mut()
                    .filter(|d| d.session_id == session_id)
                {
                    d.status = Status::Failed(text(cx, &e));
                }
            }
        }
    }
}

impl Answer for rpc::GetCustomerProfile {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        let Some(tab) = ws.session_mut(self.session_id) else {
            return;
        };
        match reply {
            Ok(p) => tab.customer.loaded(p),
            Err(e) => tab.customer.profile = Loadable::Failed(text(cx, &e)),
        }
    }
}

impl Answer for rpc::SaveVisitorCard {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        let status = match reply {
            Ok(()) => Status::Done(Msg::CardSaved.text(cx.lang).to_owned()),
            Err(e) => Status::Failed(text(cx, &e)),
        };
        if let Some(tab) = ws.session_mut(self.session_id) {
            tab.customer.card_status = status;
        }
    }
}

impl Answer for rpc::SetMessageTags {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        let error = reply.err().map(|e| text(cx, &e));
        if let Some(tab) = ws.session_mut(self.session_id) {
            match error {
                None => {
                    tab.customer.message_tags.insert(self.message_id, self.tags);
                }
                Some(e) => tab.notice = Some(e),
            }
        }
    }
}

impl Answer for rpc::SetCustomerTags {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        if let Err(e) = reply {
            let status = Status::Failed(text(cx, &e));
            if let Some(tab) = ws.session_mut(self.session_id) {
                tab.customer.tags_status = status;
            }
        }
    }
}

impl Answer for rpc::FetchCustomerContext {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        let context = match reply {
            Ok(items) => Loadable::Loaded(items),
            Err(e) => Loadable::Failed(text(cx, &e)),
        };
        if let Some(tab) = ws.session_mut(self.session_id) {
            tab.customer.context = context;
        }
    }
}

impl Answer for rpc::ListCannedResponses {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        ws.library.canned = match reply {
            Ok(list) => Loaded::Ready(list),
            Err(e) => Loaded::Failed(text(cx, &e)),
        };
    }
}

impl Answer for rpc::SaveCannedResponse {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        match reply {
            Ok(saved) => ws.library.saved(saved),
            Err(e) => {
                if let Some(editor) = ws.library.editor.as_mut() {
                    editor.status = Status::Failed(text(cx, &e));
                }
            }
        }
    }
}

impl Answer for rpc::DeleteCannedResponse {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        match reply {
            Ok(()) => ws.library.deleted(self.id),
            Err(e) => {
                ws.library.deleting = None;
                ws.library.error = Some(text(cx, &e));
            }
        }
    }
}

impl Answer for rpc::ListKnowledgeBase {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        ws.library.knowledge = match reply {
            Ok(base) => Loaded::Ready(base),
            Err(e) => Loaded::Failed(text(cx, &e)),
        };
    }
}

impl Answer for rpc::ListServiceHistory {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        let list = match reply {
            Ok(history) => Loaded::Ready(history),
            Err(e) => Loaded::Failed(text(cx, &e)),
        };
        ws.library.history_mut(self.session_id).list = list;
    }
}

impl Answer for rpc::ReadHistoryTranscript {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        let page = reply.map_err(|e| text(cx, &e));
        ws.library
            .transcript_page(self.session_id, self.past_session_id, page);
    }
}

impl Answer for rpc::ListLogins {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        let reply = reply.map_err(|e| text(cx, &e));
        if let Some(AdminDialog::Logins { logins, status, .. }) = ws.admin.as_mut() {
            match reply {
                Ok(list) => {
                    *logins = Some(list);
                    *status = Status::Idle;
                }
                Err(t) => *status = Status::Failed(t),
            }
        }
    }
}

impl Answer for rpc::ListAuditLog {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        let reply = reply.map_err(|e| text(cx, &e));
        if let Some(AdminDialog::AuditLog {
            rows, more, status, ..
        }) = ws.admin.as_mut()
        {
            match reply {
                Ok(page) => {
                    *more = page.len() as u32 >= self.limit;
                    match (self.before_seq, rows.as_mut()) {
                        (Some(_), Some(shown)) => shown.extend(page),
                        _ => *rows = Some(page),
                    }
                    *status = Status::Idle;
                }
                Err(t) => *status = Status::Failed(t),
            }
        }
    }
}

impl Answer for rpc::ListAccounts {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        let reply = reply.map_err(|e| text(cx, &e));
        if let Some(AdminDialog::Directory(view)) = ws.admin.as_mut() {
            match reply {
                Ok(dir) => {
                    view.dir = Some(dir);
                    if view.status.busy() {
                        view.status = Status::Idle;
                    }
                }
                Err(t) => view.status = Status::Failed(t),
            }
        }
    }
}

/// Applies the answer to a directory write: saved (editors close, the list reloads) or the
/// relay's refusal in the status line.
fn directory_saved(reply: Result<(), ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
    let reply = reply.map_err(|e| text(cx, &e));
    if let Some(AdminDialog::Directory(view)) = ws.admin.as_mut() {
        match reply {
            Ok(()) => view.saved(Msg::Saved.text(cx.lang).to_owned(), cx.out),
            Err(t) => {
                view.status = Status::Failed(t);
                // A refused reorder: show the relay's order again.
                call(cx.out, Request::ListAccounts(rpc::ListAccounts));
            }
        }
    }
}

impl Answer for rpc::CreateAccount {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        if let (Ok(new), Some(AdminDialog::Directory(view))) = (&reply, ws.admin.as_mut()) {
            view.created = new.password.clone().map(|p| (self.username.clone(), p));
        }
        directory_saved(reply.map(drop), ws, cx);
    }
}

impl Answer for rpc::UpdateAccount {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        directory_saved(reply, ws, cx);
    }
}

impl Answer for rpc::SetAccountStatus {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        directory_saved(reply, ws, cx);
    }
}

impl Answer for rpc::SaveGroup {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        directory_saved(reply.map(drop), ws, cx);
    }
}

impl Answer for rpc::SaveProductType {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        directory_saved(reply.map(drop), ws, cx);
    }
}

impl Answer for rpc::GetBranding {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        let reply = reply.map_err(|e| text(cx, &e));
        if let Some(AdminDialog::Branding {
            draft,
            download_page,
            status,
            ..
        }) = ws.admin.as_mut()
        {
            match reply {
                Ok(page) => {
                    let page = *page;
                    *draft = Some(Box::new(page.branding));
                    *download_page = page.download_page;
                    *status = Status::Idle;
                }
                Err(t) => *status = Status::Failed(t),
            }
        }
    }
}

impl Answer for rpc::SaveBranding {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        let outcome = match reply {
            Ok(()) => Status::Done(Msg::Saved.text(cx.lang).to_owned()),
            Err(e) => Status::Failed(text(cx, &e)),
        };
        if let Some(AdminDialog::Branding { status, .. }) = ws.admin.as_mut() {
            *status = outcome;
        }
    }
}

impl Answer for rpc::UploadCommonFile {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        let result = reply.map_err(|e| text(cx, &e));
        let done = Msg::Uploaded.text(cx.lang).to_owned();
        ws.upload_answered(self.data.len() as u64, result, done, cx.out);
    }
}

impl Answer for rpc::DeleteCommonFile {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        if let Some(AdminDialog::CommonFiles { status, .. }) = ws.admin.as_mut() {
            match reply {
                Ok(()) => {
                    *status = Status::Done(Msg::Saved.text(cx.lang).to_owned());
                    call(cx.out, Request::ListCommonFiles(rpc::ListCommonFiles));
                }
                Err(e) => *status = Status::Failed(text(cx, &e)),
            }
        }
    }
}

impl Answer for rpc::ListKnowledgeAdmin {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        let reply = reply.map_err(|e| text(cx, &e));
        if let Some(AdminDialog::Knowledge(view)) = ws.admin.as_mut() {
            match reply {
                Ok(base) => {
                    if view
                        .selected
                        .is_some_and(|s| !base.nodes.iter().any(|n| n.id == s))
                    {
                        view.selected = None;
                    }
                    view.nodes = Some(base.nodes);
                    if view.status.busy() {
                        view.status = Status::Idle;
                    }
                }
                Err(t) => view.status = Status::Failed(t),
            }
        }
    }
}

/// A knowledge-base change answered: the tree reloads, the outcome is shown.
fn knowledge_changed(reply: Result<(), ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
    if let Some(AdminDialog::Knowledge(view)) = ws.admin.as_mut() {
        match reply {
            Ok(()) => {
                view.status = Status::Done(Msg::Saved.text(cx.lang).to_owned());
                call(cx.out, Request::ListKnowledgeAdmin(rpc::ListKnowledgeAdmin));
            }
            Err(e) => view.status = Status::Failed(text(cx, &e)),
        }
    }
}

impl Answer for rpc::SaveKnowledgeNode {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        let reply = match reply {
            Ok(node) => {
                if let Some(AdminDialog::Knowledge(view)) = ws.admin.as_mut() {
                    view.selected = Some(node.id);
                    view.editor = Some(crate::state::KnowledgeEditor::of(&node));
                }
                Ok(())
            }
            Err(e) => Err(e),
        };
        knowledge_changed(reply, ws, cx);
    }
}

impl Answer for rpc::SetKnowledgeImage {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        let reply = match reply {
            Ok(node) => {
                // Shown at once from the admin's own bytes, without a fetch.
                if let (Some(info), Some(data)) = (node.image, self.data) {
                    cx.out.push(super::Effect::KnowledgePictureFetched {
                        key: (node.id, info),
                        result: Ok(data),
                    });
                }
                if let Some(AdminDialog::Knowledge(view)) = ws.admin.as_mut() {
                    if view.editor.as_ref().and_then(|e| e.id) == Some(node.id) {
                        let path = view
                            .editor
                            .as_ref()
                            .map(|e| e.picture_path.clone())
                            .unwrap_or_default();
                        let mut editor = crate::state::KnowledgeEditor::of(&node);
                        editor.picture_path = path;
                        view.editor = Some(editor);
                    }
                }
                Ok(())
            }
            Err(e) => Err(e),
        };
        knowledge_changed(reply, ws, cx);
    }
}

impl Answer for rpc::GetKnowledgeImage {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        let sends: Vec<_> = ws
            .library
            .picture_sends
            .iter()
            .filter(|(id, _)| *id == self.id)
            .map(|(_, session)| *session)
            .collect();
        ws.library.picture_sends.retain(|(id, _)| *id != self.id);
        let info = ws.knowledge_picture_info(self.id);
        match reply {
            Ok(picture) => {
                if let Some(info) = info {
                    for session_id in sends {
                        ws.send_picture(session_id, picture.data.clone(), info, cx.out);
                    }
                    cx.out.push(super::Effect::KnowledgePictureFetched {
                        key: (self.id, info),
                        result: Ok(picture.data),
                    });
                }
            }
            Err(e) => {
                let error = text(cx, &e);
                for session_id in sends {
                    if let Some(tab) = ws.session_mut(session_id) {
                        tab.notice = Some(error.clone());
                    }
                }
                if let Some(info) = info {
                    cx.out.push(super::Effect::KnowledgePictureFetched {
                        key: (self.id, info),
                        result: Err(error),
                    });
                }
            }
        }
    }
}

impl Answer for rpc::MoveKnowledgeNode {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        knowledge_changed(reply, ws, cx);
    }
}

impl Answer for rpc::DeleteKnowledgeNode {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        if reply.is_ok() {
            if let Some(AdminDialog::Knowledge(view)) = ws.admin.as_mut() {
                view.editor = None;
                view.selected = None;
            }
        }
        knowledge_changed(reply, ws, cx);
    }
}

impl Answer for rpc::GetIntegration {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        let reply = reply.map_err(|e| text(cx, &e));
        if let Some(AdminDialog::Integrations {
            page,
            draft,
            status,
            ..
        }) = ws.admin.as_mut()
        {
            match reply {
                Ok(loaded) => {
                    // The first load fills the form; later ones (refresh, after a save) only
                    // the log and the key facts, so that typing is not lost.
                    if page.is_none() {
                        draft.clone_from(&loaded.webhook);
                    }
                    *page = Some(loaded);
                    if status.busy() {
                        *status = Status::Idle;
                    }
                }
                Err(t) => *status = Status::Failed(t),
            }
        }
    }
}

/// An integrations change answered: the page reloads (log, key facts) with the outcome shown.
fn integration_saved(reply: Result<(), ApiError>, done: Msg, ws: &mut Workspace, cx: &mut Ctx<'_>) {
    if let Some(AdminDialog::Integrations { status, .. }) = ws.admin.as_mut() {
        match reply {
            Ok(()) => {
                *status = Status::Done(done.text(cx.lang).to_owned());
                call(cx.out, Request::GetIntegration(rpc::GetIntegration));
            }
            Err(e) => *status = Status::Failed(text(cx, &e)),
        }
    }
}

impl Answer for rpc::RotateSigningKey {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        let reply = match reply {
            Ok(creds) => {
                if let Some(AdminDialog::Integrations { new_key, .. }) = ws.admin.as_mut() {
                    *new_key = Some(creds);
                }
                Ok(())
            }
            Err(e) => Err(e),
        };
        integration_saved(reply, Msg::KeyCreated, ws, cx);
    }
}

impl Answer for rpc::SaveWebhook {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        integration_saved(reply, Msg::Saved, ws, cx);
    }
}

impl Answer for rpc::SendTestWebhook {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        integration_saved(reply, Msg::TestEventQueued, ws, cx);
    }
}

impl Answer for rpc::RetryDelivery {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        integration_saved(reply, Msg::DeliveryQueued, ws, cx);
    }
}

impl Answer for rpc::ListBlocks {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        let reply = reply.map_err(|e| text(cx, &e));
        if let Some(AdminDialog::Blocklist { rows, status, .. }) = ws.admin.as_mut() {
            match reply {
                Ok(list) => {
                    *rows = Some(list);
                    if status.busy() {
                        *status = Status::Idle;
                    }
                }
                Err(t) => *status = Status::Failed(t),
            }
        }
    }
}

/// A block or lift answered: the list reloads, the form clears.
fn blocklist_saved(reply: Result<(), ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
    let reply = reply.map_err(|e| text(cx, &e));
    if let Some(AdminDialog::Blocklist {
        target,
        reason,
        status,
        ..
    }) = ws.admin.as_mut()
    {
        match reply {
            Ok(()) => {
                target.clear();
                reason.clear();
                *status = Status::Done(Msg::Saved.text(cx.lang).to_owned());
                call(cx.out, Request::ListBlocks(rpc::ListBlocks));
            }
            Err(t) => *status = Status::Failed(t),
        }
    }
}

impl Answer for rpc::AddBlock {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        blocklist_saved(reply.map(drop), ws, cx);
    }
}

impl Answer for rpc::RemoveBlock {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        blocklist_saved(reply, ws, cx);
    }
}

impl Answer for rpc::BlockCustomer {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        let outcome = match reply {
            Ok(_) => Status::Done(Msg::CustomerBlocked.text(cx.lang).to_owned()),
            Err(e) => Status::Failed(text(cx, &e)),
        };
        if let Some(AdminDialog::BlockCustomer { status, .. }) = ws.admin.as_mut() {
            *status = outcome;
        }
    }
}

impl Answer for rpc::SaveRole {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        directory_saved(reply.map(drop), ws, cx);
    }
}

impl Answer for rpc::ReorderGroups {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        directory_saved(reply, ws, cx);
    }
}

impl Answer for rpc::ReorderProductTypes {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        directory_saved(reply, ws, cx);
    }
}

impl Answer for rpc::KickLogin {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        let reply = reply.map_err(|e| text(cx, &e));
        if let Some(AdminDialog::Logins { logins, status, .. }) = ws.admin.as_mut() {
            match reply {
                Ok(()) => {
                    if let Some(list) = logins {
                        list.retain(|l| l.agent_id != self.agent_id);
                    }
                    *status = Status::Idle;
                }
                Err(t) => *status = Status::Failed(t),
            }
        }
    }
}

impl Answer for rpc::ResetPassword {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        let outcome = match reply {
            Ok(()) => Ok(Status::Done(Msg::PasswordChanged.text(cx.lang).to_owned())),
            Err(e) => Err(Status::Failed(text(cx, &e))),
        };
        if let Some(AdminDialog::ResetPassword {
            password, status, ..
        }) = ws.admin.as_mut()
        {
            *status = match outcome {
                Ok(done) => {
                    password.clear();
                    done
                }
                Err(failed) => failed,
            };
        }
    }
}

impl Answer for rpc::GetCenterSettings {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        let reply = reply.map_err(|e| text(cx, &e));
        if let Some(AdminDialog::CenterSettings { draft, status }) = ws.admin.as_mut() {
            match reply {
                Ok(s) => {
                    *draft = Some(Box::new(s));
                    *status = Status::Idle;
                }
                Err(t) => *status = Status::Failed(t),
            }
        }
    }
}

impl Answer for rpc::UpdateCenterSettings {
    fn apply(self, reply: Result<Self::Reply, ApiError>, ws: &mut Workspace, cx: &mut Ctx<'_>) {
        let outcome = match reply {
            Ok(()) => {
                ws.settings = self.0;
                Status::Done(Msg::Saved.text(cx.lang).to_owned())
            }
            Err(e) => Status::Failed(text(cx, &e)),
        };
        if let Some(AdminDialog::CenterSettings { status, .. }) = ws.admin.as_mut() {
            *status = outcome;
        }
    }
}
