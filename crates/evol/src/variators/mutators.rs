//! Mutations (inspyred's `variators/mutators.py`): one mutant per candidate.

use super::Variator;
use crate::ec::Ctx;
use crate::error::EcError;
use crate::individual::Individual;

/// One mutation (inspyred's function under `@mutator`).
trait Mutate {
    fn name(&self) -> &'static str;
    fn mutate(&self, cx: &mut Ctx<'_>, candidate: Vec<f64>) -> Result<Vec<f64>, EcError>;
}

macro_rules! mutator_variator {
    ($t:ty) => {
        impl Variator for $t {
            fn name(&self) -> &'static str {
                Mutate::name(self)
            }

            fn vary(
                &self,
                cx: &mut Ctx<'_>,
                _population: &[Individual],
                candidates: Vec<Vec<f64>>,
            ) -> Result<Vec<Vec<f64>>, EcError> {
                candidates.into_iter().map(|c| self.mutate(cx, c)).collect()
            }
        }
    };
}

/// `gaussian_mutation`: each gene, with probability `mutation_rate`, gets
/// `gauss(gaussian_mean, gaussian_stdev)` added; the mutant is then bounded.
#[derive(Clone, Copy, Debug, Default)]
pub struct GaussianMutation;

impl Mutate for GaussianMutation {
    fn name(&self) -> &'static str {
        "gaussian_mutation"
    }

    fn mutate(&self, cx: &mut Ctx<'_>, mut c: Vec<f64>) -> Result<Vec<f64>, EcError> {
        let (rate, mean, sd) = (
            cx.args.mutation_rate,
            cx.args.gaussian_mean,
            cx.args.gaussian_stdev,
        );
        for g in &mut c {
            if cx.rng.random() < rate {
                *g += cx.rng.gauss(mean, sd);
            }
        }
        cx.bounder.bound(&mut c);
        Ok(c)
    }
}
mutator_variator!(GaussianMutation);

/// `bit_flip_mutation`: when every gene is exactly 0 or 1, flip each with
/// probability `mutation_rate`; other candidates are returned unchanged
/// without draws.
#[derive(Clone, Copy, Debug, Default)]
pub struct BitFlipMutation;

impl Mutate for BitFlipMutation {
    fn name(&self) -> &'static str {
        "bit_flip_mutation"
    }

    fn mutate(&self, cx: &mut Ctx<'_>, mut c: Vec<f64>) -> Result<Vec<f64>, EcError> {
        if c.iter().all(|&g| g == 0.0 || g == 1.0) {
            for g in &mut c {
                if cx.rng.random() < cx.args.mutation_rate {
                    *g = 1.0 - *g;
                }
            }
        }
        Ok(c)
    }
}
mutator_variator!(BitFlipMutation);

/// `random_reset_mutation`: when the bounder lists allowed values, reset each
/// gene with probability `mutation_rate` to a uniformly chosen one; otherwise
/// the candidate is unchanged (no draws).
#[derive(Clone, Copy, Debug, Default)]
pub struct RandomResetMutation;

impl Mutate for RandomResetMutation {
    fn name(&self) -> &'static str {
        "random_reset_mutation"
    }

    fn mutate(&self, cx: &mut Ctx<'_>, mut c: Vec<f64>) -> Result<Vec<f64>, EcError> {
        let Some(values) = cx.bounder.values() else {
            return Ok(c);
        };
        for g in &mut c {
            if cx.rng.random() < cx.args.mutation_rate
                && let Some(&v) = cx.rng.choice(values)
            {
                *g = v;
            }
        }
        Ok(c)
    }
}
mutator_variator!(RandomResetMutation);

/// Two inclusive positions `p <= q` drawn with `randint(0, len - 1)` each.
fn segment(cx: &mut Ctx<'_>, len: usize) -> (usize, usize) {
    let p = cx.rng.randint(0, len - 1);
    let q = cx.rng.randint(0, len - 1);
    (p.min(q), p.max(q))
}

/// `scramble_mutation`: with probability `mutation_rate` per candidate, shuffle
/// a random segment (inspyred then also reverses the shuffled segment; kept).
#[derive(Clone, Copy, Debug, Default)]
pub struct ScrambleMutation;

impl Mutate for ScrambleMutation {
    fn name(&self) -> &'static str {
        "scramble_mutation"
    }

    fn mutate(&self, cx: &mut Ctx<'_>, mut c: Vec<f64>) -> Result<Vec<f64>, EcError> {
        if cx.rng.random() < cx.args.mutation_rate && !c.is_empty() {
            let (p, q) = segment(cx, c.len());
            cx.rng.shuffle(&mut c[p..=q]);
            c[p..=q].reverse();
        }
        Ok(c)
    }
}
mutator_variator!(ScrambleMutation);

/// `inversion_mutation`: with probability `mutation_rate` per candidate,
/// reverse a random segment.
#[derive(Clone, Copy, Debug, Default)]
pub struct InversionMutation;

impl Mutate for InversionMutation {
    fn name(&self) -> &'static str {
        "inversion_mutation"
    }

    fn mutate(&self, cx: &mut Ctx<'_>, mut c: Vec<f64>) -> Result<Vec<f64>, EcError> {
        if cx.rng.random() < cx.args.mutation_rate && !c.is_empty() {
            let (p, q) = segment(cx, c.len());
            c[p..=q].reverse();
        }
        Ok(c)
    }
}
mutator_variator!(InversionMutation);

/// `nonuniform_mutation` (Michalewicz): every gene moves towards its upper or
/// lower limit (even odds) by `(limit distance) (1 - r^e)` with
/// `e = (1 - generation / max_generations)^mutation_strength`, so steps shrink
/// as the run ends. Needs `max_generations`; genes without limits are kept
/// (no draws). Not bounded afterwards (it cannot leave the limits).
#[derive(Clone, Copy, Debug, Default)]
pub struct NonuniformMutation;

impl Mutate for NonuniformMutation {
    fn name(&self) -> &'static str {
        "nonuniform_mutation"
    }

    fn mutate(&self, cx: &mut Ctx<'_>, mut c: Vec<f64>) -> Result<Vec<f64>, EcError> {
        let max_gens = cx.args.max_generations.ok_or(EcError::MissingArg {
            component: Mutate::name(self),
            arg: "max_generations",
        })?;
        let exponent =
            (1.0 - cx.num_generations as f64 / max_gens as f64).powf(cx.args.mutation_strength);
        for (i, g) in c.iter_mut().enumerate() {
            let Some((lo, hi)) = cx.bounder.limits(i) else {
                continue;
            };
            let x = *g;
            *g = if cx.rng.random() <= 0.5 {
                x + (hi - x) * (1.0 - cx.rng.random().powf(exponent))
            } else {
                x - (x - lo) * (1.0 - cx.rng.random().powf(exponent))
            };
        }
        Ok(c)
    }
}
mutator_variator!(NonuniformMutation);

/// NetPyNE's `nonuniform_bounds_mutation` (the mutation of its `custom` batch
/// algorithm, `netpyne.batch.evol`): like [`NonuniformMutation`] but with the
/// fixed exponent `mutation_strength` (default 1), so steps do not shrink
/// over the run and `max_generations` is not needed. Every gene moves towards
/// its upper or lower limit (even odds) by `(limit distance) (1 - r^strength)`;
/// genes without limits are kept (no draws).
#[derive(Clone, Copy, Debug, Default)]
pub struct NonuniformBoundsMutation;

impl Mutate for NonuniformBoundsMutation {
    fn name(&self) -> &'static str {
        "nonuniform_bounds_mutation"
    }

    fn mutate(&self, cx: &mut Ctx<'_>, mut c: Vec<f64>) -> Result<Vec<f64>, EcError> {
        let strength = cx.args.mutation_strength;
        for (i, g) in c.iter_mut().enumerate() {
            let Some((lo, hi)) = cx.bounder.limits(i) else {
                continue;
            };
            let x = *g;
            *g = if cx.rng.random() <= 0.5 {
                x + (hi - x) * (1.0 - cx.rng.random().powf(strength))
            } else {
                x - (x - lo) * (1.0 - cx.rng.random().powf(strength))
            };
        }
        Ok(c)
    }
}
mutator_variator!(NonuniformBoundsMutation);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Args;
    use crate::bounder::{Bounder, DiscreteBounder};
    use crate::test_util::{with_ctx, with_ctx_b};

    #[test]
    fn gaussian_mutation_respects_bounds() {
        let b = Bounder::uniform(-0.5, 0.5);
        let args = Args {
            mutation_rate: 1.0,
            gaussian_stdev: 10.0,
            ..Default::default()
        };
        let cands = vec![vec![0.0; 10]; 20];
        let out = with_ctx_b(&args, 1, &b, |cx| GaussianMutation.vary(cx, &[], cands)).unwrap();
        let genes: Vec<f64> = out.into_iter().flatten().collect();
        assert!(genes.iter().all(|g| (-0.5..=0.5).contains(g)));
        assert!(genes.iter().filter(|&&g| g == 0.5).count() > 50);
        assert!(genes.iter().filter(|&&g| g == -0.5).count() > 50);
    }

    #[test]
    fn gaussian_mutation_rate() {
        let cands = vec![vec![0.0; 100]; 100];
        let out = with_ctx(&Args::default(), 2, |cx| {
            GaussianMutation.vary(cx, &[], cands)
        })
        .unwrap();
        let changed = out.iter().flatten().filter(|&&g| g != 0.0).count();
        assert!((900..1100).contains(&changed), "{changed}");
    }

    #[test]
    fn bit_flip_only_on_binary_candidates() {
        let args = Args {
            mutation_rate: 1.0,
            ..Default::default()
        };
        let out = with_ctx(&args, 3, |cx| {
            BitFlipMutation.vary(cx, &[], vec![vec![0.0, 1.0, 1.0], vec![0.0, 2.0]])
        })
        .unwrap();
        assert_eq!(out, [vec![1.0, 0.0, 0.0], vec![0.0, 2.0]]);
    }

    #[test]
    fn random_reset_uses_allowed_values() {
        let b = DiscreteBounder::new(vec![1.0, 4.0, 8.0]);
        let args = Args {
            mutation_rate: 1.0,
            ..Default::default()
        };
        let out = with_ctx_b(&args, 4, &b, |cx| {
            RandomResetMutation.vary(cx, &[], vec![vec![0.0; 30]])
        })
        .unwrap();
        assert!(out[0].iter().all(|g| [1.0, 4.0, 8.0].contains(g)));
        // Without discrete values: unchanged.
        let out = with_ctx(&args, 4, |cx| {
            RandomResetMutation.vary(cx, &[], vec![vec![0.0; 3]])
        })
        .unwrap();
        assert_eq!(out, [vec![0.0; 3]]);
    }

    #[test]
    fn scramble_and_inversion_permute() {
        let args = Args {
            mutation_rate: 1.0,
            ..Default::default()
        };
        let c: Vec<f64> = (0..10).map(f64::from).collect();
        for seed in 0..10 {
            for v in [&ScrambleMutation as &dyn Variator, &InversionMutation] {
                let out = with_ctx(&args, seed, |cx| v.vary(cx, &[], vec![c.clone()])).unwrap();
                let mut s = out[0].clone();
                s.sort_by(f64::total_cmp);
                assert_eq!(s, c);
            }
        }
        // Inversion reverses one contiguous segment.
        let out = with_ctx(&args, 5, |cx| {
            InversionMutation.vary(cx, &[], vec![c.clone()])
        })
        .unwrap();
        let diff: Vec<usize> = (0..10).filter(|&i| out[0][i] != c[i]).collect();
        if let (Some(&p), Some(&q)) = (diff.first(), diff.last()) {
            for i in p..=q {
                assert_eq!(out[0][i], c[p + q - i]);
            }
        }
    }

    #[test]
    fn nonuniform_stays_within_limits_and_needs_budget() {
        let b = Bounder::uniform(-1.0, 1.0);
        let args = Args {
            max_generations: Some(10),
            ..Default::default()
        };
        let out = with_ctx_b(&args, 6, &b, |cx| {
            NonuniformMutation.vary(cx, &[], vec![vec![0.0; 50]])
        })
        .unwrap();
        assert!(out[0].iter().all(|g| (-1.0..=1.0).contains(g)));
        let err = with_ctx_b(&Args::default(), 6, &b, |cx| {
            NonuniformMutation.vary(cx, &[], vec![vec![0.0; 5]])
        });
        assert!(matches!(err, Err(EcError::MissingArg { .. })));
    }

    #[test]
    fn nonuniform_bounds_mutation_stays_in_bounds_and_moves_every_gene() {
        let b = Bounder::uniform(-1.0, 2.0);
        let args = Args::default();
        let out = with_ctx_b(&args, 3, &b, |cx| {
            NonuniformBoundsMutation.mutate(cx, vec![0.5; 50])
        })
        .unwrap();
        assert!(out.iter().all(|&x| (-1.0..=2.0).contains(&x)));
        assert!(out.iter().all(|&x| x != 0.5));
        assert!(out.iter().any(|&x| x > 0.5) && out.iter().any(|&x| x < 0.5));
        // No `max_generations` needed, unlike inspyred's nonuniform mutation.
        assert!(args.max_generations.is_none());
    }
}
