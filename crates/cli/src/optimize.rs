//! `ranvier optimize OPT.json`: evolve network parameters with `ranvier_evol`, every
//! candidate built and simulated in Rust ([`crate::objective`]), evaluated on all cores,
//! checkpointed after every generation (`--resume` continues), with inspyred's stats
//! columns per generation, a CSV of every individual, and the best candidate's network
//! re-run with its raster.
//!
//! The file's `"algorithm"` names the components (inspyred's function names):
//! `"selector"` (`tournament`, `rank`, `truncation`, `uniform`, `fitness_proportionate`,
//! `default`), `"variators"` (`uniform_crossover`, `n_point_crossover`,
//! `blend_crossover`, `arithmetic_crossover`, `heuristic_crossover`,
//! `simulated_binary_crossover`, `laplace_crossover`, `gaussian_mutation`,
//! `nonuniform_mutation`, `random_reset_mutation`), `"replacer"` (`generational`,
//! `plus`, `comma`, `steady_state`, `truncation`, `random`, `crowding`,
//! `simulated_annealing`, `default`), `pop_size`, `max_evaluations`,
//! `max_generations`, `seed`, and inspyred's arguments `num_selected`,
//! `tournament_size`, `crossover_rate`, `ux_bias`, `mutation_rate`, `gaussian_mean`,
//! `gaussian_stdev`, `num_elites`. The default is the tutorial's: tournament
//! selection, uniform crossover + gaussian mutation, generational replacement.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ranvier_evol::{
    Args, Bounder, EcState, EvolutionaryComputation, Fitness, Replacer, Selector, StatsObserver,
    Terminator, Variator, replacers as rep, selectors as sel, terminators as term,
    variators as var,
};
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

/// What a finished run gives.
#[derive(Clone, Debug)]
pub struct OptimizeResult {
    pub best_candidate: Vec<f64>,
    pub best_fitness: f64,
    pub evaluations: u64,
    pub generations: u64,
    /// Files written.
    pub files: Vec<PathBuf>,
}

const KNOWN: &[&str] = &[
    "name",
    "selector",
    "variators",
    "replacer",
    "pop_size",
    "max_evaluations",
    "max_generations",
    "seed",
    "num_selected",
    "tournament_size",
    "crossover_rate",
    "ux_bias",
    "mutation_rate",
    "gaussian_mean",
    "gaussian_stdev",
    "num_elites",
];

fn selector(name: &str) -> Result<Box<dyn Selector>, String> {
    Ok(match name {
        "tournament" | "tournament_selection" => Box::new(sel::TournamentSelection),
        "rank" | "rank_selection" => Box::new(sel::RankSelection),
        "truncation" | "truncation_selection" => Box::new(sel::TruncationSelection),
        "uniform" | "uniform_selection" => Box::new(sel::UniformSelection),
        "fitness_proportionate" | "fitness_proportionate_selection" => {
            Box::new(sel::FitnessProportionateSelection)
        }
        "default" | "default_selection" => Box::new(sel::DefaultSelection),
        _ => return Err(format!("unknown selector `{name}`")),
    })
}

fn variator(name: &str) -> Result<Box<dyn Variator>, String> {
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
        "random_reset_mutation" => Box::new(var::RandomResetMutation),
        _ => return Err(format!("unknown variator `{name}`")),
    })
}

fn replacer(name: &str) -> Result<Box<dyn Replacer>, String> {
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
        "default" | "default_replacement" => Box::new(rep::DefaultReplacement),
        _ => return Err(format!("unknown replacer `{name}`")),
    })
}

/// The evolutionary computation, its arguments and population size from the file.
fn build(alg: &Value, name: &str) -> Result<(EvolutionaryComputation, Args, usize), String> {
    let empty = serde_json::Map::new();
    let m = match alg {
        Value::Null => &empty,
        Value::Object(m) => m,
        _ => return Err(format!("{name}: `algorithm` must be an object")),
    };
    for k in m.keys() {
        if !KNOWN.contains(&k.as_str()) {
            return Err(format!(
                "{name}: algorithm: unknown setting `{k}` (known: {})",
                KNOWN.join(", ")
            ));
        }
    }
    let num = |k: &str| -> Result<Option<f64>, String> {
        match m.get(k) {
            None => Ok(None),
            Some(v) => v
                .as_f64()
                .map(Some)
                .ok_or_else(|| format!("{name}: algorithm.{k} must be a number")),
        }
    };
    let s =
        |k: &str, d: &str| -> String { m.get(k).and_then(Value::as_str).unwrap_or(d).to_owned() };
    if let Some(n) = m.get("name").and_then(Value::as_str)
        && !matches!(n, "GA" | "EC" | "ga" | "ec")
    {
        return Err(format!(
            "{name}: algorithm `{n}` is not available in `ranvier optimize` yet (use \"GA\" and name the components)"
        ));
    }
    let mut ec = EvolutionaryComputation::new(num("seed")?.unwrap_or(1.0) as u64);
    ec.selector = selector(&s("selector", "tournament")).map_err(|e| format!("{name}: {e}"))?;
    ec.variators = match m.get("variators") {
        None => vec![
            Box::new(var::UniformCrossover),
            Box::new(var::GaussianMutation),
        ],
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str()
                    .ok_or_else(|| format!("{name}: algorithm.variators must be names"))
                    .and_then(|n| variator(n).map_err(|e| format!("{name}: {e}")))
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(format!(
                "{name}: algorithm.variators must be a list of names"
            ));
        }
    };
    ec.replacer = replacer(&s("replacer", "generational")).map_err(|e| format!("{name}: {e}"))?;
    let pop_size = num("pop_size")?.unwrap_or(10.0) as usize;
    let mut args = Args {
        max_evaluations: num("max_evaluations")?.map(|x| x as u64),
        max_generations: num("max_generations")?.map(|x| x as u64),
        num_selected: Some(num("num_selected")?.map_or(pop_size, |x| x as usize)),
        ..Args::default()
    };
    if let Some(x) = num("tournament_size")? {
        args.tournament_size = x as usize;
    }
    if let Some(x) = num("crossover_rate")? {
        args.crossover_rate = x;
    }
    if let Some(x) = num("ux_bias")? {
        args.ux_bias = x;
    }
    if let Some(x) = num("mutation_rate")? {
        args.mutation_rate = x;
    }
    if let Some(x) = num("gaussian_mean")? {
        args.gaussian_mean = x;
    }
    if let Some(x) = num("gaussian_stdev")? {
        args.gaussian_stdev = x;
    }
    if let Some(x) = num("num_elites")? {
        args.num_elites = x as usize;
    }
    let mut terminators: Vec<Box<dyn Terminator>> = Vec::new();
    if args.max_evaluations.is_some() {
        terminators.push(Box::new(term::EvaluationTermination));
    }
    if args.max_generations.is_some() {
        terminators.push(Box::new(term::GenerationTermination));
    }
    if terminators.is_empty() {
        return Err(format!(
            "{name}: algorithm needs `max_evaluations` or `max_generations`"
        ));
    }
    ec.terminators = terminators;
    Ok((ec, args, pop_size))
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

/// Run an optimisation.
pub fn optimize(opts: &OptimizeOptions, log: &mut dyn Write) -> Result<OptimizeResult, String> {
    let name = opts.file.display().to_string();
    let io = |e: std::io::Error| e.to_string();
    let mut catalogue = ranvier_builtins::catalogue();
    let obj = Objective::load(&opts.file, &mut catalogue, log)?;
    let maximize = obj
        .raw
        .get("maximize")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if obj.fitness.len() != 1 {
        return Err(format!(
            "{name}: {} fitness expressions: multi-objective optimisation (NSGA-II) is not available yet",
            obj.fitness.len()
        ));
    }
    let (mut ec, args, pop_size) = build(obj.raw.get("algorithm").unwrap_or(&Value::Null), &name)?;
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
    let bounder = Bounder::new(
        obj.parameters.iter().map(|p| p.low).collect(),
        obj.parameters.iter().map(|p| p.high).collect(),
    );
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    } else {
        opts.threads
    };
    let worst = if maximize {
        f64::NEG_INFINITY
    } else {
        f64::INFINITY
    };
    // The CSV: one row per evaluated candidate, appended as they come.
    let header = format!(
        "evaluation,{},fitness,status\n",
        obj.parameters
            .iter()
            .map(|p| format!("\"{}\"", p.text.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(",")
    );
    let mut done_evals = 0u64;
    let resumed: Option<EcState> = if opts.resume {
        let text = fs::read_to_string(&checkpoint)
            .map_err(|e| format!("--resume: reading `{}`: {e}", checkpoint.display()))?;
        let state = EcState::from_text(&text)
            .map_err(|e| format!("--resume: `{}`: {e}", checkpoint.display()))?;
        // Keep the CSV rows of the evaluations the checkpoint holds.
        let old = fs::read_to_string(&csv_path).unwrap_or_default();
        let mut kept = String::from(&header);
        for line in old.lines().skip(1) {
            if line
                .split(',')
                .next()
                .and_then(|e| e.parse::<u64>().ok())
                .is_some_and(|e| e <= state.num_evaluations)
            {
                kept.push_str(line);
                kept.push('\n');
            }
        }
        write_atomic(&csv_path, &kept).map_err(io)?;
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
    // Evaluate a batch on `threads` threads; the result of a candidate does not depend on
    // which thread ran it.
    let evaluate = |cands: &[Vec<f64>]| -> Vec<Option<Fitness>> {
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
                        let o = obj.evaluate(&cands[i], &catalogue);
                        if let Ok(mut slot) = results[i].lock() {
                            *slot = Some(o);
                        }
                    }
                });
            }
        });
        let mut fits = Vec::with_capacity(cands.len());
        for (c, r) in cands.iter().zip(results) {
            let outcome = r
                .into_inner()
                .ok()
                .flatten()
                .unwrap_or(Outcome::Failed("no result".into()));
            let (f, status) = match &outcome {
                Outcome::Fitness(f) => (f[0], "ok".to_owned()),
                Outcome::Failed(why) => (worst, format!("failed: {why}")),
            };
            if let Outcome::Failed(why) = &outcome
                && let Ok(mut fl) = failures.lock()
            {
                fl.push(format!("candidate {c:?}: {why}"));
            }
            let k = counter.lock().map(|mut n| {
                *n += 1;
                *n
            });
            if let (Some(b), Ok(k)) = (&bar, &k) {
                b.set_position(*k);
            }
            if let (Ok(k), Ok(mut w)) = (k, csv.lock()) {
                let vals: Vec<String> = c.iter().map(|x| format!("{x}")).collect();
                let _ = writeln!(
                    w,
                    "{k},{},{f},\"{}\"",
                    vals.join(","),
                    status.replace('"', "'")
                );
            }
            fits.push(Some(Fitness::Single(f)));
        }
        fits
    };
    let stats = StatsObserver::new();
    let stats_log = stats.log();
    ec.observers = vec![Box::new(stats)];
    let mut state = match resumed {
        Some(s) => s,
        None => {
            let mut ev = &evaluate;
            let lows: Vec<f64> = obj.parameters.iter().map(|p| p.low).collect();
            let highs: Vec<f64> = obj.parameters.iter().map(|p| p.high).collect();
            ec.initialize(
                |rng, _| {
                    lows.iter()
                        .zip(&highs)
                        .map(|(&l, &h)| rng.uniform(l, h))
                        .collect()
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
    let mut printed = 0usize;
    let mut report = |log: &mut dyn Write| -> Result<(), String> {
        let rows = stats_log.lock().map(|r| r.clone()).unwrap_or_default();
        for r in rows.iter().skip(printed) {
            if printed == 0 {
                writeln!(
                    log,
                    "Generation Evaluation Worst      Best       Median     Average    Std Dev"
                )
                .map_err(io)?;
                writeln!(
                    log,
                    "---------- ---------- ---------- ---------- ---------- ---------- ----------"
                )
                .map_err(io)?;
            }
            let f = |x: f64| format!("{x:<10.5}");
            writeln!(
                log,
                "{:<10} {:<10} {} {} {} {} {}",
                r.generation,
                r.evaluations,
                f(r.stats.worst.as_single().unwrap_or(f64::NAN)),
                f(r.stats.best.as_single().unwrap_or(f64::NAN)),
                f(r.stats.median),
                f(r.stats.mean),
                f(r.stats.std)
            )
            .map_err(io)?;
            printed += 1;
        }
        Ok(())
    };
    write_atomic(&checkpoint, &state.to_text()).map_err(io)?;
    report(log)?;
    let mut ev = &evaluate;
    while !ec
        .should_terminate(&mut state, &bounder, &args)
        .map_err(|e| format!("{name}: {e}"))?
    {
        ec.step(&mut state, &mut ev, &bounder, &args)
            .map_err(|e| format!("{name}: {e}"))?;
        write_atomic(&checkpoint, &state.to_text()).map_err(io)?;
        report(log)?;
    }
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    // inspyred's plot_observer: best, median, average and worst per generation.
    let rows: Vec<ranvier_analysis::FitnessRow> = stats_log
        .lock()
        .map(|r| {
            r.iter()
                .map(|r| ranvier_analysis::FitnessRow {
                    generation: r.generation as f64,
                    best: r.stats.best.as_single().unwrap_or(f64::NAN),
                    median: r.stats.median,
                    average: r.stats.mean,
                    worst: r.stats.worst.as_single().unwrap_or(f64::NAN),
                })
                .collect()
        })
        .unwrap_or_default();
    let plot_path = out.join("fitness.png");
    ranvier_analysis::fitness_png("Fitness per generation", &rows, &plot_path)
        .map_err(|e| format!("{}: {e}", plot_path.display()))?;
    for f in failures.lock().map(|f| f.clone()).unwrap_or_default() {
        writeln!(log, "note: {f}").map_err(io)?;
    }
    let best = state
        .best()
        .ok_or_else(|| format!("{name}: the final population is empty"))?
        .clone();
    let best_fitness = best.fitness.as_single().unwrap_or(f64::NAN);
    writeln!(
        log,
        "best: {} -> fitness {best_fitness}",
        obj.parameters
            .iter()
            .zip(&best.candidate)
            .map(|(p, x)| format!("{} = {x}", p.text))
            .collect::<Vec<_>>()
            .join(", ")
    )
    .map_err(io)?;
    let mut files = vec![checkpoint, csv_path, plot_path];
    let best_model = obj.model_for(&best.candidate)?;
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
        best_candidate: best.candidate.clone(),
        best_fitness,
        evaluations: state.num_evaluations,
        generations: state.num_generations,
        files,
    })
}
