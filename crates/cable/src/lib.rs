//! Cable cells on NEURON's fixed-step method.
//!
//! A [`CableModel`] describes cells (sections from `ranvier-morph`), the mechanisms
//! inserted in them, point processes, artificial cells, connections and what to record.
//! [`CableModel::build`] lowers it into a [`Group`]: flat node arrays in an order where
//! every parent precedes its children (NEURON's "classical" order), the Hines matrix
//! coefficients, and per-mechanism structure-of-arrays instance data. The group then
//! integrates with exactly NEURON's order of operations (see [`Group::step`]).
//!
//! The engine sees mechanisms only through `ranvier-mech`'s [`Mechanism`] trait.

mod build;
mod error;
mod group;
mod queue;

pub use build::{
    ArtId, CableModel, CellId, NetConId, PointId, ProbeSpec, Recording, Source, SourceId, Target,
};
pub use error::{BuildError, RunError};
pub use group::{Group, Method, SpikeRecord, Trace};
pub use queue::EventQueue;

pub use ranvier_mech::{Catalogue, Mechanism};
