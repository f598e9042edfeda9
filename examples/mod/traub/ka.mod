COMMENT
ka_tb: transient A-type potassium current, m^4 h, after the Traub et al. (2005)
cortical model; written for the Ranvier benchmark suite. Rates are temperature
independent and tabulated over -120..100 mV.
ENDCOMMENT

NEURON {
    SUFFIX ka_tb
    USEION k READ ek WRITE ik
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
    gbar = 0.03 (S/cm2) <0, 1e9>
}

STATE { m h }

ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    g (S/cm2)
    minf
    hinf
    mtau (ms)
    htau (ms)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar*m*m*m*m*h
    ik = g*(v - ek)
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
    minf = 1/(1 + exp((-v - 60)/8.5))
    mtau = 0.185 + 0.5/(exp((v + 35.8)/19.7) + exp((-v - 79.7)/12.7))
    hinf = 1/(1 + exp((v + 78)/6))
    if (v <= -63) {
        htau = 0.5/(exp((v + 46)/5) + exp((-v - 238)/37.5))
    } else {
        htau = 9.5
    }
    UNITSON
}
