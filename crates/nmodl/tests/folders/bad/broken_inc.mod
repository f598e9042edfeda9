: The error is in the included file.
NEURON {
    SUFFIX broken_inc
    NONSPECIFIC_CURRENT i
    RANGE g
}
PARAMETER { g = 0.001 (S/cm2) }
ASSIGNED { v (mV) i (mA/cm2) }
BREAKPOINT {
    INCLUDE "broken.inc"
}
