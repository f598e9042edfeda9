//! Parses every fixture under `tests/fixtures/{ok,err}` and snapshots the tree dump plus
//! the rendered (plain) diagnostics. Files under `ok/` must produce no diagnostics at all.
//! Then targeted checks of the ambiguities the parser settles, spans, and limits.

use std::path::{Path, PathBuf};

use ranvier_hoc::ast::{
    AssignOp, BinOp, Connect, Expr, ExprKind, FuncKind, Program, Stmt, StmtKind, UnOp,
};
use ranvier_span::{RenderStyle, SourceFile, render_all};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The `.hoc` files of one corpus folder, sorted (at least `min` of them).
fn corpus(kind: &str, min: usize) -> Vec<PathBuf> {
    let dir = fixture_dir().join(kind);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "hoc"))
        .collect();
    files.sort();
    assert!(
        files.len() >= min,
        "expected the {kind}/ corpus, found {files:?}"
    );
    files
}

/// Dump + diagnostics for one fixture, and the number of diagnostics.
fn run(path: &Path) -> (String, usize) {
    let text = std::fs::read_to_string(path).expect("fixture is UTF-8");
    let rel = path
        .strip_prefix(fixture_dir())
        .expect("under fixtures")
        .to_string_lossy()
        .replace('\\', "/");
    let (program, diags) = ranvier_hoc::parse(&text);
    let file = SourceFile::new(rel, text);
    let mut out = ranvier_hoc::dump(&program);
    if !diags.is_empty() {
        out.push_str("\n--- diagnostics ---\n");
        out.push_str(&render_all(&diags, &file, RenderStyle::Plain));
        out.push('\n');
    }
    (out, diags.len())
}

fn snapshot_name(path: &Path, kind: &str) -> String {
    let stem = path
        .file_stem()
        .expect("file name")
        .to_string_lossy()
        .into_owned();
    format!("{kind}__{stem}")
}

#[test]
fn ok_fixtures_parse_cleanly() {
    let mut failures = Vec::new();
    for path in corpus("ok", 8) {
        let (out, n) = run(&path);
        if n > 0 {
            failures.push(format!("{}:\n{out}", path.display()));
        }
        insta::assert_snapshot!(snapshot_name(&path, "ok"), out);
    }
    assert!(
        failures.is_empty(),
        "ok/ fixtures with diagnostics:\n{}",
        failures.join("\n")
    );
}

#[test]
fn err_fixtures_report_errors() {
    for path in corpus("err", 6) {
        let (out, n) = run(&path);
        assert!(n > 0, "{} produced no diagnostics", path.display());
        insta::assert_snapshot!(snapshot_name(&path, "err"), out);
    }
}

// ----- helpers ----------------------------------------------------------------------

fn parse_ok(src: &str) -> Program {
    let (p, d) = ranvier_hoc::parse(src);
    assert!(d.is_empty(), "{src:?}: {d:#?}");
    p
}

fn dump_ok(src: &str) -> String {
    ranvier_hoc::dump(&parse_ok(src))
}

fn only_expr(p: &Program) -> &Expr {
    assert_eq!(p.stmts.len(), 1, "{p:#?}");
    match &p.stmts[0].kind {
        StmtKind::Expr(e) => e,
        k => panic!("not an expression statement: {k:?}"),
    }
}

fn text<'a>(src: &'a str, e: &Expr) -> &'a str {
    &src[e.range.to_range()]
}

// ----- expressions ------------------------------------------------------------------

#[test]
fn precedence_and_associativity() {
    let d = dump_ok(
        "x = -2^2\nx = 2^3^2\nx = a - b - c\nx = !a && b || c < d == e\nx = 2^-1*4\nx = a = b += 1",
    );
    assert_eq!(
        d,
        "(= x (neg (^ 2 2)))\n\
         (= x (^ 2 (^ 3 2)))\n\
         (= x (- (- a b) c))\n\
         (= x (|| (&& (not a) b) (== (< c d) e)))\n\
         (= x (* (^ 2 (neg 1)) 4))\n\
         (= x (= a (+= b 1)))\n"
    );
}

#[test]
fn unary_minus_and_power_in_the_tree() {
    let p = parse_ok("y = -2^2");
    let ExprKind::Assign { op, value, .. } = &only_expr(&p).kind else {
        panic!()
    };
    assert_eq!(*op, AssignOp::Set);
    let ExprKind::Unary(UnOp::Neg, inner) = &value.kind else {
        panic!("{value:?}")
    };
    assert!(matches!(inner.kind, ExprKind::Binary(BinOp::Pow, ..)));
}

#[test]
fn postfix_chains() {
    let src = "cell.dend[2].L = obj.method(1).x + a[i][j] + $o1.x + gnabar_hh(0.5)";
    let (p, d) = ranvier_hoc::parse(&format!("proc p() {{ {src} }}"));
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(
        ranvier_hoc::dump(&p),
        "proc p @0..80\n  (= cell.dend[2].L (+ (+ (+ obj.method(1).x a[i][j]) $o1.x) gnabar_hh(0.5)))\n"
    );
    let StmtKind::Func(f) = &p.stmts[0].kind else {
        panic!()
    };
    assert_eq!(f.kind, FuncKind::Proc);
    let StmtKind::Expr(e) = &f.body[0].kind else {
        panic!()
    };
    let ExprKind::Assign { target, .. } = &e.kind else {
        panic!()
    };
    // Member(Index(Member(cell, dend), [2]), L)
    let ExprKind::Member(obj, l) = &target.kind else {
        panic!()
    };
    assert_eq!(l.text, "L");
    let ExprKind::Index(base, idx) = &obj.kind else {
        panic!()
    };
    assert_eq!(idx.len(), 1);
    assert!(
        matches!(&base.kind, ExprKind::Member(c, n) if n.text == "dend"
        && matches!(&c.kind, ExprKind::Name(c) if c.text == "cell"))
    );
    // `a[i][j]` is one index node with two subscripts.
    let dumped = ranvier_hoc::dump(&p);
    assert!(dumped.contains("a[i][j]"));
}

#[test]
fn expression_spans() {
    let src = "x = (1 + 2) * foo.bar[3].baz(4)";
    let p = parse_ok(src);
    let e = only_expr(&p);
    assert_eq!(text(src, e), src);
    let ExprKind::Assign { target, value, .. } = &e.kind else {
        panic!()
    };
    assert_eq!(text(src, target), "x");
    let ExprKind::Binary(BinOp::Mul, l, r) = &value.kind else {
        panic!()
    };
    assert_eq!(text(src, l), "(1 + 2)");
    assert_eq!(text(src, r), "foo.bar[3].baz(4)");
    assert_eq!(&src[p.stmts[0].range.to_range()], src);
}

#[test]
fn newline_ends_an_expression_except_after_operators() {
    assert_eq!(dump_ok("x = a\n- b"), "(= x a)\n(neg b)\n");
    assert_eq!(dump_ok("x = a -\n b"), "(= x (- a b))\n");
    assert_eq!(dump_ok("x = f(a,\n b\n)"), "(= x f(a, b))\n");
    assert_eq!(dump_ok("x = (a\n - b)"), "(= x (- a b))\n");
    assert_eq!(dump_ok("x =\n 3"), "(= x 3)\n");
}

#[test]
fn several_statements_on_one_line() {
    assert_eq!(
        dump_ok("L = 15  diam = 16\ninsert_x = 1 y = -2"),
        "(= L 15)\n(= diam 16)\n(= insert_x 1)\n(= y (neg 2))\n"
    );
    assert_eq!(
        dump_ok("create s\ns { insert pas g_pas = 2e-05 e_pas = -70 }"),
        "create s\nsec s\n  {\n    insert pas\n    (= g_pas 0.00002)\n    (= e_pas (neg 70))\n  }\n"
    );
}

// ----- section statements -----------------------------------------------------------

#[test]
fn section_statements() {
    let src = "create soma, comp[3], dendrite[2]\n\
               soma { insert hh gnabar_hh = 0.2 }\n\
               comp[1] Level0.append()\n\
               comp[1] ceiling_cad = 1000\n\
               if (fig == -1) comp[1] { L = 3 }\n\
               soma connect dendrite[0](0), 1\n\
               dendrite[0] for i = 0, 3 pt3dadd(i, 0, 0, 1)\n\
               soma.L = 10\n\
               soma\n  nseg = 3\n";
    assert_eq!(
        dump_ok(src),
        "create soma, comp[3], dendrite[2]\n\
         sec soma\n  {\n    insert hh\n    (= gnabar_hh 0.2)\n  }\n\
         sec comp[1]\n  Level0.append()\n\
         sec comp[1]\n  (= ceiling_cad 1000)\n\
         if (== fig (neg 1))\n  sec comp[1]\n    {\n      (= L 3)\n    }\n\
         sec soma\n  connect dendrite[0](0), <current>(1)\n\
         sec dendrite[0]\n  for i = 0, 3\n    pt3dadd(i, 0, 0, 1)\n\
         (= soma.L 10)\n\
         sec soma\n  (= nseg 3)\n"
    );
}

#[test]
fn names_not_created_are_not_sections() {
    // `sec` is never created, so `sec { … }` is an expression and a block.
    assert_eq!(dump_ok("sec { x = 1 }"), "sec\n{\n  (= x 1)\n}\n");
    // A member whose last name is a created section is one.
    assert_eq!(
        dump_ok("create axon\ncell.axon connect d(0), 1"),
        "create axon\nsec cell.axon\n  connect d(0), <current>(1)\n"
    );
}

#[test]
fn connect_forms() {
    let src = "create a, b[2]\n\
               connect a(0), b[1](1)\n\
               connect b[0](1), 0.5\n\
               connect a, b[0](0.5)\n\
               for i=61,68 connect b[i](0), b[i-8](1)";
    let p = parse_ok(src);
    let connects: Vec<&Connect> = p
        .stmts
        .iter()
        .filter_map(|s| match &s.kind {
            StmtKind::Connect(c) => Some(c),
            StmtKind::ForRange { body, .. } => match &body.kind {
                StmtKind::Connect(c) => Some(c),
                _ => None,
            },
            _ => None,
        })
        .collect();
    assert_eq!(connects.len(), 4);
    let c = connects[0];
    assert_eq!(text(src, &c.child), "a");
    assert_eq!(c.child_x.as_ref().map(|x| text(src, x)), Some("0"));
    assert_eq!(c.parent.as_ref().map(|x| text(src, x)), Some("b[1]"));
    assert_eq!(text(src, &c.parent_x), "1");
    let c = connects[1];
    assert!(c.parent.is_none());
    assert_eq!(text(src, &c.parent_x), "0.5");
    let c = connects[2];
    assert!(c.child_x.is_none());
    assert_eq!(c.parent.as_ref().map(|x| text(src, x)), Some("b[0]"));
    let c = connects[3];
    assert_eq!(text(src, &c.child), "b[i]");
    assert_eq!(c.parent.as_ref().map(|x| text(src, x)), Some("b[i-8]"));
}

// ----- statements -------------------------------------------------------------------

#[test]
fn declarations_and_definitions() {
    let d = dump_ok(
        "begintemplate T\npublic a, f\nexternal g\nobjref o[2][n+1]\nstrdef s\ndouble v[3]\n\
         func f() { local i, t[2]  localobj x  return $1 }\nobfunc h() { return new List() }\n\
         endtemplate T",
    );
    assert_eq!(
        d,
        "template T @0..173\n  public a, f\n  external g\n  objref o[2][(+ n 1)]\n  strdef s\n  \
         double v[3]\n  func f @77..126\n    local i, t[2]\n    localobj x\n    return $1\n  \
         obfunc h @127..159\n    return (new List)\n"
    );
}

#[test]
fn if_else_on_following_lines() {
    assert_eq!(
        dump_ok("if (a) {\n b = 1\n}\nelse {\n b = 2\n}"),
        "if a\n  {\n    (= b 1)\n  }\nelse\n  {\n    (= b 2)\n  }\n"
    );
}

#[test]
fn empty_and_comment_only_inputs() {
    for src in ["", "  \n\n", "// only a comment", "/* x */", ";;;", "\\\n"] {
        let (p, d) = ranvier_hoc::parse(src);
        assert!(d.is_empty(), "{src:?}: {d:?}");
        assert!(p.stmts.is_empty(), "{src:?}");
    }
}

// ----- diagnostics ------------------------------------------------------------------

fn messages(src: &str) -> Vec<String> {
    ranvier_hoc::parse(src)
        .1
        .into_iter()
        .map(|d| d.message)
        .collect()
}

#[test]
fn unclosed_block_points_at_the_opening_brace() {
    let src = "proc a() {\n  x = 1\n\nproc b() { y = 2 }\n";
    let (p, diags) = ranvier_hoc::parse(src);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    assert_eq!(d.message, "unclosed block: expected `}`, found `proc`");
    let primary = d.primary_range().expect("primary");
    assert_eq!(primary.start().0, 9);
    assert_eq!(&src[primary.to_range()], "{");
    let secondary = d.labels.iter().find(|l| !l.primary).expect("secondary");
    assert_eq!(secondary.message, "expected `}` before `proc`");
    assert_eq!(&src[secondary.range.to_range()], "proc");
    // Both definitions are in the tree.
    assert_eq!(p.stmts.len(), 2);
    assert!(p.stmts.iter().all(|s| matches!(s.kind, StmtKind::Func(_))));
}

#[test]
fn endtemplate_mismatch() {
    let src = "begintemplate A\nendtemplate B\n";
    let (p, diags) = ranvier_hoc::parse(src);
    assert_eq!(diags.len(), 1);
    assert_eq!(
        diags[0].message,
        "`endtemplate B` does not match `begintemplate A`"
    );
    assert_eq!(&src[diags[0].primary_range().unwrap().to_range()], "B");
    assert!(matches!(&p.stmts[0].kind, StmtKind::Template { name, .. } if name.text == "A"));
}

#[test]
fn errors_keep_going() {
    let src = "x = (1\ny = 2\nz = 1 + ,\nw = 3\n";
    let (p, diags) = ranvier_hoc::parse(src);
    assert_eq!(diags.len(), 2, "{diags:#?}");
    assert_eq!(
        diags[0].message,
        "expected `)` to close the parenthesis, found end of line"
    );
    assert_eq!(diags[1].message, "expected an expression, found `,`");
    let kinds: Vec<bool> = p
        .stmts
        .iter()
        .map(|s: &Stmt| matches!(s.kind, StmtKind::Error))
        .collect();
    assert_eq!(kinds, vec![true, false, true, false]);
}

#[test]
fn unknown_characters_are_reported_once_each() {
    let m = messages("x = 1 # c\ny = 2");
    assert_eq!(m, vec!["unknown character `#`"]);
    let m = messages("a = 1 @@ b = 2");
    assert_eq!(m, vec!["unknown characters `@@`"]);
}

#[test]
fn missing_close_paren_in_if() {
    let m = messages("if (x > 1 { y = 2 }\nz = 1");
    assert_eq!(
        m,
        vec!["expected `)` to close the `if` condition, found `{`"]
    );
}

#[test]
fn deep_nesting_is_reported_not_overflowed() {
    let src = format!("x = {}1{}", "(".repeat(5000), ")".repeat(5000));
    let (_, d) = ranvier_hoc::parse(&src);
    assert!(d.iter().any(|d| d.code == Some("E0016")));
    let src = "{".repeat(5000);
    let (_, d) = ranvier_hoc::parse(&src);
    assert!(!d.is_empty());
    let src = format!("x = {}1", "-".repeat(5000));
    let (_, d) = ranvier_hoc::parse(&src);
    assert!(!d.is_empty());
    let src = format!("create s\n{}x = 1", "s ".repeat(5000));
    let (_, d) = ranvier_hoc::parse(&src);
    assert!(!d.is_empty());
    let src = format!("x = {}y", "&".repeat(5001));
    let _ = ranvier_hoc::parse(&src);
    let src = "if (1) ".repeat(5000);
    let (_, d) = ranvier_hoc::parse(&src);
    assert!(!d.is_empty());
}

#[test]
fn range_variable_arrays_can_be_called_but_sections_cannot() {
    // `ca_shell[2](0.5)` is a range-variable array at a location.
    assert_eq!(dump_ok("ca_shell[2](0.5) = 1"), "(= ca_shell[2](0.5) 1)\n");
    let (_, d) = ranvier_hoc::parse("create dend[2]\ny = dend[1](0.5)\nz = dend(0)");
    let m: Vec<_> = d.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        m,
        vec![
            "section location `dend[1](…)` outside `connect`",
            "section location `dend(…)` outside `connect`"
        ]
    );
}

#[test]
fn strings_continue_after_a_backslash() {
    assert_eq!(
        dump_ok("s = \"a\\\nb\" t = \"c\\\r\nd\""),
        "(= s \"a\\nb\")\n(= t \"c\\nd\")\n"
    );
}

#[test]
fn unsupported_constructs_are_errors() {
    for (src, code) in [
        ("proc p() { for sections(&i) { } }", "E0019"),
        ("proc p() { x = $oi }", "E0019"),
        ("iterator it() { }", "E0019"),
    ] {
        let (_, d) = ranvier_hoc::parse(src);
        assert!(
            d.first().is_some_and(|d| d.code == Some(code)),
            "{src:?}: {d:#?}"
        );
    }
}

#[test]
fn segment_loops() {
    assert_eq!(dump_ok("for (x) y = 1"), "for segments (x)\n  (= y 1)\n");
    assert_eq!(
        dump_ok("create a\na for (x, 0) {\n  diam(x) = 1 + x\n}"),
        "create a\nsec a\n  for segments (x, 0)\n    {\n      (= diam(x) (+ 1 x))\n    }\n"
    );
    assert_eq!(
        dump_ok("proc p() { local y\n for (y, $1 - 1) print y }"),
        "proc p @0..45\n  local y\n  for segments (y, (- $1 1))\n    print y\n"
    );
    // The C-style loop is unchanged.
    assert_eq!(
        dump_ok("for (i = 0; i < 2; i += 1) { }"),
        "for ((= i 0); (< i 2); (+= i 1))\n  {\n  }\n"
    );
    for (src, msg) in [
        (
            "for (x + 1) y = 1",
            "expected a variable name in the segment loop `for (x)`",
        ),
        (
            "for (a[1]) y = 1",
            "expected a variable name in the segment loop `for (x)`",
        ),
        ("for () y = 1", "expected an expression, found `)`"),
        (
            "for (x, 0 y = 1",
            "expected `)` to close the segment loop header, found `y`",
        ),
        ("for (x, ) y = 1", "expected an expression, found `)`"),
        (
            "for (x)",
            "expected a statement after `for (x …)`, found end of file",
        ),
    ] {
        assert_eq!(
            messages(src).first().map(String::as_str),
            Some(msg),
            "{src:?}"
        );
    }
}

#[test]
fn tapers() {
    assert_eq!(
        dump_ok("create soma\nsoma diam(0:1) = 2:1"),
        "create soma\nsec soma\n  (taper = diam (0 : 1) (2 : 1))\n"
    );
    assert_eq!(
        dump_ok("create d[2]\nd[1].gnabar_hh(0.2 : 0.8) += 0.1:0.05 / 2  x = 1"),
        "create d[2]\n(taper += d[1].gnabar_hh (0.2 : 0.8) (0.1 : (/ 0.05 2)))\n(= x 1)\n"
    );
    assert_eq!(
        dump_ok("proc p() { diam(f($1):(1)) = a[g(1)] : 2 }"),
        "proc p @0..42\n  (taper = diam (f($1) : 1) (a[g(1)] : 2))\n"
    );
    // The statement's range covers all of it.
    let src = "ena(0:1) = 40:60 // comment";
    let p = parse_ok(src);
    assert_eq!(&src[p.stmts[0].range.to_range()], "ena(0:1) = 40:60");
    // Not a taper: a call whose `:` is inside inner parentheses is still an error.
    for (src, code, msg) in [
        (
            "x = diam(0:1)",
            "E0010",
            "the taper `diam(x1:x2) = y1:y2` must be a statement of its own",
        ),
        (
            "print gnabar_hh(0.2:0.8)",
            "E0010",
            "the taper `gnabar_hh(x1:x2) = y1:y2` must be a statement of its own",
        ),
        (
            "diam(0:1) 2:1",
            "E0010",
            "expected `=` after `diam(…:…)`, found number `2`",
        ),
        (
            "diam(0:1)\n= 2:1",
            "E0010",
            "expected `=` after `diam(…:…)`, found end of line",
        ),
        (
            "diam(0:1) = 2",
            "E0010",
            "expected `:` between the two values of the taper, found end of file",
        ),
        (
            "diam(0:1) = 2:\n1",
            "E0010",
            "expected the second value of the taper after `:`, found end of line",
        ),
        (
            "diam(0:1) = 2 1",
            "E0010",
            "expected `:` between the two values of the taper, found number `1`",
        ),
        (
            "diam(0:1:2) = 2:1",
            "E0010",
            "expected `)` after the two locations, found `:`",
        ),
        (
            "diam(0:) = 2:1",
            "E0010",
            "expected an expression, found `)`",
        ),
        (
            "create soma\nsoma(0:1) = 2:1",
            "E0015",
            "expected a range variable before `(x1:x2)`",
        ),
        (
            "f()(0:1) = 2:1",
            "E0014",
            "unexpected `(` after the end of a statement",
        ),
        (
            "x = 1 : 2",
            "E0014",
            "unexpected `:` after the end of a statement",
        ),
    ] {
        let (_, d) = ranvier_hoc::parse(src);
        let first = d.first();
        assert_eq!(
            first.map(|d| d.message.as_str()),
            Some(msg),
            "{src:?}: {d:#?}"
        );
        assert_eq!(first.and_then(|d| d.code), Some(code), "{src:?}");
    }
}

#[test]
fn definitions_inside_blocks_close_them() {
    // A `begintemplate` inside an unclosed proc body ends that body.
    let (p, d) = ranvier_hoc::parse("proc a() {\nbegintemplate T\nendtemplate T\n");
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].code, Some("E0011"));
    assert_eq!(p.stmts.len(), 2);
}

/// Random bytes and random token soups must never panic and must always terminate, and
/// every diagnostic must have a primary label inside the input.
mod never_panics {
    use proptest::prelude::*;

    fn check(src: &str) {
        let (program, diags) = ranvier_hoc::parse(src);
        let len = src.len();
        for d in &diags {
            assert!(!d.labels.is_empty(), "diagnostic without a label: {d:?}");
            assert!(
                d.labels.iter().any(|l| l.primary),
                "no primary label: {d:?}"
            );
            for l in &d.labels {
                assert!(l.range.end().to_usize() <= len, "label out of range: {d:?}");
                assert!(l.range.start() <= l.range.end(), "inverted label: {d:?}");
            }
        }
        let _ = ranvier_hoc::dump(&program);
        let file = ranvier_span::SourceFile::new("fuzz.hoc", src);
        let _ = ranvier_span::render_all(&diags, &file, ranvier_span::RenderStyle::Plain);
    }

    const PIECES: &[&str] = &[
        "begintemplate",
        "endtemplate",
        "public",
        "external",
        "objref",
        "objectvar",
        "strdef",
        "double",
        "create",
        "access",
        "connect",
        "insert",
        "uninsert",
        "proc",
        "func",
        "obfunc",
        "local",
        "localobj",
        "if",
        "else",
        "while",
        "for",
        "break",
        "continue",
        "return",
        "stop",
        "print",
        "forall",
        "forsec",
        "ifsec",
        "new",
        "setpointer",
        "iterator",
        "soma",
        "dend",
        "x",
        "L",
        "pt3dadd",
        "hh",
        "T",
        "1",
        "0.5",
        ".5",
        "1e-3",
        "2E+5",
        "\"s\"",
        "\"",
        "\"a\\\"",
        "$1",
        "$o1",
        "$s2",
        "$&1",
        "$",
        "&",
        "+",
        "-",
        "*",
        "/",
        "^",
        "%",
        "<",
        ">",
        "<=",
        ">=",
        "==",
        "!=",
        "!",
        "&&",
        "||",
        "=",
        "+=",
        "-=",
        "*=",
        "/=",
        "(",
        ")",
        "{",
        "}",
        "[",
        "]",
        ",",
        ";",
        ".",
        ":",
        "diam(0:1) = 2:1",
        "for (x)",
        "for (x, 0)",
        "//",
        "/*",
        "*/",
        "\\",
        "\n",
        " ",
        "\r",
        "#",
        "é",
        "soma {",
        "dend[0]",
        "connect a(0), b(1)",
        "for i = 0, 3",
        "create soma, dend[2]",
    ];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            check(&String::from_utf8_lossy(&bytes));
        }

        #[test]
        fn random_strings(s in "\\PC{0,300}") {
            check(&s);
        }

        #[test]
        fn token_soup(idx in proptest::collection::vec(0..PIECES.len(), 0..300)) {
            let mut src = String::new();
            for i in idx {
                src.push_str(PIECES[i]);
                src.push(' ');
            }
            check(&src);
        }

        /// Soups without separating spaces (tokens glued together).
        #[test]
        fn glued_token_soup(idx in proptest::collection::vec(0..PIECES.len(), 0..300)) {
            let src: String = idx.iter().map(|&i| PIECES[i]).collect();
            check(&src);
        }
    }

    /// The ok/ fixtures, to mutate.
    fn corpus() -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ok");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "hoc"))
            .collect();
        files.sort();
        files
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Near-valid input: delete, duplicate or swap lines of a fixture, or replace a word
        /// by a piece of hoc.
        #[test]
        fn mutated_fixtures(
            file in 0usize..64,
            edits in proptest::collection::vec((0u8..4, 0usize..400, 0usize..400), 1..6),
        ) {
            let corpus = corpus();
            prop_assume!(!corpus.is_empty());
            let src = &corpus[file % corpus.len()];
            let mut lines: Vec<String> = src.lines().map(str::to_owned).collect();
            for (kind, a, b) in edits {
                if lines.is_empty() {
                    break;
                }
                let (i, j) = (a % lines.len(), b % lines.len());
                match kind {
                    0 => {
                        lines.remove(i);
                    }
                    1 => {
                        let l = lines[i].clone();
                        lines.insert(j, l);
                    }
                    2 => lines.swap(i, j),
                    _ => {
                        let words: Vec<&str> = lines[i].split(' ').collect();
                        let k = j % words.len().max(1);
                        let piece = PIECES[b % PIECES.len()];
                        let new: Vec<&str> = words
                            .iter()
                            .enumerate()
                            .map(|(n, w)| if n == k { piece } else { *w })
                            .collect();
                        lines[i] = new.join(" ");
                    }
                }
            }
            check(&lines.join("\n"));
        }
    }
}
