//! Variation operators (inspyred's `variators` package).
//!
//! A variator maps a list of candidates to a new list. The EC applies its
//! variators in sequence, each one to the output of the previous one, starting
//! from copies of the selected parents' candidates.
//!
//! Crossovers pair consecutive candidates (0 with 1, 2 with 3, …), drop an odd
//! last one, and return two children per pair. Mutators return one mutant per
//! candidate. Real-valued operators that inspyred bounds call
//! [`crate::Bound::bound`] on their results.

mod crossovers;
mod mutators;

pub use crossovers::{
    ArithmeticCrossover, BlendCrossover, HeuristicCrossover, LaplaceCrossover, NPointCrossover,
    PartiallyMatchedCrossover, SimulatedBinaryCrossover, UniformCrossover,
};
pub use mutators::{
    BitFlipMutation, GaussianMutation, InversionMutation, NonuniformBoundsMutation,
    NonuniformMutation, RandomResetMutation, ScrambleMutation,
};

use crate::ec::Ctx;
use crate::error::EcError;
use crate::individual::Individual;

/// Creates offspring candidates from parent candidates.
pub trait Variator: Send + Sync {
    /// inspyred's function name.
    fn name(&self) -> &'static str;

    /// The varied candidates. `population` is the EC's current population
    /// (heuristic crossover looks parents' fitness up in it).
    ///
    /// # Errors
    /// When the arguments do not suit the operator.
    fn vary(
        &self,
        cx: &mut Ctx<'_>,
        population: &[Individual],
        candidates: Vec<Vec<f64>>,
    ) -> Result<Vec<Vec<f64>>, EcError>;
}

/// Returns the candidates unchanged (`default_variation`).
#[derive(Clone, Copy, Debug, Default)]
pub struct DefaultVariation;

impl Variator for DefaultVariation {
    fn name(&self) -> &'static str {
        "default_variation"
    }

    fn vary(
        &self,
        _cx: &mut Ctx<'_>,
        _population: &[Individual],
        candidates: Vec<Vec<f64>>,
    ) -> Result<Vec<Vec<f64>>, EcError> {
        Ok(candidates)
    }
}
