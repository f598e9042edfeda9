use std::path::Path;

use ranvier_analysis::{
    PlotError, Population, RasterSpec, TraceSpec, raster_png, raster_svg, traces_png, traces_svg,
};

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

fn pops() -> Vec<Population> {
    vec![
        Population {
            name: "Spop".into(),
            gids: 0..5,
        },
        Population {
            name: "Mpop".into(),
            gids: 5..10,
        },
    ]
}

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

#[test]
fn raster_renders_png_and_svg_with_legend() {
    let dir = tempfile::tempdir().unwrap();
    let spikes = [(1.0, 0), (5.5, 3), (7.25, 5), (9.0, 9), (9.5, 12)];
    let pops = pops();
    for inverse in [false, true] {
        let spec = RasterSpec {
            title: "Raster test",
            spikes: &spikes,
            populations: &pops,
            tstop: 10.0,
            order_inverse: inverse,
        };
        let png = dir.path().join(format!("raster_{inverse}.png"));
        let svg = dir.path().join(format!("raster_{inverse}.svg"));
        raster_png(&spec, &png).unwrap();
        raster_svg(&spec, &svg).unwrap();
        assert_png(&png);
        let text = read_svg(&svg);
        for label in ["Spop", "Mpop", "Raster test", "Time (ms)", "other"] {
            assert!(text.contains(label), "svg lacks `{label}`");
        }
    }
}

#[test]
fn empty_raster_still_renders() {
    let dir = tempfile::tempdir().unwrap();
    let pops = pops();
    let spec = RasterSpec {
        title: "Empty",
        spikes: &[],
        populations: &pops,
        tstop: 100.0,
        order_inverse: true,
    };
    let png = dir.path().join("empty.png");
    let svg = dir.path().join("empty.svg");
    raster_png(&spec, &png).unwrap();
    raster_svg(&spec, &svg).unwrap();
    assert_png(&png);
    assert!(read_svg(&svg).contains("Spop"));

    // No populations and no spikes at all.
    let bare = RasterSpec {
        populations: &[],
        ..spec
    };
    raster_png(&bare, &png).unwrap();
    assert_png(&png);
}

#[test]
fn bad_tstop_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let spec = RasterSpec {
        title: "Bad",
        spikes: &[],
        populations: &[],
        tstop: 0.0,
        order_inverse: false,
    };
    let err = raster_png(&spec, &dir.path().join("bad.png")).unwrap_err();
    assert!(matches!(err, PlotError::InvalidSpec { .. }), "{err}");
}

#[test]
fn unwritable_path_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let spec = RasterSpec {
        title: "Nowhere",
        spikes: &[],
        populations: &[],
        tstop: 1.0,
        order_inverse: false,
    };
    let path = dir.path().join("missing_dir").join("x.png");
    let err = raster_png(&spec, &path).unwrap_err();
    assert!(matches!(err, PlotError::Draw { .. }), "{err}");
}

#[test]
fn traces_render() {
    let dir = tempfile::tempdir().unwrap();
    let t: Vec<f64> = (0..200).map(|i| f64::from(i) * 0.5).collect();
    let a: Vec<f64> = t.iter().map(|x| (x / 5.0).sin() * 30.0 - 50.0).collect();
    let b: Vec<f64> = t.iter().map(|x| (x / 7.0).cos() * 20.0 - 60.0).collect();
    let traces = [("trace_a", a.as_slice()), ("trace_b", b.as_slice())];
    let spec = TraceSpec {
        title: "Traces",
        t: &t,
        traces: &traces,
        y_label: "v (mV)",
    };
    let png = dir.path().join("traces.png");
    let svg = dir.path().join("traces.svg");
    traces_png(&spec, &png).unwrap();
    traces_svg(&spec, &svg).unwrap();
    assert_png(&png);
    let text = read_svg(&svg);
    assert!(text.contains("trace_a") && text.contains("trace_b"));

    // Empty input renders too; mismatched lengths are rejected.
    let empty = TraceSpec {
        title: "Empty",
        t: &[],
        traces: &[],
        y_label: "v",
    };
    traces_png(&empty, &png).unwrap();
    let short = [("short", &a[..3])];
    let bad = TraceSpec {
        traces: &short,
        ..spec
    };
    assert!(matches!(
        traces_png(&bad, &png),
        Err(PlotError::InvalidSpec { .. })
    ));
}
