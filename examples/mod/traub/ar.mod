COMMENT
ar_tb: anomalous rectifier (hyperpolarization-activated h-current), m, after the
Traub et al. (2005) cortical model; written for the Ranvier benchmark suite. A mixed
cation current with a fixed reversal potential erev. Rates are temperature
independent and tabulated over -120..100 mV.
ENDCOMMENT

NEURON {
    SUFFIX ar_tb
    NONSPECIFIC_CURRENT i
    RANGE gbar, g, erev
    GLOBAL minf, mtau
    THREADSAFE
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.00025 (S/cm2) <0, 1e9>
    erev = -35 (mV)
}

STATE { m }

ASSIGNED {
    v (mV)
    i (mA/cm2)
    g (S/cm2)
    minf
    mtau (ms)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar*m
    i = g*(v - erev)
}

INITIAL {
    rates(v)
    m = minf
}

DERIVATIVE states {
    rates(v)
    m' = (minf - m)/mtau
}

PROCEDURE rates(v (mV)) {
    TABLE minf, mtau FROM -120 TO 100 WITH 440
    UNITSOFF
    minf = 1/(1 + exp((v + 75)/5.5))
    mtau = 1/(exp(-14.6 - 0.086*v) + exp(-1.87 + 0.07*v))
    UNITSON
}
