//! hoc for Ranvier: a lexer and error-tolerant parser for the hoc subset that published
//! cell templates use, and an interpreter that runs them to build a cell description
//! (sections, 3-D points, inserted mechanisms with per-segment values, point processes,
//! section lists) without a simulator.

pub mod ast;
pub mod cell;
mod dump;
mod interp;
mod lexer;
mod parser;

pub use cell::{Catalog, Cell, CellPointProcess, CellSection, InsertedMech, MechMeta};
pub use dump::dump;
pub use interp::{ArgValue, HocError, Interp};
pub use parser::parse;
pub use ranvier_span::Diagnostic;
