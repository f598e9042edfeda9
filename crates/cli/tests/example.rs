use std::path::Path;

use ranvier_cli::example;

fn run_into(dir: &Path) -> (example::Report, String) {
    let report = example::run(dir).expect("example runs");
    for name in ["spikes.json", "raster.png", "raster.svg", "traces.png"] {
        let meta = std::fs::metadata(dir.join(name)).expect(name);
        assert!(meta.len() > 0, "{name} is empty");
    }
    let json = std::fs::read_to_string(dir.join("spikes.json")).unwrap();
    (report, json)
}

#[test]
fn example_writes_outputs_and_is_reproducible() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, json_a) = run_into(&tmp.path().join("a"));
    let (b, json_b) = run_into(&tmp.path().join("b"));

    assert_eq!(a.cells, 40);
    assert!(!a.spikes.is_empty());
    assert!(a.cell_connections > 0 && a.cell_connections < 400);
    assert_eq!(a.connections, a.cell_connections + 40);
    assert_eq!(json_a, json_b, "spikes.json differs between runs");
    assert_eq!(a.spikes, b.spikes);

    let v: serde_json::Value = serde_json::from_str(&json_a).unwrap();
    let spkt = v["spkt"].as_array().unwrap();
    let spkid = v["spkid"].as_array().unwrap();
    assert_eq!(spkt.len(), a.spikes.len());
    assert_eq!(spkid.len(), spkt.len());
    let pairs: Vec<(f64, u64)> = spkt
        .iter()
        .zip(spkid)
        .map(|(t, g)| (t.as_f64().unwrap(), g.as_u64().unwrap()))
        .collect();
    assert!(
        pairs
            .windows(2)
            .all(|w| w[0].0 < w[1].0 || (w[0].0 == w[1].0 && w[0].1 <= w[1].1)),
        "spikes not sorted by time then gid"
    );
    assert!(
        pairs
            .iter()
            .all(|&(t, g)| (0.0..=1000.0).contains(&t) && g < 40)
    );
    // Both populations fire.
    assert!(a.populations.iter().all(|p| p.spikes > 0));

    let svg = std::fs::read_to_string(tmp.path().join("a/raster.svg")).unwrap();
    // Legend entries: the population names as text elements.
    let texts: Vec<&str> = svg
        .split("<text")
        .skip(1)
        .filter_map(|t| t.split_once('>'))
        .filter_map(|(_, rest)| rest.split_once("</text>"))
        .map(|(inner, _)| inner.trim())
        .collect();
    assert!(texts.contains(&"S") && texts.contains(&"M"), "{texts:?}");
}
