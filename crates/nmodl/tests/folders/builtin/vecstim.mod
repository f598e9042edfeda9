: A spike-time player in the style of the VecStim files models ship: the event
: times live in a C vector reached through a POINTER, and a VERBATIM block reads
: them. Ranvier cannot compile this; it uses its built-in VecStim instead.

NEURON {
    ARTIFICIAL_CELL VecStim
    POINTER times
}

ASSIGNED {
    k
    tnext (ms)
    times
}

INITIAL {
    k = 0
    advance()
    if (k > 0) {
        net_send(tnext - t, 1)
    }
}

NET_RECEIVE (w) {
    if (flag == 1) {
        net_event(t)
        advance()
        if (k > 0) {
            net_send(tnext - t, 1)
        }
    }
}

: Put the next time of the vector into tnext and count it in k; k = -1 at the end.
PROCEDURE advance() {
VERBATIM
    double* tv;
    int n = vector_instance_px(*((void**)(&_p_times)), &tv);
    if (k >= 0 && k < n) {
        tnext = tv[(int)k];
        k += 1;
    } else {
        k = -1;
    }
ENDVERBATIM
}
