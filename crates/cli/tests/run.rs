//! `ranvier run` on the bundled NetPyNE model: outputs, reproducibility, bad input.

use std::path::{Path, PathBuf};

use ranvier_cli::run::{OutputFormat, RunOptions, run};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run_into(dir: &Path, threads: usize) -> (Vec<PathBuf>, String) {
    let opts = RunOptions {
        model: root().join("examples/tut2/model.json"),
        out: Some(dir.to_path_buf()),
        threads,
        format: OutputFormat::Both,
        ..RunOptions::default()
    };
    let mut log = Vec::new();
    let files = run(&opts, &mut log).expect("run");
    (files, String::from_utf8(log).unwrap())
}

#[test]
fn tut2_writes_netpyne_json_and_plots_reproducibly() {
    let tmp = tempfile::tempdir().unwrap();
    let (files, log) = run_into(&tmp.path().join("a"), 1);
    assert!(
        log.contains("Timings:") && log.contains("run") && log.contains("mean rate"),
        "{log}"
    );
    let json = files
        .iter()
        .find(|f| f.to_string_lossy().ends_with("_data.json"))
        .expect("json");
    assert!(
        files
            .iter()
            .any(|f| f.to_string_lossy().ends_with("_raster.png")),
        "{files:?}"
    );
    for f in &files {
        assert!(
            std::fs::metadata(f).unwrap().len() > 0,
            "{} is empty",
            f.display()
        );
    }
    let out: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    for key in ["net", "simConfig", "simData"] {
        assert!(out.get(key).is_some(), "missing {key}");
    }
    assert_eq!(out["net"]["cells"].as_array().unwrap().len(), 40);
    assert!(out["net"]["params"]["popParams"].is_object());
    let spkt = out["simData"]["spkt"].as_array().unwrap();
    assert!(spkt.len() > 500);
    assert_eq!(
        spkt.len(),
        out["simData"]["spkid"].as_array().unwrap().len()
    );
    // Same results with another thread count.
    let (files2, _) = run_into(&tmp.path().join("b"), 2);
    let json2 = files2
        .iter()
        .find(|f| f.to_string_lossy().ends_with("_data.json"))
        .unwrap();
    let out2: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json2).unwrap()).unwrap();
    assert_eq!(out["simData"]["spkt"], out2["simData"]["spkt"]);
    assert_eq!(out["simData"]["spkid"], out2["simData"]["spkid"]);
    // The binary file holds the same spikes and traces.
    let bin = files
        .iter()
        .find(|f| f.to_string_lossy().ends_with("_data.rnv"))
        .expect("binary");
    let b = ranvier_spec::binary::read_binary(&mut std::fs::File::open(bin).unwrap()).unwrap();
    assert_eq!(b.spikes.len(), spkt.len());
    for ((t, gid), (jt, jg)) in b
        .spikes
        .iter()
        .zip(spkt.iter().zip(out["simData"]["spkid"].as_array().unwrap()))
    {
        assert_eq!(*t, jt.as_f64().unwrap());
        assert_eq!(*gid as f64, jg.as_f64().unwrap());
    }
    let v = out["simData"]["V_soma"]["cell_1"].as_array().unwrap();
    let tr = b
        .traces
        .iter()
        .find(|t| t.gid == 1)
        .expect("trace of cell 1");
    assert_eq!(tr.values.len(), v.len());
    assert!(
        tr.values
            .iter()
            .zip(v)
            .all(|(a, b)| *a == b.as_f64().unwrap())
    );
    // Corrupt input is an error, not a panic.
    assert!(ranvier_spec::binary::read_binary(&mut &b"RNVRxxxx"[..]).is_err());
    assert!(ranvier_spec::binary::read_binary(&mut &b"nope"[..]).is_err());
}

#[test]
fn bad_models_are_reported_and_nothing_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"netParams": {"popParams": {"S": {"cellType": "PYRR", "numCells": 2}},
            "cellParams": {"PYR": {"secs": {"soma": {"geom": {"L": 10, "diam": 10}, "mechs": {"hh": {}}}}}},
            "connParams": {"S->S": {"preConds": {"pop": "S"}, "postConds": {"pop": "S"}, "weight": "0.1*(dist_3D", "synMech": "exc"}},
            "synMechParams": {"exc": {"mod": "ExpSyn"}}},
           "simConfig": {"duratoin": 10}}"#,
    )
    .unwrap();
    let opts = RunOptions {
        model: bad.clone(),
        out: Some(tmp.path().join("o")),
        threads: 1,
        format: OutputFormat::Json,
        ..RunOptions::default()
    };
    let mut log = Vec::new();
    let err = run(&opts, &mut log).unwrap_err();
    let log = String::from_utf8(log).unwrap();
    assert!(log.contains("`duration`"), "{log}");
    assert!(err.contains("PYRR") && err.contains("`PYR`"), "{err}");
    // Fix the cell type: now the malformed weight expression is the error, with a column.
    let text = std::fs::read_to_string(&bad)
        .unwrap()
        .replace("PYRR", "PYR");
    std::fs::write(&bad, text).unwrap();
    let err = run(&opts, &mut Vec::new()).unwrap_err();
    assert!(
        err.contains(r#"connParams."S->S".weight"#) && err.contains("column"),
        "{err}"
    );
    // Missing file.
    let opts = RunOptions {
        model: tmp.path().join("nope.json"),
        out: None,
        threads: 1,
        format: OutputFormat::Json,
        ..RunOptions::default()
    };
    assert!(
        run(&opts, &mut Vec::new())
            .unwrap_err()
            .contains("nope.json")
    );
}
