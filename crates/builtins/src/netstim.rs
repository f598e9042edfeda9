//! Artificial spike generators: `NetStim` (NEURON's `netstim.mod`, with its Random123
//! stream) and `VecStim` (events at the times of a vector).

use ranvier_mech::{
    Ctx, Delivery, EventSink, FieldKind, MechInfo, MechInstances, MechKind, Mechanism, field,
};

use crate::{base_info, net_send};

const INTERVAL: usize = 0;
const NUMBER: usize = 1;
const START: usize = 2;
const NOISE: usize = 3;
const EVENT: usize = 4;
const ON: usize = 5;
const ISPIKE: usize = 6;

/// NEURON's `NetStim`: `number` events, the first near `start`, then every `interval`
/// `[ms]`; with `noise > 0` a fraction of each interval is exponentially distributed,
/// drawn from the instance's Random123 stream (`noiseFromRandom123(id1, id2, id3)`;
/// by default stream `(1, 0, k)` for the `k`-th random-using instance, as NEURON 9).
pub struct NetStim {
    info: MechInfo,
}

impl NetStim {
    #[must_use]
    pub fn new() -> Self {
        let mut info = base_info("NetStim", MechKind::Artificial);
        info.fields = vec![
            field("interval", FieldKind::Param, 10.0, "ms"),
            field("number", FieldKind::Param, 10.0, ""),
            field("start", FieldKind::Param, 50.0, "ms"),
            field("noise", FieldKind::Param, 0.0, ""),
            field("event", FieldKind::Assigned, 0.0, "ms"),
            field("on", FieldKind::Assigned, 0.0, ""),
            field("ispike", FieldKind::Assigned, 0.0, ""),
        ];
        info.net_receive_args = Some(1);
        info.uses_random = true;
        Self { info }
    }
}

impl Default for NetStim {
    fn default() -> Self {
        Self::new()
    }
}

/// `FUNCTION invl(mean)`.
fn invl(m: &mut MechInstances, k: usize, mean: f64) -> f64 {
    let mean = if mean <= 0.0 { 0.01 } else { mean };
    let noise = m.fields[NOISE][k];
    if noise == 0.0 {
        mean
    } else {
        let erand = m.rng[k].negexp(1.0);
        (1.0 - noise) * mean + noise * mean * erand
    }
}

fn init_sequence(m: &mut MechInstances, k: usize) {
    if m.fields[NUMBER][k] > 0.0 {
        m.fields[ON][k] = 1.0;
        m.fields[EVENT][k] = 0.0;
        m.fields[ISPIKE][k] = 0.0;
    }
}

fn next_invl(m: &mut MechInstances, k: usize) {
    if m.fields[NUMBER][k] > 0.0 {
        let interval = m.fields[INTERVAL][k];
        m.fields[EVENT][k] = invl(m, k, interval);
    }
    if m.fields[ISPIKE][k] >= m.fields[NUMBER][k] {
        m.fields[ON][k] = 0.0;
    }
}

impl Mechanism for NetStim {
    fn info(&self) -> &MechInfo {
        &self.info
    }

    fn init(&self, m: &mut MechInstances, ctx: &mut Ctx<'_>, ev: &mut EventSink) {
        for k in 0..m.node.len() {
            m.rng[k].set_seq4which(0.0);
            m.fields[ON][k] = 0.0;
            m.fields[ISPIKE][k] = 0.0;
            m.fields[NOISE][k] = m.fields[NOISE][k].clamp(0.0, 1.0);
            if m.fields[START][k] >= 0.0 && m.fields[NUMBER][k] > 0.0 {
                m.fields[ON][k] = 1.0;
                let (start, interval, noise) = (
                    m.fields[START][k],
                    m.fields[INTERVAL][k],
                    m.fields[NOISE][k],
                );
                let mut event = start + invl(m, k, interval) - interval * (1.0 - noise);
                if event < 0.0 {
                    event = 0.0;
                }
                m.fields[EVENT][k] = event;
                net_send(ev, k, ctx.t, event, 3.0, None);
            }
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
        let t = ctx.t;
        if e.flag == 0.0 {
            let w0 = w.first().copied().unwrap_or(0.0);
            if w0 > 0.0 && m.fields[ON][k] == 0.0 {
                init_sequence(m, k);
                next_invl(m, k);
                let (interval, noise) = (m.fields[INTERVAL][k], m.fields[NOISE][k]);
                m.fields[EVENT][k] -= interval * (1.0 - noise);
                net_send(ev, k, t, m.fields[EVENT][k], 1.0, e.weight_ref);
            } else if w0 < 0.0 {
                m.fields[ON][k] = 0.0;
            }
        }
        if e.flag == 3.0 && m.fields[ON][k] == 1.0 {
            init_sequence(m, k);
            net_send(ev, k, t, 0.0, 1.0, e.weight_ref);
        }
        if e.flag == 1.0 && m.fields[ON][k] == 1.0 {
            m.fields[ISPIKE][k] += 1.0;
            ev.spikes.push((k as u32, t));
            next_invl(m, k);
            if m.fields[ON][k] == 1.0 {
                net_send(ev, k, t, m.fields[EVENT][k], 1.0, e.weight_ref);
            }
        }
    }
}

const INDEX: usize = 0;
const TNEXT: usize = 1;

/// `VecStim`: one output event at each time of its vector `[ms]` (non-decreasing,
/// equal times allowed).
pub struct VecStim {
    info: MechInfo,
}

impl VecStim {
    #[must_use]
    pub fn new() -> Self {
        let mut info = base_info("VecStim", MechKind::Artificial);
        info.fields = vec![
            field("index", FieldKind::Assigned, 0.0, ""),
            field("tnext", FieldKind::Assigned, 0.0, "ms"),
        ];
        info.net_receive_args = Some(1);
        info.uses_vector = true;
        Self { info }
    }
}

impl Default for VecStim {
    fn default() -> Self {
        Self::new()
    }
}

/// Load the next time into `tnext`; false when the vector is exhausted.
fn fetch_next(m: &mut MechInstances, k: usize, t: f64, ev: &mut EventSink) -> bool {
    let i = m.fields[INDEX][k] as usize;
    match m.vectors[k].get(i) {
        Some(&tn) => {
            m.fields[TNEXT][k] = tn;
            m.fields[INDEX][k] += 1.0;
            if tn < t {
                ev.error = Some(format!(
                    "VecStim: event time {tn} ms is earlier than t = {t} ms (times must be non-decreasing and >= 0)"
                ));
                return false;
            }
            true
        }
        None => false,
    }
}

impl Mechanism for VecStim {
    fn info(&self) -> &MechInfo {
        &self.info
    }

    fn init(&self, m: &mut MechInstances, ctx: &mut Ctx<'_>, ev: &mut EventSink) {
        for k in 0..m.node.len() {
            m.fields[INDEX][k] = 0.0;
            if fetch_next(m, k, ctx.t, ev) {
                let delay = m.fields[TNEXT][k] - ctx.t;
                net_send(ev, k, ctx.t, delay, 1.0, None);
            }
        }
    }

    fn net_receive(
        &self,
        m: &mut MechInstances,
        ctx: &mut Ctx<'_>,
        e: Delivery,
        _w: &mut [f64],
        ev: &mut EventSink,
    ) {
        let k = e.inst as usize;
        if e.flag == 1.0 {
            let t = ctx.t;
            ev.spikes.push((k as u32, t));
            if fetch_next(m, k, t, ev) {
                let delay = m.fields[TNEXT][k] - t;
                net_send(ev, k, t, delay, 1.0, None);
            }
        }
    }
}
