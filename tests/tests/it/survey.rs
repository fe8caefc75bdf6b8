//! Survey stored (C7, issue 6): with the center's auto survey on, the customer gets the survey
//! when the session ends, submits it through a real relay over QUIC, and the answer is in the
//! relay's SQLite file; a second answer is refused; the agent is told.

use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{ApiError, CenterSettings, Event, Request, Response, SurveyAnswer};
use porpoise_relay::{config::DATABASE_FILE, Store};
use porpoise_tools::{
    peer::{served_session, Peer, WAIT},
    relay::{TestRelay, DEMO_CENTER_ID, DEMO_PASSWORD},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn survey_stored() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let config = relay.client_config();

    // The admin turns the automatic survey on (M5).
    let admin = Peer::agent(&config, DEMO_CENTER_ID, "admin", DEMO_PASSWORD).await?;
    let Response::CenterSettings(settings) = admin
        .client
        .request(Request::GetCenterSettings(rpc::GetCenterSettings))
        .await?
    else {
        anyhow::bail!("no settings");
    };
    let settings = CenterSettings {
        auto_survey: true,
        ..settings
    };
    admin
        .client
        .request(Request::UpdateCenterSettings(rpc::UpdateCenterSettings(
            settings,
        )))
        .await?;

    let (mut agent, mut customer, session) =
        served_session(&config, DEMO_CENTER_ID, DEMO_PASSWORD, "survey-customer").await?;
    agent
        .client
        .request(Request::EndSession(rpc::EndSession {
            session_id: session,
        }))
        .await?;
    customer
        .wait_for(WAIT, |e| {
            matches!(e, Event::SurveyRequested { session_id } if *session_id == session)
                .then_some(())
        })
        .await?;

    let answer = SurveyAnswer {
        stars: 5,
        comment: "非常耐心，问题解决了".into(),
    };
    let submit = Request::SubmitSurvey(rpc::SubmitSurvey {
        session_id: session,
        answer: answer.clone(),
    });
    assert_eq!(
        customer.client.request(submit.clone()).await?,
        Response::Done
    );
    // One per session.
    let again = customer.client.request(submit).await;
    assert!(matches!(again, Err(ApiError::Conflict(_))), "{again:?}");
    // The agent who served it is told.
    let told = agent
        .wait_for(WAIT, |e| match e {
            Event::SurveySubmitted { session_id, answer } if *session_id == session => {
                Some(answer.clone())
            }
            _ => None,
        })
        .await?;
    assert_eq!(told, answer);

    // Durable: read back from the relay's SQLite file.
    let store = Store::open(&relay.data_dir.join(DATABASE_FILE)).await?;
    let stored = store.surveys(DEMO_CENTER_ID, 0, i64::MAX).await?;
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0].session_id, session);
    assert_eq!(stored[0].answer, answer);
    store.close().await;
    relay.stop().await;
    Ok(())
}
