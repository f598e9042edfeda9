//! NMODL (`.mod` file) syntax for Ranvier: a hand-written lexer and an error-tolerant
//! recursive-descent + Pratt parser producing a spanned [`ast::Module`].
//!
//! ```
//! let src = "NEURON { SUFFIX leak NONSPECIFIC_CURRENT i RANGE g }\n\
//!            PARAMETER { g = .001 (S/cm2) e = -70 (mV) }\n\
//!            ASSIGNED { v (mV) i (mA/cm2) }\n\
//!            BREAKPOINT { i = g*(v - e) }\n";
//! let (module, diags) = ranvier_nmodl::parse(src);
//! assert!(diags.is_empty());
//! assert_eq!(module.items.len(), 4);
//! ```
//!
//! Parsing never fails: errors are returned as [`Diagnostic`]s (render them with
//! [`ranvier_span::render`]) next to a best-effort tree. `INCLUDE` is kept as an item;
//! resolving it is left to the caller.

pub mod ast;
mod dump;
pub mod lexer;
pub mod load;
pub mod lower;
mod parser;

pub use dump::dump;
pub use lower::compile;
pub use parser::parse;
pub use ranvier_span::Diagnostic;

/// Diagnostic codes used by this crate.
pub mod codes {
    /// A character that starts no NMODL token.
    pub const UNKNOWN_CHAR: &str = "E0001";
    /// Unterminated string literal.
    pub const UNTERMINATED_STRING: &str = "E0003";
    /// Unterminated COMMENT block.
    pub const UNTERMINATED_COMMENT: &str = "E0004";
    /// Unterminated VERBATIM block.
    pub const UNTERMINATED_VERBATIM: &str = "E0005";
    /// A specific token was expected.
    pub const EXPECTED: &str = "E0010";
    /// A block's closing brace is missing.
    pub const UNCLOSED: &str = "E0011";
    /// Unknown top-level keyword or stray token at file scope.
    pub const UNKNOWN_ITEM: &str = "E0012";
    /// Unknown statement in a NEURON block.
    pub const UNKNOWN_NEURON_STMT: &str = "E0013";
    /// Extra tokens after a complete statement.
    pub const TRAILING: &str = "E0014";
    /// Invalid assignment target.
    pub const BAD_TARGET: &str = "E0015";
    /// Nesting too deep.
    pub const TOO_DEEP: &str = "E0016";
}
