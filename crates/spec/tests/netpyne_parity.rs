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

/// Runs `model` for every seed of `stats` and compares connection counts (total and
/// per rule) and spike counts per population with NetPyNE's, exactly.
fn check_model(model_path: &str, stats_path: &str) {
    let model = read(&root().join(model_path));
    let stats = read(&root().join(stats_path));
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
            "{model_path} seed {seed}: connections"
        );
        for (ri, (label, _)) in m.net.conn_params.iter().enumerate() {
            let ours = out
                .plan
                .conns
                .iter()
                .flatten()
                .filter(|c| c.rule == ri)
                .count() as u64;
            let want = per_seed["conns_per_rule"][label].as_u64().unwrap_or(0);
            assert_eq!(
                ours, want,
                "{model_path} seed {seed}: connections of rule {label}"
            );
        }
        for (label, n, spikes, _) in population_summary(&m, &out) {
            assert_eq!(
                n as u64,
                per_seed["cells_per_pop"][&label].as_u64().unwrap(),
                "{model_path} seed {seed}: cells of {label}"
            );
            let want = per_seed["spikes_per_pop"][&label].as_u64().unwrap();
            assert_eq!(
                spikes as u64, want,
                "{model_path} seed {seed}, population {label}: spikes"
            );
        }
    }
}

#[test]
fn spatial_network_equals_netpyne_for_every_seed() {
    check_model(
        "validation/netpyne/models/spatial.json",
        "validation/netpyne/ref/spatial_stats.json",
    );
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

#[test]
fn connlist_spike_times_equal_netpyne() {
    let model = read(&root().join("validation/netpyne/models/connlist.json"));
    let reference = read(&root().join("validation/netpyne/ref/connlist_spikes.json"));
    let (m, diags) = ranvier_spec::load(&model);
    assert!(
        diags
            .iter()
            .all(|d| d.severity != ranvier_spec::Severity::Error),
        "{diags:?}"
    );
    let m = m.expect("model");
    let (out, _) = simulate(&m, &ranvier_builtins::catalogue(), 1, |_| {}).expect("run");
    let mut want: Vec<(f64, u64)> = reference["spkt"]
        .as_array()
        .unwrap()
        .iter()
        .zip(reference["spkid"].as_array().unwrap())
        .map(|(t, g)| (t.as_f64().unwrap(), g.as_f64().unwrap() as u64))
        .collect();
    want.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    assert_eq!(out.spikes.len(), want.len(), "spike count");
    let mut worst = 0.0f64;
    for (ours, theirs) in out.spikes.iter().zip(&want) {
        assert_eq!(ours.1, theirs.1, "gid order");
        worst = worst.max((ours.0 - theirs.0).abs());
    }
    assert!(worst <= 1e-3, "largest spike time difference {worst} ms");
}

#[test]
fn record_stim_records_background_events_without_changing_the_network() {
    let mut model = read(&root().join("examples/tut2/model.json"));
    let catalogue = ranvier_builtins::catalogue();
    let run = |v: &Value| {
        let (m, _) = ranvier_spec::load(v);
        let m = m.expect("model");
        let out = simulate(&m, &catalogue, 1, |_| {}).expect("run").0;
        (m, out)
    };
    let (_, plain) = run(&model);
    model["simConfig"]["recordStim"] = Value::Bool(true);
    let (m, out) = run(&model);
    assert_eq!(
        plain.spikes, out.spikes,
        "recording stimuli must not change the run"
    );
    assert!(plain.stim_spikes.is_empty());
    // 40 cells x 10 Hz background for 1 s, noise 0.5.
    assert!(
        out.stim_spikes.len() > 300 && out.stim_spikes.len() < 500,
        "{}",
        out.stim_spikes.len()
    );
    assert!(
        out.stim_spikes
            .iter()
            .all(|(_, label, t)| label == "bkg" && *t >= 0.0 && *t <= 1000.0)
    );
    let json = ranvier_spec::sim::netpyne_json(&m, &out);
    assert!(
        json["simData"]["stims"]["cell_0"]["bkg"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    );
}
