//! Random bytes and random token soups must never panic and must always terminate, and
//! every diagnostic range must lie inside the input.

use proptest::prelude::*;

fn check(src: &str) {
    let (module, diags) = ranvier_nmodl::parse(src);
    let len = src.len();
    for d in &diags {
        assert!(!d.labels.is_empty(), "diagnostic without a label: {d:?}");
        for l in &d.labels {
            assert!(l.range.end().to_usize() <= len, "label out of range: {d:?}");
        }
    }
    // Dumping and rendering must not panic either.
    let _ = ranvier_nmodl::dump(&module);
    let file = ranvier_span::SourceFile::new("fuzz.mod", src);
    let _ = ranvier_span::render_all(&diags, &file, ranvier_span::RenderStyle::Plain);
}

const PIECES: &[&str] = &[
    "NEURON",
    "SUFFIX",
    "USEION",
    "READ",
    "WRITE",
    "VALENCE",
    "RANGE",
    "GLOBAL",
    "PARAMETER",
    "STATE",
    "ASSIGNED",
    "UNITS",
    "CONSTANT",
    "INDEPENDENT",
    "INITIAL",
    "BREAKPOINT",
    "SOLVE",
    "METHOD",
    "cnexp",
    "DERIVATIVE",
    "KINETIC",
    "LINEAR",
    "PROCEDURE",
    "FUNCTION",
    "NET_RECEIVE",
    "FOR_NETCONS",
    "WATCH",
    "TABLE",
    "DEPEND",
    "FROM",
    "TO",
    "WITH",
    "BY",
    "LOCAL",
    "if",
    "else",
    "while",
    "PROTECT",
    "MUTEXLOCK",
    "CONSERVE",
    "COMPARTMENT",
    "VERBATIM",
    "ENDVERBATIM",
    "COMMENT",
    "ENDCOMMENT",
    "TITLE",
    "INCLUDE",
    "UNITSON",
    "UNITSOFF",
    "REPRESENTS",
    "x",
    "m",
    "v",
    "1",
    "1e-3",
    ".5",
    "\"s\"",
    "\"",
    "+",
    "-",
    "*",
    "/",
    "^",
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
    "'",
    "~",
    "<->",
    "->",
    "<<",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "?",
    "\n",
    " ",
    "\r",
    "$",
    "é",
    "(mV)",
    "<0,1>",
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
}
