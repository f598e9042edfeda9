//! Crossovers (inspyred's `variators/crossovers.py`).

use super::Variator;
use crate::bounder::clamp_py;
use crate::ec::Ctx;
use crate::error::EcError;
use crate::individual::Individual;

/// One mating of two parents (inspyred's function under `@crossover`).
trait Mate {
    fn name(&self) -> &'static str;
    fn mate(&self, cx: &mut Ctx<'_>, mom: &[f64], dad: &[f64]) -> Result<[Vec<f64>; 2], EcError>;
}

/// inspyred's `@crossover` wrapper: drop an odd last candidate, pair
/// consecutive candidates, two children per pair.
fn pairwise(
    m: &impl Mate,
    cx: &mut Ctx<'_>,
    candidates: &[Vec<f64>],
) -> Result<Vec<Vec<f64>>, EcError> {
    let mut children = Vec::with_capacity(candidates.len());
    for pair in candidates.chunks_exact(2) {
        let [bro, sis] = m.mate(cx, &pair[0], &pair[1])?;
        children.push(bro);
        children.push(sis);
    }
    Ok(children)
}

macro_rules! crossover_variator {
    ($t:ty) => {
        impl Variator for $t {
            fn name(&self) -> &'static str {
                Mate::name(self)
            }

            fn vary(
                &self,
                cx: &mut Ctx<'_>,
                _population: &[Individual],
                candidates: Vec<Vec<f64>>,
            ) -> Result<Vec<Vec<f64>>, EcError> {
                pairwise(self, cx, &candidates)
            }
        }
    };
}

fn points(
    component: &'static str,
    arg: &'static str,
    given: Option<&Vec<usize>>,
    len: usize,
) -> Result<Vec<usize>, EcError> {
    match given {
        None => Ok((0..len).collect()),
        Some(p) => {
            if let Some(&bad) = p.iter().find(|&&i| i >= len) {
                Err(EcError::InvalidArg {
                    component,
                    arg,
                    reason: format!("gene index {bad} out of range for length {len}"),
                })
            } else {
                Ok(p.clone())
            }
        }
    }
}

/// `n_point_crossover`: with probability `crossover_rate`, cut both parents at
/// `min(len - 1, num_crossover_points)` distinct points drawn from `1..len` and
/// swap every other segment (the segment after the first cut, the one after
/// the third, …). Children are `[bro, sis]` with `bro` built on dad, `sis` on
/// mom.
///
/// Deliberate difference: inspyred 1.0's loop flips its "swap" flag back right
/// after each swapped gene, so it only exchanges the genes *at* the cut points;
/// here whole segments are exchanged, as n-point crossover is defined.
#[derive(Clone, Copy, Debug, Default)]
pub struct NPointCrossover;

impl Mate for NPointCrossover {
    fn name(&self) -> &'static str {
        "n_point_crossover"
    }

    fn mate(&self, cx: &mut Ctx<'_>, mom: &[f64], dad: &[f64]) -> Result<[Vec<f64>; 2], EcError> {
        if !(cx.rng.random() < cx.args.crossover_rate) {
            return Ok([mom.to_vec(), dad.to_vec()]);
        }
        let len = mom.len().min(dad.len());
        let num_cuts = len.saturating_sub(1).min(cx.args.num_crossover_points);
        let mut cuts: Vec<usize> = cx
            .rng
            .sample_indices(len.saturating_sub(1), num_cuts)
            .into_iter()
            .map(|i| i + 1)
            .collect();
        cuts.sort_unstable();
        let mut bro = dad.to_vec();
        let mut sis = mom.to_vec();
        let mut swapping = false;
        let mut next_cut = 0;
        for i in 0..len {
            if next_cut < cuts.len() && cuts[next_cut] == i {
                swapping = !swapping;
                next_cut += 1;
            }
            if swapping {
                bro[i] = mom[i];
                sis[i] = dad[i];
            }
        }
        Ok([bro, sis])
    }
}
crossover_variator!(NPointCrossover);

/// `uniform_crossover`: with probability `crossover_rate`, swap each gene with
/// probability `ux_bias` (one draw per gene).
#[derive(Clone, Copy, Debug, Default)]
pub struct UniformCrossover;

impl Mate for UniformCrossover {
    fn name(&self) -> &'static str {
        "uniform_crossover"
    }

    fn mate(&self, cx: &mut Ctx<'_>, mom: &[f64], dad: &[f64]) -> Result<[Vec<f64>; 2], EcError> {
        if !(cx.rng.random() < cx.args.crossover_rate) {
            return Ok([mom.to_vec(), dad.to_vec()]);
        }
        let mut bro = dad.to_vec();
        let mut sis = mom.to_vec();
        for (i, (&m, &d)) in mom.iter().zip(dad).enumerate() {
            if cx.rng.random() < cx.args.ux_bias {
                bro[i] = m;
                sis[i] = d;
            }
        }
        Ok([bro, sis])
    }
}
crossover_variator!(UniformCrossover);

/// `partially_matched_crossover` (PMX) for permutations: copy a random slice
/// from the other parent and repair the rest by following the mapping.
#[derive(Clone, Copy, Debug, Default)]
pub struct PartiallyMatchedCrossover;

impl Mate for PartiallyMatchedCrossover {
    fn name(&self) -> &'static str {
        "partially_matched_crossover"
    }

    fn mate(&self, cx: &mut Ctx<'_>, mom: &[f64], dad: &[f64]) -> Result<[Vec<f64>; 2], EcError> {
        if !(cx.rng.random() < cx.args.crossover_rate) {
            return Ok([mom.to_vec(), dad.to_vec()]);
        }
        let size = mom.len().min(dad.len());
        if size < 2 {
            return Ok([dad.to_vec(), mom.to_vec()]);
        }
        let pts = cx.rng.sample_indices(size, 2);
        let (x, y) = (pts[0].min(pts[1]), pts[0].max(pts[1]));
        let mut bro = dad.to_vec();
        bro[x..=y].copy_from_slice(&mom[x..=y]);
        let mut sis = mom.to_vec();
        sis[x..=y].copy_from_slice(&dad[x..=y]);
        for (parent, child) in [(dad, &mut bro), (mom, &mut sis)] {
            for i in x..=y {
                if !child[x..=y].contains(&parent[i]) {
                    let mut spot = i;
                    // Follow the mapping out of the copied slice; bounded by
                    // `size` steps so a non-permutation cannot loop forever.
                    let mut steps = 0;
                    while (x..=y).contains(&spot) && steps <= size {
                        match parent.iter().position(|&v| v == child[spot]) {
                            Some(p) => spot = p,
                            None => break,
                        }
                        steps += 1;
                    }
                    if !(x..=y).contains(&spot) {
                        child[spot] = parent[i];
                    }
                }
            }
        }
        Ok([bro, sis])
    }
}
crossover_variator!(PartiallyMatchedCrossover);

/// `arithmetic_crossover`: on the genes `ax_points` (default all),
/// `bro = a mom + (1 - a) dad`, `sis = a dad + (1 - a) mom` with
/// `a = ax_alpha`; both children bounded.
#[derive(Clone, Copy, Debug, Default)]
pub struct ArithmeticCrossover;

impl Mate for ArithmeticCrossover {
    fn name(&self) -> &'static str {
        "arithmetic_crossover"
    }

    fn mate(&self, cx: &mut Ctx<'_>, mom: &[f64], dad: &[f64]) -> Result<[Vec<f64>; 2], EcError> {
        if !(cx.rng.random() < cx.args.crossover_rate) {
            return Ok([mom.to_vec(), dad.to_vec()]);
        }
        let a = cx.args.ax_alpha;
        let mut bro = dad.to_vec();
        let mut sis = mom.to_vec();
        let len = mom.len().min(dad.len());
        for i in points(
            Mate::name(self),
            "ax_points",
            cx.args.ax_points.as_ref(),
            len,
        )? {
            bro[i] = a * mom[i] + (1.0 - a) * dad[i];
            sis[i] = a * dad[i] + (1.0 - a) * mom[i];
        }
        cx.bounder.bound(&mut bro);
        cx.bounder.bound(&mut sis);
        Ok([bro, sis])
    }
}
crossover_variator!(ArithmeticCrossover);

/// `blend_crossover` (BLX-alpha): on the genes `blx_points` (default all), each
/// child gene is uniform in `[lo - d, hi + d]` with `d = blx_alpha (hi - lo)`
/// (draw for `bro`, then for `sis`); both children bounded.
#[derive(Clone, Copy, Debug, Default)]
pub struct BlendCrossover;

impl Mate for BlendCrossover {
    fn name(&self) -> &'static str {
        "blend_crossover"
    }

    fn mate(&self, cx: &mut Ctx<'_>, mom: &[f64], dad: &[f64]) -> Result<[Vec<f64>; 2], EcError> {
        if !(cx.rng.random() < cx.args.crossover_rate) {
            return Ok([mom.to_vec(), dad.to_vec()]);
        }
        let alpha = cx.args.blx_alpha;
        let mut bro = dad.to_vec();
        let mut sis = mom.to_vec();
        let len = mom.len().min(dad.len());
        for i in points(
            Mate::name(self),
            "blx_points",
            cx.args.blx_points.as_ref(),
            len,
        )? {
            let (lo, hi) = if dad[i] < mom[i] {
                (dad[i], mom[i])
            } else {
                (mom[i], dad[i])
            };
            let delta = alpha * (hi - lo);
            bro[i] = lo - delta + cx.rng.random() * (hi - lo + 2.0 * delta);
            sis[i] = lo - delta + cx.rng.random() * (hi - lo + 2.0 * delta);
        }
        cx.bounder.bound(&mut bro);
        cx.bounder.bound(&mut sis);
        Ok([bro, sis])
    }
}
crossover_variator!(BlendCrossover);

/// `heuristic_crossover`: children lie between the parents, on the segment
/// from the worse one towards the better one: `worse + r (better - worse)`,
/// `r` uniform in `[0, 1)` per gene and child. Parents' fitness is looked up in the current
/// population by candidate (the last match wins, like inspyred's dict); a
/// candidate not found there (changed by an earlier variator, where inspyred
/// raises `KeyError`) counts as not better. Both children bounded.
#[derive(Clone, Copy, Debug, Default)]
pub struct HeuristicCrossover;

impl Variator for HeuristicCrossover {
    fn name(&self) -> &'static str {
        "heuristic_crossover"
    }

    fn vary(
        &self,
        cx: &mut Ctx<'_>,
        population: &[Individual],
        candidates: Vec<Vec<f64>>,
    ) -> Result<Vec<Vec<f64>>, EcError> {
        let lookup = |c: &[f64]| population.iter().rev().find(|p| p.candidate == c);
        let mut children = Vec::with_capacity(candidates.len());
        for pair in candidates.chunks_exact(2) {
            let (mom, dad) = (&pair[0], &pair[1]);
            if !(cx.rng.random() < cx.args.crossover_rate) {
                children.push(mom.clone());
                children.push(dad.clone());
                continue;
            }
            let mom_is_better = match (lookup(mom), lookup(dad)) {
                (Some(m), Some(d)) => m.is_better_than(d),
                _ => false,
            };
            let mut bro = dad.clone();
            let mut sis = mom.clone();
            for (i, (&m, &d)) in mom.iter().zip(dad).enumerate() {
                let negpos = if mom_is_better { 1.0 } else { -1.0 };
                let val = if mom_is_better { d } else { m };
                bro[i] = val + cx.rng.random() * negpos * (m - d);
                sis[i] = val + cx.rng.random() * negpos * (m - d);
            }
            cx.bounder.bound(&mut bro);
            cx.bounder.bound(&mut sis);
            children.push(bro);
            children.push(sis);
        }
        Ok(children)
    }
}

/// `simulated_binary_crossover` (SBX, Deb & Agrawal) with distribution index
/// `sbx_distribution_index`, using the bounder's limits (a gene without limits
/// is treated as unbounded, where inspyred fails). Genes equal in both parents
/// are left as they are, without draws (inspyred's `ZeroDivisionError` path).
#[derive(Clone, Copy, Debug, Default)]
pub struct SimulatedBinaryCrossover;

impl Mate for SimulatedBinaryCrossover {
    fn name(&self) -> &'static str {
        "simulated_binary_crossover"
    }

    fn mate(&self, cx: &mut Ctx<'_>, mom: &[f64], dad: &[f64]) -> Result<[Vec<f64>; 2], EcError> {
        if !(cx.rng.random() < cx.args.crossover_rate) {
            return Ok([mom.to_vec(), dad.to_vec()]);
        }
        let di = cx.args.sbx_distribution_index;
        let mut bro = dad.to_vec();
        let mut sis = mom.to_vec();
        for (i, (&m0, &d0)) in mom.iter().zip(dad).enumerate() {
            let (lb, ub) = cx
                .bounder
                .limits(i)
                .unwrap_or((f64::NEG_INFINITY, f64::INFINITY));
            let (m, d) = if m0 > d0 { (d0, m0) } else { (m0, d0) };
            if d - m == 0.0 {
                continue;
            }
            let near = if m - lb < ub - d { m - lb } else { ub - d };
            let beta = 1.0 + 2.0 * near / (d - m);
            let alpha = 2.0 - 1.0 / beta.powf(di + 1.0);
            let u = cx.rng.random();
            let beta_q = if u <= 1.0 / alpha {
                (u * alpha).powf(1.0 / (di + 1.0))
            } else {
                (1.0 / (2.0 - u * alpha)).powf(1.0 / (di + 1.0))
            };
            let mut bro_val = clamp_py(0.5 * ((m + d) - beta_q * (d - m)), lb, ub);
            let mut sis_val = clamp_py(0.5 * ((m + d) + beta_q * (d - m)), lb, ub);
            if cx.rng.random() > 0.5 {
                std::mem::swap(&mut bro_val, &mut sis_val);
            }
            bro[i] = bro_val;
            sis[i] = sis_val;
        }
        Ok([bro, sis])
    }
}
crossover_variator!(SimulatedBinaryCrossover);

/// `laplace_crossover` (Deep & Thakur): per gene `beta = a ∓ b ln u` (sign
/// chosen by a second draw), `bro = m + beta |m - d|`, `sis = d + beta |m - d|`
/// with `a = lx_location`, `b = lx_scale`; both children bounded.
#[derive(Clone, Copy, Debug, Default)]
pub struct LaplaceCrossover;

impl Mate for LaplaceCrossover {
    fn name(&self) -> &'static str {
        "laplace_crossover"
    }

    fn mate(&self, cx: &mut Ctx<'_>, mom: &[f64], dad: &[f64]) -> Result<[Vec<f64>; 2], EcError> {
        if !(cx.rng.random() < cx.args.crossover_rate) {
            return Ok([mom.to_vec(), dad.to_vec()]);
        }
        let (a, b) = (cx.args.lx_location, cx.args.lx_scale);
        let mut bro = dad.to_vec();
        let mut sis = mom.to_vec();
        for (i, (&m, &d)) in mom.iter().zip(dad).enumerate() {
            let u = cx.rng.random();
            let beta = if cx.rng.random() <= 0.5 {
                a - b * u.ln()
            } else {
                a + b * u.ln()
            };
            bro[i] = m + beta * (m - d).abs();
            sis[i] = d + beta * (m - d).abs();
        }
        cx.bounder.bound(&mut bro);
        cx.bounder.bound(&mut sis);
        Ok([bro, sis])
    }
}
crossover_variator!(LaplaceCrossover);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Args;
    use crate::bounder::{Bounder, NoBounder};
    use crate::test_util::{pop_of, with_ctx, with_ctx_b};

    fn parents() -> Vec<Vec<f64>> {
        vec![vec![0.0; 6], vec![1.0; 6]]
    }

    #[test]
    fn odd_last_parent_is_dropped() {
        let mut c = parents();
        c.push(vec![5.0; 6]);
        let out = with_ctx(&Args::default(), 1, |cx| UniformCrossover.vary(cx, &[], c)).unwrap();
        assert_eq!(out.len(), 2);
        assert!(out.iter().flatten().all(|&g| g == 0.0 || g == 1.0));
    }

    #[test]
    fn uniform_crossover_bias() {
        // ux_bias 0: children are the parents swapped (bro on dad, sis on mom).
        let args = Args {
            ux_bias: 0.0,
            ..Default::default()
        };
        let out = with_ctx(&args, 1, |cx| UniformCrossover.vary(cx, &[], parents())).unwrap();
        assert_eq!(out, [vec![1.0; 6], vec![0.0; 6]]);
        // ux_bias 1: every gene swapped back.
        let args = Args {
            ux_bias: 1.0,
            ..Default::default()
        };
        let out = with_ctx(&args, 1, |cx| UniformCrossover.vary(cx, &[], parents())).unwrap();
        assert_eq!(out, [vec![0.0; 6], vec![1.0; 6]]);
        // ux_bias 0.5: complementary children, a mixture over many pairs.
        let many: Vec<Vec<f64>> = (0..200).flat_map(|_| parents()).collect();
        let out = with_ctx(&Args::default(), 2, |cx| {
            UniformCrossover.vary(cx, &[], many)
        })
        .unwrap();
        let mut from_mom = 0;
        for pair in out.chunks(2) {
            for g in 0..6 {
                assert_eq!(pair[0][g] + pair[1][g], 1.0);
                from_mom += usize::from(pair[0][g] == 0.0);
            }
        }
        let frac = from_mom as f64 / 1200.0;
        assert!((frac - 0.5).abs() < 0.05, "{frac}");
    }

    #[test]
    fn crossover_rate_zero_copies_parents() {
        let args = Args {
            crossover_rate: 0.0,
            ..Default::default()
        };
        let out = with_ctx(&args, 1, |cx| NPointCrossover.vary(cx, &[], parents())).unwrap();
        assert_eq!(out, parents());
    }

    #[test]
    fn n_point_swaps_segments() {
        let args = Args {
            num_crossover_points: 2,
            ..Default::default()
        };
        let mom: Vec<f64> = (0..8).map(f64::from).collect();
        let dad: Vec<f64> = (10..18).map(f64::from).collect();
        let out = with_ctx(&args, 3, |cx| {
            NPointCrossover.vary(cx, &[], vec![mom.clone(), dad.clone()])
        })
        .unwrap();
        let (bro, sis) = (&out[0], &out[1]);
        // Each child: dad/mom genes by position, exactly one contiguous block
        // taken from the other parent, between the two cuts.
        let from_mom: Vec<bool> = (0..8).map(|i| bro[i] == mom[i]).collect();
        let switches = from_mom.windows(2).filter(|w| w[0] != w[1]).count();
        assert!(!from_mom[0] && (1..=2).contains(&switches), "{from_mom:?}");
        for i in 0..8 {
            assert_eq!(sis[i] == dad[i], from_mom[i]);
        }
    }

    #[test]
    fn arithmetic_is_the_weighted_mean() {
        let out = with_ctx(&Args::default(), 1, |cx| {
            ArithmeticCrossover.vary(cx, &[], parents())
        })
        .unwrap();
        assert_eq!(out, [vec![0.5; 6], vec![0.5; 6]]);
    }

    #[test]
    fn blend_stays_in_the_extended_box_and_bounds() {
        let many: Vec<Vec<f64>> = (0..50).flat_map(|_| parents()).collect();
        let out = with_ctx(&Args::default(), 4, |cx| {
            BlendCrossover.vary(cx, &[], many.clone())
        })
        .unwrap();
        assert!(out.iter().flatten().all(|&g| (-0.1..=1.1).contains(&g)));
        assert!(out.iter().flatten().any(|&g| g < 0.0));
        let b = Bounder::uniform(0.0, 1.0);
        let out = with_ctx_b(&Args::default(), 4, &b, |cx| {
            BlendCrossover.vary(cx, &[], many)
        })
        .unwrap();
        assert!(out.iter().flatten().all(|&g| (0.0..=1.0).contains(&g)));
    }

    #[test]
    fn heuristic_children_start_at_the_worse_parent() {
        // Parent [1,...] is better (maximising): children in [0, 1), from the
        // worse parent towards the better one, whichever order they come in.
        let mut pop = pop_of(&[0.0, 1.0], true);
        pop[0].candidate = vec![0.0; 6];
        pop[1].candidate = vec![1.0; 6];
        for cands in [parents(), vec![vec![1.0; 6], vec![0.0; 6]]] {
            let out = with_ctx(&Args::default(), 5, |cx| {
                HeuristicCrossover.vary(cx, &pop, cands)
            })
            .unwrap();
            assert!(
                out.iter().flatten().all(|&g| (0.0..1.0).contains(&g)),
                "{out:?}"
            );
        }
        // Minimising: [0,...] is better, children in (0, 1].
        for p in &mut pop {
            p.maximize = false;
        }
        let out = with_ctx(&Args::default(), 5, |cx| {
            HeuristicCrossover.vary(cx, &pop, parents())
        })
        .unwrap();
        assert!(
            out.iter().flatten().all(|&g| g > 0.0 && g <= 1.0),
            "{out:?}"
        );
    }

    #[test]
    fn sbx_respects_bounds_and_keeps_equal_genes() {
        let b = Bounder::uniform(0.0, 1.0);
        let mut c = parents();
        c[0][0] = 0.3;
        c[1][0] = 0.3;
        let many: Vec<Vec<f64>> = (0..50).flat_map(|_| c.clone()).collect();
        let out = with_ctx_b(&Args::default(), 6, &b, |cx| {
            SimulatedBinaryCrossover.vary(cx, &[], many)
        })
        .unwrap();
        assert!(out.iter().flatten().all(|&g| (0.0..=1.0).contains(&g)));
        assert!(out.iter().all(|c| c[0] == 0.3));
        let out = with_ctx_b(&Args::default(), 6, &NoBounder, |cx| {
            SimulatedBinaryCrossover.vary(cx, &[], parents())
        })
        .unwrap();
        assert!(out.iter().flatten().all(|g| g.is_finite()));
    }

    #[test]
    fn laplace_is_bounded() {
        let b = Bounder::uniform(-1.0, 2.0);
        let many: Vec<Vec<f64>> = (0..50).flat_map(|_| parents()).collect();
        let out = with_ctx_b(&Args::default(), 7, &b, |cx| {
            LaplaceCrossover.vary(cx, &[], many)
        })
        .unwrap();
        assert!(out.iter().flatten().all(|&g| (-1.0..=2.0).contains(&g)));
    }

    #[test]
    fn pmx_keeps_permutations() {
        let mom: Vec<f64> = (0..8).map(f64::from).collect();
        let dad: Vec<f64> = [3, 7, 5, 1, 6, 0, 2, 4]
            .iter()
            .map(|&v| f64::from(v))
            .collect();
        for seed in 0..20 {
            let out = with_ctx(&Args::default(), seed, |cx| {
                PartiallyMatchedCrossover.vary(cx, &[], vec![mom.clone(), dad.clone()])
            })
            .unwrap();
            for child in out {
                let mut s = child.clone();
                s.sort_by(f64::total_cmp);
                assert_eq!(s, mom, "{child:?}");
            }
        }
    }
}
