//! `porpoise-helper`: the customer helper window.

use anyhow::Context as _;
use clap::Parser;
use porpoise_helper::{
    app::WINDOW_SIZE,
    branding::{icon_data, window_title},
    config::{self, Start},
    i18n::Tr,
    launch::Launcher,
    media::Platform,
    net::{self, NetSettings},
    AppOptions, HelperApp, HelperArgs, HelperConfig,
};
use porpoise_quic::trailer::{EmbeddedConfig, TrailerError};
use porpoise_ui::Language;
use tracing_subscriber::{
    filter::Targets, layer::SubscriberExt as _, util::SubscriberInitExt as _,
};

/// Log filter used when `RUST_LOG` is unset or unreadable: `info` and above from every target.
const DEFAULT_LOG_FILTER: &str = "info";

/// The log filter from `RUST_LOG` (`level` or `target=level,...`, no regular expressions; issue 6
/// keeps `env-filter`'s regex out of the helper), else [`DEFAULT_LOG_FILTER`]. The error names a
/// `RUST_LOG` that could not be parsed.
fn log_filter() -> (Targets, Option<String>) {
    let default = || {
        DEFAULT_LOG_FILTER
            .parse::<Targets>()
            .unwrap_or_else(|_| Targets::new().with_default(tracing::Level::INFO))
    };
    match std::env::var("RUST_LOG") {
        Ok(spec) if !spec.trim().is_empty() => match spec.parse::<Targets>() {
            Ok(targets) => (targets, None),
            Err(e) => (default(), Some(format!("RUST_LOG={spec:?} ignored: {e}"))),
        },
        _ => (default(), None),
    }
}

fn main() -> anyhow::Result<()> {
    let (filter, filter_error) = log_filter();
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())),
        )
        .with(filter)
        .init();
    if let Some(e) = filter_error {
        tracing::warn!("{e}");
    }
    // C8 on Windows: a RunOnce command line too long for 260 characters names a file with the
    // arguments instead (read once, then deleted).
    let args = match porpoise_helper::reboot::args_from_file_flag(std::env::args_os()) {
        Some(Ok(argv)) => HelperArgs::parse_from(argv),
        Some(Err(e)) => {
            tracing::warn!(error = %e, "cannot read the reconnect arguments; starting normally");
            HelperArgs::parse_from(std::env::args_os().take(1))
        }
        None => HelperArgs::parse(),
    };
    if args.reconnect_token.is_some() {
        // C8: the one-time start after a reboot runs once, whatever happens next.
        match porpoise_helper::reboot::remove_one_time_start() {
            Ok(removed) => tracing::info!(removed, "started to reconnect after a reboot"),
            Err(e) => tracing::warn!(error = %e, "cannot remove the one-time start entry"),
        }
    }
    let trailer = own_trailer();
    let language = args
        .lang
        .as_deref()
        .map(Language::from_locale)
        .unwrap_or_else(porpoise_ui::detect_language);
    let window_pos = args.window_pos;
    let start = config::plan(args, trailer)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("helper-net")
        .build()
        .context("cannot start the network runtime")?;
    let handle = runtime.handle().clone();
    let make_app = move |config: HelperConfig, ctx: &egui::Context| -> anyhow::Result<HelperApp> {
        let relaunch = porpoise_helper::reboot::Relaunch::of_current_exe(&config)
            .inspect_err(|e| tracing::warn!(error = %e, "reboot and reconnect unavailable"))
            .ok();
        tracing::info!(relay = %config.relay_addr, center_id = %config.center_id, data_dir = %config.data_dir.display(), "starting");
        let settings = NetSettings {
            relay_addr: config.relay_addr.clone(),
            fingerprint: config.fingerprint,
            center_id: config.center_id,
            install_id: config.install_id,
        };
        let link = net::spawn(&handle, settings, Platform::native(), ctx.clone());
        let app_options = AppOptions {
            language: config.language,
            name: config.name.clone(),
            phone: config.phone.clone(),
            session_code: config.session_code.clone(),
            auto_request: config.auto_request,
            relay_addr: config.relay_addr.clone(),
        };
        Ok(HelperApp::new(app_options, link)
            .with_reboot(relaunch)
            .with_reconnect_token(config.reconnect_token.clone()))
    };
    // The first window is branded before connecting (C1, M1).
    let tr = Tr(language);
    let (title, icon) = match &start {
        Start::Ready { branding, .. } => (
            window_title(branding.as_ref(), tr),
            branding.as_ref().and_then(icon_data),
        ),
        Start::Setup { .. } => (tr.app_title().to_owned(), None),
        Start::Refused { reason } => {
            tracing::error!("refusing to connect: {reason}");
            (tr.app_title().to_owned(), None)
        }
    };
    let mut viewport = egui::ViewportBuilder::default()
        .with_title(title.clone())
        .with_app_id("porpoise-helper")
        .with_inner_size(WINDOW_SIZE)
        .with_min_inner_size([320.0, 400.0]);
    if let Some(icon) = icon {
        viewport = viewport.with_icon(icon);
    }
    if let Some(pos) = window_pos {
        viewport = viewport.with_position(pos.0);
    }
    let options = eframe::NativeOptions {
        viewport,
        ..Default::default()
    };
    eframe::run_native(
        &title,
        options,
        Box::new(move |cc| {
            porpoise_ui::install_fonts_compact_with_system_fallback(&cc.egui_ctx);
            let app: Box<dyn eframe::App> = match start {
                Start::Ready { config, branding } => {
                    let mut app = make_app(*config, &cc.egui_ctx)?;
                    if let Some(branding) = branding {
                        app.set_branding(branding);
                    }
                    Box::new(app)
                }
                Start::Setup {
                    args,
                    prefill,
                    data_dir,
                } => Box::new(Launcher::setup(
                    language,
                    *args,
                    prefill,
                    data_dir,
                    Box::new(make_app),
                )),
                Start::Refused { reason } => Box::new(Launcher::refused(language, reason)),
            };
            Ok(app)
        }),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the helper window: {e}"))?;
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    Ok(())
}

/// Reads the signed configuration trailer of this executable (C1). An executable that cannot
/// be read counts as a plain helper (logged): it then asks for the relay on its first screen.
fn own_trailer() -> Result<EmbeddedConfig, TrailerError> {
    let read = std::env::current_exe()
        .map_err(TrailerError::Io)
        .and_then(|exe| porpoise_quic::trailer::read_path(&exe));
    match read {
        Ok(embedded) => {
            tracing::info!(relay = %embedded.relay_addr, center_id = %embedded.center_id, "configuration from the download's signed trailer");
            Ok(embedded)
        }
        Err(TrailerError::Io(e)) => {
            tracing::warn!("cannot read this program's configuration trailer: {e}");
            Err(TrailerError::NoTrailer)
        }
        Err(e) => Err(e),
    }
}
