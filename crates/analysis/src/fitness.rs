//! Fitness per generation of an optimisation (inspyred's `plot_observer`): best,
//! median, average and worst.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::{FONT_FAMILY, PlotError, color, draw_legend, to_png};

/// One generation's statistics.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FitnessRow {
    pub generation: f64,
    pub best: f64,
    pub median: f64,
    pub average: f64,
    pub worst: f64,
}

/// Render the fitness curves to a PNG file. Non-finite values (failed candidates) are
/// left out of the curves.
pub fn fitness_png(title: &str, rows: &[FitnessRow], path: &Path) -> Result<(), PlotError> {
    if rows.is_empty() {
        return Err(PlotError::InvalidSpec {
            title: title.to_owned(),
            why: "no generations to plot".into(),
        });
    }
    to_png(path, |root| draw(root, title, rows))
}

/// Reads one curve's value from a row.
type Getter = fn(&FitnessRow) -> f64;

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    rows: &[FitnessRow],
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let values = rows
        .iter()
        .flat_map(|r| [r.best, r.median, r.average, r.worst])
        .filter(|v| v.is_finite());
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let (lo, hi) = if lo.is_finite() && hi > lo {
        (lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))
    } else if lo.is_finite() {
        (lo - 1.0, lo + 1.0)
    } else {
        (0.0, 1.0)
    };
    let last = rows
        .iter()
        .map(|r| r.generation)
        .fold(0.0, f64::max)
        .max(1.0);
    root.fill(&WHITE).map_err(e)?;
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT_FAMILY, 24))
        .margin(15)
        .margin_right(35)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..last, lo..hi)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc("Generation")
        .y_desc("Fitness")
        .label_style((FONT_FAMILY, 14))
        .axis_desc_style((FONT_FAMILY, 16))
        .draw()
        .map_err(e)?;
    let series: [(&str, Getter); 4] = [
        ("best", |r| r.best),
        ("median", |r| r.median),
        ("average", |r| r.average),
        ("worst", |r| r.worst),
    ];
    for (k, (name, get)) in series.into_iter().enumerate() {
        let c = color(k);
        let pts: Vec<(f64, f64)> = rows
            .iter()
            .map(|r| (r.generation, get(r)))
            .filter(|(_, y)| y.is_finite())
            .collect();
        chart
            .draw_series(LineSeries::new(pts, c.stroke_width(2)))
            .map_err(e)?
            .label(name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)));
    }
    draw_legend(&mut chart)
}
