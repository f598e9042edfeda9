//! Loading `.mod` files from disk, as `nrnivmodl` does: every `*.mod` file of a folder,
//! with `INCLUDE "file"` resolved by textual inclusion.
//!
//! ```no_run
//! use std::path::Path;
//! use ranvier_mech::Mechanism; // for `info()`
//!
//! let loaded = ranvier_nmodl::load::load_folder(Path::new("mod"), &[]);
//! for r in &loaded.reports {
//!     for d in &r.diagnostics {
//!         eprintln!("{}", ranvier_span::render(d, &r.source, ranvier_span::RenderStyle::Plain));
//!     }
//! }
//! let names: Vec<&str> = loaded.mechanisms.iter().map(|m| m.info().name.as_str()).collect();
//! # let _ = names;
//! ```
//!
//! # Built-in mechanisms
//! Some `.mod` files are C in NMODL clothing (`VERBATIM` blocks, `POINTER` variables):
//! Ranvier cannot compile them, and supplies the mechanism as built-in Rust code instead
//! (e.g. `VecStim`). The `_with` loaders take a predicate saying which names have a
//! built-in: a file that fails to compile but names such a mechanism is not an error;
//! its report says so in [`FileReport::builtin`] and keeps the compile diagnostics in
//! [`FileReport::superseded`] instead of [`FileReport::diagnostics`]. Parse, include
//! and duplicate-name errors are never set aside.
//!
//! # `INCLUDE`
//! `INCLUDE "x.inc"` (at file scope or as a statement) is replaced by the items or
//! statements of `x.inc`, searched for in the folder of the file holding the `INCLUDE`,
//! then the folder of the `.mod` file, then that folder's parent, then each entry of
//! the include path; an absolute path is used as is. Included files may include
//! further files; a file including itself (directly or not) is an error.
//!
//! Diagnostics keep pointing into the file they are about: each included file gets its
//! own [`FileReport`] (listed right after the `.mod` file that included it, once per
//! inclusion) holding its [`SourceFile`] and its diagnostics, including the semantic
//! ones [`compile`](crate::compile) reports about included code.
//!
//! Internally the included files are parsed at disjoint offsets of one "virtual" text
//! (the parser sees the included text after enough blank padding), so every range in
//! the spliced module identifies both its file and its position in that file.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use ranvier_kernel::IrMechanism;
use ranvier_mech::Mechanism;
use ranvier_span::{Diagnostic, LineCol, SourceFile, TextRange, TextSize};

use crate::ast::{Block, Item, ItemKind, ListKind, Module, NeuronStmtKind, Stmt, StmtKind};

/// Diagnostic codes used by the loader.
pub mod codes {
    /// An `INCLUDE`d file was not found.
    pub const INCLUDE_NOT_FOUND: &str = "E0030";
    /// A file includes itself, directly or through other files.
    pub const INCLUDE_CYCLE: &str = "E0031";
    /// A file or folder could not be read.
    pub const UNREADABLE: &str = "E0032";
    /// Two files define the same mechanism.
    pub const DUPLICATE_MECHANISM: &str = "E0033";
}

/// Includes nested deeper than this are reported (a runaway chain of distinct files).
const MAX_INCLUDE_DEPTH: usize = 32;
/// Gap between the virtual offsets of two files (room for the statement wrapper).
const GAP: u32 = 64;
/// Wrapper that lets a statement-level include be parsed as a block body.
const STMT_PREFIX: &str = "PROCEDURE ranvier_include_() {\n";
const STMT_SUFFIX: &str = "\n}\n";

/// The diagnostics of one file (a `.mod` file or a file it included).
#[derive(Clone, Debug)]
pub struct FileReport {
    /// The path as given (for `.mod` files) or as found on the search path (includes).
    pub file: PathBuf,
    /// The text the diagnostics' ranges refer to (empty if the file was unreadable).
    pub source: SourceFile,
    /// Parse, include and compile diagnostics about this file.
    pub diagnostics: Vec<Diagnostic>,
    /// For a `.mod` file that compiled (and whose name is not taken by an earlier
    /// file): the mechanism's name. `None` for included files.
    pub mechanism: Option<String>,
    /// For a `.mod` file: the mechanism its NEURON block names, whether or not the
    /// file compiled (`None` for included files and files without a name).
    pub declares: Option<String>,
    /// For a `.mod` file that failed to compile but whose mechanism is a built-in (see
    /// the `_with` loaders): which built-in stands in, and why.
    pub builtin: Option<BuiltinFallback>,
    /// Compile diagnostics about this file that were set aside because the built-in of
    /// the `.mod` file's mechanism is used instead (they are not in `diagnostics`).
    pub superseded: Vec<Diagnostic>,
}

/// A `.mod` file Ranvier cannot compile, whose mechanism is supplied by the built-in
/// implementation of the same name.
#[derive(Clone, Debug, PartialEq)]
pub struct BuiltinFallback {
    /// The mechanism's (and the built-in's) name.
    pub name: String,
    /// Whether the file holds C code: a `VERBATIM` block or a `POINTER` variable.
    pub needs_c: bool,
    /// The first compile error's message.
    pub first_error: String,
    /// Where that error is: the file (the `.mod` file or one it includes) and the
    /// position in it (`None` if the error has no location).
    pub first_error_at: Option<(PathBuf, LineCol)>,
    /// How many compile errors were set aside (in this file and the files it includes).
    pub errors: usize,
}

impl FileReport {
    fn new(file: PathBuf, source: SourceFile, diagnostics: Vec<Diagnostic>) -> Self {
        FileReport {
            file,
            source,
            diagnostics,
            mechanism: None,
            declares: None,
            builtin: None,
            superseded: Vec::new(),
        }
    }

    /// Whether any diagnostic is an error.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// The result of loading `.mod` files.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Compiled mechanisms, in file order.
    pub mechanisms: Vec<IrMechanism>,
    /// One report per `.mod` file, each followed by the reports of the files it included.
    pub reports: Vec<FileReport>,
}

impl Loaded {
    /// Whether any file has an error.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.reports.iter().any(FileReport::has_errors)
    }
}

/// Load every `*.mod` file of `dir` (sorted by file name, not recursive).
#[must_use]
pub fn load_folder(dir: &Path, include_path: &[PathBuf]) -> Loaded {
    load_folder_with(dir, include_path, &no_builtins)
}

/// [`load_folder`], with `is_builtin` saying which mechanism names have a built-in
/// implementation to use when their `.mod` file does not compile.
#[must_use]
pub fn load_folder_with(
    dir: &Path,
    include_path: &[PathBuf],
    is_builtin: &dyn Fn(&str) -> bool,
) -> Loaded {
    match mod_files(dir) {
        Ok(files) => load_files_with(&files, include_path, is_builtin),
        Err(e) => Loaded {
            mechanisms: Vec::new(),
            reports: vec![load_folder_error(dir, &e)],
        },
    }
}

/// Load folders and single files together: each folder contributes its `*.mod` files
/// (sorted by name), in argument order; a path named twice (as folder or file) is loaded
/// once. Mechanism names must be unique across all of them.
#[must_use]
pub fn load_paths(paths: &[PathBuf], include_path: &[PathBuf]) -> Loaded {
    load_paths_with(paths, include_path, &no_builtins)
}

/// [`load_paths`], with `is_builtin` saying which mechanism names have a built-in
/// implementation to use when their `.mod` file does not compile.
#[must_use]
pub fn load_paths_with(
    paths: &[PathBuf],
    include_path: &[PathBuf],
    is_builtin: &dyn Fn(&str) -> bool,
) -> Loaded {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut failed = Vec::new();
    let mut add = |f: PathBuf, files: &mut Vec<PathBuf>| {
        let c = canonical(&f);
        if !seen.contains(&c) {
            seen.push(c);
            files.push(f);
        }
    };
    for p in paths {
        if p.is_dir() {
            match mod_files(p) {
                Ok(list) if list.is_empty() => failed.push(FileReport::new(
                    p.clone(),
                    SourceFile::new(p.display().to_string(), ""),
                    vec![Diagnostic::warning(format!(
                        "no `.mod` files in `{}`",
                        p.display()
                    ))],
                )),
                Ok(list) => list.into_iter().for_each(|f| add(f, &mut files)),
                Err(e) => failed.push(load_folder_error(p, &e)),
            }
        } else {
            add(p.clone(), &mut files);
        }
    }
    let mut loaded = load_files_with(&files, include_path, is_builtin);
    loaded.reports.extend(failed);
    loaded
}

fn load_folder_error(dir: &Path, e: &std::io::Error) -> FileReport {
    FileReport::new(
        dir.to_path_buf(),
        SourceFile::new(dir.display().to_string(), ""),
        vec![
            Diagnostic::error(format!("cannot read folder `{}`: {e}", dir.display()))
                .with_code(codes::UNREADABLE),
        ],
    )
}

fn no_builtins(_: &str) -> bool {
    false
}

/// The `*.mod` files of `dir`, sorted by name.
fn mod_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "mod") && !path.is_dir() {
            files.push(path);
        }
    }
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    Ok(files)
}

/// Load the given `.mod` files, in order. A mechanism name defined by an earlier file
/// is an error in the later one (whose mechanism is dropped).
#[must_use]
pub fn load_files(files: &[PathBuf], include_path: &[PathBuf]) -> Loaded {
    load_files_with(files, include_path, &no_builtins)
}

/// [`load_files`], with `is_builtin` saying which mechanism names have a built-in
/// implementation: a file that fails to compile but defines such a mechanism gets a
/// [`FileReport::builtin`] and its compile diagnostics go to [`FileReport::superseded`].
#[must_use]
pub fn load_files_with(
    files: &[PathBuf],
    include_path: &[PathBuf],
    is_builtin: &dyn Fn(&str) -> bool,
) -> Loaded {
    let mut loaded = Loaded::default();
    let mut defined: HashMap<String, PathBuf> = HashMap::new();
    for file in files {
        let mut unit = Unit::new(file, include_path);
        let mechanism = unit.load(&mut defined, is_builtin);
        let name = mechanism.as_ref().map(|m| m.info().name.clone());
        loaded.mechanisms.extend(mechanism);
        let declared = unit.declared.clone();
        let mut reports = unit.into_reports();
        if let Some(first) = reports.first_mut() {
            first.mechanism = name;
            first.declares = declared;
        }
        loaded.reports.extend(reports);
    }
    loaded
}

/// One file of a translation unit, placed at `base` in the virtual text.
struct Segment {
    path: PathBuf,
    source: SourceFile,
    base: u32,
    /// The `INCLUDE` that brought this file in (virtual range).
    included_at: Option<TextRange>,
}

/// A `.mod` file and everything it includes.
struct Unit<'a> {
    mod_file: PathBuf,
    include_path: &'a [PathBuf],
    segments: Vec<Segment>,
    /// Diagnostics in virtual coordinates.
    diags: Vec<Diagnostic>,
    /// Canonical and displayed paths of the files being expanded (innermost last).
    stack: Vec<(PathBuf, PathBuf)>,
    next_base: u32,
    /// When the `.mod` file's mechanism falls back to a built-in: its name and whether
    /// the file holds C code; the compile diagnostics (virtual coordinates) set aside.
    fallback: Option<(String, bool)>,
    /// The mechanism the NEURON block names.
    declared: Option<String>,
    superseded: Vec<Diagnostic>,
}

impl<'a> Unit<'a> {
    fn new(mod_file: &Path, include_path: &'a [PathBuf]) -> Self {
        Unit {
            mod_file: mod_file.to_path_buf(),
            include_path,
            segments: Vec::new(),
            diags: Vec::new(),
            stack: Vec::new(),
            next_base: 0,
            fallback: None,
            declared: None,
            superseded: Vec::new(),
        }
    }

    /// Read, parse, expand includes, check the name and compile. A compile failure of a
    /// mechanism for which `is_builtin` holds sets the compile diagnostics aside.
    fn load(
        &mut self,
        defined: &mut HashMap<String, PathBuf>,
        is_builtin: &dyn Fn(&str) -> bool,
    ) -> Option<IrMechanism> {
        let text = match std::fs::read(&self.mod_file) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => {
                self.segments.push(Segment {
                    path: self.mod_file.clone(),
                    source: SourceFile::new(self.mod_file.display().to_string(), ""),
                    base: 0,
                    included_at: None,
                });
                self.diags.push(
                    Diagnostic::error(format!("cannot read `{}`: {e}", self.mod_file.display()))
                        .with_code(codes::UNREADABLE),
                );
                return None;
            }
        };
        let (mut module, diags) = crate::parse(&text);
        self.diags.extend(diags);
        self.push_segment(self.mod_file.clone(), text, None);
        self.stack
            .push((canonical(&self.mod_file), self.mod_file.clone()));
        let dir = folder_of(&self.mod_file);
        module.items = self.expand_items(std::mem::take(&mut module.items), 0, &dir);
        self.expand_module_blocks(&mut module, &dir);
        self.stack.pop();

        let name = mechanism_name(&module);
        self.declared = name.as_ref().map(|(n, _)| n.clone());
        let mut duplicate = false;
        if let Some((name, range)) = &name {
            if let Some(first) = defined.get(name) {
                duplicate = true;
                self.diags.push(
                    Diagnostic::error(format!(
                        "mechanism `{name}` is defined twice: in `{}` and in `{}`",
                        first.display(),
                        self.mod_file.display()
                    ))
                    .with_code(codes::DUPLICATE_MECHANISM)
                    .with_primary(*range, "second definition")
                    .with_note(format!("first defined in `{}`", first.display()))
                    .with_note("remove or rename one of them (NEURON refuses both)"),
                );
            } else {
                defined.insert(name.clone(), self.mod_file.clone());
            }
        }
        if self.diags.iter().any(Diagnostic::is_error) {
            // Parse or include errors: compiling would only add noise.
            return None;
        }
        let (mech, diags) = crate::compile(&module);
        if let Some((name, _)) = name
            && is_builtin(&name)
            && diags.iter().any(Diagnostic::is_error)
        {
            self.fallback = Some((name, has_c_code(&module)));
            self.superseded = diags;
            return None;
        }
        self.diags.extend(diags);
        mech.filter(|_| !duplicate)
    }

    fn push_segment(&mut self, path: PathBuf, text: String, at: Option<TextRange>) -> u32 {
        let base = self.next_base;
        let len = TextSize::of(&text).0;
        self.next_base = base.saturating_add(len).saturating_add(GAP);
        self.segments.push(Segment {
            source: SourceFile::new(path.display().to_string(), text),
            path,
            base,
            included_at: at,
        });
        base
    }

    /// Replace file-scope `INCLUDE`s of `items` by the included items (recursively).
    /// `dir` is the folder of the file the items come from.
    fn expand_items(&mut self, items: Vec<Item>, depth: usize, dir: &Path) -> Vec<Item> {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let ItemKind::Include(name) = &item.kind else {
                out.push(item);
                continue;
            };
            let Some((path, text)) = self.resolve(name, item.range, dir, depth) else {
                continue;
            };
            let base = self.push_segment(path.clone(), text.clone(), Some(item.range));
            let padded = format!("{}{text}", " ".repeat(base as usize));
            let (module, diags) = crate::parse(&padded);
            self.diags.extend(diags);
            self.stack.push((canonical(&path), path.clone()));
            let inc_dir = folder_of(&path);
            let mut sub = module;
            sub.items = self.expand_items(sub.items, depth + 1, &inc_dir);
            self.expand_module_blocks(&mut sub, &inc_dir);
            self.stack.pop();
            out.extend(sub.items);
        }
        out
    }

    /// Expand statement-level `INCLUDE`s in every block of `module`.
    fn expand_module_blocks(&mut self, module: &mut Module, dir: &Path) {
        let depth = self.stack.len();
        for item in &mut module.items {
            match &mut item.kind {
                ItemKind::Block(b) => self.expand_block(&mut b.body, depth, dir),
                ItemKind::Solvable(s) => self.expand_block(&mut s.body, depth, dir),
                ItemKind::Callable(c) => self.expand_block(&mut c.body, depth, dir),
                ItemKind::NetReceive { body, .. } => self.expand_block(body, depth, dir),
                _ => {}
            }
        }
    }

    fn expand_block(&mut self, block: &mut Block, depth: usize, dir: &Path) {
        let stmts = std::mem::take(&mut block.stmts);
        block.stmts = self.expand_stmts(stmts, depth, dir);
    }

    fn expand_stmts(&mut self, stmts: Vec<Stmt>, depth: usize, dir: &Path) -> Vec<Stmt> {
        let mut out = Vec::with_capacity(stmts.len());
        for mut stmt in stmts {
            match &mut stmt.kind {
                StmtKind::Include(name) => {
                    let name = name.clone();
                    out.extend(self.include_stmts(&name, stmt.range, depth, dir));
                    continue;
                }
                StmtKind::If {
                    then_block,
                    else_block,
                    ..
                } => {
                    self.expand_block(then_block, depth, dir);
                    if let Some(b) = else_block {
                        self.expand_block(b, depth, dir);
                    }
                }
                StmtKind::While { body, .. }
                | StmtKind::FromTo { body, .. }
                | StmtKind::ForNetcons { body, .. }
                | StmtKind::Initial(body)
                | StmtKind::Block(body) => self.expand_block(body, depth, dir),
                StmtKind::Solve(s) => {
                    if let Some(b) = &mut s.if_error {
                        self.expand_block(b, depth, dir);
                    }
                }
                _ => {}
            }
            out.push(stmt);
        }
        out
    }

    /// The statements of a statement-level include (parsed as a procedure body).
    fn include_stmts(
        &mut self,
        name: &str,
        range: TextRange,
        depth: usize,
        dir: &Path,
    ) -> Vec<Stmt> {
        let Some((path, text)) = self.resolve(name, range, dir, depth) else {
            return Vec::new();
        };
        // Leave room for the wrapper's prefix before the text's first byte.
        self.next_base = self
            .next_base
            .saturating_add(u32::try_from(STMT_PREFIX.len()).unwrap_or(u32::MAX));
        let base = self.push_segment(path.clone(), text.clone(), Some(range));
        let pad = base as usize - STMT_PREFIX.len();
        let wrapped = format!("{}{STMT_PREFIX}{text}{STMT_SUFFIX}", " ".repeat(pad));
        let (module, diags) = crate::parse(&wrapped);
        self.diags.extend(diags);
        let mut stmts = module
            .items
            .into_iter()
            .find_map(|it| match it.kind {
                ItemKind::Callable(c) => Some(c.body.stmts),
                _ => None,
            })
            .unwrap_or_default();
        self.stack.push((canonical(&path), path.clone()));
        stmts = self.expand_stmts(stmts, depth + 1, &folder_of(&path));
        self.stack.pop();
        stmts
    }

    /// Find and read an included file; reports problems at `range`.
    fn resolve(
        &mut self,
        name: &str,
        range: TextRange,
        dir: &Path,
        depth: usize,
    ) -> Option<(PathBuf, String)> {
        if depth >= MAX_INCLUDE_DEPTH {
            self.diags.push(
                Diagnostic::error(format!(
                    "`INCLUDE \"{name}\"` is nested more than {MAX_INCLUDE_DEPTH} files deep"
                ))
                .with_code(codes::INCLUDE_CYCLE)
                .with_primary(range, "included here"),
            );
            return None;
        }
        let searched = self.search_dirs(dir);
        let candidate = if Path::new(name).is_absolute() {
            Some(PathBuf::from(name)).filter(|p| p.is_file())
        } else {
            searched.iter().map(|d| d.join(name)).find(|p| p.is_file())
        };
        let Some(path) = candidate else {
            let mut d = Diagnostic::error(format!("cannot find included file `{name}`"))
                .with_code(codes::INCLUDE_NOT_FOUND)
                .with_primary(range, "not found");
            if !Path::new(name).is_absolute() {
                let list: Vec<String> = searched
                    .iter()
                    .map(|d| format!("`{}`", d.display()))
                    .collect();
                d = d.with_note(format!("searched in {}", list.join(", ")));
            }
            self.diags.push(d);
            return None;
        };
        let canon = canonical(&path);
        if let Some(pos) = self.stack.iter().position(|(c, _)| *c == canon) {
            let chain: Vec<String> = self.stack[pos..]
                .iter()
                .map(|(_, shown)| shown)
                .chain(std::iter::once(&path))
                .map(|p| format!("`{}`", p.display()))
                .collect();
            self.diags.push(
                Diagnostic::error(format!("`{name}` includes itself"))
                    .with_code(codes::INCLUDE_CYCLE)
                    .with_primary(range, "include cycle")
                    .with_note(format!("cycle: {}", chain.join(" -> "))),
            );
            return None;
        }
        match std::fs::read(&path) {
            Ok(bytes) => Some((path, String::from_utf8_lossy(&bytes).into_owned())),
            Err(e) => {
                self.diags.push(
                    Diagnostic::error(format!("cannot read `{}`: {e}", path.display()))
                        .with_code(codes::UNREADABLE)
                        .with_primary(range, "included here"),
                );
                None
            }
        }
    }

    /// Folders searched for an include in a file of folder `dir`: `dir`, the `.mod`
    /// file's folder, its parent, then the include path (duplicates removed).
    fn search_dirs(&self, dir: &Path) -> Vec<PathBuf> {
        let mod_dir = folder_of(&self.mod_file);
        let parent = parent_folder(&mod_dir);
        let mut dirs: Vec<PathBuf> = Vec::new();
        for d in [dir.to_path_buf(), mod_dir, parent]
            .into_iter()
            .chain(self.include_path.iter().cloned())
        {
            if !dirs
                .iter()
                .any(|x| *x == d || canonical(x) == canonical(&d))
            {
                dirs.push(d);
            }
        }
        dirs
    }

    /// Split the virtual-coordinate diagnostics into per-file reports.
    fn into_reports(self) -> Vec<FileReport> {
        let mut reports: Vec<FileReport> = self
            .segments
            .iter()
            .map(|s| FileReport::new(s.path.clone(), s.source.clone(), Vec::new()))
            .collect();
        if reports.is_empty() {
            return reports;
        }
        for d in &self.diags {
            let (seg, out) = self.localize(d);
            if !reports[seg].diagnostics.contains(&out) {
                reports[seg].diagnostics.push(out);
            }
        }
        if let Some((name, needs_c)) = &self.fallback {
            let errors = self.superseded.iter().filter(|d| d.is_error()).count();
            let first = self.superseded.iter().find(|d| d.is_error());
            let first_error_at = first.and_then(Diagnostic::primary_range).map(|r| {
                let s = &self.segments[segment_of(&self.segments, r.start())];
                (s.path.clone(), s.source.line_col(local_range(s, r).start()))
            });
            reports[0].builtin = Some(BuiltinFallback {
                name: name.clone(),
                needs_c: *needs_c,
                first_error: first.map(|d| d.message.clone()).unwrap_or_default(),
                first_error_at,
                errors,
            });
        }
        for d in &self.superseded {
            let (seg, out) = self.localize(d);
            if !reports[seg].superseded.contains(&out) {
                reports[seg].superseded.push(out);
            }
        }
        reports
    }

    /// The segment a virtual-coordinate diagnostic belongs to, and the diagnostic in
    /// that file's coordinates (labels in other files and the include chain as notes).
    fn localize(&self, d: &Diagnostic) -> (usize, Diagnostic) {
        let Some(primary) = d.primary_range() else {
            return (0, d.clone());
        };
        let seg = segment_of(&self.segments, primary.start());
        let mut out = Diagnostic {
            labels: Vec::new(),
            ..d.clone()
        };
        for label in &d.labels {
            let other = segment_of(&self.segments, label.range.start());
            let mut label = label.clone();
            label.range = local_range(&self.segments[other], label.range);
            if other == seg {
                out.labels.push(label);
            } else {
                let s = &self.segments[other];
                let at = s.source.line_col(label.range.start());
                let msg = if label.message.is_empty() {
                    "related".to_owned()
                } else {
                    label.message
                };
                out.notes.push(format!("{msg} at {}:{at}", s.source.name));
            }
        }
        // Where the file was included from, innermost first.
        let mut at = self.segments[seg].included_at;
        while let Some(r) = at {
            let s = segment_of(&self.segments, r.start());
            let seg = &self.segments[s];
            let lc = seg.source.line_col(local_range(seg, r).start());
            out.notes
                .push(format!("in a file included from {}:{lc}", seg.source.name));
            at = seg.included_at;
        }
        (seg, out)
    }
}

/// The index of the segment holding virtual offset `at`.
fn segment_of(segments: &[Segment], at: TextSize) -> usize {
    segments
        .iter()
        .rposition(|s| s.base <= at.0)
        .unwrap_or_default()
}

/// A virtual range made relative to `seg` and clamped into its text.
fn local_range(seg: &Segment, r: TextRange) -> TextRange {
    let len = TextSize::of(&seg.source.text).0;
    let start = r.start().0.saturating_sub(seg.base).min(len);
    let end = r.end().0.saturating_sub(seg.base).clamp(start, len);
    TextRange::from_offsets(start, end)
}

/// The `SUFFIX` / `POINT_PROCESS` / `ARTIFICIAL_CELL` name of a module.
fn mechanism_name(module: &Module) -> Option<(String, TextRange)> {
    module.items.iter().find_map(|it| match &it.kind {
        ItemKind::Neuron(stmts) => stmts.iter().find_map(|s| match &s.kind {
            NeuronStmtKind::Mechanism(_, n) => Some((n.text.clone(), n.range)),
            _ => None,
        }),
        _ => None,
    })
}

/// Whether a module holds C code: a `VERBATIM` block (anywhere) or a `POINTER` /
/// `BBCOREPOINTER` variable.
fn has_c_code(module: &Module) -> bool {
    fn block(b: &Block) -> bool {
        b.stmts.iter().any(stmt)
    }
    fn stmt(s: &Stmt) -> bool {
        match &s.kind {
            StmtKind::Verbatim(_) => true,
            StmtKind::If {
                then_block,
                else_block,
                ..
            } => block(then_block) || else_block.as_ref().is_some_and(block),
            StmtKind::While { body, .. }
            | StmtKind::FromTo { body, .. }
            | StmtKind::ForNetcons { body, .. }
            | StmtKind::Initial(body)
            | StmtKind::Block(body) => block(body),
            StmtKind::Solve(s) => s.if_error.as_ref().is_some_and(block),
            StmtKind::Protect(s) => stmt(s),
            _ => false,
        }
    }
    module.items.iter().any(|it| match &it.kind {
        ItemKind::Verbatim(_) => true,
        ItemKind::Neuron(stmts) => stmts.iter().any(|s| {
            matches!(
                s.kind,
                NeuronStmtKind::List(ListKind::Pointer | ListKind::BbcorePointer, _)
            )
        }),
        ItemKind::Block(b) => block(&b.body),
        ItemKind::Solvable(s) => block(&s.body),
        ItemKind::Callable(c) => block(&c.body),
        ItemKind::NetReceive { body, .. } => block(body),
        _ => false,
    })
}

/// The folder of `file` (`.` for a bare file name).
fn folder_of(file: &Path) -> PathBuf {
    match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The parent of folder `dir`, textually when possible (`a/b` → `a`, `.` → `..`).
fn parent_folder(dir: &Path) -> PathBuf {
    match dir.components().next_back() {
        Some(Component::Normal(_)) => folder_of(dir),
        Some(Component::RootDir | Component::Prefix(_)) => dir.to_path_buf(),
        _ => dir.join(".."),
    }
}

fn canonical(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}
