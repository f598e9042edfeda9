COMMENT
kahp_tb: calcium-activated, voltage-independent afterhyperpolarization potassium
current (SK-like), m, after the Traub et al. (2005) cortical model; written for the
Ranvier benchmark suite. The opening rate grows linearly with cai up to a ceiling
amax; the closing rate b is constant.
ENDCOMMENT

NEURON {
    SUFFIX kahp_tb
    USEION k READ ek WRITE ik
    USEION ca READ cai
    RANGE gbar, g, minf, mtau
    GLOBAL acai, amax, b
    THREADSAFE
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (S) = (siemens)
    (mM) = (milli/liter)
}

PARAMETER {
    gbar = 0.0002 (S/cm2) <0, 1e9>
    acai = 2 (/ms-mM)
    amax = 0.01 (/ms)
    b = 0.001 (/ms)
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
    g = gbar*m
    ik = g*(v - ek)
}

INITIAL {
    rates(cai)
    m = minf
}

DERIVATIVE states {
    rates(cai)
    m' = (minf - m)/mtau
}

PROCEDURE rates(c (mM)) {
    LOCAL a
    UNITSOFF
    a = acai*c
    if (a > amax) {
        a = amax
    }
    mtau = 1/(a + b)
    minf = a*mtau
    UNITSON
}
