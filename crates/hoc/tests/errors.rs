//! Bad hoc input gives a diagnostic with `file:line:col`, a code frame and the hoc call
//! stack, never a panic; a template whose instantiation fails leaves nothing behind.

use ranvier_hoc::{ArgValue, Catalog, Interp, MechMeta};

fn interp() -> Interp {
    Interp::new(
        Catalog::new([MechMeta {
            name: "pas".into(),
            params: vec![("g".into(), 0.001), ("e".into(), -70.0)],
            ..MechMeta::default()
        }]),
        vec![],
    )
}

/// The rendered error of running `src` (and instantiating `template`, if given).
fn error_of(src: &str, template: Option<&str>) -> String {
    let mut it = interp();
    let r = it
        .run_source("cell.hoc", src, None)
        .and_then(|()| match template {
            Some(t) => it.new_instance(t, vec![ArgValue::Num(1.0)]).map(|_| ()),
            None => Ok(()),
        });
    match r {
        Ok(()) => panic!("no error for:\n{src}"),
        Err(e) => it.render(&e),
    }
}

#[test]
fn syntax_error() {
    insta::assert_snapshot!(error_of("create soma\nsoma { L = 10 +* 2 }\n", None));
}

#[test]
fn undefined_name_inside_a_template_proc() {
    insta::assert_snapshot!(error_of(
        "begintemplate C\npublic soma\ncreate soma\nproc init() {\n    soma { L = lenght }\n}\nendtemplate C\n",
        Some("C"),
    ));
}

#[test]
fn missing_argument_reports_the_call_stack() {
    insta::assert_snapshot!(error_of(
        "begintemplate C\npublic soma\ncreate soma\nproc init() {\n    geom($1)\n}\nproc geom() {\n    soma { L = $1  diam = $2 }\n}\nendtemplate C\n",
        Some("C"),
    ));
}

#[test]
fn missing_file() {
    insta::assert_snapshot!(error_of("load_file(\"nonexistent_cell.hoc\")\n", None));
}

#[test]
fn unknown_mechanism_with_suggestion() {
    insta::assert_snapshot!(error_of("create soma\nsoma insert pass\n", None));
}

#[test]
fn failed_instantiation_leaves_no_sections_behind() {
    let src = "begintemplate C\npublic soma, dend\ncreate soma, dend[3]\nproc init() {\n    soma { L = 10 }\n    if ($1 > 1) { dend[0] { L = undefined_length } }\n}\nendtemplate C\n";
    let mut it = interp();
    it.run_source("cell.hoc", src, None).unwrap();
    assert!(it.new_instance("C", vec![ArgValue::Num(2.0)]).is_err());
    let ok = it.new_instance("C", vec![ArgValue::Num(1.0)]).unwrap();
    let cell = it.cell(ok);
    assert_eq!(cell.sections.len(), 4);
    // Nothing of the failed instance remains anywhere.
    let top = it.cell(None);
    assert!(top.sections.is_empty(), "{:?}", top.sections);
}

#[test]
fn taper_with_a_reversed_range() {
    insta::assert_snapshot!(error_of(
        "create soma\nsoma { nseg = 3  insert pas }\nsoma g_pas(0.8:0.2) = 1:2\n",
        None,
    ));
}

/// Damaged ModelDB code (found by mutating real hoc files): allocations beyond what the
/// machine can hold are located errors, not a "capacity overflow" abort.
#[test]
fn huge_allocations_are_located_errors() {
    for (src, needle) in [
        (
            "objref v\nv = new Vector(1e308)\n",
            "a Vector of 1e308 elements",
        ),
        (
            "objref v\nv = new Vector(3)\nv.resize(1e300)\n",
            "a Vector of 1e300 elements",
        ),
        (
            "double a[100000][100000]\n",
            "an array of 10000000000 elements",
        ),
    ] {
        let e = error_of(src, None);
        assert!(e.contains(needle) && e.contains("cell.hoc:"), "{e}");
    }
}

/// A loop that never ends (a `while` waiting for a file) stops with a located error that
/// shows the hoc call stack.
#[test]
fn endless_loops_stop_with_the_call_stack() {
    let mut it = interp();
    it.set_step_budget(100_000);
    let r = it.run_source(
        "cell.hoc",
        "proc wait() {\n    while (1) { x = x + 1 }\n}\nproc go() { wait() }\ngo()\n",
        None,
    );
    let e = it.render(&r.expect_err("an endless loop"));
    assert!(
        e.contains("ran for too long") && e.contains("wait") && e.contains("go"),
        "{e}"
    );
}
