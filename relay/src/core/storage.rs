//! Each center's storage quota (issue 14): the bytes of chat texts, chat pictures and offline
//! messages it holds are counted, and a new message that would pass
//! [`CenterSettings::storage_quota_bytes`](porpoise_protocol::wire::CenterSettings) is refused
//! with `Conflict::StorageFull { used_bytes, quota_bytes }`. The count starts from the store's
//! sums at start-up ([`super::Snapshot::storage_used`]) and is replaced by fresh sums after
//! every retention prune (`crate::retention`), so it may be off by the writes in flight then.

use porpoise_protocol::wire::{ApiError, CenterId, Conflict};

use super::Core;

impl Core {
    /// Counts `bytes` more for `center_id`, or refuses if that passes its quota.
    ///
    /// Errors: `Conflict(StorageFull)` with the bytes used and the quota.
    pub(super) fn charge_storage(
        &mut self,
        center_id: CenterId,
        bytes: u64,
    ) -> Result<(), ApiError> {
        let quota = self
            .centers
            .get(&center_id)
            .map_or(porpoise_protocol::wire::DEFAULT_STORAGE_QUOTA_BYTES, |c| {
                c.settings.storage_quota_bytes
            });
        let used = self.storage_used.entry(center_id).or_default();
        if used.saturating_add(bytes) > quota {
            tracing::warn!(%center_id, used = *used, quota, "center storage quota reached");
            return Err(ApiError::Conflict(Conflict::StorageFull {
                used_bytes: *used,
                quota_bytes: quota,
            }));
        }
        *used += bytes;
        Ok(())
    }

    /// Bytes `center_id` stores now (as counted).
    pub(super) fn storage_used(&self, center_id: CenterId) -> u64 {
        self.storage_used.get(&center_id).copied().unwrap_or(0)
    }

    /// Replaces the counts with the store's sums (after a retention prune).
    pub fn set_storage_used(&mut self, usage: impl IntoIterator<Item = (CenterId, u64)>) {
        self.storage_used = usage.into_iter().collect();
    }
}
