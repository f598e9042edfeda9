//! Library side of the `ranvier` command line, so the commands can be tested.

pub mod import;
pub mod mods;
#[cfg(feature = "mpi")]
pub mod mpi;
pub mod objective;
pub mod optimize;
pub mod run;
