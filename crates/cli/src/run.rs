//! `ranvier run MODEL.json`: load a NetPyNE model, simulate it, write NetPyNE-format
//! results and the plots `simConfig.analysis` asks for.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ranvier_analysis::{Population, RasterSpec, TraceSpec};
use ranvier_spec::sim::{RunOutput, netpyne_json, population_summary, simulate};
use ranvier_spec::{Model, Severity};

/// Options of `ranvier run`.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub model: PathBuf,
    pub out: Option<PathBuf>,
    /// Cell groups (threads); 0 = all cores.
    pub threads: usize,
}

/// Run a model file, writing to `out` (default: next to the model, `simConfig.filename`).
/// Messages go to `log`; returns the list of files written.
pub fn run(opts: &RunOptions, log: &mut dyn Write) -> Result<Vec<PathBuf>, String> {
    let text = fs::read_to_string(&opts.model)
        .map_err(|e| format!("reading `{}`: {e}", opts.model.display()))?;
    let (model, diags) = ranvier_spec::load_str(&text);
    let name = opts.model.display().to_string();
    for d in &diags {
        writeln!(log, "{name}: {d}").map_err(|e| e.to_string())?;
    }
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let Some(model) = model.filter(|_| errors == 0) else {
        return Err(format!("{name}: {errors} error(s); nothing was run"));
    };
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    } else {
        opts.threads
    };
    let catalogue = ranvier_builtins::catalogue();
    let (out, more) =
        simulate(&model, &catalogue, threads, |_| {}).map_err(|e| format!("{name}: {e}"))?;
    for d in &more {
        writeln!(log, "{name}: {d}").map_err(|e| e.to_string())?;
    }
    let dir = match &opts.out {
        Some(d) => d.clone(),
        None => opts
            .model
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
    };
    fs::create_dir_all(&dir).map_err(|e| format!("creating `{}`: {e}", dir.display()))?;
    let stem = Path::new(&model.sim.filename)
        .file_name()
        .map_or("model_output".into(), |s| s.to_string_lossy().to_string());

    let t_save = Instant::now();
    let mut files = Vec::new();
    let json_path = dir.join(format!("{stem}_data.json"));
    let json = serde_json::to_string(&netpyne_json(&model, &out)).map_err(|e| e.to_string())?;
    fs::write(&json_path, json).map_err(|e| format!("writing `{}`: {e}", json_path.display()))?;
    files.push(json_path);
    let save = t_save.elapsed().as_secs_f64();

    let t_plot = Instant::now();
    files.extend(plots(&model, &out, &dir, &stem)?);
    let plot = t_plot.elapsed().as_secs_f64();

    let t = &out.timings;
    let w = |log: &mut dyn Write, s: String| writeln!(log, "{s}").map_err(|e| e.to_string());
    w(log, "Timings:".into())?;
    for (label, s) in [
        ("create", t.create),
        ("connect", t.connect),
        ("run", t.run),
        ("save", save),
        ("plot", plot),
    ] {
        w(log, format!("  {label:<8} {:9.3} s", s))?;
    }
    w(log, "Populations:".into())?;
    for (label, n, spikes, rate) in population_summary(&model, &out) {
        w(
            log,
            format!("  {label:<12} {n:6} cells {spikes:8} spikes  mean rate {rate:8.2} Hz"),
        )?;
    }
    w(log, format!("  connections  {}", out.connections))?;
    w(log, "Wrote:".into())?;
    for f in &files {
        w(log, format!("  {}", f.display()))?;
    }
    Ok(files)
}

fn plots(model: &Model, out: &RunOutput, dir: &Path, stem: &str) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for (name, cfg) in &model.sim.analysis {
        match name.as_str() {
            "plotRaster" => {
                let populations: Vec<Population> = model
                    .net
                    .pop_params
                    .iter()
                    .zip(&out.plan.pop_gids)
                    .map(|((label, _), r)| Population {
                        name: label.clone(),
                        gids: r.clone(),
                    })
                    .collect();
                let spikes: Vec<(f64, u64)> = out.spikes.clone();
                let order_inverse = cfg
                    .get("orderInverse")
                    .and_then(serde_json::Value::as_bool)
                    .unwrap_or(false);
                let spec = RasterSpec {
                    title: "Raster plot",
                    spikes: &spikes,
                    populations: &populations,
                    tstop: model.sim.duration.max(1e-9),
                    order_inverse,
                };
                for (ext, f) in [
                    ("png", ranvier_analysis::raster_png as fn(&_, &_) -> _),
                    ("svg", ranvier_analysis::raster_svg),
                ] {
                    let p = dir.join(format!("{stem}_raster.{ext}"));
                    f(&spec, &p).map_err(|e| e.to_string())?;
                    files.push(p);
                }
            }
            "plotTraces" if !out.traces.is_empty() => {
                for (tname, _) in &model.sim.record_traces {
                    let labels: Vec<String> = out
                        .traces
                        .iter()
                        .filter(|t| &t.name == tname)
                        .map(|t| format!("cell {}", t.gid))
                        .collect();
                    let series: Vec<(&str, &[f64])> = out
                        .traces
                        .iter()
                        .filter(|t| &t.name == tname)
                        .zip(&labels)
                        .map(|(t, l)| (l.as_str(), t.values.as_slice()))
                        .collect();
                    if series.is_empty() {
                        continue;
                    }
                    let spec = TraceSpec {
                        title: tname,
                        t: &out.t,
                        traces: &series,
                        y_label: tname,
                    };
                    let p = dir.join(format!("{stem}_traces_{tname}.png"));
                    ranvier_analysis::traces_png(&spec, &p).map_err(|e| e.to_string())?;
                    files.push(p);
                }
            }
            _ => {}
        }
    }
    Ok(files)
}
