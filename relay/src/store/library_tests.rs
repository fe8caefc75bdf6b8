//! Store tests of canned responses, the knowledge base, service history and the library import
//! (A8, A11) on a temporary SQLite file.

use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    ApiError, CannedDraft, CannedResponseId, CannedScope, ChatMessage, InstallId, MessageId, Party,
    Response, SessionId, TicketId, MAX_PERSONAL_CANNED, TRANSCRIPT_PAGE_MESSAGES,
};

use super::*;
use crate::core::{AgentId, CustomerKey, StoreOp, StoreQuery, Ticket};

const OTHER_CENTER: CenterId = CenterId(8_123_456);

async fn demo_store(dir: &tempfile::TempDir) -> Store {
    let store = Store::open(&dir.path().join("relay.sqlite3"))
        .await
        .expect("open");
    store.seed_demo().await.expect("seed");
    store
}

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

fn draft(title: &str, text: &str) -> CannedDraft {
    CannedDraft {
        category: "mine".into(),
        title: title.into(),
        text: text.into(),
    }
}

async fn save(
    store: &Store,
    agent_id: AgentId,
    id: Option<CannedResponseId>,
    d: CannedDraft,
) -> Result<Response, ApiError> {
    store
        .query(&StoreQuery::SaveCanned {
            center_id: DEMO_CENTER_ID,
            agent_id,
            id,
            scope: CannedScope::Personal,
            draft: d,
        })
        .await
}

#[tokio::test]
async fn demo_library_is_seeded_once_as_a_tree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = demo_store(&dir).await;
    store.seed_demo().await.expect("seed again");
    let base = store
        .knowledge_base(DEMO_CENTER_ID, None)
        .await
        .expect("kb");
    assert_eq!(base.nodes.len(), 8, "{base:?}");
    assert!(!base.truncated);
    let titles: Vec<&str> = base.nodes.iter().map(|n| n.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "打印机",
            "打印机脱机",
            "卡纸处理",
            "电脑",
            "无法上网",
            "运行缓慢",
            "软件",
            "激活失败"
        ]
    );
    assert_eq!(base.nodes[1].parent, Some(base.nodes[0].id));
    assert!(base.nodes[1].keywords.contains(&"脱机".to_owned()));
    let agent1 = agent_id(&store, DEMO_CENTER_ID, "agent1").await;
    let canned = store
        .canned_responses(DEMO_CENTER_ID, agent1)
        .await
        .expect("canned");
    assert_eq!(canned.items.len(), 8);
    assert!(canned.items.iter().all(|c| c.scope == CannedScope::Center));
}

#[tokio::test]
async fn personal_canned_responses_stay_with_their_owner_and_center() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = demo_store(&dir).await;
    store
        .create_center_with_id(OTHER_CENTER, "Other")
        .await
        .expect("center");
    let stranger = store
        .create_agent(OTHER_CENTER, "x", "X", "password1", AgentRole::Agent)
        .await
        .expect("agent");
    let agent1 = agent_id(&store, DEMO_CENTER_ID, "agent1").await;
    let agent2 = agent_id(&store, DEMO_CENTER_ID, "agent2").await;
    let Ok(Response::CannedResponseSaved(mine)) =
        save(&store, agent1, None, draft("t", "私人")).await
    else {
        panic!("not saved")
    };
    let list = |agent| store.canned_responses(DEMO_CENTER_ID, agent);
    assert!(list(agent1).await.expect("1").items.contains(&mine));
    assert!(!list(agent2).await.expect("2").items.contains(&mine));
    // Another center sees neither the demo center's center-wide ones nor agent1's.
    let other = store
        .canned_responses(OTHER_CENTER, stranger)
        .await
        .expect("other");
    assert!(other.items.is_empty(), "{other:?}");
    // agent2 can neither change nor delete agent1's response.
    let changed = save(&store, agent2, Some(mine.id), draft("t", "hijack")).await;
    assert!(
        matches!(
            changed,
            Err(ApiError::NotFound {
                what: porpoise_protocol::wire::Thing::CannedResponse
            })
        ),
        "{changed:?}"
    );
    let delete = |agent_id, manages| StoreQuery::DeleteCanned {
        center_id: DEMO_CENTER_ID,
        agent_id,
        id: mine.id,
        manages,
    };
    let deleted = store.query(&delete(agent2, true)).await;
    assert!(
        matches!(
            deleted,
            Err(ApiError::NotFound {
                what: porpoise_protocol::wire::Thing::CannedResponse
            })
        ),
        "{deleted:?}"
    );
    // A personal response cannot be changed as a center-wide one either.
    let as_center = store
        .query(&StoreQuery::SaveCanned {
            center_id: DEMO_CENTER_ID,
            agent_id: agent1,
            id: Some(mine.id),
            scope: CannedScope::Center,
            draft: draft("t", "x"),
        })
        .await;
    assert!(matches!(
        as_center,
        Err(ApiError::NotFound {
            what: porpoise_protocol::wire::Thing::CannedResponse
        })
    ));
    // The owner edits and deletes it.
    let edited = save(&store, agent1, Some(mine.id), draft("t2", "改过")).await;
    assert!(matches!(edited, Ok(Response::CannedResponseSaved(_))));
    let texts: Vec<String> = list(agent1)
        .await
        .expect("1")
        .items
        .into_iter()
        .map(|c| c.draft.text)
        .collect();
    assert!(texts.contains(&"改过".to_owned()));
    assert_eq!(
        store.query(&delete(agent1, false)).await,
        Ok(Response::Done)
    );
    assert_eq!(list(agent1).await.expect("1").items.len(), 8);
}

#[tokio::test]
async fn personal_canned_responses_are_limited_per_agent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = demo_store(&dir).await;
    let agent1 = agent_id(&store, DEMO_CENTER_ID, "agent1").await;
    for i in 0..MAX_PERSONAL_CANNED {
        save(&store, agent1, None, draft(&format!("t{i}"), "x"))
            .await
            .expect("saved");
    }
    let over = save(&store, agent1, None, draft("one more", "x")).await;
    assert!(matches!(over, Err(ref e) if e.is_bad_input()), "{over:?}");
    // Another agent's budget is its own.
    let agent2 = agent_id(&store, DEMO_CENTER_ID, "agent2").await;
    assert!(save(&store, agent2, None, draft("t", "x")).await.is_ok());
}

fn ticket(ticket_id: u64, center_id: CenterId, install_id: u128, phone: &str) -> Ticket {
    Ticket {
        ticket_id: TicketId(ticket_id),
        center_id,
        install_id: InstallId(install_id),
        name: format!("客户{ticket_id}"),
        phone: phone.into(),
        queued_at: 1000,
        group_id: None,
        product_type_id: None,
        preferred_agent: None,
        region: None,
    }
}

/// Queues, serves and (if `ended_at`) ends a session with `messages` chat lines.
#[allow(clippy::too_many_arguments)]
async fn past_session(
    store: &Store,
    id: u64,
    center_id: CenterId,
    install_id: u128,
    phone: &str,
    agent_id: AgentId,
    started_at: i64,
    ended_at: Option<i64>,
    messages: usize,
) {
    let ops = [
        StoreOp::InsertTicket(ticket(id, center_id, install_id, phone)),
        StoreOp::InsertSession {
            session_id: SessionId(id),
            center_id,
            ticket_id: TicketId(id),
            install_id: InstallId(install_id),
            agent_id,
            started_at,
        },
    ];
    for op in &ops {
        store.apply(op).await.expect("op");
    }
    for n in 0..messages {
        let message = ChatMessage {
            message_id: MessageId(u128::from(id) << 32 | n as u128),
            from: if n % 2 == 0 {
                Party::Customer
            } else {
                Party::Agent
            },
            text: format!("消息 {n}"),
            sent_at: started_at + n as i64,
            image: None,
        };
        let op = StoreOp::InsertChat {
            token: 0,
            session_id: SessionId(id),
            message,
            image: None,
        };
        store.apply(&op).await.expect("chat");
    }
    if let Some(ended_at) = ended_at {
        let op = StoreOp::EndSession {
            session_id: SessionId(id),
            ended_at,
            by: Party::Agent,
        };
        store.apply(&op).await.expect("end");
    }
}

#[tokio::test]
async fn history_lists_the_same_customers_ended_sessions_in_this_center_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = demo_store(&dir).await;
    store
        .create_center_with_id(OTHER_CENTER, "Other")
        .await
        .expect("center");
    let stranger = store
        .create_agent(OTHER_CENTER, "x", "X", "password1", AgentRole::Agent)
        .await
        .expect("agent");
    let agent1 = agent_id(&store, DEMO_CENTER_ID, "agent1").await;
    let agent2 = agent_id(&store, DEMO_CENTER_ID, "agent2").await;
    const A: u128 = 0xA;
    past_session(
        &store,
        1,
        DEMO_CENTER_ID,
        A,
        "555",
        agent1,
        10_000,
        Some(70_000),
        3,
    )
    .await;
    // Same phone from another computer: the same customer.
    past_session(
        &store,
        2,
        DEMO_CENTER_ID,
        0xB,
        "555",
        agent2,
        20_000,
        Some(25_000),
        1,
    )
    .await;
    // Someone else.
    past_session(
        &store,
        3,
        DEMO_CENTER_ID,
        0xC,
        "999",
        agent1,
        30_000,
        Some(31_000),
        1,
    )
    .await;
    // The same install id in another center is another center's customer.
    past_session(
        &store,
        4,
        OTHER_CENTER,
        A,
        "555",
        stranger,
        40_000,
        Some(41_000),
        1,
    )
    .await;
    // The open session the agent asks from.
    past_session(&store, 5, DEMO_CENTER_ID, A, "555", agent1, 50_000, None, 0).await;
    sqlx::query(
        "INSERT INTO support_records (session_id, center_id, agent_id, customer_name, \
         customer_phone, subject, content, disposition, saved_at) \
         VALUES (1, ?, ?, '客户1', '555', '打印机', '已处理', '已解决', 0)",
    )
    .bind(i64::from(DEMO_CENTER_ID.0))
    .bind(agent1.0)
    .execute(&store.pool)
    .await
    .expect("record");
    let key = |phone: &str| CustomerKey {
        install_id: InstallId(A),
        phone: phone.into(),
    };
    let history = store
        .service_history(DEMO_CENTER_ID, &key("555"), SessionId(5))
        .await
        .expect("history");
    let ids: Vec<SessionId> = history.items.iter().map(|i| i.session_id).collect();
    assert_eq!(
        ids,
        [SessionId(2), SessionId(1)],
        "newest first, same install or phone"
    );
    let first = &history.items[1];
    assert_eq!(first.duration_ms, 60_000);
    assert_eq!(first.agent_name, "Agent One");
    assert_eq!(first.message_count, 3);
    assert_eq!(first.disposition.as_deref(), Some("已解决"));
    assert_eq!(history.items[0].agent_name, "Agent Two");
    assert_eq!(history.items[0].disposition, None);
    assert!(!first.agent_deleted);
    // M3: once agent two's account is deleted, its history stays, marked as a deleted agent.
    let gone = store
        .apply_directory(&crate::core::DirectoryOp::SetAccountStatus {
            center_id: DEMO_CENTER_ID,
            agent_id: agent2,
            status: porpoise_protocol::wire::AccountStatus::Deleted,
        })
        .await
        .expect("db");
    assert!(gone.is_ok(), "{gone:?}");
    let history = store
        .service_history(DEMO_CENTER_ID, &key("555"), SessionId(5))
        .await
        .expect("history");
    assert!(history.items[0].agent_deleted, "agent two's session");
    assert_eq!(history.items[0].agent_name, "Agent Two");
    assert!(!history.items[1].agent_deleted);
    // Without a phone only the install id matches.
    let by_install = store
        .service_history(DEMO_CENTER_ID, &key(""), SessionId(5))
        .await
        .expect("history");
    let ids: Vec<SessionId> = by_install.items.iter().map(|i| i.session_id).collect();
    assert_eq!(ids, [SessionId(1)]);
    // Transcripts: only the customer's own past sessions.
    let read = |past, phone: &str| StoreQuery::Transcript {
        center_id: DEMO_CENTER_ID,
        customer: key(phone),
        past_session_id: past,
        after: None,
    };
    for other in [3, 4, 5] {
        let refused = store.query(&read(SessionId(other), "555")).await;
        assert_eq!(refused, Err(ApiError::UnknownSession), "session {other}");
    }
    let Ok(Response::HistoryTranscript(page)) = store.query(&read(SessionId(1), "555")).await
    else {
        panic!("no transcript")
    };
    let texts: Vec<&str> = page.messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["消息 0", "消息 1", "消息 2"]);
    assert_eq!(page.next, None);
}

#[tokio::test]
async fn long_transcripts_come_in_pages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = demo_store(&dir).await;
    let agent1 = agent_id(&store, DEMO_CENTER_ID, "agent1").await;
    let total = TRANSCRIPT_PAGE_MESSAGES * 2 + 7;
    past_session(&store, 1, DEMO_CENTER_ID, 1, "", agent1, 0, Some(1), total).await;
    let mut after = None;
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let query = StoreQuery::Transcript {
            center_id: DEMO_CENTER_ID,
            customer: CustomerKey {
                install_id: InstallId(1),
                phone: String::new(),
            },
            past_session_id: SessionId(1),
            after,
        };
        let Ok(Response::HistoryTranscript(page)) = store.query(&query).await else {
            panic!("no page")
        };
        pages += 1;
        assert!(page.messages.len() <= TRANSCRIPT_PAGE_MESSAGES);
        seen.extend(page.messages.into_iter().map(|m| m.text));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = (0..total).map(|n| format!("消息 {n}")).collect();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn import_checks_everything_first_and_can_replace() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = demo_store(&dir).await;
    let bad =
        LibraryFile::parse(r#"{"knowledge": [{"title": "a", "children": [{"title": " "}]}]}"#);
    let err = bad.expect_err("blank title");
    assert_eq!(
        err.to_string(),
        "knowledge[0].children[0]: the title is empty"
    );
    let unknown = LibraryFile::parse(r#"{"canned": [], "faq": []}"#);
    assert!(matches!(unknown, Err(ImportError::Parse(_))));
    let file = LibraryFile::parse(
        r#"{"canned": [{"title": "退款", "text": "退款将在 3 个工作日内到账。"}],
            "knowledge": [{"title": "根", "keywords": ["k"], "children": [{"title": "叶", "text": "答"}]}]}"#,
    )
    .expect("parse");
    let added = store
        .import_library(DEMO_CENTER_ID, &file, false)
        .await
        .expect("import");
    assert_eq!((added.canned, added.knowledge), (1, 2));
    let agent1 = agent_id(&store, DEMO_CENTER_ID, "agent1").await;
    save(&store, agent1, None, draft("mine", "mine"))
        .await
        .expect("personal");
    let count = |store: &Store| {
        let store = store.clone();
        async move {
            let canned = store
                .canned_responses(DEMO_CENTER_ID, agent1)
                .await
                .expect("c");
            let kb = store
                .knowledge_base(DEMO_CENTER_ID, None)
                .await
                .expect("kb");
            (canned.items.len(), kb.nodes.len())
        }
    };
    assert_eq!(count(&store).await, (8 + 1 + 1, 8 + 2));
    store
        .import_library(DEMO_CENTER_ID, &file, true)
        .await
        .expect("replace");
    assert_eq!(count(&store).await, (1 + 1, 2), "personal ones are kept");
    let missing = store.import_library(OTHER_CENTER, &file, false).await;
    assert!(matches!(missing, Err(ImportError::UnknownCenter(_))));
}

#[tokio::test]
async fn chat_pictures_survive_a_restart_and_stay_with_their_customer_and_center() {
    use porpoise_protocol::wire::{ChatImage, ImageFormat};

    use crate::core::ImageBytes;

    let dir = tempfile::tempdir().expect("tempdir");
    let store = demo_store(&dir).await;
    let agent1 = agent_id(&store, DEMO_CENTER_ID, "agent1").await;
    // Session 1 (customer 0xA) stays open; session 2 is another customer's.
    past_session(&store, 1, DEMO_CENTER_ID, 0xA, "", agent1, 0, None, 0).await;
    past_session(&store, 2, DEMO_CENTER_ID, 0xB, "", agent1, 0, None, 0).await;
    let data: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
    let info = ChatImage {
        format: ImageFormat::Jpeg,
        width: 64,
        height: 48,
        bytes: 5000,
    };
    let message = ChatMessage {
        message_id: MessageId(9),
        from: Party::Customer,
        text: String::new(),
        sent_at: 5,
        image: Some(info),
    };
    let op = StoreOp::InsertChat {
        token: 0,
        session_id: SessionId(1),
        message: message.clone(),
        image: Some(ImageBytes(data.clone().into())),
    };
    store.apply(&op).await.expect("picture");
    // A resend is a no-op, not a constraint error.
    store.apply(&op).await.expect("resend");
    drop(store);

    let store = Store::open(&dir.path().join("relay.sqlite3"))
        .await
        .expect("reopen");
    let snapshot = store.snapshot().await.expect("snapshot");
    let open = snapshot
        .sessions
        .iter()
        .find(|s| s.session_id == SessionId(1))
        .expect("open session");
    assert_eq!(open.messages, [message]);
    let get = |customer: Option<InstallId>, center_id, session_id| StoreQuery::ChatImage {
        center_id,
        customer,
        session_id,
        message_id: MessageId(9),
    };
    let want = Ok(Response::ChatImageData(rpc::ChatImageData {
        session_id: SessionId(1),
        message_id: MessageId(9),
        data,
    }));
    assert_eq!(
        store
            .query(&get(Some(InstallId(0xA)), DEMO_CENTER_ID, SessionId(1)))
            .await,
        want
    );
    assert_eq!(
        store.query(&get(None, DEMO_CENTER_ID, SessionId(1))).await,
        want
    );
    for (customer, center, session) in [
        (Some(0xB), DEMO_CENTER_ID, 1), // another customer
        (Some(0xB), DEMO_CENTER_ID, 2), // their session has no such picture
        (None, OTHER_CENTER, 1),        // an agent of another center
    ] {
        assert_eq!(
            store
                .query(&get(customer.map(InstallId), center, SessionId(session)))
                .await,
            Err(ApiError::UnknownSession),
            "{customer:?} {center} {session}"
        );
    }
}

/// M7: the admin window's knowledge-base edits on a real database: add a folder and entries,
/// move and reorder, refuse a move under its own subtree and beyond the depth limit, switch an
/// entry off or out of date (agents no longer see it, the admin list still does), delete a
/// folder with its subtree; every change is audited.
#[tokio::test]
async fn knowledge_nodes_are_added_moved_hidden_and_deleted_with_the_tree_rules() {
    use porpoise_protocol::wire::{Field, KnowledgeDraft, KnowledgeNodeId, Thing};
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("relay.sqlite3"))
        .await
        .expect("open");
    let center_id = store.create_center("Acme").await.expect("center").center_id;
    let draft = |title: &str| KnowledgeDraft {
        title: title.into(),
        keywords: vec!["kw".into()],
        text: format!("{title} 的回复"),
        enabled: true,
        valid_from: None,
        valid_until: None,
    };
    let save = |id: Option<KnowledgeNodeId>, parent: Option<KnowledgeNodeId>, d: KnowledgeDraft| {
        StoreQuery::SaveKnowledge {
            center_id,
            id,
            parent,
            draft: d,
            actor: "agent 1 admin".into(),
        }
    };
    let saved = |r: Result<Response, ApiError>| match r {
        Ok(Response::KnowledgeNodeSaved(n)) => n,
        other => panic!("{other:?}"),
    };
    let folder = saved(store.query(&save(None, None, draft("售后"))).await);
    let a = saved(
        store
            .query(&save(None, Some(folder.id), draft("退货")))
            .await,
    );
    let b = saved(
        store
            .query(&save(None, Some(folder.id), draft("换货")))
            .await,
    );
    let titles = |base: &porpoise_protocol::wire::KnowledgeBase| {
        base.nodes
            .iter()
            .map(|n| n.title.clone())
            .collect::<Vec<_>>()
    };
    let all = store.knowledge_base(center_id, None).await.expect("kb");
    assert_eq!(titles(&all), ["售后", "退货", "换货"]);

    // Reorder: 换货 first.
    let mv = |id, parent, index| StoreQuery::MoveKnowledge {
        center_id,
        id,
        parent,
        index,
        actor: "agent 1 admin".into(),
    };
    assert_eq!(
        store.query(&mv(b.id, Some(folder.id), 0)).await,
        Ok(Response::Done)
    );
    let all = store.knowledge_base(center_id, None).await.expect("kb");
    assert_eq!(titles(&all), ["售后", "换货", "退货"]);
    // Under its own subtree: refused.
    assert_eq!(
        store.query(&mv(folder.id, Some(a.id), 0)).await,
        Err(ApiError::Malformed {
            field: Field::KnowledgeParent
        })
    );
    // A chain 8 deep; a child of its deepest node would be level 9.
    let mut parent = None;
    let mut deepest = folder.clone();
    for level in 0..MAX_KNOWLEDGE_DEPTH_FOR_TEST {
        deepest = saved(
            store
                .query(&save(None, parent, draft(&format!("L{level}"))))
                .await,
        );
        parent = Some(deepest.id);
    }
    assert_eq!(
        store
            .query(&save(None, Some(deepest.id), draft("too deep")))
            .await,
        Err(ApiError::Malformed {
            field: Field::KnowledgeParent
        })
    );
    // Moving the 2-level 售后 subtree under level 7 would make 9 levels.
    let level7 = all_titles_id(&store, center_id, "L6").await;
    assert_eq!(
        store.query(&mv(folder.id, Some(level7), 0)).await,
        Err(ApiError::Malformed {
            field: Field::KnowledgeParent
        })
    );

    // Off, and out of date: hidden from agents, listed for the admin.
    let off = KnowledgeDraft {
        enabled: false,
        ..draft("退货")
    };
    store
        .query(&save(Some(a.id), None, off))
        .await
        .expect("off");
    let dated = KnowledgeDraft {
        valid_from: Some(20_270_101),
        ..draft("换货")
    };
    store
        .query(&save(Some(b.id), None, dated))
        .await
        .expect("dated");
    let agents = store
        .knowledge_base(center_id, Some(20_261_207))
        .await
        .expect("kb");
    assert!(titles(&agents).contains(&"售后".to_string()));
    assert!(!titles(&agents).contains(&"退货".to_string()));
    assert!(!titles(&agents).contains(&"换货".to_string()));
    let later = store
        .knowledge_base(center_id, Some(20_270_101))
        .await
        .expect("kb");
    assert!(titles(&later).contains(&"换货".to_string()));

    // Delete the folder: its children go too; a second delete is NotFound.
    let del = StoreQuery::DeleteKnowledge {
        center_id,
        id: folder.id,
        actor: "agent 1 admin".into(),
    };
    assert_eq!(store.query(&del).await, Ok(Response::Done));
    let all = store.knowledge_base(center_id, None).await.expect("kb");
    assert!(!titles(&all).iter().any(|t| t == "退货" || t == "售后"));
    assert_eq!(
        store.query(&del).await,
        Err(ApiError::NotFound {
            what: Thing::KnowledgeNode
        })
    );
    let log = store.audit_log(center_id, 100).await.expect("audit");
    assert!(log.iter().all(|r| r.action == "library_changed"));
    assert!(log
        .iter()
        .any(|r| r.detail.contains("deleted with its subtree (3 nodes)")));
    assert!(
        log.iter().any(|r| r.detail.contains("enabled")),
        "before → after"
    );
    assert!(matches!(
        store.verify_audit(center_id).await.expect("verify"),
        crate::store::AuditCheck::Intact { .. }
    ));
}

/// M7 图片: a node's picture is stored apart from the tree, listed as its size, read back
/// byte for byte (only by the same center; by agents only while the node is live), replaced,
/// removed, deleted with its node, and every change is audited.
#[tokio::test]
async fn knowledge_pictures_are_set_read_and_removed_per_center() {
    use porpoise_protocol::wire::{
        rpc::KnowledgeImageData, ChatImage, ImageFormat, KnowledgeDraft, Thing,
    };

    use crate::core::ImageBytes;

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("relay.sqlite3");
    let store = Store::open(&path).await.expect("open");
    let acme = store.create_center("Acme").await.expect("center").center_id;
    let other = store
        .create_center("Other")
        .await
        .expect("center")
        .center_id;
    let draft = |title: &str, enabled: bool| KnowledgeDraft {
        title: title.into(),
        enabled,
        ..KnowledgeDraft::default()
    };
    let save = |d: KnowledgeDraft| StoreQuery::SaveKnowledge {
        center_id: acme,
        id: None,
        parent: None,
        draft: d,
        actor: "agent 1 admin".into(),
    };
    let saved = |r: Result<Response, ApiError>| match r {
        Ok(Response::KnowledgeNodeSaved(n)) => n,
        other => panic!("{other:?}"),
    };
    let node = saved(store.query(&save(draft("会员充值示例图", true))).await);
    let hidden = saved(store.query(&save(draft("旧活动", false))).await);
    assert_eq!(node.image, None);
    let data: Vec<u8> = (0..=255u8).cycle().take(7000).collect();
    let info = ChatImage {
        format: ImageFormat::Png,
        width: 320,
        height: 200,
        bytes: 7000,
    };
    let set = |id, image: Option<(ChatImage, Vec<u8>)>| StoreQuery::SetKnowledgeImage {
        center_id: acme,
        id,
        image: image.map(|(i, d)| (i, ImageBytes(d.into()))),
        actor: "agent 1 admin".into(),
    };
    let after = saved(store.query(&set(node.id, Some((info, data.clone())))).await);
    assert_eq!(after.image, Some(info));
    assert_eq!(after.title, "会员充值示例图");
    store
        .query(&set(hidden.id, Some((info, data.clone()))))
        .await
        .expect("hidden node's picture");
    let get = |center_id, id, today| StoreQuery::KnowledgeImage {
        center_id,
        id,
        today,
    };
    let not_found = Err(ApiError::NotFound {
        what: Thing::KnowledgeNode,
    });
    // Restart: the picture is in the file.
    drop(store);
    let store = Store::open(&path).await.expect("reopen");
    let listed = store
        .knowledge_base(acme, Some(20_261_207))
        .await
        .expect("kb");
    assert_eq!(
        listed.nodes[0].image,
        Some(info),
        "the tree carries the size"
    );
    assert_eq!(
        store.query(&get(acme, node.id, Some(20_261_207))).await,
        Ok(Response::KnowledgeImageData(KnowledgeImageData {
            id: node.id,
            data: data.clone()
        }))
    );
    // Another center never reads it; an agent never reads a hidden node's; a manager does.
    assert_eq!(store.query(&get(other, node.id, None)).await, not_found);
    assert_eq!(
        store.query(&get(acme, hidden.id, Some(20_261_207))).await,
        not_found
    );
    assert!(store.query(&get(acme, hidden.id, None)).await.is_ok());
    // Another center cannot set it either.
    let foreign = StoreQuery::SetKnowledgeImage {
        center_id: other,
        id: node.id,
        image: None,
        actor: "agent 9 admin".into(),
    };
    assert_eq!(store.query(&foreign).await, not_found);
    // Replace, then remove.
    let jpeg = ChatImage {
        format: ImageFormat::Jpeg,
        width: 64,
        height: 64,
        bytes: 3,
    };
    let after = saved(
        store
            .query(&set(node.id, Some((jpeg, vec![1, 2, 3]))))
            .await,
    );
    assert_eq!(after.image, Some(jpeg));
    let after = saved(store.query(&set(node.id, None)).await);
    assert_eq!(after.image, None);
    assert_eq!(store.query(&get(acme, node.id, None)).await, not_found);
    // Deleting a node deletes its picture.
    let del = StoreQuery::DeleteKnowledge {
        center_id: acme,
        id: hidden.id,
        actor: "agent 1 admin".into(),
    };
    assert_eq!(store.query(&del).await, Ok(Response::Done));
    let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM knowledge_images")
        .fetch_one(&store.pool)
        .await
        .expect("count");
    assert_eq!(left, 0);
    let log = store.audit_log(acme, 100).await.expect("audit");
    assert!(log
        .iter()
        .any(|r| r.detail == "picture set: png 320×200 px, 7000 bytes"));
    assert!(log.iter().any(|r| r.detail == "picture removed"));
}

const MAX_KNOWLEDGE_DEPTH_FOR_TEST: usize = porpoise_protocol::wire::MAX_KNOWLEDGE_DEPTH;

async fn all_titles_id(
    store: &Store,
    center_id: CenterId,
    title: &str,
) -> porpoise_protocol::wire::KnowledgeNodeId {
    store
        .knowledge_base(center_id, None)
        .await
        .expect("kb")
        .nodes
        .into_iter()
        .find(|n| n.title == title)
        .expect("node")
        .id
}

/// M7: a library spreadsheet written by a real .xlsx writer (Chinese headers and sheet names,
/// columns in another order, shared folders, an empty row) imports like the JSON file.
#[tokio::test]
async fn a_library_spreadsheet_is_imported() {
    use rust_xlsxwriter::Workbook;
    let mut book = Workbook::new();
    let canned = book.add_worksheet().set_name("常用语").expect("name");
    for (c, h) in ["标题", "分类", "内容"].iter().enumerate() {
        canned.write(0, c as u16, *h).expect("header");
    }
    canned.write(1, 0, "问候").expect("cell");
    canned.write(1, 1, "开场").expect("cell");
    canned
        .write(1, 2, "您好，请问有什么可以帮您？")
        .expect("cell");
    canned.write(3, 0, "再见").expect("cell"); // row 3 after an empty row 2
    canned.write(3, 2, "感谢您的咨询").expect("cell");
    let kb = book.add_worksheet().set_name("知识库").expect("name");
    for (c, h) in ["路径", "关键词", "回复内容"].iter().enumerate() {
        kb.write(0, c as u16, *h).expect("header");
    }
    kb.write(1, 0, "售后 / 退货流程").expect("cell");
    kb.write(1, 1, "退货，退款").expect("cell");
    kb.write(1, 2, "请在订单页申请退货").expect("cell");
    kb.write(2, 0, "售后/换货").expect("cell");
    kb.write(2, 2, "7 天内可换货").expect("cell");
    kb.write(3, 0, "打印机").expect("cell");
    let bytes = book.save_to_buffer().expect("xlsx");

    let file = LibraryFile::from_xlsx(&bytes).expect("read");
    assert_eq!(file.canned.len(), 2);
    assert_eq!(file.canned[0].category, "开场");
    assert_eq!(file.canned[1].title, "再见");
    let titles: Vec<&str> = file.knowledge.iter().map(|n| n.title.as_str()).collect();
    assert_eq!(titles, ["售后", "打印机"]);
    let after_sales = &file.knowledge[0];
    assert_eq!(after_sales.children.len(), 2, "one 售后 folder shared");
    assert_eq!(after_sales.children[0].keywords, ["退货", "退款"]);

    let dir = tempfile::tempdir().expect("tempdir");
    let store = demo_store(&dir).await;
    let imported = store
        .import_library(DEMO_CENTER_ID, &file, true)
        .await
        .expect("import");
    assert_eq!((imported.canned, imported.knowledge), (2, 4));
    let base = store
        .knowledge_base(DEMO_CENTER_ID, None)
        .await
        .expect("kb");
    assert!(base
        .nodes
        .iter()
        .any(|n| n.title == "换货" && n.text == "7 天内可换货"));

    // Not a spreadsheet, or a sheet without its columns: a clear error.
    assert!(matches!(
        LibraryFile::from_xlsx(b"not a zip"),
        Err(ImportError::Spreadsheet(_))
    ));
    let mut book = Workbook::new();
    book.add_worksheet()
        .set_name("canned")
        .expect("name")
        .write(0, 0, "category")
        .expect("cell");
    let err = LibraryFile::from_xlsx(&book.save_to_buffer().expect("xlsx")).expect_err("no title");
    assert!(err.to_string().contains("title"), "{err}");
}
