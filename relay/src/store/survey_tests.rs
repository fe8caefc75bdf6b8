//! Survey storage tests (C7): stored, one per session, tenant isolation, listing by time.

use porpoise_protocol::wire::{
    ApiError, InstallId, Response, SessionId, SurveyAnswer, SurveyResult, TicketId,
};

use super::*;
use crate::core::{AgentId, RecordsOp, StoreOp, Ticket};

async fn agent_id(store: &Store, center_id: CenterId, username: &str) -> AgentId {
    let (id,): (i64,) =
        sqlx::query_as("SELECT id FROM agents WHERE center_id = ? AND username = ?")
            .bind(i64::from(center_id.0))
            .bind(username)
            .fetch_one(&store.pool)
            .await
            .expect("agent");
    AgentId(id)
}

async fn session(store: &Store, id: u64, center_id: CenterId, agent_id: AgentId) {
    let ops = [
        StoreOp::InsertTicket(Ticket {
            ticket_id: TicketId(id),
            center_id,
            install_id: InstallId(u128::from(id)),
            name: format!("客户{id}"),
            phone: String::new(),
            queued_at: 1000,
            group_id: None,
            product_type_id: None,
            preferred_agent: None,
            region: None,
        }),
        StoreOp::InsertSession {
            session_id: SessionId(id),
            center_id,
            ticket_id: TicketId(id),
            install_id: InstallId(u128::from(id)),
            agent_id,
            started_at: 1500,
        },
    ];
    for op in &ops {
        store.apply(op).await.expect("op");
    }
}

fn survey(session_id: u64, agent_id: AgentId, stars: u8, at: i64) -> SurveyResult {
    SurveyResult {
        session_id: SessionId(session_id),
        agent_id,
        answer: SurveyAnswer {
            stars,
            comment: format!("评价 {session_id}"),
        },
        submitted_at: at,
    }
}

async fn save(store: &Store, center_id: CenterId, s: SurveyResult) -> Result<Response, ApiError> {
    store
        .apply_records(&RecordsOp::SaveSurvey {
            center_id,
            survey: s,
        })
        .await
}

#[tokio::test]
async fn one_survey_per_session_per_center_listed_by_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("relay.sqlite3"))
        .await
        .expect("open");
    store.seed_demo().await.expect("seed");
    let other = store
        .create_center("别的中心")
        .await
        .expect("center")
        .center_id;
    let agent1 = agent_id(&store, DEMO_CENTER_ID, "agent1").await;
    let admin2 = agent_id(&store, other, "admin").await;
    session(&store, 1, DEMO_CENTER_ID, agent1).await;
    session(&store, 2, DEMO_CENTER_ID, agent1).await;
    session(&store, 3, other, admin2).await;

    assert_eq!(
        save(&store, DEMO_CENTER_ID, survey(1, agent1, 5, 10_000)).await,
        Ok(Response::Done)
    );
    // A second answer for the same session is refused and the first one kept.
    let again = save(&store, DEMO_CENTER_ID, survey(1, agent1, 1, 11_000)).await;
    assert!(matches!(again, Err(ApiError::Conflict(_))), "{again:?}");
    // Another center's session cannot be rated through this center.
    let foreign = save(&store, DEMO_CENTER_ID, survey(3, agent1, 2, 12_000)).await;
    assert_eq!(foreign, Err(ApiError::UnknownSession));
    assert_eq!(
        save(&store, DEMO_CENTER_ID, survey(2, agent1, 3, 20_000)).await,
        Ok(Response::Done)
    );
    assert_eq!(
        save(&store, other, survey(3, admin2, 4, 15_000)).await,
        Ok(Response::Done)
    );

    // The demo center's answers, oldest first; the range is [from, to).
    let all = store
        .surveys(DEMO_CENTER_ID, 0, i64::MAX)
        .await
        .expect("list");
    assert_eq!(
        all,
        [survey(1, agent1, 5, 10_000), survey(2, agent1, 3, 20_000)]
    );
    let first = store
        .surveys(DEMO_CENTER_ID, 10_000, 20_000)
        .await
        .expect("list");
    assert_eq!(first, [survey(1, agent1, 5, 10_000)]);
    // The other center sees only its own.
    let theirs = store.surveys(other, 0, i64::MAX).await.expect("list");
    assert_eq!(theirs, [survey(3, admin2, 4, 15_000)]);

    // Durable: still there after reopening the file.
    store.close().await;
    let store = Store::open(&dir.path().join("relay.sqlite3"))
        .await
        .expect("reopen");
    assert_eq!(
        store
            .surveys(DEMO_CENTER_ID, 0, i64::MAX)
            .await
            .expect("list")
            .len(),
        2
    );
}
