//! State of the support record form and its pending list (A13), the customer panel with the
//! visitor card, tags (A13, A15) and the customer context (A18). Pure data and transitions.

use std::collections::BTreeMap;

use porpoise_protocol::wire::{
    ActionState, ContextItem, CustomerProfile, MessageId, PendingRecordItem, RecordPolicy,
    RecordPrompt, RemoteAction, SessionId, SupportRecord, SupportRecordForm, UnixMs, VisitorCard,
};

use super::{SessionTab, Status};

/// Something asked of the relay: not yet, under way, there, or failed with a shown text.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Loadable<T> {
    /// Not asked yet.
    #[default]
    NotAsked,
    /// Asked; no answer yet.
    Loading,
    /// The answer.
    Loaded(T),
    /// The request failed; the text says why.
    Failed(String),
}

/// Which part of the customer panel is shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CustomerView {
    /// Visitor card and customer tags (A15, A13).
    #[default]
    Card,
    /// The center's context items, e.g. orders (A18).
    Context,
}

/// The customer panel of one session tab.
#[derive(Debug, Default)]
pub struct CustomerPanel {
    /// Shown next to the chat (the header's Customer info button toggles it).
    pub hidden: bool,
    /// Which part is shown.
    pub view: CustomerView,
    /// Card, tags and record from the relay (`GetCustomerProfile`).
    pub profile: Loadable<()>,
    /// The visitor card being edited (the relay's once loaded).
    pub card: VisitorCard,
    /// Save state of the card.
    pub card_status: Status,
    /// The customer's tags.
    pub customer_tags: Vec<String>,
    /// Tags on this session's messages.
    pub message_tags: BTreeMap<MessageId, Vec<String>>,
    /// Last error of a tag change.
    pub tags_status: Status,
    /// The session's saved support record.
    pub record: Option<SupportRecord>,
    /// The customer context items.
    pub context: Loadable<Vec<ContextItem>>,
    /// The center's message tags, for the chat's context menu (copied in each frame).
    pub tag_list: Vec<String>,
}

impl CustomerPanel {
    /// Takes the relay's profile.
    pub fn loaded(&mut self, profile: CustomerProfile) {
        self.profile = Loadable::Loaded(());
        self.card = profile.card;
        self.customer_tags = profile.customer_tags;
        self.message_tags = profile
            .message_tags
            .into_iter()
            .map(|m| (m.message_id, m.tags))
            .collect();
        self.record = profile.record;
    }

    /// Tags of `message_id` (empty if none).
    pub fn tags_of(&self, message_id: MessageId) -> &[String] {
        self.message_tags
            .get(&message_id)
            .map_or(&[], |t| t.as_slice())
    }
}

/// The support record form being filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordDialog {
    /// Session the record describes.
    pub session_id: SessionId,
    /// The fields.
    pub form: SupportRecordForm,
    /// Opened by the session's end in a center that requires the record: no Skip button.
    pub required: bool,
    /// Validation or save state shown next to Save.
    pub status: Status,
}

/// A record put off with Fill later.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingRecord {
    /// Session.
    pub session_id: SessionId,
    /// The draft so far.
    pub form: SupportRecordForm,
    /// Unix ms the session ended (the late-fill window counts from it).
    pub ended_at: UnixMs,
    /// The center requires it.
    pub required: bool,
}

/// The record form and the pending list of the console.
#[derive(Debug, Default)]
pub struct RecordDesk {
    /// The open form (one at a time).
    pub dialog: Option<RecordDialog>,
    /// Records to fill in later, oldest first.
    pub pending: Vec<PendingRecord>,
}

/// The form pre-filled for a tab: customer name and phone, remote services that ran.
pub fn form_for(tab: &SessionTab) -> SupportRecordForm {
    if let Some(r) = &tab.customer.record {
        return r.form.clone();
    }
    let used = tab
        .actions
        .iter()
        .filter(|(a, st)| **st != ActionState::Refused && **a != RemoteAction::ClipboardSync)
        .map(|(a, _)| *a)
        .collect();
    SupportRecordForm {
        customer_name: tab.customer_name.clone(),
        customer_phone: tab.customer_phone.clone(),
        service_modes: used,
        ..SupportRecordForm::default()
    }
}

impl RecordDesk {
    /// A session ended: opens its form if the center wants one (or queues it when another form
    /// is open). Call before the tab forgets its actions.
    pub fn session_ended(&mut self, tab: &SessionTab, policy: &RecordPolicy, now_ms: UnixMs) {
        if policy.prompt == RecordPrompt::Off || tab.customer.record.is_some() {
            return;
        }
        let required = policy.prompt == RecordPrompt::RequiredAtSessionEnd;
        let form = form_for(tab);
        match &self.dialog {
            Some(d) if d.session_id == tab.session_id => {}
            Some(_) => self.defer(PendingRecord {
                session_id: tab.session_id,
                form,
                ended_at: now_ms,
                required,
            }),
            None => {
                self.dialog = Some(RecordDialog {
                    session_id: tab.session_id,
                    form,
                    required,
                    status: Status::Idle,
                })
            }
        }
    }

    /// Opens the form of `session_id` (from the header button or the pending list), keeping a
    /// draft from the pending list; an open form of another session goes to the pending list.
    pub fn open(&mut self, session_id: SessionId, fresh: SupportRecordForm, now_ms: UnixMs) {
        if self
            .dialog
            .as_ref()
            .is_some_and(|d| d.session_id == session_id)
        {
            return;
        }
        if let Some(d) = self.dialog.take() {
            let required = d.required;
            self.defer(PendingRecord {
                session_id: d.session_id,
                form: d.form,
                ended_at: now_ms,
                required,
            });
        }
        let (form, required) = match self.pending.iter().position(|p| p.session_id == session_id) {
            Some(i) => {
                let p = self.pending.remove(i);
                (p.form, p.required)
            }
            None => (fresh, false),
        };
        self.dialog = Some(RecordDialog {
            session_id,
            form,
            required,
            status: Status::Idle,
        });
    }

    /// Fill later: the open form goes to the pending list with its draft.
    pub fn fill_later(&mut self, now_ms: UnixMs) {
        if let Some(d) = self.dialog.take() {
            self.defer(PendingRecord {
                session_id: d.session_id,
                form: d.form,
                ended_at: now_ms,
                required: d.required,
            });
        }
    }

    /// The relay stored the record of `session_id`: closes its form and pending entry.
    pub fn saved(&mut self, session_id: SessionId) {
        if self
            .dialog
            .as_ref()
            .is_some_and(|d| d.session_id == session_id)
        {
            self.dialog = None;
        }
        self.pending.retain(|p| p.session_id != session_id);
    }

    /// The relay's list of records still to fill (after a login, A13): each session not
    /// already open or pending joins the pending list with a form prefilled with the customer's
    /// name and phone, oldest first. `required` comes from the center's policy.
    pub fn restore(&mut self, items: Vec<PendingRecordItem>, required: bool) {
        for item in items {
            let known = self.pending.iter().any(|p| p.session_id == item.session_id)
                || self
                    .dialog
                    .as_ref()
                    .is_some_and(|d| d.session_id == item.session_id);
            if known {
                continue;
            }
            self.pending.push(PendingRecord {
                session_id: item.session_id,
                form: SupportRecordForm {
                    customer_name: item.customer_name,
                    customer_phone: item.customer_phone,
                    ..SupportRecordForm::default()
                },
                ended_at: item.ended_at,
                required,
            });
        }
        self.pending.sort_by_key(|p| p.ended_at);
    }

    fn defer(&mut self, record: PendingRecord) {
        match self
            .pending
            .iter_mut()
            .find(|p| p.session_id == record.session_id)
        {
            Some(p) => p.form = record.form,
            None => self.pending.push(record),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use porpoise_protocol::wire::SessionInfo;

    fn tab(id: SessionId) -> SessionTab {
        SessionTab::new(SessionInfo {
            session_id: id,
            customer_name: "张三".into(),
            customer_phone: "13800000000".into(),
            agent_name: "A".into(),
            started_at: 0,
            messages: vec![],
        })
    }

    #[test]
    fn end_opens_the_form_and_a_second_end_queues() {
        let mut desk = RecordDesk::default();
        let policy = RecordPolicy::default();
        desk.session_ended(&tab(SessionId(1)), &policy, 10);
        assert_eq!(
            desk.dialog.as_ref().map(|d| d.session_id),
            Some(SessionId(1))
        );
        assert_eq!(
            desk.dialog.as_ref().map(|d| d.form.customer_name.as_str()),
            Some("张三")
        );
        desk.session_ended(&tab(SessionId(2)), &policy, 11);
        assert_eq!(desk.pending.len(), 1);
        desk.fill_later(12);
        assert_eq!(desk.pending.len(), 2);
        assert!(desk.dialog.is_none());
        desk.open(SessionId(2), SupportRecordForm::default(), 13);
        assert_eq!(desk.pending.len(), 1);
        desk.saved(SessionId(2));
        assert!(desk.dialog.is_none());
        assert_eq!(desk.pending[0].session_id, SessionId(1));
    }

    #[test]
    fn off_policy_opens_nothing() {
        let mut desk = RecordDesk::default();
        let policy = RecordPolicy {
            prompt: RecordPrompt::Off,
            ..RecordPolicy::default()
        };
        desk.session_ended(&tab(SessionId(1)), &policy, 10);
        assert!(desk.dialog.is_none() && desk.pending.is_empty());
    }
}
