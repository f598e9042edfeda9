//! Local-only: parse NetPyNE's tutorial mechanisms (not vendored in this repository).
//! Run with `cargo test -p ranvier-nmodl --test netpyne_corpus -- --ignored`.
#![allow(clippy::print_stdout)]

use std::path::Path;

use ranvier_span::{RenderStyle, SourceFile, render_all};

const MOD_DIR: &str = "/tmp/netpyne/doc/source/code/mod";

#[test]
#[ignore = "needs a NetPyNE checkout in /tmp/netpyne"]
fn netpyne_tutorial_mods_parse_without_errors() {
    let dir = Path::new(MOD_DIR);
    if !dir.is_dir() {
        println!("skipping: {MOD_DIR} not present");
        return;
    }
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("read mod dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("mod" | "inc")))
        .collect();
    let netcon = dir.join("../netcon.inc");
    if netcon.is_file() {
        files.push(netcon);
    }
    files.sort();
    let mut report = String::new();
    let mut clean = 0;
    for path in &files {
        let text = String::from_utf8_lossy(&std::fs::read(path).expect("read")).into_owned();
        let (module, diags) = ranvier_nmodl::parse(&text);
        if diags.is_empty() {
            clean += 1;
        } else {
            let file = SourceFile::new(path.display().to_string(), text);
            report.push_str(&render_all(&diags, &file, RenderStyle::Plain));
            report.push('\n');
        }
        assert!(
            !module.items.is_empty(),
            "{} parsed to nothing",
            path.display()
        );
    }
    println!(
        "{clean}/{} NetPyNE tutorial files parsed with no diagnostics",
        files.len()
    );
    assert!(report.is_empty(), "{report}");
    assert_eq!(
        files.len(),
        41,
        "expected 38 .mod + ofc.inc + aux_fun.inc + ../netcon.inc"
    );
}
