NEURON {
    SUFFIX missing
}
INCLUDE "nowhere.inc"
