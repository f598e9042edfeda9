//! The Philox4x32 counter-based block function of Random123
//! (Salmon, Moraes, Dror & Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC11).
//!
//! A block function maps a 128-bit counter and a 64-bit key to 128 pseudo-random
//! bits. It is a bijection of the counter for every key, has no internal state and
//! is therefore trivially reproducible and parallel.
//!
//! One round, on counter words `c = [c0, c1, c2, c3]` and key `k = [k0, k1]`:
//!
//! ```text
//! (hi0, lo0) = M0 * c0      (full 64-bit product of two u32)
//! (hi1, lo1) = M1 * c2
//! c' = [hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0]
//! ```
//!
//! and between consecutive rounds the key is bumped by the Weyl constants
//! `k0 += W0, k1 += W1` (wrapping). `Philox4x32-10` (ten rounds) is the generator
//! NEURON uses for `Random123` streams; it is checked against Random123's
//! published known-answer vectors in the tests below.

/// First Philox4x32 round multiplier (applied to counter word 0).
pub const PHILOX_M4X32_0: u32 = 0xD251_1F53;
/// Second Philox4x32 round multiplier (applied to counter word 2).
pub const PHILOX_M4X32_1: u32 = 0xCD9E_8D57;
/// Weyl increment of key word 0 (golden ratio, `floor(2^32 / phi)`).
pub const PHILOX_W32_0: u32 = 0x9E37_79B9;
/// Weyl increment of key word 1 (`floor(2^32 * (sqrt(3) - 1))`).
pub const PHILOX_W32_1: u32 = 0xBB67_AE85;

/// A 128-bit Philox counter, as four 32-bit words (word 0 is least significant
/// for counter increments).
pub type Ctr4x32 = [u32; 4];
/// A 64-bit Philox key, as two 32-bit words.
pub type Key2x32 = [u32; 2];

/// Full 64-bit product of two u32, returned as `(hi, lo)`.
#[inline(always)]
fn mul_hi_lo(a: u32, b: u32) -> (u32, u32) {
    let product = u64::from(a) * u64::from(b);
    ((product >> 32) as u32, product as u32)
}

/// One Philox4x32 S-P round.
#[inline(always)]
fn one_round(c: Ctr4x32, k: Key2x32) -> Ctr4x32 {
    let (hi0, lo0) = mul_hi_lo(PHILOX_M4X32_0, c[0]);
    let (hi1, lo1) = mul_hi_lo(PHILOX_M4X32_1, c[2]);
    [hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0]
}

/// Key schedule step applied before every round except the first.
#[inline(always)]
fn bump_key(k: Key2x32) -> Key2x32 {
    [
        k[0].wrapping_add(PHILOX_W32_0),
        k[1].wrapping_add(PHILOX_W32_1),
    ]
}

/// Philox4x32 with an arbitrary number of rounds.
///
/// `rounds == 0` returns the counter unchanged. Random123 itself only defines
/// `rounds <= 16`; larger values are accepted here and simply keep iterating the
/// same round function (they are never used by NEURON).
#[must_use]
#[inline]
pub fn philox4x32_rounds(rounds: u32, ctr: Ctr4x32, key: Key2x32) -> Ctr4x32 {
    let mut c = ctr;
    let mut k = key;
    for r in 0..rounds {
        if r != 0 {
            k = bump_key(k);
        }
        c = one_round(c, k);
    }
    c
}

/// Philox4x32-10: the standard ten-round block function (`philox4x32(ctr, key)` in
/// Random123, as called by NEURON's `nrnran123`).
#[must_use]
#[inline]
pub fn philox4x32(ctr: Ctr4x32, key: Key2x32) -> Ctr4x32 {
    philox4x32_rounds(Philox4x32::ROUNDS, ctr, key)
}

/// Increment a 128-bit counter by one: word 0 is incremented and an overflow
/// carries into word 1, then word 2, then word 3 (wrapping at 2^128), exactly like
/// Random123's `r123array4x32::incr()`.
#[inline]
pub fn increment_counter(ctr: &mut Ctr4x32) {
    for word in ctr.iter_mut() {
        *word = word.wrapping_add(1);
        if *word != 0 {
            return;
        }
    }
}

/// The Philox4x32-10 block function bound to one key.
///
/// ```
/// use ranvier_rng::Philox4x32;
/// let g = Philox4x32::new([0, 0]);
/// assert_eq!(g.block([0, 0, 0, 0]), [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Philox4x32 {
    key: Key2x32,
}

impl Philox4x32 {
    /// Number of rounds of the standard generator.
    pub const ROUNDS: u32 = 10;

    /// A block function with the given key.
    #[must_use]
    pub const fn new(key: Key2x32) -> Self {
        Self { key }
    }

    /// The key.
    #[must_use]
    pub const fn key(&self) -> Key2x32 {
        self.key
    }

    /// 128 random bits for one counter value.
    #[must_use]
    #[inline]
    pub fn block(&self, ctr: Ctr4x32) -> Ctr4x32 {
        philox4x32(ctr, self.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known-answer vectors: Random123 `tests/kat_vectors` (DEShawResearch/random123,
    /// commit 9545ff64, lines 24-29). Columns: rounds, CTR[4], KEY[2], expected[4].
    const KAT: [(u32, Ctr4x32, Key2x32, Ctr4x32); 6] = [
        (
            7,
            [0, 0, 0, 0],
            [0, 0],
            [0x5f6fb709, 0x0d893f64, 0x4f121f81, 0x4f730a48],
        ),
        (
            7,
            [0xffffffff; 4],
            [0xffffffff; 2],
            [0x5207ddc2, 0x45165e59, 0x4d8ee751, 0x8c52f662],
        ),
        (
            7,
            [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
            [0xa4093822, 0x299f31d0],
            [0x4dfccaba, 0x190a87f0, 0xc47362ba, 0xb6b5242a],
        ),
        (
            10,
            [0, 0, 0, 0],
            [0, 0],
            [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8],
        ),
        (
            10,
            [0xffffffff; 4],
            [0xffffffff; 2],
            [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
        ),
        (
            10,
            [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
            [0xa4093822, 0x299f31d0],
            [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
        ),
    ];

    #[test]
    fn known_answer_vectors() {
        for (rounds, ctr, key, want) in KAT {
            assert_eq!(philox4x32_rounds(rounds, ctr, key), want, "rounds {rounds}");
            if rounds == 10 {
                assert_eq!(philox4x32(ctr, key), want);
                assert_eq!(Philox4x32::new(key).block(ctr), want);
            }
        }
    }

    #[test]
    fn zero_rounds_is_identity() {
        let c = [1, 2, 3, 4];
        assert_eq!(philox4x32_rounds(0, c, [5, 6]), c);
    }

    #[test]
    fn counter_increment_carries() {
        let mut c = [u32::MAX, u32::MAX, 7, 9];
        increment_counter(&mut c);
        assert_eq!(c, [0, 0, 8, 9]);
        let mut c = [u32::MAX; 4];
        increment_counter(&mut c);
        assert_eq!(c, [0; 4]);
        let mut c = [5, 1, 2, 3];
        increment_counter(&mut c);
        assert_eq!(c, [6, 1, 2, 3]);
    }
}
