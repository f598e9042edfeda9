//! Syntax tree for NMODL files. Every node carries the [`TextRange`] it was parsed from.
//! The tree is purely syntactic: names are not resolved and units are kept as text.

use ranvier_span::TextRange;

/// A name with its position.
#[derive(Clone, Debug, PartialEq)]
pub struct Name {
    /// The identifier text.
    pub text: String,
    /// Where it appears.
    pub range: TextRange,
}

/// A unit written in parentheses, e.g. `(mA/cm2)`; `text` is the inside with whitespace
/// collapsed (`mA/cm2`), `range` covers the parentheses.
#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    /// The unit text without parentheses.
    pub text: String,
    /// Range including the parentheses.
    pub range: TextRange,
}

/// A raw text block (`COMMENT`, `VERBATIM`).
#[derive(Clone, Debug, PartialEq)]
pub struct RawBlock {
    /// The text between the opening and closing keywords.
    pub text: String,
    /// Range including both keywords.
    pub range: TextRange,
}

/// A parsed `.mod` file.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Module {
    /// Top-level items in source order.
    pub items: Vec<Item>,
    /// Every `COMMENT … ENDCOMMENT` block, wherever it appeared.
    pub comments: Vec<RawBlock>,
}

/// A top-level item.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// What it is.
    pub kind: ItemKind,
    /// Its full extent.
    pub range: TextRange,
}

/// Top-level constructs.
#[derive(Clone, Debug, PartialEq)]
pub enum ItemKind {
    /// `TITLE text`
    Title(String),
    /// `NEURON { … }`
    Neuron(Vec<NeuronStmt>),
    /// `UNITS { … }`
    Units(Vec<UnitDef>),
    /// `PARAMETER { … }`
    Parameter(Vec<Decl>),
    /// `CONSTANT { … }`
    Constant(Vec<Decl>),
    /// `ASSIGNED { … }`
    Assigned(Vec<Decl>),
    /// `STATE { … }`
    State(Vec<Decl>),
    /// `INDEPENDENT { … }`
    Independent(Vec<Decl>),
    /// `INITIAL`, `BREAKPOINT`, `DESTRUCTOR`, `CONSTRUCTOR`, `BEFORE x`, `AFTER x`:
    /// a block of statements with no name.
    Block(BlockItem),
    /// `DERIVATIVE`, `KINETIC`, `LINEAR`, `NONLINEAR`: a named block of statements.
    Solvable(SolveBlock),
    /// `PROCEDURE` / `FUNCTION` definitions.
    Callable(Callable),
    /// `FUNCTION_TABLE name(args) (unit)`
    FunctionTable {
        /// Table name.
        name: Name,
        /// Arguments.
        params: Vec<Param>,
        /// Return unit.
        unit: Option<Unit>,
    },
    /// `NET_RECEIVE(args) { … }`
    NetReceive {
        /// Arguments (weights and per-NetCon state).
        params: Vec<Param>,
        /// Body (may contain an `INITIAL { }` statement).
        body: Block,
    },
    /// `VERBATIM … ENDVERBATIM` at file scope.
    Verbatim(RawBlock),
    /// `INCLUDE "file"`; the string is the path without quotes.
    Include(String),
    /// `UNITSON` (true) or `UNITSOFF` (false).
    UnitsFlag(bool),
    /// File-scope `LOCAL a, b[3]`.
    Local(Vec<LocalVar>),
    /// `DEFINE NAME value`
    Define(Name, f64),
}

/// Which unnamed statement block an [`ItemKind::Block`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockKind {
    /// `INITIAL`
    Initial,
    /// `BREAKPOINT`
    Breakpoint,
    /// `DESTRUCTOR`
    Destructor,
    /// `CONSTRUCTOR`
    Constructor,
    /// `BEFORE <when>`
    Before,
    /// `AFTER <when>`
    After,
}

/// An unnamed block item.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockItem {
    /// Which block.
    pub kind: BlockKind,
    /// For `BEFORE`/`AFTER`: `BREAKPOINT`, `SOLVE`, `INITIAL` or `STEP`.
    pub when: Option<Name>,
    /// The statements.
    pub body: Block,
}

/// Which named solvable block a [`SolveBlock`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SolveKind {
    /// `DERIVATIVE`
    Derivative,
    /// `KINETIC`
    Kinetic,
    /// `LINEAR`
    Linear,
    /// `NONLINEAR`
    NonLinear,
}

/// `DERIVATIVE name { … }` and friends.
#[derive(Clone, Debug, PartialEq)]
pub struct SolveBlock {
    /// Which kind.
    pub kind: SolveKind,
    /// The block name used by `SOLVE`.
    pub name: Name,
    /// Statements.
    pub body: Block,
}

/// `PROCEDURE` or `FUNCTION`.
#[derive(Clone, Debug, PartialEq)]
pub struct Callable {
    /// True for `FUNCTION`, false for `PROCEDURE`.
    pub is_function: bool,
    /// Name.
    pub name: Name,
    /// Parameters.
    pub params: Vec<Param>,
    /// Return unit for functions (`FUNCTION f(x) (mV) { }`).
    pub unit: Option<Unit>,
    /// Body.
    pub body: Block,
}

/// A formal parameter `name` or `name (unit)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// Name.
    pub name: Name,
    /// Optional unit.
    pub unit: Option<Unit>,
}

/// A statement inside the NEURON block.
#[derive(Clone, Debug, PartialEq)]
pub struct NeuronStmt {
    /// What it declares.
    pub kind: NeuronStmtKind,
    /// Extent.
    pub range: TextRange,
}

/// The mechanism kind introduced by `SUFFIX`, `POINT_PROCESS` or `ARTIFICIAL_CELL`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MechKind {
    /// `SUFFIX`
    Suffix,
    /// `POINT_PROCESS`
    PointProcess,
    /// `ARTIFICIAL_CELL`
    ArtificialCell,
}

/// Name-list statements in the NEURON block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListKind {
    /// `RANGE`
    Range,
    /// `GLOBAL`
    Global,
    /// `POINTER`
    Pointer,
    /// `BBCOREPOINTER`
    BbcorePointer,
    /// `EXTERNAL`
    External,
    /// `RANDOM`
    Random,
    /// `NONSPECIFIC_CURRENT`
    NonspecificCurrent,
    /// `ELECTRODE_CURRENT`
    ElectrodeCurrent,
    /// `SECTION`
    Section,
}

/// NEURON-block statements.
#[derive(Clone, Debug, PartialEq)]
pub enum NeuronStmtKind {
    /// `SUFFIX x`, `POINT_PROCESS x`, `ARTIFICIAL_CELL x`.
    Mechanism(MechKind, Name),
    /// `USEION ion READ a, b WRITE c VALENCE z`.
    UseIon {
        /// Ion name.
        ion: Name,
        /// READ list.
        read: Vec<Name>,
        /// WRITE list.
        write: Vec<Name>,
        /// VALENCE value (sign included).
        valence: Option<f64>,
        /// REPRESENTS ontology id.
        represents: Option<String>,
    },
    /// `RANGE a, b` and the other list statements.
    List(ListKind, Vec<Name>),
    /// `THREADSAFE` (optionally with a name list).
    ThreadSafe(Vec<Name>),
    /// `REPRESENTS NCIT:C17145` (ontology annotation; the id is kept verbatim).
    Represents(String),
}

/// A UNITS block entry.
#[derive(Clone, Debug, PartialEq)]
pub enum UnitDef {
    /// `(mV) = (millivolt)`
    Alias {
        /// The new unit.
        name: Unit,
        /// Its definition.
        def: Unit,
    },
    /// `FARADAY = (faraday) (coulomb)` or `R = 8.314 (joule/degC)`.
    Constant {
        /// Constant name.
        name: Name,
        /// Numeric value, if written.
        value: Option<f64>,
        /// The physical-constant unit factor, e.g. `(faraday)`.
        factor: Option<Unit>,
        /// The unit the constant is expressed in, e.g. `(coulomb)`.
        unit: Option<Unit>,
        /// Extent.
        range: TextRange,
    },
}

/// One declared name in PARAMETER / CONSTANT / ASSIGNED / STATE / INDEPENDENT.
#[derive(Clone, Debug, PartialEq)]
pub struct Decl {
    /// Name.
    pub name: Name,
    /// Array length for `x[3]`.
    pub array_len: Option<u32>,
    /// `= value` (sign included).
    pub value: Option<f64>,
    /// `(unit)`.
    pub unit: Option<Unit>,
    /// `<lo, hi>` limits, or `<tol>` (then `lo == hi == tol` and `tolerance` is set).
    pub limits: Option<(f64, f64)>,
    /// Whether `limits` came from a single-value `<tol>` (absolute tolerance).
    pub tolerance: bool,
    /// `FROM a TO b` (STATE / ASSIGNED / INDEPENDENT).
    pub from_to: Option<(f64, f64)>,
    /// `WITH n` (INDEPENDENT).
    pub with: Option<f64>,
    /// Extent.
    pub range: TextRange,
}

/// A `LOCAL` variable, possibly an array.
#[derive(Clone, Debug, PartialEq)]
pub struct LocalVar {
    /// Name.
    pub name: Name,
    /// Array length.
    pub array_len: Option<u32>,
}

/// A `{ … }` block.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Block {
    /// Statements in order.
    pub stmts: Vec<Stmt>,
    /// Extent including braces.
    pub range: TextRange,
}

/// A statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    /// What it is.
    pub kind: StmtKind,
    /// Extent.
    pub range: TextRange,
}

/// Numerical methods are just names here (`cnexp`, `derivimplicit`, `sparse`, …).
#[derive(Clone, Debug, PartialEq)]
pub struct Solve {
    /// The block being solved.
    pub block: Name,
    /// `METHOD name`.
    pub method: Option<Name>,
    /// `STEADYSTATE name`.
    pub steadystate: Option<Name>,
    /// `IFERROR { … }`.
    pub if_error: Option<Block>,
}

/// `TABLE a, b DEPEND c FROM lo TO hi WITH n`.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Tabulated names (empty for a tabulated FUNCTION's own value).
    pub names: Vec<Name>,
    /// DEPEND names.
    pub depend: Vec<Name>,
    /// FROM bound.
    pub from: Expr,
    /// TO bound.
    pub to: Expr,
    /// WITH count.
    pub with: Expr,
}

/// A reactant term `2 A` or `ca[0]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Reactant {
    /// Stoichiometric coefficient (1 if absent).
    pub coeff: u32,
    /// Species (a name, possibly indexed).
    pub species: Expr,
}

/// Kinetic scheme / linear system statements after `~`.
#[derive(Clone, Debug, PartialEq)]
pub enum Reaction {
    /// `~ A + B <-> C (kf, kb)`
    Reversible {
        /// Left side.
        lhs: Vec<Reactant>,
        /// Right side.
        rhs: Vec<Reactant>,
        /// Forward rate.
        kf: Expr,
        /// Backward rate.
        kb: Expr,
    },
    /// `~ A -> B (k)` (one-way).
    Forward {
        /// Left side.
        lhs: Vec<Reactant>,
        /// Right side (may be empty: `~ A -> (k)`).
        rhs: Vec<Reactant>,
        /// Rate.
        k: Expr,
    },
    /// `~ A << (flux)`
    Flux {
        /// Species.
        lhs: Vec<Reactant>,
        /// Flux expression.
        flux: Expr,
    },
    /// `~ lhs = rhs` in LINEAR / NONLINEAR blocks.
    Equation {
        /// Left side.
        lhs: Expr,
        /// Right side.
        rhs: Expr,
    },
}

/// Statements.
#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `lhs = rhs`; `lhs` is a name, indexed name or derivative `x'`.
    Assign {
        /// Target.
        lhs: Expr,
        /// Value.
        rhs: Expr,
    },
    /// An expression used as a statement (usually a call).
    Expr(Expr),
    /// `LOCAL a, b[2]`.
    Local(Vec<LocalVar>),
    /// `if (c) { } else if (d) { } else { }`; `else if` nests in `else_block`.
    If {
        /// Condition.
        cond: Expr,
        /// Then branch.
        then_block: Block,
        /// Else branch (an `else if` is a block holding one `If` statement).
        else_block: Option<Block>,
    },
    /// `while (c) { }`
    While {
        /// Condition.
        cond: Expr,
        /// Body.
        body: Block,
    },
    /// `FROM i = a TO b [BY s] { }`
    FromTo {
        /// Loop variable.
        var: Name,
        /// Start.
        from: Expr,
        /// End (inclusive).
        to: Expr,
        /// Step.
        by: Option<Expr>,
        /// Body.
        body: Block,
    },
    /// `SOLVE x METHOD m`
    Solve(Solve),
    /// `TABLE …`
    Table(Table),
    /// `WATCH (cond) flag, (cond) flag`
    Watch(Vec<(Expr, Expr)>),
    /// `FOR_NETCONS(a, b) { }`
    ForNetcons {
        /// Parameters naming NET_RECEIVE arguments.
        params: Vec<Param>,
        /// Body.
        body: Block,
    },
    /// `PROTECT x = …`
    Protect(Box<Stmt>),
    /// `MUTEXLOCK`
    MutexLock,
    /// `MUTEXUNLOCK`
    MutexUnlock,
    /// `VERBATIM … ENDVERBATIM`
    Verbatim(RawBlock),
    /// `UNITSON` (true) / `UNITSOFF` (false)
    UnitsFlag(bool),
    /// `~ …` reaction or equation.
    Reaction(Reaction),
    /// `CONSERVE lhs = rhs`
    Conserve {
        /// Left side.
        lhs: Expr,
        /// Right side.
        rhs: Expr,
    },
    /// `COMPARTMENT [i,] vol { species }` or `LONGITUDINAL_DIFFUSION [i,] d { species }`.
    Compartment {
        /// True for LONGITUDINAL_DIFFUSION.
        longitudinal: bool,
        /// Index variable.
        index: Option<Name>,
        /// Volume / diffusion expression.
        expr: Expr,
        /// Species names.
        species: Vec<Name>,
    },
    /// `INCLUDE "file"` inside a block.
    Include(String),
    /// `LAG var BY delay`
    Lag {
        /// Lagged variable.
        var: Name,
        /// Delay name.
        by: Name,
    },
    /// `INITIAL { }` inside NET_RECEIVE.
    Initial(Block),
    /// A nested `{ }` block.
    Block(Block),
    /// A statement that failed to parse (already reported).
    Error,
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
    /// `^`
    Pow,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `&&`
    And,
    /// `||`
    Or,
}

impl BinOp {
    /// The operator's spelling.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::Pow => "^",
            BinOp::Lt => "<",
            BinOp::Gt => ">",
            BinOp::Le => "<=",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::And => "&&",
            BinOp::Or => "||",
        }
    }
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    /// `-`
    Neg,
    /// `!`
    Not,
}

/// An expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Extent.
    pub range: TextRange,
}

/// Expression forms.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A numeric literal, with its unit if annotated (`0.062 (/mV)`).
    Number {
        /// Value.
        value: f64,
        /// Source spelling.
        text: String,
        /// Unit annotation.
        unit: Option<Unit>,
    },
    /// A string literal (contents without quotes, escapes kept verbatim).
    String(String),
    /// A variable.
    Name(Name),
    /// `x[i]`
    Index(Name, Box<Expr>),
    /// `x'` (derivative; appears as an assignment target).
    Prime(Name),
    /// `f(a, b)`
    Call(Name, Vec<Expr>),
    /// `a op b`
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `-a`, `!a`
    Unary(UnOp, Box<Expr>),
    /// `(a)`
    Paren(Box<Expr>),
    /// Placeholder for an expression that failed to parse (already reported).
    Error,
}

macro_rules! keywords {
    ($ty:ty { $($var:ident => $kw:literal),* $(,)? }) => {
        impl $ty {
            /// The NMODL keyword spelling.
            pub fn keyword(self) -> &'static str {
                match self {
                    $(<$ty>::$var => $kw,)*
                }
            }
        }
    };
}

keywords!(MechKind { Suffix => "SUFFIX", PointProcess => "POINT_PROCESS", ArtificialCell => "ARTIFICIAL_CELL" });
keywords!(ListKind {
    Range => "RANGE", Global => "GLOBAL", Pointer => "POINTER", BbcorePointer => "BBCOREPOINTER",
    External => "EXTERNAL", Random => "RANDOM", NonspecificCurrent => "NONSPECIFIC_CURRENT",
    ElectrodeCurrent => "ELECTRODE_CURRENT", Section => "SECTION",
});
keywords!(BlockKind {
    Initial => "INITIAL", Breakpoint => "BREAKPOINT", Destructor => "DESTRUCTOR",
    Constructor => "CONSTRUCTOR", Before => "BEFORE", After => "AFTER",
});
keywords!(SolveKind { Derivative => "DERIVATIVE", Kinetic => "KINETIC", Linear => "LINEAR", NonLinear => "NONLINEAR" });
