//! Showcase mode (座席展示): the center's agents as cards in group tabs, with photo (an
//! initial-letter avatar), nickname, phone, title and presence; an online agent can be picked.

use egui::{Align2, Color32, FontId, RichText, ScrollArea, Sense, Ui, Vec2};
use porpoise_protocol::wire::{AgentCard, Presence, ServiceOptions};

use super::request::{error_ui, name_phone_ui};
use crate::{
    i18n::Tr,
    state::{RequestForm, ShowcaseTab, UiAction},
};

/// Side of the avatar square, in points.
const AVATAR_SIDE: f32 = 40.0;

/// Name and phone, the group tabs, and the cards of the selected tab.
pub fn showcase_ui(
    ui: &mut Ui,
    form: &mut RequestForm,
    options: &ServiceOptions,
    tr: Tr,
    out: &mut Vec<UiAction>,
) {
    name_phone_ui(ui, form, tr);
    error_ui(ui, tr, form.error);
    ui.add_space(6.0);
    ui.strong(tr.pick_agent_heading());
    let tabs = tabs(options, tr);
    let current = form
        .tab
        .filter(|t| tabs.iter().any(|(x, _)| x == t))
        .or_else(|| tabs.first().map(|(t, _)| *t))
        .unwrap_or(ShowcaseTab::All);
    if tabs.len() > 1 {
        ui.horizontal_wrapped(|ui| {
            for (tab, name) in &tabs {
                if ui.selectable_label(*tab == current, name).clicked() {
                    form.tab = Some(*tab);
                }
            }
        });
    }
    ui.separator();
    let agents = agents_in(options, current);
    ScrollArea::vertical().auto_shrink(false).show(ui, |ui| {
        if agents.is_empty() {
            ui.label(RichText::new(tr.no_agents()).weak());
        }
        for agent in agents {
            card_ui(ui, agent, tr, out);
            ui.add_space(4.0);
        }
    });
}

/// The tabs: "All" first when it shows more than one group's tab would, then each group.
fn tabs(options: &ServiceOptions, tr: Tr) -> Vec<(ShowcaseTab, String)> {
    let ungrouped = options.agents.iter().any(|a| a.groups.is_empty());
    let mut tabs = Vec::new();
    if options.groups.len() != 1 || ungrouped {
        tabs.push((ShowcaseTab::All, tr.all_agents().to_owned()));
    }
    tabs.extend(
        options
            .groups
            .iter()
            .map(|g| (ShowcaseTab::Group(g.group_id), g.name.clone())),
    );
    tabs
}

/// Agents of `tab`, online ones first (otherwise in the relay's order).
fn agents_in(options: &ServiceOptions, tab: ShowcaseTab) -> Vec<&AgentCard> {
    let mut agents: Vec<&AgentCard> = options
        .agents
        .iter()
        .filter(|a| match tab {
            ShowcaseTab::All => true,
            ShowcaseTab::Group(g) => a.groups.contains(&g),
        })
        .collect();
    agents.sort_by_key(|a| presence_rank(a.presence));
    agents
}

fn presence_rank(p: Presence) -> u8 {
    match p {
        Presence::Online => 0,
        Presence::Busy => 1,
        Presence::Away => 2,
        Presence::Offline | Presence::Exited => 3,
    }
}

/// One agent card; greyed with a hint unless the agent is online.
fn card_ui(ui: &mut Ui, agent: &AgentCard, tr: Tr, out: &mut Vec<UiAction>) {
    let online = agent.presence.takes_customers();
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal(|ui| {
            avatar_ui(ui, agent, online);
            ui.vertical(|ui| {
                ui.horizontal(|ui| {
                    ui.add_enabled(
                        online,
                        egui::Label::new(RichText::new(&agent.nickname).strong()),
                    );
                    presence_ui(ui, tr, agent.presence);
                });
                if !agent.title.is_empty() {
                    ui.add_enabled(online, egui::Label::new(&agent.title));
                }
                if !agent.phone.is_empty() {
                    let phone = format!("{} {}", tr.phone_label(), agent.phone);
                    ui.add_enabled(online, egui::Label::new(RichText::new(phone).small()));
                }
                let ask = ui
                    .add_enabled(online, egui::Button::new(tr.ask_agent(&agent.nickname)))
                    .on_disabled_hover_text(tr.agent_unavailable_hint());
                if ask.clicked() {
                    out.push(UiAction::PickAgent(agent.agent_id));
                }
                if !online {
                    ui.label(RichText::new(tr.agent_unavailable_hint()).small().weak());
                }
            });
        });
    });
}

/// A coloured dot and the presence's name.
fn presence_ui(ui: &mut Ui, tr: Tr, presence: Presence) {
    let (color, text) = match presence {
        Presence::Online => (Color32::from_rgb(40, 160, 70), tr.presence_online()),
        Presence::Busy => (Color32::from_rgb(210, 60, 50), tr.presence_busy()),
        Presence::Away => (Color32::from_rgb(230, 170, 30), tr.presence_away()),
        Presence::Offline | Presence::Exited => (Color32::GRAY, tr.presence_offline()),
    };
    let (rect, _) = ui.allocate_exact_size(Vec2::splat(10.0), Sense::hover());
    ui.painter().circle_filled(rect.center(), 4.5, color);
    ui.label(RichText::new(text).small().color(color));
}

/// The photo if it is a PNG data URL; else the nickname's first letter on a colour picked by
/// the agent id. Photos are never fetched from URLs (the helper contacts nothing but its relay).
fn avatar_ui(ui: &mut Ui, agent: &AgentCard, online: bool) {
    if let Some(texture) = super::photo::photo_texture(ui.ctx(), agent.agent_id, &agent.photo) {
        let tint = if online {
            Color32::WHITE
        } else {
            Color32::from_white_alpha(110)
        };
        ui.add(
            egui::Image::new((texture.id(), Vec2::splat(AVATAR_SIDE)))
                .corner_radius(AVATAR_SIDE / 2.0)
                .tint(tint),
        );
        return;
    }
    const PALETTE: [Color32; 6] = [
        Color32::from_rgb(52, 120, 200),
        Color32::from_rgb(40, 150, 110),
        Color32::from_rgb(200, 110, 40),
        Color32::from_rgb(150, 80, 180),
        Color32::from_rgb(190, 60, 90),
        Color32::from_rgb(60, 140, 160),
    ];
    let (rect, _) = ui.allocate_exact_size(Vec2::splat(AVATAR_SIDE), Sense::hover());
    let mut fill = PALETTE[agent.agent_id.0.unsigned_abs() as usize % PALETTE.len()];
    if !online {
        fill = fill.gamma_multiply(0.4);
    }
    ui.painter()
        .circle_filled(rect.center(), AVATAR_SIDE / 2.0, fill);
    let initial: String = agent
        .nickname
        .chars()
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    ui.painter().text(
        rect.center(),
        Align2::CENTER_CENTER,
        initial,
        FontId::proportional(AVATAR_SIDE * 0.5),
        Color32::WHITE,
    );
}
