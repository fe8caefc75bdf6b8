//! The panels of the console. Each `*_ui` function draws one part.
//!
//! The rule (as in the customer helper): a panel reads the
//! [`Workspace`](crate::state::Workspace) through `&Workspace` (or a `&SessionTab`) and reports
//! what the agent did as [`Intent`](crate::state::Intent)s; the app applies them after the
//! frame with [`Workspace::on_ui`](crate::state::Workspace::on_ui), which alone changes the
//! state and returns [`Effect`](crate::state::Effect)s (commands for the network side,
//! notifications). Widgets that need `&mut` (text edits, check boxes, radio buttons) edit a
//! copy; a change is reported as an intent carrying the new value (`EditOfflineNote`,
//! `EditSettings`…). Only widget state that is the panel's own (egui memory, the chat
//! pictures' textures, the screenshot tool) is changed while drawing.
//!
//! Not all panels follow it yet: the screen view ([`screen`]) still takes the `&mut SessionTab`
//! that holds the stream's texture and remote-input state and pushes
//! [`NetCommand`](crate::net::NetCommand)s into an [`Outbox`], which the app sends after the
//! frame.

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
pub mod screen;
pub mod session;
pub mod settings;
pub mod snip;
pub mod sysinfo;
pub mod tasks;
pub mod transfer;
pub mod visitor;

/// Commands produced while drawing one frame, sent to the network side after it.
pub type Outbox = Vec<crate::net::NetCommand>;

/// Sends a relay request through [`crate::net::NetCommand::Call`].
pub fn call(outbox: &mut Outbox, body: porpoise_shared::wire::Request) {
    outbox.push(crate::net::NetCommand::Call(crate::net::Call(body)));
}

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
