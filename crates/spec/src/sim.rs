//! Running a specification end to end and writing NetPyNE-format results.

use std::time::Instant;

use ranvier_mech::Catalogue;
use ranvier_net::{Network, NetworkOptions};
use serde_json::{Map, Value, json};

use crate::model::Model;
use crate::network::{NetworkPlan, plan};
use crate::recipe::SpecRecipe;
use crate::{Diagnostic, Severity};

/// Wall-clock time of each phase `[s]`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Timings {
    /// Cells, positions and connections (the network plan).
    pub create: f64,
    /// Building cable cells and groups.
    pub connect: f64,
    pub run: f64,
}

/// A recorded trace of one cell.
#[derive(Clone, Debug, PartialEq)]
pub struct CellTrace {
    pub name: String,
    pub gid: u64,
    pub values: Vec<f64>,
}

/// Results of a run.
#[derive(Clone, Debug)]
pub struct RunOutput {
    pub plan: NetworkPlan,
    /// `(time [ms], gid)`, sorted by time then gid.
    pub spikes: Vec<(f64, u64)>,
    /// Sample times of the traces `[ms]`.
    pub t: Vec<f64>,
    pub traces: Vec<CellTrace>,
    pub timings: Timings,
    pub connections: usize,
    /// With `simConfig.recordStim`: `(gid, stim source label, time [ms])` of every
    /// event of each cell's NetStim/VecStim stimuli.
    pub stim_spikes: Vec<(u64, String, f64)>,
}

/// Why a run could not be done.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("the model has errors:\n{}", .0.iter().filter(|d| d.severity == Severity::Error).map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Spec(Vec<Diagnostic>),
    #[error(transparent)]
    Net(#[from] ranvier_net::NetError),
}

/// Build and simulate a model with `threads` cell groups; `progress(t)` is called as
/// the simulation advances.
pub fn simulate(
    model: &Model,
    catalogue: &Catalogue,
    threads: usize,
    progress: impl FnMut(f64),
) -> Result<(RunOutput, Vec<Diagnostic>), SimError> {
    let t0 = Instant::now();
    let (plan, diags) = plan(model);
    let Some(plan) = plan else {
        return Err(SimError::Spec(diags));
    };
    let create = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let recipe = SpecRecipe::new(model, &plan);
    let opts = NetworkOptions {
        groups: threads.max(1),
        dt: model.sim.dt,
        celsius: model.sim.celsius,
        coalesce_synapses: true,
    };
    let mut net = Network::build(&recipe, catalogue, &opts)?;
    net.init(model.sim.v_init)?;
    let connect = t1.elapsed().as_secs_f64();
    let t2 = Instant::now();
    net.run_with_progress(model.sim.duration, progress)?;
    let run = t2.elapsed().as_secs_f64();
    let all = net.spikes();
    let spikes = all
        .iter()
        .filter(|s| s.index == 0)
        .map(|s| (s.time, s.gid))
        .collect();
    let mut stim_spikes = Vec::new();
    for s in all.iter().filter(|s| s.index > 0) {
        // Source k >= 1 is the k-th event-generating stimulus of the cell.
        let stims: Vec<&str> = plan.stims[s.gid as usize]
            .iter()
            .map(|st| &model.net.stim_source_params[st.source])
            .filter(|(_, src)| src.kind == "NetStim" || src.kind == "VecStim")
            .map(|(label, _)| label.as_str())
            .collect();
        if let Some(label) = stims.get(s.index as usize - 1) {
            stim_spikes.push((s.gid, (*label).to_owned(), s.time));
        }
    }
    let mut traces = Vec::new();
    let mut t = Vec::new();
    for &gid in &recipe.record_gids {
        let Some(g) = net.group_of(gid) else { continue };
        if t.is_empty() {
            t = g.trace_times().to_vec();
        }
        for (name, _) in &model.sim.record_traces {
            if let Some(v) = g.trace(&format!("{name}@{gid}")) {
                traces.push(CellTrace {
                    name: name.clone(),
                    gid,
                    values: v.to_vec(),
                });
            }
        }
    }
    let connections = net.connection_count();
    Ok((
        RunOutput {
            plan,
            spikes,
            t,
            traces,
            timings: Timings {
                create,
                connect,
                run,
            },
            connections,
            stim_spikes,
        },
        diags,
    ))
}

/// The results in the JSON format NetPyNE's `saveJson` writes, so NetPyNE's own
/// analysis can load them: `net` (`params` = netParams, `cells` with gid, tags, secs,
/// conns and stims, `pops` with tags and cellGids), `simConfig`, and `simData` (`spkt`,
/// `spkid`, `t`, `avgRate`, and traces keyed by trace name then `cell_<gid>`).
#[must_use]
pub fn netpyne_json(model: &Model, out: &RunOutput) -> Value {
    let net = &model.net;
    let mut sim_data = Map::new();
    for (name, _) in &model.sim.record_traces {
        let mut by_cell = Map::new();
        for tr in out.traces.iter().filter(|t| &t.name == name) {
            by_cell.insert(format!("cell_{}", tr.gid), json!(tr.values));
        }
        sim_data.insert(name.clone(), Value::Object(by_cell));
    }
    let n_cells = out.plan.cells.len();
    let avg_rate = if n_cells > 0 && model.sim.duration > 0.0 {
        out.spikes.len() as f64 / n_cells as f64 / (model.sim.duration / 1000.0)
    } else {
        0.0
    };
    sim_data.insert("avgRate".into(), json!(avg_rate));
    if model.sim.record_stim {
        let mut stims = Map::new();
        for (gid, label, t) in &out.stim_spikes {
            let cell = stims
                .entry(format!("cell_{gid}"))
                .or_insert_with(|| json!({}));
            if let Value::Object(c) = cell {
                let list = c.entry(label.clone()).or_insert_with(|| json!([]));
                if let Value::Array(a) = list {
                    a.push(json!(t));
                }
            }
        }
        sim_data.insert("stims".into(), Value::Object(stims));
    }
    sim_data.insert(
        "spkid".into(),
        out.spikes.iter().map(|s| json!(s.1 as f64)).collect(),
    );
    sim_data.insert(
        "spkt".into(),
        out.spikes.iter().map(|s| json!(s.0)).collect(),
    );
    if !out.t.is_empty() {
        sim_data.insert("t".into(), json!(out.t));
    }
    let raw_cells = model.raw_net.get("cellParams");
    let cells: Vec<Value> = out
        .plan
        .cells
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut tags: Map<String, Value> = c.tags.iter().cloned().collect();
            let mut secs = Map::new();
            let mut sec_lists = Value::Object(Map::new());
            if let Some(ri) = c.rule {
                let label = &net.cell_params[ri].0;
                tags.insert("label".into(), json!([label]));
                if let Some(rule) = raw_cells.and_then(|r| r.get(label)) {
                    if let Some(Value::Object(s)) = rule.get("secs") {
                        secs = s.clone();
                    }
                    if let Some(l) = rule.get("secLists") {
                        sec_lists = l.clone();
                    }
                }
            }
            let syn_json = |sm: usize, loc: f64| {
                let (label, m) = &net.syn_mech_params[sm];
                let mut o = Map::new();
                for (k, p) in &m.params {
                    if let Some(x) = p.as_num() {
                        o.insert(k.clone(), json!(x));
                    }
                }
                o.insert("label".into(), json!(label));
                o.insert("loc".into(), json!(loc));
                o.insert("mod".into(), json!(m.mod_name));
                Value::Object(o)
            };
            let mut add_syn = |sec: &str, v: Value| {
                if let Some(Value::Object(s)) = secs.get_mut(sec) {
                    let list = s.entry("synMechs").or_insert_with(|| json!([]));
                    if let Value::Array(a) = list {
                        a.push(v);
                    }
                }
            };
            let mut conns: Vec<Value> = Vec::new();
            for k in &out.plan.conns[i] {
                add_syn(&k.sec, syn_json(k.syn_mech, k.loc));
                conns.push(json!({
                    "delay": k.delay, "label": net.conn_params[k.rule].0, "loc": k.loc, "preGid": k.pre_gid,
                    "preLoc": 0.5, "sec": k.sec, "synMech": net.syn_mech_params[k.syn_mech].0, "weight": k.weight,
                }));
            }
            let mut stims: Vec<Value> = Vec::new();
            for st in &out.plan.stims[i] {
                let (src_label, src) = &net.stim_source_params[st.source];
                let mut o = Map::new();
                for (k, p) in &src.params {
                    if let Some(x) = p.as_num() {
                        o.insert(k.clone(), json!(x));
                    }
                }
                o.insert("source".into(), json!(src_label));
                o.insert("type".into(), json!(src.kind));
                if src.kind == "NetStim" {
                    o.entry("seed").or_insert(json!(model.sim.seeds.stim));
                    if let Some(sm) = st.syn_mech {
                        add_syn(&st.sec, syn_json(sm, st.loc));
                        conns.push(json!({
                            "delay": st.delay, "loc": st.loc, "preGid": "NetStim", "preLabel": src_label,
                            "preLoc": 0.5, "sec": st.sec, "synMech": net.syn_mech_params[sm].0, "weight": st.weight,
                        }));
                    }
                } else {
                    o.insert("sec".into(), json!(st.sec));
                    o.insert("loc".into(), json!(st.loc));
                    o.insert("label".into(), json!(net.stim_target_params[st.target].0));
                }
                stims.push(Value::Object(o));
            }
            json!({"conns": conns, "gid": c.gid, "secLists": sec_lists, "secs": secs, "stims": stims, "tags": tags})
        })
        .collect();
    let mut pops = Map::new();
    for (pi, (label, pop)) in net.pop_params.iter().enumerate() {
        let mut tags: Map<String, Value> = pop.tags.iter().cloned().collect();
        tags.insert("pop".into(), json!(label));
        let gids: Vec<u64> = out
            .plan
            .pop_gids
            .get(pi)
            .cloned()
            .map(Iterator::collect)
            .unwrap_or_default();
        pops.insert(label.clone(), json!({"cellGids": gids, "tags": tags}));
    }
    json!({
        "net": {"cells": cells, "params": model.raw_net, "pops": pops},
        "netpyne_changeset": "",
        "netpyne_version": concat!("ranvier ", env!("CARGO_PKG_VERSION")),
        "simConfig": model.raw_sim,
        "simData": sim_data,
    })
}

/// Per-population summary: `(label, cells, spikes, mean rate [Hz])`.
#[must_use]
pub fn population_summary(model: &Model, out: &RunOutput) -> Vec<(String, usize, usize, f64)> {
    model
        .net
        .pop_params
        .iter()
        .enumerate()
        .map(|(pi, (label, _))| {
            let r = out.plan.pop_gids.get(pi).cloned().unwrap_or(0..0);
            let n = (r.end - r.start) as usize;
            let spikes = out.spikes.iter().filter(|s| r.contains(&s.1)).count();
            let rate = if n > 0 && model.sim.duration > 0.0 {
                spikes as f64 / n as f64 / (model.sim.duration / 1000.0)
            } else {
                0.0
            };
            (label.clone(), n, spikes, rate)
        })
        .collect()
}
