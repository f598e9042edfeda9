COMMENT
nap_tb: persistent (non-inactivating) sodium current, m, after the Traub et al. (2005)
cortical model; written for the Ranvier benchmark suite. Rates are temperature
independent and tabulated over -120..100 mV.
ENDCOMMENT

NEURON {
    SUFFIX nap_tb
    USEION na READ ena WRITE ina
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
    gbar = 0.0002 (S/cm2) <0, 1e9>
}

STATE { m }

ASSIGNED {
    v (mV)
    ena (mV)
    ina (mA/cm2)
    g (S/cm2)
    minf
    mtau (ms)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar*m
    ina = g*(v - ena)
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
    minf = 1/(1 + exp((-v - 48)/10))
    if (v < -40) {
        mtau = 0.025 + 0.14*exp((v + 40)/10)
    } else {
        mtau = 0.02 + 0.145*exp((-v - 40)/10)
    }
    UNITSON
}
