COMMENT
km_tb: muscarinic (M-type) potassium current, m, after the Traub et al. (2005)
cortical model; written for the Ranvier benchmark suite. The opening and closing
rates are folded into minf and mtau, tabulated over -120..100 mV.
ENDCOMMENT

NEURON {
    SUFFIX km_tb
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
    gbar = 0.0085 (S/cm2) <0, 1e9>
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
    g = gbar*m
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
    LOCAL a, b
    TABLE minf, mtau FROM -120 TO 100 WITH 440
    UNITSOFF
    a = 0.02/(1 + exp((-v - 20)/5))
    b = 0.01*exp((-v - 43)/18)
    mtau = 1/(a + b)
    minf = a*mtau
    UNITSON
}
