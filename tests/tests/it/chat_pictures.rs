//! Chat pictures (A7, C4) through a real relay on loopback: the helper's own state machine and
//! network task (`porpoise_helper::state`, `porpoise_helper::net`) send a picture, the agent
//! (a headless [`Peer`]) receives it with its size and fetches identical bytes; the agent's
//! picture reaches the helper, which fetches it the same way; a broken picture is refused
//! with a reason the helper shows.

use porpoise_protocol::wire::rpc;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use porpoise_codec::chat_image;
use porpoise_helper::{
    media::Platform,
    net::{self, NetCommand, NetEvent, NetSettings, RequestFailure},
    state::{Effect, HelperState, Notice, UiAction},
};
use porpoise_protocol::wire::{
    ApiError, Event, ImageFormat, InstallId, MessageId, Party, Request, Response, ServiceRoute,
};
use porpoise_quic::client::random_id;
use porpoise_tools::{
    peer::{Peer, WAIT},
    relay::{TestRelay, DEMO_CENTER_ID, DEMO_PASSWORD},
};
use tokio::sync::mpsc;

/// The helper as its app runs it, minus the window: state machine plus network task.
struct Helper {
    state: HelperState,
    commands: mpsc::Sender<NetCommand>,
    events: mpsc::Receiver<NetEvent>,
}

impl Helper {
    fn start(relay: &TestRelay) -> Helper {
        let none = || std::io::Error::other("not used in this test");
        let platform = Platform {
            screen: Arc::new(move || Err(none())),
            injector: Arc::new(|| {
                Err(porpoise_helper::input::InjectError::Unavailable(
                    "not used in this test".into(),
                ))
            }),
        };
        let settings = NetSettings {
            relay_addr: relay.addr.to_string(),
            fingerprint: relay.fingerprint,
            center_id: DEMO_CENTER_ID,
            install_id: InstallId(random_id()),
        };
        let link = net::spawn(
            &tokio::runtime::Handle::current(),
            settings,
            platform,
            egui::Context::default(),
        );
        Helper {
            state: HelperState::new("图片客户".into(), "13800000000".into(), false),
            commands: link.commands,
            events: link.events,
        }
    }

    async fn send(&self, effects: Vec<Effect>) -> Result<()> {
        for effect in effects {
            if let Effect::Command(c) = effect {
                self.commands
                    .send(c)
                    .await
                    .context("helper net task gone")?;
            }
        }
        Ok(())
    }

    async fn ui(&mut self, action: UiAction) -> Result<()> {
        let mut effects = Vec::new();
        self.state.on_ui(action, &mut effects);
        self.send(effects).await
    }

    /// Feeds every network event to the state (as the app does) until `f` picks one.
    async fn until<T>(&mut self, mut f: impl FnMut(&NetEvent) -> Option<T>) -> Result<T> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let e = tokio::time::timeout_at(deadline, self.events.recv())
                .await
                .context("helper event timeout")?
                .context("helper net task ended")?;
            let picked = f(&e);
            let mut effects = Vec::new();
            self.state.on_net(e, &mut effects);
            self.send(effects).await?;
            if let Some(t) = picked {
                return Ok(t);
            }
        }
    }
}

/// A 300×200 gradient (PNG fits the chat limit).
fn picture(seed: u8) -> Vec<u8> {
    let (w, h) = (300u32, 200u32);
    let rgba: Vec<u8> = (0..w * h)
        .flat_map(|i| [(i % w) as u8, (i / w) as u8, seed, 255])
        .collect();
    chat_image::prepare(&rgba, w, h).expect("encodes")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pictures_go_both_ways_with_identical_bytes() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let config = relay.client_config();
    let mut agent = Peer::agent(&config, DEMO_CENTER_ID, "agent1", DEMO_PASSWORD).await?;
    let mut helper = Helper::start(&relay);
    helper
        .until(|e| matches!(e, NetEvent::Connected { .. }).then_some(()))
        .await?;
    let name = format!("picture customer {}", random_id() % 10_000);
    helper
        .send(vec![Effect::Command(NetCommand::Request(
            Request::RequestService(rpc::RequestService {
                name: name.clone(),
                phone: "13800000000".into(),
                route: ServiceRoute::AutoAssign {
                    group_id: None,
                    product_type_id: None,
                },
            }),
        ))])
        .await?;
    let session = agent.take_customer(&name, WAIT).await?;
    helper
        .until(|e| {
            matches!(e, NetEvent::Event(Event::SessionStarted(i)) if i.session_id == session)
                .then_some(())
        })
        .await?;

    // Customer → agent: pending until stored, then the agent gets the size and the same bytes.
    let sent = picture(1);
    helper.ui(UiAction::SendPicture(sent.clone())).await?;
    let pending = helper.state.session().context("serving")?.pending.clone();
    assert_eq!(pending.len(), 1, "shown pending at once");
    helper
        .until(|e| {
            matches!(
                e,
                NetEvent::Answered {
                    request: Request::SendChatImage(rpc::SendChatImage { .. }),
                    result: Ok(Response::ChatStored(_)),
                }
            )
            .then_some(())
        })
        .await?;
    let s = helper.state.session().context("serving")?;
    assert!(s.pending.is_empty(), "confirmed");
    let mine = s.messages.last().context("stored")?.clone();
    assert_eq!(mine.message_id, pending[0].message_id);
    let info = mine.image.context("a picture message")?;
    assert_eq!(
        (info.format, info.width, info.height),
        (ImageFormat::Png, 300, 200)
    );
    assert_eq!(info.bytes as usize, sent.len());

    let received = agent.wait_chat(session, WAIT).await?;
    assert_eq!(received.from, Party::Customer);
    assert_eq!(received.image, Some(info));
    assert!(received.text.is_empty());
    assert_eq!(
        agent.fetch_picture(session, received.message_id).await?,
        sent
    );

    // Agent → customer: the helper hears of it and fetches identical bytes.
    let theirs = picture(200);
    let stored = agent.send_picture(session, theirs.clone()).await?;
    let heard = helper
        .until(|e| match e {
            NetEvent::Event(Event::ChatReceived { message, .. }) if message.image.is_some() => {
                Some(message.clone())
            }
            _ => None,
        })
        .await?;
    assert_eq!(heard, stored);
    let fetch = Request::GetChatImage(rpc::GetChatImage {
        session_id: session,
        message_id: stored.message_id,
    });
    helper
        .send(vec![Effect::Command(NetCommand::Request(fetch))])
        .await?;
    let data = helper
        .until(|e| match e {
            NetEvent::Answered {
                request: Request::GetChatImage(rpc::GetChatImage { .. }),
                result,
            } => Some(result.clone()),
            _ => None,
        })
        .await?;
    match data {
        Ok(Response::ChatImageData(rpc::ChatImageData { data, .. })) => assert_eq!(data, theirs),
        other => bail!("expected the picture, got {other:?}"),
    }

    // A picture the relay refuses (its header lies about the size) says why; not pending.
    let mut broken = picture(3);
    broken[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    let mut effects = Vec::new();
    helper
        .state
        .on_ui(UiAction::SendPicture(broken.clone()), &mut effects);
    assert!(effects.is_empty(), "refused before sending: {effects:?}");
    assert!(
        matches!(
            &helper.state.notice,
            Some(Notice::PictureInvalid(ApiError::BadImage(_)))
        ),
        "{:?}",
        helper.state.notice
    );
    // The same bytes sent by hand reach the relay, which refuses them too.
    let by_hand = Request::SendChatImage(rpc::SendChatImage {
        session_id: session,
        message_id: MessageId(random_id()),
        data: broken,
    });
    helper
        .send(vec![Effect::Command(NetCommand::Request(by_hand))])
        .await?;
    let refused = helper
        .until(|e| match e {
            NetEvent::Answered {
                request: Request::SendChatImage(rpc::SendChatImage { .. }),
                result: Err(e),
            } => Some(e.clone()),
            _ => None,
        })
        .await?;
    assert!(
        matches!(refused, RequestFailure::Relay(ApiError::BadImage(_))),
        "{refused:?}"
    );
    assert!(helper
        .state
        .session()
        .context("serving")?
        .pending
        .is_empty());

    let _ = helper.commands.send(NetCommand::Shutdown).await;
    relay.stop().await;
    Ok(())
}
