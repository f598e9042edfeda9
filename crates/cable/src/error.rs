use ranvier_morph::MorphError;

fn did_you_mean(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default()
}

/// Errors found while building a model. Each names the cell, section and mechanism
/// involved.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum BuildError {
    #[error("cell `{cell}`: {source}")]
    Morph {
        cell: String,
        #[source]
        source: MorphError,
    },
    #[error("{context}: unknown mechanism `{name}`{}", did_you_mean(suggestion))]
    UnknownMechanism {
        context: String,
        name: String,
        suggestion: Option<String>,
    },
    #[error(
        "{context}: mechanism `{mech}` has no parameter `{name}`{}",
        did_you_mean(suggestion)
    )]
    UnknownParameter {
        context: String,
        mech: String,
        name: String,
        suggestion: Option<String>,
    },
    #[error("{context}: mechanism `{mech}` is a {actual}, not a {expected}")]
    WrongKind {
        context: String,
        mech: String,
        actual: &'static str,
        expected: &'static str,
    },
    #[error("{context}: mechanism `{mech}` is not inserted in section `{section}`")]
    NotInserted {
        context: String,
        mech: String,
        section: String,
    },
    #[error("{context}: {what} = {value} is invalid: {why}")]
    BadValue {
        context: String,
        what: String,
        value: f64,
        why: &'static str,
    },
    #[error("{context}: unknown ion `{ion}`")]
    UnknownIon { context: String, ion: String },
    #[error("{context}: {why}")]
    Invalid { context: String, why: String },
}

/// Errors during a run.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RunError {
    #[error(
        "simulation blew up at t = {t} ms: v = {v} in cell `{cell}`, section `{section}` at x = {x:.4} \
         (mechanisms there: {mechs}); try a smaller dt or check the parameters of these mechanisms"
    )]
    NotFinite {
        t: f64,
        v: f64,
        cell: String,
        section: String,
        x: f64,
        mechs: String,
    },
    #[error("mechanism `{mech}` at t = {t} ms: {message}")]
    Mechanism {
        mech: String,
        t: f64,
        message: String,
    },
    #[error("invalid run request: {0}")]
    Invalid(String),
}
