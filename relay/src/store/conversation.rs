//! Storage of the conversation features (R8, R9, R13): agent-to-agent chat, transfers and the
//! session owner after a transfer. Tables in `migrations/20261121000001_conversation.sql`.

use porpoise_protocol::wire::{TransferId, TransferOutcome, TransferTarget};

use sqlx::SqliteConnection;

use super::{from_db, hex128, to_db, Store, StoreError};
use crate::core::{ConversationOp, ConversationSnapshot};

fn outcome_text(outcome: TransferOutcome) -> &'static str {
    match outcome {
        TransferOutcome::Accepted => "accepted",
        TransferOutcome::Rejected => "rejected",
        TransferOutcome::TimedOut => "timed_out",
        TransferOutcome::Unavailable => "unavailable",
    }
}

impl Store {
    /// What the conversation features start from: the largest transfer id used. Transfers
    /// left unanswered by the previous run are closed as `unavailable` (they are not resumed).
    ///
    /// Errors: [`StoreError::Database`], [`StoreError::Corrupt`] for a negative id.
    pub async fn conversation_snapshot(&self) -> Result<ConversationSnapshot, StoreError> {
        sqlx::query(
            "UPDATE transfers SET outcome = 'unavailable', resolved_at = ? WHERE outcome IS NULL",
        )
        .bind(super::unix_ms_now())
        .execute(&self.pool)
        .await?;
        let (max,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM transfers")
            .fetch_one(&self.pool)
            .await?;
        Ok(ConversationSnapshot {
            max_transfer_id: TransferId(from_db(max)?),
        })
    }
}

/// Makes one conversation write durable. An agent-chat message already stored under the
/// same (sender, message id) is left as it is and counts as success.
///
/// Errors: [`StoreError::DiskFull`], [`StoreError::Database`] (e.g. an unknown session or
/// account), [`StoreError::Corrupt`] for ids beyond i64.
pub(super) async fn conversation_in(
    conn: &mut SqliteConnection,
    op: &ConversationOp,
) -> Result<(), StoreError> {
    match op {
        ConversationOp::InsertAgentChat {
            center_id, message, ..
        } => {
            sqlx::query(
                "INSERT INTO agent_chat (center_id, message_id, from_agent, to_agent, text, \
                 sent_at) VALUES (?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (from_agent, message_id) DO NOTHING",
            )
            .bind(i64::from(center_id.0))
            .bind(hex128(message.message_id.0))
            .bind(message.from.0)
            .bind(message.to.0)
            .bind(&message.text)
            .bind(message.sent_at)
            .execute(&mut *conn)
            .await?;
        }
        ConversationOp::InsertTransfer {
            transfer_id,
            center_id,
            session_id,
            from_agent,
            target,
            note,
            at,
        } => {
            let (kind, target_id) = match target {
                TransferTarget::Agent(id) => ("agent", id.0),
                TransferTarget::Group(id) => ("group", i64::from(id.0)),
            };
            sqlx::query(
                "INSERT INTO transfers (id, center_id, session_id, from_agent, target_kind, \
                 target_id, note, offered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(to_db(transfer_id.0)?)
            .bind(i64::from(center_id.0))
            .bind(to_db(session_id.0)?)
            .bind(from_agent.0)
            .bind(kind)
            .bind(target_id)
            .bind(note)
            .bind(at)
            .execute(&mut *conn)
            .await?;
        }
        ConversationOp::ResolveTransfer {
            transfer_id,
            to_agent,
            outcome,
            at,
        } => {
            sqlx::query(
                "UPDATE transfers SET to_agent = COALESCE(?, to_agent), outcome = ?, \
                 resolved_at = ? WHERE id = ?",
            )
            .bind(to_agent.map(|a| a.0))
            .bind(outcome_text(*outcome))
            .bind(at)
            .bind(to_db(transfer_id.0)?)
            .execute(&mut *conn)
            .await?;
        }
        ConversationOp::MoveSession {
            session_id,
            agent_id,
        } => {
            sqlx::query("UPDATE sessions SET agent_id = ? WHERE id = ?")
                .bind(agent_id.0)
                .bind(to_db(session_id.0)?)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use porpoise_protocol::wire::{AgentChatMessage, AgentId, MessageId};

    use super::*;
    use crate::store::DEMO_CENTER_ID;

    #[tokio::test]
    async fn agent_chat_resend_is_stored_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("relay.sqlite3"))
            .await
            .expect("open");
        store.seed_demo().await.expect("seed");
        let ids: Vec<(i64,)> = sqlx::query_as("SELECT id FROM agents ORDER BY id LIMIT 2")
            .fetch_all(&store.pool)
            .await
            .expect("agents");
        let op = ConversationOp::InsertAgentChat {
            token: 1,
            center_id: DEMO_CENTER_ID,
            message: AgentChatMessage {
                message_id: MessageId(0xABCD),
                from: AgentId(ids[0].0),
                to: AgentId(ids[1].0),
                text: "你好".into(),
                sent_at: 1000,
            },
        };
        let op = crate::core::StoreOp::Conversation(op);
        store.apply(&op).await.expect("first");
        store.apply(&op).await.expect("resend");
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM agent_chat")
            .fetch_one(&store.pool)
            .await
            .expect("count");
        assert_eq!(count, 1);
        let snapshot = store.conversation_snapshot().await.expect("snapshot");
        assert_eq!(snapshot.max_transfer_id, TransferId(0));
    }
}
