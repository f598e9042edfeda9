COMMENT
CaState: a calcium pool whose STATE is the ion concentration cai, after the tutorial's
cad.mod. INITIAL does not assign cai, so cai starts from cai0_ca_ion (NEURON's
initmodel keeps the value the ion gave it). Written for Ranvier's semantics tests.
ENDCOMMENT

NEURON {
    SUFFIX castate
    USEION ca READ ica WRITE cai
    RANGE tau, k
    GLOBAL cainf
}

UNITS {
    (mM) = (milli/liter)
    (mA) = (milliamp)
}

PARAMETER {
    tau = 20 (ms)
    cainf = 5e-5 (mM)
    k = 1e2 (mM cm2/mA/ms)
}

ASSIGNED {
    ica (mA/cm2)
}

STATE {
    cai (mM)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
}

DERIVATIVE states {
    cai' = -k*ica - (cai - cainf)/tau
}
