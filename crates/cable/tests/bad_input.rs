//! Bad input gives a clear error naming the cell, section and mechanism; nothing panics.

use ranvier_cable::{BuildError, CableModel, ProbeSpec, RunError, Source, Target};
use ranvier_morph::Section;

fn soma_model() -> (CableModel, ranvier_morph::SecId) {
    let mut m = CableModel::new(ranvier_builtins::catalogue());
    let c = m.add_cell("pyr_7");
    let mut s = Section::new("soma");
    s.set_length(20.0).unwrap();
    s.set_diam(20.0).unwrap();
    let soma = m.add_section(c, s);
    (m, soma)
}

#[test]
fn unknown_mechanism_suggests_a_name() {
    let (mut m, soma) = soma_model();
    let e = m.insert(soma, "hhh").unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("pyr_7")
            && msg.contains("soma")
            && msg.contains("`hhh`")
            && msg.contains("`hh`"),
        "{msg}"
    );
    let e = m.add_point("ExpSin", soma, 0.5).unwrap_err();
    assert!(e.to_string().contains("did you mean `ExpSyn`"), "{e}");
}

#[test]
fn unknown_parameter_names_mechanism_and_suggests() {
    let (mut m, soma) = soma_model();
    m.insert(soma, "hh").unwrap();
    let e = m.set_density(soma, None, "hh", "gnabr", 0.1).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("`hh`")
            && msg.contains("`gnabr`")
            && msg.contains("`gnabar`")
            && msg.contains("soma"),
        "{msg}"
    );
    let p = m.add_point("IClamp", soma, 0.5).unwrap();
    let e = m.set_point(p, "delay", 1.0).unwrap_err();
    assert!(
        e.to_string().contains("`IClamp`") && e.to_string().contains("`del`"),
        "{e}"
    );
    // A parameter of a mechanism that is not inserted.
    let e = m.set_density(soma, None, "pas", "g", 0.1).unwrap_err();
    assert!(matches!(e, BuildError::NotInserted { .. }), "{e}");
    // Wrong kind.
    let e = m.insert(soma, "ExpSyn").unwrap_err();
    assert!(e.to_string().contains("point process"), "{e}");
    let e = m.set_global("hh", "usetabel", 0.0).unwrap_err();
    assert!(e.to_string().contains("`usetable`"), "{e}");
}

#[test]
fn bad_geometry_is_rejected_with_section_name() {
    let mut s = Section::new("dend");
    for (what, r) in [
        ("L", s.set_length(0.0)),
        ("diam", s.set_diam(-2.0)),
        ("Ra", s.set_ra(f64::NAN)),
    ] {
        let e = r.unwrap_err().to_string();
        assert!(e.contains("dend") && e.contains(what), "{e}");
    }
    assert!(s.set_nseg(0).unwrap_err().to_string().contains("nseg = 0"));
    assert!(s.set_cm(0.0).is_ok(), "cm = 0 is allowed");
}

#[test]
fn loops_and_dangling_parents_are_build_errors() {
    let (mut m, soma) = soma_model();
    let c = m.add_cell("pyr_8");
    let d = m.add_section(c, Section::new("dend"));
    m.morphology_mut().connect(d, 0.0, soma, 1.0).unwrap();
    m.morphology_mut().connect(soma, 0.0, d, 1.0).unwrap();
    let e = m.build().err().expect("loop");
    assert!(
        e.to_string().contains("loop")
            && e.to_string().contains("soma")
            && e.to_string().contains("dend"),
        "{e}"
    );
}

#[test]
fn bad_run_parameters() {
    let (mut m, soma) = soma_model();
    m.insert(soma, "pas").unwrap();
    m.dt = 0.0;
    assert!(m.build().err().expect("dt").to_string().contains("dt"));
    m.dt = -1.0;
    assert!(m.build().is_err());
    m.dt = 0.025;
    let mut g = m.build().unwrap();
    assert!(
        matches!(g.run(1.0), Err(RunError::Invalid(_))),
        "run before init"
    );
    assert!(g.init(f64::NAN).is_err());
    g.init(-65.0).unwrap();
    assert!(g.run(f64::INFINITY).is_err());
    g.run(1.0).unwrap();
}

#[test]
fn bad_locations_and_connections() {
    let (mut m, soma) = soma_model();
    assert!(m.add_point("ExpSyn", soma, 1.5).is_err());
    let p = m.add_point("IClamp", soma, 0.5).unwrap();
    let s = m
        .add_source(Source::Voltage { sec: soma, x: 0.5 }, 10.0)
        .unwrap();
    let e = m.connect(s, Some(Target::Point(p)), 1.0, 1.0).unwrap_err();
    assert!(e.to_string().contains("NET_RECEIVE"), "{e}");
    let syn = m.add_point("ExpSyn", soma, 0.5).unwrap();
    assert!(m.connect(s, Some(Target::Point(syn)), 1.0, -1.0).is_err());
    assert!(
        m.connect(s, Some(Target::Point(syn)), f64::NAN, 1.0)
            .is_err()
    );
    m.record(
        "bad",
        ProbeSpec::Density {
            sec: soma,
            x: 0.5,
            mech: "hh".into(),
            field: "m".into(),
        },
    );
    let e = m.build().err().expect("hh not inserted");
    assert!(e.to_string().contains("not inserted"), "{e}");
}

#[test]
fn blow_up_names_cell_section_and_mechanisms() {
    let (mut m, soma) = soma_model();
    m.insert(soma, "hh").unwrap();
    m.insert(soma, "pas").unwrap();
    // A negative leak conductance (growth factor 2 per step) makes v overflow.
    m.set_density(soma, None, "pas", "g", -0.02).unwrap();
    m.set_density(soma, None, "hh", "gnabar", 0.0).unwrap();
    m.set_density(soma, None, "hh", "gkbar", 0.0).unwrap();
    let mut g = m.build().unwrap();
    g.init(-65.0).unwrap();
    let e = g.run(50.0).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, RunError::NotFinite { .. }), "{msg}");
    assert!(
        msg.contains("pyr_7") && msg.contains("soma") && msg.contains("hh") && msg.contains("pas"),
        "{msg}"
    );
}

#[test]
fn vecstim_rejects_unsorted_times_at_run_time() {
    let (mut m, _) = soma_model();
    let v = m.add_artificial("VecStim", "vs").unwrap();
    m.set_vector(v, vec![5.0, 1.0]).unwrap();
    let s = m.add_source(Source::Artificial(v), 0.0).unwrap();
    m.record_spikes(s);
    let mut g = m.build().unwrap();
    g.init(-65.0).unwrap();
    let e = g.run(10.0).unwrap_err();
    assert!(
        e.to_string().contains("VecStim") && e.to_string().contains("non-decreasing"),
        "{e}"
    );
    assert!(m.set_vector(v, vec![f64::NAN]).is_err());
}
