COMMENT
CaBuf: calcium in a shell with a mobile buffer, written for the Ranvier validation suite.
A KINETIC scheme with COMPARTMENT volumes, a flux from the calcium current (<<), a
second-order binding reaction and CONSERVE of the total buffer; cai is written back.
INITIAL finds the (nonlinear) steady state with STEADYSTATE sparse.
ENDCOMMENT

NEURON {
    SUFFIX cabuf
    USEION ca READ cao, ica WRITE cai
    RANGE btot, kon, koff, depth
}

UNITS {
    (mM) = (milli/liter)
    (mA) = (milliamp)
    (um) = (micron)
    FARADAY = (faraday) (coulomb)
    PI = (pi) (1)
}

PARAMETER {
    depth = 0.2 (um)
    btot = 0.05 (mM)
    kon = 100 (/mM-ms)
    koff = 0.1 (/ms)
    taur = 50 (ms)
    cainf = 5e-5 (mM)
}

ASSIGNED {
    diam (um)
    ica (mA/cm2)
    cai (mM)
    cao (mM)
    vol (um2)
}

STATE {
    ca (mM) <1e-6>
    B (mM)
    CaB (mM)
}

INITIAL {
    vol = PI*depth*(diam - depth)
    ca = cainf
    B = btot*koff/(koff + kon*cainf)
    CaB = btot - B
    SOLVE chem STEADYSTATE sparse
    cai = ca
}

BREAKPOINT {
    SOLVE chem METHOD sparse
}

KINETIC chem {
    COMPARTMENT vol {ca B CaB}
    ~ ca << (-ica*PI*diam*(1e4)/(2*FARADAY))
    ~ ca + B <-> CaB (kon*vol, koff*vol)
    ~ ca << (vol*(cainf - ca)/taur)
    CONSERVE B + CaB = btot*vol
    cai = ca
}
