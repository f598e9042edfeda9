//! A two-objective population and its archived Pareto front (the multi-objective
//! counterpart of the fitness curves).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::{FONT_FAMILY, PlotError, color, draw_legend, to_png};

/// Render a scatter of the population's objective pairs (`points`) and of the
/// archived front (`front`) to a PNG file, objective 1 on x and objective 2 on y.
/// Points with a non-finite coordinate are left out.
pub fn pareto_png(
    title: &str,
    points: &[(f64, f64)],
    front: &[(f64, f64)],
    path: &Path,
) -> Result<(), PlotError> {
    if points.is_empty() && front.is_empty() {
        return Err(PlotError::InvalidSpec {
            title: title.to_owned(),
            why: "no points to plot".into(),
        });
    }
    to_png(path, |root| draw(root, title, points, front))
}

fn finite(p: &&(f64, f64)) -> bool {
    p.0.is_finite() && p.1.is_finite()
}

/// `lo..hi` padded by 5 %, or a unit range around a single value.
fn padded(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    if lo.is_finite() && hi > lo {
        (lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))
    } else if lo.is_finite() {
        (lo - 1.0, lo + 1.0)
    } else {
        (0.0, 1.0)
    }
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    points: &[(f64, f64)],
    front: &[(f64, f64)],
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let all = || points.iter().chain(front).filter(finite);
    let (x0, x1) = padded(all().map(|p| p.0));
    let (y0, y1) = padded(all().map(|p| p.1));
    root.fill(&WHITE).map_err(e)?;
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT_FAMILY, 24))
        .margin(15)
        .margin_right(35)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc("objective 1")
        .y_desc("objective 2")
        .label_style((FONT_FAMILY, 14))
        .axis_desc_style((FONT_FAMILY, 16))
        .draw()
        .map_err(e)?;
    let pop_color = color(0);
    chart
        .draw_series(
            points
                .iter()
                .filter(finite)
                .map(|&p| Circle::new(p, 3, pop_color.stroke_width(1))),
        )
        .map_err(e)?
        .label("population")
        .legend(move |(x, y)| Circle::new((x + 10, y), 4, pop_color.stroke_width(1)));
    let front_color = color(1);
    chart
        .draw_series(
            front
                .iter()
                .filter(finite)
                .map(|&p| Circle::new(p, 4, front_color.filled())),
        )
        .map_err(e)?
        .label("archive (front)")
        .legend(move |(x, y)| Circle::new((x + 10, y), 4, front_color.filled()));
    draw_legend(&mut chart)
}
