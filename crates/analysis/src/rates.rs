//! Mean firing rate per population (the `rate` statistic of NetPyNE's
//! `plotSpikeStats`, drawn as bars instead of box plots).

use std::ops::Range;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::{FONT_FAMILY, PlotError, color, draw_legend, to_png, to_svg};

/// Firing rates per population: a bar at the mean, a whisker of ± one standard
/// deviation and a dot per cell.
#[derive(Clone, Copy, Debug)]
pub struct RatesSpec<'a> {
    pub title: &'a str,
    /// `(population name, firing rate of each of its cells [Hz])`.
    pub groups: &'a [(&'a str, &'a [f64])],
}

/// Firing rate `[Hz]` of each cell of `gids` over `[t_start, t_stop]` `[ms]`:
/// its spike count in the window divided by the window's length. An empty or
/// invalid window gives zero rates.
pub fn cell_rates(spikes: &[(f64, u64)], gids: Range<u64>, t_start: f64, t_stop: f64) -> Vec<f64> {
    let n = usize::try_from(gids.end.saturating_sub(gids.start)).unwrap_or(0);
    let mut counts = vec![0u64; n];
    for &(t, gid) in spikes {
        if t >= t_start && t <= t_stop && gids.contains(&gid) {
            counts[(gid - gids.start) as usize] += 1;
        }
    }
    let seconds = (t_stop - t_start) / 1000.0;
    counts
        .into_iter()
        .map(|c| {
            if seconds > 0.0 && seconds.is_finite() {
                c as f64 / seconds
            } else {
                0.0
            }
        })
        .collect()
}

/// Render population rates to a PNG file.
pub fn rates_png(spec: &RatesSpec<'_>, path: &Path) -> Result<(), PlotError> {
    check(spec)?;
    to_png(path, |root| draw(root, spec))
}

/// Render population rates to an SVG file.
pub fn rates_svg(spec: &RatesSpec<'_>, path: &Path) -> Result<(), PlotError> {
    check(spec)?;
    to_svg(path, |root| draw(root, spec))
}

fn check(spec: &RatesSpec<'_>) -> Result<(), PlotError> {
    for (name, rates) in spec.groups {
        if let Some(r) = rates.iter().find(|r| !r.is_finite() || **r < 0.0) {
            return Err(PlotError::InvalidSpec {
                title: spec.title.to_owned(),
                why: format!("population `{name}` has a cell rate of {r} Hz"),
            });
        }
    }
    Ok(())
}

/// Mean and (population) standard deviation; zeros when empty.
fn mean_sd(v: &[f64]) -> (f64, f64) {
    if v.is_empty() {
        return (0.0, 0.0);
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// Deterministic horizontal spread of the i-th dot in `[-0.5, 0.5)`.
fn jitter(i: usize) -> f64 {
    // Golden-ratio sequence: evenly spread, no random state.
    ((i as f64 * 0.618_033_988_749_895) % 1.0) - 0.5
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    spec: &RatesSpec<'_>,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let stats: Vec<(f64, f64)> = spec.groups.iter().map(|(_, r)| mean_sd(r)).collect();
    let top = spec
        .groups
        .iter()
        .flat_map(|(_, r)| r.iter().copied())
        .chain(stats.iter().map(|(m, s)| m + s))
        .fold(0.0_f64, f64::max);
    let top = if top > 0.0 { 1.1 * top } else { 1.0 };
    let n = spec.groups.len();
    let x_range = -0.5..n.max(1) as f64 - 0.5;

    root.fill(&WHITE).map_err(e)?;
    let mut chart = ChartBuilder::on(root)
        .caption(spec.title, (FONT_FAMILY, 24))
        .margin(15)
        .margin_right(35)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(x_range, 0.0..top)
        .map_err(e)?;
    // No numeric x labels: the population names are written under their bars below.
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(0)
        .x_desc("Population")
        .y_desc("Rate (Hz)")
        .label_style((FONT_FAMILY, 14))
        .axis_desc_style((FONT_FAMILY, 16))
        .draw()
        .map_err(e)?;
    let name_font = (FONT_FAMILY, 14)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Center, VPos::Top));
    for (i, (name, _)) in spec.groups.iter().enumerate() {
        let (px, py) = chart.backend_coord(&(i as f64, 0.0));
        root.draw(&Text::new(*name, (px, py + 8), name_font.clone()))
            .map_err(e)?;
    }

    const HALF_BAR: f64 = 0.3;
    for (i, ((_, rates), &(mean, sd))) in spec.groups.iter().zip(&stats).enumerate() {
        let c = color(i);
        let x = i as f64;
        chart
            .draw_series([
                Rectangle::new(
                    [(x - HALF_BAR, 0.0), (x + HALF_BAR, mean)],
                    c.mix(0.45).filled(),
                ),
                Rectangle::new(
                    [(x - HALF_BAR, 0.0), (x + HALF_BAR, mean)],
                    c.stroke_width(2),
                ),
            ])
            .map_err(e)?;
        chart
            .draw_series(
                rates
                    .iter()
                    .enumerate()
                    .map(|(k, &r)| Circle::new((x + 0.8 * HALF_BAR * jitter(k), r), 2, c.filled())),
            )
            .map_err(e)?;
        if sd > 0.0 {
            let (lo, hi) = ((mean - sd).max(0.0), mean + sd);
            let cap = 0.25 * HALF_BAR;
            chart
                .draw_series([
                    PathElement::new(vec![(x, lo), (x, hi)], BLACK.stroke_width(2)),
                    PathElement::new(vec![(x - cap, lo), (x + cap, lo)], BLACK.stroke_width(2)),
                    PathElement::new(vec![(x - cap, hi), (x + cap, hi)], BLACK.stroke_width(2)),
                ])
                .map_err(e)?;
        }
    }
    if n > 0 {
        // Explain the marks.
        chart
            .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
            .map_err(e)?
            .label("mean (bar) ± SD, dots: cells")
            .legend(|(x, y)| {
                PathElement::new(
                    vec![(x + 10, y - 6), (x + 10, y + 6)],
                    BLACK.stroke_width(2),
                )
            });
        draw_legend(&mut chart)?;
    }
    Ok(())
}
