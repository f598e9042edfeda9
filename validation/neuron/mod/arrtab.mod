COMMENT
ArrTab: ArrChan (arrchan.mod, a sodium-like channel in the style of the Poirazi et al. CA1
channels) with its rate procedure tabulated: a TABLE whose outputs are the ASSIGNED arrays
(element by element, as the Poirazi channels' `TABLE Inf, Tau`), and a read of the
mechanism's own `usetable`. Written for Ranvier's validation.
ENDCOMMENT

NEURON {
    SUFFIX arrtab
    USEION na READ ena WRITE ina
    RANGE gbar, vhalf
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gbar = 0.2 (S/cm2)
    vhalf[2] (mV)
}

ASSIGNED {
    v (mV)
    ena (mV)
    ina (mA/cm2)
    inf[2]
    tau[2] (ms)
}

STATE { m h }

INITIAL {
    vhalf[0] = -40
    vhalf[1] = -62
    rates(v)
    m = inf[0]
    h = inf[1]
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    if (usetable) {
        ina = gbar*m*m*m*h*(v - ena)
    } else {
        ina = 0
    }
}

DERIVATIVE states {
    rates(v)
    m' = (inf[0] - m)/tau[0]
    h' = (inf[1] - h)/tau[1]
}

PROCEDURE rates(v (mV)) {
    LOCAL i
    TABLE inf, tau DEPEND celsius FROM -100 TO 100 WITH 200
    FROM i = 0 TO 1 {
        inf[i] = steady(v, i)
        tau[i] = 0.1 + i*2 + 0.5/(1 + exp((v - vhalf[i])/10))
    }
}

FUNCTION steady(v (mV), i) {
    if (i == 0) {
        steady = 1/(1 + exp(-(v - vhalf[0])/7))
    } else {
        steady = 1/(1 + exp((v - vhalf[1])/6))
    }
}
