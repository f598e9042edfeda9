//! `ranvier import` and the `{"import": {...}}` entries of `cellParams`: run a hoc
//! template (or read an SWC file) and convert the cell into a NetPyNE cell rule.

use std::path::{Path, PathBuf};

use ranvier_hoc::{ArgValue, Catalog, Interp};
use ranvier_mech::Catalogue;
use ranvier_spec::import::{ImportOptions, ImportedCell, cell_rule, mech_meta};
use serde_json::{Map, Value};

/// What to import.
#[derive(Clone, Debug)]
pub struct ImportSpec {
    /// A `.hoc`/`.tem` file.
    pub file: PathBuf,
    /// The template to instantiate (for hoc files).
    pub cell: String,
    /// Arguments of the template's `init()`.
    pub args: Vec<ArgValue>,
    pub import_syn_mechs: bool,
    pub soma_at_origin: bool,
    /// Sections to rename afterwards (`renameCellParamsSec`): `(old, new)`.
    pub rename: Vec<(String, String)>,
}

/// The hoc interpreter's view of the mechanisms of `catalogue`.
#[must_use]
pub fn hoc_catalog(catalogue: &Catalogue) -> Catalog {
    Catalog::new((0..catalogue.len()).map(|i| mech_meta(catalogue.by_index(i).info())))
}

/// Parse `--args` / `cellArgs`: a JSON number, string, or list of them.
pub fn parse_args(v: &Value) -> Result<Vec<ArgValue>, String> {
    let one = |v: &Value| match v {
        Value::Number(n) => n
            .as_f64()
            .map(ArgValue::Num)
            .ok_or_else(|| format!("cell argument {n} is not a number")),
        Value::String(s) => Ok(ArgValue::Str(s.clone())),
        Value::Bool(b) => Ok(ArgValue::Num(f64::from(u8::from(*b)))),
        other => Err(format!(
            "cell arguments must be numbers or strings, not {other}"
        )),
    };
    match v {
        Value::Null => Ok(Vec::new()),
        Value::Array(a) => a.iter().map(one).collect(),
        Value::Object(m) if m.is_empty() => Ok(Vec::new()),
        Value::Object(_) => Err(
            "keyword cell arguments (a dict) are not supported for hoc templates: pass a list"
                .into(),
        ),
        other => Ok(vec![one(other)?]),
    }
}

/// Import one cell.
pub fn import_cell(spec: &ImportSpec, catalogue: &Catalogue) -> Result<ImportedCell, String> {
    let mut cell = import_unrenamed(spec, catalogue)?;
    for (old, new) in &spec.rename {
        ranvier_spec::import::rename_sec(&mut cell.rule, old, new)
            .map_err(|e| format!("{}: {e}", spec.file.display()))?;
    }
    Ok(cell)
}

fn import_unrenamed(spec: &ImportSpec, catalogue: &Catalogue) -> Result<ImportedCell, String> {
    let ext = spec
        .file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "hoc" | "tem" => import_hoc(spec, catalogue),
        "swc" => import_swc(spec, catalogue),
        "py" => Err(format!(
            "{}: Python cell classes cannot be imported yet (use a hoc template or SWC)",
            spec.file.display()
        )),
        _ => Err(format!(
            "{}: the file name should end in .hoc, .tem or .swc",
            spec.file.display()
        )),
    }
}

fn import_hoc(spec: &ImportSpec, catalogue: &Catalogue) -> Result<ImportedCell, String> {
    let catalog = hoc_catalog(catalogue);
    let mut interp = Interp::new(catalog.clone(), Vec::new());
    interp.run_file(&spec.file).map_err(|e| interp.render(&e))?;
    let id = interp
        .new_instance(&spec.cell, spec.args.clone())
        .map_err(|e| format!("{}: {}", spec.file.display(), interp.render(&e)))?;
    let cell = interp.cell(id);
    if cell.sections.is_empty() {
        return Err(format!(
            "{}: `{}` creates no sections, so there is no cell to import",
            spec.file.display(),
            spec.cell
        ));
    }
    Ok(cell_rule(
        &cell,
        &catalog,
        &ImportOptions {
            cell_name: spec.cell.clone(),
            import_syn_mechs: spec.import_syn_mechs,
            soma_at_origin: spec.soma_at_origin,
        },
    ))
}

/// An SWC morphology as NetPyNE's `morphology.load()` builds it: one section per
/// Import3d section (`soma_0`, `dend_3`, ...) with its 3-D points, NEURON's defaults
/// for `nseg`, `Ra` and `cm`, and no mechanisms.
fn import_swc(spec: &ImportSpec, catalogue: &Catalogue) -> Result<ImportedCell, String> {
    let name = spec.file.display().to_string();
    let text = std::fs::read_to_string(&spec.file).map_err(|e| format!("{name}: {e}"))?;
    let (morph, diags) = ranvier_morph::read_swc(&text);
    let source = ranvier_span::SourceFile::new(name.clone(), text);
    let errors: Vec<String> = diags
        .iter()
        .filter(|d| d.is_error())
        .map(|d| ranvier_span::render(d, &source, ranvier_span::RenderStyle::Plain))
        .collect();
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    let Some(morph) = morph else {
        return Err(format!("{name}: no morphology"));
    };
    let m = morph.to_morphology().map_err(|e| format!("{name}: {e}"))?;
    let mut geo = m.clone();
    let g = geo.geometry().map_err(|e| format!("{name}: {e}"))?;
    let sections = morph
        .sections
        .iter()
        .zip(m.sections())
        .zip(&g)
        .map(|((s, sec), g)| ranvier_hoc::CellSection {
            name: s.name.clone(),
            array: None,
            nseg: sec.nseg(),
            l: sec.length(),
            diam: g.diam.clone(),
            cm: sec.cm.clone(),
            ra: sec.ra,
            pt3d: sec.pt3d().iter().map(|p| [p.x, p.y, p.z, p.d]).collect(),
            parent: s.parent.map(|p| (p, s.parent_x)),
            child_x: s.child_x,
            mechs: Vec::new(),
            ions: std::collections::BTreeMap::new(),
        })
        .collect();
    let cell = ranvier_hoc::Cell {
        sections,
        ..ranvier_hoc::Cell::default()
    };
    Ok(cell_rule(
        &cell,
        &hoc_catalog(catalogue),
        &ImportOptions {
            cell_name: spec.cell.clone(),
            import_syn_mechs: spec.import_syn_mechs,
            soma_at_origin: spec.soma_at_origin,
        },
    ))
}

/// The `.mod` folders that `{"import": {"modFolder": ...}}` entries of a model name
/// (relative to `model_dir`).
#[must_use]
pub fn import_mod_folders(model: &Value, model_dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for (_, rule) in cell_params(model) {
        if let Some(f) = rule
            .get("import")
            .and_then(|i| i.get("modFolder"))
            .and_then(Value::as_str)
        {
            out.push(model_dir.join(f));
        }
    }
    out
}

fn cell_params(model: &Value) -> Vec<(&String, &Value)> {
    model
        .get("netParams")
        .and_then(|n| n.get("cellParams"))
        .and_then(Value::as_object)
        .map(|m| m.iter().collect())
        .unwrap_or_default()
}

/// Replace every `cellParams` entry holding `{"import": {...}}` by the imported rule
/// (other keys of the entry are merged on top of it), and add the imported synaptic
/// mechanisms to `synMechParams` (existing labels win).
pub fn resolve_imports(
    model: &mut Value,
    model_dir: &Path,
    catalogue: &Catalogue,
) -> Result<usize, String> {
    let Some(cps) = model
        .get_mut("netParams")
        .and_then(|n| n.get_mut("cellParams"))
        .and_then(Value::as_object_mut)
    else {
        return Ok(0);
    };
    let mut syn_mechs: Vec<(String, Value)> = Vec::new();
    let mut n = 0;
    for (label, rule) in cps.iter_mut() {
        let Some(imp) = rule.get("import").cloned() else {
            continue;
        };
        let path = format!("netParams.cellParams.{label}.import");
        let Value::Object(imp) = imp else {
            return Err(format!("{path}: expected an object"));
        };
        for k in imp.keys() {
            if !matches!(
                k.as_str(),
                "fileName"
                    | "cellName"
                    | "cellArgs"
                    | "importSynMechs"
                    | "modFolder"
                    | "somaAtOrigin"
                    | "renameSecs"
            ) {
                return Err(format!(
                    "{path}: unknown key `{k}` (expected fileName, cellName, cellArgs, importSynMechs, modFolder, somaAtOrigin, renameSecs)"
                ));
            }
        }
        let file = imp
            .get("fileName")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{path}.fileName: required (a .hoc or .swc file)"))?;
        let cell = imp
            .get("cellName")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| {
                Path::new(file)
                    .file_stem()
                    .map_or(String::new(), |s| s.to_string_lossy().to_string())
            });
        let args = parse_args(imp.get("cellArgs").unwrap_or(&Value::Null))
            .map_err(|e| format!("{path}.cellArgs: {e}"))?;
        let spec = ImportSpec {
            file: model_dir.join(file),
            cell,
            args,
            import_syn_mechs: imp
                .get("importSynMechs")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            soma_at_origin: imp
                .get("somaAtOrigin")
                .and_then(Value::as_bool)
                .unwrap_or(true),
            rename: match imp.get("renameSecs") {
                None => Vec::new(),
                Some(Value::Object(m)) => m
                    .iter()
                    .map(|(k, v)| match v.as_str() {
                        Some(n) => Ok((k.clone(), n.to_owned())),
                        None => Err(format!("{path}.renameSecs.{k}: expected a section name")),
                    })
                    .collect::<Result<_, _>>()?,
                Some(_) => {
                    return Err(format!(
                        "{path}.renameSecs: expected {{\"old name\": \"new name\", ...}}"
                    ));
                }
            },
        };
        let imported = import_cell(&spec, catalogue).map_err(|e| format!("{path}: {e}"))?;
        let mut merged = imported.rule;
        if let Value::Object(extra) = rule {
            for (k, v) in extra.iter().filter(|(k, _)| *k != "import") {
                merge(&mut merged, k, v.clone());
            }
        }
        *rule = merged;
        syn_mechs.extend(imported.syn_mechs);
        n += 1;
    }
    if !syn_mechs.is_empty()
        && let Some(net) = model.get_mut("netParams").and_then(Value::as_object_mut)
    {
        let sm = net
            .entry("synMechParams")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(sm) = sm {
            for (k, v) in syn_mechs {
                sm.entry(k).or_insert(v);
            }
        }
    }
    Ok(n)
}

/// Deep-merge `v` into `target[k]`: objects merge key by key, anything else replaces.
fn merge(target: &mut Value, k: &str, v: Value) {
    let Value::Object(t) = target else {
        return;
    };
    match (t.get_mut(k), v) {
        (Some(existing @ Value::Object(_)), Value::Object(vm)) => {
            for (kk, vv) in vm {
                merge(existing, &kk, vv);
            }
        }
        (_, v) => {
            t.insert(k.to_owned(), v);
        }
    }
}
