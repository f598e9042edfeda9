//! Imported cell rules against NetPyNE's `importCellParams` with NEURON
//! (`validation/netpyne/import/make_refs.py` writes the references), field by field.

use std::path::{Path, PathBuf};

use ranvier_cli::import::{ImportSpec, import_cell, parse_args};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Differences between `ours` and `theirs` (numbers within `tol`, relative).
fn compare(ours: &Value, theirs: &Value, path: &str, tol: f64, out: &mut Vec<String>) {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, vb) in b {
                match a.get(k) {
                    Some(va) => compare(va, vb, &format!("{path}.{k}"), tol, out),
                    None => out.push(format!("{path}.{k}: missing (NetPyNE has {vb})")),
                }
            }
            for k in a.keys().filter(|k| !b.contains_key(*k)) {
                out.push(format!("{path}.{k}: extra (NetPyNE has none)"));
            }
            let ka: Vec<&String> = a.keys().collect();
            let kb: Vec<&String> = b.keys().collect();
            if ka.len() == kb.len() && ka != kb && out.is_empty() {
                out.push(format!("{path}: key order {ka:?} != {kb:?}"));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                out.push(format!(
                    "{path}: {} items, NetPyNE has {}",
                    a.len(),
                    b.len()
                ));
                return;
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                compare(x, y, &format!("{path}[{i}]"), tol, out);
            }
        }
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            if (x - y).abs() > tol * y.abs().max(1.0) {
                out.push(format!("{path}: {x} != {y}"));
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(format!("{path}: {a} != {b}")),
    }
}

fn check(case: &str, file: &str, cell: &str, args: Value, mods: Option<&str>, syn: bool) {
    let mut catalogue = ranvier_builtins::catalogue();
    if let Some(m) = mods {
        let mut log = Vec::new();
        ranvier_cli::mods::add_to_catalogue(&[root().join(m)], &[], &mut catalogue, &mut log)
            .unwrap_or_else(|e| panic!("{e}\n{}", String::from_utf8_lossy(&log)));
    }
    let spec = ImportSpec {
        file: root().join(file),
        cell: cell.into(),
        args: parse_args(&args).unwrap(),
        import_syn_mechs: syn,
        soma_at_origin: true,
        rename: Vec::new(),
    };
    let got = import_cell(&spec, &catalogue).unwrap_or_else(|e| panic!("{case}: {e}"));
    let ref_path = root().join(format!("validation/netpyne/import/ref/{case}.json"));
    let text = std::fs::read_to_string(&ref_path).unwrap();
    let mut want: Value = serde_json::from_str(&text).unwrap();
    // NetPyNE lists every SectionList alive in NEURON, also ones that are not the
    // cell's (unnamed `SectionList[k]`, empty here); Ranvier imports the cell's own.
    if let Some(Value::Object(lists)) = want["cellRule"].get_mut("secLists") {
        lists.retain(|k, v| {
            !(k.starts_with("SectionList[") && v.as_array().is_some_and(Vec::is_empty))
        });
    }
    let mut diffs = Vec::new();
    compare(&got.rule, &want["cellRule"], "cellRule", 1e-9, &mut diffs);
    let syn_got = Value::Object(got.syn_mechs.into_iter().collect());
    compare(
        &syn_got,
        &want["synMechParams"],
        "synMechParams",
        1e-9,
        &mut diffs,
    );
    assert!(
        diffs.is_empty(),
        "{case}: {} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

#[test]
fn multidend3d() {
    check(
        "multidend3d",
        "examples/cells/multidend3d.hoc",
        "MultiDend3D",
        Value::Null,
        None,
        false,
    );
}

/// SWC files (our fixtures of `validation/swc/`) as NetPyNE imports them.
#[test]
fn swc_morphologies() {
    for (case, file) in [
        ("swc_apical_tree", "apical_tree"),
        ("swc_single_point_soma", "single_point_soma"),
        ("swc_three_point_soma", "three_point_soma"),
        ("swc_soma_chain", "soma_chain"),
    ] {
        check(
            case,
            &format!("validation/swc/{file}.swc"),
            "cell",
            Value::Null,
            None,
            false,
        );
    }
}

/// A Traub-style template: section lists, ten channels and a calcium pool from `.mod`
/// files, per-location values, ions set per section, a zero-capacitance section.
#[test]
fn traub_pyr() {
    check(
        "traub_pyr",
        "examples/cells/traub_pyr.hoc",
        "TraubPyr",
        serde_json::json!([1]),
        Some("examples/mod/traub"),
        false,
    );
}

/// A cell with an active axon, and the two Izhikevich point-process cells.
#[test]
fn axon_and_izhikevich_cells() {
    check(
        "axon_cell",
        "examples/cells/axon_cell.hoc",
        "AxonCell",
        Value::Null,
        None,
        false,
    );
    for (case, cell, arg) in [
        ("izhi_sec", "IzhiSecCell", 5),
        ("izhi_own", "IzhiOwnCell", 4),
    ] {
        check(
            case,
            "examples/cells/izhi_cells.hoc",
            cell,
            serde_json::json!([arg]),
            Some("examples/mod/izhi"),
            false,
        );
    }
}

/// `importSynMechs`: synaptic point processes (by NetPyNE's name rule) become
/// de-duplicated synMechs labelled `<cell>_<Mod>_<n>`; an IClamp stays a pointp.
#[test]
fn synaptic_point_processes_become_syn_mechs() {
    check(
        "syn_cell",
        "validation/netpyne/import/cells/syn_cell.hoc",
        "SynCell",
        Value::Null,
        None,
        true,
    );
}

/// Templates that create no sections, unknown templates and bad files are errors that
/// say what is wrong.
#[test]
fn bad_imports_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let hoc = tmp.path().join("empty.hoc");
    std::fs::write(
        &hoc,
        "begintemplate Empty\nproc init() { x = 1 }\nendtemplate Empty\n",
    )
    .unwrap();
    let spec = |file: PathBuf, cell: &str| ImportSpec {
        file,
        cell: cell.into(),
        args: Vec::new(),
        import_syn_mechs: false,
        soma_at_origin: true,
        rename: Vec::new(),
    };
    let cat = ranvier_builtins::catalogue();
    let e = import_cell(&spec(hoc.clone(), "Empty"), &cat).unwrap_err();
    assert!(e.contains("creates no sections"), "{e}");
    let e = import_cell(&spec(hoc, "Missing"), &cat).unwrap_err();
    assert!(
        e.contains("no template named `Missing`") && e.contains("`Empty`"),
        "{e}"
    );
    let e = import_cell(&spec(tmp.path().join("nope.hoc"), "X"), &cat).unwrap_err();
    assert!(e.contains("cannot read"), "{e}");
    let swc = tmp.path().join("bad.swc");
    std::fs::write(&swc, "1 1 0 0 0 5 -1\n2 3 x 0 0 1 1\n").unwrap();
    let e = import_cell(&spec(swc, "X"), &cat).unwrap_err();
    assert!(e.contains(":2:"), "{e}");
}
