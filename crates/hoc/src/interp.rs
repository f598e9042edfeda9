//! The hoc interpreter: runs a parsed program and keeps NEURON's model state (sections,
//! mechanisms, point processes, objects) without a simulator.
//!
//! Name resolution follows hoc: inside a template's procedures a name is a local, then a
//! variable of the instance, then one of NEURON's names (section properties such as `L`,
//! range variables such as `gnabar_hh`, GLOBALs, built-in functions). Top-level code sees
//! the top-level variables. A name that is assigned somewhere (anywhere in a template, or
//! in top-level code read so far) is a variable, 0 until set, because hoc's parser
//! declares it when it parses the assignment; reading any other unknown name is an error.
//!
//! Templates behave as in NEURON: the statements of a template body run once, when the
//! template is read, and each new instance starts from what they declared, zeroed (new
//! default sections, made in the order the names first appear in the template), before
//! `init()` runs.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use ranvier_morph::{Morphology, Section};
use ranvier_span::{Diagnostic, SourceFile, TextRange};

use crate::ast::*;
use crate::cell::{Catalog, Cell, CellPointProcess, CellSection, InsertedMech, MechMeta};

pub(crate) type ObjId = usize;
pub(crate) type SecId = usize;

/// A value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Val {
    Num(f64),
    Str(String),
    Obj(Option<ObjId>),
    Sec(SecId),
    /// `sec(x)`
    Loc(SecId, f64),
}

/// A variable: numbers, strings, object references or sections, possibly an array.
#[derive(Clone, Debug)]
enum Var {
    Num {
        dims: Vec<usize>,
        data: Vec<f64>,
    },
    Str(String),
    Obj {
        dims: Vec<usize>,
        data: Vec<Option<ObjId>>,
    },
    Sec {
        dims: Vec<usize>,
        data: Vec<SecId>,
    },
}

#[derive(Debug)]
struct Template {
    name: String,
    body: Vec<Stmt>,
    funcs: HashMap<String, Rc<FuncDef>>,
    public: Vec<String>,
    external: Vec<String>,
    file: usize,
    /// Names the template assigns somewhere: hoc declares each as a variable of the
    /// template when it parses the assignment, so they read as 0 before being set.
    assigned: HashSet<String>,
    /// The variables every new instance starts with, in the order NEURON's symbol table
    /// has them (first mention in the template): what the template body declared when
    /// it ran at definition, zeroed (sections are made anew for each instance).
    vars: Vec<(String, Var)>,
}

/// What hoc's parser learns from the names in some code.
#[derive(Default)]
struct NameScan {
    /// Where each name is first mentioned (byte offset).
    first: HashMap<String, u32>,
    /// Names assigned somewhere (`x = ...`, `for x = ...`), outside `local` scopes.
    assigned: HashSet<String>,
}

impl NameScan {
    fn mention(&mut self, n: &Name) {
        let at = n.range.start().0;
        let e = self.first.entry(n.text.clone()).or_insert(at);
        *e = (*e).min(at);
    }

    fn stmts(&mut self, stmts: &[Stmt], locals: &HashSet<String>) {
        for s in stmts {
            self.stmt(s, locals);
        }
    }

    fn decls(&mut self, decls: &[Decl], locals: &HashSet<String>) {
        for d in decls {
            self.mention(&d.name);
            for e in &d.dims {
                self.expr(e, locals);
            }
        }
    }

    fn stmt(&mut self, s: &Stmt, locals: &HashSet<String>) {
        match &s.kind {
            StmtKind::Expr(e) | StmtKind::Access(e) => self.expr(e, locals),
            StmtKind::Return(e) => {
                if let Some(e) = e {
                    self.expr(e, locals);
                }
            }
            StmtKind::Block(b) => self.stmts(b, locals),
            StmtKind::If {
                cond,
                then,
                otherwise,
            } => {
                self.expr(cond, locals);
                self.stmt(then, locals);
                if let Some(o) = otherwise {
                    self.stmt(o, locals);
                }
            }
            StmtKind::While { cond, body } => {
                self.expr(cond, locals);
                self.stmt(body, locals);
            }
            StmtKind::For {
                init,
                cond,
                step,
                body,
            } => {
                for e in [init, cond, step].into_iter().flatten() {
                    self.expr(e, locals);
                }
                self.stmt(body, locals);
            }
            StmtKind::ForRange {
                var,
                from,
                to,
                body,
            } => {
                if let ExprKind::Name(n) = &var.kind
                    && !locals.contains(&n.text)
                {
                    self.assigned.insert(n.text.clone());
                }
                for e in [var, from, to] {
                    self.expr(e, locals);
                }
                self.stmt(body, locals);
            }
            StmtKind::ForSeg { var, ends, body } => {
                // hoc declares the loop variable when it parses the loop.
                if !locals.contains(&var.text) {
                    self.mention(var);
                    self.assigned.insert(var.text.clone());
                }
                if let Some(e) = ends {
                    self.expr(e, locals);
                }
                self.stmt(body, locals);
            }
            StmtKind::Taper(t) => {
                for e in [&t.var, &t.x1, &t.x2, &t.y1, &t.y2] {
                    self.expr(e, locals);
                }
            }
            StmtKind::Create(d)
            | StmtKind::Objref(d)
            | StmtKind::Strdef(d)
            | StmtKind::Double(d) => {
                self.decls(d, locals);
            }
            StmtKind::Local(d) => {
                for e in d.iter().flat_map(|d| &d.dims) {
                    self.expr(e, locals);
                }
            }
            StmtKind::Connect(c) => {
                for e in [
                    Some(&c.child),
                    c.child_x.as_ref(),
                    c.parent.as_ref(),
                    Some(&c.parent_x),
                ]
                .into_iter()
                .flatten()
                {
                    self.expr(e, locals);
                }
            }
            StmtKind::Public(names) | StmtKind::External(names) => {
                for n in names {
                    self.mention(n);
                }
            }
            StmtKind::Print(items) => {
                for e in items {
                    self.expr(e, locals);
                }
            }
            StmtKind::SecStmt { sec: e, body }
            | StmtKind::Forsec { target: e, body }
            | StmtKind::Ifsec { pattern: e, body } => {
                self.expr(e, locals);
                self.stmt(body, locals);
            }
            StmtKind::Forall(body) => self.stmt(body, locals),
            StmtKind::Func(f) => {
                self.mention(&f.name);
                let mut own = HashSet::new();
                collect_locals(&f.body, &mut own);
                self.stmts(&f.body, &own);
            }
            StmtKind::LocalObj(_)
            | StmtKind::Insert(_)
            | StmtKind::Uninsert(_)
            | StmtKind::Template { .. }
            | StmtKind::Break
            | StmtKind::Continue
            | StmtKind::Stop
            | StmtKind::Error => {}
        }
    }

    fn expr(&mut self, e: &Expr, locals: &HashSet<String>) {
        match &e.kind {
            ExprKind::Name(n) => {
                if !locals.contains(&n.text) {
                    self.mention(n);
                }
            }
            ExprKind::Num(_) | ExprKind::Str(_) | ExprKind::Arg { .. } => {}
            ExprKind::Index(b, idx) => {
                self.expr(b, locals);
                for i in idx {
                    self.expr(i, locals);
                }
            }
            ExprKind::Member(b, _) | ExprKind::AddrOf(b) | ExprKind::Unary(_, b) => {
                self.expr(b, locals);
            }
            ExprKind::Call(c, args) => {
                self.expr(c, locals);
                for a in args {
                    self.expr(a, locals);
                }
            }
            ExprKind::Binary(_, a, b) => {
                self.expr(a, locals);
                self.expr(b, locals);
            }
            ExprKind::Assign { target, value, .. } => {
                if let ExprKind::Name(n) = &target.kind
                    && !locals.contains(&n.text)
                {
                    self.assigned.insert(n.text.clone());
                }
                self.expr(target, locals);
                self.expr(value, locals);
            }
            ExprKind::New(_, args) => {
                for a in args {
                    self.expr(a, locals);
                }
            }
        }
    }
}

/// The `local` and `localobj` names of a function body.
fn collect_locals(stmts: &[Stmt], out: &mut HashSet<String>) {
    for s in stmts {
        match &s.kind {
            StmtKind::Local(d) => out.extend(d.iter().map(|d| d.name.text.clone())),
            StmtKind::LocalObj(n) => out.extend(n.iter().map(|n| n.text.clone())),
            StmtKind::Block(b) => collect_locals(b, out),
            _ => {}
        }
    }
}

/// A variable as a new instance starts with it: numbers 0, strings empty, object
/// references NULL, sections not made yet (same dimensions).
fn zeroed(v: &Var) -> Var {
    match v {
        Var::Num { dims, data } => Var::Num {
            dims: dims.clone(),
            data: vec![0.0; data.len()],
        },
        Var::Str(_) => Var::Str(String::new()),
        Var::Obj { dims, data } => Var::Obj {
            dims: dims.clone(),
            data: vec![None; data.len()],
        },
        Var::Sec { dims, .. } => Var::Sec {
            dims: dims.clone(),
            data: Vec::new(),
        },
    }
}

#[derive(Debug)]
enum Obj {
    Instance {
        template: Rc<std::cell::RefCell<Template>>,
        vars: HashMap<String, Var>,
    },
    SectionList(Vec<SecId>),
    SectionRef(SecId),
    Vector(Vec<f64>),
    List(Vec<ObjId>),
    Point {
        mech: String,
        loc: Option<(SecId, f64)>,
        params: Vec<(String, f64)>,
        /// When it was last placed (NEURON lists a segment's newest first).
        placed: u64,
    },
    /// GUI and other classes with no model meaning: every method is a no-op.
    Inert(String),
}

/// A section of the model.
#[derive(Clone, Debug)]
struct SecData {
    sec: Section,
    owner: Option<ObjId>,
    /// `soma` or `dend[3]`.
    name: String,
    array: Option<(String, usize)>,
    alive: bool,
    parent: Option<(SecId, f64)>,
    child_x: f64,
    /// When it was connected (NEURON lists a section's children newest first).
    connected_at: u64,
    mechs: Vec<InsertedMech>,
    ions: BTreeMap<String, Vec<f64>>,
}

/// Control flow out of a statement.
enum Flow {
    Normal,
    Break,
    Continue,
    Return(Val),
    Stop,
}

/// A hoc run-time or load error.
#[derive(Clone, Debug)]
pub struct HocError {
    pub message: String,
    file: usize,
    range: TextRange,
    /// Calls active when it happened, innermost first: (function, file, range).
    stack: Vec<(String, usize, TextRange)>,
}

struct Frame {
    this: Option<ObjId>,
    locals: HashMap<String, Var>,
    args: Vec<Val>,
    func: String,
}

type R<T> = Result<T, HocError>;

/// Library files NEURON users load that need not exist here.
const STD_LIBS: &[&str] = &[
    "nrngui.hoc",
    "stdrun.hoc",
    "stdlib.hoc",
    "stdgui.hoc",
    "import3d.hoc",
    "noload.hoc",
    "mview.hoc",
];

/// GUI and tool classes that build nothing in the model.
const INERT_CLASSES: &[&str] = &[
    "Graph",
    "Shape",
    "PlotShape",
    "VBox",
    "HBox",
    "Deck",
    "File",
    "Timer",
    "StringFunctions",
    "NetCon",
    "Random",
    "PythonObject",
    "Impedance",
    "ParallelContext",
    "CVode",
    "ModelView",
    "Pointer",
    "Matrix",
];

/// The interpreter.
pub struct Interp {
    catalog: Catalog,
    files: Vec<SourceFile>,
    paths: Vec<PathBuf>,
    loaded: HashSet<PathBuf>,
    secs: Vec<SecData>,
    objs: Vec<Obj>,
    /// NEURON's per-class instance number of each object (`SectionList[3]`).
    obj_index: Vec<usize>,
    /// The stand-ins a template body ran in when the template was defined.
    protos: HashSet<ObjId>,
    /// Names top-level code assigns somewhere (declared by hoc's parser).
    top_assigned: HashSet<String>,
    class_count: HashMap<String, usize>,
    globals: HashMap<String, Var>,
    /// Top-level procs and funcs, with the file defining them.
    funcs: HashMap<String, (Rc<FuncDef>, usize)>,
    templates: HashMap<String, Rc<std::cell::RefCell<Template>>>,
    frames: Vec<Frame>,
    sec_stack: Vec<SecId>,
    accessed: Option<SecId>,
    /// Values of NEURON globals the code set (`celsius`, `ceiling_cad`).
    set_globals: BTreeMap<String, f64>,
    /// Origin of `distance()`.
    origin: Option<(SecId, f64)>,
    /// Printed text (`print`, `printf`).
    pub output: String,
    /// Warnings (no-op library calls and the like).
    pub warnings: Vec<(usize, Diagnostic)>,
    /// Call stack of the statement being run, for errors.
    call_sites: Vec<(String, usize, TextRange)>,
    /// Statements budget (guards against endless loops in imported code).
    steps: u64,
    /// Statements allowed before the code is stopped as an endless loop.
    step_budget: u64,
}

const MAX_STEPS: u64 = 200_000_000;
/// Elements of one hoc array or Vector beyond which allocation is refused (800 MB of
/// doubles): `new Vector(1e308)` in damaged code is an error, not an abort.
const MAX_ELEMENTS: f64 = 1e8;

/// The length of a Vector or array of `n` elements, or a located error.
fn checked_len(n: f64, file: usize, range: TextRange, what: &str) -> R<usize> {
    if n.is_nan() || n > MAX_ELEMENTS {
        return Err(err(
            file,
            range,
            format!("{what} of {n:e} elements is more than the {MAX_ELEMENTS:.0e} allowed"),
        ));
    }
    Ok(n.max(0.0) as usize)
}

fn err(file: usize, range: TextRange, message: impl Into<String>) -> HocError {
    HocError {
        message: message.into(),
        file,
        range,
        stack: Vec::new(),
    }
}

/// Top-level variables `stdrun.hoc` defines (with `nrngui.hoc` and `noload.hoc`): plain
/// hoc variables, not built-ins, so templates see them only when declared `external`.
const STDRUN_VARS: &[(&str, f64)] = &[("v_init", -65.0), ("tstop", 5.0), ("steps_per_ms", 40.0)];

/// NEURON's default values of built-in globals (visible everywhere, templates too).
fn builtin_global(name: &str) -> Option<f64> {
    Some(match name {
        "celsius" => 6.3,
        "dt" => 0.025,
        "t" => 0.0,
        "secondorder" => 0.0,
        "clamp_resist" => 1e-3,
        "float_epsilon" => 1e-11,
        "hoc_ac_" => 0.0,
        _ => return None,
    })
}

fn constant(name: &str) -> Option<f64> {
    Some(match name {
        "PI" => std::f64::consts::PI,
        "E" => std::f64::consts::E,
        "GAMMA" => 0.577_215_664_901_532_9,
        "DEG" => 57.295_779_513_082_32,
        "PHI" => 1.618_033_988_749_895,
        "FARADAY" => 96_485.332_123_310_02,
        "R" => 8.314_462_618_153_24,
        _ => return None,
    })
}

/// Default ion values (NEURON's `na_ion` etc.).
fn ion_default(var: &str) -> Option<f64> {
    Some(match var {
        "ena" => 50.0,
        "nai" => 10.0,
        "nao" => 140.0,
        "ek" => -77.0,
        "ki" => 54.4,
        "ko" => 2.5,
        "eca" => 12.5 * (2.0f64 / 5.0e-5).ln(),
        "cai" => 5e-5,
        "cao" => 2.0,
        _ => return None,
    })
}

impl Var {
    fn num(dims: Vec<usize>) -> Var {
        let n = dims.iter().product::<usize>().max(1);
        Var::Num {
            dims,
            data: vec![0.0; n],
        }
    }
}

/// The currently accessed section as NEURON's `chk_access` finds it: the top of the
/// section stack, else the `access`ed one, else (or when that was deleted) the first
/// section that exists.
fn current_sec(secs: &[SecData], stack: &[SecId], accessed: Option<SecId>) -> Option<SecId> {
    match stack.last().copied().or(accessed) {
        Some(s) if secs[s].alive => Some(s),
        _ => secs.iter().position(|d| d.alive),
    }
}

/// Flat index of `idx` in an array of `dims` (scalar: `[]`).
fn flat(dims: &[usize], idx: &[f64]) -> Option<usize> {
    if idx.is_empty() {
        return Some(0);
    }
    if idx.len() != dims.len() {
        return None;
    }
    let mut k = 0usize;
    for (&d, &i) in dims.iter().zip(idx) {
        if !(i >= 0.0) || i as usize >= d {
            return None;
        }
        k = k * d + i as usize;
    }
    Some(k)
}

impl Interp {
    /// An interpreter knowing the mechanisms of `catalog`; `paths` are searched by
    /// `load_file` after the loading file's folder.
    #[must_use]
    pub fn new(catalog: Catalog, paths: Vec<PathBuf>) -> Self {
        Self {
            catalog,
            files: Vec::new(),
            paths,
            loaded: HashSet::new(),
            secs: Vec::new(),
            objs: Vec::new(),
            obj_index: Vec::new(),
            protos: HashSet::new(),
            top_assigned: HashSet::new(),
            class_count: HashMap::new(),
            globals: HashMap::new(),
            funcs: HashMap::new(),
            templates: HashMap::new(),
            frames: Vec::new(),
            sec_stack: Vec::new(),
            accessed: None,
            set_globals: BTreeMap::new(),
            origin: None,
            output: String::new(),
            warnings: Vec::new(),
            call_sites: Vec::new(),
            steps: 0,
            step_budget: MAX_STEPS,
        }
    }

    /// Statements allowed before the code is stopped as an endless loop (default 2e8).
    pub fn set_step_budget(&mut self, n: u64) {
        self.step_budget = n;
    }

    /// The source files read so far (index = the `file` of diagnostics).
    #[must_use]
    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// Render an error with its code frame and the hoc call stack.
    #[must_use]
    pub fn render(&self, e: &HocError) -> String {
        let mut d = Diagnostic::error(e.message.clone()).with_primary(e.range, e.message.clone());
        for (f, file, range) in &e.stack {
            let name = self.files.get(*file).map_or("?", |s| s.name.as_str());
            // A call from outside the hoc code (instantiating a template) has no site.
            let lc = self
                .files
                .get(*file)
                .filter(|_| *range != TextRange::default())
                .map(|s| s.line_col(range.start()));
            d = d.with_note(match lc {
                Some(lc) => format!("in {f}() called at {name}:{}:{}", lc.line, lc.col),
                None => format!("in {f}(), called to instantiate the template"),
            });
        }
        match self.files.get(e.file) {
            Some(f) => ranvier_span::render(&d, f, ranvier_span::RenderStyle::Plain),
            None => e.message.clone(),
        }
    }

    /// Parse and run a file. Parse errors come back as diagnostics of that file.
    pub fn run_file(&mut self, path: &Path) -> R<()> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            err(
                usize::MAX,
                TextRange::default(),
                format!("cannot read {}: {e}", path.display()),
            )
        })?;
        self.run_source(&path.display().to_string(), &text, path.parent())
    }

    /// Parse and run hoc source text named `name`.
    pub fn run_source(&mut self, name: &str, text: &str, dir: Option<&Path>) -> R<()> {
        let (prog, diags) = crate::parse(text);
        self.files.push(SourceFile::new(name, text));
        let file = self.files.len() - 1;
        if let Some(d) = diags.iter().find(|d| d.is_error()) {
            return Err(err(
                file,
                d.primary_range().unwrap_or_default(),
                d.message.clone(),
            ));
        }
        if let Some(dir) = dir {
            self.paths.insert(0, dir.to_path_buf());
        }
        let r = self.exec_top(&prog.stmts, file);
        if dir.is_some() {
            self.paths.remove(0);
        }
        match r? {
            Flow::Normal | Flow::Stop | Flow::Break | Flow::Continue | Flow::Return(_) => Ok(()),
        }
    }

    /// Run the statements of a file as hoc does: each is parsed (declaring the names it
    /// assigns) just before it runs.
    fn exec_top(&mut self, stmts: &[Stmt], file: usize) -> R<Flow> {
        for s in stmts {
            if !matches!(s.kind, StmtKind::Template { .. }) {
                let mut scan = NameScan::default();
                scan.stmt(s, &HashSet::new());
                match self.this().map(|o| &self.objs[o]) {
                    Some(Obj::Instance { template, .. }) => {
                        template.borrow_mut().assigned.extend(scan.assigned);
                    }
                    _ => self.top_assigned.extend(scan.assigned),
                }
            }
            match self.exec(s, file)? {
                Flow::Normal => {}
                f => return Ok(f),
            }
        }
        Ok(Flow::Normal)
    }

    // ---------------------------------------------------------------------------
    // Statements

    fn exec_block(&mut self, stmts: &[Stmt], file: usize) -> R<Flow> {
        for s in stmts {
            match self.exec(s, file)? {
                Flow::Normal => {}
                f => return Ok(f),
            }
        }
        Ok(Flow::Normal)
    }

    fn exec(&mut self, s: &Stmt, file: usize) -> R<Flow> {
        self.steps += 1;
        if self.steps > self.step_budget {
            return Err(err(
                file,
                s.range,
                "the hoc code ran for too long (endless loop?)",
            ));
        }
        match &s.kind {
            StmtKind::Expr(e) => {
                self.eval(e, file)?;
            }
            StmtKind::Block(b) => return self.exec_block(b, file),
            StmtKind::If {
                cond,
                then,
                otherwise,
            } => {
                if self.truth(cond, file)? {
                    return self.exec(then, file);
                } else if let Some(o) = otherwise {
                    return self.exec(o, file);
                }
            }
            StmtKind::While { cond, body } => {
                while self.truth(cond, file)? {
                    match self.exec(body, file)? {
                        Flow::Break => break,
                        Flow::Normal | Flow::Continue => {}
                        f => return Ok(f),
                    }
                }
            }
            StmtKind::For {
                init,
                cond,
                step,
                body,
            } => {
                if let Some(i) = init {
                    self.eval(i, file)?;
                }
                loop {
                    if let Some(c) = cond
                        && !self.truth(c, file)?
                    {
                        break;
                    }
                    match self.exec(body, file)? {
                        Flow::Break => break,
                        Flow::Normal | Flow::Continue => {}
                        f => return Ok(f),
                    }
                    if let Some(st) = step {
                        self.eval(st, file)?;
                    }
                }
            }
            StmtKind::ForRange {
                var,
                from,
                to,
                body,
            } => {
                let a = self.num(from, file)?;
                let b = self.num(to, file)?;
                let mut i = a;
                while i <= b {
                    self.assign(var, Val::Num(i), file)?;
                    match self.exec(body, file)? {
                        Flow::Break => break,
                        Flow::Normal | Flow::Continue => {}
                        f => return Ok(f),
                    }
                    i = match self.eval(var, file)? {
                        Val::Num(x) => x + 1.0,
                        _ => break,
                    };
                }
            }
            StmtKind::ForSeg { var, ends, body } => {
                return self.for_segments(var, ends.as_ref(), body, file, s.range);
            }
            StmtKind::Taper(t) => self.taper(t, file, s.range)?,
            StmtKind::Break => return Ok(Flow::Break),
            StmtKind::Continue => return Ok(Flow::Continue),
            StmtKind::Return(e) => {
                let v = match e {
                    Some(e) => self.eval(e, file)?,
                    None => Val::Num(0.0),
                };
                return Ok(Flow::Return(v));
            }
            StmtKind::Stop => return Ok(Flow::Stop),
            StmtKind::Create(decls) => {
                for d in decls {
                    self.create(d, file)?;
                }
            }
            StmtKind::Access(e) => {
                let sec = self.section_of(e, file)?;
                self.accessed = Some(sec);
            }
            StmtKind::Connect(c) => self.connect(c, file, s.range)?,
            StmtKind::Insert(name) => {
                let sec = self.cas(file, s.range)?;
                self.insert(sec, name, file)?;
            }
            StmtKind::Uninsert(name) => {
                let sec = self.cas(file, s.range)?;
                self.secs[sec].mechs.retain(|m| m.name != name.text);
            }
            StmtKind::Objref(decls) => {
                for d in decls {
                    let dims = self.dims(&d.dims, file)?;
                    let n = dims.iter().product::<usize>().max(1);
                    self.declare(
                        &d.name.text,
                        Var::Obj {
                            dims,
                            data: vec![None; n],
                        },
                    );
                }
            }
            StmtKind::Strdef(decls) => {
                for d in decls {
                    self.declare(&d.name.text, Var::Str(String::new()));
                }
            }
            StmtKind::Double(decls) => {
                for d in decls {
                    let dims = self.dims(&d.dims, file)?;
                    self.declare(&d.name.text, Var::num(dims));
                }
            }
            StmtKind::Local(decls) => {
                for d in decls {
                    let dims = self.dims(&d.dims, file)?;
                    if let Some(f) = self.frames.last_mut() {
                        f.locals.insert(d.name.text.clone(), Var::num(dims));
                    }
                }
            }
            StmtKind::LocalObj(names) => {
                for n in names {
                    if let Some(f) = self.frames.last_mut() {
                        f.locals.insert(
                            n.text.clone(),
                            Var::Obj {
                                dims: Vec::new(),
                                data: vec![None],
                            },
                        );
                    }
                }
            }
            StmtKind::Public(_) | StmtKind::External(_) => {}
            StmtKind::Print(items) => {
                let mut parts = Vec::new();
                for e in items {
                    let v = self.eval(e, file)?;
                    parts.push(self.show(&v));
                }
                self.output.push_str(&parts.join(" "));
                self.output.push('\n');
            }
            StmtKind::SecStmt { sec, body } => {
                let id = self.section_of(sec, file)?;
                self.sec_stack.push(id);
                let r = self.exec(body, file);
                self.sec_stack.pop();
                return r;
            }
            StmtKind::Forall(body) => {
                let all = self.forall_sections(None, file, s.range)?;
                return self.for_sections(&all, body, file);
            }
            StmtKind::Forsec { target, body } => {
                let list = match self.eval(target, file)? {
                    Val::Str(pat) => self.forall_sections(Some(&pat), file, target.range)?,
                    Val::Obj(Some(o)) => match &self.objs[o] {
                        Obj::SectionList(l) => l.clone(),
                        _ => {
                            return Err(err(
                                file,
                                target.range,
                                "forsec needs a SectionList or a name pattern",
                            ));
                        }
                    },
                    _ => {
                        return Err(err(
                            file,
                            target.range,
                            "forsec needs a SectionList or a name pattern",
                        ));
                    }
                };
                return self.for_sections(&list, body, file);
            }
            StmtKind::Ifsec { pattern, body } => {
                let pat = match self.eval(pattern, file)? {
                    Val::Str(p) => p,
                    _ => {
                        return Err(err(
                            file,
                            pattern.range,
                            "ifsec needs a name pattern string",
                        ));
                    }
                };
                // NEURON matches `.*pattern.*` against the whole name.
                let re = self.pattern(&format!(".*{pat}.*"), &pat, file, pattern.range)?;
                let sec = self.cas(file, s.range)?;
                if re.is_match(&self.full_name(sec)) {
                    return self.exec(body, file);
                }
            }
            StmtKind::Func(f) => {
                if self.this().is_none() {
                    self.funcs
                        .insert(f.name.text.clone(), (Rc::new(f.clone()), file));
                }
            }
            StmtKind::Template { name, body } => self.define_template(name, body, file)?,
            StmtKind::Error => {}
        }
        Ok(Flow::Normal)
    }

    /// `for (x) body` / `for (x, ends) body` as NEURON's `for_segment` runs it: `x` is 0,
    /// then `dx/2`, then grows by `dx = 1/nseg` per pass (so the centres carry the
    /// rounding of the running sum, and a body that changes `x` moves the rest), and is
    /// 1 last; with `ends` within `float_epsilon` of 0 the two ends are skipped (and `x`
    /// ends one step past the last centre). `break` leaves `x` where it was.
    fn for_segments(
        &mut self,
        var: &Name,
        ends: Option<&Expr>,
        body: &Stmt,
        file: usize,
        range: TextRange,
    ) -> R<Flow> {
        let with_ends = match ends {
            None => true,
            Some(e) => {
                let eps = self.global_value("float_epsilon").unwrap_or(1e-11);
                self.num(e, file)?.abs() >= eps
            }
        };
        let sec = self.cas(file, range)?;
        let nseg = self.secs[sec].sec.nseg();
        let dx = 1.0 / nseg as f64;
        let imax = nseg + 1;
        let mut i = if with_ends { 0 } else { 1 };
        let start = if with_ends { 0.0 } else { dx / 2.0 };
        self.assign_name(var, Val::Num(start), file)?;
        while i <= imax {
            if i == imax {
                if !with_ends {
                    break;
                }
                self.assign_name(var, Val::Num(1.0), file)?;
            }
            match self.exec(body, file)? {
                Flow::Break => break,
                Flow::Normal | Flow::Continue => {}
                f => return Ok(f),
            }
            if i < imax {
                let step = if i == 0 { dx / 2.0 } else { dx };
                let x = match self.read_name(var, file)? {
                    Val::Num(x) => x,
                    v => {
                        return Err(err(
                            file,
                            var.range,
                            format!(
                                "the segment loop variable `{}` became {}",
                                var.text,
                                self.kind_of(&v)
                            ),
                        ));
                    }
                };
                self.assign_name(var, Val::Num(x + step), file)?;
            }
            i += 1;
        }
        Ok(Flow::Normal)
    }

    /// `rangevar(x1:x2) op y1:y2` as NEURON's `range_interpolate` does it: for each
    /// segment from the one containing `x1` to the one containing `x2` whose centre `x`
    /// has `thet = (x - x1)/(x2 - x1)` within 1e-9 of `[0, 1]`, the value becomes
    /// `y1*(1 - thet) + y2*thet` (combined with the old one for `+=` etc.). The 0 and 1
    /// ends hold no value of their own here and are left alone. `x2 - x1 < 1e-10` is an
    /// error, as in NEURON; so are locations outside 0..1.
    fn taper(&mut self, t: &Taper, file: usize, range: TextRange) -> R<()> {
        let (sec, name) = match &t.var.kind {
            ExprKind::Name(n) => (self.cas(file, n.range)?, n),
            ExprKind::Member(obj, n) => match self.eval(obj, file)? {
                Val::Sec(s) => (s, n),
                v => {
                    return Err(err(
                        file,
                        obj.range,
                        format!("expected a section, found {}", self.kind_of(&v)),
                    ));
                }
            },
            _ => return Err(err(file, t.var.range, "expected a range variable")),
        };
        let x1 = self.num(&t.x1, file)?;
        let x2 = self.num(&t.x2, file)?;
        let y1 = self.num(&t.y1, file)?;
        let y2 = self.num(&t.y2, file)?;
        let text = name.text.as_str();
        let mech = self.range_var(text);
        if !(matches!(text, "diam" | "cm") || ion_default(text).is_some() || mech.is_some()) {
            return Err(err(
                file,
                name.range,
                format!("`{text}` is not a range variable that a taper can set"),
            ));
        }
        let dx = x2 - x1;
        if !(dx >= 1e-10) {
            return Err(err(
                file,
                range,
                format!(
                    "the taper `{text}({}:{})` needs x1 < x2",
                    fmt_g(x1),
                    fmt_g(x2)
                ),
            ));
        }
        for x in [x1, x2] {
            if !(0.0..=1.0).contains(&x) {
                return Err(err(
                    file,
                    range,
                    format!("location {} is outside 0..1", fmt_g(x)),
                ));
            }
        }
        if let Some((m, _)) = &mech
            && !self.secs[sec].mechs.iter().any(|im| im.name == *m)
        {
            return Err(err(
                file,
                name.range,
                format!(
                    "`{m}` is not inserted in {} (insert it before setting `{text}`)",
                    self.full_name(sec)
                ),
            ));
        }
        let nseg = self.secs[sec].sec.nseg();
        // A section attached by its 1 end has its nodes numbered from x = 1; NEURON
        // computes the centres from the node numbers (values here are kept from x = 0).
        let reversed = self.secs[sec].child_x == 1.0;
        let n = nseg as f64;
        // Segments counted from x = 0.
        let seg_of = |x: f64| ((n * x) as usize).min(nseg - 1);
        for k in seg_of(x1)..=seg_of(x2) {
            let x = if reversed {
                1.0 - ((nseg - 1 - k) as f64 + 0.5) / n
            } else {
                (k as f64 + 0.5) / n
            };
            let thet = (x - x1) / dx;
            if !(-1e-9..=1.0 + 1e-9).contains(&thet) {
                continue;
            }
            let mut y = y1 * (1.0 - thet) + y2 * thet;
            // A location inside segment k.
            let at = (k as f64 + 0.5) / n;
            if t.op != AssignOp::Set {
                // The stored value (for diam, the segment's own, not one recomputed
                // from 3-D points).
                let old = if text == "diam" {
                    self.secs[sec].sec.diam()[k]
                } else {
                    match self.neuron_name(text, Some((sec, Some(at))), file, name.range)? {
                        Some(Val::Num(v)) => v,
                        _ => 0.0,
                    }
                };
                y = match t.op {
                    AssignOp::Add => old + y,
                    AssignOp::Sub => old - y,
                    AssignOp::Mul => old * y,
                    AssignOp::Div => old / y,
                    AssignOp::Set => y,
                };
            }
            self.set_range(sec, text, Some(at), y, file, name.range)?;
        }
        Ok(())
    }

    /// The section an expression names (`soma`, `dend[2]`, `cell.axon`, `sr.sec`).
    fn section_of(&mut self, e: &Expr, file: usize) -> R<SecId> {
        match self.eval(e, file)? {
            Val::Sec(s) | Val::Loc(s, _) => Ok(s),
            v => Err(err(
                file,
                e.range,
                format!("expected a section, found {}", self.kind_of(&v)),
            )),
        }
    }

    fn for_sections(&mut self, list: &[SecId], body: &Stmt, file: usize) -> R<Flow> {
        for &id in list {
            if !self.secs.get(id).is_some_and(|s| s.alive) {
                continue;
            }
            self.sec_stack.push(id);
            let r = self.exec(body, file);
            self.sec_stack.pop();
            match r? {
                Flow::Break => break,
                Flow::Normal | Flow::Continue => {}
                f => return Ok(f),
            }
        }
        Ok(Flow::Normal)
    }

    /// The sections `forall` (no pattern) or `forsec "pattern"` runs over, as NEURON's
    /// `forall_section` picks them: inside a method of an object only the object's own
    /// sections, whose names must match `<object>.*<pattern>.*`; at top level every
    /// section, matching `.*<pattern>.*` (whole names, see [`SecPattern`]).
    fn forall_sections(&self, pat: Option<&str>, file: usize, range: TextRange) -> R<Vec<SecId>> {
        let this = self.this().filter(|o| !self.protos.contains(o));
        let re = match (pat, this) {
            (Some(p), Some(o)) => {
                Some(self.pattern(&format!("{}.*{p}.*", self.obj_name(o)), p, file, range)?)
            }
            (Some(p), None) => Some(self.pattern(&format!(".*{p}.*"), p, file, range)?),
            (None, _) => None,
        };
        Ok((0..self.secs.len())
            .filter(|&i| {
                let d = &self.secs[i];
                d.alive
                    && (this.is_none() || d.owner == this)
                    && re.as_ref().is_none_or(|r| r.is_match(&self.full_name(i)))
            })
            .collect())
    }

    /// Compile a section name pattern; `shown` is what the user wrote.
    fn pattern(&self, re: &str, shown: &str, file: usize, range: TextRange) -> R<SecPattern> {
        SecPattern::new(re).map_err(|e| {
            err(
                file,
                range,
                format!("\"{shown}\" is not a valid regular expression: {e}"),
            )
        })
    }

    fn full_name(&self, id: SecId) -> String {
        let s = &self.secs[id];
        match s.owner {
            Some(o) if !self.protos.contains(&o) => format!("{}.{}", self.obj_name(o), s.name),
            _ => s.name.clone(),
        }
    }

    fn obj_name(&self, o: ObjId) -> String {
        let k = self.obj_index.get(o).copied().unwrap_or(0);
        format!("{}[{k}]", self.class_of(o))
    }

    fn class_of(&self, o: ObjId) -> String {
        match &self.objs[o] {
            Obj::Instance { template, .. } => template.borrow().name.clone(),
            Obj::Point { mech, .. } => mech.clone(),
            Obj::SectionList(_) => "SectionList".into(),
            Obj::SectionRef(_) => "SectionRef".into(),
            Obj::Vector(_) => "Vector".into(),
            Obj::List(_) => "List".into(),
            Obj::Inert(c) => c.clone(),
        }
    }

    /// Add an object, numbering it within its class as NEURON does.
    fn push_obj(&mut self, obj: Obj) -> ObjId {
        self.objs.push(obj);
        let id = self.objs.len() - 1;
        let class = self.class_of(id);
        let n = self.class_count.entry(class).or_insert(0);
        self.obj_index.push(*n);
        *n += 1;
        id
    }

    /// `begintemplate`: record the procedures, then run the other statements of the
    /// body once, as NEURON does when it reads the template (not per instance): what
    /// they declare, zeroed, is what each new instance starts with.
    fn define_template(&mut self, name: &Name, body: &[Stmt], file: usize) -> R<()> {
        let mut scan = NameScan::default();
        scan.stmts(body, &HashSet::new());
        let mut t = Template {
            name: name.text.clone(),
            body: Vec::new(),
            funcs: HashMap::new(),
            public: Vec::new(),
            external: Vec::new(),
            file,
            assigned: std::mem::take(&mut scan.assigned),
            vars: Vec::new(),
        };
        for s in body {
            match &s.kind {
                StmtKind::Func(f) => {
                    t.funcs.insert(f.name.text.clone(), Rc::new(f.clone()));
                }
                StmtKind::Public(names) => t.public.extend(names.iter().map(|n| n.text.clone())),
                StmtKind::External(names) => {
                    t.external.extend(names.iter().map(|n| n.text.clone()))
                }
                _ => t.body.push(s.clone()),
            }
        }
        let t = Rc::new(std::cell::RefCell::new(t));
        self.templates.insert(name.text.clone(), t.clone());
        // The body runs in a stand-in object that takes no instance number.
        let proto = self.push_obj(Obj::Instance {
            template: t.clone(),
            vars: HashMap::new(),
        });
        if let Some(n) = self.class_count.get_mut(&name.text) {
            *n -= 1;
        }
        self.protos.insert(proto);
        self.frames.push(Frame {
            this: Some(proto),
            locals: HashMap::new(),
            args: Vec::new(),
            func: name.text.clone(),
        });
        let body = t.borrow().body.clone();
        let depth = self.sec_stack.len();
        let r = self.exec_block(&body, file);
        self.sec_stack.truncate(depth);
        self.frames.pop();
        // Sections made while reading the template do not outlive it.
        for s in 0..self.secs.len() {
            if self.secs[s].alive && self.secs[s].owner == Some(proto) {
                self.delete(s);
            }
        }
        r?;
        let vars = match &mut self.objs[proto] {
            Obj::Instance { vars, .. } => std::mem::take(vars),
            _ => HashMap::new(),
        };
        let mut vars: Vec<(String, Var)> =
            vars.iter().map(|(k, v)| (k.clone(), zeroed(v))).collect();
        vars.sort_by(|a, b| {
            let at = |k: &String| scan.first.get(k).copied().unwrap_or(u32::MAX);
            at(&a.0).cmp(&at(&b.0)).then_with(|| a.0.cmp(&b.0))
        });
        t.borrow_mut().vars = vars;
        Ok(())
    }

    fn dims(&mut self, exprs: &[Expr], file: usize) -> R<Vec<usize>> {
        let mut out = Vec::new();
        for e in exprs {
            let n = self.num(e, file)?;
            if !(n >= 0.0) || n > MAX_ELEMENTS {
                return Err(err(file, e.range, format!("array size {n} is invalid")));
            }
            out.push(n as usize);
        }
        let total: f64 = out.iter().map(|&d| d as f64).product();
        if total > MAX_ELEMENTS {
            let range = exprs.first().map_or_else(TextRange::default, |e| e.range);
            return Err(err(
                file,
                range,
                format!("an array of {total} elements is more than the {MAX_ELEMENTS:.0e} allowed"),
            ));
        }
        Ok(out)
    }

    /// Declare a variable in the innermost scope: the instance being built or run, else
    /// the top level.
    fn declare(&mut self, name: &str, v: Var) {
        if let Some(o) = self.this()
            && let Obj::Instance { vars, .. } = &mut self.objs[o]
        {
            vars.insert(name.to_owned(), v);
            return;
        }
        self.globals.insert(name.to_owned(), v);
    }

    fn this(&self) -> Option<ObjId> {
        self.frames.last().and_then(|f| f.this)
    }

    fn cas(&self, file: usize, range: TextRange) -> R<SecId> {
        current_sec(&self.secs, &self.sec_stack, self.accessed)
            .ok_or_else(|| err(file, range, "no section is accessed (create one first)"))
    }

    fn create(&mut self, d: &Decl, file: usize) -> R<()> {
        let dims = self.dims(&d.dims, file)?;
        let owner = self.this();
        let name = &d.name.text;
        // A repeated create replaces the old sections.
        let old = match owner {
            Some(o) => match &self.objs[o] {
                Obj::Instance { vars, .. } => vars.get(name).cloned(),
                _ => None,
            },
            None => self.globals.get(name).cloned(),
        };
        if let Some(Var::Sec { data, .. }) = old {
            for s in data {
                self.delete(s);
            }
        }
        let ids = self.new_sections(name, &dims, owner);
        self.declare(name, Var::Sec { dims, data: ids });
        Ok(())
    }

    /// Make the sections of `name` (an array when `dims` is not empty) for `owner`.
    fn new_sections(&mut self, name: &str, dims: &[usize], owner: Option<ObjId>) -> Vec<SecId> {
        let n = dims.iter().product::<usize>().max(1);
        let mut ids = Vec::with_capacity(n);
        for k in 0..n {
            let (full, array) = if dims.is_empty() {
                (name.to_owned(), None)
            } else {
                (format!("{name}[{k}]"), Some((name.to_owned(), k)))
            };
            self.secs.push(SecData {
                sec: Section::new(&full),
                owner,
                name: full,
                array,
                alive: true,
                parent: None,
                child_x: 0.0,
                connected_at: 0,
                mechs: Vec::new(),
                ions: BTreeMap::new(),
            });
            ids.push(self.secs.len() - 1);
        }
        ids
    }

    fn delete(&mut self, s: SecId) {
        if let Some(d) = self.secs.get_mut(s) {
            d.alive = false;
        }
        for c in &mut self.secs {
            if c.parent.is_some_and(|(p, _)| p == s) {
                c.parent = None;
            }
        }
        if self.accessed == Some(s) {
            self.accessed = None;
        }
    }

    fn connect(&mut self, c: &Connect, file: usize, range: TextRange) -> R<()> {
        let (child, cx_from_loc) = match self.eval(&c.child, file)? {
            Val::Sec(s) => (s, None),
            Val::Loc(s, x) => (s, Some(x)),
            _ => return Err(err(file, c.child.range, "connect: expected a section")),
        };
        let child_x = match &c.child_x {
            Some(e) => self.num(e, file)?,
            None => cx_from_loc.unwrap_or(0.0),
        };
        let (parent, px) = match &c.parent {
            Some(p) => match self.eval(p, file)? {
                Val::Loc(s, x) => (s, x),
                Val::Sec(s) => (s, self.num(&c.parent_x, file)?),
                _ => return Err(err(file, p.range, "connect: expected a parent section")),
            },
            None => (self.cas(file, range)?, self.num(&c.parent_x, file)?),
        };
        if !(0.0..=1.0).contains(&px) {
            return Err(err(
                file,
                c.parent_x.range,
                format!("connect: location {px} is outside 0..1"),
            ));
        }
        if child_x != 0.0 && child_x != 1.0 {
            return Err(err(
                file,
                range,
                format!("connect: the child end must be 0 or 1, not {child_x}"),
            ));
        }
        // A loop would make the tree invalid: NEURON refuses it too.
        let mut p = Some(parent);
        while let Some(q) = p {
            if q == child {
                return Err(err(
                    file,
                    range,
                    format!(
                        "connect: {} is already an ancestor of {}: this would make a loop",
                        self.full_name(child),
                        self.full_name(parent)
                    ),
                ));
            }
            p = self.secs[q].parent.map(|(pp, _)| pp);
        }
        self.steps += 1;
        let s = &mut self.secs[child];
        s.parent = Some((parent, px));
        s.child_x = child_x;
        s.connected_at = self.steps;
        Ok(())
    }

    fn insert(&mut self, sec: SecId, name: &Name, file: usize) -> R<()> {
        let Some(meta) = self.catalog.get(&name.text).cloned() else {
            let hint = self.suggest_mech(&name.text);
            return Err(err(
                file,
                name.range,
                format!("unknown mechanism `{}`{hint}", name.text),
            ));
        };
        if meta.point || meta.artificial {
            return Err(err(
                file,
                name.range,
                format!(
                    "`{}` is a point process: create it with `new {}(x)`",
                    name.text, name.text
                ),
            ));
        }
        let nseg = self.secs[sec].sec.nseg();
        let s = &mut self.secs[sec];
        if !s.mechs.iter().any(|m| m.name == meta.name) {
            s.mechs.push(InsertedMech {
                name: meta.name.clone(),
                params: meta
                    .params
                    .iter()
                    .map(|(p, v)| (p.clone(), vec![*v; nseg]))
                    .collect(),
            });
        }
        Ok(())
    }

    fn suggest_mech(&self, name: &str) -> String {
        let best = self
            .catalog
            .mechs
            .keys()
            .map(|k| (edit_distance(name, k), k))
            .filter(|(d, _)| *d <= name.len() / 3 + 1)
            .min();
        best.map(|(_, k)| format!(" (did you mean `{k}`?)"))
            .unwrap_or_default()
    }

    // ---------------------------------------------------------------------------
    // Expressions

    fn truth(&mut self, e: &Expr, file: usize) -> R<bool> {
        Ok(self.num(e, file)? != 0.0)
    }

    fn num(&mut self, e: &Expr, file: usize) -> R<f64> {
        match self.eval(e, file)? {
            Val::Num(x) => Ok(x),
            v => Err(err(
                file,
                e.range,
                format!("expected a number, found {}", self.kind_of(&v)),
            )),
        }
    }

    fn kind_of(&self, v: &Val) -> &'static str {
        match v {
            Val::Num(_) => "a number",
            Val::Str(_) => "a string",
            Val::Obj(_) => "an object",
            Val::Sec(_) | Val::Loc(..) => "a section",
        }
    }

    fn show(&self, v: &Val) -> String {
        match v {
            Val::Num(x) => fmt_g(*x),
            Val::Str(s) => s.clone(),
            Val::Obj(Some(o)) => self.obj_name(*o),
            Val::Obj(None) => "NULLobject".into(),
            Val::Sec(s) => self.full_name(*s),
            Val::Loc(s, x) => format!("{}({})", self.full_name(*s), fmt_g(*x)),
        }
    }

    fn eval(&mut self, e: &Expr, file: usize) -> R<Val> {
        match &e.kind {
            ExprKind::Num(x) => Ok(Val::Num(*x)),
            ExprKind::Str(s) => Ok(Val::Str(s.clone())),
            ExprKind::Name(n) => self.read_name(n, file),
            ExprKind::Index(base, idx) => {
                let mut ix = Vec::with_capacity(idx.len());
                for i in idx {
                    ix.push(self.num(i, file)?);
                }
                self.read_index(base, &ix, file, e.range)
            }
            ExprKind::Member(obj, m) => {
                let o = self.eval(obj, file)?;
                self.read_member(&o, m, file)
            }
            ExprKind::Call(callee, args) => self.call(callee, args, file, e.range),
            ExprKind::Arg { kind, index } => self.arg(*kind, *index, file, e.range),
            ExprKind::AddrOf(inner) => self.eval(inner, file),
            ExprKind::Unary(op, a) => {
                let x = self.num(a, file)?;
                Ok(Val::Num(match op {
                    UnOp::Neg => -x,
                    UnOp::Not => f64::from(x == 0.0),
                }))
            }
            ExprKind::Binary(op, a, b) => self.binary(*op, a, b, file),
            ExprKind::Assign { op, target, value } => {
                let v = self.eval(value, file)?;
                let v = match op {
                    AssignOp::Set => v,
                    _ => {
                        let old = self.num(target, file)?;
                        let Val::Num(x) = v else {
                            return Err(err(file, value.range, "expected a number"));
                        };
                        Val::Num(match op {
                            AssignOp::Add => old + x,
                            AssignOp::Sub => old - x,
                            AssignOp::Mul => old * x,
                            AssignOp::Div => old / x,
                            AssignOp::Set => x,
                        })
                    }
                };
                self.assign(target, v.clone(), file)?;
                Ok(v)
            }
            ExprKind::New(class, args) => self.new_object(class, args, file, e.range),
        }
    }

    fn binary(&mut self, op: BinOp, a: &Expr, b: &Expr, file: usize) -> R<Val> {
        // Strings and objects compare with == and != (hoc compares object identity).
        if matches!(op, BinOp::Eq | BinOp::Ne) {
            let x = self.eval(a, file)?;
            let y = self.eval(b, file)?;
            let eq = match (&x, &y) {
                (Val::Num(p), Val::Num(q)) => (p - q).abs() <= 1e-9,
                _ => x == y,
            };
            return Ok(Val::Num(f64::from(eq == (op == BinOp::Eq))));
        }
        if op == BinOp::And {
            return Ok(Val::Num(f64::from(
                self.truth(a, file)? && self.truth(b, file)?,
            )));
        }
        if op == BinOp::Or {
            return Ok(Val::Num(f64::from(
                self.truth(a, file)? || self.truth(b, file)?,
            )));
        }
        let x = self.num(a, file)?;
        let y = self.num(b, file)?;
        // hoc's relational operators compare with a tolerance of float_epsilon (1e-11).
        let eps = 1e-11;
        Ok(Val::Num(match op {
            BinOp::Add => x + y,
            BinOp::Sub => x - y,
            BinOp::Mul => x * y,
            BinOp::Div => {
                if y == 0.0 {
                    return Err(err(file, b.range, "division by zero"));
                }
                x / y
            }
            BinOp::Rem => x - y * (x / y).trunc(),
            BinOp::Pow => x.powf(y),
            BinOp::Lt => f64::from(x < y - eps),
            BinOp::Le => f64::from(x <= y + eps),
            BinOp::Gt => f64::from(x > y + eps),
            BinOp::Ge => f64::from(x >= y - eps),
            BinOp::Eq | BinOp::Ne | BinOp::And | BinOp::Or => unreachable_zero(),
        }))
    }

    fn arg(&self, kind: ArgKind, index: u32, file: usize, range: TextRange) -> R<Val> {
        let Some(frame) = self.frames.last() else {
            return Err(err(
                file,
                range,
                "`$` arguments are only valid inside a proc or func",
            ));
        };
        let v = frame
            .args
            .get(index.saturating_sub(1) as usize)
            .cloned()
            .ok_or_else(|| {
                err(
                    file,
                    range,
                    format!(
                        "{}() was called with {} argument{}; `${index}` does not exist",
                        frame.func,
                        frame.args.len(),
                        if frame.args.len() == 1 { "" } else { "s" }
                    ),
                )
            })?;
        let ok = matches!(
            (kind, &v),
            (ArgKind::Num | ArgKind::Ptr, Val::Num(_))
                | (ArgKind::Str, Val::Str(_))
                | (ArgKind::Obj, Val::Obj(_))
        );
        if !ok {
            return Err(err(
                file,
                range,
                format!(
                    "argument {index} of {}() is {}",
                    frame.func,
                    self.kind_of(&v)
                ),
            ));
        }
        Ok(v)
    }

    /// Look a plain name up: a local, a variable of the instance (inside a template,
    /// where top-level variables are visible only when declared `external`), or a
    /// top-level variable.
    fn lookup(&self, name: &str) -> Option<&Var> {
        if let Some(f) = self.frames.last() {
            if let Some(v) = f.locals.get(name) {
                return Some(v);
            }
            if let Some(o) = f.this
                && let Obj::Instance { vars, template, .. } = &self.objs[o]
            {
                if let Some(v) = vars.get(name) {
                    return Some(v);
                }
                if !template.borrow().external.iter().any(|e| e == name) {
                    return None;
                }
            }
        }
        self.globals.get(name)
    }

    fn read_name(&mut self, n: &Name, file: usize) -> R<Val> {
        // `this` in a template is the object whose code runs.
        if n.text == "this"
            && let Some(o) = self.this()
            && !self.protos.contains(&o)
        {
            return Ok(Val::Obj(Some(o)));
        }
        if let Some(v) = self.lookup(&n.text) {
            return Ok(match v {
                Var::Num { data, .. } => Val::Num(data[0]),
                Var::Str(s) => Val::Str(s.clone()),
                Var::Obj { data, .. } => Val::Obj(data[0]),
                Var::Sec { data, .. } => {
                    let s = data[0];
                    if !self.secs[s].alive {
                        return Err(err(
                            file,
                            n.range,
                            format!("section {} was deleted", self.full_name(s)),
                        ));
                    }
                    Val::Sec(s)
                }
            });
        }
        if let Some(v) = self.neuron_name(&n.text, None, file, n.range)? {
            return Ok(v);
        }
        if self.funcs.contains_key(&n.text) || self.this_func(&n.text).is_some() {
            return self.call_user(&n.text, Vec::new(), file, n.range);
        }
        if let Some(v) = self.builtin(&n.text, &[], file, n.range)? {
            return Ok(v);
        }
        // hoc's parser declares a name as a variable when it parses an assignment to it
        // (anywhere in a template, or in top-level code read so far): such a name reads 0
        // before it is set. Any other unknown name is an error, as in NEURON.
        if let Some(o) = self.this() {
            if let Obj::Instance { vars, template } = &mut self.objs[o]
                && template.borrow().assigned.contains(&n.text)
            {
                vars.insert(n.text.clone(), Var::num(vec![]));
                return Ok(Val::Num(0.0));
            }
        } else if self.top_assigned.contains(&n.text) {
            self.globals.insert(n.text.clone(), Var::num(vec![]));
            return Ok(Val::Num(0.0));
        }
        Err(err(
            file,
            n.range,
            format!(
                "undefined variable `{}`{}",
                n.text,
                self.suggest_name(&n.text)
            ),
        ))
    }

    fn suggest_name(&self, name: &str) -> String {
        let mut names: Vec<&String> = self.globals.keys().chain(self.funcs.keys()).collect();
        if let Some(f) = self.frames.last() {
            names.extend(f.locals.keys());
        }
        let best = names
            .into_iter()
            .map(|k| (edit_distance(name, k), k))
            .filter(|(d, _)| *d <= name.len() / 3 + 1)
            .min();
        best.map(|(_, k)| format!(" (did you mean `{k}`?)"))
            .unwrap_or_default()
    }

    fn this_func(&self, name: &str) -> Option<Rc<FuncDef>> {
        let o = self.this()?;
        match &self.objs[o] {
            Obj::Instance { template, .. } => template.borrow().funcs.get(name).cloned(),
            _ => None,
        }
    }

    /// Section properties, range variables, ion variables and GLOBALs, read in `sec`
    /// (default: the current section) at `x` (default 0.5).
    fn neuron_name(
        &mut self,
        name: &str,
        at: Option<(SecId, Option<f64>)>,
        file: usize,
        range: TextRange,
    ) -> R<Option<Val>> {
        if let Some(c) = constant(name) {
            return Ok(Some(Val::Num(c)));
        }
        if let Some(v) = self.global_value(name) {
            return Ok(Some(Val::Num(v)));
        }
        let is_prop = matches!(name, "L" | "nseg" | "Ra" | "diam" | "cm" | "rallbranch");
        let is_range = self.range_var(name).is_some() || ion_default(name).is_some();
        if !is_prop && !is_range {
            return Ok(None);
        }
        let (sec, x) = match at {
            Some((s, x)) => (s, x),
            None => (self.cas(file, range)?, None),
        };
        let x = x.unwrap_or(0.5);
        let s = &self.secs[sec];
        let seg = s
            .sec
            .segment_index(x)
            .map_err(|e| err(file, range, e.to_string()))?;
        let v = match name {
            "L" => s.sec.length(),
            "nseg" => s.sec.nseg() as f64,
            "Ra" => s.sec.ra,
            "rallbranch" => 1.0,
            "diam" => self.seg_diam(sec)[seg],
            "cm" => s.sec.cm[seg],
            _ => {
                if let Some(vals) = s.ions.get(name) {
                    vals[seg]
                } else if let Some((mech, var)) = self.range_var(name) {
                    let m = s.mechs.iter().find(|m| m.name == mech).ok_or_else(|| {
                        err(
                            file,
                            range,
                            format!("`{mech}` is not inserted in {}", self.full_name(sec)),
                        )
                    })?;
                    match m.params.iter().find(|(p, _)| *p == var) {
                        Some((_, vals)) => vals[seg],
                        None => self
                            .catalog
                            .get(&mech)
                            .and_then(|mm| {
                                mm.others.iter().find(|(o, _)| *o == var).map(|(_, d)| *d)
                            })
                            .unwrap_or(0.0),
                    }
                } else {
                    ion_default(name).unwrap_or(0.0)
                }
            }
        };
        Ok(Some(Val::Num(v)))
    }

    /// Segment diameters as NEURON reports them (means over 3-D points when present).
    fn seg_diam(&self, sec: SecId) -> Vec<f64> {
        let s = &self.secs[sec].sec;
        if s.pt3d().len() < 2 {
            return s.diam().to_vec();
        }
        let mut m = Morphology::new();
        let mut c = s.clone();
        c.parent = None;
        m.add(c);
        m.geometry()
            .map_or_else(|_| s.diam().to_vec(), |g| g[0].diam.clone())
    }

    /// `gnabar_hh` -> (`hh`, `gnabar`) when `hh` is a density mechanism with that variable.
    fn range_var(&self, name: &str) -> Option<(String, String)> {
        let (var, mech) = name.rsplit_once('_')?;
        // Names with underscores inside the variable (`g_pas`, `ca_ion`): try each split.
        let mut splits = vec![(var.to_owned(), mech.to_owned())];
        let mut rest = name;
        while let Some(i) = rest.find('_') {
            let (v, m) = name.split_at(name.len() - rest.len() + i);
            splits.push((v.to_owned(), m[1..].to_owned()));
            rest = &rest[i + 1..];
        }
        for (v, m) in splits {
            if let Some(meta) = self.catalog.get(&m)
                && !meta.point
                && !meta.artificial
                && (meta.params.iter().any(|(p, _)| *p == v)
                    || meta.others.iter().any(|(p, _)| *p == v))
            {
                return Some((m, v));
            }
        }
        None
    }

    /// A mechanism GLOBAL (`ceiling_cad`) or a built-in global (`celsius`).
    fn global_value(&self, name: &str) -> Option<f64> {
        if let Some(v) = self.set_globals.get(name) {
            return Some(*v);
        }
        if let Some(v) = builtin_global(name) {
            return Some(v);
        }
        let (var, mech) = name.rsplit_once('_')?;
        let meta = self.catalog.get(mech)?;
        meta.globals.iter().find(|(g, _)| g == var).map(|(_, d)| *d)
    }

    fn is_global(&self, name: &str) -> bool {
        builtin_global(name).is_some()
            || name.rsplit_once('_').is_some_and(|(var, mech)| {
                self.catalog
                    .get(mech)
                    .is_some_and(|m| m.globals.iter().any(|(g, _)| g == var))
            })
    }

    fn read_index(&mut self, base: &Expr, ix: &[f64], file: usize, range: TextRange) -> R<Val> {
        match &base.kind {
            ExprKind::Name(n) => {
                let Some(v) = self.lookup(&n.text) else {
                    // `Class[i]` names an object by its class and instance number.
                    if let [i] = ix
                        && let Some(o) = (0..self.objs.len()).find(|&o| {
                            !self.protos.contains(&o)
                                && self.obj_index[o] as f64 == *i
                                && self.class_of(o) == n.text
                        })
                    {
                        return Ok(Val::Obj(Some(o)));
                    }
                    return Err(err(file, n.range, format!("`{}` is not an array", n.text)));
                };
                self.element(v, ix, &n.text, file, range)
            }
            ExprKind::Member(obj, m) => {
                let o = self.eval(obj, file)?;
                let Val::Obj(Some(o)) = o else {
                    return Err(err(file, obj.range, "expected an object"));
                };
                match &self.objs[o] {
                    Obj::Instance { vars, .. } => {
                        let v = vars.get(&m.text).ok_or_else(|| {
                            err(
                                file,
                                m.range,
                                format!("`{}` has no member `{}`", self.obj_name(o), m.text),
                            )
                        })?;
                        self.element(v, ix, &m.text, file, range)
                    }
                    Obj::Vector(x) if m.text == "x" => {
                        let i = ix.first().copied().unwrap_or(0.0);
                        x.get(i as usize)
                            .filter(|_| i >= 0.0)
                            .map(|v| Val::Num(*v))
                            .ok_or_else(|| {
                                err(
                                    file,
                                    range,
                                    format!("index {i} is outside the Vector (size {})", x.len()),
                                )
                            })
                    }
                    Obj::SectionRef(s) if m.text == "child" => {
                        let s = *s;
                        let kids = self.children(s);
                        let i = ix.first().copied().unwrap_or(0.0) as usize;
                        kids.get(i).map(|c| Val::Sec(*c)).ok_or_else(|| {
                            err(
                                file,
                                range,
                                format!("{} has no child {i}", self.full_name(s)),
                            )
                        })
                    }
                    _ => Err(err(file, m.range, format!("`{}` is not an array", m.text))),
                }
            }
            _ => Err(err(file, base.range, "this cannot be indexed")),
        }
    }

    fn element(&self, v: &Var, ix: &[f64], name: &str, file: usize, range: TextRange) -> R<Val> {
        let oob = || err(file, range, format!("index {ix:?} is outside `{name}`"));
        Ok(match v {
            Var::Num { dims, data } => Val::Num(data[flat(dims, ix).ok_or_else(oob)?]),
            Var::Obj { dims, data } => Val::Obj(data[flat(dims, ix).ok_or_else(oob)?]),
            Var::Sec { dims, data } => {
                let s = data[flat(dims, ix).ok_or_else(oob)?];
                if !self.secs[s].alive {
                    return Err(err(
                        file,
                        range,
                        format!("section {} was deleted", self.full_name(s)),
                    ));
                }
                Val::Sec(s)
            }
            Var::Str(_) => {
                return Err(err(
                    file,
                    range,
                    format!("`{name}` is a string, not an array"),
                ));
            }
        })
    }

    /// Children of `s` in NEURON's order (its sibling list): by where they attach,
    /// measured from the end of `s` nearest its root, and the most recently connected
    /// first among children at the same place.
    fn children(&self, s: SecId) -> Vec<SecId> {
        let flipped = self.secs[s].child_x == 1.0;
        let mut kids: Vec<(f64, u64, SecId)> = (0..self.secs.len())
            .filter_map(|c| {
                let d = &self.secs[c];
                match d.parent {
                    Some((p, x)) if p == s && d.alive => {
                        Some((if flipped { 1.0 - x } else { x }, d.connected_at, c))
                    }
                    _ => None,
                }
            })
            .collect();
        kids.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        kids.into_iter().map(|(_, _, c)| c).collect()
    }

    fn read_member(&mut self, o: &Val, m: &Name, file: usize) -> R<Val> {
        match o {
            Val::Sec(s) => {
                let s = *s;
                self.neuron_name(&m.text, Some((s, None)), file, m.range)?
                    .ok_or_else(|| {
                        err(
                            file,
                            m.range,
                            format!("sections have no property `{}`", m.text),
                        )
                    })
            }
            Val::Obj(Some(id)) => {
                let id = *id;
                match &self.objs[id] {
                    Obj::Instance { vars, template, .. } => {
                        let t = template.borrow();
                        if !t.public.contains(&m.text) {
                            if t.funcs.contains_key(&m.text) {
                                drop(t);
                                return self.method(id, &m.text, &[], file, m.range);
                            }
                            return Err(err(
                                file,
                                m.range,
                                format!("`{}` is not a public member of {}", m.text, t.name),
                            ));
                        }
                        if let Some(v) = vars.get(&m.text) {
                            let v = v.clone();
                            drop(t);
                            return self.element(&v, &[], &m.text, file, m.range);
                        }
                        if t.assigned.contains(&m.text) && !t.funcs.contains_key(&m.text) {
                            return Ok(Val::Num(0.0));
                        }
                        drop(t);
                        self.method(id, &m.text, &[], file, m.range)
                    }
                    Obj::Point { params, mech, .. } => {
                        if let Some((_, v)) = params.iter().find(|(p, _)| *p == m.text) {
                            return Ok(Val::Num(*v));
                        }
                        let mech = mech.clone();
                        if let Some(d) = self.catalog.get(&mech).and_then(|mm| {
                            mm.others
                                .iter()
                                .find(|(o, _)| *o == m.text)
                                .map(|(_, d)| *d)
                        }) {
                            return Ok(Val::Num(d));
                        }
                        self.method(id, &m.text, &[], file, m.range)
                    }
                    Obj::SectionRef(s) => {
                        let s = *s;
                        match m.text.as_str() {
                            "sec" => Ok(Val::Sec(s)),
                            "parent" | "trueparent" => self.secs[s]
                                .parent
                                .map(|(p, _)| Val::Sec(p))
                                .ok_or_else(|| {
                                    err(
                                        file,
                                        m.range,
                                        format!("{} has no parent", self.full_name(s)),
                                    )
                                }),
                            "root" => Ok(Val::Sec(self.root(s))),
                            _ => self.method(id, &m.text, &[], file, m.range),
                        }
                    }
                    _ => self.method(id, &m.text, &[], file, m.range),
                }
            }
            Val::Obj(None) => Err(err(
                file,
                m.range,
                format!("`.{}` of a NULL object reference", m.text),
            )),
            _ => Err(err(
                file,
                m.range,
                format!("`.{}` of something that is not an object", m.text),
            )),
        }
    }

    fn root(&self, mut s: SecId) -> SecId {
        while let Some((p, _)) = self.secs[s].parent {
            s = p;
        }
        s
    }

    // ---------------------------------------------------------------------------
    // Assignment

    fn assign(&mut self, target: &Expr, v: Val, file: usize) -> R<()> {
        match &target.kind {
            ExprKind::Name(n) => self.assign_name(n, v, file),
            ExprKind::Index(base, idx) => {
                let mut ix = Vec::with_capacity(idx.len());
                for i in idx {
                    ix.push(self.num(i, file)?);
                }
                self.assign_index(base, &ix, v, file, target.range)
            }
            ExprKind::Member(obj, m) => {
                let o = self.eval(obj, file)?;
                self.assign_member(&o, m, v, file)
            }
            ExprKind::Call(callee, args) => {
                // `gnabar_hh(0.5) = x`, `diam(0.3) = x`, `soma.gnabar_hh(0.5) = x`
                let (sec, name) = match &callee.kind {
                    ExprKind::Name(n) => (self.cas(file, n.range)?, n),
                    ExprKind::Member(obj, n) => match self.eval(obj, file)? {
                        Val::Sec(s) => (s, n),
                        _ => return Err(err(file, obj.range, "expected a section")),
                    },
                    _ => return Err(err(file, callee.range, "cannot assign to this")),
                };
                let [xe] = args.as_slice() else {
                    return Err(err(
                        file,
                        target.range,
                        "a range variable takes one location",
                    ));
                };
                let x = self.num(xe, file)?;
                let Val::Num(val) = v else {
                    return Err(err(file, target.range, "expected a number"));
                };
                self.set_range(sec, &name.text, Some(x), val, file, name.range)
            }
            ExprKind::Arg { .. } => Err(err(file, target.range, "cannot assign to an argument")),
            _ => Err(err(file, target.range, "cannot assign to this expression")),
        }
    }

    fn assign_name(&mut self, n: &Name, v: Val, file: usize) -> R<()> {
        let name = n.text.as_str();
        // Locals, instance variables, top-level variables.
        let slot: Option<&mut Var> = {
            let frames = &mut self.frames;
            let objs = &mut self.objs;
            let mut found: Option<&mut Var> = None;
            if let Some(f) = frames.last_mut() {
                if f.locals.contains_key(name) {
                    found = f.locals.get_mut(name);
                } else if let Some(o) = f.this
                    && let Obj::Instance { vars, .. } = &mut objs[o]
                    && vars.contains_key(name)
                {
                    found = vars.get_mut(name);
                }
            }
            found
        };
        if let Some(var) = slot {
            return store(var, &[], v, name, file, n.range);
        }
        let in_template = self.this().is_some();
        let external = self.this().is_some_and(|o| match &self.objs[o] {
            Obj::Instance { template, .. } => template.borrow().external.iter().any(|e| e == name),
            _ => false,
        });
        if (!in_template || external)
            && let Some(var) = self.globals.get_mut(name)
        {
            return store(var, &[], v, name, file, n.range);
        }
        if let Val::Num(x) = v {
            if self.is_global(name) {
                self.set_globals.insert(name.to_owned(), x);
                return Ok(());
            }
            if matches!(name, "L" | "nseg" | "Ra" | "diam" | "cm" | "rallbranch")
                || self.range_var(name).is_some()
                || ion_default(name).is_some()
            {
                let sec = self.cas(file, n.range)?;
                return self.set_range(sec, name, None, x, file, n.range);
            }
        }
        // A new variable: of the instance in a template, else top level.
        let var = match v {
            Val::Num(x) => Var::Num {
                dims: vec![],
                data: vec![x],
            },
            Val::Str(s) => Var::Str(s),
            Val::Obj(o) => Var::Obj {
                dims: vec![],
                data: vec![o],
            },
            Val::Sec(_) | Val::Loc(..) => {
                return Err(err(file, n.range, "cannot assign a section to a variable"));
            }
        };
        self.declare(name, var);
        Ok(())
    }

    fn assign_index(
        &mut self,
        base: &Expr,
        ix: &[f64],
        v: Val,
        file: usize,
        range: TextRange,
    ) -> R<()> {
        match &base.kind {
            ExprKind::Name(n) => {
                let name = n.text.clone();
                let var = self.lookup_mut(&name).ok_or_else(|| {
                    err(file, n.range, format!("`{name}` is not an array (declare it with `double`, `objref` or `create`)"))
                })?;
                store(var, ix, v, &name, file, range)
            }
            ExprKind::Member(obj, m) => {
                let o = self.eval(obj, file)?;
                let Val::Obj(Some(o)) = o else {
                    return Err(err(file, obj.range, "expected an object"));
                };
                match &mut self.objs[o] {
                    Obj::Instance { vars, .. } => {
                        let var = vars
                            .get_mut(&m.text)
                            .ok_or_else(|| err(file, m.range, format!("no member `{}`", m.text)))?;
                        store(var, ix, v, &m.text, file, range)
                    }
                    Obj::Vector(x) if m.text == "x" => {
                        let i = ix.first().copied().unwrap_or(-1.0);
                        let Val::Num(val) = v else {
                            return Err(err(file, range, "expected a number"));
                        };
                        let len = x.len();
                        let slot = x.get_mut(i as usize).filter(|_| i >= 0.0).ok_or_else(|| {
                            err(
                                file,
                                range,
                                format!("index {i} is outside the Vector (size {len})"),
                            )
                        })?;
                        *slot = val;
                        Ok(())
                    }
                    _ => Err(err(
                        file,
                        m.range,
                        format!("`{}` cannot be assigned by index", m.text),
                    )),
                }
            }
            _ => Err(err(file, base.range, "cannot assign to this")),
        }
    }

    fn lookup_mut(&mut self, name: &str) -> Option<&mut Var> {
        let this = self.this();
        if let Some(f) = self.frames.last_mut()
            && f.locals.contains_key(name)
        {
            return f.locals.get_mut(name);
        }
        if let Some(o) = this {
            if let Obj::Instance { vars, .. } = &mut self.objs[o] {
                return vars.get_mut(name);
            }
            return None;
        }
        self.globals.get_mut(name)
    }

    fn assign_member(&mut self, o: &Val, m: &Name, v: Val, file: usize) -> R<()> {
        match o {
            Val::Sec(s) => {
                let Val::Num(x) = v else {
                    return Err(err(file, m.range, "expected a number"));
                };
                self.set_range(*s, &m.text, None, x, file, m.range)
            }
            Val::Obj(Some(id)) => match &mut self.objs[*id] {
                Obj::Instance { vars, template, .. } => {
                    if !template.borrow().public.contains(&m.text) {
                        return Err(err(
                            file,
                            m.range,
                            format!("`{}` is not a public member", m.text),
                        ));
                    }
                    let var = vars
                        .entry(m.text.clone())
                        .or_insert_with(|| Var::num(vec![]));
                    store(var, &[], v, &m.text, file, m.range)
                }
                Obj::Point { params, mech, .. } => {
                    let Val::Num(x) = v else {
                        return Err(err(file, m.range, "expected a number"));
                    };
                    match params.iter_mut().find(|(p, _)| *p == m.text) {
                        Some(p) => {
                            p.1 = x;
                            Ok(())
                        }
                        None => {
                            let mech = mech.clone();
                            let known = self
                                .catalog
                                .get(&mech)
                                .is_some_and(|mm| mm.others.iter().any(|(o, _)| *o == m.text));
                            if known {
                                Ok(())
                            } else {
                                Err(err(
                                    file,
                                    m.range,
                                    format!("`{mech}` has no parameter `{}`", m.text),
                                ))
                            }
                        }
                    }
                }
                Obj::Inert(_) => Ok(()),
                _ => Err(err(
                    file,
                    m.range,
                    format!("cannot set `{}` of this object", m.text),
                )),
            },
            _ => Err(err(file, m.range, "expected an object or a section")),
        }
    }

    /// Assign a section property or range variable, section-wide (`x` None) or in the
    /// segment containing `x`.
    fn set_range(
        &mut self,
        sec: SecId,
        name: &str,
        x: Option<f64>,
        val: f64,
        file: usize,
        range: TextRange,
    ) -> R<()> {
        let e = |m: ranvier_morph::MorphError| err(file, range, m.to_string());
        if self.is_global(name) {
            self.set_globals.insert(name.to_owned(), val);
            return Ok(());
        }
        let nseg = self.secs[sec].sec.nseg();
        let segs: Vec<usize> = match x {
            None => (0..nseg).collect(),
            Some(x) => vec![self.secs[sec].sec.segment_index(x).map_err(e)?],
        };
        match name {
            "L" => self.secs[sec].sec.set_length(val).map_err(e)?,
            "nseg" => {
                let n = val as usize;
                if !(val >= 1.0) {
                    return Err(err(
                        file,
                        range,
                        format!("nseg = {val} is invalid (must be at least 1)"),
                    ));
                }
                self.secs[sec].sec.set_nseg(n).map_err(e)?;
                // Range values of mechanisms follow the new segments like diam does.
                let s = &mut self.secs[sec];
                for m in &mut s.mechs {
                    for (_, vals) in &mut m.params {
                        *vals = remap(vals, n);
                    }
                }
                for vals in s.ions.values_mut() {
                    *vals = remap(vals, n);
                }
            }
            "Ra" => self.secs[sec].sec.set_ra(val).map_err(e)?,
            "rallbranch" => {}
            "diam" => match x {
                None => self.secs[sec].sec.set_diam(val).map_err(e)?,
                Some(x) => self.secs[sec].sec.set_diam_at(x, val).map_err(e)?,
            },
            "cm" => {
                if !(val >= 0.0) {
                    return Err(err(file, range, format!("cm = {val} is invalid")));
                }
                for j in segs {
                    self.secs[sec].sec.cm[j] = val;
                }
            }
            _ => {
                if let Some(d) = ion_default(name) {
                    let _ = d;
                    let s = &mut self.secs[sec];
                    let vals = s
                        .ions
                        .entry(name.to_owned())
                        .or_insert_with(|| vec![ion_default(name).unwrap_or(0.0); nseg]);
                    for j in segs {
                        vals[j] = val;
                    }
                    return Ok(());
                }
                let Some((mech, var)) = self.range_var(name) else {
                    return Err(err(
                        file,
                        range,
                        format!("`{name}` is not a range variable"),
                    ));
                };
                let full = self.full_name(sec);
                let s = &mut self.secs[sec];
                let Some(m) = s.mechs.iter_mut().find(|m| m.name == mech) else {
                    return Err(err(
                        file,
                        range,
                        format!(
                            "`{mech}` is not inserted in {full} (insert it before setting `{name}`)"
                        ),
                    ));
                };
                if let Some((_, vals)) = m.params.iter_mut().find(|(p, _)| *p == var) {
                    for j in segs {
                        vals[j] = val;
                    }
                }
            }
        }
        Ok(())
    }

    // ---------------------------------------------------------------------------
    // Calls

    fn eval_args(&mut self, args: &[Expr], file: usize) -> R<Vec<Val>> {
        args.iter().map(|a| self.eval(a, file)).collect()
    }

    fn call(&mut self, callee: &Expr, args: &[Expr], file: usize, range: TextRange) -> R<Val> {
        match &callee.kind {
            ExprKind::Name(n) => {
                let name = n.text.as_str();
                if self.this_func(name).is_some()
                    || (self.this().is_none() && self.funcs.contains_key(name))
                    || self.is_external_func(name)
                {
                    let vals = self.eval_args(args, file)?;
                    return self.call_user(name, vals, file, n.range);
                }
                // A section with a location: `soma(0.5)`.
                if let Some(Var::Sec { .. }) = self.lookup(name) {
                    let Val::Sec(s) = self.read_name(n, file)? else {
                        return Err(err(file, n.range, "expected a section"));
                    };
                    return self.location(s, args, file, range);
                }
                // Range variables at a location: `gnabar_hh(0.5)`, `diam(0.3)`.
                if matches!(name, "diam" | "cm")
                    || self.range_var(name).is_some()
                    || ion_default(name).is_some()
                {
                    let [xe] = args else {
                        return Err(err(file, range, format!("`{name}(x)` takes one location")));
                    };
                    let x = self.num(xe, file)?;
                    let sec = self.cas(file, range)?;
                    return self
                        .neuron_name(name, Some((sec, Some(x))), file, range)?
                        .ok_or_else(|| {
                            err(file, range, format!("`{name}` is not a range variable"))
                        });
                }
                if name == "sprint" {
                    // sprint(strdef, format, ...): the first argument receives the text.
                    let Some((target, rest)) = args.split_first() else {
                        return Err(err(file, range, "sprint() needs a strdef and a format"));
                    };
                    let vals = self.eval_args(rest, file)?;
                    let Some(Val::Str(fmt)) = vals.first() else {
                        return Err(err(file, range, "sprint() needs a format string"));
                    };
                    let text = c_format(fmt, &vals[1..], |v| self.show(v));
                    let n = text.len() as f64;
                    self.assign(target, Val::Str(text), file)?;
                    return Ok(Val::Num(n));
                }
                let vals = self.eval_args(args, file)?;
                match self.builtin(name, &vals, file, range)? {
                    Some(v) => Ok(v),
                    None => Err(err(
                        file,
                        n.range,
                        format!("undefined function `{name}`{}", self.suggest_name(name)),
                    )),
                }
            }
            ExprKind::Member(obj, m) => {
                let o = self.eval(obj, file)?;
                match o {
                    Val::Obj(Some(id)) => {
                        let vals = self.eval_args(args, file)?;
                        self.method(id, &m.text, &vals, file, m.range)
                    }
                    Val::Sec(s) => {
                        // `soma.gnabar_hh(0.5)`
                        let [xe] = args else {
                            return Err(err(file, range, "expected one location"));
                        };
                        let x = self.num(xe, file)?;
                        self.neuron_name(&m.text, Some((s, Some(x))), file, m.range)?
                            .ok_or_else(|| {
                                err(
                                    file,
                                    m.range,
                                    format!("sections have no range variable `{}`", m.text),
                                )
                            })
                    }
                    Val::Obj(None) => Err(err(
                        file,
                        m.range,
                        format!("`.{}()` of a NULL object reference", m.text),
                    )),
                    _ => Err(err(file, obj.range, "expected an object")),
                }
            }
            ExprKind::Index(..) => {
                // `dend[2](0.5)`
                match self.eval(callee, file)? {
                    Val::Sec(s) => self.location(s, args, file, range),
                    _ => Err(err(
                        file,
                        callee.range,
                        "only sections can be called with a location",
                    )),
                }
            }
            _ => Err(err(file, callee.range, "this cannot be called")),
        }
    }

    fn is_external_func(&self, name: &str) -> bool {
        self.this().is_some_and(|o| match &self.objs[o] {
            Obj::Instance { template, .. } => template.borrow().external.iter().any(|e| e == name),
            _ => false,
        }) && self.funcs.contains_key(name)
    }

    fn location(&mut self, s: SecId, args: &[Expr], file: usize, range: TextRange) -> R<Val> {
        let [xe] = args else {
            return Err(err(file, range, "a section takes one location: sec(x)"));
        };
        let x = self.num(xe, file)?;
        if !(0.0..=1.0).contains(&x) {
            return Err(err(file, xe.range, format!("location {x} is outside 0..1")));
        }
        Ok(Val::Loc(s, x))
    }

    fn call_user(&mut self, name: &str, args: Vec<Val>, file: usize, range: TextRange) -> R<Val> {
        let this = self.this();
        let (f, this, ffile) = match self.this_func(name) {
            Some(f) => {
                let tfile = match this.map(|o| &self.objs[o]) {
                    Some(Obj::Instance { template, .. }) => template.borrow().file,
                    _ => file,
                };
                (f, this, tfile)
            }
            None => match self.funcs.get(name) {
                Some((f, ffile)) => (f.clone(), None, *ffile),
                None => return Err(err(file, range, format!("undefined function `{name}`"))),
            },
        };
        self.invoke(&f, this, args, ffile, file, range)
    }

    fn invoke(
        &mut self,
        f: &Rc<FuncDef>,
        this: Option<ObjId>,
        args: Vec<Val>,
        ffile: usize,
        file: usize,
        range: TextRange,
    ) -> R<Val> {
        if self.frames.len() > 200 {
            return Err(err(
                file,
                range,
                format!("{}() recursed more than 200 calls deep", f.name.text),
            ));
        }
        self.frames.push(Frame {
            this,
            locals: HashMap::new(),
            args,
            func: f.name.text.clone(),
        });
        self.call_sites.push((f.name.text.clone(), file, range));
        let depth = self.sec_stack.len();
        let r = self.exec_block(&f.body, ffile);
        self.sec_stack.truncate(depth);
        self.frames.pop();
        self.call_sites.pop();
        match r {
            Ok(Flow::Return(v)) => Ok(v),
            Ok(_) => Ok(match f.kind {
                FuncKind::Obfunc => Val::Obj(None),
                _ => Val::Num(0.0),
            }),
            Err(mut e) => {
                e.stack.push((f.name.text.clone(), file, range));
                Err(e)
            }
        }
    }

    fn method(
        &mut self,
        id: ObjId,
        name: &str,
        args: &[Val],
        file: usize,
        range: TextRange,
    ) -> R<Val> {
        let num = |i: usize| -> R<f64> {
            match args.get(i) {
                Some(Val::Num(x)) => Ok(*x),
                _ => Err(err(
                    file,
                    range,
                    format!("{name}(): argument {} must be a number", i + 1),
                )),
            }
        };
        match &mut self.objs[id] {
            Obj::Instance { template, .. } => {
                let t = template.clone();
                let f = t.borrow().funcs.get(name).cloned();
                let is_public = t.borrow().public.iter().any(|p| p == name);
                match f {
                    Some(f) if is_public => {
                        let tfile = t.borrow().file;
                        self.invoke(&f, Some(id), args.to_vec(), tfile, file, range)
                    }
                    Some(_) => Err(err(
                        file,
                        range,
                        format!("`{name}` is not public in {}", t.borrow().name),
                    )),
                    None => Err(err(
                        file,
                        range,
                        format!("{} has no function `{name}`", t.borrow().name),
                    )),
                }
            }
            Obj::SectionList(list) => {
                let cas = current_sec(&self.secs, &self.sec_stack, self.accessed);
                match name {
                    "append" => {
                        let s =
                            cas.ok_or_else(|| err(file, range, "append(): no current section"))?;
                        if let Obj::SectionList(l) = &mut self.objs[id] {
                            l.push(s);
                        }
                        Ok(Val::Num(1.0))
                    }
                    "remove" => {
                        let s =
                            cas.ok_or_else(|| err(file, range, "remove(): no current section"))?;
                        let before = list.len();
                        list.retain(|&x| x != s);
                        Ok(Val::Num((before - list.len()) as f64))
                    }
                    "wholetree" | "subtree" | "children" => {
                        let s = cas.ok_or_else(|| {
                            err(file, range, format!("{name}(): no current section"))
                        })?;
                        let add: Vec<SecId> = match name {
                            "wholetree" => self.subtree(self.root(s)),
                            "subtree" => self.subtree(s),
                            _ => self.children(s),
                        };
                        if let Obj::SectionList(l) = &mut self.objs[id] {
                            l.extend(add);
                        }
                        Ok(Val::Num(1.0))
                    }
                    "allroots" => {
                        let roots: Vec<SecId> = (0..self.secs.len())
                            .filter(|&i| self.secs[i].alive && self.secs[i].parent.is_none())
                            .collect();
                        if let Obj::SectionList(l) = &mut self.objs[id] {
                            l.extend(roots);
                        }
                        Ok(Val::Num(1.0))
                    }
                    "unique" => {
                        let mut seen = HashSet::new();
                        let before = list.len();
                        list.retain(|s| seen.insert(*s));
                        Ok(Val::Num((before - list.len()) as f64))
                    }
                    "printnames" => {
                        let names: Vec<String> = list
                            .clone()
                            .into_iter()
                            .map(|s| self.full_name(s))
                            .collect();
                        for n in names {
                            self.output.push_str(&n);
                            self.output.push('\n');
                        }
                        Ok(Val::Num(1.0))
                    }
                    _ => Err(err(
                        file,
                        range,
                        format!("SectionList has no method `{name}`"),
                    )),
                }
            }
            Obj::SectionRef(s) => {
                let s = *s;
                match name {
                    "has_parent" | "has_trueparent" => {
                        Ok(Val::Num(f64::from(self.secs[s].parent.is_some())))
                    }
                    "nchild" => Ok(Val::Num(self.children(s).len() as f64)),
                    "is_cas" => Ok(Val::Num(f64::from(
                        current_sec(&self.secs, &self.sec_stack, self.accessed) == Some(s),
                    ))),
                    "exists" => Ok(Val::Num(f64::from(self.secs[s].alive))),
                    _ => Err(err(
                        file,
                        range,
                        format!("SectionRef has no method `{name}`"),
                    )),
                }
            }
            Obj::Vector(v) => match name {
                "size" => Ok(Val::Num(v.len() as f64)),
                "append" => {
                    for a in args {
                        if let Val::Num(x) = a {
                            v.push(*x);
                        }
                    }
                    Ok(Val::Obj(Some(id)))
                }
                "resize" => {
                    let n = num(0)?;
                    v.resize(checked_len(n, file, range, "a Vector")?, 0.0);
                    Ok(Val::Obj(Some(id)))
                }
                "fill" => {
                    let x = num(0)?;
                    v.iter_mut().for_each(|e| *e = x);
                    Ok(Val::Obj(Some(id)))
                }
                "indgen" => {
                    for (i, e) in v.iter_mut().enumerate() {
                        *e = i as f64;
                    }
                    Ok(Val::Obj(Some(id)))
                }
                "sum" => Ok(Val::Num(v.iter().sum())),
                "max" => Ok(Val::Num(
                    v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                )),
                "min" => Ok(Val::Num(v.iter().copied().fold(f64::INFINITY, f64::min))),
                "get" => {
                    let i = num(0)?;
                    v.get(i as usize)
                        .map(|x| Val::Num(*x))
                        .ok_or_else(|| err(file, range, "index outside the Vector"))
                }
                "set" => {
                    let i = num(0)? as usize;
                    let x = num(1)?;
                    match v.get_mut(i) {
                        Some(e) => {
                            *e = x;
                            Ok(Val::Obj(Some(id)))
                        }
                        None => Err(err(file, range, "index outside the Vector")),
                    }
                }
                _ => Err(err(
                    file,
                    range,
                    format!("Vector.{name}() is not supported"),
                )),
            },
            Obj::List(l) => match name {
                "append" => {
                    if let Some(Val::Obj(Some(o))) = args.first() {
                        l.push(*o);
                    }
                    Ok(Val::Num(l.len() as f64))
                }
                "count" => Ok(Val::Num(l.len() as f64)),
                "object" | "o" => {
                    let i = num(0)?;
                    l.get(i as usize)
                        .map(|o| Val::Obj(Some(*o)))
                        .ok_or_else(|| {
                            err(
                                file,
                                range,
                                format!("List index {i} is outside (count {})", l.len()),
                            )
                        })
                }
                "remove" => {
                    let i = num(0)? as usize;
                    if i < l.len() {
                        l.remove(i);
                    }
                    Ok(Val::Num(0.0))
                }
                "remove_all" => {
                    l.clear();
                    Ok(Val::Num(0.0))
                }
                "index" => {
                    let o = match args.first() {
                        Some(Val::Obj(Some(o))) => *o,
                        _ => return Ok(Val::Num(-1.0)),
                    };
                    Ok(Val::Num(
                        l.iter().position(|x| *x == o).map_or(-1.0, |p| p as f64),
                    ))
                }
                _ => Err(err(file, range, format!("List.{name}() is not supported"))),
            },
            Obj::Point { loc, .. } => match name {
                "loc" => {
                    let x = num(0)?;
                    let s = current_sec(&self.secs, &self.sec_stack, self.accessed)
                        .ok_or_else(|| err(file, range, "loc(): no current section"))?;
                    self.steps += 1;
                    if let Obj::Point { loc, placed, .. } = &mut self.objs[id] {
                        *loc = Some((s, x));
                        *placed = self.steps;
                    }
                    Ok(Val::Num(x))
                }
                "get_loc" => {
                    let (s, x) = loc.ok_or_else(|| {
                        err(file, range, "get_loc(): the point process is not placed")
                    })?;
                    self.sec_stack.push(s);
                    Ok(Val::Num(x))
                }
                "has_loc" => Ok(Val::Num(f64::from(loc.is_some()))),
                _ => Err(err(
                    file,
                    range,
                    format!("point processes have no method `{name}`"),
                )),
            },
            Obj::Inert(_) => Ok(Val::Num(0.0)),
        }
    }

    fn subtree(&self, s: SecId) -> Vec<SecId> {
        let mut out = vec![s];
        let mut i = 0;
        while i < out.len() {
            let kids = self.children(out[i]);
            out.extend(kids);
            i += 1;
        }
        out
    }

    fn new_object(&mut self, class: &Name, args: &[Expr], file: usize, range: TextRange) -> R<Val> {
        let vals = self.eval_args(args, file)?;
        let name = class.text.as_str();
        let obj = match name {
            "SectionList" => Obj::SectionList(Vec::new()),
            "SectionRef" => Obj::SectionRef(self.cas(file, range)?),
            "Vector" => {
                let n = match vals.first() {
                    Some(Val::Num(n)) => *n,
                    _ => 0.0,
                };
                let fill = match vals.get(1) {
                    Some(Val::Num(x)) => *x,
                    _ => 0.0,
                };
                Obj::Vector(vec![fill; checked_len(n, file, class.range, "a Vector")?])
            }
            "List" => Obj::List(Vec::new()),
            _ => {
                if let Some(t) = self.templates.get(name).cloned() {
                    return self.instantiate(&t, vals, file, range);
                }
                if let Some(meta) = self.catalog.get(name).cloned() {
                    if !meta.point && !meta.artificial {
                        return Err(err(
                            file,
                            class.range,
                            format!("`{name}` is a density mechanism: use `insert {name}`"),
                        ));
                    }
                    let loc = if meta.artificial {
                        None
                    } else {
                        let x = match vals.first() {
                            Some(Val::Num(x)) => *x,
                            _ => 0.5,
                        };
                        if !(0.0..=1.0).contains(&x) {
                            return Err(err(
                                file,
                                range,
                                format!("new {name}({x}): location outside 0..1"),
                            ));
                        }
                        Some((self.cas(file, range)?, x))
                    };
                    self.steps += 1;
                    Obj::Point {
                        mech: name.to_owned(),
                        loc,
                        params: meta.params.clone(),
                        placed: self.steps,
                    }
                } else if INERT_CLASSES.contains(&name) {
                    Obj::Inert(name.to_owned())
                } else {
                    let mut known: Vec<&str> = vec!["SectionList", "SectionRef", "Vector", "List"];
                    known.extend(self.templates.keys().map(String::as_str));
                    known.extend(self.catalog.mechs.keys().map(String::as_str));
                    let best = known
                        .into_iter()
                        .map(|k| (edit_distance(name, k), k))
                        .filter(|(d, _)| *d <= name.len() / 3 + 1)
                        .min()
                        .map(|(_, k)| format!(" (did you mean `{k}`?)"))
                        .unwrap_or_default();
                    return Err(err(
                        file,
                        class.range,
                        format!("unknown class `{name}`{best}"),
                    ));
                }
            }
        };
        Ok(Val::Obj(Some(self.push_obj(obj))))
    }

    /// `new Template(args)`: declare the instance's variables by running the template
    /// body, then call `init(args)` if it exists. On an error, every section the instance
    /// made is removed again.
    fn instantiate(
        &mut self,
        t: &Rc<std::cell::RefCell<Template>>,
        args: Vec<Val>,
        file: usize,
        range: TextRange,
    ) -> R<Val> {
        let id = self.push_obj(Obj::Instance {
            template: t.clone(),
            vars: HashMap::new(),
        });
        let nsecs = self.secs.len();
        let accessed = self.accessed;
        let tfile = t.borrow().file;
        let init = t.borrow().funcs.get("init").cloned();
        let protos = t.borrow().vars.clone();
        let mut vars = HashMap::with_capacity(protos.len());
        for (name, v) in protos {
            let v = match v {
                Var::Sec { dims, .. } => {
                    let data = self.new_sections(&name, &dims, Some(id));
                    Var::Sec { dims, data }
                }
                v => v,
            };
            vars.insert(name, v);
        }
        if let Obj::Instance { vars: v, .. } = &mut self.objs[id] {
            *v = vars;
        }
        let mut r = Ok(Val::Num(0.0));
        if let Some(init) = init {
            r = self.invoke(&init, Some(id), args, tfile, file, range);
        }
        match r {
            Ok(_) => Ok(Val::Obj(Some(id))),
            Err(e) => {
                // Leave nothing behind.
                for s in nsecs..self.secs.len() {
                    self.secs[s].alive = false;
                }
                self.secs.truncate(nsecs);
                self.accessed = accessed.filter(|&s| s < nsecs);
                let class = t.borrow().name.clone();
                if let Some(n) = self.class_count.get_mut(&class) {
                    *n -= 1;
                }
                Err(e)
            }
        }
    }

    // ---------------------------------------------------------------------------
    // Built-in functions

    fn builtin(&mut self, name: &str, a: &[Val], file: usize, range: TextRange) -> R<Option<Val>> {
        let num = |i: usize| -> R<f64> {
            match a.get(i) {
                Some(Val::Num(x)) => Ok(*x),
                Some(_) => Err(err(
                    file,
                    range,
                    format!("{name}(): argument {} must be a number", i + 1),
                )),
                None => Err(err(
                    file,
                    range,
                    format!(
                        "{name}() needs at least {} argument{}",
                        i + 1,
                        if i == 0 { "" } else { "s" }
                    ),
                )),
            }
        };
        let n1 = |f: fn(f64) -> f64| -> R<Option<Val>> { Ok(Some(Val::Num(f(num(0)?)))) };
        match name {
            "sin" => return n1(f64::sin),
            "cos" => return n1(f64::cos),
            "tan" => return n1(f64::tan),
            "atan" => return n1(f64::atan),
            "exp" => return n1(f64::exp),
            "log" => return n1(f64::ln),
            "log10" => return n1(f64::log10),
            "sqrt" => return n1(f64::sqrt),
            "abs" | "fabs" => return n1(f64::abs),
            "int" => return n1(f64::trunc),
            "floor" => return n1(f64::floor),
            "ceil" => return n1(f64::ceil),
            "atan2" => return Ok(Some(Val::Num(num(0)?.atan2(num(1)?)))),
            "pow" => return Ok(Some(Val::Num(num(0)?.powf(num(1)?)))),
            "erf" => return n1(erf),
            "erfc" => return n1(|x| 1.0 - erf(x)),
            _ => {}
        }
        let v = match name {
            "pt3dclear" => {
                let s = self.cas(file, range)?;
                self.secs[s].sec.pt3d_clear();
                Val::Num(0.0)
            }
            "pt3dadd" => {
                let (x, y, z, d) = (num(0)?, num(1)?, num(2)?, num(3)?);
                let s = self.cas(file, range)?;
                self.secs[s]
                    .sec
                    .pt3d_add(x, y, z, d)
                    .map_err(|e| err(file, range, e.to_string()))?;
                Val::Num(0.0)
            }
            "n3d" => {
                let s = self.cas(file, range)?;
                Val::Num(self.secs[s].sec.pt3d().len() as f64)
            }
            "x3d" | "y3d" | "z3d" | "diam3d" | "arc3d" => {
                let i = num(0)?;
                let s = self.cas(file, range)?;
                let p = self.secs[s]
                    .sec
                    .pt3d()
                    .get(i as usize)
                    .copied()
                    .filter(|_| i >= 0.0)
                    .ok_or_else(|| {
                        err(
                            file,
                            range,
                            format!("{name}({i}): no such 3-D point in {}", self.full_name(s)),
                        )
                    })?;
                Val::Num(match name {
                    "x3d" => p.x,
                    "y3d" => p.y,
                    "z3d" => p.z,
                    "diam3d" => p.d,
                    _ => p.arc,
                })
            }
            "define_shape" => {
                self.warn(
                    file,
                    range,
                    "define_shape() is ignored: sections without 3-D points keep none",
                );
                Val::Num(0.0)
            }
            "area" | "ri" => {
                let x = num(0)?;
                let s = self.cas(file, range)?;
                let sec = &self.secs[s].sec;
                let j = sec
                    .segment_index(x)
                    .map_err(|e| err(file, range, e.to_string()))?;
                let mut m = Morphology::new();
                let mut c = sec.clone();
                c.parent = None;
                m.add(c);
                let g = m.geometry().map_err(|e| err(file, range, e.to_string()))?;
                Val::Num(if name == "area" {
                    if x == 0.0 || x == 1.0 {
                        0.0
                    } else {
                        g[0].area[j]
                    }
                } else {
                    1.0 / g[0].rinv[j] // [MOhm]
                })
            }
            "distance" => {
                let s = self.cas(file, range)?;
                match a.len() {
                    0 => {
                        self.origin = Some((s, 0.0));
                        Val::Num(0.0)
                    }
                    1 => Val::Num(self.distance(s, num(0)?, file, range)?),
                    _ => {
                        let (mode, x) = (num(0)?, num(1)?);
                        if mode == 0.0 {
                            self.origin = Some((s, x));
                            Val::Num(0.0)
                        } else {
                            Val::Num(self.distance(s, x, file, range)?)
                        }
                    }
                }
            }
            "delete_section" => {
                let s = self.cas(file, range)?;
                self.delete(s);
                Val::Num(0.0)
            }
            "secname" => {
                let s = self.cas(file, range)?;
                Val::Str(self.full_name(s))
            }
            "issection" => {
                let Some(Val::Str(p)) = a.first() else {
                    return Err(err(file, range, "issection() needs a name pattern"));
                };
                // The whole name must match the pattern (nothing is added to it).
                let re = self.pattern(p, p, file, range)?;
                let s = self.cas(file, range)?;
                Val::Num(f64::from(re.is_match(&self.full_name(s))))
            }
            "ismembrane" => {
                let Some(Val::Str(m)) = a.first() else {
                    return Err(err(file, range, "ismembrane() needs a mechanism name"));
                };
                let s = self.cas(file, range)?;
                let ion = m.strip_suffix("_ion");
                let has = self.secs[s].mechs.iter().any(|x| x.name == *m)
                    || ion.is_some_and(|ion| {
                        self.secs[s].mechs.iter().any(|x| {
                            self.catalog
                                .get(&x.name)
                                .is_some_and(|mm| mm.ions.iter().any(|i| i == ion))
                        })
                    });
                Val::Num(f64::from(has))
            }
            "load_file" | "xopen" | "load_proc" | "load_func" | "load_template" => {
                let Some(Val::Str(p)) = a.last() else {
                    return Err(err(file, range, format!("{name}() needs a file name")));
                };
                Val::Num(f64::from(self.load(p, name == "xopen", file, range)?))
            }
            "printf" | "fprint" => {
                let Some(Val::Str(fmt)) = a.first() else {
                    return Err(err(file, range, format!("{name}() needs a format string")));
                };
                let text = c_format(fmt, &a[1..], |v| self.show(v));
                self.output.push_str(&text);
                Val::Num(text.len() as f64)
            }
            "strcmp" => match (a.first(), a.get(1)) {
                (Some(Val::Str(x)), Some(Val::Str(y))) => Val::Num(match x.cmp(y) {
                    std::cmp::Ordering::Less => -1.0,
                    std::cmp::Ordering::Equal => 0.0,
                    std::cmp::Ordering::Greater => 1.0,
                }),
                _ => return Err(err(file, range, "strcmp() compares two strings")),
            },
            "nrnmainmenu" | "nrncontrolmenu" | "xpanel" | "xbutton" | "xvalue" | "xlabel"
            | "xmenu" | "xradiobutton" | "xcheckbox" | "xstatebutton" | "xvarlabel" | "xslider"
            | "doNotify" | "doEvents" | "topology" | "psection" | "forall_psection"
            | "graphmenu" | "newPlotV" | "newshape" | "access_" | "nrn_load_dll" | "ivoc_style" => {
                Val::Num(0.0)
            }
            "finitialize" | "fadvance" | "run" | "init" | "continuerun" | "stdinit"
            | "fcurrent" => {
                self.warn(
                    file,
                    range,
                    format!("{name}() is ignored: importing builds the cell, it does not simulate"),
                );
                Val::Num(0.0)
            }
            "quit" => return Err(err(file, range, "quit() was called")),
            "execute" | "execute1" => {
                let Some(Val::Str(code)) = a.first() else {
                    return Err(err(
                        file,
                        range,
                        format!("{name}() needs a string of hoc code"),
                    ));
                };
                // At top level, or in the context of the object given as argument 2.
                let code = code.clone();
                let dir = self.paths.first().cloned();
                let frames = std::mem::take(&mut self.frames);
                if let Some(Val::Obj(Some(o))) = a.get(1) {
                    self.frames.push(Frame {
                        this: Some(*o),
                        locals: HashMap::new(),
                        args: Vec::new(),
                        func: name.to_owned(),
                    });
                }
                let r = self.run_source("<execute>", &code, dir.as_deref());
                self.frames = frames;
                match r {
                    Ok(()) => Val::Num(1.0),
                    // execute1 reports failure by its value.
                    Err(e) if name == "execute1" => {
                        self.warn(file, range, format!("execute1(): {}", e.message));
                        Val::Num(0.0)
                    }
                    Err(e) => return Err(e),
                }
            }
            _ => return Ok(None),
        };
        Ok(Some(v))
    }

    fn warn(&mut self, file: usize, range: TextRange, msg: impl Into<String>) {
        let m = msg.into();
        self.warnings
            .push((file, Diagnostic::warning(m.clone()).with_primary(range, m)));
    }

    fn load(&mut self, name: &str, always: bool, file: usize, range: TextRange) -> R<bool> {
        let base = Path::new(name)
            .file_name()
            .and_then(|f| f.to_str())
            .unwrap_or(name);
        if STD_LIBS.contains(&base) {
            if matches!(base, "nrngui.hoc" | "stdrun.hoc" | "noload.hoc") {
                // The standard run system's top-level variables.
                for (k, v) in STDRUN_VARS {
                    self.globals.entry((*k).to_owned()).or_insert(Var::Num {
                        dims: vec![],
                        data: vec![*v],
                    });
                }
            }
            return Ok(true);
        }
        let here = self
            .files
            .get(file)
            .and_then(|f| Path::new(&f.name).parent().map(Path::to_path_buf));
        let mut candidates: Vec<PathBuf> = Vec::new();
        if Path::new(name).is_absolute() {
            candidates.push(PathBuf::from(name));
        } else {
            candidates.extend(here.iter().map(|d| d.join(name)));
            candidates.extend(self.paths.iter().map(|d| d.join(name)));
        }
        let Some(path) = candidates.into_iter().find(|p| p.is_file()) else {
            return Err(err(
                file,
                range,
                format!("cannot find `{name}` (looked next to this file and in the search path)"),
            ));
        };
        let key = path.canonicalize().unwrap_or_else(|_| path.clone());
        if !always && self.loaded.contains(&key) {
            return Ok(true);
        }
        self.loaded.insert(key);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| err(file, range, format!("cannot read {}: {e}", path.display())))?;
        let frames = std::mem::take(&mut self.frames);
        let r = self.run_source(&path.display().to_string(), &text, path.parent());
        self.frames = frames;
        r.map_err(|mut e| {
            e.stack
                .push((format!("load_file(\"{name}\")"), file, range));
            e
        })?;
        Ok(true)
    }

    /// Path distance `[um]` from the `distance()` origin to `x` of `s` (node centres).
    fn distance(&self, s: SecId, x: f64, file: usize, range: TextRange) -> R<f64> {
        let Some((os, ox)) = self.origin else {
            return Err(err(
                file,
                range,
                "distance(): no origin set (call distance() first)",
            ));
        };
        let chain = |mut sec: SecId, mut x: f64| {
            let mut out: Vec<(SecId, f64, f64)> = Vec::new(); // (section, x, distance so far)
            let mut acc = 0.0;
            loop {
                let d = &self.secs[sec];
                let xc = node_x(d.sec.nseg(), x);
                out.push((sec, xc, acc));
                let Some((p, px)) = d.parent else {
                    break;
                };
                acc += (xc - d.child_x).abs() * d.sec.length();
                sec = p;
                x = px;
            }
            out
        };
        let a = chain(os, ox);
        let b = chain(s, x);
        for (sa, xa, da) in &a {
            if let Some((_, xb, db)) = b.iter().find(|(sb, _, _)| sb == sa) {
                return Ok(da + db + (xa - xb).abs() * self.secs[*sa].sec.length());
            }
        }
        Err(err(
            file,
            range,
            "distance(): the section is not in the origin's tree",
        ))
    }

    // ---------------------------------------------------------------------------
    // Results

    /// Evaluate a statement or expression given as text (e.g. `new pyr3(1)`), as the
    /// caller of an import does; returns the value.
    pub fn eval_source(&mut self, text: &str) -> R<()> {
        self.run_source("<import>", text, None)
    }

    /// Instantiate template `name` with `args` (numbers or strings).
    pub fn new_instance(&mut self, name: &str, args: Vec<ArgValue>) -> R<Option<usize>> {
        let Some(t) = self.templates.get(name).cloned() else {
            let mut known: Vec<&String> = self.templates.keys().collect();
            known.sort();
            return Err(err(
                usize::MAX,
                TextRange::default(),
                format!(
                    "no template named `{name}`{}",
                    if known.is_empty() {
                        " (the file defines none)".to_string()
                    } else {
                        format!(
                            " (the file defines {})",
                            known
                                .iter()
                                .map(|k| format!("`{k}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                ),
            ));
        };
        let vals = args
            .into_iter()
            .map(|a| match a {
                ArgValue::Num(x) => Val::Num(x),
                ArgValue::Str(s) => Val::Str(s),
            })
            .collect();
        let file = t.borrow().file;
        match self.instantiate(&t, vals, file, TextRange::default())? {
            Val::Obj(Some(o)) => Ok(Some(o)),
            _ => Ok(None),
        }
    }

    /// The cell made by instance `owner` (its own sections only), or, with `None`, by
    /// the top-level code.
    #[must_use]
    pub fn cell(&self, owner: Option<usize>) -> Cell {
        let ids: Vec<SecId> = (0..self.secs.len())
            .filter(|&i| self.secs[i].alive && self.secs[i].owner == owner)
            .collect();
        let pos: HashMap<SecId, usize> = ids.iter().enumerate().map(|(k, &i)| (i, k)).collect();
        let sections = ids
            .iter()
            .map(|&i| {
                let d = &self.secs[i];
                CellSection {
                    name: d.name.clone(),
                    array: d.array.clone(),
                    nseg: d.sec.nseg(),
                    l: d.sec.length(),
                    diam: self.seg_diam(i),
                    cm: d.sec.cm.clone(),
                    ra: d.sec.ra,
                    pt3d: d.sec.pt3d().iter().map(|p| [p.x, p.y, p.z, p.d]).collect(),
                    parent: d.parent.and_then(|(p, x)| pos.get(&p).map(|k| (*k, x))),
                    child_x: d.child_x,
                    mechs: d.mechs.clone(),
                    ions: d.ions.clone(),
                }
            })
            .collect();
        let mut point_processes = Vec::new();
        let vars_of_owner: Vec<(String, Vec<Option<ObjId>>, bool)> = match owner
            .map(|o| &self.objs[o])
        {
            Some(Obj::Instance { vars, .. }) => vars
                .iter()
                .filter_map(|(k, v)| match v {
                    Var::Obj { dims, data } => Some((k.clone(), data.clone(), !dims.is_empty())),
                    _ => None,
                })
                .collect(),
            _ => self
                .globals
                .iter()
                .filter_map(|(k, v)| match v {
                    Var::Obj { dims, data } => Some((k.clone(), data.clone(), !dims.is_empty())),
                    _ => None,
                })
                .collect(),
        };
        let var_name = |o: ObjId| -> Option<String> {
            let mut best: Option<String> = None;
            for (k, data, array) in &vars_of_owner {
                if let Some(i) = data.iter().position(|x| *x == Some(o)) {
                    let n = if *array {
                        format!("{k}[{i}]")
                    } else {
                        k.clone()
                    };
                    if best.as_ref().is_none_or(|b| n < *b) {
                        best = Some(n);
                    }
                }
            }
            best
        };
        let mut placed = Vec::new();
        for (o, obj) in self.objs.iter().enumerate() {
            if let Obj::Point {
                mech,
                loc: Some((s, x)),
                params,
                placed: when,
            } = obj
                && let Some(&k) = pos.get(s)
            {
                placed.push(*when);
                point_processes.push(CellPointProcess {
                    mech: mech.clone(),
                    sec: k,
                    x: *x,
                    params: params.clone(),
                    var: var_name(o),
                });
            }
        }
        // Most recently placed first, as NEURON lists the point processes of a segment.
        let mut order: Vec<usize> = (0..point_processes.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(placed[i]));
        let point_processes = order
            .into_iter()
            .map(|i| point_processes[i].clone())
            .collect();
        let mut section_lists = Vec::new();
        let mut names: Vec<&(String, Vec<Option<ObjId>>, bool)> = vars_of_owner.iter().collect();
        names.sort_by(|a, b| a.0.cmp(&b.0));
        for (k, data, array) in names {
            for (i, o) in data.iter().enumerate() {
                if let Some(o) = o
                    && let Obj::SectionList(l) = &self.objs[*o]
                {
                    let n = if *array {
                        format!("{k}[{i}]")
                    } else {
                        k.clone()
                    };
                    let secs: Vec<usize> = l.iter().filter_map(|s| pos.get(s).copied()).collect();
                    section_lists.push((*o, n, secs));
                }
            }
        }
        // In creation order, as NEURON lists them (`List("SectionList")`); a list held
        // by several variables appears once, under its first name.
        section_lists.sort_by_key(|(o, _, _)| *o);
        section_lists.dedup_by_key(|(o, _, _)| *o);
        let section_lists = section_lists.into_iter().map(|(_, n, s)| (n, s)).collect();
        let mut globals = self.set_globals.clone();
        // `v_init` is a top-level variable (of stdrun.hoc, or of the code); NetPyNE
        // reads it with the globals.
        if let Some(Var::Num { dims, data }) = self.globals.get("v_init")
            && dims.is_empty()
        {
            globals.insert("v_init".into(), data[0]);
        }
        Cell {
            sections,
            point_processes,
            section_lists,
            globals,
        }
    }

    /// Public names of the template `owner` is an instance of.
    #[must_use]
    pub fn public_names(&self, owner: usize) -> Vec<String> {
        match self.objs.get(owner) {
            Some(Obj::Instance { template, .. }) => template.borrow().public.clone(),
            _ => Vec::new(),
        }
    }

    /// The mechanism catalog.
    #[must_use]
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Mechanism metadata by name.
    #[must_use]
    pub fn mech(&self, name: &str) -> Option<&MechMeta> {
        self.catalog.get(name)
    }
}

/// An argument passed to a template from outside.
#[derive(Clone, Debug, PartialEq)]
pub enum ArgValue {
    Num(f64),
    Str(String),
}

fn store(var: &mut Var, ix: &[f64], v: Val, name: &str, file: usize, range: TextRange) -> R<()> {
    let oob = || err(file, range, format!("index {ix:?} is outside `{name}`"));
    match (var, v) {
        (Var::Num { dims, data }, Val::Num(x)) => {
            let k = flat(dims, ix).ok_or_else(oob)?;
            data[k] = x;
        }
        (Var::Obj { dims, data }, Val::Obj(o)) => {
            let k = flat(dims, ix).ok_or_else(oob)?;
            data[k] = o;
        }
        (Var::Str(s), Val::Str(x)) => *s = x,
        (Var::Sec { .. }, _) => {
            return Err(err(
                file,
                range,
                format!("`{name}` is a section; sections cannot be assigned"),
            ));
        }
        (Var::Num { .. }, _) => return Err(err(file, range, format!("`{name}` holds numbers"))),
        (Var::Obj { .. }, _) => {
            return Err(err(
                file,
                range,
                format!("`{name}` is an object reference (assign `new ...` or another object)"),
            ));
        }
        (Var::Str(_), _) => return Err(err(file, range, format!("`{name}` is a string"))),
    }
    Ok(())
}

fn remap(old: &[f64], n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| {
            let x = (i as f64 + 0.5) / n as f64;
            let k = ((x * old.len() as f64) as usize).min(old.len().saturating_sub(1));
            old[k]
        })
        .collect()
}

/// Centre of the segment containing `x` (0 and 1 stay).
fn node_x(nseg: usize, x: f64) -> f64 {
    if x <= 0.0 || x >= 1.0 {
        return x.clamp(0.0, 1.0);
    }
    let i = ((x * nseg as f64) as usize).min(nseg - 1);
    (i as f64 + 0.5) / nseg as f64
}

fn unreachable_zero() -> f64 {
    0.0
}

/// hoc's `%g`-style number printing (6 significant digits).
pub(crate) fn fmt_g(x: f64) -> String {
    c_format("%g", &[Val::Num(x)], |_| String::new())
}

/// A subset of C's printf: `%d %i %g %f %e %s %c %%` with flags, width and precision.
fn c_format(fmt: &str, args: &[Val], show: impl Fn(&Val) -> String) -> String {
    let mut out = String::new();
    let mut it = fmt.chars().peekable();
    let mut k = 0;
    while let Some(c) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = String::new();
        while let Some(&n) = it.peek() {
            if n.is_ascii_digit() || matches!(n, '-' | '+' | ' ' | '.' | '#' | '0' | 'l') {
                spec.push(n);
                it.next();
            } else {
                break;
            }
        }
        let Some(conv) = it.next() else { break };
        if conv == '%' {
            out.push('%');
            continue;
        }
        let arg = args.get(k);
        k += 1;
        let left = spec.contains('-');
        let spec_n: String = spec
            .chars()
            .filter(|c| *c != '-' && *c != 'l' && *c != '+' && *c != ' ' && *c != '#')
            .collect();
        let (w, p) = match spec_n.split_once('.') {
            Some((w, p)) => (w.parse::<usize>().ok(), p.parse::<usize>().ok().or(Some(0))),
            None => (spec_n.parse::<usize>().ok(), None),
        };
        let num = match arg {
            Some(Val::Num(x)) => *x,
            _ => 0.0,
        };
        let s = match conv {
            'd' | 'i' => format!("{}", num.trunc() as i64),
            'f' => format!("{:.*}", p.unwrap_or(6), num),
            'e' => c_exp(num, p.unwrap_or(6)),
            'g' => c_g(num, p.unwrap_or(6)),
            's' => arg.map(&show).unwrap_or_default(),
            'c' => char::from_u32(num as u32)
                .map(String::from)
                .unwrap_or_default(),
            _ => String::new(),
        };
        let pad = w.unwrap_or(0).saturating_sub(s.chars().count());
        if left {
            out.push_str(&s);
            out.push_str(&" ".repeat(pad));
        } else {
            out.push_str(&" ".repeat(pad));
            out.push_str(&s);
        }
    }
    out
}

fn c_exp(x: f64, p: usize) -> String {
    let s = format!("{x:.p$e}");
    // Rust writes `1.5e3`; C writes `1.5e+03`.
    match s.split_once('e') {
        Some((m, e)) => {
            let (sign, digits) = match e.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', e),
            };
            format!("{m}e{sign}{digits:0>2}")
        }
        None => s,
    }
}

fn c_g(x: f64, p: usize) -> String {
    if x == 0.0 {
        return "0".into();
    }
    if !x.is_finite() {
        return if x.is_nan() {
            "nan".into()
        } else if x > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    let p = p.max(1);
    let e = x.abs().log10().floor() as i32;
    let trim = |s: String| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    if e < -4 || e >= p as i32 {
        let s = c_exp(x, p - 1);
        match s.split_once('e') {
            Some((m, ex)) => format!("{}e{ex}", trim(m.to_string())),
            None => s,
        }
    } else {
        let decimals = (p as i32 - 1 - e).max(0) as usize;
        trim(format!("{x:.decimals$}"))
    }
}

/// A section name pattern as NEURON matches it (`forsec`, `ifsec`, `issection`):
/// NEURON rewrites the pattern so that `[` and `]` stand for themselves (section arrays)
/// and `<...>` is a character class, then matches the *whole* section name with a
/// `std::regex` (ECMAScript syntax). This is a small backtracking engine for that
/// syntax: literals, `.`, classes (`\d`, `\w`, `\s` too), groups, `|`, `^`, `$` and the
/// quantifiers `* + ? {n} {n,} {n,m}` (greedy or lazy: only whether the whole name
/// matches counts, which does not depend on it).
#[derive(Clone, Debug)]
struct SecPattern {
    alts: Vec<Vec<Piece>>,
}

#[derive(Clone, Debug)]
struct Piece {
    atom: Atom,
    min: usize,
    max: usize,
}

#[derive(Clone, Debug)]
enum Atom {
    Char(char),
    Any,
    Class(bool, Vec<ClassItem>),
    Group(Vec<Vec<Piece>>),
    Start,
    End,
}

#[derive(Clone, Debug)]
enum ClassItem {
    Range(char, char),
    /// `\d` / `\w` / `\s` (or their negations when the flag is set).
    Digit(bool),
    Word(bool),
    Space(bool),
}

impl ClassItem {
    fn matches(&self, c: char) -> bool {
        match *self {
            ClassItem::Range(a, b) => (a..=b).contains(&c),
            ClassItem::Digit(neg) => c.is_ascii_digit() != neg,
            ClassItem::Word(neg) => (c.is_ascii_alphanumeric() || c == '_') != neg,
            ClassItem::Space(neg) => c.is_whitespace() != neg,
        }
    }
}

impl SecPattern {
    /// Compile hoc pattern text (before NEURON's bracket rewriting). The error says
    /// what is wrong with the expression.
    fn new(hoc: &str) -> Result<SecPattern, String> {
        // NEURON's escape_bracket: `<` `>` open and close classes, `[` `]` are literal.
        let mut re = Vec::with_capacity(hoc.len() + 8);
        for c in hoc.chars() {
            match c {
                '<' => re.push('['),
                '>' => re.push(']'),
                '[' | ']' => {
                    re.push('\\');
                    re.push(c);
                }
                _ => re.push(c),
            }
        }
        let mut p = RegexParser { s: &re, i: 0 };
        let alts = p.alternatives()?;
        if p.i < re.len() {
            return Err(format!("unmatched `{}`", re[p.i]));
        }
        Ok(SecPattern { alts })
    }

    /// Whether the pattern matches all of `name`.
    fn is_match(&self, name: &str) -> bool {
        let s: Vec<char> = name.chars().collect();
        let n = s.len();
        match_alts(&self.alts, &s, 0, &mut |j| j == n)
    }
}

struct RegexParser<'a> {
    s: &'a [char],
    i: usize,
}

impl RegexParser<'_> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }

    fn alternatives(&mut self) -> Result<Vec<Vec<Piece>>, String> {
        let mut alts = vec![self.sequence()?];
        while self.peek() == Some('|') {
            self.i += 1;
            alts.push(self.sequence()?);
        }
        Ok(alts)
    }

    fn sequence(&mut self) -> Result<Vec<Piece>, String> {
        let mut seq = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            let quantifier = match self.peek() {
                Some('*') => Some((0, usize::MAX)),
                Some('+') => Some((1, usize::MAX)),
                Some('?') => Some((0, 1)),
                _ => None,
            };
            let (min, max) = match quantifier {
                Some(q) => {
                    self.i += 1;
                    q
                }
                // `{` that does not start a valid quantifier is a literal.
                None if self.peek() == Some('{') => self.braces().unwrap_or((1, 1)),
                None => (1, 1),
            };
            if (min, max) != (1, 1) {
                if matches!(atom, Atom::Start | Atom::End) {
                    return Err("nothing to repeat".into());
                }
                if min > max {
                    return Err("numbers out of order in a {} quantifier".into());
                }
                // A lazy quantifier (`*?`) finds the same whole-name matches.
                if self.peek() == Some('?') {
                    self.i += 1;
                }
            }
            seq.push(Piece { atom, min, max });
        }
        Ok(seq)
    }

    /// `{n}`, `{n,}`, `{n,m}` at the cursor (consumed), or None (then `{` is a literal).
    fn braces(&mut self) -> Option<(usize, usize)> {
        let rest: String = self.s[self.i..].iter().collect();
        let close = rest.find('}')?;
        let body = &rest[1..close];
        let (a, b) = match body.split_once(',') {
            Some((a, b)) => (a, Some(b)),
            None => (body, None),
        };
        let min: usize = a.parse().ok()?;
        let max = match b {
            None => min,
            Some("") => usize::MAX,
            Some(b) => b.parse().ok()?,
        };
        self.i += rest[..=close].chars().count();
        Some((min, max))
    }

    fn atom(&mut self) -> Result<Atom, String> {
        let c = self.peek().ok_or("unexpected end")?;
        self.i += 1;
        Ok(match c {
            '.' => Atom::Any,
            '^' => Atom::Start,
            '$' => Atom::End,
            '(' => {
                if self.s[self.i..].starts_with(&['?', ':']) {
                    self.i += 2;
                }
                let alts = self.alternatives()?;
                if self.peek() != Some(')') {
                    return Err("unmatched `(`".into());
                }
                self.i += 1;
                Atom::Group(alts)
            }
            '[' => self.class()?,
            '*' | '+' | '?' => return Err("nothing to repeat".into()),
            '\\' => match self.escape()? {
                Ok(ch) => Atom::Char(ch),
                Err(item) => Atom::Class(false, vec![item]),
            },
            c => Atom::Char(c),
        })
    }

    /// The character after a backslash: a literal, or a class shorthand.
    fn escape(&mut self) -> Result<Result<char, ClassItem>, String> {
        let c = self.peek().ok_or("trailing backslash")?;
        self.i += 1;
        Ok(match c {
            'd' => Err(ClassItem::Digit(false)),
            'D' => Err(ClassItem::Digit(true)),
            'w' => Err(ClassItem::Word(false)),
            'W' => Err(ClassItem::Word(true)),
            's' => Err(ClassItem::Space(false)),
            'S' => Err(ClassItem::Space(true)),
            'n' => Ok('\n'),
            't' => Ok('\t'),
            c => Ok(c),
        })
    }

    fn class(&mut self) -> Result<Atom, String> {
        let neg = self.peek() == Some('^');
        if neg {
            self.i += 1;
        }
        let mut items = Vec::new();
        loop {
            let c = self
                .peek()
                .ok_or("unterminated character class (`<` without `>`)")?;
            self.i += 1;
            if c == ']' {
                break;
            }
            let lo = if c == '\\' {
                match self.escape()? {
                    Ok(ch) => ch,
                    Err(item) => {
                        items.push(item);
                        continue;
                    }
                }
            } else {
                c
            };
            if self.peek() == Some('-') && self.s.get(self.i + 1).is_some_and(|&n| n != ']') {
                self.i += 1;
                let mut hi = self.peek().ok_or("unterminated character class")?;
                self.i += 1;
                if hi == '\\' {
                    hi = self
                        .escape()?
                        .map_err(|_| "bad range in a character class")?;
                }
                if hi < lo {
                    return Err("bad range in a character class".into());
                }
                items.push(ClassItem::Range(lo, hi));
            } else {
                items.push(ClassItem::Range(lo, lo));
            }
        }
        Ok(Atom::Class(neg, items))
    }
}

fn match_alts(alts: &[Vec<Piece>], s: &[char], i: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    alts.iter().any(|seq| match_seq(seq, s, i, k))
}

fn match_seq(seq: &[Piece], s: &[char], i: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    match seq.split_first() {
        None => k(i),
        Some((p, rest)) => match_piece(p, 0, s, i, &mut |j| match_seq(rest, s, j, k)),
    }
}

fn match_piece(
    p: &Piece,
    count: usize,
    s: &[char],
    i: usize,
    k: &mut dyn FnMut(usize) -> bool,
) -> bool {
    let more = |k: &mut dyn FnMut(usize) -> bool| {
        count < p.max
            && match_atom(&p.atom, s, i, &mut |j| {
                // An empty iteration cannot make progress: the rest must match here.
                if j == i {
                    k(j)
                } else {
                    match_piece(p, count + 1, s, j, k)
                }
            })
    };
    // Only whether the whole name matches counts, so lazy quantifiers can be greedy.
    more(k) || (count >= p.min && k(i))
}

fn match_atom(a: &Atom, s: &[char], i: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    match a {
        Atom::Char(c) => s.get(i) == Some(c) && k(i + 1),
        Atom::Any => s.get(i).is_some_and(|&c| c != '\n') && k(i + 1),
        Atom::Class(neg, items) => {
            s.get(i)
                .is_some_and(|&c| items.iter().any(|it| it.matches(c)) != *neg)
                && k(i + 1)
        }
        Atom::Group(alts) => match_alts(alts, s, i, k),
        Atom::Start => i == 0 && k(i),
        Atom::End => i == s.len() && k(i),
    }
}

fn erf(x: f64) -> f64 {
    // Abramowitz-Stegun 7.1.26 is too coarse; use a series / continued fraction.
    let t = 1.0 / (1.0 + 0.5 * x.abs());
    let y = 1.0
        - t * (-x * x - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 { y } else { -y }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printf_formats_like_c() {
        let f = |fmt: &str, a: &[Val]| c_format(fmt, a, |v| format!("{v:?}"));
        assert_eq!(
            f(
                "%g|%g|%g|%g",
                &[
                    Val::Num(0.1),
                    Val::Num(100000.0),
                    Val::Num(1e6),
                    Val::Num(1.5e-5)
                ]
            ),
            "0.1|100000|1e+06|1.5e-05"
        );
        assert_eq!(
            f(
                "%5.2f|%-4d|%e",
                &[Val::Num(2.5), Val::Num(7.9), Val::Num(12345.0)]
            ),
            " 2.50|7   |1.234500e+04"
        );
        assert_eq!(f("100%%", &[]), "100%");
    }

    #[test]
    fn section_patterns() {
        let m = |p: &str, name: &str| SecPattern::new(p).unwrap().is_match(name);
        // `[` `]` are literal, `<...>` is a class; the whole name must match.
        assert!(m(".*dend.*", "pyr3[0].dend[2]"));
        assert!(!m("dend", "pyr3[0].dend[2]"));
        assert!(m("comp[1<0-9>]", "comp[12]"));
        assert!(!m("comp[1<0-9>]", "comp[1]"));
        assert!(m(".*d[1].*", "d[1]"));
        assert!(!m("^axon.*", "dend"));
        assert!(m(".*", "soma"));
        assert!(m("(dend|apic)[<0-9>+]", "apic[17]"));
        assert!(m("a{2,3}b?x", "aaax"));
        assert!(m("a{2,3}b?x", "aabx"));
        assert!(!m("a{2,3}b?x", "ax"));
        assert!(!m("a{2,3}b?x", "aaaax"));
        assert!(m("a{,b", "a{,b"));
        assert!(m("x{2}", "xx"));
        assert!(m("d.*?x", "dendx"));
        assert!(m("\\w+\\.\\d", "ab.3"));
        // hoc's "d\\[1" is `d\[1`: an escaped backslash, then an unclosed class.
        assert!(SecPattern::new("d\\[1").is_err());
        assert!(SecPattern::new("<ab").is_err());
    }
}
