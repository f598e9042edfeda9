COMMENT
kdr_tb: delayed rectifier potassium current, m^4, after the Traub et al. (2005)
cortical model; written for the Ranvier benchmark suite. Rates are temperature
independent and tabulated over -120..100 mV.
ENDCOMMENT

NEURON {
    SUFFIX kdr_tb
    USEION k READ ek WRITE ik
    RANGE gbar, g
    GLOBAL minf, mtau
    THREADSAFE
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.125 (S/cm2) <0, 1e9>
}

STATE { m }

ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    g (S/cm2)
    minf
    mtau (ms)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar*m*m*m*m
    ik = g*(v - ek)
}

INITIAL {
    rates(v)
    m = minf
}

DERIVATIVE states {
    rates(v)
    m' = (minf - m)/mtau
}

PROCEDURE rates(v (mV)) {
    TABLE minf, mtau FROM -120 TO 100 WITH 440
    UNITSOFF
    minf = 1/(1 + exp((-v - 29.5)/10))
    if (v < -10) {
        mtau = 0.25 + 4.35*exp((v + 10)/10)
    } else {
        mtau = 0.25 + 4.35*exp((-v - 10)/10)
    }
    UNITSON
}
