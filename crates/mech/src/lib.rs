//! The mechanism interface: **the only contract** between mechanisms (hand-written
//! built-ins today, NMODL-compiled kernels next) and the Ranvier engine.
//!
//! A mechanism is described by a [`MechInfo`] (its kind, fields, globals, ions and event
//! handling) and implemented by a [`Mechanism`] whose kernels run over all instances of
//! that mechanism at once, on structure-of-arrays data ([`MechInstances`]). The engine
//! never sees an AST and a mechanism never sees the engine's data structures: kernels get
//! a [`Ctx`] holding flat node arrays (voltage, right-hand side, diagonal, area) and the
//! ion instance arrays, plus an [`EventSink`] for `net_send`/`net_event`.
//!
//! # The calls, in the order the engine makes them (NEURON's fixed step)
//! 1. [`Mechanism::init`] once at `finitialize`, after ions are initialized, in
//!    mechanism-registration order (artificial cells last). May `net_send` and write `v`.
//! 2. Per step, at `t + dt/2`: [`Mechanism::current`] adds the membrane current to the
//!    right-hand side and its conductance `di/dv` (NEURON's two evaluations at `v + 0.001`
//!    and `v`) to the diagonal, after ion currents were zeroed.
//! 3. After the voltage update, at `t + dt`: [`Mechanism::state`] advances states with
//!    the new `v`.
//! 4. [`Mechanism::net_receive`] for each delivered event, with `t` set to the event time.
//! 5. At the start of each step [`Mechanism::check_watch`] tests `WATCH` conditions.
//!
//! # Units
//! Density mechanisms work in `[mA/cm2]` and `[S/cm2]`; point processes in `[nA]` and
//! `[uS]`, converted to densities with the node area by the mechanism (factor
//! `1e2/area`, area in `[um2]`), exactly as NEURON's generated code does.

use ranvier_rng::Nrnran123;

pub mod math;

/// The kind of a mechanism, as declared in an NMODL `NEURON` block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MechKind {
    /// `SUFFIX`: distributed over a section, one instance per segment.
    Density,
    /// `POINT_PROCESS`: placed at a location, one node.
    Point,
    /// `ARTIFICIAL_CELL`: no node, no membrane current; communicates with events only.
    Artificial,
}

/// How a field of a mechanism is declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// `PARAMETER` declared `RANGE`: set by the user per instance.
    Param,
    /// `STATE`: advanced by the `state` kernel, recordable.
    State,
    /// `ASSIGNED`: computed by kernels, recordable.
    Assigned,
}

/// One per-instance floating point field of a mechanism.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldSpec {
    pub name: String,
    pub kind: FieldKind,
    pub default: f64,
    /// Units as written in NMODL, e.g. `"S/cm2"`, `"mV"`. Empty if dimensionless.
    pub units: String,
}

/// A `GLOBAL` variable: one value shared by all instances of the mechanism in a model.
#[derive(Clone, Debug, PartialEq)]
pub struct GlobalSpec {
    pub name: String,
    pub default: f64,
    pub units: String,
}

/// The per-ion variables a mechanism can read or write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IonVar {
    /// Reversal potential `e<ion>` `[mV]`.
    Erev,
    /// Inner concentration `<ion>i` `[mM]`.
    Conci,
    /// Outer concentration `<ion>o` `[mM]`.
    Conco,
    /// Current `i<ion>` `[mA/cm2]`.
    Cur,
}

/// `USEION name READ ... WRITE ... VALENCE z`.
#[derive(Clone, Debug, PartialEq)]
pub struct IonDep {
    pub ion: String,
    pub read: Vec<IonVar>,
    pub write: Vec<IonVar>,
    pub valence: Option<f64>,
}

impl IonDep {
    /// NEURON's `nrn_promote(conc, rev)` arguments for this use: 0 unused, 1 read,
    /// 3 written (state).
    #[must_use]
    pub fn promote_levels(&self) -> (u8, u8) {
        let mut conc = 0;
        let mut rev = 0;
        for v in &self.read {
            match v {
                IonVar::Conci | IonVar::Conco => conc = conc.max(1),
                IonVar::Erev => rev = rev.max(1),
                IonVar::Cur => {}
            }
        }
        for v in &self.write {
            match v {
                IonVar::Conci | IonVar::Conco => conc = 3,
                IonVar::Erev => rev = 3,
                IonVar::Cur => {}
            }
        }
        (conc, rev)
    }
}

/// Which membrane current a mechanism contributes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CurrentKind {
    /// No `BREAKPOINT` current.
    None,
    /// Ionic or `NONSPECIFIC_CURRENT`: outward positive, subtracted from the RHS.
    Membrane,
    /// `ELECTRODE_CURRENT`: inward positive (a stimulus), added to the RHS.
    Electrode,
}

/// Static description of a mechanism.
#[derive(Clone, Debug, PartialEq)]
pub struct MechInfo {
    pub name: String,
    pub kind: MechKind,
    pub fields: Vec<FieldSpec>,
    pub globals: Vec<GlobalSpec>,
    pub ions: Vec<IonDep>,
    pub current: CurrentKind,
    /// Number of `NET_RECEIVE` arguments (the weight vector length of a connection);
    /// `None` if the mechanism receives no events.
    pub net_receive_args: Option<usize>,
    /// Identical instances (same parameters, same node) may be merged into one and their
    /// events summed: the mechanism is linear in its states and `NET_RECEIVE` only adds
    /// the weight to states. The merged result is the same up to round-off.
    pub coalescable: bool,
    /// Instances own a Random123 stream (NMODL `RANDOM`, NEURON's NetStim).
    pub uses_random: bool,
    /// Instances hold a vector of values (e.g. `VecStim`'s event times).
    pub uses_vector: bool,
    /// `NET_RECEIVE` uses `FOR_NETCONS`: deliveries go through
    /// [`Mechanism::net_receive_all`] with every connection's weights.
    pub for_netcons: bool,
}

impl MechInfo {
    /// Index of a per-instance field by name.
    #[must_use]
    pub fn field(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// Index of a global by name.
    #[must_use]
    pub fn global(&self, name: &str) -> Option<usize> {
        self.globals.iter().position(|g| g.name == name)
    }

    /// Names of all per-instance fields, for error messages that suggest a valid name.
    #[must_use]
    pub fn field_names(&self) -> Vec<&str> {
        self.fields.iter().map(|f| f.name.as_str()).collect()
    }
}

/// Builder helpers to write [`MechInfo`] for built-ins compactly.
#[must_use]
pub fn field(name: &str, kind: FieldKind, default: f64, units: &str) -> FieldSpec {
    FieldSpec {
        name: name.to_owned(),
        kind,
        default,
        units: units.to_owned(),
    }
}

/// The ion species table of one model. Index = ion id used in [`IonDep`] resolution.
#[derive(Clone, Debug, PartialEq)]
pub struct IonSpecies {
    pub name: String,
    /// Valence (charge number) `z`.
    pub charge: f64,
    /// Default reversal potential `[mV]`.
    pub erev0: f64,
    /// Default (and initial, when concentrations are states) inner concentration `[mM]`.
    pub conci0: f64,
    /// Default (and initial) outer concentration `[mM]`.
    pub conco0: f64,
}

impl IonSpecies {
    /// NEURON's built-in ions `na`, `k` and `ca` with their default values.
    #[must_use]
    pub fn builtin(name: &str) -> Option<Self> {
        let vrest = -65.0; // [mV]
        match name {
            "na" => Some(Self::new("na", 1.0, 115.0 + vrest, 10.0, 140.0)),
            "k" => Some(Self::new("k", 1.0, -12.0 + vrest, 54.4, 2.5)),
            "ca" => Some(Self::new(
                "ca",
                2.0,
                12.5 * (2.0f64 / 5.0e-5).ln(),
                5.0e-5,
                2.0,
            )),
            _ => None,
        }
    }

    /// An ion first declared by a mechanism (`USEION x ... VALENCE z`), with NEURON's
    /// defaults for a new ion (`ion_reg` in nrnoc/eion.cpp: `DEF_eion` 0 mV, `DEF_ioni`
    /// and `DEF_iono` 1 mM).
    #[must_use]
    pub fn user(name: &str, charge: f64) -> Self {
        Self::new(name, charge, 0.0, 1.0, 1.0)
    }

    /// The ion species of a catalogue: `na`, `k`, `ca`, then every other ion its
    /// mechanisms declare, in registration order, as NEURON's `ion_reg` registers them.
    /// The valence of a new ion is the first `VALENCE` given for it. Errors name an ion
    /// used without any `VALENCE`, or with two different ones (both fatal in NEURON).
    pub fn of_catalogue(catalogue: &Catalogue) -> (Vec<Self>, Vec<(String, String)>) {
        let mut species: Vec<Self> = ["na", "k", "ca"]
            .iter()
            .filter_map(|n| Self::builtin(n))
            .collect();
        let mut unset: Vec<(String, String)> = Vec::new();
        let mut errors = Vec::new();
        for i in 0..catalogue.len() {
            let info = catalogue.by_index(i).info();
            for dep in &info.ions {
                match (species.iter().find(|s| s.name == dep.ion), dep.valence) {
                    (Some(s), Some(z)) if s.charge != z => errors.push((
                        dep.ion.clone(),
                        format!(
                            "ion `{}` has valence {} in mechanism `{}` but {} elsewhere \
                             (NEURON: \"ion charge defined differently in two USEION \
                             statements\")",
                            dep.ion, z, info.name, s.charge
                        ),
                    )),
                    (Some(_), _) => {}
                    (None, Some(z)) => {
                        species.push(Self::user(&dep.ion, z));
                        unset.retain(|(n, _)| n != &dep.ion);
                    }
                    (None, None) => {
                        if !unset.iter().any(|(n, _)| n == &dep.ion) {
                            unset.push((dep.ion.clone(), info.name.clone()));
                        }
                    }
                }
            }
        }
        for (ion, mech) in unset {
            let why = format!(
                "ion `{ion}` (USEION in mechanism `{mech}`) has no VALENCE in any USEION \
                 statement; NEURON requires one for an ion other than na, k and ca"
            );
            errors.push((ion, why));
        }
        (species, errors)
    }

    /// A user ion (NMODL `USEION x VALENCE z`) with NEURON's generic defaults.
    #[must_use]
    pub fn new(name: &str, charge: f64, erev0: f64, conci0: f64, conco0: f64) -> Self {
        Self {
            name: name.to_owned(),
            charge,
            erev0,
            conci0,
            conco0,
        }
    }
}

/// Molar gas constant (CODATA 2018) `[J/(mol K)]`.
pub const GAS_CONSTANT: f64 = 1.380_649e-23 * 6.022_140_76e23;
/// Faraday constant (CODATA 2018) `[C/mol]`.
pub const FARADAY: f64 = 1.602_176_634e-19 * 6.022_140_76e23;

/// NEURON's `nrn_nernst`: reversal potential `[mV]` from concentrations `[mM]`.
#[must_use]
pub fn nernst(ci: f64, co: f64, z: f64, celsius: f64) -> f64 {
    if z == 0.0 {
        return 0.0;
    }
    if ci <= 0.0 {
        1e6
    } else if co <= 0.0 {
        -1e6
    } else {
        let ktf = 1000.0 * GAS_CONSTANT * (celsius + 273.15) / FARADAY; // [mV]
        ktf / z * (co / ci).ln()
    }
}

/// NEURON's `ion_style` bit map for one ion instance.
pub mod ion_style {
    /// Concentration unused / constant / dependent / state (2 bits).
    pub const CONC_MASK: u16 = 0o3;
    /// Initialize concentrations from the ion's global defaults at `finitialize`.
    pub const CINIT: u16 = 0o4;
    /// Reversal potential unused / constant / dependent / state (2 bits at 0o30).
    pub const REV_MASK: u16 = 0o30;
    /// Compute the reversal potential from concentrations at `finitialize`.
    pub const EINIT: u16 = 0o40;
    /// Recompute the reversal potential every step.
    pub const EADVANCE: u16 = 0o100;

    /// NEURON's `nrn_promote`: combine the current style with one mechanism's use.
    #[must_use]
    pub fn promote(it: u16, conc: u8, rev: u8) -> u16 {
        let mut oldconc = it & CONC_MASK;
        let mut oldrev = (it & REV_MASK) >> 3;
        oldconc = oldconc.max(u16::from(conc));
        oldrev = oldrev.max(u16::from(rev));
        if oldconc > 0 && oldrev < 2 {
            oldrev = 2;
        }
        let mut out = it & !0o177;
        out += oldconc + 0o10 * oldrev;
        if oldconc == 3 {
            out += CINIT;
            if oldrev == 2 {
                out += EADVANCE;
            }
        }
        if oldconc > 0 && oldrev == 2 {
            out += EINIT;
        }
        out
    }

    /// The style NEURON's `ion_style(name, c_style, e_style, einit, eadvance, cinit)` sets.
    #[must_use]
    pub fn explicit(c_style: u8, e_style: u8, einit: bool, eadvance: bool, cinit: bool) -> u16 {
        u16::from(c_style & 3)
            + 0o10 * u16::from(e_style & 3)
            + if einit { EINIT } else { 0 }
            + if eadvance { EADVANCE } else { 0 }
            + if cinit { CINIT } else { 0 }
    }
}

/// Structure-of-arrays instance data of one ion species in one cell group: one instance
/// per node that carries any mechanism using the ion.
#[derive(Clone, Debug, Default)]
pub struct IonInstances {
    pub node: Vec<u32>,
    /// `[mV]`
    pub erev: Vec<f64>,
    /// `[mM]`
    pub conci: Vec<f64>,
    /// `[mM]`
    pub conco: Vec<f64>,
    /// Total ion current `[mA/cm2]`, summed by the mechanisms that write it.
    pub cur: Vec<f64>,
    /// `d cur / d v` `[S/cm2]`, used by Crank-Nicolson; kernels only need to maintain
    /// it when [`Ctx::secondorder`] is set.
    pub dcurdv: Vec<f64>,
    /// [`ion_style`] bits per instance.
    pub style: Vec<u16>,
    pub charge: f64,
    pub conci0: f64,
    pub conco0: f64,
}

impl IonInstances {
    #[must_use]
    pub fn len(&self) -> usize {
        self.node.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.node.is_empty()
    }
}

/// Structure-of-arrays instance data of one mechanism in one cell group.
#[derive(Clone, Debug, Default)]
pub struct MechInstances {
    /// Node index of each instance (`u32::MAX` for artificial cells).
    pub node: Vec<u32>,
    /// `fields[f][i]`: field `f` (in [`MechInfo::fields`] order) of instance `i`.
    pub fields: Vec<Vec<f64>>,
    /// `ion_index[k][i]`: index into the ion instances of the `k`-th [`IonDep`].
    pub ion_index: Vec<Vec<u32>>,
    /// `GLOBAL` values, in [`MechInfo::globals`] order.
    pub globals: Vec<f64>,
    /// Point processes: `1e2 / area` of the instance's node `[1/um2]`, the factor turning
    /// `[nA]` into `[mA/cm2]`.
    pub area_factor: Vec<f64>,
    /// Diameter of the instance's segment `[um]` (what `diam` reads in a `.mod` file).
    pub diam: Vec<f64>,
    /// Per-instance Random123 streams (when [`MechInfo::uses_random`]).
    pub rng: Vec<Nrnran123>,
    /// Per-instance vectors (when [`MechInfo::uses_vector`]).
    pub vectors: Vec<Vec<f64>>,
    /// Scratch space for kernels (e.g. batched `exp` arguments); kernels resize it as
    /// they need, so the step loop does not allocate after the first step.
    pub scratch: Vec<f64>,
    /// A run-time error raised while computing currents or states (a failed Newton
    /// solve, `hoc_execerror`); the engine stops the run with it after that phase.
    pub error: Option<String>,
}

impl MechInstances {
    /// Empty instance data shaped for `info`.
    #[must_use]
    pub fn new(info: &MechInfo) -> Self {
        Self {
            fields: vec![Vec::new(); info.fields.len()],
            ion_index: vec![Vec::new(); info.ions.len()],
            globals: info.globals.iter().map(|g| g.default).collect(),
            ..Self::default()
        }
    }

    /// Number of instances.
    #[must_use]
    pub fn len(&self) -> usize {
        self.node.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.node.is_empty()
    }

    /// Append an instance with default field values; returns its index.
    pub fn push(&mut self, info: &MechInfo, node: u32) -> usize {
        let i = self.node.len();
        self.node.push(node);
        for (f, spec) in self.fields.iter_mut().zip(&info.fields) {
            f.push(spec.default);
        }
        for ii in &mut self.ion_index {
            ii.push(u32::MAX);
        }
        self.area_factor.push(0.0);
        self.diam.push(0.0);
        if info.uses_random {
            self.rng.push(Nrnran123::new(0, 0, 0));
        }
        if info.uses_vector {
            self.vectors.push(Vec::new());
        }
        i
    }
}

/// Everything a kernel may touch besides its own instance data.
pub struct Ctx<'a> {
    /// Current time `[ms]` (mid-step for `current`, end of step for `state`, the event
    /// time for `net_receive`).
    pub t: f64,
    /// Time step `[ms]`.
    pub dt: f64,
    /// Temperature `[degC]`.
    pub celsius: f64,
    /// Crank-Nicolson (`secondorder = 2`) is on.
    pub secondorder: bool,
    /// Node membrane potential `[mV]`.
    pub v: &'a mut [f64],
    /// Node right-hand side `[mA/cm2]` (`[nA]` for zero-area nodes).
    pub rhs: &'a mut [f64],
    /// Node diagonal `[S/cm2]`.
    pub d: &'a mut [f64],
    /// Node area `[um2]`.
    pub area: &'a [f64],
    /// Ion instances, indexed by the species index the engine resolved for each
    /// [`IonDep`] of the mechanism (`ion_ids`).
    pub ions: &'a mut [IonInstances],
    /// For each [`IonDep`] of the mechanism being called: its species index in `ions`.
    pub ion_ids: &'a [usize],
}

/// A self-event request (`net_send`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SelfSend {
    /// Instance that sent it (and receives it).
    pub inst: u32,
    /// Absolute delivery time `[ms]`.
    pub time: f64,
    pub flag: f64,
    /// The connection whose weights the `NET_RECEIVE` call will see, if any.
    pub weight_ref: Option<u32>,
}

/// Output of kernels: self events and spikes (`net_event`), collected by the engine.
#[derive(Debug, Default)]
pub struct EventSink {
    pub sends: Vec<SelfSend>,
    /// `(instance, time [ms])` of `net_event` calls.
    pub spikes: Vec<(u32, f64)>,
    /// A kernel detected an unrecoverable error (NMODL `hoc_execerror`, bad parameter).
    pub error: Option<String>,
}

/// The event being handled by [`Mechanism::net_receive`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Delivery {
    pub inst: u32,
    /// `0` for events from connections, the `net_send` flag for self events.
    pub flag: f64,
    /// Connection whose weight vector is passed (see [`Mechanism::net_receive`]).
    pub weight_ref: Option<u32>,
}

/// Every connection's weights, for `FOR_NETCONS` (see [`Mechanism::net_receive_all`]).
pub struct NetconWeights<'a> {
    /// All weight vectors of the group, back to back.
    pub weights: &'a mut [f64],
    /// Length of one weight vector of this mechanism.
    pub w_len: usize,
    /// Offsets (into `weights`) of the connections targeting the instance.
    pub offsets: &'a [u32],
}

/// The kernels of a mechanism. All of them operate on every instance in `m` (except
/// `net_receive`, which handles one event).
pub trait Mechanism: Send + Sync {
    fn info(&self) -> &MechInfo;

    /// `INITIAL`: set states from parameters and the initial `v`.
    fn init(&self, m: &mut MechInstances, ctx: &mut Ctx<'_>, ev: &mut EventSink);

    /// `BREAKPOINT` currents: add `-i` to `rhs` and `di/dv` to `d` (reverse signs for
    /// electrode currents), and write ion currents.
    fn current(&self, _m: &mut MechInstances, _ctx: &mut Ctx<'_>) {}

    /// `SOLVE`: advance states by `dt` using the updated `v`.
    fn state(&self, _m: &mut MechInstances, _ctx: &mut Ctx<'_>) {}

    /// `NET_RECEIVE`: handle one event. `w` is the connection's weight vector
    /// (length [`MechInfo::net_receive_args`]), or an empty slice for self events sent
    /// without a connection.
    fn net_receive(
        &self,
        _m: &mut MechInstances,
        _ctx: &mut Ctx<'_>,
        _e: Delivery,
        _w: &mut [f64],
        _ev: &mut EventSink,
    ) {
    }

    /// `NET_RECEIVE` of a mechanism using `FOR_NETCONS` ([`MechInfo::for_netcons`]): the
    /// delivering connection's weights start at `w_off` in `all.weights` (none for a self
    /// event sent without a connection) and `all.offsets` lists the weight offsets of
    /// every connection targeting the instance. The default runs [`Mechanism::net_receive`].
    fn net_receive_all(
        &self,
        m: &mut MechInstances,
        ctx: &mut Ctx<'_>,
        e: Delivery,
        w_off: Option<usize>,
        all: NetconWeights<'_>,
        ev: &mut EventSink,
    ) {
        let w: &mut [f64] = match w_off {
            Some(o) => &mut all.weights[o..o + all.w_len],
            None => &mut [],
        };
        self.net_receive(m, ctx, e, w, ev);
    }

    /// `NET_RECEIVE { INITIAL { ... } }`: initialize a connection's extra weight slots.
    /// The default zeroes all but the first, as NEURON does.
    fn net_receive_init(&self, _m: &mut MechInstances, _inst: u32, w: &mut [f64]) {
        for x in w.iter_mut().skip(1) {
            *x = 0.0;
        }
    }

    /// `WATCH`: test conditions at the start of a step (time `ctx.t`) and `net_send`
    /// for those that became true.
    fn check_watch(&self, _m: &mut MechInstances, _ctx: &mut Ctx<'_>, _ev: &mut EventSink) {}

    /// Called once when instance parameters are final, before `init` (tables, caches).
    fn prepare(&self, _m: &mut MechInstances, _celsius: f64, _dt: f64) {}
}

/// A set of mechanisms by name.
#[derive(Default, Clone)]
pub struct Catalogue {
    mechs: Vec<std::sync::Arc<dyn Mechanism>>,
}

impl Catalogue {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Add (or replace by name) a mechanism.
    pub fn add(&mut self, m: std::sync::Arc<dyn Mechanism>) {
        if let Some(slot) = self
            .mechs
            .iter_mut()
            .find(|x| x.info().name == m.info().name)
        {
            *slot = m;
        } else {
            self.mechs.push(m);
        }
    }

    #[must_use]
    pub fn get(&self, name: &str) -> Option<&std::sync::Arc<dyn Mechanism>> {
        self.mechs.iter().find(|m| m.info().name == name)
    }

    /// Registration order index (NEURON's mechanism type order) of a mechanism.
    #[must_use]
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.mechs.iter().position(|m| m.info().name == name)
    }

    #[must_use]
    pub fn by_index(&self, i: usize) -> &std::sync::Arc<dyn Mechanism> {
        &self.mechs[i]
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.mechs.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.mechs.is_empty()
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.mechs.iter().map(|m| m.info().name.as_str())
    }
}

/// Closest name by edit distance, for "did you mean" suggestions.
#[must_use]
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = edit_distance(name, c);
        if d <= name.len().max(2) / 2 + 1 && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Levenshtein distance between two names (in characters).
#[must_use]
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promote_matches_neuron_rules() {
        // hh: READ ena, WRITE ina -> erev constant, nothing else.
        assert_eq!(ion_style::promote(0, 0, 1), 0o10);
        // READ cai -> conc constant, erev dependent + einit.
        assert_eq!(ion_style::promote(0, 1, 0), 0o1 + 0o20 + 0o40);
        // WRITE cai -> conc state + cinit + eadvance + einit.
        assert_eq!(ion_style::promote(0, 3, 0), 0o3 + 0o20 + 0o4 + 0o100 + 0o40);
        // Then READ eca does not demote.
        let s = ion_style::promote(ion_style::promote(0, 3, 0), 0, 1);
        assert_eq!(s & ion_style::CONC_MASK, 3);
    }

    #[test]
    fn nernst_na_default() {
        let e = nernst(10.0, 140.0, 1.0, 6.3);
        assert!((e - 63.55).abs() < 0.05, "{e}");
        assert_eq!(nernst(0.0, 1.0, 1.0, 6.3), 1e6);
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("gnabr", ["gnabar", "gkbar", "gl"]), Some("gnabar"));
        assert_eq!(suggest("zzzzzz", ["gnabar", "gkbar"]), None);
    }
}
