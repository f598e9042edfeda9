//! NetPyNE-compatible model specifications.
//!
//! A model is `{"netParams": ..., "simConfig": ...}` as NetPyNE writes them to JSON
//! (`netParams.save()`, `simConfig.save()`, or the `netParams`/`simConfig` parts of a
//! `saveJson` output file, which are also accepted). [`load`] reads one into typed
//! [`NetParams`] and [`SimConfig`] and returns every problem as a [`Diagnostic`] with its
//! path (`netParams.connParams."S->M".probabilty`): unknown keys are warnings that
//! suggest the nearest valid key, wrong types and missing required keys are errors.
//! Only the driver decides what is fatal.
//!
//! NetPyNE's meaning depends on key order (the order of `popParams` assigns gids; the
//! first `synMechParams` entry is the default synapse), so every dictionary is kept as an
//! ordered list of `(label, value)` pairs in the order written.
//!
//! This is the only crate with serialization on model types.

pub mod binary;
pub mod import;
mod load;
mod model;
pub mod netpyne_random;
pub mod network;
pub mod output;
pub mod recipe;
pub mod sim;

pub use load::{load, load_str};
pub use model::*;

/// How serious a [`Diagnostic`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// A problem found in a specification, located by its JSON path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path of the offending value, e.g. `netParams.connParams."S->M".weight`.
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{sev}: {}: {}", self.path, self.message)
    }
}

/// Nearest name by edit distance, for suggestions.
pub(crate) fn nearest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = ranvier_mech::edit_distance(&lower, &c.to_lowercase());
        if d <= name.len().max(3) / 3 + 1 && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}
