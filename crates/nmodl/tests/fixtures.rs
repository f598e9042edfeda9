//! Parses every fixture under `tests/fixtures/{ok,err}` and snapshots the AST dump plus the
//! rendered (plain) diagnostics. Files under `ok/` must produce no diagnostics at all.

use std::path::{Path, PathBuf};

use ranvier_span::{RenderStyle, SourceFile, render_all};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// All `.mod` / `.inc` files below `dir`, sorted, recursively.
fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("mod" | "inc")) {
            out.push(p);
        }
    }
}

/// Dump + diagnostics for one fixture, and the number of diagnostics.
fn run(path: &Path) -> (String, usize) {
    let text = std::fs::read_to_string(path).expect("fixture is UTF-8");
    let rel = path
        .strip_prefix(fixture_dir())
        .expect("under fixtures")
        .to_string_lossy()
        .replace('\\', "/");
    let (module, diags) = ranvier_nmodl::parse(&text);
    let file = SourceFile::new(rel, text);
    let mut out = ranvier_nmodl::dump(&module);
    if !diags.is_empty() {
        out.push_str("\n--- diagnostics ---\n");
        out.push_str(&render_all(&diags, &file, RenderStyle::Plain));
        out.push('\n');
    }
    (out, diags.len())
}

fn snapshot_name(path: &Path, kind: &str) -> String {
    let rel = path
        .strip_prefix(fixture_dir().join(kind))
        .expect("under kind dir")
        .to_string_lossy()
        .replace(['/', '\\', '.'], "_");
    format!("{kind}__{rel}")
}

#[test]
fn ok_fixtures_parse_cleanly() {
    let files = corpus("ok", 8);
    let mut failures = Vec::new();
    for path in &files {
        let (out, n) = run(path);
        if n > 0 {
            failures.push(format!("{}:\n{out}", path.display()));
        }
        insta::assert_snapshot!(snapshot_name(path, "ok"), out);
    }
    assert!(
        failures.is_empty(),
        "ok/ fixtures with diagnostics:\n{}",
        failures.join("\n")
    );
}

/// The fixture files of one corpus folder (at least `min` of them).
fn corpus(kind: &str, min: usize) -> Vec<PathBuf> {
    let mut files = Vec::new();
    collect(&fixture_dir().join(kind), &mut files);
    assert!(
        files.len() >= min,
        "expected the {kind}/ corpus, found {files:?}"
    );
    files
}

#[test]
fn err_fixtures_report_errors() {
    let files = corpus("err", 8);
    for path in &files {
        let (out, n) = run(path);
        assert!(n > 0, "{} produced no diagnostics", path.display());
        insta::assert_snapshot!(snapshot_name(path, "err"), out);
    }
}

/// Files under `semantic/` parse cleanly and fail (or warn) in the compiler: snapshots
/// of the compiler's rendered diagnostics.
#[test]
fn semantic_fixtures_report_compiler_diagnostics() {
    let files = corpus("semantic", 4);
    for path in &files {
        let text = std::fs::read_to_string(path).expect("fixture is UTF-8");
        let rel = path
            .strip_prefix(fixture_dir())
            .expect("under fixtures")
            .to_string_lossy()
            .replace('\\', "/");
        let (module, diags) = ranvier_nmodl::parse(&text);
        assert!(diags.is_empty(), "{}: parse: {diags:?}", path.display());
        let (_, diags) = ranvier_nmodl::compile(&module);
        assert!(
            !diags.is_empty(),
            "{} compiled without diagnostics",
            path.display()
        );
        let file = SourceFile::new(rel, text);
        let out = render_all(&diags, &file, RenderStyle::Plain);
        insta::assert_snapshot!(snapshot_name(path, "semantic"), out);
    }
}

#[test]
fn unclosed_block_points_at_opening_brace() {
    let src = "NEURON {\n  SUFFIX x\n\nPARAMETER { a = 1 }\n";
    let (module, diags) = ranvier_nmodl::parse(src);
    assert_eq!(diags.len(), 1);
    let d = &diags[0];
    assert_eq!(
        d.message,
        "expected `}` to close the NEURON block opened here"
    );
    let secondary = d
        .labels
        .iter()
        .find(|l| !l.primary)
        .expect("secondary label");
    assert_eq!(&src[secondary.range.to_range()], "{");
    assert_eq!(secondary.range.start().0, 7);
    // The PARAMETER block after it is still parsed.
    assert_eq!(module.items.len(), 2);
}

#[test]
fn two_statements_on_one_line() {
    let (module, diags) = ranvier_nmodl::parse("PROCEDURE iassign(){ i = g*(v-erev) ik=i }");
    assert!(diags.is_empty(), "{diags:?}");
    let dump = ranvier_nmodl::dump(&module);
    assert!(dump.contains("i = (* g (- v erev))\n  ik = i\n"), "{dump}");
}

#[test]
fn precedence() {
    let (module, diags) =
        ranvier_nmodl::parse("INITIAL { x = -a^2^b + c*d - e/f x = !a && b || c < d == e }");
    assert!(diags.is_empty(), "{diags:?}");
    let dump = ranvier_nmodl::dump(&module);
    assert!(
        dump.contains("x = (- (+ (neg (^ a (^ 2 b))) (* c d)) (/ e f))"),
        "{dump}"
    );
    assert!(
        dump.contains("x = (|| (&& (not a) b) (== (< c d) e))"),
        "{dump}"
    );
}

#[test]
fn empty_and_whitespace_inputs() {
    for src in ["", "   \n\n", ": only a comment", "COMMENT x ENDCOMMENT"] {
        let (m, d) = ranvier_nmodl::parse(src);
        assert!(d.is_empty(), "{src:?}: {d:?}");
        assert!(m.items.is_empty());
    }
}

#[test]
fn deep_nesting_is_reported_not_overflowed() {
    let src = format!(
        "INITIAL {{ x = {}1{} }}",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    let (_, d) = ranvier_nmodl::parse(&src);
    assert!(
        d.iter()
            .any(|d| d.code == Some(ranvier_nmodl::codes::TOO_DEEP))
    );
    let src = format!("INITIAL {}", "{".repeat(5000));
    let (_, d) = ranvier_nmodl::parse(&src);
    assert!(!d.is_empty());
    let src = format!("INITIAL {{ x = {}1 }}", "-".repeat(5000));
    let (_, d) = ranvier_nmodl::parse(&src);
    assert!(!d.is_empty());
}
