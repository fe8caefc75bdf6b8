//! The blocklist page (黑名单, R16) and the session tab's "block customer" dialog. The relay
//! checks the permission and disconnects the customer; here the admin types and confirms.

use egui::RichText;
use porpoise_protocol::wire::{BlockId, BlockRule, UnixMs};
use porpoise_ui::Language;

use crate::{
    clock,
    i18n::Msg,
    state::{Intent, Status},
};

/// Block lengths offered, days (`None` = until lifted).
pub const BLOCK_DAYS: [Option<u32>; 4] = [Some(1), Some(7), Some(30), None];

/// The end of a block of `days` from now.
fn expires_at(days: Option<u32>) -> Option<UnixMs> {
    days.map(|d| clock::now_unix_ms() + i64::from(d) * 86_400_000)
}

fn duration_ui(ui: &mut egui::Ui, lang: Language, days: &mut Option<u32>) {
    ui.horizontal(|ui| {
        for d in BLOCK_DAYS {
            let label = match (d, lang) {
                (None, _) => Msg::Forever.text(lang).to_owned(),
                (Some(n), Language::ZhCn) => format!("{n} 天"),
                (Some(1), Language::En) => "1 day".to_owned(),
                (Some(n), Language::En) => format!("{n} days"),
            };
            ui.radio_value(days, d, label);
        }
    });
}

/// What a block matches, in the UI language (`安装ID …`, or the address / network).
fn target_text(lang: Language, target: &porpoise_protocol::wire::BlockTarget) -> String {
    match target {
        porpoise_protocol::wire::BlockTarget::Install(id) => {
            format!("{} {:032x}", lang.pick("安装ID", "install"), id.0)
        }
        address => address.to_string(),
    }
}

/// The blocklist: an add form and the blocks in force with Unblock (confirmed).
#[allow(clippy::too_many_arguments)]
pub fn blocklist_ui(
    ui: &mut egui::Ui,
    lang: Language,
    rows: Option<&[BlockRule]>,
    target: &mut String,
    reason: &mut String,
    days: &mut Option<u32>,
    confirm_remove: &mut Option<BlockId>,
    status: &Status,
    intents: &mut Vec<Intent>,
) {
    egui::Grid::new("block-form").num_columns(2).show(ui, |ui| {
        let l = ui.label(Msg::BlockTargetLabel.text(lang));
        ui.add(egui::TextEdit::singleline(target).desired_width(300.0))
            .labelled_by(l.id);
        ui.end_row();
        let l = ui.label(Msg::BlockReason.text(lang));
        ui.add(egui::TextEdit::singleline(reason).desired_width(300.0))
            .labelled_by(l.id);
        ui.end_row();
        ui.label(Msg::BlockDuration.text(lang));
        duration_ui(ui, lang, days);
        ui.end_row();
    });
    ui.horizontal(|ui| {
        let ready = !target.trim().is_empty() && !status.busy();
        if ui
            .add_enabled(ready, egui::Button::new(Msg::Block.text(lang)))
            .clicked()
        {
            intents.push(Intent::AddBlock {
                expires_at: expires_at(*days),
                lang,
            });
        }
        if ui.button(Msg::Refresh.text(lang)).clicked() {
            intents.push(Intent::RefreshBlocks);
        }
    });
    super::super::status_ui(ui, status);
    ui.separator();
    let Some(rows) = rows else { return };
    egui::ScrollArea::vertical()
        .max_height(360.0)
        .show(ui, |ui| {
            egui::Grid::new("blocklist")
                .num_columns(6)
                .striped(true)
                .show(ui, |ui| {
                    for h in [
                        Msg::BlockTargetColumn,
                        Msg::BlockReason,
                        Msg::BlockedBy,
                        Msg::When,
                        Msg::Until,
                    ] {
                        ui.label(RichText::new(h.text(lang)).strong());
                    }
                    ui.label("");
                    ui.end_row();
                    for b in rows {
                        ui.label(RichText::new(target_text(lang, &b.target)).monospace());
                        ui.label(&b.reason);
                        ui.label(&b.created_by);
                        ui.label(clock::date_time_text(b.created_at));
                        ui.label(b.expires_at.map_or_else(
                            || Msg::Forever.text(lang).to_owned(),
                            clock::date_time_text,
                        ));
                        ui.horizontal(|ui| {
                            if *confirm_remove == Some(b.block_id) {
                                if ui.button(Msg::Confirm.text(lang)).clicked() {
                                    intents.push(Intent::RemoveBlock(b.block_id));
                                }
                                if ui.button(Msg::Cancel.text(lang)).clicked() {
                                    *confirm_remove = None;
                                }
                            } else if ui.button(Msg::Unblock.text(lang)).clicked() {
                                *confirm_remove = Some(b.block_id);
                            }
                        });
                        ui.end_row();
                    }
                });
        });
}

/// The session tab's block dialog: installation or address, reason, duration.
#[allow(clippy::too_many_arguments)]
pub fn block_customer_ui(
    ui: &mut egui::Ui,
    lang: Language,
    customer: &str,
    by_address: &mut bool,
    reason: &mut String,
    days: &mut Option<u32>,
    status: &Status,
    intents: &mut Vec<Intent>,
) {
    ui.label(RichText::new(customer).strong());
    ui.checkbox(by_address, Msg::BlockByAddress.text(lang));
    let l = ui.label(Msg::BlockReason.text(lang));
    ui.add(egui::TextEdit::singleline(reason).desired_width(300.0))
        .labelled_by(l.id);
    duration_ui(ui, lang, days);
    let done = matches!(status, Status::Done(_));
    if ui
        .add_enabled(
            !status.busy() && !done,
            egui::Button::new(Msg::Block.text(lang)),
        )
        .clicked()
    {
        intents.push(Intent::BlockCustomer {
            expires_at: expires_at(*days),
        });
    }
    super::super::status_ui(ui, status);
}
