//! Running a specification end to end and writing NetPyNE-format results.

use std::time::Instant;

use ranvier_mech::Catalogue;
use ranvier_net::{Network, NetworkOptions};

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
    simulate_until(model, catalogue, threads, progress, None)
}

/// [`simulate`] that gives up (with an error) once the wall clock passes `deadline`.
pub fn simulate_until(
    model: &Model,
    catalogue: &Catalogue,
    threads: usize,
    progress: impl FnMut(f64),
    deadline: Option<std::time::Instant>,
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
    net.set_deadline(deadline);
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

pub use crate::output::{NetpyneJson, netpyne_json};

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
