//! Loopback: canned responses, knowledge base (A8) and service history (A11) through a real
//! relay: the demo library, personal responses private to their owner, tenant isolation, and
//! a returning customer's earlier session with its transcript.

use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    ApiError, CannedDraft, CannedScope, Event, Request, Response, ServiceHistory, TranscriptPage,
};
use porpoise_protocol::wire::{CenterId, InstallId};
use porpoise_quic::client::random_id;
use porpoise_tools::{
    peer::{Peer, WAIT},
    relay::{seed_center, TestRelay, DEMO_CENTER_ID, DEMO_PASSWORD},
};

const OTHER_CENTER: CenterId = CenterId(8_200_001);
const OTHER_PASSWORD: &str = "other-password";

async fn ask(peer: &Peer, body: Request) -> Result<Response, ApiError> {
    peer.client.request(body).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn canned_responses_and_knowledge_base_stay_within_owner_and_center() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    seed_center(dir.path(), OTHER_CENTER, "Other", "other1", OTHER_PASSWORD).await?;
    let relay = TestRelay::start(dir.path()).await?;
    let config = relay.client_config();
    let agent1 = Peer::agent(&config, DEMO_CENTER_ID, "agent1", DEMO_PASSWORD).await?;
    let agent2 = Peer::agent(&config, DEMO_CENTER_ID, "agent2", DEMO_PASSWORD).await?;
    let stranger = Peer::agent(&config, OTHER_CENTER, "other1", OTHER_PASSWORD).await?;

    let Response::CannedResponses(demo) = ask(
        &agent1,
        Request::ListCannedResponses(rpc::ListCannedResponses),
    )
    .await?
    else {
        panic!("no list")
    };
    assert_eq!(
        demo.items.len(),
        8,
        "the demo center's center-wide responses"
    );
    assert!(demo.items.iter().any(|c| c.draft.title == "欢迎"));

    let draft = CannedDraft {
        category: "我的".into(),
        title: "回访".into(),
        text: "您好，这里是回访电话，请问问题解决了吗？".into(),
    };
    let save = Request::SaveCannedResponse(rpc::SaveCannedResponse {
        id: None,
        scope: CannedScope::Personal,
        draft: draft.clone(),
    });
    let Response::CannedResponseSaved(mine) = ask(&agent1, save).await? else {
        panic!("not saved")
    };
    assert_eq!(mine.draft, draft);
    let listed = |r: Response| match r {
        Response::CannedResponses(list) => list.items,
        other => panic!("{other:?}"),
    };
    assert!(listed(
        ask(
            &agent1,
            Request::ListCannedResponses(rpc::ListCannedResponses)
        )
        .await?
    )
    .contains(&mine));
    assert!(!listed(
        ask(
            &agent2,
            Request::ListCannedResponses(rpc::ListCannedResponses)
        )
        .await?
    )
    .contains(&mine));
    assert!(listed(
        ask(
            &stranger,
            Request::ListCannedResponses(rpc::ListCannedResponses)
        )
        .await?
    )
    .is_empty());

    // Neither a colleague nor a plain agent touching center-wide ones.
    let delete = Request::DeleteCannedResponse(rpc::DeleteCannedResponse { id: mine.id });
    let refused = ask(&agent2, delete.clone()).await;
    assert!(
        matches!(
            refused,
            Err(ApiError::NotFound {
                what: porpoise_protocol::wire::Thing::CannedResponse
            })
        ),
        "{refused:?}"
    );
    let center_wide = Request::SaveCannedResponse(rpc::SaveCannedResponse {
        id: None,
        scope: CannedScope::Center,
        draft,
    });
    let refused = ask(&agent1, center_wide).await;
    assert!(matches!(refused, Err(ApiError::NotPermitted { .. })));
    assert!(matches!(ask(&agent1, delete).await?, Response::Done));

    let Response::KnowledgeBase(base) =
        ask(&agent2, Request::ListKnowledgeBase(rpc::ListKnowledgeBase)).await?
    else {
        panic!("no knowledge base")
    };
    assert_eq!(base.nodes.len(), 8);
    assert_eq!(base.nodes[0].title, "打印机");
    let Response::KnowledgeBase(other) = ask(
        &stranger,
        Request::ListKnowledgeBase(rpc::ListKnowledgeBase),
    )
    .await?
    else {
        panic!("no knowledge base")
    };
    assert!(
        other.nodes.is_empty(),
        "another center's knowledge base is its own"
    );
    relay.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returning_customer_shows_the_earlier_session_and_its_transcript() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    seed_center(dir.path(), OTHER_CENTER, "Other", "other1", OTHER_PASSWORD).await?;
    let relay = TestRelay::start(dir.path()).await?;
    let config = relay.client_config();
    let mut agent = Peer::agent(&config, DEMO_CENTER_ID, "agent1", DEMO_PASSWORD).await?;
    let mut customer = Peer::customer(&config, DEMO_CENTER_ID, InstallId(random_id())).await?;

    // First visit: two messages, then the agent ends it.
    customer.request_service("王小明", "13912345678").await?;
    let first = agent.take_customer("王小明", WAIT).await?;
    customer
        .wait_for(WAIT, |e| {
            matches!(e, Event::SessionStarted(_)).then_some(())
        })
        .await?;
    customer.say(first, "打印机脱机了").await?;
    agent.say(first, "请检查数据线").await?;
    ask(
        &agent,
        Request::EndSession(rpc::EndSession { session_id: first }),
    )
    .await?;

    // Second visit from the same helper, under another name (the history shows the old one).
    customer.request_service("王先生", "13912345678").await?;
    let second = agent.take_customer("王先生", WAIT).await?;
    assert_ne!(first, second);
    let history = ask(
        &agent,
        Request::ListServiceHistory(rpc::ListServiceHistory { session_id: second }),
    )
    .await?;
    let Response::ServiceHistory(ServiceHistory { items, truncated }) = history else {
        panic!("{history:?}")
    };
    assert!(!truncated);
    assert_eq!(items.len(), 1, "only the earlier session: {items:?}");
    assert_eq!(items[0].session_id, first);
    assert_eq!(items[0].agent_name, "Agent One");
    assert_eq!(items[0].customer_name, "王小明");
    // The greeting may be stored as a relay message too.
    assert!(items[0].message_count >= 2);

    let read = Request::ReadHistoryTranscript(rpc::ReadHistoryTranscript {
        session_id: second,
        past_session_id: first,
        after: None,
    });
    let Response::HistoryTranscript(TranscriptPage { messages, next, .. }) =
        ask(&agent, read.clone()).await?
    else {
        panic!("no transcript")
    };
    let texts: Vec<&str> = messages.iter().map(|m| m.text.as_str()).collect();
    assert!(
        texts.ends_with(&["打印机脱机了", "请检查数据线"]),
        "{texts:?}"
    );
    assert_eq!(next, None);

    // Nobody else reads it: a colleague and another center's agent are refused.
    let colleague = Peer::agent(&config, DEMO_CENTER_ID, "agent2", DEMO_PASSWORD).await?;
    let stranger = Peer::agent(&config, OTHER_CENTER, "other1", OTHER_PASSWORD).await?;
    for peer in [&colleague, &stranger] {
        let refused = ask(peer, read.clone()).await;
        assert!(
            matches!(refused, Err(ApiError::UnknownSession)),
            "{refused:?}"
        );
        let refused = ask(
            peer,
            Request::ListServiceHistory(rpc::ListServiceHistory { session_id: second }),
        )
        .await;
        assert!(matches!(refused, Err(ApiError::UnknownSession)));
    }
    // The customer cannot ask either.
    let refused = ask(
        &customer,
        Request::ListServiceHistory(rpc::ListServiceHistory { session_id: second }),
    )
    .await;
    assert!(matches!(refused, Err(ApiError::NotPermitted { .. })));
    relay.stop().await;
    Ok(())
}
