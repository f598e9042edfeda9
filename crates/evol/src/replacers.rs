//! Survivor selection (inspyred's `replacers` module).

use crate::ec::Ctx;
use crate::error::EcError;
use crate::individual::{Individual, sort_best_first, sort_worst_first};

/// Builds the next population from the current one, the parents and the
/// evaluated offspring.
pub trait Replacer: Send + Sync {
    /// inspyred's function name.
    fn name(&self) -> &'static str;

    /// The survivors.
    ///
    /// # Errors
    /// When the arguments or fitness type do not suit the replacer.
    fn replace(
        &self,
        cx: &mut Ctx<'_>,
        population: Vec<Individual>,
        parents: &[Individual],
        offspring: Vec<Individual>,
    ) -> Result<Vec<Individual>, EcError>;
}

/// Keeps the population, ignores the offspring (`default_replacement`).
#[derive(Clone, Copy, Debug, Default)]
pub struct DefaultReplacement;

impl Replacer for DefaultReplacement {
    fn name(&self) -> &'static str {
        "default_replacement"
    }

    fn replace(
        &self,
        _cx: &mut Ctx<'_>,
        population: Vec<Individual>,
        _parents: &[Individual],
        _offspring: Vec<Individual>,
    ) -> Result<Vec<Individual>, EcError> {
        Ok(population)
    }
}

/// The best `len(population)` of population and offspring together, best
/// first (`truncation_replacement`).
#[derive(Clone, Copy, Debug, Default)]
pub struct TruncationReplacement;

impl Replacer for TruncationReplacement {
    fn name(&self) -> &'static str {
        "truncation_replacement"
    }

    fn replace(
        &self,
        _cx: &mut Ctx<'_>,
        mut population: Vec<Individual>,
        _parents: &[Individual],
        offspring: Vec<Individual>,
    ) -> Result<Vec<Individual>, EcError> {
        let psize = population.len();
        population.extend(offspring);
        sort_best_first(&mut population);
        population.truncate(psize);
        Ok(population)
    }
}

/// Offspring replace the worst individuals (`steady_state_replacement`): the
/// population is sorted worst first and its first `min(#offspring, #pop)`
/// slots are overwritten by the first offspring.
#[derive(Clone, Copy, Debug, Default)]
pub struct SteadyStateReplacement;

impl Replacer for SteadyStateReplacement {
    fn name(&self) -> &'static str {
        "steady_state_replacement"
    }

    fn replace(
        &self,
        _cx: &mut Ctx<'_>,
        mut population: Vec<Individual>,
        _parents: &[Individual],
        offspring: Vec<Individual>,
    ) -> Result<Vec<Individual>, EcError> {
        sort_worst_first(&mut population);
        for (slot, o) in population.iter_mut().zip(offspring) {
            *slot = o;
        }
        Ok(population)
    }
}

/// Offspring replace the population, with weak elitism
/// (`generational_replacement`): the `num_elites` best of the population are
/// added to the offspring, the pool is sorted best first (offspring before
/// elites on ties) and cut to the population size. An elite therefore survives
/// only if it is better than enough offspring. With fewer offspring than
/// individuals the population shrinks, as in inspyred.
#[derive(Clone, Copy, Debug, Default)]
pub struct GenerationalReplacement;

impl Replacer for GenerationalReplacement {
    fn name(&self) -> &'static str {
        "generational_replacement"
    }

    fn replace(
        &self,
        cx: &mut Ctx<'_>,
        mut population: Vec<Individual>,
        _parents: &[Individual],
        mut offspring: Vec<Individual>,
    ) -> Result<Vec<Individual>, EcError> {
        let psize = population.len();
        sort_best_first(&mut population);
        population.truncate(cx.args.num_elites);
        offspring.extend(population);
        sort_best_first(&mut offspring);
        offspring.truncate(psize);
        Ok(offspring)
    }
}

/// Offspring replace randomly chosen non-elite individuals
/// (`random_replacement`): the population is sorted best first, the first
/// `num_elites` are protected, and `min(#offspring, #pop - num_elites)` of the
/// other slots, sampled without replacement, receive the offspring in order.
#[derive(Clone, Copy, Debug, Default)]
pub struct RandomReplacement;

impl Replacer for RandomReplacement {
    fn name(&self) -> &'static str {
        "random_replacement"
    }

    fn replace(
        &self,
        cx: &mut Ctx<'_>,
        mut population: Vec<Individual>,
        _parents: &[Individual],
        offspring: Vec<Individual>,
    ) -> Result<Vec<Individual>, EcError> {
        let elites = cx.args.num_elites.min(population.len());
        sort_best_first(&mut population);
        let num = offspring.len().min(population.len() - elites);
        let slots = cx.rng.sample_indices(population.len() - elites, num);
        for (slot, o) in slots.into_iter().zip(offspring) {
            population[elites + slot] = o;
        }
        Ok(population)
    }
}

/// (mu + lambda): the best `len(population)` of offspring and the **whole
/// population** together, best first, offspring before population on ties
/// (`plus_replacement`).
///
/// Deliberate difference: some inspyred releases pool the offspring with the
/// *parents* only; pooling the whole population is the (mu + lambda) strategy
/// and is what inspyred 1.0's current code does.
#[derive(Clone, Copy, Debug, Default)]
pub struct PlusReplacement;

impl Replacer for PlusReplacement {
    fn name(&self) -> &'static str {
        "plus_replacement"
    }

    fn replace(
        &self,
        _cx: &mut Ctx<'_>,
        population: Vec<Individual>,
        _parents: &[Individual],
        mut offspring: Vec<Individual>,
    ) -> Result<Vec<Individual>, EcError> {
        let psize = population.len();
        offspring.extend(population);
        sort_best_first(&mut offspring);
        offspring.truncate(psize);
        Ok(offspring)
    }
}

/// (mu, lambda): the best `len(population)` offspring (`comma_replacement`).
#[derive(Clone, Copy, Debug, Default)]
pub struct CommaReplacement;

impl Replacer for CommaReplacement {
    fn name(&self) -> &'static str {
        "comma_replacement"
    }

    fn replace(
        &self,
        _cx: &mut Ctx<'_>,
        population: Vec<Individual>,
        _parents: &[Individual],
        mut offspring: Vec<Individual>,
    ) -> Result<Vec<Individual>, EcError> {
        sort_best_first(&mut offspring);
        offspring.truncate(population.len());
        Ok(offspring)
    }
}

/// Euclidean distance between candidates (the default of crowding).
#[must_use]
pub fn euclidean(x: &[f64], y: &[f64]) -> f64 {
    x.iter()
        .zip(y)
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
        .sqrt()
}

/// Crowding (De Jong; `crowding_replacement`): each offspring in turn samples
/// `crowding_distance` survivors (capped at their number), finds the closest
/// one by `distance` (first on ties) and replaces it (removed, offspring
/// appended) if the offspring is better.
#[derive(Clone, Copy, Debug)]
pub struct CrowdingReplacement {
    /// inspyred's `distance_function` argument.
    pub distance: fn(&[f64], &[f64]) -> f64,
}

impl Default for CrowdingReplacement {
    fn default() -> Self {
        Self {
            distance: euclidean,
        }
    }
}

impl Replacer for CrowdingReplacement {
    fn name(&self) -> &'static str {
        "crowding_replacement"
    }

    fn replace(
        &self,
        cx: &mut Ctx<'_>,
        population: Vec<Individual>,
        _parents: &[Individual],
        offspring: Vec<Individual>,
    ) -> Result<Vec<Individual>, EcError> {
        let mut survivors = population;
        for o in offspring {
            let pool = cx
                .rng
                .sample_indices(survivors.len(), cx.args.crowding_distance);
            let mut closest: Option<(usize, f64)> = None;
            for i in pool {
                let d = (self.distance)(&o.candidate, &survivors[i].candidate);
                match closest {
                    Some((_, cd)) if !(d < cd) => {}
                    _ => closest = Some((i, d)),
                }
            }
            if let Some((c, _)) = closest
                && o.is_better_than(&survivors[c])
            {
                // Python's list.remove drops the first *equal* element.
                let first = survivors
                    .iter()
                    .position(|s| s.same_as(&survivors[c]))
                    .unwrap_or(c);
                survivors.remove(first);
                survivors.push(o);
            }
        }
        Ok(survivors)
    }
}

/// NSGA-II survivor selection (`nsga_replacement`, Deb et al. 2002).
///
/// Population and offspring are pooled (population first) and split into
/// non-dominated fronts by [`non_dominated_fronts`] (domination is
/// [`Individual::is_worse_than`], so the run's `maximize` applies). Whole
/// fronts are taken in order while they fit into `len(population)`; the front
/// that does not fit is ordered by [`crowding_distances`], largest first
/// (stable), and taken from the front of that order until the population is
/// full. As in inspyred, an individual equal ([`Individual::same_as`]) to one
/// already taken is skipped, so duplicates never survive twice (the next
/// population may then be smaller); and the crowding distance is not
/// normalised by the objectives' ranges.
///
/// inspyred needs Pareto fitness for the crowding distance; a `Single` fitness
/// is treated here as a one-objective vector.
#[derive(Clone, Copy, Debug, Default)]
pub struct NsgaReplacement;

/// Non-dominated fronts of `pool`, as indices: the first front is the
/// individuals no other one beats, the next the same among the rest, and so
/// on. Each front lists its indices in ascending order (inspyred iterates a
/// Python set of small integers, which gives the same order).
///
/// Uses Deb's fast non-dominated sort (`O(n^2)` comparisons once), which
/// yields the same fronts as inspyred's repeated scans.
#[must_use]
pub fn non_dominated_fronts(pool: &[Individual]) -> Vec<Vec<usize>> {
    let n = pool.len();
    let mut dominated_by = vec![0usize; n];
    let mut dominates: Vec<Vec<usize>> = vec![Vec::new(); n];
    for p in 0..n {
        for q in (p + 1)..n {
            if pool[p].is_worse_than(&pool[q]) {
                dominated_by[p] += 1;
                dominates[q].push(p);
            } else if pool[q].is_worse_than(&pool[p]) {
                dominated_by[q] += 1;
                dominates[p].push(q);
            }
        }
    }
    let mut fronts = Vec::new();
    let mut current: Vec<usize> = (0..n).filter(|&p| dominated_by[p] == 0).collect();
    while !current.is_empty() {
        let mut next = Vec::new();
        for &p in &current {
            for &q in &dominates[p] {
                dominated_by[q] -= 1;
                if dominated_by[q] == 0 {
                    next.push(q);
                }
            }
        }
        next.sort_unstable();
        fronts.push(std::mem::replace(&mut current, next));
    }
    fronts
}

/// inspyred's crowding distance of the individuals `front` (indices into
/// `pool`), in the order of `front`: per objective, the front is stably sorted
/// by that objective, both ends get infinity and each inner individual adds
/// the difference of its neighbours' values (not normalised).
#[must_use]
pub fn crowding_distances(pool: &[Individual], front: &[usize]) -> Vec<f64> {
    let n = front.len();
    let mut distance = vec![0.0; n];
    if n == 0 {
        return distance;
    }
    let num_objectives = pool[front[0]].fitness.values().len();
    let value = |k: usize, obj: usize| {
        pool[front[k]]
            .fitness
            .values()
            .get(obj)
            .copied()
            .unwrap_or(f64::NAN)
    };
    for obj in 0..num_objectives {
        let mut order: Vec<usize> = (0..n).collect();
        crate::individual::stable_sort_by_less(&mut order, |&a, &b| value(a, obj) < value(b, obj));
        distance[order[0]] = f64::INFINITY;
        distance[order[n - 1]] = f64::INFINITY;
        for i in 1..n.saturating_sub(1) {
            distance[order[i]] += value(order[i + 1], obj) - value(order[i - 1], obj);
        }
    }
    distance
}

impl Replacer for NsgaReplacement {
    fn name(&self) -> &'static str {
        "nsga_replacement"
    }

    fn replace(
        &self,
        _cx: &mut Ctx<'_>,
        population: Vec<Individual>,
        _parents: &[Individual],
        offspring: Vec<Individual>,
    ) -> Result<Vec<Individual>, EcError> {
        let size = population.len();
        let mut combined = population;
        combined.extend(offspring);
        let fronts = non_dominated_fronts(&combined);
        let mut taken: Vec<usize> = Vec::with_capacity(size);
        let push_new = |taken: &mut Vec<usize>, i: usize| {
            if taken.iter().any(|&t| combined[t].same_as(&combined[i])) {
                false
            } else {
                taken.push(i);
                true
            }
        };
        for front in &fronts {
            if taken.len() + front.len() > size {
                let dist = crowding_distances(&combined, front);
                let mut crowd: Vec<usize> = (0..front.len()).collect();
                crate::individual::stable_sort_by_less(&mut crowd, |&a, &b| dist[b] < dist[a]);
                let left = size - taken.len();
                let mut added = 0;
                for &c in &crowd {
                    if added >= left {
                        break;
                    }
                    if push_new(&mut taken, front[c]) {
                        added += 1;
                    }
                }
                if taken.len() == size {
                    break;
                }
            } else {
                for &f in front {
                    push_new(&mut taken, f);
                }
            }
        }
        let mut slots: Vec<Option<Individual>> = combined.into_iter().map(Some).collect();
        Ok(taken.into_iter().filter_map(|i| slots[i].take()).collect())
    }
}

/// Simulated annealing (`simulated_annealing_replacement`): offspring `i`
/// replaces parent `i` if not worse, or else with probability
/// `exp(-|f_p - f_o| / T)`. The temperature is, in inspyred's order of
/// preference: `temperature * cooling_rate` (both set; the cooled value is kept
/// in [`crate::Memo::temperature`] for the next generation), or
/// `(max_evaluations - evaluations) / max_evaluations`, or
/// `generations / max_generations` (inspyred's formula, rising over the run).
/// Scalar fitness only.
#[derive(Clone, Copy, Debug, Default)]
pub struct SimulatedAnnealingReplacement;

impl Replacer for SimulatedAnnealingReplacement {
    fn name(&self) -> &'static str {
        "simulated_annealing_replacement"
    }

    fn replace(
        &self,
        cx: &mut Ctx<'_>,
        _population: Vec<Individual>,
        parents: &[Individual],
        offspring: Vec<Individual>,
    ) -> Result<Vec<Individual>, EcError> {
        let temp = match (cx.args.temperature, cx.args.cooling_rate) {
            (Some(t0), Some(rate)) => {
                let t = cx.memo.temperature.unwrap_or(t0) * rate;
                cx.memo.temperature = Some(t);
                t
            }
            _ => {
                if let Some(max_e) = cx.args.max_evaluations {
                    (max_e as f64 - cx.num_evaluations as f64) / max_e as f64
                } else if let Some(max_g) = cx.args.max_generations {
                    1.0 - (max_g as f64 - cx.num_generations as f64) / max_g as f64
                } else {
                    return Err(EcError::MissingArg {
                        component: self.name(),
                        arg: "temperature and cooling_rate, max_evaluations or max_generations",
                    });
                }
            }
        };
        let mut new_pop = Vec::with_capacity(parents.len().min(offspring.len()));
        for (p, o) in parents.iter().zip(offspring) {
            if o.is_not_worse_than(p) {
                new_pop.push(o);
                continue;
            }
            let (Some(fp), Some(fo)) = (p.fitness.as_single(), o.fitness.as_single()) else {
                return Err(EcError::ScalarFitnessRequired {
                    component: self.name(),
                });
            };
            if temp > 0.0 && cx.rng.random() < (-(fp - fo).abs() / temp).exp() {
                new_pop.push(o);
            } else {
                new_pop.push(p.clone());
            }
        }
        Ok(new_pop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Args;
    use crate::individual::Fitness;
    use crate::test_util::{fits, pop_of, with_ctx};

    #[test]
    fn generational_with_one_elite_keeps_the_best() {
        let pop = pop_of(&[10.0, 1.0, 2.0], true);
        let off = pop_of(&[3.0, 4.0, 5.0], true);
        let args = Args {
            num_elites: 1,
            ..Default::default()
        };
        let out = with_ctx(&args, 0, |cx| {
            GenerationalReplacement.replace(cx, pop.clone(), &[], off.clone())
        })
        .unwrap();
        assert_eq!(fits(&out), [10.0, 5.0, 4.0]);
        // Weak elitism: an elite worse than every offspring is dropped.
        let pop = pop_of(&[0.5, 0.1, 0.2], true);
        let out = with_ctx(&args, 0, |cx| {
            GenerationalReplacement.replace(cx, pop.clone(), &[], off.clone())
        })
        .unwrap();
        assert_eq!(fits(&out), [5.0, 4.0, 3.0]);
        // Without elites: the offspring, best first.
        let out = with_ctx(&Args::default(), 0, |cx| {
            GenerationalReplacement.replace(cx, pop_of(&[9.0; 3], true), &[], off.clone())
        })
        .unwrap();
        assert_eq!(fits(&out), [5.0, 4.0, 3.0]);
    }

    #[test]
    fn plus_pools_the_whole_population() {
        // The parents are the two worst; the best survivors are non-parents.
        let pop = pop_of(&[9.0, 8.0, 1.0, 0.0], true);
        let parents = vec![pop[2].clone(), pop[3].clone()];
        let off = pop_of(&[5.0, 7.0], true);
        let out = with_ctx(&Args::default(), 0, |cx| {
            PlusReplacement.replace(cx, pop.clone(), &parents, off)
        })
        .unwrap();
        assert_eq!(fits(&out), [9.0, 8.0, 7.0, 5.0]);
    }

    #[test]
    fn comma_uses_offspring_only() {
        let pop = pop_of(&[9.0, 8.0], true);
        let off = pop_of(&[1.0, 3.0, 2.0], true);
        let out = with_ctx(&Args::default(), 0, |cx| {
            CommaReplacement.replace(cx, pop, &[], off)
        })
        .unwrap();
        assert_eq!(fits(&out), [3.0, 2.0]);
    }

    #[test]
    fn truncation_and_steady_state() {
        let pop = pop_of(&[1.0, 4.0, 2.0], false);
        let off = pop_of(&[3.0, 0.0], false);
        let out = with_ctx(&Args::default(), 0, |cx| {
            TruncationReplacement.replace(cx, pop.clone(), &[], off.clone())
        })
        .unwrap();
        assert_eq!(fits(&out), [0.0, 1.0, 2.0]);
        let out = with_ctx(&Args::default(), 0, |cx| {
            SteadyStateReplacement.replace(cx, pop, &[], off)
        })
        .unwrap();
        // Sorted worst first ([4, 2, 1]); the two worst replaced.
        assert_eq!(fits(&out), [3.0, 0.0, 1.0]);
    }

    #[test]
    fn random_replacement_protects_elites() {
        let args = Args {
            num_elites: 1,
            ..Default::default()
        };
        for seed in 0..10 {
            let pop = pop_of(&[1.0, 9.0, 2.0, 3.0], true);
            let off = pop_of(&[0.0, 0.0, 0.0, 0.0], true);
            let out = with_ctx(&args, seed, |cx| {
                RandomReplacement.replace(cx, pop, &[], off)
            })
            .unwrap();
            assert_eq!(fits(&out), [9.0, 0.0, 0.0, 0.0]);
        }
    }

    #[test]
    fn crowding_replaces_the_closest_if_better() {
        let mut pop = pop_of(&[1.0, 1.0], true);
        pop[0].candidate = vec![0.0];
        pop[1].candidate = vec![10.0];
        let mut off = pop_of(&[2.0], true);
        off[0].candidate = vec![9.0];
        let out = with_ctx(&Args::default(), 0, |cx| {
            CrowdingReplacement::default().replace(cx, pop.clone(), &[], off)
        })
        .unwrap();
        let cands: Vec<f64> = out.iter().map(|i| i.candidate[0]).collect();
        assert_eq!(cands, [0.0, 9.0]);
        let mut worse = pop_of(&[0.0], true);
        worse[0].candidate = vec![9.0];
        let out = with_ctx(&Args::default(), 0, |cx| {
            CrowdingReplacement::default().replace(cx, pop, &[], worse)
        })
        .unwrap();
        assert_eq!(fits(&out), [1.0, 1.0]);
    }

    #[test]
    fn annealing_accepts_improvements_and_cools() {
        let parents = pop_of(&[1.0, 1.0], false);
        let off = pop_of(&[0.5, 100.0], false);
        let args = Args {
            temperature: Some(1e-3),
            cooling_rate: Some(0.5),
            ..Default::default()
        };
        let mut memo = crate::Memo::default();
        let out = crate::test_util::with_ctx_memo(&args, 0, &mut memo, |cx| {
            SimulatedAnnealingReplacement.replace(cx, vec![], &parents, off)
        })
        .unwrap();
        assert_eq!(fits(&out), [0.5, 1.0]);
        assert_eq!(memo.temperature, Some(5e-4));
        let err = with_ctx(&Args::default(), 0, |cx| {
            SimulatedAnnealingReplacement.replace(cx, vec![], &parents, pop_of(&[2.0], false))
        });
        assert!(matches!(err, Err(EcError::MissingArg { .. })));
    }

    fn pareto_pop(points: &[[f64; 2]]) -> Vec<Individual> {
        points
            .iter()
            .enumerate()
            .map(|(i, p)| Individual::new(p.to_vec(), Fitness::Pareto(p.to_vec()), i as u64, false))
            .collect()
    }

    #[test]
    fn nsga_fronts_and_crowding() {
        // Minimising. Front 0: (0,4) (1,2) (2,1) (4,0); front 1: (2,3) (3,2);
        // front 2: (4,4).
        let pool = pareto_pop(&[
            [2.0, 3.0],
            [0.0, 4.0],
            [4.0, 4.0],
            [1.0, 2.0],
            [3.0, 2.0],
            [2.0, 1.0],
            [4.0, 0.0],
        ]);
        let fronts = non_dominated_fronts(&pool);
        assert_eq!(fronts, vec![vec![1, 3, 5, 6], vec![0, 4], vec![2]]);
        let d = crowding_distances(&pool, &fronts[0]);
        // (1,2): f1 neighbours 0 and 2, f2 neighbours 1 and 4: 2 + 3.
        // (2,1): f1 neighbours 1 and 4, f2 neighbours 0 and 2: 3 + 2.
        assert_eq!(d, [f64::INFINITY, 5.0, 5.0, f64::INFINITY]);
    }

    #[test]
    fn nsga_replacement_fills_the_last_front_by_crowding() {
        let pop = pareto_pop(&[[0.0, 4.0], [4.0, 4.0], [3.0, 3.0], [4.0, 0.0]]);
        let off = pareto_pop(&[[1.0, 2.0], [2.0, 1.0], [1.5, 1.5], [1.0, 2.0]]);
        let out = with_ctx(&Args::default(), 0, |cx| {
            NsgaReplacement.replace(cx, pop, &[], off)
        })
        .unwrap();
        // Front 0 is everything but (4,4) and (3,3): six > 4, so by crowding
        // distance (ends infinite; (2,1) 4, duplicate (1,2) 2.5, (1.5,1.5) 2,
        // first (1,2) 1.5).
        let vals: Vec<Vec<f64>> = out.iter().map(|i| i.fitness.values().to_vec()).collect();
        assert_eq!(vals, [[0.0, 4.0], [4.0, 0.0], [2.0, 1.0], [1.0, 2.0]]);
        assert_eq!(out[3].birthdate, 3); // the offspring's duplicate, not pop's
        // Smaller pools keep whole fronts in pool order.
        let pop = pareto_pop(&[[0.0, 4.0], [4.0, 4.0]]);
        let off = pareto_pop(&[[5.0, 5.0], [4.0, 0.0]]);
        let out = with_ctx(&Args::default(), 0, |cx| {
            NsgaReplacement.replace(cx, pop, &[], off)
        })
        .unwrap();
        let vals: Vec<Vec<f64>> = out.iter().map(|i| i.fitness.values().to_vec()).collect();
        assert_eq!(vals, [[0.0, 4.0], [4.0, 0.0]]);
    }
}
