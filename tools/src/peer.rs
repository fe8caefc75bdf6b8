//! [`Peer`]: a headless agent or customer on the client core, with helpers to wait for events.

use porpoise_protocol::wire::rpc;
use std::{collections::VecDeque, time::Duration};

use anyhow::{anyhow, bail, Context, Result};
use porpoise_protocol::wire::{
    ActionState, CenterId, ChatMessage, Event, HelloRole, InstallId, MediaHeader, MediaKind,
    MessageId, OfferId, Party, RemoteAction, Request, Response, ServiceRoute, SessionId, TicketId,
    Welcome,
};
use porpoise_quic::client::{
    connect, random_id, Client, ClientConfig, ClientEvent, ConnectError, MediaStream,
};
use tokio::sync::mpsc;

/// Default time a test waits for an expected event.
pub const WAIT: Duration = Duration::from_secs(10);

/// One connected client with an event backlog, so that waiting for one event never loses others.
pub struct Peer {
    /// The client core handle.
    pub client: Client,
    /// The Welcome the relay sent.
    pub welcome: Welcome,
    events: mpsc::Receiver<ClientEvent>,
    backlog: VecDeque<Event>,
    media: VecDeque<MediaStream>,
    closed: Option<String>,
}

impl Peer {
    /// Connects with `role`.
    ///
    /// Errors: the client core's [`ConnectError`], unchanged, so tests can match on it.
    pub async fn connect(config: &ClientConfig, role: HelloRole) -> Result<Peer, ConnectError> {
        let (client, welcome, events) = connect(config, role).await?;
        Ok(Peer {
            client,
            welcome,
            events,
            backlog: VecDeque::new(),
            media: VecDeque::new(),
            closed: None,
        })
    }

    /// Logs in as an agent.
    pub async fn agent(
        config: &ClientConfig,
        center_id: CenterId,
        username: &str,
        password: &str,
    ) -> Result<Peer, ConnectError> {
        let role = HelloRole::Agent {
            center_id,
            username: username.into(),
            password: password.into(),
        };
        Self::connect(config, role).await
    }

    /// Connects as a customer's helper with the given install id.
    pub async fn customer(
        config: &ClientConfig,
        center_id: CenterId,
        install_id: InstallId,
    ) -> Result<Peer, ConnectError> {
        Self::connect(
            config,
            HelloRole::Customer {
                center_id,
                install_id,
            },
        )
        .await
    }

    /// Pulls one item from the connection into the backlogs; false on timeout.
    async fn pump(&mut self, deadline: tokio::time::Instant) -> Result<bool> {
        if let Some(reason) = &self.closed {
            bail!("connection closed: {reason}");
        }
        match tokio::time::timeout_at(deadline, self.events.recv()).await {
            Err(_) => Ok(false),
            Ok(None) => {
                self.closed = Some("event channel ended".into());
                bail!("connection closed")
            }
            Ok(Some(ClientEvent::Event(e))) => {
                self.backlog.push_back(e);
                Ok(true)
            }
            Ok(Some(ClientEvent::Media(m))) => {
                self.media.push_back(m);
                Ok(true)
            }
            Ok(Some(ClientEvent::Closed(reason))) => {
                self.closed = Some(reason.detail.clone());
                bail!("connection closed: {reason}")
            }
        }
    }

    /// Waits up to `timeout` for the first event (oldest first, including ones seen earlier and
    /// not yet taken) for which `pick` returns `Some`, removes it and returns the value.
    pub async fn wait_for<T>(
        &mut self,
        timeout: Duration,
        mut pick: impl FnMut(&Event) -> Option<T>,
    ) -> Result<T> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut scanned = 0;
        loop {
            while scanned < self.backlog.len() {
                if let Some(v) = pick(&self.backlog[scanned]) {
                    self.backlog.remove(scanned);
                    return Ok(v);
                }
                scanned += 1;
            }
            if !self.pump(deadline).await? {
                bail!(
                    "timed out after {timeout:?}; unmatched events: {:?}",
                    self.backlog
                );
            }
        }
    }

    /// Waits for a media stream of `kind` opened by the peer.
    pub async fn wait_media(&mut self, kind: MediaKind, timeout: Duration) -> Result<MediaStream> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(i) = self.media.iter().position(|m| m.header.kind == kind) {
                return self
                    .media
                    .remove(i)
                    .ok_or_else(|| anyhow!("media vanished"));
            }
            if !self.pump(deadline).await? {
                bail!("no {kind:?} stream within {timeout:?}");
            }
        }
    }

    /// Events received and not yet taken, oldest first.
    pub fn pending_events(&self) -> impl Iterator<Item = &Event> {
        self.backlog.iter()
    }

    /// Waits until the relay closes the connection; returns the reason.
    pub async fn wait_closed(&mut self, timeout: Duration) -> Result<String> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(reason) = &self.closed {
                return Ok(reason.clone());
            }
            match self.pump(deadline).await {
                Ok(true) => {}
                Ok(false) => bail!("still open after {timeout:?}"),
                Err(_) => {}
            }
        }
    }

    /// Customer: requests service; returns (ticket, position).
    pub async fn request_service(&self, name: &str, phone: &str) -> Result<(TicketId, u32)> {
        let route = ServiceRoute::AutoAssign {
            group_id: None,
            product_type_id: None,
        };
        self.request_service_by(name, phone, route).await
    }

    /// Customer: requests service by a given route; returns (ticket, position).
    pub async fn request_service_by(
        &self,
        name: &str,
        phone: &str,
        route: ServiceRoute,
    ) -> Result<(TicketId, u32)> {
        let req = Request::RequestService(rpc::RequestService {
            name: name.into(),
            phone: phone.into(),
            route,
        });
        match self.client.request(req).await? {
            Response::Queued(rpc::Queued {
                ticket_id,
                position,
            }) => Ok((ticket_id, position)),
            other => bail!("expected Queued, got {other:?}"),
        }
    }

    /// Agent: takes the customer called `name`, however the center routes: answers an offer
    /// for them, or picks them from the queue. Returns the session id.
    pub async fn take_customer(&mut self, name: &str, timeout: Duration) -> Result<SessionId> {
        self.take_customer_where(timeout, |n| n == name)
            .await
            .with_context(|| format!("customer {name} never reached this agent"))
    }

    /// Agent: takes the first customer whose name satisfies `wanted` (offer or queue).
    pub async fn take_customer_where(
        &mut self,
        timeout: Duration,
        wanted: impl Fn(&str) -> bool,
    ) -> Result<SessionId> {
        enum Next {
            Offer(OfferId),
            Ticket(TicketId),
        }
        let queued = match &self.welcome {
            Welcome::Agent { queue, .. } => {
                queue.iter().find(|e| wanted(&e.name)).map(|e| e.ticket_id)
            }
            _ => None,
        };
        let next = match queued {
            Some(t) => Next::Ticket(t),
            None => {
                self.wait_for(timeout, |e| match e {
                    Event::OfferReceived(o) if wanted(&o.customer_name) => {
                        Some(Next::Offer(o.offer_id))
                    }
                    Event::QueueChanged { queue, .. } => queue
                        .iter()
                        .find(|q| wanted(&q.name))
                        .map(|q| Next::Ticket(q.ticket_id)),
                    _ => None,
                })
                .await?
            }
        };
        let response = match next {
            Next::Offer(offer_id) => {
                self.client
                    .request(Request::AnswerOffer(rpc::AnswerOffer {
                        offer_id,
                        accept: true,
                    }))
                    .await?
            }
            Next::Ticket(ticket_id) => {
                self.client
                    .request(Request::AcceptCustomer(rpc::AcceptCustomer { ticket_id }))
                    .await?
            }
        };
        match response {
            Response::SessionStarted(info) => Ok(info.session_id),
            other => bail!("expected SessionStarted, got {other:?}"),
        }
    }

    /// Agent: waits until the queue holds a customer called `name`; returns its ticket.
    pub async fn wait_queued(&mut self, name: &str, timeout: Duration) -> Result<TicketId> {
        if let Welcome::Agent { queue, .. } = &self.welcome {
            if let Some(e) = queue.iter().find(|e| e.name == name) {
                return Ok(e.ticket_id);
            }
        }
        self.wait_for(timeout, |e| match e {
            Event::QueueChanged { queue, .. } => {
                queue.iter().find(|q| q.name == name).map(|q| q.ticket_id)
            }
            _ => None,
        })
        .await
        .with_context(|| format!("customer {name} never queued"))
    }

    /// Agent: accepts a ticket; returns the session id.
    pub async fn accept(&self, ticket_id: TicketId) -> Result<SessionId> {
        match self
            .client
            .request(Request::AcceptCustomer(rpc::AcceptCustomer { ticket_id }))
            .await?
        {
            Response::SessionStarted(info) => Ok(info.session_id),
            other => bail!("expected SessionStarted, got {other:?}"),
        }
    }

    /// Sends a chat message with a fresh id; returns the stored message.
    pub async fn say(&self, session_id: SessionId, text: &str) -> Result<ChatMessage> {
        self.say_with_id(session_id, MessageId(random_id()), text)
            .await
    }

    /// Sends a chat message with a given id (to test resends).
    pub async fn say_with_id(
        &self,
        session_id: SessionId,
        message_id: MessageId,
        text: &str,
    ) -> Result<ChatMessage> {
        let req = Request::SendChat(rpc::SendChat {
            session_id,
            message_id,
            text: text.into(),
        });
        match self.client.request(req).await? {
            Response::ChatStored(m) => Ok(m),
            other => bail!("expected ChatStored, got {other:?}"),
        }
    }

    /// Sends `data` (a PNG or JPEG) as a chat picture (A7, C4); returns the stored message with
    /// its `ChatImage`. Errors: the relay's refusal (e.g. `BadImage`).
    pub async fn send_picture(&self, session_id: SessionId, data: Vec<u8>) -> Result<ChatMessage> {
        let req = Request::SendChatImage(rpc::SendChatImage {
            session_id,
            message_id: MessageId(random_id()),
            data,
        });
        match self.client.request(req).await? {
            Response::ChatStored(m) => Ok(m),
            other => bail!("expected ChatStored, got {other:?}"),
        }
    }

    /// Fetches the bytes of the chat picture carried by `message_id` (A7, C4).
    pub async fn fetch_picture(
        &self,
        session_id: SessionId,
        message_id: MessageId,
    ) -> Result<Vec<u8>> {
        let req = Request::GetChatImage(rpc::GetChatImage {
            session_id,
            message_id,
        });
        match self.client.request(req).await? {
            Response::ChatImageData(rpc::ChatImageData { data, .. }) => Ok(data),
            other => bail!("expected ChatImageData, got {other:?}"),
        }
    }

    /// Waits for the next chat message from the other side of `session_id` (relay-written
    /// messages such as the greeting are skipped; see [`Peer::wait_relay_message`]).
    pub async fn wait_chat(
        &mut self,
        session_id: SessionId,
        timeout: Duration,
    ) -> Result<ChatMessage> {
        self.wait_for(timeout, |e| match e {
            Event::ChatReceived {
                session_id: s,
                message,
            } if *s == session_id && message.from != Party::Relay => Some(message.clone()),
            _ => None,
        })
        .await
    }

    /// Waits for the next message the relay itself wrote into `session_id` (greeting, automatic
    /// reply, closing message).
    pub async fn wait_relay_message(
        &mut self,
        session_id: SessionId,
        timeout: Duration,
    ) -> Result<ChatMessage> {
        self.wait_for(timeout, |e| match e {
            Event::ChatReceived {
                session_id: s,
                message,
            } if *s == session_id && message.from == Party::Relay => Some(message.clone()),
            _ => None,
        })
        .await
    }

    /// Agent: asks for `action`; customer: nothing.
    pub async fn request_action(&self, session_id: SessionId, action: RemoteAction) -> Result<()> {
        self.client
            .request(Request::RequestAction(rpc::RequestAction {
                session_id,
                action,
            }))
            .await?;
        Ok(())
    }

    /// Customer: answers a consent prompt.
    pub async fn answer(
        &self,
        session_id: SessionId,
        action: RemoteAction,
        grant: bool,
    ) -> Result<()> {
        self.client
            .request(Request::AnswerConsent(rpc::AnswerConsent {
                session_id,
                action,
                grant,
            }))
            .await?;
        Ok(())
    }

    /// Either side: stops an action.
    pub async fn stop(&self, session_id: SessionId, action: RemoteAction) -> Result<()> {
        self.client
            .request(Request::StopAction(rpc::StopAction { session_id, action }))
            .await?;
        Ok(())
    }

    /// Waits for the outcome of a requested action: the first state other than `Requested`.
    pub async fn action_outcome(
        &mut self,
        session_id: SessionId,
        action: RemoteAction,
        timeout: Duration,
    ) -> Result<ActionState> {
        self.wait_for(timeout, |e| match e {
            Event::ActionChanged {
                session_id: s,
                action: a,
                state,
                ..
            } if *s == session_id && *a == action && *state != ActionState::Requested => {
                Some(*state)
            }
            _ => None,
        })
        .await
    }

    /// Agent: requests `action` and waits for the customer's answer.
    ///
    /// Errors: the action ended in another state than `Granted`, or a timeout.
    pub async fn request_granted(
        &mut self,
        session_id: SessionId,
        action: RemoteAction,
        timeout: Duration,
    ) -> Result<()> {
        self.request_action(session_id, action).await?;
        match self.action_outcome(session_id, action, timeout).await? {
            ActionState::Granted => Ok(()),
            other => bail!("{action:?} ended as {other:?}"),
        }
    }
}

/// Logs in `agent1` of the demo center, queues a new customer called `name` and has the agent
/// accept it. Returns (agent, customer, session).
pub async fn served_session(
    config: &ClientConfig,
    center_id: CenterId,
    password: &str,
    name: &str,
) -> Result<(Peer, Peer, SessionId)> {
    let mut agent = Peer::agent(config, center_id, "agent1", password).await?;
    let mut customer = Peer::customer(config, center_id, InstallId(random_id())).await?;
    customer.request_service(name, "13800000000").await?;
    let session = agent.take_customer(name, WAIT).await?;
    customer
        .wait_for(WAIT, |e| {
            matches!(e, Event::SessionStarted(_)).then_some(())
        })
        .await?;
    Ok((agent, customer, session))
}

/// Opens a media stream as `peer`, writes a few bytes after the header and tells whether the
/// relay refused the stream (it ends or fails within [`WAIT`]).
pub async fn refused(peer: &Peer, header: MediaHeader) -> Result<bool> {
    let mut stream = peer.client.open_media(header).await?;
    let _ = stream.send.write_all(&[1, 0, 0, 0, 0]).await;
    Ok(is_cut(&mut stream.recv, WAIT).await)
}

/// True if the stream is refused or closed: a read ends or fails within `within`.
pub async fn is_cut(recv: &mut quinn::RecvStream, within: Duration) -> bool {
    let mut buf = [0u8; 64];
    loop {
        match tokio::time::timeout(within, recv.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(Some(_))) => continue,
            Ok(Ok(None)) | Ok(Err(_)) => return true,
        }
    }
}
