//! Instantiating a NetPyNE specification: cells with positions and tags, connections
//! and stimulation, following NetPyNE's rules and random streams
//! (`netpyne/network/pop.py`, `conn.py`, `stim.py`, `cell/compartCell.py`).
//!
//! The plan is simulator-independent data; [`crate::recipe::SpecRecipe`] turns it into
//! cable cells.

use ranvier_expr::{Program, compile};
use serde_json::Value;

use crate::model::*;
use crate::netpyne_random::{HocRandom, hash_list, hash_str};
use crate::{Diagnostic, Severity, nearest};

/// Cell variables available to cell-parameter string functions.
pub const CELL_VARS: &[&str] = &[
    "x",
    "y",
    "z",
    "xnorm",
    "ynorm",
    "znorm",
    "dist_path",
    "dist_euclidean",
];

/// Variables available to connection string functions (NetPyNE's `_connStrToFunc`).
pub const CONN_VARS: &[&str] = &[
    "pre_x",
    "pre_y",
    "pre_z",
    "pre_xnorm",
    "pre_ynorm",
    "pre_znorm",
    "post_x",
    "post_y",
    "post_z",
    "post_xnorm",
    "post_ynorm",
    "post_znorm",
    "dist_x",
    "dist_y",
    "dist_z",
    "dist_3D",
    "dist_2D",
    "dist_xnorm",
    "dist_ynorm",
    "dist_znorm",
    "dist_norm3D",
    "dist_norm2D",
];

/// One cell of the network.
#[derive(Clone, Debug, PartialEq)]
pub struct CellPlan {
    pub gid: u64,
    /// Index into `netParams.popParams`.
    pub pop: usize,
    pub pos: [f64; 3],  // [um]
    pub norm: [f64; 3], // normalized position
    /// Index into `netParams.cellParams` for compartmental cells.
    pub rule: Option<usize>,
    /// Artificial cell model (`NetStim`, `VecStim`) for point-cell populations.
    pub point_model: Option<String>,
    /// All tags (pop, cellType, cellModel, x, y, z, xnorm, ynorm, znorm and the
    /// population's own tags) for condition matching and output.
    pub tags: Vec<(String, Value)>,
}

/// One connection, as NetPyNE stores it on the postsynaptic cell.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnPlan {
    pub pre_gid: u64,
    pub sec: String,
    pub loc: f64,
    /// Index into `netParams.synMechParams`.
    pub syn_mech: usize,
    pub weight: f64,
    pub delay: f64, // [ms]
    /// Index into `netParams.connParams`.
    pub rule: usize,
}

/// One stimulation of a cell.
#[derive(Clone, Debug, PartialEq)]
pub struct StimPlan {
    /// Index into `netParams.stimSourceParams`.
    pub source: usize,
    /// Index into `netParams.stimTargetParams`.
    pub target: usize,
    pub sec: String,
    pub loc: f64,
    pub weight: f64,
    pub delay: f64, // [ms]
    pub syn_mech: Option<usize>,
    /// The source's numeric parameters for this target (`rate`, `noise`, `del`, `amp`,
    /// ...), string functions evaluated as NetPyNE evaluates them (see `stimulate`).
    pub params: Vec<(String, f64)>,
}

/// Stimulation parameters NetPyNE evaluates when given as string functions, in the
/// order it evaluates them (`Network.stimStringFuncParams + connStringFuncParams`).
const STIM_STRING_PARAMS: &[&str] = &[
    "del",
    "dur",
    "amp",
    "gain",
    "rstim",
    "tau1",
    "tau2",
    "onset",
    "tau",
    "gmax",
    "e",
    "interval",
    "rate",
    "number",
    "start",
    "noise",
    "weight",
    "delay",
    "synsPerConn",
    "loc",
];

/// Variables of stimulation string functions (NetPyNE's `_stimStrToFunc`) and of synMech
/// string parameters (NetPyNE's `SynMechParams.stringFuncVarsEvaluators`, whose path and
/// Euclidean distances are not offered yet): the target cell's position, in the order
/// `post_values` gives them.
pub(crate) const POST_VARS: &[&str] = &[
    "post_x",
    "post_y",
    "post_z",
    "post_xnorm",
    "post_ynorm",
    "post_znorm",
];

/// The cell's position as [`POST_VARS`] name it (also the first six of [`CELL_VARS`]).
pub(crate) fn post_values(cell: &CellPlan) -> [f64; 6] {
    [
        cell.pos[0],
        cell.pos[1],
        cell.pos[2],
        cell.norm[0],
        cell.norm[1],
        cell.norm[2],
    ]
}

/// The instantiated network.
#[derive(Clone, Debug, Default)]
pub struct NetworkPlan {
    pub cells: Vec<CellPlan>,
    /// Incoming connections of each cell (same order as `cells`).
    pub conns: Vec<Vec<ConnPlan>>,
    pub stims: Vec<Vec<StimPlan>>,
    /// Gid ranges of each population.
    pub pop_gids: Vec<std::ops::Range<u64>>,
}

struct Cx<'a> {
    model: &'a Model,
    diags: Vec<Diagnostic>,
}

impl Cx<'_> {
    fn error(&mut self, path: String, message: impl Into<String>) {
        self.diags.push(Diagnostic {
            severity: Severity::Error,
            path,
            message: message.into(),
        });
    }

    fn warn(&mut self, path: String, message: impl Into<String>) {
        self.diags.push(Diagnostic {
            severity: Severity::Warning,
            path,
            message: message.into(),
        });
    }

    /// Compile a string function against `vars` (plus netParams variables), reporting
    /// errors at `path` with the column.
    fn program(&mut self, src: &str, vars: &[&str], path: &str) -> Option<Program> {
        let mut all: Vec<&str> = vars.to_vec();
        all.extend(self.model.net.vars.iter().map(|(n, _)| n.as_str()));
        match compile(src, &all) {
            Ok(p) => Some(p),
            Err(e) => {
                let col = e.column(src);
                self.error(
                    path.to_owned(),
                    format!("in `{src}`, column {col}: {}", e.message),
                );
                None
            }
        }
    }

    fn var_values(&self, base: &[f64]) -> Vec<f64> {
        let mut v = base.to_vec();
        v.extend(self.model.net.vars.iter().map(|(_, x)| *x));
        v
    }
}

fn q(path: &str, key: &str) -> String {
    if key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        format!("{path}.{key}")
    } else {
        format!("{path}.{key:?}")
    }
}

/// Does a cell's tags satisfy NetPyNE conditions?
#[must_use]
pub fn matches(tags: &[(String, Value)], conds: &[(String, Cond)]) -> bool {
    conds.iter().all(|(k, c)| {
        let v = tags.iter().find(|(n, _)| n == k).map(|(_, v)| v);
        match (c, v) {
            (_, None) => false,
            (Cond::Eq(want), Some(v)) => values_equal(want, v),
            (Cond::OneOf(list), Some(v)) => list.iter().any(|w| values_equal(w, v)),
            (Cond::Range(lo, hi), Some(v)) => v.as_f64().is_some_and(|x| *lo <= x && x < *hi),
        }
    })
}

fn values_equal(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// Instantiate the network of a model. Errors are returned as diagnostics.
pub fn plan(model: &Model) -> (Option<NetworkPlan>, Vec<Diagnostic>) {
    let mut cx = Cx {
        model,
        diags: Vec::new(),
    };
    let mut out = NetworkPlan::default();
    create_cells(&mut cx, &mut out);
    if cx.diags.iter().any(|d| d.severity == Severity::Error) {
        return (None, cx.diags);
    }
    out.conns = vec![Vec::new(); out.cells.len()];
    out.stims = vec![Vec::new(); out.cells.len()];
    connect(&mut cx, &mut out);
    stimulate(&mut cx, &mut out);
    let ok = !cx.diags.iter().any(|d| d.severity == Severity::Error);
    (ok.then_some(out), cx.diags)
}

/// The most cells one population may have (a larger count is almost certainly a typo
/// in `numCells`, `density` or `scale`, and would exhaust memory).
pub const MAX_CELLS_PER_POP: u64 = 100_000_000;

fn create_cells(cx: &mut Cx<'_>, out: &mut NetworkPlan) {
    let net = &cx.model.net;
    let seeds = cx.model.sim.seeds;
    let size = [net.size_x, net.size_y, net.size_z];
    let mut last_gid = 0u64;
    for (pi, (label, pop)) in net.pop_params.iter().enumerate() {
        let path = q("netParams.popParams", label);
        let mut norm_ranges = [None; 3];
        for c in 0..3 {
            norm_ranges[c] = pop.range[c]
                .map(|(a, b)| (a / size[c], b / size[c]))
                .or(pop.norm_range[c]);
        }
        let mut func_locs: Option<(usize, Vec<f64>)> = None;
        let n = match (pop.num_cells, &pop.density) {
            (Some(n), _) => (n * net.scale) as u64,
            (None, Some(density)) => {
                // Volume [mm3] of the network shape, reduced by the population's ranges.
                let (sx, sy, sz) = (net.size_x / 1e3, net.size_y / 1e3, net.size_z / 1e3);
                let mut volume = match net.shape {
                    Shape::Cuboid => sy * sx * sz,
                    Shape::Cylinder => sy * sx / 2.0 * sz / 2.0 * std::f64::consts::PI,
                    Shape::Ellipsoid => {
                        sy / 2.0 * sx / 2.0 * sz / 2.0 * std::f64::consts::PI * 4.0 / 3.0
                    }
                };
                for r in norm_ranges.iter().flatten() {
                    volume *= r.1 - r.0;
                }
                match density {
                    Param::Num(d) => (d * volume) as u64,
                    Param::Expr(src) => {
                        match density_func_cells(
                            cx,
                            src,
                            &norm_ranges,
                            volume,
                            last_gid,
                            seeds.loc,
                            &path,
                        ) {
                            Some((coord, locs)) => {
                                let n = locs.len() as u64;
                                func_locs = Some((coord, locs));
                                n
                            }
                            None => continue,
                        }
                    }
                    Param::List(_) => {
                        cx.error(
                            q(&path, "density"),
                            "density must be a number or a string function",
                        );
                        continue;
                    }
                }
            }
            (None, None) => {
                cx.error(
                    path,
                    "only populations with `numCells` or `density` are supported so far (not `gridSpacing` or `cellsList`)",
                );
                continue;
            }
        };
        if n > MAX_CELLS_PER_POP {
            cx.error(
                path,
                format!(
                    "{n} cells (numCells or density, times scale) is more than Ranvier builds in one population ({MAX_CELLS_PER_POP})"
                ),
            );
            continue;
        }
        // Random positions: Random123(numCells, lastGid, seeds.loc), one draw discarded
        // by `uniform(0, 1)`, then x, y, z per cell.
        let mut r = HocRandom::random123(n as u32, last_gid as u32, seeds.loc);
        r.uniform(0.0, 1.0);
        let mut locs: Vec<[f64; 3]> = (0..n)
            .map(|_| [r.next01(), r.next01(), r.next01()])
            .collect();
        for l in &mut locs {
            match net.shape {
                Shape::Cuboid => {}
                Shape::Cylinder => {
                    let (rho, phi) = (l[0], 2.0 * std::f64::consts::PI * l[2]);
                    l[0] = (1.0 + rho.sqrt() * phi.cos()) / 2.0;
                    l[2] = (1.0 + rho.sqrt() * phi.sin()) / 2.0;
                }
                Shape::Ellipsoid => {
                    let rho = l[0].powf(1.0 / 3.0);
                    let phi = 2.0 * std::f64::consts::PI * l[1];
                    let theta = (2.0 * l[2] - 1.0).acos();
                    l[0] = (1.0 + rho * phi.cos() * theta.sin()) / 2.0;
                    l[1] = (1.0 + rho * phi.sin() * theta.sin()) / 2.0;
                    l[2] = (1.0 + rho * theta.cos()) / 2.0;
                }
            }
        }
        for c in 0..3 {
            if let Some((lo, hi)) = norm_ranges[c] {
                for l in &mut locs {
                    l[c] = l[c] * (hi - lo) + lo;
                }
            }
            if let Some((coord, fl)) = &func_locs
                && *coord == c
            {
                for (l, v) in locs.iter_mut().zip(fl) {
                    l[c] = *v;
                }
            }
        }
        // The rule named after the cellType (NetPyNE >= 1.0), else the first rule whose
        // (deprecated) conds match the population's tags.
        let rule = pop
            .cell_type
            .as_ref()
            .and_then(|ct| net.cell_params.iter().position(|(l, _)| l == ct))
            .or_else(|| {
                let mut tags: Vec<(String, Value)> = pop.tags.clone();
                tags.push(("pop".into(), Value::from(label.clone())));
                net.cell_params
                    .iter()
                    .position(|(_, r)| !r.conds.is_empty() && matches(&tags, &r.conds))
            });
        let point_model = match pop.cell_model.as_deref() {
            Some(m @ ("NetStim" | "VecStim")) => Some(m.to_owned()),
            _ => None,
        };
        if rule.is_none() && point_model.is_none() {
            let ct = pop.cell_type.clone().unwrap_or_default();
            let hint = nearest(&ct, net.cell_params.iter().map(|(l, _)| l.as_str()))
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            cx.error(
                q(&path, "cellType"),
                format!("no cellParams rule named `{ct}`{hint}"),
            );
            continue;
        }
        let start = last_gid;
        for (i, l) in locs.iter().enumerate() {
            let gid = last_gid + i as u64;
            let pos = [size[0] * l[0], size[1] * l[1], size[2] * l[2]];
            let mut tags: Vec<(String, Value)> = vec![("pop".into(), Value::from(label.clone()))];
            for (k, v) in &pop.tags {
                if ![
                    "numCells",
                    "density",
                    "cellsList",
                    "xRange",
                    "yRange",
                    "zRange",
                    "spkTimes",
                ]
                .contains(&k.as_str())
                    && !k.ends_with("normRange")
                {
                    tags.push((k.clone(), v.clone()));
                }
            }
            for (k, v) in [
                ("xnorm", l[0]),
                ("ynorm", l[1]),
                ("znorm", l[2]),
                ("x", pos[0]),
                ("y", pos[1]),
                ("z", pos[2]),
            ] {
                tags.push((k.into(), Value::from(v)));
            }
            out.cells.push(CellPlan {
                gid,
                pop: pi,
                pos,
                norm: *l,
                rule,
                point_model: point_model.clone(),
                tags,
            });
        }
        last_gid += n;
        out.pop_gids.push(start..last_gid);
    }
}

/// NetPyNE's density-function populations (cuboid networks): candidate positions along
/// the one normalized coordinate the function uses, kept with probability
/// `density / max density`.
fn density_func_cells(
    cx: &mut Cx<'_>,
    src: &str,
    norm_ranges: &[Option<(f64, f64)>; 3],
    volume: f64,
    last_gid: u64,
    seed: u32,
    path: &str,
) -> Option<(usize, Vec<f64>)> {
    if cx.model.net.shape != Shape::Cuboid {
        cx.error(
            q(path, "density"),
            "density functions are only available for cuboid networks (as in NetPyNE)",
        );
        return None;
    }
    let names = ["xnorm", "ynorm", "znorm"];
    let used: Vec<usize> = (0..3).filter(|&c| src.contains(names[c])).collect();
    let [coord] = used[..] else {
        cx.error(
            q(path, "density"),
            format!("density function `{src}` must use exactly one of xnorm, ynorm, znorm"),
        );
        return None;
    };
    let prog = cx.program(src, &[names[coord]], &q(path, "density"))?;
    let Some((lo, hi)) = norm_ranges[coord] else {
        cx.error(
            q(path, "density"),
            format!(
                "a density function of {} needs `{}Range`",
                names[coord], names[coord]
            ),
        );
        return None;
    };
    let mut dummy = HocRandom::random123(0, 0, 0);
    let vars = |x: f64| cx.var_values(&[x]);
    // Maximum density on a 0.001 grid, like numpy.arange(lo, hi, 0.001).
    let steps = ((hi - lo) / 0.001).ceil();
    if !(steps.is_finite() && steps <= 1e7) {
        cx.error(
            q(path, "density"),
            format!("the density function's range [{lo}, {hi}] is not a normalized range"),
        );
        return None;
    }
    let steps = steps.max(0.0) as usize;
    let max_density = (0..steps)
        .map(|i| prog.eval(&vars(lo + 0.001 * i as f64), &mut dummy))
        .fold(f64::NEG_INFINITY, f64::max);
    let max_cells = (volume * max_density) as usize;
    if max_cells as u64 > MAX_CELLS_PER_POP {
        cx.error(
            q(path, "density"),
            format!(
                "the density function allows up to {max_cells} cells, more than Ranvier builds in one population ({MAX_CELLS_PER_POP})"
            ),
        );
        return None;
    }
    let mut r = HocRandom::random123(max_density as u32, last_gid as u32, seed);
    let all: Vec<f64> = (0..max_cells)
        .map(|_| lo + (hi - lo) * r.uniform(0.0, 1.0))
        .collect();
    let probs: Vec<f64> = all
        .iter()
        .map(|&x| prog.eval(&vars(x), &mut dummy) / max_density)
        .collect();
    let keep: Vec<f64> = all
        .iter()
        .zip(&probs)
        .filter(|(_, p)| **p > r.uniform(0.0, 1.0))
        .map(|(x, _)| *x)
        .collect();
    Some((coord, keep))
}

/// Default section of a cell rule: `soma` if present, else the first.
fn default_sec(rule: &CellRule) -> String {
    if rule.secs.iter().any(|(n, _)| n == "soma") {
        "soma".into()
    } else {
        rule.secs
            .first()
            .map(|(n, _)| n.clone())
            .unwrap_or_else(|| "soma".into())
    }
}

/// A number or string function evaluated per connection.
enum ConnValue {
    Const(f64),
    Func(Program),
    /// One value per `connList` entry.
    PerConn(Vec<f64>),
}

fn conn_value(
    cx: &mut Cx<'_>,
    p: Option<&Param>,
    default: f64,
    path: &str,
    list_len: Option<usize>,
) -> Option<ConnValue> {
    match p {
        None => Some(ConnValue::Const(default)),
        Some(Param::Num(x)) => Some(ConnValue::Const(*x)),
        Some(Param::Expr(s)) => cx.program(s, CONN_VARS, path).map(ConnValue::Func),
        Some(Param::List(l)) => match list_len {
            Some(n) if l.len() == n => Some(ConnValue::PerConn(l.clone())),
            Some(_) if l.len() == 1 => Some(ConnValue::Const(l[0])),
            Some(n) => {
                cx.error(
                    path.to_owned(),
                    format!("has {} values but connList has {n} entries", l.len()),
                );
                None
            }
            None => {
                cx.error(
                    path.to_owned(),
                    "a list (one value per synMech) is only supported with connList so far",
                );
                None
            }
        },
    }
}

fn conn_vars(pre: &CellPlan, post: &CellPlan) -> [f64; 22] {
    let (a, b) = (pre.pos, post.pos);
    let (an, bn) = (pre.norm, post.norm);
    let d = [
        (a[0] - b[0]).abs(),
        (a[1] - b[1]).abs(),
        (a[2] - b[2]).abs(),
    ];
    let dn = [
        (an[0] - bn[0]).abs(),
        (an[1] - bn[1]).abs(),
        (an[2] - bn[2]).abs(),
    ];
    [
        a[0],
        a[1],
        a[2],
        an[0],
        an[1],
        an[2],
        b[0],
        b[1],
        b[2],
        bn[0],
        bn[1],
        bn[2],
        d[0],
        d[1],
        d[2],
        (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt(),
        (d[0] * d[0] + d[2] * d[2]).sqrt(),
        dn[0],
        dn[1],
        dn[2],
        // NetPyNE's dist_norm3D/dist_norm2D (as written in conn.py).
        (dn[0] * dn[0] + (an[1] - bn[1]).sqrt() + (an[2] - bn[2]).sqrt()).sqrt(),
        (dn[0] * dn[0] + (an[2] - bn[2]).sqrt()).sqrt(),
    ]
}

fn connect(cx: &mut Cx<'_>, out: &mut NetworkPlan) {
    let model = cx.model;
    let net = &model.net;
    let seed = model.sim.seeds.conn;
    for (ri, (label, rule)) in net.conn_params.iter().enumerate() {
        let path = q("netParams.connParams", label);
        let pre: Vec<usize> = (0..out.cells.len())
            .filter(|&i| matches(&out.cells[i].tags, &rule.pre_conds))
            .collect();
        let post: Vec<usize> = (0..out.cells.len())
            .filter(|&i| matches(&out.cells[i].tags, &rule.post_conds))
            .collect();
        if pre.is_empty() || post.is_empty() {
            let which = if pre.is_empty() {
                "preConds"
            } else {
                "postConds"
            };
            cx.warn(
                q(&path, which),
                "no cell matches these conditions; the rule creates no connections",
            );
            continue;
        }
        // One connection per listed synMech (NetPyNE), weights scaled by
        // synMechWeightFactor; by default the first synMechParams entry.
        let syn_mechs: Vec<usize> = match &rule.syn_mech {
            Some(names) => names
                .iter()
                .filter_map(|n| net.syn_mech_params.iter().position(|(l, _)| l == n))
                .collect(),
            None => (!net.syn_mech_params.is_empty())
                .then_some(0)
                .into_iter()
                .collect(),
        };
        if syn_mechs.is_empty() {
            cx.error(
                q(&path, "synMech"),
                "no synaptic mechanism (synMechParams is empty)",
            );
            continue;
        }
        let factors: Vec<f64> = rule
            .raw
            .get("synMechWeightFactor")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default();
        if !factors.is_empty() && factors.len() != syn_mechs.len() {
            cx.error(
                q(&path, "synMechWeightFactor"),
                format!("needs {} values, one per synMech", syn_mechs.len()),
            );
            continue;
        }
        let list_len = match &rule.pattern {
            ConnPattern::List(l) => Some(l.len()),
            _ => None,
        };
        let weight = conn_value(
            cx,
            rule.weight.as_ref(),
            net.default_weight,
            &q(&path, "weight"),
            list_len,
        );
        let delay = conn_value(
            cx,
            rule.delay.as_ref(),
            net.default_delay,
            &q(&path, "delay"),
            list_len,
        );
        let loc = conn_value(cx, rule.loc.as_ref(), 0.5, &q(&path, "loc"), list_len);
        let (Some(weight), Some(delay), Some(loc)) = (weight, delay, loc) else {
            continue;
        };
        let pre_gids: Vec<u64> = pre.iter().map(|&i| out.cells[i].gid).collect();
        let post_gids: Vec<u64> = post.iter().map(|&i| out.cells[i].gid).collect();
        // NetPyNE seeds one stream per rule for random draws in probability, convergence
        // and divergence functions: Random123(hashStr('conn_' + connFunc),
        // hashList(sorted(pre) + sorted(post)), seeds.conn).
        let func_name = match rule.pattern {
            ConnPattern::Full => "fullConn",
            ConnPattern::Probability(_) => "probConn",
            ConnPattern::Convergence(_) => "convConn",
            ConnPattern::Divergence(_) => "divConn",
            ConnPattern::List(_) => "fromListConn",
        };
        let both: Vec<u64> = pre_gids.iter().chain(&post_gids).copied().collect();
        let mut rule_rand = HocRandom::random123(
            hash_str(&format!("conn_{func_name}")),
            hash_list(&both),
            seed,
        );
        // (pre cell, post cell, connList entry)
        let mut pairs: Vec<(usize, usize, usize)> = Vec::new();
        match &rule.pattern {
            ConnPattern::Full => {
                for &b in &post {
                    for &a in &pre {
                        pairs.push((a, b, 0));
                    }
                }
            }
            ConnPattern::Probability(p) => {
                let mut r = HocRandom::random123(hash_list(&pre_gids), hash_list(&post_gids), seed);
                r.uniform(0.0, 1.0);
                let rands: Vec<f64> = (0..pre.len() * post.len()).map(|_| r.next01()).collect();
                let prob = match p {
                    Param::Num(x) => Some(ConnValue::Const(*x)),
                    Param::Expr(s) => cx
                        .program(s, CONN_VARS, &q(&path, "probability"))
                        .map(ConnValue::Func),
                    Param::List(_) => None,
                };
                let Some(prob) = prob else { continue };
                // Probabilities per pair, evaluated pre-major as NetPyNE's dict does.
                let probs: Vec<f64> = match &prob {
                    ConnValue::Const(x) => vec![*x; pre.len() * post.len()],
                    ConnValue::PerConn(_) => {
                        unreachable!("per-connection lists only come with connList")
                    }
                    ConnValue::Func(f) => pre
                        .iter()
                        .flat_map(|&a| post.iter().map(move |&b| (a, b)))
                        .map(|(a, b)| {
                            f.eval(
                                &cx.var_values(&conn_vars(&out.cells[a], &out.cells[b])),
                                &mut rule_rand,
                            )
                        })
                        .collect(),
                };
                for (jb, &b) in post.iter().enumerate() {
                    for (ja, &a) in pre.iter().enumerate() {
                        let k = ja * post.len() + jb;
                        if probs[k] >= rands[k] {
                            pairs.push((a, b, 0));
                        }
                    }
                }
            }
            ConnPattern::Convergence(p) | ConnPattern::Divergence(p) => {
                let conv = matches!(rule.pattern, ConnPattern::Convergence(_));
                let (fixed, pool, fixed_gids, pool_gids) = if conv {
                    (&post, &pre, &post_gids, &pre_gids)
                } else {
                    (&pre, &post, &pre_gids, &post_gids)
                };
                let hash_pool = hash_list(pool_gids);
                let count = match p {
                    Param::Num(x) => Some(ConnValue::Const(*x)),
                    Param::Expr(s) => cx
                        .program(
                            s,
                            CONN_VARS,
                            &q(&path, if conv { "convergence" } else { "divergence" }),
                        )
                        .map(ConnValue::Func),
                    Param::List(_) => None,
                };
                let Some(count) = count else { continue };
                // Counts for every fixed cell first (NetPyNE's dict), from the rule stream;
                // the fixed cell's own variables stand in for pre_* and post_*.
                let counts: Vec<f64> = match &count {
                    ConnValue::Const(x) => vec![*x; fixed.len()],
                    ConnValue::PerConn(_) => {
                        unreachable!("per-connection lists only come with connList")
                    }
                    ConnValue::Func(prog) => fixed
                        .iter()
                        .map(|&f| {
                            prog.eval(
                                &cx.var_values(&conn_vars(&out.cells[f], &out.cells[f])),
                                &mut rule_rand,
                            )
                        })
                        .collect(),
                };
                for (jf, &f) in fixed.iter().enumerate() {
                    let c = counts[jf];
                    let c = (c.round() as i64).min(pool.len() as i64 - 1).max(0) as usize;
                    let mut r = HocRandom::random123(hash_pool, fixed_gids[jf] as u32, seed);
                    // randUniqueInt: discunif(0, n-1) draws once when set, then repicks.
                    r.discunif(0, pool.len() as i64 - 1);
                    let mut sample: Vec<usize> = Vec::with_capacity(c + 1);
                    while sample.len() < c + 1 {
                        let x = r.discunif(0, pool.len() as i64 - 1) as usize;
                        if !sample.contains(&x) {
                            sample.push(x);
                        }
                    }
                    // The extra sample replaces the fixed cell itself if drawn.
                    let mut chosen: Vec<usize> = Vec::with_capacity(c);
                    for &i in &sample[..c] {
                        let pick = if pool_gids[i] == fixed_gids[jf] {
                            sample[c]
                        } else {
                            i
                        };
                        if !chosen.contains(&pick) {
                            chosen.push(pick);
                        }
                    }
                    chosen.sort_unstable();
                    for i in chosen {
                        if conv {
                            pairs.push((pool[i], f, 0));
                        } else {
                            pairs.push((f, pool[i], 0));
                        }
                    }
                }
            }
            ConnPattern::List(list) => {
                for (k, &(a, b)) in list.iter().enumerate() {
                    match (pre.get(a), post.get(b)) {
                        (Some(&a), Some(&b)) => pairs.push((a, b, k)),
                        _ => cx.error(
                            format!("{}[{k}]", q(&path, "connList")),
                            format!(
                                "index pair [{a}, {b}] is out of range ({} presynaptic, {} postsynaptic cells match)",
                                pre.len(),
                                post.len()
                            ),
                        ),
                    }
                }
            }
        }
        for (a, b, k) in pairs {
            if a == b && !model.sim.allow_self_conns {
                continue;
            }
            let (pc, qc) = (&out.cells[a], &out.cells[b]);
            let vars = cx.var_values(&conn_vars(pc, qc));
            let mut r = HocRandom::random123(pc.gid as u32, qc.gid as u32, seed);
            let mut eval = |v: &ConnValue| match v {
                ConnValue::Const(x) => *x,
                ConnValue::Func(f) => f.eval(&vars, &mut r),
                ConnValue::PerConn(l) => l[k],
            };
            let w = eval(&weight) * net.scale_conn_weight;
            let d = eval(&delay);
            let l = eval(&loc);
            if w == 0.0 && !model.sim.allow_conns_with_weight0 {
                continue;
            }
            let syns_per_conn = match &rule.syns_per_conn {
                None => 1,
                Some(p) => match p {
                    Param::Num(x) => x.round().max(1.0) as usize,
                    _ => {
                        cx.error(
                            q(&path, "synsPerConn"),
                            "synsPerConn must be a whole number here",
                        );
                        return;
                    }
                },
            };
            let Some(post_rule) = qc.rule.map(|r| &net.cell_params[r].1) else {
                cx.error(
                    path.clone(),
                    format!(
                        "cell {} is not a compartmental cell and cannot receive connections",
                        qc.gid
                    ),
                );
                return;
            };
            let secs = conn_sections(cx, rule, post_rule, &path);
            let explicit_loc = rule.loc.is_some();
            let targets: Vec<(String, f64)> = if syns_per_conn == 1 {
                if secs.len() > 1 {
                    // connRandomSecFromList: Random123(hashStr('connSynMechsSecs'), post, pre).
                    let mut rs = HocRandom::random123(
                        hash_str("connSynMechsSecs"),
                        qc.gid as u32,
                        pc.gid as u32,
                    );
                    let pos = rs.discunif(0, secs.len() as i64 - 1) as usize;
                    vec![(secs[pos].clone(), l)]
                } else {
                    vec![(secs[0].clone(), l)]
                }
            } else if secs.len() == 1 && !explicit_loc {
                // Spread uniformly along the one section.
                (0..syns_per_conn)
                    .map(|k| {
                        (
                            secs[0].clone(),
                            k as f64 / syns_per_conn as f64 + 1.0 / syns_per_conn as f64 / 2.0,
                        )
                    })
                    .collect()
            } else {
                cx.error(
                    q(&path, "synsPerConn"),
                    "synsPerConn > 1 is supported on one section without an explicit loc so far",
                );
                return;
            };
            for (k, &syn_mech) in syn_mechs.iter().enumerate() {
                let weight = w * factors.get(k).copied().unwrap_or(1.0);
                for (sec, loc) in &targets {
                    out.conns[b].push(ConnPlan {
                        pre_gid: pc.gid,
                        sec: sec.clone(),
                        loc: *loc,
                        syn_mech,
                        weight,
                        delay: d,
                        rule: ri,
                    });
                }
            }
        }
    }
}

/// The sections a connection rule targets on a cell of `post_rule`: its `sec` (a
/// section, a section list, or a list of either), else soma or the first section.
/// Unknown names are warned about and skipped, as NetPyNE skips them.
fn conn_sections(
    cx: &mut Cx<'_>,
    rule: &ConnRule,
    post_rule: &CellRule,
    path: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    for name in rule.sec.iter().flatten() {
        if post_rule.secs.iter().any(|(n, _)| n == name) {
            out.push(name.clone());
        } else if let Some((_, list)) = post_rule.sec_lists.iter().find(|(n, _)| n == name) {
            out.extend(
                list.iter()
                    .filter(|s| post_rule.secs.iter().any(|(n, _)| n == *s))
                    .cloned(),
            );
        } else {
            let candidates = post_rule
                .secs
                .iter()
                .map(|(n, _)| n.as_str())
                .chain(post_rule.sec_lists.iter().map(|(n, _)| n.as_str()));
            let hint = nearest(name, candidates)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            let msg = format!(
                "no section or section list `{name}` in the target cell{hint}; using the default section"
            );
            if !cx
                .diags
                .iter()
                .any(|d| d.path == q(path, "sec") && d.message == msg)
            {
                cx.warn(q(path, "sec"), msg);
            }
        }
    }
    if out.is_empty() {
        out.push(default_sec(post_rule));
    }
    out
}

fn stimulate(cx: &mut Cx<'_>, out: &mut NetworkPlan) {
    let net = &cx.model.net;
    for (ti, (label, t)) in net.stim_target_params.iter().enumerate() {
        let path = q("netParams.stimTargetParams", label);
        let Some(si) = net
            .stim_source_params
            .iter()
            .position(|(l, _)| l == &t.source)
        else {
            continue;
        };
        let syn_mech = match &t.syn_mech {
            Some(name) => net.syn_mech_params.iter().position(|(l, _)| l == name),
            None => (!net.syn_mech_params.is_empty()).then_some(0),
        };
        // `cellList`: indices into the (gid-sorted) cells matching the other conditions.
        let others: Vec<(String, Cond)> = t
            .conds
            .iter()
            .filter(|(k, _)| k != "cellList")
            .cloned()
            .collect();
        let mut selected: Vec<usize> = (0..out.cells.len())
            .filter(|&i| matches(&out.cells[i].tags, &others))
            .collect();
        if let Some((_, Cond::OneOf(list))) = t.conds.iter().find(|(k, _)| k == "cellList") {
            let mut picked = Vec::new();
            for v in list {
                match v.as_u64().and_then(|i| selected.get(i as usize)) {
                    Some(&c) => picked.push(c),
                    None => cx.error(
                        q(&path, "conds"),
                        format!(
                            "cellList index {v} is out of range ({} cells match)",
                            selected.len()
                        ),
                    ),
                }
            }
            picked.sort_unstable();
            picked.dedup();
            selected = picked;
        }
        // String functions (NetPyNE's addStims and _stimStrToFunc): the network's one
        // h.Random is seeded Random123(hashStr('stim_' + type), hashList(sorted target
        // gids), seeds['stim']) for this target rule, then every string parameter of
        // the source and target (target keys win) is evaluated for each matching cell
        // in gid order, parameter after parameter, drawing from that one stream.
        let (_, src) = &net.stim_source_params[si];
        let target_keys: [(&str, &Option<Param>); 4] = [
            ("loc", &t.loc),
            ("weight", &t.weight),
            ("delay", &t.delay),
            ("synsPerConn", &t.syns_per_conn),
        ];
        let lookup = |k: &str| -> Option<&Param> {
            match target_keys.iter().find(|(n, _)| *n == k) {
                Some((_, Some(p))) => Some(p),
                Some((_, None)) | None => src.params.iter().find(|(n, _)| n == k).map(|(_, p)| p),
            }
        };
        let gids: Vec<u64> = selected.iter().map(|&i| out.cells[i].gid).collect();
        let mut rand = HocRandom::random123(
            hash_str(&format!("stim_{}", src.kind)),
            hash_list(&gids),
            cx.model.sim.seeds.stim,
        );
        let mut evaluated: Vec<(&str, Vec<f64>)> = Vec::new();
        for &k in STIM_STRING_PARAMS {
            let Some(Param::Expr(f)) = lookup(k) else {
                continue;
            };
            let where_ = if target_keys.iter().any(|(n, p)| *n == k && p.is_some()) {
                q(&path, k)
            } else {
                q(&q("netParams.stimSourceParams", &t.source), k)
            };
            let Some(prog) = cx.program(f, POST_VARS, &where_) else {
                continue;
            };
            let values = selected
                .iter()
                .map(|&i| prog.eval(&cx.var_values(&post_values(&out.cells[i])), &mut rand))
                .collect();
            evaluated.push((k, values));
        }
        let value_at = |k: &str, j: usize, default: f64| -> f64 {
            match evaluated.iter().find(|(n, _)| *n == k) {
                Some((_, v)) => v[j],
                None => lookup(k).and_then(Param::as_num).unwrap_or(default),
            }
        };
        let mut any = false;
        for (j, &i) in selected.iter().enumerate() {
            let cell = &out.cells[i];
            let Some(ri) = cell.rule else { continue };
            any = true;
            // NetPyNE's CompartCell.addStim: a `sec` that is neither a section nor a
            // section list of the cell becomes soma, else the first section.
            let rule = &net.cell_params[ri].1;
            let sec = match &t.sec {
                Some(name)
                    if rule.secs.iter().any(|(n, _)| n == name)
                        || rule.sec_lists.iter().any(|(n, _)| n == name) =>
                {
                    name.clone()
                }
                _ => default_sec(rule),
            };
            let syns = value_at("synsPerConn", j, 1.0);
            if src.kind == "NetStim" && syns.round() != 1.0 {
                cx.error(
                    q(&path, "synsPerConn"),
                    format!("{syns} synapses per stimulus are not supported yet (only 1)"),
                );
            }
            let params = src
                .params
                .iter()
                .filter(|(k, p)| {
                    matches!(p, Param::Num(_)) || evaluated.iter().any(|(n, _)| n == k)
                })
                .map(|(k, _)| (k.clone(), value_at(k, j, 0.0)))
                .collect();
            out.stims[i].push(StimPlan {
                source: si,
                target: ti,
                sec,
                loc: value_at("loc", j, 0.5),
                weight: value_at("weight", j, net.default_weight),
                delay: value_at("delay", j, net.default_delay),
                syn_mech,
                params,
            });
        }
        if !any {
            cx.warn(
                q(&path, "conds"),
                "no compartmental cell matches these conditions",
            );
        }
    }
}
