//! A dedicated injection thread, so that a non-`Send` platform injector can be fed from async
//! code.

use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc,
};

use porpoise_protocol::input::InputEvent;
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, warn};

use super::{InjectError, InputInjector};

/// Events that may wait for the injection thread; [`InjectorThread::send`] waits when full.
pub const INJECT_QUEUE_CAPACITY: usize = 256;

/// Makes an injector on the injection thread (so it need not be `Send`).
pub type InjectorFactory =
    Arc<dyn Fn() -> Result<Box<dyn InputInjector>, InjectError> + Send + Sync>;

/// Handle to a running injection thread. Dropping it (or [`InjectorThread::stop`]) discards
/// queued events at once, releases held keys and buttons, and ends the thread.
#[derive(Debug)]
pub struct InjectorThread {
    events: mpsc::Sender<InputEvent>,
    active: Arc<AtomicBool>,
}

impl InjectorThread {
    /// Starts a thread, makes the injector there with `factory`, and returns once it is ready.
    ///
    /// Errors: the factory's error (e.g. [`InjectError::Unavailable`] with no display), or
    /// [`InjectError::Stopped`] if the thread could not be started.
    pub async fn spawn(factory: InjectorFactory) -> Result<Self, InjectError> {
        let (events, mut rx) = mpsc::channel::<InputEvent>(INJECT_QUEUE_CAPACITY);
        let (ready_tx, ready_rx) = oneshot::channel();
        let active = Arc::new(AtomicBool::new(true));
        let flag = active.clone();
        std::thread::Builder::new()
            .name("input-inject".into())
            .spawn(move || {
                let mut injector = match factory() {
                    Ok(i) => {
                        let _ = ready_tx.send(Ok(()));
                        i
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                while let Some(ev) = rx.blocking_recv() {
                    if !flag.load(Ordering::Acquire) {
                        break;
                    }
                    if let Err(e) = injector.inject(&ev) {
                        warn!(error = %e, "input event not injected");
                    }
                }
                injector.release_all();
                debug!("input injection thread ends");
            })
            .map_err(|_| InjectError::Stopped)?;
        ready_rx.await.map_err(|_| InjectError::Stopped)??;
        Ok(Self { events, active })
    }

    /// Queues one event for injection.
    ///
    /// Errors: [`InjectError::Stopped`] if the thread has ended.
    pub async fn send(&self, ev: InputEvent) -> Result<(), InjectError> {
        if !self.active.load(Ordering::Acquire) {
            return Err(InjectError::Stopped);
        }
        self.events.send(ev).await.map_err(|_| InjectError::Stopped)
    }

    /// Stops injecting at once: queued events are discarded, held keys and buttons released.
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for InjectorThread {
    fn drop(&mut self) {
        self.active.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use porpoise_protocol::input::{KeyEvent, MouseEvent};

    use super::*;

    #[derive(Default, Clone)]
    struct Log(Arc<Mutex<Vec<String>>>);

    struct Recorder(Log);

    impl InputInjector for Recorder {
        fn inject(&mut self, ev: &InputEvent) -> Result<(), InjectError> {
            self.0 .0.lock().expect("lock").push(format!("{ev:?}"));
            Ok(())
        }
        fn release_all(&mut self) {
            self.0 .0.lock().expect("lock").push("release".into());
        }
    }

    #[tokio::test]
    async fn injects_in_order_and_releases_on_stop() {
        let log = Log::default();
        let l = log.clone();
        let factory: InjectorFactory =
            Arc::new(move || Ok(Box::new(Recorder(l.clone())) as Box<dyn InputInjector>));
        let thread = InjectorThread::spawn(factory).await.expect("spawn");
        thread
            .send(InputEvent::Mouse(MouseEvent::MoveTo { x: 1, y: 2 }))
            .await
            .expect("send");
        thread
            .send(InputEvent::Key(KeyEvent::Text("hi".into())))
            .await
            .expect("send");
        // Wait for both to be injected before stopping.
        for _ in 0..200 {
            if log.0.lock().expect("lock").len() >= 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        thread.stop();
        for _ in 0..200 {
            if log.0.lock().expect("lock").last().map(String::as_str) == Some("release") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let got = log.0.lock().expect("lock").clone();
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(got[0].contains("MoveTo"));
        assert!(got[1].contains("hi"));
        assert_eq!(got[2], "release");
    }

    #[tokio::test]
    async fn factory_error_is_returned() {
        let factory: InjectorFactory =
            Arc::new(|| Err(InjectError::Unavailable("no display".into())));
        let err = InjectorThread::spawn(factory).await.expect_err("must fail");
        assert_eq!(err, InjectError::Unavailable("no display".into()));
    }
}
