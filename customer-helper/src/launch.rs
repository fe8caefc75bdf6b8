//! What the window shows before the helper connects (C1): the first screen of a plain helper
//! (relay address, center ID, fingerprint) and the refusal of a modified download. Once the
//! first screen is filled in, [`Launcher`] becomes the normal [`HelperApp`].

use std::path::PathBuf;

use egui::RichText;
use porpoise_ui::Language;

use crate::{
    config::{Connection, ConnectionError, HelperArgs, HelperConfig},
    i18n::Tr,
    HelperApp,
};

/// The first screen of a plain helper: three fields and Connect.
#[derive(Debug, Clone, Default)]
pub struct SetupScreen {
    /// Relay address as typed (`host:port`).
    pub relay: String,
    /// Center ID as typed.
    pub center: String,
    /// Fingerprint as typed.
    pub fingerprint: String,
    /// The last Connect's validation error.
    pub error: Option<ConnectionError>,
}

impl SetupScreen {
    /// A screen prefilled with `[relay, center, fingerprint]`.
    pub fn new(prefill: [String; 3]) -> Self {
        let [relay, center, fingerprint] = prefill;
        SetupScreen {
            relay,
            center,
            fingerprint,
            error: None,
        }
    }

    /// Draws the screen; returns the connection once Connect is clicked with valid fields.
    pub fn ui(&mut self, ui: &mut egui::Ui, tr: Tr) -> Option<Connection> {
        let mut connect = false;
        egui::CentralPanel::default_margins().show(ui, |ui| {
            ui.heading(tr.setup_title());
            ui.add_space(4.0);
            ui.label(tr.setup_intro());
            ui.add_space(8.0);
            let field = |ui: &mut egui::Ui, label: &str, value: &mut String, hint: &str| {
                let label = ui.label(label);
                let response = ui.add(
                    egui::TextEdit::singleline(value)
                        .hint_text(hint)
                        .desired_width(f32::INFINITY),
                );
                response.labelled_by(label.id)
            };
            let r1 = field(
                ui,
                tr.relay_label(),
                &mut self.relay,
                "support.example.com:18000",
            );
            let r2 = field(ui, tr.center_label(), &mut self.center, "8000001");
            let r3 = field(ui, tr.fingerprint_label(), &mut self.fingerprint, "AB:CD:…");
            let enter = [r1, r2, r3]
                .iter()
                .any(|r| r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)));
            ui.add_space(8.0);
            if let Some(err) = self.error {
                let text = match err {
                    ConnectionError::BadRelay => tr.bad_relay(),
                    ConnectionError::BadCenter => tr.bad_center(),
                    ConnectionError::BadFingerprint => tr.bad_fingerprint(),
                };
                ui.colored_label(ui.visuals().error_fg_color, text);
            }
            connect = ui.button(tr.connect()).clicked() || enter;
        });
        if !connect {
            return None;
        }
        match Connection::parse(&self.relay, &self.center, &self.fingerprint) {
            Ok(c) => {
                self.error = None;
                Some(c)
            }
            Err(e) => {
                self.error = Some(e);
                None
            }
        }
    }
}

/// The refusal of a modified download: no connection is made. Returns true when Close is clicked.
pub fn refused_ui(ui: &mut egui::Ui, tr: Tr, reason: &str) -> bool {
    let mut close = false;
    egui::CentralPanel::default_margins().show(ui, |ui| {
        ui.add_space(16.0);
        ui.label(
            RichText::new(tr.tampered_title())
                .heading()
                .color(ui.visuals().error_fg_color),
        );
        ui.add_space(8.0);
        ui.label(tr.tampered_body());
        ui.add_space(8.0);
        ui.label(RichText::new(tr.tampered_detail(reason)).small().weak());
        ui.add_space(16.0);
        close = ui.button(tr.close_helper()).clicked();
    });
    close
}

/// Builds the running helper from a configuration (starts the network side).
pub type MakeApp = Box<dyn FnOnce(HelperConfig, &egui::Context) -> anyhow::Result<HelperApp>>;

enum Screen {
    Setup(SetupScreen),
    Refused(String),
    Running(Box<HelperApp>),
    Failed(String),
}

/// The window of a helper that cannot connect yet: first screen or refusal, then the helper.
pub struct Launcher {
    screen: Screen,
    tr: Tr,
    args: Option<HelperArgs>,
    data_dir: PathBuf,
    make: Option<MakeApp>,
}

impl std::fmt::Debug for Launcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Launcher").finish_non_exhaustive()
    }
}

impl Launcher {
    /// The first screen, prefilled; Connect remembers the values in `data_dir` and calls `make`.
    pub fn setup(
        language: Language,
        args: HelperArgs,
        prefill: [String; 3],
        data_dir: PathBuf,
        make: MakeApp,
    ) -> Self {
        Launcher {
            screen: Screen::Setup(SetupScreen::new(prefill)),
            tr: Tr(language),
            args: Some(args),
            data_dir,
            make: Some(make),
        }
    }

    /// The refusal of a modified download (never connects).
    pub fn refused(language: Language, reason: String) -> Self {
        Launcher {
            screen: Screen::Refused(reason),
            tr: Tr(language),
            args: None,
            data_dir: PathBuf::new(),
            make: None,
        }
    }

    fn start(&mut self, connection: Connection, ctx: &egui::Context) {
        if let Err(e) = connection.remember(&self.data_dir) {
            tracing::warn!(dir = %self.data_dir.display(), "cannot remember the relay: {e}");
        }
        let (Some(args), Some(make)) = (self.args.take(), self.make.take()) else {
            return;
        };
        let built = HelperConfig::with_connection(args, connection)
            .map_err(anyhow::Error::from)
            .and_then(|config| {
                tracing::info!(relay = %config.relay_addr, center_id = %config.center_id, "starting from the first screen");
                make(config, ctx)
            });
        self.screen = match built {
            Ok(app) => Screen::Running(Box::new(app)),
            Err(e) => Screen::Failed(format!("{e:#}")),
        };
    }
}

impl eframe::App for Launcher {
    fn logic(&mut self, ctx: &egui::Context, frame: &mut eframe::Frame) {
        if let Screen::Running(app) = &mut self.screen {
            eframe::App::logic(app.as_mut(), ctx, frame);
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        let tr = self.tr;
        match &mut self.screen {
            Screen::Setup(setup) => {
                if let Some(connection) = setup.ui(ui, tr) {
                    let ctx = ui.ctx().clone();
                    self.start(connection, &ctx);
                }
            }
            Screen::Refused(reason) => {
                if refused_ui(ui, tr, reason) {
                    ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                }
            }
            Screen::Running(app) => eframe::App::ui(app.as_mut(), ui, frame),
            Screen::Failed(reason) => {
                egui::CentralPanel::default_margins().show(ui, |ui| {
                    ui.colored_label(ui.visuals().error_fg_color, reason.as_str());
                });
            }
        }
    }

    fn on_exit(&mut self, gl: Option<&eframe::glow::Context>) {
        if let Screen::Running(app) = &mut self.screen {
            eframe::App::on_exit(app.as_mut(), gl);
        }
    }
}
