COMMENT
TtConc: a conductance scaled by the concentrations of a divalent user ion `tt` that no
section sets, so NEURON's defaults for a new ion (tti = tto = 1 mM) decide the current.
Written for Ranvier's semantics tests.
ENDCOMMENT

NEURON {
    SUFFIX ttconc
    USEION tt READ tti, tto VALENCE 2
    NONSPECIFIC_CURRENT i
    RANGE g, e
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (mM) = (milli/liter)
}

PARAMETER {
    g = 0.0001 (S/cm2)
    e = -80 (mV)
}

ASSIGNED {
    v (mV)
    tti (mM)
    tto (mM)
    i (mA/cm2)
}

BREAKPOINT {
    i = g*(tti + 0.5*tto)*(v - e)
}
