//! Parent selection (inspyred's `selectors` module).
//!
//! A selector receives the current population (inspyred passes a copy, so
//! sorting it does not reorder the EC's population) and returns the parents,
//! cloned, possibly with repeats.

use crate::ec::Ctx;
use crate::error::EcError;
use crate::individual::{Individual, best_index, sort_best_first, sort_worst_first};

/// Chooses parents from the population.
pub trait Selector: Send + Sync {
    /// inspyred's function name (for logs and `termination_cause`-style reports).
    fn name(&self) -> &'static str;

    /// The selected parents.
    ///
    /// # Errors
    /// When the population or arguments do not suit the selector.
    fn select(
        &self,
        cx: &mut Ctx<'_>,
        population: &[Individual],
    ) -> Result<Vec<Individual>, EcError>;
}

fn nonempty(population: &[Individual], component: &'static str) -> Result<(), EcError> {
    if population.is_empty() {
        Err(EcError::EmptyPopulation { component })
    } else {
        Ok(())
    }
}

/// Every individual, in population order (`default_selection`).
#[derive(Clone, Copy, Debug, Default)]
pub struct DefaultSelection;

impl Selector for DefaultSelection {
    fn name(&self) -> &'static str {
        "default_selection"
    }

    fn select(
        &self,
        _cx: &mut Ctx<'_>,
        population: &[Individual],
    ) -> Result<Vec<Individual>, EcError> {
        Ok(population.to_vec())
    }
}

/// The `num_selected` best (default: all), best first (`truncation_selection`).
#[derive(Clone, Copy, Debug, Default)]
pub struct TruncationSelection;

impl Selector for TruncationSelection {
    fn name(&self) -> &'static str {
        "truncation_selection"
    }

    fn select(
        &self,
        cx: &mut Ctx<'_>,
        population: &[Individual],
    ) -> Result<Vec<Individual>, EcError> {
        let n = cx.args.num_selected.unwrap_or(population.len());
        let mut pop = population.to_vec();
        sort_best_first(&mut pop);
        pop.truncate(n);
        Ok(pop)
    }
}

/// `num_selected` (default 1) uniform draws with replacement
/// (`uniform_selection`).
#[derive(Clone, Copy, Debug, Default)]
pub struct UniformSelection;

impl Selector for UniformSelection {
    fn name(&self) -> &'static str {
        "uniform_selection"
    }

    fn select(
        &self,
        cx: &mut Ctx<'_>,
        population: &[Individual],
    ) -> Result<Vec<Individual>, EcError> {
        nonempty(population, self.name())?;
        let n = cx.args.num_selected.unwrap_or(1);
        Ok((0..n)
            .map(|_| population[cx.rng.randint(0, population.len() - 1)].clone())
            .collect())
    }
}

/// First index whose cumulative probability exceeds `cutoff`, clamped to the
/// valid range (inspyred's binary search).
fn roulette_index(psum: &[f64], cutoff: f64) -> usize {
    let len = psum.len();
    let mut lower: isize = 0;
    let mut upper: isize = len as isize - 1;
    while upper >= lower {
        let mid = (lower + upper) / 2;
        if psum[mid as usize] > cutoff {
            upper = mid - 1;
        } else {
            lower = mid + 1;
        }
    }
    lower.clamp(0, len as isize - 1) as usize
}

/// `n` spins of the roulette wheel with cumulative probabilities `psum` over `pop`.
fn spin(cx: &mut Ctx<'_>, pop: &[Individual], psum: &[f64], n: usize) -> Vec<Individual> {
    (0..n)
        .map(|_| pop[roulette_index(psum, cx.rng.random())].clone())
        .collect()
}

/// Roulette wheel on raw fitness (`fitness_proportionate_selection`);
/// `num_selected` default 1. Maximisation and scalar fitness only.
///
/// As in inspyred: equal fitness everywhere gives uniform odds; all
/// non-negative or all non-positive fitness gives odds proportional to
/// fitness (population sorted best first); with mixed signs inspyred's
/// cumulative table stays `[0, 1, 2, …]`, so the individual at position 1 is
/// always chosen — that quirk is kept.
#[derive(Clone, Copy, Debug, Default)]
pub struct FitnessProportionateSelection;

impl Selector for FitnessProportionateSelection {
    fn name(&self) -> &'static str {
        "fitness_proportionate_selection"
    }

    fn select(
        &self,
        cx: &mut Ctx<'_>,
        population: &[Individual],
    ) -> Result<Vec<Individual>, EcError> {
        nonempty(population, self.name())?;
        let n = cx.args.num_selected.unwrap_or(1);
        let mut pop = population.to_vec();
        let len = pop.len();
        let mut fit = Vec::with_capacity(len);
        for p in &pop {
            fit.push(
                p.fitness
                    .as_single()
                    .ok_or(EcError::ScalarFitnessRequired {
                        component: self.name(),
                    })?,
            );
        }
        let max_fit = fit[best_index(&pop).unwrap_or(0)];
        let min_fit = fit[crate::individual::worst_index(&pop).unwrap_or(0)];
        if max_fit < min_fit {
            return Err(EcError::ProportionateMinimization);
        }
        let mut psum: Vec<f64> = (0..len).map(|i| i as f64).collect();
        if max_fit == min_fit {
            psum = (0..len).map(|i| (i + 1) as f64 / len as f64).collect();
        } else if (max_fit > 0.0 && min_fit >= 0.0) || (max_fit <= 0.0 && min_fit < 0.0) {
            sort_best_first(&mut pop);
            let mut acc = 0.0;
            for (i, p) in pop.iter().enumerate() {
                let f = p.fitness.as_single().unwrap_or(0.0);
                acc = if i == 0 { f } else { acc + f };
                psum[i] = acc;
            }
            let total = psum[len - 1];
            for v in &mut psum {
                *v /= total;
            }
        }
        Ok(spin(cx, &pop, &psum, n))
    }
}

/// Linear ranking (`rank_selection`): the `i`-th worst (1-based) is chosen with
/// probability `i / (n (n + 1) / 2)`; `num_selected` default 1.
#[derive(Clone, Copy, Debug, Default)]
pub struct RankSelection;

impl Selector for RankSelection {
    fn name(&self) -> &'static str {
        "rank_selection"
    }

    fn select(
        &self,
        cx: &mut Ctx<'_>,
        population: &[Individual],
    ) -> Result<Vec<Individual>, EcError> {
        nonempty(population, self.name())?;
        let n = cx.args.num_selected.unwrap_or(1);
        let mut pop = population.to_vec();
        sort_worst_first(&mut pop);
        let len = pop.len();
        let den = (len * (len + 1)) as f64 / 2.0;
        let mut psum: Vec<f64> = (0..len).map(|i| (i + 1) as f64 / den).collect();
        for i in 1..len {
            psum[i] += psum[i - 1];
        }
        Ok(spin(cx, &pop, &psum, n))
    }
}

/// `num_selected` (default 1) tournaments, each the best of
/// `tournament_size` (default 2, capped at the population size) individuals
/// sampled without replacement (`tournament_selection`).
#[derive(Clone, Copy, Debug, Default)]
pub struct TournamentSelection;

impl Selector for TournamentSelection {
    fn name(&self) -> &'static str {
        "tournament_selection"
    }

    fn select(
        &self,
        cx: &mut Ctx<'_>,
        population: &[Individual],
    ) -> Result<Vec<Individual>, EcError> {
        nonempty(population, self.name())?;
        let n = cx.args.num_selected.unwrap_or(1);
        let size = cx.args.tournament_size.min(population.len());
        if size == 0 {
            return Err(EcError::InvalidArg {
                component: self.name(),
                arg: "tournament_size",
                reason: "must be at least 1".to_owned(),
            });
        }
        let mut selected = Vec::with_capacity(n);
        for _ in 0..n {
            let tourn = cx.rng.sample_indices(population.len(), size);
            let mut best = tourn[0];
            for &i in &tourn[1..] {
                if population[i].is_better_than(&population[best]) {
                    best = i;
                }
            }
            selected.push(population[best].clone());
        }
        Ok(selected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{fits, pop_of, with_ctx};

    #[test]
    fn default_returns_everything() {
        let pop = pop_of(&[1.0, 2.0, 3.0], true);
        let sel = with_ctx(&Default::default(), 0, |cx| {
            DefaultSelection.select(cx, &pop)
        });
        assert_eq!(sel.unwrap(), pop);
    }

    #[test]
    fn truncation_keeps_the_best() {
        let pop = pop_of(&[1.0, 5.0, 3.0, 4.0], true);
        let args = crate::Args {
            num_selected: Some(2),
            ..Default::default()
        };
        let sel = with_ctx(&args, 0, |cx| TruncationSelection.select(cx, &pop)).unwrap();
        assert_eq!(fits(&sel), [5.0, 4.0]);
        let pop = pop_of(&[1.0, 5.0, 3.0, 4.0], false);
        let sel = with_ctx(&args, 0, |cx| TruncationSelection.select(cx, &pop)).unwrap();
        assert_eq!(fits(&sel), [1.0, 3.0]);
    }

    #[test]
    fn tournament_of_two_picks_the_better() {
        let pop = pop_of(&[1.0, 2.0], true);
        let args = crate::Args {
            num_selected: Some(50),
            ..Default::default()
        };
        let sel = with_ctx(&args, 7, |cx| TournamentSelection.select(cx, &pop)).unwrap();
        assert!(fits(&sel).iter().all(|&f| f == 2.0));
        let pop = pop_of(&[1.0, 2.0], false);
        let sel = with_ctx(&args, 7, |cx| TournamentSelection.select(cx, &pop)).unwrap();
        assert!(fits(&sel).iter().all(|&f| f == 1.0));
    }

    #[test]
    fn tournament_never_picks_the_worst_with_size_two() {
        let pop = pop_of(&[5.0, 1.0, 3.0, 4.0, 2.0], true);
        let args = crate::Args {
            num_selected: Some(500),
            ..Default::default()
        };
        let sel = with_ctx(&args, 8, |cx| TournamentSelection.select(cx, &pop)).unwrap();
        assert!(fits(&sel).iter().all(|&f| f > 1.0));
    }

    #[test]
    fn rank_selection_favours_the_best() {
        let pop = pop_of(&[1.0, 2.0, 3.0, 4.0], true);
        let args = crate::Args {
            num_selected: Some(10_000),
            ..Default::default()
        };
        let sel = with_ctx(&args, 9, |cx| RankSelection.select(cx, &pop)).unwrap();
        let count = |f: f64| fits(&sel).iter().filter(|&&x| x == f).count() as f64 / 10_000.0;
        // Probabilities 0.1, 0.2, 0.3, 0.4.
        for (f, p) in [(1.0, 0.1), (2.0, 0.2), (3.0, 0.3), (4.0, 0.4)] {
            assert!((count(f) - p).abs() < 0.02, "{f}: {}", count(f));
        }
    }

    #[test]
    fn fitness_proportionate_odds() {
        let pop = pop_of(&[1.0, 3.0], true);
        let args = crate::Args {
            num_selected: Some(10_000),
            ..Default::default()
        };
        let sel = with_ctx(&args, 10, |cx| {
            FitnessProportionateSelection.select(cx, &pop)
        })
        .unwrap();
        let p3 = fits(&sel).iter().filter(|&&x| x == 3.0).count() as f64 / 10_000.0;
        assert!((p3 - 0.75).abs() < 0.02, "{p3}");
        let pop = pop_of(&[1.0, 3.0], false);
        let err = with_ctx(&args, 10, |cx| {
            FitnessProportionateSelection.select(cx, &pop)
        });
        assert!(matches!(err, Err(EcError::ProportionateMinimization)));
    }

    #[test]
    fn uniform_selection_covers_population() {
        let pop = pop_of(&[1.0, 2.0, 3.0], true);
        let args = crate::Args {
            num_selected: Some(300),
            ..Default::default()
        };
        let sel = with_ctx(&args, 11, |cx| UniformSelection.select(cx, &pop)).unwrap();
        for f in [1.0, 2.0, 3.0] {
            assert!(fits(&sel).contains(&f));
        }
        assert!(with_ctx(&args, 0, |cx| UniformSelection.select(cx, &[])).is_err());
    }
}
