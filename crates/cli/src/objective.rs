//! The network objective of `ranvier optimize`: an optimisation file names a model, the
//! parameters to vary (by path, with bounds) and the fitness (expressions over the
//! network's firing rates). Every candidate builds and simulates its network in Rust.
//!
//! ```json
//! {
//!   "model": "model.json",
//!   "parameters": [
//!     {"path": "connParams.\"S->M\".probability", "bounds": [0.01, 0.5]},
//!     {"path": "connParams.\"S->M\".weight", "bounds": [0.001, 0.1]}
//!   ],
//!   "fitness": "abs(rate - 17)",
//!   "timeLimit": 60
//! }
//! ```
//!
//! Paths are relative to `netParams` unless they start with `netParams.` or
//! `simConfig.`; a quoted segment may hold dots and arrows. Fitness variables: `rate`
//! (spikes per cell per second over the whole network, as NetPyNE's tutorial computes
//! it), `rate_<pop>` per population (characters other than letters, digits and `_`
//! become `_`), `spikes`, `cells`, and the candidate's values: `p1`, `p2`, … in the order
//! of `parameters`, and under a parameter's `"label"` when it has one (for a cost such
//! as `p2 * 100`). A list of expressions is a multi-objective fitness.
//! Everything is checked before any evaluation: unknown paths, bounds with low > high,
//! expressions naming unknown quantities.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ranvier_mech::Catalogue;
use serde_json::Value;

/// One parameter to vary.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    /// As written.
    pub text: String,
    /// `netParams`/`simConfig`, then the keys.
    pub path: Vec<String>,
    pub low: f64,
    pub high: f64,
}

/// A loaded optimisation objective.
#[derive(Debug)]
pub struct Objective {
    pub model_path: PathBuf,
    /// The model, with `{"import": ...}` cell rules already resolved.
    pub model: Value,
    pub parameters: Vec<Parameter>,
    /// Fitness expressions (one per objective) and their sources.
    pub fitness: Vec<(String, ranvier_expr::Program)>,
    /// Names of the fitness variables, in the order `fitness` expects them.
    pub variables: Vec<String>,
    /// Population labels in `netParams.popParams` order.
    pub pops: Vec<String>,
    /// Wall-clock limit per candidate.
    pub time_limit: Option<Duration>,
    /// Indices of the parameters that have a `label` (in `variables` order).
    pub labelled: Vec<usize>,
    /// The rest of the file (algorithm settings) for the caller.
    pub raw: Value,
}

/// What evaluating one candidate gave.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Fitness values, one per objective.
    Fitness(Vec<f64>),
    /// The candidate could not be evaluated (and why): it gets the worst fitness.
    Failed(String),
}

/// Parse a parameter path: `a.b."c.d".e`.
pub fn parse_path(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        let mut seg = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            let mut closed = false;
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(n) = chars.next() {
                            seg.push(n);
                        }
                    }
                    '"' => {
                        closed = true;
                        break;
                    }
                    c => seg.push(c),
                }
            }
            if !closed {
                return Err(format!("`{text}`: unterminated quote"));
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == '.' {
                    break;
                }
                seg.push(c);
                chars.next();
            }
        }
        if seg.is_empty() {
            return Err(format!("`{text}`: empty path segment"));
        }
        out.push(seg);
        match chars.next() {
            None => break,
            Some('.') => {}
            Some(c) => {
                return Err(format!(
                    "`{text}`: expected `.` after a quoted key, found `{c}`"
                ));
            }
        }
    }
    if !matches!(out[0].as_str(), "netParams" | "simConfig") {
        out.insert(0, "netParams".into());
    }
    Ok(out)
}

fn ident(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Set `path` in `model` to `x` (the parent must exist).
fn set_path(model: &mut Value, path: &[String], x: f64) -> Result<(), String> {
    let (leaf, parents) = path.split_last().ok_or("empty path")?;
    let mut node = model;
    for (i, key) in parents.iter().enumerate() {
        node = node
            .get_mut(key)
            .ok_or_else(|| format!("`{}` does not exist in the model", path[..=i].join(".")))?;
    }
    let obj = node
        .as_object_mut()
        .ok_or_else(|| format!("`{}` is not an object", parents.join(".")))?;
    match obj.get(leaf) {
        None | Some(Value::Number(_) | Value::String(_)) => {
            obj.insert(leaf.clone(), Value::from(x));
            Ok(())
        }
        Some(other) => Err(format!("`{}` holds {other}, not a number", path.join("."))),
    }
}

impl Objective {
    /// Load an optimisation file (paths relative to it), resolve the model's imports and
    /// `.mod` folders into `catalogue`, and check everything before any evaluation.
    pub fn load(
        path: &Path,
        catalogue: &mut Catalogue,
        log: &mut dyn std::io::Write,
    ) -> Result<Objective, String> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: {e}"))?;
        let raw: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{name}:{}:{}: invalid JSON: {e}", e.line(), e.column()))?;
        let dir = path.parent().unwrap_or(Path::new(""));
        let model_rel = raw
            .get("model")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{name}: `model` (the MODEL.json to optimise) is required"))?;
        let model_path = dir.join(model_rel);
        let mtext = std::fs::read_to_string(&model_path)
            .map_err(|e| format!("{name}: model `{}`: {e}", model_path.display()))?;
        let mut model: Value = serde_json::from_str(&mtext).map_err(|e| {
            format!(
                "{}:{}:{}: invalid JSON: {e}",
                model_path.display(),
                e.line(),
                e.column()
            )
        })?;
        let model_dir = model_path.parent().unwrap_or(Path::new(""));
        let mut mod_paths: Vec<PathBuf> = model
            .get("simConfig")
            .and_then(|s| s.get("modFolders"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(|f| model_dir.join(f))
                    .collect()
            })
            .unwrap_or_default();
        mod_paths.extend(crate::import::import_mod_folders(&model, model_dir));
        let unavailable = crate::mods::add_to_catalogue(&mod_paths, &[], catalogue, log)?;
        crate::import::resolve_imports(&mut model, model_dir, catalogue)
            .map_err(|e| format!("{e}{}", crate::mods::unavailable_note(&unavailable)))?;
        // Candidates change numbers only, so the mechanisms used are the base model's.
        if let (Some(base), _) = ranvier_spec::load(&model) {
            crate::mods::check_used(&unavailable, base.net.mechanisms_used())
                .map_err(|e| format!("{name}: {e}"))?;
        }
        // Parameters.
        let params = raw
            .get("parameters")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                format!("{name}: `parameters` (a list of {{\"path\", \"bounds\"}}) is required")
            })?;
        if params.is_empty() {
            return Err(format!("{name}: `parameters` is empty"));
        }
        let mut parameters = Vec::new();
        for (i, p) in params.iter().enumerate() {
            let at = format!("{name}: parameters[{i}]");
            let text = p
                .get("path")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{at}: `path` is required"))?;
            let path = parse_path(text).map_err(|e| format!("{at}: {e}"))?;
            let b = p
                .get("bounds")
                .and_then(Value::as_array)
                .filter(|b| b.len() == 2)
                .ok_or_else(|| format!("{at}: `bounds` must be [low, high]"))?;
            let (Some(low), Some(high)) = (b[0].as_f64(), b[1].as_f64()) else {
                return Err(format!("{at}: `bounds` must be numbers"));
            };
            if !(low <= high) || !low.is_finite() || !high.is_finite() {
                return Err(format!(
                    "{at} `{text}`: bounds [{low}, {high}] have low > high (or are not finite)"
                ));
            }
            // The path must lead to the model (checked on a copy).
            let mut probe = model.clone();
            set_path(&mut probe, &path, low)
                .map_err(|e| format!("{at}: unknown parameter path: {e}"))?;
            parameters.push(Parameter {
                text: text.to_owned(),
                path,
                low,
                high,
            });
        }
        // Fitness variables and expressions.
        let pops: Vec<String> = model
            .get("netParams")
            .and_then(|n| n.get("popParams"))
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        let mut variables = vec!["rate".to_owned(), "spikes".to_owned(), "cells".to_owned()];
        variables.extend(pops.iter().map(|p| format!("rate_{}", ident(p))));
        // The candidate's own values: `p1`, `p2`, ... and each parameter's `label`.
        variables.extend((1..=parameters.len()).map(|i| format!("p{i}")));
        for (i, p) in params.iter().enumerate() {
            if let Some(l) = p.get("label") {
                let l = l
                    .as_str()
                    .filter(|l| {
                        l.bytes().next().is_some_and(ranvier_span::is_ident_start)
                            && l.bytes().all(ranvier_span::is_ident_continue)
                    })
                    .ok_or_else(|| {
                        format!(
                            "{name}: parameters[{i}]: `label` must be a name (letters, digits, `_`)"
                        )
                    })?;
                if variables.iter().any(|v| v == l) {
                    return Err(format!(
                        "{name}: parameters[{i}]: label `{l}` is already the name of a quantity"
                    ));
                }
                variables.push(l.to_owned());
            }
        }
        let labelled: Vec<usize> = params
            .iter()
            .enumerate()
            .filter(|(_, p)| p.get("label").is_some())
            .map(|(i, _)| i)
            .collect();
        let exprs: Vec<String> = match raw.get("fitness") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| format!("{name}: `fitness` items must be strings"))
                })
                .collect::<Result<_, _>>()?,
            _ => {
                return Err(format!(
                    "{name}: `fitness` (an expression such as \"abs(rate - 17)\", or a list of them) is required"
                ));
            }
        };
        let vars: Vec<&str> = variables.iter().map(String::as_str).collect();
        let mut fitness = Vec::new();
        for e in exprs {
            let prog = ranvier_expr::compile(&e, &vars).map_err(|err| {
                format!(
                    "{name}: fitness `{e}`: {err} (known quantities: {})",
                    variables.join(", ")
                )
            })?;
            if prog.uses_random() {
                return Err(format!(
                    "{name}: fitness `{e}` draws random numbers; it must be deterministic"
                ));
            }
            fitness.push((e, prog));
        }
        let time_limit = match raw.get("timeLimit") {
            None => None,
            Some(v) => match v.as_f64().map(|s| (s, Duration::try_from_secs_f64(s))) {
                Some((s, Ok(d))) if s > 0.0 => Some(d),
                _ => {
                    return Err(format!(
                        "{name}: `timeLimit` must be a positive number of seconds"
                    ));
                }
            },
        };
        Ok(Objective {
            labelled,
            model_path,
            model,
            parameters,
            fitness,
            variables,
            pops,
            time_limit,
            raw,
        })
    }

    /// The model with `candidate`'s values in place.
    pub fn model_for(&self, candidate: &[f64]) -> Result<Value, String> {
        let mut m = self.model.clone();
        for (p, &x) in self.parameters.iter().zip(candidate) {
            set_path(&mut m, &p.path, x)?;
        }
        Ok(m)
    }

    /// Build and simulate `candidate`'s network and compute its fitness. Never panics
    /// and never runs past the time limit: failures come back as [`Outcome::Failed`].
    #[must_use]
    pub fn evaluate(&self, candidate: &[f64], catalogue: &Catalogue) -> Outcome {
        match self.try_evaluate(candidate, catalogue) {
            Ok(f) if f.iter().all(|x| x.is_finite()) => Outcome::Fitness(f),
            Ok(f) => Outcome::Failed(format!("the fitness is not finite: {f:?}")),
            Err(e) => Outcome::Failed(e),
        }
    }

    fn try_evaluate(&self, candidate: &[f64], catalogue: &Catalogue) -> Result<Vec<f64>, String> {
        let value = self.model_for(candidate)?;
        let (model, diags) = ranvier_spec::load(&value);
        if let Some(d) = diags
            .iter()
            .find(|d| d.severity == ranvier_spec::Severity::Error)
        {
            return Err(format!("the model does not load: {d}"));
        }
        let model = model.ok_or("the model does not load")?;
        let deadline = self.time_limit.map(|d| Instant::now() + d);
        let (out, _) = ranvier_spec::sim::simulate_until(&model, catalogue, 1, |_| {}, deadline)
            .map_err(|e| e.to_string())?;
        let duration = model.sim.duration / 1000.0; // [s]
        let cells: usize = out.plan.cells.len();
        let spikes = out.spikes.len();
        let mut vars = vec![
            if cells > 0 {
                spikes as f64 / cells as f64 / duration
            } else {
                0.0
            },
            spikes as f64,
            cells as f64,
        ];
        for k in 0..self.pops.len() {
            let range = out.plan.pop_gids.get(k).cloned().unwrap_or(0..0);
            let n = out.spikes.iter().filter(|(_, g)| range.contains(g)).count();
            let size = (range.end - range.start) as f64;
            vars.push(if size > 0.0 {
                n as f64 / size / duration
            } else {
                0.0
            });
        }
        vars.extend_from_slice(candidate);
        vars.extend(self.labelled.iter().map(|&i| candidate[i]));
        let mut rng = ranvier_rng::KeyedRng::from_parts(0, 0, 0);
        Ok(self
            .fitness
            .iter()
            .map(|(_, p)| p.eval(&vars, &mut rng))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_with_quoted_keys() {
        assert_eq!(
            parse_path("connParams.\"S->M\".probability").unwrap(),
            ["netParams", "connParams", "S->M", "probability"]
        );
        assert_eq!(
            parse_path("simConfig.duration").unwrap(),
            ["simConfig", "duration"]
        );
        assert_eq!(parse_path("a.\"x.y\"").unwrap(), ["netParams", "a", "x.y"]);
        assert!(parse_path("a..b").is_err());
        assert!(parse_path("a.\"b").is_err());
    }

    #[test]
    fn setting_a_path_needs_its_parent() {
        let mut m = serde_json::json!({"netParams": {"connParams": {"S->M": {"weight": 0.01, "synMech": "exc"}}}});
        set_path(
            &mut m,
            &parse_path("connParams.\"S->M\".delay").unwrap(),
            5.0,
        )
        .unwrap();
        assert_eq!(m["netParams"]["connParams"]["S->M"]["delay"], 5.0);
        assert!(
            set_path(
                &mut m,
                &parse_path("connParams.\"S->X\".delay").unwrap(),
                1.0
            )
            .unwrap_err()
            .contains("S->X")
        );
    }
}
