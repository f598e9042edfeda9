//! Library side of the `ranvier` command line, so the commands can be tested.

pub mod import;
pub mod mods;
pub mod objective;
pub mod optimize;
pub mod run;
