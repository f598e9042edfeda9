COMMENT
Rk4Chan: a potassium channel integrated with METHOD runge (scopmath's fourth-order
Runge-Kutta), as the Destexhe thalamic channels of ModelDB 9889 are, with a small
explicit time dependence so that the evaluations at t + dt/2 and t + dt are tested.
Written for Ranvier's validation.
ENDCOMMENT

NEURON {
    SUFFIX rk4chan
    USEION k READ ek WRITE ik
    RANGE gbar
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gbar = 0.02 (S/cm2)
}

ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    ninf
    ntau (ms)
}

STATE { n }

INITIAL {
    rates(v)
    n = ninf
}

BREAKPOINT {
    SOLVE states METHOD runge
    ik = gbar*n*n*n*n*(v - ek)
}

DERIVATIVE states {
    rates(v)
    n' = (ninf - n)/ntau + 0.001*sin(t)
}

PROCEDURE rates(v (mV)) {
    ninf = 1/(1 + exp(-(v + 45)/10))
    ntau = 0.5 + 4/(1 + exp((v + 50)/15))
}
