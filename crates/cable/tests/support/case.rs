//! Builds a validation case (`validation/cases/*.json`, see `validation/README.md`) as a
//! Ranvier model, the same way `validation/neuron/run_case.py` builds it in NEURON.

#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ranvier_cable::{ArtId, CableModel, Group, Method, PointId, ProbeSpec, Source, Target};
use ranvier_mech::IonVar;
use ranvier_morph::Section;
use serde_json::Value;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn load_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub struct BuiltCase {
    pub model: CableModel,
    pub group: Group,
    pub v_init: f64,
    pub nsteps: usize,
    /// Spike record name -> source index.
    pub spike_names: HashMap<String, u32>,
}

fn num(v: &Value) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("expected a number, got {v}"))
}

pub fn build_case(case: &Value) -> BuiltCase {
    build_case_with(
        case,
        vec![std::sync::Arc::new(super::ifreset::IfReset::new())],
    )
}

/// Build a case with `mechs` added to the built-in catalogue (for example the
/// hand-written `IfReset`, or mechanisms compiled from `validation/neuron/mod/*.mod`).
pub fn build_case_with(
    case: &Value,
    mechs: Vec<std::sync::Arc<dyn ranvier_mech::Mechanism>>,
) -> BuiltCase {
    let mut catalogue = ranvier_builtins::catalogue();
    for m in mechs {
        catalogue.add(m);
    }
    let mut model = CableModel::new(catalogue);
    model.dt = num(&case["dt"]);
    model.celsius = num(&case["celsius"]);
    if case["secondorder"].as_i64() == Some(2) {
        model.method = Method::CrankNicolson;
    }
    let cell = model.add_cell(case["name"].as_str().unwrap_or("case"));
    let secs = case["sections"].as_array().expect("sections");
    let mut ids = HashMap::new();
    for s in secs {
        let name = s["name"].as_str().expect("name");
        let mut sec = Section::new(name);
        sec.set_nseg(s["nseg"].as_u64().unwrap_or(1) as usize)
            .expect("nseg");
        if let Some(pts) = s["pt3d"].as_array() {
            for p in pts {
                let p: Vec<f64> = p.as_array().expect("pt").iter().map(num).collect();
                sec.pt3d_add(p[0], p[1], p[2], p[3]).expect("pt3d");
            }
        } else {
            sec.set_length(num(&s["L"])).expect("L");
            sec.set_diam(num(&s["diam"])).expect("diam");
        }
        if let Some(a) = s["after_pt3d"].as_object() {
            if let Some(l) = a.get("L") {
                sec.set_length(num(l)).expect("L");
            }
            if let Some(d) = a.get("diam") {
                sec.set_diam(num(d)).expect("diam");
            }
        }
        sec.set_ra(num(&s["Ra"])).expect("Ra");
        sec.set_cm(num(&s["cm"])).expect("cm");
        let id = model.add_section(cell, sec);
        ids.insert(name.to_owned(), id);
    }
    for s in secs {
        if let Some(p) = s.get("parent").filter(|p| !p.is_null()) {
            let child = ids[s["name"].as_str().unwrap()];
            let parent = ids[p["sec"].as_str().unwrap()];
            model
                .morphology_mut()
                .connect(child, num(&p["child_end"]), parent, num(&p["x"]))
                .expect("connect");
        }
    }
    for s in secs {
        let sec = ids[s["name"].as_str().unwrap()];
        if let Some(m) = s["mechs"].as_object() {
            for (mech, params) in m {
                model.insert(sec, mech).expect("insert");
                for (k, v) in params.as_object().into_iter().flatten() {
                    model
                        .set_density(sec, None, mech, k, num(v))
                        .expect("param");
                }
            }
        }
        if let Some(ions) = s["ions"].as_object() {
            for (ion, vars) in ions {
                for (k, v) in vars.as_object().into_iter().flatten() {
                    let var = if k == &format!("e{ion}") {
                        IonVar::Erev
                    } else if k == &format!("{ion}i") {
                        IonVar::Conci
                    } else {
                        IonVar::Conco
                    };
                    model.set_ion(sec, ion, var, num(v)).expect("ion");
                }
            }
        }
    }
    for s in secs {
        let sec = ids[s["name"].as_str().unwrap()];
        for (ion, st) in s["ion_style"].as_object().into_iter().flatten() {
            let st: Vec<u8> = st
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap() as u8)
                .collect();
            let style =
                ranvier_mech::ion_style::explicit(st[0], st[1], st[2] != 0, st[3] != 0, st[4] != 0);
            model.set_ion_style(sec, ion, style).expect("ion_style");
        }
    }
    for (k, v) in case["globals"].as_object().into_iter().flatten() {
        let (name, mech) = k.rsplit_once('_').expect("global name_mech");
        model.set_global(mech, name, num(v)).expect("global");
    }
    let mut points: HashMap<String, PointId> = HashMap::new();
    for p in case["point_processes"].as_array().into_iter().flatten() {
        let sec = ids[p["sec"].as_str().unwrap()];
        let id = model
            .add_point(p["type"].as_str().unwrap(), sec, num(&p["x"]))
            .expect("point");
        for (k, v) in p["params"].as_object().into_iter().flatten() {
            model.set_point(id, k, num(v)).expect("point param");
        }
        points.insert(p["name"].as_str().unwrap().to_owned(), id);
    }
    let mut arts: HashMap<String, ArtId> = HashMap::new();
    for a in case["artificial_cells"].as_array().into_iter().flatten() {
        let name = a["name"].as_str().unwrap();
        let id = model
            .add_artificial(a["type"].as_str().unwrap(), name)
            .expect("artificial");
        for (k, v) in a["params"].as_object().into_iter().flatten() {
            model.set_artificial(id, k, num(v)).expect("art param");
        }
        if let Some(r) = a["random123"].as_array() {
            let r: Vec<u32> = r.iter().map(|x| x.as_u64().unwrap() as u32).collect();
            model
                .set_random123(id, r[0], r[1], r[2])
                .expect("random123");
        }
        if let Some(t) = a["times"].as_array() {
            model
                .set_vector(id, t.iter().map(num).collect())
                .expect("times");
        }
        arts.insert(name.to_owned(), id);
    }
    let mut spike_names = HashMap::new();
    for nc in case["netcons"].as_array().into_iter().flatten() {
        let src = &nc["source"];
        let threshold = nc.get("threshold").and_then(Value::as_f64).unwrap_or(10.0);
        let source = if let Some(cell) = src["cell"].as_str() {
            Source::Artificial(arts[cell])
        } else if let (Some(pp), Some(var)) = (src["pp"].as_str(), src["var"].as_str()) {
            model
                .point_field_source(points[pp], var)
                .expect("point field source")
        } else if let Some(pp) = src["pp"].as_str() {
            Source::Point(points[pp])
        } else {
            Source::Voltage {
                sec: ids[src["sec"].as_str().unwrap()],
                x: num(&src["x"]),
            }
        };
        let sid = model.add_source(source, threshold).expect("source");
        let target = nc["target"]
            .as_str()
            .map(|t| match (points.get(t), arts.get(t)) {
                (Some(p), _) => Target::Point(*p),
                (None, Some(a)) => Target::Artificial(*a),
                _ => panic!("unknown target {t}"),
            });
        model
            .connect(sid, target, num(&nc["weight"]), num(&nc["delay"]))
            .expect("connect");
        if let Some(r) = nc["record"].as_str() {
            model.record_spikes(sid);
            spike_names.insert(r.to_owned(), sid.0);
        }
    }
    for r in case["record"].as_array().into_iter().flatten() {
        let name = r["name"].as_str().unwrap();
        let var = r["var"].as_str().unwrap();
        let probe = if let Some(pp) = r["pp"].as_str() {
            match (points.get(pp), arts.get(pp)) {
                (Some(p), _) => ProbeSpec::Point {
                    point: *p,
                    field: var.to_owned(),
                },
                (None, Some(a)) => ProbeSpec::Artificial {
                    art: *a,
                    field: var.to_owned(),
                },
                _ => panic!("unknown pp {pp}"),
            }
        } else {
            model
                .range_probe(ids[r["sec"].as_str().unwrap()], num(&r["x"]), var)
                .expect("probe")
        };
        model.record(name, probe);
    }
    let group = model.build().expect("build");
    let tstop = num(&case["tstop"]);
    let dt = num(&case["dt"]);
    BuiltCase {
        model,
        group,
        v_init: num(&case["v_init"]),
        nsteps: (tstop / dt).round() as usize,
        spike_names,
    }
}

/// Run the case: `finitialize(v_init)`, then `nsteps` steps (as the NEURON driver does).
pub fn run_case(b: &mut BuiltCase) {
    b.group.init(b.v_init).expect("init");
    for _ in 0..b.nsteps {
        b.group.step().expect("step");
    }
}
