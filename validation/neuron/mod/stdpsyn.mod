COMMENT
StdpSyn: a spike-timing-dependent synapse written for the Ranvier validation suite.
Each connection keeps its own plasticity state in the NET_RECEIVE arguments (A, tpre).
A presynaptic event opens the conductance by w + A and depresses A by the time since the
last postsynaptic spike; a postsynaptic spike (a WATCH on v, armed from INITIAL) visits
every connection with FOR_NETCONS and potentiates it by the time since its own last
presynaptic event.
ENDCOMMENT

NEURON {
    POINT_PROCESS StdpSyn
    RANGE tau, e, i, dtau, ptau, d, p, wmax
    NONSPECIFIC_CURRENT i
}

UNITS {
    (mV) = (millivolt)
    (nA) = (nanoamp)
    (uS) = (microsiemens)
}

PARAMETER {
    tau = 3 (ms)
    e = 0 (mV)
    dtau = 20 (ms)
    ptau = 15 (ms)
    d = 0.3
    p = 0.4
    wmax = 0.02 (uS)
}

ASSIGNED {
    v (mV)
    i (nA)
    tpost (ms)
}

STATE {
    g (uS)
}

INITIAL {
    g = 0
    tpost = -1e9
    net_send(0, 1)
}

BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g*(v - e)
}

DERIVATIVE state {
    g' = -g/tau
}

NET_RECEIVE (w (uS), A (uS), tpre (ms)) {
    INITIAL {
        A = 0
        tpre = -1e9
    }
    if (flag == 0) {
        g = g + w + A
        tpre = t
        A = A*(1 - d*exp((tpost - t)/dtau))
    } else if (flag == 2) {
        tpost = t
        FOR_NETCONS (w1, A1, tp) {
            A1 = A1 + (wmax - w1 - A1)*p*exp((tp - t)/ptau)
        }
    } else {
        WATCH (v > -20) 2
    }
}
