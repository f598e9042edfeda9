//! inspyred's `plot_observer` for `ranvier-evol`: a PNG of the run's progress,
//! rewritten after every observation.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use ranvier_evol::observers::{Observation, StatisticsRecord};
use ranvier_evol::{EcError, Fitness, FitnessStats, Individual, Observer};

use crate::{FitnessRow, PlotError, fitness_png, pareto_png};

const DEFAULT_TITLE: &str = "Fitness per generation";
const DEFAULT_PARETO_TITLE: &str = "Pareto front";

impl From<&StatisticsRecord> for FitnessRow {
    /// A statistics-file record as a plot row; a Pareto best or worst is NaN
    /// (left out of the curves).
    fn from(r: &StatisticsRecord) -> Self {
        Self {
            generation: r.generation as f64,
            best: r.best.as_single().unwrap_or(f64::NAN),
            median: r.median,
            average: r.average,
            worst: r.worst.as_single().unwrap_or(f64::NAN),
        }
    }
}

/// Plots the evolution to a PNG file after every observation (inspyred's
/// `plot_observer`, which draws on screen with matplotlib).
///
/// For scalar fitness (or Pareto fitness with one objective) it accumulates
/// best, median, average and worst per generation and redraws the curves with
/// [`fitness_png`]; inspyred's x axis is evaluations, here it is generations.
/// For Pareto fitness with two or more objectives it draws the current
/// population and the archive (the front kept by NSGA-II's archiver) with
/// [`pareto_png`], using the first two objectives (the title says so when
/// there are more).
///
/// The file is replaced atomically: the plot is drawn to a temporary file in
/// the same folder, then renamed over the target, so a reader never sees a
/// partial PNG.
#[derive(Clone, Debug)]
pub struct PlotObserver {
    path: PathBuf,
    title: Option<String>,
    history: Vec<FitnessRow>,
}

impl PlotObserver {
    /// Plot to `path` (a `.png` file).
    #[must_use]
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            title: None,
            history: Vec::new(),
        }
    }

    /// Use `title` instead of "Fitness per generation" (scalar fitness) or
    /// "Pareto front" (multi-objective).
    #[must_use]
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Start from the rows of an earlier part of the run (for example
    /// [`ranvier_evol::read_statistics`] of its statistics file, converted
    /// with `FitnessRow::from`), so a resumed run's plot covers every
    /// generation. An observed generation replaces the rows of that
    /// generation and of any later one.
    #[must_use]
    pub fn with_history(mut self, rows: Vec<FitnessRow>) -> Self {
        self.history = rows;
        self
    }

    /// The rows plotted so far.
    #[must_use]
    pub fn history(&self) -> &[FitnessRow] {
        &self.history
    }

    /// The target file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn plot_scalar(&mut self, g: u64, stats: FitnessStats) -> Result<(), PlotError> {
        let generation = g as f64;
        self.history.retain(|r| r.generation < generation);
        self.history.push(FitnessRow {
            generation,
            best: stats.best.as_single().unwrap_or(f64::NAN),
            median: stats.median,
            average: stats.mean,
            worst: stats.worst.as_single().unwrap_or(f64::NAN),
        });
        let title = self.title.as_deref().unwrap_or(DEFAULT_TITLE);
        let rows = &self.history;
        write_atomic(&self.path, |tmp| fitness_png(title, rows, tmp))
    }

    fn plot_pareto(&self, obs: &Observation<'_>, objectives: usize) -> Result<(), PlotError> {
        // Failed candidates carry the largest finite value as their fitness; they
        // would squash the axes, so they are left out like non-finite ones.
        let plottable = |x: f64| x.is_finite() && x.abs() < f64::MAX;
        let pairs = |inds: &[Individual]| -> Vec<(f64, f64)> {
            inds.iter()
                .filter_map(|i| match i.fitness.values() {
                    [a, b, ..] if plottable(*a) && plottable(*b) => Some((*a, *b)),
                    _ => None,
                })
                .collect()
        };
        let points = pairs(obs.population);
        let front = pairs(obs.archive);
        if points.is_empty() && front.is_empty() {
            // Nothing plottable yet (every candidate failed): keep the last plot.
            return Ok(());
        }
        let base = self.title.as_deref().unwrap_or(DEFAULT_PARETO_TITLE);
        let mut title = format!("{base}, generation {}", obs.num_generations);
        if objectives > 2 {
            title.push_str(&format!(" (objectives 1 and 2 of {objectives})"));
        }
        write_atomic(&self.path, |tmp| pareto_png(&title, &points, &front, tmp))
    }
}

/// The population with every fitness as a scalar, when each has one objective.
fn scalar_population(population: &[Individual]) -> Option<Vec<Individual>> {
    population
        .iter()
        .map(|i| match i.fitness.values() {
            [v] => Some(Individual {
                fitness: Fitness::Single(*v),
                ..i.clone()
            }),
            _ => None,
        })
        .collect()
}

impl Observer for PlotObserver {
    fn name(&self) -> &'static str {
        "plot_observer"
    }

    fn observe(&mut self, obs: &Observation<'_>) -> Result<(), EcError> {
        const NAME: &str = "plot_observer";
        if obs.population.is_empty() {
            return Err(EcError::EmptyPopulation { component: NAME });
        }
        let result = match scalar_population(obs.population) {
            Some(pop) => {
                let stats =
                    FitnessStats::of(&pop).ok_or(EcError::EmptyPopulation { component: NAME })?;
                self.plot_scalar(obs.num_generations, stats)
            }
            None => {
                let objectives = obs
                    .population
                    .iter()
                    .map(|i| i.fitness.values().len())
                    .max()
                    .unwrap_or(0);
                self.plot_pareto(obs, objectives)
            }
        };
        result.map_err(|e| EcError::Io {
            component: NAME,
            source: std::io::Error::other(e),
        })
    }
}

/// Draw with `draw` into a temporary file next to `path` (same extension, so
/// the image format is the same), then rename it over `path`.
fn write_atomic(
    path: &Path,
    draw: impl FnOnce(&Path) -> Result<(), PlotError>,
) -> Result<(), PlotError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .ok_or_else(|| PlotError::Draw {
            path: path.display().to_string(),
            why: "not a file path".into(),
        })?
        .to_string_lossy();
    let ext = path
        .extension()
        .map_or_else(|| "png".to_owned(), |e| e.to_string_lossy().into_owned());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp = path.with_file_name(format!(".{name}.{}-{n}.tmp.{ext}", std::process::id()));
    let result = draw(&tmp).and_then(|()| {
        std::fs::rename(&tmp, path).map_err(|e| PlotError::Draw {
            path: path.display().to_string(),
            why: e.to_string(),
        })
    });
    if result.is_err() {
        // Best effort: the temporary file may not exist.
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use ranvier_evol::Args;

    const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

    fn assert_png(path: &Path) {
        let bytes = std::fs::read(path).unwrap();
        assert_eq!(bytes[..8], PNG_SIGNATURE);
        assert!(bytes.len() > 5_000, "only {} bytes", bytes.len());
    }

    fn single_pop(values: &[f64]) -> Vec<Individual> {
        values
            .iter()
            .enumerate()
            .map(|(i, &v)| Individual::new(vec![v], Fitness::Single(v), i as u64, false))
            .collect()
    }

    fn observe(
        o: &mut PlotObserver,
        pop: &[Individual],
        archive: &[Individual],
        generation: u64,
    ) -> Result<(), EcError> {
        let args = Args::default();
        o.observe(&Observation {
            population: pop,
            archive,
            num_generations: generation,
            num_evaluations: 10 * generation,
            args: &args,
        })
    }

    fn no_temp_files(dir: &Path) {
        let names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.contains(".tmp.")), "{names:?}");
    }

    #[test]
    fn single_objective_curves() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fitness.png");
        let mut o = PlotObserver::new(&path);
        for g in 0..3 {
            let pop = single_pop(&[3.0 - g as f64, 4.0, 5.0 + g as f64]);
            observe(&mut o, &pop, &[], g).unwrap();
            assert_png(&path);
        }
        let h = o.history();
        assert_eq!(h.len(), 3);
        // Minimising: best is the smallest value.
        assert_eq!(h[2].best, 1.0);
        assert_eq!(h[2].worst, 7.0);
        assert_eq!(h[2].median, 4.0);
        no_temp_files(dir.path());
    }

    #[test]
    fn history_then_more_generations() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fitness.png");
        let stats = "0, 3, 5.0, 3.0, 4.0, 4.0, 0.8\n1, 3, 6.0, 2.0, 4.0, 4.0, 1.6\n\
                     2, 3, 7.0, 1.0, 4.0, 4.0, 2.4\n";
        let rows: Vec<FitnessRow> = ranvier_evol::read_statistics(stats)
            .unwrap()
            .iter()
            .map(FitnessRow::from)
            .collect();
        let mut o = PlotObserver::new(&path)
            .with_title("Resumed")
            .with_history(rows);
        // Generation 2 observed again by the resumed run, then 3 and 4.
        for g in 2..5 {
            observe(&mut o, &single_pop(&[0.5, 4.0, 8.0]), &[], g).unwrap();
        }
        let gens: Vec<f64> = o.history().iter().map(|r| r.generation).collect();
        assert_eq!(gens, [0.0, 1.0, 2.0, 3.0, 4.0]);
        assert_eq!(o.history()[1].best, 2.0);
        assert_eq!(o.history()[2].best, 0.5);
        assert_png(&path);
        no_temp_files(dir.path());
    }

    #[test]
    fn pareto_scatter() {
        let dir = tempfile::tempdir().unwrap();
        let pop: Vec<Individual> = (0..20)
            .map(|i| {
                let x = f64::from(i) / 19.0;
                let f = Fitness::Pareto(vec![x, 1.0 - x.sqrt() + 0.1 * f64::from(i % 3)]);
                Individual::new(vec![x], f, u64::from(i as u8), false)
            })
            .collect();
        let front: Vec<Individual> = pop.iter().step_by(3).cloned().collect();
        let path = dir.path().join("pareto.png");
        let mut o = PlotObserver::new(&path);
        observe(&mut o, &pop, &front, 7).unwrap();
        assert_png(&path);
        assert!(o.history().is_empty());

        // Three objectives: the first two are plotted.
        let pop3: Vec<Individual> = pop
            .iter()
            .map(|i| {
                let mut v = i.fitness.values().to_vec();
                v.push(0.5);
                Individual::new(i.candidate.clone(), Fitness::Pareto(v), i.birthdate, false)
            })
            .collect();
        let path3 = dir.path().join("pareto3.png");
        observe(&mut PlotObserver::new(&path3), &pop3, &[], 1).unwrap();
        assert_png(&path3);
        no_temp_files(dir.path());
    }

    #[test]
    fn one_objective_pareto_is_plotted_as_curves() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.png");
        let pop: Vec<Individual> = [1.0, 2.0, 3.0]
            .iter()
            .map(|&v| Individual::new(vec![v], Fitness::Pareto(vec![v]), 0, true))
            .collect();
        let mut o = PlotObserver::new(&path);
        observe(&mut o, &pop, &[], 0).unwrap();
        assert_eq!(o.history()[0].best, 3.0);
        assert_eq!(o.history()[0].median, 2.0);
        assert_png(&path);
    }

    #[test]
    fn errors_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let mut o = PlotObserver::new(dir.path().join("f.png"));
        assert!(matches!(
            observe(&mut o, &[], &[], 0),
            Err(EcError::EmptyPopulation { .. })
        ));
        let mut o = PlotObserver::new(dir.path().join("missing/dir/f.png"));
        let err = observe(&mut o, &single_pop(&[1.0]), &[], 0).unwrap_err();
        assert!(
            matches!(
                err,
                EcError::Io {
                    component: "plot_observer",
                    ..
                }
            ),
            "{err}"
        );
        no_temp_files(dir.path());
    }
}
