//! NEURON `Random` distributions (the libg++ classes in `src/gnu/` of NEURON,
//! reached through `src/ivoc/ivocrand.cpp`), sampled from any [`RandomSource`].
//!
//! The parameter conventions are NEURON's, which are *not* always the
//! textbook ones (e.g. [`normal`] takes a variance, [`geometric`] does not take
//! a mean, [`hypergeo`] is not a hypergeometric distribution). The streams are
//! not bit-identical to NEURON's; only the distributions are reproduced. Where
//! NEURON's algorithm would loop forever or take time proportional to a
//! parameter, an exact algorithm with bounded expected cost is used instead.
//!
//! Arguments NEURON rejects with a hoc error (`binomial` with `N < 0` or `p`
//! outside `[0, 1]`, `geometric` outside `[0, 1]`) give NaN here, as do
//! NaN arguments.

use crate::RandomSource;

/// Uniform `u` in `(0, 1]`.
#[inline]
fn open0(rng: &mut dyn RandomSource) -> f64 {
    1.0 - rng.uniform01()
}

/// `uniform(low, high)`: continuous uniform on `[min, max)` of the two bounds
/// (NEURON swaps reversed bounds). Mean `(low+high)/2`, variance `(high-low)²/12`.
pub fn uniform(rng: &mut dyn RandomSource, low: f64, high: f64) -> f64 {
    let (lo, hi) = if low < high { (low, high) } else { (high, low) };
    lo + (hi - lo) * rng.uniform01()
}

/// `discunif(low, high)`: uniform over the integers `low..=high` (inclusive).
/// Bounds are truncated toward zero first (NEURON converts them with C
/// `long(x)`) and swapped if reversed. Mean `(low+high)/2`, variance
/// `((high-low+1)² - 1)/12`.
pub fn discunif(rng: &mut dyn RandomSource, low: f64, high: f64) -> f64 {
    if low.is_nan() || high.is_nan() {
        return f64::NAN;
    }
    let (a, b) = (low.trunc(), high.trunc());
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    let delta = hi - lo + 1.0;
    (lo + (delta * rng.uniform01()).floor()).min(hi)
}

/// `normal(mean, variance)`: Gaussian with the given mean and **variance**
/// (standard deviation `sqrt(variance)`; a negative variance gives NaN).
pub fn normal(rng: &mut dyn RandomSource, mean: f64, variance: f64) -> f64 {
    mean + variance.sqrt() * rng.normal01()
}

/// `lognormal(mean, variance)`: log-normal whose own mean and variance (not
/// those of the underlying normal) are the arguments. NEURON sets the normal's
/// `mu = ln(m² / sqrt(v + m²))`, `sigma² = ln((v + m²) / m²)`, so the sign of
/// `mean` is ignored (`lognormal(-2, v)` = `lognormal(2, v)`).
pub fn lognormal(rng: &mut dyn RandomSource, mean: f64, variance: f64) -> f64 {
    let m2 = mean * mean;
    let mu = (m2 / (variance + m2).sqrt()).ln();
    let sd = ((variance + m2) / m2).ln().sqrt();
    (mu + sd * rng.normal01()).exp()
}

/// `negexp(mean)`: exponential with the given mean (variance `mean²`).
pub fn negexp(rng: &mut dyn RandomSource, mean: f64) -> f64 {
    -mean * open0(rng).ln()
}

/// `poisson(mean)`: Poisson count with the given mean (= variance).
///
/// NEURON multiplies uniforms until the product drops below `exp(-mean)`
/// (same here for `mean < 10`); for larger means (where NEURON's loop is slow,
/// and never ends beyond `mean ≈ 745`) Hörmann's PTRS transformed rejection is
/// used. `mean = 0` gives 0; a negative mean gives NaN (NEURON returns -1).
pub fn poisson(rng: &mut dyn RandomSource, mean: f64) -> f64 {
    if !(mean >= 0.0) {
        return f64::NAN;
    }
    if mean == f64::INFINITY {
        return f64::INFINITY;
    }
    if mean < 10.0 {
        let bound = (-mean).exp();
        let mut count = 0.0;
        let mut product = rng.uniform01();
        while product >= bound {
            count += 1.0;
            product *= rng.uniform01();
        }
        return count;
    }
    // PTRS (W. Hörmann 1993), as in numpy's `random_poisson_ptrs`.
    let slam = mean.sqrt();
    let loglam = mean.ln();
    let b = 0.931 + 2.53 * slam;
    let a = -0.059 + 0.02483 * b;
    let invalpha = 1.1239 + 1.1328 / (b - 3.4);
    let vr = 0.9277 - 3.6224 / (b - 2.0);
    for _ in 0..10_000 {
        let u = rng.uniform01() - 0.5;
        let v = rng.uniform01();
        let us = 0.5 - u.abs();
        let k = ((2.0 * a / us + b) * u + mean + 0.43).floor();
        if us >= 0.07 && v <= vr {
            return k;
        }
        if k < 0.0 || (us < 0.013 && v > us) {
            continue;
        }
        if v.ln() + invalpha.ln() - (a / (us * us) + b).ln()
            <= -mean + k * loglam - ln_gamma(k + 1.0)
        {
            return k;
        }
    }
    // Unreachable with a sane source (acceptance rate > 80%).
    mean.round()
}

/// `binomial(N, p)`: number of successes in `N` trials of probability `p`
/// (mean `Np`, variance `Np(1-p)`). `N` is truncated to an integer as NEURON's
/// `int(N)`. NEURON counts `N` uniforms below `p` (same here for `N ≤ 64`);
/// larger `N` use Knuth's exact beta-splitting recursion (TAOCP 3.4.1),
/// `O(log N)` steps.
pub fn binomial(rng: &mut dyn RandomSource, n: f64, p: f64) -> f64 {
    if !(n >= 0.0 && (0.0..=1.0).contains(&p)) {
        return f64::NAN;
    }
    if n == f64::INFINITY {
        return if p == 0.0 { 0.0 } else { f64::INFINITY };
    }
    let mut t = n.trunc();
    let mut p = p;
    let mut successes = 0.0;
    while t > 64.0 {
        let a = (t / 2.0).floor() + 1.0;
        let b = t - a + 1.0;
        // The a-th smallest of t uniforms.
        let ga = gamma(rng, a);
        let gb = gamma(rng, b);
        let x = ga / (ga + gb);
        if !(x > 0.0 && x < 1.0) {
            break;
        }
        if x >= p {
            t = a - 1.0;
            p /= x;
        } else {
            successes += a;
            t = b - 1.0;
            p = (p - x) / (1.0 - x);
        }
    }
    let mut i = 0.0;
    while i < t {
        if rng.uniform01() < p {
            successes += 1.0;
        }
        i += 1.0;
    }
    successes
}

/// `geometric(q)`: NEURON's "mean" argument `q` (must be in `[0, 1]`) is the
/// probability that a uniform draw is *below* it; the result is the number of
/// draws up to and including the first one `>= q`, i.e. `P(k) = q^(k-1) (1-q)`
/// for `k = 1, 2, …`. Mean `1/(1-q)`, variance `q/(1-q)²`. `q = 1` gives
/// `+inf` (NEURON loops forever). Sampled by inversion.
pub fn geometric(rng: &mut dyn RandomSource, q: f64) -> f64 {
    if !(0.0..=1.0).contains(&q) {
        return f64::NAN;
    }
    if q == 1.0 {
        return f64::INFINITY;
    }
    if q == 0.0 {
        return 1.0;
    }
    1.0 + (open0(rng).ln() / q.ln()).floor()
}

/// `hypergeo(mean, variance)`: despite the name (inherited from libg++), a
/// two-branch **hyperexponential** distribution with the given mean and
/// variance; needs `variance >= mean²` (otherwise NaN). With
/// `z = variance/mean²` and `p = (1 - sqrt((z-1)/(z+1)))/2`, the draw is
/// exponential with mean `mean/(2p)` with probability `p`, else with mean
/// `mean/(2(1-p))`.
pub fn hypergeo(rng: &mut dyn RandomSource, mean: f64, variance: f64) -> f64 {
    let z = variance / (mean * mean);
    let p = 0.5 * (1.0 - ((z - 1.0) / (z + 1.0)).sqrt());
    let d = if rng.uniform01() > p { 1.0 - p } else { p };
    -mean * open0(rng).ln() / (2.0 * d)
}

/// `erlang(mean, variance)`: Erlang (gamma with integer shape) with shape
/// `k = max(1, int(mean²/variance + 0.5))` and rate `k/mean`, so the mean is
/// exact and the variance is `mean²/k` (the requested variance rounded to the
/// nearest attainable one). NEURON sums `k` exponentials (same here for
/// `k ≤ 32`); larger `k` use a Marsaglia–Tsang gamma draw.
pub fn erlang(rng: &mut dyn RandomSource, mean: f64, variance: f64) -> f64 {
    let kf = (mean * mean / variance + 0.5).trunc();
    if kf.is_nan() {
        return f64::NAN;
    }
    let k = kf.max(1.0);
    let rate = k / mean;
    if k > 1e15 {
        return mean; // zero variance in the limit
    }
    let g = if k <= 32.0 {
        let mut s = 0.0;
        let mut i = 0.0;
        while i < k {
            s -= open0(rng).ln();
            i += 1.0;
        }
        s
    } else {
        gamma(rng, k)
    };
    g / rate
}

/// `weibull(alpha, beta)`: NEURON/libg++ draws `(beta · E)^(1/alpha)` with `E`
/// standard exponential, i.e. CDF `1 - exp(-x^alpha / beta)`: shape `alpha`,
/// scale `beta^(1/alpha)` (so `beta` is the scale raised to the power alpha).
/// Mean `beta^(1/α) Γ(1 + 1/α)`.
pub fn weibull(rng: &mut dyn RandomSource, alpha: f64, beta: f64) -> f64 {
    (beta * -open0(rng).ln()).powf(1.0 / alpha)
}

/// Standard gamma variate with shape `a >= 1` (Marsaglia & Tsang 2000).
fn gamma(rng: &mut dyn RandomSource, a: f64) -> f64 {
    let d = a - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    for _ in 0..10_000 {
        let x = rng.normal01();
        let v = 1.0 + c * x;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let u = open0(rng);
        if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
            return d * v;
        }
    }
    // Unreachable with a sane source (acceptance rate > 95%).
    a
}

/// `ln Γ(x)` for `x > 0` (Stirling series after shifting `x` to `>= 10`;
/// relative accuracy ~1e-13).
pub(crate) fn ln_gamma(x: f64) -> f64 {
    if !(x > 0.0) {
        return f64::NAN;
    }
    let mut x = x;
    let mut shift = 0.0;
    while x < 10.0 {
        shift += x.ln();
        x += 1.0;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    let series =
        inv * (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 * (1.0 / 1680.0))));
    (x - 0.5) * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI).ln() + series - shift
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_gamma_matches_factorials() {
        let mut f = 1.0f64;
        for n in 1..30 {
            // ln Γ(n) = ln((n-1)!)
            assert!((ln_gamma(f64::from(n)) - f.ln()).abs() < 1e-10, "n = {n}");
            f *= f64::from(n);
        }
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-12);
    }
}
