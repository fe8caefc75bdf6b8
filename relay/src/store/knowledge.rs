//! Knowledge-base editing from the admin window (M7): add, change, move (reorder or re-parent,
//! with the subtree) and delete nodes of one center, each in one transaction and written to the
//! audit log. The core checked the permission and the fields; here the tree rules hold: the
//! node and its new parent belong to the center, no node goes under its own subtree, the tree
//! stays within [`MAX_KNOWLEDGE_DEPTH`] levels and [`MAX_KNOWLEDGE_NODES`] nodes.

use std::collections::HashMap;

use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    ApiError, CenterId, ChatImage, Field, KnowledgeDraft, KnowledgeNode, KnowledgeNodeId, Response,
    Thing, MAX_KNOWLEDGE_DEPTH, MAX_KNOWLEDGE_NODES,
};

use super::{image_format_text, unix_ms_now, Store, StoreError};
use crate::core::{value_diff, AuditAction, AuditEntry, ImageBytes};

fn not_found() -> ApiError {
    ApiError::NotFound {
        what: Thing::KnowledgeNode,
    }
}

fn bad_parent() -> ApiError {
    ApiError::Malformed {
        field: Field::KnowledgeParent,
    }
}

/// The node `id` under `parent` with `draft`'s fields and `image`.
fn node_of(
    id: KnowledgeNodeId,
    parent: Option<KnowledgeNodeId>,
    draft: &KnowledgeDraft,
    image: Option<ChatImage>,
) -> KnowledgeNode {
    KnowledgeNode {
        id,
        parent,
        title: draft.title.clone(),
        keywords: draft.keywords.clone(),
        text: draft.text.clone(),
        enabled: draft.enabled,
        valid_from: draft.valid_from,
        valid_until: draft.valid_until,
        image,
    }
}

/// Parent links of a center's nodes.
fn parents(nodes: &[KnowledgeNode]) -> HashMap<KnowledgeNodeId, Option<KnowledgeNodeId>> {
    nodes.iter().map(|n| (n.id, n.parent)).collect()
}

/// Levels from the root down to `id` (a root is 1).
fn depth_of(
    links: &HashMap<KnowledgeNodeId, Option<KnowledgeNodeId>>,
    id: KnowledgeNodeId,
) -> usize {
    let mut depth = 1;
    let mut at = links.get(&id).copied().flatten();
    while let Some(p) = at {
        depth += 1;
        if depth > MAX_KNOWLEDGE_NODES {
            break; // a cycle in stored data: stop rather than loop
        }
        at = links.get(&p).copied().flatten();
    }
    depth
}

/// Levels of the subtree under `id` (itself alone is 1).
fn height_of(nodes: &[KnowledgeNode], id: KnowledgeNodeId) -> usize {
    let mut best = 1;
    let mut stack = vec![(id, 1)];
    while let Some((at, h)) = stack.pop() {
        best = best.max(h);
        if h > MAX_KNOWLEDGE_NODES {
            break;
        }
        stack.extend(
            nodes
                .iter()
                .filter(|n| n.parent == Some(at))
                .map(|n| (n.id, h + 1)),
        );
    }
    best
}

/// True if `candidate` is `id` or lies in `id`'s subtree.
fn within(
    links: &HashMap<KnowledgeNodeId, Option<KnowledgeNodeId>>,
    candidate: KnowledgeNodeId,
    id: KnowledgeNodeId,
) -> bool {
    let mut at = Some(candidate);
    let mut steps = 0;
    while let Some(node) = at {
        if node == id {
            return true;
        }
        steps += 1;
        if steps > MAX_KNOWLEDGE_NODES {
            return true; // a cycle: refuse the move
        }
        at = links.get(&node).copied().flatten();
    }
    false
}

impl Store {
    async fn audit_library(
        &self,
        center_id: CenterId,
        actor: &str,
        target: String,
        detail: String,
    ) -> Result<(), StoreError> {
        self.append_audit(&AuditEntry::new(
            center_id,
            unix_ms_now(),
            actor.to_owned(),
            AuditAction::LibraryChanged,
            target,
            detail,
        ))
        .await
    }

    /// Adds a node under `parent` (last among its siblings) or changes node `id`; answers the
    /// node as saved. See the module docs for the rules.
    pub(super) async fn save_knowledge(
        &self,
        center_id: CenterId,
        id: Option<KnowledgeNodeId>,
        parent: Option<KnowledgeNodeId>,
        draft: &KnowledgeDraft,
        actor: &str,
    ) -> Result<Result<Response, ApiError>, StoreError> {
        let nodes = self.knowledge_nodes(center_id).await?;
        let links = parents(&nodes);
        let keywords = draft.keywords.join("\n");
        let center = i64::from(center_id.0);
        let (node, detail) = match id {
            Some(id) => {
                let Some(before) = nodes.iter().find(|n| n.id == id) else {
                    return Ok(Err(not_found()));
                };
                sqlx::query(
                    "UPDATE knowledge_nodes SET title = ?, keywords = ?, text = ?, enabled = ?, \
                     valid_from = ?, valid_until = ? WHERE id = ? AND center_id = ?",
                )
                .bind(&draft.title)
                .bind(&keywords)
                .bind(&draft.text)
                .bind(draft.enabled)
                .bind(draft.valid_from.map(i64::from))
                .bind(draft.valid_until.map(i64::from))
                .bind(id.0)
                .bind(center)
                .execute(&self.pool)
                .await?;
                let after = node_of(id, before.parent, draft, before.image);
                let detail = value_diff(before, &after);
                (after, detail)
            }
            None => {
                if nodes.len() >= MAX_KNOWLEDGE_NODES {
                    return Ok(Err(ApiError::TooMany {
                        field: Field::KnowledgeTitle,
                        max: MAX_KNOWLEDGE_NODES as u32,
                    }));
                }
                if let Some(p) = parent {
                    if !links.contains_key(&p) {
                        return Ok(Err(not_found()));
                    }
                    if depth_of(&links, p) + 1 > MAX_KNOWLEDGE_DEPTH {
                        return Ok(Err(bad_parent()));
                    }
                }
                let (new_id,): (i64,) = sqlx::query_as(
                    "INSERT INTO knowledge_nodes (center_id, parent, title, keywords, text, \
                     enabled, valid_from, valid_until, position) VALUES (?1, ?2, ?3, ?4, ?5, ?6, \
                     ?7, ?8, (SELECT COALESCE(MAX(position), -1) + 1 FROM knowledge_nodes \
                     WHERE center_id = ?1 AND parent IS ?2)) RETURNING id",
                )
                .bind(center)
                .bind(parent.map(|p| p.0))
                .bind(&draft.title)
                .bind(&keywords)
                .bind(&draft.text)
                .bind(draft.enabled)
                .bind(draft.valid_from.map(i64::from))
                .bind(draft.valid_until.map(i64::from))
                .fetch_one(&self.pool)
                .await?;
                let node = node_of(KnowledgeNodeId(new_id), parent, draft, None);
                let detail = format!("added: {}", draft.title);
                (node, detail)
            }
        };
        self.audit_library(
            center_id,
            actor,
            format!("knowledge {} {}", node.id.0, node.title),
            detail,
        )
        .await?;
        Ok(Ok(Response::KnowledgeNodeSaved(node)))
    }

    /// Moves node `id` (with its subtree) under `parent` at `index` among its siblings.
    pub(super) async fn move_knowledge(
        &self,
        center_id: CenterId,
        id: KnowledgeNodeId,
        parent: Option<KnowledgeNodeId>,
        index: u32,
        actor: &str,
    ) -> Result<Result<Response, ApiError>, StoreError> {
        let nodes = self.knowledge_nodes(center_id).await?;
        let links = parents(&nodes);
        let Some(node) = nodes.iter().find(|n| n.id == id) else {
            return Ok(Err(not_found()));
        };
        if let Some(p) = parent {
            if !links.contains_key(&p) {
                return Ok(Err(not_found()));
            }
            if within(&links, p, id) {
                return Ok(Err(bad_parent()));
            }
            if depth_of(&links, p) + height_of(&nodes, id) > MAX_KNOWLEDGE_DEPTH {
                return Ok(Err(bad_parent()));
            }
        }
        // The new sibling order, `id` placed at `index`.
        let mut siblings: Vec<KnowledgeNodeId> = nodes
            .iter()
            .filter(|n| n.parent == parent && n.id != id)
            .map(|n| n.id)
            .collect();
        let at = usize::try_from(index)
            .unwrap_or(usize::MAX)
            .min(siblings.len());
        siblings.insert(at, id);
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE knowledge_nodes SET parent = ? WHERE id = ? AND center_id = ?")
            .bind(parent.map(|p| p.0))
            .bind(id.0)
            .bind(i64::from(center_id.0))
            .execute(&mut *tx)
            .await?;
        for (position, sibling) in siblings.iter().enumerate() {
            sqlx::query("UPDATE knowledge_nodes SET position = ? WHERE id = ?")
                .bind(i64::try_from(position).unwrap_or(i64::MAX))
                .bind(sibling.0)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        let parent_text =
            parent.map_or_else(|| "top level".to_owned(), |p| format!("under {}", p.0));
        self.audit_library(
            center_id,
            actor,
            format!("knowledge {} {}", id.0, node.title),
            format!("moved {parent_text}, place {}", at + 1),
        )
        .await?;
        Ok(Ok(Response::Done))
    }

    /// Deletes node `id` and its subtree.
    pub(super) async fn delete_knowledge(
        &self,
        center_id: CenterId,
        id: KnowledgeNodeId,
        actor: &str,
    ) -> Result<Result<Response, ApiError>, StoreError> {
        let nodes = self.knowledge_nodes(center_id).await?;
        let Some(node) = nodes.iter().find(|n| n.id == id) else {
            return Ok(Err(not_found()));
        };
        let links = parents(&nodes);
        let gone = nodes.iter().filter(|n| within(&links, n.id, id)).count();
        sqlx::query("DELETE FROM knowledge_nodes WHERE id = ? AND center_id = ?")
            .bind(id.0)
            .bind(i64::from(center_id.0))
            .execute(&self.pool)
            .await?;
        self.audit_library(
            center_id,
            actor,
            format!("knowledge {} {}", id.0, node.title),
            format!("deleted with its subtree ({gone} nodes)"),
        )
        .await?;
        Ok(Ok(Response::Done))
    }

    /// Sets (or with `None` removes) node `id`'s picture; answers the node as saved.
    pub(super) async fn set_knowledge_image(
        &self,
        center_id: CenterId,
        id: KnowledgeNodeId,
        image: Option<&(ChatImage, ImageBytes)>,
        actor: &str,
    ) -> Result<Result<Response, ApiError>, StoreError> {
        let nodes = self.knowledge_nodes(center_id).await?;
        let Some(before) = nodes.into_iter().find(|n| n.id == id) else {
            return Ok(Err(not_found()));
        };
        let detail = match image {
            Some((info, bytes)) => {
                sqlx::query(
                    "INSERT INTO knowledge_images (node_id, format, width, height, data) \
                     VALUES (?, ?, ?, ?, ?) ON CONFLICT (node_id) DO UPDATE SET \
                     format = excluded.format, width = excluded.width, \
                     height = excluded.height, data = excluded.data",
                )
                .bind(id.0)
                .bind(image_format_text(info.format))
                .bind(i64::from(info.width))
                .bind(i64::from(info.height))
                .bind(&bytes.0[..])
                .execute(&self.pool)
                .await?;
                format!(
                    "picture set: {} {}×{} px, {} bytes",
                    image_format_text(info.format),
                    info.width,
                    info.height,
                    info.bytes
                )
            }
            None => {
                sqlx::query("DELETE FROM knowledge_images WHERE node_id = ?")
                    .bind(id.0)
                    .execute(&self.pool)
                    .await?;
                "picture removed".to_owned()
            }
        };
        self.audit_library(
            center_id,
            actor,
            format!("knowledge {} {}", id.0, before.title),
            detail,
        )
        .await?;
        Ok(Ok(Response::KnowledgeNodeSaved(KnowledgeNode {
            image: image.map(|(info, _)| *info),
            ..before
        })))
    }

    /// The bytes of node `id`'s picture; with `today`, only if agents see the node that day
    /// (it and every parent live).
    pub(super) async fn knowledge_image(
        &self,
        center_id: CenterId,
        id: KnowledgeNodeId,
        today: Option<porpoise_protocol::wire::DateYmd>,
    ) -> Result<Result<Response, ApiError>, StoreError> {
        if let Some(today) = today {
            let base = self.knowledge_base(center_id, Some(today)).await?;
            if !base.nodes.iter().any(|n| n.id == id) {
                return Ok(Err(not_found()));
            }
        }
        let data: Option<(Vec<u8>,)> = sqlx::query_as(
            "SELECT i.data FROM knowledge_images i JOIN knowledge_nodes n ON n.id = i.node_id \
             WHERE i.node_id = ? AND n.center_id = ?",
        )
        .bind(id.0)
        .bind(i64::from(center_id.0))
        .fetch_optional(&self.pool)
        .await?;
        Ok(match data {
            Some((data,)) => Ok(Response::KnowledgeImageData(rpc::KnowledgeImageData {
                id,
                data,
            })),
            None => Err(not_found()),
        })
    }
}
