//! Initialization details: per-section initial potentials.

use ranvier_cable::{CableModel, ProbeSpec};
use ranvier_morph::Section;

#[test]
fn section_vinit_overrides_v_init_before_initial_blocks() {
    let mut m = CableModel::new(ranvier_builtins::catalogue());
    let c = m.add_cell("c");
    let mut soma = Section::new("soma");
    soma.set_length(20.0).unwrap();
    soma.set_diam(20.0).unwrap();
    let soma = m.add_section(c, soma);
    let mut dend = Section::new("dend");
    dend.set_length(100.0).unwrap();
    dend.set_diam(1.0).unwrap();
    dend.set_nseg(3).unwrap();
    let dend = m.add_section(c, dend);
    m.morphology_mut().connect(dend, 0.0, soma, 1.0).unwrap();
    m.insert(soma, "hh").unwrap();
    m.insert(dend, "pas").unwrap();
    m.set_vinit(soma, -70.0).unwrap();
    m.record("v_soma", ProbeSpec::Voltage { sec: soma, x: 0.5 });
    m.record("v_dend", ProbeSpec::Voltage { sec: dend, x: 0.5 });
    m.record(
        "m",
        ProbeSpec::Density {
            sec: soma,
            x: 0.5,
            mech: "hh".into(),
            field: "m".into(),
        },
    );
    assert!(m.set_vinit(soma, f64::NAN).is_err());
    let mut g = m.build().unwrap();
    g.init(-65.0).unwrap();
    assert_eq!(g.trace("v_soma").unwrap()[0], -70.0);
    assert_eq!(g.trace("v_dend").unwrap()[0], -65.0);
    // hh's INITIAL saw -70 mV: m is m_inf(-70), below m_inf(-65) = 0.0529.
    let m0 = g.trace("m").unwrap()[0];
    assert!(m0 < 0.05 && m0 > 0.02, "{m0}");
}
