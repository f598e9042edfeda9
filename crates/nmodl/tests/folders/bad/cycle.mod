NEURON {
    SUFFIX cycle
}
INCLUDE "loop.inc"
