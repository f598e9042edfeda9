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
    for f in ["individuals.csv", "statistics.csv", "population.csv"] {
        assert_eq!(
            rows(a.join("out").join(f)),
            rows(b.join("out").join(f)),
            "{f}"
        );
    }
    // The resumed run's plot covers every generation, also those before the resume.
    assert_eq!(rows(b.join("out/statistics.csv")).lines().count(), 4);
    // A checkpoint is not continued by a different search.
    let file = setup(&b, 60);
    let mut opt: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    opt["parameters"][2]["bounds"] = serde_json::json!([1, 10]);
    opt["algorithm"]["name"] = Value::from("custom");
    std::fs::write(&file, opt.to_string()).unwrap();
    let e = optimize(
        &OptimizeOptions {
            file,
            out: Some(b.join("out")),
            resume: true,
            threads: 1,
            skip_best_run: true,
        },
        &mut Vec::new(),
    )
    .unwrap_err();
    assert!(
        e.contains("belongs to another run")
            && e.contains("`algorithm` was \"EC\"")
            && e.contains("parameters"),
        "{e}"
    );
    assert_eq!(
        rows(b.join("out/checkpoint.txt")),
        ca,
        "the checkpoint was touched"
    );
}

/// The tutorial problem on a 100 ms model with another algorithm object.
fn setup_with(dir: &Path, algorithm: Value, fitness: Value) -> PathBuf {
    let p = setup(dir, 0);
    let mut model: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("model.json")).unwrap()).unwrap();
    model["simConfig"]["duration"] = Value::from(100.0);
    std::fs::write(dir.join("model.json"), model.to_string()).unwrap();
    let mut opt: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    opt["algorithm"] = algorithm;
    opt["fitness"] = fitness;
    std::fs::write(&p, opt.to_string()).unwrap();
    p
}

#[test]
fn every_named_algorithm_runs_the_tutorial_problem() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, extra) in [
        ("EC", serde_json::json!({})),
        ("custom", serde_json::json!({})),
        (
            "genetic",
            serde_json::json!({"variators": ["blend_crossover", "gaussian_mutation"]}),
        ),
        ("evolutionStrategy", serde_json::json!({})),
        ("simulatedAnnealing", serde_json::json!({"pop_size": 1})),
        ("diffEvolution", serde_json::json!({})),
        ("estimationDist", serde_json::json!({})),
        ("particleSwarm", serde_json::json!({})),
        ("PSO", serde_json::json!({"topology": "star"})),
        ("cmaes", serde_json::json!({"pop_size": 6})),
    ] {
        let dir = tmp.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let mut alg =
            serde_json::json!({"name": name, "pop_size": 4, "max_evaluations": 12, "seed": 3});
        for (k, v) in extra.as_object().unwrap() {
            alg[k] = v.clone();
        }
        let file = setup_with(&dir, alg, Value::from("abs(rate - 17)"));
        let (r, log) = run(file, dir.join("out"), false, 2);
        assert!(
            r.evaluations >= 12,
            "{name}: {} evaluations\n{log}",
            r.evaluations
        );
        // Only the three parameters reach the model and the outputs (the ES's strategy
        // parameters stay inside the algorithm).
        assert_eq!(r.best_candidate.len(), 3, "{name}");
        assert!(r.best_fitness.is_finite(), "{name}: {log}");
        let bounds = [(0.01, 0.5), (0.001, 0.1), (1.0, 20.0)];
        for (x, (lo, hi)) in r.best_candidate.iter().zip(bounds) {
            assert!(*x >= lo && *x <= hi, "{name}: {x} outside [{lo}, {hi}]");
        }
        let csv = std::fs::read_to_string(dir.join("out/individuals.csv")).unwrap();
        assert_eq!(
            csv.lines().count() as u64,
            r.evaluations + 1,
            "{name}: {csv}"
        );
        assert!(
            csv.lines().skip(1).all(|l| l.split(',').count() == 6),
            "{name}: {csv}"
        );
        let stats = std::fs::read_to_string(dir.join("out/statistics.csv")).unwrap();
        assert_eq!(
            stats.lines().count() as u64,
            r.generations + 1,
            "{name}: {stats}"
        );
        assert!(dir.join("out/fitness.png").metadata().unwrap().len() > 1000);
    }
}

#[test]
fn nsga2_finds_a_front_of_two_population_rates() {
    let tmp = tempfile::tempdir().unwrap();
    let alg = serde_json::json!({"name": "nsga2", "pop_size": 8, "max_generations": 3, "seed": 5});
    // M at 30 Hz against a small weight (p2, the second parameter).
    let fitness = serde_json::json!(["abs(rate_M - 30)", "p2 * 100"]);
    let file = setup_with(tmp.path(), alg, fitness);
    let (r, log) = run(file, tmp.path().join("out"), false, 2);
    assert_eq!(r.evaluations, 32, "{log}");
    assert!(log.contains("Generation Evaluation Front"), "{log}");
    assert!(!r.pareto.is_empty());
    // The archive is non-dominated.
    for (i, (_, a)) in r.pareto.iter().enumerate() {
        for (j, (_, b)) in r.pareto.iter().enumerate() {
            let dominates = a.iter().zip(b).all(|(x, y)| x <= y) && a != b;
            assert!(i == j || !dominates, "{a:?} dominates {b:?}");
        }
    }
    assert_eq!(r.best_objectives.len(), 2);
    assert!(r.pareto.iter().any(|(c, _)| *c == r.best_candidate));
    // The second objective is the candidate's own weight.
    for (c, f) in &r.pareto {
        assert!((f[1] - c[1] * 100.0).abs() < 1e-12, "{c:?} {f:?}");
    }
    let csv = std::fs::read_to_string(tmp.path().join("out/pareto.csv")).unwrap();
    assert_eq!(csv.lines().count(), r.pareto.len() + 1, "{csv}");
    assert!(
        csv.starts_with("\"connParams.\"\"S->M\"\".probability\""),
        "{csv}"
    );
    assert!(tmp.path().join("out/fitness.png").metadata().unwrap().len() > 1000);
}

#[test]
fn bad_algorithm_settings_are_rejected_before_any_evaluation() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            serde_json::json!({"name": "hill_climb", "max_evaluations": 5}),
            "abs(rate - 17)",
            "unknown algorithm `hill_climb`",
        ),
        (
            serde_json::json!({"name": "PAES", "max_evaluations": 5}),
            "abs(rate - 17)",
            "not available",
        ),
        (
            serde_json::json!({"name": "custom", "max_evaluations": 5, "mutation_rat": 0.2}),
            "abs(rate - 17)",
            "unknown setting `mutation_rat`",
        ),
        (
            serde_json::json!({"name": "custom", "max_evaluations": 5, "topology": "ring"}),
            "abs(rate - 17)",
            "particle swarm only",
        ),
        (
            serde_json::json!({"name": "custom", "max_evaluations": 5, "selector": "best"}),
            "abs(rate - 17)",
            "unknown selector `best`",
        ),
        (
            serde_json::json!({"name": "custom"}),
            "abs(rate - 17)",
            "max_evaluations",
        ),
        (
            serde_json::json!({"name": "custom", "max_evaluations": 2.5}),
            "abs(rate - 17)",
            "whole number",
        ),
        (
            serde_json::json!({"name": "custom", "max_evaluations": 5}),
            "[\"rate\", \"spikes\"]",
            "use the `nsga2` algorithm",
        ),
    ];
    for (i, (alg, fitness, want)) in cases.into_iter().enumerate() {
        let dir = tmp.path().join(format!("c{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        let fitness: Value = serde_json::from_str(fitness).unwrap_or(Value::from(fitness));
        let file = setup_with(&dir, alg, fitness);
        let mut log = Vec::new();
        let e = optimize(
            &OptimizeOptions {
                file,
                out: Some(dir.join("out")),
                resume: false,
                threads: 1,
                skip_best_run: true,
            },
            &mut log,
        )
        .expect_err(want);
        assert!(e.contains(want), "{e}");
        // Nothing was evaluated.
        assert!(!dir.join("out/individuals.csv").exists(), "{want}");
    }
}

/// When to kill a run, from its output folder and the time since it started.
type KillPoint = Box<dyn Fn(&Path, std::time::Duration) -> bool>;

/// Start `ranvier optimize` as a process and kill it (SIGKILL) once `when` says so.
fn run_and_kill(file: &Path, out: &Path, when: impl Fn(&Path, std::time::Duration) -> bool) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ranvier"))
        .arg("optimize")
        .arg(file)
        .arg("-o")
        .arg(out)
        .args(["-t", "1"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return; // finished before the kill point
        }
        if when(out, start.elapsed()) {
            child.kill().unwrap();
            child.wait().unwrap();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

#[test]
fn a_run_killed_at_any_point_resumes_to_the_same_end() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    std::fs::create_dir_all(&a).unwrap();
    let (full, _) = run(setup(&a, 40), a.join("out"), false, 2);
    let rows = |p: &Path| {
        std::fs::read_to_string(p)
            .unwrap_or_default()
            .lines()
            .count()
    };
    let kill_points: [(&str, KillPoint); 4] = [
        ("at once", Box::new(|_, _| true)),
        (
            "after the first checkpoint",
            Box::new(|o, _| o.join("checkpoint.txt").exists()),
        ),
        (
            "with generation 2 evaluated",
            Box::new(move |o, _| rows(&o.join("individuals.csv")) > 21),
        ),
        (
            "after 0.4 s",
            Box::new(|_, t| t > std::time::Duration::from_millis(400)),
        ),
    ];
    for (i, (what, when)) in kill_points.iter().enumerate() {
        let b = tmp.path().join(format!("b{i}"));
        std::fs::create_dir_all(&b).unwrap();
        let file = setup(&b, 40);
        run_and_kill(&file, &b.join("out"), when);
        let (resumed, log) = run(file, b.join("out"), true, 2);
        assert_eq!(
            resumed.best_candidate, full.best_candidate,
            "killed {what}\n{log}"
        );
        for f in [
            "checkpoint.txt",
            "individuals.csv",
            "statistics.csv",
            "population.csv",
        ] {
            let read = |d: &Path| std::fs::read_to_string(d.join("out").join(f)).unwrap();
            assert_eq!(read(&a), read(&b), "{f} differs after a kill {what}\n{log}");
        }
    }
}

#[test]
fn every_algorithm_resumes_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, fitness) in [
        ("evolutionStrategy", Value::from("abs(rate - 17)")),
        ("particleSwarm", Value::from("abs(rate - 17)")),
        ("cmaes", Value::from("abs(rate - 17)")),
        ("nsga2", serde_json::json!(["abs(rate_M - 30)", "p2 * 100"])),
    ] {
        let alg = |gens: u64| serde_json::json!({"name": name, "pop_size": 4, "max_generations": gens, "seed": 7});
        let a = tmp.path().join(format!("{name}_a"));
        let b = tmp.path().join(format!("{name}_b"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        let (full, _) = run(
            setup_with(&a, alg(3), fitness.clone()),
            a.join("out"),
            false,
            2,
        );
        run(
            setup_with(&b, alg(1), fitness.clone()),
            b.join("out"),
            false,
            1,
        );
        let (resumed, log) = run(setup_with(&b, alg(3), fitness), b.join("out"), true, 1);
        assert!(log.contains("resuming from"), "{name}: {log}");
        assert_eq!(resumed.best_candidate, full.best_candidate, "{name}");
        for f in [
            "checkpoint.txt",
            "individuals.csv",
            "statistics.csv",
            "population.csv",
        ] {
            let read = |d: &Path| std::fs::read_to_string(d.join("out").join(f)).unwrap();
            assert_eq!(read(&a), read(&b), "{name}: {f} differs");
        }
    }
}

#[test]
fn a_run_where_every_candidate_fails_still_finishes_with_its_reasons() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, fitness) in [
        ("EC", Value::from("abs(rate - 17)")),
        ("nsga2", serde_json::json!(["rate", "p1"])),
    ] {
        let dir = tmp.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let alg = serde_json::json!({"name": name, "pop_size": 4, "max_generations": 2, "seed": 1});
        let file = setup_with(&dir, alg, fitness);
        // Populations of hundreds of millions of cells (not even whole numbers): every
        // candidate fails to load.
        let mut opt: Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        opt["parameters"] =
            serde_json::json!([{"path": "popParams.S.numCells", "bounds": [2e8, 3e8]}]);
        std::fs::write(&file, opt.to_string()).unwrap();
        let (r, log) = run(file, dir.join("out"), false, 2);
        assert_eq!(r.evaluations, 12, "{name}: {log}");
        assert!(log.contains("note: candidate"), "{name}: {log}");
        let csv = std::fs::read_to_string(dir.join("out/individuals.csv")).unwrap();
        assert_eq!(csv.matches("failed:").count(), 12, "{name}: {csv}");
    }
}
