//! Reporting (inspyred's `observers` module and `analysis.fitness_statistics`).
//!
//! Observers run after the initial population is built and after every
//! generation. They never print on their own: reports go to the
//! [`std::io::Write`] sink they were given (for example `std::io::stdout()`),
//! and [`StatsObserver`] also records its rows for programmatic use.
//!
//! [`FileObserver`] (`file_observer`) writes inspyred's statistics and
//! individuals files, flushed after every observation; [`read_statistics`]
//! reads a statistics file back (to rebuild a resumed run's history).
//! [`ArchiveObserver`] (`archive_observer`) reports the archive.
//! `plot_observer` needs a plotting library and lives in `ranvier-analysis`
//! (`PlotObserver`); the e-mail observer is not ported.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use crate::args::Args;
use crate::error::EcError;
use crate::individual::{Fitness, Individual, py_list, py_repr, sort_best_first};

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

/// Writes the archive's size and every archived individual between rules
/// (`archive_observer`). The archive is reported in its stored order.
pub struct ArchiveObserver {
    sink: Box<dyn Write + Send>,
}

impl ArchiveObserver {
    /// Report to `sink`.
    #[must_use]
    pub fn new(sink: Box<dyn Write + Send>) -> Self {
        Self { sink }
    }
}

impl Observer for ArchiveObserver {
    fn name(&self) -> &'static str {
        "archive_observer"
    }

    fn observe(&mut self, obs: &Observation<'_>) -> Result<(), EcError> {
        let mut text = format!(
            "{RULE}\n                         Archive ({:>5} individuals)\n{RULE}\n",
            obs.archive.len()
        );
        for ind in obs.archive {
            text.push_str(&ind.to_string());
            text.push('\n');
        }
        text.push_str(RULE);
        text.push('\n');
        self.sink
            .write_all(text.as_bytes())
            .map_err(|source| EcError::Io {
                component: "archive_observer",
                source,
            })
    }
}

/// One line of a [`FileObserver`] statistics file:
/// `generation, population size, worst, best, median, average, std dev`.
///
/// `worst` and `best` are fitness values as written (`2.5`, or `[1.0, 2.0]`
/// for a Pareto fitness); `median`, `average` and `std` are NaN for Pareto
/// fitness (see [`FitnessStats`]).
#[derive(Clone, Debug, PartialEq)]
pub struct StatisticsRecord {
    /// Generations completed.
    pub generation: u64,
    /// Number of individuals in the population.
    pub population_size: usize,
    /// Worst fitness.
    pub worst: Fitness,
    /// Best fitness.
    pub best: Fitness,
    /// Median fitness.
    pub median: f64,
    /// Mean fitness.
    pub average: f64,
    /// Population standard deviation of the fitness.
    pub std: f64,
}

impl StatisticsRecord {
    /// The record of a population's statistics.
    #[must_use]
    pub fn new(generation: u64, population_size: usize, stats: FitnessStats) -> Self {
        Self {
            generation,
            population_size,
            worst: stats.worst,
            best: stats.best,
            median: stats.median,
            average: stats.mean,
            std: stats.std,
        }
    }

    /// The line `file_observer` writes, without the newline: Python's
    /// `'{0}, {1}, {2}, {3}, {4}, {5}, {6}'` with `str()` of every value.
    #[must_use]
    pub fn line(&self) -> String {
        format!(
            "{}, {}, {}, {}, {}, {}, {}",
            self.generation,
            self.population_size,
            self.worst,
            self.best,
            py_repr(self.median),
            py_repr(self.average),
            py_repr(self.std),
        )
    }
}

/// A statistics file that could not be read back.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("statistics file line {line}: {message}")]
pub struct StatisticsParseError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

/// Splits a line at the commas outside brackets and trims the fields.
fn split_fields(line: &str) -> Vec<&str> {
    let mut fields = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in line.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                fields.push(line[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    fields.push(line[start..].trim());
    fields
}

fn parse_float(field: &str) -> Result<f64, String> {
    field
        .parse::<f64>()
        .map_err(|_| format!("`{field}` is not a number"))
}

/// A fitness as `str()` writes it: `2.5` or `[1.0, 2.0]`.
fn parse_fitness(field: &str) -> Result<Fitness, String> {
    match field.strip_prefix('[') {
        Some(rest) => {
            let inner = rest
                .strip_suffix(']')
                .ok_or_else(|| format!("`{field}` lacks its closing `]`"))?;
            if inner.trim().is_empty() {
                return Ok(Fitness::Pareto(Vec::new()));
            }
            inner
                .split(',')
                .map(|v| parse_float(v.trim()))
                .collect::<Result<Vec<f64>, String>>()
                .map(Fitness::Pareto)
        }
        None => parse_float(field).map(Fitness::Single),
    }
}

fn parse_record(line: &str) -> Result<StatisticsRecord, String> {
    let fields = split_fields(line);
    let [generation, size, worst, best, median, average, std] = fields.as_slice() else {
        return Err(format!("expected 7 fields, found {}", fields.len()));
    };
    Ok(StatisticsRecord {
        generation: generation
            .parse()
            .map_err(|_| format!("generation `{generation}` is not a count"))?,
        population_size: size
            .parse()
            .map_err(|_| format!("population size `{size}` is not a count"))?,
        worst: parse_fitness(worst)?,
        best: parse_fitness(best)?,
        median: parse_float(median)?,
        average: parse_float(average)?,
        std: parse_float(std)?,
    })
}

/// Reads the text of a [`FileObserver`] statistics file (or inspyred's) back
/// into records, in file order. Blank lines are skipped. An unreadable last
/// line that does not end with a newline is ignored: it is what a crash in
/// the middle of a write leaves behind.
///
/// The records are returned as written; when a run was stopped after
/// observing a generation but before checkpointing it, a resumed run in
/// append mode observes that generation again, so callers rebuilding a
/// history should keep the last record of each generation (or drop the
/// records past the checkpoint's generation).
///
/// # Errors
/// The first line that is not a statistics record.
pub fn read_statistics(text: &str) -> Result<Vec<StatisticsRecord>, StatisticsParseError> {
    let complete = text.ends_with('\n');
    let lines: Vec<&str> = text.lines().collect();
    let mut records = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match parse_record(line) {
            Ok(r) => records.push(r),
            Err(_) if !complete && i + 1 == lines.len() => {}
            Err(message) => {
                return Err(StatisticsParseError {
                    line: i + 1,
                    message,
                });
            }
        }
    }
    Ok(records)
}

/// Writes the run to a statistics file and an individuals file
/// (`file_observer`), flushing both after every observation so that a crash
/// loses nothing already observed.
///
/// Every observation appends one statistics line
/// (`generation, population size, worst, best, median, average, std dev`,
/// see [`StatisticsRecord::line`]) and one individuals line per individual:
/// `generation, index, fitness, candidate`, with the candidate as Python's
/// `str()` of a list. As in inspyred, where `fitness_statistics` sorts the
/// observer's copy of the population in place, individuals are listed best
/// first and `index` is the rank in that order. A Pareto fitness is written
/// as a bracketed list (`[1.0, 2.0]`) and its median, average and standard
/// deviation as `nan`.
///
/// inspyred opens files named after the current time when none are given in
/// `args`; here the sinks or paths are given at construction.
pub struct FileObserver {
    statistics: Box<dyn Write + Send>,
    individuals: Box<dyn Write + Send>,
}

impl std::fmt::Debug for FileObserver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileObserver").finish_non_exhaustive()
    }
}

/// Opens `path` with `options`, naming the path in the error.
fn open_with(options: &OpenOptions, path: &Path) -> std::io::Result<BufWriter<File>> {
    options
        .open(path)
        .map(BufWriter::new)
        .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

impl FileObserver {
    /// Write to the given sinks.
    #[must_use]
    pub fn new(statistics: Box<dyn Write + Send>, individuals: Box<dyn Write + Send>) -> Self {
        Self {
            statistics,
            individuals,
        }
    }

    /// Create (or truncate) the two files.
    ///
    /// # Errors
    /// When a file cannot be created; the message names it.
    pub fn create(
        statistics_path: impl AsRef<Path>,
        individuals_path: impl AsRef<Path>,
    ) -> std::io::Result<Self> {
        let mut options = OpenOptions::new();
        options.write(true).create(true).truncate(true);
        Ok(Self::new(
            Box::new(open_with(&options, statistics_path.as_ref())?),
            Box::new(open_with(&options, individuals_path.as_ref())?),
        ))
    }

    /// Open the two files for appending, creating them when missing (for a
    /// resumed run; see [`read_statistics`] about a generation observed
    /// twice).
    ///
    /// # Errors
    /// When a file cannot be opened; the message names it.
    pub fn append(
        statistics_path: impl AsRef<Path>,
        individuals_path: impl AsRef<Path>,
    ) -> std::io::Result<Self> {
        let mut options = OpenOptions::new();
        options.append(true).create(true);
        Ok(Self::new(
            Box::new(open_with(&options, statistics_path.as_ref())?),
            Box::new(open_with(&options, individuals_path.as_ref())?),
        ))
    }
}

impl Observer for FileObserver {
    fn name(&self) -> &'static str {
        "file_observer"
    }

    fn observe(&mut self, obs: &Observation<'_>) -> Result<(), EcError> {
        let io = |source| EcError::Io {
            component: "file_observer",
            source,
        };
        let stats = FitnessStats::of(obs.population).ok_or(EcError::EmptyPopulation {
            component: "file_observer",
        })?;
        let g = obs.num_generations;
        let record = StatisticsRecord::new(g, obs.population.len(), stats);
        let mut pop = obs.population.to_vec();
        sort_best_first(&mut pop);
        let mut individuals = String::new();
        for (i, ind) in pop.iter().enumerate() {
            individuals.push_str(&format!(
                "{g}, {i}, {}, {}\n",
                ind.fitness,
                py_list(&ind.candidate)
            ));
        }
        self.statistics
            .write_all(format!("{}\n", record.line()).as_bytes())
            .map_err(io)?;
        self.individuals
            .write_all(individuals.as_bytes())
            .map_err(io)?;
        self.statistics.flush().map_err(io)?;
        self.individuals.flush().map_err(io)
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

    fn text_of(sink: &Shared) -> String {
        String::from_utf8(sink.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn file_observer_rows_single() {
        let (stats, inds) = (Shared::default(), Shared::default());
        let mut o = FileObserver::new(Box::new(stats.clone()), Box::new(inds.clone()));
        let pop = pop_of(&[1.0, 4.0, 2.0, 3.0], true);
        let args = Args::default();
        o.observe(&obs(&pop, &args)).unwrap();
        assert_eq!(
            text_of(&stats),
            "3, 4, 1.0, 4.0, 2.5, 2.5, 1.118033988749895\n"
        );
        assert_eq!(
            text_of(&inds),
            "3, 0, 4.0, [4.0]\n3, 1, 3.0, [3.0]\n3, 2, 2.0, [2.0]\n3, 3, 1.0, [1.0]\n"
        );
        let back = read_statistics(&text_of(&stats)).unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].line(), text_of(&stats).trim_end());
        assert_eq!(back[0].best, Fitness::Single(4.0));
        assert_eq!(back[0].population_size, 4);
    }

    #[test]
    fn file_observer_rows_pareto() {
        let (stats, inds) = (Shared::default(), Shared::default());
        let mut o = FileObserver::new(Box::new(stats.clone()), Box::new(inds.clone()));
        let pop = vec![
            Individual::new(vec![0.5, 1e-5], Fitness::Pareto(vec![1.0, 2.0]), 0, true),
            Individual::new(vec![0.25, 3.0], Fitness::Pareto(vec![2.0, 3.0]), 1, true),
        ];
        let args = Args::default();
        o.observe(&obs(&pop, &args)).unwrap();
        assert_eq!(
            text_of(&stats),
            "3, 2, [1.0, 2.0], [2.0, 3.0], nan, nan, nan\n"
        );
        assert_eq!(
            text_of(&inds),
            "3, 0, [2.0, 3.0], [0.25, 3.0]\n3, 1, [1.0, 2.0], [0.5, 1e-05]\n"
        );
        let back = read_statistics(&text_of(&stats)).unwrap();
        assert_eq!(back[0].worst, Fitness::Pareto(vec![1.0, 2.0]));
        assert_eq!(back[0].best, Fitness::Pareto(vec![2.0, 3.0]));
        assert!(back[0].median.is_nan() && back[0].average.is_nan() && back[0].std.is_nan());
    }

    #[test]
    fn file_observer_create_and_append() {
        let dir = tempfile::tempdir().unwrap();
        let sp = dir.path().join("stats.csv");
        let ip = dir.path().join("inds.csv");
        let args = Args::default();
        let pop = pop_of(&[1.0, 2.0], false);
        let mut o = FileObserver::create(&sp, &ip).unwrap();
        o.observe(&obs(&pop, &args)).unwrap();
        // Flushed on every observation: readable while the observer lives.
        assert_eq!(
            std::fs::read_to_string(&sp).unwrap(),
            "3, 2, 2.0, 1.0, 1.5, 1.5, 0.5\n"
        );
        drop(o);
        let mut o = FileObserver::append(&sp, &ip).unwrap();
        let mut later = obs(&pop, &args);
        later.num_generations = 4;
        o.observe(&later).unwrap();
        drop(o);
        assert_eq!(
            std::fs::read_to_string(&sp).unwrap(),
            "3, 2, 2.0, 1.0, 1.5, 1.5, 0.5\n4, 2, 2.0, 1.0, 1.5, 1.5, 0.5\n"
        );
        assert_eq!(
            std::fs::read_to_string(&ip).unwrap(),
            "3, 0, 1.0, [1.0]\n3, 1, 2.0, [2.0]\n4, 0, 1.0, [1.0]\n4, 1, 2.0, [2.0]\n"
        );
        // create truncates.
        let o = FileObserver::create(&sp, &ip).unwrap();
        drop(o);
        assert_eq!(std::fs::read_to_string(&sp).unwrap(), "");
        let missing = dir.path().join("no/such/dir/stats.csv");
        let err = FileObserver::create(&missing, &ip).unwrap_err();
        assert!(err.to_string().contains("stats.csv"), "{err}");
    }

    #[test]
    fn read_statistics_edge_cases() {
        let text = "0, 2, 1.0, 4.0, 2.5, 2.5, 1.5\n\n1, 2, inf, -1e-05, nan, 2.5, 0.0\n2, 2, 1.";
        let rows = read_statistics(text).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].worst, Fitness::Single(f64::INFINITY));
        assert_eq!(rows[1].best, Fitness::Single(-1e-5));
        assert!(rows[1].median.is_nan());
        let err = read_statistics("0, 2, 1.0\n1, 2, 1.0, 4.0, 2.5, 2.5, 1.5\n").unwrap_err();
        assert_eq!(err.line, 1);
        let err = read_statistics("0, 2, 1.0, 4.0, 2.5, 2.5, 1.5\nx, 2, 1.0, 4.0, 2.5, 2.5, 1.5\n")
            .unwrap_err();
        assert_eq!(err.line, 2);
        assert!(
            err.to_string()
                .starts_with("statistics file line 2: generation `x`")
        );
        assert_eq!(read_statistics("").unwrap(), Vec::new());
    }

    #[test]
    fn archive_observer_report() {
        let sink = Shared::default();
        let pop = pop_of(&[1.0], true);
        let archive = vec![
            Individual::new(vec![1.0, 2.0], Fitness::Pareto(vec![3.0, 4.0]), 0, true),
            Individual::new(vec![0.5], Fitness::Single(2.0), 1, true),
        ];
        let args = Args::default();
        let mut o = obs(&pop, &args);
        o.archive = &archive;
        let mut a = ArchiveObserver::new(Box::new(sink.clone()));
        a.observe(&o).unwrap();
        o.archive = &[];
        a.observe(&o).unwrap();
        let rule = RULE;
        let expected = format!(
            "{rule}\n                         Archive (    2 individuals)\n{rule}\n\
             [1.0, 2.0] : [3.0, 4.0]\n[0.5] : 2.0\n{rule}\n\
             {rule}\n                         Archive (    0 individuals)\n{rule}\n{rule}\n"
        );
        assert_eq!(text_of(&sink), expected);
        assert_eq!(a.name(), "archive_observer");
    }
}
