//! Cell rules with point processes (`pointps`): a point process with its own voltage
//! variable (`vref`) is the cell's spike source, and connections reach it directly, in the
//! weight slot its `synList` gives the synMech.

use std::sync::Arc;

use ranvier_mech::{
    Ctx, CurrentKind, Delivery, EventSink, FieldKind, MechInfo, MechInstances, MechKind, Mechanism,
    field,
};
use ranvier_spec::sim::{population_summary, simulate};
use ranvier_spec::{Severity, load_str};

/// A leaky integrator with its own voltage `V`: `V' = -V/tau`; an event adds
/// `w[0] - w[1]` (an excitatory and an inhibitory synapse).
struct OwnV {
    info: MechInfo,
}

impl OwnV {
    fn new() -> Self {
        Self {
            info: MechInfo {
                name: "OwnV".into(),
                kind: MechKind::Point,
                fields: vec![
                    field("tau", FieldKind::Param, 5.0, "ms"),
                    field("V", FieldKind::State, 0.0, ""),
                ],
                globals: vec![],
                ions: vec![],
                current: CurrentKind::None,
                net_receive_args: Some(2),
                coalescable: false,
                uses_random: false,
                uses_vector: false,
                for_netcons: false,
            },
        }
    }
}

impl Mechanism for OwnV {
    fn info(&self) -> &MechInfo {
        &self.info
    }

    fn init(&self, m: &mut MechInstances, _ctx: &mut Ctx<'_>, _ev: &mut EventSink) {
        m.fields[1].iter_mut().for_each(|v| *v = 0.0);
    }

    fn state(&self, m: &mut MechInstances, ctx: &mut Ctx<'_>) {
        for k in 0..m.len() {
            m.fields[1][k] = ranvier_builtins::cnexp_decay(m.fields[1][k], m.fields[0][k], ctx.dt);
        }
    }

    fn net_receive(
        &self,
        m: &mut MechInstances,
        _ctx: &mut Ctx<'_>,
        e: Delivery,
        w: &mut [f64],
        _ev: &mut EventSink,
    ) {
        m.fields[1][e.inst as usize] += w[0] - w[1];
    }
}

fn model(syn_mech: &str) -> String {
    format!(
        r#"{{"netParams": {{
        "cellParams": {{"IF": {{"secs": {{"soma": {{
            "geom": {{"L": 10, "diam": 10}},
            "pointps": {{"neuron": {{"mod": "OwnV", "loc": 0.5, "vref": "V", "synList": ["exc", "inh"], "tau": "4 + 0*ynorm"}}}},
            "threshold": 1.0}}}}}}}},
        "popParams": {{"drive": {{"cellModel": "NetStim", "numCells": 1, "rate": 100, "noise": 0, "start": 5, "number": 10}},
                       "B": {{"cellType": "IF", "numCells": 3}}}},
        "synMechParams": {{"exc": {{"mod": "ExpSyn"}}, "inh": {{"mod": "ExpSyn"}}}},
        "connParams": {{"d->B": {{"preConds": {{"pop": "drive"}}, "postConds": {{"pop": "B"}}, "weight": 2.0, "delay": 1, "synMech": "{syn_mech}"}}}}
      }}, "simConfig": {{"duration": 200}}}}"#
    )
}

fn run(syn_mech: &str) -> Vec<(String, usize, usize, f64)> {
    let mut catalogue = ranvier_builtins::catalogue();
    catalogue.add(Arc::new(OwnV::new()));
    let (m, d) = load_str(&model(syn_mech));
    assert!(d.iter().all(|x| x.severity != Severity::Error), "{d:?}");
    let m = m.unwrap();
    let (out, d) = simulate(&m, &catalogue, 1, |_| {}).expect("run");
    assert!(d.is_empty(), "{d:?}");
    population_summary(&m, &out)
}

#[test]
fn vref_point_process_is_the_spike_source_and_synlist_picks_the_weight_slot() {
    let exc = run("exc");
    let inh = run("inh");
    // The NetStim fires 10 times; each event lifts V above threshold through slot 0.
    assert_eq!(exc[0].2, 10, "{exc:?}");
    assert_eq!(
        exc[1].2, 30,
        "each of the 3 cells spikes once per input: {exc:?}"
    );
    // Through slot 1 the same weight is inhibitory: no spikes.
    assert_eq!(inh[1].2, 0, "{inh:?}");
}
