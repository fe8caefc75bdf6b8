//! Reboot and reconnect (C8) through a real relay over QUIC on loopback, with headless peers:
//! the agent asks, the customer consents (the consent prompt's headless path, as in
//! `consent.rs`), gets a one-time token and disconnects as a rebooting computer does; a new
//! helper (another install id, as after a reinstall or a cleaned profile) presents the token and
//! is back in the same session with the same agent. Used, unknown and other centers' tokens are
//! refused. The 15-minute expiry is tested on the core's virtual clock
//! (`relay/src/core/tests/reconnect.rs`).

use anyhow::{bail, Result};
use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    ActionState, ApiError, Event, ReconnectToken, RemoteAction, Request, Response, SessionId,
    TokenRefusal, RECONNECT_TOKEN_TTL_MS,
};
use porpoise_protocol::wire::{CenterId, InstallId};
use porpoise_quic::client::random_id;
use porpoise_tools::{
    peer::{served_session, Peer, WAIT},
    relay::{seed_center, TestRelay, DEMO_CENTER_ID, DEMO_PASSWORD},
};

const OTHER_CENTER: CenterId = CenterId(8_200_002);
const ACTION: RemoteAction = RemoteAction::Reboot;

/// Agent asks for the reboot, the customer sees the prompt and accepts, then asks for its
/// token; the agent sees the customer rebooting.
async fn consent_and_token(
    agent: &mut Peer,
    customer: &mut Peer,
    session: SessionId,
) -> Result<ReconnectToken> {
    agent.request_action(session, ACTION).await?;
    customer
        .wait_for(WAIT, |e| {
            matches!(e, Event::ConsentRequested { session_id, action: ACTION } if *session_id == session)
                .then_some(())
        })
        .await?;
    customer.answer(session, ACTION, true).await?;
    let answer = customer
        .client
        .request(Request::RequestReconnectToken(rpc::RequestReconnectToken {
            session_id: session,
        }))
        .await?;
    let Response::ReconnectToken(rpc::IssuedReconnectToken { token, expires_at }) = answer else {
        bail!("no token: {answer:?}");
    };
    let until = agent
        .wait_for(WAIT, |e| match e {
            Event::CustomerRebooting { session_id, until } if *session_id == session => {
                Some(*until)
            }
            _ => None,
        })
        .await?;
    assert_eq!(until, expires_at);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;
    assert!(
        (until - now - RECONNECT_TOKEN_TTL_MS).abs() < 60_000,
        "{until} vs {now}"
    );
    Ok(token)
}

async fn redeem(peer: &Peer, token: &ReconnectToken) -> Result<Response, ApiError> {
    peer.client
        .request(Request::RedeemReconnectToken(rpc::RedeemReconnectToken {
            token: token.clone(),
        }))
        .await
}

fn refusal(result: Result<Response, ApiError>) -> TokenRefusal {
    match result {
        Err(ApiError::BadReconnectToken(why)) => why,
        other => panic!("not refused: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebooted_customer_rejoins_the_same_session_once() -> Result<()> {
    let dir = tempfile::tempdir()?;
    seed_center(
        dir.path(),
        OTHER_CENTER,
        "Other",
        "other1",
        "other-password",
    )
    .await?;
    let relay = TestRelay::start(dir.path()).await?;
    let config = relay.client_config();
    let (mut agent, mut customer, session) =
        served_session(&config, DEMO_CENTER_ID, DEMO_PASSWORD, "重启客户").await?;
    agent.say(session, "请重启电脑").await?;

    // Without consent there is no token.
    let early = customer
        .client
        .request(Request::RequestReconnectToken(rpc::RequestReconnectToken {
            session_id: session,
        }))
        .await;
    assert!(matches!(early, Err(ApiError::Conflict(_))), "{early:?}");

    let token = consent_and_token(&mut agent, &mut customer, session).await?;
    // Granted, then over at once: a reboot is a one-shot action.
    assert_eq!(
        agent.action_outcome(session, ACTION, WAIT).await?,
        ActionState::Granted
    );
    assert_eq!(
        agent.action_outcome(session, ACTION, WAIT).await?,
        ActionState::Stopped
    );
    // The computer goes down.
    drop(customer);

    // Another center's helper cannot use it; a guessed token is unknown.
    let stranger = Peer::customer(&config, OTHER_CENTER, InstallId(random_id())).await?;
    assert_eq!(
        refusal(redeem(&stranger, &token).await),
        TokenRefusal::WrongCenter
    );
    let back = Peer::customer(&config, DEMO_CENTER_ID, InstallId(random_id())).await?;
    let guess = ReconnectToken([0x42; 32]);
    assert_eq!(refusal(redeem(&back, &guess).await), TokenRefusal::Unknown);

    // The helper started after the login presents it: same session, history included.
    let mut back = back;
    let resumed = redeem(&back, &token).await?;
    let Response::SessionStarted(info) = resumed else {
        bail!("not resumed: {resumed:?}");
    };
    assert_eq!(info.session_id, session);
    assert!(info.messages.iter().any(|m| m.text == "请重启电脑"));
    agent
        .wait_for(WAIT, |e| {
            matches!(e, Event::CustomerReconnected { session_id } if *session_id == session)
                .then_some(())
        })
        .await?;

    // Chat continues both ways.
    back.say(session, "我回来了").await?;
    let got = agent.wait_chat(session, WAIT).await?;
    assert_eq!(got.text, "我回来了");
    agent.say(session, "欢迎回来").await?;
    assert_eq!(back.wait_chat(session, WAIT).await?.text, "欢迎回来");

    // Single use.
    let again = Peer::customer(&config, DEMO_CENTER_ID, InstallId(random_id())).await?;
    assert_eq!(refusal(redeem(&again, &token).await), TokenRefusal::Used);
    relay.stop().await;
    Ok(())
}
