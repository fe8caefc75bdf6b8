//! Porpoise protocol: the wire types every party speaks ([`wire`]: messages, typed requests and
//! their replies, structured errors), the length-delimited framing of QUIC streams
//! ([`framing`]), the remote-input model ([`input`]) and the zh-CN/en texts of the wire's
//! errors ([`lang`]).
//!
//! This crate must stay free of an async runtime, QUIC, TLS and UI: the relay, both apps, the
//! tools and the fuzz targets link it (`scripts/layers.sh` checks). The async reading and
//! writing of frames lives in `porpoise-quic` (`frame_io`).

pub mod framing;
pub mod input;
pub mod lang;
pub mod wire;
