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

/// A mechanism whose `.mod` file did not compile (or that two files define), and why.
#[derive(Clone, Debug)]
pub struct Unavailable {
    pub name: String,
    pub file: PathBuf,
    /// The file's diagnostics, rendered with code frames.
    pub diagnostics: String,
}

impl Unavailable {
    /// The error for a model that uses this mechanism.
    #[must_use]
    pub fn error(&self) -> String {
        format!(
            "the model uses mechanism `{}`, but {} did not compile:\n{}",
            self.name,
            self.file.display(),
            self.diagnostics.trim_end()
        )
    }
}

/// Compile the `.mod` files of `paths` into `catalogue`, file by file as NEURON users
/// expect of a folder: a file that does not compile is a warning naming the file and its
/// first error, and its mechanism is returned as [`Unavailable`]. Only a model that uses
/// one of those must stop ([`check_used`]).
pub fn add_to_catalogue(
    paths: &[PathBuf],
    include_path: &[PathBuf],
    catalogue: &mut Catalogue,
    log: &mut dyn Write,
) -> Result<Vec<Unavailable>, String> {
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    let loaded = load(paths, include_path, catalogue);
    let io = |e: std::io::Error| e.to_string();
    let mut unavailable = Vec::new();
    // One group per `.mod` file: its report, then those of the files it includes.
    let mut groups: Vec<&[FileReport]> = Vec::new();
    let mut start = 0;
    for (i, r) in loaded.reports.iter().enumerate() {
        if i > start && r.file.extension().is_some_and(|e| e == "mod") {
            groups.push(&loaded.reports[start..i]);
            start = i;
        }
    }
    if start < loaded.reports.len() {
        groups.push(&loaded.reports[start..]);
    }
    for group in groups {
        let r = &group[0];
        let failed = r.mechanism.is_none()
            && r.builtin.is_none()
            && group.iter().any(FileReport::has_errors);
        if !failed {
            for g in group {
                for d in &g.diagnostics {
                    writeln!(log, "{}\n", render(d, &g.source, RenderStyle::Plain)).map_err(io)?;
                }
            }
            if let Some(note) = builtin_note(r) {
                writeln!(log, "{note}").map_err(io)?;
            }
            if let Some(name) = &r.mechanism {
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
            continue;
        }
        let mut rendered = String::new();
        let mut first = None;
        for g in group {
            for d in &g.diagnostics {
                if d.is_error() && first.is_none() {
                    let at = d
                        .primary_range()
                        .map(|rg| {
                            format!("{}:{}: ", g.file.display(), g.source.line_col(rg.start()))
                        })
                        .unwrap_or_default();
                    first = Some(format!("{at}{}", d.message));
                }
                rendered.push_str(&render(d, &g.source, RenderStyle::Plain));
                rendered.push('\n');
            }
        }
        let what = match &r.declares {
            Some(name) => format!("mechanism `{name}` is unavailable"),
            None => "it defines no usable mechanism".into(),
        };
        writeln!(
            log,
            "warning: {} did not compile, so {what} (first error: {})",
            r.file.display(),
            first.unwrap_or_default()
        )
        .map_err(io)?;
        if let Some(name) = &r.declares {
            unavailable.push(Unavailable {
                name: name.clone(),
                file: r.file.clone(),
                diagnostics: rendered,
            });
        }
    }
    for m in loaded.mechanisms {
        catalogue.add(Arc::new(m));
    }
    Ok(unavailable)
}

/// A note listing the mechanisms that are unavailable (for errors such as an imported
/// cell inserting one of them); empty when every file compiled.
#[must_use]
pub fn unavailable_note(unavailable: &[Unavailable]) -> String {
    if unavailable.is_empty() {
        return String::new();
    }
    let list: Vec<String> = unavailable
        .iter()
        .map(|u| format!("`{}` ({})", u.name, u.file.display()))
        .collect();
    format!(
        "\nnote: these mechanisms are unavailable because their .mod files did not compile: {}",
        list.join(", ")
    )
}

/// Stop when the model uses a mechanism whose `.mod` file did not compile.
pub fn check_used<'a>(
    unavailable: &[Unavailable],
    used: impl IntoIterator<Item = &'a str>,
) -> Result<(), String> {
    let used: Vec<&str> = used.into_iter().collect();
    let errors: Vec<String> = unavailable
        .iter()
        .filter(|u| used.contains(&u.name.as_str()))
        .map(Unavailable::error)
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}
