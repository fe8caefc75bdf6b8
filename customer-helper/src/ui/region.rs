//! Drawing the region screenshot (C4 截图): a borderless, full-screen, always-on-top window over
//! the monitor the helper is on, showing the frozen screen dimmed, the selected region bright
//! with its size in px, and a hint. The selection logic is [`crate::region::RegionSelect`];
//! this file turns egui input into [`RegionInput`]s and draws.

use egui::{
    Align2, Color32, FontId, PointerButton, Pos2, Rect, Sense, Stroke, StrokeKind, TextureOptions,
    Vec2, ViewportBuilder, ViewportId,
};

use crate::{
    i18n::Tr,
    region::{PxRect, RegionInput, RegionSelect, RegionShot, RegionStep},
};

/// Alpha of the dimming outside the selection (0–255).
pub const DIM_ALPHA: u8 = 130;
/// Colour of the selection border.
pub const SELECTION_COLOR: Color32 = Color32::from_rgb(0, 150, 255);
/// Width of the selection border, points.
pub const SELECTION_STROKE_PT: f32 = 1.5;

/// The centre of the helper's window on the desktop, px (`None` where the platform does not
/// tell, e.g. Wayland).
pub fn window_center_px(ctx: &egui::Context) -> Option<(i32, i32)> {
    ctx.input(|i| {
        let info = i.viewport();
        let ppp = info.native_pixels_per_point.unwrap_or(1.0);
        info.outer_rect.map(|r| {
            let c = r.center();
            ((c.x * ppp).round() as i32, (c.y * ppp).round() as i32)
        })
    })
}

/// Collects finished work of the screenshot and, while it is open, shows its full-screen
/// window (embedded where viewports are not supported, e.g. in tests). Call once per frame.
pub fn region_viewport(ctx: &egui::Context, tr: Tr, shot: &mut RegionShot) {
    shot.poll();
    let Some(open) = shot.open_mut() else {
        return;
    };
    let g = open.frozen.monitor;
    let ppp = ctx
        .input(|i| i.viewport().native_pixels_per_point)
        .unwrap_or(1.0);
    let builder = ViewportBuilder::default()
        .with_title(tr.region_title())
        .with_decorations(false)
        .with_resizable(false)
        .with_taskbar(false)
        .with_always_on_top()
        .with_position(Pos2::new(g.x as f32 / ppp, g.y as f32 / ppp))
        .with_inner_size(Vec2::new(g.width as f32 / ppp, g.height as f32 / ppp))
        .with_fullscreen(true);
    ctx.show_viewport_immediate(ViewportId::from_hash_of("region-shot"), builder, |ui, _| {
        if ui.input(|i| i.viewport().close_requested()) {
            shot.close();
            return;
        }
        egui::CentralPanel::no_frame().show(ui, |ui| region_ui(ui, tr, shot));
    });
}

/// Where the frame is drawn: `rect` in points, `pt_per_px` points per frame pixel.
struct View {
    rect: Rect,
    pt_per_px: f32,
}

impl View {
    fn px(&self, p: Pos2) -> (i32, i32) {
        let v = (p - self.rect.min) / self.pt_per_px;
        (v.x.round() as i32, v.y.round() as i32)
    }

    fn pt_rect(&self, r: PxRect) -> Rect {
        let at = |x: u32, y: u32| self.rect.min + Vec2::new(x as f32, y as f32) * self.pt_per_px;
        Rect::from_min_max(at(r.x, r.y), at(r.x + r.width, r.y + r.height))
    }
}

/// The window's content: the frozen frame fitted into the space, the selection and the hint;
/// applies the customer's input.
pub fn region_ui(ui: &mut egui::Ui, tr: Tr, shot: &mut RegionShot) {
    let ctx = ui.ctx().clone();
    let Some(open) = shot.open_mut() else {
        return;
    };
    let (w, h) = open.select.size();
    let texture = open
        .texture
        .get_or_insert_with(|| {
            let image = egui::ColorImage::from_rgba_unmultiplied(
                [w as usize, h as usize],
                &open.frozen.rgba,
            );
            ctx.load_texture("region-frame", image, TextureOptions::NEAREST)
        })
        .clone();
    let room = ui.max_rect();
    let scale = (room.width() / w.max(1) as f32).min(room.height() / h.max(1) as f32);
    let rect = Rect::from_center_size(room.center(), Vec2::new(w as f32, h as f32) * scale);
    let view = View {
        rect,
        pt_per_px: scale.max(f32::EPSILON),
    };
    let response = ui.allocate_rect(view.rect, Sense::click_and_drag());
    let step = apply_input(ui, &response, &view, &mut open.select);
    let painter = ui.painter_at(view.rect);
    painter.image(
        texture.id(),
        view.rect,
        Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0)),
        Color32::WHITE,
    );
    draw(&painter, tr, &view, &open.select);
    match step {
        RegionStep::Take(r) => shot.take(&ctx, r),
        RegionStep::Cancel => shot.close(),
        RegionStep::Stay => {}
    }
}

/// Mouse and keys → inputs of the selection; the first step that is not `Stay` wins.
fn apply_input(
    ui: &egui::Ui,
    response: &egui::Response,
    view: &View,
    select: &mut RegionSelect,
) -> RegionStep {
    let mut inputs = Vec::new();
    let latest = ui.input(|i| i.pointer.latest_pos());
    if response.drag_started_by(PointerButton::Primary) {
        if let Some(p) = ui.input(|i| i.pointer.press_origin()) {
            let (x, y) = view.px(p);
            inputs.push(RegionInput::Press(x, y));
        }
    }
    if response.dragged_by(PointerButton::Primary) {
        if let Some(p) = latest {
            let (x, y) = view.px(p);
            inputs.push(RegionInput::Drag(x, y));
        }
    }
    if response.drag_stopped_by(PointerButton::Primary) {
        if let Some(p) = latest {
            let (x, y) = view.px(p);
            inputs.push(RegionInput::Release(x, y));
        }
    }
    if response.double_clicked() {
        inputs.push(RegionInput::DoubleClick);
    }
    if response.secondary_clicked() {
        inputs.push(RegionInput::SecondaryClick);
    }
    let (escape, enter) = ui.input(|i| {
        (
            i.key_pressed(egui::Key::Escape),
            i.key_pressed(egui::Key::Enter),
        )
    });
    if escape {
        inputs.push(RegionInput::Escape);
    }
    if enter {
        inputs.push(RegionInput::Enter);
    }
    let mut step = RegionStep::Stay;
    for input in inputs {
        let next = select.apply(input);
        if step == RegionStep::Stay {
            step = next;
        }
    }
    step
}

/// The dimmed outside, the border, the size label and the hint.
fn draw(painter: &egui::Painter, tr: Tr, view: &View, select: &RegionSelect) {
    let dim = Color32::from_black_alpha(DIM_ALPHA);
    let full = view.rect;
    match select.current().filter(|r| r.width > 0 && r.height > 0) {
        None => {
            painter.rect_filled(full, 0.0, dim);
        }
        Some(sel) => {
            let r = view.pt_rect(sel);
            for part in [
                Rect::from_min_max(full.min, Pos2::new(full.max.x, r.min.y)),
                Rect::from_min_max(Pos2::new(full.min.x, r.max.y), full.max),
                Rect::from_min_max(Pos2::new(full.min.x, r.min.y), Pos2::new(r.min.x, r.max.y)),
                Rect::from_min_max(Pos2::new(r.max.x, r.min.y), Pos2::new(full.max.x, r.max.y)),
            ] {
                painter.rect_filled(part, 0.0, dim);
            }
            painter.rect_stroke(
                r,
                0.0,
                Stroke::new(SELECTION_STROKE_PT, SELECTION_COLOR),
                StrokeKind::Outside,
            );
            let size = format!("{} × {}", sel.width, sel.height);
            let (at, anchor) = if r.min.y - full.min.y > 24.0 {
                (r.min - Vec2::new(0.0, 4.0), Align2::LEFT_BOTTOM)
            } else {
                (r.min + Vec2::new(4.0, 4.0), Align2::LEFT_TOP)
            };
            label_box(painter, at, anchor, &size);
        }
    }
    let hint_at = Pos2::new(full.center().x, full.top() + 40.0);
    label_box(painter, hint_at, Align2::CENTER_TOP, tr.region_hint());
}

/// White text on a dark rounded box anchored at `at`.
fn label_box(painter: &egui::Painter, at: Pos2, anchor: Align2, text: &str) {
    let galley =
        painter.layout_no_wrap(text.to_owned(), FontId::proportional(13.0), Color32::WHITE);
    let rect = anchor.anchor_size(at, galley.size() + Vec2::new(12.0, 6.0));
    painter.rect_filled(rect, 4.0, Color32::from_black_alpha(200));
    painter.galley(rect.min + Vec2::new(6.0, 3.0), galley, Color32::WHITE);
}
