//! The end-to-end tests, in one test binary (one link instead of one per file; issue 12).

mod agent_alerts;
mod bad_input;
mod chat_pictures;
mod consent;
mod consent_revoke;
mod e2e_keys;
mod file_transfer;
mod helper_download;
mod library;
mod loopback;
mod reconnect;
mod reconnect_process;
mod records;
mod region_grab;
mod remote_window;
mod screen_stream;
mod survey;
mod system_info;
