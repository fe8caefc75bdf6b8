//! Storage of support records, message and customer tags and visitor cards (A13, A15). Tables in
//! `migrations/20261122000003_support_records.sql`. Every statement filters by the center.

use porpoise_protocol::wire::{
    AgentId, ApiError, CenterId, CustomerProfile, InstallId, MessageId, MessageTags,
    PendingRecordItem, RemoteAction, Response, SessionId, SupportRecord, SupportRecordForm,
    MAX_LATE_FILL_LIMIT_H, MAX_PENDING_RECORDS,
};
use tracing::error;

use super::{from_db, hex128, parse_hex128, to_db, Store, StoreError};
use crate::core::{EndedSession, RecordsOp};

/// Row of `support_records` without the session id.
type RecordRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
);
/// Row of an ended session for late filling.
type EndedRow = (i64, i64, i64, String, String, String, i64);

fn json_list<T: serde::de::DeserializeOwned>(text: &str) -> Result<Vec<T>, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("bad JSON list: {e}")))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Store {
    /// Runs a [`RecordsOp`] and gives the answer for the agent: `CustomerProfile`,
    /// `SupportRecordSaved` or `Done`; `Invalid` for a message not in the session,
    /// `UnknownSession` for a session of another center, `Storage` on a database error
    /// (logged here).
    pub async fn apply_records(&self, op: &RecordsOp) -> Result<Response, ApiError> {
        match self.run_records(op).await {
            Ok(answer) => answer,
            Err(err) => {
                error!("support record store failed: {err}");
                Err(ApiError::Storage)
            }
        }
    }

    pub(super) async fn run_records(
        &self,
        op: &RecordsOp,
    ) -> Result<Result<Response, ApiError>, StoreError> {
        match op {
            RecordsOp::LoadProfile {
                center_id,
                install_id,
                session_id,
                fallback,
            } => {
                let center = i64::from(center_id.0);
                let install = hex128(install_id.0);
                let profile: Option<(String, Option<String>)> = sqlx::query_as(
                    "SELECT tags, card FROM customer_profiles WHERE center_id = ? AND install_id = ?",
                )
                .bind(center)
                .bind(&install)
                .fetch_optional(&self.pool)
                .await?;
                let (customer_tags, card) = match profile {
                    Some((tags, card)) => {
                        let card = match card {
                            Some(json) => serde_json::from_str(&json)
                                .map_err(|e| StoreError::Corrupt(format!("bad card: {e}")))?,
                            None => fallback.clone(),
                        };
                        (json_list(&tags)?, card)
                    }
                    None => (Vec::new(), fallback.clone()),
                };
                Ok(Ok(Response::CustomerProfile(CustomerProfile {
                    card,
                    customer_tags,
                    message_tags: self.message_tags(center_id.0, *session_id).await?,
                    record: self.support_record(center_id.0, *session_id).await?,
                })))
            }
            RecordsOp::SaveRecord { center_id, record } => {
                let f = &record.form;
                let done = sqlx::query(
                    "INSERT INTO support_records (session_id, center_id, agent_id, customer_name, \
                     customer_phone, service_modes, product, problem_type, subject, content, \
                     disposition, saved_at) \
                     SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? \
                     WHERE EXISTS (SELECT 1 FROM sessions WHERE id = ? AND center_id = ?) \
                     ON CONFLICT (session_id) DO UPDATE SET agent_id = excluded.agent_id, \
                     customer_name = excluded.customer_name, \
                     customer_phone = excluded.customer_phone, \
                     service_modes = excluded.service_modes, product = excluded.product, \
                     problem_type = excluded.problem_type, subject = excluded.subject, \
                     content = excluded.content, disposition = excluded.disposition, \
                     saved_at = excluded.saved_at WHERE support_records.center_id = ?",
                )
                .bind(to_db(record.session_id.0)?)
                .bind(i64::from(center_id.0))
                .bind(record.agent_id.0)
                .bind(&f.customer_name)
                .bind(&f.customer_phone)
                .bind(to_json(&f.service_modes)?)
                .bind(&f.product)
                .bind(&f.problem_type)
                .bind(&f.subject)
                .bind(&f.content)
                .bind(&f.disposition)
                .bind(record.saved_at)
                .bind(to_db(record.session_id.0)?)
                .bind(i64::from(center_id.0))
                .bind(i64::from(center_id.0))
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 {
                    return Ok(Err(ApiError::UnknownSession));
                }
                Ok(Ok(Response::SupportRecordSaved(record.clone())))
            }
            RecordsOp::SetMessageTags {
                center_id,
                session_id,
                message_id,
                tags,
            } => {
                let session = to_db(session_id.0)?;
                let message = hex128(message_id.0);
                let known: Option<(i64,)> = sqlx::query_as(
                    "SELECT 1 FROM chat_messages m JOIN sessions s ON s.id = m.session_id \
                     WHERE m.session_id = ? AND m.message_id = ? AND s.center_id = ?",
                )
                .bind(session)
                .bind(&message)
                .bind(i64::from(center_id.0))
                .fetch_optional(&self.pool)
                .await?;
                if known.is_none() {
                    return Ok(Err(ApiError::NotFound {
                        what: porpoise_protocol::wire::Thing::Message,
                    }));
                }
                if tags.is_empty() {
                    sqlx::query("DELETE FROM message_tags WHERE session_id = ? AND message_id = ?")
                        .bind(session)
                        .bind(&message)
                        .execute(&self.pool)
                        .await?;
                } else {
                    sqlx::query(
                        "INSERT INTO message_tags (session_id, message_id, tags) VALUES (?, ?, ?) \
                         ON CONFLICT (session_id, message_id) DO UPDATE SET tags = excluded.tags",
                    )
                    .bind(session)
                    .bind(&message)
                    .bind(to_json(tags)?)
                    .execute(&self.pool)
                    .await?;
                }
                Ok(Ok(Response::Done))
            }
            RecordsOp::SetCustomerTags {
                center_id,
                install_id,
                tags,
            } => {
                sqlx::query(
                    "INSERT INTO customer_profiles (center_id, install_id, tags, updated_at) \
                     VALUES (?, ?, ?, ?) ON CONFLICT (center_id, install_id) DO UPDATE \
                     SET tags = excluded.tags, updated_at = excluded.updated_at",
                )
                .bind(i64::from(center_id.0))
                .bind(hex128(install_id.0))
                .bind(to_json(tags)?)
                .bind(super::unix_ms_now())
                .execute(&self.pool)
                .await?;
                Ok(Ok(Response::Done))
            }
            RecordsOp::SaveVisitorCard {
                center_id,
                install_id,
                card,
            } => {
                sqlx::query(
                    "INSERT INTO customer_profiles (center_id, install_id, card, updated_at) \
                     VALUES (?, ?, ?, ?) ON CONFLICT (center_id, install_id) DO UPDATE \
                     SET card = excluded.card, updated_at = excluded.updated_at",
                )
                .bind(i64::from(center_id.0))
                .bind(hex128(install_id.0))
                .bind(to_json(card)?)
                .bind(super::unix_ms_now())
                .execute(&self.pool)
                .await?;
                Ok(Ok(Response::Done))
            }
            RecordsOp::SaveSurvey { center_id, survey } => {
                self.save_survey(*center_id, survey).await
            }
            RecordsOp::PendingRecords {
                center_id,
                agent_id,
                since,
            } => {
                let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
                    "SELECT s.id, t.name, t.phone, s.ended_at FROM sessions s \
                     JOIN tickets t ON t.id = s.ticket \
                     LEFT JOIN support_records r ON r.session_id = s.id \
                     WHERE s.center_id = ? AND s.agent_id = ? AND s.ended_at >= ? \
                     AND r.session_id IS NULL ORDER BY s.ended_at, s.id LIMIT ?",
                )
                .bind(i64::from(center_id.0))
                .bind(agent_id.0)
                .bind(*since)
                .bind(to_db(MAX_PENDING_RECORDS as u64)?)
                .fetch_all(&self.pool)
                .await?;
                let items = rows
                    .into_iter()
                    .map(|(id, customer_name, customer_phone, ended_at)| {
                        Ok(PendingRecordItem {
                            session_id: SessionId(from_db(id)?),
                            customer_name,
                            customer_phone,
                            ended_at,
                        })
                    })
                    .collect::<Result<Vec<_>, StoreError>>()?;
                Ok(Ok(Response::PendingRecords(items)))
            }
        }
    }

    /// The support record of a session of `center_id` (A13; also for service history, A11).
    ///
    /// Errors: [`StoreError::Database`], [`StoreError::Corrupt`] for a bad stored list.
    pub async fn support_record(
        &self,
        center_id: u32,
        session_id: SessionId,
    ) -> Result<Option<SupportRecord>, StoreError> {
        let row: Option<RecordRow> = sqlx::query_as(
            "SELECT agent_id, customer_name, customer_phone, service_modes, product, \
             problem_type, subject, content, disposition, saved_at \
             FROM support_records WHERE session_id = ? AND center_id = ?",
        )
        .bind(to_db(session_id.0)?)
        .bind(i64::from(center_id))
        .fetch_optional(&self.pool)
        .await?;
        let Some((agent_id, name, phone, modes, product, problem, subject, content, disp, at)) =
            row
        else {
            return Ok(None);
        };
        let service_modes: Vec<RemoteAction> = json_list(&modes)?;
        Ok(Some(SupportRecord {
            session_id,
            agent_id: AgentId(agent_id),
            saved_at: at,
            form: SupportRecordForm {
                customer_name: name,
                customer_phone: phone,
                service_modes,
                product,
                problem_type: problem,
                subject,
                content,
                disposition: disp,
            },
        }))
    }

    /// Tags on the messages of a session of `center_id`.
    async fn message_tags(
        &self,
        center_id: u32,
        session_id: SessionId,
    ) -> Result<Vec<MessageTags>, StoreError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT t.message_id, t.tags FROM message_tags t JOIN sessions s ON s.id = t.session_id \
             WHERE t.session_id = ? AND s.center_id = ? ORDER BY t.rowid",
        )
        .bind(to_db(session_id.0)?)
        .bind(i64::from(center_id))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, tags)| {
                Ok(MessageTags {
                    message_id: MessageId(parse_hex128(&id)?),
                    tags: json_list(&tags)?,
                })
            })
            .collect()
    }

    /// Sessions ended since `now_ms` minus the longest late-fill window, with their facts
    /// (A13; loaded into the snapshot).
    ///
    /// Errors: [`StoreError::Database`], [`StoreError::Corrupt`] for out-of-range values.
    pub async fn recently_ended_sessions(
        &self,
        now_ms: i64,
    ) -> Result<Vec<EndedSession>, StoreError> {
        let since = now_ms - i64::from(MAX_LATE_FILL_LIMIT_H) * 3_600_000;
        let rows: Vec<EndedRow> = sqlx::query_as(
            "SELECT s.id, s.center_id, s.agent_id, c.install_id, t.name, t.phone, s.ended_at \
             FROM sessions s JOIN customers c ON c.id = s.customer \
             JOIN tickets t ON t.id = s.ticket \
             WHERE s.ended_at IS NOT NULL AND s.ended_at >= ? ORDER BY s.id",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, center, agent_id, install, name, phone, ended_at)| {
                Ok(EndedSession {
                    session_id: SessionId(from_db(id)?),
                    center_id: CenterId(from_db(center)?),
                    agent_id: AgentId(agent_id),
                    install_id: InstallId(parse_hex128(&install)?),
                    customer_name: name,
                    customer_phone: phone,
                    ended_at,
                })
            })
            .collect()
    }
}
