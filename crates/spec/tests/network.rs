//! Network building from specifications: sections and section lists, synapses per
//! connection, and diagnostics for rules that cannot be applied.

use ranvier_spec::network::plan;
use ranvier_spec::{Severity, load_str};

fn model(conn: &str) -> String {
    format!(
        r#"{{"netParams": {{
        "cellParams": {{"PYR": {{
            "secs": {{"soma": {{"geom": {{"L": 20, "diam": 20}}, "mechs": {{"hh": {{}}}}}},
                     "dend": {{"geom": {{"L": 200, "diam": 2}}, "topol": {{"parentSec": "soma", "parentX": 1, "childX": 0}},
                              "mechs": {{"pas": {{}}}}}}}},
            "secLists": {{"all": ["soma", "dend"]}}}}}},
        "popParams": {{"A": {{"cellType": "PYR", "numCells": 6}}, "B": {{"cellType": "PYR", "numCells": 6}}}},
        "synMechParams": {{"exc": {{"mod": "ExpSyn", "tau": 2}}}},
        "connParams": {{"A->B": {conn}}}
      }}, "simConfig": {{"duration": 20}}}}"#
    )
}

#[test]
fn section_lists_spread_connections_over_their_sections() {
    let text = model(
        r#"{"preConds": {"pop": "A"}, "postConds": {"pop": "B"}, "sec": "all", "synMech": "exc"}"#,
    );
    let (m, d) = load_str(&text);
    assert!(d.is_empty(), "{d:?}");
    let (p, d) = plan(&m.unwrap());
    assert!(d.is_empty(), "{d:?}");
    let p = p.unwrap();
    let conns: Vec<_> = p.conns.iter().flatten().collect();
    assert_eq!(conns.len(), 36, "all-to-all A->B");
    let on_dend = conns.iter().filter(|c| c.sec == "dend").count();
    assert!(
        on_dend > 5 && on_dend < 31,
        "both sections used: {on_dend} of 36 on dend"
    );
    // Deterministic.
    let (p2, _) = plan(&load_str(&text).0.unwrap());
    assert_eq!(p.conns, p2.unwrap().conns);
}

#[test]
fn several_synapses_per_connection_are_spread_along_the_section() {
    let text = model(
        r#"{"preConds": {"pop": "A"}, "postConds": {"pop": "B"}, "sec": "dend", "synsPerConn": 4, "probability": 0.5}"#,
    );
    let (p, d) = plan(&load_str(&text).0.unwrap());
    assert!(d.is_empty(), "{d:?}");
    let p = p.unwrap();
    let first: Vec<f64> = p.conns.iter().flatten().take(4).map(|c| c.loc).collect();
    assert_eq!(first, vec![0.125, 0.375, 0.625, 0.875]);
    assert_eq!(p.conns.iter().flatten().count() % 4, 0);
}

#[test]
fn unknown_sections_and_unmatched_conditions_are_reported() {
    let text = model(r#"{"preConds": {"pop": "A"}, "postConds": {"pop": "B"}, "sec": "dendd"}"#);
    let (p, d) = plan(&load_str(&text).0.unwrap());
    let msgs: Vec<String> = d.iter().map(ToString::to_string).collect();
    assert!(p.is_some());
    assert!(
        msgs.iter().any(|m| m.contains(r#"connParams."A->B".sec"#)
            && m.contains("`dendd`")
            && m.contains("`dend`")),
        "{msgs:#?}"
    );
    assert!(d.iter().all(|x| x.severity == Severity::Warning));

    let text = model(r#"{"preConds": {"pop": "C"}, "postConds": {"pop": "B"}}"#);
    let (p, d) = plan(&load_str(&text).0.unwrap());
    assert_eq!(p.unwrap().conns.iter().flatten().count(), 0);
    assert!(
        d.iter()
            .any(|x| x.path.contains("preConds") && x.message.contains("no cell matches")),
        "{d:?}"
    );

    let text = model(
        r#"{"preConds": {"pop": "A"}, "postConds": {"pop": "B"}, "probability": "exp(-dist_3D/"}"#,
    );
    let (p, d) = plan(&load_str(&text).0.unwrap());
    assert!(p.is_none());
    assert!(
        d.iter().any(|x| x.severity == Severity::Error
            && x.path.contains("probability")
            && x.message.contains("column")),
        "{d:?}"
    );
}

#[test]
fn synmech_lists_make_one_connection_each_with_weight_factors() {
    let text = model(
        r#"{"preConds": {"pop": "A"}, "postConds": {"pop": "B"}, "synMech": ["exc", "exc"], "synMechWeightFactor": [1.0, 0.5], "weight": 0.02}"#,
    );
    let (p, d) = plan(&load_str(&text).0.unwrap());
    assert!(d.is_empty(), "{d:?}");
    let p = p.unwrap();
    assert_eq!(p.conns.iter().flatten().count(), 72);
    let w: Vec<f64> = p.conns[6].iter().take(2).map(|c| c.weight).collect();
    assert_eq!(w, vec![0.02, 0.01]);
}

#[test]
fn cell_rules_can_still_be_chosen_by_conds() {
    let text = model("{}").replace(
        r#""PYR": {"#,
        r#""anyname": {"conds": {"cellType": "PYR"}, "#,
    );
    let (m, d) = load_str(&text);
    assert!(d.is_empty(), "{d:?}");
    let (p, d) = plan(&m.unwrap());
    assert!(!d.iter().any(|x| x.severity == Severity::Error), "{d:?}");
    assert!(p.unwrap().cells.iter().all(|c| c.rule == Some(0)));
}
