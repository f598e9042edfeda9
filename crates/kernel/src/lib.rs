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

pub use ir::{BinOp, Kernel, Op, Reg, UnOp};

use interp::{EventCtx, Lanes, run};
use ranvier_mech::{Ctx, Delivery, EventSink, MechInfo, MechInstances, Mechanism};

/// The kernels of one mechanism; empty kernels do nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Kernels {
    pub init: Kernel,
    pub current: Kernel,
    pub state: Kernel,
    pub net_receive: Kernel,
    pub net_init: Kernel,
    pub watch: Kernel,
}

/// A mechanism defined by kernels.
#[derive(Clone, Debug)]
pub struct IrMechanism {
    info: MechInfo,
    kernels: Kernels,
}

impl IrMechanism {
    #[must_use]
    pub fn new(info: MechInfo, kernels: Kernels) -> Self {
        Self { info, kernels }
    }

    #[must_use]
    pub fn kernels(&self) -> &Kernels {
        &self.kernels
    }
}

impl Mechanism for IrMechanism {
    fn info(&self) -> &MechInfo {
        &self.info
    }

    fn init(&self, m: &mut MechInstances, ctx: &mut Ctx<'_>, ev: &mut EventSink) {
        let n = m.len();
        run(&self.kernels.init, m, ctx, ev, Lanes::All(n), None);
    }

    fn current(&self, m: &mut MechInstances, ctx: &mut Ctx<'_>) {
        let n = m.len();
        let mut ev = EventSink::default();
        run(&self.kernels.current, m, ctx, &mut ev, Lanes::All(n), None);
    }

    fn state(&self, m: &mut MechInstances, ctx: &mut Ctx<'_>) {
        let n = m.len();
        let mut ev = EventSink::default();
        run(&self.kernels.state, m, ctx, &mut ev, Lanes::All(n), None);
    }

    fn net_receive(
        &self,
        m: &mut MechInstances,
        ctx: &mut Ctx<'_>,
        e: Delivery,
        w: &mut [f64],
        ev: &mut EventSink,
    ) {
        let event = EventCtx {
            weights: w,
            flag: e.flag,
            weight_ref: e.weight_ref,
        };
        run(
            &self.kernels.net_receive,
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
        let event = EventCtx {
            weights: w,
            flag: 0.0,
            weight_ref: None,
        };
        run(
            &self.kernels.net_init,
            m,
            &mut ctx,
            &mut ev,
            Lanes::One(inst),
            Some(event),
        );
    }

    fn check_watch(&self, m: &mut MechInstances, ctx: &mut Ctx<'_>, ev: &mut EventSink) {
        let n = m.len();
        run(&self.kernels.watch, m, ctx, ev, Lanes::All(n), None);
    }
}
