//! `WHILE` and `FROM ... TO ... BY` in kernels, with nocmodl's semantics: the FROM
//! counter is an integer from `(int) a` to `(int) b` (re-read each time round), and
//! lanes leave a loop independently. LOCAL arrays indexed by constants and by
//! run-time values.

use ranvier_mech::{Ctx, EventSink, MechInstances, Mechanism};

const SRC: &str = r"
NEURON { SUFFIX lp RANGE n, s, k, i, sq }
PARAMETER { n = 3.7 }
ASSIGNED { s k i sq }
INITIAL {
    LOCAL a[4]
    FROM i = 0 TO 3 {
        a[i] = i*i
    }
    a[1] = a[1] + 100
    sq = a[0] + a[1] + a[2] + a[3] + 1000*a[fabs(n)]
    i = -5
    s = 0
    FROM i = 0 TO n BY 2 {
        s = s + i
    }
    k = 0
    WHILE (k < n) {
        k = k + 1
        s = s + 10*k
    }
    FROM i = 3 TO 1 BY -1 {
        s = s + 1000*i
    }
}
";

#[test]
fn loops_and_local_arrays_run_per_instance() {
    let (module, diags) = ranvier_nmodl::parse(SRC);
    assert!(diags.is_empty(), "{diags:?}");
    let (mech, diags) = ranvier_nmodl::compile(&module);
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    let mech = mech.expect("compiles");
    let info = mech.info().clone();
    let field = |name: &str| info.fields.iter().position(|f| f.name == name).expect(name);
    let mut m = MechInstances::new(&info);
    for _ in 0..3 {
        m.push(&info, 0);
    }
    // Different trip counts per instance: n = 3.7, 0.5, -2.
    for (j, n) in [3.7, 0.5, -2.0].into_iter().enumerate() {
        m.fields[field("n")][j] = n;
    }
    let (mut v, mut rhs, mut d) = ([-65.0], [0.0], [0.0]);
    let mut ctx = Ctx {
        t: 0.0,
        dt: 0.025,
        celsius: 6.3,
        secondorder: false,
        v: &mut v,
        rhs: &mut rhs,
        d: &mut d,
        area: &[100.0],
        ions: &mut [],
        ion_ids: &[],
    };
    let mut ev = EventSink::default();
    mech.init(&mut m, &mut ctx, &mut ev);
    // n = 3.7: FROM 0..=3 by 2 -> 0 + 2; WHILE k < 3.7 -> k = 1..4, 10*(1+2+3+4);
    // FROM 3 down to 1 -> 1000*(3+2+1). The counter does not leak: i stays -5.
    let s = &m.fields[field("s")];
    let k = &m.fields[field("k")];
    let i = &m.fields[field("i")];
    assert_eq!(s[0], 2.0 + 100.0 + 6000.0);
    assert_eq!(k[0], 4.0);
    // n = 0.5: FROM 0..=0 -> 0; WHILE -> k = 1, 10.
    assert_eq!(s[1], 10.0 + 6000.0);
    assert_eq!(k[1], 1.0);
    // n = -2: no FROM iteration, no WHILE iteration.
    assert_eq!(s[2], 6000.0);
    assert_eq!(k[2], 0.0);
    assert_eq!(i, &[-5.0, -5.0, -5.0]);
    // LOCAL a[4] = {0, 101, 4, 9}; a[fabs(n)] truncates the index: a[3], a[0], a[2].
    let sq = &m.fields[field("sq")];
    assert_eq!(sq, &[114.0 + 9000.0, 114.0, 114.0 + 4000.0]);
}

/// `SOLVE proc` of a PROCEDURE (no METHOD) calls it in the state update, with the full
/// `dt` even under Crank-Nicolson (nocmodl halves dt only for euler, derivimplicit and
/// sparse).
#[test]
fn solve_of_a_procedure_calls_it() {
    let src = "NEURON { SUFFIX sp RANGE m }\nSTATE { m }\nBREAKPOINT { SOLVE states }\n\
               PROCEDURE states() { m = m + dt }\n";
    let (module, diags) = ranvier_nmodl::parse(src);
    assert!(diags.is_empty(), "{diags:?}");
    let (mech, diags) = ranvier_nmodl::compile(&module);
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    let mech = mech.expect("compiles");
    let info = mech.info().clone();
    let mut m = MechInstances::new(&info);
    m.push(&info, 0);
    let (mut v, mut rhs, mut d) = ([-65.0], [0.0], [0.0]);
    for secondorder in [false, true] {
        let mut ctx = Ctx {
            t: 0.0,
            dt: 0.025,
            celsius: 6.3,
            secondorder,
            v: &mut v,
            rhs: &mut rhs,
            d: &mut d,
            area: &[100.0],
            ions: &mut [],
            ion_ids: &[],
        };
        mech.init(&mut m, &mut ctx, &mut EventSink::default());
        mech.state(&mut m, &mut ctx);
        mech.state(&mut m, &mut ctx);
        assert_eq!(m.fields[0][0], 0.05, "secondorder {secondorder}");
    }
}
