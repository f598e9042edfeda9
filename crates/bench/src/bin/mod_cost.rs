//! Issue 4 benchmark: per-compartment-step cost of a channel compiled from a `.mod` file
//! by Ranvier's NMODL front end (kernel interpreter), against the native built-in `hh`.
//! One unbranched cable of `nseg` compartments with `hh` (and `pas`), an IClamp at 0,
//! run for `tstop` ms at dt 0.025. Prints `ns_per_comp_step` (run time / (nseg * steps)).
//!
//! Usage: `mod_cost MOD_FILE|builtin|MOD_DIR [nseg] [tstop_ms]`; `MOD_FILE` must define
//! `hh` (e.g. `crates/nmodl/tests/mechanisms/hh_table.mod`) and replaces the built-in.
//! With a folder (e.g. `examples/mod/traub`), every density mechanism of its `.mod`
//! files is inserted instead of `hh`, together with `pas`, at 36 degC (the "ten
//! Traub-style channels and a calcium pool" compartment).
//! Compare with `python3 bench/neuron_mod_cost.py [nseg] [tstop_ms] [MOD_DIR]`.

#![allow(clippy::print_stdout)]

use std::error::Error;
use std::sync::Arc;
use std::time::Instant;

use ranvier_bench::arg_f64;
use ranvier_cable::{CableModel, Source};
use ranvier_mech::Mechanism;
use ranvier_morph::Section;

fn main() -> Result<(), Box<dyn Error>> {
    let which = std::env::args().nth(1).unwrap_or_else(|| "builtin".into());
    let nseg = arg_f64(2, 1000.0) as usize;
    let tstop = arg_f64(3, 100.0);
    let t0 = Instant::now();
    let mut catalogue = ranvier_builtins::catalogue();
    let mut inserted = vec!["hh".to_string()];
    let mut celsius = 6.3; // [degC]
    if std::path::Path::new(&which).is_dir() {
        let mut files: Vec<_> = std::fs::read_dir(&which)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "mod"))
            .collect();
        files.sort();
        inserted = vec!["pas".to_string()];
        celsius = 36.0;
        for f in files {
            let src = std::fs::read_to_string(&f)?;
            let (module, diags) = ranvier_nmodl::parse(&src);
            if let Some(d) = diags.iter().find(|d| d.is_error()) {
                return Err(format!("{}: {}", f.display(), d.message).into());
            }
            let (mech, diags) = ranvier_nmodl::compile(&module);
            let Some(mech) = mech else {
                return Err(
                    format!("{}: {:?}", f.display(), diags.first().map(|d| &d.message)).into(),
                );
            };
            if mech.info().kind == ranvier_mech::MechKind::Density {
                inserted.push(mech.info().name.clone());
            }
            catalogue.add(Arc::new(mech));
        }
    } else if which != "builtin" {
        let src = std::fs::read_to_string(&which)?;
        let (module, diags) = ranvier_nmodl::parse(&src);
        if let Some(d) = diags.iter().find(|d| d.is_error()) {
            return Err(format!("{which}: {}", d.message).into());
        }
        let (mech, diags) = ranvier_nmodl::compile(&module);
        let Some(mech) = mech else {
            return Err(format!("{which}: {:?}", diags.first().map(|d| &d.message)).into());
        };
        catalogue.add(Arc::new(mech));
    }
    let mut model = CableModel::new(catalogue);
    model.dt = 0.025;
    model.celsius = celsius;
    let cell = model.add_cell("c0");
    let mut sec = Section::new("cable");
    sec.set_length(nseg as f64 * 10.0)?; // [um]
    sec.set_diam(2.0)?; // [um]
    sec.set_nseg(nseg)?;
    let cable = model.add_section(cell, sec);
    for m in &inserted {
        model.insert(cable, m)?;
    }
    let stim = model.add_point("IClamp", cable, 0.0)?;
    model.set_point(stim, "del", 1.0)?;
    model.set_point(stim, "dur", 1e9)?;
    model.set_point(stim, "amp", 0.5)?; // [nA]
    let src = model.add_source(Source::Voltage { sec: cable, x: 0.5 }, 10.0)?;
    model.connect(src, None, 0.0, 1.0)?;
    model.record_spikes(src);
    let mut g = model.build()?;
    g.init(-65.0)?;
    let build = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    g.run(tstop)?;
    let run = t1.elapsed().as_secs_f64();
    let steps = (tstop / 0.025).round();
    println!("build_s {build:.6}");
    println!("run_s {run:.6}");
    println!("spikes {}", g.spikes().len());
    println!("ns_per_comp_step {:.3}", run * 1e9 / (nseg as f64 * steps));
    Ok(())
}
