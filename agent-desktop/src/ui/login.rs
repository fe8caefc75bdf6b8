//! The login window (A1, R2): relay address, pinned certificate fingerprint, center ID,
//! username drop-down (filled from the relay once a center ID is typed) and password.

use egui::{Key, RichText, TextEdit};
use porpoise_protocol::wire::{is_valid_center_id, CenterId};
use porpoise_quic::{client::ClientConfig, tls::Fingerprint};
use porpoise_ui::Language;

use super::Outbox;
use crate::{
    config::{AgentConfig, Password},
    i18n::Msg,
    net::NetCommand,
    state::{LoginError, LoginState, Usernames},
};

/// Seconds the center ID must stay unchanged before its usernames are fetched.
pub const USERNAME_LOOKUP_DEBOUNCE_S: f64 = 0.6;

/// The login form's fields and the username lookup.
#[derive(Debug, Clone)]
pub struct LoginForm {
    /// Relay `host:port`.
    pub relay: String,
    /// Certificate fingerprint as typed.
    pub fingerprint: String,
    /// Center ID as typed.
    pub center: String,
    /// Username.
    pub username: String,
    /// Password (kept for a re-login after a disconnect; never logged).
    pub password: String,
    /// The drop-down's usernames.
    pub usernames: Usernames,
    /// UI time (s) the center ID last changed, while a lookup is due.
    center_changed_at: Option<f64>,
    /// (relay, fingerprint, center) of the last lookup, so each is asked once.
    last_lookup: Option<(String, Fingerprint, CenterId)>,
}

impl LoginForm {
    /// The form prefilled from the configuration.
    pub fn from_config(config: &AgentConfig) -> Self {
        LoginForm {
            relay: config.relay_addr.clone(),
            fingerprint: config
                .fingerprint
                .map(|f| f.to_string())
                .unwrap_or_default(),
            center: config.center_id.map(|c| c.to_string()).unwrap_or_default(),
            username: config.username.clone().unwrap_or_default(),
            password: config
                .password
                .as_ref()
                .map(|p| p.expose().to_owned())
                .unwrap_or_default(),
            usernames: Usernames::Unknown,
            // A prefilled center ID gets its usernames on the first frame.
            center_changed_at: config.center_id.map(|_| f64::NEG_INFINITY),
            last_lookup: None,
        }
    }

    fn relay_config(&self) -> Result<ClientConfig, Msg> {
        let fingerprint = self
            .fingerprint
            .trim()
            .parse::<Fingerprint>()
            .map_err(|_| Msg::InvalidFingerprint)?;
        Ok(ClientConfig {
            relay_addr: self.relay.trim().to_owned(),
            fingerprint,
        })
    }

    fn center_id(&self) -> Result<CenterId, Msg> {
        match self.center.trim().parse::<CenterId>() {
            Ok(id) if is_valid_center_id(id) => Ok(id),
            _ => Err(Msg::InvalidCenter),
        }
    }

    /// The login command for the form, or the first invalid field's message.
    pub fn login_command(&self) -> Result<NetCommand, Msg> {
        let relay = self.relay_config()?;
        let center_id = self.center_id()?;
        let username = self.username.trim().to_owned();
        if username.is_empty() {
            return Err(Msg::MissingUsername);
        }
        if self.password.is_empty() {
            return Err(Msg::MissingPassword);
        }
        Ok(NetCommand::Login {
            relay,
            center_id,
            username,
            password: Password::new(self.password.clone()),
        })
    }

    /// Asks for the center's usernames if the center ID is valid and not asked yet.
    fn lookup_usernames(&mut self, outbox: &mut Outbox) {
        self.center_changed_at = None;
        let (Ok(relay), Ok(center_id)) = (self.relay_config(), self.center_id()) else {
            return;
        };
        let key = (relay.relay_addr.clone(), relay.fingerprint, center_id);
        if self.last_lookup.as_ref() == Some(&key) {
            return;
        }
        self.last_lookup = Some(key);
        self.usernames = Usernames::Loading(center_id);
        outbox.push(NetCommand::ListUsernames { relay, center_id });
    }

    /// Forgets the last lookup so that the next change asks again (e.g. after a failure).
    pub fn forget_lookup(&mut self) {
        self.last_lookup = None;
    }
}

/// Draws the login window; a click on Log in (or Enter in the password) sends
/// [`NetCommand::Login`] and moves `state` to [`LoginState::LoggingIn`].
pub fn login_ui(
    ui: &mut egui::Ui,
    lang: Language,
    form: &mut LoginForm,
    state: &mut LoginState,
    outbox: &mut Outbox,
) {
    let busy = matches!(state, LoginState::LoggingIn);
    let mut submit = false;
    ui.vertical_centered(|ui| {
        ui.add_space(ui.available_height() * 0.12);
        ui.heading(Msg::LoginTitle.text(lang));
        ui.add_space(12.0);
    });
    let width = 460.0_f32.min(ui.available_width());
    let margin = ((ui.available_width() - width) / 2.0).max(0.0);
    ui.horizontal(|ui| {
        ui.add_space(margin);
        ui.vertical(|ui| {
            ui.set_width(width);
            ui.add_enabled_ui(!busy, |ui| submit = fields_ui(ui, lang, form, outbox));
            ui.add_space(8.0);
            let label = if busy { Msg::LoggingIn } else { Msg::LogIn };
            if ui
                .add_enabled(!busy, egui::Button::new(label.text(lang)))
                .clicked()
            {
                submit = true;
            }
            if let Usernames::Failed(_, failure) = &form.usernames {
                ui.add_space(8.0);
                ui.label(
                    RichText::new(failure.message(lang))
                        .small()
                        .color(ui.visuals().warn_fg_color),
                );
            }
            if let LoginState::Editing { error: Some(error) } = state {
                ui.add_space(8.0);
                ui.label(RichText::new(error_text(lang, error)).color(ui.visuals().error_fg_color));
            }
        });
    });
    if submit && !busy {
        match form.login_command() {
            Ok(cmd) => {
                outbox.push(cmd);
                *state = LoginState::LoggingIn;
            }
            Err(msg) => {
                *state = LoginState::Editing {
                    error: Some(LoginError::Invalid(msg)),
                }
            }
        }
    }
}

/// The form fields; returns true if Enter was pressed in the password field.
fn fields_ui(ui: &mut egui::Ui, lang: Language, form: &mut LoginForm, outbox: &mut Outbox) -> bool {
    let now = ui.input(|i| i.time);
    let mut submit = false;
    egui::Grid::new("login-fields")
        .num_columns(2)
        .spacing([12.0, 8.0])
        .show(ui, |ui| {
            let field_width = ui.available_width().max(260.0);
            let label = ui.label(Msg::RelayAddress.text(lang));
            ui.add(TextEdit::singleline(&mut form.relay).desired_width(field_width))
                .labelled_by(label.id);
            ui.end_row();

            let label = ui.label(Msg::Fingerprint.text(lang));
            ui.add(
                TextEdit::singleline(&mut form.fingerprint)
                    .desired_width(field_width)
                    .hint_text("AB:CD:…"),
            )
            .labelled_by(label.id);
            ui.end_row();

            let label = ui.label(Msg::CenterId.text(lang));
            let center = ui.add(
                TextEdit::singleline(&mut form.center)
                    .desired_width(field_width)
                    .hint_text("8000001"),
            );
            let center = center.labelled_by(label.id);
            if center.changed() {
                form.center_changed_at = Some(now);
                form.usernames = Usernames::Unknown;
            }
            let due = form
                .center_changed_at
                .is_some_and(|t| now - t >= USERNAME_LOOKUP_DEBOUNCE_S);
            if center.lost_focus() || due {
                form.lookup_usernames(outbox);
            } else if let Some(t) = form.center_changed_at {
                ui.ctx()
                    .request_repaint_after(std::time::Duration::from_secs_f64(
                        (t + USERNAME_LOOKUP_DEBOUNCE_S - now).max(0.01),
                    ));
            }
            ui.end_row();

            let label = ui.label(Msg::Username.text(lang));
            ui.horizontal(|ui| {
                ui.add(TextEdit::singleline(&mut form.username).desired_width(field_width - 120.0))
                    .labelled_by(label.id);
                usernames_ui(ui, lang, form);
            });
            ui.end_row();

            let label = ui.label(Msg::Password.text(lang));
            let password = ui.add(
                TextEdit::singleline(&mut form.password)
                    .password(true)
                    .desired_width(field_width),
            );
            let password = password.labelled_by(label.id);
            if password.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
                submit = true;
            }
            ui.end_row();
        });
    submit
}

/// The drop-down of the center's usernames, or the lookup's state.
fn usernames_ui(ui: &mut egui::Ui, lang: Language, form: &mut LoginForm) {
    match &form.usernames {
        Usernames::Unknown => {}
        Usernames::Loading(_) => {
            ui.spinner().on_hover_text(Msg::LoadingUsernames.text(lang));
        }
        Usernames::Loaded(_, names) => {
            let names = names.clone();
            ui.menu_button(Msg::PickUsername.text(lang), |ui| {
                for name in names {
                    if ui.selectable_label(form.username == name, &name).clicked() {
                        form.username = name;
                        ui.close();
                    }
                }
            });
        }
        Usernames::Failed(..) => {} // the message is shown under the form
    }
}

/// The message for a login error.
pub fn error_text(lang: Language, error: &LoginError) -> String {
    match error {
        LoginError::Failed(failure) => failure.message(lang),
        LoginError::Disconnected(reason) => crate::i18n::disconnect_text(lang, reason),
        LoginError::Invalid(msg) => msg.text(lang).to_owned(),
    }
}
