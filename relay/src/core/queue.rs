//! Per-center FIFO queue: customers request service, agents accept them (R6).

use std::collections::BTreeMap;

use porpoise_shared::wire::{
    CenterId, Event, QueueEntry, RequestError, Response, TicketId, MAX_NAME_BYTES,
};

use super::{
    AgentId, ConnId, Connection, Core, InstallId, Now, OpenSession, Session, StoreOp, Ticket,
    TicketOutcome,
};

/// Checks a customer-typed field: `name` must not be blank; both at most [`MAX_NAME_BYTES`].
fn check_field(label: &str, value: &str, required: bool) -> Result<(), RequestError> {
    if required && value.trim().is_empty() {
        return Err(RequestError::Invalid(format!("{label} is empty")));
    }
    if value.len() > MAX_NAME_BYTES {
        return Err(RequestError::Invalid(format!(
            "{label} is longer than {MAX_NAME_BYTES} bytes"
        )));
    }
    Ok(())
}

impl Core {
    /// Customer asks for service: validates, then queues at the back (FIFO). Asking again while
    /// queued answers the current position; asking while in a session is a conflict.
    pub(super) fn request_service(
        &mut self,
        now: Now,
        c: &Connection,
        install_id: InstallId,
        name: String,
        phone: String,
    ) -> Result<Option<Response>, RequestError> {
        check_field("name", &name, true)?;
        check_field("phone", &phone, false)?;
        let center_id = c.center_id;
        if self
            .session_of_customer
            .contains_key(&(center_id, install_id))
        {
            return Err(RequestError::Conflict("already in a session".into()));
        }
        let center = self
            .centers
            .get_mut(&center_id)
            .ok_or(RequestError::Forbidden)?;
        if let Some(i) = center.queue.iter().position(|t| t.install_id == install_id) {
            let ticket_id = center.queue[i].ticket_id;
            return Ok(Some(Response::Queued {
                ticket_id,
                position: position_of(i),
            }));
        }
        let ticket_id = self.next_ticket_id;
        self.next_ticket_id += 1;
        let ticket = Ticket {
            ticket_id,
            center_id,
            install_id,
            name: name.trim().to_owned(),
            phone: phone.trim().to_owned(),
            queued_at: now.unix_ms,
        };
        center.queue.push_back(ticket.clone());
        let position = position_of(center.queue.len() - 1);
        self.persist(StoreOp::InsertTicket(ticket));
        self.queue_changed(center_id, usize::MAX);
        Ok(Some(Response::Queued {
            ticket_id,
            position,
        }))
    }

    /// Customer leaves the queue; answering `Done` also when not queued.
    pub(super) fn leave_queue(
        &mut self,
        center_id: CenterId,
        install_id: InstallId,
    ) -> Result<Option<Response>, RequestError> {
        let center = self
            .centers
            .get_mut(&center_id)
            .ok_or(RequestError::Forbidden)?;
        if let Some(i) = center.queue.iter().position(|t| t.install_id == install_id) {
            if let Some(ticket) = center.queue.remove(i) {
                let outcome = TicketOutcome::Left;
                self.persist(StoreOp::CloseTicket {
                    ticket_id: ticket.ticket_id,
                    outcome,
                });
                self.queue_changed(center_id, i);
            }
        }
        Ok(Some(Response::Done))
    }

    /// Agent accepts a ticket of its own center (any position): the session starts.
    pub(super) fn accept_customer(
        &mut self,
        now: Now,
        conn: ConnId,
        center_id: CenterId,
        (agent_id, agent_name): (AgentId, String),
        ticket_id: TicketId,
    ) -> Result<Option<Response>, RequestError> {
        let center = self
            .centers
            .get_mut(&center_id)
            .ok_or(RequestError::UnknownTicket)?;
        let index = center
            .queue
            .iter()
            .position(|t| t.ticket_id == ticket_id)
            .ok_or(RequestError::UnknownTicket)?;
        let ticket = center
            .queue
            .remove(index)
            .ok_or(RequestError::UnknownTicket)?;
        let session_id = self.next_session_id;
        self.next_session_id += 1;
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
        let customer_conn = self
            .customers_online
            .get(&(center_id, stored.install_id))
            .copied();
        self.session_of_customer
            .insert((center_id, stored.install_id), session_id);
        let session = Session {
            stored,
            customer_conn,
            agent_conn: Some(conn),
            actions: BTreeMap::new(),
            message_ids: Default::default(),
        };
        self.sessions.insert(session_id, session);
        let info = self
            .session_info(session_id, 0)
            .ok_or(RequestError::UnknownSession)?;
        if let Some(customer) = customer_conn {
            self.event(customer, Event::SessionStarted(info.clone()));
        }
        self.queue_changed(center_id, index);
        Ok(Some(Response::SessionStarted(info)))
    }

    /// The center's queue as agents see it (oldest first, capped).
    pub(super) fn queue_entries(&self, center_id: CenterId) -> Vec<QueueEntry> {
        let Some(center) = self.centers.get(&center_id) else {
            return Vec::new();
        };
        center
            .queue
            .iter()
            .take(super::MAX_QUEUE_ENTRIES_SENT)
            .map(|t| QueueEntry {
                ticket_id: t.ticket_id,
                name: t.name.clone(),
                phone: t.phone.clone(),
                queued_at: t.queued_at,
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

    /// Tells the center's agents the new queue, and the connected customers from index `from`
    /// on their new position (`usize::MAX`: nobody moved).
    pub(super) fn queue_changed(&mut self, center_id: CenterId, from: usize) {
        let queue = self.queue_entries(center_id);
        let Some(center) = self.centers.get(&center_id) else {
            return;
        };
        let agents: Vec<ConnId> = center.agents.iter().copied().collect();
        let moved: Vec<(ConnId, u32)> = center
            .queue
            .iter()
            .enumerate()
            .skip(from)
            .filter_map(|(i, t)| {
                let conn = self.customers_online.get(&(center_id, t.install_id))?;
                Some((*conn, position_of(i)))
            })
            .collect();
        for agent in agents {
            self.event(
                agent,
                Event::QueueChanged {
                    queue: queue.clone(),
                },
            );
        }
        for (conn, position) in moved {
            self.event(conn, Event::QueuePosition { position });
        }
    }
}

fn position_of(index: usize) -> u32 {
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}
