//! Bounding functions: keep candidates inside the legal search space.
//!
//! inspyred's built-in operators assume nothing about the problem and call the
//! bounder the user passes to `evolve`. The [`Bound`] trait is that callable
//! plus the attributes some operators read: per-gene limits
//! (`lower_bound`/`upper_bound`, used by simulated-binary crossover and
//! non-uniform mutation) and the allowed values (`values`, used by random-reset
//! mutation).

use std::fmt;

/// A bounding function.
pub trait Bound: fmt::Debug + Send + Sync {
    /// Move every gene of `candidate` into the legal space, in place.
    fn bound(&self, candidate: &mut [f64]);

    /// `(lower, upper)` of gene `i`, or `None` when the gene is unbounded.
    fn limits(&self, i: usize) -> Option<(f64, f64)>;

    /// The allowed values of a discrete space.
    fn values(&self) -> Option<&[f64]> {
        None
    }
}

/// No bounding (inspyred's `Bounder()` without bounds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoBounder;

impl Bound for NoBounder {
    fn bound(&self, _candidate: &mut [f64]) {}

    fn limits(&self, _i: usize) -> Option<(f64, f64)> {
        None
    }
}

/// Clamp each gene to `[lower[i], upper[i]]` (inspyred's `Bounder`).
///
/// A bound vector of length 1 applies to every gene (inspyred's scalar
/// bounds). Otherwise genes past the shorter of the two vectors are left
/// unbounded, as inspyred's `zip` leaves them.
#[derive(Clone, Debug, PartialEq)]
pub struct Bounder {
    /// Lower bound per gene (or one for all).
    pub lower: Vec<f64>,
    /// Upper bound per gene (or one for all).
    pub upper: Vec<f64>,
}

impl Bounder {
    /// Per-gene bounds.
    #[must_use]
    pub fn new(lower: Vec<f64>, upper: Vec<f64>) -> Self {
        Self { lower, upper }
    }

    /// The same bounds for every gene.
    #[must_use]
    pub fn uniform(lower: f64, upper: f64) -> Self {
        Self::new(vec![lower], vec![upper])
    }

    fn at(v: &[f64], i: usize) -> Option<f64> {
        if v.len() == 1 {
            Some(v[0])
        } else {
            v.get(i).copied()
        }
    }
}

/// `max(min(c, hi), lo)` with Python's `min`/`max` semantics (NaN stays NaN).
#[must_use]
pub fn clamp_py(c: f64, lo: f64, hi: f64) -> f64 {
    let x = if hi < c { hi } else { c };
    if lo > x { lo } else { x }
}

impl Bound for Bounder {
    fn bound(&self, candidate: &mut [f64]) {
        for (i, c) in candidate.iter_mut().enumerate() {
            if let Some((lo, hi)) = self.limits(i) {
                *c = clamp_py(*c, lo, hi);
            }
        }
    }

    fn limits(&self, i: usize) -> Option<(f64, f64)> {
        Some((Self::at(&self.lower, i)?, Self::at(&self.upper, i)?))
    }
}

/// Snap each gene to the nearest allowed value, the earliest listed on ties
/// (inspyred's `DiscreteBounder`). Its limits are the smallest and largest
/// allowed value for every gene.
#[derive(Clone, Debug, PartialEq)]
pub struct DiscreteBounder {
    /// The allowed values.
    pub values: Vec<f64>,
}

impl DiscreteBounder {
    /// A bounder onto `values`.
    #[must_use]
    pub fn new(values: Vec<f64>) -> Self {
        Self { values }
    }

    /// The allowed value closest to `target` (first on ties); `target` when
    /// there are no values.
    #[must_use]
    pub fn closest(&self, target: f64) -> f64 {
        let mut best: Option<(f64, f64)> = None;
        for &v in &self.values {
            let d = (v - target).abs();
            match best {
                Some((_, bd)) if !(d < bd) => {}
                _ => best = Some((v, d)),
            }
        }
        best.map_or(target, |(v, _)| v)
    }
}

impl Bound for DiscreteBounder {
    fn bound(&self, candidate: &mut [f64]) {
        for c in candidate {
            *c = self.closest(*c);
        }
    }

    fn limits(&self, _i: usize) -> Option<(f64, f64)> {
        let mut it = self.values.iter().copied();
        let first = it.next()?;
        let (lo, hi) = it.fold((first, first), |(lo, hi), v| {
            (if v < lo { v } else { lo }, if v > hi { v } else { hi })
        });
        Some((lo, hi))
    }

    fn values(&self) -> Option<&[f64]> {
        Some(&self.values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounder_clamps() {
        let b = Bounder::uniform(0.0, 1.0);
        let mut c = [0.2, -0.1, 0.76, 1.3, 0.4];
        b.bound(&mut c);
        assert_eq!(c, [0.2, 0.0, 0.76, 1.0, 0.4]);
        let b = Bounder::new(vec![0.0, -1.0], vec![1.0, 1.0]);
        let mut c = [-3.0, -3.0, -3.0];
        b.bound(&mut c);
        assert_eq!(c, [0.0, -1.0, -3.0]); // third gene unbounded
        assert_eq!(b.limits(2), None);
    }

    #[test]
    fn discrete_bounder_snaps_first_on_ties() {
        let b = DiscreteBounder::new(vec![1.0, 4.0, 8.0, 16.0]);
        let mut c = [6.0, 10.0, 13.0, 3.0, 4.0, 0.0, 1.0, 12.0, 2.0];
        b.bound(&mut c);
        assert_eq!(c, [4.0, 8.0, 16.0, 4.0, 4.0, 1.0, 1.0, 8.0, 1.0]);
        assert_eq!(b.limits(7), Some((1.0, 16.0)));
    }
}
