//! The example network of imported cells (`examples/import_net/model.json`): every
//! population is built from an imported hoc template or SWC file and fires, spikes come
//! from the axon (spikeGenLoc) and from a point process's own voltage (vref).

use std::path::{Path, PathBuf};

mod support;

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn imported_cells_run_in_a_network() {
    let dir = root().join("examples/import_net");
    let mut model: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("model.json")).unwrap()).unwrap();
    // A shorter run from a scratch folder: make the file references absolute.
    model["simConfig"]["duration"] = Value::from(150.0);
    model["simConfig"]["analysis"] = Value::Object(serde_json::Map::new());
    for (_, rule) in model["netParams"]["cellParams"]
        .as_object_mut()
        .unwrap()
        .iter_mut()
    {
        let imp = rule["import"].as_object_mut().unwrap();
        for key in ["fileName", "modFolder"] {
            if let Some(Value::String(p)) = imp.get(key) {
                let abs = dir.join(p).display().to_string();
                imp.insert(key.into(), Value::String(abs));
            }
        }
    }
    let (data, log) = support::run_model(&model);
    assert!(log.contains("imported 6 cell rule(s)"), "{log}");
    let spkid: Vec<f64> = data["simData"]["spkid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    // Populations in gid order: MD3D 0-19, TRAUB 20-29, SWC 30-39, AXON 40-49,
    // IZSEC 50-69, IZOWN 70-89. Every one spikes.
    for (lo, hi, name) in [
        (0, 20, "MD3D"),
        (20, 30, "TRAUB"),
        (30, 40, "SWC"),
        (40, 50, "AXON"),
        (50, 70, "IZSEC"),
        (70, 90, "IZOWN"),
    ] {
        let n = spkid
            .iter()
            .filter(|&&g| g >= f64::from(lo) && g < f64::from(hi))
            .count();
        assert!(n > 0, "population {name} did not spike\n{log}");
    }
}
