COMMENT
LTab: a sodium-like channel integrated by a PROCEDURE with an exponential factor held in
a file-scope LOCAL that its TABLE fills (as the Mainen et al. 1996 and Traub channels
do), and `abs()` of a double (C++'s fabs in NEURON 9). Written for Ranvier's validation.
ENDCOMMENT

NEURON {
    SUFFIX ltab
    USEION na READ ena WRITE ina
    RANGE gbar
    GLOBAL minf
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
}

LOCAL mexp

PARAMETER {
    gbar = 0.08 (S/cm2)
}

ASSIGNED {
    v (mV)
    ena (mV)
    ina (mA/cm2)
    minf
}

STATE { m }

INITIAL {
    rates(v)
    m = minf
}

BREAKPOINT {
    SOLVE states
    ina = gbar*abs(m)*m*m*(v - ena)
}

PROCEDURE states() {
    rates(v)
    m = m + mexp*(minf - m)
}

PROCEDURE rates(v (mV)) {
    LOCAL mtau
    TABLE minf, mexp DEPEND dt, celsius FROM -100 TO 100 WITH 200
    minf = 1/(1 + exp(-(v + 40)/7))
    mtau = 0.1 + 0.4/(1 + exp((v + 40)/10))
    mexp = 1 - exp(-dt/mtau)
}
