//! `ranvier`: the Ranvier command line.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ranvier_cli::{mods, run};
use ranvier_span::RenderStyle;

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
        /// A folder (or file) of `.mod` files to compile and use; repeatable. Loaded
        /// before `simConfig.modFolders`. A mechanism named like a built-in replaces it.
        #[arg(long = "mods", value_name = "DIR")]
        mods: Vec<PathBuf>,
        /// A folder searched for `INCLUDE`d files (after the `.mod` file's folder and
        /// its parent); repeatable.
        #[arg(short = 'I', long = "include", value_name = "DIR")]
        include: Vec<PathBuf>,
    },
    /// Work with NMODL `.mod` files.
    Mod {
        #[command(subcommand)]
        command: ModCommand,
    },
}

#[derive(Subcommand)]
enum ModCommand {
    /// Parse and compile `.mod` files (every `*.mod` of a folder, as nrnivmodl does),
    /// print their diagnostics and a summary of each mechanism. Exits with status 1 if
    /// any file has an error.
    Check {
        /// Folders and `.mod` files.
        #[arg(required = true, value_name = "DIR|FILE")]
        paths: Vec<PathBuf>,
        /// A folder searched for `INCLUDE`d files (after the `.mod` file's folder and
        /// its parent); repeatable.
        #[arg(short = 'I', long = "include", value_name = "DIR")]
        include: Vec<PathBuf>,
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
            mods,
            include,
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
                mods,
                include,
            };
            run::run(&opts, &mut std::io::stdout().lock()).map(|_| ())
        }
        Command::Mod {
            command: ModCommand::Check { paths, include },
        } => {
            let stdout = std::io::stdout();
            let style = if stdout.is_terminal() {
                RenderStyle::Color
            } else {
                RenderStyle::Plain
            };
            match mods::check(&paths, &include, style, &mut stdout.lock()) {
                Ok(true) => Ok(()),
                // The diagnostics already say what is wrong.
                Ok(false) => return ExitCode::FAILURE,
                Err(e) => Err(format!("writing to stdout: {e}")),
            }
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
