//! Benchmark (a): one `hh` soma driven by an IClamp, 10 s of model time at dt 0.025.
//! Usage: `hh_soma [tstop_ms]`.

#![allow(clippy::print_stdout)]

use std::error::Error;
use std::time::Instant;

use ranvier_bench::{SOMA_SIZE, arg_f64};
use ranvier_cable::{CableModel, Source};
use ranvier_morph::Section;

fn main() -> Result<(), Box<dyn Error>> {
    let tstop = arg_f64(1, 10_000.0);
    let t0 = Instant::now();
    let mut model = CableModel::new(ranvier_builtins::catalogue());
    model.dt = 0.025;
    model.celsius = 6.3;
    let cell = model.add_cell("c0");
    let mut sec = Section::new("soma");
    sec.set_length(SOMA_SIZE)?;
    sec.set_diam(SOMA_SIZE)?;
    let soma = model.add_section(cell, sec);
    model.insert(soma, "hh")?;
    let stim = model.add_point("IClamp", soma, 0.5)?;
    model.set_point(stim, "del", 0.0)?;
    model.set_point(stim, "dur", 1e9)?;
    model.set_point(stim, "amp", 0.1)?;
    let src = model.add_source(Source::Voltage { sec: soma, x: 0.5 }, 10.0)?;
    model.connect(src, None, 0.0, 1.0)?;
    model.record_spikes(src);
    let mut g = model.build()?;
    g.init(-65.0)?;
    let build = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    g.run(tstop)?;
    let run = t1.elapsed().as_secs_f64();
    let spikes = g.spikes();
    println!("build_s {build:.6}");
    println!("run_s {run:.6}");
    println!("spikes {}", spikes.len());
    if let (Some(a), Some(b)) = (spikes.first(), spikes.last()) {
        println!("first_spike {:.6} last_spike {:.6}", a.time, b.time);
    }
    Ok(())
}
