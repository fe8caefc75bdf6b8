//! The remote demo window (C6 远程演示): the agent's screen in its own window, fitted to the
//! window (the default) or at actual size with scroll bars.

use egui::{Color32, ViewportBuilder, ViewportId};
use porpoise_protocol::wire::SessionId;
use porpoise_ui::screen_view::{fit_rect, ScreenFeed, ScreenTexture};

use crate::i18n::Tr;

/// Initial size of the demo window, in points.
pub const DEMO_WINDOW_SIZE: [f32; 2] = [960.0, 600.0];

/// The state of the remote demo window.
#[derive(Debug)]
pub struct DemoWindow {
    /// Session the demo belongs to.
    pub session_id: SessionId,
    /// The agent's screen.
    pub view: ScreenTexture,
    /// Fit the image to the window (true) or show it at actual size.
    pub fit: bool,
    /// Set when the stream ended: `Some(None)` cleanly, `Some(Some(e))` with an error.
    pub ended: Option<Option<String>>,
    /// The customer closed the window.
    pub closed: bool,
}

impl DemoWindow {
    /// A window showing `feed`.
    pub fn new(session_id: SessionId, feed: std::sync::Arc<ScreenFeed>) -> Self {
        Self {
            session_id,
            view: ScreenTexture::new(feed, "agent-screen"),
            fit: true,
            ended: None,
            closed: false,
        }
    }
}

/// Shows the demo window (a separate native window; embedded where viewports are not
/// supported, e.g. in tests).
pub fn demo_viewport(ctx: &egui::Context, tr: Tr, demo: &mut DemoWindow) {
    if demo.closed {
        return;
    }
    let builder = ViewportBuilder::default()
        .with_title(tr.demo_title())
        .with_inner_size(DEMO_WINDOW_SIZE);
    ctx.show_viewport_immediate(ViewportId::from_hash_of("remote-demo"), builder, |ui, _| {
        if ui.ctx().input(|i| i.viewport().close_requested()) {
            demo.closed = true;
        }
        demo_ui(ui, tr, demo);
    });
}

/// The window's content: a toolbar and the image.
pub fn demo_ui(ui: &mut egui::Ui, tr: Tr, demo: &mut DemoWindow) {
    let now = ui.input(|i| i.time);
    // Stills are never requested here.
    let _ = demo.view.sync(ui.ctx(), now);
    egui::Panel::top("demo-toolbar").show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.selectable_value(&mut demo.fit, true, tr.demo_fit());
            ui.selectable_value(&mut demo.fit, false, tr.demo_actual_size());
            if let Some(ended) = &demo.ended {
                let text = match ended {
                    Some(e) => format!("{} {e}", tr.demo_ended()),
                    None => tr.demo_ended().to_owned(),
                };
                ui.label(text);
                if ui.button(tr.demo_close()).clicked() {
                    demo.closed = true;
                }
            }
        });
    });
    egui::CentralPanel::default().show(ui, |ui| {
        let Some(texture) = demo.view.texture() else {
            ui.centered_and_justified(|ui| ui.label(tr.demo_waiting()));
            return;
        };
        let _ = texture;
        if demo.fit {
            let area = ui.available_rect_before_wrap();
            let response = ui.allocate_rect(area, egui::Sense::hover());
            response.widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::Image, true, tr.demo_image())
            });
            let painter = ui.painter_at(area);
            painter.rect_filled(area, 0.0, Color32::from_gray(24));
            demo.view
                .paint(&painter, fit_rect(area, demo.view.size), None);
        } else {
            egui::ScrollArea::both().show(ui, |ui| {
                let [w, h] = demo.view.size;
                let size = egui::vec2(w as f32, h as f32) / ui.ctx().pixels_per_point();
                let (rect, response) = ui.allocate_exact_size(size, egui::Sense::hover());
                response.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::Image, true, tr.demo_image())
                });
                demo.view.paint(ui.painter(), rect, None);
            });
        }
    });
    if demo.ended.is_none() {
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(16));
    }
}
