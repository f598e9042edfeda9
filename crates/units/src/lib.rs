//! NMODL unit expressions, evaluated the way NEURON's `modlunit` / `nocmodl`
//! do it (`src/modlunit/units.cpp` with `share/lib/nrnunits.lib`).
//!
//! # Semantics copied from NEURON
//!
//! * **Base dimensions** are modlunit's primitive units: `m`, `kg`, `sec`,
//!   `coul`, `candela`, `K` (see [`BASE_NAMES`]). Charge, not current, is
//!   primitive (`ampere = coul/sec`). NEURON also has `dollar`, `bit` and
//!   `erlang` primitives, which no unit we carry uses, so they are omitted.
//!   **Amount of substance is not a dimension**: `mole` is the pure number
//!   6.02214076e23, `faraday = e-mole`, `R = gasconstant = k-mole`.
//!   Concentrations are declared without moles, `(molar) = (1/liter)`,
//!   `(mM) = (milli/liter)` (= 1 m⁻³).
//! * **Syntax** of an expression (the text between the parentheses):
//!   an optional leading number (`digits.digits`, then `+`/`-` digits as a
//!   decimal exponent, `|` for a quotient: `1.6-19` = 1.6e-19, `1|180`;
//!   a leading number that evaluates to 0, or is absent, means 1), then unit
//!   names separated by space, tab, `-` (product, so `k-mole` is k × mole),
//!   or `/`. After the first `/` **every** following name is in the
//!   denominator (`a/b c` = `a/(b c)`, `a/b/c` = `a/(b c)`). A digit 2–9
//!   written right after a name is a power (`cm2`, `sec2`); the digit `1`
//!   is only a separator, and `0` is part of the name. So `s-1` means
//!   `sec`, *not* 1/sec (write `/s`). `()` and `(1)` are both valid and
//!   dimensionless with factor 1.
//! * **Name lookup**: the exact name in the table; otherwise strip the first
//!   matching long prefix (`atto femto pico nano micro milli centi deci deka
//!   hecta hecto kilo mega meg giga tera`, no one-letter prefixes) and retry;
//!   otherwise, if longer than one character and ending in `s`, strip the `s`
//!   (plural) and retry; otherwise the name is unknown. `kilocoulombs` is
//!   therefore kilo × coulomb, `milli` alone is 1e-3, and `k` is Boltzmann's
//!   constant, not kilo.
//! * **Temperature**: `degC` is simply `K` (no offset); `degF` is 5/9 K.
//! * **Constants** are units: `(pi)` is the dimensionless 3.14159…, `(e)` is
//!   1.602176634e-19 coul, `(faraday)` 96485.33212331001 coul, `(k-mole)`
//!   8.31446261815324 joule/K.
//! * A UNITS-block factor definition `NAME = (a) (b)` or `NAME = (a) -> (b)`
//!   is `factor(a) / factor(b)` **with no dimension check** (see
//!   [`UnitTable::factor_def`]); `NAME = 96485 (coulomb)` just takes the
//!   number. A unit definition `(a) = (b)` installs `a`; redefining a name that
//!   already exists is a fatal error in nocmodl.
//! * nocmodl **ignores** the units written after a literal (`0.062 (/mV)` is
//!   emitted as `0.062`) and never evaluates the units of declarations; only
//!   modlunit checks them (and it requires them to conform exactly, factor
//!   within a relative tolerance of [`FACTOR_TOLERANCE`]).
//!
//! # Tables
//!
//! [`UnitTable::neuron`] holds only (a subset of) `nrnunits.lib`, so it
//! rejects undeclared `mV` exactly as NEURON does. [`UnitTable::common`]
//! adds the abbreviations mod files usually declare (`mV`, `mA`, `nA`, `S`,
//! `uS`, `um`, `mM`, `molar`, …); use it for diagnostics on declarations,
//! which nocmodl never evaluates. The free functions [`parse_unit`] and
//! [`conversion`] use the common table; [`constant`] uses the NEURON table.

mod table;

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

/// Number of base dimensions.
pub const NDIM: usize = 6;

/// Names of the base dimensions, in the order of [`Unit::dims`].
pub const BASE_NAMES: [&str; NDIM] = ["m", "kg", "sec", "coul", "candela", "K"];

/// Relative tolerance modlunit uses when it compares two unit factors
/// (`OUTTOLERANCE`: `|b/a - 1| > 1e-5` means different).
pub const FACTOR_TOLERANCE: f64 = 1e-5;

/// A unit: a scale factor relative to the base units and integer exponents of
/// the base dimensions ([`BASE_NAMES`]). `value_in_base = factor * value`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Unit {
    /// Size of this unit expressed in base units (`mV` → 1e-3).
    pub factor: f64,
    /// Exponents of `m kg sec coul candela K`.
    pub dims: [i8; NDIM],
}

impl Unit {
    /// The dimensionless unit with factor 1 (`()` or `(1)`).
    pub const ONE: Unit = Unit {
        factor: 1.0,
        dims: [0; NDIM],
    };

    /// True when all exponents are zero.
    pub fn is_dimensionless(&self) -> bool {
        self.dims.iter().all(|&d| d == 0)
    }

    /// True when both units have the same dimensions.
    pub fn conformable(&self, other: &Unit) -> bool {
        self.dims == other.dims
    }

    /// True when the factors agree within [`FACTOR_TOLERANCE`] (modlunit's
    /// test for "missing a conversion factor").
    pub fn same_factor(&self, other: &Unit) -> bool {
        !((other.factor / self.factor - 1.0).abs() > FACTOR_TOLERANCE)
    }

    /// Product of two units.
    pub fn mul(&self, other: &Unit) -> Result<Unit, UnitError> {
        self.combine(other, false)
    }

    /// Quotient of two units.
    pub fn div(&self, other: &Unit) -> Result<Unit, UnitError> {
        self.combine(other, true)
    }

    /// Integer power (`x^2` in an expression).
    pub fn powi(&self, n: i32) -> Result<Unit, UnitError> {
        let mut dims = [0i8; NDIM];
        for (d, &s) in dims.iter_mut().zip(&self.dims) {
            *d = i8::try_from(i32::from(s) * n).map_err(|_| UnitError::overflow(None))?;
        }
        finish(self.factor.powi(n), dims, None)
    }

    fn combine(&self, other: &Unit, divide: bool) -> Result<Unit, UnitError> {
        let mut dims = self.dims;
        for (d, &o) in dims.iter_mut().zip(&other.dims) {
            let r = if divide {
                d.checked_sub(o)
            } else {
                d.checked_add(o)
            };
            *d = r.ok_or_else(|| UnitError::overflow(None))?;
        }
        let factor = if divide {
            self.factor / other.factor
        } else {
            self.factor * other.factor
        };
        finish(factor, dims, None)
    }

    /// The dimensions as text, e.g. `m2 kg sec-3 coul-1`, or `1` when
    /// dimensionless. Same as `Display`.
    pub fn dimension_string(&self) -> String {
        let parts: Vec<String> = BASE_NAMES
            .iter()
            .zip(&self.dims)
            .filter(|(_, d)| **d != 0)
            .map(|(n, &d)| {
                if d == 1 {
                    (*n).to_string()
                } else {
                    format!("{n}{d}")
                }
            })
            .collect();
        if parts.is_empty() {
            "1".to_string()
        } else {
            parts.join(" ")
        }
    }
}

/// `{}` prints the dimensions (`m2 kg sec-3 coul-1`, `1` if dimensionless);
/// `{:#}` prefixes the factor (`0.001 m2 kg sec-3 coul-1`).
impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            write!(f, "{} {}", self.factor, self.dimension_string())
        } else {
            f.write_str(&self.dimension_string())
        }
    }
}

/// What went wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnitErrorKind {
    /// A name that is not in the table, even after prefix and plural
    /// stripping (NEURON: "Cannot recognize the units").
    Unknown,
    /// The two units have different dimensions.
    DimensionMismatch,
    /// `(a) = (b)` where `a` is already defined (NEURON: "Units
    /// redefinition", fatal in nocmodl).
    Redefinition,
    /// The factor is infinite/NaN or an exponent overflowed.
    Overflow,
    /// An empty or malformed unit name in a definition.
    BadName,
}

/// An error with an optional byte offset into the unit expression.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitError {
    /// Human-readable message.
    pub message: String,
    /// Byte offset of the offending name inside the expression text (the
    /// text between the parentheses), when known.
    pub offset: Option<usize>,
    /// Classification, for callers that react differently.
    pub kind: UnitErrorKind,
}

impl UnitError {
    fn overflow(offset: Option<usize>) -> UnitError {
        UnitError {
            message: "underflow or overflow in units calculation".to_string(),
            offset,
            kind: UnitErrorKind::Overflow,
        }
    }
}

impl fmt::Display for UnitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UnitError {}

fn finish(factor: f64, dims: [i8; NDIM], offset: Option<usize>) -> Result<Unit, UnitError> {
    if factor.is_finite() && factor != 0.0 {
        Ok(Unit { factor, dims })
    } else {
        Err(UnitError::overflow(offset))
    }
}

/// Where a table entry came from (decides whether redefinition is allowed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    Base,
    Library,
    Common,
    User,
}

/// A unit database: NEURON's library subset, optionally the common
/// abbreviations, and a mod file's own UNITS-block definitions.
#[derive(Clone, Debug)]
pub struct UnitTable {
    entries: HashMap<String, (Unit, Origin)>,
}

impl UnitTable {
    /// The `nrnunits.lib` subset only: behaves like NEURON, e.g. `(mV)` is
    /// unknown until `(mV) = (millivolt)` is [defined](Self::define).
    pub fn neuron() -> UnitTable {
        neuron_static().clone()
    }

    /// [`neuron`](Self::neuron) plus the abbreviations mod files usually
    /// declare (`mV mA nA pA uA S mS uS nS pS umho Mohm uF um mM uM nM molar
    /// M l mol ...`). A mod file may redefine these without error.
    pub fn common() -> UnitTable {
        common_static().clone()
    }

    fn build(common: bool) -> UnitTable {
        let mut entries = HashMap::new();
        // modlunit installs "" as the dimensionless 1 so a bare prefix works.
        entries.insert(String::new(), (Unit::ONE, Origin::Base));
        for (i, name) in BASE_NAMES.iter().enumerate() {
            let mut dims = [0; NDIM];
            dims[i] = 1;
            entries.insert(
                (*name).to_string(),
                (Unit { factor: 1.0, dims }, Origin::Base),
            );
        }
        let mut t = UnitTable { entries };
        t.load(table::NRNUNITS_SUBSET, Origin::Library);
        if common {
            t.load(table::COMMON_ABBREVIATIONS, Origin::Common);
        }
        t
    }

    fn load(&mut self, text: &str, origin: Origin) {
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let (name, def) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            // The transcribed tables are tested to evaluate; skip silently
            // rather than panic if one ever did not.
            if let Ok(u) = self.parse(def.trim_start()) {
                self.entries.insert(name.to_string(), (u, origin));
            }
        }
    }

    /// The entry stored under exactly `name` (no prefix/plural handling).
    pub fn get(&self, name: &str) -> Option<Unit> {
        self.entries.get(name).map(|(u, _)| *u)
    }

    /// True when `name` is an entry of the table.
    pub fn contains(&self, name: &str) -> bool {
        self.entries.contains_key(name)
    }

    /// UNITS-block unit definition `(name) = (expr)`. Surrounding whitespace
    /// of `name` is trimmed. Redefining a library unit or an earlier user
    /// definition is an error ([`UnitErrorKind::Redefinition`]), as in
    /// NEURON; redefining one of the [`common`](Self::common) abbreviations
    /// replaces it.
    pub fn define(&mut self, name: &str, expr: &str) -> Result<Unit, UnitError> {
        let unit = self.parse(expr)?;
        let trimmed = name.trim();
        if trimmed.is_empty() {
            return Err(UnitError {
                message: "empty unit name in unit definition".to_string(),
                offset: None,
                kind: UnitErrorKind::BadName,
            });
        }
        if let Some((old, origin)) = self.entries.get(trimmed)
            && *origin != Origin::Common
        {
            return Err(UnitError {
                message: format!(
                    "redefinition of units ({trimmed}) to ({expr}) is not allowed; they remain {old:#}"
                ),
                offset: None,
                kind: UnitErrorKind::Redefinition,
            });
        }
        self.entries
            .insert(trimmed.to_string(), (unit, Origin::User));
        Ok(unit)
    }

    /// The value nocmodl gives a UNITS-block factor definition
    /// `NAME = (from) (to)` (or `(from) -> (to)`): `factor(from) /
    /// factor(to)`. NEURON does **not** check that the dimensions agree;
    /// call [`conversion`] as well to diagnose a mismatch.
    pub fn factor_def(&self, from: &str, to: &str) -> Result<f64, UnitError> {
        let a = self.parse(from)?;
        let b = self.parse(to)?;
        Ok(a.factor / b.factor)
    }

    /// Evaluate a unit expression (the text between the parentheses),
    /// following modlunit's `convr()`/`lookup()`.
    pub fn parse(&self, expr: &str) -> Result<Unit, UnitError> {
        let bytes = expr.as_bytes();
        let mut pos = 0usize;
        let mut factor = getflt(bytes, &mut pos);
        if factor == 0.0 {
            factor = 1.0;
        }
        let mut unit = Unit {
            factor,
            dims: [0; NDIM],
        };
        if !factor.is_finite() {
            return Err(UnitError::overflow(Some(0)));
        }
        let mut den = false;
        let mut name_start: Option<usize> = None;
        loop {
            // End of text, or a newline, terminates like modlunit's '\n'.
            let c = bytes.get(pos).copied().unwrap_or(b'\n');
            let at = pos;
            pos += 1;
            match c {
                b'1'..=b'9' | b'-' | b'/' | b' ' | b'\t' | b'\n' | b'\r' => {
                    if let Some(start) = name_start.take() {
                        self.lookup(&expr[start..at], start, &mut unit, den, c)?;
                    }
                    if c == b'/' {
                        den = true;
                    }
                    if c == b'\n' {
                        return finish(unit.factor, unit.dims, None);
                    }
                }
                _ => {
                    if name_start.is_none() {
                        name_start = Some(at);
                    }
                }
            }
        }
    }

    fn lookup(
        &self,
        name: &str,
        offset: usize,
        unit: &mut Unit,
        den: bool,
        sep: u8,
    ) -> Result<(), UnitError> {
        let reps = if (b'2'..=b'9').contains(&sep) {
            sep - b'0'
        } else {
            1
        };
        let mut e = 1.0f64;
        let mut rest = name;
        loop {
            if let Some((q, _)) = self.entries.get(rest) {
                for _ in 0..reps {
                    for (d, &qd) in unit.dims.iter_mut().zip(&q.dims) {
                        let r = if den {
                            d.checked_sub(qd)
                        } else {
                            d.checked_add(qd)
                        };
                        *d = r.ok_or_else(|| UnitError::overflow(Some(offset)))?;
                    }
                    if den {
                        unit.factor /= q.factor * e;
                    } else {
                        unit.factor *= q.factor * e;
                    }
                }
                if !unit.factor.is_finite() || unit.factor == 0.0 {
                    return Err(UnitError::overflow(Some(offset)));
                }
                return Ok(());
            }
            if let Some((p, f)) = table::PREFIXES.iter().find(|(p, _)| rest.starts_with(p)) {
                e *= f;
                rest = &rest[p.len()..];
                continue;
            }
            if rest.len() > 1 && rest.ends_with('s') {
                rest = &rest[..rest.len() - 1];
                continue;
            }
            return Err(UnitError {
                message: format!(
                    "cannot recognize the units: {name} (needs a UNITS block declaration of the form ({name}) = (units))"
                ),
                offset: Some(offset),
                kind: UnitErrorKind::Unknown,
            });
        }
    }

    /// Conversion factor from `from` to `to` (both unit expressions); see
    /// [`conversion`].
    pub fn conversion(&self, from: &str, to: &str) -> Result<f64, UnitError> {
        let a = self.parse(from)?;
        let b = self.parse(to)?;
        conversion(&a, &b).map_err(|mut e| {
            e.message = format!("units ({from}) and ({to}) are not conformable: {a} vs {b}");
            e
        })
    }
}

/// modlunit's `getflt()`: optional spaces/tabs, then digits and dots, then an
/// optional `+`/`-` digits decimal exponent, then optionally `|` and another
/// such number to divide by. Absent or malformed numbers give 0 (as `atof`).
fn getflt(b: &[u8], pos: &mut usize) -> f64 {
    while matches!(b.get(*pos), Some(b' ' | b'\t')) {
        *pos += 1;
    }
    let mut s = String::new();
    while let Some(&c) = b.get(*pos) {
        if c.is_ascii_digit() || c == b'.' {
            s.push(c as char);
            *pos += 1;
        } else {
            break;
        }
    }
    if let Some(&c @ (b'+' | b'-')) = b.get(*pos) {
        s.push('e');
        s.push(c as char);
        *pos += 1;
        while let Some(&c) = b.get(*pos) {
            if c.is_ascii_digit() {
                s.push(c as char);
                *pos += 1;
            } else {
                break;
            }
        }
    }
    let mut d = atof(&s);
    if b.get(*pos) == Some(&b'|') {
        *pos += 1;
        d /= getflt(b, pos);
    }
    d
}

/// C `atof` on the restricted alphabet `[0-9.e+-]`: the longest prefix that
/// is a valid decimal number, or 0.
fn atof(s: &str) -> f64 {
    let b = s.as_bytes();
    let mut i = 0;
    let mut digits = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
        digits += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return 0.0;
    }
    let mut end = i;
    if i < b.len() && b[i] == b'e' {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        let k = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j > k {
            end = j;
        }
    }
    s[..end].parse().unwrap_or(0.0)
}

fn neuron_static() -> &'static UnitTable {
    static T: OnceLock<UnitTable> = OnceLock::new();
    T.get_or_init(|| UnitTable::build(false))
}

fn common_static() -> &'static UnitTable {
    static T: OnceLock<UnitTable> = OnceLock::new();
    T.get_or_init(|| UnitTable::build(true))
}

/// Parse a unit expression with the [common](UnitTable::common) table
/// (NEURON library plus the usual abbreviations such as `mV`, `mA/cm2`,
/// `/mV`, `mM`, `um2`).
pub fn parse_unit(expr: &str) -> Result<Unit, UnitError> {
    common_static().parse(expr)
}

/// Factor `f` such that `value_in_to = f * value_in_from`
/// (`from.factor / to.factor`). Errors when the dimensions differ; the
/// message names both dimension strings.
pub fn conversion(from: &Unit, to: &Unit) -> Result<f64, UnitError> {
    if !from.conformable(to) {
        return Err(UnitError {
            message: format!("units are not conformable: {from} vs {to}"),
            offset: None,
            kind: UnitErrorKind::DimensionMismatch,
        });
    }
    Ok(from.factor / to.factor)
}

/// A physical constant or any expression over NEURON's own table, e.g.
/// `faraday`, `k-mole`, `pi`, `e`, `boltzmann`, `mole` (Avogadro's number),
/// `planck`. `None` if it does not evaluate with the NEURON table.
pub fn constant(name: &str) -> Option<Unit> {
    neuron_static().parse(name).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_load_completely() {
        for (text, common) in [
            (table::NRNUNITS_SUBSET, false),
            (table::COMMON_ABBREVIATIONS, true),
        ] {
            let t = if common {
                UnitTable::common()
            } else {
                UnitTable::neuron()
            };
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let name = line.split_whitespace().next().unwrap();
                assert!(t.contains(name), "{name} failed to load");
            }
        }
    }

    #[test]
    fn atof_like_c() {
        assert_eq!(atof(""), 0.0);
        assert_eq!(atof("."), 0.0);
        assert_eq!(atof("1.5e-3"), 1.5e-3);
        assert_eq!(atof("1.2.3"), 1.2);
        assert_eq!(atof("1e-"), 1.0);
        assert_eq!(atof("e-1"), 0.0);
    }
}
