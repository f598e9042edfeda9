//! Issue 5 benchmark: importing a hoc template as a NetPyNE cell rule (parse, run the
//! template, convert), in process, with the built-in mechanisms. Prints the median of
//! `runs` imports. Usage: `import_cost FILE.hoc TEMPLATE [runs]`; compare with
//! `python3 bench/netpyne_import_cost.py FILE.hoc TEMPLATE [runs]`.

#![allow(clippy::print_stdout)]

use std::error::Error;
use std::path::PathBuf;
use std::time::Instant;

use ranvier_bench::arg_f64;
use ranvier_hoc::{Catalog, Interp};
use ranvier_spec::import::{ImportOptions, cell_rule, mech_meta};

fn main() -> Result<(), Box<dyn Error>> {
    let file: PathBuf = std::env::args()
        .nth(1)
        .ok_or("usage: import_cost FILE TEMPLATE [runs]")?
        .into();
    let template = std::env::args()
        .nth(2)
        .ok_or("usage: import_cost FILE TEMPLATE [runs]")?;
    let runs = arg_f64(3, 21.0) as usize;
    let catalogue = ranvier_builtins::catalogue();
    let catalog =
        Catalog::new((0..catalogue.len()).map(|i| mech_meta(catalogue.by_index(i).info())));
    let mut times = Vec::with_capacity(runs);
    let mut nsec = 0;
    for _ in 0..runs {
        let t0 = Instant::now();
        let mut it = Interp::new(catalog.clone(), Vec::new());
        it.run_file(&file).map_err(|e| it.render(&e))?;
        let id = it
            .new_instance(&template, Vec::new())
            .map_err(|e| it.render(&e))?;
        let cell = it.cell(id);
        let rule = cell_rule(
            &cell,
            &catalog,
            &ImportOptions {
                cell_name: template.clone(),
                import_syn_mechs: false,
                soma_at_origin: true,
            },
        );
        times.push(t0.elapsed().as_secs_f64());
        nsec = rule.rule["secs"]
            .as_object()
            .map_or(0, serde_json::Map::len);
    }
    times.sort_by(f64::total_cmp);
    println!("sections {nsec}");
    println!("median_ms {:.3}", times[times.len() / 2] * 1e3);
    println!("min_ms {:.3}", times[0] * 1e3);
    Ok(())
}
