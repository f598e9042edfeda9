: Test-only probe exposing NEURON's nrnran123 stream functions for an NMODL
: RANDOM variable, so validation/rng/make_ref.py can record ipick / dblpick /
: negexp / normal draws directly from NEURON's own implementation.
NEURON {
    ARTIFICIAL_CELL RanProbe
    THREADSAFE
    RANDOM rv
}

FUNCTION ipick() {
    ipick = random_ipick(rv)
}

FUNCTION dpick() {
    dpick = random_dpick(rv)
}

FUNCTION uniform_ab(a, b) {
    uniform_ab = random_uniform(rv, a, b)
}

FUNCTION negexp1() {
    negexp1 = random_negexp(rv)
}

FUNCTION negexp(mean) {
    negexp = random_negexp(rv, mean)
}

FUNCTION normal01() {
    normal01 = random_normal(rv)
}

FUNCTION normal(mu, sigma) {
    normal = random_normal(rv, mu, sigma)
}

PROCEDURE setseq(x) {
    : double overload: x encodes seq*4 + which
    random_setseq(rv, x)
}
