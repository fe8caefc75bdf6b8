//! The screenshot tool (A9 截图) without any drawing: the agent drags a region of a frozen
//! frame of their own screen, optionally annotates it, and takes it.
//!
//! [`Snip`] is a pure state machine over [`SnipInput`]s in image pixels (the frozen frame's own
//! pixels, x right, y down):
//!
//! - left-drag selects a region (its size is shown in px); dragging again without a tool chosen
//!   selects anew (a drag smaller than [`MIN_SELECTION_PX`] keeps the previous selection);
//! - with a tool chosen ([`Tool`]), drags inside the selection draw rectangles or arrows, and a
//!   click places a text that is then typed (Enter ends it, Esc drops it);
//! - a double-click inside the selection, Enter or the toolbar's Done takes it ([`Step::Take`]);
//! - Esc (when not typing) or a right-click cancels ([`Step::Cancel`]).
//!
//! Grabbing the frame is in [`grab`], rendering the annotations into the taken image and the
//! PNG encoding in [`raster`], the tool's life cycle (grab → select → encode → result) in
//! [`tool`], and drawing in [`crate::ui::snip`].

pub mod grab;
pub mod raster;
pub mod tool;

pub use tool::{SnipResult, SnipTool};

/// A drag must span at least this many px in both directions to select a region.
pub const MIN_SELECTION_PX: u32 = 4;
/// A rectangle annotation must span at least this many px in both directions to be kept.
pub const MIN_SHAPE_PX: u32 = 3;
/// An arrow must be at least this long to be kept, px.
pub const MIN_ARROW_PX: f32 = 6.0;
/// Longest text annotation, in characters (more typed characters are ignored).
pub const MAX_TEXT_CHARS: usize = 200;
/// Line width of rectangles and arrows, px.
pub const STROKE_PX: f32 = 3.0;
/// Height of text annotations (font size), px.
pub const TEXT_SIZE_PX: f32 = 20.0;

/// A pixel of the frozen frame (x right, y down, (0, 0) top-left).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PxPoint {
    /// Column, px.
    pub x: i32,
    /// Row, px.
    pub y: i32,
}

impl PxPoint {
    /// The pixel at column `x`, row `y`.
    pub const fn new(x: i32, y: i32) -> Self {
        PxPoint { x, y }
    }
}

/// A rectangle of pixels: columns `x..x + width`, rows `y..y + height`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PxRect {
    /// Left column, px.
    pub x: u32,
    /// Top row, px.
    pub y: u32,
    /// Width, px.
    pub width: u32,
    /// Height, px.
    pub height: u32,
}

impl PxRect {
    /// The rectangle dragged from `a` to `b` (either corner first), clamped to a
    /// `bounds.0 × bounds.1` px image. Dragging from column 10 to column 110 spans 100 px.
    pub fn spanning(a: PxPoint, b: PxPoint, bounds: (u32, u32)) -> Self {
        let clamp = |v: i32, max: u32| v.clamp(0, max as i32) as u32;
        let (x0, x1) = (clamp(a.x, bounds.0), clamp(b.x, bounds.0));
        let (y0, y1) = (clamp(a.y, bounds.1), clamp(b.y, bounds.1));
        PxRect {
            x: x0.min(x1),
            y: y0.min(y1),
            width: x0.abs_diff(x1),
            height: y0.abs_diff(y1),
        }
    }

    /// Whether pixel `p` lies inside.
    pub fn contains(&self, p: PxPoint) -> bool {
        let (x, y) = (i64::from(p.x), i64::from(p.y));
        x >= i64::from(self.x)
            && y >= i64::from(self.y)
            && x < i64::from(self.x) + i64::from(self.width)
            && y < i64::from(self.y) + i64::from(self.height)
    }

    /// `p` moved to the nearest pixel inside (a rectangle of zero size gives its corner).
    pub fn clamp(&self, p: PxPoint) -> PxPoint {
        let last = |start: u32, len: u32| (start + len.saturating_sub(1)) as i32;
        PxPoint {
            x: p.x.clamp(self.x as i32, last(self.x, self.width)),
            y: p.y.clamp(self.y as i32, last(self.y, self.height)),
        }
    }
}

/// The annotation colours offered in the toolbar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SnipColor {
    /// The default.
    #[default]
    Red,
    /// Yellow.
    Yellow,
    /// Green.
    Green,
    /// Blue.
    Blue,
    /// Black.
    Black,
    /// White.
    White,
}

impl SnipColor {
    /// Every colour, in toolbar order.
    pub const ALL: [SnipColor; 6] = [
        SnipColor::Red,
        SnipColor::Yellow,
        SnipColor::Green,
        SnipColor::Blue,
        SnipColor::Black,
        SnipColor::White,
    ];

    /// The colour as opaque RGBA.
    pub const fn rgba(self) -> [u8; 4] {
        match self {
            SnipColor::Red => [230, 30, 30, 255],
            SnipColor::Yellow => [250, 200, 0, 255],
            SnipColor::Green => [20, 170, 60, 255],
            SnipColor::Blue => [30, 110, 240, 255],
            SnipColor::Black => [0, 0, 0, 255],
            SnipColor::White => [255, 255, 255, 255],
        }
    }
}

/// The drawing tools of the edit toolbar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// Drag a rectangle outline.
    Rectangle,
    /// Drag an arrow from its tail to its head.
    Arrow,
    /// Click, then type a line of text.
    Text,
}

/// One annotation drawn on the frozen frame, in its pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Annotation {
    /// A rectangle outline [`STROKE_PX`] wide, drawn inside `rect`.
    Rectangle {
        /// The outlined pixels' bounds.
        rect: PxRect,
        /// Line colour.
        color: SnipColor,
    },
    /// A line from `from` with an arrow head at `to`.
    Arrow {
        /// Tail pixel.
        from: PxPoint,
        /// Tip pixel.
        to: PxPoint,
        /// Colour.
        color: SnipColor,
    },
    /// One line of text [`TEXT_SIZE_PX`] high whose box starts at `at` (top-left).
    Text {
        /// Top-left pixel of the text box.
        at: PxPoint,
        /// The text (never empty, at most [`MAX_TEXT_CHARS`] characters, no control characters).
        text: String,
        /// Colour.
        color: SnipColor,
    },
}

/// Mouse buttons the tool tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Button {
    /// Left button: select, draw, take.
    Primary,
    /// Right button: cancel.
    Secondary,
}

/// What the agent did, in image px.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnipInput {
    /// A button went down at a pixel.
    Press {
        /// Where.
        at: PxPoint,
        /// Which button.
        button: Button,
    },
    /// The pointer moved with the left button down.
    Drag {
        /// Where it is now.
        to: PxPoint,
    },
    /// The left button went up.
    Release {
        /// Where.
        at: PxPoint,
    },
    /// A left double-click.
    DoubleClick {
        /// Where.
        at: PxPoint,
    },
    /// The Esc key.
    Escape,
    /// The Enter key.
    Enter,
    /// The Backspace key.
    Backspace,
    /// Typed text.
    Text(String),
}

/// What the caller should do after an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Keep the tool open.
    Stay,
    /// Close the tool; nothing is taken.
    Cancel,
    /// Close the tool and produce the image of [`Snip::taken`].
    Take,
}

/// What is going on inside a selected region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gesture {
    /// Nothing.
    Idle,
    /// A rectangle or arrow being dragged from `anchor`.
    Drawing {
        /// Where the drag started.
        anchor: PxPoint,
        /// The shape so far.
        shape: Annotation,
    },
    /// A text being typed at `at`.
    Typing {
        /// Top-left pixel of the text box.
        at: PxPoint,
        /// The text so far (may be empty).
        text: String,
    },
}

/// Where the selection is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Nothing selected yet.
    Choosing,
    /// A selection being dragged from `anchor` to `to`; `previous` comes back if it ends too
    /// small.
    Selecting {
        /// Where the drag started.
        anchor: PxPoint,
        /// Where the pointer is.
        to: PxPoint,
        /// The selection before this drag.
        previous: Option<PxRect>,
    },
    /// A region is selected (the edit toolbar shows).
    Selected {
        /// The region.
        rect: PxRect,
        /// What the pointer or keyboard is doing inside it.
        gesture: Gesture,
    },
    /// The tool was cancelled.
    Cancelled,
    /// The region was taken.
    Taken {
        /// The region.
        rect: PxRect,
    },
}

/// The screenshot tool's selection and annotations over a `size` px frozen frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snip {
    size: (u32, u32),
    phase: Phase,
    tool: Option<Tool>,
    color: SnipColor,
    annotations: Vec<Annotation>,
}

impl Snip {
    /// Nothing selected on a `width × height` px frame, no tool, red.
    pub fn new(width: u32, height: u32) -> Self {
        Snip {
            size: (width, height),
            phase: Phase::Choosing,
            tool: None,
            color: SnipColor::default(),
            annotations: Vec::new(),
        }
    }

    /// The frame's size (width, height), px.
    pub fn size(&self) -> (u32, u32) {
        self.size
    }

    /// Where the selection is.
    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// The region shown as selected: the settled selection or the one being dragged.
    pub fn selection(&self) -> Option<PxRect> {
        match &self.phase {
            Phase::Selecting { anchor, to, .. } => Some(PxRect::spanning(*anchor, *to, self.size)),
            Phase::Selected { rect, .. } | Phase::Taken { rect } => Some(*rect),
            Phase::Choosing | Phase::Cancelled => None,
        }
    }

    /// The chosen tool.
    pub fn tool(&self) -> Option<Tool> {
        self.tool
    }

    /// The colour of new annotations.
    pub fn color(&self) -> SnipColor {
        self.color
    }

    /// The finished annotations, oldest first.
    pub fn annotations(&self) -> &[Annotation] {
        &self.annotations
    }

    /// The annotation being drawn or typed, if any (typed text may be empty).
    pub fn draft(&self) -> Option<Annotation> {
        match &self.phase {
            Phase::Selected {
                gesture: Gesture::Drawing { shape, .. },
                ..
            } => Some(shape.clone()),
            Phase::Selected {
                gesture: Gesture::Typing { at, text },
                ..
            } => Some(Annotation::Text {
                at: *at,
                text: text.clone(),
                color: self.color,
            }),
            _ => None,
        }
    }

    /// While a text is typed: the selection, the text's top-left pixel and the text, for the
    /// UI's text field (the caller keeps it to [`MAX_TEXT_CHARS`] characters).
    pub fn typing_mut(&mut self) -> Option<(PxRect, PxPoint, &mut String)> {
        match &mut self.phase {
            Phase::Selected {
                rect,
                gesture: Gesture::Typing { at, text },
            } => Some((*rect, *at, text)),
            _ => None,
        }
    }

    /// The taken region and its annotations, once [`Step::Take`] was returned.
    pub fn taken(&self) -> Option<(PxRect, &[Annotation])> {
        match self.phase {
            Phase::Taken { rect } => Some((rect, &self.annotations)),
            _ => None,
        }
    }

    /// Chooses the drawing tool (`None`: drags select again). Ends any text being typed.
    pub fn choose_tool(&mut self, tool: Option<Tool>) {
        self.settle_gesture();
        self.tool = tool;
    }

    /// Sets the colour of new annotations and of the text being typed.
    pub fn set_color(&mut self, color: SnipColor) {
        self.color = color;
    }

    /// Drops the text being typed if it has any, else the newest annotation.
    pub fn undo(&mut self) {
        if let Phase::Selected { gesture, .. } = &mut self.phase {
            if matches!(gesture, Gesture::Typing { text, .. } if !text.is_empty()) {
                *gesture = Gesture::Idle;
                return;
            }
            *gesture = Gesture::Idle;
        }
        self.annotations.pop();
    }

    /// The toolbar's Done: takes the selection (ending any text being typed).
    pub fn done(&mut self) -> Step {
        self.settle_gesture();
        match self.phase {
            Phase::Selected { rect, .. } => {
                self.phase = Phase::Taken { rect };
                Step::Take
            }
            _ => Step::Stay,
        }
    }

    /// The toolbar's Cancel.
    pub fn cancel(&mut self) -> Step {
        self.phase = Phase::Cancelled;
        Step::Cancel
    }

    /// Applies one input (see the module docs).
    pub fn apply(&mut self, input: SnipInput) -> Step {
        if matches!(self.phase, Phase::Cancelled | Phase::Taken { .. }) {
            return Step::Stay;
        }
        match input {
            SnipInput::Press {
                button: Button::Secondary,
                ..
            } => self.cancel(),
            SnipInput::Press {
                at,
                button: Button::Primary,
            } => {
                self.press(self.clamp_to_frame(at));
                Step::Stay
            }
            SnipInput::Drag { to } => {
                self.drag(self.clamp_to_frame(to));
                Step::Stay
            }
            SnipInput::Release { at } => {
                self.release(self.clamp_to_frame(at));
                Step::Stay
            }
            SnipInput::DoubleClick { at } => match self.phase {
                Phase::Selected { rect, .. } if rect.contains(at) => self.done(),
                _ => Step::Stay,
            },
            SnipInput::Escape => match &mut self.phase {
                Phase::Selected { gesture, .. } if matches!(gesture, Gesture::Typing { .. }) => {
                    *gesture = Gesture::Idle;
                    Step::Stay
                }
                _ => self.cancel(),
            },
            SnipInput::Enter => match &self.phase {
                Phase::Selected {
                    gesture: Gesture::Typing { .. },
                    ..
                } => {
                    self.settle_gesture();
                    Step::Stay
                }
                Phase::Selected { .. } => self.done(),
                _ => Step::Stay,
            },
            SnipInput::Backspace => {
                if let Phase::Selected {
                    gesture: Gesture::Typing { text, .. },
                    ..
                } = &mut self.phase
                {
                    text.pop();
                }
                Step::Stay
            }
            SnipInput::Text(typed) => {
                if let Phase::Selected {
                    gesture: Gesture::Typing { text, .. },
                    ..
                } = &mut self.phase
                {
                    let room = MAX_TEXT_CHARS.saturating_sub(text.chars().count());
                    text.extend(typed.chars().filter(|c| !c.is_control()).take(room));
                }
                Step::Stay
            }
        }
    }

    fn clamp_to_frame(&self, p: PxPoint) -> PxPoint {
        PxPoint {
            x: p.x.clamp(0, self.size.0 as i32),
            y: p.y.clamp(0, self.size.1 as i32),
        }
    }

    fn press(&mut self, at: PxPoint) {
        self.settle_gesture();
        let color = self.color;
        match (&mut self.phase, self.tool) {
            (Phase::Choosing, _) => {
                self.phase = Phase::Selecting {
                    anchor: at,
                    to: at,
                    previous: None,
                }
            }
            (Phase::Selected { rect, gesture }, Some(tool)) if rect.contains(at) => {
                *gesture = match tool {
                    Tool::Rectangle => Gesture::Drawing {
                        anchor: at,
                        shape: Annotation::Rectangle {
                            rect: PxRect::spanning(at, at, self.size),
                            color,
                        },
                    },
                    Tool::Arrow => Gesture::Drawing {
                        anchor: at,
                        shape: Annotation::Arrow {
                            from: at,
                            to: at,
                            color,
                        },
                    },
                    Tool::Text => Gesture::Typing {
                        at,
                        text: String::new(),
                    },
                }
            }
            (Phase::Selected { rect, .. }, None) => {
                self.phase = Phase::Selecting {
                    anchor: at,
                    to: at,
                    previous: Some(*rect),
                }
            }
            // A tool is chosen and the press is outside the selection, or a second press
            // while selecting: nothing to do.
            _ => {}
        }
    }

    fn drag(&mut self, to: PxPoint) {
        let size = self.size;
        match &mut self.phase {
            Phase::Selecting { to: current, .. } => *current = to,
            Phase::Selected {
                rect,
                gesture: Gesture::Drawing { anchor, shape },
            } => {
                let to = rect.clamp(to);
                match shape {
                    Annotation::Rectangle { rect: r, .. } => {
                        *r = PxRect::spanning(*anchor, to, size)
                    }
                    Annotation::Arrow { to: tip, .. } => *tip = to,
                    Annotation::Text { .. } => {}
                }
            }
            _ => {}
        }
    }

    fn release(&mut self, at: PxPoint) {
        self.drag(at);
        match &mut self.phase {
            Phase::Selecting {
                anchor,
                to,
                previous,
            } => {
                let rect = PxRect::spanning(*anchor, *to, self.size);
                self.phase = if rect.width >= MIN_SELECTION_PX && rect.height >= MIN_SELECTION_PX {
                    Phase::Selected {
                        rect,
                        gesture: Gesture::Idle,
                    }
                } else {
                    match previous {
                        Some(rect) => Phase::Selected {
                            rect: *rect,
                            gesture: Gesture::Idle,
                        },
                        None => Phase::Choosing,
                    }
                };
            }
            Phase::Selected { gesture, .. } if matches!(gesture, Gesture::Drawing { .. }) => {
                if let Gesture::Drawing { shape, .. } = std::mem::replace(gesture, Gesture::Idle) {
                    if big_enough(&shape) {
                        self.annotations.push(shape);
                    }
                }
            }
            _ => {}
        }
    }

    /// Ends the gesture in progress: typed text becomes an annotation (with the current
    /// colour) unless empty; a shape being drawn is dropped.
    fn settle_gesture(&mut self) {
        if let Phase::Selected { gesture, .. } = &mut self.phase {
            if let Gesture::Typing { at, text } = std::mem::replace(gesture, Gesture::Idle) {
                if !text.trim().is_empty() {
                    self.annotations.push(Annotation::Text {
                        at,
                        text,
                        color: self.color,
                    });
                }
            }
        }
    }
}

fn big_enough(shape: &Annotation) -> bool {
    match shape {
        Annotation::Rectangle { rect, .. } => {
            rect.width >= MIN_SHAPE_PX && rect.height >= MIN_SHAPE_PX
        }
        Annotation::Arrow { from, to, .. } => {
            let (dx, dy) = ((to.x - from.x) as f32, (to.y - from.y) as f32);
            dx.hypot(dy) >= MIN_ARROW_PX
        }
        Annotation::Text { text, .. } => !text.is_empty(),
    }
}

#[cfg(test)]
mod tests;
