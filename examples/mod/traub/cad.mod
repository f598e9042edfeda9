COMMENT
cad_tb: submembrane calcium pool, written for the Ranvier benchmark suite. cai is a
STATE fed by the inward calcium current into a shell of the given depth under the
membrane and relaxing to cainf with time constant taur; it is written back to the ca
ion, so eca follows it.
ENDCOMMENT

NEURON {
    SUFFIX cad_tb
    USEION ca READ ica WRITE cai
    RANGE depth, taur, cainf
    THREADSAFE
}

UNITS {
    (mM) = (milli/liter)
    (mA) = (milliamp)
    (um) = (micron)
    FARADAY = (faraday) (coulomb)
}

PARAMETER {
    depth = 0.1 (um) <1e-6, 1e9>
    taur = 20 (ms) <1e-6, 1e9>
    cainf = 5e-5 (mM)
}

STATE { cai (mM) }

ASSIGNED {
    ica (mA/cm2)
}

INITIAL {
    cai = cainf
}

BREAKPOINT {
    SOLVE states METHOD cnexp
}

DERIVATIVE states {
    : 1e4 converts (mA/cm2)/(coulomb/mol * um) to mM/ms
    cai' = -(10000)*ica/(2*FARADAY*depth) - (cai - cainf)/taur
}
