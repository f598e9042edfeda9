COMMENT
IzhiBP: a point process without currents written for the Ranvier validation suite.
Its voltage variable V is advanced in BREAKPOINT by forward Euler over the time since
the last call (NEURON runs the BREAKPOINT of a mechanism without currents once per step,
in nrn_state). A reset in NET_RECEIVE on a WATCH, self events from INITIAL, and an
output event per spike. External events add to the synaptic drive g, which decays.
ENDCOMMENT

NEURON {
    POINT_PROCESS IzhiBP
    RANGE V, u, g, k, vr, vt, a, b, c, d, C, Iin, vpeak, tau, t0
}

PARAMETER {
    k = 0.7
    vr = -60
    vt = -40
    a = 0.03
    b = -2
    c = -50
    d = 100
    C = 100
    Iin = 80
    vpeak = 35
    tau = 5
}

ASSIGNED {
    V
    u
    g
    t0
    delta
}

INITIAL {
    V = vr
    u = 0
    g = 0
    t0 = t
    net_send(0, 1)
}

BREAKPOINT {
    delta = t - t0
    g = g - delta*g/tau
    V = V + delta*(k*(V - vr)*(V - vt) - u + Iin + g*(0 - V))/C
    u = u + delta*a*(b*(V - vr) - u)
    t0 = t
}

NET_RECEIVE (w) {
    if (flag == 1) {
        WATCH (V > vpeak) 2
    } else if (flag == 2) {
        net_event(t)
        V = c
        u = u + d
    } else {
        g = g + w
    }
}
