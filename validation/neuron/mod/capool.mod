COMMENT
CaPool: a calcium pool written for the Ranvier validation suite; cai is a STATE that
the mechanism integrates (cnexp) from the calcium current and writes back to the ion.
ENDCOMMENT

NEURON {
    SUFFIX capool
    USEION ca READ ica WRITE cai
    RANGE depth, taur, cainf
}

UNITS {
    (mM) = (milli/liter)
    (mA) = (milliamp)
    (um) = (micron)
    FARADAY = (faraday) (coulomb)
}

PARAMETER {
    depth = 0.1 (um)
    taur = 80 (ms)
    cainf = 5e-5 (mM)
}

ASSIGNED {
    ica (mA/cm2)
}

STATE {
    cai (mM)
}

INITIAL {
    cai = cainf
}

BREAKPOINT {
    SOLVE state METHOD cnexp
}

DERIVATIVE state {
    cai' = -(10000)*ica/(2*FARADAY*depth) - (cai - cainf)/taur
}
