//! NEURON's `nrnran123` Random123 streams (NEURON 9, `src/gnu/nrnran123.cpp`),
//! reproduced bit for bit.
//!
//! # Layout
//!
//! A stream owns a Philox4x32-10 counter and caches the block computed from it:
//!
//! | word | counter          | key                 |
//! |------|------------------|---------------------|
//! | 0    | sequence number  | global index        |
//! | 1    | `id3`            | 0                   |
//! | 2    | `id1`            | —                   |
//! | 3    | `id2`            | —                   |
//!
//! Draws walk through the four 32-bit words of the cached block (`which` = 0..3).
//! After the 4th word the 128-bit counter is incremented (word 0 = sequence
//! number, carrying into `id3`, `id1`, `id2` on overflow, as Random123 does) and the
//! next block is computed. So draw number `n` (0-based, from sequence 0) is word
//! `n % 4` of the block for sequence `n / 4`.
//!
//! # Global index
//!
//! In NEURON the global index (`Random.Random123_globalindex(k)`,
//! `nrnran123_set_globalindex`) is one process-wide key word shared by every
//! stream. Here every stream carries its own copy (no global state, thread-safe);
//! [`Nrnran123::set_global_index`] reproduces the NEURON effect on a live stream:
//! the already cached block is kept and the new key is used from the next block
//! on (or from the next [`Nrnran123::set_seq`]).

use crate::philox::{Ctr4x32, Key2x32, increment_counter, philox4x32};

/// `1 / (2^32 + 1)`, the scale of [`Nrnran123::dblpick`] (rounded to nearest, as the
/// C++ compile-time constant `1.0 / 4294967297.0`).
pub const SHIFT32: f64 = 1.0 / 4_294_967_297.0;

/// Convert one 32-bit draw to a double in the open interval (0, 1), exactly as
/// NEURON's `nrnran123_dblpick`: `(u as f64 + 1.0) * (1.0 / 4294967297.0)`.
///
/// The result is never 0 or 1: its minimum is `1/(2^32+1) ≈ 2.3283064e-10` and its
/// maximum `2^32/(2^32+1) ≈ 1 - 2.3283064e-10`.
#[must_use]
#[inline]
pub fn u32_to_open01(u: u32) -> f64 {
    (f64::from(u) + 1.0) * SHIFT32
}

/// The NEURON 9 Random123 stream (`nrnran123_State`).
///
/// All draws are deterministic functions of `(id1, id2, id3, global index,
/// sequence, which)`; nothing depends on threads or on other streams.
///
/// ```
/// use ranvier_rng::Nrnran123;
/// // Same stream as NEURON's `r = h.Random(); r.Random123(1, 2, 3)`.
/// let mut s = Nrnran123::new(1, 2, 3);
/// assert_eq!(s.uniform(), 0.980861897351951); // r.uniform(0, 1)
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Nrnran123 {
    /// Counter: `[seq, id3, id1, id2]`.
    ctr: Ctr4x32,
    /// Block computed from `ctr` and `key` (at the time of the last refresh).
    block: Ctr4x32,
    /// Index (0..=3) of the next word of `block` to return.
    which: u8,
    /// Key: `[global index, 0]`.
    key: Key2x32,
}

impl Default for Nrnran123 {
    /// The stream `(0, 0, 0)` with global index 0, at sequence 0.
    fn default() -> Self {
        Self::new(0, 0, 0)
    }
}

impl Nrnran123 {
    /// A new stream with ids `(id1, id2, id3)` and global index 0, positioned at
    /// sequence 0, which 0 (`nrnran123_newstream(id1, id2, id3)` with the default
    /// global index).
    #[must_use]
    pub fn new(id1: u32, id2: u32, id3: u32) -> Self {
        Self::with_global_index(id1, id2, id3, 0)
    }

    /// A new stream with ids `(id1, id2, id3)` as created while NEURON's global
    /// index is `global_index`, positioned at sequence 0, which 0.
    #[must_use]
    pub fn with_global_index(id1: u32, id2: u32, id3: u32, global_index: u32) -> Self {
        let ctr = [0, id3, id1, id2];
        let key = [global_index, 0];
        Self {
            ctr,
            block: philox4x32(ctr, key),
            which: 0,
            key,
        }
    }

    /// The stream ids `(id1, id2, id3)` (`nrnran123_getids3`).
    ///
    /// Note: after the sequence number wraps past `u32::MAX` the carry goes into
    /// `id3` (then `id1`, `id2`), exactly as in NEURON, so the ids change too.
    #[must_use]
    pub fn ids(&self) -> (u32, u32, u32) {
        (self.ctr[2], self.ctr[3], self.ctr[1])
    }

    /// Replace the ids (`nrnran123_setids`). Like NEURON this neither resets the
    /// sequence nor recomputes the cached block: the remaining words of the current
    /// block still come from the old ids. Call [`Self::set_seq`] afterwards (as
    /// NetStim's `noiseFromRandom123` does) to restart cleanly.
    pub fn set_ids(&mut self, id1: u32, id2: u32, id3: u32) {
        self.ctr[1] = id3;
        self.ctr[2] = id1;
        self.ctr[3] = id2;
    }

    /// The global index (key word 0) this stream uses for its next block.
    #[must_use]
    pub fn global_index(&self) -> u32 {
        self.key[0]
    }

    /// Change the global index of this stream, with NEURON's semantics for a live
    /// stream: the cached block is kept; the new key applies from the next block
    /// (or the next [`Self::set_seq`]).
    pub fn set_global_index(&mut self, global_index: u32) {
        self.key[0] = global_index;
    }

    /// Position the stream at sequence `seq`, word `which` (`nrnran123_setseq`).
    /// `which > 3` is treated as 0, as NEURON does. Recomputes the cached block.
    pub fn set_seq(&mut self, seq: u32, which: u8) {
        self.which = if which > 3 { 0 } else { which };
        self.ctr[0] = seq;
        self.refresh();
    }

    /// The current position `(seq, which)` (`nrnran123_getseq`): the next draw is
    /// word `which` of the block for sequence `seq`.
    #[must_use]
    pub fn seq(&self) -> (u32, u8) {
        (self.ctr[0], self.which)
    }

    /// Position the stream from the single-double encoding `seq * 4 + which`
    /// (`nrnran123_setseq(s, double)`, used by NMODL `random_setseq(ranvar, x)`,
    /// NetStim's `seed(x)` and `NMODLRandom.set_seq(x)`):
    /// negative values and values above `0xffffffffff` become 0, NaN becomes 0,
    /// the value is truncated toward zero and masked to 34 bits, then
    /// `which = x & 3`, `seq = x >> 2`.
    pub fn set_seq4which(&mut self, seq4which: f64) {
        let mut x = seq4which;
        if x < 0.0 || x > 0xff_ffff_ffff_u64 as f64 {
            x = 0.0;
        }
        // `as` truncates toward zero; NaN saturates to 0.
        let bits = (x as u64) & 0x3_ffff_ffff;
        self.set_seq((bits >> 2) as u32, (bits & 3) as u8);
    }

    /// The position as the double `seq * 4 + which` (`Random.seq()`,
    /// `NMODLRandom.get_seq()`); exact, since it is below 2^34.
    #[must_use]
    pub fn seq4which(&self) -> f64 {
        f64::from(self.ctr[0]) * 4.0 + f64::from(self.which)
    }

    /// Recompute the cached block from the counter and key.
    fn refresh(&mut self) {
        self.block = philox4x32(self.ctr, self.key);
    }

    /// Next raw 32-bit draw, uniform on `[0, 2^32 - 1]` (`nrnran123_ipick`).
    #[inline]
    pub fn ipick(&mut self) -> u32 {
        let w = usize::from(self.which & 3);
        let value = self.block[w];
        if w == 3 {
            self.which = 0;
            increment_counter(&mut self.ctr);
            self.refresh();
        } else {
            self.which = (w + 1) as u8;
        }
        value
    }

    /// Next double in the open interval (0, 1) (`nrnran123_dblpick`): one
    /// [`Self::ipick`] mapped by [`u32_to_open01`], i.e.
    /// `(u + 1.0) * (1.0 / 4294967297.0)`. This is what `Random.uniform(0, 1)` and
    /// NMODL `random_dpick` / `random_uniform(ranvar)` return.
    #[inline]
    pub fn dblpick(&mut self) -> f64 {
        u32_to_open01(self.ipick())
    }

    /// Same as [`Self::dblpick`] (`nrnran123_uniform(s)`).
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        self.dblpick()
    }

    /// `a + dblpick() * (b - a)` (`nrnran123_uniform(s, a, b)`, NMODL
    /// `random_uniform(ranvar, a, b)`), in the units of `a` and `b`.
    #[inline]
    pub fn uniform_range(&mut self, a: f64, b: f64) -> f64 {
        a + self.dblpick() * (b - a)
    }

    /// Negative-exponential draw with the given mean: `-ln(dblpick()) * mean`
    /// (`nrnran123_negexp(s, mean)`), in the units of `mean`. With `mean == 1.0`
    /// this is bit-identical to `nrnran123_negexp(s)` (NMODL
    /// `random_negexp(ranvar)`, NetStim's `erand()`) and to hoc
    /// `Random.negexp(1)`. Range for mean 1: about `2.3283064e-10 ..= 22.18071`.
    #[inline]
    pub fn negexp(&mut self, mean: f64) -> f64 {
        -self.dblpick().ln() * mean
    }

    /// Standard normal draw, mean 0 and standard deviation 1 (`nrnran123_normal`):
    /// Marsaglia's polar method with no cached second value. Each attempt draws
    /// `u1 = 2 dblpick - 1`, `u2 = 2 dblpick - 1`, `w = u1^2 + u2^2`, retrying while
    /// `w > 1`; the result is `u1 * sqrt(-2 ln(w) / w)`. Consumes an even number of
    /// 32-bit draws (2 per attempt).
    pub fn normal(&mut self) -> f64 {
        loop {
            let u1 = 2.0 * self.dblpick() - 1.0;
            let u2 = 2.0 * self.dblpick() - 1.0;
            let w = u1 * u1 + u2 * u2;
            // `w` is never 0: dblpick never returns exactly 0.5.
            if w <= 1.0 {
                let y = ((-2.0 * w.ln()) / w).sqrt();
                return u1 * y;
            }
        }
    }

    /// Normal draw `mu + normal() * sigma` (`nrnran123_normal(s, mu, sigma)`, NMODL
    /// `random_normal(ranvar, mu, sigma)`); `sigma` is a standard deviation, in the
    /// units of `mu`.
    pub fn normal_with(&mut self, mu: f64, sigma: f64) -> f64 {
        mu + self.normal() * sigma
    }
}

/// Stateless access to one block (`nrnran123_iran3(seq, id1, id2, id3)` with the
/// given global index): Philox4x32-10 of counter `[seq, id3, id1, id2]` and key
/// `[global_index, 0]`.
#[must_use]
pub fn nrnran123_iran(seq: u32, id1: u32, id2: u32, id3: u32, global_index: u32) -> [u32; 4] {
    philox4x32([seq, id3, id1, id2], [global_index, 0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draw_n_is_word_n_mod_4_of_block_n_div_4() {
        let mut s = Nrnran123::with_global_index(9, 8, 7, 6);
        for n in 0u32..40 {
            let b = nrnran123_iran(n / 4, 9, 8, 7, 6);
            assert_eq!(s.ipick(), b[(n % 4) as usize]);
        }
        assert_eq!(s.seq(), (10, 0));
    }

    #[test]
    fn seq_roundtrip_and_which_clamp() {
        let mut s = Nrnran123::new(1, 2, 3);
        s.set_seq(17, 2);
        assert_eq!(s.seq(), (17, 2));
        assert_eq!(s.seq4which(), 70.0);
        s.set_seq(17, 9);
        assert_eq!(s.seq(), (17, 0));
        s.set_seq4which(70.0);
        assert_eq!(s.seq(), (17, 2));
        s.set_seq4which(-3.0);
        assert_eq!(s.seq(), (0, 0));
        s.set_seq4which(f64::NAN);
        assert_eq!(s.seq(), (0, 0));
        s.set_seq4which(1e30);
        assert_eq!(s.seq(), (0, 0));
        // 2^34 + 5 is masked to 34 bits -> 5 = seq 1, which 1.
        s.set_seq4which(17_179_869_189.0);
        assert_eq!(s.seq(), (1, 1));
    }

    #[test]
    fn dblpick_bounds() {
        let lo = u32_to_open01(0);
        let hi = u32_to_open01(u32::MAX);
        assert!(lo > 0.0 && (lo - 2.328_306_4e-10).abs() < 1e-16);
        assert!(hi < 1.0);
    }

    #[test]
    fn set_ids_keeps_cached_block() {
        let mut a = Nrnran123::new(1, 2, 3);
        let first = a.ipick();
        a.set_ids(4, 5, 6);
        assert_eq!(a.ids(), (4, 5, 6));
        // words 1..3 still from the (1, 2, 3) block
        let b = nrnran123_iran(0, 1, 2, 3, 0);
        assert_eq!(first, b[0]);
        assert_eq!([a.ipick(), a.ipick(), a.ipick()], [b[1], b[2], b[3]]);
        // next block uses the new ids, sequence 1
        assert_eq!(a.ipick(), nrnran123_iran(1, 4, 5, 6, 0)[0]);
    }
}
