//! The panels of the console. Each `*_ui` function draws one part and pushes the
//! [`NetCommand`](crate::net::NetCommand)s it produces into an [`Outbox`]; the app sends them
//! after the frame.

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
pub fn call(outbox: &mut Outbox, body: porpoise_protocol::wire::Request) {
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
