COMMENT
Kin3: a four-state sodium channel written for the Ranvier validation suite, as a KINETIC
scheme solved with METHOD sparse, with CONSERVE and a STEADYSTATE initial condition.
ENDCOMMENT

NEURON {
    SUFFIX kin3
    USEION na READ ena WRITE ina
    RANGE gbar, g
    GLOBAL vhalf
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.05 (S/cm2)
    vhalf = -40 (mV)
    kc = 0.3 (/ms)
}

ASSIGNED {
    v (mV)
    ena (mV)
    ina (mA/cm2)
    g (S/cm2)
    a1 (/ms)
    b1 (/ms)
    a2 (/ms)
    b2 (/ms)
    ai (/ms)
    bi (/ms)
}

STATE { C1 C2 O I }

INITIAL {
    rates(v)
    SOLVE kstates STEADYSTATE sparse
}

BREAKPOINT {
    SOLVE kstates METHOD sparse
    g = gbar*O
    ina = g*(v - ena)
}

KINETIC kstates {
    rates(v)
    ~ C1 <-> C2 (a1, b1)
    ~ C2 <-> O (a2, b2)
    ~ O <-> I (ai, bi)
    ~ I <-> C1 (kc*0.01, kc*0.2)
    CONSERVE C1 + C2 + O + I = 1
}

PROCEDURE rates(v (mV)) {
    a1 = 2/(1 + exp(-(v - vhalf)/8))
    b1 = 0.5/(1 + exp((v - vhalf)/10))
    a2 = 4/(1 + exp(-(v - vhalf - 5)/6))
    b2 = 0.3*exp(-(v + 60)/25)
    ai = 0.8/(1 + exp(-(v + 50)/7))
    bi = 0.02*exp(-(v + 70)/20)
}
