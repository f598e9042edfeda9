//! Constant folding, bytecode generation and the stack evaluator.

use crate::ops::{
    self, BinOp, CmpOp, Dist, Fn1, Fn2, apply_bin, apply_cmp, apply_fn1, apply_fn2, from_bool,
    truthy,
};
use crate::parser::{Callee, Expr, Node, UnOp};
use crate::{ExprError, RandomSource};

/// Maximum evaluation stack depth; deeper expressions are rejected by
/// [`crate::compile`].
pub const MAX_STACK: usize = 64;

/// One bytecode instruction. Jump targets are absolute instruction indices.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Op {
    Const(f64),
    Var(usize),
    Neg,
    Not,
    Bin(BinOp),
    Cmp(CmpOp),
    /// Pop `b`, `a`; if `a op b` push `b` and continue, else push `0.0` and jump.
    CmpChain(CmpOp, usize),
    /// If the top is falsy jump (keeping it), else pop it (`and`).
    JumpIfFalseOrPop(usize),
    /// If the top is truthy jump (keeping it), else pop it (`or`).
    JumpIfTrueOrPop(usize),
    /// Pop; jump if falsy.
    PopJumpIfFalse(usize),
    Jump(usize),
    F1(Fn1),
    F2(Fn2),
    /// Fold the top `n` values with `min`/`max` (first argument deepest).
    Min(usize),
    Max(usize),
    Rand(Dist),
}

/// A compiled expression: flat bytecode evaluated on a fixed-size stack.
///
/// `Program` is plain data (`Clone + Debug + Send + Sync`); evaluation takes
/// `&self`, so one program can be shared by many threads, each with its own
/// [`RandomSource`].
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    ops: Vec<Op>,
    max_depth: usize,
    used_vars: Vec<usize>,
    uses_random: bool,
    n_vars: usize,
}

impl Program {
    /// Evaluate with variable values in the order of the `vars` given to
    /// [`crate::compile`]. Random functions draw from `rng`, left to right in
    /// evaluation order (short-circuited operands and untaken branches draw
    /// nothing). Never allocates and never panics; a missing variable value
    /// (`vars` too short) reads as NaN.
    pub fn eval(&self, vars: &[f64], rng: &mut dyn RandomSource) -> f64 {
        let mut stack = [0.0f64; MAX_STACK];
        let mut sp = 0usize;
        let mut pc = 0usize;
        let ops = self.ops.as_slice();
        while let Some(&op) = ops.get(pc) {
            pc += 1;
            match op {
                Op::Const(v) => {
                    stack[sp] = v;
                    sp += 1;
                }
                Op::Var(i) => {
                    stack[sp] = vars.get(i).copied().unwrap_or(f64::NAN);
                    sp += 1;
                }
                Op::Neg => stack[sp - 1] = -stack[sp - 1],
                Op::Not => stack[sp - 1] = from_bool(!truthy(stack[sp - 1])),
                Op::Bin(b) => {
                    sp -= 1;
                    stack[sp - 1] = apply_bin(b, stack[sp - 1], stack[sp]);
                }
                Op::Cmp(c) => {
                    sp -= 1;
                    stack[sp - 1] = apply_cmp(c, stack[sp - 1], stack[sp]);
                }
                Op::CmpChain(c, target) => {
                    sp -= 1;
                    let b = stack[sp];
                    if truthy(apply_cmp(c, stack[sp - 1], b)) {
                        stack[sp - 1] = b;
                    } else {
                        stack[sp - 1] = 0.0;
                        pc = target;
                    }
                }
                Op::JumpIfFalseOrPop(target) => {
                    if truthy(stack[sp - 1]) {
                        sp -= 1;
                    } else {
                        pc = target;
                    }
                }
                Op::JumpIfTrueOrPop(target) => {
                    if truthy(stack[sp - 1]) {
                        pc = target;
                    } else {
                        sp -= 1;
                    }
                }
                Op::PopJumpIfFalse(target) => {
                    sp -= 1;
                    if !truthy(stack[sp]) {
                        pc = target;
                    }
                }
                Op::Jump(target) => pc = target,
                Op::F1(f) => stack[sp - 1] = apply_fn1(f, stack[sp - 1]),
                Op::F2(f) => {
                    sp -= 1;
                    stack[sp - 1] = apply_fn2(f, stack[sp - 1], stack[sp]);
                }
                Op::Min(n) | Op::Max(n) => {
                    let base = sp - n;
                    let mut acc = stack[base];
                    for &x in &stack[base + 1..sp] {
                        acc = if matches!(op, Op::Min(_)) {
                            ops::py_min(acc, x)
                        } else {
                            ops::py_max(acc, x)
                        };
                    }
                    sp = base + 1;
                    stack[base] = acc;
                }
                Op::Rand(d) => {
                    if d.arity() == 1 {
                        stack[sp - 1] = d.sample(rng, stack[sp - 1], 0.0);
                    } else {
                        sp -= 1;
                        stack[sp - 1] = d.sample(rng, stack[sp - 1], stack[sp]);
                    }
                }
            }
        }
        if sp == 0 { f64::NAN } else { stack[sp - 1] }
    }

    /// Whether evaluation may draw random numbers.
    #[must_use]
    pub fn uses_random(&self) -> bool {
        self.uses_random
    }

    /// Indices (into the compile-time `vars`) of the variables the program
    /// reads after constant folding; sorted and deduplicated.
    #[must_use]
    pub fn used_vars(&self) -> &[usize] {
        &self.used_vars
    }

    /// The value, if the expression is constant (no variables, no random draws).
    #[must_use]
    pub fn constant(&self) -> Option<f64> {
        match self.ops.as_slice() {
            [Op::Const(v)] => Some(*v),
            _ => None,
        }
    }

    /// Number of variable names the program was compiled against.
    #[must_use]
    pub fn n_vars(&self) -> usize {
        self.n_vars
    }

    /// Evaluation stack depth the program needs (at most [`MAX_STACK`]).
    #[must_use]
    pub fn max_stack_depth(&self) -> usize {
        self.max_depth
    }

    /// Number of bytecode instructions (after constant folding).
    #[must_use]
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Always false: a program has at least one instruction.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

/// Fold constant subexpressions (no variables, no random draws).
pub(crate) fn fold(node: Node) -> Node {
    let span = node.span;
    let num = |v: f64| Expr::Num(v);
    let expr = match node.expr {
        e @ (Expr::Num(_) | Expr::Var(_)) => e,
        Expr::Unary(op, a) => {
            let a = fold(*a);
            match (op, &a.expr) {
                (UnOp::Neg, Expr::Num(v)) => num(-v),
                (UnOp::Not, Expr::Num(v)) => num(from_bool(!truthy(*v))),
                _ => Expr::Unary(op, Box::new(a)),
            }
        }
        Expr::Bin(op, a, b) => {
            let (a, b) = (fold(*a), fold(*b));
            match (&a.expr, &b.expr) {
                (Expr::Num(x), Expr::Num(y)) => num(apply_bin(op, *x, *y)),
                _ => Expr::Bin(op, Box::new(a), Box::new(b)),
            }
        }
        Expr::Cmp(first, rest) => {
            let first = fold(*first);
            let rest: Vec<(CmpOp, Node)> = rest.into_iter().map(|(o, n)| (o, fold(n))).collect();
            let all_const = matches!(first.expr, Expr::Num(_))
                && rest.iter().all(|(_, n)| matches!(n.expr, Expr::Num(_)));
            if all_const {
                let mut prev = as_num(&first);
                let mut result = 1.0;
                for (o, n) in &rest {
                    let cur = as_num(n);
                    if !truthy(apply_cmp(*o, prev, cur)) {
                        result = 0.0;
                        break;
                    }
                    prev = cur;
                }
                num(result)
            } else {
                Expr::Cmp(Box::new(first), rest)
            }
        }
        Expr::And(a, b) => {
            let a = fold(*a);
            let b = fold(*b);
            match a.expr {
                Expr::Num(v) if !truthy(v) => num(v),
                Expr::Num(_) => b.expr,
                _ => Expr::And(Box::new(a), Box::new(b)),
            }
        }
        Expr::Or(a, b) => {
            let a = fold(*a);
            let b = fold(*b);
            match a.expr {
                Expr::Num(v) if truthy(v) => num(v),
                Expr::Num(_) => b.expr,
                _ => Expr::Or(Box::new(a), Box::new(b)),
            }
        }
        Expr::IfElse { body, cond, orelse } => {
            let cond = fold(*cond);
            match cond.expr {
                Expr::Num(v) if truthy(v) => fold(*body).expr,
                Expr::Num(_) => fold(*orelse).expr,
                _ => Expr::IfElse {
                    body: Box::new(fold(*body)),
                    cond: Box::new(cond),
                    orelse: Box::new(fold(*orelse)),
                },
            }
        }
        Expr::Call(callee, args) => {
            let args: Vec<Node> = args.into_iter().map(fold).collect();
            let consts: Option<Vec<f64>> = args
                .iter()
                .map(|a| match a.expr {
                    Expr::Num(v) => Some(v),
                    _ => None,
                })
                .collect();
            match (callee, consts) {
                (Callee::F1(f), Some(c)) => num(apply_fn1(f, c[0])),
                (Callee::F2(f), Some(c)) => num(apply_fn2(f, c[0], c[1])),
                (Callee::Min, Some(c)) => num(c[1..].iter().fold(c[0], |a, &x| ops::py_min(a, x))),
                (Callee::Max, Some(c)) => num(c[1..].iter().fold(c[0], |a, &x| ops::py_max(a, x))),
                _ => Expr::Call(callee, args),
            }
        }
    };
    Node::new(expr, span)
}

fn as_num(n: &Node) -> f64 {
    match n.expr {
        Expr::Num(v) => v,
        _ => f64::NAN,
    }
}

/// Bytecode generator tracking the stack depth.
struct Gen {
    ops: Vec<Op>,
    depth: usize,
    max_depth: usize,
}

impl Gen {
    fn emit(&mut self, op: Op, delta: isize) -> usize {
        self.ops.push(op);
        self.depth = self.depth.saturating_add_signed(delta);
        self.max_depth = self.max_depth.max(self.depth);
        self.ops.len() - 1
    }

    fn patch(&mut self, at: usize) {
        let target = self.ops.len();
        match &mut self.ops[at] {
            Op::CmpChain(_, t)
            | Op::JumpIfFalseOrPop(t)
            | Op::JumpIfTrueOrPop(t)
            | Op::PopJumpIfFalse(t)
            | Op::Jump(t) => *t = target,
            _ => {}
        }
    }

    fn node(&mut self, n: &Node) {
        match &n.expr {
            Expr::Num(v) => {
                self.emit(Op::Const(*v), 1);
            }
            Expr::Var(i) => {
                self.emit(Op::Var(*i), 1);
            }
            Expr::Unary(op, a) => {
                self.node(a);
                let op = match op {
                    UnOp::Neg => Op::Neg,
                    UnOp::Not => Op::Not,
                };
                self.emit(op, 0);
            }
            Expr::Bin(op, a, b) => {
                self.node(a);
                self.node(b);
                self.emit(Op::Bin(*op), -1);
            }
            Expr::Cmp(first, rest) => {
                self.node(first);
                let mut chain_jumps = Vec::new();
                let last = rest.len() - 1;
                for (k, (op, rhs)) in rest.iter().enumerate() {
                    self.node(rhs);
                    if k == last {
                        self.emit(Op::Cmp(*op), -1);
                    } else {
                        chain_jumps.push(self.emit(Op::CmpChain(*op, 0), -1));
                    }
                }
                for j in chain_jumps {
                    self.patch(j);
                }
            }
            Expr::And(a, b) | Expr::Or(a, b) => {
                self.node(a);
                let j = if matches!(n.expr, Expr::And(..)) {
                    self.emit(Op::JumpIfFalseOrPop(0), -1)
                } else {
                    self.emit(Op::JumpIfTrueOrPop(0), -1)
                };
                self.node(b);
                self.patch(j);
            }
            Expr::IfElse { body, cond, orelse } => {
                self.node(cond);
                let j_else = self.emit(Op::PopJumpIfFalse(0), -1);
                let base = self.depth;
                self.node(body);
                let j_end = self.emit(Op::Jump(0), 0);
                self.patch(j_else);
                self.depth = base;
                self.node(orelse);
                self.patch(j_end);
            }
            Expr::Call(callee, args) => {
                for a in args {
                    self.node(a);
                }
                let n_args = args.len() as isize;
                let op = match *callee {
                    Callee::F1(f) => Op::F1(f),
                    Callee::F2(f) => Op::F2(f),
                    Callee::Min => Op::Min(args.len()),
                    Callee::Max => Op::Max(args.len()),
                    Callee::Rand(d) => Op::Rand(d),
                };
                self.emit(op, 1 - n_args);
            }
        }
    }
}

/// Generate the program for a folded tree.
pub(crate) fn generate(root: &Node, n_vars: usize, src_len: usize) -> Result<Program, ExprError> {
    let mut g = Gen {
        ops: Vec::new(),
        depth: 0,
        max_depth: 0,
    };
    g.node(root);
    if g.max_depth > MAX_STACK {
        return Err(ExprError::new(
            format!(
                "expression too complex: it needs an evaluation stack of {} values (limit {MAX_STACK})",
                g.max_depth
            ),
            0..src_len,
        ));
    }
    let mut used_vars: Vec<usize> = g
        .ops
        .iter()
        .filter_map(|op| match op {
            Op::Var(i) => Some(*i),
            _ => None,
        })
        .collect();
    used_vars.sort_unstable();
    used_vars.dedup();
    let uses_random = g.ops.iter().any(|op| matches!(op, Op::Rand(_)));
    Ok(Program {
        ops: g.ops,
        max_depth: g.max_depth,
        used_vars,
        uses_random,
        n_vars,
    })
}
