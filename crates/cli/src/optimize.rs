//! `ranvier optimize OPT.json`: evolve network parameters with `ranvier_evol`, every
//! candidate built and simulated in Rust ([`crate::objective`]), evaluated on all cores
//! (and on MPI ranks with the `mpi` feature, see the `mpi` module), checkpointed after
//! every generation (`--resume` continues), with inspyred's stats columns per
//! generation, a CSV of every evaluation, inspyred's statistics and population files,
//! a fitness plot, and the best candidate's network re-run with its raster.
//!
//! # The `"algorithm"` object
//!
//! `"name"` picks a ready-made algorithm; NetPyNE's `evolAlgorithm` names and
//! inspyred's class names are both accepted:
//!
//! | name | algorithm | components |
//! |---|---|---|
//! | `EC` (default) | inspyred's `EvolutionaryComputation` as the NetPyNE tutorial (`tut_optimization.py`) sets it up | tournament, uniform crossover + gaussian mutation, generational |
//! | `custom` | NetPyNE's batch `custom` algorithm | tournament, uniform crossover + NetPyNE's `nonuniform_bounds_mutation`, generational |
//! | `genetic`, `GA` | inspyred `GA` | rank, n-point crossover + bit-flip mutation, generational |
//! | `evolutionStrategy`, `ES` | inspyred `ES` | self-adaptive mutation, plus replacement |
//! | `simulatedAnnealing`, `SA` | inspyred `SA` | gaussian mutation, annealing replacement |
//! | `diffEvolution`, `DEA` | inspyred `DEA` | tournament, heuristic crossover + gaussian mutation, steady state |
//! | `estimationDist`, `EDA` | inspyred `EDA` | truncation, sampling, generational |
//! | `particleSwarm` (ring), `PSO` (star) | inspyred `swarm.PSO` | `"topology"`: `star` or `ring` |
//! | `nsga2`, `NSGA2` | inspyred `emo.NSGA2` | tournament on Pareto fitness, NSGA replacement; variators default to blend crossover + gaussian mutation |
//! | `cmaes`, `CMAES`, `CMA-ES` | CMA-ES (`ranvier_evol::CmaEs`) | `pop_size` is lambda; `"cma_sigma"`: initial step size (default 0.3 x the mean bound width); also stops at the limit of precision |
//!
//! The components can be replaced by name, as one assigns `ea.selector` in inspyred:
//! `"selector"`, `"variators"` (a list) and `"replacer"` take inspyred's function names
//! (see [`selector`], [`variator`], [`replacer`]). Every other key is one of inspyred's
//! keyword arguments ([`set_arg`]): `pop_size`, `seed`, `max_evaluations`,
//! `max_generations`, `max_time` (seconds; makes the run depend on the machine),
//! `max_stagnation` (no-improvement termination), `min_diversity` (diversity
//! termination), `num_selected`, `tournament_size`, `crossover_rate`, `ux_bias`,
//! `mutation_rate`, `gaussian_mean`, `gaussian_stdev`, `num_elites`, … .
//!
//! A list of fitness expressions is a multi-objective problem: it needs NSGA-II, whose
//! archive (the non-dominated candidates) is written to `pareto.csv`.
//!
//! `run.json` in the output folder records what the checkpoint belongs to (algorithm,
//! components, parameters with bounds, fitness, direction); `--resume` refuses a file
//! that changed any of them (budgets such as `max_evaluations` may change).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use ranvier_analysis::{FitnessRow, PlotObserver};
use ranvier_evol::{
    Args, Bounder, EcState, EvolutionaryComputation, FileObserver, Fitness, FitnessStats,
    Individual, Observer, Replacer, Selector, Terminator, Topology, Variator, replacers as rep,
    selectors as sel, terminators as term, variators as var,
};
use ranvier_mech::Catalogue;
use serde_json::Value;

use crate::objective::{Objective, Outcome};

/// Options of `ranvier optimize`.
#[derive(Clone, Debug, Default)]
pub struct OptimizeOptions {
    pub file: PathBuf,
    /// Output folder (default: next to the file, `<stem>_out`).
    pub out: Option<PathBuf>,
    /// Continue from the checkpoint in the output folder.
    pub resume: bool,
    /// Parallel evaluations; 0 = all cores.
    pub threads: usize,
    /// Skip re-running the best candidate (tests).
    pub skip_best_run: bool,
}

impl OptimizeOptions {
    /// The number of evaluation threads (`threads`, or all cores for 0).
    #[must_use]
    pub fn thread_count(&self) -> usize {
        if self.threads == 0 {
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
        } else {
            self.threads
        }
    }
}

/// What a finished run gives.
#[derive(Clone, Debug)]
pub struct OptimizeResult {
    pub best_candidate: Vec<f64>,
    /// The best fitness (the first objective for a multi-objective run).
    pub best_fitness: f64,
    /// All objectives of the best candidate.
    pub best_objectives: Vec<f64>,
    /// The non-dominated candidates and their objectives (multi-objective runs).
    pub pareto: Vec<(Vec<f64>, Vec<f64>)>,
    pub evaluations: u64,
    pub generations: u64,
    /// Files written.
    pub files: Vec<PathBuf>,
}

/// Where a batch of candidates is evaluated: threads of this process
/// ([`LocalPool`]) or MPI ranks (the `mpi` module, feature `mpi`). Whatever the pool, a candidate's
/// outcome depends only on the candidate.
pub trait Pool {
    /// The outcome of every candidate, in order.
    fn evaluate(&self, obj: &Objective, catalogue: &Catalogue, cands: &[Vec<f64>]) -> Vec<Outcome>;
}

/// Evaluations on the threads of this process.
#[derive(Clone, Copy, Debug)]
pub struct LocalPool {
    pub threads: usize,
}

impl Pool for LocalPool {
    fn evaluate(&self, obj: &Objective, catalogue: &Catalogue, cands: &[Vec<f64>]) -> Vec<Outcome> {
        evaluate_on_threads(obj, catalogue, cands, self.threads)
    }
}

/// Evaluate `cands` on `threads` threads (each takes the next candidate when it is
/// free); the outcomes come back in the candidates' order.
#[must_use]
pub fn evaluate_on_threads(
    obj: &Objective,
    catalogue: &Catalogue,
    cands: &[Vec<f64>],
    threads: usize,
) -> Vec<Outcome> {
    let results: Vec<Mutex<Option<Outcome>>> = cands.iter().map(|_| Mutex::new(None)).collect();
    let next = Mutex::new(0usize);
    std::thread::scope(|s| {
        for _ in 0..threads.min(cands.len()).max(1) {
            s.spawn(|| {
                loop {
                    let i = {
                        let Ok(mut n) = next.lock() else { return };
                        let i = *n;
                        *n += 1;
                        i
                    };
                    if i >= cands.len() {
                        return;
                    }
                    let o = obj.evaluate(&cands[i], catalogue);
                    if let Ok(mut slot) = results[i].lock() {
                        *slot = Some(o);
                    }
                }
            });
        }
    });
    results
        .into_iter()
        .map(|r| {
            r.into_inner()
                .ok()
                .flatten()
                .unwrap_or_else(|| Outcome::Failed("the evaluation thread stopped".into()))
        })
        .collect()
}

/// A selector by inspyred's function name (with or without `_selection`).
pub fn selector(name: &str) -> Result<Box<dyn Selector>, String> {
    Ok(match name {
        "tournament" | "tournament_selection" => Box::new(sel::TournamentSelection),
        "rank" | "rank_selection" => Box::new(sel::RankSelection),
        "truncation" | "truncation_selection" => Box::new(sel::TruncationSelection),
        "uniform" | "uniform_selection" => Box::new(sel::UniformSelection),
        "fitness_proportionate" | "fitness_proportionate_selection" => {
            Box::new(sel::FitnessProportionateSelection)
        }
        "default" | "default_selection" => Box::new(sel::DefaultSelection),
        _ => {
            return Err(format!(
                "unknown selector `{name}` (known: tournament, rank, truncation, uniform, fitness_proportionate, default)"
            ));
        }
    })
}

/// A variator by inspyred's function name.
pub fn variator(name: &str) -> Result<Box<dyn Variator>, String> {
    Ok(match name {
        "uniform_crossover" => Box::new(var::UniformCrossover),
        "n_point_crossover" => Box::new(var::NPointCrossover),
        "blend_crossover" => Box::new(var::BlendCrossover),
        "arithmetic_crossover" => Box::new(var::ArithmeticCrossover),
        "heuristic_crossover" => Box::new(var::HeuristicCrossover),
        "simulated_binary_crossover" => Box::new(var::SimulatedBinaryCrossover),
        "laplace_crossover" => Box::new(var::LaplaceCrossover),
        "gaussian_mutation" => Box::new(var::GaussianMutation),
        "nonuniform_mutation" => Box::new(var::NonuniformMutation),
        "nonuniform_bounds_mutation" => Box::new(var::NonuniformBoundsMutation),
        "random_reset_mutation" => Box::new(var::RandomResetMutation),
        "default_variation" => Box::new(var::DefaultVariation),
        _ => {
            return Err(format!(
                "unknown variator `{name}` (known: uniform_crossover, n_point_crossover, blend_crossover, \
                 arithmetic_crossover, heuristic_crossover, simulated_binary_crossover, laplace_crossover, \
                 gaussian_mutation, nonuniform_mutation, nonuniform_bounds_mutation, random_reset_mutation, \
                 default_variation)"
            ));
        }
    })
}

/// A replacer by inspyred's function name (with or without `_replacement`).
pub fn replacer(name: &str) -> Result<Box<dyn Replacer>, String> {
    Ok(match name {
        "generational" | "generational_replacement" => Box::new(rep::GenerationalReplacement),
        "plus" | "plus_replacement" => Box::new(rep::PlusReplacement),
        "comma" | "comma_replacement" => Box::new(rep::CommaReplacement),
        "steady_state" | "steady_state_replacement" => Box::new(rep::SteadyStateReplacement),
        "truncation" | "truncation_replacement" => Box::new(rep::TruncationReplacement),
        "random" | "random_replacement" => Box::new(rep::RandomReplacement),
        "crowding" | "crowding_replacement" => Box::new(rep::CrowdingReplacement::default()),
        "simulated_annealing" | "simulated_annealing_replacement" => {
            Box::new(rep::SimulatedAnnealingReplacement)
        }
        "nsga" | "nsga_replacement" => Box::new(rep::NsgaReplacement),
        "default" | "default_replacement" => Box::new(rep::DefaultReplacement),
        _ => {
            return Err(format!(
                "unknown replacer `{name}` (known: generational, plus, comma, steady_state, truncation, \
                 random, crowding, simulated_annealing, nsga, default)"
            ));
        }
    })
}

/// The keyword arguments [`set_arg`] knows.
pub const ARG_NAMES: &[&str] = &[
    "num_selected",
    "tournament_size",
    "crossover_rate",
    "num_crossover_points",
    "ux_bias",
    "ax_alpha",
    "blx_alpha",
    "sbx_distribution_index",
    "lx_location",
    "lx_scale",
    "mutation_rate",
    "gaussian_mean",
    "gaussian_stdev",
    "mutation_strength",
    "num_elites",
    "crowding_distance",
    "temperature",
    "cooling_rate",
    "max_evaluations",
    "max_generations",
    "max_time",
    "min_diversity",
    "tolerance",
    "max_stagnation",
    "tau",
    "tau_prime",
    "epsilon",
    "num_offspring",
    "inertia",
    "cognitive_rate",
    "social_rate",
    "neighborhood_size",
    "cma_sigma",
];

/// Set inspyred keyword argument `key` to `x`; `Ok(false)` when the name is unknown.
pub fn set_arg(args: &mut Args, key: &str, x: f64) -> Result<bool, String> {
    let count = |x: f64| -> Result<usize, String> {
        if x >= 0.0 && x.fract() == 0.0 && x < 1e15 {
            Ok(x as usize)
        } else {
            Err(format!("`{key}` must be a whole number >= 0, not {x}"))
        }
    };
    match key {
        "num_selected" => args.num_selected = Some(count(x)?),
        "tournament_size" => args.tournament_size = count(x)?,
        "crossover_rate" => args.crossover_rate = x,
        "num_crossover_points" => args.num_crossover_points = count(x)?,
        "ux_bias" => args.ux_bias = x,
        "ax_alpha" => args.ax_alpha = x,
        "blx_alpha" => args.blx_alpha = x,
        "sbx_distribution_index" => args.sbx_distribution_index = x,
        "lx_location" => args.lx_location = x,
        "lx_scale" => args.lx_scale = x,
        "mutation_rate" => args.mutation_rate = x,
        "gaussian_mean" => args.gaussian_mean = x,
        "gaussian_stdev" => args.gaussian_stdev = x,
        "mutation_strength" => args.mutation_strength = x,
        "num_elites" => args.num_elites = count(x)?,
        "crowding_distance" => args.crowding_distance = count(x)?,
        "temperature" => args.temperature = Some(x),
        "cooling_rate" => args.cooling_rate = Some(x),
        "max_evaluations" => args.max_evaluations = Some(count(x)? as u64),
        "max_generations" => args.max_generations = Some(count(x)? as u64),
        "max_time" => match Duration::try_from_secs_f64(x) {
            Ok(d) if x > 0.0 => args.max_time = Some(d),
            _ => {
                return Err(format!(
                    "`max_time` must be a positive number of seconds, not {x}"
                ));
            }
        },
        "min_diversity" => args.min_diversity = x,
        "tolerance" => args.tolerance = x,
        "max_stagnation" => args.max_stagnation = Some(count(x)? as u64),
        "tau" => args.tau = Some(x),
        "tau_prime" => args.tau_prime = Some(x),
        "epsilon" => args.epsilon = x,
        "num_offspring" => args.num_offspring = Some(count(x)?),
        "inertia" => args.inertia = x,
        "cognitive_rate" => args.cognitive_rate = x,
        "social_rate" => args.social_rate = x,
        "neighborhood_size" => args.neighborhood_size = count(x)?,
        "cma_sigma" => {
            if !(x > 0.0 && x.is_finite()) {
                return Err(format!("`cma_sigma` must be positive, not {x}"));
            }
            args.cma_sigma = Some(x);
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// A configured algorithm.
pub struct Algorithm {
    pub ec: EvolutionaryComputation,
    pub args: Args,
    pub pop_size: usize,
    /// The algorithm's name as written in the file.
    pub label: String,
    /// ES: candidates carry one strategy parameter per gene after the genes; the
    /// objective and the outputs see only the genes.
    pub strategy: bool,
    /// NSGA-II: the fitness is a Pareto vector.
    pub pareto: bool,
}

/// Build the algorithm from the file's `"algorithm"` object (`name`: the file, for
/// messages; `objectives`: the number of fitness expressions).
pub fn build(alg: &Value, name: &str, objectives: usize) -> Result<Algorithm, String> {
    let empty = serde_json::Map::new();
    let m = match alg {
        Value::Null => &empty,
        Value::Object(m) => m,
        _ => return Err(format!("{name}: `algorithm` must be an object")),
    };
    let at = |e: String| format!("{name}: algorithm: {e}");
    let label = match m.get("name") {
        None => "EC".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(at("`name` must be a string".into())),
    };
    let seed = match m.get("seed") {
        None => 1,
        Some(v) => match v.as_u64() {
            Some(s) => s,
            None => return Err(at("`seed` must be a whole number >= 0".into())),
        },
    };
    let mut args = Args::default();
    let mut pop_size = None;
    for (k, v) in m {
        match k.as_str() {
            "name" | "seed" | "selector" | "variators" | "replacer" | "topology" => {}
            "pop_size" => {
                pop_size = Some(
                    v.as_u64()
                        .filter(|&n| n > 0)
                        .ok_or_else(|| at("`pop_size` must be a whole number > 0".into()))?
                        as usize,
                );
            }
            _ => {
                let x = v
                    .as_f64()
                    .ok_or_else(|| at(format!("`{k}` must be a number")))?;
                if !set_arg(&mut args, k, x).map_err(at)? {
                    return Err(at(format!(
                        "unknown setting `{k}` (known: name, seed, pop_size, selector, variators, replacer, topology, {})",
                        ARG_NAMES.join(", ")
                    )));
                }
            }
        }
    }
    let pop_size = pop_size.unwrap_or(10);
    use ranvier_evol::{CmaEs, Dea, Eda, Es, Ga, Nsga2, Pso, Sa};
    let topology = match m.get("topology").map(|v| v.as_str()) {
        None => None,
        Some(Some("star")) => Some(Topology::Star),
        Some(Some("ring")) => Some(Topology::Ring),
        Some(_) => return Err(at("`topology` must be \"star\" or \"ring\"".into())),
    };
    let (mut ec, strategy, pareto) = match label.as_str() {
        "EC" | "ec" | "custom" => {
            // The tutorial's EC; NetPyNE's batch `custom` mutates with its own
            // nonuniform_bounds_mutation (and sets tournament_size 2, num_selected
            // pop_size, as here).
            let mut ec = EvolutionaryComputation::new(seed);
            ec.selector = Box::new(sel::TournamentSelection);
            ec.variators = if label == "custom" {
                vec![
                    Box::new(var::UniformCrossover),
                    Box::new(var::NonuniformBoundsMutation),
                ]
            } else {
                vec![
                    Box::new(var::UniformCrossover),
                    Box::new(var::GaussianMutation),
                ]
            };
            ec.replacer = Box::new(rep::GenerationalReplacement);
            args.num_selected.get_or_insert(pop_size);
            (ec, false, false)
        }
        "genetic" | "GA" | "ga" => {
            args = Ga::args(&args, pop_size);
            (Ga::new(seed).ec, false, false)
        }
        "evolutionStrategy" | "ES" | "es" => (Es::new(seed).ec, true, false),
        "simulatedAnnealing" | "SA" | "sa" => {
            args = Sa::args(&args, pop_size);
            (Sa::new(seed).ec, false, false)
        }
        "diffEvolution" | "DEA" | "dea" => {
            args = Dea::args(&args, pop_size);
            (Dea::new(seed).ec, false, false)
        }
        "estimationDist" | "EDA" | "eda" => {
            args = Eda::args(&args, pop_size);
            (Eda::new(seed).ec, false, false)
        }
        "particleSwarm" | "PSO" | "pso" => {
            // NetPyNE's particleSwarm uses the ring topology; inspyred's PSO the star.
            let default = if label == "particleSwarm" {
                Topology::Ring
            } else {
                Topology::Star
            };
            args = Pso::args(&args, pop_size);
            (
                Pso::with_topology(seed, topology.unwrap_or(default)).ec,
                false,
                false,
            )
        }
        "nsga2" | "NSGA2" | "NSGA-II" => {
            args = Nsga2::args(&args, pop_size);
            let mut ec = Nsga2::new(seed).ec;
            ec.variators = vec![
                Box::new(var::BlendCrossover),
                Box::new(var::GaussianMutation),
            ];
            (ec, false, true)
        }
        "cmaes" | "CMAES" | "CMA-ES" | "cma_es" => {
            args = CmaEs::args(&args, pop_size);
            (CmaEs::new(seed).ec, false, false)
        }
        "pareto_archived" | "PAES" | "antColony" | "ACS" => {
            return Err(at(format!(
                "`{label}` is not available in Ranvier (PAES and ant colony optimisation are not ported); \
                 use nsga2 for several objectives"
            )));
        }
        _ => {
            return Err(at(format!(
                "unknown algorithm `{label}` (known: EC, custom, genetic, evolutionStrategy, simulatedAnnealing, \
                 diffEvolution, estimationDist, particleSwarm, nsga2, cmaes; or GA, ES, SA, DEA, EDA, PSO, NSGA2, CMAES)"
            )));
        }
    };
    if topology.is_some() && !matches!(label.as_str(), "particleSwarm" | "PSO" | "pso") {
        return Err(at(
            "`topology` is a setting of the particle swarm only".into()
        ));
    }
    if let Some(v) = m.get("selector") {
        let s = v
            .as_str()
            .ok_or_else(|| at("`selector` must be a name".into()))?;
        ec.selector = selector(s).map_err(at)?;
    }
    if let Some(v) = m.get("variators") {
        let Value::Array(a) = v else {
            return Err(at("`variators` must be a list of names".into()));
        };
        ec.variators = a
            .iter()
            .map(|v| {
                v.as_str()
                    .ok_or_else(|| at("`variators` must be a list of names".into()))
                    .and_then(|n| variator(n).map_err(at))
            })
            .collect::<Result<_, _>>()?;
    }
    if let Some(v) = m.get("replacer") {
        let s = v
            .as_str()
            .ok_or_else(|| at("`replacer` must be a name".into()))?;
        ec.replacer = replacer(s).map_err(at)?;
    }
    if objectives > 1 && !pareto {
        return Err(format!(
            "{name}: {objectives} fitness expressions make a multi-objective problem: use the `nsga2` algorithm, \
             or combine them into one expression"
        ));
    }
    let mut terminators: Vec<Box<dyn Terminator>> = Vec::new();
    if args.max_evaluations.is_some() {
        terminators.push(Box::new(term::EvaluationTermination));
    }
    if args.max_generations.is_some() {
        terminators.push(Box::new(term::GenerationTermination));
    }
    if args.max_time.is_some() {
        terminators.push(Box::new(term::TimeTermination));
    }
    if args.max_stagnation.is_some() {
        terminators.push(Box::new(term::NoImprovementTermination));
    }
    if m.contains_key("min_diversity") {
        terminators.push(Box::new(term::DiversityTermination));
    }
    if matches!(label.as_str(), "cmaes" | "CMAES" | "CMA-ES" | "cma_es") {
        // Stop when the distribution reaches the limit of precision.
        terminators.push(Box::new(ranvier_evol::cma::CmaTermination));
    }
    if args.max_evaluations.is_none() && args.max_generations.is_none() {
        return Err(at(
            "needs `max_evaluations` or `max_generations` (a run must end)".into(),
        ));
    }
    ec.terminators = terminators;
    Ok(Algorithm {
        ec,
        args,
        pop_size,
        label,
        strategy,
        pareto,
    })
}

/// Write `text` to `path` atomically (temporary file, then rename).
fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
    }
    fs::rename(&tmp, path)
}

/// Keep the complete lines of a CSV file (after its header) whose first column is a
/// number `<= last`; a missing file becomes just the header.
fn truncate_csv(path: &Path, header: &str, last: u64) -> std::io::Result<()> {
    let old = fs::read_to_string(path).unwrap_or_default();
    let mut kept = String::from(header);
    kept.push_str(&complete_lines_up_to(
        old.split_inclusive('\n').skip(1),
        last,
    ));
    write_atomic(path, &kept)
}

/// The complete lines (a line cut short by a crash has no newline) whose first
/// comma-separated field is a number `<= last`.
fn complete_lines_up_to<'a>(lines: impl Iterator<Item = &'a str>, last: u64) -> String {
    let mut kept = String::new();
    for line in lines.filter(|l| l.ends_with('\n')) {
        if line
            .split(',')
            .next()
            .and_then(|e| e.trim().parse::<u64>().ok())
            .is_some_and(|e| e <= last)
        {
            kept.push_str(line);
        }
    }
    kept
}

/// Keep the lines of a headerless `generation, ...` file (inspyred's statistics and
/// individuals files) up to generation `last`.
fn truncate_generations(path: &Path, last: u64) -> std::io::Result<()> {
    let old = fs::read_to_string(path).unwrap_or_default();
    write_atomic(path, &complete_lines_up_to(old.split_inclusive('\n'), last))
}

/// inspyred's file observer (statistics and population files) and plot observer. A
/// resumed run (`resumed`: the checkpoint's generation) keeps the lines of the
/// generations its checkpoint holds and plots them too.
fn file_and_plot_observers(
    stats_path: &Path,
    pop_path: &Path,
    plot_path: &Path,
    resumed: Option<u64>,
    label: &str,
    pareto: bool,
) -> Result<Vec<Box<dyn Observer>>, String> {
    let io = |e: std::io::Error| e.to_string();
    let plot = PlotObserver::new(plot_path).with_title(if pareto {
        format!("{label}: Pareto front")
    } else {
        format!("{label}: fitness per generation")
    });
    let (file, plot) = match resumed {
        None => (
            FileObserver::create(stats_path, pop_path).map_err(io)?,
            plot,
        ),
        Some(g) => {
            truncate_generations(stats_path, g).map_err(io)?;
            truncate_generations(pop_path, g).map_err(io)?;
            let text = fs::read_to_string(stats_path).map_err(io)?;
            let rows = ranvier_evol::read_statistics(&text)
                .map_err(|e| format!("{}: {e}", stats_path.display()))?;
            (
                FileObserver::append(stats_path, pop_path).map_err(io)?,
                plot.with_history(rows.iter().map(FitnessRow::from).collect()),
            )
        }
    };
    Ok(vec![Box::new(file), Box::new(plot)])
}

/// The genes of a candidate (an ES candidate without its strategy parameters).
fn genes(c: &[f64], strategy: bool) -> &[f64] {
    if strategy {
        ranvier_evol::Es::genes(c)
    } else {
        c
    }
}

/// The archive member closest to the ideal point after scaling every objective to
/// [0, 1] over the archive: the "knee" of the front, re-run as the best network.
fn knee(front: &[Individual], maximize: bool) -> Option<&Individual> {
    let k = front.first()?.fitness.values().len();
    let mut lo = vec![f64::INFINITY; k];
    let mut hi = vec![f64::NEG_INFINITY; k];
    for ind in front {
        for (j, &x) in ind.fitness.values().iter().enumerate().take(k) {
            lo[j] = lo[j].min(x);
            hi[j] = hi[j].max(x);
        }
    }
    let score = |ind: &Individual| -> f64 {
        ind.fitness
            .values()
            .iter()
            .enumerate()
            .take(k)
            .map(|(j, &x)| {
                let span = hi[j] - lo[j];
                let s = if span > 0.0 { (x - lo[j]) / span } else { 0.0 };
                let d = if maximize { 1.0 - s } else { s };
                d * d
            })
            .sum()
    };
    front.iter().min_by(|a, b| score(a).total_cmp(&score(b)))
}

/// Run an optimisation on the threads of this process.
pub fn optimize(opts: &OptimizeOptions, log: &mut dyn Write) -> Result<OptimizeResult, String> {
    optimize_with(
        opts,
        log,
        &LocalPool {
            threads: opts.thread_count(),
        },
    )
}

/// Run an optimisation, evaluating on `pool`.
pub fn optimize_with(
    opts: &OptimizeOptions,
    log: &mut dyn Write,
    pool: &dyn Pool,
) -> Result<OptimizeResult, String> {
    let name = opts.file.display().to_string();
    let io = |e: std::io::Error| e.to_string();
    let mut catalogue = ranvier_builtins::catalogue();
    let obj = Objective::load(&opts.file, &mut catalogue, log)?;
    let maximize = match obj.raw.get("maximize") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(format!("{name}: `maximize` must be true or false")),
    };
    let n_obj = obj.fitness.len();
    let Algorithm {
        mut ec,
        args,
        pop_size,
        label,
        strategy,
        pareto,
    } = build(
        obj.raw.get("algorithm").unwrap_or(&Value::Null),
        &name,
        n_obj,
    )?;
    let out = match &opts.out {
        Some(d) => d.clone(),
        None => {
            let stem = opts
                .file
                .file_stem()
                .map_or("opt".into(), |s| s.to_string_lossy().to_string());
            opts.file
                .parent()
                .unwrap_or(Path::new(""))
                .join(format!("{stem}_out"))
        }
    };
    fs::create_dir_all(&out).map_err(|e| format!("creating `{}`: {e}", out.display()))?;
    let checkpoint = out.join("checkpoint.txt");
    let csv_path = out.join("individuals.csv");
    let stats_path = out.join("statistics.csv");
    let pop_path = out.join("population.csv");
    let plot_path = out.join("fitness.png");
    let lows: Vec<f64> = obj.parameters.iter().map(|p| p.low).collect();
    let highs: Vec<f64> = obj.parameters.iter().map(|p| p.high).collect();
    let bounder = Bounder::new(lows.clone(), highs.clone());
    // A failed candidate's fitness: the worst possible (finite for Pareto fitness, so
    // that crowding distances stay defined).
    let worst = match (pareto, maximize) {
        (false, false) => Fitness::Single(f64::INFINITY),
        (false, true) => Fitness::Single(f64::NEG_INFINITY),
        (true, false) => Fitness::Pareto(vec![f64::MAX; n_obj]),
        (true, true) => Fitness::Pareto(vec![f64::MIN; n_obj]),
    };
    // The CSV of evaluations: one row per evaluated candidate, appended as they come.
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let fitness_cols = if n_obj == 1 {
        "fitness".to_owned()
    } else {
        obj.fitness
            .iter()
            .map(|(e, _)| quote(e))
            .collect::<Vec<_>>()
            .join(",")
    };
    let param_cols = obj
        .parameters
        .iter()
        .map(|p| quote(&p.text))
        .collect::<Vec<_>>()
        .join(",");
    let header = format!("evaluation,{param_cols},{fitness_cols},status\n");
    let mut done_evals = 0u64;
    let resume = opts.resume && {
        let exists = checkpoint.exists();
        if !exists {
            // Killed before its first checkpoint: nothing to continue, nothing lost.
            writeln!(
                log,
                "no checkpoint in {}: starting a new run",
                out.display()
            )
            .map_err(io)?;
        }
        exists
    };
    // What a checkpoint belongs to: a resumed run must search the same space with the
    // same algorithm and objectives (budgets and the model's other settings may
    // change).
    let identity = {
        let alg = obj.raw.get("algorithm");
        let part = |k: &str| alg.and_then(|a| a.get(k)).cloned().unwrap_or(Value::Null);
        serde_json::json!({
            "algorithm": label,
            "selector": part("selector"),
            "variators": part("variators"),
            "replacer": part("replacer"),
            "topology": part("topology"),
            "parameters": obj.parameters.iter().map(|p| serde_json::json!([p.text, p.low, p.high])).collect::<Vec<_>>(),
            "fitness": obj.fitness.iter().map(|(e, _)| e.clone()).collect::<Vec<_>>(),
            "maximize": maximize,
        })
    };
    let run_path = out.join("run.json");
    if resume && let Ok(text) = fs::read_to_string(&run_path) {
        let old: Value = serde_json::from_str(&text)
            .map_err(|e| format!("--resume: `{}`: {e}", run_path.display()))?;
        if let (Value::Object(was), Value::Object(now)) = (&old, &identity) {
            let differ: Vec<String> = now
                .iter()
                .filter(|(k, v)| was.get(*k) != Some(*v))
                .map(|(k, v)| {
                    format!(
                        "`{k}` was {} and is now {v}",
                        was.get(k).unwrap_or(&Value::Null)
                    )
                })
                .collect();
            if !differ.is_empty() {
                return Err(format!(
                    "--resume: the checkpoint in `{}` belongs to another run: {} (start a new run in another folder)",
                    out.display(),
                    differ.join("; ")
                ));
            }
        }
    }
    if !resume {
        write_atomic(
            &run_path,
            &serde_json::to_string_pretty(&identity).map_err(|e| e.to_string())?,
        )
        .map_err(io)?;
    }
    let resumed: Option<EcState> = if resume {
        let text = fs::read_to_string(&checkpoint)
            .map_err(|e| format!("--resume: reading `{}`: {e}", checkpoint.display()))?;
        let state = EcState::from_text(&text)
            .map_err(|e| format!("--resume: `{}`: {e}", checkpoint.display()))?;
        // Keep what the checkpoint holds: evaluations up to its count, generations up
        // to its generation.
        truncate_csv(&csv_path, &header, state.num_evaluations).map_err(io)?;
        done_evals = state.num_evaluations;
        writeln!(
            log,
            "resuming from {} (generation {}, {} evaluations)",
            checkpoint.display(),
            state.num_generations,
            state.num_evaluations
        )
        .map_err(io)?;
        Some(state)
    } else {
        write_atomic(&csv_path, &header).map_err(io)?;
        None
    };
    // inspyred's file observer (statistics and population per generation) and plot
    // observer; a resumed run keeps the generations its checkpoint holds.
    ec.observers = file_and_plot_observers(
        &stats_path,
        &pop_path,
        &plot_path,
        resumed.as_ref().map(|s| s.num_generations),
        &label,
        pareto,
    )?;
    let csv = Mutex::new(
        fs::OpenOptions::new()
            .append(true)
            .open(&csv_path)
            .map_err(io)?,
    );
    let counter = Mutex::new(done_evals);
    let failures = Mutex::new(Vec::<String>::new());
    // A progress bar over evaluations, only on a terminal.
    let bar = {
        use std::io::IsTerminal;
        std::io::stderr().is_terminal().then(|| {
            let b = indicatif::ProgressBar::new(args.max_evaluations.unwrap_or(0));
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} evaluations, {elapsed} elapsed, eta {eta}",
            ) {
                b.set_style(style);
            }
            b.set_position(done_evals);
            b
        })
    };
    let evaluate = |cands: &[Vec<f64>]| -> Vec<Option<Fitness>> {
        let plain: Vec<Vec<f64>> = cands.iter().map(|c| genes(c, strategy).to_vec()).collect();
        let outcomes = pool.evaluate(&obj, &catalogue, &plain);
        let mut fits = Vec::with_capacity(cands.len());
        for (c, outcome) in plain.iter().zip(outcomes) {
            let (fit, status) = match outcome {
                Outcome::Fitness(f) if f.len() == n_obj => {
                    let fit = if pareto {
                        Fitness::Pareto(f)
                    } else {
                        Fitness::Single(f[0])
                    };
                    (fit, "ok".to_owned())
                }
                Outcome::Fitness(f) => (
                    worst.clone(),
                    format!("failed: {} objectives, expected {n_obj}", f.len()),
                ),
                Outcome::Failed(why) => {
                    if let Ok(mut fl) = failures.lock() {
                        fl.push(format!("candidate {c:?}: {why}"));
                    }
                    (worst.clone(), format!("failed: {why}"))
                }
            };
            let k = counter.lock().map(|mut n| {
                *n += 1;
                *n
            });
            if let (Some(b), Ok(k)) = (&bar, &k) {
                b.set_position(*k);
            }
            if let (Ok(k), Ok(mut w)) = (k, csv.lock()) {
                let vals: Vec<String> = c.iter().map(|x| format!("{x}")).collect();
                let fv: Vec<String> = fit.values().iter().map(|x| format!("{x}")).collect();
                // A failed write must not end the run: the checkpoint still holds
                // everything needed to go on.
                let _ = writeln!(
                    w,
                    "{k},{},{},\"{}\"",
                    vals.join(","),
                    fv.join(","),
                    status.replace('"', "'")
                );
            }
            fits.push(Some(fit));
        }
        fits
    };
    let mut state = match resumed {
        Some(s) => s,
        None => {
            let mut ev = &evaluate;
            ec.initialize(
                |rng, _| {
                    let mut c: Vec<f64> = lows
                        .iter()
                        .zip(&highs)
                        .map(|(&l, &h)| rng.uniform(l, h))
                        .collect();
                    if strategy {
                        ranvier_evol::Es::add_strategy(rng, &mut c);
                    }
                    c
                },
                &mut ev,
                pop_size,
                &[],
                maximize,
                &bounder,
                &args,
            )
            .map_err(|e| format!("{name}: {e}"))?
        }
    };
    let mut header_printed = false;
    let mut report = |state: &EcState, log: &mut dyn Write| -> Result<(), String> {
        report_generation(state, pareto, n_obj, !header_printed, log).map_err(io)?;
        header_printed = true;
        Ok(())
    };
    write_atomic(&checkpoint, &state.to_text()).map_err(io)?;
    report(&state, log)?;
    let mut ev = &evaluate;
    while !ec
        .should_terminate(&mut state, &bounder, &args)
        .map_err(|e| format!("{name}: {e}"))?
    {
        ec.step(&mut state, &mut ev, &bounder, &args)
            .map_err(|e| format!("{name}: {e}"))?;
        write_atomic(&checkpoint, &state.to_text()).map_err(io)?;
        report(&state, log)?;
    }
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    for f in failures.lock().map(|f| f.clone()).unwrap_or_default() {
        writeln!(log, "note: {f}").map_err(io)?;
    }
    let mut files = vec![
        checkpoint, run_path, csv_path, stats_path, pop_path, plot_path,
    ];
    // The best candidate: of population and archive (the PSO's personal bests live in
    // the archive); for several objectives, the knee of the non-dominated archive.
    let mut pareto_set = Vec::new();
    let best: Individual = if pareto {
        let front: Vec<Individual> = if state.archive.is_empty() {
            state.population.clone()
        } else {
            state.archive.clone()
        };
        let mut rows: Vec<&Individual> = front.iter().collect();
        rows.sort_by(|a, b| {
            a.fitness.values()[0]
                .total_cmp(&b.fitness.values()[0])
                .then(a.birthdate.cmp(&b.birthdate))
        });
        let mut text = format!("{param_cols},{fitness_cols}\n");
        for ind in &rows {
            let vals: Vec<String> = genes(&ind.candidate, strategy)
                .iter()
                .chain(ind.fitness.values())
                .map(|x| format!("{x}"))
                .collect();
            text.push_str(&vals.join(","));
            text.push('\n');
            pareto_set.push((
                genes(&ind.candidate, strategy).to_vec(),
                ind.fitness.values().to_vec(),
            ));
        }
        let path = out.join("pareto.csv");
        write_atomic(&path, &text).map_err(io)?;
        files.push(path);
        writeln!(
            log,
            "{} non-dominated candidates (pareto.csv); the best network is the front's knee",
            rows.len()
        )
        .map_err(io)?;
        knee(&front, maximize)
            .ok_or_else(|| format!("{name}: the final population is empty"))?
            .clone()
    } else {
        let pool: Vec<Individual> = state
            .population
            .iter()
            .chain(&state.archive)
            .cloned()
            .collect();
        ranvier_evol::individual::best_index(&pool)
            .map(|i| pool[i].clone())
            .ok_or_else(|| format!("{name}: the final population is empty"))?
    };
    let best_genes = genes(&best.candidate, strategy).to_vec();
    let best_objectives = best.fitness.values().to_vec();
    let best_fitness = best_objectives.first().copied().unwrap_or(f64::NAN);
    writeln!(
        log,
        "best: {} -> fitness {}",
        obj.parameters
            .iter()
            .zip(&best_genes)
            .map(|(p, x)| format!("{} = {x}", p.text))
            .collect::<Vec<_>>()
            .join(", "),
        if n_obj == 1 {
            format!("{best_fitness}")
        } else {
            format!("{best_objectives:?}")
        }
    )
    .map_err(io)?;
    let best_model = obj.model_for(&best_genes)?;
    let best_path = out.join("best_model.json");
    write_atomic(
        &best_path,
        &serde_json::to_string_pretty(&best_model).map_err(|e| e.to_string())?,
    )
    .map_err(io)?;
    files.push(best_path.clone());
    if !opts.skip_best_run {
        let run_opts = crate::run::RunOptions {
            model: best_path,
            out: Some(out.clone()),
            threads: 0,
            ..crate::run::RunOptions::default()
        };
        files.extend(crate::run::run(&run_opts, log)?);
    }
    Ok(OptimizeResult {
        best_candidate: best_genes,
        best_fitness,
        best_objectives,
        pareto: pareto_set,
        evaluations: state.num_evaluations,
        generations: state.num_generations,
        files,
    })
}

/// Print one generation: inspyred's stats columns for one objective; for several,
/// the size of the non-dominated archive and the best value of each objective in it.
fn report_generation(
    state: &EcState,
    pareto: bool,
    n_obj: usize,
    header: bool,
    log: &mut dyn Write,
) -> std::io::Result<()> {
    let f = |x: f64| format!("{x:<10.5}");
    if !pareto {
        if header {
            writeln!(
                log,
                "Generation Evaluation Worst      Best       Median     Average    Std Dev"
            )?;
            writeln!(
                log,
                "---------- ---------- ---------- ---------- ---------- ---------- ----------"
            )?;
        }
        let Some(s) = FitnessStats::of(&state.population) else {
            return Ok(());
        };
        return writeln!(
            log,
            "{:<10} {:<10} {} {} {} {} {}",
            state.num_generations,
            state.num_evaluations,
            f(s.worst.as_single().unwrap_or(f64::NAN)),
            f(s.best.as_single().unwrap_or(f64::NAN)),
            f(s.median),
            f(s.mean),
            f(s.std)
        );
    }
    if header {
        let objs: Vec<String> = (1..=n_obj).map(|j| format!("Best f{j:<7}")).collect();
        writeln!(log, "Generation Evaluation Front      {}", objs.join(" "))?;
        writeln!(
            log,
            "---------- ---------- ---------- {}",
            vec!["----------"; n_obj].join(" ")
        )?;
    }
    let front = if state.archive.is_empty() {
        &state.population
    } else {
        &state.archive
    };
    let best: Vec<String> = (0..n_obj)
        .map(|j| {
            let vals = front.iter().filter_map(|i| i.fitness.values().get(j));
            let b = if state.maximize {
                vals.fold(f64::NEG_INFINITY, |a, &x| a.max(x))
            } else {
                vals.fold(f64::INFINITY, |a, &x| a.min(x))
            };
            f(b)
        })
        .collect();
    writeln!(
        log,
        "{:<10} {:<10} {:<10} {}",
        state.num_generations,
        state.num_evaluations,
        front.len(),
        best.join(" ")
    )
}
