//! The array-at-a-time interpreter.

use ranvier_mech::{Ctx, EventSink, IonInstances, IonVar, MechInstances, SelfSend};

use crate::ir::{BinOp, Kernel, Op, Reg, UnOp};

/// A built table: values of each output at `with + 1` points.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TableData {
    pub tmin: f64,
    /// `1 / dx`.
    pub mfac: f64,
    pub n: usize,
    /// `values[output][point]`.
    pub values: Vec<Vec<f64>>,
    /// Temperature and globals the table was built for.
    pub key: Vec<f64>,
    /// The globals after the build: the procedure's own assignments to GLOBALs (km.mod's
    /// `tadj`), which NEURON keeps from running it over the table (the last point's).
    pub globals: Vec<f64>,
}

impl TableData {
    /// Where `x` falls: the interval and the fraction into it (`theta` NaN for a NaN
    /// argument; clamped to the ends outside the range).
    #[inline]
    fn position(&self, x: f64) -> (usize, f64) {
        let xi = self.mfac * (x - self.tmin);
        if xi.is_nan() {
            return (0, f64::NAN);
        }
        if xi <= 0.0 {
            return (0, 0.0);
        }
        if xi >= self.n as f64 {
            return (self.n, 0.0);
        }
        let i = xi as usize;
        (i, xi - i as f64)
    }

    /// Output `k` at a position from [`TableData::position`] (as [`TableData::lookup`]).
    #[inline]
    fn at(&self, k: usize, i: usize, theta: f64) -> f64 {
        let t = &self.values[k];
        if theta.is_nan() {
            return theta;
        }
        if theta == 0.0 {
            return t[i];
        }
        t[i] + theta * (t[i + 1] - t[i])
    }

    /// NEURON's generated lookup: clamp outside the range, interpolate linearly inside.
    #[inline]
    #[must_use]
    pub fn lookup(&self, k: usize, x: f64) -> f64 {
        let t = &self.values[k];
        let xi = self.mfac * (x - self.tmin);
        if xi.is_nan() {
            return xi;
        }
        if xi <= 0.0 {
            return t[0];
        }
        if xi >= self.n as f64 {
            return t[self.n];
        }
        let i = xi as usize;
        let theta = xi - i as f64;
        t[i] + theta * (t[i + 1] - t[i])
    }
}

/// Which instances a kernel runs over.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Lanes {
    /// All instances `0..n`.
    All(usize),
    /// Instances `start..start + len` (a chunk of [`Lanes::All`]).
    Range(usize, usize),
    /// One instance (an event handler).
    One(u32),
}

impl Lanes {
    /// First instance of a contiguous run of lanes (`None` for a single event lane).
    fn start(self) -> Option<usize> {
        match self {
            Lanes::All(_) => Some(0),
            Lanes::Range(s, _) => Some(s),
            Lanes::One(_) => None,
        }
    }

    fn len(self) -> usize {
        match self {
            Lanes::All(n) | Lanes::Range(_, n) => n,
            Lanes::One(_) => 1,
        }
    }

    #[inline]
    fn inst(self, j: usize) -> usize {
        match self {
            Lanes::All(_) => j,
            Lanes::Range(start, _) => start + j,
            Lanes::One(i) => i as usize,
        }
    }
}

/// What an event handler sees besides the instance data.
pub(crate) struct EventCtx<'a> {
    /// Weight vectors: the delivering connection's alone (`base` 0), or, for
    /// `FOR_NETCONS`, every connection's back to back.
    pub(crate) weights: &'a mut [f64],
    /// Where the delivering connection's weights start (`None`: a self event without one).
    pub(crate) base: Option<usize>,
    /// Length of one weight vector.
    pub(crate) w_len: usize,
    /// Offsets of every connection targeting the instance (`FOR_NETCONS`).
    pub(crate) netcons: &'a [u32],
    /// Offset of the connection a `ForNetcons` body is at.
    pub(crate) nc: usize,
    pub(crate) flag: f64,
    pub(crate) weight_ref: Option<u32>,
}

impl EventCtx<'_> {
    fn slot(&self, base: Option<usize>, k: u8) -> Option<usize> {
        let k = k as usize;
        base.filter(|_| k < self.w_len).map(|b| b + k)
    }
}

struct Machine<'a, 'b> {
    tables: &'a [TableData],
    m: &'a mut MechInstances,
    ctx: &'a mut Ctx<'b>,
    ev: &'a mut EventSink,
    event: Option<EventCtx<'a>>,
    lanes: Lanes,
    /// Registers (`reg * lanes + lane`) followed by the mask stack
    /// (`mask_base + level * lanes + lane`, level 0 unused).
    regs: Vec<f64>,
    mask_base: usize,
}

fn ion_field(ion: &IonInstances, var: IonVar) -> &[f64] {
    match var {
        IonVar::Erev => &ion.erev,
        IonVar::Conci => &ion.conci,
        IonVar::Conco => &ion.conco,
        IonVar::Cur => &ion.cur,
    }
}

fn ion_field_mut(ion: &mut IonInstances, var: IonVar) -> &mut [f64] {
    match var {
        IonVar::Erev => &mut ion.erev,
        IonVar::Conci => &mut ion.conci,
        IonVar::Conco => &mut ion.conco,
        IonVar::Cur => &mut ion.cur,
    }
}

fn bin(op: BinOp, a: f64, b: f64) -> f64 {
    let t = |c: bool| if c { 1.0 } else { 0.0 };
    match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::Div => a / b,
        BinOp::Pow => a.powf(b),
        BinOp::Lt => t(a < b),
        BinOp::Le => t(a <= b),
        BinOp::Gt => t(a > b),
        BinOp::Ge => t(a >= b),
        BinOp::Eq => t(a == b),
        BinOp::Ne => t(a != b),
        BinOp::And => t(a != 0.0 && b != 0.0),
        BinOp::Or => t(a != 0.0 || b != 0.0),
        BinOp::Min => a.min(b),
        BinOp::Max => a.max(b),
        BinOp::Atan2 => a.atan2(b),
        BinOp::Fmod => a % b,
    }
}

/// `dst = f(a, b)` over `l` lanes of the register file (registers `reg * l ..`).
#[inline]
fn lanes2(r: &mut [f64], l: usize, dst: usize, a: usize, b: usize, f: impl Fn(f64, f64) -> f64) {
    let (d0, a0, b0) = (dst * l, a * l, b * l);
    if a0 + l <= d0 && b0 + l <= d0 {
        // Inputs below the output (the builder's order): disjoint slices, vectorisable.
        let (src, out) = r.split_at_mut(d0);
        for ((o, x), y) in out[..l]
            .iter_mut()
            .zip(&src[a0..a0 + l])
            .zip(&src[b0..b0 + l])
        {
            *o = f(*x, *y);
        }
    } else {
        for j in 0..l {
            let v = f(r[a0 + j], r[b0 + j]);
            r[d0 + j] = v;
        }
    }
}

#[inline]
fn lanes1(r: &mut [f64], l: usize, dst: usize, a: usize, f: impl Fn(f64) -> f64) {
    let (d0, a0) = (dst * l, a * l);
    if a0 + l <= d0 {
        let (src, out) = r.split_at_mut(d0);
        for (o, x) in out[..l].iter_mut().zip(&src[a0..a0 + l]) {
            *o = f(*x);
        }
    } else {
        for j in 0..l {
            let v = f(r[a0 + j]);
            r[d0 + j] = v;
        }
    }
}

fn bin_lanes(r: &mut [f64], l: usize, op: BinOp, d: usize, a: usize, b: usize) {
    let t = |c: bool| if c { 1.0 } else { 0.0 };
    match op {
        BinOp::Add => lanes2(r, l, d, a, b, |x, y| x + y),
        BinOp::Sub => lanes2(r, l, d, a, b, |x, y| x - y),
        BinOp::Mul => lanes2(r, l, d, a, b, |x, y| x * y),
        BinOp::Div => lanes2(r, l, d, a, b, |x, y| x / y),
        BinOp::Lt => lanes2(r, l, d, a, b, |x, y| t(x < y)),
        BinOp::Le => lanes2(r, l, d, a, b, |x, y| t(x <= y)),
        BinOp::Gt => lanes2(r, l, d, a, b, |x, y| t(x > y)),
        BinOp::Ge => lanes2(r, l, d, a, b, |x, y| t(x >= y)),
        BinOp::Min => lanes2(r, l, d, a, b, f64::min),
        BinOp::Max => lanes2(r, l, d, a, b, f64::max),
        _ => lanes2(r, l, d, a, b, |x, y| bin(op, x, y)),
    }
}

fn bink_lanes(r: &mut [f64], l: usize, op: BinOp, d: usize, a: usize, k: f64, k_first: bool) {
    let t = |c: bool| if c { 1.0 } else { 0.0 };
    match (op, k_first) {
        (BinOp::Add, _) => lanes1(r, l, d, a, |x| x + k),
        (BinOp::Mul, _) => lanes1(r, l, d, a, |x| x * k),
        (BinOp::Sub, false) => lanes1(r, l, d, a, |x| x - k),
        (BinOp::Sub, true) => lanes1(r, l, d, a, |x| k - x),
        (BinOp::Div, false) => lanes1(r, l, d, a, |x| x / k),
        (BinOp::Div, true) => lanes1(r, l, d, a, |x| k / x),
        (BinOp::Lt, false) => lanes1(r, l, d, a, |x| t(x < k)),
        (BinOp::Gt, false) => lanes1(r, l, d, a, |x| t(x > k)),
        (_, false) => lanes1(r, l, d, a, |x| bin(op, x, k)),
        (_, true) => lanes1(r, l, d, a, |x| bin(op, k, x)),
    }
}

/// `exp(700)`, what NEURON's `hoc_Exp` returns for larger arguments.
const EXP_700: f64 = 1.014_232_054_735_004_5e304;

/// `exp` as a .mod file computes it: nocmodl defines `exp` as NEURON's `hoc_Exp`
/// (oc/math.cpp), which gives 0 below -700 and `exp(700)` above 700 (with a warning)
/// instead of underflowing to subnormals or overflowing to infinity.
#[inline]
#[must_use]
pub(crate) fn hoc_exp(x: f64) -> f64 {
    if x < -700.0 {
        0.0
    } else if x > 700.0 {
        EXP_700
    } else {
        x.exp()
    }
}

fn un_lanes(r: &mut [f64], l: usize, op: UnOp, d: usize, a: usize) {
    match op {
        UnOp::Neg => lanes1(r, l, d, a, |x| -x),
        UnOp::Exp => lanes1(r, l, d, a, hoc_exp),
        UnOp::Fabs => lanes1(r, l, d, a, f64::abs),
        UnOp::Sqrt => lanes1(r, l, d, a, f64::sqrt),
        UnOp::Log => lanes1(r, l, d, a, f64::ln),
        _ => lanes1(r, l, d, a, |x| un(op, x)),
    }
}

fn un(op: UnOp, a: f64) -> f64 {
    match op {
        UnOp::Neg => -a,
        UnOp::Not => {
            if a == 0.0 {
                1.0
            } else {
                0.0
            }
        }
        UnOp::Exp => hoc_exp(a),
        UnOp::Log => a.ln(),
        UnOp::Log10 => a.log10(),
        UnOp::Sqrt => a.sqrt(),
        UnOp::Fabs => a.abs(),
        UnOp::Floor => a.floor(),
        UnOp::Ceil => a.ceil(),
        UnOp::Sin => a.sin(),
        UnOp::Cos => a.cos(),
        UnOp::Tan => a.tan(),
        UnOp::Asin => a.asin(),
        UnOp::Acos => a.acos(),
        UnOp::Atan => a.atan(),
        UnOp::Sinh => a.sinh(),
        UnOp::Cosh => a.cosh(),
        UnOp::Tanh => a.tanh(),
    }
}

impl Machine<'_, '_> {
    #[inline]
    fn active(&self, level: usize, j: usize) -> bool {
        level == 0 || self.regs[self.mask_base + level * self.lanes.len() + j] != 0.0
    }

    #[inline]
    fn reg(&self, r: Reg, j: usize) -> f64 {
        self.regs[r as usize * self.lanes.len() + j]
    }

    /// Write a register lane (only where active).
    fn set_all(&mut self, level: usize, dst: Reg, f: impl Fn(&Self, usize) -> f64) {
        let l = self.lanes.len();
        for j in 0..l {
            if self.active(level, j) {
                let v = f(self, j);
                self.regs[dst as usize * l + j] = v;
            }
        }
    }

    fn exec(&mut self, ops: &[Op], level: usize) -> Result<(), String> {
        let l = self.lanes.len();
        for op in ops {
            match *op {
                // Unmasked arithmetic: one specialised loop per operator over the lanes.
                Op::Bin { op: bop, dst, a, b } if level == 0 => {
                    bin_lanes(&mut self.regs, l, bop, dst as usize, a as usize, b as usize)
                }
                Op::BinK {
                    op: bop,
                    dst,
                    a,
                    k,
                    k_first,
                } if level == 0 => {
                    bink_lanes(&mut self.regs, l, bop, dst as usize, a as usize, k, k_first)
                }
                Op::BinK {
                    op: bop,
                    dst,
                    a,
                    k,
                    k_first,
                } => self.set_all(level, dst, |s, j| {
                    let x = s.reg(a, j);
                    if k_first {
                        bin(bop, k, x)
                    } else {
                        bin(bop, x, k)
                    }
                }),
                Op::Cnexp { field, a, b, dt } => {
                    let (a0, b0, d0) = (a as usize * l, b as usize * l, dt as usize * l);
                    let f = field as usize;
                    for j in 0..l {
                        if level == 0 || self.active(level, j) {
                            let i = self.lanes.inst(j);
                            let x = self.m.fields[f][i];
                            let (av, bv, dtv) =
                                (self.regs[a0 + j], self.regs[b0 + j], self.regs[d0 + j]);
                            let ex = hoc_exp(dtv * bv);
                            let fac = 1.0 - ex;
                            let q = -av / bv;
                            self.m.fields[f][i] = x + fac * (q - x);
                        }
                    }
                }
                Op::Un { op: uop, dst, a } if level == 0 => {
                    un_lanes(&mut self.regs, l, uop, dst as usize, a as usize)
                }
                Op::Const { dst, value } if level == 0 => {
                    let d = dst as usize * l;
                    self.regs[d..d + l].fill(value);
                }
                Op::Copy { dst, src } if level == 0 => {
                    let (d, s0) = (dst as usize * l, src as usize * l);
                    self.regs.copy_within(s0..s0 + l, d);
                }
                Op::Field { dst, field } if level == 0 && self.lanes.start().is_some() => {
                    let start = self.lanes.start().unwrap_or(0);
                    let d = dst as usize * l;
                    let f = &self.m.fields[field as usize][start..start + l];
                    self.regs[d..d + l].copy_from_slice(f);
                }
                Op::StoreField { field, src } if level == 0 && self.lanes.start().is_some() => {
                    let start = self.lanes.start().unwrap_or(0);
                    let s0 = src as usize * l;
                    self.m.fields[field as usize][start..start + l]
                        .copy_from_slice(&self.regs[s0..s0 + l]);
                }
                Op::Const { dst, value } => self.set_all(level, dst, |_, _| value),
                Op::Copy { dst, src } => self.set_all(level, dst, |s, j| s.reg(src, j)),
                Op::Field { dst, field } => {
                    let f = field as usize;
                    self.set_all(level, dst, |s, j| s.m.fields[f][s.lanes.inst(j)]);
                }
                Op::StoreField { field, src } => {
                    for j in 0..l {
                        if self.active(level, j) {
                            let v = self.reg(src, j);
                            let i = self.lanes.inst(j);
                            self.m.fields[field as usize][i] = v;
                        }
                    }
                }
                Op::Global { dst, global } => {
                    let g = self.m.globals[global as usize];
                    self.set_all(level, dst, |_, _| g);
                }
                Op::StoreGlobal { global, src } => {
                    for j in 0..l {
                        if self.active(level, j) {
                            self.m.globals[global as usize] = self.reg(src, j);
                        }
                    }
                }
                // Unmasked gathers and scatters over a contiguous run of instances.
                Op::Voltage { dst } if level == 0 && self.lanes.start().is_some() => {
                    let start = self.lanes.start().unwrap_or(0);
                    let d0 = dst as usize * l;
                    let v = &*self.ctx.v;
                    for (o, &nd) in self.regs[d0..d0 + l]
                        .iter_mut()
                        .zip(&self.m.node[start..start + l])
                    {
                        *o = v.get(nd as usize).copied().unwrap_or(f64::NAN);
                    }
                }
                Op::Ion { dst, dep, var }
                    if level == 0
                        && self.lanes.start().is_some()
                        && (dep as usize) < self.ctx.ion_ids.len() =>
                {
                    let start = self.lanes.start().unwrap_or(0);
                    let sp = self.ctx.ion_ids[dep as usize];
                    let src = ion_field(&self.ctx.ions[sp], var);
                    let d0 = dst as usize * l;
                    let idx = &self.m.ion_index[dep as usize][start..start + l];
                    for (o, &k) in self.regs[d0..d0 + l].iter_mut().zip(idx) {
                        *o = src[k as usize];
                    }
                }
                Op::AddIonCurrent { dep, src } if level == 0 && self.lanes.start().is_some() => {
                    let start = self.lanes.start().unwrap_or(0);
                    let sp = self.ctx.ion_ids[dep as usize];
                    let s0 = src as usize * l;
                    let idx = &self.m.ion_index[dep as usize][start..start + l];
                    let cur = &mut self.ctx.ions[sp].cur;
                    for (&k, &v) in idx.iter().zip(&self.regs[s0..s0 + l]) {
                        cur[k as usize] += v;
                    }
                }
                Op::AddRhs { src } | Op::AddD { src }
                    if level == 0 && self.lanes.start().is_some() =>
                {
                    let start = self.lanes.start().unwrap_or(0);
                    let s0 = src as usize * l;
                    let target = if matches!(op, Op::AddRhs { .. }) {
                        &mut *self.ctx.rhs
                    } else {
                        &mut *self.ctx.d
                    };
                    for (&nd, &v) in self.m.node[start..start + l]
                        .iter()
                        .zip(&self.regs[s0..s0 + l])
                    {
                        if let Some(x) = target.get_mut(nd as usize) {
                            *x += v;
                        }
                    }
                }
                Op::Voltage { dst } => {
                    self.set_all(level, dst, |s, j| {
                        let nd = s.m.node[s.lanes.inst(j)];
                        s.ctx.v.get(nd as usize).copied().unwrap_or(f64::NAN)
                    });
                }
                Op::StoreVoltage { src } => {
                    for j in 0..l {
                        if self.active(level, j) {
                            let nd = self.m.node[self.lanes.inst(j)] as usize;
                            let v = self.reg(src, j);
                            if let Some(x) = self.ctx.v.get_mut(nd) {
                                *x = v;
                            }
                        }
                    }
                }
                Op::Ion { dst, dep, var } => {
                    let Some(&sp) = self.ctx.ion_ids.get(dep as usize) else {
                        return Err(format!("ion {dep} is not available here"));
                    };
                    self.set_all(level, dst, |s, j| {
                        let idx = s.m.ion_index[dep as usize][s.lanes.inst(j)] as usize;
                        ion_field(&s.ctx.ions[sp], var)[idx]
                    });
                }
                Op::StoreIon { dep, var, src } => {
                    let sp = self.ctx.ion_ids[dep as usize];
                    for j in 0..l {
                        if self.active(level, j) {
                            let idx = self.m.ion_index[dep as usize][self.lanes.inst(j)] as usize;
                            let v = self.reg(src, j);
                            ion_field_mut(&mut self.ctx.ions[sp], var)[idx] = v;
                        }
                    }
                }
                Op::AddIonCurrent { dep, src } => {
                    let sp = self.ctx.ion_ids[dep as usize];
                    for j in 0..l {
                        if self.active(level, j) {
                            let idx = self.m.ion_index[dep as usize][self.lanes.inst(j)] as usize;
                            let v = self.reg(src, j);
                            self.ctx.ions[sp].cur[idx] += v;
                        }
                    }
                }
                Op::AddIonDidv { dep, src } => {
                    if self.ctx.secondorder {
                        let sp = self.ctx.ion_ids[dep as usize];
                        for j in 0..l {
                            if self.active(level, j) {
                                let idx =
                                    self.m.ion_index[dep as usize][self.lanes.inst(j)] as usize;
                                let v = self.reg(src, j);
                                self.ctx.ions[sp].dcurdv[idx] += v;
                            }
                        }
                    }
                }
                Op::AddRhs { src } | Op::AddD { src } => {
                    let to_rhs = matches!(op, Op::AddRhs { .. });
                    for j in 0..l {
                        if self.active(level, j) {
                            let nd = self.m.node[self.lanes.inst(j)] as usize;
                            let v = self.reg(src, j);
                            let target = if to_rhs {
                                &mut *self.ctx.rhs
                            } else {
                                &mut *self.ctx.d
                            };
                            if let Some(x) = target.get_mut(nd) {
                                *x += v;
                            }
                        }
                    }
                }
                Op::Time { dst } => {
                    let t = self.ctx.t;
                    self.set_all(level, dst, |_, _| t);
                }
                Op::Dt { dst } => {
                    let dt = self.ctx.dt;
                    self.set_all(level, dst, |_, _| dt);
                }
                Op::Celsius { dst } => {
                    let c = self.ctx.celsius;
                    self.set_all(level, dst, |_, _| c);
                }
                Op::SecondOrder { dst } => {
                    let c = if self.ctx.secondorder { 1.0 } else { 0.0 };
                    self.set_all(level, dst, |_, _| c);
                }
                Op::Diam { dst } => {
                    self.set_all(level, dst, |s, j| {
                        s.m.diam.get(s.lanes.inst(j)).copied().unwrap_or(0.0)
                    });
                }
                Op::AreaFactor { dst } => {
                    self.set_all(level, dst, |s, j| {
                        s.m.area_factor.get(s.lanes.inst(j)).copied().unwrap_or(0.0)
                    });
                }
                Op::Bin { op: bop, dst, a, b } => {
                    self.set_all(level, dst, |s, j| bin(bop, s.reg(a, j), s.reg(b, j)))
                }
                Op::Un { op: uop, dst, a } => self.set_all(level, dst, |s, j| un(uop, s.reg(a, j))),
                Op::Select { dst, cond, a, b } => self.set_all(level, dst, |s, j| {
                    if s.reg(cond, j) != 0.0 {
                        s.reg(a, j)
                    } else {
                        s.reg(b, j)
                    }
                }),
                Op::If {
                    cond,
                    ref then,
                    ref otherwise,
                } => {
                    let next = level + 1;
                    if self.regs.len() < self.mask_base + (next + 1) * l {
                        self.regs.resize(self.mask_base + (next + 1) * l, 0.0);
                    }
                    // Every lane the same way (e.g. `usetable`): no mask needed.
                    if level == 0 {
                        let c0 = self.reg(cond, 0) != 0.0;
                        if (1..l).all(|j| (self.reg(cond, j) != 0.0) == c0) {
                            self.exec(if c0 { then } else { otherwise }, level)?;
                            continue;
                        }
                    }
                    for branch in [true, false] {
                        let mut any = false;
                        for j in 0..l {
                            let c = self.reg(cond, j) != 0.0;
                            let on = self.active(level, j) && c == branch;
                            let at = self.mask_base + next * l + j;
                            self.regs[at] = if on { 1.0 } else { 0.0 };
                            any |= on;
                        }
                        if any {
                            self.exec(if branch { then } else { otherwise }, next)?;
                        }
                    }
                }
                Op::Weight { dst, k } => {
                    let w = self
                        .event
                        .as_ref()
                        .and_then(|e| e.slot(e.base, k).and_then(|i| e.weights.get(i).copied()))
                        .unwrap_or(0.0);
                    self.set_all(level, dst, |_, _| w);
                }
                Op::StoreWeight { k, src } => {
                    if self.active(level, 0) {
                        let v = self.reg(src, 0);
                        if let Some(e) = self.event.as_mut()
                            && let Some(i) = e.slot(e.base, k)
                            && let Some(w) = e.weights.get_mut(i)
                        {
                            *w = v;
                        }
                    }
                }
                Op::NcWeight { dst, k } => {
                    let w = self
                        .event
                        .as_ref()
                        .and_then(|e| {
                            e.slot(Some(e.nc), k)
                                .and_then(|i| e.weights.get(i).copied())
                        })
                        .unwrap_or(0.0);
                    self.set_all(level, dst, |_, _| w);
                }
                Op::StoreNcWeight { k, src } => {
                    if self.active(level, 0) {
                        let v = self.reg(src, 0);
                        if let Some(e) = self.event.as_mut()
                            && let Some(i) = e.slot(Some(e.nc), k)
                            && let Some(w) = e.weights.get_mut(i)
                        {
                            *w = v;
                        }
                    }
                }
                Op::Loop { cond, ref body } => {
                    let next = level + 1;
                    if self.regs.len() < self.mask_base + (next + 1) * l {
                        self.regs.resize(self.mask_base + (next + 1) * l, 0.0);
                    }
                    for j in 0..l {
                        let on = self.active(level, j) && self.reg(cond, j) != 0.0;
                        self.regs[self.mask_base + next * l + j] = if on { 1.0 } else { 0.0 };
                    }
                    loop {
                        let mut any = false;
                        for j in 0..l {
                            let at = self.mask_base + next * l + j;
                            let on = self.regs[at] != 0.0 && self.reg(cond, j) != 0.0;
                            self.regs[at] = if on { 1.0 } else { 0.0 };
                            any |= on;
                        }
                        if !any {
                            break;
                        }
                        self.exec(body, next)?;
                    }
                }
                Op::ForNetcons { ref body } => {
                    let offsets: Vec<u32> = self
                        .event
                        .as_ref()
                        .map(|e| e.netcons.to_vec())
                        .unwrap_or_default();
                    for off in offsets {
                        if let Some(e) = self.event.as_mut() {
                            e.nc = off as usize;
                        }
                        self.exec(body, level)?;
                    }
                }
                Op::Flag { dst } => {
                    let f = self.event.as_ref().map_or(0.0, |e| e.flag);
                    self.set_all(level, dst, |_, _| f);
                }
                Op::NetSend { delay, flag } => {
                    let weight_ref = self.event.as_ref().and_then(|e| e.weight_ref);
                    for j in 0..l {
                        if self.active(level, j) {
                            let time = self.ctx.t + self.reg(delay, j);
                            let flag = self.reg(flag, j);
                            let inst = self.lanes.inst(j) as u32;
                            self.ev.sends.push(SelfSend {
                                inst,
                                time,
                                flag,
                                weight_ref,
                            });
                        }
                    }
                }
                Op::Table { table, x, ref dst } => {
                    let Some(t) = self.tables.get(table as usize) else {
                        return Err(format!("table {table} was not built"));
                    };
                    for j in 0..l {
                        if self.active(level, j) {
                            let xv = self.reg(x, j);
                            let (i, theta) = t.position(xv);
                            for (k, &d) in dst.iter().enumerate() {
                                self.regs[d as usize * l + j] = t.at(k, i, theta);
                            }
                        }
                    }
                }
                Op::Fail { ref message } => {
                    if (0..l).any(|j| self.active(level, j)) {
                        return Err(message.clone());
                    }
                }
                Op::NetEvent { time } => {
                    for j in 0..l {
                        if self.active(level, j) {
                            let inst = self.lanes.inst(j) as u32;
                            self.ev.spikes.push((inst, self.reg(time, j)));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// Run a kernel over `lanes` of `m`.
pub(crate) fn run(
    k: &Kernel,
    tables: &[TableData],
    m: &mut MechInstances,
    ctx: &mut Ctx<'_>,
    ev: &mut EventSink,
    lanes: Lanes,
    event: Option<EventCtx<'_>>,
) {
    let n = lanes.len();
    if n == 0 || k.ops.is_empty() {
        return;
    }
    // Many instances run in chunks, so that a chunk's registers stay in cache while every
    // op of the kernel sweeps over them; a kernel writing a GLOBAL runs instance by
    // instance, in NEURON's order.
    let chunk = if k.sequential { 1 } else { CHUNK };
    if let Lanes::All(total) = lanes
        && total > chunk
    {
        let mut start = 0;
        while start < total {
            let len = chunk.min(total - start);
            run_lanes(k, tables, m, ctx, ev, Lanes::Range(start, len), None);
            if ev.error.is_some() {
                return;
            }
            start += len;
        }
        return;
    }
    run_lanes(k, tables, m, ctx, ev, lanes, event);
}

/// Instances per chunk of a kernel run.
const CHUNK: usize = 128;

fn run_lanes(
    k: &Kernel,
    tables: &[TableData],
    m: &mut MechInstances,
    ctx: &mut Ctx<'_>,
    ev: &mut EventSink,
    lanes: Lanes,
    event: Option<EventCtx<'_>>,
) {
    let n = lanes.len();
    // Registers and masks live in the instances' scratch space, reused across steps and
    // chunks. It is not cleared: every op writes its register before any op reads it,
    // and an `If` or `Loop` sets its mask level before its body runs.
    let mut scratch = std::mem::take(&mut m.scratch);
    let need = (k.n_regs + k.depth + 1) * n;
    if scratch.len() < need {
        scratch.resize(need, 0.0);
    }
    let mask_base = k.n_regs * n;
    let mut machine = Machine {
        tables,
        m,
        ctx,
        ev,
        event,
        lanes,
        regs: scratch,
        mask_base,
    };
    if let Err(e) = machine.exec(&k.ops, 0) {
        machine.ev.error = Some(e);
    }
    let Machine { m, regs, .. } = machine;
    m.scratch = regs;
}

#[cfg(test)]
mod tests {
    #[test]
    fn hoc_exp_clamps_as_neuron_does() {
        assert_eq!(super::EXP_700, 700f64.exp());
        assert_eq!(super::hoc_exp(701.0), 700f64.exp());
        assert_eq!(super::hoc_exp(1e4), 700f64.exp());
        assert_eq!(super::hoc_exp(-700.5), 0.0);
        assert_eq!(super::hoc_exp(-700.0), (-700f64).exp());
        assert_eq!(super::hoc_exp(1.5), 1.5f64.exp());
        assert!(super::hoc_exp(f64::NAN).is_nan());
    }
}
