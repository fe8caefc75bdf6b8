//! `porpoise-helper`: the customer helper window.

use anyhow::Context as _;
use clap::Parser;
use porpoise_helper::{
    app::WINDOW_SIZE,
    i18n::Tr,
    media::Platform,
    net::{self, NetSettings},
    AppOptions, HelperApp, HelperArgs, HelperConfig,
};
use tracing_subscriber::EnvFilter;

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let config = HelperConfig::from_args(HelperArgs::parse())?;
    tracing::info!(relay = %config.relay_addr, center_id = config.center_id, data_dir = %config.data_dir.display(), "starting");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("helper-net")
        .build()
        .context("cannot start the network runtime")?;
    let handle = runtime.handle().clone();
    let title = Tr(config.language).app_title();
    let mut viewport = egui::ViewportBuilder::default()
        .with_title(title)
        .with_app_id("porpoise-helper")
        .with_inner_size(WINDOW_SIZE)
        .with_min_inner_size([320.0, 400.0]);
    if let Some(pos) = config.window_pos {
        viewport = viewport.with_position(pos.0);
    }
    let options = eframe::NativeOptions {
        viewport,
        ..Default::default()
    };
    eframe::run_native(
        title,
        options,
        Box::new(move |cc| {
            porpoise_shared::ui::install_fonts(&cc.egui_ctx);
            let settings = NetSettings {
                relay_addr: config.relay_addr.clone(),
                fingerprint: config.fingerprint,
                center_id: config.center_id,
                install_id: config.install_id,
            };
            let link = net::spawn(&handle, settings, Platform::native(), cc.egui_ctx.clone());
            let app_options = AppOptions {
                language: config.language,
                name: config.name.clone(),
                phone: config.phone.clone(),
                session_code: config.session_code.clone(),
                auto_request: config.auto_request,
                relay_addr: config.relay_addr.clone(),
            };
            Ok(Box::new(HelperApp::new(app_options, link)))
        }),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the helper window: {e}"))?;
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    Ok(())
}
