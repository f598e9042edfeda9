//! The bundled example network (`ranvier example`), after NetPyNE's first tutorial.
//!
//! Two populations of one-compartment Hodgkin-Huxley cells, `S` (gids 0..20) and `M`
//! (gids 20..40). Every cell has an `Exp2Syn` at `soma(0.5)` driven by its own noisy
//! `NetStim` (10 Hz, noise 0.5, Random123 stream `(gid, 0, 0)`). Each `S` cell connects
//! to each `M` cell with probability 0.5, drawn from a keyed stream
//! `(SEED, gid, PURPOSE_CONNECT)`, so the network and the run are reproducible.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ranvier_analysis::{Population, RasterSpec, TraceSpec};
use ranvier_cable::{BuildError, CableModel, ProbeSpec, RunError, Source, Target};
use ranvier_morph::{MorphError, Section};
use ranvier_rng::KeyedRng;

/// Simulated time `[ms]`.
pub const TSTOP: f64 = 1000.0;
/// Seed of the connectivity streams.
pub const SEED: u64 = 1;
/// Purpose tag of the connectivity streams.
pub const PURPOSE_CONNECT: u32 = 1;
/// Cells per population.
pub const CELLS_PER_POP: u64 = 20;
const CONNECT_PROB: f64 = 0.5;
const WEIGHT: f64 = 0.01;
const DELAY: f64 = 5.0; // [ms]
const THRESHOLD: f64 = 10.0; // [mV]
const V_INIT: f64 = -65.0; // [mV]

/// Errors of the example run.
#[derive(Debug, thiserror::Error)]
pub enum ExampleError {
    #[error("morphology: {0}")]
    Morph(#[from] MorphError),
    #[error("building the model: {0}")]
    Build(#[from] BuildError),
    #[error("running the model: {0}")]
    Run(#[from] RunError),
    #[error("plotting: {0}")]
    Plot(#[from] ranvier_analysis::PlotError),
    #[error("writing `{path}`: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("encoding spikes: {0}")]
    Json(#[from] serde_json::Error),
    #[error("trace `{0}` was not recorded")]
    MissingTrace(String),
}

/// Wall-clock time of each phase.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    pub build: Duration,
    pub run: Duration,
    pub save: Duration,
    pub plot: Duration,
}

/// Spike count and mean rate of a population.
#[derive(Clone, Debug)]
pub struct PopSummary {
    pub name: String,
    pub cells: u64,
    pub spikes: usize,
    /// Mean firing rate `[Hz]`.
    pub rate: f64,
}

/// What a run produced.
#[derive(Clone, Debug)]
pub struct Report {
    pub timings: Timings,
    pub cells: u64,
    /// Connections, including the background `NetStim` ones.
    pub connections: usize,
    /// Connections between cells (`S -> M`).
    pub cell_connections: usize,
    /// Spikes as `(time [ms], gid)`, sorted by time then gid.
    pub spikes: Vec<(f64, u64)>,
    pub populations: Vec<PopSummary>,
    /// Files written.
    pub files: Vec<PathBuf>,
}

#[derive(serde::Serialize)]
struct SpikesJson<'a> {
    spkt: &'a [f64],
    spkid: &'a [u64],
}

/// The populations of the example network.
#[must_use]
pub fn populations() -> Vec<Population> {
    vec![
        Population {
            name: "S".into(),
            gids: 0..CELLS_PER_POP,
        },
        Population {
            name: "M".into(),
            gids: CELLS_PER_POP..2 * CELLS_PER_POP,
        },
    ]
}

/// Build, run, save and plot the example network into `dir` (created if needed).
pub fn run(dir: &Path) -> Result<Report, ExampleError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ExampleError::Io { path, source }
    };
    fs::create_dir_all(dir).map_err(io(dir))?;
    let pops = populations();
    let cells = pops.last().map_or(0, |p| p.gids.end);

    // Build.
    let t_build = Instant::now();
    let mut model = CableModel::new(ranvier_builtins::catalogue());
    let mut somas = Vec::new();
    let mut syns = Vec::new();
    let mut src_gid = Vec::new(); // source index -> gid of recorded cell sources
    let mut cell_src = Vec::new();
    let mut connections = 0;
    for pop in &pops {
        for gid in pop.gids.clone() {
            let cell = model.add_cell(&format!("{}_{}", pop.name, gid - pop.gids.start));
            let mut sec = Section::new("soma");
            sec.set_length(18.8)?;
            sec.set_diam(18.8)?;
            sec.set_ra(123.0)?;
            sec.set_cm(1.0)?;
            let soma = model.add_section(cell, sec);
            model.insert(soma, "hh")?;
            let syn = model.add_point("Exp2Syn", soma, 0.5)?;
            model.set_point(syn, "tau1", 0.1)?;
            model.set_point(syn, "tau2", 5.0)?;
            model.set_point(syn, "e", 0.0)?;

            let ns = model.add_artificial("NetStim", &format!("ns_{gid}"))?;
            model.set_artificial(ns, "interval", 1000.0 / 10.0)?;
            model.set_artificial(ns, "number", 1e9)?;
            model.set_artificial(ns, "start", 0.0)?;
            model.set_artificial(ns, "noise", 0.5)?;
            model.set_random123(ns, gid as u32, 0, 0)?;
            let ns_src = model.add_source(Source::Artificial(ns), THRESHOLD)?;
            model.connect(ns_src, Some(Target::Point(syn)), WEIGHT, DELAY)?;
            connections += 1;

            let src = model.add_source(Source::Voltage { sec: soma, x: 0.5 }, THRESHOLD)?;
            model.record_spikes(src);
            let idx = src.0 as usize;
            if src_gid.len() <= idx {
                src_gid.resize(idx + 1, None);
            }
            src_gid[idx] = Some(gid);
            somas.push(soma);
            syns.push(syn);
            cell_src.push(src);
        }
    }
    // S -> M, each pair with probability CONNECT_PROB from the S cell's keyed stream.
    let (s, m) = (&pops[0], &pops[1]);
    let mut cell_connections = 0;
    for pre in s.gids.clone() {
        let mut rng = KeyedRng::from_parts(SEED, pre as u32, PURPOSE_CONNECT);
        for post in m.gids.clone() {
            if rng.uniform() < CONNECT_PROB {
                let target = Target::Point(syns[post as usize]);
                model.connect(cell_src[pre as usize], Some(target), WEIGHT, DELAY)?;
                cell_connections += 1;
            }
        }
    }
    connections += cell_connections;
    let traced = [0u64, CELLS_PER_POP];
    for &gid in &traced {
        let sec = somas[gid as usize];
        model.record(&format!("v_{gid}"), ProbeSpec::Voltage { sec, x: 0.5 });
    }
    let mut group = model.build()?;
    let build = t_build.elapsed();

    // Run.
    let t_run = Instant::now();
    group.init(V_INIT)?;
    group.run(TSTOP)?;
    let run = t_run.elapsed();

    // Save.
    let t_save = Instant::now();
    let mut spikes: Vec<(f64, u64)> = group
        .spikes()
        .iter()
        .filter_map(|r| {
            let gid = src_gid.get(r.source as usize).copied().flatten()?;
            Some((r.time, gid))
        })
        .collect();
    spikes.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let spkt: Vec<f64> = spikes.iter().map(|s| s.0).collect();
    let spkid: Vec<u64> = spikes.iter().map(|s| s.1).collect();
    let json = serde_json::to_string(&SpikesJson {
        spkt: &spkt,
        spkid: &spkid,
    })?;
    let spikes_path = dir.join("spikes.json");
    fs::write(&spikes_path, json).map_err(io(&spikes_path))?;
    let save = t_save.elapsed();

    // Plot.
    let t_plot = Instant::now();
    let raster = RasterSpec {
        title: "Example network: spike raster",
        spikes: &spikes,
        populations: &pops,
        tstop: TSTOP,
        order_inverse: true,
    };
    let raster_png = dir.join("raster.png");
    let raster_svg = dir.join("raster.svg");
    ranvier_analysis::raster_png(&raster, &raster_png)?;
    ranvier_analysis::raster_svg(&raster, &raster_svg)?;
    let names: Vec<String> = traced
        .iter()
        .map(|&gid| {
            let pop = pops.iter().find(|p| p.gids.contains(&gid));
            let name = pop.map_or("?", |p| p.name.as_str());
            format!("cell {gid} ({name}) soma")
        })
        .collect();
    let mut traces = Vec::new();
    for (&gid, name) in traced.iter().zip(&names) {
        let key = format!("v_{gid}");
        let values = group.trace(&key).ok_or(ExampleError::MissingTrace(key))?;
        traces.push((name.as_str(), values));
    }
    let traces_path = dir.join("traces.png");
    ranvier_analysis::traces_png(
        &TraceSpec {
            title: "Example network: soma voltage",
            t: group.trace_times(),
            traces: &traces,
            y_label: "v (mV)",
        },
        &traces_path,
    )?;
    let plot = t_plot.elapsed();

    let populations = pops
        .iter()
        .map(|p| {
            let n = p.gids.end - p.gids.start;
            let count = spikes.iter().filter(|s| p.gids.contains(&s.1)).count();
            PopSummary {
                name: p.name.clone(),
                cells: n,
                spikes: count,
                rate: if n == 0 {
                    0.0
                } else {
                    count as f64 / (n as f64 * TSTOP / 1000.0)
                },
            }
        })
        .collect();
    Ok(Report {
        timings: Timings {
            build,
            run,
            save,
            plot,
        },
        cells,
        connections,
        cell_connections,
        spikes,
        populations,
        files: vec![spikes_path, raster_png, raster_svg, traces_path],
    })
}
