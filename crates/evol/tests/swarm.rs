//! Particle swarm tests: sphere with both topologies, and exact resume.

use ranvier_evol::terminators::GenerationTermination;
use ranvier_evol::{Args, Bounder, EcRng, EcState, Fitness, Individual, Pso, Topology};

fn sphere(cs: &[Vec<f64>]) -> Vec<Option<Fitness>> {
    cs.iter()
        .map(|x| Some(Fitness::Single(x.iter().map(|v| v * v).sum())))
        .collect()
}

fn generator(dim: usize) -> impl FnMut(&mut EcRng, &Args) -> Vec<f64> {
    move |r: &mut EcRng, _: &Args| (0..dim).map(|_| r.uniform(-5.12, 5.12)).collect()
}

fn best_of(pop: &[Individual]) -> f64 {
    pop.iter()
        .filter_map(|i| i.fitness.as_single())
        .fold(f64::INFINITY, f64::min)
}

fn run(seed: u64, topology: Topology, dim: usize, pop: usize, gens: u64) -> EcState {
    let mut pso = Pso::with_topology(seed, topology);
    pso.ec.terminators = vec![Box::new(GenerationTermination)];
    let args = Args {
        max_generations: Some(gens),
        ..Args::default()
    };
    pso.evolve(
        generator(dim),
        sphere,
        pop,
        &[],
        false,
        &Bounder::uniform(-5.12, 5.12),
        &args,
    )
    .unwrap()
}

/// Global (star) PSO with inspyred's defaults (inertia 0.5, cognitive and
/// social rates 2.1) on sphere, dim 5 in [-5.12, 5.12]: 30 particles, 200
/// generations (6 030 evaluations). Seeds 0..8 reach 1e-13 (seed 0: 2e-16).
#[test]
fn pso_star_sphere_5d() {
    let s = run(0, Topology::Star, 5, 30, 200);
    let f = best_of(&s.archive);
    assert!(f < 1e-8, "{f}");
    // The archive holds each particle's best: never worse than its particle.
    assert_eq!(s.archive.len(), 30);
    for (p, a) in s.population.iter().zip(&s.archive) {
        assert!(!a.is_worse_than(p));
    }
}

/// Ring PSO (neighbourhood 3), same budget: slower, as expected of the local
/// topology; seeds 0..8 reach 2.5e-8 (seed 0: 2.4e-8).
#[test]
fn pso_ring_sphere_5d() {
    let s = run(0, Topology::Ring, 5, 30, 200);
    let f = best_of(&s.archive);
    assert!(f < 1e-5, "{f}");
}

/// A ring-PSO run split after 12 of 25 generations, saved as text (with the
/// personal bests and previous positions) and resumed, ends bit-identically
/// to the uninterrupted run.
#[test]
fn pso_resumes_exactly() {
    let straight = run(9, Topology::Ring, 4, 12, 25);
    let half = run(9, Topology::Ring, 4, 12, 12);
    assert_eq!(half.memo.previous_population.len(), 12);
    let text = half.to_text();
    assert!(text.contains("\nprevious 12\n"));
    let back = EcState::from_text(&text).unwrap();
    assert_eq!(back, half);
    let mut pso = Pso::with_topology(9, Topology::Ring);
    pso.ec.terminators = vec![Box::new(GenerationTermination)];
    let args = Args {
        max_generations: Some(25),
        ..Args::default()
    };
    let resumed = pso
        .resume(back, sphere, &Bounder::uniform(-5.12, 5.12), &args)
        .unwrap();
    assert_eq!(resumed.to_text(), straight.to_text());
    // Dropping the previous positions changes the run: they are state.
    let mut lossy = EcState::from_text(&text).unwrap();
    lossy.memo.previous_population.clear();
    let other = pso
        .resume(lossy, sphere, &Bounder::uniform(-5.12, 5.12), &args)
        .unwrap();
    assert_ne!(other.to_text(), straight.to_text());
}

#[test]
#[allow(clippy::print_stderr)] // prints the budget table
#[ignore = "budget exploration: cargo test --test swarm -- --ignored --nocapture"]
fn pso_explore() {
    for topology in [Topology::Star, Topology::Ring] {
        for seed in 0..8 {
            let s = run(seed, topology, 5, 30, 200);
            eprintln!("{topology:?} seed {seed}: {:e}", best_of(&s.archive));
        }
    }
}

/// inspyred's `ring_topology` neighbourhoods (size 3 and 4) and the star.
#[test]
fn topology_neighbourhoods() {
    let args = Args::default();
    assert_eq!(
        Topology::Ring.neighbors(4, &args),
        [[3, 0, 1], [0, 1, 2], [1, 2, 3], [2, 3, 0]]
    );
    let four = Args {
        neighborhood_size: 4,
        ..Args::default()
    };
    assert_eq!(Topology::Ring.neighbors(3, &four)[0], [1, 2, 0, 1]);
    assert_eq!(Topology::Star.neighbors(2, &args), [[0, 1], [0, 1]]);
}
