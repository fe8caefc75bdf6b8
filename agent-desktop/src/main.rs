//! `porpoise-agent`: the Porpoise agent desktop.
//!
//! Reads [`AgentConfig`] from the command line and the environment (password only from
//! `PORPOISE_PASSWORD`), installs a tracing subscriber (`RUST_LOG`, default `info`; logs go to stderr), builds the
//! tokio runtime for the network side and runs the eframe window on the main thread.

use std::io::IsTerminal as _;

use anyhow::Context as _;
use porpoise_agent::{AgentApp, AgentConfig};
use tracing_subscriber::EnvFilter;

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let config = AgentConfig::load()?;
    tracing::info!(relay = %config.relay_addr, center = ?config.center_id, lang = ?config.language, "starting agent console");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("porpoise-net")
        .enable_all()
        .build()
        .context("building the tokio runtime")?;
    let handle = runtime.handle().clone();
    let mut viewport = egui::ViewportBuilder::default()
        .with_title(porpoise_agent::i18n::window_title(config.language, None))
        .with_app_id("porpoise-agent")
        .with_inner_size([1280.0, 800.0])
        .with_min_inner_size([720.0, 480.0]);
    if let Some(pos) = config.window_pos {
        viewport = viewport.with_position(pos.0);
    }
    let options = eframe::NativeOptions {
        viewport,
        ..Default::default()
    };
    eframe::run_native(
        "porpoise-agent",
        options,
        Box::new(move |cc| Ok(Box::new(AgentApp::start(cc, &config, &handle)))),
    )
    .map_err(|e| anyhow::anyhow!("the window could not be shown: {e}"))?;
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    Ok(())
}
