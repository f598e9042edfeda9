//! Errors raised by components and by checkpoint parsing.

use thiserror::Error;

/// Why a component (or the evolution loop) could not proceed.
///
/// inspyred raises Python exceptions in these situations (`ValueError`,
/// `KeyError`, `ZeroDivisionError`, …); here they are values, and the loop
/// stops at the component that returned one, with the state as it was before
/// that component ran.
#[derive(Debug, Error)]
pub enum EcError {
    /// A component needs at least one individual.
    #[error("{component}: the population is empty")]
    EmptyPopulation {
        /// inspyred name of the component.
        component: &'static str,
    },
    /// A component needs a keyword argument that has no default.
    #[error("{component}: argument `{arg}` must be set")]
    MissingArg {
        /// inspyred name of the component.
        component: &'static str,
        /// inspyred name of the argument.
        arg: &'static str,
    },
    /// An argument has a value the component cannot use.
    #[error("{component}: invalid `{arg}`: {reason}")]
    InvalidArg {
        /// inspyred name of the component.
        component: &'static str,
        /// inspyred name of the argument.
        arg: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The component works on single-objective (scalar) fitness only.
    #[error("{component}: needs scalar fitness, got a Pareto fitness")]
    ScalarFitnessRequired {
        /// inspyred name of the component.
        component: &'static str,
    },
    /// Fitness-proportionate selection cannot be used when minimising.
    #[error("fitness_proportionate_selection: not valid for minimization")]
    ProportionateMinimization,
    /// A numerical method broke down (for example a CMA-ES distribution
    /// whose step size overflowed).
    #[error("{component}: {reason}")]
    Numerical {
        /// Name of the component.
        component: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// An observer failed to write its report.
    #[error("{component}: {source}")]
    Io {
        /// inspyred name of the observer.
        component: &'static str,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// A checkpoint text that could not be read back.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("checkpoint line {line}: {message}")]
pub struct StateParseError {
    /// 1-based line number in the checkpoint text (0 = end of text).
    pub line: usize,
    /// What was expected.
    pub message: String,
}
