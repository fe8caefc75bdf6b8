//! The remote window (A6, A12, issue 15): while the agent views or controls a customer's
//! screen, the screen has its own native window (an egui viewport; embedded as an egui window
//! where the platform has no multiple windows, as in the UI tests), one per customer, so
//! several customers' screens can be open at once.
//!
//! The window opens with the size the agent last left a remote window at (else the customer's
//! screen at 1:1 within 90 % of the agent's monitor), fit to window or 1:1 with scroll bars as
//! last chosen, and full screen with F11 or its button (in full screen the toolbar hides and
//! comes back when the pointer touches the top edge). The toolbar carries the image settings
//! (quality, scale, monitor, bandwidth cap, screenshot), the keys the agent's own desktop would
//! take (Ctrl+Alt+Del, Win, Alt+Tab), clipboard sync, the chat panel and Stop. Closing the
//! window stops viewing / control. While controlling, the screen takes the window's keyboard
//! focus, so every key typed in the window goes to the customer (F11 included: then full screen
//! is the toolbar button's).
//!
//! Not done here: blocking the customer's own mouse and keyboard (needs a helper-side
//! mechanism: Windows `BlockInput`, nothing equivalent that keeps injected input working on
//! X11), and grabbing keys the agent's desktop intercepts before any window (winit has no
//! keyboard grab).

use egui::{Key, Modifiers, RichText, ViewportBuilder, ViewportClass, ViewportCommand, ViewportId};
use porpoise_protocol::wire::{ActionState, RemoteAction, SessionId};
use porpoise_ui::Language;

use super::{
    chat::{chat_ui, ChatPlace},
    screen, SessionTools,
};
use crate::{
    i18n::Msg,
    prefs::{RemoteWindowPrefs, MIN_REMOTE_WINDOW},
    remote_input::KeyCombo,
    screen::{remote_window_size, REMOTE_CHAT_WIDTH},
    state::{Intent, ScreenView, SessionPhase, SessionTab, Workspace},
};

/// Height of the strip at the top edge that brings the toolbar back in full screen, points.
pub const TOOLBAR_REVEAL_STRIP: f32 = 6.0;

/// The viewport of `session_id`'s remote window.
pub fn viewport_id(session_id: SessionId) -> ViewportId {
    ViewportId::from_hash_of(("porpoise-remote-window", session_id.0))
}

/// True if `tab`'s screen is in a remote window now: the session is open and its stream shows.
pub fn has_window(tab: &SessionTab, tools: &SessionTools) -> bool {
    tab.phase == SessionPhase::Open
        && tab.screen == ScreenView::Streaming
        && tools.screens.contains_key(&tab.session_id)
}

/// Shows the remote window of every session whose customer's screen is streaming.
pub fn remote_windows_ui(
    ctx: &egui::Context,
    lang: Language,
    ws: &Workspace,
    tools: &mut SessionTools,
    intents: &mut Vec<Intent>,
) {
    let monitor = ctx.input(|i| i.viewport().monitor_size).map(|m| [m.x, m.y]);
    let layout = ws.prefs().remote_window;
    let ppp = ctx.pixels_per_point();
    for tab in ws.sessions() {
        if !has_window(tab, tools) {
            continue;
        }
        let Some(stream) = tools.screens.get_mut(&tab.session_id) else {
            continue;
        };
        let opening = stream.window.opened_size.is_none();
        if opening {
            stream.window.actual_size = layout.actual_size;
            stream.window.chat_open = layout.chat_open;
            stream.window.opened_size = Some(remote_window_size(
                layout.size,
                monitor,
                stream.size(),
                ppp,
                layout.chat_open,
            ));
        }
        let size = stream.window.opened_size.unwrap_or(MIN_REMOTE_WINDOW);
        let builder = ViewportBuilder::default()
            .with_title(crate::i18n::remote_window_title(
                lang,
                &tab.customer_name,
                tab.controlling(),
            ))
            .with_app_id("porpoise-agent")
            .with_inner_size(size)
            .with_min_inner_size(MIN_REMOTE_WINDOW);
        let id = viewport_id(tab.session_id);
        ctx.show_viewport_immediate(id, builder, |ui, class| {
            window_ui(ui, class, lang, tab, layout, tools, intents)
        });
        if opening {
            // The new window comes to the front with the keyboard (the window manager decides).
            ctx.send_viewport_cmd_to(id, ViewportCommand::Focus);
        }
    }
}

/// The inside of one remote window.
fn window_ui(
    ui: &mut egui::Ui,
    class: ViewportClass,
    lang: Language,
    tab: &SessionTab,
    layout: RemoteWindowPrefs,
    tools: &mut SessionTools,
    intents: &mut Vec<Intent>,
) {
    let ctx = ui.ctx().clone();
    let session_id = tab.session_id;
    let native = matches!(class, ViewportClass::Immediate | ViewportClass::Deferred);
    if native && ctx.input(|i| i.viewport().close_requested()) {
        stop(tab, intents);
        return;
    }
    let fullscreen = native && ctx.input(|i| i.viewport().fullscreen.unwrap_or(false));
    let controlling = tab.controlling();
    let Some(stream) = tools.screens.get_mut(&session_id) else {
        return;
    };
    // F11 is the customer's while the screen has the keyboard during control.
    let screen_has_keys = controlling && ctx.memory(|m| m.focused().is_some());
    if native && !screen_has_keys && ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::F11)) {
        ctx.send_viewport_cmd(ViewportCommand::Fullscreen(!fullscreen));
    }
    // The agent's size for the next window (not the full-screen one).
    if native && !fullscreen {
        if let Some(rect) = ctx.input(|i| i.viewport().inner_rect) {
            let size = [rect.width().round(), rect.height().round()];
            if layout.size != Some(size) && size[0] >= MIN_REMOTE_WINDOW[0] {
                intents.push(Intent::SetRemoteWindow(RemoteWindowPrefs {
                    size: Some(size),
                    ..layout
                }));
            }
        }
    }
    let near_top = ctx
        .input(|i| i.pointer.hover_pos())
        .is_some_and(|p| p.y <= TOOLBAR_REVEAL_STRIP);
    if !fullscreen || stream.window.toolbar_hot || near_top {
        let toolbar = egui::Panel::top(("remote-toolbar", session_id.0)).show(ui, |ui| {
            toolbar_ui(ui, lang, tab, fullscreen, layout, tools, intents)
        });
        if let Some(stream) = tools.screens.get_mut(&session_id) {
            stream.window.toolbar_hot = fullscreen && toolbar.response.contains_pointer();
        }
    }
    if tools
        .screens
        .get(&session_id)
        .is_some_and(|s| s.window.chat_open)
    {
        egui::Panel::right(("remote-chat", session_id.0))
            .resizable(true)
            .default_size(REMOTE_CHAT_WIDTH)
            .show(ui, |ui| {
                chat_ui(ui, lang, tab, ChatPlace::RemoteWindow, tools, intents)
            });
    }
    let Some(stream) = tools.screens.get_mut(&session_id) else {
        return;
    };
    egui::CentralPanel::no_frame().show(ui, |ui| {
        screen::stream_ui(ui, lang, tab, stream, native, intents)
    });
}

/// The remote window's toolbar: view mode, full screen, image settings, keys, clipboard, chat,
/// Stop.
fn toolbar_ui(
    ui: &mut egui::Ui,
    lang: Language,
    tab: &SessionTab,
    fullscreen: bool,
    layout: RemoteWindowPrefs,
    tools: &mut SessionTools,
    intents: &mut Vec<Intent>,
) {
    let session_id = tab.session_id;
    let Some(stream) = tools.screens.get_mut(&session_id) else {
        return;
    };
    ui.horizontal_wrapped(|ui| {
        let actual = stream.window.actual_size;
        let mut changed = None;
        if ui
            .selectable_label(!actual, Msg::FitToWindow.text(lang))
            .clicked()
        {
            changed = Some(false);
        }
        if ui
            .selectable_label(actual, Msg::ActualSize.text(lang))
            .clicked()
        {
            changed = Some(true);
        }
        if let Some(actual_size) = changed.filter(|c| *c != actual) {
            stream.window.actual_size = actual_size;
            intents.push(Intent::SetRemoteWindow(RemoteWindowPrefs {
                actual_size,
                ..layout
            }));
        }
        let full = if fullscreen {
            Msg::ExitFullScreen
        } else {
            Msg::FullScreen
        };
        if ui.button(full.text(lang)).clicked() {
            ui.ctx()
                .send_viewport_cmd(ViewportCommand::Fullscreen(!fullscreen));
        }
        ui.separator();
        screen::image_settings_ui(ui, lang, session_id, stream);
        ui.separator();
        if tab.controlling() {
            ui.menu_button(Msg::SendKeys.text(lang), |ui| {
                for combo in KeyCombo::ALL {
                    let label = match combo {
                        KeyCombo::CtrlAltDel => "Ctrl+Alt+Del",
                        KeyCombo::Win => Msg::WinKey.text(lang),
                        KeyCombo::AltTab => "Alt+Tab",
                    };
                    if ui.button(label).clicked() {
                        intents.push(Intent::SendInput {
                            session_id,
                            events: combo.events(),
                        });
                        ui.close();
                    }
                }
            });
        }
        // The clipboard is synced only while controlling, so offer it then.
        if tab.controlling() || tab.action(RemoteAction::ClipboardSync) != ActionState::Stopped {
            super::session::action_button_ui(ui, lang, tab, RemoteAction::ClipboardSync, intents);
        }
        ui.separator();
        let mut chat = stream.window.chat_open;
        if ui
            .toggle_value(&mut chat, Msg::ChatPanel.text(lang))
            .changed()
        {
            stream.window.chat_open = chat;
            intents.push(Intent::SetRemoteWindow(RemoteWindowPrefs {
                chat_open: chat,
                ..layout
            }));
        }
        let stop_button = egui::Button::new(
            RichText::new(Msg::StopRemote.text(lang)).color(ui.visuals().warn_fg_color),
        );
        if ui.add(stop_button).clicked() {
            stop(tab, intents);
        }
    });
}

/// Stops what shows the screen: remote control and viewing.
fn stop(tab: &SessionTab, intents: &mut Vec<Intent>) {
    for action in [RemoteAction::RemoteControl, RemoteAction::ViewDesktop] {
        if matches!(
            tab.action(action),
            ActionState::Requested | ActionState::Granted
        ) {
            intents.push(Intent::StopAction {
                session_id: tab.session_id,
                action,
            });
        }
    }
}
