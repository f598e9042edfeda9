//! `KINETIC` blocks solved with `METHOD sparse`, as NEURON's nocmodl and scopmath's
//! `sparse_thread` do it.
//!
//! Each evaluation of the block ("fun" in scopmath) assembles the Newton system of the
//! backward-Euler step in place of the states:
//!
//! - every state row starts as `rhs = -(x - x_old)/dt` and `M_ii = 1/dt`, both scaled by
//!   the state's `COMPARTMENT` volume;
//! - `~ A + B <-> C (kf, kb)` computes `f_flux = kf*B*A` and `b_flux = kb*C`, subtracts
//!   `f_flux - b_flux` (times the stoichiometric coefficient) from the reactants' rows and
//!   adds it to the products', and adds the mass-action derivatives (not those of the rate
//!   expressions) to `M`;
//! - `~ A << (e)` adds `e` to A's row and nothing to `M`;
//! - `CONSERVE A + B = total` replaces the row of its right-most state not yet replaced by
//!   another CONSERVE with `sum(vol_j x_j) = total` (the reactions skip that row).
//!
//! Solving `M delta = rhs` and adding `delta` to the states is one Newton iteration.
//! Schemes whose reactions are all first order (nocmodl's `_linmat`) take exactly one;
//! others iterate until `sum |delta| <= 1e-6`, at most 22 times, with negative states
//! clamped to 0 after each iteration. The block runs once more at the solution.
//! `STEADYSTATE sparse` does the same with `dt = 1e9` (scopmath's `_ss_sparse_thread`).
//!
//! The system is solved by Gaussian elimination without pivoting (as scopmath's sparse
//! solver), eliminating the ordinary rows first and the CONSERVE rows last; only the
//! structurally non-zero entries get operations.

use ranvier_kernel::ir::KernelBuilder;
use ranvier_kernel::{BinOp as KBin, Op, Reg, UnOp as KUn};
use ranvier_span::TextRange;

use super::{Compiler, Ctx, Env, Sym, visit};
use crate::ast::*;

/// scopmath `CONVERGE`: Newton stops when the summed |update| is at most this.
const CONVERGE: f64 = 1e-6;
/// scopmath `MAXSTEPS`: iteration `MAXSTEPS + 1` is the last.
const MAXSTEPS: f64 = 20.0;
/// scopmath's `_ss_sparse_thread`: the step that stands for "forever".
const SS_DT: f64 = 1e9;
/// scopmath's `_ss_sparse_thread`: attempts for a nonlinear steady state.
const SS_TRIES: f64 = 7.0;

/// One side of a reaction: species and stoichiometric coefficients.
type Side = Vec<(Name, u32)>;

/// What the analysis of a KINETIC block found.
#[derive(Clone, Debug)]
pub(super) struct KinSystem {
    /// States of the scheme (rows and columns), with their fields.
    states: Vec<(String, u16)>,
    /// Rows replaced by a CONSERVE equation.
    replaced: Vec<bool>,
    /// Each CONSERVE statement (by extent) and the row it replaces.
    conserve_rows: Vec<(TextRange, usize)>,
    /// Every reaction is first order (nocmodl's `_linmat`).
    linear: bool,
    /// Structurally non-zero matrix entries.
    nz: Vec<Vec<bool>>,
}

/// The system being assembled by one evaluation of the block.
#[derive(Clone, Debug)]
pub(super) struct KinEnv {
    sys: KinSystem,
    /// `M[i][j]`, `None` where structurally zero.
    m: Vec<Vec<Option<Reg>>>,
    rhs: Vec<Reg>,
    /// COMPARTMENT volume of each state, if any.
    vols: Vec<Option<Reg>>,
    f_flux: Reg,
    b_flux: Reg,
    /// False when the block runs only for its side effects (after convergence).
    assemble: bool,
}

impl KinEnv {
    fn row(&self, name: &str) -> Option<usize> {
        self.sys.states.iter().position(|(n, _)| n == name)
    }
}

/// One `2 A` term: the species' name and coefficient.
fn species(r: &Reactant) -> Option<(&Name, u32)> {
    match &r.species.kind {
        ExprKind::Name(n) => Some((n, r.coeff)),
        _ => None,
    }
}

/// The names summed by a CONSERVE left side (`None` unless it is a sum of names).
fn conserve_terms(e: &Expr) -> Option<Vec<&Name>> {
    match &e.kind {
        ExprKind::Name(n) => Some(vec![n]),
        ExprKind::Paren(a) => conserve_terms(a),
        ExprKind::Binary(BinOp::Add, a, b) => {
            let mut v = conserve_terms(a)?;
            v.extend(conserve_terms(b)?);
            Some(v)
        }
        _ => None,
    }
}

/// In-place LU factorisation without pivoting of the registers `m` (`None`: a
/// structural zero, filled in where elimination makes it non-zero).
pub(super) fn lu_factor(b: &mut KernelBuilder, m: &mut [Vec<Option<Reg>>]) {
    let n = m.len();
    for k in 0..n {
        let Some(pivot) = m[k][k] else {
            continue;
        };
        for i in k + 1..n {
            let Some(a) = m[i][k] else {
                continue;
            };
            let l = b.div(a, pivot);
            b.push(Op::Copy { dst: a, src: l });
            for j in k + 1..n {
                let Some(u) = m[k][j] else {
                    continue;
                };
                let p = b.mul(l, u);
                match m[i][j] {
                    Some(r) => {
                        let nv = b.sub(r, p);
                        b.push(Op::Copy { dst: r, src: nv });
                    }
                    None => m[i][j] = Some(b.un(KUn::Neg, p)),
                }
            }
        }
    }
}

/// Solve `LU x = rhs` with factors from [`lu_factor`].
pub(super) fn lu_solve(b: &mut KernelBuilder, m: &[Vec<Option<Reg>>], rhs: &[Reg]) -> Vec<Reg> {
    let n = m.len();
    let mut y: Vec<Reg> = Vec::with_capacity(n);
    for i in 0..n {
        let mut acc = rhs[i];
        for (k, &yk) in y.iter().enumerate() {
            if let Some(l) = m[i][k] {
                let p = b.mul(l, yk);
                acc = b.sub(acc, p);
            }
        }
        y.push(acc);
    }
    let mut x: Vec<Reg> = y.clone();
    for i in (0..n).rev() {
        let mut acc = y[i];
        for k in i + 1..n {
            if let Some(u) = m[i][k] {
                let p = b.mul(u, x[k]);
                acc = b.sub(acc, p);
            }
        }
        let pivot = m[i][i].unwrap_or(acc);
        x[i] = b.div(acc, pivot);
    }
    x
}

impl Compiler {
    /// Find the states, CONSERVE rows, linearity and sparsity of a KINETIC block.
    pub(super) fn kinetic_system(&mut self, block: &SolveBlock) -> Option<KinSystem> {
        let mut names: Vec<Name> = Vec::new();
        let mut reactions: Vec<(Side, Side)> = Vec::new();
        let mut conserves: Vec<(TextRange, Vec<Name>)> = Vec::new();
        let mut errors: Vec<(TextRange, String)> = Vec::new();
        let mut linear = true;
        visit(&block.body, false, &mut |s| {
            match &s.kind {
            StmtKind::Reaction(r) => {
                let (lhs, rhs): (&[Reactant], &[Reactant]) = match r {
                    Reaction::Reversible { lhs, rhs, .. } => (lhs, rhs),
                    Reaction::Flux { lhs, .. } => (lhs, &[]),
                    // `~ A -> (k)`: nocmodl's one-way flux (kinetic.cpp `flux` with `-`),
                    // reactants consumed at rate k, no products.
                    Reaction::Forward { lhs, rhs, .. } if rhs.is_empty() => (lhs, &[]),
                    Reaction::Forward { .. } => {
                        errors.push((
                            s.range,
                            "NEURON accepts a one-way reaction only without products (`~ A -> (k)`); write `<->` with a backward rate of 0".into(),
                        ));
                        return;
                    }
                    Reaction::Equation { .. } => {
                        errors.push((
                            s.range,
                            "`~ lhs = rhs` equations belong in LINEAR and NONLINEAR blocks".into(),
                        ));
                        return;
                    }
                };
                let mut side = |rs: &[Reactant]| -> Side {
                    let mut out = Vec::new();
                    for r in rs {
                        match species(r) {
                            Some((n, c)) => out.push((n.clone(), c)),
                            None => errors.push((
                                r.species.range,
                                "a reaction species must be a name (STATE arrays are not supported yet)".into(),
                            )),
                        }
                    }
                    out
                };
                let (l, rr) = (side(lhs), side(rhs));
                let order = |v: &[(Name, u32)]| v.iter().map(|(_, c)| *c).sum::<u32>();
                match r {
                    Reaction::Reversible { .. } => {
                        linear &= order(&l) == 1 && order(&rr) == 1;
                    }
                    Reaction::Forward { .. } => linear &= order(&l) == 1,
                    _ => {}
                }
                for (n, _) in l.iter().chain(&rr) {
                    names.push(n.clone());
                }
                reactions.push((l, rr));
            }
            StmtKind::Conserve { lhs, .. } => match conserve_terms(lhs) {
                Some(terms) => {
                    names.extend(terms.iter().map(|n| (*n).clone()));
                    conserve_rows_push(&mut conserves, s.range, terms);
                }
                None => errors.push((
                    lhs.range,
                    "CONSERVE takes a sum of STATE names (`A + B + C = total`), as nocmodl requires".into(),
                )),
            },
            StmtKind::Compartment {
                longitudinal,
                index,
                ..
            } => {
                if *longitudinal {
                    errors.push((s.range, "LONGITUDINAL_DIFFUSION is not supported yet".into()));
                } else if index.is_some() {
                    errors.push((
                        s.range,
                        "an indexed COMPARTMENT (for STATE arrays) is not supported yet".into(),
                    ));
                }
            }
            _ => {}
        }
        });
        for (r, m) in errors {
            self.error(r, m);
        }
        // States in order of first appearance; other species (parameters) only scale fluxes.
        let mut states: Vec<(String, u16)> = Vec::new();
        for n in &names {
            if states.iter().any(|(s, _)| *s == n.text) {
                continue;
            }
            if let Some(Sym::Field(f)) = self.syms.get(&n.text).copied()
                && self.state_names.contains(&n.text)
            {
                states.push((n.text.clone(), f));
            }
        }
        let n = states.len();
        let row = |name: &str| states.iter().position(|(s, _)| s == name);
        // Each CONSERVE replaces its right-most state not replaced yet.
        let mut replaced = vec![false; n];
        let mut conserve_rows = Vec::new();
        for (range, terms) in &conserves {
            let mut claimed = None;
            for t in terms.iter().rev() {
                match row(&t.text) {
                    Some(i) if !replaced[i] => {
                        claimed = Some(i);
                        break;
                    }
                    Some(_) => {}
                    None => self.error(t.range, format!("`{}` is not a STATE", t.text)),
                }
            }
            match claimed {
                Some(i) => {
                    replaced[i] = true;
                    conserve_rows.push((*range, i));
                }
                None => self.error(
                    *range,
                    "every STATE of this CONSERVE is already fixed by another CONSERVE",
                ),
            }
        }
        let mut nz = vec![vec![false; n]; n];
        for (i, row) in nz.iter_mut().enumerate() {
            row[i] = true;
        }
        for (lhs, rhs) in &reactions {
            let rows: Vec<usize> = lhs
                .iter()
                .chain(rhs)
                .filter_map(|(s, _)| row(&s.text))
                .collect();
            for &i in &rows {
                for &j in &rows {
                    if !replaced[i] {
                        nz[i][j] = true;
                    }
                }
            }
            if rhs.is_empty() && lhs.iter().any(|(s, _)| row(&s.text).is_none()) {
                // `~ x << (e)` on something that is not a STATE.
                for (s, _) in lhs.iter().filter(|(s, _)| row(&s.text).is_none()) {
                    self.error(s.range, format!("`{}` is not a STATE", s.text));
                }
            }
        }
        for ((_, terms), (_, r)) in conserves.iter().zip(&conserve_rows) {
            for t in terms {
                if let Some(j) = row(&t.text) {
                    nz[*r][j] = true;
                }
            }
        }
        if n == 0 {
            self.error(
                block.name.range,
                format!(
                    "KINETIC block `{}` has no reactions of STATEs",
                    block.name.text
                ),
            );
            return None;
        }
        Some(KinSystem {
            states,
            replaced,
            conserve_rows,
            linear,
            nz,
        })
    }

    /// `SOLVE name METHOD sparse` in BREAKPOINT (nrn_state).
    pub(super) fn solve_sparse(
        &mut self,
        b: &mut KernelBuilder,
        env: &Env,
        block: &SolveBlock,
        so: Option<Reg>,
    ) {
        let Some(sys) = self.kinetic_system(block) else {
            return;
        };
        let old = self.sparse_call(b, env, block, &sys, !sys.linear);
        if let Some(so) = so {
            // NEURON keeps `(x - x_old)/dt` as the derivative and, under Crank-Nicolson,
            // adds `dt` times it.
            let dt = self.dt(b);
            b.begin_if(so);
            for ((_, f), o) in sys.states.iter().zip(&old) {
                let x = b.field(*f);
                let d = b.sub(x, *o);
                let d = b.div(d, dt);
                let inc = b.mul(dt, d);
                let nx = b.add(x, inc);
                b.push(Op::StoreField { field: *f, src: nx });
            }
            b.end_if();
        }
    }

    /// `SOLVE name STEADYSTATE sparse` in INITIAL (scopmath `_ss_sparse_thread`).
    fn solve_steady_sparse(&mut self, b: &mut KernelBuilder, env: &Env, block: &SolveBlock) {
        let Some(sys) = self.kinetic_system(block) else {
            return;
        };
        let saved = self.dt_reg;
        self.dt_reg = Some(b.constant(SS_DT));
        if sys.linear {
            // One full solve, iterated to convergence with states kept >= 0.
            self.sparse_call(b, env, block, &sys, true);
        } else {
            // Up to 7 single Newton steps; once no state is below -1e-6 (those that are
            // become 0), one full solve finishes.
            let (zero, one, tol, tries) = (
                b.constant(0.0),
                b.constant(1.0),
                b.constant(-1e-6),
                b.constant(SS_TRIES),
            );
            let going = b.constant(1.0);
            let count = b.constant(0.0);
            b.begin_loop();
            self.sparse_call(b, env, block, &sys, false);
            let ok = b.constant(1.0);
            for (_, f) in &sys.states {
                let x = b.field(*f);
                let neg = b.bin(KBin::Lt, x, tol);
                let nx = b.emit(|dst| Op::Select {
                    dst,
                    cond: neg,
                    a: zero,
                    b: x,
                });
                b.push(Op::StoreField { field: *f, src: nx });
                let fine = b.un(KUn::Not, neg);
                let all = b.bin(KBin::And, ok, fine);
                b.push(Op::Copy { dst: ok, src: all });
            }
            b.begin_if(ok);
            self.sparse_call(b, env, block, &sys, true);
            b.end_if();
            let c = b.add(count, one);
            b.push(Op::Copy { dst: count, src: c });
            let more = b.bin(KBin::Lt, count, tries);
            let not_ok = b.un(KUn::Not, ok);
            let g = b.bin(KBin::And, not_ok, more);
            b.push(Op::Copy { dst: going, src: g });
            b.end_loop(going);
        }
        self.dt_reg = saved;
    }

    /// SOLVE statements in INITIAL.
    pub(super) fn solve_initial(
        &mut self,
        b: &mut KernelBuilder,
        env: &Env,
        solve: &Solve,
        range: TextRange,
    ) {
        let Some(block) = self.solve_blocks.get(&solve.block.text).cloned() else {
            self.error(
                solve.block.range,
                format!("no DERIVATIVE/KINETIC block named `{}`", solve.block.text),
            );
            return;
        };
        let steady = solve.steadystate.as_ref().map(|m| m.text.as_str());
        match (block.kind, steady) {
            (SolveKind::Kinetic, Some("sparse")) => self.solve_steady_sparse(b, env, &block),
            _ => self.error(
                range,
                "only `SOLVE kinetic_block STEADYSTATE sparse` is supported in INITIAL",
            ),
        }
    }

    /// scopmath `sparse_thread`: Newton iterations on the states (in their fields),
    /// one (`iterate` false, nocmodl's `linflag`) or until converged with negative
    /// states clamped to 0; then the block once more. Returns the states before.
    fn sparse_call(
        &mut self,
        b: &mut KernelBuilder,
        env: &Env,
        block: &SolveBlock,
        sys: &KinSystem,
        iterate: bool,
    ) -> Vec<Reg> {
        let old = super::field_copies(b, &sys.states);
        if iterate {
            let (zero, one, conv, maxsteps) = (
                b.constant(0.0),
                b.constant(1.0),
                b.constant(CONVERGE),
                b.constant(MAXSTEPS),
            );
            let going = b.constant(1.0);
            let count = b.constant(0.0);
            b.begin_loop();
            let err = self.newton_step(b, env, block, sys, &old, Some(zero));
            // Iterations 0..=MAXSTEPS may converge; iteration MAXSTEPS + 1 is the last
            // (NEURON then returns an error code that nrn_state ignores).
            let more = b.bin(KBin::Le, count, maxsteps);
            let c = b.add(count, one);
            b.push(Op::Copy { dst: count, src: c });
            let unconverged = b.bin(KBin::Gt, err, conv);
            let g = b.bin(KBin::And, unconverged, more);
            b.push(Op::Copy { dst: going, src: g });
            b.end_loop(going);
        } else {
            self.newton_step(b, env, block, sys, &old, None);
        }
        self.kinetic_eval(b, env, block, sys, &old, false);
        old
    }

    /// Assemble, solve, update the states; returns `sum |delta|`. With `clamp_to`,
    /// negative states are set to it (0).
    fn newton_step(
        &mut self,
        b: &mut KernelBuilder,
        env: &Env,
        block: &SolveBlock,
        sys: &KinSystem,
        old: &[Reg],
        clamp_to: Option<Reg>,
    ) -> Reg {
        let kin = self.kinetic_eval(b, env, block, sys, old, true);
        // Ordinary rows first, CONSERVE rows last.
        let n = sys.states.len();
        let order: Vec<usize> = (0..n)
            .filter(|&i| !sys.replaced[i])
            .chain((0..n).filter(|&i| sys.replaced[i]))
            .collect();
        let mut m: Vec<Vec<Option<Reg>>> = order
            .iter()
            .map(|&i| order.iter().map(|&j| kin.m[i][j]).collect())
            .collect();
        let rhs: Vec<Reg> = order.iter().map(|&i| kin.rhs[i]).collect();
        lu_factor(b, &mut m);
        let sol = lu_solve(b, &m, &rhs);
        let mut err = b.constant(0.0);
        for (k, &i) in order.iter().enumerate() {
            let f = sys.states[i].1;
            let x = b.field(f);
            let mut nx = b.add(x, sol[k]);
            if let Some(zero) = clamp_to {
                let neg = b.bin(KBin::Lt, nx, zero);
                nx = b.emit(|dst| Op::Select {
                    dst,
                    cond: neg,
                    a: zero,
                    b: nx,
                });
            }
            b.push(Op::StoreField { field: f, src: nx });
            let a = b.un(KUn::Fabs, sol[k]);
            err = b.add(err, a);
        }
        err
    }

    /// Run the block once with the states in their fields: assemble the system
    /// (`assemble`) or only run its statements.
    fn kinetic_eval(
        &mut self,
        b: &mut KernelBuilder,
        env: &Env,
        block: &SolveBlock,
        sys: &KinSystem,
        old: &[Reg],
        assemble: bool,
    ) -> KinEnv {
        let n = sys.states.len();
        let mut e = env.clone();
        let zero_m = |b: &mut KernelBuilder, nz: bool| nz.then(|| b.constant(0.0));
        let m: Vec<Vec<Option<Reg>>> = if assemble {
            sys.nz
                .iter()
                .map(|row| row.iter().map(|&nz| zero_m(b, nz)).collect())
                .collect()
        } else {
            vec![vec![None; n]; n]
        };
        let rhs: Vec<Reg> = (0..n).map(|_| b.constant(0.0)).collect();
        let mut vols: Vec<Option<Reg>> = vec![None; n];
        // COMPARTMENT volumes, evaluated before the statements as nocmodl emits them.
        for s in &block.body.stmts {
            if let StmtKind::Compartment {
                longitudinal: false,
                index: None,
                expr,
                species,
            } = &s.kind
            {
                let vol = self.expr(b, &mut e, expr);
                for sp in species {
                    if let Some(i) = sys.states.iter().position(|(s, _)| *s == sp.text) {
                        vols[i] = Some(vol);
                    }
                }
            }
        }
        if assemble {
            let dt = self.dt(b);
            let one = b.constant(1.0);
            let dt1 = b.div(one, dt);
            let ndt1 = b.un(KUn::Neg, dt1);
            for i in 0..n {
                if sys.replaced[i] {
                    continue;
                }
                let x = b.field(sys.states[i].1);
                let d = b.sub(x, old[i]);
                let mut r = b.mul(ndt1, d);
                let mut diag = dt1;
                if let Some(v) = vols[i] {
                    r = b.mul(r, v);
                    diag = b.mul(diag, v);
                }
                b.push(Op::Copy {
                    dst: rhs[i],
                    src: r,
                });
                if let Some(mii) = m[i][i] {
                    b.push(Op::Copy {
                        dst: mii,
                        src: diag,
                    });
                }
            }
        }
        let f_flux = b.constant(0.0);
        let b_flux = b.constant(0.0);
        e.locals.insert("f_flux".into(), f_flux);
        e.locals.insert("b_flux".into(), b_flux);
        let kin = KinEnv {
            sys: sys.clone(),
            m,
            rhs,
            vols,
            f_flux,
            b_flux,
            assemble,
        };
        e.kin = Some(kin.clone());
        self.block(b, &mut e, &block.body, Ctx::Kinetic);
        kin
    }

    /// The value of a reaction species (a STATE in its field, or any other variable).
    fn species_value(&mut self, b: &mut KernelBuilder, env: &mut Env, n: &Name) -> Reg {
        let e = Expr {
            kind: ExprKind::Name(n.clone()),
            range: n.range,
        };
        self.expr(b, env, &e)
    }

    /// `rate * s_k * ...` over `side` in reverse order (nocmodl's flux), skipping one
    /// power of `skip` (for a derivative), with `skip`'s coefficient as a factor.
    fn mass_action(
        &mut self,
        b: &mut KernelBuilder,
        env: &mut Env,
        rate: Reg,
        side: &[(Name, u32)],
        skip: Option<usize>,
    ) -> Reg {
        let mut t = rate;
        if let Some(k) = skip {
            let c = side[k].1;
            if c > 1 {
                let cr = b.constant(f64::from(c));
                t = b.mul(t, cr);
                let x = self.species_value(b, env, &side[k].0);
                for _ in 1..c {
                    t = b.mul(t, x);
                }
            }
        }
        for (k, (n, c)) in side.iter().enumerate().rev() {
            if Some(k) == skip {
                continue;
            }
            let x = self.species_value(b, env, n);
            for _ in 0..*c {
                t = b.mul(t, x);
            }
        }
        t
    }

    /// Add `sign * coeff * v` to entry `(i, j)` of the matrix (or to `rhs[i]` when `j` is
    /// `None`), unless row `i` is a CONSERVE row.
    fn kin_add(
        b: &mut KernelBuilder,
        kin: &KinEnv,
        i: usize,
        j: Option<usize>,
        coeff: u32,
        v: Reg,
        add: bool,
    ) {
        if kin.sys.replaced[i] {
            return;
        }
        let Some(dst) = (match j {
            Some(j) => kin.m[i][j],
            None => Some(kin.rhs[i]),
        }) else {
            return;
        };
        let mut t = v;
        if coeff != 1 {
            let c = b.constant(f64::from(coeff));
            t = b.mul(c, v);
        }
        let nv = b.bin(if add { KBin::Add } else { KBin::Sub }, dst, t);
        b.push(Op::Copy { dst, src: nv });
    }

    /// Add `v` (times each species' coefficient) to the rows of `side`'s states, in
    /// column `col` of the matrix or (`None`) in the right-hand side.
    fn add_rows(
        b: &mut KernelBuilder,
        kin: &KinEnv,
        side: &[(Name, u32)],
        col: Option<usize>,
        v: Reg,
        add: bool,
    ) {
        for (n, c) in side {
            if let Some(i) = kin.row(&n.text) {
                Self::kin_add(b, kin, i, col, *c, v, add);
            }
        }
    }

    /// `f_flux` and `b_flux` as the block sees them after a reaction.
    fn set_fluxes(b: &mut KernelBuilder, kin: &KinEnv, f: Reg, bf: Reg) {
        b.push(Op::Copy {
            dst: kin.f_flux,
            src: f,
        });
        b.push(Op::Copy {
            dst: kin.b_flux,
            src: bf,
        });
    }

    /// A `~` statement while a KINETIC block is assembled.
    pub(super) fn reaction(
        &mut self,
        b: &mut KernelBuilder,
        env: &mut Env,
        r: &Reaction,
        range: TextRange,
    ) {
        let Some(kin) = env.kin.clone() else {
            return;
        };
        let names = |rs: &[Reactant]| -> Side {
            rs.iter()
                .filter_map(|r| species(r).map(|(n, c)| (n.clone(), c)))
                .collect()
        };
        match r {
            Reaction::Reversible { lhs, rhs, kf, kb } => {
                let (l, rr) = (names(lhs), names(rhs));
                let kfv = self.expr(b, env, kf);
                let kbv = self.expr(b, env, kb);
                let f = self.mass_action(b, env, kfv, &l, None);
                let bf = self.mass_action(b, env, kbv, &rr, None);
                Self::set_fluxes(b, &kin, f, bf);
                if !kin.assemble {
                    return;
                }
                let diff = b.sub(f, bf);
                Self::add_rows(b, &kin, &l, None, diff, false);
                Self::add_rows(b, &kin, &rr, None, diff, true);
                // d(f_flux)/d(reactant) enters the reactants' rows with +, the products'
                // with -; d(b_flux)/d(product) the other way round.
                for (forward, side, rate) in [(true, &l, kfv), (false, &rr, kbv)] {
                    for k in 0..side.len() {
                        let Some(j) = kin.row(&side[k].0.text) else {
                            continue;
                        };
                        let t = self.mass_action(b, env, rate, side, Some(k));
                        Self::add_rows(b, &kin, &l, Some(j), t, forward);
                        Self::add_rows(b, &kin, &rr, Some(j), t, !forward);
                    }
                }
            }
            Reaction::Flux { lhs, flux } => {
                let v = self.expr(b, env, flux);
                let z = b.constant(0.0);
                Self::set_fluxes(b, &kin, z, v);
                if !kin.assemble {
                    return;
                }
                let species: Side = names(lhs).into_iter().map(|(n, _)| (n, 1)).collect();
                Self::add_rows(b, &kin, &species, None, v, true);
            }
            // `~ A -> (k)`: the forward half of a reaction without products.
            Reaction::Forward { lhs, rhs, k } if rhs.is_empty() => {
                let l = names(lhs);
                let kv = self.expr(b, env, k);
                let f = self.mass_action(b, env, kv, &l, None);
                let z = b.constant(0.0);
                Self::set_fluxes(b, &kin, f, z);
                if !kin.assemble {
                    return;
                }
                Self::add_rows(b, &kin, &l, None, f, false);
                for k in 0..l.len() {
                    let Some(j) = kin.row(&l[k].0.text) else {
                        continue;
                    };
                    let t = self.mass_action(b, env, kv, &l, Some(k));
                    Self::add_rows(b, &kin, &l, Some(j), t, true);
                }
            }
            Reaction::Forward { .. } | Reaction::Equation { .. } => {
                // Reported by the analysis.
                let _ = range;
            }
        }
    }

    /// `CONSERVE A + B = total` while a KINETIC block is assembled: its row becomes
    /// `sum(vol_j x_j) = total` in Newton form.
    pub(super) fn conserve(
        &mut self,
        b: &mut KernelBuilder,
        env: &mut Env,
        lhs: &Expr,
        total: &Expr,
        range: TextRange,
    ) {
        let Some(kin) = env.kin.clone() else {
            return;
        };
        if !kin.assemble {
            return;
        }
        let Some(&(_, r)) = kin.sys.conserve_rows.iter().find(|(rg, _)| *rg == range) else {
            return;
        };
        let Some(terms) = conserve_terms(lhs) else {
            return;
        };
        let mut acc = self.expr(b, env, total);
        for t in terms.iter().rev() {
            let Some(j) = kin.row(&t.text) else {
                continue;
            };
            let x = self.species_value(b, env, t);
            let (coef, amount) = match kin.vols[j] {
                Some(v) => (v, b.mul(x, v)),
                None => (b.constant(1.0), x),
            };
            if let Some(mrj) = kin.m[r][j] {
                b.push(Op::Copy {
                    dst: mrj,
                    src: coef,
                });
            }
            acc = b.sub(acc, amount);
        }
        b.push(Op::Copy {
            dst: kin.rhs[r],
            src: acc,
        });
    }
}

fn conserve_rows_push(out: &mut Vec<(TextRange, Vec<Name>)>, range: TextRange, terms: Vec<&Name>) {
    out.push((range, terms.into_iter().cloned().collect()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_of(src: &str) -> Option<Vec<String>> {
        let (m, _) = crate::parse(&format!("KINETIC k {{ CONSERVE {src} = 1 }}"));
        for item in &m.items {
            if let ItemKind::Solvable(sb) = &item.kind
                && let StmtKind::Conserve { lhs, .. } = &sb.body.stmts[0].kind
            {
                return conserve_terms(lhs).map(|v| v.iter().map(|n| n.text.clone()).collect());
            }
        }
        None
    }

    #[test]
    fn conserve_sums_of_names_only() {
        assert_eq!(
            names_of("A + B + C"),
            Some(vec!["A".into(), "B".into(), "C".into()])
        );
        assert_eq!(
            names_of("A + (B + C)"),
            Some(vec!["A".into(), "B".into(), "C".into()])
        );
        assert_eq!(names_of("A + 2*B"), None);
    }
}
