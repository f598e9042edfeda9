COMMENT
CaT: a high-threshold calcium channel written for the Ranvier validation suite. Its
rates come from a TABLE (interpolated over v); the current uses the reversal potential
eca that NEURON recomputes from cai and cao (Nernst) as the pool changes cai.
ENDCOMMENT

NEURON {
    SUFFIX catab
    USEION ca READ eca WRITE ica
    RANGE gbar, g
    GLOBAL minf, mtau
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.002 (S/cm2)
}

ASSIGNED {
    v (mV)
    eca (mV)
    ica (mA/cm2)
    g (S/cm2)
    minf
    mtau (ms)
}

STATE {
    m
}

INITIAL {
    rates(v)
    m = minf
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar*m*m
    ica = g*(v - eca)
}

DERIVATIVE states {
    rates(v)
    m' = (minf - m)/mtau
}

PROCEDURE rates(v (mV)) {
    TABLE minf, mtau FROM -100 TO 100 WITH 200
    minf = 1/(1 + exp(-(v + 20)/6))
    mtau = 0.5 + 2/(exp((v + 40)/15) + exp(-(v + 40)/15))
}
