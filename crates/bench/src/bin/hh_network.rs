//! Benchmark (b): 1,000 one-compartment `hh` cells, 100 recurrent ExpSyn inputs each
//! (merged by `coalesce_synapses`) plus one NetStim per cell; 1 s of model time.
//! Usage: `hh_network [tstop_ms] [spike_file]`.

#![allow(clippy::print_stdout)]

use std::error::Error;
use std::fmt::Write as _;
use std::time::Instant;

use ranvier_bench::net::{self, NCELLS};
use ranvier_bench::{SOMA_SIZE, arg_f64};
use ranvier_cable::{CableModel, Source, Target};
use ranvier_morph::Section;

fn main() -> Result<(), Box<dyn Error>> {
    let tstop = arg_f64(1, 1000.0);
    let spike_file = std::env::args().nth(2);
    let t0 = Instant::now();
    let mut model = CableModel::new(ranvier_builtins::catalogue());
    model.dt = 0.025;
    model.celsius = 6.3;
    model.coalesce_synapses = true;
    let mut srcs = Vec::new();
    let mut syns = Vec::new();
    for i in 0..NCELLS {
        let cell = model.add_cell(&format!("c{i}"));
        let mut sec = Section::new("soma");
        sec.set_length(SOMA_SIZE)?;
        sec.set_diam(SOMA_SIZE)?;
        let soma = model.add_section(cell, sec);
        model.insert(soma, "hh")?;
        let mut cell_syns = Vec::new();
        for _ in 0..net::FANIN {
            let syn = model.add_point("ExpSyn", soma, 0.5)?;
            model.set_point(syn, "tau", net::TAU)?;
            model.set_point(syn, "e", net::E_SYN)?;
            cell_syns.push(syn);
        }
        syns.push(cell_syns);
        let src = model.add_source(Source::Voltage { sec: soma, x: 0.5 }, net::THRESHOLD)?;
        model.record_spikes(src);
        srcs.push(src);
        let ns = model.add_artificial("NetStim", &format!("ns{i}"))?;
        model.set_artificial(ns, "interval", net::STIM_INTERVAL)?;
        model.set_artificial(ns, "number", 1e9)?;
        model.set_artificial(ns, "start", net::stim_start(i))?;
        model.set_artificial(ns, "noise", 0.0)?;
        model.set_random123(ns, i, 0, 0)?;
        let nssrc = model.add_source(Source::Artificial(ns), 10.0)?;
        model.connect(
            nssrc,
            Some(Target::Point(syns[i as usize][0])),
            net::W_EXT,
            net::STIM_DELAY,
        )?;
    }
    for post in 0..NCELLS {
        for k in 0..net::FANIN {
            let (pre, delay) = net::connection(post, k, NCELLS);
            model.connect(
                srcs[pre as usize],
                Some(Target::Point(syns[post as usize][k as usize])),
                net::W_REC,
                delay,
            )?;
        }
    }
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
    println!("instances_ExpSyn {}", g.instance_count("ExpSyn"));
    if let Some(path) = spike_file {
        let mut pairs: Vec<(u32, f64)> = spikes
            .iter()
            .map(|s| {
                let gid = srcs
                    .iter()
                    .position(|&x| x.0 == s.source)
                    .unwrap_or(usize::MAX);
                (gid as u32, s.time)
            })
            .collect();
        pairs.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        let mut out = String::new();
        for (gid, t) in pairs {
            writeln!(out, "{gid} {t:.9}")?;
        }
        std::fs::write(path, out)?;
    }
    Ok(())
}
