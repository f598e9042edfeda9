"""Network parameters and connection rule shared by the NEURON and Arbor scripts.
Identical to crates/bench/src/lib.rs (mod net)."""

SOMA_SIZE = 18.8
NCELLS = 1000
FANIN = 100
W_REC = 0.000135
W_EXT = 0.01
STIM_INTERVAL = 100.0
STIM_DELAY = 1.0
TAU = 2.0
E_SYN = 0.0
THRESHOLD = 10.0
M32 = 0xFFFFFFFF


def hash32(post, k):
    x = ((post * 131 + k * 7 + 1) * 2654435761) & M32
    x ^= x >> 15
    x = (x * 2246822519) & M32
    x ^= x >> 13
    return x


def connection(post, k, ncells=NCELLS):
    x = hash32(post, k)
    pre = x % (ncells - 1)
    if pre >= post:
        pre += 1
    delay = 1.0 + float((x >> 10) % 40) * 0.1
    return pre, delay


def stim_start(post):
    return float(hash32(post, 1000003) % 1000) * 0.1
