//! SWC import against NEURON 9 / NetPyNE references (validation/swc/ref, written by
//! validation/swc/neuron_ref.py), and the reader's diagnostics for bad files.

use std::path::PathBuf;

use proptest::strategy::Strategy;
use ranvier_morph::swc::codes;
use ranvier_morph::{SwcMorphology, read_swc};
use ranvier_span::{Diagnostic, RenderStyle, SourceFile, render_all};
use serde_json::Value;

const FIXTURES: [&str; 8] = [
    "single_point_soma",
    "three_point_soma",
    "soma_chain",
    "apical_tree",
    "custom_types",
    "comments_spacing",
    "random_a",
    "random_b",
];

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../validation/swc")
}

fn load(name: &str) -> (SwcMorphology, Vec<Diagnostic>, Value) {
    let text = std::fs::read_to_string(dir().join(format!("{name}.swc"))).unwrap();
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string(dir().join(format!("ref/{name}.json"))).unwrap(),
    )
    .unwrap();
    let (m, diags) = read_swc(&text);
    let file = SourceFile::new(format!("{name}.swc"), text);
    let shown = render_all(&diags, &file, RenderStyle::Plain);
    assert!(!diags.iter().any(Diagnostic::is_error), "{shown}");
    (m.expect(&shown), diags, reference)
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    a == b || (a - b).abs() <= rel * a.abs().max(b.abs())
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn sections_match_netpyne_import() {
    for name in FIXTURES {
        let (m, _, reference) = load(name);
        let want = reference["sections"].as_array().unwrap();
        let names: Vec<&str> = m.sections.iter().map(|s| s.name.as_str()).collect();
        let want_names: Vec<&str> = want.iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert_eq!(names, want_names, "{name}: section names and order");
        let morph = m.to_morphology().unwrap();
        for (k, (s, w)) in m.sections.iter().zip(want).enumerate() {
            let ctx = format!("{name}: {}", s.name);
            let parent = s.parent.map(|p| m.sections[p].name.as_str());
            assert_eq!(parent, w["parent"].as_str(), "{ctx}: parent");
            if s.parent.is_some() {
                assert_eq!(s.parent_x, num(&w["parentX"]), "{ctx}: parentX");
                assert_eq!(s.child_x, num(&w["childX"]), "{ctx}: childX");
            }
            let wire = s.wire.map(|p| p.to_vec());
            let want_wire = w["wire"]
                .as_array()
                .map(|a| a.iter().map(num).collect::<Vec<_>>());
            assert_eq!(wire, want_wire, "{ctx}: pt3dstyle");
            let pts = w["pt3d"].as_array().unwrap();
            assert_eq!(s.pt3d.len(), pts.len(), "{ctx}: n3d");
            for (i, (p, q)) in s.pt3d.iter().zip(pts).enumerate() {
                let q: Vec<f64> = q.as_array().unwrap().iter().map(num).collect();
                // Both are single-precision values: they must agree exactly.
                assert_eq!([p.x, p.y, p.z, p.d], q[..], "{ctx}: point {i}");
            }
            let sec = &morph.sections()[k];
            assert_eq!(sec.nseg() as u64, w["nseg"].as_u64().unwrap(), "{ctx}");
            assert!(
                close(sec.length(), num(&w["L"]), 1e-12),
                "{ctx}: L {} vs NEURON {}",
                sec.length(),
                w["L"]
            );
            let a = sec.parent.map(|a| (a.parent.index(), a.x));
            assert_eq!(a, s.parent.map(|p| (p, s.parent_x)), "{ctx}: connect");
            assert!(!sec.reversed, "{ctx}: child end 0");
        }
        let mut morph = morph;
        morph.geometry().unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// NEURON's own `Import3d_GUI.instantiate()` builds the same sections (points through
/// "%.8g", so equal to ~1e-7), created per type: soma, axon, dend, apic, then other
/// types under `dend_<type>` names. It first drops sections of a single sample joined
/// by a wire (NetPyNE, and Ranvier, turn those into cylinders), reattaching their
/// children to their parent, and numbers the rest.
#[test]
fn sections_match_neuron_instantiate() {
    for name in FIXTURES {
        let (m, _, reference) = load(name);
        let inst = reference["instantiate"].as_array().unwrap();
        let secs = &m.sections;
        let removed: Vec<bool> = secs
            .iter()
            .map(|s| s.parent.is_some() && s.wire.is_some() && s.sample_lines.len() == 1)
            .collect();
        // Names instantiate() gives the kept sections.
        let mut hoc_names = vec![String::new(); secs.len()];
        let mut counts = std::collections::HashMap::new();
        for (i, s) in secs.iter().enumerate() {
            if !removed[i] {
                let base = s.neuron_name.split('[').next().unwrap();
                let k = counts.entry(s.swc_type).or_insert(0);
                hoc_names[i] = format!("{base}_{k}");
                *k += 1;
            }
        }
        let mut order: Vec<usize> = (0..secs.len()).filter(|&i| !removed[i]).collect();
        order.sort_by_key(|&i| secs[i].swc_type);
        assert_eq!(
            order.len(),
            inst.len(),
            "{name}: sections after instantiate"
        );
        for (&i, w) in order.iter().zip(inst) {
            let s = &secs[i];
            let ctx = format!("{name}: {} ({})", s.name, s.neuron_name);
            assert_eq!(hoc_names[i], w["name"].as_str().unwrap(), "{ctx}");
            let (mut parent, mut parent_x) = (s.parent, s.parent_x);
            while let Some(p) = parent.filter(|&p| removed[p]) {
                (parent, parent_x) = (secs[p].parent, secs[p].parent_x);
            }
            let parent = parent.map(|p| hoc_names[p].as_str());
            assert_eq!(parent, w["parent"].as_str(), "{ctx}: parent");
            if parent.is_some() {
                assert_eq!(parent_x, num(&w["parentX"]), "{ctx}: parentX");
            }
            assert_eq!(s.wire.is_some(), !w["wire"].is_null(), "{ctx}: wire");
            let pts = w["pt3d"].as_array().unwrap();
            assert_eq!(s.pt3d.len(), pts.len(), "{ctx}: n3d");
            for (j, (p, q)) in s.pt3d.iter().zip(pts).enumerate() {
                let q: Vec<f64> = q.as_array().unwrap().iter().map(num).collect();
                for (a, b) in [p.x, p.y, p.z, p.d].into_iter().zip(q) {
                    assert!(close(a, b, 1e-6), "{ctx}: point {j}: {a} vs {b}");
                }
            }
        }
    }
}

#[test]
fn rules_seen_in_the_fixtures() {
    // Single-point soma: a 3-point cylinder along x, L = diam, children at 0.5 by wire.
    let (m, diags, _) = load("single_point_soma");
    assert!(diags.is_empty(), "{diags:?}");
    let soma = &m.sections[0];
    assert_eq!(soma.name, "soma_0");
    let xs: Vec<f64> = soma.pt3d.iter().map(|p| p.x).collect();
    assert_eq!(xs, [-6.0, 0.0, 6.0]);
    let d0 = m.find("dend_0").unwrap();
    assert_eq!(m.sections[d0].parent_x, 0.5);
    assert_eq!(m.sections[d0].wire, Some([0.0, 0.0, 0.0]));
    // A one-point dendrite keeps the copied soma centre (with its own diameter).
    let d4 = &m.sections[m.find("dend_4").unwrap()];
    assert_eq!(d4.wire, None);
    assert_eq!(d4.pt3d[0].d, d4.pt3d[1].d);
    assert_eq!((d4.pt3d[0].x, d4.pt3d[0].y), (0.0, 0.0));

    // NeuroMorpho 3-point soma: one sphere-like cylinder along x.
    let (m, _, _) = load("three_point_soma");
    let soma = &m.sections[0];
    assert_eq!(soma.pt3d.len(), 3);
    assert_eq!(soma.pt3d[0].x, 10.5 - 8.0);
    assert_eq!(soma.sample_lines, [3, 4, 5]);

    // Soma chain: split where a non-root soma sample has two soma children; a dendrite
    // on an interior sample attaches at 0.5 by a wire; the root has two soma children,
    // so a one-sample dendrite on it is wired and becomes a cylinder (with a warning).
    let (m, diags, _) = load("soma_chain");
    let soma: Vec<&str> = m
        .sections
        .iter()
        .filter(|s| s.swc_type == 1)
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(soma, ["soma_0", "soma_1", "soma_2", "soma_3"]);
    let d5 = &m.sections[m.find("dend_5").unwrap()];
    assert_eq!((d5.parent_x, d5.wire), (0.5, Some([3.0, 0.5, 0.0])));
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].code, Some(codes::ONE_POINT));
    assert!(diags[0].message.contains("line 24") && diags[0].message.contains("dend_4"));
    let d4 = &m.sections[m.find("dend_4").unwrap()];
    assert_eq!(d4.pt3d[2].x - d4.pt3d[0].x, f64::from(1.2f32));

    // Other types: named dend, with a warning naming the line.
    let (m, diags, _) = load("custom_types");
    assert_eq!(diags.len(), 3, "{diags:?}");
    assert!(diags.iter().all(|d| d.code == Some(codes::OTHER_TYPE)));
    assert!(diags[0].message.contains("line 11"), "{}", diags[0].message);
    assert!(diags[1].message.contains("line 6:"), "{}", diags[1].message);
    let d1 = &m.sections[m.find("dend_1").unwrap()];
    assert_eq!((d1.swc_type, d1.neuron_name.as_str()), (5, "dend_5[0]"));
}

// ---------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------

/// Read `text` as `bad.swc`; return the result and the rendered diagnostics.
fn read_bad(text: &str) -> (Option<SwcMorphology>, Vec<Diagnostic>, String) {
    let (m, diags) = read_swc(text);
    let shown = render_all(
        &diags,
        &SourceFile::new("bad.swc", text),
        RenderStyle::Plain,
    );
    (m, diags, shown)
}

fn expect_error(text: &str, code: &str, location: &str, words: &str) -> String {
    let (m, diags, shown) = read_bad(text);
    assert!(m.is_none(), "expected an error:\n{shown}");
    assert!(
        diags.iter().any(|d| d.is_error() && d.code == Some(code)),
        "expected {code}:\n{shown}"
    );
    assert!(
        shown.contains(location),
        "expected `{location}` in:\n{shown}"
    );
    assert!(shown.contains(words), "expected `{words}` in:\n{shown}");
    shown
}

const SOMA: &str = "# header\n1 1 0 0 0 5 -1\n";

#[test]
fn non_numeric_field() {
    let text = format!("{SOMA}2 3 10 0 abc 1 1\n");
    expect_error(
        &text,
        codes::NOT_A_NUMBER,
        "bad.swc:3:10",
        "line 3: bad z field",
    );
    let text = format!("{SOMA}two 3 10 0 0 1 1\n");
    expect_error(
        &text,
        codes::NOT_A_NUMBER,
        "bad.swc:3:1",
        "`two` is not a number",
    );
    let text = format!("{SOMA}2 3 10 0 0 1 1.5\n");
    expect_error(&text, codes::BAD_VALUE, "bad.swc:3:14", "not an integer");
    let text = format!("{SOMA}2 3 10 0 1e39 1 1\n");
    expect_error(
        &text,
        codes::BAD_VALUE,
        "bad.swc:3:10",
        "not a finite number",
    );
    let text = format!("{SOMA}2 3 10 0 0 -1 1\n");
    expect_error(&text, codes::BAD_VALUE, "bad.swc:3:12", "negative radius");
    let text = format!("{SOMA}-2 3 10 0 0 1 1\n");
    expect_error(&text, codes::BAD_VALUE, "bad.swc:3:1", "negative sample id");
}

#[test]
fn wrong_column_count() {
    let text = format!("{SOMA}2 3 10 0 0 1\n");
    let shown = expect_error(&text, codes::MISSING_FIELDS, "bad.swc:3:13", "line 3");
    assert!(shown.contains("missing parent"), "{shown}");
    // Extra columns: NEURON ignores them; a warning.
    let text = format!("{SOMA}2 3 10 0 0 1 1 7 8\n");
    let (m, diags, shown) = read_bad(&text);
    assert!(m.is_some(), "{shown}");
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, Some(codes::EXTRA_FIELDS));
    assert!(shown.contains("bad.swc:3:16"), "{shown}");
}

#[test]
fn missing_parent() {
    let text = format!("{SOMA}2 3 10 0 0 1 1\n3 3 20 0 0 1 7\n");
    expect_error(&text, codes::MISSING_PARENT, "bad.swc:4:14", "parent id 7");
}

#[test]
fn cycle() {
    let text = format!("{SOMA}2 3 10 0 0 1 3\n3 3 20 0 0 1 2\n");
    let shown = expect_error(&text, codes::CYCLE, "bad.swc:3:", "cycle");
    assert!(
        shown.contains("(line 3)") && shown.contains("(line 4)"),
        "{shown}"
    );
    let text = format!("{SOMA}2 3 10 0 0 1 2\n");
    expect_error(&text, codes::CYCLE, "bad.swc:3:14", "cycle");
}

#[test]
fn parent_after_child() {
    let text = format!("{SOMA}2 3 10 0 0 1 3\n3 3 20 0 0 1 1\n");
    expect_error(
        &text,
        codes::PARENT_AFTER_CHILD,
        "bad.swc:3:14",
        "larger than",
    );
}

#[test]
fn no_soma() {
    expect_error(
        "1 3 0 0 0 1 -1\n2 3 10 0 0 1 1\n",
        codes::NO_SOMA,
        "bad.swc:1:3",
        "no soma",
    );
}

#[test]
fn duplicate_ids() {
    let text = format!("{SOMA}2 3 10 0 0 1 1\n2 3 20 0 0 1 1\n");
    let shown = expect_error(&text, codes::DUPLICATE_ID, "bad.swc:4:1", "line 4");
    assert!(shown.contains("first defined on line 3"), "{shown}");
}

#[test]
fn several_roots() {
    let text = format!("{SOMA}2 3 10 0 0 1 1\n3 1 50 0 0 4 -1\n");
    expect_error(&text, codes::SEVERAL_ROOTS, "bad.swc:4:", "lines 2, 4");
}

#[test]
fn empty_file() {
    expect_error("", codes::EMPTY, "bad.swc", "no SWC samples");
    expect_error(
        "# only a comment\n\n",
        codes::EMPTY,
        "bad.swc",
        "no SWC samples",
    );
}

#[test]
fn zero_length_section() {
    // A one-point branch on the soma centre: every point of the section coincides.
    let text = format!("{SOMA}2 3 10 0 0 1 1\n3 3 0 0 0 1 1\n");
    expect_error(&text, codes::ZERO_LENGTH, "bad.swc:4:1", "zero length");
}

#[test]
fn unsorted_ids_are_sorted_with_a_warning() {
    let sorted = "1 1 0 0 0 5 -1\n2 3 10 0 0 1 1\n3 3 20 0 0 1 2\n4 3 20 5 0 1 2\n";
    let shuffled = "1 1 0 0 0 5 -1\n3 3 20 0 0 1 2\n2 3 10 0 0 1 1\n4 3 20 5 0 1 2\n";
    let (a, da) = read_swc(sorted);
    let (b, db, shown) = read_bad(shuffled);
    assert!(da.is_empty());
    assert_eq!(db.len(), 1, "{shown}");
    assert_eq!(db[0].code, Some(codes::UNSORTED));
    assert!(shown.contains("bad.swc:3:1"), "{shown}");
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.sections.len(), b.sections.len());
    for (x, y) in a.sections.iter().zip(&b.sections) {
        assert_eq!(
            (&x.name, &x.pt3d, x.parent, x.parent_x),
            (&y.name, &y.pt3d, y.parent, y.parent_x)
        );
    }
}

#[test]
fn several_errors_are_all_reported() {
    let text = "1 1 0 0 0 5 -1\n2 3 x 0 0 1 1\n3 3 10 0 0\n4 3 1 2 3 4 5 6\n";
    let (m, diags, shown) = read_bad(text);
    assert!(m.is_none());
    assert_eq!(diags.iter().filter(|d| d.is_error()).count(), 2, "{shown}");
    assert!(
        shown.contains("bad.swc:2:5") && shown.contains("bad.swc:3:11"),
        "{shown}"
    );
}

proptest::proptest! {
    /// Arbitrary lines made of SWC-like tokens never panic the reader.
    #[test]
    fn never_panics(lines in proptest::collection::vec(
        proptest::collection::vec(proptest::prop_oneof![
            (-3i64..12).prop_map(|v| v.to_string()),
            (-50.0f64..50.0).prop_map(|v| format!("{v:.3}")),
            proptest::sample::select(vec!["#", "-1", "1", "nan", "inf", "x", "1e40", "0.0", "\t", "\r"])
                .prop_map(str::to_owned),
        ], 0..9),
        0..14,
    )) {
        let text: String = lines.iter().map(|l| l.join(" ") + "\n").collect();
        let (m, diags) = read_swc(&text);
        if let Some(m) = m {
            proptest::prop_assert!(!diags.iter().any(Diagnostic::is_error));
            let _ = m.to_morphology();
        } else {
            proptest::prop_assert!(diags.iter().any(Diagnostic::is_error));
        }
    }
}
