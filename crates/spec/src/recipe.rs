//! Turning a [`NetworkPlan`] into cable cells: a [`Recipe`] for `ranvier-net`.

use ranvier_cable::{BuildError, CableModel, ProbeSpec, Recording, Source, Target};
use std::collections::HashMap;

use ranvier_expr::{Program, compile};
use ranvier_morph::Section;
use ranvier_net::{CellParts, Connection, Gid, Recipe};

use crate::model::*;
use crate::netpyne_random::{HocRandom, hash_str};
use crate::network::{CELL_VARS, CellPlan, NetworkPlan, POST_VARS, post_values};

/// A NetPyNE model instantiated as a recipe.
pub struct SpecRecipe<'a> {
    pub model: &'a Model,
    pub plan: &'a NetworkPlan,
    /// Gids whose traces are recorded.
    pub record_gids: Vec<u64>,
    /// Every cell-parameter string function, compiled once (or its error message).
    programs: HashMap<String, Result<Program, String>>,
    /// The hoc globals every group sets (see `model_globals`).
    globals: Vec<(String, f64)>,
    /// Every synMech parameter string function, compiled once (variables `POST_VARS`).
    syn_programs: HashMap<String, Result<Program, String>>,
}

impl<'a> SpecRecipe<'a> {
    #[must_use]
    pub fn new(model: &'a Model, plan: &'a NetworkPlan) -> Self {
        let record_gids = record_gids(model, plan);
        let mut names: Vec<&str> = CELL_VARS.to_vec();
        names.extend(model.net.vars.iter().map(|(n, _)| n.as_str()));
        let mut programs = HashMap::new();
        for (_, rule) in &model.net.cell_params {
            for (_, sec) in &rule.secs {
                let g = &sec.geom;
                let params = [&g.l, &g.diam, &g.ra, &g.cm, &g.nseg].into_iter().flatten();
                let mechs = sec
                    .mechs
                    .iter()
                    .flat_map(|(_, ps)| ps.iter().map(|(_, p)| p));
                let points = sec
                    .pointps
                    .iter()
                    .flat_map(|(_, pp)| pp.params.iter().map(|(_, p)| p));
                for p in params.chain(mechs).chain(points) {
                    if let Param::Expr(src) = p {
                        programs.entry(src.clone()).or_insert_with(|| {
                            compile(src, &names).map_err(|e| {
                                format!("in `{src}`, column {}: {}", e.column(src), e.message)
                            })
                        });
                    }
                }
            }
        }
        let mut syn_programs = HashMap::new();
        for (_, syn) in &model.net.syn_mech_params {
            for (_, p) in &syn.params {
                if let Param::Expr(src) = p {
                    syn_programs.entry(src.clone()).or_insert_with(|| {
                        compile(src, POST_VARS).map_err(|e| {
                            format!("in `{src}`, column {}: {}", e.column(src), e.message)
                        })
                    });
                }
            }
        }
        Self {
            model,
            plan,
            record_gids,
            programs,
            globals: model_globals(model, plan),
            syn_programs,
        }
    }
}

/// The hoc globals of a NetPyNE model, one value each, the same in every group whatever
/// cells it holds. First, while the cells are created in gid order, NetPyNE's
/// `CompartCell._addIons` writes `cai0_ca_ion`-style initial concentrations for each
/// section with an ion's `i` or `o` (the last writer wins). Then, before the run,
/// `sim.setup.setGlobals` sets every cell rule's `globals`, where the first rule in
/// `cellParams` order that names a key wins (`hParams` such as `celsius` and `v_init`
/// take precedence over rule globals and are applied elsewhere).
fn model_globals(model: &Model, plan: &NetworkPlan) -> Vec<(String, f64)> {
    fn set(out: &mut Vec<(String, f64)>, k: &str, v: f64) {
        match out.iter_mut().find(|(n, _)| n == k) {
            Some(e) => e.1 = v,
            None => out.push((k.to_owned(), v)),
        }
    }
    let rule_ions: Vec<Vec<(String, f64)>> = model
        .net
        .cell_params
        .iter()
        .map(|(_, rule)| {
            let mut w = Vec::new();
            for (_, sec) in &rule.secs {
                for (ion, vals) in &sec.ions {
                    for (k, v) in vals {
                        if k == "i" || k == "o" {
                            w.push((format!("{ion}{k}0_{ion}_ion"), *v));
                        }
                    }
                }
            }
            w
        })
        .collect();
    let mut out = Vec::new();
    for cell in &plan.cells {
        if let Some(ri) = cell.rule {
            for (k, v) in &rule_ions[ri] {
                set(&mut out, k, *v);
            }
        }
    }
    let mut rule_globals: Vec<(String, f64)> = Vec::new();
    for (_, rule) in &model.net.cell_params {
        for (k, v) in &rule.globals {
            if k != "celsius" && k != "v_init" && !rule_globals.iter().any(|(n, _)| n == k) {
                rule_globals.push((k.clone(), *v));
            }
        }
    }
    for (k, v) in &rule_globals {
        set(&mut out, k, *v);
    }
    out
}

/// The cells `simConfig.recordCells` selects: `"all"`, gids, population labels, or
/// `[pop, index]` pairs.
fn record_gids(model: &Model, plan: &NetworkPlan) -> Vec<u64> {
    let mut out = Vec::new();
    for v in &model.sim.record_cells {
        match v {
            serde_json::Value::String(s) if s == "all" => {
                out.extend(plan.cells.iter().map(|c| c.gid))
            }
            serde_json::Value::String(pop) => {
                if let Some(pi) = model.net.pop_params.iter().position(|(l, _)| l == pop) {
                    out.extend(plan.pop_gids[pi].clone());
                }
            }
            serde_json::Value::Number(n) => {
                if let Some(g) = n.as_u64() {
                    out.push(g);
                }
            }
            serde_json::Value::Array(pair) if pair.len() == 2 => {
                if let (Some(pop), Some(i)) = (pair[0].as_str(), pair[1].as_u64())
                    && let Some(pi) = model.net.pop_params.iter().position(|(l, _)| l == pop)
                {
                    let g = plan.pop_gids[pi].start + i;
                    if g < plan.pop_gids[pi].end {
                        out.push(g);
                    }
                }
            }
            _ => {}
        }
    }
    // NetPyNE's plotTraces 'include' also selects recorded cells.
    for (name, a) in &model.sim.analysis {
        if name == "plotTraces"
            && let Some(serde_json::Value::Array(inc)) = a.get("include")
        {
            for v in inc {
                if let Some(g) = v.as_u64() {
                    out.push(g);
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn invalid(context: String, why: String) -> BuildError {
    BuildError::Invalid { context, why }
}

/// The shortest NetStim interval accepted `[ms]` (a rate of 1e9 Hz). NEURON would run a
/// shorter one and drown in events; such a value is a typo.
const MIN_NETSTIM_INTERVAL: f64 = 1e-6;

/// A NetStim `interval` `[ms]` from `rate` `[Hz]` or `interval`, checked against
/// [`MIN_NETSTIM_INTERVAL`] (0 and negative intervals are NetStim's own business: it
/// replaces them by 0.01 ms, as NEURON's does).
fn netstim_interval(
    context: &str,
    rate: Option<f64>,
    interval: Option<f64>,
) -> Result<Option<f64>, BuildError> {
    let Some(i) = rate.map(|r| 1000.0 / r).or(interval) else {
        return Ok(None);
    };
    if i > 0.0 && i < MIN_NETSTIM_INTERVAL {
        return Err(invalid(
            context.to_owned(),
            format!(
                "NetStim interval {i} ms (rate {} Hz) is shorter than {MIN_NETSTIM_INTERVAL} ms: it would fire more than 1e9 times per second",
                1000.0 / i
            ),
        ));
    }
    Ok(Some(i))
}

/// Evaluate a cell parameter (number or string function of the cell's variables).
impl SpecRecipe<'_> {
    /// Evaluate a cell parameter: a number, or a string function of the cell's variables
    /// (compiled once for the whole network) drawing from the cell's random stream.
    fn eval_cell_param(
        &self,
        p: &Param,
        cell: &CellPlan,
        rand: &mut HocRandom,
        what: &str,
    ) -> Result<f64, BuildError> {
        match p {
            Param::Num(x) => Ok(*x),
            Param::List(l) => l
                .first()
                .copied()
                .ok_or_else(|| invalid(what.into(), "empty list".into())),
            Param::Expr(s) => {
                let prog = match self.programs.get(s) {
                    Some(Ok(p)) => p,
                    Some(Err(e)) => return Err(invalid(what.into(), e.clone())),
                    None => return Err(invalid(what.into(), format!("`{s}` was not compiled"))),
                };
                let mut vals = [0.0; 64];
                // CELL_VARS: the position, then dist_path and dist_euclidean (0 here).
                let mut base = [0.0; 8];
                base[..6].copy_from_slice(&post_values(cell));
                let vars = &self.model.net.vars;
                let n = base.len() + vars.len();
                if n <= vals.len() {
                    vals[..base.len()].copy_from_slice(&base);
                    for (k, (_, x)) in vars.iter().enumerate() {
                        vals[base.len() + k] = *x;
                    }
                    Ok(prog.eval(&vals[..n], rand))
                } else {
                    let mut v = base.to_vec();
                    v.extend(vars.iter().map(|(_, x)| *x));
                    Ok(prog.eval(&v, rand))
                }
            }
        }
    }
}

impl Recipe for SpecRecipe<'_> {
    fn num_cells(&self) -> Gid {
        self.plan.cells.len() as Gid
    }

    fn setup(&self, model: &mut CableModel) -> Result<(), BuildError> {
        let sim = &self.model.sim;
        for (k, v) in &self.globals {
            let ion_default = k.strip_suffix("_ion").and_then(|rest| {
                let (var, ion) = rest.split_once("0_")?;
                match var.strip_prefix(ion)? {
                    "i" => Some((ion, ranvier_mech::IonVar::Conci)),
                    "o" => Some((ion, ranvier_mech::IonVar::Conco)),
                    _ => None,
                }
            });
            if let Some((ion, var)) = ion_default {
                model.set_ion_default(ion, var, *v)?;
            } else if let Some((name, mech)) = k.rsplit_once('_') {
                model.set_global(mech, name, *v)?;
            }
        }
        // NetPyNE records with `Vector.record(ptr, recordStep)` (sim/setup.py setupRecording).
        model.recording = Recording::Interval(sim.record_step);
        Ok(())
    }

    fn build_cell(&self, gid: Gid, model: &mut CableModel) -> Result<CellParts, BuildError> {
        let net = &self.model.net;
        let cell = &self.plan.cells[gid as usize];
        let pop_label = &net.pop_params[cell.pop].0;
        let cell_id = model.add_cell(&format!("{pop_label}[{gid}]"));
        let mut parts = CellParts::default();

        // Artificial (point-cell) populations.
        if let Some(kind) = &cell.point_model {
            let pop = &net.pop_params[cell.pop].1;
            let art = model.add_artificial(kind, &format!("{pop_label}[{gid}]"))?;
            let get = |k: &str| {
                pop.tags
                    .iter()
                    .find(|(n, _)| n == k)
                    .and_then(|(_, v)| v.as_f64())
            };
            if kind == "NetStim" {
                let ctx = format!("population `{pop_label}`");
                // `interval` wins over `rate` here (it was applied last before).
                let rate = get("rate").filter(|_| get("interval").is_none());
                if let Some(i) = netstim_interval(&ctx, rate, get("interval"))? {
                    model.set_artificial(art, "interval", i)?;
                }
                for k in ["noise", "start", "number"] {
                    if let Some(v) = get(k) {
                        model.set_artificial(art, k, v)?;
                    }
                }
                let seed = get("seed").map_or(self.model.sim.seeds.stim, |s| s as u32);
                model.set_random123(art, hash_str("NetStim"), gid as u32, seed)?;
            } else if let Some(serde_json::Value::Array(t)) = pop
                .tags
                .iter()
                .find(|(n, _)| n == "spkTimes")
                .map(|(_, v)| v)
            {
                model.set_vector(
                    art,
                    t.iter().filter_map(serde_json::Value::as_f64).collect(),
                )?;
            }
            parts.sources.push((Source::Artificial(art), 0.0));
            return Ok(parts);
        }

        let Some(ri) = cell.rule else {
            return Err(invalid(format!("cell {gid}"), "no cell rule".into()));
        };
        let (rule_label, rule) = &net.cell_params[ri];
        let ctx = |s: &str| format!("cellParams.{rule_label:?}.secs.{s}");
        let mut rand = HocRandom::random123(
            hash_str("cellParams"),
            gid as u32,
            self.model.sim.seeds.cell,
        );
        let mut ids = Vec::with_capacity(rule.secs.len());
        for (name, sec) in &rule.secs {
            let mut s = Section::new(name);
            let g = &sec.geom;
            if let Some(n) = &g.nseg {
                let n = self.eval_cell_param(n, cell, &mut rand, &ctx(name))?;
                s.set_nseg(n as usize)
                    .map_err(|e| invalid(ctx(name), e.to_string()))?;
            }
            if let Some(l) = &g.l {
                let l = self.eval_cell_param(l, cell, &mut rand, &ctx(name))?;
                s.set_length(l)
                    .map_err(|e| invalid(ctx(name), e.to_string()))?;
            }
            if let Some(d) = &g.diam {
                let d = self.eval_cell_param(d, cell, &mut rand, &ctx(name))?;
                s.set_diam(d)
                    .map_err(|e| invalid(ctx(name), e.to_string()))?;
            }
            if let Some(ra) = &g.ra {
                let ra = self.eval_cell_param(ra, cell, &mut rand, &ctx(name))?;
                s.set_ra(ra)
                    .map_err(|e| invalid(ctx(name), e.to_string()))?;
            }
            if let Some(cm) = &g.cm {
                let cm = self.eval_cell_param(cm, cell, &mut rand, &ctx(name))?;
                s.set_cm(cm)
                    .map_err(|e| invalid(ctx(name), e.to_string()))?;
            }
            // 3-D points last, as NetPyNE's `_setGeometryParams` adds them: they then
            // define L and the diameters, whatever `geom` said before. They are offset
            // by the cell's position (`pt3dRelativeToCellLocation`, `-y` with
            // `invertedYCoord`), summed in double precision and stored in single
            // precision, so lengths and areas come from the shifted points as in NEURON.
            if g.pt3d.len() > 1 {
                let (x0, y0, z0) = if self.model.sim.pt3d_relative_to_cell_location {
                    let y = if self.model.sim.inverted_y_coord {
                        -cell.pos[1]
                    } else {
                        cell.pos[1]
                    };
                    (cell.pos[0], y, cell.pos[2])
                } else {
                    (0.0, 0.0, 0.0)
                };
                for p in &g.pt3d {
                    s.pt3d_add(x0 + p[0], y0 + p[1], z0 + p[2], p[3])
                        .map_err(|e| invalid(ctx(name), e.to_string()))?;
                }
            }
            ids.push(model.add_section(cell_id, s));
        }
        for (i, (_, sec)) in rule.secs.iter().enumerate() {
            if let Some(t) = &sec.topol {
                let parent = rule
                    .secs
                    .iter()
                    .position(|(n, _)| n == &t.parent_sec)
                    .ok_or_else(|| {
                        invalid(
                            ctx(&rule.secs[i].0),
                            format!("unknown parentSec `{}`", t.parent_sec),
                        )
                    })?;
                model
                    .morphology_mut()
                    .connect(ids[i], t.child_x, ids[parent], t.parent_x)
                    .map_err(|e| invalid(ctx(&rule.secs[i].0), e.to_string()))?;
            }
            if let Some(v) = sec.vinit {
                model.set_vinit(ids[i], v)?;
            }
            let nseg = model.morphology().section(ids[i]).nseg();
            for (mech, params) in &sec.mechs {
                model.insert(ids[i], mech)?;
                for (k, v) in params {
                    let what = format!("{}.mechs.{mech}.{k}", ctx(&rule.secs[i].0));
                    // A list gives one value per segment (NetPyNE's `value[iseg]`).
                    if let Param::List(l) = v
                        && l.len() > 1
                    {
                        if l.len() != nseg {
                            return Err(invalid(
                                what,
                                format!("{} values for a section of {nseg} segments", l.len()),
                            ));
                        }
                        for (j, x) in l.iter().enumerate() {
                            let at = (j as f64 + 0.5) / nseg as f64;
                            model.set_density(ids[i], Some(at), mech, k, *x)?;
                        }
                        continue;
                    }
                    let x = self.eval_cell_param(v, cell, &mut rand, &what)?;
                    model.set_density(ids[i], None, mech, k, x)?;
                }
            }
            // NetPyNE's _addIons: each listed ion is inserted (`insert ca_ion`) and its
            // values set per segment; `i`/`o` also set the model-wide `cai0_ca_ion`-style
            // initial concentrations (see `model_globals`).
            for (ion, vals) in &sec.ions {
                model.insert_ion(ids[i], ion)?;
                for (k, v) in vals {
                    let var = match k.as_str() {
                        "e" => ranvier_mech::IonVar::Erev,
                        "i" => ranvier_mech::IonVar::Conci,
                        "o" => ranvier_mech::IonVar::Conco,
                        _ => continue,
                    };
                    model.set_ion(ids[i], ion, var, *v)?;
                }
            }
        }
        // Point processes of the rule (`pointps`). One with `vref` makes the cell an
        // "artificial" point-process cell: its own voltage variable is the spike source
        // and connections to its section go to it (weight slot from `synList`).
        let mut vref_points: Vec<Option<(ranvier_cable::PointId, &PointP)>> =
            vec![None; rule.secs.len()];
        // (section index, pointps label, point) for traces with `pointp`.
        let mut named_points = Vec::new();
        for (i, (sname, sec)) in rule.secs.iter().enumerate() {
            for (pname, pp) in &sec.pointps {
                let point = model.add_point(&pp.mod_name, ids[i], pp.loc)?;
                named_points.push((i, pname.as_str(), point));
                for (k, v) in &pp.params {
                    let what = format!("{}.pointps.{pname}.{k}", ctx(sname));
                    let x = self.eval_cell_param(v, cell, &mut rand, &what)?;
                    model.set_point(point, k, x)?;
                }
                // The last pointp with `vref` wins, as in _setConnPointP's loop.
                if pp.vref.is_some() {
                    vref_points[i] = Some((point, pp));
                }
            }
        }

        // Spike source (NetPyNE's CompartCell.spikeGenLocAndSec): the first section with
        // spikeGenLoc, else the first root section (no topol) at 0.5, else the first.
        let (src_sec, src_x, thr) = match rule
            .secs
            .iter()
            .position(|(_, s)| s.spike_gen_loc.is_some())
        {
            Some(i) => (
                i,
                rule.secs[i].1.spike_gen_loc.unwrap_or(0.5),
                rule.secs[i].1.threshold,
            ),
            None => {
                let i = rule
                    .secs
                    .iter()
                    .position(|(_, s)| s.topol.is_none())
                    .unwrap_or(0);
                (i, 0.5, rule.secs.get(i).and_then(|(_, s)| s.threshold))
            }
        };
        if ids.is_empty() {
            return Err(invalid(
                format!("cellParams.{rule_label:?}"),
                "the cell rule has no sections".into(),
            ));
        }
        let thr = thr.unwrap_or(net.default_threshold);
        match vref_points[src_sec] {
            Some((point, pp)) => {
                let vref = pp.vref.as_deref().unwrap_or("v");
                parts
                    .sources
                    .push((model.point_field_source(point, vref)?, thr));
            }
            None => parts.sources.push((
                Source::Voltage {
                    sec: ids[src_sec],
                    x: src_x,
                },
                thr,
            )),
        }

        let sec_of = |name: &str| -> Result<ranvier_morph::SecId, BuildError> {
            rule.secs
                .iter()
                .position(|(n, _)| n == name)
                .map(|i| ids[i])
                .ok_or_else(|| {
                    invalid(
                        format!("cellParams.{rule_label:?}"),
                        format!("no section `{name}` for a synapse or stimulus"),
                    )
                })
        };
        // A synapse per connection. String parameters (tut6's `'0.1 + 0.01*post_ynorm'`)
        // are evaluated per synapse from the cell's own stream, the one its cell
        // parameters used (NetPyNE's addSynMechNEURONObj, _randomizer).
        let add_syn = |model: &mut CableModel,
                       rand: &mut HocRandom,
                       sm: usize,
                       sec: &str,
                       loc: f64|
         -> Result<Target, BuildError> {
            let (label, syn) = &net.syn_mech_params[sm];
            let p = model.add_point(&syn.mod_name, sec_of(sec)?, loc)?;
            for (k, v) in &syn.params {
                let x = match v {
                    Param::Num(x) => *x,
                    Param::Expr(src) => match self.syn_programs.get(src) {
                        Some(Ok(prog)) => prog.eval(&post_values(cell), rand),
                        Some(Err(e)) => {
                            return Err(invalid(format!("synMechParams.{label:?}.{k}"), e.clone()));
                        }
                        None => continue,
                    },
                    Param::List(_) => continue,
                };
                model.set_point(p, k, x)?;
            }
            Ok(Target::Point(p))
        };
        // NetPyNE's CompartCell._setConnPointP: a connection (or NetStim) onto a section
        // holding a point process with `vref` goes to that point process, in the weight
        // slot its `synList` gives the synMech that was named (slot 0 when none was).
        let vref_target = |sec: &str, syn_mech: Option<&str>| {
            let si = rule.secs.iter().position(|(n, _)| n == sec)?;
            let (point, pp) = vref_points[si]?;
            let slot = syn_mech
                .and_then(|label| pp.syn_list.iter().position(|s| s == label))
                .unwrap_or(0);
            Some((point, slot))
        };
        // One synapse per incoming connection (oneSynPerNetcon); identical ones are
        // merged by the engine when that is exact.
        for c in &self.plan.conns[gid as usize] {
            let named = net.conn_params[c.rule]
                .1
                .syn_mech
                .is_some()
                .then(|| net.syn_mech_params[c.syn_mech].0.as_str());
            match vref_target(&c.sec, named) {
                Some((point, slot)) => {
                    parts.targets.push(Target::Point(point));
                    parts.weight_index.push(slot);
                }
                None => {
                    parts
                        .targets
                        .push(add_syn(model, &mut rand, c.syn_mech, &c.sec, c.loc)?);
                    parts.weight_index.push(0);
                }
            }
        }
        // Stimulation.
        for st in &self.plan.stims[gid as usize] {
            let (src_label, src) = &net.stim_source_params[st.source];
            // The source's parameters for this target, string functions evaluated.
            let num = |k: &str| st.params.iter().find(|(n, _)| n == k).map(|(_, x)| *x);
            match src.kind.as_str() {
                "NetStim" | "VecStim" => {
                    let art = model.add_artificial(&src.kind, &format!("{src_label}->{gid}"))?;
                    if src.kind == "NetStim" {
                        let ctx = format!("stimSourceParams `{src_label}`");
                        // CompartCell.addStim passes `rate` (1000/interval when only an
                        // interval is given) and Cell.addNetStim sets
                        // `interval = rate**-1 * 1e3`: two roundings, kept for exactness.
                        let rate = num("rate").or_else(|| num("interval").map(|i| 1000.0 / i));
                        let interval = rate.map(|r| (1.0 / r) * 1e3);
                        let interval = netstim_interval(&ctx, None, interval)?.unwrap_or(10.0);
                        model.set_artificial(art, "interval", interval)?;
                        model.set_artificial(art, "noise", num("noise").unwrap_or(0.0))?;
                        model.set_artificial(art, "start", num("start").unwrap_or(0.0))?;
                        model.set_artificial(art, "number", num("number").unwrap_or(1e9))?;
                        let seed = num("seed").map_or(self.model.sim.seeds.stim, |s| s as u32);
                        model.set_random123(art, hash_str("NetStim"), gid as u32, seed)?;
                    } else {
                        model.set_vector(art, src.spk_times.clone().unwrap_or_default())?;
                    }
                    let Some(sm) = st.syn_mech else {
                        return Err(invalid(
                            format!("stimTargetParams for `{src_label}`"),
                            "no synMech".into(),
                        ));
                    };
                    let named = net.stim_target_params[st.target].1.syn_mech.as_deref();
                    let (target, slot) = match vref_target(&st.sec, named) {
                        Some((point, slot)) => (Target::Point(point), slot),
                        None => (add_syn(model, &mut rand, sm, &st.sec, st.loc)?, 0),
                    };
                    if self.model.sim.record_stim {
                        // Extra sources (index >= 1) are the cell's recorded stimuli.
                        parts.sources.push((Source::Artificial(art), 0.0));
                    }
                    let s = model.add_source(Source::Artificial(art), 0.0)?;
                    let nc = model.connect(
                        s,
                        Some(target),
                        st.weight * net.scale_conn_weight_net_stims,
                        st.delay,
                    )?;
                    if slot != 0 {
                        model.set_weight_index(nc, slot)?;
                    }
                }
                // NetPyNE's CompartCell.addStim: the point process at sec(loc), every
                // other parameter set on it (setattr).
                kind @ ("IClamp" | "AlphaSynapse" | "SEClamp" | "VClamp") => {
                    let p = model.add_point(kind, sec_of(&st.sec)?, st.loc)?;
                    for (k, x) in &st.params {
                        model.set_point(p, k, *x)?;
                    }
                }
                other => {
                    return Err(invalid(
                        format!("stimSourceParams.{src_label:?}"),
                        format!(
                            "stimulation type `{other}` is not supported (NetStim, VecStim, IClamp, AlphaSynapse, SEClamp, VClamp)"
                        ),
                    ));
                }
            }
        }
        // Traces.
        if self.record_gids.binary_search(&gid).is_ok() {
            for (name, t) in &self.model.sim.record_traces {
                if !crate::network::matches(&cell.tags, &t.conds) {
                    continue;
                }
                let Some(sec_name) = t.sec.as_deref() else {
                    continue;
                };
                let Ok(sec) = sec_of(sec_name) else { continue };
                // NetPyNE's Cell.recordTraces: `pointp` names one of the section's
                // pointps; a name the section does not have records nothing.
                if let Some(pname) = &t.pointp {
                    let si = rule.secs.iter().position(|(n, _)| n == sec_name);
                    if let Some(&(_, _, point)) = named_points
                        .iter()
                        .find(|(i, n, _)| Some(*i) == si && n == pname)
                    {
                        let probe = ProbeSpec::Point {
                            point,
                            field: t.var.clone(),
                        };
                        model.record(&format!("{name}@{gid}"), probe);
                    }
                    continue;
                }
                let probe = match &t.mech {
                    Some(m) => ProbeSpec::Density {
                        sec,
                        x: t.loc,
                        mech: m.clone(),
                        field: t.var.clone(),
                    },
                    None => model.range_probe(sec, t.loc, &t.var)?,
                };
                model.record(&format!("{name}@{gid}"), probe);
            }
        }
        Ok(parts)
    }

    fn connections_on(&self, gid: Gid) -> Vec<Connection> {
        self.plan.conns[gid as usize]
            .iter()
            .enumerate()
            .map(|(k, c)| Connection {
                source: (c.pre_gid, 0),
                target: k as u32,
                weight: c.weight,
                delay: c.delay,
            })
            .collect()
    }
}
