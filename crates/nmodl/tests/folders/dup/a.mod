NEURON {
    SUFFIX twin
    NONSPECIFIC_CURRENT i
    RANGE g
}
PARAMETER { g = 0 (S/cm2) }
ASSIGNED { v (mV) i (mA/cm2) }
BREAKPOINT { i = g*v }
