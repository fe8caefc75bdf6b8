//! Drawing the screenshot tool (A9 截图): a borderless, full-screen, always-on-top window over
//! the monitor the console is on, showing the frozen frame dimmed and the selected region
//! bright with its size in px, and the edit toolbar (Rectangle, Arrow, Text, colours, Undo,
//! Cancel, Done) under the selection.
//!
//! The selection logic is [`crate::snip::Snip`]; this file only turns egui input into
//! [`SnipInput`]s and draws. Hooks for the chat: [`snip_button`] (starts the tool and hands
//! over a taken image) and [`SNIP_SHORTCUT`] (Ctrl+Alt+A while the console has focus, as in
//! QQ), both handled by the app each frame through [`snip_viewport`] and [`snip_shortcut`].

use egui::{
    accesskit::Role, Align2, Color32, FontId, KeyboardShortcut, Modifiers, PointerButton, Pos2,
    Rect, RichText, Sense, Stroke, StrokeKind, TextureOptions, Vec2, ViewportBuilder, ViewportId,
};
use porpoise_ui::{screen_view::fit_rect, Language};

use crate::{
    i18n::Msg,
    snip::{
        raster::{arrow_geometry, TextMask, TextRasterizer},
        tool::OpenSnip,
        Annotation, Button, Phase, PxPoint, PxRect, SnipColor, SnipInput, SnipResult, SnipTool,
        Step, Tool, MAX_TEXT_CHARS, STROKE_PX, TEXT_SIZE_PX,
    },
};

/// Starts the screenshot tool while the console has focus: Ctrl+Alt+A.
pub const SNIP_SHORTCUT: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::CTRL.plus(Modifiers::ALT), egui::Key::A);
/// How dark the unselected part of the frame is drawn (alpha of black over it, 0–255).
pub const DIM_ALPHA: u8 = 130;
/// Colour of the selection's border.
pub const SELECTION_COLOR: Color32 = Color32::from_rgb(0, 150, 255);
/// Width of the selection's border, points.
pub const SELECTION_STROKE_PT: f32 = 1.5;
/// Gap between the selection and the edit toolbar, points.
pub const TOOLBAR_GAP_PT: f32 = 6.0;
/// Side of a colour swatch in the toolbar, points.
pub const SWATCH_PT: f32 = 18.0;

/// The chat's Screenshot button: starts the tool (disabled while it runs) and returns a taken
/// screenshot once, whichever way it was started (button or [`SNIP_SHORTCUT`]). A failure
/// (no display, capture error) is shown beside the button.
pub fn snip_button(ui: &mut egui::Ui, lang: Language, tool: &mut SnipTool) -> Option<SnipResult> {
    let label = if tool.is_grabbing() {
        Msg::SnipGrabbing
    } else {
        Msg::SnipButton
    };
    let button = ui
        .add_enabled(!tool.is_active(), egui::Button::new(label.text(lang)))
        .on_hover_text(Msg::SnipButtonHint.text(lang));
    if button.clicked() {
        tool.start(ui.ctx(), window_center_px(ui.ctx()));
    }
    if let Some(error) = tool.error() {
        ui.label(
            RichText::new(format!("{}{error}", Msg::SnipFailed.text(lang)))
                .color(ui.visuals().error_fg_color),
        );
    }
    tool.take_result()
}

/// Starts the tool on [`SNIP_SHORTCUT`] (consumed) in the console's window.
pub fn snip_shortcut(ctx: &egui::Context, tool: &mut SnipTool) {
    if ctx.input_mut(|i| i.consume_shortcut(&SNIP_SHORTCUT)) {
        tool.start(ctx, window_center_px(ctx));
    }
}

/// The centre of the console's window on the desktop, px (`None` where the platform does not
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

/// Collects finished work of the tool and, while it is open, shows its full-screen window
/// (embedded where viewports are not supported, e.g. in tests). Call once per frame.
pub fn snip_viewport(ctx: &egui::Context, lang: Language, tool: &mut SnipTool) {
    tool.poll();
    let Some(open) = tool.open_mut() else {
        return;
    };
    let g = open.frozen.monitor;
    let ppp = ctx
        .input(|i| i.viewport().native_pixels_per_point)
        .unwrap_or(1.0);
    let builder = ViewportBuilder::default()
        .with_title(Msg::SnipTitle.text(lang))
        .with_decorations(false)
        .with_resizable(false)
        .with_taskbar(false)
        .with_always_on_top()
        .with_position(Pos2::new(g.x as f32 / ppp, g.y as f32 / ppp))
        .with_inner_size(Vec2::new(g.width as f32 / ppp, g.height as f32 / ppp))
        .with_fullscreen(true);
    ctx.show_viewport_immediate(ViewportId::from_hash_of("snip"), builder, |ui, _| {
        if ui.input(|i| i.viewport().close_requested()) {
            tool.close();
            return;
        }
        egui::CentralPanel::no_frame().show(ui, |ui| snip_ui(ui, lang, tool));
    });
}

/// The tool's content: the frame fitted into the available space (the whole window when full
/// screen), the selection, the annotations and the toolbar; applies the agent's input.
pub fn snip_ui(ui: &mut egui::Ui, lang: Language, tool: &mut SnipTool) {
    let ctx = ui.ctx().clone();
    let Some(open) = tool.open_mut() else {
        return;
    };
    let (w, h) = open.snip.size();
    let texture = open
        .texture
        .get_or_insert_with(|| {
            let image = egui::ColorImage::from_rgba_unmultiplied(
                [w as usize, h as usize],
                open.frozen.image.rgba(),
            );
            ctx.load_texture("snip-frame", image, TextureOptions::NEAREST)
        })
        .clone();
    let view = View {
        rect: fit_rect(ui.max_rect(), [w as usize, h as usize]),
        pt_per_px: fit_rect(ui.max_rect(), [w as usize, h as usize]).width() / w.max(1) as f32,
    };
    let response = ui.allocate_rect(view.rect, Sense::click_and_drag());
    let mut step = pointer_input(ui, &response, &view, &mut open.snip);
    step = merge(step, key_input(ui, &mut open.snip));

    let painter = ui.painter_at(view.rect);
    painter.image(
        texture.id(),
        view.rect,
        Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0)),
        Color32::WHITE,
    );
    draw_selection(&painter, lang, &view, &open.snip);
    for a in open.snip.annotations() {
        draw_annotation(&painter, &view, a);
    }
    match open.snip.draft() {
        Some(Annotation::Text { .. }) | None => {}
        Some(shape) => draw_annotation(&painter, &view, &shape),
    }
    step = merge(step, text_entry_ui(ui, lang, &view, open));
    step = merge(step, toolbar_ui(ui, lang, &view, &mut open.snip));

    match step {
        Step::Take => tool.finish(&ctx, &EguiText(&ctx)),
        Step::Cancel => tool.close(),
        Step::Stay => {}
    }
}

fn merge(a: Step, b: Step) -> Step {
    match (a, b) {
        (Step::Cancel, _) | (_, Step::Cancel) => Step::Cancel,
        (Step::Take, _) | (_, Step::Take) => Step::Take,
        _ => Step::Stay,
    }
}

/// Where the frame is drawn: `rect` in points, `pt_per_px` points per frame pixel.
struct View {
    rect: Rect,
    pt_per_px: f32,
}

impl View {
    fn px_from_pt(&self, p: Pos2) -> PxPoint {
        let v = (p - self.rect.min) / self.pt_per_px;
        PxPoint::new(v.x.floor() as i32, v.y.floor() as i32)
    }

    fn pt_from_px(&self, x: f32, y: f32) -> Pos2 {
        self.rect.min + Vec2::new(x, y) * self.pt_per_px
    }

    fn pt_rect(&self, r: PxRect) -> Rect {
        Rect::from_min_max(
            self.pt_from_px(r.x as f32, r.y as f32),
            self.pt_from_px((r.x + r.width) as f32, (r.y + r.height) as f32),
        )
    }
}

/// Mouse on the frame → inputs of the state machine.
fn pointer_input(
    ui: &egui::Ui,
    response: &egui::Response,
    view: &View,
    snip: &mut crate::snip::Snip,
) -> Step {
    let mut inputs = Vec::new();
    let latest = ui.input(|i| i.pointer.latest_pos());
    let at = |p: Option<Pos2>| p.map(|p| view.px_from_pt(p));
    if response.drag_started_by(PointerButton::Primary) {
        if let Some(at) = at(ui.input(|i| i.pointer.press_origin())) {
            inputs.push(SnipInput::Press {
                at,
                button: Button::Primary,
            });
        }
    }
    if response.dragged_by(PointerButton::Primary) {
        if let Some(to) = at(latest) {
            inputs.push(SnipInput::Drag { to });
        }
    }
    if response.drag_stopped_by(PointerButton::Primary) {
        if let Some(at) = at(latest) {
            inputs.push(SnipInput::Release { at });
        }
    }
    if response.clicked() {
        if let Some(at) = at(response.interact_pointer_pos()) {
            inputs.push(SnipInput::Press {
                at,
                button: Button::Primary,
            });
            inputs.push(SnipInput::Release { at });
        }
    }
    // egui counts a click soon after a click elsewhere (e.g. on the toolbar) as a third one.
    if response.double_clicked() || response.triple_clicked() {
        if let Some(at) = at(response.interact_pointer_pos()) {
            inputs.push(SnipInput::DoubleClick { at });
        }
    }
    if response.secondary_clicked() {
        if let Some(at) = at(response.interact_pointer_pos()) {
            inputs.push(SnipInput::Press {
                at,
                button: Button::Secondary,
            });
        }
    }
    inputs
        .into_iter()
        .fold(Step::Stay, |step, input| merge(step, snip.apply(input)))
}

/// Esc and Enter. Typing itself goes through the text field ([`text_entry_ui`]).
fn key_input(ui: &egui::Ui, snip: &mut crate::snip::Snip) -> Step {
    let (escape, enter) = ui.input(|i| {
        (
            i.key_pressed(egui::Key::Escape),
            i.key_pressed(egui::Key::Enter),
        )
    });
    let mut step = Step::Stay;
    if escape {
        step = merge(step, snip.apply(SnipInput::Escape));
    }
    if enter {
        step = merge(step, snip.apply(SnipInput::Enter));
    }
    step
}

fn color32(c: SnipColor) -> Color32 {
    let [r, g, b, a] = c.rgba();
    Color32::from_rgba_unmultiplied(r, g, b, a)
}

/// The dimmed outside, the border and the size label; the hint while nothing is selected.
fn draw_selection(painter: &egui::Painter, lang: Language, view: &View, snip: &crate::snip::Snip) {
    let dim = Color32::from_black_alpha(DIM_ALPHA);
    let Some(sel) = snip.selection().filter(|r| r.width > 0 && r.height > 0) else {
        painter.rect_filled(view.rect, 0.0, dim);
        if matches!(snip.phase(), Phase::Choosing) {
            let at = Pos2::new(view.rect.center().x, view.rect.top() + 40.0);
            label_box(
                painter,
                at,
                Align2::CENTER_TOP,
                Msg::SnipDragHint.text(lang),
            );
        }
        return;
    };
    let r = view.pt_rect(sel);
    let full = view.rect;
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
    if r.min.y - full.min.y > 24.0 {
        label_box(
            painter,
            r.min - Vec2::new(0.0, 4.0),
            Align2::LEFT_BOTTOM,
            &size,
        );
    } else {
        label_box(
            painter,
            r.min + Vec2::new(4.0, 4.0),
            Align2::LEFT_TOP,
            &size,
        );
    }
}

/// White text on a dark rounded box anchored at `at`.
fn label_box(painter: &egui::Painter, at: Pos2, anchor: Align2, text: &str) {
    let galley =
        painter.layout_no_wrap(text.to_owned(), FontId::proportional(13.0), Color32::WHITE);
    let rect = anchor.anchor_size(at, galley.size() + Vec2::new(12.0, 6.0));
    painter.rect_filled(rect, 4.0, Color32::from_black_alpha(200));
    painter.galley(rect.min + Vec2::new(6.0, 3.0), galley, Color32::WHITE);
}

/// The on-screen preview of an annotation (the same geometry as the rasteriser).
fn draw_annotation(painter: &egui::Painter, view: &View, a: &Annotation) {
    let stroke_pt = STROKE_PX * view.pt_per_px;
    match a {
        Annotation::Rectangle { rect, color } => {
            painter.rect_stroke(
                view.pt_rect(*rect),
                0.0,
                Stroke::new(stroke_pt, color32(*color)),
                StrokeKind::Inside,
            );
        }
        Annotation::Arrow { from, to, color } => {
            if let Some(g) = arrow_geometry(*from, *to, STROKE_PX) {
                let pt = |(x, y): (f32, f32)| view.pt_from_px(x, y);
                let c = color32(*color);
                painter.line_segment([pt(g.tail), pt(g.shaft_end)], Stroke::new(stroke_pt, c));
                painter.add(egui::Shape::convex_polygon(
                    g.head.iter().map(|p| pt(*p)).collect(),
                    c,
                    Stroke::NONE,
                ));
            }
        }
        Annotation::Text { at, text, color } => {
            painter.text(
                view.pt_from_px(at.x as f32, at.y as f32),
                Align2::LEFT_TOP,
                text,
                FontId::proportional(TEXT_SIZE_PX * view.pt_per_px),
                color32(*color),
            );
        }
    }
}

/// While a text is typed: a frameless text field at its place (so that input methods, paste
/// and the caret work), in the chosen colour and size.
fn text_entry_ui(ui: &mut egui::Ui, lang: Language, view: &View, open: &mut OpenSnip) -> Step {
    let color = color32(open.snip.color());
    let Some((rect, at, text)) = open.snip.typing_mut() else {
        return Step::Stay;
    };
    let sel = view.pt_rect(rect);
    let pos = view.pt_from_px(at.x as f32, at.y as f32);
    let width = (sel.max.x - pos.x).max(TEXT_SIZE_PX * view.pt_per_px);
    let double_clicked = egui::Area::new(egui::Id::unique("snip-text"))
        .fixed_pos(pos)
        .order(egui::Order::Foreground)
        .show(ui.ctx(), |ui| {
            let edit = ui.add(
                egui::TextEdit::singleline(text)
                    .font(FontId::proportional(TEXT_SIZE_PX * view.pt_per_px))
                    .text_color(color)
                    .frame(egui::Frame::NONE)
                    .margin(egui::Margin::ZERO)
                    .char_limit(MAX_TEXT_CHARS)
                    .desired_width(width),
            );
            edit.widget_info(|| {
                egui::WidgetInfo::labeled(Role::TextInput, true, Msg::SnipText.text(lang))
            });
            if !edit.has_focus() {
                edit.request_focus();
            }
            // The field sits where the agent just clicked: the second click of a double-click
            // lands on it. With text in it, a double-click selects a word instead.
            (edit.double_clicked() || edit.triple_clicked()) && text.trim().is_empty()
        })
        .inner;
    if double_clicked {
        open.snip.apply(SnipInput::DoubleClick { at })
    } else {
        Step::Stay
    }
}

/// The edit toolbar under the selection (above its bottom edge when there is no room).
fn toolbar_ui(
    ui: &mut egui::Ui,
    lang: Language,
    view: &View,
    snip: &mut crate::snip::Snip,
) -> Step {
    let Phase::Selected { rect, .. } = snip.phase() else {
        return Step::Stay;
    };
    let r = view.pt_rect(*rect);
    let id = egui::Id::unique("snip-toolbar");
    // Last frame's size (zero on the first frame, when egui sizes the area invisibly).
    let size = ui
        .ctx()
        .memory(|m| m.area_rect(id))
        .map_or(Vec2::ZERO, |a| a.size());
    let below = view.rect.max.y - r.max.y > size.y + 2.0 * TOOLBAR_GAP_PT;
    let mut left_top = if below {
        Pos2::new(r.max.x - size.x, r.max.y + TOOLBAR_GAP_PT)
    } else {
        r.max - size - Vec2::splat(TOOLBAR_GAP_PT)
    };
    // Kept on the screen, whatever the selection.
    left_top.x = left_top
        .x
        .min(view.rect.max.x - size.x)
        .max(view.rect.min.x);
    left_top.y = left_top
        .y
        .min(view.rect.max.y - size.y)
        .max(view.rect.min.y);
    egui::Area::new(id)
        .fixed_pos(left_top)
        .order(egui::Order::Foreground)
        .show(ui.ctx(), |ui| {
            egui::Frame::popup(ui.style())
                .show(ui, |ui| {
                    ui.horizontal(|ui| toolbar_buttons(ui, lang, snip)).inner
                })
                .inner
        })
        .inner
}

fn toolbar_buttons(ui: &mut egui::Ui, lang: Language, snip: &mut crate::snip::Snip) -> Step {
    for (tool, msg) in [
        (Tool::Rectangle, Msg::SnipRectangle),
        (Tool::Arrow, Msg::SnipArrow),
        (Tool::Text, Msg::SnipText),
    ] {
        let chosen = snip.tool() == Some(tool);
        let b = ui.selectable_label(chosen, msg.text(lang));
        if b.clicked() {
            snip.choose_tool(if chosen { None } else { Some(tool) });
            b.surrender_focus();
        }
    }
    ui.separator();
    for color in SnipColor::ALL {
        swatch_ui(ui, lang, snip, color);
    }
    ui.separator();
    let undo = ui.add_enabled(
        !snip.annotations().is_empty() || snip.draft().is_some(),
        egui::Button::new(Msg::SnipUndo.text(lang)),
    );
    if undo.clicked() {
        snip.undo();
        undo.surrender_focus();
    }
    if ui.button(Msg::SnipCancel.text(lang)).clicked() {
        return snip.cancel();
    }
    if ui.button(Msg::SnipDone.text(lang)).clicked() {
        return snip.done();
    }
    Step::Stay
}

fn color_name(color: SnipColor) -> Msg {
    match color {
        SnipColor::Red => Msg::ColorRed,
        SnipColor::Yellow => Msg::ColorYellow,
        SnipColor::Green => Msg::ColorGreen,
        SnipColor::Blue => Msg::ColorBlue,
        SnipColor::Black => Msg::ColorBlack,
        SnipColor::White => Msg::ColorWhite,
    }
}

/// A colour swatch: a filled square, ringed when chosen; its accessible name is the colour.
fn swatch_ui(ui: &mut egui::Ui, lang: Language, snip: &mut crate::snip::Snip, color: SnipColor) {
    let name = color_name(color).text(lang);
    let chosen = snip.color() == color;
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(SWATCH_PT), Sense::click());
    response.widget_info(|| egui::WidgetInfo::selected(Role::Button, true, chosen, name));
    let response = response.on_hover_text(name);
    let painter = ui.painter();
    painter.rect_filled(rect.shrink(3.0), 2.0, color32(color));
    painter.rect_stroke(
        rect.shrink(3.0),
        2.0,
        Stroke::new(1.0, Color32::GRAY),
        StrokeKind::Outside,
    );
    if chosen {
        painter.rect_stroke(
            rect,
            3.0,
            Stroke::new(2.0, ui.visuals().selection.bg_fill),
            StrokeKind::Inside,
        );
    }
    if response.clicked() {
        snip.set_color(color);
        response.surrender_focus();
    }
}

/// Text masks from egui's own fonts (the bundled CJK subset included, see
/// [`porpoise_ui::install_fonts`]): the text is laid out at the window's pixel density
/// and its glyphs are copied out of the font atlas, so the taken image matches the preview.
pub struct EguiText<'a>(pub &'a egui::Context);

impl TextRasterizer for EguiText<'_> {
    fn mask(&self, text: &str, size_px: f32) -> Option<TextMask> {
        let ctx = self.0;
        let ppp = ctx.pixels_per_point();
        let galley = ctx.fonts_mut(|f| {
            f.layout_no_wrap(
                text.to_owned(),
                FontId::proportional(size_px / ppp),
                Color32::WHITE,
            )
        });
        let atlas = ctx.fonts(|f| f.image());
        let width = (galley.size().x * ppp).ceil() as u32 + 1;
        let height = (galley.size().y * ppp).ceil() as u32 + 1;
        let mut alpha = vec![0u8; width as usize * height as usize];
        let mut drawn = false;
        for row in &galley.rows {
            for glyph in &row.row.glyphs {
                let uv = glyph.uv_rect;
                if uv.is_nothing() {
                    continue;
                }
                let left_top = (row.pos + glyph.pos.to_vec2() + uv.offset) * ppp;
                let (x0, y0) = (left_top.x.round() as i64, left_top.y.round() as i64);
                for ty in uv.min[1]..uv.max[1] {
                    for tx in uv.min[0]..uv.max[0] {
                        let a = atlas
                            .pixels
                            .get(ty as usize * atlas.size[0] + tx as usize)
                            .map_or(0, |c| c.a());
                        let x = x0 + i64::from(tx - uv.min[0]);
                        let y = y0 + i64::from(ty - uv.min[1]);
                        if a == 0
                            || x < 0
                            || y < 0
                            || x >= i64::from(width)
                            || y >= i64::from(height)
                        {
                            continue;
                        }
                        let i = y as usize * width as usize + x as usize;
                        alpha[i] = alpha[i].max(a);
                        drawn = true;
                    }
                }
            }
        }
        drawn.then_some(TextMask {
            width,
            height,
            alpha,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn egui_text_masks_cover_latin_and_chinese() {
        let ctx = egui::Context::default();
        porpoise_ui::install_fonts(&ctx);
        let mut masks = Vec::new();
        let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
            let text = EguiText(ui.ctx());
            masks.push(text.mask("Hi 你好", 20.0));
            masks.push(text.mask("   ", 20.0));
        });
        output.textures_delta.clear();
        let mask = masks[0].as_ref().expect("glyphs drawn");
        assert!(mask.height >= 20 && mask.height < 40, "{mask:?}");
        assert!(mask.width > 40, "{mask:?}");
        // The Chinese characters are in the right half of the mask and drawn.
        let right_half: u32 = mask
            .alpha
            .chunks(mask.width as usize)
            .flat_map(|row| row[mask.width as usize / 2..].iter())
            .map(|&a| u32::from(a))
            .sum();
        assert!(right_half > 255 * 20, "Chinese glyphs drawn: {right_half}");
        assert!(masks[1].is_none(), "spaces draw nothing");
    }
}
