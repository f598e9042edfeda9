//! Networks of cells identified by gid.
//!
//! A [`Recipe`] describes the network lazily, cell by cell (as Arbor's recipe does): how
//! to build cell `gid` into a [`CableModel`] and which connections arrive at it. A
//! [`Network`] splits the gids into contiguous blocks, one cell group per block, builds
//! each group (in parallel), and runs them in epochs no longer than the smallest delay
//! of any connection between groups. At the end of each epoch the groups' spikes are
//! exchanged through a [`Communicator`] and turned into events on the receiving side.
//!
//! # Reproducibility
//! Results do not depend on the number of groups or threads: spikes generated in an
//! epoch can only be delivered in a later one, events due at the same time are ordered
//! by a key derived from `(target gid, connection index)`, and every random draw comes
//! from keyed streams chosen by the recipe.

use std::collections::{HashMap, HashSet};

use ranvier_cable::{BuildError, CableModel, Group, RunError, Source, SourceId, Target};
use ranvier_mech::Catalogue;
use rayon::prelude::*;

/// Global cell identifier.
pub type Gid = u64;

/// A spike of source `index` of cell `gid`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spike {
    pub gid: Gid,
    pub index: u32,
    pub time: f64, // [ms]
}

/// What [`Recipe::build_cell`] made: the cell's spike sources (with thresholds) and
/// connection targets, referred to by index in [`Connection`]s.
#[derive(Clone, Debug, Default)]
pub struct CellParts {
    /// `(source, threshold [mV])`.
    pub sources: Vec<(Source, f64)>,
    pub targets: Vec<Target>,
    /// Weight slot of connections to each target (same order as `targets`; missing
    /// entries mean slot 0), for point processes that take several weights.
    pub weight_index: Vec<usize>,
}

/// A connection arriving at a cell.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Connection {
    /// Presynaptic cell and the index of its source in its [`CellParts::sources`].
    pub source: (Gid, u32),
    /// Index in the postsynaptic cell's [`CellParts::targets`].
    pub target: u32,
    pub weight: f64,
    pub delay: f64, // [ms]
}

/// A lazily queried description of a network.
pub trait Recipe: Sync {
    /// Number of cells; gids are `0..num_cells()`.
    fn num_cells(&self) -> Gid;

    /// Model-wide settings (globals, temperature, dt) applied to every group's model.
    fn setup(&self, _model: &mut CableModel) -> Result<(), BuildError> {
        Ok(())
    }

    /// Build cell `gid` into `model`.
    fn build_cell(&self, gid: Gid, model: &mut CableModel) -> Result<CellParts, BuildError>;

    /// Connections arriving at cell `gid`.
    fn connections_on(&self, gid: Gid) -> Vec<Connection>;
}

/// Spike exchange between the parts of a simulation that run in different places.
pub trait Communicator: Sync {
    /// Gather the spikes of every participant; every participant gets all of them.
    fn all_gather(&self, local: Vec<Spike>) -> Vec<Spike>;
    /// Minimum over participants.
    fn min(&self, x: f64) -> f64;
}

/// The communicator of a single process (all groups are local).
#[derive(Clone, Copy, Debug, Default)]
pub struct LocalComm;

impl Communicator for LocalComm {
    fn all_gather(&self, local: Vec<Spike>) -> Vec<Spike> {
        local
    }

    fn min(&self, x: f64) -> f64 {
        x
    }
}

/// Errors of building or running a network.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error("cell {gid}: {source}")]
    Build {
        gid: Gid,
        #[source]
        source: BuildError,
    },
    #[error("connection {index} to cell {gid}: {why}")]
    Connection { gid: Gid, index: usize, why: String },
    #[error("the run passed its wall-clock time limit (at t = {0} ms)")]
    TimeLimit(f64),
    #[error("cell group {group}: {source}")]
    Run {
        group: usize,
        #[source]
        source: RunError,
    },
    #[error("{0}")]
    Invalid(String),
}

/// Build options.
#[derive(Clone, Debug)]
pub struct NetworkOptions {
    /// Number of cell groups, each advanced by its own thread (at least 1).
    pub groups: usize,
    pub dt: f64,      // [ms]
    pub celsius: f64, // [degC]
    /// Merge identical linear synapses at the same node (results equal to round-off).
    pub coalesce_synapses: bool,
}

impl Default for NetworkOptions {
    fn default() -> Self {
        Self {
            groups: 1,
            dt: 0.025,
            celsius: 6.3,
            coalesce_synapses: true,
        }
    }
}

struct Part {
    group: Group,
    gids: std::ops::Range<Gid>,
    /// Source index in the group -> global source key (local sources only).
    source_key: HashMap<u32, (Gid, u32)>,
    /// Global source key of a remote cell -> the group's external source index.
    external: HashMap<(Gid, u32), u32>,
}

/// A built network.
pub struct Network<C: Communicator = LocalComm> {
    parts: Vec<Part>,
    comm: C,
    /// Epoch length `[ms]`: a whole number of steps no longer than the minimum delay
    /// between groups (`f64::INFINITY` when groups do not talk).
    epoch: f64,
    dt: f64,
    t: f64,
    connections: usize,
    /// Wall-clock limit of a run (see [`Network::set_deadline`]).
    deadline: Option<std::time::Instant>,
}

/// Bits of the connection order key left for the connection index.
const CONN_BITS: u32 = 24;

impl Network<LocalComm> {
    /// Build the network described by `recipe` with mechanisms from `catalogue`.
    pub fn build(
        recipe: &dyn Recipe,
        catalogue: &Catalogue,
        opts: &NetworkOptions,
    ) -> Result<Self, NetError> {
        Self::build_with(recipe, catalogue, opts, LocalComm)
    }
}

impl<C: Communicator> Network<C> {
    /// Build with a given communicator.
    pub fn build_with(
        recipe: &dyn Recipe,
        catalogue: &Catalogue,
        opts: &NetworkOptions,
        comm: C,
    ) -> Result<Self, NetError> {
        if opts.groups == 0 {
            return Err(NetError::Invalid(
                "the number of cell groups must be at least 1".into(),
            ));
        }
        if !(opts.dt > 0.0) || !opts.dt.is_finite() {
            return Err(NetError::Invalid(format!(
                "dt = {} must be positive",
                opts.dt
            )));
        }
        let n = recipe.num_cells();
        let ng = (opts.groups as Gid).min(n.max(1));
        let ranges: Vec<std::ops::Range<Gid>> =
            (0..ng).map(|g| (g * n / ng)..((g + 1) * n / ng)).collect();
        let group_of =
            |gid: Gid| -> usize { ranges.iter().position(|r| r.contains(&gid)).unwrap_or(0) };

        // Phase 1: incoming connections per gid, and which sources are needed remotely.
        let incoming: Vec<Vec<Connection>> = (0..n).map(|gid| recipe.connections_on(gid)).collect();
        let mut remote_needed: HashSet<(Gid, u32)> = HashSet::new();
        let mut min_cross = f64::INFINITY;
        let mut total = 0;
        for (gid, conns) in incoming.iter().enumerate() {
            total += conns.len();
            if conns.len() >= 1 << CONN_BITS {
                return Err(NetError::Connection {
                    gid: gid as Gid,
                    index: conns.len(),
                    why: "too many connections to one cell".into(),
                });
            }
            for (k, c) in conns.iter().enumerate() {
                if c.source.0 >= n {
                    return Err(NetError::Connection {
                        gid: gid as Gid,
                        index: k,
                        why: format!(
                            "presynaptic gid {} does not exist (the network has {n} cells)",
                            c.source.0
                        ),
                    });
                }
                if group_of(c.source.0) != group_of(gid as Gid) {
                    remote_needed.insert(c.source);
                    min_cross = min_cross.min(c.delay);
                }
            }
        }
        let min_cross = comm.min(min_cross);
        let epoch = if min_cross.is_finite() {
            let steps = (min_cross / opts.dt + 1e-9).floor();
            if steps < 1.0 {
                return Err(NetError::Invalid(format!(
                    "the smallest delay between cell groups ({min_cross} ms) is shorter than dt ({} ms); \
                     use fewer groups or longer delays",
                    opts.dt
                )));
            }
            steps * opts.dt
        } else {
            f64::INFINITY
        };

        // Phase 2: build the groups in parallel.
        let built: Vec<Result<Part, NetError>> = std::thread::scope(|s| {
            let handles: Vec<_> = ranges
                .iter()
                .cloned()
                .map(|range| {
                    let incoming = &incoming;
                    let remote_needed = &remote_needed;
                    let group_of = &group_of;
                    s.spawn(move || {
                        build_part(
                            recipe,
                            catalogue,
                            opts,
                            range,
                            incoming,
                            remote_needed,
                            group_of,
                        )
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(NetError::Invalid("a build thread panicked".into()))
                    })
                })
                .collect()
        });
        let parts = built.into_iter().collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            parts,
            comm,
            epoch,
            dt: opts.dt,
            t: 0.0,
            connections: total,
            deadline: None,
        })
    }

    /// Stop a run with [`NetError::TimeLimit`] once the wall clock passes `deadline`
    /// (checked at least every 400 steps; the steps taken are the same with or without
    /// a deadline).
    pub fn set_deadline(&mut self, deadline: Option<std::time::Instant>) {
        self.deadline = deadline;
    }

    /// Number of connections.
    #[must_use]
    pub fn connection_count(&self) -> usize {
        self.connections
    }

    /// Number of cell groups.
    #[must_use]
    pub fn group_count(&self) -> usize {
        self.parts.len()
    }

    /// The cell group holding `gid` and the group itself (for traces).
    #[must_use]
    pub fn group_of(&self, gid: Gid) -> Option<&Group> {
        self.parts
            .iter()
            .find(|p| p.gids.contains(&gid))
            .map(|p| &p.group)
    }

    /// Epoch length `[ms]`.
    #[must_use]
    pub fn epoch(&self) -> f64 {
        self.epoch
    }

    /// Current time `[ms]`.
    #[must_use]
    pub fn t(&self) -> f64 {
        self.t
    }

    /// NEURON's `finitialize(v_init)` on every group.
    pub fn init(&mut self, v_init: f64) -> Result<(), NetError> {
        for (i, p) in self.parts.iter_mut().enumerate() {
            p.group
                .init(v_init)
                .map_err(|source| NetError::Run { group: i, source })?;
        }
        self.t = 0.0;
        self.exchange();
        Ok(())
    }

    /// Run to `tstop` `[ms]`, calling `progress(t)` after each epoch.
    pub fn run_with_progress(
        &mut self,
        tstop: f64,
        mut progress: impl FnMut(f64),
    ) -> Result<(), NetError> {
        if !tstop.is_finite() {
            return Err(NetError::Invalid(format!("tstop = {tstop} must be finite")));
        }
        let half = 0.5 * self.dt;
        // With a deadline, advance in slices of at most 400 steps to look at the clock.
        let slice = if self.deadline.is_some() {
            self.epoch.min(400.0 * self.dt)
        } else {
            self.epoch
        };
        while self.t < tstop - half {
            let t_next = if slice.is_finite() {
                (self.t + slice).min(tstop)
            } else {
                tstop
            };
            // One task per group on rayon's persistent pool. Epochs of a few steps (a
            // delay between groups shorter than that) cost more to hand out than to
            // run, so those run one group after another here; the groups are
            // independent within an epoch, so the results are the same either way.
            let results: Vec<Result<(), RunError>> =
                if self.parts.len() == 1 || t_next - self.t < 4.0 * self.dt {
                    self.parts
                        .iter_mut()
                        .map(|p| p.group.advance_to(t_next))
                        .collect()
                } else {
                    self.parts
                        .par_iter_mut()
                        .map(|p| {
                            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                p.group.advance_to(t_next)
                            }))
                            .unwrap_or_else(|_| {
                                Err(RunError::Invalid("a cell group thread panicked".into()))
                            })
                        })
                        .collect()
                };
            for (i, r) in results.into_iter().enumerate() {
                r.map_err(|source| NetError::Run { group: i, source })?;
            }
            self.t = self.parts[0].group.t();
            self.exchange();
            progress(self.t);
            if self.deadline.is_some_and(|d| std::time::Instant::now() > d) {
                return Err(NetError::TimeLimit(self.t));
            }
        }
        Ok(())
    }

    /// Run to `tstop` `[ms]`.
    pub fn run(&mut self, tstop: f64) -> Result<(), NetError> {
        self.run_with_progress(tstop, |_| {})
    }

    /// Move exported spikes between groups.
    fn exchange(&mut self) {
        let mut local = Vec::new();
        for p in &mut self.parts {
            for s in p.group.take_outgoing() {
                if let Some(&(gid, index)) = p.source_key.get(&s.source) {
                    local.push(Spike {
                        gid,
                        index,
                        time: s.time,
                    });
                }
            }
        }
        let mut all = self.comm.all_gather(local);
        all.sort_by(|a, b| {
            a.time
                .total_cmp(&b.time)
                .then(a.gid.cmp(&b.gid))
                .then(a.index.cmp(&b.index))
        });
        for p in &mut self.parts {
            for s in &all {
                if let Some(&src) = p.external.get(&(s.gid, s.index)) {
                    p.group.deliver_external_spike(src, s.time);
                }
            }
        }
    }

    /// Every spike of every cell source, sorted by time, then gid, then source index.
    #[must_use]
    pub fn spikes(&self) -> Vec<Spike> {
        let mut out: Vec<Spike> = self
            .parts
            .iter()
            .flat_map(|p| {
                p.group.spikes().iter().filter_map(|s| {
                    p.source_key.get(&s.source).map(|&(gid, index)| Spike {
                        gid,
                        index,
                        time: s.time,
                    })
                })
            })
            .collect();
        out.sort_by(|a, b| {
            a.time
                .total_cmp(&b.time)
                .then(a.gid.cmp(&b.gid))
                .then(a.index.cmp(&b.index))
        });
        out
    }
}

fn build_part(
    recipe: &dyn Recipe,
    catalogue: &Catalogue,
    opts: &NetworkOptions,
    range: std::ops::Range<Gid>,
    incoming: &[Vec<Connection>],
    remote_needed: &HashSet<(Gid, u32)>,
    group_of: &dyn Fn(Gid) -> usize,
) -> Result<Part, NetError> {
    let mut model = CableModel::new(catalogue.clone());
    model.dt = opts.dt;
    model.celsius = opts.celsius;
    model.coalesce_synapses = opts.coalesce_synapses;
    let first = range.start;
    recipe
        .setup(&mut model)
        .map_err(|source| NetError::Build { gid: first, source })?;
    let mut cells: Vec<CellParts> = Vec::with_capacity((range.end - range.start) as usize);
    let mut local_src: HashMap<(Gid, u32), SourceId> = HashMap::new();
    let mut source_key = HashMap::new();
    for gid in range.clone() {
        let parts = recipe
            .build_cell(gid, &mut model)
            .map_err(|source| NetError::Build { gid, source })?;
        for (k, &(src, thr)) in parts.sources.iter().enumerate() {
            let id = model
                .add_source(src, thr)
                .map_err(|source| NetError::Build { gid, source })?;
            model.record_spikes(id);
            if remote_needed.contains(&(gid, k as u32)) {
                model.export_spikes(id);
            }
            local_src.insert((gid, k as u32), id);
            source_key.insert(id.0, (gid, k as u32));
        }
        cells.push(parts);
    }
    let my_group = group_of(range.start);
    let mut external = HashMap::new();
    for gid in range.clone() {
        let parts = &cells[(gid - range.start) as usize];
        for (k, c) in incoming[gid as usize].iter().enumerate() {
            let Some(&target) = parts.targets.get(c.target as usize) else {
                return Err(NetError::Connection {
                    gid,
                    index: k,
                    why: format!(
                        "target index {} but the cell has {} targets",
                        c.target,
                        parts.targets.len()
                    ),
                });
            };
            let src = if group_of(c.source.0) == my_group {
                *local_src
                    .get(&c.source)
                    .ok_or_else(|| NetError::Connection {
                        gid,
                        index: k,
                        why: format!("cell {} has no source {}", c.source.0, c.source.1),
                    })?
            } else {
                if c.source.1 >= 1 << 16 || c.source.0 >= 1 << 48 {
                    return Err(NetError::Connection {
                        gid,
                        index: k,
                        why: "source gid or index too large".into(),
                    });
                }
                let key = (c.source.0 << 16) | u64::from(c.source.1);
                let id = model
                    .add_source(Source::External(key), 0.0)
                    .map_err(|source| NetError::Build { gid, source })?;
                external.insert(c.source, id.0);
                id
            };
            let nc = model
                .connect(src, Some(target), c.weight, c.delay)
                .map_err(|e| NetError::Connection {
                    gid,
                    index: k,
                    why: e.to_string(),
                })?;
            model
                .set_connection_order(nc, (gid << CONN_BITS) | k as u64)
                .map_err(|source| NetError::Build { gid, source })?;
            if let Some(&w) = parts.weight_index.get(c.target as usize)
                && w > 0
            {
                model
                    .set_weight_index(nc, w)
                    .map_err(|source| NetError::Build { gid, source })?;
            }
        }
    }
    let group = model
        .build()
        .map_err(|source| NetError::Build { gid: first, source })?;
    Ok(Part {
        group,
        gids: range,
        source_key,
        external,
    })
}
