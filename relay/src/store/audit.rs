//! The hash-chained audit log (R18): appending, listing and verifying a center's chain.
//!
//! Row hash = SHA-256 of: `prev_hash` (32 bytes) ‖ center ID (u32 BE) ‖ seq (i64 BE) ‖ at_ms
//! (i64 BE) ‖ actor, action, target, detail (each u32 BE byte length, then UTF-8 bytes).
//! Editing, deleting or inserting a row in the middle breaks the chain at that row; removing
//! rows at the end is not visible in the chain itself (compare the count with a copy).

use sha2::{Digest, Sha256};

use porpoise_protocol::wire::CenterId;

use super::{Store, StoreError};
use crate::core::AuditEntry;

/// `prev_hash` of a center's first row.
const GENESIS: [u8; 32] = [0; 32];

/// One stored audit row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    /// Position in the center's chain, from 1.
    pub seq: i64,
    /// When, unix ms.
    pub at_ms: i64,
    /// Who.
    pub actor: String,
    /// What (an [`AuditAction`](crate::core::AuditAction) code).
    pub action: String,
    /// To what.
    pub target: String,
    /// Details.
    pub detail: String,
}

impl From<(i64, i64, String, String, String, String)> for AuditRow {
    /// From the columns `seq, at_ms, actor, action, target, detail`.
    fn from(
        (seq, at_ms, actor, action, target, detail): (i64, i64, String, String, String, String),
    ) -> Self {
        AuditRow {
            seq,
            at_ms,
            actor,
            action,
            target,
            detail,
        }
    }
}

/// What [`Store::verify_audit`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditCheck {
    /// Every row links to the one before and matches its hash.
    Intact {
        /// Rows checked.
        rows: u64,
    },
    /// The first row that does not hold.
    Broken {
        /// Its `seq` (or the seq expected where one is missing).
        seq: i64,
        /// What is wrong, in English for the operator.
        why: String,
    },
}

type ChainRow = (i64, i64, String, String, String, String, Vec<u8>, Vec<u8>);

fn row_hash(prev: &[u8], center_id: CenterId, row: &AuditRow) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(center_id.0.to_be_bytes());
    h.update(row.seq.to_be_bytes());
    h.update(row.at_ms.to_be_bytes());
    for field in [&row.actor, &row.action, &row.target, &row.detail] {
        let len = u32::try_from(field.len()).unwrap_or(u32::MAX);
        h.update(len.to_be_bytes());
        h.update(field.as_bytes());
    }
    h.finalize().into()
}

impl Store {
    /// Appends `entry` to its center's chain. Appends of this process are serialised, so two
    /// never take the same `seq`; the `UNIQUE (center_id, seq)` constraint refuses a second
    /// writer's clash.
    ///
    /// Errors: [`StoreError::Database`], [`StoreError::DiskFull`].
    pub async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let _one_at_a_time = self.audit_lock.lock().await;
        let center = i64::from(entry.center_id.0);
        let last: Option<(i64, Vec<u8>)> = sqlx::query_as(
            "SELECT seq, hash FROM audit_log WHERE center_id = ? ORDER BY seq DESC LIMIT 1",
        )
        .bind(center)
        .fetch_optional(&self.pool)
        .await?;
        let (prev_seq, prev_hash) = last.unwrap_or((0, GENESIS.to_vec()));
        let row = AuditRow {
            seq: prev_seq + 1,
            at_ms: entry.at,
            actor: entry.actor.clone(),
            action: entry.action.code().to_string(),
            target: entry.target.clone(),
            detail: entry.detail.clone(),
        };
        let hash = row_hash(&prev_hash, entry.center_id, &row);
        sqlx::query(
            "INSERT INTO audit_log \
             (center_id, seq, at_ms, actor, action, target, detail, prev_hash, hash) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(center)
        .bind(row.seq)
        .bind(row.at_ms)
        .bind(&row.actor)
        .bind(&row.action)
        .bind(&row.target)
        .bind(&row.detail)
        .bind(prev_hash)
        .bind(hash.to_vec())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The center's newest `limit` rows, newest first.
    ///
    /// Errors: [`StoreError::Database`].
    pub async fn audit_log(
        &self,
        center_id: CenterId,
        limit: u32,
    ) -> Result<Vec<AuditRow>, StoreError> {
        self.audit_page(center_id, None, limit).await
    }

    /// The center's rows older than `before_seq` (all when `None`), newest first, at most
    /// `limit`.
    ///
    /// Errors: [`StoreError::Database`].
    pub async fn audit_page(
        &self,
        center_id: CenterId,
        before_seq: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let rows: Vec<(i64, i64, String, String, String, String)> = sqlx::query_as(
            "SELECT seq, at_ms, actor, action, target, detail FROM audit_log \
             WHERE center_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
        )
        .bind(i64::from(center_id.0))
        .bind(before_seq.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(AuditRow::from).collect())
    }

    /// Walks the center's chain from its first row and names the first row that is missing,
    /// does not link to the one before, or does not match its own hash.
    ///
    /// Errors: [`StoreError::Database`].
    pub async fn verify_audit(&self, center_id: CenterId) -> Result<AuditCheck, StoreError> {
        let rows: Vec<ChainRow> = sqlx::query_as(
            "SELECT seq, at_ms, actor, action, target, detail, prev_hash, hash FROM audit_log \
             WHERE center_id = ? ORDER BY seq",
        )
        .bind(i64::from(center_id.0))
        .fetch_all(&self.pool)
        .await?;
        let mut prev = GENESIS.to_vec();
        let mut count = 0u64;
        for (expected, (seq, at_ms, actor, action, target, detail, prev_hash, hash)) in
            (1i64..).zip(rows)
        {
            if seq != expected {
                return Ok(AuditCheck::Broken {
                    seq: expected,
                    why: format!("row {expected} is missing (next stored row is {seq})"),
                });
            }
            if prev_hash != prev {
                return Ok(AuditCheck::Broken {
                    seq,
                    why: "does not link to the row before".into(),
                });
            }
            let row = AuditRow::from((seq, at_ms, actor, action, target, detail));
            if row_hash(&prev_hash, center_id, &row).as_slice() != hash.as_slice() {
                return Ok(AuditCheck::Broken {
                    seq,
                    why: "content does not match its hash (edited)".into(),
                });
            }
            prev = hash;
            count += 1;
        }
        Ok(AuditCheck::Intact { rows: count })
    }
}
