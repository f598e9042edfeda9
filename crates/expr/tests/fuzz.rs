//! Property tests: compiling arbitrary input never panics, and evaluating
//! well-formed random expressions never panics.

use proptest::prelude::*;
use ranvier_expr::compile;
use ranvier_rng::KeyedRng;

const VARS: &[&str] = &["x", "y", "dist_3D", "post_ynorm"];

const TOKENS: &[&str] = &[
    "x",
    "y",
    "dist_3D",
    "post_ynorm",
    "dist3D",
    "1",
    "2.5",
    ".5",
    "5.",
    "1e-3",
    "0",
    "+",
    "-",
    "*",
    "/",
    "//",
    "%",
    "**",
    "(",
    ")",
    ",",
    "<",
    "<=",
    ">",
    ">=",
    "==",
    "!=",
    "and",
    "or",
    "not",
    "if",
    "else",
    "True",
    "False",
    "exp",
    "log",
    "min",
    "max",
    "round",
    "uniform",
    "normal",
    "poisson",
    "binomial",
    "rand",
    ".",
    "rand.",
    "pi",
    "inf",
    "=",
    "'",
    "µ",
    " ",
    "1e",
    "lambda",
    "erlang",
    "geometric",
];

fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..40).prop_map(|t| t.join(" "))
}

/// Well-formed expressions over the whole grammar.
fn expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        prop::sample::select(VARS).prop_map(str::to_string),
        (-1e3f64..1e3).prop_map(|v| format!("{v}")),
        prop::sample::select(
            &[
                "0", "1", "2", "0.5", "1e-3", "pi", "e", "inf", "True", "False"
            ][..]
        )
        .prop_map(str::to_string),
    ];
    leaf.prop_recursive(5, 48, 3, |inner| {
        let bin_ops = &[
            "+", "-", "*", "/", "//", "%", "**", "<", "<=", ">", ">=", "==", "!=", "and", "or",
        ][..];
        let f1 = &[
            "exp",
            "log",
            "log10",
            "sqrt",
            "sin",
            "cos",
            "tan",
            "arcsin",
            "arccos",
            "arctan",
            "abs",
            "fabs",
            "floor",
            "ceil",
            "round",
            "int",
            "float",
            "poisson",
            "negexp",
            "geometric",
            "rand.poisson",
        ][..];
        let f2 = &[
            "arctan2",
            "pow",
            "remainder",
            "round",
            "min",
            "max",
            "uniform",
            "discunif",
            "normal",
            "lognormal",
            "binomial",
            "hypergeo",
            "erlang",
            "weibull",
            "rand.normal",
        ][..];
        prop_oneof![
            (inner.clone(), prop::sample::select(bin_ops), inner.clone())
                .prop_map(|(a, o, b)| format!("({a}) {o} ({b})")),
            (prop::sample::select(&["-", "+", "not "][..]), inner.clone())
                .prop_map(|(o, a)| format!("{o}({a})")),
            (prop::sample::select(f1), inner.clone()).prop_map(|(f, a)| format!("{f}({a})")),
            (prop::sample::select(f2), inner.clone(), inner.clone())
                .prop_map(|(f, a, b)| format!("{f}({a}, {b})")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, c, b)| format!("({a}) if ({c}) else ({b})")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("({a}) < ({b}) <= ({c})")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let src = String::from_utf8_lossy(&bytes);
        if let Err(e) = compile(&src, VARS) {
            prop_assert!(e.span.start <= e.span.end && e.span.end <= src.len());
            let _ = e.column(&src);
            let _ = e.render(&src);
        }
    }

    #[test]
    fn token_soups_never_panic(src in token_soup()) {
        match compile(&src, VARS) {
            Ok(p) => {
                let mut rng = KeyedRng::from_parts(1, 2, 3);
                let _ = p.eval(&[1.0, -2.0, 3.0, 0.5], &mut rng);
            }
            Err(e) => {
                prop_assert!(e.span.end <= src.len());
                prop_assert!(src.is_char_boundary(e.span.start) && src.is_char_boundary(e.span.end));
                let _ = e.render(&src);
            }
        }
    }

    #[test]
    fn well_formed_expressions_compile_and_evaluate(
        src in expr(),
        vals in prop::collection::vec(-1e3f64..1e3, 4),
        seed in any::<u64>(),
    ) {
        let p = compile(&src, VARS).map_err(|e| TestCaseError::fail(e.render(&src)))?;
        let mut rng = KeyedRng::from_parts(seed, 0, 0);
        let v = p.eval(&vals, &mut rng);
        // Constant programs evaluate to their constant.
        if let Some(c) = p.constant() {
            prop_assert!(c.to_bits() == v.to_bits() || (c.is_nan() && v.is_nan()));
        }
        if !p.uses_random() {
            let again = p.eval(&vals, &mut rng);
            prop_assert!(again.to_bits() == v.to_bits() || (again.is_nan() && v.is_nan()));
        }
        prop_assert!(p.used_vars().windows(2).all(|w| w[0] < w[1]));
        prop_assert!(p.used_vars().iter().all(|&i| i < VARS.len()));
    }
}
