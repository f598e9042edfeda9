//! `.mod` files on the command line: `ranvier mod check` and the mechanisms `ranvier
//! run` loads from `--mods` folders and `simConfig.modFolders`.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use ranvier_mech::{Catalogue, FieldKind, IonVar, MechInfo, MechKind, Mechanism};
use ranvier_nmodl::load::{FileReport, Loaded, load_paths_with};
use ranvier_span::{RenderStyle, render};

/// Write every diagnostic of `loaded`, rendered with a code frame of its own file.
/// Returns the number of errors and warnings.
pub fn write_diagnostics(
    loaded: &Loaded,
    style: RenderStyle,
    out: &mut dyn Write,
) -> std::io::Result<(usize, usize)> {
    let (mut errors, mut warnings) = (0, 0);
    for r in &loaded.reports {
        for d in &r.diagnostics {
            if d.is_error() {
                errors += 1;
            } else if d.severity == ranvier_span::Severity::Warning {
                warnings += 1;
            }
            writeln!(out, "{}\n", render(d, &r.source, style))?;
        }
    }
    Ok((errors, warnings))
}

/// Load the `.mod` files of `paths`. A file that does not compile (typically because
/// it is C code: `VERBATIM`, `POINTER`) but defines a mechanism `catalogue` has is not
/// an error: its report gets a [`FileReport::builtin`] and the built-in is used.
pub fn load(paths: &[PathBuf], include_path: &[PathBuf], catalogue: &Catalogue) -> Loaded {
    load_paths_with(paths, include_path, &|name| catalogue.get(name).is_some())
}

/// The note for a `.mod` file whose mechanism is supplied by the built-in of that name
/// (`None` for other reports).
pub fn builtin_note(r: &FileReport) -> Option<String> {
    let b = r.builtin.as_ref()?;
    let why = if b.needs_c {
        "needs C code"
    } else {
        "cannot be compiled by Ranvier"
    };
    let at = match &b.first_error_at {
        Some((file, lc)) if *file == r.file => format!("line {}: ", lc.line),
        Some((file, lc)) => format!("{}:{lc}: ", file.display()),
        None => String::new(),
    };
    let more = match b.errors {
        0 | 1 => String::new(),
        n => format!("; {} more error(s)", n - 1),
    };
    Some(format!(
        "note: mechanism `{}` uses Ranvier's built-in implementation of that name, because {} {why} ({at}{}{more})",
        b.name,
        r.file.display(),
        b.first_error,
    ))
}

/// `ranvier mod check PATH...`: load the folders and files in `paths`, print the
/// diagnostics and a summary per mechanism. Returns whether there was no error. A file
/// that does not compile but defines a built-in mechanism (see [`load`]) is fine: a
/// note says so and the built-in's summary is printed.
pub fn check(
    paths: &[PathBuf],
    include_path: &[PathBuf],
    style: RenderStyle,
    out: &mut dyn Write,
) -> std::io::Result<bool> {
    let builtins = ranvier_builtins::catalogue();
    let loaded = load(paths, include_path, &builtins);
    let (errors, warnings) = write_diagnostics(&loaded, style, out)?;
    let by_name = |name: &str| loaded.mechanisms.iter().find(|m| m.info().name == name);
    let mut files = 0;
    let mut from_builtins = 0;
    for r in &loaded.reports {
        if r.file.extension().is_some_and(|e| e == "mod") {
            files += 1;
        }
        if let (Some(note), Some(b)) = (builtin_note(r), &r.builtin)
            && let Some(mech) = builtins.get(&b.name)
        {
            from_builtins += 1;
            writeln!(out, "{note}")?;
            let from = format!("Ranvier's built-ins (in place of {})", r.file.display());
            write_summary(mech.info(), &from, out)?;
            continue;
        }
        let Some(mech) = r.mechanism.as_deref().and_then(by_name) else {
            continue;
        };
        write_summary(mech.info(), &r.file.display().to_string(), out)?;
    }
    let built_in = if from_builtins > 0 {
        format!(" ({from_builtins} built-in)")
    } else {
        String::new()
    };
    writeln!(
        out,
        "checked {files} file(s): {} mechanism(s){built_in}, {errors} error(s), {warnings} warning(s)",
        loaded.mechanisms.len() + from_builtins
    )?;
    Ok(errors == 0)
}

/// The mechanism's kind, ions, parameters, states and globals.
pub fn write_summary(info: &MechInfo, file: &str, out: &mut dyn Write) -> std::io::Result<()> {
    let kind = match info.kind {
        MechKind::Density => "density mechanism",
        MechKind::Point => "point process",
        MechKind::Artificial => "artificial cell",
    };
    writeln!(out, "{} ({kind}) from {file}", info.name)?;
    let ions: Vec<String> = info
        .ions
        .iter()
        .map(|ion| {
            let vars = |vs: &[IonVar]| {
                vs.iter()
                    .map(|v| ion_var(&ion.ion, *v))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let mut s = ion.ion.clone();
            if !ion.read.is_empty() {
                s.push_str(&format!(" read {}", vars(&ion.read)));
            }
            if !ion.write.is_empty() {
                s.push_str(&format!(" write {}", vars(&ion.write)));
            }
            if let Some(z) = ion.valence {
                s.push_str(&format!(" valence {z}"));
            }
            s
        })
        .collect();
    writeln!(out, "  ions:       {}", or_none(&ions.join("; ")))?;
    let with_units = |name: &str, default: f64, units: &str| {
        if units.is_empty() {
            format!("{name} = {default}")
        } else {
            format!("{name} = {default} ({units})")
        }
    };
    let params: Vec<String> = info
        .fields
        .iter()
        .filter(|f| f.kind == FieldKind::Param)
        .map(|f| with_units(&f.name, f.default, &f.units))
        .collect();
    writeln!(out, "  parameters: {}", or_none(&params.join(", ")))?;
    let states: Vec<&str> = info
        .fields
        .iter()
        .filter(|f| f.kind == FieldKind::State)
        .map(|f| f.name.as_str())
        .collect();
    writeln!(out, "  states:     {}", or_none(&states.join(", ")))?;
    let globals: Vec<String> = info
        .globals
        .iter()
        .map(|g| with_units(&g.name, g.default, &g.units))
        .collect();
    writeln!(out, "  globals:    {}", or_none(&globals.join(", ")))
}

fn or_none(s: &str) -> &str {
    if s.is_empty() { "none" } else { s }
}

fn ion_var(ion: &str, v: IonVar) -> String {
    match v {
        IonVar::Erev => format!("e{ion}"),
        IonVar::Conci => format!("{ion}i"),
        IonVar::Conco => format!("{ion}o"),
        IonVar::Cur => format!("i{ion}"),
    }
}

/// Compile the `.mod` files of `paths` into `catalogue` (for `ranvier run`). A `.mod`
/// mechanism named like a built-in replaces it, with a note on `log`; NEURON would
/// refuse the duplicate, but replacing lets a model ship its own version of a built-in
/// (e.g. a modified `hh`). A file that does not compile but defines a mechanism of
/// `catalogue` (e.g. a `VecStim` written in C) keeps the built-in, with a note (see
/// [`load`]). Diagnostics are written to `log`; any error fails the load.
pub fn add_to_catalogue(
    paths: &[PathBuf],
    include_path: &[PathBuf],
    catalogue: &mut Catalogue,
    log: &mut dyn Write,
) -> Result<(), String> {
    if paths.is_empty() {
        return Ok(());
    }
    let loaded = load(paths, include_path, catalogue);
    let io = |e: std::io::Error| e.to_string();
    let (errors, _) = write_diagnostics(&loaded, RenderStyle::Plain, log).map_err(io)?;
    if errors > 0 {
        return Err(format!("{errors} error(s) in .mod files; nothing was run"));
    }
    for r in &loaded.reports {
        if let Some(note) = builtin_note(r) {
            writeln!(log, "{note}").map_err(io)?;
        }
        let Some(name) = &r.mechanism else { continue };
        let note = if catalogue.get(name).is_some() {
            " (replaces the built-in mechanism of that name)"
        } else {
            ""
        };
        writeln!(
            log,
            "note: loaded mechanism `{name}` from {}{note}",
            r.file.display()
        )
        .map_err(io)?;
    }
    for m in loaded.mechanisms {
        catalogue.add(Arc::new(m));
    }
    Ok(())
}
