//! The evolution loop (inspyred's `EvolutionaryComputation`).

use std::time::Instant;

use crate::archivers::{Archiver, DefaultArchiver};
use crate::args::Args;
use crate::bounder::Bound;
use crate::cma::CmaState;
use crate::error::EcError;
use crate::individual::{Fitness, Individual};
use crate::migrators::{DefaultMigration, Migrator};
use crate::observers::{Observation, Observer};
use crate::replacers::{DefaultReplacement, Replacer};
use crate::rng::EcRng;
use crate::selectors::{DefaultSelection, Selector};
use crate::terminators::{DefaultTermination, Terminator};
use crate::variators::{DefaultVariation, Variator};

/// Values inspyred's components write back into `args` during a run.
///
/// All but `start_time` are part of the checkpoint.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Memo {
    /// Best fitness at the last no-improvement check (`previous_best`).
    pub previous_best: Option<Fitness>,
    /// Checks without improvement so far (`generation_count`).
    pub generation_count: u64,
    /// Current simulated-annealing temperature (`temperature` after cooling).
    pub temperature: Option<f64>,
    /// When time termination was first checked (`start_time`); not
    /// checkpointed.
    pub start_time: Option<Instant>,
    /// The population before the last replacement (the PSO's
    /// `_previous_population`, from which particle velocities are taken);
    /// empty for other algorithms.
    pub previous_population: Vec<Individual>,
    /// The CMA-ES search distribution ([`crate::cma::CmaVariation`] creates
    /// it, [`crate::cma::CmaReplacement`] updates it); `None` for other
    /// algorithms.
    pub cma: Option<CmaState>,
}

/// What a component sees besides its population arguments: inspyred's
/// `random` and `args` (with `args['_ec']` reduced to what components read).
pub struct Ctx<'a> {
    /// The run's random stream.
    pub rng: &'a mut EcRng,
    /// Keyword arguments.
    pub args: &'a Args,
    /// The bounder passed to `evolve`.
    pub bounder: &'a dyn Bound,
    /// The archive as of the last archiving (`_ec.archive`); empty inside the
    /// archiver itself, which receives the archive as an argument.
    pub archive: &'a [Individual],
    /// Values components keep between calls.
    pub memo: &'a mut Memo,
    /// Generations completed (`_ec.num_generations`).
    pub num_generations: u64,
    /// Evaluations made (`_ec.num_evaluations`).
    pub num_evaluations: u64,
    /// Whether the run maximises.
    pub maximize: bool,
}

/// Everything that changes during a run: enough to resume it exactly.
///
/// Serialise with [`EcState::to_text`], read back with [`EcState::from_text`].
#[derive(Clone, Debug, PartialEq)]
pub struct EcState {
    /// The population (inspyred's `ec.population`).
    pub population: Vec<Individual>,
    /// The archive (`ec.archive`).
    pub archive: Vec<Individual>,
    /// The random stream, positioned at the next draw.
    pub rng: EcRng,
    /// Evaluations made (`ec.num_evaluations`).
    pub num_evaluations: u64,
    /// Generations completed (`ec.num_generations`).
    pub num_generations: u64,
    /// Birthdate of the next individual created.
    pub next_birthdate: u64,
    /// Population size asked for (`pop_size`).
    pub pop_size: usize,
    /// Whether the run maximises.
    pub maximize: bool,
    /// Values components keep between calls.
    pub memo: Memo,
    /// Name of the terminator that stopped the run (`ec.termination_cause`).
    pub termination_cause: Option<String>,
}

impl EcState {
    fn ctx<'a>(&'a mut self, args: &'a Args, bounder: &'a dyn Bound) -> Ctx<'a> {
        Ctx {
            rng: &mut self.rng,
            args,
            bounder,
            archive: &self.archive,
            memo: &mut self.memo,
            num_generations: self.num_generations,
            num_evaluations: self.num_evaluations,
            maximize: self.maximize,
        }
    }

    /// Turn evaluated candidates into individuals; a `None` fitness (or a
    /// missing one, when the evaluator returns fewer values) excludes the
    /// candidate. Returns the individuals and the number of fitness values
    /// received (what inspyred adds to `num_evaluations`).
    fn admit(
        &mut self,
        candidates: Vec<Vec<f64>>,
        fitness: Vec<Option<Fitness>>,
    ) -> (Vec<Individual>, u64) {
        let received = fitness.len() as u64;
        let mut out = Vec::with_capacity(candidates.len());
        for (c, f) in candidates.into_iter().zip(fitness) {
            if let Some(f) = f {
                out.push(Individual::new(c, f, self.next_birthdate, self.maximize));
                self.next_birthdate += 1;
            }
        }
        (out, received)
    }

    /// The best individual of the population.
    #[must_use]
    pub fn best(&self) -> Option<&Individual> {
        crate::individual::best_index(&self.population).map(|i| &self.population[i])
    }
}

/// An evolutionary computation: one component of each kind, run by
/// inspyred's loop.
///
/// The defaults are inspyred's: default selection, variation, replacement,
/// migration, archiving and observation, and default termination (stop at
/// once). Set the public fields to build an algorithm, or start from
/// [`crate::algorithms`].
pub struct EvolutionaryComputation {
    /// Seed of the run's [`EcRng`].
    pub seed: u64,
    /// Parent selection.
    pub selector: Box<dyn Selector>,
    /// Variation operators, applied in sequence.
    pub variators: Vec<Box<dyn Variator>>,
    /// Survivor selection.
    pub replacer: Box<dyn Replacer>,
    /// Migration.
    pub migrator: Box<dyn Migrator>,
    /// Archive update.
    pub archiver: Box<dyn Archiver>,
    /// Stopping criteria, combined with OR (the first that fires is the cause).
    pub terminators: Vec<Box<dyn Terminator>>,
    /// Observers, called in order.
    pub observers: Vec<Box<dyn Observer>>,
}

impl EvolutionaryComputation {
    /// inspyred's bare EC with the given seed.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            selector: Box::new(DefaultSelection),
            variators: vec![Box::new(DefaultVariation)],
            replacer: Box::new(DefaultReplacement),
            migrator: Box::new(DefaultMigration),
            archiver: Box::new(DefaultArchiver),
            terminators: vec![Box::new(DefaultTermination)],
            observers: Vec::new(),
        }
    }

    /// Run to termination: [`Self::initialize`], then [`Self::step`] until a
    /// terminator fires. `state.population` is what inspyred's `evolve`
    /// returns.
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

    /// Build, evaluate, archive and observe the initial population with a
    /// fresh stream of `self.seed`.
    ///
    /// # Errors
    /// The first error a component returns.
    pub fn initialize<G, E>(
        &mut self,
        generator: G,
        evaluator: &mut E,
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
        let rng = EcRng::new(self.seed);
        self.initialize_with_rng(
            rng, generator, evaluator, pop_size, seeds, maximize, bounder, args,
        )
    }

    /// [`Self::initialize`] with a given random stream (already advanced, for
    /// example by a wrapper that drew strategy parameters for the seeds).
    ///
    /// Seeds come first, then `max(pop_size - seeds, 0)` generated candidates;
    /// all are evaluated in one batch. Initial candidates are not bounded.
    ///
    /// # Errors
    /// The first error a component returns.
    pub fn initialize_with_rng<G, E>(
        &mut self,
        rng: EcRng,
        mut generator: G,
        evaluator: &mut E,
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
        let mut state = EcState {
            population: Vec::new(),
            archive: Vec::new(),
            rng,
            num_evaluations: 0,
            num_generations: 0,
            next_birthdate: 0,
            pop_size,
            maximize,
            memo: Memo::default(),
            termination_cause: None,
        };
        let mut initial: Vec<Vec<f64>> = seeds.to_vec();
        for _ in 0..pop_size.saturating_sub(seeds.len()) {
            initial.push(generator(&mut state.rng, args));
        }
        let fitness = evaluator(&initial);
        let (population, received) = state.admit(initial, fitness);
        state.population = population;
        state.num_evaluations = received;
        self.run_archiver(&mut state, bounder, args)?;
        self.run_observers(&state, args)?;
        Ok(state)
    }

    fn run_archiver(
        &self,
        state: &mut EcState,
        bounder: &dyn Bound,
        args: &Args,
    ) -> Result<(), EcError> {
        let archive = std::mem::take(&mut state.archive);
        let population = std::mem::take(&mut state.population);
        let result = self
            .archiver
            .archive(&mut state.ctx(args, bounder), &population, archive);
        state.population = population;
        state.archive = result?;
        Ok(())
    }

    fn run_observers(&mut self, state: &EcState, args: &Args) -> Result<(), EcError> {
        let obs = Observation {
            population: &state.population,
            archive: &state.archive,
            num_generations: state.num_generations,
            num_evaluations: state.num_evaluations,
            args,
        };
        for o in &mut self.observers {
            o.observe(&obs)?;
        }
        Ok(())
    }

    /// Ask the terminators in order; the first that fires is recorded in
    /// `state.termination_cause`.
    ///
    /// # Errors
    /// The first error a terminator returns.
    pub fn should_terminate(
        &self,
        state: &mut EcState,
        bounder: &dyn Bound,
        args: &Args,
    ) -> Result<bool, EcError> {
        let population = std::mem::take(&mut state.population);
        let mut result = Ok(false);
        for t in &self.terminators {
            match t.should_terminate(&mut state.ctx(args, bounder), &population) {
                Ok(true) => {
                    state.termination_cause = Some(t.name().to_owned());
                    result = Ok(true);
                    break;
                }
                Ok(false) => {}
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        state.population = population;
        result
    }

    /// One generation, in inspyred's order: select, copy the parents'
    /// candidates, apply the variators in sequence, evaluate the batch (a
    /// `None` fitness excludes the candidate), count the evaluations, replace,
    /// migrate, archive, count the generation, observe. Termination is not
    /// checked here.
    ///
    /// On error the state may be partly updated (random draws made); resume
    /// from a checkpoint taken before the step.
    ///
    /// # Errors
    /// The first error a component returns.
    pub fn step<E>(
        &mut self,
        state: &mut EcState,
        evaluator: &mut E,
        bounder: &dyn Bound,
        args: &Args,
    ) -> Result<(), EcError>
    where
        E: FnMut(&[Vec<f64>]) -> Vec<Option<Fitness>>,
    {
        let population = std::mem::take(&mut state.population);
        let varied = (|| {
            let parents = self
                .selector
                .select(&mut state.ctx(args, bounder), &population)?;
            let mut candidates: Vec<Vec<f64>> =
                parents.iter().map(|p| p.candidate.clone()).collect();
            for v in &self.variators {
                candidates = v.vary(&mut state.ctx(args, bounder), &population, candidates)?;
            }
            Ok::<_, EcError>((parents, candidates))
        })();
        let (parents, candidates) = match varied {
            Ok(x) => x,
            Err(e) => {
                state.population = population;
                return Err(e);
            }
        };
        let fitness = evaluator(&candidates);
        let (offspring, received) = state.admit(candidates, fitness);
        state.num_evaluations += received;
        let population = self.replacer.replace(
            &mut state.ctx(args, bounder),
            population,
            &parents,
            offspring,
        )?;
        state.population = self
            .migrator
            .migrate(&mut state.ctx(args, bounder), population)?;
        self.run_archiver(state, bounder, args)?;
        state.num_generations += 1;
        self.run_observers(state, args)
    }

    /// Continue a run (fresh from [`Self::initialize`] or read back from a
    /// checkpoint) until a terminator fires. The state's own random stream
    /// and counters are used; `self.seed` is not consulted.
    ///
    /// # Errors
    /// The first error a component returns.
    pub fn resume<E>(
        &mut self,
        mut state: EcState,
        mut evaluator: E,
        bounder: &dyn Bound,
        args: &Args,
    ) -> Result<EcState, EcError>
    where
        E: FnMut(&[Vec<f64>]) -> Vec<Option<Fitness>>,
    {
        state.termination_cause = None;
        while !self.should_terminate(&mut state, bounder, args)? {
            self.step(&mut state, &mut evaluator, bounder, args)?;
        }
        Ok(state)
    }
}
