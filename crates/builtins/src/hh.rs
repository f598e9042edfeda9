//! Hodgkin–Huxley squid axon channels, as NEURON's `hh.mod`: rate tables over
//! `-100..100 mV` with 200 intervals and linear interpolation (the `usetable` global
//! switches to exact rates), `q10 = 3^((celsius - 6.3)/10)`.

use ranvier_mech::{
    Ctx, CurrentKind, EventSink, FieldKind, GlobalSpec, MechInfo, MechInstances, MechKind,
    Mechanism, field,
};
use std::sync::RwLock;

use crate::{DV, base_info, reads_erev_writes_cur};
use ranvier_mech::math::cnexp_gate;

const TMIN: f64 = -100.0; // [mV]
const TMAX: f64 = 100.0; // [mV]
const NTAB: usize = 200;

/// Rate constants at one voltage: `(minf, mtau, hinf, htau, ninf, ntau)`.
type Rates = [f64; 6];

/// The `hh` density mechanism.
pub struct Hh {
    info: MechInfo,
    /// Rate table and the temperature it was made for.
    table: RwLock<Option<(f64, Vec<Rates>)>>,
}

// Field indices of the states (parameters and assigned are destructured by position).
const M: usize = 7;
const H: usize = 8;
const N: usize = 9;
/// Global index of `usetable`.
const USETABLE: usize = 0;

impl Hh {
    #[must_use]
    pub fn new() -> Self {
        let mut info = base_info("hh", MechKind::Density);
        info.fields = vec![
            field("gnabar", FieldKind::Param, 0.12, "S/cm2"),
            field("gkbar", FieldKind::Param, 0.036, "S/cm2"),
            field("gl", FieldKind::Param, 0.0003, "S/cm2"),
            field("el", FieldKind::Param, -54.3, "mV"),
            field("gna", FieldKind::Assigned, 0.0, "S/cm2"),
            field("gk", FieldKind::Assigned, 0.0, "S/cm2"),
            field("il", FieldKind::Assigned, 0.0, "mA/cm2"),
            field("m", FieldKind::State, 0.0, ""),
            field("h", FieldKind::State, 0.0, ""),
            field("n", FieldKind::State, 0.0, ""),
        ];
        info.globals = vec![GlobalSpec {
            name: "usetable".into(),
            default: 1.0,
            units: String::new(),
        }];
        info.ions = vec![reads_erev_writes_cur("na"), reads_erev_writes_cur("k")];
        info.current = CurrentKind::Membrane;
        Self {
            info,
            table: RwLock::new(None),
        }
    }

    /// The exact rates at `v` `[mV]` and temperature `celsius` (`PROCEDURE rates`).
    #[must_use]
    pub fn rates_exact(v: f64, celsius: f64) -> Rates {
        let q10 = 3.0f64.powf((celsius - 6.3) / 10.0);
        let mut alpha = 0.1 * vtrap(-(v + 40.0), 10.0);
        let mut beta = 4.0 * (-(v + 65.0) / 18.0).exp();
        let mut sum = alpha + beta;
        let mtau = 1.0 / (q10 * sum);
        let minf = alpha / sum;
        alpha = 0.07 * (-(v + 65.0) / 20.0).exp();
        beta = 1.0 / ((-(v + 35.0) / 10.0).exp() + 1.0);
        sum = alpha + beta;
        let htau = 1.0 / (q10 * sum);
        let hinf = alpha / sum;
        alpha = 0.01 * vtrap(-(v + 55.0), 10.0);
        beta = 0.125 * (-(v + 65.0) / 80.0).exp();
        sum = alpha + beta;
        let ntau = 1.0 / (q10 * sum);
        let ninf = alpha / sum;
        [minf, mtau, hinf, htau, ninf, ntau]
    }

    fn make_table(celsius: f64) -> Vec<Rates> {
        let dx = (TMAX - TMIN) / NTAB as f64;
        let mut x = TMIN;
        let mut t = Vec::with_capacity(NTAB + 1);
        for _ in 0..=NTAB {
            t.push(Self::rates_exact(x, celsius));
            x += dx;
        }
        t
    }
}

impl Default for Hh {
    fn default() -> Self {
        Self::new()
    }
}

fn vtrap(x: f64, y: f64) -> f64 {
    if (x / y).abs() < 1e-6 {
        y * (1.0 - x / y / 2.0)
    } else {
        x / ((x / y).exp() - 1.0)
    }
}

/// Table lookup with linear interpolation, as NEURON's generated `_n_rates`.
#[inline]
fn lookup(table: &[Rates], v: f64) -> Rates {
    let mfac = 1.0 / ((TMAX - TMIN) / NTAB as f64);
    let xi = mfac * (v - TMIN);
    if xi.is_nan() {
        return [xi; 6];
    }
    if xi <= 0.0 {
        return table[0];
    }
    if xi >= NTAB as f64 {
        return table[NTAB];
    }
    let i = xi as usize;
    let theta = xi - i as f64;
    let (a, b) = (&table[i], &table[i + 1]);
    let mut r = [0.0; 6];
    for k in 0..6 {
        r[k] = a[k] + theta * (b[k] - a[k]);
    }
    r
}

impl Mechanism for Hh {
    fn info(&self) -> &MechInfo {
        &self.info
    }

    fn prepare(&self, m: &mut MechInstances, celsius: f64, _dt: f64) {
        if m.globals[USETABLE] == 0.0 {
            return;
        }
        let fresh = self
            .table
            .read()
            .map(|t| t.as_ref().is_some_and(|(c, _)| *c == celsius))
            .unwrap_or(false);
        if !fresh && let Ok(mut t) = self.table.write() {
            *t = Some((celsius, Self::make_table(celsius)));
        }
    }

    fn init(&self, m: &mut MechInstances, ctx: &mut Ctx<'_>, _ev: &mut EventSink) {
        let guard = self.table.read().ok();
        let table = guard
            .as_ref()
            .and_then(|g| g.as_ref())
            .map(|(_, t)| t.as_slice());
        let use_table = m.globals[USETABLE] != 0.0;
        for k in 0..m.node.len() {
            let v = ctx.v[m.node[k] as usize];
            let r = match (use_table, table) {
                (true, Some(t)) => lookup(t, v),
                _ => Hh::rates_exact(v, ctx.celsius),
            };
            m.fields[M][k] = r[0];
            m.fields[H][k] = r[2];
            m.fields[N][k] = r[4];
        }
    }

    fn current(&self, m: &mut MechInstances, ctx: &mut Ctx<'_>) {
        let (na, kk) = (ctx.ion_ids[0], ctx.ion_ids[1]);
        let [gnabar, gkbar, gl, el, gna, gk, il, mm, hh, nn] = &mut m.fields[..] else {
            unreachable!("hh has 10 fields")
        };
        let (ina_idx, ik_idx) = (&m.ion_index[0], &m.ion_index[1]);
        for k in 0..m.node.len() {
            let nd = m.node[k] as usize;
            let v = ctx.v[nd];
            let (ia, ib) = (ina_idx[k] as usize, ik_idx[k] as usize);
            let ena = ctx.ions[na].erev[ia];
            let ek = ctx.ions[kk].erev[ib];
            // _nrn_current(v + 0.001)
            let g_na = gnabar[k] * mm[k] * mm[k] * mm[k] * hh[k];
            let g_k = gkbar[k] * nn[k] * nn[k] * nn[k] * nn[k];
            let vp = v + DV;
            let ina_p = g_na * (vp - ena);
            let ik_p = g_k * (vp - ek);
            let il_p = gl[k] * (vp - el[k]);
            let gsum = ina_p + ik_p + il_p;
            // _nrn_current(v)
            let ina = g_na * (v - ena);
            let ik = g_k * (v - ek);
            il[k] = gl[k] * (v - el[k]);
            gna[k] = g_na;
            gk[k] = g_k;
            let rhs = ina + ik + il[k];
            if ctx.secondorder {
                ctx.ions[na].dcurdv[ia] += (ina_p - ina) / DV;
                ctx.ions[kk].dcurdv[ib] += (ik_p - ik) / DV;
            }
            ctx.ions[na].cur[ia] += ina;
            ctx.ions[kk].cur[ib] += ik;
            ctx.rhs[nd] -= rhs;
            ctx.d[nd] += (gsum - rhs) / DV;
        }
    }

    fn state(&self, m: &mut MechInstances, ctx: &mut Ctx<'_>) {
        let dt = ctx.dt;
        let guard = self.table.read().ok();
        let table = guard
            .as_ref()
            .and_then(|g| g.as_ref())
            .map(|(_, t)| t.as_slice());
        let use_table = m.globals[USETABLE] != 0.0;
        // Rates per instance (table lookups), then the cnexp updates of each gate as one
        // vectorized batch over all instances.
        let n = m.node.len();
        m.scratch.resize(6 * n, 0.0);
        let (inf, tau) = m.scratch.split_at_mut(3 * n);
        for k in 0..n {
            let v = ctx.v[m.node[k] as usize];
            let [minf, mtau, hinf, htau, ninf, ntau] = match (use_table, table) {
                (true, Some(t)) => lookup(t, v),
                _ => Hh::rates_exact(v, ctx.celsius),
            };
            (inf[k], inf[n + k], inf[2 * n + k]) = (minf, hinf, ninf);
            (tau[k], tau[n + k], tau[2 * n + k]) = (mtau, htau, ntau);
        }
        let [.., mm, hh, nn] = &mut m.fields[..] else {
            unreachable!("hh has 10 fields")
        };
        for (j, s) in [mm, hh, nn].into_iter().enumerate() {
            cnexp_gate(s, &inf[j * n..(j + 1) * n], &tau[j * n..(j + 1) * n], dt);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_interpolates_between_exact_values() {
        let t = Hh::make_table(6.3);
        let at = lookup(&t, -65.0);
        let exact = Hh::rates_exact(-65.0, 6.3);
        for k in 0..6 {
            assert!(
                (at[k] - exact[k]).abs() <= 1e-12 * exact[k].abs().max(1.0),
                "{k}"
            );
        }
        let mid = lookup(&t, -64.5);
        let e = Hh::rates_exact(-64.5, 6.3);
        assert!((mid[0] - e[0]).abs() < 1e-3);
        // Clamped outside the range.
        assert_eq!(lookup(&t, -200.0), t[0]);
        assert_eq!(lookup(&t, 500.0), t[NTAB]);
    }

    #[test]
    fn q10_speeds_up_kinetics() {
        let cold = Hh::rates_exact(-60.0, 6.3);
        let warm = Hh::rates_exact(-60.0, 16.3);
        assert!((cold[1] / warm[1] - 3.0).abs() < 1e-12);
        assert_eq!(cold[0], warm[0]);
    }
}
