//! Built-in mechanisms, hand-written in Rust behind the `ranvier-mech` interface:
//! `pas`, `hh`, `ExpSyn`, `Exp2Syn`, `IClamp`, `AlphaSynapse`, `NetStim` and `VecStim`.
//!
//! Each kernel reproduces the arithmetic of the C that NEURON's `nocmodl` generates for
//! the corresponding `.mod` file in NEURON's source, in the same order of operations:
//! currents are evaluated at `v + 0.001` and at `v` and the conductance is their
//! difference quotient; `cnexp` updates are
//! `s += (1 - exp(dt * b)) * (-(a) / b - s)` for `s' = a + b s`; point-process currents
//! are scaled by `1e2 / area`.

use std::sync::Arc;

use ranvier_mech::{
    Catalogue, CurrentKind, Delivery, EventSink, FieldKind, IonDep, IonVar, MechInfo,
    MechInstances, MechKind, Mechanism, SelfSend, field,
};

mod hh;
mod netstim;

pub use hh::Hh;
pub use netstim::{NetStim, VecStim};

/// NEURON's finite-difference step for `di/dv` `[mV]`.
pub const DV: f64 = 0.001;

/// The catalogue of built-in mechanisms, in NEURON's registration order.
#[must_use]
pub fn catalogue() -> Catalogue {
    let mut c = Catalogue::new();
    c.add(Arc::new(Pas::new()));
    c.add(Arc::new(Hh::new()));
    c.add(Arc::new(IClamp::new()));
    c.add(Arc::new(ExpSyn::new()));
    c.add(Arc::new(Exp2Syn::new()));
    c.add(Arc::new(AlphaSynapse::new()));
    c.add(Arc::new(NetStim::new()));
    c.add(Arc::new(VecStim::new()));
    c
}

/// `cnexp` for `s' = a + b*s`, written as NEURON's generated C computes it.
#[inline]
#[must_use]
pub fn cnexp(s: f64, a: f64, b: f64, dt: f64) -> f64 {
    s + (1.0 - (dt * b).exp()) * (-a / b - s)
}

/// `cnexp` for `s' = -s/tau`: `s + (1 - exp(dt*(-1/tau))) * (-(0)/(-1/tau) - s)`.
#[inline]
#[must_use]
pub fn cnexp_decay(s: f64, tau: f64, dt: f64) -> f64 {
    let b = -1.0 / tau;
    s + (1.0 - (dt * b).exp()) * (-0.0 / b - s)
}

/// `1 - exp(dt * (-1/tau))`: the part of [`cnexp_decay`] that depends only on `tau` and
/// `dt`.
#[inline]
#[must_use]
pub fn decay_factor(tau: f64, dt: f64) -> f64 {
    1.0 - (dt * (-1.0 / tau)).exp()
}

/// [`cnexp_decay`] with `decay = decay_factor(tau, dt)` precomputed; bit-identical.
#[inline]
#[must_use]
pub fn cnexp_decay_with(s: f64, tau: f64, decay: f64) -> f64 {
    let b = -1.0 / tau;
    s + decay * (-0.0 / b - s)
}

fn base_info(name: &str, kind: MechKind) -> MechInfo {
    MechInfo {
        name: name.to_owned(),
        kind,
        fields: Vec::new(),
        globals: Vec::new(),
        ions: Vec::new(),
        current: CurrentKind::None,
        net_receive_args: None,
        coalescable: false,
        uses_random: false,
        uses_vector: false,
        for_netcons: false,
    }
}

// ---------------------------------------------------------------------------------------
// pas

/// Passive leak: `i = g (v - e)`.
pub struct Pas {
    info: MechInfo,
}

impl Pas {
    #[must_use]
    pub fn new() -> Self {
        let mut info = base_info("pas", MechKind::Density);
        info.fields = vec![
            field("g", FieldKind::Param, 0.001, "S/cm2"),
            field("e", FieldKind::Param, -70.0, "mV"),
            field("i", FieldKind::Assigned, 0.0, "mA/cm2"),
        ];
        info.current = CurrentKind::Membrane;
        Self { info }
    }
}

impl Default for Pas {
    fn default() -> Self {
        Self::new()
    }
}

impl Mechanism for Pas {
    fn info(&self) -> &MechInfo {
        &self.info
    }

    fn init(&self, _m: &mut MechInstances, _ctx: &mut ranvier_mech::Ctx<'_>, _ev: &mut EventSink) {}

    fn current(&self, m: &mut MechInstances, ctx: &mut ranvier_mech::Ctx<'_>) {
        let [g, e, i] = &mut m.fields[..] else {
            unreachable!("pas has 3 fields")
        };
        for k in 0..m.node.len() {
            let nd = m.node[k] as usize;
            let v = ctx.v[nd];
            let gp = g[k] * (v + DV - e[k]);
            let rhs = g[k] * (v - e[k]);
            i[k] = rhs;
            ctx.rhs[nd] -= rhs;
            ctx.d[nd] += (gp - rhs) / DV;
        }
    }
}

// ---------------------------------------------------------------------------------------
// IClamp

/// Current clamp: `i = amp` for `del <= t < del + dur` (`[nA]`, electrode current).
pub struct IClamp {
    info: MechInfo,
}

impl IClamp {
    #[must_use]
    pub fn new() -> Self {
        let mut info = base_info("IClamp", MechKind::Point);
        info.fields = vec![
            field("del", FieldKind::Param, 0.0, "ms"),
            field("dur", FieldKind::Param, 0.0, "ms"),
            field("amp", FieldKind::Param, 0.0, "nA"),
            field("i", FieldKind::Assigned, 0.0, "nA"),
        ];
        info.current = CurrentKind::Electrode;
        Self { info }
    }
}

impl Default for IClamp {
    fn default() -> Self {
        Self::new()
    }
}

impl Mechanism for IClamp {
    fn info(&self) -> &MechInfo {
        &self.info
    }

    fn init(&self, m: &mut MechInstances, _ctx: &mut ranvier_mech::Ctx<'_>, _ev: &mut EventSink) {
        m.fields[3].iter_mut().for_each(|x| *x = 0.0);
    }

    fn current(&self, m: &mut MechInstances, ctx: &mut ranvier_mech::Ctx<'_>) {
        let [del, dur, amp, i] = &mut m.fields[..] else {
            unreachable!("IClamp has 4 fields")
        };
        let t = ctx.t;
        for k in 0..m.node.len() {
            let nd = m.node[k] as usize;
            i[k] = if t < del[k] + dur[k] && t >= del[k] {
                amp[k]
            } else {
                0.0
            };
            // The current does not depend on v: di/dv = 0.
            ctx.rhs[nd] += i[k] * m.area_factor[k];
        }
    }
}

// ---------------------------------------------------------------------------------------
// AlphaSynapse

/// NEURON's `AlphaSynapse` (nrnoc/syn.mod): `g = gmax * alpha((t - onset)/tau)` with
/// `alpha(x) = x exp(1 - x)` for `0 <= x <= 10` and 0 otherwise (`[uS]`), `i = g (v - e)`
/// `[nA]`, a nonspecific current; its peak `gmax` is at `t = onset + tau`.
pub struct AlphaSynapse {
    info: MechInfo,
}

impl AlphaSynapse {
    #[must_use]
    pub fn new() -> Self {
        let mut info = base_info("AlphaSynapse", MechKind::Point);
        info.fields = vec![
            field("onset", FieldKind::Param, 0.0, "ms"),
            field("tau", FieldKind::Param, 0.1, "ms"),
            field("gmax", FieldKind::Param, 0.0, "uS"),
            field("e", FieldKind::Param, 0.0, "mV"),
            field("i", FieldKind::Assigned, 0.0, "nA"),
            field("g", FieldKind::Assigned, 0.0, "uS"),
        ];
        info.current = CurrentKind::Membrane;
        Self { info }
    }
}

impl Default for AlphaSynapse {
    fn default() -> Self {
        Self::new()
    }
}

impl Mechanism for AlphaSynapse {
    fn info(&self) -> &MechInfo {
        &self.info
    }

    /// syn.mod has no INITIAL block: `g` and `i` keep their values until the currents at
    /// t = 0 are computed.
    fn init(&self, _m: &mut MechInstances, _ctx: &mut ranvier_mech::Ctx<'_>, _ev: &mut EventSink) {}

    fn current(&self, m: &mut MechInstances, ctx: &mut ranvier_mech::Ctx<'_>) {
        let [onset, tau, gmax, e, i, g] = &mut m.fields[..] else {
            unreachable!("AlphaSynapse has 6 fields")
        };
        let t = ctx.t;
        for k in 0..m.node.len() {
            let nd = m.node[k] as usize;
            let v = ctx.v[nd];
            // BREAKPOINT at v + 0.001, then at v (g does not depend on v).
            let x = (t - onset[k]) / tau[k];
            // As syn.mod's C (a NaN x gives NaN, which `contains` would not).
            #[allow(clippy::manual_range_contains)]
            let alpha = if x < 0.0 || x > 10.0 {
                0.0
            } else {
                x * (1.0 - x).exp()
            };
            g[k] = gmax[k] * alpha;
            let ip = g[k] * (v + DV - e[k]);
            let cur = g[k] * (v - e[k]);
            i[k] = cur;
            let f = m.area_factor[k];
            ctx.rhs[nd] -= cur * f;
            ctx.d[nd] += (ip - cur) / DV * f;
        }
    }
}

// ---------------------------------------------------------------------------------------
// ExpSyn

/// Exponentially decaying conductance synapse: `g' = -g/tau`, `i = g (v - e)`; an event
/// adds its weight `[uS]` to `g`.
pub struct ExpSyn {
    info: MechInfo,
}

impl ExpSyn {
    #[must_use]
    pub fn new() -> Self {
        let mut info = base_info("ExpSyn", MechKind::Point);
        info.fields = vec![
            field("tau", FieldKind::Param, 0.1, "ms"),
            field("e", FieldKind::Param, 0.0, "mV"),
            field("i", FieldKind::Assigned, 0.0, "nA"),
            field("g", FieldKind::State, 0.0, "uS"),
            // Internal: `1 - exp(dt * (-1/tau))`, computed at INITIAL (tau and dt are
            // fixed during a run), so the step does not call `exp` again.
            field("_decay", FieldKind::Assigned, 0.0, ""),
        ];
        info.current = CurrentKind::Membrane;
        info.net_receive_args = Some(1);
        info.coalescable = true;
        Self { info }
    }
}

impl Default for ExpSyn {
    fn default() -> Self {
        Self::new()
    }
}

impl Mechanism for ExpSyn {
    fn info(&self) -> &MechInfo {
        &self.info
    }

    fn init(&self, m: &mut MechInstances, ctx: &mut ranvier_mech::Ctx<'_>, _ev: &mut EventSink) {
        let [tau, _e, _i, g, decay] = &mut m.fields[..] else {
            unreachable!("ExpSyn has 5 fields")
        };
        for k in 0..g.len() {
            g[k] = 0.0;
            decay[k] = decay_factor(tau[k], ctx.dt);
        }
    }

    fn current(&self, m: &mut MechInstances, ctx: &mut ranvier_mech::Ctx<'_>) {
        let [_tau, e, i, g, _] = &mut m.fields[..] else {
            unreachable!("ExpSyn has 5 fields")
        };
        for k in 0..m.node.len() {
            let nd = m.node[k] as usize;
            let v = ctx.v[nd];
            let gp = g[k] * (v + DV - e[k]);
            let cur = g[k] * (v - e[k]);
            i[k] = cur;
            let f = m.area_factor[k];
            ctx.rhs[nd] -= cur * f;
            ctx.d[nd] += (gp - cur) / DV * f;
        }
    }

    fn state(&self, m: &mut MechInstances, ctx: &mut ranvier_mech::Ctx<'_>) {
        let _ = ctx;
        let [tau, _e, _i, g, decay] = &mut m.fields[..] else {
            unreachable!("ExpSyn has 5 fields")
        };
        ranvier_mech::math::cnexp_decay(g, tau, decay);
    }

    fn net_receive(
        &self,
        m: &mut MechInstances,
        _ctx: &mut ranvier_mech::Ctx<'_>,
        e: Delivery,
        w: &mut [f64],
        _ev: &mut EventSink,
    ) {
        let k = e.inst as usize;
        m.fields[3][k] += w.first().copied().unwrap_or(0.0);
    }
}

// ---------------------------------------------------------------------------------------
// Exp2Syn

/// Dual-exponential synapse: `A' = -A/tau1`, `B' = -B/tau2`, `g = B - A`, normalized so
/// that a weight of 1 gives a peak conductance of 1 `[uS]`.
pub struct Exp2Syn {
    info: MechInfo,
}

impl Exp2Syn {
    #[must_use]
    pub fn new() -> Self {
        let mut info = base_info("Exp2Syn", MechKind::Point);
        info.fields = vec![
            field("tau1", FieldKind::Param, 0.1, "ms"),
            field("tau2", FieldKind::Param, 10.0, "ms"),
            field("e", FieldKind::Param, 0.0, "mV"),
            field("i", FieldKind::Assigned, 0.0, "nA"),
            field("g", FieldKind::Assigned, 0.0, "uS"),
            field("factor", FieldKind::Assigned, 0.0, ""),
            field("A", FieldKind::State, 0.0, "uS"),
            field("B", FieldKind::State, 0.0, "uS"),
            // Internal: decay factors of A and B over one step (see `ExpSyn`).
            field("_decay1", FieldKind::Assigned, 0.0, ""),
            field("_decay2", FieldKind::Assigned, 0.0, ""),
        ];
        info.current = CurrentKind::Membrane;
        info.net_receive_args = Some(1);
        info.coalescable = true;
        Self { info }
    }
}

impl Default for Exp2Syn {
    fn default() -> Self {
        Self::new()
    }
}

impl Mechanism for Exp2Syn {
    fn info(&self) -> &MechInfo {
        &self.info
    }

    fn init(&self, m: &mut MechInstances, ctx: &mut ranvier_mech::Ctx<'_>, _ev: &mut EventSink) {
        let [tau1, tau2, _e, _i, _g, factor, a, b, d1, d2] = &mut m.fields[..] else {
            unreachable!("Exp2Syn has 10 fields")
        };
        for k in 0..a.len() {
            if tau1[k] / tau2[k] > 0.9999 {
                tau1[k] = 0.9999 * tau2[k];
            }
            if tau1[k] / tau2[k] < 1e-9 {
                tau1[k] = tau2[k] * 1e-9;
            }
            a[k] = 0.0;
            b[k] = 0.0;
            let tp = (tau1[k] * tau2[k]) / (tau2[k] - tau1[k]) * (tau2[k] / tau1[k]).ln(); // [ms]
            let f = -(-tp / tau1[k]).exp() + (-tp / tau2[k]).exp();
            factor[k] = 1.0 / f;
            d1[k] = decay_factor(tau1[k], ctx.dt);
            d2[k] = decay_factor(tau2[k], ctx.dt);
        }
    }

    fn current(&self, m: &mut MechInstances, ctx: &mut ranvier_mech::Ctx<'_>) {
        let [_t1, _t2, e, i, g, _f, a, b, ..] = &mut m.fields[..] else {
            unreachable!("Exp2Syn has 10 fields")
        };
        for k in 0..m.node.len() {
            let nd = m.node[k] as usize;
            let v = ctx.v[nd];
            g[k] = b[k] - a[k];
            let gp = g[k] * (v + DV - e[k]);
            let cur = g[k] * (v - e[k]);
            i[k] = cur;
            let f = m.area_factor[k];
            ctx.rhs[nd] -= cur * f;
            ctx.d[nd] += (gp - cur) / DV * f;
        }
    }

    fn state(&self, m: &mut MechInstances, ctx: &mut ranvier_mech::Ctx<'_>) {
        let _ = ctx;
        let [t1, t2, _e, _i, _g, _f, a, b, d1, d2] = &mut m.fields[..] else {
            unreachable!("Exp2Syn has 10 fields")
        };
        ranvier_mech::math::cnexp_decay(a, t1, d1);
        ranvier_mech::math::cnexp_decay(b, t2, d2);
    }

    fn net_receive(
        &self,
        m: &mut MechInstances,
        _ctx: &mut ranvier_mech::Ctx<'_>,
        e: Delivery,
        w: &mut [f64],
        _ev: &mut EventSink,
    ) {
        let k = e.inst as usize;
        let weight = w.first().copied().unwrap_or(0.0);
        let factor = m.fields[5][k];
        m.fields[6][k] += weight * factor;
        m.fields[7][k] += weight * factor;
    }
}

/// Helper for artificial cells: `net_send(delay, flag)` from instance `k` at time `t`.
pub(crate) fn net_send(
    ev: &mut EventSink,
    k: usize,
    t: f64,
    delay: f64,
    flag: f64,
    weight_ref: Option<u32>,
) {
    ev.sends.push(SelfSend {
        inst: k as u32,
        time: t + delay,
        flag,
        weight_ref,
    });
}

/// The ion dependency `USEION name READ e<name> WRITE i<name>`.
pub(crate) fn reads_erev_writes_cur(ion: &str) -> IonDep {
    IonDep {
        ion: ion.to_owned(),
        read: vec![IonVar::Erev],
        write: vec![IonVar::Cur],
        valence: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_has_all_builtins() {
        let c = catalogue();
        for n in [
            "pas", "hh", "IClamp", "ExpSyn", "Exp2Syn", "NetStim", "VecStim",
        ] {
            assert!(c.get(n).is_some(), "{n}");
        }
    }

    #[test]
    fn cnexp_matches_exact_decay() {
        let g = cnexp_decay(1.0, 2.0, 0.025);
        assert!((g - (-0.0125f64).exp()).abs() < 1e-15);
        let m = cnexp(0.2, 0.5 / 3.0, -1.0 / 3.0, 0.025);
        let exact = 0.5 + (0.2 - 0.5) * (-0.025f64 / 3.0).exp();
        assert!((m - exact).abs() < 1e-15);
    }
}
