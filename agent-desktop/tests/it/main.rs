//! The agent console's integration tests, in one test binary (one link instead of one per file;
//! issue 12).

mod common;

mod admin_loopback;
mod app_flow;
mod chat_tools_flow;
mod desk_flow;
mod files_flow;
mod library_flow;
mod picture_flow;
mod reboot_flow;
mod reconnect_flow;
mod reconnect_loopback;
mod records_flow;
mod serving_flow;
mod snip_flow;
mod survey_flow;
mod sysinfo_flow;
