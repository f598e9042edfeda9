COMMENT
naf_tb: fast transient sodium current, m^3 h, after the Traub et al. (2005) cortical
model; written for the Ranvier benchmark suite. Rates are temperature independent
and tabulated over -120..100 mV. The default gbar is several times Traub's
(0.15-0.45 S/cm2) so that a small compartment keeps firing under strong drive.
ENDCOMMENT

NEURON {
    SUFFIX naf_tb
    USEION na READ ena WRITE ina
    RANGE gbar, g
    GLOBAL minf, mtau, hinf, htau
    THREADSAFE
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (S) = (siemens)
}

PARAMETER {
    gbar = 1.0 (S/cm2) <0, 1e9>
}

STATE { m h }

ASSIGNED {
    v (mV)
    ena (mV)
    ina (mA/cm2)
    g (S/cm2)
    minf
    hinf
    mtau (ms)
    htau (ms)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar*m*m*m*h
    ina = g*(v - ena)
}

INITIAL {
    rates(v)
    m = minf
    h = hinf
}

DERIVATIVE states {
    rates(v)
    m' = (minf - m)/mtau
    h' = (hinf - h)/htau
}

PROCEDURE rates(v (mV)) {
    TABLE minf, mtau, hinf, htau FROM -120 TO 100 WITH 440
    UNITSOFF
    minf = 1/(1 + exp((-v - 38)/10))
    if (v < -30) {
        mtau = 0.0125 + 0.1525*exp((v + 30)/10)
    } else {
        mtau = 0.02 + 0.145*exp((-v - 30)/10)
    }
    hinf = 1/(1 + exp((v + 58.3)/6.7))
    htau = 0.225 + 1.125/(1 + exp((v + 37)/15))
    UNITSON
}
