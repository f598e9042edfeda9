//! Optimisation tests: fixed seeds and budgets, documented tolerances.

use ranvier_evol::replacers::GenerationalReplacement;
use ranvier_evol::selectors::TournamentSelection;
use ranvier_evol::terminators::{EvaluationTermination, GenerationTermination};
use ranvier_evol::variators::{GaussianMutation, UniformCrossover};
use ranvier_evol::{
    Args, Bounder, Dea, EcRng, Eda, Es, EvolutionaryComputation, Fitness, Ga, Individual,
    NoBounder, Sa,
};

mod common;
use common::{batch, rastrigin, rosenbrock, sphere};

fn uniform_generator(dim: usize, lo: f64, hi: f64) -> impl FnMut(&mut EcRng, &Args) -> Vec<f64> {
    move |rng: &mut EcRng, _: &Args| (0..dim).map(|_| rng.uniform(lo, hi)).collect()
}

fn best(pop: &[Individual]) -> &Individual {
    let mut b = &pop[0];
    for p in pop {
        if p.is_better_than(b) {
            b = p;
        }
    }
    b
}

/// The GA of the tests: tournament selection of `pop_size` parents, uniform
/// crossover, Gaussian mutation, generational replacement with one elite.
fn ga(seed: u64) -> EvolutionaryComputation {
    let mut ec = EvolutionaryComputation::new(seed);
    ec.selector = Box::new(TournamentSelection);
    ec.variators = vec![Box::new(UniformCrossover), Box::new(GaussianMutation)];
    ec.replacer = Box::new(GenerationalReplacement);
    ec.terminators = vec![Box::new(GenerationTermination)];
    ec
}

fn run_ga(
    seed: u64,
    f: fn(&[f64]) -> f64,
    dim: usize,
    lim: f64,
    pop: usize,
    gens: u64,
    args: Args,
) -> f64 {
    let args = Args {
        num_selected: Some(pop),
        num_elites: 1,
        max_generations: Some(gens),
        ..args
    };
    let state = ga(seed)
        .evolve(
            uniform_generator(dim, -lim, lim),
            batch(f),
            pop,
            &[],
            false,
            &Bounder::uniform(-lim, lim),
            &args,
        )
        .unwrap();
    assert_eq!(state.num_generations, gens);
    best(&state.population).fitness.as_single().unwrap()
}

fn run_es(seed: u64, f: fn(&[f64]) -> f64, dim: usize, lim: f64, pop: usize, evals: u64) -> f64 {
    let mut es = Es::new(seed);
    es.ec.terminators = vec![Box::new(EvaluationTermination)];
    let args = Args {
        max_evaluations: Some(evals),
        ..Args::default()
    };
    let state = es
        .evolve(
            uniform_generator(dim, -lim, lim),
            batch(f),
            pop,
            &[],
            false,
            &Bounder::uniform(-lim, lim),
            &args,
        )
        .unwrap();
    best(&state.population).fitness.as_single().unwrap()
}

// Budgets below were chosen from runs over seeds 0..8 (GA/ES) or 0..6 (the
// other wrappers); the fixed seed of each test reached its tolerance with at
// least one order of magnitude to spare, except where noted.

/// GA with inspyred's default mutation (rate 0.1, stdev 1): sphere, dim 5,
/// pop 50, 300 generations (15 050 evaluations). Seeds 0..8 reach 1e-4.
#[test]
fn ga_sphere_5d() {
    let f = run_ga(0, sphere, 5, 5.12, 50, 300, Args::default());
    assert!(f < 1e-2, "{f}");
}

/// GA on Rastrigin, dim 2: pop 100, 150 generations (15 100 evaluations),
/// mutation rate 0.2, stdev 0.1. Seed 0 reaches 5e-6; at this budget about a
/// quarter of the seeds stop in the local minimum at 0.995 instead.
#[test]
fn ga_rastrigin_2d() {
    let args = Args {
        gaussian_stdev: 0.1,
        mutation_rate: 0.2,
        ..Args::default()
    };
    let f = run_ga(0, rastrigin, 2, 5.12, 100, 150, args);
    assert!(f < 1e-2, "{f}");
}

/// GA on Rastrigin, dim 3: pop 100, 200 generations (20 100 evaluations),
/// mutation rate 0.2, stdev 0.1. Seed 0 reaches 5e-5 (some seeds: 0.995).
#[test]
fn ga_rastrigin_3d() {
    let args = Args {
        gaussian_stdev: 0.1,
        mutation_rate: 0.2,
        ..Args::default()
    };
    let f = run_ga(0, rastrigin, 3, 5.12, 100, 200, args);
    assert!(f < 1e-2, "{f}");
}

/// GA on Rosenbrock, dim 2, on [-2.048, 2.048]: pop 100, 300 generations,
/// mutation rate 0.2, stdev 0.05. Seeds 0..8 reach 1.2e-4.
#[test]
fn ga_rosenbrock_2d() {
    let args = Args {
        gaussian_stdev: 0.05,
        mutation_rate: 0.2,
        ..Args::default()
    };
    let f = run_ga(0, rosenbrock, 2, 2.048, 100, 300, args);
    assert!(f < 1e-3, "{f}");
}

/// ES (inspyred defaults) on sphere, dim 5: pop 20, 4000 evaluations. Seeds
/// 0..5 reach 5e-9.
#[test]
fn es_sphere_5d() {
    let f = run_es(0, sphere, 5, 5.12, 20, 4000);
    assert!(f < 1e-2, "{f}");
}

/// ES on Rosenbrock, dim 2: pop 20, 20 000 evaluations. Seeds 0..8 reach
/// 3.5e-3 (seed 0: 3.0e-3, so the margin is only 3x here).
#[test]
fn es_rosenbrock_2d() {
    let f = run_es(0, rosenbrock, 2, 2.048, 20, 20_000);
    assert!(f < 1e-2, "{f}");
}

/// ES on Rosenbrock, dim 3: pop 20, 40 000 evaluations. Seeds 0..8 reach
/// 2.9e-2.
#[test]
fn es_rosenbrock_3d() {
    let f = run_es(0, rosenbrock, 3, 2.048, 20, 40_000);
    assert!(f < 5e-2, "{f}");
}

/// inspyred's GA as configured by `Ga::new` (rank selection, 1-point
/// crossover, bit-flip mutation, generational replacement) on OneMax with 30
/// bits: pop 40, 60 generations, mutation rate 0.02, one elite. Seeds 0..6
/// find the optimum.
#[test]
fn ga_wrapper_onemax() {
    let mut g = Ga::new(0);
    g.ec.terminators = vec![Box::new(GenerationTermination)];
    let args = Args {
        max_generations: Some(60),
        num_elites: 1,
        mutation_rate: 0.02,
        ..Args::default()
    };
    let bits = |r: &mut EcRng, _: &Args| {
        (0..30)
            .map(|_| if r.random() < 0.5 { 0.0 } else { 1.0 })
            .collect()
    };
    let onemax = |cs: &[Vec<f64>]| {
        cs.iter()
            .map(|c| Some(Fitness::Single(c.iter().sum())))
            .collect()
    };
    let st = g
        .evolve(bits, onemax, 40, &[], true, &NoBounder, &args)
        .unwrap();
    assert_eq!(best(&st.population).fitness, Fitness::Single(30.0));
    assert_eq!(st.num_evaluations, 40 * 61);
    assert_eq!(
        st.termination_cause.as_deref(),
        Some("generation_termination")
    );
}

/// DEA, EDA and SA wrappers on sphere (see each budget below).
#[test]
fn other_wrappers_sphere() {
    let b = Bounder::uniform(-5.12, 5.12);
    // DEA: pop 50, 6000 evaluations, stdev 0.1; seeds 0..6 reach 4e-6.
    let mut d = Dea::new(0);
    d.ec.terminators = vec![Box::new(EvaluationTermination)];
    let args = Args {
        max_evaluations: Some(6000),
        gaussian_stdev: 0.1,
        ..Args::default()
    };
    let st = d
        .evolve(
            uniform_generator(5, -5.12, 5.12),
            batch(sphere),
            50,
            &[],
            false,
            &b,
            &args,
        )
        .unwrap();
    assert!(best(&st.population).fitness.as_single().unwrap() < 1e-3);
    // EDA: pop 50, 30 generations; seeds 0..6 reach 2.4e-5.
    let mut e = Eda::new(0);
    e.ec.terminators = vec![Box::new(GenerationTermination)];
    let args = Args {
        max_generations: Some(30),
        ..Args::default()
    };
    let st = e
        .evolve(
            uniform_generator(5, -5.12, 5.12),
            batch(sphere),
            50,
            &[],
            false,
            &b,
            &args,
        )
        .unwrap();
    assert!(best(&st.population).fitness.as_single().unwrap() < 1e-3);
    // SA: one individual, dim 2, 5000 evaluations, rate 0.5, stdev 0.1,
    // temperature from the evaluation budget; seeds 0..6 reach 4.4e-3.
    let mut sa = Sa::new(0);
    sa.ec.terminators = vec![Box::new(EvaluationTermination)];
    let args = Args {
        max_evaluations: Some(5000),
        mutation_rate: 0.5,
        gaussian_stdev: 0.1,
        ..Args::default()
    };
    let st = sa
        .evolve(
            uniform_generator(2, -5.12, 5.12),
            batch(sphere),
            1,
            &[],
            false,
            &b,
            &args,
        )
        .unwrap();
    assert!(best(&st.population).fitness.as_single().unwrap() < 2e-2);
}

/// ES individuals carry their strategy parameters; the evaluator sees only
/// the solution half, and seeds get strategy parameters too.
#[test]
fn es_candidates_carry_strategy_parameters() {
    let mut es = Es::new(3);
    es.ec.terminators = vec![Box::new(GenerationTermination)];
    let args = Args {
        max_generations: Some(3),
        ..Args::default()
    };
    let mut seen_len = Vec::new();
    let eval = |cs: &[Vec<f64>]| {
        seen_len.extend(cs.iter().map(Vec::len));
        cs.iter()
            .map(|c| Some(Fitness::Single(sphere(c))))
            .collect()
    };
    let st = es
        .evolve(
            uniform_generator(4, -1.0, 1.0),
            eval,
            6,
            &[vec![0.5; 4]],
            false,
            &Bounder::uniform(-1.0, 1.0),
            &args,
        )
        .unwrap();
    assert!(seen_len.iter().all(|&n| n == 4));
    assert!(st.population.iter().all(|i| i.candidate.len() == 8));
    assert!(
        st.population
            .iter()
            .all(|i| Es::solution(i).iter().all(|x| x.abs() <= 1.0))
    );
    assert!(
        st.population
            .iter()
            .all(|i| i.candidate[4..].iter().all(|&s| s >= 1e-5))
    );
}

/// A `None` fitness excludes the candidate but still counts as an evaluation.
#[test]
fn none_fitness_excludes_candidates() {
    let mut ec = ga(1);
    let args = Args {
        num_selected: Some(10),
        max_generations: Some(1),
        ..Args::default()
    };
    let eval = |cs: &[Vec<f64>]| {
        cs.iter()
            .map(|c| (c[0] > 0.0).then(|| Fitness::Single(sphere(c))))
            .collect()
    };
    let st = ec
        .evolve(
            uniform_generator(2, -1.0, 1.0),
            eval,
            10,
            &[],
            false,
            &NoBounder,
            &args,
        )
        .unwrap();
    assert!(st.population.len() < 10);
    assert!(st.population.iter().all(|i| i.candidate[0] > 0.0));
    assert_eq!(st.num_evaluations, 20);
}
