//! The integration tests of porpoise-platform, in one test binary (issue 12).

mod x11_capture;
