//! Compares a validation case with NEURON's reference output
//! (`validation/neuron/ref/*.json`). Acceptance: every trace within 1e-3 mV (1e-3
//! relative for other quantities), every spike time within 1e-3 ms, geometry to 1e-9
//! relative.

use std::sync::Arc;

use ranvier_mech::Mechanism;

use super::case::{build_case_with, load_json, repo_root, run_case};
use super::ifreset::IfReset;

pub struct Report {
    pub case: String,
    pub worst_trace: (String, f64),
    pub worst_spike: f64,
}

/// Check case `name` with the hand-written `IfReset`.
pub fn check_case(name: &str) -> Report {
    check_case_with(name, vec![Arc::new(IfReset::new())])
}

/// Check case `name` with `mechs` added to the built-in catalogue (for example the
/// mechanisms compiled from `validation/neuron/mod/*.mod`).
pub fn check_case_with(name: &str, mechs: Vec<Arc<dyn Mechanism>>) -> Report {
    let root = repo_root();
    let case = load_json(&root.join(format!("validation/cases/{name}.json")));
    let reference = load_json(&root.join(format!("validation/neuron/ref/{name}.json")));
    let mut b = build_case_with(&case, mechs);
    run_case(&mut b);

    // Geometry: area, ri and diam of every segment.
    let mut morph = b.model.morphology().clone();
    let geom = morph.geometry().expect("geometry");
    for (sname, g) in reference["geometry"].as_object().expect("geometry") {
        let id = morph.find(sname).expect("section");
        let sec = morph.section(id);
        let sg = &geom[id.index()];
        let rel = |a: f64, b: f64| (a - b).abs() / b.abs().max(1e-300);
        let l = g["L"].as_f64().unwrap();
        assert!(
            rel(sec.length(), l) < 1e-12,
            "{name}/{sname}: L {} vs {l}",
            sec.length()
        );
        let xs = g["x"].as_array().unwrap();
        for (k, x) in xs.iter().enumerate() {
            let x = x.as_f64().unwrap();
            let node = sec.segment_index(x).unwrap();
            let area = g["area"][k].as_f64().unwrap();
            let ri = g["ri"][k].as_f64().unwrap();
            let diam = g["diam"][k].as_f64().unwrap();
            assert!(
                rel(sg.area[node], area) < 1e-9,
                "{name}/{sname}({x}): area {} vs {area}",
                sg.area[node]
            );
            assert!(
                rel(1.0 / sg.rinv[node], ri) < 1e-9,
                "{name}/{sname}({x}): ri {} vs {ri}",
                1.0 / sg.rinv[node]
            );
            assert!(
                rel(sec.diam()[node], diam) < 1e-9,
                "{name}/{sname}({x}): diam {} vs {diam}",
                sec.diam()[node]
            );
        }
        let ri1 = g["ri_ends"][1].as_f64().unwrap();
        // ri(1) is the far end node's, unless the section is reversed (then x = 1 is the
        // parent's node, covered by the parent's own segments).
        if !sec.reversed {
            assert!(
                rel(1.0 / sg.rinv[sec.nseg()], ri1) < 1e-9,
                "{name}/{sname}: ri(1)"
            );
        }
        if let Some(pts) = g["pt3d"].as_array() {
            assert_eq!(
                pts.len(),
                sec.pt3d().len(),
                "{name}/{sname}: number of 3-D points"
            );
            for (p, q) in pts.iter().zip(sec.pt3d()) {
                let p: Vec<f64> = p
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_f64().unwrap())
                    .collect();
                // NEURON stores points in single precision; allow an ulp of double rounding.
                for (a, b) in [p[0], p[1], p[2], p[3]].iter().zip([q.x, q.y, q.z, q.d]) {
                    assert!(
                        (a - b).abs() <= 1e-12 * a.abs().max(1.0),
                        "{name}/{sname}: 3-D point {p:?} vs {q:?}"
                    );
                }
            }
        }
    }

    // Time grid.
    let t_ref: Vec<f64> = reference["t"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let t = b.group.trace_times();
    assert_eq!(t.len(), t_ref.len(), "{name}: number of samples");
    for (a, r) in t.iter().zip(&t_ref) {
        assert!((a - r).abs() < 1e-9, "{name}: t {a} vs {r}");
    }

    // Traces.
    let mut worst = (String::new(), 0.0f64);
    for (tname, values) in reference["traces"].as_object().unwrap() {
        let ours = b
            .group
            .trace(tname)
            .unwrap_or_else(|| panic!("{name}: no trace {tname}"));
        let theirs: Vec<f64> = values
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(ours.len(), theirs.len(), "{name}/{tname}: length");
        let scale = if tname.starts_with('v') {
            1.0
        } else {
            theirs.iter().fold(0.0f64, |m, x| m.max(x.abs())).max(1e-12)
        };
        let mut max = 0.0f64;
        let mut at = 0;
        for (i, (a, r)) in ours.iter().zip(&theirs).enumerate() {
            let d = (a - r).abs() / scale;
            if d > max {
                max = d;
                at = i;
            }
        }
        assert!(
            max <= 1e-3,
            "{name}/{tname}: differs from NEURON by {max} (scaled) at t = {} ms: ours {} NEURON {}",
            t_ref[at],
            ours[at],
            theirs[at]
        );
        if max > worst.1 {
            worst = (tname.clone(), max);
        }
    }

    // Spikes.
    let mut worst_spike = 0.0f64;
    for (sname, times) in reference["spikes"].as_object().unwrap() {
        let src = b.spike_names[sname];
        let ours: Vec<f64> = b
            .group
            .spikes()
            .iter()
            .filter(|s| s.source == src)
            .map(|s| s.time)
            .collect();
        let theirs: Vec<f64> = times
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(
            ours.len(),
            theirs.len(),
            "{name}/{sname}: spike count ours {ours:?} NEURON {theirs:?}"
        );
        for (a, r) in ours.iter().zip(&theirs) {
            let d = (a - r).abs();
            assert!(d <= 1e-3, "{name}/{sname}: spike at {a} vs NEURON {r}");
            worst_spike = worst_spike.max(d);
        }
    }
    Report {
        case: name.to_owned(),
        worst_trace: worst,
        worst_spike,
    }
}
