//! The start-up snapshot and the core's write operations.

use std::collections::HashMap;

use porpoise_protocol::wire::{
    AgentId, CenterId, ChatMessage, GroupId, InstallId, MessageId, ProductTypeId, SessionId,
    TicketId,
};

use super::{from_db, parse_hex128, parse_party, Store, StoreError};
use crate::core::{CenterInfo, OpenSession, Snapshot, StoreOp, Ticket};

type QueueRow = (
    i64,
    i64,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
);
type SessionRow = (i64, i64, i64, String, String, String, i64, String, i64);
type MessageRow = (
    i64,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

impl Store {
    /// Loads what the core starts from: centers, the open queue (oldest first), sessions not
    /// ended with their messages (oldest first), and the largest ids used.
    ///
    /// Errors: [`StoreError::Database`], or [`StoreError::Corrupt`] for out-of-range values.
    pub async fn snapshot(&self) -> Result<Snapshot, StoreError> {
        let centers: Vec<(i64, String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT center_id, name, created_at, expires_at FROM centers ORDER BY center_id",
        )
        .fetch_all(&self.pool)
        .await?;
        let centers = centers
            .into_iter()
            .map(|(id, name, created_at, expires_at)| {
                Ok(CenterInfo {
                    center_id: CenterId(from_db(id)?),
                    name,
                    created_at,
                    expires_at,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        let (max_ticket_id, max_session_id): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COALESCE(MAX(id), 0) FROM tickets), \
                    (SELECT COALESCE(MAX(id), 0) FROM sessions)",
        )
        .fetch_one(&self.pool)
        .await?;
        let mut snapshot = Snapshot {
            centers,
            queue: self.open_queue().await?,
            sessions: self.open_sessions().await?,
            max_ticket_id: TicketId(from_db(max_ticket_id)?),
            max_session_id: SessionId(from_db(max_session_id)?),
            conversation: self.conversation_snapshot().await?,
            rejections: self.open_rejections().await?,
            ..Snapshot::default()
        };
        self.load_center_data(&mut snapshot, super::unix_ms_now())
            .await?;
        snapshot.ended_sessions = self.recently_ended_sessions(super::unix_ms_now()).await?;
        snapshot.brandings = self.brandings().await?;
        snapshot.storage_used = self.storage_usage().await?;
        (snapshot.blocks, snapshot.max_block_id) = self.live_blocks(super::unix_ms_now()).await?;
        Ok(snapshot)
    }

    /// Rejections of tickets still queued.
    async fn open_rejections(&self) -> Result<Vec<(TicketId, AgentId)>, StoreError> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT r.ticket_id, r.agent_id FROM ticket_rejections r \
             JOIN tickets t ON t.id = r.ticket_id WHERE t.state = 'queued'",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(ticket, agent)| Ok((TicketId(from_db(ticket)?), AgentId(agent))))
            .collect()
    }

    async fn open_queue(&self) -> Result<Vec<Ticket>, StoreError> {
        let rows: Vec<QueueRow> = sqlx::query_as(
            "SELECT t.id, t.center_id, c.install_id, t.name, t.phone, t.queued_at, t.group_id, \
                    t.product_type_id, t.preferred_agent, t.region \
             FROM tickets t JOIN customers c ON c.id = t.customer \
             WHERE t.state = 'queued' ORDER BY t.queued_at, t.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(
                |(
                    id,
                    center,
                    install,
                    name,
                    phone,
                    queued_at,
                    group,
                    product,
                    preferred,
                    region,
                )| {
                    Ok(Ticket {
                        ticket_id: TicketId(from_db(id)?),
                        center_id: CenterId(from_db(center)?),
                        install_id: InstallId(parse_hex128(&install)?),
                        name,
                        phone,
                        queued_at,
                        group_id: group.map(from_db).transpose()?.map(GroupId),
                        product_type_id: product.map(from_db).transpose()?.map(ProductTypeId),
                        preferred_agent: preferred.map(AgentId),
                        region,
                    })
                },
            )
            .collect()
    }

    async fn open_sessions(&self) -> Result<Vec<OpenSession>, StoreError> {
        let rows: Vec<SessionRow> = sqlx::query_as(
            "SELECT s.id, s.center_id, s.ticket, c.install_id, t.name, t.phone, s.agent_id, \
                    a.display_name, s.started_at \
             FROM sessions s JOIN customers c ON c.id = s.customer \
             JOIN tickets t ON t.id = s.ticket JOIN agents a ON a.id = s.agent_id \
             WHERE s.ended_at IS NULL ORDER BY s.id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut messages = self.open_messages().await?;
        rows.into_iter()
            .map(
                |(id, center, ticket, install, name, phone, agent_id, agent_name, started_at)| {
                    let session_id: SessionId = SessionId(from_db(id)?);
                    Ok(OpenSession {
                        session_id,
                        center_id: CenterId(from_db(center)?),
                        ticket_id: TicketId(from_db(ticket)?),
                        install_id: InstallId(parse_hex128(&install)?),
                        customer_name: name,
                        customer_phone: phone,
                        agent_id: AgentId(agent_id),
                        agent_name,
                        started_at,
                        messages: messages.remove(&session_id).unwrap_or_default(),
                    })
                },
            )
            .collect()
    }

    async fn open_messages(&self) -> Result<HashMap<SessionId, Vec<ChatMessage>>, StoreError> {
        let rows: Vec<MessageRow> = sqlx::query_as(
            "SELECT m.session_id, m.message_id, m.from_party, m.text, m.sent_at, \
             i.format, i.width, i.height, length(i.data) \
             FROM chat_messages m JOIN sessions s ON s.id = m.session_id \
             LEFT JOIN chat_images i ON i.session_id = m.session_id AND i.message_id = m.message_id \
             WHERE s.ended_at IS NULL ORDER BY m.id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut by_session: HashMap<SessionId, Vec<ChatMessage>> = HashMap::new();
        for (session, message_id, from, text, sent_at, format, width, height, bytes) in rows {
            let message = ChatMessage {
                message_id: MessageId(parse_hex128(&message_id)?),
                from: parse_party(&from)?,
                text,
                sent_at,
                image: super::chat_image_from_row(format, width, height, bytes)?,
            };
            by_session
                .entry(SessionId(from_db(session)?))
                .or_default()
                .push(message);
        }
        Ok(by_session)
    }

    /// Makes one core write durable. A chat message already stored under the same
    /// (session, message id) is left as it is and counts as success.
    ///
    /// Errors: [`StoreError::DiskFull`], [`StoreError::Database`] (e.g. a foreign key that does
    /// not exist), [`StoreError::Corrupt`] for ids beyond i64.
    pub async fn apply(&self, op: &StoreOp) -> Result<(), StoreError> {
        match op {
            StoreOp::Audit(entry) => self.append_audit(entry).await,
            StoreOp::InsertTicket(_)
            | StoreOp::RecordRejection { .. }
            | StoreOp::CloseTicket { .. }
            | StoreOp::InsertSession { .. }
            | StoreOp::EndSession { .. }
            | StoreOp::InsertOfflineMessage { .. }
            | StoreOp::HandleOfflineMessage { .. }
            | StoreOp::InsertChat { .. }
            | StoreOp::Conversation(_) => {
                let mut tx = self.pool.begin().await?;
                super::batch::apply_in(&mut tx, op).await?;
                tx.commit().await?;
                Ok(())
            }
            StoreOp::SetPassword {
                center_id,
                agent_id,
                old,
                new,
                ..
            } => {
                let old = old.as_ref().map(|s| s.0.as_str());
                self.set_password(*center_id, *agent_id, old, &new.0)
                    .await
                    .map(|_| ())
            }
            StoreOp::SetAutoAway { agent_id, minutes } => {
                self.set_auto_away(*agent_id, *minutes).await
            }
            StoreOp::SaveSettings {
                center_id,
                settings,
            } => self.save_settings(*center_id, settings).await,
            StoreOp::InsertSessionCode(code) => self.insert_session_code(code).await,
            StoreOp::UseSessionCode { center_id, code } => {
                self.use_session_code(*center_id, code).await
            }
            // Run for its writes; the answer goes back through `Store::query` in the writer.
            StoreOp::Query { query, .. } => self.run_query(query).await.map(drop),
            // Run for its writes; the answer goes back through `Store::apply_records`.
            StoreOp::Records { op, .. } => self.run_records(op).await.map(drop),
            StoreOp::Directory { op, .. } => self.apply_directory(op).await.map(drop),
            StoreOp::Block(op) => self.apply_block(op).await,
            StoreOp::SaveBranding {
                center_id,
                branding,
            } => self.set_branding(*center_id, branding).await,
            StoreOp::Webhook {
                center_id,
                event,
                occurred_at,
                data,
            } => {
                self.enqueue_webhook(*center_id, *event, *occurred_at, data)
                    .await
            }
            StoreOp::Integration { op, .. } => self.run_integration(op).await.map(drop),
        }
    }
}
