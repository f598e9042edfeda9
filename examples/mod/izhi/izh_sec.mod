COMMENT
IzhSec: an Izhikevich (2003) neuron that uses its section's membrane potential,
written for the Ranvier examples. The recovery variable u follows v; the point process
injects the model's current into the section (scaled by cap so a small soma follows
the dimensionless equations), and when v crosses vpeak (a WATCH armed from INITIAL) it
emits a spike, resets v to c from NET_RECEIVE and adds d to u. Incoming events
depolarise the section through the same current: the weight is added to Iin for one
time step of integration (a current kick).
ENDCOMMENT

NEURON {
    POINT_PROCESS IzhSec
    RANGE a, b, c, d, vpeak, Iin, cap, u, i, kick
    NONSPECIFIC_CURRENT i
}

UNITS {
    (mV) = (millivolt)
    (nA) = (nanoamp)
}

PARAMETER {
    a = 0.02 (/ms)
    b = 0.2 (/ms)
    c = -65 (mV)
    d = 8 (mV/ms)
    vpeak = 30 (mV)
    Iin = 5 (mV/ms)
    cap = 0.001 (nA ms/mV)
}

ASSIGNED {
    v (mV)
    i (nA)
    kick (mV/ms)
}

STATE { u (mV/ms) }

INITIAL {
    u = b*v
    kick = 0
    net_send(0, 1)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    i = -cap*(0.04*v*v + 5*v + 140 - u + Iin + kick)
}

DERIVATIVE states {
    u' = a*(b*v - u)
}

NET_RECEIVE (w (mV/ms)) {
    if (flag == 1) {
        WATCH (v > vpeak) 2
    } else if (flag == 2) {
        net_event(t)
        v = c
        u = u + d
    } else if (flag == 3) {
        kick = kick - w
    } else {
        kick = kick + w
        net_send(1, 3)
    }
}
