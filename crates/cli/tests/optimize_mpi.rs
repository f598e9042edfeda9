//! `ranvier optimize` on two MPI ranks (feature `mpi`) ends with the same checkpoint,
//! evaluation CSV and statistics as a single process with the same seed.
//!
//! Needs `mpirun` (MPICH's hydra launcher; `scripts/test.sh` installs it).
#![cfg(feature = "mpi")]

use std::path::{Path, PathBuf};
use std::process::Command;

use ranvier_cli::optimize::{OptimizeOptions, optimize};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The tutorial problem on a 200 ms model, 30 evaluations.
fn setup(dir: &Path) -> PathBuf {
    let mut model: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("examples/optimize/model.json")).unwrap(),
    )
    .unwrap();
    model["simConfig"]["duration"] = Value::from(200.0);
    model["simConfig"]["analysis"] = Value::Object(serde_json::Map::new());
    std::fs::write(dir.join("model.json"), model.to_string()).unwrap();
    let mut opt: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("examples/optimize/tut_optimization.json")).unwrap(),
    )
    .unwrap();
    opt["algorithm"]["max_evaluations"] = Value::from(30);
    let p = dir.join("opt.json");
    std::fs::write(&p, opt.to_string()).unwrap();
    p
}

#[test]
fn two_ranks_give_the_same_run_as_one_process() {
    let tmp = tempfile::tempdir().unwrap();
    let file = setup(tmp.path());
    // One process, 2 threads.
    let mut log = Vec::new();
    let single = optimize(
        &OptimizeOptions {
            file: file.clone(),
            out: Some(tmp.path().join("single")),
            resume: false,
            threads: 2,
            skip_best_run: true,
        },
        &mut log,
    )
    .unwrap_or_else(|e| panic!("{e}\n{}", String::from_utf8_lossy(&log)));
    // Two ranks, one thread each, through the real command line.
    let out = Command::new("mpirun")
        .args(["-n", "2"])
        .arg(env!("CARGO_BIN_EXE_ranvier"))
        .arg("optimize")
        .arg(&file)
        .arg("-o")
        .arg(tmp.path().join("mpi"))
        .args(["-t", "1"])
        .output()
        .expect("`mpirun` (MPICH) is needed for the MPI test: apt-get install mpich");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Rank 0 alone reports.
    assert_eq!(
        stdout.matches("Generation Evaluation").count(),
        1,
        "{stdout}"
    );
    let read = |d: &str, f: &str| std::fs::read_to_string(tmp.path().join(d).join(f)).unwrap();
    for f in ["checkpoint.txt", "individuals.csv", "statistics.csv"] {
        assert_eq!(read("single", f), read("mpi", f), "{f} differs");
    }
    assert_eq!(single.evaluations, 30);
    // The best network was re-run by rank 0.
    assert!(tmp.path().join("mpi/best_model.json").exists());
}

#[test]
fn a_bad_file_ends_every_rank_with_the_error() {
    let tmp = tempfile::tempdir().unwrap();
    let file = setup(tmp.path());
    let mut opt: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    opt["parameters"][0]["bounds"] = serde_json::json!([0.5, 0.1]);
    std::fs::write(&file, opt.to_string()).unwrap();
    let mut child = Command::new("mpirun")
        .args(["-n", "2"])
        .arg(env!("CARGO_BIN_EXE_ranvier"))
        .arg("optimize")
        .arg(&file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("`mpirun` (MPICH) is needed for the MPI test: apt-get install mpich");
    // The workers must not wait for batches that never come.
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > std::time::Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("the ranks hang after rank 0 failed");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(!status.success());
    assert!(err.contains("low > high"), "{err}");
}
