//! `.mod` files from the command line: `ranvier mod check` and `ranvier run` with
//! `simConfig.modFolders` / `--mods`.

use std::path::{Path, PathBuf};
use std::process::Command;

use ranvier_cli::run::{OutputFormat, RunOptions, run};

fn folders() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../nmodl/tests/folders")
}

fn ranvier(args: &[&Path]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ranvier"))
        .args(args)
        .output()
        .expect("run ranvier");
    let stdout = String::from_utf8(out.stdout).unwrap();
    (out.status.code(), stdout)
}

#[test]
fn mod_check_prints_a_summary_per_mechanism() {
    let basic = folders().join("basic");
    let (code, out) = ranvier(&[Path::new("mod"), Path::new("check"), &basic]);
    assert_eq!(code, Some(0), "{out}");
    for line in [
        "leak (density mechanism) from ",
        "  parameters: g = 0.001 (S/cm2), e = -70 (mV)",
        "ExpSynInc (point process) from ",
        "  states:     g",
        "  globals:    tau = 2 (ms)",
        "checked 2 file(s): 2 mechanism(s), 0 error(s), 0 warning(s)",
    ] {
        assert!(out.contains(line), "missing {line:?} in\n{out}");
    }
    assert!(!out.contains("-->"), "{out}");
}

#[test]
fn mod_check_renders_code_frames_and_fails_on_errors() {
    let (code, out) = ranvier(&[
        Path::new("mod"),
        Path::new("check"),
        &folders().join("bad"),
        &folders().join("basic/leak.mod"),
    ]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        !out.contains('\u{1b}'),
        "colour when not a terminal:\n{out}"
    );
    for needle in [
        "error[E0030]: cannot find included file `nowhere.inc`",
        "missing.mod:4:1",
        "4 | INCLUDE \"nowhere.inc\"",
        "= note: searched in ",
        "syntax.mod:3:13",
        "broken.inc:1:12",
        "in a file included from ",
        "leak (density mechanism)",
        "checked 5 file(s): 1 mechanism(s), 4 error(s)",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    }
    assert!(out.matches("--> ").count() == 4, "{out}");
}

/// A NetPyNE model: hh (without its own leak) plus `leak_mech` on a soma, driven by a
/// noisy NetStim; `extra` is merged into `simConfig`.
fn write_model(dir: &Path, leak_mech: &str, extra: serde_json::Value) -> PathBuf {
    let mut model = serde_json::json!({
        "netParams": {
            "popParams": {"P": {"cellType": "C", "numCells": 4}},
            "cellParams": {"C": {"secs": {"soma": {
                "geom": {"L": 18.8, "diam": 18.8, "Ra": 123.0},
                "mechs": {
                    "hh": {"gl": 0.0},
                    leak_mech: {"g": 0.0003, "e": -54.3}
                }
            }}}},
            "synMechParams": {"exc": {"mod": "ExpSyn", "tau": 2.0, "e": 0}},
            "stimSourceParams": {"bkg": {"type": "NetStim", "rate": 40, "noise": 0.5}},
            "stimTargetParams": {"bkg->C": {"source": "bkg", "conds": {"cellType": "C"},
                                             "weight": 0.01, "delay": 1, "synMech": "exc"}}
        },
        "simConfig": {"duration": 300, "dt": 0.025, "filename": "m", "analysis": {}}
    });
    for (k, v) in extra.as_object().unwrap() {
        model["simConfig"][k] = v.clone();
    }
    let path = dir.join("model.json");
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(&path, model.to_string()).unwrap();
    path
}

/// Run and return the spike times and the log.
fn spikes(model: PathBuf, mods: Vec<PathBuf>) -> (Vec<f64>, String) {
    let out = model.parent().unwrap().join("out");
    let opts = RunOptions {
        model,
        out: Some(out.clone()),
        threads: 1,
        format: OutputFormat::Json,
        mods,
        ..RunOptions::default()
    };
    let mut log = Vec::new();
    let result = run(&opts, &mut log);
    let log = String::from_utf8(log).unwrap();
    result.unwrap_or_else(|e| panic!("{e}\n{log}"));
    let data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("m_data.json")).unwrap()).unwrap();
    let spkt = data["simData"]["spkt"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_f64().unwrap())
        .collect();
    (spkt, log)
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(from, to).unwrap();
}

#[test]
fn run_uses_mechanisms_from_sim_config_mod_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let (builtin, _) = spikes(
        write_model(&tmp.path().join("a"), "pas", serde_json::json!({})),
        Vec::new(),
    );
    assert!(builtin.len() > 10, "too few spikes: {builtin:?}");

    // The basic fixture folder next to the model (with `../units.inc`), relative path.
    let b = tmp.path().join("b");
    for f in [
        "basic/leak.mod",
        "basic/leak_params.inc",
        "basic/leak_current.inc",
        "basic/syn.mod",
        "units.inc",
    ] {
        copy(&folders().join(f), &b.join("mods").join(f));
    }
    let model = write_model(
        &b,
        "leak",
        serde_json::json!({"modFolders": ["mods/basic"]}),
    );
    let (from_mod, log) = spikes(model, Vec::new());
    assert!(log.contains("loaded mechanism `leak` from "), "{log}");
    assert_eq!(from_mod.len(), builtin.len());
    for (a, b) in from_mod.iter().zip(&builtin) {
        assert!((a - b).abs() < 1e-6, "{a} vs {b}");
    }
}

#[test]
fn run_mods_option_replaces_a_built_in_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let (builtin, _) = spikes(
        write_model(&tmp.path().join("a"), "pas", serde_json::json!({})),
        Vec::new(),
    );
    let pas = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../nmodl/tests/mechanisms/pas.mod"),
    )
    .unwrap()
    .replace("SUFFIX pas_mod", "SUFFIX pas");
    let mods = tmp.path().join("mods");
    std::fs::create_dir_all(&mods).unwrap();
    std::fs::write(mods.join("pas.mod"), pas).unwrap();
    let (replaced, log) = spikes(
        write_model(&tmp.path().join("b"), "pas", serde_json::json!({})),
        vec![mods],
    );
    assert!(
        log.contains("loaded mechanism `pas` from ")
            && log.contains("replaces the built-in mechanism"),
        "{log}"
    );
    assert_eq!(replaced.len(), builtin.len());
    for (a, b) in replaced.iter().zip(&builtin) {
        assert!((a - b).abs() < 1e-6, "{a} vs {b}");
    }
}

/// A mod folder is loaded file by file: files that do not compile are warnings naming
/// the file and the first error, and only a model that uses one of their mechanisms
/// stops, with that file's diagnostics.
#[test]
fn mod_folders_load_file_by_file() {
    let tmp = tempfile::tempdir().unwrap();
    let run_with = |dir: &str, leak: &str| {
        let model = write_model(
            &tmp.path().join(dir),
            leak,
            serde_json::json!({"modFolders": [folders().join("bad")]}),
        );
        let opts = RunOptions {
            model,
            threads: 1,
            ..RunOptions::default()
        };
        let mut log = Vec::new();
        let r = run(&opts, &mut log);
        (r, String::from_utf8(log).unwrap())
    };
    let (ok, log) = run_with("unused", "pas");
    assert!(ok.is_ok(), "{ok:?}\n{log}");
    assert!(
        log.contains("missing.mod did not compile, so mechanism `missing` is unavailable")
            && log.contains("nowhere.inc"),
        "{log}"
    );
    assert!(log.contains("syntax.mod did not compile"), "{log}");
    let (err, log) = run_with("used", "missing");
    let err = err.unwrap_err();
    assert!(
        err.contains("the model uses mechanism `missing`, but")
            && err.contains("missing.mod did not compile")
            && err.contains("missing.mod:4:1"),
        "{err}\n{log}"
    );
}

/// The `VecStim` fixture (C code: `POINTER` and `VERBATIM`) under another mechanism
/// name, in a folder of its own under `dir`.
fn c_code_named(dir: &Path, name: &str) -> PathBuf {
    let text = std::fs::read_to_string(folders().join("builtin/vecstim.mod"))
        .unwrap()
        .replace(
            "ARTIFICIAL_CELL VecStim",
            &format!("ARTIFICIAL_CELL {name}"),
        );
    let mods = dir.join("c_mods");
    std::fs::create_dir_all(&mods).unwrap();
    std::fs::write(mods.join("player.mod"), text).unwrap();
    mods
}

#[test]
fn mod_check_uses_the_built_in_for_a_mod_file_that_needs_c_code() {
    let (code, out) = ranvier(&[
        Path::new("mod"),
        Path::new("check"),
        &folders().join("builtin"),
    ]);
    assert_eq!(code, Some(0), "{out}");
    for needle in [
        "note: mechanism `VecStim` uses Ranvier's built-in implementation of that name, because ",
        "vecstim.mod needs C code (line 7: `POINTER` is not supported yet)",
        "VecStim (artificial cell) from Ranvier's built-ins (in place of ",
        "  parameters: none",
        "checked 1 file(s): 1 mechanism(s) (1 built-in), 0 error(s), 0 warning(s)",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    }
    assert!(!out.contains("error:") && !out.contains("-->"), "{out}");
}

#[test]
fn mod_check_still_fails_on_c_code_that_is_not_a_built_in() {
    let tmp = tempfile::tempdir().unwrap();
    let mods = c_code_named(tmp.path(), "TimePlayer");
    let (code, out) = ranvier(&[Path::new("mod"), Path::new("check"), &mods]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("error: `POINTER` is not supported yet"),
        "{out}"
    );
    assert!(out.contains("player.mod:7:5"), "{out}");
    assert!(!out.contains("uses Ranvier's built-in"), "{out}");
    assert!(
        out.contains("checked 1 file(s): 0 mechanism(s), 1 error(s)"),
        "{out}"
    );
}

/// A NetPyNE model: hh somas driven through ExpSyn by a VecStim playing `times`.
fn write_vecstim_model(dir: &Path, times: &[f64], extra: serde_json::Value) -> PathBuf {
    let mut model = serde_json::json!({
        "netParams": {
            "popParams": {"P": {"cellType": "C", "numCells": 2}},
            "cellParams": {"C": {"secs": {"soma": {
                "geom": {"L": 18.8, "diam": 18.8, "Ra": 123.0},
                "mechs": {"hh": {}}
            }}}},
            "synMechParams": {"exc": {"mod": "ExpSyn", "tau": 2.0, "e": 0}},
            "stimSourceParams": {"vs": {"type": "VecStim", "spkTimes": times}},
            "stimTargetParams": {"vs->C": {"source": "vs", "conds": {"cellType": "C"},
                                            "weight": 0.05, "delay": 1, "synMech": "exc"}}
        },
        "simConfig": {"duration": 100, "dt": 0.025, "filename": "m", "analysis": {}}
    });
    for (k, v) in extra.as_object().unwrap() {
        model["simConfig"][k] = v.clone();
    }
    let path = dir.join("model.json");
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(&path, model.to_string()).unwrap();
    path
}

#[test]
fn run_keeps_the_built_in_vec_stim_when_a_mod_file_needs_c_code() {
    let tmp = tempfile::tempdir().unwrap();
    let times = [10.0, 40.0, 70.0];
    let (builtin, _) = spikes(
        write_vecstim_model(&tmp.path().join("a"), &times, serde_json::json!({})),
        Vec::new(),
    );
    // One spike per event and cell.
    assert_eq!(builtin.len(), 2 * times.len(), "{builtin:?}");

    // With `--mods` on the fixture folder.
    let (with_mods, log) = spikes(
        write_vecstim_model(&tmp.path().join("b"), &times, serde_json::json!({})),
        vec![folders().join("builtin")],
    );
    assert!(
        log.contains(
            "note: mechanism `VecStim` uses Ranvier's built-in implementation of that name"
        ) && log.contains("needs C code (line 7: `POINTER` is not supported yet)"),
        "{log}"
    );
    assert!(!log.contains("error"), "{log}");
    assert_eq!(with_mods, builtin);

    // And through simConfig.modFolders.
    let (from_folders, log) = spikes(
        write_vecstim_model(
            &tmp.path().join("c"),
            &times,
            serde_json::json!({"modFolders": [folders().join("builtin")]}),
        ),
        Vec::new(),
    );
    assert!(
        log.contains("uses Ranvier's built-in implementation"),
        "{log}"
    );
    assert_eq!(from_folders, builtin);
}

#[test]
fn c_code_that_is_not_a_built_in_is_a_warning_when_unused() {
    let tmp = tempfile::tempdir().unwrap();
    let mods = c_code_named(tmp.path(), "TimePlayer");
    let opts = RunOptions {
        model: write_vecstim_model(&tmp.path().join("m"), &[10.0], serde_json::json!({})),
        threads: 1,
        mods: vec![mods],
        ..RunOptions::default()
    };
    let mut log = Vec::new();
    // The model does not use TimePlayer: a warning, and the run goes on.
    run(&opts, &mut log).unwrap();
    let log = String::from_utf8(log).unwrap();
    assert!(
        log.contains("did not compile, so mechanism `TimePlayer` is unavailable")
            && log.contains("`POINTER` is not supported yet"),
        "{log}"
    );
    assert!(!log.contains("uses Ranvier's built-in"), "{log}");
}
