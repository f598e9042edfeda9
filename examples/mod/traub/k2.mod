COMMENT
k2_tb: slowly activating and inactivating "K2" potassium current, m h, after the
Traub et al. (2005) cortical model; written for the Ranvier benchmark suite. Rates
are temperature independent and tabulated over -120..100 mV. The default gbar is far
above Traub's (about 0.0005 S/cm2): here K2 is the afterhyperpolarization that lets
a small, strongly driven compartment fire repetitively instead of blocking.
ENDCOMMENT

NEURON {
    SUFFIX k2_tb
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
    gbar = 0.6 (S/cm2) <0, 1e9>
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
    g = gbar*m*h
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
    minf = 1/(1 + exp((-v - 10)/17))
    mtau = 4.95 + 0.5/(exp((v - 81)/25.6) + exp((-v - 132)/18))
    hinf = 1/(1 + exp((v + 58)/10.6))
    htau = 60 + 0.5/(exp((v - 1.33)/200) + exp((-v - 130)/7.1))
    UNITSON
}
