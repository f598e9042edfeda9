//! The event queue: a binary heap ordered by delivery time. Among events due at the
//! same time, connection events come first in the order of their connection's global
//! key, then self events first-in first-out. That order does not depend on how cells
//! are split into groups, so results are the same for any thread count.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// What a queued event does when delivered.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum EventKind {
    /// Deliver to the target of a connection, with its weights.
    NetCon(u32),
    /// A self event (`net_send`) back to a mechanism instance.
    SelfEvent {
        slot: u32,
        inst: u32,
        flag: f64,
        weight_ref: Option<u32>,
    },
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    t: f64, // [ms]
    key: u64,
    seq: u64,
    kind: EventKind,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    // Reversed: the heap pops the earliest time, then the lowest sequence number.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .t
            .total_cmp(&self.t)
            .then(other.key.cmp(&self.key))
            .then(other.seq.cmp(&self.seq))
    }
}

/// Pending events of one cell group.
#[derive(Debug, Default)]
pub struct EventQueue {
    heap: BinaryHeap<Entry>,
    seq: u64,
}

impl EventQueue {
    /// Queue an event; `key` orders events due at the same time (self events use
    /// `u64::MAX`).
    pub(crate) fn push(&mut self, t: f64, key: u64, kind: EventKind) {
        self.seq += 1;
        self.heap.push(Entry {
            t,
            key,
            seq: self.seq,
            kind,
        });
    }

    /// Remove and return the earliest event due at or before `til` `[ms]`.
    pub(crate) fn pop_until(&mut self, til: f64) -> Option<(f64, EventKind)> {
        if self.heap.peek().is_some_and(|e| e.t <= til) {
            self.heap.pop().map(|e| (e.t, e.kind))
        } else {
            None
        }
    }

    /// Number of pending events.
    #[must_use]
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    pub(crate) fn clear(&mut self) {
        self.heap.clear();
        self.seq = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_among_equal_times() {
        let mut q = EventQueue::default();
        q.push(2.0, u64::MAX, EventKind::NetCon(1));
        q.push(1.0, u64::MAX, EventKind::NetCon(2));
        q.push(2.0, u64::MAX, EventKind::NetCon(3));
        q.push(1.0, u64::MAX, EventKind::NetCon(4));
        assert_eq!(q.pop_until(0.5), None);
        let order: Vec<_> = std::iter::from_fn(|| q.pop_until(10.0))
            .map(|(_, k)| k)
            .collect();
        assert_eq!(
            order,
            vec![
                EventKind::NetCon(2),
                EventKind::NetCon(4),
                EventKind::NetCon(1),
                EventKind::NetCon(3)
            ]
        );
    }
}
