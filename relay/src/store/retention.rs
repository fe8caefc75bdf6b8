//! Retention and storage use per center (issue 14): how many bytes of transcripts, pictures and
//! offline messages a center stores, and the daily prune of what is older than the center's
//! [`CenterSettings::retention_days`](porpoise_protocol::wire::CenterSettings).

use porpoise_protocol::wire::CenterId;

use super::{from_db, Store, StoreError};

/// Rows deleted per statement: keeps each write short so chat writes interleave.
pub const PRUNE_CHUNK_ROWS: i64 = 2000;

/// What one prune removed, over all centers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PruneReport {
    /// Centers with a retention period.
    pub centers: usize,
    /// Chat messages deleted (texts and picture messages).
    pub messages: u64,
    /// Chat pictures deleted.
    pub pictures: u64,
    /// Agent-to-agent chat messages deleted.
    pub agent_chats: u64,
    /// Handled offline messages deleted.
    pub offline_messages: u64,
}

/// What a prune statement deletes.
#[derive(Debug, Clone, Copy)]
enum Pruned {
    Pictures,
    Tags,
    Messages,
    AgentChat,
    OfflineMessages,
}

/// One chunked `DELETE … WHERE rowid IN (SELECT rowid … LIMIT n)` for a center and a cutoff.
const PRUNES: [(Pruned, &str); 5] = [
    (
        Pruned::Pictures,
        "DELETE FROM chat_images WHERE rowid IN (SELECT i.rowid FROM chat_images i \
         JOIN sessions s ON s.id = i.session_id \
         WHERE s.center_id = ?1 AND s.ended_at IS NOT NULL AND s.ended_at < ?2 LIMIT ?3)",
    ),
    (
        Pruned::Tags,
        "DELETE FROM message_tags WHERE rowid IN (SELECT t.rowid FROM message_tags t \
         JOIN sessions s ON s.id = t.session_id \
         WHERE s.center_id = ?1 AND s.ended_at IS NOT NULL AND s.ended_at < ?2 LIMIT ?3)",
    ),
    (
        Pruned::Messages,
        "DELETE FROM chat_messages WHERE id IN (SELECT m.id FROM chat_messages m \
         JOIN sessions s ON s.id = m.session_id \
         WHERE s.center_id = ?1 AND s.ended_at IS NOT NULL AND s.ended_at < ?2 LIMIT ?3)",
    ),
    (
        Pruned::AgentChat,
        "DELETE FROM agent_chat WHERE id IN (SELECT id FROM agent_chat \
         WHERE center_id = ?1 AND sent_at < ?2 LIMIT ?3)",
    ),
    (
        Pruned::OfflineMessages,
        "DELETE FROM offline_messages WHERE id IN (SELECT id FROM offline_messages \
         WHERE center_id = ?1 AND handled_at IS NOT NULL AND left_at < ?2 LIMIT ?3)",
    ),
];

impl Store {
    /// Bytes of chat texts, chat pictures and offline messages (name, contact, text) each
    /// center stores, by center ID.
    ///
    /// Errors: [`StoreError::Database`].
    pub async fn storage_usage(&self) -> Result<Vec<(CenterId, u64)>, StoreError> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT c.center_id, \
               (SELECT COALESCE(SUM(length(CAST(m.text AS BLOB))), 0) FROM chat_messages m \
                JOIN sessions s ON s.id = m.session_id WHERE s.center_id = c.center_id) \
             + (SELECT COALESCE(SUM(length(i.data)), 0) FROM chat_images i \
                JOIN sessions s ON s.id = i.session_id WHERE s.center_id = c.center_id) \
             + (SELECT COALESCE(SUM(length(CAST(o.name AS BLOB)) + length(CAST(o.contact AS BLOB)) \
                + length(CAST(o.text AS BLOB))), 0) FROM offline_messages o \
                WHERE o.center_id = c.center_id) \
             FROM centers c ORDER BY c.center_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(center, bytes)| Ok((CenterId(from_db(center)?), from_db(bytes)?)))
            .collect()
    }

    /// Deletes, for every center with a retention period, the chat (texts, pictures, message
    /// tags) of sessions that ended more than that many days before `now_ms`, agent chat sent
    /// before then and offline messages handled and left before then. Sessions, support
    /// records and surveys stay (reports count them). Works in chunks of
    /// [`PRUNE_CHUNK_ROWS`] rows.
    ///
    /// Errors: [`StoreError::Database`], [`StoreError::DiskFull`].
    pub async fn prune(&self, now_ms: i64) -> Result<PruneReport, StoreError> {
        let centers: Vec<(i64,)> = sqlx::query_as("SELECT center_id FROM centers")
            .fetch_all(&self.pool)
            .await?;
        let mut report = PruneReport::default();
        for (center,) in centers {
            let center_id = CenterId(from_db(center)?);
            let Some(days) = self.settings(center_id).await?.retention_days else {
                continue;
            };
            report.centers += 1;
            let cutoff = now_ms.saturating_sub(i64::from(days) * 86_400_000);
            for (what, sql) in PRUNES {
                let mut deleted = 0u64;
                loop {
                    let done = sqlx::query(sql)
                        .bind(center)
                        .bind(cutoff)
                        .bind(PRUNE_CHUNK_ROWS)
                        .execute(&self.pool)
                        .await?
                        .rows_affected();
                    deleted += done;
                    if done == 0 {
                        break;
                    }
                }
                match what {
                    Pruned::Pictures => report.pictures += deleted,
                    Pruned::Messages => report.messages += deleted,
                    Pruned::AgentChat => report.agent_chats += deleted,
                    Pruned::OfflineMessages => report.offline_messages += deleted,
                    Pruned::Tags => {}
                }
                if deleted > 0 {
                    tracing::info!(%center_id, days, ?what, deleted, "retention: pruned");
                }
            }
        }
        Ok(report)
    }
}
