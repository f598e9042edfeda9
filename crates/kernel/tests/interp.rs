//! Kernels written by hand in the IR agree bit for bit with the native built-ins, and
//! masked control flow behaves like C's `if`.

use std::sync::Arc;

use ranvier_cable::{CableModel, ProbeSpec, Source, Target};
use ranvier_kernel::ir::KernelBuilder;
use ranvier_kernel::{BinOp, IrMechanism, Kernels, Op, UnOp};
use ranvier_mech::{
    Catalogue, Ctx, CurrentKind, EventSink, FieldKind, MechInfo, MechInstances, MechKind,
    Mechanism, field,
};
use ranvier_morph::Section;

fn info(
    name: &str,
    kind: MechKind,
    fields: Vec<ranvier_mech::FieldSpec>,
    nra: Option<usize>,
) -> MechInfo {
    MechInfo {
        name: name.into(),
        kind,
        fields,
        globals: vec![],
        ions: vec![],
        current: CurrentKind::Membrane,
        net_receive_args: nra,
        coalescable: false,
        uses_random: false,
        uses_vector: false,
        for_netcons: false,
    }
}

/// `i = g (v - e)` as NEURON's generated current code: two evaluations, difference
/// quotient, `rhs -= i * f`, `d += g * f`.
fn current_of(b: &mut KernelBuilder, g: u16, e: u16, i_field: u16, point: bool) {
    let v = b.emit(|dst| Op::Voltage { dst });
    let gr = b.field(g);
    let er = b.field(e);
    let dv = b.constant(0.001);
    let vp = b.add(v, dv);
    let dp = b.sub(vp, er);
    let ip = b.mul(gr, dp);
    let d0 = b.sub(v, er);
    let i = b.mul(gr, d0);
    b.push(Op::StoreField {
        field: i_field,
        src: i,
    });
    let di = b.sub(ip, i);
    let mut cond = b.div(di, dv);
    let mut rhs = i;
    if point {
        let f = b.emit(|dst| Op::AreaFactor { dst });
        rhs = b.mul(i, f);
        cond = b.mul(cond, f);
    }
    let neg = b.un(UnOp::Neg, rhs);
    b.push(Op::AddRhs { src: neg });
    b.push(Op::AddD { src: cond });
}

fn pas_ir() -> IrMechanism {
    let fields = vec![
        field("g", FieldKind::Param, 0.001, "S/cm2"),
        field("e", FieldKind::Param, -70.0, "mV"),
        field("i", FieldKind::Assigned, 0.0, "mA/cm2"),
    ];
    let mut b = KernelBuilder::new();
    current_of(&mut b, 0, 1, 2, false);
    IrMechanism::new(
        info("pas_ir", MechKind::Density, fields, None),
        Kernels {
            current: b.finish(),
            ..Kernels::default()
        },
    )
}

fn expsyn_ir() -> IrMechanism {
    let fields = vec![
        field("tau", FieldKind::Param, 0.1, "ms"),
        field("e", FieldKind::Param, 0.0, "mV"),
        field("i", FieldKind::Assigned, 0.0, "nA"),
        field("g", FieldKind::State, 0.0, "uS"),
    ];
    let mut init = KernelBuilder::new();
    let zero = init.constant(0.0);
    init.push(Op::StoreField {
        field: 3,
        src: zero,
    });
    let mut cur = KernelBuilder::new();
    // i = g (v - e) with g in field 3.
    current_of(&mut cur, 3, 1, 2, true);
    // g' = -g/tau by cnexp: g += (1 - exp(dt b)) (-(0)/b - g), b = -1/tau.
    let mut st = KernelBuilder::new();
    let tau = st.field(0);
    let g = st.field(3);
    let m1 = st.constant(-1.0);
    let b = st.div(m1, tau);
    let dt = st.emit(|dst| Op::Dt { dst });
    let x = st.mul(dt, b);
    let e = st.un(UnOp::Exp, x);
    let one = st.constant(1.0);
    let f = st.sub(one, e);
    let mz = st.constant(-0.0);
    let q = st.div(mz, b);
    let r = st.sub(q, g);
    let inc = st.mul(f, r);
    let g2 = st.add(g, inc);
    st.push(Op::StoreField { field: 3, src: g2 });
    // NET_RECEIVE(weight) { g = g + weight }
    let mut nr = KernelBuilder::new();
    let g = nr.field(3);
    let w = nr.emit(|dst| Op::Weight { dst, k: 0 });
    let s = nr.add(g, w);
    nr.push(Op::StoreField { field: 3, src: s });
    IrMechanism::new(
        info("ExpSynIR", MechKind::Point, fields, Some(1)),
        Kernels {
            init: init.finish(),
            current: cur.finish(),
            state: st.finish(),
            net_receive: nr.finish(),
            ..Kernels::default()
        },
    )
}

fn run_cell(pas: &str, syn: &str) -> Vec<f64> {
    let mut cat: Catalogue = ranvier_builtins::catalogue();
    cat.add(Arc::new(pas_ir()));
    cat.add(Arc::new(expsyn_ir()));
    let mut m = CableModel::new(cat);
    let c = m.add_cell("c");
    let mut s = Section::new("soma");
    s.set_length(20.0).unwrap();
    s.set_diam(20.0).unwrap();
    let soma = m.add_section(c, s);
    m.insert(soma, pas).unwrap();
    m.set_density(soma, None, pas, "e", -65.0).unwrap();
    m.insert(soma, "hh").unwrap();
    let p = m.add_point(syn, soma, 0.5).unwrap();
    m.set_point(p, "tau", 2.0).unwrap();
    let ns = m.add_artificial("NetStim", "ns").unwrap();
    m.set_artificial(ns, "interval", 7.0).unwrap();
    m.set_artificial(ns, "start", 3.0).unwrap();
    m.set_artificial(ns, "noise", 0.5).unwrap();
    m.set_random123(ns, 1, 2, 3).unwrap();
    let s = m.add_source(Source::Artificial(ns), 0.0).unwrap();
    m.connect(s, Some(Target::Point(p)), 0.01, 1.0).unwrap();
    m.record("v", ProbeSpec::Voltage { sec: soma, x: 0.5 });
    let mut g = m.build().unwrap();
    g.init(-65.0).unwrap();
    g.run(100.0).unwrap();
    g.trace("v").unwrap().to_vec()
}

#[test]
fn ir_pas_and_expsyn_equal_the_builtins_bit_for_bit() {
    let native = run_cell("pas", "ExpSyn");
    let ir = run_cell("pas_ir", "ExpSynIR");
    assert!(native.iter().any(|v| *v > 0.0), "the cell spikes");
    assert_eq!(native, ir);
}

#[test]
fn branches_write_only_where_their_condition_holds() {
    // i = v > -60 ? 1 : (v < -70 ? 2 : 3), with nested ifs and a register assigned in
    // both branches.
    let mut b = KernelBuilder::new();
    let v = b.emit(|dst| Op::Voltage { dst });
    let lim = b.constant(-60.0);
    let c = b.bin(BinOp::Gt, v, lim);
    let out = b.constant(0.0);
    b.if_else(
        c,
        |b| {
            let one = b.constant(1.0);
            b.push(Op::Copy { dst: out, src: one });
        },
        |b| {
            let lim2 = b.constant(-70.0);
            let c2 = b.bin(BinOp::Lt, v, lim2);
            b.if_else(
                c2,
                |b| {
                    let two = b.constant(2.0);
                    b.push(Op::Copy { dst: out, src: two });
                },
                |b| {
                    let three = b.constant(3.0);
                    b.push(Op::Copy {
                        dst: out,
                        src: three,
                    });
                },
            );
        },
    );
    b.push(Op::StoreField { field: 0, src: out });
    let kernel = b.finish();
    assert_eq!(kernel.depth, 2);
    let mech = IrMechanism::new(
        info(
            "branch",
            MechKind::Density,
            vec![field("x", FieldKind::Assigned, 0.0, "")],
            None,
        ),
        Kernels {
            current: kernel,
            ..Kernels::default()
        },
    );
    let mut m = MechInstances::new(mech.info());
    for node in 0..4 {
        m.push(mech.info(), node);
    }
    let mut v = vec![-50.0, -75.0, -65.0, -59.0];
    let (mut rhs, mut d) = (vec![0.0; 4], vec![0.0; 4]);
    let mut ctx = Ctx {
        t: 0.0,
        dt: 0.025,
        celsius: 6.3,
        secondorder: false,
        v: &mut v,
        rhs: &mut rhs,
        d: &mut d,
        area: &[100.0; 4],
        ions: &mut [],
        ion_ids: &[],
    };
    mech.current(&mut m, &mut ctx);
    assert_eq!(m.fields[0], vec![1.0, 2.0, 3.0, 1.0]);
    // Kernels reuse scratch space: a second run gives the same and allocates nothing new.
    let cap = m.scratch.capacity();
    mech.current(&mut m, &mut ctx);
    assert_eq!(m.fields[0], vec![1.0, 2.0, 3.0, 1.0]);
    assert_eq!(m.scratch.capacity(), cap);
    let mut ev = EventSink::default();
    mech.init(&mut m, &mut ctx, &mut ev);
    assert!(ev.sends.is_empty());
}

/// A GLOBAL stored and then read by the same instance is forwarded (the kernel stays
/// vectorised); a GLOBAL read before this instance stores it makes the kernel run
/// instance by instance, so each reads what the previous one left (NEURON's order).
#[test]
fn kernels_reading_a_global_they_store_run_in_instance_order() {
    let mut fwd = KernelBuilder::new();
    let x = fwd.field(0);
    fwd.push(Op::StoreGlobal { global: 0, src: x });
    let g = fwd.emit(|dst| Op::Global { dst, global: 0 });
    fwd.push(Op::StoreField { field: 1, src: g });
    assert!(!fwd.finish().sequential, "store then read is forwarded");

    let mut seq = KernelBuilder::new();
    let g = seq.emit(|dst| Op::Global { dst, global: 0 });
    seq.push(Op::StoreField { field: 1, src: g });
    let x = seq.field(0);
    seq.push(Op::StoreGlobal { global: 0, src: x });
    assert!(seq.finish().sequential, "read before store");

    let mut read_only = KernelBuilder::new();
    let g = read_only.emit(|dst| Op::Global { dst, global: 0 });
    read_only.push(Op::StoreField { field: 1, src: g });
    assert!(!read_only.finish().sequential);
}
