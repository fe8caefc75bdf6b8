//! The panels of the console. Each `*_ui` function draws one part.
//!
//! The rule (as in the customer helper): a panel reads the
//! [`Workspace`](crate::state::Workspace) through `&Workspace` (or a `&SessionTab`) and reports
//! what the agent did as [`Intent`](crate::state::Intent)s; the app applies them after the
//! frame with [`Workspace::on_ui`](crate::state::Workspace::on_ui), which alone changes the
//! state and returns [`Effect`](crate::state::Effect)s (commands for the network side,
//! notifications). Widgets that need `&mut` (text edits, check boxes, radio buttons) edit a
//! copy; a change is reported as an intent carrying the new value (`EditOfflineNote`,
//! `EditSettings`…). Only widget state that is the panels' own is changed while drawing: egui
//! memory and the [`SessionTools`] the app keeps beside the workspace (chat pictures, the
//! screenshot tool, transcript jobs, screen textures and remote-input state).
//!
//! The login window ([`login`]) is not part of the work area: it edits the app's
//! [`LoginForm`](login::LoginForm) and pushes its commands into an [`Outbox`].

pub mod admin;
pub mod agents;
pub mod canned;
pub mod chat;
pub mod code;
pub mod context;
pub mod desk;
pub mod files;
pub mod history;
pub mod login;
pub mod offers;
pub mod personal;
pub mod queue;
pub mod record;
pub mod remote;
pub mod screen;
pub mod session;
pub mod settings;
pub mod snip;
pub mod sysinfo;
pub mod tasks;
pub mod transfer;
pub mod visitor;

/// A knowledge-base picture in the cache: its node and its size (a new picture of the node is
/// another key, so a replaced picture is never shown stale).
pub type KnowledgePictureKey = (
    porpoise_protocol::wire::KnowledgeNodeId,
    porpoise_protocol::wire::ChatImage,
);

/// The session panels' own widget state, kept by the app beside the workspace: chat pictures
/// fetched, decoded and shown (A7), the screenshot tool (A9), transcripts being written and
/// the customers' screens being shown (textures, image settings, remote input).
#[derive(Debug, Default)]
pub struct SessionTools {
    /// Chat pictures: textures, the large view, pictures being fitted to send.
    pub pictures: porpoise_ui::chat_pictures::ChatPictures,
    /// Knowledge-base pictures (A8, M7), shown in the quick replies and the admin page.
    pub knowledge_pictures: porpoise_ui::chat_pictures::ChatPictures<KnowledgePictureKey>,
    /// The screenshot tool. The chat reads a taken image with
    /// [`crate::snip::SnipTool::take_result`] (or through [`snip::snip_button`]).
    pub snip: crate::snip::SnipTool,
    /// A transcript being written on a worker thread per session (A7).
    pub transcripts: std::collections::HashMap<
        porpoise_protocol::wire::SessionId,
        Option<porpoise_ui::job::Job<Result<std::path::PathBuf, String>>>,
    >,
    /// The screen stream shown per session, while its tab's screen is
    /// [`ScreenView::Streaming`](crate::state::ScreenView::Streaming).
    pub screens:
        std::collections::HashMap<porpoise_protocol::wire::SessionId, crate::screen::ScreenStream>,
}

impl SessionTools {
    /// Starts showing `feed` for `session_id` (replacing a stream it had).
    pub fn show_screen(
        &mut self,
        session_id: porpoise_protocol::wire::SessionId,
        feed: std::sync::Arc<crate::screen::ScreenFeed>,
    ) {
        self.screens
            .insert(session_id, crate::screen::ScreenStream::new(feed));
    }

    /// Drops the screen streams whose tab no longer streams (ended, stopped, closed).
    pub fn forget_screens(&mut self, ws: &crate::state::Workspace) {
        self.screens.retain(|id, _| {
            ws.session(*id)
                .is_some_and(|t| matches!(t.screen, crate::state::ScreenView::Streaming))
        });
    }
}

/// Commands for the network side queued during one frame (the login window's, and those of the
/// effects the app carries out), sent after it.
pub type Outbox = Vec<crate::net::NetCommand>;

/// Shows a dialog's [`Status`](crate::state::Status) line (spinner, error or confirmation).
pub fn status_ui(ui: &mut egui::Ui, status: &crate::state::Status) {
    use crate::state::Status;
    match status {
        Status::Idle => {}
        Status::Busy => {
            // Not a spinner: it would repaint forever while the relay is silent.
            ui.label(egui::RichText::new("…").weak());
        }
        Status::Failed(text) => {
            ui.label(egui::RichText::new(text).color(ui.visuals().error_fg_color));
        }
        Status::Done(text) => {
            ui.label(egui::RichText::new(text).color(egui::Color32::from_rgb(0, 140, 60)));
        }
    }
}
