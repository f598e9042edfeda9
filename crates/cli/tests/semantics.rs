//! NetPyNE and NEURON semantics that real models rely on, on models of our own shaped after
//! the NetPyNE tutorial's cells (validation/semantics/make_refs.py builds them in NetPyNE
//! 1.1.1, exports them to `validation/semantics/models/` and runs them in NEURON 9.0.2).
//! Ranvier runs the exported files, on 1 and 2 threads, and must give NEURON's spikes
//! and every sample of every trace.
//!
//! - `ions`: user ions `other` (VALENCE 1) and `tt` (VALENCE 2) with NEURON's defaults for a
//!   new ion (`ion_reg`); `ions` of a section used by no mechanism there, inserted as
//!   NetPyNE's `CompartCell._addIons` inserts them, with the `cai0_ca_ion` global it writes
//!   (last cell wins); a calcium STATE that INITIAL leaves at `cai0_ca_ion`; rule `globals`
//!   (`sim.setup.setGlobals`: the first rule wins, in every group); `recordStep` 0.1 with
//!   NEURON's accumulated sample times.
//! - `routing`: a point process with `vref` that receives NetStims and connections in the
//!   weight slot its `synList` gives (`_setConnPointP`), a `pointp` trace
//!   (`Cell.recordTraces`), a cell without `soma` whose stimuli and connections go to its
//!   first section (`addStim`, `_setConnSections`) and whose `soma` trace records nothing,
//!   3-D points offset by the cell's position (`_setGeometryParams`,
//!   `pt3dRelativeToCellLocation`, `invertedYCoord`), and samples at every step taken as
//!   `Vector.record(ptr, dt)` takes them: after thresholds and WATCH fired when the record
//!   time rounds past `t` (the Izhikevich resets).
//! - `shared_global`: GLOBALs assigned at run time (kv.mod's `ninf`, `ntau`) read by the
//!   instance that wrote them (NEURON runs the instances one after another).
//! - `stim_strings`: string functions of stimulation sources and targets, per target cell
//!   (NetPyNE's `addStims` and `_stimStrToFunc`).
//! - `syn_strings`: synMech string parameters per synapse (`addSynMechNEURONObj`, from the
//!   cell's `_randomizer`) and NEURON's AlphaSynapse as a stimulus.
//! - `spike_source`: the spike source is the first section with spikeGenLoc, else the
//!   first root section (`spikeGenLocAndSec`), not necessarily the soma.

use std::path::{Path, PathBuf};

use ranvier_cli::run::{OutputFormat, RunOptions, run};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn run_case(name: &str, threads: usize) -> Value {
    run_file(
        &root().join(format!("validation/semantics/models/{name}.json")),
        threads,
    )
}

/// `ranvier run FILE --mods validation/semantics/mod --mods examples/mod/izhi -t threads`.
fn run_file(model: &Path, threads: usize) -> Value {
    let tmp = tempfile::tempdir().unwrap();
    let mut log = Vec::new();
    let opts = RunOptions {
        model: model.to_path_buf(),
        out: Some(tmp.path().to_path_buf()),
        threads,
        format: OutputFormat::Json,
        mods: vec![
            root().join("validation/semantics/mod"),
            root().join("examples/mod/izhi"),
        ],
        ..RunOptions::default()
    };
    let files =
        run(&opts, &mut log).unwrap_or_else(|e| panic!("{e}\n{}", String::from_utf8_lossy(&log)));
    read(&files[0])
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn check(name: &str) {
    let want = read(&root().join(format!("validation/semantics/ref/{name}.json")));
    for threads in [1, 2] {
        let got = run_case(name, threads);
        let sd = &got["simData"];
        let ctx = format!("{name} on {threads} thread(s)");
        assert_eq!(floats(&sd["t"]), floats(&want["t"]), "{ctx}: sample times");
        assert_eq!(
            floats(&sd["spkid"]),
            floats(&want["spkid"]),
            "{ctx}: spiking cells"
        );
        let (a, b) = (floats(&sd["spkt"]), floats(&want["spkt"]));
        assert!(
            a.iter().zip(&b).all(|(x, y)| (x - y).abs() <= 1e-9),
            "{ctx}: spike times {a:?} vs NEURON {b:?}"
        );
        let traces = want["traces"].as_object().unwrap();
        assert!(!traces.is_empty());
        for (key, cells) in traces {
            let ours = sd[key]
                .as_object()
                .unwrap_or_else(|| panic!("{ctx}: no trace {key}"));
            assert_eq!(
                ours.keys().collect::<Vec<_>>(),
                cells.as_object().unwrap().keys().collect::<Vec<_>>(),
                "{ctx}: cells recorded for {key}"
            );
            for (cell, v) in cells.as_object().unwrap() {
                let (x, y) = (floats(&ours[cell]), floats(v));
                assert_eq!(x.len(), y.len(), "{ctx}: {key} {cell}: samples");
                let (k, worst) = x
                    .iter()
                    .zip(&y)
                    .map(|(p, q)| (p - q).abs())
                    .enumerate()
                    .fold((0, 0.0), |m, (k, d)| if d > m.1 { (k, d) } else { m });
                let scale = y.iter().fold(0.0f64, |m, q| m.max(q.abs()));
                assert!(
                    worst <= 1e-9 * scale.max(1.0),
                    "{ctx}: {key} {cell} differs from NEURON by {worst} at sample {k}"
                );
            }
        }
    }
}

#[test]
fn ions_globals_and_calcium_state_match_neuron() {
    check("ions");
}

#[test]
fn vref_routing_default_sections_pt3d_offsets_and_record_timing_match_neuron() {
    check("routing");
}

/// The semantics of `routing` are not vacuous: with the 3-D points taken at the origin the
/// cell without soma integrates differently (its lengths come from other single-precision
/// points), and the reset samples of the Izhikevich cell are only right with NEURON's
/// record timing.
#[test]
fn routing_depends_on_the_pt3d_offset() {
    let mut model = read(&root().join("validation/semantics/models/routing.json"));
    model["simConfig"]["pt3dRelativeToCellLocation"] = Value::Bool(false);
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("routing.json");
    std::fs::write(&path, model.to_string()).unwrap();
    let got = run_file(&path, 1);
    let want = read(&root().join("validation/semantics/ref/routing.json"));
    let (x, y) = (
        floats(&got["simData"]["V_comp2"]["cell_2"]),
        floats(&want["traces"]["V_comp2"]["cell_2"]),
    );
    let worst = x
        .iter()
        .zip(&y)
        .map(|(p, q)| (p - q).abs())
        .fold(0.0, f64::max);
    assert!(worst > 1e-9, "the offset changed nothing ({worst} mV)");
}

/// A channel whose rate procedure writes GLOBALs that its DERIVATIVE block reads: each
/// instance reads what it wrote, as NEURON runs the instances one after another.
#[test]
fn globals_written_at_run_time_match_neuron() {
    check("shared_global");
}

/// String functions in stimulation sources (NetStim rate, noise, start, number; IClamp
/// del, dur, amp) and targets (weight, delay, loc), evaluated for each target cell in gid
/// order from the stream NetPyNE seeds per target rule, `normal` drawing a fresh pair per
/// call as NEURON's `Random.normal` does.
#[test]
fn stimulus_string_functions_match_neuron() {
    check("stim_strings");
}

/// tut6's stimuli without its VClamp: an AlphaSynapse whose onset and gmax are string
/// functions, an IClamp amplitude and a NetStim interval drawn per target, and synMech
/// parameters (`tau1`, `tau2`) evaluated per synapse from the cell's own stream.
#[test]
fn synapse_string_functions_and_alpha_synapse_match_neuron() {
    check("syn_strings");
}

/// NetPyNE's spike source (CompartCell.spikeGenLocAndSec): the first section with
/// spikeGenLoc, else the first root section, which need not be the soma: cell A detects
/// spikes on an isolated first section and so reports none, cell B on its soma.
#[test]
fn spike_sources_are_netpynes_first_root_section() {
    check("spike_source");
}
