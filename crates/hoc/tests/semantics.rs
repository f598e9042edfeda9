//! hoc semantics as NEURON implements them, each checked on a small snippet of our own
//! (the expected values are what NEURON 9 gives for the same code).

use ranvier_hoc::{ArgValue, Cell, Interp};

mod common;
use common::catalog;

/// Run `src`, instantiate `template` and return its cell.
fn build(src: &str, template: &str) -> Result<(Interp, Cell), String> {
    let mut it = Interp::new(catalog(), vec![]);
    it.run_source("test.hoc", src, None)
        .map_err(|e| it.render(&e))?;
    let id = it
        .new_instance(template, Vec::<ArgValue>::new())
        .map_err(|e| it.render(&e))?;
    let cell = it.cell(id);
    Ok((it, cell))
}

fn names(cell: &Cell) -> Vec<&str> {
    cell.sections.iter().map(|s| s.name.as_str()).collect()
}

fn sec<'a>(cell: &'a Cell, name: &str) -> &'a ranvier_hoc::CellSection {
    cell.sections.iter().find(|s| s.name == name).unwrap()
}

fn list<'a>(cell: &'a Cell, name: &str) -> Vec<&'a str> {
    let (_, ids) = cell.section_lists.iter().find(|(n, _)| n == name).unwrap();
    ids.iter()
        .map(|&i| cell.sections[i].name.as_str())
        .collect()
}

/// The statements of a template body run once, when the template is read; an instance
/// starts from the variables they declared, zeroed, with new default sections, made in
/// the order the names are first mentioned in the template.
#[test]
fn template_body_runs_once_at_definition() {
    let src = r#"
begintemplate T
public b, a, k, d, seen
n = 3
create a, b, d[n]
a { L = 123  nseg = 3  insert pas }
k = 7
proc init() { seen = k }
endtemplate T
"#;
    let (mut it, cell) = build(src, "T").unwrap();
    // `public b, a` mentions b first.
    assert_eq!(names(&cell), ["b", "a", "d[0]", "d[1]", "d[2]"]);
    let a = sec(&cell, "a");
    assert_eq!((a.l, a.nseg, a.mechs.len()), (100.0, 1, 0));
    // k is a variable of each instance, 0 until set there.
    it.eval_source("objref c2\nc2 = new T()\nprint c2.seen, c2.k")
        .unwrap();
    assert_eq!(it.output.trim(), "0 0");
    // The sections the body made while the template was read are gone.
    assert_eq!(it.cell(None).sections.len(), 0);
}

/// hoc declares a name as a variable when it parses an assignment to it; reading a
/// name nothing assigns is an error ("undefined variable").
#[test]
fn undefined_names_are_errors_unless_assigned_somewhere() {
    let ok = r#"
begintemplate T
public soma, x
create soma
proc init() { x = later + 1 }
proc setlater() { later = 5 }
endtemplate T
"#;
    let (mut it, _) = build(ok, "T").unwrap();
    it.eval_source("objref c\nc = new T()\nprint c.x").unwrap();
    assert_eq!(it.output.trim(), "1");

    let bad = r#"
begintemplate T
public soma
create soma
proc init() { soma.L = nowhere * 2 }
endtemplate T
"#;
    let Err(e) = build(bad, "T") else {
        panic!("reading an undefined variable must fail");
    };
    assert!(e.contains("undefined variable `nowhere`"), "{e}");

    // At top level, a proc read so far declares what it assigns.
    let mut it = Interp::new(catalog(), vec![]);
    it.run_source("top.hoc", "proc p() { q = 1 }\nz = q + 2\nprint z", None)
        .unwrap();
    assert_eq!(it.output.trim(), "2");
    let mut it = Interp::new(catalog(), vec![]);
    let e = it
        .run_source("top.hoc", "z = q + 2\nq = 1", None)
        .unwrap_err();
    assert!(
        e.message.contains("undefined variable `q`"),
        "{}",
        e.message
    );
}

/// `forsec`, `ifsec` and `issection` patterns: `[` `]` stand for themselves, `<...>` is a
/// character class, and the whole name must match (`forsec`/`ifsec` add `.*` around
/// the pattern, `issection` nothing); inside a template `forall`/`forsec` see only the
/// object's own sections.
#[test]
fn section_name_patterns() {
    let src = r#"
create extra
begintemplate T
public d, s
create d[13], s
proc init() {
    forall insert pas
    forsec "d[1]" L = 11
    forsec "d[1<0-1>]" L = 12
    forsec "^d" L = 13
    d[2] ifsec "d.2" L = 14
    d[3] if (issection(".*d.3.")) L = 15
    d[4] if (issection("d.*")) L = 16
    s if (issection("T.0..s")) L = 17
}
endtemplate T
"#;
    let (it, cell) = build(src, "T").unwrap();
    let l = |n: &str| sec(&cell, n).l;
    assert_eq!(l("d[1]"), 11.0);
    assert_eq!((l("d[10]"), l("d[11]"), l("d[12]")), (12.0, 12.0, 100.0));
    // `^` after the `T[0].*` NEURON puts in front can never match.
    assert_eq!(l("d[0]"), 100.0);
    assert_eq!(l("d[2]"), 14.0);
    assert_eq!(l("d[3]"), 15.0);
    assert_eq!(l("d[4]"), 100.0);
    assert_eq!(l("s"), 17.0);
    assert!(cell.sections.iter().all(|s| s.mechs.len() == 1));
    assert!(it.cell(None).sections[0].mechs.is_empty());
}

/// A section's children are ordered by where they attach (from the end nearer the
/// root), the most recently connected first among equals: `SectionRef.child`,
/// `SectionList.children()` and `subtree()` follow it.
#[test]
fn children_order() {
    let src = r#"
begintemplate T
public p, c, g, kids, tree
create p, c[4], g[2]
objref kids, tree, sr
proc init() {
    connect c[0](0), p(0.8)
    connect c[1](0), p(0.2)
    connect c[2](0), p(0.8)
    connect c[3](1), p(1)
    connect g[0](0), c[1](1)
    connect g[1](0), c[0](0.5)
    kids = new SectionList()
    p kids.children()
    tree = new SectionList()
    p tree.subtree()
    p sr = new SectionRef()
    sr.child[0] { L = 5 }
}
endtemplate T
"#;
    let (_, cell) = build(src, "T").unwrap();
    assert_eq!(list(&cell, "kids"), ["c[1]", "c[2]", "c[0]", "c[3]"]);
    assert_eq!(
        list(&cell, "tree"),
        ["p", "c[1]", "c[2]", "c[0]", "c[3]", "g[0]", "g[1]"]
    );
    assert_eq!(sec(&cell, "c[1]").l, 5.0);
}

/// Point processes: `loc()` and `SectionList.append()` without a section statement use
/// the default section (the first that exists); a cell lists them most recently
/// placed first.
#[test]
fn point_processes_and_the_default_section() {
    let src = r#"
begintemplate T
public soma, dend, st, all
create soma, dend
objref st[3], all
proc init() {
    dend st[0] = new IClamp(0.5)
    soma st[1] = new IClamp(0.5)
    dend st[2] = new IClamp(0.2)
    st[0].loc(0.7)
    all = new SectionList()
    all.append()
}
endtemplate T
"#;
    let (_, cell) = build(src, "T").unwrap();
    let placed: Vec<(usize, f64)> = cell.point_processes.iter().map(|p| (p.sec, p.x)).collect();
    assert_eq!(placed, [(0, 0.7), (1, 0.2), (0, 0.5)]);
    assert_eq!(list(&cell, "all"), ["soma"]);
}

/// `v_init`, `tstop` and `steps_per_ms` are top-level variables of stdrun.hoc, not
/// built-ins: a template that assigns `v_init` has its own variable.
#[test]
fn v_init_is_a_top_level_variable() {
    let src = r#"
begintemplate T
public soma
create soma
proc init() { v_init = -70  celsius = 30 }
endtemplate T
"#;
    let (_, cell) = build(src, "T").unwrap();
    assert_eq!(cell.globals.get("v_init"), None);
    assert_eq!(cell.globals.get("celsius"), Some(&30.0));

    let top = format!("load_file(\"stdrun.hoc\")\nv_init = -71\n{src}");
    let (_, cell) = build(&top, "T").unwrap();
    assert_eq!(cell.globals.get("v_init"), Some(&-71.0));

    let reads = r#"
load_file("nrngui.hoc")
begintemplate T
public soma, v
external v_init
create soma
proc init() { v = v_init }
endtemplate T
objref c
c = new T()
print c.v
"#;
    let mut it = Interp::new(catalog(), vec![]);
    it.run_source("v.hoc", reads, None).unwrap();
    assert_eq!(it.output.trim(), "-65");
}

/// `sprint` fills a strdef; `execute(cmd)` runs at top level and `execute(cmd, obj)` in
/// the object; `this` is the object; `T[0]` names an object; `sr.parent stmt` and
/// `sr.sec stmt` run in a SectionRef's sections.
#[test]
fn strings_execute_and_object_names() {
    let src = r#"
begintemplate T
public soma, dend
create soma, dend[2]
strdef cmd
objref this, sr
proc init() {
    sprint(cmd, "%s.dend[1].L = %d", this, 33)
    execute(cmd)
    sprint(cmd, "soma.L = %g", 44.5)
    execute(cmd, this)
    connect dend[0](0), soma(1)
    dend[0] sr = new SectionRef()
    sr.parent { diam = 7 }
    sr.sec diam = 3
}
endtemplate T
"#;
    let (_, cell) = build(src, "T").unwrap();
    let geom = |n: &str| (sec(&cell, n).l, sec(&cell, n).diam[0]);
    assert_eq!(geom("soma"), (44.5, 7.0));
    assert_eq!(geom("dend[0]"), (100.0, 3.0));
    assert_eq!(geom("dend[1]"), (33.0, 500.0));
}

/// A template using sections, connections, range variables at locations, a point
/// process, a SectionList, 3-D points, an undeclared name assigned in the template, and
/// printf: the cell it builds.
#[test]
fn a_small_template_builds_its_cell() {
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
        .new_instance("Cell", vec![ArgValue::Num(0.2)])
        .map_err(|e| it.render(&e))
        .unwrap();
    let cell = it.cell(id);
    assert_eq!(it.output, "Cell has 3 sections, nseg 3\n");
    assert_eq!(cell.sections.len(), 3);
    assert_eq!(
        cell.sections[0].mechs[0].params[0],
        ("gnabar".into(), vec![0.2])
    );
    assert_eq!(
        cell.sections[1].mechs[0].params[0].1,
        vec![0.001, 0.001, 0.0002]
    );
    assert_eq!(cell.sections[2].l, 50.0);
    assert_eq!(cell.sections[1].parent, Some((0, 1.0)));
    assert_eq!(cell.point_processes[0].var.as_deref(), Some("stim"));
    assert_eq!(cell.point_processes[0].params[2], ("amp".into(), 0.3));
    assert_eq!(cell.section_lists[0].1, vec![0, 1, 2]);
}
