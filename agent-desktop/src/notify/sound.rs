//! Notification sound (A3): the bundled chime played with rodio on a dedicated thread.

use super::Sound;

/// The queue chime (CC0, see assets/sounds/README.md): mono 16-bit WAV, 0.62 s.
pub static QUEUE_CHIME_WAV: &[u8] = include_bytes!("../../../assets/sounds/queue-chime.wav");

/// The platform's sound output. The audio device is opened on first use, on the sound thread;
/// without one the failure is logged once and later chimes are skipped.
#[cfg(any(target_os = "linux", target_os = "windows"))]
pub fn system_sound() -> Box<dyn Sound> {
    match rodio_sound::RodioSound::start() {
        Ok(s) => Box::new(s),
        Err(e) => {
            tracing::warn!(error = %e, "could not start the sound thread; no sounds");
            Box::new(crate::notify::Silent)
        }
    }
}

/// The platform's sound output: not implemented on this OS yet (logs that once).
#[cfg(not(any(target_os = "linux", target_os = "windows")))]
pub fn system_sound() -> Box<dyn Sound> {
    tracing::info!("notification sounds not implemented on this OS yet");
    Box::new(crate::notify::Silent)
}

#[cfg(any(target_os = "linux", target_os = "windows"))]
mod rodio_sound {
    use std::sync::mpsc;

    use super::{Sound, QUEUE_CHIME_WAV};
    use crate::notify::LogOnce;

    /// Chimes waiting to play; more are dropped (they would only repeat the same sound).
    const QUEUE: usize = 2;

    pub(super) struct RodioSound {
        requests: mpsc::SyncSender<()>,
    }

    impl RodioSound {
        pub(super) fn start() -> std::io::Result<Self> {
            let (requests, rx) = mpsc::sync_channel::<()>(QUEUE);
            std::thread::Builder::new()
                .name("sound".into())
                .spawn(move || play_loop(rx))?;
            Ok(RodioSound { requests })
        }
    }

    impl Sound for RodioSound {
        fn play_chime(&self) {
            let _ = self.requests.try_send(());
        }
    }

    fn play_loop(requests: mpsc::Receiver<()>) {
        let failures = LogOnce::default();
        let mut sink: Option<rodio::MixerDeviceSink> = None;
        let mut unavailable = false;
        while requests.recv().is_ok() {
            if unavailable {
                continue;
            }
            if sink.is_none() {
                match rodio::DeviceSinkBuilder::open_default_sink() {
                    Ok(mut s) => {
                        s.log_on_drop(false);
                        sink = Some(s);
                    }
                    Err(e) => {
                        failures.failed("sound output", &e);
                        unavailable = true;
                        continue;
                    }
                }
            }
            let Some(s) = &sink else { continue };
            match rodio::play(s.mixer(), std::io::Cursor::new(QUEUE_CHIME_WAV)) {
                Ok(player) => player.sleep_until_end(),
                Err(e) => failures.failed("sound playback", &e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chime_is_a_short_pcm_wav() {
        assert_eq!(&QUEUE_CHIME_WAV[0..4], b"RIFF");
        assert_eq!(&QUEUE_CHIME_WAV[8..12], b"WAVE");
        assert!(QUEUE_CHIME_WAV.len() < 64 * 1024);
    }
}
