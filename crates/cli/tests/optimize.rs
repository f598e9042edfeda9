//! `ranvier optimize`: the tutorial problem end to end on a short model, and a run
//! stopped after a generation and resumed from its checkpoint ending exactly like an
//! uninterrupted run.

use std::path::{Path, PathBuf};

use ranvier_cli::optimize::{OptimizeOptions, optimize};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The tutorial's optimisation file on a 200 ms model, with `max_evaluations`.
fn setup(dir: &Path, max_evaluations: u64) -> PathBuf {
    let mut model: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("examples/optimize/model.json")).unwrap(),
    )
    .unwrap();
    model["simConfig"]["duration"] = Value::from(200.0);
    model["simConfig"]["analysis"] = Value::Object(serde_json::Map::new());
    std::fs::write(
        dir.join("model.json"),
        serde_json::to_string(&model).unwrap(),
    )
    .unwrap();
    let mut opt: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("examples/optimize/tut_optimization.json")).unwrap(),
    )
    .unwrap();
    opt["algorithm"]["max_evaluations"] = Value::from(max_evaluations);
    let p = dir.join("opt.json");
    std::fs::write(&p, serde_json::to_string(&opt).unwrap()).unwrap();
    p
}

fn run(
    file: PathBuf,
    out: PathBuf,
    resume: bool,
    threads: usize,
) -> (ranvier_cli::optimize::OptimizeResult, String) {
    let mut log = Vec::new();
    let r = optimize(
        &OptimizeOptions {
            file,
            out: Some(out),
            resume,
            threads,
            skip_best_run: true,
        },
        &mut log,
    )
    .unwrap_or_else(|e| panic!("{e}\n{}", String::from_utf8_lossy(&log)));
    (r, String::from_utf8_lossy(&log).to_string())
}

#[test]
fn tutorial_problem_improves_and_writes_its_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let file = setup(tmp.path(), 30);
    let (r, log) = run(file, tmp.path().join("out"), false, 2);
    assert_eq!(r.evaluations, 30);
    assert!(log.contains("Generation Evaluation Worst"), "{log}");
    let csv = std::fs::read_to_string(tmp.path().join("out/individuals.csv")).unwrap();
    assert_eq!(csv.lines().count(), 31, "{csv}");
    assert!(r.best_fitness.is_finite() && r.best_fitness < 17.0, "{log}");
    assert!(tmp.path().join("out/fitness.png").metadata().unwrap().len() > 1000);
}

#[test]
fn a_resumed_run_ends_like_an_uninterrupted_one() {
    let tmp = tempfile::tempdir().unwrap();
    // Uninterrupted, 40 evaluations (4 generations after the initial one), 2 threads.
    let a = tmp.path().join("a");
    std::fs::create_dir_all(&a).unwrap();
    let (full, _) = run(setup(&a, 40), a.join("out"), false, 2);
    // Stopped after 20 evaluations, then resumed to 40 from the checkpoint, 1 thread.
    let b = tmp.path().join("b");
    std::fs::create_dir_all(&b).unwrap();
    let (_, _) = run(setup(&b, 20), b.join("out"), false, 1);
    let file = setup(&b, 40);
    let (resumed, log) = run(file, b.join("out"), true, 1);
    assert!(log.contains("resuming from"), "{log}");
    assert_eq!(resumed.evaluations, full.evaluations);
    assert_eq!(resumed.best_candidate, full.best_candidate);
    assert_eq!(resumed.best_fitness.to_bits(), full.best_fitness.to_bits());
    let ca = std::fs::read_to_string(a.join("out/checkpoint.txt")).unwrap();
    let cb = std::fs::read_to_string(b.join("out/checkpoint.txt")).unwrap();
    assert_eq!(ca, cb, "final states differ");
    let rows = |p: PathBuf| std::fs::read_to_string(p).unwrap();
    assert_eq!(
        rows(a.join("out/individuals.csv")),
        rows(b.join("out/individuals.csv"))
    );
}
