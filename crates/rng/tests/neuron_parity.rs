//! Bit-for-bit parity with NEURON 9's Random123 streams and NetStim spike times.
//!
//! Reference data: `validation/rng/ref.json`, produced by
//! `validation/rng/make_ref.py` with real NEURON (doubles stored as repr strings).

use ranvier_rng::Nrnran123;
use serde_json::Value;

fn load_ref() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../validation/rng/ref.json");
    let text = std::fs::read_to_string(path).expect("read validation/rng/ref.json");
    serde_json::from_str(&text).expect("parse ref.json")
}

/// A double stored as a repr string (exact round trip).
fn f(v: &Value) -> f64 {
    v.as_str()
        .expect("double stored as string")
        .parse::<f64>()
        .expect("parse f64")
}

fn u(v: &Value) -> u32 {
    u32::try_from(v.as_u64().expect("integer")).expect("u32")
}

fn ids(v: &Value) -> (u32, u32, u32) {
    let a = v.as_array().expect("ids array");
    (u(&a[0]), u(&a[1]), u(&a[2]))
}

fn f_list(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(f).collect()
}

/// Exact equality of doubles (bit pattern).
fn assert_bits(got: f64, want: f64, what: &str) {
    assert_eq!(
        got.to_bits(),
        want.to_bits(),
        "{what}: got {got:?}, NEURON {want:?}"
    );
}

/// Stream for one reference case: ids, global index, start position.
fn stream_for(case: &Value) -> Nrnran123 {
    let (a, b, c) = ids(&case["ids"]);
    let gix = u(&case["gix"]);
    let mut s = Nrnran123::with_global_index(a, b, c, gix);
    let start = case["seq4which_start"].as_f64().expect("seq4which_start");
    if start != 0.0 {
        s.set_seq4which(start);
    }
    s
}

#[test]
fn hoc_random_class_draws_match() {
    let r = load_ref();
    let cases = r["random_class"].as_array().expect("random_class");
    assert!(cases.len() >= 9);
    for case in cases {
        let name = case["name"].as_str().unwrap_or("?");
        let mut s = stream_for(case);
        let want = f_list(&case["values"]);
        for (i, w) in want.iter().enumerate() {
            let got = match case["dist"].as_str() {
                Some("uniform01") => s.dblpick(),
                Some("negexp") => s.negexp(f(&case["mean"])),
                other => panic!("unknown dist {other:?}"),
            };
            assert_bits(got, *w, &format!("{name}[{i}]"));
        }
        let end = case["seq4which_end"].as_f64().expect("seq4which_end");
        assert_eq!(s.seq4which(), end, "{name}: final seq4which");
    }
}

#[test]
fn live_global_index_change_matches() {
    let r = load_ref();
    let c = &r["live_gix_change"];
    let (a, b, cc) = ids(&c["ids"]);
    let mut s = Nrnran123::with_global_index(a, b, cc, u(&c["gix_before"]));
    for (i, w) in f_list(&c["before"]).iter().enumerate() {
        assert_bits(s.dblpick(), *w, &format!("before[{i}]"));
    }
    s.set_global_index(u(&c["gix_after"]));
    for (i, w) in f_list(&c["after"]).iter().enumerate() {
        assert_bits(s.dblpick(), *w, &format!("after[{i}]"));
    }
}

#[test]
fn nmodl_random_probe_draws_match() {
    let r = load_ref();
    let probe = &r["probe"];
    assert!(
        probe.is_object(),
        "ref.json lacks the RanProbe section (nrnivmodl failed?)"
    );
    let cases = probe["cases"].as_array().expect("probe cases");
    assert!(cases.len() >= 9);
    for case in cases {
        let name = case["name"].as_str().unwrap_or("?");
        let mut s = stream_for(case);
        let values = case["values"].as_array().expect("values");
        let dist = case["dist"].as_str().expect("dist");
        for (i, w) in values.iter().enumerate() {
            let what = format!("{name}[{i}]");
            match dist {
                "ipick" => assert_eq!(s.ipick(), u(w), "{what}"),
                "dblpick" => assert_bits(s.dblpick(), f(w), &what),
                "negexp1" => assert_bits(s.negexp(1.0), f(w), &what),
                "negexp" => assert_bits(s.negexp(f(&case["mean"])), f(w), &what),
                "normal01" => assert_bits(s.normal(), f(w), &what),
                "normal" => assert_bits(
                    s.normal_with(f(&case["mu"]), f(&case["sigma"])),
                    f(w),
                    &what,
                ),
                "uniform_ab" => {
                    assert_bits(s.uniform_range(f(&case["a"]), f(&case["b"])), f(w), &what);
                }
                other => panic!("unknown dist {other}"),
            }
        }
        let end = case["seq4which_end"].as_f64().expect("seq4which_end");
        assert_eq!(s.seq4which(), end, "{name}: final seq4which");
    }
}

#[test]
fn netstim_default_ids_follow_creation_counter() {
    let r = load_ref();
    // One RanProbe (the first RANDOM stream, id3 = 1) was created before the NetStims.
    assert_eq!(ids(&r["probe"]["default_ids"]), (1, 0, 1));
    let got: Vec<(u32, u32, u32)> = r["netstim_ids"]["ids"]
        .as_array()
        .expect("ids")
        .iter()
        .map(ids)
        .collect();
    let want: Vec<(u32, u32, u32)> = (0..got.len() as u32).map(|k| (1, 0, 2 + k)).collect();
    assert_eq!(got, want);
}

/// NetStim (NEURON 9 netstim.mod) spike times for a stream already positioned by
/// `INITIAL`'s `seed(0)`. Times `[ms]`. Returns `(spikes, draws)`.
fn netstim_spikes(
    start: f64,    // [ms]
    interval: f64, // [ms]
    number: f64,
    noise: f64,
    tstop: f64, // [ms]
    s: &mut Nrnran123,
) -> Vec<f64> {
    let noise = noise.clamp(0.0, 1.0);
    s.set_seq4which(0.0); // seed(0)
    let mut invl = |mean: f64| -> f64 {
        let mean = if mean <= 0.0 { 0.01 } else { mean }; // [ms]
        if noise == 0.0 {
            mean
        } else {
            (1.0 - noise) * mean + noise * mean * s.negexp(1.0)
        }
    };
    let mut spikes = Vec::new();
    if !(start >= 0.0 && number > 0.0) {
        return spikes;
    }
    // INITIAL at t = 0: net_send(event, 3)
    let mut event = start + invl(interval) - interval * (1.0 - noise); // [ms]
    if event < 0.0 {
        event = 0.0;
    }
    let t3 = 0.0 + event; // flag 3 delivery [ms]
    let mut t = t3 + 0.0; // init_sequence; net_send(0, 1)
    let mut ispike = 0.0;
    loop {
        if t > tstop {
            break;
        }
        ispike += 1.0;
        spikes.push(t); // net_event(t)
        let next = invl(interval); // next_invl(): always draws
        if ispike >= number {
            break;
        }
        t += next; // net_send(event, 1) from time t
    }
    spikes
}

#[test]
fn netstim_spike_times_match() {
    let r = load_ref();
    let runs = r["netstim_runs"].as_array().expect("netstim_runs");
    assert!(runs.len() >= 4);
    for run in runs {
        let name = run["name"].as_str().unwrap_or("?");
        let (a, b, c) = ids(&run["ids"]);
        let mut s = Nrnran123::new(a, b, c);
        let number = run["number"].as_f64().expect("number");
        let tstop = f(&run["tstop"]);
        let got = netstim_spikes(
            f(&run["start"]),
            f(&run["interval"]),
            number,
            f(&run["noise"]),
            tstop,
            &mut s,
        );
        let want = f_list(&run["spikes"]);
        // All reference runs finish well before tstop.
        assert_eq!(want.len() as f64, number, "{name}: NEURON spike count");
        assert_eq!(got.len(), want.len(), "{name}: spike count");
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!(
                (g - w).abs() <= 1e-9,
                "{name}[{i}]: got {g:?}, NEURON {w:?}"
            );
            assert_bits(*g, *w, &format!("{name}[{i}] (bitwise)"));
        }
        let end = run["seq4which_end"].as_f64().expect("seq4which_end");
        assert_eq!(s.seq4which(), end, "{name}: draws consumed");
        assert_eq!(end, number + 1.0, "{name}: number + 1 draws");
    }
}
