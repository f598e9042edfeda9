COMMENT
KEuler: a delayed-rectifier potassium channel written for the Ranvier validation suite,
integrated with SOLVE ... METHOD euler (forward Euler on its gate).
ENDCOMMENT

NEURON {
    SUFFIX keuler
    USEION k READ ek WRITE ik
    RANGE gbar
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (S) = (siemens)
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
    SOLVE states METHOD euler
    ik = gbar*n*n*n*n*(v - ek)
}

DERIVATIVE states {
    rates(v)
    n' = (ninf - n)/ntau
}

PROCEDURE rates(v (mV)) {
    ninf = 1/(1 + exp(-(v + 45)/10))
    ntau = 1 + 4*exp(-((v + 50)/25)^2)
}
