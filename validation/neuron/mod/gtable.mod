COMMENT
GTab: a potassium channel whose rate TABLE runs FROM and TO GLOBALs (vmin, vmax), as
the Mainen et al. 1996 channels (ModelDB 2488) tabulate theirs, and whose tabulated
procedure also sets a GLOBAL temperature factor (tadj) that BREAKPOINT reads, as km.mod
does: NEURON keeps it from running the procedure over the table. Written for Ranvier's
validation; the case sets vmin and vmax away from their defaults.
ENDCOMMENT

NEURON {
    SUFFIX gtab
    USEION k READ ek WRITE ik
    RANGE gbar
    GLOBAL ninf, ntau, vmin, vmax, tadj
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gbar = 0.02 (S/cm2)
    vmin = -120 (mV)
    vmax = 100 (mV)
}

ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    ninf
    ntau (ms)
    tadj
}

STATE { n }

INITIAL {
    rates(v)
    n = ninf
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = tadj*gbar*n*n*(v - ek)
}

DERIVATIVE states {
    rates(v)
    n' = (ninf - n)/ntau
}

PROCEDURE rates(v (mV)) {
    TABLE ninf, ntau DEPEND celsius FROM vmin TO vmax WITH 40
    tadj = 3^((celsius - 16)/10)
    ninf = 1/(1 + exp(-(v + 35)/8))
    ntau = 0.5 + 5/(1 + exp((v + 45)/12))
}
