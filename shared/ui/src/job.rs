//! Blocking work off the UI thread (issue 12): a [`Job`] runs one closure on its own thread and
//! the UI polls it once per frame, so saving files, encoding or decoding pictures and PDFs, and
//! reading files never stall a frame.
//!
//! - [`Job::start`] spawns the thread; when the closure returns, the thread requests a repaint of
//!   the given [`egui::Context`], so the next frame collects the result with [`Job::poll`].
//! - While a job of a context is started but not yet collected, that context reports
//!   [`egui::Context::has_pending_images`] (through a small loader registered on first use), so
//!   that test harnesses such as `egui_kittest` keep stepping until the result is shown, just as
//!   they wait for images being loaded.
//!
//! Used by both apps: the chat pictures ([`crate::chat_pictures`]), transcripts, screenshots and
//! the screenshot tools.

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        mpsc::{self, Receiver, RecvTimeoutError, TryRecvError},
        Arc,
    },
    time::{Duration, Instant},
};

use egui::load::{BytesLoadResult, BytesLoader, LoadError};

/// Why a job gave no result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    /// The worker thread could not be started (the system's reason).
    #[error("cannot start a worker thread: {0}")]
    Spawn(String),
    /// The worker thread ended without a result (it panicked).
    #[error("the worker thread stopped")]
    Stopped,
}

/// Counts the jobs of one context that were started and not yet collected.
#[derive(Default)]
struct Pending(AtomicUsize);

impl BytesLoader for Pending {
    fn id(&self) -> &str {
        "porpoise_ui::job::Pending"
    }

    fn load(&self, _ctx: &egui::Context, _uri: &str) -> BytesLoadResult {
        Err(LoadError::NotSupported)
    }

    fn forget(&self, _uri: &str) {}

    fn forget_all(&self) {}

    fn byte_size(&self) -> usize {
        0
    }

    fn has_pending(&self) -> bool {
        self.0.load(Ordering::Acquire) > 0
    }
}

/// The pending-job counter of `ctx`, registered as a bytes loader on first use (UI thread).
fn pending_of(ctx: &egui::Context) -> Arc<Pending> {
    let id = egui::Id::unique("porpoise_ui::job::Pending");
    if let Some(p) = ctx.data(|d| d.get_temp::<Arc<Pending>>(id)) {
        return p;
    }
    let p = Arc::new(Pending::default());
    ctx.data_mut(|d| d.insert_temp(id, p.clone()));
    // Not inside `data_mut`: the context's lock is not reentrant.
    ctx.add_bytes_loader(p.clone());
    p
}

/// Marks one job of a context pending until dropped.
struct PendingGuard(Arc<Pending>);

impl PendingGuard {
    fn new(ctx: &egui::Context) -> Self {
        let pending = pending_of(ctx);
        pending.0.fetch_add(1, Ordering::AcqRel);
        Self(pending)
    }
}

impl Drop for PendingGuard {
    fn drop(&mut self) {
        self.0 .0.fetch_sub(1, Ordering::AcqRel);
    }
}

enum State<T> {
    Running(Receiver<T>),
    Failed(JobError),
    Collected,
}

/// One piece of blocking work on its own thread, polled by the UI (see the module docs).
///
/// Dropping a job does not stop its thread; its result is then discarded.
pub struct Job<T> {
    state: State<T>,
    _pending: Option<PendingGuard>,
}

impl<T> std::fmt::Debug for Job<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match &self.state {
            State::Running(_) => "running",
            State::Failed(_) => "failed",
            State::Collected => "collected",
        };
        write!(f, "Job({state})")
    }
}

impl<T: Send + 'static> Job<T> {
    /// Runs `work` on a new thread named `name`. When it returns, `ctx` (if any) is asked to
    /// repaint; until [`Job::poll`] hands the result over, `ctx` reports pending images.
    ///
    /// Never fails here: a thread that cannot be started is reported by the first
    /// [`Job::poll`] as [`JobError::Spawn`].
    pub fn start(
        name: &str,
        ctx: Option<&egui::Context>,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Self {
        let pending = ctx.map(PendingGuard::new);
        let repaint = ctx.cloned();
        let (tx, rx) = mpsc::sync_channel(1);
        let spawned = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                let _ = tx.send(work());
                if let Some(ctx) = repaint {
                    ctx.request_repaint();
                }
            });
        let state = match spawned {
            Ok(_) => State::Running(rx),
            Err(e) => State::Failed(JobError::Spawn(e.to_string())),
        };
        Self {
            state,
            _pending: pending,
        }
    }
}

impl<T> Job<T> {
    /// The result once the work is done (`Some` exactly once), else `None`. Never blocks; call
    /// once per frame.
    ///
    /// Errors: [`JobError::Spawn`] or [`JobError::Stopped`] (the work panicked).
    pub fn poll(&mut self) -> Option<Result<T, JobError>> {
        let done = match &mut self.state {
            State::Running(rx) => match rx.try_recv() {
                Ok(value) => Ok(value),
                Err(TryRecvError::Empty) => return None,
                Err(TryRecvError::Disconnected) => Err(JobError::Stopped),
            },
            State::Failed(e) => Err(e.clone()),
            State::Collected => return None,
        };
        self.collected();
        Some(done)
    }

    /// Blocks up to `timeout` for the result (tests and shutdown only; never on the UI thread
    /// of a running app). `None` when the time ran out or the result was already collected.
    ///
    /// Errors: as [`Job::poll`].
    pub fn wait(&mut self, timeout: Duration) -> Option<Result<T, JobError>> {
        let done = match &mut self.state {
            State::Running(rx) => match rx.recv_timeout(timeout) {
                Ok(value) => Ok(value),
                Err(RecvTimeoutError::Timeout) => return None,
                Err(RecvTimeoutError::Disconnected) => Err(JobError::Stopped),
            },
            State::Failed(e) => Err(e.clone()),
            State::Collected => return None,
        };
        self.collected();
        Some(done)
    }

    /// Whether the result is still to be collected.
    pub fn is_running(&self) -> bool {
        !matches!(self.state, State::Collected)
    }

    fn collected(&mut self) {
        self.state = State::Collected;
        self._pending = None;
    }
}

/// Polls the job in `slot`, emptying the slot once it gave its result.
///
/// Errors: as [`Job::poll`].
pub fn poll_slot<T>(slot: &mut Option<Job<T>>) -> Option<Result<T, JobError>> {
    let done = slot.as_mut()?.poll();
    if done.is_some() {
        *slot = None;
    }
    done
}

/// Waits for every job in `jobs` until `deadline` (tests only), returning the results in order;
/// jobs still running at the deadline are kept in `jobs`.
pub fn wait_all<T>(jobs: &mut Vec<Job<T>>, deadline: Instant) -> Vec<Result<T, JobError>> {
    let mut out = Vec::new();
    jobs.retain_mut(|job| {
        let left = deadline.saturating_duration_since(Instant::now());
        match job.wait(left) {
            Some(done) => {
                out.push(done);
                false
            }
            None => job.is_running(),
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_reports_once_and_keeps_its_context_pending_until_collected() {
        let ctx = egui::Context::default();
        let (go, wait) = mpsc::channel::<()>();
        let mut job = Job::start("test-job", Some(&ctx), move || {
            let _ = wait.recv();
            7
        });
        assert!(job.poll().is_none(), "still working");
        assert!(ctx.has_pending_images());
        go.send(()).expect("send");
        assert_eq!(job.wait(Duration::from_secs(10)), Some(Ok(7)));
        assert!(!ctx.has_pending_images(), "collected");
        assert_eq!(job.poll(), None, "only once");
        assert!(!job.is_running());
    }

    #[test]
    fn a_panicking_job_is_an_error_and_slots_empty_when_done() {
        let mut slot = Some(Job::start("test-panic", None, || -> u8 { panic!("boom") }));
        let deadline = Instant::now() + Duration::from_secs(10);
        let done = loop {
            if let Some(done) = poll_slot(&mut slot) {
                break done;
            }
            assert!(Instant::now() < deadline);
            std::thread::sleep(Duration::from_millis(2));
        };
        assert_eq!(done, Err(JobError::Stopped));
        assert!(slot.is_none());
    }
}
