//! The integration tests of porpoise-shared, in one test binary (one link instead of one per
//! file; issue 12). `x11_capture` needs the `capture` feature.

mod fuzz_decoder;
#[cfg(feature = "capture")]
mod x11_capture;
