//! Per-center queue (R6): customers request service by the center's route (R5), wait with
//! their position and an estimated wait, leave; agents pick out of order (`PickAny` view) or
//! get customers by routing only (`CountOnly`).

use porpoise_protocol::wire::rpc;
use std::collections::BTreeMap;

use porpoise_protocol::wire::{
    ApiError, CenterId, Event, OfferEnd, Presence, QueueEntry, QueueView, RequestId, Response,
    ServiceMode, ServiceRoute, SessionInfo, TicketId, MAX_NAME_BYTES,
};

use super::{
    AgentId, ConnId, Connection, Core, InstallId, Now, OpenSession, Session, StoreOp, Ticket,
    TicketOutcome,
};

/// Checks a customer-typed field: `name` must not be blank; both at most [`MAX_NAME_BYTES`].
pub(super) fn check_field(
    field: porpoise_protocol::wire::Field,
    value: &str,
    required: bool,
) -> Result<(), ApiError> {
    if required && value.trim().is_empty() {
        return Err(ApiError::Empty { field });
    }
    if value.len() > MAX_NAME_BYTES {
        return Err(ApiError::too_long(field, MAX_NAME_BYTES));
    }
    // A name is an identity on the agent's screen: no control characters and no bidi or
    // zero-width characters that would make it read as something else (issue 14).
    if value
        .chars()
        .any(|c| c.is_control() || porpoise_protocol::lang::is_deceptive(c))
    {
        return Err(ApiError::Malformed { field });
    }
    Ok(())
}

/// The mode a route belongs to.
fn mode_of(route: &ServiceRoute) -> ServiceMode {
    match route {
        ServiceRoute::Showcase { .. } => ServiceMode::Showcase,
        ServiceRoute::SessionCode { .. } => ServiceMode::SessionCode,
        ServiceRoute::AutoAssign { .. } => ServiceMode::AutoAssign,
    }
}

impl Core {
    /// Customer asks for service by `route` (R5). Asking again while queued answers the current
    /// position; asking while in a session is a conflict. Showcase and auto-assign queue the
    /// customer (answer `Queued`) and route at once; a valid session code answers
    /// `Queued{position: 0}` and starts the session with the code's agent right away (the
    /// response is sent before `Event::SessionStarted`).
    ///
    /// Errors: `Invalid` for bad fields, a route that does not match the center's mode, or an
    /// unknown agent/group/product type; `Closed(reply)` off hours; `BadSessionCode`,
    /// `Throttled` for session codes.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn request_service(
        &mut self,
        now: Now,
        conn: ConnId,
        id: RequestId,
        c: &Connection,
        install_id: InstallId,
        (name, phone): (String, String),
        route: ServiceRoute,
    ) -> Result<Option<Response>, ApiError> {
        check_field(porpoise_protocol::wire::Field::CustomerName, &name, true)?;
        check_field(porpoise_protocol::wire::Field::CustomerPhone, &phone, false)?;
        let center_id = c.center_id;
        if self
            .session_of_customer
            .contains_key(&(center_id, install_id))
        {
            return Err(ApiError::Conflict(
                porpoise_protocol::wire::Conflict::AlreadyInSession,
            ));
        }
        let center = self.centers.get(&center_id).ok_or(ApiError::NotFound {
            what: porpoise_protocol::wire::Thing::Center,
        })?;
        if let Some(i) = center.queue.iter().position(|t| t.install_id == install_id) {
            let ticket_id = center.queue[i].ticket_id;
            return Ok(Some(Response::Queued(rpc::Queued {
                ticket_id,
                position: position_of(i),
            })));
        }
        let mode = center.settings.service_mode;
        if mode_of(&route) != mode {
            return Err(ApiError::WrongServiceMode { mode });
        }
        let (open, reply) = self.open_status(center_id, now);
        if !open {
            return Err(ApiError::Closed { reply });
        }
        let mut ticket = Ticket {
            ticket_id: TicketId(0),
            center_id,
            install_id,
            name: name.trim().to_owned(),
            phone: phone.trim().to_owned(),
            queued_at: now.unix_ms,
            group_id: None,
            product_type_id: None,
            preferred_agent: None,
            region: super::region::region_of(c.address.ip()),
        };
        match route {
            ServiceRoute::Showcase { agent_id } => {
                let serves = center
                    .accounts
                    .get(&agent_id)
                    .is_some_and(|a| a.can(porpoise_protocol::wire::Permission::ServeCustomers));
                if !serves {
                    return Err(ApiError::NotFound {
                        what: porpoise_protocol::wire::Thing::Agent,
                    });
                }
                ticket.preferred_agent = Some(agent_id);
            }
            ServiceRoute::AutoAssign {
                group_id,
                product_type_id,
            } => {
                // A customer may pick only what the helper shows (hidden ones are refused).
                let shown_group = |g| {
                    center
                        .groups
                        .iter()
                        .any(|x| x.group_id == g && !x.entry.hidden)
                };
                if group_id.is_some_and(|g| !shown_group(g)) {
                    return Err(ApiError::NotFound {
                        what: porpoise_protocol::wire::Thing::Group,
                    });
                }
                let known = |p| {
                    center
                        .product_types
                        .iter()
                        .any(|x| x.product_type_id == p && !x.entry.hidden)
                };
                if product_type_id.is_some_and(|p| !known(p)) {
                    return Err(ApiError::NotFound {
                        what: porpoise_protocol::wire::Thing::ProductType,
                    });
                }
                ticket.group_id = group_id;
                ticket.product_type_id = product_type_id;
            }
            ServiceRoute::SessionCode { code } => {
                let agent_id = self.redeem_code(now, c, &code)?;
                let ticket_id = self.enqueue(ticket);
                let queued = Response::Queued(rpc::Queued {
                    ticket_id,
                    position: 0,
                });
                self.respond(conn, id, Ok(queued));
                let agent_conn = self.agents_online.get(&(center_id, agent_id)).copied();
                if let Err(err) =
                    self.start_session(now, center_id, ticket_id, agent_id, agent_conn)
                {
                    tracing::error!(%ticket_id, "session code session did not start: {err}");
                }
                return Ok(None);
            }
        }
        let ticket_id = self.enqueue(ticket);
        let position = self.queue_position(center_id, install_id).unwrap_or(1);
        self.respond(
            conn,
            id,
            Ok(Response::Queued(rpc::Queued {
                ticket_id,
                position,
            })),
        );
        self.queue_changed(now, center_id);
        self.route_center(now, center_id);
        Ok(None)
    }

    /// Gives the ticket an id, queues it at the back and persists it.
    fn enqueue(&mut self, mut ticket: Ticket) -> TicketId {
        let ticket_id = self.next_ticket_id;
        self.next_ticket_id.0 += 1;
        ticket.ticket_id = ticket_id;
        if let Some(center) = self.centers.get_mut(&ticket.center_id) {
            center.queue.push_back(ticket.clone());
        }
        self.persist(StoreOp::InsertTicket(ticket));
        ticket_id
    }

    /// Customer leaves the queue; answering `Done` also when not queued. An open offer of the
    /// ticket is withdrawn (`CustomerLeft`).
    pub(super) fn leave_queue(
        &mut self,
        now: Now,
        center_id: CenterId,
        install_id: InstallId,
    ) -> Result<Option<Response>, ApiError> {
        self.remove_from_queue(now, center_id, install_id);
        Ok(Some(Response::Done))
    }

    /// Takes a customer's ticket out of the queue (left), if queued.
    pub(super) fn remove_from_queue(
        &mut self,
        now: Now,
        center_id: CenterId,
        install_id: InstallId,
    ) {
        let Some(center) = self.centers.get_mut(&center_id) else {
            return;
        };
        let Some(i) = center.queue.iter().position(|t| t.install_id == install_id) else {
            return;
        };
        let Some(ticket) = center.queue.remove(i) else {
            return;
        };
        center.sent_positions.remove(&ticket.ticket_id);
        self.withdraw_ticket_offer(ticket.ticket_id, OfferEnd::CustomerLeft);
        self.routing.forget_ticket(ticket.ticket_id);
        self.persist(StoreOp::CloseTicket {
            ticket_id: ticket.ticket_id,
            outcome: TicketOutcome::Left,
        });
        self.queue_changed(now, center_id);
    }

    /// Agent picks a ticket of its own center out of order (`PickAny` view only).
    ///
    /// Errors: `Forbidden` in `CountOnly` view or for roles that do not serve; `UnknownTicket`
    /// if it is not waiting in this center; `Conflict` at `max_sessions`.
    pub(super) fn accept_customer(
        &mut self,
        now: Now,
        conn: ConnId,
        center_id: CenterId,
        agent_id: AgentId,
        ticket_id: TicketId,
    ) -> Result<Option<Response>, ApiError> {
        let center = self.centers.get(&center_id).ok_or(ApiError::NotFound {
            what: porpoise_protocol::wire::Thing::Center,
        })?;
        let account = center
            .accounts
            .get(&agent_id)
            .filter(|a| a.can(porpoise_protocol::wire::Permission::ServeCustomers))
            .ok_or(ApiError::NotPermitted {
                needed: porpoise_protocol::wire::Permission::ServeCustomers,
            })?;
        if center.settings.queue_view == QueueView::CountOnly
            || !account.can(porpoise_protocol::wire::Permission::PickFromQueue)
        {
            return Err(ApiError::NotPermitted {
                needed: porpoise_protocol::wire::Permission::PickFromQueue,
            });
        }
        if !center.queue.iter().any(|t| t.ticket_id == ticket_id) {
            return Err(ApiError::UnknownTicket);
        }
        let max = account.max_sessions;
        if self.session_count(center_id, agent_id) >= max {
            return Err(ApiError::Conflict(
                porpoise_protocol::wire::Conflict::MaxSessions { max },
            ));
        }
        let info = self.start_session(now, center_id, ticket_id, agent_id, Some(conn))?;
        Ok(Some(Response::SessionStarted(info)))
    }

    /// Starts a session for a queued ticket with `agent_id`: the ticket leaves the queue, an
    /// open offer of it to someone else is withdrawn (`TakenElsewhere`), the customer gets
    /// `SessionStarted`, the agents the new queue and agent list.
    ///
    /// Errors: `UnknownTicket` if the ticket is not queued in this center.
    pub(super) fn start_session(
        &mut self,
        now: Now,
        center_id: CenterId,
        ticket_id: TicketId,
        agent_id: AgentId,
        agent_conn: Option<ConnId>,
    ) -> Result<SessionInfo, ApiError> {
        let center = self
            .centers
            .get_mut(&center_id)
            .ok_or(ApiError::UnknownTicket)?;
        let index = center
            .queue
            .iter()
            .position(|t| t.ticket_id == ticket_id)
            .ok_or(ApiError::UnknownTicket)?;
        let agent_name = center
            .accounts
            .get(&agent_id)
            .map(|a| a.display_name.clone())
            .unwrap_or_default();
        let ticket = center.queue.remove(index).ok_or(ApiError::UnknownTicket)?;
        let (group_id, product_type_id) = (ticket.group_id, ticket.product_type_id);
        center.sent_positions.remove(&ticket_id);
        self.withdraw_ticket_offer_for(ticket_id, OfferEnd::TakenElsewhere, Some(agent_id));
        self.routing.forget_ticket(ticket_id);
        let session_id = self.next_session_id;
        self.next_session_id.0 += 1;
        let stored = OpenSession {
            session_id,
            center_id,
            ticket_id,
            install_id: ticket.install_id,
            customer_name: ticket.name,
            customer_phone: ticket.phone,
            agent_id,
            agent_name,
            started_at: now.unix_ms,
            messages: Vec::new(),
        };
        self.persist(StoreOp::CloseTicket {
            ticket_id,
            outcome: TicketOutcome::Served,
        });
        self.persist(StoreOp::InsertSession {
            session_id,
            center_id,
            ticket_id,
            install_id: stored.install_id,
            agent_id,
            started_at: now.unix_ms,
        });
        let mut data = self.webhook_session(&stored);
        data["group_id"] = group_id.map(|g| g.0).into();
        data["product_type_id"] = product_type_id.map(|p| p.0).into();
        self.webhook(
            center_id,
            porpoise_protocol::wire::WebhookEvent::SessionStarted,
            now.unix_ms,
            data,
        );
        let customer_conn = self
            .customers_online
            .get(&(center_id, stored.install_id))
            .copied();
        self.session_of_customer
            .insert((center_id, stored.install_id), session_id);
        let session = Session {
            stored,
            customer_conn,
            agent_conn,
            actions: BTreeMap::new(),
            message_ids: Default::default(),
        };
        self.sessions.insert(session_id, session);
        let info = self
            .session_info(session_id, 0)
            .ok_or(ApiError::UnknownSession)?;
        if let Some(customer) = customer_conn {
            self.event(customer, Event::SessionStarted(info.clone()));
        }
        self.queue_changed(now, center_id);
        self.agents_changed(now, center_id);
        self.session_started(now, session_id);
        Ok(info)
    }

    /// The center's queue as agents see it (oldest first, capped; empty in `CountOnly`).
    pub(super) fn queue_entries(&self, center_id: CenterId) -> Vec<QueueEntry> {
        let Some(center) = self.centers.get(&center_id) else {
            return Vec::new();
        };
        if center.settings.queue_view == QueueView::CountOnly {
            return Vec::new();
        }
        center
            .queue
            .iter()
            .take(super::MAX_QUEUE_ENTRIES_SENT)
            .map(|t| QueueEntry {
                ticket_id: t.ticket_id,
                name: t.name.clone(),
                phone: t.phone.clone(),
                queued_at: t.queued_at,
                group_id: t.group_id,
                product_type_id: t.product_type_id,
            })
            .collect()
    }

    /// 1-based queue position of a customer, if queued.
    pub(super) fn queue_position(&self, center_id: CenterId, install_id: InstallId) -> Option<u32> {
        let center = self.centers.get(&center_id)?;
        let i = center
            .queue
            .iter()
            .position(|t| t.install_id == install_id)?;
        Some(position_of(i))
    }

    /// Estimated wait of the customer at `position`, in seconds (R6):
    ///
    /// `mean duration of the last 20 ended sessions of the center (s) × position ÷ number of
    /// Online serving agents`, rounded down; `None` without ended sessions or with nobody Online.
    pub(super) fn estimated_wait_s(&self, center_id: CenterId, position: u32) -> Option<u32> {
        estimate(self.estimate_inputs(center_id)?, position)
    }

    /// (mean duration of recent sessions in ms, Online serving agents) of a center.
    fn estimate_inputs(&self, center_id: CenterId) -> Option<(u64, u64)> {
        let center = self.centers.get(&center_id)?;
        if center.durations.is_empty() {
            return None;
        }
        let online =
            self.live
                .iter()
                .filter(|((c, a), l)| {
                    *c == center_id
                        && l.presence == Presence::Online
                        && center.accounts.get(a).is_some_and(|x| {
                            x.can(porpoise_protocol::wire::Permission::ServeCustomers)
                        })
                })
                .count() as u64;
        let mean_ms = center.durations.iter().sum::<u64>() / center.durations.len() as u64;
        (online > 0).then_some((mean_ms, online))
    }

    /// Tells each queued customer its position and estimate when they changed, and the
    /// center's agents the new queue (`QueueChanged`, entries empty in `CountOnly`; paced in
    /// large centers, see [`Core::broadcast`]).
    pub(super) fn queue_changed(&mut self, now: Now, center_id: CenterId) {
        self.broadcast(now, center_id, super::routing::Broadcast::Positions);
        self.broadcast(now, center_id, super::routing::Broadcast::Queue);
    }

    /// Sends each connected queued customer its (position, estimate) if it changed.
    pub(super) fn positions_changed(&mut self, center_id: CenterId) {
        let inputs = self.estimate_inputs(center_id);
        let Some(center) = self.centers.get(&center_id) else {
            return;
        };
        let changed: Vec<(ConnId, u32, Option<u32>)> = center
            .queue
            .iter()
            .enumerate()
            .filter_map(|(i, t)| {
                let conn = self.customers_online.get(&(center_id, t.install_id))?;
                let position = position_of(i);
                let now = (position, inputs.and_then(|x| estimate(x, position)));
                (center.sent_positions.get(&t.ticket_id) != Some(&now))
                    .then_some((*conn, position, now.1))
            })
            .collect();
        for (conn, position, estimated_wait_s) in changed {
            self.send_position(center_id, conn, position, estimated_wait_s);
        }
    }

    /// Sends `QueuePosition` to the queued customer at `position` on `conn` and remembers it.
    pub(super) fn send_position(
        &mut self,
        center_id: CenterId,
        conn: ConnId,
        position: u32,
        estimated_wait_s: Option<u32>,
    ) {
        let Some(center) = self.centers.get_mut(&center_id) else {
            return;
        };
        let Some(ticket) = center.queue.get(position as usize - 1) else {
            return;
        };
        center
            .sent_positions
            .insert(ticket.ticket_id, (position, estimated_wait_s));
        self.event(
            conn,
            Event::QueuePosition {
                position,
                estimated_wait_s,
            },
        );
    }
}

fn estimate((mean_ms, online): (u64, u64), position: u32) -> Option<u32> {
    let wait_s = mean_ms * u64::from(position) / online / 1000;
    Some(u32::try_from(wait_s).unwrap_or(u32::MAX))
}

fn position_of(index: usize) -> u32 {
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}
