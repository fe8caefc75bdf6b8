//! The blocklist's rows (R16): written by the core's [`BlockOp`]s, loaded at start (those not
//! removed and not expired). A lifted block keeps its row with `removed_at` set.

use std::net::IpAddr;

use porpoise_protocol::wire::{BlockId, BlockRule, BlockTarget, CenterId, InstallId};

use super::{from_db, hex128, parse_hex128, to_db, Store, StoreError};
use crate::core::BlockOp;

type BlockRow = (i64, i64, String, String, String, i64, Option<i64>, String);

impl Store {
    pub(super) async fn apply_block(&self, op: &BlockOp) -> Result<(), StoreError> {
        match op {
            BlockOp::Insert { center_id, rule } => {
                let (kind, value) = match rule.target {
                    BlockTarget::Install(id) => ("install", hex128(id.0)),
                    BlockTarget::Address(ip) => ("address", ip.to_string()),
                };
                sqlx::query(
                    "INSERT INTO blocks (id, center_id, kind, value, reason, created_at, \
                     expires_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(to_db(rule.block_id.0)?)
                .bind(i64::from(center_id.0))
                .bind(kind)
                .bind(value)
                .bind(&rule.reason)
                .bind(rule.created_at)
                .bind(rule.expires_at)
                .bind(&rule.created_by)
                .execute(&self.pool)
                .await?;
            }
            BlockOp::Remove {
                center_id,
                block_id,
                at,
            } => {
                sqlx::query("UPDATE blocks SET removed_at = ? WHERE id = ? AND center_id = ?")
                    .bind(at)
                    .bind(to_db(block_id.0)?)
                    .bind(i64::from(center_id.0))
                    .execute(&self.pool)
                    .await?;
            }
        }
        Ok(())
    }

    /// Blocks in force at `now_ms`, and the highest block id ever given.
    ///
    /// Errors: [`StoreError::Database`], [`StoreError::Corrupt`].
    pub(super) async fn live_blocks(
        &self,
        now_ms: i64,
    ) -> Result<(Vec<(CenterId, BlockRule)>, BlockId), StoreError> {
        let rows: Vec<BlockRow> = sqlx::query_as(
            "SELECT id, center_id, kind, value, reason, created_at, expires_at, created_by \
             FROM blocks WHERE removed_at IS NULL AND (expires_at IS NULL OR expires_at > ?) \
             ORDER BY id",
        )
        .bind(now_ms)
        .fetch_all(&self.pool)
        .await?;
        let mut blocks = Vec::new();
        for (id, center, kind, value, reason, created_at, expires_at, created_by) in rows {
            let target = match kind.as_str() {
                "install" => BlockTarget::Install(InstallId(parse_hex128(&value)?)),
                "address" => BlockTarget::Address(
                    value
                        .parse::<IpAddr>()
                        .map_err(|e| StoreError::Corrupt(format!("block {id}: {e}")))?,
                ),
                other => return Err(StoreError::Corrupt(format!("block kind {other:?}"))),
            };
            let rule = BlockRule {
                block_id: BlockId(from_db(id)?),
                target,
                reason,
                created_at,
                expires_at,
                created_by,
            };
            blocks.push((CenterId(from_db(center)?), rule));
        }
        let (max,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM blocks")
            .fetch_one(&self.pool)
            .await?;
        Ok((blocks, BlockId(from_db(max)?)))
    }
}
