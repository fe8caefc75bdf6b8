//! Sessions: chat (acknowledged once durable), consent for remote actions, ending, and the media
//! routing check (R13, R14, C5).

use porpoise_codec::chat_image;
use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    ActionState, ApiError, Event, MediaHeader, MediaKind, MessageId, Party, RemoteAction,
    RequestId, Response, SessionId,
};

use super::{
    ChatMessage, ConnId, ConnKind, Connection, Core, ImageBytes, MediaRefusal, MediaRoute, Now,
    PendingChat, PersistToken, Session, StoreOp,
};

/// Framing allowance on top of the file size limit for one file stream, in bytes: the offer,
/// a length prefix and postcard tag per chunk (64 KiB chunks), the end frame. Generous on purpose;
/// it only has to stop a sender that ignores the limit by a wide margin.
pub const FILE_STREAM_OVERHEAD_BYTES: u64 = 1024 * 1024;

const ALL_KINDS: [MediaKind; 5] = MediaKind::ALL;

impl Session {
    /// The party `c` plays in this session, if `c` is its connected agent or customer.
    fn party_of(&self, conn: ConnId, c: &Connection) -> Option<Party> {
        if c.center_id != self.stored.center_id {
            return None;
        }
        match &c.kind {
            ConnKind::Agent { agent_id, .. } if *agent_id == self.stored.agent_id => {
                (self.agent_conn == Some(conn)).then_some(Party::Agent)
            }
            ConnKind::Customer { install_id } if *install_id == self.stored.install_id => {
                (self.customer_conn == Some(conn)).then_some(Party::Customer)
            }
            _ => None,
        }
    }

    fn peer_of(&self, party: Party) -> Option<ConnId> {
        match party {
            Party::Agent => self.customer_conn,
            Party::Customer => self.agent_conn,
            Party::Relay => None,
        }
    }

    pub(super) fn state_of(&self, action: RemoteAction) -> ActionState {
        self.actions
            .get(&action)
            .copied()
            .unwrap_or(ActionState::Stopped)
    }

    /// Whether media of `kind` may flow now (for the core's other modules).
    pub(super) fn allows_media(&self, kind: MediaKind) -> bool {
        self.allows(kind)
    }

    /// Whether media of `kind` may flow now. Clipboard sync needs remote control granted too:
    /// the clipboard is synced only while the agent controls the computer.
    fn allows(&self, kind: MediaKind) -> bool {
        let granted = self
            .actions
            .iter()
            .any(|(a, st)| *st == ActionState::Granted && a.allows(kind));
        granted
            && (kind != MediaKind::Clipboard
                || self.state_of(RemoteAction::RemoteControl) == ActionState::Granted)
    }
}

impl Core {
    /// The session `session_id` and the party `conn` plays in it.
    ///
    /// Errors: [`ApiError::UnknownSession`] if it does not exist, is in another center, or
    /// `conn` is not a party of it (deliberately indistinguishable).
    pub(super) fn member(
        &self,
        conn: ConnId,
        c: &Connection,
        session_id: SessionId,
    ) -> Result<Party, ApiError> {
        let s = self
            .sessions
            .get(&session_id)
            .ok_or(ApiError::UnknownSession)?;
        s.party_of(conn, c).ok_or(ApiError::UnknownSession)
    }

    /// Chat from either side. A known message id is acknowledged with the stored message;
    /// otherwise the message is persisted and answered by [`Core::handle_chat_persisted`].
    #[allow(clippy::too_many_arguments)]
    pub(super) fn send_chat(
        &mut self,
        now: Now,
        conn: ConnId,
        id: RequestId,
        c: &Connection,
        session_id: SessionId,
        message_id: MessageId,
        text: String,
        picture: Option<Vec<u8>>,
    ) -> Result<Option<Response>, ApiError> {
        let from = self.member(conn, c, session_id)?;
        let picture = match picture {
            None => {
                super::check_message_text(&text)?;
                None
            }
            Some(data) => {
                let info = chat_image::probe(&data).map_err(ApiError::from)?;
                Some((info, ImageBytes(data.into())))
            }
        };
        let s = self
            .sessions
            .get(&session_id)
            .ok_or(ApiError::UnknownSession)?;
        if s.message_ids.contains(&message_id) {
            let stored = s
                .stored
                .messages
                .iter()
                .rev()
                .find(|m| m.message_id == message_id);
            return stored
                .map(|m| Some(Response::ChatStored(m.clone())))
                .ok_or(ApiError::UnknownSession);
        }
        let pending = self
            .pending_chats
            .values_mut()
            .find(|p| p.session_id == session_id && p.message.message_id == message_id);
        if let Some(pending) = pending {
            pending.waiters.push((conn, id));
            return Ok(None);
        }
        let stored = &s.stored.messages;
        if stored.len() >= porpoise_protocol::wire::MAX_MESSAGES_PER_SESSION {
            return Err(ApiError::too_many(
                porpoise_protocol::wire::Field::ChatText,
                porpoise_protocol::wire::MAX_MESSAGES_PER_SESSION,
            ));
        }
        if picture.is_some()
            && stored.iter().filter(|m| m.image.is_some()).count()
                >= porpoise_protocol::wire::MAX_PICTURES_PER_SESSION
        {
            return Err(ApiError::too_many(
                porpoise_protocol::wire::Field::ChatPictures,
                porpoise_protocol::wire::MAX_PICTURES_PER_SESSION,
            ));
        }
        let center_id = s.stored.center_id;
        let bytes = text.len() + picture.as_ref().map_or(0, |(_, b)| b.0.len());
        self.charge_storage(center_id, bytes as u64)?;
        let token = self.next_token;
        self.next_token += 1;
        let message = ChatMessage {
            message_id,
            from,
            text,
            sent_at: now.unix_ms,
            image: picture.as_ref().map(|(info, _)| *info),
        };
        let waiters = vec![(conn, id)];
        self.pending_chats.insert(
            token,
            PendingChat {
                session_id,
                message: message.clone(),
                waiters,
            },
        );
        self.persist(StoreOp::InsertChat {
            token,
            session_id,
            message,
            image: picture.map(|(_, bytes)| bytes),
        });
        Ok(None)
    }

    /// The store finished a [`StoreOp::InsertChat`]. On success the senders get `ChatStored`
    /// and the other side `ChatReceived`; on failure the senders get [`ApiError::Storage`].
    /// Unknown tokens are ignored.
    pub fn handle_chat_persisted(&mut self, now: Now, token: PersistToken, ok: bool) {
        self.clock_ms = now.unix_ms;
        if self.conversation.agent_chats.owns(token) {
            self.agent_chat_persisted(token, ok);
            return;
        }
        let Some(pending) = self.pending_chats.remove(&token) else {
            return;
        };
        let PendingChat {
            session_id,
            message,
            waiters,
        } = pending;
        if !ok {
            for (conn, id) in waiters {
                self.respond(conn, id, Err(ApiError::Storage));
            }
            return;
        }
        let mut recipient = None;
        if let Some(s) = self.sessions.get_mut(&session_id) {
            s.message_ids.insert(message.message_id);
            s.stored.messages.push(message.clone());
            recipient = s.peer_of(message.from);
        }
        for (conn, id) in waiters {
            self.respond(conn, id, Ok(Response::ChatStored(message.clone())));
        }
        self.chat_stored(now, session_id, message.from);
        if let Some(peer) = recipient {
            self.event(
                peer,
                Event::ChatReceived {
                    session_id,
                    message,
                },
            );
        }
    }

    /// Agent asks consent for an action; the customer must be connected.
    pub(super) fn request_action(
        &mut self,
        conn: ConnId,
        c: &Connection,
        session_id: SessionId,
        action: RemoteAction,
    ) -> Result<Option<Response>, ApiError> {
        self.member(conn, c, session_id)?;
        let s = self
            .sessions
            .get(&session_id)
            .ok_or(ApiError::UnknownSession)?;
        let customer = s
            .customer_conn
            .ok_or_else(|| ApiError::peer_away(Party::Customer))?;
        match s.state_of(action) {
            ActionState::Requested => {
                return Err(ApiError::Conflict(
                    porpoise_protocol::wire::Conflict::ActionAlready {
                        action,
                        state: ActionState::Requested,
                    },
                ))
            }
            ActionState::Granted => {
                return Err(ApiError::Conflict(
                    porpoise_protocol::wire::Conflict::ActionAlready {
                        action,
                        state: ActionState::Granted,
                    },
                ))
            }
            ActionState::Refused | ActionState::Stopped => {}
        }
        self.event(customer, Event::ConsentRequested { session_id, action });
        self.set_action(session_id, action, ActionState::Requested, Party::Agent);
        Ok(Some(Response::Done))
    }

    /// Customer answers a pending consent prompt.
    pub(super) fn answer_consent(
        &mut self,
        conn: ConnId,
        c: &Connection,
        session_id: SessionId,
        action: RemoteAction,
        grant: bool,
    ) -> Result<Option<Response>, ApiError> {
        self.member(conn, c, session_id)?;
        let s = self
            .sessions
            .get(&session_id)
            .ok_or(ApiError::UnknownSession)?;
        if s.state_of(action) != ActionState::Requested {
            return Err(ApiError::Conflict(
                porpoise_protocol::wire::Conflict::NotGranted { action },
            ));
        }
        let state = if grant {
            ActionState::Granted
        } else {
            ActionState::Refused
        };
        self.set_action(session_id, action, state, Party::Customer);
        Ok(Some(Response::Done))
    }

    /// Either side stops a requested or granted action; its media is cut at once. Stopping an
    /// action that is not running answers `Done` and changes nothing.
    pub(super) fn stop_action(
        &mut self,
        conn: ConnId,
        c: &Connection,
        session_id: SessionId,
        action: RemoteAction,
    ) -> Result<Option<Response>, ApiError> {
        let by = self.member(conn, c, session_id)?;
        let s = self
            .sessions
            .get(&session_id)
            .ok_or(ApiError::UnknownSession)?;
        if matches!(
            s.state_of(action),
            ActionState::Requested | ActionState::Granted
        ) {
            self.set_action(session_id, action, ActionState::Stopped, by);
        }
        Ok(Some(Response::Done))
    }

    /// Either side ends the session: both sides are told, media is cut, the end is persisted.
    pub(super) fn end_session(
        &mut self,
        now: Now,
        conn: ConnId,
        c: &Connection,
        session_id: SessionId,
    ) -> Result<Option<Response>, ApiError> {
        let by = self.member(conn, c, session_id)?;
        let s = self
            .sessions
            .remove(&session_id)
            .ok_or(ApiError::UnknownSession)?;
        self.session_of_customer
            .remove(&(s.stored.center_id, s.stored.install_id));
        self.cut_media(session_id, ALL_KINDS.to_vec());
        for party in [s.agent_conn, s.customer_conn].into_iter().flatten() {
            self.event(party, Event::SessionEnded { session_id, by });
        }
        self.persist(StoreOp::EndSession {
            session_id,
            ended_at: now.unix_ms,
            by,
        });
        self.session_ended(now, &s.stored, by);
        Ok(Some(Response::Done))
    }

    /// Sets an action's state, tells both connected sides, and cuts media no longer allowed.
    pub(super) fn set_action(
        &mut self,
        session_id: SessionId,
        action: RemoteAction,
        state: ActionState,
        by: Party,
    ) {
        let Some(s) = self.sessions.get_mut(&session_id) else {
            return;
        };
        let before = s.actions.get(&action).copied();
        s.actions.insert(action, state);
        let audited = match state {
            ActionState::Granted => Some(super::AuditAction::ActionGranted),
            ActionState::Refused => Some(super::AuditAction::ActionRefused),
            ActionState::Stopped
                if matches!(before, Some(ActionState::Granted | ActionState::Requested)) =>
            {
                Some(super::AuditAction::ActionStopped)
            }
            _ => None,
        };
        let audit = audited.map(|what| {
            let stored = &s.stored;
            let actor = match by {
                Party::Agent => format!("agent {} {}", stored.agent_id, stored.agent_name),
                Party::Customer => format!("customer {:x}", stored.install_id),
                Party::Relay => "relay".to_string(),
            };
            (
                stored.center_id,
                actor,
                what,
                format!("session {} {action:?}", stored.session_id),
            )
        });
        let parties: Vec<ConnId> = [s.agent_conn, s.customer_conn]
            .into_iter()
            .flatten()
            .collect();
        let revoked: Vec<MediaKind> = ALL_KINDS.into_iter().filter(|k| !s.allows(*k)).collect();
        if state != ActionState::Granted {
            self.cut_media(session_id, revoked);
        }
        if let Some((center_id, actor, what, target)) = audit {
            self.audit(center_id, actor, what, target, String::new());
        }
        for conn in parties {
            self.event(
                conn,
                Event::ActionChanged {
                    session_id,
                    action,
                    state,
                    by,
                },
            );
        }
    }

    /// Checks whether `conn` may open the media stream described by `header`, and where it goes.
    /// Pure: the driver registers the forward before it handles the next event.
    ///
    /// Errors: a [`MediaRefusal`] naming the first check that failed.
    pub fn route_media(
        &self,
        conn: ConnId,
        header: &MediaHeader,
    ) -> Result<MediaRoute, MediaRefusal> {
        let c = self.conns.get(&conn).ok_or(MediaRefusal::NotLoggedIn)?;
        let (session_id, kind) = (header.session_id, header.kind);
        let party = c.party();
        if !kind.may_open(party) {
            return Err(MediaRefusal::WrongOpener { party, kind });
        }
        let s = self
            .sessions
            .get(&session_id)
            .ok_or(MediaRefusal::UnknownSession(session_id))?;
        if s.stored.center_id != c.center_id {
            return Err(MediaRefusal::OtherCenter(session_id));
        }
        if s.party_of(conn, c) != Some(party) {
            return Err(MediaRefusal::NotInSession(session_id));
        }
        let peer = s
            .peer_of(party)
            .ok_or(MediaRefusal::PeerAbsent(session_id))?;
        // A file the customer sends is the customer's own act (C5): no grant needed.
        let customer_file = kind == MediaKind::File && party == Party::Customer;
        if !customer_file && !s.allows(kind) {
            return Err(MediaRefusal::NotGranted { session_id, kind });
        }
        Ok(MediaRoute {
            session_id,
            kind,
            peer,
        })
    }

    /// Most bytes the relay forwards from the opener of a stream on `route` (A6): for file
    /// streams the center's [`CenterSettings::max_file_bytes`] plus
    /// [`FILE_STREAM_OVERHEAD_BYTES`] of framing, so a sender that ignores the size limit is
    /// cut; `None` (no cap) for other kinds. Pure, like [`Core::route_media`].
    ///
    /// [`CenterSettings::max_file_bytes`]: porpoise_protocol::wire::CenterSettings::max_file_bytes
    pub fn media_byte_cap(&self, route: &MediaRoute) -> Option<u64> {
        if route.kind != MediaKind::File {
            return None;
        }
        let limit = self.file_limit(route.session_id)?;
        Some(limit.saturating_add(FILE_STREAM_OVERHEAD_BYTES))
    }

    /// The file-transfer size limit of the center that owns `session_id`, in bytes.
    fn file_limit(&self, session_id: SessionId) -> Option<u64> {
        let s = self.sessions.get(&session_id)?;
        let center = self.centers.get(&s.stored.center_id)?;
        Some(center.settings.max_file_bytes)
    }

    /// Either side asks the file-transfer size limit of its session (A6).
    pub(super) fn file_transfer_limit(
        &self,
        conn: ConnId,
        c: &Connection,
        session_id: SessionId,
    ) -> Result<Option<Response>, ApiError> {
        let side = self.member(conn, c, session_id)?;
        let max_bytes = self
            .file_limit(session_id)
            .ok_or(ApiError::UnknownSession)?;
        let settings = self
            .sessions
            .get(&session_id)
            .and_then(|s| self.centers.get(&s.stored.center_id))
            .map(|center| &center.settings);
        // Only an agent's console accepts without asking; the helper always asks (C6).
        let (auto_accept_bytes, auto_accept_files) = match (side, settings) {
            (Party::Agent, Some(s)) => (s.auto_accept_file_bytes, s.auto_accept_files),
            _ => (0, 0),
        };
        Ok(Some(Response::FileTransferLimit(rpc::FileSizeLimit {
            max_bytes,
            auto_accept_bytes,
            auto_accept_files,
        })))
    }

    /// Bookkeeping after a session ended: its duration feeds the wait estimate, its agent is
    /// idle from now, and the freed capacity is routed.
    pub(super) fn session_ended(&mut self, now: Now, stored: &super::OpenSession, by: Party) {
        let mut data = self.webhook_session(stored);
        data["ended_at"] = now.unix_ms.into();
        data["ended_by"] = crate::core::types::party_name(by).into();
        data["duration_ms"] = now.unix_ms.saturating_sub(stored.started_at).max(0).into();
        self.webhook(
            stored.center_id,
            porpoise_protocol::wire::WebhookEvent::SessionEnded,
            now.unix_ms,
            data,
        );
        self.conversation_session_ended(now, stored.session_id);
        self.reconnect_session_ended(now, stored.session_id);
        self.records_session_ended(now, stored);
        self.survey_session_ended(stored);
        let center_id = stored.center_id;
        let ms = now.unix_ms.saturating_sub(stored.started_at).max(0);
        if let Some(center) = self.centers.get_mut(&center_id) {
            center.record_duration(u64::try_from(ms).unwrap_or(0));
        }
        if let Some(live) = self.live.get_mut(&(center_id, stored.agent_id)) {
            live.idle_since = now.instant;
        }
        self.agents_changed(now, center_id);
        self.route_center(now, center_id);
    }
}
