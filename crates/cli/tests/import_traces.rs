//! Cells imported from our hoc templates, simulated by Ranvier in a NetPyNE model, against
//! the same templates simulated directly in NEURON 9
//! (`validation/netpyne/import/traces_ref.py`): within 1e-3 mV.

use std::path::{Path, PathBuf};

mod support;

use serde_json::{Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn check(case: &str, import: Value, secs: Value, site: (&str, f64), amp: f64, celsius: f64) {
    let model = json!({
        "netParams": {
            "cellParams": {"C": {"import": import, "secs": secs}},
            "popParams": {"P": {"cellType": "C", "numCells": 1}},
            "stimSourceParams": {"ic": {"type": "IClamp", "del": 5, "dur": 40, "amp": amp}},
            "stimTargetParams": {"ic->P": {"source": "ic", "conds": {"pop": "P"}, "sec": "soma", "loc": 0.5}},
        },
        "simConfig": {
            "duration": 60.0, "dt": 0.025, "recordStep": 0.1,
            "hParams": {"celsius": celsius, "v_init": -65.0},
            "recordCells": [0],
            "recordTraces": {
                "Vs": {"sec": "soma", "loc": 0.5, "var": "v"},
                "Vo": {"sec": site.0, "loc": site.1, "var": "v"},
            },
            "filename": case,
        }
    });
    let (data, _) = support::run_model(&model);
    let want: Value = serde_json::from_str(
        &std::fs::read_to_string(
            root().join(format!("validation/netpyne/import/traces/{case}.json")),
        )
        .unwrap(),
    )
    .unwrap();
    for (ours, theirs) in [("Vs", "soma"), ("Vo", "site")] {
        let a = data["simData"][ours]["cell_0"].as_array().expect("trace");
        let b = want[theirs].as_array().unwrap();
        assert_eq!(a.len(), b.len(), "{case} {ours}: trace lengths");
        let worst = a
            .iter()
            .zip(b)
            .map(|(x, y)| (x.as_f64().unwrap() - y.as_f64().unwrap()).abs())
            .fold(0.0, f64::max);
        assert!(
            worst <= 1e-3,
            "{case} {ours}: differs from NEURON by {worst} mV"
        );
    }
}

fn file(p: &str) -> String {
    root().join(p).display().to_string()
}

#[test]
fn traub_template_in_a_network_matches_neuron() {
    check(
        "traub_pyr",
        json!({"fileName": file("examples/cells/traub_pyr.hoc"), "cellName": "TraubPyr",
               "cellArgs": [1], "modFolder": file("examples/mod/traub")}),
        json!({}),
        ("dend_2", 0.5),
        0.3,
        36.0,
    );
}

#[test]
fn multidend3d_with_added_channels_matches_neuron() {
    let mut secs = serde_json::Map::new();
    secs.insert("soma".into(), json!({"mechs": {"hh": {}}}));
    for i in 0..7 {
        secs.insert(
            format!("dend_{i}"),
            json!({"mechs": {"pas": {"g": 1e-4, "e": -65}}}),
        );
    }
    check(
        "multidend3d",
        json!({"fileName": file("examples/cells/multidend3d.hoc"), "cellName": "MultiDend3D"}),
        Value::Object(secs),
        ("dend_1", 0.7),
        0.2,
        6.3,
    );
}

#[test]
fn axon_cell_matches_neuron() {
    check(
        "axon_cell",
        json!({"fileName": file("examples/cells/axon_cell.hoc"), "cellName": "AxonCell"}),
        json!({}),
        ("axon", 0.9),
        0.3,
        6.3,
    );
}
