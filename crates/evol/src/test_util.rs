//! Helpers for the unit tests.

use crate::args::Args;
use crate::bounder::{Bound, NoBounder};
use crate::ec::{Ctx, Memo};
use crate::individual::{Fitness, Individual};
use crate::rng::EcRng;

/// Individuals with candidate `[f]`, fitness `f`, birthdate = index.
pub(crate) fn pop_of(fitness: &[f64], maximize: bool) -> Vec<Individual> {
    fitness
        .iter()
        .enumerate()
        .map(|(i, &f)| Individual::new(vec![f], Fitness::Single(f), i as u64, maximize))
        .collect()
}

/// The scalar fitness values.
pub(crate) fn fits(pop: &[Individual]) -> Vec<f64> {
    pop.iter().map(|i| i.fitness.as_single().unwrap()).collect()
}

pub(crate) fn with_full_ctx<T>(
    args: &Args,
    memo: &mut Memo,
    num_generations: u64,
    num_evaluations: u64,
    f: impl FnOnce(&mut Ctx<'_>) -> T,
) -> T {
    let mut rng = EcRng::new(0);
    let mut cx = Ctx {
        rng: &mut rng,
        args,
        bounder: &NoBounder,
        archive: &[],
        memo,
        num_generations,
        num_evaluations,
        maximize: true,
    };
    f(&mut cx)
}

pub(crate) fn with_ctx_memo<T>(
    args: &Args,
    seed: u64,
    memo: &mut Memo,
    f: impl FnOnce(&mut Ctx<'_>) -> T,
) -> T {
    let mut rng = EcRng::new(seed);
    let mut cx = Ctx {
        rng: &mut rng,
        args,
        bounder: &NoBounder,
        archive: &[],
        memo,
        num_generations: 0,
        num_evaluations: 0,
        maximize: true,
    };
    f(&mut cx)
}

pub(crate) fn with_ctx_b<T>(
    args: &Args,
    seed: u64,
    bounder: &dyn Bound,
    f: impl FnOnce(&mut Ctx<'_>) -> T,
) -> T {
    let mut rng = EcRng::new(seed);
    let mut memo = Memo::default();
    let mut cx = Ctx {
        rng: &mut rng,
        args,
        bounder,
        archive: &[],
        memo: &mut memo,
        num_generations: 0,
        num_evaluations: 0,
        maximize: true,
    };
    f(&mut cx)
}

pub(crate) fn with_ctx<T>(args: &Args, seed: u64, f: impl FnOnce(&mut Ctx<'_>) -> T) -> T {
    with_ctx_b(args, seed, &NoBounder, f)
}
