//! The network objective of `ranvier optimize`: loading and checking an optimisation
//! file, and evaluating candidates of the tutorial problem.

use std::path::{Path, PathBuf};

use ranvier_cli::objective::{Objective, Outcome};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn write_opt(dir: &Path, opt: &serde_json::Value) -> PathBuf {
    let model = root().join("examples/optimize/model.json");
    let mut o = opt.clone();
    o["model"] = serde_json::Value::String(model.display().to_string());
    let p = dir.join("opt.json");
    std::fs::write(&p, serde_json::to_string(&o).unwrap()).unwrap();
    p
}

#[test]
fn the_tutorial_objective_evaluates_candidates() {
    let mut cat = ranvier_builtins::catalogue();
    let mut log = Vec::new();
    let obj = Objective::load(
        &root().join("examples/optimize/tut_optimization.json"),
        &mut cat,
        &mut log,
    )
    .unwrap();
    assert_eq!(obj.parameters.len(), 3);
    // A short run of two candidates: more connections, more M firing.
    let mut short = obj;
    short.model["simConfig"]["duration"] = serde_json::Value::from(200.0);
    let weak = short.evaluate(&[0.01, 0.001, 5.0], &cat);
    let strong = short.evaluate(&[0.5, 0.1, 5.0], &cat);
    let (Outcome::Fitness(w), Outcome::Fitness(s)) = (&weak, &strong) else {
        panic!("{weak:?} {strong:?}");
    };
    assert_eq!(w.len(), 1);
    assert!(w[0] != s[0], "{w:?} {s:?}");
    // Same candidate, same fitness.
    assert_eq!(short.evaluate(&[0.01, 0.001, 5.0], &cat), weak);
}

#[test]
fn bad_optimisation_files_are_rejected_before_any_evaluation() {
    let tmp = tempfile::tempdir().unwrap();
    let base = serde_json::json!({
        "parameters": [{"path": "connParams.\"S->M\".weight", "bounds": [0.001, 0.1]}],
        "fitness": "abs(rate - 17)"
    });
    let load = |o: &serde_json::Value| {
        let p = write_opt(tmp.path(), o);
        let mut cat = ranvier_builtins::catalogue();
        Objective::load(&p, &mut cat, &mut Vec::new()).map(|_| ())
    };
    assert!(load(&base).is_ok());
    let mut o = base.clone();
    o["parameters"][0]["path"] = "connParams.\"S->X\".weight".into();
    let e = load(&o).unwrap_err();
    assert!(
        e.contains("unknown parameter path") && e.contains("S->X"),
        "{e}"
    );
    let mut o = base.clone();
    o["parameters"][0]["bounds"] = serde_json::json!([0.5, 0.1]);
    let e = load(&o).unwrap_err();
    assert!(e.contains("low > high"), "{e}");
    let mut o = base.clone();
    o["fitness"] = "abs(rate_X - 17)".into();
    let e = load(&o).unwrap_err();
    assert!(e.contains("rate_X") && e.contains("rate_S"), "{e}");
    // A time limit too large for a duration is an error, not a panic.
    let mut o = base.clone();
    o["timeLimit"] = serde_json::json!(1e300);
    let e = load(&o).unwrap_err();
    assert!(e.contains("timeLimit"), "{e}");
    // Parameter values as quantities: `p1` always, a label when given and valid.
    let mut o = base.clone();
    o["fitness"] = "abs(rate - 17) + p1 + w".into();
    o["parameters"][0]["label"] = "w".into();
    assert!(load(&o).is_ok());
    o["fitness"] = "p2".into();
    let e = load(&o).unwrap_err();
    assert!(e.contains("p2") && e.contains("p1"), "{e}");
    o["parameters"][0]["label"] = "rate".into();
    let e = load(&o).unwrap_err();
    assert!(e.contains("already the name of a quantity"), "{e}");
    o["parameters"][0]["label"] = "2w".into();
    let e = load(&o).unwrap_err();
    assert!(e.contains("`label` must be a name"), "{e}");
}

#[test]
fn a_candidate_past_its_time_limit_fails_cleanly() {
    let mut cat = ranvier_builtins::catalogue();
    let mut obj = Objective::load(
        &root().join("examples/optimize/tut_optimization.json"),
        &mut cat,
        &mut Vec::new(),
    )
    .unwrap();
    obj.time_limit = Some(std::time::Duration::from_nanos(1));
    match obj.evaluate(&[0.3, 0.05, 5.0], &cat) {
        Outcome::Failed(why) => assert!(why.contains("time limit"), "{why}"),
        o => panic!("{o:?}"),
    }
}
