//! Values NEURON (nocmodl with the default CODATA 2018 `nrnunits.lib`) gives.

use ranvier_units::{BASE_NAMES, Unit, UnitErrorKind, UnitTable, constant, conversion, parse_unit};

fn dims(pairs: &[(&str, i8)]) -> [i8; 6] {
    let mut d = [0; 6];
    for (n, e) in pairs {
        d[BASE_NAMES.iter().position(|b| b == n).unwrap()] = *e;
    }
    d
}

fn close(a: f64, b: f64) -> bool {
    ((a - b) / b).abs() < 1e-12
}

#[test]
fn units_block_factor_definitions() {
    let t = UnitTable::neuron();
    assert_eq!(
        t.factor_def("faraday", "coulomb").unwrap(),
        96485.33212331001
    );
    assert_eq!(
        t.factor_def("faraday", "kilocoulombs").unwrap(),
        96.48533212331001
    );
    let r = t.factor_def("k-mole", "joule/degC").unwrap();
    assert!(close(r, 8.314462618153241), "{r}");
    assert_eq!(r, 1.380649e-23 * 6.02214076e23);
    assert_eq!(t.factor_def("pi", "1").unwrap(), std::f64::consts::PI);
    assert_eq!(t.factor_def("e", "coulomb").unwrap(), 1.602176634e-19);
    // NEURON does not check dimensions in factor definitions.
    assert_eq!(t.factor_def("faraday", "1").unwrap(), 96485.33212331001);
}

#[test]
fn constants() {
    let f = constant("faraday").unwrap();
    assert_eq!(f.factor, 96485.33212331001);
    assert_eq!(f.dims, dims(&[("coul", 1)]));
    assert_eq!(constant("pi").unwrap().dims, [0; 6]);
    assert_eq!(
        constant("mole").unwrap(),
        Unit {
            factor: 6.02214076e23,
            dims: [0; 6]
        }
    );
    assert_eq!(constant("boltzmann").unwrap().factor, 1.380649e-23);
    let r = constant("R").unwrap();
    assert_eq!(r, constant("k-mole").unwrap());
    assert_eq!(r, constant("gasconstant").unwrap());
    assert_eq!(r.dims, dims(&[("m", 2), ("kg", 1), ("sec", -2), ("K", -1)]));
    assert!(constant("mV").is_none(), "NEURON's own table has no mV");
    assert!(constant("nonsense").is_none());
}

#[test]
fn electrical_units() {
    let mv = parse_unit("mV").unwrap();
    let volt = parse_unit("volt").unwrap();
    assert_eq!(conversion(&mv, &volt).unwrap(), 0.001);
    assert_eq!(
        volt.dims,
        dims(&[("m", 2), ("kg", 1), ("sec", -2), ("coul", -1)])
    );
    assert_eq!(volt.to_string(), "m2 kg sec-2 coul-1");
    let inv = parse_unit("/mV").unwrap();
    assert_eq!(
        inv.dims,
        dims(&[("m", -2), ("kg", -1), ("sec", 2), ("coul", 1)])
    );
    assert_eq!(inv.factor, 1000.0);
    // mA/cm2 → nA/um2: 1 mA/cm2 = 1e6 nA / 1e8 um2 = 0.01 nA/um2
    let f = conversion(
        &parse_unit("mA/cm2").unwrap(),
        &parse_unit("nA/um2").unwrap(),
    )
    .unwrap();
    assert!(close(f, 0.01), "{f}");
    // S/cm2 with mV → mA/cm2: factor 1
    let g = parse_unit("S/cm2").unwrap().mul(&mv).unwrap();
    assert!(close(
        conversion(&g, &parse_unit("mA/cm2").unwrap()).unwrap(),
        1.0
    ));
    assert!(close(
        conversion(&parse_unit("mho").unwrap(), &parse_unit("S").unwrap()).unwrap(),
        1.0
    ));
    assert!(close(parse_unit("umho").unwrap().factor, 1e-6));
    assert!(close(parse_unit("Mohm").unwrap().factor, 1e6));
    assert!(close(parse_unit("uF/cm2").unwrap().factor, 1e-2));
    assert_eq!(
        parse_unit("ohm cm").unwrap().dims,
        dims(&[("m", 3), ("kg", 1), ("sec", -1), ("coul", -2)])
    );
}

#[test]
fn concentrations_have_no_moles() {
    let mm = parse_unit("mM").unwrap();
    assert_eq!(mm.dims, dims(&[("m", -3)]));
    assert!(close(mm.factor, 1.0)); // 1e-3 / liter = 1 per m3
    assert!(close(parse_unit("molar").unwrap().factor, 1000.0));
    assert!(close(
        conversion(&parse_unit("uM").unwrap(), &mm).unwrap(),
        1e-3
    ));
    // mol/liter is Avogadro times molar in NEURON's convention.
    let f = conversion(
        &parse_unit("mol/liter").unwrap(),
        &parse_unit("molar").unwrap(),
    )
    .unwrap();
    assert!(close(f, 6.02214076e23));
    // cadad.mod: (molar) = (1/liter), (mM) = (millimolar), (msM) = (ms mM)
    let mut t = UnitTable::neuron();
    t.define("molar", "1/liter").unwrap();
    t.define("mM", "millimolar").unwrap();
    t.define("msM", "ms mM").unwrap();
    assert_eq!(t.get("msM").unwrap().dims, dims(&[("m", -3), ("sec", 1)]));
    assert!(close(t.get("msM").unwrap().factor, 1e-3));
}

#[test]
fn syntax_corners() {
    assert_eq!(parse_unit("").unwrap(), Unit::ONE);
    assert_eq!(parse_unit("1").unwrap(), Unit::ONE);
    assert_eq!(parse_unit("0").unwrap(), Unit::ONE); // factor 0 means 1
    assert_eq!(parse_unit("100").unwrap().factor, 100.0);
    assert_eq!(parse_unit("1-3").unwrap().factor, 1e-3);
    assert_eq!(parse_unit("1|4").unwrap().factor, 0.25);
    assert_eq!(parse_unit("cm2").unwrap().dims, dims(&[("m", 2)]));
    assert!(close(parse_unit("cm2").unwrap().factor, 1e-4));
    assert!(close(parse_unit("m3").unwrap().factor, 1.0));
    // '1' after a name is a separator, '-' is a product: s-1 is sec.
    assert_eq!(parse_unit("s-1").unwrap(), parse_unit("s").unwrap());
    assert_eq!(parse_unit("/s").unwrap().dims, dims(&[("sec", -1)]));
    // Everything after '/' is in the denominator.
    assert_eq!(
        parse_unit("mA/cm2 ms").unwrap().dims,
        parse_unit("coul/m2 sec2").unwrap().dims
    );
    assert_eq!(
        parse_unit("1/liter").unwrap(),
        parse_unit("/liter").unwrap()
    );
    // Prefixes, plurals, bare prefix.
    assert!(close(parse_unit("kilocoulombs").unwrap().factor, 1000.0));
    assert!(close(parse_unit("liters").unwrap().factor, 1e-3));
    assert!(close(parse_unit("milli").unwrap().factor, 1e-3));
    assert!(close(parse_unit("micron").unwrap().factor, 1e-6));
    assert_eq!(parse_unit("um").unwrap(), parse_unit("micron").unwrap());
    // Temperature: degC is K.
    assert_eq!(parse_unit("degC").unwrap(), parse_unit("K").unwrap());
    assert_eq!(parse_unit("kelvin").unwrap(), parse_unit("K").unwrap());
    // k is Boltzmann, not kilo.
    assert_eq!(parse_unit("k").unwrap(), constant("boltzmann").unwrap());
    assert!(close(parse_unit("Hz").unwrap().factor, 1.0));
    assert_eq!(parse_unit("hertz").unwrap().dims, dims(&[("sec", -1)]));
    assert!(close(parse_unit("erg").unwrap().factor, 1e-7));
    assert!(close(parse_unit("henry").unwrap().factor, 1.0));
    assert_eq!(parse_unit("  mV  ").unwrap(), parse_unit("mV").unwrap());
}

#[test]
fn unknown_units_and_offsets() {
    let e = parse_unit("mA/furlongz").unwrap_err();
    assert_eq!(e.kind, UnitErrorKind::Unknown);
    assert_eq!(e.offset, Some(3));
    assert!(e.message.contains("furlongz"));
    let e = UnitTable::neuron().parse("mV").unwrap_err();
    assert_eq!(e.offset, Some(0));
    assert!(
        parse_unit("mA*cm").is_err(),
        "'*' is not an operator in NMODL units"
    );
    assert!(parse_unit("1|0").is_err());
}

#[test]
fn dimension_mismatch() {
    let e = conversion(&parse_unit("mV").unwrap(), &parse_unit("mA").unwrap()).unwrap_err();
    assert_eq!(e.kind, UnitErrorKind::DimensionMismatch);
    assert!(e.message.contains("m2 kg sec-2 coul-1"), "{}", e.message);
    assert!(e.message.contains("sec-1 coul"), "{}", e.message);
    let e = UnitTable::common()
        .conversion("faraday", "joule")
        .unwrap_err();
    assert!(e.message.contains("(faraday)") && e.message.contains("(joule)"));
}

#[test]
fn definitions() {
    let mut t = UnitTable::neuron();
    assert!(t.parse("mV").is_err());
    t.define("mV", "millivolt").unwrap();
    assert!(close(t.parse("/mV").unwrap().factor, 1000.0));
    let e = t.define("mV", "volt").unwrap_err();
    assert_eq!(e.kind, UnitErrorKind::Redefinition);
    let e = t.define("ms", "millisec").unwrap_err();
    assert_eq!(e.kind, UnitErrorKind::Redefinition);
    // Common abbreviations can be overridden by a file (ar.mod style).
    let mut c = UnitTable::common();
    c.define("uM", "micrometer").unwrap();
    assert_eq!(c.get("uM").unwrap().dims, dims(&[("m", 1)]));
    c.define("mV", "millivolt").unwrap();
}

#[test]
fn unit_arithmetic_and_tolerance() {
    let v = parse_unit("mV").unwrap();
    assert_eq!(
        v.powi(2).unwrap().dims,
        dims(&[("m", 4), ("kg", 2), ("sec", -4), ("coul", -2)])
    );
    assert_eq!(v.div(&v).unwrap(), Unit::ONE);
    assert!(v.same_factor(&Unit {
        factor: 1.000001e-3,
        ..v
    }));
    assert!(!v.same_factor(&Unit {
        factor: 1.1e-3,
        ..v
    }));
    assert_eq!(format!("{:#}", parse_unit("ms").unwrap()), "0.001 sec");
    assert_eq!(Unit::ONE.to_string(), "1");
}
