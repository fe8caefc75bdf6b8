//! A set of keyed deadlines: set, replace, cancel, earliest, pop the due ones. O(log n) each, so
//! that `Core::poll_timeout` stays cheap with many sessions.

use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;
use std::time::Instant;

/// Keyed deadlines; each key has at most one deadline.
#[derive(Debug)]
pub struct Deadlines<K> {
    by_time: BTreeSet<(Instant, u64, K)>,
    by_key: HashMap<K, (Instant, u64)>,
    next_seq: u64,
}

impl<K> Default for Deadlines<K> {
    fn default() -> Self {
        Deadlines {
            by_time: BTreeSet::new(),
            by_key: HashMap::new(),
            next_seq: 0,
        }
    }
}

impl<K: Copy + Ord + Hash> Deadlines<K> {
    /// Sets (or moves) the deadline of `key`.
    pub fn set(&mut self, key: K, at: Instant) {
        self.cancel(key);
        let seq = self.next_seq;
        self.next_seq += 1;
        self.by_time.insert((at, seq, key));
        self.by_key.insert(key, (at, seq));
    }

    /// Removes the deadline of `key`, if any.
    pub fn cancel(&mut self, key: K) {
        if let Some((at, seq)) = self.by_key.remove(&key) {
            self.by_time.remove(&(at, seq, key));
        }
    }

    /// The earliest deadline.
    pub fn next(&self) -> Option<Instant> {
        self.by_time.first().map(|(at, _, _)| *at)
    }

    /// Removes and returns the earliest key whose deadline is at or before `now` (earliest
    /// first; keys with equal deadlines in the order they were set).
    pub fn pop_due(&mut self, now: Instant) -> Option<K> {
        let (at, seq, key) = *self.by_time.first()?;
        if at > now {
            return None;
        }
        self.by_time.remove(&(at, seq, key));
        self.by_key.remove(&key);
        Some(key)
    }

    /// Number of deadlines set.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.by_key.len()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn set_move_cancel_pop() {
        let t0 = Instant::now();
        let at = |ms| t0 + Duration::from_millis(ms);
        let mut d = Deadlines::default();
        d.set(1u8, at(30));
        d.set(2, at(10));
        d.set(3, at(10));
        assert_eq!(d.next(), Some(at(10)));
        d.set(2, at(40));
        d.cancel(3);
        assert_eq!(d.next(), Some(at(30)));
        assert_eq!(d.pop_due(at(29)), None);
        assert_eq!(d.pop_due(at(100)), Some(1));
        assert_eq!(d.pop_due(at(100)), Some(2));
        assert_eq!(d.pop_due(at(100)), None);
        assert_eq!(d.len(), 0);
    }
}
