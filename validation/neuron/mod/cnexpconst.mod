COMMENT
CnConst: states whose derivative does not depend on them, integrated with METHOD cnexp
(nocmodl then writes an explicit Euler step, x = x - dt*(-(a))): a charge counter
q' = 0.01*(v + 65) and a constant z' = 0. A leak scaled by q feeds back into v.
Written for Ranvier's validation.
ENDCOMMENT

NEURON {
    SUFFIX cnconst
    NONSPECIFIC_CURRENT i
    RANGE g, q, z
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    g = 0.0001 (S/cm2)
}

ASSIGNED {
    v (mV)
    i (mA/cm2)
}

STATE { q z }

INITIAL {
    q = 0
    z = 2
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    i = g*z*(1 + 0.1*q)*(v + 70)
}

DERIVATIVE states {
    q' = 0.01*(v + 65)
    z' = 0
}
