COMMENT
IzhiDI: an Izhikevich-style point process written for the Ranvier validation suite.
It keeps its own voltage variable vv (a STATE, not the membrane v) and integrates it
with SOLVE ... METHOD derivimplicit (backward Euler solved by Newton's method, the
quadratic term makes it nonlinear). A WATCH on vv, armed from INITIAL by a self event,
resets vv and u and emits an output event. External events kick vv by their weight.
The point process drives the section weakly through a coupling current.
ENDCOMMENT

NEURON {
    POINT_PROCESS IzhiDI
    RANGE a, b, c, d, vpeak, Iext, gc, vv, u, i
    NONSPECIFIC_CURRENT i
}

UNITS {
    (mV) = (millivolt)
    (nA) = (nanoamp)
    (uS) = (microsiemens)
}

PARAMETER {
    a = 0.02 (/ms)
    b = 0.2 (/ms)
    c = -65 (mV)
    d = 6 (mV/ms)
    vpeak = 30 (mV)
    Iext = 5 (mV/ms)
    gc = 0.0005 (uS)
}

ASSIGNED {
    v (mV)
    i (nA)
}

STATE {
    vv (mV)
    u (mV/ms)
}

INITIAL {
    vv = -70
    u = b*vv
    net_send(0, 1)
}

BREAKPOINT {
    SOLVE states METHOD derivimplicit
    i = gc*(v - vv)
}

DERIVATIVE states {
    vv' = 0.04*vv*vv + 5*vv + 140 - u + Iext
    u' = a*(b*vv - u)
}

NET_RECEIVE (w (mV)) {
    if (flag == 1) {
        WATCH (vv > vpeak) 2
    } else if (flag == 2) {
        net_event(t)
        vv = c
        u = u + d
    } else {
        vv = vv + w
    }
}
