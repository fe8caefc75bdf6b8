//! How the agent's intents change the [`Workspace`]: [`Workspace::on_ui`].

use porpoise_protocol::wire::{
    rpc, ActionState, AgentChatMessage, CannedScope, Request, SessionId, MAX_CHAT_TEXT_BYTES,
    MIN_PASSWORD_CHARS,
};

use super::{
    check_connection, check_new_password,
    intent::{call, AdminWindow, Effect, Intent},
    AdminDialog, AgentChatLine, CannedEditor, Delivery, HistoryView, Loadable, Loaded,
    SessionCodeDialog, SessionPhase, SettingsDialog, Status, TransferDialog, Workspace,
};
use crate::{
    files::{CommonSend, CommonSendState, FileCommand},
    net::NetCommand,
};

fn send_files(out: &mut Vec<Effect>, cmd: FileCommand) {
    out.push(Effect::Command(NetCommand::Files(cmd)));
}

impl Workspace {
    /// Sends a picture (a PNG/JPEG within the chat limits, of size `image`) into `session_id`'s
    /// chat (A7): shown at once as pending, stored by the relay.
    pub(super) fn send_picture(
        &mut self,
        session_id: SessionId,
        data: Vec<u8>,
        image: porpoise_protocol::wire::ChatImage,
        out: &mut Vec<Effect>,
    ) {
        if let Some(tab) = self.session_mut(session_id) {
            let message_id = porpoise_protocol::wire::MessageId(porpoise_quic::client::random_id());
            tab.push_pending_picture(message_id, image, crate::clock::now_unix_ms());
            call(
                out,
                Request::SendChatImage(rpc::SendChatImage {
                    session_id,
                    message_id,
                    data,
                }),
            );
        }
    }

    /// The size of knowledge-base node `id`'s picture, as last listed (admin page first, then
    /// the agent's quick replies).
    pub(super) fn knowledge_picture_info(
        &self,
        id: porpoise_protocol::wire::KnowledgeNodeId,
    ) -> Option<porpoise_protocol::wire::ChatImage> {
        let admin = match &self.admin {
            Some(AdminDialog::Knowledge(view)) => view.nodes.as_deref(),
            _ => None,
        };
        let agent = match &self.library.knowledge {
            super::Loaded::Ready(base) => Some(base.nodes.as_slice()),
            _ => None,
        };
        [admin, agent]
            .into_iter()
            .flatten()
            .flat_map(|nodes| nodes.iter())
            .find(|n| n.id == id)
            .and_then(|n| n.image)
    }

    /// Applies an intent from a panel; what the app must do next is pushed to `out`.
    pub fn on_ui(&mut self, intent: Intent, out: &mut Vec<Effect>) {
        self.apply_intent(intent, out);
        self.settle();
    }

    fn apply_intent(&mut self, intent: Intent, out: &mut Vec<Effect>) {
        match intent {
            Intent::LogOut => out.push(Effect::LogOut),
            Intent::Accept { ticket_id } => {
                if self.serves() && self.accepting.insert(ticket_id) {
                    self.queue_notice = None;
                    out.push(Effect::Command(NetCommand::Accept { ticket_id }));
                }
            }
            Intent::SetPresence(presence) => {
                self.presence_change = Some((presence, false));
                self.presence_error = None;
                call(
                    out,
                    Request::SetPresence(rpc::SetPresence {
                        presence,
                        automatic: false,
                    }),
                );
            }
            Intent::AutoPresence(presence) => {
                self.presence_change = Some((presence, true));
                call(
                    out,
                    Request::SetPresence(rpc::SetPresence {
                        presence,
                        automatic: true,
                    }),
                );
            }
            Intent::AnswerOffer { offer_id, accept } => {
                if let Some(p) = self
                    .offers
                    .iter_mut()
                    .find(|o| o.offer.offer_id == offer_id)
                {
                    p.answering = true;
                }
                call(
                    out,
                    Request::AnswerOffer(rpc::AnswerOffer { offer_id, accept }),
                );
            }
            Intent::AnswerTransfer {
                transfer_id,
                accept,
            } => {
                if let Some(p) = self
                    .transfers
                    .iter_mut()
                    .find(|t| t.offer.transfer_id == transfer_id)
                {
                    p.answering = true;
                }
                call(
                    out,
                    Request::AnswerTransfer(rpc::AnswerTransfer {
                        transfer_id,
                        accept,
                    }),
                );
            }
            Intent::OpenSettings { lang } => {
                self.settings_dialog =
                    Some(SettingsDialog::new(self.auto_away_min).with_prefs(&self.prefs, lang));
            }
            Intent::RequestSessionCode => {
                self.session_code = Some(SessionCodeDialog::Requesting);
                call(out, Request::CreateSessionCode(rpc::CreateSessionCode));
            }
            Intent::CloseSessionCode => self.session_code = None,
            Intent::OpenAdmin(window) => self.open_admin(window, out),
            Intent::OpenAgentChat(peer) => {
                self.open_chat = Some(peer);
                self.agent_chats.entry(peer).or_default().unread = 0;
            }
            Intent::CloseAgentChat => self.open_chat = None,
            Intent::EditAgentChatDraft(text) => {
                if let Some(peer) = self.open_chat {
                    self.agent_chats.entry(peer).or_default().draft = text;
                }
            }
            Intent::SendAgentChat => self.send_agent_chat(out),
            Intent::ShowHandledOffline(show) => {
                self.offline.show_handled = show;
                if show {
                    call(
                        out,
                        Request::ListOfflineMessages(rpc::ListOfflineMessages {
                            include_handled: true,
                        }),
                    );
                }
            }
            Intent::SelectOffline(id) => {
                if self.offline.selected != Some(id) {
                    self.offline.note.clear();
                }
                self.offline.selected = Some(id);
            }
            Intent::EditOfflineNote(note) => self.offline.note = note,
            Intent::MarkOfflineHandled(id) => {
                let ob = &mut self.offline;
                ob.handling = Some(id);
                ob.error = None;
                let note = ob.note.trim().to_owned();
                call(
                    out,
                    Request::HandleOfflineMessage(rpc::HandleOfflineMessage { id, note }),
                );
            }
            Intent::PickTransferTarget(target) => {
                if let Some(d) = self.transfer_dialog.as_mut() {
                    d.target = Some(target);
                }
            }
            Intent::EditTransferNote(note) => {
                if let Some(d) = self.transfer_dialog.as_mut() {
                    d.note = note;
                }
            }
            Intent::SendTransfer => self.send_transfer(out),
            Intent::CloseTransferDialog => self.transfer_dialog = None,
            Intent::EditSettings(d) => {
                if self.settings_dialog.is_some() {
                    self.settings_dialog = Some(*d);
                }
            }
            Intent::SetSounds(on) => self.prefs.sounds = on,
            Intent::SetLanguage(lang) => {
                self.prefs.language = Some(crate::prefs::language_code(lang).to_owned());
            }
            Intent::SetChatFontSize(size) => self.prefs.chat_font_size = size,
            Intent::SetRemoteWindow(layout) => self.prefs.remote_window = layout.sanitized(),
            Intent::SaveAutoAway => {
                if let Some(d) = self.settings_dialog.as_mut() {
                    d.auto_away_status = Status::Busy;
                    let minutes = d.auto_away_on.then_some(d.auto_away_min);
                    call(out, Request::SetAutoAway(rpc::SetAutoAway { minutes }));
                }
            }
            Intent::SaveConnection { lang } => {
                if let Some(d) = self.settings_dialog.as_mut() {
                    match check_connection(lang, d) {
                        Ok(fingerprint) => {
                            d.connection_error = None;
                            self.prefs.relay_addr = Some(d.relay_addr.trim().to_owned());
                            self.prefs.fingerprint = Some(fingerprint);
                        }
                        Err(e) => d.connection_error = Some(e),
                    }
                }
            }
            Intent::ChangePassword { lang } => {
                if let Some(d) = self.settings_dialog.as_mut() {
                    match check_new_password(lang, d) {
                        Ok(()) => {
                            d.password_status = Status::Busy;
                            call(
                                out,
                                Request::ChangePassword(rpc::ChangePassword {
                                    old: d.old_password.clone(),
                                    new: d.new_password.clone(),
                                }),
                            );
                        }
                        Err(e) => d.password_status = Status::Failed(e),
                    }
                }
            }
            Intent::CloseSettings => self.settings_dialog = None,
            Intent::EditAdmin(dialog) => {
                if self.admin.is_some() {
                    self.admin = Some(*dialog);
                }
            }
            Intent::RefreshLogins => {
                if let Some(AdminDialog::Logins { status, .. }) = self.admin.as_mut() {
                    *status = Status::Busy;
                    call(out, Request::ListLogins(rpc::ListLogins));
                }
            }
            Intent::RefreshAuditLog => {
                if let Some(AdminDialog::AuditLog { status, .. }) = self.admin.as_mut() {
                    *status = Status::Busy;
                    call(out, audit_page(None));
                }
            }
            Intent::OlderAuditLog => {
                if let Some(AdminDialog::AuditLog {
                    rows: Some(rows),
                    status,
                    ..
                }) = self.admin.as_mut()
                {
                    if let Some(last) = rows.last() {
                        *status = Status::Busy;
                        call(out, audit_page(Some(last.seq)));
                    }
                }
            }
            Intent::KickLogin(agent_id) => {
                if let Some(AdminDialog::Logins { status, .. }) = self.admin.as_mut() {
                    *status = Status::Busy;
                    call(out, Request::KickLogin(rpc::KickLogin { agent_id }));
                }
            }
            Intent::ResetPassword { lang } => {
                if let Some(AdminDialog::ResetPassword {
                    agent_id: Some(agent_id),
                    password,
                    status,
                }) = self.admin.as_mut()
                {
                    if password.chars().count() < MIN_PASSWORD_CHARS {
                        *status = Status::Failed(crate::i18n::password_too_short(lang));
                    } else {
                        *status = Status::Busy;
                        call(
                            out,
                            Request::ResetPassword(rpc::ResetPassword {
                                agent_id: *agent_id,
                                new_password: password.clone(),
                            }),
                        );
                    }
                }
            }
            Intent::SaveCenterSettings => {
                if let Some(AdminDialog::CenterSettings {
                    draft: Some(draft),
                    status,
                }) = self.admin.as_mut()
                {
                    *status = Status::Busy;
                    let settings = (**draft).clone();
                    call(
                        out,
                        Request::UpdateCenterSettings(rpc::UpdateCenterSettings(settings)),
                    );
                }
            }
            Intent::CloseAdmin => self.admin = None,
            Intent::RefreshDirectory => {
                if let Some(AdminDialog::Directory(view)) = self.admin.as_mut() {
                    view.status = Status::Busy;
                    call(out, Request::ListAccounts(rpc::ListAccounts));
                }
            }
            Intent::SaveAccount => {
                if let Some(AdminDialog::Directory(view)) = self.admin.as_mut() {
                    view.save_account(out);
                }
            }
            Intent::SaveBranding => {
                if let Some(AdminDialog::Branding {
                    draft: Some(draft),
                    status,
                    ..
                }) = self.admin.as_mut()
                {
                    *status = Status::Busy;
                    let branding = (**draft).clone();
                    call(out, Request::SaveBranding(rpc::SaveBranding { branding }));
                }
            }
            Intent::UploadCommonFile { name, bytes } => {
                if matches!(self.admin, Some(AdminDialog::CommonFiles { .. })) {
                    self.start_upload(name, bytes, out);
                }
            }
            Intent::UploadUnreadable(why) => {
                if let Some(AdminDialog::CommonFiles { status, .. }) = self.admin.as_mut() {
                    *status = Status::Failed(why);
                }
            }
            Intent::DeleteCommonFile(name) => {
                if let Some(AdminDialog::CommonFiles {
                    status,
                    confirm_delete,
                    ..
                }) = self.admin.as_mut()
                {
                    *status = Status::Busy;
                    *confirm_delete = None;
                    call(
                        out,
                        Request::DeleteCommonFile(rpc::DeleteCommonFile { name }),
                    );
                }
            }
            Intent::RefreshCommonFiles => {
                call(out, Request::ListCommonFiles(rpc::ListCommonFiles));
            }
            Intent::RefreshKnowledge => {
                if let Some(AdminDialog::Knowledge(view)) = self.admin.as_mut() {
                    view.status = Status::Busy;
                    call(out, Request::ListKnowledgeAdmin(rpc::ListKnowledgeAdmin));
                }
            }
            Intent::SaveKnowledge { lang } => {
                if let Some(AdminDialog::Knowledge(view)) = self.admin.as_mut() {
                    if view.save(out).is_err() {
                        view.status =
                            Status::Failed(crate::i18n::Msg::BadDate.text(lang).to_owned());
                    }
                }
            }
            Intent::MoveKnowledge { id, parent, index } => {
                if let Some(AdminDialog::Knowledge(view)) = self.admin.as_mut() {
                    view.move_node(id, parent, index, out);
                }
            }
            Intent::DeleteKnowledge(id) => {
                if let Some(AdminDialog::Knowledge(view)) = self.admin.as_mut() {
                    view.status = Status::Busy;
                    view.confirm_delete = false;
                    call(
                        out,
                        Request::DeleteKnowledgeNode(rpc::DeleteKnowledgeNode { id }),
                    );
                }
            }
            Intent::SetKnowledgePicture { id, data } => {
                if let Some(AdminDialog::Knowledge(view)) = self.admin.as_mut() {
                    view.status = Status::Busy;
                    call(
                        out,
                        Request::SetKnowledgeImage(rpc::SetKnowledgeImage {
                            id,
                            data: data.map(|d| d.0.to_vec()),
                        }),
                    );
                }
            }
            Intent::KnowledgePictureUnreadable(why) => {
                if let Some(AdminDialog::Knowledge(view)) = self.admin.as_mut() {
                    view.status = Status::Failed(why);
                }
            }
            Intent::FetchKnowledgePicture(id) => {
                call(
                    out,
                    Request::GetKnowledgeImage(rpc::GetKnowledgeImage { id }),
                );
            }
            Intent::SendKnowledgePicture { session_id, id } => {
                self.library.picture_sends.push((id, session_id));
                call(
                    out,
                    Request::GetKnowledgeImage(rpc::GetKnowledgeImage { id }),
                );
            }
            Intent::RefreshIntegration => {
                if let Some(AdminDialog::Integrations { status, .. }) = self.admin.as_mut() {
                    *status = Status::Busy;
                    call(out, Request::GetIntegration(rpc::GetIntegration));
                }
            }
            Intent::RotateSigningKey => {
                if let Some(AdminDialog::Integrations {
                    status,
                    confirm_rotate,
                    ..
                }) = self.admin.as_mut()
                {
                    *status = Status::Busy;
                    *confirm_rotate = false;
                    call(out, Request::RotateSigningKey(rpc::RotateSigningKey));
                }
            }
            Intent::SaveWebhook => {
                if let Some(AdminDialog::Integrations { status, draft, .. }) = self.admin.as_mut() {
                    *status = Status::Busy;
                    let webhook = draft.clone();
                    call(out, Request::SaveWebhook(rpc::SaveWebhook { webhook }));
                }
            }
            Intent::SendTestWebhook => {
                if let Some(AdminDialog::Integrations { status, .. }) = self.admin.as_mut() {
                    *status = Status::Busy;
                    call(out, Request::SendTestWebhook(rpc::SendTestWebhook));
                }
            }
            Intent::RetryDelivery(id) => {
                if let Some(AdminDialog::Integrations { status, .. }) = self.admin.as_mut() {
                    *status = Status::Busy;
                    call(out, Request::RetryDelivery(rpc::RetryDelivery { id }));
                }
            }
            Intent::RefreshBlocks => {
                if let Some(AdminDialog::Blocklist { status, .. }) = self.admin.as_mut() {
                    *status = Status::Busy;
                    call(out, Request::ListBlocks(rpc::ListBlocks));
                }
            }
            Intent::AddBlock { expires_at, lang } => {
                if let Some(AdminDialog::Blocklist {
                    target,
                    reason,
                    status,
                    ..
                }) = self.admin.as_mut()
                {
                    match super::parse_block_target(target) {
                        Some(target) => {
                            *status = Status::Busy;
                            call(
                                out,
                                Request::AddBlock(rpc::AddBlock {
                                    target,
                                    reason: reason.trim().to_owned(),
                                    expires_at,
                                }),
                            );
                        }
                        None => {
                            let text = crate::i18n::Msg::BadBlockTarget.text(lang);
                            *status = Status::Failed(text.into());
                        }
                    }
                }
            }
            Intent::RemoveBlock(block_id) => {
                if let Some(AdminDialog::Blocklist {
                    status,
                    confirm_remove,
                    ..
                }) = self.admin.as_mut()
                {
                    *confirm_remove = None;
                    *status = Status::Busy;
                    call(out, Request::RemoveBlock(rpc::RemoveBlock { block_id }));
                }
            }
            Intent::BlockCustomer { expires_at } => {
                if let Some(AdminDialog::BlockCustomer {
                    session_id,
                    by_address,
                    reason,
                    status,
                    ..
                }) = self.admin.as_mut()
                {
                    *status = Status::Busy;
                    let by = if *by_address {
                        porpoise_protocol::wire::BlockBy::Address
                    } else {
                        porpoise_protocol::wire::BlockBy::Install
                    };
                    call(
                        out,
                        Request::BlockCustomer(rpc::BlockCustomer {
                            block: porpoise_protocol::wire::SessionBlock {
                                session_id: *session_id,
                                by,
                            },
                            reason: reason.trim().to_owned(),
                            expires_at,
                        }),
                    );
                }
            }
            Intent::SaveRole => {
                if let Some(AdminDialog::Directory(view)) = self.admin.as_mut() {
                    view.save_role(out);
                }
            }
            Intent::SaveDirectoryEntry => {
                if let Some(AdminDialog::Directory(view)) = self.admin.as_mut() {
                    view.save_entry(out);
                }
            }
            Intent::MoveDirectoryEntry { index, up } => {
                if let Some(AdminDialog::Directory(view)) = self.admin.as_mut() {
                    view.move_entry(index, up, out);
                }
            }
            Intent::SetAccountStatus { agent_id, status } => {
                if let Some(AdminDialog::Directory(view)) = self.admin.as_mut() {
                    view.set_status(agent_id, status, out);
                }
            }
            Intent::SelectTab(id) => self.selected = Some(id),
            Intent::HideTab(id) => self.hide_tab(id),
            Intent::ShowTab(id) => self.show_tab(id),
            Intent::CloseTab(id) => {
                let open = self
                    .sessions
                    .iter()
                    .any(|t| t.session_id == id && t.phase == SessionPhase::Open);
                if open {
                    self.confirm_close = Some(id);
                } else {
                    self.close_tab(id);
                }
            }
            Intent::EndAndClose => {
                if let Some(id) = self.confirm_close.take() {
                    if let Some(tab) = self.session_mut(id) {
                        tab.close_on_end = true;
                        out.push(Effect::Command(NetCommand::EndSession { session_id: id }));
                    }
                }
            }
            Intent::KeepTab => self.confirm_close = None,
            Intent::EndSession(session_id) => {
                out.push(Effect::Command(NetCommand::EndSession { session_id }));
            }
            Intent::OpenTransferDialog(session_id) => {
                self.transfer_dialog = Some(TransferDialog {
                    session_id,
                    target: None,
                    note: String::new(),
                    status: Status::Idle,
                });
            }
            Intent::RequestAction { session_id, action } => {
                if let Some(tab) = self.session_mut(session_id) {
                    // Shown as requested at once; the relay's ActionChanged confirms or
                    // corrects it.
                    tab.actions.insert(action, ActionState::Requested);
                    tab.notice = None;
                    out.push(Effect::Command(NetCommand::RequestAction {
                        session_id,
                        action,
                    }));
                }
            }
            Intent::StopAction { session_id, action } => {
                out.push(Effect::Command(NetCommand::StopAction {
                    session_id,
                    action,
                }));
            }
            Intent::PushSurvey(session_id) => {
                call(out, Request::PushSurvey(rpc::PushSurvey { session_id }));
            }
            Intent::ShowSystemInfo { session_id, open } => {
                if let Some(view) = self.system_info_mut(session_id) {
                    view.open = open;
                }
            }
            Intent::SortProcesses { session_id, column } => {
                if let Some(view) = self.system_info_mut(session_id) {
                    view.sort.click(column);
                }
            }
            Intent::SystemInfoCopied(session_id) => {
                if let Some(view) = self.system_info_mut(session_id) {
                    view.copied = true;
                }
            }
            Intent::TabNotice { session_id, text } => {
                if let Some(tab) = self.session_mut(session_id) {
                    tab.notice = text;
                }
            }
            Intent::EditDraft { session_id, text } => {
                if let Some(tab) = self.session_mut(session_id) {
                    tab.draft = text;
                }
            }
            Intent::SendChat(session_id) => self.send_chat(session_id, out),
            Intent::SendPicture {
                session_id,
                data,
                image,
            } => self.send_picture(session_id, data, image, out),
            Intent::DropFiles { session_id, paths } => {
                let granted = self.session(session_id).is_some_and(|t| {
                    t.action(porpoise_protocol::wire::RemoteAction::FileTransfer)
                        == ActionState::Granted
                });
                if granted {
                    self.files.notice = None;
                    send_files(out, FileCommand::Send { session_id, paths });
                } else {
                    self.files.notice = Some((session_id, crate::i18n::Msg::FilesNeedConsent));
                }
            }
            Intent::EditFilePaths { session_id, text } => {
                self.files.drafts.insert(session_id, text);
            }
            Intent::SendFilePaths(session_id) => {
                let draft = self.files.drafts.entry(session_id).or_default();
                let paths = crate::files::parse_paths(draft);
                if !paths.is_empty() {
                    draft.clear();
                    send_files(out, FileCommand::Send { session_id, paths });
                }
            }
            Intent::ShowCommonFiles => call(out, Request::ListCommonFiles(rpc::ListCommonFiles)),
            Intent::SendCommonFile { session_id, name } => {
                self.files.common_sent.push(CommonSend {
                    session_id,
                    name: name.clone(),
                    state: CommonSendState::Offering,
                });
                call(
                    out,
                    Request::SendCommonFile(rpc::SendCommonFile { session_id, name }),
                );
            }
            Intent::ClearFinishedFiles(session_id) => self.files.list.clear_finished(session_id),
            Intent::ResumeFiles(session_id) => {
                send_files(out, FileCommand::Resume { session_id });
            }
            Intent::CancelFile(id) => send_files(out, FileCommand::Cancel { id }),
            Intent::AnswerFile(id, accept) => {
                send_files(out, FileCommand::Answer { id, accept });
            }
            Intent::FetchPicture {
                session_id,
                message_id,
            } => call(
                out,
                Request::GetChatImage(rpc::GetChatImage {
                    session_id,
                    message_id,
                }),
            ),
            Intent::LoadCustomerProfile(session_id) => {
                if let Some(tab) = self.session_mut(session_id) {
                    if tab.customer.profile == Loadable::NotAsked {
                        tab.customer.profile = Loadable::Loading;
                        call(
                            out,
                            Request::GetCustomerProfile(rpc::GetCustomerProfile { session_id }),
                        );
                    }
                }
            }
            Intent::ReloadCustomerProfile(session_id) => {
                if let Some(tab) = self.session_mut(session_id) {
                    tab.customer.profile = Loadable::NotAsked;
                }
            }
            Intent::ShowCustomerView { session_id, view } => {
                if let Some(tab) = self.session_mut(session_id) {
                    tab.customer.view = view;
                }
            }
            Intent::HideCustomerPanel(session_id) => {
                if let Some(tab) = self.session_mut(session_id) {
                    tab.customer.hidden = true;
                }
            }
            Intent::ShowCustomerPanel(session_id) => {
                if let Some(tab) = self.session_mut(session_id) {
                    tab.customer.hidden = false;
                    self.library.open = false;
                }
            }
            Intent::EditCard { session_id, card } => {
                if let Some(tab) = self.session_mut(session_id) {
                    tab.customer.card = *card;
                }
            }
            Intent::SaveCard { session_id, lang } => {
                if let Some(tab) = self.session_mut(session_id) {
                    let panel = &mut tab.customer;
                    match panel.card.validate() {
                        Err(_) => {
                            let text = crate::i18n::Msg::RecTooLong.text(lang).to_owned();
                            panel.card_status = Status::Failed(text);
                        }
                        Ok(()) => {
                            panel.card_status = Status::Busy;
                            call(
                                out,
                                Request::SaveVisitorCard(rpc::SaveVisitorCard {
                                    session_id,
                                    card: panel.card.clone(),
                                }),
                            );
                        }
                    }
                }
            }
            Intent::SetCustomerTags { session_id, tags } => {
                if let Some(tab) = self.session_mut(session_id) {
                    tab.customer.customer_tags = tags.clone();
                    tab.customer.tags_status = Status::Idle;
                    call(
                        out,
                        Request::SetCustomerTags(rpc::SetCustomerTags { session_id, tags }),
                    );
                }
            }
            Intent::LoadContext(session_id) => {
                if let Some(tab) = self.session_mut(session_id) {
                    if tab.customer.context == Loadable::NotAsked {
                        tab.customer.context = Loadable::Loading;
                        call(
                            out,
                            Request::FetchCustomerContext(rpc::FetchCustomerContext { session_id }),
                        );
                    }
                }
            }
            Intent::ReloadContext(session_id) => {
                if let Some(tab) = self.session_mut(session_id) {
                    tab.customer.context = Loadable::NotAsked;
                }
            }
            Intent::SendContextItem { session_id, index } => {
                self.send_context_item(session_id, index, out);
            }
            Intent::OpenRecord(session_id) => {
                let fresh = self
                    .session(session_id)
                    .map(super::form_for)
                    .unwrap_or_default();
                self.records
                    .open(session_id, fresh, crate::clock::now_unix_ms());
            }
            Intent::EditRecordForm(form) => {
                if let Some(d) = self.records.dialog.as_mut() {
                    d.form = *form;
                }
            }
            Intent::SaveRecord { lang } => {
                let policy = &self.settings.records;
                if let Some(d) = self.records.dialog.as_mut() {
                    match d.form.validate(policy) {
                        Err(e) => {
                            let text = crate::ui::record::form_error(lang, &e).to_owned();
                            d.status = Status::Failed(text);
                        }
                        Ok(()) => {
                            d.status = Status::Busy;
                            call(
                                out,
                                Request::SaveSupportRecord(rpc::SaveSupportRecord {
                                    session_id: d.session_id,
                                    form: d.form.clone(),
                                }),
                            );
                        }
                    }
                }
            }
            Intent::FillRecordLater => self.records.fill_later(crate::clock::now_unix_ms()),
            Intent::SkipRecord => self.records.dialog = None,
            Intent::OpenLibrary(open) => self.library.open = open,
            Intent::ShowLibraryTab(tab) => self.library.tab = tab,
            Intent::LoadCanned { refresh } => {
                if refresh || self.library.canned.wants_loading() {
                    self.library.canned = Loaded::Loading;
                    call(out, Request::ListCannedResponses(rpc::ListCannedResponses));
                }
            }
            Intent::LoadKnowledge { refresh } => {
                if refresh || self.library.knowledge.wants_loading() {
                    self.library.knowledge = Loaded::Loading;
                    call(out, Request::ListKnowledgeBase(rpc::ListKnowledgeBase));
                }
            }
            Intent::EditSearch(search) => self.library.search = search,
            Intent::InsertReply { session_id, text } => {
                if let Some(tab) = self.session_mut(session_id) {
                    super::insert_into_draft(&mut tab.draft, &text);
                    // Focusing the chat input lets the agent edit at once.
                    out.push(Effect::FocusChatInput(session_id));
                }
            }
            Intent::NewCanned => {
                if self.library.editor.is_none() {
                    self.library.editor = Some(CannedEditor::new(CannedScope::Personal));
                }
            }
            Intent::EditCanned(item) => {
                self.library.editor = Some(CannedEditor {
                    id: Some(item.id),
                    scope: item.scope,
                    draft: item.draft,
                    status: Status::Idle,
                });
            }
            Intent::EditCannedForm(editor) => {
                if self.library.editor.is_some() {
                    self.library.editor = Some(*editor);
                }
            }
            Intent::SaveCanned { lang } => {
                if let Some(editor) = self.library.editor.as_mut() {
                    let d = &editor.draft;
                    if d.title.trim().is_empty() || d.text.trim().is_empty() {
                        let text = crate::i18n::Msg::TitleAndTextRequired.text(lang);
                        editor.status = Status::Failed(text.into());
                    } else {
                        editor.status = Status::Busy;
                        call(
                            out,
                            Request::SaveCannedResponse(rpc::SaveCannedResponse {
                                id: editor.id,
                                scope: editor.scope,
                                draft: d.clone(),
                            }),
                        );
                    }
                }
            }
            Intent::CloseCannedEditor => self.library.editor = None,
            Intent::DeleteCanned(id) => {
                self.library.deleting = Some(id);
                call(
                    out,
                    Request::DeleteCannedResponse(rpc::DeleteCannedResponse { id }),
                );
            }
            Intent::LoadHistory {
                session_id,
                refresh,
            } => {
                let view = self.library.history_mut(session_id);
                if refresh || view.list.wants_loading() {
                    *view = HistoryView {
                        list: Loaded::Loading,
                        ..HistoryView::default()
                    };
                    call(
                        out,
                        Request::ListServiceHistory(rpc::ListServiceHistory { session_id }),
                    );
                }
            }
            Intent::ReadTranscript {
                session_id,
                past_session_id,
                after,
            } => {
                let t = self
                    .library
                    .history_mut(session_id)
                    .transcripts
                    .entry(past_session_id)
                    .or_default();
                let first = after.is_none() && !t.started && t.error.is_none();
                if !t.loading && (first || after.is_some()) {
                    t.loading = true;
                    call(
                        out,
                        Request::ReadHistoryTranscript(rpc::ReadHistoryTranscript {
                            session_id,
                            past_session_id,
                            after,
                        }),
                    );
                }
            }
            Intent::SendInput { session_id, events } => {
                for event in events {
                    out.push(Effect::Command(NetCommand::Input { session_id, event }));
                }
            }
            Intent::TagMessage {
                session_id,
                message_id,
                tags,
            } => call(
                out,
                Request::SetMessageTags(rpc::SetMessageTags {
                    session_id,
                    message_id,
                    tags,
                }),
            ),
        }
    }

    /// Sends the chat draft of `session_id` (A7), pending until the relay stores it.
    fn send_chat(&mut self, session_id: SessionId, out: &mut Vec<Effect>) {
        let Some(tab) = self.session_mut(session_id) else {
            return;
        };
        if tab.phase != SessionPhase::Open {
            return;
        }
        let text = tab.draft.trim_end().to_owned();
        if text.trim().is_empty() {
            return;
        }
        if text.len() > MAX_CHAT_TEXT_BYTES {
            tab.notice = Some(format!("{} > {MAX_CHAT_TEXT_BYTES} bytes", text.len()));
            return;
        }
        let message_id = porpoise_protocol::wire::MessageId(porpoise_quic::client::random_id());
        tab.push_pending(message_id, text.clone(), crate::clock::now_unix_ms());
        tab.draft.clear();
        out.push(Effect::Command(NetCommand::SendChat {
            session_id,
            message_id,
            text,
        }));
        out.push(Effect::FocusChatInput(session_id));
    }

    /// Sends one loaded context item's text to the chat (A18), pending until stored.
    fn send_context_item(&mut self, session_id: SessionId, index: usize, out: &mut Vec<Effect>) {
        let Some(tab) = self.session_mut(session_id) else {
            return;
        };
        let Loadable::Loaded(items) = &tab.customer.context else {
            return;
        };
        let Some(item) = items.get(index) else {
            return;
        };
        let text = item.text.clone();
        let message_id = porpoise_protocol::wire::MessageId(porpoise_quic::client::random_id());
        tab.push_pending(message_id, text.clone(), crate::clock::now_unix_ms());
        out.push(Effect::Command(NetCommand::SendChat {
            session_id,
            message_id,
            text,
        }));
    }

    fn system_info_mut(&mut self, id: SessionId) -> Option<&mut super::SystemInfoView> {
        self.session_mut(id)?.system_info.as_mut()
    }

    fn open_admin(&mut self, window: AdminWindow, out: &mut Vec<Effect>) {
        self.admin = Some(match window {
            AdminWindow::Logins => {
                call(out, Request::ListLogins(rpc::ListLogins));
                AdminDialog::Logins {
                    logins: None,
                    confirm_kick: None,
                    status: Status::Busy,
                }
            }
            AdminWindow::ResetPassword => AdminDialog::ResetPassword {
                agent_id: None,
                password: String::new(),
                status: Status::Idle,
            },
            AdminWindow::AuditLog => {
                call(out, audit_page(None));
                AdminDialog::AuditLog {
                    rows: None,
                    filter: String::new(),
                    more: false,
                    status: Status::Busy,
                }
            }
            AdminWindow::Branding => {
                call(out, Request::GetBranding(rpc::GetBranding));
                AdminDialog::Branding {
                    draft: None,
                    download_page: None,
                    paths: Default::default(),
                    problems: Default::default(),
                    status: Status::Busy,
                }
            }
            AdminWindow::CommonFiles => {
                call(out, Request::ListCommonFiles(rpc::ListCommonFiles));
                AdminDialog::CommonFiles {
                    path: String::new(),
                    confirm_delete: None,
                    progress: None,
                    status: Status::Idle,
                }
            }
            AdminWindow::Knowledge => {
                AdminDialog::Knowledge(Box::new(super::KnowledgeView::loading(out)))
            }
            AdminWindow::Integrations => {
                call(out, Request::GetIntegration(rpc::GetIntegration));
                AdminDialog::Integrations {
                    page: None,
                    draft: Default::default(),
                    new_key: None,
                    confirm_rotate: false,
                    status: Status::Busy,
                }
            }
            AdminWindow::Blocklist => {
                call(out, Request::ListBlocks(rpc::ListBlocks));
                AdminDialog::Blocklist {
                    rows: None,
                    target: String::new(),
                    reason: String::new(),
                    days: None,
                    confirm_remove: None,
                    status: Status::Busy,
                }
            }
            AdminWindow::BlockCustomer(session_id) => AdminDialog::BlockCustomer {
                session_id,
                customer: self
                    .session(session_id)
                    .map(|t| t.customer_name.clone())
                    .unwrap_or_default(),
                by_address: false,
                reason: String::new(),
                days: None,
                status: Status::Idle,
            },
            AdminWindow::Directory(page) => {
                AdminDialog::Directory(Box::new(super::DirectoryView::loading(page, out)))
            }
            AdminWindow::CenterSettings => {
                call(out, Request::GetCenterSettings(rpc::GetCenterSettings));
                AdminDialog::CenterSettings {
                    draft: None,
                    status: Status::Busy,
                }
            }
        });
    }

    /// Sends the open colleague chat's draft (R9), pending until the relay stores it.
    fn send_agent_chat(&mut self, out: &mut Vec<Effect>) {
        let Some(peer) = self.open_chat else { return };
        let me = self.agent_id;
        let chat = self.agent_chats.entry(peer).or_default();
        if chat.draft.trim().is_empty() || chat.draft.len() > MAX_CHAT_TEXT_BYTES {
            return;
        }
        let text = std::mem::take(&mut chat.draft).trim().to_owned();
        let message_id = porpoise_protocol::wire::MessageId(porpoise_quic::client::random_id());
        chat.lines.push(AgentChatLine {
            message: AgentChatMessage {
                message_id,
                from: me,
                to: peer,
                text: text.clone(),
                sent_at: crate::clock::now_unix_ms(),
            },
            delivery: Delivery::Pending,
        });
        call(
            out,
            Request::SendAgentChat(rpc::SendAgentChat {
                to: peer,
                message_id,
                text,
            }),
        );
    }

    /// Sends the Transfer dialog's request to the receiver picked (A14).
    fn send_transfer(&mut self, out: &mut Vec<Effect>) {
        let Some(dialog) = self.transfer_dialog.as_mut() else {
            return;
        };
        let (Some(target), false) = (dialog.target, dialog.status.busy()) else {
            return;
        };
        dialog.status = Status::Busy;
        call(
            out,
            Request::TransferSession(rpc::TransferSession {
                session_id: dialog.session_id,
                target,
                note: dialog.note.trim().to_owned(),
            }),
        );
    }
}

/// Rows of the audit log asked for at once (R18).
pub(super) const AUDIT_PAGE_ROWS: u32 = 100;

/// The request for the audit-log page older than `before_seq` (the newest with `None`).
fn audit_page(before_seq: Option<i64>) -> Request {
    Request::ListAuditLog(rpc::ListAuditLog {
        before_seq,
        limit: AUDIT_PAGE_ROWS,
    })
}
