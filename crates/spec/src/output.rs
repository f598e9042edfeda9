//! NetPyNE's `saveJson` layout, serialized as a stream (no intermediate JSON tree, so a
//! 10,000-cell network is written without holding a copy of it in memory).
//!
//! Layout: `net` (`cells` with `conns`, `gid`, `secLists`, `secs` (with the synapses
//! placed on each section as `synMechs`), `stims`, `tags`; `params` = netParams; `pops`
//! with `cellGids` and `tags`), `netpyne_changeset`, `netpyne_version`, `simConfig`, and
//! `simData` (`V_soma`-style traces keyed by `cell_<gid>`, `avgRate`, `spkid`, `spkt`,
//! `stims` with `recordStim`, `t`). Keys are written in sorted order, as NetPyNE does.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

use crate::model::{Model, Param};
use crate::sim::RunOutput;

/// The whole output file.
pub struct NetpyneJson<'a> {
    pub model: &'a Model,
    pub out: &'a RunOutput,
}

/// The output as a JSON value (convenient for tests; writers should serialize
/// [`NetpyneJson`] directly).
#[must_use]
pub fn netpyne_json(model: &Model, out: &RunOutput) -> Value {
    serde_json::to_value(NetpyneJson { model, out }).unwrap_or(Value::Null)
}

impl Serialize for NetpyneJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(5))?;
        m.serialize_entry("net", &Net(self))?;
        m.serialize_entry("netpyne_changeset", "")?;
        m.serialize_entry(
            "netpyne_version",
            concat!("ranvier ", env!("CARGO_PKG_VERSION")),
        )?;
        m.serialize_entry("simConfig", &self.model.raw_sim)?;
        m.serialize_entry("simData", &SimData(self))?;
        m.end()
    }
}

struct Net<'a>(&'a NetpyneJson<'a>);

impl Serialize for Net<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (model, out) = (self.0.model, self.0.out);
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("cells", &Cells(self.0))?;
        m.serialize_entry("params", &model.raw_net)?;
        m.serialize_entry("pops", &Pops(model, out))?;
        m.end()
    }
}

struct Pops<'a>(&'a Model, &'a RunOutput);

impl Serialize for Pops<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (model, out) = (self.0, self.1);
        let mut m = s.serialize_map(Some(model.net.pop_params.len()))?;
        for (pi, (label, pop)) in model.net.pop_params.iter().enumerate() {
            let gids: Vec<u64> = out
                .plan
                .pop_gids
                .get(pi)
                .cloned()
                .map(Iterator::collect)
                .unwrap_or_default();
            let mut tags: serde_json::Map<String, Value> = pop.tags.iter().cloned().collect();
            tags.insert("pop".into(), Value::from(label.clone()));
            m.serialize_entry(label, &serde_json::json!({"cellGids": gids, "tags": tags}))?;
        }
        m.end()
    }
}

struct Cells<'a>(&'a NetpyneJson<'a>);

impl Serialize for Cells<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let n = self.0.out.plan.cells.len();
        let mut seq = s.serialize_seq(Some(n))?;
        for i in 0..n {
            seq.serialize_element(&Cell(self.0, i))?;
        }
        seq.end()
    }
}

struct Cell<'a>(&'a NetpyneJson<'a>, usize);

impl Serialize for Cell<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (model, out, i) = (self.0.model, self.0.out, self.1);
        let c = &out.plan.cells[i];
        let rule_label = c.rule.map(|r| model.net.cell_params[r].0.as_str());
        let raw_rule =
            rule_label.and_then(|l| model.raw_net.get("cellParams").and_then(|r| r.get(l)));
        let mut m = s.serialize_map(Some(6))?;
        m.serialize_entry("conns", &Conns(self.0, i))?;
        m.serialize_entry("gid", &c.gid)?;
        m.serialize_entry(
            "secLists",
            raw_rule
                .and_then(|r| r.get("secLists"))
                .unwrap_or(&Value::Object(Default::default())),
        )?;
        m.serialize_entry(
            "secs",
            &Secs(self.0, i, raw_rule.and_then(|r| r.get("secs"))),
        )?;
        m.serialize_entry("stims", &Stims(self.0, i))?;
        m.serialize_entry("tags", &Tags(&c.tags, rule_label))?;
        m.end()
    }
}

struct Tags<'a>(&'a [(String, Value)], Option<&'a str>);

impl Serialize for Tags<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut keys: Vec<(&str, Value)> = self
            .0
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        if let Some(l) = self.1 {
            keys.push(("label", Value::Array(vec![Value::from(l)])));
        }
        keys.sort_by(|a, b| a.0.cmp(b.0));
        let mut m = s.serialize_map(Some(keys.len()))?;
        for (k, v) in keys {
            m.serialize_entry(k, &v)?;
        }
        m.end()
    }
}

/// Numeric parameters of a synapse or stimulus source, as a map.
fn params_entries(params: &[(String, Param)]) -> impl Iterator<Item = (&str, f64)> {
    params
        .iter()
        .filter_map(|(k, p)| p.as_num().map(|x| (k.as_str(), x)))
}

struct Conns<'a>(&'a NetpyneJson<'a>, usize);

impl Serialize for Conns<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (model, out, i) = (self.0.model, self.0.out, self.1);
        let net = &model.net;
        let mut seq = s.serialize_seq(None)?;
        for k in &out.plan.conns[i] {
            seq.serialize_element(&serde_json::json!({
                "delay": k.delay, "label": net.conn_params[k.rule].0, "loc": k.loc, "preGid": k.pre_gid,
                "preLoc": 0.5, "sec": k.sec, "synMech": net.syn_mech_params[k.syn_mech].0, "weight": k.weight,
            }))?;
        }
        for st in &out.plan.stims[i] {
            let (src_label, src) = &net.stim_source_params[st.source];
            if let (true, Some(sm)) = (src.kind == "NetStim" || src.kind == "VecStim", st.syn_mech)
            {
                seq.serialize_element(&serde_json::json!({
                    "delay": st.delay, "loc": st.loc, "preGid": src.kind, "preLabel": src_label,
                    "preLoc": 0.5, "sec": st.sec, "synMech": net.syn_mech_params[sm].0, "weight": st.weight,
                }))?;
            }
        }
        seq.end()
    }
}

struct Stims<'a>(&'a NetpyneJson<'a>, usize);

impl Serialize for Stims<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (model, out, i) = (self.0.model, self.0.out, self.1);
        let net = &model.net;
        let mut seq = s.serialize_seq(Some(out.plan.stims[i].len()))?;
        for st in &out.plan.stims[i] {
            let (src_label, src) = &net.stim_source_params[st.source];
            let mut o = serde_json::Map::new();
            for (k, x) in &st.params {
                o.insert(k.clone(), Value::from(*x));
            }
            o.insert("source".into(), Value::from(src_label.clone()));
            o.insert("type".into(), Value::from(src.kind.clone()));
            if src.kind == "NetStim" {
                o.entry("seed").or_insert(Value::from(model.sim.seeds.stim));
            } else {
                o.insert("sec".into(), Value::from(st.sec.clone()));
                o.insert("loc".into(), Value::from(st.loc));
                o.insert(
                    "label".into(),
                    Value::from(net.stim_target_params[st.target].0.clone()),
                );
            }
            seq.serialize_element(&o)?;
        }
        seq.end()
    }
}

/// The cell rule's sections as written, each with the synapses placed on it.
struct Secs<'a>(&'a NetpyneJson<'a>, usize, Option<&'a Value>);

impl Serialize for Secs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Some(Value::Object(secs)) = self.2 else {
            return s.serialize_map(Some(0))?.end();
        };
        let mut m = s.serialize_map(Some(secs.len()))?;
        for (name, sec) in secs {
            m.serialize_entry(name, &Sec(self.0, self.1, name, sec))?;
        }
        m.end()
    }
}

struct Sec<'a>(&'a NetpyneJson<'a>, usize, &'a str, &'a Value);

impl Serialize for Sec<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Value::Object(raw) = self.3 else {
            return self.3.serialize(s);
        };
        let mut m = s.serialize_map(None)?;
        for (k, v) in raw {
            if k != "synMechs" {
                m.serialize_entry(k, v)?;
            }
        }
        m.serialize_entry("synMechs", &SynMechs(self.0, self.1, self.2))?;
        m.end()
    }
}

struct SynMechs<'a>(&'a NetpyneJson<'a>, usize, &'a str);

impl Serialize for SynMechs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (model, out, i, sec) = (self.0.model, self.0.out, self.1, self.2);
        let net = &model.net;
        let syn = |sm: usize, loc: f64| {
            let (label, mech) = &net.syn_mech_params[sm];
            let mut o = serde_json::Map::new();
            for (k, x) in params_entries(&mech.params) {
                o.insert(k.to_owned(), Value::from(x));
            }
            o.insert("label".into(), Value::from(label.clone()));
            o.insert("loc".into(), Value::from(loc));
            o.insert("mod".into(), Value::from(mech.mod_name.clone()));
            o
        };
        let mut seq = s.serialize_seq(None)?;
        for k in out.plan.conns[i].iter().filter(|k| k.sec == sec) {
            seq.serialize_element(&syn(k.syn_mech, k.loc))?;
        }
        for st in out.plan.stims[i].iter().filter(|st| st.sec == sec) {
            if let Some(sm) = st.syn_mech
                && matches!(
                    net.stim_source_params[st.source].1.kind.as_str(),
                    "NetStim" | "VecStim"
                )
            {
                seq.serialize_element(&syn(sm, st.loc))?;
            }
        }
        seq.end()
    }
}

struct SimData<'a>(&'a NetpyneJson<'a>);

impl Serialize for SimData<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (model, out) = (self.0.model, self.0.out);
        // Sorted keys: the trace names, then avgRate, spkid, spkt, stims, t.
        let mut keys: Vec<&str> = model
            .sim
            .record_traces
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        keys.extend(["avgRate", "spkid", "spkt", "t"]);
        if model.sim.record_stim {
            keys.push("stims");
        }
        keys.sort_unstable();
        let mut m = s.serialize_map(Some(keys.len()))?;
        for k in keys {
            match k {
                "avgRate" => {
                    let n = out.plan.cells.len();
                    let rate = if n > 0 && model.sim.duration > 0.0 {
                        out.spikes.len() as f64 / n as f64 / (model.sim.duration / 1000.0)
                    } else {
                        0.0
                    };
                    m.serialize_entry(k, &rate)?;
                }
                "spkid" => m.serialize_entry(k, &Column(out, |s| s.1 as f64))?,
                "spkt" => m.serialize_entry(k, &Column(out, |s| s.0))?,
                "t" => m.serialize_entry(k, &out.t)?,
                "stims" => m.serialize_entry(k, &StimData(out))?,
                name => m.serialize_entry(name, &TraceData(out, name))?,
            }
        }
        m.end()
    }
}

struct Column<'a, F: Fn(&(f64, u64)) -> f64>(&'a RunOutput, F);

impl<F: Fn(&(f64, u64)) -> f64> Serialize for Column<'_, F> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.spikes.len()))?;
        for sp in &self.0.spikes {
            seq.serialize_element(&(self.1)(sp))?;
        }
        seq.end()
    }
}

struct TraceData<'a>(&'a RunOutput, &'a str);

impl Serialize for TraceData<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        for tr in self.0.traces.iter().filter(|t| t.name == self.1) {
            m.serialize_entry(&format!("cell_{}", tr.gid), &tr.values)?;
        }
        m.end()
    }
}

struct StimData<'a>(&'a RunOutput);

impl Serialize for StimData<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // cell -> label -> times, cells in gid order.
        let mut by_cell: std::collections::BTreeMap<u64, Vec<(&str, f64)>> =
            std::collections::BTreeMap::new();
        for (gid, label, t) in &self.0.stim_spikes {
            by_cell.entry(*gid).or_default().push((label.as_str(), *t));
        }
        let mut m = s.serialize_map(Some(by_cell.len()))?;
        for (gid, events) in by_cell {
            let mut labels: serde_json::Map<String, Value> = serde_json::Map::new();
            for (label, t) in events {
                if let Value::Array(a) = labels
                    .entry(label.to_owned())
                    .or_insert_with(|| Value::Array(Vec::new()))
                {
                    a.push(Value::from(t));
                }
            }
            m.serialize_entry(&format!("cell_{gid}"), &labels)?;
        }
        m.end()
    }
}
