//! Loopback tests of the conversation features (R8–R12) over real QUIC with a temporary SQLite
//! database: transfer with history (and after a restart), agent chat, typing preview, greeting,
//! and the off-hours gate.

use crate::common;

use common::{agent, customer, start, Client, Running};
use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    AgentId, ApiError, CenterSettings, Event, HelloRole, Holiday, MessageId, Party, Request,
    Response, ServerMessage, ServiceMode, ServiceRoute, SessionId, SessionInfo, TransferOutcome,
    TransferTarget, Welcome,
};
use porpoise_relay::core::hours::local_time;

/// [`common::connect`], expecting a welcome.
async fn connect(relay: &Running, role: HelloRole) -> (Client, Welcome) {
    let (client, first) = common::connect(relay, role).await;
    let ServerMessage::Welcome(welcome) = first else {
        panic!("not welcome: {first:?}")
    };
    (client, welcome)
}

fn agent_id(welcome: &Welcome) -> AgentId {
    match welcome {
        Welcome::Agent { profile, .. } => profile.agent_id,
        other => panic!("not an agent: {other:?}"),
    }
}

/// The admin sets auto-assign, a greeting, no timers, and `change` on top.
pub(crate) async fn configure(relay: &Running, change: impl FnOnce(&mut CenterSettings)) {
    let (mut admin, _) = connect(relay, agent("admin")).await;
    let Ok(Response::CenterSettings(mut settings)) = admin
        .request(Request::GetCenterSettings(rpc::GetCenterSettings))
        .await
    else {
        panic!("settings")
    };
    settings.service_mode = ServiceMode::AutoAssign;
    settings.greeting = "您好，我是[Supporter Name]".into();
    settings.reception_timeout = None;
    settings.auto_reply = None;
    change(&mut settings);
    let updated = admin
        .request(Request::UpdateCenterSettings(rpc::UpdateCenterSettings(
            settings,
        )))
        .await;
    assert_eq!(updated, Ok(Response::Done));
}

/// `customer` asks for service; `agent` picks the ticket; returns the session as the agent got it.
pub(crate) async fn serve(agent: &mut Client, customer: &mut Client) -> SessionInfo {
    let route = ServiceRoute::AutoAssign {
        group_id: None,
        product_type_id: None,
    };
    let queued = customer
        .request(Request::RequestService(rpc::RequestService {
            name: "王小明".into(),
            phone: "138".into(),
            route,
        }))
        .await;
    let Ok(Response::Queued(rpc::Queued { ticket_id, .. })) = queued else {
        panic!("{queued:?}")
    };
    let started = agent
        .request(Request::AcceptCustomer(rpc::AcceptCustomer { ticket_id }))
        .await;
    let Ok(Response::SessionStarted(info)) = started else {
        panic!("{started:?}")
    };
    let s = info.session_id;
    customer
        .event(|e| matches!(e, Event::SessionStarted(i) if i.session_id == s).then_some(()))
        .await;
    info
}

fn chat_text(e: &Event, session_id: SessionId, from: Party) -> Option<String> {
    match e {
        Event::ChatReceived {
            session_id: s,
            message,
        } if *s == session_id && message.from == from => Some(message.text.clone()),
        _ => None,
    }
}

#[tokio::test]
async fn transfer_with_history_typing_preview_and_agent_chat() {
    let dir = tempfile::tempdir().expect("tempdir");
    let relay = start(dir.path()).await;
    configure(&relay, |_| {}).await;
    let (mut one, w1) = connect(&relay, agent("agent1")).await;
    let (mut two, w2) = connect(&relay, agent("agent2")).await;
    let (id1, id2) = (agent_id(&w1), agent_id(&w2));
    let (mut helper, _) = connect(&relay, customer(0xBEEF)).await;
    let info = serve(&mut one, &mut helper).await;
    let s = info.session_id;

    // Greeting from the relay, with agent1's nickname, on both sides.
    let greeting = helper.event(|e| chat_text(e, s, Party::Relay)).await;
    assert!(greeting.starts_with("您好，我是"), "{greeting}");
    assert!(!greeting.contains("[Supporter Name]"));
    assert_eq!(one.event(|e| chat_text(e, s, Party::Relay)).await, greeting);

    // Typing preview reaches the agent, never the customer's own chat history.
    let preview = Request::TypingPreview(rpc::TypingPreview {
        session_id: s,
        text: "打印机".into(),
    });
    assert_eq!(helper.request(preview).await, Ok(Response::Done));
    let seen = one
        .event(|e| match e {
            Event::TypingPreview { session_id, text } if *session_id == s => Some(text.clone()),
            _ => None,
        })
        .await;
    assert_eq!(seen, "打印机");
    let sent = Request::SendChat(rpc::SendChat {
        session_id: s,
        message_id: MessageId(1),
        text: "打印机卡纸了".into(),
    });
    assert!(matches!(
        helper.request(sent).await,
        Ok(Response::ChatStored(_))
    ));
    one.event(|e| chat_text(e, s, Party::Customer)).await;

    // Agent chat between colleagues, stored once.
    let note = Request::SendAgentChat(rpc::SendAgentChat {
        to: id2,
        message_id: MessageId(5),
        text: "这个客户转给你".into(),
    });
    let Ok(Response::AgentChatStored(stored)) = one.request(note.clone()).await else {
        panic!("agent chat not stored")
    };
    assert_eq!((stored.from, stored.to), (id1, id2));
    let got = two
        .event(|e| match e {
            Event::AgentChatReceived(m) => Some(m.clone()),
            _ => None,
        })
        .await;
    assert_eq!(got, stored);
    assert_eq!(
        one.request(note).await,
        Ok(Response::AgentChatStored(stored))
    );

    // Transfer: the receiver sees the whole history and gets the session on accept.
    let transfer = Request::TransferSession(rpc::TransferSession {
        session_id: s,
        target: TransferTarget::Agent(id2),
        note: "打印机问题".into(),
    });
    assert_eq!(one.request(transfer).await, Ok(Response::Done));
    let offer = two
        .event(|e| match e {
            Event::TransferOffered(o) => Some(o.clone()),
            _ => None,
        })
        .await;
    assert_eq!(offer.from_agent, id1);
    let texts: Vec<&str> = offer
        .session
        .messages
        .iter()
        .map(|m| m.text.as_str())
        .collect();
    assert_eq!(texts, [greeting.as_str(), "打印机卡纸了"]);
    let answer = Request::AnswerTransfer(rpc::AnswerTransfer {
        transfer_id: offer.transfer_id,
        accept: true,
    });
    assert_eq!(two.request(answer).await, Ok(Response::Done));
    let moved = two
        .event(|e| match e {
            Event::SessionStarted(i) if i.session_id == s => Some(i.clone()),
            _ => None,
        })
        .await;
    assert_eq!(moved.messages.len(), 2);
    one.event(|e| {
        matches!(e, Event::SessionTransferredAway { session_id, .. } if *session_id == s)
            .then_some(())
    })
    .await;
    let outcome = one
        .event(|e| match e {
            Event::TransferResolved { outcome, .. } => Some(*outcome),
            _ => None,
        })
        .await;
    assert_eq!(outcome, TransferOutcome::Accepted);
    let changed = helper
        .event(|e| match e {
            Event::AgentChanged { agent_name, .. } => Some(agent_name.clone()),
            _ => None,
        })
        .await;
    assert_eq!(changed, moved.agent_name);
    let reply = Request::SendChat(rpc::SendChat {
        session_id: s,
        message_id: MessageId(2),
        text: "我来处理".into(),
    });
    assert!(matches!(
        two.request(reply).await,
        Ok(Response::ChatStored(_))
    ));
    assert_eq!(
        helper.event(|e| chat_text(e, s, Party::Agent)).await,
        "我来处理"
    );

    // After a restart the session belongs to agent2.
    drop((one, two, helper));
    relay.stop().await;
    let relay = start(dir.path()).await;
    let (_two, w2) = connect(&relay, agent("agent2")).await;
    let Welcome::Agent { sessions, .. } = w2 else {
        panic!("agent welcome")
    };
    assert_eq!(
        sessions.iter().map(|i| i.session_id).collect::<Vec<_>>(),
        [s]
    );
    assert_eq!(sessions[0].messages.len(), 3);
    let (_one, w1) = connect(&relay, agent("agent1")).await;
    let Welcome::Agent { sessions, .. } = w1 else {
        panic!("agent welcome")
    };
    assert!(sessions.is_empty(), "agent1 no longer has the session");
    relay.stop().await;
}

#[tokio::test]
async fn off_hours_request_is_refused_with_the_holiday_reply() {
    let dir = tempfile::tempdir().expect("tempdir");
    let relay = start(dir.path()).await;
    let (_one, _) = connect(&relay, agent("agent1")).await;
    let (mut helper, _) = connect(&relay, customer(0xF00D)).await;
    let now_ms = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_millis(),
    )
    .expect("ms");
    configure(&relay, |settings| {
        let hours = &mut settings.working_hours;
        // Today and tomorrow (the test may cross midnight) are holidays.
        for day in [0, 86_400_000] {
            hours.holidays.push(Holiday {
                date: local_time(now_ms + day, hours.utc_offset_min).date,
                reply: "今天放假，请留言".into(),
            });
        }
    })
    .await;
    let options = helper
        .event(|e| match e {
            Event::ServiceOptionsChanged(o) => Some(o.clone()),
            _ => None,
        })
        .await;
    assert!(!options.open_now);
    assert_eq!(options.closed_reply, "今天放假，请留言");
    let route = ServiceRoute::AutoAssign {
        group_id: None,
        product_type_id: None,
    };
    let refused = helper
        .request(Request::RequestService(rpc::RequestService {
            name: "李雷".into(),
            phone: "139".into(),
            route,
        }))
        .await;
    assert_eq!(
        refused,
        Err(ApiError::Closed {
            reply: "今天放假，请留言".into()
        })
    );
    let left = helper
        .request(Request::LeaveOfflineMessage(rpc::LeaveOfflineMessage {
            name: "李雷".into(),
            contact: "139".into(),
            text: "打印机坏了".into(),
        }))
        .await;
    assert_eq!(left, Ok(Response::Done));
    drop(helper);
    relay.stop().await;
}

/// M7 图片 / A8 over real QUIC: the admin gives a knowledge-base entry a picture; an agent of
/// the center sees its size in the tree, reads its bytes and sends them into a session, and the
/// customer reads the same bytes back. Neither a plain agent nor a customer can set one.
#[tokio::test]
async fn a_knowledge_base_picture_goes_from_the_admin_to_the_customer() {
    use porpoise_protocol::wire::{KnowledgeDraft, Permission};
    let dir = tempfile::tempdir().expect("tempdir");
    let relay = start(dir.path()).await;
    configure(&relay, |_| {}).await;
    let (mut admin, _) = connect(&relay, agent("admin")).await;
    let saved = admin
        .request(Request::SaveKnowledgeNode(rpc::SaveKnowledgeNode {
            id: None,
            parent: None,
            draft: KnowledgeDraft {
                title: "会员充值示例图".into(),
                keywords: vec!["充值".into()],
                enabled: true,
                ..KnowledgeDraft::default()
            },
        }))
        .await;
    let Ok(Response::KnowledgeNodeSaved(node)) = saved else {
        panic!("{saved:?}")
    };
    // A real screenshot-like picture: stripes, 300 × 200 px.
    let rgba: Vec<u8> = (0..300 * 200)
        .flat_map(|i: u32| {
            let v = if ((i % 300) / 20).is_multiple_of(2) {
                40
            } else {
                220
            };
            [v, 120, 255 - v, 255]
        })
        .collect();
    let mut png = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png, 300, 200);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("header");
        writer.write_image_data(&rgba).expect("data");
    }
    let set = admin
        .request(Request::SetKnowledgeImage(rpc::SetKnowledgeImage {
            id: node.id,
            data: Some(png.clone()),
        }))
        .await;
    let Ok(Response::KnowledgeNodeSaved(with_picture)) = set else {
        panic!("{set:?}")
    };
    let info = with_picture.image.expect("picture size");
    assert_eq!((info.width, info.height), (300, 200));
    assert_eq!(info.bytes as usize, png.len());

    let (mut agent1, _) = connect(&relay, agent("agent1")).await;
    let refused = agent1
        .request(Request::SetKnowledgeImage(rpc::SetKnowledgeImage {
            id: node.id,
            data: None,
        }))
        .await;
    assert_eq!(
        refused,
        Err(ApiError::NotPermitted {
            needed: Permission::ManageLibrary
        })
    );
    let listed = agent1
        .request(Request::ListKnowledgeBase(rpc::ListKnowledgeBase))
        .await;
    let Ok(Response::KnowledgeBase(base)) = listed else {
        panic!("{listed:?}")
    };
    let shown = base.nodes.iter().find(|n| n.id == node.id).expect("listed");
    assert_eq!(shown.image, Some(info));
    let got = agent1
        .request(Request::GetKnowledgeImage(rpc::GetKnowledgeImage {
            id: node.id,
        }))
        .await;
    let Ok(Response::KnowledgeImageData(picture)) = got else {
        panic!("{got:?}")
    };
    assert_eq!(picture.data, png);

    let (mut customer, _) = connect(&relay, customer(0x5151)).await;
    let refused = customer
        .request(Request::GetKnowledgeImage(rpc::GetKnowledgeImage {
            id: node.id,
        }))
        .await;
    assert!(
        matches!(refused, Err(ApiError::NotPermitted { .. })),
        "{refused:?}"
    );
    let info_session = serve(&mut agent1, &mut customer).await;
    let session_id = info_session.session_id;
    let sent = agent1
        .request(Request::SendChatImage(rpc::SendChatImage {
            session_id,
            message_id: MessageId(0x77),
            data: picture.data,
        }))
        .await;
    assert!(matches!(sent, Ok(Response::ChatStored(_))), "{sent:?}");
    let received = customer
        .event(|e| match e {
            Event::ChatReceived {
                session_id: s,
                message,
            } if *s == session_id => message.image,
            _ => None,
        })
        .await;
    assert_eq!(received, info);
    let bytes = customer
        .request(Request::GetChatImage(rpc::GetChatImage {
            session_id,
            message_id: MessageId(0x77),
        }))
        .await;
    let Ok(Response::ChatImageData(bytes)) = bytes else {
        panic!("{bytes:?}")
    };
    assert_eq!(bytes.data, png);
}
