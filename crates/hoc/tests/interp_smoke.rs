#![allow(clippy::print_stdout)]
use ranvier_hoc::{Catalog, Interp, MechMeta};

fn catalog() -> Catalog {
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

#[test]
fn smoke() {
    let src = r#"
begintemplate Cell
public soma, dend, all, stim
create soma, dend[2]
objref all, stim
proc init() { local i
    soma { L = 20 diam = 20 insert hh gnabar_hh = $1 }
    for i = 0, 1 {
        dend[i] { L = 100 nseg = 3 insert pas g_pas(0.9) = 2e-4 }
        connect dend[i](0), soma(1)
    }
    all = new SectionList()
    forall all.append()
    soma stim = new IClamp(0.5)
    stim.amp = 0.3
    dend[1] { pt3dclear() pt3dadd(0,0,0,2) pt3dadd(30,40,0,2) }
    undeclared = undeclared + 1
    printf("%s has %d sections, nseg %g\n", "Cell", 3, dend[0].nseg)
}
endtemplate Cell
"#;
    let mut it = Interp::new(catalog(), vec![]);
    it.run_source("cell.hoc", src, None).unwrap();
    let id = it
        .new_instance("Cell", vec![ranvier_hoc::ArgValue::Num(0.2)])
        .map_err(|e| it.render(&e))
        .unwrap()
        .unwrap();
    let cell = it.cell(Some(id));
    println!("{}", it.output);
    println!("{cell:#?}");
    assert_eq!(cell.sections.len(), 3);
    assert_eq!(cell.sections[2].l, 50.0);
}
