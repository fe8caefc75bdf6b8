//! A scripted stand-in for the relay, to try the helper window by hand without the real relay:
//! it queues the customer, starts a session with agent "Alice", chats, asks for remote control,
//! and once granted receives the screen (saved as a PNG) and moves the pointer and types text.
//!
//! ```sh
//! cargo run -p porpoise-helper --example demo_relay -- 127.0.0.1:18555 /tmp/received.png
//! # prints the fingerprint; then in another shell:
//! porpoise-helper --relay 127.0.0.1:18555 --fingerprint FP --center 8000001 --name Wang --auto-request
//! ```
//! `DEMO_STEP_SECONDS` (default 4) is the pause between steps; `DEMO_MODE` picks the request
//! screen: `auto` (default, auto-assign), `showcase`, `code` (session code) or `closed`.

use porpoise_protocol::wire::rpc;
use std::time::Duration;

use anyhow::{bail, Context as _};
use porpoise_protocol::wire::{AgentId, GroupId, MessageId, ProductTypeId, SessionId, TicketId};
use porpoise_protocol::{
    framing::MAX_CONTROL_FRAME_BYTES,
    input::{InputEvent, KeyEvent, MouseEvent},
    wire::{
        ActionState, AgentCard, ChatMessage, ClientMessage, Event, Group, MediaHeader, MediaKind,
        Party, Presence, ProductType, RemoteAction, Request, Response, ServerMessage, ServiceMode,
        ServiceOptions, SessionInfo, Welcome, MAX_MEDIA_HEADER_BYTES,
    },
};
use porpoise_quic::{
    frame_io::read_frame,
    frame_io::write_frame,
    screen::{view_screen, InputSender},
    tls::{server_config, Fingerprint},
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::sync::mpsc;

const SID: SessionId = SessionId(1);

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:18555".into());
    let png_path = args.next().unwrap_or_else(|| "/tmp/received.png".into());
    let step = Duration::from_secs(
        std::env::var("DEMO_STEP_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(4),
    );
    let made = rcgen::generate_simple_self_signed(vec!["porpoise-relay".to_owned()])?;
    let cert = made.cert.der().to_vec();
    println!("fingerprint {}", Fingerprint::of_der(&cert));
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.key_pair.serialize_der()));
    let endpoint = quinn::Endpoint::server(
        server_config(CertificateDer::from(cert), key)?,
        addr.parse()?,
    )?;
    println!("listening on {addr}");
    let connection = endpoint.accept().await.context("no helper")?.await?;
    let (send, mut recv) = connection.accept_bi().await?;
    let hello: Option<ClientMessage> = read_frame(&mut recv, MAX_CONTROL_FRAME_BYTES).await?;
    println!("hello {hello:?}");
    let (out_tx, mut out_rx) = mpsc::channel::<ServerMessage>(64);
    tokio::spawn(async move {
        let mut send = send;
        while let Some(msg) = out_rx.recv().await {
            if write_frame(&mut send, &msg, MAX_CONTROL_FRAME_BYTES)
                .await
                .is_err()
            {
                break;
            }
        }
    });
    let welcome = Welcome::Customer {
        center_name: "Acme 技术支持".into(),
        session: None,
        queue_position: None,
        options: demo_options(),
        branding: None,
    };
    out_tx.send(ServerMessage::Welcome(welcome)).await?;
    // Answer requests as they come; remember consent answers.
    let (consent_tx, mut consent_rx) = mpsc::channel::<(RemoteAction, bool)>(8);
    let answers = out_tx.clone();
    tokio::spawn(async move {
        while let Ok(Some(ClientMessage::Request { id, body })) =
            read_frame(&mut recv, MAX_CONTROL_FRAME_BYTES).await
        {
            println!("request {body:?}");
            let response = match &body {
                Request::RequestService(rpc::RequestService { .. }) => {
                    Response::Queued(rpc::Queued {
                        ticket_id: TicketId(1),
                        position: 2,
                    })
                }
                Request::SendChat(rpc::SendChat {
                    message_id, text, ..
                }) => Response::ChatStored(ChatMessage {
                    message_id: *message_id,
                    from: Party::Customer,
                    text: text.clone(),
                    sent_at: 0,
                    image: None,
                }),
                Request::AnswerConsent(rpc::AnswerConsent { action, grant, .. }) => {
                    let _ = consent_tx.send((*action, *grant)).await;
                    Response::Done
                }
                _ => Response::Done,
            };
            if answers
                .send(ServerMessage::Response {
                    id,
                    result: Ok(response),
                })
                .await
                .is_err()
            {
                break;
            }
        }
    });
    let event = |e: Event| ServerMessage::Event(e);
    tokio::time::sleep(step).await;
    out_tx
        .send(event(Event::QueuePosition {
            position: 1,
            estimated_wait_s: Some(90),
        }))
        .await?;
    tokio::time::sleep(step).await;
    let info = SessionInfo {
        session_id: SID,
        customer_name: "Wang".into(),
        customer_phone: String::new(),
        agent_name: "Alice".into(),
        started_at: 0,
        messages: vec![],
    };
    out_tx.send(event(Event::SessionStarted(info))).await?;
    let hello_msg = ChatMessage {
        message_id: MessageId(1),
        from: Party::Agent,
        text: "您好，我是 Alice。How can I help?".into(),
        sent_at: 0,
        image: None,
    };
    out_tx
        .send(event(Event::ChatReceived {
            session_id: SID,
            message: hello_msg,
        }))
        .await?;
    tokio::time::sleep(step).await;
    out_tx
        .send(event(Event::ConsentRequested {
            session_id: SID,
            action: RemoteAction::RemoteControl,
        }))
        .await?;
    let (action, grant) = consent_rx.recv().await.context("no consent answer")?;
    println!("consent {action:?} grant={grant}");
    if !grant {
        bail!("refused");
    }
    let changed = |state| {
        event(Event::ActionChanged {
            session_id: SID,
            action,
            state,
            by: Party::Customer,
        })
    };
    out_tx.send(changed(ActionState::Granted)).await?;
    let (screen_send, mut screen_recv) = connection.accept_bi().await?;
    let header: Option<MediaHeader> = read_frame(&mut screen_recv, MAX_MEDIA_HEADER_BYTES).await?;
    println!("screen stream {header:?}");
    let (frame_tx, mut frame_rx) = mpsc::unbounded_channel();
    tokio::spawn(view_screen(screen_send, screen_recv, move |u| {
        if u.key {
            let (w, h) = u.decoder.size();
            let _ = frame_tx.send((w, h, u.decoder.rgba().to_vec()));
        }
    }));
    let (w, h, rgba) = frame_rx.recv().await.context("no frame")?;
    save_png(&png_path, w, h, &rgba)?;
    println!("saved a {w}x{h} frame to {png_path}");
    let (mut input_send, _) = connection.open_bi().await?;
    write_frame(
        &mut input_send,
        &MediaHeader {
            session_id: SID,
            kind: MediaKind::Input,
        },
        MAX_MEDIA_HEADER_BYTES,
    )
    .await?;
    let mut input = InputSender::new(input_send);
    for (x, y) in [(200, 200), (900, 500), (1500, 800)] {
        input
            .send(&InputEvent::Mouse(MouseEvent::MoveTo { x, y }))
            .await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    input
        .send(&InputEvent::Key(KeyEvent::Text("你好".into())))
        .await?;
    tokio::time::sleep(step * 2).await;
    out_tx.send(changed(ActionState::Stopped)).await?;
    println!("stopped; ending the session in {step:?}");
    tokio::time::sleep(step).await;
    out_tx
        .send(event(Event::SessionEnded {
            session_id: SID,
            by: Party::Agent,
        }))
        .await?;
    tokio::time::sleep(step).await;
    Ok(())
}

fn save_png(path: &str, w: u32, h: u32, rgba: &[u8]) -> anyhow::Result<()> {
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut encoder = png::Encoder::new(file, w, h);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header()?.write_image_data(rgba)?;
    Ok(())
}

/// The service options of `DEMO_MODE`: two groups, two product types, three agents.
fn demo_options() -> ServiceOptions {
    let mode = std::env::var("DEMO_MODE").unwrap_or_default();
    let card = |agent_id, nickname: &str, title: &str, groups, presence| AgentCard {
        agent_id,
        nickname: nickname.into(),
        title: title.into(),
        phone: format!("010-6000-{agent_id:04}"),
        photo: String::new(),
        groups,
        presence,
        sessions: 0,
        max_sessions: 3,
    };
    ServiceOptions {
        mode: match mode.as_str() {
            "showcase" => ServiceMode::Showcase,
            "code" => ServiceMode::SessionCode,
            _ => ServiceMode::AutoAssign,
        },
        groups: vec![
            Group {
                group_id: GroupId(1),
                name: "售后服务".into(),
            },
            Group {
                group_id: GroupId(2),
                name: "技术支持".into(),
            },
        ],
        product_types: vec![
            ProductType {
                product_type_id: ProductTypeId(1),
                name: "打印机".into(),
            },
            ProductType {
                product_type_id: ProductTypeId(2),
                name: "路由器".into(),
            },
        ],
        agents: vec![
            card(
                AgentId(1),
                "Alice",
                "技术支持工程师",
                vec![GroupId(1), GroupId(2)],
                Presence::Online,
            ),
            card(
                AgentId(2),
                "王芳",
                "售后专员",
                vec![GroupId(1)],
                Presence::Busy,
            ),
            card(
                AgentId(3),
                "Bob",
                "客服主管",
                vec![GroupId(2)],
                Presence::Away,
            ),
        ],
        open_now: mode != "closed",
        closed_reply: "国庆假期（10 月 1 日至 7 日）休息，请留言，我们上班后尽快联系您。".into(),
        faq: vec![
            porpoise_protocol::wire::FaqItem {
                question: "如何申请退货？".into(),
                answer: "在订单页点击“申请售后”，选择退货并上传照片。".into(),
            },
            porpoise_protocol::wire::FaqItem {
                question: "工作时间是？".into(),
                answer: "工作日 9:00–18:00。".into(),
            },
        ],
    }
}
