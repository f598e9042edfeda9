//! `ranvier`: the Ranvier command line.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ranvier_cli::run;

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
    /// Simulate a NetPyNE model (`{"netParams": ..., "simConfig": ...}` or a NetPyNE
    /// output file) and write NetPyNE-format results and the plots of
    /// `simConfig.analysis`.
    Run {
        /// The model file.
        model: PathBuf,
        /// Output directory (default: the model's directory).
        #[arg(short = 'o', long = "out")]
        out: Option<PathBuf>,
        /// Threads (cell groups); 0 uses all cores.
        #[arg(short = 't', long = "threads", default_value_t = 0)]
        threads: usize,
        /// Result files: NetPyNE's JSON, the compact binary format (for large runs), or both.
        #[arg(long = "format", value_enum, default_value_t = Format::Json)]
        format: Format,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Json,
    Binary,
    Both,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run {
            model,
            out,
            threads,
            format,
        } => {
            let format = match format {
                Format::Json => run::OutputFormat::Json,
                Format::Binary => run::OutputFormat::Binary,
                Format::Both => run::OutputFormat::Both,
            };
            let opts = run::RunOptions {
                model,
                out,
                threads,
                format,
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
