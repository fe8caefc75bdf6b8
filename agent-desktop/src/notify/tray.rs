//! Tray icon (A3): a StatusNotifierItem over D-Bus on Linux (ksni), nothing elsewhere yet.
//!
//! The icon is a dot: grey when logged out, green when online, orange while customers wait.
//! Its menu has Show (raise the window) and Quit.

use porpoise_ui::Language;
use tokio::runtime::Handle;

use super::{Tray, TrayStatus};

/// Edge of the tray icon pixmap, in px.
pub const ICON_PX: i32 = 32;

/// RGB colour of the icon dot for `status`.
pub fn status_rgb(status: TrayStatus) -> [u8; 3] {
    match status {
        TrayStatus::Offline => [0x9e, 0x9e, 0x9e],
        TrayStatus::Online { queue_len: 0 } => [0x2e, 0xa0, 0x43],
        TrayStatus::Online { .. } => [0xf0, 0x8c, 0x00],
    }
}

/// The icon as ARGB32 pixels in network byte order (what StatusNotifierItem wants):
/// a dot of [`status_rgb`] with a soft edge on transparent ground.
pub fn icon_argb(status: TrayStatus) -> Vec<u8> {
    let [r, g, b] = status_rgb(status);
    let c = (ICON_PX as f32 - 1.0) / 2.0;
    let radius = ICON_PX as f32 / 2.0 - 2.0;
    let mut out = Vec::with_capacity((ICON_PX * ICON_PX * 4) as usize);
    for y in 0..ICON_PX {
        for x in 0..ICON_PX {
            let d = ((x as f32 - c).powi(2) + (y as f32 - c).powi(2)).sqrt();
            let alpha = (radius + 0.5 - d).clamp(0.0, 1.0);
            out.extend_from_slice(&[(alpha * 255.0) as u8, r, g, b]);
        }
    }
    out
}

/// The platform tray; on failure (no D-Bus, no StatusNotifierWatcher) logs once and does
/// nothing.
#[cfg(target_os = "linux")]
pub fn system_tray(handle: &Handle, ctx: egui::Context, lang: Language) -> Box<dyn Tray> {
    Box::new(linux::KsniTray::start(handle, ctx, lang))
}

/// The platform tray: not implemented on this OS yet (logs that once).
#[cfg(not(target_os = "linux"))]
pub fn system_tray(_handle: &Handle, _ctx: egui::Context, _lang: Language) -> Box<dyn Tray> {
    tracing::info!("tray icon not implemented on this OS yet");
    Box::new(crate::notify::Silent)
}

#[cfg(target_os = "linux")]
mod linux {
    use ksni::{menu::StandardItem, MenuItem, TrayMethods};
    use porpoise_ui::Language;
    use tokio::{runtime::Handle, sync::mpsc};

    use super::{icon_argb, Tray, TrayStatus, ICON_PX};
    use crate::i18n::{self, Msg};

    /// Sends status changes to the ksni service running on the tokio runtime.
    pub(super) struct KsniTray {
        updates: mpsc::Sender<TrayStatus>,
    }

    impl KsniTray {
        pub(super) fn start(handle: &Handle, ctx: egui::Context, lang: Language) -> Self {
            let (updates, mut rx) = mpsc::channel::<TrayStatus>(16);
            handle.spawn(async move {
                let item = AgentTray {
                    ctx,
                    lang,
                    status: TrayStatus::Offline,
                };
                // Register even before a tray host shows up (hosts may start after us).
                let service = item.assume_sni_available(true).spawn().await;
                let tray = match service {
                    Ok(tray) => tray,
                    Err(e) => {
                        tracing::info!(error = %e, "no tray icon: StatusNotifierItem unavailable");
                        return;
                    }
                };
                tracing::info!("tray icon registered");
                while let Some(status) = rx.recv().await {
                    if tray.update(|t| t.status = status).await.is_none() {
                        tracing::info!("tray service ended");
                        return;
                    }
                }
                tray.shutdown().await;
            });
            KsniTray { updates }
        }
    }

    impl Tray for KsniTray {
        fn set_status(&self, status: TrayStatus) {
            // A full queue only means newer statuses are about to be sent anyway.
            let _ = self.updates.try_send(status);
        }
    }

    struct AgentTray {
        ctx: egui::Context,
        lang: Language,
        status: TrayStatus,
    }

    impl AgentTray {
        fn show_window(&self) {
            self.ctx
                .send_viewport_cmd(egui::ViewportCommand::Visible(true));
            self.ctx
                .send_viewport_cmd(egui::ViewportCommand::Minimized(false));
            self.ctx.send_viewport_cmd(egui::ViewportCommand::Focus);
            self.ctx.request_repaint();
        }

        fn title_text(&self) -> String {
            match self.status {
                TrayStatus::Offline => {
                    format!(
                        "{} — {}",
                        Msg::AppName.text(self.lang),
                        Msg::TrayOffline.text(self.lang)
                    )
                }
                TrayStatus::Online { queue_len } => i18n::window_title(self.lang, Some(queue_len)),
            }
        }
    }

    impl ksni::Tray for AgentTray {
        fn id(&self) -> String {
            "porpoise-agent".into()
        }

        fn title(&self) -> String {
            self.title_text()
        }

        fn status(&self) -> ksni::Status {
            match self.status {
                TrayStatus::Online { queue_len } if queue_len > 0 => ksni::Status::NeedsAttention,
                TrayStatus::Online { .. } => ksni::Status::Active,
                TrayStatus::Offline => ksni::Status::Passive,
            }
        }

        fn icon_pixmap(&self) -> Vec<ksni::Icon> {
            vec![ksni::Icon {
                width: ICON_PX,
                height: ICON_PX,
                data: icon_argb(self.status),
            }]
        }

        fn attention_icon_pixmap(&self) -> Vec<ksni::Icon> {
            self.icon_pixmap()
        }

        fn tool_tip(&self) -> ksni::ToolTip {
            ksni::ToolTip {
                title: self.title_text(),
                ..Default::default()
            }
        }

        fn activate(&mut self, _x: i32, _y: i32) {
            self.show_window();
        }

        fn menu(&self) -> Vec<MenuItem<Self>> {
            vec![
                StandardItem {
                    label: Msg::TrayShow.text(self.lang).into(),
                    activate: Box::new(|t: &mut Self| t.show_window()),
                    ..Default::default()
                }
                .into(),
                MenuItem::Separator,
                StandardItem {
                    label: Msg::TrayQuit.text(self.lang).into(),
                    activate: Box::new(|t: &mut Self| {
                        t.ctx.send_viewport_cmd(egui::ViewportCommand::Close)
                    }),
                    ..Default::default()
                }
                .into(),
            ]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icon_colour_follows_status() {
        let icon = icon_argb(TrayStatus::Online { queue_len: 2 });
        assert_eq!(icon.len(), (ICON_PX * ICON_PX * 4) as usize);
        let centre = ((ICON_PX / 2 * ICON_PX + ICON_PX / 2) * 4) as usize;
        assert_eq!(&icon[centre..centre + 4], &[255, 0xf0, 0x8c, 0x00]);
        assert_eq!(icon[0], 0, "corners are transparent");
        assert_ne!(
            status_rgb(TrayStatus::Offline),
            status_rgb(TrayStatus::Online { queue_len: 0 })
        );
    }
}
