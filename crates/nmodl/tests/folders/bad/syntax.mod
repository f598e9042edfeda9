NEURON {
    SUFFIX syntax
    RANGE g,
}
PARAMETER {
    g = 0.001 (S/cm2)
}
