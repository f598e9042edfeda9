//! Reading NetPyNE JSON into typed specifications, with diagnostics.

use serde_json::{Map, Value};

use crate::model::*;
use crate::{Diagnostic, Severity, nearest};

const NET_KEYS: &[&str] = &[
    "_labelid",
    "scale",
    "sizeX",
    "sizeY",
    "sizeZ",
    "shape",
    "rotateCellsRandomly",
    "defineCellShapes",
    "correctBorder",
    "cellsVisualizationSpacingMultiplier",
    "scaleConnWeight",
    "scaleConnWeightNetStims",
    "scaleConnWeightModels",
    "defaultWeight",
    "defaultDelay",
    "defaultThreshold",
    "propVelocity",
    "mapping",
    "cellParams",
    "popParams",
    "popTagsCopiedToCells",
    "synMechParams",
    "connParams",
    "subConnParams",
    "stimSourceParams",
    "stimTargetParams",
    "rxdParams",
];

const SIM_KEYS: &[&str] = &[
    "duration",
    "tstop",
    "dt",
    "hParams",
    "coreneuron",
    "dump_coreneuron_model",
    "random123",
    "cache_efficient",
    "gpu",
    "cvode_active",
    "use_fast_imem",
    "cvode_atol",
    "seeds",
    "rand123GlobalIndex",
    "createNEURONObj",
    "createPyStruct",
    "addSynMechs",
    "includeParamsLabel",
    "gatherOnlySimData",
    "compactConnFormat",
    "connRandomSecFromList",
    "distributeSynsUniformly",
    "pt3dRelativeToCellLocation",
    "invertedYCoord",
    "allowSelfConns",
    "allowConnsWithWeight0",
    "oneSynPerNetcon",
    "saveCellSecs",
    "saveCellConns",
    "timing",
    "saveTiming",
    "printRunTime",
    "printPopAvgRates",
    "printSynsAfterRule",
    "verbose",
    "progressBar",
    "recordCells",
    "recordTraces",
    "recordCellsSpikes",
    "recordStim",
    "recordLFP",
    "recordDipole",
    "recordDipolesHNN",
    "saveIMembrane",
    "saveLFPCells",
    "saveLFPPops",
    "saveDipoleCells",
    "saveDipolePops",
    "recordStep",
    "recordTime",
    "simLabel",
    "saveFolder",
    "filename",
    "saveDataInclude",
    "timestampFilename",
    "savePickle",
    "saveJson",
    "saveMat",
    "saveCSV",
    "saveDpk",
    "saveHDF5",
    "saveDat",
    "backupCfgFile",
    "validateNetParams",
    "analysis",
    "checkErrors",
    "checkErrorsVerbose",
    "modFolders",
];

const POP_KEYS: &[&str] = &[
    "cellType",
    "cellModel",
    "numCells",
    "density",
    "gridSpacing",
    "xRange",
    "yRange",
    "zRange",
    "xnormRange",
    "ynormRange",
    "znormRange",
    "cellsList",
    "spkTimes",
    "rate",
    "interval",
    "noise",
    "start",
    "number",
    "seed",
    "dynamicRates",
    "pulses",
    "diversity",
    "pop",
];
const CELL_KEYS: &[&str] = &[
    "conds",
    "secs",
    "secLists",
    "globals",
    "cellModel",
    "cellType",
    "diversityFraction",
];
const SEC_KEYS: &[&str] = &[
    "geom",
    "topol",
    "mechs",
    "ions",
    "pointps",
    "spikeGenLoc",
    "threshold",
    "vinit",
    "weightNorm",
    "synMechs",
];
const GEOM_KEYS: &[&str] = &["L", "diam", "Ra", "cm", "nseg", "pt3d"];
const TOPOL_KEYS: &[&str] = &["parentSec", "parentX", "childX"];
const CONN_KEYS: &[&str] = &[
    "preConds",
    "postConds",
    "probability",
    "convergence",
    "divergence",
    "connList",
    "weight",
    "delay",
    "loc",
    "sec",
    "synMech",
    "synsPerConn",
    "synMechWeightFactor",
    "synMechDelayFactor",
    "synMechLocFactor",
    "threshold",
    "shape",
    "plasticity",
    "gapJunction",
    "disynapticBias",
    "preSec",
    "preLoc",
    "label",
];
const STIM_TARGET_KEYS: &[&str] = &[
    "source",
    "conds",
    "sec",
    "loc",
    "weight",
    "delay",
    "synMech",
    "synMechWeightFactor",
    "synsPerConn",
];
/// Time steps beyond which a run is refused (1e10 steps of even one cell take hours).
const MAX_STEPS: f64 = 1e10;
/// Samples per recorded trace beyond which a run is refused (8 GB per trace).
const MAX_SAMPLES: f64 = 1e9;

const TRACE_KEYS: &[&str] = &[
    "sec", "loc", "var", "mech", "synMech", "pointp", "conds", "stim",
];

/// Path of a child key: identifiers are appended with `.`, other keys quoted.
fn child(path: &str, key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        format!("{path}.{key}")
    } else {
        format!("{path}.{key:?}")
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a dictionary",
    }
}

struct Reader {
    diags: Vec<Diagnostic>,
}

impl Reader {
    fn push(&mut self, severity: Severity, path: &str, message: String) {
        self.diags.push(Diagnostic {
            severity,
            path: path.to_owned(),
            message,
        });
    }

    fn error(&mut self, path: &str, message: impl Into<String>) {
        self.push(Severity::Error, path, message.into());
    }

    fn wrong_type(&mut self, path: &str, expected: &str, got: &Value) {
        self.error(
            path,
            format!(
                "expected {expected}, found {} ({})",
                type_name(got),
                short(got)
            ),
        );
    }

    fn object<'a>(&mut self, v: &'a Value, path: &str) -> Option<&'a Map<String, Value>> {
        match v {
            Value::Object(m) => Some(m),
            Value::Null => None,
            other => {
                self.wrong_type(path, "a dictionary", other);
                None
            }
        }
    }

    /// Warn about keys not in `known`. With `open`, unknown keys are allowed (custom
    /// tags or mechanism parameters) unless they look like a misspelt known key.
    fn keys(&mut self, m: &Map<String, Value>, path: &str, known: &[&str], open: bool) {
        for k in m.keys() {
            if known.contains(&k.as_str()) {
                continue;
            }
            match nearest(k, known.iter().copied()) {
                Some(s) => self.push(
                    Severity::Warning,
                    &child(path, k),
                    format!("unknown key `{k}` (did you mean `{s}`?); it is ignored"),
                ),
                None if !open => {
                    self.push(
                        Severity::Warning,
                        &child(path, k),
                        format!("unknown key `{k}`; it is ignored"),
                    );
                }
                None => {}
            }
        }
    }

    fn num(&mut self, v: &Value, path: &str) -> Option<f64> {
        match v {
            Value::Number(n) => n.as_f64(),
            Value::Bool(b) => Some(f64::from(u8::from(*b))),
            other => {
                self.wrong_type(path, "a number", other);
                None
            }
        }
    }

    fn opt_num(&mut self, m: &Map<String, Value>, key: &str, path: &str) -> Option<f64> {
        m.get(key)
            .filter(|v| !v.is_null())
            .and_then(|v| self.num(v, &child(path, key)))
    }

    fn boolean(&mut self, m: &Map<String, Value>, key: &str, path: &str, default: bool) -> bool {
        match m.get(key) {
            None | Some(Value::Null) => default,
            Some(Value::Bool(b)) => *b,
            Some(Value::Number(n)) => n.as_f64().is_some_and(|x| x != 0.0),
            Some(other) => {
                self.wrong_type(&child(path, key), "true or false", other);
                default
            }
        }
    }

    fn string(&mut self, v: &Value, path: &str) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            other => {
                self.wrong_type(path, "a string", other);
                None
            }
        }
    }

    fn opt_string(&mut self, m: &Map<String, Value>, key: &str, path: &str) -> Option<String> {
        m.get(key)
            .filter(|v| !v.is_null())
            .and_then(|v| self.string(v, &child(path, key)))
    }

    fn param(&mut self, v: &Value, path: &str) -> Option<Param> {
        match v {
            Value::Number(n) => n.as_f64().map(Param::Num),
            Value::Bool(b) => Some(Param::Num(f64::from(u8::from(*b)))),
            Value::String(s) => Some(Param::Expr(s.clone())),
            Value::Array(a) => {
                let mut out = Vec::with_capacity(a.len());
                for (i, x) in a.iter().enumerate() {
                    out.push(self.num(x, &format!("{path}[{i}]"))?);
                }
                Some(Param::List(out))
            }
            other => {
                self.wrong_type(
                    path,
                    "a number, a string function or a list of numbers",
                    other,
                );
                None
            }
        }
    }

    fn opt_param(&mut self, m: &Map<String, Value>, key: &str, path: &str) -> Option<Param> {
        m.get(key)
            .filter(|v| !v.is_null())
            .and_then(|v| self.param(v, &child(path, key)))
    }

    fn string_or_list(&mut self, v: &Value, path: &str) -> Option<Vec<String>> {
        match v {
            Value::String(s) => Some(vec![s.clone()]),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .map(|(i, x)| self.string(x, &format!("{path}[{i}]")))
                .collect(),
            Value::Null => None,
            other => {
                self.wrong_type(path, "a name or a list of names", other);
                None
            }
        }
    }

    fn range(&mut self, v: &Value, path: &str) -> Option<(f64, f64)> {
        match v {
            Value::Array(a) if a.len() == 2 => {
                let lo = self.num(&a[0], &format!("{path}[0]"))?;
                let hi = self.num(&a[1], &format!("{path}[1]"))?;
                if lo > hi {
                    self.error(
                        path,
                        format!("range [{lo}, {hi}] has its low end above its high end"),
                    );
                    return None;
                }
                Some((lo, hi))
            }
            other => {
                self.wrong_type(path, "a range [low, high]", other);
                None
            }
        }
    }

    fn conds(&mut self, v: Option<&Value>, path: &str) -> Dict<Cond> {
        let Some(m) = v.and_then(|v| self.object(v, path)) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, c) in m {
            let p = child(path, k);
            let ranged = ["x", "y", "z", "xnorm", "ynorm", "znorm"].contains(&k.as_str());
            let cond = match c {
                Value::Array(a) if ranged => self
                    .range(c, &p)
                    .map(|(lo, hi)| Cond::Range(lo, hi))
                    .or_else(|| {
                        // Not a range: a list of allowed values.
                        Some(Cond::OneOf(a.clone()))
                    }),
                Value::Array(a) => Some(Cond::OneOf(a.clone())),
                Value::String(_) | Value::Number(_) | Value::Bool(_) => Some(Cond::Eq(c.clone())),
                other => {
                    self.wrong_type(&p, "a value, a list of values or a range", other);
                    None
                }
            };
            if let Some(cond) = cond {
                out.push((k.clone(), cond));
            }
        }
        out
    }

    fn params_dict(&mut self, m: &Map<String, Value>, path: &str, skip: &[&str]) -> Dict<Param> {
        let mut out = Vec::new();
        for (k, v) in m {
            if skip.contains(&k.as_str()) {
                continue;
            }
            if let Some(p) = self.param(v, &child(path, k)) {
                out.push((k.clone(), p));
            }
        }
        out
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}...", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

/// Load a model from JSON text. Returns the model (when the structure could be read)
/// and all diagnostics.
#[must_use]
pub fn load_str(text: &str) -> (Option<Model>, Vec<Diagnostic>) {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => load(&v),
        Err(e) => (
            None,
            vec![Diagnostic {
                severity: Severity::Error,
                path: format!("line {}, column {}", e.line(), e.column()),
                message: format!("invalid JSON: {e}"),
            }],
        ),
    }
}

/// Load a model from a JSON value: `{"netParams", "simConfig"}`, a NetPyNE output file
/// (`{"net": {"params"}, "simConfig", ...}`) or `netParams.save()` output alone.
#[must_use]
pub fn load(v: &Value) -> (Option<Model>, Vec<Diagnostic>) {
    let mut r = Reader { diags: Vec::new() };
    let Some(top) = r.object(v, "(top level)") else {
        return (None, r.diags);
    };
    let net_v = top
        .get("netParams")
        .or_else(|| top.get("net").and_then(|n| n.get("params")));
    let Some(net_v) = net_v else {
        r.error(
            "(top level)",
            "no `netParams` found (expected {\"netParams\": ..., \"simConfig\": ...} or a NetPyNE output file)",
        );
        return (None, r.diags);
    };
    let default_sim = Value::Object(Map::new());
    let sim_v = top.get("simConfig").unwrap_or(&default_sim);
    let net = read_net(&mut r, net_v);
    let sim = read_sim(&mut r, sim_v);
    let model = Model {
        net,
        sim,
        raw_net: net_v.clone(),
        raw_sim: sim_v.clone(),
    };
    (Some(model), r.diags)
}

fn read_net(r: &mut Reader, v: &Value) -> NetParams {
    let path = "netParams";
    let mut net = NetParams::default();
    let Some(m) = r.object(v, path) else {
        return net;
    };
    // Every top-level number is a variable of string functions (NetPyNE passes all
    // numeric netParams attributes, its own settings included); keys that are not
    // NetPyNE settings but look like one get a warning.
    for (k, val) in m {
        if let Value::Number(n) = val
            && let Some(x) = n.as_f64()
        {
            net.vars.push((k.clone(), x));
        }
        if NET_KEYS.contains(&k.as_str()) {
            continue;
        }
        match val {
            Value::Number(_) => {
                if let Some(s) = nearest(k, NET_KEYS.iter().copied()) {
                    r.push(
                        Severity::Warning,
                        &child(path, k),
                        format!("`{k}` is not a netParams setting (did you mean `{s}`?); kept as a variable"),
                    );
                }
            }
            _ => {
                if let Some(s) = nearest(k, NET_KEYS.iter().copied()) {
                    r.push(
                        Severity::Warning,
                        &child(path, k),
                        format!("unknown key `{k}` (did you mean `{s}`?)"),
                    );
                }
            }
        }
    }
    for (key, slot) in [
        ("scale", &mut net.scale),
        ("sizeX", &mut net.size_x),
        ("sizeY", &mut net.size_y),
        ("sizeZ", &mut net.size_z),
        ("defaultWeight", &mut net.default_weight),
        ("defaultDelay", &mut net.default_delay),
        ("defaultThreshold", &mut net.default_threshold),
        ("propVelocity", &mut net.prop_velocity),
        ("scaleConnWeight", &mut net.scale_conn_weight),
        (
            "scaleConnWeightNetStims",
            &mut net.scale_conn_weight_net_stims,
        ),
    ] {
        if let Some(x) = r.opt_num(m, key, path) {
            *slot = x;
        }
    }
    for (key, x) in [
        ("sizeX", net.size_x),
        ("sizeY", net.size_y),
        ("sizeZ", net.size_z),
    ] {
        if !(x > 0.0) {
            r.error(
                &child(path, key),
                format!("network size must be positive, found {x}"),
            );
        }
    }
    if let Some(s) = r.opt_string(m, "shape", path) {
        net.shape = match s.as_str() {
            "cuboid" => Shape::Cuboid,
            "cylinder" => Shape::Cylinder,
            "ellipsoid" => Shape::Ellipsoid,
            other => {
                r.error(
                    &child(path, "shape"),
                    format!("unknown shape `{other}` (cuboid, cylinder or ellipsoid)"),
                );
                Shape::Cuboid
            }
        };
    }
    if let Some(d) = m
        .get("cellParams")
        .and_then(|v| r.object(v, "netParams.cellParams"))
    {
        for (label, rule) in d {
            let p = child("netParams.cellParams", label);
            net.cell_params
                .push((label.clone(), read_cell(r, rule, &p)));
        }
    }
    if let Some(d) = m
        .get("popParams")
        .and_then(|v| r.object(v, "netParams.popParams"))
    {
        for (label, pop) in d {
            let p = child("netParams.popParams", label);
            if let Some(pop) = read_pop(r, pop, &p) {
                net.pop_params.push((label.clone(), pop));
            }
        }
    }
    if let Some(d) = m
        .get("synMechParams")
        .and_then(|v| r.object(v, "netParams.synMechParams"))
    {
        for (label, sm) in d {
            let p = child("netParams.synMechParams", label);
            let Some(sm) = r.object(sm, &p) else { continue };
            let Some(mod_name) = r.opt_string(sm, "mod", &p) else {
                r.error(
                    &p,
                    "synaptic mechanism needs `mod` (the mechanism name, e.g. `Exp2Syn`)",
                );
                continue;
            };
            let params = r.params_dict(sm, &p, &["mod", "selfNetCon", "loc", "pointerParams"]);
            net.syn_mech_params
                .push((label.clone(), SynMech { mod_name, params }));
        }
    }
    if let Some(d) = m
        .get("connParams")
        .and_then(|v| r.object(v, "netParams.connParams"))
    {
        for (label, c) in d {
            let p = child("netParams.connParams", label);
            if let Some(c) = read_conn(r, c, &p) {
                net.conn_params.push((label.clone(), c));
            }
        }
    }
    if let Some(d) = m
        .get("stimSourceParams")
        .and_then(|v| r.object(v, "netParams.stimSourceParams"))
    {
        for (label, s) in d {
            let p = child("netParams.stimSourceParams", label);
            let Some(s) = r.object(s, &p) else { continue };
            let Some(kind) = r.opt_string(s, "type", &p) else {
                r.error(
                    &p,
                    "stimulation source needs `type` (e.g. `NetStim`, `IClamp`, `VecStim`)",
                );
                continue;
            };
            let spk_times = match s.get("spkTimes") {
                Some(v) => match r.param(v, &child(&p, "spkTimes")) {
                    Some(Param::List(l)) => Some(l),
                    Some(Param::Num(x)) => Some(vec![x]),
                    _ => None,
                },
                None => None,
            };
            let params = r.params_dict(s, &p, &["type", "spkTimes"]);
            net.stim_source_params.push((
                label.clone(),
                StimSource {
                    kind,
                    params,
                    spk_times,
                },
            ));
        }
    }
    if let Some(d) = m
        .get("stimTargetParams")
        .and_then(|v| r.object(v, "netParams.stimTargetParams"))
    {
        for (label, s) in d {
            let p = child("netParams.stimTargetParams", label);
            let Some(s) = r.object(s, &p) else { continue };
            r.keys(s, &p, STIM_TARGET_KEYS, false);
            let Some(source) = r.opt_string(s, "source", &p) else {
                r.error(
                    &p,
                    "stimulation target needs `source` (a stimSourceParams label)",
                );
                continue;
            };
            let t = StimTarget {
                source,
                conds: r.conds(s.get("conds"), &child(&p, "conds")),
                sec: r.opt_string(s, "sec", &p),
                loc: r.opt_param(s, "loc", &p),
                weight: r.opt_param(s, "weight", &p),
                delay: r.opt_param(s, "delay", &p),
                syn_mech: r.opt_string(s, "synMech", &p),
                syns_per_conn: r.opt_param(s, "synsPerConn", &p),
            };
            net.stim_target_params.push((label.clone(), t));
        }
    }
    cross_check(r, &net);
    net
}

fn read_pop(r: &mut Reader, v: &Value, path: &str) -> Option<Pop> {
    let m = r.object(v, path)?;
    r.keys(m, path, POP_KEYS, true);
    let mut pop = Pop {
        tags: m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        ..Pop::default()
    };
    pop.cell_type = r.opt_string(m, "cellType", path);
    pop.cell_model = r.opt_string(m, "cellModel", path);
    pop.num_cells = r.opt_num(m, "numCells", path);
    pop.density = r.opt_param(m, "density", path);
    for (i, c) in ["x", "y", "z"].iter().enumerate() {
        let k = format!("{c}Range");
        if let Some(v) = m.get(&k) {
            pop.range[i] = r.range(v, &child(path, &k));
        }
        let k = format!("{c}normRange");
        if let Some(v) = m.get(&k) {
            pop.norm_range[i] = r.range(v, &child(path, &k));
        }
    }
    if let Some(Value::Array(a)) = m.get("cellsList") {
        pop.cells_list = Some(a.clone());
    }
    if let Some(n) = pop.num_cells
        && (n < 0.0 || n.fract() != 0.0)
    {
        r.error(
            &child(path, "numCells"),
            format!("must be a whole number >= 0, found {n}"),
        );
    }
    if pop.num_cells.is_none()
        && pop.density.is_none()
        && pop.cells_list.is_none()
        && !m.contains_key("gridSpacing")
    {
        r.error(
            path,
            "population needs `numCells`, `density`, `gridSpacing` or `cellsList`",
        );
    }
    Some(pop)
}

fn read_cell(r: &mut Reader, v: &Value, path: &str) -> CellRule {
    let mut rule = CellRule::default();
    let Some(m) = r.object(v, path) else {
        return rule;
    };
    r.keys(m, path, CELL_KEYS, false);
    rule.conds = r.conds(m.get("conds"), &child(path, "conds"));
    if let Some(secs) = m
        .get("secs")
        .and_then(|s| r.object(s, &child(path, "secs")))
    {
        for (name, s) in secs {
            let p = child(&child(path, "secs"), name);
            rule.secs.push((name.clone(), read_sec(r, s, &p)));
        }
    } else {
        r.error(path, "cell rule has no `secs`");
    }
    if let Some(lists) = m
        .get("secLists")
        .and_then(|s| r.object(s, &child(path, "secLists")))
    {
        for (name, l) in lists {
            if let Some(names) = r.string_or_list(l, &child(&child(path, "secLists"), name)) {
                rule.sec_lists.push((name.clone(), names));
            }
        }
    }
    if let Some(g) = m
        .get("globals")
        .and_then(|s| r.object(s, &child(path, "globals")))
    {
        for (k, v) in g {
            if let Some(x) = r.num(v, &child(&child(path, "globals"), k)) {
                rule.globals.push((k.clone(), x));
            }
        }
    }
    // Topology must refer to sections of this rule.
    let names: Vec<&str> = rule.secs.iter().map(|(n, _)| n.as_str()).collect();
    for (name, s) in &rule.secs {
        if let Some(t) = &s.topol
            && !names.contains(&t.parent_sec.as_str())
        {
            let hint = nearest(&t.parent_sec, names.iter().copied())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            r.error(
                &child(&child(&child(path, "secs"), name), "topol"),
                format!(
                    "parentSec `{}` is not a section of this cell{hint}",
                    t.parent_sec
                ),
            );
        }
    }
    rule
}

fn read_sec(r: &mut Reader, v: &Value, path: &str) -> Sec {
    let mut sec = Sec::default();
    let Some(m) = r.object(v, path) else {
        return sec;
    };
    r.keys(m, path, SEC_KEYS, false);
    if let Some(g) = m
        .get("geom")
        .and_then(|g| r.object(g, &child(path, "geom")))
    {
        let p = child(path, "geom");
        r.keys(g, &p, GEOM_KEYS, false);
        sec.geom.l = r.opt_param(g, "L", &p);
        sec.geom.diam = r.opt_param(g, "diam", &p);
        sec.geom.ra = r.opt_param(g, "Ra", &p);
        sec.geom.cm = r.opt_param(g, "cm", &p);
        sec.geom.nseg = r.opt_param(g, "nseg", &p);
        if let Some(pts) = g.get("pt3d") {
            let pp = child(&p, "pt3d");
            match pts {
                Value::Array(a) => {
                    for (i, pt) in a.iter().enumerate() {
                        match r.param(pt, &format!("{pp}[{i}]")) {
                            Some(Param::List(l)) if l.len() == 4 => {
                                sec.geom.pt3d.push([l[0], l[1], l[2], l[3]])
                            }
                            Some(_) => {
                                r.error(&format!("{pp}[{i}]"), "a 3-D point is [x, y, z, diam]")
                            }
                            None => {}
                        }
                    }
                }
                other => r.wrong_type(&pp, "a list of [x, y, z, diam] points", other),
            }
        }
    }
    if let Some(t) = m
        .get("topol")
        .and_then(|t| r.object(t, &child(path, "topol")))
        && !t.is_empty()
    {
        let p = child(path, "topol");
        r.keys(t, &p, TOPOL_KEYS, false);
        match r.opt_string(t, "parentSec", &p) {
            Some(parent_sec) => {
                sec.topol = Some(Topol {
                    parent_sec,
                    parent_x: r.opt_num(t, "parentX", &p).unwrap_or(1.0),
                    child_x: r.opt_num(t, "childX", &p).unwrap_or(0.0),
                });
            }
            None => r.error(&p, "topol needs `parentSec`"),
        }
    }
    if let Some(mechs) = m
        .get("mechs")
        .and_then(|x| r.object(x, &child(path, "mechs")))
    {
        for (name, params) in mechs {
            let p = child(&child(path, "mechs"), name);
            let Some(pm) = r.object(params, &p) else {
                continue;
            };
            let params = r.params_dict(pm, &p, &[]);
            sec.mechs.push((name.clone(), params));
        }
    }
    if let Some(ions) = m
        .get("ions")
        .and_then(|x| r.object(x, &child(path, "ions")))
    {
        for (name, vals) in ions {
            let p = child(&child(path, "ions"), name);
            let Some(vm) = r.object(vals, &p) else {
                continue;
            };
            let mut out = Vec::new();
            for (k, v) in vm {
                if let Some(x) = r.num(v, &child(&p, k)) {
                    out.push((k.clone(), x));
                }
            }
            sec.ions.push((name.clone(), out));
        }
    }
    if let Some(pps) = m
        .get("pointps")
        .and_then(|x| r.object(x, &child(path, "pointps")))
    {
        for (name, pp) in pps {
            let p = child(&child(path, "pointps"), name);
            let Some(pm) = r.object(pp, &p) else { continue };
            let Some(mod_name) = r.opt_string(pm, "mod", &p) else {
                r.error(&p, "point process needs `mod`");
                continue;
            };
            let syn_list = match pm.get("synList") {
                Some(v) => r
                    .string_or_list(v, &child(&p, "synList"))
                    .unwrap_or_default(),
                None => Vec::new(),
            };
            sec.pointps.push((
                name.clone(),
                PointP {
                    mod_name,
                    loc: r.opt_num(pm, "loc", &p).unwrap_or(0.5),
                    vref: r.opt_string(pm, "vref", &p),
                    syn_list,
                    params: r.params_dict(pm, &p, &["mod", "loc", "vref", "synList", "_vref"]),
                },
            ));
        }
    }
    sec.spike_gen_loc = r.opt_num(m, "spikeGenLoc", path);
    sec.threshold = r.opt_num(m, "threshold", path);
    sec.vinit = r.opt_num(m, "vinit", path);
    sec
}

fn read_conn(r: &mut Reader, v: &Value, path: &str) -> Option<ConnRule> {
    let m = r.object(v, path)?;
    r.keys(m, path, CONN_KEYS, false);
    let given: Vec<&str> = ["probability", "convergence", "divergence", "connList"]
        .into_iter()
        .filter(|k| m.contains_key(*k))
        .collect();
    if given.len() > 1 {
        r.push(
            Severity::Warning,
            path,
            format!(
                "several connection patterns given ({}); NetPyNE uses the first of these",
                given.join(", ")
            ),
        );
    }
    let pattern = if let Some(v) = m.get("connList") {
        let p = child(path, "connList");
        let Value::Array(a) = v else {
            r.wrong_type(&p, "a list of [pre, post] index pairs", v);
            return None;
        };
        let mut pairs = Vec::with_capacity(a.len());
        for (i, e) in a.iter().enumerate() {
            match e {
                Value::Array(pq) if pq.len() == 2 => match (pq[0].as_u64(), pq[1].as_u64()) {
                    (Some(a), Some(b)) => pairs.push((a as usize, b as usize)),
                    _ => r.error(&format!("{p}[{i}]"), "indices must be whole numbers >= 0"),
                },
                other => r.wrong_type(&format!("{p}[{i}]"), "a [pre, post] index pair", other),
            }
        }
        ConnPattern::List(pairs)
    } else if let Some(p) = r.opt_param(m, "probability", path) {
        ConnPattern::Probability(p)
    } else if let Some(p) = r.opt_param(m, "convergence", path) {
        ConnPattern::Convergence(p)
    } else if let Some(p) = r.opt_param(m, "divergence", path) {
        ConnPattern::Divergence(p)
    } else {
        ConnPattern::Full
    };
    let sec = m
        .get("sec")
        .and_then(|v| r.string_or_list(v, &child(path, "sec")));
    let syn_mech = m
        .get("synMech")
        .and_then(|v| r.string_or_list(v, &child(path, "synMech")));
    Some(ConnRule {
        pre_conds: r.conds(m.get("preConds"), &child(path, "preConds")),
        post_conds: r.conds(m.get("postConds"), &child(path, "postConds")),
        pattern,
        weight: r.opt_param(m, "weight", path),
        delay: r.opt_param(m, "delay", path),
        loc: r.opt_param(m, "loc", path),
        sec,
        syn_mech,
        syns_per_conn: r.opt_param(m, "synsPerConn", path),
        threshold: r.opt_num(m, "threshold", path),
        raw: v.clone(),
    })
}

/// References between sections of netParams: synMech and stim source names.
fn cross_check(r: &mut Reader, net: &NetParams) {
    let syns: Vec<&str> = net
        .syn_mech_params
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    let sources: Vec<&str> = net
        .stim_source_params
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    let unknown = |r: &mut Reader, path: String, what: &str, name: &str, known: &[&str]| {
        let hint = nearest(name, known.iter().copied())
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        r.error(&path, format!("unknown {what} `{name}`{hint}"));
    };
    for (label, c) in &net.conn_params {
        for s in c.syn_mech.iter().flatten() {
            if !syns.contains(&s.as_str()) {
                unknown(
                    r,
                    child(&child("netParams.connParams", label), "synMech"),
                    "synMech",
                    s,
                    &syns,
                );
            }
        }
    }
    for (label, t) in &net.stim_target_params {
        let p = child("netParams.stimTargetParams", label);
        if !sources.contains(&t.source.as_str()) {
            unknown(
                r,
                child(&p, "source"),
                "stimulation source",
                &t.source,
                &sources,
            );
        }
        if let Some(s) = &t.syn_mech
            && !syns.contains(&s.as_str())
        {
            unknown(r, child(&p, "synMech"), "synMech", s, &syns);
        }
    }
}

fn read_sim(r: &mut Reader, v: &Value) -> SimConfig {
    let path = "simConfig";
    let mut sim = SimConfig::default();
    let Some(m) = r.object(v, path) else {
        return sim;
    };
    r.keys(m, path, SIM_KEYS, false);
    if let Some(x) = r
        .opt_num(m, "duration", path)
        .or_else(|| r.opt_num(m, "tstop", path))
    {
        sim.duration = x;
    }
    if let Some(x) = r.opt_num(m, "dt", path) {
        sim.dt = x;
    }
    if !(sim.dt > 0.0) {
        r.error(
            &child(path, "dt"),
            format!("dt must be positive, found {}", sim.dt),
        );
    }
    if !(sim.duration >= 0.0) {
        r.error(
            &child(path, "duration"),
            format!("duration must be >= 0, found {}", sim.duration),
        );
    }
    if let Some(h) = m
        .get("hParams")
        .and_then(|h| r.object(h, "simConfig.hParams"))
    {
        if let Some(x) = r.opt_num(h, "celsius", "simConfig.hParams") {
            sim.celsius = x;
        }
        if let Some(x) = r.opt_num(h, "v_init", "simConfig.hParams") {
            sim.v_init = x;
        }
    }
    if let Some(s) = m.get("seeds").and_then(|s| r.object(s, "simConfig.seeds")) {
        for (key, slot) in [
            ("conn", &mut sim.seeds.conn),
            ("stim", &mut sim.seeds.stim),
            ("loc", &mut sim.seeds.loc),
            ("cell", &mut sim.seeds.cell),
        ] {
            if let Some(x) = r.opt_num(s, key, "simConfig.seeds") {
                *slot = x as u32;
            }
        }
    }
    match m.get("recordCells") {
        Some(Value::Array(a)) => sim.record_cells = a.clone(),
        Some(Value::Null) | None => {}
        Some(other) => sim.record_cells = vec![other.clone()],
    }
    if let Some(t) = m
        .get("recordTraces")
        .and_then(|t| r.object(t, "simConfig.recordTraces"))
    {
        for (name, spec) in t {
            let p = child("simConfig.recordTraces", name);
            let Some(sm) = r.object(spec, &p) else {
                continue;
            };
            r.keys(sm, &p, TRACE_KEYS, false);
            let Some(var) = r.opt_string(sm, "var", &p) else {
                r.error(&p, "trace needs `var` (e.g. `v`)");
                continue;
            };
            sim.record_traces.push((
                name.clone(),
                TraceSpec {
                    sec: r.opt_string(sm, "sec", &p),
                    loc: r.opt_num(sm, "loc", &p).unwrap_or(0.5),
                    var,
                    mech: r.opt_string(sm, "mech", &p),
                    syn_mech: r.opt_string(sm, "synMech", &p),
                    pointp: r.opt_string(sm, "pointp", &p),
                    conds: r.conds(sm.get("conds"), &child(&p, "conds")),
                },
            ));
        }
    }
    if let Some(x) = r.opt_num(m, "recordStep", path) {
        sim.record_step = x;
    }
    if !(sim.record_step > 0.0 && sim.record_step.is_finite()) {
        r.error(
            &child(path, "recordStep"),
            format!("recordStep must be positive, found {}", sim.record_step),
        );
    }
    // A run that cannot finish, or a trace that cannot be held, is refused up front
    // (a damaged `dt: 1e-300` would otherwise mean 5e301 steps and a run without end).
    let steps = sim.duration / sim.dt;
    if sim.dt > 0.0 && steps > MAX_STEPS {
        r.error(
            &child(path, "dt"),
            format!(
                "{} ms at dt = {} ms is {steps:.3e} time steps; more than {MAX_STEPS:.0e} cannot finish",
                sim.duration, sim.dt
            ),
        );
    }
    let samples = sim.duration / sim.record_step;
    if sim.record_step > 0.0 && samples > MAX_SAMPLES {
        r.error(
            &child(path, "recordStep"),
            format!(
                "recordStep = {} ms over {} ms is {samples:.3e} samples per trace ({:.1} GB each); at most {MAX_SAMPLES:.0e} are recorded",
                sim.record_step,
                sim.duration,
                samples * 8.0 / 1e9
            ),
        );
    }
    sim.record_stim = r.boolean(m, "recordStim", path, false);
    if let Some(f) = r.opt_string(m, "filename", path) {
        sim.filename = f;
    }
    sim.save_json = r.boolean(m, "saveJson", path, false);
    sim.one_syn_per_netcon = r.boolean(m, "oneSynPerNetcon", path, true);
    sim.allow_self_conns = r.boolean(m, "allowSelfConns", path, false);
    sim.allow_conns_with_weight0 = r.boolean(m, "allowConnsWithWeight0", path, true);
    sim.pt3d_relative_to_cell_location = r.boolean(m, "pt3dRelativeToCellLocation", path, true);
    sim.inverted_y_coord = r.boolean(m, "invertedYCoord", path, true);
    if let Some(a) = m
        .get("analysis")
        .and_then(|a| r.object(a, "simConfig.analysis"))
    {
        sim.analysis = a.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    }
    if let Some(v) = m.get("modFolders") {
        sim.mod_folders = r
            .string_or_list(v, "simConfig.modFolders")
            .unwrap_or_default();
    }
    sim
}
