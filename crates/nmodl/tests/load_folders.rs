//! `ranvier_nmodl::load`: folders of `.mod` files with `INCLUDE`s, as nrnivmodl sees them.

use std::path::{Path, PathBuf};

use ranvier_mech::{MechKind, Mechanism};
use ranvier_nmodl::load::{Loaded, codes, load_files, load_folder, load_folder_with};
use ranvier_span::{RenderStyle, render};

fn folder(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/folders")
        .join(name)
}

/// Every diagnostic rendered against its own file.
fn rendered(loaded: &Loaded) -> String {
    let mut out = String::new();
    for r in &loaded.reports {
        for d in &r.diagnostics {
            out.push_str(&render(d, &r.source, RenderStyle::Plain));
            out.push('\n');
        }
    }
    out
}

fn file_name(p: &Path) -> &str {
    p.file_name().unwrap().to_str().unwrap()
}

#[test]
fn basic_folder_resolves_includes_from_the_folder_and_its_parent() {
    let loaded = load_folder(&folder("basic"), &[]);
    let text = rendered(&loaded);
    assert!(!loaded.has_errors(), "{text}");
    let names: Vec<&str> = loaded
        .mechanisms
        .iter()
        .map(|m| m.info().name.as_str())
        .collect();
    assert_eq!(names, ["leak", "ExpSynInc"]);
    // leak.mod, its two includes, syn.mod, ../units.inc; in that order.
    let files: Vec<&str> = loaded.reports.iter().map(|r| file_name(&r.file)).collect();
    assert_eq!(
        files,
        [
            "leak.mod",
            "leak_params.inc",
            "leak_current.inc",
            "syn.mod",
            "units.inc"
        ]
    );
    let mechs: Vec<Option<&str>> = loaded
        .reports
        .iter()
        .map(|r| r.mechanism.as_deref())
        .collect();
    assert_eq!(mechs, [Some("leak"), None, None, Some("ExpSynInc"), None]);
    assert_eq!(
        loaded.reports[4]
            .file
            .parent()
            .unwrap()
            .canonicalize()
            .unwrap(),
        folder("").canonicalize().unwrap()
    );
    let leak = loaded.mechanisms[0].info();
    assert_eq!(leak.kind, MechKind::Density);
    let g = &leak.fields[leak.field("g").unwrap()];
    assert_eq!((g.default, g.units.as_str()), (0.001, "S/cm2"));
    let syn = loaded.mechanisms[1].info();
    assert_eq!(syn.kind, MechKind::Point);
    assert_eq!(syn.globals[syn.global("tau").unwrap()].default, 2.0);
}

#[test]
fn load_files_takes_an_explicit_list_and_an_include_path() {
    // Found only through the include path: copy leak.mod somewhere else.
    let tmp = std::env::temp_dir().join(format!("ranvier-load-{}", std::process::id()));
    std::fs::create_dir_all(tmp.join("deep/er")).unwrap();
    let copy = tmp.join("deep/er/leak.mod");
    std::fs::copy(folder("basic/leak.mod"), &copy).unwrap();
    let without = load_files(std::slice::from_ref(&copy), &[]);
    assert!(without.has_errors());
    assert!(without.mechanisms.is_empty());
    let with = load_files(std::slice::from_ref(&copy), &[folder("basic")]);
    std::fs::remove_dir_all(&tmp).unwrap();
    assert!(!with.has_errors(), "{}", rendered(&with));
    assert_eq!(with.mechanisms[0].info().name, "leak");
}

#[test]
fn bad_folder_reports_each_problem_in_its_own_file() {
    let loaded = load_folder(&folder("bad"), &[]);
    let text = rendered(&loaded);
    assert!(loaded.has_errors());
    assert!(loaded.mechanisms.is_empty(), "{text}");
    let report = |name: &str| {
        loaded
            .reports
            .iter()
            .find(|r| file_name(&r.file) == name)
            .unwrap_or_else(|| panic!("no report for {name}:\n{text}"))
    };

    // Missing include: at the INCLUDE, listing the folders searched.
    let missing = report("missing.mod");
    assert_eq!(missing.diagnostics.len(), 1, "{text}");
    let d = &missing.diagnostics[0];
    assert_eq!(d.code, Some(codes::INCLUDE_NOT_FOUND));
    assert_eq!(
        missing.source.slice(d.primary_range().unwrap()),
        "INCLUDE \"nowhere.inc\""
    );
    let note = d.notes.join("\n");
    assert!(note.starts_with("searched in"), "{note}");
    for dir in [folder("bad"), folder("")] {
        let shown = dir.display().to_string();
        assert!(
            note.contains(shown.trim_end_matches('/')),
            "{shown} not in {note}"
        );
    }
    let frame = render(d, &missing.source, RenderStyle::Plain);
    assert!(frame.contains("missing.mod:4:1"), "{frame}");

    // Syntax error.
    let syntax = report("syntax.mod");
    assert!(syntax.has_errors() && syntax.mechanism.is_none(), "{text}");

    // Include cycle: reported at the INCLUDE inside loop.inc, against loop.inc.
    let cycle = loaded
        .reports
        .iter()
        .find(|r| file_name(&r.file) == "loop.inc" && r.has_errors())
        .expect("cycle report");
    assert_eq!(cycle.diagnostics[0].code, Some(codes::INCLUDE_CYCLE));
    assert_eq!(
        cycle
            .source
            .slice(cycle.diagnostics[0].primary_range().unwrap()),
        "INCLUDE \"loop.inc\""
    );

    // A compile error in included code renders against the included file.
    let broken = report("broken.inc");
    assert!(broken.has_errors(), "{text}");
    assert!(!report("broken_inc.mod").has_errors(), "{text}");
    let d = &broken.diagnostics[0];
    assert_eq!(
        broken.source.slice(d.primary_range().unwrap()),
        "undefined_e"
    );
    let frame = render(d, &broken.source, RenderStyle::Plain);
    assert!(frame.contains("broken.inc:1:"), "{frame}");
}

#[test]
fn the_same_mechanism_twice_is_an_error_naming_both_files() {
    let loaded = load_folder(&folder("dup"), &[]);
    assert_eq!(loaded.mechanisms.len(), 1);
    assert_eq!(loaded.reports[0].mechanism.as_deref(), Some("twin"));
    assert!(!loaded.reports[0].has_errors());
    let d = &loaded.reports[1].diagnostics[0];
    assert_eq!(d.code, Some(codes::DUPLICATE_MECHANISM));
    assert!(
        d.message.contains("a.mod") && d.message.contains("b.mod"),
        "{}",
        d.message
    );
    assert_eq!(
        loaded.reports[1].source.slice(d.primary_range().unwrap()),
        "twin"
    );
}

#[test]
fn unreadable_inputs_are_reported_not_panicked_on() {
    let loaded = load_folder(&folder("no-such-folder"), &[]);
    assert!(loaded.has_errors());
    assert_eq!(
        loaded.reports[0].diagnostics[0].code,
        Some(codes::UNREADABLE)
    );
    let loaded = load_files(&[folder("basic/none.mod"), folder("basic")], &[]);
    assert_eq!(loaded.reports.len(), 2);
    assert!(loaded.reports.iter().all(|r| r.has_errors()));
    let text = rendered(&loaded);
    assert!(text.contains("cannot read"), "{text}");
}

#[test]
fn a_built_in_stands_in_for_a_mod_file_that_needs_c_code() {
    // Without built-ins, `POINTER` is a compile error like any other.
    let plain = load_folder(&folder("builtin"), &[]);
    assert!(plain.has_errors());
    assert!(plain.mechanisms.is_empty());
    assert!(plain.reports[0].builtin.is_none());
    assert!(plain.reports[0].superseded.is_empty());
    // Built-ins of other names change nothing.
    let other = load_folder_with(&folder("builtin"), &[], &|n| n == "NetStim");
    assert!(other.has_errors() && other.reports[0].builtin.is_none());

    let loaded = load_folder_with(&folder("builtin"), &[], &|n| n == "VecStim");
    assert!(!loaded.has_errors(), "{}", rendered(&loaded));
    assert!(loaded.mechanisms.is_empty());
    let r = &loaded.reports[0];
    assert_eq!(file_name(&r.file), "vecstim.mod");
    assert_eq!(r.mechanism, None);
    assert!(
        r.diagnostics.is_empty(),
        "compile diagnostics should be set aside: {}",
        rendered(&loaded)
    );
    let b = r.builtin.as_ref().expect("falls back to the built-in");
    assert_eq!(b.name, "VecStim");
    assert!(b.needs_c);
    assert!(b.first_error.contains("POINTER"), "{}", b.first_error);
    let (file, at) = b.first_error_at.as_ref().unwrap();
    assert_eq!((file, at.line), (&r.file, 7));
    assert_eq!(
        b.errors,
        r.superseded.iter().filter(|d| d.is_error()).count()
    );
    assert!(b.errors >= 1);
    let first = r.superseded.iter().find(|d| d.is_error()).unwrap();
    assert_eq!(first.message, b.first_error);
    assert_eq!(
        r.source.slice(first.primary_range().unwrap()),
        "POINTER times"
    );
}

#[test]
fn only_compile_errors_are_set_aside_for_a_built_in() {
    // Pretend every name is a built-in.
    let loaded = load_folder_with(&folder("bad"), &[], &|_| true);
    let text = rendered(&loaded);
    let report = |name: &str| {
        loaded
            .reports
            .iter()
            .find(|r| file_name(&r.file) == name)
            .unwrap_or_else(|| panic!("no report for {name}:\n{text}"))
    };
    // Syntax and include errors stay errors.
    for name in ["syntax.mod", "missing.mod", "cycle.mod"] {
        assert!(report(name).builtin.is_none(), "{name}");
    }
    assert!(report("syntax.mod").has_errors() && report("missing.mod").has_errors());
    // A compile error in an included file: set aside in that file's report, located
    // there, and the file holds no C code.
    let b = report("broken_inc.mod").builtin.clone().expect("fallback");
    assert_eq!(b.name, "broken_inc");
    assert!(!b.needs_c);
    let (file, at) = b.first_error_at.unwrap();
    assert_eq!((file_name(&file), at.line), ("broken.inc", 1));
    let broken = report("broken.inc");
    assert!(!broken.has_errors(), "{text}");
    assert!(broken.superseded.iter().any(|d| d.message == b.first_error));
}

/// Our example channels write GLOBALs only where the same instance reads them back
/// (rates procedures), so every kernel stays vectorised; only kernels that read a
/// GLOBAL before storing it run instance by instance.
#[test]
fn example_channels_keep_vectorised_kernels() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for dir in [
        "examples/mod/traub",
        "examples/mod/izhi",
        "validation/semantics/mod",
    ] {
        let loaded = ranvier_nmodl::load::load_folder(&root.join(dir), &[]);
        assert!(!loaded.mechanisms.is_empty(), "{dir}");
        for m in &loaded.mechanisms {
            let k = m.kernels();
            for (what, kernel) in [
                ("INITIAL", &k.init),
                ("current", &k.current),
                ("state", &k.state),
                ("NET_RECEIVE", &k.net_receive),
            ] {
                assert!(
                    !kernel.sequential,
                    "{dir}: {} {what} runs instance by instance",
                    m.info().name
                );
            }
        }
    }
}
