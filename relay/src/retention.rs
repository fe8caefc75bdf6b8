//! The retention job (issue 14): once a day (first [`FIRST_PRUNE_AFTER`] after start) the relay
//! deletes what each center keeps longer than its retention period
//! ([`Store::prune`](crate::store::Store::prune)) and hands the core fresh storage sums, which
//! its storage quota counts from ([`crate::core::Core::set_storage_used`]).

use std::time::Duration;

use porpoise_protocol::wire::CenterId;
use tracing::{info, warn};

use crate::store::{unix_ms_now, Store};

/// Time between two prunes (default of [`crate::RelayConfig::prune_interval`]).
pub const PRUNE_INTERVAL: Duration = Duration::from_secs(24 * 60 * 60);
/// The first prune runs this long after start (or after one interval, if shorter), out of the
/// way of the start-up logins.
pub const FIRST_PRUNE_AFTER: Duration = Duration::from_secs(60);

/// Prunes every center with a retention period, then sums what each center stores.
/// `None` (logged) when the database failed; the next run tries again.
pub async fn prune_once(store: &Store) -> Option<Vec<(CenterId, u64)>> {
    match store.prune(unix_ms_now()).await {
        Ok(report) if report.centers > 0 => info!(?report, "retention prune done"),
        Ok(_) => {}
        Err(e) => warn!("retention prune failed: {e}"),
    }
    match store.storage_usage().await {
        Ok(usage) => Some(usage),
        Err(e) => {
            warn!("cannot sum storage use: {e}");
            None
        }
    }
}
