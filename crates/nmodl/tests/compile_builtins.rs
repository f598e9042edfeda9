//! Our own `.mod` versions of pas, hh, ExpSyn and Exp2Syn, compiled by the NMODL front
//! end, run like the native built-ins (to 1e-9; bit for bit where the arithmetic is
//! the same).

use std::path::Path;
use std::sync::Arc;

use ranvier_cable::{CableModel, ProbeSpec, Source, Target};
use ranvier_mech::Catalogue;
use ranvier_morph::Section;

fn compile(file: &str) -> ranvier_kernel::IrMechanism {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/mechanisms")
        .join(file);
    let src = std::fs::read_to_string(&path).unwrap();
    let (module, diags) = ranvier_nmodl::parse(&src);
    assert!(diags.is_empty(), "{file}: {diags:?}");
    let (mech, diags) = ranvier_nmodl::compile(&module);
    let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{file}: {errors:?}");
    mech.unwrap_or_else(|| panic!("{file}: no mechanism"))
}

fn catalogue() -> Catalogue {
    let mut c = ranvier_builtins::catalogue();
    for f in [
        "pas.mod",
        "hh.mod",
        "hh_table.mod",
        "expsyn.mod",
        "exp2syn.mod",
    ] {
        c.add(Arc::new(compile(f)));
    }
    c
}

/// A soma with a leak, hh, an ExpSyn and an Exp2Syn driven by noisy NetStims.
fn run(pas: &str, hh: &str, syn1: &str, syn2: &str) -> Vec<Vec<f64>> {
    run_full(pas, hh, syn1, syn2, true)
}

fn run_full(pas: &str, hh: &str, syn1: &str, syn2: &str, exact_builtin: bool) -> Vec<Vec<f64>> {
    let mut m = CableModel::new(catalogue());
    let c = m.add_cell("c");
    let mut s = Section::new("soma");
    s.set_length(20.0).unwrap();
    s.set_diam(20.0).unwrap();
    let soma = m.add_section(c, s);
    m.insert(soma, pas).unwrap();
    m.set_density(soma, None, pas, "g", 0.0001).unwrap();
    m.set_density(soma, None, pas, "e", -65.0).unwrap();
    m.insert(soma, hh).unwrap();
    // `hh` without tables is compared with hh.mod (no TABLE); with tables, with
    // hh_table.mod.
    if hh == "hh" && exact_builtin {
        m.set_global("hh", "usetable", 0.0).unwrap();
    }
    let p1 = m.add_point(syn1, soma, 0.5).unwrap();
    m.set_point(p1, "tau", 2.0).unwrap();
    let p2 = m.add_point(syn2, soma, 0.5).unwrap();
    m.set_point(p2, "tau1", 0.5).unwrap();
    m.set_point(p2, "tau2", 5.0).unwrap();
    for (i, (p, w)) in [(p1, 0.004), (p2, 0.003)].into_iter().enumerate() {
        let ns = m.add_artificial("NetStim", &format!("ns{i}")).unwrap();
        m.set_artificial(ns, "interval", 6.0 + i as f64).unwrap();
        m.set_artificial(ns, "start", 2.0).unwrap();
        m.set_artificial(ns, "number", 100.0).unwrap();
        m.set_artificial(ns, "noise", 0.5).unwrap();
        m.set_random123(ns, i as u32 + 1, 2, 3).unwrap();
        let s = m.add_source(Source::Artificial(ns), 0.0).unwrap();
        m.connect(s, Some(Target::Point(p)), w, 1.0).unwrap();
    }
    m.record("v", ProbeSpec::Voltage { sec: soma, x: 0.5 });
    m.record(
        "m",
        ProbeSpec::Density {
            sec: soma,
            x: 0.5,
            mech: hh.into(),
            field: "m".into(),
        },
    );
    m.record(
        "g1",
        ProbeSpec::Point {
            point: p1,
            field: "g".into(),
        },
    );
    m.record(
        "g2",
        ProbeSpec::Point {
            point: p2,
            field: "g".into(),
        },
    );
    m.record(
        "ina",
        ProbeSpec::Ion {
            sec: soma,
            x: 0.5,
            ion: "na".into(),
            var: ranvier_mech::IonVar::Cur,
        },
    );
    let mut g = m.build().unwrap();
    g.init(-65.0).unwrap();
    g.run(150.0).unwrap();
    ["v", "m", "g1", "g2", "ina"]
        .iter()
        .map(|n| g.trace(n).unwrap().to_vec())
        .collect()
}

#[test]
fn compiled_mechanisms_agree_with_the_builtins() {
    let native = run("pas", "hh", "ExpSyn", "Exp2Syn");
    let compiled = run("pas_mod", "hh_mod", "ExpSyn_mod", "Exp2Syn_mod");
    assert!(native[0].iter().any(|v| *v > 0.0), "the cell spikes");
    for (k, name) in ["v", "m", "g1", "g2", "ina"].iter().enumerate() {
        let worst = native[k]
            .iter()
            .zip(&compiled[k])
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        let scale = native[k]
            .iter()
            .fold(0.0f64, |m, x| m.max(x.abs()))
            .max(1e-300);
        assert!(
            worst / scale <= 1e-9,
            "{name}: differs by {worst} (scale {scale})"
        );
    }
}

#[test]
fn rate_tables_interpolate_like_the_builtin_tables() {
    let native = run_tables("hh");
    let compiled = run_tables("hh_tab");
    for (k, name) in ["v", "m", "g1", "g2", "ina"].iter().enumerate() {
        let worst = native[k]
            .iter()
            .zip(&compiled[k])
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        let scale = native[k]
            .iter()
            .fold(0.0f64, |m, x| m.max(x.abs()))
            .max(1e-300);
        assert!(
            worst / scale <= 1e-9,
            "{name}: differs by {worst} (scale {scale})"
        );
    }
    // And the tables matter: without them the compiled hh differs by much more.
    let exact = run("pas", "hh_mod", "ExpSyn", "Exp2Syn");
    let d = exact[0]
        .iter()
        .zip(&compiled[0])
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(d > 1e-6, "{d}");
}

/// Like `run`, with hh's rate tables on (the built-in's default).
fn run_tables(hh: &str) -> Vec<Vec<f64>> {
    run_full("pas", hh, "ExpSyn", "Exp2Syn", false)
}

#[test]
fn synapses_alone_are_bit_identical() {
    let native = run("pas", "hh", "ExpSyn", "Exp2Syn");
    let mixed = run("pas_mod", "hh", "ExpSyn_mod", "Exp2Syn_mod");
    assert_eq!(native[2], mixed[2], "ExpSyn conductance");
    assert_eq!(native[3], mixed[3], "Exp2Syn conductance");
    assert_eq!(native[0], mixed[0], "membrane potential");
}

#[test]
fn unsupported_and_wrong_code_gives_located_errors() {
    let src = "NEURON { SUFFIX bad RANGE g }\nPARAMETER { g = 1 }\nBREAKPOINT { x = gg*2 }\n";
    let (module, _) = ranvier_nmodl::parse(src);
    let (mech, diags) = ranvier_nmodl::compile(&module);
    assert!(mech.is_none());
    let msgs: Vec<String> = diags.iter().map(|d| d.message.clone()).collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("unknown variable `gg`") && m.contains("`g`")),
        "{msgs:?}"
    );
    let src = "NEURON { SUFFIX k2 }\nSTATE { m }\nBREAKPOINT { SOLVE s METHOD cnexp }\nDERIVATIVE s { m' = -m*m }\n";
    let (module, _) = ranvier_nmodl::parse(src);
    let (_, diags) = ranvier_nmodl::compile(&module);
    assert!(
        diags.iter().any(|d| d.message.contains("not linear")),
        "{diags:?}"
    );
    // Mutual recursion with fan-out (each body calls the other three times) is reported
    // at once instead of being inlined exponentially.
    let src = "NEURON { SUFFIX rec RANGE x }\nASSIGNED { x }\nBREAKPOINT { x = f(1) }\nFUNCTION f(a) { f = g(a) + g(a) + g(a) }\nFUNCTION g(a) { g = f(a) + f(a) + f(a) }\n";
    let (module, _) = ranvier_nmodl::parse(src);
    let (mech, diags) = ranvier_nmodl::compile(&module);
    assert!(mech.is_none());
    assert!(
        diags
            .iter()
            .any(|d| d.message.contains("`f` calls itself through f -> g")),
        "{diags:?}"
    );
    let src = "NEURON { POINT_PROCESS W }\nNET_RECEIVE(w) { WATCH (v == 3) 2 }\nINITIAL { WATCH (v > 1) 1 }\n";
    let (module, _) = ranvier_nmodl::parse(src);
    let (mech, diags) = ranvier_nmodl::compile(&module);
    assert!(mech.is_none());
    assert!(
        diags.iter().any(|d| d.message.contains("`>` or `<`")),
        "{diags:?}"
    );
}

/// `WATCH (v < thr)` arms on the falling side: a self event with the WATCH flag is sent
/// in the step where v first drops below, and again only after v has gone back above.
#[test]
fn watch_below_threshold_fires_once_per_crossing() {
    let src = "NEURON { POINT_PROCESS Low RANGE thr, n }\nPARAMETER { thr = -70 }\nASSIGNED { v n }\nINITIAL { n = 0 net_send(0, 1) }\nNET_RECEIVE(w) {\n  if (flag == 1) { WATCH (v < thr) 2 } else if (flag == 2) { n = n + 1 }\n}\n";
    let (module, diags) = ranvier_nmodl::parse(src);
    assert!(diags.is_empty(), "{diags:?}");
    let (mech, diags) = ranvier_nmodl::compile(&module);
    let mech = mech.unwrap_or_else(|| panic!("{diags:?}"));
    let mut c = ranvier_builtins::catalogue();
    c.add(Arc::new(mech));
    let mut model = CableModel::new(c);
    let cell = model.add_cell("c");
    let mut sec = Section::new("soma");
    sec.set_length(10.0).unwrap();
    sec.set_diam(10.0).unwrap();
    let s = model.add_section(cell, sec);
    model.insert(s, "pas").unwrap();
    model.set_density(s, None, "pas", "e", -60.0).unwrap();
    let low = model.add_point("Low", s, 0.5).unwrap();
    // Two hyperpolarising pulses take v from -60 below -70 and back.
    for del in [5.0, 30.0] {
        let ic = model.add_point("IClamp", s, 0.5).unwrap();
        model.set_point(ic, "del", del).unwrap();
        model.set_point(ic, "dur", 5.0).unwrap();
        model.set_point(ic, "amp", -0.05).unwrap();
    }
    model.record(
        "n",
        ProbeSpec::Point {
            point: low,
            field: "n".into(),
        },
    );
    let mut g = model.build().unwrap();
    g.init(-60.0).unwrap();
    for _ in 0..(60.0 / 0.025) as usize {
        g.step().unwrap();
    }
    let n = g.trace("n").unwrap();
    assert_eq!(*n.last().unwrap(), 2.0, "two crossings below thr");
}

/// VERBATIM: printing is dropped, `hoc_execerror` stops the run with its message, other C
/// code compiles with a warning and stops the run only if it is reached.
#[test]
fn verbatim_blocks_run_only_their_translatable_idioms() {
    let src = "NEURON { SUFFIX vb RANGE verbose, bad }\nPARAMETER { verbose = 0 bad = 0 }\nBREAKPOINT {\n  if (verbose > 0) {\nVERBATIM\n  FILE *f = fopen(\"log\", \"a\");\nENDVERBATIM\n  }\n  if (bad > 0) {\nVERBATIM\n  hoc_execerror(\"bad must be\", \"zero\");\nENDVERBATIM\n  }\nVERBATIM\n  printf(\"step\\n\");\nENDVERBATIM\n}\n";
    let (module, diags) = ranvier_nmodl::parse(src);
    assert!(diags.is_empty(), "{diags:?}");
    let (mech, diags) = ranvier_nmodl::compile(&module);
    let warnings: Vec<_> = diags.iter().filter(|d| !d.is_error()).collect();
    assert_eq!(warnings.len(), 1, "{diags:?}");
    assert!(warnings[0].message.contains("VERBATIM"), "{diags:?}");
    let mech = Arc::new(mech.unwrap_or_else(|| panic!("{diags:?}")));
    let run = |param: Option<&str>| {
        let mut c = ranvier_builtins::catalogue();
        c.add(mech.clone());
        let mut m = CableModel::new(c);
        let cell = m.add_cell("c");
        let mut sec = Section::new("soma");
        sec.set_length(10.0).unwrap();
        sec.set_diam(10.0).unwrap();
        let s = m.add_section(cell, sec);
        m.insert(s, "vb").unwrap();
        if let Some(p) = param {
            m.set_density(s, None, "vb", p, 1.0).unwrap();
        }
        let mut g = m.build().unwrap();
        g.init(-65.0).unwrap();
        (0..10)
            .try_for_each(|_| g.step())
            .map_err(|e| e.to_string())
    };
    assert!(run(None).is_ok());
    let e = run(Some("bad")).unwrap_err();
    assert!(e.contains("bad must be zero"), "{e}");
    let e = run(Some("verbose")).unwrap_err();
    assert!(e.contains("VERBATIM") && e.contains("FILE *f"), "{e}");
}
