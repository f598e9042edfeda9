//! `IfReset` (validation/neuron/mod/ifreset.mod) written by hand against the mechanism
//! interface, as the NMODL compiler will generate it: it exercises `net_send` from
//! `INITIAL`, `WATCH`, a `NET_RECEIVE` that writes the membrane `v` and calls
//! `net_event`, and per-connection state in the weight vector.

use ranvier_mech::{
    Ctx, CurrentKind, Delivery, EventSink, FieldKind, MechInfo, MechInstances, MechKind, Mechanism,
    SelfSend, field,
};

const THRESH: usize = 0;
const VRESET: usize = 1;
const GW: usize = 2;
const TAU_W: usize = 3;
const EW: usize = 4;
const I: usize = 5;
const COUNT: usize = 6;
const W: usize = 7;
/// WATCH state: armed, and "above threshold" flag.
const WATCH_ON: usize = 8;
const WATCH_FLAG: usize = 9;

pub struct IfReset {
    info: MechInfo,
}

impl IfReset {
    pub fn new() -> Self {
        Self {
            info: MechInfo {
                name: "IfReset".into(),
                kind: MechKind::Point,
                fields: vec![
                    field("thresh", FieldKind::Param, -55.0, "mV"),
                    field("vreset", FieldKind::Param, -70.0, "mV"),
                    field("gw", FieldKind::Param, 0.002, "uS"),
                    field("tau_w", FieldKind::Param, 30.0, "ms"),
                    field("ew", FieldKind::Param, -80.0, "mV"),
                    field("i", FieldKind::Assigned, 0.0, "nA"),
                    field("count", FieldKind::Assigned, 0.0, ""),
                    field("w", FieldKind::State, 0.0, "uS"),
                    field("_watch_on", FieldKind::Assigned, 0.0, ""),
                    field("_watch_flag", FieldKind::Assigned, 0.0, ""),
                ],
                globals: vec![],
                ions: vec![],
                current: CurrentKind::Membrane,
                net_receive_args: Some(2),
                coalescable: false,
                uses_random: false,
                uses_vector: false,
                for_netcons: false,
            },
        }
    }
}

impl Mechanism for IfReset {
    fn info(&self) -> &MechInfo {
        &self.info
    }

    fn init(&self, m: &mut MechInstances, ctx: &mut Ctx<'_>, ev: &mut EventSink) {
        for k in 0..m.len() {
            m.fields[W][k] = 0.0;
            m.fields[COUNT][k] = 0.0;
            m.fields[WATCH_ON][k] = 0.0;
            ev.sends.push(SelfSend {
                inst: k as u32,
                time: ctx.t + 0.0,
                flag: 1.0,
                weight_ref: None,
            });
        }
    }

    fn current(&self, m: &mut MechInstances, ctx: &mut Ctx<'_>) {
        for k in 0..m.len() {
            let nd = m.node[k] as usize;
            let v = ctx.v[nd];
            let (w, ew) = (m.fields[W][k], m.fields[EW][k]);
            let gp = w * (v + 0.001 - ew);
            let cur = w * (v - ew);
            m.fields[I][k] = cur;
            let f = m.area_factor[k];
            ctx.rhs[nd] -= cur * f;
            ctx.d[nd] += (gp - cur) / 0.001 * f;
        }
    }

    fn state(&self, m: &mut MechInstances, ctx: &mut Ctx<'_>) {
        for k in 0..m.len() {
            m.fields[W][k] =
                ranvier_builtins::cnexp_decay(m.fields[W][k], m.fields[TAU_W][k], ctx.dt);
        }
    }

    fn net_receive(
        &self,
        m: &mut MechInstances,
        ctx: &mut Ctx<'_>,
        e: Delivery,
        w: &mut [f64],
        ev: &mut EventSink,
    ) {
        let k = e.inst as usize;
        let nd = m.node[k] as usize;
        if e.flag == 1.0 {
            // WATCH (v > thresh) 2: armed with its current truth value.
            m.fields[WATCH_ON][k] = 1.0;
            let above = ctx.v[nd] - m.fields[THRESH][k] >= -1e-11;
            m.fields[WATCH_FLAG][k] = if above { 1.0 } else { 0.0 };
        } else if e.flag == 2.0 {
            ctx.v[nd] = m.fields[VRESET][k];
            m.fields[W][k] += m.fields[GW][k];
            m.fields[COUNT][k] += 1.0;
            ev.spikes.push((k as u32, ctx.t));
        } else {
            ctx.v[nd] += w[0] / (1.0 + w[1]);
            w[1] += 1.0;
        }
    }

    fn net_receive_init(&self, _m: &mut MechInstances, _inst: u32, w: &mut [f64]) {
        w[1] = 0.0;
    }

    fn check_watch(&self, m: &mut MechInstances, ctx: &mut Ctx<'_>, ev: &mut EventSink) {
        for k in 0..m.len() {
            if m.fields[WATCH_ON][k] == 0.0 {
                continue;
            }
            if ctx.v[m.node[k] as usize] - m.fields[THRESH][k] > 0.0 {
                if m.fields[WATCH_FLAG][k] == 0.0 {
                    m.fields[WATCH_FLAG][k] = 1.0;
                    ev.sends.push(SelfSend {
                        inst: k as u32,
                        time: ctx.t,
                        flag: 2.0,
                        weight_ref: None,
                    });
                }
            } else {
                m.fields[WATCH_FLAG][k] = 0.0;
            }
        }
    }
}
