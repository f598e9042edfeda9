COMMENT
IzhOwn: an Izhikevich (2003) neuron with its own voltage variable V, written for the
Ranvier examples. It does not touch its section (a NetPyNE `vref: "V"` cell: spikes are
detected on V). Excitatory and inhibitory synaptic conductances are the first and
second weights of each connection (NetPyNE's `synList` picks the weight index), decay
exponentially, and V is integrated with derivimplicit. A WATCH on V, armed from INITIAL,
emits spikes and resets V and u.
ENDCOMMENT

NEURON {
    POINT_PROCESS IzhOwn
    RANGE a, b, c, d, vpeak, Iin, V, u, gE, gI, tauE, tauI, eE, eI
}

UNITS {
    (mV) = (millivolt)
}

PARAMETER {
    a = 0.02 (/ms)
    b = 0.2 (/ms)
    c = -65 (mV)
    d = 8 (mV/ms)
    vpeak = 30 (mV)
    Iin = 0 (mV/ms)
    tauE = 5 (ms)
    tauI = 10 (ms)
    eE = 0 (mV)
    eI = -80 (mV)
}

STATE {
    V (mV)
    u (mV/ms)
    gE (/ms)
    gI (/ms)
}

INITIAL {
    V = c
    u = b*V
    gE = 0
    gI = 0
    net_send(0, 1)
}

BREAKPOINT {
    SOLVE states METHOD derivimplicit
}

DERIVATIVE states {
    V' = 0.04*V*V + 5*V + 140 - u + Iin - gE*(V - eE) - gI*(V - eI)
    u' = a*(b*V - u)
    gE' = -gE/tauE
    gI' = -gI/tauI
}

NET_RECEIVE (wE (/ms), wI (/ms)) {
    if (flag == 1) {
        WATCH (V > vpeak) 2
    } else if (flag == 2) {
        net_event(t)
        V = c
        u = u + d
    } else {
        gE = gE + wE
        gI = gI + wI
    }
}
