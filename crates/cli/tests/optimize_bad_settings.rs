//! Whatever the `"algorithm"` object of an optimisation file holds (known and unknown
//! keys, numbers of any sign and size, strings, lists, nulls), building the algorithm
//! gives a configured run or an error message, never a panic.

use proptest::prelude::*;
use ranvier_cli::optimize::{ARG_NAMES, build};
use serde_json::{Map, Value};

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        prop_oneof![Just(0.0), Just(-1.0), Just(0.5), Just(1e300), Just(-1e300)]
            .prop_map(Value::from),
        "[a-zA-Z_]{0,12}".prop_map(Value::from),
        prop_oneof![
            Just("tournament"),
            Just("uniform_crossover"),
            Just("star"),
            Just("ring"),
            Just("nsga2"),
            Just("cmaes"),
            Just("PSO"),
            Just("custom"),
        ]
        .prop_map(Value::from),
        proptest::collection::vec(
            prop_oneof![
                Just(Value::from("gaussian_mutation")),
                Just(Value::from(3)),
                Just(Value::from("nope")),
            ],
            0..3
        )
        .prop_map(Value::Array),
    ]
}

fn key() -> impl Strategy<Value = String> {
    let mut known: Vec<&'static str> = ARG_NAMES.to_vec();
    known.extend([
        "name",
        "seed",
        "pop_size",
        "selector",
        "variators",
        "replacer",
        "topology",
        "bogus",
    ]);
    proptest::sample::select(known).prop_map(str::to_owned)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn algorithm_objects_never_panic(
        entries in proptest::collection::vec((key(), value()), 0..8),
        objectives in 1usize..3,
    ) {
        let mut m = Map::new();
        for (k, v) in entries {
            m.insert(k, v);
        }
        let _ = build(&Value::Object(m), "opt.json", objectives);
    }
}

/// Found by the property test: a `max_time` too large for a duration.
#[test]
fn huge_max_time_is_an_error() {
    let alg = serde_json::json!({"max_evaluations": 5, "max_time": 1e300});
    let e = build(&alg, "opt.json", 1).err().expect("rejected");
    assert!(e.contains("max_time"), "{e}");
}
