//! Spike-time histograms per population (NetPyNE's `plotSpikeHist`).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::{FONT_FAMILY, PlotError, Population, color, draw_legend, to_png, to_svg};

/// The most bins a histogram may have.
const MAX_BINS: f64 = 1e6;

/// What a histogram shows per bin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum HistMeasure {
    /// Average firing rate of the group's cells `[Hz]`: count / cells / bin width.
    #[default]
    Rate,
    /// Number of spikes of the group.
    Count,
}

/// Histograms of spike times, one line per group of cells.
#[derive(Clone, Copy, Debug)]
pub struct SpikeHistSpec<'a> {
    pub title: &'a str,
    /// Spikes as `(time [ms], gid)`.
    pub spikes: &'a [(f64, u64)],
    /// One line per group: its legend name and gids (the cell count is the range's length).
    pub groups: &'a [Population],
    /// Time window `[ms]`.
    pub t_start: f64,
    pub t_stop: f64,
    /// Bin width `[ms]` (NetPyNE's `binSize`, 5 by default).
    pub bin_size: f64,
    pub measure: HistMeasure,
}

/// The histogram of one group: `(bin centre [ms], value)` per bin.
///
/// Bins are `[t_start + k*bin_size, t_start + (k+1)*bin_size)`; the last one is cut at
/// `t_stop` and includes it, and its rate uses its actual width. Assumes a valid window
/// and bin size (see [`spike_hist_png`]); otherwise returns no bins.
pub fn spike_histogram(
    spikes: &[(f64, u64)],
    group: &Population,
    t_start: f64,
    t_stop: f64,
    bin_size: f64,
    measure: HistMeasure,
) -> Vec<(f64, f64)> {
    if window_error(t_start, t_stop, bin_size).is_some() {
        return Vec::new();
    }
    let n = bins(t_start, t_stop, bin_size);
    let mut counts = vec![0u64; n];
    for &(t, gid) in spikes {
        if t >= t_start && t <= t_stop && group.gids.contains(&gid) {
            let k = (((t - t_start) / bin_size) as usize).min(n - 1);
            counts[k] += 1;
        }
    }
    let cells = group.gids.end.saturating_sub(group.gids.start) as f64;
    counts
        .iter()
        .enumerate()
        .map(|(k, &c)| {
            let a = t_start + k as f64 * bin_size;
            let b = (a + bin_size).min(t_stop);
            let value = match measure {
                HistMeasure::Count => c as f64,
                HistMeasure::Rate if cells > 0.0 && b > a => c as f64 * 1000.0 / (b - a) / cells,
                HistMeasure::Rate => 0.0,
            };
            (0.5 * (a + b), value)
        })
        .collect()
}

fn bins(t_start: f64, t_stop: f64, bin_size: f64) -> usize {
    // A last sliver narrower than a millionth of a bin is rounding, not a bin.
    (((t_stop - t_start) / bin_size - 1e-6).ceil() as usize).max(1)
}

fn window_error(t_start: f64, t_stop: f64, bin_size: f64) -> Option<String> {
    if !t_start.is_finite() || !t_stop.is_finite() || !(t_stop > t_start) {
        Some(format!(
            "time range [{t_start}, {t_stop}] must be finite and increasing"
        ))
    } else if !bin_size.is_finite() || !(bin_size > 0.0) {
        Some(format!("bin size {bin_size} must be finite and > 0"))
    } else if (t_stop - t_start) / bin_size > MAX_BINS {
        Some(format!(
            "bin size {bin_size} ms gives more than {MAX_BINS} bins over [{t_start}, {t_stop}]"
        ))
    } else {
        None
    }
}

/// Render spike histograms to a PNG file.
pub fn spike_hist_png(spec: &SpikeHistSpec<'_>, path: &Path) -> Result<(), PlotError> {
    check(spec)?;
    to_png(path, |root| draw(root, spec))
}

/// Render spike histograms to an SVG file.
pub fn spike_hist_svg(spec: &SpikeHistSpec<'_>, path: &Path) -> Result<(), PlotError> {
    check(spec)?;
    to_svg(path, |root| draw(root, spec))
}

fn check(spec: &SpikeHistSpec<'_>) -> Result<(), PlotError> {
    match window_error(spec.t_start, spec.t_stop, spec.bin_size) {
        Some(why) => Err(PlotError::InvalidSpec {
            title: spec.title.to_owned(),
            why,
        }),
        None => Ok(()),
    }
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    spec: &SpikeHistSpec<'_>,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let lines: Vec<Vec<(f64, f64)>> = spec
        .groups
        .iter()
        .map(|g| {
            spike_histogram(
                spec.spikes,
                g,
                spec.t_start,
                spec.t_stop,
                spec.bin_size,
                spec.measure,
            )
        })
        .collect();
    let top = lines.iter().flatten().map(|p| p.1).fold(0.0_f64, f64::max);
    let top = if top > 0.0 { 1.1 * top } else { 1.0 };
    let y_label = match spec.measure {
        HistMeasure::Rate => "Avg cell firing rate (Hz)",
        HistMeasure::Count => "Spike count",
    };

    root.fill(&WHITE).map_err(e)?;
    let mut chart = ChartBuilder::on(root)
        .caption(spec.title, (FONT_FAMILY, 24))
        .margin(15)
        .margin_right(35)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(spec.t_start..spec.t_stop, 0.0..top)
        .map_err(e)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("Time (ms)")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_desc(y_label)
        .label_style((FONT_FAMILY, 14))
        .axis_desc_style((FONT_FAMILY, 16))
        .draw()
        .map_err(e)?;
    for (i, (group, pts)) in spec.groups.iter().zip(lines).enumerate() {
        let c = color(i);
        chart
            .draw_series(LineSeries::new(pts, c.stroke_width(2)))
            .map_err(e)?
            .label(group.name.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)));
    }
    if !spec.groups.is_empty() {
        draw_legend(&mut chart)?;
    }
    Ok(())
}
