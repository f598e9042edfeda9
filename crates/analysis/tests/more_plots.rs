//! 2D network, spike histogram and population-rate plots, and the raster window.

use std::path::Path;

use ranvier_analysis::{
    HistMeasure, Net2dSpec, PlotError, Population, RasterSpec, RatesSpec, SpikeHistSpec,
    cell_rates, net2d_png, net2d_svg, raster_window_png, raster_window_svg, rates_png, rates_svg,
    spike_hist_png, spike_hist_svg, spike_histogram,
};

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

fn assert_png(path: &Path) {
    let bytes = std::fs::read(path).expect("png written");
    assert!(bytes.len() > PNG_SIGNATURE.len());
    assert_eq!(bytes[..8], PNG_SIGNATURE);
}

fn read_svg(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("svg written");
    assert!(text.contains("<svg"));
    text
}

fn pops() -> Vec<Population> {
    vec![
        Population {
            name: "Spop".into(),
            gids: 0..4,
        },
        Population {
            name: "Mpop".into(),
            gids: 4..6,
        },
    ]
}

#[test]
fn net2d_renders_with_legend_and_connections() {
    let dir = tempfile::tempdir().unwrap();
    let names = ["Epop", "Ipop"];
    let cells = [
        (10.0, 100.0, 0),
        (50.0, 300.0, 0),
        (80.0, 700.0, 1),
        (20.0, 900.0, 1),
    ];
    let conns = [(0, 2), (1, 3), (3, 0)];
    let spec = Net2dSpec {
        title: "Network 2D",
        populations: &names,
        cells: &cells,
        conns: &conns,
        x_label: "x (um)",
        y_label: "y (um)",
    };
    let png = dir.path().join("net.png");
    let svg = dir.path().join("net.svg");
    net2d_png(&spec, &png).unwrap();
    net2d_svg(&spec, &svg).unwrap();
    assert_png(&png);
    let text = read_svg(&svg);
    for label in ["Epop", "Ipop", "Network 2D", "x (um)", "y (um)"] {
        assert!(text.contains(label), "svg lacks `{label}`");
    }
    // Light gray connection lines are drawn only when asked for.
    assert!(text.contains("#C8C8C8"), "no connection lines");
    let bare = Net2dSpec { conns: &[], ..spec };
    net2d_svg(&bare, &svg).unwrap();
    assert!(!read_svg(&svg).contains("#C8C8C8"));
}

#[test]
fn net2d_empty_and_degenerate_inputs_render() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("net.png");
    let empty = Net2dSpec {
        title: "Empty",
        populations: &[],
        cells: &[],
        conns: &[],
        x_label: "x (um)",
        y_label: "y (um)",
    };
    net2d_png(&empty, &png).unwrap();
    assert_png(&png);
    // All cells at one point.
    let names = ["A"];
    let cells = [(5.0, 5.0, 0), (5.0, 5.0, 0)];
    let same = Net2dSpec {
        populations: &names,
        cells: &cells,
        ..empty
    };
    net2d_png(&same, &png).unwrap();
    assert_png(&png);
}

#[test]
fn net2d_bad_inputs_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("net.png");
    let names = ["A"];
    let cells = [(0.0, 0.0, 0), (1.0, 1.0, 0)];
    let ok = Net2dSpec {
        title: "Bad",
        populations: &names,
        cells: &cells,
        conns: &[],
        x_label: "x",
        y_label: "y",
    };
    let bad_pop = [(0.0, 0.0, 1)];
    let bad_pos = [(f64::NAN, 0.0, 0)];
    let bad_conn = [(0, 2)];
    for spec in [
        Net2dSpec {
            cells: &bad_pop,
            ..ok
        },
        Net2dSpec {
            cells: &bad_pos,
            ..ok
        },
        Net2dSpec {
            conns: &bad_conn,
            ..ok
        },
    ] {
        let err = net2d_png(&spec, &png).unwrap_err();
        assert!(matches!(err, PlotError::InvalidSpec { .. }), "{err}");
    }
}

#[test]
fn histogram_counts_and_rates() {
    let spikes = [
        (0.0, 0),
        (1.0, 1),
        (4.9, 5),
        (5.0, 2),
        (9.99, 3),
        (10.0, 0),
        (3.0, 9),
    ];
    let all = Population {
        name: "all".into(),
        gids: 0..6,
    };
    let counts = spike_histogram(&spikes, &all, 0.0, 10.0, 5.0, HistMeasure::Count);
    // The last bin includes t_stop; gid 9 is not in the group.
    assert_eq!(counts, vec![(2.5, 3.0), (7.5, 3.0)]);
    let rates = spike_histogram(&spikes, &all, 0.0, 10.0, 5.0, HistMeasure::Rate);
    // 3 spikes / 6 cells / 5 ms = 100 Hz.
    assert_eq!(rates, vec![(2.5, 100.0), (7.5, 100.0)]);
    // A partial last bin: [0, 5), [5, 7]; its rate uses its 2 ms width.
    let part = spike_histogram(&spikes, &all, 0.0, 7.0, 5.0, HistMeasure::Rate);
    assert_eq!(part.len(), 2);
    assert!((part[1].0 - 6.0).abs() < 1e-12);
    assert!((part[1].1 - 1000.0 / 2.0 / 6.0).abs() < 1e-9);
    // Invalid windows give nothing rather than panicking.
    assert!(spike_histogram(&spikes, &all, 5.0, 5.0, 1.0, HistMeasure::Count).is_empty());
    assert!(spike_histogram(&spikes, &all, 0.0, 5.0, 0.0, HistMeasure::Count).is_empty());
    // An empty group has zero rate.
    let none = Population {
        name: "none".into(),
        gids: 3..3,
    };
    let z = spike_histogram(&spikes, &none, 0.0, 10.0, 5.0, HistMeasure::Rate);
    assert!(z.iter().all(|p| p.1 == 0.0));
}

#[test]
fn spike_hist_renders_and_rejects_bad_bins() {
    let dir = tempfile::tempdir().unwrap();
    let spikes: Vec<(f64, u64)> = (0..200)
        .map(|i| (f64::from(i) * 0.5, i as u64 % 6))
        .collect();
    let groups = pops();
    let spec = SpikeHistSpec {
        title: "Spike histogram",
        spikes: &spikes,
        groups: &groups,
        t_start: 0.0,
        t_stop: 100.0,
        bin_size: 5.0,
        measure: HistMeasure::Rate,
    };
    let png = dir.path().join("hist.png");
    let svg = dir.path().join("hist.svg");
    spike_hist_png(&spec, &png).unwrap();
    spike_hist_svg(&spec, &svg).unwrap();
    assert_png(&png);
    let text = read_svg(&svg);
    for label in [
        "Spop",
        "Mpop",
        "Spike histogram",
        "Avg cell firing rate (Hz)",
    ] {
        assert!(text.contains(label), "svg lacks `{label}`");
    }
    let counts = SpikeHistSpec {
        measure: HistMeasure::Count,
        ..spec
    };
    spike_hist_svg(&counts, &svg).unwrap();
    assert!(read_svg(&svg).contains("Spike count"));

    let empty = SpikeHistSpec {
        spikes: &[],
        groups: &[],
        ..spec
    };
    spike_hist_png(&empty, &png).unwrap();
    assert_png(&png);

    for bad in [
        SpikeHistSpec {
            bin_size: 0.0,
            ..spec
        },
        SpikeHistSpec {
            bin_size: f64::NAN,
            ..spec
        },
        SpikeHistSpec {
            bin_size: 1e-9,
            ..spec
        },
        SpikeHistSpec {
            t_start: 100.0,
            ..spec
        },
    ] {
        let err = spike_hist_png(&bad, &png).unwrap_err();
        assert!(matches!(err, PlotError::InvalidSpec { .. }), "{err}");
    }
}

#[test]
fn cell_rates_count_spikes_in_window() {
    let spikes = [(10.0, 4), (20.0, 4), (30.0, 5), (600.0, 4), (50.0, 1)];
    let r = cell_rates(&spikes, 4..7, 0.0, 500.0);
    assert_eq!(r, vec![4.0, 2.0, 0.0]);
    assert!(cell_rates(&spikes, 4..4, 0.0, 500.0).is_empty());
    assert_eq!(cell_rates(&spikes, 4..5, 1.0, 1.0), vec![0.0]);
}

#[test]
fn rates_render_and_reject_bad_rates() {
    let dir = tempfile::tempdir().unwrap();
    let s = [10.0, 12.0, 8.0, 30.0];
    let m = [2.0, 0.0];
    let groups = [("Spop", &s[..]), ("Mpop", &m[..]), ("Empty", &[][..])];
    let spec = RatesSpec {
        title: "Population rates",
        groups: &groups,
    };
    let png = dir.path().join("rates.png");
    let svg = dir.path().join("rates.svg");
    rates_png(&spec, &png).unwrap();
    rates_svg(&spec, &svg).unwrap();
    assert_png(&png);
    let text = read_svg(&svg);
    for label in ["Spop", "Mpop", "Empty", "Population rates", "Rate (Hz)"] {
        assert!(text.contains(label), "svg lacks `{label}`");
    }
    let none = RatesSpec {
        title: "None",
        groups: &[],
    };
    rates_png(&none, &png).unwrap();
    assert_png(&png);

    let neg = [1.0, -1.0];
    let nan = [f64::NAN];
    for bad in [[("neg", &neg[..])], [("nan", &nan[..])]] {
        let err = rates_png(
            &RatesSpec {
                title: "Bad",
                groups: &bad,
            },
            &png,
        )
        .unwrap_err();
        assert!(matches!(err, PlotError::InvalidSpec { .. }), "{err}");
    }
}

#[test]
fn raster_window_draws_only_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let spikes = [(1.0, 0), (50.0, 1), (90.0, 4)];
    let pops = pops();
    let spec = RasterSpec {
        title: "Window",
        spikes: &spikes,
        populations: &pops,
        tstop: 60.0,
        order_inverse: false,
    };
    let png = dir.path().join("w.png");
    let svg = dir.path().join("w.svg");
    raster_window_png(&spec, 40.0, &png).unwrap();
    raster_window_svg(&spec, 40.0, &svg).unwrap();
    assert_png(&png);
    let text = read_svg(&svg);
    // One spike (t = 50) in the window: one marker circle (+ 2 legend circles).
    assert_eq!(text.matches("<circle").count(), 3, "{text}");
    for bad in [60.0, 70.0, f64::NAN] {
        let err = raster_window_png(&spec, bad, &png).unwrap_err();
        assert!(matches!(err, PlotError::InvalidSpec { .. }), "{err}");
    }
}
