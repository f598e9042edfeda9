//! Ready-made algorithms (inspyred's `GA`, `ES`, `DEA`, `SA`, `EDA`, and
//! `emo.NSGA2`, `swarm.PSO`; plus CMA-ES, which inspyred does not have).
//!
//! Each wrapper holds a configured [`EvolutionaryComputation`] in `ec` (whose
//! components may be replaced) and fills in the argument defaults its
//! inspyred `evolve` sets. `evolve` runs to termination; `initialize` and
//! `resume` split a run for checkpointing exactly as on the bare EC.

use crate::archivers::{Archiver, BestArchiver, BestSoFarArchiver};
use crate::args::Args;
use crate::bounder::Bound;
use crate::cma::{CmaReplacement, CmaVariation};
use crate::ec::{Ctx, EcState, EvolutionaryComputation};
use crate::error::EcError;
use crate::individual::best_index;
use crate::individual::{Fitness, Individual};
use crate::replacers::{
    GenerationalReplacement, NsgaReplacement, PlusReplacement, Replacer,
    SimulatedAnnealingReplacement, SteadyStateReplacement,
};
use crate::rng::EcRng;
use crate::selectors::{DefaultSelection, RankSelection, TournamentSelection, TruncationSelection};
use crate::variators::{
    BitFlipMutation, GaussianMutation, HeuristicCrossover, NPointCrossover, Variator,
};

macro_rules! simple_algorithm {
    ($(#[$doc:meta])* $name:ident, $build:expr, $defaults:expr) => {
        $(#[$doc])*
        pub struct $name {
            /// The configured evolutionary computation.
            pub ec: EvolutionaryComputation,
        }

        impl $name {
            /// The algorithm with inspyred's components and the given seed.
            #[must_use]
            pub fn new(seed: u64) -> Self {
                let build: fn(u64) -> EvolutionaryComputation = $build;
                Self { ec: build(seed) }
            }

            /// `args` with this algorithm's defaults filled in for `pop_size`.
            #[must_use]
            pub fn args(args: &Args, pop_size: usize) -> Args {
                let defaults: fn(&mut Args, usize) = $defaults;
                let mut a = args.clone();
                defaults(&mut a, pop_size);
                a
            }

            /// Run to termination (see [`EvolutionaryComputation::evolve`]).
            ///
            /// # Errors
            /// The first error a component returns.
            pub fn evolve<G, E>(
                &mut self,
                generator: G,
                evaluator: E,
                pop_size: usize,
                seeds: &[Vec<f64>],
                maximize: bool,
                bounder: &dyn Bound,
                args: &Args,
            ) -> Result<EcState, EcError>
            where
                G: FnMut(&mut EcRng, &Args) -> Vec<f64>,
                E: FnMut(&[Vec<f64>]) -> Vec<Option<Fitness>>,
            {
                let a = Self::args(args, pop_size);
                self.ec
                    .evolve(generator, evaluator, pop_size, seeds, maximize, bounder, &a)
            }

            /// Continue a run until termination (see
            /// [`EvolutionaryComputation::resume`]).
            ///
            /// # Errors
            /// The first error a component returns.
            pub fn resume<E>(
                &mut self,
                state: EcState,
                evaluator: E,
                bounder: &dyn Bound,
                args: &Args,
            ) -> Result<EcState, EcError>
            where
                E: FnMut(&[Vec<f64>]) -> Vec<Option<Fitness>>,
            {
                let a = Self::args(args, state.pop_size);
                self.ec.resume(state, evaluator, bounder, &a)
            }
        }
    };
}

simple_algorithm!(
    /// inspyred's `GA`: rank selection, n-point crossover, bit-flip mutation,
    /// generational replacement; `num_selected` defaults to `pop_size`.
    Ga,
    |seed| {
        let mut ec = EvolutionaryComputation::new(seed);
        ec.selector = Box::new(RankSelection);
        ec.variators = vec![Box::new(NPointCrossover), Box::new(BitFlipMutation)];
        ec.replacer = Box::new(GenerationalReplacement);
        ec
    },
    |a, pop_size| {
        a.num_selected.get_or_insert(pop_size);
    }
);

simple_algorithm!(
    /// inspyred's `DEA`: tournament selection, heuristic crossover, Gaussian
    /// mutation, steady-state replacement; `num_selected` defaults to 2.
    Dea,
    |seed| {
        let mut ec = EvolutionaryComputation::new(seed);
        ec.selector = Box::new(TournamentSelection);
        ec.variators = vec![Box::new(HeuristicCrossover), Box::new(GaussianMutation)];
        ec.replacer = Box::new(SteadyStateReplacement);
        ec
    },
    |a, _| {
        a.num_selected.get_or_insert(2);
    }
);

simple_algorithm!(
    /// inspyred's `emo.NSGA2` (Deb et al.'s NSGA-II): tournament selection on
    /// Pareto fitness, [`NsgaReplacement`] (non-dominated sorting of
    /// population plus offspring, crowding distance for the last front) and
    /// the [`BestArchiver`], whose archive is then the non-dominated set of
    /// everything seen. `num_selected` defaults to `pop_size`;
    /// `tournament_size` is 2 unless set.
    ///
    /// As in inspyred the variators are left at default variation (none):
    /// set `ec.variators`, e.g. to simulated binary crossover and Gaussian
    /// mutation. Evaluators return [`Fitness::Pareto`]; all objectives follow
    /// the `maximize` passed to `evolve`.
    Nsga2,
    |seed| {
        let mut ec = EvolutionaryComputation::new(seed);
        ec.selector = Box::new(TournamentSelection);
        ec.replacer = Box::new(NsgaReplacement);
        ec.archiver = Box::new(BestArchiver);
        ec
    },
    |a, pop_size| {
        a.num_selected.get_or_insert(pop_size);
    }
);

simple_algorithm!(
    /// inspyred's `swarm.PSO` (after Deb & Padhye 2010): the population is the
    /// swarm's current positions, the archive each particle's best position
    /// ([`PsoArchiver`]), and [`crate::Memo::previous_population`] the
    /// positions one step earlier, so a particle's velocity is
    /// `x - x_prev` (all three are checkpointed). Default selection (the
    /// whole swarm), [`PsoVariation`] with the star (global) topology, and
    /// [`PsoReplacement`]. Use [`Pso::with_topology`] for a ring.
    Pso,
    |seed| {
        let mut ec = EvolutionaryComputation::new(seed);
        ec.selector = Box::new(DefaultSelection);
        ec.variators = vec![Box::new(PsoVariation::default())];
        ec.replacer = Box::new(PsoReplacement);
        ec.archiver = Box::new(PsoArchiver);
        ec
    },
    |_, _| {}
);

impl Pso {
    /// The PSO with the given neighbourhood topology.
    #[must_use]
    pub fn with_topology(seed: u64, topology: Topology) -> Self {
        let mut pso = Self::new(seed);
        pso.ec.variators = vec![Box::new(PsoVariation { topology })];
        pso
    }
}

/// A particle swarm's neighbourhoods (inspyred's `swarm.topologies`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Topology {
    /// Every particle sees every personal best (`star_topology`; global PSO).
    #[default]
    Star,
    /// Particle `i` sees the `neighborhood_size` personal bests starting at
    /// `i - neighborhood_size / 2`, wrapping around (`ring_topology`).
    Ring,
}

impl Topology {
    /// Indices of the neighbours of each of `n` particles.
    #[must_use]
    pub fn neighbors(self, n: usize, args: &Args) -> Vec<Vec<usize>> {
        match self {
            Self::Star => (0..n).map(|_| (0..n).collect()).collect(),
            Self::Ring => {
                let size = args.neighborhood_size;
                let half = size / 2;
                (0..n)
                    .map(|i| {
                        let start = if i < half { n + i - half } else { i - half };
                        (0..size).map(|k| (start + k) % n).collect()
                    })
                    .collect()
            }
        }
    }
}

/// The PSO's particle update (inspyred's `PSO._swarm_variator`).
///
/// With `x` a particle's position, `x_prev` its previous one
/// ([`crate::Memo::previous_population`], the current population on the first
/// step), `p` its best position (the archive, likewise) and `n` the best
/// personal best of its neighbourhood (the first on ties), each gene becomes
/// `x + inertia (x - x_prev) + cognitive_rate r1 (p - x) + social_rate r2 (n -
/// x)` with fresh `r1`, `r2` per gene (drawn in that order); the particle is
/// then bounded. The candidates passed in are ignored, as in inspyred.
#[derive(Clone, Copy, Debug, Default)]
pub struct PsoVariation {
    /// The neighbourhood topology.
    pub topology: Topology,
}

impl Variator for PsoVariation {
    fn name(&self) -> &'static str {
        "_swarm_variator"
    }

    fn vary(
        &self,
        cx: &mut Ctx<'_>,
        population: &[Individual],
        _candidates: Vec<Vec<f64>>,
    ) -> Result<Vec<Vec<f64>>, EcError> {
        let (w, c1, c2) = (cx.args.inertia, cx.args.cognitive_rate, cx.args.social_rate);
        let bests = if cx.archive.is_empty() {
            population
        } else {
            cx.archive
        };
        let previous = if cx.memo.previous_population.is_empty() {
            population.to_vec()
        } else {
            cx.memo.previous_population.clone()
        };
        if bests.is_empty() {
            return Ok(Vec::new());
        }
        if self.topology == Topology::Ring && cx.args.neighborhood_size == 0 {
            return Err(EcError::InvalidArg {
                component: self.name(),
                arg: "neighborhood_size",
                reason: "must be at least 1".to_owned(),
            });
        }
        let hoods = self.topology.neighbors(bests.len(), cx.args);
        let mut out = Vec::with_capacity(population.len());
        for (((x, xp), pb), hood) in population.iter().zip(&previous).zip(bests).zip(&hoods) {
            let members: Vec<Individual> = hood.iter().map(|&i| bests[i].clone()).collect();
            let nb = &members[best_index(&members).unwrap_or(0)];
            let mut particle: Vec<f64> = x
                .candidate
                .iter()
                .zip(&xp.candidate)
                .zip(&pb.candidate)
                .zip(&nb.candidate)
                .map(|(((&xi, &xpi), &pbi), &nbi)| {
                    let r1 = cx.rng.random();
                    let r2 = cx.rng.random();
                    xi + w * (xi - xpi) + c1 * r1 * (pbi - xi) + c2 * r2 * (nbi - xi)
                })
                .collect();
            cx.bounder.bound(&mut particle);
            out.push(particle);
        }
        Ok(out)
    }
}

/// The PSO's replacement (inspyred's `PSO._swarm_replacer`): the offspring
/// become the swarm; the old population is kept in
/// [`crate::Memo::previous_population`].
#[derive(Clone, Copy, Debug, Default)]
pub struct PsoReplacement;

impl Replacer for PsoReplacement {
    fn name(&self) -> &'static str {
        "_swarm_replacer"
    }

    fn replace(
        &self,
        cx: &mut Ctx<'_>,
        population: Vec<Individual>,
        _parents: &[Individual],
        offspring: Vec<Individual>,
    ) -> Result<Vec<Individual>, EcError> {
        cx.memo.previous_population = population;
        Ok(offspring)
    }
}

/// The PSO's archive of personal bests (inspyred's `PSO._swarm_archiver`): a
/// copy of the population when empty, else, particle by particle, the archived
/// individual if the current one is worse, otherwise the current one.
#[derive(Clone, Copy, Debug, Default)]
pub struct PsoArchiver;

impl Archiver for PsoArchiver {
    fn name(&self) -> &'static str {
        "_swarm_archiver"
    }

    fn archive(
        &self,
        _cx: &mut Ctx<'_>,
        population: &[Individual],
        archive: Vec<Individual>,
    ) -> Result<Vec<Individual>, EcError> {
        if archive.is_empty() {
            return Ok(population.to_vec());
        }
        Ok(population
            .iter()
            .zip(archive)
            .map(|(p, a)| if p.is_worse_than(&a) { a } else { p.clone() })
            .collect())
    }
}

simple_algorithm!(
    /// CMA-ES: Hansen's (mu/mu_w, lambda)-CMA-ES with cumulative step-size
    /// adaptation and rank-one plus rank-mu covariance updates (see
    /// [`crate::cma`] for the equations, defaults and bound handling).
    ///
    /// Default selection (the whole population, unused), [`CmaVariation`]
    /// (samples `lambda` candidates from `N(m, sigma^2 C)`, reflected into
    /// the bounds), [`CmaReplacement`] (updates the distribution from the
    /// ranked offspring; the offspring become the population) and the
    /// [`BestSoFarArchiver`], so the archive holds the best individual seen (a
    /// comma strategy may lose it from the population). Single-objective
    /// fitness only. The distribution is [`crate::Memo::cma`],
    /// checkpointed with the state. Terminators are the caller's, as for the
    /// other wrappers; add [`crate::cma::CmaTermination`] to a budget to stop
    /// at the limit of precision.
    ///
    /// The initial mean is the first individual of the initial population (the
    /// first seed, if any); the initial step size is `cma_sigma`, by default
    /// `0.3` times the mean bounder width. `lambda` is `num_offspring`; when
    /// unset it is `pop_size` if `evolve` is called with `pop_size > 1`, and
    /// `4 + floor(3 ln n)` for `pop_size == 1` (then the initial population is
    /// just the starting point, one evaluation).
    CmaEs,
    |seed| {
        let mut ec = EvolutionaryComputation::new(seed);
        ec.selector = Box::new(DefaultSelection);
        ec.variators = vec![Box::new(CmaVariation)];
        ec.replacer = Box::new(CmaReplacement);
        ec.archiver = Box::new(BestSoFarArchiver);
        ec
    },
    |a, pop_size| {
        if pop_size > 1 {
            a.num_offspring.get_or_insert(pop_size);
        }
    }
);

simple_algorithm!(
    /// inspyred's `SA`: default selection, Gaussian mutation,
    /// simulated-annealing replacement. inspyred forces `pop_size = 1`; call
    /// `evolve` with 1 (other sizes are honoured here).
    Sa,
    |seed| {
        let mut ec = EvolutionaryComputation::new(seed);
        ec.selector = Box::new(DefaultSelection);
        ec.variators = vec![Box::new(GaussianMutation)];
        ec.replacer = Box::new(SimulatedAnnealingReplacement);
        ec
    },
    |_, _| {}
);

simple_algorithm!(
    /// inspyred's `EDA`: truncation selection, [`EdaVariation`], generational
    /// replacement; `num_selected` defaults to `pop_size / 2` and
    /// `num_offspring` to `pop_size`.
    Eda,
    |seed| {
        let mut ec = EvolutionaryComputation::new(seed);
        ec.selector = Box::new(TruncationSelection);
        ec.variators = vec![Box::new(EdaVariation)];
        ec.replacer = Box::new(GenerationalReplacement);
        ec
    },
    |a, pop_size| {
        a.num_selected.get_or_insert(pop_size / 2);
        a.num_offspring.get_or_insert(pop_size);
    }
);

/// The EDA's model-sampling variator: per gene, the mean `m` and the sample
/// standard deviation `s` (`n - 1` denominator) of the selected candidates;
/// each of `num_offspring` (default 1) children draws `gauss(m, s)` per gene
/// and is bounded.
///
/// Deliberate difference: inspyred passes the sample *variance* as the
/// Gaussian's standard deviation, which makes the search diverge whenever the
/// variance exceeds 1 (e.g. on `[-5.12, 5.12]`); the square root is taken here.
#[derive(Clone, Copy, Debug, Default)]
pub struct EdaVariation;

impl Variator for EdaVariation {
    fn name(&self) -> &'static str {
        "eda_internal_variation"
    }

    fn vary(
        &self,
        cx: &mut Ctx<'_>,
        _population: &[Individual],
        candidates: Vec<Vec<f64>>,
    ) -> Result<Vec<Vec<f64>>, EcError> {
        if candidates.len() < 2 {
            return Err(EcError::InvalidArg {
                component: self.name(),
                arg: "num_selected",
                reason: "at least two candidates are needed for a variance".to_owned(),
            });
        }
        let num_genes = candidates.iter().map(Vec::len).max().unwrap_or(0);
        let mut mean = Vec::with_capacity(num_genes);
        let mut sd = Vec::with_capacity(num_genes);
        for i in 0..num_genes {
            let genes: Vec<f64> = candidates
                .iter()
                .filter_map(|c| c.get(i).copied())
                .collect();
            let k = genes.len() as f64;
            let m = genes.iter().sum::<f64>() / k;
            mean.push(m);
            sd.push((genes.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (k - 1.0)).sqrt());
        }
        let mut out = Vec::new();
        for _ in 0..cx.args.num_offspring.unwrap_or(1) {
            let mut child = candidates[0].clone();
            child.resize(num_genes, 0.0);
            for (i, g) in child.iter_mut().enumerate() {
                *g = mean[i] + cx.rng.gauss(0.0, sd[i]);
            }
            cx.bounder.bound(&mut child);
            out.push(child);
        }
        Ok(out)
    }
}

/// inspyred's `ES`: default selection, [`EsVariation`] (self-adaptive
/// Gaussian mutation with one strategy parameter per gene), plus replacement.
///
/// Candidates carry their strategy parameters: `[x_0..x_n, sigma_0..sigma_n]`.
/// The generator's candidates are extended with `n` draws of `random()`, seeds
/// likewise (drawn before the generator runs, as in inspyred); the evaluator
/// and the bounder see only the first half. [`Es::solution`] extracts it.
pub struct Es {
    /// The configured evolutionary computation.
    pub ec: EvolutionaryComputation,
}

impl Es {
    /// The algorithm with inspyred's components and the given seed.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        let mut ec = EvolutionaryComputation::new(seed);
        ec.selector = Box::new(DefaultSelection);
        ec.variators = vec![Box::new(EsVariation)];
        ec.replacer = Box::new(PlusReplacement);
        Self { ec }
    }

    /// The solution part of an ES individual (without strategy parameters).
    #[must_use]
    pub fn solution(ind: &Individual) -> &[f64] {
        Self::genes(&ind.candidate)
    }

    /// The genes of an ES candidate `[x_0..x_n, sigma_0..sigma_n]` (its first half).
    #[must_use]
    pub fn genes(candidate: &[f64]) -> &[f64] {
        &candidate[..candidate.len() / 2]
    }

    /// Append one strategy parameter per gene, each a `random()` draw, as inspyred's
    /// ES does to generated candidates and seeds.
    pub fn add_strategy(rng: &mut EcRng, candidate: &mut Vec<f64>) {
        let n = candidate.len();
        candidate.extend((0..n).map(|_| rng.random()));
    }

    fn wrap_evaluator<E>(mut evaluator: E) -> impl FnMut(&[Vec<f64>]) -> Vec<Option<Fitness>>
    where
        E: FnMut(&[Vec<f64>]) -> Vec<Option<Fitness>>,
    {
        move |cands: &[Vec<f64>]| {
            let halves: Vec<Vec<f64>> = cands.iter().map(|c| Self::genes(c).to_vec()).collect();
            evaluator(&halves)
        }
    }

    /// Build the initial population (strategy parameters added).
    ///
    /// # Errors
    /// The first error a component returns.
    pub fn initialize<G, E>(
        &mut self,
        mut generator: G,
        evaluator: E,
        pop_size: usize,
        seeds: &[Vec<f64>],
        maximize: bool,
        bounder: &dyn Bound,
        args: &Args,
    ) -> Result<EcState, EcError>
    where
        G: FnMut(&mut EcRng, &Args) -> Vec<f64>,
        E: FnMut(&[Vec<f64>]) -> Vec<Option<Fitness>>,
    {
        let mut rng = EcRng::new(self.ec.seed);
        let strategy_seeds: Vec<Vec<f64>> = seeds
            .iter()
            .map(|s| {
                let mut c = s.clone();
                Self::add_strategy(&mut rng, &mut c);
                c
            })
            .collect();
        let strategized = move |r: &mut EcRng, a: &Args| {
            let mut c = generator(r, a);
            Self::add_strategy(r, &mut c);
            c
        };
        let mut eval = Self::wrap_evaluator(evaluator);
        self.ec.initialize_with_rng(
            rng,
            strategized,
            &mut eval,
            pop_size,
            &strategy_seeds,
            maximize,
            bounder,
            args,
        )
    }

    /// Run to termination.
    ///
    /// # Errors
    /// The first error a component returns.
    pub fn evolve<G, E>(
        &mut self,
        generator: G,
        mut evaluator: E,
        pop_size: usize,
        seeds: &[Vec<f64>],
        maximize: bool,
        bounder: &dyn Bound,
        args: &Args,
    ) -> Result<EcState, EcError>
    where
        G: FnMut(&mut EcRng, &Args) -> Vec<f64>,
        E: FnMut(&[Vec<f64>]) -> Vec<Option<Fitness>>,
    {
        let state = self.initialize(
            generator,
            &mut evaluator,
            pop_size,
            seeds,
            maximize,
            bounder,
            args,
        )?;
        self.resume(state, evaluator, bounder, args)
    }

    /// Continue a run until termination.
    ///
    /// # Errors
    /// The first error a component returns.
    pub fn resume<E>(
        &mut self,
        state: EcState,
        evaluator: E,
        bounder: &dyn Bound,
        args: &Args,
    ) -> Result<EcState, EcError>
    where
        E: FnMut(&[Vec<f64>]) -> Vec<Option<Fitness>>,
    {
        self.ec
            .resume(state, Self::wrap_evaluator(evaluator), bounder, args)
    }
}

/// The ES's self-adaptive mutation (inspyred's `ES._internal_variation`).
///
/// With `n` = half the length of the first candidate,
/// `tau = args.tau` or `1 / sqrt(2 sqrt(n))` and
/// `tau' = args.tau_prime` or `1 / sqrt(2 n)`: each strategy parameter becomes
/// `max(sigma exp(tau' N(0,1) + tau N(0,1)), epsilon)` (two draws, tau' first),
/// then each gene `x + gauss(0, sigma')`; the solution half is bounded.
/// As in inspyred, the tau' draw is made per gene (the textbook ES shares one
/// per individual).
#[derive(Clone, Copy, Debug, Default)]
pub struct EsVariation;

impl Variator for EsVariation {
    fn name(&self) -> &'static str {
        "es_internal_variation"
    }

    fn vary(
        &self,
        cx: &mut Ctx<'_>,
        _population: &[Individual],
        candidates: Vec<Vec<f64>>,
    ) -> Result<Vec<Vec<f64>>, EcError> {
        let Some(first) = candidates.first() else {
            return Ok(candidates);
        };
        let n = first.len() / 2;
        let nf = n as f64;
        let tau = cx
            .args
            .tau
            .unwrap_or_else(|| 1.0 / (2.0 * nf.sqrt()).sqrt());
        let tau_prime = cx.args.tau_prime.unwrap_or_else(|| 1.0 / (2.0 * nf).sqrt());
        let eps = cx.args.epsilon;
        let mut out = Vec::with_capacity(candidates.len());
        for c in candidates {
            let (cand, strat) = c.split_at(n.min(c.len()));
            let mut strat = strat.to_vec();
            for s in &mut strat {
                let a = tau_prime * cx.rng.gauss(0.0, 1.0);
                let b = tau * cx.rng.gauss(0.0, 1.0);
                *s *= (a + b).exp();
                if *s < eps {
                    *s = eps;
                }
            }
            let mut x: Vec<f64> = cand
                .iter()
                .zip(&strat)
                .map(|(&xi, &si)| xi + cx.rng.gauss(0.0, si))
                .collect();
            cx.bounder.bound(&mut x);
            x.extend(strat);
            out.push(x);
        }
        Ok(out)
    }
}
