//! The event queue: a binary heap ordered by delivery time. Among events due at the
//! same time, connection events come first in the order of their connection's global
//! key, then self events first-in first-out. That order does not depend on how cells
//! are split into groups, so results are the same for any thread count.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// What a queued event does when delivered.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum EventKind {
    /// Deliver to the target of a connection (position `nc`), whose weights start at
    /// `w_off`.
    NetCon {
        nc: u32,
        slot: u32,
        inst: u32,
        w_off: u32,
    },
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

/// Number of half-step bins in the ring (events further ahead wait in `far`).
const RING: usize = 1024;

/// Pending events of one cell group.
///
/// Events are binned by half time step: `bin(t) = floor(t * 2/dt)`. Only bins up to the
/// bin of the latest delivery horizon are kept in `near`, a small binary heap; later
/// bins wait unsorted in a ring of vectors (and beyond the ring, in `far`). Because
/// `bin` is monotone, every event due by a horizon is in `near` when it is popped, so
/// the delivery order is exactly that of one global heap — at the cost of a heap of a
/// few dozen events instead of thousands.
#[derive(Debug)]
pub struct EventQueue {
    near: BinaryHeap<Entry>,
    ring: Vec<Vec<Entry>>,
    /// First bin not yet moved into `near`; the ring holds bins
    /// `base .. base + RING`.
    base: i64,
    far: BinaryHeap<Entry>,
    /// `2 / dt` `[1/ms]`.
    inv_half: f64,
    seq: u64,
    len: usize,
    /// Events in the ring.
    in_ring: usize,
}

impl Default for EventQueue {
    fn default() -> Self {
        Self::new(0.025)
    }
}

impl EventQueue {
    /// An empty queue for time step `dt` `[ms]`.
    #[must_use]
    pub fn new(dt: f64) -> Self {
        Self {
            near: BinaryHeap::new(),
            ring: vec![Vec::new(); RING],
            base: 0,
            far: BinaryHeap::new(),
            inv_half: 2.0 / dt,
            seq: 0,
            len: 0,
            in_ring: 0,
        }
    }

    #[inline]
    fn bin(&self, t: f64) -> i64 {
        // Saturating float-to-int conversion; NaN maps to 0 (delivered at once).
        (t * self.inv_half).floor() as i64
    }

    fn place(&mut self, e: Entry) {
        let b = self.bin(e.t);
        if b < self.base {
            self.near.push(e);
        } else if b < self.base + RING as i64 {
            self.ring[(b as usize) % RING].push(e);
            self.in_ring += 1;
        } else {
            self.far.push(e);
        }
    }

    /// Queue an event; `key` orders events due at the same time (self events use
    /// `u64::MAX`).
    pub(crate) fn push(&mut self, t: f64, key: u64, kind: EventKind) {
        self.seq += 1;
        self.len += 1;
        let e = Entry {
            t,
            key,
            seq: self.seq,
            kind,
        };
        self.place(e);
    }

    /// Move every bin up to and including `bin(til)` into `near`.
    fn advance(&mut self, til: f64) {
        let last = self.bin(til);
        while self.base <= last {
            if self.len == 0 {
                self.base = last + 1;
                break;
            }
            let slot = (self.base as usize) % RING;
            let mut bucket = std::mem::take(&mut self.ring[slot]);
            self.in_ring -= bucket.len();
            self.near.extend(bucket.drain(..));
            self.ring[slot] = bucket;
            self.base += 1;
            // The ring now reaches one bin further: pull it in from `far`.
            let horizon = self.base + RING as i64;
            while self.far.peek().is_some_and(|top| self.bin(top.t) < horizon) {
                if let Some(e) = self.far.pop() {
                    self.place(e);
                }
            }
            // Skip empty stretches quickly when nothing is pending nearby.
            if self.near.is_empty()
                && self.in_ring == 0
                && let Some(top) = self.far.peek()
            {
                let next = self.bin(top.t).min(last + 1);
                if next > self.base {
                    self.base = next;
                }
            }
        }
    }

    /// Remove and return the earliest event due at or before `til` `[ms]`.
    pub(crate) fn pop_until(&mut self, til: f64) -> Option<(f64, EventKind)> {
        if self.len == 0 {
            return None;
        }
        if self.bin(til) >= self.base {
            self.advance(til);
        }
        if self.near.peek().is_some_and(|e| e.t <= til) {
            self.len -= 1;
            self.near.pop().map(|e| (e.t, e.kind))
        } else {
            None
        }
    }

    /// Number of pending events.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(crate) fn clear(&mut self) {
        self.near.clear();
        self.far.clear();
        self.ring.iter_mut().for_each(Vec::clear);
        self.base = 0;
        self.seq = 0;
        self.len = 0;
        self.in_ring = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nc(i: u32) -> EventKind {
        EventKind::NetCon {
            nc: i,
            slot: 0,
            inst: 0,
            w_off: 0,
        }
    }

    #[test]
    fn fifo_among_equal_times() {
        let mut q = EventQueue::default();
        q.push(2.0, u64::MAX, nc(1));
        q.push(1.0, u64::MAX, nc(2));
        q.push(2.0, u64::MAX, nc(3));
        q.push(1.0, u64::MAX, nc(4));
        assert_eq!(q.pop_until(0.5), None);
        let order: Vec<_> = std::iter::from_fn(|| q.pop_until(10.0))
            .map(|(_, k)| k)
            .collect();
        assert_eq!(order, vec![nc(2), nc(4), nc(1), nc(3)]);
    }

    #[test]
    fn keys_order_equal_times() {
        let mut q = EventQueue::default();
        q.push(1.0, 7, nc(7));
        q.push(1.0, 3, nc(3));
        q.push(1.0, u64::MAX, nc(9));
        let order: Vec<_> = std::iter::from_fn(|| q.pop_until(1.0))
            .map(|(_, k)| k)
            .collect();
        assert_eq!(order, vec![nc(3), nc(7), nc(9)]);
    }

    /// The binned queue pops exactly what one global heap would, for random times,
    /// far-future events and increasing horizons.
    #[test]
    fn same_order_as_a_single_heap() {
        let mut state = 12345u64;
        let mut rnd = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let dt = 0.025;
        let mut q = EventQueue::new(dt);
        let mut reference: Vec<(f64, u64, u64)> = Vec::new();
        let mut seq = 0u64;
        let mut t = 0.0;
        let mut popped = Vec::new();
        let mut expected = Vec::new();
        for step in 0..4000 {
            for _ in 0..3 {
                let delay = if rnd() < 0.05 {
                    30.0 + 100.0 * rnd()
                } else {
                    5.0 * rnd()
                };
                let key = (rnd() * 10.0) as u64;
                seq += 1;
                q.push(t + delay, key, nc(seq as u32));
                reference.push((t + delay, key, seq));
            }
            let til = if step % 2 == 0 { t + 0.5 * dt } else { t };
            while let Some(e) = q.pop_until(til) {
                popped.push(e);
            }
            reference.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
            let n = reference.iter().take_while(|e| e.0 <= til).count();
            for e in reference.drain(..n) {
                expected.push((e.0, nc(e.2 as u32)));
            }
            t += 0.5 * dt;
        }
        assert!(popped.len() > 5000);
        assert_eq!(popped, expected);
        assert_eq!(q.len(), reference.len());
    }
}
