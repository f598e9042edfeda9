//! A lowered cell group and its time integration.

use std::collections::HashMap;
use std::sync::Arc;

use ranvier_mech::{
    Ctx, Delivery, EventSink, IonInstances, IonSpecies, IonVar, MechInstances, MechKind, Mechanism,
    NetconWeights, ion_style, nernst,
};

use crate::build::Recording;
use crate::error::RunError;
use crate::queue::{EventKind, EventQueue};

/// Integration method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Method {
    /// NEURON's default implicit (backward) Euler, `secondorder = 0`.
    #[default]
    BackwardEuler,
    /// Crank-Nicolson, NEURON's `secondorder = 2`.
    CrankNicolson,
}

pub(crate) struct Slot {
    pub(crate) mech: Arc<dyn Mechanism>,
    pub(crate) data: MechInstances,
    pub(crate) ion_ids: Vec<usize>,
    /// Source index of each instance that emits `net_event` (`u32::MAX` for none);
    /// empty when no instance is a source.
    pub(crate) source_of: Vec<u32>,
    /// Weight vector length of connections to this mechanism.
    pub(crate) w_len: u32,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct NodeOwner {
    pub(crate) sec: u32,
    pub(crate) x: f64,
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum SourceKind {
    Voltage {
        node: u32,
        threshold: f64,
    },
    Field {
        slot: u32,
        field: u32,
        inst: u32,
        threshold: f64,
    },
    Event,
    External,
}

pub(crate) struct SourceState {
    pub(crate) kind: SourceKind,
    /// Above threshold at the last check.
    pub(crate) flag: bool,
    pub(crate) netcons: Vec<u32>,
    pub(crate) record: bool,
    pub(crate) export: bool,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct NetCon {
    /// (slot, instance) of the target.
    pub(crate) target: Option<(u32, u32)>,
    pub(crate) delay: f64, // [ms]
    pub(crate) w_off: u32,
    pub(crate) w_len: u32,
    /// Orders events due at the same time (see `queue`).
    pub(crate) order: u64,
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum ProbeKind {
    Voltage(u32),
    Field {
        slot: u32,
        field: u32,
        inst: u32,
    },
    Ion {
        species: u32,
        var: IonVar,
        inst: u32,
    },
}

pub(crate) struct Probe {
    pub(crate) name: String,
    pub(crate) kind: ProbeKind,
    pub(crate) data: Vec<f64>,
}

/// A recorded spike.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpikeRecord {
    /// Index of the source (in the order sources were added to the model).
    pub source: u32,
    pub time: f64, // [ms]
}

/// A recorded trace.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace<'a> {
    pub name: &'a str,
    pub values: &'a [f64],
}

pub(crate) struct GroupParts {
    pub(crate) n_root: usize,
    pub(crate) parent: Vec<u32>,
    pub(crate) area: Vec<f64>,
    pub(crate) a: Vec<f64>,
    pub(crate) b: Vec<f64>,
    pub(crate) cm: Vec<f64>,
    pub(crate) owner: Vec<NodeOwner>,
    pub(crate) sec_names: Vec<String>,
    pub(crate) sec_cells: Vec<String>,
    pub(crate) slots: Vec<Slot>,
    pub(crate) ions: Vec<IonInstances>,
    pub(crate) species: Vec<IonSpecies>,
    pub(crate) sources: Vec<SourceState>,
    pub(crate) netcons: Vec<NetCon>,
    pub(crate) nc_pos: Vec<u32>,
    pub(crate) weights: Vec<f64>,
    pub(crate) probes: Vec<Probe>,
    pub(crate) dt: f64,
    pub(crate) celsius: f64,
    pub(crate) method: Method,
    pub(crate) recording: Recording,
    pub(crate) art_names: Vec<String>,
    pub(crate) vinit: Vec<(u32, f64)>,
}

/// Node arrays of the Hines system, in an order where `parent[i] < i`.
///
/// Nodes are numbered level by level (roots, then every node one step from a root,
/// and so on; see [`level_major`]), so identical cells put their corresponding nodes
/// next to each other and their parents too. `runs` cuts `n_root..n` into ranges
/// `[s, e)` whose parents are the consecutive nodes `parent[s]..parent[s] + (e - s)`,
/// all below `s`: over such a range the elimination and the axial terms are plain
/// slice loops that the compiler vectorises. Each node still sees exactly NEURON's
/// operations in NEURON's order (see `level_major`), so results are bit-identical.
struct Nodes {
    n_root: usize,
    parent: Vec<u32>,
    runs: Vec<(u32, u32)>,
    v: Vec<f64>,    // [mV]
    rhs: Vec<f64>,  // [mA/cm2], [nA] on zero-area nodes; after the solve: dv [mV]
    d: Vec<f64>,    // [S/cm2]
    a: Vec<f64>,    // [S/cm2] effect of node on parent equation
    b: Vec<f64>,    // [S/cm2] effect of parent on node equation
    area: Vec<f64>, // [um2]
    cm: Vec<f64>,   // [uF/cm2], 0 on zero-area nodes
}

/// A lowered, runnable set of cells.
pub struct Group {
    nodes: Nodes,
    owner: Vec<NodeOwner>,
    sec_names: Vec<String>,
    sec_cells: Vec<String>,
    slots: Vec<Slot>,
    ions: Vec<IonInstances>,
    species: Vec<IonSpecies>,
    sources: Vec<SourceState>,
    netcons: Vec<NetCon>,
    /// Position in `netcons` of each `NetConId`.
    nc_pos: Vec<u32>,
    /// Sources tested against a threshold each step.
    threshold_sources: Vec<u32>,
    /// Per ion species: some instance recomputes its reversal potential every step.
    eadvance: Vec<bool>,
    weights: Vec<f64>,
    /// For mechanisms using `FOR_NETCONS`: weight offsets of the connections targeting
    /// each (slot, instance), in connection order.
    for_netcons: HashMap<(u32, u32), Vec<u32>>,
    probes: Vec<Probe>,
    record_t: Vec<f64>,
    spikes: Vec<SpikeRecord>,
    outgoing: Vec<SpikeRecord>,
    queue: EventQueue,
    sink: EventSink,
    t: f64,  // [ms]
    dt: f64, // [ms]
    celsius: f64,
    method: Method,
    recording: Recording,
    /// Time of the pending record event `[ms]` (`Recording::Interval`), else infinity.
    next_record: f64,
    steps: u64,
    initialized: bool,
    art_names: Vec<String>,
    /// `(node, v [mV])` set after `v_init` at initialization.
    vinit: Vec<(u32, f64)>,
    /// Spikes of event sources waiting for `emit` (to avoid borrowing issues).
    pending_spikes: Vec<(u32, f64)>,
    /// The node number of each node in the order the model built them (sections in
    /// topological order), for messages that name the first bad node.
    build_order: Vec<u32>,
}

impl Group {
    pub(crate) fn new(mut p: GroupParts) -> Self {
        let build_order = level_major(&mut p);
        let runs = parent_runs(p.n_root, &p.parent);
        let n = p.parent.len();
        let threshold_sources = p
            .sources
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                matches!(
                    s.kind,
                    SourceKind::Voltage { .. } | SourceKind::Field { .. }
                )
            })
            .map(|(i, _)| i as u32)
            .collect();
        let eadvance = p
            .ions
            .iter()
            .map(|i| i.style.iter().any(|s| s & ion_style::EADVANCE != 0))
            .collect();
        Self {
            nodes: Nodes {
                n_root: p.n_root,
                parent: p.parent,
                runs,
                v: vec![-65.0; n],
                rhs: vec![0.0; n],
                d: vec![0.0; n],
                a: p.a,
                b: p.b,
                area: p.area,
                cm: p.cm,
            },
            owner: p.owner,
            sec_names: p.sec_names,
            sec_cells: p.sec_cells,
            slots: p.slots,
            ions: p.ions,
            species: p.species,
            sources: p.sources,
            netcons: p.netcons,
            nc_pos: p.nc_pos,
            threshold_sources,
            eadvance,
            weights: p.weights,
            for_netcons: HashMap::new(),
            probes: p.probes,
            record_t: Vec::new(),
            spikes: Vec::new(),
            outgoing: Vec::new(),
            queue: EventQueue::new(p.dt),
            sink: EventSink::default(),
            t: 0.0,
            dt: p.dt,
            celsius: p.celsius,
            method: p.method,
            recording: p.recording,
            next_record: f64::INFINITY,
            steps: 0,
            initialized: false,
            art_names: p.art_names,
            vinit: p.vinit,
            pending_spikes: Vec::new(),
            build_order,
        }
    }

    /// Current time `[ms]`.
    #[must_use]
    pub fn t(&self) -> f64 {
        self.t
    }

    /// Time step `[ms]`.
    #[must_use]
    pub fn dt(&self) -> f64 {
        self.dt
    }

    /// Number of nodes in the Hines system.
    #[must_use]
    pub fn node_count(&self) -> usize {
        self.nodes.v.len()
    }

    /// Number of instances of a mechanism (after synapse coalescing).
    #[must_use]
    pub fn instance_count(&self, mech: &str) -> usize {
        self.slots
            .iter()
            .find(|s| s.mech.info().name == mech)
            .map_or(0, |s| s.data.len())
    }

    /// Recorded spikes, in the order they were detected.
    #[must_use]
    pub fn spikes(&self) -> &[SpikeRecord] {
        &self.spikes
    }

    /// Spikes of exported sources since the last call (for spike exchange).
    pub fn take_outgoing(&mut self) -> Vec<SpikeRecord> {
        std::mem::take(&mut self.outgoing)
    }

    /// Spikes of exported sources waiting to be taken.
    #[must_use]
    pub fn outgoing(&self) -> &[SpikeRecord] {
        &self.outgoing
    }

    /// Advance with whole steps while `t < t_end - dt/2` (an epoch of a network run).
    pub fn advance_to(&mut self, t_end: f64) -> Result<(), RunError> {
        self.run(t_end)
    }

    /// Recorded sample times `[ms]`.
    #[must_use]
    pub fn trace_times(&self) -> &[f64] {
        &self.record_t
    }

    /// Recorded traces, in the order the probes were added.
    pub fn traces(&self) -> impl Iterator<Item = Trace<'_>> {
        self.probes.iter().map(|p| Trace {
            name: &p.name,
            values: &p.data,
        })
    }

    /// The trace recorded under `name`.
    #[must_use]
    pub fn trace(&self, name: &str) -> Option<&[f64]> {
        self.probes
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.data.as_slice())
    }

    /// Change the weight `k` of a connection (NEURON's `nc.weight[k] = w`).
    pub fn set_weight(&mut self, netcon: u32, k: usize, w: f64) -> Result<(), RunError> {
        let pos = *self
            .nc_pos
            .get(netcon as usize)
            .ok_or_else(|| RunError::Invalid(format!("no connection {netcon}")))?;
        let nc = self.netcons[pos as usize];
        if k >= nc.w_len as usize {
            return Err(RunError::Invalid(format!(
                "connection {netcon} has {} weights",
                nc.w_len
            )));
        }
        self.weights[nc.w_off as usize + k] = w;
        Ok(())
    }

    /// Enqueue an event from outside (spike exchange): a spike of a source at `time`
    /// `[ms]` is delivered to every connection of that source after its delay.
    pub fn deliver_external_spike(&mut self, source: u32, time: f64) {
        if (source as usize) < self.sources.len() {
            self.schedule(source, time);
        }
    }

    /// Queue the events of every connection (with a target) of a source firing at `tt`.
    #[inline]
    fn schedule(&mut self, source: u32, tt: f64) {
        for &nc in &self.sources[source as usize].netcons {
            let c = &self.netcons[nc as usize];
            if let Some((slot, inst)) = c.target {
                self.queue.push(
                    tt + c.delay,
                    c.order,
                    EventKind::NetCon {
                        nc,
                        slot,
                        inst,
                        w_off: c.w_off,
                    },
                );
            }
        }
    }

    /// NEURON's `finitialize(v_init)`.
    pub fn init(&mut self, v_init: f64) -> Result<(), RunError> {
        if !v_init.is_finite() {
            return Err(RunError::Invalid(format!(
                "v_init = {v_init} must be finite"
            )));
        }
        self.t = 0.0;
        self.steps = 0;
        self.queue.clear();
        self.spikes.clear();
        self.outgoing.clear();
        self.record_t.clear();
        for p in &mut self.probes {
            p.data.clear();
        }
        self.nodes.v.iter_mut().for_each(|v| *v = v_init);
        // Per-section initial potentials (NetPyNE's `vinit`, set before INITIAL blocks).
        for &(node, v) in &self.vinit {
            self.nodes.v[node as usize] = v;
        }
        for s in &mut self.slots {
            s.mech.prepare(&mut s.data, self.celsius, self.dt);
        }
        // Ions first (they precede every mechanism in NEURON's type order).
        for ion in &mut self.ions {
            for i in 0..ion.len() {
                if ion.style[i] & ion_style::CINIT != 0 {
                    ion.conci[i] = ion.conci0;
                    ion.conco[i] = ion.conco0;
                }
            }
            for i in 0..ion.len() {
                if ion.style[i] & ion_style::EINIT != 0 {
                    ion.erev[i] = nernst(ion.conci[i], ion.conco[i], ion.charge, self.celsius);
                }
            }
        }
        // Membrane mechanisms, then artificial cells.
        for pass in [false, true] {
            for si in 0..self.slots.len() {
                if (self.slots[si].mech.info().kind == MechKind::Artificial) != pass {
                    continue;
                }
                let slot = &mut self.slots[si];
                let mut ctx = Ctx {
                    t: self.t,
                    dt: self.dt,
                    celsius: self.celsius,
                    secondorder: self.method == Method::CrankNicolson,
                    v: &mut self.nodes.v,
                    rhs: &mut self.nodes.rhs,
                    d: &mut self.nodes.d,
                    area: &self.nodes.area,
                    ions: &mut self.ions,
                    ion_ids: &slot.ion_ids,
                };
                slot.mech.init(&mut slot.data, &mut ctx, &mut self.sink);
                self.drain_sink(si)?;
            }
        }
        // init_net_events: thresholds unarmed, NET_RECEIVE INITIAL per connection.
        for s in &mut self.sources {
            s.flag = false;
        }
        self.for_netcons.clear();
        for nc in &self.netcons {
            if let Some((slot, inst)) = nc.target
                && self.slots[slot as usize].mech.info().for_netcons
            {
                self.for_netcons
                    .entry((slot, inst))
                    .or_default()
                    .push(nc.w_off);
            }
        }
        for nc in &self.netcons {
            if let Some((slot, inst)) = nc.target {
                let sl = &mut self.slots[slot as usize];
                let w = &mut self.weights[nc.w_off as usize..(nc.w_off + nc.w_len) as usize];
                sl.mech.net_receive_init(&mut sl.data, inst, w);
            }
        }
        self.deliver_until(self.t)?;
        // Currents at t = 0 for assigned variables, then record (`nrn_record_init`: the
        // first record event is at t = 0 and is delivered with the events due by 0).
        self.setup_tree_matrix();
        match self.recording {
            Recording::EveryStep => self.record(self.t),
            Recording::Interval(_) => self.next_record = self.t,
        }
        self.deliver_until(self.t)?;
        self.initialized = true;
        Ok(())
    }

    /// Advance to `tstop` `[ms]` with fixed steps: steps are taken while
    /// `t < tstop - dt/2`, as NEURON's `continuerun` does.
    pub fn run(&mut self, tstop: f64) -> Result<(), RunError> {
        if !tstop.is_finite() {
            return Err(RunError::Invalid(format!("tstop = {tstop} must be finite")));
        }
        if !self.initialized {
            return Err(RunError::Invalid("call init(v_init) before run".into()));
        }
        let mut k = 0u32;
        while self.t < tstop - 0.5 * self.dt {
            self.step()?;
            k += 1;
            if k.is_multiple_of(64) {
                self.check_finite()?;
            }
        }
        self.check_finite()
    }

    /// One step of NEURON's fixed-step method (`nrn_fixed_step`):
    /// 1. test thresholds and `WATCH` conditions at `t`, deliver events due by
    ///    `t + dt/2`;
    /// 2. `t += dt/2`; membrane currents and `di/dv` (two evaluations) into the matrix;
    /// 3. solve; (Crank-Nicolson: correct ion currents); `v += dv` (`2 dv` for CN);
    /// 4. `t += dt/2`; advance mechanism states with the new `v`;
    /// 5. record; deliver events due by `t`.
    pub fn step(&mut self) -> Result<(), RunError> {
        let dt = self.dt;
        self.check_thresholds()?;
        self.deliver_until(self.t + 0.5 * dt)?;
        self.t += 0.5 * dt;
        self.setup_tree_matrix();
        self.take_mech_error()?;
        self.solve();
        if self.method == Method::CrankNicolson {
            self.second_order_cur();
        }
        let fac = if self.method == Method::CrankNicolson {
            2.0
        } else {
            1.0
        };
        for (v, r) in self.nodes.v.iter_mut().zip(&self.nodes.rhs) {
            *v += fac * r;
        }
        self.t += 0.5 * dt;
        for si in 0..self.slots.len() {
            let slot = &mut self.slots[si];
            let mut ctx = Ctx {
                t: self.t,
                dt,
                celsius: self.celsius,
                secondorder: self.method == Method::CrankNicolson,
                v: &mut self.nodes.v,
                rhs: &mut self.nodes.rhs,
                d: &mut self.nodes.d,
                area: &self.nodes.area,
                ions: &mut self.ions,
                ion_ids: &slot.ion_ids,
            };
            slot.mech.state(&mut slot.data, &mut ctx);
        }
        self.take_mech_error()?;
        self.steps += 1;
        if self.recording == Recording::EveryStep {
            self.record(self.t);
        }
        self.deliver_until(self.t)
    }

    /// Stop with the first run-time error a mechanism raised in its current or state
    /// kernel, naming the mechanism and the time.
    fn take_mech_error(&mut self) -> Result<(), RunError> {
        for slot in &mut self.slots {
            if let Some(message) = slot.data.error.take() {
                return Err(RunError::Mechanism {
                    mech: slot.mech.info().name.clone(),
                    t: self.t,
                    message,
                });
            }
        }
        Ok(())
    }

    fn setup_tree_matrix(&mut self) {
        let nd = &mut self.nodes;
        nd.rhs.iter_mut().for_each(|x| *x = 0.0);
        nd.d.iter_mut().for_each(|x| *x = 0.0);
        // Ion currents are zeroed and reversal potentials advanced before any mechanism.
        // (`di/dv` of ion currents is only needed, and only kept, for Crank-Nicolson.)
        let cn = self.method == Method::CrankNicolson;
        for (ion, &eadvance) in self.ions.iter_mut().zip(&self.eadvance) {
            ion.cur.iter_mut().for_each(|x| *x = 0.0);
            if cn {
                ion.dcurdv.iter_mut().for_each(|x| *x = 0.0);
            }
            if eadvance {
                for i in 0..ion.len() {
                    if ion.style[i] & ion_style::EADVANCE != 0 {
                        ion.erev[i] = nernst(ion.conci[i], ion.conco[i], ion.charge, self.celsius);
                    }
                }
            }
        }
        for slot in &mut self.slots {
            let mut ctx = Ctx {
                t: self.t,
                dt: self.dt,
                celsius: self.celsius,
                secondorder: self.method == Method::CrankNicolson,
                v: &mut nd.v,
                rhs: &mut nd.rhs,
                d: &mut nd.d,
                area: &nd.area,
                ions: &mut self.ions,
                ion_ids: &slot.ion_ids,
            };
            slot.mech.current(&mut slot.data, &mut ctx);
        }
        // Axial currents, run by run in node order.
        for &(s, e) in &nd.runs {
            let (s, e) = (s as usize, e as usize);
            let ps = nd.parent[s] as usize;
            let len = e - s;
            let (rhs_p, rhs_i) = nd.rhs.split_at_mut(s);
            let (rhs_p, rhs_i) = (&mut rhs_p[ps..ps + len], &mut rhs_i[..len]);
            let (v_p, v_i) = (&nd.v[ps..ps + len], &nd.v[s..e]);
            let (a, b) = (&nd.a[s..e], &nd.b[s..e]);
            for k in 0..len {
                let dv = v_p[k] - v_i[k];
                rhs_i[k] -= b[k] * dv;
                rhs_p[k] += a[k] * dv;
            }
        }
        // Capacitance, then axial terms of the diagonal.
        let cj = if self.method == Method::CrankNicolson {
            2.0 / self.dt
        } else {
            1.0 / self.dt
        };
        let cfac = 0.001 * cj;
        for (d, cm) in nd.d.iter_mut().zip(&nd.cm) {
            *d += cfac * cm;
        }
        for &(s, e) in &nd.runs {
            let (s, e) = (s as usize, e as usize);
            let ps = nd.parent[s] as usize;
            let len = e - s;
            let (d_p, d_i) = nd.d.split_at_mut(s);
            let (d_p, d_i) = (&mut d_p[ps..ps + len], &mut d_i[..len]);
            let (a, b) = (&nd.a[s..e], &nd.b[s..e]);
            for k in 0..len {
                d_i[k] -= b[k];
                d_p[k] -= a[k];
            }
        }
    }

    /// Hines elimination (NEURON's `triang` + `bksub`); the solution `dv` is left in
    /// `rhs`.
    /// Over each run the nodes are independent of one another (distinct parents, all
    /// outside the run), so the order inside a run does not matter; runs are taken in
    /// NEURON's order (descending for the elimination, ascending for the substitution).
    fn solve(&mut self) {
        let nd = &mut self.nodes;
        for &(s, e) in nd.runs.iter().rev() {
            let (s, e) = (s as usize, e as usize);
            let ps = nd.parent[s] as usize;
            let len = e - s;
            let (d_p, d_i) = nd.d.split_at_mut(s);
            let (d_p, d_i) = (&mut d_p[ps..ps + len], &d_i[..len]);
            let (rhs_p, rhs_i) = nd.rhs.split_at_mut(s);
            let (rhs_p, rhs_i) = (&mut rhs_p[ps..ps + len], &rhs_i[..len]);
            let (a, b) = (&nd.a[s..e], &nd.b[s..e]);
            for k in 0..len {
                let f = a[k] / d_i[k];
                d_p[k] -= f * b[k];
                rhs_p[k] -= f * rhs_i[k];
            }
        }
        for i in 0..nd.n_root {
            nd.rhs[i] /= nd.d[i];
        }
        for &(s, e) in &nd.runs {
            let (s, e) = (s as usize, e as usize);
            let ps = nd.parent[s] as usize;
            let len = e - s;
            let (rhs_p, rhs_i) = nd.rhs.split_at_mut(s);
            let (rhs_p, rhs_i) = (&rhs_p[ps..ps + len], &mut rhs_i[..len]);
            let (b, d) = (&nd.b[s..e], &nd.d[s..e]);
            for k in 0..len {
                rhs_i[k] -= b[k] * rhs_p[k];
                rhs_i[k] /= d[k];
            }
        }
    }

    fn second_order_cur(&mut self) {
        for ion in &mut self.ions {
            for i in 0..ion.len() {
                ion.cur[i] += ion.dcurdv[i] * self.nodes.rhs[ion.node[i] as usize];
            }
        }
    }

    /// Take one sample of every probe, at time `tt` `[ms]`.
    fn record(&mut self, tt: f64) {
        self.record_t.push(tt);
        for p in &mut self.probes {
            let v = match p.kind {
                ProbeKind::Voltage(n) => self.nodes.v[n as usize],
                ProbeKind::Field { slot, field, inst } => {
                    self.slots[slot as usize].data.fields[field as usize][inst as usize]
                }
                ProbeKind::Ion { species, var, inst } => {
                    let ion = &self.ions[species as usize];
                    let i = inst as usize;
                    match var {
                        IonVar::Erev => ion.erev[i],
                        IonVar::Conci => ion.conci[i],
                        IonVar::Conco => ion.conco[i],
                        IonVar::Cur => ion.cur[i],
                    }
                }
            };
            p.data.push(v);
        }
    }

    /// NEURON's `check_thresh`: spike when a voltage source goes above threshold
    /// (spike time `t + 1e-10`, as NEURON's `ConditionEvent::check`), and `WATCH`.
    fn check_thresholds(&mut self) -> Result<(), RunError> {
        let t = self.t;
        for k in 0..self.threshold_sources.len() {
            let si = self.threshold_sources[k] as usize;
            let s = &mut self.sources[si];
            let (value, threshold) = match s.kind {
                SourceKind::Voltage { node, threshold } => (self.nodes.v[node as usize], threshold),
                SourceKind::Field {
                    slot,
                    field,
                    inst,
                    threshold,
                } => (
                    self.slots[slot as usize].data.fields[field as usize][inst as usize],
                    threshold,
                ),
                SourceKind::Event | SourceKind::External => continue,
            };
            if value > threshold {
                if !s.flag {
                    s.flag = true;
                    self.emit(si as u32, t + 1e-10);
                }
            } else if s.flag {
                s.flag = false;
            }
        }
        for si in 0..self.slots.len() {
            let slot = &mut self.slots[si];
            let mut ctx = Ctx {
                t,
                dt: self.dt,
                celsius: self.celsius,
                secondorder: self.method == Method::CrankNicolson,
                v: &mut self.nodes.v,
                rhs: &mut self.nodes.rhs,
                d: &mut self.nodes.d,
                area: &self.nodes.area,
                ions: &mut self.ions,
                ion_ids: &slot.ion_ids,
            };
            slot.mech
                .check_watch(&mut slot.data, &mut ctx, &mut self.sink);
            self.drain_sink(si)?;
        }
        Ok(())
    }

    /// A source fires at `tt`: record it and schedule its connections.
    fn emit(&mut self, source: u32, tt: f64) {
        let s = &self.sources[source as usize];
        if s.record {
            self.spikes.push(SpikeRecord { source, time: tt });
        }
        if s.export {
            self.outgoing.push(SpikeRecord { source, time: tt });
        }
        self.schedule(source, tt);
    }

    /// Move what a kernel of slot `si` put in the sink into the queue / spike output.
    fn drain_sink(&mut self, si: usize) -> Result<(), RunError> {
        if let Some(message) = self.sink.error.take() {
            self.sink.sends.clear();
            self.sink.spikes.clear();
            return Err(RunError::Mechanism {
                mech: self.slots[si].mech.info().name.clone(),
                t: self.t,
                message,
            });
        }
        for s in self.sink.sends.drain(..) {
            self.queue.push(
                s.time,
                u64::MAX,
                EventKind::SelfEvent {
                    slot: si as u32,
                    inst: s.inst,
                    flag: s.flag,
                    weight_ref: s.weight_ref,
                },
            );
        }
        if !self.sink.spikes.is_empty() {
            let sl = &self.slots[si];
            self.pending_spikes.clear();
            for &(inst, t) in &self.sink.spikes {
                if let Some(&src) = sl.source_of.get(inst as usize)
                    && src != u32::MAX
                {
                    self.pending_spikes.push((src, t));
                }
            }
            self.sink.spikes.clear();
            let pending = std::mem::take(&mut self.pending_spikes);
            for &(src, t) in &pending {
                self.emit(src, t);
            }
            self.pending_spikes = pending;
        }
        Ok(())
    }

    /// Deliver every queued event due at or before `til` `[ms]`.
    /// Deliver the events due by `til` `[ms]` in time order (NEURON's `deliver_events`),
    /// with the record event of `Recording::Interval` among them: it follows the events
    /// due at or before its time, and the next one is scheduled `Dt` later.
    fn deliver_until(&mut self, til: f64) -> Result<(), RunError> {
        loop {
            let rec = self.next_record;
            let Some((te, kind)) = self.queue.pop_until(til.min(rec)) else {
                if rec <= til {
                    self.record(rec);
                    if let Recording::Interval(step) = self.recording {
                        self.next_record = rec + step;
                    }
                    continue;
                }
                return Ok(());
            };
            let (si, e, w_off) = match kind {
                EventKind::NetCon {
                    nc,
                    slot,
                    inst,
                    w_off,
                } => (
                    slot as usize,
                    Delivery {
                        inst,
                        flag: 0.0,
                        weight_ref: Some(nc),
                    },
                    Some(w_off),
                ),
                EventKind::SelfEvent {
                    slot,
                    inst,
                    flag,
                    weight_ref,
                } => {
                    let w_off = weight_ref.map(|nc| self.netcons[nc as usize].w_off);
                    (
                        slot as usize,
                        Delivery {
                            inst,
                            flag,
                            weight_ref,
                        },
                        w_off,
                    )
                }
            };
            let slot = &mut self.slots[si];
            let all = slot.mech.info().for_netcons;
            let (w, rest): (&mut [f64], &mut [f64]) = match w_off {
                _ if all => (&mut [], &mut self.weights),
                Some(off) => (
                    &mut self.weights[off as usize..(off + slot.w_len) as usize],
                    &mut [],
                ),
                None => (&mut [], &mut []),
            };
            let mut ctx = Ctx {
                t: te,
                dt: self.dt,
                celsius: self.celsius,
                secondorder: self.method == Method::CrankNicolson,
                v: &mut self.nodes.v,
                rhs: &mut self.nodes.rhs,
                d: &mut self.nodes.d,
                area: &self.nodes.area,
                ions: &mut self.ions,
                ion_ids: &slot.ion_ids,
            };
            if all {
                let offsets = self
                    .for_netcons
                    .get(&(si as u32, e.inst))
                    .map_or(&[][..], Vec::as_slice);
                let nw = NetconWeights {
                    weights: rest,
                    w_len: slot.w_len as usize,
                    offsets,
                };
                slot.mech.net_receive_all(
                    &mut slot.data,
                    &mut ctx,
                    e,
                    w_off.map(|o| o as usize),
                    nw,
                    &mut self.sink,
                );
            } else {
                slot.mech
                    .net_receive(&mut slot.data, &mut ctx, e, w, &mut self.sink);
            }
            self.drain_sink(si)?;
        }
    }

    fn check_finite(&self) -> Result<(), RunError> {
        let bad = |k: &usize| !self.nodes.v[self.build_order[*k] as usize].is_finite();
        let Some(first) = (0..self.build_order.len()).find(bad) else {
            return Ok(());
        };
        // Name a node that carries mechanisms if one blew up (end nodes follow their
        // neighbours and carry none); the first in build order.
        let has_mech = |i: usize| self.slots.iter().any(|s| s.data.node.contains(&(i as u32)));
        let k = (first..self.build_order.len())
            .find(|k| bad(k) && has_mech(self.build_order[*k] as usize))
            .unwrap_or(first);
        let i = self.build_order[k] as usize;
        let o = self.owner[i];
        let (cell, section) = if (o.sec as usize) < self.sec_names.len() {
            (
                self.sec_cells[o.sec as usize].clone(),
                self.sec_names[o.sec as usize].clone(),
            )
        } else {
            ("?".into(), "?".into())
        };
        let mechs: Vec<String> = self
            .slots
            .iter()
            .filter(|s| s.data.node.contains(&(i as u32)))
            .map(|s| s.mech.info().name.clone())
            .collect();
        Err(RunError::NotFinite {
            t: self.t,
            v: self.nodes.v[i],
            cell,
            section,
            x: o.x,
            mechs: if mechs.is_empty() {
                "none".into()
            } else {
                mechs.join(", ")
            },
        })
    }

    /// Ion species of the model, in the order ion probes refer to them.
    #[must_use]
    pub fn species(&self) -> &[IonSpecies] {
        &self.species
    }

    /// Names of the artificial cells, in creation order.
    #[must_use]
    pub fn artificial_names(&self) -> &[String] {
        &self.art_names
    }

    /// Membrane potential of every node `[mV]` (for diagnostics and tests), in the
    /// group's node order (level by level, see `level_major`).
    #[must_use]
    pub fn voltages(&self) -> &[f64] {
        &self.nodes.v
    }
}

/// Renumber the nodes level by level: the roots keep their numbers, then come the
/// nodes one step from a root, then two steps, ..., each level in the build order.
/// Returns the new number of each node in build order.
///
/// Why results do not change: NEURON's elimination visits nodes in descending and the
/// substitution in ascending order. What matters for each node is the order in which
/// its children's terms reach it; children are one level below their parent, so they
/// keep their relative order (a stable sort by level), and every parent still comes
/// before its children (`parent[i] < i`).
fn level_major(p: &mut GroupParts) -> Vec<u32> {
    let n = p.parent.len();
    let nr = p.n_root;
    let mut level = vec![0u32; n];
    for i in nr..n {
        level[i] = level[p.parent[i] as usize] + 1;
    }
    let mut rest: Vec<usize> = (nr..n).collect();
    rest.sort_by_key(|&i| level[i]);
    let mut new_of: Vec<u32> = (0..n as u32).collect();
    for (k, &i) in rest.iter().enumerate() {
        new_of[i] = (nr + k) as u32;
    }
    let map = |x: &mut u32| {
        if let Some(&y) = new_of.get(*x as usize) {
            *x = y;
        }
    };
    fn permute<T: Clone>(v: &mut Vec<T>, new_of: &[u32]) {
        let mut out = v.clone();
        for (i, x) in v.drain(..).enumerate() {
            out[new_of[i] as usize] = x;
        }
        *v = out;
    }
    let mut parent = vec![u32::MAX; n];
    for i in 0..n {
        parent[new_of[i] as usize] = if i < nr {
            p.parent[i]
        } else {
            new_of[p.parent[i] as usize]
        };
    }
    p.parent = parent;
    permute(&mut p.area, &new_of);
    permute(&mut p.a, &new_of);
    permute(&mut p.b, &new_of);
    permute(&mut p.cm, &new_of);
    permute(&mut p.owner, &new_of);
    for slot in &mut p.slots {
        slot.data.node.iter_mut().for_each(map);
    }
    for ion in &mut p.ions {
        ion.node.iter_mut().for_each(map);
    }
    for src in &mut p.sources {
        if let SourceKind::Voltage { node, .. } = &mut src.kind {
            map(node);
        }
    }
    for probe in &mut p.probes {
        if let ProbeKind::Voltage(node) = &mut probe.kind {
            map(node);
        }
    }
    for (node, _) in &mut p.vinit {
        map(node);
    }
    new_of
}

/// Cut `n_root..n` into the longest ranges `[s, e)` whose parents are consecutive
/// nodes, all below `s` (see [`Nodes`]).
fn parent_runs(n_root: usize, parent: &[u32]) -> Vec<(u32, u32)> {
    let mut runs = Vec::new();
    let mut s = n_root;
    while s < parent.len() {
        let mut e = s + 1;
        while e < parent.len()
            && parent[e] == parent[e - 1].wrapping_add(1)
            && (parent[e] as usize) < s
        {
            e += 1;
        }
        runs.push((s as u32, e as u32));
        s = e;
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_cover_the_nodes_with_consecutive_parents_below_them() {
        // Two roots; 0 -> 2 -> 4 -> 6 (a chain), 1 -> 3 -> 5, 2 -> 7 (a branch).
        let parent = [u32::MAX, u32::MAX, 0, 1, 2, 3, 4, 2];
        let runs = parent_runs(2, &parent);
        assert_eq!(runs, [(2, 4), (4, 6), (6, 7), (7, 8)]);
        let mut covered = 2;
        for &(s, e) in &runs {
            assert_eq!(s, covered);
            covered = e;
            for i in s as usize..e as usize {
                assert!((parent[i] as usize) < s as usize);
                if i > s as usize {
                    assert_eq!(parent[i], parent[i - 1] + 1);
                }
            }
        }
        assert_eq!(covered, 8);
        // A single chain: every node is its own run (each parent is the node before).
        assert_eq!(
            parent_runs(1, &[u32::MAX, 0, 1, 2]),
            [(1, 2), (2, 3), (3, 4)]
        );
    }
}
