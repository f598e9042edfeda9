//! Operators, built-in functions and their numeric semantics (shared by the
//! constant folder and the evaluator).

use crate::RandomSource;
use crate::dist;

/// Binary arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

/// One-argument functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fn1 {
    Exp,
    Log,
    Log10,
    Sqrt,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Abs,
    Floor,
    Ceil,
    Round,
    Trunc,
    Identity,
}

/// Two-argument functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fn2 {
    Atan2,
    Pow,
    Remainder,
    RoundN,
}

/// NEURON `Random` distributions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dist {
    Uniform,
    DiscUnif,
    Normal,
    LogNormal,
    Poisson,
    Binomial,
    Geometric,
    HyperGeo,
    NegExp,
    Erlang,
    Weibull,
}

/// What a callable name refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Func {
    /// 1-argument function; with `Some(f2)`, a 2-argument form also exists.
    F1(Fn1, Option<Fn2>),
    F2(Fn2),
    Min,
    Max,
    Rand(Dist),
}

/// Callable names: (name, function, parameter description).
pub(crate) const FUNCTIONS: &[(&str, Func, &str)] = &[
    ("exp", Func::F1(Fn1::Exp, None), "x"),
    ("log", Func::F1(Fn1::Log, None), "x"),
    ("log10", Func::F1(Fn1::Log10, None), "x"),
    ("sqrt", Func::F1(Fn1::Sqrt, None), "x"),
    ("sin", Func::F1(Fn1::Sin, None), "x"),
    ("cos", Func::F1(Fn1::Cos, None), "x"),
    ("tan", Func::F1(Fn1::Tan, None), "x"),
    ("arcsin", Func::F1(Fn1::Asin, None), "x"),
    ("arccos", Func::F1(Fn1::Acos, None), "x"),
    ("arctan", Func::F1(Fn1::Atan, None), "x"),
    ("asin", Func::F1(Fn1::Asin, None), "x"),
    ("acos", Func::F1(Fn1::Acos, None), "x"),
    ("atan", Func::F1(Fn1::Atan, None), "x"),
    ("sinh", Func::F1(Fn1::Sinh, None), "x"),
    ("cosh", Func::F1(Fn1::Cosh, None), "x"),
    ("tanh", Func::F1(Fn1::Tanh, None), "x"),
    ("abs", Func::F1(Fn1::Abs, None), "x"),
    ("fabs", Func::F1(Fn1::Abs, None), "x"),
    ("floor", Func::F1(Fn1::Floor, None), "x"),
    ("ceil", Func::F1(Fn1::Ceil, None), "x"),
    (
        "round",
        Func::F1(Fn1::Round, Some(Fn2::RoundN)),
        "x[, ndigits]",
    ),
    ("int", Func::F1(Fn1::Trunc, None), "x"),
    ("float", Func::F1(Fn1::Identity, None), "x"),
    ("arctan2", Func::F2(Fn2::Atan2), "y, x"),
    ("atan2", Func::F2(Fn2::Atan2), "y, x"),
    ("pow", Func::F2(Fn2::Pow), "x, y"),
    ("remainder", Func::F2(Fn2::Remainder), "x, y"),
    ("min", Func::Min, "a, b, ..."),
    ("max", Func::Max, "a, b, ..."),
    ("uniform", Func::Rand(Dist::Uniform), "low, high"),
    ("discunif", Func::Rand(Dist::DiscUnif), "low, high"),
    ("normal", Func::Rand(Dist::Normal), "mean, variance"),
    ("lognormal", Func::Rand(Dist::LogNormal), "mean, variance"),
    ("poisson", Func::Rand(Dist::Poisson), "mean"),
    ("binomial", Func::Rand(Dist::Binomial), "N, p"),
    ("geometric", Func::Rand(Dist::Geometric), "mean"),
    ("hypergeo", Func::Rand(Dist::HyperGeo), "mean, variance"),
    ("negexp", Func::Rand(Dist::NegExp), "mean"),
    ("erlang", Func::Rand(Dist::Erlang), "mean, variance"),
    ("weibull", Func::Rand(Dist::Weibull), "alpha, beta"),
];

/// Named constants.
pub(crate) const CONSTANTS: &[(&str, f64)] = &[
    ("pi", std::f64::consts::PI),
    ("e", std::f64::consts::E),
    ("inf", f64::INFINITY),
];

/// Look up a callable name.
pub(crate) fn lookup_function(name: &str) -> Option<(Func, &'static str)> {
    FUNCTIONS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|&(_, f, p)| (f, p))
}

impl Dist {
    /// Number of parameters.
    pub(crate) fn arity(self) -> usize {
        match self {
            Dist::Poisson | Dist::Geometric | Dist::NegExp => 1,
            _ => 2,
        }
    }

    /// Draw one sample (`b` is ignored by 1-parameter distributions).
    pub(crate) fn sample(self, rng: &mut dyn RandomSource, a: f64, b: f64) -> f64 {
        match self {
            Dist::Uniform => dist::uniform(rng, a, b),
            Dist::DiscUnif => dist::discunif(rng, a, b),
            Dist::Normal => dist::normal(rng, a, b),
            Dist::LogNormal => dist::lognormal(rng, a, b),
            Dist::Poisson => dist::poisson(rng, a),
            Dist::Binomial => dist::binomial(rng, a, b),
            Dist::Geometric => dist::geometric(rng, a),
            Dist::HyperGeo => dist::hypergeo(rng, a, b),
            Dist::NegExp => dist::negexp(rng, a),
            Dist::Erlang => dist::erlang(rng, a, b),
            Dist::Weibull => dist::weibull(rng, a, b),
        }
    }
}

/// Python truthiness of a float (NaN is true).
#[inline]
pub(crate) fn truthy(x: f64) -> bool {
    x != 0.0
}

/// Python/numpy `bool` → float.
#[inline]
pub(crate) fn from_bool(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

/// Python float `divmod(a, b)` (CPython `float_divmod`); division by zero gives
/// numpy's results (`±inf`/NaN quotient, NaN remainder) instead of raising.
pub(crate) fn py_divmod(a: f64, b: f64) -> (f64, f64) {
    if b == 0.0 {
        return (a / b, f64::NAN);
    }
    let mut m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 {
        if (b < 0.0) != (m < 0.0) {
            m += b;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(b);
    }
    let fdiv = if div != 0.0 {
        let mut f = div.floor();
        if div - f > 0.5 {
            f += 1.0;
        }
        f
    } else {
        0.0f64.copysign(a / b)
    };
    (fdiv, m)
}

/// Apply a binary operator with Python float semantics.
#[inline]
pub(crate) fn apply_bin(op: BinOp, a: f64, b: f64) -> f64 {
    match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::Div => a / b,
        BinOp::FloorDiv => py_divmod(a, b).0,
        BinOp::Mod => py_divmod(a, b).1,
        BinOp::Pow => a.powf(b),
    }
}

/// Apply a comparison (1.0 / 0.0).
#[inline]
pub(crate) fn apply_cmp(op: CmpOp, a: f64, b: f64) -> f64 {
    from_bool(match op {
        CmpOp::Lt => a < b,
        CmpOp::Le => a <= b,
        CmpOp::Gt => a > b,
        CmpOp::Ge => a >= b,
        CmpOp::Eq => a == b,
        CmpOp::Ne => a != b,
    })
}

/// Apply a one-argument function.
#[inline]
pub(crate) fn apply_fn1(f: Fn1, x: f64) -> f64 {
    match f {
        Fn1::Exp => x.exp(),
        Fn1::Log => x.ln(),
        Fn1::Log10 => x.log10(),
        Fn1::Sqrt => x.sqrt(),
        Fn1::Sin => x.sin(),
        Fn1::Cos => x.cos(),
        Fn1::Tan => x.tan(),
        Fn1::Asin => x.asin(),
        Fn1::Acos => x.acos(),
        Fn1::Atan => x.atan(),
        Fn1::Sinh => x.sinh(),
        Fn1::Cosh => x.cosh(),
        Fn1::Tanh => x.tanh(),
        Fn1::Abs => x.abs(),
        Fn1::Floor => x.floor(),
        Fn1::Ceil => x.ceil(),
        Fn1::Round => x.round_ties_even(),
        Fn1::Trunc => x.trunc(),
        Fn1::Identity => x,
    }
}

/// Apply a two-argument function.
#[inline]
pub(crate) fn apply_fn2(f: Fn2, a: f64, b: f64) -> f64 {
    match f {
        Fn2::Atan2 => a.atan2(b),
        Fn2::Pow => a.powf(b),
        Fn2::Remainder => py_divmod(a, b).1,
        Fn2::RoundN => {
            if !b.is_finite() {
                return f64::NAN;
            }
            let n = b.trunc().clamp(-400.0, 400.0) as i32;
            if n >= 0 {
                let s = 10f64.powi(n);
                let y = (a * s).round_ties_even() / s;
                // Scaling overflowed: the value has no digits to round off.
                if y.is_finite() { y } else { a }
            } else {
                let s = 10f64.powi(-n);
                (a / s).round_ties_even() * s
            }
        }
    }
}

/// Python `min`/`max` over floats: the first argument wins ties, and a NaN
/// argument is only returned when it is first (comparisons with NaN are false).
#[inline]
pub(crate) fn py_min(acc: f64, x: f64) -> f64 {
    if x < acc { x } else { acc }
}

/// See [`py_min`].
#[inline]
pub(crate) fn py_max(acc: f64, x: f64) -> f64 {
    if x > acc { x } else { acc }
}
