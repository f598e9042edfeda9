//! `ranvier run MODEL.json`: load a NetPyNE model, simulate it, write NetPyNE-format
//! results and the plots `simConfig.analysis` asks for.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ranvier_analysis::{Population, RasterSpec, TraceSpec};
use ranvier_spec::sim::{NetpyneJson, RunOutput, population_summary, simulate};
use ranvier_spec::{Model, Severity};

/// Options of `ranvier run`.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    pub model: PathBuf,
    pub out: Option<PathBuf>,
    /// Cell groups (threads); 0 = all cores.
    pub threads: usize,
    pub format: OutputFormat,
    /// Folders (or single files) of `.mod` files to compile into the catalogue, before
    /// those of `simConfig.modFolders` (which are relative to the model file).
    pub mods: Vec<PathBuf>,
    /// Extra folders searched for `INCLUDE`d files.
    pub include: Vec<PathBuf>,
}

/// Which result files to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// NetPyNE's `saveJson` format (`<stem>_data.json`).
    #[default]
    Json,
    /// The compact binary format of `ranvier_spec::binary` (`<stem>_data.rnv`).
    Binary,
    Both,
}

/// Run a model file, writing to `out` (default: next to the model, `simConfig.filename`).
/// Messages go to `log`; returns the list of files written.
///
/// The mechanisms of the `.mod` files in `opts.mods` and `simConfig.modFolders` are
/// compiled first and added to the built-in catalogue; one named like a built-in
/// replaces it (with a note in `log`) where NEURON would refuse the duplicate. A file
/// that does not compile (e.g. C code: `VERBATIM`, `POINTER`) but names a built-in
/// (e.g. NetPyNE's `vecevent.mod` for `VecStim`) keeps the built-in, with a note.
pub fn run(opts: &RunOptions, log: &mut dyn Write) -> Result<Vec<PathBuf>, String> {
    let text = fs::read_to_string(&opts.model)
        .map_err(|e| format!("reading `{}`: {e}", opts.model.display()))?;
    let name = opts.model.display().to_string();
    let mut value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("{name}:{}:{}: invalid JSON: {e}", e.line(), e.column()))?;
    // Mechanisms first: imported cells (`{"import": ...}` cell rules) need them.
    let mut catalogue = ranvier_builtins::catalogue();
    let model_dir = opts.model.parent().unwrap_or(Path::new(""));
    let mut mod_paths = opts.mods.clone();
    let raw_folders = value
        .get("simConfig")
        .and_then(|s| s.get("modFolders"))
        .and_then(serde_json::Value::as_array)
        .cloned()
        .unwrap_or_default();
    mod_paths.extend(
        raw_folders
            .iter()
            .filter_map(serde_json::Value::as_str)
            .map(|f| model_dir.join(f)),
    );
    for f in crate::import::import_mod_folders(&value, model_dir) {
        if !mod_paths.contains(&f) {
            mod_paths.push(f);
        }
    }
    let unavailable = crate::mods::add_to_catalogue(&mod_paths, &opts.include, &mut catalogue, log)
        .map_err(|e| format!("{name}: {e}"))?;
    let imported = crate::import::resolve_imports(&mut value, model_dir, &catalogue)
        .map_err(|e| format!("{name}: {e}{}", crate::mods::unavailable_note(&unavailable)))?;
    if imported > 0 {
        writeln!(log, "note: imported {imported} cell rule(s)").map_err(|e| e.to_string())?;
    }
    let (model, diags) = ranvier_spec::load(&value);
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
    crate::mods::check_used(&unavailable, model.net.mechanisms_used())
        .map_err(|e| format!("{name}: {e}"))?;
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    } else {
        opts.threads
    };
    let (out, more) = with_progress(&model, |p| simulate(&model, &catalogue, threads, p))
        .map_err(|e| format!("{name}: {e}"))?;
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
    if opts.format != OutputFormat::Binary {
        let json_path = dir.join(format!("{stem}_data.json"));
        let write = || -> std::io::Result<()> {
            let mut w = std::io::BufWriter::new(fs::File::create(&json_path)?);
            serde_json::to_writer(
                &mut w,
                &NetpyneJson {
                    model: &model,
                    out: &out,
                },
            )?;
            w.flush()
        };
        write().map_err(|e| format!("writing `{}`: {e}", json_path.display()))?;
        files.push(json_path);
    }
    if opts.format != OutputFormat::Json {
        let bin_path = dir.join(format!("{stem}_data.rnv"));
        let write = || -> std::io::Result<()> {
            let mut w = std::io::BufWriter::new(fs::File::create(&bin_path)?);
            ranvier_spec::binary::write_binary(&mut w, &out)?;
            w.flush()
        };
        write().map_err(|e| format!("writing `{}`: {e}", bin_path.display()))?;
        files.push(bin_path);
    }
    let save = t_save.elapsed().as_secs_f64();

    let t_plot = Instant::now();
    let (plotted, skipped) = plots(&model, &out, &dir, &stem)?;
    files.extend(plotted);
    if !skipped.is_empty() {
        writeln!(log, "Skipped analyses: {}", skipped.join(", ")).map_err(|e| e.to_string())?;
    }
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

/// Draw the plots of `simConfig.analysis`. Returns the files written and the names of
/// the analyses (or parts of them) that Ranvier does not draw.
///
/// Supported (NetPyNE names; files `<stem>_<suffix>.png` and `.svg`):
/// - `plotRaster` (`_raster`): `include`, `timeRange`, `orderInverse`;
/// - `plotTraces` (`_traces_<trace>.png`): the recorded traces;
/// - `plot2Dnet` (`_2Dnet`): `include`, `view` (`xy` or `xz`), `showConns`;
/// - `plotSpikeHist` (`_spikeHist`): `include`, `timeRange`, `binSize`, `measure`
///   (`rate` or `count`); always drawn as lines;
/// - `plotSpikeStats` (`_spikeStat_rate`) with the `rate` statistic, and `plotRates`
///   (`_rates`, over the first of `timeRanges`): the mean rate of each `include` group
///   as a bar with ± SD and a dot per cell, instead of NetPyNE's box plot / line.
///
/// `include` understands `all`/`allCells`, `eachPop`, population labels and gids.
fn plots(
    model: &Model,
    out: &RunOutput,
    dir: &Path,
    stem: &str,
) -> Result<(Vec<PathBuf>, Vec<String>), String> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let duration = model.sim.duration.max(1e-9);
    for (name, cfg) in &model.sim.analysis {
        let err = |e: ranvier_analysis::PlotError| format!("{name}: {e}");
        match name.as_str() {
            "plotRaster" => {
                let (t0, t1) = time_range(name, cfg.get("timeRange"), duration)?;
                let groups = include_groups(model, out, cfg.get("include"), &["allCells"]);
                let (populations, spikes) = selected_populations(model, out, &groups);
                let order_inverse = cfg
                    .get("orderInverse")
                    .and_then(serde_json::Value::as_bool)
                    .unwrap_or(false);
                let spec = RasterSpec {
                    title: "Raster plot",
                    spikes: &spikes,
                    populations: &populations,
                    tstop: t1,
                    order_inverse,
                };
                for (ext, f) in [
                    (
                        "png",
                        ranvier_analysis::raster_window_png as fn(&_, f64, &_) -> _,
                    ),
                    ("svg", ranvier_analysis::raster_window_svg),
                ] {
                    let p = dir.join(format!("{stem}_raster.{ext}"));
                    f(&spec, t0, &p).map_err(err)?;
                    files.push(p);
                }
            }
            "plotTraces" => {
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
                    ranvier_analysis::traces_png(&spec, &p).map_err(err)?;
                    files.push(p);
                }
            }
            "plot2Dnet" => {
                let view = cfg.get("view").and_then(|v| v.as_str()).unwrap_or("xy");
                let axis = match view {
                    "xy" => 1,
                    "xz" => 2,
                    other => {
                        skipped.push(format!("{name} (view '{other}')"));
                        continue;
                    }
                };
                let show_conns = cfg
                    .get("showConns")
                    .and_then(serde_json::Value::as_bool)
                    .unwrap_or(true);
                let groups = include_groups(model, out, cfg.get("include"), &["allCells"]);
                write_net2d(
                    model,
                    out,
                    &groups,
                    axis,
                    show_conns,
                    &dir.join(stem),
                    &mut files,
                )
                .map_err(err)?;
            }
            "plotSpikeHist" => {
                let measure = match cfg.get("measure").and_then(|v| v.as_str()) {
                    None | Some("rate") => ranvier_analysis::HistMeasure::Rate,
                    Some("count") => ranvier_analysis::HistMeasure::Count,
                    Some(other) => {
                        skipped.push(format!("{name} (measure '{other}')"));
                        continue;
                    }
                };
                let (t_start, t_stop) = time_range(name, cfg.get("timeRange"), duration)?;
                let bin_size = match cfg.get("binSize") {
                    None | Some(serde_json::Value::Null) => 5.0,
                    Some(v) => v
                        .as_f64()
                        .ok_or_else(|| format!("{name}: binSize must be a number, not {v}"))?,
                };
                let groups =
                    include_groups(model, out, cfg.get("include"), &["eachPop", "allCells"]);
                let spec = ranvier_analysis::SpikeHistSpec {
                    title: "Spike histogram",
                    spikes: &out.spikes,
                    groups: &groups,
                    t_start,
                    t_stop,
                    bin_size,
                    measure,
                };
                for (ext, f) in [
                    ("png", ranvier_analysis::spike_hist_png as fn(&_, &_) -> _),
                    ("svg", ranvier_analysis::spike_hist_svg),
                ] {
                    let p = dir.join(format!("{stem}_spikeHist.{ext}"));
                    f(&spec, &p).map_err(err)?;
                    files.push(p);
                }
            }
            "plotSpikeStats" | "plotRates" => {
                let (range, suffix, default_include): (_, _, &[&str]) = if name == "plotRates" {
                    let first = cfg
                        .get("timeRanges")
                        .and_then(serde_json::Value::as_array)
                        .and_then(|r| r.first());
                    (first, "rates", &["allCells", "eachPop"])
                } else {
                    let stats: Vec<&str> = match cfg.get("stats") {
                        Some(serde_json::Value::Array(s)) => {
                            s.iter().filter_map(serde_json::Value::as_str).collect()
                        }
                        _ => vec!["rate", "isicv"],
                    };
                    for s in stats.iter().filter(|s| **s != "rate") {
                        skipped.push(format!("{name} ({s})"));
                    }
                    if !stats.contains(&"rate") {
                        continue;
                    }
                    (
                        cfg.get("timeRange"),
                        "spikeStat_rate",
                        &["eachPop", "allCells"],
                    )
                };
                let (t0, t1) = time_range(name, range, duration)?;
                let groups = include_groups(model, out, cfg.get("include"), default_include);
                let rates: Vec<Vec<f64>> = groups
                    .iter()
                    .map(|g| ranvier_analysis::cell_rates(&out.spikes, g.gids.clone(), t0, t1))
                    .collect();
                let series: Vec<(&str, &[f64])> = groups
                    .iter()
                    .zip(&rates)
                    .map(|(g, r)| (g.name.as_str(), r.as_slice()))
                    .collect();
                let title = format!("Firing rate per population ({t0:.0}-{t1:.0} ms)");
                let spec = ranvier_analysis::RatesSpec {
                    title: &title,
                    groups: &series,
                };
                for (ext, f) in [
                    ("png", ranvier_analysis::rates_png as fn(&_, &_) -> _),
                    ("svg", ranvier_analysis::rates_svg),
                ] {
                    let p = dir.join(format!("{stem}_{suffix}.{ext}"));
                    f(&spec, &p).map_err(err)?;
                    files.push(p);
                }
            }
            _ => skipped.push(name.clone()),
        }
    }
    Ok((files, skipped))
}

/// A `timeRange` option: `[start, stop]` in ms, or the whole run when absent.
fn time_range(
    analysis: &str,
    v: Option<&serde_json::Value>,
    duration: f64,
) -> Result<(f64, f64), String> {
    match v {
        None | Some(serde_json::Value::Null) => Ok((0.0, duration)),
        Some(serde_json::Value::Array(a))
            if a.len() == 2
                && let (Some(t0), Some(t1)) = (a[0].as_f64(), a[1].as_f64())
                && t0.is_finite()
                && t1 > t0 =>
        {
            Ok((t0, t1))
        }
        Some(other) => Err(format!(
            "{analysis}: timeRange must be [start, stop] with start < stop, not {other}"
        )),
    }
}

/// The groups of cells an `include` option names (NetPyNE's `getCellsInclude`, one
/// group per entry): `all`/`allCells` (every cell), `eachPop` (one group per
/// population), a population label or a gid. Other entries (NetStim labels,
/// `(pop, index)` pairs) are ignored.
fn include_groups(
    model: &Model,
    out: &RunOutput,
    include: Option<&serde_json::Value>,
    default: &[&str],
) -> Vec<Population> {
    let pop = |pi: usize, label: &str| Population {
        name: label.to_owned(),
        gids: out.plan.pop_gids.get(pi).cloned().unwrap_or(0..0),
    };
    let entries: Vec<serde_json::Value> = match include {
        Some(serde_json::Value::Array(a)) => a.clone(),
        Some(serde_json::Value::Null) | None => {
            default.iter().map(|s| serde_json::json!(s)).collect()
        }
        Some(one) => vec![one.clone()],
    };
    let mut groups = Vec::new();
    for entry in &entries {
        match entry {
            serde_json::Value::String(s) if s == "all" || s == "allCells" => {
                groups.push(Population {
                    name: "allCells".into(),
                    gids: 0..out.plan.cells.len() as u64,
                });
            }
            serde_json::Value::String(s) if s == "eachPop" => {
                for (pi, (label, _)) in model.net.pop_params.iter().enumerate() {
                    groups.push(pop(pi, label));
                }
            }
            serde_json::Value::String(s) => {
                if let Some(pi) = model.net.pop_params.iter().position(|(l, _)| l == s) {
                    groups.push(pop(pi, s));
                }
            }
            serde_json::Value::Number(n) => {
                if let Some(g) = n.as_u64().filter(|&g| g < out.plan.cells.len() as u64) {
                    groups.push(Population {
                        name: format!("cell {g}"),
                        gids: g..g + 1,
                    });
                }
            }
            _ => {}
        }
    }
    groups
}

/// The populations having a cell in `groups` (in `popParams` order) and the spikes
/// of the cells in `groups`.
fn selected_populations(
    model: &Model,
    out: &RunOutput,
    groups: &[Population],
) -> (Vec<Population>, Vec<(f64, u64)>) {
    let selected = |g: u64| groups.iter().any(|p| p.gids.contains(&g));
    let populations = model
        .net
        .pop_params
        .iter()
        .zip(&out.plan.pop_gids)
        .filter(|(_, r)| {
            groups
                .iter()
                .any(|g| g.gids.start < r.end && r.start < g.gids.end)
        })
        .map(|((label, _), r)| Population {
            name: label.clone(),
            gids: r.clone(),
        })
        .collect();
    let spikes = out
        .spikes
        .iter()
        .copied()
        .filter(|s| selected(s.1))
        .collect();
    (populations, spikes)
}

/// `plot2Dnet`: the cells of `groups` at their x and y (`axis` 1) or z (`axis` 2)
/// position, with the connections among them when `show_conns`.
fn write_net2d(
    model: &Model,
    out: &RunOutput,
    groups: &[Population],
    axis: usize,
    show_conns: bool,
    stem: &Path,
    files: &mut Vec<PathBuf>,
) -> Result<(), ranvier_analysis::PlotError> {
    let selected = |g: u64| groups.iter().any(|p| p.gids.contains(&g));
    // Populations with a selected cell, in popParams order; their legend index.
    let mut legend: Vec<&str> = Vec::new();
    let mut legend_index = vec![None; model.net.pop_params.len()];
    let mut cells = Vec::new();
    let mut index_of = std::collections::HashMap::new();
    let mut kept = Vec::new();
    for (ci, c) in out.plan.cells.iter().enumerate() {
        if !selected(c.gid) {
            continue;
        }
        let Some(slot) = legend_index.get_mut(c.pop) else {
            continue;
        };
        let li = *slot.get_or_insert_with(|| {
            legend.push(model.net.pop_params[c.pop].0.as_str());
            legend.len() - 1
        });
        index_of.insert(c.gid, cells.len());
        kept.push(ci);
        cells.push((c.pos[0], c.pos[axis], li));
    }
    // Legend in popParams order, not first-seen order.
    let mut order: Vec<usize> = (0..legend.len()).collect();
    order.sort_by_key(|&li| {
        legend_index
            .iter()
            .position(|s| *s == Some(li))
            .unwrap_or(usize::MAX)
    });
    let mut remap = vec![0; legend.len()];
    for (new, &old) in order.iter().enumerate() {
        remap[old] = new;
    }
    let legend: Vec<&str> = order.iter().map(|&old| legend[old]).collect();
    for c in &mut cells {
        c.2 = remap[c.2];
    }
    let conns: Vec<(usize, usize)> = if show_conns {
        kept.iter()
            .enumerate()
            .flat_map(|(post, &ci)| {
                let index_of = &index_of;
                out.plan
                    .conns
                    .get(ci)
                    .into_iter()
                    .flatten()
                    .filter_map(move |c| index_of.get(&c.pre_gid).map(|&pre| (pre, post)))
            })
            .collect()
    } else {
        Vec::new()
    };
    let y_label = if axis == 2 { "z (um)" } else { "y (um)" };
    let title = if axis == 2 {
        "Cell positions (x-z)"
    } else {
        "Cell positions (x-y)"
    };
    let spec = ranvier_analysis::Net2dSpec {
        title,
        populations: &legend,
        cells: &cells,
        conns: &conns,
        x_label: "x (um)",
        y_label,
    };
    for (ext, f) in [
        ("png", ranvier_analysis::net2d_png as fn(&_, &_) -> _),
        ("svg", ranvier_analysis::net2d_svg),
    ] {
        let mut name = stem.as_os_str().to_owned();
        name.push(format!("_2Dnet.{ext}"));
        let p = PathBuf::from(name);
        f(&spec, &p)?;
        files.push(p);
    }
    Ok(())
}

/// Run `sim` (the simulation) with a progress callback that drives a progress bar on
/// stderr when it is a terminal and the run is expected to be long (more than 20,000
/// steps or 1000 cells); the bar is cleared when `sim` returns.
fn with_progress<R>(model: &Model, sim: impl FnOnce(&mut dyn FnMut(f64)) -> R) -> R {
    let bar = progress_bar(model);
    let result = sim(&mut |t| {
        if let Some(bar) = &bar {
            bar.set_position(t.max(0.0) as u64);
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    result
}

fn progress_bar(model: &Model) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    let steps = if model.sim.dt > 0.0 {
        model.sim.duration / model.sim.dt
    } else {
        0.0
    };
    // Cells known before the network is built (density populations are not counted).
    let cells: f64 = model
        .net
        .pop_params
        .iter()
        .map(|(_, p)| {
            p.num_cells.unwrap_or(0.0) + p.cells_list.as_ref().map_or(0.0, |l| l.len() as f64)
        })
        .sum();
    if !std::io::stderr().is_terminal() || !(steps > 20_000.0 || cells > 1000.0) {
        return None;
    }
    let bar = indicatif::ProgressBar::new(model.sim.duration.ceil().max(1.0) as u64);
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} ms (ETA {eta})",
    )
    .ok()?;
    bar.set_style(style);
    Some(bar)
}

#[cfg(test)]
mod plot_tests {
    use super::*;

    #[test]
    fn time_range_defaults_and_rejects_bad_ranges() {
        assert_eq!(time_range("p", None, 100.0), Ok((0.0, 100.0)));
        let ok = serde_json::json!([10, 20.5]);
        assert_eq!(time_range("p", Some(&ok), 100.0), Ok((10.0, 20.5)));
        for bad in [
            serde_json::json!([20, 10]),
            serde_json::json!([1]),
            serde_json::json!("x"),
        ] {
            assert!(time_range("p", Some(&bad), 100.0).is_err(), "{bad}");
        }
    }

    /// tut2 with every supported analysis plus one that is not.
    #[test]
    fn run_writes_the_requested_plots_and_reports_skipped_ones() {
        let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/tut2/model.json");
        let mut v: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(model).unwrap()).unwrap();
        v["simConfig"]["duration"] = serde_json::json!(200.0);
        v["simConfig"]["analysis"] = serde_json::json!({
            "plotRaster": {"include": ["S"], "timeRange": [50, 150]},
            "plot2Dnet": {"showConns": true},
            "plotSpikeHist": {"include": ["eachPop", "allCells"], "binSize": 10},
            "plotSpikeStats": {"stats": ["rate", "isicv"]},
            "plotConn": {},
        });
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("m.json");
        fs::write(&path, v.to_string()).unwrap();
        let opts = RunOptions {
            model: path,
            out: Some(tmp.path().join("out")),
            threads: 1,
            format: OutputFormat::Json,
            ..RunOptions::default()
        };
        let mut log = Vec::new();
        let files = run(&opts, &mut log).unwrap();
        let log = String::from_utf8(log).unwrap();
        assert!(
            log.contains("Skipped analyses: plotSpikeStats (isicv), plotConn"),
            "{log}"
        );
        for suffix in ["raster", "2Dnet", "spikeHist", "spikeStat_rate"] {
            for ext in ["png", "svg"] {
                let f = tmp.path().join(format!("out/tut2_{suffix}.{ext}"));
                assert!(files.contains(&f), "{} not written", f.display());
                assert!(fs::metadata(&f).unwrap().len() > 0);
            }
        }
        let net = fs::read_to_string(tmp.path().join("out/tut2_2Dnet.svg")).unwrap();
        let texts: Vec<&str> = net
            .split("<text")
            .skip(1)
            .filter_map(|t| t.split_once('>')?.1.split_once("</text>"))
            .map(|(inner, _)| inner.trim())
            .collect();
        assert!(texts.contains(&"M") && texts.contains(&"S"), "{texts:?}");
        assert!(net.contains("#C8C8C8"), "no connection lines");
    }
}
