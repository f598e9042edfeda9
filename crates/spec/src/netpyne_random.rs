//! NetPyNE's random streams, reproduced exactly.
//!
//! NetPyNE draws every random number from NEURON `Random` objects using the Random123
//! generator, seeded with ids built from MD5 hashes of labels and gid lists
//! (`netpyne/sim/utils.py::hashStr`, `hashList`). With the same ids, Ranvier's
//! [`Nrnran123`] gives the same numbers, so networks built from the same specification
//! and seeds are the same as NetPyNE's.

use md5::{Digest, Md5};
use ranvier_rng::Nrnran123;

/// NetPyNE's `hashStr`: the first 8 hex digits of the MD5 of the UTF-8 string.
#[must_use]
pub fn hash_str(s: &str) -> u32 {
    let d = Md5::digest(s.as_bytes());
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// NetPyNE's `hashList`: MD5 of the values as C `unsigned long`s (8 bytes, little
/// endian on the platforms NetPyNE runs on), first 8 hex digits.
#[must_use]
pub fn hash_list(values: &[u64]) -> u32 {
    let mut h = Md5::new();
    for v in values {
        h.update(v.to_le_bytes());
    }
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// A NEURON `Random` object with the Random123 generator (`r.Random123(id1, id2, id3)`).
#[derive(Clone, Debug)]
pub struct HocRandom {
    stream: Nrnran123,
}

impl HocRandom {
    /// `h.Random().Random123(id1, id2, id3)`.
    #[must_use]
    pub fn random123(id1: u32, id2: u32, id3: u32) -> Self {
        Self {
            stream: Nrnran123::new(id1, id2, id3),
        }
    }

    /// The generator's next value in (0, 1) (`asDouble`).
    pub fn next01(&mut self) -> f64 {
        self.stream.dblpick()
    }

    /// `r.uniform(low, high)`: `low + (high - low) * u`.
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        let delta = high - low;
        low + delta * self.next01()
    }

    /// `r.discunif(low, high)`: an integer in `low..=high`.
    pub fn discunif(&mut self, low: i64, high: i64) -> i64 {
        let (lo, hi) = if low < high { (low, high) } else { (high, low) };
        let delta = (hi - lo + 1) as f64;
        lo + (delta * self.next01()).floor() as i64
    }
}

impl ranvier_expr::RandomSource for HocRandom {
    fn uniform01(&mut self) -> f64 {
        self.next01()
    }

    /// libg++'s polar method as NEURON's `Random.normal` uses it. Every call of a
    /// string function's `normal(mean, var)` is `r.normal(mean, var)`, which makes a new
    /// `Normal` (ivocrand.cpp `r_normal`), so the second value of the pair that the
    /// object would cache is never used: each call draws a fresh pair.
    fn normal01(&mut self) -> f64 {
        loop {
            let v1 = 2.0 * self.next01() - 1.0;
            let v2 = 2.0 * self.next01() - 1.0;
            let w = v1 * v1 + v2 * v2;
            if w <= 1.0 {
                let y = ((-2.0 * w.ln()) / w).sqrt();
                return v1 * y;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_match_python() {
        // Values computed with NetPyNE's functions in CPython 3.11.
        assert_eq!(hash_str("cellParams"), 391_219_005);
        assert_eq!(hash_str("NetStim"), 1_428_063_344);
        assert_eq!(hash_str("conn"), 203_230_766);
        assert_eq!(hash_list(&[0, 1, 2, 3]), 1_728_627_585);
        assert_eq!(hash_list(&(20..40).collect::<Vec<u64>>()), 1_003_446_879);
        assert_eq!(hash_list(&[]), 3_558_706_393);
    }

    #[test]
    fn discunif_covers_the_range() {
        let mut r = HocRandom::random123(1, 2, 3);
        let mut seen = [false; 5];
        for _ in 0..200 {
            let x = r.discunif(0, 4);
            assert!((0..=4).contains(&x));
            seen[x as usize] = true;
        }
        assert!(seen.iter().all(|&s| s));
    }
}
