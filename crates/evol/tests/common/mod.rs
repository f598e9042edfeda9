//! Standard test functions shared by the optimisation tests.

use ranvier_evol::Fitness;

/// `sum x_i^2`, minimum 0 at the origin.
pub(crate) fn sphere(x: &[f64]) -> f64 {
    x.iter().map(|v| v * v).sum()
}

/// `10 n + sum (x_i^2 - 10 cos(2 pi x_i))`, minimum 0 at the origin.
pub(crate) fn rastrigin(x: &[f64]) -> f64 {
    10.0 * x.len() as f64
        + x.iter()
            .map(|v| v * v - 10.0 * (std::f64::consts::TAU * v).cos())
            .sum::<f64>()
}

/// `sum 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2`, minimum 0 at (1, ..., 1).
pub(crate) fn rosenbrock(x: &[f64]) -> f64 {
    x.windows(2)
        .map(|w| 100.0 * (w[1] - w[0] * w[0]).powi(2) + (1.0 - w[0]).powi(2))
        .sum()
}

/// A batch evaluator of `f`.
pub(crate) fn batch(f: fn(&[f64]) -> f64) -> impl FnMut(&[Vec<f64>]) -> Vec<Option<Fitness>> {
    move |cs: &[Vec<f64>]| cs.iter().map(|c| Some(Fitness::Single(f(c)))).collect()
}
