//! Files a user hands back to a run (`--resume` checkpoints, inspyred statistics
//! files) are read without panicking, however they were damaged: arbitrary text, and
//! real checkpoints (GA with an archive, CMA-ES with its distribution) cut short or
//! with bytes changed. A damaged file is either an error or a state that writes back
//! to the same text.

use proptest::prelude::*;
use ranvier_evol::{
    Args, Bounder, CmaEs, EcRng, EcState, EvolutionaryComputation, Fitness, read_statistics,
};

fn sphere(cs: &[Vec<f64>]) -> Vec<Option<Fitness>> {
    cs.iter()
        .map(|x| Some(Fitness::Single(x.iter().map(|v| v * v).sum())))
        .collect()
}

fn generator(rng: &mut EcRng, _: &Args) -> Vec<f64> {
    (0..3).map(|_| rng.uniform(-2.0, 2.0)).collect()
}

/// Checkpoints of two real runs after a few generations.
fn checkpoints() -> Vec<String> {
    let bounder = Bounder::uniform(-2.0, 2.0);
    let args = Args {
        max_generations: Some(3),
        num_selected: Some(6),
        ..Args::default()
    };
    let mut ga = EvolutionaryComputation::new(5);
    ga.selector = Box::new(ranvier_evol::selectors::TournamentSelection);
    ga.variators = vec![
        Box::new(ranvier_evol::variators::UniformCrossover),
        Box::new(ranvier_evol::variators::GaussianMutation),
    ];
    ga.replacer = Box::new(ranvier_evol::replacers::GenerationalReplacement);
    ga.archiver = Box::new(ranvier_evol::archivers::BestArchiver);
    ga.terminators = vec![Box::new(ranvier_evol::terminators::GenerationTermination)];
    let a = ga
        .evolve(generator, sphere, 6, &[], false, &bounder, &args)
        .unwrap();
    let mut cma = CmaEs::new(6);
    cma.ec.terminators = vec![Box::new(ranvier_evol::terminators::GenerationTermination)];
    let b = cma
        .evolve(generator, sphere, 6, &[], false, &bounder, &args)
        .unwrap();
    assert!(b.memo.cma.is_some());
    vec![a.to_text(), b.to_text()]
}

/// Reading never panics; what is accepted writes back to text that reads the same.
fn check(text: &str) {
    if let Ok(state) = EcState::from_text(text) {
        let again = EcState::from_text(&state.to_text()).expect("written text reads back");
        assert_eq!(again, state);
    }
    let _ = read_statistics(text);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        check(&text);
    }

    #[test]
    fn damaged_checkpoints_never_panic(
        which in 0usize..2,
        cut in 0.0f64..1.0,
        flips in proptest::collection::vec((0.0f64..1.0, any::<u8>()), 0..4),
    ) {
        let texts = checkpoints();
        let mut bytes = texts[which].clone().into_bytes();
        for (at, b) in flips {
            let i = ((bytes.len() as f64) * at) as usize;
            if i < bytes.len() {
                bytes[i] = b;
            }
        }
        bytes.truncate(((bytes.len() as f64) * cut) as usize + 1);
        check(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn intact_checkpoints_read_back() {
    for t in checkpoints() {
        let s = EcState::from_text(&t).unwrap();
        assert_eq!(s.to_text(), t);
    }
}
