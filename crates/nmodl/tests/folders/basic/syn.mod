: Exponential synapse using the UNITS of ../units.inc.
NEURON {
    POINT_PROCESS ExpSynInc
    RANGE e, i
    GLOBAL tau
    NONSPECIFIC_CURRENT i
}
INCLUDE "units.inc"
PARAMETER {
    tau = 2 (ms) <1e-9, 1e9>
    e = 0 (mV)
}
ASSIGNED {
    v (mV)
    i (nA)
}
STATE { g (uS) }
INITIAL { g = 0 }
BREAKPOINT {
    SOLVE decay METHOD cnexp
    i = g*(v - e)
}
DERIVATIVE decay {
    g' = -g/tau
}
NET_RECEIVE(weight (uS)) {
    g = g + weight
}
