//! The customer helper's integration tests, in one test binary (one link instead of one per file;
//! issue 12).

mod common;

mod branding_ui;
mod chat_tools;
mod consent_survey_ui;
mod files_flow;
mod net_loopback;
mod reboot_flow;
mod ui_flows;
mod ui_request_screens;
mod x11_desktop;
