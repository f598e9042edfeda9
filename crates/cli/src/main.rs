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
    /// Import a cell (a hoc template, or an SWC morphology) as a NetPyNE cell rule, as
    /// NetPyNE's `importCellParams` does, and print it (or write it with `-o`).
    Import {
        /// The `.hoc`/`.tem` (or `.swc`) file.
        file: PathBuf,
        /// The template to instantiate.
        #[arg(long = "cell", value_name = "NAME")]
        cell: String,
        /// Arguments of the template's `init()`, as JSON: `[1, "x"]` or `3`.
        #[arg(long = "args", value_name = "JSON")]
        args: Option<String>,
        /// Folder (or file) of `.mod` files the cell uses; repeatable.
        #[arg(long = "mods", value_name = "DIR")]
        mods: Vec<PathBuf>,
        /// Also return the synaptic point processes as `synMechParams` entries (the output
        /// is then `{"cellParams": {NAME: rule}, "synMechParams": {...}}`).
        #[arg(long = "syn-mechs")]
        syn_mechs: bool,
        /// Keep the 3-D points where they are (NetPyNE's `somaAtOrigin=False`).
        #[arg(long = "keep-origin")]
        keep_origin: bool,
        /// Rename a section afterwards, `OLD=NEW` (NetPyNE's `renameCellParamsSec`);
        /// repeatable.
        #[arg(long = "rename", value_name = "OLD=NEW")]
        rename: Vec<String>,
        /// Write the rule to this file instead of stdout.
        #[arg(short = 'o', long = "out", value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Optimise network parameters with an evolutionary algorithm (inspyred's design):
    /// every candidate is built and simulated in Rust on all cores; a checkpoint is
    /// written after every generation. Built with the `mpi` feature and started with
    /// `mpirun -n N`, evaluations are spread over the N ranks (threads are per rank).
    Optimize {
        /// The optimisation file (model, parameters with bounds, fitness, algorithm).
        file: PathBuf,
        /// Output folder (default: `<file stem>_out` next to the file).
        #[arg(short = 'o', long = "out")]
        out: Option<PathBuf>,
        /// Continue from the checkpoint in the output folder.
        #[arg(long = "resume")]
        resume: bool,
        /// Parallel evaluations; 0 uses all cores.
        #[arg(short = 't', long = "threads", default_value_t = 0)]
        threads: usize,
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

/// `ranvier import`.
#[allow(clippy::too_many_arguments)]
fn import(
    file: PathBuf,
    cell: String,
    args: Option<String>,
    mods: &[PathBuf],
    syn_mechs: bool,
    keep_origin: bool,
    rename: &[String],
    out: Option<PathBuf>,
) -> Result<(), String> {
    let rename = rename
        .iter()
        .map(|r| match r.split_once('=') {
            Some((a, b)) if !a.is_empty() && !b.is_empty() => Ok((a.to_owned(), b.to_owned())),
            _ => Err(format!("--rename {r}: expected OLD=NEW")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    use ranvier_cli::import::{ImportSpec, import_cell, parse_args};
    let args = match args {
        Some(a) => {
            let v: serde_json::Value =
                serde_json::from_str(&a).map_err(|e| format!("--args: invalid JSON: {e}"))?;
            parse_args(&v).map_err(|e| format!("--args: {e}"))?
        }
        None => Vec::new(),
    };
    let mut catalogue = ranvier_builtins::catalogue();
    let mut log = std::io::stderr().lock();
    let unavailable = mods::add_to_catalogue(mods, &[], &mut catalogue, &mut log)?;
    let spec = ImportSpec {
        file,
        cell,
        args,
        import_syn_mechs: syn_mechs,
        soma_at_origin: !keep_origin,
        rename,
    };
    let imported = import_cell(&spec, &catalogue)
        .map_err(|e| format!("{e}{}", mods::unavailable_note(&unavailable)))?;
    // The rule itself; with --syn-mechs, a netParams fragment holding the rule and the
    // synaptic mechanisms.
    let doc = if syn_mechs {
        serde_json::json!({
            "cellParams": { spec.cell.clone(): imported.rule },
            "synMechParams": serde_json::Value::Object(imported.syn_mechs.into_iter().collect()),
        })
    } else {
        imported.rule
    };
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    match out {
        Some(p) => {
            std::fs::write(&p, text + "\n").map_err(|e| format!("writing `{}`: {e}", p.display()))
        }
        None => writeln!(std::io::stdout().lock(), "{text}").map_err(|e| e.to_string()),
    }
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
        Command::Import {
            file,
            cell,
            args,
            mods,
            syn_mechs,
            keep_origin,
            rename,
            out,
        } => import(
            file,
            cell,
            args,
            &mods,
            syn_mechs,
            keep_origin,
            &rename,
            out,
        ),
        Command::Optimize {
            file,
            out,
            resume,
            threads,
        } => {
            let opts = ranvier_cli::optimize::OptimizeOptions {
                file,
                out,
                resume,
                threads,
                skip_best_run: false,
            };
            #[cfg(feature = "mpi")]
            let result =
                ranvier_cli::mpi::optimize_mpi(&opts, &mut std::io::stdout().lock()).map(|_| ());
            #[cfg(not(feature = "mpi"))]
            let result =
                ranvier_cli::optimize::optimize(&opts, &mut std::io::stdout().lock()).map(|_| ());
            result
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
