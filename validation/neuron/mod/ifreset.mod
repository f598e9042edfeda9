COMMENT
IfReset: a reset point process written for the Ranvier validation suite. It exercises
the event parts of the mechanism interface against NEURON:
  * INITIAL sends a self event (net_send) that arms a WATCH on the membrane potential;
  * the WATCH (v > thresh) fires flag 2, whose handler writes the membrane v (reset),
    increments an adaptation conductance and emits an output event (net_event);
  * external events (flag 0) jump the membrane v by weight/(1 + nspk), where nspk is
    per-connection state kept in the NET_RECEIVE arguments and initialised by the
    NET_RECEIVE INITIAL block; each connection counts its own events.
ENDCOMMENT

NEURON {
    POINT_PROCESS IfReset
    RANGE thresh, vreset, gw, tau_w, ew, count, i
    NONSPECIFIC_CURRENT i
}

UNITS {
    (mV) = (millivolt)
    (nA) = (nanoamp)
    (uS) = (microsiemens)
}

PARAMETER {
    thresh = -55 (mV)
    vreset = -70 (mV)
    gw = 0.002 (uS)
    tau_w = 30 (ms)
    ew = -80 (mV)
}

ASSIGNED {
    v (mV)
    i (nA)
    count
}

STATE {
    w (uS)
}

INITIAL {
    w = 0
    count = 0
    net_send(0, 1)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    i = w*(v - ew)
}

DERIVATIVE states {
    w' = -w/tau_w
}

NET_RECEIVE(weight (mV), nspk) {
    INITIAL {
        nspk = 0
    }
    if (flag == 1) {
        WATCH (v > thresh) 2
    } else if (flag == 2) {
        v = vreset
        w = w + gw
        count = count + 1
        net_event(t)
    } else {
        v = v + weight/(1 + nspk)
        nspk = nspk + 1
    }
}
