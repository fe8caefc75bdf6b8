//! Per-center state (settings, groups, product types, accounts) and center settings get/update
//! (R1, R5, M5 basics); the customer's Welcome and its [`ServiceOptions`].

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use porpoise_protocol::wire::{
    ApiError, CenterId, CenterSettings, Event, GroupRecord, OfflineMessage, Permission,
    ProductTypeRecord, Response, ServerMessage, ServiceMode, ServiceOptions, TicketId, UnixMs,
    Welcome,
};
use tracing::info;

use super::{Account, AgentId, CenterInfo, ConnId, Core, InstallId, Now, Snapshot, StoreOp};
use super::{StoredCode, Ticket, WELCOME_HISTORY_BYTES};

/// Ended sessions whose durations feed the queue's wait estimate (R6).
pub const RECENT_SESSIONS_FOR_ESTIMATE: usize = 20;
/// Handled offline messages kept in memory per center for `ListOfflineMessages`.
pub const MAX_HANDLED_KEPT: usize = 500;
/// Allowed offer countdowns, seconds.
pub const OFFER_TIMEOUT_RANGE_S: std::ops::RangeInclusive<u32> = 5..=300;
/// Allowed session-code validity, seconds (1 minute to 1 day).
pub const CODE_VALIDITY_RANGE_S: std::ops::RangeInclusive<u32> = 60..=86_400;

/// Everything the core keeps about one center.
#[derive(Debug)]
pub(super) struct CenterState {
    pub name: String,
    /// Waiting customers, oldest first (offered ones included).
    pub queue: VecDeque<Ticket>,
    /// Connections of logged-in accounts (any role).
    pub agents: BTreeSet<ConnId>,
    /// Connections of customers.
    pub customers: BTreeSet<ConnId>,
    pub settings: CenterSettings,
    /// Groups in list order (M3).
    pub groups: Vec<GroupRecord>,
    /// Product types in list order.
    pub product_types: Vec<ProductTypeRecord>,
    /// Custom roles (M4).
    pub roles: Vec<porpoise_protocol::wire::CustomRole>,
    /// Blocks (R16); expired ones are dropped when a block is added.
    pub blocks: Vec<porpoise_protocol::wire::BlockRule>,
    /// Registration date, unix ms (M2).
    pub created_at: UnixMs,
    /// Licence end, unix ms (M2).
    pub expires_at: Option<UnixMs>,
    /// Every account of the center.
    pub accounts: BTreeMap<AgentId, Account>,
    /// Pending offline messages (oldest first) then at most [`MAX_HANDLED_KEPT`] handled ones.
    pub offline: Vec<OfflineMessage>,
    /// Durations of the last ended sessions, ms, oldest first.
    pub durations: VecDeque<u64>,
    /// Live session codes by digits.
    pub codes: HashMap<String, StoredCode>,
    /// Last (position, estimate) sent to each queued customer, to send only changes.
    pub sent_positions: HashMap<TicketId, (u32, Option<u32>)>,
    /// The helper branding sent in the customer's Welcome (C1, M1).
    pub branding: Option<porpoise_protocol::wire::Branding>,
}

impl CenterState {
    pub fn new(info: &CenterInfo) -> Self {
        CenterState {
            name: info.name.clone(),
            created_at: info.created_at,
            expires_at: info.expires_at,
            roles: Vec::new(),
            blocks: Vec::new(),
            queue: VecDeque::new(),
            agents: BTreeSet::new(),
            customers: BTreeSet::new(),
            settings: CenterSettings::default(),
            groups: Vec::new(),
            product_types: Vec::new(),
            accounts: BTreeMap::new(),
            offline: Vec::new(),
            durations: VecDeque::new(),
            codes: HashMap::new(),
            sent_positions: HashMap::new(),
            branding: None,
        }
    }

    /// Inserts or replaces an account, resolving its permissions from the center's roles;
    /// returns the one it replaced.
    pub fn put_account(&mut self, mut account: Account) -> Option<Account> {
        account.resolve(&self.roles);
        self.accounts.insert(account.agent_id, account)
    }

    /// Re-resolves every account's permissions (a custom role changed).
    pub fn resolve_permissions(&mut self) {
        for account in self.accounts.values_mut() {
            account.resolve(&self.roles);
        }
    }

    /// Records an ended session's duration for the wait estimate.
    pub fn record_duration(&mut self, ms: u64) {
        self.durations.push_back(ms);
        while self.durations.len() > RECENT_SESSIONS_FOR_ESTIMATE {
            self.durations.pop_front();
        }
    }
}

impl Core {
    /// Moves settings, groups, accounts, offline messages, durations and codes of the snapshot
    /// into the centers.
    pub(super) fn load_center_data(&mut self, snapshot: &mut Snapshot) {
        for (center_id, branding) in std::mem::take(&mut snapshot.brandings) {
            if let Some(c) = self.centers.get_mut(&center_id) {
                c.branding = Some(branding);
            }
        }
        for (center_id, settings) in std::mem::take(&mut snapshot.settings) {
            if let Some(c) = self.centers.get_mut(&center_id) {
                c.settings = settings;
            }
        }
        for (center_id, group) in std::mem::take(&mut snapshot.groups) {
            if let Some(c) = self.centers.get_mut(&center_id) {
                c.groups.push(group);
            }
        }
        for (center_id, product) in std::mem::take(&mut snapshot.product_types) {
            if let Some(c) = self.centers.get_mut(&center_id) {
                c.product_types.push(product);
            }
        }
        for (center_id, block) in std::mem::take(&mut snapshot.blocks) {
            if let Some(c) = self.centers.get_mut(&center_id) {
                c.blocks.push(block);
            }
        }
        for (center_id, role) in std::mem::take(&mut snapshot.roles) {
            if let Some(c) = self.centers.get_mut(&center_id) {
                c.roles.push(role);
            }
        }
        for account in std::mem::take(&mut snapshot.accounts) {
            if let Some(c) = self.centers.get_mut(&account.center_id) {
                c.put_account(account);
            }
        }
        for (center_id, message) in std::mem::take(&mut snapshot.offline_messages) {
            if let Some(c) = self.centers.get_mut(&center_id) {
                c.offline.push(message);
            }
        }
        for (center_id, ms) in std::mem::take(&mut snapshot.recent_durations) {
            if let Some(c) = self.centers.get_mut(&center_id) {
                c.record_duration(ms);
            }
        }
        for code in std::mem::take(&mut snapshot.session_codes) {
            if let Some(c) = self.centers.get_mut(&code.center_id) {
                c.codes.insert(code.code.clone(), code);
            }
        }
    }

    /// Whether the center serves now, and the reply to show when it does not (R12).
    ///
    /// The single call site of the working-hours rule: R2's `core/hours.rs` plugs in here.
    pub(super) fn open_status(&self, center_id: CenterId, now: Now) -> (bool, String) {
        let Some(center) = self.centers.get(&center_id) else {
            return (true, String::new());
        };
        match super::hours::availability(&center.settings.working_hours, now.unix_ms) {
            super::hours::Availability::Open => (true, String::new()),
            super::hours::Availability::Closed { reply } => (false, reply),
        }
    }

    /// The service options a customer's helper shows (C2): mode, groups, product types, and in
    /// showcase mode the serving agents that are not Offline/Exited with their presence.
    pub(super) fn service_options(&self, center_id: CenterId, now: Now) -> ServiceOptions {
        let (open_now, closed_reply) = self.open_status(center_id, now);
        let Some(center) = self.centers.get(&center_id) else {
            return ServiceOptions {
                mode: ServiceMode::AutoAssign,
                groups: Vec::new(),
                product_types: Vec::new(),
                agents: Vec::new(),
                open_now,
                closed_reply,
                faq: Vec::new(),
            };
        };
        let agents = if center.settings.service_mode == ServiceMode::Showcase {
            self.agent_cards(center_id)
                .into_iter()
                .filter(|card| card.presence.uses_seat())
                .collect()
        } else {
            Vec::new()
        };
        ServiceOptions {
            mode: center.settings.service_mode,
            groups: super::directory::customer_groups(&center.groups),
            product_types: super::directory::customer_product_types(&center.product_types),
            agents,
            open_now,
            closed_reply,
            faq: center.settings.faq.clone(),
        }
    }

    /// Sends `ServiceOptionsChanged` to every connected customer of the center.
    pub(super) fn service_options_changed(&mut self, center_id: CenterId, now: Now) {
        let options = self.service_options(center_id, now);
        let conns: Vec<ConnId> = self
            .centers
            .get(&center_id)
            .map(|c| c.customers.iter().copied().collect())
            .unwrap_or_default();
        for conn in conns {
            self.event(conn, Event::ServiceOptionsChanged(options.clone()));
        }
    }

    /// Sends `event` to every logged-in account of the center.
    pub(super) fn tell_agents(&mut self, center_id: CenterId, event: &Event) {
        let conns: Vec<ConnId> = self
            .centers
            .get(&center_id)
            .map(|c| c.agents.iter().copied().collect())
            .unwrap_or_default();
        for conn in conns {
            self.event(conn, event.clone());
        }
    }

    pub(super) fn welcome_customer(
        &mut self,
        now: Now,
        conn: ConnId,
        center: CenterInfo,
        install_id: InstallId,
    ) {
        let key = (center.center_id, install_id);
        let session_id = self.session_of_customer.get(&key).copied();
        if let Some(s) = session_id.and_then(|id| self.sessions.get_mut(&id)) {
            s.customer_conn = Some(conn);
        }
        let session = session_id.and_then(|id| self.session_info(id, WELCOME_HISTORY_BYTES));
        let queue_position = self.queue_position(center.center_id, install_id);
        let welcome = Welcome::Customer {
            center_name: center.name,
            session,
            queue_position,
            options: self.service_options(center.center_id, now),
            branding: self
                .centers
                .get(&center.center_id)
                .and_then(|c| c.branding.clone()),
        };
        self.send(conn, ServerMessage::Welcome(welcome));
        if let Some(position) = queue_position {
            let estimate = self.estimated_wait_s(center.center_id, position);
            self.send_position(center.center_id, conn, position, estimate);
        }
    }

    /// The branding page (M1, M11).
    ///
    /// Errors: `NotPermitted { ManageSettings }`.
    pub(super) fn get_branding(
        &self,
        center_id: CenterId,
        agent_id: AgentId,
    ) -> Result<Option<Response>, ApiError> {
        self.require(center_id, agent_id, Permission::ManageSettings)?;
        let branding = self
            .centers
            .get(&center_id)
            .and_then(|c| c.branding.clone())
            .unwrap_or_default();
        let download_page = self
            .download_base
            .as_ref()
            .map(|base| format!("{base}/{center_id}/"));
        Ok(Some(Response::BrandingPage(Box::new(
            porpoise_protocol::wire::rpc::BrandingPage {
                branding,
                download_page,
            },
        ))))
    }

    /// Replaces the helper branding after the same checks as the CLI (M1); customers get it
    /// in their next Welcome and download; audited.
    ///
    /// Errors: `NotPermitted { ManageSettings }`; the branding's problem as a field code.
    pub(super) fn save_branding(
        &mut self,
        center_id: CenterId,
        agent_id: AgentId,
        branding: porpoise_protocol::wire::Branding,
    ) -> Result<Option<Response>, ApiError> {
        self.require(center_id, agent_id, Permission::ManageSettings)?;
        crate::branding::validate(&branding).map_err(branding_error)?;
        let center = self.centers.get_mut(&center_id).ok_or(ApiError::NotFound {
            what: porpoise_protocol::wire::Thing::Center,
        })?;
        let before = center.branding.clone().unwrap_or_default();
        center.branding = (!branding.is_empty()).then(|| branding.clone());
        let detail = branding_diff(&before, &branding);
        self.persist(StoreOp::SaveBranding {
            center_id,
            branding: Box::new(branding),
        });
        let actor = self.audit_actor(center_id, agent_id);
        self.audit(
            center_id,
            actor,
            super::AuditAction::SettingsChanged,
            "branding".into(),
            detail,
        );
        Ok(Some(Response::Done))
    }

    /// Account `agent_id` if it is active and has permission `needed` (M4).
    ///
    /// Errors: `NotPermitted { needed }`.
    pub(super) fn require(
        &self,
        center_id: CenterId,
        agent_id: AgentId,
        needed: porpoise_protocol::wire::Permission,
    ) -> Result<&Account, ApiError> {
        self.centers
            .get(&center_id)
            .and_then(|c| c.accounts.get(&agent_id))
            .filter(|a| a.can(needed))
            .ok_or(ApiError::NotPermitted { needed })
    }

    pub(super) fn get_settings(
        &self,
        center_id: CenterId,
        agent_id: AgentId,
    ) -> Result<Option<Response>, ApiError> {
        self.require(center_id, agent_id, Permission::ManageSettings)?;
        let center = self.centers.get(&center_id).ok_or(ApiError::NotFound {
            what: porpoise_protocol::wire::Thing::Center,
        })?;
        Ok(Some(Response::CenterSettings(
            super::records::public_settings(&center.settings),
        )))
    }

    /// Admin replaces the center's settings (seats stay as the operator set them). Agents get
    /// `CenterSettingsChanged`, customers `ServiceOptionsChanged`; the queue is re-sent (its
    /// view may have changed) and routed again (the mode may have changed).
    ///
    /// Errors: `Forbidden` for non-managers; `Invalid` for an offer countdown outside
    /// [`OFFER_TIMEOUT_RANGE_S`] or a code validity outside [`CODE_VALIDITY_RANGE_S`].
    pub(super) fn update_settings(
        &mut self,
        now: Now,
        center_id: CenterId,
        agent_id: AgentId,
        mut settings: CenterSettings,
    ) -> Result<Option<Response>, ApiError> {
        self.require(center_id, agent_id, Permission::ManageSettings)?;
        if !OFFER_TIMEOUT_RANGE_S.contains(&settings.offer_timeout_s) {
            return Err(ApiError::OutOfRange {
                field: porpoise_protocol::wire::Field::OfferTimeout,
                min: u64::from(*OFFER_TIMEOUT_RANGE_S.start()),
                max: u64::from(*OFFER_TIMEOUT_RANGE_S.end()),
            });
        }
        if !CODE_VALIDITY_RANGE_S.contains(&settings.session_code_validity_s) {
            return Err(ApiError::OutOfRange {
                field: porpoise_protocol::wire::Field::CodeValidity,
                min: u64::from(*CODE_VALIDITY_RANGE_S.start()),
                max: u64::from(*CODE_VALIDITY_RANGE_S.end()),
            });
        }
        if !porpoise_protocol::wire::MAX_FILE_BYTES_RANGE.contains(&settings.max_file_bytes) {
            return Err(ApiError::OutOfRange {
                field: porpoise_protocol::wire::Field::MaxFileBytes,
                min: *porpoise_protocol::wire::MAX_FILE_BYTES_RANGE.start(),
                max: *porpoise_protocol::wire::MAX_FILE_BYTES_RANGE.end(),
            });
        }
        check_storage_settings(&settings)?;
        super::hours::validate(&settings.working_hours)?;
        super::automation::validate(&settings)?;
        let center = self.centers.get_mut(&center_id).ok_or(ApiError::NotFound {
            what: porpoise_protocol::wire::Thing::Center,
        })?;
        settings.seats = center.settings.seats;
        settings.storage_quota_bytes = center.settings.storage_quota_bytes;
        super::records::prepare_settings(&mut settings, &center.settings)?;
        let diff = super::settings_diff(&center.settings, &settings);
        center.settings = settings.clone();
        info!(%center_id, %agent_id, mode = ?settings.service_mode, "center settings changed");
        self.persist(StoreOp::SaveSettings {
            center_id,
            settings: Box::new(settings.clone()),
        });
        let actor = self.audit_actor(center_id, agent_id);
        self.audit(
            center_id,
            actor,
            super::AuditAction::SettingsChanged,
            "center settings".into(),
            diff,
        );
        let public = super::records::public_settings(&settings);
        self.tell_agents(center_id, &Event::CenterSettingsChanged(Box::new(public)));
        self.hours_changed(center_id);
        self.service_options_changed(center_id, now);
        self.queue_changed(now, center_id);
        self.route_center(now, center_id);
        Ok(Some(Response::Done))
    }
}

/// Retention within [`RETENTION_DAYS_RANGE`](porpoise_protocol::wire::RETENTION_DAYS_RANGE),
/// files accepted without asking within the file limit's range and
/// [`AUTO_ACCEPT_FILES_RANGE`](porpoise_protocol::wire::AUTO_ACCEPT_FILES_RANGE).
///
/// Errors: `OutOfRange { RetentionDays | AutoAcceptFiles }`.
fn check_storage_settings(settings: &CenterSettings) -> Result<(), ApiError> {
    use porpoise_protocol::wire::{
        Field, AUTO_ACCEPT_FILES_RANGE, MAX_FILE_BYTES_RANGE, RETENTION_DAYS_RANGE,
    };
    if let Some(days) = settings.retention_days {
        if !RETENTION_DAYS_RANGE.contains(&days) {
            return Err(ApiError::OutOfRange {
                field: Field::RetentionDays,
                min: u64::from(*RETENTION_DAYS_RANGE.start()),
                max: u64::from(*RETENTION_DAYS_RANGE.end()),
            });
        }
    }
    if settings.auto_accept_file_bytes > *MAX_FILE_BYTES_RANGE.end() {
        return Err(ApiError::OutOfRange {
            field: Field::AutoAcceptFiles,
            min: 0,
            max: *MAX_FILE_BYTES_RANGE.end(),
        });
    }
    if !AUTO_ACCEPT_FILES_RANGE.contains(&settings.auto_accept_files) {
        return Err(ApiError::OutOfRange {
            field: Field::AutoAcceptFiles,
            min: u64::from(*AUTO_ACCEPT_FILES_RANGE.start()),
            max: u64::from(*AUTO_ACCEPT_FILES_RANGE.end()),
        });
    }
    Ok(())
}

/// A branding problem as the wire's field code.
fn branding_error(e: porpoise_protocol::wire::BrandingError) -> ApiError {
    use porpoise_protocol::wire::{BrandingError, Field};
    match e {
        BrandingError::BadColor(_) => ApiError::Malformed {
            field: Field::BrandColor,
        },
        BrandingError::BadLink(_) => ApiError::Malformed {
            field: Field::NoticeLink,
        },
        BrandingError::TooLarge { what, max, .. } => {
            let field = match what {
                "product name" => Field::ProductName,
                "notice text" => Field::NoticeText,
                _ => Field::BrandImage,
            };
            ApiError::too_long(field, max)
        }
        BrandingError::BadImage { .. } => ApiError::Malformed {
            field: Field::BrandImage,
        },
    }
}

/// What changed in the branding, one line per part (pictures by size, never their bytes).
fn branding_diff(
    before: &porpoise_protocol::wire::Branding,
    after: &porpoise_protocol::wire::Branding,
) -> String {
    let summary = |b: &porpoise_protocol::wire::Branding| {
        serde_json::json!({
            "product_name": b.product_name,
            "icon_bytes": b.icon_png.len(),
            "primary": b.primary.map(|c| c.to_string()),
            "accent": b.accent.map(|c| c.to_string()),
            "notice_text": b.notice.text,
            "notice_image_bytes": b.notice.image_png.len(),
            "notice_link": b.notice.link,
        })
    };
    super::audit::value_diff(&summary(before), &summary(after))
}
