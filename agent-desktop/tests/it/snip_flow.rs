//! The screenshot tool (A9) as the agent uses it: drag a region of a frozen frame, annotate it
//! with the edit toolbar, take it with Done / double-click / Enter, or cancel with Esc or a
//! right-click. Drawn at 1 px per point, so frame px = points (plus the harness margin).

use egui::{Event, Modifiers, PointerButton, Pos2};
use egui_kittest::{
    kittest::{NodeT, Queryable},
    Harness,
};
use porpoise_agent::{
    snip::{grab::Frozen, raster::RgbaImage, SnipResult, SnipTool},
    ui::snip::{snip_button, snip_ui},
};
use porpoise_platform::capture::ScreenGeometry;
use porpoise_ui::Language;

const W: u32 = 640;
const H: u32 = 400;
const RED: [u8; 3] = [230, 30, 30];
/// The harness draws inside an 8 pt margin: frame pixel (x, y) is at point (x + 8, y + 8).
const MARGIN: f32 = 8.0;

fn pt((x, y): (f32, f32)) -> Pos2 {
    Pos2::new(x + MARGIN, y + MARGIN)
}

/// The frame's pixel (x, y) is (x mod 256, y mod 256, 128).
fn frame_pixel(x: u32, y: u32) -> [u8; 3] {
    [x as u8, y as u8, 128]
}

fn frozen() -> Frozen {
    let mut rgba = Vec::new();
    for y in 0..H {
        for x in 0..W {
            let [r, g, b] = frame_pixel(x, y);
            rgba.extend_from_slice(&[r, g, b, 255]);
        }
    }
    Frozen {
        image: RgbaImage::new(W, H, rgba).expect("image"),
        monitor: ScreenGeometry {
            x: 0,
            y: 0,
            width: W,
            height: H,
        },
    }
}

fn harness() -> Harness<'static, SnipTool> {
    let mut tool = SnipTool::default();
    tool.open_with(frozen());
    Harness::builder()
        .with_size([W as f32 + 2.0 * MARGIN, H as f32 + 2.0 * MARGIN])
        .with_max_steps(20)
        // Each event is a frame: short frames so that two clicks make a double-click.
        .with_step_dt(1.0 / 60.0)
        .with_context_setup(porpoise_ui::install_fonts)
        .build_ui_state(
            |ui, tool: &mut SnipTool| {
                tool.poll();
                snip_ui(ui, Language::En, tool);
            },
            tool,
        )
}

fn button(harness: &mut Harness<'_, SnipTool>, pos: Pos2, button: PointerButton, pressed: bool) {
    harness.event(Event::PointerButton {
        pos,
        button,
        pressed,
        modifiers: Modifiers::NONE,
    });
}

fn drag(harness: &mut Harness<'_, SnipTool>, from: (f32, f32), to: (f32, f32)) {
    let (from, to) = (pt(from), pt(to));
    harness.event(Event::PointerMoved(from));
    harness.step();
    button(harness, from, PointerButton::Primary, true);
    harness.step();
    for t in [0.25, 0.5, 1.0] {
        harness.event(Event::PointerMoved(from.lerp(to, t)));
        harness.step();
    }
    button(harness, to, PointerButton::Primary, false);
    harness.run();
}

fn click_at(harness: &mut Harness<'_, SnipTool>, at: (f32, f32), which: PointerButton) {
    let at = pt(at);
    harness.event(Event::PointerMoved(at));
    harness.step();
    button(harness, at, which, true);
    harness.step();
    button(harness, at, which, false);
    harness.run();
}

fn double_click(harness: &mut Harness<'_, SnipTool>, at: (f32, f32)) {
    let at = pt(at);
    harness.event(Event::PointerMoved(at));
    harness.step();
    for _ in 0..2 {
        button(harness, at, PointerButton::Primary, true);
        button(harness, at, PointerButton::Primary, false);
        harness.step();
    }
    harness.run();
}

fn key(harness: &mut Harness<'_, SnipTool>, key: egui::Key) {
    for pressed in [true, false] {
        harness.event(Event::Key {
            key,
            physical_key: None,
            pressed,
            repeat: false,
            modifiers: Modifiers::NONE,
        });
    }
    harness.run();
}

/// Steps until the encoder thread delivered the image (it repaints when done).
fn wait_for_result(harness: &mut Harness<'_, SnipTool>) -> SnipResult {
    for _ in 0..500 {
        harness.step();
        if !harness.state().is_active() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert_eq!(harness.state().error(), None);
    harness
        .state_mut()
        .take_result()
        .expect("a screenshot was taken")
}

fn decode(result: &SnipResult) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::Cursor::new(result.png.clone()));
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buf).expect("png frame");
    assert_eq!(info.color_type, png::ColorType::Rgba);
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

fn rgb(image: &(u32, u32, Vec<u8>), x: u32, y: u32) -> [u8; 3] {
    let i = ((y * image.0 + x) * 4) as usize;
    [image.2[i], image.2[i + 1], image.2[i + 2]]
}

#[test]
fn rectangle_undo_and_done_give_a_png_of_the_selected_region() {
    let mut harness = harness();
    drag(&mut harness, (50.0, 40.0), (250.0, 190.0));
    harness.get_by_label("Rectangle").click();
    harness.run();
    drag(&mut harness, (70.0, 60.0), (150.0, 120.0));
    drag(&mut harness, (160.0, 60.0), (200.0, 100.0));
    harness.get_by_label("Undo").click();
    harness.run();
    harness.get_by_label("Done").click();
    harness.run();
    let result = wait_for_result(&mut harness);
    assert_eq!((result.width, result.height), (200, 150));
    let image = decode(&result);
    assert_eq!((image.0, image.1), (200, 150));
    assert_eq!(
        rgb(&image, 0, 0),
        frame_pixel(50, 40),
        "the region's top-left"
    );
    assert_eq!(
        rgb(&image, 199, 149),
        frame_pixel(249, 189),
        "its bottom-right"
    );
    assert_eq!(rgb(&image, 20, 20), RED, "the rectangle's corner");
    assert_eq!(rgb(&image, 99, 50), RED, "its right edge");
    assert_eq!(
        rgb(&image, 50, 50),
        frame_pixel(100, 90),
        "unchanged inside it"
    );
    assert_eq!(
        rgb(&image, 110, 20),
        frame_pixel(160, 60),
        "the undone one is gone"
    );
    assert_eq!(
        rgb(&image, 149, 59),
        frame_pixel(199, 99),
        "the undone one is gone"
    );
}

#[test]
fn double_click_inside_the_selection_takes_it_with_an_arrow() {
    let mut harness = harness();
    drag(&mut harness, (100.0, 100.0), (300.0, 200.0));
    harness.get_by_label("Arrow").click();
    harness.run();
    harness.get_by_label("Blue").click();
    harness.run();
    drag(&mut harness, (110.0, 150.0), (280.0, 150.0));
    double_click(&mut harness, (150.0, 120.0));
    let image = decode(&wait_for_result(&mut harness));
    assert_eq!((image.0, image.1), (200, 100));
    assert_eq!(
        rgb(&image, 10, 50),
        [30, 110, 240],
        "the arrow's tail, in blue"
    );
    assert_eq!(rgb(&image, 100, 50), [30, 110, 240], "its middle");
    assert_eq!(
        rgb(&image, 100, 40),
        frame_pixel(200, 140),
        "untouched beside it"
    );
}

#[test]
fn typed_text_is_drawn_into_the_image() {
    let mut harness = harness();
    drag(&mut harness, (100.0, 100.0), (300.0, 200.0));
    harness.get_by_label("Text").click();
    harness.run();
    click_at(&mut harness, (120.0, 120.0), PointerButton::Primary);
    harness.event(Event::Text("看这里 here".into()));
    harness.run();
    key(&mut harness, egui::Key::Enter);
    // A double-click with the Text tool still takes the screenshot (no empty text is left).
    double_click(&mut harness, (250.0, 180.0));
    let image = decode(&wait_for_result(&mut harness));
    assert_eq!((image.0, image.1), (200, 100));
    let changed_in_box = (20..120)
        .flat_map(|x| (20..45).map(move |y| (x, y)))
        .filter(|&(x, y)| rgb(&image, x, y) != frame_pixel(x + 100, y + 100))
        .count();
    assert!(
        changed_in_box > 150,
        "text drawn: {changed_in_box} px changed"
    );
    let changed_below = (0..200)
        .flat_map(|x| (50..100).map(move |y| (x, y)))
        .filter(|&(x, y)| rgb(&image, x, y) != frame_pixel(x + 100, y + 100))
        .count();
    assert_eq!(changed_below, 0, "nothing drawn outside the text's line");
}

#[test]
fn escape_and_right_click_cancel_and_take_nothing() {
    let mut h = harness();
    drag(&mut h, (50.0, 40.0), (250.0, 190.0));
    key(&mut h, egui::Key::Escape);
    assert!(!h.state().is_active(), "Esc closed the tool");
    assert_eq!(h.state_mut().take_result(), None);

    let mut h = harness();
    drag(&mut h, (50.0, 40.0), (250.0, 190.0));
    click_at(&mut h, (100.0, 100.0), PointerButton::Secondary);
    assert!(!h.state().is_active(), "right-click closed the tool");
    assert_eq!(h.state_mut().take_result(), None);

    let mut h = harness();
    drag(&mut h, (50.0, 40.0), (250.0, 190.0));
    h.get_by_label("Cancel").click();
    h.run();
    assert!(!h.state().is_active(), "Cancel closed the tool");
}

#[test]
fn the_button_is_disabled_while_the_tool_runs_and_hands_over_the_result() {
    let mut tool = SnipTool::default();
    tool.open_with(frozen());
    let mut harness = Harness::builder().with_size([300.0, 100.0]).build_ui_state(
        |ui, state: &mut (SnipTool, Option<SnipResult>)| {
            if let Some(result) = snip_button(ui, Language::En, &mut state.0) {
                state.1 = Some(result);
            }
        },
        (tool, None),
    );
    harness.run();
    assert!(
        harness
            .get_by_label("Snip & send")
            .accesskit_node()
            .is_disabled(),
        "no second screenshot while one is open"
    );
    let open = harness.state_mut().0.open_mut().expect("open");
    for input in [
        porpoise_agent::snip::SnipInput::Press {
            at: porpoise_agent::snip::PxPoint::new(0, 0),
            button: porpoise_agent::snip::Button::Primary,
        },
        porpoise_agent::snip::SnipInput::Release {
            at: porpoise_agent::snip::PxPoint::new(10, 8),
        },
    ] {
        open.snip.apply(input);
    }
    assert_eq!(open.snip.done(), porpoise_agent::snip::Step::Take);
    let ctx = harness.ctx.clone();
    harness
        .state_mut()
        .0
        .finish(&ctx, &porpoise_agent::ui::snip::EguiText(&ctx));
    for _ in 0..500 {
        harness.state_mut().0.poll();
        harness.step();
        if harness.state().1.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let result = harness.state().1.clone().expect("handed over");
    assert_eq!((result.width, result.height), (10, 8));
    harness.run();
    assert!(!harness
        .get_by_label("Snip & send")
        .accesskit_node()
        .is_disabled());
}
