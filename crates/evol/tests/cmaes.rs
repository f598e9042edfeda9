//! CMA-ES: convergence on standard functions with documented evaluation
//! budgets, covariance learning on an ill-conditioned ellipsoid, maximisation,
//! excluded candidates, and the `pop_size`/`lambda` convention.
//!
//! Each run starts from one generated point (`pop_size` 1, uniform in the
//! box), uses the default step size (0.3 times the box width) and the
//! bounder's box with reflection (see `ranvier_evol::cma`), and is stepped
//! until the best archived fitness is below the target. Evaluation counts
//! include the one initial evaluation. Budgets were set from seeds 0..32
//! (release build; the counts do not depend on the build):
//!
//! | problem                        | lambda | target | evaluations, seeds 0..8 | seeds 0..32             | budget |
//! |--------------------------------|--------|--------|-------------------------|-------------------------|--------|
//! | sphere, n = 10, [-5, 5]        | 10     | 1e-10  | 1531–2051               | 1531–2061, all reach    | 2 500  |
//! | ellipsoid 1e6, n = 10, [-5, 5] | 10     | 1e-10  | 5691–6441               | 5561–6711, all reach    | 8 000  |
//! | Rosenbrock, n = 10, [-2, 2]    | 20     | 1e-8   | 7661–9301               | 6881–9781, all reach    | 12 000 |
//! | Rastrigin, n = 5, [-5.12, 5.12]| 400    | 1e-6   | 16801–26401             | 14401–52401, all reach  | 40 000 |
//!
//! With the default `lambda` (10) Rosenbrock in 10-D reaches 1e-8 in 30 of 32
//! seeds (4731–7861 evaluations); seeds 1 and 7 stop in the local minimum near
//! `(-1, 1, …, 1)` (f ≈ 3.99), the known behaviour of CMA-ES there, hence
//! `lambda = 20` in the test. On Rastrigin (5-D) the global basin is found in
//! 22/32 seeds with `lambda = 100`, 28/32 with 200, 31/32 with 300 and 32/32
//! with 400; failures end in a neighbouring local minimum (f ≈ 1 or 2).

use ranvier_evol::cma::{CmaTermination, default_lambda};
use ranvier_evol::replacers::DefaultReplacement;
use ranvier_evol::terminators::EvaluationTermination;
use ranvier_evol::{Args, Bounder, CmaEs, EcRng, EcState, Fitness};

mod common;
use common::{batch, rastrigin, rosenbrock, sphere};

/// `sum 10^(6 i / (n - 1)) x_i^2`: axis lengths spanning a condition number
/// of 1e6.
fn ellipsoid(x: &[f64]) -> f64 {
    let n = x.len();
    x.iter()
        .enumerate()
        .map(|(i, v)| 1e6_f64.powf(i as f64 / (n - 1) as f64) * v * v)
        .sum()
}

fn uniform(n: usize, lim: f64) -> impl FnMut(&mut EcRng, &Args) -> Vec<f64> {
    move |r: &mut EcRng, _: &Args| (0..n).map(|_| r.uniform(-lim, lim)).collect()
}

fn best_archived(state: &EcState) -> f64 {
    state
        .archive
        .iter()
        .filter_map(|i| i.fitness.as_single())
        .fold(f64::INFINITY, f64::min)
}

/// Minimise `f` in `[-lim, lim]^n` from one generated point until the best
/// archived fitness is below `target` or `budget` evaluations are spent.
/// Returns the evaluations used when the target was reached.
fn evaluations_to_target(
    seed: u64,
    f: fn(&[f64]) -> f64,
    n: usize,
    lim: f64,
    lambda: Option<usize>,
    target: f64,
    budget: u64,
) -> (Option<u64>, EcState) {
    let mut cma = CmaEs::new(seed);
    cma.ec.terminators = vec![Box::new(CmaTermination)];
    let args = CmaEs::args(
        &Args {
            num_offspring: lambda,
            ..Args::default()
        },
        1,
    );
    let bounder = Bounder::uniform(-lim, lim);
    let mut eval = batch(f);
    let mut state = cma
        .ec
        .initialize(uniform(n, lim), &mut eval, 1, &[], false, &bounder, &args)
        .unwrap();
    loop {
        if best_archived(&state) < target {
            return (Some(state.num_evaluations), state);
        }
        if state.num_evaluations >= budget
            || cma
                .ec
                .should_terminate(&mut state, &bounder, &args)
                .unwrap()
        {
            return (None, state);
        }
        cma.ec.step(&mut state, &mut eval, &bounder, &args).unwrap();
    }
}

fn assert_all_seeds(
    f: fn(&[f64]) -> f64,
    n: usize,
    lim: f64,
    lambda: Option<usize>,
    target: f64,
    budget: u64,
) -> Vec<EcState> {
    (0..8)
        .map(|seed| {
            let (evals, state) = evaluations_to_target(seed, f, n, lim, lambda, target, budget);
            assert!(
                evals.is_some_and(|e| e <= budget),
                "seed {seed}: best {:e} after {} evaluations",
                best_archived(&state),
                state.num_evaluations
            );
            state
        })
        .collect()
}

/// Sphere, n = 10: below 1e-10 within 2 500 evaluations for seeds 0..8
/// (measured 1531–2051).
#[test]
fn sphere_10d() {
    let states = assert_all_seeds(sphere, 10, 5.0, None, 1e-10, 2_500);
    let cma = states[0].memo.cma.as_ref().unwrap();
    assert_eq!(cma.lambda, default_lambda(10));
    // Isotropic problem: C stays well conditioned.
    assert!(cma.condition() < 20.0, "{}", cma.condition());
}

/// Rosenbrock, n = 10, lambda = 20: below 1e-8 within 12 000 evaluations for
/// seeds 0..8 (measured 7661–9301).
#[test]
fn rosenbrock_10d() {
    let states = assert_all_seeds(rosenbrock, 10, 2.0, Some(20), 1e-8, 12_000);
    for s in &states {
        assert!(
            s.archive[0]
                .candidate
                .iter()
                .all(|x| (x - 1.0).abs() < 1e-3)
        );
    }
}

/// Rastrigin, n = 5, lambda = 400: the global minimum to 1e-6 within 40 000
/// evaluations for seeds 0..8 (measured 16801–26401).
#[test]
fn rastrigin_5d_large_population() {
    assert_all_seeds(rastrigin, 5, 5.12, Some(400), 1e-6, 40_000);
}

/// Ellipsoid with condition number 1e6, n = 10: below 1e-10 within 8 000
/// evaluations for seeds 0..8 (measured 5691–6441, about 3.4 times the
/// sphere's, where an isotropic strategy would need of the order of
/// sqrt(1e6) = 1000 times more). The learnt `C` has a condition number near
/// 1e6 (measured 6.9e5–1.3e6 for seeds 0..8) with its longest axis along `x_0` (weight 1)
/// and its shortest along `x_9` (weight 1e6).
#[test]
fn ellipsoid_learns_the_covariance() {
    let n = 10;
    for state in assert_all_seeds(ellipsoid, n, 5.0, None, 1e-10, 8_000) {
        let cma = state.memo.cma.as_ref().unwrap();
        let cond = cma.condition();
        assert!((3e5..3e6).contains(&cond), "{cond:e}");
        // Eigenvalues ascend: column n - 1 is the longest axis, column 0 the
        // shortest.
        let longest = cma.b[n - 1].abs();
        let shortest = cma.b[(n - 1) * n].abs();
        assert!(longest > 0.99 && shortest > 0.99, "{longest} {shortest}");
    }
}

/// Maximising `-f` makes exactly the choices minimising `f` does: same
/// candidates, negated fitness.
#[test]
fn maximisation_mirrors_minimisation() {
    let run = |maximize: bool| {
        let mut cma = CmaEs::new(3);
        cma.ec.terminators = vec![Box::new(EvaluationTermination)];
        let args = Args {
            max_evaluations: Some(1_500),
            ..Args::default()
        };
        let sign = if maximize { -1.0 } else { 1.0 };
        let eval = move |cs: &[Vec<f64>]| {
            cs.iter()
                .map(|c| Some(Fitness::Single(sign * sphere(c))))
                .collect()
        };
        cma.evolve(
            uniform(5, 5.0),
            eval,
            1,
            &[],
            maximize,
            &Bounder::uniform(-5.0, 5.0),
            &args,
        )
        .unwrap()
    };
    let (min, max) = (run(false), run(true));
    let cands = |s: &EcState| -> Vec<Vec<f64>> {
        s.population.iter().map(|i| i.candidate.clone()).collect()
    };
    assert_eq!(cands(&min), cands(&max));
    assert_eq!(min.memo.cma, max.memo.cma);
    let best = max.archive[0].fitness.as_single().unwrap();
    assert!(best > -1e-12, "{best}");
    assert_eq!(best, -min.archive[0].fitness.as_single().unwrap());
}

/// Candidates the evaluator rejects (here: `x_0 < 0.5`, so the constrained
/// optimum is `(0.5, 0, …, 0)`, f = 0.25) are ranked last; the search still
/// converges to the constrained optimum.
#[test]
fn excluded_candidates_rank_last() {
    let mut cma = CmaEs::new(5);
    cma.ec.terminators = vec![Box::new(EvaluationTermination), Box::new(CmaTermination)];
    let args = Args {
        max_evaluations: Some(6_000),
        ..Args::default()
    };
    let eval = |cs: &[Vec<f64>]| {
        cs.iter()
            .map(|c| (c[0] >= 0.5).then(|| Fitness::Single(sphere(c))))
            .collect()
    };
    let state = cma
        .evolve(
            uniform(4, 5.0),
            eval,
            1,
            &[vec![3.0, 1.0, 1.0, 1.0]],
            false,
            &Bounder::uniform(-5.0, 5.0),
            &args,
        )
        .unwrap();
    let best = best_archived(&state);
    assert!((best - 0.25).abs() < 1e-6, "{best}");
    assert!(state.population.iter().all(|i| i.candidate[0] >= 0.5));
}

/// `pop_size > 1` sets lambda (unless `num_offspring` does); the mean starts
/// at the first individual (the seed) and sigma at 0.3 times the box width.
#[test]
fn pop_size_sets_lambda_and_the_first_individual_the_mean() {
    assert_eq!(CmaEs::args(&Args::default(), 12).num_offspring, Some(12));
    assert_eq!(CmaEs::args(&Args::default(), 1).num_offspring, None);
    let explicit = Args {
        num_offspring: Some(6),
        ..Args::default()
    };
    assert_eq!(CmaEs::args(&explicit, 12).num_offspring, Some(6));

    // Sample once without updating, to see the initial distribution.
    let mut cma = CmaEs::new(1);
    cma.ec.replacer = Box::new(DefaultReplacement);
    let args = CmaEs::args(&Args::default(), 12);
    let bounder = Bounder::new(vec![-2.0, -1.0, 0.0], vec![2.0, 1.0, 6.0]);
    let seed = vec![0.5, -0.5, 1.5];
    let mut eval = batch(sphere);
    let mut state = cma
        .ec
        .initialize(
            uniform(3, 1.0),
            &mut eval,
            12,
            std::slice::from_ref(&seed),
            false,
            &bounder,
            &args,
        )
        .unwrap();
    assert_eq!(state.population.len(), 12);
    assert!(state.memo.cma.is_none());
    cma.ec.step(&mut state, &mut eval, &bounder, &args).unwrap();
    let c = state.memo.cma.as_ref().unwrap();
    assert_eq!(c.mean, seed);
    assert_eq!(c.sigma, 0.3 * ((4.0 + 2.0 + 6.0) / 3.0));
    assert_eq!((c.lambda, c.pending.len(), c.generation), (12, 12, 0));
    // The pending samples are unbounded; the evaluated candidates are their
    // reflections into the box.
    assert_eq!(state.num_evaluations, 24);
}
