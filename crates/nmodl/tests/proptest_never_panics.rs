//! Random bytes and random token soups must never panic (parser and compiler) and must
//! always terminate, and every diagnostic range must lie inside the input.

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
    // Dumping, compiling (whatever the parser recovered) and rendering must not panic
    // either, and compile diagnostics must also lie inside the input.
    let _ = ranvier_nmodl::dump(&module);
    let (_, cdiags) = ranvier_nmodl::compile(&module);
    for d in &cdiags {
        for l in &d.labels {
            assert!(
                l.range.end().to_usize() <= len,
                "compile label out of range: {d:?}"
            );
        }
    }
    let file0 = ranvier_span::SourceFile::new("fuzz.mod", src);
    let _ = ranvier_span::render_all(&cdiags, &file0, ranvier_span::RenderStyle::Plain);
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

/// Our real `.mod` files (test mechanisms and validation mods), to mutate.
fn corpus() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in [
        root.join("tests/mechanisms"),
        root.join("../../validation/neuron/mod"),
    ] {
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "mod"))
            .collect();
        files.sort();
        out.extend(files.iter().filter_map(|p| std::fs::read_to_string(p).ok()));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Near-valid input reaches the compiler: delete, duplicate or swap lines of a real
    /// file, or replace a word by a piece of NMODL.
    #[test]
    fn mutated_real_files(
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
