//! Evolutionary computation with inspyred's component design.
//!
//! A port of the core of inspyred 1.0 (`inspyred.ec`): an
//! [`EvolutionaryComputation`] is one selector, a list of variators, a
//! replacer, a migrator, an archiver, a list of terminators and a list of
//! observers, run by inspyred's loop:
//!
//! ```text
//! initialise: seeds + generated candidates -> evaluate (None = excluded)
//!             -> archive -> observe
//! while no terminator fires (checked in order, first one wins):
//!     select -> copy candidates -> variators in sequence -> evaluate batch
//!     -> num_evaluations += batch size -> replace -> migrate -> archive
//!     -> num_generations += 1 -> observe
//! ```
//!
//! Components are traits ([`Selector`], [`Variator`], [`Replacer`],
//! [`Migrator`], [`Archiver`], [`Terminator`], [`Observer`]) with one unit
//! struct per inspyred function, named after it (`tournament_selection` is
//! [`selectors::TournamentSelection`], `gaussian_mutation` is
//! [`variators::GaussianMutation`], …). inspyred's `**args` is the typed
//! [`Args`] with inspyred's defaults; components receive it, the random
//! stream, the bounder and the counters in a [`Ctx`].
//!
//! # Reproducibility and checkpoints
//!
//! Every draw comes from one [`EcRng`], a counter-based Philox stream of
//! `ranvier_rng` keyed by `(seed, 0, EcRng::PURPOSE)`. Everything a run
//! changes — population, archive, stream position, counters, the next
//! birthdate, and the values inspyred's components write back into `args`
//! ([`Memo`]) — is an [`EcState`]. [`EvolutionaryComputation::initialize`],
//! [`EvolutionaryComputation::step`] and [`EvolutionaryComputation::resume`]
//! split a run at generation boundaries, and [`EcState::to_text`] /
//! [`EcState::from_text`] save and restore it exactly (floats as IEEE bits), so
//! a run stopped after any generation and resumed gives bit-identical results.
//! The evaluator is a batch function `FnMut(&[Vec<f64>]) -> Vec<Option<Fitness>>`
//! so that a parallel or MPI evaluator can be plugged in later.
//!
//! # Ready-made algorithms
//!
//! [`algorithms`]: [`Ga`] (rank selection, n-point crossover, bit-flip
//! mutation, generational replacement), [`Es`] (self-adaptive strategy
//! parameters, plus replacement), [`Dea`], [`Sa`], [`Eda`], [`Nsga2`]
//! (`emo.NSGA2`: tournament selection on [`Fitness::Pareto`],
//! [`replacers::NsgaReplacement`] — non-dominated sorting plus crowding
//! distance — and the best archiver as the Pareto front; variators are the
//! caller's, as in inspyred) and [`Pso`] (`swarm.PSO` with the star or ring
//! [`Topology`]; personal bests are the archive, previous positions
//! [`Memo::previous_population`], both checkpointed).
//!
//! Beyond inspyred, [`CmaEs`] is Hansen's (mu/mu_w, lambda)-CMA-ES (the 2016
//! tutorial, as `purecma.py`: log weights, cumulative step-size adaptation
//! with the h_sigma stall, rank-one plus rank-mu covariance update), built
//! from the same parts: [`cma::CmaVariation`] samples `lambda` candidates,
//! [`cma::CmaReplacement`] updates the distribution from the ranked offspring
//! and keeps them (comma selection), [`cma::CmaTermination`] stops at the
//! limit of precision. The distribution is a [`CmaState`] in [`Memo::cma`],
//! checkpointed. The mean starts at the first individual, sigma at
//! `Args::cma_sigma` (default 0.3 times the mean bounder width), `lambda` is
//! `Args::num_offspring` (default `4 + floor(3 ln n)`, or `pop_size` when
//! larger than 1); samples are reflected into the bounds for evaluation and
//! the update uses the unreflected samples. Measured budgets (seeds 0..8,
//! one start point uniform in the box): sphere 10-D to 1e-10 in at most
//! 2 051 evaluations (budget 2 500), ellipsoid 10-D with condition 1e6 to
//! 1e-10 in at most 6 441 (8 000; the learnt `C` has condition ≈ 1e6),
//! Rosenbrock 10-D with `lambda = 20` to 1e-8 in at most 9 301 (12 000),
//! Rastrigin 5-D with `lambda = 400` to 1e-6 in at most 26 401 (40 000); see
//! `tests/cmaes.rs`.
//!
//! Also beyond inspyred: NetPyNE's `nonuniform_bounds_mutation`
//! ([`variators::NonuniformBoundsMutation`], the mutation of NetPyNE's batch
//! `custom` algorithm) and [`archivers::BestSoFarArchiver`].
//!
//! Not yet ported: PAES and the adaptive-grid archiver (`emo`),
//! ACS, the multiprocessing migrator, the email observer, user termination,
//! and inspyred's parallel evaluators. The file and archive observers are
//! [`observers::FileObserver`] and [`observers::ArchiveObserver`];
//! `plot_observer` is `ranvier_analysis::PlotObserver`.
//!
//! # Differences from inspyred
//!
//! * **Plus replacement pools the whole population** with the offspring
//!   ((mu + lambda)), not only the parents as some inspyred releases do.
//! * **`birthdate` is a creation counter**, not `time.time()`.
//! * **n-point crossover exchanges whole segments** between cut points;
//!   inspyred 1.0 only swaps the genes at the cut points.
//! * The EDA samples with the selected genes' standard deviation; inspyred
//!   passes their variance as the standard deviation and diverges on wide
//!   ranges.
//! * Gaussian draws are Box–Muller without a cached partner (see [`rng`]),
//!   and sampling/shuffling follow documented algorithms: runs are
//!   reproducible here but do not reproduce Python's `random` streams.
//! * Unset arguments are resolved per component on every call instead of being
//!   written back by `setdefault` (so `max_generations` defaults to 1 for
//!   generation termination and 10 for no-improvement termination, whichever
//!   runs first); no-improvement termination reads `max_stagnation` before
//!   `max_generations`.
//! * Situations where inspyred raises (`ValueError`, `KeyError`,
//!   `ZeroDivisionError`) return an [`EcError`]; a few crash cases get a
//!   documented behaviour instead (unbounded genes in SBX, `sample` sizes
//!   larger than the population are capped).
//! * Sorting uses a stable merge sort on inspyred's "worse than" relation, so
//!   Pareto fitness and NaN never panic; for scalar fitness the order equals
//!   Python's `list.sort`.
//! * Observers write to a supplied `Write` sink instead of printing.
//! * NSGA-II's non-dominated sorting uses Deb's fast algorithm (same fronts,
//!   same order as inspyred's repeated scans); its crowding distance accepts a
//!   `Single` fitness as one objective, where inspyred raises.

pub mod algorithms;
pub mod archivers;
pub mod args;
pub mod bounder;
pub mod cma;
pub mod ec;
pub mod error;
pub mod individual;
pub mod migrators;
pub mod observers;
pub mod replacers;
pub mod rng;
pub mod selectors;
pub mod state;
pub mod terminators;
pub mod variators;

#[cfg(test)]
mod test_util;

pub use algorithms::{CmaEs, Dea, Eda, Es, Ga, Nsga2, Pso, Sa, Topology};
pub use archivers::Archiver;
pub use args::Args;
pub use bounder::{Bound, Bounder, DiscreteBounder, NoBounder};
pub use cma::CmaState;
pub use ec::{Ctx, EcState, EvolutionaryComputation, Memo};
pub use error::{EcError, StateParseError};
pub use individual::{Fitness, Individual};
pub use migrators::Migrator;
pub use observers::{
    ArchiveObserver, FileObserver, FitnessStats, Observer, StatisticsParseError, StatisticsRecord,
    StatsObserver, read_statistics,
};
pub use replacers::Replacer;
pub use rng::{EcRng, RngState};
pub use selectors::Selector;
pub use terminators::Terminator;
pub use variators::Variator;
