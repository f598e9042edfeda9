COMMENT
LkOther: a leak carried by a user ion `other` (valence 1), written for Ranvier's
semantics tests after the tutorial's OFThresh/OFThpo, which write `iother`. NEURON gives
a new ion eother = 0 mV, otheri = othero = 1 mM unless a section sets them.
ENDCOMMENT

NEURON {
    SUFFIX lkother
    USEION other READ eother WRITE iother VALENCE 1
    RANGE g
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    g = 0.0002 (S/cm2)
}

ASSIGNED {
    v (mV)
    eother (mV)
    iother (mA/cm2)
}

BREAKPOINT {
    iother = g*(v - eother)
}
