//! Optimisation files of every shape load or are rejected with a message, never a
//! panic. Whatever the `"algorithm"` object holds (known and unknown
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

fn param() -> impl Strategy<Value = Value> {
    let path = prop_oneof![
        Just("connParams.\"S->M\".weight".to_owned()),
        Just("connParams.\"S->M\".probability".to_owned()),
        Just("popParams.S.numCells".to_owned()),
        Just("simConfig.duration".to_owned()),
        Just("connParams.\"S->M\"".to_owned()),
        Just("a..b".to_owned()),
        Just("\"".to_owned()),
        "[a-zA-Z.\"> -]{0,24}",
    ];
    let bound = prop_oneof![
        (-1e3f64..1e3).prop_map(Value::from),
        Just(Value::from(1e308)),
        Just(Value::from("x")),
        Just(Value::Null),
    ];
    (
        path,
        proptest::collection::vec(bound, 0..4),
        proptest::option::of("[a-z_]{1,6}"),
    )
        .prop_map(|(p, b, label)| {
            let mut m = serde_json::json!({"path": p, "bounds": b});
            if let Some(l) = label {
                m["label"] = Value::from(l);
            }
            m
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Whole optimisation files: parameters, fitness expressions and time limits of
    /// every kind load or are rejected with a message, never a panic.
    #[test]
    fn optimisation_files_never_panic(
        params in proptest::collection::vec(param(), 0..4),
        fitness in prop_oneof![
            "[a-z_ +*/()0-9.-]{0,20}".prop_map(Value::from),
            Just(serde_json::json!(["rate", "p1 * 2"])),
            Just(Value::from(3)),
            Just(Value::Null),
        ],
        time_limit in prop_oneof![Just(Value::Null), (-10.0f64..1e3).prop_map(Value::from), Just(Value::from(1e300))],
    ) {
        let dir = tempfile::tempdir().unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        std::fs::copy(root.join("examples/optimize/model.json"), dir.path().join("model.json")).unwrap();
        let mut opt = serde_json::json!({"model": "model.json", "parameters": params, "fitness": fitness});
        if !time_limit.is_null() {
            opt["timeLimit"] = time_limit;
        }
        let file = dir.path().join("opt.json");
        std::fs::write(&file, opt.to_string()).unwrap();
        let mut catalogue = ranvier_builtins::catalogue();
        let _ = ranvier_cli::objective::Objective::load(&file, &mut catalogue, &mut Vec::new());
    }
}
