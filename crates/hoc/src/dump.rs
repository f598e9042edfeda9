//! A compact, stable text dump of the syntax tree (for snapshots and debugging).
//!
//! Statements one per line, nested ones indented by two spaces; templates and
//! definitions print their byte ranges. Expressions are S-expressions
//! (`(= L (* 2 x))`, `(neg 1)`, `(new IClamp 0.5)`), except that references keep their
//! source shape: `cell.dend[2].L`, `f(1, 2)`, `a[i][j]`, `$o1`.

use std::fmt::Write;

use crate::ast::*;

/// Render `program` as an indented outline.
#[must_use]
pub fn dump(program: &Program) -> String {
    let mut d = Dumper { out: String::new() };
    for s in &program.stmts {
        d.stmt(0, s);
    }
    d.out
}

struct Dumper {
    out: String,
}

fn binop(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div => "/",
        BinOp::Rem => "%",
        BinOp::Pow => "^",
        BinOp::Lt => "<",
        BinOp::Le => "<=",
        BinOp::Gt => ">",
        BinOp::Ge => ">=",
        BinOp::Eq => "==",
        BinOp::Ne => "!=",
        BinOp::And => "&&",
        BinOp::Or => "||",
    }
}

fn assignop(op: AssignOp) -> &'static str {
    match op {
        AssignOp::Set => "=",
        AssignOp::Add => "+=",
        AssignOp::Sub => "-=",
        AssignOp::Mul => "*=",
        AssignOp::Div => "/=",
    }
}

fn list(es: &[Expr]) -> String {
    es.iter().map(expr).collect::<Vec<_>>().join(", ")
}

fn names(ns: &[Name]) -> String {
    ns.iter()
        .map(|n| n.text.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn decls(ds: &[Decl]) -> String {
    ds.iter()
        .map(|d| {
            let mut t = d.name.text.clone();
            for dim in &d.dims {
                let _ = write!(t, "[{}]", expr(dim));
            }
            t
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// An expression in a position that is followed by `.`, `[` or `(`: references print
/// as they are, anything else in parentheses.
fn base(e: &Expr) -> String {
    match e.kind {
        ExprKind::Name(_)
        | ExprKind::Member(..)
        | ExprKind::Call(..)
        | ExprKind::Arg { .. }
        | ExprKind::Index(..) => expr(e),
        _ => format!("({})", expr(e)),
    }
}

/// An expression as an S-expression.
fn expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Num(v) => format!("{v}"),
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::Name(n) => n.text.clone(),
        ExprKind::Index(b, idx) => {
            // A nested index (never produced by the parser) stays distinguishable.
            let mut t = if matches!(b.kind, ExprKind::Index(..)) {
                format!("({})", expr(b))
            } else {
                base(b)
            };
            for i in idx {
                let _ = write!(t, "[{}]", expr(i));
            }
            t
        }
        ExprKind::Member(obj, n) => format!("{}.{}", base(obj), n.text),
        ExprKind::Call(callee, args) => format!("{}({})", base(callee), list(args)),
        ExprKind::Arg { kind, index } => {
            let k = match kind {
                ArgKind::Num => "",
                ArgKind::Obj => "o",
                ArgKind::Str => "s",
                ArgKind::Ptr => "&",
            };
            format!("${k}{index}")
        }
        ExprKind::AddrOf(a) => format!("(& {})", expr(a)),
        ExprKind::Unary(UnOp::Neg, a) => format!("(neg {})", expr(a)),
        ExprKind::Unary(UnOp::Not, a) => format!("(not {})", expr(a)),
        ExprKind::Binary(op, a, b) => format!("({} {} {})", binop(*op), expr(a), expr(b)),
        ExprKind::Assign { op, target, value } => {
            format!("({} {} {})", assignop(*op), expr(target), expr(value))
        }
        ExprKind::New(n, args) => {
            let mut t = format!("(new {}", n.text);
            for a in args {
                let _ = write!(t, " {}", expr(a));
            }
            t.push(')');
            t
        }
    }
}

fn opt(e: Option<&Expr>) -> String {
    e.map_or(String::new(), expr)
}

impl Dumper {
    fn line(&mut self, indent: usize, s: &str) {
        for _ in 0..indent {
            self.out.push_str("  ");
        }
        self.out.push_str(s);
        self.out.push('\n');
    }

    fn stmts(&mut self, ind: usize, ss: &[Stmt]) {
        for s in ss {
            self.stmt(ind, s);
        }
    }

    /// A header line followed by one nested statement.
    fn nested(&mut self, ind: usize, head: &str, body: &Stmt) {
        self.line(ind, head);
        self.stmt(ind + 1, body);
    }

    fn stmt(&mut self, ind: usize, s: &Stmt) {
        match &s.kind {
            StmtKind::Expr(e) => self.line(ind, &expr(e)),
            StmtKind::Block(ss) => {
                self.line(ind, "{");
                self.stmts(ind + 1, ss);
                self.line(ind, "}");
            }
            StmtKind::If {
                cond,
                then,
                otherwise,
            } => {
                self.nested(ind, &format!("if {}", expr(cond)), then);
                if let Some(o) = otherwise {
                    self.nested(ind, "else", o);
                }
            }
            StmtKind::While { cond, body } => {
                self.nested(ind, &format!("while {}", expr(cond)), body);
            }
            StmtKind::For {
                init,
                cond,
                step,
                body,
            } => {
                let head = format!(
                    "for ({}; {}; {})",
                    opt(init.as_ref()),
                    opt(cond.as_ref()),
                    opt(step.as_ref())
                );
                self.nested(ind, &head, body);
            }
            StmtKind::ForRange {
                var,
                from,
                to,
                body,
            } => {
                let head = format!("for {} = {}, {}", expr(var), expr(from), expr(to));
                self.nested(ind, &head, body);
            }
            StmtKind::ForSeg { var, ends, body } => {
                let head = match ends {
                    Some(e) => format!("for segments ({}, {})", var.text, expr(e)),
                    None => format!("for segments ({})", var.text),
                };
                self.nested(ind, &head, body);
            }
            StmtKind::Taper(t) => {
                let line = format!(
                    "(taper {} {} ({} : {}) ({} : {}))",
                    assignop(t.op),
                    expr(&t.var),
                    expr(&t.x1),
                    expr(&t.x2),
                    expr(&t.y1),
                    expr(&t.y2)
                );
                self.line(ind, &line);
            }
            StmtKind::Break => self.line(ind, "break"),
            StmtKind::Continue => self.line(ind, "continue"),
            StmtKind::Return(None) => self.line(ind, "return"),
            StmtKind::Return(Some(e)) => self.line(ind, &format!("return {}", expr(e))),
            StmtKind::Stop => self.line(ind, "stop"),
            StmtKind::Create(ds) => self.line(ind, &format!("create {}", decls(ds))),
            StmtKind::Access(e) => self.line(ind, &format!("access {}", expr(e))),
            StmtKind::Connect(c) => {
                let child = match &c.child_x {
                    Some(x) => format!("{}({})", base(&c.child), expr(x)),
                    None => expr(&c.child),
                };
                let parent = c.parent.as_ref().map_or("<current>".to_string(), base);
                self.line(
                    ind,
                    &format!("connect {child}, {parent}({})", expr(&c.parent_x)),
                );
            }
            StmtKind::Insert(n) => self.line(ind, &format!("insert {}", n.text)),
            StmtKind::Uninsert(n) => self.line(ind, &format!("uninsert {}", n.text)),
            StmtKind::Objref(ds) => self.line(ind, &format!("objref {}", decls(ds))),
            StmtKind::Strdef(ds) => self.line(ind, &format!("strdef {}", decls(ds))),
            StmtKind::Double(ds) => self.line(ind, &format!("double {}", decls(ds))),
            StmtKind::Local(ds) => self.line(ind, &format!("local {}", decls(ds))),
            StmtKind::LocalObj(ns) => self.line(ind, &format!("localobj {}", names(ns))),
            StmtKind::Public(ns) => self.line(ind, &format!("public {}", names(ns))),
            StmtKind::External(ns) => self.line(ind, &format!("external {}", names(ns))),
            StmtKind::Print(es) => self.line(ind, &format!("print {}", list(es))),
            StmtKind::SecStmt { sec, body } => {
                self.nested(ind, &format!("sec {}", expr(sec)), body);
            }
            StmtKind::Forall(body) => self.nested(ind, "forall", body),
            StmtKind::Forsec { target, body } => {
                self.nested(ind, &format!("forsec {}", expr(target)), body);
            }
            StmtKind::Ifsec { pattern, body } => {
                self.nested(ind, &format!("ifsec {}", expr(pattern)), body);
            }
            StmtKind::Func(f) => {
                let kw = match f.kind {
                    FuncKind::Proc => "proc",
                    FuncKind::Func => "func",
                    FuncKind::Obfunc => "obfunc",
                };
                self.line(ind, &format!("{kw} {} @{}", f.name.text, s.range));
                self.stmts(ind + 1, &f.body);
            }
            StmtKind::Template { name, body } => {
                self.line(ind, &format!("template {} @{}", name.text, s.range));
                self.stmts(ind + 1, body);
            }
            StmtKind::Error => self.line(ind, "<error>"),
        }
    }
}
