//! Project-level keyed random streams.
//!
//! Every random quantity Ranvier draws for its own purposes (connectivity,
//! initial-condition jitter, synaptic weights, …) comes from a [`KeyedRng`]
//! identified by a [`StreamKey`] `(seed, gid, purpose)`. The generator is
//! counter based (Philox4x32-10): draw `n` of a stream is a pure function of the
//! key and `n`. Hence results depend **only on the key and on the number of draws
//! made from that stream before**, never on the number of threads or ranks, on
//! scheduling, or on which other streams exist or were used first. Give each
//! independent use its own `purpose` (and each cell its own `gid`) and the
//! simulation is reproducible under any parallel decomposition.
//!
//! # Mapping to Philox
//!
//! * key: `[seed as u32, (seed >> 32) as u32 ^ KEYED_DOMAIN_TAG]`
//! * counter: `[block as u32, (block >> 32) as u32, gid, purpose]`
//!
//! where `block` is the 64-bit index of the 128-bit block within the stream. The
//! tag in key word 1 keeps these streams disjoint from NEURON-compatible
//! [`crate::Nrnran123`] streams (whose key word 1 is always 0) unless a seed's
//! high word equals the tag.
//!
//! Integer draws are exact on every platform. Floating-point draws that use
//! `ln`, `cos` or `sqrt` ([`KeyedRng::normal`], [`KeyedRng::exponential`]) are
//! deterministic for a given platform math library (the same binary always gives
//! the same values); `uniform*` and `gen_index` are bit-exact everywhere.

use crate::philox::{Key2x32, philox4x32};

/// XOR-ed into key word 1 to separate keyed streams from `nrnran123` streams
/// (ASCII `"RANV"`).
pub const KEYED_DOMAIN_TAG: u32 = 0x5241_4E56;

/// `2^-53`: the spacing of [`KeyedRng::uniform`] results.
const TWO_POW_M53: f64 = 1.0 / 9_007_199_254_740_992.0;

/// Identity of one independent random stream.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StreamKey {
    /// Global simulation seed (e.g. the run number).
    pub seed: u64,
    /// Cell (or other entity) global id.
    pub gid: u32,
    /// What the stream is for; different purposes are independent streams.
    pub purpose: u32,
}

impl StreamKey {
    /// A key from its parts.
    #[must_use]
    pub const fn new(seed: u64, gid: u32, purpose: u32) -> Self {
        Self { seed, gid, purpose }
    }

    /// The Philox key of this stream.
    #[must_use]
    pub const fn philox_key(&self) -> Key2x32 {
        [
            self.seed as u32,
            ((self.seed >> 32) as u32) ^ KEYED_DOMAIN_TAG,
        ]
    }

    /// Block `index` of the stream (128 random bits), statelessly.
    #[must_use]
    pub fn block(&self, index: u64) -> [u32; 4] {
        philox4x32(
            [index as u32, (index >> 32) as u32, self.gid, self.purpose],
            self.philox_key(),
        )
    }
}

/// A deterministic, counter-based generator for one [`StreamKey`].
///
/// 32-bit words are consumed in order: words 0..3 of block 0, then block 1, …
/// (2^64 blocks before the block index wraps around).
///
/// ```
/// use ranvier_rng::{KeyedRng, StreamKey};
/// let key = StreamKey::new(42, 7, 1);
/// let mut a = KeyedRng::new(key);
/// let mut b = KeyedRng::new(key);
/// assert_eq!(a.uniform(), b.uniform()); // same key, same draws
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KeyedRng {
    key: StreamKey,
    /// Index of the next block to compute.
    next_block: u64,
    /// The current block.
    buf: [u32; 4],
    /// Next word of `buf` to return; 4 = `buf` exhausted.
    pos: u8,
}

impl KeyedRng {
    /// The stream for `key`, at its beginning.
    #[must_use]
    pub fn new(key: StreamKey) -> Self {
        Self {
            key,
            next_block: 0,
            buf: [0; 4],
            pos: 4,
        }
    }

    /// Shorthand for `KeyedRng::new(StreamKey::new(seed, gid, purpose))`.
    #[must_use]
    pub fn from_parts(seed: u64, gid: u32, purpose: u32) -> Self {
        Self::new(StreamKey::new(seed, gid, purpose))
    }

    /// The key of this stream.
    #[must_use]
    pub fn key(&self) -> StreamKey {
        self.key
    }

    /// Position of the next draw as `(block, word)`: the next 32-bit word returned
    /// is word `word` (0..=3) of block `block`.
    #[must_use]
    pub fn position(&self) -> (u64, u8) {
        if self.pos >= 4 {
            (self.next_block, 0)
        } else {
            (self.next_block.wrapping_sub(1), self.pos)
        }
    }

    /// Jump to the start of block `block` (random access; O(1)).
    pub fn seek_block(&mut self, block: u64) {
        self.next_block = block;
        self.pos = 4;
    }

    /// Next 32 uniformly distributed bits.
    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        if self.pos >= 4 {
            self.buf = self.key.block(self.next_block);
            self.next_block = self.next_block.wrapping_add(1);
            self.pos = 0;
        }
        let v = self.buf[usize::from(self.pos)];
        self.pos += 1;
        v
    }

    /// Next 64 uniformly distributed bits: two consecutive 32-bit words, the first
    /// one in the low half.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let lo = u64::from(self.next_u32());
        let hi = u64::from(self.next_u32());
        (hi << 32) | lo
    }

    /// Uniform double in `[0, 1)`: the top 53 bits of [`Self::next_u64`] times
    /// `2^-53` (every multiple of `2^-53` in `[0, 1)` equally likely).
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * TWO_POW_M53
    }

    /// Uniform double `lo + (hi - lo) * uniform()`, in the units of `lo`/`hi`
    /// (in `[lo, hi)` up to rounding when `lo < hi`; reversed bounds are allowed).
    #[inline]
    pub fn uniform_range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Standard normal draw (mean 0, standard deviation 1) by the Box–Muller
    /// transform `sqrt(-2 ln(u1)) * cos(2 pi u2)` with `u1 = 1 - uniform()` in
    /// `(0, 1]` and `u2 = uniform()`. The sine partner is discarded so that every
    /// call consumes exactly four 32-bit words (one block when aligned) and no
    /// hidden state exists.
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Normal draw `mean + sd * normal()`, in the units of `mean`/`sd`.
    pub fn normal_with(&mut self, mean: f64, sd: f64) -> f64 {
        mean + sd * self.normal()
    }

    /// Exponential draw with the given mean, `-ln(1 - uniform()) * mean`, in the
    /// units of `mean`. Finite for finite `mean`: `1 - uniform()` is in `(0, 1]`,
    /// so the result is in `[0, 36.74 * mean]`.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -(1.0 - self.uniform()).ln() * mean
    }

    /// Unbiased uniform index in `[0, n)` (Lemire's multiply-and-reject on 64-bit
    /// draws). Returns 0 when `n == 0` (there is no valid index; no draw is made).
    pub fn gen_index(&mut self, n: usize) -> usize {
        let n64 = n as u64;
        if n64 == 0 {
            return 0;
        }
        let mut m = u128::from(self.next_u64()) * u128::from(n64);
        if (m as u64) < n64 {
            let threshold = n64.wrapping_neg() % n64;
            while (m as u64) < threshold {
                m = u128::from(self.next_u64()) * u128::from(n64);
            }
        }
        (m >> 64) as usize
    }

    /// Bernoulli draw: `true` with probability `p` (`uniform() < p`; `p <= 0` never,
    /// `p >= 1` always, NaN never).
    pub fn bernoulli(&mut self, p: f64) -> bool {
        self.uniform() < p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_follow_blocks() {
        let key = StreamKey::new(0x1234_5678_9abc_def0, 77, 3);
        let mut g = KeyedRng::new(key);
        for b in 0..5u64 {
            let blk = key.block(b);
            for w in 0..4 {
                assert_eq!(g.position(), (b, w as u8));
                assert_eq!(g.next_u32(), blk[w]);
            }
        }
        g.seek_block(1000);
        assert_eq!(g.next_u32(), key.block(1000)[0]);
        assert_eq!(g.position(), (1000, 1));
    }

    #[test]
    fn distinct_keys_distinct_streams() {
        let mut a = KeyedRng::from_parts(1, 2, 3);
        let mut b = KeyedRng::from_parts(1, 2, 4);
        let mut c = KeyedRng::from_parts(1, 3, 3);
        let mut d = KeyedRng::from_parts(2, 2, 3);
        let va: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        for g in [&mut b, &mut c, &mut d] {
            let v: Vec<u64> = (0..8).map(|_| g.next_u64()).collect();
            assert_ne!(va, v);
        }
    }

    #[test]
    fn gen_index_edge_cases() {
        let mut g = KeyedRng::from_parts(5, 0, 0);
        assert_eq!(g.gen_index(0), 0);
        assert_eq!(g.position(), (0, 0)); // no draw for n == 0
        for _ in 0..100 {
            assert_eq!(g.gen_index(1), 0);
            assert!(g.gen_index(3) < 3);
            assert!(g.gen_index(usize::MAX) < usize::MAX);
        }
    }
}
