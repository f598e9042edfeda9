//! Sample moments of every NEURON `Random` distribution over 20,000 draws
//! from a `KeyedRng`, through compiled expressions.

use ranvier_expr::compile;
use ranvier_rng::KeyedRng;

const N: usize = 20_000;

fn moments(src: &str, purpose: u32) -> (f64, f64, Vec<f64>) {
    let p = compile(src, &[]).unwrap_or_else(|e| panic!("{src}: {}", e.render(src)));
    assert!(p.uses_random());
    let mut rng = KeyedRng::from_parts(2024, 7, purpose);
    let xs: Vec<f64> = (0..N).map(|_| p.eval(&[], &mut rng)).collect();
    let mean = xs.iter().sum::<f64>() / N as f64;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (N as f64 - 1.0);
    (mean, var, xs)
}

/// Checks the sample mean within 5 standard errors and the sample variance
/// within `var_tol` relative error.
#[track_caller]
fn check(src: &str, mean: f64, var: f64, var_tol: f64) -> Vec<f64> {
    let (m, v, xs) = moments(src, src.len() as u32);
    let se = (var / N as f64).sqrt();
    assert!(
        (m - mean).abs() <= 5.0 * se + 1e-12,
        "{src}: mean {m}, expected {mean} (se {se})"
    );
    assert!(
        (v - var).abs() <= var_tol * var + 1e-12,
        "{src}: variance {v}, expected {var}"
    );
    xs
}

fn is_int(x: f64) -> bool {
    x == x.trunc()
}

#[test]
fn uniform() {
    let xs = check("uniform(2, 5)", 3.5, 9.0 / 12.0, 0.05);
    assert!(xs.iter().all(|x| (2.0..5.0).contains(x)));
    // Reversed bounds are swapped, as in NEURON.
    let xs = check("rand.uniform(5, 2)", 3.5, 9.0 / 12.0, 0.05);
    assert!(xs.iter().all(|x| (2.0..5.0).contains(x)));
}

#[test]
fn discunif() {
    // Integers 1..=6 inclusive.
    let xs = check("discunif(1, 6)", 3.5, 35.0 / 12.0, 0.05);
    assert!(xs.iter().all(|&x| is_int(x) && (1.0..=6.0).contains(&x)));
    assert!(xs.contains(&1.0) && xs.contains(&6.0));
    // Bounds truncate toward zero like C `long(x)`.
    let xs = check("discunif(-2.7, 2.9)", 0.0, 24.0 / 12.0, 0.05);
    assert!(xs.iter().all(|&x| is_int(x) && (-2.0..=2.0).contains(&x)));
}

#[test]
fn normal_takes_variance() {
    check("normal(5, 4)", 5.0, 4.0, 0.05);
    check("rand.normal(-1, 0.5)", -1.0, 0.5, 0.05);
}

#[test]
fn lognormal_mean_and_variance_are_of_the_result() {
    let xs = check("lognormal(5, 2)", 5.0, 2.0, 0.08);
    assert!(xs.iter().all(|&x| x > 0.0));
    check("lognormal(-5, 2)", 5.0, 2.0, 0.08); // sign of the mean ignored (m² in NEURON)
}

#[test]
fn negexp() {
    let xs = check("negexp(3)", 3.0, 9.0, 0.08);
    assert!(xs.iter().all(|&x| x >= 0.0 && x.is_finite()));
}

#[test]
fn poisson() {
    let xs = check("poisson(3)", 3.0, 3.0, 0.05);
    assert!(xs.iter().all(|&x| is_int(x) && x >= 0.0));
    let xs = check("poisson(150)", 150.0, 150.0, 0.05); // PTRS branch
    assert!(xs.iter().all(|&x| is_int(x) && x >= 0.0));
    check("poisson(1e6)", 1e6, 1e6, 0.05); // NEURON would never finish
    assert_eq!(
        compile("poisson(0)", &[])
            .unwrap()
            .eval(&[], &mut KeyedRng::from_parts(0, 0, 0)),
        0.0
    );
    assert!(
        compile("poisson(-1)", &[])
            .unwrap()
            .eval(&[], &mut KeyedRng::from_parts(0, 0, 0))
            .is_nan()
    );
}

#[test]
fn binomial() {
    let xs = check("binomial(20, 0.3)", 6.0, 4.2, 0.05);
    assert!(xs.iter().all(|&x| is_int(x) && (0.0..=20.0).contains(&x)));
    let xs = check("binomial(1000.9, 0.25)", 250.0, 187.5, 0.05); // N truncated; splitting branch
    assert!(xs.iter().all(|&x| is_int(x) && (0.0..=1000.0).contains(&x)));
    check("binomial(1e9, 0.5)", 5e8, 2.5e8, 0.05);
    let mut rng = KeyedRng::from_parts(0, 0, 0);
    assert_eq!(
        compile("binomial(10, 1)", &[]).unwrap().eval(&[], &mut rng),
        10.0
    );
    assert_eq!(
        compile("binomial(10, 0)", &[]).unwrap().eval(&[], &mut rng),
        0.0
    );
    assert!(
        compile("binomial(10, 1.5)", &[])
            .unwrap()
            .eval(&[], &mut rng)
            .is_nan()
    );
    assert!(
        compile("binomial(-1, 0.5)", &[])
            .unwrap()
            .eval(&[], &mut rng)
            .is_nan()
    );
}

#[test]
fn geometric_parameter_is_not_the_mean() {
    // P(k) = q^(k-1)(1-q), k >= 1: mean 1/(1-q), variance q/(1-q)².
    let xs = check("geometric(0.75)", 4.0, 12.0, 0.08);
    assert!(xs.iter().all(|&x| is_int(x) && x >= 1.0));
    check("geometric(0.2)", 1.25, 0.3125, 0.05);
    let mut rng = KeyedRng::from_parts(0, 0, 0);
    assert_eq!(
        compile("geometric(0)", &[]).unwrap().eval(&[], &mut rng),
        1.0
    );
    assert_eq!(
        compile("geometric(1)", &[]).unwrap().eval(&[], &mut rng),
        f64::INFINITY
    );
    assert!(
        compile("geometric(2)", &[])
            .unwrap()
            .eval(&[], &mut rng)
            .is_nan()
    );
}

#[test]
fn hypergeo_is_hyperexponential() {
    let xs = check("hypergeo(2, 12)", 2.0, 12.0, 0.15);
    assert!(xs.iter().all(|&x| x >= 0.0));
    // variance == mean² is a plain exponential.
    check("hypergeo(3, 9)", 3.0, 9.0, 0.08);
    let mut rng = KeyedRng::from_parts(0, 0, 0);
    assert!(
        compile("hypergeo(2, 1)", &[])
            .unwrap()
            .eval(&[], &mut rng)
            .is_nan()
    );
}

#[test]
fn erlang() {
    // k = int(4²/2 + 0.5) = 8: variance exactly 16/8 = 2.
    check("erlang(4, 2)", 4.0, 2.0, 0.05);
    // k = int(4²/3 + 0.5) = 5: variance 16/5 = 3.2, not the requested 3.
    check("erlang(4, 3)", 4.0, 3.2, 0.05);
    // Gamma branch (k = 400).
    check("erlang(10, 0.25)", 10.0, 0.25, 0.05);
    // k >= 1: a huge variance gives an exponential.
    check("erlang(2, 100)", 2.0, 4.0, 0.08);
}

#[test]
fn weibull() {
    // alpha = 1: exponential with mean beta.
    check("weibull(1, 3)", 3.0, 9.0, 0.08);
    // alpha = 2, beta = 1: sqrt(E): mean Γ(1.5) = √π/2, variance 1 - π/4.
    let pi = std::f64::consts::PI;
    check("weibull(2, 1)", pi.sqrt() / 2.0, 1.0 - pi / 4.0, 0.05);
    // alpha = 2, beta = 4: scale beta^(1/alpha) = 2.
    check("weibull(2, 4)", pi.sqrt(), 4.0 * (1.0 - pi / 4.0), 0.05);
}

#[test]
fn draws_are_reproducible_per_stream() {
    let p = compile("normal(0, 1) + uniform(0, 1) * poisson(20)", &[]).unwrap();
    let mut a = KeyedRng::from_parts(5, 1, 1);
    let mut b = KeyedRng::from_parts(5, 1, 1);
    for _ in 0..100 {
        assert_eq!(p.eval(&[], &mut a).to_bits(), p.eval(&[], &mut b).to_bits());
    }
}
