//! Syntax tree for hoc files. Every node carries the [`TextRange`] it was parsed from.
//!
//! hoc decides some things at run time that a parser must decide up front; the parser
//! settles them like this:
//! - `name stmt` (a *section statement*, e.g. `soma { insert hh }`, `comp[1] L = 10`,
//!   `cell.axon connect ...`) is recognised when a reference to a name that some `create`
//!   in the file declares is followed by the start of another statement;
//! - `gnabar_hh(0.5) = x` is an assignment to a [`ExprKind::Call`]; the interpreter
//!   reads such calls of range variables as "the value at this location";
//! - `for (x)` and `for (x, 0)` (a name alone, or a name and one expression, in the
//!   parentheses) are segment loops ([`StmtKind::ForSeg`]); `diam(0:1) = 2:1` (a `:`
//!   inside the first parentheses of a statement) is a taper ([`StmtKind::Taper`]);
//! - several statements may share a line without separators (`L = 15  diam = 16`).

use ranvier_span::TextRange;

/// A name with its position.
#[derive(Clone, Debug, PartialEq)]
pub struct Name {
    /// The identifier text.
    pub text: String,
    /// Where it appears.
    pub range: TextRange,
}

/// A parsed hoc file: its statements in order (definitions included).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Program {
    pub stmts: Vec<Stmt>,
}

/// A statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub range: TextRange,
}

/// One declared name, possibly with array dimensions: `dend[ndend]`, `m[2][3]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Decl {
    pub name: Name,
    /// Dimension sizes (empty for a scalar).
    pub dims: Vec<Expr>,
}

/// `proc`, `func`, `obfunc` or `iterator` definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FuncKind {
    /// `proc name() { }`: no value.
    Proc,
    /// `func name() { return x }`: a number.
    Func,
    /// `obfunc name() { return obj }`: an object.
    Obfunc,
}

/// A `proc`/`func`/`obfunc` definition. Arguments are `$1`, `$o2`, ...; there is no
/// parameter list.
#[derive(Clone, Debug, PartialEq)]
pub struct FuncDef {
    pub kind: FuncKind,
    pub name: Name,
    /// The body (a `{ }` block).
    pub body: Vec<Stmt>,
}

/// What `connect` joins: `connect child(cx), parent(px)`, `connect child(cx), px` (parent
/// is the current section) and `parent connect child(cx), px` (written as a
/// [`StmtKind::SecStmt`] around a `Connect` with `parent: None`).
#[derive(Clone, Debug, PartialEq)]
pub struct Connect {
    /// The child section reference.
    pub child: Expr,
    /// The child's end (0 or 1); `None` when omitted (then 0).
    pub child_x: Option<Expr>,
    /// The parent section, when written (`connect a(0), b(1)`).
    pub parent: Option<Expr>,
    /// Location on the parent.
    pub parent_x: Expr,
}

/// A range-variable taper `rangevar(x1:x2) op y1:y2` (`diam(0:1) = 2:1`,
/// `soma.gnabar_hh(0.2:0.8) = 0.1:0.05`).
#[derive(Clone, Debug, PartialEq)]
pub struct Taper {
    /// The range variable: a [`ExprKind::Name`], or a [`ExprKind::Member`] of a section
    /// (`dend[2].diam`).
    pub var: Expr,
    pub op: AssignOp,
    pub x1: Expr,
    pub x2: Expr,
    pub y1: Expr,
    pub y2: Expr,
}

/// Statements.
#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// An expression (assignment, call, ...) used as a statement.
    Expr(Expr),
    /// `{ ... }`
    Block(Vec<Stmt>),
    /// `if (c) s [else s]`
    If {
        cond: Expr,
        then: Box<Stmt>,
        otherwise: Option<Box<Stmt>>,
    },
    /// `while (c) s`
    While {
        cond: Expr,
        body: Box<Stmt>,
    },
    /// `for (init; cond; step) s` (each part optional)
    For {
        init: Option<Expr>,
        cond: Option<Expr>,
        step: Option<Expr>,
        body: Box<Stmt>,
    },
    /// `for (x) s` / `for (x, ends) s`: a loop over the locations of the current
    /// section: 0, each segment centre and 1, or (when `ends` is 0) the centres only.
    ForSeg {
        var: Name,
        ends: Option<Expr>,
        body: Box<Stmt>,
    },
    /// `rangevar(x1:x2) op y1:y2`: a linear taper over the segments whose centres lie
    /// in `[x1, x2]`.
    Taper(Box<Taper>),
    /// `for i = a, b s` (inclusive, step 1)
    ForRange {
        var: Expr,
        from: Expr,
        to: Expr,
        body: Box<Stmt>,
    },
    Break,
    Continue,
    /// `return [e]`
    Return(Option<Expr>),
    /// `stop`
    Stop,
    /// `create a, b[n]`
    Create(Vec<Decl>),
    /// `access sec`
    Access(Expr),
    /// `connect ...`
    Connect(Connect),
    /// `insert mech`
    Insert(Name),
    /// `uninsert mech`
    Uninsert(Name),
    /// `objref a, b[2]` / `objectvar ...`
    Objref(Vec<Decl>),
    /// `strdef s, t`
    Strdef(Vec<Decl>),
    /// `double a[3]` (arrays of numbers)
    Double(Vec<Decl>),
    /// `local a, b` inside a proc/func (numbers; `local` arrays allowed).
    Local(Vec<Decl>),
    /// `localobj a, b`
    LocalObj(Vec<Name>),
    /// `public a, b` in a template.
    Public(Vec<Name>),
    /// `external a, b` in a template.
    External(Vec<Name>),
    /// `print a, "b", c`
    Print(Vec<Expr>),
    /// `sec stmt`: run `body` with `sec` as the current section.
    SecStmt {
        sec: Expr,
        body: Box<Stmt>,
    },
    /// `forall s`
    Forall(Box<Stmt>),
    /// `forsec "regex" s` or `forsec sectionlist s`
    Forsec {
        target: Expr,
        body: Box<Stmt>,
    },
    /// `ifsec "regex" s`
    Ifsec {
        pattern: Expr,
        body: Box<Stmt>,
    },
    /// `proc`/`func`/`obfunc` definition.
    Func(FuncDef),
    /// `begintemplate Name ... endtemplate Name`
    Template {
        name: Name,
        body: Vec<Stmt>,
    },
    /// A statement that failed to parse (already reported).
    Error,
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    /// `-`
    Neg,
    /// `!`
    Not,
}

/// Binary operators (hoc precedence: `^` > unary > `* / %` > `+ -` > relational >
/// `==`/`!=` > `&&` > `||`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Pow,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

/// Assignment operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignOp {
    /// `=`
    Set,
    /// `+=`
    Add,
    /// `-=`
    Sub,
    /// `*=`
    Mul,
    /// `/=`
    Div,
}

/// Kinds of positional arguments: `$1`, `$o1`, `$s1`, `$&1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    Num,
    Obj,
    Str,
    /// `$&1`: a pointer to a number.
    Ptr,
}

/// An expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub range: TextRange,
}

/// Expressions.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Num(f64),
    Str(String),
    Name(Name),
    /// `a[i]`, `a[i][j]`
    Index(Box<Expr>, Vec<Expr>),
    /// `obj.member`
    Member(Box<Expr>, Name),
    /// `f(args)`, `obj.method(args)`, `gnabar_hh(0.5)`: the callee is a `Name` or a
    /// `Member`.
    Call(Box<Expr>, Vec<Expr>),
    /// `$1`, `$o2`, `$s1`, `$&1`; `index` is 1-based.
    Arg {
        kind: ArgKind,
        index: u32,
    },
    /// `&x` (an address, passed to `$&1` parameters).
    AddrOf(Box<Expr>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `target op value`
    Assign {
        op: AssignOp,
        target: Box<Expr>,
        value: Box<Expr>,
    },
    /// `new Class(args)`
    New(Name, Vec<Expr>),
}
