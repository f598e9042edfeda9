//! Error messages and spans.

use ranvier_expr::{ExprError, compile};

fn err(src: &str, vars: &[&str]) -> ExprError {
    match compile(src, vars) {
        Ok(p) => panic!("{src:?} compiled: {p:?}"),
        Err(e) => e,
    }
}

#[track_caller]
fn check(src: &str, vars: &[&str], needle: &str, spanned: &str) {
    let e = err(src, vars);
    assert!(
        e.message.contains(needle),
        "{src:?}: message {:?} lacks {needle:?}",
        e.message
    );
    assert_eq!(
        &src[e.span.clone()],
        spanned,
        "{src:?}: span of {:?}",
        e.message
    );
    assert_eq!(e.to_string(), e.message);
}

#[test]
fn unknown_identifier_with_suggestion() {
    let vars = ["dist_3D", "post_ynorm", "probLengthConst"];
    let src = "0.1*exp(-dist3D/probLengthConst)";
    let e = err(src, &vars);
    assert_eq!(
        e.message,
        "unknown variable `dist3D`; did you mean `dist_3D`?"
    );
    assert_eq!(&src[e.span.clone()], "dist3D");
    assert_eq!(e.column(src), 10);
    check(
        "post_ynrom * 2",
        &vars,
        "did you mean `post_ynorm`?",
        "post_ynrom",
    );
    check("1 + zzzz", &vars, "unknown variable `zzzz`", "zzzz");
    assert!(!err("1 + zzzz", &vars).message.contains("did you mean"));
    check("true", &[], "did you mean `True`?", "true");
    check("Pi * 2", &[], "did you mean `pi`?", "Pi");
}

#[test]
fn unknown_function_with_suggestion() {
    check(
        "1 + expp(2)",
        &[],
        "unknown function `expp`; did you mean `exp`?",
        "expp",
    );
    check("nromal(0, 1)", &[], "did you mean `normal`?", "nromal");
    check(
        "rand.unifrom(0, 1)",
        &[],
        "unknown Random method `unifrom`; did you mean `uniform`?",
        "unifrom",
    );
    check("x(2)", &["x"], "`x` is not a function", "x");
    check("exp + 1", &[], "`exp` is a function", "exp");
    check("rand.uniform + 1", &[], "must be called", "rand.uniform");
    check("np.exp(1)", &[], "attribute access", "np.");
}

#[test]
fn wrong_argument_count() {
    check(
        "2 * uniform(1)",
        &[],
        "`uniform(low, high)` takes 2 arguments but 1 was given",
        "uniform(1)",
    );
    check(
        "exp(1, 2)",
        &[],
        "takes 1 argument but 2 were given",
        "exp(1, 2)",
    );
    check(
        "normal()",
        &[],
        "takes 2 arguments but 0 were given",
        "normal()",
    );
    check("min(3)", &[], "at least 2 arguments", "min(3)");
    check("round(1, 2, 3)", &[], "1 or 2 arguments", "round(1, 2, 3)");
    check(
        "1 + rand.poisson(1, 2)",
        &[],
        "`poisson(mean)` takes 1 argument",
        "rand.poisson(1, 2)",
    );
}

#[test]
fn missing_parenthesis() {
    let src = "(1 + 2";
    let e = err(src, &[]);
    assert_eq!(e.message, "unclosed `(`: expected `)`");
    assert_eq!(e.span, 0..1);
    assert_eq!(e.column(src), 1);
    check("exp(1 + 2", &[], "unclosed `(` in call to `exp`", "(");
    check(
        "(1 + 2 3)",
        &[],
        "expected `)` or an operator, found number `3`",
        "3",
    );
    check("exp(1 2)", &[], "expected `,` or `)` in call to `exp`", "2");
    check("1 + 2)", &[], "unmatched `)`", ")");
    check("()", &[], "empty parentheses", "()");
}

#[test]
fn trailing_junk_and_bad_operands() {
    check(
        "1 + 2 3",
        &[],
        "unexpected number `3` after the end of the expression",
        "3",
    );
    check("x y", &["x", "y"], "unexpected `y`", "y");
    check("1 +", &[], "unexpected end of input", "");
    check("1 + * 2", &[], "expected an operand, found `*`", "*");
    check("1 if 2", &[], "expected `else`", "");
    check("1 + not 2", &[], "`not` must be parenthesized", "not");
}

#[test]
fn empty_string() {
    for src in ["", "   ", "\t\n"] {
        let e = err(src, &[]);
        assert_eq!(e.message, "empty expression");
        assert_eq!(e.span, src.len()..src.len());
    }
}

#[test]
fn lexical_errors() {
    check("x = 1", &["x"], "use `==`", "=");
    check("'abc'", &[], "string literals", "'");
    check("2 ^ 3", &[], "operator `^` is not supported", "^");
    check("[1]", &[], "lists", "[");
    check("1 $ 2", &[], "unexpected character `$`", "$");
    check("1e+", &[], "exponent has no digits", "1e+");
    check("3x", &[], "invalid number literal `3x`", "3x");
    check(
        "lambda: 1",
        &[],
        "keyword `lambda` is not supported",
        "lambda",
    );
    check("x in y", &["x", "y"], "keyword `in`", "in");
}

#[test]
fn columns_count_chars_not_bytes() {
    let src = "1 + µ";
    let e = err(src, &[]);
    assert_eq!(e.message, "unexpected character `µ`");
    assert_eq!(&src[e.span.clone()], "µ");
    assert_eq!(e.column(src), 5);
    let src = "µ1 + bad";
    // `µ` is rejected first; a span after a multi-byte char still counts chars.
    let e = ExprError {
        message: String::new(),
        span: 5..8,
    };
    assert_eq!(e.column(src), 5);
    // A span that is out of range or not on a char boundary does not panic.
    assert_eq!(
        ExprError {
            message: String::new(),
            span: 1..2
        }
        .column(src),
        1
    );
    assert_eq!(
        ExprError {
            message: String::new(),
            span: 99..99
        }
        .column(src),
        9
    );
}

#[test]
fn render_points_at_span() {
    let src = "1 + expp(2)";
    let e = err(src, &[]);
    let r = e.render(src);
    assert!(r.ends_with("\n  1 + expp(2)\n      ^^^^"), "{r}");
}
