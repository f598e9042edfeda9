//! Mechanisms compiled from `.mod` files against NEURON 9's reference output for the
//! same files (`validation/neuron/mod/`, references from `validation/neuron/make_refs.sh`).
//! Shares the case builder and the acceptance check with the cable crate's validation.

#[path = "../../cable/tests/support/mod.rs"]
mod support;

use std::sync::Arc;

fn compile_validation_mod(file: &str) -> ranvier_kernel::IrMechanism {
    let path = support::case::repo_root()
        .join("validation/neuron/mod")
        .join(file);
    let src = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
    let (module, diags) = ranvier_nmodl::parse(&src);
    assert!(diags.is_empty(), "{file}: {diags:?}");
    let (mech, diags) = ranvier_nmodl::compile(&module);
    let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{file}: {errors:?}");
    mech.unwrap_or_else(|| panic!("{file}: no mechanism"))
}

/// `ifreset.mod`: INITIAL `net_send`, a `WATCH` on v armed from NET_RECEIVE, writing
/// `v` from NET_RECEIVE, `net_event`, and per-connection NET_RECEIVE state with its
/// own INITIAL block — spike times and the voltage trace match NEURON.
#[test]
fn compiled_ifreset_matches_neuron() {
    let mech = compile_validation_mod("ifreset.mod");
    let r = support::check::check_case_with("ifreset_events", Arc::new(mech));
    assert!(
        r.worst_trace.1 < 1e-9,
        "trace differs by {}",
        r.worst_trace.1
    );
    assert!(r.worst_spike < 1e-9, "spikes differ by {}", r.worst_spike);
}
