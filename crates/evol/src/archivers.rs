//! Archives of good solutions (inspyred's `archivers` module).

use crate::ec::Ctx;
use crate::error::EcError;
use crate::individual::Individual;

/// Updates the archive after each generation (and after the initial one).
pub trait Archiver: Send + Sync {
    /// inspyred's function name.
    fn name(&self) -> &'static str;

    /// The new archive.
    ///
    /// # Errors
    /// When the archiver cannot handle the population.
    fn archive(
        &self,
        cx: &mut Ctx<'_>,
        population: &[Individual],
        archive: Vec<Individual>,
    ) -> Result<Vec<Individual>, EcError>;
}

/// Leaves the archive as it is (`default_archiver`).
#[derive(Clone, Copy, Debug, Default)]
pub struct DefaultArchiver;

impl Archiver for DefaultArchiver {
    fn name(&self) -> &'static str {
        "default_archiver"
    }

    fn archive(
        &self,
        _cx: &mut Ctx<'_>,
        _population: &[Individual],
        archive: Vec<Individual>,
    ) -> Result<Vec<Individual>, EcError> {
        Ok(archive)
    }
}

/// The archive is a copy of the current population (`population_archiver`).
#[derive(Clone, Copy, Debug, Default)]
pub struct PopulationArchiver;

impl Archiver for PopulationArchiver {
    fn name(&self) -> &'static str {
        "population_archiver"
    }

    fn archive(
        &self,
        _cx: &mut Ctx<'_>,
        population: &[Individual],
        _archive: Vec<Individual>,
    ) -> Result<Vec<Individual>, EcError> {
        Ok(population.to_vec())
    }
}

/// Keeps the individuals no archived one beats (`best_archiver`): for a
/// single objective the best seen so far (ties kept), for Pareto fitness the
/// non-dominated set. Each individual is added unless its candidate is already
/// archived or some archived individual is better; archived individuals it
/// beats are removed (also when it is itself not added, as in inspyred).
#[derive(Clone, Copy, Debug, Default)]
pub struct BestArchiver;

impl Archiver for BestArchiver {
    fn name(&self) -> &'static str {
        "best_archiver"
    }

    fn archive(
        &self,
        _cx: &mut Ctx<'_>,
        population: &[Individual],
        mut archive: Vec<Individual>,
    ) -> Result<Vec<Individual>, EcError> {
        for ind in population {
            if archive.is_empty() {
                archive.push(ind.clone());
                continue;
            }
            let mut should_add = true;
            let mut remove = vec![false; archive.len()];
            for (k, a) in archive.iter().enumerate() {
                if ind.candidate == a.candidate {
                    should_add = false;
                    break;
                } else if ind.is_worse_than(a) {
                    should_add = false;
                } else if ind.is_better_than(a) {
                    remove[k] = true;
                }
            }
            let mut k = 0;
            archive.retain(|_| {
                k += 1;
                !remove[k - 1]
            });
            if should_add {
                archive.push(ind.clone());
            }
        }
        Ok(archive)
    }
}

/// Keeps exactly one individual: the best seen so far, the earlier one on
/// ties (not in inspyred). Unlike [`BestArchiver`], equal fitness values do
/// not accumulate, which matters for CMA-ES, whose offspring share one
/// fitness value once the search reaches the limit of floating-point
/// precision. With Pareto fitness the archived individual is replaced only
/// by one that dominates it.
#[derive(Clone, Copy, Debug, Default)]
pub struct BestSoFarArchiver;

impl Archiver for BestSoFarArchiver {
    fn name(&self) -> &'static str {
        "best_so_far_archiver"
    }

    fn archive(
        &self,
        _cx: &mut Ctx<'_>,
        population: &[Individual],
        mut archive: Vec<Individual>,
    ) -> Result<Vec<Individual>, EcError> {
        archive.truncate(1);
        for ind in population {
            match archive.first() {
                Some(a) if !ind.is_better_than(a) => {}
                _ => archive = vec![ind.clone()],
            }
        }
        Ok(archive)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Args;
    use crate::individual::Fitness;
    use crate::test_util::{fits, pop_of, with_ctx};

    #[test]
    fn best_archiver_keeps_the_best() {
        let pop = pop_of(&[1.0, 3.0, 2.0, 3.0], true);
        let out = with_ctx(&Args::default(), 0, |cx| {
            BestArchiver.archive(cx, &pop, vec![])
        })
        .unwrap();
        assert_eq!(fits(&out), [3.0]); // second 3.0 has the same candidate
        let more = pop_of(&[5.0], true);
        let out = with_ctx(&Args::default(), 0, |cx| {
            BestArchiver.archive(cx, &more, out)
        })
        .unwrap();
        assert_eq!(fits(&out), [5.0]);
    }

    #[test]
    fn best_so_far_archiver_keeps_one() {
        let pop = pop_of(&[1.0, 3.0, 2.0, 3.0], true);
        let out = with_ctx(&Args::default(), 0, |cx| {
            BestSoFarArchiver.archive(cx, &pop, vec![])
        })
        .unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].birthdate, 1); // the first 3.0
        let more = pop_of(&[3.0, 0.5], true);
        let out = with_ctx(&Args::default(), 0, |cx| {
            BestSoFarArchiver.archive(cx, &more, out)
        })
        .unwrap();
        assert_eq!((fits(&out), out[0].birthdate), (vec![3.0], 1));
    }

    #[test]
    fn best_archiver_keeps_a_pareto_front() {
        let mk =
            |v: [f64; 2], b: u64| Individual::new(v.to_vec(), Fitness::Pareto(v.to_vec()), b, true);
        let pop = vec![
            mk([1.0, 0.0], 0),
            mk([0.0, 1.0], 1),
            mk([0.5, 0.5], 2),
            mk([0.2, 0.2], 3),
        ];
        let out = with_ctx(&Args::default(), 0, |cx| {
            BestArchiver.archive(cx, &pop, vec![])
        })
        .unwrap();
        let b: Vec<u64> = out.iter().map(|i| i.birthdate).collect();
        assert_eq!(b, [0, 1, 2]);
    }
}
