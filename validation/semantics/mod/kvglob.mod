COMMENT
KvGlob: a delayed rectifier whose rate procedure writes GLOBALs (ninf, ntau) that the
DERIVATIVE block then reads, as the tutorial's kv.mod and naz.mod do. NEURON runs the
instances one after another, so each reads the values it just wrote. Written for
Ranvier's semantics tests.
ENDCOMMENT

NEURON {
    SUFFIX kvglob
    USEION k READ ek WRITE ik
    RANGE gbar
    GLOBAL ninf, ntau
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gbar = 0.01 (S/cm2)
}

ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    ninf
    ntau (ms)
}

STATE {
    n
}

INITIAL {
    rates(v)
    n = ninf
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gbar*n*(v - ek)
}

DERIVATIVE states {
    rates(v)
    n' = (ninf - n)/ntau
}

PROCEDURE rates(v (mV)) {
    ninf = 1/(1 + exp(-(v + 30)/9))
    ntau = 1 + 4/(1 + exp((v + 40)/10))
}
