//! Pratt parser producing a name-resolved syntax tree.

use std::ops::Range;

use crate::ExprError;
use crate::lexer::{Tok, Token};
use crate::ops::{BinOp, CONSTANTS, CmpOp, FUNCTIONS, Fn1, Fn2, Func, lookup_function};

/// Maximum recursion depth of the parser (parentheses, unary operators, calls,
/// right-associative `**`).
const MAX_NESTING: usize = 200;

/// Maximum height of the syntax tree (bounds the recursion of later passes).
const MAX_HEIGHT: usize = 256;

// Binding powers (higher binds tighter).
const BP_OR: u8 = 1;
const BP_AND: u8 = 2;
const BP_NOT: u8 = 3;
const BP_CMP: u8 = 4;
const BP_ADD: u8 = 5;
const BP_MUL: u8 = 6;
const BP_UNARY: u8 = 7;
const BP_POW: u8 = 8;

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnOp {
    Neg,
    Not,
}

/// Resolved call target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Callee {
    F1(Fn1),
    F2(Fn2),
    Min,
    Max,
    Rand(crate::ops::Dist),
}

/// Syntax tree node.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Expr {
    Num(f64),
    Var(usize),
    Unary(UnOp, Box<Node>),
    Bin(BinOp, Box<Node>, Box<Node>),
    /// Chained comparison `first op0 x0 op1 x1 ...`.
    Cmp(Box<Node>, Vec<(CmpOp, Node)>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    /// `body if cond else orelse`.
    IfElse {
        body: Box<Node>,
        cond: Box<Node>,
        orelse: Box<Node>,
    },
    Call(Callee, Vec<Node>),
}

/// A node with its source span.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub(crate) expr: Expr,
    pub(crate) span: Range<usize>,
    /// Height of the tree rooted here (a leaf is 1).
    pub(crate) height: usize,
}

impl Node {
    /// A node; its height is computed from its children.
    pub(crate) fn new(expr: Expr, span: Range<usize>) -> Self {
        let h = |n: &Node| n.height;
        let below = match &expr {
            Expr::Num(_) | Expr::Var(_) => 0,
            Expr::Unary(_, a) => h(a),
            Expr::Bin(_, a, b) | Expr::And(a, b) | Expr::Or(a, b) => h(a).max(h(b)),
            Expr::Cmp(a, rest) => rest.iter().map(|(_, n)| h(n)).fold(h(a), usize::max),
            Expr::IfElse { body, cond, orelse } => h(body).max(h(cond)).max(h(orelse)),
            Expr::Call(_, args) => args.iter().map(h).max().unwrap_or(0),
        };
        Self {
            expr,
            span,
            height: below + 1,
        }
    }
}

pub(crate) struct Parser<'a> {
    toks: Vec<Token>,
    pos: usize,
    vars: &'a [&'a str],
    depth: usize,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(toks: Vec<Token>, vars: &'a [&'a str]) -> Self {
        Self {
            toks,
            pos: 0,
            vars,
            depth: 0,
        }
    }

    fn peek(&self) -> &Token {
        // `tokenize` always ends with Eof and we never advance past it.
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }

    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if t.tok != Tok::Eof {
            self.pos += 1;
        }
        t
    }

    /// Parse the whole input.
    pub(crate) fn parse_all(&mut self) -> Result<Node, ExprError> {
        if self.peek().tok == Tok::Eof {
            return Err(ExprError::new("empty expression", self.peek().span.clone()));
        }
        let node = self.parse_test()?;
        let t = self.peek();
        if t.tok != Tok::Eof {
            let msg = match t.tok {
                Tok::RParen => "unmatched `)`".to_string(),
                _ => format!(
                    "unexpected {} after the end of the expression (missing operator?)",
                    t.tok.describe()
                ),
            };
            return Err(ExprError::new(msg, t.span.clone()));
        }
        Ok(node)
    }

    fn enter(&mut self, span: Range<usize>) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(ExprError::new(
                format!("expression nested too deeply (more than {MAX_NESTING} levels)"),
                span,
            ));
        }
        Ok(())
    }

    /// `test: or_test ['if' or_test 'else' test]`.
    fn parse_test(&mut self) -> Result<Node, ExprError> {
        let body = self.parse_bp(BP_OR)?;
        let node = if self.peek().tok == Tok::If {
            self.bump();
            let cond = self.parse_bp(BP_OR)?;
            let t = self.peek().clone();
            if t.tok != Tok::Else {
                return Err(ExprError::new(
                    format!(
                        "expected `else` in conditional expression, found {}",
                        t.tok.describe()
                    ),
                    t.span,
                ));
            }
            self.bump();
            let orelse = self.parse_test()?;
            let span = body.span.start..orelse.span.end;
            Node::new(
                Expr::IfElse {
                    body: Box::new(body),
                    cond: Box::new(cond),
                    orelse: Box::new(orelse),
                },
                span,
            )
        } else {
            body
        };
        Ok(node)
    }

    fn parse_bp(&mut self, min_bp: u8) -> Result<Node, ExprError> {
        let here = self.peek().span.clone();
        self.enter(here)?;
        let node = self.parse_bp_inner(min_bp)?;
        self.depth -= 1;
        if node.height > MAX_HEIGHT {
            return Err(ExprError::new(
                format!(
                    "expression too deeply nested (more than {MAX_HEIGHT} levels of operators)"
                ),
                node.span,
            ));
        }
        Ok(node)
    }

    fn parse_bp_inner(&mut self, min_bp: u8) -> Result<Node, ExprError> {
        let mut lhs = self.parse_prefix(min_bp)?;
        loop {
            let t = self.peek().clone();
            let (lbp, rbp, kind) = match t.tok {
                Tok::Or => (BP_OR, BP_OR + 1, Infix::Or),
                Tok::And => (BP_AND, BP_AND + 1, Infix::And),
                Tok::Lt | Tok::Le | Tok::Gt | Tok::Ge | Tok::EqEq | Tok::Ne => {
                    (BP_CMP, BP_CMP + 1, Infix::Cmp)
                }
                Tok::Plus => (BP_ADD, BP_ADD + 1, Infix::Bin(BinOp::Add)),
                Tok::Minus => (BP_ADD, BP_ADD + 1, Infix::Bin(BinOp::Sub)),
                Tok::Star => (BP_MUL, BP_MUL + 1, Infix::Bin(BinOp::Mul)),
                Tok::Slash => (BP_MUL, BP_MUL + 1, Infix::Bin(BinOp::Div)),
                Tok::SlashSlash => (BP_MUL, BP_MUL + 1, Infix::Bin(BinOp::FloorDiv)),
                Tok::Percent => (BP_MUL, BP_MUL + 1, Infix::Bin(BinOp::Mod)),
                // Right associative, and the exponent may carry a unary sign.
                Tok::StarStar => (BP_POW, BP_UNARY, Infix::Bin(BinOp::Pow)),
                _ => break,
            };
            if lbp < min_bp {
                break;
            }
            self.bump();
            lhs = match kind {
                Infix::Cmp => {
                    let mut rest = Vec::new();
                    let mut op_tok = t.tok;
                    loop {
                        let op = cmp_op(&op_tok);
                        let rhs = self.parse_bp(rbp)?;
                        rest.push((op, rhs));
                        op_tok = self.peek().tok.clone();
                        if cmp_op_opt(&op_tok).is_none() {
                            break;
                        }
                        self.bump();
                    }
                    let end = rest.last().map_or(lhs.span.end, |(_, n)| n.span.end);
                    let span = lhs.span.start..end;
                    Node::new(Expr::Cmp(Box::new(lhs), rest), span)
                }
                _ => {
                    let rhs = self.parse_bp(rbp)?;
                    let span = lhs.span.start..rhs.span.end;
                    let (l, r) = (Box::new(lhs), Box::new(rhs));
                    let expr = match kind {
                        Infix::Or => Expr::Or(l, r),
                        Infix::And => Expr::And(l, r),
                        Infix::Bin(op) => Expr::Bin(op, l, r),
                        Infix::Cmp => unreachable!("handled above"),
                    };
                    Node::new(expr, span)
                }
            };
            if lhs.height > MAX_HEIGHT {
                return Err(ExprError::new(
                    format!(
                        "expression too deeply nested (more than {MAX_HEIGHT} levels of operators)"
                    ),
                    lhs.span,
                ));
            }
        }
        Ok(lhs)
    }

    fn parse_prefix(&mut self, min_bp: u8) -> Result<Node, ExprError> {
        let t = self.bump();
        match t.tok {
            Tok::Num(v) => Ok(Node::new(Expr::Num(v), t.span)),
            Tok::True | Tok::False => Ok(Node::new(
                Expr::Num(if t.tok == Tok::True { 1.0 } else { 0.0 }),
                t.span,
            )),
            Tok::Minus | Tok::Plus | Tok::Not => {
                let (bp, op) = match t.tok {
                    Tok::Not => {
                        if min_bp > BP_NOT {
                            return Err(ExprError::new(
                                "`not` must be parenthesized here, e.g. `x + (not y)`",
                                t.span,
                            ));
                        }
                        (BP_NOT, Some(UnOp::Not))
                    }
                    Tok::Minus => (BP_UNARY, Some(UnOp::Neg)),
                    _ => (BP_UNARY, None),
                };
                let operand = self.parse_bp(bp)?;
                let span = t.span.start..operand.span.end;
                Ok(match op {
                    Some(op) => Node::new(Expr::Unary(op, Box::new(operand)), span),
                    // Unary `+` on a float is the identity.
                    None => Node::new(operand.expr, span),
                })
            }
            Tok::LParen => {
                if self.peek().tok == Tok::RParen {
                    let close = self.peek().span.clone();
                    return Err(ExprError::new(
                        "empty parentheses: expected an expression",
                        t.span.start..close.end,
                    ));
                }
                let inner = self.parse_test()?;
                self.expect_close(&t.span)?;
                let end = self.toks[self.pos - 1].span.end;
                Ok(Node::new(inner.expr, t.span.start..end))
            }
            Tok::Ident(name) => self.parse_name(name, t.span),
            Tok::Eof => Err(ExprError::new(
                "unexpected end of input: expected an operand",
                t.span,
            )),
            other => Err(ExprError::new(
                format!("expected an operand, found {}", other.describe()),
                t.span,
            )),
        }
    }

    fn expect_close(&mut self, open: &Range<usize>) -> Result<(), ExprError> {
        let t = self.peek().clone();
        match t.tok {
            Tok::RParen => {
                self.bump();
                Ok(())
            }
            Tok::Eof => Err(ExprError::new("unclosed `(`: expected `)`", open.clone())),
            other => Err(ExprError::new(
                format!("expected `)` or an operator, found {}", other.describe()),
                t.span,
            )),
        }
    }

    fn parse_name(&mut self, name: String, span: Range<usize>) -> Result<Node, ExprError> {
        // `rand.<method>`: NetPyNE rewrites method names to `rand.<method>`, and
        // users sometimes write the prefix themselves.
        let is_call = |p: &Self| p.peek().tok == Tok::LParen;
        if name == "rand" && self.peek().tok == Tok::Dot {
            self.bump();
            let t = self.bump();
            let Tok::Ident(method) = t.tok else {
                return Err(ExprError::new(
                    format!(
                        "expected a Random method name after `rand.`, found {}",
                        t.tok.describe()
                    ),
                    t.span,
                ));
            };
            let full = span.start..t.span.end;
            return match lookup_function(&method) {
                Some(f @ (Func::Rand(_), _)) if is_call(self) => self.parse_call(&method, f, full),
                Some((Func::Rand(_), _)) => Err(ExprError::new(
                    format!("`rand.{method}` must be called, e.g. `rand.{method}(...)`"),
                    full,
                )),
                _ => {
                    let mut msg = format!("unknown Random method `{method}`");
                    if let Some(s) = suggest(&method, random_names()) {
                        msg.push_str(&format!("; did you mean `{s}`?"));
                    }
                    Err(ExprError::new(msg, t.span))
                }
            };
        }
        if self.peek().tok == Tok::Dot {
            let dot = self.peek().span.clone();
            return Err(ExprError::new(
                format!("attribute access `{name}.` is not supported (only `rand.<method>` is)"),
                span.start..dot.end,
            ));
        }
        if is_call(self) {
            if let Some(func) = lookup_function(&name) {
                return self.parse_call(&name, func, span);
            }
            let msg = if self.vars.contains(&name.as_str())
                || CONSTANTS.iter().any(|(c, _)| *c == name)
            {
                format!("`{name}` is not a function")
            } else {
                let mut m = format!("unknown function `{name}`");
                if let Some(s) = suggest(&name, FUNCTIONS.iter().map(|f| f.0)) {
                    m.push_str(&format!("; did you mean `{s}`?"));
                }
                m
            };
            return Err(ExprError::new(msg, span));
        }
        if let Some(i) = self.vars.iter().position(|v| *v == name) {
            return Ok(Node::new(Expr::Var(i), span));
        }
        if let Some(&(_, v)) = CONSTANTS.iter().find(|(c, _)| *c == name) {
            return Ok(Node::new(Expr::Num(v), span));
        }
        if lookup_function(&name).is_some() {
            return Err(ExprError::new(
                format!("`{name}` is a function; call it, e.g. `{name}(...)`"),
                span,
            ));
        }
        let mut msg = format!("unknown variable `{name}`");
        let candidates = self
            .vars
            .iter()
            .copied()
            .chain(CONSTANTS.iter().map(|c| c.0))
            .chain(["True", "False"])
            .chain(FUNCTIONS.iter().map(|f| f.0));
        if let Some(s) = suggest(&name, candidates) {
            msg.push_str(&format!("; did you mean `{s}`?"));
        }
        Err(ExprError::new(msg, span))
    }

    /// Parse `( args )` after a function name; `callee_span` covers the callee
    /// text (including a `rand.` prefix).
    fn parse_call(
        &mut self,
        name: &str,
        (func, params): (Func, &'static str),
        callee_span: Range<usize>,
    ) -> Result<Node, ExprError> {
        let open = self.bump().span; // `(`
        let mut args = Vec::new();
        if self.peek().tok != Tok::RParen {
            loop {
                let arg = self.parse_test()?;
                args.push(arg);
                match self.peek().tok {
                    Tok::Comma => {
                        self.bump();
                        if self.peek().tok == Tok::RParen {
                            break; // trailing comma is fine in Python
                        }
                    }
                    Tok::RParen => break,
                    Tok::Eof => {
                        return Err(ExprError::new(
                            format!("unclosed `(` in call to `{name}`: expected `)`"),
                            open,
                        ));
                    }
                    ref other => {
                        let t = self.peek().span.clone();
                        return Err(ExprError::new(
                            format!(
                                "expected `,` or `)` in call to `{name}`, found {}",
                                other.describe()
                            ),
                            t,
                        ));
                    }
                }
            }
        }
        let close = self.bump().span; // `)`
        let span = callee_span.start..close.end;
        let n = args.len();
        let arity_err = |expected: &str| {
            ExprError::new(
                format!(
                    "`{name}({params})` takes {expected} but {n} {} given",
                    if n == 1 { "was" } else { "were" }
                ),
                span.clone(),
            )
        };
        let plural = |k: usize| {
            if k == 1 {
                "1 argument".to_string()
            } else {
                format!("{k} arguments")
            }
        };
        let callee = match func {
            Func::F1(f1, None) => {
                if n != 1 {
                    return Err(arity_err(&plural(1)));
                }
                Callee::F1(f1)
            }
            Func::F1(f1, Some(f2)) => match n {
                1 => Callee::F1(f1),
                2 => Callee::F2(f2),
                _ => return Err(arity_err("1 or 2 arguments")),
            },
            Func::F2(f2) => {
                if n != 2 {
                    return Err(arity_err(&plural(2)));
                }
                Callee::F2(f2)
            }
            Func::Min | Func::Max => {
                if n < 2 {
                    return Err(arity_err("at least 2 arguments"));
                }
                if func == Func::Min {
                    Callee::Min
                } else {
                    Callee::Max
                }
            }
            Func::Rand(d) => {
                if n != d.arity() {
                    return Err(arity_err(&plural(d.arity())));
                }
                Callee::Rand(d)
            }
        };
        Ok(Node::new(Expr::Call(callee, args), span))
    }
}

#[derive(Clone, Copy)]
enum Infix {
    Or,
    And,
    Cmp,
    Bin(BinOp),
}

fn cmp_op_opt(t: &Tok) -> Option<CmpOp> {
    Some(match t {
        Tok::Lt => CmpOp::Lt,
        Tok::Le => CmpOp::Le,
        Tok::Gt => CmpOp::Gt,
        Tok::Ge => CmpOp::Ge,
        Tok::EqEq => CmpOp::Eq,
        Tok::Ne => CmpOp::Ne,
        _ => return None,
    })
}

fn cmp_op(t: &Tok) -> CmpOp {
    cmp_op_opt(t).unwrap_or(CmpOp::Eq)
}

fn random_names() -> impl Iterator<Item = &'static str> {
    FUNCTIONS
        .iter()
        .filter(|f| matches!(f.1, Func::Rand(_)))
        .map(|f| f.0)
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest candidate to `name`, if close enough to be a plausible typo.
fn suggest<'c>(name: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
    let len = name.chars().count();
    let limit = match len {
        0..=2 => 1,
        3..=5 => 2,
        _ => 3,
    };
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = if c.eq_ignore_ascii_case(name) {
            0
        } else {
            edit_distance(name, c)
        };
        if d <= limit && d < len.max(c.chars().count()) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "ab"), 2);
        assert_eq!(edit_distance("dist3D", "dist_3D"), 1);
    }

    #[test]
    fn suggestions() {
        let c = ["dist_3D", "post_ynorm", "exp"];
        assert_eq!(suggest("dist3D", c.iter().copied()), Some("dist_3D"));
        assert_eq!(suggest("post_ynrom", c.iter().copied()), Some("post_ynorm"));
        assert_eq!(suggest("EXP", c.iter().copied()), Some("exp"));
        assert_eq!(suggest("zzzzzz", c.iter().copied()), None);
    }
}
