: Passive leak whose parameters and current live in include files of this folder.
NEURON {
    SUFFIX leak
    NONSPECIFIC_CURRENT i
    RANGE g, e
}
INCLUDE "leak_params.inc"
ASSIGNED {
    v (mV)
    i (mA/cm2)
}
BREAKPOINT {
    INCLUDE "leak_current.inc"
}
