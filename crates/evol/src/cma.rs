//! CMA-ES components: the (mu/mu_w, lambda)-CMA-ES of Hansen's tutorial
//! ("The CMA Evolution Strategy: A Tutorial", arXiv:1604.00772, 2016) as a
//! variator that samples the distribution and a replacer that updates it.
//!
//! inspyred has no CMA-ES; this one follows the tutorial's Table 1 and its
//! `purecma.py` closely, with positive recombination weights only (no active
//! CMA) and without restarts:
//!
//! * [`CmaVariation`] draws `lambda` samples `x = m + sigma B D z`,
//!   `z ~ N(0, I)` (tutorial eqs. 38–40), keeps them in
//!   [`CmaState::pending`] and returns them mapped into the bounds
//!   ([`into_bounds`]: reflection at the bounder's limits, then the bounder). The
//!   candidates it is handed (the selected parents) are ignored, as by the
//!   PSO.
//! * [`CmaReplacement`] ranks the evaluated offspring, updates the mean, the
//!   evolution paths, the step size and the covariance matrix from the best
//!   `mu` samples ([`CmaState::update`]), and returns all offspring as the new
//!   population (comma selection).
//!
//! The whole distribution — mean, step size, `C`, both evolution paths, the
//! eigendecomposition `B`, `D` and its age, the update counter — is a
//! [`CmaState`] in [`crate::Memo::cma`], so it is checkpointed with the rest of
//! the [`crate::EcState`] and a resumed run is bit-identical.
//!
//! # Start, step size and population
//!
//! * The first call of [`CmaVariation`] creates the state: the initial mean is
//!   the **first individual of the current population** (the first seed when
//!   seeds are given, otherwise the first generated candidate), `n` its
//!   length.
//! * The initial step size is [`crate::Args::cma_sigma`]; by default `0.3`
//!   times the mean width `upper - lower` of the genes the bounder limits
//!   (Hansen's rule of thumb for a start uniform in the box), or `1.0` when
//!   no gene is bounded.
//! * `lambda` is [`crate::Args::num_offspring`], by default
//!   `4 + floor(3 ln n)`; `mu = floor(lambda / 2)`. Both are fixed when the
//!   state is created. ([`crate::CmaEs`] sets `num_offspring` to `pop_size`
//!   when that is larger than 1, so a population size given to `evolve` is
//!   `lambda`; with `pop_size == 1` the run starts from one point.)
//!
//! # Bounds and excluded candidates
//!
//! The algorithm is plain CMA-ES on `g(x) = f(T(x))`, where `T` =
//! [`into_bounds`] reflects each gene at the limits the bounder reports
//! (`x -> 2 hi - x` above, `2 lo - x` below, repeated: a triangle wave of
//! period `2 (hi - lo)`) and then applies the bounder itself (a no-op for a
//! clamping [`crate::Bounder`] on reflected values, a snap for a
//! [`crate::DiscreteBounder`]). Each sample is evaluated, and stored in its
//! [`Individual`], as `T(x)`; the update uses the **unbounded** sample `x`,
//! so step-size and covariance adaptation see exactly the distribution they
//! sampled (no penalty, no repair). Inside the box this is the tutorial's
//! algorithm; outside it `g` is the mirror image of `f`, so the search always
//! feels the way back (this is the idea of pycma's default `BoundTransform`,
//! without its smoothing near the bounds). An optimum on a bound is a kink
//! of `g` and is still found.
//!
//! Two simpler choices were tried and rejected, both with a clamping bounder
//! on `[-5, 5]^10`/`[-5.12, 5.12]^5`: updating with the *clamped* samples
//! makes `C` shrink like `1 / sigma^2` once many samples clamp to the same
//! boundary point, while cumulation keeps growing `sigma` until it overflows
//! (Rastrigin, `lambda = 100`, seed 2); updating with the unbounded samples
//! of a *clamped* evaluation leaves `g` flat outside the box, and a mean that
//! wanders out in one coordinate never returns (sphere, seed 1, stuck at
//! `f = 25`).
//!
//! The replacer finds each offspring's sample by position: offspring arrive
//! in sampling order, so it walks [`CmaState::pending`] forward to the next
//! sample whose mapped value equals the offspring's candidate (bitwise). Candidates
//! the evaluator excluded (`None` fitness) are ranked after all evaluated
//! ones, in sampling order (a death penalty). An offspring that matches no
//! sample (changed by a variator placed after [`CmaVariation`]) is used as
//! its own sample.
//!
//! # Numerics
//!
//! `C` is kept exactly symmetric (the upper triangle is computed and mirrored).
//! Its eigendecomposition is a cyclic Jacobi iteration written here (no
//! linear-algebra dependency; fine for `n` up to about 100) and is refreshed
//! lazily, every `max(1, floor(1 / (10 n (c1 + c_mu))))` updates, as the
//! tutorial suggests to keep the cost per sample `O(n^2)` (with the default
//! `lambda` that is every update up to `n` of about 100). Eigenvalues below
//! `1e-30` times the largest are raised to it (a guard against rounding,
//! never met on well-posed problems). A distribution that stops being finite
//! (for instance a step size that overflows on an unbounded linear function)
//! is reported as [`EcError::Numerical`]; [`CmaTermination`] stops a run
//! before that, at the limit of precision (the tutorial's NoEffectAxis,
//! NoEffectCoord and ConditionCov criteria).
//!
//! All randomness is `n` draws of [`EcRng::gauss`] per sample, in sampling
//! order; everything else is deterministic arithmetic, so a run is
//! reproducible from its seed and resumes bit-identically from a checkpoint.

use crate::bounder::Bound;
use crate::ec::Ctx;
use crate::error::EcError;
use crate::individual::{Fitness, Individual, stable_sort_by_less};
use crate::replacers::Replacer;
use crate::rng::EcRng;
use crate::terminators::Terminator;
use crate::variators::Variator;

/// The default number of offspring per generation, `4 + floor(3 ln n)`
/// (tutorial Table 1), for `n >= 1` genes.
#[must_use]
pub fn default_lambda(n: usize) -> usize {
    // floor of a small positive number; the cast cannot truncate.
    4 + (3.0 * (n.max(1) as f64).ln()).floor() as usize
}

/// The strategy parameters of the tutorial's Table 1, derived from `n` and
/// `lambda` (never stored: recomputed identically on every call).
#[derive(Clone, Debug, PartialEq)]
pub struct CmaParams {
    /// Number of genes.
    pub n: usize,
    /// Offspring per generation.
    pub lambda: usize,
    /// Parents of the recombination, `floor(lambda / 2)`.
    pub mu: usize,
    /// Recombination weights `w_i ∝ ln((lambda + 1) / 2) - ln i`, `i = 1..mu`,
    /// summing to 1 (tutorial eq. 49, positive part).
    pub weights: Vec<f64>,
    /// Variance-effective selection mass `mu_eff = 1 / sum w_i^2`.
    pub mu_eff: f64,
    /// Learning rate of the conjugate evolution path,
    /// `c_sigma = (mu_eff + 2) / (n + mu_eff + 5)` (eq. 55).
    pub c_sigma: f64,
    /// Damping of the step size,
    /// `d_sigma = 1 + 2 max(0, sqrt((mu_eff - 1) / (n + 1)) - 1) + c_sigma`
    /// (eq. 55).
    pub d_sigma: f64,
    /// Learning rate of the evolution path,
    /// `c_c = (4 + mu_eff / n) / (n + 4 + 2 mu_eff / n)` (eq. 56).
    pub c_c: f64,
    /// Rank-one learning rate, `c1 = 2 / ((n + 1.3)^2 + mu_eff)` (eq. 57).
    pub c1: f64,
    /// Rank-mu learning rate,
    /// `c_mu = min(1 - c1, 2 (mu_eff - 2 + 1 / mu_eff) / ((n + 2)^2 + mu_eff))`
    /// (eq. 58 with `alpha_mu = 2`).
    pub c_mu: f64,
    /// `E||N(0, I)|| ≈ sqrt(n) (1 - 1 / (4 n) + 1 / (21 n^2))`.
    pub chi_n: f64,
    /// Updates between two eigendecompositions,
    /// `max(1, floor(1 / (10 n (c1 + c_mu))))`.
    pub eigen_interval: u64,
}

impl CmaParams {
    /// The parameters for `n >= 1` genes and `lambda >= 2` offspring.
    #[must_use]
    pub fn new(n: usize, lambda: usize) -> Self {
        let nf = n as f64;
        let mu = lambda / 2;
        let half = (lambda as f64 + 1.0) / 2.0;
        let raw: Vec<f64> = (1..=mu).map(|i| half.ln() - (i as f64).ln()).collect();
        let total: f64 = raw.iter().sum();
        let weights: Vec<f64> = raw.iter().map(|w| w / total).collect();
        let mu_eff = 1.0 / weights.iter().map(|w| w * w).sum::<f64>();
        let c_sigma = (mu_eff + 2.0) / (nf + mu_eff + 5.0);
        let d_sigma = 1.0 + 2.0 * (((mu_eff - 1.0) / (nf + 1.0)).sqrt() - 1.0).max(0.0) + c_sigma;
        let c_c = (4.0 + mu_eff / nf) / (nf + 4.0 + 2.0 * mu_eff / nf);
        let c1 = 2.0 / ((nf + 1.3).powi(2) + mu_eff);
        let c_mu =
            (1.0 - c1).min(2.0 * (mu_eff - 2.0 + 1.0 / mu_eff) / ((nf + 2.0).powi(2) + mu_eff));
        let chi_n = nf.sqrt() * (1.0 - 1.0 / (4.0 * nf) + 1.0 / (21.0 * nf * nf));
        // A positive finite number, so the cast is exact after floor.
        let eigen_interval = ((1.0 / (10.0 * nf * (c1 + c_mu))).floor() as u64).max(1);
        Self {
            n,
            lambda,
            mu,
            weights,
            mu_eff,
            c_sigma,
            d_sigma,
            c_c,
            c1,
            c_mu,
            chi_n,
            eigen_interval,
        }
    }
}

/// The CMA-ES search distribution `N(m, sigma^2 C)` and its evolution paths:
/// everything the algorithm changes between generations (kept in
/// [`crate::Memo::cma`] and checkpointed).
///
/// Matrices are `n x n`, row-major. `C = B diag(d)^2 B^T` as of the last
/// eigendecomposition (made after update number `eigen_generation`).
#[derive(Clone, Debug, PartialEq)]
pub struct CmaState {
    /// Offspring per generation.
    pub lambda: usize,
    /// Distribution mean `m`.
    pub mean: Vec<f64>,
    /// Step size `sigma`.
    pub sigma: f64,
    /// Covariance matrix `C`.
    pub c: Vec<f64>,
    /// Conjugate evolution path `p_sigma`.
    pub p_sigma: Vec<f64>,
    /// Evolution path `p_c`.
    pub p_c: Vec<f64>,
    /// Eigenvectors of `C` (column `k` is the `k`-th, eigenvalues ascending).
    pub b: Vec<f64>,
    /// Square roots of the eigenvalues of `C`, ascending.
    pub d: Vec<f64>,
    /// Updates made so far (`g` of the tutorial).
    pub generation: u64,
    /// Value of `generation` when `b` and `d` were computed.
    pub eigen_generation: u64,
    /// The unbounded samples of the generation in progress, in sampling order
    /// (set by [`CmaVariation`], consumed by [`CmaReplacement`]; empty
    /// between generations).
    pub pending: Vec<Vec<f64>>,
}

impl CmaState {
    /// The initial distribution: mean `mean`, step size `sigma`, `C = B = I`,
    /// `d = 1`, zero paths.
    #[must_use]
    pub fn new(mean: Vec<f64>, sigma: f64, lambda: usize) -> Self {
        let n = mean.len();
        let mut eye = vec![0.0; n * n];
        for i in 0..n {
            eye[i * n + i] = 1.0;
        }
        Self {
            lambda,
            sigma,
            c: eye.clone(),
            p_sigma: vec![0.0; n],
            p_c: vec![0.0; n],
            b: eye,
            d: vec![1.0; n],
            generation: 0,
            eigen_generation: 0,
            pending: Vec::new(),
            mean,
        }
    }

    /// Number of genes.
    #[must_use]
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// The strategy parameters for this state's `n` and `lambda`.
    #[must_use]
    pub fn params(&self) -> CmaParams {
        CmaParams::new(self.dim(), self.lambda)
    }

    /// Condition number of `C` (largest over smallest eigenvalue) as of the
    /// last eigendecomposition.
    #[must_use]
    pub fn condition(&self) -> f64 {
        let lo = self.d.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = self.d.iter().copied().fold(0.0, f64::max);
        (hi / lo).powi(2)
    }

    /// One sample `m + sigma B D z` with `z_0, …, z_{n-1}` drawn in order by
    /// `gauss(0, 1)` (tutorial eqs. 38–40). Not bounded.
    pub fn sample(&self, rng: &mut EcRng) -> Vec<f64> {
        let n = self.dim();
        let dz: Vec<f64> = self.d.iter().map(|&d| d * rng.gauss(0.0, 1.0)).collect();
        (0..n)
            .map(|i| {
                let y: f64 = (0..n).map(|k| self.b[i * n + k] * dz[k]).sum();
                self.mean[i] + self.sigma * y
            })
            .collect()
    }

    /// `C^{-1/2} v = B D^{-1} B^T v`.
    fn inv_sqrt_c_times(&self, v: &[f64]) -> Vec<f64> {
        let n = self.dim();
        let t: Vec<f64> = (0..n)
            .map(|k| (0..n).map(|i| self.b[i * n + k] * v[i]).sum::<f64>() / self.d[k])
            .collect();
        (0..n)
            .map(|i| (0..n).map(|k| self.b[i * n + k] * t[k]).sum())
            .collect()
    }

    /// One generation's update from the offspring's candidates, **best
    /// first**; only the first `mu` are used, fewer count as samples at the
    /// mean. Every candidate must have `n` genes.
    ///
    /// In the order of `purecma.py`: mean, `p_sigma`, `h_sigma`, `p_c`, `C`,
    /// `sigma`, then (lazily) the eigendecomposition.
    ///
    /// # Errors
    /// [`EcError::Numerical`] when the updated distribution is not finite.
    pub fn update(&mut self, ranked: &[&[f64]]) -> Result<(), EcError> {
        let p = self.params();
        let n = self.dim();
        let sigma = self.sigma;
        let used = ranked.len().min(p.mu);
        // Selected steps y_{i:lambda} = (x_{i:lambda} - m) / sigma (eq. 40).
        let ys: Vec<Vec<f64>> = ranked[..used]
            .iter()
            .map(|x| {
                x.iter()
                    .zip(&self.mean)
                    .map(|(xi, mi)| (xi - mi) / sigma)
                    .collect()
            })
            .collect();
        // <y>_w = sum w_i y_{i:lambda} (eq. 41).
        let mut y_w = vec![0.0; n];
        for (y, w) in ys.iter().zip(&p.weights) {
            for (a, yi) in y_w.iter_mut().zip(y) {
                *a += w * yi;
            }
        }
        // Selection and recombination: m <- m + c_m sigma <y>_w, c_m = 1
        // (eq. 42).
        for (m, y) in self.mean.iter_mut().zip(&y_w) {
            *m += sigma * y;
        }
        // Cumulation for step-size control (eq. 43):
        // p_sigma <- (1 - c_sigma) p_sigma
        //            + sqrt(c_sigma (2 - c_sigma) mu_eff) C^{-1/2} <y>_w.
        let cs_factor = (p.c_sigma * (2.0 - p.c_sigma) * p.mu_eff).sqrt();
        let z_w = self.inv_sqrt_c_times(&y_w);
        for (ps, z) in self.p_sigma.iter_mut().zip(&z_w) {
            *ps = (1.0 - p.c_sigma) * *ps + cs_factor * z;
        }
        let ps_norm = self.p_sigma.iter().map(|v| v * v).sum::<f64>().sqrt();
        // Stall of p_c (the Heaviside h_sigma after eq. 45): 1 when
        // ||p_sigma|| / sqrt(1 - (1 - c_sigma)^(2 (g + 1))) < (1.4 + 2 / (n + 1)) E||N(0,I)||.
        let g1 = (self.generation + 1) as f64;
        let h_sigma = ps_norm / (1.0 - (1.0 - p.c_sigma).powf(2.0 * g1)).sqrt()
            < (1.4 + 2.0 / (n as f64 + 1.0)) * p.chi_n;
        let h = if h_sigma { 1.0 } else { 0.0 };
        // Cumulation for the rank-one update (eq. 45):
        // p_c <- (1 - c_c) p_c + h_sigma sqrt(c_c (2 - c_c) mu_eff) <y>_w.
        let cc_factor = h * (p.c_c * (2.0 - p.c_c) * p.mu_eff).sqrt();
        for (pc, y) in self.p_c.iter_mut().zip(&y_w) {
            *pc = (1.0 - p.c_c) * *pc + cc_factor * y;
        }
        // Covariance matrix adaptation (eq. 47, positive weights, sum w = 1):
        // C <- (1 + c1 delta(h_sigma) - c1 - c_mu) C + c1 p_c p_c^T
        //      + c_mu sum w_i y_i y_i^T,
        // with delta(h_sigma) = (1 - h_sigma) c_c (2 - c_c).
        let delta = (1.0 - h) * p.c_c * (2.0 - p.c_c);
        let keep = 1.0 + p.c1 * delta - p.c1 - p.c_mu;
        for i in 0..n {
            for j in i..n {
                let rank_mu: f64 = ys
                    .iter()
                    .zip(&p.weights)
                    .map(|(y, w)| w * y[i] * y[j])
                    .sum();
                let v =
                    keep * self.c[i * n + j] + p.c1 * self.p_c[i] * self.p_c[j] + p.c_mu * rank_mu;
                self.c[i * n + j] = v;
                self.c[j * n + i] = v;
            }
        }
        // Step-size control (eq. 44):
        // sigma <- sigma exp(c_sigma / d_sigma (||p_sigma|| / E||N(0,I)|| - 1)).
        self.sigma = sigma * ((p.c_sigma / p.d_sigma) * (ps_norm / p.chi_n - 1.0)).exp();
        self.generation += 1;
        let finite = self.sigma.is_finite()
            && self.sigma > 0.0
            && self.mean.iter().chain(&self.c).all(|v| v.is_finite());
        if !finite {
            return Err(EcError::Numerical {
                component: "cma_replacement",
                reason: format!(
                    "the distribution is no longer finite (sigma = {})",
                    self.sigma
                ),
            });
        }
        if self.generation - self.eigen_generation >= p.eigen_interval {
            self.decompose()?;
        }
        Ok(())
    }

    /// Recompute `b` and `d` from `c`.
    fn decompose(&mut self) -> Result<(), EcError> {
        let n = self.dim();
        let (values, vectors) = symmetric_eigen(&self.c, n);
        let top = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if !(top.is_finite() && top > 0.0) {
            return Err(EcError::Numerical {
                component: "cma_replacement",
                reason: format!("the covariance matrix is not positive (largest eigenvalue {top})"),
            });
        }
        let floor = top * 1e-30;
        self.d = values.iter().map(|&v| v.max(floor).sqrt()).collect();
        self.b = vectors;
        self.eigen_generation = self.generation;
        Ok(())
    }
}

/// Eigenvalues (ascending) and eigenvectors (the columns of the returned
/// row-major `n x n` matrix, in the same order) of the symmetric row-major
/// matrix `a` (`a.len() == n * n`), by the cyclic Jacobi method.
///
/// Rotations follow Rutishauser's formulation (as in Numerical Recipes'
/// `jacobi`): `theta = (a_qq - a_pp) / (2 a_pq)`,
/// `t = sgn(theta) / (|theta| + sqrt(theta^2 + 1))`. An off-diagonal element is
/// skipped (set to zero) once it is below `eps * sqrt(|a_pp a_qq|)`, which
/// keeps small eigenvalues relatively accurate; iteration stops after a sweep
/// without rotations (or 100 sweeps). Sorting is stable on `total_cmp`.
pub(crate) fn symmetric_eigen(a: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut a = a.to_vec();
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    for _sweep in 0..100 {
        let mut rotated = false;
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                let (app, aqq) = (a[p * n + p], a[q * n + q]);
                if apq == 0.0 {
                    continue;
                }
                if apq.abs() <= f64::EPSILON * (app * aqq).abs().sqrt() {
                    a[p * n + q] = 0.0;
                    a[q * n + p] = 0.0;
                    continue;
                }
                rotated = true;
                let theta = (aqq - app) / (2.0 * apq);
                let t = if theta.abs() > 1e150 {
                    0.5 / theta
                } else {
                    let t = 1.0 / (theta.abs() + (theta * theta + 1.0).sqrt());
                    if theta < 0.0 { -t } else { t }
                };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                // A <- A P (columns p and q) …
                for k in 0..n {
                    let (akp, akq) = (a[k * n + p], a[k * n + q]);
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                // … then A <- P^T A (rows p and q); V <- V P.
                for k in 0..n {
                    let (apk, aqk) = (a[p * n + k], a[q * n + k]);
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                    let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
                a[p * n + q] = 0.0;
                a[q * n + p] = 0.0;
            }
        }
        if !rotated {
            break;
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    stable_sort_by_less(&mut order, |&i, &j| {
        a[i * n + i].total_cmp(&a[j * n + j]).is_lt()
    });
    let values = order.iter().map(|&i| a[i * n + i]).collect();
    let mut vectors = vec![0.0; n * n];
    for (col, &src) in order.iter().enumerate() {
        for k in 0..n {
            vectors[k * n + col] = v[k * n + src];
        }
    }
    (values, vectors)
}

/// CMA-ES sampling: `lambda` samples `m + sigma B D z`, kept unbounded in
/// [`CmaState::pending`] and returned bounded (see the [module docs](self)). Creates the [`CmaState`] in
/// [`crate::Memo::cma`] on its first call from the first individual of the
/// population, [`crate::Args::cma_sigma`] and [`crate::Args::num_offspring`].
/// The candidates passed in are ignored.
#[derive(Clone, Copy, Debug, Default)]
pub struct CmaVariation;

impl CmaVariation {
    fn initial_state(cx: &Ctx<'_>, population: &[Individual]) -> Result<CmaState, EcError> {
        let name = "cma_variation";
        let first = population
            .first()
            .ok_or(EcError::EmptyPopulation { component: name })?;
        let n = first.candidate.len();
        if n == 0 {
            return Err(EcError::InvalidArg {
                component: name,
                arg: "candidate",
                reason: "the initial mean needs at least one gene".to_owned(),
            });
        }
        let lambda = cx.args.num_offspring.unwrap_or_else(|| default_lambda(n));
        if lambda < 2 {
            return Err(EcError::InvalidArg {
                component: name,
                arg: "num_offspring",
                reason: format!("lambda must be at least 2, got {lambda}"),
            });
        }
        let sigma = match cx.args.cma_sigma {
            Some(s) => s,
            None => {
                let widths: Vec<f64> = (0..n)
                    .filter_map(|i| cx.bounder.limits(i))
                    .map(|(lo, hi)| hi - lo)
                    .filter(|w| w.is_finite() && *w > 0.0)
                    .collect();
                if widths.is_empty() {
                    1.0
                } else {
                    0.3 * widths.iter().sum::<f64>() / widths.len() as f64
                }
            }
        };
        if !(sigma.is_finite() && sigma > 0.0) {
            return Err(EcError::InvalidArg {
                component: name,
                arg: "cma_sigma",
                reason: format!("must be finite and positive, got {sigma}"),
            });
        }
        Ok(CmaState::new(first.candidate.clone(), sigma, lambda))
    }
}

impl Variator for CmaVariation {
    fn name(&self) -> &'static str {
        "cma_variation"
    }

    fn vary(
        &self,
        cx: &mut Ctx<'_>,
        population: &[Individual],
        _candidates: Vec<Vec<f64>>,
    ) -> Result<Vec<Vec<f64>>, EcError> {
        let mut state = match cx.memo.cma.take() {
            Some(state) => state,
            None => Self::initial_state(cx, population)?,
        };
        state.pending = (0..state.lambda).map(|_| state.sample(cx.rng)).collect();
        let out = state
            .pending
            .iter()
            .map(|x| into_bounds(x, cx.bounder))
            .collect();
        cx.memo.cma = Some(state);
        Ok(out)
    }
}

/// CMA-ES update and comma replacement: ranks the offspring (best first,
/// by the individuals' own better/worse relation, so `maximize` is honoured;
/// stable, ties keep sampling order), maps them to their unbounded samples,
/// puts the samples of excluded candidates last, updates
/// [`crate::Memo::cma`] with [`CmaState::update`], and returns the
/// offspring, in sampling order, as the new population. The old population is
/// dropped.
#[derive(Clone, Copy, Debug, Default)]
pub struct CmaReplacement;

impl Replacer for CmaReplacement {
    fn name(&self) -> &'static str {
        "cma_replacement"
    }

    fn replace(
        &self,
        cx: &mut Ctx<'_>,
        _population: Vec<Individual>,
        _parents: &[Individual],
        offspring: Vec<Individual>,
    ) -> Result<Vec<Individual>, EcError> {
        let name = self.name();
        let Some(state) = cx.memo.cma.as_mut() else {
            return Err(EcError::MissingArg {
                component: name,
                arg: "cma (the state cma_variation creates)",
            });
        };
        if offspring
            .iter()
            .any(|o| matches!(o.fitness, Fitness::Pareto(_)))
        {
            return Err(EcError::ScalarFitnessRequired { component: name });
        }
        if let Some(o) = offspring.iter().find(|o| o.candidate.len() != state.dim()) {
            return Err(EcError::InvalidArg {
                component: name,
                arg: "candidate",
                reason: format!(
                    "expected {} genes, an offspring has {}",
                    state.dim(),
                    o.candidate.len()
                ),
            });
        }
        // Each offspring's unbounded sample (see the module docs).
        let pending = std::mem::take(&mut state.pending);
        let mut used = vec![false; pending.len()];
        let mut next = 0;
        let mut sample_of: Vec<Option<usize>> = Vec::with_capacity(offspring.len());
        for o in &offspring {
            let found = (next..pending.len())
                .find(|&k| same_bits(&into_bounds(&pending[k], cx.bounder), &o.candidate));
            if let Some(k) = found {
                used[k] = true;
                next = k + 1;
            }
            sample_of.push(found);
        }
        let mut order: Vec<usize> = (0..offspring.len()).collect();
        stable_sort_by_less(&mut order, |&i, &j| {
            offspring[i].is_better_than(&offspring[j])
        });
        let ranked: Vec<&[f64]> = order
            .iter()
            .map(|&i| match sample_of[i] {
                Some(k) => pending[k].as_slice(),
                None => offspring[i].candidate.as_slice(),
            })
            .chain(
                pending
                    .iter()
                    .zip(&used)
                    .filter(|&(_, &u)| !u)
                    .map(|(x, _)| x.as_slice()),
            )
            .collect();
        state.update(&ranked)?;
        Ok(offspring)
    }
}

/// The point CMA-ES evaluates for the sample `x`: each gene reflected into
/// the limits `bounder.limits(i)` reports, then `bounder.bound`.
///
/// With both limits finite and `lo < hi`, `t = (x - lo) mod 2 (hi - lo)` and
/// the gene becomes `lo + t` for `t <= hi - lo`, else `lo + 2 (hi - lo) - t`;
/// with `lo == hi` it is `lo`; with one finite limit the gene is mirrored at it
/// when outside (`2 lo - x` or `2 hi - x`). Genes without limits, or with
/// non-finite values, are left to the bounder.
#[must_use]
pub fn into_bounds(x: &[f64], bounder: &dyn Bound) -> Vec<f64> {
    let mut out: Vec<f64> = x
        .iter()
        .enumerate()
        .map(|(i, &v)| match bounder.limits(i) {
            Some((lo, hi)) if v.is_finite() && lo <= hi => reflect(v, lo, hi),
            _ => v,
        })
        .collect();
    bounder.bound(&mut out);
    out
}

fn reflect(v: f64, lo: f64, hi: f64) -> f64 {
    match (lo.is_finite(), hi.is_finite()) {
        (true, true) => {
            let w = hi - lo;
            if w == 0.0 {
                return lo;
            }
            let t = (v - lo).rem_euclid(2.0 * w);
            if t <= w { lo + t } else { lo + (2.0 * w - t) }
        }
        (true, false) if v < lo => 2.0 * lo - v,
        (false, true) if v > hi => 2.0 * hi - v,
        _ => v,
    }
}

/// Stops a CMA-ES run at the limit of floating-point precision, with the
/// tutorial's problem-independent criteria (appendix B.3):
///
/// * **NoEffectAxis**: adding `0.1 sigma d_k b_k` (a tenth of a standard
///   deviation along a principal axis of `C`) leaves the mean unchanged, for
///   some `k`;
/// * **NoEffectCoord**: adding `0.2 sigma sqrt(C_ii)` to coordinate `i` leaves
///   it unchanged, for some `i`;
/// * **ConditionCov**: the condition number of `C` exceeds `1e14`.
///
/// Left running past that point the distribution degenerates (and may end in
/// [`EcError::Numerical`]). Never fires before [`CmaVariation`] has created
/// the state. Combine it with a budget terminator.
#[derive(Clone, Copy, Debug, Default)]
pub struct CmaTermination;

impl CmaTermination {
    /// The first criterion that holds for `state`, by name.
    #[must_use]
    pub fn reason(state: &CmaState) -> Option<&'static str> {
        let n = state.dim();
        let no_axis = (0..n).any(|k| {
            let f = 0.1 * state.sigma * state.d[k];
            (0..n).all(|i| state.mean[i] + f * state.b[i * n + k] == state.mean[i])
        });
        if no_axis {
            return Some("NoEffectAxis");
        }
        let no_coord = (0..n).any(|i| {
            state.mean[i] + 0.2 * state.sigma * state.c[i * n + i].sqrt() == state.mean[i]
        });
        if no_coord {
            return Some("NoEffectCoord");
        }
        if state.condition() > 1e14 {
            return Some("ConditionCov");
        }
        None
    }
}

impl Terminator for CmaTermination {
    fn name(&self) -> &'static str {
        "cma_termination"
    }

    fn should_terminate(
        &self,
        cx: &mut Ctx<'_>,
        _population: &[Individual],
    ) -> Result<bool, EcError> {
        Ok(cx.memo.cma.as_ref().and_then(Self::reason).is_some())
    }
}

/// Bitwise equality (so `-0.0 != 0.0` and NaN matches the same NaN).
fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::Args;
    use crate::ec::Memo;
    use crate::test_util::with_ctx_memo;

    fn mat_mul(a: &[f64], b: &[f64], n: usize) -> Vec<f64> {
        let mut out = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                out[i * n + j] = (0..n).map(|k| a[i * n + k] * b[k * n + j]).sum();
            }
        }
        out
    }

    #[test]
    fn jacobi_decomposes_symmetric_matrices() {
        let mut rng = EcRng::new(11);
        for n in [1, 2, 3, 7, 20] {
            let mut a = vec![0.0; n * n];
            for i in 0..n {
                for j in i..n {
                    let x = rng.gauss(0.0, 1.0);
                    a[i * n + j] = x;
                    a[j * n + i] = x;
                }
            }
            let (values, v) = symmetric_eigen(&a, n);
            assert!(values.windows(2).all(|w| w[0] <= w[1]), "{values:?}");
            // V^T V = I and V diag(values) V^T = A.
            let mut vt = vec![0.0; n * n];
            let mut vl = vec![0.0; n * n];
            for i in 0..n {
                for j in 0..n {
                    vt[j * n + i] = v[i * n + j];
                    vl[i * n + j] = v[i * n + j] * values[j];
                }
            }
            let vtv = mat_mul(&vt, &v, n);
            let back = mat_mul(&vl, &vt, n);
            for i in 0..n {
                for j in 0..n {
                    let eye = if i == j { 1.0 } else { 0.0 };
                    assert!((vtv[i * n + j] - eye).abs() < 1e-12);
                    assert!((back[i * n + j] - a[i * n + j]).abs() < 1e-12);
                }
            }
        }
    }

    #[test]
    fn jacobi_keeps_small_eigenvalues_of_ill_conditioned_matrices() {
        // Rotate diag(1e-8, 1, 1e4) by a fixed orthogonal matrix.
        let (c, s) = (0.6_f64, 0.8_f64);
        let q = [c, -s, 0.0, s, c, 0.0, 0.0, 0.0, 1.0];
        let q2 = [1.0, 0.0, 0.0, 0.0, c, -s, 0.0, s, c];
        let r = mat_mul(&q, &q2, 3);
        let d = [1e-8, 1.0, 1e4];
        let mut rd = r.clone();
        for i in 0..3 {
            for j in 0..3 {
                rd[i * 3 + j] *= d[j];
            }
        }
        let mut rt = [0.0; 9];
        for i in 0..3 {
            for j in 0..3 {
                rt[j * 3 + i] = r[i * 3 + j];
            }
        }
        let a = mat_mul(&rd, &rt, 3);
        let (values, _) = symmetric_eigen(&a, 3);
        // Forming `a` rounds its entries by ~1e4 eps = 2e-12, which moves the
        // smallest eigenvalue by up to ~2e-4 relative: that much is the data's.
        for (got, want) in values.iter().zip(d) {
            assert!(((got - want) / want).abs() < 1e-3, "{values:?}");
        }
        assert!(((values[2] - 1e4) / 1e4).abs() < 1e-14, "{values:?}");
    }

    #[test]
    fn samples_are_reflected_into_the_bounds() {
        use crate::bounder::{Bounder, DiscreteBounder, NoBounder};
        let b = Bounder::new(vec![0.0, -1.0, 2.0], vec![1.0, 1.0, 2.0]);
        let x = into_bounds(&[1.25, -3.5, 7.0, 9.0], &b);
        assert_eq!(x, [0.75, 0.5, 2.0, 9.0]);
        assert_eq!(into_bounds(&[-0.25, 2.5, 0.5], &b), [0.25, -0.5, 2.0]);
        let half = Bounder::new(vec![0.0], vec![f64::INFINITY]);
        assert_eq!(into_bounds(&[-2.0, 3.0], &half), [2.0, 3.0]);
        assert_eq!(into_bounds(&[-2.0], &NoBounder), [-2.0]);
        let d = DiscreteBounder::new(vec![0.0, 1.0, 4.0]);
        assert_eq!(into_bounds(&[5.0, 1.2], &d), [4.0, 1.0]);
    }

    #[test]
    fn parameters_match_the_tutorial() {
        // n = 10: lambda = 10, mu = 5, mu_eff ≈ 3.1672 (purecma.py).
        assert_eq!(default_lambda(10), 10);
        assert_eq!(default_lambda(5), 8);
        assert_eq!(default_lambda(1), 4);
        let p = CmaParams::new(10, 10);
        assert_eq!(p.mu, 5);
        assert!((p.weights.iter().sum::<f64>() - 1.0).abs() < 1e-15);
        assert!(p.weights.windows(2).all(|w| w[0] > w[1]));
        assert!((p.mu_eff - 3.167_299).abs() < 1e-5, "{}", p.mu_eff);
        assert!((p.c_sigma - (p.mu_eff + 2.0) / (p.mu_eff + 15.0)).abs() < 1e-15);
        assert!((p.c1 - 2.0 / (11.3_f64.powi(2) + p.mu_eff)).abs() < 1e-15);
        assert!(p.c_mu > 0.0 && p.c1 + p.c_mu < 1.0);
        assert!((p.chi_n - 3.084_727).abs() < 1e-5, "{}", p.chi_n);
        assert_eq!(p.eigen_interval, 1);
    }

    #[test]
    fn first_call_creates_the_state_and_samples_lambda() {
        let pop = vec![Individual::new(
            vec![1.0, 2.0, 3.0],
            Fitness::Single(0.0),
            0,
            false,
        )];
        let mut memo = Memo::default();
        let args = Args {
            cma_sigma: Some(0.5),
            ..Args::default()
        };
        let out = with_ctx_memo(&args, 3, &mut memo, |cx| {
            CmaVariation.vary(cx, &pop, vec![])
        })
        .unwrap();
        assert_eq!(out.len(), default_lambda(3));
        let st = memo.cma.unwrap();
        assert_eq!(st.mean, [1.0, 2.0, 3.0]);
        assert_eq!(st.sigma, 0.5);
        assert_eq!(st.lambda, 7);
        let bad = Args {
            cma_sigma: Some(0.0),
            ..Args::default()
        };
        let mut memo = Memo::default();
        assert!(
            with_ctx_memo(&bad, 3, &mut memo, |cx| CmaVariation.vary(cx, &pop, vec![])).is_err()
        );
    }

    #[test]
    fn replacement_needs_the_state_and_scalar_fitness() {
        let off = vec![Individual::new(
            vec![0.0],
            Fitness::Pareto(vec![1.0, 2.0]),
            0,
            false,
        )];
        let mut memo = Memo::default();
        let r = with_ctx_memo(&Args::default(), 0, &mut memo, |cx| {
            CmaReplacement.replace(cx, vec![], &[], off.clone())
        });
        assert!(matches!(r, Err(EcError::MissingArg { .. })));
        let mut memo = Memo {
            cma: Some(CmaState::new(vec![0.0], 1.0, 4)),
            ..Memo::default()
        };
        let r = with_ctx_memo(&Args::default(), 0, &mut memo, |cx| {
            CmaReplacement.replace(cx, vec![], &[], off.clone())
        });
        assert!(matches!(r, Err(EcError::ScalarFitnessRequired { .. })));
    }

    #[test]
    fn update_moves_the_mean_to_the_weighted_best() {
        // All mu selected samples equal: the mean lands on them.
        let mut st = CmaState::new(vec![0.0, 0.0], 1.0, 4);
        let x = [0.5, -0.25];
        st.update(&[&x, &x, &[9.0, 9.0], &[9.0, 9.0]]).unwrap();
        assert_eq!(st.mean, [0.5, -0.25]);
        assert_eq!(st.generation, 1);
        assert_eq!(st.eigen_generation, 1);
        // C stays symmetric and positive definite.
        assert_eq!(st.c[1], st.c[2]);
        assert!(st.d.iter().all(|&d| d > 0.0));
    }
}
