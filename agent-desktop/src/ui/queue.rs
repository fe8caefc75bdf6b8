//! The queue panel (A4): waiting customers with name, phone, live waiting time and Accept.

use egui::RichText;
use porpoise_protocol::wire::{QueueView, UnixMs};
use porpoise_ui::Language;

use crate::{
    clock, i18n,
    i18n::Msg,
    state::{Intent, Workspace},
};

/// Draws the queue. `now_ms` is the wall clock in Unix ms (waiting times are computed from the
/// relay's `queued_at`). Asks for a repaint in a second while anyone waits, so that the times
/// tick. Accept is reported as [`Intent::Accept`].
pub fn queue_ui(
    ui: &mut egui::Ui,
    lang: Language,
    ws: &Workspace,
    now_ms: UnixMs,
    intents: &mut Vec<Intent>,
) {
    ui.heading(i18n::queue_heading(lang, ws.queue_count() as usize));
    ui.separator();
    if let Some(notice) = ws.queue_notice() {
        ui.label(RichText::new(notice).color(ui.visuals().warn_fg_color));
    }
    if ws.settings().queue_view == QueueView::CountOnly {
        // 51助理: agents see only how many wait; customers come to them by routing.
        ui.label(RichText::new(i18n::waiting_count(lang, ws.queue_count())).size(18.0));
        return;
    }
    if ws.queue().is_empty() {
        ui.label(RichText::new(Msg::QueueEmpty.text(lang)).weak());
        return;
    }
    ui.ctx()
        .request_repaint_after(std::time::Duration::from_millis(
            1000 - (now_ms.rem_euclid(1000)) as u64,
        ));
    egui::ScrollArea::vertical()
        .auto_shrink([false, true])
        .show(ui, |ui| {
            egui::Grid::new("queue")
                .num_columns(4)
                .striped(true)
                .spacing([10.0, 6.0])
                .show(ui, |ui| {
                    ui.label(RichText::new(Msg::Name.text(lang)).strong());
                    ui.label(RichText::new(Msg::Phone.text(lang)).strong());
                    ui.label(RichText::new(Msg::Waited.text(lang)).strong());
                    ui.label("");
                    ui.end_row();
                    for entry in ws.queue() {
                        ui.label(&entry.name);
                        ui.label(&entry.phone);
                        ui.label(
                            RichText::new(clock::wait_text(now_ms - entry.queued_at)).monospace(),
                        );
                        if ws.serves() {
                            let busy = ws.accepting(entry.ticket_id);
                            let button =
                                ui.add_enabled(!busy, egui::Button::new(Msg::Accept.text(lang)));
                            if button.clicked() {
                                intents.push(Intent::Accept {
                                    ticket_id: entry.ticket_id,
                                });
                            }
                        } else {
                            ui.label("");
                        }
                        ui.end_row();
                    }
                });
        });
}
