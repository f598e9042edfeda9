//! NetPyNE "string functions": Python expressions in `netParams` values that are
//! evaluated per cell, per segment or per connection, compiled once to flat
//! bytecode and evaluated without allocation.
//!
//! ```
//! use ranvier_expr::compile;
//! use ranvier_rng::KeyedRng;
//!
//! let p = compile("0.1*exp(-dist_3D/probLengthConst)", &["dist_3D", "probLengthConst"])?;
//! let mut rng = KeyedRng::from_parts(1, 0, 0);
//! let v = p.eval(&[100.0, 200.0], &mut rng);
//! assert!((v - 0.1 * (-0.5f64).exp()).abs() < 1e-15);
//! assert_eq!(p.used_vars(), &[0, 1]);
//!
//! let w = compile("19 + uniform(-0.5, 0.5)", &[])?;
//! assert!(w.uses_random());
//! assert!((18.5..19.5).contains(&w.eval(&[], &mut rng)));
//! assert_eq!(compile("2**-1 + 7//2", &[])?.constant(), Some(3.5));
//! # Ok::<(), ranvier_expr::ExprError>(())
//! ```
//!
//! # Where NetPyNE uses them
//!
//! NetPyNE (`specs/utils.py::generateStringFunction`) turns the string into
//! `lambda <vars>: <string>` and `eval`s it with numpy's `sin, cos, tan, exp,
//! sqrt, arctan2, remainder, ceil, log, log10, pi, inf, mean, …` in scope. The
//! caller decides which variable names exist (pass them as `vars` to
//! [`compile`]):
//!
//! * connectivity (`network/conn.py::_connStrToFunc`; `probability`,
//!   `convergence`, `divergence`, `weight`, `delay`, `loc`, …): `pre_x`, `pre_y`,
//!   `pre_z`, `pre_xnorm`, `pre_ynorm`, `pre_znorm`, `post_*` likewise, `dist_x`,
//!   `dist_y`, `dist_z` (absolute differences), `dist_3D`, `dist_3D_border`,
//!   `dist_2D` (x–z plane), `dist_xnorm`, `dist_ynorm`, `dist_znorm`,
//!   `dist_norm3D`, `dist_norm2D`, plus every numeric attribute of `netParams`
//!   as a named constant;
//! * stimulation targets (`network/stim.py`): `post_x` … `post_znorm` plus the
//!   numeric `netParams` attributes;
//! * cell/section parameters (`cell/compartCell.py`): `x`, `y`, `z`, `xnorm`,
//!   `ynorm`, `znorm`, `dist_path`, `dist_euclidean` (segment-specific; not for
//!   `cellVars`); synaptic mechanism parameters: `post_x` …,
//!   `post_dist_path`, `post_dist_euclidean`.
//!
//! # Language
//!
//! The subset of Python expressions these strings use, on `f64`:
//!
//! * literals: `3`, `1.5`, `.5`, `5.`, `1e-3`, `1_000`, `True` (1), `False` (0);
//! * names: the variables passed to [`compile`] (they shadow the constants
//!   `pi`, `e`, `inf`);
//! * operators, loosest to tightest:
//!   `x if c else y` < `or` < `and` < `not` < comparisons
//!   (`< <= > >= == !=`, chainable: `a < b < c` is `a < b and b < c` with `b`
//!   evaluated once) < `+ -` < `* / // %` < unary `- +` < `**`.
//!   `**` is right-associative and binds tighter than a unary minus on its left
//!   but accepts one on its right: `-2**2 == -4`, `2**-1 == 0.5`,
//!   `2**3**2 == 512`;
//! * Python float semantics: `//` is floor division and `%` takes the sign of
//!   the divisor (`-7//2 == -4`, `-7%3 == 2`); comparisons give 1.0/0.0;
//!   `and`/`or` return an operand (`0 or 5 == 5`, `3 and 0 == 0`) and
//!   short-circuit (an unevaluated operand draws no random numbers); NaN is
//!   truthy. Division or modulo by zero does not raise but follows numpy
//!   (`1/0 == inf`, `0/0` and `x % 0` are NaN); `(-8)**(1/3)` is NaN (Python
//!   would return a complex number);
//! * functions (positional arguments, trailing comma allowed): `exp`, `log`
//!   (natural), `log10`, `sqrt`, `sin`, `cos`, `tan`, `arcsin`/`asin`,
//!   `arccos`/`acos`, `arctan`/`atan`, `sinh`, `cosh`, `tanh`,
//!   `arctan2(y, x)`/`atan2`, `abs`, `fabs`, `floor`, `ceil`, `round(x)`
//!   (half to even, as Python 3), `round(x, n)` (decimal digits, computed by
//!   scaling), `int(x)` (truncation), `float(x)`, `min(a, b, …)`,
//!   `max(a, b, …)`, `pow(x, y)`, `remainder(x, y)` (numpy: sign of divisor);
//! * random draws (below), optionally written `rand.<method>(…)`.
//!
//! Not supported (compile errors): strings, lists, attribute access other than
//! `rand.<method>`, keyword arguments, `lambda`, `in`, `is`, bitwise operators.
//!
//! # Random functions
//!
//! NetPyNE rewrites each method name to `rand.<method>`, a NEURON `h.Random`
//! seeded per cell or per connection, so each call *re-selects the
//! distribution and returns one draw* with NEURON's parameter conventions
//! (`src/ivoc/ivocrand.cpp` and the libg++ classes in `src/gnu/`). Here the
//! draws come from the [`RandomSource`] passed to [`Program::eval`]; streams
//! are not bit-identical to NEURON's, the distributions are. See [`dist`] for
//! the algorithms.
//!
//! | call | distribution | mean | variance |
//! |---|---|---|---|
//! | `uniform(low, high)` | continuous uniform on `[low, high)` | `(l+h)/2` | `(h-l)²/12` |
//! | `discunif(low, high)` | integers `low..=high` (bounds truncated) | `(l+h)/2` | `((h-l+1)²-1)/12` |
//! | `normal(mean, variance)` | Gaussian — **second argument is the variance** | `mean` | `variance` |
//! | `lognormal(mean, variance)` | log-normal with this mean/variance of the *result* | `\|mean\|` | `variance` |
//! | `negexp(mean)` | exponential | `mean` | `mean²` |
//! | `poisson(mean)` | Poisson | `mean` | `mean` |
//! | `binomial(N, p)` | successes in `int(N)` trials | `Np` | `Np(1-p)` |
//! | `geometric(q)` | trials until a uniform `>= q`, `P(k) = q^(k-1)(1-q)`, `k ≥ 1` — **`q` is not the mean** | `1/(1-q)` | `q/(1-q)²` |
//! | `hypergeo(mean, variance)` | **hyperexponential** (libg++ misnomer), needs `variance ≥ mean²` | `mean` | `variance` |
//! | `erlang(mean, variance)` | gamma, shape `k = max(1, int(mean²/variance + 0.5))`, rate `k/mean` | `mean` | `mean²/k` |
//! | `weibull(alpha, beta)` | `(beta·E)^(1/alpha)`, `E ~ Exp(1)`: shape `alpha`, scale `beta^(1/alpha)` | `β^(1/α) Γ(1+1/α)` | `β^(2/α)(Γ(1+2/α) − Γ(1+1/α)²)` |
//!
//! Invalid arguments (those NEURON rejects, such as `binomial` with `p > 1`)
//! evaluate to NaN rather than failing.
//!
//! # Differences from NetPyNE's textual processing
//!
//! NetPyNE finds random methods and variables by *substring* matching on the
//! raw string; this crate tokenizes properly, which accepts strictly more
//! valid inputs:
//!
//! * method names are replaced everywhere in the text, so in NetPyNE a name
//!   merely containing `uniform`/`normal`/… is corrupted, and a user-written
//!   `rand.uniform(…)` becomes `rand.rand.uniform(…)` (an error); here both work;
//! * a variable is passed to the lambda only if its name occurs in the string
//!   and `name + "norm"` does not, so NetPyNE cannot evaluate an expression
//!   using both `post_y` and `post_ynorm` (or `x` and `xnorm`); here it can.

pub mod dist;
mod lexer;
mod ops;
mod parser;
mod program;

use std::ops::Range;

pub use program::{MAX_STACK, Program};

/// A compile error: a message and the byte range of the offending source text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ExprError {
    /// Human-readable description.
    pub message: String,
    /// Byte range in the source (empty at the end of input for "unexpected end").
    pub span: Range<usize>,
}

impl ExprError {
    pub(crate) fn new(message: impl Into<String>, span: Range<usize>) -> Self {
        Self {
            message: message.into(),
            span,
        }
    }

    /// 1-based column (in chars) of the start of the span within `src`.
    #[must_use]
    pub fn column(&self, src: &str) -> usize {
        let start = self.span.start.min(src.len());
        let prefix = src.get(..start).unwrap_or_else(|| {
            // Not a char boundary (span from another string): count whole chars before it.
            let mut b = start;
            while !src.is_char_boundary(b) {
                b -= 1;
            }
            &src[..b]
        });
        prefix.chars().count() + 1
    }

    /// The message followed by the source line and a caret marker under the span.
    #[must_use]
    pub fn render(&self, src: &str) -> String {
        let col = self.column(src);
        let width = src
            .get(self.span.clone())
            .map_or(1, |s| s.chars().count().max(1));
        format!(
            "{}\n  {src}\n  {}{}",
            self.message,
            " ".repeat(col - 1),
            "^".repeat(width)
        )
    }
}

/// A source of random numbers for the random functions.
pub trait RandomSource {
    /// Uniform draw in `[0, 1)`.
    fn uniform01(&mut self) -> f64;
    /// Standard normal draw (mean 0, variance 1).
    fn normal01(&mut self) -> f64;
}

impl RandomSource for ranvier_rng::KeyedRng {
    fn uniform01(&mut self) -> f64 {
        self.uniform()
    }

    fn normal01(&mut self) -> f64 {
        self.normal()
    }
}

impl<R: RandomSource + ?Sized> RandomSource for &mut R {
    fn uniform01(&mut self) -> f64 {
        (**self).uniform01()
    }

    fn normal01(&mut self) -> f64 {
        (**self).normal01()
    }
}

/// Compile `src`; the allowed variable names are `vars` (a variable's value is
/// passed to [`Program::eval`] at the same index).
///
/// Unknown names are reported at the identifier, with a "did you mean" hint
/// when a variable, constant or function name is within a small edit distance;
/// wrong argument counts are reported at the call. Constant subexpressions are
/// folded. Rejected as too complex: expressions needing more than
/// [`MAX_STACK`] evaluation stack slots, nested more than about 100 levels of
/// parentheses, or whose syntax tree is deeper than 256 (e.g. a flat sum of
/// more than 256 terms).
pub fn compile(src: &str, vars: &[&str]) -> Result<Program, ExprError> {
    let toks = lexer::tokenize(src)?;
    let tree = parser::Parser::new(toks, vars).parse_all()?;
    let tree = program::fold(tree);
    program::generate(&tree, vars.len(), src.len())
}

/// Names of all callable functions (math and random), for tooling.
#[must_use]
pub fn function_names() -> Vec<&'static str> {
    ops::FUNCTIONS.iter().map(|f| f.0).collect()
}

/// Names of the random functions (NEURON `Random` methods).
#[must_use]
pub fn random_function_names() -> Vec<&'static str> {
    ops::FUNCTIONS
        .iter()
        .filter(|f| matches!(f.1, ops::Func::Rand(_)))
        .map(|f| f.0)
        .collect()
}
