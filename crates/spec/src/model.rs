//! Typed NetPyNE specifications. Dictionaries keep the order they were written in.

use serde_json::Value;

/// An ordered dictionary.
pub type Dict<T> = Vec<(String, T)>;

/// A parameter that NetPyNE accepts as a number, a string function evaluated per cell or
/// per connection, or a list (per segment, per connection, or a range).
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    Num(f64),
    /// A NetPyNE string function, e.g. `"0.12 + 0.001*ynorm"`.
    Expr(String),
    List(Vec<f64>),
}

impl Param {
    /// The number, if this is a plain number.
    #[must_use]
    pub fn as_num(&self) -> Option<f64> {
        match self {
            Param::Num(x) => Some(*x),
            _ => None,
        }
    }
}

/// A condition on a cell tag (`conds`, `preConds`, `postConds`).
#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    /// The tag equals this value (a string or a number).
    Eq(Value),
    /// The tag is one of these values.
    OneOf(Vec<Value>),
    /// `lo <= tag < hi` (for x, y, z, xnorm, ynorm, znorm).
    Range(f64, f64),
}

/// Network shape for random positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Shape {
    #[default]
    Cuboid,
    Cylinder,
    Ellipsoid,
}

/// `netParams`.
#[derive(Clone, Debug, PartialEq)]
pub struct NetParams {
    pub scale: f64,
    pub size_x: f64, // [um]
    pub size_y: f64, // [um]
    pub size_z: f64, // [um]
    pub shape: Shape,
    pub default_weight: f64,
    pub default_delay: f64,     // [ms]
    pub default_threshold: f64, // [mV]
    pub prop_velocity: f64,     // [um/ms]
    pub scale_conn_weight: f64,
    pub scale_conn_weight_net_stims: f64,
    pub cell_params: Dict<CellRule>,
    pub pop_params: Dict<Pop>,
    pub syn_mech_params: Dict<SynMech>,
    pub conn_params: Dict<ConnRule>,
    pub stim_source_params: Dict<StimSource>,
    pub stim_target_params: Dict<StimTarget>,
    /// Other numeric top-level entries: user variables usable in string functions
    /// (e.g. `netParams.probLengthConst = 150`).
    pub vars: Dict<f64>,
}

impl Default for NetParams {
    fn default() -> Self {
        Self {
            scale: 1.0,
            size_x: 100.0,
            size_y: 100.0,
            size_z: 100.0,
            shape: Shape::Cuboid,
            default_weight: 1.0,
            default_delay: 1.0,
            default_threshold: 10.0,
            prop_velocity: 500.0,
            scale_conn_weight: 1.0,
            scale_conn_weight_net_stims: 1.0,
            cell_params: Vec::new(),
            pop_params: Vec::new(),
            syn_mech_params: Vec::new(),
            conn_params: Vec::new(),
            stim_source_params: Vec::new(),
            stim_target_params: Vec::new(),
            vars: Vec::new(),
        }
    }
}

/// A population (`popParams` entry).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Pop {
    pub cell_type: Option<String>,
    pub cell_model: Option<String>,
    pub num_cells: Option<f64>,
    /// Cells per mm3 (a number or a string function of the normalized position).
    pub density: Option<Param>,
    /// Absolute ranges `[um]` of x, y, z.
    pub range: [Option<(f64, f64)>; 3],
    /// Normalized ranges of x, y, z.
    pub norm_range: [Option<(f64, f64)>; 3],
    /// Explicit cells (`cellsList`), each a dict of tags (x, y, z, ...).
    pub cells_list: Option<Vec<Value>>,
    /// Every key of the entry (for `conds` matching on custom tags), in order.
    pub tags: Dict<Value>,
}

/// A cell rule (`cellParams` entry).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct CellRule {
    /// Deprecated in NetPyNE >= 1.0 but still honoured.
    pub conds: Dict<Cond>,
    pub secs: Dict<Sec>,
    pub sec_lists: Dict<Vec<String>>,
    pub globals: Dict<f64>,
}

/// A section of a cell rule.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Sec {
    pub geom: Geom,
    pub topol: Option<Topol>,
    /// Mechanism name -> parameters.
    pub mechs: Dict<Dict<Param>>,
    /// Ion name -> values (`e`, `i`, `o`).
    pub ions: Dict<Dict<f64>>,
    pub pointps: Dict<PointP>,
    pub spike_gen_loc: Option<f64>,
    pub threshold: Option<f64>, // [mV]
    pub vinit: Option<f64>,     // [mV]
}

/// `geom` of a section.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Geom {
    pub l: Option<Param>,
    pub diam: Option<Param>,
    pub ra: Option<Param>,
    pub cm: Option<Param>,
    pub nseg: Option<Param>,
    /// `[x, y, z, diam]` `[um]`.
    pub pt3d: Vec<[f64; 4]>,
}

/// `topol` of a section.
#[derive(Clone, Debug, PartialEq)]
pub struct Topol {
    pub parent_sec: String,
    pub parent_x: f64,
    pub child_x: f64,
}

/// A point process of a section (e.g. an Izhikevich cell, or a synapse).
#[derive(Clone, Debug, PartialEq)]
pub struct PointP {
    pub mod_name: String,
    pub loc: f64,
    /// Name of the point process's own voltage variable (cell uses it as spike source).
    pub vref: Option<String>,
    /// Names of synapses exposed by the point process.
    pub syn_list: Vec<String>,
    pub params: Dict<Param>,
}

/// A synaptic mechanism (`synMechParams` entry).
#[derive(Clone, Debug, PartialEq)]
pub struct SynMech {
    pub mod_name: String,
    pub params: Dict<Param>,
}

/// How a connectivity rule picks pairs.
#[derive(Clone, Debug, PartialEq)]
pub enum ConnPattern {
    /// Every pre to every post.
    Full,
    Probability(Param),
    Convergence(Param),
    Divergence(Param),
    /// `[pre index, post index]` pairs into the matching cells.
    List(Vec<(usize, usize)>),
}

/// A connectivity rule (`connParams` entry).
#[derive(Clone, Debug, PartialEq)]
pub struct ConnRule {
    pub pre_conds: Dict<Cond>,
    pub post_conds: Dict<Cond>,
    pub pattern: ConnPattern,
    pub weight: Option<Param>,
    pub delay: Option<Param>,
    pub loc: Option<Param>,
    /// Section name or section list name(s).
    pub sec: Option<Vec<String>>,
    pub syn_mech: Option<Vec<String>>,
    pub syns_per_conn: Option<Param>,
    pub threshold: Option<f64>,
    /// Everything as written (for saving back).
    pub raw: Value,
}

/// A stimulation source (`stimSourceParams` entry).
#[derive(Clone, Debug, PartialEq)]
pub struct StimSource {
    /// `NetStim`, `IClamp`, `VecStim`, ...
    pub kind: String,
    pub params: Dict<Param>,
    /// `spkTimes` of a VecStim source.
    pub spk_times: Option<Vec<f64>>,
}

/// A stimulation target rule (`stimTargetParams` entry).
#[derive(Clone, Debug, PartialEq)]
pub struct StimTarget {
    pub source: String,
    pub conds: Dict<Cond>,
    pub sec: Option<String>,
    pub loc: Option<Param>,
    pub weight: Option<Param>,
    pub delay: Option<Param>,
    pub syn_mech: Option<String>,
    pub syns_per_conn: Option<Param>,
}

/// A trace to record (`recordTraces` entry).
#[derive(Clone, Debug, PartialEq)]
pub struct TraceSpec {
    pub sec: Option<String>,
    pub loc: f64,
    pub var: String,
    pub mech: Option<String>,
    pub syn_mech: Option<String>,
    /// A point process of the section's `pointps` (`{"pointp": "Izhi2007a_0", "var": "V"}`).
    pub pointp: Option<String>,
    pub conds: Dict<Cond>,
}

/// Random seeds (`simConfig.seeds`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Seeds {
    pub conn: u32,
    pub stim: u32,
    pub loc: u32,
    pub cell: u32,
}

/// `simConfig`.
#[derive(Clone, Debug, PartialEq)]
pub struct SimConfig {
    pub duration: f64, // [ms]
    pub dt: f64,       // [ms]
    pub celsius: f64,  // [degC]
    pub v_init: f64,   // [mV]
    pub seeds: Seeds,
    pub record_cells: Vec<Value>,
    pub record_traces: Dict<TraceSpec>,
    pub record_step: f64, // [ms]
    pub record_stim: bool,
    pub filename: String,
    pub save_json: bool,
    pub one_syn_per_netcon: bool,
    pub allow_self_conns: bool,
    pub allow_conns_with_weight0: bool,
    /// 3-D points are offset by the cell's position (`pt3dRelativeToCellLocation`).
    pub pt3d_relative_to_cell_location: bool,
    /// The offset uses `-y` (`invertedYCoord`: NEURON's y points up, cortical depth down).
    pub inverted_y_coord: bool,
    pub analysis: Dict<Value>,
    /// Folder(s) of `.mod` files to load (a Ranvier extension).
    pub mod_folders: Vec<String>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            duration: 1000.0,
            dt: 0.025,
            celsius: 6.3,
            v_init: -65.0,
            seeds: Seeds {
                conn: 1,
                stim: 1,
                loc: 1,
                cell: 1,
            },
            record_cells: Vec::new(),
            record_traces: Vec::new(),
            record_step: 0.1,
            record_stim: false,
            filename: "model_output".into(),
            save_json: false,
            one_syn_per_netcon: true,
            allow_self_conns: false,
            allow_conns_with_weight0: true,
            pt3d_relative_to_cell_location: true,
            inverted_y_coord: true,
            analysis: Vec::new(),
            mod_folders: Vec::new(),
        }
    }
}

/// A loaded model.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub net: NetParams,
    pub sim: SimConfig,
    /// The `netParams` and `simConfig` JSON as read (written back into outputs).
    pub raw_net: Value,
    pub raw_sim: Value,
}

impl NetParams {
    /// Every mechanism the model names: the density mechanisms and point processes of
    /// its cell rules, its synaptic mechanisms and its stimulation types, in first-use
    /// order. A driver uses it to decide which missing mechanisms matter.
    #[must_use]
    pub fn mechanisms_used(&self) -> Vec<&str> {
        let secs = self.cell_params.iter().flat_map(|(_, r)| &r.secs);
        let rules = secs.flat_map(|(_, sec)| {
            sec.mechs
                .iter()
                .map(|(m, _)| m.as_str())
                .chain(sec.pointps.iter().map(|(_, p)| p.mod_name.as_str()))
        });
        let syns = self
            .syn_mech_params
            .iter()
            .map(|(_, s)| s.mod_name.as_str());
        let stims = self.stim_source_params.iter().map(|(_, s)| s.kind.as_str());
        let pops = self
            .pop_params
            .iter()
            .filter_map(|(_, p)| p.cell_model.as_deref());
        let mut out: Vec<&str> = Vec::new();
        for n in rules.chain(syns).chain(stims).chain(pops) {
            if !out.contains(&n) {
                out.push(n);
            }
        }
        out
    }
}
