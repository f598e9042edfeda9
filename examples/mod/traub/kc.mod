COMMENT
kc_tb: calcium- and voltage-dependent (BK-like, "C-type") potassium current, after
the Traub et al. (2005) cortical model; written for the Ranvier benchmark suite. The
voltage-gated m (rates tabulated over -120..100 mV) is scaled by a calcium factor
min(1, cai/cac) that saturates once cai reaches cac.
ENDCOMMENT

NEURON {
    SUFFIX kc_tb
    USEION k READ ek WRITE ik
    USEION ca READ cai
    RANGE gbar, g
    GLOBAL minf, mtau, cac
    THREADSAFE
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (S) = (siemens)
    (mM) = (milli/liter)
}

PARAMETER {
    gbar = 0.012 (S/cm2) <0, 1e9>
    cac = 0.0025 (mM) <1e-9, 1e9>
}

STATE { m }

ASSIGNED {
    v (mV)
    ek (mV)
    cai (mM)
    ik (mA/cm2)
    g (S/cm2)
    minf
    mtau (ms)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar*m*cafactor(cai)
    ik = g*(v - ek)
}

INITIAL {
    rates(v)
    m = minf
}

DERIVATIVE states {
    rates(v)
    m' = (minf - m)/mtau
}

FUNCTION cafactor(c (mM)) {
    : linear in cai below cac, 1 above it
    if (c < cac) {
        cafactor = c/cac
    } else {
        cafactor = 1
    }
}

PROCEDURE rates(v (mV)) {
    LOCAL a, b
    TABLE minf, mtau FROM -120 TO 100 WITH 440
    UNITSOFF
    if (v <= -10) {
        a = (2/37.95)*exp((v + 50)/11 - (v + 53.5)/27)
        b = 2*exp((-v - 53.5)/27) - a
    } else {
        a = 2*exp((-v - 53.5)/27)
        b = 0
    }
    mtau = 1/(a + b)
    minf = a*mtau
    UNITSON
}
