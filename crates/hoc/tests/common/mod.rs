//! Shared by the hoc tests.

use ranvier_hoc::{Catalog, MechMeta};

/// The mechanisms the tests' hoc uses (names, parameters, ions as NEURON has them).
pub(crate) fn catalog() -> Catalog {
    Catalog::new([
        MechMeta {
            name: "hh".into(),
            params: vec![
                ("gnabar".into(), 0.12),
                ("gkbar".into(), 0.036),
                ("gl".into(), 0.0003),
                ("el".into(), -54.3),
            ],
            others: vec![("m".into(), 0.0)],
            ions: vec!["na".into(), "k".into()],
            ..MechMeta::default()
        },
        MechMeta {
            name: "pas".into(),
            params: vec![("g".into(), 0.001), ("e".into(), -70.0)],
            ..MechMeta::default()
        },
        MechMeta {
            name: "IClamp".into(),
            point: true,
            params: vec![
                ("del".into(), 0.0),
                ("dur".into(), 0.0),
                ("amp".into(), 0.0),
            ],
            ..MechMeta::default()
        },
    ])
}
