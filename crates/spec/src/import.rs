//! `importCellParams`: a cell built by hoc code (or read from SWC) becomes a
//! NetPyNE cell rule, field by field as NetPyNE's `conversion/neuronPyHoc.py` writes it.
//!
//! What NetPyNE does and Ranvier repeats:
//! - section names lose the owner prefix, and array elements `comp[5]` become `comp_5`;
//! - `geom` holds `L`, `nseg`, `diam` and `cm` of the middle segment, `Ra`, and `pt3d`
//!   when the section has 3-D points;
//! - `mechs` lists the inserted density mechanisms in alphabetical order (Python's
//!   `dir()`), each PARAMETER as one number when all segments agree, else a list per
//!   segment; `ions` holds `e`, `i`, `o` of every ion the mechanisms use, the same way;
//! - point processes whose lower-cased name contains `syn`, `ampa`, `gaba`, `nmda` or
//!   `glu` are synaptic mechanisms (kept, de-duplicated, only with `importSynMechs`, as
//!   `<cellName>_<Mod>_<n>`); the others are `pointps` `<Mod>_<n>` with `mod`, `loc` (the
//!   segment centre) and their PARAMETERs; they are visited segment by segment, newest
//!   first within a segment, and those at a section end (x = 0 or 1) are not seen;
//! - `topol` has `parentSec`, `parentX`, `childX`, and is empty for a root;
//! - `secLists` are the cell's SectionLists under their variable names;
//! - `globals` are the GLOBALs (`<name>_<mech>`, `celsius`, `v_init`, `clamp_resist`)
//!   the code changed from their defaults; a changed `v_init` also becomes each section's
//!   `vinit`;
//! - with `somaAtOrigin`, every 3-D point is shifted so that the middle point of the
//!   first section whose name contains `soma` is at the origin.
//!
//! Where Ranvier deliberately differs: only the instantiated cell's own sections are
//! imported (NetPyNE takes every section alive in NEURON), and section lists are only the
//! cell's (NetPyNE lists every SectionList in the interpreter).

use ranvier_hoc::{Catalog, Cell};
use serde_json::{Map, Value, json};

/// `importCellParams` options.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// The template (or file stem) name: synaptic mechanisms are labelled with it.
    pub cell_name: String,
    pub import_syn_mechs: bool,
    pub soma_at_origin: bool,
}

/// A converted cell: the rule and the synaptic mechanisms (`synMechParams` entries).
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedCell {
    pub rule: Value,
    pub syn_mechs: Vec<(String, Value)>,
}

/// NetPyNE's section name: `comp[5]` -> `comp_5`.
#[must_use]
pub fn netpyne_sec_name(hoc_name: &str) -> String {
    match hoc_name.split_once('[') {
        Some((base, rest)) => {
            let idx = rest.split(']').next().unwrap_or("0");
            format!("{base}_{idx}")
        }
        None => hoc_name.to_owned(),
    }
}

/// A per-segment list collapsed to one number when all values are equal (NetPyNE's
/// `len(set(values)) == 1`).
fn collapse(vals: &[f64]) -> Value {
    match vals.first() {
        Some(&v0) if vals.iter().all(|&v| v == v0) => num(v0),
        _ => Value::Array(vals.iter().map(|&v| num(v)).collect()),
    }
}

fn num(x: f64) -> Value {
    // Integral values print as integers in NetPyNE's JSON only when Python held an int;
    // NEURON hands back floats except for nseg.
    json!(x)
}

fn is_synaptic(mech: &str) -> bool {
    let l = mech.to_lowercase();
    ["syn", "ampa", "gaba", "nmda", "glu"]
        .iter()
        .any(|s| l.contains(s))
}

/// NEURON's default ion values (what a section reads before any assignment).
fn ion_defaults(ion: &str) -> (f64, f64, f64) {
    match ranvier_mech::IonSpecies::builtin(ion) {
        Some(sp) => (sp.erev0, sp.conci0, sp.conco0),
        None => (0.0, 1.0, 1.0),
    }
}

/// Convert `cell` into NetPyNE's cell rule.
#[must_use]
pub fn cell_rule(cell: &Cell, catalog: &Catalog, opts: &ImportOptions) -> ImportedCell {
    let names: Vec<String> = cell
        .sections
        .iter()
        .map(|s| netpyne_sec_name(&s.name))
        .collect();
    let mut secs = Map::new();
    let mut syn_mechs: Vec<(String, Map<String, Value>)> = Vec::new();
    for (k, s) in cell.sections.iter().enumerate() {
        let mid = s.nseg / 2;
        let mut geom = Map::new();
        geom.insert("L".into(), num(s.l));
        geom.insert("nseg".into(), json!(s.nseg));
        geom.insert("diam".into(), num(s.diam[mid.min(s.diam.len() - 1)]));
        geom.insert("Ra".into(), num(s.ra));
        geom.insert("cm".into(), num(s.cm[mid.min(s.cm.len() - 1)]));
        if !s.pt3d.is_empty() {
            geom.insert(
                "pt3d".into(),
                Value::Array(
                    s.pt3d
                        .iter()
                        .map(|p| json!([p[0], p[1], p[2], p[3]]))
                        .collect(),
                ),
            );
        }
        let mut topol = Map::new();
        if let Some((p, px)) = s.parent {
            topol.insert("parentSec".into(), json!(names[p]));
            topol.insert("parentX".into(), num(px));
            topol.insert("childX".into(), num(s.child_x));
        }
        // Mechanisms and ions in Python's dir() order (sorted names).
        let mut mech_names: Vec<&str> = s.mechs.iter().map(|m| m.name.as_str()).collect();
        mech_names.sort_unstable();
        let mut mechs = Map::new();
        let mut ions: Vec<String> = Vec::new();
        for name in mech_names {
            let Some(m) = s.mechs.iter().find(|m| m.name == name) else {
                continue;
            };
            let mut params = Map::new();
            for (p, vals) in &m.params {
                params.insert(p.clone(), collapse(vals));
            }
            mechs.insert(name.to_owned(), Value::Object(params));
            if let Some(meta) = catalog.get(name) {
                for ion in &meta.ions {
                    if !ions.contains(ion) {
                        ions.push(ion.clone());
                    }
                }
            }
        }
        ions.sort();
        let mut sec = Map::new();
        sec.insert("geom".into(), Value::Object(geom));
        sec.insert("topol".into(), Value::Object(topol));
        sec.insert("mechs".into(), Value::Object(mechs));
        if !ions.is_empty() {
            let mut id = Map::new();
            for ion in &ions {
                let (e0, i0, o0) = ion_defaults(ion);
                let get = |var: String, d: f64| -> Value {
                    s.ions.get(&var).map_or_else(|| num(d), |v| collapse(v))
                };
                let mut d = Map::new();
                d.insert("e".into(), get(format!("e{ion}"), e0));
                d.insert("i".into(), get(format!("{ion}i"), i0));
                d.insert("o".into(), get(format!("{ion}o"), o0));
                id.insert(ion.clone(), Value::Object(d));
            }
            sec.insert("ions".into(), Value::Object(id));
        }
        // Point processes of this section, by segment; within one, in the cell's order
        // (most recently placed first, as NEURON lists them).
        let mut pointps = Map::new();
        // NetPyNE visits the segments (`for seg in sec`), so a point process at either
        // end of the section (x = 0 or 1: a node that is no segment's) is left out.
        let mut pps: Vec<&ranvier_hoc::CellPointProcess> = cell
            .point_processes
            .iter()
            .filter(|p| p.sec == k && p.x > 0.0 && p.x < 1.0)
            .collect();
        let seg_of = |x: f64| ((x * s.nseg as f64) as usize).min(s.nseg - 1);
        pps.sort_by_key(|p| seg_of(p.x));
        for p in pps {
            if is_synaptic(&p.mech) {
                let mut m = Map::new();
                m.insert("mod".into(), json!(p.mech));
                for (k, v) in &p.params {
                    m.insert(k.clone(), num(*v));
                }
                if !syn_mechs.iter().any(|(_, o)| *o == m) {
                    let label = format!("{}_{}", p.mech, syn_mechs.len());
                    syn_mechs.push((label, m));
                }
            } else {
                let label = format!("{}_{}", p.mech, pointps.len());
                let mut m = Map::new();
                m.insert("mod".into(), json!(p.mech));
                let j = seg_of(p.x);
                m.insert("loc".into(), num((j as f64 + 0.5) / s.nseg as f64));
                for (k, v) in &p.params {
                    m.insert(k.clone(), num(*v));
                }
                pointps.insert(label, Value::Object(m));
            }
        }
        if !pointps.is_empty() {
            sec.insert("pointps".into(), Value::Object(pointps));
        }
        secs.insert(names[k].clone(), Value::Object(sec));
    }
    let mut sec_lists = Map::new();
    for (name, ids) in &cell.section_lists {
        sec_lists.insert(
            netpyne_sec_name(name),
            Value::Array(ids.iter().map(|&i| json!(names[i])).collect()),
        );
    }
    let mut globals = Map::new();
    for (k, &v) in &cell.globals {
        let default = match k.as_str() {
            "celsius" => Some(6.3),
            "v_init" => Some(-65.0),
            "clamp_resist" => Some(1e-3),
            _ => k.rsplit_once('_').and_then(|(var, mech)| {
                catalog
                    .get(mech)
                    .and_then(|m| m.globals.iter().find(|(g, _)| g == var).map(|(_, d)| *d))
            }),
        };
        if let Some(d) = default
            && d != v
        {
            globals.insert(k.clone(), num(v));
        }
    }
    if let Some(v) = globals.get("v_init").cloned() {
        for s in secs.values_mut() {
            if let Value::Object(m) = s {
                m.insert("vinit".into(), v.clone());
            }
        }
    }
    if opts.soma_at_origin {
        shift_soma_to_origin(&mut secs);
    }
    let rule = json!({
        "conds": {},
        "secs": Value::Object(secs),
        "secLists": Value::Object(sec_lists),
        "globals": Value::Object(globals),
    });
    let syn_mechs = if opts.import_syn_mechs {
        syn_mechs
            .into_iter()
            .map(|(label, m)| (format!("{}_{label}", opts.cell_name), Value::Object(m)))
            .collect()
    } else {
        Vec::new()
    };
    ImportedCell { rule, syn_mechs }
}

/// NetPyNE's `somaAtOrigin`.
fn shift_soma_to_origin(secs: &mut Map<String, Value>) {
    let Some(soma) = secs.keys().find(|k| k.contains("soma")).cloned() else {
        return;
    };
    let Some(pts) = secs[&soma]
        .get("geom")
        .and_then(|g| g.get("pt3d"))
        .and_then(Value::as_array)
        .cloned()
    else {
        return;
    };
    let Some(mid) = pts.get(pts.len() / 2) else {
        return;
    };
    let c: Vec<f64> = (0..3).map(|i| mid[i].as_f64().unwrap_or(0.0)).collect();
    for s in secs.values_mut() {
        if let Some(pts) = s
            .get_mut("geom")
            .and_then(|g| g.get_mut("pt3d"))
            .and_then(Value::as_array_mut)
        {
            for p in pts {
                if let Value::Array(a) = p {
                    for (i, ci) in c.iter().enumerate() {
                        if let Some(x) = a[i].as_f64() {
                            a[i] = json!(x - ci);
                        }
                    }
                }
            }
        }
    }
}

/// What the hoc interpreter needs to know of a mechanism, from its engine metadata.
#[must_use]
pub fn mech_meta(info: &ranvier_mech::MechInfo) -> ranvier_hoc::MechMeta {
    use ranvier_mech::{FieldKind, MechKind};
    ranvier_hoc::MechMeta {
        name: info.name.clone(),
        point: info.kind == MechKind::Point,
        artificial: info.kind == MechKind::Artificial,
        params: info
            .fields
            .iter()
            .filter(|f| f.kind == FieldKind::Param)
            .map(|f| (f.name.clone(), f.default))
            .collect(),
        others: info
            .fields
            .iter()
            .filter(|f| f.kind != FieldKind::Param)
            .map(|f| (f.name.clone(), f.default))
            .collect(),
        globals: info
            .globals
            .iter()
            .map(|g| (g.name.clone(), g.default))
            .collect(),
        ions: info.ions.iter().map(|i| i.ion.clone()).collect(),
    }
}

/// NetPyNE's `renameCellParamsSec(label, old, new)` on a converted rule. NetPyNE only
/// renames the `secs` key (moving it to the end); Ranvier keeps its place and also renames
/// it where other sections name it as their `parentSec` and in `secLists`, so renaming a
/// parent does not break the tree.
pub fn rename_sec(rule: &mut Value, old: &str, new: &str) -> Result<(), String> {
    let Some(secs) = rule.get_mut("secs").and_then(Value::as_object_mut) else {
        return Err("the rule has no `secs`".into());
    };
    if !secs.contains_key(old) {
        let mut names: Vec<&String> = secs.keys().collect();
        names.sort();
        return Err(format!(
            "no section `{old}` to rename (the rule has {})",
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if old != new && secs.contains_key(new) {
        return Err(format!("cannot rename `{old}` to `{new}`: `{new}` exists"));
    }
    let renamed: Map<String, Value> = std::mem::take(secs)
        .into_iter()
        .map(|(k, v)| {
            if k == old {
                (new.to_owned(), v)
            } else {
                (k, v)
            }
        })
        .collect();
    *secs = renamed;
    for s in secs.values_mut() {
        if let Some(p) = s.get_mut("topol").and_then(|t| t.get_mut("parentSec"))
            && p.as_str() == Some(old)
        {
            *p = json!(new);
        }
    }
    if let Some(lists) = rule.get_mut("secLists").and_then(Value::as_object_mut) {
        for l in lists.values_mut() {
            if let Value::Array(items) = l {
                for it in items {
                    if it.as_str() == Some(old) {
                        *it = json!(new);
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_names_follow_netpyne() {
        assert_eq!(netpyne_sec_name("comp[5]"), "comp_5");
        assert_eq!(netpyne_sec_name("soma"), "soma");
        assert_eq!(netpyne_sec_name("dendrite[0]"), "dendrite_0");
    }

    #[test]
    fn renaming_a_section_updates_its_children_and_lists() {
        let mut rule = json!({
            "secs": {"sec": {"topol": {}}, "dend": {"topol": {"parentSec": "sec", "parentX": 1.0, "childX": 0.0}}},
            "secLists": {"all": ["sec", "dend"]}
        });
        rename_sec(&mut rule, "sec", "soma").unwrap();
        assert_eq!(
            rule["secs"].as_object().unwrap().keys().collect::<Vec<_>>(),
            ["soma", "dend"]
        );
        assert_eq!(rule["secs"]["dend"]["topol"]["parentSec"], "soma");
        assert_eq!(rule["secLists"]["all"], json!(["soma", "dend"]));
        assert!(
            rename_sec(&mut rule, "axon", "x")
                .unwrap_err()
                .contains("`soma`")
        );
        assert!(rename_sec(&mut rule, "soma", "dend").is_err());
    }

    #[test]
    fn per_segment_values_collapse_when_equal() {
        assert_eq!(collapse(&[1.0, 1.0]), json!(1.0));
        assert_eq!(collapse(&[1.0, 2.0]), json!([1.0, 2.0]));
    }
}
