//! Individuals, fitness values and inspyred's "better/worse" ordering.

use std::cmp::Ordering;
use std::fmt;

/// The value of a candidate solution.
///
/// `Single` is an ordinary number. `Pareto` is inspyred's `emo.Pareto`: a
/// vector of objectives compared by Pareto dominance, every objective taken in
/// the direction of the individual's `maximize` flag.
///
/// The raw order ([`PartialOrd`]) is inspyred's `<` on fitness values, always in
/// the *maximising* sense: `a < b` for `Single` is the numeric order; for
/// `Pareto`, `a < b` when `b` dominates `a` (no objective of `b` smaller, at
/// least one larger). Equal vectors compare `Equal`; mutually non-dominated
/// vectors, or a `Single` against a `Pareto`, are unordered (`None`).
/// [`Individual`] turns this into better/worse using its `maximize` flag.
#[derive(Clone, Debug, PartialEq)]
pub enum Fitness {
    /// One objective.
    Single(f64),
    /// Several objectives, compared by Pareto dominance.
    Pareto(Vec<f64>),
}

impl Fitness {
    /// The scalar value, or `None` for a Pareto fitness.
    #[must_use]
    pub fn as_single(&self) -> Option<f64> {
        match self {
            Self::Single(v) => Some(*v),
            Self::Pareto(_) => None,
        }
    }

    /// The objectives (one element for `Single`).
    #[must_use]
    pub fn values(&self) -> &[f64] {
        match self {
            Self::Single(v) => std::slice::from_ref(v),
            Self::Pareto(v) => v,
        }
    }

    /// inspyred's `self < other` (see the type docs).
    #[must_use]
    pub fn raw_lt(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Single(a), Self::Single(b)) => a < b,
            (Self::Pareto(a), Self::Pareto(b)) => pareto_dominates(b, a),
            _ => false,
        }
    }
}

impl From<f64> for Fitness {
    fn from(v: f64) -> Self {
        Self::Single(v)
    }
}

/// `true` when `a` dominates `b` under maximisation of every objective: no
/// objective of `a` is smaller and at least one is larger (emo.Pareto's `<`,
/// read as `b < a`). Vectors of different lengths are never comparable.
#[must_use]
pub fn pareto_dominates(a: &[f64], b: &[f64]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut not_worse = true;
    let mut strictly_better = false;
    for (&x, &y) in b.iter().zip(a) {
        // `b < a` in emo.Pareto, with x from b and y from a.
        if x > y {
            not_worse = false;
        } else if y > x {
            strictly_better = true;
        }
    }
    not_worse && strictly_better
}

impl PartialOrd for Fitness {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match (self, other) {
            (Self::Single(a), Self::Single(b)) => a.partial_cmp(b),
            (Self::Pareto(a), Self::Pareto(b)) => {
                if a == b {
                    Some(Ordering::Equal)
                } else if pareto_dominates(b, a) {
                    Some(Ordering::Less)
                } else if pareto_dominates(a, b) {
                    Some(Ordering::Greater)
                } else {
                    None
                }
            }
            _ => None,
        }
    }
}

impl fmt::Display for Fitness {
    /// Python's `str()`: `1.5`, `1e-05`, `[1.0, 2.0]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Single(v) => f.write_str(&py_repr(*v)),
            Self::Pareto(v) => f.write_str(&py_list(v)),
        }
    }
}

/// A candidate solution with its fitness.
///
/// `birthdate` is a monotone counter assigned by the evolution loop in creation
/// order (inspyred stores `time.time()`, which is not reproducible).
///
/// Better/worse follow inspyred: with `maximize` a greater fitness is better,
/// otherwise a smaller one. The derived `PartialEq` compares every field,
/// `birthdate` included; inspyred's `==` (candidate, fitness and `maximize`
/// only) is [`Individual::same_as`].
#[derive(Clone, Debug, PartialEq)]
pub struct Individual {
    /// The genes.
    pub candidate: Vec<f64>,
    /// The value of `candidate`.
    pub fitness: Fitness,
    /// Creation counter (0 for the first individual of a run).
    pub birthdate: u64,
    /// Whether greater fitness is better.
    pub maximize: bool,
}

impl Individual {
    /// A new individual.
    #[must_use]
    pub fn new(candidate: Vec<f64>, fitness: Fitness, birthdate: u64, maximize: bool) -> Self {
        Self {
            candidate,
            fitness,
            birthdate,
            maximize,
        }
    }

    /// inspyred's `self < other`: `self` is worse than `other`.
    #[must_use]
    pub fn is_worse_than(&self, other: &Self) -> bool {
        if self.maximize {
            self.fitness.raw_lt(&other.fitness)
        } else {
            other.fitness.raw_lt(&self.fitness)
        }
    }

    /// inspyred's `self > other`: `self` is better than `other`.
    #[must_use]
    pub fn is_better_than(&self, other: &Self) -> bool {
        other.is_worse_than(self)
    }

    /// inspyred's `self >= other` (`other < self or not self < other`).
    #[must_use]
    pub fn is_not_worse_than(&self, other: &Self) -> bool {
        other.is_worse_than(self) || !self.is_worse_than(other)
    }

    /// inspyred's `==`: same candidate, fitness and direction (birthdate ignored).
    #[must_use]
    pub fn same_as(&self, other: &Self) -> bool {
        self.candidate == other.candidate
            && self.fitness == other.fitness
            && self.maximize == other.maximize
    }
}

impl fmt::Display for Individual {
    /// inspyred's `str()`: `[c0, c1, ...] : fitness`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} : {}", py_list(&self.candidate), self.fitness)
    }
}

/// Index of the best individual, the first one on ties (Python's `max`).
/// `None` for an empty slice.
#[must_use]
pub fn best_index(population: &[Individual]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, ind) in population.iter().enumerate() {
        match best {
            Some(b) if !ind.is_better_than(&population[b]) => {}
            _ => best = Some(i),
        }
    }
    best
}

/// Index of the worst individual, the first one on ties (Python's `min`).
#[must_use]
pub fn worst_index(population: &[Individual]) -> Option<usize> {
    let mut worst: Option<usize> = None;
    for (i, ind) in population.iter().enumerate() {
        match worst {
            Some(w) if !ind.is_worse_than(&population[w]) => {}
            _ => worst = Some(i),
        }
    }
    worst
}

/// Stable sort, best first (Python's `population.sort(reverse=True)`).
pub fn sort_best_first(population: &mut Vec<Individual>) {
    stable_sort_by_less(population, |a, b| a.is_better_than(b));
}

/// Stable sort, worst first (Python's `population.sort()`).
pub fn sort_worst_first(population: &mut Vec<Individual>) {
    stable_sort_by_less(population, Individual::is_worse_than);
}

/// Stable merge sort that only asks "is `a` strictly before `b`?".
///
/// Unlike `slice::sort_by` it accepts relations that are not total orders
/// (Pareto dominance, NaN fitness) without panicking; for total orders it gives
/// the same result as any stable sort (and as Python's `list.sort`).
pub fn stable_sort_by_less<T>(items: &mut Vec<T>, less: impl Fn(&T, &T) -> bool + Copy) {
    if items.len() < 2 {
        return;
    }
    let taken = std::mem::take(items);
    *items = merge_sort(taken, less);
}

fn merge_sort<T>(mut left: Vec<T>, less: impl Fn(&T, &T) -> bool + Copy) -> Vec<T> {
    let n = left.len();
    if n < 2 {
        return left;
    }
    let right = left.split_off(n / 2);
    let left = merge_sort(left, less);
    let right = merge_sort(right, less);
    let mut out = Vec::with_capacity(n);
    let mut l = left.into_iter().peekable();
    let mut r = right.into_iter().peekable();
    loop {
        match (l.peek(), r.peek()) {
            (Some(a), Some(b)) => {
                // Take from the right only when strictly before: stable.
                if less(b, a) {
                    out.extend(r.next());
                } else {
                    out.extend(l.next());
                }
            }
            (Some(_), None) => {
                out.extend(l);
                break;
            }
            (None, _) => {
                out.extend(r);
                break;
            }
        }
    }
    out
}

/// Python's `repr()` of a float: shortest round-trip digits, fixed notation for
/// decimal exponents in `-4..16` (with a trailing `.0` when integral),
/// scientific (`1e-05`, `1.5e+16`) otherwise.
#[must_use]
pub fn py_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.to_owned();
    }
    // Rust's `{:e}` gives the shortest round-trip digits, e.g. "-1.2345e-5".
    let sci = format!("{x:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let nd = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    if (-4..16).contains(&exp) {
        let body = if exp < 0 {
            let zeros = "0".repeat(usize::try_from(-exp - 1).unwrap_or(0));
            format!("0.{zeros}{digits}")
        } else if exp + 1 >= nd {
            let zeros = "0".repeat(usize::try_from(exp + 1 - nd).unwrap_or(0));
            format!("{digits}{zeros}.0")
        } else {
            let (int, frac) = digits.split_at(usize::try_from(exp + 1).unwrap_or(0));
            format!("{int}.{frac}")
        };
        format!("{sign}{body}")
    } else {
        let (first, rest) = digits.split_at(1);
        let mant = if rest.is_empty() {
            first.to_owned()
        } else {
            format!("{first}.{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{mant}e{esign}{:02}", exp.abs())
    }
}

/// Python's `str()` of a list of floats: `[1.0, 2.5]`.
#[must_use]
pub fn py_list(values: &[f64]) -> String {
    let parts: Vec<String> = values.iter().map(|&v| py_repr(v)).collect();
    format!("[{}]", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ind(f: f64, maximize: bool) -> Individual {
        Individual::new(vec![f], Fitness::Single(f), 0, maximize)
    }

    #[test]
    fn ordering_follows_direction() {
        assert!(ind(2.0, true).is_worse_than(&ind(4.0, true)));
        assert!(!ind(2.0, false).is_worse_than(&ind(4.0, false)));
        assert!(ind(2.0, false).is_better_than(&ind(4.0, false)));
        assert!(ind(2.0, true).is_not_worse_than(&ind(2.0, true)));
    }

    #[test]
    fn pareto_dominance() {
        let a = Fitness::Pareto(vec![1.0, 2.0]);
        let b = Fitness::Pareto(vec![2.0, 2.0]);
        let c = Fitness::Pareto(vec![0.0, 3.0]);
        assert!(a.raw_lt(&b));
        assert!(!b.raw_lt(&a));
        assert!(!a.raw_lt(&c) && !c.raw_lt(&a));
        assert_eq!(a.partial_cmp(&c), None);
        assert_eq!(a.partial_cmp(&b), Some(Ordering::Less));
        assert_eq!(a.partial_cmp(&a.clone()), Some(Ordering::Equal));
        // Minimising: smaller vector is better.
        let x = Individual::new(vec![], a, 0, false);
        let y = Individual::new(vec![], b, 1, false);
        assert!(x.is_better_than(&y));
    }

    #[test]
    fn sorting_is_stable_and_directional() {
        let mut pop: Vec<Individual> = [3.0, 1.0, 2.0, 1.0]
            .iter()
            .enumerate()
            .map(|(i, &f)| Individual::new(vec![], Fitness::Single(f), i as u64, true))
            .collect();
        sort_best_first(&mut pop);
        let order: Vec<u64> = pop.iter().map(|i| i.birthdate).collect();
        assert_eq!(order, [0, 2, 1, 3]);
        sort_worst_first(&mut pop);
        let order: Vec<u64> = pop.iter().map(|i| i.birthdate).collect();
        assert_eq!(order, [1, 3, 2, 0]);
    }

    #[test]
    fn max_and_min_take_the_first_on_ties() {
        let pop: Vec<Individual> = [1.0, 5.0, 5.0, 0.0, 0.0]
            .iter()
            .map(|&f| ind(f, true))
            .collect();
        assert_eq!(best_index(&pop), Some(1));
        assert_eq!(worst_index(&pop), Some(3));
        assert_eq!(best_index(&[]), None);
    }

    #[test]
    fn python_float_repr() {
        let cases = [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (-2.5, "-2.5"),
            (1e-5, "1e-05"),
            (1.5e-5, "1.5e-05"),
            (0.0001, "0.0001"),
            (123_456.0, "123456.0"),
            (1e16, "1e+16"),
            (1.234_567_890_123_456_7e15, "1234567890123456.8"),
            (0.0, "0.0"),
            (f64::NAN, "nan"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for (x, s) in cases {
            assert_eq!(py_repr(x), s, "{x:e}");
        }
        let i = Individual::new(vec![1.0, 0.5], Fitness::Single(2.0), 0, true);
        assert_eq!(i.to_string(), "[1.0, 0.5] : 2.0");
    }
}
