//! NetPyNE models run by Ranvier against NetPyNE 1.1.1 + NEURON 9.0.2 reference data
//! (`validation/netpyne/make_refs.py`). Ranvier reproduces NetPyNE's Random123 streams
//! (positions, cell parameters, connectivity, NetStim noise), so per-seed results are
//! compared exactly where NetPyNE's are deterministic.

use std::path::{Path, PathBuf};

use ranvier_spec::sim::{population_summary, simulate};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(p: &Path) -> Value {
    let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn with_seed(model: &Value, seed: u64) -> Value {
    let mut m = model.clone();
    m["simConfig"]["seeds"] =
        serde_json::json!({"conn": seed, "stim": seed, "loc": seed, "cell": seed});
    m
}

#[test]
fn tut2_spike_counts_equal_netpyne_for_every_seed() {
    let model = read(&root().join("examples/tut2/model.json"));
    let stats = read(&root().join("validation/netpyne/ref/tut2_stats.json"));
    let catalogue = ranvier_builtins::catalogue();
    for per_seed in stats["per_seed"].as_array().expect("per_seed") {
        let seed = per_seed["seed"].as_u64().expect("seed");
        let (m, diags) = ranvier_spec::load(&with_seed(&model, seed));
        assert!(
            diags
                .iter()
                .all(|d| d.severity != ranvier_spec::Severity::Error),
            "{diags:?}"
        );
        let m = m.expect("model");
        let (out, _) = simulate(&m, &catalogue, 2, |_| {}).expect("run");
        assert_eq!(
            out.connections as u64,
            per_seed["num_conns"].as_u64().unwrap(),
            "seed {seed}: connections"
        );
        for (label, n, spikes, _) in population_summary(&m, &out) {
            let want = per_seed["spikes_per_pop"][&label].as_u64().unwrap();
            assert_eq!(
                spikes as u64, want,
                "seed {seed}, population {label}: spikes (cells {n})"
            );
        }
    }
}
