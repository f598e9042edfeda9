//! The kernel IR: what the NMODL compiler emits and the interpreter runs.
//!
//! A kernel is a list of [`Op`]s over numbered registers. Every register holds one value
//! per instance; every op runs over all instances of the mechanism at once ("array at a
//! time"), so interpretation costs one dispatch per op, not per instance. Control flow
//! is structured: [`Op::If`] runs both branches under a mask, and every write inside a
//! branch (to registers, fields, ions, the matrix) only happens where the mask is set.
//! Kernels have no loops; the compiler unrolls or rejects them.

use ranvier_mech::IonVar;

/// A register index.
pub type Reg = u16;

/// Binary operations. Comparisons and logic give 1.0 or 0.0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    /// `a ^ b` (C's `pow`).
    Pow,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
    Min,
    Max,
    /// `atan2(a, b)`.
    Atan2,
    /// C's `fmod`.
    Fmod,
}

/// Unary operations (C's math library).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
    Exp,
    Log,
    Log10,
    Sqrt,
    Fabs,
    Floor,
    Ceil,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
}

/// One instruction.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    Const {
        dst: Reg,
        value: f64,
    },
    Copy {
        dst: Reg,
        src: Reg,
    },
    /// A per-instance field (parameter, state or assigned variable).
    Field {
        dst: Reg,
        field: u16,
    },
    StoreField {
        field: u16,
        src: Reg,
    },
    Global {
        dst: Reg,
        global: u16,
    },
    /// Write a `GLOBAL` (the value of the last active instance wins, as in NEURON where
    /// instances run one after the other).
    StoreGlobal {
        global: u16,
        src: Reg,
    },
    /// Membrane potential at the instance's node `[mV]`.
    Voltage {
        dst: Reg,
    },
    /// Write the membrane potential (`INITIAL`, `NET_RECEIVE`).
    StoreVoltage {
        src: Reg,
    },
    /// Read an ion variable of the `dep`-th `USEION`.
    Ion {
        dst: Reg,
        dep: u8,
        var: IonVar,
    },
    /// Write an ion concentration or reversal potential.
    StoreIon {
        dep: u8,
        var: IonVar,
        src: Reg,
    },
    /// Add to the ion's total current `[mA/cm2]`.
    AddIonCurrent {
        dep: u8,
        src: Reg,
    },
    /// Add to the ion's `di/dv` (kept only for Crank-Nicolson).
    AddIonDidv {
        dep: u8,
        src: Reg,
    },
    /// Add to the right-hand side of the instance's node.
    AddRhs {
        src: Reg,
    },
    /// Add to the diagonal of the instance's node.
    AddD {
        src: Reg,
    },
    /// Time `[ms]` (the event time in `NET_RECEIVE`).
    Time {
        dst: Reg,
    },
    Dt {
        dst: Reg,
    },
    Celsius {
        dst: Reg,
    },
    /// 1 when Crank-Nicolson (`secondorder = 2`) is on, else 0.
    SecondOrder {
        dst: Reg,
    },
    /// Point processes: `1e2 / area` of the node `[1/um2]`.
    AreaFactor {
        dst: Reg,
    },
    /// Diameter of the instance's segment `[um]`.
    Diam {
        dst: Reg,
    },
    Bin {
        op: BinOp,
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    /// `dst = a op k`, or `k op a` with `k_first` (a [`Op::Bin`] with a constant
    /// operand, made by the optimiser).
    BinK {
        op: BinOp,
        dst: Reg,
        a: Reg,
        k: f64,
        k_first: bool,
    },
    Un {
        op: UnOp,
        dst: Reg,
        a: Reg,
    },
    /// `dst = cond != 0 ? a : b`.
    Select {
        dst: Reg,
        cond: Reg,
        a: Reg,
        b: Reg,
    },
    /// Run `then` where `cond != 0` and `otherwise` elsewhere.
    If {
        cond: Reg,
        then: Vec<Op>,
        otherwise: Vec<Op>,
    },
    /// NEURON's cnexp update of the state in `field` for `x' = a + b x`:
    /// `x += (1 - exp(dt b)) (-a/b - x)`, with the same operations in the same order as
    /// the separate ops would do them (one op instead of about ten).
    Cnexp {
        field: u16,
        a: Reg,
        b: Reg,
        dt: Reg,
    },
    /// Repeat `body` in the lanes where `cond != 0` until it is 0 in all of them; `cond`
    /// is computed before the loop and recomputed by `body` (a lane that reaches 0 stays
    /// finished).
    Loop {
        cond: Reg,
        body: Vec<Op>,
    },
    /// `NET_RECEIVE` argument `k` of the delivering connection.
    Weight {
        dst: Reg,
        k: u8,
    },
    StoreWeight {
        k: u8,
        src: Reg,
    },
    /// `FOR_NETCONS(...) { body }`: run `body` once per connection targeting the
    /// instance, in connection order (net_receive runs one instance, so no masks).
    ForNetcons {
        body: Vec<Op>,
    },
    /// Argument `k` of the connection the enclosing `ForNetcons` is at.
    NcWeight {
        dst: Reg,
        k: u8,
    },
    StoreNcWeight {
        k: u8,
        src: Reg,
    },
    /// The event's flag (0 for connection events).
    Flag {
        dst: Reg,
    },
    /// `net_send(delay, flag)`.
    NetSend {
        delay: Reg,
        flag: Reg,
    },
    /// `net_event(t)`.
    NetEvent {
        time: Reg,
    },
    /// Stop the run with `message` if any lane reaches this op (a failed Newton solve,
    /// `hoc_execerror`). The message names the mechanism's construct that failed.
    Fail {
        message: String,
    },
    /// Look up table `table` at `x` with NEURON's linear interpolation, writing one
    /// value per tabulated variable to `dst` (in [`TableSpec::outputs`] order).
    Table {
        table: u16,
        x: Reg,
        dst: Vec<Reg>,
    },
}

impl Op {
    /// The register this op writes, if any.
    #[must_use]
    pub fn dst(&self) -> Option<Reg> {
        match *self {
            Op::Const { dst, .. }
            | Op::Copy { dst, .. }
            | Op::Field { dst, .. }
            | Op::Global { dst, .. }
            | Op::Voltage { dst }
            | Op::Ion { dst, .. }
            | Op::Time { dst }
            | Op::Dt { dst }
            | Op::Celsius { dst }
            | Op::SecondOrder { dst }
            | Op::AreaFactor { dst }
            | Op::Diam { dst }
            | Op::Bin { dst, .. }
            | Op::BinK { dst, .. }
            | Op::Un { dst, .. }
            | Op::Select { dst, .. }
            | Op::Weight { dst, .. }
            | Op::NcWeight { dst, .. }
            | Op::Flag { dst } => Some(dst),
            Op::Table { ref dst, .. } => dst.first().copied(),
            _ => None,
        }
    }
}

/// A kernel: its ops and how many registers they use.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Kernel {
    pub ops: Vec<Op>,
    pub n_regs: usize,
    /// Deepest nesting of [`Op::If`] and [`Op::Loop`].
    pub depth: usize,
    /// The builder ran out of registers (more than 65,535): the kernel is unusable and
    /// the compiler must reject the mechanism.
    pub overflow: bool,
    /// The kernel reads a GLOBAL that it also assigns (a read the optimiser could not
    /// forward from the same instance's store), so it runs one instance at a time:
    /// NEURON runs a mechanism's instances in order, each reading what the previous one
    /// left in the shared variable (the last writer wins).
    pub sequential: bool,
}

impl Kernel {
    /// A kernel whose register count is computed from its ops.
    #[must_use]
    pub fn new(ops: Vec<Op>) -> Self {
        let mut n = 0;
        scan_regs(&ops, &mut n);
        let depth = if_depth(&ops);
        let sequential = reads_stored_global(&ops);
        Self {
            ops,
            n_regs: n,
            depth,
            overflow: false,
            sequential,
        }
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

impl Op {
    /// Registers this op reads (a `Table` also lists the registers it writes).
    #[must_use]
    pub fn reads(&self) -> Vec<Reg> {
        reads(self)
    }

    /// Replace every register this op reads by `f(register)`.
    pub fn map_reads(&mut self, f: &impl Fn(Reg) -> Reg) {
        match self {
            Op::Copy { src, .. }
            | Op::StoreField { src, .. }
            | Op::StoreGlobal { src, .. }
            | Op::StoreVoltage { src }
            | Op::StoreIon { src, .. }
            | Op::AddIonCurrent { src, .. }
            | Op::AddIonDidv { src, .. }
            | Op::AddRhs { src }
            | Op::AddD { src }
            | Op::StoreWeight { src, .. }
            | Op::StoreNcWeight { src, .. } => *src = f(*src),
            Op::Bin { a, b, .. } => {
                *a = f(*a);
                *b = f(*b);
            }
            Op::BinK { a, .. } | Op::Un { a, .. } => *a = f(*a),
            Op::Cnexp { a, b, dt, .. } => {
                *a = f(*a);
                *b = f(*b);
                *dt = f(*dt);
            }
            Op::Select { cond, a, b, .. } => {
                *cond = f(*cond);
                *a = f(*a);
                *b = f(*b);
            }
            Op::NetSend { delay, flag } => {
                *delay = f(*delay);
                *flag = f(*flag);
            }
            Op::NetEvent { time } => *time = f(*time),
            Op::If { cond, .. } | Op::Loop { cond, .. } => *cond = f(*cond),
            Op::Table { x, .. } => *x = f(*x),
            _ => {}
        }
    }
}

/// Registers an op reads.
fn reads(op: &Op) -> Vec<Reg> {
    match *op {
        Op::Copy { src, .. }
        | Op::StoreField { src, .. }
        | Op::StoreGlobal { src, .. }
        | Op::StoreVoltage { src }
        | Op::StoreIon { src, .. }
        | Op::AddIonCurrent { src, .. }
        | Op::AddIonDidv { src, .. }
        | Op::AddRhs { src }
        | Op::AddD { src }
        | Op::StoreWeight { src, .. }
        | Op::StoreNcWeight { src, .. } => vec![src],
        Op::Bin { a, b, .. } => vec![a, b],
        Op::Un { a, .. } | Op::BinK { a, .. } => vec![a],
        Op::Cnexp { a, b, dt, .. } => vec![a, b, dt],
        Op::Select { cond, a, b, .. } => vec![cond, a, b],
        Op::NetSend { delay, flag } => vec![delay, flag],
        Op::NetEvent { time } => vec![time],
        Op::If { cond, .. } | Op::Loop { cond, .. } => vec![cond],
        Op::Table { x, ref dst, .. } => std::iter::once(x).chain(dst.iter().copied()).collect(),
        _ => Vec::new(),
    }
}

fn scan_regs(ops: &[Op], n: &mut usize) {
    for op in ops {
        for r in op.dst().into_iter().chain(reads(op)) {
            *n = (*n).max(r as usize + 1);
        }
        if let Op::If {
            then, otherwise, ..
        } = op
        {
            scan_regs(then, n);
            scan_regs(otherwise, n);
        }
        if let Op::ForNetcons { body } | Op::Loop { body, .. } = op {
            scan_regs(body, n);
        }
    }
}

/// Does the kernel read a GLOBAL it also stores?
fn reads_stored_global(ops: &[Op]) -> bool {
    fn scan(ops: &[Op], stored: &mut Vec<u16>, read: &mut Vec<u16>) {
        for op in ops {
            match *op {
                Op::StoreGlobal { global, .. } => stored.push(global),
                Op::Global { global, .. } => read.push(global),
                _ => {}
            }
            match op {
                Op::If {
                    then, otherwise, ..
                } => {
                    scan(then, stored, read);
                    scan(otherwise, stored, read);
                }
                Op::ForNetcons { body } | Op::Loop { body, .. } => scan(body, stored, read),
                _ => {}
            }
        }
    }
    let (mut stored, mut read) = (Vec::new(), Vec::new());
    scan(ops, &mut stored, &mut read);
    read.iter().any(|g| stored.contains(g))
}

fn if_depth(ops: &[Op]) -> usize {
    ops.iter()
        .map(|op| match op {
            Op::If {
                then, otherwise, ..
            } => 1 + if_depth(then).max(if_depth(otherwise)),
            Op::ForNetcons { body } => if_depth(body),
            Op::Loop { body, .. } => 1 + if_depth(body),
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

/// Emits ops with fresh registers; what the compiler (and tests) use to write kernels.
#[derive(Debug, Default)]
pub struct KernelBuilder {
    ops: Vec<Op>,
    next: Reg,
    /// `if`s opened with [`KernelBuilder::begin_if`]: condition, the enclosing ops, and
    /// the `then` ops once [`KernelBuilder::begin_else`] was called.
    open: Vec<(Reg, Vec<Op>, Option<Vec<Op>>)>,
    /// Set when more registers were asked for than [`Reg`] can number.
    overflow: bool,
    /// Enclosing ops of open `FOR_NETCONS` bodies.
    loops: Vec<Vec<Op>>,
    /// Enclosing ops of open [`Op::Loop`] bodies.
    whiles: Vec<Vec<Op>>,
}

impl KernelBuilder {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn fresh(&mut self) -> Reg {
        let r = self.next;
        match self.next.checked_add(1) {
            Some(n) => self.next = n,
            None => self.overflow = true,
        }
        r
    }

    /// Emit an op that writes a fresh register made by `f`.
    pub fn emit(&mut self, f: impl FnOnce(Reg) -> Op) -> Reg {
        let r = self.fresh();
        self.ops.push(f(r));
        r
    }

    /// Emit an op that writes nothing.
    pub fn push(&mut self, op: Op) {
        self.ops.push(op);
    }

    pub fn constant(&mut self, value: f64) -> Reg {
        self.emit(|dst| Op::Const { dst, value })
    }

    pub fn field(&mut self, field: u16) -> Reg {
        self.emit(|dst| Op::Field { dst, field })
    }

    pub fn bin(&mut self, op: BinOp, a: Reg, b: Reg) -> Reg {
        self.emit(|dst| Op::Bin { op, dst, a, b })
    }

    pub fn un(&mut self, op: UnOp, a: Reg) -> Reg {
        self.emit(|dst| Op::Un { op, dst, a })
    }

    pub fn add(&mut self, a: Reg, b: Reg) -> Reg {
        self.bin(BinOp::Add, a, b)
    }

    pub fn sub(&mut self, a: Reg, b: Reg) -> Reg {
        self.bin(BinOp::Sub, a, b)
    }

    pub fn mul(&mut self, a: Reg, b: Reg) -> Reg {
        self.bin(BinOp::Mul, a, b)
    }

    pub fn div(&mut self, a: Reg, b: Reg) -> Reg {
        self.bin(BinOp::Div, a, b)
    }

    /// Build an `if` whose branches are written by `then` and `otherwise` into the same
    /// register space.
    pub fn if_else(
        &mut self,
        cond: Reg,
        then: impl FnOnce(&mut Self),
        otherwise: impl FnOnce(&mut Self),
    ) {
        let outer = std::mem::take(&mut self.ops);
        then(self);
        let t = std::mem::take(&mut self.ops);
        otherwise(self);
        let o = std::mem::replace(&mut self.ops, outer);
        self.ops.push(Op::If {
            cond,
            then: t,
            otherwise: o,
        });
    }

    /// Open an `if` on `cond`; ops emitted until [`KernelBuilder::end_if`] (or
    /// [`KernelBuilder::begin_else`]) run only in lanes where `cond` is non-zero.
    pub fn begin_if(&mut self, cond: Reg) {
        let outer = std::mem::take(&mut self.ops);
        self.open.push((cond, outer, None));
    }

    /// Switch the innermost open `if` to its `else` branch.
    pub fn begin_else(&mut self) {
        let then = std::mem::take(&mut self.ops);
        if let Some(top) = self.open.last_mut() {
            top.2 = Some(then);
        }
    }

    /// Open a `FOR_NETCONS` body; close it with [`KernelBuilder::end_for_netcons`].
    pub fn begin_for_netcons(&mut self) {
        let outer = std::mem::take(&mut self.ops);
        self.loops.push(outer);
    }

    /// Close the innermost `FOR_NETCONS` body.
    pub fn end_for_netcons(&mut self) {
        let Some(outer) = self.loops.pop() else {
            return;
        };
        let body = std::mem::replace(&mut self.ops, outer);
        self.ops.push(Op::ForNetcons { body });
    }

    /// Open a loop body; close it with [`KernelBuilder::end_loop`].
    pub fn begin_loop(&mut self) {
        let outer = std::mem::take(&mut self.ops);
        self.whiles.push(outer);
    }

    /// Close the innermost loop body: it repeats while `cond` (computed before
    /// [`KernelBuilder::begin_loop`] and updated by the body) is non-zero.
    pub fn end_loop(&mut self, cond: Reg) {
        let Some(outer) = self.whiles.pop() else {
            return;
        };
        let body = std::mem::replace(&mut self.ops, outer);
        self.ops.push(Op::Loop { cond, body });
    }

    /// Close the innermost open `if`.
    pub fn end_if(&mut self) {
        let Some((cond, outer, then)) = self.open.pop() else {
            return;
        };
        let current = std::mem::replace(&mut self.ops, outer);
        let (then, otherwise) = match then {
            Some(t) => (t, current),
            None => (current, Vec::new()),
        };
        self.ops.push(Op::If {
            cond,
            then,
            otherwise,
        });
    }

    #[must_use]
    pub fn finish(self) -> Kernel {
        let mut k = Kernel::new(crate::opt::optimize(self.ops));
        k.overflow = self.overflow;
        k
    }
}

/// A `TABLE`: `outputs` (fields of the mechanism) tabulated over `from..=to` in `with`
/// intervals by running `builder` with the argument in field `arg`.
#[derive(Clone, Debug, PartialEq)]
pub struct TableSpec {
    pub builder: Kernel,
    /// Field holding the argument while the table is built.
    pub arg: u16,
    /// Fields whose values are tabulated.
    pub outputs: Vec<u16>,
    pub from: TableBound,
    pub to: TableBound,
    pub with: usize,
}

/// A `TABLE`'s FROM or TO: a number, or a GLOBAL read when the table is built (Mainen's
/// `FROM vmin TO vmax`; nocmodl evaluates them in the table check).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TableBound {
    Value(f64),
    Global(u16),
}

impl TableBound {
    /// The bound's value under `globals`.
    #[must_use]
    pub fn value(self, globals: &[f64]) -> f64 {
        match self {
            TableBound::Value(x) => x,
            TableBound::Global(g) => globals.get(g as usize).copied().unwrap_or(f64::NAN),
        }
    }
}
