//! Shared by the CLI's integration tests: run a model given as JSON.

use ranvier_cli::run::{OutputFormat, RunOptions, run};
use serde_json::Value;

/// Write `model` to a scratch folder, run it on one thread and return the NetPyNE-format
/// results and the log.
pub(crate) fn run_model(model: &Value) -> (Value, String) {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("model.json");
    std::fs::write(&path, serde_json::to_string(model).unwrap()).unwrap();
    let mut log = Vec::new();
    let opts = RunOptions {
        model: path,
        out: Some(tmp.path().to_path_buf()),
        threads: 1,
        format: OutputFormat::Json,
        ..RunOptions::default()
    };
    let files =
        run(&opts, &mut log).unwrap_or_else(|e| panic!("{e}\n{}", String::from_utf8_lossy(&log)));
    let data: Value = serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
    (data, String::from_utf8_lossy(&log).to_string())
}
