//! A compact, stable text dump of the syntax tree (for snapshots and debugging).
//!
//! Items print with their byte ranges; statements one per line, indented;
//! expressions as S-expressions (`(* g (- v e))`).

use std::fmt::Write;

use crate::ast::*;

/// Render `module` as an indented outline.
pub fn dump(module: &Module) -> String {
    let mut d = Dumper { out: String::new() };
    for item in &module.items {
        d.item(item);
    }
    for c in &module.comments {
        let lines = c.text.lines().count();
        d.line(0, &format!("COMMENT @{} ({lines} lines)", c.range));
    }
    d.out
}

struct Dumper {
    out: String,
}

fn names(list: &[Name]) -> String {
    list.iter()
        .map(|n| n.text.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn unit(u: &Option<Unit>) -> String {
    u.as_ref()
        .map_or(String::new(), |u| format!(" ({})", u.text))
}

fn params(ps: &[Param]) -> String {
    ps.iter()
        .map(|p| format!("{}{}", p.name.text, unit(&p.unit)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn locals(vs: &[LocalVar]) -> String {
    vs.iter()
        .map(|v| match v.array_len {
            Some(n) => format!("{}[{n}]", v.name.text),
            None => v.name.text.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn num(v: f64) -> String {
    format!("{v}")
}

/// An expression as an S-expression.
pub(crate) fn expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Number { text, unit: u, .. } => format!("{text}{}", unit(u)),
        ExprKind::String(s) => format!("{s:?}"),
        ExprKind::Name(n) => n.text.clone(),
        ExprKind::Index(n, i) => format!("{}[{}]", n.text, expr(i)),
        ExprKind::Prime(n) => format!("{}'", n.text),
        ExprKind::Call(n, args) => format!(
            "{}({})",
            n.text,
            args.iter().map(expr).collect::<Vec<_>>().join(", ")
        ),
        ExprKind::Binary(op, a, b) => format!("({} {} {})", op.symbol(), expr(a), expr(b)),
        ExprKind::Unary(UnOp::Neg, a) => format!("(neg {})", expr(a)),
        ExprKind::Unary(UnOp::Not, a) => format!("(not {})", expr(a)),
        ExprKind::Paren(a) => expr(a),
        ExprKind::Error => "<error>".to_string(),
    }
}

fn reactants(rs: &[Reactant]) -> String {
    rs.iter()
        .map(|r| {
            if r.coeff == 1 {
                expr(&r.species)
            } else {
                format!("{}{}", r.coeff, expr(&r.species))
            }
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

impl Dumper {
    fn line(&mut self, indent: usize, s: &str) {
        for _ in 0..indent {
            self.out.push_str("  ");
        }
        self.out.push_str(s);
        self.out.push('\n');
    }

    fn item(&mut self, item: &Item) {
        let r = item.range;
        match &item.kind {
            ItemKind::Title(t) => self.line(0, &format!("TITLE @{r} {t:?}")),
            ItemKind::Neuron(stmts) => {
                self.line(0, &format!("NEURON @{r}"));
                for s in stmts {
                    let text = match &s.kind {
                        NeuronStmtKind::Mechanism(k, n) => format!("{} {}", k.keyword(), n.text),
                        NeuronStmtKind::UseIon {
                            ion,
                            read,
                            write,
                            valence,
                            represents,
                        } => {
                            let mut t = format!("USEION {}", ion.text);
                            if !read.is_empty() {
                                let _ = write!(t, " READ {}", names(read));
                            }
                            if !write.is_empty() {
                                let _ = write!(t, " WRITE {}", names(write));
                            }
                            if let Some(v) = valence {
                                let _ = write!(t, " VALENCE {}", num(*v));
                            }
                            if let Some(r) = represents {
                                let _ = write!(t, " REPRESENTS {r}");
                            }
                            t
                        }
                        NeuronStmtKind::List(k, ns) => format!("{} {}", k.keyword(), names(ns)),
                        NeuronStmtKind::Represents(id) => format!("REPRESENTS {id}"),
                        NeuronStmtKind::ThreadSafe(ns) => format!("THREADSAFE {}", names(ns)),
                    };
                    self.line(1, text.trim_end());
                }
            }
            ItemKind::Units(defs) => {
                self.line(0, &format!("UNITS @{r}"));
                for d in defs {
                    let text = match d {
                        UnitDef::Alias { name, def } => format!("({}) = ({})", name.text, def.text),
                        UnitDef::Constant {
                            name,
                            value,
                            factor,
                            unit: u,
                            ..
                        } => format!(
                            "{} ={}{}{}",
                            name.text,
                            value.map_or(String::new(), |v| format!(" {}", num(v))),
                            unit(factor),
                            unit(u)
                        ),
                    };
                    self.line(1, &text);
                }
            }
            ItemKind::Parameter(ds) => self.decls("PARAMETER", r, ds),
            ItemKind::Constant(ds) => self.decls("CONSTANT", r, ds),
            ItemKind::Assigned(ds) => self.decls("ASSIGNED", r, ds),
            ItemKind::State(ds) => self.decls("STATE", r, ds),
            ItemKind::Independent(ds) => self.decls("INDEPENDENT", r, ds),
            ItemKind::Block(b) => {
                let when = b
                    .when
                    .as_ref()
                    .map_or(String::new(), |w| format!(" {}", w.text));
                self.line(0, &format!("{}{when} @{r}", b.kind.keyword()));
                self.block(1, &b.body);
            }
            ItemKind::Solvable(b) => {
                self.line(0, &format!("{} {} @{r}", b.kind.keyword(), b.name.text));
                self.block(1, &b.body);
            }
            ItemKind::Callable(c) => {
                let kw = if c.is_function {
                    "FUNCTION"
                } else {
                    "PROCEDURE"
                };
                self.line(
                    0,
                    &format!(
                        "{kw} {}({}){} @{r}",
                        c.name.text,
                        params(&c.params),
                        unit(&c.unit)
                    ),
                );
                self.block(1, &c.body);
            }
            ItemKind::FunctionTable {
                name,
                params: ps,
                unit: u,
            } => self.line(
                0,
                &format!(
                    "FUNCTION_TABLE {}({}){} @{r}",
                    name.text,
                    params(ps),
                    unit(u)
                ),
            ),
            ItemKind::NetReceive { params: ps, body } => {
                self.line(0, &format!("NET_RECEIVE({}) @{r}", params(ps)));
                self.block(1, body);
            }
            ItemKind::Verbatim(v) => self.line(
                0,
                &format!("VERBATIM @{r} ({} lines)", v.text.trim().lines().count()),
            ),
            ItemKind::Include(f) => self.line(0, &format!("INCLUDE @{r} {f:?}")),
            ItemKind::UnitsFlag(on) => self.line(
                0,
                &format!("{} @{r}", if *on { "UNITSON" } else { "UNITSOFF" }),
            ),
            ItemKind::Local(vs) => self.line(0, &format!("LOCAL @{r} {}", locals(vs))),
            ItemKind::Define(n, v) => self.line(0, &format!("DEFINE @{r} {} {}", n.text, num(*v))),
        }
    }

    fn decls(&mut self, kw: &str, r: ranvier_span::TextRange, ds: &[Decl]) {
        self.line(0, &format!("{kw} @{r}"));
        for d in ds {
            let mut t = d.name.text.clone();
            if let Some(n) = d.array_len {
                let _ = write!(t, "[{n}]");
            }
            if let Some(v) = d.value {
                let _ = write!(t, " = {}", num(v));
            }
            t.push_str(&unit(&d.unit));
            match d.limits {
                Some((lo, _)) if d.tolerance => {
                    let _ = write!(t, " <{}>", num(lo));
                }
                Some((lo, hi)) => {
                    let _ = write!(t, " <{}, {}>", num(lo), num(hi));
                }
                None => {}
            }
            if let Some((lo, hi)) = d.from_to {
                let _ = write!(t, " FROM {} TO {}", num(lo), num(hi));
            }
            if let Some(w) = d.with {
                let _ = write!(t, " WITH {}", num(w));
            }
            self.line(1, &t);
        }
    }

    fn block(&mut self, indent: usize, b: &Block) {
        for s in &b.stmts {
            self.stmt(indent, s);
        }
    }

    fn stmt(&mut self, ind: usize, s: &Stmt) {
        match &s.kind {
            StmtKind::Assign { lhs, rhs } => {
                self.line(ind, &format!("{} = {}", expr(lhs), expr(rhs)))
            }
            StmtKind::Expr(e) => self.line(ind, &expr(e)),
            StmtKind::Local(vs) => self.line(ind, &format!("LOCAL {}", locals(vs))),
            StmtKind::If {
                cond,
                then_block,
                else_block,
            } => {
                self.line(ind, &format!("if {}", expr(cond)));
                self.block(ind + 1, then_block);
                if let Some(e) = else_block {
                    self.line(ind, "else");
                    self.block(ind + 1, e);
                }
            }
            StmtKind::While { cond, body } => {
                self.line(ind, &format!("while {}", expr(cond)));
                self.block(ind + 1, body);
            }
            StmtKind::FromTo {
                var,
                from,
                to,
                by,
                body,
            } => {
                let by = by
                    .as_ref()
                    .map_or(String::new(), |b| format!(" BY {}", expr(b)));
                self.line(
                    ind,
                    &format!("FROM {} = {} TO {}{by}", var.text, expr(from), expr(to)),
                );
                self.block(ind + 1, body);
            }
            StmtKind::Solve(sv) => {
                let mut t = format!("SOLVE {}", sv.block.text);
                if let Some(m) = &sv.method {
                    let _ = write!(t, " METHOD {}", m.text);
                }
                if let Some(m) = &sv.steadystate {
                    let _ = write!(t, " STEADYSTATE {}", m.text);
                }
                self.line(ind, &t);
                if let Some(b) = &sv.if_error {
                    self.line(ind, "IFERROR");
                    self.block(ind + 1, b);
                }
            }
            StmtKind::Table(tb) => {
                let mut t = format!("TABLE {}", names(&tb.names));
                if !tb.depend.is_empty() {
                    let _ = write!(t, " DEPEND {}", names(&tb.depend));
                }
                let _ = write!(
                    t,
                    " FROM {} TO {} WITH {}",
                    expr(&tb.from),
                    expr(&tb.to),
                    expr(&tb.with)
                );
                self.line(ind, &t.replace("TABLE  ", "TABLE "));
            }
            StmtKind::Watch(ws) => {
                let parts: Vec<_> = ws
                    .iter()
                    .map(|(c, f)| format!("{} {}", expr(c), expr(f)))
                    .collect();
                self.line(ind, &format!("WATCH {}", parts.join(", ")));
            }
            StmtKind::ForNetcons { params: ps, body } => {
                self.line(ind, &format!("FOR_NETCONS({})", params(ps)));
                self.block(ind + 1, body);
            }
            StmtKind::Protect(inner) => {
                let mut sub = Dumper { out: String::new() };
                sub.stmt(0, inner);
                self.line(ind, &format!("PROTECT {}", sub.out.trim_end()));
            }
            StmtKind::MutexLock => self.line(ind, "MUTEXLOCK"),
            StmtKind::MutexUnlock => self.line(ind, "MUTEXUNLOCK"),
            StmtKind::Verbatim(v) => self.line(
                ind,
                &format!("VERBATIM ({} lines)", v.text.trim().lines().count()),
            ),
            StmtKind::UnitsFlag(on) => self.line(ind, if *on { "UNITSON" } else { "UNITSOFF" }),
            StmtKind::Reaction(r) => {
                let t = match r {
                    Reaction::Reversible { lhs, rhs, kf, kb } => format!(
                        "~ {} <-> {} ({}, {})",
                        reactants(lhs),
                        reactants(rhs),
                        expr(kf),
                        expr(kb)
                    ),
                    Reaction::Forward { lhs, rhs, k } => {
                        format!("~ {} -> {} ({})", reactants(lhs), reactants(rhs), expr(k))
                    }
                    Reaction::Flux { lhs, flux } => {
                        format!("~ {} << ({})", reactants(lhs), expr(flux))
                    }
                    Reaction::Equation { lhs, rhs } => format!("~ {} = {}", expr(lhs), expr(rhs)),
                };
                self.line(ind, &t);
            }
            StmtKind::Conserve { lhs, rhs } => {
                self.line(ind, &format!("CONSERVE {} = {}", expr(lhs), expr(rhs)))
            }
            StmtKind::Compartment {
                longitudinal,
                index,
                expr: e,
                species,
            } => {
                let kw = if *longitudinal {
                    "LONGITUDINAL_DIFFUSION"
                } else {
                    "COMPARTMENT"
                };
                let idx = index
                    .as_ref()
                    .map_or(String::new(), |i| format!("{}, ", i.text));
                self.line(
                    ind,
                    &format!("{kw} {idx}{} {{{}}}", expr(e), names(species)),
                );
            }
            StmtKind::Include(f) => self.line(ind, &format!("INCLUDE {f:?}")),
            StmtKind::Lag { var, by } => {
                self.line(ind, &format!("LAG {} BY {}", var.text, by.text))
            }
            StmtKind::Initial(b) => {
                self.line(ind, "INITIAL");
                self.block(ind + 1, b);
            }
            StmtKind::Block(b) => {
                self.line(ind, "{");
                self.block(ind + 1, b);
                self.line(ind, "}");
            }
            StmtKind::Error => self.line(ind, "<error>"),
        }
    }
}
