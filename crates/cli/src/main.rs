//! `ranvier`: the Ranvier command line.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ranvier_cli::{example, run};

#[derive(Parser)]
#[command(
    name = "ranvier",
    version,
    about = "Ranvier: a NEURON-compatible simulator"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build and run the bundled two-population example network (1000 ms), then write
    /// spikes.json, raster.png, raster.svg and traces.png.
    Example {
        /// Output directory.
        #[arg(short = 'o', long = "out", default_value = "out/example")]
        out: PathBuf,
    },
    /// Simulate a NetPyNE model (`{"netParams": ..., "simConfig": ...}` or a NetPyNE
    /// output file) and write NetPyNE-format results and plots.
    Run {
        /// The model file.
        model: PathBuf,
        /// Output directory (default: the model's directory).
        #[arg(short = 'o', long = "out")]
        out: Option<PathBuf>,
        /// Threads (cell groups); 0 uses all cores.
        #[arg(short = 't', long = "threads", default_value_t = 0)]
        threads: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Example { out } => run_example(&out),
        Command::Run {
            model,
            out,
            threads,
        } => {
            let opts = run::RunOptions {
                model,
                out,
                threads,
            };
            run::run(&opts, &mut std::io::stdout().lock()).map(|_| ())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            let mut err = std::io::stderr().lock();
            // Nothing more can be done if stderr is gone.
            let _ = writeln!(err, "error: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn run_example(out: &std::path::Path) -> Result<(), String> {
    let report = example::run(out).map_err(|e| e.to_string())?;
    write_report(&report).map_err(|e| format!("writing to stdout: {e}"))
}

fn write_report(r: &example::Report) -> std::io::Result<()> {
    let mut o = std::io::stdout().lock();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    let t = &r.timings;
    writeln!(o, "Timings:")?;
    writeln!(o, "  build  {:9.2} ms", ms(t.build))?;
    writeln!(o, "  run    {:9.2} ms", ms(t.run))?;
    writeln!(o, "  save   {:9.2} ms", ms(t.save))?;
    writeln!(o, "  plot   {:9.2} ms", ms(t.plot))?;
    writeln!(o, "Summary:")?;
    writeln!(o, "  cells        {}", r.cells)?;
    writeln!(
        o,
        "  connections  {} ({} cell-to-cell, {} background)",
        r.connections,
        r.cell_connections,
        r.connections - r.cell_connections
    )?;
    writeln!(o, "  spikes       {}", r.spikes.len())?;
    for p in &r.populations {
        writeln!(
            o,
            "  {:<4} {:3} cells {:6} spikes  mean rate {:7.2} Hz",
            p.name, p.cells, p.spikes, p.rate
        )?;
    }
    writeln!(o, "Wrote:")?;
    for f in &r.files {
        writeln!(o, "  {}", f.display())?;
    }
    Ok(())
}
