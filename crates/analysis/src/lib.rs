//! Plots of simulation results, rendered with `plotters` to PNG or SVG:
//!
//! - spike rasters (NetPyNE's `plotRaster`): [`raster_png`], [`raster_window_png`];
//! - traces (`plotTraces`): [`traces_png`];
//! - cell positions and connections (`plot2Dnet`): [`net2d_png`];
//! - per-population spike-time histograms (`plotSpikeHist`): [`spike_hist_png`];
//! - mean firing rate per population with the rate of every cell (the `rate` statistic
//!   of `plotSpikeStats`): [`rates_png`].
//! - optimisation progress (inspyred's `plot_observer`): best/median/average/worst
//!   fitness per generation ([`fitness_png`]), a two-objective population with its
//!   Pareto front ([`pareto_png`]), and [`PlotObserver`], a `ranvier_evol` observer
//!   that rewrites one of them after every generation.
//!
//! The network and spike plots have SVG twins (`*_svg`).
//!
//! Text is drawn with DejaVu Sans, bundled from `assets/fonts/` and registered with
//! plotters as `sans-serif` the first time a plot is made, so rendering does not
//! depend on system fonts.

use std::ops::Range;
use std::path::Path;
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

mod evol_plot;
mod fitness;
mod net2d;
mod pareto;
mod rates;
mod spike_hist;

pub use evol_plot::PlotObserver;
pub use fitness::{FitnessRow, fitness_png};
pub use net2d::{Net2dSpec, net2d_png, net2d_svg};
pub use pareto::pareto_png;
pub use rates::{RatesSpec, cell_rates, rates_png, rates_svg};
pub use spike_hist::{HistMeasure, SpikeHistSpec, spike_hist_png, spike_hist_svg, spike_histogram};

/// Pixel size of every plot.
const SIZE: (u32, u32) = (1000, 700);
/// The bundled font (DejaVu Sans; license next to it in `assets/fonts/`).
const FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
const FONT_FAMILY: &str = "sans-serif";

/// Errors from plotting.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The plot description cannot be drawn.
    #[error("invalid plot `{title}`: {why}")]
    InvalidSpec { title: String, why: String },
    /// The bundled font could not be registered.
    #[error("cannot load the bundled font: {0}")]
    Font(String),
    /// The drawing backend failed (e.g. the file could not be written).
    #[error("cannot draw `{path}`: {why}")]
    Draw { path: String, why: String },
}

/// A population: a name (used in the legend) and its contiguous gid range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Population {
    pub name: String,
    pub gids: Range<u64>,
}

/// A spike raster.
#[derive(Clone, Copy, Debug)]
pub struct RasterSpec<'a> {
    pub title: &'a str,
    /// Spikes as `(time [ms], gid)`.
    pub spikes: &'a [(f64, u64)],
    pub populations: &'a [Population],
    /// End of the time axis `[ms]`.
    pub tstop: f64,
    /// Draw gid 0 at the top (NetPyNE's `orderInverse`).
    pub order_inverse: bool,
}

/// Traces sharing one time axis.
#[derive(Clone, Copy, Debug)]
pub struct TraceSpec<'a> {
    pub title: &'a str,
    /// Sample times `[ms]`.
    pub t: &'a [f64],
    /// `(label, values)`; each `values` has the length of `t`.
    pub traces: &'a [(&'a str, &'a [f64])],
    pub y_label: &'a str,
}

fn ensure_font() -> Result<(), PlotError> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, FONT)
                .map_err(|_| "DejaVuSans.ttf is not a valid font".to_owned())
        })
        .clone()
        .map_err(PlotError::Font)
}

/// Render a raster to a PNG file.
pub fn raster_png(spec: &RasterSpec<'_>, path: &Path) -> Result<(), PlotError> {
    raster_window_png(spec, 0.0, path)
}

/// Render a raster to an SVG file.
pub fn raster_svg(spec: &RasterSpec<'_>, path: &Path) -> Result<(), PlotError> {
    raster_window_svg(spec, 0.0, path)
}

/// Render a raster whose time axis runs from `t_start` to `spec.tstop` (NetPyNE's
/// `timeRange`) to a PNG file; spikes outside the window are not drawn.
pub fn raster_window_png(
    spec: &RasterSpec<'_>,
    t_start: f64,
    path: &Path,
) -> Result<(), PlotError> {
    check_raster(spec, t_start)?;
    to_png(path, |root| draw_raster(root, spec, t_start))
}

/// [`raster_window_png`] to an SVG file.
pub fn raster_window_svg(
    spec: &RasterSpec<'_>,
    t_start: f64,
    path: &Path,
) -> Result<(), PlotError> {
    check_raster(spec, t_start)?;
    to_svg(path, |root| draw_raster(root, spec, t_start))
}

/// Render traces to a PNG file.
pub fn traces_png(spec: &TraceSpec<'_>, path: &Path) -> Result<(), PlotError> {
    check_traces(spec)?;
    to_png(path, |root| draw_traces(root, spec))
}

/// Render traces to an SVG file.
pub fn traces_svg(spec: &TraceSpec<'_>, path: &Path) -> Result<(), PlotError> {
    check_traces(spec)?;
    to_svg(path, |root| draw_traces(root, spec))
}

/// Set up the font, draw into a PNG at `path` with `draw`, and write it out.
pub(crate) fn to_png(
    path: &Path,
    draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), String>,
) -> Result<(), PlotError> {
    ensure_font()?;
    let root = BitMapBackend::new(path, SIZE).into_drawing_area();
    draw(&root)
        .and_then(|()| present(&root))
        .map_err(|why| draw_err(path, why))
}

/// Set up the font, draw into an SVG at `path` with `draw`, and write it out.
pub(crate) fn to_svg(
    path: &Path,
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), String>,
) -> Result<(), PlotError> {
    ensure_font()?;
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    draw(&root)
        .and_then(|()| present(&root))
        .map_err(|why| draw_err(path, why))
}

/// The legend box every plot uses: upper right, on a translucent white background.
pub(crate) fn draw_legend<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
) -> Result<(), String> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font((FONT_FAMILY, 14))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(|e| e.to_string())
}

fn draw_err(path: &Path, why: String) -> PlotError {
    PlotError::Draw {
        path: path.display().to_string(),
        why,
    }
}

fn present<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>) -> Result<(), String> {
    root.present().map_err(|e| e.to_string())
}

fn check_raster(spec: &RasterSpec<'_>, t_start: f64) -> Result<(), PlotError> {
    if !(spec.tstop > 0.0) || !spec.tstop.is_finite() {
        return Err(PlotError::InvalidSpec {
            title: spec.title.to_owned(),
            why: format!("tstop = {} must be finite and > 0", spec.tstop),
        });
    }
    if !t_start.is_finite() || !(t_start < spec.tstop) {
        return Err(PlotError::InvalidSpec {
            title: spec.title.to_owned(),
            why: format!(
                "the time window starts at {t_start}, not before tstop = {}",
                spec.tstop
            ),
        });
    }
    Ok(())
}

fn check_traces(spec: &TraceSpec<'_>) -> Result<(), PlotError> {
    for (name, values) in spec.traces {
        if values.len() != spec.t.len() {
            return Err(PlotError::InvalidSpec {
                title: spec.title.to_owned(),
                why: format!(
                    "trace `{name}` has {} samples but there are {} times",
                    values.len(),
                    spec.t.len()
                ),
            });
        }
    }
    Ok(())
}

fn color(i: usize) -> RGBColor {
    const COLORS: [RGBColor; 8] = [
        RGBColor(31, 119, 180),
        RGBColor(214, 39, 40),
        RGBColor(44, 160, 44),
        RGBColor(255, 127, 14),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(23, 190, 207),
    ];
    COLORS[i % COLORS.len()]
}

fn draw_raster<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    spec: &RasterSpec<'_>,
    t_start: f64,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    // Highest gid shown: the end of the last population or the largest spiking gid.
    let top = spec
        .populations
        .iter()
        .map(|p| p.gids.end.saturating_sub(1))
        .chain(spec.spikes.iter().map(|s| s.1))
        .max()
        .unwrap_or(0);
    // Lowest gid shown: the start of the first population or the smallest spiking gid.
    let bottom = spec
        .populations
        .iter()
        .map(|p| p.gids.start)
        .chain(spec.spikes.iter().map(|s| s.1))
        .min()
        .unwrap_or(0)
        .min(top);
    let (y0, y1) = if spec.order_inverse {
        (0.0, (top - bottom) as f64)
    } else {
        (bottom as f64, top as f64)
    };
    // Plot coordinate of a gid (the lowest gid at the top when inverted); labels map back.
    let inverse = spec.order_inverse;
    let to_y = move |gid: u64| {
        if inverse {
            (top - gid.min(top)) as f64
        } else {
            gid as f64
        }
    };
    let from_y = move |y: f64| if inverse { top as f64 - y } else { y };

    root.fill(&WHITE).map_err(e)?;
    let mut chart = ChartBuilder::on(root)
        .caption(spec.title, (FONT_FAMILY, 24))
        .margin(15)
        .margin_right(35)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(t_start..spec.tstop, y0 - 0.5..y1 + 0.5)
        .map_err(e)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("Time (ms)")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_desc("Cell gid")
        .label_style((FONT_FAMILY, 14))
        .axis_desc_style((FONT_FAMILY, 16))
        .y_label_formatter(&|y| format!("{:.0}", from_y(*y)))
        .draw()
        .map_err(e)?;

    let in_window = |s: &&(f64, u64)| s.0 >= t_start && s.0 <= spec.tstop;
    for (i, pop) in spec.populations.iter().enumerate() {
        let c = color(i);
        let pts: Vec<(f64, f64)> = spec
            .spikes
            .iter()
            .filter(in_window)
            .filter(|s| pop.gids.contains(&s.1))
            .map(|s| (s.0, to_y(s.1)))
            .collect();
        chart
            .draw_series(pts.into_iter().map(|p| Circle::new(p, 2, c.filled())))
            .map_err(e)?
            .label(pop.name.as_str())
            .legend(move |(x, y)| Circle::new((x + 10, y), 4, c.filled()));
    }
    // Spikes of gids outside every population, in gray.
    let others: Vec<(f64, f64)> = spec
        .spikes
        .iter()
        .filter(in_window)
        .filter(|s| !spec.populations.iter().any(|p| p.gids.contains(&s.1)))
        .map(|s| (s.0, to_y(s.1)))
        .collect();
    if !others.is_empty() {
        let c = RGBColor(128, 128, 128);
        chart
            .draw_series(others.into_iter().map(|p| Circle::new(p, 2, c.filled())))
            .map_err(e)?
            .label("other")
            .legend(move |(x, y)| Circle::new((x + 10, y), 4, c.filled()));
    }
    if !spec.populations.is_empty() || chart_has_other(spec) {
        draw_legend(&mut chart)?;
    }
    Ok(())
}

fn chart_has_other(spec: &RasterSpec<'_>) -> bool {
    spec.spikes
        .iter()
        .any(|s| !spec.populations.iter().any(|p| p.gids.contains(&s.1)))
}

fn draw_traces<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    spec: &TraceSpec<'_>,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let finite = |v: &&f64| v.is_finite();
    let (t0, t1) = match (spec.t.first(), spec.t.last()) {
        (Some(&a), Some(&b)) if b > a => (a, b),
        (Some(&a), _) => (a, a + 1.0),
        _ => (0.0, 1.0),
    };
    let all = spec
        .traces
        .iter()
        .flat_map(|(_, v)| v.iter())
        .filter(finite);
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
        (lo.min(v), hi.max(v))
    });
    let (lo, hi) = if lo.is_finite() && hi > lo {
        let pad = 0.05 * (hi - lo);
        (lo - pad, hi + pad)
    } else if lo.is_finite() {
        (lo - 1.0, lo + 1.0)
    } else {
        (0.0, 1.0)
    };

    root.fill(&WHITE).map_err(e)?;
    let mut chart = ChartBuilder::on(root)
        .caption(spec.title, (FONT_FAMILY, 24))
        .margin(15)
        .margin_right(35)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(t0..t1, lo..hi)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc("Time (ms)")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_desc(spec.y_label)
        .label_style((FONT_FAMILY, 14))
        .axis_desc_style((FONT_FAMILY, 16))
        .draw()
        .map_err(e)?;
    for (i, (name, values)) in spec.traces.iter().enumerate() {
        let c = color(i);
        let pts = spec
            .t
            .iter()
            .zip(values.iter())
            .filter(|(t, v)| t.is_finite() && v.is_finite())
            .map(|(&t, &v)| (t, v));
        chart
            .draw_series(LineSeries::new(pts, c.stroke_width(1)))
            .map_err(e)?
            .label(*name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)));
    }
    if !spec.traces.is_empty() {
        draw_legend(&mut chart)?;
    }
    Ok(())
}
