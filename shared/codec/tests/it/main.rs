//! The integration tests of porpoise-codec, in one test binary (issue 12).

mod fuzz_decoder;
