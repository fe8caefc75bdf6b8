//! The blocklist (R16, 黑名单): customers a center refuses, by helper installation or by
//! address (IPv6 by /64). A blocked Hello gets the neutral `RefusedReason::Unavailable`, so a
//! blocked customer learns nothing they could work around; a customer connected when the block
//! is made is disconnected at once with `CloseCode::Unavailable`, their session ends and their
//! queue entry goes. Blocks are made and lifted by accounts with
//! [`Permission::BlockCustomers`], audited, and kept in memory (loaded at start) so a Hello is
//! checked without touching the store.

use std::net::IpAddr;

use porpoise_protocol::wire::{
    rpc, ApiError, BlockBy, BlockId, BlockRule, BlockTarget, CenterId, Conflict, Field, InstallId,
    Party, Permission, Request, Response, Thing, UnixMs, MAX_BLOCKS_PER_CENTER,
    MAX_BLOCK_REASON_BYTES,
};
use tracing::info;

use super::{AgentId, AuditAction, CloseReason, ConnId, ConnKind, Connection, Core, Now, StoreOp};

/// A blocklist write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockOp {
    /// Store a new block of a center.
    Insert {
        /// Center.
        center_id: CenterId,
        /// The block.
        rule: BlockRule,
    },
    /// Lift a block at `at` (the row stays, marked removed).
    Remove {
        /// Center.
        center_id: CenterId,
        /// The block.
        block_id: BlockId,
        /// When, unix ms.
        at: UnixMs,
    },
}

impl Core {
    /// True if a customer with `install_id` connecting from `ip` is blocked at `center_id`.
    pub(super) fn is_blocked(
        &self,
        center_id: CenterId,
        install_id: InstallId,
        ip: IpAddr,
    ) -> bool {
        let now = self.clock_ms;
        // Once per Hello, not once per rule: the center may hold many blocks.
        let network = porpoise_protocol::wire::block_network(ip);
        self.centers.get(&center_id).is_some_and(|c| {
            c.blocks.iter().any(|b| {
                b.live(now)
                    && match b.target {
                        BlockTarget::Install(id) => id == install_id,
                        BlockTarget::Address(net) => net == network,
                    }
            })
        })
    }

    /// The blocklist requests (see the module docs).
    pub(super) fn blocklist_request(
        &mut self,
        now: Now,
        c: &Connection,
        body: Request,
    ) -> Result<Option<Response>, ApiError> {
        let ConnKind::Agent { agent_id, .. } = c.kind else {
            return Err(ApiError::NotPermitted {
                needed: Permission::Agent,
            });
        };
        let center_id = c.center_id;
        self.require(center_id, agent_id, Permission::BlockCustomers)?;
        match body {
            Request::ListBlocks(rpc::ListBlocks) => {
                let now_ms = self.clock_ms;
                let mut live: Vec<BlockRule> = self
                    .centers
                    .get(&center_id)
                    .map(|c| {
                        c.blocks
                            .iter()
                            .filter(|b| b.live(now_ms))
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default();
                live.sort_by_key(|b| std::cmp::Reverse(b.block_id));
                Ok(Some(Response::Blocklist(live)))
            }
            Request::AddBlock(rpc::AddBlock {
                target,
                reason,
                expires_at,
            }) => {
                let target = match target {
                    BlockTarget::Address(ip) => BlockTarget::address(ip),
                    install => install,
                };
                self.add_block(now, center_id, agent_id, target, reason, expires_at)
                    .map(|rule| Some(Response::Blocked(rule)))
            }
            Request::BlockCustomer(rpc::BlockCustomer {
                block,
                reason,
                expires_at,
            }) => {
                let session = self
                    .sessions
                    .get(&block.session_id)
                    .filter(|s| s.stored.center_id == center_id && s.stored.agent_id == agent_id)
                    .ok_or(ApiError::UnknownSession)?;
                let target = match block.by {
                    BlockBy::Install => BlockTarget::Install(session.stored.install_id),
                    BlockBy::Address => {
                        let conn = session.customer_conn.ok_or(ApiError::Conflict(
                            Conflict::PeerAway {
                                peer: Party::Customer,
                            },
                        ))?;
                        let ip = self.conns.get(&conn).map(|c| c.address.ip()).ok_or(
                            ApiError::Conflict(Conflict::PeerAway {
                                peer: Party::Customer,
                            }),
                        )?;
                        BlockTarget::address(ip)
                    }
                };
                self.add_block(now, center_id, agent_id, target, reason, expires_at)
                    .map(|rule| Some(Response::Blocked(rule)))
            }
            Request::RemoveBlock(rpc::RemoveBlock { block_id }) => {
                let center = self.centers.get_mut(&center_id).ok_or(ApiError::NotFound {
                    what: Thing::Center,
                })?;
                let i = center
                    .blocks
                    .iter()
                    .position(|b| b.block_id == block_id)
                    .ok_or(ApiError::NotFound { what: Thing::Block })?;
                let rule = center.blocks.remove(i);
                let at = self.clock_ms;
                self.persist(StoreOp::Block(BlockOp::Remove {
                    center_id,
                    block_id,
                    at,
                }));
                let actor = self.audit_actor(center_id, agent_id);
                self.audit(
                    center_id,
                    actor,
                    AuditAction::CustomerUnblocked,
                    format!("block {block_id} {}", rule.target),
                    String::new(),
                );
                Ok(Some(Response::Done))
            }
            _ => Err(ApiError::NotPermitted {
                needed: Permission::Agent,
            }),
        }
    }

    fn add_block(
        &mut self,
        now: Now,
        center_id: CenterId,
        agent_id: AgentId,
        target: BlockTarget,
        reason: String,
        expires_at: Option<UnixMs>,
    ) -> Result<BlockRule, ApiError> {
        let reason = reason.trim().to_owned();
        if reason.len() > MAX_BLOCK_REASON_BYTES {
            return Err(ApiError::too_long(Field::Note, MAX_BLOCK_REASON_BYTES));
        }
        let now_ms = self.clock_ms;
        if expires_at.is_some_and(|end| end <= now_ms) {
            return Err(ApiError::Malformed {
                field: Field::BlockEnd,
            });
        }
        let created_by = self
            .centers
            .get(&center_id)
            .and_then(|c| c.accounts.get(&agent_id))
            .map(|a| a.display_name.clone())
            .unwrap_or_default();
        self.next_block_id.0 += 1;
        let rule = BlockRule {
            block_id: self.next_block_id,
            target,
            reason,
            created_at: now_ms,
            expires_at,
            created_by,
        };
        let center = self.centers.get_mut(&center_id).ok_or(ApiError::NotFound {
            what: Thing::Center,
        })?;
        center.blocks.retain(|b| b.live(now_ms));
        if center.blocks.len() >= MAX_BLOCKS_PER_CENTER {
            return Err(ApiError::TooMany {
                field: Field::Note,
                max: MAX_BLOCKS_PER_CENTER as u32,
            });
        }
        center.blocks.push(rule.clone());
        self.persist(StoreOp::Block(BlockOp::Insert {
            center_id,
            rule: rule.clone(),
        }));
        let actor = self.audit_actor(center_id, agent_id);
        let detail = match expires_at {
            Some(end) => format!("until {end}; {}", rule.reason),
            None => rule.reason.clone(),
        };
        self.audit(
            center_id,
            actor,
            AuditAction::CustomerBlocked,
            format!("block {} {}", rule.block_id, rule.target),
            detail,
        );
        info!(%center_id, %agent_id, block = %rule.block_id, "customer blocked");
        self.disconnect_blocked(now, center_id);
        Ok(rule)
    }

    /// Disconnects every connected customer of the center a block now matches: their session
    /// ends by the relay and their queue entry goes.
    fn disconnect_blocked(&mut self, now: Now, center_id: CenterId) {
        let hits: Vec<(ConnId, InstallId)> = self
            .conns
            .iter()
            .filter_map(|(conn, c)| match c.kind {
                ConnKind::Customer { install_id }
                    if c.center_id == center_id
                        && self.is_blocked(center_id, install_id, c.address.ip()) =>
                {
                    Some((*conn, install_id))
                }
                _ => None,
            })
            .collect();
        for (conn, install_id) in hits {
            if let Some(session_id) = self
                .session_of_customer
                .get(&(center_id, install_id))
                .copied()
            {
                self.end_session_by_relay(now, session_id);
            }
            self.remove_from_queue(now, center_id, install_id);
            self.handle_disconnect(now, conn);
            self.actions.push_back(super::Action::Close {
                conn,
                reason: CloseReason::Unavailable,
            });
        }
    }
}
