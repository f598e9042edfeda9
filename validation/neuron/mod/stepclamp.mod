COMMENT
StepClamp: a two-step voltage clamp through a series resistance, written for Ranvier's
validation in the shape of NEURON's own SEClamp: the electrode current is computed by a
PROCEDURE that BREAKPOINT calls and that `SOLVE ... METHOD after_cvode` calls again after
the voltage update (so the recorded i uses the new v), `at_time` marks the step edges,
the number of steps is a DEFINE and the switch time a file-scope LOCAL (one variable
shared by all instances).
ENDCOMMENT

NEURON {
    POINT_PROCESS StepClamp
    ELECTRODE_CURRENT i
    RANGE dur1, amp1, dur2, amp2, rs, vc, i
}

DEFINE NSTEP 2

UNITS {
    (mV) = (millivolt)
    (nA) = (nanoamp)
}

LOCAL tswitch

PARAMETER {
    rs = 1 (megohm)
    dur1 = 0 (ms)
    amp1 = 0 (mV)
    dur2 = 0 (ms)
    amp2 = 0 (mV)
}

ASSIGNED {
    v (mV)
    i (nA)
    vc (mV)
    on
}

INITIAL {
    tswitch = dur1
    on = 0
}

BREAKPOINT {
    SOLVE icur METHOD after_cvode
    vstim()
}

PROCEDURE icur() {
    if (on) {
        i = (vc - v)/rs
    } else {
        i = 0
    }
}

PROCEDURE vstim() {
    on = 1
    if (dur1) { at_time(dur1) }
    if (dur2) { at_time(tswitch + dur2) }
    if (t < tswitch) {
        vc = amp1
    } else if (t < tswitch + dur2 && NSTEP > 1) {
        vc = amp2
    } else {
        vc = 0
        on = 0
    }
    icur()
}
