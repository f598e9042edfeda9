//! Typed keyword arguments.

use std::time::Duration;

/// inspyred's `**args`: the keyword arguments components read, with
/// inspyred's defaults.
///
/// inspyred calls `args.setdefault(name, default)` inside each component, so a
/// default written by one component is seen by the next. Here an unset
/// `Option` is resolved by each component on every call (for example
/// `num_selected` is `len(population)` for truncation selection and 1 for the
/// other selectors; `max_generations` is 1 for generation termination and 10 for
/// no-improvement termination). Values that inspyred *changes* during a run
/// (`previous_best`, `generation_count`, `temperature`, `start_time`) live in
/// [`crate::Memo`] instead, which is part of the checkpointed state.
#[derive(Clone, Debug, PartialEq)]
pub struct Args {
    // --- selection ---
    /// Number of parents to select (default: population size for truncation,
    /// 1 otherwise; the GA sets `pop_size`, DEA 2, EDA `pop_size / 2`).
    pub num_selected: Option<usize>,
    /// Tournament size (2).
    pub tournament_size: usize,

    // --- crossover ---
    /// Probability that a pair of parents is crossed (1.0).
    pub crossover_rate: f64,
    /// Cut points of n-point crossover (1).
    pub num_crossover_points: usize,
    /// Per-gene swap probability of uniform crossover (0.5).
    pub ux_bias: f64,
    /// Weight of arithmetic crossover (0.5).
    pub ax_alpha: f64,
    /// Genes arithmetic crossover touches (all).
    pub ax_points: Option<Vec<usize>>,
    /// Extension of blend crossover, BLX-alpha (0.1).
    pub blx_alpha: f64,
    /// Genes blend crossover touches (all).
    pub blx_points: Option<Vec<usize>>,
    /// Distribution index of simulated-binary crossover (10).
    pub sbx_distribution_index: f64,
    /// Location of Laplace crossover (0).
    pub lx_location: f64,
    /// Scale of Laplace crossover (0.5).
    pub lx_scale: f64,

    // --- mutation ---
    /// Per-gene (per-candidate for scramble/inversion) mutation probability (0.1).
    pub mutation_rate: f64,
    /// Mean of the Gaussian mutation step (0).
    pub gaussian_mean: f64,
    /// Standard deviation of the Gaussian mutation step (1).
    pub gaussian_stdev: f64,
    /// Exponent of non-uniform mutation (1).
    pub mutation_strength: f64,

    // --- replacement ---
    /// Elites kept by generational and random replacement (0).
    pub num_elites: usize,
    /// Sample size of crowding replacement (2).
    pub crowding_distance: usize,
    /// Initial temperature of simulated-annealing replacement (needs
    /// `cooling_rate`; otherwise the temperature follows the evaluation or
    /// generation budget).
    pub temperature: Option<f64>,
    /// Cooling factor in (0, 1) of simulated-annealing replacement.
    pub cooling_rate: Option<f64>,

    // --- termination ---
    /// Evaluation budget (default: population size).
    pub max_evaluations: Option<u64>,
    /// Generation budget (default 1 for generation termination; also read by
    /// non-uniform mutation and simulated annealing).
    pub max_generations: Option<u64>,
    /// Wall-clock budget (no default: time termination stops at once).
    pub max_time: Option<Duration>,
    /// Diversity threshold of diversity termination (0.001).
    pub min_diversity: f64,
    /// Best-minus-average threshold of average-fitness termination (0.001).
    pub tolerance: f64,
    /// Generations without improvement before no-improvement termination stops
    /// the run. inspyred reads `max_generations` (default 10) for this; here
    /// `max_stagnation` takes precedence when set, so both terminators can be
    /// combined.
    pub max_stagnation: Option<u64>,

    // --- evolution strategy ---
    /// ES learning rate tau (default `1 / sqrt(2 sqrt(n))`).
    pub tau: Option<f64>,
    /// ES learning rate tau' (default `1 / sqrt(2 n)`).
    pub tau_prime: Option<f64>,
    /// Smallest ES strategy parameter (1e-5).
    pub epsilon: f64,

    // --- estimation of distribution, CMA-ES ---
    /// Offspring per generation of the EDA (default: population size) and of
    /// CMA-ES (`lambda`; default `4 + floor(3 ln n)`, or the population size
    /// when [`crate::CmaEs`] is started with more than one individual).
    pub num_offspring: Option<usize>,
    /// Initial CMA-ES step size `sigma` (default: 0.3 times the mean width of
    /// the bounded genes, or 1 when no gene is bounded).
    pub cma_sigma: Option<f64>,

    // --- particle swarm ---
    /// Weight of a particle's previous move (0.5).
    pub inertia: f64,
    /// Pull towards the particle's own best position (2.1).
    pub cognitive_rate: f64,
    /// Pull towards the best position of its neighbourhood (2.1).
    pub social_rate: f64,
    /// Particles in a ring-topology neighbourhood (3).
    pub neighborhood_size: usize,
}

impl Default for Args {
    fn default() -> Self {
        Self {
            num_selected: None,
            tournament_size: 2,
            crossover_rate: 1.0,
            num_crossover_points: 1,
            ux_bias: 0.5,
            ax_alpha: 0.5,
            ax_points: None,
            blx_alpha: 0.1,
            blx_points: None,
            sbx_distribution_index: 10.0,
            lx_location: 0.0,
            lx_scale: 0.5,
            mutation_rate: 0.1,
            gaussian_mean: 0.0,
            gaussian_stdev: 1.0,
            mutation_strength: 1.0,
            num_elites: 0,
            crowding_distance: 2,
            temperature: None,
            cooling_rate: None,
            max_evaluations: None,
            max_generations: None,
            max_time: None,
            min_diversity: 0.001,
            tolerance: 0.001,
            max_stagnation: None,
            tau: None,
            tau_prime: None,
            epsilon: 0.00001,
            num_offspring: None,
            cma_sigma: None,
            inertia: 0.5,
            cognitive_rate: 2.1,
            social_rate: 2.1,
            neighborhood_size: 3,
        }
    }
}
