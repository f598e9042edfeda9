//! Compiled mechanisms: a small kernel IR ([`ir`]) and its array-at-a-time interpreter,
//! packaged as an [`IrMechanism`] that implements the `ranvier-mech` contract.
//!
//! The NMODL compiler lowers each block of a `.mod` file to a [`Kernel`]:
//! - `INITIAL` -> [`Kernels::init`];
//! - `BREAKPOINT` currents -> [`Kernels::current`]: the compiler emits the current
//!   expressions twice (at `v + 0.001` and at `v`), NEURON's difference quotient for
//!   `di/dv`, and the matrix and ion updates ([`Op::AddRhs`], [`Op::AddD`],
//!   [`Op::AddIonCurrent`]);
//! - `SOLVE` -> [`Kernels::state`];
//! - `NET_RECEIVE` -> [`Kernels::net_receive`] (run for one instance per event, with the
//!   connection's weights), its `INITIAL` -> [`Kernels::net_init`];
//! - `WATCH` conditions -> [`Kernels::watch`] (flags kept in fields, `net_send` when a
//!   condition becomes true).
//!
//! The engine never sees any of this: it calls the `Mechanism` trait.

mod interp;
pub mod ir;
mod opt;

pub use interp::TableData;
pub use ir::{BinOp, Kernel, Op, Reg, TableBound, TableSpec, UnOp};

use interp::{EventCtx, Lanes, run};
use std::sync::RwLock;

use ranvier_mech::{Ctx, Delivery, EventSink, MechInfo, MechInstances, Mechanism, NetconWeights};

/// The kernels of one mechanism; empty kernels do nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Kernels {
    pub init: Kernel,
    pub current: Kernel,
    pub state: Kernel,
    pub net_receive: Kernel,
    pub net_init: Kernel,
    pub watch: Kernel,
    /// `TABLE`s, built by [`Mechanism::prepare`] for the run's temperature and globals.
    pub tables: Vec<TableSpec>,
}

impl Kernels {
    /// Whether any kernel (or table builder) ran out of registers.
    #[must_use]
    pub fn overflowed(&self) -> bool {
        [
            &self.init,
            &self.current,
            &self.state,
            &self.net_receive,
            &self.net_init,
            &self.watch,
        ]
        .iter()
        .any(|k| k.overflow)
            || self.tables.iter().any(|t| t.builder.overflow)
    }
}

/// A mechanism defined by kernels.
#[derive(Debug)]
pub struct IrMechanism {
    info: MechInfo,
    kernels: Kernels,
    tables: RwLock<Vec<TableData>>,
}

impl IrMechanism {
    #[must_use]
    pub fn new(info: MechInfo, kernels: Kernels) -> Self {
        Self {
            info,
            kernels,
            tables: RwLock::new(Vec::new()),
        }
    }

    #[must_use]
    pub fn kernels(&self) -> &Kernels {
        &self.kernels
    }

    fn tables(&self) -> std::sync::RwLockReadGuard<'_, Vec<TableData>> {
        self.tables
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Build (or rebuild, when the temperature or a global changed) every table, and
    /// leave in `m.globals` what the table procedures assigned to GLOBALs while they ran
    /// (NEURON runs them over the table's points, so a GLOBAL they set keeps the last
    /// point's value: km.mod's `tadj`, which BREAKPOINT reads).
    fn build_tables(&self, m: &mut MechInstances, celsius: f64, dt: f64) {
        if self.kernels.tables.is_empty() {
            return;
        }
        let mut key = vec![celsius];
        key.extend(&m.globals);
        let fresh = self.tables().len() == self.kernels.tables.len()
            && self.tables().iter().all(|t| t.key == key);
        if fresh {
            if let Some(last) = self.tables().last() {
                m.globals.clone_from(&last.globals);
            }
            return;
        }
        let mut built = Vec::with_capacity(self.kernels.tables.len());
        for spec in &self.kernels.tables {
            let n = spec.with.max(1);
            let mut inst = MechInstances::new(&self.info);
            inst.globals.clone_from(&m.globals);
            for _ in 0..=n {
                inst.push(&self.info, u32::MAX);
            }
            let (from, to) = (spec.from.value(&m.globals), spec.to.value(&m.globals));
            let dx = (to - from) / n as f64;
            let mut x = from;
            for i in 0..=n {
                inst.fields[spec.arg as usize][i] = x;
                x += dx;
            }
            let (mut v, mut rhs, mut d): ([f64; 0], [f64; 0], [f64; 0]) = ([], [], []);
            let mut ctx = Ctx {
                t: 0.0,
                dt,
                celsius,
                secondorder: false,
                v: &mut v,
                rhs: &mut rhs,
                d: &mut d,
                area: &[],
                ions: &mut [],
                ion_ids: &[],
            };
            let mut ev = EventSink::default();
            run(
                &spec.builder,
                &[],
                &mut inst,
                &mut ctx,
                &mut ev,
                Lanes::All(n + 1),
                None,
            );
            let values = spec
                .outputs
                .iter()
                .map(|&f| inst.fields[f as usize].clone())
                .collect();
            // The next table's procedure runs after this one, as NEURON checks them.
            m.globals.clone_from(&inst.globals);
            built.push(TableData {
                tmin: from,
                mfac: 1.0 / dx,
                n,
                values,
                key: key.clone(),
                globals: inst.globals.clone(),
            });
        }
        *self
            .tables
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = built;
    }
}

impl IrMechanism {
    /// Run a kernel that sends no events over every instance; a run-time error it
    /// raises is kept in `m.error` for the engine to report after the phase.
    fn run_all(&self, kernel: &Kernel, m: &mut MechInstances, ctx: &mut Ctx<'_>) {
        let tables = self.tables();
        let n = m.len();
        let mut ev = EventSink::default();
        run(kernel, &tables, m, ctx, &mut ev, Lanes::All(n), None);
        if let Some(e) = ev.error.take() {
            m.error.get_or_insert(e);
        }
    }
}

impl Mechanism for IrMechanism {
    fn info(&self) -> &MechInfo {
        &self.info
    }

    fn init(&self, m: &mut MechInstances, ctx: &mut Ctx<'_>, ev: &mut EventSink) {
        let tables = self.tables();
        let n = m.len();
        run(&self.kernels.init, &tables, m, ctx, ev, Lanes::All(n), None);
    }

    fn current(&self, m: &mut MechInstances, ctx: &mut Ctx<'_>) {
        self.run_all(&self.kernels.current, m, ctx);
    }

    fn state(&self, m: &mut MechInstances, ctx: &mut Ctx<'_>) {
        self.run_all(&self.kernels.state, m, ctx);
    }

    fn net_receive(
        &self,
        m: &mut MechInstances,
        ctx: &mut Ctx<'_>,
        e: Delivery,
        w: &mut [f64],
        ev: &mut EventSink,
    ) {
        let w_len = w.len();
        let all = NetconWeights {
            weights: w,
            w_len,
            offsets: &[],
        };
        self.net_receive_all(m, ctx, e, Some(0), all, ev);
    }

    fn net_receive_all(
        &self,
        m: &mut MechInstances,
        ctx: &mut Ctx<'_>,
        e: Delivery,
        w_off: Option<usize>,
        all: NetconWeights<'_>,
        ev: &mut EventSink,
    ) {
        let tables = self.tables();
        let event = EventCtx {
            weights: all.weights,
            base: w_off,
            w_len: all.w_len,
            netcons: all.offsets,
            nc: 0,
            flag: e.flag,
            weight_ref: e.weight_ref,
        };
        run(
            &self.kernels.net_receive,
            &tables,
            m,
            ctx,
            ev,
            Lanes::One(e.inst),
            Some(event),
        );
    }

    fn net_receive_init(&self, m: &mut MechInstances, inst: u32, w: &mut [f64]) {
        if self.kernels.net_init.is_empty() {
            for x in w.iter_mut().skip(1) {
                *x = 0.0;
            }
            return;
        }
        // NET_RECEIVE INITIAL sees only its arguments and the instance's fields.
        let mut v: [f64; 0] = [];
        let mut rhs: [f64; 0] = [];
        let mut d: [f64; 0] = [];
        let mut ctx = Ctx {
            t: 0.0,
            dt: 0.0,
            celsius: 0.0,
            secondorder: false,
            v: &mut v,
            rhs: &mut rhs,
            d: &mut d,
            area: &[],
            ions: &mut [],
            ion_ids: &[],
        };
        let mut ev = EventSink::default();
        let tables = self.tables();
        let w_len = w.len();
        let event = EventCtx {
            weights: w,
            base: Some(0),
            w_len,
            netcons: &[],
            nc: 0,
            flag: 0.0,
            weight_ref: None,
        };
        run(
            &self.kernels.net_init,
            &tables,
            m,
            &mut ctx,
            &mut ev,
            Lanes::One(inst),
            Some(event),
        );
    }

    fn prepare(&self, m: &mut MechInstances, celsius: f64, dt: f64) {
        self.build_tables(m, celsius, dt);
    }

    fn check_watch(&self, m: &mut MechInstances, ctx: &mut Ctx<'_>, ev: &mut EventSink) {
        let tables = self.tables();
        let n = m.len();
        run(
            &self.kernels.watch,
            &tables,
            m,
            ctx,
            ev,
            Lanes::All(n),
            None,
        );
    }
}
