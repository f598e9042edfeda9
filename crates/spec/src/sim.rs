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
    let spikes = net.spikes().iter().map(|s| (s.time, s.gid)).collect();
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
        },
        diags,
    ))
}

/// The results in the JSON format NetPyNE's `saveJson` writes: `netParams`,
/// `simConfig`, `simData` (`spkt`, `spkid`, `t`, traces keyed by trace name then
/// `cell_<gid>`) and `net` (`cells` with gid, tags and conns; `pops`).
#[must_use]
pub fn netpyne_json(model: &Model, out: &RunOutput) -> Value {
    let mut sim_data = Map::new();
    sim_data.insert(
        "spkt".into(),
        out.spikes.iter().map(|s| json!(s.0)).collect(),
    );
    sim_data.insert(
        "spkid".into(),
        out.spikes.iter().map(|s| json!(s.1 as f64)).collect(),
    );
    for (name, _) in &model.sim.record_traces {
        let mut by_cell = Map::new();
        for tr in out.traces.iter().filter(|t| &t.name == name) {
            by_cell.insert(format!("cell_{}", tr.gid), json!(tr.values));
        }
        sim_data.insert(name.clone(), Value::Object(by_cell));
    }
    if !out.t.is_empty() {
        sim_data.insert("t".into(), json!(out.t));
    }
    let net = &model.net;
    let cells: Vec<Value> = out
        .plan
        .cells
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let tags: Map<String, Value> = c.tags.iter().cloned().collect();
            let conns: Vec<Value> = out.plan.conns[i]
                .iter()
                .map(|k| {
                    json!({
                        "preGid": k.pre_gid, "sec": k.sec, "loc": k.loc,
                        "synMech": net.syn_mech_params[k.syn_mech].0,
                        "weight": k.weight, "delay": k.delay,
                        "label": net.conn_params[k.rule].0,
                    })
                })
                .collect();
            let stims: Vec<Value> = out.plan.stims[i]
                .iter()
                .map(|s| {
                    json!({
                        "source": net.stim_source_params[s.source].0,
                        "type": net.stim_source_params[s.source].1.kind,
                        "sec": s.sec, "loc": s.loc, "weight": s.weight, "delay": s.delay,
                        "label": net.stim_target_params[s.target].0,
                    })
                })
                .collect();
            json!({"gid": c.gid, "tags": tags, "conns": conns, "stims": stims})
        })
        .collect();
    let mut pops = Map::new();
    for (pi, (label, pop)) in net.pop_params.iter().enumerate() {
        let tags: Map<String, Value> = pop.tags.iter().cloned().collect();
        let gids: Vec<u64> = out
            .plan
            .pop_gids
            .get(pi)
            .cloned()
            .map(Iterator::collect)
            .unwrap_or_default();
        pops.insert(label.clone(), json!({"tags": tags, "cellGids": gids}));
    }
    json!({
        "netpyne_version": "ranvier",
        "netParams": model.raw_net,
        "simConfig": model.raw_sim,
        "simData": sim_data,
        "net": {"cells": cells, "pops": pops},
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
