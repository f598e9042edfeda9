//! hoc for Ranvier: a lexer and error-tolerant parser for the hoc subset that published
//! cell templates use, and an interpreter that runs them to build a cell description
//! (sections, 3-D points, inserted mechanisms with per-segment values, point processes,
//! section lists) without a simulator.
//!
//! Supported: numbers, strings and object references (`objref`, `strdef`, `double`
//! arrays, `local`/`localobj`); expressions with hoc's operators and precedence;
//! `if`/`else`, `while`, `for (init; cond; step)`, `for i = a, b`, `break`,
//! `continue`, `return`, `stop`; `proc`/`func`/`obfunc` with `$1`/`$o1`/`$s1`/`$&1`
//! arguments; templates (`begintemplate`, `public`, `external`, `init`); sections
//! (`create`, `access`, `connect`, section statements `sec stmt`, `forall`,
//! `forsec`, `ifsec`), their properties (`L`, `nseg`, `diam`, `Ra`, `cm`), 3-D points,
//! `insert`/`uninsert`, range variables at a location (`gnabar_hh(0.5) = x`,
//! `sec.diam(x)`); segment loops `for (x) stmt` (x = 0, each segment centre, 1) and
//! `for (x, 0) stmt` (centres only), with NEURON's running sum for the centres and its
//! final value of `x`; range-variable tapers `rangevar(x1:x2) = y1:y2` (also `+=` etc.
//! and `sec.rangevar(…)`), which set the segments whose centres lie in `[x1, x2]` as
//! NEURON's `range_interpolate` does (the 0 and 1 ends are not separate values here;
//! `x1 >= x2` is an error, as in NEURON); point processes, `SectionList`, `SectionRef`,
//! `Vector`, `List`, `load_file`, `printf`/`sprint`, and no-op stand-ins for GUI
//! classes. Not supported (reported as errors): iterators (`iterator`, `for
//! iter() stmt`), `setpointer`, `delete`, `$i` arguments, and the membrane potential
//! `v` as a range variable.

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
