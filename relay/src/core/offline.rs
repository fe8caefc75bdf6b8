//! Offline messages (留言, R6, C3, A4): customers leave them, agents list and handle them.

use porpoise_protocol::wire::{
    ApiError, CenterId, Event, Handling, OfflineMessage, OfflineMessageId, Response,
    MAX_CHAT_TEXT_BYTES, MAX_PENDING_OFFLINE_MESSAGES, OFFLINE_LIST_BYTES,
};

use super::center::MAX_HANDLED_KEPT;
use super::queue::check_field;
use super::{AgentId, Connection, Core, InstallId, Now, StoreOp};

impl Core {
    /// Customer leaves an offline message; allowed queued (it also leaves the queue) or not.
    /// Agents get the new pending list (`OfflineMessagesChanged`).
    ///
    /// Errors: `Invalid` for an empty name or text or fields too long.
    pub(super) fn leave_offline_message(
        &mut self,
        now: Now,
        c: &Connection,
        install_id: InstallId,
        name: String,
        contact: String,
        text: String,
    ) -> Result<Option<Response>, ApiError> {
        check_field(porpoise_protocol::wire::Field::CustomerName, &name, true)?;
        check_field(
            porpoise_protocol::wire::Field::CustomerPhone,
            &contact,
            false,
        )?;
        super::check_message_text(&text)?;
        let center_id = c.center_id;
        let full = self.centers.get(&center_id).is_some_and(|center| {
            center
                .offline
                .iter()
                .filter(|m| m.handled.is_none())
                .count()
                >= MAX_PENDING_OFFLINE_MESSAGES
        });
        if full {
            tracing::warn!(%center_id, "offline mailbox full; message refused");
            return Err(ApiError::Conflict(
                porpoise_protocol::wire::Conflict::MailboxFull,
            ));
        }
        let bytes = name.len() + contact.len() + text.len();
        self.charge_storage(center_id, bytes as u64)?;
        self.remove_from_queue(now, center_id, install_id);
        let id = self.next_offline_id;
        self.next_offline_id.0 += 1;
        let message = OfflineMessage {
            id,
            name: name.trim().to_owned(),
            contact: contact.trim().to_owned(),
            text,
            left_at: now.unix_ms,
            handled: None,
        };
        let center = self.centers.get_mut(&center_id).ok_or(ApiError::NotFound {
            what: porpoise_protocol::wire::Thing::Center,
        })?;
        let pending = center
            .offline
            .iter()
            .filter(|m| m.handled.is_none())
            .count();
        center.offline.insert(pending, message.clone());
        let data = serde_json::json!({
            "offline_message_id": message.id.0,
            "name": message.name,
            "contact": message.contact,
            "text": message.text,
            "left_at": message.left_at,
        });
        self.persist(StoreOp::InsertOfflineMessage { center_id, message });
        self.webhook(
            center_id,
            porpoise_protocol::wire::WebhookEvent::OfflineMessageLeft,
            now.unix_ms,
            data,
        );
        self.offline_messages_changed(center_id);
        Ok(Some(Response::Done))
    }

    /// The center's pending messages, oldest first, that fit [`OFFLINE_LIST_BYTES`], and how
    /// many are pending in all.
    pub(super) fn pending_offline(&self, center_id: CenterId) -> (Vec<OfflineMessage>, u32) {
        let Some(center) = self.centers.get(&center_id) else {
            return (Vec::new(), 0);
        };
        let pending = center.offline.iter().filter(|m| m.handled.is_none());
        let count = u32::try_from(pending.clone().count()).unwrap_or(u32::MAX);
        (within_budget(pending), count)
    }

    /// Pending messages oldest first, or (with `include_handled`) all kept ones newest first;
    /// as many as fit [`OFFLINE_LIST_BYTES`].
    pub(super) fn list_offline_messages(
        &self,
        center_id: CenterId,
        include_handled: bool,
    ) -> Response {
        let Some(center) = self.centers.get(&center_id) else {
            return Response::OfflineMessages(Vec::new());
        };
        let list = if include_handled {
            let mut all: Vec<&OfflineMessage> = center.offline.iter().collect();
            all.sort_by(|a, b| b.left_at.cmp(&a.left_at).then(b.id.cmp(&a.id)));
            within_budget(all.into_iter())
        } else {
            within_budget(center.offline.iter().filter(|m| m.handled.is_none()))
        };
        Response::OfflineMessages(list)
    }

    /// Agent marks a pending message handled with a note.
    ///
    /// Errors: `Invalid` if no pending message of this center has this id, or the note is too
    /// long.
    pub(super) fn handle_offline_message(
        &mut self,
        now: Now,
        center_id: CenterId,
        agent_id: AgentId,
        id: OfflineMessageId,
        note: String,
    ) -> Result<Option<Response>, ApiError> {
        if note.len() > MAX_CHAT_TEXT_BYTES {
            return Err(ApiError::too_long(
                porpoise_protocol::wire::Field::Note,
                MAX_CHAT_TEXT_BYTES,
            ));
        }
        let center = self.centers.get_mut(&center_id).ok_or(ApiError::NotFound {
            what: porpoise_protocol::wire::Thing::Center,
        })?;
        let i = center
            .offline
            .iter()
            .position(|m| m.id == id && m.handled.is_none())
            .ok_or(ApiError::NotFound {
                what: porpoise_protocol::wire::Thing::OfflineMessage,
            })?;
        let handling = Handling {
            agent_id,
            note,
            at: now.unix_ms,
        };
        let mut message = center.offline.remove(i);
        message.handled = Some(handling.clone());
        center.offline.push(message);
        let pending = center
            .offline
            .iter()
            .filter(|m| m.handled.is_none())
            .count();
        if center.offline.len() - pending > MAX_HANDLED_KEPT {
            center.offline.remove(pending);
        }
        self.persist(StoreOp::HandleOfflineMessage { id, handling });
        self.offline_messages_changed(center_id);
        Ok(Some(Response::Done))
    }

    fn offline_messages_changed(&mut self, center_id: CenterId) {
        let (pending, count) = self.pending_offline(center_id);
        self.tell_agents(center_id, &Event::OfflineMessagesChanged { pending, count });
    }
}

/// The messages of `list`, in order, up to the first that no longer fits
/// [`OFFLINE_LIST_BYTES`].
fn within_budget<'a>(list: impl Iterator<Item = &'a OfflineMessage>) -> Vec<OfflineMessage> {
    let mut used = 0;
    list.take_while(|m| {
        used += m.list_bytes();
        used <= OFFLINE_LIST_BYTES
    })
    .cloned()
    .collect()
}
