COMMENT
cat_tb: low-threshold transient (T-type) calcium current, m^2 h, after the Traub et
al. (2005) cortical model; written for the Ranvier benchmark suite. Carried by the ca
ion (Traub used a fixed-reversal nonspecific current instead). Rates are temperature
independent and tabulated over -120..100 mV.
ENDCOMMENT

NEURON {
    SUFFIX cat_tb
    USEION ca READ eca WRITE ica
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
    gbar = 0.0001 (S/cm2) <0, 1e9>
}

STATE { m h }

ASSIGNED {
    v (mV)
    eca (mV)
    ica (mA/cm2)
    g (S/cm2)
    minf
    hinf
    mtau (ms)
    htau (ms)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar*m*m*h
    ica = g*(v - eca)
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
    minf = 1/(1 + exp((-v - 56)/6.2))
    mtau = 0.204 + 0.333/(exp((v + 15.8)/18.2) + exp((-v - 131)/16.7))
    hinf = 1/(1 + exp((v + 80)/4))
    if (v < -81) {
        htau = 0.333*exp((v + 466)/66.6)
    } else {
        htau = 9.32 + 0.333*exp((-v - 21)/10.5)
    }
    UNITSON
}
