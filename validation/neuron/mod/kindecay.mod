COMMENT
KinDecay: an alpha-function synapse written as a kinetic scheme with a one-way decay,
as ModelDB's alphasynkin.mod writes it: `~ a <-> g (1/tau, 0)` then `~ g -> (1/tau)`
(nocmodl's one-way flux: g consumed at rate g/tau, no product). Written for Ranvier's
validation.
ENDCOMMENT

NEURON {
    POINT_PROCESS KinDecay
    RANGE tau, e, i
    NONSPECIFIC_CURRENT i
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    tau = 2 (ms)
    e = 0 (mV)
}

ASSIGNED {
    v (mV)
    i (nA)
}

STATE {
    a (uS)
    g (uS)
}

INITIAL {
    a = 0
    g = 0
}

BREAKPOINT {
    SOLVE state METHOD sparse
    i = g*(v - e)
}

KINETIC state {
    ~ a <-> g (1/tau, 0)
    ~ g -> (1/tau)
}

NET_RECEIVE(weight (uS)) {
    a = a + weight
}
