//! Loading NetPyNE JSON: structure, key order, and diagnostics for bad input.

use ranvier_spec::{Cond, ConnPattern, Param, Severity, load_str};

const TUT2: &str = r#"{
  "netParams": {
    "cellParams": {
      "PYR": {"secs": {"soma": {
        "geom": {"diam": "19 + uniform(-0.5, 0.5)", "L": 18.8, "Ra": 123.0},
        "mechs": {"hh": {"gnabar": "0.12 + 0.001*ynorm", "gkbar": 0.036, "gl": 0.003, "el": -70}}
      }}}
    },
    "popParams": {
      "S": {"cellType": "PYR", "numCells": 20},
      "M": {"cellType": "PYR", "numCells": 20, "yRange": [100, 900]}
    },
    "synMechParams": {"exc": {"mod": "Exp2Syn", "tau1": 0.1, "tau2": 5.0, "e": 0}},
    "stimSourceParams": {"bkg": {"type": "NetStim", "rate": 10, "noise": 0.5}},
    "stimTargetParams": {"bkg->PYR": {"source": "bkg", "conds": {"cellType": "PYR"}, "weight": 0.01, "delay": 5, "synMech": "exc"}},
    "connParams": {
      "S->M": {"preConds": {"pop": "S"}, "postConds": {"pop": "M", "ynorm": [0.2, 0.8]}, "divergence": 12, "weight": 0.01, "delay": 5, "synMech": "exc"}
    },
    "probLengthConst": 150.0
  },
  "simConfig": {"duration": 1000, "dt": 0.025, "recordTraces": {"V_soma": {"sec": "soma", "loc": 0.5, "var": "v"}},
                "recordStep": 0.1, "filename": "tut2", "saveJson": true, "analysis": {"plotRaster": {"saveFig": true}}}
}"#;

#[test]
fn tutorial_model_loads_in_order() {
    let (model, diags) = load_str(TUT2);
    assert!(diags.is_empty(), "{diags:?}");
    let m = model.expect("model");
    let pops: Vec<&str> = m.net.pop_params.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(pops, ["S", "M"]);
    assert_eq!(m.net.pop_params[1].1.range[1], Some((100.0, 900.0)));
    let soma = &m.net.cell_params[0].1.secs[0].1;
    assert_eq!(
        soma.geom.diam,
        Some(Param::Expr("19 + uniform(-0.5, 0.5)".into()))
    );
    assert_eq!(soma.mechs[0].0, "hh");
    assert_eq!(
        soma.mechs[0].1[0],
        ("gnabar".into(), Param::Expr("0.12 + 0.001*ynorm".into()))
    );
    let (label, c) = &m.net.conn_params[0];
    assert_eq!(label, "S->M");
    assert_eq!(c.pattern, ConnPattern::Divergence(Param::Num(12.0)));
    assert_eq!(c.post_conds[1], ("ynorm".into(), Cond::Range(0.2, 0.8)));
    assert_eq!(m.net.vars, vec![("probLengthConst".into(), 150.0)]);
    // NetPyNE's own numeric settings are variables too (e.g. propVelocity).
    assert_eq!(m.sim.record_traces[0].1.var, "v");
    assert!(m.sim.save_json);
}

#[test]
fn netpyne_output_file_shape_is_accepted() {
    let v: serde_json::Value = serde_json::from_str(TUT2).unwrap();
    let out = serde_json::json!({
        "netpyne_version": "1.1.0",
        "net": {"params": v["netParams"].clone(), "cells": []},
        "simConfig": v["simConfig"].clone(),
        "simData": {}
    });
    let (model, diags) = ranvier_spec::load(&out);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(model.unwrap().net.pop_params.len(), 2);
}

fn diags_for(net_patch: &str, sim_patch: &str) -> Vec<ranvier_spec::Diagnostic> {
    let mut v: serde_json::Value = serde_json::from_str(TUT2).unwrap();
    let np: serde_json::Value = serde_json::from_str(net_patch).unwrap();
    let sp: serde_json::Value = serde_json::from_str(sim_patch).unwrap();
    for (k, val) in np.as_object().unwrap() {
        v["netParams"][k] = val.clone();
    }
    for (k, val) in sp.as_object().unwrap() {
        v["simConfig"][k] = val.clone();
    }
    ranvier_spec::load(&v).1
}

#[test]
fn unknown_keys_suggest_the_nearest_valid_key() {
    let d = diags_for(
        r#"{"connParams": {"S->M": {"preConds": {"pop": "S"}, "postConds": {"pop": "M"}, "probabilty": 0.1, "synMech": "exc"}}}"#,
        r#"{"duratoin": 10}"#,
    );
    let msgs: Vec<String> = d.iter().map(ToString::to_string).collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains(r#"netParams.connParams."S->M".probabilty"#)
                && m.contains("`probability`")),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("simConfig.duratoin") && m.contains("`duration`")),
        "{msgs:#?}"
    );
    assert!(
        d.iter().all(|x| x.severity == Severity::Warning),
        "{msgs:#?}"
    );
}

#[test]
fn wrong_types_and_references_are_errors_naming_rule_and_key() {
    let d = diags_for(
        r#"{"connParams": {"S->M": {"preConds": {"pop": "S"}, "postConds": {"pop": "M"}, "weight": {"a": 1}, "synMech": "exx"}},
            "popParams": {"S": {"cellType": "PYR", "numCells": 2.5}, "X": {"cellType": "PYR"}}}"#,
        r#"{"dt": -1}"#,
    );
    let msgs: Vec<String> = d.iter().map(ToString::to_string).collect();
    let has = |needle: &[&str]| msgs.iter().any(|m| needle.iter().all(|n| m.contains(n)));
    assert!(
        has(&[r#"connParams."S->M".weight"#, "expected a number"]),
        "{msgs:#?}"
    );
    assert!(
        has(&[r#"connParams."S->M".synMech"#, "`exx`", "`exc`"]),
        "{msgs:#?}"
    );
    assert!(has(&["popParams.S.numCells", "whole number"]), "{msgs:#?}");
    assert!(has(&["popParams.X", "numCells"]), "{msgs:#?}");
    assert!(has(&["simConfig.dt", "positive"]), "{msgs:#?}");
    assert!(d.iter().filter(|x| x.severity == Severity::Error).count() >= 5);
}

#[test]
fn invalid_json_reports_line_and_column() {
    let (m, d) = load_str("{\n  \"netParams\": {,}\n}");
    assert!(m.is_none());
    assert!(d[0].path.contains("line 2"), "{:?}", d[0]);
    let (m, d) = load_str("[1, 2]");
    assert!(m.is_none());
    assert!(d[0].message.contains("dictionary"), "{:?}", d[0]);
}

#[test]
fn topology_must_name_a_section_of_the_cell() {
    let d = diags_for(
        r#"{"cellParams": {"PYR": {"secs": {"soma": {"geom": {"L": 10, "diam": 10}},
             "dend": {"geom": {"L": 100, "diam": 1}, "topol": {"parentSec": "sooma", "parentX": 1, "childX": 0}}}}}}"#,
        "{}",
    );
    let msgs: Vec<String> = d.iter().map(ToString::to_string).collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("dend.topol") && m.contains("`soma`")),
        "{msgs:#?}"
    );
}

/// A run that cannot finish or a trace that cannot be held is refused when the model
/// loads, naming the key (a damaged `dt` of 1e-300 meant 5e301 steps and no end).
#[test]
fn runs_beyond_the_machine_are_refused_up_front() {
    let d = diags_for("{}", r#"{"dt": 1e-300, "duration": 1000}"#);
    let msgs: Vec<String> = d.iter().map(ToString::to_string).collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("simConfig.dt") && m.contains("time steps")),
        "{msgs:#?}"
    );
    let d = diags_for("{}", r#"{"recordStep": 1e-12, "duration": 1000}"#);
    let msgs: Vec<String> = d.iter().map(ToString::to_string).collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("simConfig.recordStep") && m.contains("samples per trace")),
        "{msgs:#?}"
    );
    let d = diags_for("{}", r#"{"recordStep": 0}"#);
    assert!(
        d.iter()
            .any(|x| x.path.contains("recordStep") && x.message.contains("positive")),
        "{d:?}"
    );
    // NetPyNE's defaults load cleanly.
    assert!(
        diags_for("{}", "{}")
            .iter()
            .all(|x| x.severity != Severity::Error)
    );
}
