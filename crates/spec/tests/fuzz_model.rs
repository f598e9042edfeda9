//! NetPyNE model files damaged at random (a few values anywhere in `netParams` or
//! `simConfig` replaced by numbers of any size and sign, strings, expressions, nulls,
//! lists or objects) load with diagnostics or are rejected, and never panic; those that
//! load are planned into a network and simulated for up to 10 ms without panicking
//! (count-like values are kept small so that the network stays small).

use proptest::prelude::*;
use ranvier_spec::sim::simulate_until;
use ranvier_spec::{load, network::plan};
use serde_json::Value;

/// NetPyNE's tutorial 2 as NetPyNE saves it, or the optimisation example (connections
/// by probability, expressions in cell rules).
fn base(which: usize) -> Value {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let file = ["examples/tut2/model.json", "examples/optimize/model.json"][which % 2];
    serde_json::from_str(&std::fs::read_to_string(root.join(file)).unwrap()).unwrap()
}

fn catalogue() -> ranvier_mech::Catalogue {
    ranvier_builtins::catalogue()
}

/// JSON pointers of every value (leaves and containers) under the top level.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                pointers(x, p, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(x, p, out);
            }
        }
        _ => {}
    }
}

/// Keys whose values set how many cells or connections there are.
const COUNTS: &[&str] = &[
    "numCells",
    "convergence",
    "divergence",
    "synsPerConn",
    "density",
    "scale",
];

fn replacement() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-1e3f64..1e3).prop_map(Value::from),
        prop_oneof![
            Just(0.0),
            Just(-1.0),
            Just(1e308),
            Just(-1e308),
            Just(1e-320)
        ]
        .prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        prop_oneof![
            Just("uniform(0, 1)"),
            Just("normal(1, -1)"),
            Just("1/0"),
            Just("dist_3D +"),
            Just("post_ynorm * 2"),
            Just(""),
            Just("soma"),
            Just("hh"),
            Just("[1, 2"),
        ]
        .prop_map(Value::from),
        "[a-zA-Z0-9_ ().*+-]{0,12}".prop_map(Value::from),
        Just(serde_json::json!([])),
        Just(serde_json::json!([1, "a", null])),
        Just(serde_json::json!({})),
        Just(serde_json::json!({"pop": "S", "x": [0, "a"]})),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn damaged_models_never_panic(
        which in 0usize..2,
        picks in proptest::collection::vec((any::<proptest::sample::Index>(), replacement()), 1..4),
    ) {
        let mut v = base(which);
        let mut ptrs = Vec::new();
        pointers(&v, String::new(), &mut ptrs);
        let mut big_counts = false;
        for (ix, new) in picks {
            let p = ix.get(&ptrs);
            if let Some(slot) = v.pointer_mut(p) {
                let key = p.rsplit('/').next().unwrap_or("");
                if COUNTS.contains(&key)
                    && !matches!(new.as_f64(), Some(x) if x.abs() <= 50.0)
                {
                    big_counts = true;
                }
                *slot = new;
            }
        }
        let (model, _diags) = load(&v);
        if let Some(mut model) = model
            && !big_counts
        {
            let _ = plan(&model);
            // And simulated, briefly (the deadline only guards the test's time).
            model.sim.duration = model.sim.duration.min(10.0);
            if model.sim.dt.is_finite() && model.sim.dt >= 0.01 {
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
                let _ = simulate_until(&model, &catalogue(), 1, |_| {}, Some(deadline));
            }
        }
    }
}

/// Found by the property test: a NetStim firing at 1e18 Hz drowned the run in events
/// (and memory); a rate above 1e9 Hz is now an error naming the stimulus.
#[test]
fn a_netstim_faster_than_a_gigahertz_is_an_error() {
    let mut v = base(0);
    v["netParams"]["stimSourceParams"]["bkg"]["rate"] = Value::from(1.4e18);
    let (model, _) = load(&v);
    let Err(err) = simulate_until(&model.expect("loads"), &catalogue(), 1, |_| {}, None) else {
        panic!("a 1e18 Hz NetStim was accepted");
    };
    let text = err.to_string();
    assert!(text.contains("bkg") && text.contains("1e9"), "{text}");
}

/// Found by the property test: `scale` (or `numCells`) so large that the population
/// could not be allocated panicked; now it is an error naming the population.
#[test]
fn a_population_too_large_to_build_is_an_error() {
    let mut v = base(0);
    v["netParams"]["scale"] = Value::from(1e308);
    let (model, _) = load(&v);
    let (_, diags) = plan(&model.expect("loads"));
    let text: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
    assert!(
        text.iter()
            .any(|d| d.contains("more than Ranvier builds in one population")),
        "{text:?}"
    );
}
