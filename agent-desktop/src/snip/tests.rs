//! The selection state machine: what an agent's presses, drags, clicks and keys do.

use super::*;

fn p(x: i32, y: i32) -> PxPoint {
    PxPoint::new(x, y)
}

fn drag(snip: &mut Snip, from: PxPoint, to: PxPoint) -> Step {
    let mut step = snip.apply(SnipInput::Press {
        at: from,
        button: Button::Primary,
    });
    let mid = p((from.x + to.x) / 2, (from.y + to.y) / 2);
    for input in [SnipInput::Drag { to: mid }, SnipInput::Drag { to }] {
        step = snip.apply(input);
    }
    assert_eq!(step, Step::Stay);
    snip.apply(SnipInput::Release { at: to })
}

fn click(snip: &mut Snip, at: PxPoint) {
    snip.apply(SnipInput::Press {
        at,
        button: Button::Primary,
    });
    snip.apply(SnipInput::Release { at });
}

fn rect(x: u32, y: u32, width: u32, height: u32) -> PxRect {
    PxRect {
        x,
        y,
        width,
        height,
    }
}

#[test]
fn dragging_selects_the_region_between_press_and_release() {
    let mut snip = Snip::new(800, 600);
    snip.apply(SnipInput::Press {
        at: p(110, 60),
        button: Button::Primary,
    });
    snip.apply(SnipInput::Drag { to: p(50, 20) });
    assert_eq!(
        snip.selection(),
        Some(rect(50, 20, 60, 40)),
        "shown while dragging"
    );
    snip.apply(SnipInput::Release { at: p(10, 10) });
    assert_eq!(snip.selection(), Some(rect(10, 10, 100, 50)));
    assert!(matches!(snip.phase(), Phase::Selected { .. }));
}

#[test]
fn selection_is_clamped_to_the_frame() {
    let mut snip = Snip::new(800, 600);
    drag(&mut snip, p(700, 500), p(2000, -40));
    assert_eq!(snip.selection(), Some(rect(700, 0, 100, 500)));
}

#[test]
fn a_click_or_tiny_drag_selects_nothing_and_keeps_the_previous_selection() {
    let mut snip = Snip::new(800, 600);
    click(&mut snip, p(5, 5));
    assert_eq!(snip.phase(), &Phase::Choosing);
    drag(&mut snip, p(5, 5), p(7, 100));
    assert_eq!(snip.phase(), &Phase::Choosing, "2 px wide is too small");
    drag(&mut snip, p(10, 10), p(110, 60));
    click(&mut snip, p(300, 300));
    assert_eq!(snip.selection(), Some(rect(10, 10, 100, 50)));
}

#[test]
fn dragging_again_without_a_tool_selects_anew() {
    let mut snip = Snip::new(800, 600);
    drag(&mut snip, p(10, 10), p(110, 60));
    drag(&mut snip, p(200, 200), p(300, 250));
    assert_eq!(snip.selection(), Some(rect(200, 200, 100, 50)));
}

#[test]
fn double_click_inside_the_selection_takes_it_outside_does_nothing() {
    let mut snip = Snip::new(800, 600);
    drag(&mut snip, p(10, 10), p(110, 60));
    assert_eq!(
        snip.apply(SnipInput::DoubleClick { at: p(500, 500) }),
        Step::Stay
    );
    assert_eq!(snip.taken(), None);
    assert_eq!(
        snip.apply(SnipInput::DoubleClick { at: p(50, 30) }),
        Step::Take
    );
    let (taken, annotations) = snip.taken().expect("taken");
    assert_eq!(taken, rect(10, 10, 100, 50));
    assert!(annotations.is_empty());
    assert_eq!(
        snip.apply(SnipInput::Escape),
        Step::Stay,
        "nothing happens after taking"
    );
}

#[test]
fn double_click_before_selecting_takes_nothing() {
    let mut snip = Snip::new(800, 600);
    assert_eq!(
        snip.apply(SnipInput::DoubleClick { at: p(5, 5) }),
        Step::Stay
    );
    assert_eq!(snip.apply(SnipInput::Enter), Step::Stay);
    assert_eq!(snip.done(), Step::Stay);
}

#[test]
fn escape_and_right_click_cancel_at_any_point() {
    let mut snip = Snip::new(800, 600);
    assert_eq!(snip.apply(SnipInput::Escape), Step::Cancel);
    assert_eq!(snip.phase(), &Phase::Cancelled);
    assert_eq!(snip.taken(), None);

    let mut snip = Snip::new(800, 600);
    drag(&mut snip, p(10, 10), p(110, 60));
    let right = SnipInput::Press {
        at: p(50, 30),
        button: Button::Secondary,
    };
    assert_eq!(snip.apply(right), Step::Cancel);
    assert_eq!(snip.taken(), None);
}

#[test]
fn enter_takes_the_selection() {
    let mut snip = Snip::new(800, 600);
    drag(&mut snip, p(10, 10), p(110, 60));
    assert_eq!(snip.apply(SnipInput::Enter), Step::Take);
    assert_eq!(snip.taken().map(|t| t.0), Some(rect(10, 10, 100, 50)));
}

#[test]
fn with_a_tool_drags_draw_inside_the_selection_and_undo_removes_them() {
    let mut snip = Snip::new(800, 600);
    drag(&mut snip, p(100, 100), p(300, 200));
    snip.choose_tool(Some(Tool::Rectangle));
    drag(&mut snip, p(120, 120), p(400, 150));
    assert_eq!(
        snip.annotations(),
        &[Annotation::Rectangle {
            rect: rect(120, 120, 179, 30),
            color: SnipColor::Red
        }],
        "clamped to the selection"
    );
    assert_eq!(
        snip.selection(),
        Some(rect(100, 100, 200, 100)),
        "the selection stays"
    );
    snip.choose_tool(Some(Tool::Arrow));
    snip.set_color(SnipColor::Blue);
    drag(&mut snip, p(150, 180), p(250, 110));
    assert_eq!(
        snip.annotations()[1],
        Annotation::Arrow {
            from: p(150, 180),
            to: p(250, 110),
            color: SnipColor::Blue
        }
    );
    // A press outside the selection does nothing while a tool is chosen.
    drag(&mut snip, p(500, 500), p(600, 550));
    assert_eq!(snip.annotations().len(), 2);
    assert_eq!(snip.selection(), Some(rect(100, 100, 200, 100)));
    // Too small to keep.
    drag(&mut snip, p(150, 150), p(152, 151));
    assert_eq!(snip.annotations().len(), 2);

    snip.undo();
    assert_eq!(snip.annotations().len(), 1);
    assert_eq!(snip.done(), Step::Take);
    let (_, annotations) = snip.taken().expect("taken");
    assert!(matches!(annotations, [Annotation::Rectangle { .. }]));
}

#[test]
fn the_draft_is_shown_while_dragging() {
    let mut snip = Snip::new(800, 600);
    drag(&mut snip, p(100, 100), p(300, 200));
    snip.choose_tool(Some(Tool::Arrow));
    snip.apply(SnipInput::Press {
        at: p(110, 110),
        button: Button::Primary,
    });
    snip.apply(SnipInput::Drag { to: p(200, 150) });
    assert_eq!(
        snip.draft(),
        Some(Annotation::Arrow {
            from: p(110, 110),
            to: p(200, 150),
            color: SnipColor::Red
        })
    );
    assert!(snip.annotations().is_empty());
}

#[test]
fn text_is_typed_at_a_click_and_ends_with_enter() {
    let mut snip = Snip::new(800, 600);
    drag(&mut snip, p(100, 100), p(300, 200));
    snip.choose_tool(Some(Tool::Text));
    click(&mut snip, p(120, 130));
    snip.apply(SnipInput::Text("这里\t出错x".into()));
    snip.apply(SnipInput::Backspace);
    assert_eq!(
        snip.draft(),
        Some(Annotation::Text {
            at: p(120, 130),
            text: "这里出错".into(),
            color: SnipColor::Red
        }),
        "control characters dropped, backspace removes one character"
    );
    assert_eq!(
        snip.apply(SnipInput::Enter),
        Step::Stay,
        "Enter ends the text"
    );
    assert_eq!(snip.draft(), None);
    assert_eq!(snip.annotations().len(), 1);
    assert_eq!(
        snip.apply(SnipInput::Enter),
        Step::Take,
        "a second Enter takes"
    );
}

#[test]
fn escape_while_typing_drops_the_text_only() {
    let mut snip = Snip::new(800, 600);
    drag(&mut snip, p(100, 100), p(300, 200));
    snip.choose_tool(Some(Tool::Text));
    click(&mut snip, p(120, 130));
    snip.apply(SnipInput::Text("oops".into()));
    assert_eq!(snip.apply(SnipInput::Escape), Step::Stay);
    assert!(snip.annotations().is_empty());
    assert_eq!(snip.apply(SnipInput::Escape), Step::Cancel);
}

#[test]
fn double_click_with_the_text_tool_takes_without_empty_text() {
    let mut snip = Snip::new(800, 600);
    drag(&mut snip, p(100, 100), p(300, 200));
    snip.choose_tool(Some(Tool::Text));
    click(&mut snip, p(120, 130));
    snip.apply(SnipInput::Text("ok".into()));
    // A double-click elsewhere: first click ends "ok", the second starts an empty text.
    click(&mut snip, p(200, 150));
    click(&mut snip, p(200, 150));
    assert_eq!(
        snip.apply(SnipInput::DoubleClick { at: p(200, 150) }),
        Step::Take
    );
    let (_, annotations) = snip.taken().expect("taken");
    assert_eq!(
        annotations,
        &[Annotation::Text {
            at: p(120, 130),
            text: "ok".into(),
            color: SnipColor::Red
        }]
    );
}

#[test]
fn text_is_limited_and_undo_drops_the_typed_text_first() {
    let mut snip = Snip::new(800, 600);
    drag(&mut snip, p(100, 100), p(300, 200));
    snip.choose_tool(Some(Tool::Rectangle));
    drag(&mut snip, p(110, 110), p(150, 150));
    snip.choose_tool(Some(Tool::Text));
    click(&mut snip, p(120, 130));
    snip.apply(SnipInput::Text("字".repeat(MAX_TEXT_CHARS + 10)));
    let Some(Annotation::Text { text, .. }) = snip.draft() else {
        panic!("typing");
    };
    assert_eq!(text.chars().count(), MAX_TEXT_CHARS);
    snip.undo();
    assert_eq!(snip.draft(), None);
    assert_eq!(snip.annotations().len(), 1, "the rectangle stays");
    snip.undo();
    assert!(snip.annotations().is_empty());
}

#[test]
fn choosing_another_tool_keeps_the_typed_text() {
    let mut snip = Snip::new(800, 600);
    drag(&mut snip, p(100, 100), p(300, 200));
    snip.choose_tool(Some(Tool::Text));
    click(&mut snip, p(120, 130));
    snip.apply(SnipInput::Text("A".into()));
    snip.set_color(SnipColor::Green);
    snip.choose_tool(Some(Tool::Arrow));
    assert_eq!(
        snip.annotations(),
        &[Annotation::Text {
            at: p(120, 130),
            text: "A".into(),
            color: SnipColor::Green
        }]
    );
}
