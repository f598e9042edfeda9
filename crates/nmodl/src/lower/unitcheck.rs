//! The unit mismatches nocmodl lets through but that are certainly mistakes, reported
//! as warnings: a UNITS constant whose factor and unit have different dimensions, and a
//! declaration of one of NEURON's variables (`v`, ion currents, concentrations and
//! reversal potentials, `celsius`, `t`, `dt`, `diam`, `area`) in a unit of another
//! dimension than NEURON's.

use ranvier_mech::{IonVar, MechKind};
use ranvier_span::Diagnostic;
use ranvier_units::UnitTable;

use super::Compiler;
use crate::ast::*;

impl Compiler {
    pub(super) fn check_units(&mut self, module: &Module) {
        let mut table = UnitTable::common();
        // Aliases first, in order, so declarations may use them.
        for item in &module.items {
            if let ItemKind::Units(defs) = &item.kind {
                for d in defs {
                    match d {
                        UnitDef::Alias { name, def } => {
                            if let Err(e) = table.define(&name.text, &def.text) {
                                self.diags.push(
                                    Diagnostic::warning(format!(
                                        "unit ({}): {}",
                                        name.text, e.message
                                    ))
                                    .with_primary(def.range, "cannot define the unit with this"),
                                );
                            }
                        }
                        UnitDef::Constant {
                            name,
                            factor: Some(f),
                            unit: Some(u),
                            ..
                        } => {
                            if let (Ok(a), Ok(b)) = (table.parse(&f.text), table.parse(&u.text))
                                && !a.conformable(&b)
                            {
                                self.diags.push(
                                    Diagnostic::warning(format!(
                                        "unit mismatch in `{}`: ({}) is {} but ({}) is {}",
                                        name.text,
                                        f.text,
                                        a.dimension_string(),
                                        u.text,
                                        b.dimension_string()
                                    ))
                                    .with_primary(u.range, "not the dimension of the factor")
                                    .with_note("nocmodl takes the ratio of the two factors anyway"),
                                );
                            }
                        }
                        UnitDef::Constant { .. } => {}
                    }
                }
            }
        }
        for item in &module.items {
            let decls = match &item.kind {
                ItemKind::Parameter(d) | ItemKind::Assigned(d) | ItemKind::State(d) => d,
                _ => continue,
            };
            for d in decls {
                let Some(unit) = &d.unit else {
                    continue;
                };
                let Some((expected, what)) = self.neuron_unit(&d.name.text) else {
                    continue;
                };
                let (Ok(have), Ok(want)) = (table.parse(&unit.text), table.parse(expected)) else {
                    continue;
                };
                if !have.conformable(&want) {
                    self.diags.push(
                        Diagnostic::warning(format!(
                            "unit mismatch: `{}` is {what}, in ({expected}), not ({})",
                            d.name.text, unit.text
                        ))
                        .with_primary(
                            unit.range,
                            if have.is_dimensionless() {
                                "dimensionless here".to_string()
                            } else {
                                format!("{} here", have.dimension_string())
                            },
                        )
                        .with_note(format!(
                            "NEURON supplies `{}` in ({expected}) whatever unit is declared",
                            d.name.text
                        )),
                    );
                }
            }
        }
    }

    /// NEURON's unit for one of its own variables, and what the variable is.
    fn neuron_unit(&self, name: &str) -> Option<(&'static str, &'static str)> {
        let point = self.kind == Some(MechKind::Point);
        let current = if point { "nA" } else { "mA/cm2" };
        match name {
            "v" => return Some(("mV", "the membrane potential")),
            "celsius" => return Some(("degC", "the temperature")),
            "t" | "dt" => return Some(("ms", "a time")),
            "diam" => return Some(("um", "the segment diameter")),
            "area" => return Some(("um2", "the segment area")),
            _ => {}
        }
        if self.currents.iter().any(|c| c == name) {
            return Some((current, "a membrane current"));
        }
        for u in &self.ions {
            for (n, var) in &u.names {
                if n == name {
                    return Some(match var {
                        IonVar::Cur => (current, "an ion current"),
                        IonVar::Erev => ("mV", "a reversal potential"),
                        IonVar::Conci | IonVar::Conco => ("mM", "an ion concentration"),
                    });
                }
            }
        }
        None
    }
}
