//! Precedence, Python semantics, functions, folding and metadata.

use ranvier_expr::{Program, compile};
use ranvier_rng::KeyedRng;

fn ev(src: &str) -> f64 {
    ev_vars(src, &[], &[])
}

fn ev_vars(src: &str, names: &[&str], vals: &[f64]) -> f64 {
    let p = compile(src, names).unwrap_or_else(|e| panic!("{src}: {}", e.render(src)));
    p.eval(vals, &mut KeyedRng::from_parts(1, 2, 3))
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-12 * (1.0 + b.abs())
}

#[track_caller]
fn check(src: &str, want: f64) {
    let got = ev(src);
    assert!(
        close(got, want) || (got.is_nan() && want.is_nan()),
        "{src}: got {got}, want {want}"
    );
    // The folded constant and the evaluated value agree.
    let p = compile(src, &[]).unwrap();
    if let Some(c) = p.constant() {
        assert!(
            close(c, want) || (c.is_nan() && want.is_nan()),
            "{src}: folded {c}"
        );
    }
}

#[test]
fn python_precedence_and_arithmetic() {
    check("-2**2", -4.0);
    check("2**-1", 0.5);
    check("2**3**2", 512.0);
    check("(-2)**2", 4.0);
    check("-2**-2", -0.25);
    check("7//2", 3.0);
    check("-7//2", -4.0);
    check("7//-2", -4.0);
    check("-7%3", 2.0);
    check("7%-3", -2.0);
    check("7.5%2", 1.5);
    check("1 + 2 * 3", 7.0);
    check("(1 + 2) * 3", 9.0);
    check("10 - 4 - 3", 3.0);
    check("2 * 3 ** 2", 18.0);
    check("-3 * 2", -6.0);
    check("+3 - -2", 5.0);
    check("- - 2", 2.0);
    check("8 / 4 / 2", 1.0);
    check("1 // 0.1", 9.0); // CPython float floor division, not floor(1/0.1) == 10
    check("1e-3 * 1000", 1.0);
    check(".5 + 5.", 5.5);
    check("1_000 + 1", 1001.0);
}

#[test]
fn division_by_zero_is_numpy_like() {
    check("1/0", f64::INFINITY);
    check("-1/0", f64::NEG_INFINITY);
    assert!(ev("0/0").is_nan());
    check("1//0", f64::INFINITY);
    assert!(ev("5 % 0").is_nan());
    check("0**-1", f64::INFINITY);
    assert!(ev("(-8)**(1/3)").is_nan());
}

#[test]
fn boolean_semantics() {
    check("1 if 0 else 2", 2.0);
    check("1 if 3 else 2", 1.0);
    check("0 or 5", 5.0);
    check("3 or 5", 3.0);
    check("3 and 0", 0.0);
    check("3 and 4", 4.0);
    check("0 and 4", 0.0);
    check("not 0", 1.0);
    check("not 2.5", 0.0);
    check("not 1 == 2", 1.0);
    check("True + True", 2.0);
    check("False", 0.0);
    check("1 < 2", 1.0);
    check("2 <= 1", 0.0);
    check("1 == 1.0", 1.0);
    check("1 != 1", 0.0);
    check("3 > 2 >= 2", 1.0);
    check("1 < 3 < 2", 0.0);
    check("1 < 2 < 3 < 4", 1.0);
    check("1 + 2 if 0 else 3 + 4", 7.0);
    check("1 if 0 else 2 if 0 else 3", 3.0);
    check("(1 if 1 else 2) * 10", 10.0);
    check("0 or 0 and 1", 0.0); // and binds tighter than or
    check("1 or 0 and 0", 1.0);
    check("not 0 and 0", 0.0);
    // NaN is truthy in Python.
    check("(0/0 == 0/0) or 7", 7.0);
    assert!(ev("0/0 or 7").is_nan());
}

#[test]
fn chained_comparison_with_variables() {
    let names = ["a", "b", "c"];
    assert_eq!(ev_vars("a < b < c", &names, &[1.0, 2.0, 3.0]), 1.0);
    assert_eq!(ev_vars("a < b < c", &names, &[1.0, 2.0, 2.0]), 0.0);
    assert_eq!(ev_vars("a < b < c", &names, &[3.0, 2.0, 5.0]), 0.0);
    assert_eq!(ev_vars("a < b < c + 1 > 0", &names, &[1.0, 2.0, 2.0]), 1.0);
    assert_eq!(ev_vars("(a < b) + (b < c)", &names, &[1.0, 2.0, 2.0]), 1.0);
    assert_eq!(ev_vars("a and b or c", &names, &[0.0, 2.0, 9.0]), 9.0);
    assert_eq!(ev_vars("a if b else c", &names, &[4.0, 0.0, 9.0]), 9.0);
    assert_eq!(ev_vars("a if b else c", &names, &[4.0, 1.0, 9.0]), 4.0);
    assert_eq!(ev_vars("-a**2", &names, &[3.0, 0.0, 0.0]), -9.0);
    assert_eq!(ev_vars("-a//b", &names, &[7.0, 2.0, 0.0]), -4.0);
    assert_eq!(ev_vars("-a%c", &names, &[7.0, 0.0, 3.0]), 2.0);
}

#[test]
fn functions() {
    let e = std::f64::consts::E;
    let pi = std::f64::consts::PI;
    check("exp(1)", e);
    check("log(e)", 1.0);
    check("log10(1000)", 3.0);
    check("sqrt(16)", 4.0);
    assert!(ev("sqrt(-1)").is_nan());
    check("log(0)", f64::NEG_INFINITY);
    check("sin(pi/2)", 1.0);
    check("cos(0)", 1.0);
    check("tan(pi/4)", 1.0);
    check("arcsin(1)", pi / 2.0);
    check("asin(1)", pi / 2.0);
    check("arccos(1)", 0.0);
    check("acos(-1)", pi);
    check("arctan(1)", pi / 4.0);
    check("atan(1)", pi / 4.0);
    check("arctan2(1, -1)", 3.0 * pi / 4.0);
    check("atan2(-1, -1)", -3.0 * pi / 4.0);
    check("sinh(0) + cosh(0) + tanh(0)", 1.0);
    check("abs(-3.5)", 3.5);
    check("fabs(-2)", 2.0);
    check("floor(-1.5)", -2.0);
    check("ceil(-1.5)", -1.0);
    check("round(2.5)", 2.0);
    check("round(3.5)", 4.0);
    check("round(-0.5)", 0.0);
    check("round(1.2345, 2)", 1.23);
    check("round(1234, -2)", 1200.0);
    check("int(-2.7)", -2.0);
    check("float(3)", 3.0);
    check("min(3, 1, 2)", 1.0);
    check("max(3, 1, 2,)", 3.0);
    check("pow(2, 10)", 1024.0);
    check("remainder(-7, 3)", 2.0);
    check("remainder(7, -3)", -2.0);
    check("pi", pi);
    check("e", e);
    check("inf", f64::INFINITY);
    check("-inf < 0", 1.0);
}

#[test]
fn netpyne_examples() {
    let conn = [
        "pre_x",
        "pre_y",
        "pre_z",
        "post_x",
        "post_y",
        "post_z",
        "dist_3D",
        "post_ynorm",
        "probLengthConst",
    ];
    let vals = [0.0, 0.0, 0.0, 3.0, 4.0, 0.0, 5.0, 0.25, 10.0];
    let got = ev_vars("0.1*exp(-dist_3D/probLengthConst)", &conn, &vals);
    assert!(close(got, 0.1 * (-0.5f64).exp()));
    let got = ev_vars("0.12 + 0.001*post_ynorm", &conn, &vals);
    assert!(close(got, 0.12025));
    // Both a variable and its `...norm` sibling (NetPyNE's substring matching cannot do this).
    let got = ev_vars("post_y + post_ynorm", &conn, &vals);
    assert!(close(got, 4.25));
    let w = ev_vars("19 + uniform(-0.5, 0.5)", &conn, &vals);
    assert!((18.5..19.5).contains(&w));
    let w = ev_vars("19 + rand.uniform(-0.5, 0.5)", &conn, &vals);
    assert!((18.5..19.5).contains(&w));
    let p = compile("dist_3D + post_x + dist_3D", &conn).unwrap();
    assert_eq!(p.used_vars(), &[3, 6]);
}

#[test]
fn variables_shadow_constants() {
    assert_eq!(ev_vars("e * 2", &["e"], &[5.0]), 10.0);
    assert_eq!(ev_vars("pi", &["pi"], &[1.0]), 1.0);
    // ...but a call still means the function.
    assert_eq!(ev_vars("exp(0) + exp", &["exp"], &[2.0]), 3.0);
}

#[test]
fn folding_and_metadata() {
    let p = compile("2 * 3 + sqrt(16)", &[]).unwrap();
    assert_eq!(p.constant(), Some(10.0));
    assert_eq!(p.len(), 1);
    assert!(!p.uses_random());
    assert!(p.used_vars().is_empty());

    let p = compile("x * (2 + 3)", &["y", "x"]).unwrap();
    assert_eq!(p.constant(), None);
    assert_eq!(p.used_vars(), &[1]);
    assert_eq!(p.len(), 3); // Var, Const(5), Mul
    assert_eq!(p.n_vars(), 2);

    // Constant conditions drop the untaken branch (and its variables / draws).
    let p = compile("x if 0 else 4", &["x"]).unwrap();
    assert_eq!(p.constant(), Some(4.0));
    let p = compile("0 and uniform(0, 1)", &[]).unwrap();
    assert!(!p.uses_random());
    assert_eq!(p.constant(), Some(0.0));

    let p = compile("normal(0, 1) * 0", &[]).unwrap();
    assert!(p.uses_random());
    assert_eq!(p.constant(), None);
    let p = compile("x", &["x"]).unwrap();
    assert_eq!(p.constant(), None);
}

#[test]
fn program_is_send_sync_clone() {
    fn assert_traits<T: Send + Sync + Clone + std::fmt::Debug>() {}
    assert_traits::<Program>();
}

#[test]
fn short_circuit_skips_random_draws() {
    let mut a = KeyedRng::from_parts(9, 0, 0);
    let mut b = KeyedRng::from_parts(9, 0, 0);
    let p = compile("x or uniform(0, 1)", &["x"]).unwrap();
    assert_eq!(p.eval(&[2.0], &mut a), 2.0);
    assert_eq!(a, b); // no draw made
    let u = p.eval(&[0.0], &mut a);
    assert_eq!(u, b.uniform());
}

#[test]
fn missing_variable_values_read_as_nan() {
    let p = compile("x + 1", &["x"]).unwrap();
    assert!(p.eval(&[], &mut KeyedRng::from_parts(0, 0, 0)).is_nan());
}

#[test]
fn stack_depth_limit() {
    // Right-nested sums need one stack slot per level.
    let mut src = String::from("x");
    for _ in 0..70 {
        src = format!("x + ({src})");
    }
    let err = compile(&src, &["x"]).unwrap_err();
    assert!(err.message.contains("too complex"), "{}", err.message);
    let wide = format!("min({})", vec!["x"; 65].join(", "));
    let err = compile(&wide, &["x"]).unwrap_err();
    assert!(err.message.contains("too complex"), "{}", err.message);
    let wide = format!("min({})", vec!["x"; 64].join(", "));
    assert_eq!(compile(&wide, &["x"]).unwrap().max_stack_depth(), 64);
    // Absurd nesting is rejected without overflowing the Rust stack.
    let deep = format!("{}x{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(
        compile(&deep, &["x"])
            .unwrap_err()
            .message
            .contains("nested")
    );
    let deep = format!("{}x", "-".repeat(10_000));
    assert!(compile(&deep, &["x"]).is_err());
    let deep = vec!["x"; 10_000].join("**");
    assert!(compile(&deep, &["x"]).is_err());
    let long = vec!["x"; 10_000].join("+");
    assert!(
        compile(&long, &["x"])
            .unwrap_err()
            .message
            .contains("nested")
    );
    // Left-nested sums need only two.
    let src = vec!["x"; 150].join(" + ");
    let p = compile(&src, &["x"]).unwrap();
    assert!(p.max_stack_depth() <= 2);
    assert_eq!(p.eval(&[1.0], &mut KeyedRng::from_parts(0, 0, 0)), 150.0);
}
