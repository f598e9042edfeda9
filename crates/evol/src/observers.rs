//! Reporting (inspyred's `observers` module and `analysis.fitness_statistics`).
//!
//! Observers run after the initial population is built and after every
//! generation. They never print on their own: reports go to the
//! [`std::io::Write`] sink they were given (for example `std::io::stdout()`),
//! and [`StatsObserver`] also records its rows for programmatic use. File and
//! plot observers are not provided yet.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use crate::args::Args;
use crate::error::EcError;
use crate::individual::{Fitness, Individual, py_repr, sort_best_first};

/// What an observer sees.
#[derive(Clone, Copy, Debug)]
pub struct Observation<'a> {
    /// The current population (EC order).
    pub population: &'a [Individual],
    /// The current archive.
    pub archive: &'a [Individual],
    /// Generations completed.
    pub num_generations: u64,
    /// Evaluations made.
    pub num_evaluations: u64,
    /// The run's arguments.
    pub args: &'a Args,
}

/// Watches the evolution.
pub trait Observer: Send {
    /// inspyred's function name.
    fn name(&self) -> &'static str;

    /// Called with the state after initialisation and after each generation.
    ///
    /// # Errors
    /// When the report cannot be written.
    fn observe(&mut self, obs: &Observation<'_>) -> Result<(), EcError>;
}

/// Does nothing (`default_observer`).
#[derive(Clone, Copy, Debug, Default)]
pub struct DefaultObserver;

impl Observer for DefaultObserver {
    fn name(&self) -> &'static str {
        "default_observer"
    }

    fn observe(&mut self, _obs: &Observation<'_>) -> Result<(), EcError> {
        Ok(())
    }
}

/// Fitness statistics of a population (`analysis.fitness_statistics`).
///
/// `best`/`worst` follow the individuals' direction; `median`, `mean` and
/// `std` are numpy's (`std` with `ddof = 0`) over the raw scalar fitness
/// values, NaN for Pareto fitness.
#[derive(Clone, Debug, PartialEq)]
pub struct FitnessStats {
    /// Best fitness.
    pub best: Fitness,
    /// Worst fitness.
    pub worst: Fitness,
    /// Median fitness.
    pub median: f64,
    /// Mean fitness.
    pub mean: f64,
    /// Population standard deviation of the fitness.
    pub std: f64,
}

impl FitnessStats {
    /// Statistics of `population`, `None` when it is empty.
    #[must_use]
    pub fn of(population: &[Individual]) -> Option<Self> {
        let mut pop = population.to_vec();
        sort_best_first(&mut pop);
        let best = pop.first()?.fitness.clone();
        let worst = pop.last()?.fitness.clone();
        let vals: Option<Vec<f64>> = pop.iter().map(|p| p.fitness.as_single()).collect();
        let (median, mean, std) = match vals {
            Some(mut v) => {
                let n = v.len() as f64;
                let mean = v.iter().sum::<f64>() / n;
                let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
                v.sort_by(f64::total_cmp);
                let k = v.len();
                let median = if k % 2 == 1 {
                    v[k / 2]
                } else {
                    (v[k / 2 - 1] + v[k / 2]) / 2.0
                };
                (median, mean, var.sqrt())
            }
            None => (f64::NAN, f64::NAN, f64::NAN),
        };
        Some(Self {
            best,
            worst,
            median,
            mean,
            std,
        })
    }
}

/// One line of [`StatsObserver`]'s table.
#[derive(Clone, Debug, PartialEq)]
pub struct StatsRow {
    /// Generations completed.
    pub generation: u64,
    /// Evaluations made.
    pub evaluations: u64,
    /// The population's statistics.
    pub stats: FitnessStats,
}

/// inspyred's `'{0:>10}'.format(value)[:10]`: right-aligned in 10 columns,
/// cut to 10 characters.
fn col10(s: &str) -> String {
    format!("{s:>10}").chars().take(10).collect()
}

impl StatsRow {
    /// The three lines `stats_observer` prints (header, rule, values) plus the
    /// blank line after them.
    #[must_use]
    pub fn report(&self) -> String {
        let s = &self.stats;
        format!(
            "Generation Evaluation      Worst       Best     Median    Average    Std Dev\n\
             ---------- ---------- ---------- ---------- ---------- ---------- ----------\n\
             {:>10} {:>10} {} {} {} {} {}\n\n",
            self.generation,
            self.evaluations,
            col10(&s.worst.to_string()),
            col10(&s.best.to_string()),
            col10(&py_repr(s.median)),
            col10(&py_repr(s.mean)),
            col10(&py_repr(s.std)),
        )
    }
}

/// Shared handle on the rows a [`StatsObserver`] has recorded.
pub type StatsLog = Arc<Mutex<Vec<StatsRow>>>;

/// Per-generation statistics: Gen, Eval, Worst, Best, Median, Average, Std Dev
/// (`stats_observer`). Rows are recorded in [`StatsObserver::log`] and, with a
/// sink, written in inspyred's layout.
pub struct StatsObserver {
    sink: Option<Box<dyn Write + Send>>,
    log: StatsLog,
}

impl std::fmt::Debug for StatsObserver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StatsObserver")
            .field("sink", &self.sink.is_some())
            .finish_non_exhaustive()
    }
}

impl StatsObserver {
    /// Record rows only.
    #[must_use]
    pub fn new() -> Self {
        Self {
            sink: None,
            log: StatsLog::default(),
        }
    }

    /// Record rows and write each report to `sink`.
    #[must_use]
    pub fn with_sink(sink: Box<dyn Write + Send>) -> Self {
        Self {
            sink: Some(sink),
            log: StatsLog::default(),
        }
    }

    /// Handle on the recorded rows (clone it before boxing the observer).
    #[must_use]
    pub fn log(&self) -> StatsLog {
        Arc::clone(&self.log)
    }
}

impl Default for StatsObserver {
    fn default() -> Self {
        Self::new()
    }
}

impl Observer for StatsObserver {
    fn name(&self) -> &'static str {
        "stats_observer"
    }

    fn observe(&mut self, obs: &Observation<'_>) -> Result<(), EcError> {
        let stats = FitnessStats::of(obs.population).ok_or(EcError::EmptyPopulation {
            component: "stats_observer",
        })?;
        let row = StatsRow {
            generation: obs.num_generations,
            evaluations: obs.num_evaluations,
            stats,
        };
        if let Some(sink) = &mut self.sink {
            sink.write_all(row.report().as_bytes())
                .map_err(|source| EcError::Io {
                    component: "stats_observer",
                    source,
                })?;
        }
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(row);
        Ok(())
    }
}

/// Writes `Best Individual: <individual>` and a blank line (`best_observer`).
pub struct BestObserver {
    sink: Box<dyn Write + Send>,
}

impl BestObserver {
    /// Report to `sink`.
    #[must_use]
    pub fn new(sink: Box<dyn Write + Send>) -> Self {
        Self { sink }
    }
}

impl Observer for BestObserver {
    fn name(&self) -> &'static str {
        "best_observer"
    }

    fn observe(&mut self, obs: &Observation<'_>) -> Result<(), EcError> {
        let b = crate::individual::best_index(obs.population).ok_or(EcError::EmptyPopulation {
            component: "best_observer",
        })?;
        writeln!(self.sink, "Best Individual: {}\n", obs.population[b]).map_err(|source| {
            EcError::Io {
                component: "best_observer",
                source,
            }
        })
    }
}

/// Writes the population, best first, between rules (`population_observer`).
pub struct PopulationObserver {
    sink: Box<dyn Write + Send>,
}

impl PopulationObserver {
    /// Report to `sink`.
    #[must_use]
    pub fn new(sink: Box<dyn Write + Send>) -> Self {
        Self { sink }
    }
}

const RULE: &str = "----------------------------------------------------------------------------";

impl Observer for PopulationObserver {
    fn name(&self) -> &'static str {
        "population_observer"
    }

    fn observe(&mut self, obs: &Observation<'_>) -> Result<(), EcError> {
        let mut pop = obs.population.to_vec();
        sort_best_first(&mut pop);
        let mut text = format!("{RULE}\n                            Current Population\n{RULE}\n");
        for ind in &pop {
            text.push_str(&ind.to_string());
            text.push('\n');
        }
        text.push_str(RULE);
        text.push('\n');
        self.sink
            .write_all(text.as_bytes())
            .map_err(|source| EcError::Io {
                component: "population_observer",
                source,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::pop_of;

    /// A `Write` sink whose contents the test can read afterwards.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn obs<'a>(pop: &'a [Individual], args: &'a Args) -> Observation<'a> {
        Observation {
            population: pop,
            archive: &[],
            num_generations: 3,
            num_evaluations: 40,
            args,
        }
    }

    #[test]
    fn stats_match_numpy() {
        let pop = pop_of(&[1.0, 4.0, 2.0, 3.0], false);
        let s = FitnessStats::of(&pop).unwrap();
        assert_eq!(s.best, Fitness::Single(1.0));
        assert_eq!(s.worst, Fitness::Single(4.0));
        assert_eq!(s.median, 2.5);
        assert_eq!(s.mean, 2.5);
        assert!((s.std - 1.25f64.sqrt()).abs() < 1e-15);
    }

    #[test]
    fn stats_report_layout() {
        let sink = Shared::default();
        let mut o = StatsObserver::with_sink(Box::new(sink.clone()));
        let log = o.log();
        let pop = pop_of(&[1.0, 4.0, 2.0, 3.0], true);
        let args = Args::default();
        o.observe(&obs(&pop, &args)).unwrap();
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        let expected = "Generation Evaluation      Worst       Best     Median    Average    Std Dev\n\
            ---------- ---------- ---------- ---------- ---------- ---------- ----------\n         \
            3         40        1.0        4.0        2.5        2.5 1.11803398\n\n";
        assert_eq!(text, expected);
        assert_eq!(log.lock().unwrap().len(), 1);
    }

    #[test]
    fn best_and_population_reports() {
        let sink = Shared::default();
        let pop = pop_of(&[1.0, 4.0], true);
        let args = Args::default();
        BestObserver::new(Box::new(sink.clone()))
            .observe(&obs(&pop, &args))
            .unwrap();
        PopulationObserver::new(Box::new(sink.clone()))
            .observe(&obs(&pop, &args))
            .unwrap();
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        assert!(text.starts_with("Best Individual: [4.0] : 4.0\n\n"));
        assert!(text.contains("Current Population\n"));
        assert!(text.find("[4.0] : 4.0\n[1.0]").is_some());
    }
}
