//! The offer popup (A3/R5) and the incoming transfer prompt (A14/R8): prominent windows with a
//! live countdown and Accept / Reject. Several stack, oldest first.

use egui::RichText;
use porpoise_ui::Language;

use crate::{
    i18n::{self, Msg},
    state::{remaining_s, Intent, Workspace},
};

/// Width of an offer or transfer window, in points.
pub const PROMPT_WIDTH: f32 = 320.0;
/// Vertical distance between stacked prompts, in points.
pub const STACK_STEP: f32 = 190.0;

/// Where the `i`-th stacked prompt goes: a column at the right of the sessions area, clear of
/// the colleagues panel and the top bar.
fn stack_anchor(i: usize) -> (egui::Align2, [f32; 2]) {
    let x = -(super::desk::AGENTS_PANEL_WIDTH + 24.0);
    (egui::Align2::RIGHT_TOP, [x, 72.0 + STACK_STEP * i as f32])
}

fn countdown_ui(ui: &mut egui::Ui, lang: Language, left_s: f64, total_s: f64) {
    let secs = left_s.ceil() as u64;
    ui.label(
        RichText::new(i18n::seconds_left(lang, secs))
            .strong()
            .size(18.0)
            .color(ui.visuals().warn_fg_color),
    );
    let fraction = if total_s > 0.0 { left_s / total_s } else { 0.0 };
    ui.add(egui::ProgressBar::new(fraction as f32).desired_width(PROMPT_WIDTH - 20.0));
}

/// The offer popups; answers are reported as [`Intent::AnswerOffer`].
pub fn offers_ui(
    ctx: &egui::Context,
    lang: Language,
    ws: &Workspace,
    now_s: f64,
    intents: &mut Vec<Intent>,
) {
    if ws.offers().is_empty() {
        return;
    }
    ctx.request_repaint_after(std::time::Duration::from_millis(250));
    for (i, prompt) in ws.offers().iter().enumerate() {
        let offer = &prompt.offer;
        let group = offer.group_id.and_then(|g| ws.group_name(g));
        egui::Window::new(Msg::OfferTitle.text(lang))
            .id(egui::Id::unique(("offer", offer.offer_id)))
            .collapsible(false)
            .resizable(false)
            .order(egui::Order::Foreground)
            .default_width(PROMPT_WIDTH)
            .anchor(stack_anchor(i).0, stack_anchor(i).1)
            .show(ctx, |ui| {
                ui.label(RichText::new(&offer.customer_name).strong().size(20.0));
                ui.label(&offer.customer_phone);
                if let Some(group) = group {
                    ui.label(i18n::with_detail(lang, Msg::Group, group));
                }
                if let Some(p) = offer.product_type_id {
                    let name = ws
                        .product_type_name(p)
                        .map_or_else(|| p.to_string(), str::to_owned);
                    ui.label(i18n::with_detail(lang, Msg::ProductType, &name));
                }
                let left = remaining_s(prompt.deadline_s, now_s);
                countdown_ui(ui, lang, left, prompt.total_s);
                ui.horizontal(|ui| {
                    let enabled = !prompt.answering && prompt.deadline_s > now_s;
                    let accept = egui::Button::new(RichText::new(Msg::Accept.text(lang)).strong());
                    if ui.add_enabled(enabled, accept).clicked() {
                        intents.push(Intent::AnswerOffer {
                            offer_id: offer.offer_id,
                            accept: true,
                        });
                    }
                    if ui
                        .add_enabled(enabled, egui::Button::new(Msg::Reject.text(lang)))
                        .clicked()
                    {
                        intents.push(Intent::AnswerOffer {
                            offer_id: offer.offer_id,
                            accept: false,
                        });
                    }
                });
            });
    }
}

/// The incoming transfer prompts, with the session's history on demand; answers are reported
/// as [`Intent::AnswerTransfer`].
pub fn transfer_prompts_ui(
    ctx: &egui::Context,
    lang: Language,
    ws: &Workspace,
    now_s: f64,
    intents: &mut Vec<Intent>,
) {
    if ws.transfers().is_empty() {
        return;
    }
    ctx.request_repaint_after(std::time::Duration::from_millis(250));
    let first = ws.offers().len();
    for (i, prompt) in ws.transfers().iter().enumerate() {
        let offer = &prompt.offer;
        let from = ws.agent_name(offer.from_agent).unwrap_or("?");
        egui::Window::new(Msg::TransferRequest.text(lang))
            .id(egui::Id::unique(("transfer", offer.transfer_id)))
            .collapsible(false)
            .order(egui::Order::Foreground)
            .default_width(PROMPT_WIDTH)
            .anchor(stack_anchor(first + i).0, stack_anchor(first + i).1)
            .show(ctx, |ui| {
                let customer = &offer.session.customer_name;
                ui.label(RichText::new(i18n::transfer_from(lang, from, customer)).strong());
                ui.label(&offer.session.customer_phone);
                if !offer.note.is_empty() {
                    ui.label(i18n::with_detail(lang, Msg::Note, &offer.note));
                }
                let left = remaining_s(prompt.deadline_s, now_s);
                countdown_ui(ui, lang, left, prompt.total_s);
                ui.collapsing(Msg::ShowHistory.text(lang), |ui| {
                    egui::ScrollArea::vertical()
                        .max_height(160.0)
                        .show(ui, |ui| {
                            for m in &offer.session.messages {
                                let author = i18n::author(lang, m.from, customer);
                                ui.label(format!("{author}: {}", m.text));
                            }
                        });
                });
                ui.horizontal(|ui| {
                    let enabled = !prompt.answering && prompt.deadline_s > now_s;
                    if ui
                        .add_enabled(enabled, egui::Button::new(Msg::Accept.text(lang)))
                        .clicked()
                    {
                        intents.push(Intent::AnswerTransfer {
                            transfer_id: offer.transfer_id,
                            accept: true,
                        });
                    }
                    if ui
                        .add_enabled(enabled, egui::Button::new(Msg::Reject.text(lang)))
                        .clicked()
                    {
                        intents.push(Intent::AnswerTransfer {
                            transfer_id: offer.transfer_id,
                            accept: false,
                        });
                    }
                });
            });
    }
}
