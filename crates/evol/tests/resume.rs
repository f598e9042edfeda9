//! Checkpoint/resume: a run split at a generation boundary, saved as text and
//! read back, ends bit-identically to the uninterrupted run.

use ranvier_evol::replacers::GenerationalReplacement;
use ranvier_evol::selectors::TournamentSelection;
use ranvier_evol::terminators::{GenerationTermination, NoImprovementTermination};
use ranvier_evol::variators::{GaussianMutation, UniformCrossover};
use ranvier_evol::{
    Args, Bounder, CmaEs, EcRng, EcState, Es, EvolutionaryComputation, Fitness, StatsObserver,
};

fn rastrigin(cs: &[Vec<f64>]) -> Vec<Option<Fitness>> {
    cs.iter()
        .map(|x| {
            let f = 10.0 * x.len() as f64
                + x.iter()
                    .map(|v| v * v - 10.0 * (std::f64::consts::TAU * v).cos())
                    .sum::<f64>();
            Some(Fitness::Single(f))
        })
        .collect()
}

fn generator(rng: &mut EcRng, _: &Args) -> Vec<f64> {
    (0..4).map(|_| rng.uniform(-5.12, 5.12)).collect()
}

fn ga() -> EvolutionaryComputation {
    let mut ec = EvolutionaryComputation::new(2024);
    ec.selector = Box::new(TournamentSelection);
    ec.variators = vec![Box::new(UniformCrossover), Box::new(GaussianMutation)];
    ec.replacer = Box::new(GenerationalReplacement);
    // The no-improvement terminator keeps state in the memo, which must
    // survive the checkpoint too.
    ec.terminators = vec![
        Box::new(GenerationTermination),
        Box::new(NoImprovementTermination),
    ];
    ec
}

fn args(max_generations: u64) -> Args {
    Args {
        num_selected: Some(20),
        num_elites: 2,
        max_generations: Some(max_generations),
        max_stagnation: Some(1000),
        ..Args::default()
    }
}

#[test]
fn ten_generations_equal_five_plus_checkpoint_plus_five() {
    let bounder = Bounder::uniform(-5.12, 5.12);

    let straight = ga()
        .evolve(generator, rastrigin, 20, &[], false, &bounder, &args(10))
        .unwrap();
    assert_eq!(straight.num_generations, 10);

    let mut first = ga();
    let half = first
        .evolve(generator, rastrigin, 20, &[], false, &bounder, &args(5))
        .unwrap();
    assert_eq!(half.num_generations, 5);
    let text = half.to_text();
    let restored = EcState::from_text(&text).unwrap();
    assert_eq!(restored.to_text(), text);

    // A fresh EC (its own seed is not used on resume).
    let mut second = ga();
    second.seed = 999;
    let resumed = second
        .resume(restored, rastrigin, &bounder, &args(10))
        .unwrap();

    assert_eq!(resumed.num_generations, 10);
    assert_eq!(resumed.population, straight.population); // birthdates included
    assert_eq!(resumed.to_text(), straight.to_text());
}

#[test]
fn step_api_matches_evolve() {
    let bounder = Bounder::uniform(-5.12, 5.12);
    let a = args(6);
    let mut ec = ga();
    let stats = StatsObserver::new();
    let log = stats.log();
    ec.observers = vec![Box::new(stats)];
    let mut eval = rastrigin;
    let mut state = ec
        .initialize(generator, &mut eval, 20, &[], false, &bounder, &a)
        .unwrap();
    let mut texts = vec![state.to_text()];
    while !ec.should_terminate(&mut state, &bounder, &a).unwrap() {
        ec.step(&mut state, &mut eval, &bounder, &a).unwrap();
        texts.push(state.to_text());
    }
    assert_eq!(texts.len(), 7);
    assert_eq!(
        state.termination_cause.as_deref(),
        Some("generation_termination")
    );
    let straight = ga()
        .evolve(generator, rastrigin, 20, &[], false, &bounder, &a)
        .unwrap();
    assert_eq!(state.population, straight.population);
    // Resuming from any intermediate checkpoint gives the same end.
    for t in &texts {
        let end = ga()
            .resume(EcState::from_text(t).unwrap(), rastrigin, &bounder, &a)
            .unwrap();
        assert_eq!(end.to_text(), state.to_text());
    }
    // The stats observer saw generations 0..=6, evaluations 20 per generation.
    let rows = log.lock().unwrap();
    let gens: Vec<u64> = rows.iter().map(|r| r.generation).collect();
    assert_eq!(gens, [0, 1, 2, 3, 4, 5, 6]);
    assert!(
        rows.iter()
            .all(|r| r.evaluations == 20 * (r.generation + 1))
    );
    // Elitism: the best fitness never gets worse.
    let best: Vec<f64> = rows
        .iter()
        .map(|r| r.stats.best.as_single().unwrap())
        .collect();
    assert!(best.windows(2).all(|w| w[1] <= w[0]), "{best:?}");
}

#[test]
fn es_resume_is_exact() {
    let bounder = Bounder::uniform(-5.12, 5.12);
    let mk = || {
        let mut es = Es::new(7);
        es.ec.terminators = vec![Box::new(GenerationTermination)];
        es
    };
    let straight = mk()
        .evolve(
            generator,
            rastrigin,
            10,
            &[vec![1.0; 4]],
            false,
            &bounder,
            &args(8),
        )
        .unwrap();
    let half = mk()
        .evolve(
            generator,
            rastrigin,
            10,
            &[vec![1.0; 4]],
            false,
            &bounder,
            &args(3),
        )
        .unwrap();
    let restored = EcState::from_text(&half.to_text()).unwrap();
    let end = mk()
        .resume(restored, rastrigin, &bounder, &args(8))
        .unwrap();
    assert_eq!(end.to_text(), straight.to_text());
}

/// CMA-ES keeps its whole distribution (mean, sigma, C, paths, B, D, the
/// update and eigendecomposition counters) in `Memo::cma`: a run stopped
/// after k generations, saved as text, read back and resumed ends exactly
/// like the uninterrupted run, for every k.
#[test]
fn cmaes_resume_is_exact() {
    let bounder = Bounder::uniform(-5.12, 5.12);
    let mk = || {
        let mut cma = CmaEs::new(31);
        cma.ec.terminators = vec![Box::new(GenerationTermination)];
        cma
    };
    let a = CmaEs::args(&args(25), 1);
    let straight = mk()
        .evolve(generator, rastrigin, 1, &[], false, &bounder, &a)
        .unwrap();
    assert_eq!(straight.num_generations, 25);
    let cma = straight.memo.cma.as_ref().unwrap();
    assert_eq!(cma.generation, 25);
    assert!(cma.pending.is_empty());
    let text = straight.to_text();
    assert!(text.contains("\ncma 4 8 25 "), "{text}");

    for k in [0, 1, 7, 24] {
        let half = mk()
            .evolve(
                generator,
                rastrigin,
                1,
                &[],
                false,
                &bounder,
                &CmaEs::args(&args(k), 1),
            )
            .unwrap();
        assert_eq!(half.num_generations, k);
        let restored = EcState::from_text(&half.to_text()).unwrap();
        assert_eq!(restored.memo.cma, half.memo.cma);
        let mut other = mk();
        other.ec.seed = 1; // not used on resume
        let end = other.resume(restored, rastrigin, &bounder, &a).unwrap();
        assert_eq!(end.memo.cma, straight.memo.cma, "k = {k}");
        assert_eq!(end.to_text(), text, "k = {k}");
    }
}
