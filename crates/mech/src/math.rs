//! Vectorizable math for kernels that run over all instances.
//!
//! [`exp_in_place`] computes `exp` over a slice with a branch-free algorithm that the
//! compiler turns into SIMD code. On x86-64 CPUs with AVX2 it runs a 4-lane version
//! chosen at run time; elsewhere the same code runs with the baseline instruction set.
//! Both paths do the same operations in the same order (no fused multiply-add), so the
//! results are bit-identical on every machine, within 1 ulp of the C library's `exp`.

/// `exp(x)` for one value, with the same algorithm and result as [`exp_in_place`].
#[inline(always)]
#[must_use]
pub fn exp(x: f64) -> f64 {
    // fdlibm's split of ln 2 and 1/ln 2.
    const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76);
    const INV_LN2: f64 = f64::from_bits(0x3FF7_1547_652B_82FE);
    // Adding and subtracting 1.5 * 2^52 rounds to the nearest integer without a call.
    const MAGIC: f64 = 6_755_399_441_055_744.0;
    let xc = x.clamp(-745.2, 709.8);
    let kf = xc * INV_LN2 + MAGIC;
    let ki = (kf.to_bits() as i64).wrapping_sub(MAGIC.to_bits() as i64);
    let k = kf - MAGIC;
    let r = (xc - k * LN2_HI) - k * LN2_LO;
    // Taylor series to degree 13 on |r| <= ln(2)/2.
    let mut p = 1.0 / 6_227_020_800.0;
    p = p * r + 1.0 / 479_001_600.0;
    p = p * r + 1.0 / 39_916_800.0;
    p = p * r + 1.0 / 3_628_800.0;
    p = p * r + 1.0 / 362_880.0;
    p = p * r + 1.0 / 40_320.0;
    p = p * r + 1.0 / 5_040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    // 2^k, split in two factors so that k down to -1075 (subnormal results) and up to
    // 1024 stay representable.
    let k1 = ki / 2;
    let k2 = ki - k1;
    let s1 = f64::from_bits(((k1 + 1023) as u64) << 52);
    let s2 = f64::from_bits(((k2 + 1023) as u64) << 52);
    let y = p * s1 * s2;
    if x.is_nan() {
        x
    } else if x > 709.8 {
        f64::INFINITY
    } else if x < -745.2 {
        0.0
    } else {
        y
    }
}

#[inline(always)]
fn exp_slice_generic(xs: &mut [f64]) {
    for x in xs.iter_mut() {
        *x = exp(*x);
    }
}

/// Run `f` compiled for AVX2 when the CPU has it, else for the baseline.
macro_rules! dispatch {
    ($generic:ident, $avx2:ident, ($($arg:ident : $ty:ty),*)) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2")]
        fn $avx2($($arg: $ty),*) {
            $generic($($arg),*);
        }

        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            #[allow(unsafe_code)]
            // SAFETY: the CPU supports AVX2, checked just above.
            unsafe {
                $avx2($($arg),*);
            }
            return;
        }
        $generic($($arg),*);
    };
}

/// Replace every element of `xs` by its exponential.
pub fn exp_in_place(xs: &mut [f64]) {
    dispatch!(exp_slice_generic, exp_slice_avx2, (xs: &mut [f64]));
}

#[inline(always)]
fn cnexp_gate_generic(s: &mut [f64], inf: &[f64], tau: &[f64], dt: f64) {
    let n = s.len().min(inf.len()).min(tau.len());
    let (s, inf, tau) = (&mut s[..n], &inf[..n], &tau[..n]);
    for k in 0..n {
        let a = inf[k] / tau[k];
        let b = -1.0 / tau[k];
        let e = exp(dt * b);
        s[k] += (1.0 - e) * (-a / b - s[k]);
    }
}

/// NEURON's `cnexp` update for gates `s' = (inf - s)/tau` over all instances:
/// with `a = inf/tau` and `b = -1/tau`, `s += (1 - exp(dt b)) (-a/b - s)`, exactly the
/// operations of the C that `nocmodl` generates (with [`exp`] for the exponential).
/// `dt` `[ms]`, `tau` `[ms]`.
pub fn cnexp_gate(s: &mut [f64], inf: &[f64], tau: &[f64], dt: f64) {
    dispatch!(cnexp_gate_generic, cnexp_gate_avx2, (s: &mut [f64], inf: &[f64], tau: &[f64], dt: f64));
}

#[inline(always)]
fn cnexp_decay_generic(s: &mut [f64], tau: &[f64], decay: &[f64]) {
    let n = s.len().min(tau.len()).min(decay.len());
    let (s, tau, decay) = (&mut s[..n], &tau[..n], &decay[..n]);
    for k in 0..n {
        let b = -1.0 / tau[k];
        s[k] += decay[k] * (-0.0 / b - s[k]);
    }
}

/// NEURON's `cnexp` update for `s' = -s/tau` with the step's decay factor
/// `decay = 1 - exp(dt (-1/tau))` precomputed: `s += decay (-(0)/b - s)`, `b = -1/tau`.
pub fn cnexp_decay(s: &mut [f64], tau: &[f64], decay: &[f64]) {
    dispatch!(cnexp_decay_generic, cnexp_decay_avx2, (s: &mut [f64], tau: &[f64], decay: &[f64]));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_one_ulp_of_libm() {
        let mut worst = 0i64;
        for i in 0..400_000 {
            let x = -740.0 + 1449.0 * f64::from(i) / 400_000.0;
            let (a, b) = (x.exp(), exp(x));
            if a == 0.0 || a.is_infinite() || a < f64::MIN_POSITIVE {
                continue;
            }
            worst = worst.max((a.to_bits() as i64 - b.to_bits() as i64).abs());
        }
        assert!(worst <= 1, "worst {worst} ulp");
        for x in [-1e-300f64, 0.0, -0.0, 1e-20, -0.025, -0.5, 1.0] {
            let d = (x.exp().to_bits() as i64 - exp(x).to_bits() as i64).abs();
            assert!(d <= 1, "{x}: {d} ulp");
        }
    }

    #[test]
    fn special_values() {
        assert_eq!(exp(1000.0), f64::INFINITY);
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp(-1000.0), 0.0);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
        assert!(exp(f64::NAN).is_nan());
        assert_eq!(exp(0.0), 1.0);
    }

    #[test]
    fn cnexp_gate_matches_formula() {
        let inf: Vec<f64> = (0..37).map(|i| 0.01 * f64::from(i)).collect();
        let tau: Vec<f64> = (0..37).map(|i| 0.3 + 0.1 * f64::from(i)).collect();
        let mut s: Vec<f64> = (0..37).map(|i| 0.5 - 0.01 * f64::from(i)).collect();
        let want: Vec<f64> = s
            .iter()
            .zip(inf.iter().zip(&tau))
            .map(|(&s, (&inf, &tau))| {
                let (a, b) = (inf / tau, -1.0 / tau);
                s + (1.0 - exp(0.025 * b)) * (-a / b - s)
            })
            .collect();
        cnexp_gate(&mut s, &inf, &tau, 0.025);
        assert_eq!(s, want);
    }

    #[test]
    fn slice_equals_scalar() {
        let mut xs: Vec<f64> = (0..1001).map(|i| -3.0 + 0.006 * f64::from(i)).collect();
        let want: Vec<f64> = xs.iter().map(|&x| exp(x)).collect();
        exp_in_place(&mut xs);
        assert_eq!(xs, want);
    }
}
