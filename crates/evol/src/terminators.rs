//! Stopping criteria (inspyred's `terminators` module).
//!
//! The EC asks its terminators in order before every generation and stops at
//! the first that says so (logical OR); its name becomes
//! `EcState::termination_cause`.

use std::time::Instant;

use crate::ec::Ctx;
use crate::error::EcError;
use crate::individual::{Individual, best_index};

/// Decides whether the evolution should stop.
pub trait Terminator: Send + Sync {
    /// inspyred's function name.
    fn name(&self) -> &'static str;

    /// `true` to stop.
    ///
    /// # Errors
    /// When the population or fitness type do not suit the criterion.
    fn should_terminate(
        &self,
        cx: &mut Ctx<'_>,
        population: &[Individual],
    ) -> Result<bool, EcError>;
}

/// Always stops: a run without terminators is its initial population
/// (`default_termination`).
#[derive(Clone, Copy, Debug, Default)]
pub struct DefaultTermination;

impl Terminator for DefaultTermination {
    fn name(&self) -> &'static str {
        "default_termination"
    }

    fn should_terminate(
        &self,
        _cx: &mut Ctx<'_>,
        _population: &[Individual],
    ) -> Result<bool, EcError> {
        Ok(true)
    }
}

/// Stops when the largest pairwise Euclidean distance between candidates is
/// below `min_diversity` (`diversity_termination`).
#[derive(Clone, Copy, Debug, Default)]
pub struct DiversityTermination;

impl Terminator for DiversityTermination {
    fn name(&self) -> &'static str {
        "diversity_termination"
    }

    fn should_terminate(
        &self,
        cx: &mut Ctx<'_>,
        population: &[Individual],
    ) -> Result<bool, EcError> {
        if population.is_empty() {
            return Err(EcError::EmptyPopulation {
                component: self.name(),
            });
        }
        let mut max_d: f64 = 0.0;
        for (i, p) in population.iter().enumerate() {
            for q in &population[i + 1..] {
                let d = crate::replacers::euclidean(&p.candidate, &q.candidate);
                if d > max_d {
                    max_d = d;
                }
            }
        }
        Ok(max_d < cx.args.min_diversity)
    }
}

/// Stops when the largest fitness minus the mean fitness is below `tolerance`
/// (`average_fitness_termination`; like inspyred it uses the numerically
/// largest fitness, meaningful when maximising). Scalar fitness only.
#[derive(Clone, Copy, Debug, Default)]
pub struct AverageFitnessTermination;

impl Terminator for AverageFitnessTermination {
    fn name(&self) -> &'static str {
        "average_fitness_termination"
    }

    fn should_terminate(
        &self,
        cx: &mut Ctx<'_>,
        population: &[Individual],
    ) -> Result<bool, EcError> {
        if population.is_empty() {
            return Err(EcError::EmptyPopulation {
                component: self.name(),
            });
        }
        let mut sum = 0.0;
        let mut best = f64::NEG_INFINITY;
        for p in population {
            let f = p
                .fitness
                .as_single()
                .ok_or(EcError::ScalarFitnessRequired {
                    component: self.name(),
                })?;
            sum += f;
            if f > best {
                best = f;
            }
        }
        let avg = sum / population.len() as f64;
        Ok(best - avg < cx.args.tolerance)
    }
}

/// Stops once `max_evaluations` (default: population size) evaluations have
/// been made (`evaluation_termination`).
#[derive(Clone, Copy, Debug, Default)]
pub struct EvaluationTermination;

impl Terminator for EvaluationTermination {
    fn name(&self) -> &'static str {
        "evaluation_termination"
    }

    fn should_terminate(
        &self,
        cx: &mut Ctx<'_>,
        population: &[Individual],
    ) -> Result<bool, EcError> {
        let max = cx.args.max_evaluations.unwrap_or(population.len() as u64);
        Ok(cx.num_evaluations >= max)
    }
}

/// Stops once `max_generations` (default 1) generations have run
/// (`generation_termination`).
#[derive(Clone, Copy, Debug, Default)]
pub struct GenerationTermination;

impl Terminator for GenerationTermination {
    fn name(&self) -> &'static str {
        "generation_termination"
    }

    fn should_terminate(
        &self,
        cx: &mut Ctx<'_>,
        _population: &[Individual],
    ) -> Result<bool, EcError> {
        Ok(cx.num_generations >= cx.args.max_generations.unwrap_or(1))
    }
}

/// Stops once `max_time` of wall-clock time has passed since the first check
/// (`time_termination`); stops at once without `max_time`. The start time is
/// kept in [`crate::Memo::start_time`], which is not checkpointed: a resumed
/// run starts a new clock. Not reproducible by nature.
#[derive(Clone, Copy, Debug, Default)]
pub struct TimeTermination;

impl Terminator for TimeTermination {
    fn name(&self) -> &'static str {
        "time_termination"
    }

    fn should_terminate(
        &self,
        cx: &mut Ctx<'_>,
        _population: &[Individual],
    ) -> Result<bool, EcError> {
        let start = *cx.memo.start_time.get_or_insert_with(Instant::now);
        Ok(match cx.args.max_time {
            None => true,
            Some(max) => start.elapsed() >= max,
        })
    }
}

/// Stops when the best fitness has not changed for more than `max_stagnation`
/// consecutive checks (`no_improvement_termination`; inspyred reads
/// `max_generations`, default 10, which is used here when `max_stagnation` is
/// unset). The last best and the count live in [`crate::Memo`].
#[derive(Clone, Copy, Debug, Default)]
pub struct NoImprovementTermination;

impl Terminator for NoImprovementTermination {
    fn name(&self) -> &'static str {
        "no_improvement_termination"
    }

    fn should_terminate(
        &self,
        cx: &mut Ctx<'_>,
        population: &[Individual],
    ) -> Result<bool, EcError> {
        let max = cx
            .args
            .max_stagnation
            .or(cx.args.max_generations)
            .unwrap_or(10);
        let b = best_index(population).ok_or(EcError::EmptyPopulation {
            component: self.name(),
        })?;
        let current = &population[b].fitness;
        if cx.memo.previous_best.as_ref() != Some(current) {
            cx.memo.previous_best = Some(current.clone());
            cx.memo.generation_count = 0;
            Ok(false)
        } else if cx.memo.generation_count >= max {
            Ok(true)
        } else {
            cx.memo.generation_count += 1;
            Ok(false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{pop_of, with_ctx, with_ctx_memo};
    use crate::{Args, Memo};

    #[test]
    fn budgets() {
        let pop = pop_of(&[1.0, 2.0], true);
        let args = Args {
            max_evaluations: Some(10),
            max_generations: Some(3),
            ..Default::default()
        };
        let mut memo = Memo::default();
        let mut check = |t: &dyn Terminator, ng, ne| {
            crate::test_util::with_full_ctx(&args, &mut memo, ng, ne, |cx| {
                t.should_terminate(cx, &pop)
            })
            .unwrap()
        };
        assert!(!check(&EvaluationTermination, 0, 9));
        assert!(check(&EvaluationTermination, 0, 10));
        assert!(!check(&GenerationTermination, 2, 0));
        assert!(check(&GenerationTermination, 3, 0));
        assert!(check(&DefaultTermination, 0, 0));
    }

    #[test]
    fn diversity_and_average() {
        let mut pop = pop_of(&[1.0, 1.0005], true);
        pop[0].candidate = vec![0.0, 0.0];
        pop[1].candidate = vec![0.0, 0.0005];
        let args = Args::default();
        assert!(
            with_ctx(&args, 0, |cx| DiversityTermination
                .should_terminate(cx, &pop))
            .unwrap()
        );
        assert!(
            with_ctx(&args, 0, |cx| AverageFitnessTermination
                .should_terminate(cx, &pop))
            .unwrap()
        );
        pop[1].candidate = vec![0.0, 0.5];
        pop[1].fitness = 2.0.into();
        assert!(
            !with_ctx(&args, 0, |cx| DiversityTermination
                .should_terminate(cx, &pop))
            .unwrap()
        );
        assert!(
            !with_ctx(&args, 0, |cx| AverageFitnessTermination
                .should_terminate(cx, &pop))
            .unwrap()
        );
    }

    #[test]
    fn no_improvement_counts_stagnant_checks() {
        let pop = pop_of(&[1.0, 2.0], true);
        let args = Args {
            max_stagnation: Some(2),
            ..Default::default()
        };
        let mut memo = Memo::default();
        let results: Vec<bool> = (0..4)
            .map(|_| {
                with_ctx_memo(&args, 0, &mut memo, |cx| {
                    NoImprovementTermination.should_terminate(cx, &pop)
                })
                .unwrap()
            })
            .collect();
        assert_eq!(results, [false, false, false, true]);
        let better = pop_of(&[3.0], true);
        assert!(
            !with_ctx_memo(&args, 0, &mut memo, |cx| {
                NoImprovementTermination.should_terminate(cx, &better)
            })
            .unwrap()
        );
        assert_eq!(memo.generation_count, 0);
    }

    #[test]
    fn time_without_budget_stops() {
        let pop = pop_of(&[1.0], true);
        assert!(
            with_ctx(&Args::default(), 0, |cx| TimeTermination
                .should_terminate(cx, &pop))
            .unwrap()
        );
        let args = Args {
            max_time: Some(std::time::Duration::from_secs(3600)),
            ..Default::default()
        };
        assert!(!with_ctx(&args, 0, |cx| TimeTermination.should_terminate(cx, &pop)).unwrap());
    }
}
