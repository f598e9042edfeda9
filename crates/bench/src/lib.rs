//! Shared pieces of the benchmark binaries: the network's connection rule (the same
//! formula as in `bench/neuron_hh_network.py` and `bench/arbor_hh_network.py`) and
//! command-line helpers.

/// Soma length and diameter `[um]` (all three simulators).
pub const SOMA_SIZE: f64 = 18.8;

/// Network parameters, identical in the Python scripts.
pub mod net {
    /// Number of cells.
    pub const NCELLS: u32 = 1000;
    /// Recurrent inputs per cell.
    pub const FANIN: u32 = 100;
    /// Recurrent weight `[uS]`.
    pub const W_REC: f64 = 0.000135;
    /// NetStim weight `[uS]`.
    pub const W_EXT: f64 = 0.01;
    /// NetStim interval `[ms]`.
    pub const STIM_INTERVAL: f64 = 100.0;
    /// NetStim to ExpSyn delay `[ms]`.
    pub const STIM_DELAY: f64 = 1.0;
    /// ExpSyn time constant `[ms]` and reversal `[mV]`.
    pub const TAU: f64 = 2.0;
    pub const E_SYN: f64 = 0.0;
    /// Spike threshold `[mV]`.
    pub const THRESHOLD: f64 = 10.0;

    /// 32-bit integer hash of `(post, k)`.
    #[must_use]
    pub fn hash(post: u32, k: u32) -> u32 {
        let mut x = (post * 131 + k * 7 + 1).wrapping_mul(2_654_435_761);
        x ^= x >> 15;
        x = x.wrapping_mul(2_246_822_519);
        x ^= x >> 13;
        x
    }

    /// Presynaptic cell of input `k` of cell `post` (never `post` itself) and its delay
    /// `[ms]`.
    #[must_use]
    pub fn connection(post: u32, k: u32, ncells: u32) -> (u32, f64) {
        let x = hash(post, k);
        let mut pre = x % (ncells - 1);
        if pre >= post {
            pre += 1;
        }
        let delay = 1.0 + f64::from((x >> 10) % 40) * 0.1;
        (pre, delay)
    }

    /// NetStim start of cell `post` `[ms]`: spread over one interval.
    #[must_use]
    pub fn stim_start(post: u32) -> f64 {
        f64::from(hash(post, 1_000_003) % 1000) * 0.1
    }
}

/// `args[i]` parsed as a number, or `default`.
#[must_use]
pub fn arg_f64(i: usize, default: f64) -> f64 {
    std::env::args()
        .nth(i)
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}
