COMMENT
VecStim: an artificial cell that emits one output event (net_event) at each
time stored in a Vector.  Written for the Ranvier validation suite.

Usage (Python):
    vs = h.VecStim()
    vs.play(h.Vector([1.0, 2.5, 2.5, 7.0]))

Semantics:
  * play(vec) copies the times out of vec (later changes to vec are ignored;
    call play() again to replace them).  play() with no argument clears them.
  * The times must be non-decreasing and >= 0 (equal times are allowed and
    give one event each).  A time earlier than the current time when it is
    reached is a hoc error.
  * INITIAL rewinds to the first time and, if there is one, sends a self-event
    (flag 1) that arrives at that time.
  * NET_RECEIVE with flag 1 calls net_event(t) and sends a self-event for the
    next time, if any.  Events arriving from NetCons (flag 0) are ignored.
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL VecStim
    THREADSAFE
    BBCOREPOINTER ptr   : holds a std::vector<double>* with the event times
}

ASSIGNED {
    ptr
    index       : position of the next time to emit (0-based)
    tnext (ms)  : the next time to emit
}

VERBATIM
#include <vector>
static void bbcore_write(double*, int*, int*, int*, _threadargsproto_) {}
static void bbcore_read(double*, int*, int*, int*, _threadargsproto_) {}
ENDVERBATIM

CONSTRUCTOR {
VERBATIM
    _p_ptr = new std::vector<double>();
ENDVERBATIM
}

DESTRUCTOR {
VERBATIM
    delete static_cast<std::vector<double>*>(_p_ptr);
    _p_ptr = nullptr;
ENDVERBATIM
}

INITIAL {
    index = 0
    if (fetch_next() > 0) {
        net_send(tnext - t, 1)
    }
}

NET_RECEIVE (w) {
    if (flag == 1) {
        net_event(t)
        if (fetch_next() > 0) {
            net_send(tnext - t, 1)
        }
    }
}

: If a time remains, put it in tnext, advance index and return 1; else return 0.
: A time earlier than the current t (unsorted or negative times) is an error.
FUNCTION fetch_next() {
VERBATIM
    auto* times = static_cast<std::vector<double>*>(_p_ptr);
    std::size_t i = static_cast<std::size_t>(index);
    if (times && i < times->size()) {
        tnext = (*times)[i];
        index = index + 1;
        if (tnext < t) {
            hoc_execerror("VecStim: event times must be non-decreasing and >= 0", nullptr);
        }
        _lfetch_next = 1.;
    } else {
        _lfetch_next = 0.;
    }
ENDVERBATIM
}

PROCEDURE play() {
VERBATIM
    auto* times = static_cast<std::vector<double>*>(_p_ptr);
    times->clear();
    if (ifarg(1)) {
        IvocVect* vec = vector_arg(1);
        int n = vector_capacity(vec);
        double* x = vector_vec(vec);
        times->assign(x, x + n);
    }
ENDVERBATIM
}
