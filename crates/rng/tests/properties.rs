//! Property tests: stream structure, ranges and reproducibility.

use proptest::prelude::*;
use ranvier_rng::{KeyedRng, Nrnran123, StreamKey, nrnran123_iran, philox4x32, u32_to_open01};

proptest! {
    /// Draw n of an nrnran123 stream is word n % 4 of block (seq0 + n / 4),
    /// carrying into id3 when the sequence number wraps.
    #[test]
    fn nrnran123_is_counter_based(
        id1 in any::<u32>(), id2 in any::<u32>(), id3 in any::<u32>(),
        gix in any::<u32>(), seq in any::<u32>(), which in 0u8..4, n in 0usize..64,
    ) {
        let mut s = Nrnran123::with_global_index(id1, id2, id3, gix);
        s.set_seq(seq, which);
        let mut ctr = [seq, id3, id1, id2];
        let mut w = usize::from(which);
        for _ in 0..n {
            let want = philox4x32(ctr, [gix, 0])[w];
            prop_assert_eq!(s.ipick(), want);
            w += 1;
            if w == 4 {
                w = 0;
                ranvier_rng::increment_counter(&mut ctr);
            }
        }
        prop_assert_eq!(s.seq(), (ctr[0], w as u8));
        if seq < u32::MAX - 20 {
            prop_assert_eq!(s.ids(), (id1, id2, id3));
            prop_assert_eq!(nrnran123_iran(seq, id1, id2, id3, gix), philox4x32([seq, id3, id1, id2], [gix, 0]));
        }
    }

    /// dblpick is strictly inside (0, 1) and monotone in the 32-bit draw.
    #[test]
    fn dblpick_open_interval(a in any::<u32>(), b in any::<u32>()) {
        let (x, y) = (u32_to_open01(a), u32_to_open01(b));
        prop_assert!(x > 0.0 && x < 1.0);
        if a < b { prop_assert!(x < y); }
    }

    /// Same key => same draws, whatever the interleaving with other streams.
    #[test]
    fn keyed_streams_reproducible(seed in any::<u64>(), gid in any::<u32>(), purpose in any::<u32>(), n in 1usize..50) {
        let key = StreamKey::new(seed, gid, purpose);
        let mut a = KeyedRng::new(key);
        let mut other = KeyedRng::from_parts(seed ^ 1, gid, purpose);
        let mut b = KeyedRng::new(key);
        for _ in 0..n {
            let _ = other.next_u64();
            let x = a.uniform();
            prop_assert!((0.0..1.0).contains(&x));
            prop_assert_eq!(x.to_bits(), b.uniform().to_bits());
        }
        let e = a.exponential(2.0);
        prop_assert!(e >= 0.0 && e.is_finite());
        prop_assert_eq!(e.to_bits(), b.exponential(2.0).to_bits());
        let z = a.normal();
        prop_assert!(z.is_finite());
        prop_assert_eq!(z.to_bits(), b.normal().to_bits());
    }

    #[test]
    fn keyed_ranges(seed in any::<u64>(), n in 1usize..1000, lo in -1e3f64..1e3, width in 1e-3f64..1e3) {
        let mut g = KeyedRng::from_parts(seed, 1, 2);
        for _ in 0..20 {
            prop_assert!(g.gen_index(n) < n);
            let x = g.uniform_range(lo, lo + width);
            prop_assert!(x >= lo && x <= lo + width);
        }
    }
}

#[test]
fn keyed_moments_are_sane() {
    let mut g = KeyedRng::from_parts(2024, 0, 9);
    let n = 200_000;
    let (mut su, mut sn, mut sn2, mut se) = (0.0, 0.0, 0.0, 0.0);
    for _ in 0..n {
        su += g.uniform();
        let z = g.normal();
        sn += z;
        sn2 += z * z;
        se += g.exponential(3.0); // [ms]
    }
    let nf = f64::from(n);
    assert!((su / nf - 0.5).abs() < 0.005);
    assert!((sn / nf).abs() < 0.01);
    assert!((sn2 / nf - 1.0).abs() < 0.01);
    assert!((se / nf - 3.0).abs() < 0.03);
}

#[test]
fn nrnran123_moments_are_sane() {
    let mut s = Nrnran123::new(3, 1, 4);
    let n = 100_000;
    let (mut sn, mut sn2, mut se) = (0.0, 0.0, 0.0);
    for _ in 0..n {
        let z = s.normal();
        sn += z;
        sn2 += z * z;
        se += s.negexp(1.0);
    }
    let nf = f64::from(n);
    assert!((sn / nf).abs() < 0.015);
    assert!((sn2 / nf - 1.0).abs() < 0.015);
    assert!((se / nf - 1.0).abs() < 0.015);
}
