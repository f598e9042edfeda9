//! Segment loops (`for (x)`, `for (x, 0)`) and range-variable tapers
//! (`diam(0:1) = 2:1`) against NEURON: `validation/hoc/neuron_ref.py` ran each case's
//! hoc in NEURON 9.0.2 and wrote `validation/hoc/ref.json` (the hoc text, whether NEURON
//! rejected it, the numbers the hoc collected, and every section's per-segment values).
//! Here the same text runs in Ranvier's interpreter and everything must match exactly.

use std::path::Path;

use ranvier_hoc::{CellSection, Interp};
use serde_json::Value;

mod common;
use common::catalog;

fn reference() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../validation/hoc/ref.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).expect("ref.json is JSON")
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_f64().expect("a number"))
        .collect()
}

/// Numbers hoc code prints, one per line with `%.17g`.
fn printed(it: &mut Interp, code: &str) -> Vec<f64> {
    it.output.clear();
    it.eval_source(code)
        .unwrap_or_else(|e| panic!("{}", it.render(&e)));
    it.output
        .lines()
        .map(|l| l.trim().parse::<f64>().expect("a printed number"))
        .collect()
}

/// Per-segment values of `var`, from x = 0 to 1 (as the cell stores them).
fn values(s: &CellSection, var: &str) -> Vec<f64> {
    match var {
        "diam" => s.diam.clone(),
        "cm" => s.cm.clone(),
        _ => {
            if let Some(v) = s.ions.get(var) {
                return v.clone();
            }
            let (p, m) = var.rsplit_once('_').expect("var_mech");
            let mech = s
                .mechs
                .iter()
                .find(|x| x.name == m)
                .unwrap_or_else(|| panic!("{m} not in {}", s.name));
            mech.params
                .iter()
                .find(|(n, _)| n == p)
                .unwrap_or_else(|| panic!("{p} not a parameter of {m}"))
                .1
                .clone()
        }
    }
}

#[test]
fn segment_loops_and_tapers_match_neuron() {
    let r = reference();
    let cases = r["cases"].as_array().expect("cases");
    assert!(cases.len() >= 15, "ref.json has too few cases");
    for c in cases {
        let name = c["name"].as_str().expect("name");
        let hoc = c["hoc"].as_str().expect("hoc");
        let mut it = Interp::new(catalog(), vec![]);
        let run = it.run_source(&format!("{name}.hoc"), hoc, None);
        if c["error"].as_bool() == Some(true) {
            assert!(run.is_err(), "{name}: NEURON rejects this, Ranvier ran it");
            continue;
        }
        if let Err(e) = run {
            panic!("{name}: {}", it.render(&e));
        }
        for (v, want) in c["vectors"].as_object().expect("vectors") {
            let got = printed(
                &mut it,
                &format!("for i = 0, {v}.size() - 1 printf(\"%.17g\\n\", {v}.x[i])"),
            );
            assert_eq!(got, nums(want), "{name}: Vector {v}");
        }
        for (v, want) in c["scalars"].as_object().expect("scalars") {
            let got = printed(&mut it, &format!("printf(\"%.17g\\n\", {v})"));
            assert_eq!(got, vec![want.as_f64().expect("number")], "{name}: {v}");
        }
        let cell = it.cell(None);
        let secs = c["sections"].as_array().expect("sections");
        assert_eq!(cell.sections.len(), secs.len(), "{name}: sections");
        for want in secs {
            let sname = want["name"].as_str().expect("section name");
            let s = cell
                .sections
                .iter()
                .find(|s| s.name == sname)
                .unwrap_or_else(|| panic!("{name}: no section {sname}"));
            assert_eq!(s.nseg as u64, want["nseg"].as_u64().expect("nseg"));
            assert_eq!(s.l, want["L"].as_f64().expect("L"), "{name}: {sname}.L");
            let pt3d: Vec<f64> = s.pt3d.iter().map(|p| p[3]).collect();
            assert_eq!(pt3d, nums(&want["pt3d_diam"]), "{name}: {sname} 3-D diams");
            let reversed = want["orientation"].as_f64() == Some(1.0);
            assert_eq!(s.child_x == 1.0, reversed, "{name}: {sname} orientation");
            for (var, want) in want["values"].as_object().expect("values") {
                // Both list them from x = 0, whatever the orientation.
                assert_eq!(values(s, var), nums(want), "{name}: {sname} {var}");
            }
        }
    }
}

/// NEURON's error cases are errors here too, with a location and a clear message.
#[test]
fn taper_errors_are_located() {
    let cases = [
        ("a diam(0.5:0.5) = 1:2", "needs x1 < x2"),
        ("a diam(0.8:0.2) = 1:2", "needs x1 < x2"),
        ("a diam(-0.1:0.5) = 1:2", "location -0.1 is outside 0..1"),
        ("a gnabar_hh(0:1) = 1:2", "`hh` is not inserted in a"),
        ("a m_hh(0:1) = 1:2", "`hh` is not inserted in a"),
        ("a L(0:1) = 1:2", "`L` is not a range variable"),
        ("a celsius(0:1) = 1:2", "`celsius` is not a range variable"),
        ("a v(0:1) = -65:-70", "`v` is not a range variable"),
        (
            "objref o\no = new Vector()\no.x(0:1) = 1:2",
            "expected a section, found",
        ),
    ];
    for (stmt, want) in cases {
        let mut it = Interp::new(catalog(), vec![]);
        let src = format!("create a\na nseg = 3\n{stmt}\n");
        let e = it
            .run_source("t.hoc", &src, None)
            .expect_err("must be an error");
        let shown = it.render(&e);
        assert!(shown.contains(want), "{stmt}: {shown}");
        let line = 2 + stmt.lines().count();
        assert!(shown.contains(&format!("t.hoc:{line}:")), "{stmt}: {shown}");
    }
}

/// The ok-corpus fixture runs, and its template gives what NEURON printed for it
/// (`print x, gnabar_hh(x), diam(x)` over `for (x, 0)` of `Tapered(0.2)`'s axon).
#[test]
fn segments_fixture_runs() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ok/segments.hoc");
    let mut it = Interp::new(catalog(), vec![]);
    it.run_file(&path)
        .unwrap_or_else(|e| panic!("{}", it.render(&e)));
    let id = it
        .new_instance("Tapered", vec![ranvier_hoc::ArgValue::Num(0.2)])
        .unwrap_or_else(|e| panic!("{}", it.render(&e)));
    let cell = it.cell(id);
    let axon = cell
        .sections
        .iter()
        .find(|s| s.name == "axon")
        .expect("axon");
    let gna = values(axon, "gnabar_hh");
    let want = [
        0.18888889, 0.16666667, 0.14444444, 0.12222222, 0.1, 0.12, 0.12, 0.12, 0.12,
    ];
    for (g, w) in gna.iter().zip(want) {
        assert!((g - w).abs() < 1e-8, "{gna:?}");
    }
    assert_eq!(
        axon.diam,
        [500.0, 500.0, 500.0, 500.0, 500.0, 1.0, 1.0, 1.0, 1.0]
    );
    assert_eq!(printed(&mut it, "printf(\"%.17g\\n\", xs.size())"), [7.0]);
}
