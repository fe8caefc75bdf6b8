//! The panels of the console. Each `*_ui` function draws one part and pushes the
//! [`NetCommand`](crate::net::NetCommand)s it produces into an [`Outbox`]; the app sends them
//! after the frame.

pub mod chat;
pub mod login;
pub mod queue;
pub mod screen;
pub mod session;

/// Commands produced while drawing one frame, sent to the network side after it.
pub type Outbox = Vec<crate::net::NetCommand>;
