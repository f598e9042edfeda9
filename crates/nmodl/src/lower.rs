//! Semantics: lowering a parsed NMODL module to an [`IrMechanism`].
//!
//! Supported so far (the subset most channel and synapse files use): `SUFFIX`,
//! `POINT_PROCESS`, `ARTIFICIAL_CELL`; `USEION` (reversal potentials and concentrations
//! read by copy-in/copy-out as NEURON does, currents accumulated); `RANGE`, `GLOBAL`,
//! `NONSPECIFIC_CURRENT`, `ELECTRODE_CURRENT`; `PARAMETER`, `ASSIGNED`, `STATE`,
//! `CONSTANT` and `UNITS` constants; `INITIAL`; `BREAKPOINT` with `SOLVE ... METHOD
//! cnexp` of a `DERIVATIVE` block (NEURON's exact update for equations linear in their
//! state); `PROCEDURE`/`FUNCTION` (inlined); `LOCAL`; `if`/`else`; `NET_RECEIVE` with
//! arguments, `flag`, `net_send`, `net_event` and an `INITIAL` sub-block.
//!
//! Everything else is reported as an error at its span, so nothing is silently dropped.
//! `TABLE` statements are honoured by computing the tabulated values exactly (a warning
//! says so) until table interpolation lands.

use std::collections::HashMap;

use ranvier_kernel::ir::KernelBuilder;
use ranvier_kernel::{
    BinOp as KBin, IrMechanism, Kernel, Kernels, Op, Reg, TableBound, UnOp as KUn,
};
use ranvier_mech::{
    CurrentKind, FieldKind, FieldSpec, GlobalSpec, IonDep, IonVar, MechInfo, MechKind as KKind,
};
use ranvier_span::{Diagnostic, TextRange};

use crate::ast::*;

mod kinetic;
mod unitcheck;

use kinetic::KinEnv;

/// NMODL's built-in functions (nocmodl's `extdef` lists, NEURON 9): no variable,
/// FUNCTION or PROCEDURE may take these names.
const NMODL_BUILTIN_FUNCTIONS: &[&str] = &[
    "first_time",
    "error",
    "f_flux",
    "b_flux",
    "fabs",
    "sqrt",
    "sin",
    "cos",
    "tan",
    "acos",
    "asin",
    "atan",
    "atan2",
    "sinh",
    "cosh",
    "tanh",
    "floor",
    "ceil",
    "fmod",
    "log10",
    "log",
    "pow",
    "printf",
    "prterr",
    "exp",
    "threshold",
    "force",
    "deflate",
    "expfit",
    "derivs",
    "spline",
    "hyperbol",
    "revhyperbol",
    "sigmoid",
    "revsigmoid",
    "harmonic",
    "squarewave",
    "sawtooth",
    "revsawtooth",
    "ramp",
    "pulse",
    "perpulse",
    "step",
    "perstep",
    "erf",
    "exprand",
    "factorial",
    "gauss",
    "normrand",
    "poisrand",
    "poisson",
    "setseed",
    "scop_random",
    "boundary",
    "romberg",
    "legendre",
    "invert",
    "stepforce",
    "schedule",
    "set_seed",
    "nrn_pointing",
    "state_discontinuity",
    "net_send",
    "net_move",
    "net_event",
    "nrn_random_play",
    "at_time",
    "nrn_ghk",
    "nrnran123_setseq",
    "nrnran123_setids3",
    "nrnran123_negexp",
    "nrnran123_ipick",
    "nrnran123_dblpick",
    "nrnran123_uniform",
    "nrnran123_normal",
    "nrnran123_deletestream",
];

/// Compile a parsed module. Returns the mechanism when there were no errors.
#[must_use]
pub fn compile(module: &Module) -> (Option<IrMechanism>, Vec<Diagnostic>) {
    let mut cx = Compiler::default();
    cx.declare(module);
    cx.warn_verbatim(module);
    cx.check_units(module);
    if cx.has_errors() {
        return (None, cx.diags);
    }
    let kernels = cx.kernels(module);
    if kernels.overflowed() {
        let range = module
            .items
            .first()
            .map_or_else(TextRange::default, |i| i.range);
        cx.diags.push(
            Diagnostic::error("this mechanism is too large to compile")
                .with_primary(range, "a kernel needs more than 65,535 registers")
                .with_note("split large blocks, or reduce inlined calls and derivimplicit states"),
        );
    }
    if cx.has_errors() {
        return (None, cx.diags);
    }
    let info = cx.info();
    (Some(IrMechanism::new(info, kernels)), cx.diags)
}

/// Where an ion variable lives while a kernel runs.
#[derive(Clone, Copy, Debug)]
enum IonSlot {
    Reg(Reg),
    Field(u16),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Sym {
    Field(u16),
    Global(u16),
    Const(f64),
    Voltage,
    Time,
    Dt,
    Celsius,
    Area,
    Diam,
}

struct IonUse {
    ion: String,
    read: Vec<IonVar>,
    write: Vec<IonVar>,
    valence: Option<f64>,
    /// Variable names (`ena`, `nai`, `nao`, `ina`) and what they are.
    names: Vec<(String, IonVar)>,
}

#[derive(Default)]
struct Compiler {
    diags: Vec<Diagnostic>,
    name: String,
    kind: Option<KKind>,
    fields: Vec<FieldSpec>,
    globals: Vec<GlobalSpec>,
    syms: HashMap<String, Sym>,
    ions: Vec<IonUse>,
    /// Names of NONSPECIFIC_CURRENT / ELECTRODE_CURRENT variables.
    currents: Vec<String>,
    electrode: bool,
    range_names: Vec<String>,
    global_names: Vec<String>,
    state_names: Vec<String>,
    callables: HashMap<String, Callable>,
    solve_blocks: HashMap<String, SolveBlock>,
    net_receive_args: Option<usize>,
    /// Depth of inlined calls.
    depth: usize,
    /// Callables being inlined, innermost last (a call to one of them is recursion,
    /// which inlining cannot express).
    calls: Vec<String>,
    /// `TABLE`s by callable name: (table index, spec).
    tables: HashMap<String, (u16, TableInfo)>,
    /// `WATCH` conditions of NET_RECEIVE, in source order.
    watches: Vec<WatchInfo>,
    /// Hidden field: set once a NET_RECEIVE call has removed the old WATCHes.
    watch_rm: u16,
    /// NET_RECEIVE uses FOR_NETCONS.
    for_netcons: bool,
    /// What `dt` reads while a kernel is emitted, when not the step: NEURON halves it in
    /// `nrn_state` under Crank-Nicolson for implicit methods, and sets it to 1e9 for a
    /// STEADYSTATE solve.
    dt_reg: Option<Reg>,
    /// ASSIGNED and PARAMETER arrays (`tau[2]`): first field and length; element `k` is
    /// the field `name[k]`.
    field_arrays: HashMap<String, (u16, u16)>,
}

/// One `WATCH (cond) flag` item: the hidden fields that keep it.
#[derive(Clone, Debug)]
struct WatchInfo {
    /// Extent of the `WATCH` statement holding it.
    stmt: TextRange,
    /// Condition value: positive when the condition holds.
    value: Expr,
    flag: Expr,
    /// 1 while armed.
    on: u16,
    /// 1 while the condition was last seen true.
    above: u16,
}

/// What a VERBATIM block does, as far as Ranvier can tell.
#[derive(Clone, Debug, PartialEq)]
enum Verbatim {
    /// Only comments, `printf`/`fprintf(stderr, …)`/`fflush` calls, `return 0;`.
    Nothing,
    /// `hoc_execerror("a", "b")`: stop the run with this message.
    Error(String),
    /// Anything else; the first statement, for messages.
    Code(String),
}

/// Classify C code by its statements (split at `;` outside string literals, comments
/// removed). The common idioms are translated: printing does nothing (Ranvier does not
/// write to the terminal from kernels) and `hoc_execerror` stops the run.
fn classify_verbatim(text: &str) -> Verbatim {
    let mut stmts = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    let mut in_str = false;
    while let Some(c) = chars.next() {
        if in_str {
            cur.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_str = true;
                cur.push(c);
            }
            '/' if chars.peek() == Some(&'/') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for n in chars.by_ref() {
                    if prev == '*' && n == '/' {
                        break;
                    }
                    prev = n;
                }
            }
            ';' | '{' | '}' => {
                stmts.push(std::mem::take(&mut cur));
            }
            _ => cur.push(c),
        }
    }
    stmts.push(cur);
    let mut error = None;
    for st in stmts {
        let st = st.split_whitespace().collect::<Vec<_>>().join(" ");
        // `return 0;` / `return;` closing a PROCEDURE or INITIAL body (an old idiom:
        // ModelDB 8284's hyperde1.mod) change nothing.
        if st.is_empty() || st == "return 0" || st == "return" {
            continue;
        }
        // `cai = _ion_cai;`: re-reading an ion variable into the mechanism's copy, which
        // every kernel has already copied in at its start (old Destexhe/Bazhenov INITIALs).
        if let Some((lhs, rhs)) = st.split_once(" = ")
            && rhs.strip_prefix("_ion_") == Some(lhs)
            && lhs.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            continue;
        }
        let call = st.split('(').next().unwrap_or("").trim();
        match call {
            "printf" | "fflush" => {}
            "fprintf" if st.contains("stderr") || st.contains("stdout") => {}
            "hoc_execerror" => {
                let parts: Vec<&str> = st.split('"').skip(1).step_by(2).collect();
                error.get_or_insert_with(|| parts.join(" ").trim().to_owned());
            }
            _ => return Verbatim::Code(st),
        }
    }
    match error {
        Some(m) => Verbatim::Error(m),
        None => Verbatim::Nothing,
    }
}

/// Call `f` on every statement of `block` and of the blocks nested in it: `if`/`else`
/// branches and `{ }` blocks, and with `deep` also `INITIAL`, loop and `FOR_NETCONS`
/// bodies.
fn visit<'a>(block: &'a Block, deep: bool, f: &mut impl FnMut(&'a Stmt)) {
    for s in &block.stmts {
        f(s);
        match &s.kind {
            StmtKind::If {
                then_block,
                else_block,
                ..
            } => {
                visit(then_block, deep, f);
                if let Some(e) = else_block {
                    visit(e, deep, f);
                }
            }
            StmtKind::Block(b) => visit(b, deep, f),
            StmtKind::Initial(b) if deep => visit(b, deep, f),
            StmtKind::While { body, .. }
            | StmtKind::FromTo { body, .. }
            | StmtKind::ForNetcons { body, .. }
                if deep =>
            {
                visit(body, deep, f)
            }
            _ => {}
        }
    }
}

/// Whether a block contains `FOR_NETCONS`.
fn has_for_netcons(block: &Block) -> bool {
    let mut found = false;
    visit(block, false, &mut |s| {
        found |= matches!(s.kind, StmtKind::ForNetcons { .. });
    });
    found
}

/// `WATCH` statements in a block.
fn collect_watches<'a>(block: &'a Block, out: &mut Vec<&'a Stmt>) {
    visit(block, false, &mut |s| {
        if matches!(s.kind, StmtKind::Watch(_)) {
            out.push(s);
        }
    });
}

#[derive(Clone, Debug)]
struct TableInfo {
    /// Fields of the tabulated variables (for a FUNCTION: its hidden value field).
    outputs: Vec<u16>,
    /// Hidden field holding the argument while the table is built.
    arg: u16,
    from: TableBound,
    to: TableBound,
    with: usize,
    is_function: bool,
    /// Global index of `usetable`.
    usetable: u16,
}

fn err(range: TextRange, msg: impl Into<String>) -> Diagnostic {
    let msg = msg.into();
    Diagnostic::error(msg.clone()).with_primary(range, msg)
}

impl Compiler {
    fn has_errors(&self) -> bool {
        self.diags.iter().any(Diagnostic::is_error)
    }

    fn error(&mut self, range: TextRange, msg: impl Into<String>) {
        self.diags.push(err(range, msg));
    }

    /// An ASSIGNED or PARAMETER array: `len` consecutive fields `name[0]`, `name[1]`, ...
    /// (per instance; a GLOBAL array is one per instance too).
    fn field_array(&mut self, name: &str, len: u32, kind: FieldKind, default: f64, units: &str) {
        let base = self.fields.len() as u16;
        for k in 0..len {
            self.fields.push(FieldSpec {
                name: format!("{name}[{k}]"),
                kind,
                default,
                units: units.into(),
            });
        }
        self.field_arrays
            .insert(name.to_owned(), (base, len as u16));
    }

    fn field(&mut self, name: &str, kind: FieldKind, default: f64, units: &str) -> u16 {
        if let Some(Sym::Field(f)) = self.syms.get(name) {
            return *f;
        }
        self.fields.push(FieldSpec {
            name: name.into(),
            kind,
            default,
            units: units.into(),
        });
        let f = (self.fields.len() - 1) as u16;
        self.syms.insert(name.into(), Sym::Field(f));
        f
    }

    /// Hidden fields for each `WATCH (a > b) flag` item; its value is `a - b`
    /// (`b - a` for `<`), as nocmodl writes it.
    fn declare_watches(&mut self, body: &Block) {
        let mut stmts = Vec::new();
        collect_watches(body, &mut stmts);
        if stmts.is_empty() {
            return;
        }
        self.watch_rm = self.field("_watch_rm", FieldKind::Assigned, 0.0, "");
        for s in stmts {
            let StmtKind::Watch(items) = &s.kind else {
                continue;
            };
            for (cond, flag) in items {
                let mut c = cond;
                while let ExprKind::Paren(inner) = &c.kind {
                    c = inner;
                }
                let value = match &c.kind {
                    ExprKind::Binary(BinOp::Gt | BinOp::Ge, a, b) => Expr {
                        kind: ExprKind::Binary(BinOp::Sub, a.clone(), b.clone()),
                        range: c.range,
                    },
                    ExprKind::Binary(BinOp::Lt | BinOp::Le, a, b) => Expr {
                        kind: ExprKind::Binary(BinOp::Sub, b.clone(), a.clone()),
                        range: c.range,
                    },
                    _ => {
                        self.error(c.range, "a WATCH condition must compare with `>` or `<`");
                        continue;
                    }
                };
                let i = self.watches.len();
                let on = self.field(&format!("_watch{i}_on"), FieldKind::Assigned, 0.0, "");
                let above = self.field(&format!("_watch{i}_above"), FieldKind::Assigned, 0.0, "");
                self.watches.push(WatchInfo {
                    stmt: s.range,
                    value,
                    flag: flag.clone(),
                    on,
                    above,
                });
            }
        }
    }

    /// A `WATCH` statement: the first one run by a NET_RECEIVE call disarms all
    /// WATCHes of the instance; each item is then armed with its current truth value
    /// (true when within -1e-11 of the threshold), like `_nrn_watch_activate`.
    fn watch_stmt(&mut self, b: &mut KernelBuilder, env: &mut Env, range: TextRange) {
        let rm = b.field(self.watch_rm);
        let zero = b.constant(0.0);
        let first = b.bin(KBin::Eq, rm, zero);
        b.begin_if(first);
        for on in self.watches.iter().map(|w| w.on) {
            b.push(Op::StoreField {
                field: on,
                src: zero,
            });
        }
        let one = b.constant(1.0);
        b.push(Op::StoreField {
            field: self.watch_rm,
            src: one,
        });
        b.end_if();
        for w in self.watches.clone().into_iter().filter(|w| w.stmt == range) {
            let one = b.constant(1.0);
            b.push(Op::StoreField {
                field: w.on,
                src: one,
            });
            let val = self.expr(b, env, &w.value);
            let eps = b.constant(-1e-11);
            let ab = b.bin(KBin::Ge, val, eps);
            b.push(Op::StoreField {
                field: w.above,
                src: ab,
            });
        }
    }

    /// The per-step check of armed WATCHes: a condition turning true sends a self
    /// event with its flag at the current time.
    fn kernel_watch(&mut self) -> Kernel {
        let mut b = KernelBuilder::new();
        let mut env = Env::default();
        let zero = b.constant(0.0);
        let one = b.constant(1.0);
        for w in self.watches.clone() {
            let on = b.field(w.on);
            let armed = b.bin(KBin::Ne, on, zero);
            b.begin_if(armed);
            let val = self.expr(&mut b, &mut env, &w.value);
            let pos = b.bin(KBin::Gt, val, zero);
            b.begin_if(pos);
            let ab = b.field(w.above);
            let was_below = b.bin(KBin::Eq, ab, zero);
            b.begin_if(was_below);
            b.push(Op::StoreField {
                field: w.above,
                src: one,
            });
            let f = self.expr(&mut b, &mut env, &w.flag);
            b.push(Op::NetSend {
                delay: zero,
                flag: f,
            });
            b.end_if();
            b.begin_else();
            b.push(Op::StoreField {
                field: w.above,
                src: zero,
            });
            b.end_if();
            b.end_if();
        }
        b.finish()
    }

    /// Warn about every statement-level VERBATIM block that is C code: the mechanism
    /// compiles, and the run stops with an error if such a block is ever reached.
    fn warn_verbatim(&mut self, module: &Module) {
        let walk = |block: &Block, out: &mut Vec<RawBlock>| {
            visit(block, true, &mut |s| {
                if let StmtKind::Verbatim(v) = &s.kind {
                    out.push(v.clone());
                }
            });
        };
        let mut blocks = Vec::new();
        for item in &module.items {
            match &item.kind {
                ItemKind::Block(b) => walk(&b.body, &mut blocks),
                ItemKind::Solvable(b) => walk(&b.body, &mut blocks),
                ItemKind::Callable(c) => walk(&c.body, &mut blocks),
                ItemKind::NetReceive { body, .. } => walk(body, &mut blocks),
                _ => {}
            }
        }
        for v in blocks {
            if let Verbatim::Code(first) = classify_verbatim(&v.text) {
                self.diags.push(
                    Diagnostic::warning("VERBATIM block is C code that Ranvier cannot run")
                        .with_primary(v.range, format!("C code: `{first}`"))
                        .with_note("the mechanism is compiled without it; the run stops with an error if this block is reached")
                        .with_note(format!("to run it, supply a Rust implementation registered under the name `{}` (as the built-in VecStim is)", self.name)),
                );
            }
        }
    }

    /// First pass: the NEURON block, declarations, callables.
    fn declare(&mut self, module: &Module) {
        for item in &module.items {
            if let ItemKind::Neuron(stmts) = &item.kind {
                for s in stmts {
                    match &s.kind {
                        NeuronStmtKind::Mechanism(k, n) => {
                            self.name = n.text.clone();
                            self.kind = Some(match k {
                                MechKind::Suffix => KKind::Density,
                                MechKind::PointProcess => KKind::Point,
                                MechKind::ArtificialCell => KKind::Artificial,
                            });
                        }
                        NeuronStmtKind::UseIon {
                            ion,
                            read,
                            write,
                            valence,
                            ..
                        } => {
                            let ion_name = ion.text.clone();
                            let classify = |n: &str| -> Option<IonVar> {
                                if n == format!("e{ion_name}") {
                                    Some(IonVar::Erev)
                                } else if n == format!("{ion_name}i") {
                                    Some(IonVar::Conci)
                                } else if n == format!("{ion_name}o") {
                                    Some(IonVar::Conco)
                                } else if n == format!("i{ion_name}") {
                                    Some(IonVar::Cur)
                                } else {
                                    None
                                }
                            };
                            let mut u = IonUse {
                                ion: ion_name.clone(),
                                read: vec![],
                                write: vec![],
                                valence: *valence,
                                names: vec![],
                            };
                            for (list, is_write) in [(read, false), (write, true)] {
                                for n in list {
                                    match classify(&n.text) {
                                        Some(var) => {
                                            if is_write { u.write.push(var) } else { u.read.push(var) }
                                            if !u.names.iter().any(|(x, _)| x == &n.text) {
                                                u.names.push((n.text.clone(), var));
                                            }
                                        }
                                        None => self.error(n.range, format!("`{}` is not a variable of ion `{ion_name}` (e{ion_name}, {ion_name}i, {ion_name}o, i{ion_name})", n.text)),
                                    }
                                }
                            }
                            self.ions.push(u);
                        }
                        NeuronStmtKind::List(kind, names) => {
                            let texts = names.iter().map(|n| n.text.clone());
                            match kind {
                                ListKind::Range => self.range_names.extend(texts),
                                ListKind::Global => self.global_names.extend(texts),
                                ListKind::NonspecificCurrent => self.currents.extend(texts),
                                ListKind::ElectrodeCurrent => {
                                    self.electrode = true;
                                    self.currents.extend(texts);
                                }
                                ListKind::External | ListKind::Section => {}
                                other => self.error(
                                    s.range,
                                    format!("`{}` is not supported yet", other.keyword()),
                                ),
                            }
                        }
                        NeuronStmtKind::ThreadSafe(_) | NeuronStmtKind::Represents(_) => {}
                    }
                }
            }
        }
        if self.kind.is_none() {
            self.error(
                TextRange::default(),
                "no NEURON block with SUFFIX, POINT_PROCESS or ARTIFICIAL_CELL",
            );
            return;
        }
        // Built-in names.
        for (n, s) in [
            ("v", Sym::Voltage),
            ("t", Sym::Time),
            ("dt", Sym::Dt),
            ("celsius", Sym::Celsius),
            ("area", Sym::Area),
            ("diam", Sym::Diam),
        ] {
            self.syms.insert(n.into(), s);
        }
        for (n, v) in [
            ("PI", std::f64::consts::PI),
            ("E", std::f64::consts::E),
            ("FARADAY", 96485.33212331001),
            ("R", 8.31446261815324),
        ] {
            self.syms.entry(n.into()).or_insert(Sym::Const(v));
        }
        self.check_declarations(module);
        // Names tabulated by a TABLE statement.
        let tabled: Vec<String> = module
            .items
            .iter()
            .filter_map(|item| match &item.kind {
                ItemKind::Callable(c) => Some(c),
                _ => None,
            })
            .flat_map(|c| &c.body.stmts)
            .filter_map(|s| match &s.kind {
                StmtKind::Table(t) => Some(t.names.iter().map(|n| n.text.clone())),
                _ => None,
            })
            .flatten()
            .collect();
        // Declarations.
        for item in &module.items {
            match &item.kind {
                ItemKind::Units(defs) => self.units(defs),
                ItemKind::Constant(decls) => {
                    for d in decls {
                        self.syms
                            .insert(d.name.text.clone(), Sym::Const(d.value.unwrap_or(0.0)));
                    }
                }
                // `DEFINE NAME 10`: a named integer constant (nocmodl substitutes it).
                ItemKind::Define(n, v) => {
                    self.syms.insert(n.text.clone(), Sym::Const(*v));
                }
                // File-scope `LOCAL`: one variable per mechanism (nocmodl makes it a
                // static, per thread with THREADSAFE), shared by all instances like a
                // GLOBAL but not visible to hoc.
                ItemKind::Local(vars) => {
                    for var in vars {
                        if var.array_len.is_some() {
                            self.error(
                                var.name.range,
                                "file-scope LOCAL arrays are not supported yet",
                            );
                            continue;
                        }
                        // Named by a TABLE (`LOCAL mexp` of the Mainen channels): the
                        // table fills it per instance right before the instance uses it,
                        // so a hidden field gives NEURON's values.
                        if tabled.contains(&var.name.text) {
                            let hidden = format!("_local_{}", var.name.text);
                            let f = self.field(&hidden, FieldKind::Assigned, 0.0, "");
                            self.syms.insert(var.name.text.clone(), Sym::Field(f));
                            continue;
                        }
                        self.globals.push(GlobalSpec {
                            name: format!("_local_{}", var.name.text),
                            default: 0.0,
                            units: String::new(),
                        });
                        self.syms.insert(
                            var.name.text.clone(),
                            Sym::Global((self.globals.len() - 1) as u16),
                        );
                    }
                }
                ItemKind::Parameter(decls) => {
                    for d in decls {
                        let n = &d.name.text;
                        if self.is_builtin_or_ion(n) {
                            continue;
                        }
                        let units = d.unit.as_ref().map_or("", |u| u.text.as_str());
                        if let Some(len) = d.array_len {
                            self.field_array(n, len, FieldKind::Param, d.value.unwrap_or(0.0), units);
                            continue;
                        }
                        if self.range_names.contains(n)
                            || self.kind == Some(KKind::Artificial)
                                && !self.global_names.contains(n)
                        {
                            self.field(n, FieldKind::Param, d.value.unwrap_or(0.0), units);
                        } else {
                            self.globals.push(GlobalSpec {
                                name: n.clone(),
                                default: d.value.unwrap_or(0.0),
                                units: units.into(),
                            });
                            self.syms
                                .insert(n.clone(), Sym::Global((self.globals.len() - 1) as u16));
                        }
                    }
                }
                ItemKind::Assigned(decls) => {
                    for d in decls {
                        let n = &d.name.text;
                        if self.is_builtin_or_ion(n) && !self.is_ion_current(n) {
                            continue;
                        }
                        let units = d.unit.as_ref().map_or("", |u| u.text.as_str());
                        if let Some(len) = d.array_len {
                            self.field_array(n, len, FieldKind::Assigned, 0.0, units);
                            continue;
                        }
                        // An ASSIGNED GLOBAL is one variable shared by all instances, as in
                        // NEURON (kv.mod's `ninf`, `tadj`); each instance reads what it
                        // stored itself, or what the previous instance left. A TABLE's
                        // outputs stay per instance (the table machinery fills fields).
                        if self.global_names.contains(n) && !tabled.contains(n) {
                            self.globals.push(GlobalSpec {
                                name: n.clone(),
                                default: 0.0,
                                units: units.into(),
                            });
                            self.syms
                                .insert(n.clone(), Sym::Global((self.globals.len() - 1) as u16));
                        } else {
                            self.field(n, FieldKind::Assigned, 0.0, units);
                        }
                    }
                }
                ItemKind::State(decls) => {
                    for d in decls {
                        if d.array_len.is_some() {
                            self.error(d.range, "array STATE variables are not supported yet");
                        }
                        self.state_names.push(d.name.text.clone());
                        self.field(
                            &d.name.text,
                            FieldKind::State,
                            0.0,
                            d.unit.as_ref().map_or("", |u| u.text.as_str()),
                        );
                    }
                }
                ItemKind::Callable(c) => {
                    self.callables.insert(c.name.text.clone(), c.clone());
                }
                ItemKind::Solvable(b) => {
                    self.solve_blocks.insert(b.name.text.clone(), b.clone());
                }
                ItemKind::NetReceive { params, body } => {
                    self.net_receive_args = Some(params.len().max(1));
                    self.declare_watches(body);
                    self.for_netcons = has_for_netcons(body);
                }
                ItemKind::Verbatim(v) if classify_verbatim(&v.text) != Verbatim::Nothing => {
                    self.diags.push(
                            Diagnostic::warning("file-scope VERBATIM (C declarations) is ignored")
                                .with_primary(v.range, "C code")
                                .with_note("only statement-level VERBATIM code can matter at run time; see the warnings on those blocks"),
                        );
                }
                ItemKind::FunctionTable { name, .. } => {
                    self.error(name.range, "FUNCTION_TABLE is not supported yet: its values come from hoc (`table_NAME(...)`), which Ranvier cannot supply yet")
                }
                _ => {}
            }
        }
        self.declare_tables();
        // Currents must be fields so they can be recorded and summed.
        for c in self.currents.clone() {
            self.field(&c, FieldKind::Assigned, 0.0, "");
        }
        for u in 0..self.ions.len() {
            for (n, var) in self.ions[u].names.clone() {
                if var == IonVar::Cur {
                    self.field(&n, FieldKind::Assigned, 0.0, "");
                }
            }
        }
    }

    /// nocmodl's declaration rules: a name is declared once across CONSTANT, PARAMETER,
    /// ASSIGNED and STATE ("Multiple declaration of ..."), is not both a variable and a
    /// FUNCTION/PROCEDURE ("... used as both variable and function"), and is not the
    /// name of one of NMODL's built-in functions ("multiple uses for same variable").
    /// LOCAL variables may shadow anything.
    fn check_declarations(&mut self, module: &Module) {
        let mut vars: HashMap<String, (TextRange, &'static str)> = HashMap::new();
        let mut funcs: HashMap<String, (TextRange, &'static str)> = HashMap::new();
        for item in &module.items {
            let (decls, block): (&[Decl], &'static str) = match &item.kind {
                ItemKind::Constant(d) => (d, "CONSTANT"),
                ItemKind::Parameter(d) => (d, "PARAMETER"),
                ItemKind::Assigned(d) => (d, "ASSIGNED"),
                ItemKind::State(d) => (d, "STATE"),
                ItemKind::Callable(c) => {
                    let kind = if c.is_function {
                        "FUNCTION"
                    } else {
                        "PROCEDURE"
                    };
                    let n = &c.name;
                    if let Some((first, k)) = funcs.get(&n.text) {
                        let d = err(n.range, format!("`{}` is defined twice", n.text))
                            .with_secondary(*first, format!("first defined here ({k})"));
                        self.diags.push(d);
                    } else {
                        funcs.insert(n.text.clone(), (n.range, kind));
                    }
                    continue;
                }
                _ => continue,
            };
            for d in decls {
                let n = &d.name;
                if let Some((first, k)) = vars.get(&n.text) {
                    let diag = err(n.range, format!("`{}` is declared twice", n.text))
                        .with_secondary(*first, format!("first declared here ({k})"))
                        .with_note("nocmodl rejects this (\"Multiple declaration\")");
                    self.diags.push(diag);
                } else {
                    vars.insert(n.text.clone(), (n.range, block));
                }
            }
        }
        let mut names: Vec<(&String, &(TextRange, &'static str))> =
            vars.iter().chain(funcs.iter()).collect();
        names.sort_by_key(|(_, (r, _))| r.start());
        for (name, (range, kind)) in names {
            if NMODL_BUILTIN_FUNCTIONS.contains(&name.as_str()) {
                let d = err(
                    *range,
                    format!(
                        "`{name}` is the name of a built-in NMODL function; rename this {kind}"
                    ),
                )
                .with_note("nocmodl rejects this (\"multiple uses for same variable\")");
                self.diags.push(d);
            } else if funcs.contains_key(name.as_str())
                && let Some((vr, vk)) = vars.get(name.as_str())
                && range == vr
            {
                let (fr, fk) = funcs[name.as_str()];
                let d = err(fr, format!("`{name}` is both a {vk} variable and a {fk}"))
                    .with_secondary(*vr, "declared as a variable here");
                self.diags.push(d);
            }
        }
    }

    /// `TABLE` statements of PROCEDUREs and FUNCTIONs (NEURON tabulates the listed
    /// variables, or the function's value, over its one argument).
    fn declare_tables(&mut self) {
        let mut names: Vec<String> = self.callables.keys().cloned().collect();
        names.sort();
        for name in names {
            let c = self.callables[&name].clone();
            let Some(t) = c.body.stmts.iter().find_map(|s| {
                if let StmtKind::Table(t) = &s.kind {
                    Some(t.clone())
                } else {
                    None
                }
            }) else {
                continue;
            };
            let range = c.name.range;
            if c.params.len() != 1 {
                self.error(
                    range,
                    format!("a TABLE in `{name}` needs exactly one argument"),
                );
                continue;
            }
            let constant = |cx: &mut Compiler, e: &Expr, what: &str| -> Option<f64> {
                match const_eval(e, &cx.syms) {
                    Some(v) => Some(v),
                    None => {
                        cx.error(e.range, format!("TABLE {what} must be a constant"));
                        None
                    }
                }
            };
            // FROM and TO may name a GLOBAL (read when the table is built).
            let bound = |cx: &mut Compiler, e: &Expr, what: &str| -> Option<TableBound> {
                if let ExprKind::Name(n) = &e.kind
                    && let Some(Sym::Global(g)) = cx.syms.get(&n.text).copied()
                {
                    return Some(TableBound::Global(g));
                }
                match const_eval(e, &cx.syms) {
                    Some(v) => Some(TableBound::Value(v)),
                    None => {
                        cx.error(
                            e.range,
                            format!("TABLE {what} must be a constant or a GLOBAL"),
                        );
                        None
                    }
                }
            };
            let (Some(from), Some(to), Some(with)) = (
                bound(self, &t.from, "FROM"),
                bound(self, &t.to, "TO"),
                constant(self, &t.with, "WITH"),
            ) else {
                continue;
            };
            let ordered = match (from, to) {
                (TableBound::Value(a), TableBound::Value(b)) => b > a,
                _ => true,
            };
            if !(with >= 1.0) || !ordered {
                self.error(t.with.range, "TABLE needs FROM < TO and WITH >= 1");
                continue;
            }
            let mut outputs = Vec::new();
            if c.is_function {
                outputs.push(self.field(&format!("_tbl_{name}"), FieldKind::Assigned, 0.0, ""));
            }
            for n in &t.names {
                // An array is tabulated element by element (the Poirazi channels'
                // `TABLE Inf, Tau` of `Inf[2]`, `Tau[2]`).
                if let Some(&(base, len)) = self.field_arrays.get(&n.text) {
                    outputs.extend(base..base + len);
                    continue;
                }
                match self.syms.get(&n.text).copied() {
                    Some(Sym::Field(f)) => outputs.push(f),
                    _ => self.error(
                        n.range,
                        format!("`{}` in TABLE is not an ASSIGNED or RANGE variable", n.text),
                    ),
                }
            }
            let arg = self.field(&format!("_tbl_arg_{name}"), FieldKind::Assigned, 0.0, "");
            let usetable = match self.globals.iter().position(|g| g.name == "usetable") {
                Some(g) => g as u16,
                None => {
                    self.globals.push(GlobalSpec {
                        name: "usetable".into(),
                        default: 1.0,
                        units: String::new(),
                    });
                    let g = (self.globals.len() - 1) as u16;
                    // The mechanism's own code may read it (`if (usetable) { ... }`).
                    self.syms.entry("usetable".into()).or_insert(Sym::Global(g));
                    g
                }
            };
            let idx = self.tables.len() as u16;
            self.tables.insert(
                name.clone(),
                (
                    idx,
                    TableInfo {
                        outputs,
                        arg,
                        from,
                        to,
                        with: with as usize,
                        is_function: c.is_function,
                        usetable,
                    },
                ),
            );
        }
    }

    fn is_ion_current(&self, n: &str) -> bool {
        self.ions
            .iter()
            .any(|u| u.names.iter().any(|(x, v)| x == n && *v == IonVar::Cur))
    }

    fn is_builtin_or_ion(&self, n: &str) -> bool {
        matches!(n, "v" | "t" | "dt" | "celsius" | "area" | "diam")
            || self
                .ions
                .iter()
                .any(|u| u.names.iter().any(|(x, _)| x == n))
    }

    fn units(&mut self, defs: &[UnitDef]) {
        let table = ranvier_units::UnitTable::common();
        for d in defs {
            if let UnitDef::Constant {
                name,
                value,
                factor,
                unit,
                range,
            } = d
            {
                let v = match (value, factor, unit) {
                    (Some(v), _, _) => *v,
                    (None, Some(f), Some(u)) => match table.factor_def(&f.text, &u.text) {
                        Ok(x) => x,
                        Err(e) => {
                            self.error(
                                *range,
                                format!("unit constant `{}`: {}", name.text, e.message),
                            );
                            continue;
                        }
                    },
                    _ => {
                        self.error(
                            *range,
                            format!("cannot evaluate unit constant `{}`", name.text),
                        );
                        continue;
                    }
                };
                self.syms.insert(name.text.clone(), Sym::Const(v));
            }
        }
    }

    fn info(&self) -> MechInfo {
        let ions = self
            .ions
            .iter()
            .map(|u| IonDep {
                ion: u.ion.clone(),
                read: u.read.clone(),
                write: u.write.clone(),
                valence: u.valence,
            })
            .collect();
        let current = if self.currents.is_empty()
            && !self.ions.iter().any(|u| u.write.contains(&IonVar::Cur))
        {
            CurrentKind::None
        } else if self.electrode {
            CurrentKind::Electrode
        } else {
            CurrentKind::Membrane
        };
        MechInfo {
            name: self.name.clone(),
            kind: self.kind.unwrap_or(KKind::Density),
            fields: self.fields.clone(),
            globals: self.globals.clone(),
            ions,
            current,
            net_receive_args: self.net_receive_args,
            coalescable: false,
            uses_random: false,
            uses_vector: false,
            for_netcons: self.for_netcons,
        }
    }

    fn kernels(&mut self, module: &Module) -> Kernels {
        let mut k = Kernels::default();
        let mut breakpoints = Vec::new();
        for item in &module.items {
            match &item.kind {
                ItemKind::Block(b) if b.kind == BlockKind::Initial => {
                    k.init = self.kernel_initial(&b.body)
                }
                ItemKind::Block(b) if b.kind == BlockKind::Breakpoint => {
                    breakpoints.push(b.body.clone())
                }
                ItemKind::NetReceive { params, body } => {
                    let (nr, init) = self.kernel_net_receive(params, body);
                    k.net_receive = nr;
                    k.net_init = init;
                    if !self.watches.is_empty() {
                        k.watch = self.kernel_watch();
                    }
                }
                _ => {}
            }
        }
        if !breakpoints.is_empty() {
            // Without currents, nocmodl runs the BREAKPOINT statements once per step in
            // nrn_state, after the SOLVEs, and there is no current computation.
            let has_currents = !self.currents.is_empty()
                || self.ions.iter().any(|u| u.write.contains(&IonVar::Cur));
            if has_currents {
                k.current = self.kernel_current(&breakpoints);
            }
            k.state = self.kernel_state(&breakpoints, !has_currents);
        }
        if k.init.is_empty() && !self.state_names.is_empty() {
            k.init = self.kernel_initial(&Block::default());
        }
        let mut tables: Vec<(u16, String, TableInfo)> = self
            .tables
            .iter()
            .map(|(n, (i, t))| (*i, n.clone(), t.clone()))
            .collect();
        tables.sort_by_key(|t| t.0);
        for (_, name, t) in tables {
            let c = self.callables[&name].clone();
            let mut b = KernelBuilder::new();
            let mut env = Env::default();
            let x = b.field(t.arg);
            env.locals.insert(c.params[0].name.text.clone(), x);
            let ret = b.constant(0.0);
            if c.is_function {
                env.locals.insert(name.clone(), ret);
            }
            self.depth += 1;
            self.calls.push(name.clone());
            self.block(&mut b, &mut env, &c.body, Ctx::Inline);
            self.calls.pop();
            self.depth -= 1;
            if c.is_function {
                b.push(Op::StoreField {
                    field: t.outputs[0],
                    src: ret,
                });
            }
            k.tables.push(ranvier_kernel::TableSpec {
                builder: b.finish(),
                arg: t.arg,
                outputs: t.outputs.clone(),
                from: t.from,
                to: t.to,
                with: t.with,
            });
        }
        k
    }

    // -------------------------------------------------------------------------------
    // Kernels

    /// Copy ion variables into locals at kernel start; returns the write-back list.
    /// Read the ion variables the mechanism uses. A variable that is also a STATE (a
    /// pool's `cai`) lives in its field: copied in from the ion here, integrated there,
    /// written back by [`Compiler::ion_copy_out`], as NEURON's generated code does.
    /// Others are bound to registers. Returns what to write back.
    fn ion_copy_in(&mut self, b: &mut KernelBuilder, env: &mut Env) -> Vec<(u8, IonVar, IonSlot)> {
        let mut back = Vec::new();
        for (dep, u) in self.ions.iter().enumerate() {
            for (name, var) in &u.names {
                // A current the mechanism writes is its own field; one it only reads
                // (a pool reading `ica`) is the ion's total, like any other ion variable.
                if *var == IonVar::Cur && u.write.contains(var) {
                    continue;
                }
                let r = b.emit(|dst| Op::Ion {
                    dst,
                    dep: dep as u8,
                    var: *var,
                });
                let slot = match self.syms.get(name) {
                    Some(Sym::Field(f)) if self.state_names.contains(name) => {
                        b.push(Op::StoreField { field: *f, src: r });
                        IonSlot::Field(*f)
                    }
                    _ => {
                        env.locals.insert(name.clone(), r);
                        IonSlot::Reg(r)
                    }
                };
                if u.write.contains(var) {
                    back.push((dep as u8, *var, slot));
                }
            }
        }
        back
    }

    fn ion_copy_out(b: &mut KernelBuilder, back: Vec<(u8, IonVar, IonSlot)>) {
        for (dep, var, slot) in back {
            let src = match slot {
                IonSlot::Reg(r) => r,
                IonSlot::Field(f) => b.field(f),
            };
            b.push(Op::StoreIon { dep, var, src });
        }
    }

    fn kernel_initial(&mut self, body: &Block) -> Kernel {
        let mut b = KernelBuilder::new();
        let mut env = Env::default();
        let back = self.ion_copy_in(&mut b, &mut env);
        // States start at 0 before INITIAL (NEURON's default `x0`), except ion
        // concentrations (`STATE { cai }`): nocmodl's `initstates` writes no `x = x0` line
        // for them (IONCONC), so they keep the value the ion gave them.
        for s in self.state_names.clone() {
            let ion_conc = self.ions.iter().any(|u| {
                u.names
                    .iter()
                    .any(|(n, var)| *n == s && matches!(var, IonVar::Conci | IonVar::Conco))
            });
            if ion_conc {
                continue;
            }
            if let Some(Sym::Field(f)) = self.syms.get(&s).copied() {
                let z = b.constant(0.0);
                b.push(Op::StoreField { field: f, src: z });
            }
        }
        self.block(&mut b, &mut env, body, Ctx::Initial);
        Self::ion_copy_out(&mut b, back);
        b.finish()
    }

    fn kernel_current(&mut self, bodies: &[Block]) -> Kernel {
        let mut b = KernelBuilder::new();
        let mut env = Env::default();
        self.ion_copy_in(&mut b, &mut env);
        let v = b.emit(|dst| Op::Voltage { dst });
        let dv = b.constant(0.001);
        let vp = b.add(v, dv);
        let mut sums = Vec::new();
        let mut ion_currents: Vec<Vec<Reg>> = Vec::new();
        for vr in [vp, v] {
            env.locals.insert("v".into(), vr);
            for body in bodies {
                self.block(&mut b, &mut env, body, Ctx::Breakpoint);
            }
            // Sum of all currents: ion currents written, then nonspecific ones.
            let mut sum: Option<Reg> = None;
            let mut per_ion = Vec::new();
            for u in 0..self.ions.len() {
                for (n, var) in self.ions[u].names.clone() {
                    if var == IonVar::Cur && self.ions[u].write.contains(&IonVar::Cur) {
                        let f = self.field_of(&n);
                        let r = b.field(f);
                        per_ion.push((u as u8, r));
                        sum = Some(sum.map_or(r, |s| b.add(s, r)));
                    }
                }
            }
            for c in self.currents.clone() {
                let f = self.field_of(&c);
                let r = b.field(f);
                sum = Some(sum.map_or(r, |s| b.add(s, r)));
            }
            let sum = sum.unwrap_or_else(|| b.constant(0.0));
            sums.push(sum);
            ion_currents.push(per_ion.iter().map(|(_, r)| *r).collect());
            if ion_currents.len() == 2 {
                // Second (at v) pass: accumulate ion currents and di/dv.
                for (k, (dep, r0)) in per_ion.iter().enumerate() {
                    b.push(Op::AddIonCurrent {
                        dep: *dep,
                        src: *r0,
                    });
                    let r1 = ion_currents[0][k];
                    let dd = b.sub(r1, *r0);
                    let didv = b.div(dd, dv);
                    b.push(Op::AddIonDidv {
                        dep: *dep,
                        src: didv,
                    });
                }
            }
        }
        env.locals.remove("v");
        let (s1, s0) = (sums[0], sums[1]);
        let dd = b.sub(s1, s0);
        let mut g = b.div(dd, dv);
        let mut rhs = s0;
        if self.kind == Some(KKind::Point) {
            let f = b.emit(|dst| Op::AreaFactor { dst });
            g = b.mul(g, f);
            rhs = b.mul(rhs, f);
        }
        if self.electrode {
            b.push(Op::AddRhs { src: rhs });
            let ng = b.un(KUn::Neg, g);
            b.push(Op::AddD { src: ng });
        } else {
            let nr = b.un(KUn::Neg, rhs);
            b.push(Op::AddRhs { src: nr });
            b.push(Op::AddD { src: g });
        }
        b.finish()
    }

    fn kernel_state(&mut self, bodies: &[Block], with_body: bool) -> Kernel {
        let mut b = KernelBuilder::new();
        let mut env = Env::default();
        let back = self.ion_copy_in(&mut b, &mut env);
        // NEURON's nrn_state halves dt under Crank-Nicolson when the mechanism uses
        // euler, derivimplicit or sparse, and then extrapolates each solved state by
        // `dt * derivative` (see the solvers).
        let mut implicit = false;
        for body in bodies {
            visit(body, false, &mut |s| {
                if let StmtKind::Solve(solve) = &s.kind {
                    implicit |= match solve.method.as_ref().map(|m| m.text.as_str()) {
                        // Without METHOD a DERIVATIVE block is derivimplicit; a PROCEDURE
                        // is just called.
                        None => self.solve_blocks.contains_key(&solve.block.text),
                        Some(m) => matches!(m, "euler" | "runge" | "derivimplicit" | "sparse"),
                    };
                }
            });
        }
        let mut so = None;
        if implicit {
            let so_reg = b.emit(|dst| Op::SecondOrder { dst });
            so = Some(so_reg);
            let dt = b.emit(|dst| Op::Dt { dst });
            let half = b.constant(0.5);
            let h = b.mul(dt, half);
            let eff = b.emit(|dst| Op::Select {
                dst,
                cond: so_reg,
                a: h,
                b: dt,
            });
            self.dt_reg = Some(eff);
        }
        for body in bodies {
            for s in &body.stmts {
                if let StmtKind::Solve(solve) = &s.kind {
                    // `SOLVE proc` of a PROCEDURE without METHOD: nocmodl calls it here,
                    // after the voltage update; so does `METHOD after_cvode` on the
                    // fixed step (svclmp.mod's `icur`, for i with the new v).
                    if solve
                        .method
                        .as_ref()
                        .is_none_or(|m| m.text == "after_cvode")
                        && !self.solve_blocks.contains_key(&solve.block.text)
                        && self
                            .callables
                            .get(&solve.block.text)
                            .is_some_and(|c| !c.is_function && c.params.is_empty())
                    {
                        self.call_stmt(&mut b, &mut env, &solve.block, &[], Ctx::Breakpoint);
                        continue;
                    }
                    let Some(block) = self.solve_blocks.get(&solve.block.text).cloned() else {
                        self.error(
                            solve.block.range,
                            format!("no DERIVATIVE/KINETIC block named `{}`", solve.block.text),
                        );
                        continue;
                    };
                    let method = solve.method.as_ref().map_or("", |m| m.text.as_str());
                    match (block.kind, method) {
                        (SolveKind::Derivative, "cnexp") => {
                            self.block(&mut b, &mut env, &block.body, Ctx::Derivative);
                        }
                        (SolveKind::Derivative, "euler") => {
                            self.solve_euler(&mut b, &env, &block, so)
                        }
                        (SolveKind::Derivative, "runge") => {
                            self.solve_runge(&mut b, &env, &block, so)
                        }
                        // Without METHOD, nocmodl integrates a DERIVATIVE block implicitly.
                        (SolveKind::Derivative, "derivimplicit" | "") => {
                            self.solve_derivimplicit(&mut b, &env, &block, so)
                        }
                        (SolveKind::Kinetic, "sparse") => {
                            self.solve_sparse(&mut b, &env, &block, so)
                        }
                        (SolveKind::Kinetic, "") => self.error(
                            s.range,
                            format!("SOLVE {} needs a METHOD: a KINETIC block is solved with `METHOD sparse`", block.name.text),
                        ),
                        (kind, m) => self.error(
                            s.range,
                            format!(
                                "SOLVE {} METHOD {m} is not supported: {}",
                                block.name.text,
                                match kind {
                                    SolveKind::Derivative => "a DERIVATIVE block takes cnexp, derivimplicit, euler or runge",
                                    SolveKind::Kinetic => "a KINETIC block takes sparse",
                                    SolveKind::Linear | SolveKind::NonLinear => "LINEAR and NONLINEAR blocks are not supported yet",
                                }
                            ),
                        ),
                    }
                }
            }
        }
        if with_body {
            for body in bodies {
                self.block(&mut b, &mut env, body, Ctx::Breakpoint);
            }
        }
        self.dt_reg = None;
        Self::ion_copy_out(&mut b, back);
        b.finish()
    }

    /// States in the order of their derivative equations (NEURON's `_slist`).
    fn derivative_states(&mut self, block: &SolveBlock) -> Vec<(String, u16)> {
        let mut names: Vec<Name> = Vec::new();
        visit(&block.body, false, &mut |s| {
            if let StmtKind::Assign { lhs, .. } = &s.kind
                && let ExprKind::Prime(n) = &lhs.kind
            {
                names.push(n.clone());
            }
        });

        let mut out: Vec<(String, u16)> = Vec::new();
        for n in names {
            if out.iter().any(|(o, _)| *o == n.text) {
                continue;
            }
            match self.syms.get(&n.text).copied() {
                Some(Sym::Field(f)) if self.state_names.contains(&n.text) => {
                    out.push((n.text.clone(), f))
                }
                _ => self.error(n.range, format!("`{}` is not a STATE", n.text)),
            }
        }
        out
    }

    /// Evaluate the DERIVATIVE block with the states bound to `xs`; the registers of
    /// the derivatives, in `states` order.
    fn eval_derivs(
        &mut self,
        b: &mut KernelBuilder,
        env: &Env,
        block: &SolveBlock,
        states: &[(String, u16)],
        xs: &[Reg],
    ) -> Vec<Reg> {
        let mut e = env.clone();
        let mut map = HashMap::new();
        let mut ds = Vec::new();
        for ((name, _), &x) in states.iter().zip(xs) {
            e.locals.insert(name.clone(), x);
            let d = b.constant(0.0);
            map.insert(name.clone(), d);
            ds.push(d);
        }
        e.derivs = Some(map);
        self.block(b, &mut e, &block.body, Ctx::Derivative);
        ds
    }

    /// `METHOD euler`: `x += dt*f(x)` with the derivatives evaluated at the old states.
    fn solve_euler(
        &mut self,
        b: &mut KernelBuilder,
        env: &Env,
        block: &SolveBlock,
        so: Option<Reg>,
    ) {
        let states = self.derivative_states(block);
        let xs = field_copies(b, &states);
        let ds = self.eval_derivs(b, env, block, &states, &xs);
        let dt = self.dt(b);
        for (((_, f), x), d) in states.iter().zip(&xs).zip(&ds) {
            let inc = b.mul(dt, *d);
            let nx = b.add(*x, inc);
            b.push(Op::StoreField { field: *f, src: nx });
        }
        Self::second_order_step(b, so, dt, &states, &ds);
    }

    /// `METHOD runge`: scopmath's fourth-order Runge-Kutta (scopmath/runge.hpp), in its
    /// order of operations, with `t` at `t + h/2` and `t + h` for the later evaluations.
    fn solve_runge(
        &mut self,
        b: &mut KernelBuilder,
        env: &Env,
        block: &SolveBlock,
        so: Option<Reg>,
    ) {
        let states = self.derivative_states(block);
        let h = self.dt(b);
        let t0 = b.emit(|dst| Op::Time { dst });
        let (two, three, six) = (b.constant(2.0), b.constant(3.0), b.constant(6.0));
        let half_h = b.div(h, two);
        let y0 = field_copies(b, &states);
        let eval_at = |cx: &mut Self, b: &mut KernelBuilder, ys: &[Reg], t: Reg| {
            let mut e = env.clone();
            e.locals.insert("t".into(), t);
            cx.eval_derivs(b, &e, block, &states, ys)
        };
        // Half a step with the derivatives at the start.
        let d1 = eval_at(self, b, &y0, t0);
        let mut ys = Vec::new();
        let mut acc = Vec::new();
        for (&y, &d) in y0.iter().zip(&d1) {
            let temp = b.mul(half_h, d);
            ys.push(b.add(y, temp));
            let third = b.div(temp, three);
            acc.push(b.add(y, third));
        }
        let t1 = b.add(t0, half_h);
        // Half a step again, from the start, with the midpoint derivatives.
        let d2 = eval_at(self, b, &ys, t1);
        for (k, &d) in d2.iter().enumerate() {
            let temp = b.mul(h, d);
            let half = b.div(temp, two);
            ys[k] = b.add(y0[k], half);
            let third = b.div(temp, three);
            acc[k] = b.add(acc[k], third);
        }
        // A full step with the second midpoint derivatives.
        let d3 = eval_at(self, b, &ys, t1);
        for (k, &d) in d3.iter().enumerate() {
            let temp = b.mul(h, d);
            ys[k] = b.add(y0[k], temp);
            let third = b.div(temp, three);
            acc[k] = b.add(acc[k], third);
        }
        let t2 = b.add(t1, half_h);
        let d4 = eval_at(self, b, &ys, t2);
        let h6 = b.div(h, six);
        for (((_, f), &a), &d) in states.iter().zip(&acc).zip(&d4) {
            let inc = b.mul(h6, d);
            let y = b.add(a, inc);
            b.push(Op::StoreField { field: *f, src: y });
        }
        Self::second_order_step(b, so, h, &states, &d4);
    }

    /// Under Crank-Nicolson, NEURON's nrn_state ends an implicit solve over `dt/2` with
    /// `x += dt/2 * dx/dt` for each state (`ds`: the derivatives it keeps).
    fn second_order_step(
        b: &mut KernelBuilder,
        so: Option<Reg>,
        dt: Reg,
        states: &[(String, u16)],
        ds: &[Reg],
    ) {
        let Some(so) = so else {
            return;
        };
        b.begin_if(so);
        for ((_, f), d) in states.iter().zip(ds) {
            let x = b.field(*f);
            let inc = b.mul(dt, *d);
            let nx = b.add(x, inc);
            b.push(Op::StoreField { field: *f, src: nx });
        }
        b.end_if();
    }

    /// Residual of the implicit step, `f(x) - (x - x_old)/dt`, for each state.
    fn implicit_residual(
        &mut self,
        b: &mut KernelBuilder,
        env: &Env,
        block: &SolveBlock,
        states: &[(String, u16)],
        xs: &[Reg],
        old: &[Reg],
    ) -> Vec<Reg> {
        let ds = self.eval_derivs(b, env, block, states, xs);
        let dt = self.dt(b);
        ds.iter()
            .zip(xs.iter().zip(old))
            .map(|(&d, (&x, &o))| {
                let dx = b.sub(x, o);
                let q = b.div(dx, dt);
                b.sub(d, q)
            })
            .collect()
    }

    /// `METHOD derivimplicit`: backward Euler solved by NEURON's Newton iteration
    /// (scopmath `nrn_newton_thread`): Jacobian by central differences with increment
    /// `max(|0.02 x|, 1e-6)`, rebuilt only while the relative change exceeds 0.05;
    /// converged when the relative change is at most 1e-6 and every residual at most
    /// 1e-8; at most 50 iterations, else the run stops with an error. The block is
    /// evaluated once more at the solution, as NEURON's generated code does.
    fn solve_derivimplicit(
        &mut self,
        b: &mut KernelBuilder,
        env: &Env,
        block: &SolveBlock,
        so: Option<Reg>,
    ) {
        const MAXITERS: usize = 50;
        let states = self.derivative_states(block);
        let n = states.len();
        if n == 0 {
            return;
        }
        let copy = |b: &mut KernelBuilder, src: Reg| {
            let x = b.constant(0.0);
            b.push(Op::Copy { dst: x, src });
            x
        };
        let old: Vec<Reg> = states.iter().map(|(_, f)| b.field(*f)).collect();
        let xs: Vec<Reg> = old.iter().map(|&o| copy(b, o)).collect();
        let jac: Vec<Vec<Reg>> = (0..n)
            .map(|_| (0..n).map(|_| b.constant(0.0)).collect())
            .collect();
        let value: Vec<Reg> = (0..n).map(|_| b.constant(0.0)).collect();
        let change = b.constant(1.0);
        let done = b.constant(0.0);
        let (c_zero, c_two, c_step, c_frac, c_maxchange, c_converge, c_tiny) = (
            b.constant(0.0),
            b.constant(2.0),
            b.constant(1e-6),
            b.constant(0.02),
            b.constant(0.05),
            b.constant(1e-6),
            b.constant(1e-8),
        );
        for _ in 0..MAXITERS {
            let going = b.bin(KBin::Eq, done, c_zero);
            b.begin_if(going);
            // Rebuild the Jacobian (then factor it in place, LU without pivoting).
            let rebuild = b.bin(KBin::Gt, change, c_maxchange);
            b.begin_if(rebuild);
            for j in 0..n {
                let ax = b.un(KUn::Fabs, xs[j]);
                let sx = b.mul(c_frac, ax);
                let inc = b.bin(KBin::Max, sx, c_step);
                let up = b.add(xs[j], inc);
                b.push(Op::Copy {
                    dst: xs[j],
                    src: up,
                });
                let hi = self.implicit_residual(b, env, block, &states, &xs, &old);
                let hi: Vec<Reg> = hi.into_iter().map(|r| copy(b, r)).collect();
                let two_inc = b.mul(c_two, inc);
                let down = b.sub(xs[j], two_inc);
                b.push(Op::Copy {
                    dst: xs[j],
                    src: down,
                });
                let lo = self.implicit_residual(b, env, block, &states, &xs, &old);
                for i in 0..n {
                    let d = b.sub(hi[i], lo[i]);
                    let q = b.div(d, two_inc);
                    b.push(Op::Copy {
                        dst: jac[i][j],
                        src: q,
                    });
                }
                let back = b.add(xs[j], inc);
                b.push(Op::Copy {
                    dst: xs[j],
                    src: back,
                });
            }
            let r = self.implicit_residual(b, env, block, &states, &xs, &old);
            for i in 0..n {
                let neg = b.un(KUn::Neg, r[i]);
                b.push(Op::Copy {
                    dst: value[i],
                    src: neg,
                });
            }
            let mut factors: Vec<Vec<Option<Reg>>> = jac
                .iter()
                .map(|row| row.iter().map(|&r| Some(r)).collect())
                .collect();
            kinetic::lu_factor(b, &mut factors);
            b.end_if();
            // Solve J delta = value with the factors (dense: no fill-in registers).
            let delta = kinetic::lu_solve(b, &factors, &value);
            // Relative change (over states not near zero), then the update.
            let mut ch = c_zero;
            for i in 0..n {
                let ax = b.un(KUn::Fabs, xs[i]);
                let big = b.bin(KBin::Gt, ax, c_tiny);
                let rel = b.div(delta[i], xs[i]);
                let arel = b.un(KUn::Fabs, rel);
                let m = b.bin(KBin::Max, ch, arel);
                ch = b.emit(|dst| Op::Select {
                    dst,
                    cond: big,
                    a: m,
                    b: ch,
                });
                let nx = b.add(xs[i], delta[i]);
                b.push(Op::Copy {
                    dst: xs[i],
                    src: nx,
                });
            }
            b.push(Op::Copy {
                dst: change,
                src: ch,
            });
            let r = self.implicit_residual(b, env, block, &states, &xs, &old);
            let mut maxdev = c_zero;
            for i in 0..n {
                let neg = b.un(KUn::Neg, r[i]);
                b.push(Op::Copy {
                    dst: value[i],
                    src: neg,
                });
                let a = b.un(KUn::Fabs, neg);
                maxdev = b.bin(KBin::Max, maxdev, a);
            }
            let c1 = b.bin(KBin::Le, change, c_converge);
            let c2 = b.bin(KBin::Le, maxdev, c_tiny);
            let ok = b.bin(KBin::And, c1, c2);
            b.push(Op::Copy { dst: done, src: ok });
            b.end_if();
        }
        let failed = b.bin(KBin::Eq, done, c_zero);
        b.begin_if(failed);
        b.push(Op::Fail {
            message: format!(
                "{}: SOLVE {} METHOD derivimplicit: Newton iteration did not converge in {MAXITERS} iterations",
                self.name, block.name.text
            ),
        });
        b.end_if();
        // NEURON evaluates the block once more at the solution (ASSIGNED side effects,
        // and the derivatives Crank-Nicolson extrapolates with).
        let ds = self.eval_derivs(b, env, block, &states, &xs);
        for ((_, f), x) in states.iter().zip(&xs) {
            b.push(Op::StoreField { field: *f, src: *x });
        }
        let dt = self.dt(b);
        Self::second_order_step(b, so, dt, &states, &ds);
    }

    fn kernel_net_receive(
        &mut self,
        params: &[crate::ast::Param],
        body: &Block,
    ) -> (Kernel, Kernel) {
        let mut env = Env::default();
        for (k, p) in params.iter().enumerate() {
            env.weights.insert(p.name.text.clone(), k as u8);
        }
        let mut b = KernelBuilder::new();
        let mut init = KernelBuilder::new();
        if !self.watches.is_empty() {
            let z = b.constant(0.0);
            b.push(Op::StoreField {
                field: self.watch_rm,
                src: z,
            });
        }
        for s in &body.stmts {
            if let StmtKind::Initial(ib) = &s.kind {
                self.block(&mut init, &mut env, ib, Ctx::NetReceive);
            } else {
                self.stmt(&mut b, &mut env, s, Ctx::NetReceive);
            }
        }
        (b.finish(), init.finish())
    }

    /// The register holding `dt` for the code being emitted.
    fn dt(&self, b: &mut KernelBuilder) -> Reg {
        match self.dt_reg {
            Some(r) => r,
            None => b.emit(|dst| Op::Dt { dst }),
        }
    }

    fn field_of(&self, name: &str) -> u16 {
        match self.syms.get(name) {
            Some(Sym::Field(f)) => *f,
            _ => 0,
        }
    }

    // -------------------------------------------------------------------------------
    // Statements

    fn block(&mut self, b: &mut KernelBuilder, env: &mut Env, block: &Block, cx: Ctx) {
        let saved = env.locals.clone();
        let saved_arrays = env.arrays.clone();
        for s in &block.stmts {
            self.stmt(b, env, s, cx);
        }
        if cx != Ctx::Inline {
            env.arrays = saved_arrays;
        }
        // LOCALs declared in the block go out of scope; outer ones keep their registers.
        env.locals
            .retain(|k, _| saved.contains_key(k) || cx == Ctx::Inline);
        for (k, r) in saved {
            env.locals.insert(k, r);
        }
    }

    fn stmt(&mut self, b: &mut KernelBuilder, env: &mut Env, s: &Stmt, cx: Ctx) {
        match &s.kind {
            StmtKind::Local(vars) => {
                for v in vars {
                    if let Some(n) = v.array_len {
                        let regs = (0..n).map(|_| b.constant(0.0)).collect();
                        env.locals.remove(&v.name.text);
                        env.arrays.insert(v.name.text.clone(), regs);
                        continue;
                    }
                    let r = b.constant(0.0);
                    env.arrays.remove(&v.name.text);
                    env.locals.insert(v.name.text.clone(), r);
                }
            }
            StmtKind::Assign { lhs, rhs } => self.assign(b, env, lhs, rhs, cx, s.range),
            StmtKind::Expr(e) => {
                if let ExprKind::Call(name, args) = &e.kind {
                    self.call_stmt(b, env, name, args, cx);
                } else {
                    self.expr(b, env, e);
                }
            }
            StmtKind::If { cond, then_block, else_block } => {
                let c = self.expr(b, env, cond);
                let mut then_env = env.clone();
                let mut else_env = env.clone();
                let mut err_then = Vec::new();
                let mut err_else = Vec::new();
                b.if_else(
                    c,
                    |bb| {
                        let mut sub = self.fork();
                        sub.block(bb, &mut then_env, then_block, cx);
                        err_then = sub.diags;
                    },
                    |bb| {
                        if let Some(eb) = else_block {
                            let mut sub = self.fork();
                            sub.block(bb, &mut else_env, eb, cx);
                            err_else = sub.diags;
                        }
                    },
                );
                self.diags.extend(err_then);
                self.diags.extend(err_else);
            }
            StmtKind::Solve(_) if matches!(cx, Ctx::Breakpoint) => {}
            StmtKind::Solve(solve) if cx == Ctx::Initial => self.solve_initial(b, env, solve, s.range),
            StmtKind::Reaction(r) if env.kin.is_some() => self.reaction(b, env, r, s.range),
            StmtKind::Conserve { lhs, rhs } if env.kin.is_some() => {
                self.conserve(b, env, lhs, rhs, s.range)
            }
            // Volumes are applied where the system is assembled, before the statements.
            StmtKind::Compartment { .. } if env.kin.is_some() => {}
            StmtKind::Reaction(_) | StmtKind::Conserve { .. } | StmtKind::Compartment { .. } => {
                self.error(s.range, "reactions, CONSERVE and COMPARTMENT belong in a KINETIC block")
            }
            // Tables are built from the whole PROCEDURE/FUNCTION and used at its call sites.
            StmtKind::Table(_) => {}
            StmtKind::UnitsFlag(_) => {}
            StmtKind::Block(inner) => self.block(b, env, inner, cx),
            StmtKind::Protect(inner) => self.stmt(b, env, inner, cx),
            StmtKind::Verbatim(v) => match classify_verbatim(&v.text) {
                Verbatim::Nothing => {}
                Verbatim::Error(message) => b.push(Op::Fail {
                    message: format!("{}: {message}", self.name),
                }),
                Verbatim::Code(first) => b.push(Op::Fail {
                    message: format!(
                        "{}: reached a VERBATIM block (C code, which Ranvier cannot run): `{first}`; supply a Rust implementation registered under the name `{}`",
                        self.name, self.name
                    ),
                }),
            },
            StmtKind::While { cond, body } => {
                let c = self.expr(b, env, cond);
                let going = b.constant(0.0);
                b.push(Op::Copy { dst: going, src: c });
                b.begin_loop();
                self.block(b, env, body, cx);
                let c = self.expr(b, env, cond);
                b.push(Op::Copy { dst: going, src: c });
                b.end_loop(going);
            }
            StmtKind::FromTo { var, from, to, by, body } => self.counted_loop(b, env, var, from, to, by.as_ref(), body, cx),
            StmtKind::Watch(_) if cx == Ctx::NetReceive => self.watch_stmt(b, env, s.range),
            StmtKind::ForNetcons { params, body } if cx == Ctx::NetReceive => {
                if params.len() > self.net_receive_args.unwrap_or(0) {
                    self.error(s.range, "FOR_NETCONS has more arguments than NET_RECEIVE");
                    return;
                }
                let mut inner = env.clone();
                for (k, p) in params.iter().enumerate() {
                    inner.nc_weights.insert(p.name.text.clone(), k as u8);
                }
                b.begin_for_netcons();
                self.block(b, &mut inner, body, cx);
                b.end_for_netcons();
            }
            StmtKind::Watch(_) => self.error(s.range, "WATCH is only allowed in NET_RECEIVE"),
            StmtKind::Error => {}
            _ => self.error(s.range, "this statement is not supported yet"),
        }
    }

    /// `FROM i = a TO b BY k { }` as nocmodl writes it: an integer counter starting at
    /// `(int) a`, compared with `(int) b` (re-evaluated each time round) and stepped by
    /// `k` (1 by default); the body reads it as `i`, which keeps its outer value after.
    #[allow(clippy::too_many_arguments)]
    fn counted_loop(
        &mut self,
        b: &mut KernelBuilder,
        env: &mut Env,
        var: &Name,
        from: &Expr,
        to: &Expr,
        by: Option<&Expr>,
        body: &Block,
        cx: Ctx,
    ) {
        let step = match by {
            Some(e) => match const_eval(e, &self.syms) {
                Some(k) if k != 0.0 && k.fract() == 0.0 => k,
                _ => {
                    self.error(e.range, "BY takes a non-zero integer constant");
                    return;
                }
            },
            None => 1.0,
        };
        let a = self.expr(b, env, from);
        let a = trunc(b, a);
        let i = b.constant(0.0);
        b.push(Op::Copy { dst: i, src: a });
        let mut inner = env.clone();
        inner.locals.insert(var.text.clone(), i);
        let cmp = if step > 0.0 { KBin::Le } else { KBin::Ge };
        let going = b.constant(0.0);
        let hi = self.expr(b, &mut inner, to);
        let hi = trunc(b, hi);
        let c = b.bin(cmp, i, hi);
        b.push(Op::Copy { dst: going, src: c });
        b.begin_loop();
        self.block(b, &mut inner, body, cx);
        let k = b.constant(step);
        let ni = b.add(i, k);
        b.push(Op::Copy { dst: i, src: ni });
        let hi = self.expr(b, &mut inner, to);
        let hi = trunc(b, hi);
        let c = b.bin(cmp, i, hi);
        b.push(Op::Copy { dst: going, src: c });
        b.end_loop(going);
    }

    /// A compiler sharing declarations, for compiling a branch.
    fn fork(&self) -> Compiler {
        Compiler {
            diags: Vec::new(),
            name: self.name.clone(),
            kind: self.kind,
            fields: self.fields.clone(),
            globals: self.globals.clone(),
            syms: self.syms.clone(),
            ions: self
                .ions
                .iter()
                .map(|u| IonUse {
                    ion: u.ion.clone(),
                    read: u.read.clone(),
                    write: u.write.clone(),
                    valence: u.valence,
                    names: u.names.clone(),
                })
                .collect(),
            currents: self.currents.clone(),
            electrode: self.electrode,
            range_names: self.range_names.clone(),
            global_names: self.global_names.clone(),
            state_names: self.state_names.clone(),
            callables: self.callables.clone(),
            solve_blocks: self.solve_blocks.clone(),
            net_receive_args: self.net_receive_args,
            depth: self.depth,
            calls: self.calls.clone(),
            tables: self.tables.clone(),
            watches: self.watches.clone(),
            watch_rm: self.watch_rm,
            for_netcons: self.for_netcons,
            dt_reg: self.dt_reg,
            field_arrays: self.field_arrays.clone(),
        }
    }

    fn assign(
        &mut self,
        b: &mut KernelBuilder,
        env: &mut Env,
        lhs: &Expr,
        rhs: &Expr,
        cx: Ctx,
        range: TextRange,
    ) {
        match &lhs.kind {
            ExprKind::Prime(name) => {
                if cx != Ctx::Derivative {
                    self.error(
                        range,
                        "a derivative (`x' = ...`) outside a DERIVATIVE block",
                    );
                    return;
                }
                if let Some(d) = env.derivs.as_ref().and_then(|d| d.get(&name.text)).copied() {
                    let val = self.expr(b, env, rhs);
                    b.push(Op::Copy { dst: d, src: val });
                } else {
                    self.cnexp(b, env, name, rhs);
                }
            }
            ExprKind::Name(name) => {
                let val = self.expr(b, env, rhs);
                let n = name.text.as_str();
                if let Some(&r) = env.locals.get(n) {
                    b.push(Op::Copy { dst: r, src: val });
                    return;
                }
                if let Some(&k) = env.nc_weights.get(n) {
                    b.push(Op::StoreNcWeight { k, src: val });
                    return;
                }
                if let Some(&k) = env.weights.get(n) {
                    b.push(Op::StoreWeight { k, src: val });
                    return;
                }
                match self.syms.get(n).copied() {
                    Some(Sym::Field(f)) => b.push(Op::StoreField { field: f, src: val }),
                    Some(Sym::Global(g)) => b.push(Op::StoreGlobal {
                        global: g,
                        src: val,
                    }),
                    Some(Sym::Voltage) => b.push(Op::StoreVoltage { src: val }),
                    Some(_) => self.error(name.range, format!("cannot assign to `{n}`")),
                    None => self.error(
                        name.range,
                        format!("unknown variable `{n}`{}", self.hint(n)),
                    ),
                }
            }
            ExprKind::Index(n, i) if env.arrays.contains_key(&n.text) => {
                let val = self.expr(b, env, rhs);
                match self.element(b, env, n, i) {
                    Element::Fixed(r) => b.push(Op::Copy { dst: r, src: val }),
                    Element::Dynamic(idx, regs) => {
                        for (k, r) in regs.iter().enumerate() {
                            let kc = b.constant(k as f64);
                            let eq = b.bin(KBin::Eq, idx, kc);
                            let nv = b.emit(|dst| Op::Select {
                                dst,
                                cond: eq,
                                a: val,
                                b: *r,
                            });
                            b.push(Op::Copy { dst: *r, src: nv });
                        }
                    }
                    Element::Missing => {}
                }
            }
            ExprKind::Index(n, i) if self.field_arrays.contains_key(&n.text) => {
                let val = self.expr(b, env, rhs);
                match self.field_element(b, env, n, i) {
                    FieldElement::Fixed(f) => b.push(Op::StoreField { field: f, src: val }),
                    FieldElement::Dynamic(idx, base, len) => {
                        for k in 0..len {
                            let kc = b.constant(f64::from(k));
                            let eq = b.bin(KBin::Eq, idx, kc);
                            let old = b.field(base + k);
                            let nv = b.emit(|dst| Op::Select {
                                dst,
                                cond: eq,
                                a: val,
                                b: old,
                            });
                            b.push(Op::StoreField {
                                field: base + k,
                                src: nv,
                            });
                        }
                    }
                    FieldElement::Missing => {}
                }
            }
            _ => self.error(lhs.range, "cannot assign to this expression"),
        }
    }

    /// Element `i` of field array `n`: its field when `i` is a constant (checked against
    /// the length, a located error otherwise), else the truncated index.
    fn field_element(
        &mut self,
        b: &mut KernelBuilder,
        env: &mut Env,
        n: &Name,
        i: &Expr,
    ) -> FieldElement {
        let (base, len) = self.field_arrays[&n.text];
        if let Some(k) = const_eval(i, &self.syms) {
            let k = k.trunc();
            return if k >= 0.0 && k < f64::from(len) {
                FieldElement::Fixed(base + k as u16)
            } else {
                self.error(i.range, format!("index {k} is outside `{}[{len}]`", n.text));
                FieldElement::Missing
            };
        }
        let x = self.expr(b, env, i);
        FieldElement::Dynamic(trunc(b, x), base, len)
    }

    /// Element `i` of LOCAL array `n`: its register when `i` is a constant (checked
    /// against the length), else the truncated index and all the registers.
    fn element(&mut self, b: &mut KernelBuilder, env: &mut Env, n: &Name, i: &Expr) -> Element {
        let regs = env.arrays.get(&n.text).cloned().unwrap_or_default();
        if let Some(k) = const_eval(i, &self.syms) {
            let k = k.trunc();
            return if k >= 0.0 && (k as usize) < regs.len() {
                Element::Fixed(regs[k as usize])
            } else {
                self.error(
                    i.range,
                    format!("index {k} is outside `{}[{}]`", n.text, regs.len()),
                );
                Element::Missing
            };
        }
        let x = self.expr(b, env, i);
        Element::Dynamic(trunc(b, x), regs)
    }

    fn hint(&self, n: &str) -> String {
        let mut best: Option<(usize, &str)> = None;
        for k in self.syms.keys().chain(self.callables.keys()) {
            let d = ranvier_mech::edit_distance(n, k);
            if d <= n.len() / 3 + 1 && best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, k));
            }
        }
        best.map(|(_, k)| format!(" (did you mean `{k}`?)"))
            .unwrap_or_default()
    }

    /// NEURON's cnexp for `x' = a + b x`: `x += (1 - exp(dt b)) (-a/b - x)`.
    fn cnexp(&mut self, b: &mut KernelBuilder, env: &mut Env, x: &Name, rhs: &Expr) {
        let Some((coef, rest)) = linear_split(rhs, &x.text) else {
            self.error(rhs.range, format!("`{}'` is not linear in `{}`; cnexp needs `x' = a + b*x` (use METHOD derivimplicit)", x.text, x.text));
            return;
        };
        let Some(coef) = coef else {
            // No `x` on the right (`x' = a`, `x' = 0`): nocmodl's cnexp writes
            // `x = x - dt*(-(a))`, an explicit Euler step (deriv.cpp cvode_cnexp_success).
            let Some(Sym::Field(xf)) = self.syms.get(&x.text).copied() else {
                self.error(x.range, format!("`{}` is not a STATE", x.text));
                return;
            };
            let a = match rest {
                Some(r) => self.expr(b, env, &r),
                None => b.constant(0.0),
            };
            let dt = self.dt(b);
            let neg = b.un(KUn::Neg, a);
            let step = b.mul(dt, neg);
            let old = b.field(xf);
            let nx = b.sub(old, step);
            b.push(Op::StoreField { field: xf, src: nx });
            return;
        };
        let bb = self.expr(b, env, &coef);
        let a = match rest {
            Some(r) => self.expr(b, env, &r),
            None => b.constant(0.0),
        };
        let xf = match self.syms.get(&x.text).copied() {
            Some(Sym::Field(f)) => f,
            _ => {
                self.error(x.range, format!("`{}` is not a STATE", x.text));
                return;
            }
        };
        let dt = self.dt(b);
        b.push(Op::Cnexp {
            field: xf,
            a,
            b: bb,
            dt,
        });
    }

    fn call_stmt(
        &mut self,
        b: &mut KernelBuilder,
        env: &mut Env,
        name: &Name,
        args: &[Expr],
        cx: Ctx,
    ) {
        match name.text.as_str() {
            "net_send" if args.len() == 2 => {
                let d = self.expr(b, env, &args[0]);
                let f = self.expr(b, env, &args[1]);
                b.push(Op::NetSend { delay: d, flag: f });
            }
            "net_event" if args.len() == 1 => {
                let t = self.expr(b, env, &args[0]);
                b.push(Op::NetEvent { time: t });
            }
            "printf" => {}
            // Its value matters only to CVODE; the fixed step ignores a bare call.
            "at_time" if !self.callables.contains_key("at_time") => {}
            // `state_discontinuity(x, value)` (nrnoc/init.cpp): `x = value` on the fixed
            // step where NEURON allows it. In BREAKPOINT NEURON applies it in the first of
            // the two current evaluations only, which the kernels do not model.
            "state_discontinuity"
                if args.len() == 2 && !self.callables.contains_key("state_discontinuity") =>
            {
                let range = args[0].range.cover(args[1].range);
                if cx == Ctx::Breakpoint {
                    self.error(
                        range,
                        "`state_discontinuity` in BREAKPOINT is not supported yet (NEURON applies it in one of the two current evaluations)",
                    );
                } else {
                    self.assign(b, env, &args[0], &args[1], cx, range);
                }
            }
            _ => {
                let _ = cx;
                self.inline_call(b, env, name, args);
            }
        }
    }

    // -------------------------------------------------------------------------------
    // Expressions

    fn expr(&mut self, b: &mut KernelBuilder, env: &mut Env, e: &Expr) -> Reg {
        match &e.kind {
            ExprKind::Number { value, .. } => b.constant(*value),
            ExprKind::Paren(inner) => self.expr(b, env, inner),
            ExprKind::Name(n) => self.name(b, env, n),
            ExprKind::Unary(op, a) => {
                let r = self.expr(b, env, a);
                b.un(if *op == UnOp::Neg { KUn::Neg } else { KUn::Not }, r)
            }
            ExprKind::Binary(op, l, r) => {
                let a = self.expr(b, env, l);
                let c = self.expr(b, env, r);
                let kop = match op {
                    BinOp::Add => KBin::Add,
                    BinOp::Sub => KBin::Sub,
                    BinOp::Mul => KBin::Mul,
                    BinOp::Div => KBin::Div,
                    BinOp::Rem => KBin::Fmod,
                    BinOp::Pow => KBin::Pow,
                    BinOp::Lt => KBin::Lt,
                    BinOp::Gt => KBin::Gt,
                    BinOp::Le => KBin::Le,
                    BinOp::Ge => KBin::Ge,
                    BinOp::Eq => KBin::Eq,
                    BinOp::Ne => KBin::Ne,
                    BinOp::And => KBin::And,
                    BinOp::Or => KBin::Or,
                };
                b.bin(kop, a, c)
            }
            ExprKind::Call(name, args) => self.call_expr(b, env, name, args, e.range),
            ExprKind::Index(n, i) if env.arrays.contains_key(&n.text) => {
                match self.element(b, env, n, i) {
                    Element::Fixed(r) => r,
                    Element::Dynamic(idx, regs) => {
                        // NaN outside the array (C would read anything).
                        let mut out = b.constant(f64::NAN);
                        for (k, r) in regs.iter().enumerate().rev() {
                            let kc = b.constant(k as f64);
                            let eq = b.bin(KBin::Eq, idx, kc);
                            out = b.emit(|dst| Op::Select {
                                dst,
                                cond: eq,
                                a: *r,
                                b: out,
                            });
                        }
                        out
                    }
                    Element::Missing => b.constant(f64::NAN),
                }
            }
            ExprKind::Index(n, i) if self.field_arrays.contains_key(&n.text) => {
                match self.field_element(b, env, n, i) {
                    FieldElement::Fixed(f) => b.field(f),
                    FieldElement::Dynamic(idx, base, len) => {
                        // NaN outside the array (C would read anything).
                        let mut out = b.constant(f64::NAN);
                        for k in (0..len).rev() {
                            let kc = b.constant(f64::from(k));
                            let eq = b.bin(KBin::Eq, idx, kc);
                            let r = b.field(base + k);
                            out = b.emit(|dst| Op::Select {
                                dst,
                                cond: eq,
                                a: r,
                                b: out,
                            });
                        }
                        out
                    }
                    FieldElement::Missing => b.constant(f64::NAN),
                }
            }
            ExprKind::Index(n, _) => {
                self.error(
                    n.range,
                    format!(
                        "`{}` is not an array (STATE arrays are not supported yet)",
                        n.text
                    ),
                );
                b.constant(f64::NAN)
            }
            _ => {
                self.error(e.range, "this expression is not supported yet");
                b.constant(f64::NAN)
            }
        }
    }

    fn name(&mut self, b: &mut KernelBuilder, env: &mut Env, n: &Name) -> Reg {
        let t = n.text.as_str();
        if let Some(&r) = env.locals.get(t) {
            return r;
        }
        if let Some(&k) = env.nc_weights.get(t) {
            return b.emit(|dst| Op::NcWeight { dst, k });
        }
        if let Some(&k) = env.weights.get(t) {
            return b.emit(|dst| Op::Weight { dst, k });
        }
        match self.syms.get(t).copied() {
            Some(Sym::Field(f)) => b.field(f),
            Some(Sym::Global(g)) => b.emit(|dst| Op::Global { dst, global: g }),
            Some(Sym::Const(c)) => b.constant(c),
            Some(Sym::Voltage) => b.emit(|dst| Op::Voltage { dst }),
            Some(Sym::Time) => b.emit(|dst| Op::Time { dst }),
            Some(Sym::Dt) => self.dt(b),
            Some(Sym::Celsius) => b.emit(|dst| Op::Celsius { dst }),
            Some(Sym::Diam) => b.emit(|dst| Op::Diam { dst }),
            Some(Sym::Area) => {
                // area = 1e2 / area_factor
                let f = b.emit(|dst| Op::AreaFactor { dst });
                let h = b.constant(1e2);
                b.div(h, f)
            }
            None if t == "flag" => b.emit(|dst| Op::Flag { dst }),
            None => {
                let h = self.hint(t);
                self.error(n.range, format!("unknown variable `{t}`{h}"));
                b.constant(f64::NAN)
            }
        }
    }

    fn call_expr(
        &mut self,
        b: &mut KernelBuilder,
        env: &mut Env,
        name: &Name,
        args: &[Expr],
        range: TextRange,
    ) -> Reg {
        let un = |n: &str| -> Option<KUn> {
            Some(match n {
                "exp" => KUn::Exp,
                "log" => KUn::Log,
                "log10" => KUn::Log10,
                "sqrt" => KUn::Sqrt,
                // NEURON 9 compiles mod files as C++, where abs(double) is fabs.
                "fabs" | "abs" => KUn::Fabs,
                "floor" => KUn::Floor,
                "ceil" => KUn::Ceil,
                "sin" => KUn::Sin,
                "cos" => KUn::Cos,
                "tan" => KUn::Tan,
                "asin" => KUn::Asin,
                "acos" => KUn::Acos,
                "atan" => KUn::Atan,
                "sinh" => KUn::Sinh,
                "cosh" => KUn::Cosh,
                "tanh" => KUn::Tanh,
                _ => return None,
            })
        };
        if !self.callables.contains_key(&name.text) {
            if let Some(op) = un(&name.text) {
                if args.len() != 1 {
                    self.error(
                        range,
                        format!("`{}` takes 1 argument, found {}", name.text, args.len()),
                    );
                    return b.constant(f64::NAN);
                }
                let a = self.expr(b, env, &args[0]);
                return b.un(op, a);
            }
            if name.text == "at_time" {
                // NEURON's fixed-step at_time (nrncvode/cvodestb.cpp): 1 during the step
                // that contains te, i.e. te - 1e-11 in (t - dt, t].
                if args.len() != 1 {
                    self.error(
                        range,
                        format!("`at_time` takes 1 argument, found {}", args.len()),
                    );
                    return b.constant(f64::NAN);
                }
                let te = self.expr(b, env, &args[0]);
                let eps = b.constant(1e-11);
                let x = b.sub(te, eps);
                let t = b.emit(|dst| Op::Time { dst });
                let dt = self.dt(b);
                let t0 = b.sub(t, dt);
                let le = b.bin(KBin::Le, x, t);
                let gt = b.bin(KBin::Gt, x, t0);
                return b.bin(KBin::And, le, gt);
            }
            let bin = match name.text.as_str() {
                "pow" => Some(KBin::Pow),
                "atan2" => Some(KBin::Atan2),
                "fmod" => Some(KBin::Fmod),
                "fmin" | "min" => Some(KBin::Min),
                "fmax" | "max" => Some(KBin::Max),
                _ => None,
            };
            if let Some(op) = bin {
                if args.len() != 2 {
                    self.error(
                        range,
                        format!("`{}` takes 2 arguments, found {}", name.text, args.len()),
                    );
                    return b.constant(f64::NAN);
                }
                let a = self.expr(b, env, &args[0]);
                let c = self.expr(b, env, &args[1]);
                return b.bin(op, a, c);
            }
        }
        self.inline_call(b, env, name, args)
            .unwrap_or_else(|| b.constant(f64::NAN))
    }

    /// Inline a PROCEDURE or FUNCTION; returns the function's value register.
    fn inline_call(
        &mut self,
        b: &mut KernelBuilder,
        env: &mut Env,
        name: &Name,
        args: &[Expr],
    ) -> Option<Reg> {
        let Some(c) = self.callables.get(&name.text).cloned() else {
            let h = self.hint(&name.text);
            self.error(
                name.range,
                format!("unknown function or procedure `{}`{h}", name.text),
            );
            return None;
        };
        if c.params.len() != args.len() {
            self.error(
                name.range,
                format!(
                    "`{}` takes {} argument{}, found {}",
                    name.text,
                    c.params.len(),
                    if c.params.len() == 1 { "" } else { "s" },
                    args.len()
                ),
            );
            return None;
        }
        if self.calls.contains(&name.text) || self.depth > 32 {
            self.error(
                name.range,
                format!(
                    "`{}` calls itself{} (recursion is not supported: PROCEDUREs and FUNCTIONs are inlined)",
                    name.text,
                    if self.calls.last() == Some(&name.text) {
                        String::new()
                    } else {
                        format!(" through {}", self.calls.join(" -> "))
                    }
                ),
            );
            return None;
        }
        let vals: Vec<Reg> = args.iter().map(|a| self.expr(b, env, a)).collect();
        // The callee sees its parameters and locals, the mechanism's variables, and
        // not the caller's locals.
        let mut inner = Env {
            locals: HashMap::new(),
            weights: env.weights.clone(),
            derivs: None,
            nc_weights: env.nc_weights.clone(),
            kin: None,
            arrays: HashMap::new(),
        };
        // Inside an implicit solve the states live in registers (the current iterate);
        // a callee reading a STATE sees the iterate, as NEURON's callee reads `_p`.
        if let Some(d) = &env.derivs {
            for k in d.keys() {
                if let Some(&r) = env.locals.get(k) {
                    inner.locals.insert(k.clone(), r);
                }
            }
        }
        for (p, v) in c.params.iter().zip(vals) {
            let r = b.emit(|dst| Op::Copy { dst, src: v });
            inner.locals.insert(p.name.text.clone(), r);
        }
        // Ion copies (`ena`, ...) and the voltage of the current evaluation (`v` at
        // `v + 0.001` in BREAKPOINT) stay visible, as in NEURON's generated code.
        for (k, r) in &env.locals {
            let shared = k == "v"
                || self
                    .ions
                    .iter()
                    .any(|u| u.names.iter().any(|(n, _)| n == k));
            if shared && !inner.locals.contains_key(k) {
                inner.locals.insert(k.clone(), *r);
            }
        }
        let ret = if c.is_function {
            let r = b.constant(0.0);
            inner.locals.insert(c.name.text.clone(), r);
            Some(r)
        } else {
            None
        };
        if let Some((idx, t)) = self.tables.get(&name.text).cloned() {
            // NEURON: with `usetable` set, look the values up (linear interpolation);
            // otherwise run the body.
            let ut = b.emit(|dst| Op::Global {
                dst,
                global: t.usetable,
            });
            let x = inner.locals[&c.params[0].name.text];
            let outs: Vec<u16> = t.outputs.clone();
            let mut sub = self.fork();
            sub.depth += 1;
            sub.calls.push(name.text.clone());
            let mut inner2 = inner.clone();
            b.if_else(
                ut,
                |bb| {
                    let dst: Vec<Reg> = (0..outs.len()).map(|_| bb.constant(0.0)).collect();
                    bb.push(Op::Table {
                        table: idx,
                        x,
                        dst: dst.clone(),
                    });
                    for (k, (&f, &r)) in outs.iter().zip(&dst).enumerate() {
                        if t.is_function && k == 0 {
                            if let Some(ret) = ret {
                                bb.push(Op::Copy { dst: ret, src: r });
                            }
                        } else {
                            bb.push(Op::StoreField { field: f, src: r });
                        }
                    }
                },
                |bb| sub.block(bb, &mut inner2, &c.body, Ctx::Inline),
            );
            self.diags.extend(sub.diags);
            return ret;
        }
        self.depth += 1;
        self.calls.push(name.text.clone());
        self.block(b, &mut inner, &c.body, Ctx::Inline);
        self.calls.pop();
        self.depth -= 1;
        ret
    }
}

/// Where statements are being compiled (what they may do).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ctx {
    Initial,
    Breakpoint,
    Derivative,
    /// A KINETIC block being assembled into its implicit system.
    Kinetic,
    NetReceive,
    Inline,
}

#[derive(Clone, Debug, Default)]
struct Env {
    locals: HashMap<String, Reg>,
    weights: HashMap<String, u8>,
    /// While evaluating a DERIVATIVE block for `euler`/`derivimplicit`: the register
    /// receiving each state's derivative (`x' = e` writes `e` there).
    derivs: Option<HashMap<String, Reg>>,
    /// Inside `FOR_NETCONS(a, b)`: its parameter names -> argument index of the
    /// connection being visited (they hide NET_RECEIVE arguments of the same name).
    nc_weights: HashMap<String, u8>,
    /// While a KINETIC block is assembled: its matrix and right-hand side.
    kin: Option<KinEnv>,
    /// `LOCAL a[n]` arrays: one register per element.
    arrays: HashMap<String, Vec<Reg>>,
}

/// Copies of the named fields in registers of their own (the fields may change later).
fn field_copies(b: &mut KernelBuilder, fields: &[(String, u16)]) -> Vec<Reg> {
    fields
        .iter()
        .map(|(_, f)| {
            let r = b.field(*f);
            let x = b.constant(0.0);
            b.push(Op::Copy { dst: x, src: r });
            x
        })
        .collect()
}

/// An element of an ASSIGNED or PARAMETER array: a field, or a run-time index into the
/// fields `base..base + len`.
enum FieldElement {
    Fixed(u16),
    Dynamic(Reg, u16, u16),
    Missing,
}

/// An element of a LOCAL array.
enum Element {
    Fixed(Reg),
    Dynamic(Reg, Vec<Reg>),
    Missing,
}

/// C's conversion to `int`: truncation toward zero.
fn trunc(b: &mut KernelBuilder, x: Reg) -> Reg {
    let zero = b.constant(0.0);
    let neg = b.bin(KBin::Lt, x, zero);
    let up = b.un(KUn::Ceil, x);
    let down = b.un(KUn::Floor, x);
    b.emit(|dst| Op::Select {
        dst,
        cond: neg,
        a: up,
        b: down,
    })
}

fn mk(kind: ExprKind, range: TextRange) -> Expr {
    Expr { kind, range }
}

fn num(v: f64, range: TextRange) -> Expr {
    mk(
        ExprKind::Number {
            value: v,
            text: v.to_string(),
            unit: None,
        },
        range,
    )
}

fn mentions(e: &Expr, x: &str) -> bool {
    match &e.kind {
        ExprKind::Name(n) => n.text == x,
        ExprKind::Paren(a) | ExprKind::Unary(_, a) => mentions(a, x),
        ExprKind::Binary(_, a, b) => mentions(a, x) || mentions(b, x),
        ExprKind::Call(_, args) => args.iter().any(|a| mentions(a, x)),
        ExprKind::Index(n, i) => n.text == x || mentions(i, x),
        _ => false,
    }
}

/// Split `e` into `(b, a)` with `e = a + b*x`, as nocmodl does for cnexp (`None` = 0).
/// Returns `None` when `e` is not linear in `x`.
fn linear_split(e: &Expr, x: &str) -> Option<(Option<Expr>, Option<Expr>)> {
    let r = e.range;
    if !mentions(e, x) {
        return Some((None, Some(e.clone())));
    }
    let bin = |op: BinOp, a: Expr, b: Expr| mk(ExprKind::Binary(op, Box::new(a), Box::new(b)), r);
    let neg = |a: Expr| mk(ExprKind::Unary(UnOp::Neg, Box::new(a)), r);
    match &e.kind {
        ExprKind::Name(_) => Some((Some(num(1.0, r)), None)),
        ExprKind::Paren(a) => linear_split(a, x),
        ExprKind::Unary(UnOp::Neg, a) => {
            let (b, c) = linear_split(a, x)?;
            Some((b.map(neg), c.map(neg)))
        }
        ExprKind::Binary(op @ (BinOp::Add | BinOp::Sub), l, rr) => {
            let (bl, al) = linear_split(l, x)?;
            let (br, ar) = linear_split(rr, x)?;
            let combine = |p: Option<Expr>, q: Option<Expr>| match (p, q) {
                (p, None) => p,
                (None, Some(q)) => Some(if *op == BinOp::Add { q } else { neg(q) }),
                (Some(p), Some(q)) => Some(bin(*op, p, q)),
            };
            Some((combine(bl, br), combine(al, ar)))
        }
        ExprKind::Binary(BinOp::Mul, l, rr) => {
            if !mentions(l, x) {
                let (br, ar) = linear_split(rr, x)?;
                Some((
                    br.map(|b| bin(BinOp::Mul, (**l).clone(), b)),
                    ar.map(|a| bin(BinOp::Mul, (**l).clone(), a)),
                ))
            } else if !mentions(rr, x) {
                let (bl, al) = linear_split(l, x)?;
                Some((
                    bl.map(|b| bin(BinOp::Mul, b, (**rr).clone())),
                    al.map(|a| bin(BinOp::Mul, a, (**rr).clone())),
                ))
            } else {
                None
            }
        }
        ExprKind::Binary(BinOp::Div, l, rr) if !mentions(rr, x) => {
            let (bl, al) = linear_split(l, x)?;
            Some((
                bl.map(|b| bin(BinOp::Div, b, (**rr).clone())),
                al.map(|a| bin(BinOp::Div, a, (**rr).clone())),
            ))
        }
        _ => None,
    }
}

/// Evaluate a constant expression (numbers, constants, arithmetic).
fn const_eval(e: &Expr, syms: &HashMap<String, Sym>) -> Option<f64> {
    match &e.kind {
        ExprKind::Number { value, .. } => Some(*value),
        ExprKind::Paren(a) => const_eval(a, syms),
        ExprKind::Name(n) => match syms.get(&n.text) {
            Some(Sym::Const(v)) => Some(*v),
            _ => None,
        },
        ExprKind::Unary(UnOp::Neg, a) => const_eval(a, syms).map(|x| -x),
        ExprKind::Binary(op, a, b) => {
            let (x, y) = (const_eval(a, syms)?, const_eval(b, syms)?);
            Some(match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x * y,
                BinOp::Div => x / y,
                BinOp::Pow => x.powf(y),
                _ => return None,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{Verbatim, classify_verbatim};

    #[test]
    fn verbatim_idioms() {
        assert_eq!(
            classify_verbatim("  printf(\"x=%g; y\\\"\", x); // note\n fflush(stdout);"),
            Verbatim::Nothing
        );
        assert_eq!(
            classify_verbatim("/* a; b */ if (1) { fprintf(stderr, \"bad\\n\"); }"),
            Verbatim::Code("if (1)".into())
        );
        assert_eq!(
            classify_verbatim("hoc_execerror(\"tau must be\", \"positive\");"),
            Verbatim::Error("tau must be positive".into())
        );
        assert_eq!(
            classify_verbatim("FILE *outfile; outfile = fopen(filename, \"a\");"),
            Verbatim::Code("FILE *outfile".into())
        );
        assert_eq!(classify_verbatim(" return 0; "), Verbatim::Nothing);
        assert_eq!(classify_verbatim("\n\treturn;\n"), Verbatim::Nothing);
        assert_eq!(
            classify_verbatim("\n\tcai = _ion_cai;\n\tCai = _ion_Cai;\n"),
            Verbatim::Nothing
        );
        assert!(matches!(
            classify_verbatim("cai = _ion_cao;"),
            Verbatim::Code(_)
        ));
    }
}
