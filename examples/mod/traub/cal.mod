COMMENT
cal_tb: high-threshold calcium current, m^2, after the Traub et al. (2005) cortical
model; written for the Ranvier benchmark suite. Uses the calcium reversal potential
eca (Nernst, from cai and cao). Rates are temperature independent and tabulated over
-120..100 mV; the closing rate is of x/(exp(x/y) - 1) form, evaluated with its limit
near x = 0.
ENDCOMMENT

NEURON {
    SUFFIX cal_tb
    USEION ca READ eca WRITE ica
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
    gbar = 0.0008 (S/cm2) <0, 1e9>
}

STATE { m }

ASSIGNED {
    v (mV)
    eca (mV)
    ica (mA/cm2)
    g (S/cm2)
    minf
    mtau (ms)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar*m*m
    ica = g*(v - eca)
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
    LOCAL a, b
    TABLE minf, mtau FROM -120 TO 100 WITH 440
    UNITSOFF
    a = 1.6/(1 + exp(-0.072*(v - 5)))
    b = 0.02*efrac(v + 8.9, 5)
    mtau = 1/(a + b)
    minf = a*mtau
    UNITSON
}

FUNCTION efrac(x, y) {
    : x/(exp(x/y) - 1), which tends to y(1 - x/(2y)) as x goes to 0
    if (fabs(x/y) < 1e-6) {
        efrac = y*(1 - x/(2*y))
    } else {
        efrac = x/(exp(x/y) - 1)
    }
}
