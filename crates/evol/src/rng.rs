//! The random source of an evolutionary computation.
//!
//! inspyred threads one Python `random.Random` through every component. Here
//! that is an [`EcRng`]: a thin layer over one [`KeyedRng`] stream (Philox,
//! counter based) keyed by `(seed, 0, EcRng::PURPOSE)`, with the helpers the
//! components need. Because the stream is counter based, its whole state is the
//! key plus the position of the next draw ([`RngState`]), so a run can be saved
//! after any generation and resumed bit-identically.
//!
//! Draw conventions (fixed, documented, platform independent except where
//! noted):
//!
//! * [`EcRng::random`]: 53 random bits times `2^-53`, in `[0, 1)`.
//! * [`EcRng::gauss`]: Box–Muller, `mu + sigma * sqrt(-2 ln u1) cos(2 pi u2)`
//!   with `u1 = 1 - random()` and `u2 = random()` ([`KeyedRng::normal`]); the
//!   sine partner is discarded, so there is no cached value to checkpoint
//!   (Python's `gauss` caches it). Uses `ln`/`cos`/`sqrt`: identical for a given
//!   binary and math library.
//! * [`EcRng::randbelow`]: Lemire's unbiased multiply-and-reject
//!   ([`KeyedRng::gen_index`]).
//! * [`EcRng::sample_indices`]: a partial Fisher–Yates shuffle of `0..n`.
//! * [`EcRng::shuffle`]: Fisher–Yates from the back, as Python's `shuffle`.

use ranvier_rng::{KeyedRng, StreamKey};

/// The random source handed to every component.
///
/// Two generators are equal when they have the same [`RngState`] (same key,
/// same next draw).
#[derive(Clone, Debug)]
pub struct EcRng {
    inner: KeyedRng,
}

impl PartialEq for EcRng {
    fn eq(&self, other: &Self) -> bool {
        self.state() == other.state()
    }
}

impl Eq for EcRng {}

/// Everything needed to recreate an [`EcRng`] at the same point of its stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RngState {
    /// The stream's key.
    pub key: StreamKey,
    /// Block of the next draw.
    pub block: u64,
    /// 32-bit word (0..=3) of the next draw within `block`.
    pub word: u8,
}

impl EcRng {
    /// Stream purpose used by [`EcRng::new`] (ASCII `"EVOL"`).
    pub const PURPOSE: u32 = 0x4556_4F4C;

    /// The evolution stream of `seed`: `KeyedRng::from_parts(seed, 0, PURPOSE)`.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self::from_keyed(KeyedRng::from_parts(seed, 0, Self::PURPOSE))
    }

    /// Wrap an existing stream (for example one keyed by an island's gid).
    #[must_use]
    pub fn from_keyed(inner: KeyedRng) -> Self {
        Self { inner }
    }

    /// The underlying stream.
    #[must_use]
    pub fn keyed(&self) -> &KeyedRng {
        &self.inner
    }

    /// The key and position of the next draw.
    #[must_use]
    pub fn state(&self) -> RngState {
        let (block, word) = self.inner.position();
        RngState {
            key: self.inner.key(),
            block,
            word,
        }
    }

    /// The generator at `state`: seek to the block, then skip `word` words.
    #[must_use]
    pub fn from_state(state: RngState) -> Self {
        let mut inner = KeyedRng::new(state.key);
        inner.seek_block(state.block);
        for _ in 0..state.word.min(3) {
            inner.next_u32();
        }
        Self { inner }
    }

    /// Uniform in `[0, 1)` (Python's `random()`).
    #[inline]
    pub fn random(&mut self) -> f64 {
        self.inner.uniform()
    }

    /// `lo + (hi - lo) * random()` (Python's `uniform(a, b)`).
    #[inline]
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.random()
    }

    /// Normal draw with mean `mu` and standard deviation `sigma` (Box–Muller,
    /// see the module docs).
    #[inline]
    pub fn gauss(&mut self, mu: f64, sigma: f64) -> f64 {
        mu + sigma * self.inner.normal()
    }

    /// Uniform integer in `[0, n)`; 0 without a draw when `n == 0`.
    #[inline]
    pub fn randbelow(&mut self, n: usize) -> usize {
        self.inner.gen_index(n)
    }

    /// Uniform integer in `[a, b]`, both inclusive (Python's `randint`); `a`
    /// when `b <= a` (no draw).
    #[inline]
    pub fn randint(&mut self, a: usize, b: usize) -> usize {
        if b <= a {
            a
        } else {
            a + self.randbelow(b - a + 1)
        }
    }

    /// `k` distinct indices of `0..n` in selection order (a partial
    /// Fisher–Yates shuffle: pick `i + randbelow(n - i)` for `i = 0..k`).
    /// `k` is capped at `n`.
    pub fn sample_indices(&mut self, n: usize, k: usize) -> Vec<usize> {
        let k = k.min(n);
        let mut pool: Vec<usize> = (0..n).collect();
        for i in 0..k {
            let j = i + self.randbelow(n - i);
            pool.swap(i, j);
        }
        pool.truncate(k);
        pool
    }

    /// `k` distinct elements of `items` (by position) in selection order
    /// (Python's `sample`); `k` is capped at `items.len()`.
    pub fn sample<T: Clone>(&mut self, items: &[T], k: usize) -> Vec<T> {
        self.sample_indices(items.len(), k)
            .into_iter()
            .map(|i| items[i].clone())
            .collect()
    }

    /// Shuffle in place: for `i` from `len - 1` down to 1 swap `i` with
    /// `randbelow(i + 1)` (Python's `shuffle`).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.randbelow(i + 1);
            items.swap(i, j);
        }
    }

    /// A uniformly chosen element (Python's `choice`); `None` when empty.
    pub fn choice<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            Some(&items[self.randbelow(items.len())])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trip_at_every_word() {
        let mut a = EcRng::new(99);
        for _ in 0..9 {
            let mut b = EcRng::from_state(a.state());
            assert_eq!(b.state(), a.state());
            let va: Vec<u32> = (0..7).map(|_| a.inner.next_u32()).collect();
            let vb: Vec<u32> = (0..7).map(|_| b.inner.next_u32()).collect();
            assert_eq!(va, vb);
            a.inner.next_u32(); // move to another word offset
        }
    }

    #[test]
    fn helpers_stay_in_range() {
        let mut r = EcRng::new(1);
        for _ in 0..1000 {
            let x = r.random();
            assert!((0.0..1.0).contains(&x));
            let u = r.uniform(-2.0, 3.0);
            assert!((-2.0..3.0).contains(&u));
            let k = r.randint(3, 5);
            assert!((3..=5).contains(&k));
        }
        assert_eq!(r.randint(4, 4), 4);
        assert_eq!(r.choice::<u8>(&[]), None);
    }

    #[test]
    fn sample_is_without_replacement() {
        let mut r = EcRng::new(2);
        for k in 0..=10 {
            let mut s = r.sample_indices(10, k);
            assert_eq!(s.len(), k);
            s.sort_unstable();
            s.dedup();
            assert_eq!(s.len(), k);
        }
        assert_eq!(r.sample_indices(3, 10).len(), 3);
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut r = EcRng::new(3);
        let mut v: Vec<u32> = (0..20).collect();
        r.shuffle(&mut v);
        assert_ne!(v, (0..20).collect::<Vec<_>>());
        v.sort_unstable();
        assert_eq!(v, (0..20).collect::<Vec<_>>());
    }

    #[test]
    fn gauss_moments() {
        let mut r = EcRng::new(4);
        let n = 20_000;
        let xs: Vec<f64> = (0..n).map(|_| r.gauss(2.0, 0.5)).collect();
        let mean = xs.iter().sum::<f64>() / f64::from(n);
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / f64::from(n);
        assert!((mean - 2.0).abs() < 0.02, "{mean}");
        assert!((var.sqrt() - 0.5).abs() < 0.02, "{var}");
    }
}
