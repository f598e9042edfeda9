//! Cell positions and connections (NetPyNE's `plot2Dnet`).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::{FONT_FAMILY, PlotError, SIZE, color, to_png, to_svg};

/// Width of the legend panel to the right of the plot (like NetPyNE's legend,
/// outside the axes so it never hides cells).
const LEGEND_WIDTH: u32 = 170;
/// Connection lines.
const CONN_COLOR: RGBColor = RGBColor(200, 200, 200);

/// Cell positions in a plane, colored by population, with optional connections.
///
/// The vertical axis is inverted like NetPyNE's (`y` is depth, growing downward).
#[derive(Clone, Copy, Debug)]
pub struct Net2dSpec<'a> {
    pub title: &'a str,
    /// Population names, in legend order.
    pub populations: &'a [&'a str],
    /// One entry per cell: horizontal and vertical position `[um]` and the index of
    /// its population in `populations`.
    pub cells: &'a [(f64, f64, usize)],
    /// Connections as `(pre, post)` indices into `cells`; drawn as light gray lines.
    pub conns: &'a [(usize, usize)],
    /// Axis descriptions, e.g. `x (um)` and `y (um)`.
    pub x_label: &'a str,
    pub y_label: &'a str,
}

/// Render cell positions to a PNG file.
pub fn net2d_png(spec: &Net2dSpec<'_>, path: &Path) -> Result<(), PlotError> {
    check(spec)?;
    to_png(path, |root| draw(root, spec))
}

/// Render cell positions to an SVG file.
pub fn net2d_svg(spec: &Net2dSpec<'_>, path: &Path) -> Result<(), PlotError> {
    check(spec)?;
    to_svg(path, |root| draw(root, spec))
}

fn check(spec: &Net2dSpec<'_>) -> Result<(), PlotError> {
    let invalid = |why: String| PlotError::InvalidSpec {
        title: spec.title.to_owned(),
        why,
    };
    for (i, &(x, y, pop)) in spec.cells.iter().enumerate() {
        if !x.is_finite() || !y.is_finite() {
            return Err(invalid(format!("cell {i} has position ({x}, {y})")));
        }
        if pop >= spec.populations.len() {
            return Err(invalid(format!(
                "cell {i} is in population {pop} but there are {} populations",
                spec.populations.len()
            )));
        }
    }
    let n = spec.cells.len();
    if let Some(&(pre, post)) = spec.conns.iter().find(|&&(a, b)| a >= n || b >= n) {
        return Err(invalid(format!(
            "connection {pre} -> {post} refers to a cell beyond the {n} cells"
        )));
    }
    Ok(())
}

/// Padded axis range of some values.
fn span(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() {
        (0.0, 1.0)
    } else if hi > lo {
        let pad = 0.05 * (hi - lo);
        (lo - pad, hi + pad)
    } else {
        let pad = (0.05 * lo.abs()).max(1.0);
        (lo - pad, lo + pad)
    }
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    spec: &Net2dSpec<'_>,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(e)?;
    let (x0, x1) = span(spec.cells.iter().map(|c| c.0));
    let (y0, y1) = span(spec.cells.iter().map(|c| c.1));
    // Depth grows downward: plot -y and label it back as y.
    let (plot_area, legend_area) = root.split_horizontally(SIZE.0 - LEGEND_WIDTH);
    let mut chart = ChartBuilder::on(&plot_area)
        .caption(spec.title, (FONT_FAMILY, 24))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(x0..x1, -y1..-y0)
        .map_err(e)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(spec.x_label)
        .y_desc(spec.y_label)
        .label_style((FONT_FAMILY, 14))
        .axis_desc_style((FONT_FAMILY, 16))
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{:.0}", -y + 0.0))
        .draw()
        .map_err(e)?;

    let at = |i: usize| (spec.cells[i].0, -spec.cells[i].1);
    chart
        .draw_series(
            spec.conns
                .iter()
                .map(|&(pre, post)| PathElement::new(vec![at(pre), at(post)], CONN_COLOR)),
        )
        .map_err(e)?;
    for pi in 0..spec.populations.len() {
        let c = color(pi);
        chart
            .draw_series(
                spec.cells
                    .iter()
                    .filter(|cell| cell.2 == pi)
                    .map(|cell| Circle::new((cell.0, -cell.1), 4, c.filled())),
            )
            .map_err(e)?;
    }

    // Legend: one colored dot and name per population, top of the right panel.
    let font = (FONT_FAMILY, 14).into_font().color(&BLACK);
    for (pi, name) in spec.populations.iter().enumerate() {
        let y = 60 + 24 * i32::try_from(pi).unwrap_or(i32::MAX / 48);
        legend_area
            .draw(&Circle::new((12, y), 5, color(pi).filled()))
            .map_err(e)?;
        legend_area
            .draw(&Text::new(
                *name,
                (26, y),
                font.pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(e)?;
    }
    Ok(())
}
