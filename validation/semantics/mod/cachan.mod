COMMENT
CaChan: a calcium leak through eca, so the Nernst potential of the pool's cai drives the
membrane. Written for Ranvier's semantics tests.
ENDCOMMENT

NEURON {
    SUFFIX cachan
    USEION ca READ eca WRITE ica
    RANGE g
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    g = 0.0005 (S/cm2)
}

ASSIGNED {
    v (mV)
    eca (mV)
    ica (mA/cm2)
}

BREAKPOINT {
    ica = g*(v - eca)
}
