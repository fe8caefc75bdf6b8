//! Group commit (issue 14): the store writer runs the hot-path writes that arrive together —
//! chat messages, queue entries, sessions, offline messages, conversation writes — in one
//! SQLite transaction, so one `fsync` (synchronous = FULL) covers the whole group instead of
//! one per write. Each write still succeeds or fails on its own (a savepoint per write), and a
//! write is reported only after the group's commit.

use porpoise_protocol::wire::{ChatMessage, SessionId};
use sqlx::{Connection, SqliteConnection};

use super::{hex128, party_text, to_db, Store, StoreError};
use crate::core::{ImageBytes, StoreOp, Ticket};

/// Most writes committed in one transaction: bounds how long the writer holds SQLite's write
/// lock and how much one failed commit takes down.
pub const MAX_GROUP_WRITES: usize = 256;

/// True for the writes [`Store::apply_group`] takes (the rest run on their own).
pub fn batchable(op: &StoreOp) -> bool {
    matches!(
        op,
        StoreOp::InsertTicket(_)
            | StoreOp::RecordRejection { .. }
            | StoreOp::CloseTicket { .. }
            | StoreOp::InsertSession { .. }
            | StoreOp::EndSession { .. }
            | StoreOp::InsertOfflineMessage { .. }
            | StoreOp::HandleOfflineMessage { .. }
            | StoreOp::InsertChat { .. }
            | StoreOp::Conversation(_)
    )
}

impl Store {
    /// Applies `ops` (each [`batchable`]) in order in one transaction, each inside its own
    /// savepoint: the result per write, in order. A write that fails leaves nothing behind and
    /// does not undo the others.
    ///
    /// Errors (the whole group failed, nothing was written): [`StoreError::DiskFull`] or
    /// [`StoreError::Database`] when the transaction cannot begin or commit.
    pub async fn apply_group(
        &self,
        ops: &[&StoreOp],
    ) -> Result<Vec<Result<(), StoreError>>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut results = Vec::with_capacity(ops.len());
        for op in ops {
            let mut savepoint = (*tx).begin().await?;
            let result = apply_in(&mut savepoint, op).await;
            match result {
                Ok(()) => savepoint.commit().await?,
                Err(_) => savepoint.rollback().await?,
            }
            results.push(result);
        }
        tx.commit().await?;
        Ok(results)
    }
}

/// Runs one [`batchable`] write on `conn` (inside the caller's transaction). Any other op is
/// refused with [`StoreError::Corrupt`] (a bug in the caller, never a panic).
pub(super) async fn apply_in(conn: &mut SqliteConnection, op: &StoreOp) -> Result<(), StoreError> {
    match op {
        StoreOp::InsertTicket(ticket) => insert_ticket(conn, ticket).await,
        StoreOp::RecordRejection {
            ticket_id,
            agent_id,
        } => {
            sqlx::query(
                "INSERT OR IGNORE INTO ticket_rejections (ticket_id, agent_id) VALUES (?, ?)",
            )
            .bind(to_db(ticket_id.0)?)
            .bind(agent_id.0)
            .execute(&mut *conn)
            .await?;
            Ok(())
        }
        StoreOp::CloseTicket { ticket_id, outcome } => {
            sqlx::query("UPDATE tickets SET state = ? WHERE id = ?")
                .bind(outcome.as_str())
                .bind(to_db(ticket_id.0)?)
                .execute(&mut *conn)
                .await?;
            Ok(())
        }
        StoreOp::InsertSession {
            session_id,
            center_id,
            ticket_id,
            install_id,
            agent_id,
            started_at,
        } => {
            let done = sqlx::query(
                "INSERT INTO sessions (id, center_id, ticket, customer, agent_id, started_at) \
                 SELECT ?, ?, ?, c.id, ?, ? FROM customers c \
                 WHERE c.center_id = ? AND c.install_id = ?",
            )
            .bind(to_db(session_id.0)?)
            .bind(i64::from(center_id.0))
            .bind(to_db(ticket_id.0)?)
            .bind(agent_id.0)
            .bind(started_at)
            .bind(i64::from(center_id.0))
            .bind(hex128(install_id.0))
            .execute(&mut *conn)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Corrupt(format!(
                    "session {session_id}: no such customer"
                )));
            }
            Ok(())
        }
        StoreOp::EndSession {
            session_id,
            ended_at,
            by,
        } => {
            sqlx::query("UPDATE sessions SET ended_at = ?, ended_by = ? WHERE id = ?")
                .bind(ended_at)
                .bind(party_text(*by))
                .bind(to_db(session_id.0)?)
                .execute(&mut *conn)
                .await?;
            Ok(())
        }
        StoreOp::InsertOfflineMessage { center_id, message } => {
            sqlx::query(
                "INSERT INTO offline_messages (id, center_id, name, contact, text, left_at) \
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(to_db(message.id.0)?)
            .bind(i64::from(center_id.0))
            .bind(&message.name)
            .bind(&message.contact)
            .bind(&message.text)
            .bind(message.left_at)
            .execute(&mut *conn)
            .await?;
            Ok(())
        }
        StoreOp::HandleOfflineMessage { id, handling } => {
            sqlx::query(
                "UPDATE offline_messages SET handled_by = ?, note = ?, handled_at = ? \
                 WHERE id = ?",
            )
            .bind(handling.agent_id.0)
            .bind(&handling.note)
            .bind(handling.at)
            .bind(to_db(id.0)?)
            .execute(&mut *conn)
            .await?;
            Ok(())
        }
        StoreOp::InsertChat {
            session_id,
            message,
            image,
            ..
        } => insert_chat(conn, *session_id, message, image.as_ref()).await,
        StoreOp::Conversation(op) => super::conversation::conversation_in(conn, op).await,
        _ => Err(StoreError::Corrupt(
            "a write that cannot be grouped was grouped".into(),
        )),
    }
}

/// Stores a chat message and, for a picture message, its bytes. A message already stored
/// under the same (session, message id) is left as it is.
async fn insert_chat(
    conn: &mut SqliteConnection,
    session_id: SessionId,
    message: &ChatMessage,
    image: Option<&ImageBytes>,
) -> Result<(), StoreError> {
    let inserted = sqlx::query(
        "INSERT INTO chat_messages (session_id, message_id, from_party, text, sent_at) \
         VALUES (?, ?, ?, ?, ?) ON CONFLICT (session_id, message_id) DO NOTHING",
    )
    .bind(to_db(session_id.0)?)
    .bind(hex128(message.message_id.0))
    .bind(party_text(message.from))
    .bind(&message.text)
    .bind(message.sent_at)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if let (1, Some(info), Some(bytes)) = (inserted, message.image, image) {
        sqlx::query(
            "INSERT INTO chat_images (session_id, message_id, format, width, height, data) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(to_db(session_id.0)?)
        .bind(hex128(message.message_id.0))
        .bind(super::image_format_text(info.format))
        .bind(i64::from(info.width))
        .bind(i64::from(info.height))
        .bind(&bytes.0[..])
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Creates or updates the customer, then records the queue entry.
async fn insert_ticket(conn: &mut SqliteConnection, ticket: &Ticket) -> Result<(), StoreError> {
    let (customer,): (i64,) = sqlx::query_as(
        "INSERT INTO customers (center_id, install_id, name, phone) VALUES (?, ?, ?, ?) \
         ON CONFLICT (center_id, install_id) DO UPDATE SET name = excluded.name, \
         phone = excluded.phone RETURNING id",
    )
    .bind(i64::from(ticket.center_id.0))
    .bind(hex128(ticket.install_id.0))
    .bind(&ticket.name)
    .bind(&ticket.phone)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO tickets (id, center_id, customer, name, phone, queued_at, group_id, \
         product_type_id, preferred_agent, region) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(to_db(ticket.ticket_id.0)?)
    .bind(i64::from(ticket.center_id.0))
    .bind(customer)
    .bind(&ticket.name)
    .bind(&ticket.phone)
    .bind(ticket.queued_at)
    .bind(ticket.group_id.map(|g| i64::from(g.0)))
    .bind(ticket.product_type_id.map(|p| i64::from(p.0)))
    .bind(ticket.preferred_agent.map(|a| a.0))
    .bind(ticket.region.as_deref())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
